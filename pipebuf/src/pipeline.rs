//! What every `#[pipeline]` is, seen from the code that drives it.

use crate::{Budget, Graph, Status};

/// A whole pipeline, as drivers see it: something to run, and links to free when idle.
///
/// `#[pipeline]` implements it for every pipeline it generates, by calling the pipeline's own
/// `process_with`, `release_empty_links` and `GRAPH`; drivers (an event loop, an async task)
/// take any `Pipeline` and need nothing else from it but the handles to its I/O.
///
/// # Examples
///
/// ```
/// use pipebuf::{Budget, PipeBufPair, Pipeline, Status, pipeline};
/// # use pipebuf::Stage;
/// # #[derive(Stage)]
/// # #[stage(ports(io: PBufRdWr))]
/// # struct Echo;
/// # impl Echo {
/// #     fn process(&mut self, mut p: EchoPorts<'_>) -> bool {
/// #         let before = p.io.tripwire();
/// #         p.io.rd.forward(p.io.wr.reborrow());
/// #         before != p.io.tripwire()
/// #     }
/// # }
///
/// #[pipeline]
/// struct Loop {
///     echo: Echo,
///     #[link(<-> echo.io)]
///     wire: PipeBufPair,
/// }
///
/// /// A driver that knows nothing of the pipeline but that it is one.
/// fn run_until_quiet<P: Pipeline>(p: &mut P) -> Result<Status, P::Error> {
///     let status = p.process_with(Budget::UNLIMITED)?;
///     p.release_empty_links();
///     Ok(status)
/// }
///
/// let mut p = Loop::new(Echo);
/// p.wire().wr.append(b"hi");
/// assert_eq!(run_until_quiet(&mut p)?, Status::Progress);
/// assert_eq!(p.wire().rd.data(), b"hi");
/// assert_eq!(<Loop as Pipeline>::graph().stages.len(), 1);
/// # Ok::<(), LoopError>(())
/// ```
pub trait Pipeline {
    /// The error `process_with` returns.
    type Error;

    /// Runs the stages until nothing more moves or `budget` is spent, and says how the pipeline
    /// stands (the pipeline's own `process_with`).
    ///
    /// # Errors
    ///
    /// The first stage that failed during this call.
    fn process_with(&mut self, budget: Budget) -> Result<Status, Self::Error>;

    /// Frees the storage of every link that holds no data (the pipeline's own
    /// `release_empty_links`).
    fn release_empty_links(&mut self);

    /// The stages and links (the pipeline's `GRAPH`).
    fn graph() -> &'static Graph;
}
