//! Length-prefixed frames: a 4-byte big-endian length, then that many bytes.

use alloc::vec::Vec;
use core::fmt;

use pipebuf::{Stage, tripwire};

/// Turns frames into bytes: each frame becomes its length as 4 bytes, big-endian, followed by its
/// bytes.
///
/// A frame of more than `max` bytes is an error, [`FrameError::TooLong`]; the frames before it
/// have been written. The header cannot announce more than `u32::MAX` bytes, so a larger `max` is
/// lowered to that.
///
/// A frame is written as far as the output has room, and the rest follows when there is room
/// again, so a bounded output of any size works.
///
/// Ports: `input` (`PBufRd<Vec<u8>>`) and `output` (`PBufWr<u8>`).
///
/// | input | output |
/// | --- | --- |
/// | a frame | its header and bytes |
/// | push | push, once every frame before it is written |
/// | close | close, once every frame is written |
/// | abort | abort, once every frame is written |
///
/// # Examples
///
/// ```
/// use pipebuf::{PBufState, PipeBuf, Stage};
/// use pipebuf_stages::{FrameError, LengthFramer, LengthFramerPorts};
///
/// let (mut frames, mut bytes) = (PipeBuf::<Vec<u8>>::new(), PipeBuf::new());
/// frames.wr().append(&[b"hi".to_vec(), Vec::new()]);
/// frames.wr().close();
///
/// let mut framer = LengthFramer::new(1024);
/// assert!(framer.process(LengthFramerPorts { input: frames.rd(), output: bytes.wr() })?);
/// assert_eq!(bytes.rd().data(), b"\0\0\0\x02hi\0\0\0\0");
/// assert_eq!(bytes.state(), PBufState::Closing);
/// # Ok::<(), FrameError>(())
/// ```
#[derive(Stage, Clone, Debug)]
#[stage(ports(input: PBufRd<Vec<u8>>, output: PBufWr), error = FrameError)]
pub struct LengthFramer {
    max: usize,
    /// How many bytes of the first frame in the input, header included, have been written.
    written: usize,
}

impl LengthFramer {
    /// Creates the stage, for frames of at most `max` bytes (header not counted), or `u32::MAX`
    /// if `max` is more.
    ///
    /// # Examples
    ///
    /// ```
    /// let framer = pipebuf_stages::LengthFramer::new(65536);
    /// assert_eq!(framer.max(), 65536);
    /// ```
    #[must_use]
    pub const fn new(max: usize) -> Self {
        LengthFramer { max: clamp_max(max), written: 0 }
    }

    /// Returns the largest frame allowed, in bytes, without its header.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pipebuf_stages::LengthFramer::new(100).max(), 100);
    /// ```
    #[must_use]
    pub const fn max(&self) -> usize {
        self.max
    }

    /// Writes every frame it can, then passes on push and end; the derived [`Stage`] impl calls
    /// this.
    fn process(&mut self, mut p: LengthFramerPorts<'_>) -> Result<bool, FrameError> {
        let before = tripwire!(p.input, p.output);
        // Only this stage ends its output, and only once its input has ended: after that there
        // is nothing to do, and writing would panic.
        if p.output.is_eof() {
            return Ok(false);
        }
        while let Some(frame) = p.input.data().first() {
            let header = match u32::try_from(frame.len()) {
                Ok(len) if frame.len() <= self.max => len.to_be_bytes(),
                _ => return Err(FrameError::TooLong { len: frame.len(), max: self.max }),
            };
            // A `Vec` holds at most `isize::MAX` bytes, so this does not saturate.
            let total = HEADER_LEN.saturating_add(frame.len());
            let want = total.saturating_sub(self.written);
            let room = p.output.free_space().map_or(want, |free| free.min(want));
            let space = p.output.try_space(room).filter(|space| !space.is_empty());
            let Some(space) = space else {
                // The output is full; the rest of the frame waits, and so do push and end.
                return Ok(before != tripwire!(p.input, p.output));
            };
            copy_from(&[&header, frame], self.written, space);
            p.output.commit(room);
            self.written += room;
            if self.written == total {
                self.written = 0;
                p.input.consume(1);
            }
        }
        if p.input.consume_push() {
            p.output.push();
        }
        if p.input.consume_eof() {
            if p.input.is_aborted() {
                p.output.abort();
            } else {
                p.output.close();
            }
        }
        Ok(before != tripwire!(p.input, p.output))
    }
}

/// Turns bytes into frames: each frame is a 4-byte big-endian length followed by that many bytes,
/// and becomes one message.
///
/// A header that announces more than `max` bytes is an error, [`FrameError::TooLong`], caught
/// from the header alone, before any of the frame's bytes are waited for. The frames before it
/// have been emitted. So a peer cannot make the input hold more than `max + 4` bytes.
///
/// A partial frame stays in the input buffer until it is complete: the stage keeps no buffer of
/// its own, and copies each frame's bytes once, into its message.
///
/// Ports: `input` (`PBufRd<u8>`) and `output` (`PBufWr<Vec<u8>>`).
///
/// | input | output |
/// | --- | --- |
/// | data | one message per complete frame |
/// | push | push, once every complete frame before it is emitted |
/// | close between frames | close |
/// | close inside a frame | the error [`FrameError::Truncated`]; the partial frame stays in the input |
/// | abort | abort, after the complete frames; a partial frame is dropped |
///
/// The input buffer MUST be able to hold `max + 4` bytes (a largest frame and its header), or a
/// largest frame can never arrive whole, and the stage waits for ever.
///
/// # Examples
///
/// ```
/// use pipebuf::{PipeBuf, Stage};
/// use pipebuf_stages::{FrameError, LengthDeframer, LengthDeframerPorts};
///
/// let (mut bytes, mut frames) = (PipeBuf::new(), PipeBuf::<Vec<u8>>::new());
/// let mut deframer = LengthDeframer::new(1024);
///
/// bytes.wr().append(b"\0\0\0\x02hi\0\0\0\x05wor");
/// assert!(deframer.process(LengthDeframerPorts { input: bytes.rd(), output: frames.wr() })?);
/// assert_eq!(frames.rd().data(), [b"hi".to_vec()]);
///
/// // The input closes in the middle of a frame: 3 of its 5 bytes came, after the 4-byte header.
/// bytes.wr().close();
/// let error = deframer.process(LengthDeframerPorts { input: bytes.rd(), output: frames.wr() });
/// assert_eq!(error, Err(FrameError::Truncated { len: Some(5), received: 7 }));
///
/// // A header that announces too much is refused at once.
/// let (mut bytes, mut frames) = (PipeBuf::new(), PipeBuf::<Vec<u8>>::new());
/// bytes.wr().append(&0x7fff_ffff_u32.to_be_bytes());
/// let error = deframer.process(LengthDeframerPorts { input: bytes.rd(), output: frames.wr() });
/// assert_eq!(error, Err(FrameError::TooLong { len: 0x7fff_ffff, max: 1024 }));
/// # Ok::<(), FrameError>(())
/// ```
#[derive(Stage, Clone, Debug)]
#[stage(ports(input: PBufRd, output: PBufWr<Vec<u8>>), error = FrameError)]
pub struct LengthDeframer {
    max: usize,
}

impl LengthDeframer {
    /// Creates the stage, for frames of at most `max` bytes (header not counted), or `u32::MAX`
    /// if `max` is more.
    ///
    /// # Examples
    ///
    /// ```
    /// let deframer = pipebuf_stages::LengthDeframer::new(usize::MAX);
    /// assert_eq!(deframer.max(), u32::MAX as usize);
    /// ```
    #[must_use]
    pub const fn new(max: usize) -> Self {
        LengthDeframer { max: clamp_max(max) }
    }

    /// Returns the largest frame allowed, in bytes, without its header.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pipebuf_stages::LengthDeframer::new(100).max(), 100);
    /// ```
    #[must_use]
    pub const fn max(&self) -> usize {
        self.max
    }

    /// Emits every complete frame it can, then passes on push and end; the derived [`Stage`] impl
    /// calls this.
    fn process(&mut self, mut p: LengthDeframerPorts<'_>) -> Result<bool, FrameError> {
        let before = tripwire!(p.input, p.output);
        // Only this stage ends its output, and only once its input has ended: after that there
        // is nothing to do, and writing would panic.
        if p.output.is_eof() {
            return Ok(false);
        }
        loop {
            let data = p.input.data();
            let Some((header, rest)) = data.split_first_chunk::<HEADER_LEN>() else {
                break;
            };
            let len = u32::from_be_bytes(*header);
            // Where `usize` is narrower than 32 bits, a length that does not fit is too long too.
            let len = usize::try_from(len).unwrap_or(usize::MAX);
            if len > self.max {
                return Err(FrameError::TooLong { len, max: self.max });
            }
            let Some(body) = rest.get(..len) else {
                break;
            };
            let Some([slot]) = p.output.try_space(1) else {
                // The output is full; the frame waits in the input, and so do push and end.
                return Ok(before != tripwire!(p.input, p.output));
            };
            *slot = body.to_vec();
            p.output.commit(1);
            // `len` bytes follow the header in `data`, so this is within its length.
            p.input.consume(HEADER_LEN + len);
        }
        if p.input.consume_push() {
            p.output.push();
        }
        if p.input.has_pending_eof() {
            if p.input.is_aborted() {
                // A partial frame is not a frame: the stream broke in the middle of it.
                p.input.consume(p.input.len());
                p.input.consume_eof();
                p.output.abort();
            } else if p.input.is_empty() {
                p.input.consume_eof();
                p.output.close();
            } else {
                return Err(truncated(p.input.data()));
            }
        }
        Ok(before != tripwire!(p.input, p.output))
    }
}

/// The error of a [`LengthFramer`] or a [`LengthDeframer`].
///
/// # Examples
///
/// ```
/// use pipebuf_stages::FrameError;
///
/// let error = FrameError::TooLong { len: 70_000, max: 65_536 };
/// assert_eq!(error.to_string(), "frame of 70000 bytes is longer than the maximum of 65536");
/// let error = FrameError::Truncated { len: None, received: 3 };
/// assert_eq!(error.to_string(), "input closed after 3 of the 4 bytes of a frame header");
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FrameError {
    /// A frame is longer than the maximum: a frame given to [`LengthFramer`], or a header read by
    /// [`LengthDeframer`]. The frames before it have been passed on; it and everything after it
    /// are still in the input.
    TooLong {
        /// The length of the frame, without its header.
        len: usize,
        /// The maximum, as the stage's `max` reports it.
        max: usize,
    },
    /// The input of a [`LengthDeframer`] was closed in the middle of a frame. The frames before
    /// it have been emitted; the partial frame is still in the input.
    Truncated {
        /// The length the frame's header announced, without the header; `None` if the input
        /// ended inside the header.
        len: Option<usize>,
        /// How many bytes of the frame arrived, header included.
        received: usize,
    },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            FrameError::TooLong { len, max } => {
                write!(f, "frame of {len} bytes is longer than the maximum of {max}")
            }
            FrameError::Truncated { len: None, received } => {
                write!(
                    f,
                    "input closed after {received} of the {HEADER_LEN} bytes of a frame header"
                )
            }
            FrameError::Truncated { len: Some(len), received } => {
                let total = HEADER_LEN.saturating_add(len);
                write!(f, "input closed after {received} of the {total} bytes of a frame")
            }
        }
    }
}

impl core::error::Error for FrameError {}

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl From<FrameError> for std::io::Error {
    /// Makes an [`InvalidData`](std::io::ErrorKind::InvalidData) error for a frame too long, or
    /// an [`UnexpectedEof`](std::io::ErrorKind::UnexpectedEof) error for a truncated one, that
    /// wraps the frame error.
    fn from(error: FrameError) -> Self {
        let kind = match error {
            FrameError::Truncated { .. } => std::io::ErrorKind::UnexpectedEof,
            FrameError::TooLong { .. } => std::io::ErrorKind::InvalidData,
        };
        std::io::Error::new(kind, error)
    }
}

/// The error for a partial frame, `data`, left at the end of the input.
fn truncated(data: &[u8]) -> FrameError {
    let len = data
        .first_chunk::<HEADER_LEN>()
        .map(|header| usize::try_from(u32::from_be_bytes(*header)).unwrap_or(usize::MAX));
    FrameError::Truncated { len, received: data.len() }
}

/// Copies the concatenation of `parts`, from `offset` bytes into it, into `dest`, as far as `dest`
/// reaches.
fn copy_from(parts: &[&[u8]], offset: usize, dest: &mut [u8]) {
    let (mut offset, mut dest) = (offset, dest);
    for part in parts {
        let from = part.get(offset..).unwrap_or_default();
        offset = offset.saturating_sub(part.len());
        let len = from.len().min(dest.len());
        let (to, rest) = dest.split_at_mut(len);
        to.copy_from_slice(from.get(..len).unwrap_or_default());
        dest = rest;
    }
}

/// Lowers a maximum frame size to what a header can announce.
const fn clamp_max(max: usize) -> usize {
    // `u32::MAX` fits in `usize` wherever `usize` is 32 bits or wider; elsewhere `max` is lower.
    if max as u64 > u32::MAX as u64 { u32::MAX as usize } else { max }
}

/// The size of a frame header.
const HEADER_LEN: usize = 4;
