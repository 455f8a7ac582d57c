//! The producer's view of a pipe buffer.

use core::fmt;

use crate::shared::Shared;
use crate::{PBufState, PBufTrip};

/// The producer's view of a [`PipeBuf`](crate::PipeBuf): it may write data, ask for a flush and
/// end the stream, nothing else.
///
/// It costs what a `&mut PipeBuf` costs. Unlike a `&mut`, it is not reborrowed automatically when
/// passed on; use [`PBufWr::reborrow`] to pass it on and keep it.
///
/// # Examples
///
/// ```
/// use pipebuf::{PBufWr, PipeBuf};
///
/// // A producer that writes a decimal number straight into the buffer's free space.
/// fn put_number(mut wr: PBufWr<'_>, n: u32) {
///     let text = n.to_string();
///     let space = wr.space(text.len());
///     space.copy_from_slice(text.as_bytes());
///     wr.commit(text.len());
/// }
///
/// let mut p = PipeBuf::new();
/// put_number(p.wr(), 42);
/// assert_eq!(p.rd().data(), b"42");
/// ```
pub struct PBufWr<'a, T = u8> {
    pub(crate) pb: &'a mut Shared<T>,
}

impl<'a, T> PBufWr<'a, T> {
    #[inline]
    pub(crate) fn new(pb: &'a mut Shared<T>) -> Self {
        PBufWr { pb }
    }

    /// Returns a new view of the same buffer that borrows this one, so that this one can be used
    /// again once the new one is gone. It costs a pointer copy.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::{PBufWr, PipeBuf};
    ///
    /// fn put_a(mut wr: PBufWr<'_>) {
    ///     wr.append(b"a");
    /// }
    ///
    /// let mut p = PipeBuf::new();
    /// let mut wr = p.wr();
    /// put_a(wr.reborrow());
    /// put_a(wr.reborrow());
    /// assert_eq!(p.rd().data(), b"aa");
    /// ```
    #[inline]
    pub fn reborrow(&mut self) -> PBufWr<'_, T> {
        PBufWr { pb: self.pb }
    }

    /// Returns a value that changes whenever the buffer changes; see [`PBufTrip`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::new();
    /// let mut wr = p.wr();
    /// let trip = wr.tripwire();
    /// wr.close();
    /// assert!(wr.is_tripped(trip));
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
    /// let wr = p.wr();
    /// assert!(!wr.is_tripped(wr.tripwire()));
    /// ```
    #[inline]
    #[must_use]
    pub fn is_tripped(&self, trip: PBufTrip) -> bool {
        self.tripwire() != trip
    }

    /// Makes `len` elements written at the start of the slice from [`PBufWr::space`] (or
    /// [`PBufWr::try_space`], [`PBufWr::write_with`]) part of the stream.
    ///
    /// Commit right after writing: any other call on the buffer may move its free space.
    ///
    /// # Panics
    ///
    /// Panics if `len` is not 0 and the stream has already ended (close or abort), or if `len` is
    /// more than the free space the buffer has.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::new();
    /// let mut wr = p.wr();
    /// wr.space(8)[..2].copy_from_slice(b"hi");
    /// wr.commit(2);
    /// assert_eq!(p.rd().data(), b"hi");
    /// ```
    #[inline]
    #[track_caller]
    pub fn commit(&mut self, len: usize) {
        if len == 0 {
            return;
        }
        if self.pb.state.is_eof() {
            panic_commit_after_eof();
        }
        if len > self.pb.usable.saturating_sub(self.pb.wr) {
            panic_commit_overflow(len);
        }
        self.pb.wr += len;
    }

    /// Returns how many more elements the buffer may hold, or `None` if it grows without bound.
    ///
    /// A buffer with a fixed capacity or a limit ([`PipeBuf::set_limit`](crate::PipeBuf::set_limit))
    /// reports what is left of it. A producer driven by a peer (a decompressor, a parser of
    /// length-prefixed frames) uses this to produce no more than fits, and lets the glue run
    /// the consumer first.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8, 8>::with_inline_storage();
    /// p.wr().append(b"abc");
    /// assert_eq!(p.wr().free_space(), Some(5));
    /// assert_eq!(pipebuf::PipeBuf::<u8>::new().wr().free_space(), None);
    /// ```
    #[must_use]
    pub fn free_space(&self) -> Option<usize> {
        self.pb.free_space()
    }

    /// Returns true if the buffer is bounded and holds all it may.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8, 2>::with_inline_storage();
    /// p.wr().append(b"ab");
    /// assert!(p.wr().is_full());
    /// ```
    #[must_use]
    pub fn is_full(&self) -> bool {
        self.free_space() == Some(0)
    }

    /// Returns true if the amount of unread data is more than `limit`.
    ///
    /// This lets a producer that protects against a flood (a peer sending faster than the
    /// consumer takes) stop producing; prefer a buffer limit where that fits.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::new();
    /// p.wr().append(b"abcd");
    /// assert!(p.wr().exceeds_limit(3));
    /// assert!(!p.wr().exceeds_limit(4));
    /// ```
    #[must_use]
    pub fn exceeds_limit(&self, limit: usize) -> bool {
        self.pb.len() > limit
    }

    /// Returns what has been written and not yet consumed, oldest first, so that a producer can
    /// bound its consumer's backlog by more than a count of elements: the bytes of the messages
    /// waiting, say.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<String>::new();
    /// p.wr().append(&["one".to_owned(), "three".to_owned()]);
    /// p.rd().consume(1);
    /// let waiting: usize = p.wr().unread().iter().map(String::len).sum();
    /// assert_eq!(waiting, 5);
    /// ```
    #[must_use]
    pub fn unread(&self) -> &[T] {
        self.pb.unread()
    }

    /// Asks the consumer to flush what has been written so far. Has no effect once the stream
    /// has ended.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::new();
    /// p.wr().push();
    /// assert!(p.is_push());
    /// ```
    pub fn push(&mut self) {
        if !self.pb.state.is_eof() {
            self.pb.set_state(PBufState::Push);
        }
    }

    /// Returns true if the stream has ended (by [`PBufWr::close`] or [`PBufWr::abort`]); no more
    /// data may be written.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::new();
    /// p.wr().abort();
    /// assert!(p.wr().is_eof());
    /// ```
    #[must_use]
    pub fn is_eof(&self) -> bool {
        self.pb.state.is_eof()
    }

    /// Ends the stream cleanly: what was written is complete. The state becomes `Closing` until
    /// the consumer takes the end.
    ///
    /// Ignored if the stream has already ended: the first end wins.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::{PBufState, PipeBuf};
    ///
    /// let mut p = PipeBuf::<u8>::new();
    /// p.wr().close();
    /// p.wr().abort();
    /// assert_eq!(p.state(), PBufState::Closing);
    /// ```
    pub fn close(&mut self) {
        if !self.pb.state.is_eof() {
            self.pb.set_state(PBufState::Closing);
        }
    }

    /// Ends the stream after a failure: what was written may be incomplete. The state becomes
    /// `Aborting` until the consumer takes the end.
    ///
    /// Ignored if the stream has already ended: the first end wins, because whoever closed it
    /// judged the data complete, and the consumer may already have seen that.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::{PBufState, PipeBuf};
    ///
    /// let mut p = PipeBuf::<u8>::new();
    /// p.wr().abort();
    /// p.wr().close();
    /// assert_eq!(p.state(), PBufState::Aborting);
    /// ```
    pub fn abort(&mut self) {
        if !self.pb.state.is_eof() {
            self.pb.set_state(PBufState::Aborting);
        }
    }
}

impl<T: Default> PBufWr<'_, T> {
    /// Returns `reserve` elements of free space to write into, growing the buffer if needed.
    /// Write at the start of it, then [`PBufWr::commit`] what you wrote.
    ///
    /// The space is not cleared: it holds whatever the storage held before. Make no assumptions
    /// about it.
    ///
    /// # Panics
    ///
    /// Panics if the buffer cannot make room: its capacity is fixed or it has a limit, and
    /// `reserve` is more than [`PBufWr::free_space`]. Use [`PBufWr::try_space`] when a peer
    /// decides the size.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::new();
    /// let mut wr = p.wr();
    /// let space = wr.space(3);
    /// space.copy_from_slice(b"abc");
    /// wr.commit(3);
    /// assert_eq!(p.rd().data(), b"abc");
    /// ```
    #[inline]
    #[track_caller]
    pub fn space(&mut self, reserve: usize) -> &mut [T] {
        if !self.pb.reserve(reserve) {
            panic_no_space(reserve, self.pb.free_space());
        }
        let wr = self.pb.wr;
        &mut self.pb.storage_mut()[wr..wr + reserve]
    }

    /// Returns `reserve` elements of free space as [`PBufWr::space`] does, or `None` if the
    /// buffer's capacity or limit leaves less than that.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8, 4>::with_inline_storage();
    /// assert!(p.wr().try_space(4).is_some());
    /// assert!(p.wr().try_space(5).is_none());
    /// ```
    #[inline]
    pub fn try_space(&mut self, reserve: usize) -> Option<&mut [T]> {
        if !self.pb.reserve(reserve) {
            return None;
        }
        let wr = self.pb.wr;
        Some(&mut self.pb.storage_mut()[wr..wr + reserve])
    }

    /// Passes `reserve` elements of free space to `write`, commits the length it returns and
    /// returns it; an error from `write` is returned as it is and commits nothing.
    ///
    /// # Errors
    ///
    /// Returns the error `write` returns.
    ///
    /// # Panics
    ///
    /// Panics as [`PBufWr::space`] and [`PBufWr::commit`] do.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Read;
    ///
    /// let mut source: &[u8] = b"from a reader";
    /// let mut p = pipebuf::PipeBuf::new();
    /// let n = p.wr().write_with(64, |space| source.read(space))?;
    /// assert_eq!(p.rd().data(), b"from a reader");
    /// assert_eq!(n, 13);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn write_with<E>(
        &mut self,
        reserve: usize,
        write: impl FnOnce(&mut [T]) -> Result<usize, E>,
    ) -> Result<usize, E> {
        let len = write(self.space(reserve))?;
        self.commit(len);
        Ok(len)
    }

    /// Passes `reserve` elements of free space to `write`, commits the length it returns and
    /// returns it.
    ///
    /// # Panics
    ///
    /// Panics as [`PBufWr::space`] and [`PBufWr::commit`] do.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::new();
    /// p.wr().write_with_noerr(4, |space| {
    ///     space[0] = b'!';
    ///     1
    /// });
    /// assert_eq!(p.rd().data(), b"!");
    /// ```
    #[track_caller]
    pub fn write_with_noerr(
        &mut self,
        reserve: usize,
        write: impl FnOnce(&mut [T]) -> usize,
    ) -> usize {
        let len = write(self.space(reserve));
        self.commit(len);
        len
    }
}

impl<T: Default + Clone> PBufWr<'_, T> {
    /// Writes a copy of `data` to the stream.
    ///
    /// # Panics
    ///
    /// Panics as [`PBufWr::space`] and [`PBufWr::commit`] do: if the stream has ended, or the
    /// buffer is bounded and `data` does not fit.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::new();
    /// p.wr().append(b"abc");
    /// assert_eq!(p.rd().data(), b"abc");
    /// ```
    #[inline]
    #[track_caller]
    pub fn append(&mut self, data: &[T]) {
        self.space(data.len()).clone_from_slice(data);
        self.commit(data.len());
    }
}

impl<T> fmt::Debug for PBufWr<'_, T> {
    /// Shows the state and sizes, never the contents, which may be secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.pb.fmt_fields(f.debug_struct("PBufWr")).finish()
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn panic_no_space(reserve: usize, free: Option<usize>) -> ! {
    match free {
        Some(free) => panic!("PipeBuf has room for {free} more elements, not {reserve}"),
        None => panic!("PipeBuf cannot grow by {reserve} elements"),
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn panic_commit_after_eof() -> ! {
    panic!("cannot commit data to a PipeBuf after close or abort");
}

#[cold]
#[inline(never)]
#[track_caller]
fn panic_commit_overflow(len: usize) -> ! {
    panic!("cannot commit {len} elements: more than the space reserved");
}
