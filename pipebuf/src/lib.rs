//! A byte buffer shared by the producer and the consumer of a stream, for protocol and
//! processing chains that copy nothing between stages.
//!
//! Protocol code is built as chains: TCP, TLS, WebSocket, application; or encoder, compressor,
//! framer. With `std::io::Read`/`Write` every link copies into a private buffer of the next
//! component, and every component keeps its own input buffer until a whole record has arrived.
//! A [`PipeBuf`] is one buffer between two components: the producer writes straight into its free
//! space, the consumer parses straight out of its unread data and leaves a partial record there
//! until the rest comes. Neither owns it: the glue code between them does.
//!
//! # Example
//!
//! A component that turns text into upper case, and the glue that runs it between two buffers:
//!
//! ```
//! use pipebuf::{PBufRd, PBufWr, PipeBuf};
//!
//! /// Upper-cases whatever arrives, in place, and hands it on. Returns true on activity.
//! fn upper_case(mut rd: PBufRd<'_>, mut wr: PBufWr<'_>) -> bool {
//!     let before = rd.tripwire();
//!     rd.data_mut().make_ascii_uppercase();
//!     rd.forward(wr.reborrow());
//!     rd.is_tripped(before)
//! }
//!
//! let (mut input, mut output) = (PipeBuf::new(), PipeBuf::new());
//! input.wr().append(b"hello, ");
//! while upper_case(input.rd(), output.wr()) {}
//! input.wr().append(b"world");
//! input.wr().close();
//! while upper_case(input.rd(), output.wr()) {}
//!
//! assert_eq!(output.rd().data(), b"HELLO, WORLD");
//! assert!(output.rd().consume_eof());
//! assert!(!output.rd().is_aborted());
//! ```
//!
//! # A pipeline
//!
//! The same component as a stage, and a pipeline of two of them that the macro glues together
//! (feature `derive`, on by default):
//!
//! ```
//! # #[cfg(feature = "derive")] {
//! use pipebuf::{pipeline, PipeBuf, Stage, Status};
//!
//! /// Upper-cases whatever arrives, in place, and hands it on.
//! #[derive(Stage)]
//! #[stage(ports(input: PBufRd, output: PBufWr))]
//! struct Shout;
//!
//! impl Shout {
//!     fn process(&mut self, mut p: ShoutPorts<'_>) -> bool {
//!         let before = p.input.tripwire();
//!         p.input.data_mut().make_ascii_uppercase();
//!         p.input.forward(p.output);
//!         p.input.is_tripped(before)
//!     }
//! }
//!
//! #[pipeline]
//! struct Loud {
//!     first: Shout,
//!     second: Shout,
//!     #[link(-> first.input)]
//!     text: PipeBuf,
//!     #[link(first.output -> second.input)]
//!     middle: PipeBuf,
//!     #[link(second.output ->)]
//!     loud: PipeBuf,
//! }
//!
//! let mut loud = Loud::new(Shout, Shout);
//! loud.text().append(b"hello");
//! loud.text().close();
//! let Ok(status) = loud.process(); // no stage can fail, so neither can the pipeline
//! assert_eq!(status, Status::Done);
//! assert_eq!(loud.loud().data(), b"HELLO");
//! println!("{}", Loud::GRAPH.mermaid());
//! # }
//! ```
//!
//! # Concepts
//!
//! - **Component and glue.** A component (a stage) takes a [`PBufRd`] for its input and a
//!   [`PBufWr`] for its output, or a [`PBufRdWr`] for each side of a full-duplex link (a
//!   [`PipeBufPair`]), and moves as much data as it can. The glue owns the buffers and calls the
//!   components until a whole pass changes nothing.
//! - **Activity.** A component says whether it did anything; [`PBufTrip`] tripwires tell the
//!   glue, or the component itself, exactly whether a buffer changed, and never miss a change.
//! - **Close and abort.** A stream ends either closed (clean) or aborted (broken), like TCP's
//!   FIN and RST. The producer ends it ([`PBufWr::close`], [`PBufWr::abort`]), the consumer takes
//!   the end exactly once ([`PBufRd::consume_eof`]). The first end wins. A *push* asks the
//!   consumer to flush now. See [`PBufState`].
//! - **Hand-on without copies.** [`PBufRd::forward`] and [`PBufRd::forward_prefix`] give the
//!   next buffer the storage itself when it is empty, so a pass-through costs O(1) per chunk.
//! - **Stages and pipelines.** A [`Stage`] declares named, typed ports and a `process` call;
//!   `#[derive(Stage)]` writes the impl from the ports declared once. `#[pipeline]` turns a struct
//!   of stages and links into the glue: the link buffers, the activity loop (with a [`Budget`]
//!   and a [`Status`]), the propagation of close and abort, an error enum naming the failed
//!   stage, and the wiring as a [`Graph`]. See [the example below](#a-pipeline).
//! - **Backpressure and limits.** A buffer may have a fixed capacity or a limit
//!   ([`PipeBuf::set_limit`]). A producer driven by a peer asks for space with
//!   [`PBufWr::try_space`] and [`PBufWr::free_space`], so a peer can never cause a panic or
//!   unbounded growth.
//!
//! # Features
//!
//! | feature | default | enables |
//! | --- | --- | --- |
//! | `std` | yes | `std::io::Read`/`Write` impls, [`PBufWr::input_from`], [`PBufRd::output_to`]; implies `alloc` |
//! | `derive` | yes | `#[pipeline]` and `#[derive(Stage)]`, from `pipebuf-derive` |
//! | `alloc` | via `std` | heap buffers that grow: [`PipeBuf::new`], [`PipeBuf::with_capacity`], [`PipeBuf::with_fixed_capacity`], and the O(1) hand-on |
//!
//! Features are additive: `--all-features` works, and inline buffers are there with every set.
//!
//! # `no_std`
//!
//! The crate is always `no_std`. Without `alloc`, use inline storage,
//! `PipeBuf::<u8, N>::with_inline_storage()`: `N` elements inside the value, no heap and no
//! `unsafe`. With `alloc`, inline and heap buffers can be used side by side.
//!
//! # Foot-guns
//!
//! - [`PBufWr::space`] and [`PBufWr::append`] panic when a bounded buffer is full: use the `try_`
//!   and `free_space` calls wherever a peer decides the size.
//! - Commit right after writing into [`PBufWr::space`]: any other call may move the free space.
//! - [`PipeBuf::reset`] leaves old bytes in the storage; use [`PipeBuf::reset_and_zero`] for
//!   secrets. [`PBufRd::forward`] moves storage between buffers, so secrets travel with it.
#![no_std]
// Docs link to the `alloc` and `std` items wherever they explain them; with those features off
// the links have nothing to point at, and only then is that expected.
#![cfg_attr(not(feature = "std"), allow(rustdoc::broken_intra_doc_links))]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

#[cfg(feature = "alloc")]
extern crate alloc;
// `std` is linked only for the `std::io` bridges; everything else uses `core` and `alloc`.
#[cfg(feature = "std")]
extern crate std;

mod buf;
pub use buf::PipeBuf;
mod graph;
pub use graph::{Endpoint, Graph, LinkInfo, StageInfo};
mod hand_on;
#[cfg(feature = "std")]
mod io;
mod pair;
pub use pair::{PBufRdWr, PipeBufPair};
mod pipeline;
pub use pipeline::Pipeline;
mod rd;
pub use rd::PBufRd;
mod run;
pub use run::{Budget, Status};
mod shared;
mod stage;
pub use stage::{Direction, Port, Stage};
mod state;
pub use state::PBufState;
mod trip;
pub use trip::PBufTrip;
mod wr;
pub use wr::PBufWr;

#[cfg(feature = "derive")]
pub use pipebuf_derive::{Stage, pipeline};

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
