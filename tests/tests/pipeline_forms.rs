//! The forms of `#[pipeline]`: a straight chain, duplex links, nesting, and a hung stage.

// `AsciiOnly` holds no state, yet takes `&mut self`, as `process` must.
#![allow(clippy::unused_self)]

use pipebuf::{PBufState, PipeBuf, PipeBufPair, Stage, Status, pipeline};
use pipebuf_tests::stages::{Echo, Liar, Relay};

#[pipeline]
struct Chain {
    first: Relay,
    second: Relay,
    echo: Echo,
    #[link(<-> first.lower)]
    net: PipeBufPair,
}

#[test]
fn a_chain_needs_no_links() {
    let mut chain = Chain::new(Relay, Relay, Echo);
    chain.net().wr.append(b"ping");
    assert_eq!(chain.process().unwrap(), Status::Progress);
    assert_eq!(chain.net().rd.data(), b"ping");
    chain.net().wr.close();
    chain.process().unwrap();
    assert_eq!(chain.net().rd.state(), PBufState::Closing);
    assert_eq!(Chain::GRAPH.links.len(), 3);
    assert_eq!(Chain::GRAPH.links[1].name, "first-second");
}

#[pipeline]
struct Inner {
    relay: Relay,
    #[link(<-> relay.lower)]
    lower: PipeBufPair,
    #[link(relay.upper <->)]
    upper: PipeBufPair,
}

#[pipeline]
struct Outer {
    inner: Inner,
    echo: Echo,
    #[link(<-> inner.lower)]
    net: PipeBufPair,
    #[link(inner.upper <-> echo.lower)]
    app: PipeBufPair,
}

#[test]
fn pipelines_nest() {
    let mut outer = Outer::new(Inner::new(Relay), Echo);
    outer.net().wr.append(b"hello");
    assert_eq!(outer.process().unwrap(), Status::Progress);
    assert_eq!(outer.net().rd.data(), b"hello");
    outer.net().wr.close();
    // Every stream has ended and been taken inside; the caller still has the echo to read.
    assert_eq!(outer.process().unwrap(), Status::Done);
    assert_eq!(outer.net().rd.data(), b"hello");
    assert_eq!(outer.net().rd.state(), PBufState::Closing);
}

#[pipeline]
struct Lying {
    liar: Liar,
    #[link(-> liar.input)]
    input: PipeBuf,
}

#[test]
fn a_stage_that_never_rests_is_caught() {
    let mut p = Lying::new(Liar);
    assert_eq!(p.process().unwrap(), Status::Hung { stage: "liar" });
    let _ = Lying::GRAPH.mermaid().to_string();
}

/// Fails on any input byte that is not ASCII.
#[derive(Stage)]
#[stage(ports(input: PBufRd), error = NotAscii)]
struct AsciiOnly;

/// The error of [`AsciiOnly`].
#[derive(Debug, PartialEq)]
struct NotAscii(u8);

impl core::fmt::Display for NotAscii {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "byte {:#04x} is not ascii", self.0)
    }
}

impl core::error::Error for NotAscii {}

impl AsciiOnly {
    fn process(&mut self, mut p: AsciiOnlyPorts<'_>) -> Result<bool, NotAscii> {
        if let Some(&bad) = p.input.data().iter().find(|b| !b.is_ascii()) {
            return Err(NotAscii(bad));
        }
        let len = p.input.len();
        p.input.consume(len);
        Ok(len > 0)
    }
}

/// The application's own error type.
#[derive(Debug, PartialEq)]
enum AppError {
    Input { stage: &'static str, byte: u8 },
}

impl From<CheckedError> for AppError {
    fn from(error: CheckedError) -> Self {
        let stage = error.stage();
        match error {
            CheckedError::Check(NotAscii(byte)) => AppError::Input { stage, byte },
        }
    }
}

impl core::fmt::Display for AppError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl core::error::Error for AppError {}

#[pipeline(error = AppError)]
struct Checked {
    check: AsciiOnly,
    #[link(-> check.input)]
    input: PipeBuf,
}

#[test]
fn process_returns_the_users_error_type() {
    let mut p = Checked::new(AsciiOnly);
    p.input().append(b"fine");
    assert_eq!(p.process(), Ok(Status::Progress));
    p.input().append(b"caf\xc3\xa9");
    assert_eq!(p.process(), Err(AppError::Input { stage: "check", byte: 0xc3 }));
}

#[test]
fn release_empty_links_frees_the_storage_of_idle_links_only() {
    /// Storage held by each of the chain's links (the inner ones are hidden fields).
    fn held(c: &Chain) -> [usize; 3] {
        let pair = |p: &PipeBufPair| p.down.capacity() + p.up.capacity();
        [pair(&c.net), pair(&c.__pipebuf_chain0), pair(&c.__pipebuf_chain1)]
    }
    let mut chain = Chain::new(Relay, Relay, Echo);
    // Two round trips, so that every link has held data and kept storage.
    for _ in 0..2 {
        chain.net().wr.append(&[7; 4096]);
        chain.process().unwrap();
        let n = chain.net().rd.len();
        chain.net().rd.consume(n);
    }
    chain.net().wr.append(b"unread");
    chain.process().unwrap();
    assert!(held(&chain).iter().all(|&bytes| bytes > 0), "{:?}", held(&chain));
    chain.release_empty_links();
    // The echo waits in `net` for the caller and keeps its storage; the rest is freed.
    assert_eq!(held(&chain)[1..], [0, 0]);
    assert_eq!(chain.net().rd.data(), b"unread");
    chain.net().rd.consume(6);
    chain.release_empty_links();
    assert_eq!(held(&chain), [0, 0, 0]);
    // The links grow again when data comes.
    chain.net().wr.append(b"again");
    chain.process().unwrap();
    assert_eq!(chain.net().rd.data(), b"again");
}
