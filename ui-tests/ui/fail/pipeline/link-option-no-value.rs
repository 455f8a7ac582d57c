use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Pass;

impl Pass {
    fn process(&mut self, _: PassPorts<'_>) -> bool {
        false
    }
}

mod no_equals {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        b: Pass,
        #[link(a.output -> b.input, capacity)] //~ ERROR expected `=`
        mid: PipeBuf,
    }
}

mod no_value {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        b: Pass,
        #[link(a.output -> b.input, limit =)] //~ ERROR unexpected end of input, expected an expression
        mid: PipeBuf,
    }
}

mod fixed_with_value {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        b: Pass,
        #[link(a.output -> b.input, capacity = 4, fixed = true)] //~ ERROR expected `,`
        mid: PipeBuf,
    }
}

fn main() {}
