//! A naive model of a person's standing (format 7), written from the documentation of
//! `State::may_become`, `Standing::may_become` and `Standing::set_reason`, shared by the test
//! files that check the registry against it.

use chrono::NaiveDate;
use wangge::colour::{Measure, PersonState, Standing, State};

/// The states, in declaration order (format 7: every state is a reason; centralised
/// isolation is a measure).
pub const STATES: [State; 8] = [
    State::Well,
    State::Absent,
    State::HomeIsolationElsewhere,
    State::HomeIsolationEpidemicArea,
    State::SecondaryContact,
    State::CloseContact,
    State::Suspected,
    State::Confirmed,
];

/// `State::may_become`'s table: rows `from`, columns `to`, in [`STATES`] order; `X` where the
/// change is allowed.
pub const MAY_BECOME: [&str; 8] = [
    // WAEPSCQF
    "-XXXXXXX", // well: any other state
    "X-XXXXXX", // absent: any other state
    "X--XXXXX", // home isolation (elsewhere)
    "X---XXXX", // home isolation (epidemic area)
    "X----XXX", // secondary contact
    "X-----XX", // close contact
    "X----X-X", // suspected
    "X-------", // confirmed: well, only from a site (below)
];

/// A standing by hand: (reason, measure).
pub type Naive = (State, Measure);

/// The position of `s` in [`STATES`].
pub fn state_ix(s: State) -> usize {
    STATES.iter().position(|&x| x == s).expect("every state is listed")
}

/// `Standing::may_become`'s documentation: the same reason under another measure; at a site
/// any reason but absent; a confirmed case leaves only from a site; otherwise the table.
pub fn allowed(from: Naive, to: Naive) -> bool {
    if from.0 == to.0 {
        return from.1 != to.1;
    }
    if from.1 == Measure::CentralisedIsolation {
        return to.0 != State::Absent;
    }
    from.0 != State::Confirmed && MAY_BECOME[state_ix(from.0)].as_bytes()[state_ix(to.0)] == b'X'
}

/// The standing a `SetState` to `reason` gives (its documentation): well and absent clear the
/// measure, home isolation brings it unless at a site, the rest keep it.
pub fn set_reason(from: Naive, reason: State) -> Naive {
    let measure = match reason {
        State::Well | State::Absent => Measure::None,
        State::HomeIsolationElsewhere | State::HomeIsolationEpidemicArea if from.1 != Measure::CentralisedIsolation => {
            Measure::HomeIsolation
        }
        _ => from.1,
    };
    (reason, measure)
}

/// The registry's form of a naive standing since `since`.
pub fn person_state(s: Naive, since: NaiveDate) -> PersonState {
    PersonState::with_standing(Standing::new(s.0, s.1).expect("a standing"), since)
}
