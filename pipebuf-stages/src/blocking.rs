//! The driver for pipelines whose I/O blocks: run until every stream has ended.

use pipebuf::{Budget, Pipeline, Status};

/// Runs a pipeline whose I/O stages block ([`StdStream`](crate::StdStream) over blocking
/// sockets, files, pipes, standard input and output) until nothing more can happen.
///
/// The stream stage writes what is ready before it reads, and a read waits for data. An answer
/// made by the stage right above the stream goes out before the next read; an answer made
/// further up (through TLS, say) reaches the stream only in a later pass of the pipeline, after
/// the stream stage has already blocked in its next read. So this suits batch work (files,
/// pipes, a whole request then a whole answer) and one-layer protocols; interactive protocols
/// through several layers want an event-driven driver (`MioServer`, feature `mio`).
/// Backpressure comes from the streams' marks
/// ([`StdStream::with_marks`](crate::StdStream::with_marks)) or the links' limits.
///
/// Returns [`Status::Done`] once every stream has ended; any other status means the pipeline
/// can go no further by itself: [`Status::Blocked`] (an external output is full: take from it
/// and call again), [`Status::Waiting`] (a stage waits for input that no stream will bring) or
/// [`Status::Hung`].
///
/// # Errors
///
/// The first error of the pipeline.
///
/// # Examples
///
/// ```
/// use std::io::Cursor;
/// use pipebuf::{PipeBufPair, Status, pipeline};
/// use pipebuf_stages::{Echo, StdStream, run_blocking};
///
/// /// Sends back what it reads, to the same stream.
/// #[pipeline]
/// struct Loopback {
///     io: StdStream<Cursor<Vec<u8>>>,
///     echo: Echo,
///     #[link(io.upper <-> echo.io)]
///     net: PipeBufPair,
/// }
///
/// let mut p = Loopback::new(StdStream::new(Cursor::new(b"ping".to_vec())), Echo::new());
/// assert_eq!(run_blocking(&mut p)?, Status::Done);
/// assert_eq!(p.io.get_ref().get_ref(), b"pingping");
/// # Ok::<(), LoopbackError>(())
/// ```
pub fn run_blocking<P: Pipeline>(p: &mut P) -> Result<Status, P::Error> {
    loop {
        match p.process_with(Budget::UNLIMITED)? {
            // Something moved: the streams may have more, and the next read waits for it.
            Status::Progress | Status::Pending => {}
            status => return Ok(status),
        }
    }
}
