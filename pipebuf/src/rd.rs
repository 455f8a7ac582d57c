//! The consumer's view of a pipe buffer.

use core::fmt;

use crate::shared::Shared;
use crate::{PBufState, PBufTrip, PBufWr};

/// The consumer's view of a [`PipeBuf`](crate::PipeBuf): it may read and consume data and take
/// push and end-of-stream indications, nothing else.
///
/// It costs what a `&mut PipeBuf` costs. Unlike a `&mut`, it is not reborrowed automatically when
/// passed on; use [`PBufRd::reborrow`] to pass it on and keep it.
///
/// # Examples
///
/// ```
/// use pipebuf::{PBufRd, PipeBuf};
///
/// // A consumer that takes whole lines and counts them.
/// fn count_lines(mut rd: PBufRd<'_>, count: &mut usize) {
///     while let Some(end) = rd.data().iter().position(|&b| b == b'\n') {
///         rd.consume(end + 1);
///         *count += 1;
///     }
/// }
///
/// let mut p = PipeBuf::new();
/// let mut count = 0;
/// p.wr().append(b"one\ntwo\nthr");
/// count_lines(p.rd(), &mut count);
/// assert_eq!((count, p.rd().data()), (2, &b"thr"[..]));
/// ```
pub struct PBufRd<'a, T = u8> {
    pub(crate) pb: &'a mut Shared<T>,
}

impl<'a, T> PBufRd<'a, T> {
    #[inline]
    pub(crate) fn new(pb: &'a mut Shared<T>) -> Self {
        PBufRd { pb }
    }

    /// Returns a new view of the same buffer that borrows this one, so that this one can be used
    /// again once the new one is gone. It costs a pointer copy.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::{PBufRd, PipeBuf};
    ///
    /// fn skip_one(mut rd: PBufRd<'_>) {
    ///     rd.consume(1);
    /// }
    ///
    /// let mut p = PipeBuf::new();
    /// p.wr().append(b"ab");
    /// let mut rd = p.rd();
    /// skip_one(rd.reborrow());
    /// assert_eq!(rd.data(), b"b");
    /// ```
    #[inline]
    pub fn reborrow(&mut self) -> PBufRd<'_, T> {
        PBufRd { pb: self.pb }
    }

    /// Returns a value that changes whenever the buffer changes; see [`PBufTrip`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::new();
    /// p.wr().append(b"x");
    /// let mut rd = p.rd();
    /// let trip = rd.tripwire();
    /// rd.consume(1);
    /// assert!(rd.is_tripped(trip));
    /// ```
    #[inline]
    #[must_use]
    pub fn tripwire(&self) -> PBufTrip {
        self.pb.tripwire()
    }

    /// Returns true if the buffer changed since `trip` was taken.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::new();
    /// let rd = p.rd();
    /// let trip = rd.tripwire();
    /// assert!(!rd.is_tripped(trip));
    /// ```
    #[inline]
    #[must_use]
    pub fn is_tripped(&self, trip: PBufTrip) -> bool {
        self.tripwire() != trip
    }

    /// Returns the unread data.
    ///
    /// Process what you can of it, then say how much with [`PBufRd::consume`]; anything left
    /// stays here for the next call, so a consumer needs no buffer of its own.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::new();
    /// p.wr().append(b"data");
    /// assert_eq!(p.rd().data(), b"data");
    /// ```
    #[inline]
    #[must_use]
    pub fn data(&self) -> &[T] {
        self.pb.unread()
    }

    /// Returns the unread data, mutable, so that it can be transformed in place before it is
    /// consumed or forwarded.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::new();
    /// p.wr().append(b"abc");
    /// p.rd().data_mut().make_ascii_uppercase();
    /// assert_eq!(p.rd().data(), b"ABC");
    /// ```
    #[inline]
    #[must_use]
    pub fn data_mut(&mut self) -> &mut [T] {
        let (rd, wr) = (self.pb.rd, self.pb.wr);
        &mut self.pb.storage_mut()[rd..wr]
    }

    /// Returns the number of unread elements.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::new();
    /// p.wr().append(b"abc");
    /// assert_eq!(p.rd().len(), 3);
    /// ```
    #[inline]
    #[must_use]
    pub fn len(&self) -> usize {
        self.pb.len()
    }

    /// Returns true if there is no unread data.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::new();
    /// assert!(p.rd().is_empty());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.pb.rd == self.pb.wr
    }

    /// Returns true if the buffer is bounded (a fixed capacity or a limit) and holds all it
    /// may: the producer can add nothing until some is consumed.
    ///
    /// A consumer that needs a whole unit before it can consume any (a record, a frame) uses
    /// this to tell "wait for more" from "more can never come": the unit is larger than the
    /// link.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8, 4>::with_inline_storage();
    /// p.wr().append(b"abc");
    /// assert!(!p.rd().is_full());
    /// p.wr().append(b"d");
    /// assert!(p.rd().is_full());
    /// assert!(!pipebuf::PipeBuf::<u8>::new().rd().is_full());
    /// ```
    #[must_use]
    pub fn is_full(&self) -> bool {
        self.pb.free_space() == Some(0)
    }

    /// Takes a push indication: returns true, and clears it, if the producer asked for a flush.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::new();
    /// p.wr().push();
    /// assert!(p.rd().consume_push());
    /// assert!(!p.rd().consume_push());
    /// ```
    pub fn consume_push(&mut self) -> bool {
        let push = self.pb.state == PBufState::Push;
        if push {
            self.pb.set_state(PBufState::Open);
        }
        push
    }

    /// Takes the end of the stream: turns `Closing` into `Closed` and `Aborting` into `Aborted`
    /// and returns true. Returns false if there is no end, or if it was taken already, so it
    /// returns true exactly once per stream. Check which end it was with [`PBufRd::is_aborted`].
    ///
    /// Any data still unread is the last of the stream, and stays readable.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::new();
    /// p.wr().abort();
    /// let mut rd = p.rd();
    /// assert!(rd.consume_eof());
    /// assert!(rd.is_aborted());
    /// assert!(!rd.consume_eof());
    /// ```
    pub fn consume_eof(&mut self) -> bool {
        let taken = match self.pb.state {
            PBufState::Closing => PBufState::Closed,
            PBufState::Aborting => PBufState::Aborted,
            _ => return false,
        };
        self.pb.set_state(taken);
        true
    }

    /// Returns true if an end is waiting to be taken (`Closing` or `Aborting`).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::new();
    /// p.wr().close();
    /// assert!(p.rd().has_pending_eof());
    /// ```
    #[must_use]
    pub fn has_pending_eof(&self) -> bool {
        self.pb.state.has_pending_eof()
    }

    /// Returns true if the producer ended the stream, whether or not the end was taken. Data left
    /// in the buffer is then the last of the stream.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::new();
    /// p.wr().close();
    /// assert!(p.rd().is_eof());
    /// ```
    #[must_use]
    pub fn is_eof(&self) -> bool {
        self.pb.state.is_eof()
    }

    /// Returns true if the stream was aborted (`Aborting` or `Aborted`).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::new();
    /// p.wr().abort();
    /// assert!(p.rd().is_aborted());
    /// ```
    #[must_use]
    pub fn is_aborted(&self) -> bool {
        self.pb.state.is_aborted()
    }

    /// Returns true once the stream is over for the consumer: an abort it has taken, or a close
    /// it has taken with all data consumed.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::new();
    /// p.wr().abort();
    /// assert!(p.rd().consume_eof());
    /// assert!(p.rd().is_done());
    /// ```
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.pb.is_done()
    }

    /// Returns the end-of-stream and push state.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::{PBufState, PipeBuf};
    ///
    /// let mut p = PipeBuf::<u8>::new();
    /// assert_eq!(p.rd().state(), PBufState::Open);
    /// ```
    #[must_use]
    pub fn state(&self) -> PBufState {
        self.pb.state
    }
}

impl<T: Default + Clone> PBufRd<'_, T> {
    /// Marks the first `len` unread elements as consumed.
    ///
    /// # Panics
    ///
    /// Panics if `len` is more than [`PBufRd::len`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::new();
    /// p.wr().append(b"abc");
    /// p.rd().consume(2);
    /// assert_eq!(p.rd().data(), b"c");
    /// ```
    #[inline]
    #[track_caller]
    pub fn consume(&mut self, len: usize) {
        self.pb.consume(len);
    }

    /// Hands all unread data on to `dest`, then the push indication and the end of the stream.
    ///
    /// When `dest` is empty and both buffers are on the heap, the storage itself changes hands:
    /// the cost is O(1) whatever the amount of data, so a pass-through stage copies nothing.
    /// Otherwise the data is copied. If `dest` has a limit or a fixed capacity, only what fits
    /// moves, and push and end follow once everything has moved. Nothing moves into a `dest`
    /// that has already ended.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::{PBufState, PipeBuf};
    ///
    /// let (mut a, mut b) = (PipeBuf::new(), PipeBuf::new());
    /// a.wr().append(b"payload");
    /// a.wr().close();
    /// a.rd().forward(b.wr());
    /// assert_eq!(b.rd().data(), b"payload");
    /// assert_eq!(b.state(), PBufState::Closing);
    /// assert_eq!(a.state(), PBufState::Closed);
    /// ```
    pub fn forward(&mut self, dest: PBufWr<'_, T>) {
        let dest = dest.pb;
        if dest.state.is_eof() {
            return;
        }
        self.pb.move_to(dest, usize::MAX);
        if self.is_empty() {
            if self.consume_push() {
                dest.set_state(PBufState::Push);
            }
            if self.consume_eof() {
                let end = if self.is_aborted() { PBufState::Aborting } else { PBufState::Closing };
                dest.set_state(end);
            }
        }
    }

    /// Hands the first `len` unread elements (or all, if fewer) on to `dest`, and returns how
    /// many moved. Push and end-of-stream stay here.
    ///
    /// This is how a stage passes on whole records and keeps a partial one: when `dest` is empty,
    /// both buffers are on the heap and more moves on than stays behind, the storage changes
    /// hands and only the remainder is copied back, so the cost is that of the smaller part.
    /// Fewer elements move if `dest` is bounded and full, none if it has ended.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::PipeBuf;
    ///
    /// let (mut a, mut b) = (PipeBuf::new(), PipeBuf::new());
    /// a.wr().append(b"line 1\nline 2\npart");
    /// let whole = a.rd().data().iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
    /// assert_eq!(a.rd().forward_prefix(b.wr(), whole), 14);
    /// assert_eq!(b.rd().data(), b"line 1\nline 2\n");
    /// assert_eq!(a.rd().data(), b"part");
    /// ```
    pub fn forward_prefix(&mut self, dest: PBufWr<'_, T>, len: usize) -> usize {
        let PBufWr { pb: dest } = dest;
        if dest.state.is_eof() {
            return 0;
        }
        self.pb.move_to(dest, len)
    }
}

impl<T> fmt::Debug for PBufRd<'_, T> {
    /// Shows the state and sizes, never the contents, which may be secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.pb.fmt_fields(f.debug_struct("PBufRd")).finish()
    }
}
