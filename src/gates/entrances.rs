//! The "one way in and out" rule 所有楼院保留一个进出口.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::Checkpoint;
use crate::UnitId;
use crate::grid::{Tree, UnitKind};

/// A compound under the one-entrance rule with more than one entrance open.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneWayBreach {
    /// The compound.
    pub compound: UnitId,
    /// Its open entrances, sorted (at least two).
    pub open: Vec<UnitId>,
}

/// The compounds of `under_rule` with more than one open entrance, in the order given
/// (repeats once).
///
/// A compound's entrances are the entrance units ([`UnitKind::Entrance`]) inside it in
/// `tree` and the entrances of the `checkpoints` serving it (an entrance on the street may
/// serve several compounds). An entrance is open unless `closed` says so or the unit itself
/// is closed in the tree. A compound not in `tree` still counts the checkpoints serving it.
///
/// # Complexity
/// O(size of each compound's subtree + checkpoints × compounds served).
///
/// # Example
/// ```
/// use wangge::gates::one_way_breaches;
/// use wangge::grid::{Level, LevelScheme, NewUnit, Tree, UnitKind};
///
/// let mut tree = Tree::new(LevelScheme::zhengzhou(), NewUnit::new("街道", Level::new(0), UnitKind::Area))?;
/// let community = tree.add(tree.root(), NewUnit::new("社区", Level::new(1), UnitKind::Area))?;
/// let yard = tree.add(community, NewUnit::new("3号院", Level::new(2), UnitKind::Area))?;
/// let east = tree.add(yard, NewUnit::new("东门", Level::new(3), UnitKind::Entrance(None)))?;
/// let west = tree.add(yard, NewUnit::new("西门", Level::new(3), UnitKind::Entrance(None)))?;
/// let breaches = one_way_breaches(&[yard], &[], |_| false, &tree);
/// assert_eq!(breaches[0].open, vec![east, west]);
/// // The west gate closed: one way in and out.
/// assert!(one_way_breaches(&[yard], &[], |u| u == west, &tree).is_empty());
/// # Ok::<(), wangge::grid::GridError>(())
/// ```
pub fn one_way_breaches(
    under_rule: &[UnitId],
    checkpoints: &[Checkpoint],
    closed: impl Fn(UnitId) -> bool,
    tree: &Tree,
) -> Vec<OneWayBreach> {
    let open_in_tree = |u: UnitId| tree.unit(u).is_ok_and(|unit| unit.is_open());
    let mut seen = BTreeSet::new();
    let mut breaches = Vec::new();
    for &compound in under_rule {
        if !seen.insert(compound) {
            continue;
        }
        let mut open = BTreeSet::new();
        if let Ok(inside) = tree.descendants(compound) {
            for u in inside {
                let is_entrance = tree.unit(u).is_ok_and(|unit| matches!(unit.kind(), UnitKind::Entrance(_)));
                if is_entrance && open_in_tree(u) && !closed(u) {
                    open.insert(u);
                }
            }
        }
        for c in checkpoints {
            let u = c.entrance();
            if c.serves().binary_search(&compound).is_ok()
                && !closed(u)
                && !matches!(tree.unit(u), Ok(unit) if !unit.is_open())
            {
                open.insert(u);
            }
        }
        if open.len() > 1 {
            breaches.push(OneWayBreach { compound, open: open.into_iter().collect() });
        }
    }
    breaches
}
