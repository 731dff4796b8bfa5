//! Identity documents: the resident identity number 居民身份证号 and the passport 护照.
//!
//! Both are personal data. Their `Debug` output is redacted, they have no `Display`, and no
//! [`IdentityError`] message ever quotes the text that was rejected: errors name the field
//! and what was wrong. The full text is available only through the explicit `reveal`
//! accessors, and through serde (the event log must persist it).

use std::fmt;
use std::num::NonZeroU64;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::personal::Phone;

/// Which piece of personal data an [`IdentityError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PersonalField {
    /// A person's name 姓名.
    Name,
    /// A phone number 电话.
    Phone,
    /// A passport number 护照号码.
    Passport,
}

impl fmt::Display for PersonalField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PersonalField::Name => "name",
            PersonalField::Phone => "phone number",
            PersonalField::Passport => "passport number",
        })
    }
}

/// Why an identity number, passport, name or phone was refused.
///
/// Variants say what was wrong and what was expected; they never carry the rejected text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum IdentityError {
    /// The resident identity number does not have 18 characters.
    #[error("resident identity number must have 18 characters, found {found}")]
    WrongLength {
        /// How many characters (not bytes) it had.
        found: usize,
    },
    /// One of the first 17 characters of a resident identity number is not an ASCII digit.
    #[error("resident identity number must have an ASCII digit at character {position} of 18")]
    NotADigit {
        /// The 1-based position of the first offending character.
        position: usize,
    },
    /// The 18th character of a resident identity number is neither a digit nor `X`.
    #[error("resident identity number must end in a check character that is an ASCII digit or an uppercase 'X'")]
    InvalidCheckCharacter,
    /// The area code (characters 1-6) starts with 0, or is not six digits.
    #[error("resident identity number area code (characters 1-6) must be six digits, the first not 0")]
    InvalidAreaCode,
    /// The birth date (characters 7-14) is not a real date `YYYYMMDD` in the years 1800 to 9999.
    #[error(
        "resident identity number birth date (characters 7-14) must be a real date YYYYMMDD in the years 1800 to 9999"
    )]
    InvalidBirthDate,
    /// The sequence code (characters 15-17) is above 999.
    #[error("resident identity number sequence code (characters 15-17) must be 0 to 999")]
    InvalidSequence,
    /// The check character does not match the first 17 digits.
    #[error("resident identity number check character does not match (ISO 7064 MOD 11-2)")]
    BadCheckCharacter,
    /// A name is empty or blank.
    #[error("name must not be empty or blank")]
    EmptyName,
    /// A name is too long.
    #[error("name must have at most {max} characters")]
    NameTooLong {
        /// The most characters allowed.
        max: usize,
    },
    /// A name, phone number or passport number holds a control character.
    #[error("{field} must not contain control characters")]
    ControlCharacter {
        /// Which field.
        field: PersonalField,
    },
    /// A phone number has the wrong length or characters.
    #[error(
        "phone number must have {min} to {max} characters of ASCII digits, '+', '-' and spaces, at least {digits} of them digits",
        min = Phone::MIN_CHARS,
        max = Phone::MAX_CHARS,
        digits = Phone::MIN_DIGITS,
    )]
    InvalidPhone,
    /// A passport number has the wrong length or characters.
    #[error(
        "passport number must have {min} to {max} characters, each an uppercase ASCII letter or an ASCII digit",
        min = Passport::MIN_NUMBER_CHARS,
        max = Passport::MAX_NUMBER_CHARS,
    )]
    InvalidPassport,
    /// A passport's issuing country is not three uppercase ASCII letters.
    #[error("passport country must be an ISO 3166-1 alpha-3 code of 3 uppercase ASCII letters")]
    InvalidCountryCode,
}

/// Writes `<redacted>` in place of a value in `Debug` output.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A serde visitor that reads a string through a validating constructor, so that invalid
/// text never becomes a value. The error is the constructor's, which carries no personal data.
pub(super) struct TextVisitor<T> {
    /// What was expected, for serde's messages.
    pub(super) expecting: &'static str,
    /// The validating constructor.
    pub(super) parse: fn(&str) -> Result<T, IdentityError>,
}

impl<T> serde::de::Visitor<'_> for TextVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        (self.parse)(v).map_err(E::custom)
    }

    // Serde's own messages for a value of the wrong type quote it; personal data must not
    // appear in errors, so these say only what was expected.
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<T, E> {
        Err(E::custom(format_args!("expected {}, found a number", self.expecting)))
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<T, E> {
        Err(E::custom(format_args!("expected {}, found a number", self.expecting)))
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<T, E> {
        Err(E::custom(format_args!("expected {}, found a number", self.expecting)))
    }

    fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<T, E> {
        Err(E::custom(format_args!("expected {}, found bytes", self.expecting)))
    }
}

impl<T> TextVisitor<T> {
    /// Read personal text with this visitor. Self-describing (human-readable) formats such as
    /// JSON are asked for any value, so that a value of the wrong type reaches the visitor,
    /// whose message does not quote it (serde_json's own `deserialize_str` would).
    pub(super) fn read<'de, D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        if deserializer.is_human_readable() {
            deserializer.deserialize_any(self)
        } else {
            deserializer.deserialize_str(self)
        }
    }
}

/// Read a string of personal data, refusing other types without quoting them.
fn personal_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    TextVisitor { expecting: "a string", parse: |s: &str| Ok(s.to_owned()) }.read(deserializer)
}

/// The sex 性别 recorded in a resident identity number: odd sequence codes are male, even ones
/// female (GB 11643-1999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Sex {
    /// Male 男.
    Male,
    /// Female 女.
    Female,
}

/// The weights of ISO 7064 MOD 11-2 over the 17 leading digits: `2^(17-i) mod 11`.
const WEIGHTS: [u64; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// 10^11: dividing the 17 leading digits by it leaves the 6-digit area code.
const AREA_SCALE: u64 = 100_000_000_000;

/// 10^16: the 17 leading digits are at least this when the area code does not start with 0.
const LEADING_MIN: u64 = 10_000_000_000_000_000;

/// The earliest birth year accepted.
const MIN_YEAR: i32 = 1800;

/// The latest birth year accepted (four digits).
const MAX_YEAR: i32 = 9999;

/// The ISO 7064 MOD 11-2 check value (0..=10) of the 17 leading digits.
fn check_value(leading: u64) -> u8 {
    let mut rest = leading;
    let mut sum = 0u64;
    for w in WEIGHTS.iter().rev() {
        sum += (rest % 10) * w;
        rest /= 10;
    }
    // (12 - S) mod 11 is at most 10.
    ((12 - sum % 11) % 11) as u8
}

/// The check character of a check value: a digit, or `X` for 10.
fn check_byte(value: u8) -> u8 {
    if value >= 10 { b'X' } else { b'0' + value }
}

/// The birth date written as `YYYYMMDD`, if it is a real date in the accepted years.
fn birth_from_digits(yyyymmdd: u64) -> Option<NaiveDate> {
    let year = i32::try_from(yyyymmdd / 10_000).ok()?;
    let month = u32::try_from(yyyymmdd / 100 % 100).ok()?;
    let day = u32::try_from(yyyymmdd % 100).ok()?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// A resident identity number 居民身份证号 (GB 11643-1999): the natural key of a person in
/// the register.
///
/// Eighteen characters: a 6-digit area code (first digit 1 to 9), the birth date `YYYYMMDD`
/// (a real date, year 1800 or later), a 3-digit sequence code (odd for men, even for women)
/// and an ISO 7064 MOD 11-2 check character, a digit or `X` for 10.
///
/// Parsing is strict: only an uppercase `X` is accepted, so that any single changed
/// character is rejected. Hosts that accept a lowercase `x` from their users should
/// uppercase the text before parsing.
///
/// The number is personal data: `Debug` prints `ResidentId(<redacted>)`, there is no
/// `Display`, and [`ResidentId::reveal`] is the explicit way to see it. Serde writes and
/// reads the full 18-character text (the event log must persist it), validating on read.
///
/// It is stored in 8 bytes (`Option<ResidentId>` too). Ordering is that of the text.
///
/// # Example
/// ```
/// use wangge::people::{ResidentId, Sex};
/// let id = ResidentId::parse("11010519491231002X")?;
/// assert_eq!(id.area_code(), 110105);
/// assert_eq!(id.sex(), Sex::Female);
/// assert_eq!(format!("{id:?}"), "ResidentId(<redacted>)");
/// assert!(ResidentId::parse("110105194912310021").is_err());
/// # Ok::<(), wangge::people::IdentityError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResidentId(NonZeroU64);

impl ResidentId {
    /// Parse and validate an 18-character resident identity number.
    ///
    /// # Errors
    /// [`IdentityError::WrongLength`], [`IdentityError::NotADigit`],
    /// [`IdentityError::InvalidCheckCharacter`], [`IdentityError::InvalidAreaCode`],
    /// [`IdentityError::InvalidBirthDate`] or [`IdentityError::BadCheckCharacter`], checked
    /// in that order.
    ///
    /// # Example
    /// ```
    /// use wangge::people::{IdentityError, ResidentId};
    /// assert!(ResidentId::parse("440524188001010014").is_ok());
    /// assert_eq!(ResidentId::parse("4405241880"), Err(IdentityError::WrongLength { found: 10 }));
    /// assert_eq!(ResidentId::parse("11010519491231002x"), Err(IdentityError::InvalidCheckCharacter));
    /// ```
    pub fn parse(text: &str) -> Result<Self, IdentityError> {
        let found = text.chars().count();
        if found != 18 {
            return Err(IdentityError::WrongLength { found });
        }
        let mut chars = text.chars();
        let mut leading = 0u64;
        for position in 1..=17 {
            match chars.next().and_then(|c| c.to_digit(10)) {
                Some(d) => leading = leading * 10 + u64::from(d),
                None => return Err(IdentityError::NotADigit { position }),
            }
        }
        let given = match chars.next() {
            Some('X') => 10,
            Some(c) => match c.to_digit(10) {
                Some(d) => d as u8,
                None => return Err(IdentityError::InvalidCheckCharacter),
            },
            None => return Err(IdentityError::InvalidCheckCharacter),
        };
        if leading < LEADING_MIN {
            return Err(IdentityError::InvalidAreaCode);
        }
        if birth_from_digits(leading / 1000 % 100_000_000).is_none() {
            return Err(IdentityError::InvalidBirthDate);
        }
        if check_value(leading) != given {
            return Err(IdentityError::BadCheckCharacter);
        }
        NonZeroU64::new(leading).map(ResidentId).ok_or(IdentityError::InvalidAreaCode)
    }

    /// Build a resident identity number from its parts, computing the check character
    /// (useful for synthetic data).
    ///
    /// # Errors
    /// [`IdentityError::InvalidAreaCode`] unless `area` is in `100000..=999999`,
    /// [`IdentityError::InvalidBirthDate`] unless the year is in `1800..=9999`,
    /// [`IdentityError::InvalidSequence`] when `sequence` is above 999.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::people::ResidentId;
    /// let born = NaiveDate::from_ymd_opt(1949, 12, 31).unwrap();
    /// let id = ResidentId::from_parts(110105, born, 2)?;
    /// assert_eq!(id.check_character(), 'X');
    /// assert_eq!(id, ResidentId::parse("11010519491231002X")?);
    /// # Ok::<(), wangge::people::IdentityError>(())
    /// ```
    pub fn from_parts(area: u32, birth: NaiveDate, sequence: u16) -> Result<Self, IdentityError> {
        if !(100_000..=999_999).contains(&area) {
            return Err(IdentityError::InvalidAreaCode);
        }
        if !(MIN_YEAR..=MAX_YEAR).contains(&birth.year()) {
            return Err(IdentityError::InvalidBirthDate);
        }
        let year = u64::try_from(birth.year()).map_err(|_| IdentityError::InvalidBirthDate)?;
        if sequence > 999 {
            return Err(IdentityError::InvalidSequence);
        }
        let date = year * 10_000 + u64::from(birth.month()) * 100 + u64::from(birth.day());
        let leading = u64::from(area) * AREA_SCALE + date * 1000 + u64::from(sequence);
        NonZeroU64::new(leading).map(ResidentId).ok_or(IdentityError::InvalidAreaCode)
    }

    /// The 6-digit administrative area code 行政区划代码 of the place of registration
    /// (characters 1-6).
    pub fn area_code(self) -> u32 {
        // Below 10^6: the leading digits are below 10^17.
        (self.0.get() / AREA_SCALE) as u32
    }

    /// The date of birth 出生日期 (characters 7-14).
    pub fn birth_date(self) -> NaiveDate {
        // Validated at construction, so the fallback is never taken.
        birth_from_digits(self.0.get() / 1000 % 100_000_000).unwrap_or(NaiveDate::MIN)
    }

    /// The sequence code 顺序码 (characters 15-17), 0 to 999.
    pub fn sequence(self) -> u16 {
        (self.0.get() % 1000) as u16
    }

    /// The sex recorded by the sequence code: odd is male, even is female.
    ///
    /// # Example
    /// ```
    /// use wangge::people::{ResidentId, Sex};
    /// assert_eq!(ResidentId::parse("440524188001010014")?.sex(), Sex::Male);
    /// # Ok::<(), wangge::people::IdentityError>(())
    /// ```
    pub fn sex(self) -> Sex {
        if self.sequence() % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// The check character 校验码 (character 18): `'0'` to `'9'` or `'X'`.
    pub fn check_character(self) -> char {
        char::from(check_byte(check_value(self.0.get())))
    }

    /// The 18 characters as ASCII bytes.
    fn to_ascii(self) -> [u8; 18] {
        let mut out = [b'0'; 18];
        let mut rest = self.0.get();
        for slot in out[..17].iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        out[17] = check_byte(check_value(self.0.get()));
        out
    }

    /// The full 18-character number. This is personal data: calling this is the explicit
    /// opt-in to see it, so keep it out of logs.
    ///
    /// # Example
    /// ```
    /// use wangge::people::ResidentId;
    /// assert_eq!(ResidentId::parse("11010519491231002X")?.reveal(), "11010519491231002X");
    /// # Ok::<(), wangge::people::IdentityError>(())
    /// ```
    pub fn reveal(&self) -> String {
        self.to_ascii().iter().map(|&b| char::from(b)).collect()
    }
}

impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResidentId(<redacted>)")
    }
}

impl FromStr for ResidentId {
    type Err = IdentityError;
    fn from_str(s: &str) -> Result<Self, IdentityError> {
        ResidentId::parse(s)
    }
}

impl TryFrom<&str> for ResidentId {
    type Error = IdentityError;
    fn try_from(s: &str) -> Result<Self, IdentityError> {
        ResidentId::parse(s)
    }
}

impl TryFrom<String> for ResidentId {
    type Error = IdentityError;
    fn try_from(s: String) -> Result<Self, IdentityError> {
        ResidentId::parse(&s)
    }
}

impl Serialize for ResidentId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let ascii = self.to_ascii();
        match std::str::from_utf8(&ascii) {
            Ok(text) => serializer.serialize_str(text),
            Err(_) => Err(serde::ser::Error::custom("resident identity number is not ASCII")),
        }
    }
}

impl<'de> Deserialize<'de> for ResidentId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        TextVisitor { expecting: "an 18-character resident identity number", parse: ResidentId::parse }
            .read(deserializer)
    }
}

/// A passport 护照, for foreign residents: the issuing country (ISO 3166-1 alpha-3, e.g.
/// `DEU`) and the passport number.
///
/// The number is personal data: `Debug` shows only the country
/// (`Passport { country: "DEU", number: <redacted> }`), and [`Passport::reveal_number`] is
/// the explicit way to see it. Serde writes `{"country": ..., "number": ...}` and validates
/// on read.
///
/// # Example
/// ```
/// use wangge::people::Passport;
/// let p = Passport::new("DEU", "C01X00T47")?;
/// assert_eq!(p.country(), "DEU");
/// assert_eq!(p.reveal_number(), "C01X00T47");
/// assert_eq!(format!("{p:?}"), r#"Passport { country: "DEU", number: <redacted> }"#);
/// assert!(Passport::new("de", "C01X00T47").is_err());
/// # Ok::<(), wangge::people::IdentityError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "PassportRaw")]
pub struct Passport(
    /// The country's three letters followed by the number: both ASCII.
    Box<str>,
);

impl Passport {
    /// The fewest characters a passport number may have.
    pub const MIN_NUMBER_CHARS: usize = 5;
    /// The most characters a passport number may have.
    pub const MAX_NUMBER_CHARS: usize = 20;

    /// A validated passport.
    ///
    /// Strict: the country must be three uppercase ASCII letters and the number 5 to 20
    /// uppercase ASCII letters or digits; nothing is trimmed or uppercased.
    ///
    /// # Errors
    /// [`IdentityError::InvalidCountryCode`] for a bad country,
    /// [`IdentityError::ControlCharacter`] when the number holds a control character,
    /// [`IdentityError::InvalidPassport`] for any other bad number.
    pub fn new(country: &str, number: &str) -> Result<Self, IdentityError> {
        if country.len() != 3 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(IdentityError::InvalidCountryCode);
        }
        if number.chars().any(char::is_control) {
            return Err(IdentityError::ControlCharacter { field: PersonalField::Passport });
        }
        if !(Self::MIN_NUMBER_CHARS..=Self::MAX_NUMBER_CHARS).contains(&number.len())
            || !number.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(IdentityError::InvalidPassport);
        }
        let mut both = String::with_capacity(3 + number.len());
        both.push_str(country);
        both.push_str(number);
        Ok(Passport(both.into_boxed_str()))
    }

    /// The issuing country, ISO 3166-1 alpha-3 (not personal data).
    pub fn country(&self) -> &str {
        // Three ASCII letters, validated at construction.
        self.0.get(..3).unwrap_or("")
    }

    /// The passport number. This is personal data: calling this is the explicit opt-in to
    /// see it, so keep it out of logs.
    pub fn reveal_number(&self) -> &str {
        self.0.get(3..).unwrap_or("")
    }
}

impl fmt::Debug for Passport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Passport").field("country", &self.country()).field("number", &Redacted).finish()
    }
}

impl Serialize for Passport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Passport", 2)?;
        s.serialize_field("country", self.country())?;
        s.serialize_field("number", self.reveal_number())?;
        s.end()
    }
}

/// A passport as read by serde, before validation. No `Debug`: it holds personal data.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PassportRaw {
    #[serde(deserialize_with = "personal_text")]
    country: String,
    #[serde(deserialize_with = "personal_text")]
    number: String,
}

impl TryFrom<PassportRaw> for Passport {
    type Error = IdentityError;
    fn try_from(raw: PassportRaw) -> Result<Self, IdentityError> {
        Passport::new(&raw.country, &raw.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GOOD: &str = "11010519491231002X";

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Check characters computed independently of the crate, straight from the standard.
    fn reference_check(first17: &str) -> char {
        let s: u32 =
            first17.chars().enumerate().map(|(i, c)| c.to_digit(10).unwrap() * ((1u32 << (17 - i)) % 11)).sum::<u32>()
                % 11;
        match (12 - s) % 11 {
            10 => 'X',
            v => char::from_digit(v, 10).unwrap(),
        }
    }

    #[test]
    fn weights_follow_the_formula() {
        for (i, w) in WEIGHTS.iter().enumerate() {
            assert_eq!(*w, (1u64 << (17 - i)) % 11);
        }
    }

    #[test]
    fn option_is_eight_bytes() {
        assert_eq!(size_of::<ResidentId>(), 8);
        assert_eq!(size_of::<Option<ResidentId>>(), 8);
    }

    #[test]
    fn textbook_examples() {
        // GB 11643-1999 example: Chaoyang district, Beijing, female, born 1949-12-31.
        assert_eq!(reference_check("11010519491231002"), 'X');
        let id = ResidentId::parse(GOOD).unwrap();
        assert_eq!(id.check_character(), 'X');
        assert_eq!(id.area_code(), 110105);
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert_eq!(id.sequence(), 2);
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.reveal(), GOOD);
        assert_eq!(ResidentId::parse("110105194912310021"), Err(IdentityError::BadCheckCharacter));

        // GB 11643-1999 example: Chaoyang county, Shantou, Guangdong, male, born 1880-01-01.
        assert_eq!(reference_check("44052418800101001"), '4');
        let id = ResidentId::parse("440524188001010014").unwrap();
        assert_eq!(id.check_character(), '4');
        assert_eq!(id.area_code(), 440524);
        assert_eq!(id.birth_date(), date(1880, 1, 1));
        assert_eq!(id.sequence(), 1);
        assert_eq!(id.sex(), Sex::Male);

        // A check value of 0, computed here and by the reference.
        let id = ResidentId::from_parts(310101, date(2000, 2, 29), 0).unwrap();
        assert_eq!(id.check_character(), reference_check(&id.reveal()[..17]));
        assert_eq!(ResidentId::parse(&id.reveal()), Ok(id));
    }

    #[test]
    fn structural_errors() {
        use IdentityError::*;
        assert_eq!(ResidentId::parse(""), Err(WrongLength { found: 0 }));
        assert_eq!(ResidentId::parse("11010519491231002X0"), Err(WrongLength { found: 19 }));
        // 18 bytes but 6 characters.
        assert_eq!(ResidentId::parse("一二三四五六"), Err(WrongLength { found: 6 }));
        assert_eq!(ResidentId::parse("1101051949123100２X"), Err(NotADigit { position: 17 }));
        assert_eq!(ResidentId::parse("X1010519491231002X"), Err(NotADigit { position: 1 }));
        assert_eq!(ResidentId::parse("11010519491231002x"), Err(InvalidCheckCharacter));
        assert_eq!(ResidentId::parse("11010519491231002Y"), Err(InvalidCheckCharacter));
        assert_eq!(ResidentId::parse("11010519491231002٣"), Err(InvalidCheckCharacter));
        let zero_area = format!("01010519491231002{}", reference_check("01010519491231002"));
        assert_eq!(ResidentId::parse(&zero_area), Err(InvalidAreaCode));
        let feb30 = format!("11010519490230002{}", reference_check("11010519490230002"));
        assert_eq!(ResidentId::parse(&feb30), Err(InvalidBirthDate));
        let old = format!("11010517991231002{}", reference_check("11010517991231002"));
        assert_eq!(ResidentId::parse(&old), Err(InvalidBirthDate));
        let month0 = format!("11010519490031002{}", reference_check("11010519490031002"));
        assert_eq!(ResidentId::parse(&month0), Err(InvalidBirthDate));
    }

    #[test]
    fn from_parts_bounds() {
        use IdentityError::*;
        let d = date(1990, 6, 15);
        assert_eq!(ResidentId::from_parts(99_999, d, 1), Err(InvalidAreaCode));
        assert_eq!(ResidentId::from_parts(1_000_000, d, 1), Err(InvalidAreaCode));
        assert_eq!(ResidentId::from_parts(110105, d, 1000), Err(InvalidSequence));
        assert_eq!(ResidentId::from_parts(110105, date(1799, 12, 31), 1), Err(InvalidBirthDate));
        assert_eq!(ResidentId::from_parts(110105, date(10_000, 1, 1), 1), Err(InvalidBirthDate));
        assert_eq!(ResidentId::from_parts(110105, date(-5, 1, 1), 1), Err(InvalidBirthDate));
        assert!(ResidentId::from_parts(110105, date(1800, 1, 1), 0).is_ok());
        assert!(ResidentId::from_parts(999_999, date(9999, 12, 31), 999).is_ok());
        assert!(ResidentId::from_parts(100_000, d, 0).is_ok());
    }

    #[test]
    fn conversions_and_order() {
        let a: ResidentId = GOOD.parse().unwrap();
        assert_eq!(ResidentId::try_from(GOOD), Ok(a));
        assert_eq!(ResidentId::try_from(GOOD.to_owned()), Ok(a));
        let b = ResidentId::parse("440524188001010014").unwrap();
        assert_eq!(a.cmp(&b), a.reveal().cmp(&b.reveal()));
    }

    #[test]
    fn serde_round_trips() {
        let id = ResidentId::parse(GOOD).unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{GOOD}\""));
        assert_eq!(serde_json::from_str::<ResidentId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<ResidentId>("\"110105194912310021\"").is_err());
        assert!(serde_json::from_str::<ResidentId>("\"11010519491231002x\"").is_err());
        assert!(serde_json::from_str::<ResidentId>("110105194912310021").is_err());
        let err = serde_json::from_str::<ResidentId>("\"110105194912310021\"").unwrap_err().to_string();
        assert!(!err.contains("110105194912310021"), "{err}");

        let p = Passport::new("DEU", "C01X00T47").unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, r#"{"country":"DEU","number":"C01X00T47"}"#);
        assert_eq!(serde_json::from_str::<Passport>(&json).unwrap(), p);
        assert!(serde_json::from_str::<Passport>(r#"{"country":"deu","number":"C01X00T47"}"#).is_err());
        let err = serde_json::from_str::<Passport>(r#"{"country":"DEU","number":"c01x00t47"}"#).unwrap_err();
        assert!(!err.to_string().to_lowercase().contains("c01x00t47"), "{err}");

        for e in every_error() {
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<IdentityError>(&json).unwrap(), e);
        }
        for s in [Sex::Male, Sex::Female] {
            assert_eq!(serde_json::from_str::<Sex>(&serde_json::to_string(&s).unwrap()).unwrap(), s);
        }
    }

    fn every_error() -> Vec<IdentityError> {
        use IdentityError::*;
        let mut all = vec![
            WrongLength { found: 17 },
            NotADigit { position: 3 },
            InvalidCheckCharacter,
            InvalidAreaCode,
            InvalidBirthDate,
            InvalidSequence,
            BadCheckCharacter,
            EmptyName,
            NameTooLong { max: 64 },
            InvalidPhone,
            InvalidPassport,
            InvalidCountryCode,
        ];
        for field in [PersonalField::Name, PersonalField::Phone, PersonalField::Passport] {
            all.push(ControlCharacter { field });
        }
        all
    }

    #[test]
    fn messages_say_what_was_expected() {
        assert_eq!(
            IdentityError::BadCheckCharacter.to_string(),
            "resident identity number check character does not match (ISO 7064 MOD 11-2)"
        );
        assert_eq!(
            IdentityError::WrongLength { found: 17 }.to_string(),
            "resident identity number must have 18 characters, found 17"
        );
        assert!(IdentityError::InvalidPhone.to_string().contains("3 to 20 characters"));
        assert!(IdentityError::InvalidPassport.to_string().contains("5 to 20 characters"));
        assert_eq!(
            IdentityError::ControlCharacter { field: PersonalField::Passport }.to_string(),
            "passport number must not contain control characters"
        );
        for e in every_error() {
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn redaction() {
        let id = ResidentId::parse(GOOD).unwrap();
        let debug = format!("{id:?} {id:#?} {:?}", Some(id));
        assert!(!debug.chars().any(|c| c.is_ascii_digit()), "{debug}");
        let p = Passport::new("DEU", "C01X00T47").unwrap();
        let debug = format!("{p:?} {p:#?}");
        assert!(!debug.contains("C01X00T47") && !debug.contains("C01"), "{debug}");
        assert!(debug.contains("DEU"));

        // Errors from invalid numbers never quote them.
        let mut bad = vec![
            "110105194912310021".to_owned(),
            "11010519491231002x".to_owned(),
            "01010519491231002X".to_owned(),
            "11010519490230002X".to_owned(),
            "1101051949123100".to_owned(),
            "110105194912310021999".to_owned(),
            "11010519A91231002X".to_owned(),
        ];
        bad.push("一1010519491231002X".to_owned());
        for text in &bad {
            let e = ResidentId::parse(text).unwrap_err();
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains(text.as_str()), "{shown}");
            assert!(!shown.contains("19491231"), "{shown}");
            assert!(!shown.contains("110105"), "{shown}");
        }
        for (country, number) in [("DEU", "c01x00t47"), ("DEU", "C01X\u{7}00T47"), ("DEU", "C01"), ("D3U", "C01X00T47")]
        {
            let e = Passport::new(country, number).unwrap_err();
            let shown = format!("{e} {e:?}");
            assert!(!shown.to_lowercase().contains("c01"), "{shown}");
        }
    }

    #[test]
    fn passport_rules() {
        use IdentityError::*;
        assert!(Passport::new("USA", "12345").is_ok());
        assert!(Passport::new("USA", "ABCDEFGHIJ0123456789").is_ok());
        assert_eq!(Passport::new("USA", "1234"), Err(InvalidPassport));
        assert_eq!(Passport::new("USA", "ABCDEFGHIJ01234567890"), Err(InvalidPassport));
        assert_eq!(Passport::new("USA", "AB CD1"), Err(InvalidPassport));
        assert_eq!(Passport::new("USA", "ÄBCDE1"), Err(InvalidPassport));
        assert_eq!(Passport::new("USA", "ABC\nDE1"), Err(ControlCharacter { field: PersonalField::Passport }));
        assert_eq!(Passport::new("US", "12345"), Err(InvalidCountryCode));
        assert_eq!(Passport::new("USAA", "12345"), Err(InvalidCountryCode));
        assert_eq!(Passport::new("Usa", "12345"), Err(InvalidCountryCode));
        assert_eq!(Passport::new("ÜS", "12345"), Err(InvalidCountryCode));
        // Country and number are kept apart: no two different pairs compare equal.
        assert_ne!(Passport::new("DEU", "ABCDE1").unwrap(), Passport::new("DEA", "BCDE12").unwrap());
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        let start = date(1900, 1, 1).num_days_from_ce();
        let end = date(2030, 1, 1).num_days_from_ce();
        (start..end).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap())
    }

    proptest! {
        #[test]
        fn valid_ids_round_trip_and_every_single_change_is_rejected(
            area in 100_000u32..=999_999,
            birth in any_date(),
            seq in 0u16..=999,
        ) {
            let id = ResidentId::from_parts(area, birth, seq).unwrap();
            let text = id.reveal();
            prop_assert_eq!(text.len(), 18);
            prop_assert_eq!(text.chars().last(), Some(reference_check(&text[..17])));
            prop_assert_eq!(ResidentId::parse(&text), Ok(id));
            prop_assert_eq!(id.area_code(), area);
            prop_assert_eq!(id.birth_date(), birth);
            prop_assert_eq!(id.sequence(), seq);
            prop_assert_eq!(id.sex() == Sex::Male, seq % 2 == 1);
            let json = serde_json::to_string(&id).unwrap();
            prop_assert_eq!(serde_json::from_str::<ResidentId>(&json).unwrap(), id);

            let original: Vec<char> = text.chars().collect();
            for position in 0..18 {
                for replacement in "0123456789X".chars() {
                    if replacement == original[position] {
                        continue;
                    }
                    let mut changed = original.clone();
                    changed[position] = replacement;
                    let changed: String = changed.into_iter().collect();
                    prop_assert!(ResidentId::parse(&changed).is_err(), "accepted a change at {}", position);
                }
            }
        }

        #[test]
        fn accepted_text_round_trips_exactly(text in "[0-9]{17}[0-9X]") {
            if let Ok(id) = ResidentId::parse(&text) {
                prop_assert_eq!(id.reveal(), text);
            }
        }

        #[test]
        fn parse_never_panics_on_unicode(text in "\\PC*") {
            let _ = ResidentId::parse(&text);
            let _ = Passport::new(&text, &text);
            let _ = Passport::new("DEU", &text);
        }

        #[test]
        fn parse_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let text = String::from_utf8_lossy(&bytes);
            let _ = ResidentId::parse(&text);
            let _ = Passport::new(&text, &text);
            let _ = Passport::new("DEU", &text);
        }

        #[test]
        fn near_ids_never_panic(text in "[0-9Xx ]{16,19}") {
            let _ = ResidentId::parse(&text);
        }

        #[test]
        fn errors_never_quote_the_input(text in "[0-9]{8,24}[0-9Xx]") {
            if let Err(e) = ResidentId::parse(&text) {
                let shown = format!("{e} {e:?}");
                prop_assert!(!shown.contains(&text[..8]), "{}", shown);
            }
        }
    }
}

#[cfg(test)]
mod serde_type_errors {
    use super::*;

    #[test]
    fn a_number_where_text_belongs_is_refused_without_quoting_it() {
        let err = serde_json::from_str::<ResidentId>("110105194912310021").unwrap_err().to_string();
        assert!(!err.contains("110105194912310021"), "{err}");
        let err = serde_json::from_str::<Passport>(r#"{"country":"DEU","number":123456789}"#).unwrap_err().to_string();
        assert!(!err.contains("123456789"), "{err}");
    }
}
