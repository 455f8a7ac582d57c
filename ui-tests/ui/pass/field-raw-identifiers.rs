// Raw identifiers as stage and link names, and stage names that need care as variant names.

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

#[pipeline]
struct Raw {
    r#type: Pass,
    _1: Pass,
    __x__: Pass,
    #[link(-> r#type.input)]
    r#in: PipeBuf,
    #[link(r#type.output -> _1.input)]
    r#loop: PipeBuf,
    #[link(_1.output -> __x__.input)]
    mid: PipeBuf,
    #[link(__x__.output ->)]
    r#out: PipeBuf,
}

fn main() {
    let mut p = Raw::new(Pass, Pass, Pass);
    p.r#in().append(b"raw");
    p.process().unwrap();
    assert_eq!(p.r#out().data(), b"raw");
    let _ = |e: RawError| match e {
        RawError::Type(_) | RawError::S1(_) | RawError::X(_) => (),
    };
}
