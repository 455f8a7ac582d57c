//! The `std::io` bridges: `Read`, `Write`, `input_from`, `output_to`.

use std::io::{self, ErrorKind, Read, Write};

use pipebuf::{PBufState, PipeBuf};

fn read_result(p: &mut PipeBuf, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0; len];
    let n = p.read(&mut buf)?;
    buf.truncate(n);
    Ok(buf)
}

#[test]
fn read_maps_states_to_io_results() {
    let mut p = PipeBuf::new();
    assert_eq!(read_result(&mut p, 4).unwrap_err().kind(), ErrorKind::WouldBlock);
    p.wr().append(b"abcdef");
    assert_eq!(read_result(&mut p, 4).unwrap(), b"abcd");
    p.wr().close();
    assert_eq!(read_result(&mut p, 4).unwrap(), b"ef", "data comes before the end");
    assert_eq!(read_result(&mut p, 4).unwrap(), b"");
    assert_eq!(p.state(), PBufState::Closed);
    assert_eq!(read_result(&mut p, 4).unwrap(), b"", "the end is reported again");

    let mut p = PipeBuf::new();
    p.wr().append(b"xy");
    p.wr().abort();
    assert_eq!(
        p.rd().read_to_end(&mut Vec::new()).unwrap_err().kind(),
        ErrorKind::ConnectionAborted
    );
    assert_eq!(read_result(&mut p, 4).unwrap_err().kind(), ErrorKind::ConnectionAborted);
    assert_eq!(p.state(), PBufState::Aborted);
}

#[test]
fn read_to_end_of_a_closed_stream() {
    let mut p = PipeBuf::new();
    p.wr().append(b"whole stream");
    p.wr().close();
    let mut out = String::new();
    p.read_to_string(&mut out).unwrap();
    assert_eq!(out, "whole stream");
}

#[test]
fn write_appends_and_flush_pushes() {
    let mut p = PipeBuf::new();
    write!(p, "{}-{}", 1, 2).unwrap();
    p.flush().unwrap();
    assert_eq!(p.rd().data(), b"1-2");
    assert!(p.is_push());
    p.wr().write_all(b"!").unwrap();
    assert_eq!(p.rd().data(), b"1-2!");
}

#[test]
fn write_to_a_bounded_buffer_takes_what_fits() {
    let mut p = PipeBuf::<u8, 4>::with_inline_storage();
    assert_eq!(p.write(b"abcdef").unwrap(), 4);
    assert_eq!(p.write(b"ef").unwrap_err().kind(), ErrorKind::WouldBlock);
    assert_eq!(p.rd().data(), b"abcd");
}

#[test]
fn write_after_the_end_is_a_broken_pipe() {
    let mut p = PipeBuf::new();
    p.wr().close();
    assert_eq!(p.write(b"late").unwrap_err().kind(), ErrorKind::BrokenPipe);
    assert!(p.rd().is_empty());
}

#[test]
fn input_from_a_source_at_eof_closes_the_pipe() {
    let mut source: &[u8] = b"0123456789";
    let mut p = PipeBuf::new();
    assert_eq!(p.wr().input_from(&mut source, 4).unwrap(), 4);
    assert_eq!(p.wr().input_from(&mut source, 100).unwrap(), 6);
    assert_eq!(p.state(), PBufState::Open);
    assert_eq!(p.wr().input_from(&mut source, 100).unwrap(), 0);
    assert_eq!(p.state(), PBufState::Closing);
    assert_eq!(p.rd().data(), b"0123456789");
    assert_eq!(p.wr().input_from(&mut source, 100).unwrap(), 0, "nothing after the end");
}

/// A source that fails in scripted ways.
struct Script(Vec<io::Result<&'static [u8]>>);

impl Read for Script {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.remove(0) {
            Ok(data) => {
                buf[..data.len()].copy_from_slice(data);
                Ok(data.len())
            }
            Err(e) => Err(e),
        }
    }
}

#[test]
fn input_from_retries_interrupted_and_reports_other_errors() {
    let mut source = Script(vec![
        Err(ErrorKind::Interrupted.into()),
        Ok(b"ok"),
        Err(ErrorKind::WouldBlock.into()),
        Err(ErrorKind::ConnectionReset.into()),
    ]);
    let mut p = PipeBuf::new();
    assert_eq!(p.wr().input_from(&mut source, 10).unwrap(), 2);
    assert_eq!(p.wr().input_from(&mut source, 10).unwrap_err().kind(), ErrorKind::WouldBlock);
    assert_eq!(p.wr().input_from(&mut source, 10).unwrap_err().kind(), ErrorKind::ConnectionReset);
    assert_eq!(p.rd().data(), b"ok", "nothing already read is lost");
    assert_eq!(p.state(), PBufState::Open);
}

#[test]
fn input_from_reads_no_more_than_a_bounded_buffer_holds() {
    let mut source: &[u8] = b"0123456789";
    let mut p = PipeBuf::<u8, 3>::with_inline_storage();
    assert_eq!(p.wr().input_from(&mut source, 100).unwrap(), 3);
    assert_eq!(p.wr().input_from(&mut source, 100).unwrap(), 0);
    assert_eq!(p.state(), PBufState::Open, "a full buffer is not an end");
}

/// A sink that takes a few bytes at a time and records flushes.
#[derive(Default)]
struct Trickle {
    got: Vec<u8>,
    per_call: usize,
    flushes: usize,
    block_after: Option<usize>,
}

impl Write for Trickle {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.block_after.is_some_and(|limit| self.got.len() >= limit) {
            return Err(ErrorKind::WouldBlock.into());
        }
        let n = data.len().min(self.per_call);
        self.got.extend_from_slice(&data[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.flushes += 1;
        Ok(())
    }
}

#[test]
fn output_to_writes_everything_and_turns_push_into_flush() {
    let mut p = PipeBuf::new();
    p.wr().append(b"trickled out");
    p.wr().push();
    let mut sink = Trickle { per_call: 5, ..Trickle::default() };
    assert_eq!(p.rd().output_to(&mut sink, false).unwrap(), 12);
    assert_eq!((&sink.got[..], sink.flushes), (&b"trickled out"[..], 1));
    assert!(!p.is_push());
    assert_eq!(p.rd().output_to(&mut sink, true).unwrap(), 0);
    assert_eq!(sink.flushes, 2, "forced flush");
}

#[test]
fn output_to_stops_at_would_block_and_keeps_the_rest() {
    let mut p = PipeBuf::new();
    p.wr().append(b"0123456789");
    p.wr().push();
    let mut sink = Trickle { per_call: 4, block_after: Some(4), ..Trickle::default() };
    assert_eq!(p.rd().output_to(&mut sink, false).unwrap(), 4);
    assert_eq!(p.rd().data(), b"456789");
    assert_eq!(sink.flushes, 0, "no flush before the data is out");
    assert!(p.is_push(), "the push waits for the rest");
    let err = p.rd().output_to(&mut sink, false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WouldBlock);
}

#[test]
fn output_to_a_sink_that_takes_nothing_is_write_zero() {
    let mut p = PipeBuf::new();
    p.wr().append(b"x");
    let mut sink = Trickle::default();
    assert_eq!(p.rd().output_to(&mut sink, false).unwrap_err().kind(), ErrorKind::WriteZero);
    assert_eq!(p.rd().data(), b"x");
}
