//! The bodies of the fuzz targets (issue 7 §2), in one place: `fuzz/fuzz_targets/*.rs` run them
//! under libFuzzer (`cargo +nightly fuzz run TARGET`), and `tests/fuzzing.rs` runs them on the
//! committed seeds and on proptest's random and mutated bytes in every `cargo test`, so CI
//! exercises the same code without nightly or cargo-fuzz.
//!
//! Each body takes any bytes and must not panic. Every `assert!` here is an invariant the
//! registry promises, so a failed one is a bug found (with the bytes that found it):
//!
//! - [`decode_event`]: the bytes as JSON lines of events. A line that reads reads back equal
//!   after writing. The events that read are applied to a registry, as a host replays a log:
//!   from their own founding event if the first line is one, else to a small registry
//!   ([`base`]). An accepted event leaves the registry passing its audit; a refused one leaves
//!   it unchanged; the accepted events replay to an equal registry.
//! - [`decode_snapshot`]: the bytes as a JSON snapshot, or, when they are not JSON, as edits of
//!   [`base`]'s snapshot. One that reads and loads passes its audit, saves and loads again to
//!   an equal registry (through JSON too), and reading the bytes straight into a [`Registry`]
//!   agrees with reading them in two steps.
//! - [`apply_commands`]: the bytes as a sequence of commands ([`Commands`], a byte-driven
//!   decoder) on [`base`], each prepared (which changes nothing) and committed as one record.
//!   After each accepted command the audit is empty and the record, written as JSON and read
//!   back, is applied to a replica with every check of a log's record (the digest chain, its
//!   events exactly the command's), which then equals the registry; the events replay from
//!   the start at the end; a refused command changes nothing; the last registry loads its own
//!   snapshot, head included.

// Each includer uses some of these items, not all.
#![allow(dead_code)]

use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime};
use wangge::colour::{Colour, ColourRule, HouseholdRule, PersonState, State};
use wangge::duty::{Availability, Qualification, Qualifications, Role, Scheme, Staff, Target};
use wangge::grid::{CheckpointKind, CompoundKind, Level, LevelScheme, NewUnit, OverlayKind, UnitKind};
use wangge::people::{DoorLabel, Marker, Markers, Name, Passport, PersonRecord, Phone, ResidentId};
use wangge::quarantine::{Anchor, Category, Link, Phase, Policy, Setting, Temperature, TestResult};
use wangge::{
    CaseId, CellId, Command, Event, HouseholdId, OverlayId, PersonId, PolicyId, Record, Registry, SchemeId, Snapshot,
    StaffId, UnitId,
};

// ---------------------------------------------------------------------------------------------
// The small registry every body starts from
// ---------------------------------------------------------------------------------------------

fn feb(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, day).expect("a day of February 2020")
}

/// A small sub-district, built once: two communities, three courtyards and a building, four
/// households and five persons, zones and a grid, three isolation policies with one open case,
/// two responsibility schemes with a partly filled roster and four staff members. Returns
/// the registry and its event log (the founding event first).
pub fn base() -> &'static (Registry, Vec<Event>) {
    static BASE: OnceLock<(Registry, Vec<Event>)> = OnceLock::new();
    BASE.get_or_init(|| {
        let scheme = LevelScheme::zhengzhou();
        let mut reg =
            Registry::new(scheme, NewUnit::new("花园路街道", Level::new(0), UnitKind::Area)).expect("a registry");
        let mut log = vec![reg.founding_event()];
        let mut run = |reg: &mut Registry, command: Command| {
            let events = reg.apply(command.clone()).unwrap_or_else(|e| panic!("{command:?}: {e}"));
            log.extend(events.iter().cloned());
        };
        let unit = |parent: u32, name: &str, level: u8, kind: UnitKind| Command::AddUnit {
            parent: UnitId::new(parent),
            unit: NewUnit::new(name, Level::new(level), kind),
        };
        run(&mut reg, unit(0, "农科路社区", 1, UnitKind::Area));
        run(&mut reg, unit(0, "黄河路社区", 1, UnitKind::Area));
        run(&mut reg, unit(1, "3号院", 2, UnitKind::Compound(CompoundKind::WorkUnit)));
        run(&mut reg, unit(2, "7号院", 2, UnitKind::Area));
        run(&mut reg, unit(3, "1号楼", 3, UnitKind::Building));
        run(&mut reg, unit(3, "东门", 3, UnitKind::Entrance(Some(CheckpointKind::WorkUnitCourtyard))));
        for (unit, door) in [(3, "1-101"), (3, "1-102"), (4, "2-201"), (5, "3-301")] {
            let door = DoorLabel::new(door).expect("a door label");
            run(&mut reg, Command::AddHousehold { unit: UnitId::new(unit), door });
        }
        for (household, sequence) in [(0, 11), (0, 12), (1, 21), (2, 31), (3, 41)] {
            let id = ResidentId::from_parts(410105, feb(1).with_year(1970).expect("a date"), sequence).expect("an id");
            let record = PersonRecord::new().with_resident_id(id);
            let state = PersonState::well(feb(1));
            run(&mut reg, Command::RegisterPerson { household: HouseholdId::new(household), record, state });
        }
        run(&mut reg, Command::CreateOverlay { name: "片区".to_owned(), kind: OverlayKind::Zone });
        for (name, unit) in [("东片", 1), ("西片", 2)] {
            let (overlay, units) = (OverlayId::new(0), vec![UnitId::new(unit)]);
            run(&mut reg, Command::AddCell { overlay, name: name.to_owned(), units });
        }
        run(&mut reg, Command::CreateOverlay { name: "网格".to_owned(), kind: OverlayKind::Grid });
        let grid =
            Command::AddCell {
                overlay: OverlayId::new(1), name: "一号网格".to_owned(), units: vec![UnitId::new(3)]
            };
        run(&mut reg, grid);
        for policy in [Policy::seed_shanghai_2020(), Policy::cn_ed9_close_contact(), Policy::cn_ed9_secondary_contact()]
        {
            run(&mut reg, Command::AdoptPolicy { policy });
        }
        run(&mut reg, Command::OpenDay { today: feb(2) });
        run(
            &mut reg,
            Command::StartCase {
                person: PersonId::new(0),
                policy: PolicyId::new(1),
                category: Category::CloseContact,
                anchor: feb(1),
                on: feb(2),
                linked: None,
            },
        );
        let six = Scheme::six_cover_one(Level::new(1), Level::new(0), None).expect("a scheme");
        run(&mut reg, Command::AdoptScheme { scheme: six });
        run(&mut reg, Command::AdoptScheme { scheme: Scheme::two_plus_three() });
        for (name, qualification, home) in [
            ("书记", Qualification::PartySecretary, 1),
            ("民警", Qualification::Police, 0),
            ("网格员", Qualification::GridWorker, 3),
            ("医生", Qualification::Medical, 0),
        ] {
            let name = Name::new(name).expect("a name");
            let staff = Staff::new(name, Qualifications::only(qualification), UnitId::new(home), 3).expect("staff");
            run(&mut reg, Command::AddStaff { staff });
        }
        run(&mut reg, Command::Solve { scheme: SchemeId::new(0), on: feb(2), balanced: false });
        // The bodies start replays from `reg` itself: it must be what its log replays to.
        replays_to(&log, &reg);
        (reg, log)
    })
}

// ---------------------------------------------------------------------------------------------
// The bodies
// ---------------------------------------------------------------------------------------------

/// A value read from JSON writes and reads back equal.
fn round_trips(event: &Event) {
    let text = serde_json::to_string(event).expect("an event that was read can be written");
    let back: Event = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text} does not read back: {e}"));
    assert!(&back == event, "{text} reads back as another event");
}

/// The registry passes its audit.
fn audited(reg: &Registry, after: &dyn std::fmt::Debug) {
    let findings = reg.audit();
    assert!(findings.is_empty(), "after {after:?} the audit finds {findings:?}");
}

/// `log` replays to a registry equal to `reg`.
fn replays_to(log: &[Event], reg: &Registry) {
    match Registry::replay(log) {
        Ok(replayed) => assert!(&replayed == reg, "the log replays to another registry"),
        Err(e) => panic!("a log of accepted events does not replay: {e}"),
    }
}

/// Fuzz target `decode_event`: the bytes as JSON lines of events, applied as a log; and the
/// same lines as records, applied as a log of format 6 ([`decode_records`]).
pub fn decode_event(data: &[u8]) {
    decode_records(data);
    let events: Vec<Event> = data.split(|&b| b == b'\n').filter_map(|line| serde_json::from_slice(line).ok()).collect();
    for event in &events {
        round_trips(event);
    }
    // The whole sequence as a log: refused or not, never a panic.
    let _ = Registry::replay(&events);
    let (mut reg, mut log, rest) = match events.split_first() {
        Some((first @ Event::Founded { .. }, rest)) => match Registry::replay([first]) {
            Ok(reg) => (reg, vec![first.clone()], rest),
            Err(_) => return,
        },
        _ => {
            let (reg, log) = base();
            (reg.clone(), log.clone(), &events[..])
        }
    };
    for event in rest {
        let before = reg.clone();
        match reg.apply_event(event) {
            Ok(()) => {
                audited(&reg, event);
                log.push(event.clone());
            }
            Err(_) => assert!(reg == before, "a refused event changed the registry: {event:?}"),
        }
    }
    replays_to(&log, &reg);
}

/// The bytes as JSON lines of records: each that reads reads back equal after writing; from a
/// founding record, each is applied with every check of a log's record; a refused one leaves
/// the registry and its head unchanged, and the accepted ones replay to an equal registry
/// with the same head.
pub fn decode_records(data: &[u8]) {
    let records: Vec<Record> =
        data.split(|&b| b == b'\n').filter_map(|line| serde_json::from_slice(line).ok()).collect();
    for record in &records {
        let text = serde_json::to_string(record).expect("a record writes");
        let read: Record = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert!(&read == record, "{text} reads back as another record");
    }
    let Some((first, rest)) = records.split_first() else { return };
    let Ok(mut reg) = Registry::replay_records([first]) else { return };
    let mut accepted = vec![first.clone()];
    for record in rest {
        let before = reg.clone();
        match reg.apply_record(record) {
            Ok(()) => {
                audited(&reg, record);
                accepted.push(record.clone());
            }
            Err(_) => assert!(reg == before && reg.head() == before.head(), "a refused record changed the registry"),
        }
    }
    let replayed = Registry::replay_records(&accepted).expect("the accepted records replay");
    assert!(replayed == reg && replayed.head() == reg.head(), "the accepted records replay to another registry");
}

/// Fuzz target `decode_snapshot`: the bytes as a JSON snapshot, loaded. Bytes that are not JSON
/// at all are used instead as edits of [`base`]'s snapshot ([`edit_snapshot`]), whose result is
/// loaded the same way: byte mutations of a JSON text mostly break its syntax, and the edits
/// reach the loader's checks of parts that do not fit together.
pub fn decode_snapshot(data: &[u8]) {
    load_snapshot(data);
    if serde_json::from_slice::<serde_json::Value>(data).is_err() {
        load_snapshot(&edit_snapshot(data));
    }
}

/// The checks of [`decode_snapshot`] on one text.
fn load_snapshot(data: &[u8]) {
    let direct = serde_json::from_slice::<Registry>(data);
    let Ok(snapshot) = serde_json::from_slice::<Snapshot>(data) else {
        assert!(direct.is_err(), "a registry read from what is not a snapshot");
        return;
    };
    let loaded = Registry::from_snapshot(snapshot);
    match (&loaded, &direct) {
        (Ok(a), Ok(b)) => assert!(a == b, "reading in one step and in two disagree"),
        (Err(_), Err(_)) => {}
        (a, b) => panic!("reading in one step and in two disagree: {:?} and {:?}", a.is_ok(), b.is_ok()),
    }
    let Ok(reg) = loaded else { return };
    audited(&reg, &"loading");
    let again = Registry::from_snapshot(reg.snapshot()).expect("a loaded registry loads its own snapshot");
    assert!(again == reg, "a loaded registry's own snapshot loads as another");
    let text = serde_json::to_string(&reg).expect("a registry writes");
    let back: Registry = serde_json::from_str(&text).expect("a registry reads what it wrote");
    assert!(back == reg, "a registry reads back as another");
}

/// [`base`]'s snapshot as JSON with edits read from `data`: each edit walks from the top to a
/// value (a field, an element) chosen by the bytes and, mostly keeping its type, changes it
/// (another number or string, a flag flipped, an element removed or repeated, a field
/// removed), or now and then replaces it by a value of another type.
pub fn edit_snapshot(data: &[u8]) -> Vec<u8> {
    static BASE: OnceLock<serde_json::Value> = OnceLock::new();
    let mut value = BASE.get_or_init(|| serde_json::to_value(&base().0).expect("a registry writes")).clone();
    let mut bytes = Commands::new(data);
    while bytes.at < data.len() {
        edit(&mut value, &mut bytes);
    }
    serde_json::to_vec(&value).expect("JSON writes")
}

fn edit(value: &mut serde_json::Value, bytes: &mut Commands<'_>) {
    use serde_json::Value;
    // Walk down while the bytes say so and there is somewhere to go, noting the way as a JSON
    // pointer.
    let mut pointer = String::new();
    let mut at: &Value = value;
    loop {
        let b = bytes.byte();
        if b.is_multiple_of(16) {
            break;
        }
        match at {
            Value::Object(map) if !map.is_empty() => {
                let Some((key, next)) = map.iter().nth(usize::from(b) % map.len()) else { break };
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                at = next;
            }
            Value::Array(items) if !items.is_empty() => {
                let i = usize::from(b) % items.len();
                pointer.push_str(&format!("/{i}"));
                at = &items[i];
            }
            _ => break,
        }
    }
    let Some(at) = value.pointer_mut(&pointer) else { return };
    let texts = ["", "2020-02-01", "2020-02-29", "Area", "Red", "Well", "CloseContact", "名", "37.3", "1-101"];
    // Mostly an edit that keeps the value's type, so that the snapshot still reads.
    let keep_type = bytes.byte() >= 24;
    match at {
        Value::Number(n) if keep_type => {
            let current = n.as_u64().unwrap_or(0);
            *at = match bytes.below(8) {
                0..=3 => Value::from(if bytes.flag() { current.saturating_add(1) } else { current.saturating_sub(1) }),
                4 | 5 => Value::from(bytes.byte() % 8),
                6 => Value::from(u32::MAX),
                _ => Value::from(u64::from(bytes.byte()) * 257 + u64::from(bytes.byte())),
            }
        }
        Value::String(text) if keep_type => {
            let date =
                text.len() == 10 && text.as_bytes().get(4) == Some(&b'-') && text.as_bytes().get(7) == Some(&b'-');
            if date {
                // Another day of the same month (or the 29th to 31st, which some months lack).
                let day = 1 + bytes.byte() % 31;
                *text = format!("{}{day:02}", text.get(..8).unwrap_or_default());
            } else {
                *at = Value::from(bytes.pick(&texts));
            }
        }
        Value::Bool(b) if keep_type => *b = !*b,
        Value::Array(items) if keep_type && !items.is_empty() => {
            let i = bytes.below(items.len());
            if bytes.flag() {
                items.remove(i);
            } else {
                let copy = items[i].clone();
                items.insert(bytes.below(items.len() + 1), copy);
            }
        }
        Value::Object(map) if keep_type && !map.is_empty() => {
            // A field of an optional kind comes and goes.
            let key = map.keys().nth(bytes.below(map.len())).cloned().unwrap_or_default();
            map.remove(&key);
        }
        _ => {
            *at = match bytes.below(4) {
                0 => Value::from(bytes.byte()),
                1 => Value::from(bytes.pick(&texts)),
                2 => Value::Null,
                _ => Value::Array(Vec::new()),
            }
        }
    }
}

/// Fuzz target `apply_commands`: the bytes as commands on [`base`], at most [`MAX_COMMANDS`].
///
/// The log is replayed after every accepted command, incrementally: a second registry, the
/// replay so far, applies the command's record as read back from JSON, with every check of a
/// log's record, and must then equal the registry and have its head (what
/// [`Registry::replay_records`] does, record by record, without starting over each time). The
/// events are replayed from the start once at the end.
pub fn apply_commands(data: &[u8]) {
    let (base, base_log) = base();
    let (mut reg, mut log, mut replayed) = (base.clone(), base_log.clone(), base.clone());
    let mut commands = Commands::new(data);
    for _ in 0..MAX_COMMANDS {
        let Some(command) = commands.next(&reg) else { break };
        let before = reg.clone();
        let prepared = reg.prepare(command.clone(), None);
        assert!(reg == before && reg.head() == before.head(), "prepare changed the registry: {command:?}");
        let Ok(prepared) = prepared else { continue };
        let answer = reg.commit(prepared).unwrap_or_else(|e| panic!("a prepared {command:?} is refused: {e}"));
        let record = answer.record().expect("a command without a request id is new");
        audited(&reg, &command);
        // The log as a host keeps it: written as JSON and read back.
        let text = serde_json::to_string(record).expect("a record writes");
        let read: Record = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert!(&read == record, "{text} reads back as another record");
        if let Err(e) = replayed.apply_record(&read) {
            panic!("the log does not replay: {text} is refused: {e}");
        }
        assert!(
            replayed == reg && replayed.head() == reg.head(),
            "the log replays to another registry after {command:?}"
        );
        log.extend(read.into_events());
    }
    replays_to(&log, &reg);
    let loaded = Registry::from_snapshot(reg.snapshot()).expect("the registry loads its own snapshot");
    assert!(loaded == reg && loaded.head() == reg.head(), "the registry's snapshot loads as another");
}

/// The most commands one input makes, so that an input's cost stays bounded.
pub const MAX_COMMANDS: usize = 48;

// ---------------------------------------------------------------------------------------------
// Commands from bytes
// ---------------------------------------------------------------------------------------------

/// A byte-driven decoder of commands: each command takes a byte for its kind, then bytes for
/// its fields. Ids are drawn a little past the registry's tables, so unknown ids come up too;
/// dates mostly near February 2020, now and then at the ends of the calendar. When the bytes
/// run out, they read as zeros until [`Commands::next`] ends the sequence.
pub struct Commands<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Commands<'a> {
    /// A decoder of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Commands { data, at: 0 }
    }

    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn below(&mut self, n: usize) -> usize {
        usize::from(self.byte()) % n.max(1)
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    fn flag(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    /// An index into a table of `len`, now and then a little past it.
    fn index(&mut self, len: usize) -> u32 {
        let b = self.byte();
        let i = if b < 224 && len > 0 { usize::from(b) % len } else { len + usize::from(b % 2) };
        u32::try_from(i).unwrap_or(u32::MAX)
    }

    fn unit(&mut self, reg: &Registry) -> UnitId {
        UnitId::new(self.index(reg.tree().len()))
    }

    fn units(&mut self, reg: &Registry) -> Vec<UnitId> {
        let n = if self.byte() < 16 { 0 } else { 1 + self.below(2) };
        (0..n).map(|_| self.unit(reg)).collect()
    }

    fn household(&mut self, reg: &Registry) -> HouseholdId {
        HouseholdId::new(self.index(reg.population().household_count()))
    }

    fn person(&mut self, reg: &Registry) -> PersonId {
        PersonId::new(self.index(reg.population().person_count()))
    }

    /// [`Commands::index`] for a table of 16-bit ids.
    fn index16(&mut self, len: usize) -> u16 {
        u16::try_from(self.index(len)).unwrap_or(u16::MAX)
    }

    fn overlay(&mut self, reg: &Registry) -> OverlayId {
        OverlayId::new(self.index16(reg.overlays().len()))
    }

    fn cell(&mut self, reg: &Registry) -> CellId {
        CellId::new(self.index(reg.overlays().cell_count()))
    }

    fn case(&mut self, reg: &Registry) -> CaseId {
        CaseId::new(self.index(reg.cases().count()))
    }

    fn policy(&mut self, reg: &Registry) -> PolicyId {
        PolicyId::new(self.index16(reg.policies().count()))
    }

    fn scheme(&mut self, reg: &Registry) -> SchemeId {
        SchemeId::new(self.index16(reg.schemes().count()))
    }

    fn staff(&mut self, reg: &Registry) -> StaffId {
        StaffId::new(self.index(reg.staff_pool().len()))
    }

    /// A date `offset` days after `date` (or `date` itself past the calendar's end).
    fn after(date: NaiveDate, offset: u8) -> NaiveDate {
        date.checked_add_days(Days::new(u64::from(offset))).unwrap_or(date)
    }

    /// An active case, mostly, when there is one: its id and the case.
    fn active_case<'r>(&mut self, reg: &'r Registry) -> Option<(CaseId, &'r wangge::quarantine::Case)> {
        let active: Vec<_> = reg.cases().filter(|(_, c)| c.status().is_active()).collect();
        if active.is_empty() || self.byte() >= 200 { None } else { Some(self.pick(&active)) }
    }

    /// A name no other unit, overlay or cell has, mostly.
    fn fresh_name(&mut self) -> String {
        if self.byte() < 220 { format!("名{}", self.at) } else { self.name() }
    }

    /// A date: mostly within about 40 days of 25 January 2020, now and then far away.
    fn date(&mut self) -> NaiveDate {
        let b = self.byte();
        let start = NaiveDate::from_ymd_opt(2020, 1, 25).expect("a date");
        match b {
            250 => NaiveDate::MIN,
            251 => NaiveDate::MAX,
            252 => NaiveDate::MAX.pred_opt().unwrap_or(NaiveDate::MAX),
            253 => start.checked_add_days(Days::new(3650)).unwrap_or(start),
            _ => start.checked_add_days(Days::new(u64::from(b % 40))).unwrap_or(start),
        }
    }

    fn datetime(&mut self) -> NaiveDateTime {
        let date = self.date();
        let hour = u32::from(self.byte() % 24);
        date.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN))
    }

    fn maybe_date(&mut self) -> Option<NaiveDate> {
        if self.flag() { Some(self.date()) } else { None }
    }

    fn name(&mut self) -> String {
        let names = ["东片", "西片", "3号院", "网格一", "", "  ", "a\u{0}b", "花园路街道", "x"];
        let mut name = self.pick(&names).to_owned();
        if self.byte() > 200 {
            name = "长".repeat(self.below(120));
        }
        name
    }

    fn level(&mut self) -> Level {
        Level::new(self.byte() % 6)
    }

    fn unit_kind(&mut self) -> UnitKind {
        match self.below(6) {
            0 => UnitKind::Area,
            1 => UnitKind::Compound(self.pick(&CompoundKind::ALL)),
            2 => UnitKind::Building,
            3 => UnitKind::Entrance(if self.flag() { Some(self.pick(&CheckpointKind::ALL)) } else { None }),
            4 => UnitKind::Road,
            _ => UnitKind::Workplace,
        }
    }

    fn new_unit(&mut self) -> NewUnit {
        let unit = NewUnit::new(self.name(), self.level(), self.unit_kind());
        let code = self.pick(&["410105", "410105001", "41010500100", "410105001003", "12", "x"]);
        if self.flag() { unit.clone().with_code(code).unwrap_or(unit) } else { unit }
    }

    fn markers(&mut self) -> Markers {
        let bits = self.byte();
        Marker::ALL.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, m)| *m).collect()
    }

    fn record(&mut self) -> PersonRecord {
        let mut record = PersonRecord::new();
        let fields = self.byte();
        if fields & 1 != 0 {
            let born = self.date().with_year(1950 + i32::from(self.byte() % 60));
            if let Some(id) = born.and_then(|b| ResidentId::from_parts(410105, b, u16::from(self.byte() % 8)).ok()) {
                record = record.with_resident_id(id);
            }
        }
        if fields & 2 != 0
            && let Ok(passport) = Passport::new(self.pick(&["KOR", "USA", "X"]), self.pick(&["M1", "E7654321"]))
        {
            record = record.with_passport(passport);
        }
        if fields & 4 != 0
            && let Ok(name) = Name::new(self.pick(&["王建国", "李", ""]))
        {
            record = record.with_name(name);
        }
        if fields & 8 != 0
            && let Ok(phone) = Phone::new(self.pick(&["13800000001", "0371-12345678", "1"]))
        {
            record = record.with_phone(phone);
        }
        record.with_markers(self.markers())
    }

    fn state(&mut self) -> State {
        self.pick(&State::ALL)
    }

    fn rule(&mut self) -> ColourRule {
        let mut rule = ColourRule::zhengzhou_2020();
        for _ in 0..self.below(4) {
            rule = rule.with(self.state(), self.pick(&Colour::BY_SEVERITY));
        }
        if self.flag() {
            let mapping: Vec<(State, Colour)> = rule.mapping().collect();
            rule = ColourRule::new(mapping, HouseholdRule::default()).unwrap_or(rule);
        }
        rule
    }

    fn policy_spec(&mut self) -> Option<Policy> {
        let presets = [
            Policy::seed_shanghai_2020,
            Policy::cn_ed1_7_close_contact,
            Policy::cn_ed8_close_contact,
            Policy::cn_ed8_secondary_contact,
            Policy::cn_ed9_close_contact,
            Policy::cn_ed9_secondary_contact,
            Policy::cn_ed9_inbound,
            Policy::cn_ed9_high_risk_area,
            Policy::cn_ed9_medium_risk_area,
            Policy::cn_20_measures_close_contact,
            Policy::cn_new10_close_contact,
            Policy::us_cdc_dec2020_contact_with_test,
            Policy::who_2020_contact,
        ];
        if self.byte() < 200 {
            return Some(self.pick(&presets)());
        }
        // A host's own policy, with phases drawn here.
        let phases = (0..1 + self.below(3))
            .map(|_| {
                let days = u16::from(self.byte() % 20);
                let tests: Vec<u16> = (0..self.below(3)).map(|_| u16::from(self.byte() % 22)).collect();
                Phase::new(self.pick(&Setting::ALL), days).with_tests(tests)
            })
            .collect();
        let temperature = Temperature::from_tenths(360 + u16::from(self.byte() % 30)).unwrap_or(Temperature::FEVER_CN);
        Policy::builder(self.name(), self.pick(&Anchor::ALL), phases)
            .checks_per_day(self.byte() % 4)
            .fever(temperature)
            .build()
            .ok()
    }

    fn scheme_spec(&mut self, reg: &Registry) -> Option<Scheme> {
        let scheme = match self.below(5) {
            0 => Scheme::six_cover_one(self.level(), self.level(), if self.flag() { Some(self.level()) } else { None })
                .ok()?,
            1 => Scheme::two_plus_three(),
            2 => Scheme::three_heads(self.level(), self.level()).ok()?,
            3 => Scheme::zone_leaders(self.overlay(reg)),
            _ => Scheme::screening_teams(),
        };
        if self.flag() {
            scheme.to_builder().load_limit(Some(u16::from(self.byte() % 4))).build().ok()
        } else {
            Some(scheme)
        }
    }

    fn staff_spec(&mut self, reg: &Registry) -> Option<Staff> {
        let mut qualifications = Qualifications::only(self.pick(&Qualification::ALL));
        if self.flag() {
            qualifications = qualifications.with(self.pick(&Qualification::ALL));
        }
        let name = Name::new(self.pick(&["书记", "民警", "网格员", ""])).ok()?;
        let staff = Staff::new(name, qualifications, self.unit(reg), u16::from(self.byte() % 4)).ok()?;
        staff.available(self.maybe_date(), self.maybe_date()).ok()
    }

    fn target(&mut self, reg: &Registry) -> Target {
        match self.below(3) {
            0 => Target::Unit(self.unit(reg)),
            1 => Target::Cell(self.cell(reg)),
            _ => Target::Person(self.person(reg)),
        }
    }

    /// The next command, or `None` when the bytes are used up.
    pub fn next(&mut self, reg: &Registry) -> Option<Command> {
        if self.at >= self.data.len() {
            return None;
        }
        // Kinds whose fields fail to build (a policy the builder refuses ...) are skipped.
        loop {
            if self.at >= self.data.len() {
                return None;
            }
            if let Some(command) = self.command(reg) {
                return Some(command);
            }
        }
    }

    fn command(&mut self, reg: &Registry) -> Option<Command> {
        Some(match self.below(27) {
            0 => {
                let parent = self.unit(reg);
                let mut unit = self.new_unit();
                if self.byte() < 200
                    && let Ok(p) = reg.tree().unit(parent)
                {
                    // Mostly a child one level down, with a name of its own.
                    let code = unit.code().map(|c| c.as_str().to_owned());
                    unit = NewUnit::new(
                        self.fresh_name(),
                        Level::new(u8::try_from(p.level().index() + 1).unwrap_or(u8::MAX)),
                        self.unit_kind(),
                    );
                    if let Some(code) = code {
                        unit = unit.clone().with_code(&code).unwrap_or(unit);
                    }
                }
                Command::AddUnit { parent, unit }
            }
            1 => Command::MoveUnit { unit: self.unit(reg), new_parent: self.unit(reg) },
            2 => Command::CloseUnit {
                unit: self.unit(reg),
                on: self.date(),
                transfer_to: if self.flag() { Some(self.unit(reg)) } else { None },
            },
            3 => Command::CreateOverlay {
                name: self.fresh_name(),
                kind: self.pick(&[OverlayKind::Zone, OverlayKind::Grid, OverlayKind::Other]),
            },
            4 => Command::AddCell { overlay: self.overlay(reg), name: self.fresh_name(), units: self.units(reg) },
            5 => Command::ExtendCell { cell: self.cell(reg), units: self.units(reg) },
            6 => {
                let door = DoorLabel::new(self.pick(&["1-101", "1-102", "2-201", "平房 5", "", " x "])).ok()?;
                Command::AddHousehold { unit: self.unit(reg), door }
            }
            7 => Command::MoveHousehold { household: self.household(reg), to: self.unit(reg) },
            8 => Command::RegisterPerson {
                household: self.household(reg),
                record: self.record(),
                state: PersonState::new(self.state(), self.date()),
            },
            9 => Command::MovePerson { person: self.person(reg), to: self.household(reg), on: self.date() },
            10 => Command::SetMarkers { person: self.person(reg), markers: self.markers() },
            11 => Command::SetState { person: self.person(reg), state: self.state(), on: self.date() },
            12 => Command::SetColourRule { rule: self.rule(), on: self.date() },
            13 => Command::AdoptPolicy { policy: self.policy_spec()? },
            14 => {
                let on = self.date();
                let anchor = if self.byte() < 220 {
                    on.checked_sub_days(Days::new(u64::from(self.byte() % 12))).unwrap_or(on)
                } else {
                    self.date()
                };
                Command::StartCase {
                    person: self.person(reg),
                    policy: self.policy(reg),
                    category: self.pick(&Category::ALL),
                    anchor,
                    on,
                    // One byte, as before links were stated: odd names a case; even says
                    // there is none, explicitly (bit 1) or not at all.
                    linked: match self.byte() {
                        b if b & 1 == 1 => Some(Link::Case(self.case(reg))),
                        b if b & 2 == 2 => Some(Link::Unlinked),
                        _ => None,
                    },
                }
            }
            15 => match self.active_case(reg) {
                Some((_, case)) => {
                    let anchor = Self::after(case.anchor(), 1 + self.byte() % 6);
                    let on = Self::after(anchor.max(case.settled()), self.byte() % 3);
                    Command::Exposed { person: case.person(), anchor, on }
                }
                None => Command::Exposed { person: self.person(reg), anchor: self.date(), on: self.date() },
            },
            16 => {
                let (person, at) = match self.active_case(reg) {
                    Some((_, case)) => {
                        let day = Self::after(case.started(), self.byte() % 16);
                        (case.person(), day.and_time(NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN)))
                    }
                    None => (self.person(reg), self.datetime()),
                };
                let temperature = Temperature::from_tenths(355 + u16::from(self.byte() % 40)).ok()?;
                Command::RecordCheck { person, at, temperature, symptoms: self.byte() < 16 }
            }
            17 => {
                let (person, on) = match self.active_case(reg) {
                    Some((_, case)) => (case.person(), Self::after(case.started(), self.byte() % 16)),
                    None => (self.person(reg), self.date()),
                };
                Command::RecordTest {
                    person,
                    on,
                    result: if self.byte() < 32 { TestResult::Positive } else { TestResult::Negative },
                }
            }
            18 => match self.active_case(reg) {
                Some((id, case)) => Command::Release { case: id, on: Self::after(case.anchor(), 5 + self.byte() % 20) },
                None => Command::Release { case: self.case(reg), on: self.date() },
            },
            19 => Command::OpenDay { today: self.date() },
            20 => Command::AddStaff { staff: self.staff_spec(reg)? },
            21 => {
                let staff = self.staff(reg);
                let availability = Availability::from_bounds(self.maybe_date(), self.maybe_date());
                Command::SetAvailability { staff, availability }
            }
            22 => Command::AdoptScheme { scheme: self.scheme_spec(reg)? },
            23 => {
                let (scheme, on) = (self.scheme(reg), self.date());
                // Mostly a gap of the scheme's roster, filled by someone who may hold it.
                let gaps = reg.duty_coverage(scheme, reg.root(), on).map(|c| c.gaps).unwrap_or_default();
                if gaps.is_empty() || self.byte() >= 220 {
                    let (target, role, staff) = (self.target(reg), self.pick(&Role::ALL), self.staff(reg));
                    Command::Assign { scheme, target, role, staff, on }
                } else {
                    let gap = self.pick(&gaps);
                    let eligible: Vec<StaffId> = (0..reg.staff_pool().len())
                        .filter(|&i| reg.staff_pool()[i].is_eligible(gap.role))
                        .filter_map(|i| u32::try_from(i).ok().map(StaffId::new))
                        .collect();
                    let staff = if eligible.is_empty() { self.staff(reg) } else { self.pick(&eligible) };
                    Command::Assign { scheme, target: gap.target, role: gap.role, staff, on }
                }
            }
            24 => {
                let (scheme, on) = (self.scheme(reg), self.date());
                // Mostly an assignment the roster holds.
                let held = reg.roster(scheme).map(|r| r.assignments().to_vec()).unwrap_or_default();
                if held.is_empty() || self.byte() >= 220 {
                    let (target, role, staff) = (self.target(reg), self.pick(&Role::ALL), self.staff(reg));
                    Command::Unassign { scheme, target, role, staff, on }
                } else {
                    let a = self.pick(&held);
                    Command::Unassign { scheme, target: a.target, role: a.role, staff: a.staff, on }
                }
            }
            25 => Command::Solve { scheme: self.scheme(reg), on: self.date(), balanced: self.flag() },
            _ => Command::Replace { scheme: self.scheme(reg), leaving: self.staff(reg), on: self.date() },
        })
    }
}
