//! Identifier newtypes: records, authors, networks.
//!
//! Text form: lowercase hex of the bytes. `Debug` prints a short prefix so logs stay readable.

use std::fmt;
use std::str::FromStr;

use crate::hex;

/// Why an id could not be parsed from text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseIdError {
    #[error("expected {expected} hex characters, got {got}")]
    Length { expected: usize, got: usize },
    #[error("not a hex string: {0:?}")]
    NotHex(String),
    #[error("an id prefix needs {min} to {max} hex characters, got {got}")]
    PrefixLength { min: usize, max: usize, got: usize },
    #[error("not a valid ed25519 public key")]
    BadKey,
}

macro_rules! byte_id {
    ($(#[$doc:meta])* $name:ident, $len:expr, $label:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            /// Length of the id in bytes.
            pub const LEN: usize = $len;

            /// The raw bytes.
            pub fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }

            /// Full lowercase hex.
            pub fn to_hex(&self) -> String {
                hex::encode(&self.0)
            }

            /// The first 12 hex characters, for tables and logs.
            pub fn short(&self) -> String {
                let mut s = self.to_hex();
                s.truncate(12);
                s
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({}…)", $label, &self.short())
            }
        }

        impl FromStr for $name {
            type Err = ParseIdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let s = s.trim();
                if s.len() != $len * 2 {
                    return Err(ParseIdError::Length { expected: $len * 2, got: s.len() });
                }
                hex::decode_array::<$len>(s)
                    .map($name)
                    .ok_or_else(|| ParseIdError::NotHex(s.to_owned()))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_hex())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

byte_id!(
    /// A record's id: BLAKE3-256 of its canonical body bytes.
    RecordId, 32, "RecordId"
);
byte_id!(
    /// An author: the 32-byte ed25519 public key of an organisation.
    AuthorId, 32, "AuthorId"
);
byte_id!(
    /// A network: 16 bytes, carried in every body, topic name and sync request.
    NetworkId, 16, "NetworkId"
);

impl RecordId {
    /// The id of a body: BLAKE3-256 of its bytes.
    pub fn of_body(body: &[u8]) -> Self {
        RecordId(*blake3::hash(body).as_bytes())
    }
}

impl AuthorId {
    /// The ed25519 key, if these bytes are a valid point encoding.
    pub fn verifying_key(&self) -> Result<ed25519_dalek::VerifyingKey, ParseIdError> {
        ed25519_dalek::VerifyingKey::from_bytes(&self.0).map_err(|_| ParseIdError::BadKey)
    }
}

impl From<&ed25519_dalek::VerifyingKey> for AuthorId {
    fn from(key: &ed25519_dalek::VerifyingKey) -> Self {
        AuthorId(key.to_bytes())
    }
}

impl NetworkId {
    /// The open public network every node joins unless it was given another one:
    /// the first 16 bytes of BLAKE3("wsf public network v1").
    pub fn public() -> Self {
        let hash = blake3::hash(b"wsf public network v1");
        let mut id = [0u8; 16];
        id.copy_from_slice(&hash.as_bytes()[..16]);
        NetworkId(id)
    }
}

/// A hex prefix of a record or author id, as a person types it (at least 4 characters).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdPrefix {
    text: String,
}

impl IdPrefix {
    /// Fewest hex characters accepted as a prefix.
    pub const MIN: usize = 4;
    /// Most: a whole 32-byte id.
    pub const MAX: usize = 64;

    /// The prefix text in lowercase.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The whole bytes covered by the prefix (an odd trailing digit is left out) — the range
    /// start for an ordered lookup.
    pub fn leading_bytes(&self) -> Vec<u8> {
        let even = self.text.len() / 2 * 2;
        hex::decode(&self.text[..even]).unwrap_or_default()
    }

    /// Whether `bytes` starts with this prefix.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        hex::encode(bytes).starts_with(&self.text)
    }
}

impl FromStr for IdPrefix {
    type Err = ParseIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if !(Self::MIN..=Self::MAX).contains(&s.len()) {
            return Err(ParseIdError::PrefixLength {
                min: Self::MIN,
                max: Self::MAX,
                got: s.len(),
            });
        }
        if !hex::is_hex(s) {
            return Err(ParseIdError::NotHex(s.to_owned()));
        }
        Ok(IdPrefix {
            text: s.to_ascii_lowercase(),
        })
    }
}

impl fmt::Debug for IdPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdPrefix({})", self.text)
    }
}

impl fmt::Display for IdPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_back_from_text() {
        let id = RecordId::of_body(b"hello");
        assert_eq!(id.to_string().parse::<RecordId>(), Ok(id));
        assert_eq!(id.to_string().to_uppercase().parse::<RecordId>(), Ok(id));
        assert!(matches!(
            "abcd".parse::<RecordId>(),
            Err(ParseIdError::Length { .. })
        ));
        assert!(format!("{id:?}").len() < 30);
    }

    #[test]
    fn prefixes_match_their_ids() {
        let id = RecordId::of_body(b"hello");
        let p: IdPrefix = id.to_string()[..7].parse().expect("valid prefix");
        assert!(p.matches(id.as_bytes()));
        assert_eq!(p.leading_bytes(), id.as_bytes()[..3].to_vec());
        assert!("abc".parse::<IdPrefix>().is_err());
        assert!("abcx".parse::<IdPrefix>().is_err());
    }

    #[test]
    fn public_network_id_is_stable() {
        assert_eq!(NetworkId::public(), NetworkId::public());
        assert_eq!(NetworkId::public().to_hex().len(), 32);
    }
}
