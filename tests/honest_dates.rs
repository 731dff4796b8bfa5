//! Honest dates (issue 18 §1): a map "on a date" shows that date's colours, read from the log,
//! or says which business date 业务日期 its colours are of; and a map of a large unit is refused
//! rather than drawn.
//!
//! The expected values are what the live registry showed at the end of each day, captured as
//! the days ran: `Registry::as_of` must give back exactly that from the log alone.

use chrono::NaiveDate;
use proptest::prelude::*;
use wangge::colour::{ColourMap, PersonState, State, Tally};
use wangge::grid::{LevelScheme, NewUnit, UnitKind};
use wangge::people::{DoorLabel, PersonRecord};
use wangge::registry::Record;
use wangge::{Command, Error, ErrorKind, HouseholdId, PersonId, Registry, UnitId};

const HOUSEHOLDS: usize = 6;
const MEMBERS: usize = 2;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).expect("a day of February 2020")
}

/// A registry with a community and one courtyard of six two-person households, every record
/// kept; business date 1 February.
struct Log {
    reg: Registry,
    records: Vec<Record>,
    yard: UnitId,
}

impl Log {
    fn new() -> Result<Log, Error> {
        let reg = Registry::new(LevelScheme::zhengzhou(), NewUnit::new("花园路街道", "街道", UnitKind::Area))?;
        let records = vec![reg.founding_record()];
        let mut log = Log { reg, records, yard: UnitId::new(0) };
        let root = log.reg.root();
        let community = log
            .run(Command::AddUnit { parent: root, unit: NewUnit::new("农科路社区", "社区", UnitKind::Area) })?;
        let community = community.ok_or("a community").map_err(|_| bad())?;
        let yard =
            log.run(Command::AddUnit { parent: community, unit: NewUnit::new("3号院", "楼院", UnitKind::Area) })?;
        log.yard = yard.ok_or(()).map_err(|()| bad())?;
        log.run(Command::OpenDay { today: day(1) })?;
        for h in 0..HOUSEHOLDS {
            let door = DoorLabel::new(&format!("1-{}", 101 + h))?;
            log.run(Command::AddHousehold { unit: log.yard, door })?;
            for _ in 0..MEMBERS {
                let household = HouseholdId::new(h as u32);
                let state = PersonState::well(day(1));
                log.run(Command::RegisterPerson { household, record: PersonRecord::new(), state })?;
            }
        }
        Ok(log)
    }

    /// Execute `command`, keep its record, and return the unit it added, if any.
    fn run(&mut self, command: Command) -> Result<Option<UnitId>, Error> {
        let answer = self.reg.execute(command, None)?;
        let record = answer.record().ok_or_else(bad)?;
        self.records.push(record.clone());
        Ok(record.events().iter().find_map(|e| e.new_unit()))
    }
}

fn bad() -> Error {
    wangge::RegistryError::Founding.into()
}

/// What the live registry showed at the end of a day.
struct Seen {
    date: NaiveDate,
    tally: Tally,
    map: ColourMap,
}

const STATES: [State; 6] = [
    State::Well,
    State::Absent,
    State::HomeIsolationElsewhere,
    State::CloseContact,
    State::Suspected,
    State::Confirmed,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// For any days of state changes, the registry read from the log as of each day equals
    /// what the live registry showed at that day's end (tally and map), and the live registry
    /// refuses to map a day before its business date.
    #[test]
    fn a_past_days_map_is_read_from_the_log(
        days in prop::collection::vec(prop::collection::vec((0..HOUSEHOLDS * MEMBERS, 0..STATES.len()), 0..6), 1..6),
    ) {
        let mut log = Log::new().expect("the courtyard");
        let root = log.reg.root();
        let mut seen = Vec::new();
        let mut date = day(1);
        for (i, changes) in days.iter().enumerate() {
            if i > 0 {
                date = day(1 + i as u32);
                log.run(Command::OpenDay { today: date }).expect("a later day opens");
            }
            for &(person, state) in changes {
                // A change the rules refuse is not recorded; the rest are.
                let _ = log.run(Command::SetState { person: PersonId::new(person as u32), state: STATES[state], on: date });
            }
            seen.push(Seen { date, tally: log.reg.tally(root).expect("the root").clone(), map: log.reg.map(log.yard, date).expect("today's map") });
        }
        for s in &seen {
            let then = Registry::as_of(&log.records, s.date).expect("the log replays");
            prop_assert_eq!(then.business_date(), Some(s.date));
            prop_assert_eq!(then.tally(root).expect("the root"), &s.tally);
            prop_assert_eq!(&then.map(log.yard, s.date).expect("that day's map"), &s.map);
            prop_assert_eq!(s.map.as_of(), None, "a map of its own business date names no other");
            if s.date < date {
                let refused = log.reg.map(log.yard, s.date).expect_err("a past day's colours are not today's");
                prop_assert_eq!(refused.code(), "registry.past_colours");
            }
        }
    }
}

#[test]
fn a_map_printed_after_the_business_date_says_whose_colours_it_shows() -> Result<(), Error> {
    let log = Log::new()?;
    let map = log.reg.map(log.yard, day(3))?;
    assert_eq!((map.date(), map.as_of()), (day(3), Some(day(1))));
    assert!(map.to_text().contains("2020-02-03 · 颜色截至业务日期 colours as of business date 2020-02-01"));
    assert!(map.to_svg().contains("colours as of business date 2020-02-01"));
    let today = log.reg.map(log.yard, day(1))?;
    assert!(!today.to_svg().contains("as of business date"));
    Ok(())
}

#[test]
fn a_map_of_more_households_than_its_limit_is_refused() -> Result<(), Error> {
    let log = Log::new()?;
    for limit in 0..=HOUSEHOLDS + 1 {
        match log.reg.map_limited(log.yard, day(1), limit) {
            Ok(map) => assert!(HOUSEHOLDS <= limit && map.total_households() == HOUSEHOLDS),
            Err(e) => {
                assert!(HOUSEHOLDS > limit, "refused at {limit}: {e}");
                assert_eq!((e.code(), e.kind()), ("registry.map_too_large", ErrorKind::Invalid));
            }
        }
    }
    assert_eq!(log.reg.map(log.yard, day(1))?.total_households(), HOUSEHOLDS);
    Ok(())
}

proptest! {
    /// Pages read one after another cover a list exactly once, in its order, whatever the
    /// offsets and limits (limits clamped to 1..=1000), against the list sliced naively.
    #[test]
    fn pages_cover_a_list_once_in_order(len in 0usize..40, limit in 0usize..12, start in 0usize..45) {
        use wangge::page::{Page, PageRequest};
        let list: Vec<usize> = (0..len).collect();
        let one = Page::of(list.iter().copied(), PageRequest::new(start, limit));
        let want: Vec<usize> = list.iter().copied().skip(start).take(limit.max(1)).collect();
        prop_assert_eq!(one.items(), &want[..]);
        prop_assert_eq!(one.total(), len);
        let mut seen = Vec::new();
        let mut offset = Some(0);
        while let Some(at) = offset {
            let page = Page::of(list.iter().copied(), PageRequest::new(at, limit));
            prop_assert!(!page.items().is_empty() || len == 0);
            seen.extend_from_slice(page.items());
            offset = page.next();
        }
        prop_assert_eq!(seen, list);
    }
}

#[test]
fn the_households_of_a_unit_come_a_page_at_a_time() -> Result<(), Error> {
    use wangge::page::PageRequest;
    let log = Log::new()?;
    let all: Vec<HouseholdId> = log.reg.households_within(log.yard)?.collect();
    let first = log.reg.households_page(log.yard, PageRequest::new(0, 4))?;
    let second = log.reg.households_page(log.yard, PageRequest::new(4, 4))?;
    assert_eq!((first.total(), first.next(), second.next()), (HOUSEHOLDS, Some(4), None));
    assert_eq!([first.items(), second.items()].concat(), all);
    let scope = log.reg.scope(&[log.yard])?;
    assert_eq!(scope.households_page(log.yard, PageRequest::new(4, 4))?, second);
    assert!(scope.households_page(log.reg.root(), PageRequest::default()).is_err());
    let agenda = log.reg.agenda(day(1));
    assert_eq!(agenda.page(PageRequest::default()).total(), agenda.len());
    Ok(())
}

/// A level named by a string no level has is refused without repeating the string: a mistyped
/// field may hold anything, an identity number included (the fuzzed logs of `bad_input.rs`
/// found the first version echoing it).
#[test]
fn an_unknown_level_name_is_not_repeated_in_the_error() -> Result<(), Error> {
    let mut log = Log::new()?;
    let root = log.reg.root();
    let typo = "41010519800101001X";
    let refused =
        log.run(Command::AddUnit { parent: root, unit: NewUnit::new("某社区", typo, UnitKind::Area) }).unwrap_err();
    assert_eq!((refused.code(), refused.kind()), ("grid.unknown_level_name", ErrorKind::NotFound));
    assert!(!refused.to_string().contains(typo) && !format!("{refused:?}").contains(typo), "{refused}");
    Ok(())
}
