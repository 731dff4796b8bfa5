//! # 28 days of a sub-district shaped like Huayuan Road 花园路街道, Zhengzhou (seed 003)
//!
//! ```sh
//! cargo run --release --example subdistrict
//! ```
//!
//! No arguments: the data is embedded, and a small fixed generator decides who lives where
//! and who comes back when, so every run prints the same. It runs in a few seconds.
//!
//! The sub-district is built through `Command`s only, in the four levels 四级 of Zhengzhou,
//! 街道 > 社区 > 楼院 > 楼组: nine communities 社区; courtyards 楼院 of three kinds (unmanaged
//! 无主管楼院, some of them bungalow yards 平房院, work-unit family courtyards 单位家属院 and
//! property-managed closed compounds 物业封闭小区), each keeping one way in and out
//! 所有楼院保留一个进出口; the seed's 168 checkpoints 卡点 (29 at unmanaged courtyards, 88 at
//! work-unit courtyards, 42 at public institutions, 9 at public places); every person
//! registered once 一人一档 on 25 January 2020 (摸排登记), those away for the Spring Festival
//! as away 不在本地.
//!
//! Then 28 days, 26 January to 22 February 2020, one block printed per day as it runs:
//!
//! - households coming back, from the epidemic area 疫区 (orange 橙) or from elsewhere
//!   (yellow 黄), each person put under seed 001's rule (`seed_shanghai_2020`: 14 days of
//!   home isolation 居家隔离 from the day of arrival, temperature twice a day) by
//!   [`Command::StartCase`](wangge::Command::StartCase), and their arrival recorded by origin ([`Command::RecordArrival`](wangge::Command::RecordArrival)):
//!   over the 28 days seed 003's cumulative 累计 1,518 households (3,463 persons in the seed)
//!   come back, read from the registry's cumulative arrival counts; the peak at once is lower;
//! - the morning round 晨间巡查 ([`Command::OpenDay`](wangge::Command::OpenDay)): phases entered and releases 解除隔离 on
//!   the last day, or a flag for review 待复核 when the last day's check is missing; the grid
//!   worker finds the reading the next day, records it late and releases the person;
//! - two temperature readings a day for everyone under a case ([`Command::RecordCheck`](wangge::Command::RecordCheck)), a
//!   few forgotten (漏报体温 on the next day's agenda), and one fever, 38.1 °C: the person
//!   becomes a suspected case 疑似病例 and the household turns red 红;
//! - the next day the hospital confirms the case 确诊 ([`Command::SetState`](wangge::Command::SetState)), and its close
//!   contacts 密切接触者, the family and those traced by the epidemiological survey 流调, go to
//!   centralised isolation 集中隔离 under `cn_ed9_close_contact` (7 days centralised, then 3 at
//!   home), with the tests 核酸检测 the agenda asks for ([`Command::RecordTest`](wangge::Command::RecordTest)). That is the
//!   national protocol of 2022, not of February 2020 (14 days): chosen to show a policy whose
//!   phases move a person from centralised isolation to home health monitoring;
//! - responsibility 包保: 六包一 (six named people for every community) solved once, 2+3
//!   (a grid worker, a health worker and a police officer for every person in home
//!   isolation) re-solved on the days its targets outgrow it, and a police officer leaving
//!   mid-way ([`Command::SetAvailability`](wangge::Command::SetAvailability), then [`Command::Replace`](wangge::Command::Replace) in both rosters).
//!
//! Each day prints the day's agenda 每日工作清单 as counts by kind, and the five colours
//! 四级五色 of the sub-district and of each community (households 户 of each colour, from
//! [`Registry::tally`](wangge::Registry::tally)). At the end it checks the audit 纵向稽核 and that the event log replays
//! into an equal registry, and writes to the system's temporary directory:
//!
//! - `wangge-subdistrict-map-*.svg`: courtyard maps 院区疫情防控平面图 of three moments (the
//!   confirmed case's courtyard the day its contacts leave, the busiest courtyard at the peak
//!   and on the last day);
//! - `wangge-subdistrict-tallies.csv`: every day's households and persons of each colour, for
//!   the sub-district and each community.
//!
//! The checkpoint and isolation figures are the seed's; names of communities, courtyards and
//! institutions are illustrative; households, persons, staff and who travels are made up.
//! Personal data (names, phones, identity numbers) is registered but never printed: persons
//! and staff appear by id only.
//!
//!
//! The sub-district and its 28 days are the library's, [`wangge::demo`] (feature `demo`):
//! [`build_huayuan_road_registered`](wangge::demo::build_huayuan_road_registered),
//! [`staff_huayuan_road`](wangge::demo::staff_huayuan_road) and [`Story`] are shared with
//! `tests/scenarios.rs` and the reference service; this example keeps `main`, the printing and
//! the files it writes.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use chrono::Datelike;
use wangge::colour::{Colour, Measure};
use wangge::demo::{
    CENTRALISED_PERSONS, DAYS, Day, HOME_ISOLATION_HOUSEHOLDS, HOME_ISOLATION_PERSONS, SUB_DISTRICT, Story, day_of,
    first_day, registered_on, thousands,
};
use wangge::duty::Qualification;
use wangge::grid::{CheckpointKind, CompoundKind, UnitKind};
use wangge::quarantine::CaseStatus;
use wangge::work::{Status, TaskSubject};
use wangge::{Counts, Error, Registry, UnitId};

// ---------------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------------

fn main() -> Result<(), Error> {
    let started = Instant::now();
    let mut story = Story::new()?;
    print_setup(&story)?;
    println!();
    println!("Each day: households 户 of each colour at its end, what happened, and its agenda (counts by kind):");
    while let Some(day) = story.next_day()? {
        print_day(&story, &day)?;
    }
    println!();
    print_end(&story)?;
    println!();
    print_worklist(&story)?;
    println!();
    print_files(&story)?;
    println!("28 days lived in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(())
}

/// One grid worker's worklist 工作清单 on the last day: "what must I do today?", each task
/// with its subject, slot, status and why it is theirs; and the hotline's figures.
fn print_worklist(story: &Story) -> Result<(), Error> {
    let reg = &story.reg;
    let Some(today) = reg.business_date() else { return Ok(()) };
    let day = reg.workday(today);
    let workers: Vec<_> = day
        .staff()
        .filter(|&s| reg.staff_member(s).is_ok_and(|m| m.qualifications().contains(Qualification::GridWorker)))
        .collect();
    let Some(&busiest) = workers.iter().max_by_key(|&&s| (day.worklist(s).count(), std::cmp::Reverse(s))) else {
        return Ok(());
    };
    let home = reg.tree().unit(reg.staff_member(busiest)?.home())?.name().to_owned();
    println!(
        "Worklist 工作清单 of grid worker {busiest:?} 网格员 ({home}) on {today}, the busiest of {} grid workers:",
        workers.len()
    );
    for t in day.worklist(busiest).take(12) {
        let subject = match t.key.subject {
            TaskSubject::Person(p) => format!("{p:?}"),
            TaskSubject::Household(h) => format!("{h:?} {}", reg.population().household(h)?.door()),
            TaskSubject::Unit(u) => reg.tree().unit(u)?.name().to_owned(),
        };
        let status = match t.status {
            Status::Open => "to do".to_owned(),
            Status::Done(c) => format!("done ({:?})", c.outcome),
            Status::Overdue { since } => format!("overdue since {since}"),
        };
        let why = match &t.assignee {
            wangge::work::Assignee::Staff { why: wangge::work::Why::Holds(r), .. } => {
                format!("{} of {}", r.role.label_zh(), reg.scheme(r.scheme)?.name())
            }
            wangge::work::Assignee::Staff { why, .. } => format!("{why:?}"),
            wangge::work::Assignee::Nobody(reason) => format!("{reason:?}"),
        };
        println!(
            "  {}–{}  {:<8} {:<22} {:<20} {why}",
            t.due.from().format("%H:%M"),
            t.due.until().format("%H:%M"),
            t.key.duty.label_zh(),
            subject,
            status
        );
    }
    let more = day.worklist(busiest).count().saturating_sub(12);
    if more > 0 {
        println!("  … and {more} more");
    }
    let tickets = reg.ticket_report(reg.root())?;
    println!(
        "12345 hotline: {} tickets, {:.0}% accepted at once 立即受理, {:.0}% closed the same day 当天结案",
        tickets.received,
        100.0 * tickets.rate(tickets.accepted),
        100.0 * tickets.rate(tickets.closed_same_day)
    );
    Ok(())
}

/// The sub-district and its communities with counts, the checkpoints, who is away, the
/// policies and the staff.
fn print_setup(story: &Story) -> Result<(), Error> {
    let (reg, layout) = (&story.reg, &story.layout);
    let scheme = reg.tree().scheme();
    let levels: Vec<&str> = scheme.levels().map(|(_, spec)| spec.name_zh()).collect();
    println!("{SUB_DISTRICT} · {} · {}", scheme.name(), levels.join(" > "));
    println!("{}", unit_line(reg, layout.root)?);
    for &community in &layout.communities {
        println!("{}  {}", unit_line(reg, community)?, community_summary(reg, community)?);
    }
    let mut checkpoints: HashMap<CheckpointKind, u32> = HashMap::new();
    for &c in &layout.checkpoints {
        if let UnitKind::Entrance(Some(kind)) = reg.tree().unit(c)?.kind() {
            *checkpoints.entry(kind).or_default() += 1;
        }
    }
    let by_kind: Vec<String> =
        CheckpointKind::ALL.iter().map(|k| format!("{} {}", k.label_zh(), checkpoints.get(k).unwrap_or(&0))).collect();
    println!("  {} 楼院 · 卡点 {}: {}", layout.courtyards.len(), layout.checkpoints.len(), by_kind.join(" · "));
    println!(
        "摸排登记 {}: everyone registered once 一人一档; {} persons of {} households away 不在本地 for the Spring Festival.",
        registered_on()?,
        thousands(story.away.0 as u64),
        thousands(story.away.1 as u64)
    );
    for (policy, whom) in [(story.arrivals_policy, "every arrival"), (story.contacts_policy, "close contacts")] {
        let p = reg.policy(policy)?;
        let phases: Vec<String> =
            p.phases().iter().map(|ph| format!("{} {}", ph.setting().label_zh(), ph.days())).collect();
        let tests: usize = p.phases().iter().map(|ph| ph.test_days().len()).sum();
        println!(
            "隔离政策 {} for {whom}: {} days ({}), {} checks a day, {tests} tests",
            p.name(),
            p.total_days(),
            phases.join(" + "),
            p.checks_per_day()
        );
    }
    let on = first_day()?;
    let six = reg.duty_coverage(story.duty.six, layout.root, on)?;
    let by_role: Vec<String> = [Qualification::GridWorker, Qualification::HealthWorker, Qualification::Police]
        .iter()
        .map(|&q| {
            let n = reg.staff_pool().iter().filter(|s| s.qualifications().contains(q)).count();
            format!("{} {n}", q.label_zh())
        })
        .collect();
    println!(
        "包保 {} staff (ids only): 六包一 solved on {on}, {} of {} communities with all six; 2+3 sized for the planned peak: {}",
        reg.staff_pool().len(),
        six.covered,
        six.targets,
        by_role.join(" · ")
    );
    Ok(())
}

const WEEKDAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

/// How wide the name column of the colour table is, in terminal columns.
const NAME_COLUMNS: usize = 30;

/// One day: the households of each colour in the sub-district and each community, what
/// happened, and the agenda at the end of the day as counts by kind.
fn print_day(story: &Story, day: &Day) -> Result<(), Error> {
    let weekday = WEEKDAYS.get(day.date.weekday().num_days_from_monday() as usize).unwrap_or(&"");
    let header: String = Colour::BY_SEVERITY.iter().map(|c| format!("{:>7}", c.label_zh())).collect();
    println!("{}{header}", pad(&format!("── {} {weekday} · day {}/{DAYS} ──", day.date, day.number), NAME_COLUMNS));
    let tree = story.reg.tree();
    for unit in std::iter::once(story.layout.root).chain(story.layout.communities.iter().copied()) {
        let indent = "  ".repeat(tree.depth(unit)? + 1);
        let tally = story.reg.tally(unit)?;
        let row: String =
            Colour::BY_SEVERITY.iter().map(|&c| format!("{:>8}", thousands(tally.households(c)))).collect();
        println!("{}{row}", pad(&format!("{indent}{}", tree.unit(unit)?.name()), NAME_COLUMNS));
    }
    let round = [
        (day.released, "released 解除隔离 on their last day"),
        (day.entered, "to their next phase 转段"),
        (day.flagged, "flagged for review 待复核"),
        (day.cleared, "under review released after a late reading"),
    ];
    let round: Vec<String> = round.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{n} {what}")).collect();
    if !round.is_empty() {
        println!("  morning round 晨间巡查: {}", round.join(", "));
    }
    if day.back.0 > 0 {
        println!(
            "  back 返回: {} households; {} persons from the epidemic area 疫区, {} from elsewhere",
            day.back.0, day.back.1, day.back.2
        );
    }
    for note in &day.notes {
        println!("  {note}");
    }
    let w = &day.work;
    println!(
        "  work 每日工作: {} tasks, {} done, {} open, {} overdue 逾期, {} nobody can take 无人可派",
        thousands(u64::from(w.owed)),
        thousands(u64::from(w.done)),
        thousands(u64::from(w.open)),
        thousands(u64::from(w.overdue)),
        thousands(day.unassigned as u64)
    );
    let mut counts: Vec<(&str, &str, usize)> = Vec::new();
    for line in day.agenda.items() {
        match counts.last_mut() {
            Some((label, _, n)) if *label == line.item.label_zh() => *n += 1,
            _ => counts.push((line.item.label_zh(), line.item.label_en(), 1)),
        }
    }
    let counts: Vec<String> = counts.iter().map(|(zh, en, n)| format!("{zh} {en} {}", thousands(*n as u64))).collect();
    println!(
        "  agenda 每日工作清单: {}",
        if counts.is_empty() { "nothing due".to_owned() } else { counts.join(" · ") }
    );
    Ok(())
}

/// `text` padded with spaces to `width` columns, counting CJK characters as two.
fn pad(text: &str, width: usize) -> String {
    let used: usize = text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(used)))
}

/// What the 28 days came to, against seed 003's figures, and the checks of soundness.
fn print_end(story: &Story) -> Result<(), Error> {
    let (reg, t, peak) = (&story.reg, &story.totals, &story.peak);
    println!("After {DAYS} days:");
    println!(
        "  back 返回: {} households, {} persons ({} from the epidemic area 疫区, {} from elsewhere 非疫区); {} close contacts 密切接触者",
        thousands(t.households_back as u64),
        thousands((t.from_epidemic_area + t.from_elsewhere) as u64),
        thousands(t.from_epidemic_area as u64),
        thousands(t.from_elsewhere as u64),
        t.close_contacts
    );
    let (households, persons) =
        reg.arrival_counts(story.layout.root, day_of(DAYS)?)?.cumulative.by_measure(Measure::HomeIsolation);
    println!(
        "  home isolation 居家隔离 served, cumulative 累计: {} households / {} persons (seed 003: 累计居家隔离服务{}户{}人)",
        thousands(u64::from(households)),
        thousands(u64::from(persons)),
        HOME_ISOLATION_HOUSEHOLDS,
        HOME_ISOLATION_PERSONS,
    );
    println!(
        "  at once, at the peak: {} households / {} persons on {}; centralised isolation 集中隔离 at most {} persons (seed 003: {})",
        thousands(peak.households),
        thousands(peak.persons),
        peak.date.map_or_else(|| "-".to_owned(), |d| d.to_string()),
        peak.centralised,
        CENTRALISED_PERSONS
    );
    let open = reg.cases().filter(|(_, c)| matches!(c.status(), CaseStatus::Open | CaseStatus::Review { .. })).count();
    println!(
        "  cases 隔离个案: {} released 解除隔离 ({} by the morning round, {} after review 复核), {} escalated, {} still open",
        thousands((t.released_by_round + t.released_after_review) as u64),
        thousands(t.released_by_round as u64),
        t.released_after_review,
        t.escalated,
        thousands(open as u64)
    );
    println!(
        "  readings 体温: {} recorded, {} forgotten on the day; tests 核酸: {}, all negative",
        thousands(t.readings as u64),
        thousands(t.readings_missed as u64),
        thousands(t.tests as u64)
    );
    let last = day_of(DAYS)?;
    let six = reg.duty_coverage(story.duty.six, story.layout.root, last)?;
    let teams = reg.duty_coverage(story.duty.two_plus_three, story.layout.root, last)?;
    println!(
        "  包保: 六包一 {} of {} communities; 2+3 re-solved on {} days, {} of {} persons in home isolation covered on {last}",
        six.covered,
        six.targets,
        t.solves,
        thousands(teams.covered as u64),
        thousands(teams.targets as u64)
    );
    let replayed = Registry::replay(&story.log)? == *reg;
    let findings = reg.audit();
    println!(
        "  event log: {} events, replayed into an equal registry: {replayed}; audit 纵向稽核: {} findings; releases before their date: {}",
        thousands(story.log.len() as u64),
        findings.len(),
        story.early_releases()?
    );
    for f in findings.iter().take(5) {
        println!("    {f}");
    }
    Ok(())
}

/// Write the kept courtyard maps and the CSV of daily tallies to the temporary directory,
/// and print their paths.
fn print_files(story: &Story) -> Result<(), Error> {
    let dir = std::env::temp_dir();
    let mut files: Vec<(PathBuf, String, String)> = Vec::new();
    for (i, map) in story.maps.iter().enumerate() {
        let name = story.reg.tree().unit(map.courtyard)?.name().to_owned();
        let path = dir.join(format!("wangge-subdistrict-map-{}-{}.svg", i + 1, map.date));
        files.push((path, map.svg.clone(), format!("{name}, {}: {}", map.date, map.what)));
    }
    let mut csv = String::from("date,unit,name");
    for what in ["households", "persons"] {
        for c in Colour::BY_SEVERITY {
            let _ = write!(csv, ",{}_{what}", c.label_en());
        }
    }
    csv.push('\n');
    for (date, unit, tally) in &story.tallies {
        let _ = write!(csv, "{date},{unit},{}", story.reg.tree().unit(*unit)?.name());
        for n in Colour::BY_SEVERITY
            .iter()
            .map(|&c| tally.households(c))
            .chain(Colour::BY_SEVERITY.iter().map(|&c| tally.persons(c)))
        {
            let _ = write!(csv, ",{n}");
        }
        csv.push('\n');
    }
    let rows = story.tallies.len();
    files.push((
        dir.join("wangge-subdistrict-tallies.csv"),
        csv,
        format!("{rows} rows: households and persons of each colour, each day, the sub-district and each community"),
    ));
    println!("Files:");
    for (path, contents, what) in files {
        match std::fs::write(&path, contents) {
            Ok(()) => println!("  {}  ({what})", path.display()),
            Err(e) => println!("  could not write {}: {e}", path.display()),
        }
    }
    Ok(())
}

/// One line for a unit: indented by depth, name, Chinese level and kind, and for units that
/// hold residents their households and persons.
fn unit_line(reg: &Registry, unit: UnitId) -> Result<String, Error> {
    let tree = reg.tree();
    let u = tree.unit(unit)?;
    let indent = "  ".repeat(tree.depth(unit)? + 1);
    let level = tree.scheme().spec(u.level()).map_or("?", |s| s.name_zh());
    let mut line = format!("{indent}{} [{level} · {}]", u.name(), u.kind().label_zh());
    if u.kind().holds_residents() {
        let Counts { households, persons } = reg.counts(unit)?;
        line += &format!(" {}户 {}人", thousands(households), thousands(persons));
    }
    Ok(line)
}

/// Courtyards by kind and checkpoints inside a community.
fn community_summary(reg: &Registry, community: UnitId) -> Result<String, Error> {
    let tree = reg.tree();
    let (mut yards, mut checkpoints) = (HashMap::new(), 0);
    for u in tree.descendants(community)? {
        match tree.unit(u)?.kind() {
            UnitKind::Compound(kind) => *yards.entry(kind).or_insert(0) += 1,
            UnitKind::Entrance(Some(_)) => checkpoints += 1,
            _ => {}
        }
    }
    let shown = [
        (CompoundKind::Unmanaged, "无主管"),
        (CompoundKind::WorkUnit, "单位"),
        (CompoundKind::PropertyManagedClosed, "物业"),
    ];
    let kinds: Vec<String> = shown.iter().map(|(k, label)| format!("{label} {}", yards.get(k).unwrap_or(&0))).collect();
    Ok(format!("楼院: {} · 卡点 {checkpoints}", kinds.join(" ")))
}
