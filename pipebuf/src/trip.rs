//! Tripwires: cheap values that show whether a buffer changed.

/// A value that changes whenever its buffer changes.
///
/// Take one with [`PipeBuf::tripwire`](crate::PipeBuf::tripwire) (or the same call on a reader or
/// writer), do some work, and compare it with a new one: they differ if and only if something
/// happened to the buffer in between. That covers data produced or consumed, push set or taken,
/// and an end set or taken.
///
/// Unlike the published `pipebuf` 0.3, whose tripwire is the amount of unread data plus the state,
/// this one never misses a change: it is built from counters of everything produced and consumed
/// since creation, so producing and then consuming the same amount between two readings still
/// trips it. A pipeline's scheduler relies on that to skip stages safely.
///
/// Use [`tripwire!`](crate::tripwire!) to take the tripwires of several buffers at once.
///
/// # Examples
///
/// ```
/// use pipebuf::PipeBuf;
///
/// let mut p = PipeBuf::<u8, 16>::with_inline_storage();
/// let before = p.tripwire();
/// p.wr().append(b"abc");
/// p.rd().consume(3);
/// assert_eq!(p.rd().len(), 0);
/// assert!(p.is_tripped(before));
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct PBufTrip(pub(crate) u64);

/// Takes the tripwires of several buffers, readers or writers at once, as a tuple.
///
/// Compare the tuple taken before some work with one taken after to see whether any of them
/// changed.
///
/// # Examples
///
/// ```
/// use pipebuf::{tripwire, PipeBuf};
///
/// let mut a = PipeBuf::<u8, 8>::with_inline_storage();
/// let b = PipeBuf::<u8, 8>::with_inline_storage();
/// let before = tripwire!(a, b);
/// a.wr().append(b"x");
/// assert_ne!(before, tripwire!(a, b));
/// ```
#[macro_export]
macro_rules! tripwire {
    ($($buf:expr),+ $(,)?) => {
        ($($buf.tripwire(),)+)
    };
}
