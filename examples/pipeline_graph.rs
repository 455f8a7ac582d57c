//! Prints the picture of the WSS echo server's pipeline (`pipebuf_examples::wss::WssEcho`, the
//! pipeline of every connection of `wss_echo_server`), as `#[pipeline]` wrote it in `GRAPH`.
//!
//! ```sh
//! cargo run --release --example pipeline_graph                              # both
//! cargo run --release --example pipeline_graph -- --dot | dot -Tsvg > wss.svg
//! cargo run --release --example pipeline_graph -- --mermaid                 # for Markdown
//! ```
//!
//! `--dot` prints Graphviz `dot` text, `--mermaid` a Mermaid flowchart, which GitHub renders in
//! a ```` ```mermaid ```` block (the README's picture is this output). With neither, both, the
//! dot first, a blank line between.

use std::process::ExitCode;

use pipebuf_examples::cli::{Stop, exit};
use pipebuf_examples::wss::WssEcho;

fn main() -> ExitCode {
    exit("pipeline_graph", run())
}

fn run() -> Result<(), Stop> {
    let usage = "usage: pipeline_graph [--dot] [--mermaid]";
    let (mut dot, mut mermaid) = (false, false);
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--dot" => dot = true,
            "--mermaid" => mermaid = true,
            "-h" | "--help" => return Err(Stop::Help(usage.to_owned())),
            other => return Err(format!("unknown argument {other}\n{usage}").into()),
        }
    }
    if !dot && !mermaid {
        (dot, mermaid) = (true, true);
    }
    if dot {
        print!("{}", WssEcho::GRAPH.dot());
    }
    if dot && mermaid {
        println!();
    }
    if mermaid {
        print!("{}", WssEcho::GRAPH.mermaid());
    }
    Ok(())
}
