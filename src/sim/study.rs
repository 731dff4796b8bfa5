//! A study: several managements over many seeds, in parallel threads, summarised with
//! confidence intervals.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Management, Outcome, Params, Sim, SimError, check_days};

/// A study 研究: each [`Management`] run with each seed on the same city, for the same days
/// and parameters. Every run of a seed starts from the same first infections (common random
/// numbers), so the managements are compared on the same outbreaks.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Study {
    /// The managements compared, in the order of the results.
    pub managements: Vec<Management>,
    /// The seeds (default 1 to 10).
    pub seeds: Vec<u64>,
    /// Days simulated (default 150).
    pub days: u16,
    /// The model's parameters (default [`Params::default`]).
    pub params: Params,
    /// Worker threads (default 1; at most one per run). The results do not depend on it.
    pub threads: usize,
}

impl Study {
    /// A study of `managements` with the defaults.
    pub fn new(managements: Vec<Management>) -> Study {
        Study { managements, seeds: (1..=10).collect(), days: 150, params: Params::default(), threads: 1 }
    }

    /// The same with these seeds.
    pub fn seeds(mut self, seeds: impl IntoIterator<Item = u64>) -> Study {
        self.seeds = seeds.into_iter().collect();
        self
    }

    /// The same with `days` days.
    pub fn days(mut self, days: u16) -> Study {
        self.days = days;
        self
    }

    /// The same with these parameters.
    pub fn params(mut self, params: Params) -> Study {
        self.params = params;
        self
    }

    /// The same on `threads` worker threads (0 is taken as 1).
    pub fn threads(mut self, threads: usize) -> Study {
        self.threads = threads;
        self
    }

    /// Run every management with every seed on `sim`'s city, in [`Study::threads`] threads
    /// (each takes the next run not yet taken; the results are put back in order).
    ///
    /// # Errors
    /// [`SimError::EmptyStudy`] without managements or seeds, a parameter out of range, the
    /// first run's error in the order of the results, [`SimError::Worker`] if a thread panicked.
    ///
    /// # Complexity
    /// Managements × seeds runs, each O(persons) to start (the registry cloned) and then
    /// proportional to the infected, their contacts and the persons under a case, each day.
    pub fn run(&self, sim: &Sim) -> Result<StudyResult, SimError> {
        if self.managements.is_empty() {
            return Err(SimError::EmptyStudy { what: "management" });
        }
        if self.seeds.is_empty() {
            return Err(SimError::EmptyStudy { what: "seed" });
        }
        self.params.validate()?;
        check_days(self.days)?;
        let jobs = self.managements.len() * self.seeds.len();
        let threads = self.threads.clamp(1, jobs);
        let next = AtomicUsize::new(0);
        let work = || {
            let mut done = Vec::new();
            loop {
                let job = next.fetch_add(1, Ordering::Relaxed);
                if job >= jobs {
                    return done;
                }
                let (arm, seed) = (job / self.seeds.len(), self.seeds[job % self.seeds.len()]);
                done.push((job, sim.run(&self.managements[arm], &self.params, seed, self.days)));
            }
        };
        let mut results: Vec<Option<Result<Outcome, SimError>>> = vec![None; jobs];
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
            for handle in handles {
                // A panicked worker leaves its runs empty: reported below as `Worker`.
                if let Ok(done) = handle.join() {
                    for (job, result) in done {
                        results[job] = Some(result);
                    }
                }
            }
        });
        let mut arms = Vec::with_capacity(self.managements.len());
        let mut results = results.into_iter();
        for m in &self.managements {
            let mut runs = Vec::with_capacity(self.seeds.len());
            for _ in &self.seeds {
                runs.push(results.next().flatten().ok_or(SimError::Worker)??);
            }
            let summary = Summary::of(&runs, self.days);
            arms.push(ArmResult { name: m.name.clone(), runs, summary });
        }
        Ok(StudyResult {
            residents: sim.residents(),
            households: sim.households(),
            days: self.days,
            start: self.params.start,
            seeds: self.seeds.clone(),
            arms,
        })
    }
}

/// A study's results: each management's runs and summary, in the study's order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StudyResult {
    /// Residents of the city.
    pub residents: u64,
    /// Households of the city.
    pub households: u64,
    /// Days simulated.
    pub days: u16,
    /// Day 0.
    pub start: chrono::NaiveDate,
    /// The seeds, in the order of each arm's runs.
    pub seeds: Vec<u64>,
    /// One per management.
    pub arms: Vec<ArmResult>,
}

/// One management's results.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ArmResult {
    /// The management's name.
    pub name: String,
    /// One run per seed, in the order of [`StudyResult::seeds`].
    pub runs: Vec<Outcome>,
    /// The runs summarised.
    pub summary: Summary,
}

/// A management's figures over the seeds: the mean and its 95% confidence interval each.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    /// Infections.
    pub infections: Interval,
    /// Persons confirmed.
    pub confirmed: Interval,
    /// The peak of red households.
    pub peak_red: Interval,
    /// Person-days in isolation under a case (centralised and at home).
    pub isolation_days: Interval,
    /// Of them, in centralised isolation.
    pub centralised_days: Interval,
    /// Of them, at home.
    pub home_days: Interval,
    /// Records the staff made over the run.
    pub staff_tasks: Interval,
    /// The most records the staff made in one day.
    pub peak_staff_tasks: Interval,
    /// Red households on each day.
    pub red_by_day: Vec<Interval>,
    /// New infections on each day.
    pub infections_by_day: Vec<Interval>,
}

impl Summary {
    fn of(runs: &[Outcome], days: u16) -> Summary {
        let of = |f: &dyn Fn(&Outcome) -> u64| Interval::t95(&runs.iter().map(|o| f(o) as f64).collect::<Vec<_>>());
        let by_day = |f: &dyn Fn(&super::Day) -> u64| {
            (0..usize::from(days))
                .map(|d| Interval::t95(&runs.iter().map(|o| o.days.get(d).map_or(0, f) as f64).collect::<Vec<_>>()))
                .collect()
        };
        Summary {
            infections: of(&|o| o.infections),
            confirmed: of(&|o| o.confirmed),
            peak_red: of(&|o| o.peak_red),
            isolation_days: of(&|o| o.isolation_days()),
            centralised_days: of(&|o| o.centralised_days),
            home_days: of(&|o| o.home_days),
            staff_tasks: of(&|o| o.staff_tasks),
            peak_staff_tasks: of(&|o| o.days.iter().map(|d| d.staff_tasks).max().unwrap_or(0)),
            red_by_day: by_day(&|d| d.red_households),
            infections_by_day: by_day(&|d| d.new_infections),
        }
    }
}

/// A mean over seeds and its two-sided 95% confidence interval: the t-interval of the mean,
/// `mean ± t(0.975, n − 1) · s / √n`, with `s` the sample standard deviation and the t
/// quantile from [`t_975`]. With one value the interval is that value (no spread is known).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Interval {
    /// Values summarised.
    pub n: u32,
    /// Their mean.
    pub mean: f64,
    /// Their sample standard deviation (n − 1 in the denominator; 0 for one value).
    pub sd: f64,
    /// The interval's low end.
    pub low: f64,
    /// The interval's high end.
    pub high: f64,
}

impl Interval {
    /// The t-interval of the mean of `values` (summed in order, so the same values give the
    /// same interval on every platform). Empty: all zero.
    ///
    /// # Example
    /// ```
    /// use wangge::sim::Interval;
    /// // Mean 3, s = √2.5 ≈ 1.581, t(0.975, 4) = 2.776: 3 ± 1.963.
    /// let i = Interval::t95(&[1.0, 2.0, 3.0, 4.0, 5.0]);
    /// assert!((i.low - 1.037).abs() < 1e-3 && (i.high - 4.963).abs() < 1e-3);
    /// ```
    pub fn t95(values: &[f64]) -> Interval {
        let n = values.len();
        if n == 0 {
            return Interval::default();
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        if n == 1 {
            return Interval { n: 1, mean, sd: 0.0, low: mean, high: mean };
        }
        let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        let sd = (ss / (n - 1) as f64).sqrt();
        let half = t_975(u32::try_from(n - 1).unwrap_or(u32::MAX)) * sd / (n as f64).sqrt();
        Interval { n: u32::try_from(n).unwrap_or(u32::MAX), mean, sd, low: mean - half, high: mean + half }
    }

    /// Half the interval's width.
    pub fn half_width(&self) -> f64 {
        (self.high - self.low) / 2.0
    }
}

/// Student's t quantile t(0.975, df), for a two-sided 95% interval, from the usual table
/// (df 1 to 30, then 40, 60 and 120); between two rows, and beyond 120, the smaller df's
/// (larger, so conservative) value: 1.980 where the normal's would be 1.960. `df = 0` gives
/// infinity.
///
/// # Example
/// ```
/// use wangge::sim::t_975;
/// assert_eq!(t_975(29), 2.045); // 30 seeds
/// assert_eq!(t_975(45), 2.021); // between 40 and 60: 40's
/// assert_eq!(t_975(1000), 1.980);
/// ```
pub fn t_975(df: u32) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df as usize - 1],
        31..=39 => 2.042,
        40..=59 => 2.021,
        60..=119 => 2.000,
        120..=u32::MAX => 1.980,
    }
}
