//! Records: the signed body, the envelope around it, signing and verification.
//!
//! ```text
//! envelope  = [1, body: bstr, signature: bstr .size 64]          (canonical CBOR array)
//! body      = canonical CBOR map {author, net, kind, ts, pillars, content, ?expires, ?supersedes, ?refs}
//! signature = Ed25519(author key, "wsf-record-v1" || 0x00 || body)
//! id        = BLAKE3-256(body)
//! ```

use ciborium::Value;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::cbor;
use crate::content::{Content, Kind};
use crate::error::{Error, Part};
use crate::fields::{Fields, MapBuilder, SchemaError};
use crate::ids::{AuthorId, NetworkId, RecordId};
use crate::limits::{MAX_ENVELOPE, MAX_FUTURE_MS, MAX_PILLARS};
use crate::pillar::Pillar;
use crate::validate::{Context, Invalid, check_body};

/// The only envelope version this crate reads and writes.
pub const ENVELOPE_VERSION: u64 = 1;

/// Domain separation: the signed message is this string, one zero byte, then the body.
pub const SIGNING_PREFIX: &[u8] = b"wsf-record-v1\0";

/// The signed part of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// The author's ed25519 public key.
    pub author: AuthorId,
    /// The network the record belongs to.
    pub net: NetworkId,
    /// Creation time, ms since the Unix epoch.
    pub ts: u64,
    /// 1 to 8 pillars, strictly ascending.
    pub pillars: Vec<Pillar>,
    /// The kind-specific content; its kind is the body's `kind`.
    pub content: Content,
    /// When the record stops being relevant, ms since the Unix epoch.
    pub expires: Option<u64>,
    /// An earlier record of the same author that this one replaces.
    pub supersedes: Option<RecordId>,
    /// Other records this one refers to (0 to 16; left out when empty).
    pub refs: Vec<RecordId>,
}

impl Body {
    /// The kind of the record.
    pub fn kind(&self) -> Kind {
        self.content.kind()
    }

    /// The body as a CBOR value; map keys are not sorted yet ([`Body::encode`] sorts them).
    pub fn to_value(&self) -> Value {
        MapBuilder::default()
            .put("author", self.author.as_bytes().to_vec())
            .put("net", self.net.as_bytes().to_vec())
            .put("kind", self.kind().as_str())
            .put("ts", self.ts)
            .put(
                "pillars",
                Value::Array(
                    self.pillars
                        .iter()
                        .map(|p| Value::Text(p.as_str().to_owned()))
                        .collect(),
                ),
            )
            .put("content", self.content.to_value())
            .opt("expires", self.expires)
            .opt("supersedes", self.supersedes.map(|s| s.as_bytes().to_vec()))
            .opt(
                "refs",
                (!self.refs.is_empty()).then(|| {
                    Value::Array(
                        self.refs
                            .iter()
                            .map(|r| Value::Bytes(r.as_bytes().to_vec()))
                            .collect(),
                    )
                }),
            )
            .build()
    }

    /// The canonical body bytes.
    pub fn encode(&self) -> Vec<u8> {
        cbor::encode_owned(self.to_value())
    }

    /// Reads a body from a decoded canonical CBOR map.
    fn from_value(value: Value) -> Result<Body, Error> {
        let mut f = Fields::new(value, "", "body")?;
        let author = AuthorId(f.bytes::<32>("author")?);
        let net = NetworkId(f.bytes::<16>("net")?);
        let kind_text = f.text("kind")?;
        let kind = Kind::parse(&kind_text).ok_or(SchemaError::UnknownKind(kind_text))?;
        let ts = f.uint("ts")?;
        let pillar_items = f.array("pillars")?;
        let raw_pillars = f.texts("pillars", pillar_items)?;
        if raw_pillars.is_empty() {
            return Err(Invalid::NoPillars.into());
        }
        if raw_pillars.len() > MAX_PILLARS {
            return Err(Invalid::TooManyPillars {
                count: raw_pillars.len(),
            }
            .into());
        }
        let pillars = raw_pillars
            .iter()
            .map(|p| {
                Pillar::new(p).map_err(|e| Invalid::BadPillar {
                    slug: e.slug.clone(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let content = Content::from_value(kind, f.require("content")?)?;
        let expires = f.opt_uint("expires")?;
        let supersedes = f.opt_bytes::<32>("supersedes")?.map(RecordId);
        let refs = match f.opt_array("refs")? {
            None => Vec::new(),
            Some(items) if items.is_empty() => {
                return Err(SchemaError::WrongType {
                    field: "refs".into(),
                    expected: "a non-empty array (left out when empty)",
                }
                .into());
            }
            Some(items) => f
                .byte_items::<32>("refs", items)?
                .into_iter()
                .map(RecordId)
                .collect(),
        };
        f.finish()?;
        Ok(Body {
            author,
            net,
            ts,
            pillars,
            content,
            expires,
            supersedes,
            refs,
        })
    }
}

/// What an author fills in; [`sign`] adds the author key and the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub net: NetworkId,
    pub ts: u64,
    /// Any order; [`sign`] sorts them and drops repeats.
    pub pillars: Vec<Pillar>,
    pub content: Content,
    pub expires: Option<u64>,
    pub supersedes: Option<RecordId>,
    pub refs: Vec<RecordId>,
}

/// A record whose signature has been checked, with its bytes. Only [`sign`], [`verify`] and
/// [`Unverified::verify`] make one, so holding a `Record` means holding a valid signature.
#[derive(Clone, PartialEq, Eq)]
pub struct Record {
    id: RecordId,
    body: Body,
    body_bytes: Vec<u8>,
    envelope: Vec<u8>,
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record")
            .field("id", &self.id)
            .field("kind", &self.body.kind())
            .field("author", &self.body.author)
            .field("ts", &self.body.ts)
            .field("envelope_len", &self.envelope.len())
            .finish()
    }
}

impl Record {
    /// BLAKE3-256 of the body bytes.
    pub fn id(&self) -> RecordId {
        self.id
    }
    /// The decoded body.
    pub fn body(&self) -> &Body {
        &self.body
    }
    /// The canonical body bytes that were signed.
    pub fn body_bytes(&self) -> &[u8] {
        &self.body_bytes
    }
    /// The whole envelope, as sent on the wire and stored on disk.
    pub fn envelope(&self) -> &[u8] {
        &self.envelope
    }
    /// The 64 signature bytes (the last 64 bytes of the envelope).
    pub fn signature(&self) -> [u8; 64] {
        let mut sig = [0u8; 64];
        let n = self.envelope.len();
        sig.copy_from_slice(&self.envelope[n - 64..]);
        sig
    }
    /// Consumes the record, giving the envelope bytes.
    pub fn into_envelope(self) -> Vec<u8> {
        self.envelope
    }

    /// Checks the rules that depend on the receiving node (see [`validate`]).
    pub fn validate(&self, ctx: &Context) -> Result<(), Error> {
        validate(&self.body, ctx)
    }
}

/// Signs a draft: checks it against every rule of the format, encodes the body canonically and
/// wraps it in an envelope. Never produces a record that [`verify`] would refuse.
pub fn sign(draft: &Draft, key: &SigningKey) -> Result<Record, Error> {
    let mut pillars = draft.pillars.clone();
    pillars.sort_by(|a, b| a.as_str().as_bytes().cmp(b.as_str().as_bytes()));
    pillars.dedup();
    let body = Body {
        author: AuthorId::from(&key.verifying_key()),
        net: draft.net,
        ts: draft.ts,
        pillars,
        content: draft.content.clone(),
        expires: draft.expires,
        supersedes: draft.supersedes,
        refs: draft.refs.clone(),
    };
    check_body(&body)?;
    let body_bytes = body.encode();
    let signature = key.sign(&signed_message(&body_bytes));
    let envelope = encode_envelope(&body_bytes, &signature.to_bytes());
    if envelope.len() > MAX_ENVELOPE {
        return Err(Error::TooLarge {
            size: envelope.len(),
            max: MAX_ENVELOPE,
        });
    }
    Ok(Record {
        id: RecordId::of_body(&body_bytes),
        body,
        body_bytes,
        envelope,
    })
}

/// The bytes an author signs: [`SIGNING_PREFIX`] then the body.
pub fn signed_message(body: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(SIGNING_PREFIX.len() + body.len());
    msg.extend_from_slice(SIGNING_PREFIX);
    msg.extend_from_slice(body);
    msg
}

/// Wraps body and signature bytes into the canonical envelope `[1, body, signature]`.
pub fn encode_envelope(body: &[u8], signature: &[u8]) -> Vec<u8> {
    cbor::encode(&Value::Array(vec![
        Value::Integer(ENVELOPE_VERSION.into()),
        Value::Bytes(body.to_vec()),
        Value::Bytes(signature.to_vec()),
    ]))
}

/// A record that passed every check except the signature. Made by [`decode`]; turned into a
/// [`Record`] by [`Unverified::verify`].
#[derive(Clone)]
pub struct Unverified {
    record: Record,
    key: VerifyingKey,
    signature: Signature,
}

impl std::fmt::Debug for Unverified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unverified")
            .field("record", &self.record)
            .finish()
    }
}

impl Unverified {
    /// The id the record will have.
    pub fn id(&self) -> RecordId {
        self.record.id
    }

    /// The decoded body, not yet authenticated.
    pub fn body(&self) -> &Body {
        &self.record.body
    }

    /// Checks the signature with `verify_strict` (RFC 8032 with small-order keys and
    /// points refused).
    pub fn verify(self) -> Result<Record, Error> {
        self.key
            .verify_strict(&signed_message(&self.record.body_bytes), &self.signature)
            .map_err(|_| Error::SignatureInvalid)?;
        Ok(self.record)
    }
}

/// Decodes and checks an envelope up to, but not including, the signature: size, envelope
/// structure, version, canonical body, schema, the body rules of [`check_body`].
pub fn decode(envelope: &[u8]) -> Result<Unverified, Error> {
    decode_with(envelope, |author| author.verifying_key().ok())
}

/// [`decode`], taking the author's decompressed key from `key_of` (a cache: decompressing a
/// key costs about a sixth of a verification). `key_of` returns `None` for bytes that are not a
/// valid key.
pub fn decode_with(
    envelope: &[u8],
    key_of: impl FnOnce(&AuthorId) -> Option<VerifyingKey>,
) -> Result<Unverified, Error> {
    if envelope.len() > MAX_ENVELOPE {
        return Err(Error::TooLarge {
            size: envelope.len(),
            max: MAX_ENVELOPE,
        });
    }
    cbor::check(envelope).map_err(|e| Error::from_check(Part::Envelope, e))?;
    // The envelope is canonical CBOR now, so its items can be read straight from the bytes.
    let mut items = cbor::Items::new(envelope);
    let count = match items.head() {
        Some((4, n)) => n,
        _ => return Err(Error::BadEnvelope("expected an array")),
    };
    let version = match (count, items.head()) {
        (1.., Some((0, v))) => v,
        _ => return Err(Error::BadEnvelope("first item must be the version number")),
    };
    if version != ENVELOPE_VERSION {
        return Err(Error::UnsupportedVersion(version));
    }
    let (3, Some(body_bytes), Some(sig)) = (count, items.bytes(), items.bytes()) else {
        return Err(Error::BadEnvelope(
            "expected [1, body byte string, signature byte string]",
        ));
    };
    let body_bytes = body_bytes.to_vec();
    let sig: [u8; 64] = sig
        .try_into()
        .map_err(|_| Error::BadEnvelope("signature must be 64 bytes"))?;

    cbor::check(&body_bytes).map_err(|e| Error::from_check(Part::Body, e))?;
    let body_value = cbor::decode(&body_bytes).map_err(|kind| Error::Malformed {
        part: Part::Body,
        kind,
    })?;
    let body = Body::from_value(body_value)?;
    check_body(&body)?;
    if body.encode() != body_bytes {
        return Err(Error::NonCanonical {
            part: Part::Body,
            kind: cbor::NonCanonical::Reencode,
        });
    }
    let key = key_of(&body.author).ok_or(Error::BadAuthorKey)?;
    Ok(Unverified {
        record: Record {
            id: RecordId::of_body(&body_bytes),
            body,
            body_bytes,
            envelope: envelope.to_vec(),
        },
        key,
        signature: Signature::from_bytes(&sig),
    })
}

/// Decodes an envelope this node verified earlier (read back from its own store) without checking
/// the signature again. Never use it on bytes from the network, a file or a user.
pub fn decode_trusted(envelope: &[u8]) -> Result<Record, Error> {
    Ok(decode(envelope)?.record)
}

/// Decodes an envelope and verifies its signature with `verify_strict`.
/// Does not check the node-dependent rules: call [`Record::validate`] for those.
pub fn verify(envelope: &[u8]) -> Result<Record, Error> {
    decode(envelope)?.verify()
}

/// Checks the rules that depend on the receiving node, in this order: the network id must be the
/// node's, `ts` may be at most [`MAX_FUTURE_MS`] ahead of its clock, and `expires`, when set,
/// must be in the future.
pub fn validate(body: &Body, ctx: &Context) -> Result<(), Error> {
    if body.net != ctx.network {
        return Err(Error::WrongNetwork {
            expected: ctx.network,
            got: body.net,
        });
    }
    if body.ts > ctx.now_ms.saturating_add(MAX_FUTURE_MS) {
        return Err(Error::FutureTimestamp {
            ts: body.ts,
            now: ctx.now_ms,
            max_skew_ms: MAX_FUTURE_MS,
        });
    }
    if let Some(expires) = body.expires
        && expires <= ctx.now_ms
    {
        return Err(Error::Expired {
            expires,
            now: ctx.now_ms,
        });
    }
    Ok(())
}
