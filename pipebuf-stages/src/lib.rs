//! Ready stages for [`pipebuf`] chains: transports (any `std::io` stream, TCP and UNIX sockets on
//! mio), TLS on rustls, WebSocket, lines, length-prefixed frames, a pass-through and an echo.
//!
//! Each stage here is a [`Stage`](pipebuf::Stage): a struct with named ports that a
//! `#[pipeline]` wires to its neighbors, or that glue code written by hand drives. Stages of
//! different layers chain by their duplex ports: a transport's `upper` to TLS's `lower`, TLS's
//! `upper` to the application's.
//!
//! | stage | input | output | what it does |
//! | --- | --- | --- | --- |
//! | [`PassThrough`] | `T` | `T` | hands everything on; O(1) per chunk, storage and all |
//! | [`Echo`] | `T`, duplex (`io`) | the same | sends everything back; the application of an echo server |
//! | [`LineSplitter`] | bytes | `Vec<u8>` | one message per line, `\n` or `\r\n` removed |
//! | [`LengthFramer`] | `Vec<u8>` | bytes | a 4-byte big-endian length, then the frame |
//! | [`LengthDeframer`] | bytes | `Vec<u8>` | one message per length-prefixed frame |
#![cfg_attr(
    feature = "rustls",
    doc = "| [`TlsServer`] | records and plaintext, duplex (`lower`, `upper`) | the same | TLS server on rustls 0.23, feature `rustls` |"
)]
#![cfg_attr(
    not(feature = "rustls"),
    doc = "| `TlsServer` | records and plaintext, duplex (`lower`, `upper`) | the same | TLS server on rustls 0.23, feature `rustls` |"
)]
#![cfg_attr(
    feature = "rustls",
    doc = "| [`TlsClient`] | records and plaintext, duplex (`lower`, `upper`) | the same | TLS client on rustls 0.23, feature `rustls` |"
)]
#![cfg_attr(
    not(feature = "rustls"),
    doc = "| `TlsClient` | records and plaintext, duplex (`lower`, `upper`) | the same | TLS client on rustls 0.23, feature `rustls` |"
)]
#![cfg_attr(
    feature = "websocket",
    doc = "| [`websocket::WebsocketServer`] | bytes and messages, duplex (`lower`, `upper: Message`) | the same | WebSocket server (RFC 6455, strict), feature `websocket` |"
)]
#![cfg_attr(
    not(feature = "websocket"),
    doc = "| `websocket::WebsocketServer` | bytes and messages, duplex (`lower`, `upper: Message`) | the same | WebSocket server (RFC 6455, strict), feature `websocket` |"
)]
#![cfg_attr(
    feature = "websocket",
    doc = "| [`websocket::WebsocketClient`] | bytes and messages, duplex (`lower`, `upper: Message`) | the same | WebSocket client, masking keys from your RNG, feature `websocket` |"
)]
#![cfg_attr(
    not(feature = "websocket"),
    doc = "| `websocket::WebsocketClient` | bytes and messages, duplex (`lower`, `upper: Message`) | the same | WebSocket client, masking keys from your RNG, feature `websocket` |"
)]
//!
//! Stages over I/O have one duplex port, `upper` (bytes to send down, bytes received up), and
//! map the stream's ends onto close and abort, each as its docs' table says:
//!
//! | stage | feature | stream |
//! | --- | --- | --- |
//! | `StdStream` | `std` | any `std::io::Read + Write`, blocking or not |
//! | `TcpLink` | `mio` | a mio `TcpStream`; abort sends an RST |
//! | `UnixLink` | `mio` (unix) | a mio `UnixStream` |
//!
//! # Drivers
//!
//! A driver runs whole pipelines (anything `#[pipeline]` makes is a [`pipebuf::Pipeline`]) and
//! feeds them readiness; no stage knows which driver runs it:
//!
//! | driver | feature | runs |
//! | --- | --- | --- |
//! | `run_blocking` | `std` | a pipeline whose I/O blocks (`StdStream` over blocking streams), until every stream ended |
//! | `MioServer` | `mio` | one pipeline per accepted TCP connection (a `TcpLink` at the bottom), on one thread: interest re-armed, handshake timeout, idle buffers freed, clean shutdown, a report per connection, a waker for other threads |
//! | `MioClient` | `mio` | the pipeline of one connection (a `TcpLink` at the bottom), with an application callback after every run and a waker for other threads |
//! | `TokioDriver` | `tokio` | a pipeline over any tokio `AsyncRead + AsyncWrite`, both directions in one task, woken by the socket and by the application (`Notify`) |
//!
//! Backpressure: the stream stages and the tokio driver stop reading while the link they feed
//! holds more than a high mark, and read again at a low mark (`with_marks`).
//!
//! # Example
//!
//! Text in, one length-prefixed frame per line on a wire, and the lines back out:
//!
//! ```
//! use pipebuf::{PBufState, PipeBuf, Status, pipeline};
//! use pipebuf_stages::{LengthDeframer, LengthFramer, LineSplitter};
//!
//! #[pipeline]
//! struct Relay {
//!     lines: LineSplitter,
//!     framer: LengthFramer,
//!     deframer: LengthDeframer,
//!     #[link(-> lines.input)]
//!     text: PipeBuf,
//!     #[link(lines.output -> framer.input)]
//!     sent: PipeBuf<Vec<u8>>,
//!     #[link(framer.output -> deframer.input)]
//!     wire: PipeBuf,
//!     #[link(deframer.output ->)]
//!     received: PipeBuf<Vec<u8>>,
//! }
//!
//! let mut relay =
//!     Relay::new(LineSplitter::new(80), LengthFramer::new(80), LengthDeframer::new(80));
//! relay.text().append(b"hello\r\nworld\nand the rest");
//! assert_eq!(relay.process()?, Status::Progress);
//! assert_eq!(relay.received().data(), [b"hello".to_vec(), b"world".to_vec()]);
//!
//! // At a clean close, the last line needs no line end.
//! relay.text().close();
//! relay.process()?;
//! assert_eq!(relay.received().data().len(), 3);
//! assert_eq!(relay.received().data()[2], b"and the rest");
//! assert_eq!(relay.received().state(), PBufState::Closing);
//! # Ok::<(), RelayError>(())
//! ```
//!
//! # Concepts
//!
//! - **Ports and glue.** A stage owns no buffers. Its ports are views of buffers that the glue
//!   (a `#[pipeline]`, or code written by hand) owns; each stage names its ports struct
//!   `<Stage>Ports`, so that glue written by hand can build it, as the examples on each stage
//!   do.
//! - **Activity.** `process` returns `Ok(true)` when it changed a buffer and `Ok(false)` when
//!   there was nothing to do; called again on unchanged buffers, every stage here comes to rest.
//! - **No private input buffer.** A stage that needs a whole record (a line, a frame) leaves a
//!   partial one in its input buffer until the rest arrives, and copies a record once, into the
//!   message it emits.
//! - **Ends.** Each stage documents how it maps push, close and abort from its input to its
//!   output. Data that arrived before an end is handed on before the end. An abort drops a
//!   partial record; a close in the middle of a record is an error where the format says so.
//! - **Errors and limits.** Every stage that buffers input for a record has a maximum record
//!   size, and fails with a typed error ([`LineError`], [`FrameError`]) as soon as the input
//!   exceeds it, so a peer can make it neither buffer without bound nor panic. Records before
//!   the bad one have been passed on. After an error, a `#[pipeline]` aborts the stage's outputs
//!   and does not call it again; glue written by hand SHOULD do the same.
//! - **Backpressure.** A stage writes only what its output has room for, and waits, holding
//!   push and end back, until there is more room.
//!
//! # Features
//!
//! | feature | default | enables |
//! | --- | --- | --- |
//! | `std` | yes | `From<LineError>` and `From<FrameError>` for `std::io::Error`; `pipebuf/std`; the stage over any `Read + Write`, `StdStream` |
//! | `mio` | no | TCP and UNIX stream stages on mio 1.x, `TcpLink` and `UnixLink` (socket2 0.5 for a real RST) |
#![cfg_attr(
    feature = "rustls",
    doc = "| `rustls` | no | [`TlsServer`], [`TlsClient`], [`TlsError`] and `From<TlsError>` for `std::io::Error`; the `rustls` re-export; no crypto provider |"
)]
#![cfg_attr(
    not(feature = "rustls"),
    doc = "| `rustls` | no | `TlsServer`, `TlsClient`, `TlsError` and `From<TlsError>` for `std::io::Error`; the `rustls` re-export; no crypto provider |"
)]
#![cfg_attr(
    feature = "websocket",
    doc = "| `websocket` | no | [`websocket`]: the [`websocket::WebsocketServer`] and [`websocket::WebsocketClient`] stages and their sans-IO parts (handshakes on httparse, masking, UTF-8 validation); no `std` needed |"
)]
#![cfg_attr(
    not(feature = "websocket"),
    doc = "| `websocket` | no | `websocket`: the `websocket::WebsocketServer` and `websocket::WebsocketClient` stages and their sans-IO parts (handshakes on httparse, masking, UTF-8 validation); no `std` needed |"
)]
#![cfg_attr(
    feature = "tokio",
    doc = "| `tokio` | no | [`TokioDriver`]: runs a pipeline over any tokio `AsyncRead + AsyncWrite`, both directions in one task, with backpressure marks and a wake-up for the application (tokio 1.x, `sync` and `time`) |"
)]
#![cfg_attr(
    not(feature = "tokio"),
    doc = "| `tokio` | no | `TokioDriver`: runs a pipeline over any tokio `AsyncRead + AsyncWrite`, both directions in one task, with backpressure marks and a wake-up for the application (tokio 1.x, `sync` and `time`) |"
)]
//!
//! The byte and message stages need no feature. Stages that wrap other crates (TCP on mio, TLS on
//! rustls) each come behind a feature named after that crate; the WebSocket stages behind
//! `websocket`.
//!
//! # `no_std`
//!
//! The crate is always `no_std`, and needs `alloc`: the line and frame stages' messages are
//! `Vec<u8>`, and a WebSocket payload of more than 22 bytes is on the heap. Turn off default features to use it
//! without `std`.
//!
//! # Foot-guns
//!
//! - The input buffer of a stage that waits for whole records MUST be able to hold the largest
//!   record: `max + 2` bytes for [`LineSplitter`] (a line and its `\r\n`), `max + 4` for
//!   [`LengthDeframer`] (a frame and its header). Give its link a limit of at least that, or no
//!   limit; otherwise a large record never arrives whole and the chain waits for ever.
//! - A stage remembers where it is in its streams (how far it has looked into a partial line,
//!   how much of a frame it has written). Glue written by hand MUST give a stage the same buffers
//!   on every call, and SHOULD use a new stage for new streams.
//! - [`PassThrough`] moves storage between buffers, so bytes left in it (secrets, too) travel on
//!   with it.
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

extern crate alloc;
// `std` is linked only for the `std::io::Error` conversions.
#[cfg(feature = "std")]
extern crate std;

mod frame;
pub use frame::{FrameError, LengthDeframer, LengthDeframerPorts, LengthFramer, LengthFramerPorts};
mod lines;
pub use lines::{LineError, LineSplitter, LineSplitterPorts};
mod chain;
pub use chain::error_chain;
mod echo;
pub use echo::{Echo, EchoPorts};
mod pass;
#[cfg(feature = "std")]
mod unit;
pub use pass::{PassThrough, PassThroughPorts};

#[cfg(feature = "std")]
mod blocking;
#[cfg(feature = "std")]
pub use blocking::run_blocking;
#[cfg(feature = "std")]
mod io;
#[cfg(feature = "std")]
pub use io::{DEFAULT_MAX_READ, StdStream, StdStreamPorts, StreamError};
#[cfg(feature = "mio")]
mod client;
#[cfg(feature = "mio")]
pub use client::{MioClient, MioClientError};
#[cfg(feature = "mio")]
mod server;
#[cfg(feature = "mio")]
pub use server::{Ended, MioConnection, MioServer, Report};
#[cfg(feature = "mio")]
mod tcp;
#[cfg(feature = "mio")]
pub use tcp::{TcpLink, TcpLinkPorts};
#[cfg(all(feature = "mio", unix))]
pub use tcp::{UnixLink, UnixLinkPorts};
#[cfg(any(feature = "rustls", feature = "websocket"))]
mod copy;
#[cfg(feature = "tokio")]
mod tokio;
#[cfg(feature = "tokio")]
pub use self::tokio::{TokioConnection, TokioDriver, TokioError, TokioReport};
#[cfg(feature = "rustls")]
mod tls;
#[cfg(feature = "rustls")]
pub use tls::{TlsClient, TlsClientPorts, TlsError, TlsServer, TlsServerPorts};
#[cfg(feature = "websocket")]
pub mod websocket;

/// The mio this crate's TCP and UNIX stages are built on (1.x).
#[cfg(feature = "mio")]
pub use mio;
/// The rustls this crate's TLS stages are built on (0.23).
#[cfg(feature = "rustls")]
pub use rustls;
