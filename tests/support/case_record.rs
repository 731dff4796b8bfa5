//! The case record of the tests' naive models (`tests/cases.rs`, `tests/reference.rs`): a case
//! as plain fields and a list of what was recorded on each date, read by linear scans.

use chrono::NaiveDate;
use wangge::quarantine::{CaseChange, CaseStatus, Category, TestResult};

/// What was recorded for a case on one date.
#[derive(Debug, Clone, Copy)]
pub struct MDay {
    pub date: NaiveDate,
    pub checks: u32,
    pub symptoms: bool,
    pub test: Option<TestResult>,
}

/// A case as the models keep it.
#[derive(Debug, Clone)]
pub struct MCase {
    pub person: usize,
    pub policy: usize,
    pub category: Category,
    pub anchor: NaiveDate,
    pub started: NaiveDate,
    pub settled: NaiveDate,
    pub linked: Option<usize>,
    pub status: CaseStatus,
    /// In the order first recorded; one per date.
    pub days: Vec<MDay>,
    /// The changes of policy and adjustments, in order (read by `tests/reference.rs`, whose
    /// model makes them; `tests/cases.rs` makes none).
    #[allow(dead_code)]
    pub changes: Vec<CaseChange>,
}

impl MCase {
    pub fn active(&self) -> bool {
        matches!(self.status, CaseStatus::Open | CaseStatus::Review { .. })
    }

    pub fn day(&self, date: NaiveDate) -> MDay {
        self.days.iter().find(|d| d.date == date).copied().unwrap_or(MDay {
            date,
            checks: 0,
            symptoms: false,
            test: None,
        })
    }

    pub fn day_mut(&mut self, date: NaiveDate) -> &mut MDay {
        if !self.days.iter().any(|d| d.date == date) {
            self.days.push(MDay { date, checks: 0, symptoms: false, test: None });
        }
        self.days.iter_mut().find(|d| d.date == date).expect("just added")
    }

    /// The test results, in date order.
    pub fn tests(&self) -> Vec<(NaiveDate, TestResult)> {
        let mut out: Vec<_> = self.days.iter().filter_map(|d| d.test.map(|t| (d.date, t))).collect();
        out.sort();
        out
    }
}
