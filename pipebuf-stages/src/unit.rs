//! How much room an I/O step asks of a buffer: a size that follows the traffic, so that a quiet
//! connection keeps small buffers and a bulk transfer moves large pieces.

/// The least a unit shrinks to, and where it starts: small, so that a connection that
/// exchanges little (a handshake, short messages) keeps buffers that small.
const LEAST: usize = 1024;

/// A size between 1 KiB (or `most`, if less) and `most`: doubled after a step that filled it,
/// halved after one that used less than a quarter of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unit {
    size: usize,
    most: usize,
}

impl Unit {
    pub(crate) const fn new(most: usize) -> Self {
        let most = if most == 0 { 1 } else { most };
        Unit { size: if LEAST < most { LEAST } else { most }, most }
    }

    /// The room to ask for, when the buffer has `free` left (`None`: unbounded).
    pub(crate) fn room(self, free: Option<usize>) -> usize {
        free.map_or(self.size, |free| free.min(self.size))
    }

    /// Follows a step that asked for `room` and moved `len`.
    pub(crate) fn fit(&mut self, len: usize, room: usize) {
        if len == room && room == self.size {
            self.size = (self.size * 2).min(self.most);
        } else if len < self.size / 4 {
            self.size = (self.size / 2).max(LEAST.min(self.most));
        }
    }

    pub(crate) fn most(self) -> usize {
        self.most
    }

    /// The same unit with another upper bound (at least 1).
    pub(crate) fn with_most(self, most: usize) -> Self {
        let mut unit = Unit::new(most);
        unit.size = self.size.clamp(unit.size, unit.most);
        unit
    }
}

#[cfg(test)]
mod tests {
    use super::Unit;

    #[test]
    fn grows_while_filled_and_shrinks_when_barely_used() {
        let mut unit = Unit::new(8192);
        assert_eq!(unit.room(None), 1024);
        assert_eq!(unit.room(Some(100)), 100);
        unit.fit(1024, 1024);
        unit.fit(2048, 2048);
        unit.fit(4096, 4096);
        unit.fit(8192, 8192);
        assert_eq!(unit.room(None), 8192);
        // A room cut short by the buffer's limit does not grow it.
        unit.fit(100, 100);
        assert_eq!(unit.room(None), 4096);
        unit.fit(10, 4096);
        unit.fit(10, 2048);
        unit.fit(10, 1024);
        assert_eq!(unit.room(None), 1024);
        assert_eq!(Unit::new(0).room(None), 1);
        assert_eq!(Unit::new(100).room(None), 100);
        assert_eq!(unit.with_most(64).room(None), 64);
    }
}
