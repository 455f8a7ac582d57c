// Ports and links of elements other than bytes.

use pipebuf::{pipeline, PipeBuf, PipeBufPair, Stage};

#[derive(Clone, Debug, Default, PartialEq)]
struct Message {
    id: u32,
}

/// Turns bytes into one message per byte.
#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr<Message>))]
struct Parse;

impl Parse {
    fn process(&mut self, mut p: ParsePorts<'_>) -> bool {
        let data = p.input.data();
        let len = data.len();
        for &b in data {
            p.output.append(&[Message { id: u32::from(b) }]);
        }
        p.input.consume(len);
        len > 0
    }
}

/// Hands messages on through a duplex port.
#[derive(Stage)]
#[stage(ports(input: PBufRd<Message>, upper: PBufRdWr<Message>))]
struct Up;

impl Up {
    fn process(&mut self, mut p: UpPorts<'_>) -> bool {
        let before = p.input.tripwire();
        p.input.forward(p.upper.wr);
        p.input.is_tripped(before)
    }
}

#[pipeline]
struct Messages {
    parse: Parse,
    up: Up,
    #[link(-> parse.input)]
    bytes: PipeBuf,
    #[link(parse.output -> up.input)]
    messages: PipeBuf<Message>,
    #[link(up.upper <->)]
    app: PipeBufPair<Message>,
}

fn main() {
    let mut p = Messages::new(Parse, Up);
    p.bytes().append(b"\x01\x02");
    p.process().unwrap();
    assert_eq!(p.app().rd.data(), [Message { id: 1 }, Message { id: 2 }]);
    assert_eq!(Messages::GRAPH.links[1].name, "messages");
}
