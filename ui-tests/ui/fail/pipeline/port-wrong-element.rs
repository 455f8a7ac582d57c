use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd<u32>))]
struct Numbers;

impl Numbers {
    fn process(&mut self, _: NumbersPorts<'_>) -> bool {
        false
    }
}

#[pipeline]
struct Chain {
    numbers: Numbers,
    #[link(-> numbers.input)] //~ ERROR a `->` link of `u8` cannot end at a port of type `PBufRd<'_, u32>`
    input: PipeBuf<u8>,
}

fn main() {}
