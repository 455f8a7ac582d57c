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
    /// Frees the storage of every empty buffer that can grow again.
    fn release_if_empty(&mut self);
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
/// how long stages have been reporting activity (a run that a small budget spreads over several
/// calls).
#[derive(Clone, Debug)]
pub struct Runtime<const K: usize> {
    failed: [bool; K],
    /// Passes in a row, across calls, in which some stage reported activity.
    streak: u32,
    /// The sum of every link's tripwires after the streak's second pass, and at each multiple
    /// of [`HUNG_PASSES`] passes since.
    checkpoint: u64,
}

impl<const K: usize> Runtime<K> {
    /// No stage has failed.
    #[must_use]
    pub const fn new() -> Self {
        Runtime { failed: [false; K], streak: 0, checkpoint: 0 }
    }

    /// Starts one call of `process`.
    #[inline]
    pub fn start(&mut self, budget: crate::Budget) -> Run<'_, K> {
        Run {
            runtime: self,
            quiet: [None; K],
            reports: 0,
            passes_left: budget.max_passes(),
            reported: None,
            active: false,
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
///
/// It costs next to nothing: skipping needs no tripwires, and the links' tripwires are summed
/// only in runs of activity longer than two passes, which a chain that moves its input in one
/// pass never makes.
#[derive(Debug)]
pub struct Run<'r, const K: usize> {
    runtime: &'r mut Runtime<K>,
    /// For each stage that last reported no activity, how many reports of activity this call had
    /// seen then. While no stage reports activity, no buffer changes (a stage reports activity
    /// whenever it changes one), so a stage's ports are as it left them, it would do nothing
    /// again, and it is skipped.
    quiet: [Option<u64>; K],
    /// How many times a stage reported activity in this call.
    reports: u64,
    passes_left: u32,
    /// The last stage that reported activity in this pass.
    reported: Option<usize>,
    /// True once any stage reported activity in this call.
    active: bool,
}

/// What a pipeline does after a pass.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Run another pass.
    Again,
    /// Everything is at rest.
    Rest {
        /// True if any stage reported activity during this call.
        changed: bool,
    },
    /// The budget ran out with work left.
    Pending,
    /// Stage `stage` kept reporting activity while no buffer changed.
    Hung {
        /// The index of the stage.
        stage: usize,
    },
}

impl<const K: usize> Run<'_, K> {
    /// True if stage `i` should be called: it has not failed, and it reported activity last time
    /// or some stage has since.
    #[inline]
    #[must_use]
    pub fn should_call(&self, i: usize) -> bool {
        !self.runtime.failed[i] && self.quiet[i] != Some(self.reports)
    }

    /// Records whether stage `i` reported activity.
    #[inline]
    pub fn record(&mut self, i: usize, active: bool) {
        if active {
            self.reported = Some(i);
            self.reports += 1;
            self.quiet[i] = None;
        } else {
            self.quiet[i] = Some(self.reports);
        }
    }

    /// Records that stage `i` failed: it is never called again.
    #[cold]
    pub fn fail(&mut self, i: usize) {
        self.runtime.failed[i] = true;
    }

    /// Ends a pass; `links` sums every link's tripwires.
    #[inline]
    pub fn end_pass(&mut self, links: impl FnOnce() -> u64) -> Next {
        let runtime = &mut *self.runtime;
        let Some(stage) = self.reported.take() else {
            runtime.streak = 0;
            return Next::Rest { changed: self.active };
        };
        self.active = true;
        runtime.streak += 1;
        if runtime.streak == 2 {
            runtime.checkpoint = links();
        } else if runtime.streak % HUNG_PASSES == 0 {
            // A stage may change only its own state for a pass or two (a handshake step); if
            // nothing at all changed over this many passes, one of them will never rest.
            let now = links();
            if now == runtime.checkpoint {
                runtime.streak = 0;
                return Next::Hung { stage };
            }
            runtime.checkpoint = now;
        }
        self.passes_left -= 1;
        if self.passes_left == 0 { Next::Pending } else { Next::Again }
    }
}

/// How often a long run of reported activity is checked for change: a run of 64 passes in which
/// no buffer changed after the second is hung, and so is any later stretch of 64 passes without
/// a change.
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

    fn release_if_empty(&mut self) {
        PipeBuf::release_if_empty(self);
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

    fn release_if_empty(&mut self) {
        PipeBufPair::release_if_empty(self);
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
