//! Traced lists 大数据清单 (issue 16 §2): batches of rows from outside matched against the
//! register, each row's status through the day, the same-day figure, dedup across batches,
//! bad rows reported by position.
//!
//! The model here matches rows on its own, by a linear scan of the persons it registered and
//! the states it set: it never asks the registry how a row matches.

#[path = "support/proptest_config.rs"]
mod proptest_config;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use wangge::colour::{PersonState, State};
use wangge::grid::{LevelScheme, NewUnit, UnitKind};
use wangge::people::{DoorLabel, PersonRecord, ResidentId};
use wangge::quarantine::{Category, Policy};
use wangge::registry::Answer;
use wangge::trace::{
    BadRow, BatchId, ControlMeasure, ListSource, RawDocument, RowRef, RowStatus, StatusKind, TraceError, TracedRow,
};
use wangge::{Command, Error, HouseholdId, PersonId, PolicyId, Registry, Snapshot, UnitId};

fn feb(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).unwrap()
}

fn at(date: NaiveDate, hour: u32, minute: u32) -> NaiveDateTime {
    date.and_hms_opt(hour, minute, 0).unwrap()
}

/// The identity number of person `i` of the model (registered or not).
fn id_text(i: u16) -> String {
    ResidentId::from_parts(410105, feb(1) - chrono::Days::new(365 * 30), i).unwrap().reveal()
}

/// An identity number with a wrong check character.
fn bad_id_text(i: u16) -> String {
    let mut t = id_text(i);
    let last = t.pop().unwrap();
    t.push(if last == '0' { '1' } else { '0' });
    t
}

const COMMUNITY_CODES: [&str; 2] = ["410105001001", "410105001002"];
/// A well-formed code no unit of the registry has: another sub-district's.
const OUTSIDE_CODE: &str = "410105009009";

/// A sub-district with two communities, each with two courtyards of households.
struct Town {
    reg: Registry,
    log: Vec<wangge::Record>,
    communities: Vec<UnitId>,
    /// Households by community.
    households: Vec<Vec<HouseholdId>>,
    policy: PolicyId,
}

impl Town {
    fn run(&mut self, command: Command) -> Result<Vec<wangge::Event>, Error> {
        match self.reg.execute(command, None)? {
            Answer::Applied(record) => {
                let events = record.events().to_vec();
                self.log.push(record);
                Ok(events)
            }
            Answer::Repeated { .. } => unreachable!("no request ids here"),
        }
    }
}

fn town(households_per_yard: usize) -> Town {
    let levels = LevelScheme::zhengzhou();
    let lv = |n: &str| levels.level(n).unwrap();
    let root = NewUnit::new("花园路街道", lv("街道"), UnitKind::Area).with_code("410105001").unwrap();
    let reg = Registry::new(levels.clone(), root).unwrap();
    let log = vec![reg.founding_record()];
    let mut t = Town { reg, log, communities: Vec::new(), households: Vec::new(), policy: PolicyId::new(0) };
    let root = t.reg.root();
    for (c, code) in COMMUNITY_CODES.iter().enumerate() {
        let spec = NewUnit::new(format!("社区{c}"), lv("社区"), UnitKind::Area).with_code(code).unwrap();
        let community = t.run(Command::AddUnit { parent: root, unit: spec }).unwrap()[0].new_unit().unwrap();
        t.communities.push(community);
        let mut hs = Vec::new();
        for y in 0..2 {
            let spec = NewUnit::new(format!("{c}-{y}号院"), lv("楼院"), UnitKind::Area);
            let yard = t.run(Command::AddUnit { parent: community, unit: spec }).unwrap()[0].new_unit().unwrap();
            for h in 0..households_per_yard {
                let door = DoorLabel::new(&format!("{h}-101")).unwrap();
                hs.push(t.run(Command::AddHousehold { unit: yard, door }).unwrap()[0].new_household().unwrap());
            }
        }
        t.households.push(hs);
    }
    t.policy = t.run(Command::AdoptPolicy { policy: Policy::seed_shanghai_2020() }).unwrap()[0].new_policy().unwrap();
    t
}

/// What a generated row is.
#[derive(Debug, Clone, Copy)]
enum RowKind {
    /// The identity number of model person `i` (registered when `i` < the persons registered).
    Person(u16),
    /// An invalid identity number.
    BadId(u16),
    /// No document; an address (see [`address`]).
    NoDocument,
    /// A date after the receipt.
    Future(u16),
}

/// Address choice: 0, 1: a community; 2: outside; 3: malformed; 4: none.
fn address(row: TracedRow, choice: u8) -> TracedRow {
    match choice % 5 {
        0 | 1 => row.with_address(COMMUNITY_CODES[usize::from(choice % 5)], Some("3-502")),
        2 => row.with_address(OUTSIDE_CODE, None),
        3 => row.with_address("no such place!", None),
        _ => row,
    }
}

fn make_row(kind: RowKind, addr: u8, date: NaiveDate) -> TracedRow {
    let base = TracedRow::new(date).with_name("张三").with_phone("13800000000").with_origin("湖北武汉");
    match kind {
        RowKind::Person(i) => address(base.with_document(RawDocument::resident(&id_text(i))), addr),
        RowKind::BadId(i) => address(base.with_document(RawDocument::resident(&bad_id_text(i))), addr),
        RowKind::NoDocument => address(base, addr),
        RowKind::Future(i) => address(
            TracedRow::new(date + chrono::Days::new(30)).with_document(RawDocument::resident(&id_text(i))),
            addr,
        ),
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// A batch of rows (kind, address choice), received at an hour of the day.
    Batch(Vec<(RowKind, u8)>, u32),
    /// Control the open row picked (index into the open rows), the measure picked.
    Control(usize, u8),
    /// Hand over the row picked among those matched or not found.
    HandOver(usize),
    /// Open the next day.
    NextDay,
}

/// The model's view of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Model {
    Bad,
    Matched(usize),
    Controlled(usize),
    Already(usize),
    NotFound(Option<usize>),
    Elsewhere,
}

struct Naive {
    /// Model person i: their identity number index, their registry id, their community.
    persons: Vec<(u16, PersonId, usize)>,
    controlled: BTreeSet<usize>,
    rows: Vec<(RowRef, Model, u16)>,
}

impl Naive {
    fn find(&self, number: u16) -> Option<usize> {
        self.persons.iter().position(|&(n, _, _)| n == number)
    }

    fn receive(&self, kind: RowKind, addr: u8) -> Model {
        match kind {
            RowKind::BadId(_) | RowKind::Future(_) => Model::Bad,
            RowKind::NoDocument if matches!(addr % 5, 3 | 4) => Model::Bad,
            RowKind::NoDocument | RowKind::Person(_) => {
                let found = match kind {
                    RowKind::Person(i) => self.find(i),
                    _ => None,
                };
                match found {
                    Some(p) if self.controlled.contains(&p) => Model::Already(p),
                    Some(p) => Model::Matched(p),
                    None => Model::NotFound(match addr % 5 {
                        a @ (0 | 1) => Some(usize::from(a)),
                        _ => None,
                    }),
                }
            }
        }
    }
}

fn kind_of(m: &Model) -> StatusKind {
    match m {
        Model::Bad => StatusKind::Bad,
        Model::Matched(_) => StatusKind::Matched,
        Model::Controlled(_) => StatusKind::Controlled,
        Model::Already(_) => StatusKind::AlreadyUnderControl,
        Model::NotFound(_) => StatusKind::NotFound,
        Model::Elsewhere => StatusKind::Elsewhere,
    }
}

fn row_kind() -> impl Strategy<Value = (RowKind, u8)> {
    let kind = prop_oneof![
        6 => (0u16..24).prop_map(RowKind::Person),
        1 => (0u16..24).prop_map(RowKind::BadId),
        2 => Just(RowKind::NoDocument),
        1 => (0u16..24).prop_map(RowKind::Future),
    ];
    (kind, any::<u8>())
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (prop::collection::vec(row_kind(), 1..12), 7u32..22).prop_map(|(r, h)| Op::Batch(r, h)),
        4 => (any::<usize>(), any::<u8>()).prop_map(|(i, m)| Op::Control(i, m)),
        1 => any::<usize>().prop_map(Op::HandOver),
        1 => Just(Op::NextDay),
    ]
}

fn check_against(t: &Town, model: &Naive) {
    let mut expected_persons = BTreeSet::new();
    for (r, m, _) in &model.rows {
        let b = t.reg.traced_batch(r.batch).unwrap();
        let status = &b.statuses[r.row as usize];
        assert_eq!(status.kind(), kind_of(m), "{r}: {status:?} against the model's {m:?}");
        let person = match m {
            Model::Matched(p) | Model::Controlled(p) | Model::Already(p) => Some(model.persons[*p].1),
            _ => None,
        };
        assert_eq!(status.person(), person, "{r}");
        if let (Model::NotFound(c), RowStatus::NotFound { routed }) = (m, status) {
            assert_eq!(*routed, c.map(|c| t.communities[c]), "{r}");
        }
        expected_persons.extend(person);
    }
    // One person, one file: every identity number names one person at most, and only the
    // persons the model registered exist.
    assert_eq!(t.reg.population().person_count(), model.persons.len());
    let mut numbers = BTreeMap::new();
    for (id, p) in t.reg.population().persons() {
        if let Some(n) = p.resident_id() {
            assert!(numbers.insert(n, id).is_none(), "two files for one identity number");
        }
    }
    let tally = t.reg.traced_tally(t.reg.root()).unwrap();
    assert_eq!(tally.rows as usize, model.rows.len());
    assert_eq!(tally.persons as usize, expected_persons.len(), "a person in several lists is one person");
}

proptest! {
    #![proptest_config(proptest_config::persisted("proptest-regressions/trace.txt", 64))]

    /// Every row of every batch ends in exactly one status, the one a naive model gives; the
    /// register never gains a file by matching; replay and snapshots keep the book.
    #[test]
    fn rows_follow_a_naive_model(registered in 0usize..16, controlled in prop::collection::btree_set(0usize..16, 0..5), ops in prop::collection::vec(op(), 1..24)) {
        let mut t = town(2);
        let mut model = Naive { persons: Vec::new(), controlled: BTreeSet::new(), rows: Vec::new() };
        t.run(Command::OpenDay { today: feb(1) }).unwrap();
        let mut day = feb(1);
        for i in 0..registered {
            let h = t.households[i % 2][i % t.households[i % 2].len()];
            let record = PersonRecord::new().with_resident_id(ResidentId::parse(&id_text(i as u16)).unwrap());
            let p = t.run(Command::RegisterPerson { household: h, record, state: PersonState::well(feb(1)) }).unwrap()[0].new_person().unwrap();
            model.persons.push((i as u16, p, i % 2));
            if controlled.contains(&i) {
                t.run(Command::SetState { person: p, state: State::CloseContact, on: feb(1) }).unwrap();
                model.controlled.insert(i);
            }
        }
        let mut next_batch = 0u32;
        for op in ops {
            match op {
                Op::Batch(rows, hour) => {
                    let received = at(day, hour, 0);
                    let built: Vec<TracedRow> = rows.iter().map(|&(k, a)| make_row(k, a, day)).collect();
                    t.run(Command::ReceiveTracedBatch { source: ListSource::MobileOperator, received, rows: built }).unwrap();
                    let batch = BatchId::new(next_batch);
                    next_batch += 1;
                    for (i, &(k, a)) in rows.iter().enumerate() {
                        let number = match k { RowKind::Person(n) | RowKind::BadId(n) | RowKind::Future(n) => n, RowKind::NoDocument => u16::MAX };
                        let m = model.receive(k, a);
                        model.rows.push((RowRef { batch, row: i as u32 }, m, number));
                    }
                }
                Op::Control(pick, measure) => {
                    let open: Vec<usize> = (0..model.rows.len()).filter(|&i| matches!(model.rows[i].1, Model::Matched(_) | Model::NotFound(Some(_)))).collect();
                    if open.is_empty() { continue; }
                    let i = open[pick % open.len()];
                    let (row, m, number) = model.rows[i].clone();
                    let received = t.reg.traced_batch(row.batch).unwrap().received;
                    let when = at(day, 22, 30).max(received);
                    let (p, named) = match m {
                        Model::Matched(p) => (p, None),
                        Model::NotFound(Some(c)) => match (number != u16::MAX).then(|| model.find(number)).flatten() {
                            // The row's number was registered since: the unit names that file,
                            // if the person lives inside the community.
                            Some(q) if model.persons[q].2 == c => (q, Some(model.persons[q].1)),
                            Some(_) => continue,
                            None => {
                                // The unit finds a newcomer and registers them, with the row's
                                // number if it has one.
                                let h = t.households[c][0];
                                let mut record = PersonRecord::new();
                                if number != u16::MAX {
                                    record = record.with_resident_id(ResidentId::parse(&id_text(number)).unwrap());
                                }
                                let p = t.run(Command::RegisterPerson { household: h, record, state: PersonState::well(day) }).unwrap()[0].new_person().unwrap();
                                model.persons.push((if number != u16::MAX { number } else { u16::MAX - 1 }, p, c));
                                (model.persons.len() - 1, Some(p))
                            }
                        },
                        _ => unreachable!(),
                    };
                    let already = model.controlled.contains(&p);
                    let measure = (!already).then_some(match measure % 3 {
                        0 => ControlMeasure::SetState { state: State::HomeIsolationEpidemicArea },
                        1 => ControlMeasure::SetState { state: State::CloseContact },
                        _ => ControlMeasure::StartCase { policy: t.policy, category: Category::ArrivalFromEpidemicArea, anchor: day, linked: None },
                    });
                    let events = t.run(Command::ControlTraced { row, person: named, measure, at: when }).unwrap();
                    prop_assert_eq!(events.len(), if already { 1 } else { 2 });
                    model.controlled.insert(p);
                    let settled = if already { Model::Already(p) } else { Model::Controlled(p) };
                    model.rows[i].1 = settled.clone();
                    for r in model.rows.iter_mut() {
                        if r.1 == Model::Matched(p) {
                            r.1 = settled.clone();
                        }
                    }
                }
                Op::HandOver(pick) => {
                    let open: Vec<usize> = (0..model.rows.len()).filter(|&i| matches!(model.rows[i].1, Model::Matched(_) | Model::NotFound(_))).collect();
                    if open.is_empty() { continue; }
                    let i = open[pick % open.len()];
                    let row = model.rows[i].0;
                    let received = t.reg.traced_batch(row.batch).unwrap().received;
                    t.run(Command::HandOverTraced { row, to: "燕庄街道".into(), at: at(day, 23, 0).max(received) }).unwrap();
                    model.rows[i].1 = Model::Elsewhere;
                }
                Op::NextDay => {
                    day = day.succ_opt().unwrap();
                    t.run(Command::OpenDay { today: day }).unwrap();
                    // A case's phases may change a state, never out of control within days.
                }
            }
            check_against(&t, &model);
        }
        prop_assert!(t.reg.audit().is_empty(), "{:?}", t.reg.audit());
        let replayed = Registry::replay_records(&t.log).unwrap();
        prop_assert!(replayed == t.reg);
        let json = serde_json::to_string(&t.reg.snapshot()).unwrap();
        let back = Registry::from_snapshot(serde_json::from_str::<Snapshot>(&json).unwrap()).unwrap();
        prop_assert!(back == t.reg);
    }
}

/// Seed 000's work in small: a batch from a mobile operator with bad rows in it, every
/// readable row traced and controlled the same day, the figure read from the report.
#[test]
fn a_batch_with_bad_rows_is_controlled_the_same_day() {
    let mut t = town(3);
    t.run(Command::OpenDay { today: feb(3) }).unwrap();
    // Five residents registered with their numbers; one (p3) a close contact already.
    let mut persons = Vec::new();
    for i in 0..5u16 {
        let h = t.households[usize::from(i % 2)][usize::from(i)];
        let record = PersonRecord::new().with_resident_id(ResidentId::parse(&id_text(i)).unwrap());
        let state = PersonState::well(feb(1));
        persons.push(t.run(Command::RegisterPerson { household: h, record, state }).unwrap()[0].new_person().unwrap());
    }
    t.run(Command::SetState { person: persons[3], state: State::CloseContact, on: feb(2) }).unwrap();
    let before = t.reg.population().person_count();

    let received = at(feb(3), 9, 0);
    let d = feb(2);
    let rows = vec![
        make_row(RowKind::Person(0), 0, d),  // 0: p0, matched
        make_row(RowKind::Person(1), 1, d),  // 1: p1, matched
        make_row(RowKind::BadId(7), 0, d),   // 2: bad: check character
        make_row(RowKind::Person(3), 0, d),  // 3: p3, under control already
        make_row(RowKind::Person(0), 1, d),  // 4: p0 again, in the same list
        make_row(RowKind::Person(20), 0, d), // 5: unregistered, routed to community 0
        make_row(RowKind::Person(21), 2, d), // 6: unregistered, address elsewhere
        make_row(RowKind::NoDocument, 3, d), // 7: bad: no document, no address
        make_row(RowKind::Future(2), 0, d),  // 8: bad: dated after the receipt
    ];
    let events = t.run(Command::ReceiveTracedBatch { source: ListSource::MobileOperator, received, rows }).unwrap();
    assert_eq!(events.len(), 1);
    let batch = BatchId::new(0);
    let kinds: Vec<StatusKind> = t.reg.traced_batch(batch).unwrap().statuses.iter().map(RowStatus::kind).collect();
    use StatusKind::*;
    assert_eq!(kinds, [Matched, Matched, Bad, AlreadyUnderControl, Matched, NotFound, NotFound, Bad, Bad]);
    let statuses = &t.reg.traced_batch(batch).unwrap().statuses;
    assert!(matches!(statuses[2], RowStatus::Bad(BadRow::InvalidDocument(_))));
    assert_eq!(statuses[7], RowStatus::Bad(BadRow::UnknownAddress));
    assert_eq!(statuses[5], RowStatus::NotFound { routed: Some(t.communities[0]) });
    assert_eq!(statuses[6], RowStatus::NotFound { routed: None });
    // No error, no Debug of a bad row shows its number.
    let shown = format!("{:?}", t.reg.traced_batch(batch).unwrap());
    assert!(!shown.contains(&bad_id_text(7)) && !shown.contains(&id_text(0)) && !shown.contains("张三"));
    assert_eq!(t.reg.population().person_count(), before, "matching registers nobody");

    // A second list (a pharmacy) names p0 again: one person.
    let pharmacy = vec![make_row(RowKind::Person(0), 0, d)];
    t.run(Command::ReceiveTracedBatch { source: ListSource::Pharmacy, received: at(feb(3), 10, 0), rows: pharmacy })
        .unwrap();
    assert_eq!(t.reg.traced_rows_of(persons[0]).len(), 3);

    // Through the day: p0 under home isolation at 11:30, which settles all three of p0's rows.
    let row = |batch: u32, row: u32| RowRef { batch: BatchId::new(batch), row };
    let home = ControlMeasure::SetState { state: State::HomeIsolationEpidemicArea };
    let events = t
        .run(Command::ControlTraced { row: row(0, 0), person: None, measure: Some(home), at: at(feb(3), 11, 30) })
        .unwrap();
    assert_eq!(events.len(), 2, "the row's event and the state set, in one record");
    assert_eq!(t.reg.state(persons[0]).unwrap().state(), State::HomeIsolationEpidemicArea);
    let again =
        t.run(Command::ControlTraced { row: row(0, 4), person: None, measure: Some(home), at: at(feb(3), 12, 0) });
    assert!(matches!(again, Err(Error::Trace(TraceError::NotOpen { .. }))), "{again:?}");
    // p1 under the 14 days at home, started at 14:00.
    let case = ControlMeasure::StartCase {
        policy: t.policy,
        category: Category::ArrivalFromEpidemicArea,
        anchor: d,
        linked: None,
    };
    t.run(Command::ControlTraced { row: row(0, 1), person: None, measure: Some(case), at: at(feb(3), 14, 0) }).unwrap();
    assert!(t.reg.active_case(persons[1]).is_some());
    // Row 5: the community finds the newcomer and registers them with the row's number first.
    let record = PersonRecord::new().with_resident_id(ResidentId::parse(&id_text(20)).unwrap());
    let h = t.households[0][4];
    let newcomer = t.run(Command::RegisterPerson { household: h, record, state: PersonState::well(feb(3)) }).unwrap()
        [0]
    .new_person()
    .unwrap();
    // Naming somebody else than the row's number is refused (one person, one file).
    let wrong = t.run(Command::ControlTraced {
        row: row(0, 5),
        person: Some(persons[2]),
        measure: Some(home),
        at: at(feb(3), 16, 0),
    });
    assert!(wrong.is_err());
    t.run(Command::ControlTraced {
        row: row(0, 5),
        person: Some(newcomer),
        measure: Some(home),
        at: at(feb(3), 16, 0),
    })
    .unwrap();
    // Row 6: handed to the sub-district of its address.
    t.run(Command::HandOverTraced { row: row(0, 6), to: "燕庄街道".into(), at: at(feb(3), 17, 0) }).unwrap();

    let report = t.reg.traced_report(batch).unwrap();
    let minutes: Vec<Option<i64>> = report.rows.iter().map(|r| r.minutes_to_control).collect();
    assert_eq!(minutes, [Some(150), Some(300), None, Some(0), Some(150), Some(420), Some(480), None, None]);
    assert_eq!(report.tally.bad, 3);
    assert_eq!(report.tally.persons, 4, "p0 twice is one person");
    assert_eq!(report.tally.settled_same_day, 6);
    assert!(report.tally.all_settled_same_day(), "所有人员在调查的同一天实现控制");
    assert_eq!(report.rows[5].unit, Some(t.reg.population().household(h).unwrap().unit()));

    // Per unit: community 0 holds p0 (rows 0, 4 and the pharmacy's) and the newcomer (5);
    // community 1 holds p1 (1) and p3 (3).
    let c0 = t.reg.traced_tally(t.communities[0]).unwrap();
    assert_eq!((c0.rows, c0.persons, c0.controlled, c0.already_under_control), (4, 2, 4, 0));
    assert!(c0.all_settled_same_day());
    let c1 = t.reg.traced_tally(t.communities[1]).unwrap();
    assert_eq!((c1.rows, c1.persons, c1.controlled, c1.already_under_control), (2, 2, 1, 1));

    // A later batch, controlled the next day: the figure says so.
    let late = vec![make_row(RowKind::Person(2), 0, d)];
    t.run(Command::ReceiveTracedBatch { source: ListSource::Port, received: at(feb(3), 21, 0), rows: late }).unwrap();
    t.run(Command::OpenDay { today: feb(4) }).unwrap();
    t.run(Command::ControlTraced { row: row(2, 0), person: None, measure: Some(home), at: at(feb(4), 8, 0) }).unwrap();
    let late = t.reg.traced_report(BatchId::new(2)).unwrap();
    assert_eq!((late.tally.settled_later, late.rows[0].minutes_to_control), (1, Some(660)));
    assert!(!late.tally.all_settled_same_day());

    // The log replays to the same registry.
    assert!(Registry::replay_records(&t.log).unwrap() == t.reg);
    assert!(t.reg.audit().is_empty());
}

/// A control dated on another day than the business date, or before the receipt, is refused.
#[test]
fn control_is_dated_today_and_after_the_receipt() {
    let mut t = town(1);
    t.run(Command::OpenDay { today: feb(3) }).unwrap();
    let record = PersonRecord::new().with_resident_id(ResidentId::parse(&id_text(0)).unwrap());
    let h = t.households[0][0];
    t.run(Command::RegisterPerson { household: h, record, state: PersonState::well(feb(1)) }).unwrap();
    let rows = vec![make_row(RowKind::Person(0), 0, feb(3))];
    t.run(Command::ReceiveTracedBatch { source: ListSource::Shipping, received: at(feb(3), 12, 0), rows }).unwrap();
    let row = RowRef { batch: BatchId::new(0), row: 0 };
    let home = Some(ControlMeasure::SetState { state: State::HomeIsolationEpidemicArea });
    let before = t.run(Command::ControlTraced { row, person: None, measure: home, at: at(feb(3), 11, 0) });
    assert!(matches!(before, Err(Error::Trace(TraceError::BeforeReceipt { .. }))), "{before:?}");
    let tomorrow = t.run(Command::ControlTraced { row, person: None, measure: home, at: at(feb(4), 11, 0) });
    assert!(tomorrow.is_err());
    let well = Some(ControlMeasure::SetState { state: State::Well });
    let not = t.run(Command::ControlTraced { row, person: None, measure: well, at: at(feb(3), 13, 0) });
    assert!(matches!(not, Err(Error::Trace(TraceError::NotAMeasure { .. }))), "{not:?}");
    let none = t.run(Command::ControlTraced { row, person: None, measure: None, at: at(feb(3), 13, 0) });
    assert!(matches!(none, Err(Error::Trace(TraceError::NotControlled { .. }))), "{none:?}");
    assert!(t.reg.traced_batch(BatchId::new(0)).unwrap().statuses[0].is_open());
}

/// The audit refuses a snapshot whose trace book holds what no command leaves: a bad row
/// read as matched, a row matched to another person than its document's, a control before
/// its batch was received, a row routed to a unit that does not exist.
#[test]
fn the_audit_refuses_an_unreachable_trace_book() {
    let mut t = town(1);
    t.run(Command::OpenDay { today: feb(3) }).unwrap();
    let mut persons = Vec::new();
    for i in 0..2u16 {
        let record = PersonRecord::new().with_resident_id(ResidentId::parse(&id_text(i)).unwrap());
        let h = t.households[0][usize::from(i)];
        persons.push(
            t.run(Command::RegisterPerson { household: h, record, state: PersonState::well(feb(1)) }).unwrap()[0]
                .new_person()
                .unwrap(),
        );
    }
    let rows = vec![
        make_row(RowKind::Person(0), 0, feb(2)),
        make_row(RowKind::BadId(5), 0, feb(2)),
        make_row(RowKind::Person(9), 0, feb(2)),
        make_row(RowKind::Person(1), 0, feb(2)),
    ];
    t.run(Command::ReceiveTracedBatch { source: ListSource::Port, received: at(feb(3), 9, 0), rows }).unwrap();
    let row = RowRef { batch: BatchId::new(0), row: 3 };
    let home = Some(ControlMeasure::SetState { state: State::HomeIsolationEpidemicArea });
    t.run(Command::ControlTraced { row, person: None, measure: home, at: at(feb(3), 10, 0) }).unwrap();
    let good = serde_json::to_value(t.reg.snapshot()).unwrap();
    assert!(Registry::from_snapshot(serde_json::from_value::<Snapshot>(good.clone()).unwrap()).is_ok());
    let p1 = persons[1].get();
    let edits: [(&str, serde_json::Value); 4] = [
        ("a bad row matched", serde_json::json!({ "Matched": { "person": 0 } })),
        ("a row matched to another person than its document's", serde_json::json!({ "Matched": { "person": p1 } })),
        (
            "controlled before the receipt",
            serde_json::json!({ "Controlled": { "person": p1, "at": "2020-02-03T08:00:00" } }),
        ),
        ("routed to no unit", serde_json::json!({ "NotFound": { "routed": 999 } })),
    ];
    for (i, (what, status)) in edits.into_iter().enumerate() {
        let mut edited = good.clone();
        let at_row = [1, 0, 3, 2][i];
        edited["trace"]["batches"][0]["statuses"][at_row] = status;
        let snapshot: Snapshot = serde_json::from_value(edited).unwrap();
        let refused = Registry::from_snapshot(snapshot);
        assert!(refused.is_err(), "{what}: loaded");
        let message = refused.unwrap_err().to_string();
        assert!(!message.contains(&id_text(0)) && !message.contains(&id_text(1)), "{what}: {message}");
    }
}

/// Through a scope: a community's worker sees the rows of their community only, and writes
/// only there; the batch is received by the whole sub-district.
#[test]
fn a_scope_sees_and_settles_its_own_rows_only() {
    let mut t = town(1);
    t.run(Command::OpenDay { today: feb(3) }).unwrap();
    let mut persons = Vec::new();
    for i in 0..2u16 {
        let record = PersonRecord::new().with_resident_id(ResidentId::parse(&id_text(i)).unwrap());
        let h = t.households[usize::from(i)][0];
        persons.push(
            t.run(Command::RegisterPerson { household: h, record, state: PersonState::well(feb(1)) }).unwrap()[0]
                .new_person()
                .unwrap(),
        );
    }
    let rows = vec![
        make_row(RowKind::Person(0), 4, feb(2)),
        make_row(RowKind::Person(1), 4, feb(2)),
        make_row(RowKind::BadId(3), 0, feb(2)),
    ];
    let c0 = [t.communities[0]];
    let command = Command::ReceiveTracedBatch { source: ListSource::Port, received: at(feb(3), 9, 0), rows };
    assert!(t.reg.clone().apply_within(&c0, command.clone()).is_err(), "a community receives no city list");
    t.run(command).unwrap();
    let scope = t.reg.scope(&c0).unwrap();
    let report = scope.traced_report(BatchId::new(0)).unwrap();
    assert_eq!(report.rows.iter().map(|r| r.row).collect::<Vec<_>>(), [0]);
    assert_eq!((report.tally.rows, report.tally.persons), (1, 1));
    assert!(scope.traced_tally(t.communities[1]).is_err());
    let home = Some(ControlMeasure::SetState { state: State::HomeIsolationEpidemicArea });
    let outside = RowRef { batch: BatchId::new(0), row: 1 };
    let mut reg = t.reg.clone();
    assert!(
        reg.apply_within(
            &c0,
            Command::ControlTraced { row: outside, person: None, measure: home, at: at(feb(3), 10, 0) }
        )
        .is_err()
    );
    let inside = RowRef { batch: BatchId::new(0), row: 0 };
    reg.apply_within(&c0, Command::ControlTraced { row: inside, person: None, measure: home, at: at(feb(3), 10, 0) })
        .unwrap();
    assert_eq!(reg.state(persons[0]).unwrap().state(), State::HomeIsolationEpidemicArea);
}
