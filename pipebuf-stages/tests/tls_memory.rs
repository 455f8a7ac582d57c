//! A `TlsClient` and a `TlsServer` joined in memory: the handshake and what it negotiates, data
//! both ways, push, close, abort, truncation, buffer limits, pass-through, and a pipeline.

#![cfg(feature = "rustls")]

#[path = "common/tls.rs"]
mod tls;

use pipebuf::{PBufState, PipeBufPair, Stage, pipeline};
use std::io::Write as _;
use std::sync::Arc;

use pipebuf_stages::{TlsClient, TlsClientPorts, TlsError, TlsServer, TlsServerPorts};
use rustls::{CipherSuite, ClientConnection, ProtocolVersion, ServerConfig};
use tls::{
    APPLICATION_DATA, Duo, HANDSHAKE, certificate, client_config, records, server_config, versions,
};

#[test]
fn handshake_negotiates_version_suite_sni_alpn_and_certificates() {
    let cases = [
        ("1.3", ProtocolVersion::TLSv1_3, CipherSuite::TLS13_AES_256_GCM_SHA384),
        ("1.2", ProtocolVersion::TLSv1_2, CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384),
    ];
    for (version, protocol, suite) in cases {
        let mut duo = Duo::localhost(version, &[b"h2", b"http/1.1"], &[b"http/1.1"]);
        assert!(duo.client.is_handshaking() && duo.server.is_handshaking());
        assert_eq!(duo.server.server_name(), None);

        // The client hello goes out, then reaches the server.
        assert!(duo.step() && duo.step());
        assert_eq!(duo.server.server_name(), Some("localhost"));
        duo.handshake();

        for (alpn, version, cipher) in [
            (duo.client.alpn_protocol(), duo.client.protocol_version(), duo.client.cipher_suite()),
            (duo.server.alpn_protocol(), duo.server.protocol_version(), duo.server.cipher_suite()),
        ] {
            assert_eq!(alpn, Some(&b"http/1.1"[..]));
            assert_eq!(version, Some(protocol));
            assert_eq!(cipher.map(|cipher| cipher.suite()), Some(suite));
        }
        // The client received the server's certificate; the server asked for none.
        assert_eq!(duo.client.peer_certificates(), Some(&[duo.cert.clone().unwrap()][..]));
        assert_eq!(duo.server.peer_certificates(), None);
        assert!(duo.client.connection_mut().is_some());
        assert!(!duo.client.is_passthrough());
        // Nothing is left on the wire, and no plaintext came up.
        assert!(duo.client_net.down.rd().is_empty() && duo.server_net.up.rd().is_empty());
        assert!(duo.client_app.up.rd().is_empty() && duo.server_app.up.rd().is_empty());
    }
}

#[test]
fn handshake_flights_are_pushed() {
    let mut duo = Duo::localhost("1.3", &[], &[]);
    duo.wire = false;
    duo.step();
    let hello = duo.client_net.down.rd();
    assert_eq!(records(hello.data()).first().map(|&(kind, _)| kind), Some(HANDSHAKE));
    assert_eq!(duo.client_net.down.state(), PBufState::Push);
}

#[test]
fn data_flows_both_ways_and_push_flushes_a_record() {
    for version in ["1.3", "1.2"] {
        let mut duo = Duo::localhost(version, &[], &[]);
        // Data written before the handshake waits for it in the plaintext buffer.
        duo.client_app.upper().wr.append(b"early");
        duo.handshake();
        assert_eq!(duo.server_app.upper().rd.data(), b"early");

        duo.wire = false;
        duo.client_app.upper().wr.append(b"ping");
        duo.client_app.upper().wr.push();
        duo.settle();
        let sent = duo.client_net.lower().rd.data().to_vec();
        assert_eq!(
            records(&sent).iter().map(|&(kind, _)| kind).collect::<Vec<_>>(),
            [APPLICATION_DATA]
        );
        assert_eq!(duo.client_net.down.state(), PBufState::Push);
        assert_eq!(duo.client_app.down.state(), PBufState::Open);

        duo.wire = true;
        duo.settle();
        let app = duo.server_app.upper();
        assert_eq!(app.rd.data(), b"earlyping");
        // The push arrives with the record, and goes up with its plaintext.
        assert_eq!(duo.server_app.up.state(), PBufState::Push);
        let mut app = duo.server_app.upper();
        app.rd.consume(9);
        app.wr.append(b"pong");
        duo.settle();
        assert_eq!(duo.client_app.upper().rd.data(), b"pong");
    }
}

#[test]
fn eight_mib_each_way_at_once_through_limited_links() {
    const SIZE: usize = 8 << 20;
    for (net_limit, app_limit) in [
        (None, None),
        (Some(20_000), Some(16_384)),
        (Some(40_000), Some(300)),
        (Some(700), Some(300)),
    ] {
        let mut duo = Duo::localhost("", &[], &[]);
        for pair in [&mut duo.client_net, &mut duo.server_net] {
            pair.set_limits(net_limit, net_limit);
        }
        for pair in [&mut duo.client_app, &mut duo.server_app] {
            pair.set_limits(app_limit, app_limit);
        }
        let up = Pattern::new(1);
        let down = Pattern::new(2);
        let (mut client_out, mut server_out) = (up.clone(), down.clone());
        let (mut client_in, mut server_in) = (Checksum::default(), Checksum::default());
        for _ in 0..10_000_000 {
            let mut active = duo.step();
            active |= client_out.write_to(&mut duo.client_app, SIZE);
            active |= server_out.write_to(&mut duo.server_app, SIZE);
            active |= client_in.read_from(&mut duo.client_app);
            active |= server_in.read_from(&mut duo.server_app);
            let most = net_limit.unwrap_or(usize::MAX).max(app_limit.unwrap_or(0));
            for pair in [&mut duo.client_net, &mut duo.server_net, &mut duo.client_app] {
                assert!(pair.down.rd().len() <= most && pair.up.rd().len() <= most);
            }
            if !active {
                break;
            }
        }
        assert_eq!((&duo.client_error, &duo.server_error), (&None, &None));
        assert_eq!(server_in, up.checksum(SIZE), "client to server, limits {net_limit:?}");
        assert_eq!(client_in, down.checksum(SIZE), "server to client, limits {net_limit:?}");
        assert_eq!(duo.server_app.up.state(), PBufState::Closed);
        assert_eq!(duo.client_app.up.state(), PBufState::Closed);
    }
}

#[test]
fn a_stage_whose_plaintext_waits_for_its_reader_still_sends() {
    const SIZE: usize = 1 << 20;
    let mut duo = Duo::localhost("1.3", &[], &[]);
    duo.server_app.set_limits(Some(1000), Some(1000));
    duo.handshake();
    // The client sends whole records the server's application never reads: the server holds
    // one record's plaintext and takes no more records, yet its own 1 MiB goes out.
    duo.client_app.upper().wr.append(&vec![7; 100_000]);
    let down = Pattern::new(3);
    let mut server_out = down.clone();
    let mut client_in = Checksum::default();
    for _ in 0..1_000_000 {
        let mut active = duo.step();
        active |= server_out.write_to(&mut duo.server_app, SIZE);
        active |= client_in.read_from(&mut duo.client_app);
        if !active {
            break;
        }
    }
    assert_eq!((&duo.client_error, &duo.server_error), (&None, &None));
    assert_eq!(client_in, down.checksum(SIZE));
    assert_eq!(duo.server_app.upper().rd.len(), 1000);
    // The rest is there for the reader, in order.
    let mut received = Vec::new();
    while duo.step() || !duo.server_app.upper().rd.is_empty() {
        let mut end = duo.server_app.upper();
        received.extend_from_slice(end.rd.data());
        let len = end.rd.len();
        end.rd.consume(len);
    }
    assert_eq!(received, vec![7; 100_000]);
}

/// A stage that rests between calls (nothing changed in what it reads) must still wake for
/// room in `lower.wr` while plaintext waits to be encrypted: here nothing else ever changes.
#[test]
fn plaintext_that_waits_for_room_goes_out_when_room_comes() {
    let mut duo = Duo::localhost("1.3", &[], &[]);
    duo.handshake();
    duo.client_net.set_limits(Some(20_000), Some(20_000));
    let sent: Vec<u8> = (0..100_000_u32).map(|i| (i % 251) as u8).collect();
    duo.client_app.upper().wr.append(&sent);
    duo.client_app.upper().wr.close();
    duo.settle();
    assert_eq!((&duo.client_error, &duo.server_error), (&None, &None));
    let end = duo.server_app.upper();
    assert_eq!(end.rd.data(), &sent[..]);
    assert!(end.rd.has_pending_eof());
}

#[test]
fn a_record_larger_than_the_link_it_arrives_on_is_an_error_not_a_stall() {
    let mut duo = Duo::localhost("1.3", &[], &[]);
    duo.handshake();
    duo.server_net.set_limits(Some(4096), Some(4096));
    duo.client_app.upper().wr.append(&[1; 16_384]);
    duo.settle();
    assert_eq!(duo.server_error, Some(TlsError::RecordTooLarge { link: 4096 }));
    assert_eq!(duo.server_app.up.state(), PBufState::Aborting);
}

#[test]
fn early_data_from_a_resuming_client_comes_up_first() {
    let cert = certificate();
    let mut config = Arc::unwrap_or_clone(server_config(&cert, versions("1.3"), &[]));
    config.max_early_data_size = 1024;
    let server_config = Arc::new(config);
    let mut config = Arc::unwrap_or_clone(client_config(&[cert.cert.der()], versions("1.3"), &[]));
    config.enable_early_data = true;
    let client_config = Arc::new(config);

    // The first connection leaves the client a ticket that allows early data.
    let name = || "localhost".try_into().expect("a valid name");
    let mut first = ClientConnection::new(client_config.clone(), name()).expect("a client");
    let (_, app) = run_raw_client(&mut first, &server_config);
    assert!(app.is_empty());

    let mut second = ClientConnection::new(client_config, name()).expect("a client");
    second.early_data().expect("early data is offered").write_all(b"early").expect("written");
    second.writer().write_all(b" and late").expect("written");
    let (server, app) = run_raw_client(&mut second, &server_config);
    assert!(second.is_early_data_accepted());
    assert!(!server.is_handshaking());
    assert_eq!(app, b"early and late");
}

/// Runs rustls's own client against a `TlsServer` in memory until nothing moves; returns the
/// server and the plaintext it wrote up.
fn run_raw_client(
    client: &mut ClientConnection,
    config: &Arc<ServerConfig>,
) -> (TlsServer, Vec<u8>) {
    let mut server = TlsServer::new(config.clone()).expect("rustls accepts the config");
    let (mut net, mut app) = (PipeBufPair::new(), PipeBufPair::new());
    for _ in 0..100 {
        let mut moved = false;
        while client.wants_write() {
            let mut to_server = net.upper();
            moved |= client
                .write_tls(&mut to_server.wr.space(65_536))
                .map(|len| to_server.wr.commit(len))
                .is_ok();
        }
        let ports = TlsServerPorts { lower: net.lower(), upper: app.lower() };
        moved |= server.process(ports).expect("the server accepts the client");
        let mut from_server = net.upper();
        if !from_server.rd.is_empty() {
            let len =
                client.read_tls(&mut from_server.rd.data()).expect("rustls takes the records");
            from_server.rd.consume(len);
            client.process_new_packets().expect("the client accepts the server");
            moved = true;
        }
        if !moved {
            break;
        }
    }
    let received = app.upper().rd.data().to_vec();
    (server, received)
}

#[test]
fn the_server_name_comes_from_a_hello_in_many_records_that_arrive_in_pieces() {
    let cert = certificate();
    let server = TlsServer::new(server_config(&cert, versions("1.3"), &[])).expect("a server");
    let mut config = Arc::unwrap_or_clone(client_config(&[cert.cert.der()], versions("1.3"), &[]));
    // 64-byte records: the hello takes several, and rustls joins them in place as they come.
    config.max_fragment_size = Some(64);
    let name = "localhost".try_into().expect("a valid name");
    let client = TlsClient::new(Arc::new(config), name).expect("a client");
    let mut duo = Duo::new(client, server);
    duo.wire = false;
    for _ in 0..10_000 {
        let active = duo.step();
        let moved = duo.client_net.lower().rd.forward_prefix(duo.server_net.upper().wr, 50);
        duo.server_net.upper().rd.forward(duo.client_net.lower().wr);
        if !active && moved == 0 && !duo.server.is_handshaking() {
            break;
        }
    }
    assert_eq!((&duo.client_error, &duo.server_error), (&None, &None));
    assert!(!duo.client.is_handshaking() && !duo.server.is_handshaking());
    assert_eq!(duo.server.server_name(), Some("localhost"));
}

#[test]
fn a_close_with_little_room_left_in_the_link_still_sends_close_notify() {
    let mut duo = Duo::localhost("1.3", &[], &[]);
    duo.handshake();
    duo.client_net.set_limits(Some(1000), Some(1000));
    // 971 bytes make a 993-byte record (22 bytes of TLS 1.3 overhead): 7 bytes of room are left
    // when the close comes, too few for the alert, which must wait, not be skipped.
    duo.client_app.upper().wr.append(&[3; 971]);
    duo.client_app.upper().wr.close();
    duo.settle();
    assert_eq!((&duo.client_error, &duo.server_error), (&None, &None));
    assert!(duo.server.has_received_close_notify());
    assert_eq!(duo.server_app.upper().rd.len(), 971);
    assert_eq!(duo.server_app.up.state(), PBufState::Closing);
}

#[test]
fn close_each_way_is_a_close_notify_and_arrives_as_a_close() {
    for version in ["1.3", "1.2"] {
        let mut duo = Duo::localhost(version, &[], &[]);
        duo.handshake();
        duo.client_app.upper().wr.append(b"last words");
        duo.client_app.upper().wr.close();
        duo.settle();
        assert!(duo.server.has_received_close_notify());
        assert_eq!(duo.server_app.upper().rd.data(), b"last words");
        assert_eq!(duo.server_app.up.state(), PBufState::Closing);
        // The client's transport is closed (after `close_notify`), and the server's sees it.
        assert_eq!(duo.client_net.down.state(), PBufState::Closed);
        // Half-closed: the server still sends, then closes too.
        assert!(!duo.client_app.up.state().is_eof());
        duo.server_app.upper().wr.append(b"reply");
        duo.server_app.upper().wr.close();
        duo.settle();
        assert_eq!(duo.client_app.upper().rd.data(), b"reply");
        assert_eq!(duo.client_app.up.state(), PBufState::Closing);
        assert!(duo.client.has_received_close_notify());
        assert_eq!(duo.server_net.up.state(), PBufState::Closed);
        assert_eq!((&duo.client_error, &duo.server_error), (&None, &None));
        // Both sides are at rest.
        assert!(!duo.step());
    }
}

#[test]
fn abort_of_the_plaintext_arrives_as_an_abort_without_close_notify() {
    for handshake in [true, false] {
        let mut duo = Duo::localhost("", &[], &[]);
        if handshake {
            duo.handshake();
            duo.client_app.upper().wr.append(b"partial");
        }
        duo.client_app.upper().wr.abort();
        duo.settle();
        assert_eq!(duo.client_net.down.state(), PBufState::Aborted);
        assert!(!duo.server.has_received_close_notify());
        let expected: &[u8] = if handshake { b"partial" } else { b"" };
        assert_eq!(duo.server_app.upper().rd.data(), expected);
        assert_eq!(duo.server_app.up.state(), PBufState::Aborting);
        // During the handshake the server can do nothing more, and aborts its transport.
        let server_out = if handshake { PBufState::Open } else { PBufState::Aborted };
        assert_eq!(duo.server_net.up.state(), server_out);
        assert_eq!((&duo.client_error, &duo.server_error), (&None, &None));
    }
}

#[test]
fn transport_abort_arrives_as_a_plaintext_abort() {
    let mut duo = Duo::localhost("", &[], &[]);
    duo.handshake();
    duo.server_app.upper().wr.append(b"data before");
    duo.settle();
    duo.client_net.lower().wr.abort();
    duo.settle();
    assert_eq!(duo.client_app.upper().rd.data(), b"data before");
    assert_eq!(duo.client_app.up.state(), PBufState::Aborting);
    // The other direction stays open.
    assert_eq!(duo.client_net.down.state(), PBufState::Open);
    assert_eq!(duo.client_error, None);
}

#[test]
fn transport_close_without_close_notify_is_an_abort_or_a_close_when_allowed() {
    for allow in [false, true] {
        let mut duo = Duo::localhost("", &[], &[]);
        duo.server.set_allow_truncation(allow);
        assert_eq!(duo.server.allows_truncation(), allow);
        duo.handshake();
        duo.client_app.upper().wr.append(b"maybe all");
        duo.settle();
        // The client's transport closes with no `close_notify` before it.
        duo.client_net.down.wr().close();
        duo.settle();
        assert_eq!(duo.server_app.upper().rd.data(), b"maybe all");
        let expected = if allow { PBufState::Closing } else { PBufState::Aborting };
        assert_eq!(duo.server_app.up.state(), expected);
        assert!(!duo.server.has_received_close_notify());
        assert_eq!(duo.server_error, None);
    }
}

#[test]
fn passthrough_forwards_storage_and_ends_each_way() {
    let (mut net, mut app) = (PipeBufPair::new(), PipeBufPair::new());
    let mut client = TlsClient::passthrough();
    assert!(client.is_passthrough() && !client.is_handshaking());
    assert_eq!((client.protocol_version(), client.connection().is_none()), (None, true));
    net.lower().wr.append(&vec![5; 100_000]);
    net.lower().wr.push();
    app.upper().wr.append(b"down");
    app.upper().wr.abort();
    let storage = net.up.rd().data().as_ptr();
    let ports = TlsClientPorts { lower: net.upper(), upper: app.lower() };
    assert!(client.process(ports).unwrap());
    // The 100 000 bytes changed buffers without a copy.
    assert_eq!(app.upper().rd.data().as_ptr(), storage);
    assert_eq!(app.up.state(), PBufState::Push);
    assert_eq!(net.lower().rd.data(), b"down");
    assert_eq!(net.down.state(), PBufState::Aborting);
    assert!(!client.process(TlsClientPorts { lower: net.upper(), upper: app.lower() }).unwrap());
    let server = TlsServer::passthrough();
    assert_eq!((server.server_name(), server.peer_certificates()), (None, None));
}

/// A server in a pipeline, with its network and application ends as external ports.
#[pipeline]
struct ServerSide {
    tls: TlsServer,
    #[link(<-> tls.lower, capacity = 32768)]
    net: PipeBufPair,
    #[link(tls.upper <->)]
    app: PipeBufPair,
}

#[test]
fn a_pipeline_reports_the_error_after_the_alert_and_aborts_both_ways() {
    let mut side =
        ServerSide::new(TlsServer::new(server_config(&certificate(), versions(""), &[])).unwrap());
    side.net().wr.append(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let error = side.process().unwrap_err();
    let ServerSideError::Tls(TlsError::HandshakeFailed { source }) = &error else {
        panic!("unexpected error {error:?}");
    };
    assert!(matches!(source, rustls::Error::InvalidMessage(_)), "{source:?}");
    assert_eq!(
        core::error::Error::source(&error).map(ToString::to_string).as_deref(),
        Some("tls handshake failed")
    );
    let net = side.net();
    // The alert is there, readable before the abort.
    assert_eq!(records(net.rd.data()).first().map(|&(kind, _)| kind), Some(tls::ALERT));
    assert_eq!(net.rd.state(), PBufState::Aborting);
    assert_eq!(side.app().rd.state(), PBufState::Aborting);
}

/// A stream of pseudo-random bytes, written to an application end as room allows.
#[derive(Clone)]
struct Pattern {
    state: u64,
    written: usize,
}

impl Pattern {
    fn new(seed: u64) -> Self {
        Pattern { state: seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1, written: 0 }
    }

    fn next_byte(&mut self) -> u8 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state.to_le_bytes()[0]
    }

    /// Writes up to 64 KiB more, as the application end has room, then closes at `total`.
    fn write_to(&mut self, app: &mut PipeBufPair, total: usize) -> bool {
        let mut end = app.upper();
        if end.wr.is_eof() {
            return false;
        }
        let want = (total - self.written).min(65_536);
        let len = end.wr.free_space().map_or(want, |free| free.min(want));
        let before = self.written;
        if len > 0 {
            let space = end.wr.space(len);
            for byte in space.iter_mut() {
                *byte = self.next_byte();
            }
            end.wr.commit(len);
            self.written += len;
        }
        if self.written == total {
            end.wr.close();
            return true;
        }
        self.written > before
    }

    /// The checksum of the first `total` bytes.
    fn checksum(mut self, total: usize) -> Checksum {
        let mut sum = Checksum::default();
        let bytes: Vec<u8> = (0..total).map(|_| self.next_byte()).collect();
        sum.add(&bytes);
        sum.ended = true;
        sum
    }
}

/// The length and FNV-1a hash of a stream, taken in pieces.
#[derive(Debug, PartialEq)]
struct Checksum {
    len: usize,
    hash: u64,
    ended: bool,
}

impl Default for Checksum {
    fn default() -> Self {
        Checksum { len: 0, hash: 0xcbf2_9ce4_8422_2325, ended: false }
    }
}

impl Checksum {
    fn add(&mut self, data: &[u8]) {
        self.len += data.len();
        for &byte in data {
            self.hash = (self.hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
        }
    }

    /// Takes everything from the application end; returns true if there was anything.
    fn read_from(&mut self, app: &mut PipeBufPair) -> bool {
        let mut end = app.upper();
        let len = end.rd.len();
        self.add(end.rd.data());
        end.rd.consume(len);
        if end.rd.consume_eof() {
            assert!(!end.rd.is_aborted(), "the stream was aborted");
            self.ended = true;
        }
        len > 0
    }
}
