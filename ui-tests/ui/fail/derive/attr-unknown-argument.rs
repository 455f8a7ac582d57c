// An unknown argument is reported with the accepted ones, and nothing else.
use pipebuf::Stage;

mod misspelled {
    use super::*;

    #[derive(Stage)]
    #[stage(port(input: PBufRd))] //~ ERROR expected `ports` or `error`
    struct Sink;
}

mod unknown {
    use super::*;

    #[derive(Stage)]
    #[stage(ports(input: PBufRd), crate = pipebuf)] //~ ERROR expected `ports` or `error`
    struct Sink;
}

mod bare {
    use super::*;

    #[derive(Stage)]
    #[stage] //~ ERROR expected attribute arguments in parentheses: #[stage(...)]
    struct Sink;
}

fn main() {}
