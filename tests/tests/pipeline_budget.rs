//! `process_with(Budget::passes(n))`: a call returns `Pending` while work remains; calling again
//! until it stops gives exactly what one unlimited `process()` gives, in exactly the number of
//! passes that call makes; and many pipelines served round-robin with a small budget each move
//! on every round instead of waiting for one another.

use pipebuf::{Budget, PBufState, PipeBuf, Stage, Status, pipeline};
use pipebuf_tests::stages::{Pass, scramble};

/// XORs each byte with a key that depends on every byte before it, so the output shows any
/// byte lost, repeated or reordered. Moves as much as the output has room for.
#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Scramble {
    key: u8,
}

impl Scramble {
    fn process(&mut self, mut p: ScramblePorts<'_>) -> bool {
        let before = (p.input.tripwire(), p.output.tripwire());
        scramble(&mut self.key, &mut p.input, &mut p.output);
        before != (p.input.tripwire(), p.output.tripwire())
    }
}

/// Links of two bytes: every pass moves two bytes from the input to the output, so a long
/// input takes many passes.
#[pipeline]
struct Conveyor {
    load: Pass,
    scramble: Scramble,
    unload: Pass,
    #[link(-> load.input)]
    input: PipeBuf,
    #[link(load.output -> scramble.input, capacity = 2, fixed)]
    loaded: PipeBuf,
    #[link(scramble.output -> unload.input, capacity = 2, fixed)]
    scrambled: PipeBuf,
    #[link(unload.output ->)]
    output: PipeBuf,
}

fn conveyor(text: &[u8], close: bool) -> Conveyor {
    let mut p = Conveyor::new(Pass, Scramble { key: 0x5a }, Pass);
    p.input().append(text);
    if close {
        p.input().close();
    }
    p
}

/// What a pipeline shows after running: its output and the output's state.
fn outcome(p: &mut Conveyor) -> (Vec<u8>, PBufState) {
    (p.output().data().to_vec(), p.output().state())
}

/// Calls `process_with(budget)` until it returns something else than `Pending`; returns how
/// many calls returned `Pending` and the last status.
fn run_budgeted(p: &mut Conveyor, budget: Budget) -> (u32, Status) {
    for pending in 0..10_000 {
        let Ok(status) = p.process_with(budget);
        if status != Status::Pending {
            return (pending, status);
        }
    }
    panic!("still pending after 10000 calls");
}

fn text(len: usize) -> Vec<u8> {
    (0..len).map(|i| b"abcdefghijklmnopqrstuvwxyz\n"[i % 27]).collect()
}

#[test]
fn budgeted_calls_end_with_the_output_of_one_unlimited_call() {
    for len in [0, 1, 2, 7, 40, 101] {
        for close in [false, true] {
            let mut reference = conveyor(&text(len), close);
            let Ok(status) = reference.process();
            let expected = outcome(&mut reference);
            assert_eq!(expected.0.len(), len);
            // One pass per call: the unlimited call made `passes` passes, all of which but the
            // last changed something.
            let (pending, last) = run_budgeted(&mut conveyor(&text(len), close), Budget::passes(1));
            let passes = pending + 1;
            assert_eq!(last, if close { Status::Done } else { Status::Waiting });
            for n in [1, 2, 3, 5, 8, 64, 1000] {
                let mut p = conveyor(&text(len), close);
                let (pending, last) = run_budgeted(&mut p, Budget::passes(n));
                let case = format!("{len} bytes, closed: {close}, {n} passes");
                assert_eq!(outcome(&mut p), expected, "{case}");
                assert_eq!(pending, (passes - 1) / n, "{case}");
                // A last call that only made the quiet pass changed nothing: `Waiting` where
                // the unlimited call said `Progress`.
                let quiet_only = pending > 0 && (passes - 1) % n == 0;
                let expected_status =
                    if quiet_only && status == Status::Progress { Status::Waiting } else { status };
                assert_eq!(last, expected_status, "{case}");
            }
        }
    }
}

#[test]
fn a_pending_call_has_moved_data_and_the_next_call_goes_on_from_there() {
    let mut p = conveyor(b"0123456789", true);
    let mut seen = Vec::new();
    let mut statuses = Vec::new();
    loop {
        let Ok(status) = p.process_with(Budget::passes(1));
        statuses.push(status);
        let len = p.output().len();
        seen.push(len);
        p.output().consume(len);
        if !status.must_call_again() {
            break;
        }
    }
    // Two bytes per pass; the end travels with the last two; one quiet pass.
    assert_eq!(seen, [2, 2, 2, 2, 2, 0]);
    assert_eq!(statuses, [[Status::Pending; 5].as_slice(), &[Status::Done]].concat());
    assert_eq!(p.output().state(), PBufState::Closing);
}

#[test]
fn pipelines_served_round_robin_with_a_small_budget_all_move_every_round() {
    let lens = [38, 40, 80, 120, 161, 240];
    let mut pipelines: Vec<Conveyor> = lens.iter().map(|&len| conveyor(&text(len), true)).collect();
    let mut done = [false; 6];
    // Bytes each pipeline delivered in each round.
    let mut moved: Vec<Vec<usize>> = vec![Vec::new(); 6];
    let mut finished_in = [0; 6];
    for round in 1..=1000 {
        for (i, p) in pipelines.iter_mut().enumerate() {
            if done[i] {
                continue;
            }
            let Ok(status) = p.process_with(Budget::passes(2));
            let len = p.output().len();
            p.output().consume(len);
            moved[i].push(len);
            if status != Status::Pending {
                assert_eq!(status, Status::Done);
                done[i] = true;
                finished_in[i] = round;
            }
        }
        if done.iter().all(|&d| d) {
            break;
        }
    }
    for (i, &len) in lens.iter().enumerate() {
        // Two passes of two bytes per round, until the input runs out: every pipeline moves
        // in every round it is served, whatever the others have left to do.
        let full_rounds = len.div_ceil(2) / 2;
        let mut expected = vec![4; full_rounds];
        expected.push(len - 4 * full_rounds);
        assert_eq!(moved[i], expected, "pipeline of {len} bytes");
        assert_eq!(finished_in[i], full_rounds + 1, "pipeline of {len} bytes");
        assert_eq!(moved[i].iter().sum::<usize>(), len);
    }
    // In the first round every pipeline delivered, not just the first one served.
    assert!(moved.iter().all(|m| m[0] == 4));
}

#[test]
fn without_a_budget_the_first_pipeline_served_runs_to_the_end_in_one_call() {
    let mut p = conveyor(&text(240), true);
    let Ok(status) = p.process();
    assert_eq!(status, Status::Done);
    assert_eq!(p.output().len(), 240);
}

#[test]
fn a_budget_of_zero_passes_still_makes_one() {
    assert_eq!(Budget::passes(0), Budget::passes(1));
    let mut p = conveyor(b"abcd", false);
    let Ok(status) = p.process_with(Budget::passes(0));
    assert_eq!(status, Status::Pending);
    assert_eq!(p.output().len(), 2);
}
