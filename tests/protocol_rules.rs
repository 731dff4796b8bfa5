//! The rules of the published protocols that the registry could not express before (issue 15
//! §3), told as scenarios in the domain's words and checked as properties:
//!
//! - **protocol changes for open cases**: China moved from edition 9 (7 + 3) to the 20 measures
//!   (5 + 3) to the new 10 (5 at home) within weeks, and the new rule applied to the people
//!   already in isolation ([`Command::ChangePolicy`]);
//! - **test windows**: the US CDC's December 2020 rule frees a contact after day 7 with a
//!   negative sample taken on day 5 or later, after day 10 without one
//!   ([`EarlyRelease`](wangge::quarantine::EarlyRelease));
//! - **obligations after release**: symptom monitoring and a mask through day 14 (December 2020)
//!   or 5 more days (December 2021), shown on the agenda; a fever then makes a suspected case
//!   ([`AfterRelease`](wangge::quarantine::AfterRelease));
//! - **extension and reduction with history** ([`Command::AdjustCase`]);
//! - a snapshot holding a change no command makes is refused.
//!
//! The properties, over random sequences of starts, checks, samples (late ones included),
//! adjustments, protocol changes and days opened one or several at a time:
//!
//! - one `OpenDay` several days ahead makes the same events, and leaves the same registry, as
//!   opening the days one by one;
//! - no case is released before its schedule's release date, nor before the date of its latest
//!   change (a protocol change or adjustment never frees anyone retroactively), and each
//!   [`Event::PolicyChanged`] / [`Event::CaseAdjusted`] names the release date the case then
//!   has, never before the day of the change, with the release date it had before;
//! - the audit finds nothing, and the log replays into an equal registry.

#[path = "support/proptest_config.rs"]
mod proptest_config;

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use wangge::colour::{Colour, Measure, PersonState, StandingRule, State};
use wangge::duty::{Qualification, Qualifications, Staff};
use wangge::grid::{LevelScheme, NewUnit, UnitKind};
use wangge::people::{DoorLabel, Name, PersonRecord};
use wangge::quarantine::{
    CaseChange, CaseError, CaseStatus, Category, Item, Policy, QuarantineError, Reason, ReviewReason, Sample,
    Temperature, TestResult,
};
use wangge::{CaseId, Command, Error, Event, HouseholdId, PersonId, PolicyId, Registry, RegistryError, StaffId};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

fn at(day: NaiveDate, hour: u32) -> NaiveDateTime {
    day.and_hms_opt(hour, 0, 0).expect("a time")
}

fn reason(text: &str) -> Reason {
    Reason::new(text).expect("a reason")
}

/// A sub-district with three households of two, one staff member, and `policies` adopted.
struct World {
    reg: Registry,
    log: Vec<Event>,
    households: Vec<HouseholdId>,
    persons: Vec<PersonId>,
    policies: Vec<PolicyId>,
    staff: StaffId,
}

impl World {
    fn new(policies: Vec<Policy>) -> World {
        let scheme = LevelScheme::zhengzhou();
        let root = NewUnit::new("花园路街道", scheme.level("街道").expect("a level"), UnitKind::Area);
        let mut reg = Registry::new(scheme, root).expect("a registry");
        let mut log = vec![reg.founding_event()];
        let (mut households, mut persons) = (Vec::new(), Vec::new());
        for h in 0..3 {
            let door = DoorLabel::new(&format!("1-10{h}")).expect("a door");
            reg.apply_into(Command::AddHousehold { unit: reg.root(), door }, &mut log).expect("a household");
            let household = log.last().and_then(Event::new_household).expect("its id");
            households.push(household);
            for _ in 0..2 {
                let state = PersonState::well(date(2020, 1, 1));
                reg.apply_into(Command::RegisterPerson { household, record: PersonRecord::new(), state }, &mut log)
                    .expect("a person");
                persons.push(log.last().and_then(Event::new_person).expect("its id"));
            }
        }
        let name = Name::new("社区医生").expect("a name");
        let staff = Staff::new(name, Qualifications::only(Qualification::Medical), reg.root(), 3).expect("staff");
        reg.apply_into(Command::AddStaff { staff }, &mut log).expect("a staff member");
        let staff = log.last().and_then(Event::new_staff).expect("its id");
        let mut ids = Vec::new();
        for policy in policies {
            reg.apply_into(Command::AdoptPolicy { policy }, &mut log).expect("a policy");
            ids.push(log.last().and_then(Event::new_policy).expect("its id"));
        }
        World { reg, log, households, persons, policies: ids, staff }
    }

    fn run(&mut self, command: Command) -> Result<Vec<Event>, Error> {
        let from = self.log.len();
        self.reg.apply_into(command, &mut self.log)?;
        Ok(self.log[from..].to_vec())
    }

    fn ok(&mut self, command: Command) -> Vec<Event> {
        let shown = format!("{command:?}");
        self.run(command).unwrap_or_else(|e| panic!("{shown}: {e}"))
    }

    fn open(&mut self, today: NaiveDate) -> Vec<Event> {
        self.ok(Command::OpenDay { today })
    }

    fn start(&mut self, person: usize, policy: usize, anchor: NaiveDate) -> CaseId {
        let on = self.reg.business_date().expect("a day open");
        let (person, policy) = (self.persons[person], self.policies[policy]);
        let command = Command::StartCase { person, policy, category: Category::CloseContact, anchor, on, linked: None };
        self.ok(command)[0].new_case().expect("a case")
    }

    fn check(&mut self, person: usize, day: NaiveDate, tenths: u16) -> Result<Vec<Event>, Error> {
        let temperature = Temperature::from_tenths(tenths).expect("a temperature");
        self.run(Command::RecordCheck { person: self.persons[person], at: at(day, 8), temperature, symptoms: false })
    }

    fn test(&mut self, person: usize, on: NaiveDate, result: TestResult) -> Vec<Event> {
        self.ok(Command::RecordTest { person: self.persons[person], on, result })
    }

    fn release_of(&self, case: CaseId) -> NaiveDate {
        self.reg.schedule(case).expect("a case").first_free_day()
    }

    fn assert_sound(&self) {
        assert!(self.reg.audit().is_empty(), "{:?}", self.reg.audit());
        assert!(Registry::replay(&self.log).expect("the log replays") == self.reg);
        let text = serde_json::to_string(&self.reg.snapshot()).expect("a snapshot");
        let loaded = Registry::from_snapshot(serde_json::from_str(&text).expect("it reads")).expect("it loads");
        assert!(loaded == self.reg);
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Protocol changes for the people already in isolation
// ---------------------------------------------------------------------------------------------

/// November 2022: the 20 measures (5 days centralised + 3 at home) replace edition 9 (7 + 3)
/// for the close contacts already isolated. Each keeps its anchor and records; its schedule is
/// recomputed; one whose new period is over already is released on the day of the change, by
/// the next round, not before; one in its sixth day goes home today. December 2022: the new 10
/// (5 days at home) replace the 20 measures the same way. Both changes stay on the cases and
/// in their events, with the release date each case had before.
#[test]
fn china_moves_its_open_cases_from_edition_9_to_the_20_measures_to_the_new_10() {
    let mut w = World::new(vec![
        Policy::cn_ed9_close_contact(),
        Policy::cn_20_measures_close_contact(),
        Policy::cn_new10_close_contact(),
    ]);
    let nov = |d| date(2022, 11, d);
    w.open(nov(11));
    // Exposed Nov 2 (day 9 today), Nov 5 (day 6) and Nov 10 (day 1).
    let (old, mid, new) = (w.start(0, 0, nov(2)), w.start(2, 0, nov(5)), w.start(4, 0, nov(10)));
    assert_eq!([w.release_of(old), w.release_of(mid), w.release_of(new)], [nov(12), nov(15), nov(20)]);
    assert_eq!(w.reg.state(w.persons[2]).expect("a person").measure(), Measure::CentralisedIsolation);

    let (ed9, m20, new10) = (w.policies[0], w.policies[1], w.policies[2]);
    // The newest was extended by 2 days under edition 9: the new rule's period replaces it.
    let by = w.staff;
    w.ok(Command::AdjustCase { case: new, days: 2, reason: reason("同住人员复阳"), by, on: nov(11) });
    assert_eq!(w.release_of(new), nov(22));
    let events = w.ok(Command::ChangePolicy { from: ed9, to: m20, on: nov(11) });
    let moved: Vec<(CaseId, NaiveDate, NaiveDate)> = events
        .iter()
        .map(|e| match e {
            Event::PolicyChanged { case, from, to, on, previous_release, release, .. } => {
                assert_eq!((*from, *to, *on), (ed9, m20, nov(11)));
                (*case, *previous_release, *release)
            }
            other => panic!("{other:?}"),
        })
        .collect();
    // 5 + 3 from Nov 2 ended Nov 10: released on the day of the change, Nov 11.
    assert_eq!(moved, [(old, nov(12), nov(11)), (mid, nov(15), nov(13)), (new, nov(22), nov(18))]);
    assert_eq!(w.reg.case(new).expect("a case").changes().len(), 2);
    // Day 6 of the 20 measures is at home: the close contact of Nov 5 goes home today.
    assert_eq!(w.reg.state(w.persons[2]).expect("a person").state(), State::CloseContact);
    let case = w.reg.case(mid).expect("a case");
    assert_eq!(case.policy(), m20);
    assert_eq!((case.anchor(), case.settled()), (nov(5), nov(11)));
    assert_eq!(
        case.changes(),
        [CaseChange::PolicyChanged { on: nov(11), from: ed9, to: m20, previous_release: nov(15) }]
    );

    // The case of Nov 2 had its last day (Nov 10) clean: released by the round of Nov 12, on
    // Nov 11, the day of the change, never on Nov 10.
    w.check(0, nov(10), 365).expect("a clean last day");
    w.test(0, nov(10), TestResult::Negative);
    let round = w.open(nov(12));
    assert!(round.iter().any(|e| matches!(e, Event::CaseReleased { case, on, .. } if *case == old && *on == nov(11))));

    // Nothing is under edition 9 any more: a second change from it is refused.
    let err = w.run(Command::ChangePolicy { from: ed9, to: m20, on: nov(12) }).expect_err("no cases");
    assert_eq!(err, Error::Case(CaseError::NoCasesUnder { policy: ed9 }));

    // December 7: the new 10, five days at home, for those still isolated.
    let dec = |d| date(2022, 12, d);
    w.open(dec(1));
    let late = w.start(1, 1, dec(1));
    assert_eq!(w.release_of(late), dec(9));
    w.open(dec(7));
    let events = w.ok(Command::ChangePolicy { from: m20, to: new10, on: dec(7) });
    assert!(events.iter().all(|e| matches!(e, Event::PolicyChanged { .. })));
    // Exposed Dec 1: the new 10's five days ended Dec 6; released on Dec 7 at the earliest.
    assert_eq!(w.release_of(late), dec(7));
    assert_eq!(w.reg.state(w.persons[1]).expect("a person").state(), State::CloseContact);
    assert_eq!(w.reg.case(late).expect("a case").changes()[0].previous_release(), dec(9));
    w.assert_sound();
}

/// Three inbound arrivals of one household, in centralised isolation (red) under edition 9, go
/// home (orange) together when the 20 measures apply to them: the household turns orange once
/// all three are home, within the one command (each change reads the ones before it).
#[test]
fn a_household_sent_home_by_a_protocol_change_is_recoloured_once() {
    let inbound_m20 = Policy::cn_20_measures_close_contact()
        .to_builder()
        .name("cn_20_measures_inbound")
        .anchor(wangge::quarantine::Anchor::Arrival)
        .build()
        .expect("a policy");
    let mut w = World::new(vec![Policy::cn_ed9_inbound(), inbound_m20]);
    let nov = |d| date(2022, 11, d);
    // A third member, so that each change reads the ones before it in the same command.
    let state = PersonState::well(date(2020, 1, 1));
    let household = w.households[1];
    let third = w.ok(Command::RegisterPerson { household, record: PersonRecord::new(), state })[0].new_person();
    w.persons.push(third.expect("a person"));
    w.open(nov(11));
    // The format-6 rule, which paints centralised isolation red whatever the reason, so that
    // going home recolours (under seed 003's rule by reason, inbound arrivals are orange at a
    // site and at home alike: "疫区返郑居家隔离户").
    w.ok(Command::SetColourRule { rule: StandingRule::zhengzhou_2020_format_6(), on: nov(11) });
    for person in [2, 3, 6] {
        let (person, policy) = (w.persons[person], w.policies[0]);
        let command = Command::StartCase {
            person,
            policy,
            category: Category::Inbound,
            anchor: nov(5),
            on: nov(11),
            linked: None,
        };
        w.ok(command);
    }
    assert_eq!(w.reg.colour(w.households[1]).expect("a household"), Colour::Red);
    let events = w.ok(Command::ChangePolicy { from: w.policies[0], to: w.policies[1], on: nov(11) });
    assert_eq!(events.len(), 3);
    assert_eq!(Event::colour_changes_since(&events, nov(11)).len(), 1, "{events:?}");
    assert_eq!(w.reg.colour(w.households[1]).expect("a household"), Colour::Orange);
    w.assert_sound();
}

/// A change between policies that count from different anchors, or to itself, or from a
/// policy nobody follows, is refused, changing nothing; so is one dated off the business date.
#[test]
fn a_protocol_change_is_refused_when_it_cannot_apply() {
    let mut w = World::new(vec![
        Policy::cn_ed9_close_contact(),
        Policy::seed_shanghai_2020(),
        Policy::cn_20_measures_close_contact(),
    ]);
    let jul = |d| date(2022, 7, d);
    w.open(jul(1));
    w.start(0, 0, jul(1));
    let (ed9, seed, m20) = (w.policies[0], w.policies[1], w.policies[2]);
    let before = w.reg.clone();
    let refusals = [
        (Command::ChangePolicy { from: ed9, to: ed9, on: jul(1) }, Error::Case(CaseError::SamePolicy { policy: ed9 })),
        (
            Command::ChangePolicy { from: ed9, to: seed, on: jul(1) },
            Error::Case(CaseError::AnchorMismatch {
                from: ed9,
                from_anchor: wangge::quarantine::Anchor::LastExposure,
                to: seed,
                to_anchor: wangge::quarantine::Anchor::Arrival,
            }),
        ),
        (
            Command::ChangePolicy { from: m20, to: ed9, on: jul(1) },
            Error::Case(CaseError::NoCasesUnder { policy: m20 }),
        ),
        (
            Command::ChangePolicy { from: ed9, to: m20, on: jul(2) },
            Error::Registry(RegistryError::NotBusinessDate { date: jul(2), business_date: jul(1) }),
        ),
        (
            Command::ChangePolicy { from: ed9, to: PolicyId::new(9), on: jul(1) },
            Error::Case(CaseError::UnknownPolicy { policy: PolicyId::new(9) }),
        ),
    ];
    for (command, expected) in refusals {
        assert_eq!(w.run(command.clone()).expect_err("refused"), expected, "{command:?}");
        assert!(w.reg == before);
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Test windows: a sample on day 5 or later
// ---------------------------------------------------------------------------------------------

/// The US CDC, December 2020: free after day 10, or after day 7 with a negative sample taken
/// on day 5 or later. A sample of day 3 does not count; one of day 6 does, even when its
/// result arrives after day 7 (the release then lands on its release date, day 8).
#[test]
fn the_cdc_frees_after_day_seven_only_with_a_negative_sample_from_day_five() {
    let mut w = World::new(vec![Policy::us_cdc_dec2020_contact()]);
    let jan = |d| date(2021, 1, d);
    w.open(jan(1));
    let (early, full, late) = (w.start(0, 0, jan(1)), w.start(2, 0, jan(1)), w.start(4, 0, jan(1)));
    assert_eq!(w.release_of(early), jan(12)); // after day 10
    w.open(jan(6));
    w.test(0, jan(6), TestResult::Negative); // day 5: counts
    w.test(2, jan(4), TestResult::Negative); // day 3: too early
    w.test(2, jan(5), TestResult::Negative); // day 4: too early still
    assert_eq!((w.release_of(early), w.release_of(full)), (jan(9), jan(12)));
    let round = w.open(jan(9));
    assert!(round.iter().any(|e| matches!(e, Event::CaseReleased { case, on, .. } if *case == early && *on == jan(9))));
    assert!(w.reg.case(full).expect("a case").status().is_active());
    // The third's sample of day 6 comes back on Jan 10: free after day 7, released by the
    // next round on its release date.
    w.open(jan(10));
    w.test(4, jan(7), TestResult::Negative);
    assert_eq!(w.release_of(late), jan(9));
    let round = w.open(jan(11));
    assert!(round.iter().any(|e| matches!(e, Event::CaseReleased { case, on, .. } if *case == late && *on == jan(9))));
    let round = w.open(jan(12));
    assert!(round.iter().any(|e| matches!(e, Event::CaseReleased { case, on, .. } if *case == full && *on == jan(12))));
    w.assert_sound();
}

/// A case released early on a negative sample stands on it: an erratum that would take the
/// sample back (or move it) once the case is released is refused, as a positive is once
/// someone acted on it; the audit would otherwise find a case released before its release.
/// (Found by `tests/business_date.rs` on a random seed.)
#[test]
fn the_sample_an_early_release_stood_on_cannot_be_taken_back() {
    let mut w = World::new(vec![Policy::us_cdc_dec2020_contact()]);
    let jan = |d| date(2021, 1, d);
    w.open(jan(1));
    let case = w.start(0, 0, jan(1));
    w.open(jan(6));
    w.test(0, jan(6), TestResult::Negative); // day 5: counts
    let round = w.open(jan(9));
    assert!(round.iter().any(|e| matches!(e, Event::CaseReleased { case: c, on, .. } if *c == case && *on == jan(9))));
    for corrected in [None, Some(Sample { on: jan(4), result: TestResult::Negative })] {
        let erratum = Command::CorrectTest { case, on: jan(6), corrected };
        assert_eq!(w.run(erratum), Err(Error::Case(CaseError::Ended { case, on: jan(9) })));
    }
    w.assert_sound();
}

// ---------------------------------------------------------------------------------------------
// 3. Obligations after release
// ---------------------------------------------------------------------------------------------

/// The US CDC, December 2021: 5 days at home, free on day 6, then 5 days of masking through day
/// 10. The window is on the agenda with its last day; a normal reading in it is recorded; a
/// fever makes the person a suspected case and the released case shows as escalated; after the
/// window nothing is recorded for them.
#[test]
fn a_fever_while_monitoring_after_release_makes_a_suspected_case() {
    let mut w = World::new(vec![Policy::us_cdc_dec2021_contact()]);
    let jan = |d| date(2022, 1, d);
    w.open(jan(1));
    let case = w.start(0, 0, jan(1));
    let s = w.reg.schedule(case).expect("a case");
    assert_eq!((s.last_day(), s.first_free_day(), s.monitoring()), (jan(6), jan(7), Some((jan(7), jan(11)))));
    w.open(jan(7));
    assert!(matches!(w.reg.case(case).expect("a case").status(), CaseStatus::Released { on } if *on == jan(7)));
    for day in [jan(7), jan(8), jan(11)] {
        let monitoring: Vec<Item> = w.reg.agenda(day).monitoring().map(|i| i.item).collect();
        assert_eq!(monitoring, [Item::Monitoring { until: jan(11) }], "{day}");
    }
    assert_eq!(w.reg.agenda(jan(12)).monitoring().count(), 0);
    assert_eq!(w.reg.agenda(jan(8)).counts()[6], 1);

    w.open(jan(8));
    let events = w.check(0, jan(8), 366).expect("a reading while monitoring");
    assert!(matches!(events[..], [Event::CheckRecorded { escalation: None, .. }]));
    assert_eq!(w.reg.case(case).expect("a case").checks_on(jan(8)), 1);
    w.open(jan(9));
    let events = w.check(0, jan(9), 382).expect("a fever while monitoring");
    assert!(matches!(&events[..], [Event::CheckRecorded { escalation: Some(_), .. }]), "{events:?}");
    assert_eq!(w.reg.state(w.persons[0]).expect("a person").state(), State::Suspected);
    assert_eq!(w.reg.colour(w.households[0]).expect("a household"), Colour::Red);
    assert!(matches!(
        w.reg.case(case).expect("a case").status(),
        CaseStatus::Escalated { on, to: State::Suspected } if *on == jan(9)
    ));
    assert_eq!(w.reg.agenda(jan(9)).escalated().map(|i| i.case).collect::<Vec<_>>(), [case]);

    // A third, released on Jan 9 but since put in home isolation by hand, is no longer as
    // the release left them: a check is not recorded on the released case.
    let (third, other) = (w.start(4, 0, jan(3)), w.start(2, 0, jan(3)));
    w.open(jan(10));
    assert!(matches!(w.reg.case(third).expect("a case").status(), CaseStatus::Released { .. }));
    w.ok(Command::SetState { person: w.persons[4], state: State::HomeIsolationElsewhere, on: jan(10) });
    let err = w.check(4, jan(10), 383).expect_err("not monitored any more");
    assert_eq!(err, Error::Case(CaseError::NoActiveCase { person: w.persons[4] }));

    // Another contact, released the same way, is past the window on Jan 14.
    w.open(jan(16));
    assert!(matches!(w.reg.case(other).expect("a case").status(), CaseStatus::Released { .. }));
    let err = w.check(2, jan(16), 366).expect_err("outside the window");
    assert_eq!(err, Error::Case(CaseError::NoActiveCase { person: w.persons[2] }));
    w.assert_sound();
}

// ---------------------------------------------------------------------------------------------
// 4. Extension and reduction with history
// ---------------------------------------------------------------------------------------------

/// A period extended for a reason, then shortened: each change names the release date before
/// and the reason, in the event and on the case; the person's state follows the new schedule;
/// a case under review is judged again; a change to no day, or on another day, is refused.
#[test]
fn a_period_extended_and_shortened_keeps_its_history() {
    let mut w = World::new(vec![Policy::cn_ed9_close_contact()]);
    let jul = |d| date(2022, 7, d);
    w.open(jul(1));
    let case = w.start(0, 0, jul(1));
    let by = w.staff;
    let events = w.ok(Command::AdjustCase { case, days: 3, reason: reason("同住人员复阳"), by, on: jul(1) });
    assert!(matches!(&events[..], [Event::CaseAdjusted { days: 3, previous_release, release, change: None, .. }]
        if *previous_release == jul(11) && *release == jul(14)));
    w.open(jul(9));
    // Day 8: home health monitoring. Shortened by 6 days: 7 days, all centralised, over on Jul
    // 8: released on Jul 9 at the earliest, back in centralised isolation meanwhile.
    assert_eq!(w.reg.state(w.persons[0]).expect("a person").state(), State::CloseContact);
    let events = w.ok(Command::AdjustCase { case, days: -6, reason: reason("复核: 提前解除"), by, on: jul(9) });
    assert!(matches!(&events[..], [Event::CaseAdjusted { previous_release, release, change: Some(_), .. }]
        if *previous_release == jul(14) && *release == jul(9)));
    assert_eq!(w.reg.state(w.persons[0]).expect("a person").measure(), Measure::CentralisedIsolation);
    let changes = w.reg.case(case).expect("a case").changes().to_vec();
    assert_eq!(changes.len(), 2);
    assert!(matches!(&changes[1], CaseChange::Adjusted { on, days: -6, reason, by: b, previous_release }
        if *on == jul(9) && reason.as_str() == "复核: 提前解除" && *b == by && *previous_release == jul(14)));
    // Nothing was recorded on its last day, Jul 8: flagged by the round of Jul 10.
    let round = w.open(jul(10));
    let flag = Event::CaseFlagged {
        case,
        on: jul(10),
        reasons: vec![ReviewReason::NoLastDayCheck, ReviewReason::NoLastDayTest],
    };
    assert!(round.contains(&flag), "{round:?}");
    // Under review, extended by a day: open again, judged anew by the next round.
    w.ok(Command::AdjustCase { case, days: 1, reason: reason("补做核酸"), by, on: jul(10) });
    assert_eq!(w.reg.case(case).expect("a case").status(), &CaseStatus::Open);
    assert_eq!(w.release_of(case), jul(10));

    let before = w.reg.clone();
    let refusals = [
        (
            Command::AdjustCase { case, days: 0, reason: reason("无"), by, on: jul(10) },
            Error::Case(CaseError::ZeroAdjustment),
        ),
        (
            Command::AdjustCase { case, days: -8, reason: reason("错"), by, on: jul(10) },
            Error::Quarantine(QuarantineError::InvalidLength { days: 0 }),
        ),
        (
            Command::AdjustCase { case, days: 1, reason: reason("错"), by, on: jul(9) },
            Error::Registry(RegistryError::NotBusinessDate { date: jul(9), business_date: jul(10) }),
        ),
        (
            Command::AdjustCase { case, days: 1, reason: reason("错"), by: StaffId::new(7), on: jul(10) },
            Error::Duty(wangge::duty::DutyError::UnknownStaff { staff: StaffId::new(7) }),
        ),
        (
            Command::AdjustCase { case: CaseId::new(5), days: 1, reason: reason("错"), by, on: jul(10) },
            Error::Case(CaseError::UnknownCase { case: CaseId::new(5) }),
        ),
    ];
    for (command, expected) in refusals {
        assert_eq!(w.run(command.clone()).expect_err("refused"), expected, "{command:?}");
        assert!(w.reg == before);
    }
    assert!(Reason::new("").is_err() && Reason::new("x".repeat(201)).is_err() && Reason::new("a\nb").is_err());
    w.assert_sound();
}

/// The case's own schedule, not the policy's, decides a release asked for by hand: a shortened
/// case may be released on its new date, an extended one not before its new one.
#[test]
fn a_release_by_hand_follows_the_adjusted_schedule() {
    // Seed 001's 14 days at home, released on the last day once its check is clean.
    let mut w = World::new(vec![Policy::seed_shanghai_2020()]);
    let apr = |d| date(2020, 4, d);
    w.open(apr(1));
    let (short, long) = (w.start(0, 0, apr(1)), w.start(2, 0, apr(1)));
    let by = w.staff;
    w.ok(Command::AdjustCase { case: short, days: -4, reason: reason("shortened"), by, on: apr(1) });
    w.ok(Command::AdjustCase { case: long, days: 2, reason: reason("extended"), by, on: apr(1) });
    assert_eq!((w.release_of(short), w.release_of(long)), (apr(11), apr(17)));
    w.open(apr(11));
    w.check(0, apr(11), 365).expect("a clean last day");
    let released = w.ok(Command::Release { case: short, on: apr(11) });
    assert!(matches!(released[..], [Event::CaseReleased { .. }]));
    let err = w.run(Command::Release { case: long, on: apr(11) }).expect_err("too early");
    assert_eq!(err, Error::Case(CaseError::TooEarly { case: long, release: apr(17), on: apr(11) }));
    w.assert_sound();
}

/// The new commands keep the business date's rules and a scope's: both wait for the first day
/// and are made on the business date; a scope may adjust its own cases only, and only the
/// whole city changes a policy for everyone.
#[test]
fn the_new_commands_keep_the_business_date_and_the_scope() {
    let scheme = LevelScheme::zhengzhou();
    let root = NewUnit::new("花园路街道", scheme.level("街道").expect("a level"), UnitKind::Area);
    let community = scheme.level("社区").expect("a level");
    let mut reg = Registry::new(scheme, root).expect("a registry");
    let person_in = |reg: &mut Registry, name: &str| {
        let unit = NewUnit::new(name, community, UnitKind::Area);
        let unit = reg.apply(Command::AddUnit { parent: reg.root(), unit }).expect("a unit")[0].new_unit();
        let unit = unit.expect("its id");
        let door = DoorLabel::new("1-101").expect("a door");
        let household = reg.apply(Command::AddHousehold { unit, door }).expect("a household")[0].new_household();
        let (household, state) = (household.expect("its id"), PersonState::well(date(2020, 1, 1)));
        let person = reg.apply(Command::RegisterPerson { household, record: PersonRecord::new(), state });
        (unit, person.expect("a person")[0].new_person().expect("its id"))
    };
    let (north, a) = person_in(&mut reg, "北社区");
    let (_, b) = person_in(&mut reg, "南社区");
    let name = Name::new("社区医生").expect("a name");
    let staff = Staff::new(name, Qualifications::only(Qualification::Medical), north, 3).expect("staff");
    let by = reg.apply(Command::AddStaff { staff }).expect("staff")[0].new_staff().expect("its id");
    let ed9 = reg.apply(Command::AdoptPolicy { policy: Policy::cn_ed9_close_contact() }).expect("a policy")[0]
        .new_policy()
        .expect("its id");
    let m20 = reg.apply(Command::AdoptPolicy { policy: Policy::cn_20_measures_close_contact() }).expect("a policy")[0]
        .new_policy()
        .expect("its id");
    let nov = |d| date(2022, 11, d);
    // Before any day: both wait for it.
    let adjust = |case, on| Command::AdjustCase { case, days: 1, reason: reason("延长"), by, on };
    let err = reg.apply(adjust(CaseId::new(0), nov(11))).expect_err("no day yet");
    assert_eq!(err, Error::Registry(RegistryError::NoBusinessDate { date: nov(11) }));
    let err = reg.apply(Command::ChangePolicy { from: ed9, to: m20, on: nov(11) }).expect_err("no day yet");
    assert_eq!(err, Error::Registry(RegistryError::NoBusinessDate { date: nov(11) }));
    reg.apply(Command::OpenDay { today: nov(11) }).expect("a day");
    let start = |person| Command::StartCase {
        person,
        policy: ed9,
        category: Category::CloseContact,
        anchor: nov(10),
        on: nov(11),
        linked: None,
    };
    let ca = reg.apply(start(a)).expect("a case")[0].new_case().expect("its id");
    let cb = reg.apply(start(b)).expect("a case")[0].new_case().expect("its id");
    // Through the north community's scope: its own case, yes; the south's, no; a policy, no.
    reg.apply_within(&[north], adjust(ca, nov(11))).expect("its own case");
    let outside = reg.apply_within(&[north], adjust(cb, nov(11))).expect_err("outside");
    assert!(matches!(outside, Error::Registry(RegistryError::OutsideScope { .. })), "{outside:?}");
    let change = Command::ChangePolicy { from: ed9, to: m20, on: nov(11) };
    let outside = reg.apply_within(&[north], change.clone()).expect_err("the whole city's");
    assert!(matches!(outside, Error::Registry(RegistryError::CityWide { .. })), "{outside:?}");
    let root = reg.root();
    let moved = reg.apply_within(&[root], change).expect("from the root");
    assert_eq!(moved.len(), 2);
    assert!(reg.audit().is_empty());
}

// ---------------------------------------------------------------------------------------------
// 5. Snapshots
// ---------------------------------------------------------------------------------------------

/// An edit of a snapshot's JSON.
type Edit = Box<dyn Fn(&mut serde_json::Value)>;

/// A snapshot whose case holds a change no command makes is refused: an adjustment of 0
/// days, a change dated before the case started or after its settled date, changes out of
/// order, a policy changed into itself, adjustments leaving no day.
#[test]
fn a_snapshot_with_an_impossible_change_is_refused() {
    let mut w = World::new(vec![Policy::cn_ed9_close_contact(), Policy::cn_20_measures_close_contact()]);
    let jul = |d| date(2022, 7, d);
    w.open(jul(1));
    let case = w.start(0, 0, jul(1));
    w.open(jul(3));
    let by = w.staff;
    w.ok(Command::AdjustCase { case, days: 2, reason: reason("extended"), by, on: jul(3) });
    w.open(jul(4));
    w.ok(Command::ChangePolicy { from: w.policies[0], to: w.policies[1], on: jul(4) });
    w.ok(Command::AdjustCase { case, days: 1, reason: reason("extended again"), by, on: jul(4) });
    let json = serde_json::to_value(w.reg.snapshot()).expect("a snapshot");
    assert!(Registry::from_snapshot(serde_json::from_value(json.clone()).expect("it reads")).is_ok());
    let edits: Vec<(&str, Edit)> = vec![
        ("0 days", Box::new(|j| j["cases"][0]["changes"][0]["Adjusted"]["days"] = 0.into())),
        ("before the start", Box::new(|j| j["cases"][0]["changes"][0]["Adjusted"]["on"] = "2022-06-30".into())),
        ("after settled", Box::new(|j| j["cases"][0]["changes"][1]["PolicyChanged"]["on"] = "2022-07-09".into())),
        ("out of order", Box::new(|j| j["cases"][0]["changes"][0]["Adjusted"]["on"] = "2022-07-05".into())),
        ("into itself", Box::new(|j| j["cases"][0]["changes"][1]["PolicyChanged"]["from"] = 1.into())),
        ("no day left", Box::new(|j| j["cases"][0]["changes"][2]["Adjusted"]["days"] = (-40).into())),
        (
            "a policy not its last change's",
            Box::new(|j| {
                j["cases"][0]["policy"] = 0.into();
                j["cases"][0]["category"] = "Inbound".into();
            }),
        ),
    ];
    for (what, edit) in edits {
        let mut bad = json.clone();
        edit(&mut bad);
        let loaded = serde_json::from_value::<wangge::Snapshot>(bad)
            .map_err(|e| e.to_string())
            .and_then(|s| Registry::from_snapshot(s).map(|_| ()).map_err(|e| e.to_string()));
        assert!(loaded.is_err(), "{what}: loaded");
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Properties
// ---------------------------------------------------------------------------------------------

/// The policies of the property: edition 9, the 20 measures and the new 10 (one anchor, so that
/// each may replace another), the CDC's December 2020 and 2021 rules, and an arrival's 14 days.
fn property_policies() -> Vec<Policy> {
    vec![
        Policy::cn_ed9_close_contact(),
        Policy::cn_20_measures_close_contact(),
        Policy::cn_new10_close_contact(),
        Policy::us_cdc_dec2020_contact(),
        Policy::us_cdc_dec2021_contact(),
        Policy::seed_shanghai_2020(),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    /// Open the day `days` ahead (1 to 5).
    Open {
        days: u8,
    },
    Start {
        person: usize,
        policy: usize,
        back: u8,
    },
    /// A check today or `back` days ago; a fever now and then.
    Check {
        person: usize,
        back: u8,
        fever: bool,
        clean_last: bool,
    },
    Test {
        person: usize,
        back: u8,
        positive: bool,
    },
    Adjust {
        case: usize,
        days: i8,
    },
    Change {
        from: usize,
        to: usize,
    },
    Release {
        case: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (1u8..=5).prop_map(|days| Op::Open { days }),
        5 => (0usize..6, 0usize..6, 0u8..4).prop_map(|(person, policy, back)| Op::Start { person, policy, back }),
        6 => (0usize..6, 0u8..3, prop::bool::weighted(0.1), any::<bool>())
            .prop_map(|(person, back, fever, clean_last)| Op::Check { person, back, fever, clean_last }),
        5 => (0usize..6, 0u8..4, prop::bool::weighted(0.1))
            .prop_map(|(person, back, positive)| Op::Test { person, back, positive }),
        3 => (0usize..12, -6i8..=6).prop_map(|(case, days)| Op::Adjust { case, days }),
        2 => (0usize..6, 0usize..6).prop_map(|(from, to)| Op::Change { from, to }),
        2 => (0usize..12).prop_map(|case| Op::Release { case }),
    ]
}

fn command(w: &World, op: &Op) -> Command {
    let today = w.reg.business_date().unwrap_or(date(2022, 11, 1));
    let back = |days: u8| today - chrono::TimeDelta::days(i64::from(days));
    let person = |p: usize| w.persons[p % w.persons.len()];
    let case = |c: usize| CaseId::new((c % w.reg.cases().count().max(1)) as u32);
    match *op {
        Op::Open { days } => Command::OpenDay { today: today + chrono::TimeDelta::days(i64::from(days)) },
        Op::Start { person: p, policy, back: b } => Command::StartCase {
            person: person(p),
            policy: w.policies[policy % w.policies.len()],
            category: if policy % w.policies.len() == 5 {
                Category::ArrivalFromEpidemicArea
            } else {
                Category::CloseContact
            },
            anchor: back(b),
            on: today,
            linked: None,
        },
        Op::Check { person: p, back: b, fever, clean_last } => {
            // Now and then the check of the case's last day, so that releases happen.
            let day = match w.reg.active_case(person(p)).and_then(|c| w.reg.schedule(c).ok()) {
                Some(s) if clean_last && s.last_day() <= today => s.last_day(),
                _ => back(b),
            };
            let tenths = if fever { 385 } else { 365 };
            let temperature = Temperature::from_tenths(tenths).expect("a temperature");
            Command::RecordCheck { person: person(p), at: at(day, 8), temperature, symptoms: false }
        }
        Op::Test { person: p, back: b, positive } => {
            let result = if positive { TestResult::Positive } else { TestResult::Negative };
            Command::RecordTest { person: person(p), on: back(b), result }
        }
        Op::Adjust { case: c, days } => {
            Command::AdjustCase {
                case: case(c), days: i16::from(days), reason: reason("调整"), by: w.staff, on: today
            }
        }
        Op::Change { from, to } => Command::ChangePolicy {
            from: w.policies[from % w.policies.len()],
            to: w.policies[to % w.policies.len()],
            on: today,
        },
        Op::Release { case: c } => Command::Release { case: case(c), on: today },
    }
}

/// After every command: no case released before its release date or the date of its latest
/// change; every change event's release is the case's, never before the change's day.
fn check_releases(w: &World, events: &[Event]) -> Result<(), TestCaseError> {
    for (id, case) in w.reg.cases() {
        if let CaseStatus::Released { on } = case.status() {
            let s = w.reg.schedule(id).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(*on >= s.release(), "{} released {} before its release {}", id, on, s.release());
            if let Some(latest) = case.changes().last() {
                prop_assert!(*on >= latest.on(), "{} released {} before its change of {}", id, on, latest.on());
            }
        }
    }
    for event in events {
        if let Event::PolicyChanged { case, on, release, previous_release, .. }
        | Event::CaseAdjusted { case, on, release, previous_release, .. } = event
        {
            prop_assert!(release >= on, "{:?}: released before the change", event);
            let c = w.reg.case(*case).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(c.changes().iter().any(|x| x.on() == *on && x.previous_release() == *previous_release));
            if c.status().is_active() {
                let s = w.reg.schedule(*case).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(s.release(), *release, "{:?}: another release than the case's", event);
            }
        }
    }
    Ok(())
}

fn run(ops: &[Op]) -> Result<World, TestCaseError> {
    let mut w = World::new(property_policies());
    let start = date(2022, 11, 1);
    w.open(start);
    for op in ops {
        let cmd = command(&w, op);
        if let Command::OpenDay { today } = cmd
            && let Some(from) = w.reg.business_date()
            && (today - from).num_days() > 1
        {
            // One OpenDay several days ahead == the days opened one by one.
            let mut stepped = w.reg.clone();
            let mut by_day = Vec::new();
            let mut day = from;
            while day < today {
                day = day.succ_opt().expect("a date");
                let events =
                    stepped.apply(Command::OpenDay { today: day }).map_err(|e| TestCaseError::fail(e.to_string()))?;
                by_day.extend(events.into_iter().filter(|e| !matches!(e, Event::DayOpened { .. })));
            }
            let jumped = w.run(cmd).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&jumped[1..], &by_day[..], "a jump to {} differs from its days", today);
            prop_assert!(stepped == w.reg, "a jump to {} leaves another registry", today);
            check_releases(&w, &jumped)?;
            continue;
        }
        let before = w.reg.clone();
        match w.run(cmd.clone()) {
            Ok(events) => check_releases(&w, &events)?,
            Err(_) => prop_assert!(w.reg == before, "a refused {:?} changed the registry", cmd),
        }
        prop_assert!(w.reg.audit().is_empty(), "audit after {:?}: {:?}", cmd, w.reg.audit());
    }
    let replayed = Registry::replay(&w.log).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(replayed == w.reg, "the log replays into another registry");
    Ok(w)
}

proptest! {
    #![proptest_config(proptest_config::persisted("proptest-regressions/protocol_rules.txt", 128))]

    #[test]
    fn protocol_rules_keep_the_day_by_day_run_and_free_nobody_early(ops in prop::collection::vec(op(), 1..80)) {
        run(&ops)?;
    }
}

/// The property's operations are not idle: over a fixed set of sequences, protocol changes and
/// adjustments are made, cases are released early on a sample, escalate while monitoring after
/// release, and days are opened several at a time.
#[test]
fn the_operations_reach_every_protocol_rule() {
    use proptest::strategy::{Strategy, ValueTree};
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = prop::collection::vec(op(), 80);
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    for _ in 0..48 {
        let ops = strategy.new_tree(&mut runner).expect("a sequence").current();
        let w = run(&ops).expect("the property holds");
        let mut released_from: std::collections::BTreeMap<CaseId, bool> = Default::default();
        for e in &w.log {
            let kind = match e {
                Event::PolicyChanged { .. } => "policy changed",
                Event::CaseAdjusted { days, .. } if *days > 0 => "extended",
                Event::CaseAdjusted { .. } => "shortened",
                Event::CaseReleased { case, .. } => {
                    released_from.insert(*case, true);
                    let s = w.reg.schedule(*case).expect("a case");
                    match s.early() {
                        None if s.total_days() == 7 && s.release_rule() == wangge::quarantine::Release::DayAfter => {
                            "released early"
                        }
                        _ => "released",
                    }
                }
                Event::CheckRecorded { case, escalation: Some(_), .. } if released_from.contains_key(case) => {
                    "escalated while monitoring"
                }
                Event::DayOpened { .. } => "day opened",
                _ => continue,
            };
            *seen.entry(kind).or_default() += 1;
        }
    }
    println!("{seen:?}");
    for kind in ["policy changed", "extended", "shortened", "released", "released early", "escalated while monitoring"]
    {
        assert!(seen.get(kind).is_some_and(|&n| n > 0), "never: {kind} ({seen:?})");
    }
}
