//! A stage that hands its input on unchanged, storage and all.

use core::fmt;
use core::marker::PhantomData;

use pipebuf::{Stage, tripwire};

/// Hands everything from its input on to its output unchanged: data, then push, then the end.
///
/// It moves data with [`PBufRd::forward`](pipebuf::PBufRd::forward): when the output is empty and
/// both buffers are on the heap, the input's storage itself becomes the output's, so a chunk of
/// any size costs O(1) and no byte is copied. Otherwise the data is copied, as much as the output
/// has room for. `T` is the element type: `u8` for bytes, or a message type.
///
/// It is the smallest useful stage: a placeholder in a chain, a point at which to observe a
/// link, or the start of a stage that transforms its input in place before handing it on.
///
/// Ports: `input` (`PBufRd<T>`) and `output` (`PBufWr<T>`). It cannot fail.
///
/// | input | output |
/// | --- | --- |
/// | data | the same data, in the same order |
/// | push | push, once the data before it has moved |
/// | close | close, once all data has moved |
/// | abort | abort, once all data has moved |
///
/// # Examples
///
/// ```
/// use pipebuf::{PBufState, PipeBuf, Stage};
/// use pipebuf_stages::{PassThrough, PassThroughPorts};
///
/// let (mut input, mut output) = (PipeBuf::new(), PipeBuf::new());
/// input.wr().append(&[7; 4096]);
/// input.wr().close();
/// let before = input.rd().data().as_ptr();
///
/// let mut stage = PassThrough::new();
/// assert!(stage.process(PassThroughPorts { input: input.rd(), output: output.wr() })?);
/// assert!(!stage.process(PassThroughPorts { input: input.rd(), output: output.wr() })?);
///
/// // The bytes did not move: the storage changed hands.
/// assert_eq!(output.rd().data().as_ptr(), before);
/// assert_eq!(output.rd().len(), 4096);
/// assert_eq!(output.state(), PBufState::Closing);
/// # Ok::<(), core::convert::Infallible>(())
/// ```
#[derive(Stage, Clone, Default)]
#[stage(ports(input: PBufRd<T>, output: PBufWr<T>))]
pub struct PassThrough<T: Default + Clone = u8> {
    // `fn() -> T` so that the stage is `Send` and `Sync` whatever `T` is: it holds no `T`.
    element: PhantomData<fn() -> T>,
}

impl<T: Default + Clone> PassThrough<T> {
    /// Creates the stage.
    ///
    /// # Examples
    ///
    /// ```
    /// let stage = pipebuf_stages::PassThrough::<Vec<u8>>::new();
    /// # let _ = stage;
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        PassThrough { element: PhantomData }
    }

    /// Moves everything it can; the derived [`Stage`] impl calls this.
    #[expect(clippy::unused_self, reason = "the derived `Stage` impl calls it as a method")]
    fn process(&mut self, mut p: PassThroughPorts<'_, T>) -> bool {
        let before = tripwire!(p.input, p.output);
        p.input.forward(p.output.reborrow());
        before != tripwire!(p.input, p.output)
    }
}

// By hand, because a derived impl would ask for `T: Debug`, and there is no `T` to show.
impl<T: Default + Clone> fmt::Debug for PassThrough<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PassThrough")
    }
}
