use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Pass;

impl Pass {
    fn process(&mut self, _: PassPorts<'_>) -> bool {
        false
    }
}

mod misspelled {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        b: Pass,
        #[link(a.output -> b.input, capcity = 4)] //~ ERROR expected one of: `capacity`, `limit`, `fixed`
        mid: PipeBuf,
    }
}

mod literal {
    use super::*;

    #[pipeline]
    struct Chain {
        a: Pass,
        b: Pass,
        #[link(a.output -> b.input, 4096)] //~ ERROR expected one of: `capacity`, `limit`, `fixed`
        mid: PipeBuf,
    }
}

fn main() {}
