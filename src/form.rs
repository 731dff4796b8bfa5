//! How the core's types are written in the two kinds of serde forms.
//!
//! Human-readable forms (JSON, what hosts and the golden files write) leave out a struct's
//! empty optional fields, so that a record reads as the person it describes. Binary forms
//! (`Serializer::is_human_readable` false, as MessagePack through rmp-serde) write every field,
//! in declaration order: a positional encoding has no names to say which field was left out,
//! and a skipped field would shift the ones after it. Every form reads both: the fields left
//! out have serde defaults.

/// Implements `Serialize` for a struct whose fields are written in order, each field marked
/// `skip_if <predicate>` left out when the predicate holds and the form is human-readable
/// (exactly what `#[serde(skip_serializing_if = ..)]` does, but only there).
///
/// ```ignore
/// serialize_fields!(PersonRecord { resident_id skip_if Option::is_none, markers skip_if Markers::is_empty });
/// ```
macro_rules! serialize_fields {
    ($ty:ident { $($field:ident $(skip_if $skip:path)?),* $(,)? }) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct as _;
                let human = s.is_human_readable();
                let skipped = [$(human && $crate::form::skip_test!($($skip)?)(&self.$field)),*];
                let mut st = s.serialize_struct(stringify!($ty), skipped.iter().filter(|&&s| !s).count())?;
                let mut skip = skipped.into_iter();
                $(
                    if skip.next().unwrap_or(false) {
                        st.skip_field(stringify!($field))?;
                    } else {
                        st.serialize_field(stringify!($field), &self.$field)?;
                    }
                )*
                st.end()
            }
        }
    };
}

/// The skip test of a field: its predicate, or [`never`].
macro_rules! skip_test {
    () => {
        $crate::form::never
    };
    ($skip:path) => {
        $skip
    };
}

pub(crate) use {serialize_fields, skip_test};

/// The skip test of a field always written.
pub(crate) fn never<T: ?Sized>(_: &T) -> bool {
    false
}

/// A date in a binary form as its day number (days since 0001-01-01, the Common Era's first
/// day, as `i32`), in a human-readable form as chrono writes it (`"2020-02-01"`). Binary forms
/// read both (a snapshot of encoding 1 holds strings): parsing a date's text was a quarter of
/// decoding a city's snapshot. `#[serde(with = "crate::form::date")]`.
pub(crate) mod date {
    use chrono::{Datelike as _, NaiveDate};
    use serde::de::{self, Deserialize as _, Visitor};
    use serde::{Deserializer, Serialize as _, Serializer};

    /// Write `date`.
    pub(crate) fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() { date.serialize(s) } else { s.serialize_i32(date.num_days_from_ce()) }
    }

    /// Read a date.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        if d.is_human_readable() { NaiveDate::deserialize(d) } else { d.deserialize_any(DayOrText) }
    }

    /// Reads a day number or a date's text.
    struct DayOrText;

    impl Visitor<'_> for DayOrText {
        type Value = NaiveDate;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a date: its day number from 0001-01-01, or its text YYYY-MM-DD")
        }

        fn visit_i64<E: de::Error>(self, days: i64) -> Result<NaiveDate, E> {
            i32::try_from(days)
                .ok()
                .and_then(NaiveDate::from_num_days_from_ce_opt)
                .ok_or_else(|| E::invalid_value(de::Unexpected::Signed(days), &self))
        }

        fn visit_u64<E: de::Error>(self, days: u64) -> Result<NaiveDate, E> {
            i32::try_from(days)
                .ok()
                .and_then(NaiveDate::from_num_days_from_ce_opt)
                .ok_or_else(|| E::invalid_value(de::Unexpected::Unsigned(days), &self))
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<NaiveDate, E> {
            text.parse().map_err(E::custom)
        }
    }
}
