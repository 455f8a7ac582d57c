//! The example chain (whole lines -> upper case) end to end: chunk-split invariance and the
//! propagation of close and abort.

use pipebuf::PBufState;
use pipebuf_examples::ShoutChain;
use pipebuf_tests::split_at_cuts;

const TEXT: &[u8] = b"first line\nsecond\n\nfourth, after an empty one\nno newline at the end";

/// Feeds `parts` to a new chain, ends the input as told, and returns everything that came out
/// with the output's final state.
fn run_parts(parts: &[&[u8]], abort: bool) -> (Vec<u8>, PBufState) {
    let mut chain = ShoutChain::default();
    let mut out = Vec::new();
    for part in parts {
        chain.input.wr().append(part);
        chain.run();
        // Only whole lines may come out before the end.
        let data = chain.output.rd().data().to_vec();
        assert!(data.is_empty() || data.ends_with(b"\n"), "partial line handed on: {data:?}");
        out.extend_from_slice(&data);
        chain.output.rd().consume(data.len());
    }
    if abort {
        chain.input.wr().abort();
    } else {
        chain.input.wr().close();
    }
    chain.run();
    out.extend_from_slice(chain.output.rd().data());
    (out, chain.output.state())
}

#[test]
fn every_single_split_gives_the_same_output() {
    let (whole, state) = run_parts(&[TEXT], false);
    assert_eq!(whole, TEXT.to_ascii_uppercase());
    assert_eq!(state, PBufState::Closing);
    for cut in 0..=TEXT.len() {
        assert_eq!(
            run_parts(&split_at_cuts(TEXT, &[cut]), false),
            (whole.clone(), state),
            "cut {cut}"
        );
    }
}

#[test]
fn every_pair_of_splits_gives_the_same_output() {
    let (whole, _) = run_parts(&[TEXT], false);
    for first in 0..=TEXT.len() {
        for second in first..=TEXT.len() {
            let parts = split_at_cuts(TEXT, &[first, second]);
            assert_eq!(run_parts(&parts, false).0, whole, "cuts {first}, {second}");
        }
    }
}

#[test]
fn byte_at_a_time_gives_the_same_output() {
    let parts: Vec<&[u8]> = TEXT.chunks(1).collect();
    assert_eq!(run_parts(&parts, false).0, TEXT.to_ascii_uppercase());
}

#[test]
fn an_abort_at_any_point_reaches_the_output_as_an_abort() {
    for cut in 0..=TEXT.len() {
        let (out, state) = run_parts(&[&TEXT[..cut]], true);
        assert_eq!(state, PBufState::Aborting, "abort after {cut} bytes");
        assert_eq!(out, TEXT[..cut].to_ascii_uppercase(), "nothing accepted is lost");
    }
}

#[test]
fn a_close_at_any_point_reaches_the_output_as_a_close() {
    for cut in 0..=TEXT.len() {
        let (out, state) = run_parts(&[&TEXT[..cut]], false);
        assert_eq!(state, PBufState::Closing, "close after {cut} bytes");
        assert_eq!(out, TEXT[..cut].to_ascii_uppercase());
    }
}
