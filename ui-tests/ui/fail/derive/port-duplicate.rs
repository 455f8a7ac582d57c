use pipebuf::Stage;

#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr, input: PBufRd<u16>))] //~ ERROR port `input` is declared twice; rename one
struct Pass;

impl Pass {
    fn process(&mut self, _: PassPorts<'_>) -> bool {
        false
    }
}

fn main() {}
