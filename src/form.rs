//! How the core's types are written in the two kinds of serde forms.
//!
//! Human-readable forms (JSON, what hosts and the golden files write) leave out a struct's
//! empty optional fields, so that a record reads as the person it describes. Binary forms
//! (`Serializer::is_human_readable` false, as MessagePack through rmp-serde) write every field,
//! in declaration order: a positional encoding has no names to say which field was left out,
//! and a skipped field would shift the ones after it. Every form reads both: the fields left
//! out have serde defaults.
//!
//! The two values a snapshot holds once per person are more compact in binary forms: a
//! person's state is one integer (see `PersonState`'s `Serialize`: its date, measure and reason), and a
//! person's record with nothing but markers is the markers' bits (see their `Serialize`).
//! Binary forms read these and the fields alike.

/// Implements `Serialize` for a struct whose fields are written in order, each field marked
/// `skip_if <predicate>` left out when the predicate holds and the form is human-readable
/// (exactly what `#[serde(skip_serializing_if = ..)]` does, but only there).
///
/// ```ignore
/// serialize_fields!(Phase { setting, days, tests skip_if Vec::is_empty });
/// serialize_fields!(RecordFields<R: Serialize> as "PersonRecord" { resident_id skip_if Option::is_none });
/// ```
macro_rules! serialize_fields {
    (
        $ty:ident $(<$($g:ident: $bound:path),*>)? $(as $name:literal)?
        { $($field:ident $(skip_if $skip:path)?),* $(,)? }
    ) => {
        impl $(<$($g: $bound),*>)? serde::Serialize for $ty $(<$($g),*>)? {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct as _;
                let human = s.is_human_readable();
                let skipped = [$(human && $crate::form::skip_test!($($skip)?)(&self.$field)),*];
                let name = $crate::form::struct_name!($ty $($name)?);
                let mut st = s.serialize_struct(name, skipped.iter().filter(|&&s| !s).count())?;
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

/// The name a struct is written with: its own, or the one given.
macro_rules! struct_name {
    ($ty:ident) => {
        stringify!($ty)
    };
    ($ty:ident $name:literal) => {
        $name
    };
}

pub(crate) use {serialize_fields, skip_test, struct_name};

/// The skip test of a field always written.
pub(crate) fn never<T: ?Sized>(_: &T) -> bool {
    false
}

/// Reads a date as chrono writes it (`"2020-02-01"`) in human-readable forms, and in binary
/// forms either that text or its day number (days since 0001-01-01, the Common Era's first
/// day): a binary form writes a person's state's date as a day number (parsing dates' text was
/// a quarter of decoding a city's snapshot), and a snapshot of encoding 1 holds text.
/// `#[serde(deserialize_with = "crate::form::date::deserialize")]`.
pub(crate) mod date {
    use chrono::NaiveDate;
    use serde::Deserializer;
    use serde::de::{self, Deserialize as _, Visitor};

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
