//! A cheap, deterministic source of masking keys for the WebSocket client in tests: the tests
//! need keys that change from frame to frame, not keys nobody can predict.

/// A xorshift64 generator; the seed must not be 0.
#[derive(Debug, Clone)]
pub(crate) struct XorShift(pub(crate) u64);

impl rand_core::RngCore for XorShift {
    fn next_u32(&mut self) -> u32 {
        // The high half of the state is the better half of a xorshift generator.
        u32::try_from(self.next_u64() >> 32).unwrap_or_default()
    }

    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            chunk.copy_from_slice(&self.next_u64().to_le_bytes()[..chunk.len()]);
        }
    }
}
