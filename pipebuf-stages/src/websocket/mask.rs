//! Masking and unmasking WebSocket payloads (RFC 6455, section 5.3).

use alloc::vec::Vec;

/// Masks or unmasks `data` with the key `key` (XOR), starting at key position `offset % 4`.
///
/// Masking and unmasking are the same operation. A frame's payload may arrive in pieces: unmask
/// each piece as it comes with `offset` set to the number of payload bytes before it, so that the
/// key continues where the previous piece left it.
///
/// The bulk is processed 64 bytes at a time, as `u64` words combined by XOR with the key
/// repeated in a word, which LLVM turns into vector instructions on every target that has them
/// (SSE2 on the default `x86_64` target, without `target-cpu=native`); the up to 63 bytes left
/// over go in pieces of 32, 16, 8, 4, 2 and 1 bytes, as the bits of their length say, so that a
/// short payload costs a few instructions and no loop. There is no `unsafe` and nothing specific
/// to a target.
///
/// # Examples
///
/// ```
/// use pipebuf_stages::websocket::apply_mask;
///
/// // The masked "Hello" of RFC 6455, section 5.7.
/// let key = [0x37, 0xfa, 0x21, 0x3d];
/// let mut payload = [0x7f, 0x9f, 0x4d, 0x51, 0x58];
/// apply_mask(key, 0, &mut payload);
/// assert_eq!(&payload, b"Hello");
///
/// // The same payload, arriving in two pieces: the offset carries on across them.
/// let mut payload = [0x7f, 0x9f, 0x4d, 0x51, 0x58];
/// let (first, rest) = payload.split_at_mut(3);
/// apply_mask(key, 0, first);
/// apply_mask(key, 3, rest);
/// assert_eq!(&payload, b"Hello");
/// ```
pub fn apply_mask(key: [u8; 4], offset: usize, data: &mut [u8]) {
    let (key, word) = key_at(key, offset);
    let mut blocks = data.chunks_exact_mut(BLOCK);
    for block in &mut blocks {
        xor_words(block, word);
    }
    // What is left, under 64 bytes, goes in pieces of 32, 16, 8, 4, 2 and 1 bytes as its
    // length's bits say: fixed lengths, so no loop and no vector set-up for a short payload.
    let rest = blocks.into_remainder();
    let (bits, mut at) = (rest.len(), 0);
    for size in [32, 16, WORD] {
        if bits & size != 0 {
            xor_words(&mut rest[at..at + size], word);
            at += size;
        }
    }
    for (size, key) in [(4, &key[..]), (2, &key[..2]), (1, &key[(bits & 2)..=(bits & 2)])] {
        if bits & size != 0 {
            for (byte, k) in rest[at..at + size].iter_mut().zip(key) {
                *byte ^= k;
            }
            at += size;
        }
    }
}

/// Copies `from` into `to` masked or unmasked as [`apply_mask`] does, in one pass over the
/// bytes instead of a copy and a pass in place. Only the first `min(to.len(), from.len())` bytes
/// are written; the callers give slices of the same length.
///
/// A copy without `memcpy` also goes around glibc's slow `rep movsb` case on AMD Zen 3 (see
/// `crate::copy`).
pub(crate) fn copy_masked(key: [u8; 4], offset: usize, to: &mut [u8], from: &[u8]) {
    let (key, word) = key_at(key, offset);
    let len = to.len().min(from.len());
    let (to, from) = (&mut to[..len], &from[..len]);
    let mut to_blocks = to.chunks_exact_mut(BLOCK);
    let mut from_blocks = from.chunks_exact(BLOCK);
    for (to, from) in (&mut to_blocks).zip(&mut from_blocks) {
        copy_words(to, from, word);
    }
    // The rest in pieces, as in `apply_mask`.
    let (to, from) = (to_blocks.into_remainder(), from_blocks.remainder());
    let (bits, mut at) = (from.len(), 0);
    for size in [32, 16, WORD] {
        if bits & size != 0 {
            copy_words(&mut to[at..at + size], &from[at..at + size], word);
            at += size;
        }
    }
    for (size, key) in [(4, &key[..]), (2, &key[..2]), (1, &key[(bits & 2)..=(bits & 2)])] {
        if bits & size != 0 {
            for ((to, from), k) in to[at..at + size].iter_mut().zip(&from[at..at + size]).zip(key) {
                *to = from ^ k;
            }
            at += size;
        }
    }
}

/// Appends `from` to `to` masked or unmasked as [`apply_mask`] does, in one pass: each piece
/// of [`STAGE`] bytes is combined into a buffer on the stack, which stays in the L1 cache, and
/// appended from there by one fast `memcpy`. Safe Rust cannot write into a vector's spare
/// capacity, and zeroing the new bytes first would cost a pass of its own (a buffer kept
/// across the pieces measured slower: LLVM then keeps it in memory).
pub(crate) fn extend_masked(to: &mut Vec<u8>, key: [u8; 4], offset: usize, from: &[u8]) {
    to.reserve(from.len());
    let (_, word) = key_at(key, offset);
    let mut pieces = from.chunks_exact(STAGE);
    for piece in &mut pieces {
        let mut buffer = [0; STAGE];
        for (to, from) in buffer.chunks_exact_mut(BLOCK).zip(piece.chunks_exact(BLOCK)) {
            copy_words(to, from, word);
        }
        to.extend_from_slice(&buffer);
    }
    // Whole pieces leave the key where it was: their length is a multiple of 4.
    let rest = pieces.remainder();
    let mut buffer = [0; STAGE];
    let buffer = &mut buffer[..rest.len()];
    copy_masked(key, offset, buffer, rest);
    to.extend_from_slice(buffer);
}

/// Returns the whole of an inline payload's storage masked or unmasked with `key` (if any)
/// from key position 0, the bytes past its length included (they mean nothing): fixed lengths,
/// so a few instructions and no loop.
#[inline]
pub(crate) fn masked_array<const N: usize>(key: Option<[u8; 4]>, mut bytes: [u8; N]) -> [u8; N] {
    if let Some(key) = key {
        mask_array(key, &mut bytes);
    }
    bytes
}

/// Masks `bytes` in place, as [`masked_array`] returns them.
#[inline]
fn mask_array<const N: usize>(key: [u8; 4], bytes: &mut [u8; N]) {
    let (_, word) = key_at(key, 0);
    let mut words = bytes.chunks_exact_mut(WORD);
    for chunk in &mut words {
        xor_word(chunk, word);
    }
    // The last `N % 8` bytes (a constant) as one padded word.
    let tail = words.into_remainder();
    let mut last = [0; WORD];
    last[..tail.len()].copy_from_slice(tail);
    let last = (u64::from_ne_bytes(last) ^ word).to_ne_bytes();
    tail.copy_from_slice(&last[..tail.len()]);
}

/// The key as it stands at `offset`, and that key repeated in a word.
///
/// The key is rotated as a word, which is a shift, not a call. Every word of the payload starts
/// at a multiple of 8 bytes into the piece, so at key position 0 of the rotated key;
/// native-endian bytes in, native-endian bytes out keeps each byte in its place.
#[inline]
fn key_at(key: [u8; 4], offset: usize) -> ([u8; 4], u64) {
    let shift = 8 * u32::try_from(offset % 4).unwrap_or_default();
    let key = u32::from_ne_bytes(key);
    // Rotating a word forward along its bytes in memory: right on little-endian, left on big.
    let key = if cfg!(target_endian = "little") {
        key.rotate_right(shift)
    } else {
        key.rotate_left(shift)
    };
    // The key's four bytes twice in a row, as a word: the same in either byte order.
    (key.to_ne_bytes(), u64::from(key) * 0x1_0000_0001)
}

/// Applies `word` by XOR to each word of a block; after inlining, LLVM knows the block's
/// length (a constant) and turns the words into a few vector instructions.
#[inline]
fn xor_words(block: &mut [u8], word: u64) {
    for chunk in block.chunks_exact_mut(WORD) {
        xor_word(chunk, word);
    }
}

/// Writes a block of `from`, each word combined by XOR with `word`, into `to`, as [`xor_words`]
/// does in place.
#[inline]
fn copy_words(to: &mut [u8], from: &[u8], word: u64) {
    for (to, from) in to.chunks_exact_mut(WORD).zip(from.chunks_exact(WORD)) {
        copy_word(to, from, word);
    }
}

/// Applies `word` to one 8-byte chunk by XOR.
#[inline]
fn xor_word(chunk: &mut [u8], word: u64) {
    let mut bytes = [0; WORD];
    bytes.copy_from_slice(chunk);
    chunk.copy_from_slice(&(u64::from_ne_bytes(bytes) ^ word).to_ne_bytes());
}

/// Writes the 8 bytes of `from`, combined by XOR with `word`, into `to`.
#[inline]
fn copy_word(to: &mut [u8], from: &[u8], word: u64) {
    let mut bytes = [0; WORD];
    bytes.copy_from_slice(from);
    to.copy_from_slice(&(u64::from_ne_bytes(bytes) ^ word).to_ne_bytes());
}

/// The bytes in a word.
const WORD: usize = 8;
/// The bytes the main loop handles per step: enough words for the widest vectors (AVX-512).
const BLOCK: usize = 64;
/// The bytes [`extend_masked`] combines on the stack before it appends them: small enough to
/// stay in the L1 cache, large enough that each append is one fast `memcpy`.
const STAGE: usize = 512;
