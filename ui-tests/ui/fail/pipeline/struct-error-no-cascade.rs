// One mistake in the struct, and code that uses everything the macro makes: only the mistake
// should be reported, since the fallback stubs the generated items (STYLE R7).

use pipebuf::{pipeline, PipeBuf, Stage, Status};

#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Pass;

impl Pass {
    fn process(&mut self, _: PassPorts<'_>) -> bool {
        false
    }
}

#[pipeline]
struct Inner {
    pass: Pass,
    #[link(-> pass.input, fixed)] //~ ERROR `fixed` needs a capacity to fix; add `capacity = N` to this `#[link(...)]`
    input: PipeBuf,
    #[link(pass.output ->)]
    output: PipeBuf,
}

#[pipeline]
struct Outer {
    inner: Inner,
    #[link(-> inner.input)]
    input: PipeBuf,
    #[link(inner.output ->)]
    output: PipeBuf,
}

fn run(p: &mut Inner) -> Result<Status, InnerError> {
    p.input().append(b"x");
    let _ = p.output().data();
    let _ = Inner::GRAPH;
    p.process()
}

fn main() {
    let mut p = Inner::new(Pass);
    let _ = run(&mut p);
    let _ = Outer::new(p);
}
