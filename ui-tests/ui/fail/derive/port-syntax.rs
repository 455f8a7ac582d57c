// A syntax error in `#[stage(...)]` is reported alone: the derive does not go on to say that no
// ports were declared.
use pipebuf::Stage;

mod no_colon {
    use super::*;

    #[derive(Stage)]
    #[stage(ports(input PBufRd))] //~ ERROR expected `:`
    struct Sink;
}

mod error_no_equals {
    use super::*;

    #[derive(Stage)]
    #[stage(ports(input: PBufRd), error(core::fmt::Error))] //~ ERROR expected `=`
    struct Sink;
}

mod parenthesized {
    use super::*;

    #[derive(Stage)]
    #[stage(ports(input: PBufRd(u8)))] //~ ERROR expected `,`
    struct Sink;
}

fn main() {}
