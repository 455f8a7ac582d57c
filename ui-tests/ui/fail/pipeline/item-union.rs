use pipebuf::pipeline;

#[pipeline]
union Chain { //~ ERROR `#[pipeline]` goes on a struct, not a union
    a: u8,
}

fn main() {}
