//! Preset schemes 预设包保方案, each citing its seed (DOMAIN.md section 4).
//!
//! Where the seeds are silent (counts, localities), each preset's docs say what was chosen.
//! Presets that take levels return a `Result`, since a level deeper than the target's cannot
//! hold the target's ancestor ([`DutyError::LocalityBelowTarget`]); the others are built from
//! constant parts that the unit tests show valid (`every_preset_validates`), without a check
//! at run time.
//!
//! A preset is an ordinary [`Scheme`]: adopt it as it is
//! ([`Command::AdoptScheme`](crate::Command::AdoptScheme)) or change it first through
//! [`Scheme::to_builder`].

use super::{DutyError, Locality, Role, Rule, Scheme, SchemeBuilder, Slot, TargetSelector, UnitClass};
use crate::OverlayId;
use crate::colour::State;
use crate::grid::Level;

use Locality::{Anywhere, HomeCovers, SameAncestorAt, WithinTarget};

/// A preset's parts.
fn parts(name: &str, source: &str, rules: Vec<Rule>) -> SchemeBuilder {
    Scheme::builder(name, rules).source(source)
}

impl Scheme {
    /// `six_cover_one` 六包一 (seed 003, DOMAIN.md section 4): six named people jointly
    /// responsible for each community: a district-level leader, a district-department staff
    /// member, a sub-district section-level cadre, the community party secretary, the area
    /// doctor and the area police officer, one each.
    ///
    /// The levels are parameters because schemes differ between cities (`community` is
    /// Shanghai's residents' committee 居委会, Foshan's village 村). Localities, as DOMAIN.md
    /// puts them: the community secretary belongs to that community ([`Locality::WithinTarget`]);
    /// the cadre, doctor and police to the same sub-district (`sub_district`); the district
    /// leader and the district-department staff to the district (`district`, or
    /// [`Locality::Anywhere`] when the tree holds one district and has no district level).
    ///
    /// # Errors
    /// [`DutyError::LocalityBelowTarget`] when `sub_district` or `district` is deeper than
    /// `community`.
    ///
    /// # Example
    /// ```
    /// use wangge::duty::{Locality, Role, Scheme};
    /// use wangge::grid::LevelScheme;
    /// let zz = LevelScheme::zhengzhou(); // 街道 > 社区 > 楼院 > 楼组: one sub-district, no district level
    /// let six = Scheme::six_cover_one(zz.level("community").unwrap(), zz.level("sub-district").unwrap(), None)?;
    /// assert_eq!(six.slot(Role::DistrictLeader).map(|(_, s)| s.locality()), Some(Locality::Anywhere));
    /// # Ok::<(), wangge::duty::DutyError>(())
    /// ```
    pub fn six_cover_one(community: Level, sub_district: Level, district: Option<Level>) -> Result<Scheme, DutyError> {
        let district = district.map_or(Anywhere, SameAncestorAt);
        let sub = SameAncestorAt(sub_district);
        let one = |role, locality| Slot::new(role, 1, locality);
        parts(
            "six_cover_one",
            "seed 003 (Zhengzhou Huayuan Road): 六包一, a district-level leader, a district-department staff member, \
             a sub-district section-level cadre, the community party secretary, the area doctor and the area police \
             officer for each community (DOMAIN.md section 4)",
            vec![Rule::new(
                TargetSelector::UnitsAtLevel(community),
                vec![
                    one(Role::DistrictLeader, district),
                    one(Role::DistrictDepartmentStaff, district),
                    one(Role::SectionCadre, sub),
                    one(Role::CommunitySecretary, WithinTarget),
                    one(Role::AreaDoctor, sub),
                    one(Role::AreaPolice, sub),
                ],
            )],
        )
        .build()
    }

    /// `two_plus_three` 2+3 key-person control (seed 003, DOMAIN.md section 4): every person in
    /// home isolation ([`State::HomeIsolationEpidemicArea`], [`State::HomeIsolationElsewhere`])
    /// gets a three-person team: a grid worker 网格员, a health worker 卫生服务人员 and an area
    /// police officer 片区民警. The "2", two follow-ups a day, are the quarantine checks of the
    /// person's case, not slots here.
    ///
    /// Each member's home unit must cover the person's household ([`Locality::HomeCovers`]):
    /// the grid worker's grid, the health station's community, the police station's area.
    ///
    /// # Example
    /// ```
    /// use wangge::colour::State;
    /// use wangge::duty::{Locality, Role, Scheme, TargetSelector};
    ///
    /// let team = Scheme::two_plus_three();
    /// // The targets are persons, picked by their state: once released, a person is no target.
    /// let persons = TargetSelector::PersonsIn(vec![State::HomeIsolationElsewhere, State::HomeIsolationEpidemicArea]);
    /// assert_eq!(team.rules()[0].targets(), &persons);
    /// assert_eq!(team.roles().collect::<Vec<_>>(), [Role::GridWorker, Role::HealthWorker, Role::AreaPolice]);
    /// assert!(team.slots().all(|(_, slot)| slot.locality() == Locality::HomeCovers));
    /// ```
    pub fn two_plus_three() -> Scheme {
        let one = |role| Slot::new(role, 1, HomeCovers);
        Scheme::from_checked_parts(parts(
            "two_plus_three",
            "seed 003 (Zhengzhou Huayuan Road): 2+3 key-person control, every person in home isolation gets a plan \
             一人一方案, two follow-ups a day and a team of grid worker, health worker and area police (DOMAIN.md \
             section 4)",
            vec![Rule::new(
                TargetSelector::PersonsIn(vec![State::HomeIsolationElsewhere, State::HomeIsolationEpidemicArea]),
                vec![one(Role::GridWorker), one(Role::HealthWorker), one(Role::AreaPolice)],
            )],
        ))
    }

    /// `three_heads` 三长联动 (seed 001, Shanghai Ganquan Road): a gate head 门长 per compound
    /// group, a building head 楼长 per building, a road head 路长 per road: one scheme of three
    /// rules.
    ///
    /// The gate head is no volunteer at the gate. Seed 001: "街道将原有机关联络员联系居民区制度,
    /// 调整为'门长制',明确联络员即为'门长',统筹协调区级机关、街道和居民志愿者力量配备,使居委会
    /// 下属若干个自然小区值守工作……" (the sub-district turned its liaison system into the gate-head
    /// system: the liaison cadre linked to a residents' area *is* its gate head, coordinating the
    /// district offices', the sub-district's and the volunteers' forces for the guard duty of
    /// the several compounds under one residents' committee). So: one gate head per unit at
    /// `committee` (the residents' committee 居委会 whose compounds and gates they coordinate),
    /// a cadre of the sub-district's offices ([`Role::GateHead`] asks for an office or section
    /// cadre), belonging to the same sub-district ([`Locality::SameAncestorAt`] `sub_district`).
    /// Ganquan Road's 200+ cadres so held 71 entrances of 60 compounds.
    ///
    /// The building head lives in the building ([`Locality::WithinTarget`]); the road head may
    /// come from anywhere ([`Locality::Anywhere`]): a road is a leaf nobody lives in.
    ///
    /// # Errors
    /// [`DutyError::LocalityBelowTarget`] when `sub_district` is deeper than `committee`.
    ///
    /// # Example
    /// ```
    /// use wangge::duty::{Locality, Qualification, Role, Scheme};
    /// use wangge::grid::LevelScheme;
    /// let sh = LevelScheme::shanghai(); // 街道党工委 > (住宅党组织) > 居委会 > 住宅小区 > 建筑小组
    /// let (sub, committee) = (sh.level("sub-district party committee").unwrap(), sh.level("residents' committee").unwrap());
    /// let heads = Scheme::three_heads(committee, sub)?;
    /// assert_eq!(heads.slot(Role::GateHead).map(|(_, s)| s.locality()), Some(Locality::SameAncestorAt(sub)));
    /// assert!(Role::GateHead.requires().contains(Qualification::OfficeCadre));
    /// assert!(!Role::GateHead.requires().contains(Qualification::Volunteer));
    /// # Ok::<(), wangge::duty::DutyError>(())
    /// ```
    pub fn three_heads(committee: Level, sub_district: Level) -> Result<Scheme, DutyError> {
        let kind = TargetSelector::UnitsOfKind;
        parts(
            "three_heads",
            "seed 001 (Shanghai Ganquan Road): 三长联动, the liaison cadre is the gate head 明确联络员即为门长 \
             coordinating the guard duty of the compounds under one residents' committee, a road head 路长 per \
             road, a building head 楼长 per building (DOMAIN.md section 4)",
            vec![
                Rule::new(
                    TargetSelector::UnitsAtLevel(committee),
                    vec![Slot::new(Role::GateHead, 1, SameAncestorAt(sub_district))],
                ),
                Rule::new(kind(UnitClass::Building), vec![Slot::new(Role::BuildingHead, 1, WithinTarget)]),
                Rule::new(kind(UnitClass::Road), vec![Slot::new(Role::RoadHead, 1, Anywhere)]),
            ],
        )
        .build()
    }

    /// `zone_leaders` 包干 (seed 000, DOMAIN.md section 4): one department-level leader 处级领导
    /// per cell of the zone overlay `zones`, from anywhere (the leaders are sent from the
    /// district's departments, not from the zone).
    pub fn zone_leaders(zones: OverlayId) -> Scheme {
        Scheme::from_checked_parts(parts(
            "zone_leaders",
            "seed 000 (Shanghai Changhai Road): 包干, one department-level leader per zone (DOMAIN.md section 4)",
            vec![Rule::new(TargetSelector::CellsOf(zones), vec![Slot::new(Role::DepartmentLeader, 1, Anywhere)])],
        ))
    }

    /// `screening_teams` 三人排查小组 (seed 004, Foshan): a three-person team for every key
    /// person from the epidemic area.
    ///
    /// Seed 004: "建立起由'基层党员+警辅人员+医护人员+网格员'组成的'三人排查小组'1193个,对来自
    /// 疫情发生地的重点人群进行排查" (1,193 three-person screening teams made of grassroots party
    /// members, police auxiliaries, medical staff and grid workers, screening the key groups
    /// coming from where the epidemic began). Three persons from four kinds: the team is a
    /// police auxiliary, a medical worker and a grassroots member, a party member or the grid
    /// worker ([`Role::GrassrootsMember`]). The targets are persons, not villages: those in
    /// home isolation after return from the epidemic area ([`State::HomeIsolationEpidemicArea`]).
    ///
    /// The grassroots member's home must cover the person's household ([`Locality::HomeCovers`]:
    /// the village or grid); the police auxiliary and the medical staff are sent from the town's
    /// police station and health centre ([`Locality::Anywhere`]).
    ///
    /// # Example
    /// ```
    /// use wangge::colour::State;
    /// use wangge::duty::{Role, Scheme, TargetSelector};
    /// let teams = Scheme::screening_teams();
    /// assert_eq!(teams.rules()[0].targets(), &TargetSelector::PersonsIn(vec![State::HomeIsolationEpidemicArea]));
    /// assert_eq!(teams.slots().map(|(_, s)| u32::from(s.count())).sum::<u32>(), 3); // 三人
    /// ```
    pub fn screening_teams() -> Scheme {
        Scheme::from_checked_parts(parts(
            "screening_teams",
            "seed 004 (Foshan): 三人排查小组, 1,193 three-person teams of 基层党员+警辅人员+医护人员+网格员 screening \
             the key groups from the epidemic area 对来自疫情发生地的重点人群进行排查 (DOMAIN.md section 4)",
            vec![Rule::new(
                TargetSelector::PersonsIn(vec![State::HomeIsolationEpidemicArea]),
                vec![
                    Slot::new(Role::GrassrootsMember, 1, HomeCovers),
                    Slot::new(Role::PoliceAuxiliary, 1, Anywhere),
                    Slot::new(Role::MedicalStaff, 1, Anywhere),
                ],
            )],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_validates() {
        let l = Level::new;
        let presets = [
            Scheme::six_cover_one(l(3), l(2), Some(l(1))).unwrap(),
            Scheme::six_cover_one(l(1), l(0), None).unwrap(),
            Scheme::two_plus_three(),
            Scheme::three_heads(l(2), l(0)).unwrap(),
            Scheme::zone_leaders(OverlayId::new(0)),
            Scheme::screening_teams(),
        ];
        for s in &presets {
            assert!(s.to_builder().problems().is_empty(), "{}", s.name());
            assert_eq!(s.to_builder().build().as_ref(), Ok(s), "{}", s.name());
            assert!(s.source().contains("seed 00"), "{}", s.name());
        }
        assert_eq!(presets[2].roles().collect::<Vec<_>>(), [Role::GridWorker, Role::HealthWorker, Role::AreaPolice]);
        // 三长: the gate head is a cadre of the sub-district, one per residents' committee.
        let heads = &presets[3];
        assert_eq!(heads.rules().len(), 3);
        assert_eq!(heads.rules()[0].targets(), &TargetSelector::UnitsAtLevel(l(2)));
        assert_eq!(heads.slot(Role::GateHead).map(|(_, s)| (s.count(), s.locality())), Some((1, SameAncestorAt(l(0)))));
        // 三人排查小组: three persons for each key person from the epidemic area.
        let teams = &presets[5];
        assert_eq!(
            teams.roles().collect::<Vec<_>>(),
            [Role::GrassrootsMember, Role::PoliceAuxiliary, Role::MedicalStaff]
        );
        assert_eq!(teams.slots().map(|(_, s)| u32::from(s.count())).sum::<u32>(), 3);
        assert_eq!(teams.rules()[0].targets(), &TargetSelector::PersonsIn(vec![State::HomeIsolationEpidemicArea]));
    }

    #[test]
    fn six_cover_one_refuses_levels_below_the_community() {
        let l = Level::new;
        assert_eq!(
            Scheme::six_cover_one(l(1), l(2), None),
            Err(DutyError::LocalityBelowTarget { rule: 0, role: Role::SectionCadre, level: l(2), target: l(1) })
        );
        assert!(Scheme::six_cover_one(l(1), l(0), Some(l(3))).is_err());
        assert!(Scheme::three_heads(l(1), l(2)).is_err());
    }
}
