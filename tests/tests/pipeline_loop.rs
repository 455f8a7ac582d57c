//! The loop `#[pipeline]` generates gives the same result as the naive loop written by hand:
//! call every stage in declaration order, OR their activity flags, and stop after a pass in
//! which none reported activity.
//!
//! Four stages with internal state and different behaviours (whole lines only, hold until push,
//! a running-key scrambler, three output bytes per input byte) are joined by links of small
//! fixed capacity, so stages block on full buffers and the generated loop skips stages whose
//! ports did not change. Random scripts of appends, pushes, runs, partial drains and ends are
//! applied to a generated pipeline and to a hand-glued copy, and after every step the links,
//! the stages and the status must agree.

use std::collections::VecDeque;

use pipebuf::{PBufState, PipeBuf, Stage, Status, pipeline};
use pipebuf_tests::stages::scramble;
use proptest::prelude::*;

/// Counts the calls of a stage. Any two counts compare equal, because the generated loop skips
/// calls that the naive loop makes: the count is not part of the state that must agree.
#[derive(Clone, Copy, Debug, Default)]
struct Calls(u32);

impl Calls {
    fn tick(&mut self) {
        self.0 += 1;
    }
}

impl PartialEq for Calls {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Calls {}

/// Hands on whole lines only: a partial last line waits for its newline or for the end, and
/// so does a push that arrives behind it.
#[derive(Stage, Clone, Debug, Default, PartialEq, Eq)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Lines {
    handed: usize,
    calls: Calls,
}

impl Lines {
    fn process(&mut self, mut p: LinesPorts<'_>) -> bool {
        self.calls.tick();
        let before = (p.input.tripwire(), p.output.tripwire());
        if let Some(end) = p.input.data().iter().rposition(|&b| b == b'\n') {
            self.handed += p.input.forward_prefix(p.output.reborrow(), end + 1);
        }
        if p.input.is_eof() || p.input.is_empty() {
            let len = p.input.len();
            p.input.forward(p.output.reborrow());
            self.handed += len - p.input.len();
        }
        before != (p.input.tripwire(), p.output.tripwire())
    }
}

/// Keeps everything it receives until a push or a clean end releases it; an abort discards
/// what is held.
#[derive(Stage, Clone, Debug, Default, PartialEq, Eq)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Hold {
    held: VecDeque<u8>,
    /// How many bytes at the front of `held` may go out.
    release: usize,
    /// A push to hand on once the released bytes are out.
    push_out: bool,
    /// The end taken from the input: `Some(true)` for an abort.
    end: Option<bool>,
    flushes: u32,
    /// The calls that took data: shows the pass structure, which skipping must not change.
    takes: u32,
    calls: Calls,
}

impl Hold {
    fn process(&mut self, mut p: HoldPorts<'_>) -> bool {
        self.calls.tick();
        let before = (p.input.tripwire(), p.output.tripwire(), self.fingerprint());
        let len = p.input.len();
        self.held.extend(p.input.data());
        p.input.consume(len);
        self.takes += u32::from(len > 0);
        if p.input.consume_push() {
            self.release = self.held.len();
            self.push_out = true;
            self.flushes += 1;
        }
        if p.input.consume_eof() {
            let aborted = p.input.is_aborted();
            if aborted {
                self.held.clear();
            }
            self.release = self.held.len();
            self.end = Some(aborted);
        }
        while self.release > 0 {
            let len = self.release.min(p.output.free_space().unwrap_or(usize::MAX));
            if len == 0 {
                break;
            }
            let space = p.output.space(len);
            for (slot, byte) in space.iter_mut().zip(self.held.drain(..len)) {
                *slot = byte;
            }
            p.output.commit(len);
            self.release -= len;
        }
        if self.release == 0 {
            if self.push_out {
                p.output.push();
                self.push_out = false;
            }
            match self.end {
                Some(true) => p.output.abort(),
                Some(false) => p.output.close(),
                None => {}
            }
        }
        before != (p.input.tripwire(), p.output.tripwire(), self.fingerprint())
    }

    fn fingerprint(&self) -> (usize, usize, bool, Option<bool>, u32, u32) {
        (self.held.len(), self.release, self.push_out, self.end, self.flushes, self.takes)
    }
}

/// XORs each byte with a key that depends on every byte before it, so the output shows any
/// byte lost, repeated or reordered. Moves as much as the output has room for.
#[derive(Stage, Clone, Debug, Default, PartialEq, Eq)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Scramble {
    key: u8,
    count: usize,
    /// The calls that moved data: shows the pass structure, which skipping must not change.
    moves: u32,
    calls: Calls,
}

impl Scramble {
    fn process(&mut self, mut p: ScramblePorts<'_>) -> bool {
        self.calls.tick();
        let before = (p.input.tripwire(), p.output.tripwire());
        let moved = scramble(&mut self.key, &mut p.input, &mut p.output);
        if moved > 0 {
            self.count += moved;
            self.moves += 1;
        }
        before != (p.input.tripwire(), p.output.tripwire())
    }
}

/// Writes exactly three bytes per input byte (two hex digits and a separator), and takes a byte
/// only when all three fit.
#[derive(Stage, Clone, Debug, Default, PartialEq, Eq)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Expand {
    count: usize,
    /// The calls that expanded data: shows the pass structure, which skipping must not change.
    moves: u32,
    calls: Calls,
}

impl Expand {
    fn process(&mut self, mut p: ExpandPorts<'_>) -> bool {
        self.calls.tick();
        let before = (p.input.tripwire(), p.output.tripwire());
        let count = self.count;
        while let Some(&byte) = p.input.data().first() {
            if p.output.is_eof() {
                break;
            }
            let Some(space) = p.output.try_space(3) else { break };
            let separator = if self.count % 8 == 7 { b'\n' } else { b' ' };
            space.copy_from_slice(&[
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 15)],
                separator,
            ]);
            p.output.commit(3);
            p.input.consume(1);
            self.count += 1;
        }
        self.moves += u32::from(self.count != count);
        if p.input.is_empty() {
            p.input.forward(p.output.reborrow());
        }
        before != (p.input.tripwire(), p.output.tripwire())
    }
}

/// The stages in an order that is not the order of the data, so that a pass often calls a
/// stage before the one that feeds it.
#[pipeline]
struct Generated {
    hold: Hold,
    expand: Expand,
    lines: Lines,
    scramble: Scramble,
    #[link(-> lines.input)]
    text: PipeBuf,
    #[link(lines.output -> hold.input, capacity = 5, fixed)]
    whole: PipeBuf,
    #[link(hold.output -> scramble.input, capacity = 3, fixed)]
    held: PipeBuf,
    #[link(scramble.output -> expand.input, limit = 7)]
    scrambled: PipeBuf,
    #[link(expand.output ->, capacity = 9, fixed)]
    out: PipeBuf,
}

/// The same stages and buffers, glued by hand.
struct Glued {
    hold: Hold,
    expand: Expand,
    lines: Lines,
    scramble: Scramble,
    text: PipeBuf,
    whole: PipeBuf,
    held: PipeBuf,
    scrambled: PipeBuf,
    out: PipeBuf,
}

impl Glued {
    fn new() -> Self {
        let mut scrambled = PipeBuf::new();
        scrambled.set_limit(Some(7));
        Glued {
            hold: Hold::default(),
            expand: Expand::default(),
            lines: Lines::default(),
            scramble: Scramble::default(),
            text: PipeBuf::new(),
            whole: PipeBuf::with_fixed_capacity(5),
            held: PipeBuf::with_fixed_capacity(3),
            scrambled,
            out: PipeBuf::with_fixed_capacity(9),
        }
    }

    /// The naive loop: every stage, every pass, until a pass with no activity. Returns true if
    /// any buffer changed.
    fn run(&mut self) -> bool {
        let before = self.trips();
        let mut passes = 0;
        loop {
            passes += 1;
            assert!(passes < 10_000, "the hand-glued loop does not come to rest");
            let mut active = false;
            active |=
                self.hold.process(HoldPorts { input: self.whole.rd(), output: self.held.wr() });
            active |= self
                .expand
                .process(ExpandPorts { input: self.scrambled.rd(), output: self.out.wr() });
            active |=
                self.lines.process(LinesPorts { input: self.text.rd(), output: self.whole.wr() });
            active |= self
                .scramble
                .process(ScramblePorts { input: self.held.rd(), output: self.scrambled.wr() });
            if !active {
                break;
            }
        }
        before != self.trips()
    }

    fn trips(&self) -> [pipebuf::PBufTrip; 5] {
        [&self.text, &self.whole, &self.held, &self.scrambled, &self.out].map(PipeBuf::tripwire)
    }

    /// The status the generated loop must report after a run, from its documented meaning:
    /// done when every buffer has ended and the stages took all their input, blocked when the
    /// external output is full, else waiting or progress as the run changed something.
    fn expected_status(&mut self, changed: bool) -> Status {
        let inner_done = [&self.text, &self.whole, &self.held, &self.scrambled]
            .iter()
            .all(|buf| buf.state().is_eof() && buf.is_done());
        if inner_done && self.out.state().is_eof() {
            Status::Done
        } else if self.out.wr().is_full() {
            Status::Blocked
        } else if changed {
            Status::Progress
        } else {
            Status::Waiting
        }
    }
}

fn new_generated() -> Generated {
    Generated::new(Hold::default(), Expand::default(), Lines::default(), Scramble::default())
}

/// One step of a script, applied to both copies.
#[derive(Clone, Debug)]
enum Op {
    /// Write these bytes into the input, if it has not ended.
    Append(Vec<u8>),
    Push,
    /// Run the generated `process` and the hand-written loop.
    Run,
    /// Consume this many eighths of the output.
    Drain(u8),
    /// Take the push and the end of the output, if there are any.
    TakeFlags,
    Close,
    Abort,
}

fn op() -> impl Strategy<Value = Op> {
    let byte = prop_oneof![1 => Just(b'\n'), 5 => b'a'..=b'z'];
    prop_oneof![
        5 => prop::collection::vec(byte, 0..14).prop_map(Op::Append),
        1 => Just(Op::Push),
        5 => Just(Op::Run),
        3 => (0..=8u8).prop_map(Op::Drain),
        1 => Just(Op::TakeFlags),
        1 => Just(Op::Close),
        1 => Just(Op::Abort),
    ]
}

/// Applies one step to both copies; returns the status of a run.
fn apply(op: &Op, generated: &mut Generated, glued: &mut Glued) -> Option<Status> {
    match op {
        Op::Append(bytes) => {
            if !generated.text().is_eof() {
                generated.text().append(bytes);
                glued.text.wr().append(bytes);
            }
        }
        Op::Push => {
            generated.text().push();
            glued.text.wr().push();
        }
        Op::Run => {
            let Ok(status) = generated.process();
            let changed = glued.run();
            assert_eq!(status, glued.expected_status(changed), "status of a run");
            return Some(status);
        }
        Op::Drain(eighths) => {
            let len = generated.out().len() * usize::from(*eighths) / 8;
            generated.out().consume(len);
            glued.out.rd().consume(len);
        }
        Op::TakeFlags => {
            assert_eq!(generated.out().consume_push(), glued.out.rd().consume_push());
            assert_eq!(generated.out().consume_eof(), glued.out.rd().consume_eof());
        }
        Op::Close => {
            generated.text().close();
            glued.text.wr().close();
        }
        Op::Abort => {
            generated.text().abort();
            glued.text.wr().abort();
        }
    }
    None
}

/// Asserts that every link and every stage is the same in both copies.
fn assert_same(generated: &mut Generated, glued: &mut Glued, step: usize) {
    let pairs = [
        ("text", &mut generated.text, &mut glued.text),
        ("whole", &mut generated.whole, &mut glued.whole),
        ("held", &mut generated.held, &mut glued.held),
        ("scrambled", &mut generated.scrambled, &mut glued.scrambled),
        ("out", &mut generated.out, &mut glued.out),
    ];
    for (name, a, b) in pairs {
        assert_eq!(a.rd().data(), b.rd().data(), "data of `{name}` after step {step}");
        assert_eq!(a.state(), b.state(), "state of `{name}` after step {step}");
    }
    assert_eq!(generated.lines, glued.lines, "stage `lines` after step {step}");
    assert_eq!(generated.hold, glued.hold, "stage `hold` after step {step}");
    assert_eq!(generated.scramble, glued.scramble, "stage `scramble` after step {step}");
    assert_eq!(generated.expand, glued.expand, "stage `expand` after step {step}");
}

/// Runs a script on both copies, checking after every step; returns the statuses of the runs.
fn check_script(ops: &[Op]) -> Vec<Status> {
    let (mut generated, mut glued) = (new_generated(), Glued::new());
    let mut statuses = Vec::new();
    for (step, op) in ops.iter().enumerate() {
        statuses.extend(apply(op, &mut generated, &mut glued));
        assert_same(&mut generated, &mut glued, step);
    }
    statuses
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_generated_loop_agrees_with_the_naive_loop(ops in prop::collection::vec(op(), 0..60)) {
        check_script(&ops);
    }
}

/// A fixed script long enough to fill every small link: the stages block, the generated loop
/// skips the stages whose ports did not move, and both copies still agree.
#[test]
fn skipping_calls_stages_less_often_and_changes_nothing() {
    let (mut generated, mut glued) = (new_generated(), Glued::new());
    let text = b"one line\ntwo lines\nand a third one\nunfinished";
    let mut ops = vec![Op::Append(text.to_vec()), Op::Push, Op::Run];
    for _ in 0..40 {
        ops.extend([Op::Drain(8), Op::Run]);
    }
    ops.extend([Op::Close, Op::Run]);
    for _ in 0..40 {
        ops.extend([Op::Drain(8), Op::Run]);
    }
    for (step, op) in ops.iter().enumerate() {
        apply(op, &mut generated, &mut glued);
        assert_same(&mut generated, &mut glued, step);
    }
    let calls = |s: (&Lines, &Hold, &Scramble, &Expand)| {
        s.0.calls.0 + s.1.calls.0 + s.2.calls.0 + s.3.calls.0
    };
    let generated_calls =
        calls((&generated.lines, &generated.hold, &generated.scramble, &generated.expand));
    let glued_calls = calls((&glued.lines, &glued.hold, &glued.scramble, &glued.expand));
    assert!(
        generated_calls < glued_calls,
        "generated {generated_calls} calls, hand-glued {glued_calls}"
    );
    // Every byte went through: 3 output bytes per input byte, all of them drained.
    assert_eq!(generated.expand.count, text.len());
    assert_eq!(generated.out.state(), PBufState::Closing);
    let Ok(status) = generated.process();
    assert_eq!(status, Status::Done);
}

/// A script that reaches each status a run can end in, so the comparison above covers them.
#[test]
fn a_scripted_run_reaches_waiting_progress_blocked_and_done() {
    let ops = [
        Op::Run,
        Op::Append(b"abcd\n".to_vec()),
        // The line goes on and `hold` keeps it.
        Op::Run,
        Op::Push,
        // Released: three bytes expand to nine and fill the output.
        Op::Run,
        Op::Run,
        Op::Drain(8),
        // The last two bytes expand to six, then the push follows.
        Op::Run,
        Op::Drain(8),
        Op::Run,
        Op::Close,
        Op::Run,
        Op::Run,
    ];
    let statuses = check_script(&ops);
    assert_eq!(
        statuses,
        [
            Status::Waiting,
            Status::Progress,
            Status::Blocked,
            Status::Blocked,
            Status::Progress,
            Status::Waiting,
            Status::Done,
            Status::Done,
        ]
    );
}

const HEX: &[u8; 16] = b"0123456789abcdef";
