//! Bench of the shift roster (issue 17 §1, seed 003): a week of three 8-hour shifts for 168
//! checkpoints from 600 staff, 8 hours' rest, 48 hours a week at most.
//!
//! The city: 12 communities of 14 courtyards, each with one entrance and a checkpoint (the
//! four kinds of seed 003: 29 + 88 + 42 + 9), one person a shift, round the clock, from the
//! checkpoint's community; 50 staff a community (600).
//!
//! Group `gates`:
//! - `shift_roster/168x3x7_from_600`: [`ShiftRoster::solve`] (a maximum flow per shift);
//! - `greedy_first_fit/168x3x7_from_600`, the baseline in the same group: per shift, each
//!   checkpoint in turn takes the first free people of its candidates (same rules, no flow, no
//!   balancing), what a host would write by hand. Once, outside the timing, both rosters'
//!   sizes are printed;
//! - `check_roster/168x3x7_from_600`: [`ShiftRoster::check`] of the solved week, what
//!   `Command::RecordShiftRoster` adds to the solve (the solve is its baseline here).
//!
//! `cargo bench --bench gates`.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use wangge::duty::{Locality, Qualification as Q, Qualifications, Staff};
use wangge::gates::{Checkpoint, Hours, ShiftPattern, ShiftRoster, ShiftRules};
use wangge::grid::{CheckpointKind, Level, LevelScheme, NewUnit, Tree, UnitKind};
use wangge::people::Name;

fn city() -> (Tree, Vec<Checkpoint>, Vec<Staff>) {
    let lv = Level::new;
    let mut tree = Tree::new(LevelScheme::zhengzhou(), NewUnit::new("花园路街道", lv(0), UnitKind::Area)).unwrap();
    let kinds: Vec<CheckpointKind> = CheckpointKind::huayuan_road_2020().collect();
    let guards = Qualifications::only(Q::Volunteer).with(Q::PartyMember).with(Q::OfficeCadre);
    let (mut checkpoints, mut staff) = (Vec::new(), Vec::new());
    for c in 0..12 {
        let community = tree.add(tree.root(), NewUnit::new(format!("{c}社区"), lv(1), UnitKind::Area)).unwrap();
        for i in 0..14 {
            let kind = kinds[c * 14 + i];
            let yard = tree.add(community, NewUnit::new(format!("{i}号院"), lv(2), UnitKind::Area)).unwrap();
            let gate = tree.add(yard, NewUnit::new("门", lv(3), UnitKind::Entrance(Some(kind)))).unwrap();
            let local = Locality::SameAncestorAt(lv(1));
            checkpoints.push(Checkpoint::new(gate, kind, vec![yard], Hours::AllDay, 1, guards, local).unwrap());
        }
        for j in 0..50 {
            let q = [Q::Volunteer, Q::PartyMember, Q::OfficeCadre][j % 3];
            staff.push(
                Staff::new(Name::new(&format!("{c}-{j}")).unwrap(), Qualifications::only(q), community, 1).unwrap(),
            );
        }
    }
    (tree, checkpoints, staff)
}

/// The baseline: per shift, each checkpoint in turn takes the first free candidates. Returns
/// the duties filled.
fn greedy_first_fit(checkpoints: &[Checkpoint], staff: &[Staff], rules: &ShiftRules, days: u16, tree: &Tree) -> usize {
    let candidates: Vec<Vec<usize>> = checkpoints
        .iter()
        .map(|c| {
            let community = tree.ancestor_at(c.entrance(), Level::new(1)).ok().flatten();
            (0..staff.len())
                .filter(|&i| {
                    c.eligible().intersects(staff[i].qualifications())
                        && tree.ancestor_at(staff[i].home(), Level::new(1)).ok().flatten() == community
                })
                .collect()
        })
        .collect();
    let (rest, cap) = (u32::from(rules.rest_hours()), u32::from(rules.week_cap_hours()));
    let mut last_end: Vec<Option<u32>> = vec![None; staff.len()];
    let mut hours = vec![(0u16, 0u32); staff.len()];
    let mut filled = 0;
    for day in 0..days {
        let week = day / 7;
        for shift in rules.pattern().shifts() {
            let start = u32::from(day) * 24 + u32::from(shift.start);
            let len = u32::from(shift.hours);
            for (c, checkpoint) in checkpoints.iter().enumerate() {
                let mut need = checkpoint.needs(*shift);
                for &i in &candidates[c] {
                    if need == 0 {
                        break;
                    }
                    let worked = if hours[i].0 == week { hours[i].1 } else { 0 };
                    let rested = last_end[i].is_none_or(|end| end + rest <= start);
                    if rested && worked + len <= cap {
                        last_end[i] = Some(start + len);
                        hours[i] = (week, worked + len);
                        need -= 1;
                        filled += 1;
                    }
                }
            }
        }
    }
    filled
}

fn bench_gates(c: &mut Criterion) {
    let (tree, checkpoints, staff) = city();
    let rules = ShiftRules::new(ShiftPattern::three_eights(), 8, 48).unwrap();
    let feb1 = NaiveDate::from_ymd_opt(2020, 2, 1).unwrap();
    let roster = ShiftRoster::solve(&checkpoints, &staff, &rules, feb1, 7, &tree).unwrap();
    println!(
        "shift_roster: {} duties, {} gaps; greedy_first_fit: {} duties; {} needed",
        roster.duties().len(),
        roster.gaps().len(),
        greedy_first_fit(&checkpoints, &staff, &rules, 7, &tree),
        168 * 21
    );
    let mut group = c.benchmark_group("gates");
    group.sampling_mode(SamplingMode::Flat).sample_size(10);
    group.bench_function("shift_roster/168x3x7_from_600", |b| {
        b.iter(|| black_box(ShiftRoster::solve(&checkpoints, &staff, &rules, feb1, 7, &tree)))
    });
    group.bench_function("greedy_first_fit/168x3x7_from_600", |b| {
        b.iter(|| black_box(greedy_first_fit(&checkpoints, &staff, &rules, 7, &tree)))
    });
    // Recording the week (`Command::RecordShiftRoster`) re-checks it: every rule and the gaps.
    group.bench_function("check_roster/168x3x7_from_600", |b| {
        b.iter(|| black_box(roster.check(&checkpoints, &staff, &rules, &tree)))
    });
    group.finish();
}

criterion_group!(benches, bench_gates);
criterion_main!(benches);
