// Straight chains: no links at all, a link at one end, at the other, at both; element types
// taken from each stage's `upper`; a nested pipeline as a link of the chain.

use pipebuf::{pipeline, PipeBufPair, Stage};

#[derive(Clone, Debug, Default, PartialEq)]
struct Message;

/// The bottom of a chain: no `lower`.
#[derive(Stage)]
#[stage(ports(upper: PBufRdWr))]
struct Source;

impl Source {
    fn process(&mut self, _: SourcePorts<'_>) -> bool {
        false
    }
}

#[derive(Stage)]
#[stage(ports(lower: PBufRdWr, upper: PBufRdWr))]
struct Relay;

impl Relay {
    fn process(&mut self, mut p: RelayPorts<'_>) -> bool {
        let before = (p.lower.tripwire(), p.upper.tripwire());
        p.lower.rd.forward(p.upper.wr.reborrow());
        p.upper.rd.forward(p.lower.wr.reborrow());
        before != (p.lower.tripwire(), p.upper.tripwire())
    }
}

/// Bytes below, messages above.
#[derive(Stage)]
#[stage(ports(lower: PBufRdWr, upper: PBufRdWr<Message>))]
struct Decode;

impl Decode {
    fn process(&mut self, _: DecodePorts<'_>) -> bool {
        false
    }
}

/// The top of a chain: no `upper`.
#[derive(Stage)]
#[stage(ports(lower: PBufRdWr<Message>))]
struct App;

impl App {
    fn process(&mut self, _: AppPorts<'_>) -> bool {
        false
    }
}

#[pipeline]
struct Closed {
    source: Source,
    decode: Decode,
    app: App,
}

#[pipeline]
struct OpenBelow {
    relay: Relay,
    decode: Decode,
    app: App,
    #[link(<-> relay.lower)]
    net: PipeBufPair,
}

#[pipeline]
struct OpenAbove {
    source: Source,
    relay: Relay,
    #[link(relay.upper <->)]
    app: PipeBufPair,
}

#[pipeline]
struct OpenBoth {
    first: Relay,
    second: Relay,
    #[link(second.upper <->)]
    upper: PipeBufPair,
    #[link(<-> first.lower)]
    lower: PipeBufPair,
}

/// A chain whose middle stage is a pipeline itself: `OpenBoth` has duplex `lower` and `upper`.
#[pipeline]
struct Nested {
    source: Source,
    inner: OpenBoth,
    relay: Relay,
    decode: Decode,
    app: App,
}

fn main() {
    let _ = Closed::new(Source, Decode, App);
    let mut p = OpenBelow::new(Relay, Decode, App);
    p.net().wr.append(b"x");
    p.process().unwrap();
    let _ = OpenAbove::new(Source, Relay);
    let mut p = OpenBoth::new(Relay, Relay);
    p.lower().wr.append(b"x");
    p.process().unwrap();
    assert_eq!(p.upper().rd.data(), b"x");
    let _ = Nested::new(Source, OpenBoth::new(Relay, Relay), Relay, Decode, App);
    assert_eq!(Nested::GRAPH.links.len(), 4);
}
