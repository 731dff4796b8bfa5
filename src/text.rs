//! Checks of the short texts that policies and schemes carry: a name and a source citation.

/// `Some(its length in characters)` when `name` is not a name of 1 to `max` characters, not all
/// blank, without control characters.
pub(crate) fn bad_name(name: &str, max: usize) -> Option<usize> {
    let chars = name.chars().count();
    (name.trim().is_empty() || chars > max || name.chars().any(char::is_control)).then_some(chars)
}

/// `Some(its length in characters)` when `source` is longer than `max` characters or holds
/// control characters (a source may be empty).
pub(crate) fn bad_source(source: &str, max: usize) -> Option<usize> {
    let chars = source.chars().count();
    (chars > max || source.chars().any(char::is_control)).then_some(chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_sources() {
        assert_eq!(bad_name("六包一", 3), None);
        assert_eq!(bad_name("六包一", 2), Some(3));
        assert_eq!(bad_name("  ", 10), Some(2));
        assert_eq!(bad_name("a\nb", 10), Some(3));
        assert_eq!(bad_source("", 10), None);
        assert_eq!(bad_source("seed 003", 3), Some(8));
        assert_eq!(bad_source("a\tb", 10), Some(3));
    }
}
