//! The day's work 每日工作: every task of a day with a named person 责任到人.
//!
//! The seeds' method is that every piece of the day's work has a named person: the 2+3 team
//! calls each person in home isolation twice a day (seed 003: "每日利用微信群和电话进行两次体温
//! 及健康情况回访"), someone delivers food and medicine and takes the garbage of an isolated
//! household (seed 003: "由社区安排专人负责提供送菜上门、送药上门 ... 上门收集生活垃圾"; seed
//! 000: "专人、专用桶、专用车定期、定点、固定路线清运"), someone calls the elderly living alone
//! (seed 003: "通过平安电话、微信,主动询问辖区的孤寡老人、空巢老人、重病重残等特殊困难人员
//! ... 明确专人包户到人"), and a hotline ticket is answered the same day (seed 000: "12345
//! 热线共受理999个与传染病相关的工作指令 ... 立即受理 ... 当天结案").
//!
//! This module holds that work as pure values:
//!
//! - a [`WorkPlan`] (data with its source, a preset: [`WorkPlan::huayuan_road`]) says which
//!   roles own each kind of task — the follow-up calls and their times, tests, releases to
//!   sign, reviews, transfers, hotline tickets — and which services ([`ServiceRule`]) which
//!   households ([`Households`]: by colour, state or marker) are owed at which [`Cadence`];
//! - a [`Task`] is one thing to do on a date ([`TaskKey`]: the date, the [`TaskSubject`], the
//!   [`Duty`]) with its due slot ([`DueSlot`]), its [`Status`] and who owes it
//!   ([`Assignee`], with [`Why`] it is theirs or why nobody has it, [`GapReason`]);
//! - [`route`] gives each task of a day to a holder of a role that owns it, the least loaded
//!   that day, skipping holders away that day;
//! - a [`Workday`] is a routed day: every worklist, the unassigned tasks, the counts of who is
//!   behind.
//!
//! The [`Registry`](crate::Registry) adopts a plan ([`Command::AdoptWorkPlan`](crate::Command::AdoptWorkPlan)),
//! makes the day's tasks from its agenda, cases, households and tickets, routes them through
//! its rosters ([`Registry::workday`](crate::Registry::workday),
//! [`Registry::worklist`](crate::Registry::worklist)) and records what is done
//! ([`Command::CompleteTask`](crate::Command::CompleteTask)). A task not done on its day is
//! carried to the next business date as overdue.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::colour::{Colour, State};
use crate::duty::Role;
use crate::people::Marker;
use crate::registry::Responsible;
use crate::{CaseId, HouseholdId, PersonId, StaffId, TicketId, UnitId};

mod plan;

pub use plan::{Cadence, FollowUps, Households, Route, ServiceRule, WorkPlan};

/// What can go wrong with the day's work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum WorkError {
    /// A work plan that breaks a rule of [`WorkPlan::validate`].
    #[error("the work plan is not valid: {what}")]
    InvalidPlan {
        /// What is wrong.
        what: String,
    },
    /// A due slot whose end is before its start.
    #[error("a due slot from {from} until {until} ends before it starts")]
    SlotReversed {
        /// Its start.
        from: NaiveTime,
        /// Its end.
        until: NaiveTime,
    },
    /// No work plan is adopted: the registry makes no tasks.
    #[error("no work plan is adopted")]
    NoPlan,
    /// The task named is not one the registry owes on its date (no such subject, no such duty
    /// that day, or a date other than the business date and the overdue tasks' dates).
    #[error("no such task is owed: {task}")]
    NoSuchTask {
        /// The task named.
        task: TaskKey,
    },
    /// The task is done already.
    #[error("{task} is done already")]
    AlreadyDone {
        /// The task.
        task: TaskKey,
    },
    /// A completion dated before its task's date or after the business date.
    #[error("{task} cannot be done at {at}")]
    BadCompletionTime {
        /// The task.
        task: TaskKey,
        /// The time given.
        at: NaiveDateTime,
    },
    /// The ticket named is not known.
    #[error("no ticket {ticket}")]
    UnknownTicket {
        /// The ticket.
        ticket: TicketId,
    },
}

/// A service owed to a household (seeds 000, 002, 003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Service {
    /// Food and medicine delivered to the door 送菜送药上门 (seed 003).
    Delivery,
    /// Garbage taken by dedicated people with dedicated bins 专人专桶 (seeds 000, 002, 003).
    Garbage,
    /// A psychological support call 心理疏导 (seeds 002, 003).
    PsychologicalSupport,
    /// A patrol at the door, signed on the patrol record sheet 巡查记录表 (seed 003).
    Patrol,
    /// A safety call 平安电话 to the elderly living alone, empty-nest elderly, the seriously
    /// ill or disabled (seed 003).
    SafetyCall,
    /// A visit at home by the named carer 包户到人 (seed 003).
    Visit,
}

impl Service {
    /// Every service, in declaration order.
    pub const ALL: [Service; 6] = [
        Service::Delivery,
        Service::Garbage,
        Service::PsychologicalSupport,
        Service::Patrol,
        Service::SafetyCall,
        Service::Visit,
    ];

    /// The Chinese label.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Service::Delivery => "送菜送药上门",
            Service::Garbage => "专人专桶收垃圾",
            Service::PsychologicalSupport => "心理疏导",
            Service::Patrol => "巡查",
            Service::SafetyCall => "平安电话",
            Service::Visit => "上门探望",
        }
    }

    /// The English label.
    pub const fn label_en(self) -> &'static str {
        match self {
            Service::Delivery => "delivery",
            Service::Garbage => "garbage",
            Service::PsychologicalSupport => "psychological support",
            Service::Patrol => "patrol",
            Service::SafetyCall => "safety call",
            Service::Visit => "visit",
        }
    }
}

/// What a hotline work order 工单 is about. Tickets carry no free text: what a caller said
/// is personal data and stays with the hotline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TicketKind {
    /// Supplies: food, medicine, daily needs.
    Supplies,
    /// Medical help or a symptom reported.
    Medical,
    /// A report about someone (an arrival not registered, a gate not kept).
    Report,
    /// A complaint.
    Complaint,
    /// A question.
    Question,
}

/// A hotline work order 12345 工单: received at once, routed to the unit it concerns, closed
/// by completing its task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ticket {
    /// The unit it concerns.
    pub unit: UnitId,
    /// The household it concerns, if one.
    pub household: Option<HouseholdId>,
    /// What it is about.
    pub kind: TicketKind,
    /// When it was received.
    pub received: NaiveDateTime,
    /// Whether a holder of a ticket role was there to take it when it was received (受理).
    pub accepted: bool,
    /// When it was closed, if it is.
    pub closed: Option<NaiveDateTime>,
}

/// The time of day a task is due in: from `from` until `until`, both inclusive.
///
/// Serialised as `{"from": "08:00:00", "until": "12:00:00"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawSlot")]
pub struct DueSlot {
    from: NaiveTime,
    until: NaiveTime,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlot {
    from: NaiveTime,
    until: NaiveTime,
}

impl TryFrom<RawSlot> for DueSlot {
    type Error = WorkError;
    fn try_from(raw: RawSlot) -> Result<Self, WorkError> {
        DueSlot::new(raw.from, raw.until)
    }
}

impl DueSlot {
    /// The whole day, 00:00 to 23:59:59.
    pub const WHOLE_DAY: DueSlot = DueSlot { from: NaiveTime::MIN, until: end_of_day() };

    /// From `from` until `until`.
    ///
    /// # Errors
    /// [`WorkError::SlotReversed`] when `until` is before `from`.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveTime;
    /// use wangge::work::DueSlot;
    /// let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    /// let morning = DueSlot::new(t(8), t(12))?;
    /// assert!(morning.contains(t(9)));
    /// assert!(DueSlot::new(t(12), t(8)).is_err());
    /// # Ok::<(), wangge::work::WorkError>(())
    /// ```
    pub fn new(from: NaiveTime, until: NaiveTime) -> Result<Self, WorkError> {
        if until < from { Err(WorkError::SlotReversed { from, until }) } else { Ok(DueSlot { from, until }) }
    }

    /// Its start.
    pub const fn from(&self) -> NaiveTime {
        self.from
    }

    /// Its end.
    pub const fn until(&self) -> NaiveTime {
        self.until
    }

    /// Whether `time` lies in it.
    pub fn contains(&self, time: NaiveTime) -> bool {
        self.from <= time && time <= self.until
    }
}

const fn end_of_day() -> NaiveTime {
    match NaiveTime::from_hms_opt(23, 59, 59) {
        Some(t) => t,
        None => NaiveTime::MIN,
    }
}

/// What a task is about.
///
/// Serialised externally tagged: `{"Person": 3}`, `{"Household": 7}`, `{"Unit": 2}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TaskSubject {
    /// A person (a follow-up call, a test, a release).
    Person(PersonId),
    /// A household (a delivery, a patrol, a safety call).
    Household(HouseholdId),
    /// A unit (a hotline ticket about a courtyard).
    Unit(UnitId),
}

/// What is to be done.
///
/// Serialised externally tagged: `{"FollowUp": {"call": 1}}`, `"TakeTest"`,
/// `{"Service": {"service": "Delivery", "round": 1}}`, `{"Ticket": 4}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Duty {
    /// The `call`-th follow-up of the day 随访 (1-based): temperature and health, by phone or
    /// WeChat (2+3: two a day). A reading recorded for that day
    /// ([`Command::RecordCheck`](crate::Command::RecordCheck)) completes it.
    FollowUp {
        /// Which call of the day, from 1.
        call: u8,
    },
    /// Take a test sample 核酸采样 due that day. A result recorded for a sample of that day
    /// completes it.
    TakeTest,
    /// Sign a release 解除隔离 that is due (or overdue). The release completes it.
    SignRelease,
    /// Review a case flagged for review 复核.
    Review,
    /// Arrange the transfer 转运 of a person escalated that day.
    Transfer,
    /// A service to a household, the `round`-th of the day (1-based).
    Service {
        /// The service.
        service: Service,
        /// Which round of the day, from 1.
        round: u8,
    },
    /// Handle and close a hotline ticket 工单.
    Ticket(TicketId),
}

impl Duty {
    /// The Chinese label.
    pub fn label_zh(&self) -> &'static str {
        match self {
            Duty::FollowUp { .. } => "随访",
            Duty::TakeTest => "核酸采样",
            Duty::SignRelease => "解除隔离",
            Duty::Review => "复核",
            Duty::Transfer => "转运",
            Duty::Service { service, .. } => service.label_zh(),
            Duty::Ticket(_) => "工单",
        }
    }
}

/// A task's identity: its date, its subject and its duty. A host names a task by it
/// ([`Command::CompleteTask`](crate::Command::CompleteTask)); it is the same whoever owes it.
///
/// Serialised as `{"date": "2020-02-03", "subject": {"Person": 3}, "duty": {"FollowUp": {"call": 1}}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskKey {
    /// The day it is owed.
    pub date: NaiveDate,
    /// What it is about.
    pub subject: TaskSubject,
    /// What is to be done.
    pub duty: Duty,
}

impl std::fmt::Display for TaskKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let subject = match self.subject {
            TaskSubject::Person(p) => format!("{p}"),
            TaskSubject::Household(h) => format!("{h}"),
            TaskSubject::Unit(u) => format!("{u}"),
        };
        write!(f, "the task {:?} for {subject} on {}", self.duty, self.date)
    }
}

/// How a task went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// Done as asked.
    Done,
    /// Tried, nobody reached (no answer, nobody home): done for the day, to follow up.
    NotReached,
    /// Refused by the household.
    Refused,
    /// Handed on to someone else (a hospital, the police, another sub-district).
    Referred,
    /// Done by the record that makes it (a reading, a test result, a release).
    Recorded,
}

/// A task's completion: who, when and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Completion {
    /// Who did it; `None` when a case record did ([`Outcome::Recorded`]).
    pub by: Option<StaffId>,
    /// When; `None` when a case record did.
    pub at: Option<NaiveDateTime>,
    /// How it went.
    pub outcome: Outcome,
}

impl Completion {
    /// Done by the case record that makes the task (a reading, a result, a release).
    pub const RECORDED: Completion = Completion { by: None, at: None, outcome: Outcome::Recorded };
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    /// To do.
    Open,
    /// Done.
    Done(Completion),
    /// Not done on its day (`since`), carried to the business date: to do, late.
    Overdue {
        /// The day it was owed.
        since: NaiveDate,
    },
}

impl Status {
    /// Whether it still has to be done.
    pub const fn is_open(&self) -> bool {
        !matches!(self, Status::Done(_))
    }
}

/// Why a task has its holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Why {
    /// They hold a role that owns the task through a scheme, for its subject or what it lies
    /// in ([`Registry::responsible_for`](crate::Registry::responsible_for)).
    Holds(Responsible),
    /// It was moved to them ([`Command::ReassignTasks`](crate::Command::ReassignTasks)).
    Reassigned {
        /// Whose it was.
        from: StaffId,
    },
    /// It is overdue and stays with whom it was owed on its day.
    Carried,
}

/// Why nobody can take a task.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GapReason {
    /// Nobody holds a role that owns it for its subject (a roster gap).
    NoHolder,
    /// Every holder is away that day.
    AllAway {
        /// The holders away.
        holders: Vec<StaffId>,
    },
    /// A reassignment found nobody eligible to take it.
    Stranded {
        /// Whose it was.
        from: StaffId,
    },
    /// Overdue, and nobody had it on its day either.
    Carried,
}

/// Who owes a task.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Assignee {
    /// `staff` owes it.
    Staff {
        /// Who.
        staff: StaffId,
        /// Why it is theirs.
        why: Why,
        /// Holders skipped because they are away that day (请假): the task moved from them.
        skipped: Vec<StaffId>,
    },
    /// Nobody can take it: a gap, listed by [`Workday::unassigned`].
    Nobody(GapReason),
}

impl Assignee {
    /// The staff member who owes it, if anyone.
    pub const fn staff(&self) -> Option<StaffId> {
        match self {
            Assignee::Staff { staff, .. } => Some(*staff),
            Assignee::Nobody(_) => None,
        }
    }
}

/// A set of roles, as a task's owners: small and `Copy`.
///
/// Serialised as a list of roles in [`Role::ALL`] order: `["GridWorker", "HealthWorker"]`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Roles(u16);

// A role past the 16th would shift out of the set (a panic in debug builds, a lost role in
// release): widen `Roles` first (it is serialised, so with a format change).
const _: () = assert!(Role::ALL.len() <= u16::BITS as usize, "Roles holds 16 roles: widen it before adding one");

impl Roles {
    /// No role.
    pub const NONE: Roles = Roles(0);

    const fn bit(role: Role) -> u16 {
        1 << (role as u16)
    }

    /// Whether `role` is in the set.
    pub const fn contains(self, role: Role) -> bool {
        self.0 & Self::bit(role) != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The roles, in [`Role::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |&r| self.contains(r))
    }
}

impl FromIterator<Role> for Roles {
    fn from_iter<I: IntoIterator<Item = Role>>(roles: I) -> Self {
        Roles(roles.into_iter().fold(0, |set, r| set | Roles::bit(r)))
    }
}

impl std::fmt::Debug for Roles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl Serialize for Roles {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Roles {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<Role>::deserialize(d)?.into_iter().collect())
    }
}

/// One task of a day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Task {
    /// Its identity.
    pub key: TaskKey,
    /// The unit of its subject (the household's unit for a person or a household).
    pub unit: UnitId,
    /// The household of its subject, if it has one.
    pub household: Option<HouseholdId>,
    /// The isolation case it is for, if one.
    pub case: Option<CaseId>,
    /// The roles that own it.
    pub roles: Roles,
    /// When in the day it is due.
    pub due: DueSlot,
    /// Where it stands.
    pub status: Status,
    /// Who owes it.
    pub assignee: Assignee,
}

/// One holder who could take a task: responsible for its subject through a scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Candidate {
    /// The scheme, target, role and staff member.
    pub holder: Responsible,
    /// Whether they are available on the day.
    pub available: bool,
}

/// Route the tasks of `date`: each to a holder of a role that owns it, the least loaded that
/// day.
///
/// Tasks are taken in key order. A task of an earlier day (carried, overdue) keeps its
/// assignee (or whom a reassignment moved it to) and counts in its holder's load first. A task moved by a reassignment (`moved`) goes to whom it was
/// moved to, when they are available. Every other task's candidates are `candidates(task)`
/// whose role is one of the task's roles; those away are skipped (and named in the task), and
/// the task goes to the available candidate with the fewest tasks so far that day, the
/// lower [`StaffId`] on a tie. With none available it is a gap ([`Assignee::Nobody`]).
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use wangge::duty::{Role, Target};
/// use wangge::registry::Responsible;
/// use wangge::work::{route, Assignee, Candidate, Duty, DueSlot, Status, Task, TaskKey, TaskSubject};
/// use wangge::{PersonId, SchemeId, StaffId, UnitId};
///
/// let date = NaiveDate::from_ymd_opt(2020, 2, 3).unwrap();
/// let task = |p, call| Task {
///     key: TaskKey { date, subject: TaskSubject::Person(PersonId::new(p)), duty: Duty::FollowUp { call } },
///     unit: UnitId::new(0), household: None, case: None, roles: [Role::GridWorker, Role::HealthWorker].into_iter().collect(),
///     due: DueSlot::WHOLE_DAY, status: Status::Open, assignee: Assignee::Nobody(wangge::work::GapReason::NoHolder) };
/// let holder = |s, role| Candidate { available: true, holder: Responsible {
///     scheme: SchemeId::new(0), target: Target::Person(PersonId::new(0)), role, staff: StaffId::new(s) } };
/// // Two holders: the calls alternate between them, the lower id first.
/// let tasks = route(date, vec![task(0, 1), task(0, 2)], |_| vec![holder(1, Role::GridWorker), holder(0, Role::HealthWorker)], &Default::default());
/// assert_eq!(tasks[0].assignee.staff(), Some(StaffId::new(0)));
/// assert_eq!(tasks[1].assignee.staff(), Some(StaffId::new(1)));
/// ```
pub fn route(
    date: NaiveDate,
    tasks: Vec<Task>,
    mut candidates: impl FnMut(TaskSubject) -> Vec<Candidate>,
    moved: &BTreeMap<TaskKey, Moved>,
) -> Vec<Task> {
    let mut tasks = tasks;
    if !tasks.is_sorted_by(|a, b| a.key <= b.key) {
        tasks.sort_by_key(|t| t.key);
    }
    route_sorted(date, tasks, |task, found| found.extend(candidates(task.key.subject)), moved).into_tasks()
}

/// [`route`] over tasks already in key order, into a [`Workday`].
pub(crate) fn route_sorted(
    date: NaiveDate,
    mut tasks: Vec<Task>,
    candidates: impl FnMut(&Task, &mut Vec<Candidate>),
    moved: &BTreeMap<TaskKey, Moved>,
) -> Workday {
    let mut router = Router::new(date, candidates, moved);
    for (i, task) in tasks.iter_mut().enumerate() {
        router.route(task, i);
    }
    router.finish(tasks)
}

/// [`route`] one task at a time, as the registry makes them in key order (so that each is
/// routed while it is at hand, not in a second pass over the day): the candidates of the first
/// task of each subject are pushed by `candidates` into an empty buffer (reused from subject
/// to subject), from the task itself (the registry reads the task's unit and household, found
/// as it was made, rather than look them up again); each worklist is gathered as it goes.
pub(crate) struct Router<'m, F> {
    date: NaiveDate,
    load: Loads,
    /// (staff member, index of a task they owe), in index order.
    owed: Vec<(StaffId, u32)>,
    /// The subject whose candidates `found` holds.
    current: Option<TaskSubject>,
    found: Vec<Candidate>,
    candidates: F,
    moved: &'m BTreeMap<TaskKey, Moved>,
}

impl<'m, F: FnMut(&Task, &mut Vec<Candidate>)> Router<'m, F> {
    /// A router for the tasks of `date`.
    pub(crate) fn new(date: NaiveDate, candidates: F, moved: &'m BTreeMap<TaskKey, Moved>) -> Self {
        Router { date, load: Loads::default(), owed: Vec::new(), current: None, found: Vec::new(), candidates, moved }
    }

    /// Route `task`, the `index`-th of the day in key order. A task of an earlier day
    /// (carried, first in key order) keeps its assignee unless it was moved.
    pub(crate) fn route(&mut self, task: &mut Task, index: usize) {
        let moved = if self.moved.is_empty() { None } else { self.moved.get(&task.key) };
        if task.key.date < self.date {
            if let Some(m) = moved {
                task.assignee = choose(task, &[], Some(m), &self.load);
            }
        } else {
            // A day's tasks of one subject are consecutive in key order: their candidates are
            // asked once.
            if self.current != Some(task.key.subject) {
                self.found.clear();
                (self.candidates)(task, &mut self.found);
                self.current = Some(task.key.subject);
            }
            task.assignee = choose(task, &self.found, moved, &self.load);
        }
        if let (Some(s), Ok(i)) = (task.assignee.staff(), u32::try_from(index)) {
            self.load.add(s);
            self.owed.push((s, i));
        }
    }

    /// The day of `tasks`, every one routed in order.
    pub(crate) fn finish(self, tasks: Vec<Task>) -> Workday {
        debug_assert!(tasks.is_sorted_by(|a, b| a.key <= b.key), "tasks are routed in key order");
        Workday { date: self.date, tasks, by_staff: by_staff_then_index(self.owed) }
    }
}

/// A task moved by [`Command::ReassignTasks`](crate::Command::ReassignTasks): to `to`, or to
/// nobody (`None`) when no one eligible could take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moved {
    /// Whose it was.
    pub from: StaffId,
    /// Who has it now.
    pub to: Option<StaffId>,
}

/// Each staff member's tasks so far, by staff index.
#[derive(Default)]
struct Loads(Vec<u32>);

impl Loads {
    fn get(&self, s: StaffId) -> u32 {
        self.0.get(s.index()).copied().unwrap_or(0)
    }

    fn add(&mut self, s: StaffId) {
        if self.0.len() <= s.index() {
            self.0.resize(s.index() + 1, 0);
        }
        if let Some(n) = self.0.get_mut(s.index()) {
            *n += 1;
        }
    }
}

fn choose(task: &Task, found: &[Candidate], moved: Option<&Moved>, load: &Loads) -> Assignee {
    let owning = || found.iter().filter(|c| task.roles.contains(c.holder.role));
    let mut skipped: Vec<StaffId> = owning().filter(|c| !c.available).map(|c| c.holder.staff).collect();
    skipped.sort_unstable();
    skipped.dedup();
    if let Some(m) = moved {
        return match m.to {
            Some(to) => Assignee::Staff { staff: to, why: Why::Reassigned { from: m.from }, skipped: Vec::new() },
            None => Assignee::Nobody(GapReason::Stranded { from: m.from }),
        };
    }
    let best = owning().filter(|c| c.available).min_by_key(|c| (load.get(c.holder.staff), c.holder.staff));
    match best {
        Some(c) => {
            skipped.retain(|&s| s != c.holder.staff);
            Assignee::Staff { staff: c.holder.staff, why: Why::Holds(c.holder), skipped }
        }
        None if skipped.is_empty() => Assignee::Nobody(GapReason::NoHolder),
        None => Assignee::Nobody(GapReason::AllAway { holders: skipped }),
    }
}

/// How much work a staff member or a unit has on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Tasks owed (done or not).
    pub owed: u32,
    /// Done.
    pub done: u32,
    /// Still open, of the day.
    pub open: u32,
    /// Still open, overdue from an earlier day: who is behind.
    pub overdue: u32,
}

impl Progress {
    fn add(&mut self, status: &Status) {
        self.owed += 1;
        match status {
            Status::Done(_) => self.done += 1,
            Status::Open => self.open += 1,
            Status::Overdue { .. } => self.overdue += 1,
        }
    }
}

/// A routed day: every task, each worklist, the gaps.
///
/// Made by [`Registry::workday`](crate::Registry::workday) (and through a
/// [`Scope`](crate::Scope)). Tasks are in key order.
///
/// Serialised as `{"date": ..., "tasks": [...]}`; read back, its worklists are rebuilt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "RawWorkday")]
pub struct Workday {
    date: NaiveDate,
    tasks: Vec<Task>,
    /// (staff member, index of a task they owe), sorted: each worklist is a run of it.
    #[serde(skip)]
    by_staff: Vec<(StaffId, u32)>,
}

/// (staff member, task index) pairs in index order, sorted by staff member and then index: a
/// counting sort by staff index (stable, so each run stays in index order), O(pairs + staff).
fn by_staff_then_index(owed: Vec<(StaffId, u32)>) -> Vec<(StaffId, u32)> {
    let Some(top) = owed.iter().map(|&(s, _)| s.index()).max() else { return owed };
    // Where each staff member's run begins: counts, then their running sums.
    let mut next = vec![0usize; top + 2];
    for &(s, _) in &owed {
        if let Some(n) = next.get_mut(s.index() + 1) {
            *n += 1;
        }
    }
    for i in 1..next.len() {
        let before = next.get(i - 1).copied().unwrap_or(0);
        if let Some(n) = next.get_mut(i) {
            *n += before;
        }
    }
    let mut out = owed.clone();
    for &pair in &owed {
        if let Some(at) = next.get_mut(pair.0.index())
            && let Some(slot) = out.get_mut(*at)
        {
            *slot = pair;
            *at += 1;
        }
    }
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkday {
    date: NaiveDate,
    tasks: Vec<Task>,
}

impl From<RawWorkday> for Workday {
    fn from(raw: RawWorkday) -> Self {
        Workday::new(raw.date, raw.tasks)
    }
}

impl Workday {
    /// The routed tasks of `date` (from [`route`]).
    pub fn new(date: NaiveDate, mut tasks: Vec<Task>) -> Self {
        if !tasks.is_sorted_by(|a, b| a.key <= b.key) {
            tasks.sort_by_key(|t| t.key);
        }
        let owed: Vec<(StaffId, u32)> =
            tasks.iter().enumerate().filter_map(|(i, t)| Some((t.assignee.staff()?, u32::try_from(i).ok()?))).collect();
        Workday { date, tasks, by_staff: by_staff_then_index(owed) }
    }

    /// Its tasks, given up.
    fn into_tasks(self) -> Vec<Task> {
        self.tasks
    }

    /// The date.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// Every task, in key order.
    pub fn tasks(&self) -> &[Task] {
        &self.tasks
    }

    /// The worklist 工作清单 of `staff`: every task they owe, in key order.
    ///
    /// # Complexity
    /// O(log tasks + their tasks).
    pub fn worklist(&self, staff: StaffId) -> impl Iterator<Item = &Task> + '_ {
        let from = self.by_staff.partition_point(|&(s, _)| s < staff);
        let run = self.by_staff.get(from..).unwrap_or(&[]);
        run.iter().take_while(move |&&(s, _)| s == staff).filter_map(|&(_, i)| self.tasks.get(i as usize))
    }

    /// The staff members with at least one task, in id order.
    pub fn staff(&self) -> impl Iterator<Item = StaffId> + '_ {
        let mut last = None;
        self.by_staff.iter().filter_map(move |&(s, _)| (last.replace(s) != Some(s)).then_some(s))
    }

    /// The tasks nobody can take, in key order: gaps to fill.
    pub fn unassigned(&self) -> impl Iterator<Item = &Task> + '_ {
        self.tasks.iter().filter(|t| t.assignee.staff().is_none())
    }

    /// The task `key`, if the day has it.
    pub fn task(&self, key: &TaskKey) -> Option<&Task> {
        self.tasks.binary_search_by(|t| t.key.cmp(key)).ok().and_then(|i| self.tasks.get(i))
    }

    /// Each staff member's progress: owed, done, open and overdue, by id.
    pub fn progress_by_staff(&self) -> BTreeMap<StaffId, Progress> {
        let mut out: BTreeMap<StaffId, Progress> = BTreeMap::new();
        for t in &self.tasks {
            if let Some(s) = t.assignee.staff() {
                out.entry(s).or_default().add(&t.status);
            }
        }
        out
    }

    /// Each unit's progress, by the unit of each task's subject (not rolled up).
    pub fn progress_by_unit(&self) -> BTreeMap<UnitId, Progress> {
        let mut out: BTreeMap<UnitId, Progress> = BTreeMap::new();
        for t in &self.tasks {
            out.entry(t.unit).or_default().add(&t.status);
        }
        out
    }

    /// The progress of the tasks whose unit `keep` accepts (a scope's, a subtree's).
    pub fn progress_where(&self, mut keep: impl FnMut(UnitId) -> bool) -> Progress {
        let mut out = Progress::default();
        for t in self.tasks.iter().filter(|t| keep(t.unit)) {
            out.add(&t.status);
        }
        out
    }

    /// Keep the tasks whose unit `keep` accepts (a scope's workday).
    pub fn retain(&mut self, mut keep: impl FnMut(UnitId) -> bool) {
        let tasks = std::mem::take(&mut self.tasks);
        *self = Workday::new(self.date, tasks.into_iter().filter(|t| keep(t.unit)).collect());
    }
}

/// What the households selected by one plan rule are owed on a date, per service, from
/// [`Registry::service_report`](crate::Registry::service_report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ServiceLine {
    /// The service.
    pub service: Service,
    /// Households owed it that day.
    pub households: u32,
    /// Households served: every round of the day done.
    pub served: u32,
    /// Households with a round still open.
    pub open: u32,
    /// Households with a round overdue from an earlier day.
    pub overdue: u32,
    /// Households with a round nobody can take.
    pub unassigned: u32,
}

/// The hotline's figures for a unit, from [`Registry::ticket_report`](crate::Registry::ticket_report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct TicketReport {
    /// Tickets received.
    pub received: u32,
    /// Received while a holder was there to take them (立即受理).
    pub accepted: u32,
    /// Closed (办结).
    pub closed: u32,
    /// Closed on the day received (当天结案).
    pub closed_same_day: u32,
}

impl TicketReport {
    /// `part` of the received, as a fraction in 0..=1 (1 when none was received).
    pub fn rate(&self, part: u32) -> f64 {
        if self.received == 0 { 1.0 } else { f64::from(part) / f64::from(self.received) }
    }
}

/// Whether a household with these colours, states and markers is selected.
pub(crate) fn selects(households: &Households, colour: Colour, states: &[State], markers: &[Marker]) -> bool {
    match households {
        Households::Coloured(colours) => colours.contains(&colour),
        Households::WithState(wanted) => states.iter().any(|s| wanted.contains(s)),
        Households::WithMarker(wanted) => markers.iter().any(|m| wanted.contains(m)),
    }
}
