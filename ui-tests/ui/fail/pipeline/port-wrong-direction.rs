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

mod output_to_output {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        b: Pass,
        #[link(-> a.input)]
        input: PipeBuf,
        #[link(a.output -> b.output)] //~ ERROR a `->` link of `u8` cannot end at a port of type `PBufWr<'_>`
        mid: PipeBuf,
        #[link(b.input ->)] //~ ERROR a `->` link of `u8` cannot start at a port of type `PBufRd<'_>`
        output: PipeBuf,
    }
}

mod duplex_to_simplex {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        r: Relay,
        #[link(<-> r.lower)]
        net: PipeBufPair,
        #[link(r.upper <-> a.input)] //~ ERROR a `<->` link of `u8` cannot end at a port of type `PBufRd<'_>`
        app: PipeBufPair,
        #[link(a.output ->)]
        output: PipeBuf,
    }
}

mod simplex_into_duplex {
    use super::*;

    #[pipeline]
    struct Chain {
        r: Relay,
        #[link(-> r.lower)] //~ ERROR a `->` link of `u8` cannot end at a port of type `PBufRdWr<'_>`
        net: PipeBuf,
        #[link(r.upper <->)]
        app: PipeBufPair,
    }
}

fn main() {}
