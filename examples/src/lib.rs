//! Stages and glue shared by the example programs, kept here so that tests can run them too.

use pipebuf::{PBufRd, PBufWr, PipeBuf};

pub mod cli;
pub mod client;
#[doc(hidden)]
pub mod testing;
pub mod tokio_wss;
pub mod wss;

/// Hands on whole `\n`-terminated lines only, keeping a partial line until the rest of it
/// arrives; at the end of the stream it hands on whatever is left, and the end. Returns true on
/// activity.
///
/// # Examples
///
/// ```
/// use pipebuf::PipeBuf;
/// use pipebuf_examples::whole_lines;
///
/// let (mut input, mut output) = (PipeBuf::new(), PipeBuf::new());
/// input.wr().append(b"one\ntw");
/// assert!(whole_lines(input.rd(), output.wr()));
/// assert_eq!(output.rd().data(), b"one\n");
/// ```
#[must_use]
pub fn whole_lines(mut rd: PBufRd<'_>, mut wr: PBufWr<'_>) -> bool {
    let before = rd.tripwire();
    if rd.is_eof() {
        rd.forward(wr.reborrow());
    } else if let Some(last) = rd.data().iter().rposition(|&b| b == b'\n') {
        rd.forward_prefix(wr.reborrow(), last + 1);
    }
    rd.is_tripped(before)
}

/// Turns ASCII letters into capitals, in place, and hands the data on with its push and end.
/// Returns true on activity.
///
/// # Examples
///
/// ```
/// use pipebuf::PipeBuf;
/// use pipebuf_examples::upper_case;
///
/// let (mut input, mut output) = (PipeBuf::new(), PipeBuf::new());
/// input.wr().append(b"shout");
/// assert!(upper_case(input.rd(), output.wr()));
/// assert_eq!(output.rd().data(), b"SHOUT");
/// ```
#[must_use]
pub fn upper_case(mut rd: PBufRd<'_>, wr: PBufWr<'_>) -> bool {
    let before = rd.tripwire();
    rd.data_mut().make_ascii_uppercase();
    rd.forward(wr);
    rd.is_tripped(before)
}

/// A chain of two stages, input -> [`whole_lines`] -> [`upper_case`] -> output, and the glue
/// that runs it.
///
/// # Examples
///
/// ```
/// use pipebuf_examples::ShoutChain;
///
/// let mut chain = ShoutChain::default();
/// chain.input.wr().append(b"hello\nwor");
/// chain.run();
/// assert_eq!(chain.output.rd().data(), b"HELLO\n");
/// ```
#[derive(Debug, Default)]
pub struct ShoutChain {
    /// Where the caller writes text.
    pub input: PipeBuf,
    /// Between the two stages.
    pub lines: PipeBuf,
    /// Where the caller reads the result.
    pub output: PipeBuf,
}

impl ShoutChain {
    /// Runs both stages until a whole pass changes nothing, and returns how many passes made
    /// progress.
    pub fn run(&mut self) -> usize {
        let mut passes = 0;
        loop {
            let mut active = whole_lines(self.input.rd(), self.lines.wr());
            active |= upper_case(self.lines.rd(), self.output.wr());
            if !active {
                return passes;
            }
            passes += 1;
        }
    }
}
