//! `StdStream`: each I/O outcome maps onto the pipes as documented, over a scripted fake stream
//! and over real `std::net` sockets on 127.0.0.1.
#![cfg(feature = "std")]

use std::collections::VecDeque;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use pipebuf::{PBufState, PipeBufPair, Stage, Status, pipeline};
use pipebuf_stages::{Echo, StdStream, StdStreamPorts, StreamError, run_blocking};

/// One step of a fake stream's script.
enum Step {
    /// A read or write that returns these bytes (read) or this count (write).
    Data(Vec<u8>),
    Count(usize),
    Error(ErrorKind),
}

/// A stream that plays back scripted outcomes, and records what it is given.
#[derive(Default)]
struct Fake {
    reads: VecDeque<Step>,
    writes: VecDeque<Step>,
    written: Vec<u8>,
    read_sizes: Vec<usize>,
    flushes: usize,
    shutdowns: Vec<Shutdown>,
}

impl Fake {
    fn reads(steps: impl IntoIterator<Item = Step>) -> Self {
        Fake { reads: steps.into_iter().collect(), ..Fake::default() }
    }

    #[expect(clippy::unnecessary_wraps, reason = "the signature of a shutdown hook")]
    fn shutdown(&mut self, how: Shutdown) -> io::Result<()> {
        self.shutdowns.push(how);
        Ok(())
    }
}

impl Read for Fake {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_sizes.push(buf.len());
        match self.reads.pop_front() {
            None => Err(ErrorKind::WouldBlock.into()),
            Some(Step::Data(data)) => {
                let len = data.len().min(buf.len());
                buf[..len].copy_from_slice(&data[..len]);
                if len < data.len() {
                    self.reads.push_front(Step::Data(data[len..].to_vec()));
                }
                Ok(len)
            }
            // A faulty reader: claims a count, whatever the buffer's size.
            Some(Step::Count(count)) => Ok(count),
            Some(Step::Error(kind)) => Err(kind.into()),
        }
    }
}

impl Write for Fake {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self.writes.pop_front() {
            None => {
                self.written.extend_from_slice(data);
                Ok(data.len())
            }
            Some(Step::Count(count)) => {
                let len = count.min(data.len());
                self.written.extend_from_slice(&data[..len]);
                Ok(count)
            }
            Some(Step::Data(_)) => unreachable!("no data steps for writes"),
            Some(Step::Error(kind)) => Err(kind.into()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flushes += 1;
        Ok(())
    }
}

fn stage(fake: Fake) -> StdStream<Fake> {
    StdStream::new(fake).with_shutdown(Fake::shutdown)
}

/// Runs the stage until it rests, at most 100 calls; returns how many calls reported activity.
fn run(link: &mut StdStream<Fake>, pair: &mut PipeBufPair) -> Result<usize, StreamError> {
    for active in 0..100 {
        if !link.process(StdStreamPorts { upper: pair.upper() })? {
            return Ok(active);
        }
    }
    panic!("the stage never rested");
}

#[test]
fn read_zero_closes_the_inbound_pipe() {
    let mut link = stage(Fake::reads([Step::Data(b"hello".to_vec())]));
    link.get_mut().reads.push_back(Step::Count(0));
    let mut pair = PipeBufPair::new();
    assert_eq!(run(&mut link, &mut pair).unwrap(), 2);
    assert_eq!(pair.lower().rd.data(), b"hello");
    assert_eq!(pair.lower().rd.state(), PBufState::Closing);
    // Nothing is read after the end.
    assert_eq!(link.get_ref().read_sizes.len(), 2);
    assert!(!link.is_reset());
}

#[test]
fn would_block_is_no_activity_and_interrupted_is_retried() {
    let mut link = stage(Fake::reads([
        Step::Error(ErrorKind::Interrupted),
        Step::Data(b"ab".to_vec()),
        Step::Error(ErrorKind::WouldBlock),
        Step::Error(ErrorKind::Interrupted),
        Step::Error(ErrorKind::Interrupted),
        Step::Data(b"cd".to_vec()),
    ]));
    let mut pair = PipeBufPair::new();
    assert!(link.process(StdStreamPorts { upper: pair.upper() }).unwrap());
    assert_eq!(pair.lower().rd.data(), b"ab");
    assert!(!link.process(StdStreamPorts { upper: pair.upper() }).unwrap());
    assert!(link.process(StdStreamPorts { upper: pair.upper() }).unwrap());
    assert_eq!(pair.lower().rd.data(), b"abcd");
    assert_eq!(pair.lower().rd.state(), PBufState::Open);
}

#[test]
fn reset_kinds_abort_the_inbound_pipe_and_drop_the_outbound_one() {
    for kind in [ErrorKind::ConnectionReset, ErrorKind::ConnectionAborted, ErrorKind::BrokenPipe] {
        let mut link = stage(Fake::reads([Step::Data(b"x".to_vec()), Step::Error(kind)]));
        let mut pair = PipeBufPair::new();
        assert_eq!(run(&mut link, &mut pair).unwrap(), 2, "{kind:?}");
        assert_eq!(pair.lower().rd.data(), b"x");
        assert_eq!(pair.lower().rd.state(), PBufState::Aborting);
        assert!(link.is_reset());
        // What comes later cannot be delivered: it is dropped, end included.
        pair.lower().wr.append(b"lost");
        pair.lower().wr.close();
        assert_eq!(run(&mut link, &mut pair).unwrap(), 1);
        assert!(pair.upper().rd.is_empty());
        assert_eq!(pair.upper().rd.state(), PBufState::Closed);
        assert_eq!(link.get_ref().written, b"");
        assert_eq!(link.get_ref().shutdowns, []);
    }
}

#[test]
fn a_reset_on_write_aborts_the_inbound_pipe() {
    let mut fake = Fake::default();
    fake.writes.extend([Step::Count(2), Step::Error(ErrorKind::BrokenPipe)]);
    let mut link = stage(fake);
    let mut pair = PipeBufPair::new();
    pair.lower().wr.append(b"abcdef");
    run(&mut link, &mut pair).unwrap();
    assert_eq!(link.get_ref().written, b"ab");
    assert!(link.is_reset());
    assert_eq!(pair.lower().rd.state(), PBufState::Aborting);
    assert!(pair.upper().rd.is_empty());
}

#[test]
fn other_errors_are_typed_stage_errors() {
    let mut link = stage(Fake::reads([Step::Error(ErrorKind::InvalidData)]));
    let mut pair = PipeBufPair::new();
    let error = link.process(StdStreamPorts { upper: pair.upper() }).unwrap_err();
    assert!(
        matches!(&error, StreamError::Read { source } if source.kind() == ErrorKind::InvalidData)
    );
    assert_eq!(error.to_string(), "reading the stream failed");
    assert_eq!(
        core::error::Error::source(&error).map(ToString::to_string),
        Some(io::Error::from(ErrorKind::InvalidData).to_string())
    );

    let mut fake = Fake::default();
    fake.writes.push_back(Step::Error(ErrorKind::PermissionDenied));
    let mut link = stage(fake);
    pair.lower().wr.append(b"x");
    let error = link.process(StdStreamPorts { upper: pair.upper() }).unwrap_err();
    assert!(
        matches!(&error, StreamError::Write { source } if source.kind() == ErrorKind::PermissionDenied)
    );
    assert_eq!(io::Error::from(error).kind(), ErrorKind::PermissionDenied);

    // A write that takes nothing would loop for ever: it is an error too.
    let mut fake = Fake::default();
    fake.writes.push_back(Step::Count(0));
    let mut link = stage(fake);
    let error = link.process(StdStreamPorts { upper: pair.upper() }).unwrap_err();
    assert!(
        matches!(&error, StreamError::Write { source } if source.kind() == ErrorKind::WriteZero)
    );
}

#[test]
fn push_flushes_and_close_flushes_then_shuts_down_writing() {
    let mut fake = Fake::default();
    fake.writes.push_back(Step::Error(ErrorKind::WouldBlock));
    let mut link = stage(fake);
    let mut pair = PipeBufPair::new();
    pair.lower().wr.append(b"one");
    pair.lower().wr.push();
    // The write would block: push waits for the data before it.
    assert!(!link.process(StdStreamPorts { upper: pair.upper() }).unwrap());
    assert_eq!(link.get_ref().flushes, 0);
    assert_eq!(pair.upper().rd.state(), PBufState::Push);
    assert!(link.process(StdStreamPorts { upper: pair.upper() }).unwrap());
    assert_eq!(link.get_ref().flushes, 1);
    assert_eq!(pair.upper().rd.state(), PBufState::Open);

    pair.lower().wr.append(b"two");
    pair.lower().wr.close();
    run(&mut link, &mut pair).unwrap();
    assert_eq!(link.get_ref().written, b"onetwo");
    assert_eq!(link.get_ref().flushes, 2);
    assert_eq!(link.get_ref().shutdowns, [Shutdown::Write]);
    // The inbound side is still read.
    link.get_mut().reads.push_back(Step::Data(b"reply".to_vec()));
    run(&mut link, &mut pair).unwrap();
    assert_eq!(pair.lower().rd.data(), b"reply");
    assert_eq!(pair.lower().rd.state(), PBufState::Open);
}

#[test]
fn abort_drops_unwritten_data_shuts_down_both_ways_and_aborts_the_inbound_pipe() {
    let mut fake = Fake::reads([Step::Data(b"in".to_vec())]);
    fake.writes.push_back(Step::Error(ErrorKind::WouldBlock));
    let mut link = stage(fake);
    let mut pair = PipeBufPair::new();
    pair.lower().wr.append(b"never sent");
    pair.lower().wr.abort();
    run(&mut link, &mut pair).unwrap();
    assert_eq!(link.get_ref().written, b"");
    assert_eq!(link.get_ref().shutdowns, [Shutdown::Both]);
    assert_eq!(pair.upper().rd.state(), PBufState::Aborted);
    assert!(pair.lower().rd.is_empty());
    assert_eq!(pair.lower().rd.state(), PBufState::Aborting);
}

#[test]
fn without_a_hook_close_only_flushes() {
    let mut link = StdStream::new(Fake::default());
    let mut pair = PipeBufPair::new();
    pair.lower().wr.append(b"x");
    pair.lower().wr.close();
    assert!(link.process(StdStreamPorts { upper: pair.upper() }).unwrap());
    assert_eq!(pair.upper().rd.state(), PBufState::Closed);
    assert_eq!(link.get_ref().flushes, 1);
    assert_eq!(link.into_inner().shutdowns, []);
}

#[test]
fn max_read_and_limit_are_respected() {
    let mut link = stage(Fake::reads([Step::Data(vec![7; 1000])])).with_max_read(100);
    let mut pair = PipeBufPair::new();
    // The stage writes what it reads into the buffer that `upper()` writes: `down`.
    pair.set_limits(Some(250), None);
    assert!(link.process(StdStreamPorts { upper: pair.upper() }).unwrap());
    assert_eq!(pair.lower().rd.len(), 100);
    run(&mut link, &mut pair).unwrap();
    assert_eq!(pair.lower().rd.len(), 250);
    assert_eq!(link.get_ref().read_sizes, [100, 100, 50]);
    pair.lower().rd.consume(200);
    run(&mut link, &mut pair).unwrap();
    assert_eq!(pair.lower().rd.len(), 250);
    assert!(link.get_ref().read_sizes.iter().all(|&size| size <= 100));
}

#[test]
fn a_reader_that_claims_too_much_is_not_trusted() {
    let mut link = stage(Fake::reads([Step::Count(1_000_000)])).with_max_read(10);
    let mut pair = PipeBufPair::new();
    assert!(link.process(StdStreamPorts { upper: pair.upper() }).unwrap());
    assert_eq!(pair.lower().rd.len(), 10);
}

#[test]
fn a_cursor_reads_to_its_end_and_takes_writes() {
    let mut link = StdStream::new(io::Cursor::new(b"file contents".to_vec())).with_max_read(4);
    let mut pair = PipeBufPair::new();
    while link.process(StdStreamPorts { upper: pair.upper() }).unwrap() {}
    assert_eq!(pair.lower().rd.data(), b"file contents");
    assert_eq!(pair.lower().rd.state(), PBufState::Closing);
    pair.lower().wr.append(b"!");
    assert!(link.process(StdStreamPorts { upper: pair.upper() }).unwrap());
    assert_eq!(link.get_ref().get_ref(), b"file contents!");
}

fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let ours = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (theirs, _) = listener.accept().unwrap();
    for socket in [&ours, &theirs] {
        socket.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        socket.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    }
    (ours, theirs)
}

#[test]
fn a_blocking_socket_exchanges_data_and_ends() {
    let (ours, mut theirs) = tcp_pair();
    let mut link = StdStream::new(ours).with_shutdown(|s, how| s.shutdown(how));
    let mut pair = PipeBufPair::new();
    theirs.write_all(b"pong").unwrap();
    pair.lower().wr.append(b"ping");
    pair.lower().wr.close();
    // One call writes, shuts down, and blocks until the peer's bytes come.
    assert!(link.process(StdStreamPorts { upper: pair.upper() }).unwrap());
    let mut received = Vec::new();
    theirs.read_to_end(&mut received).unwrap();
    assert_eq!(received, b"ping");
    let mut got = pair.lower().rd.data().to_vec();
    pair.lower().rd.consume(got.len());
    theirs.shutdown(Shutdown::Write).unwrap();
    while !pair.lower().rd.has_pending_eof() {
        link.process(StdStreamPorts { upper: pair.upper() }).unwrap();
        got.extend_from_slice(pair.lower().rd.data());
        let len = pair.lower().rd.len();
        pair.lower().rd.consume(len);
    }
    assert_eq!(got, b"pong");
}

#[test]
fn a_non_blocking_socket_waits_without_activity() {
    let (ours, mut theirs) = tcp_pair();
    ours.set_nonblocking(true).unwrap();
    let mut link = StdStream::new(ours).with_shutdown(|s, how| s.shutdown(how));
    let mut pair = PipeBufPair::new();
    assert!(!link.process(StdStreamPorts { upper: pair.upper() }).unwrap());
    theirs.write_all(b"data").unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while pair.lower().rd.len() < 4 {
        assert!(Instant::now() < deadline, "the bytes never came");
        link.process(StdStreamPorts { upper: pair.upper() }).unwrap();
    }
    assert_eq!(pair.lower().rd.data(), b"data");
    // The peer resets: the inbound pipe is aborted.
    socket2::SockRef::from(&theirs).set_linger(Some(Duration::ZERO)).unwrap();
    drop(theirs);
    while !pair.lower().rd.is_aborted() {
        assert!(Instant::now() < deadline, "the reset never came");
        link.process(StdStreamPorts { upper: pair.upper() }).unwrap();
    }
    assert!(link.is_reset());
}

/// A blocking TCP echo: what the peer sends comes back through the pipeline.
#[pipeline]
struct BlockingEcho {
    io: StdStream<TcpStream>,
    echo: Echo,
    #[link(io.upper <-> echo.io)]
    net: PipeBufPair,
}

#[test]
fn run_blocking_serves_a_blocking_socket_until_both_ends_close() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 253).to_le_bytes()[0]).collect();
    let sent = data.clone();
    let peer = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut reader = stream.try_clone().unwrap();
        // Read on another thread, so that neither side's socket buffers fill while it writes.
        let reading = std::thread::spawn(move || {
            let mut back = Vec::new();
            reader.read_to_end(&mut back).map(|_| back)
        });
        stream.write_all(&sent).unwrap();
        stream.shutdown(Shutdown::Write).unwrap();
        reading.join().unwrap()
    });
    let (stream, _) = listener.accept().unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let io = StdStream::new(stream)
        .with_shutdown(|s, how| s.shutdown(how))
        .with_marks(64 << 10, 16 << 10);
    let mut p = BlockingEcho::new(io, Echo::new());
    assert_eq!(run_blocking(&mut p).unwrap(), Status::Done);
    assert_eq!(p.io.bytes(), (data.len() as u64, data.len() as u64));
    assert_eq!(peer.join().unwrap().unwrap(), data);
}
