//! Masking and unmasking WebSocket payloads (RFC 6455, section 5.3).

/// Masks or unmasks `data` with the key `key` (XOR), starting at key position `offset % 4`.
///
/// Masking and unmasking are the same operation. A frame's payload may arrive in pieces: unmask
/// each piece as it comes with `offset` set to the number of payload bytes before it, so that the
/// key continues where the previous piece left it.
///
/// The bulk is processed 64 bytes at a time, as `u64` words combined by XOR with the key
/// repeated in a word, which LLVM turns into vector instructions on every target that has them
/// (SSE2 on the default `x86_64` target, without `target-cpu=native`); the up to 63 bytes left
/// over go one word, then one byte, at a time. There is no `unsafe` and nothing specific to a
/// target.
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
    // The key as it stands at `offset`: rotated as a word, which is a shift, not a call.
    let shift = 8 * u32::try_from(offset % 4).unwrap_or_default();
    let key = if cfg!(target_endian = "little") {
        u32::from_le_bytes(key).rotate_right(shift).to_le_bytes()
    } else {
        u32::from_be_bytes(key).rotate_left(shift).to_be_bytes()
    };
    let [a, b, c, d] = key;
    // Every word starts at a multiple of 8 bytes into `data`, so at key position 0 of the
    // rotated key; native-endian bytes in, native-endian bytes out keeps each byte in its place.
    let word = u64::from_ne_bytes([a, b, c, d, a, b, c, d]);
    let mut blocks = data.chunks_exact_mut(BLOCK);
    for block in &mut blocks {
        xor_words(block, word);
    }
    let rest = blocks.into_remainder();
    let mut words = rest.chunks_exact_mut(WORD);
    for chunk in &mut words {
        xor_word(chunk, word);
    }
    for (byte, k) in words.into_remainder().iter_mut().zip(key.into_iter().cycle()) {
        *byte ^= k;
    }
}

/// Applies `word` by XOR to each word of a block; after inlining, LLVM knows the block's
/// length (a constant) and turns the eight words into a few vector instructions.
fn xor_words(block: &mut [u8], word: u64) {
    for chunk in block.chunks_exact_mut(WORD) {
        xor_word(chunk, word);
    }
}

/// Applies `word` to one 8-byte chunk by XOR.
fn xor_word(chunk: &mut [u8], word: u64) {
    let mut bytes = [0; WORD];
    bytes.copy_from_slice(chunk);
    chunk.copy_from_slice(&(u64::from_ne_bytes(bytes) ^ word).to_ne_bytes());
}

/// The bytes in a word.
const WORD: usize = 8;
/// The bytes the main loop handles per step: enough words for the widest vectors (AVX-512).
const BLOCK: usize = 64;
