//! What the stage tests share: a stage with one input and one output driven by hand over its two
//! buffers, runs of such a stage over input split into chunks, and the check that every split
//! of an input gives the same result.

// Each test file is a crate of its own and uses only some of these helpers; what one of them
// leaves unused is used by another.
#![allow(dead_code)]

use core::fmt::Debug;

use pipebuf::{PBufRd, PBufState, PBufWr, PipeBuf, Stage};
use pipebuf_stages::{
    LengthDeframer, LengthDeframerPorts, LengthFramer, LengthFramerPorts, LineSplitter,
    LineSplitterPorts, PassThrough, PassThroughPorts,
};
use proptest::sample::Index;

/// A stage with one input port and one output port, whose ports can be made from the two views.
pub(crate) trait Simplex: Stage {
    /// The element type of the input.
    type In: Default + Clone;
    /// The element type of the output.
    type Out: Default + Clone;

    /// Makes the stage's ports from a view of each buffer.
    fn ports<'a>(input: PBufRd<'a, Self::In>, output: PBufWr<'a, Self::Out>) -> Self::Ports<'a>
    where
        Self: 'a;
}

impl Simplex for LineSplitter {
    type In = u8;
    type Out = Vec<u8>;

    fn ports<'a>(input: PBufRd<'a>, output: PBufWr<'a, Vec<u8>>) -> LineSplitterPorts<'a>
    where
        Self: 'a,
    {
        LineSplitterPorts { input, output }
    }
}

impl Simplex for LengthFramer {
    type In = Vec<u8>;
    type Out = u8;

    fn ports<'a>(input: PBufRd<'a, Vec<u8>>, output: PBufWr<'a>) -> LengthFramerPorts<'a>
    where
        Self: 'a,
    {
        LengthFramerPorts { input, output }
    }
}

impl Simplex for LengthDeframer {
    type In = u8;
    type Out = Vec<u8>;

    fn ports<'a>(input: PBufRd<'a>, output: PBufWr<'a, Vec<u8>>) -> LengthDeframerPorts<'a>
    where
        Self: 'a,
    {
        LengthDeframerPorts { input, output }
    }
}

impl<T: Default + Clone> Simplex for PassThrough<T> {
    type In = T;
    type Out = T;

    fn ports<'a>(input: PBufRd<'a, T>, output: PBufWr<'a, T>) -> PassThroughPorts<'a, T>
    where
        T: 'a,
    {
        PassThroughPorts { input, output }
    }
}

/// A stage with its two buffers, driven by hand.
pub(crate) struct Harness<S: Simplex> {
    pub(crate) stage: S,
    pub(crate) input: PipeBuf<S::In>,
    pub(crate) output: PipeBuf<S::Out>,
}

impl<S: Simplex> Harness<S> {
    /// Joins `stage` to a new, empty, unbounded input and output.
    pub(crate) fn new(stage: S) -> Self {
        Harness::with_output(stage, PipeBuf::new())
    }

    /// Joins `stage` to a new, empty, unbounded input and to `output`.
    pub(crate) fn with_output(stage: S, output: PipeBuf<S::Out>) -> Self {
        Harness { stage, input: PipeBuf::new(), output }
    }

    /// Calls `process` once.
    pub(crate) fn step(&mut self) -> Result<bool, S::Error> {
        self.stage.process(S::ports(self.input.rd(), self.output.wr()))
    }

    /// Calls `process` until it reports no activity, and returns how many calls reported some.
    ///
    /// # Panics
    ///
    /// Panics if the stage is still active after 1000 calls.
    pub(crate) fn settle(&mut self) -> Result<usize, S::Error> {
        for active in 0..1000 {
            if !self.step()? {
                return Ok(active);
            }
        }
        panic!("the stage never comes to rest");
    }

    /// Appends `data` to the input and runs the stage until it rests.
    pub(crate) fn feed(&mut self, data: &[S::In]) -> Result<usize, S::Error> {
        self.input.wr().append(data);
        self.settle()
    }

    /// Takes everything out of the output.
    pub(crate) fn take(&mut self) -> Vec<S::Out> {
        let mut rd = self.output.rd();
        let taken = rd.data().to_vec();
        rd.consume(taken.len());
        taken
    }
}

/// What a run gives: what came out, then how the output ended or the error.
pub(crate) type Outcome<S> = (Vec<<S as Simplex>::Out>, Result<PBufState, <S as Stage>::Error>);

/// Feeds `chunks` to `h` one by one, running the stage and taking its output after each, then
/// closes the input; stops at the first error.
pub(crate) fn run_chunks<S: Simplex<In = u8>>(mut h: Harness<S>, chunks: &[&[u8]]) -> Outcome<S> {
    let mut got = Vec::new();
    for &chunk in chunks {
        let result = h.feed(chunk);
        got.extend(h.take());
        if let Err(error) = result {
            return (got, Err(error));
        }
    }
    h.input.wr().close();
    let result = h.settle();
    got.extend(h.take());
    (got, result.map(|_| h.output.state()))
}

/// Checks that `input` whole, split at every point, and split at every two points, gives
/// `expected` when run through a stage from `new`.
///
/// # Panics
///
/// Panics, naming the split, if a run gives anything else.
pub(crate) fn assert_split_invariant<S>(
    new: impl Fn() -> Harness<S>,
    input: &[u8],
    expected: &Outcome<S>,
) where
    S: Simplex<In = u8>,
    S::Out: Debug + PartialEq,
    S::Error: PartialEq,
{
    assert_eq!(&run_chunks(new(), &[input]), expected);
    for i in 0..=input.len() {
        let (a, b) = input.split_at(i);
        assert_eq!(&run_chunks(new(), &[a, b]), expected, "split at {i}");
        for j in i..=input.len() {
            let (b, c) = input.split_at(j);
            let b = &b[i..];
            assert_eq!(&run_chunks(new(), &[a, b, c]), expected, "split at {i} and {j}");
        }
    }
}

/// Splits `data` into chunks at the offsets that `cuts` pick, in any order and possibly
/// repeated, so that a property test can split an input of any length.
pub(crate) fn split_at_indices<'a>(data: &'a [u8], cuts: &[Index]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = cuts.iter().map(|cut| cut.index(data.len() + 1)).collect();
    cuts.sort_unstable();
    let mut chunks = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for cut in cuts.into_iter().chain([data.len()]) {
        chunks.push(&data[from..cut]);
        from = cut;
    }
    chunks
}

/// The messages (lines or frames) that `list` spells.
pub(crate) fn messages(list: &[&str]) -> Vec<Vec<u8>> {
    list.iter().map(|message| message.as_bytes().to_vec()).collect()
}

/// Compiles only if `E` is an error that can cross threads, as `Box<dyn Error + Send + Sync>`.
pub(crate) fn assert_error<E: core::error::Error + Send + Sync + 'static>() {}
