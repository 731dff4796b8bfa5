//! Huayuan Road 花园路街道 built from the embedded data: the units, households and persons
//! registered on 25 January 2020, seed 003's isolation figures, and the staff of its rosters.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::colour::{Measure, PersonState, State};
use crate::duty::{Qualification, Qualifications, Scheme, Staff};
use crate::grid::{CheckpointKind, CompoundKind, GridError, Level, LevelScheme, NewUnit, UnitKind};
use crate::people::{DoorLabel, IdentityError, Marker, Markers, Name, PersonRecord, Phone, ResidentId};
use crate::{
    Answer, Command, Error, Event, HouseholdId, PersonId, Record, Registry, RegistryError, SchemeId, StaffId, UnitId,
};

// ---------------------------------------------------------------------------------------------
// The embedded data
// ---------------------------------------------------------------------------------------------

/// The sub-district's name.
pub const SUB_DISTRICT: &str = "花园路街道";

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
pub(super) const FROM_EPIDEMIC_AREA_ONE_IN: u32 = 4;

/// A date in 2020.
pub(super) fn date(month: u32, day: u32) -> Result<NaiveDate, Error> {
    NaiveDate::from_ymd_opt(2020, month, day)
        .ok_or_else(|| RegistryError::Mismatch { what: format!("no day 2020-{month}-{day}") }.into())
}

/// The day everyone is registered 摸排登记, present and well: 25 January 2020.
///
/// # Errors
/// None with the embedded date; the type is the crate's, as for every date of the demo.
pub fn registered_on() -> Result<NaiveDate, Error> {
    date(1, 25)
}

/// The day [`build_huayuan_road`]'s figures are read (10 February 2020): the scenarios of
/// `tests/scenarios.rs` date their maps and moves so.
///
/// # Errors
/// None with the embedded date.
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

/// The ids the builder hands back, for a host (or a later part of the demo) to refer to.
#[derive(Debug, Clone)]
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
    /// The same commands as records 记录, one per command from the founding record on: what a
    /// host's store holds ([`Registry::execute`]; `wangge-server` loads them into an empty one).
    pub records: Vec<Record>,
}

/// The builder after every unit, household and person is registered, present and well on
/// 25 January, and the layout (its log still in the builder).
fn build_registered() -> Result<(Builder, Layout), Error> {
    let mut b = Builder::new()?;
    let root = b.reg.root();
    let mut layout = Layout {
        root,
        communities: Vec::new(),
        courtyards: Vec::new(),
        checkpoints: Vec::new(),
        log: Vec::new(),
        records: Vec::new(),
    };
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
    (layout.log, layout.records) = (b.log, b.records);
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
    (layout.log, layout.records) = (b.log, b.records);
    Ok((b.reg, layout))
}

/// The staff of the sub-district and the two schemes they are rostered under, from
/// [`staff_huayuan_road`].
#[derive(Debug, Clone)]
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
    /// The records of the same commands, in order (to append to the builder's records).
    pub records: Vec<Record>,
}

/// The day the rosters are solved by [`staff_huayuan_road`]: 10 February 2020.
///
/// # Errors
/// None with the embedded date.
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
pub(super) fn staff_for(
    reg: &mut Registry,
    layout: &Layout,
    on: NaiveDate,
    isolated: impl Fn(&Registry, SchemeId, usize, UnitId) -> Result<usize, Error>,
) -> Result<Duty, Error> {
    use Qualification as Q;
    let scheme = reg.tree().scheme().clone();
    let (sub, community) = (level(&scheme, "街道")?, level(&scheme, "社区")?);
    let mut s = Staffing { reg, log: Vec::new(), records: Vec::new(), rng: Lcg(20_200_210) };
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
    Ok(Duty { six, two_plus_three, police, log: s.log, records: s.records })
}

/// The registry being staffed, the events so far and the names' generator.
struct Staffing<'r> {
    reg: &'r mut Registry,
    log: Vec<Event>,
    records: Vec<Record>,
    rng: Lcg,
}

impl Staffing<'_> {
    fn apply(&mut self, command: Command) -> Result<Option<Event>, Error> {
        let n = execute_into(self.reg, command, &mut self.log, &mut self.records)?;
        Ok(self.log.get(self.log.len().saturating_sub(n)).cloned())
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

/// Execute `command` as a host does, through its record ([`Registry::execute`]): its events
/// appended to `log`, its record to `records`; how many events it became.
pub(super) fn execute_into(
    reg: &mut Registry,
    command: Command,
    log: &mut Vec<Event>,
    records: &mut Vec<Record>,
) -> Result<usize, Error> {
    match reg.execute(command, None)? {
        Answer::Applied(record) => {
            let n = record.events().len();
            log.extend_from_slice(record.events());
            records.push(record);
            Ok(n)
        }
        Answer::Repeated { .. } => Err(mismatch("a new record for a command without a request id")),
    }
}

/// An event the registry did not give.
pub(super) fn mismatch(what: &str) -> Error {
    RegistryError::Mismatch { what: format!("expected {what}") }.into()
}

/// A tiny fixed linear congruential generator: the same data on every run, no dependency.
pub(super) struct Lcg(pub(super) u64);

impl Lcg {
    pub(super) fn next(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }

    /// A number in `lo..=hi`.
    pub(super) fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.next() % (hi - lo + 1)
    }

    /// True `per_mille` times in a thousand.
    pub(super) fn chance(&mut self, per_mille: u32) -> bool {
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
    records: Vec<Record>,
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
        let records = vec![reg.founding_record()];
        Ok(Builder {
            reg,
            log,
            records,
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
        let n = execute_into(&mut self.reg, command, &mut self.log, &mut self.records)?;
        Ok(self.log.get(self.log.len().saturating_sub(n)).cloned())
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
