//! TLS server and client stages on rustls 0.23, over its unbuffered connection API.

mod engine;
mod error;
mod held;
mod sni;

use alloc::sync::Arc;

use pipebuf::Stage;
use rustls::client::UnbufferedClientConnection;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::server::UnbufferedServerConnection;
use rustls::{ClientConfig, ProtocolVersion, ServerConfig, SupportedCipherSuite};

use engine::Engine;
pub use error::TlsError;
use sni::ClientHelloName;

/// The text shared by the docs of [`TlsServer`] and [`TlsClient`]: ports, events, sizing.
macro_rules! shared_docs {
    () => {
        "
Ports: `lower` (`PBufRdWr`, ciphertext: `rd` carries the records that come from the transport,
`wr` the records that go to it) and `upper` (`PBufRdWr`, plaintext: `rd` carries the application
data to send, `wr` the decrypted data going up). The transport stage's `upper` port links to
`lower`, so a straight chain `tcp, tls, app` works.

The stage drives a rustls unbuffered connection: rustls decrypts the records in place in
`lower.rd` (the ciphertext is not copied), copies each record's plaintext out (into a `Vec` of
its own, in rustls 0.23), and the stage copies that into `upper.wr`; rustls encrypts the
plaintext from `upper.rd` into `lower.wr`. Plaintext is taken
from `upper.rd` only once the handshake is complete; until then it waits there.

# Events

| event | pipe states |
| --- | --- |
| handshake records, either way | `lower.rd` consumed, `lower.wr` written and pushed; `is_handshaking()` turns false at the end |
| records from the peer | decrypted in place in `lower.rd` and consumed, the plaintext written to `upper.wr` |
| early data (0-RTT), on a server whose config accepts it (`max_early_data_size`) | written to `upper.wr` before the rest, like any plaintext; it may be a replay, so accept it only where that is harmless |
| push on `lower.rd` | push on `upper.wr`, once every record before it is decrypted and written up |
| data on `upper.rd` | records on `lower.wr`, once the handshake is complete |
| push on `upper.rd` | push on `lower.wr`, once everything before it is written as records |
| `close_notify` received (rustls's `PeerClosed` state) | close of `upper.wr`, after the plaintext before it; later records are ignored; the stage still sends until `upper.rd` closes |
| close of `upper.rd` | `close_notify` written to `lower.wr` (after the handshake and the data before it), then close of `lower.wr` |
| abort of `upper.rd` | abort of `lower.wr`, with no `close_notify` (at once during the handshake, else after the data before it) |
| `lower.rd` closed after the handshake, no `close_notify`, at a record boundary | abort of `upper.wr` (a truncation attack may cut the stream there), or close with [`set_allow_truncation(true)`](Self::set_allow_truncation) |
| `lower.rd` closed inside a record | error [`TlsError::RecordTruncated`] |
| `lower.rd` full (at its limit) with no whole record in it | error [`TlsError::RecordTooLarge`] |
| `lower.rd` closed during the handshake | error [`TlsError::HandshakeTruncated`] |
| `lower.rd` aborted | abort of `upper.wr`; during the handshake, of `lower.wr` too |
| invalid records, a failed handshake, a bad certificate, an alert from the peer | the alert rustls queues (if any) written to `lower.wr`, then abort of `lower.wr` and `upper.wr`, then the error [`TlsError::HandshakeFailed`] or [`TlsError::ConnectionFailed`], whose `source()` is the [`rustls::Error`] |

When the stage fails, it aborts both its outputs itself, after the alert: an abort keeps the data
written before it readable, so the transport still sends the alert and then aborts. A `#[pipeline]`
then aborts them again, which changes nothing, and does not call the stage again; glue written by
hand SHOULD stop calling it too (it does nothing more). If `lower.wr` has no room for the alert
when the error happens, the stage waits until it is written before it reports the error.

Push: the stage encrypts the plaintext at once, one record per 16 KiB at most, and holds no data
back, so whatever `upper.rd` has is written out to `lower.wr` at every call, as far as `lower.wr`
has room. A push on `upper.rd` is passed on to `lower.wr` once all of it is there. Records rustls
makes on its own (a handshake flight, an alert, a session ticket) are pushed as they are written,
since the peer waits for them.

# Buffer sizing

A TLS record carries at most 16 KiB of plaintext; on the wire it takes 5 bytes of header and up
to 256 bytes of overhead in TLS 1.3, 2 KiB in TLS 1.2 (18,437 bytes in all). The stage never
grows a limited buffer:

- `lower.rd` must hold a whole record, since rustls decrypts it there: give it no limit, or one
  of at least 18,437 bytes, and more than the largest handshake message of the peer (its
  certificate chain, a few KiB). A smaller link fails with [`TlsError::RecordTooLarge`] when a
  record does not fit, instead of waiting for ever.
- `upper.wr` may have any limit. rustls hands out a record's plaintext whole; what does not fit
  waits in the stage (at most one record, 16 KiB, or the early data a server's config accepts;
  its storage freed once written), and rustls gets no more records until it is written up, so a
  full `upper.wr` stops the reading of records. The stage still sends meanwhile.
- `lower.wr` needs room for 30 bytes at least: records are made to fit its room, and a record
  takes 29 bytes more than its plaintext. Records rustls makes on its own (a handshake flight,
  alerts, `close_notify`) that do not fit wait in the stage until they do.
- `upper.rd`: plaintext is taken from it as far as `lower.wr` has room.

Between calls rustls keeps no buffer of records: the stage's memory when idle is the
connection's state.
For throughput, give the ciphertext link (`lower`) room for two records each way (for example
`limit = 65536`) and the plaintext link (`upper`) 16 KiB each way, so that records arrive, are
taken up and leave whole.

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
#[derive(Stage)]
#[stage(ports(lower: PBufRdWr, upper: PBufRdWr), error = TlsError)]
pub struct TlsServer {
    /// `None` passes the plaintext through.
    conn: Option<UnbufferedServerConnection>,
    engine: Engine,
    /// The server name in the client's hello, which rustls does not tell on this API.
    sni: ClientHelloName,
}

impl TlsServer {
    /// Creates the stage, for one connection with the given config.
    ///
    /// # Errors
    ///
    /// The error of [`UnbufferedServerConnection::new`], if rustls cannot start a connection
    /// with `config`.
    pub fn new(config: Arc<ServerConfig>) -> Result<Self, rustls::Error> {
        Ok(TlsServer::from_connection(UnbufferedServerConnection::new(config)?))
    }

    /// Creates the stage over a connection made by the caller.
    ///
    /// The connection MUST be new: the stage assumes it has seen every byte of it.
    #[must_use]
    pub fn from_connection(conn: UnbufferedServerConnection) -> Self {
        TlsServer { conn: Some(conn), engine: Engine::default(), sni: ClientHelloName::default() }
    }

    /// Returns the server name the client asked for (SNI), in lower case, once rustls has
    /// accepted the client's hello; `None` if the client sent none, or sent an IP address.
    #[must_use]
    pub fn server_name(&self) -> Option<&str> {
        self.conn.as_ref().filter(|conn| conn.protocol_version().is_some())?;
        self.sni.name()
    }

    /// Moves what it can; the derived [`Stage`] impl calls this.
    fn process(&mut self, p: TlsServerPorts<'_>) -> Result<bool, TlsError> {
        if self.conn.is_some() {
            self.sni.look(p.lower.rd.data());
        }
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
#[derive(Stage)]
#[stage(ports(lower: PBufRdWr, upper: PBufRdWr), error = TlsError)]
pub struct TlsClient {
    /// `None` passes the plaintext through.
    conn: Option<UnbufferedClientConnection>,
    engine: Engine,
}

impl TlsClient {
    /// Creates the stage, for one connection with the given config to the server `name`
    /// (which is also sent as SNI if the config says so).
    ///
    /// # Errors
    ///
    /// The error of [`UnbufferedClientConnection::new`], if rustls cannot start a connection
    /// with `config`.
    pub fn new(
        config: Arc<ClientConfig>,
        name: ServerName<'static>,
    ) -> Result<Self, rustls::Error> {
        Ok(TlsClient::from_connection(UnbufferedClientConnection::new(config, name)?))
    }

    /// Creates the stage over a connection made by the caller.
    ///
    /// The connection MUST be new: the stage assumes it has seen every byte of it.
    #[must_use]
    pub fn from_connection(conn: UnbufferedClientConnection) -> Self {
        TlsClient { conn: Some(conn), engine: Engine::default() }
    }

    /// Moves what it can; the derived [`Stage`] impl calls this.
    fn process(&mut self, p: TlsClientPorts<'_>) -> Result<bool, TlsError> {
        self.engine.process(self.conn.as_deref_mut(), p.lower, p.upper)
    }
}

/// The methods that [`TlsServer`] and [`TlsClient`] share.
macro_rules! shared_methods {
    ($stage:ident, $conn:ident, $($field:ident: $value:expr)?) => {
        impl core::fmt::Debug for $stage {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                // rustls's unbuffered connections have no `Debug`: what they tell is shown.
                f.debug_struct(stringify!($stage))
                    .field("passthrough", &self.is_passthrough())
                    .field("handshaking", &self.is_handshaking())
                    .field("protocol_version", &self.protocol_version())
                    .field("cipher_suite", &self.cipher_suite())
                    .field("engine", &self.engine)
                    .finish_non_exhaustive()
            }
        }

        impl $stage {
            /// Creates a stage without TLS, that passes the plaintext through unchanged: data,
            /// push, close and abort, each way. It moves data with
            /// [`PBufRd::forward`](pipebuf::PBufRd::forward), in O(1) when the destination is
            /// empty.
            #[must_use]
            pub fn passthrough() -> Self {
                $stage { conn: None, engine: Engine::default(), $($field: $value)? }
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
            /// Processing records through it bypasses the stage: the stage would lose track.
            #[must_use]
            pub fn connection_mut(&mut self) -> Option<&mut $conn> {
                // What the caller changes, the next `process` takes up.
                self.engine.wake();
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

shared_methods!(TlsServer, UnbufferedServerConnection, sni: ClientHelloName::default());
shared_methods!(TlsClient, UnbufferedClientConnection,);
