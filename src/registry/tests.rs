//! Unit tests of the registry's commands, events, snapshots and scopes.

use chrono::NaiveDate;

use super::*;
use crate::colour::PersonState;
use crate::grid::{CompoundKind, Level, NewUnit, OverlayKind, UnitKind};
use crate::people::{DoorLabel, Marker, Markers, PeopleError, PersonRecord, ResidentId};

struct Fixture {
    reg: Registry,
    log: Vec<Event>,
}

impl Fixture {
    fn new() -> Self {
        let reg =
            Registry::new(LevelScheme::zhengzhou(), NewUnit::new("花园路街道", Level::new(0), UnitKind::Area)).unwrap();
        let log = vec![reg.founding_event()];
        Fixture { reg, log }
    }

    fn run(&mut self, cmd: Command) -> Result<Event, Error> {
        let before = self.reg.clone();
        match self.reg.apply(cmd) {
            Ok(events) => {
                self.log.extend(events.iter().cloned());
                assert!(self.reg.audit().is_empty(), "{:?}", self.reg.audit());
                Ok(events[0].clone())
            }
            Err(e) => {
                assert_eq!(self.reg, before, "a refused command changed the registry");
                Err(e)
            }
        }
    }

    fn unit(&mut self, parent: UnitId, name: &str, level: u8, kind: UnitKind) -> UnitId {
        match self.run(Command::AddUnit { parent, unit: NewUnit::new(name, Level::new(level), kind) }) {
            Ok(Event::UnitAdded { unit, .. }) => unit,
            other => panic!("{other:?}"),
        }
    }

    fn household(&mut self, unit: UnitId, door: &str) -> HouseholdId {
        match self.run(Command::AddHousehold { unit, door: DoorLabel::new(door).unwrap() }) {
            Ok(Event::HouseholdAdded { household, .. }) => household,
            other => panic!("{other:?}"),
        }
    }

    fn person(&mut self, household: HouseholdId, record: PersonRecord) -> Result<PersonId, Error> {
        match self.run(Command::RegisterPerson { household, record, state: PersonState::well(day(1)) })? {
            Event::PersonRegistered { person, .. } => Ok(person),
            other => panic!("{other:?}"),
        }
    }

    fn replay_matches(&self) {
        assert_eq!(Registry::replay(&self.log).unwrap(), self.reg);
        assert_eq!(Registry::from_snapshot(self.reg.snapshot()).unwrap(), self.reg);
    }
}

const YARD: UnitKind = UnitKind::Compound(CompoundKind::WorkUnit);

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).unwrap()
}

#[test]
fn counts_roll_up_every_level_live() {
    let mut f = Fixture::new();
    let root = f.reg.root();
    let c = f.unit(root, "社区", 1, UnitKind::Area);
    let y = f.unit(c, "楼院", 2, YARD);
    let b = f.unit(y, "楼组", 3, UnitKind::Building);
    let h = f.household(b, "1-101");
    let h2 = f.household(c, "平房 3");
    for _ in 0..3 {
        f.person(h, PersonRecord::new()).unwrap();
    }
    f.person(h2, PersonRecord::new()).unwrap();
    assert_eq!(f.reg.counts(b).unwrap(), Counts { households: 1, persons: 3 });
    assert_eq!(f.reg.counts(y).unwrap(), Counts { households: 1, persons: 3 });
    assert_eq!(f.reg.counts(c).unwrap(), Counts { households: 2, persons: 4 });
    assert_eq!(f.reg.counts(root).unwrap(), Counts { households: 2, persons: 4 });
    assert_eq!(f.reg.households_within(c).unwrap().collect::<Vec<_>>(), vec![h2, h]);
    f.replay_matches();
}

#[test]
fn one_person_one_file_names_the_holding_household() {
    let mut f = Fixture::new();
    let c = f.unit(f.reg.root(), "社区", 1, UnitKind::Area);
    let (h1, h2) = (f.household(c, "1"), f.household(c, "2"));
    let id = ResidentId::parse("11010519491231002X").unwrap();
    let p = f.person(h1, PersonRecord::new().with_resident_id(id)).unwrap();
    let err = f.person(h2, PersonRecord::new().with_resident_id(id)).unwrap_err();
    assert_eq!(err, Error::People(PeopleError::DuplicateResidentId { household: h1, person: p }));
    assert!(!err.to_string().contains("11010519491231002X"));
    assert_eq!(f.reg.population().find_resident(&id), Some(p));
    // Moving a person is one command, and their file goes with them.
    f.run(Command::MovePerson { person: p, to: h2, on: day(2) }).unwrap();
    assert_eq!(f.reg.person(p).unwrap().household(), h2);
    assert_eq!(f.reg.household(h1).unwrap().members(), &[]);
    let err = f.person(h1, PersonRecord::new().with_resident_id(id)).unwrap_err();
    assert_eq!(err, Error::People(PeopleError::DuplicateResidentId { household: h2, person: p }));
    f.replay_matches();
}

#[test]
fn moving_people_and_households_moves_their_counts() {
    let mut f = Fixture::new();
    let root = f.reg.root();
    let (c1, c2) = (f.unit(root, "一", 1, UnitKind::Area), f.unit(root, "二", 1, UnitKind::Area));
    let (h1, h2) = (f.household(c1, "1"), f.household(c2, "1"));
    let p = f.person(h1, PersonRecord::new()).unwrap();
    f.person(h1, PersonRecord::new()).unwrap();
    f.run(Command::MovePerson { person: p, to: h2, on: day(2) }).unwrap();
    assert_eq!(f.reg.counts(c1).unwrap(), Counts { households: 1, persons: 1 });
    assert_eq!(f.reg.counts(c2).unwrap(), Counts { households: 1, persons: 1 });
    // Same door label at the same unit is refused; elsewhere it is fine.
    assert!(matches!(
        f.run(Command::MoveHousehold { household: h1, to: c2 }),
        Err(Error::People(PeopleError::DuplicateDoor { .. }))
    ));
    let y = f.unit(c2, "院", 2, YARD);
    f.run(Command::MoveHousehold { household: h1, to: y }).unwrap();
    assert_eq!(f.reg.counts(c1).unwrap(), Counts::default());
    assert_eq!(f.reg.counts(c2).unwrap(), Counts { households: 2, persons: 2 });
    f.run(Command::MoveUnit { unit: y, new_parent: c1 }).unwrap();
    assert_eq!(f.reg.counts(c1).unwrap(), Counts { households: 1, persons: 1 });
    assert_eq!(f.reg.counts(root).unwrap(), Counts { households: 2, persons: 2 });
    f.run(Command::SetMarkers { person: p, markers: Markers::new().with(Marker::PartyMember) }).unwrap();
    assert!(f.reg.person(p).unwrap().markers().contains(Marker::PartyMember));
    f.replay_matches();
}

#[test]
fn closing_needs_its_households_transferred_in_the_same_command() {
    let mut f = Fixture::new();
    let c = f.unit(f.reg.root(), "社区", 1, UnitKind::Area);
    let (y1, y2) = (f.unit(c, "旧院", 2, YARD), f.unit(c, "新院", 2, YARD));
    let h = f.household(y1, "1");
    f.person(h, PersonRecord::new()).unwrap();
    let refused = f.run(Command::CloseUnit { unit: y1, on: day(3), transfer_to: None });
    assert_eq!(refused, Err(RegistryError::HouseholdsRemain { unit: y1, households: 1 }.into()));
    let inside = f.run(Command::CloseUnit { unit: c, on: day(3), transfer_to: Some(y1) });
    assert!(matches!(inside, Err(Error::Grid(GridError::HasOpenChildren { .. }))));
    let to_self = f.run(Command::CloseUnit { unit: y1, on: day(3), transfer_to: Some(y1) });
    assert_eq!(to_self, Err(RegistryError::TransferInside { unit: y1, target: y1 }.into()));
    f.run(Command::CloseUnit { unit: y1, on: day(3), transfer_to: Some(y2) }).unwrap();
    assert_eq!(f.reg.household(h).unwrap().unit(), y2);
    assert_eq!(f.reg.counts(y2).unwrap(), Counts { households: 1, persons: 1 });
    assert_eq!(f.reg.counts(c).unwrap(), Counts { households: 1, persons: 1 });
    assert!(matches!(
        f.run(Command::AddHousehold { unit: y1, door: DoorLabel::new("2").unwrap() }),
        Err(Error::Grid(GridError::UnitClosed { .. }))
    ));
    f.replay_matches();
}

#[test]
fn overlays_cover_without_overlap_and_list_their_gaps() {
    let mut f = Fixture::new();
    let root = f.reg.root();
    let (c1, c2) = (f.unit(root, "一", 1, UnitKind::Area), f.unit(root, "二", 1, UnitKind::Area));
    let y = f.unit(c1, "院", 2, YARD);
    let (h1, h2) = (f.household(y, "1"), f.household(c2, "1"));
    let Ok(Event::OverlayCreated { overlay, .. }) =
        f.run(Command::CreateOverlay { name: "片区".into(), kind: OverlayKind::Zone })
    else {
        panic!()
    };
    assert!(f.run(Command::CreateOverlay { name: "片区".into(), kind: OverlayKind::Grid }).is_err());
    let Ok(Event::CellAdded { cell, .. }) = f.run(Command::AddCell { overlay, name: "A".into(), units: vec![c1] })
    else {
        panic!()
    };
    assert_eq!(f.reg.coverage(overlay).unwrap(), vec![h2]);
    assert!(!f.reg.is_complete(overlay).unwrap());
    assert!(matches!(
        f.run(Command::AddCell { overlay, name: "B".into(), units: vec![y] }),
        Err(Error::Grid(GridError::CellOverlap { .. }))
    ));
    assert!(matches!(
        f.run(Command::AddCell { overlay, name: "B".into(), units: vec![root] }),
        Err(Error::Grid(GridError::CellOverlap { .. }))
    ));
    assert!(matches!(
        f.run(Command::AddCell { overlay, name: "B".into(), units: vec![] }),
        Err(Error::Grid(GridError::EmptyCell))
    ));
    f.run(Command::ExtendCell { cell, units: vec![c2] }).unwrap();
    assert!(f.reg.is_complete(overlay).unwrap());
    assert_eq!(f.reg.cell_of(overlay, h1).unwrap(), Some(cell));
    assert_eq!(f.reg.households_in_cell(cell).unwrap(), vec![h1, h2]);
    // A move that would nest one named unit inside another is refused.
    let Ok(Event::OverlayCreated { overlay: grids, .. }) =
        f.run(Command::CreateOverlay { name: "网格".into(), kind: OverlayKind::Grid })
    else {
        panic!()
    };
    let y2 = f.unit(c2, "院二", 2, YARD);
    f.run(Command::AddCell { overlay: grids, name: "g1".into(), units: vec![y] }).unwrap();
    f.run(Command::AddCell { overlay: grids, name: "g2".into(), units: vec![c2] }).unwrap();
    assert!(matches!(
        f.run(Command::MoveUnit { unit: y, new_parent: c2 }),
        Err(Error::Grid(GridError::CellOverlap { .. }))
    ));
    f.run(Command::MoveUnit { unit: y2, new_parent: c1 }).unwrap();
    f.replay_matches();
}

#[test]
fn replay_refuses_logs_that_do_not_fit() {
    let mut f = Fixture::new();
    let c = f.unit(f.reg.root(), "社区", 1, UnitKind::Area);
    f.household(c, "1");
    let mut wrong_id = f.log.clone();
    if let Event::HouseholdAdded { household, .. } = &mut wrong_id[2] {
        *household = HouseholdId::new(5);
    }
    let err = Registry::replay(&wrong_id).unwrap_err();
    assert!(matches!(&err, Error::Registry(RegistryError::Replay { index: 2, .. })), "{err}");
    assert!(Registry::replay(&f.log[1..]).is_err());
    let twice: Vec<Event> = f.log.iter().chain(f.log.iter().take(1)).cloned().collect();
    assert!(Registry::replay(&twice).is_err());
    assert!(Registry::replay(&[]).is_err());
    let stale = Event::HouseholdMoved { household: HouseholdId::new(0), from: f.reg.root(), to: c };
    assert!(matches!(f.reg.clone().apply_event(&stale), Err(Error::Registry(RegistryError::Mismatch { .. }))));
}

#[test]
fn snapshots_refuse_other_versions_and_broken_state() {
    let mut f = Fixture::new();
    let c = f.unit(f.reg.root(), "社区", 1, UnitKind::Area);
    let y = f.unit(c, "院", 2, YARD);
    let h = f.household(y, "1");
    f.person(h, PersonRecord::new()).unwrap();
    let json = serde_json::to_string(&f.reg).unwrap();
    assert_eq!(serde_json::from_str::<Registry>(&json).unwrap(), f.reg);
    // The registry writes exactly what its snapshot would, without copying itself first.
    assert_eq!(json, serde_json::to_string(&f.reg.snapshot()).unwrap());
    let tree = serde_json::to_string(f.reg.tree()).unwrap();
    assert_eq!(tree, serde_json::to_string(&f.reg.tree().to_data()).unwrap());
    let people = serde_json::to_string(f.reg.population()).unwrap();
    assert_eq!(people, serde_json::to_string(&f.reg.population().to_data()).unwrap());

    let mut newer = f.reg.snapshot();
    newer.format = FORMAT_VERSION + 1;
    assert_eq!(
        Registry::from_snapshot(newer),
        Err(RegistryError::UnsupportedFormat { found: FORMAT_VERSION + 1, supported: FORMAT_VERSION }.into())
    );
    let mut closed_with_people = f.reg.snapshot();
    closed_with_people.tree.units[y.index()].1.closed_on = Some(day(1));
    assert!(Registry::from_snapshot(closed_with_people).is_err());
    let mut far_unit = f.reg.snapshot();
    far_unit.population.households[0].0 = UnitId::new(u32::MAX);
    assert_eq!(Registry::from_snapshot(far_unit), Err(PeopleError::UnknownUnit { unit: UnitId::new(u32::MAX) }.into()));
    let mut ghost_household = f.reg.snapshot();
    ghost_household.population.persons[0].0 = HouseholdId::new(9);
    assert!(Registry::from_snapshot(ghost_household).is_err());
}

#[test]
fn scopes_show_only_their_subtrees() {
    let mut f = Fixture::new();
    let root = f.reg.root();
    let (c1, c2) = (f.unit(root, "一", 1, UnitKind::Area), f.unit(root, "二", 1, UnitKind::Area));
    let y = f.unit(c1, "院", 2, YARD);
    let (h1, h2) = (f.household(y, "1"), f.household(c2, "1"));
    let (p1, p2) = (f.person(h1, PersonRecord::new()).unwrap(), f.person(h2, PersonRecord::new()).unwrap());
    let scope = f.reg.scope(&[c1, y]).unwrap();
    assert_eq!(scope.roots(), &[c1]);
    assert_eq!(scope.units().collect::<Vec<_>>(), vec![c1, y]);
    assert_eq!(scope.households().collect::<Vec<_>>(), vec![h1]);
    assert_eq!(scope.persons().collect::<Vec<_>>(), vec![p1]);
    assert_eq!(scope.totals(), Counts { households: 1, persons: 1 });
    assert_eq!(scope.ancestors(y).unwrap(), vec![c1]);
    let outside = |e: Result<(), Error>| matches!(e, Err(Error::Registry(RegistryError::OutsideScope { .. })));
    assert!(outside(scope.unit(c2).map(|_| ())));
    assert!(outside(scope.household(h2).map(|_| ())));
    assert!(outside(scope.person(p2).map(|_| ())));
    assert!(outside(scope.counts(root).map(|_| ())));
    assert!(outside(scope.children(c2).map(|_| ())));
    assert!(outside(scope.lowest_common_ancestor(c2, y).map(|_| ())));
    assert!(matches!(scope.unit(UnitId::new(99)), Err(Error::Grid(GridError::UnknownUnit { .. }))));
    assert!(matches!(f.reg.scope(&[]), Err(Error::Registry(RegistryError::EmptyScope))));
    let both = f.reg.scope(&[c2, c1]).unwrap();
    assert_eq!(both.lowest_common_ancestor(y, y).unwrap(), y);
    assert!(outside(both.lowest_common_ancestor(y, c2).map(|_| ())));
}

/// A scheme's load limit binds an assignment below the member's own, and the refusal names it.
#[test]
fn an_assignment_past_the_schemes_load_limit_is_refused() {
    use crate::duty::{DutyError, Qualification, Qualifications, Role, RosterProblem, Scheme, Staff, Target};
    use crate::people::Name;
    let mut f = Fixture::new();
    let root = f.reg.root();
    let (a, b) = (f.unit(root, "甲社区", 1, UnitKind::Area), f.unit(root, "乙社区", 1, UnitKind::Area));
    let six = Scheme::six_cover_one(Level::new(1), Level::new(0), None).unwrap().to_builder().load_limit(Some(1));
    let Ok(Event::SchemeAdopted { scheme, .. }) = f.run(Command::AdoptScheme { scheme: six.build().unwrap() }) else {
        panic!("adopted")
    };
    let leader = Staff::new(Name::new("区领导").unwrap(), Qualifications::only(Qualification::DistrictLeader), root, 5);
    let Ok(Event::StaffAdded { staff, .. }) = f.run(Command::AddStaff { staff: leader.unwrap() }) else {
        panic!("added")
    };
    let assign = |target| Command::Assign { scheme, target, role: Role::DistrictLeader, staff, on: day(2) };
    f.run(assign(Target::Unit(a))).unwrap();
    assert_eq!(
        f.run(assign(Target::Unit(b))),
        Err(Error::Duty(DutyError::Roster(RosterProblem::OverLoad { staff, load: 2, limit: 1 })))
    );
    let coverage = f.reg.duty_coverage(scheme, root, day(2)).unwrap();
    assert_eq!(coverage.loads.iter().map(|l| (l.load, l.limit)).collect::<Vec<_>>(), [(1, 1)]);
    f.replay_matches();
}

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

fn add(reg: &Registry, door: &str) -> Command {
    Command::AddHousehold { unit: reg.root(), door: DoorLabel::new(door).unwrap() }
}

#[test]
fn a_prepared_record_commits_only_to_the_state_it_was_prepared_on() {
    let mut reg = Fixture::new().reg;
    let prepared = reg.prepare(add(&reg, "1-101"), None).unwrap();
    // A clone taken now holds the same state: it takes the record.
    let mut same = reg.clone();
    assert!(same.commit(prepared.clone()).is_ok());
    // A clone gone its own way does not, even at the same head (apply makes no record).
    let mut other = reg.clone();
    other.apply(add(&reg, "1-102")).unwrap();
    assert_eq!(other.head(), reg.head());
    let before = other.clone();
    assert!(matches!(other.commit(prepared.clone()), Err(Error::Registry(RegistryError::StalePrepared { .. }))));
    assert!(other == before && other.head() == before.head());
    // Nor does the registry itself once it changed.
    reg.execute(add(&reg, "1-103"), None).unwrap();
    assert_eq!(
        reg.commit(prepared),
        Err(RegistryError::StalePrepared { prepared: 0, head: 1 }.into()),
        "prepared at record 0, the registry is at record 1"
    );
}

#[test]
fn request_ids_are_bounded_and_answered_once() {
    assert!(RequestId::new("").is_err());
    assert!(RequestId::new("a\nb").is_err());
    assert!(RequestId::new("界".repeat(43)).is_err()); // 129 bytes
    assert!(RequestId::new("界".repeat(42)).is_ok());
    let id = RequestId::new("retry-me").unwrap();
    assert_eq!(serde_json::to_string(&id).unwrap(), "\"retry-me\"");
    assert!(serde_json::from_str::<RequestId>("\"\"").is_err());

    let mut reg = Fixture::new().reg;
    let first = reg.execute(add(&reg, "1-101"), Some(id.clone())).unwrap();
    assert_eq!(first.position(), 1);
    let snapshot = reg.snapshot();
    assert_eq!(reg.execute(add(&reg, "1-101"), Some(id.clone())), Ok(Answer::Repeated { position: 1 }));
    assert_eq!(
        reg.execute(add(&reg, "1-102"), Some(id.clone())),
        Err(RegistryError::RequestReused { request: id.clone(), position: 1 }.into())
    );
    assert_eq!((reg.position(), reg.answered(&id)), (1, Some(1)));
    // A snapshot remembers it.
    let mut loaded = Registry::from_snapshot(snapshot).unwrap();
    assert_eq!(loaded.execute(add(&loaded, "1-101"), Some(id)), Ok(Answer::Repeated { position: 1 }));
}

#[test]
fn digests_read_and_write_as_hex() {
    let reg = Fixture::new().reg;
    let digest = reg.digest();
    let text = serde_json::to_string(&digest).unwrap();
    assert_eq!(text.len(), 66);
    assert_eq!(serde_json::from_str::<Digest>(&text).unwrap(), digest);
    assert_eq!(text.trim_matches('"').parse::<Digest>().unwrap(), digest);
    assert!("00".parse::<Digest>().is_err());
    assert!(serde_json::from_str::<Digest>(&format!("\"{}\"", "zz".repeat(32))).is_err());
    assert!(reg.founding_record().continues(&Digest::GENESIS));
    assert_eq!(reg.founding_record().head(), reg.head());
}
