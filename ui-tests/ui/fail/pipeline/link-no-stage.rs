use pipebuf::{pipeline, PipeBuf, PipeBufPair, Stage};

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
    #[link(-> sink.input)]
    input: PipeBuf,
    #[link(->)] //~ ERROR link `nowhere` joins no stage; write a port on at least one side, as in `stage.port ->`
    nowhere: PipeBuf,
    #[link(<->, capacity = 4)] //~ ERROR link `neither` joins no stage; write a port on at least one side, as in `stage.port ->`
    neither: PipeBufPair,
}

fn main() {}
