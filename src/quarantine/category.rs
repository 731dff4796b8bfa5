//! Categories 人员类别: why a person is under an isolation policy, and the state that puts
//! them in for each setting.
//!
//! A host names the [`Category`] when it starts a case
//! ([`Command::StartCase`](crate::Command::StartCase)); the registry then asks
//! [`Category::standing_on`] for the person's [`Standing`] on the days the case starts or moves
//! on, and [`Category::next_change`] for the day it changes next, so the household's colour
//! follows the policy's phases.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Schedule, Setting};
use crate::colour::{Standing, State};

/// Why a person is under an isolation policy 人员类别.
///
/// With the setting of the phase they are in, it gives their [`Standing`]
/// ([`Category::standing_in`]), and so their household's colour.
///
/// Serialised by variant name (`"CloseContact"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Category {
    /// A close contact 密切接触者 of a case.
    CloseContact,
    /// A secondary contact 次密切接触者: a contact of a close contact.
    SecondaryContact,
    /// Arrived from the epidemic area 疫区返回 (seed 003's orange households).
    ArrivalFromEpidemicArea,
    /// Arrived from elsewhere 非疫区返回 (seed 003's yellow households).
    ArrivalFromElsewhere,
    /// Arrived from abroad 入境人员.
    Inbound,
    /// Travelled through a high- or medium-risk area 中高风险地区旅居人员.
    RiskAreaTraveller,
}

/// What a [`Command::StartCase`](crate::Command::StartCase) says of the close contact's case a
/// secondary contact 次密切接触者 is linked to (关联密接).
///
/// Under a policy with a [`LinkedRelease`](super::LinkedRelease), a secondary contact's
/// release waits on their close contact's first tests, so the registry must know whom they
/// follow. A command for such a case that says nothing (`linked: None`) is refused with
/// [`CaseError::LinkUnstated`](super::CaseError::LinkUnstated): a missing link is never taken to
/// mean "no close contact".
///
/// Serialised as `{"Case": 3}` or `"Unlinked"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Link {
    /// Linked to the close contact's case, whose first tests the release waits on.
    Case(crate::CaseId),
    /// Said explicitly: no close contact's case here to link to (the close contact is
    /// registered elsewhere, or not traced). The case is released on its own schedule.
    Unlinked,
}

impl Link {
    /// The linked case, if any.
    pub const fn case(self) -> Option<crate::CaseId> {
        match self {
            Link::Case(case) => Some(case),
            Link::Unlinked => None,
        }
    }
}

impl Category {
    /// Every category, in declaration order.
    pub const ALL: [Category; 6] = [
        Category::CloseContact,
        Category::SecondaryContact,
        Category::ArrivalFromEpidemicArea,
        Category::ArrivalFromElsewhere,
        Category::Inbound,
        Category::RiskAreaTraveller,
    ];

    /// Why someone of this category is held: their reason, the same in every phase. A contact
    /// stays a contact; an arrival from the epidemic area (and an inbound arrival or a
    /// risk-area traveller: they come from where the virus spreads) is
    /// [`State::HomeIsolationEpidemicArea`], an arrival from elsewhere
    /// [`State::HomeIsolationElsewhere`] (the reason: where they returned from).
    ///
    /// # Example
    /// ```
    /// use wangge::colour::State;
    /// use wangge::quarantine::Category;
    /// assert_eq!(Category::ArrivalFromElsewhere.reason(), State::HomeIsolationElsewhere);
    /// ```
    pub const fn reason(self) -> State {
        match self {
            Category::CloseContact => State::CloseContact,
            Category::SecondaryContact => State::SecondaryContact,
            Category::ArrivalFromElsewhere => State::HomeIsolationElsewhere,
            Category::ArrivalFromEpidemicArea | Category::Inbound | Category::RiskAreaTraveller => {
                State::HomeIsolationEpidemicArea
            }
        }
    }

    /// The [`Standing`] of someone of this category in a phase of `setting`: the category's
    /// [`reason`](Category::reason) under the setting's [`measure`](Setting::measure). The
    /// phases of a quarantine change the measure, never the reason, so the map keeps saying
    /// why (a non-epidemic arrival at a site stays yellow under
    /// [`StandingRule::zhengzhou_2020`](crate::colour::StandingRule::zhengzhou_2020)).
    ///
    /// # Example
    /// ```
    /// use wangge::colour::{Measure, State};
    /// use wangge::quarantine::{Category, Setting};
    /// let s = Category::ArrivalFromElsewhere.standing_in(Setting::CentralisedIsolation);
    /// assert_eq!((s.reason(), s.measure()), (State::HomeIsolationElsewhere, Measure::CentralisedIsolation));
    /// ```
    pub fn standing_in(self, setting: Setting) -> Standing {
        // Every category's reason is a reason (never the setting), and none is absent: the
        // standing exists under every measure.
        Standing::new(self.reason(), setting.measure()).unwrap_or(Standing::WELL)
    }

    /// The standing of someone of this category on `date` of `schedule`: that of the phase
    /// `date` falls in; before the first phase (the anchor day), the first phase's; after the
    /// last, the last phase's.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::colour::{Measure, State};
    /// use wangge::quarantine::{Category, Policy};
    ///
    /// let jul = |d| NaiveDate::from_ymd_opt(2022, 7, d).unwrap();
    /// let s = Policy::cn_ed9_close_contact().schedule(jul(1))?; // 7 days centralised + 3 at home
    /// let on = |d| { let s = Category::CloseContact.standing_on(&s, jul(d)); (s.reason(), s.measure()) };
    /// assert_eq!(on(1), (State::CloseContact, Measure::CentralisedIsolation));
    /// assert_eq!(on(8), (State::CloseContact, Measure::CentralisedIsolation));
    /// assert_eq!(on(9), (State::CloseContact, Measure::HealthManagement)); // home health monitoring
    /// assert_eq!(Category::CloseContact.next_change(&s, jul(1)), Some((jul(9), 1)));
    /// assert_eq!(Category::CloseContact.next_change(&s, jul(9)), None);
    /// # Ok::<(), wangge::quarantine::QuarantineError>(())
    /// ```
    pub fn standing_on(self, schedule: &Schedule, date: NaiveDate) -> Standing {
        let phases = schedule.phases();
        let i = phases.partition_point(|p| p.last() < date).min(phases.len().saturating_sub(1));
        phases.get(i).map_or(Standing::WELL, |p| self.standing_in(p.setting()))
    }

    /// The first date after `after` on which this category's standing under `schedule`
    /// changes (its measure: the reason stays), with the index of the phase that begins then;
    /// `None` when it stays the same to the end.
    pub fn next_change(self, schedule: &Schedule, after: NaiveDate) -> Option<(NaiveDate, usize)> {
        let now = self.standing_on(schedule, after);
        schedule
            .phases()
            .iter()
            .enumerate()
            .find(|(_, p)| p.first() > after && self.standing_in(p.setting()) != now)
            .map(|(i, p)| (p.first(), i))
    }

    /// The Chinese name.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Category::CloseContact => "密切接触者",
            Category::SecondaryContact => "次密切接触者",
            Category::ArrivalFromEpidemicArea => "疫区返回人员",
            Category::ArrivalFromElsewhere => "非疫区返回人员",
            Category::Inbound => "入境人员",
            Category::RiskAreaTraveller => "中高风险地区旅居人员",
        }
    }

    /// The English name.
    pub const fn label_en(self) -> &'static str {
        match self {
            Category::CloseContact => "close contact",
            Category::SecondaryContact => "secondary contact",
            Category::ArrivalFromEpidemicArea => "arrival from the epidemic area",
            Category::ArrivalFromElsewhere => "arrival from elsewhere",
            Category::Inbound => "inbound arrival",
            Category::RiskAreaTraveller => "risk-area traveller",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_en())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quarantine::Policy;

    /// For every preset and category, the standings its phases give follow one another, and
    /// each may be entered from present and well and released back to it.
    #[test]
    fn every_preset_phase_sequence_is_a_legal_walk_of_standings() {
        use crate::colour::Standing;
        for policy in Policy::presets() {
            for category in Category::ALL {
                let walk: Vec<Standing> = policy.phases().iter().map(|p| category.standing_in(p.setting())).collect();
                assert!(Standing::WELL.may_become(walk[0]), "{} {category}", policy.name());
                for pair in walk.windows(2) {
                    assert!(
                        pair[0] == pair[1] || pair[0].may_become(pair[1]),
                        "{} {category}: {pair:?}",
                        policy.name()
                    );
                    assert_eq!(pair[0].reason(), pair[1].reason(), "a phase changes the measure, never the reason");
                }
                let last = walk[walk.len() - 1];
                assert!(last.may_become(Standing::WELL), "{} {category}: {last:?} cannot be released", policy.name());
                for s in &walk {
                    for end in [State::Suspected, State::Confirmed] {
                        assert!(s.set_reason(end).is_ok(), "{s:?} -> {end:?}");
                    }
                }
            }
        }
    }

    /// The registry's daily round and conversions rely on this: whatever the policy's
    /// settings, every change a case makes is legal, so follow-up events cannot be refused.
    #[test]
    fn every_change_a_case_makes_is_legal() {
        for category in Category::ALL {
            for a in Setting::ALL {
                let from = category.standing_in(a);
                assert!(from.set_reason(State::Well).is_ok(), "{category} {a:?}");
                for b in Setting::ALL {
                    let to = category.standing_in(b);
                    assert!(from == to || from.may_become(to), "{category}: {a:?} -> {b:?}");
                    // A secondary contact converted into a close contact.
                    let converted = Category::CloseContact.standing_in(b);
                    let secondary = Category::SecondaryContact.standing_in(a);
                    assert!(secondary.may_become(converted), "{a:?} -> {b:?}");
                }
            }
        }
    }

    #[test]
    fn centralised_isolation_is_a_measure_whatever_the_category() {
        use crate::colour::Measure;
        for category in Category::ALL {
            for setting in Setting::ALL {
                let s = category.standing_in(setting);
                assert_eq!(s.reason(), category.reason());
                assert_eq!(s.measure() == Measure::CentralisedIsolation, setting == Setting::CentralisedIsolation);
            }
        }
    }
}
