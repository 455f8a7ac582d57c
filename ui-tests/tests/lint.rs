#![deny(warnings, clippy::all, clippy::pedantic, missing_docs)]
//! Every feature of the macros under the strictest lints, with public items: the generated code
//! must compile without a warning (CI runs clippy with `-D warnings` over this file). The test at
//! the bottom runs the pipelines a little, so that the file is a behaviour check too.

use core::fmt;

use pipebuf::{PBufState, PipeBuf, PipeBufPair, Stage, Status, pipeline};

/// An element type other than bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// The payload length.
    pub len: usize,
}

/// The error of [`Lines`].
#[derive(Debug, PartialEq, Eq)]
pub struct TooLong;

impl fmt::Display for TooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("line too long")
    }
}

impl core::error::Error for TooLong {}

/// Hands on whole lines; fails on a line longer than `max`.
#[derive(Stage)]
#[stage(ports(input: PBufRd, output: PBufWr), error = TooLong)]
pub struct Lines {
    /// The longest line allowed.
    pub max: usize,
}

impl Lines {
    fn process(&mut self, mut p: LinesPorts<'_>) -> Result<bool, TooLong> {
        let before = p.input.tripwire();
        match p.input.data().iter().rposition(|&b| b == b'\n') {
            Some(end) => _ = p.input.forward_prefix(p.output.reborrow(), end + 1),
            None if p.input.len() > self.max => return Err(TooLong),
            None if p.input.has_pending_eof() => p.input.forward(p.output.reborrow()),
            None => {}
        }
        Ok(p.input.is_tripped(before))
    }
}

/// Upper-cases ASCII letters.
#[derive(Stage, Default)]
#[stage(ports(input: PBufRd, output: PBufWr))]
pub struct Shout {
    /// How many bytes it has handed on.
    pub count: usize,
}

impl Shout {
    fn process(&mut self, mut p: ShoutPorts<'_>) -> bool {
        let before = p.input.tripwire();
        p.input.data_mut().make_ascii_uppercase();
        self.count += p.input.len();
        p.input.forward(p.output);
        p.input.is_tripped(before)
    }
}

/// Passes elements of any type through, both ways.
#[derive(Stage)]
#[stage(ports(lower: PBufRdWr<T>, upper: PBufRdWr<T>))]
pub struct Relay<T: Default + Clone> {
    /// The last element that went up.
    pub last: Option<T>,
}

impl<T: Default + Clone> Relay<T> {
    fn process(&mut self, mut p: RelayPorts<'_, T>) -> bool {
        let before = (p.lower.tripwire(), p.upper.tripwire());
        if let Some(last) = p.lower.rd.data().last() {
            self.last = Some(last.clone());
        }
        p.lower.rd.forward(p.upper.wr.reborrow());
        p.upper.rd.forward(p.lower.wr.reborrow());
        before != (p.lower.tripwire(), p.upper.tripwire())
    }
}

/// Turns bytes from below into one [`Frame`] per chunk, and frames from above into bytes.
#[derive(Stage)]
#[stage(ports(lower: PBufRdWr, upper: PBufRdWr<Frame>))]
pub struct Framer {
    /// How many frames it has made.
    pub frames: usize,
}

impl Framer {
    fn process(&mut self, mut p: FramerPorts<'_>) -> bool {
        let before = (p.lower.tripwire(), p.upper.tripwire());
        let len = p.lower.rd.len();
        if len > 0 {
            p.upper.wr.append(&[Frame { len }]);
            p.lower.rd.consume(len);
            self.frames += 1;
        }
        let frames = p.upper.rd.len();
        for _ in 0..frames {
            p.lower.wr.append(b"f");
        }
        p.upper.rd.consume(frames);
        before != (p.lower.tripwire(), p.upper.tripwire())
    }
}

/// A text pipeline: every simplex link form, with every option.
#[pipeline]
pub struct Loud {
    /// The line splitter.
    pub lines: Lines,
    /// The shouter.
    pub shout: Shout,
    #[link(-> lines.input, limit = 1 << 16)]
    text: PipeBuf,
    #[link(lines.output -> shout.input, capacity = 4 * 1024, fixed,)]
    whole: PipeBuf,
    #[link(shout.output ->, capacity = 64)]
    shouted: PipeBuf<u8, 128>,
}

/// A duplex pipeline: duplex links of each form, bytes and frames, generic stages.
#[pipeline]
pub struct Stack {
    net_relay: Relay<u8>,
    /// The framer, public to show that field visibility is kept.
    pub framer: Framer,
    app_relay: Relay<Frame>,
    #[link(<-> net_relay.lower, capacity = 256)]
    lower: PipeBufPair,
    #[link(net_relay.upper <-> framer.lower)]
    bytes: PipeBufPair,
    #[link(framer.upper <-> app_relay.lower, limit = 32)]
    frames: PipeBufPair<Frame>,
    #[link(app_relay.upper <->)]
    upper: PipeBufPair<Frame>,
}

/// A straight chain: no links between its stages, and a nested pipeline as one of them.
#[pipeline]
pub struct Chain {
    below: Relay<u8>,
    /// A nested pipeline.
    pub stack: Stack,
    /// The top stage.
    pub above: Relay<Frame>,
    #[link(<-> below.lower)]
    net: PipeBufPair,
    #[link(above.upper <->)]
    app: PipeBufPair<Frame>,
}

/// The error [`Outer`] returns, through `#[pipeline(error = ...)]`.
#[derive(Debug)]
pub struct AppError(pub OuterError);

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "app: {}", self.0)
    }
}

impl core::error::Error for AppError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl From<OuterError> for AppError {
    fn from(error: OuterError) -> Self {
        AppError(error)
    }
}

/// A pipeline nesting [`Loud`] by its simplex external links, returning its own error type.
#[pipeline(error = AppError)]
pub struct Outer {
    loud: Loud,
    shout: Shout,
    #[link(-> loud.text)]
    input: PipeBuf,
    #[link(loud.shouted -> shout.input)]
    mid: PipeBuf,
    #[link(shout.output ->)]
    output: PipeBuf,
}

#[test]
fn every_form_runs() -> Result<(), Box<dyn core::error::Error>> {
    let mut loud = Loud::new(Lines { max: 8 }, Shout::default());
    loud.text().append(b"hi\nthere");
    assert_eq!(loud.process()?, Status::Progress);
    assert_eq!(loud.shouted().data(), b"HI\n");
    loud.text().append(b" and more than eight");
    let error = loud.process().unwrap_err();
    assert_eq!(error.stage(), "lines");
    assert_eq!(error.to_string(), "stage `lines` failed");
    assert!(matches!(error, LoudError::Lines(TooLong)));
    assert_eq!(loud.shouted().state(), PBufState::Aborting);
    assert_eq!(loud.shout.count, 3);

    let mut chain = Chain::new(
        Relay { last: None },
        Stack::new(Relay { last: None }, Framer { frames: 0 }, Relay { last: None }),
        Relay { last: None },
    );
    chain.net().wr.append(b"abc");
    assert_eq!(chain.process()?, Status::Progress);
    assert_eq!(chain.app().rd.data(), [Frame { len: 3 }]);
    assert_eq!(chain.stack.framer.frames, 1);
    assert_eq!(chain.above.last, Some(Frame { len: 3 }));
    chain.app().wr.append(&[Frame { len: 1 }, Frame { len: 2 }]);
    chain.process()?;
    assert_eq!(chain.net().rd.data(), b"ff");
    assert_eq!(Chain::GRAPH.links.len(), 4);
    assert_eq!(Stack::GRAPH.stages.len(), 3);

    let mut outer = Outer::new(Loud::new(Lines { max: 80 }, Shout::default()), Shout::default());
    outer.input().append(b"nested\n");
    outer.input().close();
    // Every stream has ended inside; the caller still has the output to take.
    assert_eq!(outer.process()?, Status::Done);
    assert_eq!(outer.output().data(), b"NESTED\n");
    assert!(outer.output().consume_eof());
    assert_eq!(outer.process()?, Status::Done);
    assert!(Outer::GRAPH.dot().to_string().contains("\"loud\" -> \"shout\""));

    let mut outer = Outer::new(Loud::new(Lines { max: 2 }, Shout::default()), Shout::default());
    outer.input().append(b"too long");
    let error = outer.process().unwrap_err();
    assert!(matches!(error, AppError(OuterError::Loud(LoudError::Lines(TooLong)))));
    assert_eq!(error.to_string(), "app: stage `loud` failed");
    assert_eq!(outer.output().state(), PBufState::Aborting);
    Ok(())
}
