//! The server side of the WebSocket opening handshake (RFC 6455, section 4.2), without I/O.
//!
//! [`parse_request`] reads the head of an HTTP request from the bytes received so far and says
//! whether it needs more, whether the bytes are something other than a WebSocket upgrade (for the
//! caller to hand, unconsumed, to another protocol), or whether they hold a valid upgrade
//! request. [`write_accept`] then writes the `101 Switching Protocols` answer, and
//! [`write_rejection`] the `4xx` answer to a [`HandshakeError`].

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use pipebuf::PBufWr;
use sha1::{Digest as _, Sha1};

use super::RequestField;

/// The GUID that RFC 6455 (section 1.3) appends to the key before hashing it.
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The only WebSocket protocol version there is (RFC 6455, section 4.1).
pub const WEBSOCKET_VERSION: u8 = 13;

/// What [`parse_request`] found in the bytes received so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// The head of the request is not complete yet: call again when more bytes arrive.
    Incomplete,
    /// The bytes are a complete HTTP request that does not ask to upgrade to WebSocket (no
    /// `Upgrade` header, or an upgrade to another protocol such as `h2c`), or not HTTP at all.
    /// The caller SHOULD leave them unconsumed, for another protocol to read.
    NotWebSocket,
    /// A valid WebSocket upgrade request.
    Upgrade {
        /// What the request says.
        request: UpgradeRequest,
        /// The length of the request's head in bytes, which the caller MUST consume; the bytes
        /// after it are the first WebSocket frames.
        len: usize,
    },
}

/// A valid WebSocket upgrade request, as [`parse_request`] returns it.
///
/// Its method is `GET`, its HTTP version 1.1 or later, it holds `Upgrade: websocket`,
/// `Connection: upgrade`, a `Host`, exactly one `Sec-WebSocket-Key` that decodes to 16 bytes,
/// and `Sec-WebSocket-Version: 13`: any other request is a [`HandshakeError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpgradeRequest {
    path: String,
    http_minor: u8,
    host: String,
    origin: Option<String>,
    key: String,
    protocols: Vec<String>,
    extensions: Vec<String>,
    headers: Vec<(String, Vec<u8>)>,
}

impl UpgradeRequest {
    /// Returns the method, which is always `GET` (RFC 6455, section 4.2.1, item 1).
    #[must_use]
    pub fn method(&self) -> &'static str {
        "GET"
    }

    /// Returns the request target, such as `/chat?room=1`.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Returns the minor HTTP version: 1 for HTTP/1.1.
    #[must_use]
    pub fn http_minor_version(&self) -> u8 {
        self.http_minor
    }

    /// Returns the value of the `Host` header.
    #[must_use]
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Returns the value of the `Origin` header, sent by browsers.
    ///
    /// A server that browsers reach SHOULD check it against the origins it trusts.
    #[must_use]
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// Returns the value of the `Sec-WebSocket-Key` header, as sent (trimmed).
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Returns the WebSocket version asked for, which is always 13.
    #[must_use]
    pub fn version(&self) -> u8 {
        WEBSOCKET_VERSION
    }

    /// Returns the subprotocols the client offers in `Sec-WebSocket-Protocol`, in its order of
    /// preference, trimmed, from every such header.
    #[must_use]
    pub fn protocols(&self) -> &[String] {
        &self.protocols
    }

    /// Returns the extensions the client offers in `Sec-WebSocket-Extensions`, one entry per
    /// comma-separated item, trimmed, parameters included (`permessage-deflate;
    /// client_max_window_bits`).
    #[must_use]
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }

    /// Returns every header as a (name, value) pair, in the order received.
    #[must_use]
    pub fn headers(&self) -> &[(String, Vec<u8>)] {
        &self.headers
    }

    /// Returns the value of the first header named `name` (case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_slice())
    }

    /// Returns the value of `Sec-WebSocket-Accept` for this request: see [`accept_key`].
    #[must_use]
    pub fn accept_key(&self) -> String {
        accept_key(&self.key)
    }
}

/// Why a request to upgrade to WebSocket is refused.
///
/// [`status`](Self::status) gives the HTTP status to answer with, and [`write_rejection`] writes
/// that answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The head is longer than the maximum and not complete yet (431).
    HeadTooLong,
    /// The method is not `GET` (405).
    Method,
    /// The HTTP version is older than 1.1 (400).
    HttpVersion,
    /// The `Connection` header is missing or does not name `upgrade` (400).
    Connection,
    /// The `Host` header is missing (400).
    MissingHost,
    /// A header that the handshake reads (`Host`, `Origin`, or one of the `Sec-WebSocket-*`) is
    /// not valid UTF-8 (400).
    HeaderEncoding,
    /// `Sec-WebSocket-Version` is missing or not 13 (426, with `Sec-WebSocket-Version: 13`).
    Version,
    /// `Sec-WebSocket-Key` is missing (400).
    MissingKey,
    /// `Sec-WebSocket-Key` appears more than once (400).
    DuplicateKey,
    /// `Sec-WebSocket-Key` is not base64 for exactly 16 bytes (400).
    InvalidKey,
    /// The request does not ask to upgrade to WebSocket, or is not HTTP (426, with
    /// `Upgrade: websocket` and `Sec-WebSocket-Version: 13`). [`parse_request`] reports such
    /// bytes as [`Parsed::NotWebSocket`]; a server that takes no other protocol refuses them so.
    NotWebSocket,
    /// The server's own checks refused a valid request, with this status (400 to 599; any
    /// other number is sent as 500).
    Refused(u16),
}

impl HandshakeError {
    /// Returns the HTTP status code the server SHOULD answer with.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_stages::websocket::HandshakeError;
    ///
    /// assert_eq!(HandshakeError::Version.status(), 426);
    /// assert_eq!(HandshakeError::InvalidKey.status(), 400);
    /// ```
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Self::HeadTooLong => 431,
            Self::Method => 405,
            Self::Version | Self::NotWebSocket => 426,
            Self::Refused(status @ 400..=599) => *status,
            Self::Refused(_) => 500,
            Self::HttpVersion
            | Self::Connection
            | Self::MissingHost
            | Self::HeaderEncoding
            | Self::MissingKey
            | Self::DuplicateKey
            | Self::InvalidKey => 400,
        }
    }

    /// Returns the reason phrase that goes with [`status`](Self::status).
    fn reason(self) -> &'static str {
        match self.status() {
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            426 => "Upgrade Required",
            429 => "Too Many Requests",
            431 => "Request Header Fields Too Large",
            400..=499 => "Bad Request",
            503 => "Service Unavailable",
            _ => "Internal Server Error",
        }
    }
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::HeadTooLong => "http request head too long",
            Self::Method => "websocket upgrade method is not GET",
            Self::HttpVersion => "websocket upgrade needs http/1.1 or later",
            Self::Connection => "connection header does not name upgrade",
            Self::MissingHost => "missing host header",
            Self::HeaderEncoding => "websocket handshake header is not valid utf-8",
            Self::Version => "unsupported websocket version (only 13 is supported)",
            Self::MissingKey => "missing sec-websocket-key header",
            Self::DuplicateKey => "duplicate sec-websocket-key header",
            Self::InvalidKey => "sec-websocket-key is not base64 for 16 bytes",
            Self::NotWebSocket => "not a websocket upgrade request",
            Self::Refused(_) => "websocket upgrade refused by the server",
        })
    }
}

impl core::error::Error for HandshakeError {}

/// Why [`write_accept`], [`write_rejection`] or [`write_request`](super::write_request) wrote
/// nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteError {
    /// The subprotocol passed to [`write_accept`] is not one the client offered.
    ProtocolNotOffered,
    /// A field of the [`ClientRequest`](super::ClientRequest) passed to
    /// [`write_request`](super::write_request) would break the request or is not allowed where
    /// it goes.
    InvalidField(RequestField),
    /// The output has no room for the whole response, which needs `required` bytes.
    NoSpace {
        /// The length of the response.
        required: usize,
    },
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ProtocolNotOffered => f.write_str("subprotocol not offered by the client"),
            Self::InvalidField(field) => write!(f, "invalid {field} in the upgrade request"),
            Self::NoSpace { required } => {
                write!(f, "no space for the {required}-byte handshake response")
            }
        }
    }
}

impl core::error::Error for WriteError {}

/// Parses the head of a WebSocket upgrade request from the bytes received so far.
///
/// Returns [`Parsed::Incomplete`] while the head is not complete, [`Parsed::NotWebSocket`] for
/// a complete HTTP request that does not ask for `Upgrade: websocket` or for bytes that are not
/// HTTP, and
/// [`Parsed::Upgrade`] with the request and the length of its head otherwise. The request is
/// validated as RFC 6455 (section 4.2.1) asks.
///
/// At most `max_len` bytes are read: a head that is not complete within them is an error, so
/// that a peer cannot make the server buffer without bound.
///
/// # Examples
///
/// ```
/// use pipebuf_stages::websocket::{Parsed, parse_request};
///
/// let head = b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
///     Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
///     Sec-WebSocket-Version: 13\r\n\r\n";
/// assert_eq!(parse_request(&head[..20], 4096)?, Parsed::Incomplete);
/// let Parsed::Upgrade { request, len } = parse_request(head, 4096)? else { panic!() };
/// assert_eq!((request.path(), len), ("/chat", head.len()));
/// assert_eq!(request.accept_key(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// # Ok::<(), pipebuf_stages::websocket::HandshakeError>(())
/// ```
///
/// # Errors
///
/// [`HandshakeError::HeadTooLong`] if `bytes` holds more than `max_len` bytes without a
/// complete head; for a request with an `Upgrade` header, any other [`HandshakeError`] for the
/// first check it fails.
pub fn parse_request(bytes: &[u8], max_len: usize) -> Result<Parsed, HandshakeError> {
    let window = &bytes[..bytes.len().min(max_len)];
    // Every header takes a line of its own, so the number of line feeds bounds the number of
    // headers, and httparse never answers `TooManyHeaders`.
    #[expect(clippy::naive_bytecount, reason = "one pass over a bounded head needs no crate")]
    let lines = window.iter().filter(|&&b| b == b'\n').count();
    let mut headers = alloc::vec![httparse::EMPTY_HEADER; lines + 1];
    let mut req = httparse::Request::new(&mut headers);
    let len = match req.parse(window) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if bytes.len() > max_len => {
            return Err(HandshakeError::HeadTooLong);
        }
        Ok(httparse::Status::Partial) => return Ok(Parsed::Incomplete),
        Err(_) => return Ok(Parsed::NotWebSocket),
    };
    let request = validate(&req)?;
    Ok(match request {
        Some(request) => Parsed::Upgrade { request, len },
        None => Parsed::NotWebSocket,
    })
}

/// Checks a complete request; `None` if it has no `Upgrade` header.
fn validate(req: &httparse::Request<'_, '_>) -> Result<Option<UpgradeRequest>, HandshakeError> {
    let all = |name: &'static str| {
        req.headers.iter().filter(move |h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value)
    };
    let has_token = |name: &'static str, token: &str| {
        all(name).any(|value| {
            value
                .split(|&b| b == b',')
                .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
        })
    };

    // Not asking for WebSocket (no `Upgrade`, or an upgrade to another protocol such as `h2c`):
    // the request is left to whoever serves the other protocol.
    if !has_token("upgrade", "websocket") {
        return Ok(None);
    }
    // A complete parse always sets the method, path and version.
    if req.method != Some("GET") {
        return Err(HandshakeError::Method);
    }
    if req.version.unwrap_or(0) < 1 {
        return Err(HandshakeError::HttpVersion);
    }
    if !has_token("connection", "upgrade") {
        return Err(HandshakeError::Connection);
    }
    let host = all("host").next().ok_or(HandshakeError::MissingHost)?;
    let host = utf8(host)?.into();
    let origin = all("origin").next().map(utf8).transpose()?.map(Into::into);

    let mut versions = all("sec-websocket-version");
    match versions.next().map(utf8).transpose()? {
        Some("13") if versions.next().is_none() => {}
        _ => return Err(HandshakeError::Version),
    }

    let mut keys = all("sec-websocket-key");
    let key = keys.next().ok_or(HandshakeError::MissingKey)?;
    if keys.next().is_some() {
        return Err(HandshakeError::DuplicateKey);
    }
    let key = utf8(key).map_err(|_| HandshakeError::InvalidKey)?;
    // Base64 for 16 bytes is exactly 24 characters; checking the length first also bounds the
    // buffer.
    let mut decoded = [0u8; 18];
    if key.len() != 24 || BASE64.decode_slice(key, &mut decoded) != Ok(16) {
        return Err(HandshakeError::InvalidKey);
    }

    let list = |name: &'static str| -> Result<Vec<String>, HandshakeError> {
        let mut items = Vec::new();
        for value in all(name) {
            for item in utf8(value)?.split(',') {
                let item = item.trim();
                if !item.is_empty() {
                    items.push(item.into());
                }
            }
        }
        Ok(items)
    };

    Ok(Some(UpgradeRequest {
        path: req.path.unwrap_or_default().into(),
        http_minor: req.version.unwrap_or_default(),
        host,
        origin,
        key: key.into(),
        protocols: list("sec-websocket-protocol")?,
        extensions: list("sec-websocket-extensions")?,
        headers: req.headers.iter().map(|h| (h.name.into(), h.value.to_vec())).collect(),
    }))
}

/// Returns the `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key`: the base64 of the SHA-1
/// of the key followed by the GUID of RFC 6455.
///
/// # Examples
///
/// ```
/// use pipebuf_stages::websocket::accept_key;
///
/// // RFC 6455, section 1.3.
/// assert_eq!(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
#[must_use]
pub fn accept_key(key: &str) -> String {
    let mut sha1 = Sha1::new();
    sha1.update(key.as_bytes());
    sha1.update(GUID.as_bytes());
    BASE64.encode(sha1.finalize())
}

/// Writes the `101 Switching Protocols` response that accepts `request`, choosing `protocol`
/// as the subprotocol if given, and returns its length.
///
/// No extension is accepted. The response is written whole or not at all.
///
/// # Examples
///
/// ```
/// use pipebuf::PipeBuf;
/// use pipebuf_stages::websocket::{Parsed, parse_request, write_accept};
///
/// let head = b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
///     Sec-WebSocket-Protocol: chat\r\n\r\n";
/// let Parsed::Upgrade { request, .. } = parse_request(head, 4096)? else { panic!() };
/// let mut out = PipeBuf::<u8>::new();
/// write_accept(&mut out.wr(), &request, Some("chat"))?;
/// assert!(out.rd().data().starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`WriteError::ProtocolNotOffered`] if `protocol` is not among
/// [`UpgradeRequest::protocols`] (compared exactly, as the protocol names are tokens), and
/// [`WriteError::NoSpace`] if the output cannot take the whole response.
pub fn write_accept(
    out: &mut PBufWr<'_>,
    request: &UpgradeRequest,
    protocol: Option<&str>,
) -> Result<usize, WriteError> {
    if let Some(protocol) = protocol {
        if !request.protocols.iter().any(|p| p == protocol) {
            return Err(WriteError::ProtocolNotOffered);
        }
    }
    let mut response = String::from(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: ",
    );
    response.push_str(&request.accept_key());
    response.push_str("\r\n");
    if let Some(protocol) = protocol {
        response.push_str("Sec-WebSocket-Protocol: ");
        response.push_str(protocol);
        response.push_str("\r\n");
    }
    response.push_str("\r\n");
    write_all(out, response.as_bytes())
}

/// Writes the response that refuses an upgrade for `error`, and returns its length.
///
/// The response has the status of [`HandshakeError::status`], `Connection: close`,
/// `Content-Length: 0` and, for 426, `Upgrade: websocket` and `Sec-WebSocket-Version: 13`. The caller SHOULD close the
/// connection once it is sent. The response is written whole or not at all.
///
/// # Examples
///
/// ```
/// use pipebuf::PipeBuf;
/// use pipebuf_stages::websocket::{HandshakeError, write_rejection};
///
/// let mut out = PipeBuf::<u8>::new();
/// write_rejection(&mut out.wr(), &HandshakeError::MissingKey)?;
/// assert_eq!(
///     out.rd().data(),
///     b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
/// );
/// # Ok::<(), pipebuf_stages::websocket::WriteError>(())
/// ```
///
/// # Errors
///
/// [`WriteError::NoSpace`] if the output cannot take the whole response.
pub fn write_rejection(out: &mut PBufWr<'_>, error: &HandshakeError) -> Result<usize, WriteError> {
    let status = error.status();
    let mut response = alloc::format!("HTTP/1.1 {status} {}\r\n", error.reason());
    if status == 426 {
        response.push_str("Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n");
    }
    response.push_str("Connection: close\r\nContent-Length: 0\r\n\r\n");
    write_all(out, response.as_bytes())
}

/// Returns a header value as trimmed text.
fn utf8(value: &[u8]) -> Result<&str, HandshakeError> {
    core::str::from_utf8(value).map(str::trim).map_err(|_| HandshakeError::HeaderEncoding)
}

/// Writes all of `bytes` or nothing.
pub(super) fn write_all(out: &mut PBufWr<'_>, bytes: &[u8]) -> Result<usize, WriteError> {
    let space = out.try_space(bytes.len()).ok_or(WriteError::NoSpace { required: bytes.len() })?;
    space.copy_from_slice(bytes);
    out.commit(bytes.len());
    Ok(bytes.len())
}
