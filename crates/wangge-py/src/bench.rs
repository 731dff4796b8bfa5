//! The management step of a simulated day, called from Rust: the baseline of the bench
//! `bench/daily_step.py`, which plays the same step through the Python API on a twin registry.
//!
//! Exposed to Python as `wangge._bench.rust_day` (a submodule: the layout a `wangge.sim`
//! submodule will follow). The step, on both sides, for the day `today`:
//!
//! 1. `OpenDay` and the agenda;
//! 2. the tests due on the agenda, recorded negative; two temperature checks (08:00, 20:00)
//!    for each person of `open`, the second left out where `miss` says so;
//! 3. `SetState Confirmed` for `confirm`; `StartCase` (close contact, anchored `days_before`
//!    days before today) for `contacts`; `Release` of the releases due on the agenda;
//!    `SetMeasure CentralisedIsolation` for `discharged` and `SetState Well` for `home`;
//! 4. every unit's tally read (households and persons per colour).
//!
//! Refused commands are passed over on both sides (a case that ended in the morning round
//! takes no check). Who is chosen is the model's business: the inputs come from the script.

use chrono::{NaiveDate, NaiveTime};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use wangge::quarantine::{Category, Item, Temperature, TestResult};
use wangge::{CaseId, Command, Event, PersonId, PolicyId};

use crate::convert::{self, Ids, date};
use crate::errors;
use crate::registry::{OnRefused, Registry, apply_all, tally_rows};

/// One day's inputs, drawn by the model.
#[derive(Debug, Clone, Default)]
pub struct DayInput {
    /// The policy the contacts are put under.
    pub policy: u16,
    /// Persons under an open case this morning: they report checks.
    pub open: Vec<u32>,
    /// Whether each person of `open` misses the evening check.
    pub miss: Vec<bool>,
    /// Persons confirmed today.
    pub confirm: Vec<u32>,
    /// Persons put under the policy today.
    pub contacts: Vec<u32>,
    /// Each contact's anchor (their last exposure).
    pub anchors: Vec<NaiveDate>,
    /// Persons discharged from hospital into centralised isolation today.
    pub discharged: Vec<u32>,
    /// Persons going home well today.
    pub home: Vec<u32>,
}

/// The management step of `today` from Rust (see the module's docs), its events into `log`
/// (cleared first). Returns the number of events and of refused commands, and the tallies
/// read (households, persons).
///
/// # Errors
/// `OpenDay` refused (a date not after the business date).
pub fn day(
    reg: &mut wangge::Registry,
    log: &mut Vec<Event>,
    today: NaiveDate,
    input: &DayInput,
) -> Result<(usize, usize, Vec<u64>, Vec<u64>), wangge::Error> {
    log.clear();
    let mut events = reg.apply_into(Command::OpenDay { today }, log)?;
    let agenda = reg.agenda(today);
    let tests: Vec<PersonId> =
        agenda.items().iter().filter(|i| matches!(i.item, Item::TestDue)).map(|i| i.person).collect();
    let releases: Vec<CaseId> =
        agenda.items().iter().filter(|i| matches!(i.item, Item::ReleaseDue { .. })).map(|i| i.case).collect();
    // 36.5 °C and the two hours are valid by construction.
    let normal = Temperature::from_tenths(365).map_err(wangge::Error::from)?;
    let morning = today.and_time(NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default());
    let evening = today.and_time(NaiveTime::from_hms_opt(20, 0, 0).unwrap_or_default());
    let policy = PolicyId::new(input.policy);
    let p = PersonId::new;
    let mut refused = 0;
    let mut run = |reg: &mut wangge::Registry, commands: Vec<Command>| {
        // Skipping never fails: Err only comes with OnRefused::Raise.
        let r = apply_all(reg, commands, OnRefused::Skip, log).unwrap_or_default();
        events += log.len();
        refused += r.len();
    };
    run(
        reg,
        tests.iter().map(|&person| Command::RecordTest { person, on: today, result: TestResult::Negative }).collect(),
    );
    let check = |person: u32, at| Command::RecordCheck { person: p(person), at, temperature: normal, symptoms: false };
    run(reg, input.open.iter().map(|&q| check(q, morning)).collect());
    run(reg, input.open.iter().zip(&input.miss).filter(|(_, m)| !**m).map(|(&q, _)| check(q, evening)).collect());
    let set = |persons: &[u32], state| -> Vec<Command> {
        persons.iter().map(|&q| Command::SetState { person: p(q), state, on: today }).collect()
    };
    run(reg, set(&input.confirm, wangge::colour::State::Confirmed));
    run(
        reg,
        input
            .contacts
            .iter()
            .zip(&input.anchors)
            .map(|(&q, &anchor)| Command::StartCase {
                person: p(q),
                policy,
                category: Category::CloseContact,
                anchor,
                on: today,
                linked: None,
            })
            .collect(),
    );
    run(reg, releases.iter().map(|&case| Command::Release { case, on: today }).collect());
    // Discharged into centralised isolation: a measure (format 7), their reason kept.
    let measure = wangge::colour::Measure::CentralisedIsolation;
    run(reg, input.discharged.iter().map(|&q| Command::SetMeasure { person: p(q), measure, on: today }).collect());
    run(reg, set(&input.home, wangge::colour::State::Well));
    let (households, persons) = tally_rows(reg);
    Ok((events, refused, households, persons))
}

/// The management step of `today` on `registry`, from Rust, the GIL released (see
/// `bench/daily_step.py`). Returns `(events, refused)`.
#[pyfunction]
#[pyo3(signature = (registry, today, policy, open, miss, confirm, contacts, days_before, discharged, home))]
#[allow(clippy::too_many_arguments)] // one Python function's positional arguments
fn rust_day<'py>(
    py: Python<'py>,
    registry: &Bound<'py, Registry>,
    today: &Bound<'py, PyAny>,
    policy: u16,
    open: Ids<'py>,
    miss: numpy::PyArrayLike1<'py, bool, numpy::AllowTypeChange>,
    confirm: Ids<'py>,
    contacts: Ids<'py>,
    days_before: Ids<'py>,
    discharged: Ids<'py>,
    home: Ids<'py>,
) -> PyResult<(usize, usize)> {
    let today = date(today)?;
    let before = convert::ids(&days_before);
    let anchors = before.iter().map(|&d| convert::days_before(today, d)).collect::<PyResult<Vec<_>>>()?;
    let input = DayInput {
        policy,
        open: convert::ids(&open),
        miss: miss.as_array().iter().copied().collect(),
        confirm: convert::ids(&confirm),
        contacts: convert::ids(&contacts),
        anchors,
        discharged: convert::ids(&discharged),
        home: convert::ids(&home),
    };
    if input.miss.len() != input.open.len() || input.anchors.len() != input.contacts.len() {
        return Err(PyValueError::new_err("miss must match open, days_before must match contacts"));
    }
    let mut reg = registry.borrow_mut();
    // The registry's own log buffer, as the Python API's bulk calls reuse it.
    let Registry { inner, log } = &mut *reg;
    let out = py.detach(|| day(inner, log, today, &input));
    match out {
        Ok((events, refused, _, _)) => Ok((events, refused)),
        Err(e) => Err(errors::to_py(py, &e)),
    }
}

/// The submodule `wangge._bench`.
pub fn register(parent: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = parent.py();
    let m = PyModule::new(py, "_bench")?;
    m.add("__doc__", "The bench's Rust baseline: the daily management step called from Rust (bench/daily_step.py).")?;
    m.add_function(wrap_pyfunction!(rust_day, &m)?)?;
    parent.add_submodule(&m)?;
    // `import wangge._bench` finds it too.
    py.import("sys")?.getattr("modules")?.set_item("wangge._bench", &m)?;
    Ok(())
}
