//! Random registries for the store's tests: abstract operations (picks among what exists)
//! turned into commands against the registry of the moment, touching every part of a snapshot:
//! units with and without codes, overlays and cells, households, persons with every
//! combination of optional fields (the ones `skip_serializing_if` leaves out of their form),
//! states, policies and cases (close contacts, and secondary contacts linked to a case or said
//! unlinked) with checks and tests (some back-dated) and their errata, business days opened one
//! by one, staff with and without availability and its later changes, schemes and their
//! rosters.

#![allow(dead_code)]

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use wangge::colour::{PersonState, State};
use wangge::duty::{Availability, Qualification, Qualifications, Scheme, Staff};
use wangge::grid::{CompoundKind, Level, LevelScheme, NewUnit, OverlayKind, UnitKind};
use wangge::people::{DoorLabel, Marker, Markers, Name, Passport, PersonRecord, Phone, ResidentId};
use wangge::quarantine::{Category, Link, Policy, Reading, Sample, Temperature, TestResult};
use wangge::registry::RequestId;
use wangge::{CaseId, Command, HouseholdId, OverlayId, PersonId, PolicyId, Registry, SchemeId, StaffId, UnitId};

/// One abstract operation; every number is a pick.
#[derive(Debug, Clone)]
pub enum Op {
    Unit {
        parent: u16,
        kind: u8,
        code: bool,
    },
    Overlay {
        kind: bool,
    },
    Cell {
        overlay: u16,
        units: Vec<u16>,
    },
    Household {
        unit: u16,
        door: u16,
    },
    Person {
        household: u16,
        fields: u8,
        n: u16,
    },
    State {
        person: u16,
        state: u8,
    },
    Markers {
        person: u16,
        bits: u8,
    },
    Policy {
        which: u8,
    },
    /// `link`: a close contact (0), else a secondary contact linked to a case or unlinked.
    Case {
        person: u16,
        policy: u16,
        link: u8,
    },
    /// `back`: how many days before the business date (back-dated records are allowed).
    Check {
        person: u16,
        tenths: u16,
        back: u8,
    },
    Test {
        person: u16,
        positive: bool,
        back: u8,
    },
    /// An erratum of the last check recorded for a person: struck or re-read.
    CorrectCheck {
        person: u16,
        strike: bool,
    },
    /// An erratum of one of a case's test results: struck or its result flipped.
    CorrectTest {
        case: u16,
        test: u16,
        strike: bool,
    },
    Day,
    Staff {
        home: u16,
        q: u8,
        availability: u8,
    },
    Availability {
        staff: u16,
        which: u8,
    },
    Scheme {
        which: u8,
    },
    Solve {
        scheme: u16,
    },
}

/// The first day of every case.
pub fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, 1).expect("a valid date")
}

/// A fresh registry under Zhengzhou's levels: 街道 > 社区 > 楼院 > 楼组.
pub fn founded() -> Registry {
    let levels = LevelScheme::zhengzhou();
    Registry::new(levels, NewUnit::new("花园路街道", Level::new(0), UnitKind::Area)).expect("a valid root")
}

/// A strategy for one operation: growth first in weight, then everything else.
pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (any::<u16>(), any::<u8>(), any::<bool>()).prop_map(|(parent, kind, code)| Op::Unit { parent, kind, code }),
        1 => any::<bool>().prop_map(|kind| Op::Overlay { kind }),
        2 => (any::<u16>(), prop::collection::vec(any::<u16>(), 1..3)).prop_map(|(overlay, units)| Op::Cell { overlay, units }),
        6 => (any::<u16>(), any::<u16>()).prop_map(|(unit, door)| Op::Household { unit, door }),
        8 => (any::<u16>(), any::<u8>(), any::<u16>()).prop_map(|(household, fields, n)| Op::Person { household, fields, n }),
        2 => (any::<u16>(), any::<u8>()).prop_map(|(person, state)| Op::State { person, state }),
        1 => (any::<u16>(), any::<u8>()).prop_map(|(person, bits)| Op::Markers { person, bits }),
        1 => any::<u8>().prop_map(|which| Op::Policy { which }),
        3 => (any::<u16>(), any::<u16>(), any::<u8>()).prop_map(|(person, policy, link)| Op::Case { person, policy, link }),
        2 => (any::<u16>(), 355u16..395, 0u8..3).prop_map(|(person, tenths, back)| Op::Check { person, tenths, back }),
        2 => (any::<u16>(), prop::bool::weighted(0.2), 0u8..3).prop_map(|(person, positive, back)| Op::Test { person, positive, back }),
        1 => (any::<u16>(), any::<bool>()).prop_map(|(person, strike)| Op::CorrectCheck { person, strike }),
        1 => (any::<u16>(), any::<u16>(), any::<bool>()).prop_map(|(case, test, strike)| Op::CorrectTest { case, test, strike }),
        1 => Just(Op::Day),
        2 => (any::<u16>(), any::<u8>(), any::<u8>()).prop_map(|(home, q, availability)| Op::Staff { home, q, availability }),
        1 => (any::<u16>(), any::<u8>()).prop_map(|(staff, which)| Op::Availability { staff, which }),
        1 => any::<u8>().prop_map(|which| Op::Scheme { which }),
        1 => any::<u16>().prop_map(|scheme| Op::Solve { scheme }),
    ]
}

/// Operations with a deterministic generator (for the writer processes of the fault tests):
/// a splitmix64 stream from `seed`.
pub fn ops_from_seed(seed: u64, n: usize) -> Vec<Op> {
    let mut x = seed;
    let mut next = move || {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    (0..n)
        .map(|_| {
            let r = next();
            let a = (r >> 8) as u16;
            let b = (r >> 24) as u16;
            let c = (r >> 40) as u8;
            match r % 44 {
                0..=5 => Op::Unit { parent: a, kind: c, code: b.is_multiple_of(2) },
                6 => Op::Overlay { kind: c.is_multiple_of(2) },
                7 => Op::Cell { overlay: a, units: vec![b] },
                8..=13 => Op::Household { unit: a, door: b },
                14..=23 => Op::Person { household: a, fields: c, n: b },
                24..=25 => Op::State { person: a, state: c },
                26 => Op::Markers { person: a, bits: c },
                27 => Op::Policy { which: c },
                28..=30 => Op::Case { person: a, policy: b, link: c },
                31..=32 => Op::Check { person: a, tenths: 355 + b % 40, back: c % 3 },
                33..=34 => Op::Test { person: a, positive: c.is_multiple_of(5), back: (c / 5) % 3 },
                35 => Op::Day,
                36..=37 => Op::Staff { home: a, q: c, availability: b as u8 },
                38 => Op::Scheme { which: c },
                39 => Op::CorrectCheck { person: a, strike: c.is_multiple_of(2) },
                40 => Op::CorrectTest { case: a, test: b, strike: c.is_multiple_of(2) },
                41 => Op::Availability { staff: a, which: c },
                42 => Op::Day,
                _ => Op::Solve { scheme: a },
            }
        })
        .collect()
}

/// A pick among `n` (0 when there is none).
fn pick(p: u16, n: usize) -> u32 {
    if n == 0 { 0 } else { (usize::from(p) % n) as u32 }
}

/// The business date of a registry driven by these operations: the start plus the rounds run.
pub struct Driver {
    pub today: NaiveDate,
    /// The last check sent for each person (accepted or not), for the errata.
    readings: std::collections::HashMap<PersonId, Reading>,
}

impl Default for Driver {
    fn default() -> Self {
        Driver { today: start(), readings: std::collections::HashMap::new() }
    }
}

/// Mostly (three picks in four) a person under a case, when there is one, so that checks,
/// tests and their errata are often accepted; else any person.
fn case_person(reg: &Registry, p: u16, persons: usize) -> PersonId {
    let under: Vec<PersonId> = reg.cases().map(|(_, c)| c.person()).collect();
    if !p.is_multiple_of(4) && !under.is_empty() {
        under[pick(p / 4, under.len()) as usize]
    } else {
        PersonId::new(pick(p, persons))
    }
}

/// The case of `person` (the latest started), if any.
fn case_of(reg: &Registry, person: PersonId) -> Option<CaseId> {
    reg.cases().filter(|(_, c)| c.person() == person).map(|(id, _)| id).last()
}

impl Driver {
    /// The command `op` becomes against `reg` (often one the registry refuses).
    pub fn command(&mut self, reg: &Registry, op: &Op) -> Command {
        let tree = reg.tree();
        let units = tree.len();
        let households = reg.population().household_count();
        let persons = reg.population().person_count();
        let today = self.today;
        match op {
            Op::Unit { parent, kind, code } => {
                let parent = UnitId::new(pick(*parent, units));
                let level = tree.level(parent).map(|l| l.index() + 1).unwrap_or(1);
                let kind = match kind % 4 {
                    0 | 1 => UnitKind::Area,
                    2 => UnitKind::Compound(CompoundKind::ALL[usize::from(*kind / 4) % CompoundKind::ALL.len()]),
                    _ => UnitKind::Building,
                };
                let mut unit =
                    NewUnit::new(format!("单元{units}"), Level::new(u8::try_from(level).unwrap_or(u8::MAX)), kind);
                if *code {
                    unit = unit.clone().with_code(&format!("{:06}", 410_000 + units)).unwrap_or(unit);
                }
                Command::AddUnit { parent, unit }
            }
            Op::Overlay { kind } => Command::CreateOverlay {
                name: format!("网格层{}", reg.overlays().ids().count()),
                kind: if *kind { OverlayKind::Grid } else { OverlayKind::Zone },
            },
            Op::Cell { overlay, units: picks } => Command::AddCell {
                overlay: OverlayId::new(pick(*overlay, reg.overlays().ids().count()) as u16),
                name: format!("格{}", picks.len()),
                units: picks.iter().map(|&u| UnitId::new(pick(u, units))).collect(),
            },
            Op::Household { unit, door } => Command::AddHousehold {
                unit: UnitId::new(pick(*unit, units)),
                door: DoorLabel::new(&format!("{}-{:02}", door % 30 + 1, door / 30 % 99 + 1)).expect("a valid door"),
            },
            Op::Person { household, fields, n } => {
                let mut record = PersonRecord::new();
                if fields & 1 != 0 {
                    let birth = NaiveDate::from_ymd_opt(1950, 1, 1).expect("valid") + Days::new(u64::from(*n % 20_000));
                    if let Ok(id) = ResidentId::from_parts(410_105, birth, (*n % 997) + persons as u16 % 3) {
                        record = record.with_resident_id(id);
                    }
                }
                if fields & 2 != 0 {
                    record = record.with_passport(Passport::new("DEU", &format!("C01X{n:05}")).expect("valid"));
                }
                if fields & 4 != 0 {
                    record = record.with_name(Name::new(&format!("居民{n}")).expect("valid"));
                }
                if fields & 8 != 0 {
                    record = record.with_phone(Phone::new(&format!("138{:08}", n)).expect("valid"));
                }
                if fields & 16 != 0 {
                    record = record.with_markers(markers(*fields >> 5));
                }
                Command::RegisterPerson {
                    household: HouseholdId::new(pick(*household, households)),
                    record,
                    state: PersonState::well(today),
                }
            }
            Op::State { person, state } => Command::SetState {
                person: PersonId::new(pick(*person, persons)),
                state: State::ALL[usize::from(*state) % State::ALL.len()],
                on: today,
            },
            Op::Markers { person, bits } => {
                Command::SetMarkers { person: PersonId::new(pick(*person, persons)), markers: markers(*bits) }
            }
            Op::Policy { which } => {
                let policy = match which % 4 {
                    0 => Policy::cn_ed9_close_contact(),
                    1 => Policy::cn_ed9_secondary_contact(),
                    2 => Policy::seed_shanghai_2020(),
                    _ => Policy::cn_20_measures_close_contact(),
                };
                Command::AdoptPolicy { policy }
            }
            Op::Case { person, policy, link } => {
                // A secondary contact follows a close contact's case under a policy whose
                // release is linked (the only one that takes a link), when there is one.
                let close: Vec<CaseId> =
                    reg.cases().filter(|(_, c)| c.category() == Category::CloseContact).map(|(id, _)| id).collect();
                let linking = reg.policies().find(|(_, p)| p.linked().is_some()).map(|(id, _)| id);
                let (category, linked, follows) = match (link % 4, linking) {
                    (2, _) => (Category::SecondaryContact, Some(Link::Unlinked), None),
                    (3, Some(linking)) if !close.is_empty() => (
                        Category::SecondaryContact,
                        Some(Link::Case(close[pick(u16::from(*link / 4), close.len()) as usize])),
                        Some(linking),
                    ),
                    _ => (Category::CloseContact, None, None),
                };
                Command::StartCase {
                    person: PersonId::new(pick(*person, persons)),
                    policy: follows.unwrap_or(PolicyId::new(pick(*policy, reg.policies().count().max(1)) as u16)),
                    category,
                    anchor: today - Days::new(u64::from(link % 3)),
                    on: today,
                    linked,
                }
            }
            Op::Check { person, tenths, back } => {
                let person = case_person(reg, *person, persons);
                let at = (today - Days::new(u64::from(*back))).and_hms_opt(8, 0, 0).expect("valid");
                let temperature = Temperature::from_tenths(*tenths).expect("in range");
                self.readings.insert(person, Reading { at, temperature, symptoms: false });
                Command::RecordCheck { person, at, temperature, symptoms: false }
            }
            Op::Test { person, positive, back } => Command::RecordTest {
                person: case_person(reg, *person, persons),
                on: today - Days::new(u64::from(*back)),
                result: if *positive { TestResult::Positive } else { TestResult::Negative },
            },
            Op::CorrectCheck { person, strike } => {
                let person = case_person(reg, *person, persons);
                let recorded = self.readings.get(&person).copied().unwrap_or(Reading {
                    at: today.and_hms_opt(8, 0, 0).expect("valid"),
                    temperature: Temperature::from_tenths(365).expect("in range"),
                    symptoms: false,
                });
                let corrected = (!*strike).then(|| Reading {
                    temperature: Temperature::from_tenths(if recorded.temperature.tenths() >= 373 { 366 } else { 385 })
                        .expect("in range"),
                    ..recorded
                });
                Command::CorrectCheck { case: case_of(reg, person).unwrap_or(CaseId::new(0)), recorded, corrected }
            }
            Op::CorrectTest { case, test, strike } => {
                // A case with a test result, when there is one.
                let tested: Vec<CaseId> =
                    reg.cases().filter(|(_, c)| c.tests().next().is_some()).map(|(id, _)| id).collect();
                let case = tested.get(pick(*case, tested.len()) as usize).copied().unwrap_or(CaseId::new(0));
                let tests: Vec<(NaiveDate, TestResult)> =
                    reg.case(case).map(|c| c.tests().collect()).unwrap_or_default();
                let (on, result) =
                    tests.get(pick(*test, tests.len()) as usize).copied().unwrap_or((today, TestResult::Negative));
                let flipped = if result == TestResult::Positive { TestResult::Negative } else { TestResult::Positive };
                Command::CorrectTest { case, on, corrected: (!*strike).then_some(Sample { on, result: flipped }) }
            }
            Op::Day => {
                self.today = today + Days::new(1);
                Command::OpenDay { today: self.today }
            }
            Op::Staff { home, q, availability } => {
                let q = Qualification::ALL[usize::from(*q) % Qualification::ALL.len()];
                let mut staff = Staff::new(
                    Name::new(&format!("干部{home}")).expect("valid"),
                    Qualifications::only(q),
                    UnitId::new(pick(*home, units)),
                    3,
                )
                .expect("valid staff");
                if availability % 3 == 1 {
                    staff = staff.clone().available(Some(today), None).unwrap_or(staff);
                } else if availability % 3 == 2 {
                    staff = staff.clone().available(None, Some(today + Days::new(30))).unwrap_or(staff);
                }
                Command::AddStaff { staff }
            }
            Op::Availability { staff, which } => {
                let staff = StaffId::new(pick(*staff, reg.staff_pool().len()));
                let availability = match which % 4 {
                    0 => Availability::Always,
                    1 => Availability::From(today + Days::new(u64::from(which / 4 % 5))),
                    2 => Availability::Until(today + Days::new(u64::from(which / 4 % 20))),
                    _ => Availability::Between { from: today, until: today + Days::new(u64::from(which / 4)) },
                };
                Command::SetAvailability { staff, availability }
            }
            Op::Scheme { which } => {
                let scheme = if which % 2 == 0 {
                    Scheme::two_plus_three()
                } else {
                    Scheme::six_cover_one(Level::new(1), Level::new(0), None)
                        .unwrap_or_else(|_| Scheme::two_plus_three())
                };
                Command::AdoptScheme { scheme }
            }
            Op::Solve { scheme } => Command::Solve {
                scheme: SchemeId::new(pick(*scheme, reg.schemes().count().max(1)) as u16),
                on: today,
                balanced: true,
            },
        }
    }
}

fn markers(bits: u8) -> Markers {
    Marker::ALL.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, &m)| m).collect()
}

/// Drive `reg` through `ops` (refused commands skipped); returns how many were accepted.
/// Every fourth accepted command carries a request id.
pub fn drive(reg: &mut Registry, ops: &[Op]) -> usize {
    drive_with(reg, ops, |_| {})
}

/// How many events of each kind (by variant name) `ops` make when they drive `reg`.
pub fn event_kinds(reg: &mut Registry, ops: &[Op]) -> std::collections::BTreeMap<String, usize> {
    let mut kinds = std::collections::BTreeMap::new();
    drive_with(reg, ops, |events| {
        for event in events {
            let name: String = format!("{event:?}").chars().take_while(|c| c.is_alphanumeric()).collect();
            *kinds.entry(name).or_insert(0) += 1;
        }
    });
    kinds
}

pub fn drive_with(reg: &mut Registry, ops: &[Op], mut seen: impl FnMut(&[wangge::Event])) -> usize {
    let mut driver = Driver::default();
    let mut accepted = 0;
    // Records for cases wait for the first business date 业务日期.
    if let Ok(answer) = reg.execute(Command::OpenDay { today: driver.today }, None) {
        seen(answer.events().unwrap_or_default());
        accepted += 1;
    }
    for (i, op) in ops.iter().enumerate() {
        let command = driver.command(reg, op);
        let request = (i % 4 == 0).then(|| RequestId::new(format!("req-{i}")).expect("valid"));
        if let Ok(answer) = reg.execute(command, request) {
            seen(answer.events().unwrap_or_default());
            accepted += 1;
        }
    }
    accepted
}
