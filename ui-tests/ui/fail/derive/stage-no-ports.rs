use pipebuf::Stage;

mod no_attribute {
    use super::*;

    #[derive(Stage)]
    struct Idle; //~ ERROR stage `Idle` declares no ports; add `#[stage(ports(name: PBufRd<T>, ...))]`
}

mod only_error {
    use super::*;

    #[derive(Stage)]
    #[stage(error = core::fmt::Error)]
    struct Idle; //~ ERROR stage `Idle` declares no ports; add `#[stage(ports(name: PBufRd<T>, ...))]`
}

mod empty_ports {
    use super::*;

    #[derive(Stage)]
    #[stage(ports())]
    struct Idle; //~ ERROR stage `Idle` declares no ports; add `#[stage(ports(name: PBufRd<T>, ...))]`
}

fn main() {}
