//! The proptest configuration the property test files share: their own case count unless
//! `PROPTEST_CASES` says otherwise, and failures kept in their own regression file.

use proptest::test_runner::{Config, FileFailurePersistence};

/// `cases` cases unless `PROPTEST_CASES` is set (proptest then reads it); failures kept in
/// `regressions` (a path from the package root) and replayed first on the next run.
pub fn persisted(regressions: &'static str, cases: u32) -> Config {
    let default = Config::default();
    Config {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() { default.cases } else { cases },
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions))),
        ..default
    }
}
