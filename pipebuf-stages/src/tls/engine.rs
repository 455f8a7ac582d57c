//! What [`TlsServer`](super::TlsServer) and [`TlsClient`](super::TlsClient) share: a pass over
//! rustls's unbuffered connection, state by state, and the ends of the four streams around it.

use core::ops::Deref;

use pipebuf::{PBufRd, PBufRdWr, PBufTrip, PBufWr, tripwire};
use rustls::CommonState;
use rustls::client::ClientConnectionData;
use rustls::server::ServerConnectionData;
use rustls::unbuffered::{
    AppDataRecord, ConnectionState, EncodeError, EncodeTlsData, EncryptError,
    InsufficientSizeError, ReadEarlyData, ReadTraffic, UnbufferedConnectionCommon,
    UnbufferedStatus, WriteTraffic,
};

use super::error::TlsError;
use super::held::Held;
use crate::copy::copy_unaliased;

/// rustls's unbuffered connection of either side: rustls defines `process_tls_records` for each
/// side apart, and early data for the server only.
pub(super) trait Connection: Deref<Target = CommonState> {
    /// The side's own connection data.
    type Data;

    /// Calls `process_tls_records`.
    fn process_records<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self::Data>;

    /// The early data records of `early`, for a side that receives early data.
    fn early_data<'a>(
        early: &'a mut ReadEarlyData<'_, '_, Self::Data>,
    ) -> Option<&'a mut dyn Plaintext>;
}

impl Connection for UnbufferedConnectionCommon<ServerConnectionData> {
    type Data = ServerConnectionData;

    fn process_records<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, ServerConnectionData> {
        self.process_tls_records(incoming)
    }

    fn early_data<'a>(
        early: &'a mut ReadEarlyData<'_, '_, ServerConnectionData>,
    ) -> Option<&'a mut dyn Plaintext> {
        Some(early)
    }
}

impl Connection for UnbufferedConnectionCommon<ClientConnectionData> {
    type Data = ClientConnectionData;

    fn process_records<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, ClientConnectionData> {
        self.process_tls_records(incoming)
    }

    fn early_data<'a>(
        _early: &'a mut ReadEarlyData<'_, '_, ClientConnectionData>,
    ) -> Option<&'a mut dyn Plaintext> {
        None
    }
}

/// Decrypted records rustls hands out one at a time: application data, or early data.
pub(super) trait Plaintext {
    /// The next record, or `None` when there are no more.
    fn next_plaintext(&mut self) -> Option<Result<AppDataRecord<'_>, rustls::Error>>;
}

impl<D> Plaintext for ReadTraffic<'_, '_, D> {
    fn next_plaintext(&mut self) -> Option<Result<AppDataRecord<'_>, rustls::Error>> {
        self.next_record()
    }
}

impl Plaintext for ReadEarlyData<'_, '_, ServerConnectionData> {
    fn next_plaintext(&mut self) -> Option<Result<AppDataRecord<'_>, rustls::Error>> {
        self.next_record()
    }
}

/// The state of the streams around a connection.
#[derive(Clone, Debug, Default)]
#[expect(clippy::struct_excessive_bools, reason = "each flag is one fact about one stream")]
pub(super) struct Engine {
    /// A transport end without `close_notify` at a record boundary closes instead of aborting.
    pub(super) allow_truncation: bool,
    /// The peer's `close_notify` has arrived.
    pub(super) close_notify_received: bool,
    /// `close_notify` is queued: `lower.wr` closes once every record is out.
    closing: bool,
    /// rustls made records of its own: `lower.wr` is pushed once every record is out.
    flight_done: bool,
    /// Whether the stage has failed.
    health: Health,
    /// Plaintext of a record `upper.wr` had no room for.
    plaintext: Held,
    /// Records `lower.wr` had no room for.
    records: Held,
    /// The tripwires of `lower.rd` and `upper.rd` when rustls last came to rest with nothing
    /// held and no plaintext left to encrypt: until one of them changes, a call has nothing to
    /// do, and returns at once instead of asking rustls again (a pipeline calls a stage after
    /// any other stage's activity).
    resting: Option<(PBufTrip, PBufTrip)>,
}

/// What a pass does after a state.
enum Next {
    /// Ask rustls for its next state.
    Again,
    /// rustls needs more records, or the outputs need room.
    Wait,
}

impl Engine {
    /// Forgets that rustls was at rest: the next call asks it again, whatever changed.
    pub(super) fn wake(&mut self) {
        self.resting = None;
    }

    /// Runs one pass over the connection, or passes the plaintext through if there is none.
    pub(super) fn process<C: Connection>(
        &mut self,
        conn: Option<&mut C>,
        mut lower: PBufRdWr<'_>,
        mut upper: PBufRdWr<'_>,
    ) -> Result<bool, TlsError> {
        let before = tripwire!(lower.rd, lower.wr, upper.rd, upper.wr);
        let Some(conn) = conn else {
            lower.rd.forward(upper.wr.reborrow());
            upper.rd.forward(lower.wr.reborrow());
            return Ok(before != tripwire!(lower.rd, lower.wr, upper.rd, upper.wr));
        };
        // The inputs' tripwires are those of `before`: `lower.rd` and `upper.rd`.
        if self.resting == Some((before.0, before.2)) {
            return Ok(false);
        }
        if matches!(self.health, Health::Running) {
            if let Err(error) = self.step(conn, &mut lower, &mut upper) {
                // rustls queued its alert, if any: it goes out before the abort.
                self.take_alert(conn, &mut lower.wr);
                self.health = Health::Failing(error);
            }
        }
        if let Health::Failing(error) = core::mem::take(&mut self.health) {
            if self.records.write_to(&mut lower.wr) || lower.wr.is_eof() {
                lower.wr.abort();
                upper.wr.abort();
                self.health = Health::Failed;
                return Err(error);
            }
            self.health = Health::Failing(error);
        }
        // With plaintext left in `upper.rd`, rustls waits for room in `lower.wr`, which the
        // inputs' tripwires do not show.
        let rested = matches!(self.health, Health::Running)
            && self.records.is_empty()
            && self.plaintext.is_empty()
            && upper.rd.is_empty();
        let after = tripwire!(lower.rd, lower.wr, upper.rd, upper.wr);
        self.resting = rested.then_some((after.0, after.2));
        Ok(before != after)
    }

    /// Writes what is held, runs rustls until it waits, then takes the ends.
    fn step<C: Connection>(
        &mut self,
        conn: &mut C,
        lower: &mut PBufRdWr<'_>,
        upper: &mut PBufRdWr<'_>,
    ) -> Result<(), TlsError> {
        // What waits for an output that has ended can never go out.
        if lower.wr.is_eof() {
            self.records.clear();
        }
        if upper.wr.is_eof() {
            self.plaintext.clear();
        }
        self.records.write_to(&mut lower.wr);
        self.plaintext.write_to(&mut upper.wr);
        let mut no_records = [];
        loop {
            let handshaking = conn.is_handshaking();
            // While plaintext waits here, rustls gets no records, so that it decrypts no more
            // than `upper.wr` takes; given none, it still reaches the states that send.
            let reading = self.plaintext.is_empty();
            let incoming = if reading { lower.rd.data_mut() } else { &mut no_records[..] };
            let UnbufferedStatus { mut discard, state } = conn.process_records(incoming);
            let next = match state {
                Ok(state) => self.on_state::<C>(state, &mut discard, &mut lower.wr, upper),
                Err(source) => Err(failure(handshaking, source)),
            };
            lower.rd.consume(discard);
            if matches!(next?, Next::Wait) && !conn.wants_write() {
                self.ends(conn, lower, upper, reading)?;
                return Ok(());
            }
        }
    }

    /// Acts on one state of the connection.
    fn on_state<C: Connection>(
        &mut self,
        state: ConnectionState<'_, '_, C::Data>,
        discard: &mut usize,
        lower_wr: &mut PBufWr<'_>,
        upper: &mut PBufRdWr<'_>,
    ) -> Result<Next, TlsError> {
        match state {
            ConnectionState::ReadTraffic(mut records) => {
                self.take_plaintext(&mut records, discard, &mut upper.wr)?;
                Ok(Next::Again)
            }
            ConnectionState::ReadEarlyData(mut early) => match C::early_data(&mut early) {
                Some(records) => {
                    self.take_plaintext(records, discard, &mut upper.wr)?;
                    Ok(Next::Again)
                }
                None => Ok(Next::Wait),
            },
            ConnectionState::EncodeTlsData(mut encode) => {
                self.encode(&mut encode, lower_wr);
                Ok(Next::Again)
            }
            ConnectionState::TransmitTlsData(transmit) => {
                // The records rustls makes on its own (a handshake flight, an alert, a ticket)
                // are awaited by the peer: they must not linger in a transport's buffer.
                self.flight_done = true;
                transmit.done();
                Ok(Next::Again)
            }
            ConnectionState::PeerClosed => {
                self.close_notify_received = true;
                Ok(Next::Again)
            }
            ConnectionState::WriteTraffic(mut traffic) => {
                self.send(&mut traffic, &mut upper.rd, lower_wr)?;
                Ok(Next::Wait)
            }
            // `BlockedHandshake`, `Closed`, and states of later rustls versions.
            _ => Ok(Next::Wait),
        }
    }

    /// Writes the plaintext of every record rustls holds to `upper.wr`, or keeps what does not
    /// fit, after what is kept already.
    fn take_plaintext(
        &mut self,
        records: &mut dyn Plaintext,
        discard: &mut usize,
        upper_wr: &mut PBufWr<'_>,
    ) -> Result<(), TlsError> {
        while let Some(record) = records.next_plaintext() {
            let AppDataRecord { discard: more, payload } =
                record.map_err(|source| TlsError::ConnectionFailed { source })?;
            *discard += more;
            if upper_wr.is_eof() {
                continue;
            }
            if self.plaintext.is_empty() {
                if let Some(space) = upper_wr.try_space(payload.len()) {
                    copy_unaliased(space, payload);
                    upper_wr.commit(payload.len());
                    continue;
                }
            }
            self.plaintext.keep(payload);
        }
        Ok(())
    }

    /// Writes the record rustls hands out to `lower.wr`, or keeps what `lower.wr` has no room
    /// for.
    ///
    /// The record goes through `records`, so that one path keeps the order whatever the room:
    /// a copy, on the cold path of the records rustls makes on its own (handshake, alerts,
    /// tickets, `close_notify`).
    fn encode<D>(&mut self, encode: &mut EncodeTlsData<'_, D>, lower_wr: &mut PBufWr<'_>) {
        // Asked with no room, rustls says how much it needs and keeps the record.
        let Err(EncodeError::InsufficientSize(InsufficientSizeError { required_size })) =
            encode.encode(&mut [])
        else {
            return;
        };
        if lower_wr.is_eof() {
            return;
        }
        // invariant: the room is what rustls asked for, so it encodes (0 never happens).
        let used = encode.encode(self.records.room(required_size)).unwrap_or(0);
        self.records.truncate_room(required_size, used);
        self.records.write_to(lower_wr);
    }

    /// Encrypts the plaintext from `upper.rd` into `lower.wr`, as far as it has room, then sends
    /// `close_notify` if `upper.rd` closed.
    fn send<D>(
        &mut self,
        traffic: &mut WriteTraffic<'_, D>,
        upper_rd: &mut PBufRd<'_>,
        lower_wr: &mut PBufWr<'_>,
    ) -> Result<(), TlsError> {
        if !self.records.is_empty() || self.closing || lower_wr.is_eof() {
            return Ok(());
        }
        while !upper_rd.is_empty() {
            let room = lower_wr
                .free_space()
                .map_or(usize::MAX, |free| free.saturating_sub(RECORD_OVERHEAD));
            let len = upper_rd.len().min(MAX_FRAGMENT).min(room);
            let data = upper_rd.data().get(..len).unwrap_or_default();
            if len == 0
                || !write_records(lower_wr, len + RECORD_OVERHEAD, |out| {
                    traffic.encrypt(data, out)
                })?
            {
                break;
            }
            upper_rd.consume(len);
        }
        if upper_rd.is_empty() && upper_rd.has_pending_eof() && !upper_rd.is_aborted() {
            upper_rd.consume_eof();
            self.closing = true;
            // rustls queues the alert before it looks at the room it is given: given none, it
            // hands the alert out next as a record to encode, which `encode` writes or keeps
            // whatever room `lower.wr` has.
            let _needs_room = traffic.queue_close_notify(&mut []);
        }
        Ok(())
    }

    /// Passes on push and the ends of `upper.rd` and `lower.rd`, once rustls waits. `starved`
    /// says it waits for records: it was given `lower.rd` and took every whole record in it.
    fn ends<C: Connection>(
        &mut self,
        conn: &C,
        lower: &mut PBufRdWr<'_>,
        upper: &mut PBufRdWr<'_>,
        starved: bool,
    ) -> Result<(), TlsError> {
        let handshaking = conn.is_handshaking();
        let sent = self.records.is_empty();
        if sent && self.flight_done {
            self.flight_done = false;
            lower.wr.push();
        }
        if sent && upper.rd.is_empty() && upper.rd.consume_push() {
            lower.wr.push();
        }
        if upper.rd.has_pending_eof()
            && upper.rd.is_aborted()
            && (handshaking || sent && upper.rd.is_empty())
        {
            // No `close_notify`: the peer must see a broken stream, not an end.
            upper.rd.consume(upper.rd.len());
            upper.rd.consume_eof();
            self.records.clear();
            lower.wr.abort();
        }
        if self.closing && sent {
            lower.wr.close();
        }
        if self.close_notify_received {
            if self.plaintext.is_empty() {
                upper.wr.close();
            }
            // "Any data received after a closure alert has been received MUST be ignored"
            // (RFC 8446, section 6.1), and so is the way the transport ends.
            lower.rd.consume(lower.rd.len());
            lower.rd.consume_eof();
            return Ok(());
        }
        if !starved {
            return Ok(());
        }
        if lower.rd.is_empty() && lower.rd.consume_push() {
            upper.wr.push();
        }
        if lower.rd.has_pending_eof() {
            let aborted = lower.rd.is_aborted();
            let inside_record = !lower.rd.is_empty();
            lower.rd.consume(lower.rd.len());
            lower.rd.consume_eof();
            if aborted {
                upper.wr.abort();
                if handshaking {
                    // No handshake can complete now: nothing will ever go out.
                    lower.wr.abort();
                }
            } else if handshaking {
                return Err(TlsError::HandshakeTruncated);
            } else if inside_record {
                return Err(TlsError::RecordTruncated);
            } else if self.allow_truncation {
                upper.wr.close();
            } else {
                upper.wr.abort();
            }
        } else if lower.rd.is_full() {
            return Err(TlsError::RecordTooLarge { link: lower.rd.len() });
        }
        Ok(())
    }

    /// Takes the alert rustls queued when it failed, and any record before it.
    ///
    /// rustls hands out queued records before it looks at the records it is given, and looking
    /// again at the records that failed would fail again: so it is given none, and asked only
    /// while it has records queued.
    fn take_alert<C: Connection>(&mut self, conn: &mut C, lower_wr: &mut PBufWr<'_>) {
        while conn.wants_write() {
            match conn.process_records(&mut []).state {
                Ok(ConnectionState::EncodeTlsData(mut encode)) => {
                    self.encode(&mut encode, lower_wr);
                }
                Ok(ConnectionState::ReadTraffic(mut records)) => {
                    while records.next_record().is_some() {}
                }
                _ => return,
            }
        }
    }
}

/// Runs `write` on `room` bytes of `lower_wr`, or on as many as it says it needs, and commits
/// what it wrote. Returns false if `lower_wr` has no room for that.
fn write_records(
    lower_wr: &mut PBufWr<'_>,
    mut room: usize,
    mut write: impl FnMut(&mut [u8]) -> Result<usize, EncryptError>,
) -> Result<bool, TlsError> {
    loop {
        let Some(space) = lower_wr.try_space(room) else {
            return Ok(false);
        };
        match write(space) {
            Ok(len) => {
                lower_wr.commit(len);
                return Ok(true);
            }
            Err(EncryptError::InsufficientSize(InsufficientSizeError { required_size }))
                if required_size > room =>
            {
                room = required_size;
            }
            Err(_) => {
                return Err(TlsError::ConnectionFailed { source: rustls::Error::EncryptError });
            }
        }
    }
}

/// Whether a stage has failed.
#[derive(Clone, Debug, Default)]
enum Health {
    /// It works.
    #[default]
    Running,
    /// It failed, and its error waits for rustls's alert to fit in `lower.wr`.
    Failing(TlsError),
    /// It failed and returned its error: it does nothing more.
    Failed,
}

/// The stage's error for a rustls error: a handshake failure or a later one.
fn failure(handshaking: bool, source: rustls::Error) -> TlsError {
    if handshaking {
        TlsError::HandshakeFailed { source }
    } else {
        TlsError::ConnectionFailed { source }
    }
}

/// The most plaintext a record carries.
const MAX_FRAGMENT: usize = 16384;

/// The most a record adds to its plaintext with the suites rustls offers: header (5), explicit
/// nonce (8, TLS 1.2 AES-GCM) and tag (16). rustls says so when it needs more.
const RECORD_OVERHEAD: usize = 5 + 8 + 16;
