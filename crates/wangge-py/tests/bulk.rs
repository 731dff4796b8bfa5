//! Property tests of the bulk calls' invariants (issue 19 §1): a bulk call applies each
//! command atomically, in order, and stops at the first refusal (or skips it), exactly as
//! applying the commands one by one does; the tally rows are every unit's live tally.

use chrono::NaiveDate;
use proptest::prelude::*;
use wangge::colour::{Colour, State};
use wangge::synth::CityShape;
use wangge::{Command, Event, PersonId, Registry};
use wangge_py::registry::{OnRefused, apply_all, tally_rows};

fn city() -> Registry {
    let mut reg = CityShape::tiny().seed(11).build().expect("the tiny shape builds").into_registry();
    let today = NaiveDate::from_ymd_opt(2020, 2, 1).expect("a date");
    reg.apply(Command::OpenDay { today }).expect("the first day opens");
    reg
}

/// SetState commands over the city's persons and a few ids past them, to any state: many are
/// refused (an unknown person, a state unchanged, a transition not allowed).
fn commands() -> impl Strategy<Value = Vec<Command>> {
    let on = NaiveDate::from_ymd_opt(2020, 2, 1).expect("a date");
    prop::collection::vec((0u32..60, 0usize..State::COUNT), 0..40).prop_map(move |v| {
        v.into_iter().map(|(p, s)| Command::SetState { person: PersonId::new(p), state: State::ALL[s], on }).collect()
    })
}

proptest! {
    #[test]
    fn raise_stops_at_the_first_refusal_with_the_commands_before_it_applied(cmds in commands()) {
        let mut bulk = city();
        let mut log: Vec<Event> = Vec::new();
        let out = apply_all(&mut bulk, cmds.clone(), OnRefused::Raise, &mut log);
        // The model: one by one with the core's `apply`, until the first refusal.
        let mut one = city();
        let mut events = Vec::new();
        let mut first_refused = None;
        for (i, c) in cmds.into_iter().enumerate() {
            match one.apply(c) {
                Ok(e) => events.extend(e),
                Err(e) => { first_refused = Some((i, e)); break; }
            }
        }
        match (out, first_refused) {
            (Ok(refused), None) => prop_assert!(refused.is_empty()),
            (Err((i, applied, e)), Some((j, f))) => {
                prop_assert_eq!(i, j);
                prop_assert_eq!(applied, j);
                prop_assert_eq!(e, f);
            }
            (out, model) => prop_assert!(false, "bulk {:?}, one by one {:?}", out.map_err(|e| e.0), model.map(|m| m.0)),
        }
        prop_assert_eq!(&log, &events);
        prop_assert!(bulk == one);
    }

    #[test]
    fn skip_passes_over_exactly_the_refused_commands(cmds in commands()) {
        let mut bulk = city();
        let mut log: Vec<Event> = Vec::new();
        let refused = apply_all(&mut bulk, cmds.clone(), OnRefused::Skip, &mut log);
        let mut one = city();
        let mut model = Vec::new();
        for (i, c) in cmds.into_iter().enumerate() {
            if one.apply(c).is_err() {
                model.push(i as i64);
            }
        }
        prop_assert_eq!(refused.ok(), Some(model));
        prop_assert!(bulk == one);
    }

    #[test]
    fn the_tally_rows_are_every_units_tally(cmds in commands()) {
        let mut reg = city();
        let mut log = Vec::new();
        let _ = apply_all(&mut reg, cmds, OnRefused::Skip, &mut log);
        let (households, persons) = tally_rows(&reg);
        let fresh = reg.roll_up();
        prop_assert_eq!(households.len(), reg.tree().len() * Colour::COUNT);
        for (u, t) in fresh.iter().enumerate() {
            for c in [Colour::White, Colour::Green, Colour::Yellow, Colour::Orange, Colour::Red] {
                prop_assert_eq!(households[u * Colour::COUNT + c.index()], t.households(c));
                prop_assert_eq!(persons[u * Colour::COUNT + c.index()], t.persons(c));
            }
        }
    }
}
