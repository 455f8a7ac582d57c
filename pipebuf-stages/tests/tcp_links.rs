//! `TcpLink` and `UnixLink` driven by a mio `Poll` loop over real sockets (127.0.0.1, a
//! socketpair, a listener in a temporary directory), against `std::net` peers and each other.
#![cfg(all(feature = "mio", unix))]

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::UnixStream as StdUnixStream;
use std::thread;
use std::time::{Duration, Instant};

use mio::net::{TcpStream as MioTcp, UnixStream as MioUnix};
use mio::{Events, Interest, Poll, Token};
use pipebuf::{PBufState, PipeBufPair, Stage, Status, pipeline};
use pipebuf_stages::{StreamError, TcpLink, TcpLinkPorts, UnixLink, UnixLinkPorts};

const TIMEOUT: Duration = Duration::from_secs(5);

/// What the driver needs from either link.
trait Link {
    type Stream: mio::event::Source;
    fn run(&mut self, pair: &mut PipeBufPair) -> Result<bool, StreamError>;
    fn event(&mut self, event: &mio::event::Event);
    fn interest(&self) -> Option<Interest>;
    fn stream_mut(&mut self) -> Option<&mut Self::Stream>;
}

impl Link for TcpLink {
    type Stream = MioTcp;
    fn run(&mut self, pair: &mut PipeBufPair) -> Result<bool, StreamError> {
        self.process(TcpLinkPorts { upper: pair.upper() })
    }
    fn event(&mut self, event: &mio::event::Event) {
        self.handle_event(event);
    }
    fn interest(&self) -> Option<Interest> {
        TcpLink::interest(self)
    }
    fn stream_mut(&mut self) -> Option<&mut MioTcp> {
        TcpLink::stream_mut(self)
    }
}

impl Link for UnixLink {
    type Stream = MioUnix;
    fn run(&mut self, pair: &mut PipeBufPair) -> Result<bool, StreamError> {
        self.process(UnixLinkPorts { upper: pair.upper() })
    }
    fn event(&mut self, event: &mio::event::Event) {
        self.handle_event(event);
    }
    fn interest(&self) -> Option<Interest> {
        UnixLink::interest(self)
    }
    fn stream_mut(&mut self) -> Option<&mut MioUnix> {
        UnixLink::stream_mut(self)
    }
}

/// Up to two links, each with its pair (the application reads and writes `pair.lower()`), in
/// one edge-triggered poll loop.
struct Driver<L: Link> {
    poll: Poll,
    events: Events,
    links: Vec<(L, PipeBufPair, Option<Interest>)>,
    deadline: Instant,
}

impl<L: Link> Driver<L> {
    fn new(links: impl IntoIterator<Item = L>) -> Self {
        let poll = Poll::new().unwrap();
        let mut entries = Vec::new();
        for (i, mut link) in links.into_iter().enumerate() {
            let interest = link.interest();
            let stream = link.stream_mut().unwrap();
            poll.registry().register(stream, Token(i), interest.unwrap()).unwrap();
            entries.push((link, PipeBufPair::new(), interest));
        }
        Driver {
            poll,
            events: Events::with_capacity(64),
            links: entries,
            deadline: Instant::now() + TIMEOUT,
        }
    }

    fn pair(&mut self, i: usize) -> &mut PipeBufPair {
        &mut self.links[i].1
    }

    fn link(&mut self, i: usize) -> &mut L {
        &mut self.links[i].0
    }

    /// Processes every link until it rests, re-arms interests, then waits for events (at most
    /// 10 ms) and hands them out.
    fn step(&mut self) -> Result<(), StreamError> {
        assert!(Instant::now() < self.deadline, "the test ran out of time");
        for (i, (link, pair, registered)) in self.links.iter_mut().enumerate() {
            let mut calls = 0;
            while link.run(pair)? {
                calls += 1;
                assert!(calls < 100_000, "the link never rested");
            }
            let interest = link.interest();
            if let (Some(new), Some(stream)) = (interest, link.stream_mut()) {
                if *registered != Some(new) {
                    self.poll.registry().reregister(stream, Token(i), new).unwrap();
                    *registered = Some(new);
                }
            }
        }
        self.poll.poll(&mut self.events, Some(Duration::from_millis(10))).unwrap();
        for event in &self.events {
            self.links[event.token().0].0.event(event);
        }
        Ok(())
    }

    /// Steps until `done` holds.
    fn until(&mut self, mut done: impl FnMut(&mut Self) -> bool) -> Result<(), StreamError> {
        while !done(self) {
            self.step()?;
        }
        Ok(())
    }

    /// Steps until link `i` has received `len` bytes, and takes them.
    fn receive(&mut self, i: usize, len: usize) -> Vec<u8> {
        let mut got = Vec::new();
        while got.len() < len {
            let mut lower = self.pair(i).lower();
            got.extend_from_slice(lower.rd.data());
            let n = lower.rd.len();
            lower.rd.consume(n);
            if got.len() < len {
                assert!(!lower.rd.is_eof(), "the stream ended after {} bytes", got.len());
                self.step().unwrap();
            }
        }
        got
    }
}

/// A connecting mio stream and the `std` peer that accepted it, both with timeouts.
fn tcp_peer() -> (MioTcp, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let ours = MioTcp::connect(listener.local_addr().unwrap()).unwrap();
    let (theirs, _) = listener.accept().unwrap();
    theirs.set_read_timeout(Some(TIMEOUT)).unwrap();
    theirs.set_write_timeout(Some(TIMEOUT)).unwrap();
    (ours, theirs)
}

fn unix_peer() -> (MioUnix, StdUnixStream) {
    let (ours, theirs) = StdUnixStream::pair().unwrap();
    ours.set_nonblocking(true).unwrap();
    theirs.set_read_timeout(Some(TIMEOUT)).unwrap();
    theirs.set_write_timeout(Some(TIMEOUT)).unwrap();
    (MioUnix::from_std(ours), theirs)
}

fn read_to_end(peer: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut got = Vec::new();
    peer.read_to_end(&mut got).map(|_| got)
}

/// A pseudo-random byte pattern and its FNV-1a checksum.
fn pattern(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect()
}

fn checksum(data: &[u8]) -> u64 {
    data.iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

#[test]
fn data_flows_both_ways_with_a_std_peer() {
    let (ours, mut theirs) = tcp_peer();
    let link = TcpLink::new(ours);
    link.set_nodelay(true).unwrap();
    let mut d = Driver::new([link]);
    d.pair(0).lower().wr.append(b"hello");
    theirs.write_all(b"world").unwrap();
    assert_eq!(d.receive(0, 5), b"world");
    let mut got = [0; 5];
    theirs.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"hello");
    assert!(d.link(0).is_connected());
    assert!(!d.link(0).is_reset());
}

#[test]
fn a_connect_in_progress_is_not_written_before_it_is_writable() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut link = TcpLink::new(MioTcp::connect(listener.local_addr().unwrap()).unwrap());
    let mut pair = PipeBufPair::new();
    pair.lower().wr.append(b"early");
    for _ in 0..3 {
        assert!(!link.process(TcpLinkPorts { upper: pair.upper() }).unwrap());
    }
    assert_eq!(pair.upper().rd.data(), b"early");
    assert!(!link.is_connected());
    assert_eq!(link.interest(), Some(Interest::WRITABLE));

    let (mut theirs, _) = listener.accept().unwrap();
    theirs.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut d = Driver::new([link]);
    *d.pair(0) = pair;
    d.until(|d| d.pair(0).upper().rd.is_empty()).unwrap();
    assert!(d.link(0).is_connected());
    let mut got = [0; 5];
    theirs.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"early");
}

#[test]
fn a_refused_connect_is_a_connect_error() {
    let addr = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let mut d = Driver::new([TcpLink::new(MioTcp::connect(addr).unwrap())]);
    let error = loop {
        if let Err(error) = d.step() {
            break error;
        }
    };
    assert!(
        matches!(&error, StreamError::Connect { source } if source.kind() == ErrorKind::ConnectionRefused),
        "{error:?}"
    );
}

#[test]
fn peer_fin_closes_the_inbound_pipe_and_we_still_send() {
    let (ours, mut theirs) = tcp_peer();
    let mut d = Driver::new([TcpLink::new(ours)]);
    theirs.write_all(b"bye").unwrap();
    theirs.shutdown(Shutdown::Write).unwrap();
    d.until(|d| d.pair(0).lower().rd.has_pending_eof()).unwrap();
    assert_eq!(d.pair(0).lower().rd.data(), b"bye");
    assert_eq!(d.pair(0).lower().rd.state(), PBufState::Closing);
    d.pair(0).lower().wr.append(b"after");
    d.pair(0).lower().wr.close();
    // The interest is that of the last `process`: nothing, until the data came.
    assert_eq!(d.link(0).interest(), None);
    d.until(|d| d.pair(0).upper().rd.is_done()).unwrap();
    assert_eq!(d.link(0).interest(), None);
    assert_eq!(read_to_end(&mut theirs).unwrap(), b"after");
}

#[test]
fn our_close_is_an_eof_at_the_peer_while_we_still_receive() {
    let (ours, mut theirs) = tcp_peer();
    let mut d = Driver::new([TcpLink::new(ours)]);
    d.pair(0).lower().wr.append(b"request");
    d.pair(0).lower().wr.close();
    d.until(|d| d.pair(0).upper().rd.is_done()).unwrap();
    assert_eq!(read_to_end(&mut theirs).unwrap(), b"request");
    theirs.write_all(b"response").unwrap();
    assert_eq!(d.receive(0, 8), b"response");
    assert_eq!(d.pair(0).lower().rd.state(), PBufState::Open);
    assert_eq!(d.link(0).interest(), Some(Interest::READABLE));
}

#[test]
fn our_abort_is_a_reset_at_the_peer() {
    let (ours, mut theirs) = tcp_peer();
    let mut d = Driver::new([TcpLink::new(ours)]);
    d.until(|d| d.link(0).is_connected()).unwrap();
    d.pair(0).lower().wr.append(b"dropped");
    d.pair(0).lower().wr.abort();
    d.step().unwrap();
    assert!(d.link(0).stream_mut().is_none());
    assert_eq!(d.link(0).interest(), None);
    assert_eq!(d.pair(0).lower().rd.state(), PBufState::Aborting);
    let error = read_to_end(&mut theirs).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ConnectionReset);
}

#[test]
fn a_peer_reset_is_an_abort_and_later_output_is_dropped() {
    let (ours, theirs) = tcp_peer();
    let mut d = Driver::new([TcpLink::new(ours)]);
    d.until(|d| d.link(0).is_connected()).unwrap();
    socket2::SockRef::from(&theirs).set_linger(Some(Duration::ZERO)).unwrap();
    drop(theirs);
    d.until(|d| d.pair(0).lower().rd.has_pending_eof()).unwrap();
    assert_eq!(d.pair(0).lower().rd.state(), PBufState::Aborting);
    assert!(d.link(0).is_reset());
    d.pair(0).lower().wr.append(b"lost");
    d.pair(0).lower().wr.close();
    d.step().unwrap();
    assert!(d.pair(0).upper().rd.is_done());
}

#[test]
fn a_peer_that_resets_mid_transfer_aborts_without_an_error() {
    let (ours, mut theirs) = tcp_peer();
    let mut d = Driver::new([TcpLink::new(ours)]);
    d.pair(0).lower().wr.append(&pattern(8 << 20, 1));
    d.until(|d| d.pair(0).upper().rd.len() < 8 << 20).unwrap();
    let mut got = [0; 4096];
    theirs.read_exact(&mut got).unwrap();
    socket2::SockRef::from(&theirs).set_linger(Some(Duration::ZERO)).unwrap();
    drop(theirs);
    d.until(|d| d.link(0).is_reset()).unwrap();
    assert_eq!(d.pair(0).lower().rd.state(), PBufState::Aborting);
    assert!(d.pair(0).upper().rd.is_empty());
}

#[test]
fn interest_follows_the_buffers_and_limits_are_respected() {
    let (ours, mut theirs) = tcp_peer();
    let mut d = Driver::new([TcpLink::new(ours).with_max_read(100)]);
    // The stage writes what it receives into `down`, the buffer `upper()` writes.
    d.pair(0).set_limits(Some(1000), None);
    d.until(|d| d.link(0).is_connected()).unwrap();
    assert_eq!(d.link(0).interest(), Some(Interest::READABLE));

    theirs.write_all(&[1; 5000]).unwrap();
    d.until(|d| d.pair(0).lower().rd.len() == 1000).unwrap();
    // Full: no more reads, and no wish to be woken for them.
    d.step().unwrap();
    assert_eq!(d.pair(0).lower().rd.len(), 1000);
    assert_eq!(d.link(0).interest(), None);
    d.pair(0).lower().rd.consume(1000);
    assert_eq!(d.receive(0, 4000), [1; 4000]);

    // A peer that does not read: the socket fills, and the stage waits to write.
    d.pair(0).lower().wr.append(&vec![2; 32 << 20]);
    d.step().unwrap();
    assert!(!d.pair(0).upper().rd.is_empty());
    assert_eq!(d.link(0).interest(), Some(Interest::READABLE | Interest::WRITABLE));
    let left = d.pair(0).upper().rd.len();
    d.step().unwrap();
    assert_eq!(d.pair(0).upper().rd.len(), left, "wrote without readiness");
}

#[test]
fn reading_stops_above_the_high_mark_and_resumes_at_the_low_one() {
    let (ours, mut theirs) = tcp_peer();
    let mut d = Driver::new([TcpLink::new(ours).with_max_read(100).with_marks(1000, 200)]);
    d.until(|d| d.link(0).is_connected()).unwrap();
    theirs.write_all(&[4; 5000]).unwrap();
    d.until(|d| d.pair(0).lower().rd.len() > 1000).unwrap();
    // Above the high mark: no reads, and no wish to be woken for them.
    d.step().unwrap();
    assert_eq!(d.pair(0).lower().rd.len(), 1100);
    assert_eq!(d.link(0).interest(), None);
    // Between the marks: still paused.
    d.pair(0).lower().rd.consume(800);
    d.step().unwrap();
    assert_eq!(d.pair(0).lower().rd.len(), 300);
    assert_eq!(d.link(0).interest(), None);
    // At the low mark: reading again, up past the high mark.
    d.pair(0).lower().rd.consume(100);
    d.until(|d| d.pair(0).lower().rd.len() > 1000).unwrap();
    assert_eq!(d.pair(0).lower().rd.len(), 1100);
}

#[test]
fn the_read_unit_is_respected() {
    let (ours, mut theirs) = tcp_peer();
    let mut link = TcpLink::new(ours).with_max_read(100);
    assert_eq!(link.max_read(), 100);
    let mut pair = PipeBufPair::new();
    theirs.write_all(&[3; 1000]).unwrap();
    link.set_ready(true, true);
    let deadline = Instant::now() + TIMEOUT;
    let mut reads = 0;
    while pair.lower().rd.len() < 1000 {
        assert!(Instant::now() < deadline);
        let before = pair.lower().rd.len();
        if link.process(TcpLinkPorts { upper: pair.upper() }).unwrap() {
            let after = pair.lower().rd.len();
            assert!(after - before <= 100, "read {} bytes at once", after - before);
            reads += usize::from(after > before);
        } else {
            // Not all there yet: the test drives readiness itself.
            link.set_ready(true, false);
        }
    }
    assert!(reads >= 10);
}

#[test]
fn eight_mib_each_way_at_once_with_a_std_peer() {
    const LEN: usize = 8 << 20;
    let (ours, theirs) = tcp_peer();
    let mut reader = theirs.try_clone().unwrap();
    let mut writer = theirs;
    let sender = thread::spawn(move || writer.write_all(&pattern(LEN, 2)).map(|()| writer));
    let receiver = thread::spawn(move || {
        let mut got = vec![0; LEN];
        reader.read_exact(&mut got).map(|()| checksum(&got))
    });
    let mut d = Driver::new([TcpLink::new(ours)]);
    let sent = pattern(LEN, 3);
    d.pair(0).lower().wr.append(&sent);
    let got = d.receive(0, LEN);
    d.until(|d| d.pair(0).upper().rd.is_empty()).unwrap();
    assert_eq!(checksum(&got), checksum(&pattern(LEN, 2)));
    assert_eq!(receiver.join().unwrap().unwrap(), checksum(&sent));
    sender.join().unwrap().unwrap();
}

#[test]
fn two_links_exchange_eight_mib_each_way_and_close() {
    const LEN: usize = 8 << 20;
    let listener = mio::net::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let client = MioTcp::connect(listener.local_addr().unwrap()).unwrap();
    let deadline = Instant::now() + TIMEOUT;
    let server = loop {
        match listener.accept() {
            Ok((server, _)) => break server,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                assert!(Instant::now() < deadline);
                thread::yield_now();
            }
            Err(e) => panic!("{e}"),
        }
    };
    let mut d = Driver::new([TcpLink::new(client), TcpLink::new(server)]);
    let (a, b) = (pattern(LEN, 4), pattern(LEN, 5));
    d.pair(0).lower().wr.append(&a);
    d.pair(0).lower().wr.close();
    d.pair(1).lower().wr.append(&b);
    d.pair(1).lower().wr.close();
    let mut got = [Vec::new(), Vec::new()];
    d.until(|d| {
        for (i, got) in got.iter_mut().enumerate() {
            let mut lower = d.pair(i).lower();
            got.extend_from_slice(lower.rd.data());
            let n = lower.rd.len();
            lower.rd.consume(n);
        }
        (0..2).all(|i| d.pair(i).lower().rd.has_pending_eof())
    })
    .unwrap();
    assert_eq!(checksum(&got[0]), checksum(&b));
    assert_eq!(checksum(&got[1]), checksum(&a));
    assert_eq!(d.link(0).interest(), None);
}

#[test]
fn a_link_aborted_by_its_peer_link_sees_an_abort() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = MioTcp::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    server.set_nonblocking(true).unwrap();
    let mut d = Driver::new([TcpLink::new(client), TcpLink::new(MioTcp::from_std(server))]);
    d.until(|d| d.link(0).is_connected() && d.link(1).is_connected()).unwrap();
    d.pair(0).lower().wr.abort();
    d.until(|d| d.pair(1).lower().rd.has_pending_eof()).unwrap();
    assert_eq!(d.pair(1).lower().rd.state(), PBufState::Aborting);
    assert_eq!(d.pair(0).lower().rd.state(), PBufState::Aborting);
}

/// A TCP link at the bottom of a pipeline, its upper side the pipeline's own port.
#[pipeline]
struct Net {
    tcp: TcpLink,
    #[link(tcp.upper <->)]
    app: PipeBufPair,
}

#[test]
fn a_pipeline_runs_the_link_in_a_poll_loop() {
    let (ours, mut theirs) = tcp_peer();
    let mut poll = Poll::new().unwrap();
    let mut net = Net::new(TcpLink::new(ours));
    let mut registered = net.tcp.interest().unwrap();
    poll.registry().register(net.tcp.stream_mut().unwrap(), Token(0), registered).unwrap();
    net.app().wr.append(b"ping");
    net.app().wr.close();
    theirs.write_all(b"pong").unwrap();
    theirs.shutdown(Shutdown::Write).unwrap();
    let mut events = Events::with_capacity(8);
    let deadline = Instant::now() + TIMEOUT;
    while !net.app().rd.has_pending_eof() {
        assert!(Instant::now() < deadline);
        poll.poll(&mut events, Some(Duration::from_millis(10))).unwrap();
        events.iter().for_each(|event| net.tcp.handle_event(event));
        let status = net.process().unwrap();
        assert!(matches!(status, Status::Progress | Status::Waiting | Status::Done), "{status:?}");
        if let Some(interest) = net.tcp.interest().filter(|&i| i != registered) {
            registered = interest;
            poll.registry().reregister(net.tcp.stream_mut().unwrap(), Token(0), interest).unwrap();
        }
    }
    assert_eq!(net.app().rd.data(), b"pong");
    assert_eq!(read_to_end(&mut theirs).unwrap(), b"ping");
}

#[test]
fn unix_data_flows_both_ways_and_fin_closes() {
    let (ours, mut theirs) = unix_peer();
    let mut d = Driver::new([UnixLink::new(ours)]);
    d.pair(0).lower().wr.append(b"hello");
    theirs.write_all(b"world").unwrap();
    assert_eq!(d.receive(0, 5), b"world");
    let mut got = [0; 5];
    theirs.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"hello");
    theirs.shutdown(Shutdown::Write).unwrap();
    d.until(|d| d.pair(0).lower().rd.has_pending_eof()).unwrap();
    assert_eq!(d.pair(0).lower().rd.state(), PBufState::Closing);
}

#[test]
fn unix_close_is_an_eof_at_the_peer_while_we_still_receive() {
    let dir = std::env::temp_dir().join(format!("pipebuf-unix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("close.sock");
    let _ = std::fs::remove_file(&path);
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let ours = MioUnix::connect(&path).unwrap();
    let (mut theirs, _) = listener.accept().unwrap();
    theirs.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut d = Driver::new([UnixLink::new(ours).with_max_read(3)]);
    d.pair(0).lower().wr.append(b"request");
    d.pair(0).lower().wr.close();
    d.until(|d| d.pair(0).upper().rd.is_done()).unwrap();
    assert_eq!(read_to_end(&mut theirs).unwrap(), b"request");
    theirs.write_all(b"response").unwrap();
    drop(theirs);
    assert_eq!(d.receive(0, 8), b"response");
    d.until(|d| d.pair(0).lower().rd.has_pending_eof()).unwrap();
    assert_eq!(d.pair(0).lower().rd.state(), PBufState::Closing);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unix_abort_shuts_down_both_ways_closes_and_aborts_the_inbound_pipe() {
    let (ours, mut theirs) = unix_peer();
    let mut d = Driver::new([UnixLink::new(ours)]);
    d.until(|d| d.link(0).is_connected()).unwrap();
    d.pair(0).lower().wr.append(b"dropped");
    d.pair(0).lower().wr.abort();
    d.step().unwrap();
    assert!(d.link(0).stream_mut().is_none());
    assert_eq!(d.pair(0).lower().rd.state(), PBufState::Aborting);
    // No RST on a UNIX socket: the peer reads an end, and nothing of the dropped data.
    assert_eq!(read_to_end(&mut theirs).unwrap(), b"");
    // Writing to it fails: the socket is gone.
    assert_eq!(theirs.write_all(b"x").unwrap_err().kind(), ErrorKind::BrokenPipe);
}

#[test]
fn unix_peer_gone_while_writing_is_an_abort() {
    let (ours, theirs) = unix_peer();
    let mut d = Driver::new([UnixLink::new(ours)]);
    d.until(|d| d.link(0).is_connected()).unwrap();
    // Left unread at the peer when it closes: our next write meets a broken pipe.
    d.pair(0).lower().wr.append(&vec![9; 1 << 20]);
    d.step().unwrap();
    drop(theirs);
    d.until(|d| d.link(0).is_reset()).unwrap();
    assert!(d.pair(0).lower().rd.is_aborted());
}

/// `register` registers the stream once, then re-registers it only when the interest changed:
/// a second plain `register` of the same stream would fail with `AlreadyExists`, and a stream
/// left with its first interest (`WRITABLE`) would never wake the loop for the bytes below.
#[test]
fn register_follows_the_interest() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut link = TcpLink::new(MioTcp::connect(listener.local_addr().unwrap()).unwrap());
    let (mut theirs, _) = listener.accept().unwrap();
    let mut poll = Poll::new().unwrap();
    let mut events = Events::with_capacity(8);
    let mut pair = PipeBufPair::new();
    link.register(poll.registry(), Token(0)).unwrap();
    link.register(poll.registry(), Token(0)).unwrap();
    let deadline = Instant::now() + TIMEOUT;
    let mut sent = false;
    while pair.lower().rd.data() != b"pong" {
        assert!(Instant::now() < deadline, "no bytes came: interest {:?}", link.interest());
        poll.poll(&mut events, Some(Duration::from_millis(10))).unwrap();
        events.iter().for_each(|event| link.handle_event(event));
        while link.process(TcpLinkPorts { upper: pair.upper() }).unwrap() {}
        link.register(poll.registry(), Token(0)).unwrap();
        if link.is_connected() && !sent {
            assert_eq!(link.interest(), Some(Interest::READABLE));
            theirs.write_all(b"pong").unwrap();
            sent = true;
        }
    }
}
