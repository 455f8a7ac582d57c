use pipebuf::{pipeline, PipeBuf, Stage};

#[derive(Stage)]
#[stage(ports(input: PBufRd))]
struct Sink;

impl Sink {
    fn process(&mut self, _: SinkPorts<'_>) -> bool {
        false
    }
}

/// The application's error, with no `From<ChainError>`.
#[derive(Debug)]
struct AppError;

impl core::fmt::Display for AppError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("app")
    }
}

impl core::error::Error for AppError {}

// Poor span: the error lands on the whole attribute, not on `AppError`.
#[pipeline(error = AppError)] //~ ERROR the trait bound `AppError: From<ChainError>` is not satisfied
struct Chain {
    sink: Sink,
    #[link(-> sink.input)]
    input: PipeBuf,
}

fn main() {}
