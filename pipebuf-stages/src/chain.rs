//! An error and its sources as one line, for logs.

use alloc::string::{String, ToString};
use core::error::Error;

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
