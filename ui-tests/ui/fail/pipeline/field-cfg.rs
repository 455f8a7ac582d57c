use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Pass;

impl Pass {
    fn process(&mut self, _: PassPorts<'_>) -> bool {
        false
    }
}

mod on_stage {
    use super::*;

    #[pipeline]
    struct Chain {
        #[cfg(any())] //~ ERROR `#[pipeline]` fields cannot be conditional; make the whole pipeline conditional instead
        pass: Pass,
    }
}

mod on_link {
    use super::*;

    #[pipeline]
    struct Chain {
        pass: Pass,
        #[cfg_attr(any(), allow(unused))] //~ ERROR `#[pipeline]` fields cannot be conditional; make the whole pipeline conditional instead
        #[link(-> pass.input)]
        input: PipeBuf,
        #[link(pass.output ->)]
        output: PipeBuf,
    }
}

fn main() {}
