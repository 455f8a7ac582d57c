//! A `no_std` crate that runs a small chain on inline buffers: no std, no heap, no `unsafe`.
#![no_std]

use pipebuf::{PBufRd, PBufWr, PipeBuf, PipeBufPair};

/// Swaps the case of ASCII letters and hands the data on. Returns true on activity.
#[must_use]
pub fn swap_case(mut rd: PBufRd<'_>, wr: PBufWr<'_>) -> bool {
    let before = rd.tripwire();
    for byte in rd.data_mut() {
        if byte.is_ascii_alphabetic() {
            *byte ^= 0x20;
        }
    }
    rd.forward(wr);
    rd.is_tripped(before)
}

/// Runs `input` through two case swaps over fixed inline buffers of 16 bytes, into `out`, and
/// returns how many bytes came out and whether the output ended with a clean close.
///
/// # Panics
///
/// Panics if `out` is shorter than `input`.
#[must_use]
pub fn run_chain(input: &[u8], out: &mut [u8]) -> (usize, bool) {
    let mut first = PipeBuf::<u8, 16>::with_inline_storage();
    let mut link = PipeBufPair::<u8, 16>::with_inline_storage();
    let mut last = PipeBuf::<u8, 16>::with_inline_storage();
    let mut rest = input;
    let mut written = 0;
    loop {
        let take = rest.len().min(first.wr().free_space().unwrap_or(0));
        first.wr().append(&rest[..take]);
        rest = &rest[take..];
        if rest.is_empty() {
            first.wr().close();
        }
        while swap_case(first.rd(), link.upper().wr) | swap_case(link.lower().rd, last.wr()) {}
        let mut rd = last.rd();
        let len = rd.len();
        out[written..written + len].copy_from_slice(rd.data());
        written += len;
        rd.consume(len);
        if rd.consume_eof() {
            return (written, !rd.is_aborted());
        }
    }
}

#[cfg(feature = "alloc")]
/// Checks that heap buffers work beside inline ones without std.
#[must_use]
pub fn heap_beside_inline(input: &[u8]) -> usize {
    let mut heap = PipeBuf::new();
    let mut inline = PipeBuf::<u8, 8>::with_inline_storage();
    heap.wr().append(input);
    heap.rd().forward(inline.wr());
    inline.rd().len()
}

#[cfg(test)]
mod tests {
    #[test]
    fn chain_runs_without_std() {
        let mut out = [0; 64];
        let input = b"Through Two Swaps, Back Where It Started, Over Tiny Buffers";
        let (len, clean) = super::run_chain(input, &mut out);
        assert_eq!(&out[..len], input);
        assert!(clean);
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn heap_buffers_without_std() {
        assert_eq!(super::heap_beside_inline(b"0123456789"), 8);
    }
}
