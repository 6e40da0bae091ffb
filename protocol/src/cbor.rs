//! Canonical CBOR: a strict checker and a canonical encoder.
//!
//! wsf bodies use RFC 8949 §4.2.1 *core deterministic encoding*, restricted further:
//! - integers (major types 0 and 1) and lengths use the shortest head;
//! - byte strings, text strings, arrays and maps have definite lengths;
//! - map keys are sorted bytewise by their encoded form and appear once;
//! - no tags (major type 6), no floats, no simple values except `false` and `true`;
//! - text strings are valid UTF-8; nesting is at most [`MAX_DEPTH`] deep.
//!
//! [`check`] walks the bytes once, allocating nothing, and tells exactly what is wrong. It never
//! trusts a length header: a string must fit in the bytes that remain, and an array or map with a
//! huge count runs out of input after at most one step per input byte.

use ciborium::Value;

/// Deepest nesting of arrays and maps accepted (a body needs 3).
pub const MAX_DEPTH: usize = 8;

/// A CBOR item that is not well formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    #[error("input ends inside an item")]
    Truncated,
    #[error("bytes follow the end of the item")]
    TrailingBytes,
    #[error("reserved additional information value {0}")]
    Reserved(u8),
    #[error("nesting deeper than {MAX_DEPTH}")]
    TooDeep,
    #[error("text string is not valid UTF-8")]
    InvalidUtf8,
    #[error("break byte outside an indefinite-length item")]
    StrayBreak,
}

/// A well-formed CBOR item that is not in the canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NonCanonical {
    #[error("an integer or length does not use its shortest encoding")]
    NonMinimalInteger,
    #[error("an item has an indefinite length")]
    IndefiniteLength,
    #[error("map keys are not sorted by their encoding")]
    UnsortedKeys,
    #[error("a map key appears twice")]
    DuplicateKey,
    #[error("a floating-point number appears")]
    Float,
    #[error("a tag appears")]
    Tag,
    #[error("a simple value other than false/true appears")]
    SimpleValue,
    #[error("decoding and re-encoding does not give the same bytes")]
    Reencode,
}

/// What [`check`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Malformed(#[from] Malformed),
    #[error(transparent)]
    NonCanonical(#[from] NonCanonical),
}

/// Checks that `bytes` hold exactly one canonical CBOR item (see the module docs).
pub fn check(bytes: &[u8]) -> Result<(), CheckError> {
    let mut s = Scanner { buf: bytes, pos: 0 };
    s.item(0)?;
    if s.pos != bytes.len() {
        return Err(Malformed::TrailingBytes.into());
    }
    Ok(())
}

struct Scanner<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], CheckError> {
        let end = self.pos.checked_add(n).ok_or(Malformed::Truncated)?;
        let out = self.buf.get(self.pos..end).ok_or(Malformed::Truncated)?;
        self.pos = end;
        Ok(out)
    }

    fn uint(&mut self, n: usize) -> Result<u64, CheckError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, b| acc << 8 | u64::from(*b)))
    }

    /// Reads an item head; returns (major type, argument). Floats, simple values and
    /// indefinite lengths are refused here.
    fn head(&mut self) -> Result<(u8, u64), CheckError> {
        let initial = self.take(1)?[0];
        let major = initial >> 5;
        let info = initial & 0x1f;
        if major == 7 {
            return match info {
                20 | 21 => Ok((7, u64::from(info))),
                25..=27 => Err(NonCanonical::Float.into()),
                28..=30 => Err(Malformed::Reserved(info).into()),
                31 => Err(Malformed::StrayBreak.into()),
                _ => Err(NonCanonical::SimpleValue.into()),
            };
        }
        let arg = match info {
            0..=23 => u64::from(info),
            24 => {
                let v = self.uint(1)?;
                if v < 24 {
                    return Err(NonCanonical::NonMinimalInteger.into());
                }
                v
            }
            25 => {
                let v = self.uint(2)?;
                if v <= 0xff {
                    return Err(NonCanonical::NonMinimalInteger.into());
                }
                v
            }
            26 => {
                let v = self.uint(4)?;
                if v <= 0xffff {
                    return Err(NonCanonical::NonMinimalInteger.into());
                }
                v
            }
            27 => {
                let v = self.uint(8)?;
                if v <= 0xffff_ffff {
                    return Err(NonCanonical::NonMinimalInteger.into());
                }
                v
            }
            28..=30 => return Err(Malformed::Reserved(info).into()),
            _ => {
                // 31: indefinite length for strings, arrays and maps; not well formed otherwise.
                return Err(if matches!(major, 2..=5) {
                    NonCanonical::IndefiniteLength.into()
                } else {
                    Malformed::Reserved(info).into()
                });
            }
        };
        Ok((major, arg))
    }

    fn len(&self, arg: u64) -> Result<usize, CheckError> {
        let remaining = self.buf.len() - self.pos;
        match usize::try_from(arg) {
            Ok(n) if n <= remaining => Ok(n),
            _ => Err(Malformed::Truncated.into()),
        }
    }

    fn item(&mut self, depth: usize) -> Result<(), CheckError> {
        let (major, arg) = self.head()?;
        match major {
            0 | 1 | 7 => Ok(()),
            2 => {
                let n = self.len(arg)?;
                self.take(n)?;
                Ok(())
            }
            3 => {
                let n = self.len(arg)?;
                let text = self.take(n)?;
                std::str::from_utf8(text).map_err(|_| Malformed::InvalidUtf8)?;
                Ok(())
            }
            4 => {
                if depth >= MAX_DEPTH {
                    return Err(Malformed::TooDeep.into());
                }
                for _ in 0..arg {
                    self.item(depth + 1)?;
                }
                Ok(())
            }
            5 => {
                if depth >= MAX_DEPTH {
                    return Err(Malformed::TooDeep.into());
                }
                let mut previous: Option<(usize, usize)> = None;
                for _ in 0..arg {
                    let start = self.pos;
                    self.item(depth + 1)?;
                    let key = (start, self.pos);
                    if let Some((ps, pe)) = previous {
                        match self.buf[ps..pe].cmp(&self.buf[key.0..key.1]) {
                            std::cmp::Ordering::Less => {}
                            std::cmp::Ordering::Equal => {
                                return Err(NonCanonical::DuplicateKey.into());
                            }
                            std::cmp::Ordering::Greater => {
                                return Err(NonCanonical::UnsortedKeys.into());
                            }
                        }
                    }
                    previous = Some(key);
                    self.item(depth + 1)?;
                }
                Ok(())
            }
            // 6: tags
            _ => Err(NonCanonical::Tag.into()),
        }
    }
}

/// Encodes a value canonically: map entries are sorted by the encoding of their keys.
/// Values built by this crate hold no floats or tags, so the rest of ciborium's output (shortest
/// heads, definite lengths) is already canonical.
pub fn encode(value: &Value) -> Vec<u8> {
    encode_owned(value.clone())
}

/// [`encode`], taking the value by value (no copy).
pub fn encode_owned(value: Value) -> Vec<u8> {
    let sorted = sort_maps(value);
    let mut out = Vec::with_capacity(512);
    // Writing into a Vec cannot fail, and every Value can be encoded.
    if ciborium::into_writer(&sorted, &mut out).is_err() {
        out.clear();
    }
    out
}

/// Orders two map keys as their canonical encodings would order. Text keys (the only ones wsf
/// uses) compare by length first, then bytes, which is what their encodings do; other keys are
/// encoded and compared.
fn key_order(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Text(x), Value::Text(y)) => (x.len(), x.as_bytes()).cmp(&(y.len(), y.as_bytes())),
        _ => {
            let mut ea = Vec::new();
            let mut eb = Vec::new();
            let _ = ciborium::into_writer(a, &mut ea);
            let _ = ciborium::into_writer(b, &mut eb);
            ea.cmp(&eb)
        }
    }
}

fn sort_maps(value: Value) -> Value {
    match value {
        Value::Map(entries) => {
            let mut entries: Vec<(Value, Value)> = entries
                .into_iter()
                .map(|(k, v)| (sort_maps(k), sort_maps(v)))
                .collect();
            entries.sort_by(|a, b| key_order(&a.0, &b.0));
            Value::Map(entries)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_maps).collect()),
        other => other,
    }
}

/// A reader of the top-level items of bytes that [`check`] accepted (heads and byte strings).
#[derive(Debug)]
pub struct Items<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Items<'a> {
    /// Starts at the first byte of `buf`, which must have passed [`check`].
    pub fn new(buf: &'a [u8]) -> Self {
        Items { buf, pos: 0 }
    }

    /// The next head as (major type, argument); `None` for simple values or at the end.
    pub fn head(&mut self) -> Option<(u8, u64)> {
        let initial = *self.buf.get(self.pos)?;
        let major = initial >> 5;
        if major == 7 {
            return None;
        }
        let extra = match initial & 0x1f {
            0..=23 => 0,
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            _ => return None,
        };
        let arg = if extra == 0 {
            u64::from(initial & 0x1f)
        } else {
            self.buf
                .get(self.pos + 1..self.pos + 1 + extra)?
                .iter()
                .fold(0u64, |acc, b| acc << 8 | u64::from(*b))
        };
        self.pos += 1 + extra;
        Some((major, arg))
    }

    /// The next `n` raw bytes (the content of a string whose head was just read).
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let out = self.buf.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(out)
    }

    /// The next item, if it is a byte string.
    pub fn bytes(&mut self) -> Option<&'a [u8]> {
        let save = self.pos;
        match self.head() {
            Some((2, len)) => {
                let len = usize::try_from(len).ok()?;
                let out = self.buf.get(self.pos..self.pos.checked_add(len)?)?;
                self.pos += len;
                Some(out)
            }
            _ => {
                self.pos = save;
                None
            }
        }
    }
}

/// Decodes bytes that [`check`] accepted into a value tree.
pub fn decode(bytes: &[u8]) -> Result<Value, Malformed> {
    ciborium::from_reader(bytes).map_err(|_| Malformed::Truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(bytes: &[u8]) -> CheckError {
        check(bytes).expect_err("must be rejected")
    }

    #[test]
    fn accepts_canonical_items() {
        check(&[0x00]).expect("0");
        check(&[0x18, 0x18]).expect("24");
        check(&[0x19, 0x01, 0x00]).expect("256");
        check(&[0x62, b'h', b'i']).expect("text");
        check(&[0xa2, 0x61, b'a', 0x01, 0x61, b'b', 0x02]).expect("sorted map");
        check(&[0xf4]).expect("false");
        check(&[0xf5]).expect("true");
    }

    #[test]
    fn rejects_every_non_canonical_form() {
        use NonCanonical::*;
        assert_eq!(err(&[0x18, 0x05]), NonMinimalInteger.into());
        assert_eq!(err(&[0x19, 0x00, 0xff]), NonMinimalInteger.into());
        assert_eq!(
            err(&[0x1a, 0x00, 0x00, 0xff, 0xff]),
            NonMinimalInteger.into()
        );
        assert_eq!(
            err(&[0x1b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]),
            NonMinimalInteger.into()
        );
        assert_eq!(err(&[0x58, 0x01, 0x00]), NonMinimalInteger.into());
        assert_eq!(err(&[0x9f, 0x01, 0xff]), IndefiniteLength.into());
        assert_eq!(err(&[0x7f, 0x61, b'a', 0xff]), IndefiniteLength.into());
        assert_eq!(
            err(&[0xa2, 0x61, b'b', 0x01, 0x61, b'a', 0x02]),
            UnsortedKeys.into()
        );
        // Shorter keys sort first: "b" < "aa".
        assert_eq!(
            err(&[0xa2, 0x62, b'a', b'a', 0x01, 0x61, b'b', 0x02]),
            UnsortedKeys.into()
        );
        assert_eq!(
            err(&[0xa2, 0x61, b'a', 0x01, 0x61, b'a', 0x02]),
            DuplicateKey.into()
        );
        assert_eq!(err(&[0xf9, 0x3c, 0x00]), Float.into());
        assert_eq!(err(&[0xfb, 0, 0, 0, 0, 0, 0, 0, 0]), Float.into());
        assert_eq!(err(&[0xc1, 0x00]), Tag.into());
        assert_eq!(err(&[0xf6]), SimpleValue.into());
        assert_eq!(err(&[0xf8, 0x20]), SimpleValue.into());
    }

    #[test]
    fn rejects_malformed_items_without_allocating() {
        use Malformed::*;
        assert_eq!(err(&[]), Truncated.into());
        assert_eq!(err(&[0x00, 0x00]), TrailingBytes.into());
        assert_eq!(
            err(&[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            Truncated.into()
        );
        assert_eq!(
            err(&[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            Truncated.into()
        );
        assert_eq!(err(&[0x1c]), Reserved(28).into());
        assert_eq!(err(&[0x62, 0xff, 0xfe]), InvalidUtf8.into());
        assert_eq!(err(&[0xff]), StrayBreak.into());
        assert_eq!(err(&[0x81; 64]), TooDeep.into());
    }

    #[test]
    fn encoder_sorts_keys_by_encoding() {
        let v = Value::Map(vec![
            (Value::Text("aa".into()), Value::Integer(1.into())),
            (Value::Text("b".into()), Value::Integer(500.into())),
        ]);
        let bytes = encode(&v);
        assert_eq!(
            bytes,
            [0xa2, 0x61, b'b', 0x19, 0x01, 0xf4, 0x62, b'a', b'a', 0x01]
        );
        check(&bytes).expect("canonical");
    }
}
