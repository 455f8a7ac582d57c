use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Pass;

impl Pass {
    fn process(&mut self, _: PassPorts<'_>) -> bool {
        false
    }
}

// The fallback's `new` stub takes both `pass` parameters, so rustc adds E0415.
mod stage {
    use super::*;

    #[pipeline]
    struct Chain {
        pass: Pass,
        #[link(-> pass.input)]
        input: PipeBuf,
        #[link(pass.output ->)]
        output: PipeBuf,
        pass: Pass, //~ ERROR field `pass` is declared twice; rename one of them
    }
}

mod link {
    use super::*;

    #[pipeline]
    struct Chain {
        pass: Pass,
        #[link(-> pass.input)]
        input: PipeBuf,
        #[link(pass.output ->)]
        input: PipeBuf, //~ ERROR field `input` is declared twice; rename one of them
    }
}

fn main() {}
