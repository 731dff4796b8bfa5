//! The small city the duty tests share: a sub-district with two communities, one courtyard
//! each and one building each.

use chrono::NaiveDate;

use super::{Locality, Qualification, Qualifications, Role, Rule, Scheme, Slot, Staff, TargetSelector, UnitClass};
use crate::UnitId;
use crate::grid::{Level, LevelScheme, NewUnit, Tree, UnitKind};
use crate::people::Name;

/// 街道 > two communities > one courtyard each > one building each.
#[derive(Debug)]
pub(super) struct City {
    pub(super) tree: Tree,
    pub(super) community: [UnitId; 2],
    pub(super) yard: [UnitId; 2],
    pub(super) building: [UnitId; 2],
}

impl City {
    /// Every unit, and one past them, as staff homes for random pools.
    pub(super) fn homes(&self) -> [UnitId; 8] {
        let (c, y, b) = (self.community, self.yard, self.building);
        [self.tree.root(), c[0], c[1], y[0], y[1], b[0], b[1], UnitId::new(40)]
    }
}

pub(super) fn city() -> City {
    let lv = Level::new;
    let mut tree = Tree::new(LevelScheme::zhengzhou(), NewUnit::new("街道", lv(0), UnitKind::Area)).unwrap();
    let root = tree.root();
    let c0 = tree.add(root, NewUnit::new("社区甲", lv(1), UnitKind::Area)).unwrap();
    let c1 = tree.add(root, NewUnit::new("社区乙", lv(1), UnitKind::Area)).unwrap();
    let y0 = tree.add(c0, NewUnit::new("院甲", lv(2), UnitKind::Area)).unwrap();
    let y1 = tree.add(c1, NewUnit::new("院乙", lv(2), UnitKind::Area)).unwrap();
    let b0 = tree.add(y0, NewUnit::new("楼甲", lv(3), UnitKind::Building)).unwrap();
    let b1 = tree.add(y1, NewUnit::new("楼乙", lv(3), UnitKind::Building)).unwrap();
    City { tree, community: [c0, c1], yard: [y0, y1], building: [b0, b1] }
}

/// A staff member holding `q`, at `home`, carrying at most `limit`.
pub(super) fn member(q: Qualifications, home: UnitId, limit: u16) -> Staff {
    Staff::new(Name::new("某人").unwrap(), q, home, limit).unwrap()
}

/// A staff member of a random pool: `mask`'s bits pick secretary, medical and volunteer
/// qualifications; available from day `from` of February, if given.
pub(super) fn drawn(mask: u8, home: UnitId, limit: u16, from: Option<u32>) -> Staff {
    let q = [Qualification::PartySecretary, Qualification::Medical, Qualification::Volunteer]
        .into_iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .fold(Qualifications::EMPTY, |q, (_, one)| q.with(one));
    member(q, home, limit).available(from.map(day), None).unwrap()
}

/// A day of February 2020.
pub(super) fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).unwrap()
}

/// The scheme of the solver's and the replacement's brute-force tests: communities need a
/// secretary living there and two doctors whose home covers them; buildings a building head
/// living there.
pub(super) fn scheme() -> Scheme {
    Scheme::builder(
        "test",
        vec![
            Rule::new(
                TargetSelector::UnitsAtLevel(Level::new(1)),
                vec![
                    Slot::new(Role::CommunitySecretary, 1, Locality::WithinTarget),
                    Slot::new(Role::AreaDoctor, 2, Locality::HomeCovers),
                ],
            ),
            Rule::new(
                TargetSelector::UnitsOfKind(UnitClass::Building),
                vec![Slot::new(Role::BuildingHead, 1, Locality::WithinTarget)],
            ),
        ],
    )
    .build()
    .unwrap()
}

/// The roles those tests draw: the scheme's, and one it does not ask.
pub(super) const ROLES: [Role; 4] = [Role::CommunitySecretary, Role::AreaDoctor, Role::BuildingHead, Role::GateHead];
