//! # 28 days of a sub-district shaped like Huayuan Road 花园路街道, Zhengzhou (seed 003)
//!
//! ```sh
//! cargo run --release --example subdistrict
//! ```
//!
//! No arguments: the data is embedded, and a small fixed generator decides who lives where
//! and who comes back when, so every run prints the same. It runs in a few seconds.
//!
//! The sub-district is built through [`Command`]s only, in the four levels 四级 of Zhengzhou,
//! 街道 > 社区 > 楼院 > 楼组: nine communities 社区; courtyards 楼院 of three kinds (unmanaged
//! 无主管楼院, some of them bungalow yards 平房院, work-unit family courtyards 单位家属院 and
//! property-managed closed compounds 物业封闭小区), each keeping one way in and out
//! 所有楼院保留一个进出口; the seed's 168 checkpoints 卡点 (29 at unmanaged courtyards, 88 at
//! work-unit courtyards, 42 at public institutions, 9 at public places); every person
//! registered once 一人一档 on 25 January 2020 (摸排登记), those away for the Spring Festival
//! as away 不在本地.
//!
//! Then 28 days, 26 January to 22 February 2020, one block printed per day as it runs:
//!
//! - households coming back, from the epidemic area 疫区 (orange 橙) or from elsewhere
//!   (yellow 黄), each person put under seed 001's rule (`seed_shanghai_2020`: 14 days of
//!   home isolation 居家隔离 from the day of arrival, temperature twice a day) by
//!   [`Command::StartCase`], and their arrival recorded by origin ([`Command::RecordArrival`]):
//!   over the 28 days seed 003's cumulative 累计 1,518 households (3,463 persons in the seed)
//!   come back, read from the registry's cumulative arrival counts; the peak at once is lower;
//! - the morning round 晨间巡查 ([`Command::OpenDay`]): phases entered and releases 解除隔离 on
//!   the last day, or a flag for review 待复核 when the last day's check is missing; the grid
//!   worker finds the reading the next day, records it late and releases the person;
//! - two temperature readings a day for everyone under a case ([`Command::RecordCheck`]), a
//!   few forgotten (漏报体温 on the next day's agenda), and one fever, 38.1 °C: the person
//!   becomes a suspected case 疑似病例 and the household turns red 红;
//! - the next day the hospital confirms the case 确诊 ([`Command::SetState`]), and its close
//!   contacts 密切接触者, the family and those traced by the epidemiological survey 流调, go to
//!   centralised isolation 集中隔离 under `cn_ed9_close_contact` (7 days centralised, then 3 at
//!   home), with the tests 核酸检测 the agenda asks for ([`Command::RecordTest`]). That is the
//!   national protocol of 2022, not of February 2020 (14 days): chosen to show a policy whose
//!   phases move a person from centralised isolation to home health monitoring;
//! - responsibility 包保: 六包一 (six named people for every community) solved once, 2+3
//!   (a grid worker, a health worker and a police officer for every person in home
//!   isolation) re-solved on the days its targets outgrow it, and a police officer leaving
//!   mid-way ([`Command::SetAvailability`], then [`Command::Replace`] in both rosters).
//!
//! Each day prints the day's agenda 每日工作清单 as counts by kind, and the five colours
//! 四级五色 of the sub-district and of each community (households 户 of each colour, from
//! [`Registry::tally`]). At the end it checks the audit 纵向稽核 and that the event log replays
//! into an equal registry, and writes to the system's temporary directory:
//!
//! - `wangge-subdistrict-map-*.svg`: courtyard maps 院区疫情防控平面图 of three moments (the
//!   confirmed case's courtyard the day its contacts leave, the busiest courtyard at the peak
//!   and on the last day);
//! - `wangge-subdistrict-tallies.csv`: every day's households and persons of each colour, for
//!   the sub-district and each community.
//!
//! The checkpoint and isolation figures are the seed's; names of communities, courtyards and
//! institutions are illustrative; households, persons, staff and who travels are made up.
//! Personal data (names, phones, identity numbers) is registered but never printed: persons
//! and staff appear by id only.
//!
//! [`build_huayuan_road_registered`], [`staff_huayuan_road`] and [`Story`] are the reusable
//! parts; `tests/scenarios.rs` shares them, with [`build_huayuan_road`], which sets seed
//! 003's isolation figures directly instead of living through the days.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use wangge::arrivals::{self, OriginClass, Route};
use wangge::colour::{Colour, Measure, PersonState, State, Tally};
use wangge::duty::{Availability, Qualification, Qualifications, Scheme, Staff};
use wangge::grid::{CheckpointKind, CompoundKind, GridError, Level, LevelScheme, NewUnit, UnitKind};
use wangge::people::{DoorLabel, IdentityError, Marker, Markers, Name, PersonRecord, Phone, ResidentId};
use wangge::quarantine::{Agenda, CaseStatus, Category, Policy, Temperature, TestResult};
use wangge::work::{Duty as Task, Outcome, Progress, Status, TaskSubject, TicketKind, WorkPlan};
use wangge::{
    CaseId, Command, Counts, Error, Event, HouseholdId, PersonId, PolicyId, Registry, RegistryError, SchemeId, StaffId,
    UnitId,
};

// ---------------------------------------------------------------------------------------------
// The embedded data
// ---------------------------------------------------------------------------------------------

/// The sub-district's name.
const SUB_DISTRICT: &str = "花园路街道";

/// Area code 行政区划代码 of Jinshui District 金水区, Zhengzhou, for the identity numbers.
const AREA_CODE: u32 = 410105;

/// The year the register is taken, for ages.
const CENSUS_YEAR: i32 = 2020;

/// Seed 003: households served in home isolation 居家隔离服务 ...
pub const HOME_ISOLATION_HOUSEHOLDS: usize = 1_518;
/// ... the persons in them ...
pub const HOME_ISOLATION_PERSONS: usize = 3_463;
/// ... and persons served in centralised isolation 集中隔离服务.
pub const CENTRALISED_PERSONS: usize = 41;
/// One in this many home-isolated households returned from the epidemic area (orange 橙); the
/// rest from elsewhere (yellow 黄). The seed gives no split; this one is made up.
const FROM_EPIDEMIC_AREA_ONE_IN: u32 = 4;

/// A date in 2020.
fn date(month: u32, day: u32) -> Result<NaiveDate, Error> {
    NaiveDate::from_ymd_opt(2020, month, day)
        .ok_or_else(|| RegistryError::Mismatch { what: format!("no day 2020-{month}-{day}") }.into())
}

/// The day everyone is registered 摸排登记, present and well.
fn registered_on() -> Result<NaiveDate, Error> {
    date(1, 25)
}

/// The day [`build_huayuan_road`]'s figures are read: the scenarios of `tests/scenarios.rs`
/// date their maps and moves so.
pub fn map_date() -> Result<NaiveDate, Error> {
    date(2, 10)
}

/// One community 社区 and what stands in it.
struct CommunityData {
    /// The community's name.
    name: &'static str,
    /// The street whose house numbers name its unmanaged courtyards.
    street: &'static str,
    /// How many unmanaged courtyards 无主管楼院; the first is a bungalow yard 平房院.
    unmanaged: u32,
    /// Work units and how many family courtyards 单位家属院 each keeps here.
    work_units: &'static [(&'static str, u32)],
    /// Property-managed closed compounds 物业封闭小区.
    estates: &'static [&'static str],
    /// Public institutions 公共机构 keeping a checkpoint at their gate.
    institutions: &'static [&'static str],
    /// Public places 公共场所 keeping a checkpoint.
    places: &'static [&'static str],
}

/// Nine communities: 29 unmanaged and 88 work-unit courtyards, 42 public institutions and
/// 9 public places, as in seed 003, and 14 property-managed estates.
const COMMUNITIES: [CommunityData; 9] = [
    CommunityData {
        name: "农科路社区",
        street: "农科路",
        unmanaged: 4,
        work_units: &[("省农科院", 6), ("省水利厅", 2), ("市自来水公司", 2)],
        estates: &["金成时代广场", "农科苑"],
        institutions: &["省农科院机关", "省水利厅机关", "农科路小学", "金水区图书馆", "农科路派出所"],
        places: &["农科路农贸市场"],
    },
    CommunityData {
        name: "丰产路社区",
        street: "丰产路",
        unmanaged: 3,
        work_units: &[("省建设厅", 3), ("河南日报社", 4), ("省电力公司", 3)],
        estates: &["丰产路壹号"],
        institutions: &["省建设厅机关", "河南日报社", "丰产路小学", "金水区妇幼保健院"],
        places: &["丰产路菜市场"],
    },
    CommunityData {
        name: "纬五路社区",
        street: "纬五路",
        unmanaged: 3,
        work_units: &[("省委机关", 4), ("郑州大学", 3), ("省人民医院", 3)],
        estates: &["纬五路壹号院"],
        institutions: &["省人民医院", "纬五路第一小学", "省实验中学", "纬五路派出所", "金水区政务服务中心"],
        places: &["纬五路农贸市场"],
    },
    CommunityData {
        name: "红旗路社区",
        street: "红旗路",
        unmanaged: 4,
        work_units: &[("郑州铁路局", 4), ("省邮电管理局", 3), ("省公路局", 2)],
        estates: &["红旗花园", "金水湾"],
        institutions: &["郑州铁路局机关", "红旗路小学", "省邮政公司", "红旗路卫生服务站", "省公路局机关"],
        places: &["红旗路超市"],
    },
    CommunityData {
        name: "政七街社区",
        street: "政七街",
        unmanaged: 3,
        work_units: &[("省财政厅", 3), ("省高级人民法院", 2), ("省检察院", 3), ("省教育厅", 2)],
        estates: &["政和苑"],
        institutions: &["省财政厅机关", "省高级人民法院", "省检察院", "政七街小学", "省教育厅机关"],
        places: &["政七街菜市场"],
    },
    CommunityData {
        name: "经八路社区",
        street: "经八路",
        unmanaged: 3,
        work_units: &[("省地矿局", 3), ("省测绘局", 2), ("市第八人民医院", 3), ("省体育局", 2)],
        estates: &["经八路嘉园", "博雅苑"],
        institutions: &["省地矿局机关", "市第八人民医院", "经八路小学", "省体育馆"],
        places: &["省体育场"],
    },
    CommunityData {
        name: "黄河路社区",
        street: "黄河路",
        unmanaged: 3,
        work_units: &[("省社科院", 2), ("河南电视台", 3), ("省地质医院", 2), ("市公交公司", 3)],
        estates: &["黄河花园", "黄河明珠"],
        institutions: &["省社科院", "河南电视台", "黄河路小学", "省地质医院", "黄河路派出所"],
        places: &["黄河路游园"],
    },
    CommunityData {
        name: "顺河路社区",
        street: "顺河路",
        unmanaged: 3,
        work_units: &[("省煤田地质局", 3), ("市热力公司", 2), ("省林业厅", 3)],
        estates: &["顺河苑"],
        institutions: &["省煤田地质局机关", "省林业厅机关", "顺河路小学", "顺河路卫生服务站"],
        places: &["顺河路农贸市场"],
    },
    CommunityData {
        name: "花园新村社区",
        street: "花园路",
        unmanaged: 3,
        work_units: &[("省交通厅", 3), ("市第二建筑公司", 3), ("省新华书店", 2), ("省农业厅", 3)],
        estates: &["花园新村", "锦绣花园"],
        institutions: &["省交通厅机关", "花园路小学", "花园路街道办事处", "花园路卫生服务中心", "省新华书店"],
        places: &["花园路地铁站"],
    },
];

const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋",
];
const GIVEN: [&str; 24] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "桂英", "建国", "淑珍",
];

// ---------------------------------------------------------------------------------------------
// Building the sub-district
// ---------------------------------------------------------------------------------------------
// Building the sub-district
// ---------------------------------------------------------------------------------------------

/// The ids the builder hands back, for a host (or a later part of the demo) to refer to.
pub struct Layout {
    /// The sub-district 街道, the root.
    pub root: UnitId,
    /// The communities 社区, in data order.
    pub communities: Vec<UnitId>,
    /// The courtyards 楼院 of every kind, community by community.
    pub courtyards: Vec<UnitId>,
    /// The entrances kept with a checkpoint 卡点, courtyard gates and public ones.
    pub checkpoints: Vec<UnitId>,
    /// The event log: the founding event, then the events of every command, in order.
    pub log: Vec<Event>,
}

/// The builder after every unit, household and person is registered, present and well on
/// 25 January, and the layout (its log still in the builder).
fn build_registered() -> Result<(Builder, Layout), Error> {
    let mut b = Builder::new()?;
    let root = b.reg.root();
    let mut layout =
        Layout { root, communities: Vec::new(), courtyards: Vec::new(), checkpoints: Vec::new(), log: Vec::new() };
    for (i, data) in COMMUNITIES.iter().enumerate() {
        let community = b.unit(root, data.name, b.community, UnitKind::Area)?;
        layout.communities.push(community);
        b.build_community(community, i as u32, data, &mut layout)?;
    }
    Ok((b, layout))
}

/// Build the sub-district from the embedded data as registered on 25 January 摸排登记: every
/// person present and well, nobody under isolation yet.
///
/// # Errors
/// Any command the registry refuses; with the embedded data, none is.
pub fn build_huayuan_road_registered() -> Result<(Registry, Layout), Error> {
    let (b, mut layout) = build_registered()?;
    layout.log = b.log;
    Ok((b.reg, layout))
}

/// Build the sub-district from the embedded data, then set seed 003's isolation figures
/// directly by [`Command::SetState`]: [`HOME_ISOLATION_HOUSEHOLDS`] households with
/// [`HOME_ISOLATION_PERSONS`] persons in home isolation, [`CENTRALISED_PERSONS`] persons in
/// centralised isolation, between 1 and 10 February.
///
/// # Errors
/// Any command the registry refuses; with the embedded data, none is.
pub fn build_huayuan_road() -> Result<(Registry, Layout), Error> {
    let (mut b, mut layout) = build_registered()?;
    b.isolate()?;
    layout.log = b.log;
    Ok((b.reg, layout))
}

/// The staff of the sub-district and the two schemes they are rostered under, from
/// [`staff_huayuan_road`].
pub struct Duty {
    /// 六包一: six named people for every community.
    pub six: SchemeId,
    /// 2+3 key-person control: a grid worker, a health worker and a police officer for every
    /// person in home isolation.
    pub two_plus_three: SchemeId,
    /// The community police officers 社区民警, one per community, in community order.
    pub police: Vec<StaffId>,
    /// The events of every command, in order (to append to the builder's log).
    pub log: Vec<Event>,
}

/// The day the rosters are solved.
pub fn roster_date() -> Result<NaiveDate, Error> {
    date(2, 10)
}

/// Staff Huayuan Road for 六包一 and 2+3 and solve both rosters on [`roster_date`].
///
/// The pool (made up; the seed gives no figures): three district leaders 区级领导 and five
/// district-department staff 区直单位人员 for the district's side, five section-level cadres
/// 科级干部 of the sub-district, each community's party secretary 党组织书记, four doctors of
/// the community health service centre 社区卫生服务中心, a police officer 社区民警 per
/// community and three of the police station's own 派出所. For 2+3, each community has grid
/// workers 网格员 (one per 40 persons in home isolation there, plus one) and health workers
/// 卫生服务人员 (one per 100, plus one), all belonging to their community, so that they can
/// only cover its persons. 六包一 caps everyone at three communities (the scheme's load
/// limit; a police officer may follow up 400 persons under 2+3) and is solved balanced: no
/// leader covers more communities than needed.
///
/// # Errors
/// Any command the registry refuses; with the embedded data, none is.
pub fn staff_huayuan_road(reg: &mut Registry, layout: &Layout) -> Result<Duty, Error> {
    staff_for(reg, layout, roster_date()?, |reg, two_plus_three, _, community| {
        Ok(reg.duty_targets_within(two_plus_three, community)?.len())
    })
}

/// Staff as [`staff_huayuan_road`] says, sizing each community's 2+3 workers for
/// `isolated(reg, 2+3 scheme, community index, community)` persons in home isolation, and
/// solve both rosters on `on`.
fn staff_for(
    reg: &mut Registry,
    layout: &Layout,
    on: NaiveDate,
    isolated: impl Fn(&Registry, SchemeId, usize, UnitId) -> Result<usize, Error>,
) -> Result<Duty, Error> {
    use Qualification as Q;
    let scheme = reg.tree().scheme().clone();
    let (sub, community) = (level(&scheme, "街道")?, level(&scheme, "社区")?);
    let mut s = Staffing { reg, log: Vec::new(), rng: Lcg(20_200_210) };
    // Nobody covers more than three communities under 六包一, whatever else they carry.
    let six = s.adopt(Scheme::six_cover_one(community, sub, None)?.to_builder().load_limit(Some(3)).build()?)?;
    let two_plus_three = s.adopt(Scheme::two_plus_three())?;
    let root = layout.root;
    let district =
        [(Q::DistrictLeader, 3, 3), (Q::DistrictDepartment, 5, 2), (Q::SectionCadre, 5, 2), (Q::Medical, 4, 3)];
    for (q, n, limit) in district {
        for _ in 0..n {
            s.hire(q, root, limit)?;
        }
    }
    let mut police = Vec::new();
    for (i, &c) in layout.communities.iter().enumerate() {
        s.hire(Q::PartySecretary, c, 1)?;
        police.push(s.hire(Q::Police, c, 400)?);
        let isolated = isolated(s.reg, two_plus_three, i, c)?;
        for _ in 0..isolated / 40 + 1 {
            s.hire(Q::GridWorker, c, 40)?;
        }
        for _ in 0..isolated / 100 + 1 {
            s.hire(Q::HealthWorker, c, 100)?;
        }
    }
    for _ in 0..3 {
        s.hire(Q::Police, root, 400)?;
    }
    s.apply(Command::Solve { scheme: six, on, balanced: true })?;
    s.apply(Command::Solve { scheme: two_plus_three, on, balanced: false })?;
    Ok(Duty { six, two_plus_three, police, log: s.log })
}

/// The registry being staffed, the events so far and the names' generator.
struct Staffing<'r> {
    reg: &'r mut Registry,
    log: Vec<Event>,
    rng: Lcg,
}

impl Staffing<'_> {
    fn apply(&mut self, command: Command) -> Result<Option<Event>, Error> {
        let events = self.reg.apply(command)?;
        let first = events.first().cloned();
        self.log.extend(events);
        Ok(first)
    }

    fn adopt(&mut self, scheme: Scheme) -> Result<SchemeId, Error> {
        self.apply(Command::AdoptScheme { scheme })?.and_then(|e| e.new_scheme()).ok_or_else(|| mismatch("a scheme"))
    }

    /// A staff member holding `q`, belonging to `home`, carrying at most `limit`.
    fn hire(&mut self, q: Qualification, home: UnitId, limit: u16) -> Result<StaffId, Error> {
        let name = Name::new(&format!("{}{}", self.rng.pick(&SURNAMES), self.rng.pick(&GIVEN)))?;
        let staff = Staff::new(name, Qualifications::only(q), home, limit)?;
        self.apply(Command::AddStaff { staff })?.and_then(|e| e.new_staff()).ok_or_else(|| mismatch("a staff member"))
    }
}

/// An event the registry did not give.
fn mismatch(what: &str) -> Error {
    RegistryError::Mismatch { what: format!("expected {what}") }.into()
}

/// A tiny fixed linear congruential generator: the same data on every run, no dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }

    /// A number in `lo..=hi`.
    fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.next() % (hi - lo + 1)
    }

    /// True `per_mille` times in a thousand.
    fn chance(&mut self, per_mille: u32) -> bool {
        self.next() % 1000 < per_mille
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.next() as usize % from.len()]
    }
}

/// One member of a household to be registered: age in years and markers.
struct Member {
    age: u32,
    markers: Markers,
}

/// Applies commands, keeps the log and makes up households.
struct Builder {
    reg: Registry,
    log: Vec<Event>,
    community: Level,
    courtyard: Level,
    building_group: Level,
    rng: Lcg,
    /// The next sequence code 顺序码 for each birth date, so that identity numbers are unique.
    sequence: HashMap<NaiveDate, u16>,
    /// Whether the courtyard being built has its party group leader 党小组长 yet.
    has_group_leader: bool,
}

/// The level named `name` in `scheme`.
fn level(scheme: &LevelScheme, name: &str) -> Result<Level, Error> {
    scheme.level(name).ok_or_else(|| GridError::InvalidScheme { reason: format!("no level named {name}") }.into())
}

impl Builder {
    fn new() -> Result<Self, Error> {
        let scheme = LevelScheme::zhengzhou();
        let root = NewUnit::new(SUB_DISTRICT, level(&scheme, "街道")?, UnitKind::Area).with_code("410105001")?;
        let (community, courtyard, building_group) =
            (level(&scheme, "社区")?, level(&scheme, "楼院")?, level(&scheme, "楼组")?);
        let reg = Registry::new(scheme, root)?;
        let log = vec![reg.founding_event()];
        Ok(Builder {
            reg,
            log,
            community,
            courtyard,
            building_group,
            rng: Lcg(20_200_125),
            sequence: HashMap::new(),
            has_group_leader: false,
        })
    }

    /// Apply a command, keep its events in the log and return the first, which names the ids
    /// the registry assigned.
    fn apply(&mut self, command: Command) -> Result<Option<Event>, Error> {
        let events = self.reg.apply(command)?;
        let first = events.first().cloned();
        self.log.extend(events);
        Ok(first)
    }

    fn unit(&mut self, parent: UnitId, name: &str, level: Level, kind: UnitKind) -> Result<UnitId, Error> {
        match self.apply(Command::AddUnit { parent, unit: NewUnit::new(name, level, kind) })? {
            Some(Event::UnitAdded { unit, .. }) => Ok(unit),
            _ => Err(mismatch("a unit")),
        }
    }

    fn household(&mut self, unit: UnitId, door: &str) -> Result<HouseholdId, Error> {
        match self.apply(Command::AddHousehold { unit, door: DoorLabel::new(door)? })? {
            Some(Event::HouseholdAdded { household, .. }) => Ok(household),
            _ => Err(mismatch("a household")),
        }
    }

    fn person(&mut self, household: HouseholdId, record: PersonRecord) -> Result<PersonId, Error> {
        let state = PersonState::well(registered_on()?);
        match self.apply(Command::RegisterPerson { household, record, state })? {
            Some(Event::PersonRegistered { person, .. }) => Ok(person),
            _ => Err(mismatch("a person")),
        }
    }

    /// Seed 003's figures, through [`Command::SetState`]: [`HOME_ISOLATION_HOUSEHOLDS`]
    /// households drawn at random put [`HOME_ISOLATION_PERSONS`] of their members in home
    /// isolation between 1 and 10 February (at least one each); [`CENTRALISED_PERSONS`]
    /// persons of other households go to centralised isolation (their households turn red
    /// 重点关注户); a few members of yet other households are away 不在本地.
    fn isolate(&mut self) -> Result<(), Error> {
        let pop = self.reg.population();
        let mut households: Vec<HouseholdId> =
            pop.households().filter(|(_, h)| !h.members().is_empty()).map(|(id, _)| id).collect();
        for i in (1..households.len()).rev() {
            households.swap(i, self.rng.next() as usize % (i + 1));
        }
        if households.len() < HOME_ISOLATION_HOUSEHOLDS + CENTRALISED_PERSONS {
            return Err(RegistryError::Mismatch { what: "too few households for seed 003's figures".into() }.into());
        }
        let (isolated, rest) = households.split_at(HOME_ISOLATION_HOUSEHOLDS);
        // Each isolated household's state, and its members in order: the first of each first.
        let mut queue: Vec<(PersonId, Option<State>)> = Vec::new();
        let mut later: Vec<(PersonId, Option<State>)> = Vec::new();
        for &h in isolated {
            let state = if self.rng.next().is_multiple_of(FROM_EPIDEMIC_AREA_ONE_IN) {
                State::HomeIsolationEpidemicArea
            } else {
                State::HomeIsolationElsewhere
            };
            let members = self.reg.household(h)?.members();
            queue.extend(members.first().map(|&p| (p, Some(state))));
            later.extend(members.iter().skip(1).map(|&p| (p, Some(state))));
        }
        queue.extend(later);
        if queue.len() < HOME_ISOLATION_PERSONS {
            return Err(RegistryError::Mismatch { what: "too few persons for seed 003's figures".into() }.into());
        }
        queue.truncate(HOME_ISOLATION_PERSONS);
        let (centralised, others) = rest.split_at(CENTRALISED_PERSONS);
        for &h in centralised {
            // Seed 003's 41 at a site: a measure (issue 16 §5); the seed gives no reason.
            queue.extend(self.reg.household(h)?.members().first().map(|&p| (p, None)));
        }
        for &h in others {
            for &p in self.reg.household(h)?.members() {
                if self.rng.chance(15) {
                    queue.push((p, Some(State::Absent)));
                }
            }
        }
        for (person, state) in queue {
            let on = date(2, self.rng.between(1, 10))?;
            self.apply(match state {
                Some(state) => Command::SetState { person, state, on },
                None => Command::SetMeasure { person, measure: Measure::CentralisedIsolation, on },
            })?;
        }
        Ok(())
    }

    /// A community's courtyards, each with its gate, and its public checkpoints.
    fn build_community(
        &mut self,
        community: UnitId,
        index: u32,
        data: &CommunityData,
        layout: &mut Layout,
    ) -> Result<(), Error> {
        let unmanaged = UnitKind::Compound(CompoundKind::Unmanaged);
        for k in 0..data.unmanaged {
            let number = 3 + 11 * k + 2 * index;
            let (name, groups) = if k == 0 {
                (format!("{}{number}号平房院", data.street), 0)
            } else {
                (format!("{}{number}号院", data.street), self.rng.between(1, 2))
            };
            let yard = self.courtyard(community, &name, unmanaged, groups, 40)?;
            layout.courtyards.push(yard);
            layout.checkpoints.push(self.gate(yard, "大门", Some(CheckpointKind::UnmanagedCourtyard))?);
        }
        for &(employer, count) in data.work_units {
            for k in 1..=count {
                let name =
                    if count == 1 { format!("{employer}家属院") } else { format!("{employer}家属院{k}号院") };
                let groups = self.rng.between(2, 4);
                let yard = self.courtyard(community, &name, UnitKind::Compound(CompoundKind::WorkUnit), groups, 180)?;
                layout.courtyards.push(yard);
                layout.checkpoints.push(self.gate(yard, "大门", Some(CheckpointKind::WorkUnitCourtyard))?);
            }
        }
        for &estate in data.estates {
            let groups = self.rng.between(4, 6);
            let yard =
                self.courtyard(community, estate, UnitKind::Compound(CompoundKind::PropertyManagedClosed), groups, 60)?;
            layout.courtyards.push(yard);
            // The property company keeps the gate: an entrance, but none of the four checkpoint kinds.
            self.gate(yard, "物业门岗", None)?;
        }
        let publics = data.institutions.iter().map(|&n| (n, CheckpointKind::PublicInstitution));
        for (name, kind) in publics.chain(data.places.iter().map(|&n| (n, CheckpointKind::PublicPlace))) {
            layout.checkpoints.push(self.unit(community, name, self.courtyard, UnitKind::Entrance(Some(kind)))?);
        }
        Ok(())
    }

    /// One entrance of a courtyard, at the building-group level.
    fn gate(&mut self, yard: UnitId, name: &str, checkpoint: Option<CheckpointKind>) -> Result<UnitId, Error> {
        self.unit(yard, name, self.building_group, UnitKind::Entrance(checkpoint))
    }

    /// A courtyard with `groups` building groups of households, or, with none, a bungalow yard
    /// whose households sit at the courtyard itself. `party` is the share of adults in the
    /// party, per mille.
    fn courtyard(
        &mut self,
        community: UnitId,
        name: &str,
        kind: UnitKind,
        groups: u32,
        party: u32,
    ) -> Result<UnitId, Error> {
        let yard = self.unit(community, name, self.courtyard, kind)?;
        self.has_group_leader = false;
        if groups == 0 {
            for k in 0..self.rng.between(6, 12) {
                self.add_household(yard, &format!("平房{}", k + 1), party)?;
            }
        }
        for g in 1..=groups {
            let group = self.unit(yard, &format!("{g}号楼"), self.building_group, UnitKind::Building)?;
            let mut first = None;
            for k in 0..self.rng.between(8, 16) {
                let door = format!("{g}-{}-{}0{}", k / 12 + 1, k % 12 / 2 + 1, k % 2 + 1);
                let household = self.add_household(group, &door, party)?;
                first = first.or(self.reg.household(household)?.members().first().copied());
            }
            if let Some(head) = first {
                self.appoint(head, Marker::BuildingHead)?;
            }
        }
        Ok(yard)
    }

    /// Give a registered person one more marker, as a host does when a building head 楼栋长
    /// is named.
    fn appoint(&mut self, person: PersonId, marker: Marker) -> Result<(), Error> {
        let markers = self.reg.person(person)?.markers().with(marker);
        self.apply(Command::SetMarkers { person, markers })?;
        Ok(())
    }

    /// A household behind `door`, with members made up by the generator.
    fn add_household(&mut self, unit: UnitId, door: &str, party: u32) -> Result<HouseholdId, Error> {
        let household = self.household(unit, door)?;
        let surname = self.rng.pick(&SURNAMES);
        let mut members = self.members();
        if self.rng.chance(25)
            && let Some(head) = members.first_mut()
        {
            head.markers.insert(Marker::LowIncome);
        }
        for (i, m) in members.iter_mut().enumerate() {
            if m.age >= 18 && self.rng.chance(party) {
                m.markers.insert(Marker::PartyMember);
                if !self.has_group_leader {
                    m.markers.insert(Marker::PartyGroupLeader);
                    self.has_group_leader = true;
                }
            }
            if self.rng.chance(8) {
                m.markers.insert(Marker::SeriouslyIllOrDisabled);
            }
            // Children take the head's surname; a spouse keeps their own.
            let family = if i == 1 && m.age >= 18 { self.rng.pick(&SURNAMES) } else { surname };
            let mut record = PersonRecord::new()
                .with_resident_id(self.resident_id(m.age)?)
                .with_name(Name::new(&format!("{family}{}", self.rng.pick(&GIVEN)))?)
                .with_markers(m.markers);
            if i == 0 {
                record = record.with_phone(Phone::new(&format!("13{:09}", self.rng.next() % 1_000_000_000))?);
            }
            self.person(household, record)?;
        }
        Ok(household)
    }

    /// Who lives behind a door: 3% empty 空户, some elderly living alone 孤寡老人, empty-nest
    /// couples 空巢老人, couples, families with children, three generations.
    fn members(&mut self) -> Vec<Member> {
        let plain = Markers::new();
        let person = |rng: &mut Lcg, lo, hi, markers| Member { age: rng.between(lo, hi), markers };
        let rng = &mut self.rng;
        match rng.next() % 100 {
            0..=2 => vec![],
            3..=8 => vec![person(rng, 72, 92, Markers::from(Marker::ElderlyLivingAlone))],
            9..=15 => vec![person(rng, 20, 60, plain)],
            16..=27 => {
                let nest = Markers::from(Marker::EmptyNestElderly);
                vec![person(rng, 62, 85, nest), person(rng, 60, 83, nest)]
            }
            28..=44 => vec![person(rng, 25, 60, plain), person(rng, 25, 60, plain)],
            45..=86 => {
                let mut family = vec![person(rng, 30, 50, plain), person(rng, 28, 50, plain)];
                for _ in 0..rng.between(1, 2) {
                    family.push(person(rng, 0, 22, plain));
                }
                family
            }
            _ => vec![
                person(rng, 35, 50, plain),
                person(rng, 33, 50, plain),
                person(rng, 8, 16, plain),
                person(rng, 66, 88, plain),
            ],
        }
    }

    /// A fresh resident identity number for someone `age` years old in the census year.
    fn resident_id(&mut self, age: u32) -> Result<ResidentId, Error> {
        let year = CENSUS_YEAR - age as i32 - 1;
        let born = NaiveDate::from_yo_opt(year, self.rng.between(1, 365)).ok_or(IdentityError::InvalidBirthDate)?;
        let sequence = self.sequence.entry(born).or_insert(100);
        *sequence += 1;
        Ok(ResidentId::from_parts(AREA_CODE, born, *sequence)?)
    }
}

// ---------------------------------------------------------------------------------------------
// The 28 days
// ---------------------------------------------------------------------------------------------

/// How many days the story runs, from [`first_day`].
pub const DAYS: u32 = 28;

/// Households coming back on each day of the story: a few from 26 January, most around the
/// end of the extended Spring Festival holiday (2 February) and before work resumed (10
/// February), then fewer. Made up, and adding up to seed 003's **cumulative** figure,
/// "累计居家隔离服务1518户3463人": 1,518 households served in home isolation over the whole
/// period, not at once (the peak at once is lower: people are released after 14 days).
const ARRIVALS: [u32; DAYS as usize] =
    [28, 33, 38, 43, 47, 56, 75, 104, 112, 122, 122, 113, 104, 94, 104, 85, 66, 47, 38, 28, 19, 14, 9, 8, 4, 3, 2, 0];

/// Seed 001's days of home isolation from the day of arrival, as each arrival is recorded.
const ISOLATION_DAYS: u16 = 14;

/// The day (1-based) the person who will read a fever comes back from the epidemic area,
/// alone, to a household of three or more.
const FEVER_ARRIVAL_DAY: u32 = 3;
/// The day of the fever: day 6 of their isolation, in the evening.
const FEVER_DAY: u32 = 9;
/// The day the hospital confirms the case 确诊 and its close contacts go to centralised
/// isolation.
const CONFIRMED_DAY: u32 = 10;
/// The day a police officer of the station is gone (available until the day before).
const STAFF_CHANGE_DAY: u32 = 15;
/// Per thousand case-days, no reading at all that day; then the evening reading forgotten.
const MISSED_DAY_PER_MILLE: u32 = 4;
const MISSED_EVENING_PER_MILLE: u32 = 16;

/// The first day: 26 January 2020 (正月初二), the day after the register was taken.
pub fn first_day() -> Result<NaiveDate, Error> {
    date(1, 26)
}

/// Day `number` (1-based) of the story.
fn day_of(number: u32) -> Result<NaiveDate, Error> {
    first_day()?
        .checked_add_days(chrono::Days::new(u64::from(number.saturating_sub(1))))
        .ok_or_else(|| mismatch("a day of the story within the calendar"))
}

/// `date` at `hour`:`minute`.
fn at(date: NaiveDate, hour: u32, minute: u32) -> Result<NaiveDateTime, Error> {
    date.and_hms_opt(hour, minute, 0).ok_or_else(|| mismatch("a time of day"))
}

/// One household coming back: who of it, and from where.
struct Arrival {
    household: HouseholdId,
    persons: Vec<PersonId>,
    category: Category,
}

/// Who comes back when, decided by the generator before the first day.
struct Plan {
    /// Per day of the story, the households coming back.
    days: Vec<Vec<Arrival>>,
    /// The arrival who reads a fever on [`FEVER_DAY`].
    fever: Option<PersonId>,
    /// Per community, the most persons planned in home isolation at once (counting two days
    /// of grace for a review), to size its 2+3 workers.
    peaks: Vec<usize>,
}

impl Plan {
    /// Shuffle the households that have members and hand them out to the days as
    /// [`ARRIVALS`] says. One in [`FROM_EPIDEMIC_AREA_ONE_IN`] comes from the epidemic area;
    /// 62 in a hundred come back whole, the others with some of their members (the rest
    /// stayed): the share that brings the cumulative persons to seed 003's 3,463 (3,470).
    fn new(reg: &Registry, layout: &Layout, rng: &mut Lcg) -> Result<Plan, Error> {
        let pop = reg.population();
        let mut households: Vec<HouseholdId> =
            pop.households().filter(|(_, h)| !h.members().is_empty()).map(|(id, _)| id).collect();
        for i in (1..households.len()).rev() {
            households.swap(i, rng.next() as usize % (i + 1));
        }
        let mut queue = households.into_iter();
        let (mut days, mut fever) = (Vec::new(), None);
        for (i, &n) in ARRIVALS.iter().enumerate() {
            let mut today = Vec::new();
            for household in queue.by_ref().take(n as usize) {
                let members = reg.household(household)?.members();
                let fever_here = fever.is_none() && i + 1 == FEVER_ARRIVAL_DAY as usize && members.len() >= 3;
                let category = if fever_here || rng.next().is_multiple_of(FROM_EPIDEMIC_AREA_ONE_IN) {
                    Category::ArrivalFromEpidemicArea
                } else {
                    Category::ArrivalFromElsewhere
                };
                let coming = match members.len() {
                    _ if fever_here => 1,
                    n if n == 1 || rng.chance(620) => n,
                    n => rng.between(1, n as u32 - 1) as usize,
                };
                if fever_here {
                    fever = members.first().copied();
                }
                today.push(Arrival { household, persons: members.iter().take(coming).copied().collect(), category });
            }
            days.push(today);
        }
        let mut community_of = HashMap::new();
        for (i, &c) in layout.communities.iter().enumerate() {
            community_of.extend(reg.households_within(c)?.map(|h| (h, i)));
        }
        let mut at_home = vec![vec![0usize; days.len() + 17]; layout.communities.len()];
        for (d, arrivals) in days.iter().enumerate() {
            for a in arrivals {
                let Some(counts) = community_of.get(&a.household).and_then(|&i| at_home.get_mut(i)) else { continue };
                for n in counts.iter_mut().skip(d).take(17) {
                    *n += a.persons.len();
                }
            }
        }
        let peaks = at_home.iter().map(|c| c.iter().copied().max().unwrap_or(0)).collect();
        Ok(Plan { days, fever, peaks })
    }
}

/// What the map of the busiest courtyard at the peak shows.
const AT_THE_PEAK: &str = "the busiest courtyard at the peak of home isolation";

/// A courtyard map kept to be written out at the end.
pub struct SavedMap {
    /// What it shows.
    pub what: &'static str,
    /// The courtyard.
    pub courtyard: UnitId,
    /// The date.
    pub date: NaiveDate,
    /// The map as SVG.
    pub svg: String,
}

/// The day with the most persons in home isolation 居家隔离.
#[derive(Debug, Clone, Copy, Default)]
pub struct Peak {
    /// The date, at the end of the day.
    pub date: Option<NaiveDate>,
    /// Orange and yellow households.
    pub households: u64,
    /// Persons in home isolation.
    pub persons: u64,
    /// The courtyard with the most orange and yellow households that day.
    pub courtyard: Option<UnitId>,
    /// The most persons under centralised isolation 集中隔离 on any day ([`Registry::measures`]).
    pub centralised: u64,
}

/// Counts over the whole story.
#[derive(Debug, Clone, Copy, Default)]
pub struct Totals {
    /// Households come back.
    pub households_back: usize,
    /// Persons come back from the epidemic area 疫区.
    pub from_epidemic_area: usize,
    /// Persons come back from elsewhere 非疫区.
    pub from_elsewhere: usize,
    /// Close contacts 密切接触者 put under a case.
    pub close_contacts: usize,
    /// Cases released by the morning round.
    pub released_by_round: usize,
    /// Cases flagged for review, then released after a late reading.
    pub released_after_review: usize,
    /// Cases escalated (a fever).
    pub escalated: usize,
    /// Readings recorded, on time or late.
    pub readings: usize,
    /// Readings the policy asked for that nobody took on the day.
    pub readings_missed: usize,
    /// Test results recorded.
    pub tests: usize,
    /// Days on which 2+3 was re-solved.
    pub solves: usize,
}

/// What one day brought, for the report.
pub struct Day {
    /// The date.
    pub date: NaiveDate,
    /// Its number in the story, from 1.
    pub number: u32,
    /// The morning round: cases released (on their release date, the day before).
    pub released: usize,
    /// The morning round: cases that entered their next phase.
    pub entered: usize,
    /// The morning round: cases flagged for review 待复核.
    pub flagged: usize,
    /// Cases under review since an earlier day, cleared by a late reading and released.
    pub cleared: usize,
    /// Households come back, persons of them from the epidemic area and from elsewhere.
    pub back: (usize, usize, usize),
    /// Readings forgotten today.
    pub missed: usize,
    /// Anything else that happened, in words (ids only).
    pub notes: Vec<String>,
    /// The agenda 每日工作清单 at the end of the day, city-wide.
    pub agenda: Agenda,
    /// The day's work 每日工作 at its end: every task of the day, routed to a named person.
    pub work: Progress,
    /// Tasks of the day nobody could take.
    pub unassigned: usize,
}

/// The sub-district living through the 28 days: the registry, its event log, and what the
/// days need to remember.
pub struct Story {
    /// The registry.
    pub reg: Registry,
    /// The ids of the sub-district (its log is moved to [`Story::log`]).
    pub layout: Layout,
    /// Every event, from the founding one.
    pub log: Vec<Event>,
    /// The rosters (their staffing events are in [`Story::log`]).
    pub duty: Duty,
    /// Seed 001's rule, for every arrival.
    pub arrivals_policy: PolicyId,
    /// CN edition 9's rule, for close contacts.
    pub contacts_policy: PolicyId,
    /// Households and persons of each colour at the end of every day, of the sub-district
    /// and of each community.
    pub tallies: Vec<(NaiveDate, UnitId, Tally)>,
    /// Courtyard maps to write out.
    pub maps: Vec<SavedMap>,
    /// The peak of home isolation.
    pub peak: Peak,
    /// Counts over the story.
    pub totals: Totals,
    /// Persons away on 25 January, and their households.
    pub away: (usize, usize),
    plan: Plan,
    rng: Lcg,
    /// The number of the next day to live.
    next: u32,
}

impl Story {
    /// The sub-district as registered on 25 January, with those who will come back marked
    /// away 不在本地, both policies adopted, the staff hired and 六包一 solved on the first
    /// day.
    ///
    /// # Errors
    /// Any command the registry refuses; with the embedded data, none is.
    pub fn new() -> Result<Story, Error> {
        let (mut reg, mut layout) = build_huayuan_road_registered()?;
        let mut log = std::mem::take(&mut layout.log);
        let mut rng = Lcg(20_200_126);
        let plan = Plan::new(&reg, &layout, &mut rng)?;
        let registered = registered_on()?;
        let away: Vec<PersonId> = plan.days.iter().flatten().flat_map(|a| a.persons.iter().copied()).collect();
        for &person in &away {
            reg.apply_into(Command::SetState { person, state: State::Absent, on: registered }, &mut log)?;
        }
        let mut adopt = |policy: Policy| -> Result<PolicyId, Error> {
            let n = reg.apply_into(Command::AdoptPolicy { policy }, &mut log)?;
            log.iter().rev().take(n).find_map(Event::new_policy).ok_or_else(|| mismatch("a policy"))
        };
        let (arrivals_policy, contacts_policy) =
            (adopt(Policy::seed_shanghai_2020())?, adopt(Policy::cn_ed9_close_contact())?);
        let mut duty =
            staff_for(&mut reg, &layout, first_day()?, |_, _, i, _| Ok(plan.peaks.get(i).copied().unwrap_or(0)))?;
        log.append(&mut duty.log);
        // The day's work as Huayuan Road ran it: 2+3 calls, services, tickets (seeds 003, 000).
        reg.apply_into(Command::AdoptWorkPlan { plan: Box::new(WorkPlan::huayuan_road()) }, &mut log)?;
        Ok(Story {
            reg,
            layout,
            log,
            duty,
            arrivals_policy,
            contacts_policy,
            tallies: Vec::new(),
            maps: Vec::new(),
            peak: Peak::default(),
            totals: Totals::default(),
            away: (away.len(), plan.days.iter().map(Vec::len).sum()),
            plan,
            rng,
            next: 1,
        })
    }

    /// All 28 days, quietly.
    ///
    /// # Errors
    /// Any command the registry refuses; with the embedded data, none is.
    pub fn run() -> Result<Story, Error> {
        let mut story = Story::new()?;
        while story.next_day()?.is_some() {}
        Ok(story)
    }

    /// Apply a command, keep its events and return them.
    fn apply(&mut self, command: Command) -> Result<&[Event], Error> {
        let n = self.reg.apply_into(command, &mut self.log)?;
        Ok(self.log.get(self.log.len().saturating_sub(n)..).unwrap_or(&[]))
    }

    /// Live the next day; `None` once the 28 days are over.
    ///
    /// # Errors
    /// Any command the registry refuses; with the embedded data, none is.
    pub fn next_day(&mut self) -> Result<Option<Day>, Error> {
        if self.next > DAYS {
            return Ok(None);
        }
        let number = self.next;
        self.next += 1;
        let date = day_of(number)?;
        let mut day = Day {
            date,
            number,
            released: 0,
            entered: 0,
            flagged: 0,
            cleared: 0,
            back: (0, 0, 0),
            missed: 0,
            notes: Vec::new(),
            agenda: self.reg.agenda(date),
            work: Progress::default(),
            unassigned: 0,
        };
        self.morning_round(&mut day)?;
        self.clear_reviews(&mut day)?;
        self.arrivals(&mut day)?;
        if number == CONFIRMED_DAY {
            self.confirm(&mut day)?;
        }
        if number == STAFF_CHANGE_DAY {
            self.staff_change(&mut day)?;
        }
        self.tests(&day)?;
        self.checks(&mut day)?;
        self.rosters(&mut day)?;
        self.services(&mut day)?;
        self.record(&day)?;
        day.agenda = self.reg.agenda(date);
        let work = self.reg.workday(date);
        day.work = work.progress_where(|_| true);
        day.unassigned = work.unassigned().count();
        Ok(Some(day))
    }

    /// The services of the day 送菜送药上门, 专人专桶, 心理疏导, 巡查, 平安电话: each task with a
    /// holder recorded done by them at the end of its slot (one in fifty: nobody home,
    /// 无人应答, to follow up), and one hotline ticket 12345 about a household, closed the same
    /// day by its holder.
    fn services(&mut self, day: &mut Day) -> Result<(), Error> {
        let work = self.reg.workday(day.date);
        let households: Vec<HouseholdId> = self.reg.population().households().map(|(h, _)| h).collect();
        let household = households[self.rng.between(0, households.len() as u32 - 1) as usize];
        let unit = self.reg.population().household(household)?.unit();
        let received = at(day.date, 9, 30)?;
        let opened =
            self.apply(Command::OpenTicket { unit, household: Some(household), kind: TicketKind::Supplies, received })?;
        let ticket = opened.iter().find_map(|e| match e {
            Event::TicketOpened { ticket, .. } => Some(*ticket),
            _ => None,
        });
        let mut done = Vec::new();
        for t in work.tasks() {
            if let (Task::Service { .. }, Status::Open, Some(by)) = (t.key.duty, t.status, t.assignee.staff()) {
                let outcome = if self.rng.chance(20) { Outcome::NotReached } else { Outcome::Done };
                done.push((t.key, by, t.due.until(), outcome));
            }
        }
        let served = done.len();
        for (task, by, until, outcome) in done {
            self.apply(Command::CompleteTask { task, by, at: day.date.and_time(until), outcome })?;
        }
        if let Some(ticket) = ticket {
            let key = wangge::work::TaskKey {
                date: day.date,
                subject: TaskSubject::Household(household),
                duty: Task::Ticket(ticket),
            };
            if let Some(by) = self.reg.workday(day.date).task(&key).and_then(|t| t.assignee.staff()) {
                self.apply(Command::CompleteTask { task: key, by, at: at(day.date, 17, 0)?, outcome: Outcome::Done })?;
            }
        }
        day.notes
            .push(format!("services 上门服务: {served} recorded done by their holders; one 12345 ticket received"));
        Ok(())
    }

    /// The daily round 每日巡查: phases entered, releases on the release date, flags.
    fn morning_round(&mut self, day: &mut Day) -> Result<(), Error> {
        let events = self.apply(Command::OpenDay { today: day.date })?;
        let (mut released, mut entered, mut flagged) = (0, 0, 0);
        for e in events {
            match e {
                Event::CaseReleased { .. } => released += 1,
                Event::PhaseEntered { .. } => entered += 1,
                Event::CaseFlagged { .. } => flagged += 1,
                _ => {}
            }
        }
        (day.released, day.entered, day.flagged) = (released, entered, flagged);
        self.totals.released_by_round += released;
        Ok(())
    }

    /// Cases flagged on an earlier day: the grid worker calls, the last day's reading was
    /// taken but not reported; it is recorded late, dated that evening, and the case released.
    fn clear_reviews(&mut self, day: &mut Day) -> Result<(), Error> {
        let waiting: Vec<(CaseId, PersonId)> = self
            .reg
            .agenda(day.date)
            .review()
            .filter(|i| matches!(i.item, wangge::quarantine::Item::Review { since } if since < day.date))
            .map(|i| (i.case, i.person))
            .collect();
        for (case, person) in waiting {
            let last = self.reg.schedule(case)?.last_day();
            let temperature = Temperature::from_tenths(365)?;
            self.apply(Command::RecordCheck { person, at: at(last, 21, 30)?, temperature, symptoms: false })?;
            self.apply(Command::Release { case, on: day.date })?;
            self.totals.readings += 1;
            day.cleared += 1;
        }
        self.totals.released_after_review += day.cleared;
        Ok(())
    }

    /// Today's households come back: every person who came is put under seed 001's rule from
    /// today.
    fn arrivals(&mut self, day: &mut Day) -> Result<(), Error> {
        let arrivals = self.plan.days.get_mut(day.number as usize - 1).map(std::mem::take).unwrap_or_default();
        let policy = self.arrivals_policy;
        for a in &arrivals {
            for &person in &a.persons {
                let category = a.category;
                self.apply(Command::StartCase {
                    person,
                    policy,
                    category,
                    anchor: day.date,
                    on: day.date,
                    linked: None,
                })?;
                let origin = match category {
                    Category::ArrivalFromEpidemicArea => OriginClass::KeyArea,
                    _ => OriginClass::OtherArea,
                };
                let arrival = arrivals::Arrival::new(
                    origin,
                    Route::new("返郑")?,
                    day.date,
                    Measure::HomeIsolation,
                    ISOLATION_DAYS,
                )?;
                self.apply(Command::RecordArrival { person, arrival })?;
            }
            day.back.0 += 1;
            match a.category {
                Category::ArrivalFromEpidemicArea => day.back.1 += a.persons.len(),
                _ => day.back.2 += a.persons.len(),
            }
        }
        self.totals.households_back += day.back.0;
        self.totals.from_epidemic_area += day.back.1;
        self.totals.from_elsewhere += day.back.2;
        Ok(())
    }

    /// The suspected case is confirmed 确诊; the family at home and those traced by the
    /// survey 流调 (neighbours of the courtyard, then of the community, met on the day they
    /// came back), [`CENTRALISED_PERSONS`] in all, are close contacts from yesterday, the last
    /// exposure: centralised isolation under CN edition 9.
    fn confirm(&mut self, day: &mut Day) -> Result<(), Error> {
        let Some(person) = self.plan.fever else { return Ok(()) };
        if self.reg.state(person)?.state() != State::Suspected {
            return Ok(());
        }
        self.apply(Command::SetState { person, state: State::Confirmed, on: day.date })?;
        let household = self.reg.person(person)?.household();
        let unit = self.reg.household(household)?.unit();
        let tree = self.reg.tree();
        let yard = self.layout.courtyards.iter().copied().find(|&y| tree.is_within(unit, y).unwrap_or(false));
        let community = self.layout.communities.iter().copied().find(|&c| tree.is_within(unit, c).unwrap_or(false));
        let mut contacts: Vec<PersonId> = Vec::new();
        let family = std::iter::once(household);
        let near =
            yard.into_iter().chain(community).map(|u| self.reg.households_within(u)).collect::<Result<Vec<_>, _>>()?;
        for h in family.chain(near.into_iter().flatten()) {
            for &p in self.reg.household(h)?.members() {
                let free = self.reg.active_case(p).is_none() && self.reg.state(p)?.state() == State::Well;
                if free && !contacts.contains(&p) && contacts.len() < CENTRALISED_PERSONS {
                    contacts.push(p);
                }
            }
        }
        let anchor = day.date.pred_opt().unwrap_or(day.date);
        let policy = self.contacts_policy;
        for &p in &contacts {
            let category = Category::CloseContact;
            self.apply(Command::StartCase { person: p, policy, category, anchor, on: day.date, linked: None })?;
        }
        self.totals.close_contacts += contacts.len();
        day.notes.push(format!(
            "confirmed 确诊: {person} (household {household}); {} close contacts 密切接触者 to centralised isolation 集中隔离 under {}",
            contacts.len(),
            self.reg.policy(policy)?.name()
        ));
        if let Some(yard) = yard {
            let svg = self.reg.map(yard, day.date)?.to_svg();
            self.maps.push(SavedMap {
                what: "the confirmed case's courtyard as its contacts leave",
                courtyard: yard,
                date: day.date,
                svg,
            });
        }
        Ok(())
    }

    /// A police officer of the station, on both rosters, is gone from today: available until
    /// yesterday, their places in 六包一 and 2+3 taken over as the registry proposes.
    fn staff_change(&mut self, day: &mut Day) -> Result<(), Error> {
        let duty = (self.duty.six, self.duty.two_plus_three);
        let officer = (0..self.reg.staff_pool().len())
            .filter_map(|i| Some(StaffId::new(u32::try_from(i).ok()?)))
            .filter(|p| !self.duty.police.contains(p))
            .find(|&p| self.reg.load(duty.0, p).is_ok_and(|n| n > 0) && self.reg.load(duty.1, p).is_ok_and(|n| n > 0));
        let Some(officer) = officer else { return Ok(()) };
        let until = day.date.pred_opt();
        let availability = until.map_or(Availability::Always, Availability::Until);
        self.apply(Command::SetAvailability { staff: officer, availability })?;
        let mut parts = Vec::new();
        for (scheme, label) in [(duty.0, "六包一"), (duty.1, "2+3")] {
            let proposal = self.reg.replacement(scheme, officer, day.date)?;
            let mut by: Vec<StaffId> = proposal.added.iter().map(|a| a.staff).collect();
            by.sort_unstable();
            by.dedup();
            let by: Vec<String> = by.iter().map(StaffId::to_string).collect();
            parts.push(format!(
                "{label}: {} places to {}, {} moved, {} open",
                proposal.affected.len(),
                if by.is_empty() { "nobody".to_owned() } else { by.join(" ") },
                proposal.moved().len(),
                proposal.unfilled.len()
            ));
            self.apply(Command::Replace { scheme, leaving: officer, on: day.date })?;
        }
        day.notes.push(format!("staff change: police officer {officer} leaves; {}", parts.join("; ")));
        Ok(())
    }

    /// Every test 核酸检测 the agenda lists for today is sampled, and comes back negative.
    fn tests(&mut self, day: &Day) -> Result<(), Error> {
        let due: Vec<PersonId> = self.reg.agenda(day.date).tests_due().map(|i| i.person).collect();
        for person in due {
            self.apply(Command::RecordTest { person, on: day.date, result: TestResult::Negative })?;
            self.totals.tests += 1;
        }
        Ok(())
    }

    /// Morning and evening readings for every open case whose period holds today, a few
    /// forgotten, and the fever.
    fn checks(&mut self, day: &mut Day) -> Result<(), Error> {
        let open: Vec<(CaseId, PersonId)> = self
            .reg
            .cases()
            .filter(|(_, c)| matches!(c.status(), CaseStatus::Open))
            .map(|(id, c)| (id, c.person()))
            .collect();
        let fever = self.plan.fever.filter(|_| day.number == FEVER_DAY);
        for (case, person) in open {
            if !self.reg.schedule(case)?.contains(day.date) {
                continue;
            }
            let roll = self.rng.next() % 1000;
            let feverish = fever == Some(person);
            let taken = match roll {
                _ if feverish => 2,
                r if r < MISSED_DAY_PER_MILLE => 0,
                r if r < MISSED_DAY_PER_MILLE + MISSED_EVENING_PER_MILLE => 1,
                _ => 2,
            };
            day.missed += 2 - taken;
            for (k, hour) in [8, 20].into_iter().enumerate().take(taken) {
                let tenths = if feverish && k == 1 { 381 } else { 361 + (self.rng.next() % 8) as u16 };
                let temperature = Temperature::from_tenths(tenths)?;
                let at = at(day.date, hour, 0)?;
                let events =
                    self.apply(Command::RecordCheck { person, at, temperature, symptoms: feverish && k == 1 })?;
                let escalated = events.iter().find_map(|e| match e {
                    Event::CheckRecorded { escalation: Some(change), .. } => Some(change.clone()),
                    _ => None,
                });
                self.totals.readings += 1;
                if let Some(change) = escalated {
                    self.totals.escalated += 1;
                    let household = self.reg.person(person)?.household();
                    let colours: Vec<String> = change
                        .recolours
                        .iter()
                        .map(|r| format!("{} {}→{}", r.household, r.from.label_zh(), r.to.label_zh()))
                        .collect();
                    day.notes.push(format!(
                        "fever 发热 {temperature} at {hour}:00: {person} ({case}, {household}) becomes {} {}; {}",
                        change.to.state().label_zh(),
                        change.to.state().label_en(),
                        colours.join(", ")
                    ));
                    break;
                }
            }
        }
        self.totals.readings_missed += day.missed;
        Ok(())
    }

    /// 2+3: when persons came into home isolation without a full team, complete the roster
    /// (the solve also drops the places of those released).
    fn rosters(&mut self, day: &mut Day) -> Result<(), Error> {
        let scheme = self.duty.two_plus_three;
        let before = self.reg.duty_coverage(scheme, self.layout.root, day.date)?;
        if before.gaps.is_empty() {
            return Ok(());
        }
        let events = self.apply(Command::Solve { scheme, on: day.date, balanced: false })?;
        let (removed, added) = events
            .iter()
            .find_map(|e| match e {
                Event::Rostered { removed, added, .. } => Some((removed.len(), added.len())),
                _ => None,
            })
            .unwrap_or((0, 0));
        let after = self.reg.duty_coverage(scheme, self.layout.root, day.date)?;
        self.totals.solves += 1;
        day.notes.push(format!(
            "2+3 re-solved 重新排班: {} persons without a full team; +{} −{} places; {} of {} covered",
            thousands((before.targets - before.covered) as u64),
            thousands(added as u64),
            thousands(removed as u64),
            thousands(after.covered as u64),
            thousands(after.targets as u64)
        ));
        Ok(())
    }

    /// Keep the day's tallies, follow the peak, keep the maps.
    fn record(&mut self, day: &Day) -> Result<(), Error> {
        for unit in std::iter::once(self.layout.root).chain(self.layout.communities.iter().copied()) {
            self.tallies.push((day.date, unit, self.reg.tally(unit)?.clone()));
        }
        let t = self.reg.tally(self.layout.root)?;
        let persons = t.in_state(State::HomeIsolationEpidemicArea) + t.in_state(State::HomeIsolationElsewhere);
        // Read by measure (issue 16 §5): the close contacts in their centralised phase and the
        // 41 at a site alike, whatever their reason.
        let centralised = self.reg.measures(self.layout.root)?.get(Measure::CentralisedIsolation);
        self.peak.centralised = self.peak.centralised.max(centralised);
        if persons > self.peak.persons {
            let households = t.households(Colour::Orange) + t.households(Colour::Yellow);
            let busiest = self.layout.courtyards.iter().copied().max_by_key(|&y| {
                self.reg.tally(y).map_or(0, |t| t.households(Colour::Orange) + t.households(Colour::Yellow))
            });
            self.peak = Peak { date: Some(day.date), households, persons, courtyard: busiest, ..self.peak };
        }
        let Some(yard) = self.peak.courtyard else { return Ok(()) };
        // The busiest courtyard's map on the peak day (replaced while the peak grows), and on
        // the last day.
        if self.peak.date == Some(day.date) {
            self.maps.retain(|m| m.what != AT_THE_PEAK);
            let svg = self.reg.map(yard, day.date)?.to_svg();
            self.maps.push(SavedMap { what: AT_THE_PEAK, courtyard: yard, date: day.date, svg });
        }
        if day.number == DAYS {
            let svg = self.reg.map(yard, day.date)?.to_svg();
            self.maps.push(SavedMap {
                what: "the same courtyard on the last day",
                courtyard: yard,
                date: day.date,
                svg,
            });
        }
        Ok(())
    }

    /// The releases dated before their schedule's release date (none, if the rules hold).
    ///
    /// # Errors
    /// An unknown case in the log.
    pub fn early_releases(&self) -> Result<usize, Error> {
        let mut early = 0;
        for e in &self.log {
            if let Event::CaseReleased { case, on, .. } = e
                && *on < self.reg.schedule(*case)?.release()
            {
                early += 1;
            }
        }
        Ok(early)
    }
}

// ---------------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------------

fn main() -> Result<(), Error> {
    let started = Instant::now();
    let mut story = Story::new()?;
    print_setup(&story)?;
    println!();
    println!("Each day: households 户 of each colour at its end, what happened, and its agenda (counts by kind):");
    while let Some(day) = story.next_day()? {
        print_day(&story, &day)?;
    }
    println!();
    print_end(&story)?;
    println!();
    print_worklist(&story)?;
    println!();
    print_files(&story)?;
    println!("28 days lived in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(())
}

/// One grid worker's worklist 工作清单 on the last day: "what must I do today?", each task
/// with its subject, slot, status and why it is theirs; and the hotline's figures.
fn print_worklist(story: &Story) -> Result<(), Error> {
    let reg = &story.reg;
    let Some(today) = reg.business_date() else { return Ok(()) };
    let day = reg.workday(today);
    let workers: Vec<_> = day
        .staff()
        .filter(|&s| reg.staff_member(s).is_ok_and(|m| m.qualifications().contains(Qualification::GridWorker)))
        .collect();
    let Some(&busiest) = workers.iter().max_by_key(|&&s| (day.worklist(s).count(), std::cmp::Reverse(s))) else {
        return Ok(());
    };
    let home = reg.tree().unit(reg.staff_member(busiest)?.home())?.name().to_owned();
    println!(
        "Worklist 工作清单 of grid worker {busiest:?} 网格员 ({home}) on {today}, the busiest of {} grid workers:",
        workers.len()
    );
    for t in day.worklist(busiest).take(12) {
        let subject = match t.key.subject {
            TaskSubject::Person(p) => format!("{p:?}"),
            TaskSubject::Household(h) => format!("{h:?} {}", reg.population().household(h)?.door()),
            TaskSubject::Unit(u) => reg.tree().unit(u)?.name().to_owned(),
        };
        let status = match t.status {
            Status::Open => "to do".to_owned(),
            Status::Done(c) => format!("done ({:?})", c.outcome),
            Status::Overdue { since } => format!("overdue since {since}"),
        };
        let why = match &t.assignee {
            wangge::work::Assignee::Staff { why: wangge::work::Why::Holds(r), .. } => {
                format!("{} of {}", r.role.label_zh(), reg.scheme(r.scheme)?.name())
            }
            wangge::work::Assignee::Staff { why, .. } => format!("{why:?}"),
            wangge::work::Assignee::Nobody(reason) => format!("{reason:?}"),
        };
        println!(
            "  {}–{}  {:<8} {:<22} {:<20} {why}",
            t.due.from().format("%H:%M"),
            t.due.until().format("%H:%M"),
            t.key.duty.label_zh(),
            subject,
            status
        );
    }
    let more = day.worklist(busiest).count().saturating_sub(12);
    if more > 0 {
        println!("  … and {more} more");
    }
    let tickets = reg.ticket_report(reg.root())?;
    println!(
        "12345 hotline: {} tickets, {:.0}% accepted at once 立即受理, {:.0}% closed the same day 当天结案",
        tickets.received,
        100.0 * tickets.rate(tickets.accepted),
        100.0 * tickets.rate(tickets.closed_same_day)
    );
    Ok(())
}

/// The sub-district and its communities with counts, the checkpoints, who is away, the
/// policies and the staff.
fn print_setup(story: &Story) -> Result<(), Error> {
    let (reg, layout) = (&story.reg, &story.layout);
    let scheme = reg.tree().scheme();
    let levels: Vec<&str> = scheme.levels().map(|(_, spec)| spec.name_zh()).collect();
    println!("{SUB_DISTRICT} · {} · {}", scheme.name(), levels.join(" > "));
    println!("{}", unit_line(reg, layout.root)?);
    for &community in &layout.communities {
        println!("{}  {}", unit_line(reg, community)?, community_summary(reg, community)?);
    }
    let mut checkpoints: HashMap<CheckpointKind, u32> = HashMap::new();
    for &c in &layout.checkpoints {
        if let UnitKind::Entrance(Some(kind)) = reg.tree().unit(c)?.kind() {
            *checkpoints.entry(kind).or_default() += 1;
        }
    }
    let by_kind: Vec<String> =
        CheckpointKind::ALL.iter().map(|k| format!("{} {}", k.label_zh(), checkpoints.get(k).unwrap_or(&0))).collect();
    println!("  {} 楼院 · 卡点 {}: {}", layout.courtyards.len(), layout.checkpoints.len(), by_kind.join(" · "));
    println!(
        "摸排登记 {}: everyone registered once 一人一档; {} persons of {} households away 不在本地 for the Spring Festival.",
        registered_on()?,
        thousands(story.away.0 as u64),
        thousands(story.away.1 as u64)
    );
    for (policy, whom) in [(story.arrivals_policy, "every arrival"), (story.contacts_policy, "close contacts")] {
        let p = reg.policy(policy)?;
        let phases: Vec<String> =
            p.phases().iter().map(|ph| format!("{} {}", ph.setting().label_zh(), ph.days())).collect();
        let tests: usize = p.phases().iter().map(|ph| ph.test_days().len()).sum();
        println!(
            "隔离政策 {} for {whom}: {} days ({}), {} checks a day, {tests} tests",
            p.name(),
            p.total_days(),
            phases.join(" + "),
            p.checks_per_day()
        );
    }
    let on = first_day()?;
    let six = reg.duty_coverage(story.duty.six, layout.root, on)?;
    let by_role: Vec<String> = [Qualification::GridWorker, Qualification::HealthWorker, Qualification::Police]
        .iter()
        .map(|&q| {
            let n = reg.staff_pool().iter().filter(|s| s.qualifications().contains(q)).count();
            format!("{} {n}", q.label_zh())
        })
        .collect();
    println!(
        "包保 {} staff (ids only): 六包一 solved on {on}, {} of {} communities with all six; 2+3 sized for the planned peak: {}",
        reg.staff_pool().len(),
        six.covered,
        six.targets,
        by_role.join(" · ")
    );
    Ok(())
}

const WEEKDAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

/// How wide the name column of the colour table is, in terminal columns.
const NAME_COLUMNS: usize = 30;

/// One day: the households of each colour in the sub-district and each community, what
/// happened, and the agenda at the end of the day as counts by kind.
fn print_day(story: &Story, day: &Day) -> Result<(), Error> {
    let weekday = WEEKDAYS.get(day.date.weekday().num_days_from_monday() as usize).unwrap_or(&"");
    let header: String = Colour::BY_SEVERITY.iter().map(|c| format!("{:>7}", c.label_zh())).collect();
    println!("{}{header}", pad(&format!("── {} {weekday} · day {}/{DAYS} ──", day.date, day.number), NAME_COLUMNS));
    let tree = story.reg.tree();
    for unit in std::iter::once(story.layout.root).chain(story.layout.communities.iter().copied()) {
        let indent = "  ".repeat(tree.depth(unit)? + 1);
        let tally = story.reg.tally(unit)?;
        let row: String =
            Colour::BY_SEVERITY.iter().map(|&c| format!("{:>8}", thousands(tally.households(c)))).collect();
        println!("{}{row}", pad(&format!("{indent}{}", tree.unit(unit)?.name()), NAME_COLUMNS));
    }
    let round = [
        (day.released, "released 解除隔离 on their last day"),
        (day.entered, "to their next phase 转段"),
        (day.flagged, "flagged for review 待复核"),
        (day.cleared, "under review released after a late reading"),
    ];
    let round: Vec<String> = round.iter().filter(|(n, _)| *n > 0).map(|(n, what)| format!("{n} {what}")).collect();
    if !round.is_empty() {
        println!("  morning round 晨间巡查: {}", round.join(", "));
    }
    if day.back.0 > 0 {
        println!(
            "  back 返回: {} households; {} persons from the epidemic area 疫区, {} from elsewhere",
            day.back.0, day.back.1, day.back.2
        );
    }
    for note in &day.notes {
        println!("  {note}");
    }
    let w = &day.work;
    println!(
        "  work 每日工作: {} tasks, {} done, {} open, {} overdue 逾期, {} nobody can take 无人可派",
        thousands(u64::from(w.owed)),
        thousands(u64::from(w.done)),
        thousands(u64::from(w.open)),
        thousands(u64::from(w.overdue)),
        thousands(day.unassigned as u64)
    );
    let mut counts: Vec<(&str, &str, usize)> = Vec::new();
    for line in day.agenda.items() {
        match counts.last_mut() {
            Some((label, _, n)) if *label == line.item.label_zh() => *n += 1,
            _ => counts.push((line.item.label_zh(), line.item.label_en(), 1)),
        }
    }
    let counts: Vec<String> = counts.iter().map(|(zh, en, n)| format!("{zh} {en} {}", thousands(*n as u64))).collect();
    println!(
        "  agenda 每日工作清单: {}",
        if counts.is_empty() { "nothing due".to_owned() } else { counts.join(" · ") }
    );
    Ok(())
}

/// `text` padded with spaces to `width` columns, counting CJK characters as two.
fn pad(text: &str, width: usize) -> String {
    let used: usize = text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(used)))
}

/// What the 28 days came to, against seed 003's figures, and the checks of soundness.
fn print_end(story: &Story) -> Result<(), Error> {
    let (reg, t, peak) = (&story.reg, &story.totals, &story.peak);
    println!("After {DAYS} days:");
    println!(
        "  back 返回: {} households, {} persons ({} from the epidemic area 疫区, {} from elsewhere 非疫区); {} close contacts 密切接触者",
        thousands(t.households_back as u64),
        thousands((t.from_epidemic_area + t.from_elsewhere) as u64),
        thousands(t.from_epidemic_area as u64),
        thousands(t.from_elsewhere as u64),
        t.close_contacts
    );
    let (households, persons) =
        reg.arrival_counts(story.layout.root, day_of(DAYS)?)?.cumulative.by_measure(Measure::HomeIsolation);
    println!(
        "  home isolation 居家隔离 served, cumulative 累计: {} households / {} persons (seed 003: 累计居家隔离服务{}户{}人)",
        thousands(u64::from(households)),
        thousands(u64::from(persons)),
        HOME_ISOLATION_HOUSEHOLDS,
        HOME_ISOLATION_PERSONS,
    );
    println!(
        "  at once, at the peak: {} households / {} persons on {}; centralised isolation 集中隔离 at most {} persons (seed 003: {})",
        thousands(peak.households),
        thousands(peak.persons),
        peak.date.map_or_else(|| "-".to_owned(), |d| d.to_string()),
        peak.centralised,
        CENTRALISED_PERSONS
    );
    let open = reg.cases().filter(|(_, c)| matches!(c.status(), CaseStatus::Open | CaseStatus::Review { .. })).count();
    println!(
        "  cases 隔离个案: {} released 解除隔离 ({} by the morning round, {} after review 复核), {} escalated, {} still open",
        thousands((t.released_by_round + t.released_after_review) as u64),
        thousands(t.released_by_round as u64),
        t.released_after_review,
        t.escalated,
        thousands(open as u64)
    );
    println!(
        "  readings 体温: {} recorded, {} forgotten on the day; tests 核酸: {}, all negative",
        thousands(t.readings as u64),
        thousands(t.readings_missed as u64),
        thousands(t.tests as u64)
    );
    let last = day_of(DAYS)?;
    let six = reg.duty_coverage(story.duty.six, story.layout.root, last)?;
    let teams = reg.duty_coverage(story.duty.two_plus_three, story.layout.root, last)?;
    println!(
        "  包保: 六包一 {} of {} communities; 2+3 re-solved on {} days, {} of {} persons in home isolation covered on {last}",
        six.covered,
        six.targets,
        t.solves,
        thousands(teams.covered as u64),
        thousands(teams.targets as u64)
    );
    let replayed = Registry::replay(&story.log)? == *reg;
    let findings = reg.audit();
    println!(
        "  event log: {} events, replayed into an equal registry: {replayed}; audit 纵向稽核: {} findings; releases before their date: {}",
        thousands(story.log.len() as u64),
        findings.len(),
        story.early_releases()?
    );
    for f in findings.iter().take(5) {
        println!("    {f}");
    }
    Ok(())
}

/// Write the kept courtyard maps and the CSV of daily tallies to the temporary directory,
/// and print their paths.
fn print_files(story: &Story) -> Result<(), Error> {
    let dir = std::env::temp_dir();
    let mut files: Vec<(PathBuf, String, String)> = Vec::new();
    for (i, map) in story.maps.iter().enumerate() {
        let name = story.reg.tree().unit(map.courtyard)?.name().to_owned();
        let path = dir.join(format!("wangge-subdistrict-map-{}-{}.svg", i + 1, map.date));
        files.push((path, map.svg.clone(), format!("{name}, {}: {}", map.date, map.what)));
    }
    let mut csv = String::from("date,unit,name");
    for what in ["households", "persons"] {
        for c in Colour::BY_SEVERITY {
            let _ = write!(csv, ",{}_{what}", c.label_en());
        }
    }
    csv.push('\n');
    for (date, unit, tally) in &story.tallies {
        let _ = write!(csv, "{date},{unit},{}", story.reg.tree().unit(*unit)?.name());
        for n in Colour::BY_SEVERITY
            .iter()
            .map(|&c| tally.households(c))
            .chain(Colour::BY_SEVERITY.iter().map(|&c| tally.persons(c)))
        {
            let _ = write!(csv, ",{n}");
        }
        csv.push('\n');
    }
    let rows = story.tallies.len();
    files.push((
        dir.join("wangge-subdistrict-tallies.csv"),
        csv,
        format!("{rows} rows: households and persons of each colour, each day, the sub-district and each community"),
    ));
    println!("Files:");
    for (path, contents, what) in files {
        match std::fs::write(&path, contents) {
            Ok(()) => println!("  {}  ({what})", path.display()),
            Err(e) => println!("  could not write {}: {e}", path.display()),
        }
    }
    Ok(())
}

/// One line for a unit: indented by depth, name, Chinese level and kind, and for units that
/// hold residents their households and persons.
fn unit_line(reg: &Registry, unit: UnitId) -> Result<String, Error> {
    let tree = reg.tree();
    let u = tree.unit(unit)?;
    let indent = "  ".repeat(tree.depth(unit)? + 1);
    let level = tree.scheme().spec(u.level()).map_or("?", |s| s.name_zh());
    let mut line = format!("{indent}{} [{level} · {}]", u.name(), u.kind().label_zh());
    if u.kind().holds_residents() {
        let Counts { households, persons } = reg.counts(unit)?;
        line += &format!(" {}户 {}人", thousands(households), thousands(persons));
    }
    Ok(line)
}

/// Courtyards by kind and checkpoints inside a community.
fn community_summary(reg: &Registry, community: UnitId) -> Result<String, Error> {
    let tree = reg.tree();
    let (mut yards, mut checkpoints) = (HashMap::new(), 0);
    for u in tree.descendants(community)? {
        match tree.unit(u)?.kind() {
            UnitKind::Compound(kind) => *yards.entry(kind).or_insert(0) += 1,
            UnitKind::Entrance(Some(_)) => checkpoints += 1,
            _ => {}
        }
    }
    let shown = [
        (CompoundKind::Unmanaged, "无主管"),
        (CompoundKind::WorkUnit, "单位"),
        (CompoundKind::PropertyManagedClosed, "物业"),
    ];
    let kinds: Vec<String> = shown.iter().map(|(k, label)| format!("{label} {}", yards.get(k).unwrap_or(&0))).collect();
    Ok(format!("楼院: {} · 卡点 {checkpoints}", kinds.join(" ")))
}

/// 12345 as "12,345".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
