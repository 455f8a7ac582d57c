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
    b: Pass,
    c: Pass,
    #[link(a.output -> b.input, capacity = 4, capacity = 8)] //~ ERROR `capacity` is given twice; keep one
    ab: PipeBuf,
    #[link(b.output -> c.input, capacity = 4, fixed, fixed)] //~ ERROR `fixed` is given twice; keep one
    bc: PipeBuf,
    #[link(-> a.input, limit = 1, limit = 2)] //~ ERROR `limit` is given twice; keep one
    input: PipeBuf,
    #[link(c.output ->)]
    output: PipeBuf,
}

fn main() {}
