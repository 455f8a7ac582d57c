//! `LengthFramer` -> `LengthDeframer` through a `#[pipeline]`: frames out as they went in, ends
//! carried across, and a failure aborting the far end.

mod common;

use common::messages as frames;
use pipebuf::{PBufRd, PBufState, PipeBuf, Status, pipeline};
use pipebuf_stages::{FrameError, LengthDeframer, LengthFramer};
use proptest::prelude::*;

/// Runs pipeline `p` and gives its error as text, which can be compared.
macro_rules! run {
    ($p:expr) => {
        $p.process().map_err(|error| error.to_string())
    };
}

/// Feeds `list` into pipeline `p` in groups of the sizes `groups` gives, running it and taking
/// what came out after each group, then closes its input; returns what came out and how its
/// output ended.
macro_rules! feed_in_groups {
    ($p:expr, $list:expr, $groups:expr) => {{
        let mut got: Vec<Vec<u8>> = Vec::new();
        let mut rest: &[Vec<u8>] = $list;
        for &group in $groups {
            let (now, later) = rest.split_at(group.min(rest.len()));
            rest = later;
            $p.frames_in().append(now);
            assert_ne!(run!($p), Ok(Status::Done));
            take(&mut $p.frames_out(), &mut got);
        }
        $p.frames_in().close();
        assert_eq!(run!($p), Ok(Status::Done));
        take(&mut $p.frames_out(), &mut got);
        (got, $p.frames_out().state())
    }};
}

/// Takes the frames that have come out so far.
fn take(out: &mut PBufRd<'_, Vec<u8>>, into: &mut Vec<Vec<u8>>) {
    into.extend_from_slice(out.data());
    out.consume(out.len());
}

/// Frames, bytes on an unbounded wire, frames again.
#[pipeline]
struct RoundTrip {
    framer: LengthFramer,
    deframer: LengthDeframer,
    #[link(-> framer.input)]
    frames_in: PipeBuf<Vec<u8>>,
    #[link(framer.output -> deframer.input)]
    wire: PipeBuf,
    #[link(deframer.output ->)]
    frames_out: PipeBuf<Vec<u8>>,
}

/// The same, with a wire that holds only one largest frame, so that the framer writes frames in
/// pieces that start and end anywhere.
#[pipeline]
struct NarrowRoundTrip {
    framer: LengthFramer,
    deframer: LengthDeframer,
    #[link(-> framer.input)]
    frames_in: PipeBuf<Vec<u8>>,
    #[link(framer.output -> deframer.input, limit = 68)]
    wire: PipeBuf,
    #[link(deframer.output ->)]
    frames_out: PipeBuf<Vec<u8>>,
}

/// The largest frame of `NarrowRoundTrip`: its wire holds this and a header.
const NARROW_MAX: usize = 64;

#[test]
fn frames_come_out_as_they_went_in() {
    let mut p = RoundTrip::new(LengthFramer::new(16), LengthDeframer::new(16));
    p.frames_in().append(&frames(&["one", "", "three"]));
    assert_eq!(run!(p), Ok(Status::Progress));
    assert_eq!(p.frames_out().data(), frames(&["one", "", "three"]));
    assert_eq!(p.frames_out().state(), PBufState::Open);
    assert_eq!(run!(p), Ok(Status::Waiting));
}

#[test]
fn close_reaches_the_far_end() {
    let mut p = RoundTrip::new(LengthFramer::new(16), LengthDeframer::new(16));
    p.frames_in().append(&frames(&["last"]));
    p.frames_in().close();
    assert_eq!(run!(p), Ok(Status::Done));
    assert_eq!(p.frames_out().data(), frames(&["last"]));
    assert_eq!(p.frames_out().state(), PBufState::Closing);
}

#[test]
fn push_reaches_the_far_end() {
    let mut p = RoundTrip::new(LengthFramer::new(16), LengthDeframer::new(16));
    p.frames_in().append(&frames(&["now"]));
    p.frames_in().push();
    assert_eq!(run!(p), Ok(Status::Progress));
    assert_eq!(p.frames_out().data(), frames(&["now"]));
    assert_eq!(p.frames_out().state(), PBufState::Push);
}

#[test]
fn abort_reaches_the_far_end() {
    let mut p = RoundTrip::new(LengthFramer::new(16), LengthDeframer::new(16));
    p.frames_in().append(&frames(&["sent"]));
    p.frames_in().abort();
    p.process().unwrap();
    assert_eq!(p.frames_out().data(), frames(&["sent"]));
    assert_eq!(p.frames_out().state(), PBufState::Aborting);
}

#[test]
fn a_frame_too_long_fails_the_framer_and_aborts_the_far_end() {
    let mut p = RoundTrip::new(LengthFramer::new(4), LengthDeframer::new(4));
    p.frames_in().append(&frames(&["ok", "too long", "never"]));
    let error = p.process().unwrap_err();
    assert!(
        matches!(error, RoundTripError::Framer(FrameError::TooLong { len: 8, max: 4 })),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "stage `framer` failed");
    let source = core::error::Error::source(&error).map(ToString::to_string);
    assert_eq!(source.as_deref(), Some("frame of 8 bytes is longer than the maximum of 4"));
    // What went before is delivered; the abort reaches the end.
    p.process().unwrap();
    assert_eq!(p.frames_out().data(), frames(&["ok"]));
    assert_eq!(p.frames_out().state(), PBufState::Aborting);
}

#[test]
fn a_narrow_wire_carries_frames_in_pieces() {
    let mut p =
        NarrowRoundTrip::new(LengthFramer::new(NARROW_MAX), LengthDeframer::new(NARROW_MAX));
    let list: Vec<Vec<u8>> = (0..20_u8).map(|n| vec![n; usize::from(n) * 3]).collect();
    p.frames_in().append(&list);
    p.frames_in().close();
    assert_eq!(run!(p), Ok(Status::Done));
    assert_eq!(p.frames_out().data(), list);
    assert_eq!(p.frames_out().state(), PBufState::Closing);
}

proptest! {
    #[test]
    fn random_frames_fed_in_random_groups_come_out_whole(
        list in proptest::collection::vec(
            proptest::collection::vec(any::<u8>(), 0..=NARROW_MAX),
            0..12,
        ),
        groups in proptest::collection::vec(1_usize..4, 12),
    ) {
        let mut p = RoundTrip::new(LengthFramer::new(NARROW_MAX), LengthDeframer::new(NARROW_MAX));
        prop_assert_eq!(feed_in_groups!(p, &list, &groups), (list, PBufState::Closing));
    }

    #[test]
    fn random_frames_over_a_narrow_wire_come_out_whole(
        list in proptest::collection::vec(
            proptest::collection::vec(any::<u8>(), 0..=NARROW_MAX),
            0..12,
        ),
        groups in proptest::collection::vec(1_usize..4, 12),
    ) {
        let mut p =
            NarrowRoundTrip::new(LengthFramer::new(NARROW_MAX), LengthDeframer::new(NARROW_MAX));
        prop_assert_eq!(feed_in_groups!(p, &list, &groups), (list, PBufState::Closing));
    }
}
