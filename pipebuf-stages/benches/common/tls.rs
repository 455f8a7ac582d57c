//! What both TLS benches use: the configs (TLS 1.3, AES-128-GCM on ring, an ECDSA P-256
//! certificate for `localhost`, full handshakes only) and the plaintext pattern.

use std::sync::Arc;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore, ServerConfig};

/// The configs every variant uses.
pub(crate) struct Configs {
    pub(crate) server: Arc<ServerConfig>,
    pub(crate) client: Arc<ClientConfig>,
}

impl Configs {
    /// TLS 1.3 with AES-128-GCM on ring, an ECDSA P-256 certificate for `localhost`, full
    /// handshakes only.
    pub(crate) fn new() -> Self {
        let cert = rcgen::generate_simple_self_signed(["localhost".to_owned()]).expect("rcgen");
        assert_eq!(cert.key_pair.algorithm(), &rcgen::PKCS_ECDSA_P256_SHA256);
        let mut provider = rustls::crypto::ring::default_provider();
        provider.cipher_suites = vec![rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256];
        let provider = Arc::new(provider);
        let key = PrivateKeyDer::from(PrivatePkcs8KeyDer::from(cert.key_pair.serialize_der()));
        let mut server = ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .expect("ring does TLS 1.3")
            .with_no_client_auth()
            .with_single_cert(vec![cert.cert.der().clone()], key)
            .expect("the key matches the certificate");
        // No tickets: every handshake is a full one, and none does extra work after it.
        server.send_tls13_tickets = 0;
        let mut roots = RootCertStore::empty();
        roots.add(cert.cert.der().clone()).expect("a valid root");
        let mut client = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13])
            .expect("ring does TLS 1.3")
            .with_root_certificates(roots)
            .with_no_client_auth();
        client.resumption = rustls::client::Resumption::disabled();
        Configs { server: Arc::new(server), client: Arc::new(client) }
    }
}

pub(crate) fn localhost() -> ServerName<'static> {
    ServerName::try_from("localhost").expect("a valid name")
}

/// A 64 KiB pseudo-random pattern from a fixed seed.
pub(crate) fn pattern() -> Vec<u8> {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    (0..64 << 10)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed.to_le_bytes()[0]
        })
        .collect()
}
