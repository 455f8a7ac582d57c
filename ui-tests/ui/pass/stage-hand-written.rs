// A stage that implements `Stage` by hand, in a pipeline with derived ones.

use core::convert::Infallible;

use pipebuf::{pipeline, Direction, PBufRd, PBufWr, PipeBuf, Port, Stage};

/// Turns ASCII letters into capitals.
struct Shout;

/// The ports of [`Shout`].
struct ShoutPorts<'a> {
    input: PBufRd<'a>,
    output: PBufWr<'a>,
}

impl Stage for Shout {
    type Ports<'a> = ShoutPorts<'a>;
    type Error = Infallible;
    const PORTS: &'static [Port] = &[
        Port { name: "input", direction: Direction::Input, element: "u8" },
        Port { name: "output", direction: Direction::Output, element: "u8" },
    ];

    fn process(&mut self, mut p: ShoutPorts<'_>) -> Result<bool, Infallible> {
        let before = p.input.tripwire();
        p.input.data_mut().make_ascii_uppercase();
        p.input.forward(p.output);
        Ok(p.input.is_tripped(before))
    }
}

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
struct Loud {
    shout: Shout,
    pass: Pass,
    #[link(-> shout.input)]
    text: PipeBuf,
    #[link(shout.output -> pass.input)]
    mid: PipeBuf,
    #[link(pass.output ->)]
    loud: PipeBuf,
}

fn main() {
    let mut p = Loud::new(Shout, Pass);
    p.text().append(b"hey");
    p.process().unwrap();
    assert_eq!(p.loud().data(), b"HEY");
}
