//! Screening campaigns in the registry 摸排: every campaign, its visit list and its visits; the
//! findings fed to the register in the command that records them.
//!
//! The rules are [`crate::screen`]'s, pure; this file keeps the campaigns, decides the two
//! commands (start a campaign, record a visit) and reports progress per unit and per grid
//! worker. A visit's findings feed the register in the same record: after the
//! [`Event::VisitRecorded`], one [`Event::StateChanged`] per person found away (into
//! [`State::Absent`]), then one [`Event::CaseStarted`] per person back from a key area (under
//! the campaign's policy and category, anchored on the day they arrived, started on the
//! business date, cases numbered in the order the visit names them), each decided on the
//! state the ones before leave; every event is checked as its own command's would be
//! (a `CaseStarted` as [`Command::StartCase`]'s), so the record is all or nothing.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::record::Draft;
use super::{Event, IdTable, Registry, RegistryError};
use crate::colour::State;
use crate::screen::{Campaign, CampaignId, Outcome, Progress, ScreenError, Standing, Visit, is_arrival};
use crate::trace::MAX_TEXT_CHARS;
use crate::{CaseId, Command, Error, HouseholdId, StaffId, UnitId};

/// A campaign as the registry keeps it: the campaign and its visits, in the order recorded.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignRecord {
    /// The campaign.
    pub campaign: Campaign,
    /// Its visits.
    pub visits: Vec<Visit>,
}

crate::form::serialize_fields!(CampaignRecord { campaign, visits });

/// The screening campaigns a snapshot carries ([`Snapshot::screen`](super::Snapshot::screen)),
/// `CampaignId(i)` at position `i`. Empty (and left out) until a campaign starts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenData {
    /// The campaigns.
    #[serde(default)]
    pub campaigns: Vec<CampaignRecord>,
}

crate::form::serialize_fields!(ScreenData { campaigns skip_if Vec::is_empty });

impl ScreenData {
    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.campaigns.is_empty()
    }
}

/// The screening book.
pub(super) type ScreenBook = ScreenData;

impl Event {
    /// Whether this is a screening event, which `registry::screen` checks and commits.
    pub(super) fn is_screen(&self) -> bool {
        matches!(self, Event::CampaignStarted { .. } | Event::VisitRecorded { .. })
    }
}

fn text_ok(text: &str) -> bool {
    crate::text::bad_name(text, MAX_TEXT_CHARS).is_none()
}

impl Registry {
    /// A screening campaign and its visits.
    ///
    /// # Example
    /// A campaign over a community under seed 001's home isolation: a visit finds a resident
    /// back from Wuhan since Jan 30, who is placed under a case anchored on that day.
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{Command, Registry};
    /// use wangge::colour::{PersonState, State};
    /// use wangge::duty::{Qualification, Qualifications, Staff};
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::{DoorLabel, Name, PersonRecord};
    /// use wangge::quarantine::{Category, Policy};
    /// use wangge::screen::{Back, Findings, Outcome, Visit};
    ///
    /// let date = |m, d| NaiveDate::from_ymd_opt(2020, m, d).unwrap();
    /// let scheme = LevelScheme::zhengzhou();
    /// let mut reg = Registry::new(scheme.clone(), NewUnit::new("花园路街道", scheme.level("街道").unwrap(), UnitKind::Area))?;
    /// let root = reg.root();
    /// let household = reg.apply(Command::AddHousehold { unit: root, door: DoorLabel::new("1-101")? })?[0].new_household().unwrap();
    /// let state = PersonState::well(date(1, 20));
    /// let person = reg.apply(Command::RegisterPerson { household, record: PersonRecord::new(), state })?[0].new_person().unwrap();
    /// let staff = Staff::new(Name::new("网格员")?, Qualifications::only(Qualification::GridWorker), root, 50)?;
    /// let by = reg.apply(Command::AddStaff { staff })?[0].new_staff().unwrap();
    /// let policy = reg.apply(Command::AdoptPolicy { policy: Policy::seed_shanghai_2020() })?[0].new_policy().unwrap();
    /// reg.apply(Command::OpenDay { today: date(2, 1) })?;
    /// let category = Category::ArrivalFromEpidemicArea;
    /// reg.apply(Command::StartCampaign { name: "返郑人员摸排".into(), unit: root, from: date(2, 1), policy, category })?;
    ///
    /// let found = Findings { back_from_key_area: vec![Back { person, arrived: date(1, 30) }], ..Findings::default() };
    /// let at = date(2, 1).and_hms_opt(10, 0, 0).unwrap();
    /// let campaign = wangge::screen::CampaignId::new(0);
    /// let events = reg.apply(Command::RecordVisit { campaign, visit: Visit { household, by, at, outcome: Outcome::Visited(found) } })?;
    /// assert_eq!(events.len(), 2); // the visit, then the case started
    /// let case = reg.case(reg.active_case(person).unwrap())?;
    /// assert_eq!((case.policy(), case.anchor()), (policy, date(1, 30)));
    /// assert_eq!(reg.state(person)?.state(), State::HomeIsolationEpidemicArea);
    /// assert_eq!(reg.campaign(campaign)?.visits.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`ScreenError::UnknownCampaign`].
    pub fn campaign(&self, campaign: CampaignId) -> Result<&CampaignRecord, Error> {
        Ok(self.screen.campaigns.get(campaign.index()).ok_or(ScreenError::UnknownCampaign { campaign })?)
    }

    /// Each household of a campaign's list with its standing and last visit, in list order.
    ///
    /// # Errors
    /// [`ScreenError::UnknownCampaign`].
    ///
    /// # Complexity
    /// O(visits + households × log households).
    pub fn campaign_standings(&self, campaign: CampaignId) -> Result<Vec<(HouseholdId, Standing)>, Error> {
        let c = self.campaign(campaign)?;
        let last = Self::last_visits(c);
        Ok(c.campaign
            .households
            .iter()
            .map(|h| (*h, last.get(h).map_or(Standing::ToVisit, |v| Standing::of(&v.outcome))))
            .collect())
    }

    fn last_visits(c: &CampaignRecord) -> BTreeMap<HouseholdId, &Visit> {
        let mut last = BTreeMap::new();
        for v in &c.visits {
            last.insert(v.household, v);
        }
        last
    }

    /// A campaign's progress inside `unit` 进度: its households there by standing, and the
    /// visits and findings there. [`Progress::complete`] when no household there is left.
    ///
    /// # Errors
    /// [`ScreenError::UnknownCampaign`]; the error of an unknown unit.
    ///
    /// # Complexity
    /// O((visits + households) × levels).
    pub fn campaign_progress(&self, campaign: CampaignId, unit: UnitId) -> Result<Progress, Error> {
        self.tree.check(unit)?;
        let c = self.campaign(campaign)?;
        let last = Self::last_visits(c);
        let inside = |h: HouseholdId| -> Result<bool, Error> {
            Ok(self.tree.is_within(self.population.household(h)?.unit(), unit)?)
        };
        let mut p = Progress::default();
        for &h in &c.campaign.households {
            if inside(h)? {
                let v = last.get(&h);
                p.count(v.map_or(Standing::ToVisit, |v| Standing::of(&v.outcome)), v.map(|v| &v.outcome));
            }
        }
        for v in &c.visits {
            if inside(v.household)? {
                p.count_visit(&v.outcome);
            }
        }
        Ok(p)
    }

    /// A campaign's progress per grid worker: the households whose last visit each made, by
    /// standing, and their visits and findings.
    ///
    /// # Errors
    /// [`ScreenError::UnknownCampaign`].
    pub fn campaign_progress_by_worker(&self, campaign: CampaignId) -> Result<BTreeMap<StaffId, Progress>, Error> {
        let c = self.campaign(campaign)?;
        let mut out: BTreeMap<StaffId, Progress> = BTreeMap::new();
        for v in Self::last_visits(c).values() {
            out.entry(v.by).or_default().count(Standing::of(&v.outcome), Some(&v.outcome));
        }
        for v in &c.visits {
            out.entry(v.by).or_default().count_visit(&v.outcome);
        }
        Ok(out)
    }

    /// The households inside `unit`, by id.
    fn households_inside(&self, unit: UnitId) -> Result<Vec<HouseholdId>, Error> {
        let mut out = Vec::new();
        for u in self.tree.subtree(unit)? {
            out.extend_from_slice(self.population.households_at(u));
        }
        out.sort_unstable();
        Ok(out)
    }

    pub(super) fn decide_screen(&self, command: Command) -> Result<Event, Error> {
        Ok(match command {
            Command::StartCampaign { name, unit, from, policy, category } => Event::CampaignStarted {
                campaign: CampaignId::new(u32::try_from(self.screen.campaigns.len()).unwrap_or(u32::MAX)),
                spec: Campaign { name, unit, from, policy, category, households: self.households_inside(unit)? },
            },
            Command::RecordVisit { campaign, visit } => Event::VisitRecorded { campaign, visit },
            other => {
                return Err(RegistryError::Mismatch { what: format!("{other:?} is not a screening command") }.into());
            }
        })
    }

    /// The events a visit's findings make, each decided on the state the ones before leave:
    /// the persons away (into [`State::Absent`], unless they are already), then a case for
    /// each person back from a key area, under the campaign's policy and category, anchored
    /// on their arrival and started on the business date, numbered from the next case id.
    pub(super) fn screen_follow_ups(&self, first: &Event, out: &mut Vec<Event>) -> Result<(), Error> {
        let Event::VisitRecorded { campaign, visit } = first else { return Ok(()) };
        let Outcome::Visited(found) = &visit.outcome else { return Ok(()) };
        let c = &self.campaign(*campaign)?.campaign;
        let on = visit.at.date();
        let mut draft = Draft::default();
        for a in &found.away {
            self.check_not_under_case(a.person)?;
            if let Some(change) = self.drafted_change(&draft, a.person, State::Absent, on, true)? {
                let event = Event::StateChanged {
                    person: a.person,
                    from: change.from,
                    to: change.to,
                    recolours: change.recolours,
                };
                draft.absorb(self, &event)?;
                out.push(event);
            }
        }
        let today = self.today_or(on);
        let mut next = u32::try_from(self.cases.cases().len()).unwrap_or(u32::MAX);
        for b in &found.back_from_key_area {
            self.check_not_under_case(b.person)?;
            let event =
                self.started_case(&draft, CaseId::new(next), b.person, c.policy, c.category, b.arrived, today, None)?;
            next = next.saturating_add(1);
            draft.absorb_start(&event);
            out.push(event);
        }
        Ok(())
    }

    pub(super) fn check_screen(&self, event: &Event, origin: super::Origin) -> Result<(), Error> {
        match event {
            Event::CampaignStarted { campaign, spec } => {
                Self::expect_id(IdTable::Campaign, self.screen.campaigns.len() as u32, campaign.get())?;
                if !text_ok(&spec.name) {
                    return Err(ScreenError::BadText.into());
                }
                self.policy(spec.policy)?;
                if !is_arrival(spec.category) {
                    return Err(ScreenError::BadCategory { category: spec.category }.into());
                }
                if origin == super::Origin::Log && spec.households != self.households_inside(spec.unit)? {
                    return Err(RegistryError::Mismatch {
                        what: format!("the households of {campaign} are not those inside {}", spec.unit),
                    }
                    .into());
                }
            }
            Event::VisitRecorded { campaign, visit } => {
                let c = &self.campaign(*campaign)?.campaign;
                if c.households.binary_search(&visit.household).is_err() {
                    return Err(ScreenError::NotOnList { campaign: *campaign, household: visit.household }.into());
                }
                if visit.at.date() < c.from {
                    return Err(
                        ScreenError::BeforeStart { campaign: *campaign, date: visit.at.date(), from: c.from }.into()
                    );
                }
                self.staff_member(visit.by)?;
                if let Outcome::Visited(found) = &visit.outcome {
                    let members = self.population.household(visit.household)?.members();
                    let mut named: Vec<_> = found.named().collect();
                    let all = named.len();
                    named.sort_unstable();
                    named.dedup();
                    for &p in &named {
                        if !members.contains(&p) || named.len() != all {
                            return Err(ScreenError::NotAMember { person: p, household: visit.household }.into());
                        }
                    }
                    if let Some(b) = found.back_from_key_area.iter().find(|b| b.arrived > visit.at.date()) {
                        return Err(ScreenError::ArrivedAfterVisit { person: b.person }.into());
                    }
                    for &p in &found.symptoms {
                        if !found.present.contains(&p) && !found.back_from_key_area.iter().any(|b| b.person == p) {
                            return Err(ScreenError::SymptomsAbsent { person: p }.into());
                        }
                    }
                    if found.away.iter().any(|a| !text_ok(&a.origin)) {
                        return Err(ScreenError::BadText.into());
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    pub(super) fn commit_screen(&mut self, event: &Event) {
        match event {
            Event::CampaignStarted { spec, .. } => {
                self.screen.campaigns.push(super::screen::CampaignRecord { campaign: spec.clone(), visits: Vec::new() })
            }
            Event::VisitRecorded { campaign, visit } => {
                if let Some(c) = self.screen.campaigns.get_mut(campaign.index()) {
                    c.visits.push(visit.clone());
                }
            }
            _ => {}
        }
    }

    /// The audit of the screening book: every campaign's unit, households, policy and visitors
    /// known, its category an arrival's, its list sorted and unrepeated, every visit on its
    /// list, after its start, not after the business date, no one found back from a key area
    /// said to arrive after the visit, and each of them under a case of the campaign's policy
    /// and category anchored on their arrival (the record started one; it may since have been
    /// released, moved to another policy or restarted from a later anchor, so a case of that
    /// person and category anchored on or after their arrival is what is asked).
    pub(super) fn screen_problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        for (i, c) in self.screen.campaigns.iter().enumerate() {
            let id = CampaignId::new(u32::try_from(i).unwrap_or(u32::MAX));
            let s = &c.campaign;
            if self.tree.check(s.unit).is_err()
                || !s.households.windows(2).all(|w| w[0] < w[1])
                || s.households.iter().any(|&h| self.population.household(h).is_err())
                || self.policy(s.policy).is_err()
                || !is_arrival(s.category)
            {
                found.push(format!("{id} names an unknown unit, household or policy, or a category not an arrival's"));
            }
            for v in &c.visits {
                if s.households.binary_search(&v.household).is_err()
                    || v.at.date() < s.from
                    || self.day.is_some_and(|d| v.at.date() > d)
                    || self.staff_member(v.by).is_err()
                {
                    found.push(format!("{id} has a visit off its list, before its start, in the future or by nobody"));
                }
                if let Outcome::Visited(f) = &v.outcome {
                    for b in &f.back_from_key_area {
                        let placed =
                            self.cases.cases().iter().any(|k| {
                                k.person() == b.person && k.anchor() >= b.arrived && k.category() == s.category
                            });
                        if b.arrived > v.at.date() || !placed {
                            found.push(format!(
                                "{id} has a person back from a key area arriving after the visit or under no case of it"
                            ));
                        }
                    }
                }
            }
        }
        found
    }
}
