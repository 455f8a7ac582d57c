//! Our WebSocket client and server, in memory: every kind and size of message, both ways.
#![cfg(feature = "websocket")]

use pipebuf::{PBufState, PipeBufPair, Status, pipeline};
use pipebuf_stages::Echo;
use pipebuf_stages::websocket::{ClientRequest, Message, MessageKind, WsClient, WsServer};

/// A cheap, deterministic source of masking keys (the tests do not need unpredictable ones).
struct XorShift(u64);

impl rand_core::RngCore for XorShift {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for byte in dst {
            *byte = self.next_u32() as u8;
        }
    }
}

#[pipeline]
struct EchoServer {
    ws: WsServer,
    echo: Echo<Message>,
    #[link(<-> ws.lower)]
    wire: PipeBufPair,
    #[link(ws.upper <-> echo.io)]
    msgs: PipeBufPair<Message>,
}

#[pipeline]
struct Client {
    ws: WsClient<XorShift>,
    #[link(<-> ws.lower)]
    wire: PipeBufPair,
    #[link(ws.upper <->)]
    app: PipeBufPair<Message>,
}

/// Runs both until neither moves, carrying bytes between their wires.
fn settle(client: &mut Client, server: &mut EchoServer) {
    loop {
        let a = client.process().unwrap();
        let b = server.process().unwrap();
        let mut moved = false;
        let (mut cw, mut sw) = (client.wire(), server.wire());
        if !cw.rd.is_empty() || cw.rd.has_pending_eof() {
            cw.rd.forward(sw.wr.reborrow());
            moved = true;
        }
        if !sw.rd.is_empty() || sw.rd.has_pending_eof() {
            sw.rd.forward(cw.wr.reborrow());
            moved = true;
        }
        if !moved && a != Status::Progress && b != Status::Progress {
            return;
        }
    }
}

fn pair() -> (Client, EchoServer) {
    let request = ClientRequest::new("localhost", "/echo");
    (Client::new(WsClient::new(request, XorShift(0x9e37_79b9_7f4a_7c15))), EchoServer::new(WsServer::new(), Echo::new()))
}

#[test]
fn every_size_echoes_and_the_close_handshake_completes() {
    let (mut client, mut server) = pair();
    let sizes = [0, 1, 125, 126, 65535, 65536, 1 << 20];
    let mut sent = Vec::new();
    for (i, size) in sizes.into_iter().enumerate() {
        let data: Vec<u8> = (0..size).map(|j| (i * 31 + j) as u8).collect();
        sent.push(Message::binary(data));
        sent.push(Message::text("é".repeat(size / 2)));
    }
    client.app().wr.append(&sent);
    settle(&mut client, &mut server);
    assert!(client.ws.is_open() && server.ws.is_open());
    assert_eq!(client.app().rd.data(), sent.as_slice());
    let n = client.app().rd.len();
    client.app().rd.consume(n);

    client.app().wr.close();
    settle(&mut client, &mut server);
    assert_eq!(server.ws.peer_close().map(|c| c.code), Some(1000));
    assert_eq!(client.ws.peer_close().map(|c| c.code), Some(1000));
    assert_eq!(client.app().rd.state(), PBufState::Closing);
    assert!(client.wire().rd.is_eof() && server.wire().rd.is_eof());
}

#[test]
fn fragments_pings_and_pongs() {
    let (mut client, mut server) = pair();
    client.app().wr.append(&[
        Message::text("frag").with_more(true),
        Message::ping(b"are you there".to_vec()),
        Message::text("mented").with_more(true),
        Message::text("!"),
    ]);
    settle(&mut client, &mut server);
    let got = client.app().rd.data().to_vec();
    assert_eq!(got, [Message::new(MessageKind::Text, b"fragmented!".to_vec())]);
}
