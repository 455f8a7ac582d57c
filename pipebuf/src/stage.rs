//! The stage model: a component with named, typed ports and a `process` call.

/// A component of a chain: it reads from its input ports, writes to its output ports, and says
/// whether anything changed.
///
/// A stage owns no buffers. Whoever runs it (a `#[pipeline]`, or glue written by hand) owns them,
/// and on each call hands the stage one view per port, gathered in [`Stage::Ports`]: a struct with
/// one field per port, each a [`PBufRd`](crate::PBufRd) (input), a [`PBufWr`](crate::PBufWr)
/// (output) or a [`PBufRdWr`](crate::PBufRdWr) (duplex: one end of a
/// [`PipeBufPair`](crate::PipeBufPair)). The element type is `u8` for byte streams or any other
/// type for message ports.
///
/// `process` moves as much as it can and returns `Ok(true)` if it did anything (consumed,
/// produced, took or set an end, or changed its own state in a way that may let it do more),
/// `Ok(false)` if there was nothing to do. It never blocks. It must come to rest: called again and
/// again on unchanged ports, it must eventually return `Ok(false)`. An `Err` is final: the runner
/// aborts every stream the stage produces and does not call it again.
///
/// Write stages with `#[derive(Stage)]` (feature `derive`), which declares the ports once and
/// writes this impl; or implement the trait by hand, as below.
///
/// # Examples
///
/// A stage written by hand, and the glue that runs it:
///
/// ```
/// use core::convert::Infallible;
/// use pipebuf::{Direction, PBufRd, PBufWr, PipeBuf, Port, Stage};
///
/// /// Turns ASCII letters into capitals.
/// struct Shout;
///
/// /// The ports of [`Shout`].
/// struct ShoutPorts<'a> {
///     input: PBufRd<'a>,
///     output: PBufWr<'a>,
/// }
///
/// impl Stage for Shout {
///     type Ports<'a> = ShoutPorts<'a>;
///     type Error = Infallible;
///     const PORTS: &'static [Port] = &[
///         Port { name: "input", direction: Direction::Input, element: "u8" },
///         Port { name: "output", direction: Direction::Output, element: "u8" },
///     ];
///
///     fn process(&mut self, mut p: ShoutPorts<'_>) -> Result<bool, Infallible> {
///         let before = p.input.tripwire();
///         p.input.data_mut().make_ascii_uppercase();
///         p.input.forward(p.output);
///         Ok(p.input.is_tripped(before))
///     }
/// }
///
/// let (mut input, mut output) = (PipeBuf::new(), PipeBuf::new());
/// input.wr().append(b"hello");
/// input.wr().close();
/// let mut shout = Shout;
/// while shout.process(ShoutPorts { input: input.rd(), output: output.wr() })? {}
/// assert_eq!(output.rd().data(), b"HELLO");
/// assert!(output.rd().consume_eof());
/// # Ok::<(), Infallible>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a pipeline stage",
    label = "a field without `#[link(...)]` must hold a stage",
    note = "derive the trait with `#[derive(Stage)]`, or mark a buffer field with `#[link(...)]`"
)]
pub trait Stage {
    /// One view per port, as a struct with a field named after each port.
    type Ports<'a>
    where
        Self: 'a;

    /// What `process` returns when the stage fails; [`core::convert::Infallible`] if it cannot.
    type Error: core::error::Error + 'static;

    /// The description of the ports, in the order of the fields of [`Stage::Ports`]: what a
    /// pipeline shows in its graph.
    const PORTS: &'static [Port];

    /// Moves as much data as it can between the ports, and returns `Ok(true)` if anything
    /// changed.
    ///
    /// # Errors
    ///
    /// The stage's own error, when its input is invalid or it cannot go on. The stage does not
    /// need to abort its outputs itself: the runner does, and does not call it again.
    fn process(&mut self, ports: Self::Ports<'_>) -> Result<bool, Self::Error>;
}

/// The description of one port of a [`Stage`].
///
/// # Examples
///
/// ```
/// use pipebuf::{Direction, Port};
///
/// let port = Port { name: "upper", direction: Direction::Duplex, element: "Message" };
/// assert_eq!(port.direction, Direction::Duplex);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Port {
    /// The name of the port: the field of [`Stage::Ports`].
    pub name: &'static str,
    /// Which way the data flows, seen from the stage.
    pub direction: Direction,
    /// The element type, as written where the port is declared (`u8` for bytes).
    pub element: &'static str,
}

/// Which way data flows through a port, seen from its stage.
///
/// # Examples
///
/// ```
/// use pipebuf::Direction;
///
/// assert_ne!(Direction::Input, Direction::Output);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// The stage reads: a [`PBufRd`](crate::PBufRd).
    Input,
    /// The stage writes: a [`PBufWr`](crate::PBufWr).
    Output,
    /// The stage reads one way and writes the other: a [`PBufRdWr`](crate::PBufRdWr).
    Duplex,
}
