//! The day's work in the registry 每日工作: the plan in force, the tasks done, moved and
//! carried, the hotline tickets; every task of a day routed to a named person.
//!
//! The rules are [`crate::work`]'s, pure; this file keeps their state and makes each day's
//! tasks from the registry's own: the follow-up calls of every person under an active case,
//! the agenda's tests, releases, reviews and transfers, the services every selected household
//! is owed, the open tickets, and yesterday's tasks left undone (carried when a day opens).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::{Event, IdTable, Registry, RegistryError, Responsible, Subject};
use crate::colour::State;
use crate::duty::{Locality, Role, Slot};
use crate::people::Marker;
use crate::quarantine::{CaseStatus, Item};
use crate::work::{
    self, Assignee, Candidate, Completion, DueSlot, Duty, GapReason, Moved, Outcome, Progress, ServiceLine, Status,
    Task, TaskKey, TaskSubject, Ticket, TicketReport, WorkError, WorkPlan, Workday,
};
use crate::{CaseId, Command, Error, HouseholdId, StaffId, TicketId, UnitId};

/// The work state a snapshot carries ([`Snapshot::work`](super::Snapshot::work)): the plan in
/// force, the completions and reassignments of the business date, the tasks carried to it,
/// the tickets. Empty (and left out of a snapshot) until a plan is adopted or a ticket opened.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkData {
    /// The work plan in force.
    #[serde(default)]
    pub plan: Option<WorkPlan>,
    /// Tasks recorded done, by key.
    #[serde(default)]
    pub done: Vec<(TaskKey, Completion)>,
    /// Tasks moved by a reassignment, by key.
    #[serde(default)]
    pub moved: Vec<(TaskKey, Moved)>,
    /// Staff members whose tasks of the business date were moved away: routed nothing more
    /// that day, as if away.
    #[serde(default)]
    pub relieved: Vec<StaffId>,
    /// Tasks not done on the previous business date, carried to this one as overdue, routed as
    /// they were.
    #[serde(default)]
    pub carried: Vec<Task>,
    /// Every ticket, `TicketId(i)` at position `i`.
    #[serde(default)]
    pub tickets: Vec<Ticket>,
}

// JSON leaves empty parts out; binary forms write every field (see `crate::form`).
crate::form::serialize_fields!(WorkData {
    plan skip_if Option::is_none,
    done skip_if Vec::is_empty,
    moved skip_if Vec::is_empty,
    relieved skip_if Vec::is_empty,
    carried skip_if Vec::is_empty,
    tickets skip_if Vec::is_empty,
});

impl WorkData {
    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        *self == WorkData::default()
    }
}

/// Where a task's subject is: its unit and household, `None` when it is not registered.
type Place = Option<(UnitId, Option<HouseholdId>)>;

/// A task to make: what [`Registry::day_tasks`] sorts and merges before making each [`Task`].
#[derive(Debug, Clone, Copy)]
struct Spec {
    key: TaskKey,
    case: Option<CaseId>,
    roles: work::Roles,
    due: DueSlot,
}

/// A person's follow-up calls of a day ([`Registry::follow_ups_on`]).
#[derive(Debug, Clone, Copy)]
struct FollowUpsOf {
    case: CaseId,
    person: crate::PersonId,
    /// The calls owed.
    checks: u8,
    /// The checks recorded that day: the calls up to this many are done.
    recorded: u8,
}

/// The work book: [`WorkData`] with its maps.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct WorkBook {
    plan: Option<WorkPlan>,
    done: BTreeMap<TaskKey, Completion>,
    moved: BTreeMap<TaskKey, Moved>,
    relieved: BTreeSet<StaffId>,
    carried: Vec<Task>,
    tickets: Vec<Ticket>,
}

impl WorkBook {
    pub(super) fn from_data(data: WorkData) -> Result<Self, Error> {
        if let Some(plan) = &data.plan {
            plan.validate()?;
        }
        let done: BTreeMap<_, _> = data.done.iter().copied().collect();
        let moved: BTreeMap<_, _> = data.moved.iter().copied().collect();
        let relieved: BTreeSet<_> = data.relieved.iter().copied().collect();
        if done.len() != data.done.len() || moved.len() != data.moved.len() || relieved.len() != data.relieved.len() {
            return Err(
                RegistryError::InvalidSnapshot { what: "a task is listed twice in the work book".into() }.into()
            );
        }
        Ok(WorkBook { plan: data.plan, done, moved, relieved, carried: data.carried, tickets: data.tickets })
    }

    pub(super) fn to_data(&self) -> WorkData {
        WorkData {
            plan: self.plan.clone(),
            done: self.done.iter().map(|(k, c)| (*k, *c)).collect(),
            moved: self.moved.iter().map(|(k, m)| (*k, *m)).collect(),
            relieved: self.relieved.iter().copied().collect(),
            carried: self.carried.clone(),
            tickets: self.tickets.clone(),
        }
    }
}

impl Event {
    /// Whether this is a work event, which `registry::work` checks and commits.
    pub(super) fn is_work(&self) -> bool {
        matches!(
            self,
            Event::WorkPlanAdopted { .. }
                | Event::TaskCompleted { .. }
                | Event::TasksReassigned { .. }
                | Event::TicketOpened { .. }
        )
    }
}

impl Registry {
    /// The work plan in force, if one was adopted ([`Command::AdoptWorkPlan`]).
    pub fn work_plan(&self) -> Option<&WorkPlan> {
        self.work.plan.as_ref()
    }

    /// The ticket `id`.
    ///
    /// # Errors
    /// [`WorkError::UnknownTicket`].
    pub fn ticket(&self, id: TicketId) -> Result<&Ticket, Error> {
        Ok(self.work.tickets.get(id.index()).ok_or(WorkError::UnknownTicket { ticket: id })?)
    }

    /// Every ticket, in id order.
    pub fn tickets(&self) -> impl Iterator<Item = (TicketId, &Ticket)> + '_ {
        self.work.tickets.iter().enumerate().filter_map(|(i, t)| Some((TicketId::from_index(i)?, t)))
    }

    /// Every task of `date`, routed: the day's work 每日工作 of the whole registry. Empty when
    /// no plan is adopted.
    ///
    /// The tasks, each of a kind the plan routes:
    /// - the follow-up calls of every person under an active case on a day of its period (the
    ///   anchor is day 0: the checks begin on day 1, as [`Item::MissedChecks`] counts them) or
    ///   under review, as many as their policy's checks a day, the `n`-th in the plan's `n`-th slot (done by a reading
    ///   recorded for that day, or by [`Command::CompleteTask`]);
    /// - from the agenda of `date` ([`Registry::agenda`]): a test due (done by a result for a
    ///   sample of that day), a release due or overdue, or made that day (done), a case under
    ///   review, a person escalated that day (a transfer);
    /// - the services of the plan's rules, for every household selected now, as many rounds
    ///   as the cadence owes that day;
    /// - every ticket received by `date` and not closed before it (overdue after its day);
    /// - on the business date, the tasks of the previous business date left undone, overdue,
    ///   with whom they had.
    ///
    /// Each is routed by [`work::route`] through the rosters: to a holder, valid on `date`
    /// ([`Registry::responsible_for`]), of a role the plan names for it, for its subject or
    /// what it lies in, the least loaded that day; holders away are skipped and named.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{Command, Registry};
    /// use wangge::colour::PersonState;
    /// use wangge::duty::{Qualification, Qualifications, Scheme, Staff};
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::{DoorLabel, Name, PersonRecord};
    /// use wangge::quarantine::{Category, Policy};
    /// use wangge::work::{Duty, Status, WorkPlan};
    ///
    /// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
    /// let levels = LevelScheme::zhengzhou();
    /// let mut reg = Registry::new(levels.clone(), NewUnit::new("花园路街道", levels.level("街道").unwrap(), UnitKind::Area))?;
    /// let household = reg.apply(Command::AddHousehold { unit: reg.root(), door: DoorLabel::new("1-101")? })?[0].new_household().unwrap();
    /// let person = reg.apply(Command::RegisterPerson { household, record: PersonRecord::new(), state: PersonState::well(feb(1)) })?[0].new_person().unwrap();
    /// let policy = reg.apply(Command::AdoptPolicy { policy: Policy::seed_shanghai_2020() })?[0].new_policy().unwrap();
    /// let worker = Staff::new(Name::new("李")?, Qualifications::only(Qualification::GridWorker), reg.root(), 50)?;
    /// let li = reg.apply(Command::AddStaff { staff: worker })?[0].new_staff().unwrap();
    /// let team = reg.apply(Command::AdoptScheme { scheme: Scheme::two_plus_three() })?[0].new_scheme().unwrap();
    /// reg.apply(Command::AdoptWorkPlan { plan: Box::new(WorkPlan::huayuan_road()) })?;
    ///
    /// reg.apply(Command::OpenDay { today: feb(1) })?;
    /// let category = Category::ArrivalFromEpidemicArea;
    /// reg.apply(Command::StartCase { person, policy, category, anchor: feb(1), on: feb(1), linked: None })?;
    /// reg.apply(Command::Solve { scheme: team, on: feb(1), balanced: false })?;
    ///
    /// // What must grid worker Li do on day 1? Two follow-up calls, a delivery, the
    /// // psychological support call when its day comes ...
    /// reg.apply(Command::OpenDay { today: feb(2) })?;
    /// let list = reg.worklist(li, feb(2))?;
    /// let calls: Vec<_> = list.iter().filter(|t| matches!(t.key.duty, Duty::FollowUp { .. })).collect();
    /// assert_eq!(calls.len(), 2);
    /// // A reading recorded completes the first call.
    /// let at = feb(2).and_hms_opt(9, 0, 0).unwrap();
    /// reg.apply(Command::RecordCheck { person, at, temperature: "36.5".parse()?, symptoms: false })?;
    /// let list = reg.worklist(li, feb(2))?;
    /// let first = list.iter().find(|t| t.key.duty == Duty::FollowUp { call: 1 }).unwrap();
    /// assert!(matches!(first.status, Status::Done(_)));
    /// // Nobody holds the building head's role: the garbage round is a gap.
    /// assert!(reg.unassigned(feb(2)).iter().any(|t| matches!(t.key.duty, Duty::Service { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Complexity
    /// O(active cases + agenda items + households × members when a service rule selects by
    /// state or marker + tickets), and a look-up of the holders of each task's subject.
    pub fn workday(&self, date: NaiveDate) -> Workday {
        let mut schemes = self.schemes_for_day();
        // The holders of a unit and what lies above it are the same for every subject there.
        let mut units: FxHashMap<UnitId, Vec<Candidate>> = FxHashMap::default();
        let mut holders = Vec::new();
        let mut router = work::Router::new(
            date,
            |task: &Task, found: &mut Vec<Candidate>| {
                // The task's unit and household are its subject's, looked up as it was made.
                holders.clear();
                let persons: &[crate::PersonId] = match task.key.subject {
                    TaskSubject::Person(ref p) => std::slice::from_ref(p),
                    TaskSubject::Household(_) => {
                        task.household.and_then(|h| self.population.household(h).ok()).map_or(&[], |h| h.members())
                    }
                    TaskSubject::Unit(_) => &[],
                };
                self.person_holders(&mut schemes, persons, task.unit, date, &mut holders);
                found.extend(holders.iter().map(|&(holder, available)| self.as_candidate(holder, available, date)));
                let around = units.entry(task.unit).or_insert_with(|| {
                    let mut around = Vec::new();
                    // An unknown unit has no holders (the task was made only for a known one).
                    let _ = self.unit_holders(&schemes, task.unit, date, &mut around);
                    around.into_iter().map(|(holder, available)| self.as_candidate(holder, available, date)).collect()
                });
                found.extend_from_slice(around);
            },
            &self.work.moved,
        );
        let tasks = self.day_tasks(date, None, |task, i| router.route(task, i));
        router.finish(tasks)
    }

    /// The worklist 工作清单 of `staff` on `date`: every task of [`Registry::workday`] they
    /// owe, in key order, with its status.
    ///
    /// # Errors
    /// [`DutyError::UnknownStaff`](crate::duty::DutyError::UnknownStaff).
    ///
    /// # Complexity
    /// That of [`Registry::workday`]: routing is by load over the whole day. A host asking for
    /// many worklists of one day builds the [`Workday`] once and asks it
    /// ([`Workday::worklist`]).
    pub fn worklist(&self, staff: StaffId, date: NaiveDate) -> Result<Vec<Task>, Error> {
        self.staff_member(staff)?;
        Ok(self.workday(date).worklist(staff).cloned().collect())
    }

    /// The tasks of `date` nobody can take: gaps, each with its reason, in key order.
    pub fn unassigned(&self, date: NaiveDate) -> Vec<Task> {
        self.workday(date).unassigned().cloned().collect()
    }

    /// The tasks of `date` nobody can take whose unit lies inside `unit` (or is it).
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit).
    pub fn unassigned_within(&self, date: NaiveDate, unit: UnitId) -> Result<Vec<Task>, Error> {
        self.tree.check(unit)?;
        let day = self.workday(date);
        Ok(day.unassigned().filter(|t| self.tree.is_within(t.unit, unit).unwrap_or(false)).cloned().collect())
    }

    /// The progress of the tasks of `date` whose unit lies inside `unit`: owed, done, open,
    /// overdue.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit).
    pub fn work_progress(&self, date: NaiveDate, unit: UnitId) -> Result<Progress, Error> {
        self.tree.check(unit)?;
        Ok(self.workday(date).progress_where(|u| self.tree.is_within(u, unit).unwrap_or(false)))
    }

    /// The services owed on `date` to the households inside `unit`, one line per service of
    /// the plan: households owed it, served (every round done), with a round open, overdue
    /// or unassigned.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit).
    pub fn service_report(&self, date: NaiveDate, unit: UnitId) -> Result<Vec<ServiceLine>, Error> {
        self.tree.check(unit)?;
        let day = self.workday(date);
        let mut per: BTreeMap<(work::Service, HouseholdId), (bool, bool, bool, bool)> = BTreeMap::new();
        for t in day.tasks() {
            let (Duty::Service { service, .. }, Some(h)) = (t.key.duty, t.household) else { continue };
            if !self.tree.is_within(t.unit, unit).unwrap_or(false) {
                continue;
            }
            let e = per.entry((service, h)).or_insert((true, false, false, false));
            match t.status {
                Status::Done(_) => {}
                Status::Open => (e.0, e.1) = (false, true),
                Status::Overdue { .. } => (e.0, e.2) = (false, true),
            }
            if t.assignee.staff().is_none() {
                e.3 = true;
            }
        }
        let mut lines: BTreeMap<work::Service, ServiceLine> = BTreeMap::new();
        for ((service, _), (served, open, overdue, unassigned)) in per {
            let line = lines.entry(service).or_insert(ServiceLine {
                service,
                households: 0,
                served: 0,
                open: 0,
                overdue: 0,
                unassigned: 0,
            });
            line.households += 1;
            line.served += u32::from(served);
            line.open += u32::from(open);
            line.overdue += u32::from(overdue);
            line.unassigned += u32::from(unassigned);
        }
        Ok(lines.into_values().collect())
    }

    /// The hotline figures of the tickets about units inside `unit`: received, accepted at
    /// once, closed, closed the day received (seed 000: 999 received, each closed the same day).
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit).
    pub fn ticket_report(&self, unit: UnitId) -> Result<TicketReport, Error> {
        self.tree.check(unit)?;
        let mut report = TicketReport::default();
        for t in self.work.tickets.iter().filter(|t| self.tree.is_within(t.unit, unit).unwrap_or(false)) {
            report.received += 1;
            report.accepted += u32::from(t.accepted);
            if let Some(closed) = t.closed {
                report.closed += 1;
                report.closed_same_day += u32::from(closed.date() == t.received.date());
            }
        }
        Ok(report)
    }

    /// Who could take a task about `subject` on `date`: every holder responsible for it
    /// (valid but for availability), with whether they are available (a staff member relieved
    /// of the business date's tasks by [`Command::ReassignTasks`] is not, that day).
    fn candidates(&self, subject: TaskSubject, date: NaiveDate) -> Vec<Candidate> {
        // The same holders as `workday` finds, in the same order.
        let subject = match subject {
            TaskSubject::Person(p) => Subject::Person(p),
            TaskSubject::Household(h) => Subject::Household(h),
            TaskSubject::Unit(u) => Subject::Unit(u),
        };
        self.as_candidates(self.holders_of(subject, date).unwrap_or_default(), date)
    }

    /// Holders as candidates on `date`: available unless away, or relieved of the business
    /// date's tasks.
    fn as_candidates(&self, found: Vec<(Responsible, bool)>, date: NaiveDate) -> Vec<Candidate> {
        found.into_iter().map(|(holder, available)| self.as_candidate(holder, available, date)).collect()
    }

    /// A holder as a candidate on `date`: available unless away, or relieved of the business
    /// date's tasks.
    fn as_candidate(&self, holder: Responsible, available: bool, date: NaiveDate) -> Candidate {
        let relieved = self.day == Some(date) && self.work.relieved.contains(&holder.staff);
        Candidate { available: available && !relieved, holder }
    }

    /// Where a subject is now: its unit and household.
    fn place(&self, subject: TaskSubject) -> Place {
        match subject {
            TaskSubject::Person(p) => {
                let h = self.population.person(p).ok()?.household();
                Some((self.population.household(h).ok()?.unit(), Some(h)))
            }
            TaskSubject::Household(h) => Some((self.population.household(h).ok()?.unit(), Some(h))),
            TaskSubject::Unit(u) => self.tree.check(u).ok().map(|()| (u, None)),
        }
    }

    /// The tasks of `date` (of `only` that subject, when given), not routed, in key order:
    /// those carried from an earlier day first, then persons', households', units'. Each kind
    /// is made in its own order and merged as it is made (the large kinds, follow-ups and
    /// services, are never held apart), so that no task is moved by a sort.
    ///
    /// Each is given to `route` (with its index) as it is made, in key order.
    fn day_tasks(
        &self,
        date: NaiveDate,
        only: Option<TaskSubject>,
        mut route: impl FnMut(&mut Task, usize),
    ) -> Vec<Task> {
        let Some(plan) = &self.work.plan else { return Vec::new() };
        let wanted = |s: TaskSubject| only.is_none_or(|o| o == s);
        let spec = |subject, duty, case, roles: &[Role], due| Spec {
            key: TaskKey { date, subject, duty },
            case,
            roles: roles.iter().copied().collect(),
            due,
        };
        // The agenda's person tasks (sorted), merged with the follow-ups below.
        let mut agenda = Vec::new();
        let agenda_routes =
            plan.tests.is_some() || plan.releases.is_some() || plan.reviews.is_some() || plan.transfers.is_some();
        if agenda_routes && only.is_none_or(|s| matches!(s, TaskSubject::Person(_))) {
            for line in self.agenda(date).items() {
                let subject = TaskSubject::Person(line.person);
                let (duty, route) = match line.item {
                    Item::TestDue => (Duty::TakeTest, &plan.tests),
                    Item::ReleaseDue { .. } | Item::Released => (Duty::SignRelease, &plan.releases),
                    Item::Review { .. } => (Duty::Review, &plan.reviews),
                    Item::Escalated { .. } => (Duty::Transfer, &plan.transfers),
                    _ => continue,
                };
                if let Some(route) = route
                    && wanted(subject)
                {
                    agenda.push(spec(subject, duty, Some(line.case), &route.roles, route.due));
                }
            }
            agenda.sort_unstable_by_key(|s| s.key);
        }
        // Tickets, by subject.
        let (mut household_tickets, mut unit_tickets) = (Vec::new(), Vec::new());
        if let Some(route) = &plan.tickets {
            for (id, t) in self.tickets() {
                let subject = t.household.map_or(TaskSubject::Unit(t.unit), TaskSubject::Household);
                let open_on = t.received.date() <= date && t.closed.is_none_or(|c| c.date() >= date);
                if open_on && wanted(subject) {
                    let s = spec(subject, Duty::Ticket(id), None, &route.roles, route.due);
                    match subject {
                        TaskSubject::Household(_) => household_tickets.push(s),
                        _ => unit_tickets.push(s),
                    }
                }
            }
            household_tickets.sort_unstable_by_key(|s| s.key);
            unit_tickets.sort_unstable_by_key(|s| s.key);
        }
        let follow_ups = match &plan.follow_ups {
            Some(f) => self.follow_ups_on(date, only).into_iter().map(|c| (f, c)).collect(),
            None => Vec::new(),
        };
        let mut out: Vec<Task> = Vec::new();
        if self.day == Some(date) {
            for task in self.work.carried.iter().filter(|t| wanted(t.key.subject)) {
                let mut task = task.clone();
                if let Some(done) = self.done_by(&task.key, task.case) {
                    task.status = Status::Done(done);
                }
                out.push(task);
            }
            out.sort_by_key(|t| t.key);
            for (i, task) in out.iter_mut().enumerate() {
                route(task, i);
            }
        }
        let calls: usize = follow_ups.iter().map(|(_, c)| usize::from(c.checks)).sum();
        out.reserve(calls + agenda.len() + household_tickets.len() + unit_tickets.len());
        // A subject's tasks are consecutive: where it is is looked up once.
        let mut last: Option<(TaskSubject, Place)> = None;
        let mut emit = |s: Spec, recorded: Option<bool>| {
            let place = match last {
                Some((subject, place)) if subject == s.key.subject => place,
                _ => {
                    let place = self.place(s.key.subject);
                    last = Some((s.key.subject, place));
                    place
                }
            };
            let Some((unit, household)) = place else { return };
            let status = match recorded {
                // A follow-up: done by a completion, or by the readings counted as it was made.
                Some(recorded) => match self.work.done.get(&s.key) {
                    Some(c) => Status::Done(*c),
                    None if recorded => Status::Done(Completion::RECORDED),
                    None => Status::Open,
                },
                None => self.status_of(&s.key, s.case),
            };
            let assignee = Assignee::Nobody(GapReason::NoHolder);
            let mut task =
                Task { key: s.key, unit, household, case: s.case, roles: s.roles, due: s.due, status, assignee };
            route(&mut task, out.len());
            out.push(task);
        };
        // Persons: the follow-ups (made in person order) merged with the agenda's, the
        // follow-up first on a tie.
        let mut agenda = agenda.into_iter().peekable();
        for (f, c) in follow_ups {
            for call in 1..=c.checks {
                let slot = f.calls.get(usize::from(call - 1)).or(f.calls.last()).copied();
                let due = slot.unwrap_or(DueSlot::WHOLE_DAY);
                let s = spec(TaskSubject::Person(c.person), Duty::FollowUp { call }, Some(c.case), &f.roles, due);
                while let Some(a) = agenda.next_if(|a| a.key < s.key) {
                    emit(a, None);
                }
                emit(s, Some(c.recorded >= call));
            }
        }
        agenda.for_each(|a| emit(a, None));
        // Households: each one's services (sorted by duty), merged with the tickets about
        // households, the service first on a tie.
        let mut household_tickets = household_tickets.into_iter().peekable();
        if !plan.services.is_empty() && only.is_none_or(|s| matches!(s, TaskSubject::Household(_))) {
            let rules: Vec<_> = plan.services.iter().filter(|r| r.cadence.rounds_on(date) > 0).collect();
            let by_state = rules.iter().any(|r| matches!(r.households, work::Households::WithState(_)));
            let by_marker = rules.iter().any(|r| matches!(r.households, work::Households::WithMarker(_)));
            // The households with a marked member, in id order: elsewhere every member's
            // markers are empty, and left unread.
            let marked = if by_marker { self.marked_households() } else { Vec::new() };
            let households: Vec<HouseholdId> = match only {
                Some(TaskSubject::Household(h)) => vec![h],
                _ => self.households_for(&rules, &marked),
            };
            let (mut states, mut markers): (Vec<State>, Vec<Marker>) = (Vec::new(), Vec::new());
            let mut mine: Vec<Spec> = Vec::new();
            for h in households {
                let (Ok(household), Some(&colour)) = (self.population.household(h), self.colours.get(h.index())) else {
                    continue;
                };
                let has_marked = by_marker && marked.binary_search(&h).is_ok();
                states.clear();
                markers.clear();
                if by_state || has_marked {
                    for &p in household.members() {
                        if let (Some(s), Ok(person)) = (self.states.get(p.index()), self.population.person(p)) {
                            states.push(s.state());
                            markers.extend(person.markers().iter());
                        }
                    }
                }
                mine.clear();
                for rule in &rules {
                    if work::selects(&rule.households, colour, &states, &markers) {
                        for round in 1..=rule.cadence.rounds_on(date) {
                            let duty = Duty::Service { service: rule.service, round };
                            let subject = TaskSubject::Household(h);
                            mine.push(spec(subject, duty, None, &rule.route.roles, rule.route.due));
                        }
                    }
                }
                mine.sort_unstable_by_key(|s| s.key);
                for s in mine.drain(..) {
                    while let Some(t) = household_tickets.next_if(|t| t.key < s.key) {
                        emit(t, None);
                    }
                    emit(s, None);
                }
            }
        }
        household_tickets.for_each(|t| emit(t, None));
        unit_tickets.into_iter().for_each(|t| emit(t, None));
        out
    }

    /// The households with a marked member (from the index of marked persons), in id order.
    fn marked_households(&self) -> Vec<HouseholdId> {
        let mut out: Vec<HouseholdId> =
            self.population.marked().filter_map(|p| self.population.person(p).ok().map(|p| p.household())).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The households any of `rules` may select, in id order: those of the colours the rules
    /// name (a pass over the colours), those with a marked member (`marked`:
    /// [`Registry::marked_households`]) when a rule selects by marker, every household when one
    /// selects by state.
    fn households_for(&self, rules: &[&work::ServiceRule], marked: &[HouseholdId]) -> Vec<HouseholdId> {
        let by_state = rules.iter().any(|r| matches!(r.households, work::Households::WithState(_)));
        if by_state {
            return self.population.households().map(|(h, _)| h).collect();
        }
        let mut colours = [false; 5];
        for r in rules {
            if let work::Households::Coloured(cs) = &r.households {
                for &c in cs {
                    colours[c as usize] = true;
                }
            }
        }
        let mut out: Vec<HouseholdId> = Vec::new();
        if colours.iter().any(|&c| c) {
            out.extend(
                self.colours
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| colours[**c as usize])
                    .filter_map(|(i, _)| HouseholdId::from_index(i)),
            );
        }
        if rules.iter().any(|r| matches!(r.households, work::Households::WithMarker(_))) {
            out.extend_from_slice(marked);
            out.sort_unstable();
            out.dedup();
        }
        out
    }

    /// The status of a task of the day: done by its record or a completion, open, or (a
    /// ticket after its day) overdue.
    fn status_of(&self, key: &TaskKey, case: Option<CaseId>) -> Status {
        if let Some(done) = self.done_by(key, case) {
            return Status::Done(done);
        }
        match key.duty {
            Duty::Ticket(id) => match self.work.tickets.get(id.index()) {
                Some(t) if t.received.date() < key.date => Status::Overdue { since: t.received.date() },
                _ => Status::Open,
            },
            _ => Status::Open,
        }
    }

    /// How a task was done, if it was: by the case record that makes it, or by a completion.
    fn done_by(&self, key: &TaskKey, case: Option<CaseId>) -> Option<Completion> {
        if let Some(c) = self.work.done.get(key) {
            return Some(*c);
        }
        let case = case.and_then(|c| self.case(c).ok());
        let recorded = match (key.duty, case) {
            (Duty::FollowUp { call }, Some(case)) => case.checks_on(key.date) >= call,
            (Duty::TakeTest, Some(case)) => case.day(key.date).is_some_and(|d| d.test().is_some()),
            (Duty::SignRelease, Some(case)) => matches!(case.status(), CaseStatus::Released { .. }),
            (Duty::Ticket(id), _) => {
                self.work.tickets.get(id.index()).and_then(|t| t.closed).is_some_and(|c| c.date() == key.date)
            }
            _ => false,
        };
        recorded.then_some(Completion::RECORDED)
    }

    /// Every person with an active case on `date` (of `only`, when a person), in person order,
    /// with the checks their policy asks that day: within the period from the day the case
    /// started, or under review (still at home); and the checks recorded that day (what
    /// completes the calls), read while the case is at hand.
    fn follow_ups_on(&self, date: NaiveDate, only: Option<TaskSubject>) -> Vec<FollowUpsOf> {
        let mut out = Vec::new();
        let mut consider = |id: CaseId| {
            let Ok(case) = self.case(id) else { return };
            if case.started() > date {
                return;
            }
            let Ok(policy) = self.policy(case.policy()) else { return };
            let checks = match case.status() {
                CaseStatus::Open => match self.schedule(id) {
                    Ok(s) if s.contains(date) => policy.checks_per_day(),
                    _ => 0,
                },
                CaseStatus::Review { .. } => policy.checks_per_day(),
                _ => 0,
            };
            if checks > 0 {
                out.push(FollowUpsOf { case: id, person: case.person(), checks, recorded: case.checks_on(date) });
            }
        };
        match only {
            Some(TaskSubject::Person(p)) => {
                if let Some(id) = self.active_case(p) {
                    consider(id);
                }
            }
            Some(_) => {}
            None => {
                for id in self.active_cases() {
                    consider(id);
                }
            }
        }
        // In person order, as the tasks are keyed.
        out.sort_unstable_by_key(|f| f.person);
        out
    }

    /// The open tasks of the business date, carried when the next day opens: those a later
    /// day does not make again (follow-ups, tests, transfers, services), undone.
    fn tasks_to_carry(&self) -> Vec<Task> {
        let Some(today) = self.day else { return Vec::new() };
        if self.work.plan.is_none() {
            return Vec::new();
        }
        self.workday(today)
            .tasks()
            .iter()
            .filter(|t| t.key.date == today && t.status == Status::Open)
            .filter(|t| !matches!(t.key.duty, Duty::SignRelease | Duty::Review | Duty::Ticket(_)))
            .map(|t| {
                let mut t = t.clone();
                t.status = Status::Overdue { since: today };
                match &mut t.assignee {
                    Assignee::Staff { why, skipped, .. } => {
                        *why = work::Why::Carried;
                        skipped.clear();
                    }
                    Assignee::Nobody(reason) => *reason = GapReason::Carried,
                }
                t
            })
            .collect()
    }

    /// Commit the opening of a day to the work book: the open tasks of the business date are
    /// carried, what was done and moved is forgotten.
    pub(super) fn open_work_day(&mut self) {
        let carried = self.tasks_to_carry();
        self.work.carried = carried;
        self.work.done.clear();
        self.work.moved.clear();
        self.work.relieved.clear();
    }

    pub(super) fn decide_work(&self, command: Command) -> Result<Event, Error> {
        Ok(match command {
            Command::AdoptWorkPlan { plan } => {
                plan.validate()?;
                Event::WorkPlanAdopted { plan }
            }
            Command::CompleteTask { task, by, at, outcome } => {
                Event::TaskCompleted { task, completion: Completion { by: Some(by), at: Some(at), outcome } }
            }
            Command::ReassignTasks { from, on } => {
                self.staff_member(from)?;
                Event::TasksReassigned { from, on, moved: self.reassignment(from, on) }
            }
            Command::OpenTicket { unit, household, kind, received } => Event::TicketOpened {
                ticket: TicketId::new(u32::try_from(self.work.tickets.len()).unwrap_or(u32::MAX)),
                spec: Ticket {
                    unit,
                    household,
                    kind,
                    received,
                    accepted: self.ticket_accepted(unit, household, received.date()),
                    closed: None,
                },
            },
            other => return Err(RegistryError::Mismatch { what: format!("{other:?} is not a work command") }.into()),
        })
    }

    /// Whether a ticket about `unit` (and `household`) received on `date` finds a holder of a
    /// ticket role there, available.
    fn ticket_accepted(&self, unit: UnitId, household: Option<HouseholdId>, date: NaiveDate) -> bool {
        let Some(route) = self.work.plan.as_ref().and_then(|p| p.tickets.as_ref()) else { return false };
        let subject = household.map_or(TaskSubject::Unit(unit), TaskSubject::Household);
        self.candidates(subject, date).iter().any(|c| c.available && route.roles.contains(&c.holder.role))
    }

    /// The open tasks `from` owes on `on`, each moved to another: a holder of a role owning it
    /// for its subject, or else any staff member eligible for such a role whose home covers the
    /// task's unit, available on `on`; the least loaded that day, the lower id on a tie. A
    /// task nobody can take is moved to nobody (a gap).
    pub(super) fn reassignment(&self, from: StaffId, on: NaiveDate) -> Vec<(TaskKey, Moved)> {
        let day = self.workday(on);
        let mut load: HashMap<StaffId, u32> = HashMap::new();
        for t in day.tasks() {
            if let Some(s) = t.assignee.staff() {
                *load.entry(s).or_default() += 1;
            }
        }
        let pool = self.staff_pool();
        let mut out = Vec::new();
        for task in day.worklist(from).filter(|t| t.status.is_open()) {
            let holders: Vec<StaffId> = self
                .candidates(task.key.subject, on)
                .into_iter()
                .filter(|c| c.available && c.holder.staff != from && task.roles.contains(c.holder.role))
                .map(|c| c.holder.staff)
                .collect();
            let eligible = || {
                pool.iter().enumerate().filter_map(|(i, s)| {
                    let id = StaffId::from_index(i)?;
                    let fits = task
                        .roles
                        .iter()
                        .any(|r| s.may_hold(&Slot::new(r, 1, Locality::HomeCovers), task.unit, on, &self.tree));
                    (id != from && fits).then_some(id)
                })
            };
            let least =
                |ids: &mut dyn Iterator<Item = StaffId>| ids.min_by_key(|s| (load.get(s).copied().unwrap_or(0), *s));
            let to = least(&mut holders.iter().copied()).or_else(|| least(&mut eligible()));
            if let Some(s) = to {
                *load.entry(s).or_default() += 1;
            }
            out.push((task.key, Moved { from, to }));
        }
        out
    }

    pub(super) fn check_work(&self, event: &Event) -> Result<(), Error> {
        match event {
            Event::WorkPlanAdopted { plan } => plan.validate()?,
            Event::TaskCompleted { task, completion } => {
                let (Some(by), Some(at)) = (completion.by, completion.at) else {
                    return Err(RegistryError::Mismatch { what: "a completion names who and when".into() }.into());
                };
                if completion.outcome == Outcome::Recorded {
                    return Err(RegistryError::Mismatch {
                        what: "a completion by a staff member is not Recorded".into(),
                    }
                    .into());
                }
                self.staff_member(by)?;
                if at.date() < task.date {
                    return Err(WorkError::BadCompletionTime { task: *task, at }.into());
                }
                // Owed today, or carried to today from the day before.
                let carried = self.work.carried.iter().any(|t| t.key == *task);
                if self.day != Some(task.date) && !carried {
                    return Err(WorkError::NoSuchTask { task: *task }.into());
                }
                let owed = self.day_tasks(task.date, Some(task.subject), |_, _| {});
                let found = owed.iter().find(|t| t.key == *task).ok_or(WorkError::NoSuchTask { task: *task })?;
                if let Status::Done(_) = found.status {
                    return Err(WorkError::AlreadyDone { task: *task }.into());
                }
            }
            Event::TasksReassigned { from, on, moved } => {
                self.staff_member(*from)?;
                if self.day != Some(*on) {
                    return Err(
                        RegistryError::NotBusinessDate { date: *on, business_date: self.day.unwrap_or(*on) }.into()
                    );
                }
                if *moved != self.reassignment(*from, *on) {
                    return Err(RegistryError::Mismatch {
                        what: format!("the tasks moved are not those of {from} on {on}"),
                    }
                    .into());
                }
            }
            Event::TicketOpened { ticket, spec } => {
                Self::expect_id(IdTable::Ticket, self.work.tickets.len() as u32, ticket.get())?;
                self.tree.check(spec.unit)?;
                if let Some(h) = spec.household {
                    let at = self.population.household(h)?.unit();
                    if !self.tree.is_within(at, spec.unit)? {
                        return Err(RegistryError::Mismatch {
                            what: format!("household {h} is not inside {}", spec.unit),
                        }
                        .into());
                    }
                }
                if spec.closed.is_some()
                    || spec.accepted != self.ticket_accepted(spec.unit, spec.household, spec.received.date())
                {
                    return Err(RegistryError::Mismatch {
                        what: "a ticket opens unclosed, accepted as its holders say".into(),
                    }
                    .into());
                }
            }
            _ => {}
        }
        Ok(())
    }

    pub(super) fn commit_work(&mut self, event: &Event) {
        match event {
            Event::WorkPlanAdopted { plan } => self.work.plan = Some((**plan).clone()),
            Event::TaskCompleted { task, completion } => {
                if let (Duty::Ticket(id), Some(at)) = (task.duty, completion.at)
                    && let Some(t) = self.work.tickets.get_mut(id.index())
                {
                    t.closed = Some(at);
                }
                self.work.done.insert(*task, *completion);
            }
            Event::TasksReassigned { from, moved, .. } => {
                self.work.relieved.insert(*from);
                for (key, m) in moved {
                    self.work.moved.insert(*key, *m);
                }
            }
            Event::TicketOpened { spec, .. } => self.work.tickets.push(*spec),
            _ => {}
        }
    }

    /// The audit of the work book: the plan valid, every staff member and unit named known.
    pub(super) fn work_problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        if let Some(Err(e)) = self.work.plan.as_ref().map(WorkPlan::validate) {
            found.push(e.to_string());
        }
        let staff_ok = |s: StaffId| self.staff_member(s).is_ok();
        for (key, c) in &self.work.done {
            if c.by.is_some_and(|s| !staff_ok(s)) || self.day.is_none_or(|d| key.date > d) {
                found.push(format!("{key} is recorded done by an unknown staff member, or in the future"));
            }
        }
        for (key, m) in &self.work.moved {
            if !staff_ok(m.from) || m.to.is_some_and(|s| !staff_ok(s)) || self.day.is_none_or(|d| key.date > d) {
                found.push(format!("{key} is moved between unknown staff members, or on another day"));
            }
        }
        if self.work.relieved.iter().any(|&s| !staff_ok(s)) {
            found.push("a staff member relieved of the day's tasks is unknown".into());
        }
        for t in &self.work.carried {
            let known = t.assignee.staff().is_none_or(staff_ok) && self.place(t.key.subject).is_some();
            if !known || !matches!(t.status, Status::Overdue { .. }) || self.day.is_none_or(|d| t.key.date >= d) {
                found.push(format!("{} is carried, but is not an overdue task of a known subject and holder", t.key));
            }
        }
        for (id, t) in self.tickets() {
            if self.tree.check(t.unit).is_err() || t.closed.is_some_and(|c| c < t.received) {
                found.push(format!("ticket {id} names an unknown unit or closes before it was received"));
            }
        }
        found
    }
}
