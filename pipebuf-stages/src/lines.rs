//! Splitting a byte stream into lines.

use alloc::vec::Vec;
use core::fmt;

use pipebuf::{Stage, tripwire};

/// Splits a byte stream into lines, one message per line.
///
/// A line ends at `\n`. The message is the line without its `\n`, and without the `\r` before it
/// if there is one, so that both `\n` and `\r\n` line ends work; any other `\r` stays. When the
/// input is closed, bytes after the last `\n` are the last line, emitted as they are (a trailing
/// `\r` stays, as there is no line end): this is what [`BufRead::lines`] does. An input that ends
/// with `\n` has no empty line after it.
///
/// A line of more than `max` bytes (counted as emitted, without its line end) is an error,
/// [`LineError::TooLong`]. It is caught as soon as the unread input holds more bytes without a
/// `\n` than such a line could have, so a peer that never sends `\n` cannot make the input grow
/// beyond `max + 1` bytes. The lines before the long one are emitted first.
///
/// A partial line stays in the input buffer until its `\n` arrives: the stage keeps no buffer of
/// its own, and copies each line once, into its message.
///
/// Ports: `input` (`PBufRd<u8>`) and `output` (`PBufWr<Vec<u8>>`).
///
/// | input | output |
/// | --- | --- |
/// | data | one message per complete line |
/// | push | push, once every complete line before it is emitted |
/// | close | the last, unterminated line if there is one, then close |
/// | abort | abort, after the complete lines; a partial line is dropped, not emitted |
///
/// The input buffer MUST be able to hold `max + 2` bytes (a longest line and its `\r\n`), or a
/// longest line can never arrive whole, and the stage waits for ever.
///
/// [`BufRead::lines`]: https://doc.rust-lang.org/std/io/trait.BufRead.html#method.lines
///
/// # Examples
///
/// ```
/// use pipebuf::{PBufState, PipeBuf, Stage};
/// use pipebuf_stages::{LineError, LineSplitter, LineSplitterPorts};
///
/// let (mut input, mut output) = (PipeBuf::new(), PipeBuf::<Vec<u8>>::new());
/// let mut lines = LineSplitter::new(16);
///
/// input.wr().append(b"GET / HTTP/1.1\r\nHost: a\r\nAcc");
/// assert!(lines.process(LineSplitterPorts { input: input.rd(), output: output.wr() })?);
/// assert_eq!(output.rd().data(), [b"GET / HTTP/1.1".to_vec(), b"Host: a".to_vec()]);
/// assert_eq!(input.rd().data(), b"Acc");
///
/// input.wr().append(b"ept: */*");
/// input.wr().close();
/// assert!(lines.process(LineSplitterPorts { input: input.rd(), output: output.wr() })?);
/// assert_eq!(output.rd().data().last(), Some(&b"Accept: */*".to_vec()));
/// assert_eq!(output.state(), PBufState::Closing);
///
/// // More than 16 bytes without a line end: an error, before the line is complete.
/// let (mut input, mut output) = (PipeBuf::new(), PipeBuf::<Vec<u8>>::new());
/// input.wr().append(b"ok\nthis line is far too long");
/// let error = lines.process(LineSplitterPorts { input: input.rd(), output: output.wr() });
/// assert_eq!(error, Err(LineError::TooLong { max: 16 }));
/// assert_eq!(output.rd().data(), [b"ok".to_vec()]);
/// # Ok::<(), LineError>(())
/// ```
#[derive(Stage, Clone, Debug)]
#[stage(ports(input: PBufRd, output: PBufWr<Vec<u8>>), error = LineError)]
pub struct LineSplitter {
    max: usize,
    /// How many bytes at the start of the unread input are known to hold no `\n`, so that a line
    /// that arrives in many small chunks is scanned once, not once per chunk.
    scanned: usize,
}

impl LineSplitter {
    /// Creates the stage, for lines of at most `max` bytes (line end not counted).
    ///
    /// # Examples
    ///
    /// ```
    /// let lines = pipebuf_stages::LineSplitter::new(1024);
    /// assert_eq!(lines.max(), 1024);
    /// ```
    #[must_use]
    pub const fn new(max: usize) -> Self {
        LineSplitter { max, scanned: 0 }
    }

    /// Returns the longest line allowed, in bytes, without its line end.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pipebuf_stages::LineSplitter::new(80).max(), 80);
    /// ```
    #[must_use]
    pub const fn max(&self) -> usize {
        self.max
    }

    /// Emits every complete line it can, then passes on push and end; the derived [`Stage`] impl
    /// calls this.
    fn process(&mut self, mut p: LineSplitterPorts<'_>) -> Result<bool, LineError> {
        let before = tripwire!(p.input, p.output);
        // Only this stage ends its output, and only once its input has ended: after that there
        // is nothing to do, and writing would panic.
        if p.output.is_eof() {
            return Ok(false);
        }
        loop {
            let data = p.input.data();
            let Some(line) = self.find_line(data)? else {
                break;
            };
            let Some([slot]) = p.output.try_space(1) else {
                // The output is full; the line waits in the input, and so do push and end.
                return Ok(before != tripwire!(p.input, p.output));
            };
            *slot = data.get(..line.len).unwrap_or_default().to_vec();
            p.output.commit(1);
            p.input.consume(line.consumed);
            self.scanned = 0;
        }
        if p.input.consume_push() {
            p.output.push();
        }
        if p.input.has_pending_eof() {
            if p.input.is_aborted() {
                // A partial line is not a line: the stream broke in the middle of it.
                p.input.consume(p.input.len());
                self.scanned = 0;
                p.input.consume_eof();
                p.output.abort();
            } else if self.emit_last_line(&mut p)? {
                p.input.consume_eof();
                p.output.close();
            }
        }
        Ok(before != tripwire!(p.input, p.output))
    }

    /// Finds the first complete line in `data`, or returns `None` if there is none yet.
    ///
    /// # Errors
    ///
    /// [`LineError::TooLong`] if the first line is too long, or is already certain to be.
    fn find_line(&mut self, data: &[u8]) -> Result<Option<Line>, LineError> {
        let from = self.scanned.min(data.len());
        let newline = data.get(from..).unwrap_or_default().iter().position(|&b| b == b'\n');
        let Some(end) = newline.map(|at| from + at) else {
            self.scanned = data.len();
            // The shortest this line can turn out to be: a last `\r` may be half of `\r\n`.
            let shortest = data.strip_suffix(b"\r").unwrap_or(data).len();
            return if shortest > self.max { Err(self.too_long()) } else { Ok(None) };
        };
        let line = data.get(..end).unwrap_or_default();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.len() > self.max {
            return Err(self.too_long());
        }
        Ok(Some(Line { len: line.len(), consumed: end + 1 }))
    }

    /// Emits what is left in a closed input as the last line, and returns true once that is done
    /// (at once if there is nothing left), false if the output has no room for it yet.
    fn emit_last_line(&mut self, p: &mut LineSplitterPorts<'_>) -> Result<bool, LineError> {
        let data = p.input.data();
        if data.is_empty() {
            return Ok(true);
        }
        if data.len() > self.max {
            return Err(self.too_long());
        }
        let Some([slot]) = p.output.try_space(1) else {
            return Ok(false);
        };
        *slot = data.to_vec();
        p.output.commit(1);
        p.input.consume(p.input.len());
        self.scanned = 0;
        Ok(true)
    }

    fn too_long(&self) -> LineError {
        LineError::TooLong { max: self.max }
    }
}

/// The error of a [`LineSplitter`].
///
/// # Examples
///
/// ```
/// use pipebuf_stages::LineError;
///
/// let error = LineError::TooLong { max: 80 };
/// assert_eq!(error.to_string(), "line longer than the maximum of 80 bytes");
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LineError {
    /// A line is longer than the maximum. The lines before it have been emitted; it and
    /// everything after it are still in the input.
    TooLong {
        /// The maximum, as given to [`LineSplitter::new`].
        max: usize,
    },
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineError::TooLong { max } => write!(f, "line longer than the maximum of {max} bytes"),
        }
    }
}

impl core::error::Error for LineError {}

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl From<LineError> for std::io::Error {
    /// Makes an [`InvalidData`](std::io::ErrorKind::InvalidData) error that wraps the line error.
    fn from(error: LineError) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidData, error)
    }
}

/// Where the first complete line lies in the input.
struct Line {
    /// The length of the line without its line end.
    len: usize,
    /// The length of the line with its line end: what to consume.
    consumed: usize,
}
