//! Each `Status` a pipeline's `process` can return, reached in a scenario of its own: `Waiting`,
//! `Progress`, `Blocked` (and how it ends when the caller drains), `Done`, `Hung` and `Pending`,
//! and which one wins when several apply.

// The test stages that hold no state still take `&mut self`, as `process` must.
#![allow(clippy::unused_self)]

use pipebuf::{Budget, PBufState, PipeBuf, PipeBufPair, Stage, Status, pipeline};
use pipebuf_tests::stages::{Echo, Liar, Pass};

/// Writes each input byte three times, and takes a byte only when all three copies fit.
#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Triple;

impl Triple {
    fn process(&mut self, mut p: TriplePorts<'_>) -> bool {
        let before = (p.input.tripwire(), p.output.tripwire());
        while let Some(&byte) = p.input.data().first() {
            let Some(space) = p.output.try_space(3) else { break };
            space.fill(byte);
            p.output.commit(3);
            p.input.consume(1);
        }
        if p.input.is_empty() {
            p.input.forward(p.output.reborrow());
        }
        before != (p.input.tripwire(), p.output.tripwire())
    }
}

/// Moves one byte per call, so that a run takes one pass per byte.
#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Drip;

impl Drip {
    fn process(&mut self, mut p: DripPorts<'_>) -> bool {
        let before = (p.input.tripwire(), p.output.tripwire());
        if p.input.is_empty() {
            p.input.forward(p.output.reborrow());
        } else {
            p.input.forward_prefix(p.output.reborrow(), 1);
        }
        before != (p.input.tripwire(), p.output.tripwire())
    }
}

/// Works on its own state for its first `left` calls (as a handshake step might), changing no
/// buffer, then rests.
#[derive(Stage)]
#[stage(ports(input: PBufRd))]
struct Busy {
    left: u32,
}

impl Busy {
    fn process(&mut self, _: BusyPorts<'_>) -> bool {
        let busy = self.left > 0;
        self.left = self.left.saturating_sub(1);
        busy
    }
}

#[pipeline]
struct Simple {
    pass: Pass,
    #[link(-> pass.input)]
    input: PipeBuf,
    #[link(pass.output ->)]
    output: PipeBuf,
}

#[pipeline]
struct Bounded {
    pass: Pass,
    #[link(-> pass.input)]
    input: PipeBuf,
    #[link(pass.output ->, capacity = 4, fixed)]
    output: PipeBuf,
}

#[pipeline]
struct Limited {
    pass: Pass,
    #[link(-> pass.input)]
    input: PipeBuf,
    #[link(pass.output ->, limit = 4)]
    output: PipeBuf,
}

#[pipeline]
struct Mirror {
    echo: Echo,
    #[link(<-> echo.lower, capacity = 4, fixed)]
    net: PipeBufPair,
}

#[pipeline]
struct Tripled {
    triple: Triple,
    #[link(-> triple.input)]
    input: PipeBuf,
    #[link(triple.output ->, capacity = 8, fixed)]
    output: PipeBuf,
}

#[pipeline]
struct Twin {
    a: Pass,
    b: Pass,
    #[link(-> a.input)]
    a_in: PipeBuf,
    #[link(a.output ->)]
    a_out: PipeBuf,
    #[link(-> b.input)]
    b_in: PipeBuf,
    #[link(b.output ->)]
    b_out: PipeBuf,
}

#[pipeline]
struct Lying {
    pass: Pass,
    liar: Liar,
    #[link(-> pass.input)]
    input: PipeBuf,
    #[link(pass.output -> liar.input)]
    middle: PipeBuf,
}

#[pipeline]
struct Working {
    busy: Busy,
    #[link(-> busy.input)]
    input: PipeBuf,
}

#[pipeline]
struct Dripping {
    drip: Drip,
    busy: Busy,
    #[link(-> drip.input)]
    input: PipeBuf,
    #[link(drip.output ->)]
    output: PipeBuf,
    #[link(-> busy.input)]
    idle: PipeBuf,
}

/// `Bounded` as a stage, behind an outer output as small as its own.
#[pipeline]
struct NestedBounded {
    bounded: Bounded,
    #[link(-> bounded.input)]
    input: PipeBuf,
    #[link(bounded.output ->, capacity = 4, fixed)]
    output: PipeBuf,
}

/// `Lying` as a stage.
#[pipeline]
struct NestedLying {
    lying: Lying,
    #[link(-> lying.input)]
    input: PipeBuf,
}

#[test]
fn a_pipeline_with_nothing_to_do_is_waiting() {
    let mut p = Simple::new(Pass);
    let Ok(status) = p.process();
    assert_eq!(status, Status::Waiting);
    let Ok(status) = p.process();
    assert_eq!(status, Status::Waiting);
    assert!(!status.must_call_again());
}

#[test]
fn moving_data_is_progress_and_the_next_call_is_waiting() {
    let mut p = Simple::new(Pass);
    p.input().append(b"abc");
    let Ok(status) = p.process();
    assert_eq!(status, Status::Progress);
    assert!(!status.must_call_again());
    assert_eq!(p.output().data(), b"abc");
    // The data waits in the output (unbounded, so not full); nothing else moves.
    let Ok(status) = p.process();
    assert_eq!(status, Status::Waiting);
    // A push alone is a change too.
    p.input().push();
    let Ok(status) = p.process();
    assert_eq!(status, Status::Progress);
    assert!(p.output().consume_push());
}

#[test]
fn a_full_fixed_output_is_blocked_until_the_caller_drains_it() {
    let mut p = Bounded::new(Pass);
    p.input().append(b"abcdefghi");
    let Ok(status) = p.process();
    assert_eq!(status, Status::Blocked);
    assert_eq!(p.output().data(), b"abcd");
    // Not drained: still blocked, although nothing changed in this call.
    let Ok(status) = p.process();
    assert_eq!(status, Status::Blocked);
    assert_eq!(p.output().data(), b"abcd");
    p.output().consume(2);
    let Ok(status) = p.process();
    assert_eq!(status, Status::Blocked);
    assert_eq!(p.output().data(), b"cdef");
    p.output().consume(4);
    let Ok(status) = p.process();
    assert_eq!(status, Status::Progress);
    assert_eq!(p.output().data(), b"ghi");
    p.output().consume(3);
    let Ok(status) = p.process();
    assert_eq!(status, Status::Waiting);
}

#[test]
fn a_full_output_with_a_limit_is_blocked_until_the_caller_drains_it() {
    let mut p = Limited::new(Pass);
    p.input().append(b"abcdef");
    let Ok(status) = p.process();
    assert_eq!(status, Status::Blocked);
    assert_eq!(p.output().data(), b"abcd");
    p.output().consume(4);
    let Ok(status) = p.process();
    assert_eq!(status, Status::Progress);
    assert_eq!(p.output().data(), b"ef");
}

#[test]
fn a_full_duplex_port_is_blocked_until_the_caller_reads_it() {
    let mut p = Mirror::new(Echo);
    p.net().wr.append(b"abcd");
    let Ok(status) = p.process();
    assert_eq!(status, Status::Blocked);
    assert_eq!(p.net().rd.data(), b"abcd");
    // The way up is free again and takes four more, which cannot come back yet.
    p.net().wr.append(b"efgh");
    let Ok(status) = p.process();
    assert_eq!(status, Status::Blocked);
    assert_eq!(p.net().rd.data(), b"abcd");
    p.net().rd.consume(4);
    let Ok(status) = p.process();
    assert_eq!(status, Status::Blocked);
    assert_eq!(p.net().rd.data(), b"efgh");
    p.net().rd.consume(4);
    let Ok(status) = p.process();
    assert_eq!(status, Status::Waiting);
}

/// `Blocked` means an external output is full. A stage that needs more room than is left (here
/// three bytes, with two free) stops without filling it, and the pipeline then reports
/// `Progress` and `Waiting`, not `Blocked`: the caller must flush its outputs after `Progress`,
/// as `Status::Progress` says, and not wait for `Blocked` to do so.
#[test]
fn an_output_with_too_little_room_for_a_stage_is_not_blocked() {
    let mut p = Tripled::new(Triple);
    p.input().append(b"abc");
    let Ok(status) = p.process();
    assert_eq!(status, Status::Progress);
    assert_eq!(p.output().data(), b"aaabbb");
    assert_eq!(p.output().len(), 6);
    let Ok(status) = p.process();
    assert_eq!(status, Status::Waiting);
    p.output().consume(6);
    let Ok(status) = p.process();
    assert_eq!(status, Status::Progress);
    assert_eq!(p.output().data(), b"ccc");
}

#[test]
fn done_when_every_stream_has_ended_and_the_stages_took_their_input() {
    let mut p = Simple::new(Pass);
    p.input().append(b"last");
    p.input().close();
    let Ok(status) = p.process();
    assert_eq!(status, Status::Done);
    // The output still holds the data and the end, for the caller to take.
    assert_eq!(p.output().data(), b"last");
    assert_eq!(p.output().state(), PBufState::Closing);
    let Ok(status) = p.process();
    assert_eq!(status, Status::Done);
    assert!(p.output().consume_eof());
    p.output().consume(4);
    let Ok(status) = p.process();
    assert_eq!(status, Status::Done);
}

#[test]
fn an_abort_ends_a_pipeline_as_a_close_does() {
    let mut p = Simple::new(Pass);
    p.input().append(b"cut");
    p.input().abort();
    let Ok(status) = p.process();
    assert_eq!(status, Status::Done);
    assert_eq!(p.output().data(), b"cut");
    assert_eq!(p.output().state(), PBufState::Aborting);
}

#[test]
fn a_pipeline_is_not_done_while_one_input_is_open() {
    let mut p = Twin::new(Pass, Pass);
    p.a_in().close();
    let Ok(status) = p.process();
    assert_eq!(status, Status::Progress);
    let Ok(status) = p.process();
    assert_eq!(status, Status::Waiting);
    p.b_in().close();
    let Ok(status) = p.process();
    assert_eq!(status, Status::Done);
}

#[test]
fn an_ended_input_that_cannot_drain_into_a_full_output_is_blocked_then_done() {
    let mut p = Bounded::new(Pass);
    p.input().append(b"abcdef");
    p.input().close();
    let Ok(status) = p.process();
    assert_eq!(status, Status::Blocked);
    p.output().consume(4);
    let Ok(status) = p.process();
    assert_eq!(status, Status::Done);
    assert_eq!(p.output().data(), b"ef");
    assert_eq!(p.output().state(), PBufState::Closing);
}

#[test]
fn done_wins_over_blocked_when_a_full_output_has_ended() {
    let mut p = Bounded::new(Pass);
    p.input().append(b"abcd");
    p.input().close();
    let Ok(status) = p.process();
    assert_eq!(status, Status::Done);
    assert!(p.output.wr().is_full());
}

#[test]
fn a_stage_that_reports_activity_and_changes_nothing_is_hung() {
    let mut p = Lying::new(Pass, Liar);
    p.input().append(b"moved first");
    let Ok(status) = p.process();
    assert_eq!(status, Status::Hung { stage: "liar" });
    assert!(!status.must_call_again());
    // The honest stage ran before the hang was caught.
    assert_eq!(p.middle.rd().data(), b"moved first");
    // Every call catches it again.
    let Ok(status) = p.process();
    assert_eq!(status, Status::Hung { stage: "liar" });
}

/// A hung stage inside a nested pipeline makes the nested pipeline, as a stage, hung too.
#[test]
fn a_hang_inside_a_nested_pipeline_is_caught_outside() {
    let mut p = NestedLying::new(Lying::new(Pass, Liar));
    p.input().append(b"data");
    assert_eq!(p.process().unwrap(), Status::Hung { stage: "lying" });
    assert_eq!(p.lying.middle.rd().data(), b"data");
}

/// A stage may work on its own state, reporting activity, for up to 63 passes in a row without
/// changing a buffer; the 64th such pass makes it hung.
#[test]
fn hung_means_64_passes_in_a_row_without_a_change() {
    let mut p = Working::new(Busy { left: 63 });
    let Ok(status) = p.process();
    assert_eq!(status, Status::Progress);
    assert_eq!(p.busy.left, 0);

    let mut p = Working::new(Busy { left: 64 });
    let Ok(status) = p.process();
    assert_eq!(status, Status::Hung { stage: "busy" });
    assert_eq!(p.busy.left, 0);
}

#[test]
fn passes_that_move_data_do_not_count_towards_a_hang() {
    let mut p = Dripping::new(Drip, Busy { left: 150 });
    p.input().append(&[7; 100]);
    let Ok(status) = p.process();
    // `busy` works through 100 passes that move a byte each, then 50 that move nothing: fewer
    // than 64 fruitless passes in a row.
    assert_eq!(status, Status::Progress);
    assert_eq!(p.output().len(), 100);
    assert_eq!(p.busy.left, 0);
}

#[test]
fn a_budget_that_runs_out_while_data_moves_is_pending() {
    let mut p = Dripping::new(Drip, Busy { left: 0 });
    p.input().append(b"xyz");
    let Ok(status) = p.process_with(Budget::passes(1));
    assert_eq!(status, Status::Pending);
    assert!(status.must_call_again());
    assert_eq!(p.output().data(), b"x");
    let Ok(status) = p.process_with(Budget::passes(2));
    assert_eq!(status, Status::Pending);
    assert_eq!(p.output().data(), b"xyz");
    // The next pass moves nothing: the call ends at rest within its budget.
    let Ok(status) = p.process_with(Budget::passes(1));
    assert_eq!(status, Status::Waiting);
}

#[test]
fn a_budget_large_enough_ends_at_rest() {
    let mut p = Dripping::new(Drip, Busy { left: 0 });
    p.input().append(b"xyz");
    // Three passes move a byte each; the fourth finds nothing to do.
    let Ok(status) = p.process_with(Budget::passes(4));
    assert_eq!(status, Status::Progress);
    assert_eq!(p.output().data(), b"xyz");
}

/// Hang detection counts fruitless passes across calls: under a budget of 8 passes, a stage
/// that never rests is caught at the 8th call, after 64 passes in a row.
#[test]
fn a_stage_that_never_rests_is_caught_under_a_small_budget() {
    let mut p = Lying::new(Pass, Liar);
    let mut statuses = Vec::new();
    for _ in 0..1000 {
        let Ok(status) = p.process_with(Budget::passes(8));
        statuses.push(status);
        if !status.must_call_again() {
            break;
        }
    }
    assert_eq!(
        statuses,
        [[Status::Pending; 7].as_slice(), &[Status::Hung { stage: "liar" }]].concat()
    );
}

/// A nested pipeline whose own output is bounded and full has nothing to do while the outer
/// output is full too: the outer pipeline is blocked, not hung, and goes on once drained.
#[test]
fn a_nested_pipeline_behind_a_full_output_is_blocked_not_hung() {
    let mut p = NestedBounded::new(Bounded::new(Pass));
    p.input().append(&[b'x'; 20]);
    let mut delivered = 0;
    for _ in 0..5 {
        assert_eq!(p.process().unwrap(), Status::Blocked);
        assert_eq!(p.output().data(), b"xxxx");
        p.output().consume(4);
        delivered += 4;
    }
    assert_eq!(delivered, 20);
    assert_eq!(p.process().unwrap(), Status::Waiting);
    assert_eq!(p.output().len(), 0);
}
