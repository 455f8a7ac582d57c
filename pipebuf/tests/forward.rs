//! Handing data on from one buffer to the next: storage hand-over and copies.

use pipebuf::{PBufState, PipeBuf};

/// Address of the first unread element, to tell a storage hand-over from a copy.
fn data_addr(p: &mut PipeBuf) -> *const u8 {
    p.rd().data().as_ptr()
}

#[test]
fn forward_into_an_empty_heap_buffer_moves_the_storage() {
    let (mut a, mut b) = (PipeBuf::new(), PipeBuf::new());
    a.wr().append(&[9; 16384]);
    let addr = data_addr(&mut a);
    a.rd().forward(b.wr());
    assert_eq!(data_addr(&mut b), addr, "the bytes did not move: the storage did");
    assert_eq!(b.rd().data(), &[9; 16384][..]);
    assert!(a.rd().is_empty());
    // Both keep working afterwards.
    a.wr().append(b"next");
    a.rd().forward(b.wr());
    assert_eq!(b.rd().len(), 16388);
    assert_eq!(&b.rd().data()[16384..], b"next");
}

#[test]
fn forward_into_a_non_empty_buffer_copies_and_appends() {
    let (mut a, mut b) = (PipeBuf::new(), PipeBuf::new());
    b.wr().append(b"first ");
    a.wr().append(b"second");
    a.rd().forward(b.wr());
    assert_eq!(b.rd().data(), b"first second");
    assert!(a.rd().is_empty());
}

#[test]
fn forward_carries_push_and_eof_once_the_data_is_through() {
    for (end, expected) in [(false, PBufState::Closing), (true, PBufState::Aborting)] {
        let (mut a, mut b) = (PipeBuf::new(), PipeBuf::new());
        a.wr().append(b"data");
        a.wr().push();
        if end {
            a.wr().abort();
        } else {
            a.wr().close();
        }
        a.rd().forward(b.wr());
        assert_eq!(b.state(), expected);
        assert!(a.rd().is_done());
        assert_eq!(b.rd().data(), b"data");
    }
    let (mut a, mut b) = (PipeBuf::<u8>::new(), PipeBuf::new());
    a.wr().push();
    a.rd().forward(b.wr());
    assert!(b.is_push());
    assert!(!a.is_push());
}

#[test]
fn forward_into_a_bounded_buffer_moves_what_fits_and_holds_the_eof() {
    let mut a = PipeBuf::new();
    let mut b = PipeBuf::<u8, 4>::with_inline_storage();
    a.wr().append(b"abcdefg");
    a.wr().close();
    a.rd().forward(b.wr());
    assert_eq!(b.rd().data(), b"abcd");
    assert_eq!(a.rd().data(), b"efg");
    assert_eq!(b.state(), PBufState::Open, "the end waits for the rest of the data");
    b.rd().consume(4);
    a.rd().forward(b.wr());
    assert_eq!(b.rd().data(), b"efg");
    assert_eq!(b.state(), PBufState::Closing);

    let mut limited = PipeBuf::new();
    limited.set_limit(Some(3));
    let mut big = PipeBuf::with_capacity(1 << 16);
    big.wr().append(b"12345");
    big.rd().forward(limited.wr());
    assert_eq!(limited.rd().data(), b"123");
    assert!(limited.capacity() <= 3, "a limited buffer never takes a larger storage");
}

#[test]
fn nothing_moves_into_an_ended_buffer() {
    let (mut a, mut b) = (PipeBuf::new(), PipeBuf::new());
    b.wr().close();
    a.wr().append(b"kept");
    a.wr().close();
    a.rd().forward(b.wr());
    assert_eq!(a.rd().data(), b"kept");
    assert!(b.rd().is_empty());
    assert_eq!(a.state(), PBufState::Closing, "the end is not taken either");
}

#[test]
fn forward_prefix_moves_storage_and_copies_back_the_remainder() {
    let (mut a, mut b) = (PipeBuf::new(), PipeBuf::with_capacity(64));
    let mut chunk = vec![b'x'; 1000];
    chunk.extend_from_slice(b"\npartial");
    a.wr().append(&chunk);
    let addr = data_addr(&mut a);
    assert_eq!(a.rd().forward_prefix(b.wr(), 1001), 1001);
    assert_eq!(data_addr(&mut b), addr, "the larger part moved with the storage");
    assert_eq!(b.rd().data(), &chunk[..1001]);
    assert_eq!(a.rd().data(), b"partial");
    a.wr().append(b" line\n");
    assert_eq!(a.rd().data(), b"partial line\n");
}

#[test]
fn forward_prefix_copies_when_little_moves() {
    let (mut a, mut b) = (PipeBuf::new(), PipeBuf::new());
    a.wr().append(b"ab\ncdefghijklmnop");
    let addr = data_addr(&mut a);
    assert_eq!(a.rd().forward_prefix(b.wr(), 3), 3);
    assert_eq!(b.rd().data(), b"ab\n");
    assert_eq!(a.rd().data(), b"cdefghijklmnop");
    assert_eq!(data_addr(&mut a), addr.wrapping_add(3), "the remainder did not move");
    assert_eq!(a.rd().forward_prefix(b.wr(), 100), 14, "at most what there is");
    assert_eq!(a.state(), PBufState::Open);
}

#[test]
fn forward_prefix_keeps_push_and_eof() {
    let (mut a, mut b) = (PipeBuf::new(), PipeBuf::new());
    a.wr().append(b"all");
    a.wr().push();
    a.wr().close();
    assert_eq!(a.rd().forward_prefix(b.wr(), 3), 3);
    assert_eq!((a.state(), b.state()), (PBufState::Closing, PBufState::Open));
}

#[test]
fn hand_over_keeps_tripwires_and_positions_counting() {
    let (mut a, mut b) = (PipeBuf::new(), PipeBuf::new());
    for round in 0..50u8 {
        let (ta, tb) = (a.tripwire(), b.tripwire());
        a.wr().append(&[round; 300]);
        a.rd().forward(b.wr());
        assert!(a.is_tripped(ta) && b.is_tripped(tb));
        let tb = b.tripwire();
        b.rd().consume(300);
        assert!(b.is_tripped(tb));
        // Produce and consume the same amount: still seen as a change.
        let ta = a.tripwire();
        a.wr().append(&[1; 7]);
        a.rd().consume(7);
        assert!(a.is_tripped(ta));
    }
}

#[test]
fn fixed_buffers_of_equal_size_swap_and_of_unequal_size_copy() {
    let mut a = PipeBuf::with_fixed_capacity(16);
    let mut b = PipeBuf::with_fixed_capacity(16);
    a.wr().append(b"0123456789");
    let addr = data_addr(&mut a);
    a.rd().forward(b.wr());
    assert_eq!(data_addr(&mut b), addr);
    assert_eq!((a.capacity(), b.capacity()), (16, 16));

    let mut c = PipeBuf::with_fixed_capacity(32);
    b.rd().forward(c.wr());
    assert_ne!(data_addr(&mut c), addr);
    assert_eq!(c.rd().data(), b"0123456789");
    assert_eq!((b.capacity(), c.capacity()), (16, 32));
}

#[test]
fn forward_of_other_element_types() {
    let (mut a, mut b) = (PipeBuf::<String>::new(), PipeBuf::<String>::new());
    a.wr().append(&["one".to_string(), "two".to_string(), "three".to_string()]);
    assert_eq!(a.rd().forward_prefix(b.wr(), 2), 2);
    assert_eq!(b.rd().data(), ["one", "two"]);
    assert_eq!(a.rd().data(), ["three"]);
}

/// An element that owns memory and counts its clones, on this test's thread.
#[derive(Debug, Default, PartialEq)]
struct Owned(Vec<u8>);

thread_local! {
    static CLONES: core::cell::Cell<usize> = const { core::cell::Cell::new(0) };
}

impl Clone for Owned {
    fn clone(&self) -> Self {
        CLONES.with(|clones| clones.set(clones.get() + 1));
        Owned(self.0.clone())
    }
}

#[test]
fn elements_that_own_memory_move_without_a_clone_whichever_way_they_go() {
    let owned = |byte| Owned(vec![byte; 1000]);
    let (mut a, mut b) = (PipeBuf::<Owned>::new(), PipeBuf::<Owned>::new());
    // Into a buffer that holds data already.
    b.wr().append(&[owned(0)]);
    a.wr().append(&[owned(1), owned(2), owned(3)]);
    let before = CLONES.with(core::cell::Cell::get);
    a.rd().forward(b.wr());
    // A prefix, keeping one back.
    a.wr().append(&[owned(4), owned(5), owned(6)]);
    let (mut c, appended) = (PipeBuf::<Owned>::new(), CLONES.with(core::cell::Cell::get));
    assert_eq!(a.rd().forward_prefix(c.wr(), 2), 2);
    assert_eq!(CLONES.with(core::cell::Cell::get), appended, "a move cloned an element");
    assert_eq!(appended - before, 3, "only `append`, which borrows, clones");
    assert_eq!(b.rd().data(), [owned(0), owned(1), owned(2), owned(3)]);
    assert_eq!(c.rd().data(), [owned(4), owned(5)]);
    assert_eq!(a.rd().data(), [owned(6)]);
}

#[test]
fn forward_prefix_moves_nothing_into_an_ended_buffer() {
    let (mut a, mut b) = (PipeBuf::new(), PipeBuf::new());
    b.wr().close();
    a.wr().append(b"line\nrest");
    assert_eq!(a.rd().forward_prefix(b.wr(), 5), 0);
    assert!(b.rd().is_empty());
    assert_eq!(a.rd().data(), b"line\nrest");
}
