//! Reading and writing export bundles (layout in `wsf_protocol::bundle`).
//!
//! The reader streams: it holds one envelope at a time, trusts no length beyond the envelope
//! limit, and tells a cut-short file (no trailer) from a damaged one.

use std::io::{self, Read, Write};

use wsf_protocol::bundle::{self, Damage, Header, MAGIC, MAX_META, Trailer};
use wsf_protocol::sealed_bundle;

/// Problems with a bundle file. Each has a stable code ([`Error::code`]); the table is in
/// `docs/protocol.md` section 14.3.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not a wsf bundle (it does not start with the bundle magic bytes)")]
    NotABundle,
    #[error("this bundle is encrypted: it can be read only with its passphrase")]
    Encrypted,
    #[error("unsupported bundle version {0} (this wsf reads version 1)")]
    Version(u8),
    #[error("the bundle header cannot be read: {0}")]
    Header(String),
    #[error("the bundle header is longer than {MAX_META} bytes")]
    HeaderTooLong,
    #[error(
        "the bundle is cut short after {after} records (no trailer); \
         the records before the cut were read"
    )]
    Truncated { after: u64 },
    #[error("the bundle is damaged after {after} records: {what}")]
    Damaged { after: u64, what: Damage },
    /// An encrypted bundle that does not open (wrong passphrase, damaged chunk, bad header),
    /// after `after` records.
    #[error("{}", sealed_message(*after, what))]
    Sealed {
        after: u64,
        what: sealed_bundle::Error,
    },
    #[error("read or write failed: {0}")]
    Io(#[from] io::Error),
}

fn sealed_message(after: u64, what: &sealed_bundle::Error) -> String {
    match (after, what) {
        (0, _) | (_, sealed_bundle::Error::Io(_)) => what.to_string(),
        _ => format!("after {after} records: {what}"),
    }
}

impl Error {
    /// The error of a read from `input`: an encrypted bundle's problem ([`sealed_bundle::Reader`])
    /// as [`Error::Sealed`] or, for a missing final chunk, [`Error::Truncated`]; the input
    /// ending as [`Error::Truncated`]; anything else as [`Error::Io`].
    fn from_read(e: io::Error, after: u64) -> Error {
        match sealed_bundle::Error::from_io(&e) {
            Some(sealed_bundle::Error::CutShort { .. }) => Error::Truncated { after },
            Some(_) => match e.into_inner().map(|i| i.downcast::<sealed_bundle::Error>()) {
                Some(Ok(what)) => Error::Sealed { after, what: *what },
                _ => Error::Io(io::Error::other("an encrypted bundle's error was lost")),
            },
            None if e.kind() == io::ErrorKind::UnexpectedEof => Error::Truncated { after },
            None => Error::Io(e),
        }
    }

    /// An encrypted bundle that could not be opened (before any record).
    pub fn sealed(what: sealed_bundle::Error) -> Error {
        match what {
            sealed_bundle::Error::CutShort { .. } => Error::Truncated { after: 0 },
            sealed_bundle::Error::NotSealed => Error::NotABundle,
            sealed_bundle::Error::Version(v) => Error::Version(v),
            sealed_bundle::Error::Io(e) => Error::Io(e),
            what => Error::Sealed { after: 0, what },
        }
    }
}

impl Error {
    /// The stable reason code: `not_a_bundle`, `encrypted`, `unsupported_version`,
    /// `bad_header`, `header_too_long`, `cut_short`, `damaged.*` ([`Damage::code`]),
    /// `sealed.*` ([`sealed_bundle::Error::code`]) or `io`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotABundle => "not_a_bundle",
            Error::Encrypted => "encrypted",
            Error::Sealed { what, .. } => what.code(),
            Error::Version(_) => "unsupported_version",
            Error::Header(_) => "bad_header",
            Error::HeaderTooLong => "header_too_long",
            Error::Truncated { .. } => "cut_short",
            Error::Damaged { what, .. } => what.code(),
            Error::Io(_) => "io",
        }
    }

    /// How many records were read before the problem (0 when the header could not be read).
    pub fn records_read(&self) -> u64 {
        match self {
            Error::Truncated { after }
            | Error::Damaged { after, .. }
            | Error::Sealed { after, .. } => *after,
            _ => 0,
        }
    }
}

/// Why a header or trailer could not be read off the stream.
#[derive(Debug)]
enum MapError {
    /// The file ended inside it.
    Cut,
    /// Longer than [`MAX_META`].
    TooLong,
    /// An indefinite length or a reserved value.
    Bad(&'static str),
    Io(io::Error),
}

impl MapError {
    fn for_header(self) -> Error {
        match self {
            MapError::Cut => Error::Truncated { after: 0 },
            MapError::TooLong => Error::HeaderTooLong,
            MapError::Bad(what) => Error::Header(what.into()),
            MapError::Io(e) => Error::from_read(e, 0),
        }
    }

    fn for_trailer(self, after: u64) -> Error {
        let damaged = |what| Error::Damaged { after, what };
        match self {
            MapError::Cut => Error::Truncated { after },
            MapError::TooLong => damaged(Damage::TrailerTooLong),
            MapError::Bad(what) => damaged(Damage::Trailer(what.into())),
            MapError::Io(e) => Error::from_read(e, after),
        }
    }
}

/// Writes a bundle: header first, then envelopes, then the trailer on `finish`.
#[derive(Debug)]
pub struct Writer<W: Write> {
    out: W,
    count: u64,
    digest: blake3::Hasher,
}

impl<W: Write> Writer<W> {
    /// Writes the magic bytes and the header, its pillars sorted and without repeats (as
    /// readers require, whatever order the caller gave them in).
    pub fn new(mut out: W, header: &Header) -> Result<Self, Error> {
        let header = Header::new(header.net, header.created, header.pillars.clone());
        out.write_all(&MAGIC)?;
        out.write_all(&header.encode())?;
        Ok(Writer {
            out,
            count: 0,
            digest: blake3::Hasher::new(),
        })
    }

    /// Appends one envelope.
    pub fn push(&mut self, envelope: &[u8]) -> Result<(), Error> {
        self.out.write_all(&bundle::bstr_head(envelope.len()))?;
        self.out.write_all(envelope)?;
        self.digest.update(envelope);
        self.count += 1;
        Ok(())
    }

    /// Writes the trailer and returns the output and the number of records.
    pub fn finish(mut self) -> Result<(W, u64), Error> {
        let trailer = Trailer {
            count: self.count,
            digest: *self.digest.finalize().as_bytes(),
        };
        self.out.write_all(&trailer.encode())?;
        self.out.flush()?;
        Ok((self.out, self.count))
    }
}

/// Reads a bundle envelope by envelope.
#[derive(Debug)]
pub struct Reader<R: Read> {
    input: R,
    header: Header,
    count: u64,
    digest: blake3::Hasher,
    finished: bool,
    /// Bytes consumed so far (for progress).
    pub bytes_read: u64,
}

impl<R: Read> Reader<R> {
    /// Reads and checks the magic bytes and the header.
    pub fn new(mut input: R) -> Result<Self, Error> {
        let mut magic = [0u8; 8];
        input.read_exact(&mut magic).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof if sealed_bundle::Error::from_io(&e).is_none() => {
                Error::NotABundle
            }
            _ => Error::from_read(e, 0),
        })?;
        if sealed_bundle::is_sealed(&magic) {
            return Err(Error::Encrypted);
        }
        if magic[..7] != MAGIC[..7] {
            return Err(Error::NotABundle);
        }
        if magic[7] != MAGIC[7] {
            return Err(Error::Version(magic[7]));
        }
        let mut bytes_read = 8;
        let header_bytes = read_map(&mut input, &mut bytes_read).map_err(MapError::for_header)?;
        let header = Header::decode(&header_bytes).map_err(|e| Error::Header(e.to_string()))?;
        Ok(Reader {
            input,
            header,
            count: 0,
            digest: blake3::Hasher::new(),
            finished: false,
            bytes_read,
        })
    }

    /// What the bundle says about itself.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The next envelope; `Ok(None)` after a trailer that matches what was read.
    pub fn next_envelope(&mut self) -> Result<Option<Vec<u8>>, Error> {
        if self.finished {
            return Ok(None);
        }
        let after = self.count;
        let damaged = |what| Error::Damaged { after, what };
        let mut initial = [0u8; 1];
        match self.input.read(&mut initial) {
            Ok(0) => return Err(Error::Truncated { after }),
            Ok(_) => {}
            Err(e) => return Err(Error::from_read(e, after)),
        }
        self.bytes_read += 1;
        match initial[0] >> 5 {
            2 => {
                let extra = bundle::head_extra_len(initial[0])
                    .ok_or(damaged(Damage::ItemHead(initial[0])))?;
                let mut arg = [0u8; 8];
                self.read_exact(&mut arg[..extra])?;
                let len = bundle::item_len(initial[0], &arg[..extra]).map_err(damaged)?;
                let mut envelope = vec![0u8; len];
                self.read_exact(&mut envelope)?;
                self.digest.update(&envelope);
                // A record on none of the header's pillars breaks the header's promise. Bytes
                // that cannot be read that far are left to the record pipeline, which refuses
                // them.
                if !self.header.pillars.is_empty() {
                    let on: Vec<Option<bool>> = self
                        .header
                        .pillars
                        .iter()
                        .map(|p| wsf_protocol::sync::envelope_on_pillar(&envelope, p))
                        .collect();
                    if on.iter().all(|o| *o == Some(false)) {
                        return Err(damaged(Damage::OutsidePillars));
                    }
                }
                self.count += 1;
                Ok(Some(envelope))
            }
            5 => {
                let mut bytes_read = self.bytes_read;
                let trailer_bytes = read_map_after(&mut self.input, initial[0], &mut bytes_read)
                    .map_err(|e| e.for_trailer(after))?;
                self.bytes_read = bytes_read;
                let trailer = Trailer::decode(&trailer_bytes)
                    .map_err(|e| damaged(Damage::Trailer(e.to_string())))?;
                if trailer.count != self.count {
                    return Err(damaged(Damage::Count {
                        said: trailer.count,
                        held: self.count,
                    }));
                }
                if trailer.digest != *self.digest.finalize().as_bytes() {
                    return Err(damaged(Damage::Digest));
                }
                let mut extra = [0u8; 1];
                if self
                    .input
                    .read(&mut extra)
                    .map_err(|e| Error::from_read(e, after))?
                    != 0
                {
                    return Err(damaged(Damage::Trailing));
                }
                self.finished = true;
                Ok(None)
            }
            _ => Err(damaged(Damage::ItemHead(initial[0]))),
        }
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        let after = self.count;
        self.input
            .read_exact(buf)
            .map_err(|e| Error::from_read(e, after))?;
        self.bytes_read += buf.len() as u64;
        Ok(())
    }
}

/// Reads a sequence of items (CBOR byte strings holding envelopes, as in a bundle body) from
/// memory: how the control API receives an import batch.
#[derive(Debug)]
pub struct ItemReader<'a> {
    buf: &'a [u8],
    pos: usize,
    count: u64,
}

impl<'a> ItemReader<'a> {
    /// Reads from `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        ItemReader {
            buf,
            pos: 0,
            count: 0,
        }
    }

    /// The next envelope; `Ok(None)` at the end of the buffer.
    pub fn next_item(&mut self) -> Result<Option<&'a [u8]>, Error> {
        let Some(&initial) = self.buf.get(self.pos) else {
            return Ok(None);
        };
        let after = self.count;
        let damaged = |what| Error::Damaged { after, what };
        let extra = bundle::head_extra_len(initial).ok_or(damaged(Damage::ItemHead(initial)))?;
        let arg = self
            .buf
            .get(self.pos + 1..self.pos + 1 + extra)
            .ok_or(Error::Truncated { after })?;
        let len = bundle::item_len(initial, arg).map_err(damaged)?;
        let start = self.pos + 1 + extra;
        let end = start + len;
        let item = self.buf.get(start..end).ok_or(Error::Truncated { after })?;
        self.pos = end;
        self.count += 1;
        Ok(Some(item))
    }
}

/// Encodes envelopes as a sequence of items (the body of an import request).
pub fn encode_items<'e>(envelopes: impl IntoIterator<Item = &'e [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for e in envelopes {
        out.extend_from_slice(&bundle::bstr_head(e.len()));
        out.extend_from_slice(e);
    }
    out
}

/// Reads one CBOR item (the header) of at most [`MAX_META`] bytes.
fn read_map<R: Read>(input: &mut R, bytes_read: &mut u64) -> Result<Vec<u8>, MapError> {
    let mut initial = [0u8; 1];
    read_into(input, &mut initial, bytes_read)?;
    read_map_after(input, initial[0], bytes_read)
}

/// Reads the rest of a CBOR item whose initial byte was `initial`, returning all its bytes.
/// Walks the item one head or string at a time and stops as soon as it would pass
/// [`MAX_META`] bytes; whether the bytes are canonical and say the right things is checked
/// afterwards, on the whole item.
fn read_map_after<R: Read>(
    input: &mut R,
    initial: u8,
    bytes_read: &mut u64,
) -> Result<Vec<u8>, MapError> {
    let mut out = vec![initial];
    // Items still to read at each open level (maps count keys and values).
    let mut todo: Vec<u64> = Vec::new();
    let mut first = Some(initial);
    loop {
        let b = match first.take() {
            Some(b) => b,
            None => {
                let mut one = [0u8; 1];
                read_into(input, &mut one, bytes_read)?;
                out.push(one[0]);
                one[0]
            }
        };
        let extra = bundle::head_extra_len(b)
            .ok_or(MapError::Bad("an indefinite length or a reserved value"))?;
        let mut arg_bytes = [0u8; 8];
        read_into(input, &mut arg_bytes[8 - extra..], bytes_read)?;
        out.extend_from_slice(&arg_bytes[8 - extra..]);
        let arg = if extra == 0 {
            u64::from(b & 0x1f)
        } else {
            u64::from_be_bytes(arg_bytes)
        };
        let major = b >> 5;
        let grows_by = match major {
            2 | 3 => arg,
            4 | 5 => arg.saturating_mul(2),
            _ => 0,
        };
        if out.len() as u64 > MAX_META as u64
            || (out.len() as u64).saturating_add(grows_by) > MAX_META as u64
        {
            return Err(MapError::TooLong);
        }
        let children = match major {
            2 | 3 => {
                let mut payload = vec![0u8; arg as usize];
                read_into(input, &mut payload, bytes_read)?;
                out.extend_from_slice(&payload);
                0
            }
            4 => arg,
            5 => arg.saturating_mul(2),
            _ => 0,
        };
        if children > 0 {
            todo.push(children);
            continue;
        }
        // This item is complete: count it against its parent; a parent whose last child this
        // was is complete too.
        loop {
            match todo.last_mut() {
                None => return Ok(out),
                Some(n) => {
                    *n -= 1;
                    if *n > 0 {
                        break;
                    }
                    todo.pop();
                }
            }
        }
    }
}

fn read_into<R: Read>(input: &mut R, buf: &mut [u8], bytes_read: &mut u64) -> Result<(), MapError> {
    input.read_exact(buf).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof && sealed_bundle::Error::from_io(&e).is_none() {
            MapError::Cut
        } else {
            MapError::Io(e)
        }
    })?;
    *bytes_read += buf.len() as u64;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector() -> serde_json::Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/vectors/bundle.json");
        serde_json::from_str(&std::fs::read_to_string(path).expect("bundle vector")).expect("json")
    }

    fn hex(v: &serde_json::Value) -> Vec<u8> {
        wsf_protocol::hex::decode(v.as_str().expect("hex")).expect("hex")
    }

    #[test]
    fn the_writer_reproduces_the_vector_and_the_reader_reads_it() {
        let v = vector();
        let bundle = hex(&v["bundle_hex"]);
        let header = Header::decode(&hex(&v["header_hex"])).expect("header");
        let envelopes: Vec<Vec<u8>> = v["envelopes_hex"]
            .as_array()
            .expect("array")
            .iter()
            .map(hex)
            .collect();
        let mut w = Writer::new(Vec::new(), &header).expect("writer");
        for e in &envelopes {
            w.push(e).expect("push");
        }
        let (written, count) = w.finish().expect("finish");
        assert_eq!(count, 2);
        assert_eq!(written, bundle);

        let mut r = Reader::new(bundle.as_slice()).expect("reader");
        assert_eq!(r.header(), &header);
        let mut read = Vec::new();
        while let Some(e) = r.next_envelope().expect("valid bundle") {
            read.push(e);
        }
        assert_eq!(read, envelopes);
    }

    #[test]
    fn damage_is_told_apart_from_a_cut() {
        let bundle = hex(&vector()["bundle_hex"]);
        let read_all = |bytes: &[u8]| -> Result<u64, Error> {
            let mut r = Reader::new(bytes)?;
            let mut n = 0;
            while r.next_envelope()?.is_some() {
                n += 1;
            }
            Ok(n)
        };
        assert_eq!(read_all(&bundle).expect("whole"), 2);
        // A changed byte inside a record breaks the digest.
        let mut flipped = bundle.clone();
        let at = flipped.len() - 60;
        flipped[at] ^= 1;
        assert!(matches!(read_all(&flipped), Err(Error::Damaged { .. })));
        // Extra bytes after the trailer.
        let mut extra = bundle.clone();
        extra.push(0);
        assert!(matches!(read_all(&extra), Err(Error::Damaged { .. })));
        // A cut anywhere after the header.
        assert!(matches!(
            read_all(&bundle[..bundle.len() - 1]),
            Err(Error::Truncated { .. })
        ));
        // Another version, and no magic at all.
        let mut v2 = bundle.clone();
        v2[7] = 2;
        assert!(matches!(read_all(&v2), Err(Error::Version(2))));
        assert!(matches!(read_all(b"PK\x03\x04zip"), Err(Error::NotABundle)));
    }

    /// Reads a bundle to its end: the records read, and the problem if any.
    fn read_to_end(bytes: &[u8]) -> (u64, Option<Error>) {
        let mut r = match Reader::new(bytes) {
            Ok(r) => r,
            Err(e) => return (0, Some(e)),
        };
        let mut n = 0;
        loop {
            match r.next_envelope() {
                Ok(Some(_)) => n += 1,
                Ok(None) => return (n, None),
                Err(e) => return (n, Some(e)),
            }
        }
    }

    #[test]
    fn every_damaged_vector_gives_its_code_after_its_records() {
        let v = vector();
        let invalid = v["invalid"].as_array().expect("invalid bundles");
        assert!(invalid.len() >= 15);
        let mut codes = std::collections::BTreeSet::new();
        for b in invalid {
            let name = b["name"].as_str().expect("name");
            let (read, problem) = read_to_end(&hex(&b["bundle_hex"]));
            let e = problem.unwrap_or_else(|| panic!("{name}: read to the end"));
            assert_eq!(e.code(), b["code"].as_str().expect("code"), "{name}: {e}");
            assert_eq!(Some(read), b["records_read"].as_u64(), "{name}");
            assert_eq!(e.records_read(), read, "{name}");
            codes.insert(e.code());
        }
        // Every code of a bundle itself (all but `io`) has a vector.
        assert_eq!(codes.len(), 13, "{codes:?}");
    }

    #[test]
    fn messages_say_what_happened_once() {
        let e = Error::Damaged {
            after: 4,
            what: Damage::Count { said: 5, held: 4 },
        };
        assert_eq!(
            e.to_string(),
            "the bundle is damaged after 4 records: the trailer counts 5 records, the bundle holds 4"
        );
        assert_eq!(e.code(), "damaged.count_mismatch");
        let v = vector();
        let named = v["invalid"]
            .as_array()
            .expect("invalid bundles")
            .iter()
            .find(|b| b["name"] == "header_too_long")
            .expect("the header_too_long vector");
        let long = read_to_end(&hex(&named["bundle_hex"])).1;
        let long = long.expect("a problem");
        assert_eq!(
            long.to_string(),
            "the bundle header is longer than 4096 bytes"
        );
        assert_eq!(long.code(), "header_too_long");
    }

    #[test]
    fn the_writer_sorts_the_header_pillars() {
        let p = |s| wsf_protocol::Pillar::new(s).expect("slug");
        let header = Header {
            net: wsf_protocol::NetworkId::public(),
            created: 1,
            pillars: vec![p("womens-rights"), p("education"), p("education")],
        };
        let (bytes, _) = Writer::new(Vec::new(), &header)
            .expect("writer")
            .finish()
            .expect("finish");
        let r = Reader::new(bytes.as_slice()).expect("a readable header");
        assert_eq!(r.header().pillars, vec![p("education"), p("womens-rights")]);
    }

    /// The vector's records, repeated to fill several chunks, as an encrypted bundle.
    fn sealed_bundle_of(copies: usize) -> (Vec<u8>, u64) {
        use std::io::Write as _;
        use wsf_protocol::sealed_bundle as sb;
        let v = vector();
        let header = Header::decode(&hex(&v["header_hex"])).expect("header");
        let env = hex(&v["envelopes_hex"][0]);
        let key = sb::Key::derive(
            b"pass",
            sb::Header {
                params: sb::Params::new(8, 1, 1).expect("params"),
                salt: [1; 16],
                nonce_prefix: [2; 16],
            },
        )
        .expect("key");
        let mut w = Writer::new(sb::Writer::new(Vec::new(), key).expect("sealed"), &header)
            .expect("writer");
        for _ in 0..copies {
            w.push(&env).expect("push");
        }
        let (sealed, n) = w.finish().expect("finish");
        let mut sealed = sealed.finish().expect("final chunk");
        sealed.flush().expect("flush");
        (sealed, n)
    }

    fn read_sealed(bytes: &[u8], pass: &[u8]) -> (u64, Option<Error>) {
        let plain = match wsf_protocol::sealed_bundle::Reader::open(bytes, pass) {
            Ok(p) => p,
            Err(e) => return (0, Some(Error::sealed(e))),
        };
        let mut r = match Reader::new(io::BufReader::new(plain)) {
            Ok(r) => r,
            Err(e) => return (0, Some(e)),
        };
        let mut n = 0;
        loop {
            match r.next_envelope() {
                Ok(Some(_)) => n += 1,
                Ok(None) => return (n, None),
                Err(e) => return (n, Some(e)),
            }
        }
    }

    #[test]
    fn an_encrypted_bundle_reads_as_its_plain_bundle_and_keeps_the_codes() {
        let (sealed, n) = sealed_bundle_of(600);
        assert!(sealed.len() > 3 * wsf_protocol::sealed_bundle::CHUNK);
        let (read, problem) = read_sealed(&sealed, b"pass");
        assert!(problem.is_none(), "{problem:?}");
        assert_eq!(read, n);
        // Read as a plain bundle: told to be encrypted.
        let plain = Reader::new(sealed.as_slice()).expect_err("encrypted");
        assert_eq!(plain.code(), "encrypted");
        // A wrong passphrase: nothing read.
        let (read, e) = read_sealed(&sealed, b"other");
        let e = e.expect("refused");
        assert_eq!((read, e.code()), (0, "sealed.wrong_passphrase"));
        assert_eq!(e.to_string(), "wrong passphrase, or the bundle is damaged");
        // A byte changed in the third chunk: the records of the first two stay read.
        let mut bad = sealed.clone();
        let at = 52 + 2 * (wsf_protocol::sealed_bundle::CHUNK + 16) + 100;
        bad[at] ^= 1;
        let (read, e) = read_sealed(&bad, b"pass");
        let e = e.expect("damaged");
        assert_eq!(e.code(), "sealed.damaged");
        assert!(read > 0 && read < n, "{read}");
        assert_eq!(e.records_read(), read);
        assert!(
            e.to_string().starts_with(&format!("after {read} records")),
            "{e}"
        );
        // Cut at a chunk boundary (whole chunks missing): cut_short, as a plain bundle; cut
        // inside a chunk, that chunk does not open: sealed.damaged. Records before are read.
        let full = wsf_protocol::sealed_bundle::CHUNK + 16;
        for (cut, code) in [
            (52 + full, "cut_short"),
            (52 + 2 * full, "cut_short"),
            (52 + 3 * full, "cut_short"),
            (52 + full + 1000, "sealed.damaged"),
            (sealed.len() - 1, "sealed.damaged"),
        ] {
            let (read, e) = read_sealed(&sealed[..cut], b"pass");
            let e = e.expect("cut");
            assert_eq!(e.code(), code, "{cut}: {e}");
            assert!(read > 0 && read < n, "{cut}: {read}");
            assert_eq!(e.records_read(), read);
        }
    }

    #[test]
    fn import_batches_refuse_non_shortest_heads() {
        let env = hex(&vector()["envelopes_hex"][0]);
        let good = encode_items([env.as_slice()]);
        let mut r = ItemReader::new(&good);
        assert_eq!(r.next_item().expect("an item"), Some(env.as_slice()));
        assert_eq!(r.next_item().expect("the end"), None);
        let mut long = vec![0x5a];
        long.extend_from_slice(&(env.len() as u32).to_be_bytes());
        long.extend_from_slice(&env);
        let err = ItemReader::new(&long).next_item().expect_err("refused");
        assert_eq!(err.code(), "damaged.bad_item_head");
    }
}
