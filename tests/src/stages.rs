//! Small stages and a chain that several `pipeline_*` tests share: they hand data on unchanged
//! (or, for [`Liar`], never touch it), so that a test's own stages are the ones it is about.

// The stages hold no state, yet `process` must take `&mut self`, as `#[derive(Stage)]` calls it.
#![allow(clippy::unused_self)]

use pipebuf::{PBufRd, PBufWr, PipeBufPair, Stage, pipeline};

/// Hands its input on unchanged, with push and end.
#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
pub struct Pass;

impl Pass {
    fn process(&mut self, mut p: PassPorts<'_>) -> bool {
        let before = (p.input.tripwire(), p.output.tripwire());
        p.input.forward(p.output.reborrow());
        before != (p.input.tripwire(), p.output.tripwire())
    }
}

/// Passes both directions through unchanged, with push and end.
#[derive(Stage)]
#[stage(ports(lower: PBufRdWr, upper: PBufRdWr))]
pub struct Relay;

impl Relay {
    fn process(&mut self, mut p: RelayPorts<'_>) -> bool {
        let before = (p.lower.tripwire(), p.upper.tripwire());
        p.lower.rd.forward(p.upper.wr.reborrow());
        p.upper.rd.forward(p.lower.wr.reborrow());
        before != (p.lower.tripwire(), p.upper.tripwire())
    }
}

/// Sends back what comes up, with push and end.
#[derive(Stage)]
#[stage(ports(lower: PBufRdWr))]
pub struct Echo;

impl Echo {
    fn process(&mut self, mut p: EchoPorts<'_>) -> bool {
        let before = p.lower.tripwire();
        p.lower.rd.forward(p.lower.wr.reborrow());
        before != p.lower.tripwire()
    }
}

/// Always says it did something, and never does anything: the stage a pipeline must report as
/// hung.
#[derive(Stage)]
#[stage(ports(input: PBufRd))]
pub struct Liar;

impl Liar {
    fn process(&mut self, _: LiarPorts<'_>) -> bool {
        true
    }
}

/// A straight chain of three [`Relay`]s: no links between the stages, only the two ends.
///
/// The stages are `bottom`, `middle` and `top`; `net` joins the outside to `bottom.lower` and
/// `app` joins `top.upper` to the outside. The graph tests assert this exact wiring.
#[pipeline]
pub struct Chain {
    bottom: Relay,
    middle: Relay,
    top: Relay,
    #[link(<-> bottom.lower)]
    net: PipeBufPair,
    #[link(top.upper <->)]
    app: PipeBufPair,
}

/// Scrambles as much of `input` into `output` as the output has room for, and returns how many
/// bytes it moved.
///
/// Each byte is combined by exclusive or with a key that depends on every byte before it, so
/// that the output shows any byte lost, repeated or reordered. Once the input is empty, its push
/// and end are handed on. This is the body of a scrambling stage; each stage that calls it keeps
/// `key` and whatever else it counts in its own state.
pub fn scramble(key: &mut u8, input: &mut PBufRd<'_>, output: &mut PBufWr<'_>) -> usize {
    let len = input.len().min(output.free_space().unwrap_or(usize::MAX));
    let moved = if len > 0 && !output.is_eof() {
        let space = output.space(len);
        for (slot, &byte) in space.iter_mut().zip(input.data()) {
            *slot = byte ^ *key;
            *key = key.rotate_left(3) ^ byte;
        }
        output.commit(len);
        input.consume(len);
        len
    } else {
        0
    };
    if input.is_empty() {
        input.forward(output.reborrow());
    }
    moved
}
