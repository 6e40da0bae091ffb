//! The door: how a new node joins a closed network with an invite, without the invite code
//! carrying the network key (`docs/protocol.md` section 17.3).
//!
//! An invite is a capability the inviting node enforces. Its code names the invite (a random
//! 16-byte id) and carries a random 32-byte secret; the inviting node keeps the invite's state
//! (expiry, uses, revocation). The joiner opens a TCP connection to the inviting node's door and
//! runs one Noise `NNpsk0` handshake with the secret as the pre-shared key:
//!
//! ```text
//! joiner → door   id (16) ‖ len (u16 BE) ‖ message 1    (-> psk, e; payload: the request)
//! door → joiner   status (1)                             0 go on, 1 unknown invite, 2 not authentic
//!                 [status 0] len (u16 BE) ‖ message 2    (<- e, ee; payload: the answer)
//! ```
//!
//! Both sides prove knowledge of the secret (a code with an edited secret fails message 1, and
//! the door says only "not authentic"); the answer, which holds the network key, is encrypted
//! under a key from a fresh ephemeral Diffie-Hellman, so a recording of the exchange is of no use
//! to someone who learns the secret later. Nothing on the wire is in clear but the invite id, one
//! status byte and two lengths: no protocol name, no key.
//!
//! This module is sans-IO: it turns requests and answers into bytes and back; the node and the
//! CLI move the bytes.

use ciborium::Value;
use snow::params::NoiseParams;

use crate::cbor;
use crate::fields::{Fields, MapBuilder};
use crate::{AuthorId, NetworkId};

/// The Noise protocol the door speaks.
pub const NOISE: &str = "Noise_NNpsk0_25519_ChaChaPoly_SHA256";
/// The start of the Noise prologue; the network id, the invite id and the inviter's author key
/// follow it (so a code whose inviter was edited does not authenticate).
pub const PROLOGUE: &[u8] = b"wsf join v1\0";
/// Length of an invite id.
pub const ID_LEN: usize = 16;
/// Length of an invite's secret.
pub const SECRET_LEN: usize = 32;
/// Largest message 1 a door reads (the request is small).
pub const MAX_HELLO: usize = 4_096;
/// Largest message 2 a joiner reads (the answer carries up to [`MAX_BOOT`] addresses).
pub const MAX_ANSWER: usize = 16_384;
/// Most addresses in an answer.
pub const MAX_BOOT: usize = 32;
/// Longest organisation name in a request, in bytes of UTF-8.
pub const MAX_NAME: usize = 200;
/// Longest node id (libp2p peer id bytes) in a request.
pub const MAX_NODE_ID: usize = 64;

/// The status byte the door sends first.
pub mod status {
    /// Message 2 follows.
    pub const GO_ON: u8 = 0;
    /// The door knows no invite with this id.
    pub const UNKNOWN: u8 = 1;
    /// Message 1 did not authenticate under the invite's secret: the code was altered.
    pub const NOT_AUTHENTIC: u8 = 2;
}

/// An invite's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InviteId(pub [u8; ID_LEN]);

/// What the joiner asks for: who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The joining organisation's author key.
    pub author: AuthorId,
    /// The joining node's libp2p peer id, as bytes.
    pub node: Vec<u8>,
    /// The organisation's name, as it calls itself (a claim).
    pub name: String,
    /// The author key's signature of [`crate::membership::proof_message`] (the network, the
    /// invite id and the node): the joiner holds the key it names.
    pub proof: [u8; 64],
}

/// Why a door refused an invite it knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Expired,
    UsedUp,
    Revoked,
}

impl Refusal {
    /// The code on the wire.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Expired => "expired",
            Refusal::UsedUp => "used_up",
            Refusal::Revoked => "revoked",
        }
    }

    fn parse(code: &str) -> Option<Refusal> {
        match code {
            "expired" => Some(Refusal::Expired),
            "used_up" => Some(Refusal::UsedUp),
            "revoked" => Some(Refusal::Revoked),
            _ => None,
        }
    }
}

/// What the door answers an authentic request. Its `Debug` leaves the key out.
#[derive(Clone, PartialEq, Eq)]
pub enum Answer {
    /// Welcome: the network's key, its name, where its nodes listen, its root (the author
    /// that founded it; `None` on a network made before membership) and its membership
    /// statements (section 17.4), the new member's welcome among them.
    Welcome {
        key: [u8; 32],
        name: String,
        boot: Vec<String>,
        root: Option<AuthorId>,
        log: Vec<Vec<u8>>,
    },
    Refused(Refusal),
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Answer::Welcome {
                name,
                boot,
                root,
                log,
                ..
            } => f
                .debug_struct("Welcome")
                .field("key", &"..")
                .field("name", name)
                .field("boot", boot)
                .field("root", root)
                .field("statements", &log.len())
                .finish(),
            Answer::Refused(r) => f.debug_tuple("Refused").field(r).finish(),
        }
    }
}

/// The message-1 ephemeral public key (its first 32 bytes), by which a door recognises a
/// replayed message 1: a joiner makes a new one for every exchange.
pub fn ephemeral_of(message: &[u8]) -> Option<[u8; 32]> {
    message.get(..32)?.try_into().ok()
}

/// Why an exchange failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DoorError {
    #[error("the inviting node does not know this invite (it was never issued there)")]
    Unknown,
    #[error("the inviting node did not accept the code: it was altered or damaged")]
    NotAuthentic,
    #[error("the invite {}", match .0 { Refusal::Expired => "expired", Refusal::UsedUp => "was used up", Refusal::Revoked => "was revoked" })]
    Refused(Refusal),
    #[error("the exchange with the inviting node failed: {0}")]
    Protocol(String),
}

fn protocol(e: impl std::fmt::Display) -> DoorError {
    DoorError::Protocol(e.to_string())
}

fn params() -> Result<NoiseParams, DoorError> {
    NOISE.parse().map_err(protocol)
}

fn prologue(net: &NetworkId, id: &InviteId, inviter: &AuthorId) -> Vec<u8> {
    let mut p = PROLOGUE.to_vec();
    p.extend_from_slice(net.as_bytes());
    p.extend_from_slice(&id.0);
    p.extend_from_slice(inviter.as_bytes());
    p
}

fn builder<'a>(
    prologue: &'a [u8],
    secret: &'a [u8; SECRET_LEN],
) -> Result<snow::Builder<'a>, DoorError> {
    snow::Builder::new(params()?)
        .prologue(prologue)
        .map_err(protocol)?
        .psk(0, secret)
        .map_err(protocol)
}

fn frame(message: &[u8]) -> Result<Vec<u8>, DoorError> {
    let len = u16::try_from(message.len()).map_err(protocol)?;
    let mut out = len.to_be_bytes().to_vec();
    out.extend_from_slice(message);
    Ok(out)
}

impl Request {
    fn encode(&self) -> Vec<u8> {
        cbor::encode(
            &MapBuilder::default()
                .put("author", self.author.as_bytes().to_vec())
                .put("node", self.node.clone())
                .put("name", self.name.as_str())
                .put("proof", self.proof.to_vec())
                .build(),
        )
    }

    fn decode(bytes: &[u8]) -> Result<Request, DoorError> {
        cbor::check(bytes).map_err(protocol)?;
        let mut f = Fields::new(cbor::decode(bytes).map_err(protocol)?, "", "join request")
            .map_err(protocol)?;
        let author = AuthorId(f.bytes::<32>("author").map_err(protocol)?);
        let node = match f.require("node").map_err(protocol)? {
            Value::Bytes(b) if !b.is_empty() && b.len() <= MAX_NODE_ID => b,
            _ => return Err(protocol("node: 1 to 64 bytes")),
        };
        let name = f.text("name").map_err(protocol)?;
        let proof = match f.require("proof").map_err(protocol)? {
            Value::Bytes(b) => <[u8; 64]>::try_from(b).map_err(|_| protocol("proof: 64 bytes"))?,
            _ => return Err(protocol("proof: 64 bytes")),
        };
        f.finish().map_err(protocol)?;
        if name.len() > MAX_NAME {
            return Err(protocol("the name is too long"));
        }
        Ok(Request {
            author,
            node,
            name,
            proof,
        })
    }

    /// Whether the proof is the author key's signature of the proof message for this network
    /// and invite.
    pub fn proves(&self, net: &NetworkId, id: &InviteId) -> bool {
        let Ok(key) = self.author.verifying_key() else {
            return false;
        };
        let message = crate::membership::proof_message(net, &id.0, &self.node);
        key.verify_strict(&message, &ed25519_dalek::Signature::from_bytes(&self.proof))
            .is_ok()
    }
}

impl Answer {
    fn encode(&self) -> Vec<u8> {
        let map = match self {
            Answer::Welcome {
                key,
                name,
                boot,
                root,
                log,
            } => MapBuilder::default()
                .put("key", key.to_vec())
                .put("name", name.as_str())
                .put(
                    "boot",
                    Value::Array(boot.iter().map(|b| Value::Text(b.clone())).collect()),
                )
                .opt("root", root.map(|r| r.as_bytes().to_vec()))
                .put("frames", frames_of(log).len() as u64)
                .build(),
            Answer::Refused(r) => MapBuilder::default().put("refused", r.code()).build(),
        };
        cbor::encode(&map)
    }

    /// The answer, and how many frames of statements follow it.
    fn decode(bytes: &[u8]) -> Result<(Answer, usize), DoorError> {
        cbor::check(bytes).map_err(protocol)?;
        let mut f = Fields::new(cbor::decode(bytes).map_err(protocol)?, "", "join answer")
            .map_err(protocol)?;
        if let Some(code) = f.opt_text("refused").map_err(protocol)? {
            f.finish().map_err(protocol)?;
            return Refusal::parse(&code)
                .map(|r| (Answer::Refused(r), 0))
                .ok_or_else(|| protocol(format!("unknown refusal {code:?}")));
        }
        let key = f.bytes::<32>("key").map_err(protocol)?;
        let name = f.text("name").map_err(protocol)?;
        let items = f.array("boot").map_err(protocol)?;
        let boot = f.texts("boot", items).map_err(protocol)?;
        let root = f.opt_bytes::<32>("root").map_err(protocol)?.map(AuthorId);
        let frames = f.uint("frames").map_err(protocol)?;
        f.finish().map_err(protocol)?;
        if boot.len() > MAX_BOOT {
            return Err(protocol("too many addresses"));
        }
        if frames > MAX_FRAMES as u64 {
            return Err(protocol("too many frames"));
        }
        Ok((
            Answer::Welcome {
                key,
                name,
                boot,
                root,
                // The frames that follow hold them (`Joiner::read_frame`).
                log: Vec::new(),
            },
            frames as usize,
        ))
    }
}

/// The joiner's side, between sending its hello and reading the door's answer.
pub struct Joiner {
    noise: Option<snow::HandshakeState>,
    transport: Option<snow::TransportState>,
    frames: usize,
}

impl std::fmt::Debug for Joiner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Joiner(..)")
    }
}

impl Joiner {
    /// Starts the exchange for the invite (`net`, `id`, `inviter`, `secret`); returns the
    /// joiner and the bytes to send: the id, then framed message 1.
    pub fn start(
        net: &NetworkId,
        id: &InviteId,
        inviter: &AuthorId,
        secret: &[u8; SECRET_LEN],
        request: &Request,
    ) -> Result<(Joiner, Vec<u8>), DoorError> {
        Joiner::start_with(builder(&prologue(net, id, inviter), secret)?, id, request)
    }

    fn start_with(
        builder: snow::Builder<'_>,
        id: &InviteId,
        request: &Request,
    ) -> Result<(Joiner, Vec<u8>), DoorError> {
        let mut noise = builder.build_initiator().map_err(protocol)?;
        let mut message = vec![0; MAX_HELLO];
        let n = noise
            .write_message(&request.encode(), &mut message)
            .map_err(protocol)?;
        let mut out = id.0.to_vec();
        out.extend_from_slice(&frame(&message[..n])?);
        Ok((
            Joiner {
                noise: Some(noise),
                transport: None,
                frames: 0,
            },
            out,
        ))
    }

    /// Reads the door's answer: `status` (the first byte it sent) and, when it is
    /// [`status::GO_ON`], message 2 (without its length).
    /// A welcome says how many frames of statements follow ([`Joiner::frames`]); read each
    /// with [`Joiner::read_frame`].
    pub fn finish(&mut self, status: u8, message: &[u8]) -> Result<Answer, DoorError> {
        match status {
            status::GO_ON => {}
            status::UNKNOWN => return Err(DoorError::Unknown),
            status::NOT_AUTHENTIC => return Err(DoorError::NotAuthentic),
            other => return Err(protocol(format!("unknown status {other}"))),
        }
        if message.len() > MAX_ANSWER {
            return Err(protocol("the answer is too long"));
        }
        let mut noise = self
            .noise
            .take()
            .ok_or_else(|| protocol("the answer was read already"))?;
        let mut payload = vec![0; message.len()];
        let n = noise
            .read_message(message, &mut payload)
            .map_err(|_| protocol("the answer does not authenticate"))?;
        if !noise.is_handshake_finished() {
            return Err(protocol("the handshake did not finish"));
        }
        self.transport = Some(noise.into_transport_mode().map_err(protocol)?);
        let (answer, frames) = Answer::decode(&payload[..n])?;
        self.frames = frames;
        Ok(answer)
    }

    /// How many frames of statements follow the welcome just read.
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// Reads one frame of statements (without its length) that follows a welcome.
    pub fn read_frame(&mut self, message: &[u8]) -> Result<Vec<Vec<u8>>, DoorError> {
        let transport = self
            .transport
            .as_mut()
            .ok_or_else(|| protocol("no welcome was read"))?;
        let mut payload = vec![0; message.len()];
        let n = transport
            .read_message(message, &mut payload)
            .map_err(|_| protocol("a frame does not authenticate"))?;
        let bytes = &payload[..n];
        cbor::check(bytes).map_err(protocol)?;
        match cbor::decode(bytes).map_err(protocol)? {
            Value::Array(items) => items
                .into_iter()
                .map(|v| match v {
                    Value::Bytes(b) => Ok(b),
                    _ => Err(protocol("a frame holds byte strings")),
                })
                .collect(),
            _ => Err(protocol("a frame is an array")),
        }
    }
}

/// The door's side, after it read an authentic request.
pub struct Door {
    noise: snow::HandshakeState,
}

impl std::fmt::Debug for Door {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Door(..)")
    }
}

impl Door {
    /// Reads message 1 (without its length) for the invite (`net`, `id`, `inviter` — this
    /// node's author —, `secret`) the hello named. [`DoorError::NotAuthentic`] when it was not
    /// made with the invite's secret, network, id and inviter (then the door sends
    /// [`status::NOT_AUTHENTIC`] and closes).
    pub fn accept(
        net: &NetworkId,
        id: &InviteId,
        inviter: &AuthorId,
        secret: &[u8; SECRET_LEN],
        message: &[u8],
    ) -> Result<(Door, Request), DoorError> {
        Door::accept_with(builder(&prologue(net, id, inviter), secret)?, message)
    }

    fn accept_with(
        builder: snow::Builder<'_>,
        message: &[u8],
    ) -> Result<(Door, Request), DoorError> {
        if message.len() > MAX_HELLO {
            return Err(protocol("the request is too long"));
        }
        let mut noise = builder.build_responder().map_err(protocol)?;
        let mut payload = vec![0; message.len()];
        let n = noise
            .read_message(message, &mut payload)
            .map_err(|_| DoorError::NotAuthentic)?;
        let request = Request::decode(&payload[..n])?;
        Ok((Door { noise }, request))
    }

    /// The bytes that answer: [`status::GO_ON`], framed message 2 and, for a welcome, the
    /// frames of its statements.
    pub fn answer(mut self, answer: &Answer) -> Result<Vec<u8>, DoorError> {
        let mut message = vec![0; MAX_ANSWER];
        let n = self
            .noise
            .write_message(&answer.encode(), &mut message)
            .map_err(protocol)?;
        let mut out = vec![status::GO_ON];
        out.extend_from_slice(&frame(&message[..n])?);
        if let Answer::Welcome { log, .. } = answer {
            let mut transport = self.noise.into_transport_mode().map_err(protocol)?;
            let mut message = vec![0; u16::MAX as usize];
            for payload in frames_of(log) {
                let n = transport
                    .write_message(&payload, &mut message)
                    .map_err(protocol)?;
                out.extend_from_slice(&frame(&message[..n])?);
            }
        }
        Ok(out)
    }
}

/// Most frames of statements after a welcome.
pub const MAX_FRAMES: usize = 64;
/// Largest frame payload: a Noise message of 65,535 bytes less its 16-byte tag.
pub const MAX_FRAME_PAYLOAD: usize = 65_535 - 16;

/// Packs statements into frame payloads (canonical CBOR arrays of byte strings), in order,
/// each at most [`MAX_FRAME_PAYLOAD`] bytes; statements past [`MAX_FRAMES`] frames are left
/// out (the new member gets them from its first peer).
fn frames_of(log: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut frames: Vec<Vec<u8>> = Vec::new();
    let mut current: Vec<Value> = Vec::new();
    let mut size = 0usize;
    for s in log {
        // Array and byte-string heads take at most 5 bytes each here.
        if size + s.len() + 10 > MAX_FRAME_PAYLOAD && !current.is_empty() {
            frames.push(cbor::encode_owned(Value::Array(std::mem::take(
                &mut current,
            ))));
            size = 0;
        }
        if s.len() + 10 > MAX_FRAME_PAYLOAD || frames.len() == MAX_FRAMES {
            continue;
        }
        size += s.len() + 5;
        current.push(Value::Bytes(s.clone()));
    }
    if !current.is_empty() && frames.len() < MAX_FRAMES {
        frames.push(cbor::encode_owned(Value::Array(current)));
    }
    frames
}

/// Doors that forward: an anchor's door passes a joiner's hello for an invite it does not hold
/// to the member node that registered the invite with it, and the member's reply back
/// (`docs/protocol.md` section 17.9). The Noise session stays between the joiner and the
/// inviting node; the anchor moves ciphertext and learns the invite id and which node holds it.
pub mod forward {
    use super::*;

    /// The libp2p protocol name.
    pub const PROTOCOL: &str = "/wsf/door/1";
    /// Most invite ids one node registers with an anchor.
    pub const MAX_REGISTER: usize = 256;
    /// Most door addresses an anchor gives back.
    pub const MAX_DOORS: usize = 32;
    /// Longest door address, in bytes.
    pub const MAX_DOOR_LEN: usize = 256;
    /// Largest reply: the status byte, framed message 2 and every frame of statements.
    pub const MAX_REPLY: usize = 1 + 2 + MAX_ANSWER + MAX_FRAMES * (2 + 65_535);
    /// Largest request on the wire (a register of [`MAX_REGISTER`] ids, or a knock).
    pub const MAX_REQUEST: usize = 16 + MAX_REGISTER * (ID_LEN + 1) + MAX_HELLO;
    /// Largest answer on the wire.
    pub const MAX_RESPONSE: usize = MAX_REPLY + 16;

    /// What a node asks an anchor, or an anchor asks the inviting node.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Message {
        /// A member node to an anchor: these are the open invites this node holds (the list
        /// replaces the one it registered before; an empty list withdraws them all).
        Register(Vec<InviteId>),
        /// An anchor to the inviting node: a joiner sent this hello (message 1, without its
        /// length) for the invite `id`.
        Knock { id: InviteId, hello: Vec<u8> },
    }

    /// The answer to a [`Message`].
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Reply {
        /// To a register: the anchor's door addresses (`/ip4|ip6/…/tcp/PORT`), for codes.
        Doors(Vec<String>),
        /// To a knock: the bytes the inviting node's door would have sent the joiner on TCP
        /// (status byte, then for status 0 framed message 2 and frames); empty: close
        /// without an answer.
        Bytes(Vec<u8>),
    }

    fn bad(what: &str) -> DoorError {
        DoorError::Protocol(format!("a forwarding message: {what}"))
    }

    impl Message {
        pub fn encode(&self) -> Vec<u8> {
            cbor::encode(&match self {
                Message::Register(ids) => MapBuilder::default()
                    .put(
                        "register",
                        Value::Array(ids.iter().map(|i| Value::Bytes(i.0.to_vec())).collect()),
                    )
                    .build(),
                Message::Knock { id, hello } => MapBuilder::default()
                    .put("id", id.0.to_vec())
                    .put("hello", hello.clone())
                    .build(),
            })
        }

        pub fn decode(bytes: &[u8]) -> Result<Message, DoorError> {
            if bytes.len() > MAX_REQUEST {
                return Err(bad("too long"));
            }
            cbor::check(bytes).map_err(protocol)?;
            let mut f = Fields::new(cbor::decode(bytes).map_err(protocol)?, "", "door message")
                .map_err(protocol)?;
            let message = match f.take("register") {
                Some(Value::Array(items)) if items.len() <= MAX_REGISTER => Message::Register(
                    items
                        .into_iter()
                        .map(|v| match v {
                            Value::Bytes(b) => <[u8; ID_LEN]>::try_from(b)
                                .map(InviteId)
                                .map_err(|_| bad("an invite id is not 16 bytes")),
                            _ => Err(bad("an invite id is not a byte string")),
                        })
                        .collect::<Result<_, _>>()?,
                ),
                Some(_) => return Err(bad("register: an array of at most 256 ids")),
                None => {
                    let id = InviteId(f.bytes::<ID_LEN>("id").map_err(protocol)?);
                    let hello = match f.require("hello").map_err(protocol)? {
                        Value::Bytes(b) if b.len() <= MAX_HELLO => b,
                        _ => return Err(bad("hello: at most 4,096 bytes")),
                    };
                    Message::Knock { id, hello }
                }
            };
            f.finish().map_err(protocol)?;
            Ok(message)
        }
    }

    impl Reply {
        pub fn encode(&self) -> Vec<u8> {
            cbor::encode(&match self {
                Reply::Doors(doors) => MapBuilder::default()
                    .put(
                        "doors",
                        Value::Array(doors.iter().map(|d| Value::Text(d.clone())).collect()),
                    )
                    .build(),
                Reply::Bytes(bytes) => MapBuilder::default().put("reply", bytes.clone()).build(),
            })
        }

        pub fn decode(bytes: &[u8]) -> Result<Reply, DoorError> {
            if bytes.len() > MAX_RESPONSE {
                return Err(bad("too long"));
            }
            cbor::check(bytes).map_err(protocol)?;
            let mut f = Fields::new(cbor::decode(bytes).map_err(protocol)?, "", "door reply")
                .map_err(protocol)?;
            let reply = match f.take("doors") {
                Some(Value::Array(items)) if items.len() <= MAX_DOORS => Reply::Doors(
                    items
                        .into_iter()
                        .map(|v| match v {
                            Value::Text(t) if t.len() <= MAX_DOOR_LEN => Ok(t),
                            _ => Err(bad("a door address: text of at most 256 bytes")),
                        })
                        .collect::<Result<_, _>>()?,
                ),
                Some(_) => return Err(bad("doors: an array of at most 32 addresses")),
                None => match f.require("reply").map_err(protocol)? {
                    Value::Bytes(b) if b.len() <= MAX_REPLY => Reply::Bytes(b),
                    _ => return Err(bad("reply: a byte string")),
                },
            };
            f.finish().map_err(protocol)?;
            Ok(reply)
        }
    }
}

#[cfg(test)]
mod tests;
