//! Two pipe buffers running opposite ways, as a full-duplex link between two layers.

use core::fmt;

use crate::{PBufRd, PBufTrip, PBufWr, PipeBuf};

/// Two [`PipeBuf`]s running opposite ways: a full-duplex link between a lower layer (towards the
/// wire) and an upper layer (towards the application), like a TCP stream.
///
/// Each direction has its own data and its own end: one may close while the other stays open.
/// [`PipeBufPair::lower`] is the lower layer's end (it reads `down`, writes `up`);
/// [`PipeBufPair::upper`] is the upper layer's end (it reads `up`, writes `down`).
/// `left`/`right` are the same ends under other names, for links that run sideways.
///
/// # Examples
///
/// ```
/// use pipebuf::PipeBufPair;
///
/// let mut link = PipeBufPair::new();
/// link.lower().wr.append(b"from the wire");
/// link.upper().wr.append(b"to the wire");
/// assert_eq!(link.upper().rd.data(), b"from the wire");
/// assert_eq!(link.lower().rd.data(), b"to the wire");
/// ```
pub struct PipeBufPair<T = u8, const N: usize = 0> {
    /// The buffer carrying data downwards, from the upper end to the lower end.
    pub down: PipeBuf<T, N>,
    /// The buffer carrying data upwards, from the lower end to the upper end.
    pub up: PipeBuf<T, N>,
}

#[cfg(feature = "alloc")]
impl<T: Default> PipeBufPair<T> {
    /// Creates a pair of empty heap buffers that grow as needed.
    ///
    /// # Examples
    ///
    /// ```
    /// let link = pipebuf::PipeBufPair::<u8>::new();
    /// assert_eq!(link.up.capacity(), 0);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_capacities(0, 0)
    }

    /// Creates a pair of heap buffers with room for `down` and `up` elements, growing as needed.
    ///
    /// # Examples
    ///
    /// ```
    /// let link = pipebuf::PipeBufPair::<u8>::with_capacities(512, 4096);
    /// assert_eq!((link.down.capacity(), link.up.capacity()), (512, 4096));
    /// ```
    #[must_use]
    pub fn with_capacities(down: usize, up: usize) -> Self {
        PipeBufPair { down: PipeBuf::with_capacity(down), up: PipeBuf::with_capacity(up) }
    }

    /// Creates a pair of heap buffers that hold at most `down` and `up` elements and never
    /// reallocate.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut link = pipebuf::PipeBufPair::<u8>::with_fixed_capacities(4, 8);
    /// assert_eq!(link.upper().wr.free_space(), Some(4));
    /// assert_eq!(link.lower().wr.free_space(), Some(8));
    /// ```
    #[must_use]
    pub fn with_fixed_capacities(down: usize, up: usize) -> Self {
        PipeBufPair {
            down: PipeBuf::with_fixed_capacity(down),
            up: PipeBuf::with_fixed_capacity(up),
        }
    }
}

impl<T: Default, const N: usize> PipeBufPair<T, N> {
    /// Creates a pair of buffers whose storage, `N` elements each, lies inside the value, with no
    /// heap; see [`PipeBuf::with_inline_storage`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut link = pipebuf::PipeBufPair::<u8, 256>::with_inline_storage();
    /// assert_eq!(link.lower().wr.free_space(), Some(256));
    /// ```
    #[must_use]
    pub fn with_inline_storage() -> Self {
        PipeBufPair { down: PipeBuf::with_inline_storage(), up: PipeBuf::with_inline_storage() }
    }

    /// Sets the largest number of elements each direction may hold; see [`PipeBuf::set_limit`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut link = pipebuf::PipeBufPair::<u8>::new();
    /// link.set_limits(Some(1024), None);
    /// assert_eq!(link.upper().wr.free_space(), Some(1024));
    /// assert_eq!(link.lower().wr.free_space(), None);
    /// ```
    pub fn set_limits(&mut self, down: Option<usize>, up: Option<usize>) {
        self.down.set_limit(down);
        self.up.set_limit(up);
    }

    /// Returns the upper layer's end: it reads what comes up and writes what goes down.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut link = pipebuf::PipeBufPair::new();
    /// link.upper().wr.append(b"request");
    /// assert_eq!(link.down.rd().data(), b"request");
    /// ```
    #[inline]
    pub fn upper(&mut self) -> PBufRdWr<'_, T> {
        PBufRdWr { rd: self.up.rd(), wr: self.down.wr() }
    }

    /// Returns the lower layer's end: it reads what goes down and writes what comes up.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut link = pipebuf::PipeBufPair::new();
    /// link.lower().wr.append(b"response");
    /// assert_eq!(link.up.rd().data(), b"response");
    /// ```
    #[inline]
    pub fn lower(&mut self) -> PBufRdWr<'_, T> {
        PBufRdWr { rd: self.down.rd(), wr: self.up.wr() }
    }

    /// Returns the same end as [`PipeBufPair::upper`], for links drawn left to right.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut link = pipebuf::PipeBufPair::new();
    /// link.left().wr.append(b">");
    /// assert_eq!(link.right().rd.data(), b">");
    /// ```
    #[inline]
    pub fn left(&mut self) -> PBufRdWr<'_, T> {
        self.upper()
    }

    /// Returns the same end as [`PipeBufPair::lower`], for links drawn left to right.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut link = pipebuf::PipeBufPair::new();
    /// link.right().wr.append(b"<");
    /// assert_eq!(link.left().rd.data(), b"<");
    /// ```
    #[inline]
    pub fn right(&mut self) -> PBufRdWr<'_, T> {
        self.lower()
    }

    /// Empties both buffers and reopens them, keeping their storage; see [`PipeBuf::reset`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut link = pipebuf::PipeBufPair::new();
    /// link.upper().wr.append(b"x");
    /// link.reset();
    /// assert!(link.lower().rd.is_empty());
    /// ```
    pub fn reset(&mut self) {
        self.down.reset();
        self.up.reset();
    }

    /// Empties both buffers and overwrites their storage; see [`PipeBuf::reset_and_zero`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut link = pipebuf::PipeBufPair::new();
    /// link.upper().wr.append(b"key");
    /// link.reset_and_zero();
    /// assert!(link.upper().wr.space(3).iter().all(|&b| b == 0));
    /// ```
    pub fn reset_and_zero(&mut self) {
        self.down.reset_and_zero();
        self.up.reset_and_zero();
    }

    /// Frees the storage of each direction that holds no unread data, as
    /// [`PipeBuf::release_if_empty`] does.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut link = pipebuf::PipeBufPair::new();
    /// link.lower().wr.append(b"x");
    /// link.release_if_empty();
    /// assert_eq!((link.down.capacity(), link.up.capacity()), (0, 64));
    /// ```
    pub fn release_if_empty(&mut self) {
        self.down.release_if_empty();
        self.up.release_if_empty();
    }
}

impl<T, const N: usize> PipeBufPair<T, N> {
    /// Returns the tripwires of both directions, `(down, up)`; see [`PBufTrip`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut link = pipebuf::PipeBufPair::new();
    /// let trips = link.tripwire();
    /// link.lower().wr.append(b"x");
    /// assert_eq!(link.tripwire().0, trips.0);
    /// assert_ne!(link.tripwire().1, trips.1);
    /// ```
    #[must_use]
    pub fn tripwire(&self) -> (PBufTrip, PBufTrip) {
        (self.down.tripwire(), self.up.tripwire())
    }
}

#[cfg(feature = "alloc")]
impl<T: Default> Default for PipeBufPair<T> {
    /// Creates a pair of empty growable heap buffers, as [`PipeBufPair::new`] does.
    fn default() -> Self {
        Self::new()
    }
}

impl<T, const N: usize> fmt::Debug for PipeBufPair<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PipeBufPair").field("down", &self.down).field("up", &self.up).finish()
    }
}

/// One end of a [`PipeBufPair`]: the reader of one direction and the writer of the other.
///
/// The fields are public so that the two halves can be passed on separately.
///
/// # Examples
///
/// ```
/// use pipebuf::{PBufRdWr, PipeBufPair};
///
/// // An echo layer: whatever comes in goes back out.
/// fn echo(mut io: PBufRdWr<'_>) {
///     io.rd.forward(io.wr.reborrow());
/// }
///
/// let mut link = PipeBufPair::new();
/// link.lower().wr.append(b"ping");
/// echo(link.upper());
/// assert_eq!(link.lower().rd.data(), b"ping");
/// ```
pub struct PBufRdWr<'a, T = u8> {
    /// The reader of the incoming direction.
    pub rd: PBufRd<'a, T>,
    /// The writer of the outgoing direction.
    pub wr: PBufWr<'a, T>,
}

impl<T> PBufRdWr<'_, T> {
    /// Returns new views of the same two buffers that borrow these, so that these can be used
    /// again once the new ones are gone.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::{PBufRdWr, PipeBufPair};
    ///
    /// fn reply(mut io: PBufRdWr<'_>) {
    ///     io.wr.append(b"ok");
    /// }
    ///
    /// let mut link = PipeBufPair::new();
    /// let mut io = link.upper();
    /// reply(io.reborrow());
    /// reply(io.reborrow());
    /// assert_eq!(link.lower().rd.data(), b"okok");
    /// ```
    #[inline]
    pub fn reborrow(&mut self) -> PBufRdWr<'_, T> {
        PBufRdWr { rd: self.rd.reborrow(), wr: self.wr.reborrow() }
    }

    /// Returns the tripwires of the incoming and the outgoing buffer, `(rd, wr)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut link = pipebuf::PipeBufPair::new();
    /// let mut io = link.upper();
    /// let before = io.tripwire();
    /// io.wr.append(b"x");
    /// assert_ne!(before, io.tripwire());
    /// ```
    #[must_use]
    pub fn tripwire(&self) -> (PBufTrip, PBufTrip) {
        (self.rd.tripwire(), self.wr.tripwire())
    }
}

impl<T> fmt::Debug for PBufRdWr<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PBufRdWr").field("rd", &self.rd).field("wr", &self.wr).finish()
    }
}
