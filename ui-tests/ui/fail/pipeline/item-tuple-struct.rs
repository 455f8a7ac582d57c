mod tuple {
    use pipebuf::pipeline;

    #[pipeline]
    struct Chain(u8); //~ ERROR `#[pipeline]` needs a struct with named fields; name each stage and link
}

mod unit {
    use pipebuf::pipeline;

    #[pipeline]
    struct Chain; //~ ERROR `#[pipeline]` needs a struct with named fields; name each stage and link
}

fn main() {}
