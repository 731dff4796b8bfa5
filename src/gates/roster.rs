//! The shift roster: solved shift after shift by the duty solver's maximum flow.

use chrono::{Days, NaiveDate};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use serde::{Deserialize, Serialize};

use super::{Checkpoint, GateError, MAX_ROSTER_DAYS, RosterRule, Shift, ShiftRules};
use crate::StaffId;
use crate::duty::Staff;
use crate::duty::flow::max_flow;
use crate::duty::roster::locality_holds;
use crate::grid::Tree;

/// One person on one shift at one checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duty {
    /// The date the shift starts.
    pub date: NaiveDate,
    /// The shift's index in the pattern.
    pub shift: u8,
    /// The checkpoint's index in the slice solved.
    pub checkpoint: u32,
    /// The person.
    pub staff: StaffId,
}

/// Why a shift stays short of people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GapReason {
    /// Nobody in the pool holds a qualification the checkpoint admits and belongs where it asks.
    NoneEligible,
    /// Some may stand there, but on this shift every one of them is away, on another
    /// checkpoint, resting or at the week's cap.
    NoneFree,
}

/// A shift left short 缺岗: the checkpoint, the shift and how many people are missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gap {
    /// The date the shift starts.
    pub date: NaiveDate,
    /// The shift's index in the pattern.
    pub shift: u8,
    /// The checkpoint's index in the slice solved.
    pub checkpoint: u32,
    /// People missing.
    pub missing: u8,
    /// Why.
    pub reason: GapReason,
}

/// People needed and on duty in one hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct HourCover {
    /// People needed.
    pub needed: u32,
    /// People on duty (never counted beyond those needed).
    pub staffed: u32,
}

/// Coverage by hour 按小时覆盖 over a roster's span, from its first shift's start.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Coverage {
    first: NaiveDate,
    first_hour: u8,
    hours: Vec<HourCover>,
}

impl Coverage {
    /// The hour of the roster's first date the first entry is for.
    pub const fn first_hour(&self) -> u8 {
        self.first_hour
    }

    /// The roster's first date.
    pub const fn first_date(&self) -> NaiveDate {
        self.first
    }

    /// Needed and staffed, hour by hour (entry `i`: `first_hour + i` hours after the first
    /// date's midnight).
    pub fn hours(&self) -> &[HourCover] {
        &self.hours
    }

    /// The hours (as entry indices) with fewer people on duty than needed.
    pub fn uncovered(&self) -> impl Iterator<Item = usize> + '_ {
        self.hours.iter().enumerate().filter(|(_, h)| h.staffed < h.needed).map(|(i, _)| i)
    }
}

/// A solved shift roster 排班表 over a run of dates: who stands where on which shift, and the
/// shifts left short.
///
/// # Example
/// See the [module](super) example.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShiftRoster {
    first: NaiveDate,
    days: u16,
    shifts: Vec<Shift>,
    duties: Vec<Duty>,
    gaps: Vec<Gap>,
}

/// Per person: where their last shift ended (hours after the first date's midnight), and
/// their hours in the current week.
#[derive(Clone, Copy, Default)]
struct Load {
    last_end: Option<u32>,
    week: u16,
    hours: u16,
}

impl ShiftRoster {
    /// Fills every open checkpoint's shifts for `days` dates from `first` from the pool
    /// `staff` (indexed by [`StaffId`]), under `rules`.
    ///
    /// Shift after shift in time, each shift is a bipartite maximum flow (the duty solver's
    /// Dinic): checkpoints needing people → people free for it → one shift each. A person is
    /// free when they hold a qualification the checkpoint admits, belong where it asks (its
    /// [`Locality`](crate::duty::Locality), of the entrance, in `tree`), are available on the
    /// date ([`Staff::is_available_on`]), have rested `rules.rest_hours()` since their last
    /// shift and stay within the week's cap. Among free people the flow is offered first those
    /// with the fewest hours this week, so that the load spreads.
    ///
    /// The roster keeps every rule, and is maximal: no short shift could take one more person
    /// without breaking a rule (a person free for it was free when its shift was solved, and
    /// the flow then was maximum). Each short shift is a [`Gap`]. A staff member's
    /// [`Staff::load_limit`] bounds responsibility assignments, not shifts, and is not read.
    ///
    /// # Errors
    /// [`GateError::BadSpan`] when `days` is 0, above [`MAX_ROSTER_DAYS`] or runs past the
    /// calendar's end.
    ///
    /// # Complexity
    /// Per shift, O(candidate pairs) to build the network and a maximum flow on it (a few
    /// phases of O(arcs) on these depth-3 networks).
    pub fn solve(
        checkpoints: &[Checkpoint],
        staff: &[Staff],
        rules: &ShiftRules,
        first: NaiveDate,
        days: u16,
        tree: &Tree,
    ) -> Result<ShiftRoster, GateError> {
        let span = GateError::BadSpan { days, max: MAX_ROSTER_DAYS };
        if days == 0 || days > MAX_ROSTER_DAYS {
            return Err(span);
        }
        first.checked_add_days(Days::new(u64::from(days))).ok_or_else(|| span.clone())?;
        let shifts = rules.pattern().shifts().to_vec();
        // Who may ever stand at each checkpoint: qualification and locality.
        let candidates: Vec<Vec<usize>> = checkpoints
            .iter()
            .map(|c| {
                staff
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| {
                        c.eligible().intersects(s.qualifications())
                            && locality_holds(c.locality(), s.home(), c.entrance(), tree) == Some(true)
                    })
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        let mut loads = vec![Load::default(); staff.len()];
        let mut node_of: Vec<Option<NodeIndex>> = vec![None; staff.len()];
        let mut duties = Vec::new();
        let mut gaps = Vec::new();
        let rest = u32::from(rules.rest_hours());
        let cap = rules.week_cap_hours();
        for day in 0..days {
            // Within the span checked above.
            let date = first.checked_add_days(Days::new(u64::from(day))).ok_or_else(|| span.clone())?;
            let week = day / 7;
            let free_on = |i: usize| staff[i].is_available_on(date);
            for (k, shift) in shifts.iter().enumerate() {
                let start = u32::from(day) * 24 + u32::from(shift.start);
                let hours = u16::from(shift.hours);
                let is_free = |i: usize, loads: &[Load]| {
                    let l = loads[i];
                    let week_hours = if l.week == week { l.hours } else { 0 };
                    l.last_end.is_none_or(|end| end + rest <= start) && week_hours + hours <= cap && free_on(i)
                };
                let mut graph = DiGraph::<(), u32>::new();
                let (source, sink) = (graph.add_node(()), graph.add_node(()));
                let mut demands = Vec::new();
                let mut people = Vec::new();
                for (c, checkpoint) in checkpoints.iter().enumerate() {
                    let need = checkpoint.needs(*shift);
                    if need == 0 {
                        continue;
                    }
                    let node = graph.add_node(());
                    graph.add_edge(source, node, u32::from(need));
                    let mut free: Vec<usize> = candidates[c].iter().copied().filter(|&i| is_free(i, &loads)).collect();
                    // The flow walks a node's edges newest first: add the most loaded first.
                    free.sort_by_key(|&i| {
                        let l = loads[i];
                        (std::cmp::Reverse(if l.week == week { l.hours } else { 0 }), std::cmp::Reverse(i))
                    });
                    for i in free {
                        let person = *node_of[i].get_or_insert_with(|| {
                            people.push(i);
                            graph.add_node(())
                        });
                        graph.add_edge(node, person, 1);
                    }
                    demands.push((c, node, need));
                }
                for &i in &people {
                    if let Some(node) = node_of[i] {
                        graph.add_edge(node, sink, 1);
                    }
                }
                let (_, flows) = max_flow(&graph, source, sink);
                let mut filled = vec![0u8; checkpoints.len()];
                let mut node_checkpoint = vec![usize::MAX; graph.node_count()];
                for &(c, node, _) in &demands {
                    node_checkpoint[node.index()] = c;
                }
                // Each person node back to its person.
                let mut person_at = vec![usize::MAX; graph.node_count()];
                for &i in &people {
                    if let Some(node) = node_of[i] {
                        person_at[node.index()] = i;
                    }
                }
                for e in graph.edge_references() {
                    let (c, i) = (node_checkpoint[e.source().index()], person_at[e.target().index()]);
                    if c == usize::MAX || i == usize::MAX || flows[e.id().index()] == 0 {
                        continue;
                    }
                    filled[c] += 1;
                    let l = &mut loads[i];
                    let week_hours = if l.week == week { l.hours } else { 0 };
                    *l = Load { last_end: Some(start + u32::from(hours)), week, hours: week_hours + hours };
                    duties.push(Duty { date, shift: shift_index(k), checkpoint: index32(c), staff: staff_id(i) });
                }
                for (c, _, need) in demands {
                    if filled[c] < need {
                        let reason =
                            if candidates[c].is_empty() { GapReason::NoneEligible } else { GapReason::NoneFree };
                        gaps.push(Gap {
                            date,
                            shift: shift_index(k),
                            checkpoint: index32(c),
                            missing: need - filled[c],
                            reason,
                        });
                    }
                }
                for &i in &people {
                    node_of[i] = None;
                }
            }
        }
        duties.sort_unstable();
        Ok(ShiftRoster { first, days, shifts, duties, gaps })
    }

    /// Checks a roster (recorded, say, after [`ShiftRoster::solve`]) against the rules it
    /// claims: `rules`' shifts, a span within [`MAX_ROSTER_DAYS`] and the calendar, duties
    /// sorted and each naming a date of the span, a shift, a checkpoint of `checkpoints` that
    /// is open on it and a person of `staff`; no shift given more people than it needs; each
    /// person holding a qualification the checkpoint admits, belonging where it asks,
    /// available on the date, rested `rules.rest_hours()` since their last shift and within
    /// the week's cap; the gaps exactly the shifts left short (recounted).
    ///
    /// It does not ask that the roster be maximal: a host may record fewer people than the
    /// solver found, and the gaps then say so.
    ///
    /// # Errors
    /// [`GateError::BadSpan`]; [`GateError::RosterBreaks`] naming the first duty (or, for
    /// [`RosterRule::Gaps`], the first gap) and the rule it breaks.
    ///
    /// # Complexity
    /// O(d log d + c·s + days × shifts × c) for d duties, c checkpoints and s staff.
    pub fn check(
        &self,
        checkpoints: &[Checkpoint],
        staff: &[Staff],
        rules: &ShiftRules,
        tree: &Tree,
    ) -> Result<(), GateError> {
        let span = GateError::BadSpan { days: self.days, max: MAX_ROSTER_DAYS };
        if self.days == 0 || self.days > MAX_ROSTER_DAYS {
            return Err(span);
        }
        self.first.checked_add_days(Days::new(u64::from(self.days))).ok_or_else(|| span.clone())?;
        let breaks = |duty: usize, rule: RosterRule| GateError::RosterBreaks { duty, rule };
        if self.shifts != rules.pattern().shifts() {
            return Err(breaks(0, RosterRule::Shape));
        }
        let rest = u32::from(rules.rest_hours());
        let cap = rules.week_cap_hours();
        let mut loads = vec![Load::default(); staff.len()];
        let mut on = std::collections::HashMap::<(u16, u8, u32), u8>::new();
        for (n, d) in self.duties.iter().enumerate() {
            if n > 0 && self.duties[n - 1] >= *d {
                return Err(breaks(n, RosterRule::Shape));
            }
            let day = (d.date - self.first).num_days();
            let day = u16::try_from(day).ok().filter(|&x| x < self.days).ok_or(breaks(n, RosterRule::Shape))?;
            let shift = *self.shifts.get(usize::from(d.shift)).ok_or(breaks(n, RosterRule::Shape))?;
            let c = usize::try_from(d.checkpoint).unwrap_or(usize::MAX);
            let checkpoint = checkpoints.get(c).ok_or(breaks(n, RosterRule::Shape))?;
            let i = d.staff.index();
            let person = staff.get(i).ok_or(breaks(n, RosterRule::Shape))?;
            let count = on.entry((day, d.shift, d.checkpoint)).or_default();
            *count = count.saturating_add(1);
            if *count > checkpoint.needs(shift) {
                return Err(breaks(n, RosterRule::Overstaffed));
            }
            if !checkpoint.eligible().intersects(person.qualifications()) {
                return Err(breaks(n, RosterRule::Eligibility));
            }
            if locality_holds(checkpoint.locality(), person.home(), checkpoint.entrance(), tree) != Some(true) {
                return Err(breaks(n, RosterRule::Locality));
            }
            if !person.is_available_on(d.date) {
                return Err(breaks(n, RosterRule::Availability));
            }
            let start = u32::from(day) * 24 + u32::from(shift.start);
            let hours = u16::from(shift.hours);
            let week = day / 7;
            let l = loads[i];
            if l.last_end.is_some_and(|end| end + rest > start) {
                return Err(breaks(n, RosterRule::Rest));
            }
            let week_hours = if l.week == week { l.hours } else { 0 };
            if week_hours + hours > cap {
                return Err(breaks(n, RosterRule::WeekCap));
            }
            loads[i] = Load { last_end: Some(start + u32::from(hours)), week, hours: week_hours + hours };
        }
        // The gaps, recounted in the solver's order: date, shift, checkpoint.
        let eligible: Vec<bool> = checkpoints
            .iter()
            .map(|c| {
                staff.iter().any(|s| {
                    c.eligible().intersects(s.qualifications())
                        && locality_holds(c.locality(), s.home(), c.entrance(), tree) == Some(true)
                })
            })
            .collect();
        let mut expected = Vec::new();
        for day in 0..self.days {
            let date = self.first.checked_add_days(Days::new(u64::from(day))).ok_or_else(|| span.clone())?;
            for (k, shift) in self.shifts.iter().enumerate() {
                for (c, checkpoint) in checkpoints.iter().enumerate() {
                    let need = checkpoint.needs(*shift);
                    let filled = on.get(&(day, shift_index(k), index32(c))).copied().unwrap_or(0);
                    if filled < need {
                        let reason = if eligible[c] { GapReason::NoneFree } else { GapReason::NoneEligible };
                        expected.push(Gap {
                            date,
                            shift: shift_index(k),
                            checkpoint: index32(c),
                            missing: need - filled,
                            reason,
                        });
                    }
                }
            }
        }
        if let Some(g) = (0..self.gaps.len().max(expected.len())).find(|&g| self.gaps.get(g) != expected.get(g)) {
            return Err(breaks(g, RosterRule::Gaps));
        }
        Ok(())
    }

    /// The first date.
    pub const fn first_date(&self) -> NaiveDate {
        self.first
    }

    /// How many dates it spans.
    pub const fn days(&self) -> u16 {
        self.days
    }

    /// The shifts of each day.
    pub fn shifts(&self) -> &[Shift] {
        &self.shifts
    }

    /// Every duty, sorted by date, shift, checkpoint and person.
    pub fn duties(&self) -> &[Duty] {
        &self.duties
    }

    /// Every shift left short, by date, shift and checkpoint: first-class, like the duty
    /// solver's unfilled slots.
    pub fn gaps(&self) -> &[Gap] {
        &self.gaps
    }

    /// Coverage by hour of checkpoint `index` of `checkpoints` (the slice solved).
    ///
    /// # Errors
    /// [`GateError::UnknownCheckpoint`].
    pub fn coverage(&self, checkpoints: &[Checkpoint], index: usize) -> Result<Coverage, GateError> {
        checkpoints.get(index).ok_or(GateError::UnknownCheckpoint { index, len: checkpoints.len() })?;
        Ok(self.cover(checkpoints, |c| c == index))
    }

    /// Coverage by hour summed over the checkpoints whose entrance lies within `area` (a
    /// community, say); checkpoints whose entrance is not in `tree` count nowhere.
    pub fn coverage_within(&self, checkpoints: &[Checkpoint], area: crate::UnitId, tree: &Tree) -> Coverage {
        let inside: Vec<bool> =
            checkpoints.iter().map(|c| tree.is_within(c.entrance(), area).unwrap_or(false)).collect();
        self.cover(checkpoints, |c| inside.get(c).copied().unwrap_or(false))
    }

    fn cover(&self, checkpoints: &[Checkpoint], counted: impl Fn(usize) -> bool) -> Coverage {
        let first_hour = self.shifts.first().map_or(0, |s| s.start);
        let mut hours = vec![HourCover::default(); usize::from(self.days) * 24];
        // On duty per (day, shift, checkpoint): duties are sorted, count them by key.
        let mut on = std::collections::HashMap::<(u16, u8, u32), u32>::new();
        for d in &self.duties {
            let day = u16::try_from((d.date - self.first).num_days()).unwrap_or(u16::MAX);
            *on.entry((day, d.shift, d.checkpoint)).or_default() += 1;
        }
        for day in 0..self.days {
            let mut offset = usize::from(day) * 24;
            for (k, shift) in self.shifts.iter().enumerate() {
                for (c, checkpoint) in checkpoints.iter().enumerate() {
                    if !counted(c) {
                        continue;
                    }
                    let need = u32::from(checkpoint.needs(*shift));
                    let staffed = on.get(&(day, shift_index(k), index32(c))).copied().unwrap_or(0);
                    for h in 0..usize::from(shift.hours) {
                        let at = u32::from(shift.start) + u32::try_from(h).unwrap_or(0);
                        if checkpoint.hours().open_at(at)
                            && let Some(cell) = hours.get_mut(offset + h)
                        {
                            cell.needed += need;
                            cell.staffed += staffed.min(need);
                        }
                    }
                }
                offset += usize::from(shift.hours);
            }
        }
        Coverage { first: self.first, first_hour, hours }
    }
}

fn shift_index(k: usize) -> u8 {
    // A pattern holds at most 24 shifts of at least an hour each.
    u8::try_from(k).unwrap_or(u8::MAX)
}

fn index32(c: usize) -> u32 {
    u32::try_from(c).unwrap_or(u32::MAX)
}

fn staff_id(i: usize) -> StaffId {
    StaffId::new(index32(i))
}
