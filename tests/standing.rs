//! Property tests of the reason kept apart from the measure (issue 16 §5): [`Measure`],
//! [`Standing`], [`StandingRule`] and the quarantine's phases read as standings.
//!
//! What the file proves, each against a model written here from the seeds and the docs:
//!
//! - **The seed's rule.** Under [`StandingRule::zhengzhou_2020`] a person's colour is the one
//!   the table below gives their reason, written from seed 003's five classes ("重点关注户
//!   (确诊、疑似病例及密切接触者)、疫区返郑居家隔离户、非疫区返郑居家隔离户、未离郑无症状户、空户")
//!   and the two documented choices (secondary contacts orange, health management by reason),
//!   whatever their measure: red exactly for confirmed, suspected and close contacts; an
//!   arrival from elsewhere at a site stays yellow. A household is the most severe of its
//!   members, white with none.
//! - **Standings.** Random walks of [`Standing::set_reason`] and [`Standing::under`] never
//!   reach the setting as a reason or an absent person under a measure; a step is accepted
//!   exactly when the model (the documented measure that follows a reason, and the table of
//!   changes) allows it; a confirmed case reaches present and well only from a site.
//! - **Phases change the measure, not the reason.** For every preset policy, category and
//!   date, [`Category::standing_on`] is the category's reason under the measure of the phase
//!   the date falls in (the setting-to-measure table written here), and each change between
//!   phases and the release to present and well are allowed.
//! - **Format 6.** A format-6 state read keeps its reason (centralised isolation alone reads
//!   as present and well at a site), and any format-6 rule read over standings gives each
//!   format-6 state the colour the format-6 table gave it.

#[path = "support/proptest_config.rs"]
mod proptest_config;

use chrono::NaiveDate;
use proptest::prelude::*;
use wangge::colour::{Colour, ColourError, Measure, REASONS, Standing, StandingRule, State};
use wangge::quarantine::{Category, Policy, Setting};

fn config(cases: u32) -> ProptestConfig {
    proptest_config::persisted("proptest-regressions/standing.txt", cases)
}

/// The seed's colour of each reason, by hand (seed 003 plus the two documented choices).
fn seed_colour(reason: State) -> Colour {
    match reason {
        State::Confirmed | State::Suspected | State::CloseContact => Colour::Red,
        State::HomeIsolationEpidemicArea | State::SecondaryContact => Colour::Orange,
        State::HomeIsolationElsewhere => Colour::Yellow,
        State::Well => Colour::Green,
        State::Absent => Colour::White,
    }
}

/// The measure each setting gives, by hand from the docs of [`Setting`] and seed 000.
fn setting_measure(setting: Setting) -> Measure {
    match setting {
        Setting::CentralisedIsolation => Measure::CentralisedIsolation,
        Setting::HomeIsolation | Setting::HomeMedicalObservation => Measure::HomeIsolation,
        Setting::HomeHealthMonitoring => Measure::HealthManagement,
    }
}

/// The reason each category gives, by hand from the docs of [`Category`].
fn category_reason(category: Category) -> State {
    match category {
        Category::CloseContact => State::CloseContact,
        Category::SecondaryContact => State::SecondaryContact,
        Category::ArrivalFromElsewhere => State::HomeIsolationElsewhere,
        _ => State::HomeIsolationEpidemicArea,
    }
}

/// Whether (reason, measure) is a standing: the model of [`Standing::new`].
fn exists(reason: State, measure: Measure) -> bool {
    reason != State::Absent || measure == Measure::None
}

/// The model of a reason change: the measure that follows, and whether it is allowed.
fn model_set_reason(from: (State, Measure), to: State) -> Option<(State, Measure)> {
    if to == from.0 {
        return None;
    }
    let measure = match to {
        State::Well | State::Absent => Measure::None,
        State::HomeIsolationElsewhere | State::HomeIsolationEpidemicArea if from.1 != Measure::CentralisedIsolation => {
            Measure::HomeIsolation
        }
        _ => from.1,
    };
    // At a site any reason but absent (what format 6 allowed its centralised isolation); a
    // confirmed case leaves only from a site; otherwise the table of `State::may_become`.
    let allowed = if from.1 == Measure::CentralisedIsolation {
        to != State::Absent
    } else {
        from.0 != State::Confirmed && from.0.may_become(to)
    };
    (allowed && exists(to, measure)).then_some((to, measure))
}

fn colour() -> impl Strategy<Value = Colour> {
    prop::sample::select(vec![Colour::White, Colour::Green, Colour::Yellow, Colour::Orange, Colour::Red])
}

fn reason() -> impl Strategy<Value = State> {
    prop::sample::select(REASONS.to_vec())
}

fn any_state() -> impl Strategy<Value = State> {
    prop::sample::select(State::ALL.to_vec())
}

fn measure() -> impl Strategy<Value = Measure> {
    prop::sample::select(Measure::ALL.to_vec())
}

fn standing() -> impl Strategy<Value = Standing> {
    (reason(), measure()).prop_filter_map("a standing", |(r, m)| Standing::new(r, m).ok())
}

#[derive(Debug, Clone)]
enum Step {
    Reason(State),
    Measure(Measure),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![any_state().prop_map(Step::Reason), measure().prop_map(Step::Measure)]
}

#[test]
fn every_pair_is_a_standing_exactly_when_the_model_says() {
    for r in State::ALL {
        for m in Measure::ALL {
            assert_eq!(Standing::new(r, m).is_ok(), exists(r, m), "{r:?} {m:?}");
        }
    }
    assert_eq!(
        Standing::new(State::Absent, Measure::CentralisedIsolation),
        Err(ColourError::AbsentUnderMeasure { measure: Measure::CentralisedIsolation })
    );
}

#[test]
fn the_seed_rule_paints_every_standing_by_its_reason() {
    let rule = StandingRule::zhengzhou_2020();
    for r in REASONS {
        for m in Measure::ALL {
            let Ok(s) = Standing::new(r, m) else { continue };
            assert_eq!(rule.colour_of(s), seed_colour(r), "{s}");
        }
    }
    // Issue 16: a non-epidemic arrival placed in centralised isolation keeps yellow.
    let at_site = Standing::new(State::HomeIsolationElsewhere, Measure::CentralisedIsolation).expect("a standing");
    assert_eq!(rule.colour_of(at_site), Colour::Yellow);
}

proptest! {
    #![proptest_config(config(256))]

    /// A household is the most severe of its members under the seed's rule, white with none;
    /// adding a member never lowers it.
    #[test]
    fn a_household_is_its_most_severe_member(members in prop::collection::vec(standing(), 0..8), extra in standing()) {
        let rule = StandingRule::zhengzhou_2020();
        let expected = members.iter().map(|s| seed_colour(s.reason())).max().unwrap_or(Colour::White);
        prop_assert_eq!(rule.classify(members.iter().copied()), expected);
        let more = rule.classify(members.iter().copied().chain([extra]));
        prop_assert!(more >= expected);
    }

    /// A cell set by a host changes that cell only; the rule survives JSON.
    #[test]
    fn a_cell_changes_that_cell_only(r in reason(), m in measure(), colour in prop::sample::select(vec![Colour::White, Colour::Green, Colour::Yellow, Colour::Orange, Colour::Red])) {
        let base = StandingRule::zhengzhou_2020();
        match base.clone().with_cell(r, m, colour) {
            Err(_) => prop_assert!(!exists(r, m)),
            Ok(rule) => {
                for r2 in REASONS {
                    for m2 in Measure::ALL {
                        let Ok(s) = Standing::new(r2, m2) else { continue };
                        let want = if (r2, m2) == (r, m) { colour } else { seed_colour(r2) };
                        prop_assert_eq!(rule.colour_of(s), want);
                    }
                }
                let json = serde_json::to_string(&rule).expect("it serialises");
                prop_assert_eq!(serde_json::from_str::<StandingRule>(&json).expect("it reads"), rule);
            }
        }
    }

    /// Random walks of reason and measure changes keep the invariants and agree with the
    /// model step by step.
    #[test]
    fn standings_change_as_the_model_says(start in standing(), steps in prop::collection::vec(step(), 0..24)) {
        let mut now = start;
        for step in steps {
            let model = (now.reason(), now.measure());
            match step {
                Step::Reason(to) => {
                    let got = now.set_reason(to);
                    let want = model_set_reason(model, to);
                    prop_assert_eq!(got.as_ref().ok().map(|s| (s.reason(), s.measure())), want, "{} -> {:?}", now, to);
                    if let Ok(next) = got {
                        prop_assert!(now.may_become(next));
                        now = next;
                    }
                }
                Step::Measure(m) => {
                    let got = now.under(m);
                    let want = m != model.1 && exists(model.0, m);
                    prop_assert_eq!(got.is_ok(), want, "{} under {:?}", now, m);
                    if let Ok(next) = got {
                        prop_assert_eq!(next.reason(), model.0);
                        now = next;
                    }
                }
            }
            prop_assert!(exists(now.reason(), now.measure()));
        }
    }

    /// Every preset policy's phases, read as standings, keep the category's reason and put
    /// the person under the phase's measure; each change between phases and the release to
    /// present and well are allowed.
    #[test]
    fn phases_change_the_measure_never_the_reason(
        policy in prop::sample::select(Policy::presets()),
        category in prop::sample::select(Category::ALL.to_vec()),
        anchor_offset in 0u64..400,
        probe in 0u64..60,
    ) {
        let anchor = NaiveDate::from_ymd_opt(2020, 1, 1).expect("a date") + chrono::Days::new(anchor_offset);
        let schedule = policy.schedule(anchor).expect("a preset schedules");
        let date = anchor + chrono::Days::new(probe);
        let s = category.standing_on(&schedule, date);
        prop_assert_eq!(s.reason(), category_reason(category));
        let phases = schedule.phases();
        let phase = phases.iter().find(|p| p.first() <= date && date <= p.last())
            .or(if date < phases[0].first() { phases.first() } else { phases.last() })
            .expect("a phase");
        prop_assert_eq!(s.measure(), setting_measure(phase.setting()));
        let walk: Vec<Standing> = phases.iter().map(|p| category.standing_in(p.setting())).collect();
        prop_assert!(Standing::WELL.may_become(walk[0]));
        for pair in walk.windows(2) {
            prop_assert!(pair[0] == pair[1] || pair[0].may_become(pair[1]), "{:?}", pair);
        }
        let last = walk[walk.len() - 1];
        prop_assert_eq!(last.set_reason(State::Well).expect("released"), Standing::WELL);
    }

    /// Any format-6 colour rule (its JSON: a colour for each of format 6's nine states,
    /// centralised isolation among them) reads as a rule over standings that gives every
    /// reason under no site its format-6 colour, and every reason at a site the colour format 6
    /// gave centralised isolation: the model is the format-6 table itself.
    #[test]
    fn any_format_6_rule_converts_keeping_colours(colours in prop::collection::vec(colour(), 9)) {
        let names = ["Well", "Absent", "HomeIsolationElsewhere", "HomeIsolationEpidemicArea", "CentralisedIsolation",
            "SecondaryContact", "CloseContact", "Suspected", "Confirmed"];
        let map: serde_json::Map<String, serde_json::Value> =
            names.iter().zip(&colours).map(|(n, c)| ((*n).to_owned(), serde_json::to_value(c).expect("a colour"))).collect();
        let json = serde_json::json!({"colours": map, "household": "MostSevere"});
        let rule: StandingRule = serde_json::from_value(json).expect("a format-6 rule reads");
        let v6 = |reason: State| names.iter().position(|n| *n == format!("{reason:?}")).expect("a name");
        for r in REASONS {
            for m in Measure::ALL {
                let Ok(s) = Standing::new(r, m) else { continue };
                let want = if m == Measure::CentralisedIsolation { colours[4] } else { colours[v6(r)] };
                prop_assert_eq!(rule.colour_of(s), want, "{}", s);
            }
        }
    }

    /// A format-6 state (its JSON, `{"state", "since"}`) reads as its reason under the measure
    /// it brings; format 6's centralised isolation, read alone, as present and well at a site
    /// (nothing records its reason); the format-6 rule gives it the format-6 colour.
    #[test]
    fn format_6_states_upgrade(state in 0usize..9) {
        let names = ["Well", "Absent", "HomeIsolationElsewhere", "HomeIsolationEpidemicArea", "CentralisedIsolation",
            "SecondaryContact", "CloseContact", "Suspected", "Confirmed"];
        let json = serde_json::json!({"state": names[state], "since": "2020-02-01"});
        let read: wangge::colour::PersonState = serde_json::from_value(json).expect("a format-6 state reads");
        let old_colour = |i: usize| match i {
            0 => Colour::Green,
            1 => Colour::White,
            2 => Colour::Yellow,
            3 => Colour::Orange,
            _ => Colour::Red,
        };
        if state == 4 {
            prop_assert_eq!((read.state(), read.measure()), (State::Well, Measure::CentralisedIsolation));
        } else {
            prop_assert_eq!(format!("{:?}", read.state()), names[state]);
            let brought = matches!(read.state(), State::HomeIsolationElsewhere | State::HomeIsolationEpidemicArea);
            prop_assert_eq!(read.measure(), if brought { Measure::HomeIsolation } else { Measure::None });
        }
        prop_assert_eq!(StandingRule::zhengzhou_2020_format_6().colour_of(read.standing()), old_colour(state));
    }
}
