//! Full-duplex links: the two ends of a `PipeBufPair`.

use pipebuf::{PBufState, PipeBufPair, tripwire};

#[test]
fn each_end_reads_what_the_other_writes() {
    let mut link = PipeBufPair::new();
    link.upper().wr.append(b"down");
    link.lower().wr.append(b"up");
    assert_eq!(link.lower().rd.data(), b"down");
    assert_eq!(link.upper().rd.data(), b"up");
    assert_eq!(link.left().rd.data(), b"up");
    assert_eq!(link.right().rd.data(), b"down");
}

#[test]
fn directions_end_independently() {
    let mut link = PipeBufPair::<u8>::new();
    link.upper().wr.close();
    assert_eq!(link.down.state(), PBufState::Closing);
    assert_eq!(link.up.state(), PBufState::Open);
    link.lower().wr.append(b"still open");
    link.lower().wr.abort();
    let mut upper = link.upper();
    assert_eq!(upper.rd.data(), b"still open");
    assert!(upper.rd.consume_eof());
    assert!(upper.rd.is_aborted());
    assert!(!link.lower().rd.is_aborted());
}

#[test]
fn capacities_and_limits_per_direction() {
    let mut link = PipeBufPair::<u8>::with_fixed_capacities(3, 5);
    assert_eq!(link.upper().wr.free_space(), Some(3));
    assert_eq!(link.lower().wr.free_space(), Some(5));
    let mut link = PipeBufPair::<u8>::with_capacities(100, 200);
    assert_eq!((link.down.capacity(), link.up.capacity()), (100, 200));
    link.set_limits(Some(150), Some(250));
    assert_eq!((link.down.limit(), link.up.limit()), (Some(150), Some(250)));
    let mut link = PipeBufPair::<u8, 8>::with_inline_storage();
    assert_eq!(link.upper().wr.free_space(), Some(8));
}

#[test]
fn tripwires_of_a_pair_and_its_ends() {
    let mut link = PipeBufPair::new();
    let (down, up) = link.tripwire();
    let ends = link.upper().tripwire();
    assert_eq!(ends, (up, down), "the upper end reads `up` and writes `down`");
    link.upper().wr.append(b"x");
    assert_ne!(link.tripwire().0, down);
    assert_eq!(link.tripwire().1, up);
    let before = tripwire!(link.down, link.up);
    link.lower().rd.consume(1);
    assert_ne!(before, tripwire!(link.down, link.up));
}

#[test]
fn reset_clears_both_directions() {
    let mut link = PipeBufPair::new();
    link.upper().wr.append(b"a");
    link.lower().wr.close();
    link.reset();
    assert!(link.lower().rd.is_empty());
    assert_eq!(link.up.state(), PBufState::Open);
}

#[test]
fn reborrowed_end_keeps_working() {
    let mut link = PipeBufPair::new();
    link.lower().wr.append(b"ping");
    let mut io = link.upper();
    for _ in 0..2 {
        let mut end = io.reborrow();
        end.wr.append(end.rd.data().to_vec().as_slice());
    }
    assert_eq!(link.down.rd().data(), b"pingping");
}
