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
    foo_bar: Pass,
    foo__bar: Pass, //~ ERROR stages `foo_bar` and `foo__bar` would both be `FooBar` in the error enum; rename one of them
    #[link(-> foo_bar.input)]
    input: PipeBuf,
    #[link(foo_bar.output -> foo__bar.input)]
    mid: PipeBuf,
    #[link(foo__bar.output ->)]
    output: PipeBuf,
}

fn main() {}
