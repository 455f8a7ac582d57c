use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Pass;

impl Pass {
    fn process(&mut self, _: PassPorts<'_>) -> bool {
        false
    }
}

mod no_port_after_dot {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        b: Pass,
        #[link(a.output -> b.)] //~ ERROR unexpected end of input, expected identifier
        mid: PipeBuf,
    }
}

mod no_dot {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        b: Pass,
        #[link(a -> b.input)] //~ ERROR expected `.`
        mid: PipeBuf,
    }
}

mod extra_tokens {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        b: Pass,
        #[link(a.output -> b.input.x)] //~ ERROR expected `,`
        mid: PipeBuf,
    }
}

fn main() {}
