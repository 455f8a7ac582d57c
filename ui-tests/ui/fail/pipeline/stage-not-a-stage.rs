use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd))]
struct Sink;

impl Sink {
    fn process(&mut self, _: SinkPorts<'_>) -> bool {
        false
    }
}

// rustc reports the missing `Stage` impl at `String`, and, less helpfully, again at `name`, at
// `Chain` and at `#[pipeline]` (where the generated code needs the stage's port and error types).
#[pipeline]` (twice)
// and at `name` (twice), and E0071 at `name`.
#[pipeline]
struct Chain {
    sink: Sink,
    name: String, //~ ERROR `String` is not a pipeline stage
    #[link(-> sink.input)]
    input: PipeBuf,
}

fn main() {}
