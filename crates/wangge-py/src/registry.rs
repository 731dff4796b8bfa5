//! `wangge.Registry`: the core's [`wangge::Registry`] for Python.

use chrono::NaiveDate;
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use wangge::colour::{Colour, Measure, State};
use wangge::grid::{Level, LevelScheme, NewUnit, UnitKind};
use wangge::quarantine::{Category, Policy, Temperature, TestResult};
use wangge::synth::CityShape;
use wangge::{CaseId, Command, Event, PersonId, PolicyId, StaffId, UnitId};

use crate::convert::{self, Ids, date, datetime, from_py, to_py, variant};
use crate::errors;

/// The level scheme named `name`: a preset's key (`"zhengzhou"`, `"shanghai"`, `"foshan"`,
/// `"foshan_sanshui"`) or its full name.
fn scheme_named(name: &str) -> Option<LevelScheme> {
    match name {
        "zhengzhou" => Some(LevelScheme::zhengzhou()),
        "shanghai" => Some(LevelScheme::shanghai()),
        "foshan" => Some(LevelScheme::foshan()),
        "foshan_sanshui" => Some(LevelScheme::foshan_sanshui()),
        _ => LevelScheme::presets().into_iter().find(|s| s.name() == name),
    }
}

/// The keys of the level scheme presets, in the order of [`LevelScheme::presets`].
pub const SCHEME_KEYS: [&str; 4] = ["zhengzhou", "shanghai", "foshan", "foshan_sanshui"];

/// A policy from a preset name (`"cn_ed9_close_contact"`) or the dict of a `Policy`.
pub fn policy_from(obj: &Bound<'_, PyAny>) -> PyResult<Policy> {
    if let Ok(name) = obj.extract::<String>() {
        return Policy::preset(&name).ok_or_else(|| PyValueError::new_err(format!("no policy preset named {name:?}")));
    }
    from_py(obj, "policy")
}

/// What a bulk call does with a command the registry refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnRefused {
    /// Stop there and raise (the commands before it stay applied).
    Raise,
    /// Skip it and go on; its index is returned.
    Skip,
}

impl OnRefused {
    fn from_flag(skip_refused: bool) -> Self {
        if skip_refused { OnRefused::Skip } else { OnRefused::Raise }
    }
}

/// Apply `commands` in order, each atomically. With [`OnRefused::Raise`] the first refusal
/// stops the run: `Err((index, applied, error))`. With [`OnRefused::Skip`] refused commands
/// are passed over and their indexes returned. The events go into `log` (cleared first), and
/// their number is returned beside the refused indexes.
pub fn apply_all(
    reg: &mut wangge::Registry,
    commands: impl IntoIterator<Item = Command>,
    on_refused: OnRefused,
    log: &mut Vec<Event>,
) -> Result<Vec<i64>, (usize, usize, wangge::Error)> {
    log.clear();
    let mut refused = Vec::new();
    let mut applied = 0;
    for (i, command) in commands.into_iter().enumerate() {
        match reg.apply_into(command, log) {
            Ok(_) => applied += 1,
            Err(e) => match on_refused {
                OnRefused::Raise => return Err((i, applied, e)),
                // An index fits in i64: a Vec never holds more than isize::MAX elements.
                OnRefused::Skip => refused.push(i64::try_from(i).unwrap_or(i64::MAX)),
            },
        }
    }
    Ok(refused)
}

/// The community grid registry 网格化管理 of one city: the unit tree, the population register,
/// the colour tallies 四级五色, isolation cases, rosters and the day's work.
///
/// Every change is a command, a dict of the same JSON shape as the Rust serde `Command`
/// (`{"SetState": {"person": 3, "state": "Confirmed", "on": "2020-02-01"}}`), applied
/// atomically: a refused command changes nothing and raises a `wangge.WanggeError` subclass
/// (`NotFound`, `Conflict`, `Invalid`, `Forbidden`, `Corrupt`) with the core's `.code` and
/// `.kind`. `apply` returns the command's events as dicts: they are the host's log, and
/// `Registry.replay(log)` rebuilds an equal registry.
///
/// For a simulation loop, the bulk methods take NumPy arrays of ids (`set_states`,
/// `start_cases`, `release`, `record_checks`, `record_tests`, `apply_many`) and release the
/// GIL while they apply; the bulk reads (`tallies`, `person_colours`, `person_states`,
/// `person_households`, `cases_of`, `agenda_arrays`) return NumPy arrays filled in Rust.
///
/// Build one with `Registry(scheme, root)` (an empty city under a level scheme preset) or
/// `Registry.synth(residents, seed)` (a seeded synthetic city); `to_json`/`from_json` write and
/// read a snapshot. Dates are `datetime.date` or `"YYYY-MM-DD"`; inside dicts, strings.
#[pyclass(module = "wangge")]
pub struct Registry {
    pub(crate) inner: wangge::Registry,
    /// The events of the last bulk call, kept to reuse the allocation.
    pub(crate) log: Vec<Event>,
}

impl Registry {
    pub(crate) fn wrap(inner: wangge::Registry) -> Self {
        Registry { inner, log: Vec::new() }
    }

    /// Run `commands` with the GIL released; refused indexes as a NumPy array.
    fn bulk<'py>(
        &mut self,
        py: Python<'py>,
        commands: Vec<Command>,
        skip_refused: bool,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let on_refused = OnRefused::from_flag(skip_refused);
        let Registry { inner, log } = self;
        let out = py.detach(|| apply_all(inner, commands, on_refused, log));
        match out {
            Ok(refused) => Ok(refused.into_pyarray(py)),
            Err((index, applied, e)) => Err(errors::to_py_at(py, &e, index, applied)),
        }
    }

    fn date_or_business(&self, on: Option<&Bound<'_, PyAny>>) -> PyResult<NaiveDate> {
        match on {
            Some(d) => date(d),
            None => self
                .inner
                .business_date()
                .ok_or_else(|| PyValueError::new_err("no date given and no day opened yet (OpenDay)")),
        }
    }
}

#[pymethods]
impl Registry {
    /// An empty registry: the root unit `root` at the top level of the level scheme `scheme`,
    /// a preset's key (`"zhengzhou"` 街道 > 社区 > 楼院 > 楼组, seed 003; `"shanghai"`, `"foshan"`,
    /// `"foshan_sanshui"`), a preset's full name, or the dict of a `LevelScheme`.
    #[new]
    #[pyo3(signature = (scheme = None, root = "花园路街道"))]
    fn new(py: Python<'_>, scheme: Option<&Bound<'_, PyAny>>, root: &str) -> PyResult<Self> {
        let scheme = match scheme {
            None => LevelScheme::zhengzhou(),
            Some(s) => match s.extract::<String>() {
                Ok(name) => scheme_named(&name).ok_or_else(|| {
                    PyValueError::new_err(format!("no level scheme named {name:?} (try one of {SCHEME_KEYS:?})"))
                })?,
                Err(_) => from_py(s, "level scheme")?,
            },
        };
        let reg = wangge::Registry::new(scheme, NewUnit::new(root, Level::new(0), UnitKind::Area))
            .map_err(|e| errors::to_py(py, &e))?;
        Ok(Registry::wrap(reg))
    }

    /// A seeded synthetic city of at least `residents` residents (the core's `synth`): districts,
    /// sub-districts, communities of 12 courtyards of 8 buildings, households of 1 to 6 persons,
    /// as `CityShape::with_households(ceil(residents / mean household size)).seed(seed)`. The
    /// same arguments give the same city on every platform.
    ///
    /// Raises `ValueError` for 0 residents or more than 4 billion households.
    #[staticmethod]
    #[pyo3(signature = (residents, seed = 2020))]
    fn synth(py: Python<'_>, residents: u64, seed: u64) -> PyResult<Self> {
        let mean = CityShape::new().mean_household_size().map_err(|e| PyValueError::new_err(e.to_string()))?;
        // A float estimate of a count; the cast saturates and is then range-checked.
        let households = ((residents as f64 / mean).ceil() as u64).max(u64::from(residents > 0));
        let households =
            u32::try_from(households).map_err(|_| PyValueError::new_err(format!("too many residents: {residents}")))?;
        let shape = CityShape::with_households(households).seed(seed);
        let city = py.detach(|| shape.build()).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(Registry::wrap(city.into_registry()))
    }

    /// The registry a snapshot (JSON text, from `to_json`) describes.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        let snapshot: wangge::Snapshot =
            serde_json::from_str(text).map_err(|e| PyValueError::new_err(format!("not a snapshot: {e}")))?;
        let reg = py.detach(|| wangge::Registry::from_snapshot(snapshot)).map_err(|e| errors::to_py(py, &e))?;
        Ok(Registry::wrap(reg))
    }

    /// The registry's snapshot as JSON text (the core's format, `FORMAT_VERSION`).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        let inner = &self.inner;
        py.detach(|| serde_json::to_string(&inner.snapshot()))
            .map_err(|e| PyValueError::new_err(format!("cannot write the snapshot: {e}")))
    }

    /// The registry the events of `log` rebuild (the founding event first, as
    /// `founding_event()` gives it, then every command's events in order).
    #[staticmethod]
    fn replay(py: Python<'_>, log: &Bound<'_, PyAny>) -> PyResult<Self> {
        let events: Vec<Event> = from_py(log, "list of events")?;
        let reg = py.detach(|| wangge::Registry::replay(&events)).map_err(|e| errors::to_py(py, &e))?;
        Ok(Registry::wrap(reg))
    }

    /// The event that founds this registry: the first of its log.
    fn founding_event<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.founding_event())
    }

    fn __eq__(&self, other: PyRef<'_, Registry>) -> bool {
        self.inner == other.inner
    }

    fn __repr__(&self) -> String {
        let date = self.inner.business_date().map_or_else(|| "none".to_owned(), |d| d.to_string());
        format!(
            "<wangge.Registry: {} units, {} households, {} persons, business date {date}>",
            self.inner.tree().len(),
            self.inner.population().household_count(),
            self.inner.population().person_count(),
        )
    }

    /// The root unit's id.
    #[getter]
    fn root(&self) -> u32 {
        self.inner.root().get()
    }

    /// The business date 业务日期 (the last day opened), or None.
    #[getter]
    fn business_date(&self) -> Option<NaiveDate> {
        self.inner.business_date()
    }

    /// How many units the tree has (ids 0 to unit_count - 1).
    #[getter]
    fn unit_count(&self) -> usize {
        self.inner.tree().len()
    }

    /// How many households are registered (ids 0 to household_count - 1).
    #[getter]
    fn household_count(&self) -> usize {
        self.inner.population().household_count()
    }

    /// How many persons are registered (ids 0 to person_count - 1).
    #[getter]
    fn person_count(&self) -> usize {
        self.inner.population().person_count()
    }

    // -----------------------------------------------------------------------------------------
    // Commands
    // -----------------------------------------------------------------------------------------

    /// Apply one command, the dict of a Rust `Command` (`{"OpenDay": {"today": "2020-02-01"}}`),
    /// and return its events as dicts. A refused command changes nothing and raises the
    /// `WanggeError` subclass of its kind; a dict that is no command raises `ValueError`.
    /// With `within` (unit ids), the command is first checked as a user's whose scope 管辖范围
    /// is those subtrees: one that names anything outside them, or applies to the whole city,
    /// raises `Forbidden`.
    #[pyo3(signature = (command, *, within = None))]
    fn apply<'py>(
        &mut self,
        py: Python<'py>,
        command: &Bound<'py, PyAny>,
        within: Option<Vec<u32>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let command: Command = from_py(command, "command")?;
        if let Some(roots) = within {
            let roots: Vec<UnitId> = roots.into_iter().map(UnitId::new).collect();
            self.inner
                .scope(&roots)
                .and_then(|scope| scope.check_command(&command))
                .map_err(|e| errors::to_py(py, &e))?;
        }
        let events = self.inner.apply(command).map_err(|e| errors::to_py(py, &e))?;
        to_py(py, &events)
    }

    /// As `apply`, with the command and the events as JSON text (a JSON array of events).
    fn apply_json(&mut self, py: Python<'_>, command: &str) -> PyResult<String> {
        let command: Command =
            serde_json::from_str(command).map_err(|e| PyValueError::new_err(format!("not a command: {e}")))?;
        let events = self.inner.apply(command).map_err(|e| errors::to_py(py, &e))?;
        serde_json::to_string(&events).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// Apply many commands (dicts) in one call, the GIL released while they apply.
    ///
    /// Every command is first read; a malformed one raises `ValueError` and nothing is applied.
    /// Then each is applied atomically, in order, as `apply` does: the first refusal raises its
    /// `WanggeError` with `.index` (its position) and `.applied` (how many were applied before
    /// it, and stay applied); with `skip_refused=True` refused commands are passed over instead.
    /// Returns the events of each command when `events=True` (an empty list for a command
    /// skipped), else the number of events.
    #[pyo3(signature = (commands, *, skip_refused = false, events = false))]
    fn apply_many<'py>(
        &mut self,
        py: Python<'py>,
        commands: &Bound<'py, PyAny>,
        skip_refused: bool,
        events: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut parsed = Vec::new();
        for (i, c) in commands.try_iter()?.enumerate() {
            let c = c?;
            parsed.push(
                from_py::<Command>(&c, "command")
                    .map_err(|e| PyValueError::new_err(format!("command {i}: {}", e.value(py))))?,
            );
        }
        let inner = &mut self.inner;
        let on_refused = OnRefused::from_flag(skip_refused);
        if events {
            let out = py.detach(|| {
                let mut all = Vec::with_capacity(parsed.len());
                let mut applied = 0;
                for (i, c) in parsed.into_iter().enumerate() {
                    match inner.apply(c) {
                        Ok(ev) => {
                            applied += 1;
                            all.push(ev);
                        }
                        Err(e) if on_refused == OnRefused::Raise => return Err((i, applied, e)),
                        Err(_) => all.push(Vec::new()),
                    }
                }
                Ok(all)
            });
            match out {
                Ok(all) => to_py(py, &all),
                Err((i, applied, e)) => Err(errors::to_py_at(py, &e, i, applied)),
            }
        } else {
            let log = &mut self.log;
            let out = py.detach(|| apply_all(inner, parsed, on_refused, log).map(|_| log.len()));
            match out {
                Ok(n) => Ok(n.into_pyobject(py)?.into_any()),
                Err((i, applied, e)) => Err(errors::to_py_at(py, &e, i, applied)),
            }
        }
    }

    /// Add a unit named `name` under `parent` at `level` (the level's index, or its name in the
    /// registry's scheme: `"社区"`, `"community"`) of kind `kind` (`"Area"`, `"Building"`, or a
    /// dict such as `{"Compound": "WorkUnit"}`), with an administrative `code` if given:
    /// `AddUnit`. Returns the new unit's id.
    #[pyo3(signature = (parent, name, level, *, kind = None, code = None))]
    fn add_unit(
        &mut self,
        py: Python<'_>,
        parent: u32,
        name: &str,
        level: &Bound<'_, PyAny>,
        kind: Option<&Bound<'_, PyAny>>,
        code: Option<&str>,
    ) -> PyResult<u32> {
        let level =
            match level.extract::<u8>() {
                Ok(i) => Level::new(i),
                Err(_) => {
                    let n: String = level.extract()?;
                    self.inner.tree().scheme().level(&n).ok_or_else(|| {
                        PyValueError::new_err(format!("no level named {n:?} in the registry's scheme"))
                    })?
                }
            };
        let kind = match kind {
            Some(k) => from_py(k, "unit kind")?,
            None => UnitKind::Area,
        };
        let mut unit = NewUnit::new(name, level, kind);
        if let Some(code) = code {
            unit = unit.with_code(code).map_err(|e| errors::to_py(py, &wangge::Error::from(e)))?;
        }
        let events = self
            .inner
            .apply(Command::AddUnit { parent: UnitId::new(parent), unit })
            .map_err(|e| errors::to_py(py, &e))?;
        events.iter().find_map(Event::new_unit).map(UnitId::get).ok_or_else(|| PyValueError::new_err("no unit added"))
    }

    /// Add a household with the door label `door` (`"1-101"`) in `unit`: `AddHousehold`.
    /// Returns the new household's id.
    fn add_household(&mut self, py: Python<'_>, unit: u32, door: &Bound<'_, PyAny>) -> PyResult<u32> {
        let door = from_py(door, "door label")?;
        let events = self
            .inner
            .apply(Command::AddHousehold { unit: UnitId::new(unit), door })
            .map_err(|e| errors::to_py(py, &e))?;
        events
            .iter()
            .find_map(Event::new_household)
            .map(wangge::HouseholdId::get)
            .ok_or_else(|| PyValueError::new_err("no household added"))
    }

    /// Register a person in `household`, in `state` (default `"Well"`) since `since`, with
    /// no personal data (a record with an identity number, name or phone goes through
    /// `apply({"RegisterPerson": ...})`): `RegisterPerson`. Returns the new person's id.
    #[pyo3(signature = (household, since, *, state = "Well"))]
    fn register_person(
        &mut self,
        py: Python<'_>,
        household: u32,
        since: &Bound<'_, PyAny>,
        state: &str,
    ) -> PyResult<u32> {
        let state = wangge::colour::PersonState::new(variant(state, "state")?, date(since)?);
        let household = wangge::HouseholdId::new(household);
        let record = wangge::people::PersonRecord::new();
        let events = self
            .inner
            .apply(Command::RegisterPerson { household, record, state })
            .map_err(|e| errors::to_py(py, &e))?;
        events
            .iter()
            .find_map(Event::new_person)
            .map(PersonId::get)
            .ok_or_else(|| PyValueError::new_err("no person registered"))
    }

    /// Open the day `today` (the daily round 每日: phases move, cases whose period is over are
    /// released or flagged; the business date moves to `today`). Returns the number of events.
    fn open_day(&mut self, py: Python<'_>, today: &Bound<'_, PyAny>) -> PyResult<usize> {
        let today = date(today)?;
        let Registry { inner, log } = self;
        log.clear();
        py.detach(|| inner.apply_into(Command::OpenDay { today }, log)).map_err(|e| errors::to_py(py, &e))
    }

    /// Set the state (the reason a person is held) of each person of `persons` (ids) to `state`
    /// (`"Confirmed"`, `"Well"` ... see `STATES`) on the date `on`: one `SetState` each.
    /// Returns the indexes of the refused ones (with `skip_refused=True`; else the first
    /// refusal raises with `.index` and `.applied`).
    #[pyo3(signature = (persons, state, on, *, skip_refused = false))]
    fn set_states<'py>(
        &mut self,
        py: Python<'py>,
        persons: Ids<'py>,
        state: &str,
        on: &Bound<'py, PyAny>,
        skip_refused: bool,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let state: State = variant(state, "state")?;
        let on = date(on)?;
        let commands = convert::ids(&persons)
            .into_iter()
            .map(|p| Command::SetState { person: PersonId::new(p), state, on })
            .collect();
        self.bulk(py, commands, skip_refused)
    }

    /// Put each person of `persons` (ids) under `measure` (`"CentralisedIsolation"`,
    /// `"HomeIsolation"`, `"HealthManagement"`, `"None"`: see `MEASURES`) on the date `on`,
    /// their reason kept: one `SetMeasure` each. Returns the refused indexes, as `set_states`.
    #[pyo3(signature = (persons, measure, on, *, skip_refused = false))]
    fn set_measures<'py>(
        &mut self,
        py: Python<'py>,
        persons: Ids<'py>,
        measure: &str,
        on: &Bound<'py, PyAny>,
        skip_refused: bool,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let measure: Measure = variant(measure, "measure")?;
        let on = date(on)?;
        let commands = convert::ids(&persons)
            .into_iter()
            .map(|p| Command::SetMeasure { person: PersonId::new(p), measure, on })
            .collect();
        self.bulk(py, commands, skip_refused)
    }

    /// Put each person of `persons` under the adopted policy `policy` (its id) as `category`
    /// (`"CloseContact"` ...), on `on`: one `StartCase` each. The anchor (the last exposure)
    /// is `anchor` (default `on`), or `on` less `days_before[i]` days for person i.
    /// Returns the refused indexes, as `set_states`.
    #[pyo3(signature = (persons, policy, on, *, category = "CloseContact", anchor = None, days_before = None, skip_refused = false))]
    #[allow(clippy::too_many_arguments)] // keyword arguments of one Python method
    fn start_cases<'py>(
        &mut self,
        py: Python<'py>,
        persons: Ids<'py>,
        policy: u16,
        on: &Bound<'py, PyAny>,
        category: &str,
        anchor: Option<&Bound<'py, PyAny>>,
        days_before: Option<Ids<'py>>,
        skip_refused: bool,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let category: Category = variant(category, "category")?;
        let on = date(on)?;
        let anchor = match anchor {
            Some(a) => date(a)?,
            None => on,
        };
        let persons = convert::ids(&persons);
        let before = days_before.map(|d| convert::ids(&d));
        if before.as_ref().is_some_and(|b| b.len() != persons.len()) {
            return Err(PyValueError::new_err("days_before must have one value per person"));
        }
        let policy = PolicyId::new(policy);
        let mut commands = Vec::with_capacity(persons.len());
        for (i, p) in persons.into_iter().enumerate() {
            let anchor = match &before {
                Some(b) => convert::days_before(anchor, b[i])?,
                None => anchor,
            };
            commands.push(Command::StartCase { person: PersonId::new(p), policy, category, anchor, on, linked: None });
        }
        self.bulk(py, commands, skip_refused)
    }

    /// Release each case of `cases` (ids) on `on`: one `Release` each. Returns the refused
    /// indexes, as `set_states`.
    #[pyo3(signature = (cases, on, *, skip_refused = false))]
    fn release<'py>(
        &mut self,
        py: Python<'py>,
        cases: Ids<'py>,
        on: &Bound<'py, PyAny>,
        skip_refused: bool,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let on = date(on)?;
        let commands =
            convert::ids(&cases).into_iter().map(|c| Command::Release { case: CaseId::new(c), on }).collect();
        self.bulk(py, commands, skip_refused)
    }

    /// Record a temperature check 体温 for each person of `persons` at `at` (a datetime):
    /// `temperature` in °C (30.0 to 45.0, to a tenth), `symptoms` the same for all. One
    /// `RecordCheck` each; returns the refused indexes, as `set_states`.
    #[pyo3(signature = (persons, at, *, temperature = 36.5, symptoms = false, skip_refused = false))]
    fn record_checks<'py>(
        &mut self,
        py: Python<'py>,
        persons: Ids<'py>,
        at: &Bound<'py, PyAny>,
        temperature: f64,
        symptoms: bool,
        skip_refused: bool,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let at = datetime(at)?;
        let tenths = (temperature * 10.0).round();
        let temperature = if (0.0..=f64::from(u16::MAX)).contains(&tenths) {
            // In range by the check above; the cast only drops the (zero) fraction.
            Temperature::from_tenths(tenths as u16).map_err(|e| errors::to_py(py, &wangge::Error::from(e)))?
        } else {
            return Err(PyValueError::new_err(format!("not a temperature: {temperature}")));
        };
        let commands = convert::ids(&persons)
            .into_iter()
            .map(|p| Command::RecordCheck { person: PersonId::new(p), at, temperature, symptoms })
            .collect();
        self.bulk(py, commands, skip_refused)
    }

    /// Record a test 核酸 taken on `on` for each person of `persons`, negative unless
    /// `positive[i]` is true. One `RecordTest` each; returns the refused indexes, as
    /// `set_states`.
    #[pyo3(signature = (persons, on, *, positive = None, skip_refused = false))]
    fn record_tests<'py>(
        &mut self,
        py: Python<'py>,
        persons: Ids<'py>,
        on: &Bound<'py, PyAny>,
        positive: Option<numpy::PyArrayLike1<'py, bool, numpy::AllowTypeChange>>,
        skip_refused: bool,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let on = date(on)?;
        let persons = convert::ids(&persons);
        let positive: Option<Vec<bool>> = positive.map(|a| a.as_array().iter().copied().collect());
        if positive.as_ref().is_some_and(|p| p.len() != persons.len()) {
            return Err(PyValueError::new_err("positive must have one value per person"));
        }
        let commands = persons
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let pos = positive.as_ref().is_some_and(|v| v[i]);
                let result = if pos { TestResult::Positive } else { TestResult::Negative };
                Command::RecordTest { person: PersonId::new(p), on, result }
            })
            .collect();
        self.bulk(py, commands, skip_refused)
    }

    // -----------------------------------------------------------------------------------------
    // Reads
    // -----------------------------------------------------------------------------------------

    /// The tally of everything inside `unit` (households and persons per colour, persons per
    /// state, marked persons), kept live by every command: a dict of the core's `Tally`.
    /// With `within` (unit ids), read as a user whose scope 管辖范围 is those subtrees: a unit
    /// outside them raises `NotFound`, exactly as one that does not exist (the core's rule for
    /// reads through a scope).
    #[pyo3(signature = (unit, *, within = None))]
    fn tally<'py>(&self, py: Python<'py>, unit: u32, within: Option<Vec<u32>>) -> PyResult<Bound<'py, PyAny>> {
        let unit = UnitId::new(unit);
        let t = match within {
            None => self.inner.tally(unit),
            Some(roots) => {
                let roots: Vec<UnitId> = roots.into_iter().map(UnitId::new).collect();
                self.inner.scope(&roots).and_then(|scope| scope.tally(unit))
            }
        }
        .map_err(|e| errors::to_py(py, &e))?;
        to_py(py, t)
    }

    /// The children of `unit`, in the order they were added.
    fn children(&self, py: Python<'_>, unit: u32) -> PyResult<Vec<u32>> {
        let c =
            self.inner.tree().children(UnitId::new(unit)).map_err(|e| errors::to_py(py, &wangge::Error::from(e)))?;
        Ok(c.iter().map(|u| u.get()).collect())
    }

    /// The parent of `unit` (None for the root).
    fn parent(&self, py: Python<'_>, unit: u32) -> PyResult<Option<u32>> {
        let p = self.inner.tree().parent(UnitId::new(unit)).map_err(|e| errors::to_py(py, &wangge::Error::from(e)))?;
        Ok(p.map(|u| u.get()))
    }

    /// The name of `unit`.
    fn unit_name(&self, py: Python<'_>, unit: u32) -> PyResult<String> {
        let u = self.inner.tree().unit(UnitId::new(unit)).map_err(|e| errors::to_py(py, &wangge::Error::from(e)))?;
        Ok(u.name().to_owned())
    }

    /// The state of `person` (`"Well"`, `"CloseContact"` ...).
    fn state(&self, py: Python<'_>, person: u32) -> PyResult<String> {
        let s = self.inner.state(PersonId::new(person)).map_err(|e| errors::to_py(py, &e))?;
        Ok(format!("{:?}", s.state()))
    }

    /// The colour of `household` (`"Red"`, `"Orange"`, `"Yellow"`, `"Green"`, `"White"`).
    fn colour(&self, py: Python<'_>, household: u32) -> PyResult<String> {
        let c = self.inner.colour(wangge::HouseholdId::new(household)).map_err(|e| errors::to_py(py, &e))?;
        Ok(format!("{c:?}"))
    }

    /// The daily agenda 每日工作清单 for `date`: `{"date": ..., "items": [...]}`, each item a
    /// case, its person, household, unit and what is due (released, escalated, review, release
    /// due, test due, missed checks, monitoring).
    fn agenda<'py>(&self, py: Python<'py>, date: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let d = convert::date(date)?;
        to_py(py, &self.inner.agenda(d))
    }

    /// The agenda for `date` as NumPy arrays of equal length: `kind` (uint8: 0 released,
    /// 1 escalated, 2 review, 3 release due, 4 test due, 5 missed checks, 6 monitoring; see
    /// `AGENDA_KINDS`), `case`, `person`, `household` and `unit` (uint32), in agenda order.
    fn agenda_arrays<'py>(&self, py: Python<'py>, date: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
        let d = convert::date(date)?;
        let agenda = self.inner.agenda(d);
        let n = agenda.len();
        let (mut kind, mut case, mut person, mut household, mut unit) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for i in agenda.items() {
            kind.push(i.item.rank());
            case.push(i.case.get());
            person.push(i.person.get());
            household.push(i.household.get());
            unit.push(i.unit.get());
        }
        let out = PyDict::new(py);
        out.set_item("kind", kind.into_pyarray(py))?;
        out.set_item("case", case.into_pyarray(py))?;
        out.set_item("person", person.into_pyarray(py))?;
        out.set_item("household", household.into_pyarray(py))?;
        out.set_item("unit", unit.into_pyarray(py))?;
        Ok(out)
    }

    /// What staff member `staff` must do on `date` 责任到人: their tasks (dicts), as the work
    /// plan routed them.
    fn worklist<'py>(&self, py: Python<'py>, staff: u32, date: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let d = convert::date(date)?;
        let tasks = self.inner.worklist(StaffId::new(staff), d).map_err(|e| errors::to_py(py, &e))?;
        to_py(py, &tasks)
    }

    /// The courtyard map 院区疫情防控平面图 of `unit` (default the root) on `date` (default the
    /// business date) as an SVG document: each household a cell in its colour.
    #[pyo3(signature = (unit = None, date = None))]
    fn map_svg(&self, py: Python<'_>, unit: Option<u32>, date: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
        let d = self.date_or_business(date)?;
        let unit = unit.map_or(self.inner.root(), UnitId::new);
        let map = self.inner.map(unit, d).map_err(|e| errors::to_py(py, &e))?;
        Ok(map.to_svg())
    }

    /// The same map as plain text, one line per household.
    #[pyo3(signature = (unit = None, date = None))]
    fn map_text(&self, py: Python<'_>, unit: Option<u32>, date: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
        let d = self.date_or_business(date)?;
        let unit = unit.map_or(self.inner.root(), UnitId::new);
        let map = self.inner.map(unit, d).map_err(|e| errors::to_py(py, &e))?;
        Ok(map.to_text())
    }

    /// The isolation policies adopted: a list of `{"id": ..., "name": ..., "policy": {...}}`.
    fn policies<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for (id, p) in self.inner.policies() {
            let d = PyDict::new(py);
            d.set_item("id", id.get())?;
            d.set_item("name", p.name())?;
            d.set_item("policy", to_py(py, p)?)?;
            out.append(d)?;
        }
        Ok(out)
    }

    /// Adopt an isolation policy (a preset's name, `"cn_ed9_close_contact"`, or a policy dict)
    /// and return its id: `AdoptPolicy`.
    fn adopt_policy(&mut self, py: Python<'_>, policy: &Bound<'_, PyAny>) -> PyResult<u16> {
        let policy = policy_from(policy)?;
        let events = self.inner.apply(Command::AdoptPolicy { policy }).map_err(|e| errors::to_py(py, &e))?;
        events
            .iter()
            .find_map(Event::new_policy)
            .map(PolicyId::get)
            .ok_or_else(|| PyValueError::new_err("AdoptPolicy gave no policy id"))
    }

    /// The id of the adopted policy named `name`, if there is one.
    fn policy_id(&self, name: &str) -> Option<u16> {
        self.inner.policy_named(name).map(PolicyId::get)
    }

    /// The schedule of case `case` under its policy: phases, tests and checks, the release date.
    fn schedule<'py>(&self, py: Python<'py>, case: u32) -> PyResult<Bound<'py, PyAny>> {
        let s = self.inner.schedule(CaseId::new(case)).map_err(|e| errors::to_py(py, &e))?;
        to_py(py, &s)
    }

    /// Case `case` as a dict (its person, policy, category, anchor, records, status).
    fn case<'py>(&self, py: Python<'py>, case: u32) -> PyResult<Bound<'py, PyAny>> {
        let c = self.inner.case(CaseId::new(case)).map_err(|e| errors::to_py(py, &e))?;
        to_py(py, c)
    }

    /// The open case of each person of `persons` as an int64 array, -1 where none.
    fn cases_of<'py>(&self, py: Python<'py>, persons: Ids<'py>) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let out: Vec<i64> = convert::ids(&persons)
            .into_iter()
            .map(|p| self.inner.active_case(PersonId::new(p)).map_or(-1, |c| i64::from(c.get())))
            .collect();
        Ok(out.into_pyarray(py))
    }

    /// Every unit's live tally as two uint64 arrays of shape (unit_count, 5): households and
    /// persons per colour, the columns in the order of `COLOURS` (White, Green, Yellow, Orange,
    /// Red: `Colour.index` in the core). Row `u` is unit `u`, what `tally(u)` says.
    fn tallies<'py>(&self, py: Python<'py>) -> PyResult<TallyArrays<'py>> {
        let (households, persons) = tally_rows(&self.inner);
        let n = self.inner.tree().len();
        let shape = |v: Vec<u64>| {
            Array2::from_shape_vec((n, Colour::COUNT), v).map_err(|e| PyValueError::new_err(e.to_string()))
        };
        Ok((shape(households)?.into_pyarray(py), shape(persons)?.into_pyarray(py)))
    }

    /// Each person's household colour as a uint8 array indexed by person id (`COLOURS` order).
    fn person_colours<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<u8>>> {
        let pop = self.inner.population();
        let mut out = vec![0u8; pop.person_count()];
        for (h, household) in pop.households() {
            let c = self.inner.colour(h).map_err(|e| errors::to_py(py, &e))?;
            for &p in household.members() {
                // A member id is below person_count: the register hands ids out in order.
                if let Some(slot) = out.get_mut(p.index()) {
                    *slot = c.index() as u8;
                }
            }
        }
        Ok(out.into_pyarray(py))
    }

    /// Each person's state as a uint8 array indexed by person id (`STATES` order).
    fn person_states<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<u8>>> {
        let n = self.inner.population().person_count();
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            // Every id below person_count is a person (ids are handed out in order, up to u32).
            let p = PersonId::new(u32::try_from(i).unwrap_or(u32::MAX));
            let s = self.inner.state(p).map_err(|e| errors::to_py(py, &e))?;
            out.push(s.state().index() as u8);
        }
        Ok(out.into_pyarray(py))
    }

    /// Each person's household id as a uint32 array indexed by person id.
    fn person_households<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<u32>>> {
        let pop = self.inner.population();
        let out: Vec<u32> = pop.persons().map(|(_, p)| p.household().get()).collect();
        Ok(out.into_pyarray(py))
    }
}

/// Households and persons per colour of every unit, as `Registry.tallies` returns them.
type TallyArrays<'py> = (Bound<'py, PyArray2<u64>>, Bound<'py, PyArray2<u64>>);

/// Every unit's households and persons per colour, row-major (unit, colour index).
pub fn tally_rows(reg: &wangge::Registry) -> (Vec<u64>, Vec<u64>) {
    let n = reg.tree().len();
    let mut households = Vec::with_capacity(n * Colour::COUNT);
    let mut persons = Vec::with_capacity(n * Colour::COUNT);
    for u in reg.tree().ids() {
        // Every id the tree lists has a tally.
        if let Ok(t) = reg.tally(u) {
            for c in [Colour::White, Colour::Green, Colour::Yellow, Colour::Orange, Colour::Red] {
                households.push(t.households(c));
                persons.push(t.persons(c));
            }
        }
    }
    (households, persons)
}

/// Module-level functions about presets.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Registry>()?;
    m.add_function(wrap_pyfunction!(policy_presets, m)?)?;
    m.add_function(wrap_pyfunction!(policy_schedule, m)?)?;
    m.add_function(wrap_pyfunction!(level_schemes, m)?)?;
    m.add("COLOURS", ("White", "Green", "Yellow", "Orange", "Red"))?;
    let states: Vec<String> = State::ALL.iter().map(|s| format!("{s:?}")).collect();
    m.add("STATES", pyo3::types::PyTuple::new(m.py(), states)?)?;
    let measures: Vec<String> = Measure::ALL.iter().map(|s| format!("{s:?}")).collect();
    m.add("MEASURES", pyo3::types::PyTuple::new(m.py(), measures)?)?;
    m.add(
        "AGENDA_KINDS",
        ("released", "escalated", "review", "release due", "test due", "missed checks", "monitoring"),
    )?;
    m.add("FORMAT_VERSION", wangge::registry::FORMAT_VERSION)?;
    Ok(())
}

/// The isolation policy presets 隔离期 (seed 001's 14 days at home first, then the Chinese
/// protocols, the CDC's and the WHO's), each a policy dict with its `name` and `source`.
#[pyfunction]
fn policy_presets(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_py(py, &Policy::presets())
}

/// The schedule of `policy` (a preset's name or a policy dict) from the anchor date `anchor`
/// (the last exposure): its phases, tests, checks and release date, as a dict.
#[pyfunction]
fn policy_schedule<'py>(
    py: Python<'py>,
    policy: &Bound<'py, PyAny>,
    anchor: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let policy = policy_from(policy)?;
    let s = policy.schedule(date(anchor)?).map_err(|e| errors::to_py(py, &wangge::Error::from(e)))?;
    to_py(py, &s)
}

/// The level scheme presets: a list of `{"key": ..., "scheme": {...}}` (`key` is what
/// `Registry(scheme=key)` takes).
#[pyfunction]
fn level_schemes(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let out = PyList::empty(py);
    for (key, scheme) in SCHEME_KEYS.iter().zip(LevelScheme::presets()) {
        let d = PyDict::new(py);
        d.set_item("key", key)?;
        d.set_item("scheme", to_py(py, &scheme)?)?;
        out.append(d)?;
    }
    Ok(out)
}
