use pipebuf::Stage;

#[derive(Stage)]
#[stage(ports(input: PBufRd), error = String)] //~ ERROR the trait bound `String: std::error::Error` is not satisfied
struct Sink;

impl Sink {
    fn process(&mut self, _: SinkPorts<'_>) -> Result<bool, String> {
        Ok(false)
    }
}

fn main() {}
