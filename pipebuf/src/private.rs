//! Helpers for the code that `#[pipeline]` and `#[derive(Stage)]` write. Not part of the API:
//! anything here may change in any release.
//!
//! Each trait that a user's mistake can leave unimplemented carries a
//! `#[diagnostic::on_unimplemented]` message, so rustc's error reads as a wiring error at the
//! user's own tokens rather than as a missing impl.

use crate::{PBufRd, PBufRdWr, PBufWr, PipeBuf, PipeBufPair, Stage};

/// A buffer (or a pair) a pipeline owns as a link.
pub trait Link: Sized {
    /// Makes the buffer: `capacity` to start with (fixed if `fixed`), and a `limit`.
    fn create(capacity: Option<usize>, fixed: bool, limit: Option<usize>) -> Self;
    /// The sum of the tripwires of every buffer: it grows whenever any of them changes.
    fn trip(&self) -> u64;
    /// True if every buffer has been ended by its producer, and those whose reader must take
    /// everything (`drain`: `[down, up]`, or `[the buffer, _]`) are drained too.
    fn finished(&self, drain: [bool; 2]) -> bool;
    /// True if the buffer read from outside (`up` chooses the direction of a pair) is full.
    fn is_full(&self, up: bool) -> bool;
}

/// A link for `->`: one buffer.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot carry a `->` link",
    label = "a `->` link must be a `PipeBuf`",
    note = "a `<->` link between two duplex ports is a `PipeBufPair`"
)]
pub trait Simplex: Link {
    /// The element type.
    type Element;
    /// The reading end.
    fn rd(&mut self) -> PBufRd<'_, Self::Element>;
    /// The writing end.
    fn wr(&mut self) -> PBufWr<'_, Self::Element>;
}

/// A link for `<->`: a pair of buffers.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot carry a `<->` link",
    label = "a `<->` link must be a `PipeBufPair`",
    note = "a `->` link from an output to an input is a `PipeBuf`"
)]
pub trait Duplex: Link {
    /// The element type.
    type Element;
    /// The end of the lower layer (the left side of `<->`).
    fn lower(&mut self) -> PBufRdWr<'_, Self::Element>;
    /// The end of the upper layer (the right side of `<->`).
    fn upper(&mut self) -> PBufRdWr<'_, Self::Element>;
}

/// A port that can be the reading end of a `->` link of `T`.
#[diagnostic::on_unimplemented(
    message = "a `->` link of `{T}` cannot end at a port of type `{Self}`",
    label = "this port is not an input of `{T}`",
    note = "the right side of `->` must be an input port, `PBufRd<'_, {T}>`"
)]
pub trait InputPort<'a, T> {
    /// Wraps the reading end.
    fn from_rd(rd: PBufRd<'a, T>) -> Self;
}

/// A port that can be the writing end of a `->` link of `T`.
#[diagnostic::on_unimplemented(
    message = "a `->` link of `{T}` cannot start at a port of type `{Self}`",
    label = "this port is not an output of `{T}`",
    note = "the left side of `->` must be an output port, `PBufWr<'_, {T}>`"
)]
pub trait OutputPort<'a, T> {
    /// Wraps the writing end.
    fn from_wr(wr: PBufWr<'a, T>) -> Self;
}

/// A port that can be one end of a `<->` link of `T`.
#[diagnostic::on_unimplemented(
    message = "a `<->` link of `{T}` cannot end at a port of type `{Self}`",
    label = "this port is not a duplex port of `{T}`",
    note = "both sides of `<->` must be duplex ports, `PBufRdWr<'_, {T}>`"
)]
pub trait DuplexPort<'a, T> {
    /// Wraps the end of a pair.
    fn from_rdwr(rdwr: PBufRdWr<'a, T>) -> Self;
}

/// The element type of a stage's duplex port `upper`, for the links of a straight chain.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no duplex port `upper` to chain to the next stage",
    label = "a pipeline without links joins each stage's `upper` to the next one's `lower`",
    note = "declare the links with `#[link(...)]` fields to wire other ports"
)]
pub trait UpperPort {
    /// The element type of `upper`.
    type Element;
}

/// Builds the port a stage expects out of a link's reading end.
#[inline]
#[must_use]
pub fn input<'a, T, P: InputPort<'a, T>>(rd: PBufRd<'a, T>) -> P {
    P::from_rd(rd)
}

/// Builds the port a stage expects out of a link's writing end.
#[inline]
#[must_use]
pub fn output<'a, T, P: OutputPort<'a, T>>(wr: PBufWr<'a, T>) -> P {
    P::from_wr(wr)
}

/// Builds the port a stage expects out of one end of a pair.
#[inline]
#[must_use]
pub fn duplex<'a, T, P: DuplexPort<'a, T>>(rdwr: PBufRdWr<'a, T>) -> P {
    P::from_rdwr(rdwr)
}

/// Asserts that a field of a pipeline holds a stage.
pub const fn assert_stage<S: Stage>() {}

/// The part of a pipeline's state that lasts from one call to the next: which stages failed, and
/// how long stages have reported activity without changing anything (which a small budget may
/// spread over many calls).
#[derive(Clone, Debug)]
pub struct Runtime<const K: usize> {
    failed: [bool; K],
    fruitless: u32,
}

impl<const K: usize> Runtime<K> {
    /// No stage has failed.
    #[must_use]
    pub const fn new() -> Self {
        Runtime { failed: [false; K], fruitless: 0 }
    }

    /// Starts one call of `process`.
    pub fn start(&mut self, budget: crate::Budget) -> Run<'_, K> {
        Run {
            runtime: self,
            quiet: [None; K],
            passes_left: budget.max_passes(),
            active_stage: None,
            changed: false,
        }
    }

    /// True if stage `i` failed in an earlier call or this one.
    #[must_use]
    pub fn has_failed(&self, i: usize) -> bool {
        self.failed.get(i).copied().unwrap_or(false)
    }
}

impl<const K: usize> Default for Runtime<K> {
    fn default() -> Self {
        Self::new()
    }
}

/// One call of a pipeline's `process`: which stages may be skipped, the budget, hang detection.
#[derive(Debug)]
pub struct Run<'r, const K: usize> {
    runtime: &'r mut Runtime<K>,
    /// For each stage that last reported no activity, the sum of its ports' tripwires then: while
    /// it is unchanged the stage would do nothing again, so it is skipped.
    quiet: [Option<u64>; K],
    passes_left: u32,
    /// The last stage that reported activity in this pass.
    active_stage: Option<usize>,
    /// True once any pass of this call changed a buffer.
    changed: bool,
}

/// What a pipeline does after a pass.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Run another pass.
    Again,
    /// Everything is at rest; `changed` if anything moved during the call.
    Rest {
        /// True if any buffer changed during this call.
        changed: bool,
    },
    /// The budget ran out with work left.
    Pending,
    /// Stage `stage` kept reporting activity without changing anything.
    Hung {
        /// The index of the stage.
        stage: usize,
    },
}

impl<const K: usize> Run<'_, K> {
    /// True if stage `i` should be called, given the sum of its ports' tripwires now.
    #[inline]
    #[must_use]
    pub fn should_call(&self, i: usize, ports: u64) -> bool {
        !self.runtime.failed[i] && self.quiet[i] != Some(ports)
    }

    /// Records what stage `i` returned, and the sum of its ports' tripwires after the call.
    #[inline]
    pub fn record(&mut self, i: usize, active: bool, ports: u64) {
        if active {
            self.active_stage = Some(i);
            self.quiet[i] = None;
        } else {
            self.quiet[i] = Some(ports);
        }
    }

    /// Records that stage `i` failed: it is never called again.
    #[cold]
    pub fn fail(&mut self, i: usize) {
        self.runtime.failed[i] = true;
    }

    /// Ends a pass, given the sum of every link's tripwires before and after it.
    #[inline]
    pub fn end_pass(&mut self, before: u64, after: u64) -> Next {
        let reported = self.active_stage.take();
        if before != after {
            self.changed = true;
            self.runtime.fruitless = 0;
        } else if let Some(stage) = reported {
            // A stage may change only its own state for a pass or two (a handshake step);
            // doing so pass after pass means it will never come to rest.
            self.runtime.fruitless += 1;
            if self.runtime.fruitless >= HUNG_PASSES {
                self.runtime.fruitless = 0;
                return Next::Hung { stage };
            }
        } else {
            self.runtime.fruitless = 0;
            return Next::Rest { changed: self.changed };
        }
        self.passes_left -= 1;
        if self.passes_left == 0 { Next::Pending } else { Next::Again }
    }
}

/// Passes in a row that report activity but change no buffer before a stage counts as hung.
const HUNG_PASSES: u32 = 64;

impl<T: Default, const N: usize> Link for PipeBuf<T, N> {
    fn create(capacity: Option<usize>, fixed: bool, limit: Option<usize>) -> Self {
        let mut buf = PipeBuf::for_link(capacity, fixed);
        buf.set_limit(limit);
        buf
    }

    #[inline]
    fn trip(&self) -> u64 {
        self.tripwire().0
    }

    fn finished(&self, drain: [bool; 2]) -> bool {
        self.state().is_eof() && (!drain[0] || self.is_done())
    }

    fn is_full(&self, _up: bool) -> bool {
        self.shared().free_space() == Some(0)
    }
}

impl<T: Default, const N: usize> Simplex for PipeBuf<T, N> {
    type Element = T;

    #[inline]
    fn rd(&mut self) -> PBufRd<'_, T> {
        PipeBuf::rd(self)
    }

    #[inline]
    fn wr(&mut self) -> PBufWr<'_, T> {
        PipeBuf::wr(self)
    }
}

impl<T: Default, const N: usize> Link for PipeBufPair<T, N> {
    fn create(capacity: Option<usize>, fixed: bool, limit: Option<usize>) -> Self {
        PipeBufPair {
            down: Link::create(capacity, fixed, limit),
            up: Link::create(capacity, fixed, limit),
        }
    }

    #[inline]
    fn trip(&self) -> u64 {
        self.down.trip().wrapping_add(self.up.trip())
    }

    fn finished(&self, drain: [bool; 2]) -> bool {
        self.down.finished([drain[0], false]) && self.up.finished([drain[1], false])
    }

    fn is_full(&self, up: bool) -> bool {
        if up { self.up.is_full(false) } else { self.down.is_full(false) }
    }
}

impl<T: Default, const N: usize> Duplex for PipeBufPair<T, N> {
    type Element = T;

    #[inline]
    fn lower(&mut self) -> PBufRdWr<'_, T> {
        PipeBufPair::lower(self)
    }

    #[inline]
    fn upper(&mut self) -> PBufRdWr<'_, T> {
        PipeBufPair::upper(self)
    }
}

impl<'a, T> InputPort<'a, T> for PBufRd<'a, T> {
    #[inline]
    fn from_rd(rd: PBufRd<'a, T>) -> Self {
        rd
    }
}

impl<'a, T> OutputPort<'a, T> for PBufWr<'a, T> {
    #[inline]
    fn from_wr(wr: PBufWr<'a, T>) -> Self {
        wr
    }
}

impl<'a, T> DuplexPort<'a, T> for PBufRdWr<'a, T> {
    #[inline]
    fn from_rdwr(rdwr: PBufRdWr<'a, T>) -> Self {
        rdwr
    }
}

/// A second `process` that `#[derive(Stage)]` puts in scope next to `Stage::process`: when the
/// stage has no inherent `process`, the derive's call is ambiguous instead of recursing forever,
/// and rustc's error names this trait, which says what to do.
pub trait AddAnInherentProcessFnToTheStage {
    /// Never called: its argument cannot be made.
    fn process(&mut self, ports: Never) -> !;
}

impl<S: ?Sized> AddAnInherentProcessFnToTheStage for S {
    fn process(&mut self, ports: Never) -> ! {
        match ports {}
    }
}

/// A type with no values.
#[derive(Debug)]
pub enum Never {}

/// What a stage's inherent `process` may return: `bool` for a stage that cannot fail, or
/// `Result<bool, E>` with the error type declared in `#[stage(error = E)]`.
#[diagnostic::on_unimplemented(
    message = "a stage's `process` returns `bool` or `Result<bool, {E}>`, not `{Self}`",
    label = "this stage's `process` has the wrong return type",
    note = "the error type is the one given in `#[stage(error = ...)]`, `Infallible` if none"
)]
pub trait ProcessResult<E> {
    /// Turns the return value into the trait's.
    ///
    /// # Errors
    ///
    /// The stage's error.
    fn into_result(self) -> Result<bool, E>;
}

impl<E> ProcessResult<E> for bool {
    #[inline]
    fn into_result(self) -> Result<bool, E> {
        Ok(self)
    }
}

impl<E> ProcessResult<E> for Result<bool, E> {
    #[inline]
    fn into_result(self) -> Result<bool, E> {
        self
    }
}
