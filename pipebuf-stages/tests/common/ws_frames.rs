//! What the WebSocket stage tests share: raw frames built byte by byte for either role, a parser
//! of the frames a stage writes, and a rig that drives a `WebsocketServer` or a `WebsocketClient` by hand over
//! two `PipeBufPair`s.
//!
//! A test crate that includes this file also includes `common/rng.rs` as `mod rng`.

// Each test file is a crate of its own and uses only some of these helpers.
#![allow(dead_code, reason = "each test crate uses a different part of the helpers")]

use pipebuf::{PBufRdWr, PBufState, PipeBufPair, Stage};

pub(crate) use crate::rng::XorShift;
use pipebuf_stages::websocket::{
    ClientRequest, CloseFrame, Message, WebsocketClient, WebsocketClientPorts, WebsocketError,
    WebsocketServer, WebsocketServerPorts, accept_key,
};

/// The FIN bit of a frame's first byte.
pub(crate) const FIN: u8 = 0x80;
/// The opcodes of RFC 6455, section 5.2.
pub(crate) const CONT: u8 = 0x0;
pub(crate) const TEXT: u8 = 0x1;
pub(crate) const BINARY: u8 = 0x2;
pub(crate) const CLOSE: u8 = 0x8;
pub(crate) const PING: u8 = 0x9;
pub(crate) const PONG: u8 = 0xA;

/// The mask bit of a frame's second byte.
pub(crate) const MASKED: u8 = 0x80;
/// The 7-bit lengths that announce a 16-bit and a 64-bit length.
pub(crate) const LEN_16: u8 = 126;
pub(crate) const LEN_64: u8 = 127;

/// The masking key of the frames the tests send as a client (RFC 6455, section 5.7).
pub(crate) const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// A valid upgrade request, with the key of RFC 6455, section 1.3.
pub(crate) const UPGRADE: &[u8] = b"GET /chat HTTP/1.1\r\nHost: example.com\r\n\
    Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    Sec-WebSocket-Version: 13\r\n\r\n";

/// Builds a frame whose first byte is `first` (FIN, RSV and opcode), with the length in its
/// shortest form, masked with `mask` if given.
pub(crate) fn frame(first: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mask_bit = if mask.is_some() { MASKED } else { 0 };
    let mut out = vec![first];
    match payload.len() {
        len @ 0..=125 => out.push(mask_bit | u8::try_from(len).unwrap()),
        len @ 126..=0xFFFF => {
            out.push(mask_bit | LEN_16);
            out.extend_from_slice(&u16::try_from(len).unwrap().to_be_bytes());
        }
        len => {
            out.push(mask_bit | LEN_64);
            out.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    let start = out.len() + if mask.is_some() { 4 } else { 0 };
    if let Some(key) = mask {
        out.extend_from_slice(&key);
    }
    out.extend_from_slice(payload);
    if let Some(key) = mask {
        unmask(key, &mut out[start..]);
    }
    out
}

/// A frame as a client sends it: masked with [`KEY`].
pub(crate) fn client_frame(first: u8, payload: &[u8]) -> Vec<u8> {
    frame(first, payload, Some(KEY))
}

/// A frame as a server sends it: unmasked.
pub(crate) fn server_frame(first: u8, payload: &[u8]) -> Vec<u8> {
    frame(first, payload, None)
}

/// The payload of a Close frame with `code` and `reason`.
pub(crate) fn close_payload(code: u16, reason: &[u8]) -> Vec<u8> {
    let mut payload = code.to_be_bytes().to_vec();
    payload.extend_from_slice(reason);
    payload
}

/// Masks or unmasks `bytes`, which start at the beginning of a payload.
pub(crate) fn unmask(key: [u8; 4], bytes: &mut [u8]) {
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte ^= key[i % 4];
    }
}

/// One frame as a stage wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Frame {
    /// FIN, RSV and opcode.
    pub(crate) first: u8,
    /// The 7-bit length field (126 and 127 announce a longer length).
    pub(crate) len_code: u8,
    /// The length of the header, in bytes.
    pub(crate) header_len: usize,
    pub(crate) mask: Option<[u8; 4]>,
    /// The payload, unmasked.
    pub(crate) payload: Vec<u8>,
}

impl Frame {
    pub(crate) fn opcode(&self) -> u8 {
        self.first & 0x0F
    }

    /// The close code of a Close frame, if it has one.
    pub(crate) fn close_code(&self) -> Option<u16> {
        match self.payload.as_slice() {
            [a, b, ..] if self.opcode() == CLOSE => Some(u16::from_be_bytes([*a, *b])),
            _ => None,
        }
    }
}

/// Parses the whole of `bytes` as frames.
///
/// # Panics
///
/// Panics if `bytes` ends inside a frame: a stage must never leave half a frame behind.
pub(crate) fn parse_frames(mut bytes: &[u8]) -> Vec<Frame> {
    let mut frames = Vec::new();
    while !bytes.is_empty() {
        let (first, len_code) = (bytes[0], bytes[1] & 0x7F);
        let masked = bytes[1] & 0x80 != 0;
        let (len, mut at) = match len_code {
            126 => (u64::from(u16::from_be_bytes([bytes[2], bytes[3]])), 4),
            127 => (u64::from_be_bytes(bytes[2..10].try_into().unwrap()), 10),
            short => (u64::from(short), 2),
        };
        let mask = masked.then(|| <[u8; 4]>::try_from(&bytes[at..at + 4]).unwrap());
        at += if masked { 4 } else { 0 };
        let end = at + usize::try_from(len).unwrap();
        let mut payload = bytes[at..end].to_vec();
        if let Some(key) = mask {
            unmask(key, &mut payload);
        }
        frames.push(Frame { first, len_code, header_len: at, mask, payload });
        bytes = &bytes[end..];
    }
    frames
}

/// The `101` answer to a client's upgrade request, with the accept key its key asks for.
pub(crate) fn accept_response(request: &[u8]) -> Vec<u8> {
    let request = core::str::from_utf8(request).unwrap();
    let key = request
        .lines()
        .find_map(|line| line.strip_prefix("Sec-WebSocket-Key: "))
        .expect("the request has a key");
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n\r\n",
        accept_key(key)
    )
    .into_bytes()
}

/// A WebSocket stage of either role, as the rig drives it.
pub(crate) trait WsStage {
    /// Calls `process` once.
    fn step(
        &mut self,
        lower: PBufRdWr<'_>,
        upper: PBufRdWr<'_, Message>,
    ) -> Result<bool, WebsocketError>;

    /// Whether the handshake is done.
    fn is_open(&self) -> bool;

    /// The peer's Close frame, once it has arrived.
    fn peer_close(&self) -> Option<&CloseFrame>;

    /// Whether the stage has sent its Close frame.
    fn is_close_sent(&self) -> bool;
}

impl WsStage for WebsocketServer {
    fn step(
        &mut self,
        lower: PBufRdWr<'_>,
        upper: PBufRdWr<'_, Message>,
    ) -> Result<bool, WebsocketError> {
        self.process(WebsocketServerPorts { lower, upper })
    }

    fn is_open(&self) -> bool {
        WebsocketServer::is_open(self)
    }

    fn peer_close(&self) -> Option<&CloseFrame> {
        WebsocketServer::peer_close(self)
    }

    fn is_close_sent(&self) -> bool {
        WebsocketServer::is_close_sent(self)
    }
}

impl WsStage for WebsocketClient<XorShift> {
    fn step(
        &mut self,
        lower: PBufRdWr<'_>,
        upper: PBufRdWr<'_, Message>,
    ) -> Result<bool, WebsocketError> {
        self.process(WebsocketClientPorts { lower, upper })
    }

    fn is_open(&self) -> bool {
        WebsocketClient::<XorShift>::is_open(self)
    }

    fn peer_close(&self) -> Option<&CloseFrame> {
        WebsocketClient::<XorShift>::peer_close(self)
    }

    fn is_close_sent(&self) -> bool {
        WebsocketClient::<XorShift>::is_close_sent(self)
    }
}

/// A stage between a wire (its peer's end is `wire.lower()`) and an application (whose end is
/// `app.upper()`).
pub(crate) struct Rig<S> {
    pub(crate) ws: S,
    pub(crate) wire: PipeBufPair,
    pub(crate) app: PipeBufPair<Message>,
}

impl<S: WsStage> Rig<S> {
    pub(crate) fn new(ws: S) -> Self {
        Self { ws, wire: PipeBufPair::new(), app: PipeBufPair::new() }
    }

    /// Runs the stage until it reports no activity, or fails.
    ///
    /// # Panics
    ///
    /// Panics if the stage reports activity forever.
    pub(crate) fn run(&mut self) -> Result<(), WebsocketError> {
        for _ in 0..10_000 {
            if !self.ws.step(self.wire.upper(), self.app.lower())? {
                return Ok(());
            }
        }
        panic!("the stage never settles");
    }

    /// Delivers `bytes` from the peer, then runs the stage.
    pub(crate) fn feed(&mut self, bytes: &[u8]) -> Result<(), WebsocketError> {
        self.wire.lower().wr.append(bytes);
        self.run()
    }

    /// Takes all the bytes the stage has written towards the peer.
    pub(crate) fn take_wire(&mut self) -> Vec<u8> {
        let mut lower = self.wire.lower();
        let bytes = lower.rd.data().to_vec();
        lower.rd.consume(bytes.len());
        bytes
    }

    /// Takes all the messages the stage has handed to the application.
    pub(crate) fn take_messages(&mut self) -> Vec<Message> {
        let mut upper = self.app.upper();
        let messages = upper.rd.data().to_vec();
        upper.rd.consume(messages.len());
        messages
    }

    /// The state of the stage's `lower.wr` (towards the peer).
    pub(crate) fn wire_out_state(&self) -> PBufState {
        self.wire.down.state()
    }

    /// The state of the stage's `upper.wr` (towards the application).
    pub(crate) fn app_in_state(&self) -> PBufState {
        self.app.up.state()
    }
}

/// A server that has accepted [`UPGRADE`] and whose `101` answer is taken off the wire.
pub(crate) fn open_server(server: WebsocketServer) -> Rig<WebsocketServer> {
    let mut rig = Rig::new(server);
    rig.feed(UPGRADE).expect("a valid upgrade request");
    let answer = rig.take_wire();
    assert!(answer.starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
    assert!(rig.ws.is_open());
    rig
}

/// A client with masking keys from `XorShift(seed)`, whose request is answered with a valid
/// `101` and taken off the wire.
pub(crate) fn open_client(seed: u64) -> Rig<WebsocketClient<XorShift>> {
    let mut rig =
        Rig::new(WebsocketClient::new(ClientRequest::new("example.com", "/chat"), XorShift(seed)));
    rig.run().expect("the request is written");
    let request = rig.take_wire();
    rig.feed(&accept_response(&request)).expect("a valid answer");
    assert!(rig.ws.is_open());
    rig
}
