//! Encrypted bundles: a plain bundle (section 14.1) encrypted to a passphrase, for a medium that
//! may be lost. Format in `docs/protocol.md` section 14.5.
//!
//! ```text
//! sealed = header chunk* final
//! header = "wsfsbnd" 0x01  m t p (u32 LE each)  salt (16)  nonce prefix (16)     52 bytes
//! chunk  = XChaCha20-Poly1305 of exactly 65,536 plaintext bytes, then its 16-byte tag
//! final  = XChaCha20-Poly1305 of 0 to 65,536 plaintext bytes, then its tag; the file ends there
//! key    = Argon2id(passphrase, salt, m, t, p), 32 bytes
//! nonce  = nonce prefix ‖ chunk counter (u64 LE, from 0)
//! AD     = header ‖ 0x00 (a chunk) or 0x01 (the final chunk)
//! ```
//!
//! The plaintext is exactly a plain bundle, so reading is [`Reader`] (decrypting chunk by chunk,
//! one chunk in memory) under the bundle reader. The counter in the nonce detects reordered or
//! dropped chunks, the flag in the associated data a file cut at a chunk boundary, and the header
//! in the associated data any change to the parameters. Choosing the salt and nonce prefix
//! (random, by the caller) and the parameters is left to the caller: this module does no IO.

use std::io::{self, Read, Write};

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

/// The first seven bytes of an encrypted bundle (a plain one starts with `wsfbndl`).
pub const MAGIC: [u8; 7] = *b"wsfsbnd";
/// The format version this build writes and reads.
pub const VERSION: u8 = 1;
/// Salt length.
pub const SALT_LEN: usize = 16;
/// Nonce prefix length; the chunk counter (8 bytes) completes the 24-byte XChaCha20 nonce.
pub const PREFIX_LEN: usize = 16;
/// The header: magic, version, m, t, p, salt, nonce prefix.
pub const HEADER_LEN: usize = 8 + 12 + SALT_LEN + PREFIX_LEN;
/// Plaintext bytes in every chunk but the final one (which holds 0 to this many).
pub const CHUNK: usize = 64 * 1024;
/// Poly1305 tag length.
pub const TAG_LEN: usize = 16;
/// Largest memory cost a reader accepts, KiB (1 GiB): a bundle may come from anyone.
pub const MAX_M_KIB: u32 = 1024 * 1024;
/// Largest number of passes a reader accepts.
pub const MAX_T: u32 = 64;
/// Largest parallelism a reader accepts.
pub const MAX_P: u32 = 16;

const KEY_LEN: usize = 32;

/// Problems with an encrypted bundle. Each has a stable code ([`Error::code`], section 14.3).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not an encrypted wsf bundle")]
    NotSealed,
    #[error("unsupported encrypted bundle version {0} (this wsf reads version 1)")]
    Version(u8),
    #[error("the encrypted bundle's key parameters are out of range ({0})")]
    Params(&'static str),
    #[error("not enough memory to derive the bundle's key")]
    OutOfMemory,
    #[error("wrong passphrase, or the bundle is damaged")]
    WrongPassphrase,
    #[error("the encrypted bundle is damaged or cut short: its chunk {chunk} does not open")]
    Damaged { chunk: u64 },
    #[error("the encrypted bundle is cut short after {chunks} chunks (its final chunk is missing)")]
    CutShort { chunks: u64 },
    #[error("read or write failed: {0}")]
    Io(#[from] io::Error),
}

impl Error {
    /// The stable reason code: `not_a_bundle`, `unsupported_version`, `sealed.bad_header`,
    /// `sealed.out_of_memory`, `sealed.wrong_passphrase`, `sealed.damaged`, `cut_short` or `io`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotSealed => "not_a_bundle",
            Error::Version(_) => "unsupported_version",
            Error::Params(_) => "sealed.bad_header",
            Error::OutOfMemory => "sealed.out_of_memory",
            Error::WrongPassphrase => "sealed.wrong_passphrase",
            Error::Damaged { .. } => "sealed.damaged",
            Error::CutShort { .. } => "cut_short",
            Error::Io(_) => "io",
        }
    }

    /// The error as an `io::Error` for a reader's caller: a cut as `UnexpectedEof`, damage as
    /// `InvalidData`, both carrying this error ([`Error::from_io`] gets it back).
    pub fn into_io(self) -> io::Error {
        match self {
            Error::Io(e) => e,
            Error::CutShort { .. } => io::Error::new(io::ErrorKind::UnexpectedEof, self),
            e => io::Error::new(io::ErrorKind::InvalidData, e),
        }
    }

    /// The encrypted bundle's problem inside an `io::Error` a [`Reader`] returned, if it is one.
    pub fn from_io(e: &io::Error) -> Option<&Error> {
        e.get_ref()?.downcast_ref::<Error>()
    }
}

/// Whether `start` (the first bytes of a file, at least 7) is an encrypted bundle's.
pub fn is_sealed(start: &[u8]) -> bool {
    start.get(..MAGIC.len()) == Some(&MAGIC[..])
}

/// Argon2id cost parameters, within the bounds a reader accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    m_kib: u32,
    t: u32,
    p: u32,
}

impl Params {
    /// Parameters checked against the accepted bounds: 1 ≤ t ≤ 64, 1 ≤ p ≤ 16,
    /// 8·p ≤ m ≤ 1 GiB (in KiB).
    pub fn new(m_kib: u32, t: u32, p: u32) -> Result<Params, Error> {
        if !(1..=MAX_P).contains(&p) {
            return Err(Error::Params("parallelism"));
        }
        if !(1..=MAX_T).contains(&t) {
            return Err(Error::Params("passes"));
        }
        if m_kib > MAX_M_KIB || m_kib < 8 * p {
            return Err(Error::Params("memory"));
        }
        Ok(Params { m_kib, t, p })
    }

    /// Memory cost in KiB.
    pub fn m_kib(&self) -> u32 {
        self.m_kib
    }

    /// Number of passes.
    pub fn t(&self) -> u32 {
        self.t
    }

    /// Parallelism (lanes).
    pub fn p(&self) -> u32 {
        self.p
    }
}

/// An encrypted bundle's header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub params: Params,
    /// Random for each file.
    pub salt: [u8; SALT_LEN],
    /// Random for each file.
    pub nonce_prefix: [u8; PREFIX_LEN],
}

impl Header {
    /// The header's 52 bytes.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[..7].copy_from_slice(&MAGIC);
        out[7] = VERSION;
        out[8..12].copy_from_slice(&self.params.m_kib.to_le_bytes());
        out[12..16].copy_from_slice(&self.params.t.to_le_bytes());
        out[16..20].copy_from_slice(&self.params.p.to_le_bytes());
        out[20..36].copy_from_slice(&self.salt);
        out[36..52].copy_from_slice(&self.nonce_prefix);
        out
    }

    /// Reads a header: the magic, the version, then the parameters' bounds.
    pub fn decode(bytes: &[u8; HEADER_LEN]) -> Result<Header, Error> {
        if !is_sealed(bytes) {
            return Err(Error::NotSealed);
        }
        if bytes[7] != VERSION {
            return Err(Error::Version(bytes[7]));
        }
        let u32_at =
            |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let params = Params::new(u32_at(8), u32_at(12), u32_at(16))?;
        let mut salt = [0u8; SALT_LEN];
        salt.copy_from_slice(&bytes[20..36]);
        let mut nonce_prefix = [0u8; PREFIX_LEN];
        nonce_prefix.copy_from_slice(&bytes[36..52]);
        Ok(Header {
            params,
            salt,
            nonce_prefix,
        })
    }

    /// Reads and decodes a header from the start of `input`. Fewer than 8 bytes, or another
    /// magic: [`Error::NotSealed`]; the input ending inside the rest: [`Error::CutShort`].
    pub fn read_from<R: Read>(input: &mut R) -> Result<Header, Error> {
        let mut bytes = [0u8; HEADER_LEN];
        let n = read_full(input, &mut bytes)?;
        if n < 8 || !is_sealed(&bytes) {
            return Err(Error::NotSealed);
        }
        if bytes[7] != VERSION {
            return Err(Error::Version(bytes[7]));
        }
        if n < HEADER_LEN {
            return Err(Error::CutShort { chunks: 0 });
        }
        Header::decode(&bytes)
    }
}

/// The key of one encrypted bundle: derived from the passphrase and its header. Wiped on drop.
#[derive(Clone)]
pub struct Key {
    header: Header,
    header_bytes: [u8; HEADER_LEN],
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

impl Key {
    /// Argon2id (version 0x13) of `passphrase` with the header's salt and parameters: as slow
    /// as the parameters make it.
    pub fn derive(passphrase: &[u8], header: Header) -> Result<Key, Error> {
        let p = header.params;
        let params = argon2::Params::new(p.m_kib, p.t, p.p, Some(KEY_LEN))
            .map_err(|_| Error::Params("rejected by Argon2"))?;
        let argon2 =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        argon2
            .hash_password_into(passphrase, &header.salt, &mut key[..])
            .map_err(|e| match e {
                argon2::Error::OutOfMemory => Error::OutOfMemory,
                _ => Error::Params("rejected by Argon2"),
            })?;
        Ok(Key {
            header,
            header_bytes: header.encode(),
            cipher: XChaCha20Poly1305::new((&*key).into()),
        })
    }

    /// The header this key belongs to.
    pub fn header(&self) -> &Header {
        &self.header
    }

    fn nonce(&self, counter: u64) -> XNonce {
        let mut nonce = [0u8; 24];
        nonce[..PREFIX_LEN].copy_from_slice(&self.header.nonce_prefix);
        nonce[PREFIX_LEN..].copy_from_slice(&counter.to_le_bytes());
        nonce.into()
    }

    fn ad(&self, last: bool) -> [u8; HEADER_LEN + 1] {
        let mut ad = [0u8; HEADER_LEN + 1];
        ad[..HEADER_LEN].copy_from_slice(&self.header_bytes);
        ad[HEADER_LEN] = u8::from(last);
        ad
    }

    /// Encrypts `buf` in place and appends the tag.
    fn seal(&self, counter: u64, last: bool, buf: &mut Vec<u8>) -> io::Result<()> {
        let tag = self
            .cipher
            .encrypt_in_place_detached(&self.nonce(counter), &self.ad(last), buf)
            .map_err(|_| io::Error::other("encryption failed"))?;
        buf.extend_from_slice(&tag);
        Ok(())
    }

    /// Checks and decrypts `buf` (ciphertext then tag) in place, leaving the plaintext. On
    /// failure `buf` is unchanged.
    fn open(&self, counter: u64, last: bool, buf: &mut Vec<u8>) -> bool {
        let Some(at) = buf.len().checked_sub(TAG_LEN) else {
            return false;
        };
        let tag = Tag::clone_from_slice(&buf[at..]);
        // The tag is checked before anything is decrypted: on failure the bytes stay as they
        // were (the reader tries a full chunk at the end twice).
        if self
            .cipher
            .decrypt_in_place_detached(&self.nonce(counter), &self.ad(last), &mut buf[..at], &tag)
            .is_err()
        {
            return false;
        }
        buf.truncate(at);
        true
    }
}

/// Writes an encrypted bundle: the header at once, a chunk each time 65,536 bytes are held and
/// more come, the final chunk on [`Writer::finish`]. Dropping it without `finish` leaves a file
/// that readers report as cut short.
#[derive(Debug)]
pub struct Writer<W: Write> {
    out: W,
    key: Key,
    counter: u64,
    buf: Vec<u8>,
}

impl<W: Write> Writer<W> {
    /// Writes the header of `key` to `out`.
    pub fn new(mut out: W, key: Key) -> io::Result<Self> {
        out.write_all(&key.header_bytes)?;
        Ok(Writer {
            out,
            key,
            counter: 0,
            buf: Vec::with_capacity(CHUNK + TAG_LEN),
        })
    }

    /// The output, e.g. to drain a `Vec` written into.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    fn emit(&mut self, last: bool) -> io::Result<()> {
        self.key.seal(self.counter, last, &mut self.buf)?;
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| io::Error::other("too many chunks"))?;
        Ok(())
    }

    /// Writes the final chunk (the bytes still held, possibly none) and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.emit(true)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for Writer<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        // A full chunk is written only once more bytes come: the last chunk must be final.
        if self.buf.len() == CHUNK {
            self.emit(false)?;
        }
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        Ok(n)
    }

    /// Flushes the output; the bytes of an incomplete chunk stay held until it fills or
    /// [`Writer::finish`].
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Reads an encrypted bundle's plaintext: one chunk in memory at a time, each checked before
/// any of its bytes is handed on. Errors come as `io::Error`s carrying an [`Error`]
/// ([`Error::from_io`]); a missing final chunk as `UnexpectedEof`.
#[derive(Debug)]
pub struct Reader<R: Read> {
    input: R,
    key: Key,
    counter: u64,
    buf: Vec<u8>,
    pos: usize,
    done: bool,
    /// A byte read past a full chunk to learn that it was not the last.
    peeked: Option<u8>,
}

impl<R: Read> Reader<R> {
    /// Reads the header, derives the key from `passphrase` (slow, by design) and opens the
    /// first chunk: a wrong passphrase is [`Error::WrongPassphrase`] before any byte is read.
    pub fn open(mut input: R, passphrase: &[u8]) -> Result<Self, Error> {
        let header = Header::read_from(&mut input)?;
        let key = Key::derive(passphrase, header)?;
        Reader::start(input, key)
    }

    /// As [`Reader::open`] with a key already derived (e.g. to read back a file just written);
    /// a file with another header is [`Error::WrongPassphrase`].
    pub fn with_key(mut input: R, key: Key) -> Result<Self, Error> {
        let header = Header::read_from(&mut input)?;
        if header != key.header {
            return Err(Error::WrongPassphrase);
        }
        Reader::start(input, key)
    }

    fn start(input: R, key: Key) -> Result<Self, Error> {
        let mut r = Reader {
            input,
            key,
            counter: 0,
            buf: Vec::with_capacity(CHUNK + TAG_LEN + 1),
            pos: 0,
            done: false,
            peeked: None,
        };
        r.next_chunk()?;
        Ok(r)
    }

    /// The header.
    pub fn header(&self) -> &Header {
        self.key.header()
    }

    /// Reads, checks and decrypts the next chunk into the buffer.
    fn next_chunk(&mut self) -> Result<(), Error> {
        self.buf.clear();
        self.pos = 0;
        self.buf.resize(CHUNK + TAG_LEN, 0);
        let mut n = 0;
        if let Some(b) = self.peeked.take() {
            self.buf[0] = b;
            n = 1;
        }
        n += read_full(&mut self.input, &mut self.buf[n..])?;
        self.buf.truncate(n);
        if n == 0 {
            return Err(Error::CutShort {
                chunks: self.counter,
            });
        }
        let last = if n < CHUNK + TAG_LEN {
            true
        } else {
            let mut one = [0u8; 1];
            match read_full(&mut self.input, &mut one)? {
                0 => true,
                _ => {
                    self.peeked = Some(one[0]);
                    false
                }
            }
        };
        if !self.key.open(self.counter, last, &mut self.buf) {
            // A full chunk at the end that opens as a chunk but not as the final one: the file
            // was cut at a chunk boundary. Its bytes are handed on like those of any chunk; the
            // next read finds the input ended ([`Error::CutShort`]).
            let cut = last && n == CHUNK + TAG_LEN;
            if !(cut && self.key.open(self.counter, false, &mut self.buf)) {
                return Err(match self.counter {
                    0 => Error::WrongPassphrase,
                    chunk => Error::Damaged { chunk },
                });
            }
            self.counter += 1;
            self.done = false;
            return Ok(());
        }
        self.counter += 1;
        self.done = last;
        Ok(())
    }
}

impl<R: Read> Read for Reader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.pos < self.buf.len() {
                let n = out.len().min(self.buf.len() - self.pos);
                out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.done || out.is_empty() {
                return Ok(0);
            }
            self.next_chunk().map_err(Error::into_io)?;
        }
    }
}

/// Reads until `buf` is full or the input ends; returns how many bytes were read.
fn read_full<R: Read>(input: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match input.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASS: &[u8] = b"correct horse battery staple";

    fn header() -> Header {
        Header {
            params: Params::new(8, 1, 1).expect("params"),
            salt: [0x11; SALT_LEN],
            nonce_prefix: [0x22; PREFIX_LEN],
        }
    }

    fn seal(plain: &[u8]) -> Vec<u8> {
        let key = Key::derive(PASS, header()).expect("key");
        let mut w = Writer::new(Vec::new(), key).expect("writer");
        // Written in uneven pieces, as a stream arrives.
        for piece in plain.chunks(7_777) {
            w.write_all(piece).expect("write");
        }
        w.finish().expect("finish")
    }

    fn unseal(sealed: &[u8], pass: &[u8]) -> Result<Vec<u8>, Error> {
        let mut r = Reader::open(sealed, pass)?;
        let mut out = Vec::new();
        // Small reads, as the bundle reader makes them.
        let mut buf = [0u8; 1000];
        loop {
            match r.read(&mut buf) {
                Ok(0) => return Ok(out),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => {
                    return Err(match Error::from_io(&e) {
                        Some(Error::WrongPassphrase) => Error::WrongPassphrase,
                        Some(Error::Damaged { chunk }) => Error::Damaged { chunk: *chunk },
                        Some(Error::CutShort { chunks }) => Error::CutShort { chunks: *chunks },
                        _ => Error::Io(e),
                    });
                }
            }
        }
    }

    fn plain(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn round_trips_at_every_interesting_length() {
        for len in [
            0,
            1,
            100,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            2 * CHUNK,
            3 * CHUNK + 5,
        ] {
            let p = plain(len);
            let sealed = seal(&p);
            let chunks = len.div_ceil(CHUNK).max(1);
            assert_eq!(sealed.len(), HEADER_LEN + len + chunks * TAG_LEN, "{len}");
            assert_eq!(unseal(&sealed, PASS).expect("opens"), p, "{len}");
        }
    }

    #[test]
    fn a_wrong_passphrase_is_found_before_any_byte() {
        let sealed = seal(&plain(3 * CHUNK));
        assert!(matches!(
            Reader::open(sealed.as_slice(), b"correct horse battery stapler"),
            Err(Error::WrongPassphrase)
        ));
        assert_eq!(Error::WrongPassphrase.code(), "sealed.wrong_passphrase");
    }

    #[test]
    fn every_cut_is_an_error() {
        // Every cut of a small one; of larger ones, every cut near the header, the chunk
        // boundary and the end, and a sample in between.
        for len in [100, CHUNK, CHUNK + 300] {
            let sealed = seal(&plain(len));
            let boundary = HEADER_LEN + CHUNK + TAG_LEN;
            let cuts: Vec<usize> = if len == 100 {
                (0..sealed.len()).collect()
            } else {
                (0..200)
                    .chain(boundary.saturating_sub(100)..(boundary + 100).min(sealed.len()))
                    .chain(sealed.len() - 100..sealed.len())
                    .chain((0..sealed.len()).step_by(1009))
                    .collect()
            };
            for cut in cuts {
                let got = unseal(&sealed[..cut], PASS);
                assert!(got.is_err(), "{len} cut at {cut}");
            }
        }
        // Cut at a chunk boundary: told apart from damage.
        let sealed = seal(&plain(CHUNK + 300));
        let boundary = HEADER_LEN + CHUNK + TAG_LEN;
        assert!(matches!(
            unseal(&sealed[..boundary], PASS),
            Err(Error::CutShort { chunks: 1 })
        ));
        assert!(matches!(
            Reader::open(&sealed[..30], PASS),
            Err(Error::CutShort { chunks: 0 })
        ));
        assert!(matches!(
            Reader::open(&sealed[..5], PASS),
            Err(Error::NotSealed)
        ));
    }

    #[test]
    fn every_flipped_byte_is_an_error() {
        let sealed = seal(&plain(CHUNK + 40));
        // Every header byte and every byte of a sample across the chunks (all of them would
        // derive a key 65k times).
        let positions = (0..HEADER_LEN)
            .chain((HEADER_LEN..sealed.len()).step_by(97))
            .chain([sealed.len() - 1]);
        for at in positions {
            let mut bad = sealed.clone();
            bad[at] ^= 0x01;
            assert!(unseal(&bad, PASS).is_err(), "flipped byte {at}");
        }
        let mut extra = sealed.clone();
        extra.push(0);
        assert!(unseal(&extra, PASS).is_err());
    }

    #[test]
    fn swapped_or_dropped_chunks_are_errors() {
        let sealed = seal(&plain(3 * CHUNK + 10));
        let c = CHUNK + TAG_LEN;
        let chunk =
            |i: usize| &sealed[HEADER_LEN + i * c..(HEADER_LEN + (i + 1) * c).min(sealed.len())];
        let build = |order: &[usize]| {
            let mut v = sealed[..HEADER_LEN].to_vec();
            for i in order {
                v.extend_from_slice(chunk(*i));
            }
            v
        };
        assert_eq!(
            unseal(&build(&[0, 1, 2, 3]), PASS).expect("whole"),
            plain(3 * CHUNK + 10)
        );
        assert!(matches!(
            unseal(&build(&[0, 2, 1, 3]), PASS),
            Err(Error::Damaged { chunk: 1 })
        ));
        assert!(matches!(
            unseal(&build(&[1, 0, 2, 3]), PASS),
            Err(Error::WrongPassphrase)
        ));
        assert!(matches!(
            unseal(&build(&[0, 1, 3]), PASS),
            Err(Error::Damaged { chunk: 2 })
        ));
        // The same chunk from a file with another nonce prefix does not fit.
        let other = {
            let h = Header {
                nonce_prefix: [0x33; PREFIX_LEN],
                ..header()
            };
            let mut w = Writer::new(Vec::new(), Key::derive(PASS, h).expect("key")).expect("w");
            w.write_all(&plain(3 * CHUNK + 10)).expect("write");
            w.finish().expect("finish")
        };
        let mut mixed = build(&[0]);
        mixed.extend_from_slice(&other[HEADER_LEN + c..]);
        assert!(matches!(
            unseal(&mixed, PASS),
            Err(Error::Damaged { chunk: 1 })
        ));
    }

    #[test]
    fn parameters_out_of_bounds_are_refused_before_deriving() {
        for (m, t, p) in [
            (8, 0, 1),
            (8, 65, 1),
            (8, 1, 0),
            (8, 1, 17),
            (7, 1, 1),
            (MAX_M_KIB + 1, 1, 1),
        ] {
            let mut bytes = header().encode();
            bytes[8..12].copy_from_slice(&u32::to_le_bytes(m));
            bytes[12..16].copy_from_slice(&u32::to_le_bytes(t));
            bytes[16..20].copy_from_slice(&u32::to_le_bytes(p));
            assert!(
                matches!(Header::decode(&bytes), Err(Error::Params(_))),
                "{m} {t} {p}"
            );
        }
        let mut v2 = header().encode();
        v2[7] = 2;
        assert!(matches!(Header::decode(&v2), Err(Error::Version(2))));
        assert!(!is_sealed(b"wsfbndl\x01"));
    }

    #[test]
    fn key_reuse_reads_back_only_its_own_file() {
        let key = Key::derive(PASS, header()).expect("key");
        let mut w = Writer::new(Vec::new(), key.clone()).expect("w");
        w.write_all(b"abc").expect("write");
        let sealed = w.finish().expect("finish");
        let mut r = Reader::with_key(sealed.as_slice(), key.clone()).expect("reads back");
        let mut out = Vec::new();
        r.read_to_end(&mut out).expect("read");
        assert_eq!(out, b"abc");
        let mut other = sealed.clone();
        other[20] ^= 1;
        assert!(matches!(
            Reader::with_key(other.as_slice(), key),
            Err(Error::WrongPassphrase)
        ));
    }

    /// The vector of `docs/protocol.md` section 14.5.
    #[test]
    fn protocol_vector() {
        use crate::bundle::{Header as BundleHeader, MAGIC as PLAIN_MAGIC, Trailer};
        let mut bundle = PLAIN_MAGIC.to_vec();
        bundle.extend_from_slice(
            &BundleHeader::new(crate::NetworkId::public(), 1_767_225_600_000, vec![]).encode(),
        );
        bundle.extend_from_slice(
            &Trailer {
                count: 0,
                digest: *blake3::hash(b"").as_bytes(),
            }
            .encode(),
        );
        let header = Header {
            params: Params::new(64, 1, 1).expect("params"),
            salt: std::array::from_fn(|i| 0xa0 + i as u8),
            nonce_prefix: std::array::from_fn(|i| 0xb0 + i as u8),
        };
        let seal_with = |plain: &[u8]| {
            let key = Key::derive(PASS, header).expect("key");
            let mut w = Writer::new(Vec::new(), key).expect("writer");
            w.write_all(plain).expect("write");
            w.finish().expect("finish")
        };
        let sealed = seal_with(&bundle);
        assert_eq!(
            crate::hex::encode(&bundle),
            concat!(
                "777366626e646c01a3636e657450d7c301c99823efc7a68659489e8abe8667637265617465641b",
                "0000019b76daa8006770696c6c61727380a265636f756e7400666469676573745820af1349b9f5",
                "f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
            )
        );
        assert_eq!(
            crate::hex::encode(&sealed),
            concat!(
                "77736673626e6401400000000100000001000000a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
                "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf",
                "87a9fa27fe8981ae5a7cadb0473941c50e6cfb3c610c1bae1f5b3b9938f559b6ddf0389d4777f3",
                "2d3e62faa59b52c311994e7ba0e4fb6098467f165eb623103a1d0e7adf6a8452f5642782f373ad",
                "a8c27f745e0fa08af7f7f25492e287c4c3e1c5062fa9d5ce1e704a0a1080416b81a4d0a5a8",
                "8a9427af54fa",
            )
        );
        let long = seal_with(&plain(CHUNK + 1));
        assert_eq!(long.len(), HEADER_LEN + CHUNK + 1 + 2 * TAG_LEN);
        assert_eq!(
            blake3::hash(&long).to_hex().as_str(),
            "7ac4159b13fa5aa741b5ca09aec0ea4d1253e8ed68c1244d17c35964aa83147a"
        );
        let mut opened = Vec::new();
        Reader::open(sealed.as_slice(), PASS)
            .expect("opens")
            .read_to_end(&mut opened)
            .expect("reads");
        assert_eq!(opened, bundle);
    }
}
