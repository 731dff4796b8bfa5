//! Checkpoints and their shift rosters (issue 17 §1): rosters keep every rule (qualification,
//! locality, availability, one shift at a time, rest, the weekly cap) and are maximal, checked
//! by a naive model and a brute force over every single addition; gaps and coverage against a
//! recount; seed 003's scenario (168 checkpoints of four kinds, three shifts for a week from
//! 600 people); the one-entrance audit against a recount.
//!
//! The model here reads the roster only through its public values and checks on its own.

#[path = "support/proptest_config.rs"]
mod proptest_config;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use proptest::prelude::*;
use wangge::duty::{Locality, Qualification as Q, Qualifications, Staff};
use wangge::gates::{
    Checkpoint, Duty, GapReason, Hours, Shift, ShiftPattern, ShiftRoster, ShiftRules, one_way_breaches,
};
use wangge::grid::{CheckpointKind, Level, LevelScheme, NewUnit, Tree, UnitKind};
use wangge::people::Name;
use wangge::{StaffId, UnitId};

fn feb(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).unwrap()
}

/// A sub-district of `communities` communities of `yards` courtyards each, each courtyard with
/// one entrance: (tree, communities, courtyards per community, entrances per community).
/// A city: the tree, its communities, courtyards per community, entrances per community.
type City = (Tree, Vec<UnitId>, Vec<Vec<UnitId>>, Vec<Vec<UnitId>>);

fn city(communities: usize, yards: usize) -> City {
    let lv = Level::new;
    let mut tree = Tree::new(LevelScheme::zhengzhou(), NewUnit::new("街道", lv(0), UnitKind::Area)).unwrap();
    let (mut cs, mut ys, mut es) = (Vec::new(), Vec::new(), Vec::new());
    for c in 0..communities {
        let community = tree.add(tree.root(), NewUnit::new(format!("{c}社区"), lv(1), UnitKind::Area)).unwrap();
        let (mut y, mut e) = (Vec::new(), Vec::new());
        for i in 0..yards {
            let yard = tree.add(community, NewUnit::new(format!("{i}号院"), lv(2), UnitKind::Area)).unwrap();
            let kind = CheckpointKind::ALL[i % 4];
            e.push(tree.add(yard, NewUnit::new("门", lv(3), UnitKind::Entrance(Some(kind)))).unwrap());
            y.push(yard);
        }
        cs.push(community);
        ys.push(y);
        es.push(e);
    }
    (tree, cs, ys, es)
}

/// The naive model of a roster's rules.
struct Model<'a> {
    checkpoints: &'a [Checkpoint],
    staff: &'a [Staff],
    rules: &'a ShiftRules,
    tree: &'a Tree,
    first: NaiveDate,
    days: u16,
}

impl Model<'_> {
    fn shift(&self, k: u8) -> Shift {
        self.rules.pattern().shifts()[usize::from(k)]
    }

    /// Hours after the first date's midnight: a duty's start and end.
    fn span(&self, d: &Duty) -> (i64, i64) {
        let s = self.shift(d.shift);
        let start = (d.date - self.first).num_days() * 24 + i64::from(s.start);
        (start, start + i64::from(s.hours))
    }

    /// People needed: open in any hour of the shift.
    fn need(&self, c: usize, k: u8) -> u32 {
        let s = self.shift(k);
        let open =
            (u32::from(s.start)..u32::from(s.start) + u32::from(s.hours)).any(|h| match self.checkpoints[c].hours() {
                Hours::AllDay => true,
                Hours::Daily { open, close } => (u32::from(open)..u32::from(close)).contains(&(h % 24)),
            });
        if open { u32::from(self.checkpoints[c].per_shift()) } else { 0 }
    }

    /// The community (level 1) above a unit, by walking parents.
    fn community(&self, mut u: UnitId) -> Option<UnitId> {
        loop {
            if self.tree.level(u).ok()? == Level::new(1) {
                return Some(u);
            }
            u = self.tree.parent(u).ok()??;
        }
    }

    fn may_stand(&self, c: usize, s: StaffId) -> bool {
        let (cp, member) = (&self.checkpoints[c], &self.staff[s.index()]);
        let place = match cp.locality() {
            Locality::Anywhere => true,
            Locality::SameAncestorAt(l) if l == Level::new(1) => {
                self.community(cp.entrance()).is_some()
                    && self.community(cp.entrance()) == self.community(member.home())
            }
            other => unreachable!("{other:?}"),
        };
        place && cp.eligible().iter().any(|q| member.qualifications().contains(q))
    }

    /// Every rule broken by `duties`, as text.
    fn breaches(&self, duties: &[Duty]) -> Vec<String> {
        let mut out = Vec::new();
        let mut count = BTreeMap::<(NaiveDate, u8, u32), u32>::new();
        let mut by_person = BTreeMap::<StaffId, Vec<&Duty>>::new();
        for d in duties {
            if !self.may_stand(d.checkpoint as usize, d.staff) {
                out.push(format!("{d:?} not eligible or not local"));
            }
            if !self.staff[d.staff.index()].is_available_on(d.date) {
                out.push(format!("{d:?} away"));
            }
            *count.entry((d.date, d.shift, d.checkpoint)).or_default() += 1;
            by_person.entry(d.staff).or_default().push(d);
        }
        for (&(date, k, c), &n) in &count {
            if n > self.need(c as usize, k) {
                out.push(format!("{date} shift {k} checkpoint {c}: {n} on duty"));
            }
        }
        for (s, mut ds) in by_person {
            ds.sort_by_key(|d| self.span(d));
            for w in ds.windows(2) {
                let (a, b) = (self.span(w[0]), self.span(w[1]));
                if b.0 - a.1 < i64::from(self.rules.rest_hours()) {
                    out.push(format!("{s} rests {} hours between {:?} and {:?}", b.0 - a.1, w[0], w[1]));
                }
            }
            let mut weeks = BTreeMap::<i64, i64>::new();
            for d in &ds {
                *weeks.entry((d.date - self.first).num_days() / 7).or_default() += i64::from(self.shift(d.shift).hours);
            }
            for (w, h) in weeks {
                if h > i64::from(self.rules.week_cap_hours()) {
                    out.push(format!("{s} works {h} hours in week {w}"));
                }
            }
        }
        out
    }

    /// Every (date, shift, checkpoint) short of people, with how many are missing.
    fn shortfalls(&self, duties: &[Duty]) -> BTreeMap<(NaiveDate, u8, u32), u32> {
        let mut on = BTreeMap::<(NaiveDate, u8, u32), u32>::new();
        for d in duties {
            *on.entry((d.date, d.shift, d.checkpoint)).or_default() += 1;
        }
        let mut short = BTreeMap::new();
        for day in 0..self.days {
            let date = self.first + chrono::Days::new(u64::from(day));
            for k in 0..self.rules.pattern().shifts().len() as u8 {
                for c in 0..self.checkpoints.len() as u32 {
                    let need = self.need(c as usize, k);
                    let have = on.get(&(date, k, c)).copied().unwrap_or(0);
                    if have < need {
                        short.insert((date, k, c), need - have);
                    }
                }
            }
        }
        short
    }
}

/// A small instance: a tree of 2 communities × 2 courtyards, 1 to 4 checkpoints, 1 to 7
/// staff, a pattern, a rest, a cap and 1 to 9 days.
/// A checkpoint: its courtyard, people a shift, hours (open, length), qualification pick, local.
type CheckpointSpec = (usize, u8, Option<(u8, u8)>, u8, bool);
/// A staff member: qualification pick, home pick, available (from day, for days).
type StaffSpec = (u8, usize, Option<(u32, u32)>);

#[derive(Debug, Clone)]
struct Instance {
    checkpoints: Vec<CheckpointSpec>,
    staff: Vec<StaffSpec>,
    pattern: u8,
    rest: u16,
    cap_shifts: u16,
    days: u16,
}

fn instance() -> impl Strategy<Value = Instance> {
    (
        prop::collection::vec((0usize..4, 1u8..3, prop::option::of((0u8..23, 1u8..25)), 0u8..4, any::<bool>()), 1..5),
        prop::collection::vec((0u8..4, 0usize..3, prop::option::of((1u32..9, 0u32..6))), 1..8),
        0u8..3,
        0u16..20,
        1u16..7,
        1u16..10,
    )
        .prop_map(|(checkpoints, staff, pattern, rest, cap_shifts, days)| Instance {
            checkpoints,
            staff,
            pattern,
            rest,
            cap_shifts,
            days,
        })
}

const QS: [Q; 4] = [Q::Volunteer, Q::PartyMember, Q::OfficeCadre, Q::Police];

fn build(inst: &Instance) -> (Tree, Vec<Checkpoint>, Vec<Staff>, ShiftRules) {
    let (tree, communities, yards, entrances) = city(2, 2);
    let checkpoints = inst
        .checkpoints
        .iter()
        .map(|&(at, per_shift, hours, q, local)| {
            let hours = match hours {
                Some((open, len)) if open + len.min(24 - open) > open => {
                    Hours::Daily { open, close: open + len.min(24 - open) }
                }
                _ => Hours::AllDay,
            };
            let eligible = Qualifications::only(QS[usize::from(q)]).with(QS[usize::from(q + 1) % 4]);
            let locality = if local { Locality::SameAncestorAt(Level::new(1)) } else { Locality::Anywhere };
            Checkpoint::new(
                entrances[at / 2][at % 2],
                CheckpointKind::ALL[at],
                vec![yards[at / 2][at % 2]],
                hours,
                per_shift,
                eligible,
                locality,
            )
            .unwrap()
        })
        .collect();
    let homes = [communities[0], communities[1], tree.root()];
    let staff = inst
        .staff
        .iter()
        .enumerate()
        .map(|(i, &(q, home, away))| {
            let member = Staff::new(
                Name::new(&format!("值守{i}")).unwrap(),
                Qualifications::only(QS[usize::from(q)]),
                homes[home],
                1,
            )
            .unwrap();
            match away {
                Some((from, len)) => member.available(Some(feb(from)), Some(feb(from + len))).unwrap(),
                None => member,
            }
        })
        .collect();
    let pattern = match inst.pattern {
        0 => ShiftPattern::three_eights(),
        1 => ShiftPattern::new(vec![Shift { start: 7, hours: 12 }, Shift { start: 19, hours: 12 }]).unwrap(),
        _ => ShiftPattern::new(vec![
            Shift { start: 6, hours: 6 },
            Shift { start: 12, hours: 10 },
            Shift { start: 22, hours: 8 },
        ])
        .unwrap(),
    };
    let longest = u16::from(pattern.longest());
    let rules = ShiftRules::new(pattern, inst.rest, (longest * inst.cap_shifts).min(168)).unwrap();
    (tree, checkpoints, staff, rules)
}

proptest! {
    #![proptest_config(proptest_config::persisted("tests/gates.proptest-regressions", 256))]

    /// A solved roster keeps every rule, lists exactly the shortfalls as gaps, and is maximal:
    /// adding any one person to any short shift breaks a rule (brute force over every pair).
    #[test]
    fn rosters_keep_rest_and_caps_and_are_maximal(inst in instance()) {
        let (tree, checkpoints, staff, rules) = build(&inst);
        let roster = ShiftRoster::solve(&checkpoints, &staff, &rules, feb(1), inst.days, &tree).unwrap();
        let model = Model { checkpoints: &checkpoints, staff: &staff, rules: &rules, tree: &tree, first: feb(1), days: inst.days };
        let duties = roster.duties().to_vec();
        prop_assert_eq!(model.breaches(&duties), Vec::<String>::new());
        let short = model.shortfalls(&duties);
        let gaps: BTreeMap<_, _> = roster.gaps().iter().map(|g| ((g.date, g.shift, g.checkpoint), u32::from(g.missing))).collect();
        prop_assert_eq!(&gaps, &short);
        for g in roster.gaps() {
            let anyone = (0..staff.len()).any(|s| model.may_stand(g.checkpoint as usize, StaffId::new(s as u32)));
            prop_assert_eq!(g.reason == GapReason::NoneEligible, !anyone);
        }
        for &(date, shift, checkpoint) in short.keys() {
            for s in 0..staff.len() {
                let mut more = duties.clone();
                more.push(Duty { date, shift, checkpoint, staff: StaffId::new(s as u32) });
                // One person on two checkpoints of one shift counts as no rest.
                let on_shift = duties.iter().any(|d| d.date == date && d.shift == shift && d.staff.index() == s);
                prop_assert!(on_shift || !model.breaches(&more).is_empty(), "{:?} could also take {:?}", s, (date, shift, checkpoint));
            }
        }
        // Coverage by hour: needed hours and staffed hours against a recount.
        for c in 0..checkpoints.len() {
            let cover = roster.coverage(&checkpoints, c).unwrap();
            let needed: u32 = cover.hours().iter().map(|h| h.needed).sum();
            let staffed: u32 = cover.hours().iter().map(|h| h.staffed).sum();
            let mut want_needed = 0;
            let mut want_staffed = 0;
            for day in 0..inst.days {
                let date = feb(1) + chrono::Days::new(u64::from(day));
                for (k, s) in rules.pattern().shifts().iter().enumerate() {
                    let k = k as u8;
                    let need = model.need(c, k);
                    let have = duties.iter().filter(|d| d.date == date && d.shift == k && d.checkpoint as usize == c).count() as u32;
                    let open = (u32::from(s.start)..u32::from(s.start) + u32::from(s.hours))
                        .filter(|h| checkpoints[c].hours().open_at(*h)).count() as u32;
                    want_needed += need * open;
                    want_staffed += have.min(need) * open;
                }
            }
            prop_assert_eq!((needed, staffed), (want_needed, want_staffed));
        }
    }

    /// The one-entrance audit against a recount walking each entrance's parents.
    #[test]
    fn one_way_audit_equals_a_recount(
        extra in prop::collection::vec((0usize..4, any::<bool>()), 0..8),
        closed in prop::collection::vec(any::<bool>(), 12),
        serving in prop::collection::vec((0usize..4, 0usize..4), 0..4),
        under in prop::collection::vec(0usize..4, 0..6),
    ) {
        let (mut tree, _, yards, mut entrances) = city(2, 2);
        let yards: Vec<UnitId> = yards.concat();
        for (y, closed_in_tree) in extra {
            let e = tree.add(yards[y], NewUnit::new("侧门", Level::new(3), UnitKind::Entrance(None))).unwrap();
            if closed_in_tree {
                tree.close(e, feb(1)).unwrap();
            }
            entrances[0].push(e);
        }
        let all: Vec<UnitId> = entrances.concat();
        let shut: BTreeSet<UnitId> = all.iter().zip(&closed).filter(|(_, c)| **c).map(|(e, _)| *e).collect();
        let checkpoints: Vec<Checkpoint> = serving
            .iter()
            .map(|&(e, y)| {
                Checkpoint::new(all[e], CheckpointKind::PublicPlace, vec![yards[y]], Hours::AllDay, 1, Qualifications::only(Q::Volunteer), Locality::Anywhere).unwrap()
            })
            .collect();
        let under: Vec<UnitId> = under.iter().map(|&y| yards[y]).collect();
        let got = one_way_breaches(&under, &checkpoints, |u| shut.contains(&u), &tree);
        let mut want = Vec::new();
        let mut seen = BTreeSet::new();
        for &y in &under {
            if !seen.insert(y) {
                continue;
            }
            let mut open = BTreeSet::new();
            for &e in &all {
                let inside = tree.parent(e).unwrap() == Some(y);
                let served = checkpoints.iter().any(|c| c.entrance() == e && c.serves().contains(&y));
                if (inside || served) && !shut.contains(&e) && tree.unit(e).unwrap().is_open() {
                    open.insert(e);
                }
            }
            if open.len() > 1 {
                want.push((y, open.into_iter().collect::<Vec<_>>()));
            }
        }
        prop_assert_eq!(got.into_iter().map(|b| (b.compound, b.open)).collect::<Vec<_>>(), want);
    }
}

/// Seed 003: "街道共设置管控服务卡点168个(无主管楼院卡点29个,单位家属院卡点88个,公共单位卡点42个,
/// 公共场所卡点9个)", about 600 people in 24-hour shifts. Twelve communities of 14 checkpoints,
/// three 8-hour shifts for a week, one person a shift, people of the checkpoint's community, 8
/// hours' rest, 48 hours a week at most (six shifts). Eleven communities have 52 people (312
/// shifts a week for 294 needed); one has 28 (168 shifts for 294): it must be short by at
/// least 126 shifts, and no other community may be short at all... unless the roster failed.
#[test]
fn seed_003_a_week_of_168_checkpoints_from_600_people() {
    let (tree, communities, yards, entrances) = city(12, 14);
    let kinds: Vec<CheckpointKind> = CheckpointKind::huayuan_road_2020().collect();
    assert_eq!(kinds.len(), 168);
    let local = Locality::SameAncestorAt(Level::new(1));
    let guards = Qualifications::only(Q::Volunteer).with(Q::PartyMember).with(Q::OfficeCadre);
    let checkpoints: Vec<Checkpoint> = entrances
        .concat()
        .into_iter()
        .zip(yards.concat())
        .zip(&kinds)
        .map(|((e, y), &k)| Checkpoint::new(e, k, vec![y], Hours::AllDay, 1, guards, local).unwrap())
        .collect();
    let mut staff = Vec::new();
    for (i, &c) in communities.iter().enumerate() {
        let n = if i == 0 { 28 } else { 52 };
        for j in 0..n {
            let q = [Q::Volunteer, Q::PartyMember, Q::OfficeCadre][j % 3];
            staff.push(Staff::new(Name::new(&format!("{i}-{j}")).unwrap(), Qualifications::only(q), c, 1).unwrap());
        }
    }
    assert_eq!(staff.len(), 600);
    let rules = ShiftRules::new(ShiftPattern::three_eights(), 8, 48).unwrap();
    let roster = ShiftRoster::solve(&checkpoints, &staff, &rules, feb(1), 7, &tree).unwrap();
    let model = Model { checkpoints: &checkpoints, staff: &staff, rules: &rules, tree: &tree, first: feb(1), days: 7 };
    assert_eq!(model.breaches(roster.duties()), Vec::<String>::new());
    // Gaps: exactly the shortfalls, all in the first community, at least 294 - 168 shifts.
    let short = model.shortfalls(roster.duties());
    assert_eq!(roster.gaps().len(), short.len());
    let missing: u32 = roster.gaps().iter().map(|g| u32::from(g.missing)).sum();
    assert!(missing >= 126, "{missing}");
    assert!(roster.gaps().iter().all(|g| g.checkpoint < 14 && g.reason == GapReason::NoneFree));
    assert_eq!(roster.duties().len() as u32 + missing, 168 * 21);
    // Coverage per community: the first short by the gaps' hours, the others whole.
    let first = roster.coverage_within(&checkpoints, communities[0], &tree);
    let short_hours: u32 = first.hours().iter().map(|h| h.needed - h.staffed).sum();
    assert_eq!(short_hours, missing * 8);
    assert_eq!(first.hours().len(), 7 * 24);
    for &c in &communities[1..] {
        let cover = roster.coverage_within(&checkpoints, c, &tree);
        assert!(cover.hours().iter().all(|h| h.needed == 14 && h.staffed == 14));
    }
    // The whole sub-district: 168 needed every hour.
    let all = roster.coverage_within(&checkpoints, tree.root(), &tree);
    assert!(all.hours().iter().all(|h| h.needed == 168));
}

#[test]
fn bad_patterns_rules_and_spans_are_refused() {
    use wangge::gates::GateError;
    let s = |start, hours| Shift { start, hours };
    assert_eq!(ShiftPattern::new(vec![]), Err(GateError::NoShifts));
    assert!(ShiftPattern::new(vec![s(0, 8), s(9, 8), s(17, 7)]).is_err());
    assert!(ShiftPattern::new(vec![s(0, 25)]).is_err());
    assert!(ShiftPattern::new(vec![s(24, 24)]).is_err());
    assert!(ShiftPattern::new(vec![s(5, 24)]).is_ok());
    assert!(ShiftRules::new(ShiftPattern::three_eights(), 8, 7).is_err());
    assert!(ShiftRules::new(ShiftPattern::three_eights(), 169, 40).is_err());
    let q = Qualifications::only(Q::Volunteer);
    let u = UnitId::new(0);
    assert_eq!(
        Checkpoint::new(u, CheckpointKind::PublicPlace, vec![], Hours::AllDay, 0, q, Locality::Anywhere),
        Err(GateError::NoOneNeeded)
    );
    assert!(
        Checkpoint::new(
            u,
            CheckpointKind::PublicPlace,
            vec![],
            Hours::Daily { open: 8, close: 8 },
            1,
            q,
            Locality::Anywhere
        )
        .is_err()
    );
    let (tree, ..) = city(1, 1);
    let rules = ShiftRules::new(ShiftPattern::three_eights(), 8, 40).unwrap();
    assert!(ShiftRoster::solve(&[], &[], &rules, feb(1), 0, &tree).is_err());
    assert!(ShiftRoster::solve(&[], &[], &rules, NaiveDate::MAX, 2, &tree).is_err());
    // Serde refuses what `new` refuses.
    assert!(serde_json::from_str::<ShiftPattern>(r#"[{"start":0,"hours":8}]"#).is_err());
    let json = serde_json::to_string(&rules).unwrap();
    assert_eq!(serde_json::from_str::<ShiftRules>(&json).unwrap(), rules);
}

// ---------------------------------------------------------------------------------------------
// The gates book (issue 17 §1 in the registry): the same rules through commands.

mod book {
    use super::*;
    use wangge::gates::{GateError, OneWayBreach};
    use wangge::grid::CompoundKind;
    use wangge::{Command, Error, Event, Registry};

    /// A registry shaped as [`city`]: communities of compounds, each with one entrance; the
    /// events applied (after the founding one) for replay.
    pub(super) struct Town {
        pub reg: Registry,
        pub events: Vec<Event>,
        pub communities: Vec<UnitId>,
        pub yards: Vec<Vec<UnitId>>,
        pub entrances: Vec<Vec<UnitId>>,
    }

    impl Town {
        pub fn new(communities: usize, yards: usize) -> Town {
            let levels = LevelScheme::zhengzhou();
            let reg = Registry::new(levels, NewUnit::new("花园路街道", Level::new(0), UnitKind::Area)).unwrap();
            let events = vec![reg.founding_event()];
            let mut t = Town { reg, events, communities: vec![], yards: vec![], entrances: vec![] };
            for c in 0..communities {
                let community = t.add(t.reg.root(), &format!("{c}社区"), 1, UnitKind::Area);
                let (mut ys, mut es) = (Vec::new(), Vec::new());
                for i in 0..yards {
                    let yard = t.add(community, &format!("{i}号院"), 2, UnitKind::Compound(CompoundKind::WorkUnit));
                    let kind = CheckpointKind::ALL[i % 4];
                    es.push(t.add(yard, "门", 3, UnitKind::Entrance(Some(kind))));
                    ys.push(yard);
                }
                t.communities.push(community);
                t.yards.push(ys);
                t.entrances.push(es);
            }
            t
        }

        pub fn add(&mut self, parent: UnitId, name: &str, level: u8, kind: UnitKind) -> UnitId {
            let unit = NewUnit::new(name, Level::new(level), kind);
            let events = self.run(Command::AddUnit { parent, unit }).unwrap();
            events[0].new_unit().unwrap()
        }

        pub fn run(&mut self, command: Command) -> Result<Vec<Event>, Error> {
            let events = self.reg.apply(command)?;
            self.events.extend(events.iter().cloned());
            Ok(events)
        }

        /// The registry replays from its events and round-trips through a snapshot, in JSON
        /// and in the registry's own form, and audits clean.
        pub fn round_trips(&self) {
            assert_eq!(self.reg.audit(), vec![]);
            assert!(Registry::replay(&self.events).unwrap() == self.reg);
            assert!(Registry::from_snapshot(self.reg.snapshot()).unwrap() == self.reg);
            let json = serde_json::to_string(&self.reg.snapshot()).unwrap();
            let back: wangge::Snapshot = serde_json::from_str(&json).unwrap();
            assert!(Registry::from_snapshot(back).unwrap() == self.reg);
        }
    }

    fn breaches(reg: &Registry) -> Vec<(UnitId, Vec<UnitId>)> {
        reg.one_entrance_breaches().into_iter().map(|OneWayBreach { compound, open }| (compound, open)).collect()
    }

    fn gate_error(e: Error) -> GateError {
        match e {
            Error::Gate(g) => g,
            other => panic!("not a gate error: {other:?}"),
        }
    }

    /// Seed 003 through commands: 168 checkpoints set at 168 entrances, 600 people added, a
    /// week of three shifts solved by the host over the registry's checkpoints and pool and
    /// recorded; coverage and gaps read back against the naive model.
    #[test]
    fn seed_003_through_commands() {
        let mut t = Town::new(12, 14);
        let kinds: Vec<CheckpointKind> = CheckpointKind::huayuan_road_2020().collect();
        let local = Locality::SameAncestorAt(Level::new(1));
        let guards = Qualifications::only(Q::Volunteer).with(Q::PartyMember).with(Q::OfficeCadre);
        let pairs: Vec<(UnitId, UnitId)> = t.entrances.concat().into_iter().zip(t.yards.concat()).collect();
        for (&(e, y), &k) in pairs.iter().zip(&kinds) {
            let checkpoint = Checkpoint::new(e, k, vec![y], Hours::AllDay, 1, guards, local).unwrap();
            t.run(Command::SetCheckpoint { checkpoint, on: feb(1) }).unwrap();
        }
        assert_eq!(t.reg.checkpoints().len(), 168);
        for (i, c) in t.communities.clone().into_iter().enumerate() {
            let n = if i == 0 { 28 } else { 52 };
            for j in 0..n {
                let q = [Q::Volunteer, Q::PartyMember, Q::OfficeCadre][j % 3];
                let staff = Staff::new(Name::new(&format!("{i}-{j}")).unwrap(), Qualifications::only(q), c, 1).unwrap();
                t.run(Command::AddStaff { staff }).unwrap();
            }
        }
        assert_eq!(t.reg.staff_pool().len(), 600);
        let rules = ShiftRules::new(ShiftPattern::three_eights(), 8, 48).unwrap();
        let roster =
            ShiftRoster::solve(t.reg.checkpoints(), t.reg.staff_pool(), &rules, feb(2), 7, t.reg.tree()).unwrap();
        t.run(Command::RecordShiftRoster { rules: rules.clone(), roster: roster.clone(), on: feb(1) }).unwrap();
        // The same roster again overlaps itself.
        let again = t.run(Command::RecordShiftRoster { rules: rules.clone(), roster: roster.clone(), on: feb(1) });
        assert_eq!(gate_error(again.unwrap_err()), GateError::RosterOverlap { first: feb(2) });
        let checkpoints = t.reg.checkpoints().to_vec();
        let model = Model {
            checkpoints: &checkpoints,
            staff: t.reg.staff_pool(),
            rules: &rules,
            tree: t.reg.tree(),
            first: feb(2),
            days: 7,
        };
        let recorded = t.reg.shift_roster_on(feb(5)).expect("a roster spans Feb 5");
        assert!(t.reg.shift_roster_on(feb(1)).is_none() && t.reg.shift_roster_on(feb(9)).is_none());
        assert_eq!(model.breaches(recorded.roster.duties()), Vec::<String>::new());
        let short = model.shortfalls(recorded.roster.duties());
        let gaps: BTreeMap<_, _> =
            recorded.gaps().iter().map(|g| ((g.date, g.shift, g.checkpoint), u32::from(g.missing))).collect();
        assert_eq!(gaps, short);
        let missing: u32 = short.values().sum();
        assert!(missing >= 126, "{missing}");
        // The gaps all lie in the first community's entrances.
        for g in recorded.gaps() {
            let e = recorded.entrance_of(g.checkpoint).unwrap();
            assert!(t.entrances[0].contains(&e));
        }
        // Coverage per community from the registry; per checkpoint from the record.
        let first = t.reg.gate_coverage_within(feb(3), t.communities[0]).unwrap().unwrap();
        assert_eq!(first.hours().iter().map(|h| h.needed - h.staffed).sum::<u32>(), missing * 8);
        for &c in &t.communities[1..] {
            let cover = t.reg.gate_coverage_within(feb(3), c).unwrap().unwrap();
            assert!(cover.hours().iter().all(|h| h.needed == 14 && h.staffed == 14));
        }
        let e = t.entrances[5][3];
        let one = recorded.coverage(e).unwrap();
        assert!(one.hours().iter().all(|h| h.needed == 1 && h.staffed == 1));
        assert!(recorded.coverage(t.yards[0][0]).is_none());
        // Scoped: community 1 sees its 14 checkpoints, none of the others, and no coverage
        // of community 0.
        let scope = t.reg.scope(&[t.communities[1]]).unwrap();
        let seen: Vec<UnitId> = scope.checkpoints().iter().map(|c| c.entrance()).collect();
        assert_eq!(seen, t.entrances[1]);
        assert!(scope.checkpoint(t.entrances[0][0]).is_err());
        assert!(scope.gate_coverage_within(feb(3), t.communities[0]).is_err());
        assert!(scope.gate_coverage_within(feb(3), t.communities[1]).unwrap().is_some());
        t.round_trips();
    }

    /// A compound under the one-entrance rule with two open entrances is listed; closing one by
    /// command clears it; reopening lists it again; lifting the rule clears it. Refusals are
    /// typed. Through a scope, another community's compound is neither read nor written.
    #[test]
    fn one_entrance_rule_through_commands() {
        let mut t = Town::new(2, 2);
        let yard = t.yards[0][0];
        let east = t.entrances[0][0];
        let west = t.add(yard, "西门", 3, UnitKind::Entrance(None));
        t.run(Command::SetOneEntranceRule { compound: yard, under: true, on: feb(2) }).unwrap();
        assert_eq!(breaches(&t.reg), vec![(yard, vec![east, west])]);
        t.run(Command::CloseEntrance { entrance: west, on: feb(3) }).unwrap();
        assert!(t.reg.entrance_closed(west).expect("a known entrance"));
        assert!(
            t.reg.entrance_closed(wangge::UnitId::new(u32::MAX)).is_err(),
            "an unknown unit is neither open nor closed"
        );
        assert_eq!(breaches(&t.reg), vec![]);
        // The tree still holds the entrance open: this closure is the book's, not CloseUnit's.
        assert!(t.reg.tree().unit(west).unwrap().is_open());
        let twice = t.run(Command::CloseEntrance { entrance: west, on: feb(4) }).unwrap_err();
        assert_eq!(gate_error(twice), GateError::EntranceUnchanged { entrance: west, closed: true });
        let back = t.run(Command::ReopenEntrance { entrance: west, on: feb(2) }).unwrap_err();
        assert_eq!(gate_error(back), GateError::BeforeLast { unit: west, on: feb(2), last: feb(3) });
        t.run(Command::ReopenEntrance { entrance: west, on: feb(5) }).unwrap();
        assert_eq!(breaches(&t.reg), vec![(yard, vec![east, west])]);
        let open = t.run(Command::ReopenEntrance { entrance: west, on: feb(6) }).unwrap_err();
        assert_eq!(gate_error(open), GateError::EntranceUnchanged { entrance: west, closed: false });
        // A checkpoint at a street entrance serving the yard counts too.
        let street = t.add(t.communities[0], "路口", 2, UnitKind::Entrance(None));
        let q = Qualifications::only(Q::Volunteer);
        let serving =
            Checkpoint::new(street, CheckpointKind::PublicPlace, vec![yard], Hours::AllDay, 1, q, Locality::Anywhere)
                .unwrap();
        t.run(Command::SetCheckpoint { checkpoint: serving, on: feb(5) }).unwrap();
        assert_eq!(breaches(&t.reg), vec![(yard, vec![east, west, street])]);
        // Refusals.
        let not_compound = t.run(Command::SetOneEntranceRule { compound: t.communities[0], under: true, on: feb(5) });
        assert_eq!(gate_error(not_compound.unwrap_err()), GateError::NotACompound { unit: t.communities[0] });
        let same = t.run(Command::SetOneEntranceRule { compound: yard, under: true, on: feb(5) });
        assert_eq!(gate_error(same.unwrap_err()), GateError::RuleUnchanged { compound: yard, under: true });
        let not_gate = t.run(Command::CloseEntrance { entrance: yard, on: feb(5) });
        assert_eq!(gate_error(not_gate.unwrap_err()), GateError::NotAnEntrance { unit: yard });
        let at_yard =
            Checkpoint::new(yard, CheckpointKind::PublicPlace, vec![yard], Hours::AllDay, 1, q, Locality::Anywhere)
                .unwrap();
        let bad = t.run(Command::SetCheckpoint { checkpoint: at_yard, on: feb(5) });
        assert_eq!(gate_error(bad.unwrap_err()), GateError::NotAnEntrance { unit: yard });
        // A business date: later commands are refused.
        t.run(Command::OpenDay { today: feb(6) }).unwrap();
        assert!(t.run(Command::CloseEntrance { entrance: west, on: feb(7) }).is_err());
        // Scoped: community 1 sees no breach of community 0 and cannot close its gate.
        let other = t.yards[1][0];
        let side = t.add(other, "侧门", 3, UnitKind::Entrance(None));
        t.run(Command::SetOneEntranceRule { compound: other, under: true, on: feb(6) }).unwrap();
        let scope = t.reg.scope(&[t.communities[1]]).unwrap();
        let seen: Vec<UnitId> = scope.one_entrance_breaches().into_iter().map(|b| b.compound).collect();
        assert_eq!(seen, vec![other]);
        let roots = [t.communities[1]];
        assert!(t.reg.apply_within(&roots, Command::CloseEntrance { entrance: west, on: feb(6) }).is_err());
        let events = t.reg.apply_within(&roots, Command::CloseEntrance { entrance: side, on: feb(6) }).unwrap();
        t.events.extend(events);
        // A checkpoint inside the scope serving a compound outside it is refused; serving its
        // own compound it is set.
        let mine = t.entrances[1][1];
        let serving = |y| {
            Checkpoint::new(mine, CheckpointKind::PublicPlace, vec![y], Hours::AllDay, 1, q, Locality::Anywhere)
                .unwrap()
        };
        let outside = Command::SetCheckpoint { checkpoint: serving(yard), on: feb(6) };
        assert!(t.reg.apply_within(&roots, outside).is_err());
        let inside = Command::SetCheckpoint { checkpoint: serving(t.yards[1][1]), on: feb(6) };
        t.events.extend(t.reg.apply_within(&roots, inside).unwrap());
        // A roster staffs every checkpoint: city-wide, refused through a scope.
        let rules = ShiftRules::new(ShiftPattern::three_eights(), 8, 40).unwrap();
        let roster =
            ShiftRoster::solve(t.reg.checkpoints(), t.reg.staff_pool(), &rules, feb(7), 1, t.reg.tree()).unwrap();
        let city_wide = Command::RecordShiftRoster { rules, roster, on: feb(6) };
        let err = t.reg.apply_within(&roots, city_wide.clone()).unwrap_err();
        assert!(matches!(err, Error::Registry(wangge::registry::RegistryError::CityWide { .. })), "{err}");
        t.run(city_wide).unwrap();
        t.run(Command::SetOneEntranceRule { compound: yard, under: false, on: feb(6) }).unwrap();
        assert_eq!(breaches(&t.reg), vec![]);
        t.round_trips();
    }

    /// The audit refuses a gates book no command makes: a checkpoint at a compound, two
    /// lasting closures of one entrance, a rule on a community, a roster's duty moved onto the
    /// next shift of the same person (no rest), a recorded roster's rules with a smaller cap.
    #[test]
    fn the_audit_refuses_a_gates_book_no_command_makes() {
        use wangge::registry::GateSpan;
        let mut t = Town::new(1, 2);
        let q = Qualifications::only(Q::Volunteer);
        let (yard, gate) = (t.yards[0][0], t.entrances[0][0]);
        for &e in &t.entrances[0].clone() {
            let c =
                Checkpoint::new(e, CheckpointKind::PublicPlace, vec![yard], Hours::AllDay, 1, q, Locality::Anywhere)
                    .unwrap();
            t.run(Command::SetCheckpoint { checkpoint: c, on: feb(1) }).unwrap();
        }
        for i in 0..3 {
            let staff = Staff::new(Name::new(&format!("志愿者{i}")).unwrap(), q, t.communities[0], 1).unwrap();
            t.run(Command::AddStaff { staff }).unwrap();
        }
        t.run(Command::SetOneEntranceRule { compound: yard, under: true, on: feb(1) }).unwrap();
        t.run(Command::CloseEntrance { entrance: gate, on: feb(1) }).unwrap();
        let rules = ShiftRules::new(ShiftPattern::three_eights(), 8, 40).unwrap();
        let roster =
            ShiftRoster::solve(t.reg.checkpoints(), t.reg.staff_pool(), &rules, feb(2), 3, t.reg.tree()).unwrap();
        t.run(Command::RecordShiftRoster { rules: rules.clone(), roster, on: feb(1) }).unwrap();
        t.round_trips();
        let good = t.reg.snapshot();
        let refused = |s: wangge::Snapshot, what: &str| {
            let err = Registry::from_snapshot(s).expect_err(what);
            assert!(err.to_string().contains("checkpoints and rosters"), "{what}: {err}");
        };
        let mut s = good.clone();
        let c = s.gates.checkpoints[0].clone();
        s.gates.checkpoints[0] =
            Checkpoint::new(yard, c.kind(), c.serves().to_vec(), c.hours(), 1, q, c.locality()).unwrap();
        refused(s, "a checkpoint at a compound");
        let mut s = good.clone();
        s.gates.closures.push(GateSpan { unit: gate, from: feb(1), until: None });
        refused(s, "two lasting closures");
        let mut s = good.clone();
        s.gates.one_entrance[0].unit = t.communities[0];
        refused(s, "the rule on a community");
        let mut s = good.clone();
        let tight = ShiftRules::new(ShiftPattern::three_eights(), 8, 8).unwrap();
        s.gates.rosters[0].rules = tight;
        refused(s, "a cap the roster breaks");
        let mut s = good.clone();
        let recorded = &s.gates.rosters[0];
        let mut duties = recorded.roster.duties().to_vec();
        // The first duty's person also on the next shift at the other checkpoint.
        let d = duties[0];
        let next = Duty { shift: d.shift + 1, checkpoint: 1 - d.checkpoint, ..d };
        duties.retain(|x| !(x.date == next.date && x.shift == next.shift && x.checkpoint == next.checkpoint));
        duties.push(next);
        let gaps = serde_json::to_value(recorded.roster.gaps()).unwrap();
        s.gates.rosters[0].roster = forge(&recorded.roster, &duties, Some(&gaps));
        refused(s, "no rest");
    }

    /// A town for a small instance: [`build`]'s checkpoints and staff, in a registry.
    fn town_of(inst: &Instance) -> (Town, ShiftRules) {
        let (tree, checkpoints, staff, rules) = build(inst);
        let mut t = Town::new(2, 2);
        // The same shape: map the tree's units onto the town's by position.
        let (_, communities, _, entrances) = city(2, 2);
        let unit_of = |u: UnitId| -> UnitId {
            if u == tree.root() {
                return t.reg.root();
            }
            for c in 0..2 {
                if u == communities[c] {
                    return t.communities[c];
                }
                for (y, &e) in entrances[c].iter().enumerate() {
                    if u == e {
                        return t.entrances[c][y];
                    }
                    if tree.parent(e).unwrap() == Some(u) {
                        return t.yards[c][y];
                    }
                }
            }
            unreachable!()
        };
        let mut set = Vec::new();
        for c in &checkpoints {
            let serves = c.serves().iter().map(|&u| unit_of(u)).collect();
            let mapped = Checkpoint::new(
                unit_of(c.entrance()),
                c.kind(),
                serves,
                c.hours(),
                c.per_shift(),
                c.eligible(),
                c.locality(),
            )
            .unwrap();
            set.push(mapped);
        }
        let staff: Vec<Staff> = staff
            .into_iter()
            .map(|s| {
                let home = unit_of(s.home());
                let mut json = serde_json::to_value(&s).unwrap();
                json["home"] = serde_json::to_value(home).unwrap();
                serde_json::from_value(json).unwrap()
            })
            .collect();
        for checkpoint in set {
            t.run(Command::SetCheckpoint { checkpoint, on: feb(1) }).unwrap();
        }
        for staff in staff {
            t.run(Command::AddStaff { staff }).unwrap();
        }
        (t, rules)
    }

    /// A roster with its duties replaced by `duties` (sorted, repeats kept) and its gaps by
    /// `gaps`, through its serialised form (the roster has no other constructor than the solver).
    fn forge(roster: &ShiftRoster, duties: &[Duty], gaps: Option<&serde_json::Value>) -> ShiftRoster {
        let mut json = serde_json::to_value(roster).unwrap();
        let mut duties = duties.to_vec();
        duties.sort();
        json["duties"] = serde_json::to_value(duties).unwrap();
        if let Some(gaps) = gaps {
            json["gaps"] = gaps.clone();
        }
        serde_json::from_value(json).unwrap()
    }

    /// The gaps the model recounts, in the solver's order (date, shift, checkpoint).
    fn model_gaps(model: &Model<'_>, duties: &[Duty]) -> serde_json::Value {
        let gaps: Vec<serde_json::Value> = model
            .shortfalls(duties)
            .into_iter()
            .map(|((date, shift, checkpoint), missing)| {
                let anyone =
                    (0..model.staff.len()).any(|s| model.may_stand(checkpoint as usize, StaffId::new(s as u32)));
                let reason = if anyone { GapReason::NoneFree } else { GapReason::NoneEligible };
                serde_json::json!({ "date": date, "shift": shift, "checkpoint": checkpoint, "missing": missing, "reason": reason })
            })
            .collect();
        serde_json::Value::Array(gaps)
    }

    proptest! {
        #![proptest_config(proptest_config::persisted("tests/gates.proptest-regressions", 192))]

        /// A recorded roster never breaks rest or caps: the solved roster is recorded; one
        /// edited (a duty added anywhere or to a short shift, dropped or given to someone
        /// else, the gaps recounted) is
        /// recorded exactly when the naive model finds no broken rule; one whose gaps were
        /// not recounted is refused when they differ. What is recorded replays and round-trips.
        #[test]
        fn recorded_rosters_never_break_rest_or_caps(
            inst in instance(),
            edit in (0u8..6, any::<prop::sample::Index>(), 0u16..10, 0u8..3, 0usize..4, 0usize..8),
            recount in any::<bool>(),
        ) {
            let (mut t, rules) = town_of(&inst);
            let roster = ShiftRoster::solve(t.reg.checkpoints(), t.reg.staff_pool(), &rules, feb(1), inst.days, t.reg.tree()).unwrap();
            let checkpoints = t.reg.checkpoints().to_vec();
            let staff = t.reg.staff_pool().to_vec();
            let tree = t.reg.tree().clone();
            let model = Model { checkpoints: &checkpoints, staff: &staff, rules: &rules, tree: &tree, first: feb(1), days: inst.days };
            let mut duties = roster.duties().to_vec();
            let (how, pick, day, shift, cp, person) = edit;
            let shifts = rules.pattern().shifts().len() as u8;
            let added = Duty {
                date: feb(1) + chrono::Days::new(u64::from(day % inst.days)),
                shift: shift % shifts,
                checkpoint: (cp % checkpoints.len()) as u32,
                staff: StaffId::new((person % staff.len()) as u32),
            };
            match how {
                0 => duties.push(added),
                // A short shift given one more person: the solver's roster is maximal, so
                // this breaks a rule (often only rest or the cap) unless that person is
                // already on the shift.
                3..=5 if !roster.gaps().is_empty() => {
                    let g = roster.gaps()[pick.index(roster.gaps().len())];
                    duties.push(Duty { date: g.date, shift: g.shift, checkpoint: g.checkpoint, staff: added.staff });
                }
                1 if !duties.is_empty() => { duties.remove(pick.index(duties.len())); }
                _ if !duties.is_empty() => { let i = pick.index(duties.len()); duties[i].staff = added.staff; }
                _ => duties.push(added),
            }
            let gaps = model_gaps(&model, &duties);
            let forged = forge(&roster, &duties, recount.then_some(&gaps));
            let broken = model.breaches(&duties);
            let gaps_differ = !recount && serde_json::to_value(roster.gaps()).unwrap() != gaps;
            let got = t.run(Command::RecordShiftRoster { rules: rules.clone(), roster: forged, on: feb(1) });
            prop_assert_eq!(got.is_ok(), broken.is_empty() && !gaps_differ, "{:?} {:?} {:?}", broken, gaps_differ, got.err());
            if t.reg.shift_rosters().is_empty() {
                t.run(Command::RecordShiftRoster { rules: rules.clone(), roster: roster.clone(), on: feb(1) }).unwrap();
            }
            let recorded = &t.reg.shift_rosters()[0];
            prop_assert_eq!(model.breaches(recorded.roster.duties()), Vec::<String>::new());
            prop_assert_eq!(model_gaps(&model, recorded.roster.duties()), serde_json::to_value(recorded.gaps()).unwrap());
            t.round_trips();
        }

        /// The registry's breaches equal a recount: random extra entrances, closures by
        /// command, compounds under the rule, checkpoints serving other compounds.
        #[test]
        fn registry_breaches_equal_a_recount(
            extra in prop::collection::vec(0usize..4, 0..6),
            closed in prop::collection::vec(any::<bool>(), 10),
            reopened in prop::collection::vec(any::<bool>(), 10),
            serving in prop::collection::vec((0usize..4, 0usize..4), 0..4),
            under in prop::collection::vec(0usize..4, 0..6),
        ) {
            let mut t = Town::new(2, 2);
            let yards: Vec<UnitId> = t.yards.concat();
            let mut all: Vec<UnitId> = t.entrances.concat();
            for y in extra {
                all.push(t.add(yards[y], "侧门", 3, UnitKind::Entrance(None)));
            }
            let mut shut = BTreeSet::new();
            for (i, &e) in all.iter().enumerate() {
                if closed[i] {
                    t.run(Command::CloseEntrance { entrance: e, on: feb(2) }).unwrap();
                    shut.insert(e);
                    if reopened[i] {
                        t.run(Command::ReopenEntrance { entrance: e, on: feb(3) }).unwrap();
                        shut.remove(&e);
                    }
                }
            }
            let q = Qualifications::only(Q::Volunteer);
            let mut serves = BTreeMap::<UnitId, UnitId>::new();
            for (e, y) in serving {
                let c = Checkpoint::new(all[e], CheckpointKind::PublicPlace, vec![yards[y]], Hours::AllDay, 1, q, Locality::Anywhere).unwrap();
                t.run(Command::SetCheckpoint { checkpoint: c, on: feb(2) }).unwrap();
                serves.insert(all[e], yards[y]);
            }
            let mut rule = BTreeSet::new();
            // Each pick toggles the compound: put under the rule, or lifted.
            for y in under {
                let compound = yards[y];
                let now = rule.contains(&compound);
                let got = t.run(Command::SetOneEntranceRule { compound, under: !now, on: feb(4) });
                prop_assert!(got.is_ok());
                if now { rule.remove(&compound); } else { rule.insert(compound); }
            }
            let mut want = Vec::new();
            for &y in &rule {
                let open: Vec<UnitId> = all
                    .iter()
                    .copied()
                    .filter(|&e| t.reg.tree().parent(e).unwrap() == Some(y) || serves.get(&e) == Some(&y))
                    .filter(|e| !shut.contains(e))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                if open.len() > 1 {
                    want.push((y, open));
                }
            }
            prop_assert_eq!(breaches(&t.reg), want);
            t.round_trips();
        }
    }
}
