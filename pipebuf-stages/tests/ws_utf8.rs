//! `websocket::Utf8Validator`: the verdict and position of `core::str::from_utf8` on the whole
//! message, however it is split; the error from the piece that brings the first impossible byte;
//! and the UTF-8 cases of the Autobahn test suite (section 6).

#![cfg(feature = "websocket")]

use pipebuf_stages::websocket::{Utf8Error, Utf8Validator};
use proptest::prelude::*;

/// What the validator must say about `message`: `core::str::from_utf8`'s verdict, in our terms.
fn expected(message: &[u8]) -> Result<(), Utf8Error> {
    match core::str::from_utf8(message) {
        Ok(_) => Ok(()),
        Err(error) => {
            let position = error.valid_up_to() as u64;
            Err(match error.error_len() {
                Some(len) => Utf8Error::Invalid { position, len },
                None => Utf8Error::Truncated { position },
            })
        }
    }
}

/// The index of the first byte after which `message` cannot be the start of valid UTF-8, if
/// there is one: the first byte of the bad sequence if no character starts with it, or else the
/// byte after the `len` bytes that started a character.
fn first_impossible_byte(message: &[u8]) -> Option<usize> {
    match expected(message) {
        Err(Utf8Error::Invalid { position, len }) => {
            let position = usize::try_from(position).expect("a test message fits in memory");
            let starts_a_character = matches!(message[position], 0x00..=0x7f | 0xc2..=0xf4);
            Some(if starts_a_character { position + len } else { position })
        }
        _ => None,
    }
}

/// Feeds `message` cut at `cuts` (sorted, within its length), then finishes it; checks that each
/// feed before the one that holds the first impossible byte succeeds, that this one fails with
/// the error `from_utf8` gives for the whole message, and that `finish` agrees.
fn check_split(message: &[u8], cuts: &[usize]) {
    let want = expected(message);
    let impossible = first_impossible_byte(message);
    let mut utf8 = Utf8Validator::new();
    let mut start = 0;
    let mut failed = false;
    for &end in cuts.iter().chain([&message.len()]) {
        let result = utf8.feed(&message[start..end]);
        let brings_it = impossible.is_some_and(|at| (start..end).contains(&at));
        if failed || brings_it {
            assert_eq!(result, want, "{message:02x?} cut at {cuts:?}: piece {start}..{end}");
            failed = true;
        } else {
            assert_eq!(result, Ok(()), "{message:02x?} cut at {cuts:?}: piece {start}..{end}");
        }
        start = end;
    }
    assert_eq!(failed, impossible.is_some(), "{message:02x?} cut at {cuts:?}");
    assert_eq!(utf8.finish(), want, "{message:02x?} cut at {cuts:?}: finish");
}

/// Checks `message` whole, and split into 2 and 3 pieces at every place.
fn check_all_splits(message: &[u8]) {
    let len = message.len();
    check_split(message, &[]);
    for i in 0..=len {
        check_split(message, &[i]);
        for j in i..=len {
            check_split(message, &[i, j]);
        }
    }
}

/// The validator's verdict on `message` fed one byte at a time, with the index of the byte whose
/// feed failed (`len` for `finish`).
fn byte_at_a_time(message: &[u8]) -> (Result<(), Utf8Error>, usize) {
    let mut utf8 = Utf8Validator::new();
    for (i, byte) in message.iter().enumerate() {
        if let Err(error) = utf8.feed(&[*byte]) {
            return (Err(error), i);
        }
    }
    (utf8.finish(), message.len())
}

/// A named case, its message, its verdict, and the index of the byte whose feed fails when the
/// message is fed one byte at a time (its length if only `finish` fails, or nothing does).
type Case = (&'static str, &'static [u8], Result<(), Utf8Error>, usize);

#[test]
fn autobahn_cases_fail_at_the_first_impossible_byte() {
    use Utf8Error::{Invalid, Truncated};
    // One case a line, as a table.
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("6.2 valid, greek (ό as U+1F79)", b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", Ok(()), 11),
        ("6.3 fail fast on a code point above U+10FFFF", b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80edited", Err(Invalid { position: 11, len: 1 }), 12),
        // Boundaries, all valid.
        ("6.6 first 1-byte", b"\x00", Ok(()), 1),
        ("6.7 first 2-byte, U+0080", b"\xc2\x80", Ok(()), 2),
        ("6.7 first 3-byte, U+0800", b"\xe0\xa0\x80", Ok(()), 3),
        ("6.7 first 4-byte, U+10000", b"\xf0\x90\x80\x80", Ok(()), 4),
        ("6.8 last 1-byte, U+007F", b"\x7f", Ok(()), 1),
        ("6.8 last 2-byte, U+07FF", b"\xdf\xbf", Ok(()), 2),
        ("6.8 last 3-byte, U+FFFF", b"\xef\xbf\xbf", Ok(()), 3),
        ("6.8 last code point, U+10FFFF", b"\xf4\x8f\xbf\xbf", Ok(()), 4),
        ("6.9 before the surrogates, U+D7FF", b"\xed\x9f\xbf", Ok(()), 3),
        ("6.9 after the surrogates, U+E000", b"\xee\x80\x80", Ok(()), 3),
        ("6.9 U+FFFD", b"\xef\xbf\xbd", Ok(()), 3),
        ("6.22 noncharacter U+FFFE is valid", b"\xef\xbf\xbe", Ok(()), 3),
        ("6.22 noncharacter U+10FFFE is valid", b"\xf4\x8f\xbf\xbe", Ok(()), 4),
        // Above U+10FFFF and 5- and 6-byte forms.
        ("6.8 U+110000", b"\xf4\x90\x80\x80", Err(Invalid { position: 0, len: 1 }), 1),
        ("6.7 5-byte form", b"\xf8\x88\x80\x80\x80", Err(Invalid { position: 0, len: 1 }), 0),
        ("6.7 6-byte form", b"\xfc\x84\x80\x80\x80\x80", Err(Invalid { position: 0, len: 1 }), 0),
        ("6.8 U+1FFFFF", b"\xf7\xbf\xbf\xbf", Err(Invalid { position: 0, len: 1 }), 0),
        ("6.8 F5", b"a\xf5\x80\x80\x80", Err(Invalid { position: 1, len: 1 }), 1),
        ("6.15 FE", b"\xfe", Err(Invalid { position: 0, len: 1 }), 0),
        ("6.15 FF", b"ab\xff", Err(Invalid { position: 2, len: 1 }), 2),
        ("6.15 FE FE FF FF", b"\xfe\xfe\xff\xff", Err(Invalid { position: 0, len: 1 }), 0),
        // Stray continuation bytes.
        ("6.10 first continuation byte", b"\x80", Err(Invalid { position: 0, len: 1 }), 0),
        ("6.10 last continuation byte", b"\xbf", Err(Invalid { position: 0, len: 1 }), 0),
        ("6.10 three continuation bytes", b"\x80\xbf\x80", Err(Invalid { position: 0, len: 1 }), 0),
        ("6.11 after a complete character", b"\xc2\x80\x80", Err(Invalid { position: 2, len: 1 }), 2),
        // Lead bytes followed by a space.
        ("6.12 2-byte lead, space", b"\xc2 ", Err(Invalid { position: 0, len: 1 }), 1),
        ("6.12 3-byte lead, space", b"\xe1 ", Err(Invalid { position: 0, len: 1 }), 1),
        ("6.12 4-byte lead, space", b"\xf1 ", Err(Invalid { position: 0, len: 1 }), 1),
        ("6.12 3-byte start, space", b"\xe1\x80 ", Err(Invalid { position: 0, len: 2 }), 2),
        ("6.12 4-byte start, space", b"\xf1\x80\x80 ", Err(Invalid { position: 0, len: 3 }), 3),
        // Overlong forms.
        ("6.16 overlong / in 2 bytes", b"\xc0\xaf", Err(Invalid { position: 0, len: 1 }), 0),
        ("6.16 overlong / in 3 bytes", b"\xe0\x80\xaf", Err(Invalid { position: 0, len: 1 }), 1),
        ("6.16 overlong / in 4 bytes", b"\xf0\x80\x80\xaf", Err(Invalid { position: 0, len: 1 }), 1),
        ("6.17 largest overlong 2-byte", b"\xc1\xbf", Err(Invalid { position: 0, len: 1 }), 0),
        ("6.17 largest overlong 3-byte", b"\xe0\x9f\xbf", Err(Invalid { position: 0, len: 1 }), 1),
        ("6.17 largest overlong 4-byte", b"\xf0\x8f\xbf\xbf", Err(Invalid { position: 0, len: 1 }), 1),
        ("6.18 overlong NUL", b"\xc0\x80", Err(Invalid { position: 0, len: 1 }), 0),
        ("6.18 overlong NUL in 3 bytes", b"\xe0\x80\x80", Err(Invalid { position: 0, len: 1 }), 1),
        // Surrogates.
        ("6.19 U+D800", b"\xed\xa0\x80", Err(Invalid { position: 0, len: 1 }), 1),
        ("6.19 U+DB7F", b"\xed\xad\xbf", Err(Invalid { position: 0, len: 1 }), 1),
        ("6.19 U+DC00", b"\xed\xb0\x80", Err(Invalid { position: 0, len: 1 }), 1),
        ("6.19 U+DFFF", b"\xed\xbf\xbf", Err(Invalid { position: 0, len: 1 }), 1),
        ("6.20 surrogate pair U+D800 U+DC00", b"ok\xed\xa0\x80\xed\xb0\x80", Err(Invalid { position: 2, len: 1 }), 3),
        // Truncated at the end of the message: only `finish` can tell.
        ("6.14 2-byte, last byte missing", b"\xc2", Err(Truncated { position: 0 }), 1),
        ("6.14 3-byte, last byte missing", b"a\xe2\x82", Err(Truncated { position: 1 }), 3),
        ("6.14 4-byte, last byte missing", b"\xf0\x9f\x98", Err(Truncated { position: 0 }), 3),
        ("6.14 4-byte, two bytes missing", b"ab\xf4\x8f", Err(Truncated { position: 2 }), 4),
        ("6.14 the last 4-byte lead", b"\xf4", Err(Truncated { position: 0 }), 1),
        // Truncated in the middle: an error at the byte that breaks the sequence.
        ("6.13 3-byte, last byte missing, then ASCII", b"\xe2\x82a", Err(Invalid { position: 0, len: 2 }), 2),
        ("6.13 4-byte, last byte missing, then a lead", b"\xf0\x9f\x98\xf0\x9f\x98\x80", Err(Invalid { position: 0, len: 3 }), 3),
    ];
    for &(case, message, verdict, failing_byte) in cases {
        assert_eq!(expected(message), verdict, "{case}: the table disagrees with from_utf8");
        assert_eq!(byte_at_a_time(message), (verdict, failing_byte), "{case}");
        let mut whole = Utf8Validator::new();
        let fed = whole.feed(message);
        assert_eq!(fed.and_then(|()| whole.finish()), verdict, "{case}: whole");
        check_all_splits(message);
    }
}

#[test]
fn every_code_point_boundary_agrees_with_from_utf8() {
    // Every first byte followed by every second byte, then the most common third and fourth
    // bytes, each split everywhere; this covers all the range checks on the second byte.
    for first in 0..=255u8 {
        for second in 0..=255u8 {
            for tail in [&[][..], b"\x80", b"\x80\xbf", b"\xbf\xbf", b"a"] {
                let mut message = vec![first, second];
                message.extend_from_slice(tail);
                let (verdict, _) = byte_at_a_time(&message);
                assert_eq!(verdict, expected(&message), "{message:02x?}");
            }
            check_all_splits(&[first, second, 0x80, 0x80]);
        }
    }
}

#[test]
fn an_error_sticks_until_reset() {
    let mut utf8 = Utf8Validator::new();
    let error = Utf8Error::Invalid { position: 1, len: 1 };
    assert_eq!(utf8.feed(b"a\xffb"), Err(error));
    assert_eq!(utf8.feed(b"valid"), Err(error));
    assert_eq!(utf8.finish(), Err(error));
    assert_eq!(utf8.valid_len(), 0);
    utf8.reset();
    assert_eq!(utf8.feed("é".as_bytes()), Ok(()));
    assert_eq!(utf8.finish(), Ok(()));
    assert_eq!(utf8.valid_len(), 2);
}

#[test]
fn empty_pieces_change_nothing() {
    let mut utf8 = Utf8Validator::new();
    assert_eq!(utf8.feed(b""), Ok(()));
    assert_eq!(utf8.feed(b"\xe2"), Ok(()));
    assert_eq!(utf8.feed(b""), Ok(()));
    assert_eq!(utf8.finish(), Err(Utf8Error::Truncated { position: 0 }));
    assert_eq!(utf8.feed(b"\x82\xac"), Ok(()));
    assert_eq!(utf8.feed(b""), Ok(()));
    assert_eq!(utf8.finish(), Ok(()));
    assert_eq!(utf8.valid_len(), 3);
}

/// Compiles only if `E` is an error that can cross threads and be copied.
fn assert_error<E: core::error::Error + Send + Sync + Copy + 'static>() {}

#[test]
fn errors_say_what_and_where() {
    let invalid = Utf8Error::Invalid { position: 17, len: 2 };
    assert_eq!(invalid.to_string(), "invalid utf-8 sequence of 2 bytes at byte 17");
    assert_eq!(invalid.position(), 17);
    let truncated = Utf8Error::Truncated { position: 3 };
    assert_eq!(
        truncated.to_string(),
        "message ends inside a utf-8 character that starts at byte 3"
    );
    assert_eq!(truncated.position(), 3);
    #[cfg(feature = "std")]
    assert_eq!(std::io::Error::from(truncated).kind(), std::io::ErrorKind::InvalidData);
    assert_error::<Utf8Error>();
}

#[test]
fn positions_count_across_many_pieces() {
    let mut utf8 = Utf8Validator::new();
    for _ in 0..1000 {
        assert_eq!(utf8.feed("aé€😀".as_bytes()), Ok(()));
    }
    assert_eq!(utf8.valid_len(), 10_000);
    assert_eq!(utf8.feed(b"\xf0\x9f"), Ok(()));
    assert_eq!(utf8.feed(b"\x98\x28"), Err(Utf8Error::Invalid { position: 10_000, len: 3 }));
}

/// Bytes that are mostly UTF-8, with now and then a byte that tends to break it: a stray
/// continuation, a lead byte, or one of the bytes with special second-byte ranges.
fn mostly_utf8() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => any::<char>().prop_map(|c| c.to_string().into_bytes()),
        1 => prop::sample::select(vec![
            0x80u8, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0,
            0xf4, 0xf5, 0xff,
        ])
        .prop_map(|b| vec![b]),
        1 => any::<u8>().prop_map(|b| vec![b]),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn valid_strings_pass_however_split(text in ".{0,24}") {
        prop_assert_eq!(expected(text.as_bytes()), Ok(()));
        check_all_splits(text.as_bytes());
    }

    #[test]
    fn mostly_utf8_bytes_agree_with_from_utf8_however_split(message in mostly_utf8()) {
        check_all_splits(&message);
    }

    #[test]
    fn random_bytes_agree_with_from_utf8_however_split(
        message in prop::collection::vec(any::<u8>(), 0..24),
    ) {
        check_all_splits(&message);
    }
}
