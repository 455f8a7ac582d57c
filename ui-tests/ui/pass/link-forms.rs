// Every form of `#[link(...)]`: simplex and duplex links between stages, external links of
// each kind, every option, options as expressions, trailing commas, and doc comments on fields.

use pipebuf::{pipeline, PipeBuf, PipeBufPair, Stage, Status};

#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Pass;

impl Pass {
    fn process(&mut self, mut p: PassPorts<'_>) -> bool {
        let before = p.input.tripwire();
        p.input.forward(p.output);
        p.input.is_tripped(before)
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

/// Turns a stream into a duplex port, and back.
#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr, upper: PBufRdWr,))]
struct Join;

impl Join {
    fn process(&mut self, mut p: JoinPorts<'_>) -> bool {
        let before = (p.input.tripwire(), p.upper.tripwire());
        p.input.forward(p.upper.wr.reborrow());
        p.upper.rd.forward(p.output);
        before != (p.input.tripwire(), p.upper.tripwire())
    }
}

const KIB: usize = 1024;

#[pipeline]
struct Everything {
    a: Pass,
    b: Pass,
    join: Join,
    r1: Relay,
    r2: Relay,
    /// An input of the pipeline.
    #[link(-> a.input)]
    input: PipeBuf,
    /// Between two stages, with every option.
    #[link(a.output -> b.input, capacity = 16 * 1024, fixed, limit = 1 << 20)]
    ab: PipeBuf,
    #[link(b.output -> join.input, limit = 4 * KIB,)]
    bj: PipeBuf,
    #[link(join.output ->, capacity = KIB)]
    output: PipeBuf,
    #[link(join.upper <-> r1.lower, capacity = 64, fixed)]
    duplex: PipeBufPair,
    #[link(r1.upper<->r2.lower)]
    tight: PipeBufPair<u8>,
    #[link(r2.upper <->, limit = 100)]
    top: PipeBufPair,
}

/// A duplex input seen from below, and a pipeline that is only an outside lower end.
#[pipeline]
struct Below {
    relay: Relay,
    #[link(<-> relay.lower,)]
    net: PipeBufPair,
    #[link(relay.upper <->)]
    app: PipeBufPair,
}

fn main() {
    let mut p = Everything::new(Pass, Pass, Join, Relay, Relay);
    p.input().append(b"abc");
    p.input().close();
    assert_eq!(p.process().unwrap(), Status::Progress);
    assert_eq!(p.top().rd.data(), b"abc");
    p.top().wr.append(b"xyz");
    p.process().unwrap();
    assert_eq!(p.output().data(), b"xyz");
    assert_eq!(Everything::GRAPH.links.len(), 7);

    let mut b = Below::new(Relay);
    b.net().wr.append(b"up");
    b.process().unwrap();
    assert_eq!(b.app().rd.data(), b"up");
}
