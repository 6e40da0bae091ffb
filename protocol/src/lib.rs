//! # wsf-protocol
//!
//! The record format of wsf, the World Solidarity Forum node: typed records, their canonical CBOR
//! encoding, Ed25519 signing and verification, and validation. This crate does no IO; every
//! function is a pure transformation of bytes and values, so the node, the CLI and the tests share
//! one definition of what a valid record is.
//!
//! The format is specified in `docs/protocol.md`; `docs/vectors/records.json` holds test vectors
//! generated from this crate and checked against it by its tests.
//!
//! ```
//! use wsf_protocol::*;
//! let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
//! let draft = Draft {
//!     net: NetworkId::public(),
//!     ts: 1_760_000_000_000,
//!     pillars: vec![Pillar::new("education").unwrap()],
//!     content: Content::Profile(Profile {
//!         name: "Girls Learn".into(),
//!         description: None,
//!         website: None,
//!         countries: vec![],
//!         contact: None,
//!     }),
//!     expires: None,
//!     supersedes: None,
//!     refs: vec![],
//! };
//! let record = sign(&draft, &key).unwrap();
//! let received = verify(record.envelope()).unwrap();
//! assert_eq!(received.id(), record.id());
//! ```

pub mod api;
pub mod bundle;
pub mod cbor;
pub mod content;
pub mod display;
pub mod door;
pub mod error;
mod fields;
pub mod hex;
pub mod ids;
pub mod invite;
pub mod limits;
pub mod membership;
pub mod pillar;
pub mod record;
pub mod sealed_bundle;
pub mod search;
pub mod sync;
pub mod validate;

pub use content::{
    Action, Campaign, Content, Endorsement, Kind, Practice, Profile, Resource, ResourceType,
    Retraction,
};
pub use ed25519_dalek;
pub use error::{Error, Part};
pub use fields::SchemaError;
pub use ids::{AuthorId, IdPrefix, NetworkId, ParseIdError, RecordId};
pub use pillar::{BadPillar, Pillar};
pub use record::{
    Body, Draft, ENVELOPE_VERSION, Record, SIGNING_PREFIX, Unverified, decode, decode_trusted,
    decode_with, encode_envelope, sign, signed_message, validate, verify,
};
pub use validate::{Context, Invalid, check_body};
