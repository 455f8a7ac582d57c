//! The close/abort/push matrix over client app <-> TLS <-> TCP <-> TLS <-> server app, all
//! `#[pipeline]` chains in a mio poll loop on 127.0.0.1: for each side, each event (push, close,
//! abort) injected after 0, 1 and several messages, what the other side's application sees; then
//! both sides ending at once.
//!
//! What each event becomes at the other end:
//!
//! | event | the other application sees |
//! | --- | --- |
//! | push | all the data before it, and no push: TLS passes the push down to TCP, but TCP has no push a receiver can see (the PSH bit is not exposed by sockets), so `TcpLink` raises none and the push ends at the sending socket. The stream stays open and carries what follows. |
//! | close | all the data before it, then a close (`close_notify`, then a FIN); its own direction stays open |
//! | abort | a prefix of the data before it (an abort is urgent: what TCP has not sent is dropped, and the RST makes the receiver drop what it had not read), then an abort; all of it when the sender waited for it to arrive |
//!
//! The messages, and the event right after them in the same turn, are written either at once,
//! before the pipelines first run (they wait for the handshake in the plaintext buffer), or once
//! the handshake is over on both sides.
//!
//! An abort written at once reaches the peer's `TcpLink` before it has seen its connection up;
//! the RST then still arrives as an abort, not as a failed connect.

#![cfg(all(feature = "mio", feature = "rustls", unix))]

#[path = "common/net.rs"]
mod net;
#[path = "common/tls.rs"]
mod tls;

use std::time::Duration;

use net::{Net, TlsClientSide, TlsServerSide, assert_bytes, assert_prefix, pattern, tls_net};
use pipebuf::PBufState;

/// How long one case may take at most.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What the sending application does after its messages.
#[derive(Clone, Copy, Debug)]
enum Event {
    Push,
    Close,
    Abort,
}

/// The messages a side sends: `count` of them, the third one 40 kB so that it spans TLS records.
fn messages(from_client: bool, count: usize) -> Vec<u8> {
    let mut data = Vec::new();
    for i in 0..count {
        if i == 2 {
            data.extend(pattern(u64::from(from_client), 0, 40_000));
        } else {
            data.extend(format!("message {i} of {count} from {}\n", side(from_client)).bytes());
        }
    }
    data
}

fn side(client: bool) -> &'static str {
    if client { "client" } else { "server" }
}

/// A new connection; the one case of the matrix on it, at once or after the handshake
/// (`established`); what the other side saw checked.
fn case(from_client: bool, event: Event, count: usize, established: bool) {
    let mut net = tls_net("", TIMEOUT);
    let data = messages(from_client, count);
    let when = if established { "after the handshake" } else { "at once" };
    let what = format!("{event:?} from the {} after {count} messages, {when}", side(from_client));
    if established {
        net.until("the handshake", |net| {
            let (a, b) = net.sides(true);
            a.is_ready() && b.is_ready()
        });
    }
    let (from, _) = net.sides(from_client);
    from.send(&data);
    match event {
        Event::Push => from.push(),
        Event::Close => from.close(),
        Event::Abort => from.abort(),
    }
    match event {
        Event::Push => {
            net.until(&what, |net| net.sides(from_client).1.count() == data.len());
            // More data, then a close, show that the stream was left open and in order, and
            // that an empty push (after 0 messages) added nothing.
            let more = b"after the push".to_vec();
            let (from, _) = net.sides(from_client);
            from.send(&more);
            from.close();
            net.until(&what, |net| net.sides(from_client).1.end().is_some());
            let report = net.report();
            let (from, to) = net.sides(from_client);
            assert_bytes(to.received(), &[data, more].concat(), &what);
            assert_eq!(to.end(), Some(PBufState::Closed), "{what}: {report}");
            assert!(to.pushes().is_empty(), "{what}: TCP carries no push; {report}");
            assert!(from.errors().is_empty() && to.errors().is_empty(), "{what}: {report}");
        }
        Event::Close => {
            net.until(&what, |net| net.sides(from_client).1.end().is_some());
            let (from, to) = net.sides(from_client);
            assert_bytes(to.received(), &data, &what);
            assert_eq!(to.end(), Some(PBufState::Closed), "{what}");
            assert_eq!(from.end(), None, "{what}: the sender's inbound direction ended");
            // The other direction still works, and closes as cleanly.
            let reply = messages(!from_client, count);
            to.send(&reply);
            to.close();
            net.until(&what, |net| net.sides(from_client).0.end().is_some());
            let report = net.report();
            let (from, to) = net.sides(from_client);
            assert_bytes(from.received(), &reply, &what);
            assert_eq!(from.end(), Some(PBufState::Closed), "{what}: {report}");
            assert!(from.errors().is_empty() && to.errors().is_empty(), "{what}: {report}");
        }
        Event::Abort => {
            net.until(&what, |net| {
                let (from, to) = net.sides(from_client);
                from.end().is_some() && to.end().is_some()
            });
            let report = net.report();
            let (from, to) = net.sides(from_client);
            assert_prefix(to.received(), &data, &what);
            assert_eq!(to.end(), Some(PBufState::Aborted), "{what}: {report}");
            assert_eq!(from.end(), Some(PBufState::Aborted), "{what}: {report}");
            assert!(from.errors().is_empty() && to.errors().is_empty(), "{what}: {report}");
        }
    }
}

/// The sender waits until its messages have arrived, then aborts: the other side has them all,
/// then the abort.
fn abort_after_delivery(from_client: bool, count: usize) {
    let mut net = tls_net("", TIMEOUT);
    let data = messages(from_client, count);
    let what = format!("abort from the {} after {count} messages delivered", side(from_client));
    net.sides(from_client).0.send(&data);
    net.until(&what, |net| {
        let (from, to) = net.sides(from_client);
        from.is_ready() && to.is_ready() && to.count() == data.len()
    });
    net.sides(from_client).0.abort();
    net.until(&what, |net| net.sides(from_client).1.end().is_some());
    let report = net.report();
    let (from, to) = net.sides(from_client);
    assert_bytes(to.received(), &data, &what);
    assert_eq!(to.end(), Some(PBufState::Aborted), "{what}: {report}");
    assert_eq!(from.end(), Some(PBufState::Aborted), "{what}: {report}");
    assert!(from.errors().is_empty() && to.errors().is_empty(), "{what}: {report}");
}

/// Writes one test per (side, event, when), each over 0, 1 and 5 messages.
macro_rules! matrix {
    ($($(#[$attr:meta])* $test:ident: $from_client:expr, $event:expr, $established:expr;)*) => {
        $(
            #[test]
            $(#[$attr])*
            fn $test() {
                for count in [0, 1, 5] {
                    case($from_client, $event, count, $established);
                }
            }
        )*
    };
}

matrix! {
    client_push_at_once_arrives_as_data_without_push: true, Event::Push, false;
    server_push_at_once_arrives_as_data_without_push: false, Event::Push, false;
    client_push_arrives_as_data_without_push: true, Event::Push, true;
    server_push_arrives_as_data_without_push: false, Event::Push, true;
    client_close_at_once_arrives_as_close_after_all_data: true, Event::Close, false;
    server_close_at_once_arrives_as_close_after_all_data: false, Event::Close, false;
    client_close_arrives_as_close_after_all_data: true, Event::Close, true;
    server_close_arrives_as_close_after_all_data: false, Event::Close, true;
        client_abort_at_once_arrives_as_abort_after_a_prefix: true, Event::Abort, false;
        server_abort_at_once_arrives_as_abort_after_a_prefix: false, Event::Abort, false;
    client_abort_arrives_as_abort_after_a_prefix: true, Event::Abort, true;
    server_abort_arrives_as_abort_after_a_prefix: false, Event::Abort, true;
}

#[test]
fn client_abort_after_delivery_arrives_as_abort_after_all_data() {
    for count in [1, 5] {
        abort_after_delivery(true, count);
    }
}

#[test]
fn server_abort_after_delivery_arrives_as_abort_after_all_data() {
    for count in [1, 5] {
        abort_after_delivery(false, count);
    }
}

/// Both sides send a message and end at once, in the same turn.
fn both_end(client: Event, server: Event) -> Net<TlsClientSide, TlsServerSide> {
    let mut net = tls_net("", TIMEOUT);
    net.until("the handshake", |net| {
        let (a, b) = net.sides(true);
        a.is_ready() && b.is_ready()
    });
    for (from_client, event) in [(true, client), (false, server)] {
        let (from, _) = net.sides(from_client);
        from.send(&messages(from_client, 1));
        match event {
            Event::Push => from.push(),
            Event::Close => from.close(),
            Event::Abort => from.abort(),
        }
    }
    net.until_ended();
    net
}

#[test]
fn both_sides_closing_at_once_each_see_a_close_after_all_data() {
    let mut net = both_end(Event::Close, Event::Close);
    let report = net.report();
    for from_client in [true, false] {
        let (from, to) = net.sides(from_client);
        assert_bytes(to.received(), &messages(from_client, 1), "both closing");
        assert_eq!(to.end(), Some(PBufState::Closed), "{report}");
        assert!(from.errors().is_empty(), "{report}");
    }
}

#[test]
fn both_sides_aborting_at_once_each_see_an_abort() {
    let mut net = both_end(Event::Abort, Event::Abort);
    let report = net.report();
    for from_client in [true, false] {
        let (from, to) = net.sides(from_client);
        assert_prefix(to.received(), &messages(from_client, 1), "both aborting");
        assert_eq!(to.end(), Some(PBufState::Aborted), "{report}");
        assert!(from.errors().is_empty(), "{report}");
    }
}

#[test]
fn a_close_meeting_an_abort_is_an_abort_at_the_closing_side() {
    for client_closes in [true, false] {
        let (client, server) =
            if client_closes { (Event::Close, Event::Abort) } else { (Event::Abort, Event::Close) };
        let mut net = both_end(client, server);
        let report = net.report();
        let (closer, aborter) = net.sides(client_closes);
        assert_eq!(closer.end(), Some(PBufState::Aborted), "{report}");
        // The aborting side ended its own connection in the same turn: whichever end it took
        // first is right, its own abort or the close that was already on its way.
        assert!(aborter.end().is_some(), "{report}");
        assert_prefix(closer.received(), &messages(!client_closes, 1), "the aborter's message");
        assert!(closer.errors().is_empty() && aborter.errors().is_empty(), "{report}");
    }
}
