//! The pipe buffer itself, owned by the glue code.

use core::fmt;

use crate::shared::Core;
use crate::{PBufRd, PBufState, PBufTrip, PBufWr};

/// A buffer shared by the producer and the consumer of a stream.
///
/// The producer writes straight into its free space through a [`PBufWr`]; the consumer reads
/// straight out of its unread data through a [`PBufRd`], and may leave a partial record there until
/// the rest arrives. Neither owns the buffer: the glue code that connects them does, and hands out
/// the two views with [`PipeBuf::wr`] and [`PipeBuf::rd`].
///
/// `T` is the element type (`u8` for a byte stream). Storage is one of:
///
/// - on the heap, growing as needed ([`PipeBuf::new`], [`PipeBuf::with_capacity`]; feature
///   `alloc`), optionally up to a limit ([`PipeBuf::set_limit`]);
/// - on the heap, fixed ([`PipeBuf::with_fixed_capacity`]; feature `alloc`);
/// - inline, `N` elements inside the value itself, with no heap at all
///   ([`PipeBuf::with_inline_storage`]), usable in `no_std` without an allocator and beside heap
///   buffers.
///
/// # Examples
///
/// ```
/// use pipebuf::PipeBuf;
///
/// let mut p = PipeBuf::new();
/// p.wr().append(b"hello ");
/// p.wr().append(b"world");
/// p.wr().close();
///
/// let mut rd = p.rd();
/// assert_eq!(rd.data(), b"hello world");
/// rd.consume(6);
/// assert_eq!(rd.data(), b"world");
/// ```
pub struct PipeBuf<T = u8, const N: usize = 0> {
    core: Core<T, [T; N]>,
}

#[cfg(feature = "alloc")]
impl<T: Default> PipeBuf<T> {
    /// Creates an empty heap buffer that grows as needed.
    ///
    /// No memory is allocated until data is written.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = pipebuf::PipeBuf::<u8>::new();
    /// assert_eq!(p.capacity(), 0);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// Creates an empty heap buffer with room for `cap` elements, growing beyond it as needed.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = pipebuf::PipeBuf::<u8>::with_capacity(4096);
    /// assert_eq!(p.capacity(), 4096);
    /// ```
    #[must_use]
    pub fn with_capacity(cap: usize) -> Self {
        PipeBuf { core: Core::heap(cap, true) }
    }

    /// Creates an empty heap buffer that holds at most `cap` elements and never reallocates.
    ///
    /// [`PBufWr::space`] panics if asked for more than is free; [`PBufWr::try_space`] returns
    /// `None` instead.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::with_fixed_capacity(4);
    /// assert!(p.wr().try_space(4).is_some());
    /// assert!(p.wr().try_space(5).is_none());
    /// ```
    #[must_use]
    pub fn with_fixed_capacity(cap: usize) -> Self {
        PipeBuf { core: Core::heap(cap, false) }
    }
}

impl<T: Default, const N: usize> PipeBuf<T, N> {
    /// Creates an empty buffer whose storage is `N` elements inside the value, with no heap.
    ///
    /// Its capacity is fixed at `N`. It needs no allocator, so it works in `no_std` without
    /// `alloc`, and it can sit beside heap buffers. `N` must not be 0 (a compile-time error).
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::PipeBuf;
    ///
    /// let mut p = PipeBuf::<u8, 64>::with_inline_storage();
    /// p.wr().append(b"no heap");
    /// assert_eq!(p.rd().data(), b"no heap");
    /// assert_eq!(p.wr().free_space(), Some(57));
    /// ```
    #[must_use]
    pub fn with_inline_storage() -> Self {
        const { assert!(N > 0, "inline storage needs N > 0; use PipeBuf::new() for the heap") };
        PipeBuf { core: Core::inline() }
    }

    /// A buffer for a pipeline's link: inline storage when `N` is not 0, else on the heap with
    /// `capacity` to start with (fixed if `fixed`), which needs `alloc`.
    pub(crate) fn for_link(capacity: Option<usize>, fixed: bool) -> Self {
        #[cfg(feature = "alloc")]
        if N == 0 {
            return PipeBuf { core: Core::heap(capacity.unwrap_or(0), !fixed) };
        }
        #[cfg(not(feature = "alloc"))]
        const {
            assert!(
                N > 0,
                "without the `alloc` feature a link needs inline storage, `PipeBuf<T, N>`"
            );
        };
        let _ = (capacity, fixed);
        PipeBuf { core: Core::inline() }
    }

    /// Sets the largest number of elements the buffer may hold, or removes the limit (`None`).
    ///
    /// A growable heap buffer then grows up to `limit` and no further, so input from a peer can
    /// never make it grow without bound: [`PBufWr::try_space`] returns `None` and
    /// [`PBufWr::free_space`] reports what is left. A fixed or inline buffer is bounded by the
    /// lower of its capacity and its limit. Data already held beyond a new, lower limit stays
    /// readable.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::new();
    /// p.set_limit(Some(1024));
    /// assert_eq!(p.wr().free_space(), Some(1024));
    /// assert!(p.wr().try_space(1025).is_none());
    /// p.wr().append(&[0; 1000]);
    /// assert_eq!(p.wr().free_space(), Some(24));
    /// ```
    pub fn set_limit(&mut self, limit: Option<usize>) {
        let core = self.shared_mut();
        core.limit = limit.unwrap_or(usize::MAX);
        #[cfg(feature = "alloc")]
        if core.growable && core.heap.len() > core.limit {
            // Give back memory beyond the limit, but never unread data.
            let keep = core.limit.max(core.wr);
            core.heap.truncate(keep);
        }
        core.update_usable();
    }

    /// Returns the limit set by [`PipeBuf::set_limit`], if any.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::new();
    /// assert_eq!(p.limit(), None);
    /// p.set_limit(Some(10));
    /// assert_eq!(p.limit(), Some(10));
    /// ```
    #[must_use]
    pub fn limit(&self) -> Option<usize> {
        (self.core.limit != usize::MAX).then_some(self.core.limit)
    }

    /// Returns the number of elements the storage holds now, unread data and free space together.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = pipebuf::PipeBuf::<u8, 32>::with_inline_storage();
    /// assert_eq!(p.capacity(), 32);
    /// ```
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.shared().storage().len()
    }

    /// Empties the buffer and returns it to the `Open` state, keeping its storage.
    ///
    /// The storage is not cleared: old data may be seen in the free space that
    /// [`PBufWr::space`] returns. Use [`PipeBuf::reset_and_zero`] if it held secrets.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::{PBufState, PipeBuf};
    ///
    /// let mut p = PipeBuf::new();
    /// p.wr().append(b"abc");
    /// p.wr().abort();
    /// p.reset();
    /// assert!(p.rd().is_empty());
    /// assert_eq!(p.state(), PBufState::Open);
    /// ```
    pub fn reset(&mut self) {
        self.shared_mut().reset();
    }

    /// Frees the storage if the buffer holds no unread data and grows on the heap (not inline,
    /// not `fixed`); returns whether it did. The buffer grows again when next written.
    ///
    /// An idle connection can so hold no buffer memory at all: a driver calls this (or a
    /// pipeline's `release_empty_links`) when the connection goes quiet. The state, the limit
    /// and the tripwire are kept. The storage is freed as it is, not cleared: call
    /// [`PipeBuf::reset_and_zero`] first if it held secrets.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::new();
    /// p.wr().append(&[0; 4096]);
    /// assert!(!p.release_if_empty()); // unread data stays
    /// p.rd().consume(4096);
    /// assert!(p.release_if_empty());
    /// assert_eq!(p.capacity(), 0);
    /// ```
    pub fn release_if_empty(&mut self) -> bool {
        self.shared_mut().release_if_empty()
    }

    /// Empties the buffer as [`PipeBuf::reset`] does, and overwrites all its storage with
    /// `T::default()`, so that nothing it held can leak to a later user.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::new();
    /// p.wr().append(b"secret");
    /// p.reset_and_zero();
    /// assert!(p.wr().space(6).iter().all(|&b| b == 0));
    /// ```
    pub fn reset_and_zero(&mut self) {
        self.shared_mut().reset();
        self.shared_mut().storage_mut().fill_with(T::default);
    }

    /// Returns the consumer's view of the buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::new();
    /// p.wr().append(b"x");
    /// assert_eq!(p.rd().data(), b"x");
    /// ```
    #[inline]
    pub fn rd(&mut self) -> PBufRd<'_, T> {
        PBufRd::new(&mut self.core)
    }

    /// Returns the producer's view of the buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::new();
    /// p.wr().append(b"x");
    /// assert_eq!(p.rd().len(), 1);
    /// ```
    #[inline]
    pub fn wr(&mut self) -> PBufWr<'_, T> {
        PBufWr::new(&mut self.core)
    }
}

impl<T, const N: usize> PipeBuf<T, N> {
    /// Returns a value that changes whenever the buffer changes; see [`PBufTrip`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::new();
    /// let trip = p.tripwire();
    /// p.wr().append(b"x");
    /// assert_ne!(trip, p.tripwire());
    /// ```
    #[inline]
    #[must_use]
    pub fn tripwire(&self) -> PBufTrip {
        self.shared().tripwire()
    }

    /// Returns true if the buffer changed since `trip` was taken.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::new();
    /// let trip = p.tripwire();
    /// assert!(!p.is_tripped(trip));
    /// p.wr().push();
    /// assert!(p.is_tripped(trip));
    /// ```
    #[inline]
    #[must_use]
    pub fn is_tripped(&self, trip: PBufTrip) -> bool {
        self.tripwire() != trip
    }

    /// Returns the end-of-stream and push state.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::{PBufState, PipeBuf};
    ///
    /// let mut p = PipeBuf::<u8>::new();
    /// p.wr().close();
    /// assert_eq!(p.state(), PBufState::Closing);
    /// ```
    #[inline]
    #[must_use]
    pub fn state(&self) -> PBufState {
        self.core.state
    }

    /// Returns true if the producer asked for a flush that the consumer has not taken yet.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::new();
    /// p.wr().push();
    /// assert!(p.is_push());
    /// ```
    #[must_use]
    pub fn is_push(&self) -> bool {
        self.core.state == PBufState::Push
    }

    /// Sets or clears the push flag, which the glue code may do to override a producer that
    /// flushes too often. Has no effect once the stream has ended.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::<u8>::new();
    /// p.wr().push();
    /// p.set_push(false);
    /// assert!(!p.is_push());
    /// ```
    pub fn set_push(&mut self, push: bool) {
        if !self.core.state.is_eof() {
            let state = if push { PBufState::Push } else { PBufState::Open };
            self.shared_mut().set_state(state);
        }
    }

    /// Returns true once the stream is over for the consumer: an abort it has taken, or a close
    /// it has taken with all data consumed.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::new();
    /// p.wr().append(b"x");
    /// p.wr().close();
    /// assert!(p.rd().consume_eof());
    /// assert!(!p.is_done());
    /// p.rd().consume(1);
    /// assert!(p.is_done());
    /// ```
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.shared().is_done()
    }

    #[inline]
    pub(crate) fn shared(&self) -> &crate::shared::Shared<T> {
        &self.core
    }

    #[inline]
    fn shared_mut(&mut self) -> &mut crate::shared::Shared<T> {
        &mut self.core
    }
}

#[cfg(feature = "alloc")]
impl<T: Default> Default for PipeBuf<T> {
    /// Creates an empty growable heap buffer, as [`PipeBuf::new`] does.
    fn default() -> Self {
        Self::new()
    }
}

impl<T, const N: usize> fmt::Debug for PipeBuf<T, N> {
    /// Shows the state and sizes, never the contents, which may be secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shared().fmt_fields(f.debug_struct("PipeBuf")).finish()
    }
}
