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
    #[link(-> sink.input, capacity = 4u32, limit = "64")] //~ ERROR mismatched types
    input: PipeBuf,
}

fn main() {}
