//! The invites this node issued, and its door: where a new node exchanges a `wsf2` invite for
//! the network's key (`wsf_protocol::door`, `docs/protocol.md` section 17.3).
//!
//! The node that issues an invite is the one that enforces it: it keeps the invite's secret,
//! expiry, number of uses and revocation in `<data>/invites.json` (0600; sealed under the data
//! key in an encrypted data dir), and its door answers a joiner with the network key only while
//! the invite is open. A use is written to the file before the key is sent.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use wsf_protocol::api::{InviteInfo, InviteRequest, JoinedInfo};
use wsf_protocol::door::{self, Answer, Door, DoorError, InviteId, Refusal, Request};
use wsf_protocol::invite::DoorInvite;
use wsf_protocol::{AuthorId, NetworkId};

use crate::datadir::DataDir;

/// The file, in the data dir.
pub const FILE: &str = "invites.json";
/// The role it is sealed under in an encrypted data dir.
pub const ROLE: &str = FILE;
/// The largest `invites.json` read.
const MAX_BYTES: usize = 4 << 20;
/// Most invites kept (the oldest closed ones are dropped first).
pub const MAX_INVITES: usize = 1_000;
/// Most uses one invite can allow.
pub const MAX_USES: u32 = 1_000;
/// How long one door connection may take, from accept to the answer.
pub const DOOR_TIMEOUT: Duration = Duration::from_secs(10);
/// Door connections served at once; more are closed at once.
pub const DOOR_CONNECTIONS: usize = 16;

/// Why an invite operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("{0}")]
    Bad(String),
    #[error(transparent)]
    DataDir(#[from] crate::datadir::Error),
}

/// A node that joined with an invite.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Joined {
    /// Its author key (hex).
    pub author: String,
    /// Its node's libp2p peer id (hex of the bytes).
    pub node: String,
    /// The name it gave (a claim).
    pub name: String,
    /// When, ms since the Unix epoch.
    pub at: u64,
    /// The ephemeral key of its message 1 (hex): the same message 1 sent again (a replay of a
    /// recorded exchange) is recognised and counts no use.
    #[serde(default)]
    pub e: String,
}

/// One invite this node issued. Its `Debug` leaves the secret out.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Issued {
    /// The invite id (32 hex characters).
    pub id: String,
    /// The secret (64 hex characters); never leaves this node but in the code.
    secret: String,
    pub created: u64,
    /// ms since the Unix epoch; 0: never.
    pub expires: u64,
    /// How many nodes may join with it.
    pub uses: u32,
    pub joined: Vec<Joined>,
    pub revoked: bool,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("id", &self.id)
            .field("expires", &self.expires)
            .field("uses", &self.uses)
            .field("joined", &self.joined.len())
            .field("revoked", &self.revoked)
            .finish_non_exhaustive()
    }
}

/// What the door does with an authentic request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    /// Send the key (the use is written down).
    Welcome,
    Refused(Refusal),
    /// A message 1 seen before: a replayed recording. Closed without an answer or a use.
    Replayed,
}

impl Issued {
    /// Whether a joiner would be welcome now, and if not, why.
    pub fn refusal(&self, now: u64) -> Option<Refusal> {
        if self.revoked {
            Some(Refusal::Revoked)
        } else if self.expires != 0 && self.expires <= now {
            Some(Refusal::Expired)
        } else if self.joined.len() as u64 >= u64::from(self.uses) {
            Some(Refusal::UsedUp)
        } else {
            None
        }
    }

    /// `open`, `expired`, `used_up` or `revoked`.
    pub fn state(&self, now: u64) -> &'static str {
        self.refusal(now).map_or("open", Refusal::code)
    }

    fn invite_id(&self) -> Option<InviteId> {
        wsf_protocol::hex::decode_array::<{ door::ID_LEN }>(&self.id).map(InviteId)
    }

    fn secret(&self) -> Option<zeroize::Zeroizing<[u8; door::SECRET_LEN]>> {
        wsf_protocol::hex::decode_array::<{ door::SECRET_LEN }>(&self.secret)
            .map(zeroize::Zeroizing::new)
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    invites: Vec<Issued>,
}

/// The invites of a data dir, and the addresses of its door once it listens.
#[derive(Debug)]
pub struct Invites {
    data: DataDir,
    file: Mutex<File>,
    door: Mutex<Option<SocketAddr>>,
}

fn path(data: &DataDir) -> PathBuf {
    data.root().join(FILE)
}

impl Invites {
    /// Reads `<data>/invites.json` (none yet: no invites).
    pub fn load(data: &DataDir) -> Result<Invites, Error> {
        let path = path(data);
        let read_err = |reason: String| Error::Read {
            path: path.clone(),
            reason,
        };
        let file = if path.exists() {
            let bytes = match data.data_key()? {
                None => crate::vault::read_bounded(&path, MAX_BYTES as u64)
                    .map_err(|e| read_err(e.to_string()))?,
                Some(key) => crate::vault::seal::read_sealed(&path, key, ROLE, MAX_BYTES)
                    .map_err(|e| read_err(e.to_string()))?
                    .to_vec(),
            };
            serde_json::from_slice(&bytes).map_err(|e| read_err(e.to_string()))?
        } else {
            File::default()
        };
        Ok(Invites {
            data: data.clone(),
            file: Mutex::new(file),
            door: Mutex::new(None),
        })
    }

    fn save(&self, file: &File) -> Result<(), Error> {
        let path = path(&self.data);
        let write_err = |reason: String| Error::Write {
            path: path.clone(),
            reason,
        };
        let text = serde_json::to_vec_pretty(file).map_err(|e| write_err(e.to_string()))?;
        let bytes = match self.data.data_key()? {
            None => text,
            Some(key) => {
                crate::vault::seal::seal(key, ROLE, &text).map_err(|e| write_err(e.to_string()))?
            }
        };
        crate::vault::write_atomic(&path, &bytes).map_err(|e| write_err(e.to_string()))
    }

    fn file(&self) -> Result<std::sync::MutexGuard<'_, File>, Error> {
        self.file
            .lock()
            .map_err(|_| Error::Bad("the invite list is poisoned by an earlier panic".into()))
    }

    /// The door's addresses for a code (multiaddrs `/ip4|ip6/…/tcp/…`), given where the node's
    /// p2p transport listens; empty while no door listens.
    pub fn door(&self, listen: &[String]) -> Vec<String> {
        match self.door.lock().ok().and_then(|d| *d) {
            Some(bound) => door_addrs(bound, listen),
            None => Vec::new(),
        }
    }

    /// Where the door is bound, once it listens.
    pub fn door_bound(&self) -> Option<SocketAddr> {
        self.door.lock().ok().and_then(|d| *d)
    }

    /// The ids of the newest invites (at most the number an anchor takes), for registering
    /// with anchors. Closed ones are included: a joiner with a used-up, revoked or expired
    /// code hears which it is through the anchor too, not that the code is unknown.
    pub fn registered_ids(&self) -> Vec<InviteId> {
        let Ok(file) = self.file() else {
            return Vec::new();
        };
        file.invites
            .iter()
            .rev()
            .filter_map(Issued::invite_id)
            .take(door::forward::MAX_REGISTER)
            .collect()
    }

    fn set_door(&self, bound: SocketAddr) {
        if let Ok(mut d) = self.door.lock() {
            *d = Some(bound);
        }
    }

    /// A new invite: open until `expires` (0: never) for `uses` nodes. Returns it and its
    /// secret.
    pub fn issue(
        &self,
        expires: u64,
        uses: u32,
        now: u64,
    ) -> Result<(Issued, [u8; door::SECRET_LEN]), Error> {
        if uses == 0 || uses > MAX_USES {
            return Err(Error::Bad(format!("uses: 1 to {MAX_USES}")));
        }
        let seed = crate::datadir::random_seed()?;
        let secret = crate::datadir::random_seed()?;
        let issued = Issued {
            id: wsf_protocol::hex::encode(&seed[..door::ID_LEN]),
            secret: wsf_protocol::hex::encode(&secret),
            created: now,
            expires,
            uses,
            joined: Vec::new(),
            revoked: false,
        };
        let mut file = self.file()?;
        file.invites.push(issued.clone());
        // Keep the list bounded: drop the oldest closed invites first, then the oldest.
        while file.invites.len() > MAX_INVITES {
            let at = file
                .invites
                .iter()
                .position(|i| i.refusal(now).is_some())
                .unwrap_or(0);
            file.invites.remove(at);
        }
        self.save(&file)?;
        Ok((issued, secret))
    }

    /// Every invite, newest last.
    pub fn list(&self) -> Result<Vec<Issued>, Error> {
        Ok(self.file()?.invites.clone())
    }

    /// Revokes the invite whose id starts with `prefix` (at least 4 hex characters).
    pub fn revoke(&self, prefix: &str) -> Result<Issued, Error> {
        let prefix = prefix.trim().to_ascii_lowercase();
        if prefix.len() < 4 {
            return Err(Error::Bad(
                "give at least 4 characters of the invite id".into(),
            ));
        }
        let mut file = self.file()?;
        let found: Vec<usize> = (0..file.invites.len())
            .filter(|&i| file.invites[i].id.starts_with(&prefix))
            .collect();
        let at = match found.as_slice() {
            [one] => *one,
            [] => return Err(Error::Bad(format!("no invite {prefix}"))),
            _ => return Err(Error::Bad(format!("{prefix} names more than one invite"))),
        };
        file.invites[at].revoked = true;
        let revoked = file.invites[at].clone();
        self.save(&file)?;
        Ok(revoked)
    }

    fn secret_of(&self, id: &InviteId) -> Option<zeroize::Zeroizing<[u8; door::SECRET_LEN]>> {
        let file = self.file().ok()?;
        file.invites
            .iter()
            .find(|i| i.invite_id().as_ref() == Some(id))
            .and_then(Issued::secret)
    }

    /// Decides on an authentic request for invite `id`, whose message 1 carried the ephemeral
    /// key `e`. A welcome is written down before this returns.
    fn admit(
        &self,
        id: &InviteId,
        e: &[u8; 32],
        request: &Request,
        now: u64,
    ) -> Result<Decision, Error> {
        let e = wsf_protocol::hex::encode(e);
        let mut file = self.file()?;
        let Some(at) = file
            .invites
            .iter()
            .position(|i| i.invite_id().as_ref() == Some(id))
        else {
            return Ok(Decision::Refused(Refusal::Revoked));
        };
        if file.invites[at].joined.iter().any(|j| j.e == e) {
            return Ok(Decision::Replayed);
        }
        if let Some(refusal) = file.invites[at].refusal(now) {
            return Ok(Decision::Refused(refusal));
        }
        file.invites[at].joined.push(Joined {
            author: request.author.to_string(),
            node: wsf_protocol::hex::encode(&request.node),
            name: request.name.clone(),
            at: now,
            e,
        });
        if let Err(err) = self.save(&file) {
            file.invites[at].joined.pop();
            return Err(err);
        }
        Ok(Decision::Welcome)
    }
}

/// What the door needs to answer.
#[derive(Debug, Clone)]
pub struct DoorConfig {
    pub network: NetworkId,
    /// This node's author key: codes name it as the inviter, and the handshake binds it.
    pub inviter: AuthorId,
    pub name: String,
    /// The network's membership: the current key, the root and the statements a new member
    /// gets, and where the door writes its welcome.
    pub members: Arc<crate::members::Members>,
    /// The node's network, asked where it listens (multiaddrs with `/p2p/`) for the answer.
    pub net: crate::net::Network,
}

/// The door's address when none is configured: the first TCP listen address's IP with the
/// p2p port + 2 (7656 beside the default 7654 and the API's 7655), or port 0 when the p2p port
/// is picked by the system.
pub fn default_door(listen: &[libp2p::Multiaddr]) -> Option<SocketAddr> {
    listen.iter().find_map(|addr| {
        let (ip, port) = ip_and_port(addr, false)?;
        let door = if port == 0 { 0 } else { port.checked_add(2)? };
        Some(SocketAddr::new(ip, door))
    })
}

/// The IP and TCP port of `addr`; with `plain`, only for `/ip4|ip6/…/tcp/…` and nothing more.
fn ip_and_port(addr: &libp2p::Multiaddr, plain: bool) -> Option<(std::net::IpAddr, u16)> {
    use libp2p::multiaddr::Protocol;
    let mut ip = None;
    let mut port = None;
    for p in addr.iter() {
        match p {
            Protocol::Ip4(a) => ip = Some(std::net::IpAddr::from(a)),
            Protocol::Ip6(a) => ip = Some(std::net::IpAddr::from(a)),
            Protocol::Tcp(p) => port = Some(p),
            _ if plain => return None,
            _ => {}
        }
    }
    Some((ip?, port?))
}

/// The door's addresses for codes: the bound address, or, when it is bound to every interface,
/// one per concrete IP the node listens on.
pub(crate) fn door_addrs(bound: SocketAddr, listen: &[String]) -> Vec<String> {
    let of = |ip: std::net::IpAddr| match ip {
        std::net::IpAddr::V4(a) => format!("/ip4/{a}/tcp/{}", bound.port()),
        std::net::IpAddr::V6(a) => format!("/ip6/{a}/tcp/{}", bound.port()),
    };
    if !bound.ip().is_unspecified() {
        return vec![of(bound.ip())];
    }
    let v4_only = bound.is_ipv4();
    let mut ips: Vec<std::net::IpAddr> = listen
        .iter()
        .filter_map(|a| a.parse::<libp2p::Multiaddr>().ok())
        .filter_map(|a| {
            a.iter().find_map(|p| match p {
                libp2p::multiaddr::Protocol::Ip4(ip) if !ip.is_unspecified() => {
                    Some(std::net::IpAddr::from(ip))
                }
                libp2p::multiaddr::Protocol::Ip6(ip) if !ip.is_unspecified() => {
                    Some(std::net::IpAddr::from(ip))
                }
                _ => None,
            })
        })
        .filter(|ip| !v4_only || ip.is_ipv4())
        .collect();
    // Loopback last: a joiner tries the addresses in order, and loopback leads to whatever
    // listens on the joiner's own machine.
    ips.sort_by_key(|ip| (ip.is_loopback(), *ip));
    ips.dedup();
    ips.truncate(door::MAX_BOOT);
    ips.into_iter().map(of).collect()
}

/// Binds the door at `addr` and serves it until `shutdown`; the invites learn its addresses.
pub async fn serve(
    addr: SocketAddr,
    invites: Arc<Invites>,
    config: DoorConfig,
    mut shutdown: watch::Receiver<bool>,
    knocks: mpsc::Receiver<crate::net::Knock>,
) -> Result<tokio::task::JoinHandle<()>, std::io::Error> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    invites.set_door(bound);
    tracing::info!(door = %bound, "invite door listening");
    let slots = Arc::new(tokio::sync::Semaphore::new(DOOR_CONNECTIONS));
    tokio::spawn(serve_forwarded(
        knocks,
        invites.clone(),
        config.clone(),
        slots.clone(),
        shutdown.clone(),
    ));
    Ok(tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                _ = shutdown.wait_for(|v| *v) => return,
            };
            let Ok((stream, _)) = accepted else {
                // Out of descriptors, say: back off a little instead of spinning on the error.
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            };
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                continue;
            };
            let (invites, config) = (invites.clone(), config.clone());
            tokio::spawn(async move {
                let _slot = slot;
                match tokio::time::timeout(DOOR_TIMEOUT, answer(stream, &invites, &config)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => tracing::debug!(error = %e, "door connection ended"),
                    Err(_) => tracing::debug!("door connection timed out"),
                }
            });
        }
    }))
}

/// Answers the hellos anchors forward for this node's invites (section 17.9), sharing the
/// door's connection slots.
async fn serve_forwarded(
    mut knocks: mpsc::Receiver<crate::net::Knock>,
    invites: Arc<Invites>,
    config: DoorConfig,
    slots: Arc<tokio::sync::Semaphore>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let knock = tokio::select! {
            k = knocks.recv() => match k {
                Some(k) => k,
                None => return,
            },
            _ = shutdown.wait_for(|v| *v) => return,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            continue;
        };
        let (invites, config) = (invites.clone(), config.clone());
        tokio::spawn(async move {
            let _slot = slot;
            let decided = tokio::time::timeout(
                DOOR_TIMEOUT,
                reply(knock.id, &knock.hello, &invites, &config, false),
            )
            .await;
            match decided {
                Ok(Ok(bytes)) => {
                    let _ = knock.reply.send(bytes);
                }
                Ok(Err(e)) => tracing::debug!(error = %e, "a forwarded join ended"),
                Err(_) => tracing::debug!("a forwarded join timed out"),
            }
        });
    }
}

/// One door connection: read the hello, decide, answer.
async fn answer(
    mut stream: tokio::net::TcpStream,
    invites: &Invites,
    config: &DoorConfig,
) -> Result<(), std::io::Error> {
    let mut id = [0u8; door::ID_LEN];
    stream.read_exact(&mut id).await?;
    let id = InviteId(id);
    let mut len = [0u8; 2];
    stream.read_exact(&mut len).await?;
    let len = usize::from(u16::from_be_bytes(len));
    if len > door::MAX_HELLO {
        return Err(std::io::Error::other("hello too long"));
    }
    let mut message = vec![0u8; len];
    stream.read_exact(&mut message).await?;
    let bytes = reply(id, &message, invites, config, true).await?;
    if bytes.is_empty() {
        return Ok(());
    }
    stream.write_all(&bytes).await?;
    stream.flush().await
}

/// What the door sends a joiner whose message 1 for invite `id` is `message`: the status byte,
/// and for status 0 framed message 2 and the frames; empty: close without an answer. With
/// `forward`, a hello for an invite this node does not hold goes to the member node that
/// registered it here (an anchor's door, section 17.9).
async fn reply(
    id: InviteId,
    message: &[u8],
    invites: &Invites,
    config: &DoorConfig,
    forward: bool,
) -> Result<Vec<u8>, std::io::Error> {
    // Unknown and altered codes are logged at debug only: anyone can send them, and the log
    // must not be theirs to fill.
    let Some(secret) = invites.secret_of(&id) else {
        if forward && let Some(bytes) = config.net.forward_knock(id, message.to_vec()).await {
            tracing::debug!("door: a join forwarded to the inviting node");
            return Ok(bytes);
        }
        tracing::debug!("door: a code for an invite this node never issued");
        return Ok(vec![door::status::UNKNOWN]);
    };
    let accepted = Door::accept(&config.network, &id, &config.inviter, &secret, message);
    let (opened, request) = match accepted {
        Ok(x) => x,
        Err(DoorError::NotAuthentic) => {
            tracing::debug!("door: an invite code that was altered (it did not authenticate)");
            return Ok(vec![door::status::NOT_AUTHENTIC]);
        }
        Err(e) => return Err(std::io::Error::other(e.to_string())),
    };
    let e = door::ephemeral_of(message).ok_or_else(|| std::io::Error::other("short hello"))?;
    // The joiner must hold the author key it names: otherwise anyone with the code could
    // have another organisation welcomed in its name.
    if !request.proves(&config.network, &id) {
        tracing::info!("door: a join whose author proof does not verify; no answer");
        return Err(std::io::Error::other("the join proof does not verify"));
    }
    // Everything that could still fail comes before the use is written down.
    // Where this node listens, then the anchors it holds reservations on: a new member behind
    // NAT reaches the others through them even when this node is a laptop itself.
    let mut boot: Vec<String> = config
        .net
        .info()
        .await
        .map(|i| {
            i.listen_addrs
                .iter()
                .chain(i.anchors.iter())
                .map(ToString::to_string)
                .collect()
        })
        .unwrap_or_default();
    boot.retain(|a| !a.contains("/ip4/0.0.0.0/") && !a.contains("/ip6/::/"));
    boot.dedup();
    boot.truncate(door::MAX_BOOT);
    let now = crate::ingest::now_ms();
    let decided = invites
        .admit(&id, &e, &request, now)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let reply = match decided {
        Decision::Replayed => {
            tracing::warn!("door: a recorded join was sent again; ignored");
            return Ok(Vec::new());
        }
        Decision::Refused(refusal) => {
            tracing::info!(refusal = refusal.code(), "door: an invite was refused");
            Answer::Refused(refusal)
        }
        Decision::Welcome => {
            tracing::info!(
                author = %wsf_protocol::display::fingerprint(&request.author),
                "door: a new member joined with an invite"
            );
            // The welcome statement, kept and gossiped before the answer, so that the other
            // members' nodes let the new node in.
            let welcome = config
                .members
                .sign(wsf_protocol::membership::Act::Welcome {
                    member: request.author,
                    name: request.name.clone(),
                    nodes: vec![request.node.clone()],
                })
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            // A welcome that does not count (a removed member that only an admin may take
            // back, say) gets no key.
            if !config
                .members
                .snapshot()
                .state
                .members
                .contains_key(&request.author)
            {
                tracing::warn!(
                    "door: the welcome does not count (a removed member?); no key given"
                );
                return Err(std::io::Error::other("the welcome did not take effect"));
            }
            config.net.publish_statement(welcome.bytes().to_vec());
            let key = *config.members.current_key();
            // The new member's welcome first: if the log is too long for the frames, what is
            // left out comes with its first exchange, but its own welcome never is.
            let mut log = vec![welcome.bytes().to_vec()];
            log.extend(
                config
                    .members
                    .statements()
                    .into_iter()
                    .filter(|s| s.as_slice() != welcome.bytes()),
            );
            Answer::Welcome {
                key,
                name: config.name.clone(),
                boot,
                root: config.members.snapshot().root,
                log,
            }
        }
    };
    opened
        .answer(&reply)
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// The joiner's side: asks the doors of `invite` in turn; the first that answers decides.
pub async fn knock(
    invite: &wsf_protocol::invite::DoorInvite,
    request: &Request,
) -> Result<Answer, DoorError> {
    let mut last = DoorError::Protocol("the code names no door".into());
    for addr in &invite.door {
        let Some(target) = socket_of(addr) else {
            last = DoorError::Protocol(format!("{addr} is not a door address"));
            continue;
        };
        match tokio::time::timeout(DOOR_TIMEOUT, knock_one(target, invite, request)).await {
            Ok(Ok(answer)) => return Ok(answer),
            // The inviting node decided: no other address would decide otherwise.
            Ok(Err(e @ (DoorError::NotAuthentic | DoorError::Refused(_)))) => return Err(e),
            // Another node's door (an address that leads elsewhere): try the next one.
            Ok(Err(e)) => last = e,
            Err(_) => last = DoorError::Protocol(format!("{addr} did not answer in time")),
        }
    }
    Err(last)
}

fn socket_of(addr: &str) -> Option<SocketAddr> {
    let (ip, port) = ip_and_port(&addr.parse().ok()?, true)?;
    Some(SocketAddr::new(ip, port))
}

async fn knock_one(
    target: SocketAddr,
    invite: &wsf_protocol::invite::DoorInvite,
    request: &Request,
) -> Result<Answer, DoorError> {
    let io = |e: std::io::Error| DoorError::Protocol(format!("{target}: {e}"));
    let (mut joiner, hello) = door::Joiner::start(
        &invite.net,
        &invite.id,
        &invite.inviter,
        &invite.secret,
        request,
    )?;
    let mut stream = tokio::net::TcpStream::connect(target).await.map_err(io)?;
    stream.write_all(&hello).await.map_err(io)?;
    let mut status = [0u8; 1];
    stream.read_exact(&mut status).await.map_err(io)?;
    if status[0] != door::status::GO_ON {
        return joiner.finish(status[0], &[]);
    }
    let mut len = [0u8; 2];
    stream.read_exact(&mut len).await.map_err(io)?;
    let len = usize::from(u16::from_be_bytes(len));
    if len > door::MAX_ANSWER {
        return Err(DoorError::Protocol("the answer is too long".into()));
    }
    let mut message = vec![0u8; len];
    stream.read_exact(&mut message).await.map_err(io)?;
    match joiner.finish(door::status::GO_ON, &message)? {
        Answer::Refused(r) => Err(DoorError::Refused(r)),
        Answer::Welcome {
            key,
            name,
            boot,
            root,
            mut log,
        } => {
            for _ in 0..joiner.frames() {
                let mut head = [0u8; 2];
                stream.read_exact(&mut head).await.map_err(io)?;
                let mut frame = vec![0u8; usize::from(u16::from_be_bytes(head))];
                stream.read_exact(&mut frame).await.map_err(io)?;
                log.extend(joiner.read_frame(&frame)?);
            }
            Ok(Answer::Welcome {
                key,
                name,
                boot,
                root,
                log,
            })
        }
    }
}

/// The request this data dir's node makes for `invite`: its author key (and the proof that it
/// holds it), its node's peer id and its name.
pub fn request_of(
    data: &DataDir,
    identity: &wsf_protocol::ed25519_dalek::SigningKey,
    invite: &wsf_protocol::invite::DoorInvite,
    name: String,
) -> Result<Request, Error> {
    use wsf_protocol::ed25519_dalek::Signer;
    let node = node_id(data)?;
    let proof = identity
        .sign(&wsf_protocol::membership::proof_message(
            &invite.net,
            &invite.id.0,
            &node,
        ))
        .to_bytes();
    Ok(Request {
        author: AuthorId::from(&identity.verifying_key()),
        node,
        name,
        proof,
    })
}

/// This data dir's libp2p peer id, as bytes.
pub fn node_id(data: &DataDir) -> Result<Vec<u8>, Error> {
    let mut seed = zeroize::Zeroizing::new(data.node_key_or_create()?);
    let key = libp2p::identity::Keypair::ed25519_from_bytes(&mut *seed)
        .map_err(|e| Error::Bad(format!("node.key: {e}")))?;
    Ok(key.public().to_peer_id().to_bytes())
}

/// Most days an invite can stay open.
pub const MAX_DAYS: u64 = 365;

/// What the API shows of an invite (`code` only when it is made).
pub fn info(issued: &Issued, now: u64, code: Option<String>, door: Vec<String>) -> InviteInfo {
    InviteInfo {
        id: issued.id.clone(),
        code,
        created: issued.created,
        expires: issued.expires,
        uses: issued.uses,
        used: u32::try_from(issued.joined.len()).unwrap_or(u32::MAX),
        state: issued.state(now).into(),
        door,
        joined: issued
            .joined
            .iter()
            .filter_map(|j| {
                Some(JoinedInfo {
                    author: j.author.parse().ok()?,
                    name: j.name.clone(),
                    at: j.at,
                })
            })
            .collect(),
    }
}

/// The doors a code names, in the order a joiner tries them: this node's doors at public
/// addresses, the anchors' doors, then this node's doors at private and loopback addresses.
fn code_doors(own: Vec<String>, anchors: Vec<String>) -> Vec<String> {
    let public = |a: &String| match socket_of(a).map(|s| s.ip()) {
        Some(std::net::IpAddr::V4(ip)) => {
            // 100.64.0.0/10 is a carrier's NAT.
            let cgnat = ip.octets()[0] == 100 && ip.octets()[1] & 0xc0 == 64;
            !(ip.is_private() || ip.is_loopback() || ip.is_link_local() || cgnat)
        }
        Some(std::net::IpAddr::V6(ip)) => {
            !(ip.is_loopback() || ip.is_unique_local() || ip.is_unicast_link_local())
        }
        None => false,
    };
    let (first, last): (Vec<String>, Vec<String>) = own.into_iter().partition(public);
    let mut doors: Vec<String> = Vec::new();
    for d in first.into_iter().chain(anchors).chain(last) {
        if !doors.contains(&d) && socket_of(&d).is_some() {
            doors.push(d);
        }
    }
    doors.truncate(door::MAX_BOOT);
    doors
}

/// Makes an invite to the running node's closed network (`wsf invite create`, the page's
/// invite form): its code names this node's door.
pub async fn create(
    svc: &crate::service::Service,
    net: &crate::net::Network,
    req: &InviteRequest,
) -> Result<InviteInfo, crate::service::Error> {
    use crate::service::Error as E;
    crate::network::closed_key(svc.data())?;
    let now = crate::ingest::now_ms();
    let expires = match (req.days, req.until_ms) {
        (Some(_), Some(_)) => return Err(E::BadRequest("give days or until, not both".into())),
        (_, Some(until)) if until <= now => {
            return Err(E::BadRequest("that time has passed already".into()));
        }
        (_, Some(until)) => until,
        (Some(0), None) => 0,
        (Some(d), None) if d > MAX_DAYS => {
            return Err(E::BadRequest(format!("days: 0 (never) or 1 to {MAX_DAYS}")));
        }
        (days, None) => now.saturating_add(days.unwrap_or(7).saturating_mul(86_400_000)),
    };
    let listen: Vec<String> = net
        .info()
        .await
        .map(|i| i.listen_addrs.iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    let door = svc.invites().door(&listen);
    if door.is_empty() {
        return Err(E::BadRequest(
            "this node's invite door is not listening (see the node's log: set door_listen or \
             --door-listen), so nobody could use an invite"
                .into(),
        ));
    }
    let (issued, secret) = svc.invites().issue(expires, req.uses.unwrap_or(1), now)?;
    // The anchors this node holds reservations on forward joiners to it: their doors go in
    // the code after this node's public ones and before its private ones, which only a joiner
    // on the same network reaches.
    let anchors = net.register_invites(svc.invites().registered_ids()).await;
    let door = code_doors(door, anchors);
    let config =
        crate::config::Config::load(svc.data()).map_err(|e| E::BadRequest(e.to_string()))?;
    let id = issued
        .invite_id()
        .ok_or_else(|| E::BadRequest("a new invite without an id".into()))?;
    let code = DoorInvite {
        net: svc.ingest().network(),
        name: config.network_name.unwrap_or_default(),
        id,
        secret,
        door: door.clone(),
        inviter: svc.author(),
        expires,
    }
    .encode();
    Ok(info(&issued, now, Some(code), door))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invites_are_kept_used_and_revoked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = DataDir::new(dir.path().to_owned());
        data.create().expect("create");
        let invites = Invites::load(&data).expect("load");
        let (two, secret) = invites.issue(0, 2, 1_000).expect("issue");
        let id = two.invite_id().expect("id");
        assert_eq!(invites.secret_of(&id).as_deref(), Some(&secret));
        let req = Request {
            author: AuthorId([1; 32]),
            node: vec![1, 2, 3],
            name: "A".into(),
            proof: [0; 64],
        };
        let (e1, e2, e3) = ([1u8; 32], [2u8; 32], [3u8; 32]);
        assert_eq!(
            invites.admit(&id, &e1, &req, 2_000).expect("admit"),
            Decision::Welcome
        );
        // The same message 1 again (a replayed recording): no answer, no use.
        assert_eq!(
            invites.admit(&id, &e1, &req, 2_000).expect("admit"),
            Decision::Replayed
        );
        assert_eq!(
            invites.admit(&id, &e2, &req, 2_000).expect("admit"),
            Decision::Welcome
        );
        assert_eq!(
            invites.admit(&id, &e3, &req, 2_000).expect("admit"),
            Decision::Refused(Refusal::UsedUp)
        );
        // Kept across a reload.
        let again = Invites::load(&data).expect("reload");
        assert_eq!(again.list().expect("list")[0].joined.len(), 2);
        let (timed, _) = again.issue(5_000, 1, 1_000).expect("issue");
        let timed_id = timed.invite_id().expect("id");
        assert_eq!(
            again.admit(&timed_id, &e3, &req, 5_000).expect("admit"),
            Decision::Refused(Refusal::Expired)
        );
        let (other, _) = again.issue(0, 1, 1_000).expect("issue");
        again.revoke(&other.id[..8]).expect("revoke");
        assert_eq!(
            again
                .admit(&other.invite_id().expect("id"), &e3, &req, 1_500)
                .expect("admit"),
            Decision::Refused(Refusal::Revoked)
        );
        // The secret never shows in Debug.
        let shown = format!("{:?}", again.list().expect("list"));
        assert!(
            !shown.contains(&wsf_protocol::hex::encode(&secret)),
            "{shown}"
        );
        assert!(again.revoke("zz").is_err());
        assert_eq!(again.list().expect("list")[2].state(1_500), "revoked");
    }

    #[test]
    fn codes_name_public_doors_then_anchors_then_private_ones() {
        let own: Vec<String> = [
            "/ip4/10.0.1.2/tcp/7656",
            "/ip4/127.0.0.1/tcp/7656",
            "/ip4/100.72.3.4/tcp/7656",
            "/ip4/198.51.100.7/tcp/7656",
        ]
        .map(String::from)
        .to_vec();
        let anchors: Vec<String> = [
            "/ip4/203.0.113.10/tcp/7656",
            "/ip4/198.51.100.7/tcp/7656",
            "/dns/example.org/tcp/7656",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            code_doors(own, anchors),
            [
                "/ip4/198.51.100.7/tcp/7656",
                "/ip4/203.0.113.10/tcp/7656",
                "/ip4/10.0.1.2/tcp/7656",
                "/ip4/127.0.0.1/tcp/7656",
                "/ip4/100.72.3.4/tcp/7656",
            ]
        );
    }

    #[test]
    fn the_default_door_is_two_ports_above_the_p2p_port() {
        let listen: Vec<libp2p::Multiaddr> = vec!["/ip4/0.0.0.0/tcp/7654".parse().expect("addr")];
        assert_eq!(
            default_door(&listen),
            Some("0.0.0.0:7656".parse().expect("addr"))
        );
        let any: Vec<libp2p::Multiaddr> = vec!["/ip4/127.0.0.1/tcp/0".parse().expect("addr")];
        assert_eq!(
            default_door(&any),
            Some("127.0.0.1:0".parse().expect("addr"))
        );
        let bound: SocketAddr = "0.0.0.0:7656".parse().expect("addr");
        let addrs = door_addrs(
            bound,
            &[
                "/ip4/192.0.2.7/tcp/7654".into(),
                "/ip4/0.0.0.0/tcp/7654".into(),
            ],
        );
        assert_eq!(addrs, vec!["/ip4/192.0.2.7/tcp/7656".to_string()]);
    }
}
