//! The element type of a WebSocket stage's `upper` port: whole messages with their kind.

use super::Payload;

/// What a [`Message`] is: text or binary data, or a ping or pong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MessageKind {
    /// UTF-8 text. A whole text message the stage hands on is valid UTF-8.
    Text,
    /// Binary data.
    #[default]
    Binary,
    /// A ping, which the peer answers with a pong carrying the same payload (at most 125 bytes).
    /// The stage answers the peer's pings itself and does not hand them on.
    Ping,
    /// A pong: sent as a heartbeat that needs no answer, or handed on when the peer's pongs are
    /// asked for (at most 125 bytes).
    Pong,
}

impl MessageKind {
    /// Whether this is a ping or a pong, which travel as single control frames of at most 125
    /// bytes, between the frames of data messages.
    #[must_use]
    pub const fn is_control(self) -> bool {
        matches!(self, Self::Ping | Self::Pong)
    }
}

/// One WebSocket message, or one piece of a message that is handed on in pieces.
///
/// A whole message has `more == false`. A message may also travel as several pieces in a row,
/// each with the message's kind and all but the last with `more == true`: the stage sends each
/// piece as a frame of a fragmented message, and, in streaming mode, hands on a large incoming
/// message in the pieces in which it arrives (a text piece may then end inside a character; the
/// text as a whole is still checked).
///
/// # Examples
///
/// ```
/// use pipebuf_stages::websocket::{Message, MessageKind};
///
/// let hello = Message::text("hello");
/// assert_eq!((hello.kind, hello.data.as_slice(), hello.more), (MessageKind::Text, &b"hello"[..], false));
/// assert_eq!(hello.as_text(), Some("hello"));
/// // A small payload is stored in the message itself, without an allocation.
/// assert!(hello.data.is_inline());
///
/// // A binary message sent as two frames.
/// let first = Message::binary([1, 2]).with_more(true);
/// let last = Message::binary(vec![3]);
/// # let _ = (first, last);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// Text, binary, ping or pong.
    pub kind: MessageKind,
    /// The payload, unmasked: inline up to [`Payload::INLINE`] bytes, on the heap beyond.
    pub data: Payload,
    /// Whether more pieces of the same message follow this one.
    pub more: bool,
}

impl Message {
    /// A whole text message.
    ///
    /// `text` is anything that is text and converts into a [`Payload`]: `&str` and `&String`
    /// (copied; inline when short), or `String` (its storage taken over).
    #[must_use]
    pub fn text<T: AsRef<str> + Into<Payload>>(text: T) -> Self {
        Self::new(MessageKind::Text, text)
    }

    /// A whole binary message.
    ///
    /// `data` is anything that converts into a [`Payload`]: a byte slice or array (copied;
    /// inline when short), or a `Vec<u8>` (taken over without copying its bytes).
    #[must_use]
    pub fn binary(data: impl Into<Payload>) -> Self {
        Self::new(MessageKind::Binary, data)
    }

    /// A ping with `data` (at most 125 bytes) as its payload.
    #[must_use]
    pub fn ping(data: impl Into<Payload>) -> Self {
        Self::new(MessageKind::Ping, data)
    }

    /// A pong with `data` (at most 125 bytes) as its payload.
    #[must_use]
    pub fn pong(data: impl Into<Payload>) -> Self {
        Self::new(MessageKind::Pong, data)
    }

    /// A whole message of `kind` with `data`.
    #[must_use]
    pub fn new(kind: MessageKind, data: impl Into<Payload>) -> Self {
        Self { kind, data: data.into(), more: false }
    }

    /// The same message with `more` set: whether more pieces of it follow.
    #[must_use]
    pub const fn with_more(mut self, more: bool) -> Self {
        self.more = more;
        self
    }

    /// The payload as text, if the message is text and the payload is whole UTF-8.
    ///
    /// A piece of a text message that ends inside a character gives `None`.
    #[must_use]
    pub fn as_text(&self) -> Option<&str> {
        match self.kind {
            MessageKind::Text => core::str::from_utf8(&self.data).ok(),
            _ => None,
        }
    }
}
