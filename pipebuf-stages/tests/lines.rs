//! `LineSplitter`: lines, ends, limits, and the same lines however the input is split.

mod common;

use common::{
    Harness, Outcome, assert_error, assert_split_invariant, messages as lines, run_chunks,
    split_at_indices,
};
use pipebuf::{PBufState, PipeBuf};
use pipebuf_stages::{LineError, LineSplitter};
use proptest::prelude::*;

/// A splitter for lines of at most `max` bytes, with its two buffers.
fn splitter(max: usize) -> Harness<LineSplitter> {
    Harness::new(LineSplitter::new(max))
}

#[test]
fn complete_lines_become_messages_without_line_ends() {
    let mut h = splitter(16);
    assert_eq!(h.feed(b"one\ntwo\r\n\nthree\r\r\n"), Ok(1));
    assert_eq!(h.take(), lines(&["one", "two", "", "three\r"]));
    assert!(h.input.rd().is_empty());
    assert_eq!(h.output.state(), PBufState::Open);
}

#[test]
fn a_partial_line_waits_in_the_input() {
    let mut h = splitter(16);
    assert_eq!(h.feed(b"abc"), Ok(0));
    assert_eq!(h.input.rd().data(), b"abc");
    assert_eq!(h.feed(b"de"), Ok(0));
    assert_eq!(h.feed(b"f\ng"), Ok(1));
    assert_eq!(h.take(), lines(&["abcdef"]));
    assert_eq!(h.input.rd().data(), b"g");
}

#[test]
fn empty_open_input_is_no_activity() {
    let mut h = splitter(16);
    assert_eq!(h.settle(), Ok(0));
    assert_eq!(h.output.state(), PBufState::Open);
}

#[test]
fn close_of_an_empty_input_closes_the_output() {
    let mut h = splitter(16);
    h.input.wr().close();
    assert_eq!(h.settle(), Ok(1));
    assert_eq!(h.take(), lines(&[]));
    assert_eq!(h.output.state(), PBufState::Closing);
    assert_eq!(h.input.state(), PBufState::Closed);
}

#[test]
fn close_emits_the_last_line_without_a_line_end() {
    let mut h = splitter(16);
    h.input.wr().append(b"a\nb\r");
    h.input.wr().close();
    assert_eq!(h.settle(), Ok(1));
    // The `\r` is not half of a line end here, so it stays.
    assert_eq!(h.take(), lines(&["a", "b\r"]));
    assert_eq!(h.output.state(), PBufState::Closing);
    assert!(h.input.rd().is_empty());
}

#[test]
fn close_after_a_line_end_adds_no_empty_line() {
    let mut h = splitter(16);
    h.input.wr().append(b"a\n\n");
    h.input.wr().close();
    assert_eq!(h.settle(), Ok(1));
    assert_eq!(h.take(), lines(&["a", ""]));
    assert_eq!(h.output.state(), PBufState::Closing);
}

#[test]
fn push_is_passed_on_after_the_complete_lines() {
    let mut h = splitter(16);
    h.input.wr().append(b"a\nb");
    h.input.wr().push();
    assert_eq!(h.settle(), Ok(1));
    assert_eq!(h.take(), lines(&["a"]));
    assert_eq!(h.output.state(), PBufState::Push);
    assert_eq!(h.input.state(), PBufState::Open);
    assert_eq!(h.input.rd().data(), b"b");
}

#[test]
fn abort_aborts_the_output_and_drops_the_partial_line() {
    let mut h = splitter(16);
    h.input.wr().append(b"a\npart");
    h.input.wr().abort();
    assert_eq!(h.settle(), Ok(1));
    assert_eq!(h.take(), lines(&["a"]));
    assert_eq!(h.output.state(), PBufState::Aborting);
    assert_eq!(h.input.state(), PBufState::Aborted);
    assert!(h.input.is_done());
}

#[test]
fn too_long_a_line_is_an_error_before_its_end_arrives() {
    let mut h = splitter(4);
    assert_eq!(h.feed(b"ok\n1234"), Ok(1));
    assert_eq!(h.feed(b"5"), Err(LineError::TooLong { max: 4 }));
    // The line before it was emitted; the long one is still in the input, and stays an error.
    assert_eq!(h.take(), lines(&["ok"]));
    assert_eq!(h.input.rd().data(), b"12345");
    assert_eq!(h.step(), Err(LineError::TooLong { max: 4 }));
}

#[test]
fn a_complete_line_too_long_is_an_error_after_the_lines_before_it() {
    let mut h = splitter(2);
    assert_eq!(h.feed(b"ab\ncd\nefg\nhi\n"), Err(LineError::TooLong { max: 2 }));
    assert_eq!(h.take(), lines(&["ab", "cd"]));
    assert_eq!(h.input.rd().data(), b"efg\nhi\n");
}

#[test]
fn a_line_of_max_bytes_may_end_with_crlf() {
    let mut h = splitter(4);
    // Five bytes, but the last may be the start of `\r\n`: not an error yet.
    assert_eq!(h.feed(b"1234\r"), Ok(0));
    assert_eq!(h.feed(b"\n"), Ok(1));
    assert_eq!(h.take(), lines(&["1234"]));
    // ... and an error once the `\r` turns out not to be.
    assert_eq!(h.feed(b"1234\r"), Ok(0));
    assert_eq!(h.feed(b"x"), Err(LineError::TooLong { max: 4 }));
}

#[test]
fn a_last_line_too_long_is_an_error_at_close() {
    let mut h = splitter(3);
    assert_eq!(h.feed(b"abc\r"), Ok(0));
    h.input.wr().close();
    assert_eq!(h.settle(), Err(LineError::TooLong { max: 3 }));
    assert_eq!(h.take(), lines(&[]));
}

#[test]
fn a_peer_cannot_make_the_input_grow_beyond_max_plus_one() {
    let mut h = splitter(8);
    let mut fed = 0;
    let error = loop {
        match h.feed(b"x") {
            Ok(_) => fed += 1,
            Err(error) => break error,
        }
    };
    assert_eq!(error, LineError::TooLong { max: 8 });
    assert_eq!(fed, 8);
    assert_eq!(h.input.rd().len(), 9);
}

#[test]
fn a_full_output_holds_lines_push_and_end_back() {
    let mut h = Harness::with_output(LineSplitter::new(16), PipeBuf::with_fixed_capacity(1));
    h.input.wr().append(b"a\nb\nc");
    h.input.wr().close();
    assert_eq!(h.settle(), Ok(1));
    assert_eq!(h.take(), lines(&["a"]));
    assert_eq!(h.output.state(), PBufState::Open);
    assert_eq!(h.settle(), Ok(1));
    assert_eq!(h.take(), lines(&["b"]));
    assert_eq!(h.output.state(), PBufState::Open);
    assert_eq!(h.settle(), Ok(1));
    assert_eq!(h.take(), lines(&["c"]));
    assert_eq!(h.output.state(), PBufState::Closing);
}

#[test]
fn errors_read_well() {
    assert_error::<LineError>();
    let error = LineError::TooLong { max: 80 };
    assert_eq!(error.to_string(), "line longer than the maximum of 80 bytes");
}

#[cfg(feature = "std")]
#[test]
fn errors_become_io_errors() {
    let error = std::io::Error::from(LineError::TooLong { max: 1 });
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
    assert_eq!(error.to_string(), "line longer than the maximum of 1 bytes");
}

#[test]
fn every_split_of_the_input_gives_the_same_lines() {
    let expected = (lines(&["one", "two", "", "th\rree", "four"]), Ok(PBufState::Closing));
    assert_split_invariant(|| splitter(8), b"one\r\ntwo\n\nth\rree\r\nfour", &expected);
}

#[test]
fn every_split_of_the_input_gives_the_same_error() {
    let expected = (lines(&["ab", "cd"]), Err(LineError::TooLong { max: 4 }));
    assert_split_invariant(|| splitter(4), b"ab\ncd\r\nefgh\rij\nk\n", &expected);
}

/// The lines that the splitter should produce, by a simple reading of its rules.
fn model(max: usize, input: &[u8]) -> Outcome<LineSplitter> {
    let mut pieces: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    // After the last `\n` comes the unterminated last line, if it is not empty.
    let last = pieces.pop().filter(|last| !last.is_empty());
    let mut got = Vec::new();
    for line in pieces.into_iter().map(|line| line.strip_suffix(b"\r").unwrap_or(line)).chain(last)
    {
        if line.len() > max {
            return (got, Err(LineError::TooLong { max }));
        }
        got.push(line.to_vec());
    }
    (got, Ok(PBufState::Closing))
}

proptest! {
    #[test]
    fn random_text_in_random_chunks_gives_the_modelled_lines(
        input in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'\r'), Just(b'\n')], 0..64),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
        max in 0_usize..6,
    ) {
        let chunks = split_at_indices(&input, &cuts);
        prop_assert_eq!(run_chunks(splitter(max), &chunks), model(max, &input));
    }
}
