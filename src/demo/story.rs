//! The 28 days of Huayuan Road, 26 January to 22 February 2020: arrivals put under isolation,
//! the morning round, readings, a fever confirmed and its close contacts, the rosters and the
//! day's work. Pure: the example that prints it keeps its own time.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};

use super::huayuan::{
    CENTRALISED_PERSONS, Duty, FROM_EPIDEMIC_AREA_ONE_IN, Layout, Lcg, build_huayuan_road_registered, date,
    execute_into, mismatch, registered_on, staff_for,
};
use super::thousands;
use crate::arrivals::{self, OriginClass, Route};
use crate::colour::{Colour, Measure, State, Tally};
use crate::duty::Availability;
use crate::quarantine::{Agenda, CaseStatus, Category, Policy, Temperature, TestResult};
use crate::work::{Duty as Task, Outcome, Progress, Status, TaskSubject, TicketKind, WorkPlan};
use crate::{CaseId, Command, Error, Event, HouseholdId, PersonId, PolicyId, Record, Registry, StaffId, UnitId};

// ---------------------------------------------------------------------------------------------
// The 28 days
// ---------------------------------------------------------------------------------------------

/// How many days the story runs, from [`first_day`].
pub const DAYS: u32 = 28;

/// Households coming back on each day of the story: a few from 26 January, most around the
/// end of the extended Spring Festival holiday (2 February) and before work resumed (10
/// February), then fewer. Made up, and adding up to seed 003's **cumulative** figure,
/// "累计居家隔离服务1518户3463人": 1,518 households served in home isolation over the whole
/// period, not at once (the peak at once is lower: people are released after 14 days).
const ARRIVALS: [u32; DAYS as usize] =
    [28, 33, 38, 43, 47, 56, 75, 104, 112, 122, 122, 113, 104, 94, 104, 85, 66, 47, 38, 28, 19, 14, 9, 8, 4, 3, 2, 0];

/// Seed 001's days of home isolation from the day of arrival, as each arrival is recorded.
const ISOLATION_DAYS: u16 = 14;

/// The day (1-based) the person who will read a fever comes back from the epidemic area,
/// alone, to a household of three or more.
const FEVER_ARRIVAL_DAY: u32 = 3;
/// The day of the fever: day 6 of their isolation, in the evening.
const FEVER_DAY: u32 = 9;
/// The day the hospital confirms the case 确诊 and its close contacts go to centralised
/// isolation.
const CONFIRMED_DAY: u32 = 10;
/// The day a police officer of the station is gone (available until the day before).
const STAFF_CHANGE_DAY: u32 = 15;
/// Per thousand case-days, no reading at all that day; then the evening reading forgotten.
const MISSED_DAY_PER_MILLE: u32 = 4;
const MISSED_EVENING_PER_MILLE: u32 = 16;

/// The first day: 26 January 2020 (正月初二), the day after the register was taken.
///
/// # Errors
/// None with the embedded date.
pub fn first_day() -> Result<NaiveDate, Error> {
    date(1, 26)
}

/// Day `number` (1-based) of the story: day 1 is [`first_day`].
///
/// # Errors
/// Never for the story's days; a date beyond the calendar otherwise.
pub fn day_of(number: u32) -> Result<NaiveDate, Error> {
    first_day()?
        .checked_add_days(chrono::Days::new(u64::from(number.saturating_sub(1))))
        .ok_or_else(|| mismatch("a day of the story within the calendar"))
}

/// `date` at `hour`:`minute`.
fn at(date: NaiveDate, hour: u32, minute: u32) -> Result<NaiveDateTime, Error> {
    date.and_hms_opt(hour, minute, 0).ok_or_else(|| mismatch("a time of day"))
}

/// One household coming back: who of it, and from where.
struct Arrival {
    household: HouseholdId,
    persons: Vec<PersonId>,
    category: Category,
}

/// Who comes back when, decided by the generator before the first day.
struct Plan {
    /// Per day of the story, the households coming back.
    days: Vec<Vec<Arrival>>,
    /// The arrival who reads a fever on [`FEVER_DAY`].
    fever: Option<PersonId>,
    /// Per community, the most persons planned in home isolation at once (counting two days
    /// of grace for a review), to size its 2+3 workers.
    peaks: Vec<usize>,
}

impl Plan {
    /// Shuffle the households that have members and hand them out to the days as
    /// [`ARRIVALS`] says. One in [`FROM_EPIDEMIC_AREA_ONE_IN`] comes from the epidemic area;
    /// 62 in a hundred come back whole, the others with some of their members (the rest
    /// stayed): the share that brings the cumulative persons to seed 003's 3,463 (3,470).
    fn new(reg: &Registry, layout: &Layout, rng: &mut Lcg) -> Result<Plan, Error> {
        let pop = reg.population();
        let mut households: Vec<HouseholdId> =
            pop.households().filter(|(_, h)| !h.members().is_empty()).map(|(id, _)| id).collect();
        for i in (1..households.len()).rev() {
            households.swap(i, rng.next() as usize % (i + 1));
        }
        let mut queue = households.into_iter();
        let (mut days, mut fever) = (Vec::new(), None);
        for (i, &n) in ARRIVALS.iter().enumerate() {
            let mut today = Vec::new();
            for household in queue.by_ref().take(n as usize) {
                let members = reg.household(household)?.members();
                let fever_here = fever.is_none() && i + 1 == FEVER_ARRIVAL_DAY as usize && members.len() >= 3;
                let category = if fever_here || rng.next().is_multiple_of(FROM_EPIDEMIC_AREA_ONE_IN) {
                    Category::ArrivalFromEpidemicArea
                } else {
                    Category::ArrivalFromElsewhere
                };
                let coming = match members.len() {
                    _ if fever_here => 1,
                    n if n == 1 || rng.chance(620) => n,
                    n => rng.between(1, n as u32 - 1) as usize,
                };
                if fever_here {
                    fever = members.first().copied();
                }
                today.push(Arrival { household, persons: members.iter().take(coming).copied().collect(), category });
            }
            days.push(today);
        }
        let mut community_of = HashMap::new();
        for (i, &c) in layout.communities.iter().enumerate() {
            community_of.extend(reg.households_within(c)?.map(|h| (h, i)));
        }
        let mut at_home = vec![vec![0usize; days.len() + 17]; layout.communities.len()];
        for (d, arrivals) in days.iter().enumerate() {
            for a in arrivals {
                let Some(counts) = community_of.get(&a.household).and_then(|&i| at_home.get_mut(i)) else { continue };
                for n in counts.iter_mut().skip(d).take(17) {
                    *n += a.persons.len();
                }
            }
        }
        let peaks = at_home.iter().map(|c| c.iter().copied().max().unwrap_or(0)).collect();
        Ok(Plan { days, fever, peaks })
    }
}

/// What the map of the busiest courtyard at the peak shows.
const AT_THE_PEAK: &str = "the busiest courtyard at the peak of home isolation";

/// A courtyard map kept to be written out at the end.
#[derive(Debug, Clone)]
pub struct SavedMap {
    /// What it shows.
    pub what: &'static str,
    /// The courtyard.
    pub courtyard: UnitId,
    /// The date.
    pub date: NaiveDate,
    /// The map as SVG.
    pub svg: String,
}

/// The day with the most persons in home isolation 居家隔离.
#[derive(Debug, Clone, Copy, Default)]
pub struct Peak {
    /// The date, at the end of the day.
    pub date: Option<NaiveDate>,
    /// Orange and yellow households.
    pub households: u64,
    /// Persons in home isolation.
    pub persons: u64,
    /// The courtyard with the most orange and yellow households that day.
    pub courtyard: Option<UnitId>,
    /// The most persons under centralised isolation 集中隔离 on any day ([`Registry::measures`]).
    pub centralised: u64,
}

/// Counts over the whole story.
#[derive(Debug, Clone, Copy, Default)]
pub struct Totals {
    /// Households come back.
    pub households_back: usize,
    /// Persons come back from the epidemic area 疫区.
    pub from_epidemic_area: usize,
    /// Persons come back from elsewhere 非疫区.
    pub from_elsewhere: usize,
    /// Close contacts 密切接触者 put under a case.
    pub close_contacts: usize,
    /// Cases released by the morning round.
    pub released_by_round: usize,
    /// Cases flagged for review, then released after a late reading.
    pub released_after_review: usize,
    /// Cases escalated (a fever).
    pub escalated: usize,
    /// Readings recorded, on time or late.
    pub readings: usize,
    /// Readings the policy asked for that nobody took on the day.
    pub readings_missed: usize,
    /// Test results recorded.
    pub tests: usize,
    /// Days on which 2+3 was re-solved.
    pub solves: usize,
}

/// What one day brought, for the report.
#[derive(Debug, Clone)]
pub struct Day {
    /// The date.
    pub date: NaiveDate,
    /// Its number in the story, from 1.
    pub number: u32,
    /// The morning round: cases released (on their release date, the day before).
    pub released: usize,
    /// The morning round: cases that entered their next phase.
    pub entered: usize,
    /// The morning round: cases flagged for review 待复核.
    pub flagged: usize,
    /// Cases under review since an earlier day, cleared by a late reading and released.
    pub cleared: usize,
    /// Households come back, persons of them from the epidemic area and from elsewhere.
    pub back: (usize, usize, usize),
    /// Readings forgotten today.
    pub missed: usize,
    /// Anything else that happened, in words (ids only).
    pub notes: Vec<String>,
    /// The agenda 每日工作清单 at the end of the day, city-wide.
    pub agenda: Agenda,
    /// The day's work 每日工作 at its end: every task of the day, routed to a named person.
    pub work: Progress,
    /// Tasks of the day nobody could take.
    pub unassigned: usize,
}

/// The sub-district living through the 28 days: the registry, its event log, and what the
/// days need to remember.
pub struct Story {
    /// The registry.
    pub reg: Registry,
    /// The ids of the sub-district (its log is moved to [`Story::log`]).
    pub layout: Layout,
    /// Every event, from the founding one.
    pub log: Vec<Event>,
    /// Every command's record, from the founding record: what a host's store holds.
    pub records: Vec<Record>,
    /// The rosters (their staffing events are in [`Story::log`]).
    pub duty: Duty,
    /// Seed 001's rule, for every arrival.
    pub arrivals_policy: PolicyId,
    /// CN edition 9's rule, for close contacts.
    pub contacts_policy: PolicyId,
    /// Households and persons of each colour at the end of every day, of the sub-district
    /// and of each community.
    pub tallies: Vec<(NaiveDate, UnitId, Tally)>,
    /// Courtyard maps to write out.
    pub maps: Vec<SavedMap>,
    /// The peak of home isolation.
    pub peak: Peak,
    /// Counts over the story.
    pub totals: Totals,
    /// Persons away on 25 January, and their households.
    pub away: (usize, usize),
    plan: Plan,
    rng: Lcg,
    /// The number of the next day to live.
    next: u32,
}

impl Story {
    /// The sub-district as registered on 25 January, with those who will come back marked
    /// away 不在本地, both policies adopted, the staff hired and 六包一 solved on the first
    /// day.
    ///
    /// # Errors
    /// Any command the registry refuses; with the embedded data, none is.
    pub fn new() -> Result<Story, Error> {
        let (mut reg, mut layout) = build_huayuan_road_registered()?;
        let mut log = std::mem::take(&mut layout.log);
        let mut records = std::mem::take(&mut layout.records);
        let mut rng = Lcg(20_200_126);
        let plan = Plan::new(&reg, &layout, &mut rng)?;
        let registered = registered_on()?;
        let away: Vec<PersonId> = plan.days.iter().flatten().flat_map(|a| a.persons.iter().copied()).collect();
        for &person in &away {
            let command = Command::SetState { person, state: State::Absent, on: registered };
            execute_into(&mut reg, command, &mut log, &mut records)?;
        }
        let mut adopt = |policy: Policy| -> Result<PolicyId, Error> {
            let n = execute_into(&mut reg, Command::AdoptPolicy { policy }, &mut log, &mut records)?;
            log.iter().rev().take(n).find_map(Event::new_policy).ok_or_else(|| mismatch("a policy"))
        };
        let (arrivals_policy, contacts_policy) =
            (adopt(Policy::seed_shanghai_2020())?, adopt(Policy::cn_ed9_close_contact())?);
        let mut duty =
            staff_for(&mut reg, &layout, first_day()?, |_, _, i, _| Ok(plan.peaks.get(i).copied().unwrap_or(0)))?;
        log.append(&mut duty.log);
        records.append(&mut duty.records);
        // The day's work as Huayuan Road ran it: 2+3 calls, services, tickets (seeds 003, 000).
        let adopt_plan = Command::AdoptWorkPlan { plan: Box::new(WorkPlan::huayuan_road()) };
        execute_into(&mut reg, adopt_plan, &mut log, &mut records)?;
        Ok(Story {
            reg,
            layout,
            log,
            records,
            duty,
            arrivals_policy,
            contacts_policy,
            tallies: Vec::new(),
            maps: Vec::new(),
            peak: Peak::default(),
            totals: Totals::default(),
            away: (away.len(), plan.days.iter().map(Vec::len).sum()),
            plan,
            rng,
            next: 1,
        })
    }

    /// All 28 days, quietly.
    ///
    /// # Errors
    /// Any command the registry refuses; with the embedded data, none is.
    pub fn run() -> Result<Story, Error> {
        let mut story = Story::new()?;
        while story.next_day()?.is_some() {}
        Ok(story)
    }

    /// Apply a command, keep its events and return them.
    fn apply(&mut self, command: Command) -> Result<&[Event], Error> {
        let n = execute_into(&mut self.reg, command, &mut self.log, &mut self.records)?;
        Ok(self.log.get(self.log.len().saturating_sub(n)..).unwrap_or(&[]))
    }

    /// Live the next day; `None` once the 28 days are over.
    ///
    /// # Errors
    /// Any command the registry refuses; with the embedded data, none is.
    pub fn next_day(&mut self) -> Result<Option<Day>, Error> {
        if self.next > DAYS {
            return Ok(None);
        }
        let number = self.next;
        self.next += 1;
        let date = day_of(number)?;
        let mut day = Day {
            date,
            number,
            released: 0,
            entered: 0,
            flagged: 0,
            cleared: 0,
            back: (0, 0, 0),
            missed: 0,
            notes: Vec::new(),
            agenda: self.reg.agenda(date),
            work: Progress::default(),
            unassigned: 0,
        };
        self.morning_round(&mut day)?;
        self.clear_reviews(&mut day)?;
        self.arrivals(&mut day)?;
        if number == CONFIRMED_DAY {
            self.confirm(&mut day)?;
        }
        if number == STAFF_CHANGE_DAY {
            self.staff_change(&mut day)?;
        }
        self.tests(&day)?;
        self.checks(&mut day)?;
        self.rosters(&mut day)?;
        self.services(&mut day)?;
        self.record(&day)?;
        day.agenda = self.reg.agenda(date);
        let work = self.reg.workday(date);
        day.work = work.progress_where(|_| true);
        day.unassigned = work.unassigned().count();
        Ok(Some(day))
    }

    /// The services of the day 送菜送药上门, 专人专桶, 心理疏导, 巡查, 平安电话: each task with a
    /// holder recorded done by them at the end of its slot (one in fifty: nobody home,
    /// 无人应答, to follow up), and one hotline ticket 12345 about a household, closed the same
    /// day by its holder.
    fn services(&mut self, day: &mut Day) -> Result<(), Error> {
        let work = self.reg.workday(day.date);
        let households: Vec<HouseholdId> = self.reg.population().households().map(|(h, _)| h).collect();
        let last = u32::try_from(households.len().saturating_sub(1)).unwrap_or(u32::MAX);
        let household = *households.get(self.rng.between(0, last) as usize).ok_or_else(|| mismatch("a household"))?;
        let unit = self.reg.population().household(household)?.unit();
        let received = at(day.date, 9, 30)?;
        let opened =
            self.apply(Command::OpenTicket { unit, household: Some(household), kind: TicketKind::Supplies, received })?;
        let ticket = opened.iter().find_map(|e| match e {
            Event::TicketOpened { ticket, .. } => Some(*ticket),
            _ => None,
        });
        let mut done = Vec::new();
        for t in work.tasks() {
            if let (Task::Service { .. }, Status::Open, Some(by)) = (t.key.duty, t.status, t.assignee.staff()) {
                let outcome = if self.rng.chance(20) { Outcome::NotReached } else { Outcome::Done };
                done.push((t.key, by, t.due.until(), outcome));
            }
        }
        let served = done.len();
        for (task, by, until, outcome) in done {
            self.apply(Command::CompleteTask { task, by, at: day.date.and_time(until), outcome })?;
        }
        if let Some(ticket) = ticket {
            let key = crate::work::TaskKey {
                date: day.date,
                subject: TaskSubject::Household(household),
                duty: Task::Ticket(ticket),
            };
            if let Some(by) = self.reg.workday(day.date).task(&key).and_then(|t| t.assignee.staff()) {
                self.apply(Command::CompleteTask { task: key, by, at: at(day.date, 17, 0)?, outcome: Outcome::Done })?;
            }
        }
        day.notes
            .push(format!("services 上门服务: {served} recorded done by their holders; one 12345 ticket received"));
        Ok(())
    }

    /// The daily round 每日巡查: phases entered, releases on the release date, flags.
    fn morning_round(&mut self, day: &mut Day) -> Result<(), Error> {
        let events = self.apply(Command::OpenDay { today: day.date })?;
        let (mut released, mut entered, mut flagged) = (0, 0, 0);
        for e in events {
            match e {
                Event::CaseReleased { .. } => released += 1,
                Event::PhaseEntered { .. } => entered += 1,
                Event::CaseFlagged { .. } => flagged += 1,
                _ => {}
            }
        }
        (day.released, day.entered, day.flagged) = (released, entered, flagged);
        self.totals.released_by_round += released;
        Ok(())
    }

    /// Cases flagged on an earlier day: the grid worker calls, the last day's reading was
    /// taken but not reported; it is recorded late, dated that evening, and the case released.
    fn clear_reviews(&mut self, day: &mut Day) -> Result<(), Error> {
        let waiting: Vec<(CaseId, PersonId)> = self
            .reg
            .agenda(day.date)
            .review()
            .filter(|i| matches!(i.item, crate::quarantine::Item::Review { since } if since < day.date))
            .map(|i| (i.case, i.person))
            .collect();
        for (case, person) in waiting {
            let last = self.reg.schedule(case)?.last_day();
            let temperature = Temperature::from_tenths(365)?;
            self.apply(Command::RecordCheck { person, at: at(last, 21, 30)?, temperature, symptoms: false })?;
            self.apply(Command::Release { case, on: day.date })?;
            self.totals.readings += 1;
            day.cleared += 1;
        }
        self.totals.released_after_review += day.cleared;
        Ok(())
    }

    /// Today's households come back: every person who came is put under seed 001's rule from
    /// today.
    fn arrivals(&mut self, day: &mut Day) -> Result<(), Error> {
        let arrivals = self.plan.days.get_mut(day.number as usize - 1).map(std::mem::take).unwrap_or_default();
        let policy = self.arrivals_policy;
        for a in &arrivals {
            for &person in &a.persons {
                let category = a.category;
                self.apply(Command::StartCase {
                    person,
                    policy,
                    category,
                    anchor: day.date,
                    on: day.date,
                    linked: None,
                })?;
                let origin = match category {
                    Category::ArrivalFromEpidemicArea => OriginClass::KeyArea,
                    _ => OriginClass::OtherArea,
                };
                let arrival = arrivals::Arrival::new(
                    origin,
                    Route::new("返郑")?,
                    day.date,
                    Measure::HomeIsolation,
                    ISOLATION_DAYS,
                )?;
                self.apply(Command::RecordArrival { person, arrival })?;
            }
            day.back.0 += 1;
            match a.category {
                Category::ArrivalFromEpidemicArea => day.back.1 += a.persons.len(),
                _ => day.back.2 += a.persons.len(),
            }
        }
        self.totals.households_back += day.back.0;
        self.totals.from_epidemic_area += day.back.1;
        self.totals.from_elsewhere += day.back.2;
        Ok(())
    }

    /// The suspected case is confirmed 确诊; the family at home and those traced by the
    /// survey 流调 (neighbours of the courtyard, then of the community, met on the day they
    /// came back), [`CENTRALISED_PERSONS`] in all, are close contacts from yesterday, the last
    /// exposure: centralised isolation under CN edition 9.
    fn confirm(&mut self, day: &mut Day) -> Result<(), Error> {
        let Some(person) = self.plan.fever else { return Ok(()) };
        if self.reg.state(person)?.state() != State::Suspected {
            return Ok(());
        }
        self.apply(Command::SetState { person, state: State::Confirmed, on: day.date })?;
        let household = self.reg.person(person)?.household();
        let unit = self.reg.household(household)?.unit();
        let tree = self.reg.tree();
        let yard = self.layout.courtyards.iter().copied().find(|&y| tree.is_within(unit, y).unwrap_or(false));
        let community = self.layout.communities.iter().copied().find(|&c| tree.is_within(unit, c).unwrap_or(false));
        let mut contacts: Vec<PersonId> = Vec::new();
        let family = std::iter::once(household);
        let near =
            yard.into_iter().chain(community).map(|u| self.reg.households_within(u)).collect::<Result<Vec<_>, _>>()?;
        for h in family.chain(near.into_iter().flatten()) {
            for &p in self.reg.household(h)?.members() {
                let free = self.reg.active_case(p).is_none() && self.reg.state(p)?.state() == State::Well;
                if free && !contacts.contains(&p) && contacts.len() < CENTRALISED_PERSONS {
                    contacts.push(p);
                }
            }
        }
        let anchor = day.date.pred_opt().unwrap_or(day.date);
        let policy = self.contacts_policy;
        for &p in &contacts {
            let category = Category::CloseContact;
            self.apply(Command::StartCase { person: p, policy, category, anchor, on: day.date, linked: None })?;
        }
        self.totals.close_contacts += contacts.len();
        day.notes.push(format!(
            "confirmed 确诊: {person} (household {household}); {} close contacts 密切接触者 to centralised isolation 集中隔离 under {}",
            contacts.len(),
            self.reg.policy(policy)?.name()
        ));
        if let Some(yard) = yard {
            let svg = self.reg.map(yard, day.date)?.to_svg();
            self.maps.push(SavedMap {
                what: "the confirmed case's courtyard as its contacts leave",
                courtyard: yard,
                date: day.date,
                svg,
            });
        }
        Ok(())
    }

    /// A police officer of the station, on both rosters, is gone from today: available until
    /// yesterday, their places in 六包一 and 2+3 taken over as the registry proposes.
    fn staff_change(&mut self, day: &mut Day) -> Result<(), Error> {
        let duty = (self.duty.six, self.duty.two_plus_three);
        let officer = (0..self.reg.staff_pool().len())
            .filter_map(|i| Some(StaffId::new(u32::try_from(i).ok()?)))
            .filter(|p| !self.duty.police.contains(p))
            .find(|&p| self.reg.load(duty.0, p).is_ok_and(|n| n > 0) && self.reg.load(duty.1, p).is_ok_and(|n| n > 0));
        let Some(officer) = officer else { return Ok(()) };
        let until = day.date.pred_opt();
        let availability = until.map_or(Availability::Always, Availability::Until);
        self.apply(Command::SetAvailability { staff: officer, availability })?;
        let mut parts = Vec::new();
        for (scheme, label) in [(duty.0, "六包一"), (duty.1, "2+3")] {
            let proposal = self.reg.replacement(scheme, officer, day.date)?;
            let mut by: Vec<StaffId> = proposal.added.iter().map(|a| a.staff).collect();
            by.sort_unstable();
            by.dedup();
            let by: Vec<String> = by.iter().map(StaffId::to_string).collect();
            parts.push(format!(
                "{label}: {} places to {}, {} moved, {} open",
                proposal.affected.len(),
                if by.is_empty() { "nobody".to_owned() } else { by.join(" ") },
                proposal.moved().len(),
                proposal.unfilled.len()
            ));
            self.apply(Command::Replace { scheme, leaving: officer, on: day.date })?;
        }
        day.notes.push(format!("staff change: police officer {officer} leaves; {}", parts.join("; ")));
        Ok(())
    }

    /// Every test 核酸检测 the agenda lists for today is sampled, and comes back negative.
    fn tests(&mut self, day: &Day) -> Result<(), Error> {
        let due: Vec<PersonId> = self.reg.agenda(day.date).tests_due().map(|i| i.person).collect();
        for person in due {
            self.apply(Command::RecordTest { person, on: day.date, result: TestResult::Negative })?;
            self.totals.tests += 1;
        }
        Ok(())
    }

    /// Morning and evening readings for every open case whose period holds today, a few
    /// forgotten, and the fever.
    fn checks(&mut self, day: &mut Day) -> Result<(), Error> {
        let open: Vec<(CaseId, PersonId)> = self
            .reg
            .cases()
            .filter(|(_, c)| matches!(c.status(), CaseStatus::Open))
            .map(|(id, c)| (id, c.person()))
            .collect();
        let fever = self.plan.fever.filter(|_| day.number == FEVER_DAY);
        for (case, person) in open {
            if !self.reg.schedule(case)?.contains(day.date) {
                continue;
            }
            let roll = self.rng.next() % 1000;
            let feverish = fever == Some(person);
            let taken = match roll {
                _ if feverish => 2,
                r if r < MISSED_DAY_PER_MILLE => 0,
                r if r < MISSED_DAY_PER_MILLE + MISSED_EVENING_PER_MILLE => 1,
                _ => 2,
            };
            day.missed += 2 - taken;
            for (k, hour) in [8, 20].into_iter().enumerate().take(taken) {
                let tenths = if feverish && k == 1 { 381 } else { 361 + (self.rng.next() % 8) as u16 };
                let temperature = Temperature::from_tenths(tenths)?;
                let at = at(day.date, hour, 0)?;
                let events =
                    self.apply(Command::RecordCheck { person, at, temperature, symptoms: feverish && k == 1 })?;
                let escalated = events.iter().find_map(|e| match e {
                    Event::CheckRecorded { escalation: Some(change), .. } => Some(change.clone()),
                    _ => None,
                });
                self.totals.readings += 1;
                if let Some(change) = escalated {
                    self.totals.escalated += 1;
                    let household = self.reg.person(person)?.household();
                    let colours: Vec<String> = change
                        .recolours
                        .iter()
                        .map(|r| format!("{} {}→{}", r.household, r.from.label_zh(), r.to.label_zh()))
                        .collect();
                    day.notes.push(format!(
                        "fever 发热 {temperature} at {hour}:00: {person} ({case}, {household}) becomes {} {}; {}",
                        change.to.state().label_zh(),
                        change.to.state().label_en(),
                        colours.join(", ")
                    ));
                    break;
                }
            }
        }
        self.totals.readings_missed += day.missed;
        Ok(())
    }

    /// 2+3: when persons came into home isolation without a full team, complete the roster
    /// (the solve also drops the places of those released).
    fn rosters(&mut self, day: &mut Day) -> Result<(), Error> {
        let scheme = self.duty.two_plus_three;
        let before = self.reg.duty_coverage(scheme, self.layout.root, day.date)?;
        if before.gaps.is_empty() {
            return Ok(());
        }
        let events = self.apply(Command::Solve { scheme, on: day.date, balanced: false })?;
        let (removed, added) = events
            .iter()
            .find_map(|e| match e {
                Event::Rostered { removed, added, .. } => Some((removed.len(), added.len())),
                _ => None,
            })
            .unwrap_or((0, 0));
        let after = self.reg.duty_coverage(scheme, self.layout.root, day.date)?;
        self.totals.solves += 1;
        day.notes.push(format!(
            "2+3 re-solved 重新排班: {} persons without a full team; +{} −{} places; {} of {} covered",
            thousands((before.targets - before.covered) as u64),
            thousands(added as u64),
            thousands(removed as u64),
            thousands(after.covered as u64),
            thousands(after.targets as u64)
        ));
        Ok(())
    }

    /// Keep the day's tallies, follow the peak, keep the maps.
    fn record(&mut self, day: &Day) -> Result<(), Error> {
        for unit in std::iter::once(self.layout.root).chain(self.layout.communities.iter().copied()) {
            self.tallies.push((day.date, unit, self.reg.tally(unit)?.clone()));
        }
        let t = self.reg.tally(self.layout.root)?;
        let persons = t.in_state(State::HomeIsolationEpidemicArea) + t.in_state(State::HomeIsolationElsewhere);
        // Read by measure (issue 16 §5): the close contacts in their centralised phase and the
        // 41 at a site alike, whatever their reason.
        let centralised = self.reg.measures(self.layout.root)?.get(Measure::CentralisedIsolation);
        self.peak.centralised = self.peak.centralised.max(centralised);
        if persons > self.peak.persons {
            let households = t.households(Colour::Orange) + t.households(Colour::Yellow);
            let busiest = self.layout.courtyards.iter().copied().max_by_key(|&y| {
                self.reg.tally(y).map_or(0, |t| t.households(Colour::Orange) + t.households(Colour::Yellow))
            });
            self.peak = Peak { date: Some(day.date), households, persons, courtyard: busiest, ..self.peak };
        }
        let Some(yard) = self.peak.courtyard else { return Ok(()) };
        // The busiest courtyard's map on the peak day (replaced while the peak grows), and on
        // the last day.
        if self.peak.date == Some(day.date) {
            self.maps.retain(|m| m.what != AT_THE_PEAK);
            let svg = self.reg.map(yard, day.date)?.to_svg();
            self.maps.push(SavedMap { what: AT_THE_PEAK, courtyard: yard, date: day.date, svg });
        }
        if day.number == DAYS {
            let svg = self.reg.map(yard, day.date)?.to_svg();
            self.maps.push(SavedMap {
                what: "the same courtyard on the last day",
                courtyard: yard,
                date: day.date,
                svg,
            });
        }
        Ok(())
    }

    /// The releases dated before their schedule's release date (none, if the rules hold).
    ///
    /// # Errors
    /// An unknown case in the log.
    pub fn early_releases(&self) -> Result<usize, Error> {
        let mut early = 0;
        for e in &self.log {
            if let Event::CaseReleased { case, on, .. } = e
                && *on < self.reg.schedule(*case)?.release()
            {
                early += 1;
            }
        }
        Ok(early)
    }
}
