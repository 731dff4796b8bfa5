//! Scenarios in the domain's words, with the seeds' own figures:
//!
//! - Changhai Road 长海路街道 (seed 000, Shanghai, five levels): 130 compounds (107
//!   property-managed closed, 20 military, 3 open) contracted in 7 zones 片区;
//! - Baiyang 白杨街道 (seed 002, Hangzhou): 25 communities and 64 compounds re-cut into 99
//!   basic grids 基层网格;
//! - Huayuan Road 花园路街道 (seed 003, Zhengzhou, four levels), as the `subdistrict` example
//!   builds it: 168 checkpoints 卡点 (29 / 88 / 42 / 9), one person one file 一人一档, closing
//!   and moving units, and a community's scope.
//!
//! Every scenario keeps its event log and ends with [`Scenario::assert_sound`]: the audit
//! 纵向稽核 finds nothing, and replaying the log rebuilds an equal registry.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use wangge::colour::{Colour, ColourRule, PersonState, State, Tally};
use wangge::grid::{
    CheckpointKind, CompoundKind, GridError, Level, LevelScheme, LevelSpec, NewUnit, OverlayKind, UnitKind,
};
use wangge::people::{DoorLabel, PeopleError, PersonRecord};
use wangge::registry::{Recolour, ScopeItem};
use wangge::{CellId, Command, Error, Event, HouseholdId, OverlayId, PersonId, Registry, RegistryError, UnitId};

/// The Huayuan Road builder of the example, shared rather than copied.
#[path = "../examples/subdistrict.rs"]
#[allow(dead_code)] // the example's printing and `main` are not used here
mod subdistrict;

/// A registry and its event log, changed only through commands.
struct Scenario {
    reg: Registry,
    log: Vec<Event>,
}

impl Scenario {
    /// A registry holding only its root, an area at the scheme's top level.
    fn new(scheme: LevelScheme, root: &str) -> Result<Self, Error> {
        let reg = Registry::new(scheme, NewUnit::new(root, Level::new(0), UnitKind::Area))?;
        let log = vec![reg.founding_event()];
        Ok(Scenario { reg, log })
    }

    /// Huayuan Road as the example builds it, with the example's log.
    fn huayuan_road() -> Result<(Self, subdistrict::Layout), Error> {
        let (reg, mut layout) = subdistrict::build_huayuan_road()?;
        let log = std::mem::take(&mut layout.log);
        Ok((Scenario { reg, log }, layout))
    }

    /// Apply a command, log its events and return the first (which names assigned ids).
    fn apply(&mut self, command: Command) -> Result<Event, Error> {
        let events = self.reg.apply(command)?;
        let first = events.first().cloned().expect("every command becomes at least one event");
        self.log.extend(events);
        Ok(first)
    }

    /// Apply a command that must be refused, check that it changed nothing, return why.
    fn refused(&mut self, command: Command) -> Error {
        let before = self.reg.clone();
        let error = self.reg.apply(command).expect_err("the command should be refused");
        assert_eq!(self.reg, before, "a refused command changed the registry");
        error
    }

    fn unit(&mut self, parent: UnitId, name: &str, level: Level, kind: UnitKind) -> Result<UnitId, Error> {
        match self.apply(Command::AddUnit { parent, unit: NewUnit::new(name, level, kind) })? {
            Event::UnitAdded { unit, .. } => Ok(unit),
            other => panic!("AddUnit became {other:?}"),
        }
    }

    fn household(&mut self, unit: UnitId, door: &str) -> Result<HouseholdId, Error> {
        match self.apply(Command::AddHousehold { unit, door: DoorLabel::new(door)? })? {
            Event::HouseholdAdded { household, .. } => Ok(household),
            other => panic!("AddHousehold became {other:?}"),
        }
    }

    /// A household with `persons` members registered without personal data.
    fn household_of(&mut self, unit: UnitId, door: &str, persons: usize) -> Result<HouseholdId, Error> {
        let household = self.household(unit, door)?;
        for _ in 0..persons {
            self.person(household, PersonRecord::new())?;
        }
        Ok(household)
    }

    fn person(&mut self, household: HouseholdId, record: PersonRecord) -> Result<PersonId, Error> {
        let state = PersonState::well(NaiveDate::from_ymd_opt(2020, 1, 25).expect("a real date"));
        match self.apply(Command::RegisterPerson { household, record, state })? {
            Event::PersonRegistered { person, .. } => Ok(person),
            other => panic!("RegisterPerson became {other:?}"),
        }
    }

    fn overlay(&mut self, name: &str, kind: OverlayKind) -> Result<OverlayId, Error> {
        match self.apply(Command::CreateOverlay { name: name.to_owned(), kind })? {
            Event::OverlayCreated { overlay, .. } => Ok(overlay),
            other => panic!("CreateOverlay became {other:?}"),
        }
    }

    fn cell(&mut self, overlay: OverlayId, name: &str, units: Vec<UnitId>) -> Result<CellId, Error> {
        match self.apply(Command::AddCell { overlay, name: name.to_owned(), units })? {
            Event::CellAdded { cell, .. } => Ok(cell),
            other => panic!("AddCell became {other:?}"),
        }
    }

    /// Units below the root, counted by kind.
    fn kinds(&self) -> HashMap<UnitKind, usize> {
        let tree = self.reg.tree();
        let mut kinds = HashMap::new();
        for u in tree.descendants(tree.root()).expect("the root exists") {
            *kinds.entry(tree.unit(u).expect("a listed unit exists").kind()).or_insert(0) += 1;
        }
        kinds
    }

    /// Every household of the registry in exactly one cell of `overlay`, the cells' households
    /// adding up to the total.
    fn assert_partition(&self, overlay: OverlayId) -> Result<(), Error> {
        assert_eq!(self.reg.coverage(overlay)?, Vec::<HouseholdId>::new(), "households in no cell");
        assert!(self.reg.is_complete(overlay)?);
        let total = self.reg.population().household_count();
        let mut seen = HashSet::new();
        let mut summed = 0;
        for &cell in self.reg.overlays().overlay(overlay)?.cells() {
            let households = self.reg.households_in_cell(cell)?;
            summed += households.len();
            for h in households {
                assert!(seen.insert(h), "{h} lies in two cells");
                assert_eq!(self.reg.cell_of(overlay, h)?, Some(cell));
            }
        }
        assert_eq!(summed, total);
        assert_eq!(seen.len(), total);
        assert_eq!(self.reg.counts(self.reg.root())?.households, total as u64);
        Ok(())
    }

    /// The audit finds nothing, the log replays into an equal registry (also after a trip
    /// through JSON, as a host would store it), and so does a snapshot.
    fn assert_sound(&self) {
        let findings = self.reg.audit();
        assert!(findings.is_empty(), "audit findings: {findings:?}");
        let replayed = Registry::replay(&self.log).expect("the log replays");
        assert!(replayed == self.reg, "the replayed registry differs");
        let json = serde_json::to_string(&self.log).expect("the log serialises");
        let stored: Vec<Event> = serde_json::from_str(&json).expect("the log deserialises");
        assert!(stored == self.log, "the log changed through JSON");
        let restored = Registry::from_snapshot(self.reg.snapshot()).expect("the snapshot loads");
        assert!(restored == self.reg, "the snapshot differs");
    }
}

fn level(scheme: &LevelScheme, name: &str) -> Level {
    scheme.level(name).unwrap_or_else(|| panic!("the scheme has a level {name}"))
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).expect("a real date")
}

// ---------------------------------------------------------------------------------------------
// Changhai Road 长海路街道, Shanghai (seed 000)
// ---------------------------------------------------------------------------------------------

/// Changhai Road's five levels, with 21 residents' committees (nine under three
/// residential-area party organisations, the rest directly under the sub-district) and 130
/// compounds with building groups and households.
struct Changhai {
    s: Scenario,
    orgs: Vec<UnitId>,
    committees: Vec<UnitId>,
    compounds: Vec<UnitId>,
}

fn changhai_road() -> Result<Changhai, Error> {
    let scheme = LevelScheme::shanghai();
    let (org, committee, compound, group) = (
        level(&scheme, "住宅党组织"),
        level(&scheme, "居委会"),
        level(&scheme, "住宅小区"),
        level(&scheme, "建筑小组"),
    );
    let mut s = Scenario::new(scheme, "长海路街道党工委")?;
    let root = s.reg.root();
    let mut orgs = Vec::new();
    for o in 1..=3 {
        orgs.push(s.unit(root, &format!("第{o}住宅区党总支"), org, UnitKind::Area)?);
    }
    let mut committees = Vec::new();
    for c in 0..21 {
        // The party organisation level is optional: most committees hang under the root.
        let parent = if c < 9 { orgs[c / 3] } else { root };
        committees.push(s.unit(parent, &format!("长海第{:02}居委会", c + 1), committee, UnitKind::Area)?);
    }
    // 107 closed compounds over committees 1-18, the 20 military compounds in the two
    // committees of the barracks 部队居委会 (19, 20), the 3 open compounds in committee 21.
    let mut compounds = Vec::new();
    for i in 0..130 {
        let (kind, c) = match i {
            0..107 => (CompoundKind::PropertyManagedClosed, i % 18),
            107..127 => (CompoundKind::Military, 18 + i % 2),
            _ => (CompoundKind::Open, 20),
        };
        let unit = s.unit(committees[c], &format!("小区{:03}", i + 1), compound, UnitKind::Compound(kind))?;
        compounds.push(unit);
        if kind == CompoundKind::Open {
            // Open compounds have no building groups: households sit at the compound.
            for d in 1..=4 {
                s.household_of(unit, &format!("{d}号"), 1 + d % 3)?;
            }
        } else {
            for g in 1..=2 {
                let building = s.unit(unit, &format!("{g}号楼"), group, UnitKind::Building)?;
                for d in 1..=3 {
                    s.household_of(building, &format!("{g}-{d}01"), 1 + (i + d) % 3)?;
                }
            }
        }
    }
    Ok(Changhai { s, orgs, committees, compounds })
}

#[test]
fn changhai_road_has_130_compounds_in_7_zones_covering_every_household() -> Result<(), Error> {
    let Changhai { mut s, orgs, committees, compounds } = changhai_road()?;

    // 130 compounds, counted by kind through the tree.
    let kinds = s.kinds();
    let compounds_of = |k| kinds.get(&UnitKind::Compound(k)).copied().unwrap_or(0);
    assert_eq!(compounds_of(CompoundKind::PropertyManagedClosed), 107);
    assert_eq!(compounds_of(CompoundKind::Military), 20);
    assert_eq!(compounds_of(CompoundKind::Open), 3);
    assert_eq!(compounds.len(), 130);

    // 7 zones, each contracted 包干 to one leader: six of three committees each, the seventh
    // the two military committees whole and the open compounds of the last one by one.
    let zones = s.overlay("长海路街道包干片区", OverlayKind::Zone)?;
    let mut cells = Vec::new();
    for z in 0..6 {
        cells.push(s.cell(zones, &format!("第{}片区", z + 1), committees[3 * z..3 * z + 3].to_vec())?);
    }
    let mut seventh = vec![committees[18], committees[19]];
    seventh.extend_from_slice(&compounds[127..]);
    cells.push(s.cell(zones, "第7片区", seventh)?);
    assert_eq!(s.reg.overlays().overlay(zones)?.cells().len(), 7);
    s.assert_partition(zones)?;

    // A compound built since, under the committee whose compounds zone 7 names one by one,
    // lies in no zone: its household is a gap 漏户 until the zone takes it in.
    let compound = level(s.reg.tree().scheme(), "住宅小区");
    let new = s.unit(committees[20], "新建小区", compound, UnitKind::Compound(CompoundKind::PropertyManagedClosed))?;
    let gap = s.household_of(new, "1号", 2)?;
    assert_eq!(s.reg.coverage(zones)?, vec![gap]);
    assert!(!s.reg.is_complete(zones)?);
    assert_eq!(s.reg.cell_of(zones, gap)?, None);
    s.apply(Command::ExtendCell { cell: cells[6], units: vec![new] })?;
    s.assert_partition(zones)?;

    // Zones never overlap: an eighth zone taking a compound of zone 1's first committee is
    // refused, naming the committee it lies in ...
    let err = s.refused(Command::AddCell { overlay: zones, name: "第8片区".into(), units: vec![compounds[0]] });
    assert_eq!(err, Error::Grid(GridError::CellOverlap { overlay: zones, unit: compounds[0], other: committees[0] }));
    // ... and so is one taking a party organisation whose committees zone 1 holds.
    let err = s.refused(Command::AddCell { overlay: zones, name: "第8片区".into(), units: vec![orgs[0]] });
    assert!(
        matches!(err, Error::Grid(GridError::CellOverlap { unit, other, .. }) if unit == orgs[0] && committees[..3].contains(&other)),
        "{err:?}"
    );
    s.assert_sound();
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Baiyang 白杨街道, Hangzhou (seed 002)
// ---------------------------------------------------------------------------------------------

#[test]
fn baiyang_recuts_25_communities_and_64_compounds_into_99_grids_covering_every_household() -> Result<(), Error> {
    let scheme = LevelScheme::new(
        "Baiyang 白杨街道 (seed 002)",
        vec![
            LevelSpec::new("sub-district", "街道"),
            LevelSpec::new("community", "社区"),
            LevelSpec::new("compound", "小区"),
            LevelSpec::new("building", "楼栋"),
        ],
    )?;
    let (community, compound, building) = (level(&scheme, "社区"), level(&scheme, "小区"), level(&scheme, "楼栋"));
    let mut s = Scenario::new(scheme, "白杨街道")?;
    let root = s.reg.root();

    // 25 communities: fourteen with three compounds, eleven with two, 64 in all. Each compound
    // has buildings of households.
    let mut compounds: Vec<Vec<UnitId>> = Vec::new(); // the buildings of each compound
    let mut compound_ids = Vec::new();
    for c in 0..25 {
        let community = s.unit(root, &format!("白杨第{:02}社区", c + 1), community, UnitKind::Area)?;
        let compounds_here = if c < 14 { 3 } else { 2 };
        for _ in 0..compounds_here {
            let j = compounds.len();
            let kind = UnitKind::Compound(CompoundKind::PropertyManagedClosed);
            let unit = s.unit(community, &format!("小区{:02}", j + 1), compound, kind)?;
            // Compounds to be split into two grids have four buildings, into three six; whole ones three.
            let count = match j {
                0..29 => 4,
                29..32 => 6,
                _ => 3,
            };
            let mut buildings = Vec::new();
            for b in 0..count {
                let bu = s.unit(unit, &format!("{}幢", b + 1), building, UnitKind::Building)?;
                for d in 0..3 + (j + b) % 4 {
                    s.household_of(bu, &format!("{}-{}01", b + 1, d + 1), 1 + d % 3)?;
                }
                buildings.push(bu);
            }
            compounds.push(buildings);
            compound_ids.push(unit);
        }
    }

    // 99 grids: the 32 small compounds whole, 29 split in two by building and 3 in three.
    let grids = s.overlay("白杨街道基层网格", OverlayKind::Grid)?;
    for (j, buildings) in compounds.iter().enumerate() {
        if buildings.len() == 3 {
            s.cell(grids, &format!("网格{}", j + 1), vec![compound_ids[j]])?;
        } else {
            for (k, pair) in buildings.chunks(2).enumerate() {
                s.cell(grids, &format!("网格{}-{}", j + 1, k + 1), pair.to_vec())?;
            }
        }
    }

    let at_level = |lv: Level| s.reg.tree().ids().filter(|&u| s.reg.tree().level(u) == Ok(lv)).count();
    assert_eq!(at_level(community), 25);
    assert_eq!(at_level(compound), 64);
    assert_eq!(s.reg.overlays().overlay(grids)?.cells().len(), 99);
    s.assert_partition(grids)?;

    // A split compound's households fall in different grids by building.
    let first = |bu: UnitId| s.reg.population().households_at(bu)[0];
    let (a, b) = (first(compounds[0][0]), first(compounds[0][2]));
    assert_ne!(s.reg.cell_of(grids, a)?, s.reg.cell_of(grids, b)?);

    // A grid of a compound already split is refused: it would overlap its buildings' grids.
    let err = s.refused(Command::AddCell { overlay: grids, name: "网格100".into(), units: vec![compound_ids[0]] });
    assert!(matches!(err, Error::Grid(GridError::CellOverlap { unit, .. }) if unit == compound_ids[0]), "{err:?}");
    s.assert_sound();
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Huayuan Road 花园路街道, Zhengzhou (seed 003), as the example builds it
// ---------------------------------------------------------------------------------------------

#[test]
fn huayuan_road_keeps_168_checkpoints_29_unmanaged_88_work_unit_42_institution_9_public_place() -> Result<(), Error> {
    let (s, layout) = Scenario::huayuan_road()?;
    let tree = s.reg.tree();
    assert_eq!(tree.scheme(), &LevelScheme::zhengzhou());

    let kinds = s.kinds();
    let checkpoints = |k| kinds.get(&UnitKind::Entrance(Some(k))).copied().unwrap_or(0);
    assert_eq!(checkpoints(CheckpointKind::UnmanagedCourtyard), 29);
    assert_eq!(checkpoints(CheckpointKind::WorkUnitCourtyard), 88);
    assert_eq!(checkpoints(CheckpointKind::PublicInstitution), 42);
    assert_eq!(checkpoints(CheckpointKind::PublicPlace), 9);
    assert_eq!(CheckpointKind::ALL.map(checkpoints).iter().sum::<usize>(), 168);
    assert_eq!(layout.checkpoints.len(), 168);
    assert_eq!(kinds.get(&UnitKind::Compound(CompoundKind::Unmanaged)), Some(&29));
    assert_eq!(kinds.get(&UnitKind::Compound(CompoundKind::WorkUnit)), Some(&88));

    // Every courtyard keeps one way in and out 所有楼院保留一个进出口, and the checkpoint kind
    // follows the courtyard's.
    let courtyard = level(tree.scheme(), "楼院");
    for &yard in &layout.courtyards {
        assert_eq!(tree.level(yard)?, courtyard);
        let gates: Vec<UnitKind> = tree
            .children(yard)?
            .iter()
            .map(|&c| tree.unit(c).map(|u| u.kind()))
            .filter(|k| matches!(k, Ok(UnitKind::Entrance(_))))
            .collect::<Result<_, _>>()?;
        let expected = match tree.unit(yard)?.kind() {
            UnitKind::Compound(CompoundKind::Unmanaged) => UnitKind::Entrance(Some(CheckpointKind::UnmanagedCourtyard)),
            UnitKind::Compound(CompoundKind::WorkUnit) => UnitKind::Entrance(Some(CheckpointKind::WorkUnitCourtyard)),
            _ => UnitKind::Entrance(None),
        };
        assert_eq!(gates, vec![expected], "{}", tree.unit(yard)?.name());
    }
    s.assert_sound();
    Ok(())
}

/// The first household inside `unit` with someone registered in it.
fn lived_in(reg: &Registry, unit: UnitId) -> Result<HouseholdId, Error> {
    let mut households = reg.households_within(unit)?;
    Ok(households.find(|&h| reg.household(h).is_ok_and(|h| !h.members().is_empty())).expect("someone lives here"))
}

#[test]
fn huayuan_road_registers_each_person_once_and_a_move_rolls_counts_up() -> Result<(), Error> {
    let (mut s, layout) = Scenario::huayuan_road()?;
    let (a, b) = (layout.communities[0], layout.communities[1]);
    let (from, to) = (lived_in(&s.reg, a)?, lived_in(&s.reg, b)?);
    let person = s.reg.household(from)?.members()[0];
    let id = s.reg.person(person)?.resident_id().expect("registered with an identity number");

    // One person, one file 一人一档: the same number in another community is refused, naming
    // the household that holds it, and the message does not show the number.
    let well = PersonState::well(subdistrict::map_date()?);
    let err = s.refused(Command::RegisterPerson {
        household: to,
        record: PersonRecord::new().with_resident_id(id),
        state: well,
    });
    assert_eq!(err, Error::People(PeopleError::DuplicateResidentId { household: from, person }));
    assert!(!err.to_string().contains(&id.reveal()));

    // The person moves household in one command; the counts move with them at every level.
    let courtyard = level(s.reg.tree().scheme(), "楼院");
    let yard_of = |s: &Scenario, h| -> Result<UnitId, Error> {
        let unit = s.reg.household(h)?.unit();
        Ok(s.reg.tree().ancestor_at(unit, courtyard)?.expect("households sit in courtyards"))
    };
    let (yard_a, yard_b) = (yard_of(&s, from)?, yard_of(&s, to)?);
    let watched = [a, b, yard_a, yard_b, s.reg.root()];
    let before: Vec<_> = watched.iter().map(|&u| s.reg.counts(u)).collect::<Result<_, _>>()?;
    s.apply(Command::MovePerson { person, to, on: subdistrict::map_date()? })?;
    let after: Vec<_> = watched.iter().map(|&u| s.reg.counts(u)).collect::<Result<_, _>>()?;
    for (i, delta) in [-1i64, 1, -1, 1, 0].into_iter().enumerate() {
        assert_eq!(after[i].persons as i64 - before[i].persons as i64, delta, "persons at {}", watched[i]);
        assert_eq!(after[i].households, before[i].households);
    }
    assert_eq!(s.reg.person(person)?.household(), to);
    assert_eq!(s.reg.population().find_resident(&id), Some(person));

    // The file went with them: registering the number back home names the new household.
    let err = s.refused(Command::RegisterPerson {
        household: from,
        record: PersonRecord::new().with_resident_id(id),
        state: well,
    });
    assert_eq!(err, Error::People(PeopleError::DuplicateResidentId { household: to, person }));
    s.assert_sound();
    Ok(())
}

#[test]
fn huayuan_road_closes_a_courtyard_only_with_its_households_transferred_in_the_same_command() -> Result<(), Error> {
    let (mut s, layout) = Scenario::huayuan_road()?;
    let community = layout.communities[0];
    // The first courtyard is a bungalow yard 平房院: its households sit at the courtyard itself.
    let yard = layout.courtyards[0];
    let held = s.reg.population().households_at(yard).len();
    assert!(held > 0);
    let gate = s.reg.tree().children(yard)?[0];

    // The gate is open: the courtyard cannot close before it.
    let err = s.refused(Command::CloseUnit { unit: yard, on: day(20), transfer_to: None });
    assert_eq!(err, Error::Grid(GridError::HasOpenChildren { unit: yard, open_children: 1 }));
    s.apply(Command::CloseUnit { unit: gate, on: day(20), transfer_to: None })?;

    // Closing it while it holds households is refused ...
    let err = s.refused(Command::CloseUnit { unit: yard, on: day(20), transfer_to: None });
    assert_eq!(err, Error::Registry(RegistryError::HouseholdsRemain { unit: yard, households: held }));

    // ... and so is a transfer to a bungalow yard whose doors carry the same labels (平房1 ...):
    // door labels are unique within a unit, and nothing moves.
    let clash = s.reg.tree().children(layout.communities[1])?[0];
    let err = s.refused(Command::CloseUnit { unit: yard, on: day(20), transfer_to: Some(clash) });
    assert!(matches!(err, Error::People(PeopleError::DuplicateDoor { unit, .. }) if unit == clash), "{err:?}");

    // It closes when they are transferred in the same command, to a building of the next courtyard.
    let target = s.reg.tree().children(layout.courtyards[1])?[0];
    let (yard_before, target_before) = (s.reg.counts(yard)?, s.reg.counts(target)?);
    let (community_before, root_before) = (s.reg.counts(community)?, s.reg.counts(layout.root)?);
    s.apply(Command::CloseUnit { unit: yard, on: day(20), transfer_to: Some(target) })?;
    assert_eq!(s.reg.tree().unit(yard)?.closed_on(), Some(day(20)));
    assert_eq!(s.reg.counts(yard)?, Default::default());
    assert_eq!(s.reg.counts(target)?, target_before + yard_before);
    assert_eq!(s.reg.counts(community)?, community_before);
    assert_eq!(s.reg.counts(layout.root)?, root_before);

    // A closed courtyard takes no new households.
    let err = s.refused(Command::AddHousehold { unit: yard, door: DoorLabel::new("平房99")? });
    assert_eq!(err, Error::Grid(GridError::UnitClosed { unit: yard, on: day(20) }));
    s.assert_sound();
    Ok(())
}

#[test]
fn huayuan_road_refuses_to_move_a_community_under_its_own_courtyard() -> Result<(), Error> {
    let (mut s, layout) = Scenario::huayuan_road()?;
    let (a, b) = (layout.communities[0], layout.communities[1]);
    let yard = layout.courtyards[1];
    let err = s.refused(Command::MoveUnit { unit: a, new_parent: yard });
    assert_eq!(err, Error::Grid(GridError::MoveIntoOwnSubtree { unit: a, new_parent: yard }));

    // Moving the courtyard to the neighbouring community is allowed; its counts go with it.
    let (moved, a_before, b_before) = (s.reg.counts(yard)?, s.reg.counts(a)?, s.reg.counts(b)?);
    s.apply(Command::MoveUnit { unit: yard, new_parent: b })?;
    assert_eq!(s.reg.counts(b)?, b_before + moved);
    assert_eq!(s.reg.counts(a)?.households, a_before.households - moved.households);
    assert_eq!(s.reg.counts(a)?.persons, a_before.persons - moved.persons);
    assert!(s.reg.tree().is_within(yard, b)?);
    s.assert_sound();
    Ok(())
}

#[test]
fn huayuan_road_a_community_scope_never_shows_another_communitys_households() -> Result<(), Error> {
    let (s, layout) = Scenario::huayuan_road()?;
    let (a, b) = (layout.communities[0], layout.communities[1]);
    let scope = s.reg.scope(&[a])?;

    // Everything the secretary of community A sees lies in A, and all of A is there.
    let seen: Vec<HouseholdId> = scope.households().collect();
    assert_eq!(seen.len() as u64, s.reg.counts(a)?.households);
    for &h in &seen {
        assert!(s.reg.tree().is_within(s.reg.household(h)?.unit(), a)?);
    }
    assert_eq!(scope.persons().count() as u64, s.reg.counts(a)?.persons);
    assert_eq!(scope.totals(), s.reg.counts(a)?);

    // Asking for B's household, person, unit or a resident's number is refused, never empty.
    let other = lived_in(&s.reg, b)?;
    let person = s.reg.household(other)?.members()[0];
    let outside = |item| Error::Registry(RegistryError::OutsideScope { item });
    assert_eq!(scope.household(other).unwrap_err(), outside(ScopeItem::Household(other)));
    assert_eq!(scope.person(person).unwrap_err(), outside(ScopeItem::Person(person)));
    assert_eq!(scope.unit(b).unwrap_err(), outside(ScopeItem::Unit(b)));
    assert_eq!(scope.counts(b).unwrap_err(), outside(ScopeItem::Unit(b)));
    let id = s.reg.person(person)?.resident_id().expect("registered with an identity number");
    assert_eq!(scope.find_resident(&id).unwrap_err(), outside(ScopeItem::Person(person)));
    s.assert_sound();
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The five colours 四级五色
// ---------------------------------------------------------------------------------------------

/// Seed 003's figures, built through commands by the example, read back from the reports:
/// 1,518 households / 3,463 persons in home isolation, 41 persons in centralised isolation.
#[test]
fn huayuan_road_reports_seed_003s_isolation_figures() -> Result<(), Error> {
    let (s, layout) = Scenario::huayuan_road()?;
    let t = s.reg.tally(layout.root)?;
    let home = [State::HomeIsolationEpidemicArea, State::HomeIsolationElsewhere];
    assert_eq!(t.households(Colour::Orange) + t.households(Colour::Yellow), 1_518);
    assert_eq!(home.iter().map(|&st| t.in_state(st)).sum::<u64>(), 3_463);
    assert_eq!(t.in_state(State::CentralisedIsolation), 41);
    // Each centralised person keeps a household of their own under key attention 重点关注户.
    assert_eq!(t.households(Colour::Red), 41);
    assert!(t.households(Colour::Orange) > 0 && t.households(Colour::Yellow) > 0);
    assert!(t.households(Colour::White) > 0 && t.households(Colour::Green) > 0);
    assert_eq!((t.total_households(), t.total_persons()), (4_700, 12_584));
    // Every person counted once: by household colour and by state alike.
    assert_eq!(State::ALL.iter().map(|&st| t.in_state(st)).sum::<u64>(), t.total_persons());

    // The communities' tallies merge into the sub-district's, as shards would.
    let merged: Tally = layout.communities.iter().map(|&c| s.reg.tally(c).cloned()).sum::<Result<Tally, _>>()?;
    assert_eq!(&merged, t);
    // A secretary's scope sees their community's tally and nothing of the others'.
    let scope = s.reg.scope(&layout.communities[..1])?;
    assert_eq!(&scope.total_tally(), s.reg.tally(layout.communities[0])?);
    assert!(scope.tally(layout.communities[1]).is_err());
    s.assert_sound();
    Ok(())
}

/// A household with a close contact turns red at every level at once, the repaint shows in
/// "changes since", and a release paints it back.
#[test]
fn a_close_contact_turns_the_household_red_up_the_tree_and_release_paints_it_back() -> Result<(), Error> {
    let (mut s, _) = Scenario::huayuan_road()?;
    let green = s
        .reg
        .population()
        .households()
        .map(|(id, _)| id)
        .find(|&h| s.reg.colour(h).is_ok_and(|c| c == Colour::Green))
        .expect("a green household");
    let members = s.reg.household(green)?.members().to_vec();
    let unit = s.reg.household(green)?.unit();
    let watched: Vec<UnitId> =
        s.reg.tree().ancestors(unit)?.chain([unit]).collect::<Vec<_>>().into_iter().rev().collect();
    let before: Vec<Tally> = watched.iter().map(|&u| s.reg.tally(u).cloned()).collect::<Result<_, _>>()?;
    let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).expect("a real date");

    let event = s.apply(Command::SetState { person: members[0], state: State::CloseContact, on: feb(12) })?;
    assert_eq!(event.recolours(), [Recolour { household: green, from: Colour::Green, to: Colour::Red }]);
    for (u, was) in watched.iter().zip(&before) {
        let now = s.reg.tally(*u)?;
        assert_eq!(now.households(Colour::Red), was.households(Colour::Red) + 1, "at {u}");
        assert_eq!(now.households(Colour::Green), was.households(Colour::Green) - 1, "at {u}");
        assert_eq!(now.persons(Colour::Red), was.persons(Colour::Red) + members.len() as u64, "at {u}");
        assert_eq!(now.in_state(State::CloseContact), was.in_state(State::CloseContact) + 1, "at {u}");
    }
    let changes = Event::colour_changes_since(&s.log, feb(11));
    assert_eq!(changes, [Recolour { household: green, from: Colour::Green, to: Colour::Red }]);

    // Not silently downgraded: a close contact does not become a secondary contact ...
    let err = s.refused(Command::SetState { person: members[0], state: State::SecondaryContact, on: feb(13) });
    assert!(matches!(err, Error::Colour(_)), "{err:?}");
    // ... and is released 14 days on, back to present and well.
    s.apply(Command::SetState { person: members[0], state: State::Well, on: feb(26) })?;
    for (u, was) in watched.iter().zip(&before) {
        assert_eq!(s.reg.tally(*u)?, was, "at {u}");
    }
    assert_eq!(Event::colour_changes_since(&s.log, feb(11)), []);
    assert_eq!(Event::colour_changes_since(&s.log, feb(20)).len(), 1);
    s.assert_sound();
    Ok(())
}

/// A host's own rule: secondary contacts orange instead of red. The command recolours every
/// household the new rule paints differently, and lists them.
#[test]
fn a_host_rule_recolours_every_household_it_paints_differently() -> Result<(), Error> {
    let (mut s, layout) = Scenario::huayuan_road()?;
    let on = NaiveDate::from_ymd_opt(2020, 2, 12).expect("a real date");
    let households: Vec<HouseholdId> = s
        .reg
        .population()
        .households()
        .filter(|(id, h)| !h.members().is_empty() && s.reg.colour(*id).is_ok_and(|c| c == Colour::Green))
        .map(|(id, _)| id)
        .take(3)
        .collect();
    for &h in &households {
        let person = s.reg.household(h)?.members()[0];
        s.apply(Command::SetState { person, state: State::SecondaryContact, on })?;
    }
    let reds = s.reg.tally(layout.root)?.households(Colour::Red);
    let rule = ColourRule::zhengzhou_2020().with(State::SecondaryContact, Colour::Orange);
    let event = s.apply(Command::SetColourRule { rule: rule.clone(), on })?;
    let expected: Vec<Recolour> =
        households.iter().map(|&household| Recolour { household, from: Colour::Red, to: Colour::Orange }).collect();
    assert_eq!(event.recolours(), expected);
    assert_eq!(s.reg.colour_rule(), &rule);
    assert_eq!(s.reg.tally(layout.root)?.households(Colour::Red), reds - 3);
    s.assert_sound();
    Ok(())
}

/// The courtyard map shows every household of the courtyard in its colour, and none of the
/// residents' personal data.
#[test]
fn the_courtyard_map_shows_every_household_and_no_personal_data() -> Result<(), Error> {
    let (s, layout) = Scenario::huayuan_road()?;
    let yard = layout.courtyards[4];
    let map = s.reg.map(yard, subdistrict::map_date()?)?;
    let tally = s.reg.tally(yard)?;
    for c in Colour::BY_SEVERITY {
        assert_eq!(map.households(c) as u64, tally.households(c), "{c}");
    }
    let (svg, text) = (map.to_svg(), map.to_text());
    assert!(svg.contains(s.reg.tree().unit(yard)?.name()));
    for h in s.reg.households_within(yard)? {
        for &p in s.reg.household(h)?.members() {
            let record = s.reg.person(p)?.record();
            let personal = [
                record.name().map(|n| n.reveal().to_owned()),
                record.phone().map(|n| n.reveal().to_owned()),
                record.resident_id().map(|r| r.reveal()),
            ];
            for secret in personal.into_iter().flatten() {
                assert!(!svg.contains(&secret) && !text.contains(&secret), "the map shows personal data");
            }
        }
    }
    Ok(())
}
