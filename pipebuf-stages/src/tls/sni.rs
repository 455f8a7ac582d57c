//! The server name (SNI) a client asks for, read from its hello before rustls takes it: rustls
//! 0.23 tells it on its buffered server connection but not on the unbuffered one.
//!
//! rustls checks the hello itself and fails the handshake on a malformed one; this reading only
//! finds the name, as rustls does: the first `host_name` of the `server_name` extension, when it
//! is a DNS name (an IP address or an invalid name counts as none), in lower case.

use alloc::borrow::ToOwned as _;
use alloc::string::String;
use alloc::vec::Vec;

use rustls::pki_types::ServerName;

/// The server name of a client's hello, once it has arrived.
#[derive(Clone, Debug)]
pub(super) enum ClientHelloName {
    /// The hello has not arrived whole yet.
    Waiting(Partial),
    /// The hello has arrived, with this name or none.
    Seen(Option<String>),
}

/// The records of the hello read so far.
#[derive(Clone, Debug, Default)]
pub(super) struct Partial {
    /// How many bytes of records have been read. rustls discards none of them before the whole
    /// hello has arrived, so this stays an offset into what it has not taken.
    read: usize,
    /// Their fragments, joined: the start of the handshake message. They are kept, because
    /// rustls may move the fragments it has seen to join them in place.
    message: Vec<u8>,
}

impl Default for ClientHelloName {
    fn default() -> Self {
        ClientHelloName::Waiting(Partial::default())
    }
}

impl ClientHelloName {
    /// Reads the hello's records that have arrived whole in `records`, the bytes from the
    /// client that rustls has not taken yet; called before rustls sees them, until the hello
    /// is whole.
    pub(super) fn look(&mut self, records: &[u8]) {
        if let ClientHelloName::Waiting(partial) = self {
            if let Some(seen) = partial.read_from(records) {
                *self = seen;
            }
        }
    }

    /// The name, once the hello has arrived with one.
    pub(super) fn name(&self) -> Option<&str> {
        match self {
            ClientHelloName::Seen(name) => name.as_deref(),
            ClientHelloName::Waiting(_) => None,
        }
    }
}

impl Partial {
    /// Reads the whole records after those read before; returns what was seen once the hello is
    /// whole or the records hold something else, `None` while more must come.
    fn read_from(&mut self, records: &[u8]) -> Option<ClientHelloName> {
        let mut rest = records.get(self.read..)?;
        loop {
            let (&[kind, _, _, high, low], after) = rest.split_first_chunk::<5>()?;
            if kind != HANDSHAKE_RECORD {
                return Some(ClientHelloName::Seen(None));
            }
            let len = usize::from(u16::from_be_bytes([high, low]));
            let (fragment, after) = after.split_at_checked(len)?;
            self.message.extend_from_slice(fragment);
            self.read += RECORD_HEADER + len;
            rest = after;
            if let Some((&[kind, a, b, c], body)) = self.message.split_first_chunk::<4>() {
                let len = usize::from_be_bytes([0, 0, 0, 0, 0, a, b, c]);
                if kind != CLIENT_HELLO || len > MAX_HELLO {
                    return Some(ClientHelloName::Seen(None));
                }
                if let Some(hello) = body.get(..len) {
                    return Some(ClientHelloName::Seen(server_name(hello)));
                }
            }
        }
    }
}

/// The server name in the body of a client hello (RFC 8446, section 4.1.2; RFC 6066, section 3).
fn server_name(hello: &[u8]) -> Option<String> {
    let mut hello = Reader(hello);
    hello.take(2 + 32)?; // version, random
    hello.vec8()?; // legacy session id
    hello.vec16()?; // cipher suites
    hello.vec8()?; // legacy compression methods
    let mut extensions = Reader(hello.vec16()?);
    while !extensions.0.is_empty() {
        let kind = extensions.u16()?;
        let body = extensions.vec16()?;
        if kind == SERVER_NAME_EXTENSION {
            let mut names = Reader(Reader(body).vec16()?);
            if names.u8()? != HOST_NAME {
                return None;
            }
            return match ServerName::try_from(names.vec16()?) {
                Ok(ServerName::DnsName(name)) => {
                    Some(name.to_lowercase_owned().as_ref().to_owned())
                }
                _ => None,
            };
        }
    }
    None
}

/// Reads the big-endian, length-prefixed fields of a TLS message.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let (field, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        Some(field)
    }

    fn u8(&mut self) -> Option<u8> {
        let (&byte, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(byte)
    }

    fn u16(&mut self) -> Option<u16> {
        let (&bytes, rest) = self.0.split_first_chunk::<2>()?;
        self.0 = rest;
        Some(u16::from_be_bytes(bytes))
    }

    fn vec8(&mut self) -> Option<&'a [u8]> {
        let len = self.u8()?;
        self.take(usize::from(len))
    }

    fn vec16(&mut self) -> Option<&'a [u8]> {
        let len = self.u16()?;
        self.take(usize::from(len))
    }
}

/// The length of a record's header: content type, version, length.
const RECORD_HEADER: usize = 5;
/// The content type of handshake records.
const HANDSHAKE_RECORD: u8 = 22;
/// The handshake type of a client hello.
const CLIENT_HELLO: u8 = 1;
/// The longest hello looked at; rustls refuses longer handshake messages.
const MAX_HELLO: usize = 0xffff;
/// The extension that carries the server name.
const SERVER_NAME_EXTENSION: u16 = 0;
/// The kind of name in that extension that is a DNS name.
const HOST_NAME: u8 = 0;

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use super::ClientHelloName;

    /// A hello with the extensions given, in records of at most `fragment` bytes each.
    fn records(extensions: &[u8], fragment: usize) -> Vec<u8> {
        let mut body = vec![3, 3];
        body.extend([7; 32]);
        body.extend([0, 0, 2, 0x13, 0x01, 1, 0]);
        body.extend(u16::try_from(extensions.len()).unwrap().to_be_bytes());
        body.extend(extensions);
        let mut message = vec![1, 0];
        message.extend(u16::try_from(body.len()).unwrap().to_be_bytes());
        message.extend(body);
        message
            .chunks(fragment)
            .flat_map(|chunk| {
                let mut record = vec![22, 3, 1];
                record.extend(u16::try_from(chunk.len()).unwrap().to_be_bytes());
                record.extend(chunk);
                record
            })
            .collect()
    }

    fn server_name_extension(name: &[u8]) -> Vec<u8> {
        let len = u16::try_from(name.len()).unwrap();
        let mut extension = vec![0, 0];
        extension.extend((len + 5).to_be_bytes());
        extension.extend((len + 3).to_be_bytes());
        extension.push(0);
        extension.extend(len.to_be_bytes());
        extension.extend(name);
        extension
    }

    fn look(records: &[u8]) -> ClientHelloName {
        let mut name = ClientHelloName::default();
        name.look(records);
        name
    }

    #[test]
    fn the_name_is_found_in_lower_case_after_other_extensions_and_across_records() {
        let extensions =
            [&[0, 10, 0, 2, 0, 29][..], &server_name_extension(b"Example.COM")].concat();
        for fragment in [1, 7, 50, 1000] {
            let stream = records(&extensions, fragment);
            for cut in 0..stream.len() {
                assert!(matches!(look(&stream[..cut]), ClientHelloName::Waiting(_)), "cut {cut}");
            }
            assert_eq!(look(&stream).name(), Some("example.com"));
            let mut more = stream.clone();
            more.extend([23, 3, 3, 0, 1, 0]);
            assert_eq!(look(&more).name(), Some("example.com"));
        }
    }

    #[test]
    fn records_read_before_may_change_after_reading_as_rustls_joins_them_in_place() {
        let stream = records(&server_name_extension(b"example.com"), 7);
        let mut name = ClientHelloName::default();
        let mut seen = vec![0; stream.len()];
        let mut arrived = 0;
        for end in (0..=stream.len()).step_by(11).chain([stream.len()]) {
            seen[arrived..end].copy_from_slice(&stream[arrived..end]);
            arrived = end;
            name.look(&seen[..end]);
            // What was read may be moved about before the next look.
            if let ClientHelloName::Waiting(partial) = &name {
                seen[..partial.read].fill(0xaa);
            }
        }
        assert_eq!(name.name(), Some("example.com"));
    }

    #[test]
    fn no_name_for_an_ip_address_an_invalid_name_no_extension_or_another_message() {
        for extensions in
            [server_name_extension(b"127.0.0.1"), server_name_extension(b"a..b"), vec![]]
        {
            let name = look(&records(&extensions, 1000));
            assert!(matches!(name, ClientHelloName::Seen(None)));
        }
        assert!(matches!(look(&[23, 3, 3, 0, 0]), ClientHelloName::Seen(None)));
        assert!(matches!(look(&[22, 3, 3, 0, 4, 2, 0, 0, 0]), ClientHelloName::Seen(None)));
        // A truncated extension list inside a whole hello: no name, no panic.
        let mut broken = records(&server_name_extension(b"example.com"), 1000);
        let last = broken.len() - 3;
        broken[last] = 0xff;
        assert!(matches!(look(&broken), ClientHelloName::Seen(None)));
    }
}
