//! `WebsocketServer` and `WebsocketClient` give the same result however the peer's bytes are cut into chunks:
//! every split of a valid stream into 2 chunks and many into 3, with the application's buffer
//! full and in streaming mode too, random chunkings of random valid streams,
//! and random garbage after the handshake, which never panics and never makes the stage hold
//! more memory than the bytes it was given and the message limit allow.

#![cfg(feature = "websocket")]

#[path = "common/rng.rs"]
mod rng;
#[path = "common/ws_frames.rs"]
mod ws_frames;

use std::alloc::System;
use std::sync::{Mutex, MutexGuard, PoisonError};

use cap::Cap;
use pipebuf::{PBufState, PipeBufPair};
use pipebuf_stages::websocket::{
    CloseFrame, Message, MessageKind, WebsocketClient, WebsocketError, WebsocketServer,
};
use proptest::prelude::*;
use ws_frames::{
    BINARY, CLOSE, CONT, FIN, LEN_16, LEN_64, MASKED, PING, PONG, Rig, TEXT, UPGRADE, WsStage,
    XorShift, accept_response, close_payload, frame, parse_frames,
};

// Counts live heap bytes, so that the garbage tests can bound what a stage holds; `cap` does
// this without `unsafe`.
#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// Runs the tests of this file one at a time, so that the allocation count is theirs alone.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The longest input a stage may leave unread while open and not blocked by its output: a
/// masked control frame but its last byte (a header alone is shorter).
const MAX_UNREAD: usize = 2 + 4 + 125 - 1;

/// Everything a delivery leads to, except the pongs, whose number may depend on how the pings
/// arrive (past 16 pings that wait together, a stage answers only the latest 16).
#[derive(Debug, PartialEq)]
struct Outcome {
    error: Option<WebsocketError>,
    messages: Vec<Message>,
    /// The HTTP answer, on the server side.
    head: Vec<u8>,
    /// Every frame written but pongs, as (first byte, length field, unmasked payload).
    frames: Vec<(u8, u8, Vec<u8>)>,
    wire_out: PBufState,
    app_in: PBufState,
    peer_close: Option<CloseFrame>,
    close_sent: bool,
}

/// An outcome and the payloads of the pongs, in order.
type Delivery = (Outcome, Vec<Vec<u8>>);

/// A role: how to make a stage ready for the peer's stream, and how the peer masks.
trait Role {
    type Stage: WsStage;

    /// The peer's frames are masked (they come from a client).
    const MASKED: bool;

    fn fresh(max_message: usize) -> Rig<Self::Stage>;

    /// A fresh stage that hands on messages in pieces.
    fn fresh_streaming() -> Rig<Self::Stage>;

    /// The bytes that open the connection, before the frames.
    fn opening() -> Vec<u8>;
}

struct Server;

impl Role for Server {
    type Stage = WebsocketServer;

    const MASKED: bool = true;

    fn fresh(max_message: usize) -> Rig<WebsocketServer> {
        Rig::new(WebsocketServer::new().with_max_message(max_message))
    }

    fn fresh_streaming() -> Rig<WebsocketServer> {
        Rig::new(WebsocketServer::new().with_streaming(true))
    }

    fn opening() -> Vec<u8> {
        UPGRADE.to_vec()
    }
}

struct Client;

const SEED: u64 = 0x2545_f491_4f6c_dd1d;

impl Role for Client {
    type Stage = WebsocketClient<XorShift>;

    const MASKED: bool = false;

    fn fresh(max_message: usize) -> Rig<WebsocketClient<XorShift>> {
        let request = pipebuf_stages::websocket::ClientRequest::new("example.com", "/chat");
        requested(WebsocketClient::new(request, XorShift(SEED)).with_max_message(max_message))
    }

    fn fresh_streaming() -> Rig<WebsocketClient<XorShift>> {
        let request = pipebuf_stages::websocket::ClientRequest::new("example.com", "/chat");
        requested(WebsocketClient::new(request, XorShift(SEED)).with_streaming(true))
    }

    fn opening() -> Vec<u8> {
        // The same seed gives the same key, so one answer fits every fresh client.
        let request = pipebuf_stages::websocket::ClientRequest::new("example.com", "/chat");
        let mut rig = Rig::new(WebsocketClient::new(request, XorShift(SEED)));
        rig.run().expect("the request is written");
        accept_response(&rig.take_wire())
    }
}

/// A rig for `client` whose request is written and taken off the wire.
fn requested(client: WebsocketClient<XorShift>) -> Rig<WebsocketClient<XorShift>> {
    let mut rig = Rig::new(client);
    rig.run().expect("the request is written");
    rig.take_wire();
    rig
}

/// A frame as the peer of `R` sends it.
fn peer_frame<R: Role>(first: u8, payload: &[u8]) -> Vec<u8> {
    // Any fixed key will do; a varying one is no harder for the stage.
    frame(first, payload, R::MASKED.then_some([0x5a, 0x01, 0xc3, 0x7e]))
}

/// Delivers `stream` to a fresh stage of role `R` in chunks ending at `cuts` (ascending), then
/// closes the application's side, and checks on the way that the stage holds no more than it
/// may.
fn deliver<R: Role>(stream: &[u8], cuts: &[usize], max_message: usize) -> Delivery {
    let mut rig = R::fresh(max_message);
    // Memory is counted from the end of the handshake, which keeps the request and its
    // headers: (live bytes, bytes fed) then.
    let mut open_at = None;
    let mut error = None;
    let mut start = 0;
    for &end in cuts.iter().chain([&stream.len()]) {
        let end = end.clamp(start, stream.len());
        if let Err(e) = rig.feed(&stream[start..end]) {
            error = Some(e);
            break;
        }
        start = end;
        if rig.ws.is_open() {
            let (baseline, fed) = *open_at.get_or_insert((ALLOCATOR.allocated(), end));
            check_bounds(&mut rig, end - fed, max_message, baseline);
        }
    }
    if error.is_none() {
        rig.app.upper().wr.close();
        error = rig.run().err();
    }
    let messages = rig.take_messages();
    let mut wire = rig.take_wire();
    let head = match wire.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(at) if wire.starts_with(b"HTTP/") => wire.drain(..at + 4).collect(),
        _ => Vec::new(),
    };
    let (pongs, frames): (Vec<_>, Vec<_>) =
        parse_frames(&wire).into_iter().partition(|f| f.first == FIN | PONG);
    let outcome = Outcome {
        error,
        messages,
        head,
        frames: frames.into_iter().map(|f| (f.first, f.len_code, f.payload)).collect(),
        wire_out: rig.wire_out_state(),
        app_in: rig.app_in_state(),
        peer_close: rig.ws.peer_close().cloned(),
        close_sent: rig.ws.is_close_sent(),
    };
    (outcome, pongs.into_iter().map(|f| f.payload).collect())
}

/// Checks, `fed` bytes of input after the handshake, that the stage took all it could and that
/// memory grew no more than the input and the message limit explain.
fn check_bounds<S: WsStage>(rig: &mut Rig<S>, fed: usize, max_message: usize, baseline: usize) {
    let unread = rig.wire.upper().rd.len();
    assert!(unread <= MAX_UNREAD, "{unread} bytes left unread");
    for message in rig.app.upper().rd.data() {
        assert!(message.data().len() <= max_message, "a message of {} bytes", message.data().len());
    }
    // The buffers grow by doubling and each message costs its `Message` as well as its payload;
    // the slack covers what the test threads waiting for `SERIAL` allocate meanwhile. A stage
    // that believed a frame header's length (up to 2^63) would blow far past this.
    let held = ALLOCATOR.allocated().saturating_sub(baseline);
    let allowed = 16 * fed + 2 * max_message.min(64 << 10) + (16 << 10);
    assert!(held <= allowed, "{held} bytes held after {fed} bytes of input (at most {allowed})");
}

/// Checks that the pongs answer `pings` in order, maybe without some of the oldest of those that
/// arrived together, and always the last.
fn check_pongs(answers: &[Vec<u8>], pings: &[Vec<u8>]) {
    assert_eq!(answers.last(), pings.last(), "the last ping is answered");
    let mut rest = pings.iter();
    for answer in answers {
        assert!(rest.any(|ping| ping == answer), "pong {answer:?} answers no ping in order");
    }
}

/// A valid stream of every kind of frame: fragments with a character cut between them, a
/// ping inside a fragmented message, a 16-bit length, an empty message, a pong, and a Close.
fn valid_stream<R: Role>() -> (Vec<u8>, Vec<Message>, Vec<Vec<u8>>) {
    let mut stream = R::opening();
    let long: Vec<u8> = (0..130).collect();
    for (first, payload) in [
        (FIN | TEXT, &b"hello"[..]),
        (TEXT, b"frag"),
        (FIN | PING, b"p1"),
        (CONT, b"ment\xc3"),
        (FIN | CONT, b"\xa9!"),
        (FIN | BINARY, &long),
        (FIN | PONG, b"beat"),
        (FIN | BINARY, b""),
        (FIN | PING, b"p2"),
        (FIN | CLOSE, &close_payload(1001, b"done")),
    ] {
        stream.extend(peer_frame::<R>(first, payload));
    }
    let messages = vec![
        Message::text("hello"),
        Message::text("fragmenté!"),
        Message::binary(long),
        Message::binary(Vec::new()),
    ];
    (stream, messages, vec![b"p1".to_vec(), b"p2".to_vec()])
}

/// Delivers the valid stream whole, then cut in 2 at every point and in 3 at every pair of
/// points `step` apart, and compares.
fn every_split_gives_the_same_result<R: Role>(step: usize) {
    let _serial = serial();
    let (stream, messages, pings) = valid_stream::<R>();
    let (whole, answers) = deliver::<R>(&stream, &[], usize::MAX);
    assert_eq!(whole.error, None);
    assert_eq!(whole.messages, messages);
    assert_eq!(whole.peer_close, Some(CloseFrame::new(1001, "done")));
    assert_eq!(whole.frames, [(FIN | CLOSE, 6, close_payload(1001, b"done"))]);
    assert!(whole.close_sent);
    assert_eq!((whole.wire_out, whole.app_in), (PBufState::Closing, PBufState::Closing));
    assert_eq!(answers, pings, "every ping gets its pong");

    let len = stream.len();
    for i in 0..=len {
        let (split, answers) = deliver::<R>(&stream, &[i], usize::MAX);
        assert_eq!(split, whole, "split at {i}");
        assert_eq!(answers, pings, "split at {i}");
    }
    for i in (0..=len).step_by(step) {
        for j in (i..=len).step_by(step) {
            let (split, answers) = deliver::<R>(&stream, &[i, j], usize::MAX);
            assert_eq!(split, whole, "split at {i} and {j}");
            assert_eq!(answers, pings, "split at {i} and {j}");
        }
    }
}

#[test]
fn the_server_gives_the_same_result_for_every_split() {
    every_split_gives_the_same_result::<Server>(3);
}

#[test]
fn the_client_gives_the_same_result_for_every_split() {
    every_split_gives_the_same_result::<Client>(3);
}

/// Delivers `stream` cut at `cut`, and takes the messages as they come until no more come.
fn deliver_draining<S: WsStage>(rig: &mut Rig<S>, stream: &[u8], cut: usize) -> Vec<Message> {
    let mut messages = Vec::new();
    for chunk in [&stream[..cut], &stream[cut..]] {
        rig.wire.lower().wr.append(chunk);
        loop {
            rig.run().expect("a valid stream");
            let taken = rig.take_messages();
            if taken.is_empty() {
                break;
            }
            messages.extend(taken);
        }
    }
    messages
}

fn a_full_application_buffer_holds_messages_back<R: Role>() {
    let _serial = serial();
    let (stream, messages, _) = valid_stream::<R>();
    for cut in 0..=stream.len() {
        let mut rig = R::fresh(usize::MAX);
        // Room for one message at a time: the stage must wait for the application.
        rig.app = PipeBufPair::with_fixed_capacities(4, 1);
        assert_eq!(deliver_draining(&mut rig, &stream, cut), messages, "split at {cut}");
        assert_eq!(rig.ws.peer_close(), Some(&CloseFrame::new(1001, "done")));
        assert_eq!(rig.app_in_state(), PBufState::Closing);
    }
}

#[test]
fn the_server_holds_messages_back_while_the_application_is_full() {
    a_full_application_buffer_holds_messages_back::<Server>();
}

#[test]
fn the_client_holds_messages_back_while_the_application_is_full() {
    a_full_application_buffer_holds_messages_back::<Client>();
}

/// Joins the pieces of streamed messages, checking that each message keeps its kind.
fn join(pieces: &[Message]) -> Vec<Message> {
    let mut messages: Vec<Message> = Vec::new();
    let mut open = false;
    for piece in pieces {
        match messages.last_mut() {
            Some(last) if open => {
                assert_eq!(last.kind(), piece.kind(), "a message changed kind");
                last.data_mut().extend_from_slice(piece.data());
            }
            _ => messages.push(Message::new(piece.kind(), piece.data().clone())),
        }
        open = piece.has_more();
    }
    assert!(!open, "the last message is not finished");
    messages
}

fn streamed_pieces_join_to_the_same_messages<R: Role>() {
    let _serial = serial();
    let (stream, messages, _) = valid_stream::<R>();
    for cut in 0..=stream.len() {
        let mut rig = R::fresh_streaming();
        let pieces = deliver_draining(&mut rig, &stream, cut);
        assert_eq!(join(&pieces), messages, "split at {cut}");
        assert_eq!(rig.app_in_state(), PBufState::Closing);
    }
}

#[test]
fn the_server_streams_pieces_that_join_to_the_same_messages_for_every_split() {
    streamed_pieces_join_to_the_same_messages::<Server>();
}

#[test]
fn the_client_streams_pieces_that_join_to_the_same_messages_for_every_split() {
    streamed_pieces_join_to_the_same_messages::<Client>();
}

/// Sends `messages` and a Close from a stage of role `R` whose `lower.wr` holds `room` bytes
/// (unbounded if `None`), taking the bytes off the wire as they come, and gives the frames sent
/// as (first byte, length field, unmasked payload).
fn send_through<R: Role>(messages: &[Message], room: Option<usize>) -> Vec<(u8, u8, Vec<u8>)> {
    let mut rig = R::fresh(usize::MAX);
    rig.feed(&R::opening()).expect("a valid opening");
    rig.take_wire();
    if let Some(room) = room {
        rig.wire = PipeBufPair::with_fixed_capacities(room, 1024);
    }
    rig.app.upper().wr.append(messages);
    rig.app.upper().wr.close();
    let mut bytes = Vec::new();
    loop {
        rig.run().expect("the stage only sends");
        let taken = rig.take_wire();
        if taken.is_empty() {
            break;
        }
        bytes.extend(taken);
    }
    assert_eq!(rig.wire_out_state(), PBufState::Closing);
    parse_frames(&bytes).into_iter().map(|f| (f.first, f.len_code, f.payload)).collect()
}

fn little_room_on_the_wire_gives_the_same_frames<R: Role>() {
    let _serial = serial();
    let messages = [
        Message::binary((0..=255).cycle().take(300).collect::<Vec<u8>>()),
        Message::text("frag").with_more(true),
        Message::ping(b"ping".to_vec()),
        Message::text("mented"),
        Message::binary(Vec::new()),
        Message::pong(vec![9; 125]),
    ];
    let whole = send_through::<R>(&messages, None);
    assert_eq!(whole.len(), messages.len() + 1);
    assert_eq!(whole.last(), Some(&(FIN | CLOSE, 2, close_payload(1000, b""))));
    // A control frame is written whole, so the room must hold the longest one.
    for room in 2 + 4 + 125..2 + 4 + 125 + 40 {
        assert_eq!(send_through::<R>(&messages, Some(room)), whole, "room for {room} bytes");
    }
    // Data frames go out in pieces: room for a 16-bit header, a mask and one byte is enough.
    let data = &messages[..2];
    let whole = send_through::<R>(data, None);
    for room in 4 + 4 + 1..40 {
        assert_eq!(send_through::<R>(data, Some(room)), whole, "room for {room} bytes");
    }
}

#[test]
fn the_server_sends_the_same_frames_through_little_room() {
    little_room_on_the_wire_gives_the_same_frames::<Server>();
}

#[test]
fn the_client_sends_the_same_frames_through_little_room() {
    little_room_on_the_wire_gives_the_same_frames::<Client>();
}

/// One message as the peer sends it: its kind, payload, where its fragments are cut, and a
/// control frame to put after its first fragment.
type MessagePlan = (bool, Vec<u8>, Vec<prop::sample::Index>, Option<(bool, Vec<u8>)>);

fn message_plan() -> impl Strategy<Value = MessagePlan> {
    let payload = prop_oneof![
        "\\PC{0,60}".prop_map(|text| (true, text.into_bytes())),
        prop::collection::vec(any::<u8>(), 0..300).prop_map(|bytes| (false, bytes)),
    ];
    let control = prop::option::of((any::<bool>(), prop::collection::vec(any::<u8>(), 0..=125)));
    (payload, prop::collection::vec(any::<prop::sample::Index>(), 0..3), control)
        .prop_map(|((text, payload), cuts, control)| (text, payload, cuts, control))
}

/// Builds the peer's stream for `plans` and a Close, with the messages and pings it holds.
fn build<R: Role>(
    plans: &[MessagePlan],
    close: (u16, &str),
) -> (Vec<u8>, Vec<Message>, Vec<Vec<u8>>) {
    let (mut stream, mut messages, mut pings) = (R::opening(), Vec::new(), Vec::new());
    for (text, payload, cuts, control) in plans {
        let mut cuts: Vec<usize> = cuts.iter().map(|cut| cut.index(payload.len() + 1)).collect();
        cuts.sort_unstable();
        cuts.push(payload.len());
        let mut start = 0;
        for (n, &end) in cuts.iter().enumerate() {
            let opcode = match (n, text) {
                (0, true) => TEXT,
                (0, false) => BINARY,
                _ => CONT,
            };
            let fin = if n + 1 == cuts.len() { FIN } else { 0 };
            stream.extend(peer_frame::<R>(fin | opcode, &payload[start..end]));
            start = end;
            if let (0, Some((ping, data))) = (n, control) {
                stream.extend(peer_frame::<R>(FIN | if *ping { PING } else { PONG }, data));
                if *ping {
                    pings.push(data.clone());
                }
            }
        }
        let kind = if *text { MessageKind::Text } else { MessageKind::Binary };
        messages.push(Message::new(kind, payload.clone()));
    }
    stream.extend(peer_frame::<R>(FIN | CLOSE, &close_payload(close.0, close.1.as_bytes())));
    (stream, messages, pings)
}

/// Cut points from chunk sizes, repeated until the stream ends.
fn cuts_from(sizes: &[usize], len: usize) -> Vec<usize> {
    let mut cuts = Vec::new();
    let mut at = 0;
    for size in sizes.iter().cycle() {
        at += size;
        if at >= len {
            break;
        }
        cuts.push(at);
    }
    cuts
}

fn random_valid_stream_in_random_chunks<R: Role>(
    plans: &[MessagePlan],
    close: (u16, &str),
    sizes: &[usize],
) {
    let (stream, messages, pings) = build::<R>(plans, close);
    let (whole, answers) = deliver::<R>(&stream, &[], usize::MAX);
    assert_eq!(whole.error, None);
    assert_eq!(whole.messages, messages);
    assert_eq!(whole.peer_close, Some(CloseFrame::new(close.0, close.1)));
    check_pongs(&answers, &pings);
    let (split, answers) = deliver::<R>(&stream, &cuts_from(sizes, stream.len()), usize::MAX);
    assert_eq!(split, whole);
    check_pongs(&answers, &pings);
}

fn close_code() -> impl Strategy<Value = u16> {
    prop_oneof![1000u16..=1003, 1007u16..=1014, 3000u16..=4999]
}

/// Random bytes after the handshake: either noise, or frames whose header fields are drawn
/// at random (reserved bits and opcodes, either mask bit, any length encoding) and whose
/// payload need not match the length they announce.
fn garbage(masked: bool) -> impl Strategy<Value = Vec<u8>> {
    let first = prop_oneof![
        6 => (any::<bool>(), prop::sample::select(vec![CONT, TEXT, BINARY, CLOSE, PING, PONG]))
            .prop_map(|(fin, opcode)| u8::from(fin) << 7 | opcode),
        1 => any::<u8>(),
    ];
    let mask_bit = prop_oneof![8 => Just(masked), 1 => Just(!masked)];
    let length = prop_oneof![
        4 => (0u8..=125).prop_map(|len| vec![len]),
        1 => any::<u16>().prop_map(|len| [&[LEN_16][..], &len.to_be_bytes()].concat()),
        1 => any::<u64>().prop_map(|len| [&[LEN_64][..], &len.to_be_bytes()].concat()),
        1 => (0u64..1 << 20).prop_map(|len| [&[LEN_64][..], &len.to_be_bytes()].concat()),
    ];
    let payload = prop::collection::vec(any::<u8>(), 0..160);
    let frame = (first, mask_bit, length, payload).prop_map(|(first, mask, length, payload)| {
        let mut bytes = vec![first, length[0] | if mask { MASKED } else { 0 }];
        bytes.extend_from_slice(&length[1..]);
        if mask {
            bytes.extend_from_slice(&[1, 2, 3, 4]);
        }
        bytes.extend(payload);
        bytes
    });
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..400),
        3 => prop::collection::vec(frame, 0..10).prop_map(|frames| frames.concat()),
    ]
}

fn garbage_never_panics_and_stays_bounded<R: Role>(
    bytes: &[u8],
    sizes: &[usize],
    max_message: usize,
) {
    let mut stream = R::opening();
    let opening = stream.len();
    stream.extend_from_slice(bytes);
    // Whatever happens, `deliver` ends with an error or a stage that settled (waiting).
    let (whole, _) = deliver::<R>(&stream, &[opening], max_message);
    let mut cuts = vec![opening];
    cuts.extend(cuts_from(sizes, bytes.len()).into_iter().map(|cut| opening + cut));
    let (split, _) = deliver::<R>(&stream, &cuts, max_message);
    assert_eq!(split, whole);
    if let Some(error) = &whole.error {
        assert!(error.close_code().is_some(), "{error:?}");
        assert_eq!(whole.app_in, PBufState::Aborting);
    }

    // When the transport ends after the garbage, the application hears of it, whatever the
    // garbage ended inside.
    let mut rig = R::fresh(max_message);
    rig.wire.lower().wr.append(&stream);
    rig.wire.lower().wr.close();
    if rig.run().is_ok() {
        assert!(rig.app_in_state().is_eof(), "{:?}", rig.app_in_state());
        assert_eq!(rig.wire.upper().rd.len(), 0, "bytes left after the end");
    }
}

// Each test holds `SERIAL` while proptest makes its inputs too: the allocations of another
// test's input generation would count against the memory bound.

#[test]
fn the_server_gives_the_same_result_for_random_chunks() {
    let _serial = serial();
    proptest!(ProptestConfig::with_cases(64), |(
        plans in prop::collection::vec(message_plan(), 0..8),
        code in close_code(),
        reason in "\\PC{0,20}",
        sizes in prop::collection::vec(1usize..48, 1..8),
    )| {
        random_valid_stream_in_random_chunks::<Server>(&plans, (code, &reason), &sizes);
    });
}

#[test]
fn the_client_gives_the_same_result_for_random_chunks() {
    let _serial = serial();
    proptest!(ProptestConfig::with_cases(64), |(
        plans in prop::collection::vec(message_plan(), 0..8),
        code in close_code(),
        reason in "\\PC{0,20}",
        sizes in prop::collection::vec(1usize..48, 1..8),
    )| {
        random_valid_stream_in_random_chunks::<Client>(&plans, (code, &reason), &sizes);
    });
}

#[test]
fn garbage_to_the_server_never_panics_and_stays_bounded() {
    let _serial = serial();
    proptest!(ProptestConfig::with_cases(64), |(
        bytes in garbage(true),
        sizes in prop::collection::vec(1usize..32, 1..8),
        max_message in prop_oneof![Just(512usize), Just(1 << 30)],
    )| {
        garbage_never_panics_and_stays_bounded::<Server>(&bytes, &sizes, max_message);
    });
}

#[test]
fn garbage_to_the_client_never_panics_and_stays_bounded() {
    let _serial = serial();
    proptest!(ProptestConfig::with_cases(64), |(
        bytes in garbage(false),
        sizes in prop::collection::vec(1usize..32, 1..8),
        max_message in prop_oneof![Just(512usize), Just(1 << 30)],
    )| {
        garbage_never_panics_and_stays_bounded::<Client>(&bytes, &sizes, max_message);
    });
}
