//! Moving data from one pipe buffer to the next, by handing over storage where that beats copying.

use crate::shared::Shared;

impl<T: Default + Clone> Shared<T> {
    /// Moves up to `len` unread elements to the end of `dest` and returns how many moved.
    ///
    /// The caller has checked that `dest` has not ended.
    pub(crate) fn move_to(&mut self, dest: &mut Shared<T>, len: usize) -> usize {
        let len = len.min(self.len());
        if len == 0 {
            return 0;
        }
        if self.swap_storage(dest, len) {
            return len;
        }
        let len = dest.free_space().map_or(len, |free| len.min(free));
        if len == 0 || !dest.reserve(len) {
            return 0;
        }
        let (from, to) = (self.rd, dest.wr);
        take_slice(
            &mut dest.storage_mut()[to..to + len],
            &mut self.storage_mut()[from..from + len],
        );
        dest.wr += len;
        // What `consume` would do: the taken elements are defaults already.
        self.rd = from + len;
        len
    }

    /// Gives `dest` this buffer's storage, and takes its empty storage in return, then copies
    /// back what must stay here (the elements after the first `len`). Returns false, changing
    /// nothing, when that is not possible or would copy more than it saves.
    #[cfg(feature = "alloc")]
    fn swap_storage(&mut self, dest: &mut Shared<T>, len: usize) -> bool {
        let stay = self.len() - len;
        let both_heap = self.inline.is_empty() && dest.inline.is_empty();
        // Each buffer must be able to keep the storage it receives: a growable one within its
        // limit, a fixed one only if the size is the same.
        let sizes_fit = if self.growable && dest.growable {
            self.heap.len() <= dest.limit && dest.heap.len() <= self.limit
        } else {
            !self.growable && !dest.growable && self.heap.len() == dest.heap.len()
        };
        let worth_it = stay < len && dest.heap.len() >= stay;
        if !(both_heap && sizes_fit && worth_it && dest.rd == dest.wr) {
            return false;
        }
        core::mem::swap(&mut self.heap, &mut dest.heap);
        let (rd, wr) = (self.rd, self.wr);
        // Keep both buffers' stream positions (`base + rd`, `base + wr`) counting on.
        let dest_pos = dest.base.wrapping_add(dest.wr as u64);
        dest.base = dest_pos.wrapping_sub(rd as u64);
        dest.rd = rd;
        dest.wr = rd + len;
        self.base = self.base.wrapping_add((rd + len) as u64);
        self.rd = 0;
        self.wr = stay;
        self.update_usable();
        dest.update_usable();
        take_slice(&mut self.heap[..stay], &mut dest.heap[rd + len..wr]);
        true
    }

    #[cfg(not(feature = "alloc"))]
    #[expect(clippy::unused_self, reason = "the same signature as with `alloc`")]
    fn swap_storage(&mut self, _dest: &mut Shared<T>, _len: usize) -> bool {
        false
    }
}

/// Moves `from` into `to`, leaving defaults behind: the elements of `from` are done with, and a
/// clone would copy what they own (a message's payload) only for the original to be dropped. An
/// element without drop glue (a byte) owns nothing, so it is copied, which is faster.
fn take_slice<T: Default + Clone>(to: &mut [T], from: &mut [T]) {
    if core::mem::needs_drop::<T>() {
        for (to, from) in to.iter_mut().zip(from) {
            *to = core::mem::take(from);
        }
    } else {
        to.clone_from_slice(from);
    }
}
