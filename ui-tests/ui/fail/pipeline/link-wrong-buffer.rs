use pipebuf::{pipeline, PipeBuf, PipeBufPair, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Pass;

impl Pass {
    fn process(&mut self, _: PassPorts<'_>) -> bool {
        false
    }
}

#[derive(Stage)]
#[stage(ports(lower: PBufRdWr, upper: PBufRdWr))]
struct Relay;

impl Relay {
    fn process(&mut self, _: RelayPorts<'_>) -> bool {
        false
    }
}

mod pair_for_simplex {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        b: Pass,
        #[link(-> a.input)]
        input: PipeBuf,
        #[link(a.output -> b.input)]
        mid: PipeBufPair, //~ ERROR `PipeBufPair` cannot carry a `->` link
        #[link(b.output ->)]
        output: PipeBuf,
    }
}

mod buf_for_duplex {
    use super::*;

    #[pipeline]
    struct Chain {
        r: Relay,
        s: Relay,
        #[link(<-> r.lower)]
        net: PipeBufPair,
        #[link(r.upper <-> s.lower)]
        mid: PipeBuf, //~ ERROR `PipeBuf` cannot carry a `<->` link
        #[link(s.upper <->)]
        app: PipeBufPair,
    }
}

fn main() {}
