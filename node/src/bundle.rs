//! Reading and writing export bundles (layout in `wsf_protocol::bundle`).
//!
//! The reader streams: it holds one envelope at a time, trusts no length beyond the envelope
//! limit, and tells a cut-short file (no trailer) from a damaged one.

use std::io::{self, Read, Write};

use wsf_protocol::bundle::{self, Header, MAGIC, MAX_META, Trailer};
use wsf_protocol::limits::MAX_ENVELOPE;

/// Problems with a bundle file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not a wsf bundle (it does not start with the bundle magic bytes)")]
    NotABundle,
    #[error("unsupported bundle version {0} (this wsf reads version 1)")]
    Version(u8),
    #[error("the bundle header is damaged: {0}")]
    Header(String),
    #[error(
        "the bundle is cut short after {after} records (no trailer); \
         the records before the cut were read"
    )]
    Truncated { after: u64 },
    #[error("the bundle is damaged after {after} records: {what}")]
    Damaged { after: u64, what: String },
    #[error("read or write failed: {0}")]
    Io(#[from] io::Error),
}

/// Writes a bundle: header first, then envelopes, then the trailer on `finish`.
#[derive(Debug)]
pub struct Writer<W: Write> {
    out: W,
    count: u64,
    digest: blake3::Hasher,
}

impl<W: Write> Writer<W> {
    /// Writes the magic bytes and the header.
    pub fn new(mut out: W, header: &Header) -> Result<Self, Error> {
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
            io::ErrorKind::UnexpectedEof => Error::NotABundle,
            _ => Error::Io(e),
        })?;
        if magic[..7] != MAGIC[..7] {
            return Err(Error::NotABundle);
        }
        if magic[7] != MAGIC[7] {
            return Err(Error::Version(magic[7]));
        }
        let mut bytes_read = 8;
        let header_bytes =
            read_map(&mut input, &mut bytes_read).map_err(|e| Error::Header(e.to_string()))?;
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
        let damaged = |what: String| Error::Damaged { after, what };
        let mut initial = [0u8; 1];
        match self.input.read(&mut initial) {
            Ok(0) => return Err(Error::Truncated { after }),
            Ok(_) => {}
            Err(e) => return Err(Error::Io(e)),
        }
        self.bytes_read += 1;
        match initial[0] >> 5 {
            2 => {
                let extra = bundle::head_extra_len(initial[0])
                    .ok_or_else(|| damaged("an item has an indefinite length".into()))?;
                let mut len_bytes = [0u8; 8];
                self.read_exact(&mut len_bytes[8 - extra..])?;
                let len = if extra == 0 {
                    u64::from(initial[0] & 0x1f)
                } else {
                    u64::from_be_bytes(len_bytes)
                };
                if len > MAX_ENVELOPE as u64 {
                    return Err(damaged(format!(
                        "an item claims {len} bytes, more than the {MAX_ENVELOPE}-byte limit"
                    )));
                }
                let mut envelope = vec![0u8; len as usize];
                self.read_exact(&mut envelope)?;
                self.digest.update(&envelope);
                self.count += 1;
                Ok(Some(envelope))
            }
            5 => {
                let mut bytes_read = self.bytes_read;
                let trailer_bytes = read_map_after(&mut self.input, initial[0], &mut bytes_read)
                    .map_err(|e| match e {
                        Error::Truncated { .. } => Error::Truncated { after },
                        other => damaged(other.to_string()),
                    })?;
                self.bytes_read = bytes_read;
                let trailer = Trailer::decode(&trailer_bytes)
                    .map_err(|e| damaged(format!("trailer: {e}")))?;
                if trailer.count != self.count {
                    return Err(damaged(format!(
                        "the trailer counts {} records, the bundle holds {}",
                        trailer.count, self.count
                    )));
                }
                if trailer.digest != *self.digest.finalize().as_bytes() {
                    return Err(damaged("the digest in the trailer does not match".into()));
                }
                let mut extra = [0u8; 1];
                if self.input.read(&mut extra)? != 0 {
                    return Err(damaged("bytes follow the trailer".into()));
                }
                self.finished = true;
                Ok(None)
            }
            _ => Err(damaged(format!(
                "unexpected byte 0x{:02x} where a record should start",
                initial[0]
            ))),
        }
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        self.input.read_exact(buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => Error::Truncated { after: self.count },
            _ => Error::Io(e),
        })?;
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
        let extra = match (initial >> 5, bundle::head_extra_len(initial)) {
            (2, Some(extra)) => extra,
            _ => {
                return Err(Error::Damaged {
                    after,
                    what: format!("byte 0x{initial:02x} where an item should start"),
                });
            }
        };
        let head = self
            .buf
            .get(self.pos + 1..self.pos + 1 + extra)
            .ok_or(Error::Truncated { after })?;
        let len = if extra == 0 {
            u64::from(initial & 0x1f)
        } else {
            head.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b))
        };
        if len > MAX_ENVELOPE as u64 {
            return Err(Error::Damaged {
                after,
                what: format!("an item claims {len} bytes"),
            });
        }
        let start = self.pos + 1 + extra;
        let end = start + len as usize;
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

/// Reads one CBOR map item (header or trailer) of at most [`MAX_META`] bytes.
fn read_map<R: Read>(input: &mut R, bytes_read: &mut u64) -> Result<Vec<u8>, Error> {
    let mut initial = [0u8; 1];
    input.read_exact(&mut initial).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => Error::Truncated { after: 0 },
        _ => Error::Io(e),
    })?;
    *bytes_read += 1;
    read_map_after(input, initial[0], bytes_read)
}

/// Reads the rest of a CBOR map whose initial byte was `initial`, returning all its bytes.
/// Walks the item with the same strict rules as records, one byte string or head at a time.
fn read_map_after<R: Read>(
    input: &mut R,
    initial: u8,
    bytes_read: &mut u64,
) -> Result<Vec<u8>, Error> {
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
        let extra = bundle::head_extra_len(b).ok_or_else(|| Error::Damaged {
            after: 0,
            what: "indefinite or reserved length in a header or trailer".into(),
        })?;
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
        if (out.len() as u64).saturating_add(grows_by) > MAX_META as u64 {
            return Err(Error::Damaged {
                after: 0,
                what: "a header or trailer is too long".into(),
            });
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

fn read_into<R: Read>(input: &mut R, buf: &mut [u8], bytes_read: &mut u64) -> Result<(), Error> {
    input.read_exact(buf).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => Error::Truncated { after: 0 },
        _ => Error::Io(e),
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
}
