//! Checks of the short texts the crate keeps: names (of policies, schemes, campaigns, routes), source
//! citations, and the free texts of a traced list's rows.

/// `Some(its length in characters)` when `name` is not a name of 1 to `max` characters, not all
/// blank, without control characters.
pub(crate) fn bad_name(name: &str, max: usize) -> Option<usize> {
    if name.trim().is_empty() { Some(name.chars().count()) } else { bad_source(name, max) }
}

/// `Some(its length in characters)` when `source` is longer than `max` characters or holds
/// control characters (a source may be empty).
pub(crate) fn bad_source(source: &str, max: usize) -> Option<usize> {
    // A text of at most `max` bytes has at most `max` characters: count them only beyond (the
    // rows of a traced list carry several texts each).
    let long = source.len() > max && source.chars().count() > max;
    (long || source.chars().any(char::is_control)).then(|| source.chars().count())
}

/// `n` with a comma between thousands: 12345 as "12,345" (the demo's and the simulation's
/// printed figures).
#[cfg(any(feature = "demo", feature = "sim"))]
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
