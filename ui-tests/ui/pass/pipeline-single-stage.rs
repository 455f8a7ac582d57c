// A pipeline of one stage: no chain is made, its links are all declared.

use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Pass;

impl Pass {
    fn process(&mut self, mut p: PassPorts<'_>) -> bool {
        let before = p.input.tripwire();
        p.input.forward(p.output);
        p.input.is_tripped(before)
    }
}

#[derive(Stage)]
#[stage(ports(lower: PBufRdWr))]
struct Echo;

impl Echo {
    fn process(&mut self, mut p: EchoPorts<'_>) -> bool {
        let before = p.lower.tripwire();
        p.lower.rd.forward(p.lower.wr.reborrow());
        before != p.lower.tripwire()
    }
}

#[pipeline]
struct One {
    pass: Pass,
    #[link(-> pass.input)]
    input: PipeBuf,
    #[link(pass.output ->)]
    output: PipeBuf,
}

/// One stage whose only link is at its `lower`: this looks like a chain's end, but one stage is
/// no chain.
#[pipeline]
struct Lone {
    echo: Echo,
    #[link(<-> echo.lower)]
    net: pipebuf::PipeBufPair,
}

fn main() {
    let mut p = One::new(Pass);
    p.input().append(b"one");
    p.process().unwrap();
    assert_eq!(p.output().data(), b"one");
    let mut p = Lone::new(Echo);
    p.net().wr.append(b"two");
    p.process().unwrap();
    assert_eq!(p.net().rd.data(), b"two");
}
