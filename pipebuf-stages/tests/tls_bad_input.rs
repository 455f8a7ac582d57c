//! Bad input to the TLS stages: garbage, a truncated handshake, bad certificates, a record cut
//! short. Each is a typed error with the rustls error as its source where rustls reports one,
//! the alert on the wire where TLS sends one, both outputs aborted, and no panic.

#![cfg(feature = "rustls")]

#[path = "common/tls.rs"]
mod tls;

use std::error::Error as _;

use pipebuf::{PBufState, PipeBufPair, Stage};
use pipebuf_stages::{TlsClient, TlsError, TlsServer, TlsServerPorts};
use rustls::{AlertDescription, CertificateError, Error};
use tls::{ALERT, APPLICATION_DATA, Duo, records};

/// Asserts that a stage failed with both outputs aborted, `net` holding what it wrote to the
/// wire, and returns the rustls error.
fn assert_failed(error: Option<&TlsError>, app_up: PBufState, net_out: PBufState) -> Error {
    let error = error.expect("the stage failed");
    assert!(app_up.is_aborted(), "plaintext output {app_up:?}");
    assert!(net_out.is_aborted(), "transport output {net_out:?}");
    let source = error.source().expect("rustls's error is the source");
    assert_eq!(source.to_string(), error.rustls_error().unwrap().to_string());
    error.rustls_error().unwrap().clone()
}

/// A server alone, with its network and application ends.
fn lone_server(version: &str) -> (TlsServer, PipeBufPair, PipeBufPair) {
    let config = tls::server_config(&tls::certificate(), tls::versions(version), &[]);
    (TlsServer::new(config).unwrap(), PipeBufPair::new(), PipeBufPair::new())
}

/// Runs `server` until it rests or fails.
fn run(server: &mut TlsServer, net: &mut PipeBufPair, app: &mut PipeBufPair) -> Option<TlsError> {
    for _ in 0..1000 {
        match server.process(TlsServerPorts { lower: net.lower(), upper: app.lower() }) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(error) => return Some(error),
        }
    }
    panic!("the stage never comes to rest");
}

#[test]
fn garbage_from_the_transport_is_an_error_after_an_alert() {
    let inputs: [&[u8]; 3] = [
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
        &[0xff; 64],
        // A handshake record header that announces more than a record may hold.
        &[22, 3, 1, 0xff, 0xff, 1, 2, 3],
    ];
    for input in inputs {
        let (mut server, mut net, mut app) = lone_server("");
        net.upper().wr.append(input);
        let error = run(&mut server, &mut net, &mut app);
        assert!(matches!(error, Some(TlsError::HandshakeFailed { .. })), "{error:?}");
        let source = assert_failed(error.as_ref(), app.up.state(), net.up.state());
        assert!(matches!(source, Error::InvalidMessage(_)), "{source:?}");
        let wire = net.upper().rd.data().to_vec();
        assert_eq!(records(&wire), [(ALERT, 2)], "for input {input:?}");
        // After the error the stage does nothing more, and does not fail again.
        net.upper().wr.append(b"more");
        assert_eq!(run(&mut server, &mut net, &mut app), None);
    }
}

#[test]
fn garbage_after_the_handshake_is_an_error_after_an_alert() {
    for version in ["1.3", "1.2"] {
        let mut duo = Duo::localhost(version, &[], &[]);
        duo.handshake();
        duo.wire = false;
        // An application data record of the right shape whose contents are not encrypted.
        let mut record = vec![APPLICATION_DATA, 3, 3, 0, 64];
        record.extend([0x55; 64]);
        duo.server_net.upper().wr.append(&record);
        duo.settle();
        let error = duo.server_error.clone();
        assert!(matches!(error, Some(TlsError::ConnectionFailed { .. })), "{error:?}");
        let source =
            assert_failed(error.as_ref(), duo.server_app.up.state(), duo.server_net.up.state());
        assert_eq!(source, Error::DecryptError);
        // The alert is on the wire: in TLS 1.2 as an alert record, in TLS 1.3 encrypted (as
        // application data), and the client reads it as `bad_record_mac`.
        let sent = records(duo.server_net.upper().rd.data());
        let expected = if version == "1.2" { ALERT } else { APPLICATION_DATA };
        assert_eq!(sent.iter().map(|&(kind, _)| kind).collect::<Vec<_>>(), [expected]);
        duo.wire = true;
        duo.settle();
        let client_error = duo.client_error.clone();
        let source = client_error.as_ref().and_then(TlsError::rustls_error);
        assert_eq!(source, Some(&Error::AlertReceived(AlertDescription::BadRecordMac)));
        assert!(duo.client_app.up.state().is_aborted());
    }
}

#[test]
fn a_truncated_handshake_is_an_error() {
    let mut duo = Duo::localhost("", &[], &[]);
    duo.wire = false;
    duo.step();
    // Half the client hello arrives, then the transport closes.
    let hello = duo.client_net.lower().rd.data().to_vec();
    duo.server_net.upper().wr.append(&hello[..hello.len() / 2]);
    duo.server_net.upper().wr.close();
    duo.settle();
    assert_eq!(duo.server_error, Some(TlsError::HandshakeTruncated));
    assert!(duo.server_error.as_ref().unwrap().source().is_none());
    assert!(duo.server_app.up.state().is_aborted() && duo.server_net.up.state().is_aborted());
    // The same at a record boundary: the whole hello, then the close.
    let (mut server, mut net, mut app) = lone_server("");
    net.upper().wr.append(&hello);
    net.upper().wr.close();
    assert_eq!(run(&mut server, &mut net, &mut app), Some(TlsError::HandshakeTruncated));
}

/// Runs a handshake in which the client rejects the server's certificate, and returns the
/// client's rustls error, after checking the alert on the wire and the server's error.
fn rejected(client: TlsClient, server: TlsServer, version: &str, alert: AlertDescription) -> Error {
    let mut duo = Duo::new(client, server);
    duo.settle();
    let error = duo.client_error.clone();
    assert!(matches!(error, Some(TlsError::HandshakeFailed { .. })), "{error:?}");
    let source =
        assert_failed(error.as_ref(), duo.client_app.up.state(), duo.client_net.down.state());
    // The server received the client's alert and failed on it.
    let server_source = duo.server_error.as_ref().and_then(TlsError::rustls_error);
    assert_eq!(server_source, Some(&Error::AlertReceived(alert)), "TLS {version}");
    assert!(duo.server_app.up.state().is_aborted());
    source
}

/// A client for `name` that trusts `roots`, and a server with `cert`.
fn stages(
    cert: &rcgen::CertifiedKey,
    roots: &[&rustls::pki_types::CertificateDer<'static>],
    name: &'static str,
    version: &str,
) -> (TlsClient, TlsServer) {
    let config = tls::client_config(roots, tls::versions(version), &[]);
    let client = TlsClient::new(config, name.try_into().unwrap()).unwrap();
    let server = TlsServer::new(tls::server_config(cert, tls::versions(version), &[])).unwrap();
    (client, server)
}

#[test]
fn a_wrong_server_name_is_rejected_with_an_alert() {
    for version in ["1.3", "1.2"] {
        let cert = tls::certificate();
        let (client, server) = stages(&cert, &[cert.cert.der()], "example.com", version);
        let source = rejected(client, server, version, AlertDescription::BadCertificate);
        assert!(
            matches!(
                source,
                Error::InvalidCertificate(
                    CertificateError::NotValidForName
                        | CertificateError::NotValidForNameContext { .. }
                )
            ),
            "{source:?}"
        );
    }
}

#[test]
fn an_untrusted_certificate_is_rejected_with_an_alert() {
    for version in ["1.3", "1.2"] {
        // A root with another name: an issuer the client does not know.
        let mut params = rcgen::CertificateParams::new(["other.example".to_owned()]).unwrap();
        params.distinguished_name.push(rcgen::DnType::CommonName, "another root");
        let other_key = rcgen::KeyPair::generate().unwrap();
        let other = rcgen::CertifiedKey {
            cert: params.self_signed(&other_key).unwrap(),
            key_pair: other_key,
        };
        let cert = tls::certificate();
        let (client, server) = stages(&cert, &[other.cert.der()], "localhost", version);
        let source = rejected(client, server, version, AlertDescription::UnknownCA);
        assert_eq!(source, Error::InvalidCertificate(CertificateError::UnknownIssuer));
    }
}

#[test]
fn an_expired_certificate_is_rejected_with_an_alert() {
    for version in ["1.3", "1.2"] {
        let cert = tls::expired_certificate();
        let (client, server) = stages(&cert, &[cert.cert.der()], "localhost", version);
        let source = rejected(client, server, version, AlertDescription::CertificateExpired);
        assert!(
            matches!(
                source,
                Error::InvalidCertificate(
                    CertificateError::Expired | CertificateError::ExpiredContext { .. }
                )
            ),
            "{source:?}"
        );
    }
}

#[test]
fn a_tls12_client_rejection_is_a_plain_alert_record_on_the_wire() {
    let cert = tls::certificate();
    let (client, server) = stages(&cert, &[cert.cert.der()], "example.com", "1.2");
    let mut duo = Duo::new(client, server);
    duo.wire = false;
    // Carry the bytes by hand until the client fails, and look at what it wrote last.
    let mut last = Vec::new();
    for _ in 0..100 {
        duo.step();
        let out = duo.client_net.lower().rd.data().to_vec();
        if !out.is_empty() {
            last = out;
        }
        duo.client_net.lower().rd.forward(duo.server_net.upper().wr);
        duo.server_net.upper().rd.forward(duo.client_net.lower().wr);
        if duo.client_error.is_some() {
            break;
        }
    }
    assert!(duo.client_error.is_some());
    assert_eq!(records(&last), [(ALERT, 2)]);
    // The alert record: fatal (2), bad_certificate (42).
    assert_eq!(&last[5..], [2, 42]);
}

#[test]
fn a_peer_closing_inside_a_record_is_an_error() {
    for cut in [1, 5, 6, 20] {
        let mut duo = Duo::localhost("", &[], &[]);
        duo.handshake();
        duo.client_app.upper().wr.append(b"whole");
        duo.settle();
        duo.wire = false;
        duo.client_app.upper().wr.append(b"cut short");
        duo.settle();
        let record = duo.client_net.lower().rd.data().to_vec();
        assert!(cut < record.len());
        duo.server_net.upper().wr.append(&record[..cut]);
        duo.server_net.upper().wr.close();
        duo.settle();
        let error = duo.server_error.clone();
        assert_eq!(error, Some(TlsError::RecordTruncated), "cut at {cut}");
        assert_eq!(duo.server_app.upper().rd.data(), b"whole");
        assert!(duo.server_app.up.state().is_aborted() && duo.server_net.up.state().is_aborted());
        assert_eq!(error.unwrap().to_string(), "transport closed inside a tls record");
    }
}

#[test]
fn an_error_waits_for_room_for_its_alert() {
    let (mut server, mut net, mut app) = lone_server("");
    net.set_limits(None, Some(4));
    net.upper().wr.append(&[0xff; 16]);
    // The 7-byte alert does not fit in 4 bytes: the error waits.
    assert_eq!(run(&mut server, &mut net, &mut app), None);
    assert_eq!(net.up.state(), PBufState::Open);
    let head = net.upper().rd.data().to_vec();
    assert_eq!(head.len(), 4);
    net.upper().rd.consume(4);
    let error = run(&mut server, &mut net, &mut app);
    assert!(matches!(error, Some(TlsError::HandshakeFailed { .. })), "{error:?}");
    let mut wire = head;
    wire.extend(net.upper().rd.data());
    assert_eq!(records(&wire), [(ALERT, 2)]);
    assert_eq!(net.up.state(), PBufState::Aborting);
}
