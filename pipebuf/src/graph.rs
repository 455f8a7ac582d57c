//! The wiring of a pipeline as data, and as Graphviz and Mermaid text.

use core::fmt;

use crate::Port;

/// The wiring of a pipeline: its stages, their ports and the links between them.
///
/// `#[pipeline]` writes one as the `GRAPH` constant of each pipeline. Print it with
/// [`Graph::dot`] or [`Graph::mermaid`] to see the chain.
///
/// # Examples
///
/// ```
/// use pipebuf::{Direction, Endpoint, Graph, LinkInfo, Port, StageInfo};
///
/// const PORTS: &[Port] = &[
///     Port { name: "input", direction: Direction::Input, element: "u8" },
///     Port { name: "output", direction: Direction::Output, element: "u8" },
/// ];
/// const GRAPH: Graph = Graph {
///     name: "Shout",
///     stages: &[StageInfo { name: "shout", type_name: "Upper", ports: PORTS }],
///     links: &[
///         LinkInfo { name: "text", from: None, to: Some(Endpoint::new("shout", "input")), duplex: false },
///         LinkInfo { name: "loud", from: Some(Endpoint::new("shout", "output")), to: None, duplex: false },
///     ],
/// };
/// assert!(GRAPH.dot().to_string().contains("\"shout\" -> \"ext:loud\" [label=\"output\"]"));
/// assert!(GRAPH.mermaid().to_string().starts_with("flowchart LR"));
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Graph {
    /// The name of the pipeline type.
    pub name: &'static str,
    /// The stages, in the order they are declared (and called).
    pub stages: &'static [StageInfo],
    /// The links, in the order they are declared; a straight chain's links come last.
    pub links: &'static [LinkInfo],
}

impl Graph {
    /// Returns the stage called `name`, if there is one.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::{Graph, StageInfo};
    ///
    /// const G: Graph = Graph {
    ///     name: "G",
    ///     stages: &[StageInfo { name: "a", type_name: "A", ports: &[] }],
    ///     links: &[],
    /// };
    /// assert_eq!(G.stage("a").map(|s| s.type_name), Some("A"));
    /// assert!(G.stage("b").is_none());
    /// ```
    #[must_use]
    pub fn stage(&self, name: &str) -> Option<&'static StageInfo> {
        self.stages.iter().find(|s| s.name == name)
    }

    /// Returns the graph in Graphviz `dot` syntax, ready for `dot -Tsvg`.
    ///
    /// Stages are boxes, the pipeline's external ports are plain labels, and each link is an edge
    /// named after it, with both arrow heads for a duplex link.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::Graph;
    ///
    /// let g = Graph { name: "Empty", stages: &[], links: &[] };
    /// assert_eq!(g.dot().to_string(), "digraph \"Empty\" {\n  rankdir=LR;\n  node [shape=box];\n}\n");
    /// ```
    #[must_use]
    pub fn dot(&self) -> impl fmt::Display + '_ {
        Dot(self)
    }

    /// Returns the graph as a Mermaid flowchart, which GitHub renders in Markdown.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::Graph;
    ///
    /// let g = Graph { name: "Empty", stages: &[], links: &[] };
    /// assert_eq!(g.mermaid().to_string(), "flowchart LR\n");
    /// ```
    #[must_use]
    pub fn mermaid(&self) -> impl fmt::Display + '_ {
        Mermaid(self)
    }
}

/// One stage of a [`Graph`].
///
/// # Examples
///
/// ```
/// use pipebuf::StageInfo;
///
/// let s = StageInfo { name: "tls", type_name: "TlsServer", ports: &[] };
/// assert_eq!(s.name, "tls");
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct StageInfo {
    /// The field that holds the stage.
    pub name: &'static str,
    /// The stage's type, as written in the pipeline.
    pub type_name: &'static str,
    /// The stage's ports, from [`Stage::PORTS`](crate::Stage::PORTS).
    pub ports: &'static [Port],
}

/// One link of a [`Graph`]: a buffer (or a pair) the pipeline owns.
///
/// An end that is `None` is outside the pipeline: the link is one of its external ports.
///
/// # Examples
///
/// ```
/// use pipebuf::{Endpoint, LinkInfo};
///
/// let l = LinkInfo { name: "net", from: None, to: Some(Endpoint::new("tls", "lower")), duplex: true };
/// assert!(l.is_external());
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct LinkInfo {
    /// The field that holds the buffer, or `chainN` for the links of a straight chain.
    pub name: &'static str,
    /// The writing end (for a duplex link, the lower layer's end).
    pub from: Option<Endpoint>,
    /// The reading end (for a duplex link, the upper layer's end).
    pub to: Option<Endpoint>,
    /// True for a [`PipeBufPair`](crate::PipeBufPair) linking two duplex ports.
    pub duplex: bool,
}

impl LinkInfo {
    /// Returns true if one end of the link is outside the pipeline.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf::{Endpoint, LinkInfo};
    ///
    /// let end = Some(Endpoint::new("a", "output"));
    /// assert!(!LinkInfo { name: "l", from: end, to: end, duplex: false }.is_external());
    /// ```
    #[must_use]
    pub const fn is_external(&self) -> bool {
        self.from.is_none() || self.to.is_none()
    }
}

/// A port of a named stage: one end of a [`LinkInfo`].
///
/// # Examples
///
/// ```
/// let end = pipebuf::Endpoint::new("tls", "upper");
/// assert_eq!((end.stage, end.port), ("tls", "upper"));
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// The stage's field name.
    pub stage: &'static str,
    /// The port's name.
    pub port: &'static str,
}

impl Endpoint {
    /// Names port `port` of stage `stage`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(pipebuf::Endpoint::new("ws", "lower").port, "lower");
    /// ```
    #[must_use]
    pub const fn new(stage: &'static str, port: &'static str) -> Self {
        Endpoint { stage, port }
    }
}

struct Dot<'a>(&'a Graph);

impl fmt::Display for Dot<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let graph = self.0;
        writeln!(f, "digraph \"{}\" {{\n  rankdir=LR;\n  node [shape=box];", graph.name)?;
        for stage in graph.stages {
            writeln!(
                f,
                "  \"{}\" [label=\"{}: {}\"];",
                stage.name,
                stage.name,
                Quoted(stage.type_name)
            )?;
        }
        for link in graph.links {
            if link.is_external() {
                writeln!(f, "  \"ext:{}\" [shape=plaintext, label=\"{}\"];", link.name, link.name)?;
            }
            write!(
                f,
                "  {} -> {} [label=\"{}\"",
                Node::end(link, link.from).dot(),
                Node::end(link, link.to).dot(),
                EdgeLabel(link)
            )?;
            if link.duplex {
                f.write_str(", dir=both")?;
            }
            f.write_str("];\n")?;
        }
        f.write_str("}\n")
    }
}

struct Mermaid<'a>(&'a Graph);

impl fmt::Display for Mermaid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let graph = self.0;
        f.write_str("flowchart LR\n")?;
        for stage in graph.stages {
            writeln!(f, "  s_{}[\"{}: {}\"]", stage.name, stage.name, Escaped(stage.type_name))?;
        }
        for link in graph.links {
            if link.is_external() {
                writeln!(f, "  x_{}([\"{}\"])", link.name, link.name)?;
            }
            let arrow = if link.duplex { "<-->" } else { "-->" };
            writeln!(
                f,
                "  {} {arrow}|\"{}\"| {}",
                Node::end(link, link.from).mermaid(),
                EdgeLabel(link),
                Node::end(link, link.to).mermaid()
            )?;
        }
        Ok(())
    }
}

/// A node of a drawing: a stage, or an external port of the pipeline.
#[derive(Copy, Clone)]
enum Node {
    Stage(&'static str),
    External(&'static str),
}

impl Node {
    /// The node at one end of a link: its stage, or the link itself when the end is outside.
    fn end(link: &LinkInfo, end: Option<Endpoint>) -> Node {
        end.map_or(Node::External(link.name), |end| Node::Stage(end.stage))
    }

    /// The quoted Graphviz id.
    fn dot(self) -> NodeId {
        NodeId { node: self, mermaid: false }
    }

    /// The Mermaid id.
    fn mermaid(self) -> NodeId {
        NodeId { node: self, mermaid: true }
    }
}

/// How a [`Node`] is named in one language. In Mermaid the prefixes keep stage and port names
/// apart and clear of its keywords (`end`); dot quotes its ids, so a prefix on ports is enough.
struct NodeId {
    node: Node,
    mermaid: bool,
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.node, self.mermaid) {
            (Node::Stage(name), false) => write!(f, "\"{name}\""),
            (Node::External(name), false) => write!(f, "\"ext:{name}\""),
            (Node::Stage(name), true) => write!(f, "s_{name}"),
            (Node::External(name), true) => write!(f, "x_{name}"),
        }
    }
}

/// The label of a link's edge: `name: port -> port` between two stages, and only the stage's
/// port for an external link, whose name is on its node.
struct EdgeLabel<'a>(&'a LinkInfo);

impl fmt::Display for EdgeLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0.from, self.0.to) {
            (Some(from), Some(to)) => write!(f, "{}: {} -> {}", self.0.name, from.port, to.port),
            (Some(end), None) | (None, Some(end)) => f.write_str(end.port),
            (None, None) => Ok(()),
        }
    }
}

/// Writes a string inside Graphviz double quotes.
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in self.0.split_inclusive('"') {
            match part.strip_suffix('"') {
                Some(text) => write!(f, "{text}\\\"")?,
                None => f.write_str(part)?,
            }
        }
        Ok(())
    }
}

/// Writes a string inside a Mermaid label, where quotes and angle brackets need entities.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("#quot;")?,
                '<' => f.write_str("#lt;")?,
                '>' => f.write_str("#gt;")?,
                c => write!(f, "{c}")?,
            }
        }
        Ok(())
    }
}
