//! The client side of the WebSocket opening handshake (RFC 6455, section 4.1), without I/O.
//!
//! A [`ClientRequest`] says what the client asks for. [`write_request`] writes the `GET`
//! upgrade request for it, with a key of 16 random bytes that the caller draws, and
//! [`parse_response`] reads the server's answer from the bytes received so far and checks it
//! against the request and the key, as RFC 6455 (section 4.1) asks.
//!
//! # Examples
//!
//! ```
//! use pipebuf::PipeBuf;
//! use pipebuf_stages::websocket::{ClientRequest, Response, parse_response, write_request};
//!
//! let request = ClientRequest::new("server.example.com", "/chat").with_protocol("chat");
//! // The caller MUST draw a fresh key from a random number generator for each connection.
//! let key = *b"the sample nonce";
//! let mut out = PipeBuf::<u8>::new();
//! write_request(&mut out.wr(), &request, &key)?;
//! assert!(out.rd().data().starts_with(b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\n"));
//!
//! // The server's answer arrives, followed by its first frame.
//! let answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
//!     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
//!     Sec-WebSocket-Protocol: chat\r\n\r\n\x81\x02hi";
//! assert_eq!(parse_response(&answer[..40], &request, &key, 4096)?, Response::Incomplete);
//! let Response::Accepted { protocol, len, .. } = parse_response(answer, &request, &key, 4096)?
//! else {
//!     panic!("not accepted");
//! };
//! assert_eq!(protocol.as_deref(), Some("chat"));
//! assert_eq!(&answer[len..], b"\x81\x02hi");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use pipebuf::PBufWr;

use super::handshake::write_all;
use super::{WEBSOCKET_VERSION, WriteError, accept_key};

/// What a WebSocket client asks for in its opening handshake: a builder for [`write_request`].
///
/// The builder takes any string; [`write_request`] checks the fields and refuses a request
/// they would break.
///
/// # Examples
///
/// ```
/// use pipebuf_stages::websocket::ClientRequest;
///
/// let request = ClientRequest::new("example.com:8080", "/feed?since=10")
///     .with_origin("https://example.com")
///     .with_protocol("v2.feed")
///     .with_protocol("v1.feed")
///     .with_header("Authorization", "Bearer abc");
/// assert_eq!(request.protocols(), ["v2.feed", "v1.feed"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRequest {
    host: String,
    path: String,
    origin: Option<String>,
    protocols: Vec<String>,
    headers: Vec<(String, String)>,
}

impl ClientRequest {
    /// Returns a request for `path` (the request target, such as `/chat?room=1`) on `host` (the
    /// value of the `Host` header, with the port if it is not the default one).
    ///
    /// The path MUST be percent-encoded already, and MUST NOT hold a fragment (`#`).
    #[must_use]
    pub fn new(host: impl Into<String>, path: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            path: path.into(),
            origin: None,
            protocols: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Sets the `Origin` header, which browsers send and servers may check.
    #[must_use]
    pub fn with_origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// Offers a subprotocol in `Sec-WebSocket-Protocol`; each call adds one, in the client's
    /// order of preference.
    #[must_use]
    pub fn with_protocol(mut self, protocol: impl Into<String>) -> Self {
        self.protocols.push(protocol.into());
        self
    }

    /// Adds a header, such as `Authorization` or `Cookie`, after those of the handshake.
    ///
    /// The headers that the handshake writes itself, `Content-Length` and `Transfer-Encoding`
    /// are refused by [`write_request`]: see [`RequestField::HeaderName`].
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Returns the value of the `Host` header.
    #[must_use]
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Returns the request target.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Returns the value of the `Origin` header, if set.
    #[must_use]
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// Returns the subprotocols offered, in order of preference.
    #[must_use]
    pub fn protocols(&self) -> &[String] {
        &self.protocols
    }

    /// Returns the extra headers as (name, value) pairs, in the order added.
    #[must_use]
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }
}

/// The field of a [`ClientRequest`] that [`write_request`] refused, in
/// [`WriteError::InvalidField`].
///
/// The indices count from 0 in [`ClientRequest::protocols`] and [`ClientRequest::headers`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestField {
    /// The host is empty or holds a byte that is not visible ASCII (a space, a control such as
    /// CR, LF or NUL, or anything beyond ASCII, which MUST be punycode).
    Host,
    /// The path does not start with `/`, or holds a fragment (`#`) or a byte that is not visible
    /// ASCII (a space, a control, or anything beyond ASCII, which MUST be percent-encoded).
    Path,
    /// The origin is empty or holds a byte that is not visible ASCII.
    Origin,
    /// The subprotocol at this index is not an HTTP token (RFC 9110, section 5.6.2), or is the
    /// same as one before it (RFC 6455, section 4.1 asks for unique names).
    Protocol(usize),
    /// The name of the header at this index is not an HTTP token, or is one the handshake writes
    /// itself (`Host`, `Upgrade`, `Connection`, `Origin`, `Sec-WebSocket-Key`,
    /// `Sec-WebSocket-Version`, `Sec-WebSocket-Protocol`, `Sec-WebSocket-Extensions`), or one
    /// that would announce a body (`Content-Length`, `Transfer-Encoding`).
    HeaderName(usize),
    /// The value of the header at this index holds a control byte other than a tab (such as
    /// CR, LF or NUL).
    HeaderValue(usize),
}

impl fmt::Display for RequestField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Host => f.write_str("host"),
            Self::Path => f.write_str("path"),
            Self::Origin => f.write_str("origin"),
            Self::Protocol(index) => write!(f, "subprotocol {index}"),
            Self::HeaderName(index) => write!(f, "name of header {index}"),
            Self::HeaderValue(index) => write!(f, "value of header {index}"),
        }
    }
}

/// Writes the `GET` request that asks the server to upgrade to WebSocket, and returns its length.
///
/// `key` is the 16-byte nonce of RFC 6455 (section 4.1, item 7), sent base64-encoded as
/// `Sec-WebSocket-Key`. The caller MUST draw it at random for each connection and MUST pass the
/// same key to [`parse_response`]. The request is written whole or not at all, as:
///
/// ```text
/// GET {path} HTTP/1.1
/// Host: {host}
/// Upgrade: websocket
/// Connection: Upgrade
/// Sec-WebSocket-Key: {base64 of key}
/// Sec-WebSocket-Version: 13
/// Origin: {origin}                      (if set)
/// Sec-WebSocket-Protocol: {a}, {b}      (if any is offered)
/// {each extra header}
/// ```
///
/// # Examples
///
/// ```
/// use pipebuf::PipeBuf;
/// use pipebuf_stages::websocket::{ClientRequest, write_request};
///
/// let request = ClientRequest::new("server.example.com", "/chat")
///     .with_origin("http://example.com")
///     .with_protocol("chat")
///     .with_protocol("superchat");
/// let mut out = PipeBuf::<u8>::new();
/// let len = write_request(&mut out.wr(), &request, b"the sample nonce")?;
/// let expected: &[u8] = b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\n\
///     Upgrade: websocket\r\nConnection: Upgrade\r\n\
///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
///     Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n\r\n";
/// assert_eq!(out.rd().data(), expected);
/// assert_eq!(len, expected.len());
/// # Ok::<(), pipebuf_stages::websocket::WriteError>(())
/// ```
///
/// # Errors
///
/// [`WriteError::InvalidField`] for the first field, in the order of the request, that would
/// break the request or is not allowed where it goes (see [`RequestField`]), and
/// [`WriteError::NoSpace`] if the output cannot take the whole request.
///
/// # Panics
///
/// Panics if `out` has already been closed or aborted, as [`PBufWr::commit`] does.
pub fn write_request(
    out: &mut PBufWr<'_>,
    request: &ClientRequest,
    key: &[u8; 16],
) -> Result<usize, WriteError> {
    check(request).map_err(WriteError::InvalidField)?;
    let mut head = alloc::format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {}\r\nSec-WebSocket-Version: {WEBSOCKET_VERSION}\r\n",
        request.path,
        request.host,
        BASE64.encode(key),
    );
    if let Some(origin) = &request.origin {
        push_header(&mut head, "Origin", origin);
    }
    if !request.protocols.is_empty() {
        push_header(&mut head, "Sec-WebSocket-Protocol", &request.protocols.join(", "));
    }
    for (name, value) in &request.headers {
        push_header(&mut head, name, value);
    }
    head.push_str("\r\n");
    write_all(out, head.as_bytes())
}

/// What [`parse_response`] found in the bytes received so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// The head of the response is not complete yet: call again when more bytes arrive.
    Incomplete,
    /// The server accepted the upgrade: the connection now carries WebSocket frames.
    Accepted {
        /// The subprotocol the server chose among those offered, if it chose one. A server may
        /// choose none even when some were offered; a client that needs one SHOULD then close
        /// the connection.
        protocol: Option<String>,
        /// Every header of the response as a (name, value) pair, in the order received.
        headers: Vec<(String, Vec<u8>)>,
        /// The length of the response's head in bytes, which the caller MUST consume; the bytes
        /// after it are the first WebSocket frames, and MUST be left for the frame reader.
        len: usize,
    },
}

/// Why a client fails the WebSocket connection after the server's answer to its upgrade
/// request (RFC 6455, section 4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseError {
    /// The head is longer than the maximum and not complete yet.
    HeadTooLong,
    /// The bytes are not an HTTP response.
    Malformed,
    /// The response has more than 64 headers.
    TooManyHeaders,
    /// The status is not `101 Switching Protocols`: this one, such as 401, 403 or a redirect,
    /// which the caller MAY handle as HTTP says.
    Status(u16),
    /// The response's HTTP version is not 1.1.
    HttpVersion,
    /// The `Upgrade` header is missing or does not name `websocket`.
    Upgrade,
    /// The `Connection` header is missing or does not name `upgrade`.
    Connection,
    /// `Sec-WebSocket-Accept` is missing.
    MissingAccept,
    /// `Sec-WebSocket-Accept` appears more than once.
    DuplicateAccept,
    /// `Sec-WebSocket-Accept` does not match the key of the request.
    WrongAccept,
    /// The response holds `Sec-WebSocket-Extensions`, but the request offered no extension.
    ExtensionNotOffered,
    /// `Sec-WebSocket-Protocol` appears more than once.
    DuplicateProtocol,
    /// The server chose a subprotocol that the request did not offer (compared exactly).
    ProtocolNotOffered,
    /// `Sec-WebSocket-Accept` or `Sec-WebSocket-Protocol` is not valid UTF-8.
    HeaderEncoding,
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HeadTooLong => f.write_str("http response head too long"),
            Self::Malformed => f.write_str("malformed http response"),
            Self::TooManyHeaders => write!(f, "http response has more than {MAX_HEADERS} headers"),
            Self::Status(code) => write!(f, "server answered the upgrade with status {code}"),
            Self::HttpVersion => f.write_str("websocket upgrade response is not http/1.1"),
            Self::Upgrade => f.write_str("upgrade header does not name websocket"),
            Self::Connection => f.write_str("connection header does not name upgrade"),
            Self::MissingAccept => f.write_str("missing sec-websocket-accept header"),
            Self::DuplicateAccept => f.write_str("duplicate sec-websocket-accept header"),
            Self::WrongAccept => f.write_str("sec-websocket-accept does not match the key"),
            Self::ExtensionNotOffered => f.write_str("server chose an extension not offered"),
            Self::DuplicateProtocol => f.write_str("duplicate sec-websocket-protocol header"),
            Self::ProtocolNotOffered => f.write_str("server chose a subprotocol not offered"),
            Self::HeaderEncoding => f.write_str("websocket handshake header is not valid utf-8"),
        }
    }
}

impl core::error::Error for ResponseError {}

/// Parses the server's answer to the upgrade request from the bytes received so far, and checks
/// it against `request` and `key`, those passed to [`write_request`].
///
/// Returns [`Response::Incomplete`] while the head is not complete, and [`Response::Accepted`]
/// once it is and the server accepted the upgrade as RFC 6455 (section 4.1) asks. The bytes
/// after the head are not read.
///
/// At most `max_len` bytes are read: a head that is not complete within them is an error, so
/// that a server cannot make the client buffer without bound.
///
/// # Examples
///
/// ```
/// use pipebuf_stages::websocket::{ClientRequest, Response, ResponseError, parse_response};
///
/// let request = ClientRequest::new("server.example.com", "/chat");
/// let key = b"the sample nonce";
/// let answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
/// let Response::Accepted { protocol, len, .. } = parse_response(answer, &request, key, 4096)?
/// else {
///     panic!("not accepted");
/// };
/// assert_eq!((protocol, len), (None, answer.len()));
///
/// let refusal = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
/// assert_eq!(parse_response(refusal, &request, key, 4096), Err(ResponseError::Status(403)));
/// # Ok::<(), ResponseError>(())
/// ```
///
/// # Errors
///
/// [`ResponseError::HeadTooLong`] if `bytes` holds more than `max_len` bytes without a complete
/// head, [`ResponseError::Malformed`] or [`ResponseError::TooManyHeaders`] for a head httparse
/// cannot read, and for a complete head the [`ResponseError`] of the first check it fails, in
/// the order the variants are listed (a header that is not UTF-8 fails the check that reads it).
pub fn parse_response(
    bytes: &[u8],
    request: &ClientRequest,
    key: &[u8; 16],
    max_len: usize,
) -> Result<Response, ResponseError> {
    let window = bytes.get(..max_len).unwrap_or(bytes);
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let len = match response.parse(window) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if bytes.len() > max_len => {
            return Err(ResponseError::HeadTooLong);
        }
        Ok(httparse::Status::Partial) => return Ok(Response::Incomplete),
        Err(httparse::Error::TooManyHeaders) => return Err(ResponseError::TooManyHeaders),
        Err(_) => return Err(ResponseError::Malformed),
    };
    let protocol = validate(&response, request, key)?;
    Ok(Response::Accepted {
        protocol,
        headers: response.headers.iter().map(|h| (h.name.into(), h.value.to_vec())).collect(),
        len,
    })
}

/// Checks a complete response, and returns the subprotocol it chose.
fn validate(
    response: &httparse::Response<'_, '_>,
    request: &ClientRequest,
    key: &[u8; 16],
) -> Result<Option<String>, ResponseError> {
    let headers = &*response.headers;
    // A complete parse always sets the code and the version.
    let code = response.code.unwrap_or_default();
    if code != 101 {
        return Err(ResponseError::Status(code));
    }
    if response.version != Some(1) {
        return Err(ResponseError::HttpVersion);
    }
    if !has_token(headers, "upgrade", "websocket") {
        return Err(ResponseError::Upgrade);
    }
    if !has_token(headers, "connection", "upgrade") {
        return Err(ResponseError::Connection);
    }

    let mut accepts = all(headers, "sec-websocket-accept");
    let accept = accepts.next().ok_or(ResponseError::MissingAccept)?;
    if accepts.next().is_some() {
        return Err(ResponseError::DuplicateAccept);
    }
    if utf8(accept)? != accept_key(&BASE64.encode(key)) {
        return Err(ResponseError::WrongAccept);
    }

    // The client offers no extension, so any extension the server names is one not offered,
    // even if its value is empty.
    if all(headers, "sec-websocket-extensions").next().is_some() {
        return Err(ResponseError::ExtensionNotOffered);
    }

    let mut protocols = all(headers, "sec-websocket-protocol");
    let protocol = protocols.next().map(utf8).transpose()?;
    if protocols.next().is_some() {
        return Err(ResponseError::DuplicateProtocol);
    }
    // A list such as `a, b` is not one of the offered names either, so it fails here too.
    if protocol.is_some_and(|chosen| !request.protocols.iter().any(|p| p == chosen)) {
        return Err(ResponseError::ProtocolNotOffered);
    }
    Ok(protocol.map(Into::into))
}

/// Returns the first field of `request`, in the order of the request, that is not valid.
fn check(request: &ClientRequest) -> Result<(), RequestField> {
    if !is_visible_ascii(&request.host) {
        return Err(RequestField::Host);
    }
    if !request.path.starts_with('/') || request.path.contains('#') {
        return Err(RequestField::Path);
    }
    if !is_visible_ascii(&request.path) {
        return Err(RequestField::Path);
    }
    if request.origin.as_deref().is_some_and(|origin| !is_visible_ascii(origin)) {
        return Err(RequestField::Origin);
    }
    for (index, protocol) in request.protocols.iter().enumerate() {
        let earlier = request.protocols.get(..index).unwrap_or_default();
        if !is_token(protocol) || earlier.contains(protocol) {
            return Err(RequestField::Protocol(index));
        }
    }
    for (index, (name, value)) in request.headers.iter().enumerate() {
        if !is_token(name) || RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
            return Err(RequestField::HeaderName(index));
        }
        // A tab is allowed inside a value (RFC 9110, section 5.5), other controls are not: CR
        // and LF would end the header and let the value inject headers of its own.
        if value.bytes().any(|b| b != b'\t' && (b < 0x20 || b == 0x7f)) {
            return Err(RequestField::HeaderValue(index));
        }
    }
    Ok(())
}

/// Appends the line `name: value`.
fn push_header(head: &mut String, name: &str, value: &str) {
    head.push_str(name);
    head.push_str(": ");
    head.push_str(value);
    head.push_str("\r\n");
}

/// Returns the values of every header named `name` (lower case), in order.
fn all<'h>(
    headers: &'h [httparse::Header<'_>],
    name: &'static str,
) -> impl Iterator<Item = &'h [u8]> {
    headers.iter().filter(move |h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value)
}

/// Returns whether a header named `name` holds `token` in its comma-separated list
/// (case-insensitive).
fn has_token(headers: &[httparse::Header<'_>], name: &'static str, token: &str) -> bool {
    all(headers, name).any(|value| {
        value.split(|&b| b == b',').any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
    })
}

/// Returns a header value as trimmed text.
fn utf8(value: &[u8]) -> Result<&str, ResponseError> {
    core::str::from_utf8(value).map(str::trim).map_err(|_| ResponseError::HeaderEncoding)
}

/// Returns whether `s` is not empty and holds only visible ASCII (no space, no control).
fn is_visible_ascii(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic())
}

/// Returns whether `s` is an HTTP token (RFC 9110, section 5.6.2).
fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The headers a caller may not add: the handshake writes them itself, or they would announce a
/// body after the head, where the server expects WebSocket frames.
const RESERVED: [&str; 10] = [
    "host",
    "upgrade",
    "connection",
    "origin",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-protocol",
    "sec-websocket-extensions",
    "content-length",
    "transfer-encoding",
];

/// The most headers a response may have; a server accepting an upgrade sends a handful.
const MAX_HEADERS: usize = 64;
