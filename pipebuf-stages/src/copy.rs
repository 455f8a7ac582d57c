//! Copies that stay fast whatever the addresses: glibc's `memcpy` has a slow case on AMD Zen 3,
//! which the stages that copy large payloads (TLS plaintext, WebSocket messages) go around.

use alloc::vec::Vec;

/// Copies `from` into `to`, of the same length, at full speed whatever their addresses.
///
/// glibc (2.33 and later) copies from about 2 KiB up with `rep movsb`, which AMD Zen 3 runs about
/// 20 times slower when the destination lies a few bytes past the source modulo 4 KiB (measured
/// in `pipebuf/BENCHMARKS.md`). Only then, the copy goes in pieces under glibc's threshold, which
/// take its vector loop. The addresses only choose the way of copying, never what is copied.
#[inline]
pub(crate) fn copy_unaliased(to: &mut [u8], from: &[u8]) {
    let distance = to.as_ptr().addr().wrapping_sub(from.as_ptr().addr()) % ALIAS_PAGE;
    if from.len() > ALIAS_PIECE && (1..ALIAS_NEAR).contains(&distance) {
        for (to, from) in to.chunks_mut(ALIAS_PIECE).zip(from.chunks(ALIAS_PIECE)) {
            to.copy_from_slice(from);
        }
    } else {
        to.copy_from_slice(from);
    }
}

/// The aliasing period of the addresses (the page size).
const ALIAS_PAGE: usize = 4096;
/// Destinations less than this many bytes past the source (modulo [`ALIAS_PAGE`]) copy slowly
/// with `rep movsb` on AMD Zen 3; glibc's own check for a short distance uses the same bound.
const ALIAS_NEAR: usize = 64;
/// The size of the pieces of an aliased copy: under glibc's `rep movsb` threshold (2 KiB and
/// a little more on this CPU), so each piece takes the vector loop.
const ALIAS_PIECE: usize = 2048;

/// Appends `from` to `to` as [`copy_unaliased`] copies.
pub(crate) fn extend_unaliased(to: &mut Vec<u8>, from: &[u8]) {
    to.reserve(from.len());
    let distance = to.as_ptr().addr().wrapping_add(to.len()).wrapping_sub(from.as_ptr().addr());
    if (1..ALIAS_NEAR).contains(&(distance % ALIAS_PAGE)) && from.len() > ALIAS_PIECE {
        for piece in from.chunks(ALIAS_PIECE) {
            to.extend_from_slice(piece);
        }
    } else {
        to.extend_from_slice(from);
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use super::{ALIAS_PAGE, copy_unaliased, extend_unaliased};

    #[test]
    fn copy_unaliased_copies_at_every_distance() {
        let len = 5 * 2048 + 7;
        let source: Vec<u8> = (0..len).map(|i| u8::try_from(i % 251).expect("a byte")).collect();
        let mut storage = vec![0u8; 2 * ALIAS_PAGE + 2 * len];
        for distance in [0, 1, 8, 16, 24, 63, 64, 100, ALIAS_PAGE - 8] {
            let (from, to) = storage.split_at_mut(len);
            from.copy_from_slice(&source);
            let at = ALIAS_PAGE + distance - len % ALIAS_PAGE;
            let to = &mut to[at..at + len];
            to.fill(0);
            copy_unaliased(to, from);
            assert_eq!(to, &source[..], "distance {distance}");
        }
    }

    #[test]
    fn extend_unaliased_appends_at_every_distance() {
        let len = 5 * 2048 + 7;
        let source: Vec<u8> = (0..len).map(|i| u8::try_from(i % 251).expect("a byte")).collect();
        for prefix in [0, 1, 8, 63, 64, 100] {
            let mut to = vec![9u8; prefix];
            extend_unaliased(&mut to, &source);
            assert_eq!(&to[..prefix], &vec![9u8; prefix][..]);
            assert_eq!(&to[prefix..], &source[..], "prefix {prefix}");
        }
    }
}
