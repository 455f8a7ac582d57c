//! The backlog limit of the WebSocket stages, in memory: past it, the server reads no new
//! message from the peer until the application takes what waits or the peer takes what the
//! application sent; nothing already accepted is lost, the transport's end included.
#![cfg(feature = "websocket")]

#[path = "common/rng.rs"]
mod rng;

use pipebuf::{PBufState, PipeBufPair, Stage};
use pipebuf_stages::websocket::{
    ClientRequest, Message, WebsocketClient, WebsocketClientPorts, WebsocketServer,
    WebsocketServerPorts,
};
use rng::XorShift;

/// Each big message: 100 KiB, and with its slot, a little more.
const BIG: usize = 100 << 10;
/// Room for two big messages, not three.
const BACKLOG: usize = 250_000;

/// A client and a server joined by a wire, each with its application's messages at the top.
struct Duo {
    client: WebsocketClient<XorShift>,
    server: WebsocketServer,
    /// The client's application: `upper()` is its end.
    client_app: PipeBufPair<Message>,
    /// The wire: the client on its upper end, the server on its lower end.
    wire: PipeBufPair,
    /// The server's application: `upper()` is its end.
    server_app: PipeBufPair<Message>,
}

impl Duo {
    /// Joins the two, with the given backlog on the server, and runs the handshake.
    fn open(backlog: usize) -> Duo {
        let request = ClientRequest::new("localhost", "/backlog");
        let mut duo = Duo {
            client: WebsocketClient::new(request, XorShift(11)),
            server: WebsocketServer::new().with_max_backlog(backlog),
            client_app: PipeBufPair::new(),
            wire: PipeBufPair::new(),
            server_app: PipeBufPair::new(),
        };
        duo.settle();
        assert!(duo.client.is_open() && duo.server.is_open());
        duo
    }

    fn run_client(&mut self) -> bool {
        let ports =
            WebsocketClientPorts { lower: self.wire.upper(), upper: self.client_app.lower() };
        self.client.process(ports).expect("the client runs")
    }

    fn run_server(&mut self) -> bool {
        let ports =
            WebsocketServerPorts { lower: self.wire.lower(), upper: self.server_app.lower() };
        self.server.process(ports).expect("the server runs")
    }

    /// Runs both until neither moves.
    fn settle(&mut self) {
        while self.run_client() | self.run_server() {}
    }
}

/// `n` big binary messages, each of its own bytes.
fn big_messages(n: u8) -> Vec<Message> {
    (0..n).map(|i| Message::binary(vec![i; BIG])).collect()
}

/// Each message's length and bytes, short enough to print when an assertion fails.
fn summary(messages: &[Message]) -> Vec<(usize, Vec<u8>)> {
    messages
        .iter()
        .map(|message| {
            let mut distinct = message.data().to_vec();
            distinct.dedup();
            (message.data().len(), distinct)
        })
        .collect()
}

#[test]
fn past_the_backlog_no_new_message_is_read_and_none_is_lost_the_end_included() {
    let mut duo = Duo::open(BACKLOG);
    let sent = big_messages(10);
    duo.client_app.upper().wr.append(&sent);
    duo.settle();
    // Two fit under the limit; the third is read because the two weigh less than it: then no
    // more, though all ten are on the wire.
    assert_eq!(duo.server_app.upper().rd.len(), 3);
    assert!(!duo.wire.down.rd().is_empty(), "the rest waits on the wire");

    // The transport ends: what waits on the wire is still delivered, then the end.
    duo.wire.down.wr().close();
    duo.run_server();
    assert_eq!(duo.server_app.up.state(), PBufState::Open, "the end waits for the messages");
    let mut received = Vec::new();
    while received.len() < sent.len() {
        let mut app = duo.server_app.upper();
        let n = app.rd.len();
        assert!(n > 0, "the server stopped with {} of {} messages", received.len(), sent.len());
        received.extend_from_slice(app.rd.data());
        app.rd.consume(n);
        duo.run_server();
    }
    assert_eq!(summary(&received), summary(&sent));
    // No Close frame came: a broken connection, after everything before it.
    assert_eq!(duo.server_app.up.state(), PBufState::Aborting);
}

#[test]
fn messages_the_peer_has_not_taken_count_too() {
    let mut duo = Duo::open(BACKLOG);
    // The client takes nothing for now, and the wire to it holds 4 KiB: what the server's
    // application sends waits on the server's side.
    duo.wire.up.set_limit(Some(4096));
    let replies = big_messages(4);
    duo.server_app.upper().wr.append(&replies);
    duo.run_server();
    duo.client_app.upper().wr.append(&[Message::text("hello")]);
    duo.run_client();
    for _ in 0..3 {
        duo.run_server();
    }
    assert!(duo.server_app.upper().rd.is_empty(), "read though the backlog was over");
    // Once the client takes the replies, the server reads again.
    duo.settle();
    assert_eq!(duo.server_app.upper().rd.data(), [Message::text("hello")]);
    assert_eq!(summary(duo.client_app.upper().rd.data()), summary(&replies));
}

#[test]
fn a_message_larger_than_the_backlog_still_passes_alone() {
    let mut duo = Duo::open(1000);
    let sent = big_messages(2);
    duo.client_app.upper().wr.append(&sent);
    duo.settle();
    assert_eq!(summary(duo.server_app.upper().rd.data()), summary(&sent[..1]));
    let mut app = duo.server_app.upper();
    app.rd.consume(1);
    duo.settle();
    assert_eq!(summary(duo.server_app.upper().rd.data()), summary(&sent[1..]));
}
