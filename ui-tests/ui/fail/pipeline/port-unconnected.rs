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
    a: Pass, //~ ERROR missing field `output` in initializer of `PassPorts<'_>`
    #[link(-> a.input)]
    input: PipeBuf,
}

fn main() {}
