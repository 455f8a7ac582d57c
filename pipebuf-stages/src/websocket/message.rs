//! The element type of a WebSocket stage's `upper` port: whole messages with their kind.

use core::fmt;
use core::ops::{Deref, DerefMut};

use super::Payload;
use super::payload::Meta;

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
/// A message has a [`kind`](Self::kind), a payload ([`data`](Self::data)), and a flag,
/// [`has_more`](Self::has_more), which is false for a whole message. A message may also travel
/// as several pieces in a row, each with the message's kind and all but the last with more to
/// follow: the stage sends each piece as a frame of a fragmented message, and, in streaming
/// mode, hands on a large incoming message in the pieces in which it arrives (a text piece may
/// then end inside a character; the text as a whole is still checked).
///
/// A `Message` is 24 bytes, the size of a `Vec<u8>`: the kind and the flag share a byte of the
/// [`Payload`] with its inline length, so that the buffers between the stages hold as many
/// messages in as little memory (and cache) as they can. That is why they are read and set
/// through methods rather than public fields.
///
/// # Examples
///
/// ```
/// use pipebuf_stages::websocket::{Message, MessageKind};
///
/// let hello = Message::text("hello");
/// assert_eq!(hello.kind(), MessageKind::Text);
/// assert_eq!(hello.data(), b"hello");
/// assert!(!hello.has_more());
/// assert_eq!(hello.as_text(), Some("hello"));
/// // A small payload is stored in the message itself, without an allocation.
/// assert!(hello.data().is_inline());
///
/// // A binary message sent as two frames.
/// let first = Message::binary([1, 2]).with_more(true);
/// let last = Message::binary(vec![3]);
/// assert!(first.has_more() && !last.has_more());
///
/// // Taken apart, and built again from the parts.
/// let (kind, data) = (hello.kind(), hello.into_data());
/// assert_eq!(Message::new(kind, data), Message::text("hello"));
/// ```
#[derive(Clone, Default)]
pub struct Message {
    /// The payload, unmasked: inline up to [`Payload::INLINE`] bytes, on the heap beyond; its
    /// spare bits hold the kind and the flag.
    data: Payload,
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
    #[inline]
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
    #[inline]
    pub fn new(kind: MessageKind, data: impl Into<Payload>) -> Self {
        Self::from_parts(data.into(), Meta::new(kind, false))
    }

    /// Returns what the message is: text, binary, ping or pong.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_stages::websocket::{Message, MessageKind};
    ///
    /// assert_eq!(Message::ping([]).kind(), MessageKind::Ping);
    /// ```
    #[must_use]
    #[inline]
    pub const fn kind(&self) -> MessageKind {
        self.data.meta().kind()
    }

    /// Sets what the message is, keeping its payload and flag.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_stages::websocket::{Message, MessageKind};
    ///
    /// let mut message = Message::binary("ok");
    /// message.set_kind(MessageKind::Text);
    /// assert_eq!(message, Message::text("ok"));
    /// ```
    pub const fn set_kind(&mut self, kind: MessageKind) {
        self.data.set_meta(Meta::new(kind, self.has_more()));
    }

    /// Returns true if more pieces of the same message follow this one; false for a whole
    /// message and for the last piece.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_stages::websocket::Message;
    ///
    /// assert!(!Message::text("whole").has_more());
    /// assert!(Message::text("to be").with_more(true).has_more());
    /// ```
    #[must_use]
    #[inline]
    pub const fn has_more(&self) -> bool {
        self.data.meta().has_more()
    }

    /// Sets whether more pieces of the same message follow this one.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut piece = pipebuf_stages::websocket::Message::binary([1]);
    /// piece.set_more(true);
    /// assert!(piece.has_more());
    /// ```
    pub const fn set_more(&mut self, more: bool) {
        self.data.set_meta(Meta::new(self.kind(), more));
    }

    /// The same message with `more` set: whether more pieces of it follow.
    #[must_use]
    pub const fn with_more(mut self, more: bool) -> Self {
        self.set_more(more);
        self
    }

    /// Returns the payload, unmasked.
    ///
    /// A [`Payload`] dereferences to `[u8]` and compares with byte slices, arrays and vectors.
    ///
    /// # Examples
    ///
    /// ```
    /// let message = pipebuf_stages::websocket::Message::binary([1, 2, 3]);
    /// assert_eq!(message.data(), &[1, 2, 3]);
    /// assert_eq!(message.data().len(), 3);
    /// assert_eq!(&message.data()[1..], [2, 3]);
    /// ```
    #[must_use]
    #[inline]
    pub const fn data(&self) -> &Payload {
        &self.data
    }

    /// Returns the payload, to change in place: its bytes, its length, or the whole of it.
    ///
    /// The handle dereferences to the [`Payload`]; the message keeps its kind and flag whatever
    /// is done through it, even if the payload is replaced.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_stages::websocket::{Message, Payload};
    ///
    /// let mut message = Message::text("shout");
    /// message.data_mut().make_ascii_uppercase();
    /// message.data_mut().extend_from_slice(b"!");
    /// assert_eq!(message.as_text(), Some("SHOUT!"));
    ///
    /// let old = std::mem::replace(&mut *message.data_mut(), Payload::from("new"));
    /// assert_eq!((old.as_slice(), message.as_text()), (&b"SHOUT!"[..], Some("new")));
    /// ```
    #[must_use]
    #[inline]
    pub fn data_mut(&mut self) -> PayloadMut<'_> {
        let meta = self.data.meta();
        PayloadMut { payload: &mut self.data, meta }
    }

    /// Returns the payload, giving up the message: no copy, and for a payload on the heap no
    /// allocation either ([`Payload::into_vec`] then gives its bytes as a `Vec<u8>`).
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_stages::websocket::Message;
    ///
    /// let message = Message::binary(vec![7; 100]);
    /// assert_eq!(message.into_data().into_vec(), vec![7; 100]);
    /// ```
    #[must_use]
    #[inline]
    pub fn into_data(self) -> Payload {
        self.data.with_meta(Meta::default())
    }

    /// The payload as text, if the message is text and the payload is whole UTF-8.
    ///
    /// A piece of a text message that ends inside a character gives `None`.
    #[must_use]
    pub fn as_text(&self) -> Option<&str> {
        match self.kind() {
            MessageKind::Text => core::str::from_utf8(&self.data).ok(),
            _ => None,
        }
    }

    /// A message of `data` with `meta`, as the stages build them.
    #[inline]
    pub(crate) const fn from_parts(data: Payload, meta: Meta) -> Self {
        Self { data: data.with_meta(meta) }
    }

    /// Makes this message hold the first `len` bytes of `from` unmasked with `key`, with
    /// `meta`, in place (see [`Payload::set_masked_prefix`]).
    #[inline]
    pub(crate) fn set_masked_prefix(
        &mut self,
        key: Option<[u8; 4]>,
        from: &[u8],
        len: usize,
        meta: Meta,
    ) {
        self.data.set_masked_prefix(key, from, len, meta);
    }

    /// The payload's length if the message is a whole text or binary message; `None` for any
    /// other.
    #[inline]
    pub(crate) fn whole_data_len(&self) -> Option<usize> {
        self.data.whole_data_len()
    }
}

/// The payload of a [`Message`], borrowed to be changed: what [`Message::data_mut`] returns.
///
/// It dereferences to the [`Payload`], mutably. When it goes out of scope it gives the message
/// its kind and flag back, which the payload keeps for it (see [`Message`]).
pub struct PayloadMut<'a> {
    payload: &'a mut Payload,
    meta: Meta,
}

impl Deref for PayloadMut<'_> {
    type Target = Payload;

    #[inline]
    fn deref(&self) -> &Payload {
        self.payload
    }
}

impl DerefMut for PayloadMut<'_> {
    #[inline]
    fn deref_mut(&mut self) -> &mut Payload {
        self.payload
    }
}

impl Drop for PayloadMut<'_> {
    #[inline]
    fn drop(&mut self) {
        self.payload.set_meta(self.meta);
    }
}

impl fmt::Debug for PayloadMut<'_> {
    /// Prints the payload as [`Payload`] does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.payload, f)
    }
}

impl PartialEq for Message {
    /// Compares the kinds, the flags and the payloads' bytes.
    fn eq(&self, other: &Self) -> bool {
        self.data.meta() == other.data.meta() && self.data == other.data
    }
}

impl Eq for Message {}

impl fmt::Debug for Message {
    /// Prints the kind, the payload and the flag, as a struct with those fields would.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("kind", &self.kind())
            .field("data", &self.data)
            .field("more", &self.has_more())
            .finish()
    }
}
