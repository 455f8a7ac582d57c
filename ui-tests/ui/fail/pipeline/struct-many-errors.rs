use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Pass;

impl Pass {
    fn process(&mut self, _: PassPorts<'_>) -> bool {
        false
    }
}

// Three different mistakes in one struct: all three are reported, each at its own tokens. They
// come out by phase (syntax, then stage names, then wiring rules), not in declaration order.
#[pipeline]
struct Chain {
    a: Pass,
    b: Pass,
    #[link(-> a.input, fixed)] //~ ERROR `fixed` needs a capacity to fix; add `capacity = N` to this `#[link(...)]`
    input: PipeBuf,
    #[link(a.output -> c.input)] //~ ERROR no stage named `c`; the stages are `a`, `b`
    mid: PipeBuf,
    #[link(b.output => )] //~ ERROR expected `->` (output to input) or `<->` (duplex to duplex), as in `a.output -> b.input`
    output: PipeBuf,
}

fn main() {}
