//! The server stage: the opening handshake parsed from the byte stream, then messages.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use pipebuf::{PBufRdWr, Stage, tripwire};

use super::conn::{CloseFrame, Conn, Options, Role, conn_methods};
use super::{HandshakeError, Message, Parsed, UpgradeRequest, WebsocketError, WriteError};
use super::{parse_request, write_accept, write_rejection};

/// The default limit on the length of the upgrade request's head: 8 KiB.
pub const DEFAULT_MAX_HEAD: usize = 8 << 10;

/// What decides on an upgrade request: the subprotocol to choose (`Ok`), or the HTTP status to
/// refuse it with (`Err`, 400 to 599).
type Decide = dyn FnMut(&UpgradeRequest) -> Result<Option<String>, u16> + Send;

/// Where the server is in the life of its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Handshake,
    Open,
    /// The first bytes are not a WebSocket upgrade, and were left for another protocol.
    Declined,
    /// The handshake failed.
    Done,
}

/// A WebSocket server (RFC 6455) over a byte stream, with whole messages on its upper side.
///
/// Ports: `lower` (`PBufRdWr`: the bytes to and from the client, under TLS or straight over
/// TCP) and `upper` (`PBufRdWr<Message>`: the application's messages). It reads the HTTP
/// upgrade request from `lower.rd`, answers `101 Switching Protocols` or an error status, and
/// then carries messages. It checks everything the client sends as strictly as RFC 6455 asks,
/// and fails the connection with the right close code when a frame breaks it.
///
/// | from the client (`lower.rd`) | to the application (`upper.wr`) |
/// | --- | --- |
/// | a valid upgrade request | nothing yet; `101` on `lower.wr`, [`request`](Self::request) readable |
/// | an invalid upgrade request | nothing; the 4xx status on `lower.wr`, which closes; [`WebsocketError::Handshake`] |
/// | bytes that are not an upgrade request | left unread if [`with_other_protocols`](Self::with_other_protocols), [`is_declined`](Self::is_declined) true; else 426 and [`WebsocketError::Handshake`] |
/// | a text or binary message, whole (or in pieces when streaming) | one [`Message`] |
/// | a ping | nothing; a pong with the same payload on `lower.wr` (to each of the latest 16, if more wait) |
/// | a pong | nothing, or a pong message with [`with_pongs`](Self::with_pongs) |
/// | a Close frame | close, after the messages before it; [`peer_close`](Self::peer_close) readable |
/// | the end of the stream (close or abort) before a Close frame | abort |
/// | a frame that breaks the protocol, bad UTF-8 in text, a message over the limit | abort, and a Close frame with 1002, 1007 or 1009 on `lower.wr`, which closes; the [`WebsocketError`] |
///
/// | from the application (`upper.rd`) | to the client (`lower.wr`) |
/// | --- | --- |
/// | a message (pieces with `more` set become the frames of one message) | one frame each, the length in its shortest form |
/// | a ping or pong | a control frame, between the frames of a long message if need be |
/// | push | push |
/// | close | a Close frame (the code of [`set_close`](Self::set_close), or the client's, or 1000), then close |
/// | abort | abort (no Close frame) |
///
/// Backpressure: the stage reads no new message from `lower.rd` while `upper.wr` is full, or
/// while the messages waiting on its `upper` side (received and not yet taken, or queued and not
/// yet framed) weigh more than [`with_max_backlog`](Self::with_max_backlog) allows; the client's
/// bytes then wait in the links and the socket, and nothing already accepted is lost.
///
/// # Examples
///
/// A client's upgrade request and a masked text frame ("Hello", RFC 6455, section 5.7) arrive
/// together:
///
/// ```
/// use pipebuf::{PipeBufPair, Stage};
/// use pipebuf_stages::websocket::{Message, WebsocketServer, WebsocketServerPorts};
///
/// let (mut wire, mut app) = (PipeBufPair::new(), PipeBufPair::new());
/// wire.lower().wr.append(b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
///     Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
///     Sec-WebSocket-Version: 13\r\n\r\n");
/// wire.lower().wr.append(&[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
///
/// let mut server = WebsocketServer::new();
/// server.process(WebsocketServerPorts { lower: wire.upper(), upper: app.lower() })?;
/// assert_eq!(server.request().map(|r| r.path()), Some("/chat"));
/// assert!(wire.lower().rd.data().starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
/// assert_eq!(app.upper().rd.data(), [Message::text("Hello")]);
/// # Ok::<(), pipebuf_stages::websocket::WebsocketError>(())
/// ```
#[derive(Stage)]
#[stage(ports(lower: PBufRdWr, upper: PBufRdWr<Message>), error = WebsocketError)]
pub struct WebsocketServer {
    state: State,
    conn: Conn,
    max_head: usize,
    other_protocols: bool,
    protocols: Vec<String>,
    decide: Option<Box<Decide>>,
    request: Option<UpgradeRequest>,
    protocol: Option<String>,
}

impl WebsocketServer {
    /// Creates the stage with the default limits: request heads up to [`DEFAULT_MAX_HEAD`],
    /// messages up to [`DEFAULT_MAX_MESSAGE`](super::DEFAULT_MAX_MESSAGE) bytes.
    #[must_use]
    pub fn new() -> Self {
        Self {
            state: State::Handshake,
            conn: Conn::new(Options::default(), Role::Server),
            max_head: DEFAULT_MAX_HEAD,
            other_protocols: false,
            protocols: Vec::new(),
            decide: None,
            request: None,
            protocol: None,
        }
    }

    /// Sets the longest upgrade request head accepted; a longer one is answered with 431.
    #[must_use]
    pub fn with_max_head(mut self, max_head: usize) -> Self {
        self.max_head = max_head;
        self
    }

    /// Sets the subprotocols the server speaks, in its order of preference: the first of them
    /// that the client offers is chosen.
    #[must_use]
    pub fn with_protocols<P: Into<String>>(
        mut self,
        protocols: impl IntoIterator<Item = P>,
    ) -> Self {
        self.protocols = protocols.into_iter().map(Into::into).collect();
        self
    }

    /// Lets `decide` look at each upgrade request (path, headers, cookies, offered
    /// subprotocols) and answer with the subprotocol to choose, or with the HTTP status (400 to
    /// 599) to refuse it with. It replaces [`with_protocols`](Self::with_protocols).
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_stages::websocket::WebsocketServer;
    ///
    /// let server = WebsocketServer::new().with_decide(|request| {
    ///     if request.header("authorization").is_none() {
    ///         return Err(401);
    ///     }
    ///     Ok(request.protocols().iter().find(|p| *p == "chat").cloned())
    /// });
    /// # let _ = server;
    /// ```
    #[must_use]
    pub fn with_decide(
        mut self,
        decide: impl FnMut(&UpgradeRequest) -> Result<Option<String>, u16> + Send + 'static,
    ) -> Self {
        self.decide = Some(Box::new(decide));
        self
    }

    /// Leaves bytes that are not a WebSocket upgrade request unread, for another protocol to
    /// take from the link, instead of answering 426.
    #[must_use]
    pub fn with_other_protocols(mut self, other_protocols: bool) -> Self {
        self.other_protocols = other_protocols;
        self
    }

    /// The client's upgrade request, once it is accepted.
    #[must_use]
    pub fn request(&self) -> Option<&UpgradeRequest> {
        self.request.as_ref()
    }

    /// Takes the client's upgrade request out of the stage, so that an idle connection does not
    /// keep its headers; [`request`](Self::request) gives `None` afterwards.
    pub fn take_request(&mut self) -> Option<UpgradeRequest> {
        self.request.take()
    }

    /// The chosen subprotocol, if any.
    #[must_use]
    pub fn protocol(&self) -> Option<&str> {
        self.protocol.as_deref()
    }

    /// Whether the handshake is done and messages flow.
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.state == State::Open
    }

    /// Whether the first bytes were not a WebSocket upgrade request and were left unread for
    /// another protocol (see [`with_other_protocols`](Self::with_other_protocols)).
    #[must_use]
    pub fn is_declined(&self) -> bool {
        self.state == State::Declined
    }

    conn_methods!("server", "client");

    /// Moves what it can; the derived [`Stage`] impl calls this.
    fn process(&mut self, mut p: WebsocketServerPorts<'_>) -> Result<bool, WebsocketError> {
        let before = tripwire!(p.lower.rd, p.lower.wr, p.upper.rd, p.upper.wr);
        if self.state == State::Handshake {
            self.handshake(&mut p.lower, &mut p.upper)?;
        }
        if self.state == State::Open {
            self.conn.process(&mut p.lower, &mut p.upper, &mut || None)?;
        }
        Ok(before != tripwire!(p.lower.rd, p.lower.wr, p.upper.rd, p.upper.wr))
    }

    /// Reads the upgrade request and answers it, once all of it is there.
    fn handshake(
        &mut self,
        lower: &mut PBufRdWr<'_>,
        upper: &mut PBufRdWr<'_, Message>,
    ) -> Result<(), WebsocketError> {
        let (request, len) = match parse_request(lower.rd.data(), self.max_head) {
            Ok(Parsed::Incomplete) if lower.rd.is_eof() => {
                self.state = State::Done;
                lower.wr.close();
                upper.wr.abort();
                return Err(WebsocketError::HandshakeCut);
            }
            Ok(Parsed::Incomplete) => return Ok(()),
            Ok(Parsed::NotWebSocket) if self.other_protocols => {
                self.state = State::Declined;
                return Ok(());
            }
            Ok(Parsed::NotWebSocket) => {
                return self.refuse(lower, upper, HandshakeError::NotWebSocket);
            }
            Err(error) => return self.refuse(lower, upper, error),
            Ok(Parsed::Upgrade { request, len }) => (request, len),
        };
        let protocol = match &mut self.decide {
            Some(decide) => match decide(&request) {
                Ok(protocol) => protocol,
                Err(status) => return self.refuse(lower, upper, HandshakeError::Refused(status)),
            },
            None => self.protocols.iter().find(|p| request.protocols().contains(p)).cloned(),
        };
        match write_accept(&mut lower.wr, &request, protocol.as_deref()) {
            Ok(_) => {}
            Err(WriteError::NoSpace { .. }) => return Ok(()),
            Err(_) => return self.refuse(lower, upper, HandshakeError::Refused(500)),
        }
        lower.wr.push();
        lower.rd.consume(len);
        self.request = Some(request);
        self.protocol = protocol;
        self.state = State::Open;
        Ok(())
    }

    /// Answers with the status for `error` and closes.
    fn refuse(
        &mut self,
        lower: &mut PBufRdWr<'_>,
        upper: &mut PBufRdWr<'_, Message>,
        error: HandshakeError,
    ) -> Result<(), WebsocketError> {
        self.state = State::Done;
        if write_rejection(&mut lower.wr, &error).is_ok() {
            lower.wr.close();
        } else {
            lower.wr.abort();
        }
        upper.wr.abort();
        Err(WebsocketError::Handshake(error))
    }
}

impl Default for WebsocketServer {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for WebsocketServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebsocketServer")
            .field("state", &self.state)
            .field("conn", &self.conn)
            .field("max_head", &self.max_head)
            .field("protocols", &self.protocols)
            .field("request", &self.request)
            .field("protocol", &self.protocol)
            .finish_non_exhaustive()
    }
}
