use pipebuf::pipeline;

#[pipeline]
enum Chain { //~ ERROR `#[pipeline]` goes on a struct, not an enum
    A,
}

fn main() {}
