//! TLS server and client stages on rustls 0.23, over its buffered connection API.

use alloc::sync::Arc;
use core::fmt;
use std::io::{self, BufRead as _, Write as _};

use pipebuf::{PBufRdWr, Stage, tripwire};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{
    ClientConfig, ClientConnection, ConnectionCommon, ProtocolVersion, ServerConfig,
    ServerConnection, SupportedCipherSuite,
};

use crate::copy::copy_unaliased;
use crate::unit::Unit;

/// The text shared by the docs of [`TlsServer`] and [`TlsClient`]: ports, events, sizing.
macro_rules! shared_docs {
    () => {
        "
Ports: `lower` (`PBufRdWr`, ciphertext: `rd` carries the records that come from the transport,
`wr` the records that go to it) and `upper` (`PBufRdWr`, plaintext: `rd` carries the application
data to send, `wr` the decrypted data going up). The transport stage's `upper` port links to
`lower`, so a straight chain `tcp, tls, app` works.

The stage drives a rustls buffered connection: it hands rustls the records straight from
`lower.rd` and consumes what rustls took, reads the decrypted data straight into `upper.wr`,
gives rustls the plaintext straight from `upper.rd`, and writes the records straight into
`lower.wr`. Plaintext is taken from `upper.rd` only once the handshake is complete; until then it
waits there.

# Events

| event | pipe states |
| --- | --- |
| handshake records, either way | `lower.rd` consumed, `lower.wr` written and pushed; `is_handshaking()` turns false at the end |
| records from the peer | `lower.rd` consumed, the plaintext written to `upper.wr` |
| push on `lower.rd` | push on `upper.wr`, once every record before it is decrypted and written up |
| data on `upper.rd` | records on `lower.wr`, once the handshake is complete |
| push on `upper.rd` | push on `lower.wr`, once everything before it is written as records |
| `close_notify` received | close of `upper.wr`, after the plaintext before it; later records are ignored |
| close of `upper.rd` | `close_notify` written to `lower.wr` (after the handshake and the data before it), then close of `lower.wr` |
| abort of `upper.rd` | abort of `lower.wr`, with no `close_notify` (at once during the handshake, else after the data before it) |
| `lower.rd` closed after the handshake, no `close_notify`, at a record boundary | abort of `upper.wr` (a truncation attack may cut the stream there), or close with [`set_allow_truncation(true)`](Self::set_allow_truncation) |
| `lower.rd` closed inside a record | error [`TlsError::RecordTruncated`] |
| `lower.rd` closed during the handshake | error [`TlsError::HandshakeTruncated`] |
| `lower.rd` aborted | abort of `upper.wr`; during the handshake, of `lower.wr` too |
| invalid records, a failed handshake, a bad certificate, an alert from the peer | the alert rustls queues (if any) written to `lower.wr`, then abort of `lower.wr` and `upper.wr`, then the error [`TlsError::HandshakeFailed`] or [`TlsError::ConnectionFailed`], whose `source()` is the [`rustls::Error`] |

When the stage fails, it aborts both its outputs itself, after the alert: an abort keeps the data
written before it readable, so the transport still sends the alert and then aborts. A `#[pipeline]`
then aborts them again, which changes nothing, and does not call the stage again; glue written by
hand SHOULD stop calling it too (it does nothing more). If `lower.wr` is full when the error
happens, the stage waits until the alert fits before it reports the error.

Push: rustls encrypts the plaintext it is given at once, one record per 16 KiB at most, and holds
no data back, so whatever it has is written out to `lower.wr` at every call, as far as `lower.wr`
has room. A push on `upper.rd` is passed on to `lower.wr` once all of it is there.

# Buffer sizing

A TLS record carries at most 16 KiB of plaintext; on the wire it takes 5 bytes of header and up
to 256 bytes of overhead in TLS 1.3, 2 KiB in TLS 1.2. The stage works with links of any limit:
it never grows a limited buffer, it reads records from `lower.rd` only while rustls holds no
undelivered plaintext (so a full `upper.wr` stops the reading of records), and it gives rustls
plaintext only when rustls has written all its records out, and no more than `lower.wr` has room
for. rustls keeps its own buffers: at most one partial record (18 KiB, 64 KiB for a handshake
message), the plaintext of the records of one read (about 16 KiB), and at most 64 KiB of records
to send when `lower.wr` has no limit.

For throughput, give the ciphertext link (`lower`) a capacity of at least one whole record each
way, 17 KiB (for example `capacity = 32768`), so that a record arrives and leaves in one piece;
the plaintext link (`upper`) needs 16 KiB each way to take a record's plaintext at once. Smaller
limits work, more slowly.

# Crypto provider

This crate chooses no crypto provider. Enable rustls's `ring` or `aws_lc_rs` feature in your own
`Cargo.toml`, and build the config with that provider, for example
`ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))` (or
`rustls::crypto::aws_lc_rs::default_provider()`), or install a process-wide default with
`CryptoProvider::install_default` and use `ServerConfig::builder()`. `ring` builds with a C
compiler alone; `aws_lc_rs` (rustls's default) needs a C compiler too, and builds without cmake
on the common targets.
"
    };
}

/// A TLS server: decrypts what a TLS client sends over the transport, and encrypts what goes
/// back.
#[doc = shared_docs!()]
///
/// # Examples
///
/// A client and a server, with a certificate made on the spot, joined in memory:
///
/// ```
/// use std::sync::Arc;
///
/// use pipebuf::{PBufState, PipeBufPair, Stage};
/// use pipebuf_stages::{TlsClient, TlsClientPorts, TlsServer, TlsServerPorts};
/// use rustls::pki_types::PrivatePkcs8KeyDer;
///
/// let cert = rcgen::generate_simple_self_signed(["localhost".to_owned()])?;
/// let key = PrivatePkcs8KeyDer::from(cert.key_pair.serialize_der());
/// let provider = Arc::new(rustls::crypto::ring::default_provider());
/// let server_config = rustls::ServerConfig::builder_with_provider(provider.clone())
///     .with_safe_default_protocol_versions()?
///     .with_no_client_auth()
///     .with_single_cert(vec![cert.cert.der().clone()], key.into())?;
/// let mut roots = rustls::RootCertStore::empty();
/// roots.add(cert.cert.der().clone())?;
/// let client_config = rustls::ClientConfig::builder_with_provider(provider)
///     .with_safe_default_protocol_versions()?
///     .with_root_certificates(roots)
///     .with_no_client_auth();
///
/// let mut server = TlsServer::new(Arc::new(server_config))?;
/// let mut client = TlsClient::new(Arc::new(client_config), "localhost".try_into()?)?;
///
/// // The client's plaintext, the wire between the two, and the server's plaintext.
/// let (mut sent, mut wire, mut received) =
///     (PipeBufPair::new(), PipeBufPair::new(), PipeBufPair::new());
/// sent.upper().wr.append(b"hello");
/// sent.upper().wr.close();
/// loop {
///     let c = client.process(TlsClientPorts { lower: wire.upper(), upper: sent.lower() })?;
///     let s = server.process(TlsServerPorts { lower: wire.lower(), upper: received.lower() })?;
///     if !c && !s {
///         break;
///     }
/// }
/// assert!(!server.is_handshaking());
/// assert_eq!(server.server_name(), Some("localhost"));
/// assert_eq!(received.upper().rd.data(), b"hello");
/// // The client's close arrived as a `close_notify`, and became a close.
/// assert_eq!(received.up.state(), PBufState::Closing);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Stage, Debug)]
#[stage(ports(lower: PBufRdWr, upper: PBufRdWr), error = TlsError)]
pub struct TlsServer {
    /// `None` passes the plaintext through.
    conn: Option<ServerConnection>,
    engine: Engine,
}

impl TlsServer {
    /// Creates the stage, for one connection with the given config.
    ///
    /// # Errors
    ///
    /// The error of [`ServerConnection::new`], if rustls cannot start a connection with
    /// `config`.
    pub fn new(config: Arc<ServerConfig>) -> Result<Self, rustls::Error> {
        Ok(TlsServer::from_connection(ServerConnection::new(config)?))
    }

    /// Creates the stage over a connection made by the caller.
    ///
    /// The connection MUST be new: the stage assumes it has seen every byte of it.
    #[must_use]
    pub fn from_connection(conn: ServerConnection) -> Self {
        TlsServer { conn: Some(conn), engine: Engine::default() }
    }

    /// Returns the server name the client asked for (SNI), once the client has sent it.
    #[must_use]
    pub fn server_name(&self) -> Option<&str> {
        self.conn.as_ref().and_then(ServerConnection::server_name)
    }

    /// Moves what it can; the derived [`Stage`] impl calls this.
    fn process(&mut self, p: TlsServerPorts<'_>) -> Result<bool, TlsError> {
        self.engine.process(self.conn.as_deref_mut(), p.lower, p.upper)
    }
}

/// A TLS client: encrypts what goes to a TLS server over the transport, and decrypts what comes
/// back.
#[doc = shared_docs!()]
///
/// # Examples
///
/// [`TlsServer`] shows a client and a server at work. Without a config, the stage passes the
/// plaintext through:
///
/// ```
/// use pipebuf::{PBufState, PipeBufPair, Stage};
/// use pipebuf_stages::{TlsClient, TlsClientPorts, TlsError};
///
/// let (mut wire, mut app) = (PipeBufPair::new(), PipeBufPair::new());
/// app.upper().wr.append(b"in the clear");
/// app.upper().wr.close();
/// let mut client = TlsClient::passthrough();
/// assert!(client.process(TlsClientPorts { lower: wire.upper(), upper: app.lower() })?);
/// assert_eq!(wire.lower().rd.data(), b"in the clear");
/// assert_eq!(wire.down.state(), PBufState::Closing);
/// # Ok::<(), TlsError>(())
/// ```
#[derive(Stage, Debug)]
#[stage(ports(lower: PBufRdWr, upper: PBufRdWr), error = TlsError)]
pub struct TlsClient {
    /// `None` passes the plaintext through.
    conn: Option<ClientConnection>,
    engine: Engine,
}

impl TlsClient {
    /// Creates the stage, for one connection with the given config to the server `name`
    /// (which is also sent as SNI if the config says so).
    ///
    /// # Errors
    ///
    /// The error of [`ClientConnection::new`], if rustls cannot start a connection with
    /// `config`.
    pub fn new(
        config: Arc<ClientConfig>,
        name: ServerName<'static>,
    ) -> Result<Self, rustls::Error> {
        Ok(TlsClient::from_connection(ClientConnection::new(config, name)?))
    }

    /// Creates the stage over a connection made by the caller.
    ///
    /// The connection MUST be new: the stage assumes it has seen every byte of it.
    #[must_use]
    pub fn from_connection(conn: ClientConnection) -> Self {
        TlsClient { conn: Some(conn), engine: Engine::default() }
    }

    /// Moves what it can; the derived [`Stage`] impl calls this.
    fn process(&mut self, p: TlsClientPorts<'_>) -> Result<bool, TlsError> {
        self.engine.process(self.conn.as_deref_mut(), p.lower, p.upper)
    }
}

/// The methods that [`TlsServer`] and [`TlsClient`] share.
macro_rules! shared_methods {
    ($stage:ident, $conn:ident) => {
        impl $stage {
            /// Creates a stage without TLS, that passes the plaintext through unchanged: data,
            /// push, close and abort, each way. It moves data with
            /// [`PBufRd::forward`](pipebuf::PBufRd::forward), in O(1) when the destination is
            /// empty.
            #[must_use]
            pub fn passthrough() -> Self {
                $stage { conn: None, engine: Engine::default() }
            }

            /// Returns true if the stage passes the plaintext through, without TLS.
            #[must_use]
            pub fn is_passthrough(&self) -> bool {
                self.conn.is_none()
            }

            /// Returns the rustls connection, or `None` if the stage passes the plaintext
            /// through.
            #[must_use]
            pub fn connection(&self) -> Option<&$conn> {
                self.conn.as_ref()
            }

            /// Returns the rustls connection, to change or query it, or `None` if the stage
            /// passes the plaintext through.
            ///
            /// Reading or writing data or records through it bypasses the stage's buffers: the
            /// stage would lose track. Settings (`set_buffer_limit`, key updates) are safe.
            #[must_use]
            pub fn connection_mut(&mut self) -> Option<&mut $conn> {
                self.conn.as_mut()
            }

            /// Returns true until the handshake is complete; false without TLS.
            ///
            /// Application data flows once this is false: the stage reports activity when that
            /// happens, since the last handshake records are written then.
            #[must_use]
            pub fn is_handshaking(&self) -> bool {
                self.conn.as_ref().is_some_and(|conn| conn.is_handshaking())
            }

            /// Returns the protocol the two sides agreed on by ALPN, if any.
            #[must_use]
            pub fn alpn_protocol(&self) -> Option<&[u8]> {
                self.conn.as_ref().and_then(|conn| conn.alpn_protocol())
            }

            /// Returns the negotiated TLS version, once known.
            #[must_use]
            pub fn protocol_version(&self) -> Option<ProtocolVersion> {
                self.conn.as_ref().and_then(|conn| conn.protocol_version())
            }

            /// Returns the negotiated cipher suite, once known.
            #[must_use]
            pub fn cipher_suite(&self) -> Option<SupportedCipherSuite> {
                self.conn.as_ref().and_then(|conn| conn.negotiated_cipher_suite())
            }

            /// Returns the peer's certificate chain, the peer's own first, once received: the
            /// server's for a client, the client's for a server that asked for one.
            #[must_use]
            pub fn peer_certificates(&self) -> Option<&[CertificateDer<'static>]> {
                self.conn.as_ref().and_then(|conn| conn.peer_certificates())
            }

            /// Returns true once the peer's `close_notify` has arrived.
            #[must_use]
            pub fn has_received_close_notify(&self) -> bool {
                self.engine.close_notify_received
            }

            /// Says whether a transport that ends at a record boundary without `close_notify`
            /// after the handshake closes the plaintext (`true`, for lenient peers that do not
            /// send `close_notify`) or aborts it (`false`, the default).
            ///
            /// Leave it off unless the protocol above detects truncation itself (by a length
            /// or an end marker, as HTTP/1.1 with `Content-Length` does): an attacker can cut
            /// the transport at a record boundary, and the plaintext would look complete.
            pub fn set_allow_truncation(&mut self, allow: bool) {
                self.engine.allow_truncation = allow;
            }

            /// Returns what [`set_allow_truncation`](Self::set_allow_truncation) set.
            #[must_use]
            pub fn allows_truncation(&self) -> bool {
                self.engine.allow_truncation
            }
        }
    };
}

shared_methods!(TlsServer, ServerConnection);
shared_methods!(TlsClient, ClientConnection);

/// The error of a [`TlsServer`] or a [`TlsClient`].
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
    /// rustls refused the records read from the transport (its input buffer was full), with an
    /// I/O error of this kind.
    RecordsRefused {
        /// The kind of the error rustls returned.
        kind: io::ErrorKind,
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
            | TlsError::RecordsRefused { .. } => None,
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
            TlsError::RecordsRefused { kind } => {
                write!(f, "rustls refused the records read from the transport: {kind}")
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

/// What [`TlsServer`] and [`TlsClient`] share: the state of the streams around the connection.
#[derive(Clone, Debug, Default)]
struct Engine {
    /// A transport end without `close_notify` at a record boundary closes instead of aborting.
    allow_truncation: bool,
    /// `close_notify` is queued: `lower.wr` closes once rustls has written everything.
    closing: bool,
    /// The peer's `close_notify` has arrived.
    close_notify_received: bool,
    /// Whether the stage has failed.
    health: Health,
    /// Where the bytes given to rustls stand in the record framing.
    records: Records,
    /// How much room the next write of records asks of an unlimited `lower.wr`.
    write_unit: WriteUnit,
}

impl Engine {
    /// Runs one pass over the connection, or passes the plaintext through if there is none.
    fn process<D>(
        &mut self,
        conn: Option<&mut ConnectionCommon<D>>,
        mut lower: PBufRdWr<'_>,
        mut upper: PBufRdWr<'_>,
    ) -> Result<bool, TlsError> {
        let before = tripwire!(lower.rd, lower.wr, upper.rd, upper.wr);
        let Some(conn) = conn else {
            lower.rd.forward(upper.wr.reborrow());
            upper.rd.forward(lower.wr.reborrow());
            return Ok(before != tripwire!(lower.rd, lower.wr, upper.rd, upper.wr));
        };
        if matches!(self.health, Health::Failed) {
            return Ok(false);
        }
        if matches!(self.health, Health::Running) {
            let handshaking = conn.is_handshaking();
            let written = lower.wr.tripwire();
            match self.step(conn, &mut lower, &mut upper) {
                Ok(()) => {
                    // A flight of the handshake is complete when rustls has no more to send: the
                    // peer waits for it, so it must not linger in a transport's buffer.
                    if handshaking && lower.wr.is_tripped(written) && !conn.wants_write() {
                        lower.wr.push();
                    }
                }
                Err(error) => self.health = Health::Failing(error),
            }
        }
        if let Health::Failing(error) = core::mem::take(&mut self.health) {
            // rustls queued its alert, if any: it goes out before the abort.
            flush(conn, &mut lower, &mut self.write_unit.0);
            if conn.wants_write() && !lower.wr.is_eof() {
                self.health = Health::Failing(error);
            } else {
                lower.wr.abort();
                upper.wr.abort();
                self.health = Health::Failed;
                return Err(error);
            }
        }
        Ok(before != tripwire!(lower.rd, lower.wr, upper.rd, upper.wr))
    }

    /// Moves records in, plaintext up, plaintext in, records out, and the ends.
    fn step<D>(
        &mut self,
        conn: &mut ConnectionCommon<D>,
        lower: &mut PBufRdWr<'_>,
        upper: &mut PBufRdWr<'_>,
    ) -> Result<(), TlsError> {
        self.receive(conn, lower, upper)?;
        self.send(conn, lower, upper);
        Ok(())
    }

    /// Hands rustls the records from `lower.rd` and writes the plaintext to `upper.wr`, then
    /// takes the end of `lower.rd`.
    fn receive<D>(
        &mut self,
        conn: &mut ConnectionCommon<D>,
        lower: &mut PBufRdWr<'_>,
        upper: &mut PBufRdWr<'_>,
    ) -> Result<(), TlsError> {
        let mut undelivered;
        loop {
            let state = conn.process_new_packets().map_err(|source| failure(conn, source))?;
            undelivered = state.plaintext_bytes_to_read();
            while undelivered > 0 && !upper.wr.is_eof() {
                let room = upper.wr.free_space().map_or(undelivered, |free| free.min(undelivered));
                let Some(space) = upper.wr.try_space(room).filter(|space| !space.is_empty()) else {
                    break;
                };
                // rustls has `undelivered` bytes, so it cannot say `WouldBlock` or end here.
                let len = read_plaintext(conn, space);
                upper.wr.commit(len);
                if len == 0 {
                    break;
                }
                undelivered -= len;
            }
            if state.peer_has_closed() {
                self.close_notify_received = true;
                if undelivered == 0 {
                    upper.wr.close();
                }
                // "Any data received after a closure alert has been received MUST be ignored"
                // (RFC 8446, section 6.1), and so is the way the transport ends.
                lower.rd.consume(lower.rd.len());
                lower.rd.consume_eof();
                return Ok(());
            }
            // rustls wants no more while it holds plaintext: a full `upper.wr` stops the reading.
            if undelivered > 0 || lower.rd.is_empty() || !conn.wants_read() {
                break;
            }
            let data = lower.rd.data();
            let mut reader = data;
            let len = conn
                .read_tls(&mut reader)
                .map_err(|error| TlsError::RecordsRefused { kind: error.kind() })?;
            self.records.feed(data.get(..len).unwrap_or_default());
            lower.rd.consume(len);
            if len == 0 {
                break;
            }
        }
        if undelivered == 0 && lower.rd.is_empty() && lower.rd.consume_push() {
            upper.wr.push();
        }
        if undelivered == 0 && lower.rd.is_empty() && lower.rd.has_pending_eof() {
            let aborted = lower.rd.is_aborted();
            lower.rd.consume_eof();
            if aborted {
                upper.wr.abort();
                if conn.is_handshaking() {
                    // No handshake can complete now: nothing will ever go out.
                    lower.wr.abort();
                }
            } else if conn.is_handshaking() {
                return Err(TlsError::HandshakeTruncated);
            } else if self.records.is_inside() {
                return Err(TlsError::RecordTruncated);
            } else if self.allow_truncation {
                upper.wr.close();
            } else {
                upper.wr.abort();
            }
        }
        Ok(())
    }

    /// Gives rustls the plaintext from `upper.rd`, writes its records to `lower.wr`, and passes
    /// on push, close and abort from `upper.rd`.
    fn send<D>(
        &mut self,
        conn: &mut ConnectionCommon<D>,
        lower: &mut PBufRdWr<'_>,
        upper: &mut PBufRdWr<'_>,
    ) {
        flush(conn, lower, &mut self.write_unit.0);
        let handshaking = conn.is_handshaking();
        if !handshaking && !self.closing && !lower.wr.is_eof() {
            // Only when rustls has written everything out, and no more than `lower.wr` takes, so
            // that rustls holds little ciphertext.
            while !upper.rd.is_empty() && !conn.wants_write() {
                let room = lower.wr.free_space().unwrap_or(usize::MAX);
                let data = upper.rd.data();
                let data = data.get(..room.min(data.len())).unwrap_or_default();
                // Writing to rustls's own buffer cannot fail; it may take less than all.
                let len = conn.writer().write(data).unwrap_or(0);
                upper.rd.consume(len);
                flush(conn, lower, &mut self.write_unit.0);
                if len == 0 {
                    break;
                }
            }
        }
        if upper.rd.is_empty() && !conn.wants_write() && upper.rd.consume_push() {
            lower.wr.push();
        }
        if upper.rd.has_pending_eof() {
            if upper.rd.is_aborted() {
                if handshaking || upper.rd.is_empty() {
                    // No `close_notify`: the peer must see a broken stream, not an end.
                    upper.rd.consume(upper.rd.len());
                    upper.rd.consume_eof();
                    lower.wr.abort();
                }
            } else if upper.rd.is_empty() && !handshaking && !self.closing {
                upper.rd.consume_eof();
                conn.send_close_notify();
                self.closing = true;
                flush(conn, lower, &mut self.write_unit.0);
            }
        }
        if self.closing && !conn.wants_write() {
            lower.wr.close();
        }
    }
}

/// Whether a stage has failed.
#[derive(Clone, Debug, Default)]
enum Health {
    /// It works.
    #[default]
    Running,
    /// It failed, and its error waits for rustls's alert to fit in `lower.wr`.
    Failing(TlsError),
    /// It failed and returned its error: it does nothing more.
    Failed,
}

/// Writes the records rustls has to `lower.wr`, as far as it has room.
fn flush<D>(conn: &mut ConnectionCommon<D>, lower: &mut PBufRdWr<'_>, unit: &mut Unit) {
    while conn.wants_write() && !lower.wr.is_eof() {
        let room = unit.room(lower.wr.free_space());
        let Some(mut space) = lower.wr.try_space(room).filter(|space| !space.is_empty()) else {
            break;
        };
        // Writing to a slice cannot fail; it takes what fits.
        let len = conn.write_tls(&mut space).unwrap_or(0);
        lower.wr.commit(len);
        unit.fit(len, room);
        if len == 0 {
            break;
        }
    }
}

/// Copies the plaintext rustls holds into `space`, as much as fits of its first chunk, and
/// returns how many bytes it copied (0 when rustls holds none).
///
/// This is `conn.reader().read(space)`, with the copy done here so that it can avoid a slow case
/// of glibc's `memcpy` on AMD Zen 3 (see [`copy_unaliased`]): the chunk is the `Vec` rustls made
/// for one record, and where the allocator puts it next to `upper.wr`'s storage decides the
/// speed of the copy.
fn read_plaintext<D>(conn: &mut ConnectionCommon<D>, space: &mut [u8]) -> usize {
    let mut reader = conn.reader();
    let Ok(chunk) = reader.fill_buf() else {
        return 0;
    };
    let len = chunk.len().min(space.len());
    if let (Some(to), Some(from)) = (space.get_mut(..len), chunk.get(..len)) {
        copy_unaliased(to, from);
    }
    reader.consume(len);
    len
}

/// The stage's error for a rustls error: a handshake failure or a later one.
fn failure<D>(conn: &ConnectionCommon<D>, source: rustls::Error) -> TlsError {
    if conn.is_handshaking() {
        TlsError::HandshakeFailed { source }
    } else {
        TlsError::ConnectionFailed { source }
    }
}

/// Follows the record framing of the bytes given to rustls, to tell whether the transport ended
/// between records or inside one.
#[derive(Clone, Debug, Default)]
struct Records {
    /// The header of the current record, as far as it has arrived.
    header: [u8; RECORD_HEADER_LEN],
    /// How many bytes of `header` have arrived; 0 between records and inside a record's body.
    header_len: usize,
    /// How many bytes of the current record's body are still to come.
    body_left: usize,
}

impl Records {
    /// Follows `data`, the next bytes of the stream.
    fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.body_left > 0 {
                let len = self.body_left.min(data.len());
                self.body_left -= len;
                data = data.get(len..).unwrap_or_default();
                continue;
            }
            let len = (RECORD_HEADER_LEN - self.header_len).min(data.len());
            let (part, rest) = data.split_at(len);
            if let Some(to) = self.header.get_mut(self.header_len..self.header_len + len) {
                to.copy_from_slice(part);
            }
            self.header_len += len;
            data = rest;
            if self.header_len == RECORD_HEADER_LEN {
                let [_, _, _, high, low] = self.header;
                self.body_left = usize::from(u16::from_be_bytes([high, low]));
                self.header_len = 0;
            }
        }
    }

    /// Returns true if the bytes so far end inside a record.
    fn is_inside(&self) -> bool {
        self.header_len > 0 || self.body_left > 0
    }
}

/// The room a write of records asks for: it grows up to [`WRITE_CHUNK`] while writes fill it.
#[derive(Clone, Copy, Debug)]
struct WriteUnit(Unit);

impl Default for WriteUnit {
    fn default() -> Self {
        WriteUnit(Unit::new(WRITE_CHUNK))
    }
}

/// The most room a write of records asks for at a time: a whole TLS 1.2 record on the wire.
const WRITE_CHUNK: usize = 16384 + 2048 + RECORD_HEADER_LEN;

/// The size of a TLS record header: content type, version, length.
const RECORD_HEADER_LEN: usize = 5;

#[cfg(test)]
mod tests {
    use super::Records;

    #[test]
    fn records_follow_framing_across_splits() {
        let stream =
            [&[22, 3, 3, 0, 2, 1, 2][..], &[23, 3, 3, 0, 0], &[21, 3, 3, 0, 1, 9]].concat();
        for split in 0..=stream.len() {
            let mut records = Records::default();
            let (a, b) = stream.split_at(split);
            records.feed(a);
            let boundary = [0, 7, 12, 18].contains(&split);
            assert_eq!(records.is_inside(), !boundary, "split at {split}");
            records.feed(b);
            assert!(!records.is_inside());
        }
    }
}
