//! The one error type of record decoding, verification and validation.

use crate::cbor::{Malformed, NonCanonical};
use crate::fields::SchemaError;
use crate::ids::NetworkId;
use crate::validate::Invalid;

/// Why an envelope was refused. The variants follow the order of the checks (see
/// `docs/protocol.md`, "Receiving a record"); [`Error::reason`] gives a stable text code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("envelope is {size} bytes, the limit is {max}")]
    TooLarge { size: usize, max: usize },
    #[error("malformed CBOR in the {part}: {kind}")]
    Malformed { part: Part, kind: Malformed },
    #[error("CBOR not in canonical form in the {part}: {kind}")]
    NonCanonical { part: Part, kind: NonCanonical },
    #[error("not an envelope: {0}")]
    BadEnvelope(&'static str),
    #[error("unsupported envelope version {0} (this node reads version 1)")]
    UnsupportedVersion(u64),
    #[error("body does not match the schema: {0}")]
    Schema(#[from] SchemaError),
    #[error("invalid record: {0}")]
    Invalid(#[from] Invalid),
    #[error("the author field is not a valid ed25519 public key")]
    BadAuthorKey,
    #[error("the signature does not verify against the author key")]
    SignatureInvalid,
    #[error("record belongs to network {got}, this node is on {expected}")]
    WrongNetwork { expected: NetworkId, got: NetworkId },
    #[error("timestamp {ts} is more than {max_skew_ms} ms ahead of this node's clock ({now})")]
    FutureTimestamp { ts: u64, now: u64, max_skew_ms: u64 },
    #[error("record expired at {expires} (now {now})")]
    Expired { expires: u64, now: u64 },
}

/// Which CBOR item a decoding error was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Envelope,
    Body,
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Part::Envelope => "envelope",
            Part::Body => "body",
        })
    }
}

impl Error {
    /// The class of the error, a stable snake_case word; used to count rejections.
    pub fn code(&self) -> &'static str {
        match self {
            Error::TooLarge { .. } => "too_large",
            Error::Malformed { .. } => "malformed",
            Error::NonCanonical { .. } => "non_canonical",
            Error::BadEnvelope(_) => "bad_envelope",
            Error::UnsupportedVersion(_) => "unsupported_version",
            Error::Schema(_) => "schema",
            Error::Invalid(_) => "invalid",
            Error::BadAuthorKey => "bad_author_key",
            Error::SignatureInvalid => "signature_invalid",
            Error::WrongNetwork { .. } => "wrong_network",
            Error::FutureTimestamp { .. } => "future_timestamp",
            Error::Expired { .. } => "expired",
        }
    }

    /// The class and, where there is one, the sub-class: `non_canonical.unsorted_keys`,
    /// `schema.missing_field`, `invalid.too_many_pillars`. The test vectors use this form.
    pub fn reason(&self) -> String {
        let sub = match self {
            Error::Malformed { kind, .. } => Some(match kind {
                Malformed::Truncated => "truncated",
                Malformed::TrailingBytes => "trailing_bytes",
                Malformed::Reserved(_) => "reserved",
                Malformed::TooDeep => "too_deep",
                Malformed::InvalidUtf8 => "invalid_utf8",
                Malformed::StrayBreak => "stray_break",
            }),
            Error::NonCanonical { kind, .. } => Some(match kind {
                NonCanonical::NonMinimalInteger => "non_minimal_integer",
                NonCanonical::IndefiniteLength => "indefinite_length",
                NonCanonical::UnsortedKeys => "unsorted_keys",
                NonCanonical::DuplicateKey => "duplicate_key",
                NonCanonical::Float => "float",
                NonCanonical::Tag => "tag",
                NonCanonical::SimpleValue => "simple_value",
                NonCanonical::Reencode => "reencode",
            }),
            Error::Schema(e) => Some(e.code()),
            Error::Invalid(e) => Some(e.code()),
            _ => None,
        };
        match sub {
            Some(sub) => format!("{}.{sub}", self.code()),
            None => self.code().to_owned(),
        }
    }

    /// Whether the sender is to blame (forged or malformed data) rather than the circumstances
    /// (an expired or too-early record, another network, a newer envelope version this node
    /// cannot read). Gossip maps `true` to Reject, which lowers the sender's score, and `false`
    /// to Ignore.
    pub fn is_misbehaviour(&self) -> bool {
        !matches!(
            self,
            Error::FutureTimestamp { .. }
                | Error::Expired { .. }
                | Error::WrongNetwork { .. }
                | Error::UnsupportedVersion(_)
        )
    }
}

impl Error {
    pub(crate) fn from_check(part: Part, e: crate::cbor::CheckError) -> Self {
        match e {
            crate::cbor::CheckError::Malformed(kind) => Error::Malformed { part, kind },
            crate::cbor::CheckError::NonCanonical(kind) => Error::NonCanonical { part, kind },
        }
    }
}
