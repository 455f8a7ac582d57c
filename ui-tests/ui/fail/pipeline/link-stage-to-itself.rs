// A link from a stage back to the same stage would borrow the buffer twice in one call; the macro
// rejects it at the second port.
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

mod simplex {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        #[link(a.output -> a.input)]
        ring: PipeBuf, //~ ERROR cannot borrow value as mutable more than once at a time
    }
}

mod duplex {
    use super::*;

    #[pipeline]
    struct Chain {
        r: Relay,
        #[link(r.upper <-> r.lower)]
        ring: PipeBufPair, //~ ERROR cannot borrow value as mutable more than once at a time
    }
}

fn main() {}
