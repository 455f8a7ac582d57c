//! The end-of-stream and push state of a pipe buffer.

/// The end-of-stream and push state of a [`PipeBuf`](crate::PipeBuf).
///
/// A stream ends either closed (clean: the data is complete) or aborted (broken: the data may be
/// incomplete), as a TCP stream ends with FIN or RST. The producer sets the end, and the state
/// says `Closing`/`Aborting` until the consumer takes it with
/// [`PBufRd::consume_eof`](crate::PBufRd::consume_eof), which turns it into `Closed`/`Aborted`.
/// The first end wins: a close after an abort, or an abort after a close, changes nothing.
///
/// # Examples
///
/// ```
/// use pipebuf::{PBufState, PipeBuf};
///
/// let mut p = PipeBuf::<u8, 16>::with_inline_storage();
/// assert_eq!(p.state(), PBufState::Open);
/// p.wr().push();
/// assert_eq!(p.state(), PBufState::Push);
/// p.wr().close();
/// assert_eq!(p.state(), PBufState::Closing);
/// assert!(p.rd().consume_eof());
/// assert_eq!(p.state(), PBufState::Closed);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum PBufState {
    /// The stream is open: more data may follow.
    Open,
    /// The stream is open, and the producer asks for what it wrote to be flushed now.
    Push,
    /// The producer ended the stream cleanly; the consumer has not taken the end yet. Data left in
    /// the buffer is the last of the stream.
    Closing,
    /// The stream ended cleanly and the consumer has taken the end.
    Closed,
    /// The producer ended the stream after a failure; the consumer has not taken the end yet.
    /// The data may be incomplete (a partial record, a protocol not ended properly).
    Aborting,
    /// The stream was aborted and the consumer has taken the end.
    Aborted,
}

impl PBufState {
    /// Returns true if the producer has ended the stream, by close or abort.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::PBufState;
    ///
    /// assert!(!PBufState::Push.is_eof());
    /// assert!(PBufState::Aborting.is_eof());
    /// ```
    #[must_use]
    pub const fn is_eof(self) -> bool {
        !matches!(self, PBufState::Open | PBufState::Push)
    }

    /// Returns true if the stream was aborted (`Aborting` or `Aborted`).
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::PBufState;
    ///
    /// assert!(PBufState::Aborted.is_aborted());
    /// assert!(!PBufState::Closed.is_aborted());
    /// ```
    #[must_use]
    pub const fn is_aborted(self) -> bool {
        matches!(self, PBufState::Aborting | PBufState::Aborted)
    }

    /// Returns true if an end is waiting for the consumer (`Closing` or `Aborting`).
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::PBufState;
    ///
    /// assert!(PBufState::Closing.has_pending_eof());
    /// assert!(!PBufState::Closed.has_pending_eof());
    /// ```
    #[must_use]
    pub const fn has_pending_eof(self) -> bool {
        matches!(self, PBufState::Closing | PBufState::Aborting)
    }
}
