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
    a: Pass,
    #[link(-> a.input)]
    input: PipeBuf,
    #[link(a.outptu ->)] //~ ERROR struct `PassPorts<'_>` has no field named `outptu`
    output: PipeBuf,
}

fn main() {}
