//! The node on the network: a libp2p swarm owned by one event loop task, and a cheap cloneable
//! [`Network`] handle the rest of the node uses to talk to it.
//!
//! Records travel on one gossipsub topic per pillar and network, `wsf/<net>/pillar/<slug>/1`.
//! Messages are anonymous (the record carries its own signature) and validated before they are
//! forwarded: every message goes through the ingest pipeline and is reported to gossipsub exactly
//! once as Accept (stored now), Ignore (duplicate, expired, not for us) or Reject (forged or
//! malformed: the sender's score drops). The event loop never waits on the store: messages go to
//! an ingest task over a bounded queue, verdicts come back over another.

pub(crate) mod behaviour;
pub mod counted;
mod event_loop;
pub mod pnet;
pub mod reach;
pub mod sync;

use std::time::Duration;

use libp2p::{Multiaddr, PeerId, identity};
use tokio::sync::{broadcast, mpsc, oneshot};
use wsf_protocol::api::{NodeEvent, PeerInfo};
use wsf_protocol::{NetworkId, Pillar};

use crate::ingest::Ingest;

pub use behaviour::{GRAYLIST_THRESHOLD, MAX_ESTABLISHED, MAX_PENDING, MAX_PER_PEER, MAX_TRANSMIT};

/// Commands waiting for the event loop.
pub const COMMAND_QUEUE: usize = 256;
/// Gossip messages waiting for ingest. When full, new messages are reported Ignore at once
/// (catch-up sync repairs what gossip drops) instead of growing memory or slowing the loop.
pub const GOSSIP_QUEUE: usize = 4_096;
/// Most gossip messages ingested in one batch (one signature pass, one write transaction).
pub const GOSSIP_BATCH: usize = 256;
/// How long a connection without traffic stays open: long, partners are few and quiet.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(3_600);
/// How often each connection is pinged.
pub const PING_INTERVAL: Duration = Duration::from_secs(5);
/// A ping unanswered this long closes its connection.
pub const PING_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a dial may take, TCP connect and handshakes included: a dial started while the path
/// is cut is given up and made again (with backoff) rather than left to TCP's SYN retries.
pub const DIAL_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the loop checks scores and bootstrap connections.
pub const TICK: Duration = Duration::from_secs(1);
/// First and longest wait before redialling a bootstrap peer.
pub const BACKOFF_MIN: Duration = Duration::from_secs(1);
pub const BACKOFF_MAX: Duration = Duration::from_secs(60);
/// How long a peer disconnected for a low score stays refused.
pub const COOL_DOWN: Duration = Duration::from_secs(600);

/// Network errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot set up the network: {0}")]
    Setup(String),
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: Multiaddr, reason: String },
    #[error("the network task has stopped")]
    Stopped,
    #[error("{0}")]
    Command(String),
}

/// What the network layer is started with.
#[derive(Debug, Clone)]
pub struct Config {
    /// The node's libp2p key (not the author key).
    pub key: identity::Keypair,
    pub network: NetworkId,
    pub listen: Vec<Multiaddr>,
    pub bootstrap: Vec<Multiaddr>,
    /// Peers from the address book (`crate::address_book`): redialled like bootstrap peers,
    /// but not reported as such.
    pub known: Vec<Multiaddr>,
    pub pillars: Vec<Pillar>,
    /// Announce and discover on the LAN with mDNS.
    pub lan: bool,
    /// How often to sync with a random connected peer.
    pub sync_interval: Duration,
    /// Sync with every peer this node dials, as soon as the connection opens.
    pub sync_on_connect: bool,
    /// The closed network's membership and keys: every connection starts with the key choice
    /// and a libp2p pnet handshake (`pnet`), so peers without a key cannot connect or even see
    /// a protocol name; connections from nodes of non-members are refused.
    pub members: Option<std::sync::Arc<crate::members::Members>>,
    /// Serve circuit relay v2 and rendezvous (an anchor: a node with a public address).
    pub anchor: bool,
    /// Addresses others reach this node at (an anchor's public address).
    pub external: Vec<Multiaddr>,
    /// The invites this node issued (closed network): their ids are registered with anchors,
    /// and an anchor's door addresses come from its door.
    pub invites: Option<std::sync::Arc<crate::invites::Invites>>,
    /// Where hellos forwarded by anchors for this node's invites go (the door answers them).
    pub knocks: Option<mpsc::Sender<Knock>>,
}

/// A joiner's hello an anchor forwarded to this node (`docs/protocol.md` section 17.9); the
/// door sends back the bytes the joiner gets (empty: no answer).
#[derive(Debug)]
pub struct Knock {
    pub id: wsf_protocol::door::InviteId,
    pub hello: Vec<u8>,
    pub reply: oneshot::Sender<Vec<u8>>,
}

/// Hellos waiting for the door; more are refused (the door serves 16 connections at once).
pub const KNOCK_QUEUE: usize = 16;
/// How long registering with the anchors may take when an invite is made.
pub const REGISTER_TIMEOUT: Duration = Duration::from_secs(5);

/// The default sync interval.
pub const SYNC_INTERVAL: Duration = Duration::from_secs(60);

/// The gossipsub topic of a closed network's membership statements.
pub fn members_topic(network: NetworkId) -> libp2p::gossipsub::IdentTopic {
    libp2p::gossipsub::IdentTopic::new(format!("wsf/{network}/members/1"))
}

/// The gossipsub topic of a pillar on a network.
pub fn topic(network: NetworkId, pillar: &Pillar) -> libp2p::gossipsub::IdentTopic {
    libp2p::gossipsub::IdentTopic::new(format!("wsf/{network}/pillar/{pillar}/1"))
}

pub use wsf_protocol::api::BootstrapInfo;

/// The peer an address leads to: its last `/p2p/` (a relayed address names the relay first).
pub fn last_peer(addr: &Multiaddr) -> Option<PeerId> {
    addr.iter()
        .filter_map(|p| match p {
            libp2p::multiaddr::Protocol::P2p(id) => Some(id),
            _ => None,
        })
        .last()
}

/// What `status` shows of the network.
#[derive(Debug, Clone)]
pub struct Info {
    pub peer_id: PeerId,
    pub listen_addrs: Vec<Multiaddr>,
    pub peers: usize,
    pub pillars: Vec<Pillar>,
    /// The bootstrap peers, in order: connected, or why the last dial failed.
    pub bootstrap: Vec<BootstrapInfo>,
    /// Relay, rendezvous and hole-punching counters.
    pub reach: reach::Counters,
    /// The anchors where this node holds a relay reservation (addresses with `/p2p/`).
    pub anchors: Vec<Multiaddr>,
}

pub(crate) enum Command {
    Publish {
        envelope: Vec<u8>,
        pillars: Vec<Pillar>,
    },
    /// Gossips a membership statement.
    PublishStatement {
        bytes: Vec<u8>,
    },
    Dial {
        addr: Multiaddr,
        reply: oneshot::Sender<Result<PeerId, String>>,
    },
    Subscribe {
        pillar: Pillar,
        on: bool,
        reply: oneshot::Sender<Vec<Pillar>>,
    },
    Peers {
        reply: oneshot::Sender<Vec<PeerInfo>>,
    },
    Info {
        reply: oneshot::Sender<Info>,
    },
    Request {
        peer: PeerId,
        bytes: Vec<u8>,
        reply: oneshot::Sender<Result<Vec<u8>, String>>,
    },
    Sync {
        peer: Option<PeerId>,
        reply: oneshot::Sender<Result<Vec<sync::Report>, String>>,
    },
    /// Sends a forwarding message (`/wsf/door/1`) to a peer.
    DoorRequest {
        peer: PeerId,
        bytes: Vec<u8>,
        reply: oneshot::Sender<Result<Vec<u8>, String>>,
    },
    /// On an anchor: the member node that registered an invite.
    DoorTarget {
        id: wsf_protocol::door::InviteId,
        reply: oneshot::Sender<Option<PeerId>>,
    },
    /// A sync session with this peer went wrong on the peer's side (answers that never
    /// converge, unreadable answers): one strike.
    Strike {
        peer: PeerId,
    },
    Shutdown,
}

/// A handle to the event loop.
#[derive(Debug, Clone)]
pub struct Network {
    tx: mpsc::Sender<Command>,
    peer_id: PeerId,
}

impl Network {
    /// Builds the swarm, starts listening and spawns the event loop.
    pub async fn start(
        config: Config,
        ingest: Ingest,
        events: broadcast::Sender<NodeEvent>,
    ) -> Result<(Network, tokio::task::JoinHandle<()>), Error> {
        let peer_id = config.key.public().to_peer_id();
        let (tx, rx) = mpsc::channel(COMMAND_QUEUE);
        let handle = Network {
            tx: tx.clone(),
            peer_id,
        };
        let event_loop = event_loop::EventLoop::new(config, ingest, events, rx, handle)?;
        let handle = tokio::spawn(event_loop.run());
        Ok((Network { tx, peer_id }, handle))
    }

    /// This node's libp2p peer id.
    pub fn peer_id(&self) -> PeerId {
        self.peer_id
    }

    async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Result<T, Error> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(make(reply))
            .await
            .map_err(|_| Error::Stopped)?;
        rx.await.map_err(|_| Error::Stopped)
    }

    /// Gossips an envelope on the topics of its pillars. Does not wait.
    pub fn publish(&self, envelope: Vec<u8>, pillars: Vec<Pillar>) {
        if let Err(e) = self.tx.try_send(Command::Publish { envelope, pillars }) {
            tracing::warn!(error = %e, "gossip queue full; catch-up sync will deliver the record");
        }
    }

    /// Gossips a membership statement on the network's membership topic. Does not wait.
    pub fn publish_statement(&self, bytes: Vec<u8>) {
        if let Err(e) = self.tx.try_send(Command::PublishStatement { bytes }) {
            tracing::warn!(error = %e, "queue full; the membership exchange will deliver the statement");
        }
    }

    /// Connects to a peer; returns its id once the connection is open, or why it failed.
    pub async fn dial(&self, addr: Multiaddr) -> Result<PeerId, Error> {
        self.ask(|reply| Command::Dial { addr, reply })
            .await?
            .map_err(Error::Command)
    }

    /// Subscribes to (`on`) or leaves a pillar; returns the pillars now subscribed.
    pub async fn subscribe(&self, pillar: Pillar, on: bool) -> Result<Vec<Pillar>, Error> {
        self.ask(|reply| Command::Subscribe { pillar, on, reply })
            .await
    }

    /// Connected peers.
    pub async fn peers(&self) -> Result<Vec<PeerInfo>, Error> {
        self.ask(|reply| Command::Peers { reply }).await
    }

    /// Peer id, addresses, peer count, pillars.
    pub async fn info(&self) -> Result<Info, Error> {
        self.ask(|reply| Command::Info { reply }).await
    }

    /// Sends a sync request to a peer and waits for the answer.
    pub async fn request(&self, peer: PeerId, bytes: Vec<u8>) -> Result<Vec<u8>, Error> {
        self.ask(|reply| Command::Request { peer, bytes, reply })
            .await?
            .map_err(Error::Command)
    }

    /// Syncs every subscribed pillar with `peer`, or with every connected peer; waits for the
    /// sessions to end. Fails when `peer` is not connected, or no peer is.
    pub async fn sync(&self, peer: Option<PeerId>) -> Result<Vec<sync::Report>, Error> {
        self.ask(|reply| Command::Sync { peer, reply })
            .await?
            .map_err(Error::Command)
    }

    /// Sends a forwarding message to `peer` and reads its reply.
    pub async fn door_request(
        &self,
        peer: PeerId,
        message: &wsf_protocol::door::forward::Message,
    ) -> Result<wsf_protocol::door::forward::Reply, Error> {
        let bytes = message.encode();
        let answer = self
            .ask(|reply| Command::DoorRequest { peer, bytes, reply })
            .await?
            .map_err(Error::Command)?;
        wsf_protocol::door::forward::Reply::decode(&answer)
            .map_err(|e| Error::Command(e.to_string()))
    }

    /// On an anchor: passes a joiner's hello for an invite this node does not hold to the
    /// member node that registered it; the bytes to send the joiner, or none when no connected
    /// node registered it (or it did not answer).
    pub async fn forward_knock(
        &self,
        id: wsf_protocol::door::InviteId,
        hello: Vec<u8>,
    ) -> Option<Vec<u8>> {
        let peer = self
            .ask(|reply| Command::DoorTarget { id, reply })
            .await
            .ok()??;
        match self
            .door_request(
                peer,
                &wsf_protocol::door::forward::Message::Knock { id, hello },
            )
            .await
        {
            Ok(wsf_protocol::door::forward::Reply::Bytes(b)) => Some(b),
            Ok(_) => None,
            Err(e) => {
                tracing::debug!(error = %e, "a forwarded join got no answer");
                None
            }
        }
    }

    /// Registers `ids` (this node's open invites) with every anchor it holds a reservation
    /// on; the door addresses of those that answered within [`REGISTER_TIMEOUT`].
    pub async fn register_invites(&self, ids: Vec<wsf_protocol::door::InviteId>) -> Vec<String> {
        let anchors: Vec<PeerId> = match self.info().await {
            Ok(i) => i.anchors.iter().filter_map(last_peer).collect(),
            Err(_) => return Vec::new(),
        };
        let message = wsf_protocol::door::forward::Message::Register(ids);
        let asks = anchors.into_iter().map(|peer| {
            let message = message.clone();
            async move {
                tokio::time::timeout(REGISTER_TIMEOUT, self.door_request(peer, &message)).await
            }
        });
        let mut doors = Vec::new();
        for answer in libp2p::futures::future::join_all(asks).await {
            if let Ok(Ok(wsf_protocol::door::forward::Reply::Doors(d))) = answer {
                doors.extend(d);
            }
        }
        doors.dedup();
        doors
    }

    /// Asks the loop to stop.
    pub async fn shutdown(&self) {
        let _ = self.tx.send(Command::Shutdown).await;
    }
}
