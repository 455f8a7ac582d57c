//! What can go wrong on a WebSocket connection, and the close code each failure sends.

use core::fmt;

use super::{HandshakeError, ResponseError, Utf8Error, WriteError};

/// Close codes (RFC 6455, section 7.4.1) that the stages send.
pub mod close_code {
    /// The purpose of the connection has been fulfilled.
    pub const NORMAL: u16 = 1000;
    /// The endpoint is going away (server shutdown, page left).
    pub const GOING_AWAY: u16 = 1001;
    /// The peer broke the protocol.
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// A text message or close reason was not valid UTF-8.
    pub const INVALID_DATA: u16 = 1007;
    /// A message was larger than the limit.
    pub const TOO_BIG: u16 = 1009;
    /// The endpoint met a condition it did not expect.
    pub const INTERNAL_ERROR: u16 = 1011;
}

/// A frame that breaks RFC 6455: the stage sends a Close frame with 1002 (protocol error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolError {
    /// One of the RSV1-3 bits is set, but no extension was agreed.
    ReservedBits,
    /// The opcode is one of the reserved values.
    ReservedOpcode(u8),
    /// A close, ping or pong frame without the FIN bit.
    FragmentedControl,
    /// A close, ping or pong frame with more than 125 bytes of payload.
    ControlTooLong,
    /// A client sent a frame without a mask.
    Unmasked,
    /// A server sent a masked frame.
    Masked,
    /// The payload length was not written in the shortest form.
    NonMinimalLength,
    /// A 64-bit payload length with the most significant bit set.
    LengthOverflow,
    /// A continuation frame with no fragmented message to continue.
    ContinuationWithoutStart,
    /// A text or binary frame while a fragmented message was not finished.
    UnfinishedMessage,
    /// A Close frame whose payload is a single byte.
    CloseTooShort,
    /// A Close frame with a code that must not be sent.
    InvalidCloseCode(u16),
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ReservedBits => f.write_str("reserved bits set without an extension"),
            Self::ReservedOpcode(opcode) => write!(f, "reserved opcode {opcode:#x}"),
            Self::FragmentedControl => f.write_str("fragmented control frame"),
            Self::ControlTooLong => f.write_str("control frame payload over 125 bytes"),
            Self::Unmasked => f.write_str("unmasked frame from a client"),
            Self::Masked => f.write_str("masked frame from a server"),
            Self::NonMinimalLength => f.write_str("payload length not in its shortest form"),
            Self::LengthOverflow => f.write_str("payload length with the top bit set"),
            Self::ContinuationWithoutStart => f.write_str("continuation frame without a message"),
            Self::UnfinishedMessage => f.write_str("new message inside a fragmented message"),
            Self::CloseTooShort => f.write_str("close frame with a 1-byte payload"),
            Self::InvalidCloseCode(code) => write!(f, "invalid close code {code}"),
        }
    }
}

impl core::error::Error for ProtocolError {}

/// Why a WebSocket stage failed.
///
/// When the peer is at fault and the connection is open, the stage sends a Close frame with
/// [`close_code`](Self::close_code) (unless a frame of its own is half written, when it aborts
/// instead) and closes its `lower` output; its `upper` output is aborted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebsocketError {
    /// The client's upgrade request was invalid; the server answered with the error's HTTP
    /// status and closed.
    Handshake(HandshakeError),
    /// The client's [`ClientRequest`](super::ClientRequest) cannot be sent as it is.
    Request(WriteError),
    /// The server's answer to the upgrade request was not a valid acceptance.
    Response(ResponseError),
    /// The peer broke the protocol (1002).
    Protocol(ProtocolError),
    /// A text message or close reason was not valid UTF-8 (1007).
    InvalidUtf8(Utf8Error),
    /// A message was larger than the limit (1009).
    TooBig {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The application asked to send a ping or pong over 125 bytes or in pieces, which RFC
    /// 6455 forbids; the stage aborts (1011 is not sent: the peer did nothing wrong).
    BadControl,
    /// The connection ended before the handshake was complete.
    HandshakeCut,
}

impl WebsocketError {
    /// The close code sent to the peer for this error, if one is.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_stages::websocket::{ProtocolError, WebsocketError};
    ///
    /// assert_eq!(WebsocketError::Protocol(ProtocolError::ReservedBits).close_code(), Some(1002));
    /// assert_eq!(WebsocketError::TooBig { limit: 16 }.close_code(), Some(1009));
    /// assert_eq!(WebsocketError::BadControl.close_code(), None);
    /// ```
    #[must_use]
    pub fn close_code(&self) -> Option<u16> {
        match self {
            Self::Protocol(_) => Some(close_code::PROTOCOL_ERROR),
            Self::InvalidUtf8(_) => Some(close_code::INVALID_DATA),
            Self::TooBig { .. } => Some(close_code::TOO_BIG),
            _ => None,
        }
    }
}

impl fmt::Display for WebsocketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Handshake(_) => f.write_str("invalid websocket upgrade request"),
            Self::Request(_) => f.write_str("invalid websocket upgrade request to send"),
            Self::Response(_) => f.write_str("invalid websocket upgrade response"),
            Self::Protocol(_) => f.write_str("websocket protocol error"),
            Self::InvalidUtf8(_) => f.write_str("invalid utf-8 in websocket text"),
            Self::TooBig { limit } => write!(f, "websocket message over the {limit}-byte limit"),
            Self::BadControl => f.write_str("ping or pong to send is fragmented or over 125 bytes"),
            Self::HandshakeCut => f.write_str("connection ended during the websocket handshake"),
        }
    }
}

impl core::error::Error for WebsocketError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Handshake(error) => Some(error),
            Self::Request(error) => Some(error),
            Self::Response(error) => Some(error),
            Self::Protocol(error) => Some(error),
            Self::InvalidUtf8(error) => Some(error),
            _ => None,
        }
    }
}

impl From<ProtocolError> for WebsocketError {
    fn from(error: ProtocolError) -> Self {
        Self::Protocol(error)
    }
}

impl From<Utf8Error> for WebsocketError {
    fn from(error: Utf8Error) -> Self {
        Self::InvalidUtf8(error)
    }
}
