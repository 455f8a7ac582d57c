//! The `pipeline_graph` example prints the WSS pipeline's graph as `#[pipeline]` wrote it, and
//! the README shows that very picture.

use std::process::{Command, Output};
use std::time::Duration;

use pipebuf_examples::testing::{example, run_with_input};
use pipebuf_examples::wss::WssEcho;

fn graph(args: &[&str]) -> Output {
    run_with_input(Command::new(example("pipeline_graph")).args(args), b"", Duration::from_secs(30))
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{:?}", output.status);
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

#[test]
fn prints_the_dot_and_the_mermaid_of_the_wss_pipeline() {
    let dot = stdout(&graph(&["--dot"]));
    let mermaid = stdout(&graph(&["--mermaid"]));
    assert_eq!(dot, WssEcho::GRAPH.dot().to_string());
    assert_eq!(mermaid, WssEcho::GRAPH.mermaid().to_string());
    assert!(dot.starts_with("digraph \"WssEcho\" {\n"), "{dot}");
    for stage in ["tcp: TcpLink", "tls: TlsServer", "ws: WebsocketServer", "echo: Echo"] {
        assert!(dot.contains(stage) && mermaid.contains(stage), "{stage}");
    }
    assert!(mermaid.contains("s_tcp <-->|\"net: upper -> lower\"| s_tls"), "{mermaid}");
    assert_eq!(stdout(&graph(&[])), format!("{dot}\n{mermaid}"));
    assert_eq!(stdout(&graph(&["--mermaid", "--dot"])), format!("{dot}\n{mermaid}"));
}

#[test]
fn the_readme_shows_the_current_picture() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("the README");
    let block = format!("```mermaid\n{}```\n", WssEcho::GRAPH.mermaid());
    assert!(
        readme.contains(&block),
        "README.md's picture is out of date: paste in what `pipeline_graph --mermaid` prints"
    );
}
