//! Contact rules 密接判定规则: who is a close contact of a case and who a secondary contact of
//! a close contact, as data with a source.

use serde::{Deserialize, Serialize};

use super::{ContactError, PlaceKind};

/// The longest look-back a rule may have, in days.
pub const MAX_WITHIN_DAYS: u16 = 60;

/// Who one level of a [`ContactRule`] reaches from a source person, as of the tracing date.
///
/// A person is reached when any of these holds:
/// - `household`: they live in the source's household 共同居住;
/// - `building`: they live at the same unit as the source's household (the building group
///   楼组, or the courtyard in a scheme without building groups);
/// - their recorded exposure to the source happened at a place of a kind in `places`, on one
///   of the `within_days` days before the tracing date or on it.
///
/// The date of their last exposure (the anchor of their isolation) is the tracing date for the
/// household and the building (they live there today), the exposure's date otherwise; the
/// latest of those that reach them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reach {
    /// The source's household members.
    pub household: bool,
    /// Everyone living at the source's household's unit.
    pub building: bool,
    /// The kinds of place at which a recorded exposure counts.
    pub places: Vec<PlaceKind>,
    /// How many days back from the tracing date a recorded exposure counts (0: that day only).
    pub within_days: u16,
}

impl Reach {
    /// Whether this level reaches anyone at all.
    pub fn is_empty(&self) -> bool {
        !self.household && !self.building && self.places.is_empty()
    }

    /// Whether an exposure at a place of `kind` counts.
    pub fn counts(&self, kind: PlaceKind) -> bool {
        self.places.contains(&kind)
    }
}

/// A contact rule 密接判定规则: who is a close contact 密切接触者 of a confirmed or suspected
/// case, and who a secondary contact 次密切接触者 of a close contact (none when `secondary`
/// is `None`). Data with a source, as the isolation policies are.
///
/// # Example
/// ```
/// use wangge::contacts::{ContactRule, PlaceKind};
///
/// let rule = ContactRule::cn_ed9();
/// assert!(rule.close().household && rule.close().counts(PlaceKind::Transport));
/// assert!(rule.secondary().is_some_and(|s| s.household));
/// assert!(ContactRule::cn_20_measures().secondary().is_none()); // no longer identified
/// rule.validate()?;
/// # Ok::<(), wangge::contacts::ContactError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactRule {
    name: String,
    source: String,
    close: Reach,
    secondary: Option<Reach>,
}

impl ContactRule {
    /// A rule named `name`, citing `source`.
    ///
    /// # Errors
    /// As [`ContactRule::validate`].
    pub fn new(
        name: impl Into<String>,
        source: impl Into<String>,
        close: Reach,
        secondary: Option<Reach>,
    ) -> Result<Self, ContactError> {
        let rule = ContactRule { name: name.into(), source: source.into(), close, secondary };
        rule.validate()?;
        Ok(rule)
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where it comes from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Who is a close contact of a case.
    pub fn close(&self) -> &Reach {
        &self.close
    }

    /// Who is a secondary contact of a close contact; `None`: nobody is traced as one.
    pub fn secondary(&self) -> Option<&Reach> {
        self.secondary.as_ref()
    }

    /// The first problem of the rule, if any.
    ///
    /// # Errors
    /// [`ContactError::InvalidRule`] when the close level reaches nobody, a level looks back
    /// more than [`MAX_WITHIN_DAYS`], or a level names a kind of place twice.
    pub fn validate(&self) -> Result<(), ContactError> {
        match self.problems().into_iter().next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Every problem of the rule.
    pub fn problems(&self) -> Vec<ContactError> {
        let bad = |what: &str| ContactError::InvalidRule { what: what.to_owned() };
        let mut found = Vec::new();
        if self.close.is_empty() {
            found.push(bad("the close level reaches nobody"));
        }
        for (level, reach) in [("close", Some(&self.close)), ("secondary", self.secondary.as_ref())] {
            let Some(reach) = reach else { continue };
            if reach.within_days > MAX_WITHIN_DAYS {
                found.push(bad(&format!("the {level} level looks back more than {MAX_WITHIN_DAYS} days")));
            }
            let mut kinds = reach.places.clone();
            kinds.sort_unstable();
            kinds.dedup();
            if kinds.len() != reach.places.len() {
                found.push(bad(&format!("the {level} level names a kind of place twice")));
            }
        }
        found
    }

    /// CN protocol, editions 8 (May 2021) and 9 (June 2022): close contacts are the case's
    /// household and those who shared a place with them (a household, a building, a workplace,
    /// transport) from 4 days before; secondary contacts are the close contacts' household and
    /// those who shared a household with them since ("密接的密接").
    ///
    /// Source: `ISOLATION_RULES.md` rows "CN ed.8" and "CN ed.9" (close and secondary
    /// contacts); the 4-day look-back ⚠ unverified (news reposts of the protocol text).
    pub fn cn_ed9() -> Self {
        ContactRule {
            name: "CN ed.9 close and secondary contacts".to_owned(),
            source: "CN COVID-19 prevention and control protocol, ed. 8 (May 2021) and ed. 9 (28 Jun 2022); 4-day look-back unverified".to_owned(),
            close: Reach { household: true, building: false, places: PlaceKind::ALL.to_vec(), within_days: 4 },
            secondary: Some(Reach {
                household: true,
                building: false,
                places: vec![PlaceKind::Household],
                within_days: 4,
            }),
        }
    }

    /// CN 20 measures (11 Nov 2022): close contacts as in edition 9, secondary contacts no
    /// longer identified. Source: `ISOLATION_RULES.md` row "CN 20 measures, secondary contact:
    /// not identified".
    pub fn cn_20_measures() -> Self {
        ContactRule {
            name: "CN 20 measures close contacts".to_owned(),
            source: "CN 20 measures (11 Nov 2022): secondary contacts not identified".to_owned(),
            close: Reach { household: true, building: false, places: PlaceKind::ALL.to_vec(), within_days: 4 },
            secondary: None,
        }
    }

    /// Every preset.
    pub fn presets() -> Vec<ContactRule> {
        vec![ContactRule::cn_ed9(), ContactRule::cn_20_measures()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_valid() {
        for rule in ContactRule::presets() {
            assert_eq!(rule.validate(), Ok(()), "{}", rule.name());
        }
    }

    #[test]
    fn problems_are_found() {
        let nobody = Reach { household: false, building: false, places: vec![], within_days: 0 };
        assert!(ContactRule::new("x", "y", nobody, None).is_err());
        let twice = Reach {
            household: true,
            building: false,
            places: vec![PlaceKind::Transport, PlaceKind::Transport],
            within_days: MAX_WITHIN_DAYS + 1,
        };
        let rule = ContactRule { name: "x".into(), source: "y".into(), close: twice, secondary: None };
        assert_eq!(rule.problems().len(), 2);
    }
}
