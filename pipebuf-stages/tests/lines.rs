//! `LineSplitter`: lines, ends, limits, and the same lines however the input is split.

use pipebuf::{PBufState, PipeBuf, Stage};
use pipebuf_stages::{LineError, LineSplitter, LineSplitterPorts};
use proptest::prelude::*;

/// A stage with its two buffers, driven by hand.
struct Harness {
    stage: LineSplitter,
    input: PipeBuf,
    output: PipeBuf<Vec<u8>>,
}

impl Harness {
    fn new(max: usize) -> Self {
        Harness { stage: LineSplitter::new(max), input: PipeBuf::new(), output: PipeBuf::new() }
    }

    fn with_output(max: usize, output: PipeBuf<Vec<u8>>) -> Self {
        Harness { output, ..Harness::new(max) }
    }

    /// Calls `process` once.
    fn step(&mut self) -> Result<bool, LineError> {
        let ports = LineSplitterPorts { input: self.input.rd(), output: self.output.wr() };
        self.stage.process(ports)
    }

    /// Calls `process` until it reports no activity, and returns how many calls reported some.
    fn settle(&mut self) -> Result<usize, LineError> {
        for active in 0..1000 {
            if !self.step()? {
                return Ok(active);
            }
        }
        panic!("the stage never comes to rest");
    }

    /// Appends `data` and runs the stage.
    fn feed(&mut self, data: &[u8]) -> Result<usize, LineError> {
        self.input.wr().append(data);
        self.settle()
    }

    /// Takes the messages out of the output.
    fn take(&mut self) -> Vec<Vec<u8>> {
        let mut rd = self.output.rd();
        let lines = rd.data().to_vec();
        rd.consume(lines.len());
        lines
    }
}

fn lines(list: &[&str]) -> Vec<Vec<u8>> {
    list.iter().map(|line| line.as_bytes().to_vec()).collect()
}

#[test]
fn complete_lines_become_messages_without_line_ends() {
    let mut h = Harness::new(16);
    assert_eq!(h.feed(b"one\ntwo\r\n\nthree\r\r\n"), Ok(1));
    assert_eq!(h.take(), lines(&["one", "two", "", "three\r"]));
    assert!(h.input.rd().is_empty());
    assert_eq!(h.output.state(), PBufState::Open);
}

#[test]
fn a_partial_line_waits_in_the_input() {
    let mut h = Harness::new(16);
    assert_eq!(h.feed(b"abc"), Ok(0));
    assert_eq!(h.input.rd().data(), b"abc");
    assert_eq!(h.feed(b"de"), Ok(0));
    assert_eq!(h.feed(b"f\ng"), Ok(1));
    assert_eq!(h.take(), lines(&["abcdef"]));
    assert_eq!(h.input.rd().data(), b"g");
}

#[test]
fn empty_open_input_is_no_activity() {
    let mut h = Harness::new(16);
    assert_eq!(h.settle(), Ok(0));
    assert_eq!(h.output.state(), PBufState::Open);
}

#[test]
fn close_of_an_empty_input_closes_the_output() {
    let mut h = Harness::new(16);
    h.input.wr().close();
    assert_eq!(h.settle(), Ok(1));
    assert_eq!(h.take(), lines(&[]));
    assert_eq!(h.output.state(), PBufState::Closing);
    assert_eq!(h.input.state(), PBufState::Closed);
}

#[test]
fn close_emits_the_last_line_without_a_line_end() {
    let mut h = Harness::new(16);
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
    let mut h = Harness::new(16);
    h.input.wr().append(b"a\n\n");
    h.input.wr().close();
    assert_eq!(h.settle(), Ok(1));
    assert_eq!(h.take(), lines(&["a", ""]));
    assert_eq!(h.output.state(), PBufState::Closing);
}

#[test]
fn push_is_passed_on_after_the_complete_lines() {
    let mut h = Harness::new(16);
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
    let mut h = Harness::new(16);
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
    let mut h = Harness::new(4);
    assert_eq!(h.feed(b"ok\n1234"), Ok(1));
    assert_eq!(h.feed(b"5"), Err(LineError::TooLong { max: 4 }));
    // The line before it was emitted; the long one is still in the input, and stays an error.
    assert_eq!(h.take(), lines(&["ok"]));
    assert_eq!(h.input.rd().data(), b"12345");
    assert_eq!(h.step(), Err(LineError::TooLong { max: 4 }));
}

#[test]
fn a_complete_line_too_long_is_an_error_after_the_lines_before_it() {
    let mut h = Harness::new(2);
    assert_eq!(h.feed(b"ab\ncd\nefg\nhi\n"), Err(LineError::TooLong { max: 2 }));
    assert_eq!(h.take(), lines(&["ab", "cd"]));
    assert_eq!(h.input.rd().data(), b"efg\nhi\n");
}

#[test]
fn a_line_of_max_bytes_may_end_with_crlf() {
    let mut h = Harness::new(4);
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
    let mut h = Harness::new(3);
    assert_eq!(h.feed(b"abc\r"), Ok(0));
    h.input.wr().close();
    assert_eq!(h.settle(), Err(LineError::TooLong { max: 3 }));
    assert_eq!(h.take(), lines(&[]));
}

#[test]
fn a_peer_cannot_make_the_input_grow_beyond_max_plus_one() {
    let mut h = Harness::new(8);
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
    let mut h = Harness::with_output(16, PipeBuf::with_fixed_capacity(1));
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
    fn assert_error<E: core::error::Error + Send + Sync + 'static>() {}
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

/// What a run gives: the lines, then how the output ended or the error.
type Outcome = (Vec<Vec<u8>>, Result<PBufState, LineError>);

/// Feeds `chunks` one by one, running the stage after each, then closes the input.
fn run_chunks(max: usize, chunks: &[&[u8]]) -> Outcome {
    let mut h = Harness::new(max);
    let mut got = Vec::new();
    let mut run = |h: &mut Harness, data: Option<&[u8]>| {
        match data {
            Some(data) => h.input.wr().append(data),
            None => h.input.wr().close(),
        }
        let result = h.settle();
        got.extend(h.take());
        result
    };
    for &chunk in chunks {
        if let Err(error) = run(&mut h, Some(chunk)) {
            return (got, Err(error));
        }
    }
    let end = run(&mut h, None).map(|_| h.output.state());
    (got, end)
}

/// Checks that every split of `input` at one point, and at every two points, gives `expected`.
fn assert_split_invariant(max: usize, input: &[u8], expected: &Outcome) {
    assert_eq!(&run_chunks(max, &[input]), expected);
    for i in 0..=input.len() {
        let (a, b) = input.split_at(i);
        assert_eq!(&run_chunks(max, &[a, b]), expected, "split at {i}");
        for j in i..=input.len() {
            let (b, c) = input.split_at(j);
            let b = &b[i..];
            assert_eq!(&run_chunks(max, &[a, b, c]), expected, "split at {i} and {j}");
        }
    }
}

#[test]
fn every_split_of_the_input_gives_the_same_lines() {
    let expected = (lines(&["one", "two", "", "th\rree", "four"]), Ok(PBufState::Closing));
    assert_split_invariant(8, b"one\r\ntwo\n\nth\rree\r\nfour", &expected);
}

#[test]
fn every_split_of_the_input_gives_the_same_error() {
    let expected = (lines(&["ab", "cd"]), Err(LineError::TooLong { max: 4 }));
    assert_split_invariant(4, b"ab\ncd\r\nefgh\rij\nk\n", &expected);
}

/// The lines that the splitter should produce, by a simple reading of its rules.
fn model(max: usize, input: &[u8]) -> Outcome {
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
        let mut cuts: Vec<usize> = cuts.iter().map(|cut| cut.index(input.len() + 1)).collect();
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut from = 0;
        for cut in cuts.into_iter().chain([input.len()]) {
            chunks.push(&input[from..cut]);
            from = cut;
        }
        prop_assert_eq!(run_chunks(max, &chunks), model(max, &input));
    }
}
