//! Bridges between byte pipe buffers and `std::io`.

use std::io::{self, ErrorKind, Read, Write};

use crate::{PBufRd, PBufState, PBufWr, PipeBuf};

impl PBufRd<'_, u8> {
    /// Writes as much unread data as `sink` takes, and flushes `sink` if that empties the buffer
    /// and the producer asked for a push, or if `force_flush` is true. Returns the number of
    /// bytes written. The end of the stream is not passed on: `Write` has no way to say it.
    ///
    /// `Interrupted` is retried. `WouldBlock` after some bytes were written ends the call with
    /// `Ok`; a tripwire or the count tells whether anything moved.
    ///
    /// # Errors
    ///
    /// Returns the first error of `sink` other than `Interrupted` (and `WouldBlock` once something
    /// was written), and `WriteZero` if `sink` takes nothing. Bytes written before the error are
    /// consumed; the rest stays in the buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = pipebuf::PipeBuf::new();
    /// p.wr().append(b"to stdout, or anywhere");
    /// let mut sink = Vec::new();
    /// assert_eq!(p.rd().output_to(&mut sink, false)?, 22);
    /// assert_eq!(sink, b"to stdout, or anywhere");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn output_to(&mut self, sink: &mut impl Write, force_flush: bool) -> io::Result<usize> {
        let mut total = 0;
        while !self.is_empty() {
            match sink.write(self.data()) {
                Ok(0) => return Err(ErrorKind::WriteZero.into()),
                Ok(len) => {
                    // A faulty `Write` may claim more than it was given; never trust it past
                    // what is there.
                    let len = len.min(self.len());
                    self.consume(len);
                    total += len;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock && total > 0 => return Ok(total),
                Err(e) => return Err(e),
            }
        }
        if self.consume_push() || force_flush {
            retry_interrupted(|| sink.flush())?;
        }
        Ok(total)
    }
}

impl PBufWr<'_, u8> {
    /// Reads once from `source` into up to `len` bytes of free space, and returns the number of
    /// bytes read. If `source` reports its end (`Ok(0)`), the stream is closed.
    ///
    /// There is one successful read per call, so a blocking source never blocks again once it
    /// has given something. Nothing is read once the stream has ended, and no more than a bounded
    /// buffer has room for.
    ///
    /// # Errors
    ///
    /// Returns the error of `source` other than `Interrupted`, which is retried: `WouldBlock` for
    /// a non-blocking source with nothing ready, `ConnectionReset` and so on. Whether an error
    /// means an abort is the caller's choice.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::{PBufState, PipeBuf};
    ///
    /// let mut source: &[u8] = b"input";
    /// let mut p = PipeBuf::new();
    /// assert_eq!(p.wr().input_from(&mut source, 1024)?, 5);
    /// assert_eq!(p.wr().input_from(&mut source, 1024)?, 0);
    /// assert_eq!(p.state(), PBufState::Closing);
    /// assert_eq!(p.rd().data(), b"input");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn input_from(&mut self, source: &mut impl Read, len: usize) -> io::Result<usize> {
        let len = self.free_space().map_or(len, |free| len.min(free));
        if self.is_eof() || len == 0 {
            return Ok(0);
        }
        let read = retry_interrupted(|| self.write_with(len, |space| source.read(space)))?;
        if read == 0 {
            self.close();
        }
        Ok(read)
    }
}

/// Reads the unread data.
///
/// - `Ok(len)` with `len > 0`: data was read;
/// - `Ok(0)`: the stream was closed and all data has been read (or `buf` is empty);
/// - `Err` of kind `ConnectionAborted`: the stream was aborted and all data has been read;
/// - `Err` of kind `WouldBlock`: no data now, and the stream is still open.
///
/// Reaching the end takes it, as [`PBufRd::consume_eof`] does, and every later call reports the
/// same end.
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl Read for PBufRd<'_, u8> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let data = self.data();
        if !data.is_empty() {
            let len = data.len().min(buf.len());
            buf[..len].copy_from_slice(&data[..len]);
            self.consume(len);
            return Ok(len);
        }
        self.consume_eof();
        match self.state() {
            PBufState::Closed => Ok(0),
            PBufState::Aborted => Err(ErrorKind::ConnectionAborted.into()),
            _ => Err(ErrorKind::WouldBlock.into()),
        }
    }
}

/// Writes to the stream.
///
/// A flush sets push. Errors: `BrokenPipe` once the stream has ended; `WouldBlock` if the
/// buffer is bounded and full. A bounded buffer takes what fits.
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl Write for PBufWr<'_, u8> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        if self.is_eof() {
            return Err(ErrorKind::BrokenPipe.into());
        }
        let len = self.free_space().map_or(data.len(), |free| free.min(data.len()));
        if len == 0 {
            return Err(ErrorKind::WouldBlock.into());
        }
        self.append(&data[..len]);
        Ok(len)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.push();
        Ok(())
    }
}

/// Reads as [`PBufRd`]'s `Read` impl does.
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl<const N: usize> Read for PipeBuf<u8, N> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.rd().read(buf)
    }
}

/// Writes as [`PBufWr`]'s `Write` impl does.
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl<const N: usize> Write for PipeBuf<u8, N> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.wr().write(data)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.wr().flush()
    }
}

fn retry_interrupted<R>(mut op: impl FnMut() -> io::Result<R>) -> io::Result<R> {
    loop {
        match op() {
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            result => return result,
        }
    }
}
