//! One connection's pipeline on a mio `Poll`, with an application callback and a waker: the
//! client's half of what `MioServer` does.

use alloc::sync::Arc;
use core::error::Error;
use core::fmt;
use std::io;
use std::time::Instant;

use mio::{Events, Poll, Token, Waker};
use pipebuf::{Budget, Status};

use crate::MioConnection;
use crate::chain::Hung;
use crate::server::LINGER;

/// Runs the pipeline of one connection on a mio `Poll` until it is over: the TCP events go to
/// its [`TcpLink`](crate::TcpLink), and an application callback, called after every run of the
/// pipeline, takes what the pipeline's outputs hold and feeds its inputs. Another thread (one
/// reading standard input, say) wakes the loop with [`waker`](Self::waker).
///
/// As [`MioServer`](crate::MioServer) does for each of its connections, it registers the
/// interest the link reports, runs the pipeline until it rests, and lets a failed pipeline's
/// link write what the failed stage left (an alert, a Close frame) before it gives up, for at
/// most half a second.
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
/// use std::net::{TcpListener, TcpStream};
/// use pipebuf::{PipeBufPair, pipeline};
/// use pipebuf_stages::{MioClient, MioConnection, TcpLink};
///
/// /// Raw TCP, its far end is the application.
/// #[pipeline]
/// struct Raw {
///     tcp: TcpLink,
///     #[link(tcp.upper <->)]
///     app: PipeBufPair,
/// }
///
/// impl MioConnection for Raw {
///     fn tcp(&mut self) -> &mut TcpLink {
///         &mut self.tcp
///     }
/// }
///
/// // A server that answers in capitals and closes.
/// let listener = TcpListener::bind("127.0.0.1:0")?;
/// let addr = listener.local_addr()?;
/// std::thread::spawn(move || -> std::io::Result<()> {
///     let (mut peer, _) = listener.accept()?;
///     let mut text = String::new();
///     peer.read_to_string(&mut text)?;
///     peer.write_all(text.to_uppercase().as_bytes())
/// });
///
/// let stream = TcpStream::connect(addr)?;
/// stream.set_nonblocking(true)?;
/// let tcp = TcpLink::new(pipebuf_stages::mio::net::TcpStream::from_std(stream));
/// let mut client = MioClient::new(Raw::new(tcp))?;
/// let (mut sent, mut answer) = (false, Vec::new());
/// client.run(|raw| {
///     let mut app = raw.app();
///     let received = app.rd.len();
///     answer.extend_from_slice(app.rd.data());
///     app.rd.consume(received);
///     app.rd.consume_eof();
///     if !sent {
///         app.wr.append(b"hello");
///         app.wr.close();
///         sent = true;
///         return Ok(true);
///     }
///     Ok(received > 0)
/// })?;
/// assert_eq!(answer, b"HELLO");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct MioClient<C> {
    poll: Poll,
    waker: Arc<Waker>,
    conn: C,
}

/// The connection's token.
const TCP: Token = Token(0);
/// The token of the other threads' wake-ups.
const WAKE: Token = Token(1);

impl<C: MioConnection> MioClient<C> {
    /// Makes the poll and its waker for `conn`.
    ///
    /// # Errors
    ///
    /// The error of making the poll or the waker.
    pub fn new(conn: C) -> io::Result<Self> {
        let poll = Poll::new()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKE)?);
        Ok(MioClient { poll, waker, conn })
    }

    /// Returns the waker: another thread calls `wake()` on it when it has something for the
    /// application callback, which then runs.
    #[must_use]
    pub fn waker(&self) -> Arc<Waker> {
        self.waker.clone()
    }

    /// Returns the pipeline.
    #[must_use]
    pub fn conn(&self) -> &C {
        &self.conn
    }

    /// Runs until the pipeline is done (every stream in it has ended), calling `app` after
    /// every run of the pipeline. `app` returns true if it changed anything (took data, wrote
    /// some, ended a stream): the pipeline then runs again at once.
    ///
    /// # Errors
    ///
    /// The pipeline's first error, once the link has written what it could or half a second
    /// has passed; a stage that hung; the poll's errors; and `app`'s.
    pub fn run(
        &mut self,
        mut app: impl FnMut(&mut C) -> io::Result<bool>,
    ) -> Result<(), MioClientError<C::Error>> {
        let mut events = Events::with_capacity(64);
        let mut failed: Option<(C::Error, Instant)> = None;
        loop {
            // After a failure the pipeline still runs, without the failed stage, so that the
            // link writes what that stage left.
            let status = match self.conn.process_with(Budget::UNLIMITED) {
                Ok(Status::Hung { stage }) => return Err(MioClientError::Hung { stage }),
                Ok(status) => Some(status),
                Err(error) => {
                    failed.get_or_insert((error, Instant::now() + LINGER));
                    None
                }
            };
            let active = app(&mut self.conn).map_err(|source| MioClientError::App { source })?;
            let timeout = match failed {
                Some((source, deadline)) => {
                    if self.conn.tcp().interest().is_none() || Instant::now() >= deadline {
                        return Err(MioClientError::Pipeline { source });
                    }
                    failed = Some((source, deadline));
                    Some(deadline.saturating_duration_since(Instant::now()))
                }
                None if active => continue,
                None if status == Some(Status::Done) => return Ok(()),
                None => None,
            };
            let poll = |source| MioClientError::Poll { source };
            self.conn.tcp().register(self.poll.registry(), TCP).map_err(poll)?;
            match self.poll.poll(&mut events, timeout) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                result => result.map_err(poll)?,
            }
            for event in events.iter().filter(|event| event.token() == TCP) {
                self.conn.tcp().handle_event(event);
            }
        }
    }
}

/// Why [`MioClient::run`] stopped before the pipeline was done.
#[cfg_attr(docsrs, doc(cfg(feature = "mio")))]
#[derive(Debug)]
#[non_exhaustive]
pub enum MioClientError<E> {
    /// A stage of the pipeline failed; the link wrote what it could of what the stage left.
    Pipeline {
        /// The pipeline's error (a `#[pipeline]` error names the stage).
        source: E,
    },
    /// A stage kept reporting activity without changing anything: a bug in that stage.
    Hung {
        /// The stage's name in the pipeline.
        stage: &'static str,
    },
    /// Registering the socket or polling failed.
    Poll {
        /// The poll's error.
        source: io::Error,
    },
    /// The application callback failed.
    App {
        /// The callback's error.
        source: io::Error,
    },
}

impl<E> fmt::Display for MioClientError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MioClientError::Pipeline { .. } => f.write_str("the pipeline failed"),
            MioClientError::Hung { stage } => Hung(stage).fmt(f),
            MioClientError::Poll { .. } => f.write_str("the poll failed"),
            MioClientError::App { .. } => f.write_str("the application failed"),
        }
    }
}

impl<E: Error + 'static> Error for MioClientError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            MioClientError::Pipeline { source } => Some(source),
            MioClientError::Hung { .. } => None,
            MioClientError::Poll { source } | MioClientError::App { source } => Some(source),
        }
    }
}
