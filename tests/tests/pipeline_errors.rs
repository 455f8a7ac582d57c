//! A stage that fails in a pipeline: its outputs are aborted and the abort reaches the ends,
//! the error names the stage and carries the stage's own error, the stage is never called
//! again while the others keep running, only the first error of a call is returned, an
//! infallible pipeline's error cannot be made, and the error converts into the user's own
//! error type with `?`.

// The test stages that hold no state still take `&mut self`, as `process` must.
#![allow(clippy::unused_self)]

use std::error::Error;
use std::fmt;

use pipebuf::{PBufState, PipeBuf, PipeBufPair, Stage, Status, pipeline};
use pipebuf_tests::stages::{Echo, Relay};

/// Upper-cases what it hands on, with push and end.
#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Upper;

impl Upper {
    fn process(&mut self, mut p: UpperPorts<'_>) -> bool {
        let before = (p.input.tripwire(), p.output.tripwire());
        p.input.data_mut().make_ascii_uppercase();
        p.input.forward(p.output.reborrow());
        before != (p.input.tripwire(), p.output.tripwire())
    }
}

/// The error of [`Checker`]: a forbidden byte, and where it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct CheckError {
    offset: usize,
    byte: u8,
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "forbidden byte {:#04x} at offset {}", self.byte, self.offset)
    }
}

impl Error for CheckError {}

/// Hands on everything before the first `!`, then fails. Counts its calls.
#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr), error = CheckError)]
struct Checker {
    passed: usize,
    calls: u32,
}

impl Checker {
    fn new() -> Self {
        Checker { passed: 0, calls: 0 }
    }

    fn process(&mut self, mut p: CheckerPorts<'_>) -> Result<bool, CheckError> {
        self.calls += 1;
        let before = (p.input.tripwire(), p.output.tripwire());
        let bad = p.input.data().iter().position(|&b| b == b'!');
        let good = bad.unwrap_or(p.input.len());
        let moved = p.input.forward_prefix(p.output.reborrow(), good);
        self.passed += moved;
        if bad.is_some() && moved == good {
            return Err(CheckError { offset: self.passed, byte: b'!' });
        }
        if p.input.is_empty() {
            p.input.forward(p.output.reborrow());
        }
        Ok(before != (p.input.tripwire(), p.output.tripwire()))
    }
}

/// A chain with a fallible stage in the middle, and a branch of its own beside it.
#[pipeline]
struct Guarded {
    head: Upper,
    mid: Checker,
    tail: Upper,
    side: Upper,
    #[link(-> head.input)]
    text: PipeBuf,
    #[link(head.output -> mid.input)]
    raw: PipeBuf,
    #[link(mid.output -> tail.input)]
    checked: PipeBuf,
    #[link(tail.output ->)]
    out: PipeBuf,
    #[link(-> side.input)]
    side_in: PipeBuf,
    #[link(side.output ->)]
    side_out: PipeBuf,
}

fn guarded() -> Guarded {
    Guarded::new(Upper, Checker::new(), Upper, Upper)
}

#[test]
fn a_failing_stage_has_its_output_aborted_and_the_abort_reaches_the_end() {
    let mut p = guarded();
    p.text().append(b"abc!def");
    let error = p.process().unwrap_err();
    assert_eq!(error.stage(), "mid");
    // What the stage handed on before it failed arrives in full, then the abort.
    assert_eq!(p.out().data(), b"ABC");
    assert_eq!(p.out().state(), PBufState::Aborting);
    assert!(p.out().consume_eof());
    assert!(p.out().is_aborted());
    // The stage after it took the abort; the failed stage's input stays as it was.
    assert_eq!(p.checked.state(), PBufState::Aborted);
    assert_eq!(p.raw.rd().data(), b"!DEF");
    assert_eq!(p.raw.state(), PBufState::Open);
}

#[test]
fn the_error_names_the_stage_and_carries_the_stage_error() {
    let mut p = guarded();
    p.text().append(b"abc!def");
    let error = p.process().unwrap_err();
    assert_eq!(error.stage(), "mid");
    assert_eq!(error.to_string(), "stage `mid` failed");
    assert_eq!(format!("{error:?}"), "Mid(CheckError { offset: 3, byte: 33 })");
    let source = error.source().expect("the stage's error is the source");
    assert_eq!(source.downcast_ref::<CheckError>(), Some(&CheckError { offset: 3, byte: b'!' }));
    assert_eq!(source.to_string(), "forbidden byte 0x21 at offset 3");
    assert!(matches!(error, GuardedError::Mid(CheckError { offset: 3, byte: b'!' })));
}

#[test]
fn a_failed_stage_is_never_called_again() {
    let mut p = guarded();
    p.text().append(b"a!");
    assert!(p.process().is_err());
    let calls = p.mid.calls;
    assert_eq!(calls, 1);
    p.text().append(b"more");
    assert_eq!(p.process().unwrap(), Status::Progress);
    assert_eq!(p.process().unwrap(), Status::Waiting);
    assert_eq!(p.mid.calls, calls);
    // Its input is never drained, but once every stream has ended the pipeline is done.
    p.text().close();
    p.side_in().close();
    assert_eq!(p.process().unwrap(), Status::Done);
    assert_eq!(p.mid.calls, calls);
    assert_eq!(p.raw.rd().data(), b"!MORE");
}

#[test]
fn the_other_stages_keep_running_in_the_failing_call_and_after() {
    let mut p = guarded();
    p.side_in().append(b"xyz");
    p.text().append(b"!");
    assert_eq!(p.process().unwrap_err().stage(), "mid");
    // The parallel branch moved its data in the same call.
    assert_eq!(p.side_out().data(), b"XYZ");
    p.side_in().append(b" and more");
    p.side_in().close();
    assert_eq!(p.process().unwrap(), Status::Progress);
    assert_eq!(p.side_out().data(), b"XYZ AND MORE");
    assert_eq!(p.side_out().state(), PBufState::Closing);
}

/// Two fallible stages; `second` sees its `!` a pass before `first` does, because `first` is
/// fed by a stage declared after it.
#[pipeline]
struct Staggered {
    first: Checker,
    relay: Upper,
    second: Checker,
    #[link(-> relay.input)]
    a_in: PipeBuf,
    #[link(relay.output -> first.input)]
    a_mid: PipeBuf,
    #[link(first.output ->)]
    a_out: PipeBuf,
    #[link(-> second.input)]
    b_in: PipeBuf,
    #[link(second.output ->)]
    b_out: PipeBuf,
}

#[test]
fn only_the_first_error_of_a_call_is_returned() {
    let mut p = Staggered::new(Checker::new(), Upper, Checker::new());
    p.a_in().append(b"a!");
    p.b_in().append(b"bb!");
    let error = p.process().unwrap_err();
    assert!(matches!(error, StaggeredError::Second(CheckError { offset: 2, byte: b'!' })));
    // The other one failed later in the same call: aborted and stopped, its error dropped.
    assert_eq!(p.a_out().data(), b"A");
    assert_eq!(p.a_out().state(), PBufState::Aborting);
    assert_eq!(p.b_out().data(), b"bb");
    assert_eq!(p.b_out().state(), PBufState::Aborting);
    let calls = (p.first.calls, p.second.calls);
    assert_eq!(p.process().unwrap(), Status::Waiting);
    assert_eq!((p.first.calls, p.second.calls), calls);
}

/// Two fallible stages that fail in the same pass.
#[pipeline]
struct Parallel {
    one: Checker,
    two: Checker,
    #[link(-> one.input)]
    one_in: PipeBuf,
    #[link(one.output ->)]
    one_out: PipeBuf,
    #[link(-> two.input)]
    two_in: PipeBuf,
    #[link(two.output ->)]
    two_out: PipeBuf,
}

#[test]
fn of_two_stages_failing_in_one_pass_the_first_declared_is_returned() {
    let mut p = Parallel::new(Checker::new(), Checker::new());
    p.one_in().append(b"!");
    p.two_in().append(b"!");
    let error = p.process().unwrap_err();
    assert_eq!(error.stage(), "one");
    assert_eq!(p.one_out().state(), PBufState::Aborting);
    assert_eq!(p.two_out().state(), PBufState::Aborting);
    assert_eq!(p.process().unwrap(), Status::Waiting);
}

/// Passes both directions through, and fails on a `!` coming up.
#[derive(Stage)]
#[stage(ports(lower: PBufRdWr, upper: PBufRdWr), error = CheckError)]
struct Breaker;

impl Breaker {
    fn process(&mut self, mut p: BreakerPorts<'_>) -> Result<bool, CheckError> {
        let before = (p.lower.tripwire(), p.upper.tripwire());
        if let Some(offset) = p.lower.rd.data().iter().position(|&b| b == b'!') {
            return Err(CheckError { offset, byte: b'!' });
        }
        p.lower.rd.forward(p.upper.wr.reborrow());
        p.upper.rd.forward(p.lower.wr.reborrow());
        Ok(before != (p.lower.tripwire(), p.upper.tripwire()))
    }
}

#[pipeline]
struct Stack {
    relay: Relay,
    breaker: Breaker,
    echo: Echo,
    #[link(<-> relay.lower)]
    net: PipeBufPair,
    #[link(relay.upper <-> breaker.lower)]
    low: PipeBufPair,
    #[link(breaker.upper <-> echo.lower)]
    high: PipeBufPair,
}

#[test]
fn a_failing_duplex_stage_has_both_directions_aborted() {
    let mut p = Stack::new(Relay, Breaker, Echo);
    p.net().wr.append(b"ok");
    assert_eq!(p.process().unwrap(), Status::Progress);
    assert_eq!(p.net().rd.data(), b"ok");
    p.net().wr.append(b"!");
    let error = p.process().unwrap_err();
    assert!(matches!(error, StackError::Breaker(CheckError { offset: 0, byte: b'!' })));
    // Down to the outside, through the relay...
    assert_eq!(p.low.down.state(), PBufState::Aborted);
    assert_eq!(p.net().rd.state(), PBufState::Aborting);
    assert_eq!(p.net().rd.data(), b"ok");
    // ...and up to the echo, which took it and sent an abort back.
    assert_eq!(p.high.up.state(), PBufState::Aborted);
    assert_eq!(p.high.down.state(), PBufState::Aborting);
}

/// Only infallible stages.
#[pipeline]
struct Sure {
    first: Upper,
    second: Upper,
    #[link(-> first.input)]
    input: PipeBuf,
    #[link(first.output -> second.input)]
    middle: PipeBuf,
    #[link(second.output ->)]
    output: PipeBuf,
}

/// Compiles only because no value of the error exists.
#[expect(clippy::needless_pass_by_value, reason = "an empty `match` needs the value itself")]
fn unreachable_error(error: SureError) -> ! {
    match error {}
}

#[test]
fn a_pipeline_of_infallible_stages_cannot_fail() {
    let mut p = Sure::new(Upper, Upper);
    p.input().append(b"sure");
    let Ok(status) = p.process();
    assert_eq!(status, Status::Progress);
    let status =
        p.process_with(pipebuf::Budget::passes(1)).unwrap_or_else(|e| unreachable_error(e));
    assert_eq!(status, Status::Waiting);
    assert_eq!(p.output().data(), b"SURE");
}

/// The error of an application that runs a pipeline.
#[derive(Debug)]
enum AppError {
    Pipeline(GuardedError),
}

impl From<GuardedError> for AppError {
    fn from(error: GuardedError) -> Self {
        AppError::Pipeline(error)
    }
}

fn step(p: &mut Guarded) -> Result<Status, AppError> {
    let status = p.process()?;
    Ok(status)
}

fn step_boxed(p: &mut Guarded) -> Result<Status, Box<dyn Error + Send + Sync>> {
    Ok(p.process()?)
}

fn assert_error<E: Error + Send + Sync + 'static>() {}

#[test]
fn the_error_converts_into_the_users_error_with_the_question_mark() {
    assert_error::<GuardedError>();
    let mut p = guarded();
    p.text().append(b"x");
    assert!(matches!(step(&mut p), Ok(Status::Progress)));
    p.text().append(b"!");
    let error = step(&mut p).unwrap_err();
    assert!(matches!(error, AppError::Pipeline(GuardedError::Mid(CheckError { offset: 1, .. }))));

    let mut p = guarded();
    p.text().append(b"ab!");
    let error = step_boxed(&mut p).unwrap_err();
    assert_eq!(error.to_string(), "stage `mid` failed");
    let source = error.source().and_then(|s| s.downcast_ref::<CheckError>());
    assert_eq!(source, Some(&CheckError { offset: 2, byte: b'!' }));
}

/// [`Guarded`] as a stage of an outer pipeline.
#[pipeline]
struct Outer {
    guarded: Guarded,
    #[link(-> guarded.text)]
    text: PipeBuf,
    #[link(guarded.out ->)]
    out: PipeBuf,
    #[link(-> guarded.side_in)]
    side_in: PipeBuf,
    #[link(guarded.side_out ->)]
    side_out: PipeBuf,
}

#[test]
fn a_nested_pipelines_error_is_the_source_of_the_outer_error() {
    let mut p = Outer::new(guarded());
    p.text().append(b"abc!");
    let error = p.process().unwrap_err();
    assert_eq!(error.stage(), "guarded");
    assert_eq!(error.to_string(), "stage `guarded` failed");
    let inner = error.source().and_then(|s| s.downcast_ref::<GuardedError>()).unwrap();
    assert_eq!(inner.to_string(), "stage `mid` failed");
    let cause = inner.source().and_then(|s| s.downcast_ref::<CheckError>());
    assert_eq!(cause, Some(&CheckError { offset: 3, byte: b'!' }));
    assert!(matches!(error, OuterError::Guarded(GuardedError::Mid(_))));
    // The abort reaches the outer output.
    assert_eq!(p.out().state(), PBufState::Aborting);
}

/// The same data and failure as
/// [`a_failing_stage_has_its_output_aborted_and_the_abort_reaches_the_end`], one level down.
#[test]
fn a_nested_pipeline_delivers_what_was_handed_on_before_it_failed() {
    let mut p = Outer::new(guarded());
    p.text().append(b"abc!def");
    assert_eq!(p.process().unwrap_err().stage(), "guarded");
    assert_eq!(p.out().data(), b"ABC");
    assert_eq!(p.out().state(), PBufState::Aborting);
}
