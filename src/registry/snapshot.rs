//! Snapshots: the whole state of a registry as one serialisable value.

use serde::{Deserialize, Serialize};

use super::cases::CaseBook;
use super::duties::DutyBook;
use super::{Registry, RegistryError};
use crate::Error;
use crate::colour::{ColourRule, PersonState};
use crate::duty::{Assignment, Scheme, Staff};
use crate::grid::{NewUnit, Overlays, OverlaysData, Tree, TreeData, Unit};
use crate::people::{Population, PopulationData};
use crate::quarantine::{Case, Policy};

/// The snapshot format this build writes and reads.
///
/// Version 2 added the colour rule and person states; version 3 the isolation policies and
/// cases; version 4 the staff, responsibility schemes and rosters.
pub const FORMAT_VERSION: u32 = 4;

/// The whole state of a [`Registry`] as plain data: what a host saves instead of (or beside)
/// the event log. Derived data (colours, tallies, indexes) is not stored; loading rebuilds it and audits
/// the result, so a snapshot that breaks an invariant is refused, never half-loaded.
///
/// # Example
/// ```
/// use wangge::{Registry, Snapshot};
/// use wangge::grid::{LevelScheme, NewUnit, UnitKind, Level};
///
/// let reg = Registry::new(LevelScheme::foshan(), NewUnit::new("Lecong 乐从镇", Level::new(0), UnitKind::Area))?;
/// let json = serde_json::to_string(&reg.snapshot()).unwrap();
/// let back = Registry::from_snapshot(serde_json::from_str::<Snapshot>(&json).unwrap())?;
/// assert_eq!(back, reg);
/// # Ok::<(), wangge::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The format version, [`FORMAT_VERSION`] when written by this build.
    pub format: u32,
    /// The root as it was founded (for the founding event).
    pub root: NewUnit,
    /// The tree.
    pub tree: TreeData,
    /// The overlays.
    pub overlays: OverlaysData,
    /// Households and persons.
    pub population: PopulationData,
    /// The colour rule in force.
    pub colour_rule: ColourRule,
    /// Each person's state, `PersonId(i)` at position `i`.
    pub states: Vec<PersonState>,
    /// The isolation policies adopted, `PolicyId(i)` at position `i`.
    pub policies: Vec<Policy>,
    /// Every isolation case, `CaseId(i)` at position `i`.
    pub cases: Vec<Case>,
    /// The staff, `StaffId(i)` at position `i`.
    pub staff: Vec<Staff>,
    /// The responsibility schemes adopted, `SchemeId(i)` at position `i`.
    pub schemes: Vec<Scheme>,
    /// Each scheme's roster, in the scheme's order.
    pub rosters: Vec<Vec<Assignment>>,
}

impl Registry {
    /// The registry's whole state as plain data.
    ///
    /// # Complexity
    /// O(size of the registry); it copies everything.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            format: FORMAT_VERSION,
            root: self.root_spec.clone(),
            tree: self.tree.to_data(),
            overlays: self.overlays.to_data(),
            population: self.population.to_data(),
            colour_rule: self.rule.clone(),
            states: self.states.clone(),
            policies: self.cases.policies().to_vec(),
            cases: self.cases.cases().to_vec(),
            staff: self.duties.staff().to_vec(),
            schemes: self.duties.schemes().to_vec(),
            rosters: self.duties.rosters(),
        }
    }

    /// Rebuild a registry from a snapshot, recomputing derived data and auditing the result.
    ///
    /// # Errors
    /// [`RegistryError::UnsupportedFormat`] for another format version; the errors of
    /// rebuilding the tree, overlays and population; [`RegistryError::InvalidSnapshot`] when
    /// its parts do not fit together; [`RegistryError::AuditFailed`] when the result breaks an
    /// invariant (a household at a closed unit, say).
    pub fn from_snapshot(snapshot: Snapshot) -> Result<Registry, Error> {
        if snapshot.format != FORMAT_VERSION {
            return Err(RegistryError::UnsupportedFormat { found: snapshot.format, supported: FORMAT_VERSION }.into());
        }
        let tree = Tree::from_data(snapshot.tree)?;
        let overlays = Overlays::from_data(&tree, snapshot.overlays)?;
        let population = Population::from_data(snapshot.population, tree.len())?;
        for (_, h) in population.households() {
            tree.check_holds_households(h.unit())?;
        }
        if snapshot.states.len() != population.person_count() {
            return Err(RegistryError::InvalidSnapshot {
                what: format!("{} states for {} persons", snapshot.states.len(), population.person_count()),
            }
            .into());
        }
        let cases = CaseBook::from_parts(snapshot.policies, snapshot.cases, population.person_count())?;
        let duties = DutyBook::from_parts(snapshot.staff, snapshot.schemes, snapshot.rosters)?;
        let mut registry = Registry {
            root_spec: snapshot.root,
            tree,
            overlays,
            population,
            rule: snapshot.colour_rule,
            states: snapshot.states,
            colours: Vec::new(),
            tallies: Vec::new(),
            cell_tallies: Vec::new(),
            cases,
            duties,
        };
        registry.colours = registry.classify_all();
        (registry.tallies, registry.cell_tallies) = registry.tallies_from_scratch();
        let founded = registry.tree.unit(registry.root())?;
        // The root can be neither moved, closed nor renamed, so the tree's root is exactly
        // the unit its founding event made.
        if *founded != Unit::from_new(registry.root_spec.clone()) {
            return Err(RegistryError::InvalidSnapshot {
                what: "the founding root differs from the tree's root".to_owned(),
            }
            .into());
        }
        let findings = registry.audit();
        if let Some(first) = findings.first() {
            return Err(RegistryError::AuditFailed { count: findings.len(), first: first.to_string() }.into());
        }
        Ok(registry)
    }
}

/// Writes a [`Snapshot`] without copying the registry first (only the overlays, which are
/// small, are copied), so saving a city-sized registry needs no second copy in memory.
impl Serialize for Registry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Snapshot", 12)?;
        st.serialize_field("format", &FORMAT_VERSION)?;
        st.serialize_field("root", &self.root_spec)?;
        st.serialize_field("tree", &self.tree)?;
        st.serialize_field("overlays", &self.overlays.to_data())?;
        st.serialize_field("population", &self.population)?;
        st.serialize_field("colour_rule", &self.rule)?;
        st.serialize_field("states", &self.states)?;
        st.serialize_field("policies", self.cases.policies())?;
        st.serialize_field("cases", self.cases.cases())?;
        st.serialize_field("staff", self.duties.staff())?;
        st.serialize_field("schemes", self.duties.schemes())?;
        st.serialize_field("rosters", &self.duties.rosters())?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for Registry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Registry::from_snapshot(Snapshot::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}
