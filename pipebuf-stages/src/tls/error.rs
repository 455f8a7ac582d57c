//! The error of the TLS stages.

use core::fmt;
use std::io;

/// The error of a [`TlsServer`](super::TlsServer) or a [`TlsClient`](super::TlsClient).
///
/// # Examples
///
/// ```
/// use std::error::Error as _;
///
/// use pipebuf_stages::TlsError;
///
/// let error = TlsError::HandshakeFailed { source: rustls::Error::DecryptError };
/// assert_eq!(error.to_string(), "tls handshake failed");
/// assert!(error.source().is_some());
/// assert_eq!(TlsError::RecordTruncated.to_string(), "transport closed inside a tls record");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum TlsError {
    /// rustls failed during the handshake: a bad certificate, no common parameters, an invalid
    /// record or message, an alert from the peer. The alert rustls queued, if any, has been
    /// written to `lower.wr`.
    HandshakeFailed {
        /// What rustls reported.
        source: rustls::Error,
    },
    /// rustls failed after the handshake: an invalid or undecryptable record, an alert from the
    /// peer. The alert rustls queued, if any, has been written to `lower.wr`.
    ConnectionFailed {
        /// What rustls reported.
        source: rustls::Error,
    },
    /// The transport closed during the handshake.
    HandshakeTruncated,
    /// The transport closed after the handshake, inside a record: ciphertext is missing.
    RecordTruncated,
    /// A record, or a handshake message, does not fit in the link that carries the records up
    /// from the transport: the link holds all it may, and rustls needs more to go on. Give that
    /// link a limit of at least 18,437 bytes (a whole record) and more than the largest
    /// handshake message the peer sends (its certificate chain), or none.
    RecordTooLarge {
        /// How many bytes the link held.
        link: usize,
    },
}

impl TlsError {
    /// Returns the rustls error behind this one, if rustls reported one.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_stages::TlsError;
    ///
    /// let error = TlsError::ConnectionFailed { source: rustls::Error::DecryptError };
    /// assert_eq!(error.rustls_error(), Some(&rustls::Error::DecryptError));
    /// assert_eq!(TlsError::HandshakeTruncated.rustls_error(), None);
    /// ```
    #[must_use]
    pub fn rustls_error(&self) -> Option<&rustls::Error> {
        match self {
            TlsError::HandshakeFailed { source } | TlsError::ConnectionFailed { source } => {
                Some(source)
            }
            TlsError::HandshakeTruncated
            | TlsError::RecordTruncated
            | TlsError::RecordTooLarge { .. } => None,
        }
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::HandshakeFailed { .. } => f.write_str("tls handshake failed"),
            TlsError::ConnectionFailed { .. } => f.write_str("tls connection failed"),
            TlsError::HandshakeTruncated => {
                f.write_str("transport closed during the tls handshake")
            }
            TlsError::RecordTruncated => f.write_str("transport closed inside a tls record"),
            TlsError::RecordTooLarge { link } => {
                write!(f, "a tls record does not fit in the {link} bytes of its link")
            }
        }
    }
}

impl core::error::Error for TlsError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        self.rustls_error().map(|source| source as _)
    }
}

impl From<TlsError> for io::Error {
    /// Makes an [`UnexpectedEof`](io::ErrorKind::UnexpectedEof) error for a truncation, an
    /// [`InvalidData`](io::ErrorKind::InvalidData) error otherwise, that wraps the TLS error.
    fn from(error: TlsError) -> Self {
        let kind = match error {
            TlsError::HandshakeTruncated | TlsError::RecordTruncated => {
                io::ErrorKind::UnexpectedEof
            }
            _ => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, error)
    }
}
