use pipebuf::Stage;

mod unit {
    use super::*;

    #[derive(Stage)] //~ ERROR a stage's `process` returns `bool` or `Result<bool, Infallible>`, not `()`
    #[stage(ports(input: PBufRd))]
    struct Sink;

    impl Sink {
        fn process(&mut self, _: SinkPorts<'_>) {}
    }
}

mod wrong_error {
    use super::*;

    #[derive(Stage)] //~ ERROR a stage's `process` returns `bool` or `Result<bool, std::fmt::Error>`, not `Result<bool, Utf8Error>`
    #[stage(ports(input: PBufRd), error = core::fmt::Error)]
    struct Sink;

    impl Sink {
        fn process(&mut self, _: SinkPorts<'_>) -> Result<bool, core::str::Utf8Error> {
            Ok(false)
        }
    }
}

mod result_without_error {
    use super::*;

    #[derive(Stage)] //~ ERROR a stage's `process` returns `bool` or `Result<bool, Infallible>`, not `Result<bool, std::fmt::Error>`
    #[stage(ports(input: PBufRd))]
    struct Sink;

    impl Sink {
        fn process(&mut self, _: SinkPorts<'_>) -> Result<bool, core::fmt::Error> {
            Ok(false)
        }
    }
}

fn main() {}
