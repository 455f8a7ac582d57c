use pipebuf::{pipeline, PipeBufPair, Stage};

#[derive(Stage)]
#[stage(ports(lower: PBufRdWr, upper: PBufRdWr))]
struct Relay;

impl Relay {
    fn process(&mut self, _: RelayPorts<'_>) -> bool {
        false
    }
}

/// Has only a `lower` port: it can only end a chain.
#[derive(Stage)]
#[stage(ports(lower: PBufRdWr))]
struct Top;

impl Top {
    fn process(&mut self, _: TopPorts<'_>) -> bool {
        false
    }
}

/// Has only an `upper` port: it can only start a chain.
#[derive(Stage)]
#[stage(ports(upper: PBufRdWr))]
struct Bottom;

impl Bottom {
    fn process(&mut self, _: BottomPorts<'_>) -> bool {
        false
    }
}

// The lower stage of a chain lacks `upper`: reported at its type, then again where the hidden link
// uses it, and at the next stage's `lower` port (E0560).
mod no_upper {
    use super::*;

    #[pipeline]
    struct Chain {
        relay: Relay,
        top: Top, //~ ERROR `Top` has no duplex port `upper` to chain to the next stage
        last: Relay,
        #[link(<-> relay.lower)]
        net: PipeBufPair,
        #[link(last.upper <->)]
        app: PipeBufPair,
    }
}

// `private.rs` has a `LowerPort` trait with a message for this case, but the macro does not use
// it, so this is rustc's own E0560.
mod no_lower {
    use super::*;

    #[pipeline]
    struct Chain {
        relay: Relay,
        bottom: Bottom, //~ ERROR struct `BottomPorts<'_>` has no field named `lower`
        last: Relay,
        #[link(<-> relay.lower)]
        net: PipeBufPair,
        #[link(last.upper <->)]
        app: PipeBufPair,
    }
}

fn main() {}
