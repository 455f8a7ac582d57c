//! A `#[pipeline]` of the ready stages, text -> lines -> frames on a wire -> frames back -> lines,
//! fed the same bytes split at every possible point (and at every pair of points): the messages
//! that come out, and how the stream ends, never depend on the split.

use pipebuf::{PBufState, PipeBuf, pipeline};
use pipebuf_stages::{LengthDeframer, LengthFramer, LineSplitter};
use pipebuf_tests::split_at_cuts;

const TEXT: &[u8] = b"one\r\ntwo\n\nfour, after an empty line\nand the last, unterminated";

#[pipeline]
struct Relay {
    lines: LineSplitter,
    framer: LengthFramer,
    deframer: LengthDeframer,
    #[link(-> lines.input)]
    text: PipeBuf,
    #[link(lines.output -> framer.input)]
    sent: PipeBuf<Vec<u8>>,
    // A narrow wire, so that frames cross it in pieces; it must hold the largest frame whole (64
    // bytes and the header), since the deframer waits for whole frames in its input.
    #[link(framer.output -> deframer.input, limit = 68)]
    wire: PipeBuf,
    #[link(deframer.output ->)]
    received: PipeBuf<Vec<u8>>,
}

/// Feeds `parts`, then closes or aborts the input; returns the lines that came out and how the
/// output ended.
fn run_parts(parts: &[&[u8]], abort: bool) -> (Vec<Vec<u8>>, PBufState) {
    let mut relay =
        Relay::new(LineSplitter::new(64), LengthFramer::new(64), LengthDeframer::new(64));
    let mut lines = Vec::new();
    let mut take = |relay: &mut Relay| {
        let mut received = relay.received();
        lines.extend(received.data().iter().cloned());
        let len = received.len();
        received.consume(len);
    };
    for part in parts {
        relay.text().append(part);
        relay.process().expect("valid text");
        take(&mut relay);
    }
    if abort {
        relay.text().abort();
    } else {
        relay.text().close();
    }
    relay.process().expect("valid text");
    take(&mut relay);
    (lines, relay.received().state())
}

fn expected_lines() -> Vec<Vec<u8>> {
    ["one", "two", "", "four, after an empty line", "and the last, unterminated"]
        .iter()
        .map(|line| line.as_bytes().to_vec())
        .collect()
}

#[test]
fn the_whole_text_at_once() {
    assert_eq!(run_parts(&[TEXT], false), (expected_lines(), PBufState::Closing));
}

#[test]
fn every_single_and_double_split_gives_the_same_lines_and_close() {
    let whole = (expected_lines(), PBufState::Closing);
    for first in 0..=TEXT.len() {
        for second in first..=TEXT.len() {
            let parts = split_at_cuts(TEXT, &[first, second]);
            assert_eq!(run_parts(&parts, false), whole, "cuts at {first} and {second}");
        }
    }
}

#[test]
fn every_split_then_abort_gives_the_complete_lines_and_an_abort() {
    // The unterminated last line is dropped at an abort: only complete lines are messages.
    let mut complete = expected_lines();
    complete.pop();
    for cut in 0..=TEXT.len() {
        let parts = split_at_cuts(TEXT, &[cut]);
        assert_eq!(
            run_parts(&parts, true),
            (complete.clone(), PBufState::Aborting),
            "cut at {cut}"
        );
    }
}
