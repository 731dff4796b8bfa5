//! Benches of the roster solver 排班 (`Roster::solve`, `Roster::solve_balanced`) at city scale
//! (issue 5, section 5).
//!
//! The city, built once with public `Tree::add` calls: 市 > 10 districts 区 > 8 sub-districts 街道
//! each > 10 communities 社区 each (800) > 2 courtyards 楼院 each > 4 building groups 楼组 each
//! (6,400); the level scheme is `LevelScheme::zhengzhou().under_city_and_district()`. Staff
//! pools and isolated persons are drawn with a seeded ChaCha8, the same every run. Every
//! solve starts from an empty roster, on 2020-02-01.
//!
//! Pools:
//! - `10k` (六包一, `Scheme::six_cover_one(community, sub-district, Some(district))`): 10,000
//!   staff. Each district: 10 district leaders (homed in the district, load limit 10) and 150
//!   district-department staff (district, 2); each sub-district: 15 section cadres
//!   (sub-district, 2), 25 doctors (the sub-district or one of its communities, 1), 25 police
//!   (sub-district, 1); each community: a party secretary (the community, 1) and, for one in
//!   four, a deputy secretary (one of its courtyards, 1); the other 2,200 are volunteers, party
//!   members and grid workers homed in a building, eligible for none of the six roles. One in
//!   twenty holds a second qualification drawn at random (which joins the flow networks of two
//!   roles); one in fifty, secretaries aside, is unavailable on the date. A complete roster
//!   exists (asserted, and that it validates, before measuring).
//! - `10k_short`: the same draw without second qualifications, but every sub-district has 8
//!   police officers for its 10 communities and one community in twenty no secretary at all:
//!   the solver must report the slots it cannot fill ([`UnfilledReason::AllAtLoadLimit`] for
//!   the police, `NoEligibleStaff` for the secretaries). The expected count of unfilled
//!   holders is computed independently (per role and locality group, the slots less what the
//!   group's staff can take) and asserted before measuring, with the roster's problems being
//!   only those `Missing`.
//! - `100k_6k` (2+3, `Scheme::two_plus_three()`): 100,000 persons in home isolation, each in a
//!   building group drawn at random (≈125 a community), and 6,000 staff: each community 3 grid
//!   workers (load limit 60), 2 health workers (100) and 2 police officers (100), all homed in
//!   the community so that `HomeCovers` holds for its buildings, and each sub-district 5 doctors
//!   (medical, so eligible as health workers; homed in the sub-district, 20), who cover the
//!   persons of all its communities. A complete roster exists (asserted, and that it validates).
//!
//! Groups (plain and balanced side by side, so the ratio is read from one run):
//! - `six_cover_one`: `plain/10k` (`solve`, 4,800 slots), `balanced/10k` (`solve_balanced`),
//!   `plain/10k_short`;
//! - `two_plus_three`: `plain/100k_6k` (`solve`, 300,000 slots), `balanced/100k_6k`.
//!
//! Before measuring, the shapes (slots, unfilled, largest loads plain and balanced) and the
//! fastest of five timed calls of each are printed to stderr. The whole run takes about 1.5
//! minutes.
//!
//! Needs the `synth` feature (for `rand_chacha`). Run: `cargo bench --all-features --bench duty`
//! (see BENCHMARKS.md for the figures).
//!
//! [`UnfilledReason::AllAtLoadLimit`]: wangge::duty::UnfilledReason::AllAtLoadLimit

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use wangge::duty::{
    Locality, Qualification as Q, Qualifications, Roster, RosterProblem, Scheme, Solution, Staff, Target,
    UnfilledReason,
};
use wangge::grid::{CompoundKind, Level, LevelScheme, NewUnit, Tree, UnitKind};
use wangge::people::Name;
use wangge::{PersonId, UnitId};

/// The date of every solve.
const DAY: NaiveDate = match NaiveDate::from_ymd_opt(2020, 2, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};

const DISTRICTS: usize = 10;
const SUBS_PER_DISTRICT: usize = 8;
const COMMUNITIES_PER_SUB: usize = 10;
const YARDS_PER_COMMUNITY: usize = 2;
const BUILDINGS_PER_YARD: usize = 4;

/// Persons in home isolation for 2+3.
const PERSONS: u32 = 100_000;

fn rng(salt: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(0xD07_2020 ^ salt)
}

/// The synthetic city and its units by level.
struct City {
    tree: Tree,
    district_level: Level,
    sub_level: Level,
    community_level: Level,
    districts: Vec<UnitId>,
    /// (sub-district, its district).
    subs: Vec<(UnitId, usize)>,
    /// (community, its sub-district's index).
    communities: Vec<(UnitId, usize)>,
    /// (courtyard, its community's index).
    yards: Vec<(UnitId, usize)>,
    /// (building group, its community's index).
    buildings: Vec<(UnitId, usize)>,
}

fn city() -> City {
    let levels = LevelScheme::zhengzhou().under_city_and_district().unwrap();
    let lv = |n: &str| levels.level(n).unwrap();
    let (district_level, sub_level, community_level) = (lv("district"), lv("sub-district"), lv("community"));
    let (yard_level, building_level) = (lv("courtyard"), lv("building group"));
    let mut tree = Tree::new(levels.clone(), NewUnit::new("市", lv("city"), UnitKind::Area)).unwrap();
    let (mut districts, mut subs, mut communities, mut yards, mut buildings) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let area = UnitKind::Area;
    for d in 0..DISTRICTS {
        let district = tree.add(tree.root(), NewUnit::new(format!("区{d}"), district_level, area)).unwrap();
        districts.push(district);
        for s in 0..SUBS_PER_DISTRICT {
            let sub = tree.add(district, NewUnit::new(format!("街道{d}-{s}"), sub_level, area)).unwrap();
            subs.push((sub, d));
            for k in 0..COMMUNITIES_PER_SUB {
                let community = tree.add(sub, NewUnit::new(format!("社区{d}-{s}-{k}"), community_level, area)).unwrap();
                let ci = communities.len();
                communities.push((community, subs.len() - 1));
                for y in 0..YARDS_PER_COMMUNITY {
                    let kind = UnitKind::Compound(CompoundKind::PropertyManagedClosed);
                    let yard = tree.add(community, NewUnit::new(format!("楼院{y}"), yard_level, kind)).unwrap();
                    yards.push((yard, ci));
                    for b in 0..BUILDINGS_PER_YARD {
                        let building =
                            tree.add(yard, NewUnit::new(format!("楼组{b}"), building_level, UnitKind::Building));
                        buildings.push((building.unwrap(), ci));
                    }
                }
            }
        }
    }
    City { tree, district_level, sub_level, community_level, districts, subs, communities, yards, buildings }
}

fn staff(q: Qualifications, home: UnitId, limit: u16) -> Staff {
    Staff::new(Name::new("张三").unwrap(), q, home, limit).unwrap()
}

/// The 六包一 pool (see the module docs): `short` for the variant that cannot be completed.
fn six_pool(c: &City, short: bool) -> Vec<Staff> {
    let mut r = rng(if short { 2 } else { 1 });
    let one = Qualifications::only;
    // (qualifications, home, limit, may be unavailable)
    let mut pool: Vec<(Qualifications, UnitId, u16, bool)> = Vec::new();
    for &district in &c.districts {
        pool.extend((0..10).map(|_| (one(Q::DistrictLeader), district, 10, true)));
        pool.extend((0..150).map(|_| (one(Q::DistrictDepartment), district, 2, true)));
    }
    for (si, &(sub, _)) in c.subs.iter().enumerate() {
        let communities: Vec<UnitId> = c.communities.iter().filter(|&&(_, s)| s == si).map(|&(u, _)| u).collect();
        pool.extend((0..15).map(|_| (one(Q::SectionCadre), sub, 2, true)));
        for _ in 0..25 {
            let home = if r.random_bool(0.6) { sub } else { communities[r.random_range(0..communities.len())] };
            pool.push((one(Q::Medical), home, 1, true));
        }
        let police = if short { 8 } else { 25 };
        pool.extend((0..police).map(|_| (one(Q::Police), sub, 1, true)));
    }
    for (ci, &(community, _)) in c.communities.iter().enumerate() {
        if short && ci % 20 == 7 {
            continue;
        }
        pool.push((one(Q::PartySecretary), community, 1, false));
        if r.random_bool(0.25) {
            let yards: Vec<UnitId> = c.yards.iter().filter(|&&(_, k)| k == ci).map(|&(u, _)| u).collect();
            pool.push((one(Q::PartySecretary), yards[r.random_range(0..yards.len())], 1, false));
        }
    }
    let others = [Q::Volunteer, Q::PartyMember, Q::GridWorker];
    while pool.len() < 10_000 {
        let (home, _) = c.buildings[r.random_range(0..c.buildings.len())];
        pool.push((one(others[r.random_range(0..others.len())]), home, 3, true));
    }
    pool.into_iter()
        .map(|(mut q, home, limit, may_be_away)| {
            if !short && r.random_bool(0.05) {
                q = q.with(Q::ALL[r.random_range(0..Q::ALL.len())]);
            }
            let member = staff(q, home, limit);
            if may_be_away && r.random_bool(0.02) { member.available(DAY.succ_opt(), None).unwrap() } else { member }
        })
        .collect()
}

/// The 2+3 pool and its targets (see the module docs).
fn two_three(c: &City) -> (Vec<Staff>, Vec<(Target, UnitId)>) {
    let one = Qualifications::only;
    let mut pool = Vec::new();
    for &(community, _) in &c.communities {
        pool.extend((0..3).map(|_| staff(one(Q::GridWorker), community, 60)));
        pool.extend((0..2).map(|_| staff(one(Q::HealthWorker), community, 100)));
        pool.extend((0..2).map(|_| staff(one(Q::Police), community, 100)));
    }
    for &(sub, _) in &c.subs {
        pool.extend((0..5).map(|_| staff(one(Q::Medical), sub, 20)));
    }
    assert_eq!(pool.len(), 6_000);
    let mut r = rng(3);
    let targets = (0..PERSONS)
        .map(|i| (Target::Person(PersonId::new(i)), c.buildings[r.random_range(0..c.buildings.len())].0))
        .collect();
    (pool, targets)
}

/// Holders the short 六包一 pool cannot give: for each role, each group of communities its
/// locality joins (one pool without second qualifications, so groups do not share staff),
/// the slots less what the group's available staff can take (at most one slot of a target each).
fn expected_short(c: &City, scheme: &Scheme, pool: &[Staff]) -> usize {
    let mut missing = 0;
    for (_, slot) in scheme.slots() {
        let key = |unit: UnitId| -> Option<UnitId> {
            match slot.locality() {
                Locality::SameAncestorAt(level) => c.tree.ancestor_at(unit, level).unwrap(),
                Locality::WithinTarget => c.tree.ancestor_at(unit, c.community_level).unwrap(),
                other => panic!("not in six_cover_one: {other:?}"),
            }
        };
        let mut slots: HashMap<UnitId, usize> = HashMap::new();
        for &(community, _) in &c.communities {
            *slots.entry(key(community).unwrap()).or_default() += 1;
        }
        let mut limits: HashMap<UnitId, Vec<usize>> = HashMap::new();
        for m in pool.iter().filter(|m| m.is_eligible(slot.role()) && m.is_available_on(DAY)) {
            if let Some(k) = key(m.home()) {
                limits.entry(k).or_default().push(usize::from(m.load_limit()));
            }
        }
        for (k, n) in slots {
            let can: usize = limits.get(&k).map_or(0, |l| l.iter().map(|&x| x.min(n)).sum());
            missing += n.saturating_sub(can);
        }
    }
    missing
}

/// Check a solution outside the timing: no problem but the `Missing` of its unfilled slots.
fn check(solution: &Solution, scheme: &Scheme, pool: &[Staff], targets: &[(Target, UnitId)], tree: &Tree) {
    let problems = solution.roster.problems(scheme, pool, DAY, targets, tree);
    let missing: Vec<RosterProblem> = solution
        .unfilled
        .iter()
        .map(|u| RosterProblem::Missing { target: u.target, role: u.role, missing: u.missing, count: u.count })
        .collect();
    assert!(problems == missing, "only the unfilled slots are missing");
}

/// Five timed calls, the fastest printed with the solution's shape.
fn once(name: &str, f: impl Fn() -> Solution) -> Solution {
    let mut took = Duration::MAX;
    let mut solution = Solution::default();
    for _ in 0..5 {
        let start = Instant::now();
        solution = f();
        took = took.min(start.elapsed());
    }
    let missing: usize = solution.unfilled.iter().map(|u| usize::from(u.missing)).sum();
    let at_limit = solution.unfilled.iter().filter(|u| u.reason == UnfilledReason::AllAtLoadLimit).count();
    eprintln!(
        "{name}: {} assignments, {} unfilled slots ({missing} holders, {at_limit} at load limit), largest load {}, fastest of 5 calls {took:.2?}",
        solution.roster.assignments().len(),
        solution.unfilled.len(),
        solution.largest_load(),
    );
    solution
}

fn bench_duty(c: &mut Criterion) {
    let start = Instant::now();
    let city = city();
    let tree = &city.tree;
    eprintln!("city: {} units, {} communities, built in {:.2?}", tree.len(), city.communities.len(), start.elapsed());

    // 六包一.
    let six = Scheme::six_cover_one(city.community_level, city.sub_level, Some(city.district_level)).unwrap();
    let targets: Vec<(Target, UnitId)> = city.communities.iter().map(|&(u, _)| (Target::Unit(u), u)).collect();
    let pool = six_pool(&city, false);
    let short = six_pool(&city, true);
    assert_eq!((pool.len(), short.len()), (10_000, 10_000));
    let empty = Roster::new();
    let plain = once("six_cover_one/plain/10k", || empty.solve(&six, &pool, DAY, &targets, tree));
    assert!(plain.is_complete());
    assert_eq!(plain.roster.validate(&six, &pool, DAY, &targets, tree), Ok(()));
    let balanced = once("six_cover_one/balanced/10k", || empty.solve_balanced(&six, &pool, DAY, &targets, tree));
    assert!(balanced.is_complete());
    assert_eq!(balanced.roster.validate(&six, &pool, DAY, &targets, tree), Ok(()));
    let unfilled = once("six_cover_one/plain/10k_short", || empty.solve(&six, &short, DAY, &targets, tree));
    check(&unfilled, &six, &short, &targets, tree);
    let missing: usize = unfilled.unfilled.iter().map(|u| usize::from(u.missing)).sum();
    assert_eq!(missing, expected_short(&city, &six, &short));
    let reasons = |r| unfilled.unfilled.iter().any(|u| u.reason == r);
    assert!(reasons(UnfilledReason::AllAtLoadLimit) && reasons(UnfilledReason::NoEligibleStaff));

    let mut group = c.benchmark_group("six_cover_one");
    group.sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    group.bench_function("plain/10k", |b| b.iter(|| empty.solve(&six, black_box(&pool), DAY, &targets, tree)));
    group.bench_function("balanced/10k", |b| {
        b.iter(|| empty.solve_balanced(&six, black_box(&pool), DAY, &targets, tree))
    });
    group.bench_function("plain/10k_short", |b| b.iter(|| empty.solve(&six, black_box(&short), DAY, &targets, tree)));
    group.finish();

    // 2+3.
    let two = Scheme::two_plus_three();
    let (pool, targets) = two_three(&city);
    let plain = once("two_plus_three/plain/100k_6k", || empty.solve(&two, &pool, DAY, &targets, tree));
    assert!(plain.is_complete());
    assert_eq!(plain.roster.validate(&two, &pool, DAY, &targets, tree), Ok(()));
    let balanced = once("two_plus_three/balanced/100k_6k", || empty.solve_balanced(&two, &pool, DAY, &targets, tree));
    assert!(balanced.is_complete());
    assert_eq!(balanced.roster.validate(&two, &pool, DAY, &targets, tree), Ok(()));
    assert!(balanced.roster.assignments().len() == 3 * PERSONS as usize);

    let mut group = c.benchmark_group("two_plus_three");
    group.sampling_mode(SamplingMode::Flat).sample_size(10);
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(10));
    group.bench_function("plain/100k_6k", |b| b.iter(|| empty.solve(&two, black_box(&pool), DAY, &targets, tree)));
    group.bench_function("balanced/100k_6k", |b| {
        b.iter(|| empty.solve_balanced(&two, black_box(&pool), DAY, &targets, tree))
    });
    group.finish();
}

criterion_group!(benches, bench_duty);
criterion_main!(benches);
