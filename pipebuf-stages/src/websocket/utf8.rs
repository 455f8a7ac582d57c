//! Validating the UTF-8 of a text message that arrives in pieces (RFC 6455, section 8.1).

use core::fmt;

/// Checks that a message is UTF-8 while its pieces arrive, and fails as soon as it cannot be.
///
/// Feed the payload of a text message with [`feed`](Self::feed), in pieces of any size (frames,
/// or parts of frames as they arrive), then call [`finish`](Self::finish) at the end of the
/// message. The validator keeps no copy of the data: only the at most 3 bytes of a character
/// that a piece ends inside, carried over to the next piece.
///
/// It fails fast, as RFC 6455 asks of an endpoint that fails the connection on invalid text: the
/// [`feed`](Self::feed) that brings the first byte that no valid UTF-8 can continue with returns
/// the error, not a later one. That covers stray continuation bytes, `C0`, `C1` and `F5` to `FF`,
/// overlong forms (`E0 80`, `F0 80`), surrogates (`ED A0` to `ED BF`, that is U+D800 to U+DFFF)
/// and code points above U+10FFFF (`F4 90`). A character cut off by the end of the message is
/// reported by [`finish`](Self::finish). The positions and lengths in [`Utf8Error`] are the ones
/// [`core::str::from_utf8`] reports for the whole message.
///
/// After an error, every later [`feed`](Self::feed) and [`finish`](Self::finish) returns the
/// same error until [`reset`](Self::reset).
///
/// # Examples
///
/// ```
/// use pipebuf_stages::websocket::{Utf8Error, Utf8Validator};
///
/// // "κόσμε" in three fragments that cut two characters in half.
/// let text = "κόσμε".as_bytes();
/// let mut utf8 = Utf8Validator::new();
/// utf8.feed(&text[..3])?;
/// utf8.feed(&text[3..6])?;
/// utf8.feed(&text[6..])?;
/// utf8.finish()?;
///
/// // A surrogate (U+D800 is `ED A0 80`) fails as soon as its second byte arrives, before the
/// // end of the message.
/// let mut utf8 = Utf8Validator::new();
/// utf8.feed(b"ab\xed")?;
/// assert_eq!(utf8.feed(b"\xa0\x80cd"), Err(Utf8Error::Invalid { position: 2, len: 1 }));
///
/// // A message that ends inside a character fails at its end.
/// let mut utf8 = Utf8Validator::new();
/// utf8.feed(b"ab\xe2\x82")?;
/// assert_eq!(utf8.finish(), Err(Utf8Error::Truncated { position: 2 }));
/// # Ok::<(), Utf8Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Utf8Validator {
    /// The bytes of the message before `partial`, all valid.
    valid: u64,
    /// The start of a character that the last piece ended inside.
    partial: [u8; 4],
    /// How many bytes of `partial` are used: 0 to 3.
    partial_len: usize,
    /// The error, once there has been one.
    error: Option<Utf8Error>,
}

impl Utf8Validator {
    /// Creates a validator at the start of a message.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_stages::websocket::Utf8Validator;
    ///
    /// // An empty message is valid.
    /// assert_eq!(Utf8Validator::new().finish(), Ok(()));
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the next piece of the message.
    ///
    /// A piece may end inside a character; its first bytes are kept and checked together with
    /// the next piece. An empty piece changes nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_stages::websocket::{Utf8Error, Utf8Validator};
    ///
    /// let mut utf8 = Utf8Validator::new();
    /// // "€" is `E2 82 AC`: any split of it is fine.
    /// utf8.feed(b"5 \xe2")?;
    /// utf8.feed(b"\x82")?;
    /// utf8.feed(b"\xac")?;
    /// utf8.finish()?;
    /// assert_eq!(utf8.valid_len(), 5);
    ///
    /// // An overlong "/" (`C0 AF`) fails at once.
    /// let mut utf8 = Utf8Validator::new();
    /// assert_eq!(utf8.feed(b"\xc0"), Err(Utf8Error::Invalid { position: 0, len: 1 }));
    /// # Ok::<(), Utf8Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Utf8Error::Invalid`] as soon as the message so far is not the start of any valid UTF-8,
    /// or the earlier error if there was one.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Utf8Error> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let result = self.feed_inner(bytes);
        if let Err(error) = result {
            self.error = Some(error);
        }
        result
    }

    /// Checks that the message ends here: that it does not end inside a character.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_stages::websocket::{Utf8Error, Utf8Validator};
    ///
    /// let mut utf8 = Utf8Validator::new();
    /// utf8.feed(b"\xf0\x9f\x98")?; // the first three bytes of U+1F600
    /// assert_eq!(utf8.finish(), Err(Utf8Error::Truncated { position: 0 }));
    /// utf8.feed(b"\x80")?;
    /// assert_eq!(utf8.finish(), Ok(()));
    /// # Ok::<(), Utf8Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Utf8Error::Truncated`] if the message ends inside a character, or the earlier error if
    /// there was one.
    pub fn finish(&self) -> Result<(), Utf8Error> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.partial_len == 0 {
            Ok(())
        } else {
            Err(Utf8Error::Truncated { position: self.valid })
        }
    }

    /// Returns the number of bytes fed so far that form whole, valid characters.
    ///
    /// After an error, this is the position of the error.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_stages::websocket::Utf8Validator;
    ///
    /// let mut utf8 = Utf8Validator::new();
    /// utf8.feed(b"ab\xc3")?;
    /// assert_eq!(utf8.valid_len(), 2);
    /// utf8.feed(b"\xa9")?;
    /// assert_eq!(utf8.valid_len(), 4);
    /// # Ok::<(), pipebuf_stages::websocket::Utf8Error>(())
    /// ```
    #[must_use]
    pub fn valid_len(&self) -> u64 {
        self.valid
    }

    /// Forgets the message so far, and any error, to validate a new message.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_stages::websocket::Utf8Validator;
    ///
    /// let mut utf8 = Utf8Validator::new();
    /// assert!(utf8.feed(b"\xff").is_err());
    /// utf8.reset();
    /// assert_eq!(utf8.feed(b"ok"), Ok(()));
    /// ```
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// [`feed`](Self::feed) without the earlier error.
    fn feed_inner(&mut self, bytes: &[u8]) -> Result<(), Utf8Error> {
        let mut bytes = bytes;
        if self.partial_len > 0 {
            // Complete the character the previous piece ended inside, with as many bytes as it
            // still needs; `core::str::from_utf8` on it says whether it is still possible.
            let have = self.partial_len;
            let need = char_len(self.partial[0]);
            let take = (need - have).min(bytes.len());
            self.partial[have..have + take].copy_from_slice(&bytes[..take]);
            match core::str::from_utf8(&self.partial[..have + take]) {
                Ok(_) => {
                    self.valid += need as u64;
                    self.partial_len = 0;
                }
                Err(error) => {
                    if let Some(len) = error.error_len() {
                        return Err(Utf8Error::Invalid { position: self.valid, len });
                    }
                    // Still a valid start; `take` used up the piece.
                    self.partial_len = have + take;
                    return Ok(());
                }
            }
            bytes = &bytes[take..];
        }
        match core::str::from_utf8(bytes) {
            Ok(_) => {
                self.valid += bytes.len() as u64;
                Ok(())
            }
            Err(error) => {
                let position = self.valid + error.valid_up_to() as u64;
                if let Some(len) = error.error_len() {
                    return Err(Utf8Error::Invalid { position, len });
                }
                // The piece ends inside a character that is valid so far: at most 3 bytes,
                // which `from_utf8` has checked as far as they go.
                let tail = &bytes[error.valid_up_to()..];
                self.partial[..tail.len()].copy_from_slice(tail);
                self.partial_len = tail.len();
                self.valid = position;
                Ok(())
            }
        }
    }
}

/// Invalid UTF-8 in a text message.
///
/// Positions count bytes from the start of the message, across all the pieces fed; they and the
/// lengths are what [`core::str::from_utf8`] reports for the whole message
/// ([`valid_up_to`](core::str::Utf8Error::valid_up_to) and
/// [`error_len`](core::str::Utf8Error::error_len)). RFC 6455 asks an endpoint to fail the
/// connection with status 1007 (invalid frame payload data) on either.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Utf8Error {
    /// Bytes that no valid UTF-8 contains at this place.
    Invalid {
        /// Where the bad sequence starts: the number of valid bytes before it.
        position: u64,
        /// The length of the bad sequence, 1 to 3 bytes: the longest start of a character
        /// before the byte that cannot continue it.
        len: usize,
    },
    /// The message ends inside a character.
    Truncated {
        /// Where the cut-off character starts: the number of valid bytes before it.
        position: u64,
    },
}

impl Utf8Error {
    /// Returns where the error starts, in bytes from the start of the message.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_stages::websocket::Utf8Validator;
    ///
    /// let mut utf8 = Utf8Validator::new();
    /// utf8.feed(b"abc")?;
    /// let error = utf8.feed(b"d\x80").unwrap_err();
    /// assert_eq!(error.position(), 4);
    /// # Ok::<(), pipebuf_stages::websocket::Utf8Error>(())
    /// ```
    #[must_use]
    pub fn position(&self) -> u64 {
        match *self {
            Utf8Error::Invalid { position, .. } | Utf8Error::Truncated { position } => position,
        }
    }
}

impl fmt::Display for Utf8Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Utf8Error::Invalid { position, len } => {
                write!(f, "invalid utf-8 sequence of {len} bytes at byte {position}")
            }
            Utf8Error::Truncated { position } => {
                write!(f, "message ends inside a utf-8 character that starts at byte {position}")
            }
        }
    }
}

impl core::error::Error for Utf8Error {}

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl From<Utf8Error> for std::io::Error {
    /// Makes an [`InvalidData`](std::io::ErrorKind::InvalidData) error that wraps the UTF-8 error.
    fn from(error: Utf8Error) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidData, error)
    }
}

/// Returns the length of the character that the lead byte `byte` starts; only called on the
/// first byte of a character that `from_utf8` found valid so far, so on `C2` to `F4`.
fn char_len(byte: u8) -> usize {
    match byte {
        0x00..=0x7f => 1,
        0x80..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xff => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_len_matches_the_encoder() {
        for c in ['a', 'é', '€', '😀', '\u{7f}', '\u{80}', '\u{7ff}', '\u{800}', '\u{ffff}'] {
            let mut buf = [0; 4];
            let encoded = c.encode_utf8(&mut buf);
            assert_eq!(char_len(encoded.as_bytes()[0]), c.len_utf8());
        }
    }
}
