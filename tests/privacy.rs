//! Personal data never shows (issue 7 §4): random registries whose persons and staff carry
//! random names (Chinese and Latin), phones, resident identity numbers (valid check characters)
//! and passports; commands that carry them, accepted and refused because of them; and a scan
//! of every string a host might show for any trace of them.
//!
//! **What is shown**: `Debug` (plain and `{:#?}`) of the registry, its snapshot, every command
//! sent, every event, every error (and `Display` of every error and of each of its sources),
//! and the JSON of every typed error (a host sends it, as `examples/host.rs` does); `Debug` of
//! every household, person, record, staff member, case and schedule, scopes, agendas, duty
//! coverage, who is responsible for every unit, household and person, replacement proposals and audit findings;
//! and every unit's courtyard map rendered as SVG, text and ANSI. Errors come from refused
//! commands (a duplicate identity number or passport 一人一档, an unknown household, a
//! registration through a scope that does not reach the household, a staff member's unknown
//! home), tampered events (a wrong id), a replayed log registering a person twice, a tampered
//! snapshot, the constructors given damaged personal data (a wrong check character, a control
//! character, a letter in a phone, a lowercase passport ...) and serde reading the same
//! damaged data.
//!
//! **What is not**: the event log and snapshots serialised are the host's persistence and
//! hold personal data in full, by design; serde output is not scanned (serde *errors* are).
//! Door labels are not personal data: the courtyard map posted at the gate shows them.
//!
//! **The rule for a leak** (everything compared case-insensitively, each shown string on its
//! own):
//! - a Chinese name: any two consecutive characters of it (names are drawn from characters
//!   found nowhere in the crate's sources, so any pair of them can only come from a name);
//! - a Latin name ("Given Family", each part of 8 to 10 letters): any 8 consecutive characters;
//! - a phone: any 7 consecutive characters of it as given (separators included), or 7
//!   consecutive digits of it with the separators removed; showing up to 6 digits (the last
//!   four, say) is tolerated;
//! - a resident identity number: any 8 consecutive characters (so its last 8 digits, its birth
//!   date written `YYYYMMDD`, or area code and year together);
//! - a passport number: any 6 consecutive characters (the issuing country is not secret).
//!
//! The random parts of phones and the given names' letters are drawn so that the windows
//! cannot plausibly occur by chance in what the crate prints (phone digits after the prefix
//! are 3 to 9, where dates and ids are full of 0, 1 and 2).

#[path = "support/proptest_config.rs"]
mod proptest_config;
use std::collections::{HashMap, HashSet};
use std::fmt::{Debug, Display};

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use wangge::colour::{PersonState, State};
use wangge::duty::{Availability, Qualification, Qualifications, Scheme, Staff};
use wangge::grid::{CompoundKind, LevelScheme, NewUnit, UnitKind};
use wangge::people::{DoorLabel, Marker, Name, Passport, PersonRecord, Phone, ResidentId};
use wangge::quarantine::{Category, Policy, Temperature, TestResult};
use wangge::{Command, Error, Event, HouseholdId, PersonId, Registry, Snapshot, StaffId, UnitId};

// ---------------------------------------------------------------------------------------------
// Secrets and the scan
// ---------------------------------------------------------------------------------------------

/// Surnames and given-name characters: none of them occurs anywhere in `src/` (checked when
/// this test was written), so that two of them side by side can only come from a name.
const SURNAMES: &str = "赵钱孙周吴冯陈褚蒋沈韩杨朱秦尤许何吕施孔曹严金魏陶姜戚谢邹";
const GIVEN: &str =
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞刚桂淑兰萍玉婷宇浩鹏辉波斌鑫琳蕾倩薇翔峰瑶怡璐晨曦昊轩梓涵睿泽彤";

/// The personal data of one person or staff member, as generated.
#[derive(Clone, Debug)]
struct Secrets {
    name: Option<String>,
    phone: Option<String>,
    resident: Option<ResidentId>,
    passport: Option<(String, String)>,
}

/// Every window of `k` characters of `text`, lowercased.
fn windows(text: &str, k: usize) -> Vec<Vec<char>> {
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    chars.windows(k).map(<[char]>::to_vec).collect()
}

/// The multiplier of the rolling hash that finds candidate windows.
const BASE: u64 = 0x0100_0000_01b3;

/// The rolling hash of a window.
fn hash(window: &[char]) -> u64 {
    window.iter().fold(0u64, |h, &c| h.wrapping_mul(BASE).wrapping_add(u64::from(c)))
}

/// The windows whose appearance is a leak, by length, each with what it comes from. A scan
/// rolls a hash over each shown string and looks closer only where it meets a needle's.
#[derive(Default)]
struct Needles {
    by_len: HashMap<usize, Windows>,
}

/// The needles of one length: exact windows with their labels, and their hashes sorted.
#[derive(Default)]
struct Windows {
    exact: HashMap<Vec<char>, String>,
    hashes: Vec<u64>,
}

impl Needles {
    fn add(&mut self, label: &str, text: &str, k: usize) {
        assert!(text.chars().count() >= k, "{label} is shorter than its window");
        let set = self.by_len.entry(k).or_default();
        for w in windows(text, k) {
            set.hashes.push(hash(&w));
            set.exact.insert(w, label.to_owned());
        }
        set.hashes.sort_unstable();
        set.hashes.dedup();
    }

    fn add_secrets(&mut self, who: &str, s: &Secrets) {
        if let Some(name) = &s.name {
            let chinese = name.chars().all(|c| !c.is_ascii());
            self.add(&format!("{who}'s name"), name, if chinese { 2 } else { 8 });
        }
        if let Some(phone) = &s.phone {
            self.add(&format!("{who}'s phone"), phone, 7);
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            self.add(&format!("{who}'s phone digits"), &digits, 7);
        }
        if let Some(id) = s.resident {
            self.add(&format!("{who}'s identity number"), &id.reveal(), 8);
        }
        if let Some((_, number)) = &s.passport {
            self.add(&format!("{who}'s passport"), number, 6);
        }
    }

    /// The first leak in `shown`, described.
    fn leak(&self, shown: &str) -> Option<String> {
        let chars: Vec<char> = shown.to_lowercase().chars().collect();
        for (&k, set) in &self.by_len {
            if chars.len() < k {
                continue;
            }
            let top = (1..k).fold(1u64, |p, _| p.wrapping_mul(BASE));
            let mut h = hash(&chars[..k]);
            for at in 0..=chars.len() - k {
                if at > 0 {
                    let out = u64::from(chars[at - 1]).wrapping_mul(top);
                    h = h.wrapping_sub(out).wrapping_mul(BASE).wrapping_add(u64::from(chars[at + k - 1]));
                }
                if set.hashes.binary_search(&h).is_err() {
                    continue;
                }
                let w = &chars[at..at + k];
                if let Some(label) = set.exact.get(w) {
                    let from = at.saturating_sub(40);
                    let context: String = chars[from..(at + k + 40).min(chars.len())].iter().collect();
                    return Some(format!("{label} ({:?}) in …{context}…", w.iter().collect::<String>()));
                }
            }
        }
        None
    }
}

/// Everything shown on the way, each string on its own.
#[derive(Default)]
struct Shown(Vec<String>);

impl Shown {
    fn debug(&mut self, value: &impl Debug) {
        self.0.push(format!("{value:?}"));
        self.0.push(format!("{value:#?}"));
    }

    fn error(&mut self, e: &impl std::error::Error) {
        self.debug(e);
        self.0.push(e.to_string());
        let mut source = e.source();
        while let Some(s) = source {
            self.0.push(s.to_string());
            self.0.push(format!("{s:?}"));
            source = s.source();
        }
    }

    fn display(&mut self, value: &impl Display) {
        self.0.push(value.to_string());
    }

    /// An error a host may also send as JSON (as `examples/host.rs` does).
    fn typed_error(&mut self, e: &(impl std::error::Error + serde::Serialize)) {
        self.error(e);
        self.0.push(serde_json::to_string(e).expect("errors serialise"));
    }

    /// A result, whichever it is.
    fn result<T: Debug>(&mut self, r: &Result<T, Error>) {
        match r {
            Ok(v) => self.debug(v),
            Err(e) => self.typed_error(e),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Random personal data
// ---------------------------------------------------------------------------------------------

fn chinese_name() -> impl Strategy<Value = String> {
    let surnames: Vec<char> = SURNAMES.chars().collect();
    let given: Vec<char> = GIVEN.chars().collect();
    (proptest::sample::select(surnames), proptest::collection::vec(proptest::sample::select(given), 1..=2))
        .prop_map(|(s, g)| std::iter::once(s).chain(g).collect())
}

fn latin_name() -> impl Strategy<Value = String> {
    "[A-Z][a-z]{7,9} [A-Z][a-z]{7,9}"
}

fn phone() -> impl Strategy<Value = String> {
    prop_oneof![
        "1[3-9][3-9]{9}",
        "\\+86 1[3-9][3-9] [3-9]{4} [3-9]{4}",
        "\\+86-1[3-9][3-9]-[3-9]{4}-[3-9]{4}",
        "0371-[3-9]{8}",
    ]
}

fn resident_id() -> impl Strategy<Value = ResidentId> {
    (110_000u32..660_000, 1930i32..2016, 1u32..=365, 0u16..1000).prop_map(|(area, year, day, seq)| {
        let birth = NaiveDate::from_yo_opt(year, day).expect("days 1 to 365 exist every year");
        ResidentId::from_parts(area, birth, seq).expect("valid parts")
    })
}

fn passport() -> impl Strategy<Value = (String, String)> {
    (proptest::sample::select(vec!["DEU", "FRA", "USA", "KOR", "GBR"]), "[A-Z][A-Z0-9]{8}")
        .prop_map(|(c, n)| (c.to_owned(), n))
}

fn secrets() -> impl Strategy<Value = Secrets> {
    (
        prop_oneof![Just(None), chinese_name().prop_map(Some), latin_name().prop_map(Some)],
        proptest::option::weighted(0.8, phone()),
        proptest::option::weighted(0.85, resident_id()),
        proptest::option::weighted(0.25, passport()),
    )
        .prop_map(|(name, phone, resident, passport)| Secrets { name, phone, resident, passport })
}

/// A person to register: their data, a household pick, markers, whether they start a case.
#[derive(Clone, Debug)]
struct PersonSpec {
    secrets: Secrets,
    household: usize,
    markers: u8,
    case: u8,
}

fn person() -> impl Strategy<Value = PersonSpec> {
    (secrets(), any::<usize>(), any::<u8>(), any::<u8>()).prop_map(|(secrets, household, markers, case)| PersonSpec {
        secrets,
        household,
        markers,
        case,
    })
}

fn record_of(s: &Secrets, markers: u8) -> PersonRecord {
    let mut r = PersonRecord::new();
    if let Some(n) = &s.name {
        r = r.with_name(Name::new(n).expect("generated names are valid"));
    }
    if let Some(p) = &s.phone {
        r = r.with_phone(Phone::new(p).expect("generated phones are valid"));
    }
    if let Some(id) = s.resident {
        r = r.with_resident_id(id);
    }
    if let Some((c, n)) = &s.passport {
        r = r.with_passport(Passport::new(c, n).expect("generated passports are valid"));
    }
    for (i, m) in Marker::ALL.iter().enumerate() {
        if markers & (1 << i) != 0 {
            r = r.with_marker(*m);
        }
    }
    r
}

// ---------------------------------------------------------------------------------------------
// The registry
// ---------------------------------------------------------------------------------------------

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).expect("a real date")
}

fn at(date: NaiveDate, hour: u32) -> NaiveDateTime {
    date.and_hms_opt(hour, 0, 0).expect("a real time")
}

/// Build and drive a registry from the generated data, showing everything on the way.
struct Run {
    reg: Registry,
    log: Vec<Event>,
    shown: Shown,
}

impl Run {
    /// Send a command (showing it, and its events or its error); the events join the log.
    fn send(&mut self, command: Command) -> Option<Vec<Event>> {
        self.shown.debug(&command);
        let result = self.reg.apply(command);
        self.shown.result(&result);
        let events = result.ok()?;
        self.log.extend(events.iter().cloned());
        Some(events)
    }

    /// Send through a scope.
    fn send_within(&mut self, roots: &[UnitId], command: Command) -> Option<Vec<Event>> {
        self.shown.debug(&command);
        let result = self.reg.apply_within(roots, command);
        self.shown.result(&result);
        let events = result.ok()?;
        self.log.extend(events.iter().cloned());
        Some(events)
    }
}

fn run(persons: &[PersonSpec], staff: &[Secrets], courtyards: usize) -> Shown {
    let scheme = LevelScheme::zhengzhou();
    let lv = |n: &str| scheme.level(n).expect("a Zhengzhou level");
    let reg = Registry::new(scheme.clone(), NewUnit::new("花园路街道", lv("街道"), UnitKind::Area)).expect("a root");
    let log = vec![reg.founding_event()];
    let mut r = Run { reg, log, shown: Shown::default() };
    let root = r.reg.root();

    // Two communities, courtyards in each, a household or two in each courtyard.
    let mut communities = Vec::new();
    for name in ["农科路社区", "丰产路社区"] {
        let unit = NewUnit::new(name, lv("社区"), UnitKind::Area);
        let events = r.send(Command::AddUnit { parent: root, unit }).expect("a community");
        communities.push(events[0].new_unit().expect("a unit"));
    }
    let mut yards = Vec::new();
    for i in 0..courtyards {
        let unit = NewUnit::new(format!("{}号院", i + 3), lv("楼院"), UnitKind::Compound(CompoundKind::WorkUnit));
        let parent = communities[i % 2];
        let events = r.send(Command::AddUnit { parent, unit }).expect("a courtyard");
        yards.push(events[0].new_unit().expect("a unit"));
    }
    let mut households: Vec<HouseholdId> = Vec::new();
    for (i, &yard) in yards.iter().enumerate() {
        for door in 0..=(i % 2) {
            let door = DoorLabel::new(&format!("{}-{}01", i + 1, door + 1)).expect("a door");
            let events = r.send(Command::AddHousehold { unit: yard, door }).expect("a household");
            households.push(events[0].new_household().expect("a household"));
        }
    }

    // The persons, and a second registration of each number and passport (一人一档).
    let mut registered: Vec<(PersonId, &PersonSpec)> = Vec::new();
    for p in persons {
        let household = households[p.household % households.len()];
        let record = record_of(&p.secrets, p.markers);
        r.shown.debug(&record);
        let state = PersonState::well(day(1));
        if let Some(events) = r.send(Command::RegisterPerson { household, record: record.clone(), state }) {
            registered.push((events[0].new_person().expect("a person"), p));
            if p.secrets.resident.is_some() || p.secrets.passport.is_some() {
                let again = households[(p.household + 1) % households.len()];
                assert!(r.send(Command::RegisterPerson { household: again, record: record.clone(), state }).is_none());
            }
        }
        // Into a household that does not exist, and through a scope that does not reach it.
        let unknown = HouseholdId::new(households.len() as u32 + 7);
        assert!(r.send(Command::RegisterPerson { household: unknown, record: record.clone(), state }).is_none());
        let unit = r.reg.household(household).expect("registered").unit();
        let elsewhere = if r.reg.tree().is_within(unit, communities[0]).expect("known") { 1 } else { 0 };
        let through = [communities[elsewhere]];
        assert!(r.send_within(&through, Command::RegisterPerson { household, record, state }).is_none());
    }

    // Staff with names and phones of their own; one with a home that does not exist.
    let quals = [Qualification::PartySecretary, Qualification::Police, Qualification::HealthWorker];
    let mut members: Vec<StaffId> = Vec::new();
    for (i, s) in staff.iter().enumerate() {
        let name = s.name.clone().unwrap_or_else(|| "王书记".to_owned());
        let home = [root, communities[0], communities[1]][i % 3];
        let member = Staff::new(Name::new(&name).expect("valid"), Qualifications::only(quals[i % 3]), home, 3)
            .expect("a staff member");
        r.shown.debug(&member);
        if let Some(events) = r.send(Command::AddStaff { staff: member.clone() }) {
            members.push(events[0].new_staff().expect("a staff member"));
        }
        let nowhere = Staff::new(Name::new(&name).expect("valid"), Qualifications::EMPTY, UnitId::new(999), 1)
            .expect("checked on adding");
        assert!(r.send(Command::AddStaff { staff: nowhere }).is_none());
    }
    let six = Scheme::six_cover_one(lv("社区"), lv("街道"), None).expect("a preset");
    let six = r.send(Command::AdoptScheme { scheme: six }).expect("adopted")[0].new_scheme().expect("a scheme");
    let two = r.send(Command::AdoptScheme { scheme: Scheme::two_plus_three() }).expect("adopted")[0]
        .new_scheme()
        .expect("a scheme");

    // Cases: arrivals at home, close contacts; fevers, tests, the daily round.
    let arrival = r.send(Command::AdoptPolicy { policy: Policy::seed_shanghai_2020() }).expect("adopted")[0]
        .new_policy()
        .expect("a policy");
    let close = r.send(Command::AdoptPolicy { policy: Policy::cn_ed9_close_contact() }).expect("adopted")[0]
        .new_policy()
        .expect("a policy");
    for &(person, spec) in &registered {
        let (policy, category) = match spec.case % 4 {
            0 => continue,
            1 | 2 => (arrival, Category::ArrivalFromEpidemicArea),
            _ => (close, Category::CloseContact),
        };
        let start = Command::StartCase { person, policy, category, anchor: day(1), on: day(2), linked: None };
        if r.send(start).is_none() {
            continue;
        }
        match spec.case % 8 {
            2 => {
                let temperature = Temperature::from_tenths(385).expect("a temperature");
                r.send(Command::RecordCheck { person, at: at(day(3), 8), temperature, symptoms: true });
            }
            3 => {
                r.send(Command::RecordTest { person, on: day(3), result: TestResult::Positive });
            }
            5 => {
                r.send(Command::SetState { person, state: State::Confirmed, on: day(3) });
            }
            _ => {}
        }
    }
    for &(person, spec) in &registered {
        if spec.case % 5 == 4 {
            r.send(Command::MovePerson { person, to: households[0], on: day(4) });
        }
    }
    r.send(Command::Solve { scheme: six, on: day(4), balanced: false });
    r.send(Command::Solve { scheme: two, on: day(4), balanced: true });
    r.send(Command::OpenDay { today: day(5) });
    if let Some(&leaving) = members.first() {
        r.send(Command::SetAvailability { staff: leaving, availability: Availability::Until(day(5)) });
        let proposal = r.reg.replacement(six, leaving, day(6));
        r.shown.result(&proposal);
        r.send(Command::Replace { scheme: six, leaving, on: day(6) });
    }
    r.send(Command::OpenDay { today: day(20) });

    show_everything(&mut r, &registered, &households, &[six, two]);
    damaged_input(&mut r, persons, staff, &registered);
    r.shown
}

/// Every read a host might show.
fn show_everything(
    r: &mut Run,
    registered: &[(PersonId, &PersonSpec)],
    households: &[HouseholdId],
    schemes: &[wangge::SchemeId],
) {
    let reg = &r.reg;
    let shown = &mut r.shown;
    shown.debug(reg);
    shown.debug(&reg.snapshot());
    shown.debug(reg.population());
    for e in &r.log {
        shown.debug(e);
    }
    shown.debug(&Event::colour_changes_since(&r.log, day(1)));
    for d in [day(3), day(5), day(6), day(20)] {
        shown.debug(&reg.agenda(d));
    }
    for u in reg.tree().ids() {
        match reg.map(u, day(6)) {
            Ok(map) => {
                shown.0.push(map.to_svg());
                shown.0.push(map.to_text());
                shown.0.push(map.to_ansi());
                shown.debug(&map);
            }
            Err(e) => shown.error(&e),
        }
        shown.result(&reg.tally(u));
        shown.debug(&reg.scope(&[u]));
        for &s in schemes {
            shown.result(&reg.duty_coverage(s, u, day(6)));
        }
        shown.result(&reg.responsible_for(u, day(6)));
    }
    for &h in households {
        shown.result(&reg.household(h));
        shown.result(&reg.responsible_for(h, day(6)));
    }
    for &(p, _) in registered {
        shown.result(&reg.person(p));
        shown.result(&reg.state(p));
        shown.debug(&reg.person(p).map(|p| p.record()));
        shown.result(&reg.responsible_for(p, day(6)));
    }
    for (id, case) in reg.cases() {
        shown.debug(case);
        shown.result(&reg.schedule(id));
    }
    for member in reg.staff_pool() {
        shown.debug(member);
    }
    for &s in schemes {
        shown.result(&reg.roster(s));
    }
    for finding in reg.audit() {
        shown.debug(&finding);
        shown.display(&finding);
    }
}

/// The same secrets, damaged: constructors, serde and tampered logs and snapshots refuse them,
/// and their errors are shown.
fn damaged_input(r: &mut Run, persons: &[PersonSpec], staff: &[Secrets], registered: &[(PersonId, &PersonSpec)]) {
    let all = persons.iter().map(|p| &p.secrets).chain(staff);
    for s in all {
        if let Some(name) = &s.name {
            for bad in [format!("{name}\u{7}"), format!("\u{0}{name}"), name.repeat(40)] {
                let e = Name::new(&bad).expect_err("damaged");
                r.shown.typed_error(&e);
                let json = serde_json::to_string(&bad).expect("a string");
                r.shown.error(&serde_json::from_str::<Name>(&json).expect_err("damaged"));
            }
        }
        if let Some(phone) = &s.phone {
            for bad in [format!("{phone}x"), format!("{phone}\u{1b}"), format!("{phone}{phone}")] {
                r.shown.typed_error(&Phone::new(&bad).expect_err("damaged"));
                let json = serde_json::to_string(&bad).expect("a string");
                r.shown.error(&serde_json::from_str::<Phone>(&json).expect_err("damaged"));
            }
        }
        if let Some(id) = s.resident {
            let text = id.reveal();
            let (first17, check) = text.split_at(17);
            let other = if check == "0" { "1" } else { "0" };
            let flipped = format!("{first17}{other}");
            for bad in
                [flipped, format!("{text}1"), text[..16].to_owned(), format!("{first17}x"), format!("A{}", &text[1..])]
            {
                r.shown.typed_error(&ResidentId::parse(&bad).expect_err("damaged"));
                let json = serde_json::to_string(&bad).expect("a string");
                r.shown.error(&serde_json::from_str::<ResidentId>(&json).expect_err("damaged"));
                // A record and an event carrying it are refused as a whole.
                let record = serde_json::json!({ "resident_id": bad });
                if let Err(e) = serde_json::from_value::<PersonRecord>(record) {
                    r.shown.error(&e);
                }
            }
        }
        if let Some((country, number)) = &s.passport {
            let lower = number.to_lowercase();
            for (c, n) in
                [(country.as_str(), lower.as_str()), (country.as_str(), &number[..3]), ("de", number.as_str())]
            {
                r.shown.typed_error(&Passport::new(c, n).expect_err("damaged"));
                let json = serde_json::json!({ "country": c, "number": n });
                r.shown.error(&serde_json::from_value::<Passport>(json).expect_err("damaged"));
            }
        }
    }

    // A log event re-sent with another id, or twice: refused.
    let registrations: Vec<Event> =
        r.log.iter().filter(|e| matches!(e, Event::PersonRegistered { .. })).cloned().collect();
    for event in &registrations {
        let e = r.reg.apply_event(event).expect_err("applied already");
        r.shown.typed_error(&e);
        let mut moved = event.clone();
        if let Event::PersonRegistered { person, .. } = &mut moved {
            *person = PersonId::new(person.get() + 1000);
        }
        r.shown.typed_error(&r.reg.apply_event(&moved).expect_err("a wrong id"));
        // The event as JSON with a damaged phone or number: refused by serde.
        let mut json = serde_json::to_value(event).expect("an event serialises");
        damage(&mut json);
        if let Err(e) = serde_json::from_value::<Event>(json) {
            r.shown.error(&e);
        }
    }
    // A log that registers someone twice does not replay, and says where.
    if let Some((first, _)) = registered.iter().find(|(_, s)| s.secrets.resident.is_some()) {
        let mut log = r.log.clone();
        let at = log.iter().position(|e| e.new_person() == Some(*first)).expect("logged");
        let mut twice = log[at].clone();
        if let Event::PersonRegistered { person, .. } = &mut twice {
            *person = PersonId::new(person.get() + 1);
        }
        log.insert(at + 1, twice);
        r.shown.typed_error(&Registry::replay(&log).expect_err("registered twice"));
        // A snapshot that holds the person twice does not load.
        let mut json = serde_json::to_value(r.reg.snapshot()).expect("a snapshot serialises");
        assert!(duplicate_first_person(&mut json), "a snapshot lists its persons");
        let snapshot = serde_json::from_value::<Snapshot>(json).expect("well formed");
        r.shown.typed_error(&Registry::from_snapshot(snapshot).expect_err("one person, one file"));
    }
}

/// Damage every phone and identity number in a JSON value: a letter appended.
fn damage(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if let ("phone" | "resident_id", serde_json::Value::String(s)) = (key.as_str(), &mut *value) {
                    s.push('q');
                } else {
                    damage(value);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(damage),
        _ => {}
    }
}

/// Append a copy of the first person of the first non-empty `persons` array found.
fn duplicate_first_person(v: &mut serde_json::Value) -> bool {
    match v {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Array(persons)) = map.get_mut("persons")
                && let Some(first) = persons.first().cloned()
            {
                persons.push(first);
                return true;
            }
            map.values_mut().any(duplicate_first_person)
        }
        serde_json::Value::Array(items) => items.iter_mut().any(duplicate_first_person),
        _ => false,
    }
}

fn check(persons: &[PersonSpec], staff: &[Secrets], courtyards: usize) -> Result<(), TestCaseError> {
    let mut needles = Needles::default();
    for (i, p) in persons.iter().enumerate() {
        needles.add_secrets(&format!("person {i}"), &p.secrets);
    }
    for (i, s) in staff.iter().enumerate() {
        needles.add_secrets(&format!("staff {i}"), s);
    }
    let shown = run(persons, staff, courtyards);
    prop_assert!(shown.0.len() > 100, "too little shown: {}", shown.0.len());
    for text in &shown.0 {
        if let Some(leak) = needles.leak(text) {
            return Err(TestCaseError::fail(format!("leak: {leak}")));
        }
    }
    Ok(())
}

/// 64 cases unless `PROPTEST_CASES` says otherwise; failures are kept in
/// `proptest-regressions/privacy.txt`.
fn config() -> ProptestConfig {
    proptest_config::persisted("proptest-regressions/privacy.txt", 64)
}

proptest! {
    #![proptest_config(config())]

    /// No name, phone, identity number or passport number of anyone shows anywhere.
    #[test]
    fn personal_data_never_shows(
        persons in proptest::collection::vec(person(), 1..10),
        staff in proptest::collection::vec(secrets(), 0..4),
        courtyards in 2usize..5,
    ) {
        check(&persons, &staff, courtyards)?;
    }
}

/// The scan itself finds what it looks for: a shown string holding any part of a secret the
/// rule names is a leak, one holding only what the rule tolerates is not.
#[test]
fn the_scan_finds_partial_leaks() {
    let id = ResidentId::parse("11010519491231002X").expect("valid");
    let s = Secrets {
        name: Some("Abcdefgh Ijklmnopq".to_owned()),
        phone: Some("+86 139-5678-9345".to_owned()),
        resident: Some(id),
        passport: Some(("DEU".to_owned(), "C01X00T47".to_owned())),
    };
    let mut needles = Needles::default();
    needles.add_secrets("p", &s);
    for leaked in ["name: ABCDEFGH", "ijklmnop", "tel 13956789", "+86 139-5", "…1231002x", "19491231", "C01X00"] {
        assert!(needles.leak(leaked).is_some(), "{leaked} not found");
    }
    for fine in ["Name(<redacted>)", "****9345", "Passport { country: \"DEU\", number: <redacted> }", "1949-12-31"] {
        assert_eq!(needles.leak(fine), None, "{fine}");
    }
    let mut needles = Needles::default();
    needles.add_secrets("q", &Secrets { name: Some("赵伟".to_owned()), phone: None, resident: None, passport: None });
    assert!(needles.leak("(赵伟)").is_some());
    assert_eq!(needles.leak("赵 伟"), None);
    // The pools are disjoint from each other, so a name's pair can only be a name's.
    let surnames: HashSet<char> = SURNAMES.chars().collect();
    assert!(GIVEN.chars().all(|c| !surnames.contains(&c)));
}
