//! Screening campaigns 摸排 / 拉网式排查: door to door, building by building, no household left
//! 不落一户.
//!
//! Seed 003 (Zhengzhou, Huayuan Road): "逐楼逐户入户排查，全面了解居民基本情况、有无疫区接触史、身体健康状况
//! … 针对家中无人的张贴温馨提示条，通知居民返郑前，及时与社区联系，并逐一电话详细询问返郑前的具体去向及接触人员" —
//! every building and household visited; where nobody is home, a notice 温馨提示 is left on the
//! door and the residents are phoned about their whereabouts and contacts before they return.
//! Seed 002 (Hangzhou, Baiyang): 1,300 arrivals from key areas screened in two days, 7,000 in a
//! week, more than 11,500 by Feb 28. Seed 004 (Foshan): "摸排不落一户、不漏一人".
//!
//! A [`Campaign`] covers the households inside a unit (a community, a courtyard) from a date:
//! the list is fixed when it starts. Each [`Visit`] records a household's [`Outcome`] and who made
//! it; a household's [`Standing`] is its last visit's. The campaign is complete when every
//! household is visited or has moved out ([`Progress::complete`]). Findings feed the register in
//! the same command (see [`Command::RecordVisit`](crate::Command::RecordVisit)): a person found
//! away becomes [`State::Absent`](crate::colour::State::Absent), one found back from a key area
//! ([`Back`]) is placed under the campaign's isolation policy: a case of the campaign's
//! [`Category`] anchored on the day they arrived, as
//! [`Command::StartCase`](crate::Command::StartCase) would start it (seed 001: "对相关来沪人员或
//! 途经武汉人员启动了14天居家隔离观察" — 14 days of home isolation observation for those arriving
//! from or through Wuhan, counted from the arrival).
//!
//! Every campaign names its policy: a person back from a key area put into a controlling state
//! with no case would stay there with no period and no release, which is what the rules forbid
//! (the seed isolates them for a period counted from the return), so there is no campaign
//! without one.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::quarantine::Category;
use crate::{HouseholdId, PersonId, PolicyId, StaffId, UnitId};

/// A campaign's id: `CampaignId(i)` is the `i`-th campaign started.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CampaignId(u32);

impl CampaignId {
    /// The id of the campaign at `index`.
    pub const fn new(index: u32) -> Self {
        CampaignId(index)
    }

    /// Its position among the campaigns.
    pub const fn index(self) -> usize {
        self.0 as usize
    }

    /// The number.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Debug for CampaignId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "campaign{}", self.0)
    }
}

impl fmt::Display for CampaignId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "campaign{}", self.0)
    }
}

/// A screening campaign 摸排: its scope, start and the households it must visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    /// Its name (not personal data).
    pub name: String,
    /// The unit whose households it visits.
    pub unit: UnitId,
    /// The day it starts.
    pub from: NaiveDate,
    /// The isolation policy a person found back from a key area is placed under (an adopted
    /// policy: home isolation for 14 days from the return in seed 003's practice).
    pub policy: PolicyId,
    /// The category of their case: an arrival's ([`is_arrival`]),
    /// [`Category::ArrivalFromEpidemicArea`] in seed 003's practice.
    pub category: Category,
    /// The households to visit, by id: those inside the unit when it started.
    pub households: Vec<HouseholdId>,
}

/// Whether `category` is one a campaign may place arrivals under: an arrival's (from the
/// epidemic area, elsewhere, abroad, a risk area), never a contact's.
pub const fn is_arrival(category: Category) -> bool {
    !matches!(category, Category::CloseContact | Category::SecondaryContact)
}

/// A person found away 外出: where, and when they are expected back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Away {
    /// The person.
    pub person: PersonId,
    /// Where they are (a place, not personal data).
    pub origin: String,
    /// When they are expected back, if known.
    pub returns: Option<NaiveDate>,
}

/// A person found back from a key area 疫区返回, and the day they arrived (their case's anchor:
/// the period counts from the return).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Back {
    /// The person.
    pub person: PersonId,
    /// The day they arrived back.
    pub arrived: NaiveDate,
}

/// What a visit found in a household 入户排查: each member named at most once.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Findings {
    /// Members present.
    pub present: Vec<PersonId>,
    /// Members away, with where and their expected return.
    pub away: Vec<Away>,
    /// Members back from a key epidemic area 疫区返回, with the day each arrived: each is
    /// placed under the campaign's policy.
    pub back_from_key_area: Vec<Back>,
    /// Members with symptoms (fever, cough ...), among those present or back.
    pub symptoms: Vec<PersonId>,
}

impl Findings {
    /// Every member named (present, away, back), in that order.
    pub fn named(&self) -> impl Iterator<Item = PersonId> + '_ {
        self.present
            .iter()
            .copied()
            .chain(self.away.iter().map(|a| a.person))
            .chain(self.back_from_key_area.iter().map(|b| b.person))
    }
}

/// A visit's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Outcome {
    /// The household was visited.
    Visited(Findings),
    /// Nobody was home: a notice left on the door 张贴温馨提示 (or not), a phone follow-up owed
    /// and a revisit.
    NobodyHome {
        /// Whether a notice was left.
        notice: bool,
    },
    /// The household refused the visit: a revisit.
    Refused,
    /// The household has moved out 已搬离: nothing more to visit.
    MovedOut,
}

/// One visit of a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Visit {
    /// The household.
    pub household: HouseholdId,
    /// The grid worker who visited.
    pub by: StaffId,
    /// When (the host's time).
    pub at: NaiveDateTime,
    /// What came of it.
    pub outcome: Outcome,
}

/// Where a household stands in a campaign: its last visit's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Standing {
    /// Not visited yet.
    ToVisit,
    /// Visited.
    Visited,
    /// Nobody home or refused: to visit again (and, nobody home, to phone).
    Revisit,
    /// Moved out.
    MovedOut,
}

impl Standing {
    /// The standing a visit's outcome leaves.
    pub fn of(outcome: &Outcome) -> Standing {
        match outcome {
            Outcome::Visited(_) => Standing::Visited,
            Outcome::NobodyHome { .. } | Outcome::Refused => Standing::Revisit,
            Outcome::MovedOut => Standing::MovedOut,
        }
    }

    /// Whether nothing more is owed the household.
    pub fn is_done(self) -> bool {
        matches!(self, Standing::Visited | Standing::MovedOut)
    }
}

/// A campaign's progress over a set of households 进度.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Households counted.
    pub households: u64,
    /// Visited.
    pub visited: u64,
    /// Moved out.
    pub moved_out: u64,
    /// Not visited yet.
    pub to_visit: u64,
    /// Nobody home or refused, to visit again.
    pub to_revisit: u64,
    /// Phone follow-ups owed: households whose last visit found nobody home.
    pub calls_owed: u64,
    /// Visits made (a household visited twice counts twice).
    pub visits: u64,
    /// Persons found away.
    pub away: u64,
    /// Persons found back from a key area.
    pub back_from_key_area: u64,
    /// Persons found with symptoms.
    pub symptoms: u64,
}

impl Progress {
    /// Count a household by its standing and last outcome.
    pub fn count(&mut self, standing: Standing, last: Option<&Outcome>) {
        self.households += 1;
        match standing {
            Standing::ToVisit => self.to_visit += 1,
            Standing::Visited => self.visited += 1,
            Standing::Revisit => self.to_revisit += 1,
            Standing::MovedOut => self.moved_out += 1,
        }
        if let Some(Outcome::NobodyHome { .. }) = last {
            self.calls_owed += 1;
        }
    }

    /// Count a visit's findings.
    pub fn count_visit(&mut self, outcome: &Outcome) {
        self.visits += 1;
        if let Outcome::Visited(f) = outcome {
            self.away += f.away.len() as u64;
            self.back_from_key_area += f.back_from_key_area.len() as u64;
            self.symptoms += f.symptoms.len() as u64;
        }
    }

    /// Whether no household is left 不落一户: every one visited or moved out.
    pub fn complete(&self) -> bool {
        self.to_visit == 0 && self.to_revisit == 0
    }
}

/// What can go wrong with a screening command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ScreenError {
    /// No such campaign.
    #[error("no {campaign}")]
    UnknownCampaign {
        /// The campaign.
        campaign: CampaignId,
    },
    /// The household is not on the campaign's list.
    #[error("household {household} is not on {campaign}'s list")]
    NotOnList {
        /// The campaign.
        campaign: CampaignId,
        /// The household.
        household: HouseholdId,
    },
    /// A visit dated before the campaign started.
    #[error("a visit on {date} is before {campaign} started on {from}")]
    BeforeStart {
        /// The campaign.
        campaign: CampaignId,
        /// The visit's date.
        date: NaiveDate,
        /// The start.
        from: NaiveDate,
    },
    /// A person named by a visit is not a member of the household, or is named twice.
    #[error("{person} is not a member of household {household}, or is named twice")]
    NotAMember {
        /// The person.
        person: PersonId,
        /// The household.
        household: HouseholdId,
    },
    /// A person with symptoms who is neither present nor back.
    #[error("{person} has symptoms but is not present")]
    SymptomsAbsent {
        /// The person.
        person: PersonId,
    },
    /// The campaign's name is empty, too long or holds control characters, or an origin is.
    #[error("a campaign's name and an origin are 1 to 200 characters of text")]
    BadText,
    /// The campaign's category is not an arrival's ([`is_arrival`]: a contact is traced, not
    /// found back).
    #[error("{category} is not a category for arrivals from a key area")]
    BadCategory {
        /// The category.
        category: Category,
    },
    /// A person found back from a key area arrived after the visit.
    #[error("{person} is said to arrive after the visit")]
    ArrivedAfterVisit {
        /// The person.
        person: PersonId,
    },
}
