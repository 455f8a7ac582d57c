use pipebuf::Stage;

mod one_attribute {
    use super::*;

    #[derive(Stage)]
    #[stage(ports(input: PBufRd), error = core::fmt::Error, error = core::fmt::Error)] //~ ERROR `error` is given twice; keep one
    struct Sink;
}

mod two_attributes {
    use super::*;

    #[derive(Stage)]
    #[stage(ports(input: PBufRd), error = core::fmt::Error)]
    #[stage(error = core::str::Utf8Error)] //~ ERROR `error` is given twice; keep one
    struct Sink;
}

fn main() {}
