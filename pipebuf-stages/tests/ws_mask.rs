//! `websocket::apply_mask`: the same bytes as a byte loop, for any key, offset, length and
//! chunking; masking twice gives the data back.

#![cfg(feature = "websocket")]

use pipebuf_stages::websocket::apply_mask;
use proptest::prelude::*;

/// The definition in RFC 6455, section 5.3: byte `i` of the payload is combined by XOR with key
/// byte `i % 4`; `offset` is the number of payload bytes before `data`.
fn reference(key: [u8; 4], offset: usize, data: &mut [u8]) {
    for (i, byte) in data.iter_mut().enumerate() {
        *byte ^= key[(offset + i) % 4];
    }
}

/// Deterministic bytes that differ at every position.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 131 + 7).to_le_bytes()[0]).collect()
}

#[test]
fn unmasks_the_rfc_example() {
    // RFC 6455, section 5.7: a masked "Hello" from a client.
    let mut frame = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
    let key = [frame[2], frame[3], frame[4], frame[5]];
    apply_mask(key, 0, &mut frame[6..]);
    assert_eq!(&frame[6..], b"Hello");
}

#[test]
fn every_length_and_offset_matches_the_byte_loop() {
    // Every length up to three blocks of 64, so every mix of block, word and byte steps, from
    // every key position; and a few misaligned starts in memory.
    let key = [0x12, 0x34, 0x56, 0x78];
    for start in 0..3 {
        for len in 0..=200 {
            for offset in [0, 1, 2, 3, 4, 5, 1_000_003] {
                let source = pattern(start + len);
                let (mut ours, mut expected) = (source.clone(), source.clone());
                apply_mask(key, offset, &mut ours[start..]);
                reference(key, offset, &mut expected[start..]);
                assert_eq!(ours, expected, "start {start}, len {len}, offset {offset}");
            }
        }
    }
}

#[test]
fn an_empty_payload_is_left_alone() {
    let mut empty: [u8; 0] = [];
    apply_mask([1, 2, 3, 4], 3, &mut empty);
    assert_eq!(empty, []);
}

#[test]
fn a_zero_key_changes_nothing() {
    let mut data = pattern(1000);
    apply_mask([0; 4], 2, &mut data);
    assert_eq!(data, pattern(1000));
}

#[test]
fn a_mebibyte_matches_the_byte_loop() {
    let key = [0xde, 0xad, 0xbe, 0xef];
    let (mut ours, mut expected) = (pattern(1 << 20), pattern(1 << 20));
    apply_mask(key, 7, &mut ours);
    reference(key, 7, &mut expected);
    assert_eq!(ours, expected);
}

/// Cuts `data` at the given points (taken modulo its length, sorted, duplicates kept) and masks
/// each piece with the offset carried on, as a receiver does with a frame that arrives in pieces.
fn mask_in_pieces(key: [u8; 4], offset: usize, data: &mut [u8], cuts: &[usize]) {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (data.len() + 1)).collect();
    cuts.sort_unstable();
    let mut at = 0;
    for cut in cuts.into_iter().chain([data.len()]) {
        apply_mask(key, offset + at, &mut data[at..cut]);
        at = cut;
    }
}

proptest! {
    #[test]
    fn any_chunking_matches_the_byte_loop(
        key in any::<[u8; 4]>(),
        offset in any::<usize>(),
        data in proptest::collection::vec(any::<u8>(), 0..300),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
    ) {
        // Keep `offset + len` from overflowing, as a real offset (bytes seen) cannot.
        let offset = offset / 2;
        let mut ours = data.clone();
        mask_in_pieces(key, offset, &mut ours, &cuts);
        let mut expected = data.clone();
        reference(key, offset, &mut expected);
        prop_assert_eq!(&ours, &expected);
    }

    #[test]
    fn masking_twice_gives_the_data_back(
        key in any::<[u8; 4]>(),
        offset in 0..1_000_000usize,
        data in proptest::collection::vec(any::<u8>(), 0..300),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
    ) {
        let mut masked = data.clone();
        apply_mask(key, offset, &mut masked);
        // Unmasked in other pieces than it was masked in.
        mask_in_pieces(key, offset, &mut masked, &cuts);
        prop_assert_eq!(masked, data);
    }
}
