use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Pass;

impl Pass {
    fn process(&mut self, _: PassPorts<'_>) -> bool {
        false
    }
}

#[pipeline]
struct Chain {
    pass: Pass,
    #[link(-> pass.input)]
    process: PipeBuf, //~ ERROR external link `process` would hide the pipeline's own `process`; rename it
    #[link(pass.output ->)]
    new: PipeBuf, //~ ERROR external link `new` would hide the pipeline's own `new`; rename it
}

mod process_with {
    use super::*;

    #[pipeline]
    struct Chain {
        pass: Pass,
        #[link(-> pass.input)]
        process_with: PipeBuf, //~ ERROR external link `process_with` would hide the pipeline's own `process_with`; rename it
        #[link(pass.output ->)]
        output: PipeBuf,
    }
}

fn main() {}
