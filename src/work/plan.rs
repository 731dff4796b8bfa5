//! Work plans 工作方案 as data: which roles own which tasks, and which services which
//! households are owed.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::{DueSlot, Service, WorkError};
use crate::colour::{Colour, State};
use crate::duty::Role;
use crate::people::Marker;

/// The longest plan name, in characters.
const MAX_NAME_CHARS: usize = 100;
/// The longest source, in characters.
const MAX_SOURCE_CHARS: usize = 1000;
/// The most rounds or calls a day.
const MAX_PER_DAY: u8 = 24;

/// Which roles own a kind of task, and when in the day it is due.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// The roles whose holders may do it (never empty).
    pub roles: Vec<Role>,
    /// When in the day.
    pub due: DueSlot,
}

impl Route {
    /// `roles`, due in `due`.
    pub fn new(roles: Vec<Role>, due: DueSlot) -> Self {
        Route { roles, due }
    }
}

/// The follow-up calls 随访 of persons under an isolation case: who makes them and at what
/// times. A case's policy says how many checks a day ([`Policy::checks_per_day`](crate::quarantine::Policy::checks_per_day));
/// the `n`-th is due in the `n`-th slot (the last slot for any beyond).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUps {
    /// The roles whose holders call (never empty).
    pub roles: Vec<Role>,
    /// The calls' slots, in order (never empty).
    pub calls: Vec<DueSlot>,
}

/// Which households a service rule selects: any member with one of these states or markers,
/// or the household painted one of these colours.
///
/// Serialised externally tagged: `{"Coloured": ["Red"]}`, `{"WithState": ["CloseContact"]}`,
/// `{"WithMarker": ["ElderlyLivingAlone"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Households {
    /// Households of these colours.
    Coloured(Vec<Colour>),
    /// Households with a member in one of these states.
    WithState(Vec<State>),
    /// Households with a member carrying one of these markers.
    WithMarker(Vec<Marker>),
}

impl Households {
    fn is_empty(&self) -> bool {
        match self {
            Households::Coloured(c) => c.is_empty(),
            Households::WithState(s) => s.is_empty(),
            Households::WithMarker(m) => m.is_empty(),
        }
    }
}

/// How often a service is owed.
///
/// Serialised externally tagged: `{"Daily": 2}`, `{"EveryDays": 3}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Cadence {
    /// This many rounds every day (1 to 24).
    Daily(u8),
    /// One round every this many days (1 to 24), counted on the calendar: on the days whose
    /// number since 2020-01-01 is a multiple of it, so that every household is served on the
    /// same days, whenever it came under the rule.
    EveryDays(u8),
}

impl Cadence {
    /// How many rounds are owed on `date`.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::work::Cadence;
    /// let jan = |d| NaiveDate::from_ymd_opt(2020, 1, d).unwrap();
    /// assert_eq!(Cadence::Daily(2).rounds_on(jan(5)), 2);
    /// assert_eq!(Cadence::EveryDays(3).rounds_on(jan(1)), 1);
    /// assert_eq!(Cadence::EveryDays(3).rounds_on(jan(2)), 0);
    /// assert_eq!(Cadence::EveryDays(3).rounds_on(jan(4)), 1);
    /// ```
    pub fn rounds_on(self, date: NaiveDate) -> u8 {
        match self {
            Cadence::Daily(n) => n,
            Cadence::EveryDays(0) => 0,
            Cadence::EveryDays(n) => {
                let epoch = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or(NaiveDate::MIN);
                u8::from((date - epoch).num_days().rem_euclid(i64::from(n)) == 0)
            }
        }
    }
}

/// One service rule: which households get which service, how often, from whom, when.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceRule {
    /// The service.
    pub service: Service,
    /// The households owed it.
    pub households: Households,
    /// How often.
    pub cadence: Cadence,
    /// Who does it and when in the day.
    pub route: Route,
}

/// A work plan 工作方案: which roles own each kind of task, and the services owed, with its
/// source. A kind of task the plan does not route is not made.
///
/// Serialised with its fields by name; unknown fields are refused.
///
/// # Example
/// ```
/// use wangge::duty::Role;
/// use wangge::work::{Service, WorkPlan};
///
/// let plan = WorkPlan::huayuan_road();
/// plan.validate()?;
/// let calls = plan.follow_ups.as_ref().unwrap();
/// assert_eq!(calls.calls.len(), 2); // 两次回访
/// assert!(calls.roles.contains(&Role::GridWorker));
/// assert!(plan.services.iter().any(|s| s.service == Service::SafetyCall));
/// # Ok::<(), wangge::work::WorkError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkPlan {
    /// Its name.
    pub name: String,
    /// Where its rules come from.
    pub source: String,
    /// The follow-up calls of persons under a case.
    #[serde(default)]
    pub follow_ups: Option<FollowUps>,
    /// Tests due 核酸采样.
    #[serde(default)]
    pub tests: Option<Route>,
    /// Releases to sign 解除隔离.
    #[serde(default)]
    pub releases: Option<Route>,
    /// Cases to review 复核.
    #[serde(default)]
    pub reviews: Option<Route>,
    /// Transfers 转运 of persons escalated.
    #[serde(default)]
    pub transfers: Option<Route>,
    /// Hotline tickets 工单.
    #[serde(default)]
    pub tickets: Option<Route>,
    /// The services owed to households.
    #[serde(default)]
    pub services: Vec<ServiceRule>,
}

impl WorkPlan {
    /// Check the plan: a name of 1 to 100 characters, a source of at most 1,000, every route
    /// with at least one role, follow-ups with at least one call, services with a non-empty
    /// selection and 1 to 24 rounds or days.
    ///
    /// # Errors
    /// [`WorkError::InvalidPlan`] naming the first problem.
    pub fn validate(&self) -> Result<(), WorkError> {
        let bad = |what: String| Err(WorkError::InvalidPlan { what });
        let chars = self.name.trim().chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS {
            return bad(format!("a name is 1 to {MAX_NAME_CHARS} characters; this one has {chars}"));
        }
        if self.source.chars().count() > MAX_SOURCE_CHARS {
            return bad(format!("a source is at most {MAX_SOURCE_CHARS} characters"));
        }
        let routes = [("tests", &self.tests), ("releases", &self.releases), ("reviews", &self.reviews)];
        let more = [("transfers", &self.transfers), ("tickets", &self.tickets)];
        for (what, route) in routes.iter().chain(more.iter()) {
            if route.as_ref().is_some_and(|r| r.roles.is_empty()) {
                return bad(format!("the route of {what} names no role"));
            }
        }
        if let Some(f) = &self.follow_ups {
            if f.roles.is_empty() || f.calls.is_empty() {
                return bad("follow-ups need at least one role and one call".into());
            }
            if f.calls.len() > usize::from(MAX_PER_DAY) {
                return bad(format!("follow-ups have at most {MAX_PER_DAY} calls a day"));
            }
        }
        for (i, s) in self.services.iter().enumerate() {
            if s.route.roles.is_empty() || s.households.is_empty() {
                return bad(format!("service rule {i} needs at least one role and one household selection"));
            }
            let n = match s.cadence {
                Cadence::Daily(n) | Cadence::EveryDays(n) => n,
            };
            if n == 0 || n > MAX_PER_DAY {
                return bad(format!("service rule {i}'s cadence is 1 to {MAX_PER_DAY}"));
            }
            if self.services[..i].iter().any(|o| o.service == s.service && o.households == s.households) {
                return bad(format!("service rule {i} repeats an earlier one"));
            }
        }
        Ok(())
    }

    /// `huayuan_road` 花园路: the day's work as Huayuan Road sub-district (seed 003) ran it,
    /// with the services the other seeds add.
    ///
    /// | task | roles | due | seed |
    /// |---|---|---|---|
    /// | follow-up calls, two a day | grid worker, health worker (the 2+3 team) | 08:00–12:00, 14:00–18:00 | 003: "每日利用微信群和电话进行两次体温及健康情况回访 ... 由网格员、卫生服务人员、片区民警三人组成分包小组" |
    /// | tests | health worker, area doctor | 08:00–12:00 | medical staff take samples; times chosen here |
    /// | releases to sign | area doctor | 09:00–17:00 | chosen here: a medical sign-off |
    /// | reviews | area doctor, community secretary | whole day | chosen here |
    /// | transfers of escalated persons | area police, area doctor | whole day | 003: the team "24小时看死盯牢" |
    /// | hotline tickets | community secretary, grid worker | whole day | 000: "立即受理 ... 当天结案" |
    /// | delivery to isolated households, daily | grid worker | 09:00–11:00 | 003: "专人负责提供送菜上门、送药上门" |
    /// | garbage of isolated households, daily | building head | 18:00–20:00 | 000: "专人、专用桶、专用车定期、定点、固定路线清运"; 002: party members empty the dedicated bins |
    /// | psychological support call, every 3 days | health worker | 14:00–17:00 | 003: "心理专家和专业社工通过微信、电话 ... 进行心理疏导" |
    /// | patrol at red households' doors, twice a day | grid worker, area police | whole day | 003: "在重点关注居民门口张贴巡查记录表 ... 强化监督巡查" |
    /// | safety call to the elderly alone, empty-nest, seriously ill or disabled, daily | community secretary, grid worker | 09:00–12:00 | 003: "通过平安电话、微信,主动询问辖区的孤寡老人、空巢老人、重病重残 ... 明确专人包户到人" |
    ///
    /// The times and cadences are not in the seeds (they say "daily", "twice a day", "定期"):
    /// they are this preset's choice; change them with a plan of one's own.
    pub fn huayuan_road() -> WorkPlan {
        let at = |h: u32, m: u32| NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
        let slot = |from, until| DueSlot::new(from, until).unwrap_or(DueSlot::WHOLE_DAY);
        let route = |roles: &[Role], due| Route::new(roles.to_vec(), due);
        let isolated = Households::Coloured(vec![Colour::Orange, Colour::Yellow]);
        let rule = |service, households, cadence, route| ServiceRule { service, households, cadence, route };
        WorkPlan {
            name: "huayuan_road".into(),
            source: "seed 003 (Zhengzhou Huayuan Road): 2+3 follow-ups twice a day, deliveries, garbage, psychological \
                     support, patrol record sheets at red households, safety calls to the vulnerable; seed 000 \
                     (Shanghai Changhai Road): garbage by dedicated people and bins, 12345 tickets closed the same day; \
                     seed 002 (Urumqi Baiyang): dedicated bins emptied by party members. Times and cadences chosen \
                     here (DOMAIN.md section 6)"
                .into(),
            follow_ups: Some(FollowUps {
                roles: vec![Role::GridWorker, Role::HealthWorker],
                calls: vec![slot(at(8, 0), at(12, 0)), slot(at(14, 0), at(18, 0))],
            }),
            tests: Some(route(&[Role::HealthWorker, Role::AreaDoctor], slot(at(8, 0), at(12, 0)))),
            releases: Some(route(&[Role::AreaDoctor], slot(at(9, 0), at(17, 0)))),
            reviews: Some(route(&[Role::AreaDoctor, Role::CommunitySecretary], DueSlot::WHOLE_DAY)),
            transfers: Some(route(&[Role::AreaPolice, Role::AreaDoctor], DueSlot::WHOLE_DAY)),
            tickets: Some(route(&[Role::CommunitySecretary, Role::GridWorker], DueSlot::WHOLE_DAY)),
            services: vec![
                rule(
                    Service::Delivery,
                    isolated.clone(),
                    Cadence::Daily(1),
                    route(&[Role::GridWorker], slot(at(9, 0), at(11, 0))),
                ),
                rule(
                    Service::Garbage,
                    isolated.clone(),
                    Cadence::Daily(1),
                    route(&[Role::BuildingHead], slot(at(18, 0), at(20, 0))),
                ),
                rule(
                    Service::PsychologicalSupport,
                    isolated,
                    Cadence::EveryDays(3),
                    route(&[Role::HealthWorker], slot(at(14, 0), at(17, 0))),
                ),
                rule(
                    Service::Patrol,
                    Households::Coloured(vec![Colour::Red]),
                    Cadence::Daily(2),
                    route(&[Role::GridWorker, Role::AreaPolice], DueSlot::WHOLE_DAY),
                ),
                rule(
                    Service::SafetyCall,
                    Households::WithMarker(vec![
                        Marker::ElderlyLivingAlone,
                        Marker::EmptyNestElderly,
                        Marker::SeriouslyIllOrDisabled,
                    ]),
                    Cadence::Daily(1),
                    route(&[Role::CommunitySecretary, Role::GridWorker], slot(at(9, 0), at(12, 0))),
                ),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preset_validates_and_round_trips() {
        let plan = WorkPlan::huayuan_road();
        assert_eq!(plan.validate(), Ok(()));
        let json = serde_json::to_string(&plan).unwrap();
        assert_eq!(serde_json::from_str::<WorkPlan>(&json).unwrap(), plan);
        assert!(plan.source.contains("seed 003") && plan.source.contains("seed 000"));
    }

    #[test]
    fn validation_names_each_problem() {
        let mut plan = WorkPlan::huayuan_road();
        plan.name = " ".into();
        assert!(matches!(plan.validate(), Err(WorkError::InvalidPlan { what }) if what.contains("name")));
        let mut plan = WorkPlan::huayuan_road();
        plan.services[0].cadence = Cadence::Daily(0);
        assert!(matches!(plan.validate(), Err(WorkError::InvalidPlan { what }) if what.contains("cadence")));
        let mut plan = WorkPlan::huayuan_road();
        plan.tests = Some(Route::new(vec![], DueSlot::WHOLE_DAY));
        assert!(matches!(plan.validate(), Err(WorkError::InvalidPlan { what }) if what.contains("tests")));
        let mut plan = WorkPlan::huayuan_road();
        let again = plan.services[0].clone();
        plan.services.push(again);
        assert!(matches!(plan.validate(), Err(WorkError::InvalidPlan { what }) if what.contains("repeats")));
        let mut plan = WorkPlan::huayuan_road();
        plan.services[0].households = Households::WithMarker(vec![]);
        assert!(plan.validate().is_err());
        assert!(serde_json::from_str::<DueSlot>(r#"{"from":"12:00:00","until":"08:00:00"}"#).is_err());
    }

    #[test]
    fn cadence_counts_on_the_calendar() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let every3 = Cadence::EveryDays(3);
        let due: Vec<u32> = (1..=9).filter(|&day| every3.rounds_on(d(2020, 2, day)) == 1).collect();
        assert_eq!(due.len(), 3);
        assert_eq!(due.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>(), [3, 3]);
        assert_eq!(every3.rounds_on(d(2019, 12, 29)), 1, "before the epoch too");
        assert!(
            every3.rounds_on(NaiveDate::MIN) <= 1 && every3.rounds_on(NaiveDate::MAX) <= 1,
            "no overflow at the ends"
        );
    }
}
