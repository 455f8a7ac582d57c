use pipebuf::Stage;

mod one_attribute {
    use super::*;

    #[derive(Stage)]
    #[stage(ports(input: PBufRd), ports(output: PBufWr))] //~ ERROR `ports(...)` is given twice; list every port in one
    struct Pass;
}

mod two_attributes {
    use super::*;

    #[derive(Stage)]
    #[stage(ports(input: PBufRd))]
    #[stage(ports(output: PBufWr))] //~ ERROR `ports(...)` is given twice; list every port in one
    struct Pass;
}

fn main() {}
