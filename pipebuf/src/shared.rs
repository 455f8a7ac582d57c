//! The storage and bookkeeping shared by `PipeBuf` and its reader and writer views.

#[cfg(feature = "alloc")]
use alloc::vec::Vec;

use core::fmt;
use core::marker::PhantomData;

use crate::{PBufState, PBufTrip};

/// The state of one pipe buffer: positions, EOF state, counters and storage.
///
/// `S` is `[T; N]` inside a `PipeBuf<T, N>` and `[T]` behind the `&mut` that readers and writers
/// hold, so that one reader/writer type serves every storage size. Heap storage lives in `heap`
/// and is used when `inline` is empty.
pub(crate) struct Core<T, S: ?Sized> {
    /// Index of the first unread element in the storage.
    pub(crate) rd: usize,
    /// Index one past the last unread element.
    pub(crate) wr: usize,
    /// Stream position of storage index 0. With it, `base + rd` and `base + wr` count every
    /// element ever consumed and produced, so tripwires never miss a change.
    pub(crate) base: u64,
    /// Number of state changes so far, for the same reason.
    pub(crate) events: u64,
    pub(crate) state: PBufState,
    /// The user's limit on the elements held (`usize::MAX`: none).
    pub(crate) limit: usize,
    /// How much of the storage may be used: its length, or the limit if lower. The writer's fast
    /// path checks this one number.
    pub(crate) usable: usize,
    /// Whether heap storage may be reallocated to grow.
    pub(crate) growable: bool,
    #[cfg(feature = "alloc")]
    pub(crate) heap: Vec<T>,
    /// Names `T` for builds without `alloc`, where no other field does.
    element: PhantomData<T>,
    pub(crate) inline: S,
}

/// The storage-size-erased form that readers and writers point to.
pub(crate) type Shared<T> = Core<T, [T]>;

impl<T: Default, const N: usize> Core<T, [T; N]> {
    pub(crate) fn inline() -> Self {
        Core {
            rd: 0,
            wr: 0,
            base: 0,
            events: 0,
            state: PBufState::Open,
            limit: usize::MAX,
            usable: N,
            growable: false,
            #[cfg(feature = "alloc")]
            heap: Vec::new(),
            element: PhantomData,
            inline: core::array::from_fn(|_| T::default()),
        }
    }

    #[cfg(feature = "alloc")]
    pub(crate) fn heap(len: usize, growable: bool) -> Self {
        let mut heap = Vec::new();
        heap.resize_with(len, T::default);
        Core { usable: len, growable, heap, ..Self::inline() }
    }
}

impl<T> Shared<T> {
    #[inline]
    pub(crate) fn storage(&self) -> &[T] {
        #[cfg(feature = "alloc")]
        if self.inline.is_empty() {
            return &self.heap;
        }
        &self.inline
    }

    #[inline]
    pub(crate) fn storage_mut(&mut self) -> &mut [T] {
        #[cfg(feature = "alloc")]
        if self.inline.is_empty() {
            return &mut self.heap;
        }
        &mut self.inline
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.wr - self.rd
    }

    /// The unread data.
    #[inline]
    pub(crate) fn unread(&self) -> &[T] {
        &self.storage()[self.rd..self.wr]
    }

    #[inline]
    pub(crate) fn tripwire(&self) -> PBufTrip {
        // `base + rd` and `base + wr` only grow, and `events` counts every state change, so their
        // sum changes whenever anything happens (it could repeat only after 2^64 elements).
        let positions = self.base.wrapping_mul(2).wrapping_add(self.rd as u64 + self.wr as u64);
        PBufTrip(positions.wrapping_add(self.events))
    }

    #[inline]
    pub(crate) fn set_state(&mut self, state: PBufState) {
        if self.state != state {
            self.state = state;
            self.events = self.events.wrapping_add(1);
        }
    }

    pub(crate) fn is_done(&self) -> bool {
        match self.state {
            PBufState::Aborted => true,
            PBufState::Closed => self.rd == self.wr,
            _ => false,
        }
    }

    /// Adds the fields every `Debug` impl shows: the state and sizes, never the contents, which
    /// may be secret.
    pub(crate) fn fmt_fields<'a, 'b>(
        &self,
        mut f: fmt::DebugStruct<'a, 'b>,
    ) -> fmt::DebugStruct<'a, 'b> {
        f.field("state", &self.state)
            .field("len", &self.len())
            .field("capacity", &self.storage().len());
        if let Some(free) = self.free_space() {
            f.field("free", &free);
        }
        f
    }

    /// Returns how many more elements may be stored, or `None` when growth is unbounded.
    pub(crate) fn free_space(&self) -> Option<usize> {
        let bound = if self.growable { self.limit } else { self.usable };
        (bound != usize::MAX).then(|| bound.saturating_sub(self.len()))
    }

    /// Marks `len` elements as consumed.
    #[inline]
    #[track_caller]
    pub(crate) fn consume(&mut self, len: usize)
    where
        T: Default,
    {
        if len > self.len() {
            panic_consume_overflow(len, self.len());
        }
        let (rd, end) = (self.rd, self.rd + len);
        if core::mem::needs_drop::<T>() {
            // Consumed elements may own memory (message payloads); release it now rather than
            // when the slot is next written. For plain data this branch is compiled out.
            self.storage_mut()[rd..end].fill_with(T::default);
        }
        self.rd = end;
    }

    /// Discards all data and any EOF, keeping the storage.
    pub(crate) fn reset(&mut self) {
        let wr = self.base.wrapping_add(self.wr as u64);
        self.base = wr;
        self.rd = 0;
        self.wr = 0;
        self.state = PBufState::Open;
        self.events = self.events.wrapping_add(1);
    }

    /// Ensures that `reserve` elements of free space follow the unread data, compacting or
    /// growing the storage as needed. Returns false when the capacity or limit forbids it.
    #[inline]
    pub(crate) fn reserve(&mut self, reserve: usize) -> bool
    where
        T: Default,
    {
        if self.rd == self.wr {
            self.rewind();
        }
        reserve <= self.usable.saturating_sub(self.wr) || self.make_room(reserve)
    }

    /// Recomputes `usable` after the storage or the limit changed.
    pub(crate) fn update_usable(&mut self) {
        self.usable = self.storage().len().min(self.limit);
    }

    /// Moves storage index 0 to the read position, when there is no unread data.
    #[inline]
    fn rewind(&mut self) {
        self.base = self.base.wrapping_add(self.rd as u64);
        self.rd = 0;
        self.wr = 0;
    }

    #[cold]
    #[inline(never)]
    fn make_room(&mut self, reserve: usize) -> bool
    where
        T: Default,
    {
        let Some(needed) = self.len().checked_add(reserve) else {
            return false;
        };
        if needed > self.limit {
            return false;
        }
        self.compact();
        if needed <= self.usable {
            return true;
        }
        self.grow(needed)
    }

    /// Moves the unread data to the start of the storage.
    fn compact(&mut self) {
        let (rd, wr) = (self.rd, self.wr);
        if rd > 0 {
            // `rotate_left` moves without `Copy` or `Clone`; the consumed elements end up in the
            // free space, where they are overwritten.
            let len = wr - rd;
            let storage = self.storage_mut();
            if rd >= len {
                // Cost proportional to the unread data, not to what was consumed before it.
                let (head, tail) = storage.split_at_mut(rd);
                head[..len].swap_with_slice(&mut tail[..len]);
            } else {
                storage[..wr].rotate_left(rd);
            }
            self.base = self.base.wrapping_add(rd as u64);
            self.wr = wr - rd;
            self.rd = 0;
        }
    }

    #[cfg(feature = "alloc")]
    fn grow(&mut self, needed: usize) -> bool
    where
        T: Default,
    {
        if !self.growable || !self.inline.is_empty() {
            return false;
        }
        let min = (MIN_GROWTH_BYTES / size_of::<T>().max(1)).max(MIN_GROWTH_ELEMENTS);
        let doubled = self.heap.len().saturating_mul(2).max(min);
        let new_len = doubled.min(self.limit).max(needed);
        // Only the unread data is worth moving if the vector reallocates.
        self.heap.truncate(self.wr);
        self.heap.resize_with(new_len, T::default);
        self.update_usable();
        true
    }

    #[cfg(not(feature = "alloc"))]
    #[expect(clippy::unused_self, reason = "the same signature as with `alloc`")]
    fn grow(&mut self, _needed: usize) -> bool {
        false
    }

    /// Frees growable heap storage that holds no unread data; returns whether it did.
    #[cfg(feature = "alloc")]
    pub(crate) fn release_if_empty(&mut self) -> bool {
        if self.rd != self.wr || !self.growable || self.heap.capacity() == 0 {
            return false;
        }
        self.rewind();
        self.heap = Vec::new();
        self.update_usable();
        true
    }

    #[cfg(not(feature = "alloc"))]
    #[expect(clippy::unused_self, reason = "the same signature as with `alloc`")]
    pub(crate) fn release_if_empty(&mut self) -> bool {
        false
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn panic_consume_overflow(len: usize, available: usize) -> ! {
    panic!("cannot consume {len} elements from a PipeBuf holding {available}");
}

/// Smallest size in bytes a growing heap buffer takes, so that tiny writes do not reallocate
/// often, and at least [`MIN_GROWTH_ELEMENTS`] elements: counted in bytes, so that a buffer of
/// large elements (messages) does not start at kilobytes.
#[cfg(feature = "alloc")]
const MIN_GROWTH_BYTES: usize = 64;
#[cfg(feature = "alloc")]
const MIN_GROWTH_ELEMENTS: usize = 4;

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use crate::PipeBuf;

    /// Stream positions (`base + rd`, `base + wr`) of a buffer, read through its private state.
    fn positions<const N: usize>(p: &mut PipeBuf<u8, N>) -> (u64, u64) {
        let rd = p.rd();
        let pb = &*rd.pb;
        (pb.base.wrapping_add(pb.rd as u64), pb.base.wrapping_add(pb.wr as u64))
    }

    #[test]
    fn stream_positions_count_every_element_through_compaction_rewind_and_hand_over() {
        let (mut a, mut b) = (PipeBuf::with_fixed_capacity(10), PipeBuf::new());
        let (mut produced, mut consumed) = (0u64, 0u64);
        for round in 0..200usize {
            let n = round % 7 + 1;
            if a.wr().try_space(n).is_some() {
                a.wr().commit(n);
                produced += n as u64;
            }
            let take = a.rd().len() / 2;
            a.rd().consume(take);
            consumed += take as u64;
            assert_eq!(positions(&mut a), (consumed, produced), "round {round}");
            if round % 5 == 0 {
                let before = positions(&mut b);
                let moved = a.rd().forward_prefix(b.wr(), usize::MAX) as u64;
                consumed += moved;
                assert_eq!(positions(&mut b), (before.0, before.1 + moved));
                let len = b.rd().len();
                b.rd().consume(len);
                assert_eq!(positions(&mut b).0, before.1 + moved);
            }
        }
    }
}
