//! Frame headers (RFC 6455, section 5.2): read strictly, written with the shortest length.

use super::error::ProtocolError;

/// The longest payload of a control frame (section 5.5).
pub(crate) const MAX_CONTROL: usize = 125;

/// The 7-bit lengths that say a 16-bit or a 64-bit length follows.
const LEN_16: u8 = 126;
const LEN_64: u8 = 127;

/// The first byte of an unfragmented text or binary frame: FIN, no reserved bit, the opcode.
const FIN_TEXT: u8 = 0x81;
const FIN_BINARY: u8 = 0x82;

/// The frame opcodes RFC 6455 defines; every other value is reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Opcode {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
}

impl Opcode {
    fn from_bits(bits: u8) -> Result<Self, ProtocolError> {
        Ok(match bits {
            0x0 => Self::Continuation,
            0x1 => Self::Text,
            0x2 => Self::Binary,
            0x8 => Self::Close,
            0x9 => Self::Ping,
            0xA => Self::Pong,
            _ => return Err(ProtocolError::ReservedOpcode(bits)),
        })
    }

    /// Close, ping and pong: at most 125 bytes, never fragmented.
    pub(crate) const fn is_control(self) -> bool {
        (self as u8) & 0x8 != 0
    }
}

/// A frame's header, as read from the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) fin: bool,
    pub(crate) opcode: Opcode,
    pub(crate) mask: Option<[u8; 4]>,
    pub(crate) payload_len: u64,
    /// The header's own length in bytes.
    pub(crate) len: usize,
}

/// Reads a frame header from the start of `bytes`, or `None` while it is incomplete.
///
/// Every check that the first two bytes allow is made before the rest arrives, so a bad frame
/// fails as early as possible. `masked` is whether frames from the peer must be masked (a
/// server's peer) or must not be (a client's peer).
#[inline]
pub(crate) fn read_header(bytes: &[u8], masked: bool) -> Result<Option<Header>, ProtocolError> {
    if let Some(header) = read_short_header(bytes, masked) {
        return Ok(Some(header));
    }
    read_any_header(bytes, masked)
}

/// Reads the header of a whole text or binary message under 126 bytes from the start of
/// `bytes`, the frame most messages travel in, or gives `None` for any other frame or while
/// the header is incomplete.
///
/// Its first two bytes settle every check at once: FIN set, no reserved bit, opcode 1 or 2, the
/// mask bit as expected, a 7-bit length. A caller that takes only such frames knows the
/// header's fields as constants or small numbers where it inlines this, without the cases of
/// [`read_header`] merged in.
#[inline]
pub(crate) fn read_short_header(bytes: &[u8], masked: bool) -> Option<Header> {
    if let [first @ (FIN_TEXT | FIN_BINARY), second, ..] = *bytes {
        let short_len = second & 0x7F;
        if (second & 0x80 != 0) == masked && short_len < LEN_16 {
            let opcode = if first == FIN_TEXT { Opcode::Text } else { Opcode::Binary };
            let payload_len = u64::from(short_len);
            if !masked {
                return Some(Header { fin: true, opcode, mask: None, payload_len, len: 2 });
            }
            if let Some(&[a, b, c, d]) = bytes.get(2..6) {
                let mask = Some([a, b, c, d]);
                return Some(Header { fin: true, opcode, mask, payload_len, len: 6 });
            }
        }
    }
    None
}

/// Reads any frame header, as [`read_header`] does.
pub(crate) fn read_any_header(bytes: &[u8], masked: bool) -> Result<Option<Header>, ProtocolError> {
    let [first, second, ..] = *bytes else {
        return Ok(None);
    };
    if first & 0x70 != 0 {
        return Err(ProtocolError::ReservedBits);
    }
    let fin = first & 0x80 != 0;
    let opcode = Opcode::from_bits(first & 0x0F)?;
    let short_len = second & 0x7F;
    if opcode.is_control() {
        if !fin {
            return Err(ProtocolError::FragmentedControl);
        }
        if usize::from(short_len) > MAX_CONTROL {
            return Err(ProtocolError::ControlTooLong);
        }
    }
    if (second & 0x80 != 0) != masked {
        return Err(if masked { ProtocolError::Unmasked } else { ProtocolError::Masked });
    }
    let len_bytes = match short_len {
        LEN_16 => 2,
        LEN_64 => 8,
        _ => 0,
    };
    let len = 2 + len_bytes + if masked { 4 } else { 0 };
    let Some(header) = bytes.get(..len) else {
        return Ok(None);
    };
    let (length, mask) = header[2..].split_at(len_bytes);
    let payload_len = match *length {
        [a, b] => {
            let n = u16::from_be_bytes([a, b]);
            if n < 126 {
                return Err(ProtocolError::NonMinimalLength);
            }
            u64::from(n)
        }
        [_, _, _, _, _, _, _, _] => {
            let mut bytes = [0; 8];
            bytes.copy_from_slice(length);
            let n = u64::from_be_bytes(bytes);
            if n >> 63 != 0 {
                return Err(ProtocolError::LengthOverflow);
            }
            if u16::try_from(n).is_ok() {
                return Err(ProtocolError::NonMinimalLength);
            }
            n
        }
        _ => u64::from(short_len),
    };
    let mask = <[u8; 4]>::try_from(mask).ok();
    Ok(Some(Header { fin, opcode, mask, payload_len, len }))
}

/// The length of the header [`write_header`] writes for a payload of `payload_len` bytes.
#[inline]
pub(crate) const fn header_len(payload_len: usize, masked: bool) -> usize {
    let len = if payload_len <= MAX_CONTROL {
        2
    } else if payload_len <= 0xFFFF {
        4
    } else {
        10
    };
    if masked { len + 4 } else { len }
}

/// Writes a frame header with the shortest length encoding at the start of `out`, which MUST
/// hold at least [`header_len`] bytes, and returns its length.
///
/// Every piece is written with a fixed length, so that no `memcpy` call is made for a header.
#[inline(always)]
#[expect(
    clippy::inline_always,
    reason = "called once per message; as a call it cost a third more than its body (callgrind)"
)]
pub(crate) fn write_header(
    out: &mut [u8],
    fin: bool,
    opcode: Opcode,
    mask: Option<[u8; 4]>,
    payload_len: usize,
) -> usize {
    out[0] = u8::from(fin) << 7 | opcode as u8;
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    let mut len = 2;
    if let Ok(tiny @ 0..=125) = u8::try_from(payload_len) {
        out[1] = mask_bit | tiny;
    } else if let Ok(short) = u16::try_from(payload_len) {
        out[1] = mask_bit | LEN_16;
        out[2..4].copy_from_slice(&short.to_be_bytes());
        len = 4;
    } else {
        out[1] = mask_bit | LEN_64;
        out[2..10].copy_from_slice(&(payload_len as u64).to_be_bytes());
        len = 10;
    }
    if let Some(mask) = mask {
        out[len..len + 4].copy_from_slice(&mask);
        len += 4;
    }
    len
}

/// Whether a peer may send `code` in a Close frame (RFC 6455, section 7.4, and the IANA
/// registry): 1000-1003 and 1007-1014 are defined, 3000-4999 are for libraries and
/// applications; 1004-1006 and 1015 must never be on the wire, and the rest is reserved.
pub(crate) const fn is_valid_close_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}
