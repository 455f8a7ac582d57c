//! `LengthFramer` and `LengthDeframer` on their own: frames, ends, limits, bad input, and the
//! same frames however the bytes are split.

mod common;

use common::{
    Harness, assert_error, assert_split_invariant, messages as frames, run_chunks, split_at_indices,
};
use pipebuf::{PBufState, PipeBuf};
use pipebuf_stages::{FrameError, LengthDeframer, LengthFramer};
use proptest::prelude::*;

/// A framer for frames of at most `max` bytes, with its two buffers.
fn framer(max: usize) -> Harness<LengthFramer> {
    Harness::new(LengthFramer::new(max))
}

/// A deframer for frames of at most `max` bytes, with its two buffers.
fn deframer(max: usize) -> Harness<LengthDeframer> {
    Harness::new(LengthDeframer::new(max))
}

/// The wire form of `list`, built by hand.
fn wire<F: AsRef<[u8]>>(list: &[F]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for frame in list {
        let frame = frame.as_ref();
        bytes.extend_from_slice(&u32::try_from(frame.len()).unwrap().to_be_bytes());
        bytes.extend_from_slice(frame);
    }
    bytes
}

// The framer.

#[test]
fn framer_writes_a_header_and_the_bytes_of_each_frame() {
    let mut f = framer(16);
    f.input.wr().append(&frames(&["hi", "", "abc"]));
    assert_eq!(f.settle(), Ok(1));
    assert_eq!(f.take(), b"\0\0\0\x02hi\0\0\0\0\0\0\0\x03abc");
    assert!(f.input.rd().is_empty());
    assert_eq!(f.output.state(), PBufState::Open);
}

#[test]
fn framer_rests_on_empty_open_input() {
    let mut f = framer(16);
    assert_eq!(f.settle(), Ok(0));
    assert_eq!(f.output.state(), PBufState::Open);
}

#[test]
fn framer_closes_after_the_frames() {
    let mut f = framer(16);
    f.input.wr().append(&frames(&["x"]));
    f.input.wr().close();
    assert_eq!(f.settle(), Ok(1));
    assert_eq!(f.take(), wire(&["x"]));
    assert_eq!(f.output.state(), PBufState::Closing);
    assert_eq!(f.input.state(), PBufState::Closed);
}

#[test]
fn framer_closes_an_empty_stream() {
    let mut f = framer(16);
    f.input.wr().close();
    assert_eq!(f.settle(), Ok(1));
    assert_eq!(f.take(), b"");
    assert_eq!(f.output.state(), PBufState::Closing);
}

#[test]
fn framer_aborts_after_the_frames() {
    let mut f = framer(16);
    f.input.wr().append(&frames(&["x", "yz"]));
    f.input.wr().abort();
    assert_eq!(f.settle(), Ok(1));
    assert_eq!(f.take(), wire(&["x", "yz"]));
    assert_eq!(f.output.state(), PBufState::Aborting);
    assert_eq!(f.input.state(), PBufState::Aborted);
}

#[test]
fn framer_passes_push_on_after_the_frames() {
    let mut f = framer(16);
    f.input.wr().append(&frames(&["x"]));
    f.input.wr().push();
    assert_eq!(f.settle(), Ok(1));
    assert_eq!(f.take(), wire(&["x"]));
    assert_eq!(f.output.state(), PBufState::Push);
    assert_eq!(f.input.state(), PBufState::Open);
}

#[test]
fn framer_refuses_a_frame_over_max_after_writing_those_before() {
    let mut f = framer(3);
    f.input.wr().append(&frames(&["abc", "abcd", "x"]));
    assert_eq!(f.settle(), Err(FrameError::TooLong { len: 4, max: 3 }));
    assert_eq!(f.take(), wire(&["abc"]));
    assert_eq!(f.input.rd().data(), frames(&["abcd", "x"]));
}

#[test]
fn framer_writes_in_pieces_into_a_small_bounded_output() {
    let mut f = Harness::with_output(LengthFramer::new(16), PipeBuf::with_fixed_capacity(3));
    f.input.wr().append(&frames(&["hello", ""]));
    f.input.wr().close();
    let mut got = Vec::new();
    let mut pieces = Vec::new();
    for _ in 0..100 {
        assert!(f.settle().unwrap() <= 1);
        let piece = f.take();
        if f.output.state() == PBufState::Closing {
            got.extend(piece);
            break;
        }
        assert!(piece.len() == 3 || piece.is_empty(), "{piece:?}");
        pieces.push(piece.len());
        got.extend(piece);
    }
    assert_eq!(got, wire(&["hello", ""]));
    assert_eq!(pieces, [3, 3, 3, 3]);
    assert_eq!(f.output.state(), PBufState::Closing);
}

#[cfg(target_pointer_width = "64")]
#[test]
fn a_max_beyond_what_a_header_can_carry_is_lowered() {
    assert_eq!(LengthFramer::new(usize::MAX).max(), 0xffff_ffff);
    assert_eq!(LengthDeframer::new(1 << 40).max(), 0xffff_ffff);
    assert_eq!(LengthDeframer::new(0xffff_ffff).max(), 0xffff_ffff);
}

// The deframer.

#[test]
fn deframer_emits_one_message_per_frame() {
    let mut d = deframer(16);
    assert_eq!(d.feed(&wire(&["hi", "", "abc"])), Ok(1));
    assert_eq!(d.take(), frames(&["hi", "", "abc"]));
    assert!(d.input.rd().is_empty());
    assert_eq!(d.output.state(), PBufState::Open);
}

#[test]
fn deframer_leaves_a_partial_frame_in_the_input() {
    let mut d = deframer(16);
    assert_eq!(d.feed(b"\0\0"), Ok(0));
    assert_eq!(d.feed(b"\0\x03a"), Ok(0));
    assert_eq!(d.input.rd().data(), b"\0\0\0\x03a");
    assert_eq!(d.feed(b"bc\0"), Ok(1));
    assert_eq!(d.take(), frames(&["abc"]));
    assert_eq!(d.input.rd().data(), b"\0");
}

#[test]
fn deframer_rests_on_empty_open_input() {
    let mut d = deframer(16);
    assert_eq!(d.settle(), Ok(0));
    assert_eq!(d.output.state(), PBufState::Open);
}

#[test]
fn deframer_closes_between_frames() {
    let mut d = deframer(16);
    d.input.wr().append(&wire(&["x"]));
    d.input.wr().close();
    assert_eq!(d.settle(), Ok(1));
    assert_eq!(d.take(), frames(&["x"]));
    assert_eq!(d.output.state(), PBufState::Closing);
    assert_eq!(d.input.state(), PBufState::Closed);
}

#[test]
fn deframer_closes_an_empty_stream() {
    let mut d = deframer(16);
    d.input.wr().close();
    assert_eq!(d.settle(), Ok(1));
    assert_eq!(d.take(), frames(&[]));
    assert_eq!(d.output.state(), PBufState::Closing);
}

#[test]
fn deframer_passes_push_on_after_the_frames() {
    let mut d = deframer(16);
    d.input.wr().append(&wire(&["x"]));
    d.input.wr().append(b"\0\0");
    d.input.wr().push();
    assert_eq!(d.settle(), Ok(1));
    assert_eq!(d.take(), frames(&["x"]));
    assert_eq!(d.output.state(), PBufState::Push);
    assert_eq!(d.input.state(), PBufState::Open);
}

#[test]
fn deframer_abort_drops_the_partial_frame() {
    let mut d = deframer(16);
    d.input.wr().append(&wire(&["x"]));
    d.input.wr().append(b"\0\0\0\x09part");
    d.input.wr().abort();
    assert_eq!(d.settle(), Ok(1));
    assert_eq!(d.take(), frames(&["x"]));
    assert_eq!(d.output.state(), PBufState::Aborting);
    assert!(d.input.is_done());
}

#[test]
fn an_oversize_header_is_refused_before_its_body_arrives() {
    let mut d = deframer(100);
    let mut bytes = wire(&["ok"]);
    bytes.extend_from_slice(&1000_u32.to_be_bytes());
    assert_eq!(d.feed(&bytes), Err(FrameError::TooLong { len: 1000, max: 100 }));
    assert_eq!(d.take(), frames(&["ok"]));
    assert_eq!(d.input.rd().data(), 1000_u32.to_be_bytes());
}

#[test]
fn a_header_of_exactly_max_is_accepted() {
    let mut d = deframer(3);
    assert_eq!(d.feed(&wire(&["abc"])), Ok(1));
    assert_eq!(d.take(), frames(&["abc"]));
}

#[test]
fn close_inside_a_header_is_a_truncated_frame() {
    let mut d = deframer(16);
    d.input.wr().append(&wire(&["a"]));
    d.input.wr().append(b"\0\0");
    d.input.wr().close();
    assert_eq!(d.settle(), Err(FrameError::Truncated { len: None, received: 2 }));
    assert_eq!(d.take(), frames(&["a"]));
    assert_eq!(d.input.rd().data(), b"\0\0");
}

#[test]
fn close_inside_a_body_is_a_truncated_frame() {
    let mut d = deframer(16);
    d.input.wr().append(&wire(&["a"]));
    d.input.wr().append(b"\0\0\0\x05abc");
    d.input.wr().close();
    assert_eq!(d.settle(), Err(FrameError::Truncated { len: Some(5), received: 7 }));
    assert_eq!(d.take(), frames(&["a"]));
    // The error stays: nothing is consumed, and the end is not taken.
    assert_eq!(d.step(), Err(FrameError::Truncated { len: Some(5), received: 7 }));
    assert_eq!(d.input.state(), PBufState::Closing);
}

#[test]
fn a_full_output_holds_frames_and_end_back() {
    let mut d = deframer(16);
    d.output = PipeBuf::with_fixed_capacity(1);
    d.input.wr().append(&wire(&["a", "b"]));
    d.input.wr().close();
    assert_eq!(d.settle(), Ok(1));
    assert_eq!(d.take(), frames(&["a"]));
    assert_eq!(d.output.state(), PBufState::Open);
    assert_eq!(d.settle(), Ok(1));
    assert_eq!(d.take(), frames(&["b"]));
    assert_eq!(d.output.state(), PBufState::Closing);
}

#[test]
fn errors_read_well() {
    assert_error::<FrameError>();
    let cases = [
        (
            FrameError::TooLong { len: 5, max: 4 },
            "frame of 5 bytes is longer than the maximum of 4",
        ),
        (
            FrameError::Truncated { len: None, received: 1 },
            "input closed after 1 of the 4 bytes of a frame header",
        ),
        (
            FrameError::Truncated { len: Some(10), received: 6 },
            "input closed after 6 of the 14 bytes of a frame",
        ),
    ];
    for (error, text) in cases {
        assert_eq!(error.to_string(), text);
    }
}

#[cfg(feature = "std")]
#[test]
fn errors_become_io_errors() {
    use std::io::{Error, ErrorKind};

    let too_long = Error::from(FrameError::TooLong { len: 5, max: 4 });
    assert_eq!(too_long.kind(), ErrorKind::InvalidData);
    let truncated = Error::from(FrameError::Truncated { len: None, received: 0 });
    assert_eq!(truncated.kind(), ErrorKind::UnexpectedEof);
    assert_eq!(
        truncated.into_inner().unwrap().downcast::<FrameError>().unwrap(),
        Box::new(FrameError::Truncated { len: None, received: 0 }),
    );
}

// Splitting the byte stream.

#[test]
fn every_split_of_the_bytes_gives_the_same_frames() {
    let expected = (frames(&["a", "", "bcd", "ef"]), Ok(PBufState::Closing));
    assert_split_invariant(|| deframer(4), &wire(&["a", "", "bcd", "ef"]), &expected);
}

#[test]
fn every_split_of_the_bytes_gives_the_same_oversize_error() {
    let mut bytes = wire(&["a", "bc"]);
    bytes.extend_from_slice(&wire(&["toolong"]));
    let expected = (frames(&["a", "bc"]), Err(FrameError::TooLong { len: 7, max: 4 }));
    assert_split_invariant(|| deframer(4), &bytes, &expected);
}

#[test]
fn every_split_of_the_bytes_gives_the_same_truncation() {
    let mut bytes = wire(&["a", "bc"]);
    bytes.extend_from_slice(b"\0\0\0\x04xy");
    let expected = (frames(&["a", "bc"]), Err(FrameError::Truncated { len: Some(4), received: 6 }));
    assert_split_invariant(|| deframer(4), &bytes, &expected);
}

proptest! {
    #[test]
    fn random_frames_in_random_chunks_come_out_whole(
        list in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..10),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let bytes = wire(&list);
        let chunks = split_at_indices(&bytes, &cuts);
        prop_assert_eq!(run_chunks(deframer(40), &chunks), (list, Ok(PBufState::Closing)));
    }

    #[test]
    fn garbage_never_panics_and_never_holds_more_than_a_frame(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..16), 0..16),
        max in 0_usize..32,
    ) {
        let mut d = deframer(max);
        for chunk in &chunks {
            if d.feed(chunk).is_err() {
                break;
            }
            d.take();
            prop_assert!(d.input.rd().len() < max + 4);
        }
    }
}
