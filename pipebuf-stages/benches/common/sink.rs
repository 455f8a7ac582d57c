//! Where a benchmark's received data goes: the TLS and WebSocket benches share it.

use std::hint::black_box;

/// Counts the pieces (messages, plaintext chunks) and bytes it takes, and either hashes every
/// byte (verification) or touches the first of each piece (measurement), as the chains bench
/// does.
#[derive(Default)]
pub(crate) struct Sink {
    pub(crate) pieces: usize,
    pub(crate) len: usize,
    pub(crate) hash: u64,
    full: bool,
}

impl Sink {
    /// A sink that hashes every byte.
    pub(crate) fn full() -> Self {
        Sink { full: true, ..Sink::default() }
    }

    pub(crate) fn take(&mut self, data: &[u8]) {
        self.pieces += 1;
        self.len += data.len();
        if self.full {
            self.hash = checksum(self.hash, data);
        } else if let Some(&first) = data.first() {
            self.hash = self.hash.wrapping_add(u64::from(first));
        }
        black_box(data);
    }
}

/// A checksum that sees every byte and its order.
pub(crate) fn checksum(mut hash: u64, data: &[u8]) -> u64 {
    for &byte in data {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}
