//! A stage that sends back whatever it receives, on one duplex port.

use core::fmt;
use core::marker::PhantomData;

use pipebuf::{Stage, tripwire};

/// Sends everything that arrives on its duplex port back out of the same port: data, push and
/// the end, as [`PassThrough`](crate::PassThrough) hands them on (storage and all, where it can).
///
/// It is the application of an echo server: link it to the `upper` port of the stage below
/// (a TCP link for bytes, a WebSocket stage for messages).
///
/// Ports: `io` (`PBufRdWr<T>`). It cannot fail.
///
/// | `io.rd` | `io.wr` |
/// | --- | --- |
/// | data | the same data, in the same order |
/// | push | push, once the data before it has gone back |
/// | close | close, once all data has gone back |
/// | abort | abort, once all data has gone back |
///
/// # Examples
///
/// ```
/// use pipebuf::{PBufState, PipeBufPair, Stage};
/// use pipebuf_stages::{Echo, EchoPorts};
///
/// let mut link = PipeBufPair::new();
/// link.lower().wr.append(b"ping");
/// link.lower().wr.close();
///
/// let mut echo = Echo::new();
/// assert!(echo.process(EchoPorts { io: link.upper() })?);
/// assert_eq!(link.lower().rd.data(), b"ping");
/// assert_eq!(link.down.state(), PBufState::Closing);
/// # Ok::<(), core::convert::Infallible>(())
/// ```
#[derive(Stage, Clone, Default)]
#[stage(ports(io: PBufRdWr<T>))]
pub struct Echo<T: Default + Clone = u8> {
    // `fn() -> T` so that the stage is `Send` and `Sync` whatever `T` is: it holds no `T`.
    element: PhantomData<fn() -> T>,
}

impl<T: Default + Clone> Echo<T> {
    /// Creates the stage.
    #[must_use]
    pub const fn new() -> Self {
        Echo { element: PhantomData }
    }

    /// Sends back everything it can; the derived [`Stage`] impl calls this.
    #[expect(clippy::unused_self, reason = "the derived `Stage` impl calls it as a method")]
    fn process(&mut self, mut p: EchoPorts<'_, T>) -> bool {
        let before = tripwire!(p.io.rd, p.io.wr);
        p.io.rd.forward(p.io.wr.reborrow());
        before != tripwire!(p.io.rd, p.io.wr)
    }
}

// By hand, because a derived impl would ask for `T: Debug`, and there is no `T` to show.
impl<T: Default + Clone> fmt::Debug for Echo<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Echo")
    }
}
