//! A pipeline's `GRAPH`: its stages (names, type names, ports from each stage's `PORTS` with
//! names, directions and element types), its links (names, ends, the duplex flag, `None` for
//! the outside, chain links named `lower-upper`), and the exact Graphviz `dot` and Mermaid text.
//!
//! `Chain` is the straight chain of three relays in `pipebuf_tests::stages`; the expected links
//! and text below spell out its wiring.

// The test stages hold no state, yet take `&mut self`, as `process` must.
#![allow(clippy::unused_self)]

use pipebuf::{
    Direction, Endpoint, Graph, LinkInfo, PipeBuf, PipeBufPair, Port, Stage, StageInfo, pipeline,
};
use pipebuf_tests::stages::{Chain, Echo};

/// A message, for ports that carry something else than bytes.
#[derive(Clone, Debug, Default)]
struct Msg(Vec<u8>);

/// Hands on its input.
#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr))]
struct Lines;

impl Lines {
    fn process(&mut self, mut p: LinesPorts<'_>) -> bool {
        let before = p.input.tripwire();
        p.input.forward(p.output);
        p.input.is_tripped(before)
    }
}

/// Turns all its input into one message at the end.
#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr<Msg>))]
struct Framer;

impl Framer {
    fn process(&mut self, mut p: FramerPorts<'_>) -> bool {
        if !p.input.has_pending_eof() || p.output.is_eof() {
            return false;
        }
        let msg = Msg(p.input.data().to_vec());
        p.input.consume(msg.0.len());
        p.input.consume_eof();
        p.output.append(&[msg]);
        p.output.close();
        true
    }
}

/// Passes messages on, with a tag in its type.
#[derive(Stage)]
#[stage(ports(input: PBufRd<Msg>, output: PBufWr<Msg>))]
struct Tag<const N: usize>;

impl<const N: usize> Tag<N> {
    fn process(&mut self, mut p: TagPorts<'_>) -> bool {
        let before = p.input.tripwire();
        p.input.forward(p.output);
        p.input.is_tripped(before)
    }
}

#[pipeline]
struct Small {
    lines: Lines,
    framer: Framer,
    echo: Echo,
    #[link(-> lines.input)]
    text: PipeBuf,
    #[link(lines.output -> framer.input)]
    whole: PipeBuf,
    #[link(framer.output ->)]
    frames: PipeBuf<Msg>,
    #[link(<-> echo.lower)]
    net: PipeBufPair,
}

#[pipeline]
struct Typed {
    tag: Tag<3>,
    #[link(-> tag.input)]
    input: PipeBuf<Msg>,
    #[link(tag.output ->)]
    output: PipeBuf<Msg>,
}

/// [`Small`] as a stage.
#[pipeline]
struct Outer {
    small: Small,
    #[link(-> small.text)]
    text: PipeBuf,
    #[link(small.frames ->)]
    frames: PipeBuf<Msg>,
    #[link(<-> small.net)]
    net: PipeBufPair,
}

const fn port(name: &'static str, direction: Direction, element: &'static str) -> Port {
    Port { name, direction, element }
}

const fn end(stage: &'static str, port: &'static str) -> Endpoint {
    Endpoint::new(stage, port)
}

#[test]
fn the_graph_lists_stages_ports_and_links() {
    const EXPECTED: Graph = Graph {
        name: "Small",
        stages: &[
            StageInfo {
                name: "lines",
                type_name: "Lines",
                ports: &[
                    port("input", Direction::Input, "u8"),
                    port("output", Direction::Output, "u8"),
                ],
            },
            StageInfo {
                name: "framer",
                type_name: "Framer",
                ports: &[
                    port("input", Direction::Input, "u8"),
                    port("output", Direction::Output, "Msg"),
                ],
            },
            StageInfo {
                name: "echo",
                type_name: "Echo",
                ports: &[port("lower", Direction::Duplex, "u8")],
            },
        ],
        links: &[
            LinkInfo { name: "text", from: None, to: Some(end("lines", "input")), duplex: false },
            LinkInfo {
                name: "whole",
                from: Some(end("lines", "output")),
                to: Some(end("framer", "input")),
                duplex: false,
            },
            LinkInfo {
                name: "frames",
                from: Some(end("framer", "output")),
                to: None,
                duplex: false,
            },
            LinkInfo { name: "net", from: None, to: Some(end("echo", "lower")), duplex: true },
        ],
    };
    assert_eq!(Small::GRAPH, EXPECTED);
    assert_eq!(Small::GRAPH.stage("framer"), Some(&EXPECTED.stages[1]));
    assert_eq!(Small::GRAPH.stage("whole"), None);
    let external: Vec<_> =
        Small::GRAPH.links.iter().filter(|l| l.is_external()).map(|l| l.name).collect();
    assert_eq!(external, ["text", "frames", "net"]);
    // The ports in the graph are the stages' own descriptions.
    assert_eq!(Small::GRAPH.stages[1].ports, <Framer as Stage>::PORTS);
}

#[test]
fn type_names_and_element_types_are_written_as_in_the_source() {
    assert_eq!(Typed::GRAPH.stages[0].type_name, "Tag<3>");
    assert_eq!(
        Typed::GRAPH.stages[0].ports,
        [port("input", Direction::Input, "Msg"), port("output", Direction::Output, "Msg")]
    );
}

#[test]
fn a_straight_chain_names_its_links_after_the_stages_they_join() {
    const EXPECTED: &[LinkInfo] = &[
        LinkInfo { name: "net", from: None, to: Some(end("bottom", "lower")), duplex: true },
        LinkInfo { name: "app", from: Some(end("top", "upper")), to: None, duplex: true },
        LinkInfo {
            name: "bottom-middle",
            from: Some(end("bottom", "upper")),
            to: Some(end("middle", "lower")),
            duplex: true,
        },
        LinkInfo {
            name: "middle-top",
            from: Some(end("middle", "upper")),
            to: Some(end("top", "lower")),
            duplex: true,
        },
    ];
    assert_eq!(Chain::GRAPH.links, EXPECTED);
    let names: Vec<_> = Chain::GRAPH.stages.iter().map(|s| (s.name, s.type_name)).collect();
    assert_eq!(names, [("bottom", "Relay"), ("middle", "Relay"), ("top", "Relay")]);
}

#[test]
fn a_nested_pipelines_ports_are_its_external_links() {
    assert_eq!(
        <Small as Stage>::PORTS,
        [
            port("text", Direction::Input, "u8"),
            port("frames", Direction::Output, "Msg"),
            port("net", Direction::Duplex, "u8"),
        ]
    );
    let small = Outer::GRAPH.stage("small").unwrap();
    assert_eq!((small.type_name, small.ports), ("Small", <Small as Stage>::PORTS));
    assert_eq!(
        Outer::GRAPH.links[2],
        LinkInfo { name: "net", from: None, to: Some(end("small", "net")), duplex: true }
    );
}

#[test]
fn dot_text_of_a_small_pipeline() {
    let expected = "\
digraph \"Small\" {
  rankdir=LR;
  node [shape=box];
  \"lines\" [label=\"lines: Lines\"];
  \"framer\" [label=\"framer: Framer\"];
  \"echo\" [label=\"echo: Echo\"];
  \"ext:text\" [shape=plaintext, label=\"text\"];
  \"ext:text\" -> \"lines\" [label=\"input\"];
  \"lines\" -> \"framer\" [label=\"whole: output -> input\"];
  \"ext:frames\" [shape=plaintext, label=\"frames\"];
  \"framer\" -> \"ext:frames\" [label=\"output\"];
  \"ext:net\" [shape=plaintext, label=\"net\"];
  \"ext:net\" -> \"echo\" [label=\"lower\", dir=both];
}
";
    assert_eq!(Small::GRAPH.dot().to_string(), expected);
}

#[test]
fn mermaid_text_of_a_small_pipeline() {
    let expected = "\
flowchart LR
  s_lines[\"lines: Lines\"]
  s_framer[\"framer: Framer\"]
  s_echo[\"echo: Echo\"]
  x_text([\"text\"])
  x_text -->|\"input\"| s_lines
  s_lines -->|\"whole: output -> input\"| s_framer
  x_frames([\"frames\"])
  s_framer -->|\"output\"| x_frames
  x_net([\"net\"])
  x_net <-->|\"lower\"| s_echo
";
    assert_eq!(Small::GRAPH.mermaid().to_string(), expected);
}

#[test]
fn dot_and_mermaid_text_of_a_chain_and_a_generic_stage() {
    let dot = "\
digraph \"Chain\" {
  rankdir=LR;
  node [shape=box];
  \"bottom\" [label=\"bottom: Relay\"];
  \"middle\" [label=\"middle: Relay\"];
  \"top\" [label=\"top: Relay\"];
  \"ext:net\" [shape=plaintext, label=\"net\"];
  \"ext:net\" -> \"bottom\" [label=\"lower\", dir=both];
  \"ext:app\" [shape=plaintext, label=\"app\"];
  \"top\" -> \"ext:app\" [label=\"upper\", dir=both];
  \"bottom\" -> \"middle\" [label=\"bottom-middle: upper -> lower\", dir=both];
  \"middle\" -> \"top\" [label=\"middle-top: upper -> lower\", dir=both];
}
";
    assert_eq!(Chain::GRAPH.dot().to_string(), dot);
    // Angle brackets in a type name are entities in Mermaid, and plain inside dot's quotes.
    let mermaid = "\
flowchart LR
  s_tag[\"tag: Tag#lt;3#gt;\"]
  x_input([\"input\"])
  x_input -->|\"input\"| s_tag
  x_output([\"output\"])
  s_tag -->|\"output\"| x_output
";
    assert_eq!(Typed::GRAPH.mermaid().to_string(), mermaid);
    assert!(Typed::GRAPH.dot().to_string().contains("\"tag\" [label=\"tag: Tag<3>\"];\n"));
}

/// The graph is data the whole program can use, and the pipeline it describes runs.
#[test]
fn the_described_pipeline_runs() {
    let mut p = Small::new(Lines, Framer, Echo);
    p.text().append(b"one message");
    p.text().close();
    p.net().wr.append(b"ping");
    let Ok(status) = p.process();
    assert_eq!(status, pipebuf::Status::Progress);
    assert_eq!(p.frames().data()[0].0, b"one message");
    assert_eq!(p.net().rd.data(), b"ping");
}
