//! The daily agenda 每日工作清单: what the community must do about its isolation cases on one
//! date.
//!
//! An [`Agenda`] is made by the registry from its date indexes
//! ([`Registry::agenda`](crate::Registry::agenda), or a scope's), one [`AgendaItem`] per case
//! and thing to do, each naming the case's person, household and unit as they are that day.
//! It is a value: the host reads it (all items, or one kind at a time), narrows it to a unit
//! and acts, by commands; nothing here changes the registry.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::colour::State;
use crate::{CaseId, HouseholdId, PersonId, UnitId};

/// One kind of agenda item, in the order an agenda lists them.
///
/// Serialised by variant name, with its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Item {
    /// Released 解除隔离 on the date.
    Released,
    /// Escalated on the date: a fever reading (to [`State::Suspected`]) or a positive test
    /// (to [`State::Confirmed`]).
    Escalated {
        /// The state the person was escalated to.
        to: State,
    },
    /// Flagged for review 待复核 on or before the date and not resolved yet.
    Review {
        /// The date it was flagged.
        since: NaiveDate,
    },
    /// Open, with its release date on or before the date: to release today (or overdue, when
    /// `release` is earlier).
    ReleaseDue {
        /// The release date of its schedule.
        release: NaiveDate,
    },
    /// Open, with a test 核酸检测 due on the date.
    TestDue,
    /// Open, and fewer checks were recorded on the day before the date than its policy
    /// required: 2 required and 1 reading is 1 missed.
    MissedChecks {
        /// The checks required that day.
        required: u8,
        /// The checks recorded that day.
        recorded: u8,
    },
    /// Released, and within the obligations after release 解除后健康监测 of its policy
    /// ([`AfterRelease`](super::AfterRelease)): symptoms to monitor (and a mask to wear)
    /// through `until`. A fever reading in the window makes the person a suspected case.
    Monitoring {
        /// The last day of the obligations.
        until: NaiveDate,
    },
}

impl Item {
    /// The position of this kind in an agenda's order: released 0, escalated 1, review 2,
    /// release due 3, test due 4, missed checks 5, monitoring after release 6 (the kinds
    /// added later rank after those before, so that an order once documented stays).
    pub const fn rank(&self) -> u8 {
        match self {
            Item::Released => 0,
            Item::Escalated { .. } => 1,
            Item::Review { .. } => 2,
            Item::ReleaseDue { .. } => 3,
            Item::TestDue => 4,
            Item::MissedChecks { .. } => 5,
            Item::Monitoring { .. } => 6,
        }
    }

    /// The English label of the kind.
    pub const fn label_en(&self) -> &'static str {
        match self {
            Item::Released => "released",
            Item::Escalated { .. } => "escalated",
            Item::Review { .. } => "to review",
            Item::ReleaseDue { .. } => "release due",
            Item::TestDue => "test due",
            Item::MissedChecks { .. } => "missed checks",
            Item::Monitoring { .. } => "monitoring after release",
        }
    }

    /// The Chinese label of the kind.
    pub const fn label_zh(&self) -> &'static str {
        match self {
            Item::Released => "已解除隔离",
            Item::Escalated { .. } => "已转为病例",
            Item::Review { .. } => "待复核",
            Item::ReleaseDue { .. } => "应解除隔离",
            Item::TestDue => "应做核酸",
            Item::MissedChecks { .. } => "漏报体温",
            Item::Monitoring { .. } => "解除后健康监测",
        }
    }
}

/// One line of an agenda: a case, whose it is, where they live now, and what is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AgendaItem {
    /// The case.
    pub case: CaseId,
    /// Its person.
    pub person: PersonId,
    /// The person's household.
    pub household: HouseholdId,
    /// The household's unit.
    pub unit: UnitId,
    /// What is due or happened.
    pub item: Item,
}

/// An agenda line with what a worker reads on a printed list: the household's door label 门牌
/// and the unit's name, beside the ids ([`Registry::labelled`](crate::Registry::labelled)).
///
/// Serialised flat: the [`AgendaItem`]'s fields, then `door` and `unit_name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelledItem {
    /// The line.
    #[serde(flatten)]
    pub item: AgendaItem,
    /// The household's door label.
    pub door: crate::people::DoorLabel,
    /// The name of the household's unit.
    pub unit_name: String,
}

/// The daily agenda 每日工作清单 for one date: who was released, who escalated, who needs
/// review, whose release is due, whose test is due, who missed checks the day before, who is
/// released but still monitoring their symptoms.
///
/// Made by [`Registry::agenda`](crate::Registry::agenda) (and per unit, and through a
/// [`Scope`](crate::Scope)). Items are sorted by kind ([`Item::rank`]), then by case; a case
/// may appear under several kinds (a test due on its release day, say).
///
/// Serialised as `{"date": ..., "items": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agenda {
    date: NaiveDate,
    items: Vec<AgendaItem>,
}

impl Agenda {
    /// An agenda of `items`, put in agenda order.
    pub(crate) fn new(date: NaiveDate, mut items: Vec<AgendaItem>) -> Self {
        items.sort_by_key(|i| (i.item.rank(), i.case));
        Agenda { date, items }
    }

    /// The date.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// Every item, in agenda order.
    pub fn items(&self) -> &[AgendaItem] {
        &self.items
    }

    /// How many items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The window `request` asks of the items, in agenda order.
    ///
    /// # Complexity
    /// O(items).
    pub fn page(&self, request: crate::page::PageRequest) -> crate::page::Page<AgendaItem> {
        crate::page::Page::of(self.items.iter().cloned(), request)
    }

    /// Whether nothing is due.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The items of the kind ranked `rank`, in case order.
    fn of(&self, rank: u8) -> impl Iterator<Item = &AgendaItem> + '_ {
        let from = self.items.partition_point(|i| i.item.rank() < rank);
        self.items[from..].iter().take_while(move |i| i.item.rank() == rank)
    }

    /// Released on the date.
    pub fn released(&self) -> impl Iterator<Item = &AgendaItem> + '_ {
        self.of(Item::Released.rank())
    }

    /// Escalated on the date.
    pub fn escalated(&self) -> impl Iterator<Item = &AgendaItem> + '_ {
        self.of(Item::Escalated { to: State::Suspected }.rank())
    }

    /// Flagged for review and not resolved.
    pub fn review(&self) -> impl Iterator<Item = &AgendaItem> + '_ {
        self.of(Item::Review { since: NaiveDate::MIN }.rank())
    }

    /// Open cases whose release is due (today, or overdue).
    pub fn release_due(&self) -> impl Iterator<Item = &AgendaItem> + '_ {
        self.of(Item::ReleaseDue { release: NaiveDate::MIN }.rank())
    }

    /// Tests due on the date.
    pub fn tests_due(&self) -> impl Iterator<Item = &AgendaItem> + '_ {
        self.of(Item::TestDue.rank())
    }

    /// Checks missed on the day before.
    pub fn missed_checks(&self) -> impl Iterator<Item = &AgendaItem> + '_ {
        self.of(Item::MissedChecks { required: 0, recorded: 0 }.rank())
    }

    /// Released cases within their obligations after release.
    pub fn monitoring(&self) -> impl Iterator<Item = &AgendaItem> + '_ {
        self.of(Item::Monitoring { until: NaiveDate::MIN }.rank())
    }

    /// The items whose unit `keep` accepts, in the same order (the agenda of one unit or
    /// scope).
    pub fn retain(&mut self, mut keep: impl FnMut(UnitId) -> bool) {
        self.items.retain(|i| keep(i.unit));
    }

    /// How many items of each kind, in [`Item::rank`] order: released, escalated, review,
    /// release due, tests due, missed checks, monitoring after release.
    pub fn counts(&self) -> [usize; 7] {
        let mut out = [0; 7];
        for i in &self.items {
            out[usize::from(i.item.rank())] += 1;
        }
        out
    }
}
