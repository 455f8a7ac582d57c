//! How to write a stage: numbers the lines of standard input, as `cat -n` does, through a chain
//! of stages run with blocking I/O.
//!
//! ```sh
//! printf 'one\ntwo\r\nthree' | cargo run --release --example line_chain
//! # prints, a tab after each number:
//! #      1 one
//! #      2 two
//! #      3 three
//! ```
//!
//! The chain is `stdin -> LineSplitter -> Numberer -> stdout`. `LineSplitter` comes from
//! `pipebuf-stages`: one `Vec<u8>` message per line, its line end removed (a line of more than
//! 64 KiB is an error). `Numberer` is written here, and is the part to read: a struct, its ports
//! declared once in `#[stage(...)]`, and a `process` method that moves what it can from its
//! input to its output, maps the input's push and end onto the output, and says whether it did
//! anything. `#[pipeline]` writes the glue that links the two stages.
//!
//! A `StdStream` over standard input and output feeds the chain and empties it. It stays
//! outside the `#[pipeline]`, called by the loop in `main` between runs of the chain, because
//! its read blocks: inside the chain, it would read again before the numbered line had gone
//! through the stages behind it, and each answer would wait for the next line to be typed.

use std::io::{self, Read, Stdin, Stdout, Write};
use std::process::ExitCode;

use pipebuf::{PBufRdWr, PipeBuf, Stage, pipeline};
use pipebuf_stages::{LineSplitter, StdStream, StdStreamPorts, error_chain};

/// Numbers lines: each line in (a message without its line end) comes out as bytes, its number
/// right-aligned in six columns, a tab, the line and `\n`.
///
/// The derive writes `NumbererPorts<'a>` with one field per port (`input: PBufRd<'a, Vec<u8>>`,
/// `output: PBufWr<'a>`) and the `Stage` impl, which calls `process` below. The stage cannot
/// fail, so `process` returns a plain `bool`; a stage that can fail names its error type with
/// `#[stage(..., error = E)]` and returns `Result<bool, E>`.
///
/// | input | output |
/// | --- | --- |
/// | a line | its numbered line, as far as the output has room |
/// | push | push, once the lines before it are out |
/// | close | close, once the lines before it are out |
/// | abort | abort, once the lines before it are out |
#[derive(Stage, Debug, Default)]
#[stage(ports(input: PBufRd<Vec<u8>>, output: PBufWr))]
struct Numberer {
    /// The lines numbered so far.
    count: u64,
}

impl Numberer {
    /// Moves what it can; returns true if it changed a buffer (activity), so that the pipeline
    /// knows to run the stages again.
    fn process(&mut self, mut p: NumbererPorts<'_>) -> bool {
        // A tripwire changes with every change to a buffer: comparing them is the simplest way
        // to report activity exactly.
        let before = (p.input.tripwire(), p.output.tripwire());
        if p.output.is_eof() {
            // The end has been handed on: nothing more may be written.
            return false;
        }
        let mut taken = 0;
        for line in p.input.data() {
            let number = format!("{:>6}\t", self.count + 1);
            // The output may have a limit: write a line only when it fits whole, and leave the
            // rest of the input for the next call.
            let len = number.len() + line.len() + 1;
            let Some(space) = p.output.try_space(len) else { break };
            space[..number.len()].copy_from_slice(number.as_bytes());
            space[number.len()..len - 1].copy_from_slice(line);
            space[len - 1] = b'\n';
            p.output.commit(len);
            self.count += 1;
            taken += 1;
        }
        p.input.consume(taken);
        if p.input.is_empty() {
            // Push and end travel behind the data they follow.
            if p.input.consume_push() {
                p.output.push();
            }
            let aborted = p.input.is_aborted();
            if p.input.consume_eof() {
                if aborted {
                    p.output.abort();
                } else {
                    p.output.close();
                }
            }
        }
        before != (p.input.tripwire(), p.output.tripwire())
    }
}

/// The chain: bytes in, lines, numbered lines out.
#[pipeline]
struct LineChain {
    lines: LineSplitter,
    number: Numberer,
    #[link(-> lines.input)]
    text: PipeBuf,
    #[link(lines.output -> number.input)]
    whole: PipeBuf<Vec<u8>>,
    #[link(number.output ->)]
    numbered: PipeBuf,
}

/// Standard input and output as one stream, for `StdStream`.
struct Stdio {
    stdin: Stdin,
    stdout: Stdout,
}

impl Read for Stdio {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stdin.read(buf)
    }
}

impl Write for Stdio {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stdout.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stdout.flush()
    }
}

/// The longest line, without its line end.
const MAX_LINE: usize = 64 << 10;

fn main() -> ExitCode {
    let mut chain = LineChain::new(LineSplitter::new(MAX_LINE), Numberer::default());
    let mut io = StdStream::new(Stdio { stdin: io::stdin(), stdout: io::stdout() });
    let mut failure = None;
    loop {
        // Writes what the chain has numbered, then waits for more input (or its end).
        let upper = PBufRdWr { rd: chain.numbered.rd(), wr: chain.text.wr() };
        if let Err(error) = io.process(StdStreamPorts { upper }) {
            eprintln!("line_chain: {}", error_chain(&error));
            return ExitCode::FAILURE;
        }
        if chain.numbered.rd().is_done() {
            // Everything numbered is written, and its end handled.
            return match failure {
                None => ExitCode::SUCCESS,
                Some(error) => {
                    eprintln!("line_chain: {error}");
                    ExitCode::FAILURE
                }
            };
        }
        if let Err(error) = chain.process() {
            // The lines before the bad one still go out, then the abort: stop reading, so that
            // the loop does not wait for input that nothing will take.
            failure = Some(error_chain(&error));
            chain.text.wr().abort();
        }
    }
}
