// A pipeline used as a stage of another, by its external links of each kind.

use pipebuf::{pipeline, PipeBuf, PipeBufPair, Stage};

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

#[pipeline]
struct Inner {
    pass: Pass,
    relay: Relay,
    #[link(-> pass.input)]
    input: PipeBuf,
    #[link(pass.output ->)]
    output: PipeBuf,
    #[link(<-> relay.lower)]
    lower: PipeBufPair,
    #[link(relay.upper <->)]
    upper: PipeBufPair,
}

#[pipeline]
struct Middle {
    inner: Inner,
    #[link(-> inner.input)]
    input: PipeBuf,
    #[link(inner.output ->)]
    output: PipeBuf,
    #[link(<-> inner.lower)]
    lower: PipeBufPair,
    #[link(inner.upper <->)]
    upper: PipeBufPair,
}

#[pipeline]
struct Outer {
    first: Middle,
    pass: Pass,
    #[link(-> first.input)]
    input: PipeBuf,
    #[link(first.output -> pass.input)]
    mid: PipeBuf,
    #[link(pass.output ->)]
    output: PipeBuf,
    #[link(<-> first.lower)]
    net: PipeBufPair,
    #[link(first.upper <->)]
    app: PipeBufPair,
}

fn main() {
    let mut p = Outer::new(Middle::new(Inner::new(Pass, Relay)), Pass);
    p.input().append(b"deep");
    p.net().wr.append(b"up");
    p.process().unwrap();
    assert_eq!(p.output().data(), b"deep");
    assert_eq!(p.app().rd.data(), b"up");
}
