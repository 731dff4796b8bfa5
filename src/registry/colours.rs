//! The registry's colours: person states, household colours and the tallies rolled up the
//! tree and into overlay cells, kept live by every command.
//!
//! A change of state arrives in an event with the recolouring the registry computed for it
//! (the household's new colour by the [`ColourRule`] in force); committing it shifts the
//! household's tally from the old colour to the new at its unit, every ancestor and every
//! cell naming one of them, so that a read of any unit's counts is O(1). The reads here
//! (states, colours, tallies, maps) are what a dashboard shows.

use chrono::NaiveDate;

use super::record::Draft;
use super::{Recolour, Registry, RegistryError, StateChange};
use crate::colour::{
    Colour, ColourMap, ColourRule, Delta, MapBlock, MapHousehold, MeasureCounts, PersonState, Standing, Tally,
};
use crate::grid::GridError;
use crate::people::{Markers, PeopleError};
use crate::{CellId, Error, HouseholdId, PersonId, UnitId};

impl Registry {
    /// The colour rule in force: for a registry founded in format 7,
    /// [`StandingRule::zhengzhou_2020`](crate::colour::StandingRule::zhengzhou_2020) (seed 003
    /// by reason) until a [`Command::SetColourRule`](crate::Command::SetColourRule) replaces it;
    /// a registry read from format 6 keeps
    /// [`StandingRule::zhengzhou_2020_format_6`](crate::colour::StandingRule::zhengzhou_2020_format_6),
    /// so its colours do not change on upgrade.
    pub fn colour_rule(&self) -> &ColourRule {
        &self.rule
    }

    /// A person's state and the date it began.
    ///
    /// # Errors
    /// [`PeopleError::UnknownPerson`].
    pub fn state(&self, person: PersonId) -> Result<PersonState, Error> {
        self.states.get(person.index()).copied().ok_or_else(|| PeopleError::UnknownPerson { person }.into())
    }

    /// A person's standing 人员管控状态: why they are held (the reason) apart from where and
    /// how (the [`Measure`](crate::colour::Measure)), as stored since format 7 (the
    /// standing of [`Registry::state`]).
    ///
    /// # Errors
    /// [`PeopleError::UnknownPerson`].
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{Command, Registry};
    /// use wangge::colour::{Measure, PersonState, State};
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::{DoorLabel, PersonRecord};
    ///
    /// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
    /// let levels = LevelScheme::zhengzhou();
    /// let mut reg = Registry::new(levels.clone(), NewUnit::new("花园路街道", levels.level("街道").unwrap(), UnitKind::Area))?;
    /// let household = reg.apply(Command::AddHousehold { unit: reg.root(), door: DoorLabel::new("1-101")? })?[0].new_household().unwrap();
    /// let state = PersonState::new(State::HomeIsolationElsewhere, feb(1));
    /// let person = reg.apply(Command::RegisterPerson { household, record: PersonRecord::new(), state })?[0].new_person().unwrap();
    /// reg.apply(Command::SetMeasure { person, measure: Measure::CentralisedIsolation, on: feb(2) })?;
    /// let standing = reg.standing(person)?;
    /// // Placed at a site, still there for the same reason: the map keeps saying why.
    /// assert_eq!((standing.reason(), standing.measure()), (State::HomeIsolationElsewhere, Measure::CentralisedIsolation));
    /// # Ok::<(), wangge::Error>(())
    /// ```
    pub fn standing(&self, person: PersonId) -> Result<Standing, Error> {
        Ok(self.state(person)?.standing())
    }

    /// Persons per measure inside `unit` (the unit and its descendants): seed 003's "集中隔离
    /// 服务41人" is [`MeasureCounts::get`] of centralised isolation at the street. Read from the
    /// live tally ([`Tally::measures`]), rolled up like the colour counts.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`].
    ///
    /// # Complexity
    /// O(1).
    pub fn measures(&self, unit: UnitId) -> Result<MeasureCounts, Error> {
        Ok(self.tally(unit)?.measures())
    }

    /// A household's colour, kept live.
    ///
    /// # Errors
    /// [`PeopleError::UnknownHousehold`].
    ///
    /// # Complexity
    /// O(1).
    pub fn colour(&self, household: HouseholdId) -> Result<Colour, Error> {
        self.colours.get(household.index()).copied().ok_or_else(|| PeopleError::UnknownHousehold { household }.into())
    }

    /// The tally of everything inside `unit` (the unit and its descendants), kept live.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`].
    ///
    /// # Complexity
    /// O(1): read, never recomputed.
    pub fn tally(&self, unit: UnitId) -> Result<&Tally, Error> {
        self.tallies.get(unit.index()).ok_or_else(|| GridError::UnknownUnit { unit }.into())
    }

    /// The tally of an overlay cell (a zone 片区, a grid 网格), kept live.
    ///
    /// # Errors
    /// [`GridError::UnknownCell`].
    ///
    /// # Complexity
    /// O(1).
    pub fn cell_tally(&self, cell: CellId) -> Result<&Tally, Error> {
        self.cell_tallies.get(cell.index()).ok_or_else(|| GridError::UnknownCell { cell }.into())
    }

    /// Every unit's tally recomputed from the households, by unit index: what the live
    /// tallies must equal, and what a host without them would compute every morning.
    ///
    /// # Complexity
    /// O(households + persons + units): one pass over the households adding each, with its
    /// members, into its unit, then one pass over the units from the deepest up adding each
    /// into its parent.
    ///
    /// # Example
    /// ```
    /// # #[cfg(feature = "synth")] {
    /// use wangge::synth::CityShape;
    ///
    /// let city = CityShape::small().build()?;
    /// let reg = city.into_registry();
    /// let fresh = reg.roll_up();
    /// // The live tallies, kept by every command, are what a recount gives.
    /// for unit in reg.tree().ids() {
    ///     assert_eq!(reg.tally(unit)?, &fresh[unit.index()]);
    /// }
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn roll_up(&self) -> Vec<Tally> {
        let mut tallies = vec![Tally::new(); self.tree.len()];
        for (id, h) in self.population.households() {
            if let Some(t) = tallies.get_mut(h.unit().index()) {
                self.count_household(t, id, h.members());
            }
        }
        // Units are created after their parents, but moves can break that order; children
        // are added into parents deepest level first, and levels deepen downwards.
        let mut by_level: Vec<Vec<UnitId>> = Vec::new();
        for u in self.tree.ids() {
            let level = self.tree.level(u).map_or(0, |l| l.index());
            if by_level.len() <= level {
                by_level.resize_with(level + 1, Vec::new);
            }
            by_level[level].push(u);
        }
        for u in by_level.into_iter().rev().flatten() {
            if let Ok(Some(parent)) = self.tree.parent(u) {
                let child = std::mem::take(&mut tallies[u.index()]);
                tallies[parent.index()].merge(&child);
                tallies[u.index()] = child;
            }
        }
        tallies
    }

    /// The most households [`Registry::map`] draws: a few courtyards' worth (seed 003's
    /// largest courtyards hold hundreds); a sub-district's or a city's colours are a report
    /// ([`Registry::tally`]), not a picture.
    pub const MAX_MAP_HOUSEHOLDS: usize = 5_000;

    /// The courtyard map 院区疫情防控平面图 of `unit` printed on `date`: one block per unit
    /// inside it that holds households (its buildings, or the unit itself), in pre-order, each
    /// household with its door, colour, the markers of its members and their standings
    /// ([`Registry::standing`]: why each is held, and where). No personal data.
    ///
    /// The colours are the registry's, which are those of its business date 业务日期: a map
    /// printed on a later date says so ([`ColourMap::as_of`], printed at its top), and a map
    /// of an earlier date is refused: read that day's registry from the log with
    /// [`Registry::as_of`] and map it there. At most [`Registry::MAX_MAP_HOUSEHOLDS`]
    /// households ([`Registry::map_limited`] for another bound).
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`]; [`RegistryError::PastColours`] for a date before the
    /// business date; [`RegistryError::MapTooLarge`].
    ///
    /// # Complexity
    /// O(units in the subtree + households and persons inside).
    pub fn map(&self, unit: UnitId, date: NaiveDate) -> Result<ColourMap, Error> {
        self.map_limited(unit, date, Self::MAX_MAP_HOUSEHOLDS)
    }

    /// [`Registry::map`] with at most `limit` households instead of
    /// [`Registry::MAX_MAP_HOUSEHOLDS`].
    ///
    /// # Errors
    /// As [`Registry::map`].
    pub fn map_limited(&self, unit: UnitId, date: NaiveDate, limit: usize) -> Result<ColourMap, Error> {
        let name = self.tree.unit(unit)?.name();
        let business_date = self.business_date();
        if let Some(business_date) = business_date
            && date < business_date
        {
            return Err(RegistryError::PastColours { date, business_date }.into());
        }
        let households = self.counts(unit)?.households;
        if usize::try_from(households).map_or(true, |n| n > limit) {
            return Err(RegistryError::MapTooLarge { unit, households, limit }.into());
        }
        let mut map = ColourMap::new(name, date);
        if let Some(business_date) = business_date {
            map = map.with_as_of(business_date);
        }
        for u in self.tree.subtree(unit)? {
            let held = self.population.households_at(u);
            if held.is_empty() {
                continue;
            }
            let mut block = MapBlock::new(self.tree.unit(u)?.name());
            for &h in held {
                let household = self.population.household(h)?;
                let mut markers = Markers::new();
                for &p in household.members() {
                    markers.extend(self.population.person(p)?.markers().iter());
                }
                let standings = household.members().iter().map(|&p| self.standing(p)).collect::<Result<Vec<_>, _>>()?;
                block.push(
                    MapHousehold::new(household.door().clone(), self.colour(h)?, markers).with_standings(standings),
                );
            }
            map.push(block);
        }
        Ok(map)
    }

    /// The tally one household contributes: its colour, its members' states and markers.
    pub(super) fn household_tally(&self, household: HouseholdId) -> Tally {
        let mut t = Tally::new();
        if let Ok(h) = self.population.household(household) {
            self.count_household(&mut t, household, h.members());
        }
        t
    }

    /// Count `household`, whose members are `members`, into `tally`.
    fn count_household(&self, tally: &mut Tally, household: HouseholdId, members: &[PersonId]) {
        let colour = self.colours.get(household.index()).copied().unwrap_or(Colour::White);
        tally.count_household(
            colour,
            members.iter().filter_map(|&p| {
                let state = self.states.get(p.index())?.standing();
                Some((state, self.population.person(p).ok()?.markers()))
            }),
        );
    }

    /// The states of `members`, leaving out `except` (a person about to leave).
    fn member_states<'a>(
        &'a self,
        members: &'a [PersonId],
        except: Option<PersonId>,
    ) -> impl Iterator<Item = Standing> + 'a {
        members
            .iter()
            .filter(move |&&p| Some(p) != except)
            .filter_map(|p| self.states.get(p.index()).map(|s| s.standing()))
    }

    /// The colour of `household` by the rule in force, from its members' states.
    fn classify(&self, household: HouseholdId) -> Colour {
        let members = self.population.household(household).map_or(&[][..], |h| h.members());
        self.rule.classify(self.member_states(members, None))
    }

    /// Every household's colour by the rule in force.
    pub(super) fn classify_all(&self) -> Vec<Colour> {
        self.population.households().map(|(id, _)| self.classify(id)).collect()
    }

    /// Repaint a household as a checked event's `recolour` says, after a change to its
    /// members, whose tally was `before`, and carry the difference up the tree and into the
    /// cells.
    pub(super) fn recolour(&mut self, recolour: &Recolour, before: &Tally) {
        if let Some(c) = self.colours.get_mut(recolour.household.index()) {
            *c = recolour.to;
        }
        let after = self.household_tally(recolour.household);
        if let Ok(h) = self.population.household(recolour.household) {
            self.retally(h.unit(), before, &after);
        }
    }

    /// Put `person`, in state `from`, into state `to` as a checked event says, repainting
    /// their household by `recolours` and carrying the counts up the tree.
    pub(super) fn set_state(
        &mut self,
        person: PersonId,
        from: PersonState,
        to: PersonState,
        recolours: &[Recolour],
    ) -> Result<(), Error> {
        let p = self.population.person(person)?;
        let (household, markers) = (p.household(), p.markers());
        match recolours.first() {
            None => {
                let (colour, unit) = (self.colour(household)?, self.population.household(household)?.unit());
                self.states[person.index()] = to;
                let (was, now) = ((from.standing(), markers), (to.standing(), markers));
                self.shift(unit, &Delta::member(colour, Some(was), Some(now)));
            }
            Some(recolour) => {
                let before = self.household_tally(household);
                self.states[person.index()] = to;
                self.recolour(recolour, &before);
            }
        }
        Ok(())
    }

    /// Apply a case event's change of `person`'s state, if it has one.
    pub(super) fn apply_change(&mut self, person: PersonId, change: Option<&StateChange>) -> Result<(), Error> {
        match change {
            Some(c) => self.set_state(person, c.from, c.to, &c.recolours),
            None => Ok(()),
        }
    }

    /// Move a household to another unit, its tally with it.
    pub(super) fn move_household(&mut self, household: HouseholdId, to: UnitId) {
        let tally = self.household_tally(household);
        let from = self.population.move_household(household, to);
        if from != to {
            self.retally(from, &tally, &Tally::new());
            self.retally(to, &Tally::new(), &tally);
        }
    }

    /// Replace `before` by `after` in the tallies of `unit`, of every ancestor and of every
    /// cell naming one of them.
    ///
    /// # Complexity
    /// O(levels + cells naming them) times the counts that differ (a handful when one
    /// household changes): the difference is worked out once and applied at each level.
    pub(super) fn retally(&mut self, unit: UnitId, before: &Tally, after: &Tally) {
        self.shift(unit, &Tally::delta(before, after));
    }

    /// Apply `delta` to the tallies of `unit`, of every ancestor and of every cell naming one
    /// of them.
    pub(super) fn shift(&mut self, unit: UnitId, delta: &Delta) {
        if delta.is_empty() {
            return;
        }
        let Ok(ancestors) = self.tree.ancestors(unit) else { return };
        for a in ancestors.chain(std::iter::once(unit)) {
            self.tallies[a.index()].apply(delta);
            for c in self.overlays.cells_naming(a) {
                self.cell_tallies[c.index()].apply(delta);
            }
        }
    }

    /// Every unit's and every cell's tally, recomputed.
    pub(super) fn tallies_from_scratch(&self) -> (Vec<Tally>, Vec<Tally>) {
        let units = self.roll_up();
        let cells = (0..self.overlays.cell_count())
            .filter_map(CellId::from_index)
            .map(|c| self.overlays.cell(c).map_or(&[][..], |c| c.units()).iter().map(|u| &units[u.index()]).sum())
            .collect();
        (units, cells)
    }

    fn recolour_of(&self, household: HouseholdId, to: Colour) -> Option<Recolour> {
        let from = self.colours.get(household.index()).copied()?;
        (from != to).then_some(Recolour { household, from, to })
    }

    /// The recolouring that registering a person in `state` into `household` makes.
    pub(super) fn recolours_on_register(
        &self,
        household: HouseholdId,
        state: PersonState,
    ) -> Result<Vec<Recolour>, Error> {
        let members = self.population.household(household)?.members();
        let to = self.rule.classify(self.member_states(members, None).chain([state.standing()]));
        Ok(self.recolour_of(household, to).into_iter().collect())
    }

    /// The recolouring that moving `person` into household `to` makes, in household order.
    pub(super) fn recolours_on_move(&self, person: PersonId, to: HouseholdId) -> Result<Vec<Recolour>, Error> {
        let from = self.population.person(person)?.household();
        let moving = self.state(person)?.standing();
        if from == to {
            self.population.household(to)?;
            return Ok(Vec::new());
        }
        let others = |h: HouseholdId| -> Result<_, Error> {
            Ok(self.member_states(self.population.household(h)?.members(), Some(person)))
        };
        let left = self.rule.classify(others(from)?);
        let joined = self.rule.classify(others(to)?.chain([moving]));
        let mut out: Vec<Recolour> =
            [self.recolour_of(from, left), self.recolour_of(to, joined)].into_iter().flatten().collect();
        out.sort_by_key(|r| r.household);
        Ok(out)
    }

    /// The recolouring that `person` entering `state` makes.
    pub(super) fn recolours_on_state(&self, person: PersonId, state: PersonState) -> Result<Vec<Recolour>, Error> {
        self.drafted_recolours_on_state(&Draft::default(), person, state)
    }

    /// [`Registry::recolours_on_state`] on the states and colours `draft` leaves.
    pub(super) fn drafted_recolours_on_state(
        &self,
        draft: &Draft,
        person: PersonId,
        state: PersonState,
    ) -> Result<Vec<Recolour>, Error> {
        let household = self.population.person(person)?.household();
        let members = self.population.household(household)?.members();
        let others = members.iter().filter(|&&p| p != person).filter_map(|&p| draft.member_state(self, p));
        let to = self.rule.classify(others.chain([state.standing()]));
        let from = draft.colour(self, household);
        Ok(from.filter(|&from| from != to).map(|from| Recolour { household, from, to }).into_iter().collect())
    }

    /// The recolouring that putting `rule` in force makes, in household order.
    pub(super) fn recolours_on_rule(&self, rule: &ColourRule) -> Vec<Recolour> {
        self.population
            .households()
            .filter_map(|(id, h)| self.recolour_of(id, rule.classify(self.member_states(h.members(), None))))
            .collect()
    }

    /// Refuse an event whose recolouring is not the one the registry computes.
    pub(super) fn expect_recolours(found: &[Recolour], expected: &[Recolour]) -> Result<(), Error> {
        if found == expected {
            Ok(())
        } else {
            Err(RegistryError::Mismatch { what: format!("the event recolours {found:?}, the registry {expected:?}") }
                .into())
        }
    }
}
