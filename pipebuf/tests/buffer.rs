//! Producing and consuming: space, commit, growth, fixed and inline storage, limits.

use pipebuf::{PBufRd, PBufWr, PipeBuf, PipeBufPair};

fn assert_debug<T: std::fmt::Debug>() {}

#[test]
fn every_public_type_is_debug() {
    assert_debug::<PipeBuf>();
    assert_debug::<PipeBuf<u16, 4>>();
    assert_debug::<PipeBufPair>();
    assert_debug::<PBufRd<'static>>();
    assert_debug::<PBufWr<'static>>();
    assert_debug::<pipebuf::PBufRdWr<'static>>();
    assert_debug::<pipebuf::PBufState>();
    assert_debug::<pipebuf::PBufTrip>();
}

#[test]
fn debug_shows_sizes_and_never_contents() {
    let mut p = PipeBuf::<u8, 16>::with_inline_storage();
    p.wr().append(b"secret");
    let text = format!("{:?} ", p.rd()) + &format!("{:?}", p.wr());
    assert_eq!(
        text,
        "PBufRd { state: Open, len: 6, capacity: 16, free: 10 } \
         PBufWr { state: Open, len: 6, capacity: 16, free: 10 }"
    );
    assert_eq!(format!("{p:?}"), "PipeBuf { state: Open, len: 6, capacity: 16, free: 10 }");
    let mut link = PipeBufPair::<u8>::new();
    link.upper().wr.append(b"x");
    assert_eq!(
        format!("{link:?}"),
        "PipeBufPair { down: PipeBuf { state: Open, len: 1, capacity: 64 }, \
         up: PipeBuf { state: Open, len: 0, capacity: 0 } }"
    );
}

#[test]
fn space_commit_consume_round_trip() {
    let mut p = PipeBuf::new();
    let mut wr = p.wr();
    let space = wr.space(10);
    assert_eq!(space.len(), 10);
    space[..4].copy_from_slice(b"abcd");
    wr.commit(4);
    assert_eq!(p.rd().data(), b"abcd");
    assert_eq!(p.rd().len(), 4);
    p.rd().consume(1);
    assert_eq!(p.rd().data(), b"bcd");
    p.rd().consume(3);
    assert!(p.rd().is_empty());
}

#[test]
fn consumed_space_is_reused_without_growth() {
    let mut p = PipeBuf::with_capacity(8);
    for round in 0..100u8 {
        p.wr().append(&[round; 6]);
        assert_eq!(p.rd().data(), &[round; 6]);
        p.rd().consume(6);
    }
    assert_eq!(p.capacity(), 8);
}

#[test]
fn partial_consume_then_compaction_keeps_data_in_order() {
    let mut p = PipeBuf::with_fixed_capacity(8);
    p.wr().append(b"abcdef");
    p.rd().consume(4);
    // 2 unread + 6 more only fit after the unread data moves to the front.
    p.wr().append(b"ghijkl");
    assert_eq!(p.rd().data(), b"efghijkl");
    assert!(p.wr().is_full());
}

#[test]
fn growable_buffer_grows_and_keeps_data() {
    let mut p = PipeBuf::new();
    let mut expected = Vec::new();
    for i in 0..1000u32 {
        let bytes = i.to_le_bytes();
        p.wr().append(&bytes);
        expected.extend_from_slice(&bytes);
        if i % 7 == 0 {
            p.rd().consume(3);
            expected.drain(..3);
        }
    }
    assert_eq!(p.rd().data(), &expected[..]);
    assert!(p.capacity() >= expected.len());
}

#[test]
fn fixed_capacity_refuses_fallibly_and_reports_free_space() {
    let mut p = PipeBuf::with_fixed_capacity(10);
    assert_eq!(p.wr().free_space(), Some(10));
    p.wr().append(b"1234567");
    assert_eq!(p.wr().free_space(), Some(3));
    assert!(p.wr().try_space(4).is_none());
    assert_eq!(p.rd().data(), b"1234567", "a refused request loses nothing");
    assert_eq!(p.wr().try_space(3).map(|s| s.len()), Some(3));
    assert_eq!(p.capacity(), 10);
}

#[test]
#[should_panic(expected = "PipeBuf has room for 2 more elements, not 3")]
fn space_beyond_fixed_capacity_panics_with_a_clear_message() {
    let mut p = PipeBuf::<u8>::with_fixed_capacity(2);
    let _ = p.wr().space(3);
}

#[test]
fn limit_bounds_a_growable_buffer() {
    let mut p = PipeBuf::new();
    p.set_limit(Some(100));
    assert_eq!(p.limit(), Some(100));
    p.wr().append(&[1; 60]);
    assert_eq!(p.wr().free_space(), Some(40));
    assert!(p.wr().try_space(41).is_none());
    assert!(p.wr().try_space(40).is_some());
    assert!(p.capacity() <= 100);
    p.wr().append(&[2; 40]);
    assert!(p.wr().is_full());
    assert!(p.wr().try_space(1).is_none());
    p.rd().consume(50);
    assert_eq!(p.wr().free_space(), Some(50));
    p.wr().append(&[3; 50]);
    assert_eq!(p.rd().len(), 100);
    assert!(p.capacity() <= 100, "growth never passes the limit");
}

#[test]
fn a_huge_request_is_refused_not_allocated() {
    let mut p = PipeBuf::<u8>::new();
    p.set_limit(Some(1 << 20));
    assert!(p.wr().try_space(usize::MAX).is_none());
    assert!(p.wr().try_space(1 << 30).is_none());
    assert_eq!(p.capacity(), 0);
}

#[test]
fn lowering_the_limit_keeps_unread_data() {
    let mut p = PipeBuf::with_capacity(1000);
    p.wr().append(&[7; 300]);
    p.set_limit(Some(100));
    assert_eq!(p.rd().data(), &[7; 300][..]);
    assert!(p.wr().try_space(1).is_none());
    assert_eq!(p.wr().free_space(), Some(0));
    p.rd().consume(300);
    assert_eq!(p.wr().free_space(), Some(100));
    p.set_limit(None);
    assert_eq!((p.limit(), p.wr().free_space()), (None, None));
}

#[test]
fn inline_storage_beside_heap_buffers() {
    let mut inline = PipeBuf::<u8, 32>::with_inline_storage();
    let mut heap = PipeBuf::new();
    inline.wr().append(b"inline to heap");
    inline.rd().forward(heap.wr());
    heap.wr().close();
    heap.rd().forward(inline.wr());
    assert_eq!(inline.rd().data(), b"inline to heap");
    assert!(inline.rd().consume_eof());
    assert_eq!(inline.capacity(), 32);
    assert!(inline.wr().try_space(33).is_none());
}

#[test]
fn inline_storage_of_other_element_types() {
    let mut p = PipeBuf::<u32, 4>::with_inline_storage();
    p.wr().append(&[1, 2, 3]);
    p.rd().consume(2);
    p.wr().append(&[4, 5, 6]);
    assert_eq!(p.rd().data(), &[3, 4, 5, 6]);
}

#[test]
fn elements_that_own_memory_are_released_when_consumed() {
    use std::rc::Rc;
    let shared = Rc::new(());
    let mut p = PipeBuf::<Option<Rc<()>>>::new();
    p.wr().append(&[Some(shared.clone()), Some(shared.clone())]);
    assert_eq!(Rc::strong_count(&shared), 3);
    p.rd().consume(2);
    assert_eq!(Rc::strong_count(&shared), 1);
}

#[test]
fn commit_zero_after_close_is_allowed() {
    let mut p = PipeBuf::<u8>::new();
    p.wr().close();
    p.wr().commit(0);
    assert!(p.rd().is_empty());
}

#[test]
#[should_panic(expected = "cannot commit data to a PipeBuf after close or abort")]
fn commit_after_close_panics() {
    let mut p = PipeBuf::<u8>::new();
    p.wr().close();
    let _ = p.wr().space(1);
    p.wr().commit(1);
}

#[test]
#[should_panic(expected = "cannot commit 9 elements: more than the space reserved")]
fn commit_beyond_the_storage_panics() {
    let mut p = PipeBuf::<u8, 8>::with_inline_storage();
    p.wr().commit(9);
}

#[test]
#[should_panic(expected = "cannot consume 2 elements from a PipeBuf holding 1")]
fn consume_beyond_the_data_panics() {
    let mut p = PipeBuf::new();
    p.wr().append(b"x");
    p.rd().consume(2);
}

#[test]
fn write_with_commits_what_the_closure_returns() {
    let mut p = PipeBuf::new();
    let n = p.wr().write_with_noerr(16, |space| {
        space[..3].copy_from_slice(b"xyz");
        3
    });
    assert_eq!((n, p.rd().data()), (3, &b"xyz"[..]));
    let err = p.wr().write_with(16, |space| {
        space[0] = b'!';
        Err::<usize, &str>("refused")
    });
    assert_eq!(err, Err("refused"));
    assert_eq!(p.rd().data(), b"xyz", "an error commits nothing");
}

#[test]
fn exceeds_limit_counts_unread_data() {
    let mut p = PipeBuf::new();
    p.wr().append(&[0; 10]);
    assert!(p.wr().exceeds_limit(9));
    assert!(!p.wr().exceeds_limit(10));
    p.rd().consume(5);
    assert!(!p.wr().exceeds_limit(9));
}

#[test]
fn reset_and_zero_clears_the_storage() {
    let mut p = PipeBuf::with_fixed_capacity(6);
    p.wr().append(b"secret");
    p.reset_and_zero();
    assert_eq!(p.wr().space(6), &[0; 6]);
    let mut link = PipeBufPair::<u8, 4>::with_inline_storage();
    link.upper().wr.append(b"key!");
    link.lower().wr.append(b"iv!!");
    link.reset_and_zero();
    assert_eq!(link.upper().wr.space(4), &[0; 4]);
    assert_eq!(link.lower().wr.space(4), &[0; 4]);
}

#[test]
fn reborrowed_views_act_on_the_same_buffer() {
    fn produce(mut wr: PBufWr<'_>) {
        wr.append(b"ab");
    }
    fn take_one(mut rd: PBufRd<'_>) {
        rd.consume(1);
    }
    let mut p = PipeBuf::new();
    let mut wr = p.wr();
    produce(wr.reborrow());
    produce(wr.reborrow());
    let mut rd = p.rd();
    take_one(rd.reborrow());
    assert_eq!(rd.data(), b"bab");
}

#[test]
fn data_mut_transforms_in_place() {
    let mut p = PipeBuf::new();
    p.wr().append(&[1, 2, 3]);
    p.rd().consume(1);
    for b in p.rd().data_mut() {
        *b *= 10;
    }
    assert_eq!(p.rd().data(), &[20, 30]);
}

#[test]
fn a_limit_below_the_capacity_of_fixed_and_inline_buffers_applies() {
    let mut fixed = PipeBuf::with_fixed_capacity(100);
    fixed.set_limit(Some(10));
    let mut inline = PipeBuf::<u8, 100>::with_inline_storage();
    inline.set_limit(Some(10));
    for wr in [fixed.wr(), inline.wr()] {
        let mut wr = wr;
        assert_eq!(wr.free_space(), Some(10));
        assert!(wr.try_space(11).is_none());
        wr.append(&[1; 10]);
        assert!(wr.is_full());
        assert!(wr.try_space(1).is_none());
    }
    assert_eq!((fixed.limit(), fixed.capacity()), (Some(10), 100));
}

#[test]
#[should_panic(expected = "more than the space reserved")]
fn commit_of_an_absurd_length_panics_cleanly() {
    let mut p = PipeBuf::<u8>::with_capacity(8);
    p.wr().append(b"x");
    p.wr().commit(usize::MAX);
}

#[test]
fn defaults_are_empty_growable_heap_buffers() {
    let mut p = PipeBuf::<u8>::default();
    assert_eq!((p.capacity(), p.limit(), p.wr().free_space()), (0, None, None));
    p.wr().append(&[0; 1000]);
    let mut link = PipeBufPair::<u8>::default();
    assert_eq!((link.down.capacity(), link.up.capacity()), (0, 0));
    assert_eq!(link.upper().wr.free_space(), None);
}
