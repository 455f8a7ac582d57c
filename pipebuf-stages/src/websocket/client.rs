//! The client stage: the upgrade request written, the answer checked, then masked messages.

use alloc::string::String;
use alloc::vec::Vec;

use pipebuf::{PBufRdWr, Stage, tripwire};
use rand_core::RngCore;

use super::conn::{CloseFrame, Conn, Options, Role, conn_methods};
use super::server::DEFAULT_MAX_HEAD;
use super::{
    ClientRequest, Message, Response, WebsocketError, WriteError, parse_response, write_request,
};

/// Where the client is in the life of its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Request,
    Response,
    Open,
    Done,
}

/// A WebSocket client (RFC 6455) over a byte stream, with whole messages on its upper side.
///
/// Ports: `lower` (`PBufRdWr`: the bytes to and from the server) and `upper`
/// (`PBufRdWr<Message>`: the application's messages). It writes the upgrade request of its
/// [`ClientRequest`] with a fresh key, checks the server's `101` answer and its
/// `Sec-WebSocket-Accept`, and then carries messages, each frame masked with a new key drawn
/// from `R`. Messages the application writes before the handshake is done wait in `upper.rd`.
///
/// The masking keys MUST be unpredictable to the application's scripts and to the network
/// (RFC 6455, section 10.3): use a cryptographic generator such as `rand::rngs::StdRng`, seeded
/// from the operating system.
///
/// Frames and their end map to pipe states as for [`WebsocketServer`](super::WebsocketServer), with roles
/// swapped: the server's frames must not be masked, and a server's answer other than a valid
/// `101` is a [`WebsocketError::Response`] (with `upper.wr` aborted and `lower.wr` closed).
///
/// # Examples
///
/// ```
/// use pipebuf::{PipeBufPair, Stage};
/// use pipebuf_stages::websocket::{ClientRequest, Message, WebsocketClient, WebsocketClientPorts};
/// # struct Counter(u64);
/// # impl rand_core::RngCore for Counter {
/// #     fn next_u32(&mut self) -> u32 { self.next_u64() as u32 }
/// #     fn next_u64(&mut self) -> u64 { self.0 += 1; self.0 }
/// #     fn fill_bytes(&mut self, dst: &mut [u8]) { dst.fill(7) }
/// # }
///
/// let (mut wire, mut app) = (PipeBufPair::new(), PipeBufPair::new());
/// let mut client = WebsocketClient::new(ClientRequest::new("example.com", "/chat"), Counter(0));
/// app.lower().wr.append(&[Message::text("Hello")]);
///
/// client.process(WebsocketClientPorts { lower: wire.upper(), upper: app.lower() })?;
/// assert!(wire.lower().rd.data().starts_with(b"GET /chat HTTP/1.1\r\n"));
/// assert!(!client.is_open()); // the message waits for the server's answer
/// # Ok::<(), pipebuf_stages::websocket::WebsocketError>(())
/// ```
#[derive(Stage, Debug)]
#[stage(ports(lower: PBufRdWr, upper: PBufRdWr<Message>), error = WebsocketError)]
pub struct WebsocketClient<R: RngCore> {
    state: State,
    conn: Conn,
    request: ClientRequest,
    key: [u8; 16],
    rng: R,
    max_head: usize,
    protocol: Option<String>,
    headers: Vec<(String, Vec<u8>)>,
}

impl<R: RngCore> WebsocketClient<R> {
    /// Creates the stage, which will send `request` and draw its keys from `rng`.
    #[must_use]
    pub fn new(request: ClientRequest, rng: R) -> Self {
        Self {
            state: State::Request,
            conn: Conn::new(Options::default(), Role::Client),
            request,
            key: [0; 16],
            rng,
            max_head: DEFAULT_MAX_HEAD,
            protocol: None,
            headers: Vec::new(),
        }
    }

    /// Sets the longest answer head accepted from the server.
    #[must_use]
    pub fn with_max_head(mut self, max_head: usize) -> Self {
        self.max_head = max_head;
        self
    }

    /// The request this client sends.
    #[must_use]
    pub fn request(&self) -> &ClientRequest {
        &self.request
    }

    /// The subprotocol the server chose, once the handshake is done.
    #[must_use]
    pub fn protocol(&self) -> Option<&str> {
        self.protocol.as_deref()
    }

    /// The headers of the server's `101` answer, once it has arrived.
    #[must_use]
    pub fn response_headers(&self) -> &[(String, Vec<u8>)] {
        &self.headers
    }

    /// Whether the handshake is done and messages flow.
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.state == State::Open
    }

    conn_methods!("client", "server");

    /// Moves what it can; the derived [`Stage`] impl calls this.
    fn process(&mut self, mut p: WebsocketClientPorts<'_>) -> Result<bool, WebsocketError> {
        let before = tripwire!(p.lower.rd, p.lower.wr, p.upper.rd, p.upper.wr);
        if self.state == State::Request {
            self.rng.fill_bytes(&mut self.key);
            match write_request(&mut p.lower.wr, &self.request, &self.key) {
                Ok(_) => {
                    p.lower.wr.push();
                    self.state = State::Response;
                }
                Err(WriteError::NoSpace { .. }) => {}
                Err(error) => {
                    return Err(self.stop(
                        &mut p.lower,
                        &mut p.upper,
                        WebsocketError::Request(error),
                    ));
                }
            }
        }
        if self.state == State::Response {
            self.read_response(&mut p.lower, &mut p.upper)?;
        }
        if self.state == State::Open {
            let rng = &mut self.rng;
            self.conn
                .process(&mut p.lower, &mut p.upper, &mut || Some(rng.next_u32().to_ne_bytes()))?;
        }
        Ok(before != tripwire!(p.lower.rd, p.lower.wr, p.upper.rd, p.upper.wr))
    }

    /// Reads and checks the server's answer, once all of it is there.
    fn read_response(
        &mut self,
        lower: &mut PBufRdWr<'_>,
        upper: &mut PBufRdWr<'_, Message>,
    ) -> Result<(), WebsocketError> {
        match parse_response(lower.rd.data(), &self.request, &self.key, self.max_head) {
            Ok(Response::Incomplete) if lower.rd.is_eof() => {
                Err(self.stop(lower, upper, WebsocketError::HandshakeCut))
            }
            Ok(Response::Incomplete) => Ok(()),
            Ok(Response::Accepted { protocol, headers, len }) => {
                lower.rd.consume(len);
                self.protocol = protocol;
                self.headers = headers;
                self.state = State::Open;
                Ok(())
            }
            Err(error) => Err(self.stop(lower, upper, WebsocketError::Response(error))),
        }
    }

    /// Ends both outputs before the connection was open, and gives back `error`.
    fn stop(
        &mut self,
        lower: &mut PBufRdWr<'_>,
        upper: &mut PBufRdWr<'_, Message>,
        error: WebsocketError,
    ) -> WebsocketError {
        self.state = State::Done;
        lower.wr.close();
        upper.wr.abort();
        error
    }
}
