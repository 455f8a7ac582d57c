// The forms `#[derive(Stage)]` accepts: an error type, ports with lifetimes and paths, two
// `#[stage]` attributes, an enum, trailing commas, `Result` written as an alias.

use pipebuf::Stage;

#[derive(Debug)]
struct Broken;

impl core::fmt::Display for Broken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("broken")
    }
}

impl core::error::Error for Broken {}

#[derive(Stage)]
#[stage(ports(input: PBufRd<'a, u8>, output: pipebuf::PBufWr<'a>,), error = Broken,)]
struct Fallible;

impl Fallible {
    fn process(&mut self, p: FalliblePorts<'_>) -> Result<bool, Broken> {
        if p.input.is_aborted() { Err(Broken) } else { Ok(false) }
    }
}

#[derive(Stage)]
#[stage(ports(lower: PBufRdWr))]
#[stage(error = core::fmt::Error)]
enum Mode {
    On,
    Off,
}

type Outcome = core::result::Result<bool, core::fmt::Error>;

impl Mode {
    fn process(&mut self, _: ModePorts<'_>) -> Outcome {
        match self {
            Mode::On => Ok(true),
            Mode::Off => Ok(false),
        }
    }
}

fn assert_stage<S: Stage>() {}

fn main() {
    assert_stage::<Fallible>();
    assert_stage::<Mode>();
    assert_eq!(<Fallible as Stage>::PORTS.len(), 2);
    assert_eq!(<Mode as Stage>::PORTS[0].name, "lower");
    let _ = Mode::On;
}
