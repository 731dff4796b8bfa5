//! The small city the duty tests share: a sub-district with two communities, one courtyard
//! each and one building each.

use chrono::NaiveDate;

use super::{Qualifications, Staff};
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

/// A day of February 2020.
pub(super) fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).unwrap()
}
