//! `PassThrough`: data, push and ends handed on, and the O(1) hand-on of storage.

use pipebuf::{PBufState, PipeBuf, Stage};
use pipebuf_stages::{PassThrough, PassThroughPorts};

/// Runs the stage until it reports no activity, and returns how many calls reported some.
fn settle<T: Default + Clone>(
    stage: &mut PassThrough<T>,
    input: &mut PipeBuf<T>,
    output: &mut PipeBuf<T>,
) -> usize {
    for active in 0..1000 {
        let ports = PassThroughPorts { input: input.rd(), output: output.wr() };
        match stage.process(ports) {
            Ok(true) => {}
            Ok(false) => return active,
            Err(never) => match never {},
        }
    }
    panic!("the stage never comes to rest");
}

#[test]
fn forward_into_an_empty_output_hands_over_the_storage() {
    let (mut input, mut output) = (PipeBuf::new(), PipeBuf::new());
    let chunk: Vec<u8> = (0..1 << 20).map(|i: u32| i.to_le_bytes()[0]).collect();
    input.wr().append(&chunk);
    let before = input.rd().data().as_ptr();

    assert_eq!(settle(&mut PassThrough::new(), &mut input, &mut output), 1);

    assert_eq!(output.rd().data().as_ptr(), before);
    assert_eq!(output.rd().data(), &chunk[..]);
    assert!(input.rd().is_empty());
    assert_eq!(output.state(), PBufState::Open);
}

#[test]
fn forward_into_a_non_empty_output_appends_a_copy() {
    let (mut input, mut output) = (PipeBuf::new(), PipeBuf::new());
    let mut stage = PassThrough::new();
    input.wr().append(b"ab");
    settle(&mut stage, &mut input, &mut output);
    input.wr().append(b"cd");
    assert_eq!(settle(&mut stage, &mut input, &mut output), 1);
    assert_eq!(output.rd().data(), b"abcd");
    assert!(input.rd().is_empty());
}

#[test]
fn empty_open_input_is_no_activity() {
    let (mut input, mut output) = (PipeBuf::<u8>::new(), PipeBuf::new());
    assert_eq!(settle(&mut PassThrough::new(), &mut input, &mut output), 0);
    assert_eq!(output.state(), PBufState::Open);
    assert!(output.rd().is_empty());
}

#[test]
fn push_follows_the_data() {
    let (mut input, mut output) = (PipeBuf::new(), PipeBuf::new());
    input.wr().append(b"x");
    input.wr().push();
    assert_eq!(settle(&mut PassThrough::new(), &mut input, &mut output), 1);
    assert_eq!(output.rd().data(), b"x");
    assert_eq!(output.state(), PBufState::Push);
    assert_eq!(input.state(), PBufState::Open);
}

#[test]
fn close_follows_the_data() {
    let (mut input, mut output) = (PipeBuf::new(), PipeBuf::new());
    input.wr().append(b"last");
    input.wr().close();
    assert_eq!(settle(&mut PassThrough::new(), &mut input, &mut output), 1);
    assert_eq!(output.rd().data(), b"last");
    assert_eq!(output.state(), PBufState::Closing);
    assert_eq!(input.state(), PBufState::Closed);
}

#[test]
fn close_of_an_empty_input_closes_the_output() {
    let (mut input, mut output) = (PipeBuf::<u8>::new(), PipeBuf::new());
    input.wr().close();
    assert_eq!(settle(&mut PassThrough::new(), &mut input, &mut output), 1);
    assert_eq!(output.state(), PBufState::Closing);
    assert!(output.rd().is_empty());
}

#[test]
fn abort_follows_the_data() {
    let (mut input, mut output) = (PipeBuf::new(), PipeBuf::new());
    input.wr().append(b"partial");
    input.wr().abort();
    assert_eq!(settle(&mut PassThrough::new(), &mut input, &mut output), 1);
    assert_eq!(output.rd().data(), b"partial");
    assert_eq!(output.state(), PBufState::Aborting);
    assert_eq!(input.state(), PBufState::Aborted);
}

#[test]
fn bounded_output_moves_what_fits_and_holds_the_end_back() {
    let (mut input, mut output) = (PipeBuf::new(), PipeBuf::with_fixed_capacity(4));
    let mut stage = PassThrough::new();
    input.wr().append(b"0123456789");
    input.wr().close();

    assert_eq!(settle(&mut stage, &mut input, &mut output), 1);
    assert_eq!(output.rd().data(), b"0123");
    assert_eq!(output.state(), PBufState::Open);
    assert_eq!(input.rd().data(), b"456789");

    output.rd().consume(4);
    assert_eq!(settle(&mut stage, &mut input, &mut output), 1);
    assert_eq!(output.rd().data(), b"4567");
    output.rd().consume(4);
    assert_eq!(settle(&mut stage, &mut input, &mut output), 1);
    assert_eq!(output.rd().data(), b"89");
    assert_eq!(output.state(), PBufState::Closing);
}

#[test]
fn messages_pass_through_unchanged() {
    let (mut input, mut output) = (PipeBuf::<Vec<u8>>::new(), PipeBuf::new());
    input.wr().append(&[b"one".to_vec(), Vec::new(), b"three".to_vec()]);
    input.wr().close();
    assert_eq!(settle(&mut PassThrough::new(), &mut input, &mut output), 1);
    assert_eq!(output.rd().data(), [b"one".to_vec(), Vec::new(), b"three".to_vec()]);
    assert_eq!(output.state(), PBufState::Closing);
}

#[test]
fn ports_are_described() {
    let ports = <PassThrough as Stage>::PORTS;
    let names: Vec<_> = ports.iter().map(|port| (port.name, port.element)).collect();
    assert_eq!(names, [("input", "T"), ("output", "T")]);
}
