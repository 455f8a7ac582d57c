//! Cross-crate integration tests live in `tests/`; this library holds what they share.

pub mod stages;

/// Splits `data` at each of `cuts` (sorted offsets), as a transport might deliver it.
///
/// # Examples
///
/// ```
/// let parts = pipebuf_tests::split_at_cuts(b"abcdef", &[2, 5]);
/// assert_eq!(parts, [&b"ab"[..], b"cde", b"f"]);
/// ```
#[must_use]
pub fn split_at_cuts<'a>(data: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut parts = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for &cut in cuts {
        parts.push(&data[start..cut]);
        start = cut;
    }
    parts.push(&data[start..]);
    parts
}

/// The README's Rust examples, run as doctests so that they stay true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
