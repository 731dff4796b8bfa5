//! `wangge::sim` (issue 19 §2): the seeded epidemic model managed through the registry, and
//! studies of management policies.
//!
//! - Properties: the same seed gives the same outcome; a study's results do not depend on the
//!   number of threads; every run keeps its bookkeeping (daily series sum to the totals, the
//!   peak is the series' maximum, the persons under a case are centralised plus at home, no more
//!   red households than households).
//! - Figures derived here, not from the code under test: runs whose parameters make the outbreak
//!   and its management deterministic (one first infection, households of three, certain
//!   transmission or none, certain care seeking), with the counts worked out from the model's
//!   rules and seed 001's 14 days; the t-interval against a hand computation.
//! - The management acts through the registry: closed management is a compound status the
//!   registry holds, and it stops community transmission; a colour rule changes what is red.

#[path = "support/proptest_config.rs"]
mod proptest_config;

use proptest::prelude::*;
use wangge::access::CompoundStatus;
use wangge::colour::{Colour, ColourRule, State};
use wangge::quarantine::Policy;
use wangge::sim::{Interval, Management, Params, Sim, SimError, Study, t_975};
use wangge::synth::CityShape;

/// The small test city (4 communities × 4 courtyards × 3 buildings × 6 households).
fn small() -> Sim {
    Sim::from_shape(&CityShape::small()).expect("the small city builds")
}

/// The small city with every household of three persons (864 residents).
fn threes() -> Sim {
    Sim::from_shape(&CityShape::small().household_sizes([0, 0, 1, 0, 0, 0])).expect("builds")
}

/// Parameters under which the epidemic is fast and the management busy on the small city.
fn busy() -> Params {
    Params { seeds_per_million: 10_000.0, ..Params::default() }
}

fn check_bookkeeping(o: &wangge::sim::Outcome, households: u64, first: u64) {
    let sum = |f: fn(&wangge::sim::Day) -> u64| o.days.iter().map(f).sum::<u64>();
    assert_eq!(sum(|d| d.new_infections) + first, o.infections, "daily infections sum to the total");
    assert_eq!(sum(|d| d.new_confirmed), o.confirmed);
    assert_eq!(sum(|d| d.staff_tasks), o.staff_tasks);
    assert_eq!(sum(|d| d.centralised), o.centralised_days);
    assert_eq!(sum(|d| d.at_home), o.home_days);
    assert!(o.confirmed <= o.infections);
    for d in &o.days {
        assert_eq!(d.under_case, d.centralised + d.at_home);
        assert!(d.red_households <= households);
    }
    let max = o.days.iter().map(|d| d.red_households).max().unwrap_or(0);
    assert_eq!(o.peak_red, max);
    if max > 0 {
        let first_max = o.days.iter().position(|d| d.red_households == max).unwrap();
        assert_eq!(usize::from(o.peak_day), first_max);
    }
}

proptest! {
    #![proptest_config(proptest_config::persisted("proptest-regressions/sim.txt", 8))]

    /// Same seed, same outcome; and the bookkeeping holds.
    #[test]
    fn same_seed_same_outcome(seed in any::<u64>(), preset in 0usize..3, days in 1u16..60, closed in proptest::option::of(0u16..60)) {
        let sim = small();
        let m = Management::presets(closed).swap_remove(preset);
        let a = sim.run(&m, &busy(), seed, days).unwrap();
        let b = sim.run(&m, &busy(), seed, days).unwrap();
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(a.days.len(), usize::from(days));
        prop_assert_eq!(a.refused, 0);
        let first = sim.start(&m, &busy(), seed).unwrap().infections();
        check_bookkeeping(&a, sim.households(), first);
    }

    /// A study's results do not depend on the number of threads.
    #[test]
    fn threads_do_not_change_results(first in any::<u32>(), seeds in 1u64..6, threads in 2usize..6) {
        let sim = small();
        let first = u64::from(first);
        let study = Study::new(Management::presets(Some(20))).seeds(first..first + seeds).days(30).params(busy());
        let one = study.clone().threads(1).run(&sim).unwrap();
        let many = study.threads(threads).run(&sim).unwrap();
        prop_assert_eq!(one, many);
    }
}

/// One first infection in households of three, no community contacts, certain household
/// transmission at full infectiousness, nobody seeking care: the index case infects both
/// household members on their first infectious day, and the outbreak stops there: 3
/// infections, none confirmed, no case, nothing red, no record but the daily round.
#[test]
fn certain_household_transmission_infects_exactly_the_household() {
    let sim = threes();
    let params =
        Params { household_p: 1.0, asymptomatic_factor: 1.0, contacts: [0; 4], care_p: 0.0, ..Params::default() };
    assert_eq!(params.first_infections(sim.residents()), 1, "864 residents at 20 per million: one");
    for seed in 0..5 {
        let o = sim.run(&Management::new(Policy::seed_shanghai_2020()), &params, seed, 40).unwrap();
        assert_eq!(o.infections, 3, "seed {seed}");
        assert_eq!((o.confirmed, o.cases_started, o.peak_red, o.staff_tasks), (0, 0, 0, 0));
        // Both infected on one day: the index case's first infectious day, 2 to 4 days in.
        let days: Vec<usize> =
            o.days.iter().enumerate().filter(|(_, d)| d.new_infections > 0).map(|(i, _)| i).collect();
        assert_eq!(days.len(), 1);
        assert!((2..=4).contains(&days[0]));
        assert_eq!(o.days[days[0]].new_infections, 2);
    }
}

/// No transmission at all: the first infections are the only ones.
#[test]
fn no_transmission_no_new_infections() {
    let sim = small();
    let params = Params { household_p: 0.0, community_p: 0.0, seeds_per_million: 10_000.0, ..Params::default() };
    let o = sim.run(&Management::new(Policy::cn_ed9_close_contact()), &params, 7, 60).unwrap();
    assert!(o.days.iter().all(|d| d.new_infections == 0));
    // 10,000 per million of ≈820 residents: 8 draws, with replacement.
    assert!((1..=8).contains(&o.infections));
}

/// One first infection, symptoms from the first infectious day, certain care seeking, no
/// transmission: the index case is confirmed on their first infectious day L (2 to 4), their
/// two household members go under seed 001's 14 days at home anchored on L, each gets two checks
/// a day from L through the release day L + 14 (15 days: the last day's check comes before the
/// release), and is released on L + 14. Hospital 14 days (L + 14: into centralised isolation
/// after discharge), home well 14 days later (L + 28). So: 1 infection, 1 confirmed, 2 cases
/// started and released, 2 × 14 = 28 person-days at home, one red household from day L to
/// L + 28, and the staff's records: 1 confirmation + 2 cases + 2 × 2 × 15 checks + 2 releases +
/// 2 discharge moves = 67.
#[test]
fn one_confirmed_case_and_its_household_under_seed_001() {
    let sim = threes();
    let params = Params {
        household_p: 0.0,
        contacts: [0; 4],
        symptomatic: 1.0,
        presymptomatic_days: 0,
        care_p: 1.0,
        miss_check_p: 0.0,
        ..Params::default()
    };
    for seed in 0..5 {
        let o = sim.run(&Management::new(Policy::seed_shanghai_2020()), &params, seed, 45).unwrap();
        let l = o.days.iter().position(|d| d.new_confirmed > 0).expect("confirmed");
        assert!((2..=4).contains(&l), "seed {seed}: confirmed on day {l}");
        assert_eq!((o.infections, o.confirmed), (1, 1), "seed {seed}");
        assert_eq!((o.cases_started, o.releases, o.restarts, o.refused), (2, 2, 0, 0), "seed {seed}");
        assert_eq!((o.home_days, o.centralised_days), (28, 0), "seed {seed}");
        assert_eq!(o.peak_red, 1);
        let red: Vec<usize> = o.days.iter().enumerate().filter(|(_, d)| d.red_households > 0).map(|(i, _)| i).collect();
        assert_eq!(red, (l..l + 28).collect::<Vec<_>>(), "seed {seed}");
        assert_eq!(o.staff_tasks, 67, "seed {seed}");
    }
}

/// The same under a colour rule that paints confirmed cases and close contacts yellow: the
/// management is the same, and the household is never red. Since format 7 (issue 16 §5) the
/// case in centralised isolation after discharge is held for the same reason, confirmed, under
/// another measure, and this rule paints that reason yellow wherever the person is held.
#[test]
fn a_colour_rule_changes_what_is_red() {
    let sim = threes();
    let params = Params { household_p: 0.0, contacts: [0; 4], symptomatic: 1.0, care_p: 1.0, ..Params::default() };
    let rule =
        ColourRule::zhengzhou_2020().with(State::Confirmed, Colour::Yellow).with(State::CloseContact, Colour::Yellow);
    let plain = Management::new(Policy::seed_shanghai_2020());
    let yellow = plain.clone().named("yellow").colour_rule(rule);
    let a = sim.run(&plain, &params, 3, 45).unwrap();
    let b = sim.run(&yellow, &params, 3, 45).unwrap();
    let red_days = |o: &wangge::sim::Outcome| o.days.iter().filter(|d| d.red_households > 0).count();
    // Red for 28 days under seed 003's rule (the contacts' 14 days, then the case's 14 in
    // centralised isolation after discharge); under the other rule never.
    assert_eq!((a.peak_red, red_days(&a)), (1, 28));
    assert_eq!((b.peak_red, red_days(&b)), (0, 0));
    assert_eq!((a.infections, a.confirmed, a.home_days), (b.infections, b.confirmed, b.home_days));
}

/// Closed management is a status the registry holds for every compound from its day, set by
/// the staff that day; with no contacts under it and none in households, transmission stops.
#[test]
fn closed_management_goes_through_the_registry_and_stops_community_transmission() {
    let sim = small();
    let params = Params {
        household_p: 0.0,
        closed_contacts: [0; 4],
        contacts: [10, 10, 10, 10],
        community_p: 0.5,
        care_p: 0.0,
        seeds_per_million: 10_000.0,
        ..Params::default()
    };
    let m = Management::new(Policy::seed_shanghai_2020()).closed_from(Some(5));
    let mut run = sim.start(&m, &params, 11).unwrap();
    let mut days = Vec::new();
    for _ in 0..20 {
        days.push(run.step().unwrap());
    }
    assert!(days[..5].iter().map(|d| d.new_infections).sum::<u64>() > 0, "transmission before the closure");
    assert!(days[5..].iter().all(|d| d.new_infections == 0), "none after");
    // 16 courtyards, each set closed on day 5 by one record.
    assert_eq!(days[5].staff_tasks, 16);
    let reg = run.registry();
    let on = params.start + chrono::Days::new(5);
    let mut closed = 0;
    for unit in reg.tree().ids() {
        if reg.compound_status(unit, on) == Ok(CompoundStatus::Closed) {
            closed += 1;
        }
    }
    assert_eq!(closed, 16);
}

#[test]
fn t_interval_by_hand() {
    // Values 10, 12, 14, 16: mean 13, s² = (9 + 1 + 1 + 9) / 3 = 20/3, s = 2.5820, t(0.975, 3)
    // = 3.182: half-width 3.182 × 2.5820 / 2 = 4.108.
    let i = Interval::t95(&[10.0, 12.0, 14.0, 16.0]);
    assert_eq!(i.n, 4);
    assert!((i.mean - 13.0).abs() < 1e-12);
    assert!((i.sd - 2.581_989).abs() < 1e-6);
    assert!((i.half_width() - 4.107_9).abs() < 1e-3, "{}", i.half_width());
    assert_eq!(Interval::t95(&[5.0]), Interval { n: 1, mean: 5.0, sd: 0.0, low: 5.0, high: 5.0 });
    assert_eq!(Interval::t95(&[]).n, 0);
    // The table's rows.
    assert_eq!(t_975(1), 12.706);
    assert_eq!(t_975(9), 2.262);
    assert_eq!(t_975(30), 2.042);
    assert_eq!(t_975(35), 2.042);
    assert_eq!(t_975(60), 2.000);
    assert!(t_975(0).is_infinite());
}

#[test]
fn bad_studies_and_parameters_are_refused() {
    let sim = small();
    let e = Study::new(vec![]).run(&sim).unwrap_err();
    assert_eq!(e, SimError::EmptyStudy { what: "management" });
    assert_eq!(e.code(), "sim.empty_study");
    let e = Study::new(Management::presets(None)).seeds([]).run(&sim).unwrap_err();
    assert_eq!(e, SimError::EmptyStudy { what: "seed" });
    for params in [
        Params { household_p: 1.5, ..Params::default() },
        Params { care_p: f64::NAN, ..Params::default() },
        Params { latent: (4, 2), ..Params::default() },
        Params { latent: (0, 2), ..Params::default() },
        Params { infectious_days: 0, ..Params::default() },
        Params { presymptomatic_days: 9, ..Params::default() },
        Params { hospital_days: 400, ..Params::default() },
        Params { contacts: [1, 2, 3, 5000], ..Params::default() },
        Params { seeds_per_million: -1.0, ..Params::default() },
    ] {
        let e = sim.run(&Management::presets(None)[0], &params, 1, 10).unwrap_err();
        assert_eq!(e.code(), "sim.parameter", "{params:?}");
    }
    let e = sim.run(&Management::presets(None)[0], &Params::default(), 1, 4000).unwrap_err();
    assert_eq!(e.code(), "sim.parameter");
    // A policy adopted twice by name is the registry's refusal, with its code.
    let empty = wangge::Registry::new(
        wangge::grid::LevelScheme::zhengzhou(),
        wangge::grid::NewUnit::new(
            "root",
            wangge::grid::LevelScheme::zhengzhou().level("sub-district").unwrap(),
            wangge::grid::UnitKind::Area,
        ),
    )
    .unwrap();
    assert_eq!(Sim::new(empty).unwrap_err(), SimError::EmptyCity);
}

/// The reports: a row per management, a row per run and per management-day, a band per
/// management in the chart; numbers printed the same way each time.
#[test]
fn reports_have_their_rows() {
    let sim = small();
    let result =
        Study::new(Management::presets(Some(20))).seeds(1..=4).days(30).params(busy()).threads(2).run(&sim).unwrap();
    let table = result.table();
    assert_eq!(table.lines().filter(|l| l.starts_with("| `")).count(), 3);
    assert!(table.contains("cn_ed9_close_contact") && table.contains("cn_20_measures_close_contact"));
    assert_eq!(result.runs_csv().lines().count(), 1 + 3 * 4);
    assert_eq!(result.daily_csv().lines().count(), 1 + 3 * 30);
    let svg = result.svg();
    assert_eq!(svg.matches("<polygon").count(), 3);
    assert_eq!(svg.matches("<polyline").count(), 3);
    assert!(roxmltree::Document::parse(&svg).is_ok());
    // The runs survive JSON (integers: exactly).
    let json = serde_json::to_string(&result.arms[0].runs).unwrap();
    assert_eq!(serde_json::from_str::<Vec<wangge::sim::Outcome>>(&json).unwrap(), result.arms[0].runs);
    // Each arm's summary is the t-interval of its runs.
    for arm in &result.arms {
        let infections: Vec<f64> = arm.runs.iter().map(|o| o.infections as f64).collect();
        assert_eq!(arm.summary.infections, Interval::t95(&infections));
    }
}

/// A small run's figures, pinned: they are what this code gave on x86_64 Linux, kept so that a
/// change of the random stream, of the model or of the management shows here (and so that a
/// platform giving other figures fails). Not derived independently: the tests above are.
#[test]
fn pinned_small_run() {
    let sim = small();
    let o = sim.run(&Management::presets(Some(30))[1], &busy(), 2020, 60).unwrap();
    let figures = (o.infections, o.confirmed, o.peak_red, o.peak_day, o.isolation_days(), o.staff_tasks);
    assert_eq!(figures, PINNED, "{figures:?}");
}

const PINNED: (u64, u64, u64, u16, u64, u64) = (27, 22, 99, 13, 1764, 5353);
