//! Property tests: random interleavings of operations on two buffers, checked against a model.

use std::collections::VecDeque;

use pipebuf::{PBufState, PipeBuf};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    /// Produce this many bytes into A with `try_space` + `commit`.
    Produce(usize),
    /// Consume this share (in 1/8ths) of A's data.
    ConsumeA(u8),
    ConsumeB(u8),
    Push,
    ConsumePush,
    Close,
    Abort,
    ConsumeEofA,
    ConsumeEofB,
    /// Forward all of A into B.
    Forward,
    /// Forward this share (in 1/8ths) of A's data into B.
    ForwardPrefix(u8),
    SetPush(bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..200usize).prop_map(Op::Produce),
        3 => (0..=8u8).prop_map(Op::ConsumeA),
        3 => (0..=8u8).prop_map(Op::ConsumeB),
        1 => Just(Op::Push),
        1 => Just(Op::ConsumePush),
        1 => Just(Op::Close),
        1 => Just(Op::Abort),
        1 => Just(Op::ConsumeEofA),
        1 => Just(Op::ConsumeEofB),
        3 => Just(Op::Forward),
        3 => (0..=8u8).prop_map(Op::ForwardPrefix),
        1 => any::<bool>().prop_map(Op::SetPush),
    ]
}

/// What a buffer should hold, and how much it may hold (`None`: unbounded).
#[derive(Clone, Debug)]
struct Model {
    data: VecDeque<u8>,
    state: PBufState,
    bound: Option<usize>,
}

impl Model {
    fn new(bound: Option<usize>) -> Self {
        Model { data: VecDeque::new(), state: PBufState::Open, bound }
    }

    fn free(&self) -> Option<usize> {
        self.bound.map(|b| b.saturating_sub(self.data.len()))
    }

    fn set_eof(&mut self, aborted: bool) {
        if !self.state.is_eof() {
            self.state = if aborted { PBufState::Aborting } else { PBufState::Closing };
        }
    }

    fn consume_eof(&mut self) -> bool {
        let next = match self.state {
            PBufState::Closing => PBufState::Closed,
            PBufState::Aborting => PBufState::Aborted,
            _ => return false,
        };
        self.state = next;
        true
    }

    /// Moves up to `len` bytes to `dest`, as a hand-on does; returns how many moved.
    fn move_to(&mut self, dest: &mut Model, len: usize) -> usize {
        if dest.state.is_eof() {
            return 0;
        }
        let len = len.min(self.data.len()).min(dest.free().unwrap_or(usize::MAX));
        dest.data.extend(self.data.drain(..len));
        len
    }
}

fn share(len: usize, eighths: u8) -> usize {
    len * usize::from(eighths) / 8
}

fn check<const N: usize>(real: &mut PipeBuf<u8, N>, model: &Model, what: &str) {
    let expected: Vec<u8> = model.data.iter().copied().collect();
    assert_eq!(real.rd().data(), &expected[..], "{what}: data");
    assert_eq!(real.state(), model.state, "{what}: state");
    assert_eq!(real.wr().free_space(), model.free(), "{what}: free space");
    assert_eq!(real.wr().is_full(), model.free() == Some(0), "{what}: is_full");
    if let Some(bound) = model.bound {
        assert!(real.capacity() <= bound.max(model.data.len()), "{what}: capacity within bound");
    }
}

fn run<const NA: usize, const NB: usize>(
    mut a: PipeBuf<u8, NA>,
    mut b: PipeBuf<u8, NB>,
    bounds: (Option<usize>, Option<usize>),
    ops: &[Op],
) {
    let (mut ma, mut mb) = (Model::new(bounds.0), Model::new(bounds.1));
    let mut counter = 0u8;
    for (step, op) in ops.iter().enumerate() {
        let (ta, tb) = (a.tripwire(), b.tripwire());
        let (before_a, before_b) = (ma.clone(), mb.clone());
        match *op {
            Op::Produce(n) => {
                let fits = ma.free().is_none_or(|free| n <= free);
                let mut wr = a.wr();
                match wr.try_space(n) {
                    Some(space) => {
                        assert!(fits, "step {step}: space granted beyond the bound");
                        for byte in space.iter_mut() {
                            counter = counter.wrapping_add(1);
                            *byte = counter;
                            if !ma.state.is_eof() {
                                ma.data.push_back(counter);
                            }
                        }
                        if !ma.state.is_eof() {
                            wr.commit(n);
                        }
                    }
                    None => assert!(!fits, "step {step}: space refused within the bound"),
                }
            }
            Op::ConsumeA(s) => {
                let n = share(ma.data.len(), s);
                a.rd().consume(n);
                ma.data.drain(..n);
            }
            Op::ConsumeB(s) => {
                let n = share(mb.data.len(), s);
                b.rd().consume(n);
                mb.data.drain(..n);
            }
            Op::Push => {
                a.wr().push();
                if !ma.state.is_eof() {
                    ma.state = PBufState::Push;
                }
            }
            Op::SetPush(on) => {
                a.set_push(on);
                if !ma.state.is_eof() {
                    ma.state = if on { PBufState::Push } else { PBufState::Open };
                }
            }
            Op::ConsumePush => {
                let was_push = ma.state == PBufState::Push;
                if was_push {
                    ma.state = PBufState::Open;
                }
                assert_eq!(a.rd().consume_push(), was_push, "step {step}: consume_push");
            }
            Op::Close => {
                a.wr().close();
                ma.set_eof(false);
            }
            Op::Abort => {
                a.wr().abort();
                ma.set_eof(true);
            }
            Op::ConsumeEofA => assert_eq!(a.rd().consume_eof(), ma.consume_eof(), "step {step}"),
            Op::ConsumeEofB => assert_eq!(b.rd().consume_eof(), mb.consume_eof(), "step {step}"),
            Op::Forward => {
                a.rd().forward(b.wr());
                if !mb.state.is_eof() {
                    ma.move_to(&mut mb, usize::MAX);
                    if ma.data.is_empty() {
                        if ma.state == PBufState::Push {
                            ma.state = PBufState::Open;
                            mb.state = PBufState::Push;
                        }
                        if ma.consume_eof() {
                            mb.set_eof(ma.state.is_aborted());
                        }
                    }
                }
            }
            Op::ForwardPrefix(s) => {
                let n = share(ma.data.len(), s);
                let moved = a.rd().forward_prefix(b.wr(), n);
                assert_eq!(moved, ma.move_to(&mut mb, n), "step {step}: forward_prefix count");
            }
        }
        check(&mut a, &ma, &format!("step {step} {op:?}, A"));
        check(&mut b, &mb, &format!("step {step} {op:?}, B"));
        // Each op only adds to or only takes from a buffer's data, so a change in the model's
        // contents or state is exactly a change the tripwire must show, and nothing else is.
        let changed_a = ma.data != before_a.data || ma.state != before_a.state;
        let changed_b = mb.data != before_b.data || mb.state != before_b.state;
        assert_eq!(a.is_tripped(ta), changed_a, "step {step} {op:?}: A's tripwire");
        assert_eq!(b.is_tripped(tb), changed_b, "step {step} {op:?}: B's tripwire");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn growable_heap_buffers_match_the_model(ops in prop::collection::vec(op(), 1..120)) {
        run(PipeBuf::new(), PipeBuf::new(), (None, None), &ops);
    }

    #[test]
    fn fixed_and_limited_buffers_match_the_model(
        ops in prop::collection::vec(op(), 1..120),
        cap_a in 1..300usize,
        cap_b in 1..300usize,
    ) {
        let mut b = PipeBuf::new();
        b.set_limit(Some(cap_b));
        run(PipeBuf::with_fixed_capacity(cap_a), b, (Some(cap_a), Some(cap_b)), &ops);
    }

    #[test]
    fn equal_fixed_buffers_match_the_model(ops in prop::collection::vec(op(), 1..120)) {
        run(PipeBuf::with_fixed_capacity(256), PipeBuf::with_fixed_capacity(256), (Some(256), Some(256)), &ops);
    }

    #[test]
    fn inline_buffers_match_the_model(ops in prop::collection::vec(op(), 1..120)) {
        run(
            PipeBuf::<u8, 128>::with_inline_storage(),
            PipeBuf::<u8, 64>::with_inline_storage(),
            (Some(128), Some(64)),
            &ops,
        );
    }

    #[test]
    fn heap_into_inline_matches_the_model(ops in prop::collection::vec(op(), 1..120)) {
        run(PipeBuf::new(), PipeBuf::<u8, 100>::with_inline_storage(), (None, Some(100)), &ops);
    }
}

#[test]
fn produce_then_consume_the_same_amount_trips() {
    // The published crate's tripwire (unread length + state) misses exactly this.
    let mut p = PipeBuf::new();
    p.wr().append(b"abc");
    let trip = p.tripwire();
    p.rd().consume(3);
    p.wr().append(b"xyz");
    assert_eq!(p.rd().len(), 3);
    assert!(p.is_tripped(trip));
}
