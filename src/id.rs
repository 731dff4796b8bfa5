//! Identifiers: small `Copy` newtypes, one per table, so that an id cannot index the wrong one.
//!
//! Ids are handed out by the [`Registry`](crate::Registry) in order, starting at 0, and never
//! reused: a command's [`Event`](crate::Event)s name the ids it assigned, and every later
//! command and query names things by them. They serialise as plain numbers.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident($int:ty), $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[repr(transparent)]
        pub struct $name($int);

        impl $name {
            /// The id with this index.
            pub const fn new(index: $int) -> Self {
                $name(index)
            }

            /// The index of this id, for use as a position in the owner's tables.
            pub const fn index(self) -> usize {
                self.0 as usize
            }

            /// The raw number.
            pub const fn get(self) -> $int {
                self.0
            }

            /// The id at `index`, or `None` when it does not fit.
            #[allow(dead_code, reason = "not every table looks its ids up by position")]
            pub(crate) fn from_index(index: usize) -> Option<Self> {
                <$int>::try_from(index).ok().map($name)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }

        impl From<$name> for $int {
            fn from(id: $name) -> $int {
                id.0
            }
        }

        /// Reads what [`Display`](std::fmt::Display) writes: the table's letters, then the
        /// number in decimal digits (no sign, no spaces).
        impl std::str::FromStr for $name {
            type Err = ParseIdError;

            fn from_str(text: &str) -> Result<Self, ParseIdError> {
                let err = ParseIdError { expected: $prefix };
                let digits = text.strip_prefix($prefix).ok_or(err)?;
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err);
                }
                digits.parse::<$int>().map($name).map_err(|_| err)
            }
        }
    };
}

/// A text that is not an id of the table asked for ([`UnitId`]'s `FromStr` and the others'):
/// not its letters followed by a number that fits. The text itself is not kept (it may be
/// anything a user typed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an id of the form {expected}<number>")]
pub struct ParseIdError {
    expected: &'static str,
}

/// A text that names no value of the type asked for ([`State`](crate::colour::State)'s,
/// [`Colour`](crate::colour::Colour)'s, [`Measure`](crate::colour::Measure)'s or
/// [`Marker`](crate::people::Marker)'s `FromStr`): neither its variant's name, as serde writes
/// it (`"CloseContact"`), nor what its `Display` writes (`"a close contact"`). The text itself
/// is not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not the name of a {what}")]
pub struct ParseNameError {
    what: &'static str,
}

impl ParseNameError {
    /// What was asked for (`"state"`, `"colour"` ...).
    pub const fn what(&self) -> &'static str {
        self.what
    }
}

/// `FromStr` for a fieldless enum with `ALL`: its variant's name as serde writes it, or what
/// its `Display` writes; so `x.to_string().parse()` gives `x` back.
macro_rules! parse_by_name {
    ($ty:ty, $all:expr, $what:literal) => {
        impl std::str::FromStr for $ty {
            type Err = $crate::ParseNameError;

            fn from_str(text: &str) -> Result<Self, $crate::ParseNameError> {
                use serde::de::IntoDeserializer as _;
                let by_name: Result<$ty, serde::de::value::Error> =
                    serde::Deserialize::deserialize(text.into_deserializer());
                by_name
                    .ok()
                    .or_else(|| $all.into_iter().find(|v| v.to_string() == text))
                    .ok_or($crate::id::ParseNameError::new($what))
            }
        }
    };
}
impl ParseNameError {
    pub(crate) const fn new(what: &'static str) -> Self {
        ParseNameError { what }
    }
}

parse_by_name!(crate::colour::State, crate::colour::State::ALL, "state");
parse_by_name!(crate::colour::Colour, crate::colour::Colour::BY_SEVERITY, "colour");
parse_by_name!(crate::colour::Measure, crate::colour::Measure::ALL, "measure");
parse_by_name!(crate::people::Marker, crate::people::Marker::ALL, "marker");

impl ParseIdError {
    /// The letters the id should have begun with (`"u"`, `"pol"` ...).
    pub const fn expected(&self) -> &'static str {
        self.expected
    }
}

id_type!(
    /// A unit 单位 of the grid tree (sub-district, community, courtyard, building, entrance ...).
    ///
    /// Every id type works alike: a number with the letter of its table.
    ///
    /// # Example
    /// ```
    /// use wangge::UnitId;
    /// let u = UnitId::new(3);
    /// assert_eq!((u.index(), u.get()), (3, 3));
    /// assert_eq!(format!("{u} {u:?}"), "u3 u3");
    /// assert_eq!("u3".parse::<UnitId>(), Ok(u)); // and back
    /// assert!("p3".parse::<UnitId>().is_err() && "u-3".parse::<UnitId>().is_err());
    /// assert_eq!(serde_json::to_string(&u)?, "3");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    UnitId(u32), "u"
);
id_type!(
    /// A household 户.
    HouseholdId(u32), "h"
);
id_type!(
    /// A person 人 in the population register.
    PersonId(u32), "p"
);
id_type!(
    /// An overlay 叠加分区: a partition drawn across the tree (zones 片区, grids 网格).
    OverlayId(u16), "o"
);
id_type!(
    /// A cell of an overlay: one zone, one grid.
    CellId(u32), "c"
);
id_type!(
    /// An isolation policy adopted by the registry ([`Command::AdoptPolicy`](crate::Command::AdoptPolicy)).
    PolicyId(u16), "pol"
);
id_type!(
    /// An isolation case 隔离个案: one person under one policy, from start to release or escalation.
    CaseId(u32), "case"
);
id_type!(
    /// A staff member 工作人员 who can be responsible for units, cells or persons (六包一 ...).
    StaffId(u32), "s"
);
id_type!(
    /// A hotline work order 工单 ([`Command::OpenTicket`](crate::Command::OpenTicket)).
    TicketId(u32), "t"
);
id_type!(
    /// A responsibility scheme 包保方案 adopted by the registry ([`Command::AdoptScheme`](crate::Command::AdoptScheme)).
    SchemeId(u16), "sch"
);

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// What an id writes it reads back, and no other table's id nor a mangled text.
        #[test]
        fn ids_read_back_what_they_write(n in proptest::prelude::any::<u32>(), m in proptest::prelude::any::<u16>()) {
            proptest::prop_assert_eq!(PersonId::new(n).to_string().parse::<PersonId>(), Ok(PersonId::new(n)));
            proptest::prop_assert_eq!(CaseId::new(n).to_string().parse::<CaseId>(), Ok(CaseId::new(n)));
            proptest::prop_assert_eq!(PolicyId::new(m).to_string().parse::<PolicyId>(), Ok(PolicyId::new(m)));
            proptest::prop_assert!(PolicyId::new(m).to_string().parse::<PersonId>().is_err());
            proptest::prop_assert!(CaseId::new(n).to_string().parse::<CellId>().is_err());
            let (spaced, signed, too_big) = (format!(" u{n}"), format!("u+{n}"), format!("pol{}", u32::from(m) + 65_536));
            proptest::prop_assert!(spaced.parse::<UnitId>().is_err());
            proptest::prop_assert!(signed.parse::<UnitId>().is_err());
            proptest::prop_assert!(too_big.parse::<PolicyId>().is_err());
        }
    }

    #[test]
    fn ids_print_with_their_table_and_serialise_as_numbers() {
        assert_eq!(format!("{:?} {}", UnitId::new(3), HouseholdId::new(4)), "u3 h4");
        assert_eq!(serde_json::to_string(&PersonId::new(7)).unwrap(), "7");
        assert_eq!(UnitId::from_index(usize::MAX), None);
        assert_eq!(OverlayId::from_index(70_000), None);
        assert_eq!(CellId::from_index(5).map(CellId::index), Some(5));
    }
}
