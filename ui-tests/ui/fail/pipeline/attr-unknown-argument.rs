use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd))]
struct Sink;

impl Sink {
    fn process(&mut self, _: SinkPorts<'_>) -> bool {
        false
    }
}

mod link_option {
    use super::*;

    #[pipeline(capacity = 4)] //~ ERROR expected `error`
    struct Chain {
        sink: Sink,
        #[link(-> sink.input)]
        input: PipeBuf,
    }
}

mod bare_word {
    use super::*;

    #[pipeline(Debug)] //~ ERROR expected `error`
    struct Chain {
        sink: Sink,
        #[link(-> sink.input)]
        input: PipeBuf,
    }
}

fn main() {}
