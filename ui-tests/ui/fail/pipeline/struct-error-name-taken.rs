use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd))]
struct Sink;

impl Sink {
    fn process(&mut self, _: SinkPorts<'_>) -> bool {
        false
    }
}

/// The user's own type, with the name the macro gives the pipeline's error enum.
#[derive(Debug)]
struct ChainError;

// The generated `ChainError` clashes with the user's: E0428 names the clash, followed by E0119 and
// E0599 where the generated code uses the enum.
#[pipeline]` rather than on `Chain`, and is followed by E0119 and
// two E0599 at `sink`.
#[pipeline]
struct Chain { //~ ERROR the name `ChainError` is defined multiple times
    sink: Sink,
    #[link(-> sink.input)]
    input: PipeBuf,
}

fn main() {}
