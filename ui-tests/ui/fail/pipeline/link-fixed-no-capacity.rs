use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd))]
struct Sink;

impl Sink {
    fn process(&mut self, _: SinkPorts<'_>) -> bool {
        false
    }
}

#[pipeline]
struct Chain {
    sink: Sink,
    #[link(-> sink.input, fixed, limit = 64)] //~ ERROR `fixed` needs a capacity to fix; add `capacity = N` to this `#[link(...)]`
    input: PipeBuf,
}

fn main() {}
