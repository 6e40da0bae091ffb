//! The export bundle: the durable, portable form of a set of records (a USB stick, a backup,
//! a store rebuilt after an upgrade). This module holds the layout; reading and writing files is
//! the node's job.
//!
//! ```text
//! bundle  = magic header item* trailer
//! magic   = "wsfbndl" 0x01                       8 bytes; the last byte is the bundle version
//! header  = canonical CBOR map {"net": bstr 16, "created": uint ms, "pillars": [* text]}
//! item    = CBOR byte string holding one envelope (at most 65,536 bytes)
//! trailer = canonical CBOR map {"count": uint, "digest": bstr 32}
//!           count  = number of items
//!           digest = BLAKE3-256 over the concatenated envelope bytes of all items, in order
//! ```
//! Nothing follows the trailer. A reader stops at the first item whose head is not the shortest
//! head of a byte string of an allowed length; a missing trailer means the bundle was cut short.
//! Every way a reading can end has a stable code ([`Damage::code`] and the node's
//! `bundle::Error::code`), listed in `docs/protocol.md` section 14.3.

use ciborium::Value;

use crate::cbor;
use crate::fields::{Fields, MapBuilder, SchemaError};
use crate::{NetworkId, Pillar};

/// The first 8 bytes of every bundle.
pub const MAGIC: [u8; 8] = *b"wsfbndl\x01";

/// Longest header or trailer accepted, in bytes.
pub const MAX_META: usize = 4 * 1024;

/// What a bundle says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The network its records belong to.
    pub net: NetworkId,
    /// When it was written, ms since the Unix epoch.
    pub created: u64,
    /// The pillars it was exported for (empty: all), sorted bytewise, without repeats. Every
    /// record in the bundle carries at least one of them.
    pub pillars: Vec<Pillar>,
}

/// The end of a bundle: how many items, and a digest over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailer {
    pub count: u64,
    pub digest: [u8; 32],
}

/// A header or trailer that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetaError {
    #[error("not canonical CBOR: {0}")]
    Cbor(#[from] cbor::CheckError),
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error("bad pillar in the header: {0}")]
    Pillar(#[from] crate::BadPillar),
    #[error("the header's pillars are not sorted bytewise without repeats")]
    PillarsNotSorted,
}

/// What is wrong with a bundle after its header: the reading stops there, and the records read
/// before stay read (each was checked on its own).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Damage {
    #[error("byte 0x{0:02x} where a record or the trailer should start")]
    ItemHead(u8),
    #[error("an item head is longer than needed for its length")]
    NonShortestHead,
    #[error("an item claims {0} bytes, more than the {limit}-byte envelope limit", limit = crate::limits::MAX_ENVELOPE)]
    ItemTooLong(u64),
    #[error("a record carries none of the pillars the header names")]
    OutsidePillars,
    #[error("the trailer cannot be read: {0}")]
    Trailer(String),
    #[error("the trailer is longer than {MAX_META} bytes")]
    TrailerTooLong,
    #[error("the trailer counts {said} records, the bundle holds {held}")]
    Count { said: u64, held: u64 },
    #[error("the digest in the trailer does not match the records")]
    Digest,
    #[error("bytes follow the trailer")]
    Trailing,
}

impl Damage {
    /// The stable reason code, `damaged.` and the kind of damage.
    pub fn code(&self) -> &'static str {
        match self {
            Damage::ItemHead(_) | Damage::NonShortestHead => "damaged.bad_item_head",
            Damage::ItemTooLong(_) => "damaged.item_too_long",
            Damage::OutsidePillars => "damaged.outside_pillars",
            Damage::Trailer(_) => "damaged.bad_trailer",
            Damage::TrailerTooLong => "damaged.trailer_too_long",
            Damage::Count { .. } => "damaged.count_mismatch",
            Damage::Digest => "damaged.digest_mismatch",
            Damage::Trailing => "damaged.trailing_bytes",
        }
    }
}

/// The length of an item from its head: the initial byte and the `arg` bytes that follow it
/// ([`head_extra_len`] of them). The head must be a byte string's (major type 2), definite, in
/// its shortest form, and the length at most the envelope limit.
pub fn item_len(initial: u8, arg: &[u8]) -> Result<usize, Damage> {
    if initial >> 5 != 2 || head_extra_len(initial) != Some(arg.len()) {
        return Err(Damage::ItemHead(initial));
    }
    let len = if arg.is_empty() {
        u64::from(initial & 0x1f)
    } else {
        arg.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b))
    };
    if bstr_head(len as usize).len() != 1 + arg.len() {
        return Err(Damage::NonShortestHead);
    }
    if len > crate::limits::MAX_ENVELOPE as u64 {
        return Err(Damage::ItemTooLong(len));
    }
    Ok(len as usize)
}

impl Header {
    /// A header, its pillars sorted and without repeats.
    pub fn new(net: NetworkId, created: u64, mut pillars: Vec<Pillar>) -> Self {
        pillars.sort_by(|a, b| a.as_str().as_bytes().cmp(b.as_str().as_bytes()));
        pillars.dedup();
        Header {
            net,
            created,
            pillars,
        }
    }

    /// Whether a record on `pillars` belongs in a bundle with this header.
    pub fn admits(&self, pillars: &[Pillar]) -> bool {
        self.pillars.is_empty() || pillars.iter().any(|p| self.pillars.contains(p))
    }

    /// The header's canonical bytes.
    pub fn encode(&self) -> Vec<u8> {
        cbor::encode(
            &MapBuilder::default()
                .put("net", self.net.as_bytes().to_vec())
                .put("created", self.created)
                .put(
                    "pillars",
                    Value::Array(
                        self.pillars
                            .iter()
                            .map(|p| Value::Text(p.as_str().to_owned()))
                            .collect(),
                    ),
                )
                .build(),
        )
    }

    /// Reads a header from its bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, MetaError> {
        cbor::check(bytes)?;
        let value = cbor::decode(bytes).map_err(|e| MetaError::Cbor(e.into()))?;
        let mut f = Fields::new(value, "", "header")?;
        let net = NetworkId(f.bytes::<16>("net")?);
        let created = f.uint("created")?;
        let items = f.array("pillars")?;
        let pillars = f
            .texts("pillars", items)?
            .iter()
            .map(|p| Pillar::new(p))
            .collect::<Result<Vec<_>, _>>()?;
        if pillars
            .windows(2)
            .any(|w| w[0].as_str().as_bytes() >= w[1].as_str().as_bytes())
        {
            return Err(MetaError::PillarsNotSorted);
        }
        f.finish()?;
        Ok(Header {
            net,
            created,
            pillars,
        })
    }
}

impl Trailer {
    /// The trailer's canonical bytes.
    pub fn encode(&self) -> Vec<u8> {
        cbor::encode(
            &MapBuilder::default()
                .put("count", self.count)
                .put("digest", self.digest.to_vec())
                .build(),
        )
    }

    /// Reads a trailer from its bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, MetaError> {
        cbor::check(bytes)?;
        let value = cbor::decode(bytes).map_err(|e| MetaError::Cbor(e.into()))?;
        let mut f = Fields::new(value, "", "trailer")?;
        let count = f.uint("count")?;
        let digest = f.bytes::<32>("digest")?;
        f.finish()?;
        Ok(Trailer { count, digest })
    }
}

/// The CBOR head of a byte string of `len` bytes (shortest form), which precedes each item.
pub fn bstr_head(len: usize) -> Vec<u8> {
    let len = len as u64;
    match len {
        0..=23 => vec![0x40 | len as u8],
        24..=0xff => vec![0x58, len as u8],
        0x100..=0xffff => {
            let mut v = vec![0x59];
            v.extend_from_slice(&(len as u16).to_be_bytes());
            v
        }
        0x1_0000..=0xffff_ffff => {
            let mut v = vec![0x5a];
            v.extend_from_slice(&(len as u32).to_be_bytes());
            v
        }
        _ => {
            let mut v = vec![0x5b];
            v.extend_from_slice(&len.to_be_bytes());
            v
        }
    }
}

/// How many bytes follow the initial byte of a CBOR head (`None` for values the bundle never
/// uses: reserved or indefinite).
pub fn head_extra_len(initial: u8) -> Option<usize> {
    match initial & 0x1f {
        0..=23 => Some(0),
        24 => Some(1),
        25 => Some(2),
        26 => Some(4),
        27 => Some(8),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_trailer_round_trip() {
        let h = Header {
            net: NetworkId::public(),
            created: 1_767_225_600_000,
            pillars: vec![Pillar::new("education").expect("slug")],
        };
        assert_eq!(Header::decode(&h.encode()), Ok(h));
        let t = Trailer {
            count: 3,
            digest: [7; 32],
        };
        assert_eq!(Trailer::decode(&t.encode()), Ok(t));
        assert!(Trailer::decode(&[0xa0]).is_err());
    }

    #[test]
    fn header_pillars_are_sorted_without_repeats() {
        let p = |s| Pillar::new(s).expect("slug");
        let h = Header::new(
            NetworkId::public(),
            1,
            vec![p("womens-rights"), p("education"), p("womens-rights")],
        );
        assert_eq!(h.pillars, vec![p("education"), p("womens-rights")]);
        assert!(h.admits(&[p("land-rights"), p("education")]));
        assert!(!h.admits(&[p("land-rights")]));
        assert!(Header::new(NetworkId::public(), 1, vec![]).admits(&[p("land-rights")]));
        for bad in [
            vec![p("womens-rights"), p("education")],
            vec![p("education"), p("education")],
        ] {
            let unsorted = Header {
                net: NetworkId::public(),
                created: 1,
                pillars: bad,
            };
            assert_eq!(
                Header::decode(&unsorted.encode()),
                Err(MetaError::PillarsNotSorted)
            );
        }
    }

    #[test]
    fn item_heads_must_be_shortest_byte_string_heads() {
        assert_eq!(item_len(0x45, &[]), Ok(5));
        assert_eq!(item_len(0x59, &[0x01, 0x2c]), Ok(300));
        assert_eq!(item_len(0x5a, &[0, 1, 0, 0]), Ok(65_536));
        // 5 written with a one-byte argument, 300 with four bytes.
        assert_eq!(item_len(0x58, &[5]), Err(Damage::NonShortestHead));
        assert_eq!(
            item_len(0x5a, &[0, 0, 1, 0x2c]),
            Err(Damage::NonShortestHead)
        );
        assert_eq!(
            item_len(0x5a, &[0, 1, 0, 1]),
            Err(Damage::ItemTooLong(65_537))
        );
        assert_eq!(item_len(0x5f, &[]), Err(Damage::ItemHead(0x5f)));
        assert_eq!(item_len(0x65, &[]), Err(Damage::ItemHead(0x65)));
        assert_eq!(Damage::NonShortestHead.code(), "damaged.bad_item_head");
        assert_eq!(Damage::ItemTooLong(1).code(), "damaged.item_too_long");
    }

    #[test]
    fn heads_are_shortest() {
        assert_eq!(bstr_head(5), vec![0x45]);
        assert_eq!(bstr_head(24), vec![0x58, 24]);
        assert_eq!(bstr_head(300), vec![0x59, 0x01, 0x2c]);
        assert_eq!(bstr_head(70_000), vec![0x5a, 0x00, 0x01, 0x11, 0x70]);
        for n in [0, 23, 24, 255, 256, 65_535, 65_536] {
            let head = bstr_head(n);
            assert_eq!(head_extra_len(head[0]), Some(head.len() - 1));
        }
    }
}
