//! Close and abort fidelity end to end, on each layer: a local close arrives at the remote
//! pipeline's application as a close, a local abort as an abort, each way, and one direction
//! closed leaves the other carrying data (half-close). First for TCP alone (`TcpLink` <->
//! `TcpLink`), then for TLS over TCP (`TcpLink` + `TlsClient` <-> `TcpLink` + `TlsServer`), all
//! `#[pipeline]` chains in a mio poll loop on 127.0.0.1.

#![cfg(all(feature = "mio", feature = "rustls", unix))]

#[path = "common/net.rs"]
mod net;
#[path = "common/tls.rs"]
mod tls;

use std::time::{Duration, Instant};

use net::{Endpoint, Net, assert_bytes, pattern, tcp_net, tcp_pair, tls_net};
use pipebuf::{PBufState, PipeBufPair, Stage};
use pipebuf_stages::{TcpLink, TcpLinkPorts};

/// How long one scenario may take at most.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The application's name for side `a` (the client) or `b` (the server).
fn name(a: bool) -> &'static str {
    if a { "client" } else { "server" }
}

/// One side sends 100 kB and closes: the other receives it all, then a close; the sender's
/// inbound direction stays open.
fn close_arrives_as_close<A: Endpoint, B: Endpoint>(mut net: Net<A, B>, from_a: bool) {
    let data = pattern(1, 0, 100_000);
    let (from, _) = net.sides(from_a);
    from.send(&data);
    from.close();
    net.until("the close", |net| net.sides(from_a).1.end().is_some());
    let report = net.report();
    let (from, to) = net.sides(from_a);
    let what = format!("{} to {}", name(from_a), name(!from_a));
    assert_eq!(to.end(), Some(PBufState::Closed), "{what}: {report}");
    assert_bytes(to.received(), &data, &what);
    assert_eq!(from.end(), None, "{what}: the sender's inbound direction ended; {report}");
    assert!(from.errors().is_empty() && to.errors().is_empty(), "{what}: {report}");
}

/// One side sends 10 kB, waits until it has arrived, and aborts: the other sees an abort after
/// all of it; the sender's own inbound direction is aborted too.
fn abort_arrives_as_abort<A: Endpoint, B: Endpoint>(mut net: Net<A, B>, from_a: bool) {
    let data = pattern(2, 0, 10_000);
    net.sides(from_a).0.send(&data);
    net.until("the data", |net| net.sides(from_a).1.count() == data.len());
    net.sides(from_a).0.abort();
    net.until("the abort", |net| net.sides(from_a).1.end().is_some());
    let report = net.report();
    let (from, to) = net.sides(from_a);
    let what = format!("{} to {}", name(from_a), name(!from_a));
    assert_eq!(to.end(), Some(PBufState::Aborted), "{what}: {report}");
    assert_bytes(to.received(), &data, &what);
    assert_eq!(from.end(), Some(PBufState::Aborted), "{what}: {report}");
    assert!(from.errors().is_empty() && to.errors().is_empty(), "{what}: {report}");
}

/// One side sends a request and closes; the other receives it and the close, then sends 1 MiB
/// back over the direction still open, and closes it too.
fn half_close_leaves_the_other_direction_open<A: Endpoint, B: Endpoint>(
    mut net: Net<A, B>,
    from_a: bool,
) {
    let request = b"request, and that is all".to_vec();
    let (from, _) = net.sides(from_a);
    from.send(&request);
    from.close();
    net.until("the request's close", |net| net.sides(from_a).1.end().is_some());
    let (from, to) = net.sides(from_a);
    let what = format!("{} closed, then {} replied", name(from_a), name(!from_a));
    assert_eq!(to.end(), Some(PBufState::Closed), "{what}");
    assert_bytes(to.received(), &request, &what);
    assert_eq!(from.end(), None, "{what}");

    let reply = pattern(3, 0, 1 << 20);
    to.send(&reply);
    to.close();
    net.until("the reply's close", |net| net.sides(from_a).0.end().is_some());
    let report = net.report();
    let (from, to) = net.sides(from_a);
    assert_eq!(from.end(), Some(PBufState::Closed), "{what}: {report}");
    assert_bytes(from.received(), &reply, &what);
    assert!(from.errors().is_empty() && to.errors().is_empty(), "{what}: {report}");
}

#[test]
fn tcp_close_arrives_as_close_both_ways() {
    for from_client in [true, false] {
        close_arrives_as_close(tcp_net(TIMEOUT), from_client);
    }
}

#[test]
fn tcp_abort_arrives_as_abort_both_ways() {
    for from_client in [true, false] {
        abort_arrives_as_abort(tcp_net(TIMEOUT), from_client);
    }
}

#[test]
fn tcp_half_close_leaves_the_other_direction_open_both_ways() {
    for from_client in [true, false] {
        half_close_leaves_the_other_direction_open(tcp_net(TIMEOUT), from_client);
    }
}

#[test]
fn tls_close_arrives_as_close_both_ways() {
    for version in ["1.3", "1.2"] {
        for from_client in [true, false] {
            close_arrives_as_close(tls_net(version, TIMEOUT), from_client);
        }
    }
}

#[test]
fn tls_abort_arrives_as_abort_both_ways() {
    for version in ["1.3", "1.2"] {
        for from_client in [true, false] {
            abort_arrives_as_abort(tls_net(version, TIMEOUT), from_client);
        }
    }
}

#[test]
fn tls_half_close_leaves_the_other_direction_open_both_ways() {
    for version in ["1.3", "1.2"] {
        for from_client in [true, false] {
            half_close_leaves_the_other_direction_open(tls_net(version, TIMEOUT), from_client);
        }
    }
}

/// A TCP end without `close_notify` after the handshake is an abort for TLS: the peer's TLS
/// layer never closed, so a FIN alone (a plain TCP close under it) must not pass for a close.
#[test]
fn tls_sees_a_bare_tcp_close_as_an_abort() {
    let mut net = tls_net("", TIMEOUT);
    net.until("the handshake", |net| net.a.p.is_ready() && net.b().p.is_ready());
    // Below the client's TLS stage: a FIN, with no `close_notify` before it.
    let stream = net.a.p.tcp.stream().expect("the client's stream");
    stream.shutdown(std::net::Shutdown::Write).expect("shutdown");
    net.until("the server's end", |net| net.b().end.is_some());
    let report = net.report();
    assert_eq!(net.b().end, Some(PBufState::Aborted), "{report}");
    assert!(net.b().errors.is_empty(), "{report}");
}

/// The peer resets an established connection before the link has seen its first readiness (a
/// remote abort right at the start). The link's connect check then finds `ConnectionReset`: that
/// is an abort of `upper.wr`, as a peer RST is at any other time, not a failed connect.
#[test]
fn tcp_a_reset_before_the_first_readiness_is_an_abort() {
    let (client, server) = tcp_pair();
    socket2::SockRef::from(&server).set_linger(Some(Duration::ZERO)).expect("linger 0");
    drop(server);
    let mut link = TcpLink::new(client);
    let mut pair = PipeBufPair::new();
    let deadline = Instant::now() + TIMEOUT;
    while !pair.lower().rd.is_eof() {
        assert!(Instant::now() < deadline, "no end: {link:?}");
        // What a poll loop hands over: the RST makes the socket readable and writable.
        link.set_ready(true, true);
        let result = link.process(TcpLinkPorts { upper: pair.upper() });
        assert!(result.is_ok(), "the reset is an error, not an abort: {result:?}");
    }
    assert_eq!(pair.lower().rd.state(), PBufState::Aborting);
}
