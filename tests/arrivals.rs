//! Arrivals by origin and their counts, current and cumulative 累计 (issue 16 §3 and §6).
//!
//! - **Seed 000's mix**, scaled down by 10 (1,811 / 3,641 / 396 become 181 / 364 / 40): arrivals
//!   from key areas under home medical observation, from other areas under health management,
//!   from abroad (the seed names no measure for them; its "closed loop" 闭环 is taken here as
//!   centralised isolation), recorded over Jan 20 – May 31 in two communities and read back on
//!   June 1 ("截至6月1日") by origin and by measure, cumulative and current, per community,
//!   for the sub-district and through a community's scope.
//! - **Seed 003's "累计居家隔离服务1518户3463人，集中隔离服务41人"** at full scale: two waves of
//!   home isolation (the first over by the reading date) and some members who arrived twice;
//!   the seed's figures are read from the cumulative count, which the current one is not.
//! - **Against a naive model**: random registries of households in two units, random arrivals
//!   (repeats on a date refused), read on random dates; every figure equals a brute-force count
//!   of distinct households and persons written here.
//! - The audit refuses a snapshot whose arrival book no command sequence makes.

#[path = "support/proptest_config.rs"]
mod proptest_config;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use proptest::prelude::*;
use wangge::arrivals::{Arrival, ArrivalCounts, ArrivalError, OriginClass, Route};
use wangge::colour::{Measure, PersonState};
use wangge::grid::{LevelScheme, NewUnit, UnitKind};
use wangge::people::{DoorLabel, PersonRecord};
use wangge::registry::Snapshot;
use wangge::{Command, Error, HouseholdId, PersonId, Registry, RegistryError, UnitId};

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, m, d).expect("a date")
}

/// A sub-district with `communities` communities.
fn subdistrict(communities: usize) -> Result<(Registry, Vec<UnitId>), Error> {
    let levels = LevelScheme::zhengzhou();
    let level = |n: &str| levels.level(n).expect("a level");
    let mut reg = Registry::new(levels.clone(), NewUnit::new("长海路街道", level("街道"), UnitKind::Area))?;
    let mut units = Vec::new();
    for i in 0..communities {
        let spec = NewUnit::new(format!("社区{i}"), level("社区"), UnitKind::Area);
        let events = reg.apply(Command::AddUnit { parent: reg.root(), unit: spec })?;
        units.push(events[0].new_unit().expect("a unit"));
    }
    Ok((reg, units))
}

fn household(reg: &mut Registry, unit: UnitId, n: usize) -> Result<HouseholdId, Error> {
    let events = reg.apply(Command::AddHousehold { unit, door: DoorLabel::new(&format!("{n}"))? })?;
    Ok(events[0].new_household().expect("a household"))
}

fn person(reg: &mut Registry, household: HouseholdId) -> Result<PersonId, Error> {
    let state = PersonState::well(date(1, 1));
    let events = reg.apply(Command::RegisterPerson { household, record: PersonRecord::new(), state })?;
    Ok(events[0].new_person().expect("a person"))
}

fn arrival(origin: OriginClass, on: NaiveDate, measure: Measure, days: u16) -> Arrival {
    Arrival::new(origin, Route::new("G1712").expect("a route"), on, measure, days).expect("an arrival")
}

/// The measure each origin got in seed 000, and for how long (14 days).
fn seed_000_measure(origin: OriginClass) -> Measure {
    match origin {
        OriginClass::KeyArea => Measure::HomeIsolation,
        OriginClass::OtherArea => Measure::HealthManagement,
        OriginClass::Abroad => Measure::CentralisedIsolation,
    }
}

/// A community's households, persons, and persons current on the reading date, of one origin.
type Made = (BTreeSet<HouseholdId>, BTreeSet<PersonId>, BTreeSet<PersonId>);

#[test]
fn changhai_road_reads_seed_000s_arrivals_back_by_origin_and_cumulatively() -> Result<(), Error> {
    let (mut reg, units) = subdistrict(2)?;
    // Seed 000 scaled down by 10: 1,811 / 3,641 / 396.
    let mix = [(OriginClass::KeyArea, 181u32), (OriginClass::OtherArea, 364), (OriginClass::Abroad, 40)];
    // The model: per community and origin, the households and persons made, and those current
    // on June 1 (arrived within the 14 days before).
    let reading = date(6, 1);
    let first = date(1, 20);
    let mut made: Vec<[Made; 3]> = vec![Default::default(), Default::default()];
    let mut n = 0usize;
    for (origin, persons) in mix {
        let mut left = persons;
        while left > 0 {
            // Households of 1, 2 or 3 arrivals, alternating between the communities.
            let size = (1 + n % 3).min(left as usize) as u32;
            let c = n % 2;
            let h = household(&mut reg, units[c], n)?;
            for k in 0..size {
                let p = person(&mut reg, h)?;
                let on = first + chrono::Days::new(((n * 7 + k as usize * 3) % 133) as u64); // up to May 31
                reg.apply(Command::RecordArrival {
                    person: p,
                    arrival: arrival(origin, on, seed_000_measure(origin), 14),
                })?;
                let slot = &mut made[c][origin.index()];
                slot.0.insert(h);
                slot.1.insert(p);
                if on + chrono::Days::new(14) >= reading {
                    slot.2.insert(p);
                }
            }
            left -= size;
            n += 1;
        }
    }
    let root = reg.arrival_counts(reg.root(), reading)?;
    // The sub-district reads the seed's figures, scaled: 181 / 364 / 40 persons.
    for (origin, persons) in mix {
        assert_eq!(root.cumulative.by_origin(origin).1, persons, "{origin}");
        let measure = seed_000_measure(origin);
        assert_eq!(root.cumulative.cell(origin, measure), root.cumulative.by_origin(origin));
        assert_eq!(root.cumulative.by_measure(measure), root.cumulative.by_origin(origin));
    }
    assert_eq!(root.cumulative.total().1, 181 + 364 + 40);
    // Each community reads its own, and the model's.
    for (c, &unit) in units.iter().enumerate() {
        let counts = reg.arrival_counts(unit, reading)?;
        for origin in OriginClass::ALL {
            let (h, p, current) = &made[c][origin.index()];
            assert_eq!(counts.cumulative.by_origin(origin), (h.len() as u32, p.len() as u32), "{c} {origin}");
            assert_eq!(counts.current.by_origin(origin).1, current.len() as u32, "{c} {origin}");
        }
        // A community's scope reads its own counts, and the other community as unknown.
        let scope = reg.scope(&[unit])?;
        assert_eq!(scope.arrival_counts(unit, reading)?, counts);
        assert_eq!(scope.total_arrival_counts(reading), counts);
        assert!(scope.arrival_counts(units[1 - c], reading).is_err());
    }
    // Current is not cumulative: most arrived long before June 1.
    assert!(root.current.total().1 < root.cumulative.total().1);
    // A second arrival on the same date is refused; on another date it is recorded and the
    // person is still counted once.
    let p = reg.population().persons().next().expect("a person").0;
    let on = reg.arrival_records().iter().find(|r| r.person == p).expect("an arrival").arrival.arrived();
    let again = reg.apply(Command::RecordArrival {
        person: p,
        arrival: arrival(OriginClass::KeyArea, on, Measure::HomeIsolation, 14),
    });
    assert_eq!(again.unwrap_err(), Error::Arrival(ArrivalError::Duplicate { person: p, arrived: on }));
    reg.apply(Command::RecordArrival {
        person: p,
        arrival: arrival(OriginClass::KeyArea, date(5, 30), Measure::HomeIsolation, 14),
    })?;
    assert_eq!(reg.arrival_counts(reg.root(), reading)?.cumulative.total(), root.cumulative.total());
    // The registry replays and reloads to the same counts.
    let loaded = Registry::from_snapshot(reg.snapshot())?;
    assert_eq!(loaded.arrival_counts(loaded.root(), reading)?, reg.arrival_counts(reg.root(), reading)?);
    Ok(())
}

#[test]
fn huayuan_road_reads_seed_003s_figures_from_the_cumulative_count() -> Result<(), Error> {
    const HOUSEHOLDS: usize = 1_518;
    const PERSONS: usize = 3_463;
    const CENTRALISED: usize = 41;
    let (mut reg, units) = subdistrict(4)?;
    let reading = date(2, 29);
    // 3,463 persons in 1,518 households: 427 of three, 1,091 of two.
    let threes = PERSONS - 2 * HOUSEHOLDS;
    let (mut current_households, mut current_persons) = (0u32, 0u32);
    for i in 0..HOUSEHOLDS {
        let h = household(&mut reg, units[i % 4], i)?;
        let size = if i < threes { 3 } else { 2 };
        // Two waves: the first arrived Jan 24 and was over by Feb 7; the second arrived Feb 20.
        let (on, current) = if i % 2 == 0 { (date(1, 24), false) } else { (date(2, 20), true) };
        // One in four households came from the epidemic area (orange), the rest from
        // elsewhere (yellow); the seed gives no split.
        let origin = if i % 4 == 0 { OriginClass::KeyArea } else { OriginClass::OtherArea };
        for k in 0..size {
            let p = person(&mut reg, h)?;
            reg.apply(Command::RecordArrival { person: p, arrival: arrival(origin, on, Measure::HomeIsolation, 14) })?;
            // Some of the first wave travelled again and came back on Feb 22: served twice,
            // counted once.
            if !current && k == 0 && i % 10 == 0 {
                reg.apply(Command::RecordArrival {
                    person: p,
                    arrival: arrival(origin, date(2, 22), Measure::HomeIsolation, 14),
                })?;
                current_persons += 1;
                current_households += 1;
            }
        }
        if current {
            current_households += 1;
            current_persons += size as u32;
        }
    }
    for i in 0..CENTRALISED {
        let h = household(&mut reg, units[i % 4], HOUSEHOLDS + i)?;
        let p = person(&mut reg, h)?;
        reg.apply(Command::RecordArrival {
            person: p,
            arrival: arrival(OriginClass::KeyArea, date(2, 1), Measure::CentralisedIsolation, 14),
        })?;
    }
    let counts = reg.arrival_counts(reg.root(), reading)?;
    // "累计居家隔离服务1518户3463人，集中隔离服务41人".
    assert_eq!(counts.cumulative.by_measure(Measure::HomeIsolation), (HOUSEHOLDS as u32, PERSONS as u32));
    assert_eq!(counts.cumulative.by_measure(Measure::CentralisedIsolation).1, CENTRALISED as u32);
    // The day's count is not the seed's figure.
    assert_eq!(counts.current.by_measure(Measure::HomeIsolation), (current_households, current_persons));
    assert!(current_persons < PERSONS as u32);
    assert_eq!(counts.current.by_measure(Measure::CentralisedIsolation), (0, 0));
    // The communities add up to the sub-district (no arrival in two of them).
    let per_community: u32 = units
        .iter()
        .map(|&u| reg.arrival_counts(u, reading).map(|c| c.cumulative.total().1))
        .sum::<Result<u32, _>>()?;
    assert_eq!(per_community, counts.cumulative.total().1);
    Ok(())
}

#[test]
fn the_audit_refuses_an_arrival_book_no_command_makes() -> Result<(), Error> {
    let (mut reg, units) = subdistrict(1)?;
    let h = household(&mut reg, units[0], 0)?;
    let p = person(&mut reg, h)?;
    reg.apply(Command::OpenDay { today: date(2, 10) })?;
    reg.apply(Command::RecordArrival {
        person: p,
        arrival: arrival(OriginClass::OtherArea, date(2, 9), Measure::HealthManagement, 14),
    })?;
    // In the future: refused by the command and by the audit.
    let later = arrival(OriginClass::OtherArea, date(2, 11), Measure::HealthManagement, 14);
    let err = reg.clone().apply(Command::RecordArrival { person: p, arrival: later.clone() }).unwrap_err();
    assert!(matches!(err, Error::Registry(RegistryError::AfterBusinessDate { .. })), "{err}");
    let good = reg.snapshot();
    assert!(Registry::from_snapshot(good.clone()).is_ok());
    let edits: [fn(&mut Snapshot); 3] = [
        |s| s.arrivals[0].person = PersonId::new(9),
        |s| s.arrivals.push(s.arrivals[0].clone()),
        |s| {
            s.arrivals[0].arrival = arrival(OriginClass::OtherArea, date(2, 11), Measure::HealthManagement, 14);
        },
    ];
    for edit in edits {
        let mut bad = good.clone();
        edit(&mut bad);
        let err = Registry::from_snapshot(bad).unwrap_err();
        assert!(err.to_string().contains("arrival"), "{err}");
    }
    Ok(())
}

#[test]
fn a_grid_worker_records_arrivals_inside_their_scope_only() -> Result<(), Error> {
    let (mut reg, units) = subdistrict(2)?;
    let inside = household(&mut reg, units[0], 0)?;
    let outside = household(&mut reg, units[1], 1)?;
    let (a, b) = (person(&mut reg, inside)?, person(&mut reg, outside)?);
    let arrived = arrival(OriginClass::KeyArea, date(2, 1), Measure::HomeIsolation, 14);
    reg.apply_within(&[units[0]], Command::RecordArrival { person: a, arrival: arrived.clone() })?;
    let before = reg.clone();
    let err = reg.apply_within(&[units[0]], Command::RecordArrival { person: b, arrival: arrived }).unwrap_err();
    assert!(matches!(err, Error::Registry(RegistryError::OutsideScope { .. })), "{err}");
    assert!(reg == before, "a refused command changes nothing");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Against a naive model
// ---------------------------------------------------------------------------------------------

/// The model's row: household, person, origin, measure, arrival date, last day.
type Row = (HouseholdId, PersonId, OriginClass, Measure, NaiveDate, NaiveDate);

/// One random arrival: a person index, origin, measure, days and day offset.
type Op = (usize, usize, usize, u16, u64);

fn op() -> impl Strategy<Value = Op> {
    (0usize..12, 0usize..3, 0usize..4, 1u16..20, 0u64..40)
}

/// The model's figure: distinct (households, persons) among `rows` passing `keep`.
fn figure(rows: &[Row], keep: impl Fn(&Row) -> bool) -> (u32, u32) {
    let mut hs = Vec::new();
    let mut ps = Vec::new();
    for r in rows.iter().filter(|r| keep(r)) {
        if !hs.contains(&r.0) {
            hs.push(r.0);
        }
        if !ps.contains(&r.1) {
            ps.push(r.1);
        }
    }
    (hs.len() as u32, ps.len() as u32)
}

proptest! {
    #![proptest_config(proptest_config::persisted("proptest-regressions/arrivals.txt", 128))]

    #[test]
    fn counts_equal_a_brute_force_count(ops in prop::collection::vec(op(), 0..40), probe in 0u64..60) {
        let (mut reg, units) = subdistrict(2).expect("a sub-district");
        // 12 persons in 6 households, three per community.
        let mut persons = Vec::new();
        let mut where_ = Vec::new();
        for i in 0..6 {
            let h = household(&mut reg, units[i % 2], i).expect("a household");
            for _ in 0..2 {
                persons.push(person(&mut reg, h).expect("a person"));
                where_.push((h, units[i % 2]));
            }
        }
        let mut rows = Vec::new();
        let start = date(1, 20);
        for (who, o, m, days, offset) in ops {
            let measure = Measure::ALL[m];
            let days = if measure == Measure::None { 0 } else { days };
            let on = start + chrono::Days::new(offset);
            let a = Arrival::new(OriginClass::ALL[o], Route::new("K1").expect("a route"), on, measure, days).expect("an arrival");
            let taken = rows.iter().any(|r: &Row| r.1 == persons[who] && r.4 == on);
            let got = reg.apply(Command::RecordArrival { person: persons[who], arrival: a });
            prop_assert_eq!(got.is_ok(), !taken);
            if !taken {
                rows.push((where_[who].0, persons[who], OriginClass::ALL[o], measure, on, on + chrono::Days::new(u64::from(days))));
            }
        }
        let on = start + chrono::Days::new(probe);
        for unit in [None, Some(0), Some(1)] {
            let in_unit: Vec<_> = rows.iter().copied().filter(|r| unit.is_none_or(|u| units[u] == where_.iter().find(|w| w.0 == r.0).expect("a household").1)).collect();
            let counts = reg.arrival_counts(unit.map_or(reg.root(), |u| units[u]), on).expect("counts");
            let cumulative = |r: &Row| r.4 <= on;
            let current = |r: &Row| r.3 != Measure::None && r.4 <= on && on <= r.5;
            for (figures, keep) in [(counts.cumulative, &cumulative as &dyn Fn(&_) -> bool), (counts.current, &current)] {
                prop_assert_eq!(figures.total(), figure(&in_unit, keep));
                for origin in OriginClass::ALL {
                    prop_assert_eq!(figures.by_origin(origin), figure(&in_unit, |r| keep(r) && r.2 == origin));
                    for measure in Measure::ALL {
                        prop_assert_eq!(figures.cell(origin, measure), figure(&in_unit, |r| keep(r) && r.2 == origin && r.3 == measure));
                    }
                }
                for measure in Measure::ALL {
                    prop_assert_eq!(figures.by_measure(measure), figure(&in_unit, |r| keep(r) && r.3 == measure));
                }
            }
            if let Some(u) = unit {
                let scope = reg.scope(&[units[u]]).expect("a scope");
                prop_assert_eq!(scope.total_arrival_counts(on), counts);
            }
        }
        // The pure count over the records agrees with the registry's.
        prop_assert_eq!(ArrivalCounts::count(reg.arrival_records(), on), reg.arrival_counts(reg.root(), on).expect("counts"));
        let replayed = Registry::from_snapshot(reg.snapshot()).expect("it loads");
        prop_assert!(replayed == reg);
    }
}
