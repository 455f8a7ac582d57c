// A stage without an inherent `process`: the derive's call finds both `Stage::process` and the
// helper `AddAnInherentProcessFnToTheStage::process`, so rustc reports the ambiguity, and the
// helper's name says what is missing (rather than the call recursing forever).

mod trait_not_in_scope {
    #[derive(pipebuf::Stage)] //~ ERROR multiple applicable items in scope
    #[stage(ports(input: PBufRd))]
    struct Sink;
}

mod trait_in_scope {
    use pipebuf::Stage;

    #[derive(Stage)] //~ ERROR multiple applicable items in scope
    #[stage(ports(input: PBufRd))]
    struct Sink;
}

mod misspelled {
    use pipebuf::Stage;

    #[derive(Stage)] //~ ERROR multiple applicable items in scope
    #[stage(ports(input: PBufRd))]
    struct Sink;

    impl Sink {
        fn proces(&mut self, _: SinkPorts<'_>) -> bool {
            false
        }
    }
}

fn main() {}
