//! The client side of the `ws_client` and `tls_client` examples: where to connect, which
//! certificates to trust, and a thread that reads standard input and wakes the loop of
//! [`MioClient`](pipebuf_stages::MioClient).

use std::error::Error;
use std::fs;
use std::io;
use std::net::TcpStream as StdTcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::thread;

use pipebuf_stages::mio::Waker;
use pipebuf_stages::mio::net::TcpStream;
use pipebuf_stages::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use pipebuf_stages::rustls::crypto::{
    CryptoProvider, verify_tls12_signature, verify_tls13_signature,
};
use pipebuf_stages::rustls::pki_types::pem::PemObject as _;
use pipebuf_stages::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use pipebuf_stages::rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// A `ws://` or `wss://` URL, split into what the client needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsUrl {
    /// `wss://`: WebSocket over TLS.
    pub secure: bool,
    /// The host, without the brackets of an IPv6 address.
    pub host: String,
    /// The port, 80 or 443 when the URL gives none.
    pub port: u16,
    /// The request target: the path and the query, `/` at least.
    pub path: String,
}

impl WsUrl {
    /// Parses `url`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_examples::client::WsUrl;
    ///
    /// let url = WsUrl::parse("wss://127.0.0.1:9443/chat?room=1")?;
    /// assert!(url.secure);
    /// assert_eq!((url.host.as_str(), url.port), ("127.0.0.1", 9443));
    /// assert_eq!(url.path, "/chat?room=1");
    /// assert_eq!(url.host_header(), "127.0.0.1:9443");
    /// let url = WsUrl::parse("ws://[::1]")?;
    /// assert_eq!((url.host.as_str(), url.port, url.path.as_str()), ("::1", 80, "/"));
    /// assert_eq!(url.host_header(), "[::1]");
    /// assert!(WsUrl::parse("http://example.com").is_err());
    /// # Ok::<(), String>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A scheme other than `ws` or `wss`, no host, a port that is not a number, or a fragment.
    pub fn parse(url: &str) -> Result<Self, String> {
        let (secure, rest) = if let Some(rest) = url.strip_prefix("wss://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("ws://") {
            (false, rest)
        } else {
            return Err(format!("not a ws:// or wss:// URL: {url}"));
        };
        if rest.contains('#') {
            return Err(format!("a WebSocket URL has no fragment: {url}"));
        }
        let (authority, path) = rest.find(['/', '?']).map_or((rest, "/"), |i| rest.split_at(i));
        let (host, port) = split_host_port(authority, Some(if secure { 443 } else { 80 }))?;
        let path = if path.starts_with('?') { format!("/{path}") } else { path.to_owned() };
        Ok(WsUrl { secure, host, port, path })
    }

    /// Returns the value of the `Host` header: the host, and the port unless it is the
    /// scheme's default.
    #[must_use]
    pub fn host_header(&self) -> String {
        let host =
            if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        if self.port == if self.secure { 443 } else { 80 } {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// Splits `host:port` (`[v6]:port` for IPv6) into host and port; without a port, `default`
/// if there is one.
///
/// # Examples
///
/// ```
/// use pipebuf_examples::client::split_host_port;
///
/// assert_eq!(split_host_port("example.com:443", None)?, ("example.com".to_owned(), 443));
/// assert_eq!(split_host_port("[::1]", Some(80))?, ("::1".to_owned(), 80));
/// assert!(split_host_port("example.com", None).is_err());
/// # Ok::<(), String>(())
/// ```
///
/// # Errors
///
/// No host, no port and no default, or a port that is not a number.
pub fn split_host_port(authority: &str, default: Option<u16>) -> Result<(String, u16), String> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or(format!("no `]` in {authority}"))?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(format!("no host in {authority}"));
    }
    let port = match (port, default) {
        (Some(port), _) => port.parse().map_err(|_| format!("not a port: {port}"))?,
        (None, Some(default)) => default,
        (None, None) => return Err(format!("no port in {authority}: give host:port")),
    };
    Ok((host.to_owned(), port))
}

/// Which server certificates a client trusts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Trust {
    /// Those that chain to the Mozilla root certificates (the `webpki-roots` crate).
    #[default]
    WebPki,
    /// Those that chain to a certificate in this PEM file, such as a server's self-signed one.
    CaFile(PathBuf),
    /// Any certificate at all: see [`AcceptAnyCertificate`] for why this is dangerous.
    Insecure,
}

impl Trust {
    /// Takes `--cafile PEM` or `--insecure` from the command line: returns true if `arg` was
    /// one of them (taking the file name from `rest`), false if it is another argument.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_examples::client::Trust;
    ///
    /// let mut trust = Trust::default();
    /// let mut rest = ["cert.pem".to_owned()].into_iter();
    /// assert!(trust.take_arg("--cafile", &mut rest)?);
    /// assert_eq!(trust, Trust::CaFile("cert.pem".into()));
    /// assert!(!trust.take_arg("--other", &mut rest)?);
    /// assert!(trust.take_arg("--insecure", &mut rest).is_err()); // one or the other
    /// # Ok::<(), String>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `--cafile` without a file, or both flags.
    pub fn take_arg(
        &mut self,
        arg: &str,
        rest: &mut impl Iterator<Item = String>,
    ) -> Result<bool, String> {
        let trust = match arg {
            "--cafile" => Trust::CaFile(rest.next().ok_or("--cafile needs a PEM file")?.into()),
            "--insecure" => Trust::Insecure,
            _ => return Ok(false),
        };
        if *self != Trust::WebPki {
            return Err("give --cafile or --insecure, not both".to_owned());
        }
        *self = trust;
        Ok(true)
    }

    /// Returns the TLS client config for this trust, on the ring provider, TLS 1.2 and 1.3,
    /// with `alpn` as the ALPN protocols offered (none if empty).
    ///
    /// # Errors
    ///
    /// A CA file that cannot be read, holds no certificate, or holds one rustls refuses.
    pub fn client_config(&self, alpn: &[&[u8]]) -> Result<Arc<ClientConfig>, Box<dyn Error>> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()?;
        let mut config = match self {
            Trust::Insecure => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
                .with_no_client_auth(),
            Trust::WebPki | Trust::CaFile(_) => {
                let mut roots = RootCertStore::empty();
                if let Trust::CaFile(file) = self {
                    let pem = fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
                    for cert in CertificateDer::pem_slice_iter(&pem) {
                        roots.add(cert?)?;
                    }
                    if roots.is_empty() {
                        return Err(format!("no certificate in {}", file.display()).into());
                    }
                } else {
                    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                }
                builder.with_root_certificates(roots).with_no_client_auth()
            }
        };
        config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
        Ok(Arc::new(config))
    }
}

/// A server certificate verifier that accepts **every** certificate, whoever issued it and
/// whatever name it is for. DANGEROUS: anyone on the path can then pose as the server and read
/// and change all the traffic. It is here for `--insecure`, to try a server with a certificate
/// nobody signed; to trust a self-signed server, give its certificate with `--cafile` instead.
///
/// It still checks the handshake's signatures with the certificate's key, so the server must
/// hold the key of the certificate it shows; it just does not matter whose certificate that is.
#[derive(Debug)]
pub struct AcceptAnyCertificate(pub Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Connects to `host:port`, trying each address the name resolves to, and returns the stream
/// ready for a [`TcpLink`](pipebuf_stages::TcpLink): non-blocking, with `TCP_NODELAY` (an
/// interactive client sends small messages that should not wait).
///
/// # Errors
///
/// The name does not resolve, or no address accepts the connection.
pub fn connect(host: &str, port: u16) -> io::Result<TcpStream> {
    // A blocking connect tries every address in turn (`localhost` may be `::1` first).
    let stream = StdTcpStream::connect((host, port))?;
    stream.set_nodelay(true)?;
    stream.set_nonblocking(true)?;
    Ok(TcpStream::from_std(stream))
}

/// Returns the server name to check the certificate against, and to send as SNI (rustls sends
/// none for an IP address).
///
/// # Errors
///
/// `name` is neither a DNS name nor an IP address.
pub fn server_name(name: &str) -> Result<ServerName<'static>, String> {
    ServerName::try_from(name.to_owned()).map_err(|_| format!("not a server name: {name}"))
}

/// Reads items on a thread of their own (standard input blocks, and mio cannot poll it
/// everywhere): `next` gives each item, `None` at the end. Each item, then the end (the channel
/// disconnected) or an error, is sent down the channel and the loop woken.
///
/// The channel holds `bound` items at most: the reader waits when the loop takes no more, so
/// the input is read no faster than the connection sends it.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use pipebuf_examples::client::spawn_reader;
/// use pipebuf_stages::mio::{Poll, Token, Waker};
///
/// let poll = Poll::new()?;
/// let waker = Arc::new(Waker::new(poll.registry(), Token(1))?);
/// let mut lines = vec!["two", "one"];
/// let items = spawn_reader(waker, 4, move || Ok(lines.pop()));
/// assert_eq!(items.recv()??, "one");
/// assert_eq!(items.recv()??, "two");
/// assert!(items.recv().is_err()); // the end
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn spawn_reader<T: Send + 'static>(
    waker: Arc<Waker>,
    bound: usize,
    mut next: impl FnMut() -> io::Result<Option<T>> + Send + 'static,
) -> Receiver<io::Result<T>> {
    let (tx, rx) = mpsc::sync_channel(bound);
    thread::spawn(move || {
        loop {
            let sent = match next() {
                Ok(Some(item)) => tx.send(Ok(item)).is_ok(),
                Ok(None) => false,
                Err(error) => {
                    let _ = tx.send(Err(error));
                    false
                }
            };
            if !sent {
                // The end is the channel's disconnection: drop the sender before the wake-up, so
                // that the loop sees it.
                drop(tx);
                let _ = waker.wake();
                return;
            }
            let _ = waker.wake();
        }
    });
    rx
}
