//! Synthetic cities 合成城市: seeded, reproducible registries for benches, tests and
//! simulations, from a handful of households to [`CityShape::city_10m`] (≈10 million persons).
//!
//! A [`CityShape`] describes a city as a regular tree under the Zhengzhou scheme placed under
//! city and district (市 > 区 > 街道 > 社区 > 楼院 > 楼组): so many districts, so many
//! sub-districts per district, and so on down to households per building, plus the mix of
//! household sizes, courtyard kinds and entrance checkpoints. [`CityShape::build`] turns it into
//! a [`City`]: a [`Registry`] built **through public commands** ([`Command::AddUnit`],
//! [`Command::AddHousehold`], [`Command::RegisterPerson`]), the same path a host takes, so a
//! synthetic city is validated exactly as a real one and its cost is the real cost.
//!
//! The same shape and seed always give an equal registry, on every platform: the generator is
//! ChaCha8 (`rand_chacha`), whose stream is portable, and the shape is walked in a fixed order.
//! Synthetic persons carry no names, phones or passports; with
//! [`CityShape::resident_ids`] they get valid, unique resident identity numbers 居民身份证号.
//!
//! ```
//! use wangge::synth::CityShape;
//!
//! let city = CityShape::tiny().seed(7).build()?;
//! let reg = city.registry();
//! assert_eq!(reg.counts(reg.root())?, city.totals());
//! assert!(reg.audit().is_empty());
//! // Same seed, same city.
//! assert_eq!(CityShape::tiny().seed(7).build()?.registry(), reg);
//! # Ok::<(), wangge::synth::ShapeError>(())
//! ```

use chrono::NaiveDate;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::colour::PersonState;
use crate::grid::{CheckpointKind, CompoundKind, Level, LevelScheme, NewUnit, UnitKind};
use crate::people::{DoorLabel, PersonRecord, ResidentId};
use crate::registry::Record;
use crate::{Command, Counts, Error, Event, HouseholdId, Registry, UnitId};

/// The date every synthetic person is registered, present and well: 25 January 2020, when
/// Henan (Zhengzhou's province) declared its first-level public health emergency response.
pub const REGISTERED_ON: NaiveDate = match NaiveDate::from_ymd_opt(2020, 1, 25) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// Why a [`CityShape`] cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShapeError {
    /// A count that must be at least 1 is 0.
    #[error("{what} must be at least 1, found 0")]
    Zero {
        /// Which count.
        what: &'static str,
    },
    /// A list of weights sums to zero, so nothing can be drawn from it.
    #[error("the {what} weights sum to 0; at least one must be positive")]
    NoWeight {
        /// Which weights.
        what: &'static str,
    },
    /// A count or total is larger than ids, codes or identity numbers allow.
    #[error("{what} is {value}, more than the {max} allowed")]
    TooLarge {
        /// Which count or total.
        what: &'static str,
        /// Its value.
        value: u64,
        /// The most allowed.
        max: u64,
    },
    /// The registry refused a command while the city was being built.
    #[error("the registry refused a command: {0}")]
    Registry(#[from] Error),
}

/// The area code of the first district: Foshan 佛山 is 4406, and its districts are numbered
/// from 440601 in the synthetic city.
const FIRST_DISTRICT_CODE: u32 = 440_601;
/// Districts are coded with two digits (4406**01**..4406**99**).
const MAX_DISTRICTS: u32 = 99;
/// Sub-districts, communities and courtyards are coded with three digits each.
const MAX_CODED: u32 = 999;
/// The first and last birth dates drawn for synthetic residents (ages 0 to 90 in 2020).
const BIRTH_FROM: (i32, u32, u32) = (1930, 1, 1);
const BIRTH_TO: (i32, u32, u32) = (2019, 12, 31);
/// Sequence numbers 顺序码 of an identity number run 000..=999.
const SEQUENCES: u32 = 1000;

/// The shape of a synthetic city: a by-value builder with documented defaults.
///
/// The tree is regular: every district has the same number of sub-districts, every
/// sub-district the same number of communities, and so on. Household sizes, courtyard kinds
/// and entrance checkpoints are drawn from weights with the seeded generator.
///
/// | setting | default ([`CityShape::new`] = [`CityShape::small`]) | [`CityShape::city_10m`] |
/// |---|---|---|
/// | [`districts`](CityShape::districts) 区 | 1 | 5 |
/// | [`sub_districts`](CityShape::sub_districts) 街道 per district | 1 | 8 |
/// | [`communities`](CityShape::communities) 社区 per sub-district | 4 | 20 |
/// | [`courtyards`](CityShape::courtyards) 楼院 per community | 4 | 12 |
/// | [`buildings`](CityShape::buildings) 楼栋 per courtyard | 3 | 8 |
/// | [`households`](CityShape::households) 户 per building | 6 | 46 |
/// | [`household_sizes`](CityShape::household_sizes), weights of sizes 1..=6 | 17, 27, 27, 16, 8, 5 (mean 2.86) | same |
/// | [`compound_kinds`](CityShape::compound_kinds), weights in [`CompoundKind::ALL`] order | 107, 20, 3, 29, 88 | same |
/// | [`entrances`](CityShape::entrances) 出入口 per courtyard | 2 | 2 |
/// | [`checkpoints`](CityShape::checkpoints), weights of none, then [`CheckpointKind::ALL`] | 168, 29, 88, 42, 9 | same |
/// | [`resident_ids`](CityShape::resident_ids) | false (persons carry nothing) | false |
/// | [`seed`](CityShape::seed) | 2020 | 2020 |
///
/// Sources of the default weights: compound kinds are seed 000's 107 property-managed closed,
/// 20 military and 3 open compounds, with seed 003's checkpoint counts at unmanaged (29) and
/// work-unit (88) courtyards standing in for those two kinds; checkpoints are seed 003's 168
/// checkpoints (29 / 88 / 42 / 9) with as many unguarded entrances again.
///
/// # Example
/// ```
/// use wangge::synth::CityShape;
///
/// let shape = CityShape::small().communities(2).households(10).seed(42);
/// assert_eq!(shape.household_total()?, 2 * 4 * 3 * 10);
/// let city = shape.build()?;
/// assert_eq!(city.communities().len(), 2);
/// assert_eq!(city.totals().households, 240);
/// # Ok::<(), wangge::synth::ShapeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[must_use]
pub struct CityShape {
    districts: u32,
    sub_districts: u32,
    communities: u32,
    courtyards: u32,
    buildings: u32,
    households: u32,
    household_sizes: [u32; 6],
    compound_kinds: [u32; 5],
    entrances: u32,
    checkpoints: [u32; 5],
    resident_ids: bool,
    seed: u64,
}

impl Default for CityShape {
    fn default() -> Self {
        Self::small()
    }
}

impl CityShape {
    /// The default shape, [`CityShape::small`].
    pub fn new() -> Self {
        Self::small()
    }

    /// A small city for tests: 1 district, 1 sub-district, 4 communities of 4 courtyards of 3
    /// buildings of 6 households: 288 households, ≈820 persons.
    pub fn small() -> Self {
        CityShape {
            districts: 1,
            sub_districts: 1,
            communities: 4,
            courtyards: 4,
            buildings: 3,
            households: 6,
            household_sizes: [17, 27, 27, 16, 8, 5],
            compound_kinds: [107, 20, 3, 29, 88],
            entrances: 2,
            checkpoints: [168, 29, 88, 42, 9],
            resident_ids: false,
            seed: 2020,
        }
    }

    /// The smallest useful city: one community of 2 courtyards of 2 buildings of 4 households
    /// (16 households, ≈46 persons).
    pub fn tiny() -> Self {
        Self::small().communities(1).courtyards(2).buildings(2).households(4)
    }

    /// A Foshan-sized city 佛山 (seed 004: ~8 million residents, 787 community grids):
    /// 5 districts × 8 sub-districts × 20 communities = 800 communities, each of 12 courtyards
    /// × 8 buildings × 46 households: 3,532,800 households and, at a mean household size of
    /// 2.86, ≈10.1 million persons in ≈106,000 units.
    ///
    /// Building it takes about 1.2 s and 0.7 GB (≈72 bytes per resident) in release on a
    /// 2-core machine: see `BENCHMARKS.md`.
    pub fn city_10m() -> Self {
        Self::small().districts(5).sub_districts(8).communities(20).courtyards(12).buildings(8).households(46)
    }

    /// A city shaped like [`CityShape::city_10m`] (12 courtyards of 8 buildings per community,
    /// up to 20 communities per sub-district and 8 sub-districts per district) with at least
    /// `households` households and as few more as the regular shape allows: the number of
    /// communities is scaled first, then the households per building.
    ///
    /// `with_households(3_500_000)` is `city_10m` (3,532,800 households);
    /// `with_households(10_000)` has 3 communities and 10,080 households. Zero gives a shape
    /// that [`CityShape::build`] refuses.
    ///
    /// # Example
    /// ```
    /// use wangge::synth::CityShape;
    /// let shape = CityShape::with_households(10_000);
    /// assert_eq!(shape.household_total()?, 10_080);
    /// assert_eq!(CityShape::with_households(3_500_000), wangge::synth::CityShape::city_10m());
    /// # Ok::<(), wangge::synth::ShapeError>(())
    /// ```
    pub fn with_households(households: u32) -> Self {
        let base = Self::city_10m();
        let per_community = u64::from(base.courtyards) * u64::from(base.buildings) * u64::from(base.households);
        let n = u64::from(households);
        let communities = n.div_ceil(per_community);
        let sub_districts = communities.div_ceil(u64::from(base.communities));
        let districts = sub_districts.div_ceil(u64::from(base.sub_districts));
        let per_district = sub_districts.div_ceil(districts.max(1));
        let per_sub_district = communities.div_ceil((districts * per_district).max(1));
        let buildings = districts * per_district * per_sub_district * u64::from(base.courtyards * base.buildings);
        let per_building = n.div_ceil(buildings.max(1));
        // Every value is at most `households` (a u32), so the conversions cannot fail.
        let fit = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        base.districts(fit(districts))
            .sub_districts(fit(per_district))
            .communities(fit(per_sub_district))
            .households(fit(per_building))
    }

    /// Districts 区 under the city. Default 1; at most 99 (districts are coded 440601..440699).
    pub fn districts(mut self, n: u32) -> Self {
        self.districts = n;
        self
    }

    /// Sub-districts 街道 per district. Default 1; at most 999.
    pub fn sub_districts(mut self, n: u32) -> Self {
        self.sub_districts = n;
        self
    }

    /// Communities 社区 per sub-district. Default 4; at most 999.
    pub fn communities(mut self, n: u32) -> Self {
        self.communities = n;
        self
    }

    /// Courtyards 楼院 per community. Default 4; at most 999.
    pub fn courtyards(mut self, n: u32) -> Self {
        self.courtyards = n;
        self
    }

    /// Buildings 楼栋 per courtyard. Default 3.
    pub fn buildings(mut self, n: u32) -> Self {
        self.buildings = n;
        self
    }

    /// Households 户 per building. Default 6.
    pub fn households(mut self, n: u32) -> Self {
        self.households = n;
        self
    }

    /// Weights of household sizes 1 to 6 persons. Default `[17, 27, 27, 16, 8, 5]`, a mean of
    /// 2.86 persons per household. At least one weight must be positive.
    pub fn household_sizes(mut self, weights: [u32; 6]) -> Self {
        self.household_sizes = weights;
        self
    }

    /// Weights of courtyard kinds, in [`CompoundKind::ALL`] order (property-managed closed,
    /// military, open, unmanaged, work-unit). Default `[107, 20, 3, 29, 88]`.
    pub fn compound_kinds(mut self, weights: [u32; 5]) -> Self {
        self.compound_kinds = weights;
        self
    }

    /// Entrances 出入口 per courtyard, as [`UnitKind::Entrance`] units under it. Default 2; 0
    /// gives courtyards without entrance units.
    pub fn entrances(mut self, n: u32) -> Self {
        self.entrances = n;
        self
    }

    /// Weights of what guards an entrance: first no checkpoint, then each kind of
    /// [`CheckpointKind::ALL`]. Default `[168, 29, 88, 42, 9]`. Ignored when there are no
    /// entrances; otherwise at least one weight must be positive.
    pub fn checkpoints(mut self, weights: [u32; 5]) -> Self {
        self.checkpoints = weights;
        self
    }

    /// Whether persons are registered with a resident identity number 居民身份证号: valid,
    /// unique, with the district's area code and a birth date from 1930 to 2019. Default
    /// false: synthetic persons carry no personal data at all, which is also the lightest.
    ///
    /// # Example
    /// ```
    /// use wangge::synth::CityShape;
    ///
    /// let city = CityShape::tiny().resident_ids(true).build()?;
    /// let register = city.registry().population();
    /// let (person, first) = register.persons().next().ok_or("nobody registered")?;
    /// let id = first.resident_id().ok_or("no identity number")?;
    /// assert_eq!(id.area_code(), 440601); // the first district's code
    /// assert_eq!(register.find_resident(&id), Some(person));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resident_ids(mut self, yes: bool) -> Self {
        self.resident_ids = yes;
        self
    }

    /// The seed of the generator. Default 2020. The same shape and seed give an equal city.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The number of communities: districts × sub-districts × communities.
    ///
    /// # Errors
    /// [`ShapeError::TooLarge`] when it overflows.
    pub fn community_total(&self) -> Result<u64, ShapeError> {
        mul("communities", &[self.districts, self.sub_districts, self.communities])
    }

    /// The number of units the city will have: the city, its districts, sub-districts,
    /// communities, courtyards, buildings and entrances.
    ///
    /// # Errors
    /// [`ShapeError::TooLarge`] when it overflows.
    pub fn unit_total(&self) -> Result<u64, ShapeError> {
        let too_large = || ShapeError::TooLarge { what: "units", value: u64::MAX, max: u64::from(u32::MAX) };
        let d = u64::from(self.districts);
        let s = mul("sub-districts", &[self.districts, self.sub_districts])?;
        let c = self.community_total()?;
        let y = c.checked_mul(u64::from(self.courtyards)).ok_or_else(too_large)?;
        let per_yard = 1 + u64::from(self.buildings) + u64::from(self.entrances);
        let below = y.checked_mul(per_yard).ok_or_else(too_large)?;
        [d, s, c, below].into_iter().try_fold(1u64, u64::checked_add).ok_or_else(too_large)
    }

    /// The number of households the city will have.
    ///
    /// # Errors
    /// [`ShapeError::TooLarge`] when it overflows.
    pub fn household_total(&self) -> Result<u64, ShapeError> {
        mul(
            "households",
            &[self.districts, self.sub_districts, self.communities, self.courtyards, self.buildings, self.households],
        )
    }

    /// The mean household size the size weights give.
    ///
    /// # Errors
    /// [`ShapeError::NoWeight`] when every size weight is 0.
    pub fn mean_household_size(&self) -> Result<f64, ShapeError> {
        let total: u64 = self.household_sizes.iter().map(|&w| u64::from(w)).sum();
        if total == 0 {
            return Err(ShapeError::NoWeight { what: "household size" });
        }
        let persons: u64 = self.household_sizes.iter().zip(1u64..).map(|(&w, size)| u64::from(w) * size).sum();
        Ok(persons as f64 / total as f64)
    }

    /// The expected number of persons: households × mean household size. The number built
    /// varies with the seed around it.
    ///
    /// # Errors
    /// As [`CityShape::household_total`] and [`CityShape::mean_household_size`].
    pub fn expected_persons(&self) -> Result<f64, ShapeError> {
        Ok(self.household_total()? as f64 * self.mean_household_size()?)
    }

    /// Check the shape: the first problem found, or `Ok`.
    ///
    /// # Errors
    /// The first of [`CityShape::problems`].
    pub fn validate(&self) -> Result<(), ShapeError> {
        match self.problems().into_iter().next() {
            Some(p) => Err(p),
            None => Ok(()),
        }
    }

    /// Every problem of the shape: zero counts ([`ShapeError::Zero`]), weights summing to
    /// zero ([`ShapeError::NoWeight`]), counts beyond what codes, ids and identity numbers
    /// allow ([`ShapeError::TooLarge`]). Empty when [`CityShape::build`] can proceed.
    ///
    /// # Example
    /// ```
    /// use wangge::synth::{CityShape, ShapeError};
    /// let bad = CityShape::small().communities(0).household_sizes([0; 6]);
    /// assert_eq!(bad.problems().len(), 2);
    /// assert_eq!(bad.validate(), Err(ShapeError::Zero { what: "communities per sub-district" }));
    /// ```
    pub fn problems(&self) -> Vec<ShapeError> {
        let mut found = Vec::new();
        let counts = [
            ("districts", self.districts, MAX_DISTRICTS),
            ("sub-districts per district", self.sub_districts, MAX_CODED),
            ("communities per sub-district", self.communities, MAX_CODED),
            ("courtyards per community", self.courtyards, MAX_CODED),
            ("buildings per courtyard", self.buildings, u32::MAX),
            ("households per building", self.households, u32::MAX),
        ];
        for (what, n, max) in counts {
            if n == 0 {
                found.push(ShapeError::Zero { what });
            } else if n > max {
                found.push(ShapeError::TooLarge { what, value: u64::from(n), max: u64::from(max) });
            }
        }
        if self.household_sizes.iter().all(|&w| w == 0) {
            found.push(ShapeError::NoWeight { what: "household size" });
        }
        if self.compound_kinds.iter().all(|&w| w == 0) {
            found.push(ShapeError::NoWeight { what: "compound kind" });
        }
        if self.entrances > 0 && self.checkpoints.iter().all(|&w| w == 0) {
            found.push(ShapeError::NoWeight { what: "checkpoint" });
        }
        if !found.is_empty() {
            return found;
        }
        let max_id = u64::from(u32::MAX);
        match self.unit_total() {
            Ok(n) if n > max_id => found.push(ShapeError::TooLarge { what: "units", value: n, max: max_id }),
            Ok(_) => {}
            Err(e) => found.push(e),
        }
        let largest = self.household_sizes.iter().rposition(|&w| w > 0).map_or(0, |i| i as u64 + 1);
        match self.household_total() {
            Ok(h) if h > max_id => found.push(ShapeError::TooLarge { what: "households", value: h, max: max_id }),
            Ok(h) if h * largest > max_id => {
                found.push(ShapeError::TooLarge { what: "persons at most", value: h * largest, max: max_id });
            }
            Ok(h) if self.resident_ids => {
                let per_district = h / u64::from(self.districts) * largest;
                let max = u64::from(SEQUENCES) * birth_day_count();
                if per_district > max {
                    found.push(ShapeError::TooLarge {
                        what: "persons per district with identity numbers, at most",
                        value: per_district,
                        max,
                    });
                }
            }
            Ok(_) => {}
            Err(e) => found.push(e),
        }
        found
    }

    /// Build the city: a [`Registry`] made through public commands, unit by unit, household
    /// by household, person by person, in depth-first order (so a community's units,
    /// households and persons have consecutive ids).
    ///
    /// # Errors
    /// The first of [`CityShape::problems`]; [`ShapeError::Registry`] if the registry refuses
    /// a command (which a valid shape never causes).
    ///
    /// # Complexity
    /// O(units + households + persons) commands, each O(levels) plus O(households per
    /// building) for the door-label check: about 0.12 s per million persons in release (see
    /// `BENCHMARKS.md`). With [`CityShape::resident_ids`] about three times as long, and the
    /// identity-number index adds ≈28 bytes per resident.
    pub fn build(&self) -> Result<City, ShapeError> {
        self.validate()?;
        Builder::new(self, false)?.run().map(|(city, _)| city)
    }

    /// [`CityShape::build`], keeping the city's command log: the founding record, then one
    /// [`Record`] per command in order, each with its position and running digest, exactly
    /// as [`Registry::execute`] makes them. What a store's load test appends, and what
    /// [`Registry::replay_records`] turns back into the city's registry.
    ///
    /// ```
    /// use wangge::Registry;
    /// use wangge::synth::CityShape;
    ///
    /// let (city, log) = CityShape::tiny().seed(7).build_log()?;
    /// let units = city.registry().tree().len() - 1;
    /// let totals = city.totals();
    /// assert_eq!(log.len() as u64, 1 + units as u64 + totals.households + totals.persons);
    /// assert_eq!(&Registry::replay_records(&log)?, city.registry());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`CityShape::build`].
    ///
    /// # Complexity
    /// As [`CityShape::build`], plus a digest (SHA-256 of the record's canonical JSON) and a
    /// record kept per command: several times slower, and the log is larger than the registry.
    pub fn build_log(&self) -> Result<(City, Vec<Record>), ShapeError> {
        self.validate()?;
        Builder::new(self, true)?.run()
    }
}

/// `factors` multiplied, or [`ShapeError::TooLarge`].
fn mul(what: &'static str, factors: &[u32]) -> Result<u64, ShapeError> {
    factors.iter().try_fold(1u64, |acc, &f| acc.checked_mul(u64::from(f))).ok_or(ShapeError::TooLarge {
        what,
        value: u64::MAX,
        max: u64::from(u32::MAX),
    })
}

/// Every birth date drawn for synthetic residents, in order.
fn birth_days() -> Vec<NaiveDate> {
    let from = NaiveDate::from_ymd_opt(BIRTH_FROM.0, BIRTH_FROM.1, BIRTH_FROM.2);
    let to = NaiveDate::from_ymd_opt(BIRTH_TO.0, BIRTH_TO.1, BIRTH_TO.2);
    match (from, to) {
        (Some(from), Some(to)) => from.iter_days().take_while(|d| *d <= to).collect(),
        // Both are valid calendar dates.
        _ => Vec::new(),
    }
}

/// How many birth dates [`birth_days`] gives.
fn birth_day_count() -> u64 {
    let from = NaiveDate::from_ymd_opt(BIRTH_FROM.0, BIRTH_FROM.1, BIRTH_FROM.2);
    let to = NaiveDate::from_ymd_opt(BIRTH_TO.0, BIRTH_TO.1, BIRTH_TO.2);
    match (from, to) {
        (Some(from), Some(to)) => u64::try_from((to - from).num_days() + 1).unwrap_or(0),
        _ => 0,
    }
}

/// Cumulative weights, for drawing an index with one random number.
struct Weights {
    cumulative: Vec<u64>,
}

impl Weights {
    fn new(weights: &[u32]) -> Self {
        let cumulative = weights
            .iter()
            .scan(0u64, |acc, &w| {
                *acc += u64::from(w);
                Some(*acc)
            })
            .collect();
        Weights { cumulative }
    }

    /// An index drawn with probability proportional to its weight; 0 when all are zero
    /// (which validation rules out before drawing).
    fn draw(&self, rng: &mut ChaCha8Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0);
        if total == 0 {
            return 0;
        }
        let x = rng.random_range(0..total);
        self.cumulative.partition_point(|&c| c <= x)
    }
}

/// The generator's state while it builds.
struct Builder<'s> {
    shape: &'s CityShape,
    rng: ChaCha8Rng,
    /// The city being built, its registry included.
    city: City,
    levels: [Level; 6],
    sizes: Weights,
    kinds: Weights,
    guards: Weights,
    /// Door labels of one building, made once and cloned per household.
    doors: Vec<DoorLabel>,
    /// With identity numbers: the birth dates, and the next sequence number per district and
    /// birth date.
    births: Vec<NaiveDate>,
    next_sequence: Vec<u16>,
    /// Scratch space for the events of one command, reused so that a build allocates no
    /// vector per command.
    events: Vec<Event>,
    /// The command log, when asked for ([`CityShape::build_log`]).
    log: Option<Vec<Record>>,
}

impl<'s> Builder<'s> {
    fn new(shape: &'s CityShape, keep_log: bool) -> Result<Self, ShapeError> {
        let scheme = LevelScheme::zhengzhou().under_city_and_district().map_err(Error::from)?;
        let mut levels = [Level::new(0); 6];
        for (slot, (level, _)) in levels.iter_mut().zip(scheme.levels()) {
            *slot = level;
        }
        let root =
            NewUnit::new("佛山市 synthetic city", levels[0], UnitKind::Area).with_code("4406").map_err(Error::from)?;
        let registry = Registry::new(scheme, root)?;
        let doors = (0..shape.households).map(door_label).collect::<Result<Vec<_>, _>>().map_err(Error::from)?;
        let (births, next_sequence) = if shape.resident_ids {
            let births = birth_days();
            let slots = births.len() * shape.districts as usize;
            (births, vec![0u16; slots])
        } else {
            (Vec::new(), Vec::new())
        };
        Ok(Builder {
            shape,
            rng: ChaCha8Rng::seed_from_u64(shape.seed),
            city: City {
                root: registry.root(),
                districts: Vec::new(),
                sub_districts: Vec::new(),
                communities: Vec::new(),
                courtyards: Vec::new(),
                buildings: Vec::new(),
                entrances: Vec::new(),
                totals: Counts::default(),
                registry,
            },
            levels,
            sizes: Weights::new(&shape.household_sizes),
            kinds: Weights::new(&shape.compound_kinds),
            guards: Weights::new(&shape.checkpoints),
            doors,
            births,
            next_sequence,
            events: Vec::with_capacity(1),
            log: None,
        }
        .keeping_log(keep_log))
    }

    /// The builder, starting a log with the founding record when `keep` is set.
    fn keeping_log(mut self, keep: bool) -> Self {
        self.log = keep.then(|| vec![self.city.registry.founding_record()]);
        self
    }

    fn run(mut self) -> Result<(City, Vec<Record>), ShapeError> {
        let s = self.shape;
        let root = self.city.root;
        for d in 0..s.districts {
            let area = FIRST_DISTRICT_CODE + d;
            let district = self.add(root, format!("{}区", d + 1), 1, UnitKind::Area, Some(area.to_string()))?;
            self.city.districts.push(district);
            for sd in 0..s.sub_districts {
                let sd_code = format!("{area}{:03}", sd + 1);
                let name = format!("{}-{}街道", d + 1, sd + 1);
                let sub = self.add(district, name, 2, UnitKind::Area, Some(sd_code.clone()))?;
                self.city.sub_districts.push(sub);
                for c in 0..s.communities {
                    let c_code = format!("{sd_code}{:03}", c + 1);
                    let name = format!("{}-{}-{}社区", d + 1, sd + 1, c + 1);
                    let community = self.add(sub, name, 3, UnitKind::Area, Some(c_code.clone()))?;
                    self.city.communities.push(community);
                    for y in 0..s.courtyards {
                        self.courtyard(community, d, &c_code, y)?;
                    }
                }
            }
        }
        self.city.registry.shrink_to_fit();
        Ok((self.city, self.log.unwrap_or_default()))
    }

    fn courtyard(&mut self, community: UnitId, district: u32, community_code: &str, y: u32) -> Result<(), ShapeError> {
        let kind = CompoundKind::ALL[self.kinds.draw(&mut self.rng)];
        let code = format!("{community_code}{:03}", y + 1);
        let yard = self.add(community, format!("{}号院", y + 1), 4, UnitKind::Compound(kind), Some(code))?;
        self.city.courtyards.push(yard);
        for e in 0..self.shape.entrances {
            let guard = match self.guards.draw(&mut self.rng) {
                0 => None,
                i => CheckpointKind::ALL.get(i - 1).copied(),
            };
            let gate = self.add(yard, format!("{}号门", e + 1), 5, UnitKind::Entrance(guard), None)?;
            self.city.entrances.push(gate);
        }
        for b in 0..self.shape.buildings {
            let building = self.add(yard, format!("{}号楼", b + 1), 5, UnitKind::Building, None)?;
            self.city.buildings.push(building);
            for i in 0..self.doors.len() {
                self.household(building, district, i)?;
            }
        }
        Ok(())
    }

    fn add(
        &mut self,
        parent: UnitId,
        name: String,
        level: usize,
        kind: UnitKind,
        code: Option<String>,
    ) -> Result<UnitId, ShapeError> {
        let mut unit = NewUnit::new(name, self.levels[level], kind);
        if let Some(code) = code {
            unit = unit.with_code(&code).map_err(Error::from)?;
        }
        // The registry hands out unit ids in order (see `crate::UnitId`); the unit total was
        // checked to fit a u32 before building.
        let id = UnitId::new(self.city.registry.tree().len() as u32);
        self.apply(Command::AddUnit { parent, unit })?;
        Ok(id)
    }

    fn apply(&mut self, command: Command) -> Result<(), ShapeError> {
        match &mut self.log {
            None => {
                self.events.clear();
                self.city.registry.apply_into(command, &mut self.events)?;
            }
            Some(log) => {
                let answer = self.city.registry.execute(command, None)?;
                // Without a request id every command makes a record of its own.
                log.extend(answer.record().cloned());
            }
        }
        Ok(())
    }

    fn household(&mut self, building: UnitId, district: u32, door: usize) -> Result<(), ShapeError> {
        // Household and person ids are handed out in order; their totals fit a u32 (checked).
        let household = HouseholdId::new(self.city.registry.population().household_count() as u32);
        let door = self.doors[door].clone();
        self.apply(Command::AddHousehold { unit: building, door })?;
        let size = self.sizes.draw(&mut self.rng) + 1;
        for _ in 0..size {
            let mut record = PersonRecord::new();
            if self.shape.resident_ids {
                record = record.with_resident_id(self.resident_id(district)?);
            }
            self.apply(Command::RegisterPerson { household, record, state: PersonState::well(REGISTERED_ON) })?;
        }
        self.city.totals.households += 1;
        self.city.totals.persons += size as u64;
        Ok(())
    }

    /// A fresh identity number in `district`: a random birth date, and the next free
    /// sequence number of that date (the following dates when it is used up).
    fn resident_id(&mut self, district: u32) -> Result<ResidentId, ShapeError> {
        let days = self.births.len();
        let base = district as usize * days;
        let start = self.rng.random_range(0..days);
        for k in 0..days {
            let day = (start + k) % days;
            let slot = &mut self.next_sequence[base + day];
            if u32::from(*slot) < SEQUENCES {
                let sequence = *slot;
                *slot += 1;
                let area = FIRST_DISTRICT_CODE + district;
                return ResidentId::from_parts(area, self.births[day], sequence).map_err(|e| Error::from(e).into());
            }
        }
        // `problems` bounds the persons per district by the numbers available.
        Err(ShapeError::TooLarge {
            what: "persons per district with identity numbers",
            value: u64::from(SEQUENCES) * days as u64 + 1,
            max: u64::from(SEQUENCES) * days as u64,
        })
    }
}

/// The door label of the `i`-th household of a building: four flats per floor, "1-01" ...
fn door_label(i: u32) -> Result<DoorLabel, crate::people::PeopleError> {
    DoorLabel::new(&format!("{}-{:02}", i / 4 + 1, i % 4 + 1))
}

/// A synthetic city: the [`Registry`] and the ids of its units by level, in the order they
/// were added.
///
/// The id lists describe the city as built; ids are never reused, so they stay valid after
/// further commands, though a unit may since have moved or closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct City {
    registry: Registry,
    root: UnitId,
    districts: Vec<UnitId>,
    sub_districts: Vec<UnitId>,
    communities: Vec<UnitId>,
    courtyards: Vec<UnitId>,
    buildings: Vec<UnitId>,
    entrances: Vec<UnitId>,
    totals: Counts,
}

impl City {
    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The registry, to apply further commands to.
    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    /// The registry, giving up the id lists.
    pub fn into_registry(self) -> Registry {
        self.registry
    }

    /// The city 市, the root unit.
    pub fn root(&self) -> UnitId {
        self.root
    }

    /// The districts 区.
    pub fn districts(&self) -> &[UnitId] {
        &self.districts
    }

    /// The sub-districts 街道.
    pub fn sub_districts(&self) -> &[UnitId] {
        &self.sub_districts
    }

    /// The communities 社区.
    pub fn communities(&self) -> &[UnitId] {
        &self.communities
    }

    /// The courtyards 楼院.
    pub fn courtyards(&self) -> &[UnitId] {
        &self.courtyards
    }

    /// The buildings 楼栋, which hold the households.
    pub fn buildings(&self) -> &[UnitId] {
        &self.buildings
    }

    /// The entrances 出入口 of the courtyards.
    pub fn entrances(&self) -> &[UnitId] {
        &self.entrances
    }

    /// The households and persons the generator registered (the registry's counts at the
    /// root, as built).
    pub fn totals(&self) -> Counts {
        self.totals
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_city_other_seed_other_city() {
        let a = CityShape::small().seed(1).build().unwrap();
        let b = CityShape::small().seed(1).build().unwrap();
        let c = CityShape::small().seed(2).build().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.registry(), b.registry());
        assert_ne!(a.registry(), c.registry());
    }

    #[test]
    fn a_citys_log_replays_into_the_city_built_without_one() {
        let shape = CityShape::tiny().resident_ids(true).seed(3);
        let built = shape.build().unwrap();
        let (logged, log) = shape.build_log().unwrap();
        // The same city either way, and its log replays into it.
        assert_eq!(built.totals(), logged.totals());
        assert_eq!(Registry::replay_records(&log).unwrap().snapshot(), logged.registry().snapshot());
        // `build` applies without records, so only its head (position 0) differs.
        assert_eq!(logged.registry().tree(), built.registry().tree());
        assert_eq!(logged.registry().population(), built.registry().population());
        assert_eq!(logged.registry().head().position, log.len() as u64 - 1);
        // One record per command, in position order, each continuing the one before.
        for (i, pair) in log.windows(2).enumerate() {
            assert_eq!(pair[1].position(), i as u64 + 1);
            assert!(pair[1].continues(&pair[0].digest()), "record {} continues {}", i + 1, i);
        }
        // Same seed, same log; another seed, another.
        let (_, again) = shape.build_log().unwrap();
        assert_eq!(log, again);
        let (_, other) = shape.seed(4).build_log().unwrap();
        assert_ne!(log.last().map(Record::digest), other.last().map(Record::digest));
    }

    #[test]
    fn tiny_city_passes_the_audit_and_counts_roll_up() {
        let city = CityShape::tiny().build().unwrap();
        let reg = city.registry();
        assert!(reg.audit().is_empty(), "{:?}", reg.audit());
        assert_eq!(reg.counts(reg.root()).unwrap(), city.totals());
        assert_eq!(city.totals().households, 16);
        assert_eq!(reg.population().household_count() as u64, city.totals().households);
        assert_eq!(reg.population().person_count() as u64, city.totals().persons);
        assert_eq!(reg.tree().len() as u64, CityShape::tiny().unit_total().unwrap());
        let by_community: u64 = city.communities().iter().map(|&c| reg.counts(c).unwrap().persons).sum();
        assert_eq!(by_community, city.totals().persons);
    }

    #[test]
    fn small_city_with_identity_numbers_is_one_person_one_file() {
        let city = CityShape::small().resident_ids(true).build().unwrap();
        let reg = city.registry();
        assert!(reg.audit().is_empty());
        let mut with_id = 0;
        for (pid, p) in reg.population().persons() {
            let id = p.resident_id().unwrap();
            assert_eq!(reg.population().find_resident(&id), Some(pid));
            with_id += 1;
        }
        assert_eq!(with_id as u64, city.totals().persons);
    }

    #[test]
    fn units_have_the_kinds_and_levels_of_the_shape() {
        let city = CityShape::small().build().unwrap();
        let tree = city.registry().tree();
        let level = |name: &str| tree.scheme().level(name).unwrap();
        for &b in city.buildings() {
            assert_eq!(tree.unit(b).unwrap().kind(), UnitKind::Building);
            assert_eq!(tree.level(b).unwrap(), level("building group"));
        }
        for &e in city.entrances() {
            assert!(matches!(tree.unit(e).unwrap().kind(), UnitKind::Entrance(_)));
            assert_eq!(city.registry().counts(e).unwrap(), Counts::default());
        }
        for &y in city.courtyards() {
            assert!(matches!(tree.unit(y).unwrap().kind(), UnitKind::Compound(_)));
            assert_eq!(tree.level(y).unwrap(), level("courtyard"));
        }
        assert_eq!(city.entrances().len(), city.courtyards().len() * 2);
        assert_eq!(tree.find_by_code("440601001001"), Some(city.communities()[0]));
        assert_eq!(tree.find_by_code("440601"), Some(city.districts()[0]));
    }

    #[test]
    fn city_10m_shape_meets_its_targets_without_building_it() {
        let s = CityShape::city_10m();
        assert_eq!(s.community_total().unwrap(), 800);
        assert_eq!(s.household_total().unwrap(), 3_532_800);
        assert!((s.mean_household_size().unwrap() - 2.86).abs() < 1e-9);
        let persons = s.expected_persons().unwrap();
        assert!((9.5e6..=10.5e6).contains(&persons), "{persons}");
        assert!(s.unit_total().unwrap() < 200_000);
        assert!(s.problems().is_empty());
        assert!(s.clone().resident_ids(true).problems().is_empty());
    }

    #[test]
    fn with_households_scales_to_the_target() {
        for n in [1, 100, 10_000, 100_000, 1_000_000, 3_500_000] {
            let s = CityShape::with_households(n);
            let h = s.household_total().unwrap();
            assert!(h >= u64::from(n) && h as f64 <= f64::from(n) * 1.1 + 96.0, "{n} → {h}");
            assert!(s.problems().is_empty(), "{n}: {:?}", s.problems());
        }
        assert_eq!(CityShape::with_households(3_500_000), CityShape::city_10m());
        assert_eq!(CityShape::with_households(0).validate(), Err(ShapeError::Zero { what: "districts" }));
    }

    #[test]
    fn invalid_shapes_are_refused_with_a_reason() {
        assert_eq!(CityShape::small().households(0).build(), Err(ShapeError::Zero { what: "households per building" }));
        assert_eq!(
            CityShape::small().compound_kinds([0; 5]).build(),
            Err(ShapeError::NoWeight { what: "compound kind" })
        );
        assert!(CityShape::small().entrances(0).checkpoints([0; 5]).build().is_ok());
        assert_eq!(
            CityShape::small().entrances(1).checkpoints([0; 5]).validate(),
            Err(ShapeError::NoWeight { what: "checkpoint" })
        );
        assert!(matches!(
            CityShape::small().districts(100).validate(),
            Err(ShapeError::TooLarge { what: "districts", .. })
        ));
        let huge = CityShape::small().sub_districts(999).communities(999).courtyards(999).buildings(u32::MAX);
        assert!(matches!(huge.validate(), Err(ShapeError::TooLarge { .. })));
        let crowded = CityShape::small().buildings(100_000).households(20).resident_ids(true);
        assert!(matches!(crowded.validate(), Err(ShapeError::TooLarge { .. })), "{:?}", crowded.problems());
    }

    #[test]
    fn weights_draw_every_positive_index_and_no_zero_one() {
        let w = Weights::new(&[0, 3, 0, 1]);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut seen = [0; 4];
        for _ in 0..1000 {
            seen[w.draw(&mut rng)] += 1;
        }
        assert_eq!((seen[0], seen[2]), (0, 0));
        assert!(seen[1] > seen[3] && seen[3] > 0);
    }
}
