//! Runs text through a chain of two stages, whole lines -> upper case, and prints the result.
//!
//! ```text
//! cargo run --release --example chain_demo                       # a built-in text
//! printf 'some\ntext\n' | cargo run --release --example chain_demo -- -   # standard input
//! ```
//!
//! Input is fed in small, uneven chunks, as a socket would deliver it, to show that lines split
//! across chunks come out whole. At the end it prints what each buffer saw.

use std::io::{self, Read, Write};

use pipebuf_examples::ShoutChain;

const BUILT_IN: &str = "pipebuf moves bytes between stages without copying them.\n\
    each stage reads straight out of the buffer its producer wrote into,\n\
    and leaves a partial line there until the rest arrives.\n\
    the last line has no newline, and comes out at the end of the stream";

fn main() -> io::Result<()> {
    let mut text = Vec::new();
    if std::env::args().nth(1).as_deref() == Some("-") {
        io::stdin().read_to_end(&mut text)?;
    } else {
        text.extend_from_slice(BUILT_IN.as_bytes());
    }

    let mut chain = ShoutChain::default();
    let mut out = io::stdout().lock();
    let (mut chunks, mut passes) = (0, 0);
    for chunk in text.chunks(7) {
        chain.input.wr().append(chunk);
        passes += chain.run();
        chunks += 1;
        chain.output.rd().output_to(&mut out, false)?;
    }
    chain.input.wr().close();
    passes += chain.run();
    chain.output.rd().output_to(&mut out, true)?;
    let closed = chain.output.rd().consume_eof() && !chain.output.rd().is_aborted();
    writeln!(out)?;
    writeln!(
        out,
        "-- {} bytes in {chunks} chunks, {passes} active passes, output closed cleanly: {closed}",
        text.len()
    )?;
    Ok(())
}
