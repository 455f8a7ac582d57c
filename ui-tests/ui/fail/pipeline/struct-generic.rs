use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd))]
struct Sink;

impl Sink {
    fn process(&mut self, _: SinkPorts<'_>) -> bool {
        false
    }
}

mod type_param {
    use super::*;

    #[pipeline]
    struct Chain<S: Stage> { //~ ERROR a `#[pipeline]` struct cannot be generic; name the stages' concrete types
        sink: S,
        #[link(-> sink.input)]
        input: PipeBuf,
    }
}

// The fallback drops the generics, so the field that uses `'a` is reported too (E0261 twice).
mod lifetime {
    use super::*;

    #[pipeline]
    struct Chain<'a> { //~ ERROR a `#[pipeline]` struct cannot be generic; name the stages' concrete types
        sink: Sink,
        name: &'a str,
        #[link(-> sink.input)]
        input: PipeBuf,
    }
}

// A `where` clause alone is reported at the clause.
mod where_clause {
    use super::*;

    #[pipeline]
    struct Chain where Sink: Stage { //~ ERROR a `#[pipeline]` struct cannot be generic; name the stages' concrete types
        sink: Sink,
        #[link(-> sink.input)]
        input: PipeBuf,
    }
}

fn main() {}
