//! The payload of a [`Message`](super::Message): small ones inline, large ones on the heap.
//!
//! A type of our own rather than `smallvec::SmallVec<[u8; N]>`: the stages need what only the
//! representation gives (an inline payload copied and unmasked as one fixed-size block, a
//! `Vec<u8>` taken over and given back without copying its bytes), without `unsafe`; it holds
//! 22 bytes inline in 24 bytes, where `SmallVec`'s 24-byte form (feature `union`) holds 16; and
//! a public field's type does not tie our semver to another crate's.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::borrow::{Borrow, BorrowMut};
use core::fmt;
use core::hash::{Hash, Hasher};
use core::mem;
use core::ops::{Deref, DerefMut};

use super::MessageKind;
use super::mask::{copy_masked, extend_masked, masked_array};
use crate::copy::{copy_unaliased, extend_unaliased};

/// The bytes of a [`Message`](super::Message): up to [`Payload::INLINE`] bytes are stored in the
/// value itself, longer payloads in one heap allocation of their exact size.
///
/// Most WebSocket messages are small (chat lines, game state, acknowledgments), and an
/// allocation for each would cost more than the stages spend on the message itself. A
/// `Payload` of at most [`INLINE`](Self::INLINE) bytes allocates nothing, and it is no larger
/// than a `Vec<u8>` (24 bytes); a [`Message`](super::Message) is a `Payload` with its kind and
/// flag in a spare byte, 24 bytes too in the buffers between the stages. A `Vec<u8>` converts into a `Payload` and back without copying
/// its bytes (its allocation is shrunk to fit, as [`Vec::into_boxed_slice`] does).
///
/// It dereferences to `[u8]` (and mutably), so the slice methods work on it directly; it
/// compares, hashes and prints as its bytes, whichever way they are stored. It is not a
/// growable buffer: a heap payload keeps no spare capacity, so each
/// [`extend_from_slice`](Self::extend_from_slice) on one reallocates; build a large payload
/// piece by piece in a `Vec<u8>` and convert it at the end.
///
/// # Examples
///
/// ```
/// use pipebuf_stages::websocket::Payload;
///
/// let mut small = Payload::from(&b"hello"[..]);
/// assert!(small.is_inline());
/// assert_eq!(small.len(), 5);
/// assert_eq!(small, b"hello");
///
/// // Growing past the inline size moves the bytes to the heap.
/// small.extend_from_slice(&[b'!'; Payload::INLINE]);
/// assert!(!small.is_inline());
/// assert_eq!(&small[..6], b"hello!");
///
/// // A `Vec<u8>` is taken over, and given back, without copying its bytes.
/// let large = Payload::from(vec![7u8; 1000]);
/// assert_eq!(large.into_vec(), vec![7u8; 1000]);
/// ```
#[derive(Clone)]
pub struct Payload(Repr);

/// How a [`Payload`] holds its bytes.
///
/// `bits` is the same byte in both variants: its top three bits are a [`Meta`] (a message's
/// kind and whether more pieces follow, which a [`Message`](super::Message) keeps here rather
/// than in fields of its own, so that a message is 24 bytes), and in an inline payload its
/// low five bits are the length. Every method of `Payload` keeps the meta bits as they are, and
/// only a `Message` reads them: in a payload on its own they mean nothing (all zero when it was
/// made as a `Payload` or taken with `Message::into_data`; a clone of a message's payload, or
/// one swapped out through `Message::data_mut`, carries the message's, unread), and comparing,
/// hashing and printing a `Payload` never look at them.
#[derive(Clone)]
enum Repr {
    /// `bytes[..len]`, where `len` (the low five bits of `bits`) is at most
    /// [`Payload::INLINE`]. The bytes past `len` mean nothing: a fixed-size copy may have
    /// brought along whatever followed the payload (on the wire, the next frame of the same
    /// connection), and they are never read as payload, compared, hashed, printed or sent.
    Inline { bits: u8, bytes: [u8; Payload::INLINE] },
    /// A boxed slice rather than a `Vec<u8>`: 16 bytes instead of 24 leave room for 22 inline
    /// bytes in a 24-byte `Payload`. The low five bits of `bits` are zero.
    Heap { bits: u8, heap: Box<[u8]> },
}

/// A message's kind and whether more pieces follow, as the top three bits of a [`Repr`]'s
/// `bits`: bit 7 is `more`, bits 5 and 6 the kind (binary 0, so that the default is a whole
/// binary message).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Meta(u8);

impl Meta {
    /// The meta bits of a whole message of `kind`, or of a piece with more after it.
    #[inline]
    pub(crate) const fn new(kind: MessageKind, more: bool) -> Self {
        let kind = match kind {
            MessageKind::Binary => 0,
            MessageKind::Text => 1,
            MessageKind::Ping => 2,
            MessageKind::Pong => 3,
        };
        Self(kind << KIND_SHIFT | if more { MORE } else { 0 })
    }

    /// The message's kind.
    #[inline]
    pub(crate) const fn kind(self) -> MessageKind {
        match self.0 >> KIND_SHIFT & 3 {
            0 => MessageKind::Binary,
            1 => MessageKind::Text,
            2 => MessageKind::Ping,
            _ => MessageKind::Pong,
        }
    }

    /// Whether more pieces of the message follow.
    #[inline]
    pub(crate) const fn has_more(self) -> bool {
        self.0 & MORE != 0
    }
}

impl Payload {
    /// The longest payload stored inline, without an allocation: 22 bytes, which is what fits
    /// beside the length and the tag in the 24 bytes of a `Vec<u8>`.
    pub const INLINE: usize = 22;

    /// Creates an empty payload; it does not allocate.
    ///
    /// # Examples
    ///
    /// ```
    /// let payload = pipebuf_stages::websocket::Payload::new();
    /// assert!(payload.is_empty() && payload.is_inline());
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self(Repr::Inline { bits: 0, bytes: [0; Self::INLINE] })
    }

    /// Returns true if the bytes are stored inline, without an allocation of their own.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_stages::websocket::Payload;
    ///
    /// assert!(Payload::from(&[1, 2, 3][..]).is_inline());
    /// assert!(!Payload::from(vec![1, 2, 3]).is_inline());
    /// ```
    #[must_use]
    pub const fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline { .. })
    }

    /// Returns the bytes, as a slice.
    ///
    /// # Examples
    ///
    /// ```
    /// let payload = pipebuf_stages::websocket::Payload::from("hi");
    /// assert_eq!(payload.as_slice(), b"hi");
    /// ```
    #[must_use]
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { bits, bytes } => bytes.get(..len_of(*bits)).unwrap_or_default(),
            Repr::Heap { heap, .. } => heap,
        }
    }

    /// Returns the bytes, as a mutable slice.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut payload = pipebuf_stages::websocket::Payload::from("hi");
    /// payload.as_mut_slice().make_ascii_uppercase();
    /// assert_eq!(payload, b"HI");
    /// ```
    #[must_use]
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        match &mut self.0 {
            Repr::Inline { bits, bytes } => bytes.get_mut(..len_of(*bits)).unwrap_or_default(),
            Repr::Heap { heap, .. } => heap,
        }
    }

    /// Appends `data`, moving the bytes to the heap if they no longer fit inline.
    ///
    /// On the heap this reallocates (a heap payload keeps no spare capacity); to build a large
    /// payload from many pieces, collect them in a `Vec<u8>` first.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut payload = pipebuf_stages::websocket::Payload::new();
    /// payload.extend_from_slice(b"frag");
    /// payload.extend_from_slice(b"ment");
    /// assert_eq!(payload, b"fragment");
    /// ```
    pub fn extend_from_slice(&mut self, data: &[u8]) {
        if let Repr::Inline { bits, bytes } = &mut self.0 {
            let start = len_of(*bits);
            if let Some(to) =
                start.checked_add(data.len()).and_then(|end| bytes.get_mut(start..end))
            {
                to.copy_from_slice(data);
                // At most `INLINE` (`get_mut` succeeded).
                *bits = with_len(*bits, start + data.len());
                return;
            }
        }
        let meta = self.meta();
        let mut vec = mem::take(self).into_vec();
        vec.reserve_exact(data.len());
        extend_unaliased(&mut vec, data);
        *self = Self::heap(meta, vec.into_boxed_slice());
    }

    /// Appends one byte, as [`extend_from_slice`](Self::extend_from_slice) does: on the heap each
    /// call reallocates, so building a payload byte by byte costs time quadratic in its length;
    /// collect the bytes in a `Vec<u8>` first.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut payload = pipebuf_stages::websocket::Payload::from("o");
    /// payload.push(b'k');
    /// assert_eq!(payload, b"ok");
    /// ```
    pub fn push(&mut self, byte: u8) {
        self.extend_from_slice(&[byte]);
    }

    /// Removes every byte, and frees a heap payload's allocation.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut payload = pipebuf_stages::websocket::Payload::from(vec![1, 2, 3]);
    /// payload.clear();
    /// assert!(payload.is_empty() && payload.is_inline());
    /// ```
    pub fn clear(&mut self) {
        *self = Self::new().with_meta(self.meta());
    }

    /// Shortens it to `new_len` bytes; does nothing if it is not longer than that.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut payload = pipebuf_stages::websocket::Payload::from("hello");
    /// payload.truncate(2);
    /// assert_eq!(payload, b"he");
    /// ```
    pub fn truncate(&mut self, new_len: usize) {
        match &mut self.0 {
            Repr::Inline { bits, .. } => {
                if new_len < len_of(*bits) {
                    *bits = with_len(*bits, new_len);
                }
            }
            Repr::Heap { bits, heap } if new_len < heap.len() => {
                let meta = Meta(*bits);
                let mut vec = mem::take(heap).into_vec();
                vec.truncate(new_len);
                *self = Self::compact(vec).with_meta(meta);
            }
            Repr::Heap { .. } => {}
        }
    }

    /// The bytes as a `Vec<u8>`: the heap allocation itself if they are on the heap (no copy),
    /// a new one otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_stages::websocket::Payload;
    ///
    /// assert_eq!(Payload::from("abc").into_vec(), b"abc".to_vec());
    /// ```
    #[must_use]
    pub fn into_vec(self) -> Vec<u8> {
        match self.0 {
            Repr::Inline { .. } => self.as_slice().to_vec(),
            Repr::Heap { heap, .. } => heap.into_vec(),
        }
    }

    /// The meta bits a [`Message`](super::Message) keeps here.
    #[inline]
    pub(crate) const fn meta(&self) -> Meta {
        match self.0 {
            Repr::Inline { bits, .. } | Repr::Heap { bits, .. } => Meta(bits & META),
        }
    }

    /// Sets the meta bits a [`Message`](super::Message) keeps here.
    #[inline]
    pub(crate) const fn set_meta(&mut self, meta: Meta) {
        match &mut self.0 {
            Repr::Inline { bits, .. } | Repr::Heap { bits, .. } => *bits = *bits & !META | meta.0,
        }
    }

    /// The same payload with the meta bits `meta`.
    #[inline]
    #[must_use]
    pub(crate) const fn with_meta(mut self, meta: Meta) -> Self {
        self.set_meta(meta);
        self
    }

    /// The length of the payload of a whole text or binary message, from one test of its
    /// `bits` (and for an inline payload one read); `None` for anything else.
    #[inline]
    pub(crate) fn whole_data_len(&self) -> Option<usize> {
        match &self.0 {
            Repr::Inline { bits, .. } if bits & WHOLE_DATA == 0 => Some(len_of(*bits)),
            Repr::Heap { bits, heap } if bits & WHOLE_DATA == 0 => Some(heap.len()),
            _ => None,
        }
    }

    /// The bytes the payload holds on the heap: none when inline.
    #[inline]
    pub(crate) fn heap_len(&self) -> usize {
        match &self.0 {
            Repr::Inline { .. } => 0,
            Repr::Heap { heap, .. } => heap.len(),
        }
    }

    /// A heap payload with `meta`.
    fn heap(meta: Meta, heap: Box<[u8]>) -> Self {
        Self(Repr::Heap { bits: meta.0, heap })
    }

    /// A payload holding the bytes of `vec`: inline (and `vec` freed) if they fit, otherwise
    /// `vec`'s allocation, shrunk to fit.
    pub(crate) fn compact(vec: Vec<u8>) -> Self {
        if let Ok(len @ 0..=INLINE_U8) = u8::try_from(vec.len()) {
            let mut bytes = [0; Self::INLINE];
            bytes[..vec.len()].copy_from_slice(&vec);
            return Self(Repr::Inline { bits: len, bytes });
        }
        Self::heap(Meta::default(), vec.into_boxed_slice())
    }

    /// A payload holding `from` unmasked with `key` from key position 0, in one pass over the
    /// bytes.
    #[inline]
    pub(crate) fn from_masked(key: Option<[u8; 4]>, from: &[u8]) -> Self {
        let n = from.len();
        if let Ok(len @ 0..=INLINE_U8) = u8::try_from(n) {
            let mut bytes = [0; Self::INLINE];
            copy_short(&mut bytes, from);
            return Self(Repr::Inline { bits: len, bytes: masked_array(key, bytes) });
        }
        Self::from_masked_on_heap(key, 0, from)
    }

    /// A payload holding `from` unmasked with `key` from key position `offset % 4`.
    pub(crate) fn from_masked_at(key: Option<[u8; 4]>, offset: usize, from: &[u8]) -> Self {
        if let Ok(len @ 0..=INLINE_U8) = u8::try_from(from.len()) {
            let mut bytes = [0; Self::INLINE];
            let to = &mut bytes[..from.len()];
            match key {
                Some(key) => copy_masked(key, offset, to, from),
                None => to.copy_from_slice(from),
            }
            return Self(Repr::Inline { bits: len, bytes });
        }
        Self::from_masked_on_heap(key, offset, from)
    }

    /// The heap case of [`from_masked`](Self::from_masked), out of line so that the inline case
    /// stays a few instructions where it is inlined.
    #[inline(never)]
    fn from_masked_on_heap(key: Option<[u8; 4]>, offset: usize, from: &[u8]) -> Self {
        let mut vec = Vec::with_capacity(from.len());
        match key {
            Some(key) => extend_masked(&mut vec, key, offset, from),
            None => extend_unaliased(&mut vec, from),
        }
        Self::heap(Meta::default(), vec.into_boxed_slice())
    }

    /// A payload holding the first `len` bytes of `from` unmasked with `key` from key position
    /// 0, where `from` goes on past the payload (the rest of the wire buffer). While `from` has
    /// [`INLINE`](Self::INLINE) bytes, a short payload is copied as a block of that fixed size,
    /// without a `memcpy` call; the bytes past `len` mean nothing.
    #[inline]
    pub(crate) fn from_masked_prefix(
        key: Option<[u8; 4]>,
        from: &[u8],
        len: usize,
        meta: Meta,
    ) -> Self {
        if let (Ok(n @ 0..=INLINE_U8), Some(head)) = (u8::try_from(len), from.first_chunk()) {
            return Self(Repr::Inline { bits: n | meta.0, bytes: masked_array(key, *head) });
        }
        // invariant: the caller gives `from` at least `len` bytes, as documented.
        Self::from_masked(key, &from[..len]).with_meta(meta)
    }

    /// Makes this payload hold the first `len` bytes of `from` unmasked, with `meta`, as
    /// [`from_masked_prefix`](Self::from_masked_prefix) builds one, but in place: a short
    /// payload is written straight into an inline payload's storage (a slot of the messages'
    /// buffer), without building a message elsewhere and moving it.
    #[inline(always)]
    #[expect(
        clippy::inline_always,
        reason = "once per small message; as a call it cost more than its own work (callgrind)"
    )]
    pub(crate) fn set_masked_prefix(
        &mut self,
        key: Option<[u8; 4]>,
        from: &[u8],
        len: usize,
        meta: Meta,
    ) {
        if let (Ok(n @ 0..=INLINE_U8), Some(head), Repr::Inline { bits, bytes }) =
            (u8::try_from(len), from.first_chunk(), &mut self.0)
        {
            *bits = n | meta.0;
            *bytes = masked_array(key, *head);
            return;
        }
        self.replace_masked_prefix(key, from, len, meta);
    }

    /// The other cases of [`set_masked_prefix`](Self::set_masked_prefix), out of line so that
    /// its common case stays a few instructions where it is inlined.
    #[inline(never)]
    fn replace_masked_prefix(&mut self, key: Option<[u8; 4]>, from: &[u8], len: usize, meta: Meta) {
        *self = Self::from_masked_prefix(key, from, len, meta);
    }

    /// Writes the bytes masked with `key` (if any) from key position 0 at the start of `to`,
    /// which MUST be at least as long. An inline payload is written as a block of
    /// [`INLINE`](Self::INLINE) bytes when `to` has room for it, without a `memcpy` call: what
    /// lands past the payload's length is free space for the caller to overwrite or leave.
    #[inline]
    pub(crate) fn write_masked(&self, key: Option<[u8; 4]>, to: &mut [u8]) {
        if let (Repr::Inline { bytes, .. }, Some(head)) = (&self.0, to.first_chunk_mut()) {
            *head = masked_array(key, *bytes);
            return;
        }
        let from = self.as_slice();
        // invariant: `to` is at least as long as the payload, as documented.
        let to = &mut to[..from.len()];
        match key {
            Some(key) => copy_masked(key, 0, to, from),
            None => copy_unaliased(to, from),
        }
    }
}

impl Default for Payload {
    fn default() -> Self {
        Self::new()
    }
}

impl Deref for Payload {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl DerefMut for Payload {
    #[inline]
    fn deref_mut(&mut self) -> &mut [u8] {
        self.as_mut_slice()
    }
}

impl AsRef<[u8]> for Payload {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl AsMut<[u8]> for Payload {
    fn as_mut(&mut self) -> &mut [u8] {
        self
    }
}

impl Borrow<[u8]> for Payload {
    fn borrow(&self) -> &[u8] {
        self
    }
}

impl BorrowMut<[u8]> for Payload {
    fn borrow_mut(&mut self) -> &mut [u8] {
        self
    }
}

impl From<Vec<u8>> for Payload {
    /// Takes the vector's allocation over, whatever its length, without copying its bytes; the
    /// allocation is shrunk to fit if it has spare capacity.
    fn from(vec: Vec<u8>) -> Self {
        Self::heap(Meta::default(), vec.into_boxed_slice())
    }
}

impl From<&[u8]> for Payload {
    /// Copies the bytes: inline if they fit, otherwise into a new vector of their length.
    #[inline]
    fn from(data: &[u8]) -> Self {
        Self::from_masked(None, data)
    }
}

impl<const N: usize> From<&[u8; N]> for Payload {
    fn from(data: &[u8; N]) -> Self {
        Self::from(&data[..])
    }
}

impl<const N: usize> From<[u8; N]> for Payload {
    fn from(data: [u8; N]) -> Self {
        Self::from(&data[..])
    }
}

impl From<&str> for Payload {
    fn from(text: &str) -> Self {
        Self::from(text.as_bytes())
    }
}

impl From<&String> for Payload {
    fn from(text: &String) -> Self {
        Self::from(text.as_bytes())
    }
}

impl From<String> for Payload {
    /// Takes the string's storage over, without copying, as [`From<Vec<u8>>`] does.
    fn from(text: String) -> Self {
        Self::from(text.into_bytes())
    }
}

impl From<Payload> for Vec<u8> {
    fn from(payload: Payload) -> Self {
        payload.into_vec()
    }
}

impl Extend<u8> for Payload {
    fn extend<I: IntoIterator<Item = u8>>(&mut self, iter: I) {
        // Collected first: a heap payload reallocates on each append.
        let bytes: Vec<u8> = iter.into_iter().collect();
        self.extend_from_slice(&bytes);
    }
}

impl<'a> Extend<&'a u8> for Payload {
    fn extend<I: IntoIterator<Item = &'a u8>>(&mut self, iter: I) {
        self.extend(iter.into_iter().copied());
    }
}

impl FromIterator<u8> for Payload {
    fn from_iter<I: IntoIterator<Item = u8>>(iter: I) -> Self {
        Self::compact(iter.into_iter().collect())
    }
}

impl PartialEq for Payload {
    /// Compares the bytes, whichever way each side stores them.
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Payload {}

impl PartialEq<[u8]> for Payload {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<&[u8]> for Payload {
    fn eq(&self, other: &&[u8]) -> bool {
        self.as_slice() == *other
    }
}

impl<const N: usize> PartialEq<[u8; N]> for Payload {
    fn eq(&self, other: &[u8; N]) -> bool {
        self.as_slice() == other
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for Payload {
    fn eq(&self, other: &&[u8; N]) -> bool {
        self.as_slice() == *other
    }
}

impl PartialEq<Vec<u8>> for Payload {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl PartialEq<Payload> for Vec<u8> {
    fn eq(&self, other: &Payload) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl PartialEq<Payload> for [u8] {
    fn eq(&self, other: &Payload) -> bool {
        self == other.as_slice()
    }
}

impl PartialEq<Payload> for &[u8] {
    fn eq(&self, other: &Payload) -> bool {
        *self == other.as_slice()
    }
}

impl Hash for Payload {
    /// Hashes the bytes as `[u8]` does, so that a `Payload` and its slice hash alike (as
    /// [`Borrow<[u8]>`] requires).
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl fmt::Debug for Payload {
    /// Prints the bytes as a `Vec<u8>` prints, whichever way they are stored; of a payload
    /// longer than 64 bytes, the first 64 and the length, so that a large message printed in a
    /// log or a failed assertion does not flood it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.as_slice();
        match bytes.get(..DEBUG_BYTES) {
            Some(head) if bytes.len() > DEBUG_BYTES => {
                f.debug_list().entries(head).finish_non_exhaustive()?;
                write!(f, " ({} bytes)", bytes.len())
            }
            _ => fmt::Debug::fmt(bytes, f),
        }
    }
}

/// The most bytes of a payload that `Debug` prints.
const DEBUG_BYTES: usize = 64;

/// Copies `from`, at most [`Payload::INLINE`] bytes, to the start of `to` as two moves of a
/// fixed size that may overlap: no `memcpy` call and no loop for the bytes an application hands
/// over in a small message (a call cost a tenth of a 16-byte message's whole path, callgrind).
#[inline]
fn copy_short(to: &mut [u8; Payload::INLINE], from: &[u8]) {
    let n = from.len();
    // invariant: `from` is at most `INLINE` bytes long, so `..n` is within `to`, and each pair of
    // moves covers `..n`.
    for size in [16, 8, 4] {
        if n >= size {
            to[..size].copy_from_slice(&from[..size]);
            to[n - size..n].copy_from_slice(&from[n - size..]);
            return;
        }
    }
    for (to, from) in to.iter_mut().zip(from) {
        *to = *from;
    }
}

/// The length of an inline payload, from its `bits`.
#[inline]
const fn len_of(bits: u8) -> usize {
    (bits & LEN) as usize
}

/// `bits` with the length `len`, which is at most [`Payload::INLINE`].
#[inline]
fn with_len(bits: u8, len: usize) -> u8 {
    // At most `INLINE`, as documented, so it fits in the length bits.
    bits & META | u8::try_from(len).unwrap_or_default() & LEN
}

/// [`Payload::INLINE`] as the `u8` an inline payload keeps its length in.
#[expect(clippy::cast_possible_truncation, reason = "22 fits in a `u8`")]
const INLINE_U8: u8 = Payload::INLINE as u8;
/// The bits of `Repr`'s `bits` that hold an inline payload's length, and those that hold a
/// [`Meta`].
const LEN: u8 = 0x1F;
const META: u8 = !LEN;
/// Where a [`Meta`]'s kind starts, and its bit for `more`.
const KIND_SHIFT: u32 = 5;
const MORE: u8 = 0x80;
/// The bits of a [`Meta`] that are all zero for a whole text or binary message: `more` and the
/// kind's bit for ping and pong.
const WHOLE_DATA: u8 = MORE | 2 << KIND_SHIFT;

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;
    use core::hash::{Hash, Hasher};
    use core::mem::size_of;

    use super::Payload;

    /// Bytes `0..n`, wrapping at 251.
    fn bytes(n: usize) -> Vec<u8> {
        (0..n).map(|i| u8::try_from(i % 251).expect("a byte")).collect()
    }

    /// What `value` feeds a hasher, byte for byte.
    fn hashed<T: Hash + ?Sized>(value: &T) -> Vec<u8> {
        struct Record(Vec<u8>);
        impl Hasher for Record {
            fn finish(&self) -> u64 {
                0
            }
            fn write(&mut self, bytes: &[u8]) {
                self.0.extend_from_slice(bytes);
            }
        }
        let mut record = Record(Vec::new());
        value.hash(&mut record);
        record.0
    }

    #[test]
    fn a_payload_is_as_large_as_a_vec_and_a_message_as_before() {
        assert_eq!(size_of::<Payload>(), size_of::<Vec<u8>>());
        assert_eq!(size_of::<super::super::Message>(), 24);
    }

    #[test]
    fn slices_up_to_the_inline_size_stay_inline_and_longer_ones_go_to_the_heap() {
        for n in 0..=Payload::INLINE {
            let payload = Payload::from(&bytes(n)[..]);
            assert!(payload.is_inline(), "{n} bytes");
            assert_eq!(payload.as_slice(), &bytes(n)[..]);
            assert_eq!(payload.len(), n);
        }
        for n in [Payload::INLINE + 1, 64, 1000] {
            let payload = Payload::from(&bytes(n)[..]);
            assert!(!payload.is_inline(), "{n} bytes");
            assert_eq!(payload.as_slice(), &bytes(n)[..]);
        }
    }

    #[test]
    fn a_vec_is_kept_as_it_is_whatever_its_length() {
        let vec = vec![1, 2, 3];
        let at = vec.as_ptr();
        let payload = Payload::from(vec);
        assert!(!payload.is_inline());
        let back = payload.into_vec();
        assert_eq!((back.as_ptr(), back), (at, vec![1, 2, 3]));
    }

    #[test]
    fn growing_across_the_inline_size_keeps_every_byte() {
        let all = bytes(200);
        for step in [1, 3, 7, 29, 30, 31, 64] {
            let mut payload = Payload::new();
            let mut at = 0;
            while at < all.len() {
                let end = (at + step).min(all.len());
                payload.extend_from_slice(&all[at..end]);
                at = end;
                assert_eq!(payload.is_inline(), at <= Payload::INLINE, "step {step} at {at}");
                assert_eq!(payload.as_slice(), &all[..at], "step {step} at {at}");
            }
        }
        let mut payload = Payload::from(&all[..Payload::INLINE]);
        payload.push(9);
        assert!(!payload.is_inline());
        assert_eq!(payload.len(), Payload::INLINE + 1);
        assert_eq!(payload[Payload::INLINE], 9);
        // Cut back under the inline size, the bytes come back inline.
        payload.truncate(3);
        assert!(payload.is_inline());
        assert_eq!(payload, &all[..3]);
    }

    #[test]
    fn large_appends_go_straight_to_the_heap() {
        let mut payload = Payload::from("ab");
        payload.extend_from_slice(&bytes(5000));
        assert_eq!(&payload[..2], b"ab");
        assert_eq!(&payload[2..], &bytes(5000)[..]);
    }

    #[test]
    fn debug_prints_a_long_payload_as_its_first_bytes_and_its_length() {
        let long = Payload::from(vec![7; 100_000]);
        let head = alloc::format!("{:?}", [7u8; 64]);
        let expected = alloc::format!("{}, ..] (100000 bytes)", head.trim_end_matches(']'));
        assert_eq!(alloc::format!("{long:?}"), expected);
        assert_eq!(
            alloc::format!("{:?}", Payload::from(vec![1; 64])),
            alloc::format!("{:?}", [1u8; 64])
        );
    }

    #[test]
    fn equal_bytes_are_equal_in_either_representation() {
        for n in [0, 5, Payload::INLINE] {
            let inline = Payload::from(&bytes(n)[..]);
            let heap = Payload::from(bytes(n));
            assert!(inline.is_inline() && !heap.is_inline());
            assert_eq!(inline, heap);
            assert_eq!(hashed(&inline), hashed(&heap));
            assert_eq!(hashed(&inline), hashed(&bytes(n)[..]));
            assert_eq!(alloc::format!("{inline:?}"), alloc::format!("{:?}", bytes(n)));
            assert_eq!(alloc::format!("{heap:?}"), alloc::format!("{inline:?}"));
        }
        assert_ne!(Payload::from("ab"), Payload::from(b"abc".to_vec()));
        assert_eq!(Payload::from("abc"), b"abc");
        assert_eq!(Payload::from("abc"), &b"abc"[..]);
        assert_eq!(Payload::from("abc"), b"abc".to_vec());
        assert_eq!(b"abc".to_vec(), Payload::from("abc"));
    }

    #[test]
    fn inline_bytes_past_the_length_do_not_count() {
        let mut long = Payload::from("abcdef");
        long.truncate(3);
        assert_eq!(long, Payload::from("abc"));
        long.truncate(10);
        assert_eq!(long, b"abc");
        long.clear();
        assert!(long.is_empty() && long.is_inline());
        long.extend_from_slice(b"xy");
        assert_eq!(long, b"xy");
    }

    #[test]
    fn masked_copies_unmask_at_every_offset_and_length() {
        let key = [0x37, 0xfa, 0x21, 0x3d];
        let plain = bytes(700);
        for len in [0, 1, 3, 4, 7, 8, 15, 16, 30, 31, 64, 65, 300, 700] {
            for offset in 0..4 {
                // Byte `i` of the piece meets key byte `(offset + i) % 4` (RFC 6455, 5.3).
                let masked: Vec<u8> = plain[..len]
                    .iter()
                    .enumerate()
                    .map(|(i, b)| b ^ key[(offset + i) % 4])
                    .collect();
                if offset == 0 {
                    let payload = Payload::from_masked(Some(key), &masked);
                    assert_eq!(payload.as_slice(), &plain[..len], "{len} bytes");
                }
                let at = Payload::from_masked_at(Some(key), offset, &masked);
                assert_eq!(at.as_slice(), &plain[..len], "{len} bytes at {offset}, at once");
                let mut two = plain[..len / 2].to_vec();
                super::extend_masked(&mut two, key, offset + len / 2, &masked[len / 2..]);
                assert_eq!(two, &plain[..len], "{len} bytes at {offset}, in two");
            }
        }
    }

    #[test]
    fn every_change_to_the_bytes_keeps_a_messages_kind_and_flag() {
        use super::super::{Message, MessageKind};
        use super::Meta;

        let kinds = [MessageKind::Text, MessageKind::Binary, MessageKind::Ping, MessageKind::Pong];
        for kind in kinds {
            for more in [false, true] {
                let meta = Meta::new(kind, more);
                assert_eq!((meta.kind(), meta.has_more()), (kind, more));
                let mut payload = Payload::from("ab").with_meta(meta);
                payload.extend_from_slice(&bytes(40));
                assert!(!payload.is_inline());
                assert_eq!(payload.meta(), meta, "inline to heap");
                payload.truncate(3);
                assert!(payload.is_inline());
                assert_eq!((payload.meta(), payload.as_slice()), (meta, &b"ab\0"[..]));
                payload.push(7);
                payload.clear();
                assert_eq!((payload.meta(), payload.len()), (meta, 0));
                let message = Message::from_parts(payload, meta);
                assert_eq!((message.kind(), message.has_more()), (kind, more));
                let whole = kind != MessageKind::Ping && kind != MessageKind::Pong && !more;
                assert_eq!(message.whole_data_len(), whole.then_some(0));
            }
        }
    }

    #[test]
    fn a_message_written_in_place_replaces_what_the_slot_held() {
        use super::super::{Message, MessageKind};
        use super::Meta;

        let key = [1, 2, 3, 4];
        let plain = bytes(60);
        let masked: Vec<u8> = plain.iter().enumerate().map(|(i, b)| b ^ key[i % 4]).collect();
        let meta = Meta::new(MessageKind::Text, false);
        for len in [0, 5, Payload::INLINE, Payload::INLINE + 1, 40] {
            for held in [Message::binary([9; 3]), Message::binary(vec![9; 100]).with_more(true)] {
                // With room past the payload (a block copy) and without (the exact bytes).
                for from in [&masked[..], &masked[..len]] {
                    let mut slot = held.clone();
                    slot.set_masked_prefix(Some(key), from, len, meta);
                    assert_eq!(
                        slot,
                        Message::new(MessageKind::Text, &plain[..len]),
                        "{len} over {held:?}"
                    );
                    assert_eq!(slot.data().is_inline(), len <= Payload::INLINE);
                }
            }
        }
    }

    #[test]
    fn conversions_keep_the_bytes() {
        assert_eq!(Payload::from([1u8, 2]), [1, 2]);
        assert_eq!(Payload::from(&[1u8, 2]), [1, 2]);
        assert_eq!(Payload::from(alloc::string::String::from("s")), b"s");
        assert_eq!(Vec::from(Payload::from("s")), b"s".to_vec());
        assert_eq!((0..40u8).collect::<Payload>().as_slice(), &(0..40u8).collect::<Vec<_>>()[..]);
        let mut payload = Payload::default();
        payload.extend(&[1u8, 2]);
        assert_eq!(payload, [1, 2]);
        let spare = Vec::with_capacity(100);
        let mut spare: Vec<u8> = spare;
        spare.extend_from_slice(b"abc");
        let payload = Payload::from(spare);
        assert_eq!((payload.is_inline(), payload.as_slice()), (false, &b"abc"[..]));
        assert_eq!(Payload::compact(b"abc".to_vec()), b"abc");
        assert!(Payload::compact(b"abc".to_vec()).is_inline());
        assert!(!Payload::compact(bytes(Payload::INLINE + 1)).is_inline());
    }
}
