//! TCP and UNIX stream stages on mio 1.x: the stream's bytes go straight into and out of the
//! shared buffers, and its ends map onto the pipes' close and abort.

use core::fmt;
use core::time::Duration;
use std::io::{self, ErrorKind, Read, Write};
use std::net::Shutdown;

use mio::event::Event;
use mio::net::TcpStream;
#[cfg(unix)]
use mio::net::UnixStream;
use mio::{Interest, Registry, Token};
use pipebuf::{PBufRdWr, Stage, tripwire};

use crate::io::{Core, End, Out, StreamError, is_reset};

/// Connects a mio [`TcpStream`] to a duplex port, reading into and writing out of the shared
/// buffers with no copy of its own.
///
/// Port: `upper` (`PBufRdWr`): `upper.rd` carries the bytes to send, `upper.wr` the bytes
/// received. It chains under a stage whose port is `lower` (TLS, for example).
///
/// | event | pipe |
/// | --- | --- |
/// | bytes received | appended to `upper.wr`: one read per call, at most [`max_read`](TcpLink::max_read) bytes and never more than `upper.wr` has room for |
/// | peer FIN (read returns 0) | `upper.wr` closed; `upper.rd` is still sent |
/// | peer RST (`ConnectionReset`, `ConnectionAborted`, `BrokenPipe`, on a read or a write) | `upper.wr` aborted, if it had not ended; what `upper.rd` holds, and all it gets later, is dropped: it cannot be delivered ([`is_reset`](TcpLink::is_reset) says so) |
/// | connection refused, or any other I/O error | [`StreamError`] (`Connect`, `Read`, `Write`, `Shutdown`); a `#[pipeline]` then aborts `upper.wr` |
/// | data in `upper.rd` | written at once, as far as the socket takes it |
/// | push on `upper.rd` | nothing more: writes are never held back; set [`set_nodelay`](TcpLink::set_nodelay) for latency |
/// | close of `upper.rd` | once all is written, `shutdown(Write)`: the peer reads an EOF, and `upper.wr` is still read |
/// | abort of `upper.rd` | what the socket takes at once is written (so a TLS alert just before the abort still goes out), the rest is dropped, `SO_LINGER` is set to 0 and the socket closed: the peer gets an RST, never a FIN; `upper.wr` is aborted |
///
/// **Readiness.** The stage never reads or writes before the glue has reported readiness: a
/// new stage waits for its first event, so a connecting socket is not touched before it is
/// writable, and then the stage checks that the connection came up. It keeps edge-triggered
/// semantics: readiness reported by [`handle_event`](TcpLink::handle_event) (or
/// [`set_ready`](TcpLink::set_ready)) is remembered until a read or write says `WouldBlock`. On
/// Linux and Android (epoll), after a plain readable event, it also ends when a read returns less
/// than it asked for: that read emptied the socket's queue, and what arrives later raises a new
/// event, so the read that would only say `WouldBlock` is saved. An event that reports an end or
/// an error is read until the socket says so.
///
/// **Interest.** [`interest`](TcpLink::interest) says which events the stage waits for, as of
/// its last `process`: readable while `upper.wr` is open and has room, writable while there is
/// data or an end to send or a connection to finish. The glue MUST register the stream with it,
/// and SHOULD `reregister` whenever it changes, so that a full buffer does not keep waking the
/// loop and an empty one is woken: [`register`](TcpLink::register), after each run of the
/// pipeline, does both.
///
/// After an abort the socket is closed (closing removes it from the poll), and
/// [`stream`](TcpLink::stream) returns `None`.
///
/// # Examples
///
/// ```no_run
/// use mio::{Events, Poll, Token};
/// use pipebuf::{PipeBufPair, Stage};
/// use pipebuf_stages::{TcpLink, TcpLinkPorts};
///
/// let mut poll = Poll::new()?;
/// let stream = mio::net::TcpStream::connect("127.0.0.1:7".parse()?)?;
/// let mut link = TcpLink::new(stream);
/// link.register(poll.registry(), Token(0))?;
/// let mut pair = PipeBufPair::new();
/// pair.lower().wr.append(b"hello");
/// pair.lower().wr.close();
///
/// let mut events = Events::with_capacity(16);
/// while !pair.lower().rd.is_done() {
///     poll.poll(&mut events, None)?;
///     events.iter().for_each(|event| link.handle_event(event));
///     while link.process(TcpLinkPorts { upper: pair.upper() })? {}
///     // The application would consume `pair.lower().rd` here, then process again.
///     link.register(poll.registry(), Token(0))?;
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "mio")))]
#[derive(Stage)]
#[stage(ports(upper: PBufRdWr), error = StreamError)]
pub struct TcpLink {
    link: Link<TcpStream>,
}

/// Connects a mio [`UnixStream`] to a duplex port, as [`TcpLink`] does a TCP stream.
///
/// Port: `upper` (`PBufRdWr`): `upper.rd` carries the bytes to send, `upper.wr` the bytes
/// received.
///
/// The events map onto the pipes as for [`TcpLink`], but UNIX sockets have no RST:
///
/// | event | pipe |
/// | --- | --- |
/// | bytes received | appended to `upper.wr`, one read of at most [`max_read`](UnixLink::max_read) bytes per call, within its room |
/// | peer closes or shuts down (read returns 0) | `upper.wr` closed |
/// | `ConnectionReset`, `ConnectionAborted`, `BrokenPipe` (the peer closed while we were writing, or with our data unread) | `upper.wr` aborted, if it had not ended; `upper.rd` dropped from then on ([`is_reset`](UnixLink::is_reset)) |
/// | any other I/O error | [`StreamError`] |
/// | data, push on `upper.rd` | written at once; push needs nothing more |
/// | close of `upper.rd` | once all is written, `shutdown(Write)`; `upper.wr` is still read |
/// | abort of `upper.rd` | what is not yet written is dropped, the socket is shut down both ways and closed, and `upper.wr` is aborted. The peer reads an EOF, as after a close (Linux reports `ConnectionReset` instead if data it had sent was left unread here): a protocol above MUST mark its own clean end (TLS `close_notify`, a WebSocket Close frame) to tell the two apart |
///
/// Readiness and interest work as for [`TcpLink`].
///
/// # Examples
///
/// ```
/// use pipebuf::{PipeBufPair, Stage};
/// use pipebuf_stages::{UnixLink, UnixLinkPorts};
///
/// let (ours, mut theirs) = mio::net::UnixStream::pair()?;
/// let mut link = UnixLink::new(ours);
/// link.set_ready(true, true); // Glue with a `Poll` gets this from the first event.
/// let mut pair = PipeBufPair::new();
/// pair.lower().wr.append(b"ping");
/// pair.lower().wr.close();
/// while link.process(UnixLinkPorts { upper: pair.upper() })? {}
///
/// let mut received = Vec::new();
/// std::io::Read::read_to_end(&mut theirs, &mut received)?;
/// assert_eq!(received, b"ping");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(unix)]
#[cfg_attr(docsrs, doc(cfg(all(feature = "mio", unix))))]
#[derive(Stage)]
#[stage(ports(upper: PBufRdWr), error = StreamError)]
pub struct UnixLink {
    link: Link<UnixStream>,
}

/// The methods that `TcpLink` and `UnixLink` share, written once.
macro_rules! link_methods {
    ($name:ident, $ports:ident, $stream:ident) => {
        impl $name {
            /// Creates the stage over `stream`, connected or connecting. It waits for the first
            /// readiness event before it touches the stream, and reads at most
            #[doc = concat!("[`DEFAULT_MAX_READ`](crate::DEFAULT_MAX_READ) bytes at a time.")]
            #[must_use]
            pub fn new(stream: $stream) -> Self {
                $name { link: Link::new(stream) }
            }

            /// Sets the most bytes one read asks for; 0 counts as 1.
            #[must_use]
            pub fn with_max_read(mut self, max_read: usize) -> Self {
                self.link.core.set_max_read(max_read);
                self
            }

            /// Sets backpressure marks: the stage stops reading (and asks for no `READABLE`
            /// interest) while `upper.wr` holds more than `high` unread bytes, and reads again
            /// once it holds `low` or fewer (`low` is at most `high`); the kernel's buffers then
            /// push back on the peer. See `StdStream::with_marks`.
            #[must_use]
            pub fn with_marks(mut self, high: usize, low: usize) -> Self {
                self.link.core.set_marks(high, low);
                self
            }

            /// Returns the most bytes one read asks for.
            #[must_use]
            pub fn max_read(&self) -> usize {
                self.link.core.read.most()
            }

            /// Records the readiness that a mio event reports for the stream: readable (or read
            /// closed, or an error) and writable (or write closed, or an error).
            ///
            /// Readiness is remembered until a read or a write says `WouldBlock` (or a short
            /// read ends plain readable readiness, see the type's docs). Events for other tokens
            /// MUST NOT be given.
            pub fn handle_event(&mut self, event: &Event) {
                let error = event.is_error();
                let ended = event.is_read_closed() || error;
                let core = &mut self.link.core;
                core.readable |= event.is_readable() || ended;
                core.writable |= event.is_writable() || event.is_write_closed() || error;
                // An end or an error is read until the stream says so; after plain readiness, a
                // short read is enough.
                core.drain |= ended;
            }

            /// Records readiness: each flag that is true marks that direction as ready until a
            /// read or a write says `WouldBlock`; a false flag changes nothing.
            pub fn set_ready(&mut self, readable: bool, writable: bool) {
                self.link.core.readable |= readable;
                self.link.core.writable |= writable;
                // Readiness from elsewhere may carry an end: read until `WouldBlock`.
                self.link.core.drain |= readable;
            }

            /// Returns the events the stage waits for, as of its last `process`, or `None` if
            /// it waits for none (both directions are over, or the buffers leave nothing to
            /// do).
            ///
            /// The glue MUST register the stream with this interest and SHOULD `reregister`
            /// it each time it changes. A new stage waits for `WRITABLE`: the end of a
            /// connect.
            #[must_use]
            pub fn interest(&self) -> Option<Interest> {
                self.link.interest
            }

            /// Registers the stream with `registry` under `token` for the stage's
            /// [`interest`](Self::interest), or re-registers it if that changed since the last
            /// call; the glue of a `Poll` calls this after each run of the pipeline. While the
            /// stage waits for no events (mio has no empty interest), or once an abort has
            /// closed the stream, it does nothing.
            ///
            /// # Errors
            ///
            /// The registry's.
            pub fn register(&mut self, registry: &Registry, token: Token) -> io::Result<()> {
                let link = &mut self.link;
                if link.interest == link.registered {
                    return Ok(());
                }
                if let (Some(stream), Some(interest)) = (link.stream.as_mut(), link.interest) {
                    if link.registered.is_some() {
                        registry.reregister(stream, token, interest)?;
                    } else {
                        registry.register(stream, token, interest)?;
                    }
                    link.registered = Some(interest);
                }
                Ok(())
            }

            /// Returns true once the stream has been seen connected.
            #[must_use]
            pub fn is_connected(&self) -> bool {
                self.link.connected
            }

            /// Returns true once the connection broke (`ConnectionReset`,
            /// `ConnectionAborted`, `BrokenPipe`): `upper.wr` was aborted, if it had not ended,
            /// and everything written to `upper.rd` since is dropped.
            #[must_use]
            pub fn is_reset(&self) -> bool {
                self.link.core.out == Out::Discard
            }

            /// Returns how many bytes were read from the stream and written to it so far,
            /// `(in, out)`.
            #[must_use]
            pub fn bytes(&self) -> (u64, u64) {
                (self.link.core.bytes_in, self.link.core.bytes_out)
            }

            /// Returns the stream, or `None` once an abort has closed it.
            #[must_use]
            pub fn stream(&self) -> Option<&$stream> {
                self.link.stream.as_ref()
            }

            /// Returns the stream, to register it with a `Poll`, or `None` once an abort has
            /// closed it. Reading or writing it directly mixes its bytes with the stage's.
            #[must_use]
            pub fn stream_mut(&mut self) -> Option<&mut $stream> {
                self.link.stream.as_mut()
            }

            /// Returns the stream, or `None` once an abort has closed it, and drops the stage.
            #[must_use]
            pub fn into_stream(self) -> Option<$stream> {
                self.link.stream
            }

            /// Connects, writes and reads; the derived [`Stage`] impl calls this.
            fn process(&mut self, mut p: $ports<'_>) -> Result<bool, StreamError> {
                self.link.process(&mut p.upper)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("stream", &self.link.stream)
                    .field("connected", &self.link.connected)
                    .field("core", &self.link.core)
                    .field("interest", &self.link.interest)
                    .field("registered", &self.link.registered)
                    .finish()
            }
        }
    };
}

link_methods!(TcpLink, TcpLinkPorts, TcpStream);
#[cfg(unix)]
link_methods!(UnixLink, UnixLinkPorts, UnixStream);

impl TcpLink {
    /// Sets `TCP_NODELAY`: each write goes out at once instead of waiting to fill a segment.
    ///
    /// # Errors
    ///
    /// The socket's error, or `NotConnected` once an abort has closed it.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.link.stream.as_ref().ok_or(ErrorKind::NotConnected)?.set_nodelay(nodelay)
    }
}

/// What the stages need from a mio stream besides `Read + Write`.
trait Socket: Read + Write {
    /// True if an abort sends a reset, which the peer tells from a close.
    const RESETS: bool;
    fn take_error(&self) -> io::Result<Option<io::Error>>;
    /// True if connected, false while connecting.
    fn is_connected(&self) -> io::Result<bool>;
    fn shutdown(&self, how: Shutdown) -> io::Result<()>;
    /// Ends the connection as broken, and closes the socket.
    fn abort(self) -> io::Result<()>;
}

impl Socket for TcpStream {
    const RESETS: bool = true;

    fn take_error(&self) -> io::Result<Option<io::Error>> {
        TcpStream::take_error(self)
    }

    fn is_connected(&self) -> io::Result<bool> {
        connected(self.peer_addr().map(drop))
    }

    fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        TcpStream::shutdown(self, how)
    }

    fn abort(self) -> io::Result<()> {
        // With a linger time of 0, closing sends an RST and drops what is unsent.
        let result = socket2::SockRef::from(&self).set_linger(Some(Duration::ZERO));
        drop(self);
        result
    }
}

#[cfg(unix)]
impl Socket for UnixStream {
    const RESETS: bool = false;

    fn take_error(&self) -> io::Result<Option<io::Error>> {
        UnixStream::take_error(self)
    }

    fn is_connected(&self) -> io::Result<bool> {
        connected(self.peer_addr().map(drop))
    }

    fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        UnixStream::shutdown(self, how)
    }

    fn abort(self) -> io::Result<()> {
        // UNIX sockets have no RST: shut down both ways, so that nothing more moves, and close.
        let result = match UnixStream::shutdown(&self, Shutdown::Both) {
            Err(e) if e.kind() == ErrorKind::NotConnected => Ok(()),
            result => result,
        };
        drop(self);
        result
    }
}

/// The stage over one mio stream, minus the stream's type.
struct Link<S> {
    /// `None` once an abort has closed it.
    stream: Option<S>,
    core: Core,
    connected: bool,
    interest: Option<Interest>,
    /// The interest the stream is registered with, by [`TcpLink::register`].
    registered: Option<Interest>,
}

impl<S: Socket> Link<S> {
    fn new(stream: S) -> Self {
        let mut core = Core::new(true);
        core.write_before_abort = S::RESETS;
        Link {
            stream: Some(stream),
            core,
            connected: false,
            interest: Some(Interest::WRITABLE),
            registered: None,
        }
    }

    fn process(&mut self, upper: &mut PBufRdWr<'_>) -> Result<bool, StreamError> {
        let before = tripwire!(upper.rd, upper.wr);
        let mut changed = false;
        let result = self.run(upper, &mut changed);
        self.interest = self.interest(upper);
        result?;
        Ok(changed || before != tripwire!(upper.rd, upper.wr))
    }

    fn run(&mut self, upper: &mut PBufRdWr<'_>, changed: &mut bool) -> Result<(), StreamError> {
        let Some(stream) = self.stream.as_mut() else {
            return Ok(());
        };
        if !self.connected && !upper.rd.is_aborted() {
            if !self.core.writable {
                return Ok(());
            }
            if let Some(source) =
                stream.take_error().map_err(|source| StreamError::Connect { source })?
            {
                if !is_reset(&source) {
                    return Err(StreamError::Connect { source });
                }
                // The connection was made and then reset before the first readiness: an abort,
                // as at any other time, not a failed connect.
                self.connected = true;
                self.core.broken(upper);
                *changed = true;
                return Ok(());
            }
            match stream.is_connected() {
                Ok(true) => {
                    self.connected = true;
                    *changed = true;
                }
                Ok(false) => {
                    self.core.writable = false;
                    return Ok(());
                }
                Err(source) => return Err(StreamError::Connect { source }),
            }
        }
        let due = if self.connected {
            self.core.transfer(stream, upper)?
        } else {
            // Aborted while connecting: nothing was sent; reset what there is.
            upper.rd.consume(upper.rd.len());
            upper.rd.consume_eof();
            Some(End::Abort)
        };
        match due {
            None => {}
            Some(End::Close) => {
                let result = stream.shutdown(Shutdown::Write);
                self.core.ended(End::Close, result, upper)?;
                *changed = true;
            }
            Some(End::Abort) => {
                let result = self.stream.take().map_or(Ok(()), Socket::abort);
                *changed = true;
                self.core.ended(End::Abort, result, upper)?;
            }
        }
        Ok(())
    }

    fn interest(&self, upper: &PBufRdWr<'_>) -> Option<Interest> {
        self.stream.as_ref()?;
        if !self.connected {
            return Some(Interest::WRITABLE);
        }
        match (self.core.wants_read(&upper.wr), self.core.wants_write(&upper.rd)) {
            (true, true) => Some(Interest::READABLE | Interest::WRITABLE),
            (true, false) => Some(Interest::READABLE),
            (false, true) => Some(Interest::WRITABLE),
            (false, false) => None,
        }
    }
}

/// Turns the result of `peer_addr` into whether the socket is connected.
fn connected(peer: io::Result<()>) -> io::Result<bool> {
    match peer {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::NotConnected => Ok(false),
        Err(e) => Err(e),
    }
}
