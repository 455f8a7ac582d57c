//! `MioServer`'s waker over real sockets (127.0.0.1): what another thread hands the server goes
//! to every connection when it wakes the loop.

#![cfg(feature = "mio")]

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use pipebuf::{PipeBufPair, pipeline};
use pipebuf_stages::{MioConnection, MioServer, TcpLink};

/// How long a test waits for anything.
const TIMEOUT: Duration = Duration::from_secs(10);

/// TCP to the application: the server writes to the client what the application hands it.
#[pipeline]
struct Feed {
    tcp: TcpLink,
    #[link(tcp.upper <->)]
    app: PipeBufPair,
}

impl MioConnection for Feed {
    fn tcp(&mut self) -> &mut TcpLink {
        &mut self.tcp
    }
}

#[test]
fn a_wake_up_feeds_every_connection() {
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    let mut server =
        MioServer::bind("127.0.0.1:0".parse().expect("an address"), move |stream, _| {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(Feed::new(TcpLink::new(stream)))
        })
        .expect("bound");
    let addr = server.local_addr().expect("its address");
    let waker = server.waker();
    let stop = Arc::new(AtomicBool::new(false));
    let (lines, news) = mpsc::channel::<&'static str>();
    let (done, ended) = mpsc::channel();
    let flag = stop.clone();
    thread::spawn(move || {
        let run = server.run_with(
            &flag,
            |_| {},
            || {
                let fresh: Vec<&str> = news.try_iter().collect();
                move |feed: &mut Feed| {
                    for line in &fresh {
                        feed.app().wr.append(line.as_bytes());
                    }
                    !fresh.is_empty()
                }
            },
        );
        done.send(run.map_err(|e| e.to_string())).expect("the test waits");
    });

    let clients: Vec<TcpStream> =
        (0..2).map(|_| TcpStream::connect(addr).expect("connected")).collect();
    let deadline = Instant::now() + TIMEOUT;
    while accepted.load(Ordering::SeqCst) < clients.len() {
        assert!(Instant::now() < deadline, "the server did not accept both clients");
        thread::sleep(Duration::from_millis(5));
    }
    // Each only when the server wakes: nothing else happens meanwhile.
    for line in ["one\n", "two\n"] {
        lines.send(line).expect("the server runs");
        waker.wake().expect("woken");
    }
    for client in clients {
        client.set_read_timeout(Some(TIMEOUT)).expect("a timeout");
        let mut reader = BufReader::new(client);
        let mut got = String::new();
        for _ in 0..2 {
            reader.read_line(&mut got).expect("a line from the server");
        }
        assert_eq!(got, "one\ntwo\n");
    }

    stop.store(true, Ordering::SeqCst);
    waker.wake().expect("woken");
    let run = ended.recv_timeout(TIMEOUT).expect("the run ended");
    assert_eq!(run, Ok(()));
}
