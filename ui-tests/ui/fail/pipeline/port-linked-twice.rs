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

mod two_links {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        b: Pass,
        #[link(-> a.input)]
        input: PipeBuf,
        #[link(a.output -> b.input)]
        mid: PipeBuf,
        #[link(a.output ->)] //~ ERROR port `a.output` is linked twice; it is already linked by `mid`
        tap: PipeBuf,
        #[link(b.output ->)]
        output: PipeBuf,
    }
}

mod both_sides {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        #[link(a.output -> a.output)] //~ ERROR port `a.output` is on both sides of link `loopback`; link it to another port
        loopback: PipeBuf,
        #[link(-> a.input)]
        input: PipeBuf,
    }
}

mod duplex {
    use super::*;

    #[pipeline]
    struct Chain {
        r: Relay,
        #[link(<-> r.lower)]
        net: PipeBufPair,
        #[link(r.upper <-> r.upper)] //~ ERROR port `r.upper` is on both sides of link `app`; link it to another port
        app: PipeBufPair,
    }
}

fn main() {}
