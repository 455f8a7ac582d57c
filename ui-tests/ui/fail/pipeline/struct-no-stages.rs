use pipebuf::{pipeline, PipeBuf};

mod empty {
    use super::*;

    #[pipeline]
    struct Chain {} //~ ERROR pipeline `Chain` has no stages; add a field holding a stage (fields with `#[link(...)]` are buffers)
}

mod only_links {
    use super::*;

    #[pipeline]
    struct Chain { //~ ERROR pipeline `Chain` has no stages; add a field holding a stage (fields with `#[link(...)]` are buffers)
        #[link(-> sink.input)] //~ ERROR no stage named `sink`; this pipeline has no stages
        input: PipeBuf,
    }
}

fn main() {}
