//! Staff 工作人员: who can be responsible, where they belong, how much they can carry, when.
//!
//! A host builds a [`Staff`] value and sends it in [`Command::AddStaff`](crate::Command::AddStaff),
//! which gives it a [`StaffId`](crate::StaffId); availability changes later by
//! `SetAvailability`. Rosters, the solver and replacements read the pool as a `&[Staff]`
//! indexed by that id, and ask [`Staff::may_hold`] of every candidate.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{DutyError, Qualifications, Role, Slot};
use crate::UnitId;
use crate::grid::Tree;
use crate::people::Name;

/// A staff member 工作人员 who can take roles: a name, qualifications, the unit they belong to,
/// a load limit and the dates they are available.
///
/// A value without an id: whoever keeps the staff (a `&[Staff]` slice, later the registry)
/// gives each one a [`StaffId`](crate::StaffId), its position. Invariants, kept by the type
/// and checked again when read with serde: the load limit is at least 1, and an available
/// period's last day is not before its first.
///
/// The name is personal data: `Debug` shows `Name(<redacted>)`, and no error or
/// [`RosterProblem`](super::RosterProblem) holds it (they name staff by id).
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use wangge::UnitId;
/// use wangge::duty::{Qualification, Qualifications, Role, Staff};
/// use wangge::people::Name;
///
/// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
/// let doctor = Staff::new(Name::new("李医生")?, Qualifications::only(Qualification::Medical), UnitId::new(1), 3)?
///     .available(Some(feb(1)), Some(feb(29)))?;
/// assert!(doctor.is_eligible(Role::AreaDoctor));
/// assert!(!doctor.is_eligible(Role::AreaPolice));
/// assert!(doctor.is_available_on(feb(29)));
/// assert!(!doctor.is_available_on(NaiveDate::from_ymd_opt(2020, 3, 1).unwrap()));
/// assert!(!format!("{doctor:?}").contains("李"));
/// // An available period may not end before it starts.
/// assert!(doctor.clone().available(Some(feb(29)), Some(feb(1))).is_err());
/// # Ok::<(), wangge::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "StaffData")]
pub struct Staff {
    name: Name,
    qualifications: Qualifications,
    home: UnitId,
    load_limit: u16,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
}

// JSON leaves the open ends out; binary forms write them (see `crate::form`).
crate::form::serialize_fields!(Staff {
    name,
    qualifications,
    home,
    load_limit,
    from skip_if Option::is_none,
    until skip_if Option::is_none,
});

/// A staff member as read, before the checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StaffData {
    name: Name,
    qualifications: Qualifications,
    home: UnitId,
    load_limit: u16,
    #[serde(default)]
    from: Option<NaiveDate>,
    #[serde(default)]
    until: Option<NaiveDate>,
}

impl TryFrom<StaffData> for Staff {
    type Error = DutyError;
    fn try_from(d: StaffData) -> Result<Self, DutyError> {
        Staff::new(d.name, d.qualifications, d.home, d.load_limit)?.available(d.from, d.until)
    }
}

/// The dates a staff member is available, as [`Command::SetAvailability`](crate::Command::SetAvailability)
/// states them 在岗时间: every variant says what it means, so that a command with its dates
/// left out is a decoding error rather than a cleared leave.
///
/// Both bounds are inclusive: a member leaving on a date is available [`Availability::Until`]
/// the day before.
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use wangge::duty::Availability;
///
/// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
/// assert_eq!(Availability::Until(feb(11)).bounds(), (None, Some(feb(11))));
/// assert_eq!(Availability::from_bounds(None, None), Availability::Always);
/// // In JSON, the variant is named: `"Always"`, `{"Until":"2020-02-11"}`,
/// // `{"Between":{"from":"2020-02-01","until":"2020-02-11"}}`.
/// let json = r#"{"Between":{"from":"2020-02-01","until":"2020-02-11"}}"#;
/// assert_eq!(serde_json::from_str::<Availability>(json)?, Availability::Between { from: feb(1), until: feb(11) });
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Availability {
    /// Available on every date: no leave, no end (clears earlier bounds).
    Always,
    /// Available from this date on, with no last day.
    From(NaiveDate),
    /// Available up to and including this date, with no first day.
    Until(NaiveDate),
    /// Available from `from` to `until`, both inclusive. A `until` before `from` is refused
    /// when applied ([`DutyError::AvailabilityReversed`]).
    Between {
        /// The first day available.
        from: NaiveDate,
        /// The last day available.
        until: NaiveDate,
    },
}

impl Availability {
    /// The first and last day available (`None`: no bound).
    pub const fn bounds(self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        match self {
            Availability::Always => (None, None),
            Availability::From(from) => (Some(from), None),
            Availability::Until(until) => (None, Some(until)),
            Availability::Between { from, until } => (Some(from), Some(until)),
        }
    }

    /// The availability with these bounds (`None`: no bound), as
    /// [`Event::AvailabilitySet`](crate::Event::AvailabilitySet) records them.
    pub const fn from_bounds(from: Option<NaiveDate>, until: Option<NaiveDate>) -> Self {
        match (from, until) {
            (None, None) => Availability::Always,
            (Some(from), None) => Availability::From(from),
            (None, Some(until)) => Availability::Until(until),
            (Some(from), Some(until)) => Availability::Between { from, until },
        }
    }
}

impl Staff {
    /// A staff member available on every date.
    ///
    /// `home` is the unit they belong to: the community of a community secretary, the
    /// sub-district of its section cadres, a police station's area, a grid worker's grid.
    /// `load_limit` is the most assignments they may carry at once.
    ///
    /// # Errors
    /// [`DutyError::ZeroLoadLimit`] when `load_limit` is 0.
    pub fn new(name: Name, qualifications: Qualifications, home: UnitId, load_limit: u16) -> Result<Self, DutyError> {
        if load_limit == 0 {
            return Err(DutyError::ZeroLoadLimit);
        }
        Ok(Staff { name, qualifications, home, load_limit, from: None, until: None })
    }

    /// This staff member available from `from` to `until`, both inclusive (`None`: no bound).
    ///
    /// # Errors
    /// [`DutyError::AvailabilityReversed`] when `until` is before `from`.
    pub fn available(mut self, from: Option<NaiveDate>, until: Option<NaiveDate>) -> Result<Self, DutyError> {
        if let (Some(from), Some(until)) = (from, until)
            && until < from
        {
            return Err(DutyError::AvailabilityReversed { from, until });
        }
        self.from = from;
        self.until = until;
        Ok(self)
    }

    /// The name: personal data, see [`Name::reveal`].
    pub fn name(&self) -> &Name {
        &self.name
    }

    /// The qualifications held.
    pub const fn qualifications(&self) -> Qualifications {
        self.qualifications
    }

    /// The unit the staff member belongs to.
    pub const fn home(&self) -> UnitId {
        self.home
    }

    /// The most assignments they may carry: at least 1.
    pub const fn load_limit(&self) -> u16 {
        self.load_limit
    }

    /// The first day available, if bounded.
    pub const fn available_from(&self) -> Option<NaiveDate> {
        self.from
    }

    /// The last day available, if bounded.
    pub const fn available_until(&self) -> Option<NaiveDate> {
        self.until
    }

    /// Whether they are available on `date` (inside the bounds, both inclusive).
    pub fn is_available_on(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|from| from <= date) && self.until.is_none_or(|until| date <= until)
    }

    /// Whether they may take `role`: they hold one of [`Role::requires`].
    pub const fn is_eligible(&self, role: Role) -> bool {
        role.admits(self.qualifications)
    }

    /// Whether they may hold `slot` for a target at `unit` on `date`: eligible for its role,
    /// available on the date, and belonging where its [`Locality`](super::Locality) asks
    /// (never when their home or `unit` is not in `tree`). What [`Roster::problems`](super::Roster::problems)
    /// asks of each assignment, short of the roster's counts and loads.
    ///
    /// # Complexity
    /// O(levels).
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::duty::{Locality, Qualification, Qualifications, Role, Slot, Staff};
    /// use wangge::grid::{Level, LevelScheme, NewUnit, Tree, UnitKind};
    /// use wangge::people::Name;
    ///
    /// let mut tree = Tree::new(LevelScheme::zhengzhou(), NewUnit::new("花园路街道", Level::new(0), UnitKind::Area))?;
    /// let community = tree.add(tree.root(), NewUnit::new("农科路社区", Level::new(1), UnitKind::Area))?;
    /// let yard = tree.add(community, NewUnit::new("3号院", Level::new(2), UnitKind::Area))?;
    /// let building = tree.add(yard, NewUnit::new("1号楼", Level::new(3), UnitKind::Building))?;
    /// let feb1 = NaiveDate::from_ymd_opt(2020, 2, 1).ok_or("no such date")?;
    ///
    /// // A grid worker whose grid is the community.
    /// let worker = Staff::new(Name::new("王五")?, Qualifications::only(Qualification::GridWorker), community, 30)?;
    /// // 2+3: the worker's home must cover the household's unit.
    /// let covers = Slot::new(Role::GridWorker, 1, Locality::HomeCovers);
    /// assert!(worker.may_hold(&covers, building, feb1, &tree));
    /// assert!(!worker.may_hold(&covers, tree.root(), feb1, &tree)); // the sub-district is wider than the grid
    /// // A slot whose holder must belong inside the target (as a building head's does):
    /// // the community is not inside the building.
    /// let lives_in = Slot::new(Role::GridWorker, 1, Locality::WithinTarget);
    /// assert!(!worker.may_hold(&lives_in, building, feb1, &tree));
    /// // Eligibility counts too: a grid worker is no doctor.
    /// assert!(!worker.may_hold(&Slot::new(Role::AreaDoctor, 1, Locality::Anywhere), building, feb1, &tree));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn may_hold(&self, slot: &Slot, unit: UnitId, date: NaiveDate, tree: &Tree) -> bool {
        self.is_available_on(date) && self.fits(slot, unit, tree)
    }

    /// Whether they may hold `slot` for a target at `unit` on the days they are available:
    /// [`Staff::may_hold`] without the date (eligible, and belonging where the slot asks).
    ///
    /// # Complexity
    /// O(levels).
    pub fn fits(&self, slot: &Slot, unit: UnitId, tree: &Tree) -> bool {
        self.is_eligible(slot.role())
            && super::roster::locality_holds(slot.locality(), self.home, unit, tree) == Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::Qualification;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 2, d).unwrap()
    }

    fn police() -> Staff {
        Staff::new(Name::new("王警官").unwrap(), Qualifications::only(Qualification::Police), UnitId::new(0), 2)
            .unwrap()
    }

    #[test]
    fn load_limit_and_availability_are_checked() {
        let name = Name::new("王").unwrap();
        assert_eq!(Staff::new(name, Qualifications::EMPTY, UnitId::new(0), 0), Err(DutyError::ZeroLoadLimit));
        assert_eq!(
            police().available(Some(day(5)), Some(day(4))),
            Err(DutyError::AvailabilityReversed { from: day(5), until: day(4) })
        );
        let one_day = police().available(Some(day(5)), Some(day(5))).unwrap();
        assert!(one_day.is_available_on(day(5)));
        assert!(!one_day.is_available_on(day(4)));
        assert!(!one_day.is_available_on(day(6)));
        let open = police().available(None, Some(day(5))).unwrap();
        assert!(open.is_available_on(NaiveDate::MIN));
        assert!(!open.is_available_on(day(6)));
        assert!(police().is_available_on(NaiveDate::MAX));
        assert!(police().is_eligible(Role::AreaPolice));
        assert!(!police().is_eligible(Role::AreaDoctor));
    }

    #[test]
    fn debug_shows_no_name() {
        let s = format!("{:?}", police());
        assert!(!s.contains('王'), "{s}");
        assert!(s.contains("Name(<redacted>)"), "{s}");
    }

    #[test]
    fn serde_round_trips_and_checks() {
        let s = police().available(Some(day(1)), None).unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            json,
            r#"{"name":"王警官","qualifications":["Police"],"home":0,"load_limit":2,"from":"2020-02-01"}"#
        );
        assert_eq!(serde_json::from_str::<Staff>(&json).unwrap(), s);
        assert!(serde_json::from_str::<Staff>(&json.replace(r#""load_limit":2"#, r#""load_limit":0"#)).is_err());
        let reversed = json.replace(r#""from":"2020-02-01""#, r#""from":"2020-02-02","until":"2020-02-01""#);
        let err = serde_json::from_str::<Staff>(&reversed).unwrap_err().to_string();
        assert!(err.contains("2020-02-01"), "{err}");
        assert!(serde_json::from_str::<Staff>(&json.replace(r#""home""#, r#""x":1,"home""#)).is_err());
        assert!(serde_json::from_str::<Staff>(&json.replace("王警官", " ")).is_err());
    }
}
