//! An error and its sources as one line, for logs, and the drivers' words for a hung stage.

use alloc::string::{String, ToString};
use core::error::Error;
#[cfg(any(feature = "mio", feature = "tokio"))]
use core::fmt;

/// Returns `error` and each of its sources, joined by `": "`: the line to log when a stage
/// fails, as `#[pipeline]` errors name the stage and carry its own error as their source.
///
/// # Examples
///
/// ```
/// use pipebuf_stages::error_chain;
/// use pipebuf_stages::websocket::{ProtocolError, WebsocketError};
///
/// let error = WebsocketError::Protocol(ProtocolError::ReservedBits);
/// assert_eq!(
///     error_chain(&error),
///     "websocket protocol error: reserved bits set without an extension"
/// );
/// ```
#[must_use]
pub fn error_chain(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(error) = source {
        text.push_str(": ");
        text.push_str(&error.to_string());
        source = error.source();
    }
    text
}

/// What the drivers say of a stage that `#[pipeline]` found hung (`Status::Hung`).
#[cfg(any(feature = "mio", feature = "tokio"))]
pub(crate) struct Hung(pub(crate) &'static str);

#[cfg(any(feature = "mio", feature = "tokio"))]
impl fmt::Display for Hung {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "stage `{}` hung: it reports activity but changes nothing", self.0)
    }
}
