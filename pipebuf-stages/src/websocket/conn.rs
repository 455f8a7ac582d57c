//! An open WebSocket connection, the same for both roles: frames from `lower.rd` become messages
//! on `upper.wr`, messages from `upper.rd` become frames on `lower.wr`.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use core::mem;

use pipebuf::{PBufRd, PBufRdWr, PBufWr};

use super::error::{ProtocolError, WebsocketError, close_code};
use super::frame::{self, Header, MAX_CONTROL, Opcode};
use super::mask::{copy_masked, extend_masked};
use super::payload::Meta;
use super::{Message, MessageKind, Payload, Utf8Validator};
use crate::copy::{copy_unaliased, extend_unaliased};

/// The default limit on the size of a whole incoming message: 16 MiB.
pub const DEFAULT_MAX_MESSAGE: usize = 16 << 20;

/// The default limit on the messages waiting on a stage's `upper` side, both ways, before it
/// stops reading the peer's frames: 4 MiB.
pub const DEFAULT_MAX_BACKLOG: usize = 4 << 20;

/// The most pings that wait for their pong; past it, the oldest goes unanswered.
const MAX_PONGS: usize = 16;

/// The most messages taken or sent in one pass of [`Conn::receive_batch`] or
/// [`Conn::send_batch`]: bounds the slots reserved at once.
const BATCH: usize = 64;

/// Space reserved up front for an incoming message whatever its frame header claims, so that a
/// header alone cannot make the stage allocate much.
const MAX_RESERVE: usize = 64 << 10;

/// A Close frame's status code and reason (RFC 6455, section 5.5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseFrame {
    /// The status code; 1005 ("no status received") stands for a Close frame without one.
    pub code: u16,
    /// The reason, at most 123 bytes of UTF-8; often empty.
    pub reason: String,
}

impl CloseFrame {
    /// The code that stands for a Close frame without a status code (RFC 6455, section 7.4.1).
    pub const NO_STATUS: u16 = 1005;

    /// A Close frame with `code` and `reason`.
    ///
    /// # Examples
    ///
    /// ```
    /// let close = pipebuf_stages::websocket::CloseFrame::new(1001, "server restart");
    /// assert_eq!((close.code, close.reason.as_str()), (1001, "server restart"));
    /// ```
    #[must_use]
    pub fn new(code: u16, reason: impl Into<String>) -> Self {
        Self { code, reason: reason.into() }
    }

    /// Whether this Close frame may be sent: a code a peer accepts (or
    /// [`NO_STATUS`](Self::NO_STATUS) with no reason, for an empty Close frame) and a reason
    /// that fits.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        if self.code == Self::NO_STATUS {
            return self.reason.is_empty();
        }
        frame::is_valid_close_code(self.code) && self.reason.len() <= MAX_CONTROL - 2
    }

    /// Reads the payload of a Close frame from the peer.
    fn parse(payload: &[u8]) -> Result<Self, WebsocketError> {
        match payload {
            [] => Ok(Self::new(Self::NO_STATUS, String::new())),
            [_] => Err(ProtocolError::CloseTooShort.into()),
            [high, low, reason @ ..] => {
                let code = u16::from_be_bytes([*high, *low]);
                if !frame::is_valid_close_code(code) {
                    return Err(ProtocolError::InvalidCloseCode(code).into());
                }
                let mut utf8 = Utf8Validator::new();
                utf8.feed(reason)?;
                utf8.finish()?;
                let reason = core::str::from_utf8(reason).unwrap_or_default();
                Ok(Self::new(code, reason))
            }
        }
    }

    /// Writes the payload of this Close frame into `out` and returns its length.
    fn write(&self, out: &mut [u8; MAX_CONTROL]) -> usize {
        if self.code == Self::NO_STATUS {
            return 0;
        }
        let reason = &self.reason.as_bytes()[..self.reason.len().min(MAX_CONTROL - 2)];
        out[..2].copy_from_slice(&self.code.to_be_bytes());
        out[2..2 + reason.len()].copy_from_slice(reason);
        2 + reason.len()
    }
}

/// The limits and choices both stages share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) max_message: usize,
    pub(crate) max_backlog: usize,
    pub(crate) streaming: bool,
    pub(crate) deliver_pongs: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_message: DEFAULT_MAX_MESSAGE,
            max_backlog: DEFAULT_MAX_BACKLOG,
            streaming: false,
            deliver_pongs: false,
        }
    }
}

/// Which end of the connection a stage is: frames from a client are masked, frames from a
/// server are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Role {
    #[default]
    Server,
    Client,
}

/// A data frame whose payload is still arriving.
#[derive(Debug)]
struct FrameIn {
    fin: bool,
    mask: Option<[u8; 4]>,
    remaining: u64,
    /// How far into the payload the next byte is, for the masking key.
    offset: usize,
}

/// An outgoing frame whose payload did not fit at once.
#[derive(Debug)]
struct FrameOut {
    mask: Option<[u8; 4]>,
    written: usize,
}

/// The state of an open connection.
#[derive(Debug, Default)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent facts: a message half sent, a close asked for, sent, a failure"
)]
pub(crate) struct Conn {
    pub(crate) options: Options,
    role: Role,
    /// The frame being received, and the message it belongs to.
    frame_in: Option<FrameIn>,
    message: Option<MessageKind>,
    /// The message being received, in pieces (one piece in streaming mode); a `Vec` for its
    /// amortized growth, made a [`Payload`] when it is handed on.
    data: Vec<u8>,
    message_len: usize,
    utf8: Utf8Validator,
    /// A message received whole, waiting for room in `upper.wr`.
    ready: Option<Message>,
    /// The payloads of the pings still to answer, oldest first; at most [`MAX_PONGS`].
    pongs: VecDeque<([u8; MAX_CONTROL], usize)>,
    peer_close: Option<CloseFrame>,
    /// The frame being sent, and whether the message it belongs to goes on after it.
    frame_out: Option<FrameOut>,
    fragmenting: bool,
    close: Option<CloseFrame>,
    /// The stage was asked to close without waiting for the application's end.
    closing: bool,
    close_sent: bool,
    failed: bool,
    /// What came in since `upper.wr` was last seen empty ([`Conn::count_received`]): at least
    /// what the messages still there weigh, less the earlier pieces of one of them at most.
    received: usize,
    /// What the messages left in `upper.rd` after the last call weigh (no further than past the
    /// limit): most calls frame all there is, and leave nothing to weigh.
    outgoing: usize,
}

/// Where the counting of what came in stands: messages in `upper.wr`, bytes in `lower.rd`.
#[derive(Debug, Clone, Copy)]
struct Mark {
    messages: usize,
    bytes: usize,
}

impl Conn {
    pub(crate) fn new(options: Options, role: Role) -> Self {
        Self { options, role, ..Self::default() }
    }

    pub(crate) fn peer_close(&self) -> Option<&CloseFrame> {
        self.peer_close.as_ref()
    }

    pub(crate) fn is_close_sent(&self) -> bool {
        self.close_sent
    }

    pub(crate) fn set_close(&mut self, close: CloseFrame) -> Result<(), WebsocketError> {
        if !close.is_valid() {
            return Err(WebsocketError::BadControl);
        }
        self.close = Some(close);
        Ok(())
    }

    pub(crate) fn close_now(&mut self, close: CloseFrame) -> Result<(), WebsocketError> {
        self.set_close(close)?;
        self.closing = true;
        Ok(())
    }

    /// Moves everything it can both ways. `mask` gives each outgoing frame its masking key
    /// (`None` on the server side). On an error the connection is failed as
    /// [`WebsocketError`] says, and nothing moves any more.
    pub(crate) fn process(
        &mut self,
        lower: &mut PBufRdWr<'_>,
        upper: &mut PBufRdWr<'_, Message>,
        mask: &mut impl FnMut() -> Option<[u8; 4]>,
    ) -> Result<(), WebsocketError> {
        if self.failed {
            return Ok(());
        }
        let result = self
            .receive(&mut lower.rd, &mut upper.wr)
            .and_then(|()| self.send(&mut upper.rd, &mut lower.wr, mask));
        self.outgoing = weight(upper.rd.data(), self.options.max_backlog);
        if let Err(error) = &result {
            self.fail(error, &mut lower.wr, mask);
            upper.wr.abort();
        }
        result
    }

    /// Sends a Close frame for `error` where one fits, and ends `lower.wr`.
    fn fail(
        &mut self,
        error: &WebsocketError,
        out: &mut PBufWr<'_>,
        mask: &mut impl FnMut() -> Option<[u8; 4]>,
    ) {
        self.failed = true;
        if let Some(code) = error.close_code() {
            if !self.close_sent && self.frame_out.is_none() && !out.is_eof() {
                let close = CloseFrame::new(code, String::new());
                if self.write_close(out, &close, mask) {
                    out.close();
                    return;
                }
            }
        }
        out.abort();
    }

    /// Counts what came in since `mark`: the bytes taken from `lower.rd` (at least the payloads
    /// of the messages they made) and a slot for each message put in `upper.wr`. The count may
    /// miss the earlier pieces of one message that began in an earlier call.
    fn count_received(&mut self, mark: &mut Mark, now: Mark) {
        let bytes = mark.bytes.saturating_sub(now.bytes);
        let slots = now.messages.saturating_sub(mark.messages) * size_of::<Message>();
        self.received = self.received.saturating_add(bytes + slots);
        *mark = now;
    }

    /// How much more may come before the backlog is over its limit, or `None` if it is over.
    /// `received` is what waits in `upper.wr`. What the stage counted as received runs ahead of
    /// it, since the application takes messages between calls: when that count says the limit
    /// is passed, `received` is weighed instead (no further than past the limit), so that the
    /// messages are weighed one by one only near the limit.
    fn backlog_allowance(&mut self, received: &[Message]) -> Option<usize> {
        let limit = self.options.max_backlog;
        if self.received.saturating_add(self.outgoing) > limit {
            self.received = weight(received, limit);
        }
        limit.checked_sub(self.received.saturating_add(self.outgoing))
    }

    /// Frames from the peer to messages, until the input or the room for messages runs out, or
    /// the messages waiting either way (in `wr`, and those the application queued) weigh more
    /// than the backlog allows.
    fn receive(
        &mut self,
        rd: &mut PBufRd<'_>,
        wr: &mut PBufWr<'_, Message>,
    ) -> Result<(), WebsocketError> {
        // Every message waiting in `wr` was counted when it came; none comes from elsewhere,
        // and the application takes none while the stage runs.
        let mut mark = Mark { messages: wr.unread().len(), bytes: rd.len() };
        if mark.messages == 0 {
            self.received = 0;
        }
        let mut held_back = false;
        loop {
            if let Some(message) = self.ready.take() {
                if wr.is_full() {
                    self.ready = Some(message);
                    return Ok(());
                }
                put(wr, message);
            }
            if self.peer_close.is_some() {
                // A message the Close cut short will never end: free it.
                self.data = Vec::new();
                self.message = None;
                // RFC 6455, section 5.5.1: nothing after a Close frame counts.
                let len = rd.len();
                rd.consume(len);
                if !wr.is_eof() {
                    wr.close();
                }
                break;
            }
            if self.frame_in.is_some() {
                if !self.receive_payload(rd, wr)? {
                    break;
                }
                continue;
            }
            // A new message waits while the backlog is over its limit; a message begun goes on
            // (its own limit bounds it), and so do the control frames between its fragments.
            self.count_received(&mut mark, Mark { messages: wr.unread().len(), bytes: rd.len() });
            let allowance = self.backlog_allowance(wr.unread());
            if allowance.is_none() && self.message.is_none() {
                held_back = true;
                break;
            }
            if self.ready.is_none() && self.receive_batch(rd, wr, allowance.unwrap_or(0))? {
                continue;
            }
            let Some(header) = frame::read_header(rd.data(), self.role == Role::Server)? else {
                break;
            };
            if header.opcode.is_control() {
                if !self.receive_control(rd, header)? {
                    break;
                }
            } else if !self.receive_whole(rd, wr, header)? {
                self.start_frame(rd, header)?;
            }
        }
        self.count_received(&mut mark, Mark { messages: wr.unread().len(), bytes: rd.len() });
        let waits_for_room = held_back
            || self.ready.is_some()
            || (self.options.streaming && self.frame_in.is_some() && wr.is_full());
        if !waits_for_room && rd.has_pending_eof() && self.peer_close.is_none() {
            // The transport ended without a Close frame, maybe inside a frame: the connection
            // broke. What is left of a frame can never complete.
            let len = rd.len();
            rd.consume(len);
            wr.abort();
        }
        if rd.is_empty() {
            rd.consume_eof();
        }
        Ok(())
    }

    /// Takes the run of frames at the start of `rd` that are whole data messages and all there
    /// (most small messages are), in one pass: one reservation in `wr` and one `consume` for
    /// the lot, no more than `allowance` lets through. Returns whether it took any; the frame
    /// it stops at is left to the general path.
    fn receive_batch(
        &mut self,
        rd: &mut PBufRd<'_>,
        wr: &mut PBufWr<'_, Message>,
        allowance: usize,
    ) -> Result<bool, WebsocketError> {
        if self.message.is_some() || self.options.streaming {
            return Ok(false);
        }
        let masked = self.role == Role::Server;
        // No more slots than frames could be there, so that the messages' buffer does not grow
        // for nothing.
        let most = rd.len() / if masked { 6 } else { 2 };
        let room = wr.free_space().map_or(most, |free| free.min(most)).min(BATCH);
        // The messages weigh at most their slots and the bytes of their frames. A run that could
        // pass the allowance takes one message, which the next turn of `receive` weighs.
        let room =
            if room * size_of::<Message>() + rd.len() > allowance { room.min(1) } else { room };
        if room == 0 {
            return Ok(false);
        }
        let Some(slots) = wr.try_space(room) else { return Ok(false) };
        let data = rd.data();
        let (mut at, mut count, mut result) = (0, 0, Ok(()));
        for slot in slots {
            // invariant: `at` moves only past whole frames found in `data`.
            let rest = &data[at..];
            // The short header on its own path, so that its fields are constants in the code
            // inlined after it; the others (longer messages) take the general header read. The
            // message is written straight into the slot: a message built and then moved there
            // cost a tenth of a small message's receive path (callgrind).
            let taken = if let Some(header) = frame::read_short_header(rest, masked) {
                self.whole_message_into(header, rest, slot)
            } else if let Ok(Some(header)) = frame::read_any_header(rest, masked) {
                self.whole_message_into(header, rest, slot)
            } else {
                break;
            };
            match taken {
                Ok(Some(end)) => {
                    at += end;
                    count += 1;
                }
                Ok(None) => break,
                Err(error) => {
                    result = Err(error);
                    break;
                }
            }
        }
        wr.commit(count);
        rd.consume(at);
        result.map(|()| count > 0)
    }

    /// Takes a frame that is a whole message and all there, in one step. The message goes
    /// straight to `wr` if it has room. Returns false, taking nothing, for any other frame.
    fn receive_whole(
        &mut self,
        rd: &mut PBufRd<'_>,
        wr: &mut PBufWr<'_, Message>,
        header: Header,
    ) -> Result<bool, WebsocketError> {
        if self.message.is_some() || self.options.streaming {
            return Ok(false);
        }
        let Some((message, end)) = self.whole_message(header, rd.data())? else {
            return Ok(false);
        };
        if let Some([slot, ..]) = wr.try_space(1) {
            *slot = message;
            wr.commit(1);
        } else {
            self.ready = Some(message);
        }
        rd.consume(end);
        Ok(true)
    }

    /// The message in the frame with `header` at the start of `bytes`, and the frame's length,
    /// if the frame is a whole text or binary message, all there and within the limit.
    fn whole_message(
        &self,
        header: Header,
        bytes: &[u8],
    ) -> Result<Option<(Message, usize)>, WebsocketError> {
        let mut message = Message::default();
        Ok(self.whole_message_into(header, bytes, &mut message)?.map(|end| (message, end)))
    }

    /// Writes the message in the frame with `header` at the start of `bytes` into `slot`, and
    /// returns the frame's length, if the frame is a whole text or binary message, all there
    /// and within the limit; otherwise, or on an error, `slot` is left holding some message
    /// that means nothing.
    #[inline(always)]
    #[expect(
        clippy::inline_always,
        reason = "once per message; as a call, passing the result through memory cost a fifth of \
                  a small message's whole receive path (callgrind)"
    )]
    fn whole_message_into(
        &self,
        header: Header,
        bytes: &[u8],
        slot: &mut Message,
    ) -> Result<Option<usize>, WebsocketError> {
        let kind = match header.opcode {
            Opcode::Text => MessageKind::Text,
            Opcode::Binary => MessageKind::Binary,
            _ => return Ok(None),
        };
        let Ok(len) = usize::try_from(header.payload_len) else { return Ok(None) };
        let Some(end) = header.len.checked_add(len) else { return Ok(None) };
        if !header.fin || len > self.options.max_message || bytes.len() < end {
            return Ok(None);
        }
        // Unmasked as it is copied out of the wire: one pass over the bytes.
        let meta = Meta::new(kind, false);
        slot.set_masked_prefix(header.mask, &bytes[header.len..], len, meta);
        if kind == MessageKind::Text {
            let mut utf8 = Utf8Validator::new();
            utf8.feed(slot.data())?;
            utf8.finish()?;
        }
        Ok(Some(end))
    }

    /// Takes a data frame's header and starts, or goes on with, its message.
    fn start_frame(&mut self, rd: &mut PBufRd<'_>, header: Header) -> Result<(), WebsocketError> {
        match (header.opcode, self.message) {
            (Opcode::Continuation, None) => {
                return Err(ProtocolError::ContinuationWithoutStart.into());
            }
            (Opcode::Text | Opcode::Binary, Some(_)) => {
                return Err(ProtocolError::UnfinishedMessage.into());
            }
            (Opcode::Text | Opcode::Binary, None) => {
                let kind = if header.opcode == Opcode::Text {
                    MessageKind::Text
                } else {
                    MessageKind::Binary
                };
                self.message = Some(kind);
                self.message_len = 0;
                self.utf8.reset();
            }
            _ => {}
        }
        let limit = self.options.max_message;
        let total =
            u64::try_from(self.message_len).unwrap_or(u64::MAX).saturating_add(header.payload_len);
        if !self.options.streaming && total > u64::try_from(limit).unwrap_or(u64::MAX) {
            return Err(WebsocketError::TooBig { limit });
        }
        if !self.options.streaming {
            let claimed = usize::try_from(header.payload_len).unwrap_or(usize::MAX);
            self.data.reserve(claimed.min(MAX_RESERVE));
        }
        rd.consume(header.len);
        self.frame_in = Some(FrameIn {
            fin: header.fin,
            mask: header.mask,
            remaining: header.payload_len,
            offset: 0,
        });
        Ok(())
    }

    /// Takes what has arrived of the current data frame's payload. Returns whether the frame
    /// moved on.
    fn receive_payload(
        &mut self,
        rd: &mut PBufRd<'_>,
        wr: &mut PBufWr<'_, Message>,
    ) -> Result<bool, WebsocketError> {
        let Some(frame) = &mut self.frame_in else { return Ok(false) };
        let Some(kind) = self.message else { return Ok(false) };
        let len =
            usize::try_from(frame.remaining).map_or(rd.len(), |remaining| remaining.min(rd.len()));
        if len == 0 && frame.remaining > 0 {
            return Ok(false);
        }
        if self.options.streaming && wr.is_full() {
            return Ok(false);
        }
        // Unmasked as it is copied out of the wire: onto the message in `data`, or, streaming,
        // into the piece handed on.
        let chunk = &rd.data()[..len];
        let start = self.data.len();
        let piece = if self.options.streaming {
            Payload::from_masked_at(frame.mask, frame.offset, chunk)
        } else {
            match frame.mask {
                Some(key) => extend_masked(&mut self.data, key, frame.offset, chunk),
                None => extend_unaliased(&mut self.data, chunk),
            }
            Payload::new()
        };
        if kind == MessageKind::Text {
            self.utf8.feed(if self.options.streaming { &piece } else { &self.data[start..] })?;
        }
        // Only `offset % 4` matters, for the mask; in streaming mode a message has no bound.
        frame.offset = frame.offset.wrapping_add(len);
        frame.remaining -= len as u64;
        self.message_len = self.message_len.saturating_add(len);
        let frame_done = frame.remaining == 0;
        let message_done = frame_done && frame.fin;
        if frame_done {
            self.frame_in = None;
        }
        if message_done {
            if kind == MessageKind::Text {
                self.utf8.finish()?;
            }
            self.message = None;
        }
        if self.options.streaming {
            put(wr, Message::from_parts(piece, Meta::new(kind, !message_done)));
        } else if message_done {
            self.ready = Some(Message::new(kind, Payload::compact(mem::take(&mut self.data))));
        }
        rd.consume(len);
        Ok(true)
    }

    /// Takes a whole control frame once all of it is there. Returns whether it was there.
    fn receive_control(
        &mut self,
        rd: &mut PBufRd<'_>,
        header: Header,
    ) -> Result<bool, WebsocketError> {
        // At most 125: `read_header` made sure of it.
        let len = usize::try_from(header.payload_len).unwrap_or(MAX_CONTROL);
        let Some(bytes) = rd.data().get(header.len..header.len + len) else {
            return Ok(false);
        };
        let mut payload = [0; MAX_CONTROL];
        match header.mask {
            Some(key) => copy_masked(key, 0, &mut payload[..len], bytes),
            None => payload[..len].copy_from_slice(bytes),
        }
        match header.opcode {
            Opcode::Ping => {
                // Every ping gets its pong, as peers expect (Autobahn|Testsuite 2.10). While
                // pongs cannot be written the queue is bounded: RFC 6455, section 5.5.3, lets
                // an endpoint answer only the latest of the pings that wait.
                if self.pongs.len() == MAX_PONGS {
                    self.pongs.pop_front();
                }
                self.pongs.push_back((payload, len));
            }
            Opcode::Pong if self.options.deliver_pongs => {
                self.ready = Some(Message::pong(&payload[..len]));
            }
            Opcode::Close => self.peer_close = Some(CloseFrame::parse(&payload[..len])?),
            _ => {}
        }
        rd.consume(header.len + len);
        Ok(true)
    }

    /// Messages from the application to frames, then the pongs and the Close frame when due.
    fn send(
        &mut self,
        rd: &mut PBufRd<'_, Message>,
        out: &mut PBufWr<'_>,
        mask: &mut impl FnMut() -> Option<[u8; 4]>,
    ) -> Result<(), WebsocketError> {
        if self.close_sent || out.is_eof() {
            // After a Close frame nothing more may be sent (the application closed early with
            // `close_now`, or its end came already), and after an abort nothing can be: what the
            // application still sends goes nowhere.
            let len = rd.len();
            rd.consume(len);
            rd.consume_eof();
            return Ok(());
        }
        loop {
            if self.frame_out.is_none() {
                while let Some((payload, len)) = self.pongs.front() {
                    if !Self::write_control(out, Opcode::Pong, &payload[..*len], mask) {
                        return Ok(());
                    }
                    self.pongs.pop_front();
                    out.push();
                }
            }
            if self.send_batch(rd, out, mask) {
                continue;
            }
            let Some(message) = rd.data().first() else { break };
            if !self.send_message(message, out, mask)? {
                return Ok(());
            }
            rd.consume(1);
        }
        if rd.consume_push() {
            out.push();
        }
        let ended = rd.has_pending_eof();
        if ended && rd.is_aborted() {
            out.abort();
            rd.consume_eof();
        } else if ended || (self.closing && self.frame_out.is_none()) {
            // Ours if set, else the peer's in reply, else a plain normal closure.
            let close = self.close.clone().or_else(|| self.peer_close.clone());
            let close = close.unwrap_or_else(|| CloseFrame::new(close_code::NORMAL, String::new()));
            if self.write_close(out, &close, mask) {
                out.close();
                if ended {
                    rd.consume_eof();
                }
            }
        }
        Ok(())
    }

    /// Writes the run of messages at the start of `rd` that are whole text or binary messages
    /// of at most 125 bytes (most small messages) as frames, in one pass: one reservation in
    /// `out` and one `consume` for the lot. Returns whether it wrote any; the message it stops
    /// at is left to [`send_message`](Self::send_message).
    fn send_batch(
        &mut self,
        rd: &mut PBufRd<'_, Message>,
        out: &mut PBufWr<'_>,
        mask: &mut impl FnMut() -> Option<[u8; 4]>,
    ) -> bool {
        if self.fragmenting || self.frame_out.is_some() {
            return false;
        }
        let header = if self.role == Role::Client { 6 } else { 2 };
        let free = out.free_space().unwrap_or(usize::MAX);
        let messages = rd.data();
        let (mut total, mut count) = (0, 0);
        for message in messages.iter().take(BATCH) {
            let Some(len @ 0..=MAX_CONTROL) = message.whole_data_len() else { break };
            let len = header + len;
            if total + len > free {
                break;
            }
            total += len;
            count += 1;
        }
        if count == 0 {
            return false;
        }
        // Room past the last frame lets a short payload go as a block of fixed size.
        let slack = if total + Payload::INLINE <= free { Payload::INLINE } else { 0 };
        let space = out.space(total + slack);
        let mut at = 0;
        for message in &messages[..count] {
            let opcode =
                if message.kind() == MessageKind::Text { Opcode::Text } else { Opcode::Binary };
            let key = mask();
            let data = message.data();
            let len = data.len();
            // invariant: `space` holds `total`, the sum of every frame's header and payload.
            at += frame::write_header(&mut space[at..], true, opcode, key, len);
            data.write_masked(key, &mut space[at..]);
            at += len;
        }
        out.commit(total);
        rd.consume(count);
        true
    }

    /// Writes as much of `message` as fits. Returns whether all of it is written.
    fn send_message(
        &mut self,
        message: &Message,
        out: &mut PBufWr<'_>,
        mask: &mut impl FnMut() -> Option<[u8; 4]>,
    ) -> Result<bool, WebsocketError> {
        let opcode = match message.kind() {
            kind @ (MessageKind::Ping | MessageKind::Pong) => {
                if message.has_more() || message.data().len() > MAX_CONTROL {
                    return Err(WebsocketError::BadControl);
                }
                let opcode = if kind == MessageKind::Ping { Opcode::Ping } else { Opcode::Pong };
                return Ok(Self::write_control(out, opcode, message.data(), mask));
            }
            _ if self.fragmenting => Opcode::Continuation,
            MessageKind::Text => Opcode::Text,
            MessageKind::Binary => Opcode::Binary,
        };
        let payload = message.data().as_slice();
        let (header_len, mut frame) = if let Some(frame) = self.frame_out.take() {
            (0, frame)
        } else {
            let key = mask();
            (frame::header_len(payload.len(), key.is_some()), FrameOut { mask: key, written: 0 })
        };
        let wanted = header_len + payload.len() - frame.written;
        let room = out.free_space().map_or(wanted, |free| free.min(wanted));
        if room < header_len || (room == header_len && wanted > header_len) {
            // Not even the header and one byte fit: start the frame later.
            if header_len == 0 {
                self.frame_out = Some(frame);
            }
            return Ok(false);
        }
        let (head, body) = out.space(room).split_at_mut(header_len);
        if header_len > 0 {
            frame::write_header(head, !message.has_more(), opcode, frame.mask, payload.len());
        }
        let from = &payload[frame.written..frame.written + body.len()];
        // Masked as it is copied into the wire: one pass over the bytes.
        match frame.mask {
            Some(key) => copy_masked(key, frame.written, body, from),
            None => copy_unaliased(body, from),
        }
        frame.written += body.len();
        out.commit(room);
        if frame.written < payload.len() {
            self.frame_out = Some(frame);
            return Ok(false);
        }
        self.fragmenting = message.has_more();
        Ok(true)
    }

    /// Writes a Close frame whole; returns whether it fitted.
    fn write_close(
        &mut self,
        out: &mut PBufWr<'_>,
        close: &CloseFrame,
        mask: &mut impl FnMut() -> Option<[u8; 4]>,
    ) -> bool {
        let mut payload = [0; MAX_CONTROL];
        let len = close.write(&mut payload);
        let written = Self::write_control(out, Opcode::Close, &payload[..len], mask);
        if written {
            self.close_sent = true;
            out.push();
        }
        written
    }

    /// Writes a control frame whole; returns whether it fitted.
    fn write_control(
        out: &mut PBufWr<'_>,
        opcode: Opcode,
        payload: &[u8],
        mask: &mut impl FnMut() -> Option<[u8; 4]>,
    ) -> bool {
        if out.is_eof() {
            return false;
        }
        let key = mask();
        let header_len = frame::header_len(payload.len(), key.is_some());
        let Some(space) = out.try_space(header_len + payload.len()) else { return false };
        let (head, body) = space.split_at_mut(header_len);
        frame::write_header(head, true, opcode, key, payload.len());
        match key {
            Some(key) => copy_masked(key, 0, body, payload),
            None => body.copy_from_slice(payload),
        }
        out.commit(header_len + payload.len());
        true
    }
}

/// What `messages` weigh against the backlog limit, each its slot and what its payload holds on
/// the heap, counted no further than past `limit`. (What is in memory cannot overflow a `usize`.)
fn weight(messages: &[Message], limit: usize) -> usize {
    let mut total = 0;
    for message in messages {
        if total > limit {
            break;
        }
        total += size_of::<Message>() + message.data().heap_len();
    }
    total
}

/// Appends one message to `wr`, which has room for it.
fn put(wr: &mut PBufWr<'_, Message>, message: Message) {
    wr.space(1)[0] = message;
    wr.commit(1);
}

/// The methods both stages have, over their [`Conn`]: limits, pongs, and the close handshake.
/// `$us` and `$peer` name the two ends in the docs ("server", "client").
macro_rules! conn_methods {
    ($us:literal, $peer:literal) => {
        /// Sets the largest whole message accepted, in bytes; a larger one fails the connection
        /// with 1009 as soon as a frame header announces it.
        #[must_use]
        pub fn with_max_message(mut self, max_message: usize) -> Self {
            self.conn.options.max_message = max_message;
            self
        }

        #[doc = concat!("Sets how much the messages waiting on the stage's `upper` side may weigh, in bytes, before it stops reading the ", $peer, "'s frames: those received and not yet taken by the application, and those the application queued that the ", $peer, " has not yet taken (each counts its slot and what its payload holds on the heap; those queued, as the stage's last call left them). It reads again once they weigh less; a message begun is read to its end, so the limit may be passed by a message. A ", $peer, " that sends without reading thus fills its own buffers, not this process's memory. [`DEFAULT_MAX_BACKLOG`](super::DEFAULT_MAX_BACKLOG) by default.")]
        #[must_use]
        pub fn with_max_backlog(mut self, max_backlog: usize) -> Self {
            self.conn.options.max_backlog = max_backlog;
            self
        }

        /// Hands on incoming messages in the pieces in which they arrive instead of whole, so
        /// that a message of any size passes with bounded memory; the message limit then does
        /// not apply.
        #[must_use]
        pub fn with_streaming(mut self, streaming: bool) -> Self {
            self.conn.options.streaming = streaming;
            self
        }

        #[doc = concat!("Hands on the ", $peer, "'s pongs as [`MessageKind::Pong`](super::MessageKind::Pong) messages.")]
        #[must_use]
        pub fn with_pongs(mut self, pongs: bool) -> Self {
            self.conn.options.deliver_pongs = pongs;
            self
        }

        #[doc = concat!("The ", $peer, "'s Close frame, once it has arrived.")]
        #[must_use]
        pub fn peer_close(&self) -> Option<&CloseFrame> {
            self.conn.peer_close()
        }

        #[doc = concat!("Whether the ", $us, " has sent its Close frame.")]
        #[must_use]
        pub fn is_close_sent(&self) -> bool {
            self.conn.is_close_sent()
        }

        #[doc = concat!("Sets the code and reason of the Close frame sent when the application closes `upper.rd` (1000 and no reason, or the ", $peer, "'s code in reply to its Close, otherwise).")]
        ///
        /// # Errors
        ///
        /// [`WebsocketError::BadControl`] if the frame may not be sent (see [`CloseFrame::is_valid`]).
        pub fn set_close(&mut self, close: CloseFrame) -> Result<(), WebsocketError> {
            self.conn.set_close(close)
        }

        /// Closes the connection from this side without waiting for the application's end:
        /// the messages already in `upper.rd` go first, then a Close frame with `close` (1001,
        /// going away, when a server shuts down); what the application sends after that is
        /// dropped.
        #[doc = concat!("The ", $peer, "'s Close frame still arrives as the end of `upper.wr`.")]
        ///
        /// # Errors
        ///
        /// [`WebsocketError::BadControl`] if the frame may not be sent (see [`CloseFrame::is_valid`]).
        pub fn close(&mut self, close: CloseFrame) -> Result<(), WebsocketError> {
            self.conn.close_now(close)
        }
    };
}
pub(crate) use conn_methods;
