//! What the TLS tests share: certificates made with rcgen, configs on ring, a client and a server
//! stage joined in memory and driven by hand, and a reader of TLS record headers.

// Each test file is a crate of its own and uses only some of these helpers.
#![allow(dead_code)]

use std::sync::Arc;

use pipebuf::{PBufTrip, PipeBufPair, Stage, tripwire};
use pipebuf_stages::{TlsClient, TlsClientPorts, TlsError, TlsServer, TlsServerPorts};
use rcgen::{CertificateParams, CertifiedKey, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ClientConfig, RootCertStore, ServerConfig, SupportedProtocolVersion};

/// The TLS content type of an alert record.
pub(crate) const ALERT: u8 = 21;
/// The TLS content type of a handshake record.
pub(crate) const HANDSHAKE: u8 = 22;
/// The TLS content type of an application data record (and, in TLS 1.3, of every encrypted one).
pub(crate) const APPLICATION_DATA: u8 = 23;

/// A self-signed certificate for `localhost` and its key.
pub(crate) fn certificate() -> CertifiedKey {
    rcgen::generate_simple_self_signed(["localhost".to_owned()]).expect("rcgen makes a certificate")
}

/// A self-signed certificate for `localhost` that expired in 2001.
pub(crate) fn expired_certificate() -> CertifiedKey {
    let mut params = CertificateParams::new(["localhost".to_owned()]).expect("valid name");
    params.not_before = rcgen::date_time_ymd(2000, 1, 1);
    params.not_after = rcgen::date_time_ymd(2001, 1, 1);
    let key_pair = KeyPair::generate().expect("rcgen makes a key");
    let cert = params.self_signed(&key_pair).expect("rcgen signs the certificate");
    CertifiedKey { cert, key_pair }
}

/// The versions to offer: TLS 1.3 alone, TLS 1.2 alone, or both.
pub(crate) fn versions(name: &str) -> &'static [&'static SupportedProtocolVersion] {
    static TLS13: [&SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
    static TLS12: [&SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
    match name {
        "1.3" => &TLS13,
        "1.2" => &TLS12,
        _ => rustls::DEFAULT_VERSIONS,
    }
}

/// The ring crypto provider.
pub(crate) fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A server config with `cert`, the given versions and ALPN protocols.
pub(crate) fn server_config(
    cert: &CertifiedKey,
    versions: &[&'static SupportedProtocolVersion],
    alpn: &[&[u8]],
) -> Arc<ServerConfig> {
    let key = PrivateKeyDer::from(PrivatePkcs8KeyDer::from(cert.key_pair.serialize_der()));
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .expect("ring supports these versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .expect("the key matches the certificate");
    config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
    Arc::new(config)
}

/// A client config that trusts `roots`, with the given versions and ALPN protocols.
pub(crate) fn client_config(
    roots: &[&CertificateDer<'static>],
    versions: &[&'static SupportedProtocolVersion],
    alpn: &[&[u8]],
) -> Arc<ClientConfig> {
    let mut store = RootCertStore::empty();
    for root in roots {
        store.add((*root).clone()).expect("a valid root certificate");
    }
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .expect("ring supports these versions")
        .with_root_certificates(store)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
    Arc::new(config)
}

/// A client and a server stage, each between an application end and a network end, with the
/// two network ends joined by a wire that the harness moves bytes along (unless cut).
///
/// Ends: `client_app.upper()` is the client application's, `client_net.lower()` the client's
/// side of the wire; `server_net.lower()` and `server_app.upper()` likewise.
pub(crate) struct Duo {
    pub(crate) client: TlsClient,
    pub(crate) server: TlsServer,
    pub(crate) client_app: PipeBufPair,
    pub(crate) client_net: PipeBufPair,
    pub(crate) server_net: PipeBufPair,
    pub(crate) server_app: PipeBufPair,
    /// Whether the harness moves bytes between the two network ends.
    pub(crate) wire: bool,
    pub(crate) client_error: Option<TlsError>,
    pub(crate) server_error: Option<TlsError>,
    /// The server's certificate, when the harness made it.
    pub(crate) cert: Option<CertificateDer<'static>>,
}

impl Duo {
    /// Joins `client` and `server` with unbounded buffers.
    pub(crate) fn new(client: TlsClient, server: TlsServer) -> Self {
        Duo {
            client,
            server,
            client_app: PipeBufPair::new(),
            client_net: PipeBufPair::new(),
            server_net: PipeBufPair::new(),
            server_app: PipeBufPair::new(),
            wire: true,
            client_error: None,
            server_error: None,
            cert: None,
        }
    }

    /// A client and a server for `localhost` with a fresh certificate, the given versions and
    /// ALPN protocols offered by the client and accepted by the server.
    pub(crate) fn localhost(version: &str, client_alpn: &[&[u8]], server_alpn: &[&[u8]]) -> Self {
        let cert = certificate();
        let server = TlsServer::new(server_config(&cert, versions(version), server_alpn))
            .expect("rustls accepts the config");
        let config = client_config(&[cert.cert.der()], versions(version), client_alpn);
        let client = TlsClient::new(config, "localhost".try_into().expect("a valid name"))
            .expect("rustls accepts the config");
        let mut duo = Duo::new(client, server);
        duo.cert = Some(cert.cert.der().clone());
        duo
    }

    /// Runs each stage once (unless it failed) and moves bytes along the wire; returns true if
    /// anything changed.
    pub(crate) fn step(&mut self) -> bool {
        let before = self.trips();
        if self.client_error.is_none() {
            let ports =
                TlsClientPorts { lower: self.client_net.upper(), upper: self.client_app.lower() };
            if let Err(error) = self.client.process(ports) {
                self.client_error = Some(error);
            }
        }
        if self.server_error.is_none() {
            let ports =
                TlsServerPorts { lower: self.server_net.lower(), upper: self.server_app.lower() };
            if let Err(error) = self.server.process(ports) {
                self.server_error = Some(error);
            }
        }
        if self.wire {
            self.client_net.lower().rd.forward(self.server_net.upper().wr);
            self.server_net.upper().rd.forward(self.client_net.lower().wr);
        }
        before != self.trips()
    }

    /// Steps until nothing changes.
    ///
    /// # Panics
    ///
    /// Panics if something still changes after a million steps.
    pub(crate) fn settle(&mut self) {
        for _ in 0..1_000_000 {
            if !self.step() {
                return;
            }
        }
        panic!("the stages never come to rest");
    }

    /// Steps until the handshake is complete on both sides, and asserts that it is.
    pub(crate) fn handshake(&mut self) {
        self.settle();
        assert_eq!((&self.client_error, &self.server_error), (&None, &None));
        assert!(!self.client.is_handshaking() && !self.server.is_handshaking());
    }

    /// Every buffer's tripwire, and whether each stage has failed.
    fn trips(&self) -> ([(PBufTrip, PBufTrip); 4], bool, bool) {
        let trips = tripwire!(self.client_app, self.client_net, self.server_net, self.server_app);
        (
            [trips.0, trips.1, trips.2, trips.3],
            self.client_error.is_some(),
            self.server_error.is_some(),
        )
    }
}

/// The records in `wire`, as (content type, length) pairs; a partial record at the end is
/// listed with the length its header announces.
pub(crate) fn records(wire: &[u8]) -> Vec<(u8, usize)> {
    let mut list = Vec::new();
    let mut rest = wire;
    while let Some((&[kind, _, _, high, low], body)) = rest.split_first_chunk::<5>() {
        let len = usize::from(u16::from_be_bytes([high, low]));
        list.push((kind, len));
        rest = body.get(len..).unwrap_or_default();
    }
    list
}
