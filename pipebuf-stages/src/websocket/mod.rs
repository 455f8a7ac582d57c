//! WebSocket (RFC 6455): the [`WebsocketServer`] and [`WebsocketClient`] stages, with whole [`Message`]s on
//! their `upper` side, and the sans-IO parts they are made of.
//!
//! ```text
//! TcpLink <-> [TlsServer <->] WebsocketServer <-> application (PBufRdWr<Message>)
//! ```
//!
//! The stages check everything the peer sends as strictly as RFC 6455 asks, and fail the
//! connection with the right close code on any violation (1002 protocol error, 1007 invalid
//! UTF-8, 1009 too big), as a typed [`WebsocketError`], never a panic. Memory is bounded by the limits
//! whatever a peer sends: the upgrade head ([`DEFAULT_MAX_HEAD`]), the whole message
//! ([`DEFAULT_MAX_MESSAGE`], or streaming mode, which hands messages on in pieces), 125 bytes for
//! a control frame, and the messages waiting on the `upper` side, both ways
//! ([`DEFAULT_MAX_BACKLOG`]: past it, the stage stops reading frames until they drain). Each stage's docs hold the table of how frames and pipe states map.
//!
//! A [`Message`]'s bytes are a [`Payload`]: up to [`Payload::INLINE`] (22) bytes are stored in
//! the message itself, so that small messages cost no allocation on either side, and a
//! `Message` is 24 bytes (its kind and flag share a byte with the inline length); longer
//! payloads are one allocation of their size, and a `Vec<u8>` converts to a `Payload` and back
//! without copying its bytes.
//!
//! The parts work on any piece of a frame as it arrives, without waiting for the whole frame or
//! message:
//!
//! - [`apply_mask`] masks and unmasks a payload in place, chunk by chunk, several times faster
//!   than a byte loop, without `unsafe` or anything specific to a target.
//! - [`Utf8Validator`] checks a text message fragment by fragment, and reports the first
//!   impossible byte in the piece that brings it ([`Utf8Error`]), as a server that fails the
//!   connection fast (status 1007) needs.
//! - The server side of the opening handshake (RFC 6455, section 4.2): [`parse_request`] reads
//!   and validates the upgrade request as its bytes arrive, [`write_accept`] writes the `101`
//!   answer, and [`write_rejection`] the `4xx` answer to a [`HandshakeError`], whose
//!   [`status`](HandshakeError::status) is the HTTP status to send.
//! - The client side: [`write_request`] writes a [`ClientRequest`], [`parse_response`] checks
//!   the server's answer.
//!
//! All of it works without `std`.
//!
//! # Why not embedded-websocket
//!
//! The stages were planned on embedded-websocket 0.9, and read and write frames themselves
//! instead: that crate accepts unmasked client frames, RSV bits, control frames over 125 bytes,
//! fragmented control frames, invalid close codes and invalid UTF-8; it writes lengths in a
//! longer form than needed; its handshake reader panics on a `Sec-WebSocket-Key` over 24 bytes
//! and keeps three subprotocols; its client accepts a `101` without `Sec-WebSocket-Accept`; and
//! it unmasks a byte at a time (about 1.9 GB/s here, against 30 GB/s for [`apply_mask`]).
//! Checking around it would have meant reading every frame header twice. It remains a peer in
//! the tests and a baseline in the benchmarks.
//!
//! # Examples
//!
//! A masked text frame from a client ("Hello", RFC 6455, section 5.7) arrives in two pieces;
//! each is unmasked and validated as it comes:
//!
//! ```
//! use pipebuf_stages::websocket::{Utf8Validator, apply_mask};
//!
//! let key = [0x37, 0xfa, 0x21, 0x3d];
//! let pieces: [&[u8]; 2] = [&[0x7f, 0x9f], &[0x4d, 0x51, 0x58]];
//! let (mut offset, mut utf8, mut text) = (0, Utf8Validator::new(), Vec::new());
//! for piece in pieces {
//!     let mut piece = piece.to_vec();
//!     apply_mask(key, offset, &mut piece);
//!     offset += piece.len();
//!     utf8.feed(&piece)?;
//!     text.extend_from_slice(&piece);
//! }
//! utf8.finish()?; // the frame has FIN set: the message ends here
//! assert_eq!(text, b"Hello");
//! # Ok::<(), pipebuf_stages::websocket::Utf8Error>(())
//! ```
#![cfg_attr(docsrs, doc(cfg(feature = "websocket")))]

mod client_handshake;
pub use client_handshake::{
    ClientRequest, RequestField, Response, ResponseError, parse_response, write_request,
};
mod handshake;
pub use handshake::{
    HandshakeError, Parsed, UpgradeRequest, WEBSOCKET_VERSION, WriteError, accept_key,
    parse_request, write_accept, write_rejection,
};
mod mask;
pub use mask::apply_mask;
mod utf8;
pub use utf8::{Utf8Error, Utf8Validator};
mod client;
pub use client::{WebsocketClient, WebsocketClientPorts};
mod conn;
pub use conn::{CloseFrame, DEFAULT_MAX_BACKLOG, DEFAULT_MAX_MESSAGE};
mod error;
pub use error::{ProtocolError, WebsocketError, close_code};
mod frame;
mod message;
pub use message::{Message, MessageKind, PayloadMut};
mod payload;
pub use payload::Payload;
mod server;
/// The crate whose `RngCore` trait gives [`WebsocketClient`] its masking keys, so that a generator of
/// the same version is easy to name.
pub use rand_core;
pub use server::{DEFAULT_MAX_HEAD, WebsocketServer, WebsocketServerPorts};
