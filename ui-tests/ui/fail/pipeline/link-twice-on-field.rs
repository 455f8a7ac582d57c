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
    #[link(pass.output ->)] //~ ERROR field `both` has two `#[link(...)]` attributes; keep one
    both: PipeBuf,
}

fn main() {}
