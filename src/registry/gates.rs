//! Checkpoints, closed entrances, the one-entrance rule and shift rosters in the registry
//! 卡点 / 封闭出入口 / 所有楼院保留一个进出口 / 24小时值守 (issue 17 §1).
//!
//! The rules are [`crate::gates`]'s, pure; this book keeps the checkpoint set at each entrance,
//! the entrances it closed 封闭出入口 (dated, and apart from the tree's
//! [`Command::CloseUnit`], which is for good), the compounds put under the one-entrance rule,
//! and the shift rosters recorded; it decides the five commands ([`Command::SetCheckpoint`],
//! [`Command::CloseEntrance`], [`Command::ReopenEntrance`], [`Command::SetOneEntranceRule`],
//! [`Command::RecordShiftRoster`]). A roster is solved by the host
//! ([`ShiftRoster::solve`](crate::gates::ShiftRoster::solve) over
//! [`Registry::checkpoints`] and [`Registry::staff_pool`]) and recorded only when it keeps the
//! rules it was solved under ([`ShiftRoster::check`](crate::gates::ShiftRoster::check)).
//!
//! Seed 003: "街道共设置管控服务卡点168个 ... 实行24小时值守"; seed 000: "所有楼院保留一个进出口".

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{Event, Registry, RegistryError};
use crate::gates::{Checkpoint, Coverage, Gap, GateError, OneWayBreach, RosterRule, ShiftRoster, ShiftRules};
use crate::grid::{Tree, UnitKind};
use crate::{Command, Error, UnitId};

/// A dated span of a unit in the gates book: an entrance closed, or a compound under the
/// one-entrance rule, from `from` until `until` (the day it was reopened or lifted; `None`
/// while it lasts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateSpan {
    /// The entrance or compound.
    pub unit: UnitId,
    /// The first day.
    pub from: NaiveDate,
    /// The day it ended, `None` while it lasts.
    pub until: Option<NaiveDate>,
}

/// A shift roster recorded ([`Command::RecordShiftRoster`]): the day recorded, the rules it
/// keeps, the checkpoints it was solved over (its duties name them by index) and the roster.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedRoster {
    /// The day recorded.
    pub on: NaiveDate,
    /// The rules it keeps.
    pub rules: ShiftRules,
    /// The checkpoints solved over, in entrance order (the registry's when recorded).
    pub checkpoints: Vec<Checkpoint>,
    /// The roster.
    pub roster: ShiftRoster,
}

impl RecordedRoster {
    /// The last date it spans.
    pub fn last_date(&self) -> NaiveDate {
        let first = self.roster.first_date();
        first.checked_add_days(Days::new(u64::from(self.roster.days().saturating_sub(1)))).unwrap_or(first)
    }

    /// Coverage by hour of the checkpoint at `entrance`, `None` when it had none.
    pub fn coverage(&self, entrance: UnitId) -> Option<Coverage> {
        let index = self.checkpoints.binary_search_by_key(&entrance, Checkpoint::entrance).ok()?;
        self.roster.coverage(&self.checkpoints, index).ok()
    }

    /// Coverage by hour summed over the checkpoints inside `area` (a community, say) in `tree`.
    pub fn coverage_within(&self, area: UnitId, tree: &Tree) -> Coverage {
        self.roster.coverage_within(&self.checkpoints, area, tree)
    }

    /// The shifts left short.
    pub fn gaps(&self) -> &[Gap] {
        self.roster.gaps()
    }

    /// The entrance of the checkpoint a duty or gap names by index.
    pub fn entrance_of(&self, checkpoint: u32) -> Option<UnitId> {
        self.checkpoints.get(usize::try_from(checkpoint).ok()?).map(Checkpoint::entrance)
    }
}

/// The gates book a snapshot carries ([`Snapshot::gates`](super::Snapshot::gates)). Empty
/// (and left out of JSON) until a checkpoint is set, an entrance closed, a rule put or a roster
/// recorded.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatesData {
    /// Every checkpoint, in entrance order.
    #[serde(default)]
    pub checkpoints: Vec<Checkpoint>,
    /// Every entrance closure by this book, by entrance then date.
    #[serde(default)]
    pub closures: Vec<GateSpan>,
    /// Every span of a compound under the one-entrance rule, by compound then date.
    #[serde(default)]
    pub one_entrance: Vec<GateSpan>,
    /// Every roster recorded, by first date (their spans never overlap).
    #[serde(default)]
    pub rosters: Vec<RecordedRoster>,
}

crate::form::serialize_fields!(GatesData {
    checkpoints skip_if Vec::is_empty,
    closures skip_if Vec::is_empty,
    one_entrance skip_if Vec::is_empty,
    rosters skip_if Vec::is_empty,
});

impl GatesData {
    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.checkpoints.is_empty()
            && self.closures.is_empty()
            && self.one_entrance.is_empty()
            && self.rosters.is_empty()
    }
}

/// The gates book.
pub(super) type GatesBook = GatesData;

/// The last span of `unit` in `spans` (sorted by unit then date).
fn last_span(spans: &[GateSpan], unit: UnitId) -> Option<&GateSpan> {
    let end = spans.partition_point(|s| s.unit <= unit);
    spans[..end].last().filter(|s| s.unit == unit)
}

/// Whether `unit`'s last span lasts.
fn lasting(spans: &[GateSpan], unit: UnitId) -> bool {
    last_span(spans, unit).is_some_and(|s| s.until.is_none())
}

/// Start (`on` = true) or end a span of `unit` on `date`.
fn toggle(spans: &mut Vec<GateSpan>, unit: UnitId, on: bool, date: NaiveDate) {
    let end = spans.partition_point(|s| s.unit <= unit);
    if on {
        spans.insert(end, GateSpan { unit, from: date, until: None });
    } else if let Some(s) = spans[..end].last_mut().filter(|s| s.unit == unit) {
        s.until = Some(date);
    }
}

impl Event {
    /// Whether this is an event of the gates book.
    pub(super) fn is_gates(&self) -> bool {
        matches!(
            self,
            Event::CheckpointSet { .. }
                | Event::EntranceClosed { .. }
                | Event::EntranceReopened { .. }
                | Event::OneEntranceRuleSet { .. }
                | Event::ShiftRosterRecorded { .. }
        )
    }
}

impl Registry {
    /// Every checkpoint, in entrance order: the slice a host solves a roster over.
    pub fn checkpoints(&self) -> &[Checkpoint] {
        &self.gates.checkpoints
    }

    /// The checkpoint kept at `entrance`, if any.
    ///
    /// # Complexity
    /// O(log checkpoints).
    pub fn checkpoint(&self, entrance: UnitId) -> Option<&Checkpoint> {
        let at = self.gates.checkpoints.binary_search_by_key(&entrance, Checkpoint::entrance).ok()?;
        self.gates.checkpoints.get(at)
    }

    /// The checkpoints whose entrance lies inside `unit`, in entrance order.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit).
    pub fn checkpoints_within(&self, unit: UnitId) -> Result<Vec<&Checkpoint>, Error> {
        self.tree.unit(unit)?;
        Ok(self.gates.checkpoints.iter().filter(|c| self.tree.is_within(c.entrance(), unit).unwrap_or(false)).collect())
    }

    /// Whether `entrance` is closed by this book now ([`Command::CloseEntrance`]).
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit): an unknown unit is
    /// neither open nor closed.
    pub fn entrance_closed(&self, entrance: UnitId) -> Result<bool, Error> {
        self.tree.unit(entrance)?;
        Ok(self.is_entrance_closed(entrance))
    }

    /// Whether `entrance`, a unit of the tree, is closed now.
    fn is_entrance_closed(&self, entrance: UnitId) -> bool {
        lasting(&self.gates.closures, entrance)
    }

    /// Every closure of an entrance by this book, by entrance then date.
    pub fn entrance_closures(&self) -> &[GateSpan] {
        &self.gates.closures
    }

    /// Whether `compound` is under the one-entrance rule now.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit).
    pub fn under_one_entrance_rule(&self, compound: UnitId) -> Result<bool, Error> {
        self.tree.unit(compound)?;
        Ok(self.is_under_one_entrance_rule(compound))
    }

    /// Whether `compound`, a unit of the tree, is under the one-entrance rule now.
    fn is_under_one_entrance_rule(&self, compound: UnitId) -> bool {
        lasting(&self.gates.one_entrance, compound)
    }

    /// The compounds under the one-entrance rule now with more than one open entrance, in
    /// compound order ([`one_way_breaches`](crate::gates::one_way_breaches)): an entrance
    /// closed by this book or closed in the tree counts closed.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{Command, Registry};
    /// use wangge::grid::{CompoundKind, LevelScheme, NewUnit, UnitKind};
    ///
    /// let on = NaiveDate::from_ymd_opt(2020, 2, 1).unwrap();
    /// let levels = LevelScheme::zhengzhou();
    /// let lv = |n: &str| levels.level(n).unwrap();
    /// let mut reg = Registry::new(levels.clone(), NewUnit::new("长海路街道", lv("街道"), UnitKind::Area))?;
    /// let add = |reg: &mut Registry, parent, name: &str, level, kind| {
    ///     reg.apply(Command::AddUnit { parent, unit: NewUnit::new(name, lv(level), kind) }).map(|e| e[0].new_unit().unwrap())
    /// };
    /// let root = reg.root();
    /// let community = add(&mut reg, root, "社区", "社区", UnitKind::Area)?;
    /// let yard = add(&mut reg, community, "3号院", "楼院", UnitKind::Compound(CompoundKind::Unmanaged))?;
    /// let _east = add(&mut reg, yard, "东门", "楼组", UnitKind::Entrance(None))?;
    /// let west = add(&mut reg, yard, "西门", "楼组", UnitKind::Entrance(None))?;
    /// reg.apply(Command::SetOneEntranceRule { compound: yard, under: true, on })?;
    /// assert_eq!(reg.one_entrance_breaches()[0].compound, yard);
    /// reg.apply(Command::CloseEntrance { entrance: west, on })?;
    /// assert!(reg.one_entrance_breaches().is_empty());
    /// # Ok::<(), wangge::Error>(())
    /// ```
    pub fn one_entrance_breaches(&self) -> Vec<OneWayBreach> {
        let under: Vec<UnitId> = self.gates.one_entrance.iter().filter(|s| s.until.is_none()).map(|s| s.unit).collect();
        crate::gates::one_way_breaches(&under, &self.gates.checkpoints, |u| self.is_entrance_closed(u), &self.tree)
    }

    /// Every roster recorded, by first date.
    pub fn shift_rosters(&self) -> &[RecordedRoster] {
        &self.gates.rosters
    }

    /// The roster recorded spanning `date`, if any.
    pub fn shift_roster_on(&self, date: NaiveDate) -> Option<&RecordedRoster> {
        self.gates.rosters.iter().find(|r| r.roster.first_date() <= date && date <= r.last_date())
    }

    /// Coverage by hour of the roster spanning `date`, summed over the checkpoints inside
    /// `area` (a community, say); `None` when no roster spans `date`.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit).
    pub fn gate_coverage_within(&self, date: NaiveDate, area: UnitId) -> Result<Option<Coverage>, Error> {
        self.tree.unit(area)?;
        Ok(self.shift_roster_on(date).map(|r| r.coverage_within(area, &self.tree)))
    }

    /// Decide a command of the gates book.
    pub(super) fn decide_gates(&self, command: Command) -> Result<Event, Error> {
        let event = match command {
            Command::SetCheckpoint { checkpoint, on } => Event::CheckpointSet { checkpoint, on },
            Command::CloseEntrance { entrance, on } => Event::EntranceClosed { entrance, on },
            Command::ReopenEntrance { entrance, on } => Event::EntranceReopened { entrance, on },
            Command::SetOneEntranceRule { compound, under, on } => Event::OneEntranceRuleSet { compound, under, on },
            Command::RecordShiftRoster { rules, roster, on } => Event::ShiftRosterRecorded {
                roster: RecordedRoster { on, rules, checkpoints: self.gates.checkpoints.clone(), roster },
            },
            _ => return Err(RegistryError::Mismatch { what: "not a command of the gates book".into() }.into()),
        };
        self.check_gates(&event)?;
        Ok(event)
    }

    fn check_entrance(&self, unit: UnitId) -> Result<(), Error> {
        let u = self.tree.unit(unit)?;
        if !matches!(u.kind(), UnitKind::Entrance(_)) {
            return Err(GateError::NotAnEntrance { unit }.into());
        }
        if let Some(on) = u.closed_on() {
            return Err(crate::grid::GridError::UnitClosed { unit, on }.into());
        }
        Ok(())
    }

    fn check_span(spans: &[GateSpan], unit: UnitId, on: NaiveDate) -> Result<(), Error> {
        if let Some(s) = last_span(spans, unit) {
            let last = s.until.unwrap_or(s.from);
            if on < last {
                return Err(GateError::BeforeLast { unit, on, last }.into());
            }
        }
        Ok(())
    }

    /// Check an event of the gates book against the registry.
    pub(super) fn check_gates(&self, event: &Event) -> Result<(), Error> {
        match event {
            Event::CheckpointSet { checkpoint, .. } => {
                self.check_entrance(checkpoint.entrance())?;
                checkpoint.serves().iter().try_for_each(|u| self.tree.unit(*u).map(drop))?;
            }
            Event::EntranceClosed { entrance, on } | Event::EntranceReopened { entrance, on } => {
                self.check_entrance(*entrance)?;
                let close = matches!(event, Event::EntranceClosed { .. });
                let closed = self.is_entrance_closed(*entrance);
                if closed == close {
                    return Err(GateError::EntranceUnchanged { entrance: *entrance, closed }.into());
                }
                Self::check_span(&self.gates.closures, *entrance, *on)?;
            }
            Event::OneEntranceRuleSet { compound, under, on } => {
                if !matches!(self.tree.unit(*compound)?.kind(), UnitKind::Compound(_)) {
                    return Err(GateError::NotACompound { unit: *compound }.into());
                }
                let now = self.is_under_one_entrance_rule(*compound);
                if now == *under {
                    return Err(GateError::RuleUnchanged { compound: *compound, under: now }.into());
                }
                Self::check_span(&self.gates.one_entrance, *compound, *on)?;
            }
            Event::ShiftRosterRecorded { roster } => {
                if roster.checkpoints != self.gates.checkpoints {
                    return Err(RegistryError::Mismatch {
                        what: "a roster recorded over checkpoints other than the registry's".into(),
                    }
                    .into());
                }
                roster.roster.check(&roster.checkpoints, self.staff_pool(), &roster.rules, &self.tree)?;
                let (first, last) = (roster.roster.first_date(), roster.last_date());
                if self.gates.rosters.iter().any(|r| r.roster.first_date() <= last && first <= r.last_date()) {
                    return Err(GateError::RosterOverlap { first }.into());
                }
            }
            _ => return Err(RegistryError::Mismatch { what: "not an event of the gates book".into() }.into()),
        }
        Ok(())
    }

    /// Apply a checked event of the gates book.
    pub(super) fn commit_gates(&mut self, event: &Event) {
        let book = &mut self.gates;
        match event {
            Event::CheckpointSet { checkpoint, .. } => {
                match book.checkpoints.binary_search_by_key(&checkpoint.entrance(), Checkpoint::entrance) {
                    Ok(at) => book.checkpoints[at] = checkpoint.clone(),
                    Err(at) => book.checkpoints.insert(at, checkpoint.clone()),
                }
            }
            Event::EntranceClosed { entrance, on } => toggle(&mut book.closures, *entrance, true, *on),
            Event::EntranceReopened { entrance, on } => toggle(&mut book.closures, *entrance, false, *on),
            Event::OneEntranceRuleSet { compound, under, on } => toggle(&mut book.one_entrance, *compound, *under, *on),
            Event::ShiftRosterRecorded { roster } => {
                let at = book.rosters.partition_point(|r| r.roster.first_date() < roster.roster.first_date());
                book.rosters.insert(at, roster.clone());
            }
            _ => {}
        }
    }

    /// What is wrong with the gates book of a loaded snapshot: checkpoints out of order or
    /// twice, at a unit not an entrance, serving units that do not exist; spans out of order,
    /// overlapping, ending before they start, more than one lasting per unit, on a unit of the
    /// wrong kind, or after the business date; rosters out of order or overlapping, recorded
    /// after the business date, or breaking the shape, rest, cap or staffing rules (the rules
    /// that no later command can change: a person's availability and home, and so a gap's
    /// reason, may change after recording, and are not checked again).
    pub(super) fn gates_problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        let after = |d: NaiveDate| self.day.is_some_and(|day| d > day);
        let book = &self.gates;
        for (i, c) in book.checkpoints.iter().enumerate() {
            if i > 0 && book.checkpoints[i - 1].entrance() >= c.entrance() {
                found.push(format!("checkpoint {i} at {} is out of entrance order", c.entrance()));
            }
            if !self.tree.unit(c.entrance()).is_ok_and(|u| matches!(u.kind(), UnitKind::Entrance(_))) {
                found.push(format!("checkpoint {i} stands at {}, which is not an entrance", c.entrance()));
            }
            if c.serves().iter().any(|u| !self.tree.contains(*u)) {
                found.push(format!("checkpoint {i} serves a unit that does not exist"));
            }
        }
        for (what, spans) in [("closure", &book.closures), ("one-entrance rule", &book.one_entrance)] {
            for (i, s) in spans.iter().enumerate() {
                let kind_ok = self.tree.unit(s.unit).is_ok_and(|u| match what {
                    "closure" => matches!(u.kind(), UnitKind::Entrance(_)),
                    _ => matches!(u.kind(), UnitKind::Compound(_)),
                });
                if !kind_ok {
                    found.push(format!("{what} {i} names {}, a unit of the wrong kind", s.unit));
                }
                if s.until.is_some_and(|u| u < s.from) || after(s.from) || s.until.is_some_and(after) {
                    found.push(format!("{what} {i} ends before it starts or is dated after the business date"));
                }
                if i > 0 {
                    let p = spans[i - 1];
                    let chained = p.unit < s.unit || (p.unit == s.unit && p.until.is_some_and(|u| u <= s.from));
                    if !chained {
                        found.push(format!("{what} {i} is out of order or overlaps the one before"));
                    }
                }
            }
        }
        for (i, r) in book.rosters.iter().enumerate() {
            if i > 0 && book.rosters[i - 1].last_date() >= r.roster.first_date() {
                found.push(format!("roster {i} is out of order or overlaps the one before"));
            }
            if after(r.on) {
                found.push(format!("roster {i} is recorded after the business date"));
            }
            if r.checkpoints.windows(2).any(|w| w[0].entrance() >= w[1].entrance()) {
                found.push(format!("roster {i}'s checkpoints are out of entrance order"));
            }
            match r.roster.check(&r.checkpoints, self.staff_pool(), &r.rules, &self.tree) {
                Ok(())
                | Err(GateError::RosterBreaks {
                    rule: RosterRule::Eligibility | RosterRule::Locality | RosterRule::Availability | RosterRule::Gaps,
                    ..
                }) => {}
                Err(e) => found.push(format!("roster {i}: {e}")),
            }
        }
        found
    }
}
