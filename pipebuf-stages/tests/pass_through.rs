//! `PassThrough`: data, push and ends handed on, and the O(1) hand-on of storage.

mod common;

use common::Harness;
use pipebuf::{PBufState, PipeBuf, Stage};
use pipebuf_stages::PassThrough;

/// A pass-through for bytes, with its two buffers.
fn pass_through() -> Harness<PassThrough> {
    Harness::new(PassThrough::new())
}

#[test]
fn forward_into_an_empty_output_hands_over_the_storage() {
    let mut h = pass_through();
    let chunk: Vec<u8> = (0..1 << 20).map(|i: u32| i.to_le_bytes()[0]).collect();
    h.input.wr().append(&chunk);
    let before = h.input.rd().data().as_ptr();

    assert_eq!(h.settle(), Ok(1));

    assert_eq!(h.output.rd().data().as_ptr(), before);
    assert_eq!(h.output.rd().data(), &chunk[..]);
    assert!(h.input.rd().is_empty());
    assert_eq!(h.output.state(), PBufState::Open);
}

#[test]
fn forward_into_a_non_empty_output_appends_a_copy() {
    let mut h = pass_through();
    assert_eq!(h.feed(b"ab"), Ok(1));
    assert_eq!(h.feed(b"cd"), Ok(1));
    assert_eq!(h.output.rd().data(), b"abcd");
    assert!(h.input.rd().is_empty());
}

#[test]
fn empty_open_input_is_no_activity() {
    let mut h = pass_through();
    assert_eq!(h.settle(), Ok(0));
    assert_eq!(h.output.state(), PBufState::Open);
    assert!(h.output.rd().is_empty());
}

#[test]
fn push_follows_the_data() {
    let mut h = pass_through();
    h.input.wr().append(b"x");
    h.input.wr().push();
    assert_eq!(h.settle(), Ok(1));
    assert_eq!(h.output.rd().data(), b"x");
    assert_eq!(h.output.state(), PBufState::Push);
    assert_eq!(h.input.state(), PBufState::Open);
}

#[test]
fn close_follows_the_data() {
    let mut h = pass_through();
    h.input.wr().append(b"last");
    h.input.wr().close();
    assert_eq!(h.settle(), Ok(1));
    assert_eq!(h.output.rd().data(), b"last");
    assert_eq!(h.output.state(), PBufState::Closing);
    assert_eq!(h.input.state(), PBufState::Closed);
}

#[test]
fn close_of_an_empty_input_closes_the_output() {
    let mut h = pass_through();
    h.input.wr().close();
    assert_eq!(h.settle(), Ok(1));
    assert_eq!(h.output.state(), PBufState::Closing);
    assert!(h.output.rd().is_empty());
}

#[test]
fn abort_follows_the_data() {
    let mut h = pass_through();
    h.input.wr().append(b"partial");
    h.input.wr().abort();
    assert_eq!(h.settle(), Ok(1));
    assert_eq!(h.output.rd().data(), b"partial");
    assert_eq!(h.output.state(), PBufState::Aborting);
    assert_eq!(h.input.state(), PBufState::Aborted);
}

#[test]
fn bounded_output_moves_what_fits_and_holds_the_end_back() {
    let mut h = Harness::with_output(PassThrough::new(), PipeBuf::with_fixed_capacity(4));
    h.input.wr().append(b"0123456789");
    h.input.wr().close();

    assert_eq!(h.settle(), Ok(1));
    assert_eq!(h.output.rd().data(), b"0123");
    assert_eq!(h.output.state(), PBufState::Open);
    assert_eq!(h.input.rd().data(), b"456789");

    h.output.rd().consume(4);
    assert_eq!(h.settle(), Ok(1));
    assert_eq!(h.output.rd().data(), b"4567");
    h.output.rd().consume(4);
    assert_eq!(h.settle(), Ok(1));
    assert_eq!(h.output.rd().data(), b"89");
    assert_eq!(h.output.state(), PBufState::Closing);
}

#[test]
fn messages_pass_through_unchanged() {
    let mut h = Harness::new(PassThrough::<Vec<u8>>::new());
    h.input.wr().append(&[b"one".to_vec(), Vec::new(), b"three".to_vec()]);
    h.input.wr().close();
    assert_eq!(h.settle(), Ok(1));
    assert_eq!(h.output.rd().data(), [b"one".to_vec(), Vec::new(), b"three".to_vec()]);
    assert_eq!(h.output.state(), PBufState::Closing);
}

#[test]
fn ports_are_described() {
    let ports = <PassThrough as Stage>::PORTS;
    let names: Vec<_> = ports.iter().map(|port| (port.name, port.element)).collect();
    assert_eq!(names, [("input", "T"), ("output", "T")]);
}
