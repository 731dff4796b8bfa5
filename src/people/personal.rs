//! Personal contact data: a person's name and phone number.
//!
//! Both are personal data: `Debug` is redacted, there is no `Display`, errors never quote
//! them, and `reveal` is the explicit way to see them. Serde writes them as plain strings
//! (the event log must persist them) and validates on read.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::identity::{IdentityError, PersonalField, TextVisitor};

/// A person's name 姓名: trimmed, not blank, at most [`Name::MAX_CHARS`] characters, no
/// control characters.
///
/// Surrounding whitespace (including the ideographic space U+3000) is removed; the inner
/// text is kept as given.
///
/// # Example
/// ```
/// use wangge::people::Name;
/// let name = Name::new(" 张三 ")?;
/// assert_eq!(name.reveal(), "张三");
/// assert_eq!(format!("{name:?}"), "Name(<redacted>)");
/// assert!(Name::new("  ").is_err());
/// # Ok::<(), wangge::people::IdentityError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Name(Box<str>);

impl Name {
    /// The most characters (not bytes) a name may have, after trimming.
    pub const MAX_CHARS: usize = 64;

    /// A validated name, trimmed.
    ///
    /// # Errors
    /// [`IdentityError::EmptyName`] when empty or blank,
    /// [`IdentityError::ControlCharacter`] when it holds a control character,
    /// [`IdentityError::NameTooLong`] when longer than [`Name::MAX_CHARS`] characters.
    pub fn new(text: &str) -> Result<Self, IdentityError> {
        let name = text.trim();
        if name.is_empty() {
            return Err(IdentityError::EmptyName);
        }
        if name.chars().any(char::is_control) {
            return Err(IdentityError::ControlCharacter { field: PersonalField::Name });
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(IdentityError::NameTooLong { max: Self::MAX_CHARS });
        }
        Ok(Name(name.into()))
    }

    /// The name. This is personal data: calling this is the explicit opt-in to see it, so
    /// keep it out of logs.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Name(<redacted>)")
    }
}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        TextVisitor { expecting: "a person's name", parse: Name::new }.read(deserializer)
    }
}

/// A phone number 电话: [`Phone::MIN_CHARS`] to [`Phone::MAX_CHARS`] characters of ASCII
/// digits, `+`, `-` and spaces, at least [`Phone::MIN_DIGITS`] of them digits.
///
/// Surrounding whitespace is removed; the inner text is kept as given (no normalisation).
///
/// # Example
/// ```
/// use wangge::people::Phone;
/// let phone = Phone::new("+86 371-6000 0000")?;
/// assert_eq!(phone.reveal(), "+86 371-6000 0000");
/// assert_eq!(format!("{phone:?}"), "Phone(<redacted>)");
/// assert!(Phone::new("call me").is_err());
/// # Ok::<(), wangge::people::IdentityError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(Box<str>);

impl Phone {
    /// The fewest characters a phone number may have, after trimming.
    pub const MIN_CHARS: usize = 3;
    /// The most characters a phone number may have, after trimming.
    pub const MAX_CHARS: usize = 20;
    /// The fewest digits a phone number may have.
    pub const MIN_DIGITS: usize = 3;

    /// A validated phone number, trimmed.
    ///
    /// # Errors
    /// [`IdentityError::ControlCharacter`] when it holds a control character,
    /// [`IdentityError::InvalidPhone`] for a wrong length, a character other than an ASCII
    /// digit, `+`, `-` or space, or fewer than [`Phone::MIN_DIGITS`] digits.
    pub fn new(text: &str) -> Result<Self, IdentityError> {
        let phone = text.trim();
        if phone.chars().any(char::is_control) {
            return Err(IdentityError::ControlCharacter { field: PersonalField::Phone });
        }
        // Every accepted character is ASCII, so bytes count characters.
        let allowed = phone.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b' '));
        let digits = phone.bytes().filter(u8::is_ascii_digit).count();
        if !allowed || !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&phone.len()) || digits < Self::MIN_DIGITS {
            return Err(IdentityError::InvalidPhone);
        }
        Ok(Phone(phone.into()))
    }

    /// The phone number. This is personal data: calling this is the explicit opt-in to see
    /// it, so keep it out of logs.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Phone(<redacted>)")
    }
}

impl Serialize for Phone {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Phone {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        TextVisitor { expecting: "a phone number", parse: Phone::new }.read(deserializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names() {
        assert_eq!(Name::new("张三").unwrap().reveal(), "张三");
        assert_eq!(Name::new("\u{3000}李四\t").unwrap().reveal(), "李四");
        assert_eq!(Name::new("阿卜杜拉·艾则孜").unwrap().reveal(), "阿卜杜拉·艾则孜");
        assert_eq!(Name::new(""), Err(IdentityError::EmptyName));
        assert_eq!(Name::new(" \u{3000}\n "), Err(IdentityError::EmptyName));
        assert_eq!(Name::new("张\u{0}三"), Err(IdentityError::ControlCharacter { field: PersonalField::Name }));
        assert_eq!(Name::new("张\n三"), Err(IdentityError::ControlCharacter { field: PersonalField::Name }));
        // 64 characters of three bytes each are fine; 65 are not.
        let long = "张".repeat(Name::MAX_CHARS);
        assert_eq!(Name::new(&long).unwrap().reveal(), long);
        assert_eq!(Name::new(&format!("{long}三")), Err(IdentityError::NameTooLong { max: 64 }));
        assert_eq!(Name::new(&format!("  {long}  ")).unwrap().reveal(), long);
    }

    #[test]
    fn phones() {
        for ok in ["110", "13800138000", "+86 138 0013 8000", "0371-6000-0000", " 120 ", "+++123"] {
            assert_eq!(Phone::new(ok).unwrap().reveal(), ok.trim(), "{ok}");
        }
        for bad in ["", "12", "+-1 2", "12a45", "１２３４５", "123456789012345678901", "(0371) 6000", "   "] {
            assert_eq!(Phone::new(bad), Err(IdentityError::InvalidPhone), "{bad}");
        }
        assert!(Phone::new("12345678901234567890").is_ok());
        assert_eq!(Phone::new("138\u{7}0013"), Err(IdentityError::ControlCharacter { field: PersonalField::Phone }));
    }

    #[test]
    fn redaction() {
        let name = Name::new("张三丰").unwrap();
        let debug = format!("{name:?} {name:#?} {:?}", Some(name.clone()));
        assert!(!debug.contains('张') && !debug.contains("三丰"), "{debug}");
        let phone = Phone::new("13800138000").unwrap();
        let debug = format!("{phone:?} {phone:#?}");
        assert!(!debug.chars().any(|c| c.is_ascii_digit()), "{debug}");

        let long = "张三丰".repeat(30);
        for bad in ["张三丰\u{7}", "\u{0}张三丰", long.as_str()] {
            let e = Name::new(bad).unwrap_err();
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains('张') && !shown.contains("三丰"), "{shown}");
        }
        for bad in ["13800138000x", "13800138000\u{1b}", "1380013800013800138000"] {
            let e = Phone::new(bad).unwrap_err();
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("13800"), "{shown}");
        }
    }

    #[test]
    fn serde_round_trips() {
        let name = Name::new("张三").unwrap();
        let json = serde_json::to_string(&name).unwrap();
        assert_eq!(json, "\"张三\"");
        assert_eq!(serde_json::from_str::<Name>(&json).unwrap(), name);
        assert_eq!(serde_json::from_str::<Name>("\"  张三 \"").unwrap(), name);
        assert!(serde_json::from_str::<Name>("\"  \"").is_err());
        let err = serde_json::from_str::<Name>("\"张三\\u0007\"").unwrap_err().to_string();
        assert!(!err.contains("张三"), "{err}");

        let phone = Phone::new("+86 138-0013-8000").unwrap();
        let json = serde_json::to_string(&phone).unwrap();
        assert_eq!(json, "\"+86 138-0013-8000\"");
        assert_eq!(serde_json::from_str::<Phone>(&json).unwrap(), phone);
        assert!(serde_json::from_str::<Phone>("\"12\"").is_err());
        let err = serde_json::from_str::<Phone>("\"13800138000x\"").unwrap_err().to_string();
        assert!(!err.contains("13800"), "{err}");
    }

    proptest! {
        #[test]
        fn never_panics_on_unicode(text in "\\PC*") {
            let _ = Name::new(&text);
            let _ = Phone::new(&text);
        }

        #[test]
        fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            let text = String::from_utf8_lossy(&bytes);
            let _ = Name::new(&text);
            let _ = Phone::new(&text);
        }

        #[test]
        fn accepted_values_are_stable(text in "[ 张三李四a-z\u{3000}\\t]{0,80}", phone in "[ 0-9+\\-]{0,24}") {
            if let Ok(name) = Name::new(&text) {
                prop_assert_eq!(Name::new(name.reveal()), Ok(name.clone()));
                let json = serde_json::to_string(&name).unwrap();
                prop_assert_eq!(serde_json::from_str::<Name>(&json).unwrap(), name);
            }
            if let Ok(p) = Phone::new(&phone) {
                prop_assert_eq!(Phone::new(p.reveal()), Ok(p.clone()));
                let json = serde_json::to_string(&p).unwrap();
                prop_assert_eq!(serde_json::from_str::<Phone>(&json).unwrap(), p);
            }
        }

        #[test]
        fn errors_never_quote_the_name(text in "[张三李四王五]{2,70}[\u{0}\u{7}]?") {
            if let Err(e) = Name::new(&text) {
                let shown = format!("{e} {e:?}");
                prop_assert!(!shown.chars().any(|c| "张三李四王五".contains(c)), "{}", shown);
            }
        }
    }
}
