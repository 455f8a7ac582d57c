//! The tokio driver: runs a pipeline over any tokio `AsyncRead + AsyncWrite`, both directions at
//! once, in one task, with the same read/write core as the other stream stages.

use core::fmt;
use core::future::{Future, poll_fn};
use core::pin::{Pin, pin};
use core::task::{Context, Poll};
use core::time::Duration;
use std::io::{self, ErrorKind, Read, Write};

use ::tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use ::tokio::sync::Notify;
use ::tokio::sync::futures::Notified;
use ::tokio::time::{Instant, Sleep, sleep};
use pipebuf::{Budget, PBufRdWr, Pipeline, Status};

use crate::StreamError;
use crate::chain::Hung;
use crate::io::{Core, End, Out};

/// A pipeline whose bottom link is external, so that [`TokioDriver`] connects it to a stream.
///
/// `#[pipeline]` gives an external link (`#[link(<-> tls.lower)] wire: PipeBufPair`) an
/// accessor of the same name that returns its outside end; this trait names it for the driver.
///
/// # Examples
///
/// ```
/// use pipebuf::{PBufRdWr, PipeBufPair, pipeline};
/// use pipebuf_stages::{Echo, TokioConnection};
///
/// /// Sends back every byte.
/// #[pipeline]
/// struct ByteEcho {
///     echo: Echo,
///     #[link(<-> echo.io)]
///     wire: PipeBufPair,
/// }
///
/// impl TokioConnection for ByteEcho {
///     fn wire(&mut self) -> PBufRdWr<'_> {
///         // The accessor `#[pipeline]` generated: inherent methods come first.
///         self.wire()
///     }
/// }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub trait TokioConnection: Pipeline {
    /// Returns the outside end of the pipeline's bottom link: `rd` holds the bytes to send to
    /// the stream, `wr` takes the bytes read from it.
    fn wire(&mut self) -> PBufRdWr<'_>;
}

/// Runs a [`TokioConnection`] over a tokio stream (a `TcpStream`, a `UnixStream`, a TLS stream
/// of another crate, a `DuplexStream`) in one task, both directions at once.
///
/// Each time the task wakes, the driver writes what the pipeline's bottom link holds for the
/// stream and reads once into the free space of its incoming buffer (with no copy but the
/// read itself), and, when anything moved or the application asked for it, runs the pipeline
/// and then the application's hook. It sleeps when neither the stream, nor the pipeline, nor
/// the application ([`run_with`](TokioDriver::run_with)'s `wake`) has anything to do. The
/// stream's ends and the pipeline's map onto each other as the other stream stages do
/// ([`StdStream`](crate::StdStream)):
///
/// | event | pipe |
/// | --- | --- |
/// | bytes read | appended to the wire's incoming buffer |
/// | read returns 0 (end of file, peer FIN) | the incoming buffer closed |
/// | `ConnectionReset`, `ConnectionAborted`, `BrokenPipe` | the incoming buffer aborted; what goes out later is dropped |
/// | any other error | the incoming buffer aborted, the pipeline run once more, and the run ends with [`TokioError::Stream`] |
/// | push on the outgoing buffer | the stream flushed |
/// | close of the outgoing buffer | once all is written: `poll_shutdown` (a FIN); the stream is still read |
/// | abort of the outgoing buffer | the abort hook ([`with_abort`](TokioDriver::with_abort)) is called and the run ends (the driver's drop then closes the stream); without a hook, what is not yet written is dropped, so that the peer does not take the end for a clean one |
///
/// **Backpressure.** While the incoming buffer holds more than the high mark of unread bytes,
/// the driver reads no more, so the peer's writes block once the socket buffers are full; it
/// reads again at or below the low mark ([`with_marks`](TokioDriver::with_marks); by default
/// 64 KiB and 16 KiB). The buffer then holds at most the high mark plus one read
/// ([`with_max_read`](TokioDriver::with_max_read)). For this to bound the memory of the whole
/// pipeline, the stages above MUST stop taking input when their outputs are full: give the
/// links that the application drains a limit (`#[link(..., limit = N)]`).
///
/// **The application.** A pipeline with an external application link is fed and drained from
/// outside: by the hook, which the driver calls after each run of the pipeline, and which
/// returns true when it changed the pipeline's links (then the pipeline runs again). When the
/// application has something for the pipeline from elsewhere (a message to push, a shutdown),
/// or is ready to take more (a slow consumer), it calls `notify_one` (or `notify_waiters`) on
/// the `Notify` given to `run_with`: the driver wakes, runs the pipeline and calls the hook. A
/// `notify_waiters` sent while the driver is busy is not lost: the driver starts waiting for
/// the next one before it calls the hook.
///
/// **The end.** The run ends once the stream is over in both directions (the peer closed or
/// reset it, and the outgoing buffer was closed and written, or aborted), or, after the
/// pipeline failed, once the outgoing buffer has ended (the failing stage's abort travels down
/// to it, after what that stage left for the peer: an alert, a Close frame). It never times
/// out: wrap it in `tokio::time::timeout` or a `select!` for that. The pipeline stays with the
/// caller, with whatever its outputs hold, and the stream with the driver until it is dropped.
///
/// A run of the pipeline makes at most `budget` passes before the driver looks at the stream
/// again, and after 16 rounds of I/O and runs the task yields to the runtime, so that one busy
/// connection cannot starve the others on the same thread. When the connection has been quiet
/// for the idle time (1 s by default), the driver gives back the storage of the pipeline's empty
/// links ([`release_empty_links`](Pipeline::release_empty_links)). The runtime MUST have its
/// timer enabled (`enable_time` or `enable_all`).
///
/// # Examples
///
/// ```no_run
/// # use pipebuf::{PBufRdWr, PipeBufPair, pipeline};
/// # use pipebuf_stages::{Echo, TokioConnection};
/// # #[pipeline]
/// # struct ByteEcho { echo: Echo, #[link(<-> echo.io)] wire: PipeBufPair }
/// # impl TokioConnection for ByteEcho {
/// #     fn wire(&mut self) -> PBufRdWr<'_> { self.wire() }
/// # }
/// use pipebuf_stages::TokioDriver;
/// use tokio::net::TcpListener;
///
/// # async fn serve() -> std::io::Result<()> {
/// let listener = TcpListener::bind("127.0.0.1:7000").await?;
/// loop {
///     let (stream, peer) = listener.accept().await?;
///     tokio::spawn(async move {
///         let mut echo = ByteEcho::new(Echo::new());
///         let report = TokioDriver::new(stream).run(&mut echo).await;
///         println!("{peer}: {report:?}");
///     });
/// }
/// # }
/// # drop(serve());
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub struct TokioDriver<S> {
    stream: S,
    core: Core,
    abort: Option<fn(&mut S)>,
    budget: Budget,
    idle: Duration,
}

impl<S: AsyncRead + AsyncWrite + Unpin> TokioDriver<S> {
    /// Creates the driver over `stream`, with the default marks (64 KiB high, 16 KiB low), a
    /// read unit of [`DEFAULT_MAX_READ`](crate::DEFAULT_MAX_READ) bytes, a budget of 16 passes,
    /// an idle time of 1 s and no abort hook.
    ///
    /// # Examples
    ///
    /// ```
    /// let (ours, _peer) = tokio::io::duplex(1024);
    /// let driver = pipebuf_stages::TokioDriver::new(ours);
    /// assert_eq!(driver.bytes(), (0, 0));
    /// ```
    #[must_use]
    pub fn new(stream: S) -> Self {
        let mut core = Core::new(false);
        core.set_marks(DEFAULT_HIGH_MARK, DEFAULT_LOW_MARK);
        TokioDriver { stream, core, abort: None, budget: Budget::passes(16), idle: DEFAULT_IDLE }
    }

    /// Sets the backpressure marks: no reading while the incoming buffer holds more than
    /// `high` unread bytes, reading again once it holds `low` or fewer (`low` is at most
    /// `high`).
    ///
    /// # Examples
    ///
    /// ```
    /// let (ours, _peer) = tokio::io::duplex(1024);
    /// let driver = pipebuf_stages::TokioDriver::new(ours).with_marks(4096, 1024);
    /// # drop(driver);
    /// ```
    #[must_use]
    pub fn with_marks(mut self, high: usize, low: usize) -> Self {
        self.core.set_marks(high, low);
        self
    }

    /// Sets the most bytes one read asks for (0 counts as 1); the incoming buffer grows to hold
    /// that much at once.
    ///
    /// # Examples
    ///
    /// ```
    /// let (ours, _peer) = tokio::io::duplex(1024);
    /// let driver = pipebuf_stages::TokioDriver::new(ours).with_max_read(16384);
    /// # drop(driver);
    /// ```
    #[must_use]
    pub fn with_max_read(mut self, max_read: usize) -> Self {
        self.core.set_max_read(max_read);
        self
    }

    /// Sets the hook called when the run ends broken (an abort of the outgoing buffer, a
    /// stream error, a hung stage), so that dropping the driver then is an abort the peer can
    /// see: for a `TcpStream`, set a zero linger, and the drop sends an RST. With a hook, what
    /// the stream takes at once is written before an abort (a TLS alert left by a failing
    /// stage, say); without one, it is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use tokio::net::TcpStream;
    ///
    /// fn reset(stream: &mut TcpStream) {
    ///     // If this fails, the drop sends a FIN: the peer still sees the stream end.
    ///     let _ = stream.set_zero_linger();
    /// }
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
    /// # let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = TcpStream::connect(listener.local_addr()?).await?;
    /// let driver = pipebuf_stages::TokioDriver::new(stream).with_abort(reset);
    /// # drop(driver);
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn with_abort(mut self, abort: fn(&mut S)) -> Self {
        self.abort = Some(abort);
        self.core.write_before_abort = true;
        self
    }

    /// Sets the most passes of the pipeline between two looks at the stream (at least one).
    ///
    /// # Examples
    ///
    /// ```
    /// let (ours, _peer) = tokio::io::duplex(1024);
    /// let driver = pipebuf_stages::TokioDriver::new(ours).with_budget(pipebuf::Budget::passes(4));
    /// # drop(driver);
    /// ```
    #[must_use]
    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    /// Sets how long the connection must be quiet before the driver gives back the storage of
    /// the pipeline's empty links (1 s by default).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (ours, _peer) = tokio::io::duplex(1024);
    /// let driver = pipebuf_stages::TokioDriver::new(ours).with_idle(Duration::from_millis(200));
    /// # drop(driver);
    /// ```
    #[must_use]
    pub fn with_idle(mut self, idle: Duration) -> Self {
        self.idle = idle;
        self
    }

    /// Returns how many bytes were read from the stream and written to it so far, `(in, out)`.
    #[must_use]
    pub fn bytes(&self) -> (u64, u64) {
        (self.core.bytes_in, self.core.bytes_out)
    }

    /// Runs `pipeline` over the stream until the connection ends, with no application beside
    /// it (an echo, a pipeline whose top stage is the application); see
    /// [`run_with`](TokioDriver::run_with).
    pub async fn run<P>(&mut self, pipeline: &mut P) -> TokioReport<P::Error>
    where
        P: TokioConnection,
    {
        self.run_with(pipeline, &Notify::new(), |_| false).await
    }

    /// Runs `pipeline` over the stream until the connection ends, calling `hook` after each
    /// run of the pipeline, and running the pipeline whenever `wake` is notified; reports how
    /// the connection ended.
    ///
    /// The stream stays in the driver until the driver is dropped: drop it then (after an
    /// abort, the abort hook has made that drop a reset). The run may also be cut short by
    /// dropping its future (in a `select!` with a timeout or a shutdown); [`bytes`](Self::bytes)
    /// still tells what moved.
    ///
    /// `hook` returns true when it changed the pipeline's links, so that the pipeline runs
    /// again.
    ///
    /// # Examples
    ///
    /// The application pushes a greeting from outside, through a channel:
    ///
    /// ```
    /// use std::sync::Arc;
    /// use pipebuf::{PBufRdWr, PipeBufPair, pipeline};
    /// use pipebuf_stages::{TokioConnection, TokioDriver};
    /// use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// use tokio::sync::{Notify, mpsc};
    ///
    /// #[pipeline]
    /// struct Bytes {
    ///     pass: PassThrough,
    ///     #[link(<-> pass.lower)]
    ///     wire: PipeBufPair,
    ///     #[link(pass.upper <->)]
    ///     app: PipeBufPair,
    /// }
    /// # impl TokioConnection for Bytes { fn wire(&mut self) -> PBufRdWr<'_> { self.wire() } }
    /// # #[derive(pipebuf::Stage)]
    /// # #[stage(ports(lower: PBufRdWr, upper: PBufRdWr))]
    /// # struct PassThrough;
    /// # impl PassThrough {
    /// #     fn process(&mut self, mut p: PassThroughPorts<'_>) -> bool {
    /// #         let before = (p.lower.tripwire(), p.upper.tripwire());
    /// #         p.lower.rd.forward(p.upper.wr.reborrow());
    /// #         p.upper.rd.forward(p.lower.wr.reborrow());
    /// #         before != (p.lower.tripwire(), p.upper.tripwire())
    /// #     }
    /// # }
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
    /// let (ours, mut peer) = tokio::io::duplex(1024);
    /// let (tx, mut rx) = mpsc::unbounded_channel::<&'static [u8]>();
    /// let wake = Arc::new(Notify::new());
    /// let waker = wake.clone();
    /// tokio::spawn(async move {
    ///     let mut p = Bytes::new(PassThrough);
    ///     TokioDriver::new(ours)
    ///         .run_with(&mut p, &waker, |p| {
    ///             let mut sent = false;
    ///             while let Ok(text) = rx.try_recv() {
    ///                 p.app().wr.append(text);
    ///                 sent = true;
    ///             }
    ///             sent
    ///         })
    ///         .await
    /// });
    /// tx.send(b"hello").unwrap();
    /// wake.notify_one();
    /// let mut got = [0; 5];
    /// peer.read_exact(&mut got).await?;
    /// assert_eq!(&got, b"hello");
    /// # peer.shutdown().await
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn run_with<P, H>(
        &mut self,
        pipeline: &mut P,
        wake: &Notify,
        mut hook: H,
    ) -> TokioReport<P::Error>
    where
        P: TokioConnection,
        H: FnMut(&mut P) -> bool,
    {
        let mut notified = pin!(wake.notified());
        notified.as_mut().enable();
        let mut idle = pin!(sleep(self.idle));
        let mut run = Run {
            failed: None,
            dirty: true,
            quiet_since: Instant::now(),
            holding: true,
            closing: false,
        };
        let result = poll_fn(|cx| {
            let mut io = Io { notified: notified.as_mut(), wake, idle: idle.as_mut() };
            self.poll_run(cx, pipeline, &mut hook, &mut io, &mut run)
        })
        .await;
        TokioReport { bytes: self.bytes(), result }
    }

    /// Moves what it can, and says how the connection ended once it has.
    fn poll_run<P, H>(
        &mut self,
        cx: &mut Context<'_>,
        p: &mut P,
        hook: &mut H,
        io: &mut Io<'_, '_>,
        run: &mut Run<P::Error>,
    ) -> Poll<Result<(), TokioError<P::Error>>>
    where
        P: TokioConnection,
        H: FnMut(&mut P) -> bool,
    {
        let mut woke = false;
        for _ in 0..ROUNDS {
            let mut moved = core::mem::take(&mut run.dirty);
            if io.notified.as_mut().poll(cx).is_ready() {
                // Wait for the next notification before the hook runs, so that none is missed.
                io.notified.set(io.wake.notified());
                io.notified.as_mut().enable();
                moved = true;
            }
            match self.transfer(cx, &mut p.wire(), &mut run.closing) {
                Ok(io_moved) => moved |= io_moved,
                Err(error) => {
                    let mut wire = p.wire();
                    if !wire.wr.is_eof() {
                        wire.wr.abort();
                    }
                    // The stages see the abort; their own errors no longer matter.
                    let _ = self.process(p, hook, run);
                    self.abort_stream();
                    return Poll::Ready(Err(TokioError::Stream { source: error }));
                }
            }
            if moved {
                woke = true;
                if let Err(stage) = self.process(p, hook, run) {
                    self.abort_stream();
                    return Poll::Ready(Err(TokioError::Hung { stage }));
                }
            }
            let out_ended = self.core.out != Out::Open && !run.closing;
            if out_ended && (self.core.in_ended || run.failed.is_some()) {
                if self.core.out == Out::Aborted {
                    self.abort_stream();
                }
                return Poll::Ready(
                    run.failed.take().map_or(Ok(()), |source| Err(TokioError::Pipeline { source })),
                );
            }
            if !moved {
                self.rest(cx, p, io, run, woke);
                return Poll::Pending;
            }
        }
        // Busy: let the other tasks of this thread run, and come back at once.
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    /// Writes and reads what the stream takes now, ends it as the pipeline asks; returns true
    /// if anything moved.
    fn transfer(
        &mut self,
        cx: &mut Context<'_>,
        wire: &mut PBufRdWr<'_>,
        closing: &mut bool,
    ) -> Result<bool, StreamError> {
        let before = wire.tripwire();
        let due = self.core.transfer(&mut Bridge { stream: &mut self.stream, cx }, wire)?;
        match due {
            Some(End::Close) => *closing = true,
            // The run ends at once (both directions are over), and the abort hook is called
            // then.
            Some(End::Abort) => self.core.ended(End::Abort, Ok(()), wire)?,
            None => {}
        }
        let mut moved = due.is_some();
        if *closing {
            if let Poll::Ready(result) = Pin::new(&mut self.stream).poll_shutdown(cx) {
                *closing = false;
                self.core.ended(End::Close, result, wire)?;
                moved = true;
            }
        }
        Ok(moved || before != wire.tripwire())
    }

    /// Runs the pipeline once, within its budget, then the hook; records the pipeline's first
    /// error, and whether it must run again. Returns the stage that hung, if one did.
    fn process<P, H>(
        &self,
        p: &mut P,
        hook: &mut H,
        run: &mut Run<P::Error>,
    ) -> Result<(), &'static str>
    where
        P: TokioConnection,
        H: FnMut(&mut P) -> bool,
    {
        let status = match p.process_with(self.budget) {
            Ok(Status::Hung { stage }) => return Err(stage),
            Ok(status) => status,
            // After a failure the pipeline still runs, without the failed stage, so that its
            // abort reaches the wire after what that stage left for the peer.
            Err(error) => {
                run.failed.get_or_insert(error);
                Status::Progress
            }
        };
        let fed = hook(p);
        run.dirty |= fed || status.must_call_again();
        Ok(())
    }

    /// Sleeps until the stream, the application or the idle timer wakes the task; gives back
    /// the empty links' storage once the connection has been quiet for the idle time.
    fn rest<P: TokioConnection>(
        &self,
        cx: &mut Context<'_>,
        p: &mut P,
        io: &mut Io<'_, '_>,
        run: &mut Run<P::Error>,
        woke: bool,
    ) {
        if woke {
            // Reading the clock once per wake, not per message, keeps this cheap; the timer is
            // moved only when it fires early.
            run.quiet_since = Instant::now();
            run.holding = true;
        }
        if run.holding && io.idle.as_mut().poll(cx).is_ready() {
            let due = run.quiet_since + self.idle;
            if Instant::now() >= due {
                p.release_empty_links();
                run.holding = false;
            } else {
                io.idle.as_mut().reset(due);
                // Registers the timer's waker for the new deadline.
                let _ = io.idle.as_mut().poll(cx);
            }
        }
    }

    /// Ends the stream as broken.
    fn abort_stream(&mut self) {
        if let Some(abort) = self.abort.take() {
            abort(&mut self.stream);
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for TokioDriver<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokioDriver")
            .field("stream", &self.stream)
            .field("core", &self.core)
            .field("abort", &self.abort.is_some())
            .field("budget", &self.budget)
            .field("idle", &self.idle)
            .finish()
    }
}

/// How a connection run by [`TokioDriver`] ended, and the bytes it moved.
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
#[derive(Debug)]
#[non_exhaustive]
pub struct TokioReport<E> {
    /// The bytes read from the stream and written to it, `(in, out)`.
    pub bytes: (u64, u64),
    /// `Ok` if the stream ended in both directions with no failure (each end a close or an
    /// abort, as the pipeline's stages report them), else why it ended.
    pub result: Result<(), TokioError<E>>,
}

/// Why [`TokioDriver`] ended a connection early.
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
#[derive(Debug)]
#[non_exhaustive]
pub enum TokioError<E> {
    /// A stage of the pipeline failed; the run went on until its abort reached the stream.
    Pipeline {
        /// The pipeline's error (a `#[pipeline]` error names the stage).
        source: E,
    },
    /// A stage kept reporting activity without changing anything: a bug in that stage.
    Hung {
        /// The stage's name in the pipeline.
        stage: &'static str,
    },
    /// The stream failed with an error that is not a reset.
    Stream {
        /// The stream's error.
        source: StreamError,
    },
}

impl<E> fmt::Display for TokioError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokioError::Pipeline { .. } => f.write_str("the pipeline failed"),
            TokioError::Hung { stage } => Hung(stage).fmt(f),
            TokioError::Stream { .. } => f.write_str("the stream failed"),
        }
    }
}

impl<E: core::error::Error + 'static> core::error::Error for TokioError<E> {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            TokioError::Pipeline { source } => Some(source),
            TokioError::Hung { .. } => None,
            TokioError::Stream { source } => Some(source),
        }
    }
}

/// What one run keeps between wakes.
struct Run<E> {
    /// The pipeline's first error.
    failed: Option<E>,
    /// The pipeline has work left (its budget ran out, or the hook fed it).
    dirty: bool,
    /// When the connection was last seen busy.
    quiet_since: Instant,
    /// The links may hold storage to give back.
    holding: bool,
    /// A close was written: the stream's shutdown is under way.
    closing: bool,
}

/// The futures the driver waits on besides the stream.
struct Io<'n, 'w> {
    notified: Pin<&'n mut Notified<'w>>,
    wake: &'w Notify,
    idle: Pin<&'n mut Sleep>,
}

/// The stream seen as a non-blocking `Read + Write` for one poll, so that the read/write core
/// of the other stream stages drives it: `Pending` is `WouldBlock`, and the task's waker is
/// registered where the stream said so.
struct Bridge<'s, 'c, 'w, S> {
    stream: &'s mut S,
    cx: &'c mut Context<'w>,
}

impl<S: AsyncRead + Unpin> Read for Bridge<'_, '_, '_, S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut buf = ReadBuf::new(buf);
        match Pin::new(&mut *self.stream).poll_read(self.cx, &mut buf) {
            Poll::Ready(Ok(())) => Ok(buf.filled().len()),
            Poll::Ready(Err(e)) => Err(e),
            Poll::Pending => Err(ErrorKind::WouldBlock.into()),
        }
    }
}

impl<S: AsyncWrite + Unpin> Write for Bridge<'_, '_, '_, S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match Pin::new(&mut *self.stream).poll_write(self.cx, buf) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(ErrorKind::WouldBlock.into()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match Pin::new(&mut *self.stream).poll_flush(self.cx) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(ErrorKind::WouldBlock.into()),
        }
    }
}

/// How many rounds of I/O and runs one wake may do before the task yields.
const ROUNDS: usize = 16;
/// The default marks: stop reading above 64 KiB of unread input, read again at 16 KiB.
const DEFAULT_HIGH_MARK: usize = 64 * 1024;
const DEFAULT_LOW_MARK: usize = 16 * 1024;
/// How long a connection must be quiet before its empty links give their storage back.
const DEFAULT_IDLE: Duration = Duration::from_secs(1);
