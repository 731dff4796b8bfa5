//! Benches of the calendar behind the daily agenda 每日事项 (`wangge::quarantine::Calendar`).
//!
//! Calendars, named in every bench id, keyed by `u32` case ids, each case with a preset drawn
//! at random among `Policy::presets()` (all sixteen, mixed) and an anchor drawn among 21 days:
//! - `100k`: 100,000 cases, anchors the 21 days up to `TODAY` (`TODAY` − 20 ..= `TODAY`), keys
//!   0, 10, 20 ...;
//! - `1m`: 1,000,000 cases drawn the same way (keys 0, 1, 2 ...): about ten times the items due
//!   today, so its time is read per item;
//! - `1m_same_due`: the `100k` calendar's cases, the same keys and schedules, plus 900,000 more
//!   (the keys in between) anchored in the 21 days before the earliest anchor whose release
//!   still falls before `TODAY`: those are open cases whose every date is past (a period that
//!   ends only after a clean last check, a case not yet closed). **What is held equal**: the
//!   items due on `TODAY`, identical to `100k`'s (checked once, outside the timing), while the
//!   calendar holds ten times the cases and ten times the entries.
//!
//! Group `agenda`: `due_on/{100k,1m,1m_same_due}`, the agenda of `TODAY` collected into a
//! reused vector (what the registry's `agenda(today)` will do), with the items due as
//! criterion's throughput, so the time per item is read off the report.
//!
//! Before measuring, every calendar's build time (`insert` of each case, in key order), its
//! items due today and its live heap bytes (counted by the global allocator) are printed.
//!
//! Run: `cargo bench --all-features --bench quarantine` (see BENCHMARKS.md for the figures).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wangge::quarantine::{Calendar, Due, Policy, Schedule};

/// The system allocator, keeping a count of the live heap bytes, to print what a calendar
/// holds. Counting costs a relaxed atomic add per allocation and per release.
struct Counting;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is only
// adjusted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The date whose agenda is benched.
const TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2020, 3, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// Anchors are spread over this many days.
const ANCHOR_DAYS: u64 = 21;

/// A deterministic draw for case `i` (splitmix64): the same case gets the same preset and
/// anchor in every calendar.
fn draw(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Every preset's schedule from each of the 21 anchors of a window ending on `last_anchor`:
/// `table[preset][day]`.
fn schedules(last_anchor: NaiveDate) -> Vec<Vec<Schedule>> {
    let first = last_anchor.checked_sub_days(Days::new(ANCHOR_DAYS - 1)).expect("a date in 2020");
    Policy::presets()
        .iter()
        .map(|p| {
            (0..ANCHOR_DAYS)
                .map(|d| p.schedule(first.checked_add_days(Days::new(d)).expect("a date in 2020")).expect("a preset"))
                .collect()
        })
        .collect()
}

/// Case `i`'s schedule: a preset and an anchor drawn from the table.
fn schedule_of(table: &[Vec<Schedule>], i: u64) -> &Schedule {
    let x = draw(i);
    let preset = (x % table.len() as u64) as usize;
    let day = ((x >> 32) % ANCHOR_DAYS) as usize;
    &table[preset][day]
}

/// Build a calendar of the cases `(key, schedule)`, printing its build time, items due today
/// and live heap bytes.
fn build<'a>(name: &str, cases: impl Iterator<Item = (u32, &'a Schedule)>) -> Calendar<u32> {
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    let start = Instant::now();
    let mut calendar = Calendar::new();
    for (key, schedule) in cases {
        calendar.insert(key, schedule);
    }
    let built = start.elapsed();
    let bytes = LIVE_BYTES.load(Ordering::Relaxed).saturating_sub(before);
    let items = calendar.due_on(TODAY).count();
    let releases = calendar.due_on(TODAY).filter(|&(_, due)| due == Due::Release).count();
    let tests = calendar.due_on(TODAY).filter(|&(_, due)| due == Due::Test).count();
    eprintln!(
        "calendar {name}: {} cases built in {:.3} s; {:.1} MB live heap ({:.0} B a case); due {TODAY}: {items} items \
         ({releases} releases, {tests} tests)",
        calendar.len(),
        built.as_secs_f64(),
        bytes as f64 / 1e6,
        bytes as f64 / calendar.len() as f64,
    );
    calendar
}

fn bench_agenda(c: &mut Criterion) {
    let recent = schedules(TODAY);
    // The latest release counted from an anchor, over the presets: the 900k past cases are
    // anchored so that even their latest release falls before TODAY.
    let reach = recent
        .iter()
        .flatten()
        .map(|s| s.release().signed_duration_since(s.anchor()).num_days())
        .max()
        .expect("presets");
    let past_last_anchor =
        TODAY.checked_sub_days(Days::new(ANCHOR_DAYS - 1 + reach.unsigned_abs() + 1)).expect("a date in 2020");
    let past = schedules(past_last_anchor);
    assert!(past.iter().flatten().all(|s| s.release() < TODAY), "nothing of the past cases is due today");

    let small = build("100k", (0..100_000u32).map(|i| (i * 10, schedule_of(&recent, u64::from(i)))));
    let large = build("1m", (0..1_000_000u32).map(|i| (i, schedule_of(&recent, u64::from(i)))));
    let same = build(
        "1m_same_due",
        (0..1_000_000u32).map(|k| {
            // Keys 0, 10, 20 ... are the 100k calendar's cases; the keys in between are past.
            if k % 10 == 0 {
                (k, schedule_of(&recent, u64::from(k / 10)))
            } else {
                (k, schedule_of(&past, u64::from(k)))
            }
        }),
    );
    let small_today: Vec<(u32, Due)> = small.due_on(TODAY).collect();
    assert_eq!(small_today, same.due_on(TODAY).collect::<Vec<_>>(), "the same items due today");

    let mut group = c.benchmark_group("agenda");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    let mut agenda: Vec<(u32, Due)> = Vec::new();
    for (name, calendar) in [("100k", &small), ("1m", &large), ("1m_same_due", &same)] {
        let items = calendar.due_on(TODAY).count();
        group.throughput(Throughput::Elements(items as u64));
        group.bench_function(format!("due_on/{name}"), |b| {
            b.iter(|| {
                agenda.clear();
                agenda.extend(calendar.due_on(black_box(TODAY)));
                black_box(agenda.len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_agenda);
criterion_main!(benches);
