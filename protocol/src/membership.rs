//! Membership of a closed network: signed statements (who founded it, who welcomed whom and
//! which node keys act for them, who is an admin, who was removed or left, which pre-shared key
//! is current) and the state every node derives from the set of statements it holds.
//!
//! Statements are not records: they belong to the network, not to a pillar, travel on their
//! own gossip topic and exchange, and are signed under their own prefix (`wsf-member-v1`), so a
//! record signature can never be taken for a statement or the other way round. Specified in
//! `docs/protocol.md` §17.4–17.6.
//!
//! The state is a function of the set: statements are applied in the order of `(at, id)` and a
//! statement counts only if its signer had the right to make it at that point of the order.

use std::collections::{BTreeMap, BTreeSet};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use ciborium::Value;
use ed25519_dalek::{Signature, Signer, SigningKey};

use crate::cbor;
use crate::fields::{Fields, MapBuilder};
use crate::ids::{AuthorId, NetworkId};

/// The prefix of the signed message: `wsf-member-v1` and a zero byte, then the body.
pub const SIGNING_PREFIX: &[u8] = b"wsf-member-v1\0";
/// The prefix of a joiner's proof that it holds its author key (section 17.3).
pub const PROOF_PREFIX: &[u8] = b"wsf-join-proof-v1\0";
/// Largest statement in bytes.
pub const MAX_STATEMENT: usize = 57_344;
/// Most statements a node keeps for one network; it refuses more.
pub const MAX_LOG: usize = 20_000;
/// Most node keys one statement names.
pub const MAX_NODES: usize = 8;
/// Longest node key (libp2p peer id bytes).
pub const MAX_NODE_ID: usize = 64;
/// Longest name, in bytes of UTF-8.
pub const MAX_NAME: usize = 200;
/// Most sealed keys in one rekey statement.
pub const MAX_KEYS: usize = 400;
/// A sealed key: ephemeral X25519 public key (32) ‖ ciphertext of 32 bytes ‖ tag (16).
pub const BOX_LEN: usize = 80;

/// What a statement does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    /// The network's root (its creator) founds it; `nodes` act for it.
    Found { nodes: Vec<Vec<u8>> },
    /// A node of a network made before membership existed says it was on it.
    Legacy { nodes: Vec<Vec<u8>> },
    /// A member welcomes a new member (its author key), whose nodes are `nodes`.
    Welcome {
        member: AuthorId,
        name: String,
        nodes: Vec<Vec<u8>>,
    },
    /// An admin makes a member an admin.
    Admin { member: AuthorId },
    /// An admin removes a member, or a member leaves (`member` = the signer).
    Remove { member: AuthorId },
    /// An admin makes a new pre-shared key (epoch `epoch`), sealed to each current member;
    /// the previous key is still accepted until `until` (ms since the Unix epoch).
    Rekey {
        epoch: u64,
        until: u64,
        keys: Vec<(AuthorId, [u8; BOX_LEN])>,
    },
}

impl Act {
    /// The name on the wire.
    pub fn name(&self) -> &'static str {
        match self {
            Act::Found { .. } => "found",
            Act::Legacy { .. } => "legacy",
            Act::Welcome { .. } => "welcome",
            Act::Admin { .. } => "admin",
            Act::Remove { .. } => "remove",
            Act::Rekey { .. } => "rekey",
        }
    }
}

/// The signed part of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub net: NetworkId,
    /// The signer's author key.
    pub by: AuthorId,
    /// When it was made (ms since the Unix epoch), as the signer says.
    pub at: u64,
    pub act: Act,
}

/// A statement as received or made: its bytes, its id and what it says. Its signature was
/// checked when it was made or decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    body: Body,
    bytes: Vec<u8>,
    id: [u8; 32],
}

/// Why a statement is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemberError {
    #[error("the statement is larger than {MAX_STATEMENT} bytes")]
    TooLarge,
    #[error("the statement is malformed: {0}")]
    Malformed(String),
    #[error("the statement is for another network")]
    WrongNetwork,
    #[error("the statement's signature does not verify")]
    BadSignature,
    #[error("the sealed key cannot be opened")]
    Sealed,
}

fn malformed(e: impl std::fmt::Display) -> MemberError {
    MemberError::Malformed(e.to_string())
}

fn nodes_value(nodes: &[Vec<u8>]) -> Value {
    Value::Array(nodes.iter().map(|n| Value::Bytes(n.clone())).collect())
}

fn nodes_of(items: Vec<Value>) -> Result<Vec<Vec<u8>>, MemberError> {
    if items.is_empty() || items.len() > MAX_NODES {
        return Err(malformed(format!("nodes: 1 to {MAX_NODES} node keys")));
    }
    let mut out: Vec<Vec<u8>> = Vec::with_capacity(items.len());
    for v in items {
        match v {
            Value::Bytes(b) if !b.is_empty() && b.len() <= MAX_NODE_ID => {
                if out.contains(&b) {
                    return Err(malformed("nodes: a node key twice"));
                }
                out.push(b)
            }
            _ => return Err(malformed("nodes: byte strings of 1 to 64 bytes")),
        }
    }
    Ok(out)
}

impl Body {
    /// The canonical CBOR encoding.
    pub fn encode(&self) -> Vec<u8> {
        let m = MapBuilder::default()
            .put("net", self.net.as_bytes().to_vec())
            .put("by", self.by.as_bytes().to_vec())
            .put("at", self.at)
            .put("act", self.act.name());
        let m = match &self.act {
            Act::Found { nodes } | Act::Legacy { nodes } => m.put("nodes", nodes_value(nodes)),
            Act::Welcome {
                member,
                name,
                nodes,
            } => m
                .put("member", member.as_bytes().to_vec())
                .put("name", name.as_str())
                .put("nodes", nodes_value(nodes)),
            Act::Admin { member } | Act::Remove { member } => {
                m.put("member", member.as_bytes().to_vec())
            }
            Act::Rekey { epoch, until, keys } => m.put("epoch", *epoch).put("until", *until).put(
                "keys",
                Value::Array(
                    keys.iter()
                        .map(|(a, b)| {
                            Value::Array(vec![
                                Value::Bytes(a.as_bytes().to_vec()),
                                Value::Bytes(b.to_vec()),
                            ])
                        })
                        .collect(),
                ),
            ),
        };
        cbor::encode_owned(m.build())
    }

    fn decode(bytes: &[u8]) -> Result<Body, MemberError> {
        cbor::check(bytes).map_err(malformed)?;
        let mut f = Fields::new(cbor::decode(bytes).map_err(malformed)?, "", "statement")
            .map_err(malformed)?;
        let net = NetworkId(f.bytes::<16>("net").map_err(malformed)?);
        let by = AuthorId(f.bytes::<32>("by").map_err(malformed)?);
        let at = f.uint("at").map_err(malformed)?;
        let name = f.text("act").map_err(malformed)?;
        let act = match name.as_str() {
            "found" | "legacy" => {
                let nodes = nodes_of(f.array("nodes").map_err(malformed)?)?;
                if name == "found" {
                    Act::Found { nodes }
                } else {
                    Act::Legacy { nodes }
                }
            }
            "welcome" => {
                let member = AuthorId(f.bytes::<32>("member").map_err(malformed)?);
                member
                    .verifying_key()
                    .map_err(|_| malformed("member: not an Ed25519 public key"))?;
                let name = f.text("name").map_err(malformed)?;
                if name.len() > MAX_NAME {
                    return Err(malformed("name: longer than 200 bytes"));
                }
                let nodes = nodes_of(f.array("nodes").map_err(malformed)?)?;
                Act::Welcome {
                    member,
                    name,
                    nodes,
                }
            }
            "admin" | "remove" => {
                let member = AuthorId(f.bytes::<32>("member").map_err(malformed)?);
                if name == "admin" {
                    Act::Admin { member }
                } else {
                    Act::Remove { member }
                }
            }
            "rekey" => {
                let epoch = f.uint("epoch").map_err(malformed)?;
                let until = f.uint("until").map_err(malformed)?;
                let items = f.array("keys").map_err(malformed)?;
                if items.len() > MAX_KEYS {
                    return Err(malformed("keys: too many"));
                }
                let mut keys: Vec<(AuthorId, [u8; BOX_LEN])> = Vec::with_capacity(items.len());
                for item in items {
                    let Value::Array(pair) = item else {
                        return Err(malformed("keys: pairs [member, box]"));
                    };
                    let [Value::Bytes(a), Value::Bytes(b)]: [Value; 2] = pair
                        .try_into()
                        .map_err(|_| malformed("keys: pairs [member, box]"))?
                    else {
                        return Err(malformed("keys: pairs of byte strings"));
                    };
                    let a: [u8; 32] = a.try_into().map_err(|_| malformed("keys: member"))?;
                    let b: [u8; BOX_LEN] = b.try_into().map_err(|_| malformed("keys: box"))?;
                    if keys.iter().any(|(m, _)| m.0 == a) {
                        return Err(malformed("keys: a member twice"));
                    }
                    keys.push((AuthorId(a), b));
                }
                Act::Rekey { epoch, until, keys }
            }
            other => return Err(malformed(format!("unknown act {other:?}"))),
        };
        f.finish().map_err(malformed)?;
        Ok(Body { net, by, at, act })
    }
}

/// The message an author signs: the prefix, then the body.
pub fn signed_message(body: &[u8]) -> Vec<u8> {
    let mut m = SIGNING_PREFIX.to_vec();
    m.extend_from_slice(body);
    m
}

impl Statement {
    /// Signs a body. `key` must be the key of `body.by`.
    pub fn sign(body: Body, key: &SigningKey) -> Statement {
        let body_bytes = body.encode();
        let sig = key.sign(&signed_message(&body_bytes));
        let id = *blake3::hash(&body_bytes).as_bytes();
        let bytes = cbor::encode_owned(Value::Array(vec![
            Value::Bytes(body_bytes),
            Value::Bytes(sig.to_bytes().to_vec()),
        ]));
        Statement { body, bytes, id }
    }

    /// Reads and verifies a statement of network `net`.
    pub fn decode(bytes: &[u8], net: &NetworkId) -> Result<Statement, MemberError> {
        if bytes.len() > MAX_STATEMENT {
            return Err(MemberError::TooLarge);
        }
        cbor::check(bytes).map_err(malformed)?;
        let Value::Array(items) = cbor::decode(bytes).map_err(malformed)? else {
            return Err(malformed("not an array [body, signature]"));
        };
        let [Value::Bytes(body_bytes), Value::Bytes(sig)]: [Value; 2] = items
            .try_into()
            .map_err(|_| malformed("not an array [body, signature]"))?
        else {
            return Err(malformed("not an array of two byte strings"));
        };
        let body = Body::decode(&body_bytes)?;
        if body.net != *net {
            return Err(MemberError::WrongNetwork);
        }
        let sig: [u8; 64] = sig
            .try_into()
            .map_err(|_| malformed("signature: 64 bytes"))?;
        let key = body
            .by
            .verifying_key()
            .map_err(|_| MemberError::BadSignature)?;
        key.verify_strict(&signed_message(&body_bytes), &Signature::from_bytes(&sig))
            .map_err(|_| MemberError::BadSignature)?;
        let id = *blake3::hash(&body_bytes).as_bytes();
        Ok(Statement {
            body,
            bytes: bytes.to_vec(),
            id,
        })
    }

    pub fn body(&self) -> &Body {
        &self.body
    }

    /// The statement's bytes: `[body, signature]`.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// BLAKE3-256 of the body bytes.
    pub fn id(&self) -> [u8; 32] {
        self.id
    }
}

/// The joiner's proof (section 17.3) that it holds its author key: the message it signs.
pub fn proof_message(net: &NetworkId, invite: &[u8; 16], node: &[u8]) -> Vec<u8> {
    let mut m = PROOF_PREFIX.to_vec();
    m.extend_from_slice(net.as_bytes());
    m.extend_from_slice(invite);
    m.extend_from_slice(node);
    m
}

/// A member as the state knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Who welcomed it; `None` for the root and for legacy members.
    pub invited_by: Option<AuthorId>,
    /// The name it was welcomed under (a claim the inviter relayed).
    pub name: String,
    /// When it became a member (the welcoming statement's `at`).
    pub since: u64,
    pub admin: bool,
    /// The node keys that act for it.
    pub nodes: BTreeSet<Vec<u8>>,
}

/// A member who is no longer one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    pub by: AuthorId,
    pub at: u64,
    /// It left by itself.
    pub left: bool,
}

/// What a node derives from the statements it holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct State {
    pub members: BTreeMap<AuthorId, Member>,
    pub removed: BTreeMap<AuthorId, Removed>,
    /// The current key's epoch (0: the key the network was made with).
    pub epoch: u64,
    /// Until when the previous epoch's key is still accepted (0: no previous key).
    pub previous_until: u64,
    /// The current epoch's sealed keys, by member.
    pub boxes: BTreeMap<AuthorId, [u8; BOX_LEN]>,
    /// The id of the rekey statement that made the current epoch (two admins may rekey to the
    /// same epoch at once: the one first in the order wins, on every node).
    pub rekey: Option<[u8; 32]>,
    /// Statements that counted, of those held.
    pub applied: usize,
}

impl State {
    /// Applies `statements` of a network whose root is `root` (`None`: a network made before
    /// membership, see [`Act::Legacy`]) in the order of `(at, id)`.
    pub fn derive<'a>(
        root: Option<&AuthorId>,
        statements: impl IntoIterator<Item = &'a Statement>,
    ) -> State {
        let mut sorted: Vec<&Statement> = statements.into_iter().collect();
        sorted.sort_by_key(|s| (s.body.at, s.id));
        sorted.dedup_by(|a, b| a.id == b.id);
        let mut s = State::default();
        for st in sorted {
            if s.apply(root, &st.body) {
                s.applied += 1;
                if matches!(st.body.act, Act::Rekey { .. }) {
                    s.rekey = Some(st.id);
                }
            }
        }
        s
    }

    fn is_admin(&self, a: &AuthorId) -> bool {
        self.members.get(a).is_some_and(|m| m.admin)
    }

    fn add(&mut self, member: AuthorId, m: Member) {
        self.removed.remove(&member);
        self.members.insert(member, m);
    }

    /// Applies one statement; whether it counted.
    fn apply(&mut self, root: Option<&AuthorId>, b: &Body) -> bool {
        match &b.act {
            Act::Found { nodes } => {
                if root != Some(&b.by) || self.members.contains_key(&b.by) {
                    return false;
                }
                if self.removed.contains_key(&b.by) {
                    return false;
                }
                self.add(b.by, member(None, String::new(), b.at, true, nodes));
            }
            Act::Legacy { nodes } => {
                // Only on a network made before membership, and only until its first rekey.
                if root.is_some() || self.epoch > 0 || self.members.contains_key(&b.by) {
                    return false;
                }
                if self.removed.contains_key(&b.by) {
                    return false;
                }
                // The first legacy member is the network's first admin.
                let admin = self.members.is_empty();
                self.add(b.by, member(None, String::new(), b.at, admin, nodes));
            }
            Act::Welcome {
                member: m,
                name,
                nodes,
            } => {
                if !self.members.contains_key(&b.by) || self.members.contains_key(m) {
                    return false;
                }
                // Only an admin takes a removed member back.
                if self.removed.contains_key(m) && !self.is_admin(&b.by) {
                    return false;
                }
                self.add(*m, member(Some(b.by), name.clone(), b.at, false, nodes));
            }
            Act::Admin { member: m } => {
                if !self.is_admin(&b.by) {
                    return false;
                }
                match self.members.get_mut(m) {
                    Some(x) if !x.admin => x.admin = true,
                    _ => return false,
                }
            }
            Act::Remove { member: m } => {
                if !(self.is_admin(&b.by) || b.by == *m) || !self.members.contains_key(m) {
                    return false;
                }
                self.members.remove(m);
                self.boxes.remove(m);
                self.removed.insert(
                    *m,
                    Removed {
                        by: b.by,
                        at: b.at,
                        left: b.by == *m,
                    },
                );
            }
            Act::Rekey { epoch, until, keys } => {
                if !self.is_admin(&b.by) || *epoch != self.epoch + 1 {
                    return false;
                }
                self.epoch = *epoch;
                self.previous_until = *until;
                self.boxes = keys
                    .iter()
                    .filter(|(m, _)| self.members.contains_key(m))
                    .map(|(m, k)| (*m, *k))
                    .collect();
            }
        }
        true
    }

    /// Whether node key `node` acts for a current member.
    pub fn allows(&self, node: &[u8]) -> bool {
        self.members.values().any(|m| m.nodes.contains(node))
    }

    /// The member a node key acts for.
    pub fn member_of(&self, node: &[u8]) -> Option<AuthorId> {
        self.members
            .iter()
            .find(|(_, m)| m.nodes.contains(node))
            .map(|(a, _)| *a)
    }

    /// Whether nodes should refuse connections from node keys no member stands behind: once
    /// the network has members, except on a network made before membership that has not been
    /// rekeyed yet (its nodes are still recording themselves as members).
    pub fn gates(&self, root: Option<&AuthorId>) -> bool {
        !self.members.is_empty() && (root.is_some() || self.epoch > 0)
    }
}

fn member(
    invited_by: Option<AuthorId>,
    name: String,
    since: u64,
    admin: bool,
    nodes: &[Vec<u8>],
) -> Member {
    Member {
        invited_by,
        name,
        since,
        admin,
        nodes: nodes.iter().cloned().collect(),
    }
}

/// The X25519 public key of an author (its ed25519 key, mapped to Montgomery form).
fn x25519_public(author: &AuthorId) -> Result<[u8; 32], MemberError> {
    Ok(author
        .verifying_key()
        .map_err(|_| MemberError::Sealed)?
        .to_montgomery()
        .to_bytes())
}

fn box_key(shared: &[u8; 32], eph: &[u8; 32], recipient: &[u8; 32]) -> [u8; 32] {
    let mut h = blake3::Hasher::new_derive_key("wsf rekey box v1");
    h.update(shared);
    h.update(eph);
    h.update(recipient);
    *h.finalize().as_bytes()
}

fn box_aad(net: &NetworkId, epoch: u64) -> Vec<u8> {
    let mut aad = net.as_bytes().to_vec();
    aad.extend_from_slice(&epoch.to_be_bytes());
    aad
}

/// Seals `key` (the new pre-shared key of `epoch`) to `member`'s author key with the ephemeral
/// X25519 secret `ephemeral` (32 random bytes; clamped as X25519 does).
pub fn seal_key(
    net: &NetworkId,
    epoch: u64,
    member: &AuthorId,
    key: &[u8; 32],
    ephemeral: &[u8; 32],
) -> Result<[u8; BOX_LEN], MemberError> {
    use curve25519_dalek::montgomery::MontgomeryPoint;
    let recipient = x25519_public(member)?;
    let eph_pub = MontgomeryPoint::mul_base_clamped(*ephemeral).to_bytes();
    let shared = MontgomeryPoint(recipient)
        .mul_clamped(*ephemeral)
        .to_bytes();
    let k = zeroize::Zeroizing::new(box_key(&shared, &eph_pub, &recipient));
    let cipher = chacha20poly1305::ChaCha20Poly1305::new((&*k).into());
    let ct = cipher
        .encrypt(
            &[0u8; 12].into(),
            Payload {
                msg: key,
                aad: &box_aad(net, epoch),
            },
        )
        .map_err(|_| MemberError::Sealed)?;
    let mut out = [0u8; BOX_LEN];
    out[..32].copy_from_slice(&eph_pub);
    out[32..].copy_from_slice(&ct);
    Ok(out)
}

/// Opens a sealed key with the member's author signing key.
pub fn open_key(
    net: &NetworkId,
    epoch: u64,
    identity: &SigningKey,
    sealed: &[u8; BOX_LEN],
) -> Result<zeroize::Zeroizing<[u8; 32]>, MemberError> {
    use curve25519_dalek::montgomery::MontgomeryPoint;
    let recipient = identity.verifying_key().to_montgomery().to_bytes();
    let mut eph = [0u8; 32];
    eph.copy_from_slice(&sealed[..32]);
    let scalar = zeroize::Zeroizing::new(identity.to_scalar_bytes());
    let shared = MontgomeryPoint(eph).mul_clamped(*scalar).to_bytes();
    let k = zeroize::Zeroizing::new(box_key(&shared, &eph, &recipient));
    let cipher = chacha20poly1305::ChaCha20Poly1305::new((&*k).into());
    let plain = zeroize::Zeroizing::new(
        cipher
            .decrypt(
                &[0u8; 12].into(),
                Payload {
                    msg: &sealed[32..],
                    aad: &box_aad(net, epoch),
                },
            )
            .map_err(|_| MemberError::Sealed)?,
    );
    let key: [u8; 32] = plain
        .as_slice()
        .try_into()
        .map_err(|_| MemberError::Sealed)?;
    Ok(zeroize::Zeroizing::new(key))
}

/// The tag a node sends before the pre-shared-key handshake (section 17.1) to say which key it
/// uses, without revealing it: keyed BLAKE3 of the salt under the key, first 16 bytes.
pub fn key_tag(key: &[u8; 32], salt: &[u8; 16]) -> [u8; 16] {
    let mut h = blake3::Hasher::new_keyed(key);
    h.update(b"wsf pnet key v1\0");
    h.update(salt);
    let mut out = [0u8; 16];
    out.copy_from_slice(&h.finalize().as_bytes()[..16]);
    out
}

#[cfg(test)]
mod tests;
