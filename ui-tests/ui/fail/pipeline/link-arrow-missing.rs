use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Pass;

impl Pass {
    fn process(&mut self, _: PassPorts<'_>) -> bool {
        false
    }
}

mod no_arrow {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        b: Pass,
        #[link(a.output b.input)] //~ ERROR expected `->` (output to input) or `<->` (duplex to duplex), as in `a.output -> b.input`
        mid: PipeBuf,
    }
}

mod fat_arrow {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        b: Pass,
        #[link(a.output => b.input)] //~ ERROR expected `->` (output to input) or `<->` (duplex to duplex), as in `a.output -> b.input`
        mid: PipeBuf,
    }
}

mod left_arrow {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        b: Pass,
        #[link(b.input <- a.output)] //~ ERROR expected `>`
        mid: PipeBuf,
    }
}

mod empty {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        #[link()] //~ ERROR expected `->` (output to input) or `<->` (duplex to duplex), as in `a.output -> b.input`
        mid: PipeBuf,
    }
}

mod bare {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        #[link] //~ ERROR expected attribute arguments in parentheses: #[link(...)]
        mid: PipeBuf,
    }
}

fn main() {}
