//! Bytes a TLS stage had to take from rustls but could not write on at once.

use alloc::vec::Vec;

use pipebuf::PBufWr;

use crate::copy::{copy_unaliased, extend_unaliased};

/// Bytes waiting for room in an output: the plaintext of a record a limited `upper.wr` could not
/// take whole, or records a limited `lower.wr` had no room for. rustls hands out whole records
/// and drops what it handed out, so the stage keeps them; at most a record or a handshake flight,
/// and its storage is freed as soon as it drains.
#[derive(Clone, Debug, Default)]
pub(super) struct Held {
    data: Vec<u8>,
    /// How much of `data` has been written on.
    start: usize,
}

impl Held {
    pub(super) fn is_empty(&self) -> bool {
        self.start == self.data.len()
    }

    /// Keeps `bytes`, after what is held already.
    pub(super) fn keep(&mut self, bytes: &[u8]) {
        extend_unaliased(&mut self.data, bytes);
    }

    /// Returns `len` bytes of room after what is held, for a writer that needs its whole output
    /// at once; [`Held::truncate_room`] then drops what the writer left unused.
    pub(super) fn room(&mut self, len: usize) -> &mut [u8] {
        let end = self.data.len();
        self.data.resize(end + len, 0);
        self.data.get_mut(end..).unwrap_or_default()
    }

    /// Keeps `used` bytes of the last [`Held::room`] of `len` bytes.
    pub(super) fn truncate_room(&mut self, len: usize, used: usize) {
        self.data.truncate(self.data.len() - len + used.min(len));
    }

    /// Writes as much as `wr` has room for; returns true once nothing is held.
    pub(super) fn write_to(&mut self, wr: &mut PBufWr<'_>) -> bool {
        let rest = self.data.get(self.start..).unwrap_or_default();
        if !rest.is_empty() && !wr.is_eof() {
            let len = wr.free_space().map_or(rest.len(), |free| free.min(rest.len()));
            if let (Some(space), Some(from)) = (wr.try_space(len), rest.get(..len)) {
                copy_unaliased(space, from);
                wr.commit(len);
                self.start += len;
            }
        }
        if self.is_empty() && self.data.capacity() > 0 {
            *self = Held::default();
        }
        self.is_empty()
    }

    /// Drops what is held: its output has ended.
    pub(super) fn clear(&mut self) {
        *self = Held::default();
    }
}

#[cfg(test)]
mod tests {
    use pipebuf::PipeBuf;

    use super::Held;

    #[test]
    fn held_bytes_go_out_in_order_as_room_allows_and_free_their_storage() {
        let mut held = Held::default();
        held.keep(b"abcdef");
        held.room(4).copy_from_slice(b"ghij");
        held.truncate_room(4, 2);
        let mut out = PipeBuf::<u8, 3>::with_inline_storage();
        assert!(!held.write_to(&mut out.wr()));
        assert_eq!(out.rd().data(), b"abc");
        out.rd().consume(3);
        assert!(!held.write_to(&mut out.wr()));
        out.rd().consume(3);
        assert!(held.write_to(&mut out.wr()));
        assert_eq!(out.rd().data(), b"gh");
        assert_eq!(held.data.capacity(), 0);
    }
}
