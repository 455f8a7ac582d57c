// A stage named `self_`, whose error variant cannot be `Self`: it is `SelfStage`.

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
    self_: Pass,
    #[link(-> self_.input)]
    input: PipeBuf,
    #[link(self_.output ->)]
    output: PipeBuf,
}

fn main() {
    let _ = ChainError::SelfStage;
}
