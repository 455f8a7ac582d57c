//! The end-of-stream state machine, driven through the public API.

use PBufState::{Aborted, Aborting, Closed, Closing, Open, Push};
use pipebuf::{PBufState, PipeBuf};

#[derive(Clone, Copy, Debug)]
enum Op {
    Push,
    Close,
    Abort,
    ConsumePush,
    ConsumeEof,
    SetPush(bool),
}

fn apply(p: &mut PipeBuf, op: Op) -> Option<bool> {
    match op {
        Op::Push => p.wr().push(),
        Op::Close => p.wr().close(),
        Op::Abort => p.wr().abort(),
        Op::ConsumePush => return Some(p.rd().consume_push()),
        Op::ConsumeEof => return Some(p.rd().consume_eof()),
        Op::SetPush(on) => p.set_push(on),
    }
    None
}

fn state_after(ops: &[Op]) -> PBufState {
    let mut p = PipeBuf::new();
    for &op in ops {
        apply(&mut p, op);
    }
    p.state()
}

#[test]
fn every_transition_from_every_state() {
    // (how to reach the state, the op, the state after, what the op returns)
    let reach: [(&[Op], PBufState); 6] = [
        (&[], Open),
        (&[Op::Push], Push),
        (&[Op::Close], Closing),
        (&[Op::Close, Op::ConsumeEof], Closed),
        (&[Op::Abort], Aborting),
        (&[Op::Abort, Op::ConsumeEof], Aborted),
    ];
    let expected = |from: PBufState, op: Op| -> (PBufState, Option<bool>) {
        match (from, op) {
            (Open | Push, Op::Push | Op::SetPush(true)) => (Push, None),
            (Open | Push, Op::SetPush(false)) => (Open, None),
            (Open | Push, Op::Close) => (Closing, None),
            (Open | Push, Op::Abort) => (Aborting, None),
            (Push, Op::ConsumePush) => (Open, Some(true)),
            (Closing, Op::ConsumeEof) => (Closed, Some(true)),
            (Aborting, Op::ConsumeEof) => (Aborted, Some(true)),
            (s, Op::ConsumePush | Op::ConsumeEof) => (s, Some(false)),
            (s, _) => (s, None),
        }
    };
    let ops = [
        Op::Push,
        Op::Close,
        Op::Abort,
        Op::ConsumePush,
        Op::ConsumeEof,
        Op::SetPush(true),
        Op::SetPush(false),
    ];
    for (path, state) in reach {
        assert_eq!(state_after(path), state, "reaching {state:?}");
        for op in ops {
            let mut p = PipeBuf::new();
            for &step in path {
                apply(&mut p, step);
            }
            let trip = p.tripwire();
            let returned = apply(&mut p, op);
            let (after, result) = expected(state, op);
            assert_eq!((p.state(), returned), (after, result), "{op:?} from {state:?}");
            assert_eq!(p.is_tripped(trip), after != state, "tripwire for {op:?} from {state:?}");
        }
    }
}

#[test]
fn first_eof_wins() {
    assert_eq!(state_after(&[Op::Close, Op::Abort]), Closing);
    assert_eq!(state_after(&[Op::Abort, Op::Close]), Aborting);
    assert_eq!(state_after(&[Op::Close, Op::ConsumeEof, Op::Abort]), Closed);
    assert_eq!(state_after(&[Op::Abort, Op::ConsumeEof, Op::Close]), Aborted);
}

#[test]
fn consume_eof_is_true_exactly_once() {
    let mut p = PipeBuf::<u8>::new();
    assert!(!p.rd().consume_eof());
    p.wr().close();
    assert!(p.rd().consume_eof());
    assert!(!p.rd().consume_eof());
    assert!(!p.rd().consume_eof());
}

#[test]
fn aborted_is_done_at_once_and_closed_when_empty() {
    let mut p = PipeBuf::new();
    p.wr().append(b"left over");
    p.wr().abort();
    assert!(!p.is_done(), "the abort is not taken yet");
    assert!(p.rd().consume_eof());
    assert!(p.is_done());
    assert!(p.rd().is_done());
    assert_eq!(p.rd().data(), b"left over", "the data stays readable");

    let mut p = PipeBuf::new();
    p.wr().append(b"tail");
    p.wr().close();
    assert!(p.rd().consume_eof());
    assert!(!p.is_done());
    p.rd().consume(4);
    assert!(p.is_done());
}

#[test]
fn predicates_follow_the_state() {
    for (ops, eof, aborted, pending) in [
        (&[][..], false, false, false),
        (&[Op::Push][..], false, false, false),
        (&[Op::Close][..], true, false, true),
        (&[Op::Close, Op::ConsumeEof][..], true, false, false),
        (&[Op::Abort][..], true, true, true),
        (&[Op::Abort, Op::ConsumeEof][..], true, true, false),
    ] {
        let mut p = PipeBuf::new();
        for &op in ops {
            apply(&mut p, op);
        }
        let state = p.state();
        assert_eq!(
            (state.is_eof(), state.is_aborted(), state.has_pending_eof()),
            (eof, aborted, pending)
        );
        assert_eq!(p.rd().is_eof(), eof);
        assert_eq!(p.wr().is_eof(), eof);
        assert_eq!(p.rd().is_aborted(), aborted);
        assert_eq!(p.rd().has_pending_eof(), pending);
        assert_eq!(p.rd().state(), state);
        assert_eq!(p.is_push(), state == Push);
    }
}

#[test]
fn push_and_set_push_are_ignored_after_eof() {
    let mut p = PipeBuf::<u8>::new();
    p.wr().close();
    p.wr().push();
    p.set_push(true);
    assert_eq!(p.state(), Closing);
    assert!(!p.rd().consume_push());
}

#[test]
fn reset_reopens_and_trips() {
    let mut p = PipeBuf::new();
    p.wr().append(b"abc");
    p.wr().abort();
    let trip = p.tripwire();
    p.reset();
    assert_eq!(p.state(), Open);
    assert!(p.rd().is_empty());
    assert!(p.is_tripped(trip));
    p.wr().append(b"again");
    assert_eq!(p.rd().data(), b"again");
}
