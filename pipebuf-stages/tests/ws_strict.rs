//! `WebsocketServer` and `WebsocketClient` against a peer that breaks RFC 6455: each violation fed as raw bytes
//! gives its exact error, a Close frame with the right code, a closed `lower.wr` and an aborted
//! `upper.wr`, after handing on the messages that came before it. Then the parts of the protocol
//! the stages run on their own: pongs, the closing handshake, masking and length encoding.

#![cfg(feature = "websocket")]

#[path = "common/rng.rs"]
mod rng;
#[path = "common/ws_frames.rs"]
mod ws_frames;

use pipebuf::PBufState;
use pipebuf_stages::websocket::{
    CloseFrame, HandshakeError, Message, ProtocolError, ResponseError, Utf8Error, WebsocketClient,
    WebsocketError, WebsocketServer,
};
use rand_core::RngCore;
use ws_frames::{
    BINARY, CLOSE, CONT, FIN, KEY, LEN_16, LEN_64, MASKED, PING, PONG, Rig, TEXT, UPGRADE, WsStage,
    XorShift, client_frame, close_payload, open_client, open_server, parse_frames, server_frame,
};

/// Feeds a complete "ok" message and then `bad` to an open server, and checks that the server
/// fails with `error`: "ok" handed on, a single Close frame with `code`, `lower.wr` closed,
/// `upper.wr` aborted.
#[track_caller]
fn server_fails(bad: &[u8], error: &WebsocketError, code: u16) {
    server_fails_with(WebsocketServer::new(), bad, error, code);
}

#[track_caller]
fn server_fails_with(server: WebsocketServer, bad: &[u8], error: &WebsocketError, code: u16) {
    let mut rig = open_server(server);
    assert_eq!(rig.feed(&client_frame(FIN | TEXT, b"ok")), Ok(()));
    assert_eq!(rig.feed(bad).as_ref(), Err(error));
    assert_failed(&mut rig, code);
}

/// Checks what a stage leaves after a failure with close `code`.
#[track_caller]
fn assert_failed<S: WsStage>(rig: &mut Rig<S>, code: u16) {
    assert_eq!(error_close(rig), Some(code));
    assert_eq!(rig.wire_out_state(), PBufState::Closing);
    assert_eq!(rig.app_in_state(), PBufState::Aborting);
    assert_eq!(rig.take_messages(), [Message::text("ok")]);
    // A failed stage stays quiet.
    assert_eq!(rig.run(), Ok(()));
    assert!(rig.take_wire().is_empty());
}

/// The code of the only frame on the wire, which must be a Close frame without a reason.
fn error_close<S: WsStage>(rig: &mut Rig<S>) -> Option<u16> {
    let frames = parse_frames(&rig.take_wire());
    assert_eq!(frames.len(), 1, "one Close frame expected: {frames:?}");
    assert_eq!(frames[0].first, FIN | CLOSE);
    assert_eq!(frames[0].payload.len(), 2, "the error's Close frame has no reason");
    frames[0].close_code()
}

fn protocol(error: ProtocolError) -> WebsocketError {
    WebsocketError::Protocol(error)
}

#[test]
fn an_unmasked_client_frame_fails_with_1002() {
    server_fails(&server_frame(FIN | TEXT, b"hi"), &protocol(ProtocolError::Unmasked), 1002);
}

#[test]
fn reserved_bits_fail_with_1002() {
    for rsv in [0x40, 0x20, 0x10, 0x70] {
        server_fails(
            &client_frame(FIN | rsv | TEXT, b"hi"),
            &protocol(ProtocolError::ReservedBits),
            1002,
        );
    }
}

#[test]
fn reserved_opcodes_fail_with_1002() {
    for opcode in (3..=7).chain(0xB..=0xF) {
        server_fails(
            &client_frame(FIN | opcode, b""),
            &protocol(ProtocolError::ReservedOpcode(opcode)),
            1002,
        );
    }
}

#[test]
fn fragmented_control_frames_fail_with_1002() {
    for opcode in [PING, CLOSE, PONG] {
        server_fails(&client_frame(opcode, b""), &protocol(ProtocolError::FragmentedControl), 1002);
    }
}

#[test]
fn control_payloads_of_126_bytes_fail_with_1002() {
    for opcode in [PING, CLOSE, PONG] {
        let mut bad = client_frame(FIN | opcode, &[b'a'; 126]);
        // The header alone is enough.
        bad.truncate(2);
        server_fails(&bad, &protocol(ProtocolError::ControlTooLong), 1002);
    }
}

#[test]
fn a_continuation_without_a_start_fails_with_1002() {
    server_fails(
        &client_frame(FIN | CONT, b"x"),
        &protocol(ProtocolError::ContinuationWithoutStart),
        1002,
    );
}

#[test]
fn a_new_message_inside_a_fragmented_one_fails_with_1002() {
    for opcode in [TEXT, BINARY] {
        let mut bad = client_frame(TEXT, b"frag");
        bad.extend(client_frame(FIN | opcode, b"new"));
        server_fails(&bad, &protocol(ProtocolError::UnfinishedMessage), 1002);
    }
}

#[test]
fn invalid_utf8_in_a_text_frame_fails_with_1007() {
    server_fails(
        &client_frame(FIN | TEXT, b"ab\xffcd"),
        &WebsocketError::InvalidUtf8(Utf8Error::Invalid { position: 2, len: 1 }),
        1007,
    );
}

#[test]
fn invalid_utf8_across_fragments_fails_as_the_bad_byte_arrives() {
    let mut rig = open_server(WebsocketServer::new());
    assert_eq!(rig.feed(&client_frame(FIN | TEXT, b"ok")), Ok(()));
    // "é" starts in the first fragment; the second fragment cannot continue it.
    assert_eq!(rig.feed(&client_frame(TEXT, b"caf\xc3")), Ok(()));
    let second = client_frame(FIN | CONT, b"abcdef");
    // Only the header and "a" arrive: "a" cannot continue "é", so the error comes before the
    // rest of the frame.
    let error = WebsocketError::InvalidUtf8(Utf8Error::Invalid { position: 3, len: 1 });
    let header_len = 2 + 4;
    assert_eq!(rig.feed(&second[..=header_len]), Err(error));
    assert_failed(&mut rig, 1007);
}

#[test]
fn invalid_utf8_fails_with_the_part_that_holds_the_bad_byte() {
    let mut rig = open_server(WebsocketServer::new());
    assert_eq!(rig.feed(&client_frame(FIN | TEXT, b"ok")), Ok(()));
    let frame = client_frame(FIN | TEXT, b"good text \xff and more");
    // Header (6 bytes) plus "good text " (10 bytes): still valid, nothing delivered.
    assert_eq!(rig.feed(&frame[..16]), Ok(()));
    assert_eq!(rig.app_in_state(), PBufState::Open);
    assert_eq!(
        rig.feed(&frame[16..17]),
        Err(WebsocketError::InvalidUtf8(Utf8Error::Invalid { position: 10, len: 1 }))
    );
    assert_failed(&mut rig, 1007);
}

#[test]
fn utf8_cut_at_the_end_of_a_message_fails_with_1007() {
    let mut bad = client_frame(TEXT, b"caf");
    bad.extend(client_frame(FIN | CONT, b"\xc3"));
    server_fails(&bad, &WebsocketError::InvalidUtf8(Utf8Error::Truncated { position: 3 }), 1007);
}

#[test]
fn a_close_with_one_byte_fails_with_1002() {
    server_fails(&client_frame(FIN | CLOSE, &[3]), &protocol(ProtocolError::CloseTooShort), 1002);
}

#[test]
fn invalid_close_codes_fail_with_1002() {
    for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, u16::MAX] {
        server_fails(
            &client_frame(FIN | CLOSE, &close_payload(code, b"")),
            &protocol(ProtocolError::InvalidCloseCode(code)),
            1002,
        );
    }
}

#[test]
fn valid_close_codes_are_accepted_and_echoed() {
    let codes = (1000..=1003).chain(1007..=1014).chain([3000, 4999]);
    for code in codes {
        let mut rig = open_server(WebsocketServer::new());
        let mut bytes = client_frame(FIN | TEXT, b"ok");
        bytes.extend(client_frame(FIN | CLOSE, &close_payload(code, b"why")));
        assert_eq!(rig.feed(&bytes), Ok(()));
        assert_eq!(rig.ws.peer_close(), Some(&CloseFrame::new(code, "why")));
        assert_eq!(rig.take_messages(), [Message::text("ok")]);
        assert_eq!(rig.app_in_state(), PBufState::Closing);
        // No reply before the application closes its side.
        assert!(rig.take_wire().is_empty());
        assert!(!rig.ws.is_close_sent());

        rig.app.upper().wr.close();
        assert_eq!(rig.run(), Ok(()));
        let frames = parse_frames(&rig.take_wire());
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].first, FIN | CLOSE);
        // The reply echoes the client's code and reason.
        assert_eq!(frames[0].payload, close_payload(code, b"why"));
        assert_eq!(rig.wire_out_state(), PBufState::Closing);
        assert!(rig.ws.is_close_sent());
    }
}

#[test]
fn a_close_reason_with_invalid_utf8_fails_with_1007() {
    server_fails(
        &client_frame(FIN | CLOSE, &close_payload(1000, b"bad \xc3(")),
        &WebsocketError::InvalidUtf8(Utf8Error::Invalid { position: 4, len: 1 }),
        1007,
    );
}

#[test]
fn non_minimal_lengths_fail_with_1002() {
    // 125 bytes in the 16-bit form, then 65535 bytes in the 64-bit form; the header suffices.
    let sixteen = [FIN | BINARY, MASKED | LEN_16, 0, 125];
    let sixty_four = [FIN | BINARY, MASKED | LEN_64, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF];
    for mut bad in [sixteen.to_vec(), sixty_four.to_vec()] {
        bad.extend_from_slice(&KEY);
        server_fails(&bad, &protocol(ProtocolError::NonMinimalLength), 1002);
    }
}

#[test]
fn a_64_bit_length_with_the_top_bit_set_fails_with_1002() {
    let mut bad = vec![FIN | BINARY, MASKED | LEN_64, 0x80, 0, 0, 0, 0, 0, 0, 0];
    bad.extend_from_slice(&KEY);
    server_fails(&bad, &protocol(ProtocolError::LengthOverflow), 1002);
}

#[test]
fn an_oversized_frame_fails_with_1009_from_its_header() {
    let mut bad = client_frame(FIN | BINARY, &[0; 1001]);
    bad.truncate(2 + 2 + 4);
    server_fails_with(
        WebsocketServer::new().with_max_message(1000),
        &bad,
        &WebsocketError::TooBig { limit: 1000 },
        1009,
    );
}

#[test]
fn an_oversized_fragmented_message_fails_with_1009_from_the_header_that_passes_the_limit() {
    let mut bad = client_frame(TEXT, &[b'a'; 600]);
    // 600 + 400 is still within the limit; 1000 + 1 is not.
    bad.extend(client_frame(CONT, &[b'b'; 400]));
    let mut last = client_frame(FIN | CONT, b"c");
    last.truncate(2 + 4);
    bad.extend(last);
    server_fails_with(
        WebsocketServer::new().with_max_message(1000),
        &bad,
        &WebsocketError::TooBig { limit: 1000 },
        1009,
    );
}

#[test]
fn a_message_of_exactly_the_limit_passes() {
    let mut rig = open_server(WebsocketServer::new().with_max_message(1000));
    let mut bytes = client_frame(BINARY, &[1; 999]);
    bytes.extend(client_frame(FIN | CONT, &[2]));
    assert_eq!(rig.feed(&bytes), Ok(()));
    let mut expected = vec![1; 999];
    expected.push(2);
    assert_eq!(rig.take_messages(), [Message::binary(expected)]);
}

#[test]
fn a_key_of_40_characters_is_refused_with_400() {
    let request = b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZSBkR2hsSUhOaGJYQnNa\r\n\
        Sec-WebSocket-Version: 13\r\n\r\n";
    let mut rig = Rig::new(WebsocketServer::new());
    assert_eq!(rig.feed(request), Err(WebsocketError::Handshake(HandshakeError::InvalidKey)));
    assert!(rig.take_wire().starts_with(b"HTTP/1.1 400 "));
    assert_eq!(rig.wire_out_state(), PBufState::Closing);
    assert_eq!(rig.app_in_state(), PBufState::Aborting);
    assert!(!rig.ws.is_open());
}

const NOT_WEBSOCKET: &[u8] = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n";

#[test]
fn a_request_that_is_not_an_upgrade_is_refused_with_426() {
    let mut rig = Rig::new(WebsocketServer::new());
    assert_eq!(
        rig.feed(NOT_WEBSOCKET),
        Err(WebsocketError::Handshake(HandshakeError::NotWebSocket))
    );
    assert!(rig.take_wire().starts_with(b"HTTP/1.1 426 "));
    assert_eq!(rig.wire_out_state(), PBufState::Closing);
    assert_eq!(rig.app_in_state(), PBufState::Aborting);
}

#[test]
fn a_request_that_is_not_an_upgrade_is_left_for_other_protocols() {
    let mut rig = Rig::new(WebsocketServer::new().with_other_protocols(true));
    assert_eq!(rig.feed(NOT_WEBSOCKET), Ok(()));
    assert!(rig.ws.is_declined());
    assert!(!rig.ws.is_open());
    assert_eq!(rig.wire.upper().rd.data(), NOT_WEBSOCKET);
    assert!(rig.take_wire().is_empty());
    assert_eq!(rig.wire_out_state(), PBufState::Open);
    assert_eq!(rig.app_in_state(), PBufState::Open);
}

#[test]
fn a_handshake_delivered_one_byte_at_a_time_works() {
    let mut rig = Rig::new(WebsocketServer::new());
    let mut bytes = UPGRADE.to_vec();
    bytes.extend(client_frame(FIN | TEXT, b"hello"));
    for byte in &bytes {
        assert_eq!(rig.feed(&[*byte]), Ok(()));
    }
    assert!(rig.ws.is_open());
    assert!(rig.take_wire().starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
    assert_eq!(rig.take_messages(), [Message::text("hello")]);
}

#[test]
fn transport_eof_inside_a_payload_aborts_without_a_close_frame() {
    let mut rig = open_server(WebsocketServer::new());
    let frame = client_frame(FIN | TEXT, b"hello");
    assert_eq!(rig.feed(&frame[..8]), Ok(()));
    rig.wire.lower().wr.close();
    assert_eq!(rig.run(), Ok(()));
    assert_eq!(rig.app_in_state(), PBufState::Aborting);
    assert!(rig.take_messages().is_empty());
    assert!(rig.take_wire().is_empty());
}

#[test]
fn transport_eof_inside_a_header_aborts_without_a_close_frame() {
    for cut in [1, 3, 6 + 2] {
        let mut rig = open_server(WebsocketServer::new());
        let mut bytes = client_frame(FIN | TEXT, b"ok");
        bytes.extend(client_frame(FIN | PING, b"ping!"));
        assert_eq!(rig.feed(&bytes[..8 + cut]), Ok(()));
        rig.wire.lower().wr.close();
        assert_eq!(rig.run(), Ok(()));
        assert_eq!(rig.app_in_state(), PBufState::Aborting, "cut after {cut} bytes");
        assert_eq!(rig.take_messages(), [Message::text("ok")]);
        assert!(rig.take_wire().is_empty());
    }
}

#[test]
fn transport_eof_between_frames_aborts() {
    let mut rig = open_server(WebsocketServer::new());
    assert_eq!(rig.feed(&client_frame(FIN | TEXT, b"ok")), Ok(()));
    rig.wire.lower().wr.close();
    assert_eq!(rig.run(), Ok(()));
    assert_eq!(rig.take_messages(), [Message::text("ok")]);
    assert_eq!(rig.app_in_state(), PBufState::Aborting);
}

#[test]
fn transport_eof_before_the_handshake_is_handshake_cut() {
    for len in [0, 1, 20] {
        let mut rig = Rig::new(WebsocketServer::new());
        rig.wire.lower().wr.append(&UPGRADE[..len]);
        rig.wire.lower().wr.close();
        assert_eq!(rig.run(), Err(WebsocketError::HandshakeCut));
        assert_eq!(rig.app_in_state(), PBufState::Aborting);
        assert!(rig.take_wire().is_empty());
    }
}

#[test]
fn a_masked_server_frame_fails_the_client_with_1002() {
    let mut rig = open_client(7);
    assert_eq!(rig.feed(&server_frame(FIN | TEXT, b"ok")), Ok(()));
    assert_eq!(
        rig.feed(&client_frame(FIN | TEXT, b"masked")),
        Err(protocol(ProtocolError::Masked))
    );
    assert_failed(&mut rig, 1002);
}

#[test]
fn the_client_fails_like_the_server_on_other_violations() {
    let cases: [(Vec<u8>, WebsocketError); 3] = [
        (server_frame(FIN | 0x3, b""), protocol(ProtocolError::ReservedOpcode(3))),
        (
            server_frame(FIN | TEXT, b"\xff"),
            WebsocketError::InvalidUtf8(Utf8Error::Invalid { position: 0, len: 1 }),
        ),
        (
            server_frame(FIN | CLOSE, &close_payload(1005, b"")),
            protocol(ProtocolError::InvalidCloseCode(1005)),
        ),
    ];
    for (bad, error) in cases {
        let mut rig = open_client(11);
        assert_eq!(rig.feed(&server_frame(FIN | TEXT, b"ok")), Ok(()));
        let code = error.close_code().unwrap();
        assert_eq!(rig.feed(&bad), Err(error));
        assert_failed(&mut rig, code);
    }
}

#[test]
fn a_101_with_the_wrong_accept_fails_the_client() {
    let request = pipebuf_stages::websocket::ClientRequest::new("example.com", "/chat");
    let mut rig = Rig::new(WebsocketClient::new(request, XorShift(3)));
    assert_eq!(rig.run(), Ok(()));
    assert!(rig.take_wire().starts_with(b"GET /chat HTTP/1.1\r\n"));
    let answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    assert_eq!(rig.feed(answer), Err(WebsocketError::Response(ResponseError::WrongAccept)));
    assert!(!rig.ws.is_open());
    assert_eq!(rig.wire_out_state(), PBufState::Closing);
    assert_eq!(rig.app_in_state(), PBufState::Aborting);
}

#[test]
fn a_ping_gets_a_pong_with_the_same_payload() {
    let mut rig = open_server(WebsocketServer::new());
    assert_eq!(rig.feed(&client_frame(FIN | PING, b"are you there")), Ok(()));
    let frames = parse_frames(&rig.take_wire());
    assert_eq!(frames.len(), 1);
    assert_eq!((frames[0].first, frames[0].mask), (FIN | PONG, None));
    assert_eq!(frames[0].payload, b"are you there");
    assert!(rig.take_messages().is_empty(), "pings are not handed on");
}

#[test]
fn pings_that_arrive_together_each_get_a_pong() {
    let mut rig = open_server(WebsocketServer::new());
    let mut bytes = client_frame(FIN | PING, b"one");
    bytes.extend(client_frame(FIN | TEXT, b"between"));
    bytes.extend(client_frame(FIN | PING, b"two"));
    bytes.extend(client_frame(FIN | PING, &[b'3'; 125]));
    assert_eq!(rig.feed(&bytes), Ok(()));
    let frames = parse_frames(&rig.take_wire());
    assert_eq!(frames.len(), 3);
    assert!(frames.iter().all(|frame| frame.first == FIN | PONG));
    let payloads: Vec<&[u8]> = frames.iter().map(|frame| frame.payload.as_slice()).collect();
    assert_eq!(payloads, [&b"one"[..], b"two", &[b'3'; 125]]);
    assert_eq!(rig.take_messages(), [Message::text("between")]);
}

#[test]
fn a_ping_inside_a_fragmented_message_is_answered_at_once() {
    let mut rig = open_server(WebsocketServer::new());
    let mut bytes = client_frame(TEXT, b"frag");
    bytes.extend(client_frame(FIN | PING, b"p"));
    assert_eq!(rig.feed(&bytes), Ok(()));
    let frames = parse_frames(&rig.take_wire());
    assert_eq!((frames.len(), frames[0].first), (1, FIN | PONG));
    assert_eq!(rig.feed(&client_frame(FIN | CONT, b"mented")), Ok(()));
    assert_eq!(rig.take_messages(), [Message::text("fragmented")]);
}

#[test]
fn pongs_are_handed_on_only_when_asked_for() {
    for (server, expected) in [
        (WebsocketServer::new(), vec![Message::text("ok")]),
        (
            WebsocketServer::new().with_pongs(true),
            vec![Message::pong(b"beat".to_vec()), Message::text("ok")],
        ),
    ] {
        let mut rig = open_server(server);
        let mut bytes = client_frame(FIN | PONG, b"beat");
        bytes.extend(client_frame(FIN | TEXT, b"ok"));
        assert_eq!(rig.feed(&bytes), Ok(()));
        assert_eq!(rig.take_messages(), expected);
        assert!(rig.take_wire().is_empty(), "a pong needs no answer");
    }
}

#[test]
fn a_close_from_the_peer_ends_the_messages_and_later_frames_are_ignored() {
    let mut rig = open_server(WebsocketServer::new());
    let mut bytes = client_frame(FIN | TEXT, b"one");
    bytes.extend(client_frame(FIN | BINARY, b"two"));
    bytes.extend(client_frame(FIN | CLOSE, &close_payload(1001, b"")));
    bytes.extend(client_frame(FIN | TEXT, b"after"));
    bytes.extend(client_frame(FIN | 0x3, b"not even checked"));
    assert_eq!(rig.feed(&bytes), Ok(()));
    assert_eq!(rig.take_messages(), [Message::text("one"), Message::binary(b"two".to_vec())]);
    assert_eq!(rig.app_in_state(), PBufState::Closing);
    assert_eq!(rig.ws.peer_close(), Some(&CloseFrame::new(1001, "")));
    assert!(rig.take_wire().is_empty());

    // The application still sends, then closes: the reply carries the client's code, once.
    rig.app.upper().wr.append(&[Message::text("last words")]);
    rig.app.upper().wr.close();
    assert_eq!(rig.run(), Ok(()));
    let frames = parse_frames(&rig.take_wire());
    assert_eq!(frames.len(), 2);
    assert_eq!((frames[0].first, frames[0].payload.as_slice()), (FIN | TEXT, &b"last words"[..]));
    assert_eq!((frames[1].first, frames[1].close_code()), (FIN | CLOSE, Some(1001)));
    assert_eq!(rig.wire_out_state(), PBufState::Closing);
    assert_eq!(rig.run(), Ok(()));
    assert!(rig.take_wire().is_empty());
}

#[test]
fn an_empty_close_is_answered_with_an_empty_close() {
    let mut rig = open_server(WebsocketServer::new());
    assert_eq!(rig.feed(&client_frame(FIN | CLOSE, b"")), Ok(()));
    assert_eq!(rig.ws.peer_close(), Some(&CloseFrame::new(CloseFrame::NO_STATUS, "")));
    rig.app.upper().wr.close();
    assert_eq!(rig.run(), Ok(()));
    let frames = parse_frames(&rig.take_wire());
    assert_eq!(frames.len(), 1);
    assert_eq!((frames[0].first, frames[0].payload.len()), (FIN | CLOSE, 0));
}

#[test]
fn set_close_gives_the_code_and_reason_when_the_application_closes() {
    let mut rig = open_server(WebsocketServer::new());
    assert_eq!(rig.ws.set_close(CloseFrame::new(4000, "bye")), Ok(()));
    rig.app.upper().wr.close();
    assert_eq!(rig.run(), Ok(()));
    let frames = parse_frames(&rig.take_wire());
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].first, FIN | CLOSE);
    assert_eq!(frames[0].payload, close_payload(4000, b"bye"));
    assert!(rig.ws.is_close_sent());
    assert_eq!(rig.wire_out_state(), PBufState::Closing);

    // The client's answer completes the closing handshake.
    assert_eq!(rig.feed(&client_frame(FIN | CLOSE, &close_payload(4000, b""))), Ok(()));
    assert_eq!(rig.app_in_state(), PBufState::Closing);
    assert!(rig.take_wire().is_empty());
}

#[test]
fn a_default_close_is_1000() {
    let mut rig = open_server(WebsocketServer::new());
    rig.app.upper().wr.close();
    assert_eq!(rig.run(), Ok(()));
    let frames = parse_frames(&rig.take_wire());
    assert_eq!(frames[0].payload, close_payload(1000, b""));
}

#[test]
fn an_invalid_set_close_is_rejected() {
    let mut server = WebsocketServer::new();
    for close in [
        CloseFrame::new(1005, "reason"),
        CloseFrame::new(1006, ""),
        CloseFrame::new(999, ""),
        CloseFrame::new(5000, ""),
        CloseFrame::new(1000, "x".repeat(124)),
    ] {
        assert_eq!(server.set_close(close), Err(WebsocketError::BadControl));
    }
    assert_eq!(server.set_close(CloseFrame::new(1000, "x".repeat(123))), Ok(()));
    assert_eq!(server.set_close(CloseFrame::new(1005, "")), Ok(()));
}

#[test]
fn an_application_abort_aborts_without_a_close_frame() {
    let mut rig = open_server(WebsocketServer::new());
    rig.app.upper().wr.abort();
    assert_eq!(rig.run(), Ok(()));
    assert!(rig.take_wire().is_empty());
    assert_eq!(rig.wire_out_state(), PBufState::Aborting);
}

const SIZES: [usize; 4] = [125, 126, 65535, 65536];

/// The length field and header length (without the mask) of each of [`SIZES`].
const ENCODINGS: [(u8, usize); 4] = [(125, 2), (126, 4), (126, 4), (127, 10)];

#[test]
fn server_frames_use_the_shortest_length() {
    let mut rig = open_server(WebsocketServer::new());
    let messages: Vec<_> = SIZES.iter().map(|&size| Message::binary(vec![7; size])).collect();
    rig.app.upper().wr.append(&messages);
    assert_eq!(rig.run(), Ok(()));
    let frames = parse_frames(&rig.take_wire());
    assert_eq!(frames.len(), SIZES.len());
    for ((frame, size), (len_code, header_len)) in frames.iter().zip(SIZES).zip(ENCODINGS) {
        assert_eq!((frame.len_code, frame.header_len, frame.mask), (len_code, header_len, None));
        assert_eq!(frame.payload, vec![7; size]);
    }
}

#[test]
fn client_frames_are_masked_with_a_new_key_from_the_rng_each() {
    let seed = 0x1234_5678_9abc_def1;
    let mut rig = open_client(seed);
    let mut messages: Vec<_> = SIZES.iter().map(|&size| Message::binary(vec![7; size])).collect();
    messages.push(Message::text("one").with_more(true));
    messages.push(Message::ping(b"p".to_vec()));
    messages.push(Message::text("two"));
    rig.app.upper().wr.append(&messages);
    assert_eq!(rig.run(), Ok(()));
    let frames = parse_frames(&rig.take_wire());
    assert_eq!(frames.len(), messages.len());

    // The same generator: 16 bytes for the handshake key, then one `next_u32` per frame.
    let mut rng = XorShift(seed);
    rng.fill_bytes(&mut [0; 16]);
    for (i, frame) in frames.iter().enumerate() {
        assert_eq!(frame.mask, Some(rng.next_u32().to_ne_bytes()), "frame {i}");
    }
    for ((frame, size), (len_code, header_len)) in frames.iter().zip(SIZES).zip(ENCODINGS) {
        assert_eq!((frame.len_code, frame.header_len), (len_code, header_len + 4));
        assert_eq!(frame.payload, vec![7; size]);
    }
    let rest: Vec<_> = frames[SIZES.len()..].iter().map(|f| (f.first, f.payload.clone())).collect();
    assert_eq!(
        rest,
        [(TEXT, b"one".to_vec()), (FIN | PING, b"p".to_vec()), (FIN | CONT, b"two".to_vec())]
    );
}

#[test]
fn the_client_answers_pings_with_masked_pongs() {
    let mut rig = open_client(5);
    assert_eq!(rig.feed(&server_frame(FIN | PING, b"hi")), Ok(()));
    let frames = parse_frames(&rig.take_wire());
    assert_eq!(frames.len(), 1);
    assert_eq!((frames[0].first, frames[0].payload.as_slice()), (FIN | PONG, &b"hi"[..]));
    assert!(frames[0].mask.is_some());
}
