//! Roles 职责 and the qualifications 资格 a staff member must hold to take them.
//!
//! A scheme's [`Slot`](super::Slot)s name roles; a [`Staff`](super::Staff) member holds
//! [`Qualifications`]; [`Role::admits`] joins the two, for every eligibility check of rosters,
//! the solver and replacements.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a staff member is, as far as eligibility goes: their rank, office or training.
///
/// A staff member holds a set of these ([`Qualifications`]); each [`Role`] asks for at least
/// one of a set ([`Role::requires`]). Serialised by variant name (`"Police"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Qualification {
    /// A district-level leader 区级领导 (a member of the district's leading group).
    DistrictLeader,
    /// A department-level 处级 leader.
    DepartmentLeader,
    /// Staff of a district-level department 区直单位.
    DistrictDepartment,
    /// A section-level 科级 cadre of the sub-district office 街道.
    SectionCadre,
    /// The secretary of a community party organisation 社区党组织书记.
    PartySecretary,
    /// A party member 党员.
    PartyMember,
    /// A grid worker 网格员 of the community.
    GridWorker,
    /// Community health service staff 卫生服务人员 (not necessarily licensed to practise).
    HealthWorker,
    /// Licensed medical staff 医务人员: a doctor or nurse.
    Medical,
    /// A sworn police officer 民警.
    Police,
    /// A police auxiliary 辅警.
    PoliceAuxiliary,
    /// A registered volunteer 志愿者 (residents, property staff and others who took up a post).
    Volunteer,
    // gates (issue 17 §1)
    /// A cadre of the sub-district's offices 机关干部 (seed 001: "街道200多名机关干部"), such as
    /// the liaison 联络员 who became a gate head 门长.
    OfficeCadre,
}

impl Qualification {
    /// Every qualification, in declaration order.
    pub const ALL: [Qualification; 13] = [
        Qualification::DistrictLeader,
        Qualification::DepartmentLeader,
        Qualification::DistrictDepartment,
        Qualification::SectionCadre,
        Qualification::PartySecretary,
        Qualification::PartyMember,
        Qualification::GridWorker,
        Qualification::HealthWorker,
        Qualification::Medical,
        Qualification::Police,
        Qualification::PoliceAuxiliary,
        Qualification::Volunteer,
        Qualification::OfficeCadre,
    ];

    const fn bit(self) -> u16 {
        1 << (self as u16)
    }

    /// The Chinese label.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Qualification::DistrictLeader => "区级领导",
            Qualification::DepartmentLeader => "处级领导",
            Qualification::DistrictDepartment => "区直单位人员",
            Qualification::SectionCadre => "街道科级干部",
            Qualification::PartySecretary => "党组织书记",
            Qualification::PartyMember => "党员",
            Qualification::GridWorker => "网格员",
            Qualification::HealthWorker => "卫生服务人员",
            Qualification::Medical => "医务人员",
            Qualification::Police => "民警",
            Qualification::PoliceAuxiliary => "辅警",
            Qualification::Volunteer => "志愿者",
            Qualification::OfficeCadre => "机关干部",
        }
    }
}

/// A set of [`Qualification`]s: a bitset, `Copy`, serialised as a sorted list of names
/// (`["PartyMember", "Police"]`; repeats are accepted when read).
///
/// # Example
/// ```
/// use wangge::duty::{Qualification, Qualifications};
/// let q = Qualifications::from_iter([Qualification::Police, Qualification::PartyMember]);
/// assert!(q.contains(Qualification::Police));
/// assert!(!q.contains(Qualification::Medical));
/// assert_eq!(q.len(), 2);
/// assert_eq!(q.iter().collect::<Vec<_>>(), [Qualification::PartyMember, Qualification::Police]);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Qualifications(u16);

impl Qualifications {
    /// No qualifications.
    pub const EMPTY: Qualifications = Qualifications(0);

    /// The set holding only `q`.
    pub const fn only(q: Qualification) -> Self {
        Qualifications(q.bit())
    }

    /// This set with `q` added.
    #[must_use]
    pub const fn with(self, q: Qualification) -> Self {
        Qualifications(self.0 | q.bit())
    }

    /// Whether `q` is in the set.
    pub const fn contains(self, q: Qualification) -> bool {
        self.0 & q.bit() != 0
    }

    /// Whether the two sets share a qualification.
    pub const fn intersects(self, other: Qualifications) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many qualifications the set holds.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The qualifications, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Qualification> {
        Qualification::ALL.into_iter().filter(move |q| self.contains(*q))
    }
}

impl FromIterator<Qualification> for Qualifications {
    fn from_iter<I: IntoIterator<Item = Qualification>>(iter: I) -> Self {
        iter.into_iter().fold(Qualifications::EMPTY, Qualifications::with)
    }
}

impl fmt::Debug for Qualifications {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl Serialize for Qualifications {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Qualifications {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Vec::<Qualification>::deserialize(deserializer)?.into_iter().collect())
    }
}

/// A role 职责 a staff member takes for a target: the six of 六包一 and those of the other
/// schemes in the seeds (DOMAIN.md section 4).
///
/// Each role asks for at least one of a set of qualifications ([`Role::requires`]); the table
/// below gives the choice made for each and why. Serialised by variant name (`"AreaPolice"`).
///
/// | role | requires any of | why |
/// |---|---|---|
/// | district-level leader 区级领导 | district leader | seed 003: "only a district-level leader the first role" |
/// | district-department staff 区直单位人员 | district department | the role is the department's staff |
/// | section-level cadre 街道科级干部 | section cadre | the role is the rank |
/// | community party secretary 社区党组织书记 | party secretary | the role is the office |
/// | area doctor 片医 | medical | seed 003: "only medical staff can be the area doctor" |
/// | area police 片警 | police | seed 003: "only police the area police officer"; an auxiliary is not a sworn officer |
/// | grid worker 网格员 | grid worker | the role is the post |
/// | health worker 卫生服务人员 | health worker, medical | licensed medical staff can do a health worker's follow-ups |
/// | gate head 门长 | office cadre, section cadre | seed 001: "明确联络员即为门长", the sub-district's liaison cadre (a section cadre is one too) |
/// | building, road head 楼长、路长 | volunteer, party member | volunteers, often party members (seed 001) |
/// | department-level leader 处级领导 | department leader, district leader | a district leader ranks at least as high |
/// | party member 党员 | party member | the role is the membership |
/// | police auxiliary 辅警 | police auxiliary, police | a sworn officer can do an auxiliary's work |
/// | medical staff 医务人员 | medical | the role is the licence |
/// | grassroots member 基层党员或网格员 | party member, grid worker | seed 004: the screening team's third member, "基层党员" or "网格员" |
///
/// # Example
/// ```
/// use wangge::duty::{Qualification, Role};
/// assert_eq!(Role::AreaDoctor.label_zh(), "片医");
/// assert!(Role::AreaPolice.requires().contains(Qualification::Police));
/// assert!(!Role::AreaPolice.requires().contains(Qualification::PoliceAuxiliary));
/// assert_eq!(Role::SIX_COVER_ONE.len(), 6);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// District-level leader 区级领导 (六包一, inspects on site daily).
    DistrictLeader,
    /// District-department staff 区直单位人员 (六包一).
    DistrictDepartmentStaff,
    /// Sub-district section-level cadre 街道科级干部 (六包一).
    SectionCadre,
    /// Community party secretary 社区党组织书记 (六包一).
    CommunitySecretary,
    /// Area doctor 片医 (六包一).
    AreaDoctor,
    /// Area police officer 片警 (六包一, and 片区民警 of the 2+3 team).
    AreaPolice,
    /// Grid worker 网格员 (2+3, screening teams).
    GridWorker,
    /// Health worker 卫生服务人员 (2+3).
    HealthWorker,
    /// Gate head 门长 (三长联动).
    GateHead,
    /// Building head 楼长 (三长联动).
    BuildingHead,
    /// Road head 路长 (三长联动).
    RoadHead,
    /// Department-level leader 处级领导 contracted to a zone (包干).
    DepartmentLeader,
    /// Party member 党员 (screening teams).
    PartyMember,
    /// Police auxiliary 辅警 (screening teams).
    PoliceAuxiliary,
    /// Medical staff 医务人员 (screening teams).
    MedicalStaff,
    // gates (issue 17 §1)
    /// A grassroots member 基层党员或网格员 of a screening team: a grassroots party member or
    /// a grid worker (三人排查小组, seed 004).
    GrassrootsMember,
}

impl Role {
    /// Every role, in declaration order.
    pub const ALL: [Role; 16] = [
        Role::DistrictLeader,
        Role::DistrictDepartmentStaff,
        Role::SectionCadre,
        Role::CommunitySecretary,
        Role::AreaDoctor,
        Role::AreaPolice,
        Role::GridWorker,
        Role::HealthWorker,
        Role::GateHead,
        Role::BuildingHead,
        Role::RoadHead,
        Role::DepartmentLeader,
        Role::PartyMember,
        Role::PoliceAuxiliary,
        Role::MedicalStaff,
        Role::GrassrootsMember,
    ];

    /// The six of 六包一, in the seed's order.
    pub const SIX_COVER_ONE: [Role; 6] = [
        Role::DistrictLeader,
        Role::DistrictDepartmentStaff,
        Role::SectionCadre,
        Role::CommunitySecretary,
        Role::AreaDoctor,
        Role::AreaPolice,
    ];

    /// The qualifications of which a staff member must hold at least one to take this role
    /// (see the table on [`Role`]). Never empty.
    pub const fn requires(self) -> Qualifications {
        use Qualification as Q;
        let one = Qualifications::only;
        match self {
            Role::DistrictLeader => one(Q::DistrictLeader),
            Role::DistrictDepartmentStaff => one(Q::DistrictDepartment),
            Role::SectionCadre => one(Q::SectionCadre),
            Role::CommunitySecretary => one(Q::PartySecretary),
            Role::AreaDoctor | Role::MedicalStaff => one(Q::Medical),
            Role::AreaPolice => one(Q::Police),
            Role::GridWorker => one(Q::GridWorker),
            Role::HealthWorker => one(Q::HealthWorker).with(Q::Medical),
            Role::GateHead => one(Q::OfficeCadre).with(Q::SectionCadre),
            Role::BuildingHead | Role::RoadHead => one(Q::Volunteer).with(Q::PartyMember),
            Role::GrassrootsMember => one(Q::PartyMember).with(Q::GridWorker),
            Role::DepartmentLeader => one(Q::DepartmentLeader).with(Q::DistrictLeader),
            Role::PartyMember => one(Q::PartyMember),
            Role::PoliceAuxiliary => one(Q::PoliceAuxiliary).with(Q::Police),
        }
    }

    /// Whether a staff member holding `held` may take this role: they hold at least one of
    /// [`Role::requires`].
    pub const fn admits(self, held: Qualifications) -> bool {
        self.requires().intersects(held)
    }

    /// The Chinese label.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Role::DistrictLeader => "区级领导",
            Role::DistrictDepartmentStaff => "区直单位人员",
            Role::SectionCadre => "街道科级干部",
            Role::CommunitySecretary => "社区党组织书记",
            Role::AreaDoctor => "片医",
            Role::AreaPolice => "片警",
            Role::GridWorker => "网格员",
            Role::HealthWorker => "卫生服务人员",
            Role::GateHead => "门长",
            Role::BuildingHead => "楼长",
            Role::RoadHead => "路长",
            Role::DepartmentLeader => "处级领导",
            Role::PartyMember => "党员",
            Role::PoliceAuxiliary => "辅警",
            Role::MedicalStaff => "医务人员",
            Role::GrassrootsMember => "基层党员或网格员",
        }
    }

    /// The English label.
    pub const fn label_en(self) -> &'static str {
        match self {
            Role::DistrictLeader => "district-level leader",
            Role::DistrictDepartmentStaff => "district-department staff",
            Role::SectionCadre => "sub-district section-level cadre",
            Role::CommunitySecretary => "community party secretary",
            Role::AreaDoctor => "area doctor",
            Role::AreaPolice => "area police officer",
            Role::GridWorker => "grid worker",
            Role::HealthWorker => "health worker",
            Role::GateHead => "gate head",
            Role::BuildingHead => "building head",
            Role::RoadHead => "road head",
            Role::DepartmentLeader => "department-level leader",
            Role::PartyMember => "party member",
            Role::PoliceAuxiliary => "police auxiliary",
            Role::MedicalStaff => "medical staff",
            Role::GrassrootsMember => "grassroots member",
        }
    }
}

impl fmt::Display for Role {
    /// The English label, then the Chinese one: `area doctor 片医`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.label_en(), self.label_zh())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_requires_something_and_labels_are_distinct() {
        for (i, r) in Role::ALL.iter().enumerate() {
            assert!(!r.requires().is_empty(), "{r:?}");
            for other in &Role::ALL[..i] {
                assert_ne!(r.label_zh(), other.label_zh());
                assert_ne!(r.label_en(), other.label_en());
            }
        }
        for (i, q) in Qualification::ALL.iter().enumerate() {
            assert_eq!(*q as usize, i);
        }
    }

    #[test]
    fn eligibility_follows_the_seed() {
        use Qualification as Q;
        let only = Qualifications::only;
        assert!(Role::AreaDoctor.admits(only(Q::Medical)));
        assert!(!Role::AreaDoctor.admits(only(Q::HealthWorker)));
        assert!(Role::HealthWorker.admits(only(Q::Medical)));
        assert!(Role::AreaPolice.admits(only(Q::Police)));
        assert!(!Role::AreaPolice.admits(only(Q::PoliceAuxiliary)));
        assert!(Role::PoliceAuxiliary.admits(only(Q::Police)));
        assert!(Role::DistrictLeader.admits(only(Q::DistrictLeader)));
        assert!(!Role::DistrictLeader.admits(only(Q::DepartmentLeader)));
        assert!(Role::DepartmentLeader.admits(only(Q::DistrictLeader)));
        assert!(!Role::GateHead.admits(Qualifications::EMPTY));
        // Seed 001: the gate head is the sub-district's liaison cadre, not a volunteer.
        assert!(Role::GateHead.admits(only(Q::OfficeCadre)));
        assert!(!Role::GateHead.admits(only(Q::Volunteer).with(Q::PartyMember)));
        assert!(Role::GrassrootsMember.admits(only(Q::GridWorker)));
        assert!(!Role::GrassrootsMember.admits(only(Q::Volunteer)));
        assert!(Role::BuildingHead.admits(only(Q::PartyMember)));
    }

    #[test]
    fn qualifications_serialise_as_a_sorted_list() {
        let q = Qualifications::from_iter([Qualification::Volunteer, Qualification::Police]);
        let json = serde_json::to_string(&q).unwrap();
        assert_eq!(json, r#"["Police","Volunteer"]"#);
        assert_eq!(serde_json::from_str::<Qualifications>(&json).unwrap(), q);
        let repeated = r#"["Police","Police"]"#;
        assert_eq!(
            serde_json::from_str::<Qualifications>(repeated).unwrap(),
            Qualifications::only(Qualification::Police)
        );
        assert!(serde_json::from_str::<Qualifications>(r#"["Wizard"]"#).is_err());
        assert_eq!(format!("{q:?}"), "{Police, Volunteer}");
        assert_eq!(Role::AreaDoctor.to_string(), "area doctor 片医");
    }
}
