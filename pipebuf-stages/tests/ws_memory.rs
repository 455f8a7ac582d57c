//! Our WebSocket client and server, in memory: every kind and size of message, both ways.
#![cfg(feature = "websocket")]

#[path = "common/rng.rs"]
mod rng;

use pipebuf::{PBufState, PipeBufPair, Stage, Status, pipeline};
use pipebuf_stages::Echo;
use pipebuf_stages::websocket::{
    ClientRequest, Message, MessageKind, Payload, WebsocketClient, WebsocketClientPorts,
    WebsocketServer, WebsocketServerPorts,
};
use rng::XorShift;

#[pipeline]
struct EchoServer {
    ws: WebsocketServer,
    echo: Echo<Message>,
    #[link(<-> ws.lower)]
    wire: PipeBufPair,
    #[link(ws.upper <-> echo.io)]
    msgs: PipeBufPair<Message>,
}

#[pipeline]
struct Client {
    ws: WebsocketClient<XorShift>,
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
    (
        Client::new(WebsocketClient::new(request, XorShift(0x9e37_79b9_7f4a_7c15))),
        EchoServer::new(WebsocketServer::new(), Echo::new()),
    )
}

#[test]
fn every_size_echoes_and_the_close_handshake_completes() {
    let (mut client, mut server) = pair();
    let sizes = [0, 1, 125, 126, 65535, 65536, 1 << 20];
    let mut sent = Vec::new();
    for (i, size) in sizes.into_iter().enumerate() {
        let data: Vec<u8> = (0..size).map(|j| ((i * 31 + j) % 251).to_le_bytes()[0]).collect();
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
fn runs_of_small_messages_pass_links_that_hold_a_few_at_a_time() {
    // Lengths around the inline size (22), the largest 7-bit length (125) and past it, text and
    // binary; a wire that takes 100 bytes at a time (frames cut) and a message link that takes
    // 3 messages at a time (runs cut).
    let messages: Vec<Message> = (0..400usize)
        .map(|i| match i % 4 {
            0 => Message::text(format!("message {i}")),
            _ => {
                Message::binary((0..i % 140).map(|j| (i + j).to_le_bytes()[0]).collect::<Vec<_>>())
            }
        })
        .collect();
    let request = ClientRequest::new("localhost", "/runs");
    let mut client = WebsocketClient::new(request, XorShift(7));
    let mut server = WebsocketServer::new();
    let mut sent = PipeBufPair::<Message>::new();
    let mut wire = PipeBufPair::new();
    let mut received = PipeBufPair::<Message>::new();
    let mut got = Vec::new();
    let mut limited = false;
    loop {
        if !limited && client.is_open() && server.is_open() {
            // After the handshake, which needs more room.
            wire.down.set_limit(Some(100));
            received.up.set_limit(Some(3));
            sent.upper().wr.append(&messages);
            limited = true;
        }
        let ports = WebsocketClientPorts { lower: wire.upper(), upper: sent.lower() };
        let a = client.process(ports).unwrap();
        let ports = WebsocketServerPorts { lower: wire.lower(), upper: received.lower() };
        let b = server.process(ports).unwrap();
        let mut app = received.upper();
        let n = app.rd.len();
        got.extend_from_slice(app.rd.data());
        app.rd.consume(n);
        if !a && !b && n == 0 && limited {
            break;
        }
    }
    assert_eq!(got.len(), messages.len());
    assert_eq!(got, messages);
    assert!(got.iter().all(|m| m.data().is_inline() == (m.data().len() <= Payload::INLINE)));
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

#[test]
fn streaming_mode_passes_a_large_message_in_pieces() {
    let request = ClientRequest::new("localhost", "/echo");
    let mut client = Client::new(WebsocketClient::new(request, XorShift(7)));
    // A limit far below the message: in streaming mode it does not apply, as the server never
    // holds the message whole.
    let mut server = EchoServer::new(
        WebsocketServer::new().with_streaming(true).with_max_message(1000),
        Echo::new(),
    );
    let data: Vec<u8> = (0..3usize << 20).map(|i| (i % 251).to_le_bytes()[0]).collect();
    client.app().wr.append(&[Message::binary(data.clone())]);
    // Carry the bytes a few KiB at a time, so that the server sees the frame in many pieces.
    for _ in 0..100_000 {
        client.process().unwrap();
        let (mut cw, mut sw) = (client.wire(), server.wire());
        let chunk = cw.rd.len().min(4096);
        if chunk > 0 {
            sw.wr.append(&cw.rd.data()[..chunk]);
            cw.rd.consume(chunk);
        }
        server.process().unwrap();
        let (mut cw, mut sw) = (client.wire(), server.wire());
        sw.rd.forward(cw.wr.reborrow());
        if client.app().rd.len() == 1 {
            break;
        }
    }
    client.process().unwrap();
    assert_eq!(client.app().rd.data(), [Message::binary(data)]);
}

#[test]
fn an_idle_connection_can_give_back_its_buffers_and_request() {
    let (mut client, mut server) = pair();
    client.app().wr.append(&[Message::binary(vec![1; 70_000])]);
    settle(&mut client, &mut server);
    assert_eq!(client.app().rd.len(), 1);
    client.app().rd.consume(1);
    assert!(server.wire.up.capacity() >= 70_000);
    server.release_empty_links();
    assert_eq!(server.wire.up.capacity() + server.wire.down.capacity(), 0);
    assert_eq!(server.msgs.up.capacity() + server.msgs.down.capacity(), 0);
    assert_eq!(server.ws.take_request().map(|r| r.path().to_owned()).as_deref(), Some("/echo"));
    assert!(server.ws.request().is_none());
    // The connection goes on as before.
    client.app().wr.append(&[Message::text("after")]);
    settle(&mut client, &mut server);
    assert_eq!(client.app().rd.data(), [Message::text("after")]);
}

#[test]
fn closing_a_connection_whose_output_already_ended_is_a_no_op() {
    let (mut client, mut server) = pair();
    settle(&mut client, &mut server);
    assert!(server.ws.is_open());
    // The transport ends without a Close frame: the server aborts up, the echo aborts back,
    // and the server's output to the transport is aborted.
    server.wire().wr.close();
    server.process().unwrap();
    assert!(server.wire().rd.is_eof());
    // A shutdown asks it to close now: nothing can be sent, and nothing panics.
    server.ws.close(pipebuf_stages::websocket::CloseFrame::new(1001, "")).unwrap();
    server.process().unwrap();
    assert!(!server.ws.is_close_sent());
}

#[test]
fn a_bad_frame_after_the_application_aborted_fails_without_a_panic() {
    use pipebuf::{PipeBufPair, Stage};
    use pipebuf_stages::websocket::{ProtocolError, WebsocketError, WebsocketServerPorts};

    let (mut wire, mut app) = (PipeBufPair::new(), PipeBufPair::new());
    let mut ws = WebsocketServer::new();
    wire.lower().wr.append(
        b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    ws.process(WebsocketServerPorts { lower: wire.upper(), upper: app.lower() }).unwrap();
    assert!(ws.is_open());
    // The application aborts: the stage aborts its output to the transport.
    app.upper().wr.abort();
    ws.process(WebsocketServerPorts { lower: wire.upper(), upper: app.lower() }).unwrap();
    assert!(wire.lower().rd.is_aborted());
    // Then the peer breaks the protocol: a typed error, and no Close frame can go out.
    wire.lower().wr.append(&[0x81, 0x01, b'x']);
    let error = ws.process(WebsocketServerPorts { lower: wire.upper(), upper: app.lower() });
    assert_eq!(error.unwrap_err(), WebsocketError::Protocol(ProtocolError::Unmasked));
}
