//! The host service of `examples/host.rs`, driven end to end through its `serve` loop, as a
//! service developer would run it: requests in as JSON lines, events and reports out, every
//! command's record in the host's store (`wangge-store`, SQLite), and a restart that rebuilds
//! the registry from that store alone.
//!
//! Every test keeps its own store in the temporary directory and removes it at the end.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use wangge::people::PeopleError;
use wangge::registry::ScopeItem;
use wangge::{Error, Event, HouseholdId, PersonId, Record, Registry, RegistryError, UnitId};

/// The host example itself, shared rather than copied.
#[path = "../examples/host.rs"]
#[allow(dead_code)] // the command line and `main` are not used here
mod host;

use host::{Host, HostError, Query, Report, Request, Response, User, serve};
use wangge_store::{SqliteStore, Store, StoreError};

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/// A store directory of this test's own, removed on drop.
struct Files {
    dir: PathBuf,
}

impl Files {
    fn new(test: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("wangge-host-test-{}-{test}-{n}.store", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        Files { dir }
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// The sample session's request lines.
fn sample() -> Vec<String> {
    host::sample_lines().expect("the sample is valid")
}

/// Serve raw input and return the output lines.
fn serve_bytes(host: &mut Host, input: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    serve(host, input, &mut out).expect("the host itself does not fail");
    String::from_utf8(out).expect("the output is UTF-8").lines().map(str::to_owned).collect()
}

/// Serve request lines and return the output lines.
fn serve_lines(host: &mut Host, lines: &[String]) -> Vec<String> {
    serve_bytes(host, lines.join("\n").as_bytes())
}

/// Parse output lines and group them per request: each group ends with its one final line.
fn answers(output: &[String]) -> Vec<Vec<Response>> {
    let mut groups = vec![Vec::new()];
    for line in output {
        let response: Response =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a response line: {e}\n{line}"));
        let last = groups.last_mut().expect("there is always an open group");
        let is_final = response.is_final();
        last.push(response);
        if is_final {
            groups.push(Vec::new());
        }
    }
    let open = groups.pop().expect("there is always an open group");
    assert!(open.is_empty(), "the output ends with events and no final line: {open:?}");
    groups
}

/// The one response of a request answered by a single line.
fn only(output: Vec<String>) -> Response {
    let mut groups = answers(&output);
    assert_eq!(groups.len(), 1, "one request, one answer: {output:?}");
    let mut group = groups.remove(0);
    assert_eq!(group.len(), 1, "a single line: {output:?}");
    group.remove(0)
}

/// The typed error of a refusal.
fn refusal(response: Response) -> Option<Error> {
    match response {
        Response::Error(refusal) => {
            assert!(!refusal.message.is_empty());
            refusal.detail
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn report(response: Response) -> Report {
    match response {
        Response::Report(report) => *report,
        other => panic!("expected a report, got {other:?}"),
    }
}

fn query_line(query: Query, scope: &[u32]) -> String {
    let user = User { scope: scope.iter().copied().map(UnitId::new).collect() };
    serde_json::to_string(&Request::Query { query, user }).expect("a request encodes")
}

fn ask(host: &mut Host, query: Query, scope: &[u32]) -> Response {
    only(serve_lines(host, &[query_line(query, scope)]))
}

/// A write reaching outside the user's scope.
fn outside(item: ScopeItem) -> Option<Error> {
    Some(Error::Registry(RegistryError::OutsideScope { item }))
}

/// A read of something outside the user's scope: answered as if it did not exist.
fn unknown(item: ScopeItem) -> Option<Error> {
    Some(match item {
        ScopeItem::Unit(unit) => Error::Grid(wangge::grid::GridError::UnknownUnit { unit }),
        ScopeItem::Household(household) => Error::People(PeopleError::UnknownHousehold { household }),
        ScopeItem::Person(person) => Error::People(PeopleError::UnknownPerson { person }),
        ScopeItem::Cell(cell) => Error::Grid(wangge::grid::GridError::UnknownCell { cell }),
        ScopeItem::Staff(staff) => Error::Duty(wangge::duty::DutyError::UnknownStaff { staff }),
    })
}

fn february(day: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2020, 2, day).expect("a February date")
}

/// The store's records, read beside its writer (if any).
fn read_records(dir: &Path) -> Vec<Record> {
    let store = SqliteStore::reader(dir).expect("the store is readable");
    let mut all = Vec::new();
    store
        .read(0, &mut |r| {
            all.push(r);
            Ok(())
        })
        .expect("the records read");
    all
}

/// The events of the store's records, in order.
fn read_log(dir: &Path) -> Vec<Event> {
    read_records(dir).into_iter().flat_map(Record::into_events).collect()
}

/// A host that has served the sample session.
fn after_sample(files: &Files) -> Host {
    let mut host = Host::open(&files.dir, None).expect("a new store opens");
    serve_lines(&mut host, &sample());
    host
}

/// Queries across the sample's units and dates, for comparing hosts.
fn queries() -> Vec<String> {
    let today = february(3);
    let mut lines = Vec::new();
    for scope in [&[0][..], &[1], &[2], &[1, 2], &[3]] {
        lines.push(query_line(Query::Totals, scope));
        lines.push(query_line(Query::Agenda { date: today }, scope));
        for unit in 0..5 {
            lines.push(query_line(Query::Tally { unit: UnitId::new(unit) }, scope));
            lines.push(query_line(Query::Map { unit: UnitId::new(unit), date: today }, scope));
        }
        lines.push(query_line(Query::DutyCoverage { scheme: wangge::SchemeId::new(0), date: today }, scope));
        for household in 0..3 {
            let subject = wangge::registry::Subject::Household(HouseholdId::new(household));
            lines.push(query_line(Query::ResponsibleFor { subject, date: today }, scope));
        }
    }
    lines
}

// ---------------------------------------------------------------------------------------------
// Commands in, events out
// ---------------------------------------------------------------------------------------------

#[test]
fn every_request_is_answered_and_every_event_is_logged_as_written() {
    let files = Files::new("events");
    let mut host = Host::open(&files.dir, None).expect("a new store opens");
    assert_eq!(host.registry(), None, "nothing before the founding request");
    let requests = sample();
    let output = serve_lines(&mut host, &requests);
    let groups = answers(&output);
    assert_eq!(groups.len(), requests.len(), "one final line per request");

    // Each event line is an `Event` as wangge writes it, and re-encodes to the same text.
    let mut emitted = Vec::new();
    for line in &output {
        let value: serde_json::Value = serde_json::from_str(line).expect("JSON");
        if let Some(event) = value.get("event") {
            let event: Event = serde_json::from_value(event.clone()).expect("a valid Event");
            assert_eq!(serde_json::to_string(&event).expect("encodes"), event_text(line));
            emitted.push(event);
        }
    }

    // Each applied command reports its events and the log's length in records (one record a
    // command, a quiet day's round included), which only grows.
    let (mut logged, mut applied) = (0, 0);
    for group in &groups {
        if let Some(Response::Applied { events, logged: now }) = group.last() {
            assert_eq!(*events, group.len() - 1);
            assert_eq!(*now, logged + 1);
            (logged, applied) = (*now, applied + 1);
        }
    }
    assert_eq!(logged, applied);
    assert_eq!(host.logged(), applied);

    // The log holds exactly what was emitted, in order, one record a command, and replays
    // record by record into the registry, its head included.
    let records = read_records(&files.dir);
    assert_eq!(records.len() as u64, applied);
    let log = read_log(&files.dir);
    assert_eq!(log, emitted);
    assert!(matches!(log[0], Event::Founded { .. }));
    let registry = host.registry().expect("founded");
    let replayed = Registry::replay_records(&records).expect("the log replays");
    assert_eq!(&replayed, registry);
    assert_eq!(replayed.head(), registry.head());
    assert_eq!(&Registry::replay(&log).expect("its events replay"), registry);
    assert!(registry.audit().is_empty());

    // The sample's three refusals: one person one file, a household added outside the
    // secretary's scope, and the map of a courtyard outside it.
    let refusals: Vec<Option<Error>> = groups
        .into_iter()
        .filter_map(|mut g| match g.pop() {
            Some(Response::Error(r)) => Some(r.detail),
            _ => None,
        })
        .collect();
    assert_eq!(refusals.len(), 3, "{refusals:?}");
    assert!(matches!(refusals[0], Some(Error::People(PeopleError::DuplicateResidentId { .. }))));
    assert_eq!(refusals[1], outside(ScopeItem::Unit(UnitId::new(4))));
    assert_eq!(refusals[2], unknown(ScopeItem::Unit(UnitId::new(4))));
}

/// The text of the `event` member of an event line.
fn event_text(line: &str) -> String {
    let inner = line.strip_prefix(r#"{"event":"#).and_then(|l| l.strip_suffix('}')).expect("an event line");
    inner.to_owned()
}

#[test]
fn requests_are_written_as_the_module_docs_show() {
    let lines = sample();
    assert!(lines[0].starts_with(r#"{"found":{"scheme":{"#), "{}", lines[0]);
    assert!(lines.contains(&r#"{"command":{"AddHousehold":{"unit":3,"door":"1-101"}}}"#.to_owned()));
    assert!(lines.contains(&r#"{"query":{"Map":{"unit":3,"date":"2020-02-03"}},"as":{"scope":[1]}}"#.to_owned()));
    assert!(lines.contains(&r#"{"query":"Totals","as":{"scope":[1]}}"#.to_owned()));
    assert!(lines.contains(&r#"{"command":{"AddHousehold":{"unit":4,"door":"2-202"}},"as":{"scope":[1]}}"#.to_owned()));
    // Every request reads back as itself.
    for (line, request) in lines.iter().zip(host::sample_requests().expect("valid")) {
        assert_eq!(serde_json::from_str::<Request>(line).expect("a request"), request);
    }

    let files = Files::new("docs");
    let mut host = after_sample(&files);
    let outside =
        serve_lines(&mut host, &[r#"{"query":{"Map":{"unit":4,"date":"2020-02-03"}},"as":{"scope":[1]}}"#.to_owned()]);
    assert_eq!(outside, [r#"{"error":{"message":"no unit u4","detail":{"Grid":{"UnknownUnit":{"unit":4}}}}}"#]);
    let added = serve_lines(&mut host, &[r#"{"command":{"AddHousehold":{"unit":3,"door":"1-103"}}}"#.to_owned()]);
    assert_eq!(
        added,
        [
            r#"{"event":{"HouseholdAdded":{"household":4,"unit":3,"door":"1-103"}}}"#,
            &format!(r#"{{"applied":{{"events":1,"logged":{}}}}}"#, host.logged()),
        ]
    );
}

#[test]
fn a_refused_command_is_an_error_line_and_changes_nothing() {
    let files = Files::new("refused");
    let mut host = after_sample(&files);
    let before = host.registry().cloned();
    let log_before = read_records(&files.dir);
    let logged = host.logged();
    let refused = [
        // Under a unit that does not exist.
        r#"{"command":{"AddUnit":{"parent":99,"unit":{"name":"x","level":1,"kind":"Area","code":null}}}}"#,
        // A courtyard holding households, closed without sending them anywhere.
        r#"{"command":{"CloseUnit":{"unit":3,"on":"2020-02-03","transfer_to":null}}}"#,
        // Home isolation cannot become absent.
        r#"{"command":{"SetState":{"person":0,"state":"Absent","on":"2020-02-03"}}}"#,
        // Person 0 is under a case already.
        r#"{"command":{"StartCase":{"person":0,"policy":0,"category":"CloseContact","anchor":"2020-02-03","on":"2020-02-03","linked":null}}}"#,
        // No such household.
        r#"{"command":{"MoveHousehold":{"household":42,"to":3}}}"#,
        // No such scheme.
        r#"{"command":{"Solve":{"scheme":7,"on":"2020-02-03","balanced":true}}}"#,
        // A secretary of 农科路社区 moving a household of 黄河路社区, and opening the day for
        // the whole sub-district.
        r#"{"command":{"MoveHousehold":{"household":2,"to":3}},"as":{"scope":[1]}}"#,
        r#"{"command":{"OpenDay":{"today":"2020-02-04"}},"as":{"scope":[1]}}"#,
    ];
    for line in refused {
        let detail = refusal(only(serve_lines(&mut host, &[line.to_owned()])));
        assert!(detail.is_some(), "wangge's own refusal, typed: {line}");
        assert_eq!(host.registry().cloned(), before, "unchanged by {line}");
    }
    // The second registration of a number names the household that holds it.
    let duplicate = sample().into_iter().find(|l| l.contains("RegisterPerson")).expect("the sample registers");
    let detail = refusal(only(serve_lines(&mut host, &[duplicate])));
    assert!(
        matches!(detail, Some(Error::People(PeopleError::DuplicateResidentId { household, .. })) if household == HouseholdId::new(0))
    );
    assert_eq!(host.registry().cloned(), before);
    assert_eq!(host.logged(), logged);
    assert_eq!(read_records(&files.dir), log_before, "nothing logged");
}

#[test]
fn lines_that_are_not_requests_are_error_lines_and_the_host_goes_on() {
    let files = Files::new("garbage");
    let mut host = after_sample(&files);
    let before = host.registry().cloned();
    let found = sample().remove(0);
    let bad: Vec<Vec<u8>> = vec![
        b"not json".to_vec(),
        b"{}".to_vec(),
        b"[]".to_vec(),
        b"null".to_vec(),
        br#"{"command":{"Nope":{}}}"#.to_vec(),
        br#"{"command":{"AddHousehold":{"unit":3}}}"#.to_vec(),
        br#"{"command":{"AddHousehold":{"unit":3,"door":""}}}"#.to_vec(),
        br#"{"query":"Totals"}"#.to_vec(),
        br#"{"as":{"scope":[1]}}"#.to_vec(),
        br#"{"found":{},"as":{"scope":[1]}}"#.to_vec(),
        br#"{"query":"Totals","as":{"scope":[1]},"command":{"OpenDay":{"today":"2020-02-03"}}}"#.to_vec(),
        br#"{"query":"Totals","as":{"scope":[1],"role":"admin"}}"#.to_vec(),
        br#"{"query":"Everything","as":{"scope":[1]}}"#.to_vec(),
        br#"{"query":{"Map":{"unit":3,"date":"2020-02-30"}},"as":{"scope":[1]}}"#.to_vec(),
        br#"{"command":{"OpenDay":{"today":"2020-02-03"}},"sudo":true}"#.to_vec(),
        vec![b'{', 0xff, 0xfe, b'}'],
        b"{\"command\":".to_vec(),
        found.into_bytes(), // founded already
    ];
    for line in &bad {
        let output = serve_bytes(&mut host, line);
        let response = only(output.clone());
        assert!(matches!(response, Response::Error(_)), "{} gives {output:?}", String::from_utf8_lossy(line));
    }
    // Scopes wangge refuses: none, or an unknown unit.
    assert_eq!(refusal(ask(&mut host, Query::Totals, &[])), Some(Error::Registry(RegistryError::EmptyScope)));
    assert!(matches!(refusal(ask(&mut host, Query::Totals, &[99])), Some(Error::Grid(_))));

    // Blank lines are skipped; the host answered everything and still answers.
    assert!(serve_bytes(&mut host, b"\n  \n\r\n").is_empty());
    assert_eq!(host.registry().cloned(), before);
    assert!(matches!(report(ask(&mut host, Query::Totals, &[1])), Report::Totals { .. }));
}

#[test]
fn before_the_founding_only_found_is_accepted() {
    let files = Files::new("unfounded");
    let mut host = Host::open(&files.dir, None).expect("a new store opens");
    let lines = sample();
    assert_eq!(refusal(only(serve_lines(&mut host, &lines[1..2]))), None, "a command before founding");
    assert_eq!(refusal(ask(&mut host, Query::Totals, &[0])), None, "a query before founding");
    assert_eq!(host.logged(), 0);
    assert!(read_log(&files.dir).is_empty());

    // A founding the registry refuses (a root at a level the scheme does not have) founds
    // nothing.
    let bad_root = lines[0].replace(r#""level":0"#, r#""level":9"#);
    assert_ne!(bad_root, lines[0]);
    assert!(refusal(only(serve_lines(&mut host, &[bad_root]))).is_some());
    assert_eq!(host.registry(), None);

    let founded = answers(&serve_lines(&mut host, &lines[..1]));
    assert!(matches!(
        founded[0][..],
        [Response::Event(Event::Founded { .. }), Response::Applied { events: 1, logged: 1 }]
    ));
    assert_eq!(read_log(&files.dir).len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Reports for a user limited to a scope
// ---------------------------------------------------------------------------------------------

#[test]
fn reports_show_only_what_the_scope_holds() {
    let files = Files::new("scope");
    let mut host = after_sample(&files);
    let today = february(3);
    let totals = |host: &mut Host, scope: &[u32]| match report(ask(host, Query::Totals, scope)) {
        Report::Totals { roots, counts, tally } => (roots, counts, tally),
        other => panic!("{other:?}"),
    };

    // The sub-district sees 4 households (one added by 农科路社区's secretary) and 4 persons;
    // each community its own.
    let (roots, all, all_tally) = totals(&mut host, &[0]);
    assert_eq!(roots, [UnitId::new(0)]);
    assert_eq!((all.households, all.persons), (4, 4));
    let (_, nongke, nongke_tally) = totals(&mut host, &[1]);
    let (_, huanghe, huanghe_tally) = totals(&mut host, &[2]);
    assert_eq!((nongke.households, nongke.persons), (3, 3));
    assert_eq!(nongke + huanghe, all);
    assert_eq!(nongke_tally + huanghe_tally, all_tally);
    assert_eq!(all_tally.households(wangge::colour::Colour::Orange), 1, "the household of the arrival");
    // A root inside another is folded into it.
    assert_eq!(totals(&mut host, &[3, 1]).0, [UnitId::new(1)]);

    // Units, households and persons outside are refused as if they did not exist.
    assert_eq!(
        refusal(ask(&mut host, Query::Tally { unit: UnitId::new(2) }, &[1])),
        unknown(ScopeItem::Unit(UnitId::new(2)))
    );
    assert_eq!(
        refusal(ask(&mut host, Query::Tally { unit: UnitId::new(0) }, &[1])),
        unknown(ScopeItem::Unit(UnitId::new(0)))
    );
    assert_eq!(
        refusal(ask(&mut host, Query::Map { unit: UnitId::new(4), date: today }, &[1])),
        unknown(ScopeItem::Unit(UnitId::new(4)))
    );
    let person3 = wangge::registry::Subject::Person(PersonId::new(3));
    assert_eq!(
        refusal(ask(&mut host, Query::ResponsibleFor { subject: person3, date: today }, &[1])),
        unknown(ScopeItem::Person(PersonId::new(3)))
    );
    let household2 = wangge::registry::Subject::Household(HouseholdId::new(2));
    assert_eq!(
        refusal(ask(&mut host, Query::ResponsibleFor { subject: household2, date: today }, &[1])),
        unknown(ScopeItem::Household(HouseholdId::new(2)))
    );

    // Inside, the answers are the registry's.
    let registry = host.registry().cloned().expect("founded");
    match report(ask(&mut host, Query::Tally { unit: UnitId::new(3) }, &[1])) {
        Report::Tally { unit, counts, tally } => {
            assert_eq!(unit, UnitId::new(3));
            assert_eq!(counts, registry.counts(unit).expect("a unit"));
            assert_eq!(&tally, registry.tally(unit).expect("a unit"));
        }
        other => panic!("{other:?}"),
    }
    match report(ask(&mut host, Query::Map { unit: UnitId::new(3), date: today }, &[1])) {
        Report::Map { text, .. } => {
            assert_eq!(text, registry.map(UnitId::new(3), today).expect("a map").to_text());
            assert!(text.contains("1-101") && !text.contains("2-201"));
        }
        other => panic!("{other:?}"),
    }
    // The agenda lists the arrival's missed check in 农科路社区, nothing in 黄河路社区.
    let agenda = |host: &mut Host, scope: &[u32]| match report(ask(host, Query::Agenda { date: today }, scope)) {
        Report::Agenda(agenda) => agenda,
        other => panic!("{other:?}"),
    };
    assert_eq!(agenda(&mut host, &[1]).len(), 1);
    assert_eq!(agenda(&mut host, &[1]), registry.agenda(today));
    assert!(agenda(&mut host, &[2]).is_empty());
    // 六包一 names the secretary for 农科路社区 and no one for 黄河路社区.
    let scheme = wangge::SchemeId::new(0);
    let coverage =
        |host: &mut Host, scope: &[u32]| match report(ask(host, Query::DutyCoverage { scheme, date: today }, scope)) {
            Report::DutyCoverage(coverage) => coverage,
            other => panic!("{other:?}"),
        };
    let (nongke, huanghe) = (coverage(&mut host, &[1]), coverage(&mut host, &[2]));
    assert_eq!((nongke.targets, huanghe.targets), (1, 1));
    assert_eq!(huanghe.gaps.len(), nongke.gaps.len() + 1, "the secretary fills one slot in 农科路");
    let household0 = wangge::registry::Subject::Household(HouseholdId::new(0));
    match report(ask(&mut host, Query::ResponsibleFor { subject: household0, date: today }, &[1])) {
        Report::ResponsibleFor { responsible, .. } => {
            assert_eq!(responsible.len(), 1);
            assert_eq!(responsible[0].staff, wangge::StaffId::new(0));
        }
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Restart
// ---------------------------------------------------------------------------------------------

#[test]
fn a_restart_from_the_store_gives_the_same_reports_and_an_equal_registry() {
    let files = Files::new("restart");
    let mut first = after_sample(&files);
    let before = serve_lines(&mut first, &queries());
    assert_eq!(answers(&before).len(), queries().len());
    let (registry, logged) = (first.registry().cloned(), first.logged());
    drop(first);

    let mut second = Host::open(&files.dir, None).expect("the store reopens");
    assert_eq!(second.opened().logged, logged);
    assert_eq!((second.opened().from_snapshot, second.opened().skipped_snapshots), (0, 0));
    assert_eq!(second.registry(), registry.as_ref());
    assert_eq!(second.registry().map(Registry::head), registry.as_ref().map(Registry::head));
    assert_eq!(serve_lines(&mut second, &queries()), before, "the same reports, line for line");

    // The restarted host goes on where the first stopped: the next ids, the same store.
    let added =
        answers(&serve_lines(&mut second, &[r#"{"command":{"AddHousehold":{"unit":4,"door":"2-202"}}}"#.to_owned()]));
    assert!(
        matches!(added[0][0], Response::Event(Event::HouseholdAdded { household, .. }) if household == HouseholdId::new(4))
    );
    let after = serve_lines(&mut second, &queries());
    let registry = second.registry().cloned();
    drop(second);
    let mut third = Host::open(&files.dir, None).expect("the store reopens");
    assert_eq!(third.registry(), registry.as_ref());
    assert_eq!(&Registry::replay(&read_log(&files.dir)).expect("replays"), third.registry().expect("founded"));
    assert_eq!(serve_lines(&mut third, &queries()), after);
}

#[test]
fn a_second_host_on_the_store_is_refused_while_the_first_has_it() {
    let files = Files::new("two");
    let first = after_sample(&files);
    assert!(matches!(Host::open(&files.dir, None), Err(HostError::Store(StoreError::Locked { .. }))));
    drop(first);
    Host::open(&files.dir, None).expect("opens once the first host is gone");
}

#[test]
fn a_checkpoint_and_the_records_after_it_give_the_same_registry() {
    let files = Files::new("snapshot");
    let lines = sample();
    let mut host = Host::open(&files.dir, None).expect("a new store opens");
    serve_lines(&mut host, &lines[..10]);
    host.checkpoint().expect("the checkpoint is written");
    let covered = host.logged();
    serve_lines(&mut host, &lines[10..]);
    let expected = serve_lines(&mut host, &queries());
    drop(host);

    let replayed = Registry::replay_records(&read_records(&files.dir)).expect("the records replay");
    let mut resumed = Host::open(&files.dir, None).expect("the snapshot loads");
    assert_eq!(resumed.opened().from_snapshot, covered);
    assert_eq!(resumed.opened().logged, replayed.position() + 1);
    assert_eq!(resumed.registry(), Some(&replayed));
    assert_eq!(serve_lines(&mut resumed, &queries()), expected);
    drop(resumed);

    // A snapshot of another registry (its founding differs) is passed over, never mixed in.
    let other = Files::new("snapshot-other");
    let mut stranger = Host::open(&other.dir, None).expect("a new store opens");
    serve_lines(&mut stranger, &[lines[0].replace("花园路街道", "长海路街道")]);
    stranger.checkpoint().expect("a checkpoint");
    drop(stranger);
    let theirs = fs::read_dir(other.dir.join("snapshots")).expect("listed").next().expect("one").expect("entry");
    fs::copy(theirs.path(), files.dir.join("snapshots").join(format!("{:020}.wgsnap", covered + 3))).expect("copied");
    let resumed = Host::open(&files.dir, None).expect("opens");
    assert_eq!(resumed.opened().skipped_snapshots, 1);
    assert_eq!(resumed.opened().from_snapshot, covered);
    assert_eq!(resumed.registry(), Some(&replayed));
}

#[test]
fn a_store_whose_records_were_edited_stops_the_host_at_start() {
    let files = Files::new("corrupt");
    drop(after_sample(&files));
    let db = files.dir.join("records.sqlite");
    let edit = |sql: &str| {
        let conn = rusqlite::Connection::open(&db).expect("opens");
        conn.execute_batch(sql).expect("edited");
    };
    let body = |position: i64| -> Vec<u8> {
        let conn = rusqlite::Connection::open(&db).expect("opens");
        conn.query_row("SELECT body FROM records WHERE position = ?1", [position], |r| r.get(0)).expect("a row")
    };
    let original = body(5);
    let put = |position: i64, bytes: &[u8]| {
        let conn = rusqlite::Connection::open(&db).expect("opens");
        conn.execute("UPDATE records SET body = ?2 WHERE position = ?1", rusqlite::params![position, bytes])
            .expect("updated");
    };

    // A row that is not a record.
    put(5, b"\x81\xa3not a record");
    assert!(matches!(Host::open(&files.dir, None), Err(HostError::Store(StoreError::Corrupt { .. }))));

    // A record edited (another household id): its digest no longer continues the chain.
    let record = wangge_store::codec::record_from_bytes(&original).expect("a record");
    let text = serde_json::to_string(&record).expect("JSON");
    let edited = text.replace(r#""household":0"#, r#""household":7"#);
    assert_ne!(edited, text);
    let edited: Record = serde_json::from_str(&edited).expect("still a record");
    put(5, &wangge_store::codec::record_to_bytes(&edited).expect("encodes"));
    assert!(matches!(Host::open(&files.dir, None), Err(HostError::Store(StoreError::Record { position: 5, .. }))));
    put(5, &original);
    Host::open(&files.dir, None).expect("whole again");

    // A store that does not begin with its founding record.
    edit("DELETE FROM records WHERE position = 0");
    assert!(matches!(Host::open(&files.dir, None), Err(HostError::Store(StoreError::Record { position: 1, .. }))));
}

// ---------------------------------------------------------------------------------------------
// The example's own run
// ---------------------------------------------------------------------------------------------

#[test]
fn the_narrated_sample_restarts_and_answers_the_same() {
    let mut out = Vec::new();
    host::sample_session(&mut out).expect("the sample runs");
    let text = String::from_utf8(out).expect("UTF-8");
    assert!(text.contains("The 7 queries answer the same"), "{text}");
    assert!(text.contains("lies outside this scope"));
    assert!(text.contains("[O 1-101"), "the map shows the arrival's household orange:\n{text}");
}

#[test]
fn the_business_date_is_kept_by_the_store_and_gates_the_records() {
    let files = Files::new("day");
    let mut host = after_sample(&files);
    let business_date = february(3);
    assert_eq!(host.registry().and_then(Registry::business_date), Some(business_date));
    let day = |error| Some(Error::Registry(error));
    // The day does not go back, nothing is recorded after it, a case starts on it.
    let refused = [
        (
            r#"{"command":{"OpenDay":{"today":"2020-02-02"}}}"#,
            day(RegistryError::DayNotForward { today: february(2), business_date }),
        ),
        (
            r#"{"command":{"RecordCheck":{"person":0,"at":"2020-02-04T08:00:00","temperature":"36.5","symptoms":false}}}"#,
            day(RegistryError::AfterBusinessDate { date: february(4), business_date }),
        ),
        (
            r#"{"command":{"StartCase":{"person":2,"policy":0,"category":"CloseContact","anchor":"2020-02-01","on":"2020-02-02","linked":null}}}"#,
            day(RegistryError::NotBusinessDate { date: february(2), business_date }),
        ),
    ];
    let logged = host.logged();
    for (line, error) in refused {
        assert_eq!(refusal(only(serve_lines(&mut host, &[line.to_owned()]))), error, "{line}");
    }
    assert_eq!(host.logged(), logged, "nothing logged");
    // A back-dated check is a record of the past: accepted.
    let back =
        r#"{"command":{"RecordCheck":{"person":0,"at":"2020-02-02T20:00:00","temperature":"36.6","symptoms":false}}}"#;
    assert!(matches!(
        answers(&serve_lines(&mut host, &[back.to_owned()]))[0][0],
        Response::Event(Event::CheckRecorded { .. })
    ));
    host.checkpoint().expect("the checkpoint is written");
    drop(host);

    // Reopened from the checkpoint alone, the day is where it was and moves on from there.
    let mut host = Host::open(&files.dir, None).expect("the store reopens");
    assert_eq!(host.opened().from_snapshot, host.opened().logged);
    assert_eq!(host.registry().and_then(Registry::business_date), Some(business_date));
    let next = answers(&serve_lines(&mut host, &[r#"{"command":{"OpenDay":{"today":"2020-02-04"}}}"#.to_owned()]));
    assert_eq!(next[0][0], Response::Event(Event::DayOpened { from: Some(business_date), on: february(4) }));
    drop(host);
    let host = Host::open(&files.dir, None).expect("the store reopens");
    assert_eq!(host.registry().and_then(Registry::business_date), Some(february(4)));
}
