//! Invite codes: everything a new node needs to join a closed network, as text an organisation
//! can paste into a message or show as a QR code.
//!
//! ```text
//! code    = "wsf1" base32(payload ‖ checksum)        lowercase RFC 4648 alphabet, no padding
//! payload = canonical CBOR map {"net": bstr 16, "name": text, "key": bstr 32,
//!                               "boot": [text multiaddrs], "inviter": bstr 32, "expires": uint ms}
//! checksum = first 4 bytes of BLAKE3-256(payload)
//! ```
//! `expires` 0 means the code does not expire. The checksum catches typos; the code is a secret
//! (it carries the network key): send it over a channel you trust.

use ciborium::Value;

use crate::cbor;
use crate::fields::{Fields, MapBuilder};
use crate::{AuthorId, NetworkId};

/// The text every invite code starts with.
pub const PREFIX: &str = "wsf1";
const ALPHABET: &str = "abcdefghijklmnopqrstuvwxyz234567";

/// What an invite carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub net: NetworkId,
    pub name: String,
    /// The network's pre-shared key.
    pub key: [u8; 32],
    /// Addresses of the inviting node (multiaddrs with `/p2p/`).
    pub bootstrap: Vec<String>,
    /// The inviter's author key: the new node starts with it as its first partner.
    pub inviter: AuthorId,
    /// ms since the Unix epoch; 0: never.
    pub expires: u64,
}

/// Why a code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InviteError {
    #[error("not a wsf invite code (it should start with {PREFIX})")]
    Prefix,
    #[error("the code contains a character that cannot be in an invite code: {0:?}")]
    Character(char),
    #[error("the code has a typo or is incomplete (its checksum does not match)")]
    Checksum,
    #[error("the code is damaged: {0}")]
    Damaged(String),
    #[error("the invite expired")]
    Expired,
}

/// RFC 4648 base32 in lower case without padding.
fn encoding() -> &'static data_encoding::Encoding {
    static ENCODING: std::sync::LazyLock<data_encoding::Encoding> =
        std::sync::LazyLock::new(|| {
            let mut spec = data_encoding::Specification::new();
            spec.symbols.push_str(ALPHABET);
            // The alphabet is fixed and valid; an invalid one would fail every decode, not panic.
            spec.encoding()
                .unwrap_or_else(|_| data_encoding::BASE32_NOPAD.clone())
        });
    &ENCODING
}

fn base32(bytes: &[u8]) -> String {
    encoding().encode(bytes)
}

fn unbase32(text: &str) -> Result<Vec<u8>, InviteError> {
    encoding()
        .decode(text.as_bytes())
        .map_err(|e| match e.kind {
            data_encoding::DecodeKind::Symbol => text
                .get(e.position..)
                .and_then(|rest| rest.chars().next())
                .map_or(InviteError::Checksum, InviteError::Character),
            // A length no code can have, or stray bits at the end: a cut or mistyped code.
            _ => InviteError::Checksum,
        })
}

impl Invite {
    /// The code as text.
    pub fn encode(&self) -> String {
        let payload = cbor::encode(
            &MapBuilder::default()
                .put("net", self.net.as_bytes().to_vec())
                .put("name", self.name.as_str())
                .put("key", self.key.to_vec())
                .put(
                    "boot",
                    Value::Array(
                        self.bootstrap
                            .iter()
                            .map(|b| Value::Text(b.clone()))
                            .collect(),
                    ),
                )
                .put("inviter", self.inviter.as_bytes().to_vec())
                .put("expires", self.expires)
                .build(),
        );
        code_of(PREFIX, payload)
    }

    /// Reads a code (spaces, line breaks and case are ignored); refuses expired ones.
    pub fn decode(code: &str, now_ms: u64) -> Result<Invite, InviteError> {
        let damaged = |e: &dyn std::fmt::Display| InviteError::Damaged(e.to_string());
        let mut f = payload_of(code, PREFIX)?;
        let net = NetworkId(f.bytes::<16>("net").map_err(|e| damaged(&e))?);
        let name = f.text("name").map_err(|e| damaged(&e))?;
        let key = f.bytes::<32>("key").map_err(|e| damaged(&e))?;
        let items = f.array("boot").map_err(|e| damaged(&e))?;
        let bootstrap = f.texts("boot", items).map_err(|e| damaged(&e))?;
        let inviter = AuthorId(f.bytes::<32>("inviter").map_err(|e| damaged(&e))?);
        let expires = f.uint("expires").map_err(|e| damaged(&e))?;
        f.finish().map_err(|e| damaged(&e))?;
        if expires != 0 && expires <= now_ms {
            return Err(InviteError::Expired);
        }
        Ok(Invite {
            net,
            name,
            key,
            bootstrap,
            inviter,
            expires,
        })
    }
}

/// The text every invite code of the door's kind starts with (`door.rs`).
pub const PREFIX_2: &str = "wsf2";

/// An invite that the inviting node enforces (`crate::door`): the code names the invite and
/// carries its secret, never the network key.
///
/// ```text
/// code    = "wsf2" base32(payload ‖ checksum)
/// payload = canonical CBOR map {"net": bstr 16, "name": text, "id": bstr 16, "secret": bstr 32,
///                               "door": [text multiaddrs /ip4|ip6/…/tcp/…], "inviter": bstr 32,
///                               "expires": uint ms}
/// ```
/// `expires` is what the inviting node said when it made the invite, shown to the person who
/// joins; the inviting node decides by its own record of the invite, so editing it changes
/// nothing. An edited `net`, `id`, `secret` or `inviter` fails the door's handshake (they are
/// all in it); a code's checksum only catches typos, since anyone can recompute it.
#[derive(Clone, PartialEq, Eq)]
pub struct DoorInvite {
    pub net: NetworkId,
    pub name: String,
    pub id: crate::door::InviteId,
    pub secret: [u8; crate::door::SECRET_LEN],
    /// Where the inviting node's door listens (the node that keeps this invite's use count).
    pub door: Vec<String>,
    pub inviter: AuthorId,
    pub expires: u64,
}

/// Leaves the secret out.
impl std::fmt::Debug for DoorInvite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DoorInvite")
            .field("net", &self.net)
            .field("name", &self.name)
            .field("id", &self.id)
            .field("door", &self.door)
            .field("inviter", &self.inviter)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

/// The code of `payload`: prefix, base32 of the payload and its checksum.
fn code_of(prefix: &str, payload: Vec<u8>) -> String {
    let mut bytes = payload;
    let sum = blake3::hash(&bytes);
    bytes.extend_from_slice(&sum.as_bytes()[..4]);
    format!("{prefix}{}", base32(&bytes))
}

/// The payload of a code (its checksum checked), as CBOR fields.
fn payload_of(code: &str, prefix: &str) -> Result<Fields, InviteError> {
    let text: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    let body = text.strip_prefix(prefix).ok_or(InviteError::Prefix)?;
    let bytes = unbase32(body)?;
    if bytes.len() < 5 {
        return Err(InviteError::Checksum);
    }
    let (payload, sum) = bytes.split_at(bytes.len() - 4);
    if blake3::hash(payload).as_bytes()[..4] != *sum {
        return Err(InviteError::Checksum);
    }
    let damaged = |e: &dyn std::fmt::Display| InviteError::Damaged(e.to_string());
    cbor::check(payload).map_err(|e| damaged(&e))?;
    let value = cbor::decode(payload).map_err(|e| damaged(&e))?;
    Fields::new(value, "", "invite").map_err(|e| damaged(&e))
}

impl DoorInvite {
    /// The code as text.
    pub fn encode(&self) -> String {
        let payload = cbor::encode(
            &MapBuilder::default()
                .put("net", self.net.as_bytes().to_vec())
                .put("name", self.name.as_str())
                .put("id", self.id.0.to_vec())
                .put("secret", self.secret.to_vec())
                .put(
                    "door",
                    Value::Array(self.door.iter().map(|d| Value::Text(d.clone())).collect()),
                )
                .put("inviter", self.inviter.as_bytes().to_vec())
                .put("expires", self.expires)
                .build(),
        );
        code_of(PREFIX_2, payload)
    }

    /// Reads a code (spaces, dashes, line breaks and case are ignored). Expiry is not checked
    /// here: the inviting node decides.
    pub fn decode(code: &str) -> Result<DoorInvite, InviteError> {
        let damaged = |e: &dyn std::fmt::Display| InviteError::Damaged(e.to_string());
        let mut f = payload_of(code, PREFIX_2)?;
        let net = NetworkId(f.bytes::<16>("net").map_err(|e| damaged(&e))?);
        let name = f.text("name").map_err(|e| damaged(&e))?;
        let id = crate::door::InviteId(f.bytes::<16>("id").map_err(|e| damaged(&e))?);
        let secret = f.bytes::<32>("secret").map_err(|e| damaged(&e))?;
        let items = f.array("door").map_err(|e| damaged(&e))?;
        let door = f.texts("door", items).map_err(|e| damaged(&e))?;
        let inviter = AuthorId(f.bytes::<32>("inviter").map_err(|e| damaged(&e))?);
        let expires = f.uint("expires").map_err(|e| damaged(&e))?;
        f.finish().map_err(|e| damaged(&e))?;
        if door.is_empty() || door.len() > crate::door::MAX_BOOT {
            return Err(InviteError::Damaged("door: 1 to 32 addresses".into()));
        }
        Ok(DoorInvite {
            net,
            name,
            id,
            secret,
            door,
            inviter,
            expires,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn door_codes_round_trip_catch_typos_and_have_a_vector() {
        let invite = DoorInvite {
            net: NetworkId([3; 16]),
            name: "Coalition".into(),
            id: crate::door::InviteId([7; 16]),
            secret: [0x42; 32],
            door: vec!["/ip4/192.0.2.1/tcp/7656".into()],
            inviter: AuthorId([5; 32]),
            expires: 2_000,
        };
        let code = invite.encode();
        assert!(code.starts_with(PREFIX_2));
        assert_eq!(DoorInvite::decode(&code), Ok(invite.clone()));
        assert_eq!(code, DOOR_VECTOR);
        for i in PREFIX_2.len()..code.len() {
            let mut bad: Vec<char> = code.chars().collect();
            bad[i] = if bad[i] == 'a' { 'b' } else { 'a' };
            let bad: String = bad.into_iter().collect();
            assert!(DoorInvite::decode(&bad).is_err(), "typo at {i}");
        }
        // A code of the old kind is not one of these.
        assert_eq!(DoorInvite::decode("wsf1abc"), Err(InviteError::Prefix));
    }

    const DOOR_VECTOR: &str = "wsf2u5rgszcqa4dqobyha4dqobyha4dqobyha5rw4zlukabqgaydambqgaydambqgaydambwizdpn5zic5zpnfydilzrhezc4mbogixdcl3umnyc6nzwgu3gi3tbnvswsq3pmfwgs5djn5xgm43fmnzgk5cyebbeeqscijbeeqscijbeeqscijbeeqscijbeeqscijbeeqscijbeez3fpbygs4tfommqpudhnfxhm2lumvzfqiafaucqkbifaucqkbifaucqkbifaucqkbifaucqkbifaucqkbifaws77la7";

    fn invite() -> Invite {
        Invite {
            net: NetworkId([3; 16]),
            name: "Coalition".into(),
            key: [9; 32],
            bootstrap: vec!["/ip4/192.0.2.1/tcp/7654/p2p/12D3KooWExample".into()],
            inviter: AuthorId([5; 32]),
            expires: 2_000,
        }
    }

    #[test]
    fn codes_round_trip_and_catch_typos() {
        let code = invite().encode();
        assert!(code.starts_with(PREFIX));
        assert_eq!(Invite::decode(&code, 1_000), Ok(invite()));
        // Pasted with line breaks and in capitals.
        let messy = format!("{}\n  {}", &code[..20], code[20..].to_uppercase());
        assert_eq!(Invite::decode(&messy, 1_000), Ok(invite()));
        // Every single-character change is caught.
        for i in PREFIX.len()..code.len() {
            let mut bad: Vec<char> = code.chars().collect();
            bad[i] = if bad[i] == 'a' { 'b' } else { 'a' };
            let bad: String = bad.into_iter().collect();
            assert!(Invite::decode(&bad, 1_000).is_err(), "typo at {i}");
        }
        assert_eq!(Invite::decode(&code, 2_000), Err(InviteError::Expired));
        assert_eq!(Invite::decode("hello", 0), Err(InviteError::Prefix));
        assert!(matches!(
            Invite::decode("wsf1!!", 0),
            Err(InviteError::Character('!'))
        ));
    }
}
