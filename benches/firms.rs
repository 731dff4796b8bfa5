//! Workplaces' return to work at Baiyang's scale (issue 17 §4): seed 002's 3,611 enterprises
//! (街属企业) in a sub-district of 12 communities, their status report against a bare recount of
//! the filings (the baseline, in the same group).
//!
//! The registry: 12 communities, 3,611 workplaces (units of kind `Workplace`: 362 unfiled, 361
//! applied, 452 approved, 2,075 reopened, 361 suspended), each reopened enterprise employing 3
//! residents of its community (6,225 in all, one in 25 of them red: suspected) and 20 people
//! living elsewhere.
//!
//! - `firms/recount/baiyang_3611` (baseline): every filing's status counted and each employee
//!   of a reopened one judged by a state look-up, straight off `Registry::filings()`, with no
//!   tree walk and no colour rule;
//! - `firms/report/baiyang_3611`: `Registry::firm_counts(root)`: the sub-district's subtree
//!   walked, each workplace's filing looked up, each employee judged by the colour rule in force
//!   and the active cases;
//! - `firms/scope/baiyang_3611`: `Scope::total_firm_counts()` for a scope of all 12
//!   communities (each employee's visibility checked too).
//!
//! `cargo bench --bench firms`. Figures in BENCHMARKS.md.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use wangge::colour::{PersonState, State};
use wangge::firms::{CheckItem, FilingStatus};
use wangge::grid::{LevelScheme, NewUnit, UnitKind};
use wangge::people::{DoorLabel, PersonRecord};
use wangge::{Command, Registry, UnitId};

const ENTERPRISES: usize = 3_611;
const COMMUNITIES: usize = 12;

fn feb(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).expect("a date")
}

fn baiyang() -> (Registry, Vec<UnitId>) {
    let levels = LevelScheme::zhengzhou();
    let level = |n: &str| levels.level(n).expect("a level");
    let mut reg =
        Registry::new(levels.clone(), NewUnit::new("白杨街道", level("街道"), UnitKind::Area)).expect("a root");
    let add = |reg: &mut Registry, parent, name: String, level, kind| {
        let spec = NewUnit::new(name, level, kind);
        reg.apply(Command::AddUnit { parent, unit: spec }).expect("a unit")[0].new_unit().expect("an id")
    };
    let root = reg.root();
    let communities: Vec<UnitId> =
        (0..COMMUNITIES).map(|i| add(&mut reg, root, format!("社区{i}"), level("社区"), UnitKind::Area)).collect();
    let mut residents = 0usize;
    for i in 0..ENTERPRISES {
        let community = communities[i % COMMUNITIES];
        let unit = add(&mut reg, community, format!("企业{i}"), level("楼院"), UnitKind::Workplace);
        if i.is_multiple_of(10) {
            continue; // unfiled: closed
        }
        let target = match i % 8 {
            0 => FilingStatus::Applied,
            1 => FilingStatus::Approved,
            2 => FilingStatus::Suspended,
            _ => FilingStatus::Reopened,
        };
        let mut path = vec![FilingStatus::Applied];
        if target != FilingStatus::Applied {
            path.push(FilingStatus::Approved);
            for item in CheckItem::ALL {
                reg.apply(Command::CheckWorkplace { unit, item, done: true, on: feb(3) }).expect("checked");
            }
        }
        if target == FilingStatus::Reopened || target == FilingStatus::Suspended {
            path.push(FilingStatus::Reopened);
        }
        if target == FilingStatus::Suspended {
            path.push(FilingStatus::Suspended);
        }
        for (d, status) in path.into_iter().enumerate() {
            let on = feb(3 + d as u32);
            reg.apply(Command::ChangeFiling { unit, status, on, source: "街道数据库".into() }).expect("changed");
        }
        if target == FilingStatus::Reopened {
            let mut add_persons = Vec::new();
            for _ in 0..3 {
                let door = DoorLabel::new(&format!("{residents}")).expect("a door");
                let household = reg.apply(Command::AddHousehold { unit: community, door }).expect("a household")[0]
                    .new_household()
                    .expect("an id");
                let state = PersonState::well(feb(1));
                let person = reg
                    .apply(Command::RegisterPerson { household, record: PersonRecord::new(), state })
                    .expect("a person")[0]
                    .new_person()
                    .expect("an id");
                if residents.is_multiple_of(25) {
                    reg.apply(Command::SetState { person, state: State::Suspected, on: feb(8) }).expect("red");
                }
                residents += 1;
                add_persons.push(person);
            }
            reg.apply(Command::SetEmployees { unit, add: add_persons, remove: vec![], outside: 20, on: feb(6) })
                .expect("employed");
        }
    }
    (reg, communities)
}

fn bench(c: &mut Criterion) {
    let (reg, communities) = baiyang();
    let report = reg.firm_counts(reg.root()).expect("counts");
    assert_eq!(report.total(), ENTERPRISES as u64);
    assert_eq!(report.by_status, [362, 361, 452, 2_075, 361]);
    assert_eq!((report.staff_back, report.staff_barred), (2_075 * 20 + 6_225 - 249, 249));
    let mut group = c.benchmark_group("firms");
    group.bench_function("recount/baiyang_3611", |b| {
        b.iter(|| {
            let mut by_status = [0u32; FilingStatus::COUNT];
            let (mut back, mut barred) = (0u64, 0u64);
            for f in black_box(&reg).filings() {
                let status = f.status();
                by_status[status.index()] += 1;
                if status == FilingStatus::Reopened {
                    back += u64::from(f.outside);
                    for &p in &f.employees {
                        if reg.state(p).is_ok_and(|s| s.state() == State::Well) { back += 1 } else { barred += 1 }
                    }
                }
            }
            (by_status, back, barred)
        });
    });
    group.bench_function("report/baiyang_3611", |b| b.iter(|| black_box(&reg).firm_counts(reg.root())));
    let scope = reg.scope(&communities).expect("a scope");
    group.bench_function("scope/baiyang_3611", |b| b.iter(|| black_box(&scope).total_firm_counts()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
