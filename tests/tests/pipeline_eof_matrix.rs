//! The close/abort/push matrix over a pipeline's external ports: for every event (close,
//! abort, push, close then abort, abort then close) injected on each input at every byte
//! offset of a short message, before any data and after all of it, with the pipeline run at
//! different moments, what reaches the matching output: the data before the event in full,
//! a close as a close, an abort as an abort, a push as a push, and only the first end.
//!
//! The same matrix runs through a pipeline with simplex and duplex external ports, through that
//! pipeline nested in another, through a straight chain, and through a chain with a nested
//! chain in the middle.

use pipebuf::{PBufRd, PBufState, PBufWr, PipeBuf, PipeBufPair, Status, pipeline};
use pipebuf_tests::stages::{Chain, Echo, Pass, Relay};

/// A simplex input and output through two stages, and a duplex port through a relay to an
/// echo.
#[pipeline]
struct Flat {
    first: Pass,
    second: Pass,
    relay: Relay,
    echo: Echo,
    #[link(-> first.input)]
    input: PipeBuf,
    #[link(first.output -> second.input)]
    middle: PipeBuf,
    #[link(second.output ->)]
    output: PipeBuf,
    #[link(<-> relay.lower)]
    net: PipeBufPair,
    #[link(relay.upper <-> echo.lower)]
    app: PipeBufPair,
}

/// [`Flat`] as the stage of another pipeline.
#[pipeline]
struct Nested {
    flat: Flat,
    #[link(-> flat.input)]
    input: PipeBuf,
    #[link(flat.output ->)]
    output: PipeBuf,
    #[link(<-> flat.net)]
    net: PipeBufPair,
}

/// A chain whose ends are called `lower` and `upper`, so it can be a link of another chain.
#[pipeline]
struct InnerChain {
    low: Relay,
    high: Relay,
    #[link(<-> low.lower)]
    lower: PipeBufPair,
    #[link(high.upper <->)]
    upper: PipeBufPair,
}

/// A straight chain with a nested chain in the middle.
#[pipeline]
struct ChainOfChains {
    bottom: Relay,
    inner: InnerChain,
    top: Relay,
    #[link(<-> bottom.lower)]
    net: PipeBufPair,
    #[link(top.upper <->)]
    app: PipeBufPair,
}

/// A pipeline under test, and its routes: where to inject, where to look.
trait Subject: Sized {
    fn fresh() -> Self;
    fn status(&mut self) -> Status;
    fn routes() -> Vec<Route<Self>>;
}

/// An external input and the external output its data reaches.
struct Route<P> {
    name: &'static str,
    wr: fn(&mut P) -> PBufWr<'_>,
    rd: fn(&mut P) -> PBufRd<'_>,
}

impl Subject for Flat {
    fn fresh() -> Self {
        Flat::new(Pass, Pass, Relay, Echo)
    }

    fn status(&mut self) -> Status {
        let Ok(status) = self.process();
        status
    }

    fn routes() -> Vec<Route<Self>> {
        vec![
            Route { name: "input -> output", wr: |p| p.input(), rd: |p| p.output() },
            Route { name: "net up -> net down", wr: |p| p.net().wr, rd: |p| p.net().rd },
        ]
    }
}

impl Subject for Nested {
    fn fresh() -> Self {
        Nested::new(Flat::fresh())
    }

    fn status(&mut self) -> Status {
        self.process().unwrap()
    }

    fn routes() -> Vec<Route<Self>> {
        vec![
            Route { name: "input -> output", wr: |p| p.input(), rd: |p| p.output() },
            Route { name: "net up -> net down", wr: |p| p.net().wr, rd: |p| p.net().rd },
        ]
    }
}

impl Subject for Chain {
    fn fresh() -> Self {
        Chain::new(Relay, Relay, Relay)
    }

    fn status(&mut self) -> Status {
        let Ok(status) = self.process();
        status
    }

    fn routes() -> Vec<Route<Self>> {
        vec![
            Route { name: "net -> app", wr: |p| p.net().wr, rd: |p| p.app().rd },
            Route { name: "app -> net", wr: |p| p.app().wr, rd: |p| p.net().rd },
        ]
    }
}

impl Subject for ChainOfChains {
    fn fresh() -> Self {
        ChainOfChains::new(Relay, InnerChain::new(Relay, Relay), Relay)
    }

    fn status(&mut self) -> Status {
        self.process().unwrap()
    }

    fn routes() -> Vec<Route<Self>> {
        vec![
            Route { name: "net -> app", wr: |p| p.net().wr, rd: |p| p.app().rd },
            Route { name: "app -> net", wr: |p| p.app().wr, rd: |p| p.net().rd },
        ]
    }
}

/// What is injected at the chosen offset.
#[derive(Clone, Copy, Debug)]
enum Event {
    Close,
    Abort,
    Push,
    /// A close, then an abort that must change nothing.
    CloseThenAbort,
    /// An abort, then a close that must change nothing.
    AbortThenClose,
}

const EVENTS: [Event; 5] =
    [Event::Close, Event::Abort, Event::Push, Event::CloseThenAbort, Event::AbortThenClose];

/// When the pipeline runs.
#[derive(Clone, Copy, Debug)]
enum Timing {
    /// Once, after everything was written and the event injected.
    AtEnd,
    /// After the data before the event, after the event, after the second end, after the rest.
    Between,
    /// After every byte, and after each event.
    ByteByByte,
}

const TIMINGS: [Timing; 3] = [Timing::AtEnd, Timing::Between, Timing::ByteByByte];

/// An indication the output gave, with the number of bytes received by then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    Push(usize),
    Close(usize),
    Abort(usize),
}

const MESSAGE: &[u8] = b"hello!";

/// The output end of one run: what it received, and the indications in order.
struct Observer {
    got: Vec<u8>,
    seen: Vec<Seen>,
}

impl Observer {
    /// Runs the pipeline, then takes everything the output holds: data, push and end.
    fn run_and_take<P: Subject>(&mut self, p: &mut P, route: &Route<P>) {
        let status = p.status();
        assert!(
            matches!(status, Status::Progress | Status::Waiting | Status::Done),
            "{}: status {status:?}",
            route.name
        );
        let mut rd = (route.rd)(p);
        self.got.extend_from_slice(rd.data());
        let len = rd.len();
        rd.consume(len);
        if rd.consume_push() {
            self.seen.push(Seen::Push(self.got.len()));
        }
        match rd.state() {
            PBufState::Closing => {
                assert!(rd.consume_eof());
                assert!(!rd.is_aborted());
                assert_eq!(rd.state(), PBufState::Closed);
                self.seen.push(Seen::Close(self.got.len()));
            }
            PBufState::Aborting => {
                assert!(rd.consume_eof());
                assert!(rd.is_aborted());
                assert_eq!(rd.state(), PBufState::Aborted);
                self.seen.push(Seen::Abort(self.got.len()));
            }
            PBufState::Closed | PBufState::Aborted => assert!(!rd.consume_eof()),
            PBufState::Open | PBufState::Push => {}
        }
    }
}

fn first_end(wr: &mut PBufWr<'_>, event: Event) {
    match event {
        Event::Close | Event::CloseThenAbort => wr.close(),
        Event::Abort | Event::AbortThenClose => wr.abort(),
        Event::Push => wr.push(),
    }
}

fn second_end(wr: &mut PBufWr<'_>, event: Event) {
    match event {
        Event::CloseThenAbort => wr.abort(),
        Event::AbortThenClose => wr.close(),
        Event::Close | Event::Abort | Event::Push => {}
    }
}

/// Writes `bytes` into the route's input, running the pipeline after each byte if asked.
fn write<P: Subject>(
    p: &mut P,
    route: &Route<P>,
    out: &mut Observer,
    bytes: &[u8],
    timing: Timing,
) {
    match timing {
        Timing::ByteByByte => {
            for byte in bytes {
                (route.wr)(p).append(&[*byte]);
                out.run_and_take(p, route);
            }
        }
        Timing::AtEnd | Timing::Between => (route.wr)(p).append(bytes),
    }
}

/// One cell of the matrix; returns what the output received and showed.
fn run_cell<P: Subject>(route: &Route<P>, event: Event, at: usize, timing: Timing) -> Observer {
    let mut p = P::fresh();
    let mut out = Observer { got: Vec::new(), seen: Vec::new() };
    let (before, after) = MESSAGE.split_at(at);
    let between = !matches!(timing, Timing::AtEnd);
    write(&mut p, route, &mut out, before, timing);
    if between {
        out.run_and_take(&mut p, route);
    }
    first_end(&mut (route.wr)(&mut p), event);
    if between {
        out.run_and_take(&mut p, route);
    }
    second_end(&mut (route.wr)(&mut p), event);
    if between {
        out.run_and_take(&mut p, route);
    }
    if matches!(event, Event::Push) {
        write(&mut p, route, &mut out, after, timing);
    }
    out.run_and_take(&mut p, route);
    // Nothing more ever comes out.
    out.run_and_take(&mut p, route);
    out
}

/// Runs every cell of the matrix over every route of `P`.
fn check_matrix<P: Subject>() {
    for route in &P::routes() {
        for event in EVENTS {
            for at in 0..=MESSAGE.len() {
                for timing in TIMINGS {
                    let out = run_cell(route, event, at, timing);
                    let case = format!("{}: {event:?} at {at}, {timing:?}", route.name);
                    let (data, seen) = match event {
                        Event::Close | Event::CloseThenAbort => (&MESSAGE[..at], Seen::Close(at)),
                        Event::Abort | Event::AbortThenClose => (&MESSAGE[..at], Seen::Abort(at)),
                        // Run only at the end, the push arrives behind all the data.
                        Event::Push if matches!(timing, Timing::AtEnd) => {
                            (MESSAGE, Seen::Push(MESSAGE.len()))
                        }
                        Event::Push => (MESSAGE, Seen::Push(at)),
                    };
                    assert_eq!(out.got, data, "{case}");
                    assert_eq!(out.seen, [seen], "{case}");
                }
            }
        }
    }
}

#[test]
fn a_pipeline_delivers_data_then_the_event_on_every_route() {
    check_matrix::<Flat>();
}

#[test]
fn a_nested_pipeline_delivers_data_then_the_event_on_every_route() {
    check_matrix::<Nested>();
}

#[test]
fn a_straight_chain_delivers_data_then_the_event_both_ways() {
    check_matrix::<Chain>();
}

#[test]
fn a_chain_with_a_nested_chain_delivers_data_then_the_event_both_ways() {
    check_matrix::<ChainOfChains>();
}

/// Ends on both directions of a chain are independent: closing one way leaves the other open.
#[test]
fn each_direction_of_a_duplex_port_ends_on_its_own() {
    let mut p = Chain::fresh();
    p.net().wr.append(b"up");
    p.net().wr.close();
    p.app().wr.append(b"down");
    assert_eq!(p.status(), Status::Progress);
    assert_eq!(p.app().rd.data(), b"up");
    assert_eq!(p.app().rd.state(), PBufState::Closing);
    assert_eq!(p.net().rd.data(), b"down");
    assert_eq!(p.net().rd.state(), PBufState::Open);
    p.app().wr.abort();
    assert_eq!(p.status(), Status::Done);
    assert_eq!(p.net().rd.state(), PBufState::Aborting);
    assert_eq!(p.app().rd.state(), PBufState::Closing);
}
