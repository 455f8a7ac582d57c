use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd))]
struct Sink;

impl Sink {
    fn process(&mut self, _: SinkPorts<'_>) -> bool {
        false
    }
}

mod twice {
    use super::*;

    #[pipeline(error = std::io::Error, error = std::io::Error)] //~ ERROR `error` is given twice; keep one
    struct Chain {
        sink: Sink,
        #[link(-> sink.input)]
        input: PipeBuf,
    }
}

mod no_equals {
    use super::*;

    #[pipeline(error(std::io::Error))] //~ ERROR expected `=`
    struct Chain {
        sink: Sink,
        #[link(-> sink.input)]
        input: PipeBuf,
    }
}

// Poor span: the end of the arguments is reported at the whole attribute.
mod no_type {
    use super::*;

    #[pipeline(error = )] //~ ERROR unexpected end of input, expected one of: `for`, parentheses, `fn`, `unsafe`, `extern`, identifier, `::`, `<`, `dyn`, square brackets, `*`, `&`, `!`, `impl`, `_`, lifetime
    struct Chain {
        sink: Sink,
        #[link(-> sink.input)]
        input: PipeBuf,
    }
}

fn main() {}
