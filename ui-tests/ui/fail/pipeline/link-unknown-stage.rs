use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Pass;

impl Pass {
    fn process(&mut self, _: PassPorts<'_>) -> bool {
        false
    }
}

mod writer {
    use super::*;

    #[pipeline]
    struct Chain {
        first: Pass,
        second: Pass,
        #[link(-> first.input)]
        input: PipeBuf,
        #[link(frist.output -> second.input)] //~ ERROR no stage named `frist`; the stages are `first`, `second`
        mid: PipeBuf,
        #[link(second.output ->)]
        output: PipeBuf,
    }
}

mod reader {
    use super::*;

    #[pipeline]
    struct Chain {
        first: Pass,
        second: Pass,
        #[link(-> first.input)]
        input: PipeBuf,
        #[link(first.output -> input.input)] //~ ERROR no stage named `input`; the stages are `first`, `second`
        mid: PipeBuf,
        #[link(second.output ->)]
        output: PipeBuf,
    }
}

fn main() {}
