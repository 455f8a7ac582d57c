//! A stage over any `std::io::Read + Write` stream, and the read/write core that the mio stages
//! share with it.

use core::fmt;
use std::io::{self, ErrorKind, Read, Write};
use std::net::Shutdown;

use pipebuf::{PBufRd, PBufRdWr, PBufState, PBufWr, Stage, tripwire};

use crate::unit::Unit;

/// Connects a byte stream of `std::io` (a socket, a file, a pipe, anything `Read + Write`) to a
/// duplex port, reading into and writing out of the shared buffers with no copy of its own.
///
/// Port: `upper` (`PBufRdWr`): `upper.rd` carries the bytes to write to the stream, `upper.wr`
/// the bytes read from it. It chains under a stage whose port is `lower` (TLS, for example).
///
/// Each call of `process` first writes all it can of `upper.rd`, then reads once, at most
/// [`max_read`](StdStream::max_read) bytes and never more than `upper.wr` has room for (its
/// limit is respected; it is never grown beyond). Where the stream's read or write says
/// `WouldBlock` (a non-blocking socket), that direction waits for the next call.
///
/// | event | pipe |
/// | --- | --- |
/// | bytes read | appended to `upper.wr` |
/// | read returns 0 (end of file, peer FIN) | `upper.wr` closed |
/// | `WouldBlock` | nothing: that direction waits for the next call |
/// | `Interrupted` | the call is retried |
/// | `ConnectionReset`, `ConnectionAborted`, `BrokenPipe` | `upper.wr` aborted; what `upper.rd` holds, and all it gets later, is dropped (see [`is_reset`](StdStream::is_reset)) |
/// | any other error | [`StreamError`]; a `#[pipeline]` then aborts `upper.wr` |
/// | data in `upper.rd` | written at once |
/// | push on `upper.rd` | the stream is flushed, once the data before it is written |
/// | close of `upper.rd` | once all is written: flush, then the shutdown hook with [`Shutdown::Write`]; `upper.wr` still read |
/// | abort of `upper.rd` | the data not yet written is dropped (the peer sees no reset, so it must not read a whole stream), the shutdown hook is called with [`Shutdown::Both`], and `upper.wr` is aborted |
///
/// A `Read + Write` has no way to end one direction, so without a hook
/// ([`with_shutdown`](StdStream::with_shutdown)) a close only flushes and an abort does nothing
/// to the stream: the owner ends it, for example by dropping it. With a socket, give the hook, as
/// in the example, so that the peer sees the end.
///
/// With a blocking stream, `process` blocks in the write until it is done and in the read until
/// some bytes come: use it for files, pipes, or protocols where each side waits for the other's
/// turn. Full duplex traffic needs a non-blocking stream.
///
/// # Examples
///
/// ```no_run
/// use std::net::TcpStream;
///
/// use pipebuf::{PipeBufPair, Stage};
/// use pipebuf_stages::{StdStream, StdStreamPorts};
///
/// let socket = TcpStream::connect("127.0.0.1:7")?;
/// let mut link = StdStream::new(socket).with_shutdown(|s, how| s.shutdown(how));
/// let mut pair = PipeBufPair::new();
/// pair.lower().wr.append(b"hello");
/// pair.lower().wr.close();
/// // Writes "hello", sends a FIN, then waits for the echo (a blocking socket).
/// link.process(StdStreamPorts { upper: pair.upper() })?;
/// assert!(!pair.lower().rd.data().is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
#[derive(Stage)]
#[stage(ports(upper: PBufRdWr), error = StreamError)]
pub struct StdStream<S: Read + Write> {
    stream: S,
    core: Core,
    shutdown: Option<fn(&mut S, Shutdown) -> io::Result<()>>,
}

impl<S: Read + Write> StdStream<S> {
    /// Creates the stage over `stream`, with no shutdown hook and a read unit of
    /// [`DEFAULT_MAX_READ`] bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Cursor;
    ///
    /// let link = pipebuf_stages::StdStream::new(Cursor::new(Vec::new()));
    /// assert_eq!(link.max_read(), pipebuf_stages::DEFAULT_MAX_READ);
    /// ```
    #[must_use]
    pub fn new(stream: S) -> Self {
        StdStream { stream, core: Core::new(false), shutdown: None }
    }

    /// Sets the function that ends the stream at a close ([`Shutdown::Write`]) or an abort
    /// ([`Shutdown::Both`]) of `upper.rd`: for a socket, `|s, how| s.shutdown(how)`.
    ///
    /// An error from it at a close is [`StreamError::Shutdown`]; at an abort,
    /// [`StreamError::Abort`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::{TcpListener, TcpStream};
    ///
    /// let listener = TcpListener::bind("127.0.0.1:0")?;
    /// let socket = TcpStream::connect(listener.local_addr()?)?;
    /// let link = pipebuf_stages::StdStream::new(socket).with_shutdown(|s, how| s.shutdown(how));
    /// assert_eq!(link.max_read(), pipebuf_stages::DEFAULT_MAX_READ);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn with_shutdown(mut self, shutdown: fn(&mut S, Shutdown) -> io::Result<()>) -> Self {
        self.shutdown = Some(shutdown);
        self
    }

    /// Sets the most bytes one read asks for; 0 counts as 1.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Cursor;
    ///
    /// let link = pipebuf_stages::StdStream::new(Cursor::new(Vec::new())).with_max_read(0);
    /// assert_eq!(link.max_read(), 1);
    /// ```
    #[must_use]
    pub fn with_max_read(mut self, max_read: usize) -> Self {
        self.core.set_max_read(max_read);
        self
    }

    /// Sets backpressure marks: the stage stops reading while `upper.wr` holds more than `high`
    /// unread bytes, and reads again once it holds `low` or fewer (`low` is at most `high`).
    /// Without marks it reads whenever `upper.wr` has room (a limit on the link bounds it).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Cursor;
    /// use pipebuf::{PipeBufPair, Stage};
    /// use pipebuf_stages::{StdStream, StdStreamPorts};
    ///
    /// let mut link = StdStream::new(Cursor::new(vec![7; 1000])).with_max_read(64).with_marks(100, 10);
    /// let mut pair = PipeBufPair::new();
    /// while link.process(StdStreamPorts { upper: pair.upper() })? {}
    /// assert_eq!(pair.lower().rd.len(), 128); // stopped past 100
    /// pair.lower().rd.consume(50);
    /// link.process(StdStreamPorts { upper: pair.upper() })?;
    /// assert_eq!(pair.lower().rd.len(), 78); // still above 10: paused
    /// pair.lower().rd.consume(70);
    /// link.process(StdStreamPorts { upper: pair.upper() })?;
    /// assert_eq!(pair.lower().rd.len(), 72); // at 8, reading again
    /// # Ok::<(), pipebuf_stages::StreamError>(())
    /// ```
    #[must_use]
    pub fn with_marks(mut self, high: usize, low: usize) -> Self {
        self.core.set_marks(high, low);
        self
    }

    /// Returns the most bytes one read asks for.
    #[must_use]
    pub fn max_read(&self) -> usize {
        self.core.read.most()
    }

    /// Returns true once the stream reported a reset (`ConnectionReset`, `ConnectionAborted`
    /// or `BrokenPipe`): `upper.wr` was aborted, if it had not ended, and everything written to
    /// `upper.rd` since is dropped.
    #[must_use]
    pub fn is_reset(&self) -> bool {
        self.core.out == Out::Discard
    }

    /// Returns how many bytes were read from the stream and written to it so far, `(in, out)`.
    #[must_use]
    pub fn bytes(&self) -> (u64, u64) {
        (self.core.bytes_in, self.core.bytes_out)
    }

    /// Returns the stream.
    #[must_use]
    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    /// Returns the stream, to change its settings. Reading or writing it directly mixes its
    /// bytes with the stage's.
    #[must_use]
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// Returns the stream, and drops the stage.
    #[must_use]
    pub fn into_inner(self) -> S {
        self.stream
    }

    /// Writes, then reads; the derived [`Stage`] impl calls this.
    fn process(&mut self, mut p: StdStreamPorts<'_>) -> Result<bool, StreamError> {
        let before = tripwire!(p.upper.rd, p.upper.wr);
        let due = self.core.transfer(&mut self.stream, &mut p.upper)?;
        if let Some(end) = due {
            let how = match end {
                End::Close => Shutdown::Write,
                End::Abort => Shutdown::Both,
            };
            let result = self.shutdown.map_or(Ok(()), |shutdown| shutdown(&mut self.stream, how));
            self.core.ended(end, result, &mut p.upper)?;
        }
        Ok(due.is_some() || before != tripwire!(p.upper.rd, p.upper.wr))
    }
}

impl<S: Read + Write + fmt::Debug> fmt::Debug for StdStream<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StdStream")
            .field("stream", &self.stream)
            .field("core", &self.core)
            .field("shutdown", &self.shutdown.is_some())
            .finish()
    }
}

/// The error of a stream stage ([`StdStream`], and `TcpLink` and `UnixLink` with feature
/// `mio`): an I/O error that is not a reset, with the operation that met it.
///
/// A reset (`ConnectionReset`, `ConnectionAborted`, `BrokenPipe`) is no error: it aborts the
/// inbound pipe instead.
///
/// # Examples
///
/// ```
/// use std::io::{self, ErrorKind};
///
/// use pipebuf_stages::StreamError;
///
/// let error = StreamError::Read { source: ErrorKind::InvalidData.into() };
/// assert_eq!(error.to_string(), "reading the stream failed");
/// assert_eq!(io::Error::from(error).kind(), ErrorKind::InvalidData);
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
#[derive(Debug)]
#[non_exhaustive]
pub enum StreamError {
    /// A read failed.
    Read {
        /// The error of the read.
        source: io::Error,
    },
    /// A write failed, or wrote nothing (`WriteZero`).
    Write {
        /// The error of the write.
        source: io::Error,
    },
    /// A flush failed.
    Flush {
        /// The error of the flush.
        source: io::Error,
    },
    /// Ending the outbound direction at a close failed.
    Shutdown {
        /// The error of the shutdown.
        source: io::Error,
    },
    /// Ending the stream at an abort failed; the stream was ended as well as it could be.
    Abort {
        /// The error of the abort.
        source: io::Error,
    },
    /// A connection did not come up.
    Connect {
        /// The error of the connection.
        source: io::Error,
    },
}

impl StreamError {
    /// Returns the I/O error.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::ErrorKind;
    ///
    /// let error = pipebuf_stages::StreamError::Write { source: ErrorKind::WriteZero.into() };
    /// assert_eq!(error.io_error().kind(), ErrorKind::WriteZero);
    /// ```
    #[must_use]
    pub fn io_error(&self) -> &io::Error {
        match self {
            StreamError::Read { source }
            | StreamError::Write { source }
            | StreamError::Flush { source }
            | StreamError::Shutdown { source }
            | StreamError::Abort { source }
            | StreamError::Connect { source } => source,
        }
    }
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StreamError::Read { .. } => "reading the stream failed",
            StreamError::Write { .. } => "writing the stream failed",
            StreamError::Flush { .. } => "flushing the stream failed",
            StreamError::Shutdown { .. } => "shutting down the stream failed",
            StreamError::Abort { .. } => "aborting the stream failed",
            StreamError::Connect { .. } => "connecting failed",
        })
    }
}

impl core::error::Error for StreamError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(self.io_error())
    }
}

impl From<StreamError> for io::Error {
    fn from(error: StreamError) -> Self {
        let kind = error.io_error().kind();
        io::Error::new(kind, error)
    }
}

/// The read unit of a new stream stage: the most bytes one read asks for. Reads start at 1 KiB
/// and double up to it while each fills its unit, so that a connection that moves little keeps
/// a small buffer.
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub const DEFAULT_MAX_READ: usize = 65536;

/// The read/write logic of every stream stage, over any `Read + Write`: the stage around it
/// owns the stream and ends it when [`Core::transfer`] says so.
#[derive(Clone, Debug)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "two readiness flags, a mode and a direction's end: independent, not a state machine"
)]
pub(crate) struct Core {
    /// What the next read asks for, up to the most one read may ask for.
    pub(crate) read: Unit,
    /// The stream may be readable: set by readiness events, cleared by `WouldBlock` in edge
    /// mode, always set otherwise.
    pub(crate) readable: bool,
    /// The stream may be writable, as `readable`.
    pub(crate) writable: bool,
    /// Edge mode: `WouldBlock` clears the readiness flag until the next readiness event.
    edge: bool,
    /// In edge mode, read until `WouldBlock` even after a short read: the readiness may carry an
    /// end or an error that only a read finds. Otherwise a short read ends the readiness, since
    /// it emptied the socket's queue and what arrives later raises a new event.
    pub(crate) drain: bool,
    /// An abort reaches the peer as a reset, which tells it from a close: what the stream takes
    /// at once is written before it. Without one (a FIN, or a UNIX socket's end), the data is
    /// dropped instead, so that the peer never reads a whole stream that then merely ends.
    pub(crate) write_before_abort: bool,
    /// The inbound direction is over: this core ended `upper.wr`, or the stream cannot be read.
    pub(crate) in_ended: bool,
    pub(crate) out: Out,
    /// The bytes read from and written to the stream so far.
    pub(crate) bytes_in: u64,
    pub(crate) bytes_out: u64,
    /// Backpressure: stop reading above the high mark of unread bytes in `upper.wr`, read again
    /// at or below the low one.
    pub(crate) marks: Option<(usize, usize)>,
    paused: bool,
}

/// Where the outbound direction stands.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Out {
    /// Data is written as it comes.
    Open,
    /// The stream was shut down for writing after a close.
    Closed,
    /// The stream was ended after an abort.
    Aborted,
    /// The stream broke: everything that comes is dropped.
    Discard,
}

/// An end that the stage must now apply to its stream.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// All is written: end the outbound direction cleanly.
    Close,
    /// End the stream as broken, at once.
    Abort,
}

impl Core {
    /// A core with readiness unknown (`edge`: wait for the first event) or assumed (not `edge`).
    pub(crate) fn new(edge: bool) -> Self {
        Core {
            read: Unit::new(DEFAULT_MAX_READ),
            readable: !edge,
            writable: !edge,
            edge,
            drain: false,
            write_before_abort: false,
            in_ended: false,
            out: Out::Open,
            bytes_in: 0,
            bytes_out: 0,
            marks: None,
            paused: false,
        }
    }

    pub(crate) fn set_marks(&mut self, high: usize, low: usize) {
        self.marks = Some((high, low.min(high)));
    }

    pub(crate) fn set_max_read(&mut self, max_read: usize) {
        self.read = self.read.with_most(max_read);
    }

    /// Writes what it can, then reads once; returns the end the caller must apply to the stream
    /// and then report with [`Core::ended`].
    pub(crate) fn transfer<S: Read + Write>(
        &mut self,
        stream: &mut S,
        upper: &mut PBufRdWr<'_>,
    ) -> Result<Option<End>, StreamError> {
        let due = self.write_out(stream, upper)?;
        if due == Some(End::Abort) {
            return Ok(due);
        }
        self.read_in(stream, upper)?;
        // A reset met by the read makes a shutdown pointless.
        Ok(due.filter(|_| self.out == Out::Open))
    }

    /// Records how applying `end` went.
    pub(crate) fn ended(
        &mut self,
        end: End,
        result: io::Result<()>,
        upper: &mut PBufRdWr<'_>,
    ) -> Result<(), StreamError> {
        match end {
            End::Close => match result {
                Ok(()) => self.out = Out::Closed,
                Err(e) if is_reset(&e) || e.kind() == ErrorKind::NotConnected => {
                    self.broken(upper);
                }
                Err(source) => return Err(StreamError::Shutdown { source }),
            },
            End::Abort => {
                self.out = Out::Aborted;
                self.in_ended = true;
                upper.wr.abort();
                result.map_err(|source| StreamError::Abort { source })?;
            }
        }
        Ok(())
    }

    /// The stream broke: abort the inbound pipe, drop the outbound one from now on.
    pub(crate) fn broken(&mut self, upper: &mut PBufRdWr<'_>) {
        self.out = Out::Discard;
        self.in_ended = true;
        upper.wr.abort();
        discard(&mut upper.rd);
    }

    /// True if the outbound direction needs the stream to become writable to go on.
    #[cfg(feature = "mio")]
    pub(crate) fn wants_write(&self, rd: &PBufRd<'_>) -> bool {
        self.out == Out::Open
            && (!rd.is_empty() || matches!(rd.state(), PBufState::Push | PBufState::Closing))
    }

    /// True if the inbound direction needs the stream to become readable to go on.
    pub(crate) fn wants_read(&self, wr: &PBufWr<'_>) -> bool {
        !self.in_ended && !wr.is_eof() && !wr.is_full() && !self.paused
    }

    fn write_out<S: Write>(
        &mut self,
        stream: &mut S,
        upper: &mut PBufRdWr<'_>,
    ) -> Result<Option<End>, StreamError> {
        let rd = &mut upper.rd;
        match self.out {
            Out::Open => {}
            Out::Discard => {
                discard(rd);
                return Ok(None);
            }
            Out::Closed | Out::Aborted => return Ok(None),
        }
        // An abort is urgent: what the stream takes at once may still go out before a reset (a
        // TLS alert written just before the abort, say); the rest is dropped, as the reset would
        // drop it.
        let aborting = rd.state() == PBufState::Aborting;
        if aborting && !self.write_before_abort {
            discard(rd);
            return Ok(Some(End::Abort));
        }
        while (self.writable || aborting) && !rd.is_empty() {
            match stream.write(rd.data()) {
                Ok(0) if aborting => break,
                Ok(0) => return Err(StreamError::Write { source: ErrorKind::WriteZero.into() }),
                // A faulty `Write` may claim more than it was given; never trust it past that.
                Ok(len) => {
                    let len = len.min(rd.len());
                    rd.consume(len);
                    self.bytes_out += len as u64;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    self.writable = !self.edge;
                    if aborting {
                        break;
                    }
                    return Ok(None);
                }
                Err(e) if is_reset(&e) => {
                    self.broken(upper);
                    return Ok(None);
                }
                Err(_) if aborting => break,
                Err(source) => return Err(StreamError::Write { source }),
            }
        }
        if aborting {
            discard(rd);
            return Ok(Some(End::Abort));
        }
        if !rd.is_empty() || !matches!(rd.state(), PBufState::Push | PBufState::Closing) {
            return Ok(None);
        }
        // Push or close, with everything before it written: flush first.
        match retry_interrupted(|| stream.flush()) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                self.writable = !self.edge;
                return Ok(None);
            }
            Err(e) if is_reset(&e) => {
                self.broken(upper);
                return Ok(None);
            }
            Err(source) => return Err(StreamError::Flush { source }),
        }
        let rd = &mut upper.rd;
        rd.consume_push();
        Ok(rd.consume_eof().then_some(End::Close))
    }

    fn read_in<S: Read>(
        &mut self,
        stream: &mut S,
        upper: &mut PBufRdWr<'_>,
    ) -> Result<(), StreamError> {
        let wr = &mut upper.wr;
        if let Some((high, low)) = self.marks {
            if wr.exceeds_limit(high) {
                self.paused = true;
            } else if !wr.exceeds_limit(low) {
                self.paused = false;
            }
        }
        if !self.readable || !self.wants_read(wr) {
            return Ok(());
        }
        let room = self.read.room(wr.free_space());
        let Some(space) = wr.try_space(room) else {
            return Ok(());
        };
        match retry_interrupted(|| stream.read(space)) {
            Ok(0) => {
                self.in_ended = true;
                wr.close();
            }
            // A faulty `Read` may claim more than it was given; never trust it past that.
            Ok(len) => {
                let len = len.min(room);
                wr.commit(len);
                self.bytes_in += len as u64;
                self.read.fit(len, room);
                // Saves the read that would only say `WouldBlock`, once per wake. Only epoll
                // promises an event for data that comes after a short read; mio asks for reads
                // until `WouldBlock` elsewhere (on Windows it re-arms only then).
                if SHORT_READ_ENDS_READINESS && self.edge && len < room && !self.drain {
                    self.readable = false;
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                self.readable = !self.edge;
                self.drain = false;
            }
            Err(e) if is_reset(&e) => self.broken(upper),
            Err(source) => return Err(StreamError::Read { source }),
        }
        Ok(())
    }
}

/// Whether a short read ends edge-triggered readiness: on epoll, data that arrives after a read
/// emptied the socket raises a new event.
const SHORT_READ_ENDS_READINESS: bool = cfg!(any(target_os = "linux", target_os = "android"));

/// True for the errors that say the connection broke.
pub(crate) fn is_reset(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe
    )
}

/// Drops everything `rd` holds, and its push and end.
fn discard(rd: &mut PBufRd<'_>) {
    rd.consume(rd.len());
    rd.consume_push();
    rd.consume_eof();
}

fn retry_interrupted<R>(mut op: impl FnMut() -> io::Result<R>) -> io::Result<R> {
    loop {
        match op() {
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{self, ErrorKind, Read, Write};

    use pipebuf::PipeBufPair;

    use super::Core;

    /// A non-blocking stream that holds `queued` bytes, then says `WouldBlock`; counts reads.
    struct Queue {
        queued: usize,
        reads: usize,
    }

    impl Read for Queue {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.reads += 1;
            let len = self.queued.min(buf.len());
            if len == 0 {
                return Err(ErrorKind::WouldBlock.into());
            }
            self.queued -= len;
            Ok(len)
        }
    }

    impl Write for Queue {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Reads until the core stops; returns how many reads the stream saw.
    fn reads_for(core: &mut Core, queued: usize) -> usize {
        let mut stream = Queue { queued, reads: 0 };
        let mut pair = PipeBufPair::new();
        for _ in 0..100 {
            core.transfer(&mut stream, &mut pair.lower()).expect("no error");
        }
        assert_eq!(pair.upper().rd.len(), queued);
        stream.reads
    }

    #[test]
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn in_edge_mode_a_short_read_ends_plain_readiness_but_not_an_end_or_error() {
        let mut core = Core::new(true);
        core.readable = true;
        assert_eq!(reads_for(&mut core, 10), 1);
        assert!(!core.readable);
        // Readiness that may carry an end is read until `WouldBlock`.
        core.readable = true;
        core.drain = true;
        assert_eq!(reads_for(&mut core, 10), 2);
        assert!(!core.readable && !core.drain);
        // A full read leaves more to read: the next read goes on.
        core.readable = true;
        assert!(reads_for(&mut core, 5000) > 2);
        // Not in edge mode, every call reads.
        let mut level = Core::new(false);
        assert_eq!(reads_for(&mut level, 10), 100);
    }
}
