//! The event loop: owns the swarm, answers commands, hands gossip to ingest and reports verdicts.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use libp2p::futures::StreamExt;
use libp2p::gossipsub::{self, MessageAcceptance, MessageId, TopicHash};
use libp2p::multiaddr::Protocol;
use libp2p::request_response::{self, OutboundRequestId, ResponseChannel};
use libp2p::swarm::SwarmEvent;
use libp2p::{
    Multiaddr, PeerId, Swarm, SwarmBuilder, identify, mdns, noise, relay, rendezvous, tcp, yamux,
};
use tokio::sync::{broadcast, mpsc};
use wsf_protocol::api::{NodeEvent, PeerInfo, RecordInfo};
use wsf_protocol::{NetworkId, Pillar};

use super::behaviour::{self, Behaviour, BehaviourEvent, GRAYLIST_THRESHOLD};
use super::*;
use crate::ingest::{Ingest, Outcome};

/// One gossip message on its way to ingest.
struct Incoming {
    id: MessageId,
    from: PeerId,
    data: Vec<u8>,
}

/// What ingest decided about a message.
struct Verdict {
    id: MessageId,
    from: PeerId,
    acceptance: MessageAcceptance,
}

/// An answer to a sync request, computed off the loop: who asked, where to answer, what (or
/// why the request was garbage).
type Answer = (
    PeerId,
    ResponseChannel<super::sync::Wire>,
    Result<Vec<u8>, String>,
);

/// A bootstrap peer and when to dial it next.
struct Bootstrap {
    addr: Multiaddr,
    /// Other addresses of the same peer (from the address book), tried in the same dial.
    more: Vec<Multiaddr>,
    peer: Option<PeerId>,
    next: Instant,
    backoff: Duration,
    /// Why the last dial failed, until a connection opens.
    last_error: Option<String>,
    /// From the address book, not `--bootstrap`/config: not shown as a bootstrap peer, and
    /// its failures are not warned about.
    from_book: bool,
}

pub(super) struct EventLoop {
    swarm: Swarm<Behaviour>,
    network: NetworkId,
    commands: mpsc::Receiver<Command>,
    events: broadcast::Sender<NodeEvent>,
    gossip_tx: mpsc::Sender<Incoming>,
    verdicts: mpsc::Receiver<Verdict>,
    topics: HashMap<TopicHash, Pillar>,
    listen_addrs: Vec<Multiaddr>,
    bootstrap: Vec<Bootstrap>,
    /// The address and direction of each connected peer's first connection.
    /// Each connected peer's open connections: id, remote address, whether this node dialled.
    peer_addrs: HashMap<PeerId, Vec<(libp2p::swarm::ConnectionId, Multiaddr, bool)>>,
    /// Dials to bootstrap peers under way, by connection, to the bootstrap's index.
    bootstrap_dials: HashMap<libp2p::swarm::ConnectionId, usize>,
    banned: HashMap<PeerId, Instant>,
    ingest: Ingest,
    handle: Network,
    /// Sync requests sent, waiting for their answer.
    pending: HashMap<OutboundRequestId, tokio::sync::oneshot::Sender<Result<Vec<u8>, String>>>,
    /// `wsf dial`s waiting for their connection to open or fail.
    dialling:
        HashMap<libp2p::swarm::ConnectionId, tokio::sync::oneshot::Sender<Result<PeerId, String>>>,
    /// Answers to sync requests, computed off the loop.
    answers_tx: mpsc::Sender<Answer>,
    answers: mpsc::Receiver<Answer>,
    buckets: HashMap<PeerId, super::sync::Bucket>,
    /// Peers a sync session runs with now (one at a time per peer).
    syncing: std::sync::Arc<std::sync::Mutex<HashSet<PeerId>>>,
    sync_interval: Duration,
    sync_on_connect: bool,
    next_sync: Instant,
    bad_requests: HashMap<PeerId, u32>,
    /// Permits for answering sync requests (all peers together).
    answering: std::sync::Arc<tokio::sync::Semaphore>,
    rng: u64,
    /// The closed network's membership (none on the public network).
    members: Option<std::sync::Arc<crate::members::Members>>,
    members_topic: Option<TopicHash>,
    /// Changes of the membership state (to disconnect the nodes of removed members).
    members_changes: Option<tokio::sync::watch::Receiver<std::sync::Arc<crate::members::Snapshot>>>,
    verdict_tx: mpsc::Sender<Verdict>,
    /// Membership statements a peer sent, handled off the loop.
    statements_tx: mpsc::Sender<(PeerId, Vec<Vec<u8>>)>,
    statements_rx: mpsc::Receiver<(PeerId, Vec<Vec<u8>>)>,
    reach: super::reach::Reach,
    /// Bytes of this node's relayed connections.
    relay_bytes: std::sync::Arc<super::counted::RelayBytes>,
    /// When this node last asked each peer for its membership statements.
    members_asked: HashMap<PeerId, Instant>,
    /// Peers to ask again once their wait is over.
    members_due: HashSet<PeerId>,
    /// When lost peers were last all dialled again because one came back.
    last_recovery: Option<Instant>,
    /// This node's invites (closed network).
    invites: Option<std::sync::Arc<crate::invites::Invites>>,
    /// Where forwarded hellos go.
    knocks: Option<mpsc::Sender<super::Knock>>,
    /// On an anchor: which connected member node registered each invite.
    door_forward: HashMap<wsf_protocol::door::InviteId, PeerId>,
    /// Forwarding messages sent, waiting for their reply.
    door_pending: HashMap<OutboundRequestId, tokio::sync::oneshot::Sender<Result<Vec<u8>, String>>>,
    /// Replies of the door to forwarded hellos, to send back.
    door_answers_tx: mpsc::Sender<(ResponseChannel<super::sync::Wire>, Vec<u8>)>,
    door_answers: mpsc::Receiver<(ResponseChannel<super::sync::Wire>, Vec<u8>)>,
}

/// Most invites all member nodes together may register with one anchor.
pub const MAX_FORWARDED: usize = 16_384;

/// Least time between two "the network is back" redials of every lost peer.
pub const RECOVERY_EVERY: Duration = Duration::from_secs(10);

/// Least time between two membership requests to one peer.
pub const MEMBERS_ASK_EVERY: Duration = Duration::from_secs(2);

/// Garbage sync requests a peer may send before it is disconnected and refused for a cool-down.
pub const MAX_BAD_REQUESTS: u32 = 3;

use super::last_peer as peer_of;

impl EventLoop {
    pub(super) fn new(
        config: Config,
        ingest: Ingest,
        events: broadcast::Sender<NodeEvent>,
        commands: mpsc::Receiver<Command>,
        handle: Network,
    ) -> Result<Self, Error> {
        let lan = config.lan;
        for addr in &config.listen {
            if addr
                .iter()
                .any(|p| matches!(p, Protocol::QuicV1 | Protocol::Quic | Protocol::Udp(_)))
            {
                return Err(Error::Setup(if config.members.is_some() {
                    format!(
                        "{addr}: QUIC cannot be used on a closed network (its pre-shared key \
                         protects TCP only); listen on /tcp"
                    )
                } else {
                    format!("{addr}: wsf speaks TCP only; listen on /tcp")
                }));
            }
        }
        let gate_members = config.members.clone();
        let anchor = config.anchor;
        // The relay client is built here rather than by the builder's shortcut, so that the
        // bytes of relayed connections are counted below their Noise session.
        let (relay_transport, relay_client) = relay::client::new(config.key.public().to_peer_id());
        let relay_bytes = std::sync::Arc::new(super::counted::RelayBytes::default());
        let counting = relay_bytes.clone();
        let relayed = move |key: &libp2p::identity::Keypair| -> Result<_, Box<dyn std::error::Error + Send + Sync>> {
            use libp2p::Transport;
            // Circuits through an anchor: on a closed network the hop to the anchor is inside
            // the pre-shared-key transport; the circuit carries its own Noise and Yamux.
            Ok(relay_transport
                .map(move |conn, _| super::counted::Counted::new(conn, counting))
                .upgrade(libp2p::core::upgrade::Version::V1Lazy)
                .authenticate(noise::Config::new(key)?)
                .multiplex(yamux::Config::default()))
        };
        let make_behaviour = move |key: &libp2p::identity::Keypair| {
            behaviour::build(key, lan, gate_members.clone(), relay_client, anchor)
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { e.into() })
        };
        let builder = SwarmBuilder::with_existing_identity(config.key.clone()).with_tokio();
        let mut swarm = match config.members.as_ref().map(|m| m.ring()) {
            None => builder
                .with_other_transport(
                    move |key| -> Result<_, Box<dyn std::error::Error + Send + Sync>> {
                        use libp2p::Transport;
                        Ok(libp2p::tcp::tokio::Transport::new(tcp::Config::default())
                            .upgrade(libp2p::core::upgrade::Version::V1Lazy)
                            .authenticate(noise::Config::new(key)?)
                            .multiplex(yamux::Config::default())
                            .timeout(super::DIAL_TIMEOUT))
                    },
                )
                .map_err(|e| Error::Setup(e.to_string()))?
                .with_other_transport(relayed)
                .map_err(|e| Error::Setup(e.to_string()))?
                .with_behaviour(make_behaviour)
                .map_err(|e| Error::Setup(e.to_string()))?
                .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_TIMEOUT))
                .build(),
            Some(ring) => {
                use libp2p::Transport;
                // Closed network: TCP, the key choice and the pnet handshake (nonces, then
                // everything encrypted with the pre-shared key), then Noise and Yamux inside.
                builder
                    .with_other_transport(
                        move |key| -> Result<_, Box<dyn std::error::Error + Send + Sync>> {
                            Ok(libp2p::tcp::tokio::Transport::new(tcp::Config::default())
                                .and_then(move |socket, _| {
                                    super::pnet::handshake(ring.clone(), socket)
                                })
                                .upgrade(libp2p::core::upgrade::Version::V1Lazy)
                                .authenticate(noise::Config::new(key)?)
                                .multiplex(yamux::Config::default())
                                .timeout(super::DIAL_TIMEOUT))
                        },
                    )
                    .map_err(|e| Error::Setup(e.to_string()))?
                    .with_other_transport(relayed)
                    .map_err(|e| Error::Setup(e.to_string()))?
                    .with_behaviour(make_behaviour)
                    .map_err(|e| Error::Setup(e.to_string()))?
                    .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_TIMEOUT))
                    .build()
            }
        };
        for addr in &config.external {
            swarm.add_external_address(addr.clone());
        }
        for addr in &config.listen {
            swarm.listen_on(addr.clone()).map_err(|e| Error::Listen {
                addr: addr.clone(),
                reason: e.to_string(),
            })?;
        }
        let (gossip_tx, gossip_rx) = mpsc::channel(GOSSIP_QUEUE);
        let (verdict_tx, verdicts) = mpsc::channel(GOSSIP_QUEUE);
        tokio::spawn(ingest_gossip(
            ingest.clone(),
            gossip_rx,
            verdict_tx.clone(),
            events.clone(),
        ));
        let (statements_tx, statements_rx) = mpsc::channel(64);
        let (answers_tx, answers) = mpsc::channel(64);
        let (door_answers_tx, door_answers) = mpsc::channel(super::KNOCK_QUEUE);
        let now = Instant::now();
        let mut this = EventLoop {
            swarm,
            network: config.network,
            commands,
            events,
            gossip_tx,
            verdicts,
            topics: HashMap::new(),
            listen_addrs: Vec::new(),
            bootstrap: {
                let list: Vec<Bootstrap> = config
                    .bootstrap
                    .iter()
                    .cloned()
                    .map(|addr| (addr, false))
                    .chain(
                        config
                            .known
                            .iter()
                            .filter(|a| !config.bootstrap.contains(a))
                            .cloned()
                            .map(|addr| (addr, true)),
                    )
                    .map(|(addr, from_book)| Bootstrap {
                        peer: peer_of(&addr),
                        addr,
                        more: Vec::new(),
                        next: now,
                        backoff: BACKOFF_MIN,
                        last_error: None,
                        from_book,
                    })
                    .collect();
                // One entry per peer (or per address, for one without a peer id): a bootstrap
                // peer is not dialled a second time from the address book, and a peer's other
                // addresses are tried in the same dial.
                let mut merged: Vec<Bootstrap> = Vec::new();
                for b in list {
                    match b
                        .peer
                        .and_then(|p| merged.iter_mut().find(|m| m.peer == Some(p)))
                    {
                        Some(m) => {
                            if m.more.len() < crate::address_book::MAX_ADDRS
                                && m.addr != b.addr
                                && !m.more.contains(&b.addr)
                            {
                                m.more.push(b.addr)
                            }
                        }
                        None => merged.push(b),
                    }
                }
                merged
            },
            peer_addrs: HashMap::new(),
            bootstrap_dials: HashMap::new(),
            banned: HashMap::new(),
            ingest,
            handle,
            pending: HashMap::new(),
            dialling: HashMap::new(),
            answers_tx,
            answers,
            buckets: HashMap::new(),
            syncing: std::sync::Arc::default(),
            sync_interval: config.sync_interval,
            sync_on_connect: config.sync_on_connect,
            next_sync: now + config.sync_interval,
            bad_requests: HashMap::new(),
            answering: std::sync::Arc::new(tokio::sync::Semaphore::new(super::sync::MAX_ANSWERING)),
            rng: u64::from_le_bytes(
                config.key.public().to_peer_id().to_bytes()[..8]
                    .try_into()
                    .unwrap_or([7; 8]),
            ) | 1,
            members_topic: config
                .members
                .as_ref()
                .map(|_| super::members_topic(config.network).hash()),
            members_changes: config.members.as_ref().map(|m| m.subscribe()),
            members: config.members,
            verdict_tx,
            statements_tx,
            statements_rx,
            reach: super::reach::Reach::new(config.anchor, config.network),
            relay_bytes,
            last_recovery: None,
            invites: config.invites.clone(),
            knocks: config.knocks.clone(),
            door_forward: HashMap::new(),
            door_pending: HashMap::new(),
            door_answers_tx,
            door_answers,
            members_asked: HashMap::new(),
            members_due: HashSet::new(),
        };
        if this.members.is_some() {
            let topic = super::members_topic(this.network);
            let gs = &mut this.swarm.behaviour_mut().gossipsub;
            if let Err(e) = gs.subscribe(&topic) {
                tracing::warn!(error = %e, "cannot subscribe to the membership topic");
            }
            let _ = gs.set_topic_params(topic, behaviour::topic_score());
        }
        for p in &config.pillars {
            this.subscribe(p, true);
        }
        Ok(this)
    }

    fn subscribe(&mut self, pillar: &Pillar, on: bool) {
        let topic = super::topic(self.network, pillar);
        let gs = &mut self.swarm.behaviour_mut().gossipsub;
        if on {
            match gs.subscribe(&topic) {
                Ok(_) => {
                    let _ = gs.set_topic_params(topic.clone(), behaviour::topic_score());
                    self.topics.insert(topic.hash(), pillar.clone());
                }
                Err(e) => tracing::warn!(%pillar, error = %e, "cannot subscribe"),
            }
        } else {
            gs.unsubscribe(&topic);
            self.topics.remove(&topic.hash());
        }
    }

    fn pillars(&self) -> Vec<Pillar> {
        let mut p: Vec<Pillar> = self.topics.values().cloned().collect();
        p.sort();
        p
    }

    pub(super) async fn run(mut self) {
        let mut tick = tokio::time::interval(TICK);
        loop {
            tokio::select! {
                // Local work first: verdicts and commands before new network events.
                biased;
                Some(v) = self.verdicts.recv() => {
                    let reject = matches!(v.acceptance, MessageAcceptance::Reject);
                    self.swarm.behaviour_mut().gossipsub.report_message_validation_result(
                        &v.id, &v.from, v.acceptance);
                    if reject {
                        self.drop_low_scores();
                    }
                }
                Some((peer, channel, answer)) = self.answers.recv() => self.answer(peer, channel, answer),
                Some((channel, bytes)) = self.door_answers.recv() => {
                    let reply = wsf_protocol::door::forward::Reply::Bytes(bytes).encode();
                    let _ = self.swarm.behaviour_mut().door.send_response(channel, super::sync::Wire(reply));
                }
                cmd = self.commands.recv() => match cmd {
                    Some(Command::Shutdown) | None => break,
                    Some(cmd) => self.command(cmd),
                },
                _ = tick.tick() => self.tick(),
                Some((peer, items)) = self.statements_rx.recv() => self.statements(peer, items),
                Ok(()) = changed(&mut self.members_changes) => self.enforce_membership(),
                event = self.swarm.select_next_some() => self.swarm_event(event),
            }
        }
        tracing::debug!("network event loop stopped");
    }

    fn command(&mut self, cmd: Command) {
        match cmd {
            Command::Publish { envelope, pillars } => {
                for p in pillars {
                    let topic = super::topic(self.network, &p);
                    match self
                        .swarm
                        .behaviour_mut()
                        .gossipsub
                        .publish(topic, envelope.clone())
                    {
                        Ok(_) => {}
                        Err(gossipsub::PublishError::NoPeersSubscribedToTopic) => {
                            tracing::debug!(pillar = %p, "no peer on this pillar yet; sync will carry it");
                        }
                        Err(e) => tracing::warn!(pillar = %p, error = %e, "gossip publish failed"),
                    }
                }
            }
            Command::PublishStatement { bytes } => {
                let topic = super::members_topic(self.network);
                match self.swarm.behaviour_mut().gossipsub.publish(topic, bytes) {
                    Ok(_) | Err(gossipsub::PublishError::NoPeersSubscribedToTopic) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot gossip a membership statement"),
                }
            }
            Command::Dial { addr, reply } => {
                let opts = libp2p::swarm::dial_opts::DialOpts::from(addr);
                let id = opts.connection_id();
                match self.swarm.dial(opts) {
                    Ok(()) => {
                        self.dialling.insert(id, reply);
                    }
                    Err(e) => {
                        let _ = reply.send(Err(e.to_string()));
                    }
                }
            }
            Command::Subscribe { pillar, on, reply } => {
                self.subscribe(&pillar, on);
                let _ = reply.send(self.pillars());
            }
            Command::Peers { reply } => {
                let addrs = &self.peer_addrs;
                let gs = &self.swarm.behaviour().gossipsub;
                let topics: HashMap<PeerId, Vec<String>> = gs
                    .all_peers()
                    .map(|(p, t)| {
                        (
                            *p,
                            t.iter()
                                .filter_map(|h| self.topics.get(*h).map(|p| p.to_string()))
                                .collect(),
                        )
                    })
                    .collect();
                let mut mesh: HashMap<PeerId, Vec<String>> = HashMap::new();
                for (hash, pillar) in &self.topics {
                    for p in gs.mesh_peers(hash) {
                        mesh.entry(*p).or_default().push(pillar.to_string());
                    }
                }
                let peers = self
                    .swarm
                    .connected_peers()
                    .map(|p| {
                        // A direct connection first: it is the one in use once a hole punch
                        // worked.
                        let mut conns: Vec<&(_, Multiaddr, bool)> =
                            addrs.get(p).map(|v| v.iter().collect()).unwrap_or_default();
                        conns.sort_by_key(|(_, a, _)| super::reach::is_relayed(a));
                        (p, conns)
                    })
                    .map(|(p, conns)| PeerInfo {
                        peer_id: p.to_string(),
                        addr: conns
                            .first()
                            .map(|(_, a, _)| a.to_string())
                            .unwrap_or_default(),
                        addresses: conns.iter().map(|(_, a, _)| a.to_string()).collect(),
                        direction: match conns.first() {
                            Some((_, _, true)) => "outbound".into(),
                            Some((_, _, false)) => "inbound".into(),
                            None => String::new(),
                        },
                        relayed: conns
                            .first()
                            .is_some_and(|(_, a, _)| super::reach::is_relayed(a)),
                        score: gs.peer_score(p),
                        topics: topics.get(p).cloned().unwrap_or_default(),
                        mesh: mesh.remove(p).unwrap_or_default(),
                        organisation: None,
                        author: None,
                    })
                    .collect();
                let _ = reply.send(peers);
            }
            Command::Info { reply } => {
                let connected: HashSet<PeerId> = self.swarm.connected_peers().copied().collect();
                let _ = reply.send(Info {
                    peer_id: *self.swarm.local_peer_id(),
                    listen_addrs: self.listen_addrs.clone(),
                    peers: connected.len(),
                    pillars: self.pillars(),
                    reach: wsf_protocol::api::ReachInfo {
                        relayed_bytes_in: self
                            .relay_bytes
                            .read
                            .load(std::sync::atomic::Ordering::Relaxed),
                        relayed_bytes_out: self
                            .relay_bytes
                            .written
                            .load(std::sync::atomic::Ordering::Relaxed),
                        ..self.reach.counters.clone()
                    },
                    anchors: self.reach.anchors(),
                    bootstrap: self
                        .bootstrap
                        .iter()
                        .filter(|b| !b.from_book)
                        .map(|b| BootstrapInfo {
                            addr: b.addr.to_string(),
                            connected: b.peer.is_some_and(|p| connected.contains(&p)),
                            last_error: b.last_error.clone(),
                        })
                        .collect(),
                });
            }
            Command::Request { peer, bytes, reply } => {
                let id = self
                    .swarm
                    .behaviour_mut()
                    .sync
                    .send_request(&peer, super::sync::Wire(bytes));
                self.pending.insert(id, reply);
            }
            Command::DoorRequest { peer, bytes, reply } => {
                let id = self
                    .swarm
                    .behaviour_mut()
                    .door
                    .send_request(&peer, super::sync::Wire(bytes));
                self.door_pending.insert(id, reply);
            }
            Command::DoorTarget { id, reply } => {
                let _ = reply.send(self.door_forward.get(&id).copied());
            }
            Command::Sync { peer, reply } => {
                let peers: Vec<PeerId> = match peer {
                    Some(p) if self.swarm.is_connected(&p) => vec![p],
                    Some(p) => {
                        let _ = reply.send(Err(format!(
                            "not connected to {p}; connect first with `wsf dial ADDRESS` \
                             (`wsf peers` lists the connected ones)"
                        )));
                        return;
                    }
                    None => self.swarm.connected_peers().copied().collect(),
                };
                if peers.is_empty() {
                    let _ = reply.send(Err(
                        "no peer is connected to sync with; connect one with `wsf dial ADDRESS` \
                         or `--bootstrap`"
                            .into(),
                    ));
                    return;
                }
                let jobs: Vec<_> = peers.into_iter().map(|p| self.sync_job(p)).collect();
                tokio::spawn(async move {
                    let mut reports = Vec::new();
                    for job in jobs {
                        reports.extend(job.await);
                    }
                    let _ = reply.send(Ok(reports));
                });
            }
            Command::Strike { peer } => self.strike(peer, "sync session failed on the peer's side"),
            Command::Shutdown => {}
        }
    }

    /// Counts a misbehaviour of `peer` in sync; at [`MAX_BAD_REQUESTS`] the peer is
    /// disconnected and refused for a cool-down.
    fn strike(&mut self, peer: PeerId, why: &str) {
        let strikes = self.bad_requests.entry(peer).or_default();
        *strikes += 1;
        tracing::info!(peer = %short(&peer), why, strikes = *strikes, "sync strike");
        if *strikes >= MAX_BAD_REQUESTS {
            self.banned.insert(peer, Instant::now() + COOL_DOWN);
            let _ = self.swarm.disconnect_peer_id(peer);
        }
    }

    /// A task that syncs every subscribed pillar with `peer`, one pillar after the other; it
    /// does nothing when a session with that peer already runs.
    fn sync_job(
        &self,
        peer: PeerId,
    ) -> impl std::future::Future<Output = Vec<super::sync::Report>> + Send + 'static + use<> {
        let net = self.handle.clone();
        let ingest = self.ingest.clone();
        let pillars = self.pillars();
        let syncing = self.syncing.clone();
        let events = self.events.clone();
        async move {
            let fresh = syncing.lock().map(|mut s| s.insert(peer)).unwrap_or(false);
            if !fresh {
                return Vec::new();
            }
            let mut reports = Vec::new();
            for pillar in pillars {
                let r = super::sync::session(net.clone(), ingest.clone(), peer, pillar).await;
                if r.misbehaved {
                    let _ = net.tx.send(Command::Strike { peer }).await;
                }
                if r.fetched > 0 || r.pushed > 0 {
                    tracing::info!(
                        peer = %short(&peer), pillar = %r.pillar, rounds = r.rounds,
                        fetched = r.fetched, stored = r.stored, pushed = r.pushed,
                        error = ?r.error, "sync session"
                    );
                }
                let _ = events.send(NodeEvent::SyncFinished {
                    peer: r.peer.clone(),
                    pillar: r.pillar.clone(),
                    fetched: r.fetched,
                    stored: r.stored,
                    pushed: r.pushed,
                    bytes: r.reconcile_bytes + r.transfer_bytes,
                    error: r.error.clone(),
                });
                reports.push(r);
            }
            if let Ok(mut s) = syncing.lock() {
                s.remove(&peer);
            }
            reports
        }
    }

    fn answer(
        &mut self,
        peer: PeerId,
        channel: ResponseChannel<super::sync::Wire>,
        answer: Result<Vec<u8>, String>,
    ) {
        match answer {
            Ok(bytes) => {
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .sync
                    .send_response(channel, super::sync::Wire(bytes));
            }
            Err(e) => {
                // Garbage: no answer (the request fails on the peer's side), and a strike.
                tracing::debug!(%peer, error = %e, "bad sync request");
                self.strike(peer, "unreadable sync request");
            }
        }
    }

    fn sync_event(&mut self, event: request_response::Event<super::sync::Wire, super::sync::Wire>) {
        match event {
            request_response::Event::Message {
                peer,
                message:
                    request_response::Message::Request {
                        request, channel, ..
                    },
                ..
            } => {
                let permit = self.answering.clone().try_acquire_owned().ok();
                let limited = !super::sync::Bucket::take(&mut self.buckets, peer);
                if limited || permit.is_none() {
                    let why = if limited { "rate limited" } else { "busy" };
                    let refusal = wsf_protocol::sync::Message {
                        net: self.network,
                        pillar: Pillar::new("education")
                            .unwrap_or_else(|_| Pillar::well_known().remove(0)),
                        body: wsf_protocol::sync::Body::Refused(why.into()),
                    };
                    let _ = self
                        .swarm
                        .behaviour_mut()
                        .sync
                        .send_response(channel, super::sync::Wire(refusal.encode()));
                    return;
                }
                let ingest = self.ingest.clone();
                let tx = self.answers_tx.clone();
                let pillars = self.pillars();
                tokio::spawn(async move {
                    let answer = super::sync::respond(ingest, pillars, request.0).await;
                    drop(permit);
                    let _ = tx.send((peer, channel, answer)).await;
                });
            }
            request_response::Event::Message {
                message:
                    request_response::Message::Response {
                        request_id,
                        response,
                    },
                ..
            } => {
                if let Some(reply) = self.pending.remove(&request_id) {
                    let _ = reply.send(Ok(response.0));
                }
            }
            request_response::Event::OutboundFailure {
                request_id, error, ..
            } => {
                if let Some(reply) = self.pending.remove(&request_id) {
                    let _ = reply.send(Err(error.to_string()));
                }
            }
            _ => {}
        }
    }

    /// Disconnects peers whose score fell below the graylist threshold and refuses them for a
    /// cool-down.
    fn drop_low_scores(&mut self) {
        let now = Instant::now();
        let low: Vec<PeerId> = self
            .swarm
            .connected_peers()
            .filter(|p| {
                self.swarm
                    .behaviour()
                    .gossipsub
                    .peer_score(p)
                    .is_some_and(|s| s <= GRAYLIST_THRESHOLD)
            })
            .copied()
            .collect();
        for p in low {
            tracing::warn!(peer = %short(&p), "disconnecting a peer whose score fell below the graylist threshold");
            self.banned.insert(p, now + COOL_DOWN);
            let _ = self.swarm.disconnect_peer_id(p);
        }
    }

    fn tick(&mut self) {
        let now = Instant::now();
        let connected_now: HashSet<PeerId> = self.swarm.connected_peers().copied().collect();
        let busy: HashSet<PeerId> = self.syncing.lock().map(|s| s.clone()).unwrap_or_default();
        let act = self
            .reach
            .tick(now, &|p| connected_now.contains(p), &|p| busy.contains(p));
        self.reach_act(act);
        self.drop_low_scores();
        self.banned.retain(|_, until| *until > now);
        // Forget rate and strike state of peers that are gone.
        let connected: HashSet<PeerId> = self.swarm.connected_peers().copied().collect();
        self.buckets.retain(|p, _| connected.contains(p));
        self.members_asked.retain(|p, _| connected.contains(p));
        self.members_due.retain(|p| connected.contains(p));
        let due: Vec<PeerId> = self.members_due.iter().copied().collect();
        for p in due {
            self.ask_members(p);
        }
        self.bad_requests
            .retain(|p, _| connected.contains(p) || self.banned.contains_key(p));
        // Periodic sync with one random connected peer.
        if now >= self.next_sync {
            self.next_sync = now + self.sync_interval;
            let peers: Vec<PeerId> = self.swarm.connected_peers().copied().collect();
            if !peers.is_empty() {
                self.rng ^= self.rng << 13;
                self.rng ^= self.rng >> 7;
                self.rng ^= self.rng << 17;
                let peer = peers[(self.rng % peers.len() as u64) as usize];
                tokio::spawn(self.sync_job(peer));
                // The membership exchange too: it repairs a statement gossip lost on a
                // connection that stays open.
                self.ask_members(peer);
            }
        }
        // Bootstrap peers we are not connected to are redialled with exponential backoff.
        let connected: HashSet<PeerId> = self.swarm.connected_peers().copied().collect();
        let mut dials = Vec::new();
        for (i, b) in self.bootstrap.iter_mut().enumerate() {
            let up = b.peer.is_some_and(|p| connected.contains(&p));
            if up {
                b.backoff = BACKOFF_MIN;
                continue;
            }
            if now >= b.next {
                let opts = match b.peer {
                    // A known peer at all its addresses (the first that answers wins).
                    Some(peer) => libp2p::swarm::dial_opts::DialOpts::peer_id(peer)
                        .addresses(
                            std::iter::once(b.addr.clone())
                                .chain(b.more.iter().cloned())
                                .collect(),
                        )
                        .condition(
                            libp2p::swarm::dial_opts::PeerCondition::DisconnectedAndNotDialing,
                        )
                        .build(),
                    None => libp2p::swarm::dial_opts::DialOpts::unknown_peer_id()
                        .address(b.addr.clone())
                        .build(),
                };
                dials.push((i, opts));
                b.next = now + b.backoff;
                b.backoff = (b.backoff * 2).min(BACKOFF_MAX);
            }
        }
        for (i, opts) in dials {
            let id = opts.connection_id();
            match self.swarm.dial(opts) {
                Ok(()) => {
                    self.bootstrap_dials.insert(id, i);
                }
                // Already dialling (a rendezvous listing, a `wsf dial`): that dial decides.
                Err(libp2p::swarm::DialError::DialPeerConditionFalse(_)) => {}
                Err(e) => self.bootstrap_failed(i, dial_error(&e)),
            }
        }
    }

    /// A peer this node had been failing to reach is connected again: the network is probably
    /// back (a partition healed, a laptop woke up or changed networks), so the other peers it
    /// gave up on for a while are dialled again soon instead of at the end of their backoff.
    /// At most once per [`RECOVERY_EVERY`], so that one peer that comes and goes cannot make
    /// this node dial every known address over and over.
    fn network_back(&mut self, now: Instant) {
        if self
            .last_recovery
            .is_some_and(|at| now.duration_since(at) < RECOVERY_EVERY)
        {
            return;
        }
        self.last_recovery = Some(now);
        let connected: HashSet<PeerId> = self.swarm.connected_peers().copied().collect();
        let mut woken = 0usize;
        for b in &mut self.bootstrap {
            if b.peer.is_some_and(|p| connected.contains(&p)) || b.backoff <= BACKOFF_MIN {
                continue;
            }
            b.backoff = BACKOFF_MIN;
            b.next = b.next.min(now + BACKOFF_MIN);
            woken += 1;
        }
        if woken > 0 {
            tracing::info!(
                peers = woken,
                "a lost peer is back: dialling the others again"
            );
        }
    }

    /// A dial to bootstrap peer `i` failed: `wsf status` shows why. The log says which one
    /// (by number) without its address, which stays out of the default log
    /// (docs/threat-model.md), and only when it first fails.
    fn bootstrap_failed(&mut self, i: usize, error: String) {
        let of = self.bootstrap.iter().filter(|b| !b.from_book).count();
        let Some(b) = self.bootstrap.get_mut(i) else {
            return;
        };
        if b.last_error.is_none() && !b.from_book {
            tracing::warn!(
                bootstrap = i + 1,
                of,
                "cannot reach a bootstrap peer; retrying with backoff (`wsf status` says why)"
            );
        }
        b.last_error = Some(error);
    }

    fn swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::NewListenAddr { address, .. } if super::reach::is_relayed(&address) => {
                // A reservation's address: others can reach this node there.
                tracing::info!("reachable through a relay");
                self.swarm.add_external_address(address);
            }
            SwarmEvent::NewListenAddr { address, .. } => {
                let full = address.with(Protocol::P2p(*self.swarm.local_peer_id()));
                tracing::info!(address = %full, "listening");
                self.listen_addrs.push(full);
            }
            SwarmEvent::ExpiredListenAddr { address, .. } => {
                self.listen_addrs
                    .retain(|a| !a.to_string().starts_with(&address.to_string()));
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                endpoint,
                num_established,
                connection_id,
                ..
            } => {
                if let Some(reply) = self.dialling.remove(&connection_id) {
                    let _ = reply.send(Ok(peer_id));
                }
                // A relayed connection's address: the circuit (an inbound one's remote address
                // is only the peer id).
                let shown = match &endpoint {
                    libp2p::core::ConnectedPoint::Listener { local_addr, .. }
                        if endpoint.is_relayed() =>
                    {
                        local_addr.clone()
                    }
                    _ => endpoint.get_remote_address().clone(),
                };
                self.reach
                    .connected(peer_id, connection_id, &shown, Instant::now());
                if let Some(i) = self.bootstrap_dials.remove(&connection_id)
                    && let Some(b) = self.bootstrap.get_mut(i)
                {
                    if b.last_error.take().is_some() {
                        tracing::info!(bootstrap = i + 1, "bootstrap peer reached again");
                    }
                    b.peer.get_or_insert(peer_id);
                }
                if self.banned.contains_key(&peer_id) {
                    tracing::info!(peer = %short(&peer_id), "refusing a peer in its cool-down");
                    let _ = self.swarm.disconnect_peer_id(peer_id);
                    return;
                }
                let addr = endpoint.get_remote_address().clone();
                let mut was_failing = false;
                for b in &mut self.bootstrap {
                    if b.peer.is_none() && endpoint.is_dialer() && b.addr == addr {
                        b.peer = Some(peer_id);
                    }
                    if b.peer == Some(peer_id) {
                        was_failing |= b.backoff > BACKOFF_MIN * 2;
                        b.backoff = BACKOFF_MIN;
                    }
                }
                if was_failing {
                    self.network_back(Instant::now());
                }
                self.peer_addrs.entry(peer_id).or_default().push((
                    connection_id,
                    shown,
                    endpoint.is_dialer(),
                ));
                if num_established.get() == 1 {
                    // Catch up with every new peer. One session reconciles both ways, so only
                    // the side that dialled starts one.
                    if self.sync_on_connect && endpoint.is_dialer() {
                        tokio::spawn(self.sync_job(peer_id));
                    }
                    // A peer's address stays out of the default log: a seized laptop's journal
                    // must not map the coalition (docs/threat-model.md).
                    tracing::info!(peer = %short(&peer_id), "peer connected");
                    self.members_asked.remove(&peer_id);
                    self.ask_members(peer_id);
                    tracing::debug!(peer = %peer_id, %addr, "peer address");
                    let _ = self.events.send(NodeEvent::PeerConnected {
                        peer: peer_id.to_string(),
                        address: addr.to_string(),
                        outbound: endpoint.is_dialer(),
                    });
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                connection_id,
                num_established,
                ..
            } if num_established > 0 => {
                self.reach.closed(peer_id, connection_id);
                if let Some(v) = self.peer_addrs.get_mut(&peer_id) {
                    v.retain(|(id, _, _)| *id != connection_id);
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                connection_id,
                num_established: 0,
                ..
            } => {
                self.reach.closed(peer_id, connection_id);
                tracing::info!(peer = %short(&peer_id), "peer disconnected");
                self.peer_addrs.remove(&peer_id);
                self.door_forward.retain(|_, p| *p != peer_id);
                let _ = self.events.send(NodeEvent::PeerDisconnected {
                    peer: peer_id.to_string(),
                });
                let now = Instant::now();
                for b in &mut self.bootstrap {
                    if b.peer == Some(peer_id) {
                        b.next = b.next.max(now + BACKOFF_MIN);
                    }
                }
            }
            SwarmEvent::OutgoingConnectionError {
                peer_id,
                error,
                connection_id,
            } => {
                if let Some(reply) = self.dialling.remove(&connection_id) {
                    let _ = reply.send(Err(dial_error(&error)));
                }
                if let Some(i) = self.bootstrap_dials.remove(&connection_id) {
                    self.bootstrap_failed(i, dial_error(&error));
                }
                tracing::debug!(peer = ?peer_id, %error, "dial failed");
            }
            SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            })) => self.gossip(propagation_source, message_id, message),
            SwarmEvent::Behaviour(BehaviourEvent::Sync(event)) => self.sync_event(event),
            SwarmEvent::Behaviour(BehaviourEvent::Members(event)) => self.members_event(event),
            SwarmEvent::Behaviour(BehaviourEvent::Door(event)) => self.door_event(event),
            SwarmEvent::Behaviour(BehaviourEvent::Ping(libp2p::ping::Event {
                peer,
                connection,
                result: Err(error),
            })) if !matches!(error, libp2p::ping::Failure::Unsupported) => {
                tracing::debug!(peer = %short(&peer), %error, "a ping failed; closing that connection");
                self.swarm.close_connection(connection);
            }
            SwarmEvent::Behaviour(BehaviourEvent::Identify(identify::Event::Received {
                peer_id,
                info,
                ..
            })) => {
                let addr = self.peer_addrs.get(&peer_id).and_then(|v| {
                    v.iter()
                        .find(|(_, a, _)| !super::reach::is_relayed(a))
                        .map(|(_, a, _)| a.clone())
                });
                let act = self
                    .reach
                    .identified(peer_id, &info, addr.as_ref(), Instant::now());
                self.learned(peer_id, &info.listen_addrs, "identify");
                self.reach_act(act);
            }
            SwarmEvent::Behaviour(BehaviourEvent::RelayClient(
                relay::client::Event::ReservationReqAccepted {
                    relay_peer_id,
                    renewal,
                    ..
                },
            )) => {
                if !renewal {
                    tracing::info!(anchor = %short(&relay_peer_id), "relay reservation accepted");
                }
                let act = self.reach.reserved(relay_peer_id, renewal);
                self.reach_act(act);
                if !renewal {
                    self.register_invites(relay_peer_id);
                }
            }
            SwarmEvent::Behaviour(BehaviourEvent::Dcutr(event)) => self.reach.holepunch(&event),
            SwarmEvent::Behaviour(BehaviourEvent::Relay(event)) => self.reach.relay_server(&event),
            SwarmEvent::Behaviour(BehaviourEvent::Rendezvous(event)) => match event {
                rendezvous::client::Event::Discovered { registrations, .. } => {
                    let me = *self.swarm.local_peer_id();
                    let connected: HashSet<PeerId> =
                        self.swarm.connected_peers().copied().collect();
                    for r in &registrations {
                        if r.record.peer_id() != me {
                            self.learned(r.record.peer_id(), r.record.addresses(), "rendezvous");
                        }
                    }
                    let act = self
                        .reach
                        .discovered(me, &registrations, &|p| connected.contains(p));
                    self.reach_act(act);
                }
                rendezvous::client::Event::RegisterFailed { error, .. } => {
                    tracing::debug!(?error, "rendezvous registration failed");
                }
                _ => {}
            },
            SwarmEvent::ListenerClosed { listener_id, .. } => {
                self.reach.listener_closed(listener_id, Instant::now());
            }
            SwarmEvent::Behaviour(BehaviourEvent::Mdns(mdns::Event::Discovered(found))) => {
                for (peer, addr) in found {
                    if !self.swarm.is_connected(&peer) {
                        let _ = self.swarm.dial(addr.with(Protocol::P2p(peer)));
                    }
                }
            }
            _ => {}
        }
    }

    /// Tells the address book where a peer can be reached (at most
    /// [`crate::address_book::MAX_ADDRS`] addresses, none longer than
    /// [`crate::address_book::MAX_ADDR_LEN`]).
    fn learned(&self, peer: PeerId, addrs: &[Multiaddr], via: &str) {
        let addresses: Vec<String> = addrs
            .iter()
            .map(|a| a.to_string())
            .filter(|a| a.len() <= crate::address_book::MAX_ADDR_LEN)
            .take(crate::address_book::MAX_ADDRS)
            .collect();
        if addresses.is_empty() {
            return;
        }
        let _ = self.events.send(NodeEvent::PeerLearned {
            peer: peer.to_string(),
            addresses,
            via: via.to_owned(),
        });
    }

    fn gossip(&mut self, from: PeerId, id: MessageId, message: gossipsub::Message) {
        if Some(&message.topic) == self.members_topic.as_ref() {
            return self.gossip_statement(from, id, message.data);
        }
        let gs = &mut self.swarm.behaviour_mut().gossipsub;
        if !self.topics.contains_key(&message.topic) {
            gs.report_message_validation_result(&id, &from, MessageAcceptance::Ignore);
            return;
        }
        let incoming = Incoming {
            id: id.clone(),
            from,
            data: message.data,
        };
        if self.gossip_tx.try_send(incoming).is_err() {
            // Ingest is behind: drop this copy rather than buffer without bound.
            gs.report_message_validation_result(&id, &from, MessageAcceptance::Ignore);
        }
    }
}

/// Waits for a change of the membership state (never, without membership).
async fn changed(
    rx: &mut Option<tokio::sync::watch::Receiver<std::sync::Arc<crate::members::Snapshot>>>,
) -> Result<(), tokio::sync::watch::error::RecvError> {
    match rx {
        Some(rx) => rx.changed().await,
        None => std::future::pending().await,
    }
}

impl EventLoop {
    /// A membership statement from gossip: verified and kept off the loop; Accept when it was
    /// new (gossipsub forwards it), Ignore when known, Reject when it does not verify.
    fn gossip_statement(&mut self, from: PeerId, id: MessageId, data: Vec<u8>) {
        let Some(members) = self.members.clone() else {
            return;
        };
        let verdicts = self.verdict_tx.clone();
        tokio::spawn(async move {
            let acceptance =
                tokio::task::spawn_blocking(move || match members.add_counted(&[data]) {
                    Ok((_, bad)) if bad > 0 => MessageAcceptance::Reject,
                    Ok((new, _)) if !new.is_empty() => MessageAcceptance::Accept,
                    Ok(_) => MessageAcceptance::Ignore,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot keep a membership statement");
                        MessageAcceptance::Ignore
                    }
                })
                .await
                .unwrap_or(MessageAcceptance::Ignore);
            let _ = verdicts
                .send(Verdict {
                    id,
                    from,
                    acceptance,
                })
                .await;
        });
    }

    /// Statements a peer answered the membership exchange with: kept off the loop.
    fn statements(&mut self, peer: PeerId, items: Vec<Vec<u8>>) {
        let Some(members) = self.members.clone() else {
            return;
        };
        tokio::task::spawn_blocking(move || match members.add(&items) {
            Ok(new) if !new.is_empty() => {
                tracing::info!(peer = %short(&peer), new = new.len(), "membership statements learned");
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "cannot keep membership statements"),
        });
    }

    /// Asks `peer` for its membership statements (the digest of ours), at most once per
    /// [`MEMBERS_ASK_EVERY`] per peer, so that two nodes whose sets differ for good (one keeps
    /// a statement the other drops) cannot ask each other in a loop.
    fn ask_members(&mut self, peer: PeerId) {
        let Some(m) = &self.members else {
            return;
        };
        let now = Instant::now();
        if self
            .members_asked
            .get(&peer)
            .is_some_and(|t| now < *t + MEMBERS_ASK_EVERY)
        {
            self.members_due.insert(peer);
            return;
        }
        self.members_due.remove(&peer);
        self.members_asked.insert(peer, now);
        let digest = m.snapshot().digest.to_vec();
        self.swarm
            .behaviour_mut()
            .members
            .send_request(&peer, super::sync::Wire(digest));
    }

    /// Closes the connections of nodes no current member stands behind (after a removal), and
    /// tells the others that this node's statements changed (they ask for them: the exchange
    /// does not depend on the gossip mesh being formed).
    fn enforce_membership(&mut self) {
        let Some(members) = &self.members else {
            return;
        };
        let snap = members.snapshot();
        let others: Vec<PeerId> = self
            .swarm
            .connected_peers()
            .filter(|p| snap.allows(p))
            .copied()
            .collect();
        let out: Vec<PeerId> = self
            .swarm
            .connected_peers()
            .filter(|p| !snap.allows(p))
            .copied()
            .collect();
        for p in out {
            tracing::info!(peer = %short(&p), "disconnecting the node of a removed member");
            let _ = self.swarm.disconnect_peer_id(p);
        }
        for p in others {
            self.ask_members(p);
        }
    }

    /// Registers this node's open invites with an anchor it now holds a reservation on, so
    /// that the anchor's door forwards their joiners here (what it answers is not needed: a
    /// code made later asks again).
    fn register_invites(&mut self, anchor: PeerId) {
        let Some(invites) = &self.invites else {
            return;
        };
        let ids = invites.registered_ids();
        let bytes = wsf_protocol::door::forward::Message::Register(ids).encode();
        self.swarm
            .behaviour_mut()
            .door
            .send_request(&anchor, super::sync::Wire(bytes));
    }

    /// The door addresses of this anchor, for members' codes: its door's port at each
    /// external address (else where it listens).
    fn anchor_doors(&self) -> Vec<String> {
        let Some(bound) = self.invites.as_ref().and_then(|i| i.door_bound()) else {
            return Vec::new();
        };
        let mut at: Vec<String> = self
            .swarm
            .external_addresses()
            .map(ToString::to_string)
            .collect();
        if at.is_empty() {
            at = self.listen_addrs.iter().map(ToString::to_string).collect();
        }
        let mut doors = crate::invites::door_addrs(bound, &at);
        doors.truncate(wsf_protocol::door::forward::MAX_DOORS);
        doors
    }

    fn door_event(&mut self, event: request_response::Event<super::sync::Wire, super::sync::Wire>) {
        use wsf_protocol::door::forward::Message;
        match event {
            request_response::Event::Message {
                peer,
                message:
                    request_response::Message::Request {
                        request, channel, ..
                    },
                ..
            } => {
                // Doors exist on closed networks only: every peer here is a member's node.
                if self.members.is_none() {
                    return;
                }
                match Message::decode(&request.0) {
                    Ok(Message::Register(ids)) if self.reach.anchor => {
                        self.door_forward.retain(|_, p| *p != peer);
                        for id in ids {
                            if self.door_forward.len() >= MAX_FORWARDED {
                                tracing::warn!(
                                    "too many invites registered here; some are not forwarded"
                                );
                                break;
                            }
                            // The first node to register an invite keeps it while connected.
                            self.door_forward.entry(id).or_insert(peer);
                        }
                        let doors = wsf_protocol::door::forward::Reply::Doors(self.anchor_doors());
                        let _ = self
                            .swarm
                            .behaviour_mut()
                            .door
                            .send_response(channel, super::sync::Wire(doors.encode()));
                    }
                    Ok(Message::Knock { id, hello }) => {
                        let Some(knocks) = self.knocks.clone() else {
                            return;
                        };
                        let (reply, answer) = tokio::sync::oneshot::channel();
                        if knocks.try_send(super::Knock { id, hello, reply }).is_err() {
                            tracing::debug!("a forwarded join refused: the door is busy");
                            return;
                        }
                        let back = self.door_answers_tx.clone();
                        tokio::spawn(async move {
                            if let Ok(Ok(bytes)) =
                                tokio::time::timeout(Duration::from_secs(8), answer).await
                            {
                                let _ = back.send((channel, bytes)).await;
                            }
                        });
                    }
                    // Not an anchor, or garbage: no answer (the stream is dropped).
                    Ok(Message::Register(_)) => {}
                    Err(e) => {
                        tracing::debug!(peer = %short(&peer), error = %e, "an unreadable door message")
                    }
                }
            }
            request_response::Event::Message {
                message:
                    request_response::Message::Response {
                        request_id,
                        response,
                    },
                ..
            } => {
                if let Some(reply) = self.door_pending.remove(&request_id) {
                    let _ = reply.send(Ok(response.0));
                }
            }
            request_response::Event::OutboundFailure {
                request_id, error, ..
            } => {
                if let Some(reply) = self.door_pending.remove(&request_id) {
                    let _ = reply.send(Err(error.to_string()));
                }
            }
            _ => {}
        }
    }

    fn members_event(
        &mut self,
        event: request_response::Event<super::sync::Wire, super::sync::Wire>,
    ) {
        let Some(members) = self.members.clone() else {
            return;
        };
        match event {
            request_response::Event::Message {
                peer,
                message:
                    request_response::Message::Request {
                        request, channel, ..
                    },
                ..
            } => {
                let snap = members.snapshot();
                let answer = if request.0.as_slice() == snap.digest.as_slice() {
                    Vec::new()
                } else {
                    // The asker holds another set: ask it back.
                    self.ask_members(peer);
                    let mut items = Vec::new();
                    let mut size = 0usize;
                    for s in members.statements() {
                        size += s.len() + 5;
                        if size > behaviour::MAX_MEMBERS_ANSWER - 16 {
                            break;
                        }
                        items.push(ciborium::Value::Bytes(s));
                    }
                    wsf_protocol::cbor::encode_owned(ciborium::Value::Array(items))
                };
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .members
                    .send_response(channel, super::sync::Wire(answer));
            }
            request_response::Event::Message {
                peer,
                message: request_response::Message::Response { response, .. },
                ..
            } => {
                if response.0.is_empty() {
                    return;
                }
                // Checked before decoding: the check bounds what decoding allocates.
                if wsf_protocol::cbor::check(&response.0).is_err() {
                    tracing::info!(peer = %short(&peer), "an unreadable membership answer");
                    return;
                }
                let items = match wsf_protocol::cbor::decode(&response.0) {
                    Ok(ciborium::Value::Array(items)) => items
                        .into_iter()
                        .filter_map(|v| match v {
                            ciborium::Value::Bytes(b) => Some(b),
                            _ => None,
                        })
                        .collect(),
                    _ => {
                        tracing::info!(peer = %short(&peer), "an unreadable membership answer");
                        return;
                    }
                };
                if self.statements_tx.try_send((peer, items)).is_err() {
                    tracing::debug!("membership answers queue full; the next exchange repeats it");
                }
            }
            _ => {}
        }
    }
}

/// The ingest task for gossip: takes messages in batches, runs them through ingest, sends back
/// one verdict per message.
async fn ingest_gossip(
    ingest: Ingest,
    mut rx: mpsc::Receiver<Incoming>,
    verdicts: mpsc::Sender<Verdict>,
    events: broadcast::Sender<NodeEvent>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < GOSSIP_BATCH {
            match rx.try_recv() {
                Ok(m) => batch.push(m),
                Err(_) => break,
            }
        }
        let envelopes: Vec<Vec<u8>> = batch.iter().map(|m| m.data.clone()).collect();
        // A record that passed every check (verified, valid, new, allowed) is forwarded before
        // its commit is durable (DESIGN §10): each hop then costs a check, not a check and a
        // commit. Sync repairs what a crash between the two loses.
        let checked = ingest.check(envelopes).await;
        let mut early = vec![false; batch.len()];
        if let Ok(c) = &checked {
            for ((m, passed), early) in batch.iter().zip(c.passed()).zip(early.iter_mut()) {
                if !passed {
                    continue;
                }
                *early = true;
                let accept = Verdict {
                    id: m.id.clone(),
                    from: m.from,
                    acceptance: MessageAcceptance::Accept,
                };
                if verdicts.send(accept).await.is_err() {
                    return;
                }
            }
        }
        // Without an fsync of its own: gossip commits are made durable together, within
        // store::SETTLE_AFTER (a crash before loses them; sync fetches them again).
        let committed = match checked {
            Ok(c) => ingest.commit(c, false).await,
            Err(e) => Err(e),
        };
        let outcomes = match committed {
            Ok(o) => o,
            Err(e) => {
                tracing::error!(error = %e, "cannot store gossip; ignoring this batch");
                batch
                    .iter()
                    .map(|_| Outcome::Duplicate(wsf_protocol::RecordId([0; 32])))
                    .collect()
            }
        };
        // A duplicate whose bytes are exactly the stored envelope is the same valid record on
        // another pillar topic (or a copy we already hold): accept it, so gossipsub forwards it
        // on this topic too. Any other duplicate (same body, other signature bytes) is ignored.
        let dup_ids: Vec<wsf_protocol::RecordId> = outcomes
            .iter()
            .filter_map(|o| match o {
                Outcome::Duplicate(id) => Some(*id),
                _ => None,
            })
            .collect();
        let stored: HashMap<wsf_protocol::RecordId, Vec<u8>> = if dup_ids.is_empty() {
            HashMap::new()
        } else {
            ingest
                .store()
                .read(move |txn| {
                    let mut m = HashMap::new();
                    for id in dup_ids {
                        if let Some(e) = crate::store::envelope(txn, &id)? {
                            m.insert(id, e);
                        }
                    }
                    Ok(m)
                })
                .await
                .unwrap_or_default()
        };
        if events.receiver_count() > 0 {
            let fresh: Vec<wsf_protocol::Record> = batch
                .iter()
                .zip(&outcomes)
                .filter(|(_, o)| matches!(o, Outcome::Stored(_)))
                .filter_map(|(m, _)| wsf_protocol::decode_trusted(&m.data).ok())
                .collect();
            let infos = match ingest.infos(fresh.clone()).await {
                Ok(infos) => infos,
                Err(_) => fresh.iter().map(RecordInfo::from_record).collect(),
            };
            for info in infos {
                let _ = events.send(NodeEvent::RecordStored {
                    source: "gossip".into(),
                    record: Box::new(info),
                });
            }
        }
        for ((m, outcome), early) in batch.into_iter().zip(outcomes).zip(early) {
            let acceptance = match &outcome {
                Outcome::Stored(_) => MessageAcceptance::Accept,
                Outcome::Expired(_) => MessageAcceptance::Ignore,
                Outcome::Duplicate(id) if stored.get(id) == Some(&m.data) => {
                    MessageAcceptance::Accept
                }
                Outcome::Duplicate(_) => MessageAcceptance::Ignore,
                Outcome::Rejected { reason, .. } => {
                    let _ = events.send(NodeEvent::RecordRejected {
                        source: "gossip".into(),
                        reason: reason.code(),
                        peer: Some(m.from.to_string()),
                    });
                    if reason.is_misbehaviour() {
                        tracing::info!(peer = %short(&m.from), reason = %reason.code(), "rejected a gossiped record");
                        MessageAcceptance::Reject
                    } else {
                        MessageAcceptance::Ignore
                    }
                }
            };
            if early {
                continue;
            }
            if verdicts
                .send(Verdict {
                    id: m.id,
                    from: m.from,
                    acceptance,
                })
                .await
                .is_err()
            {
                return;
            }
        }
    }
}

/// A peer id as the default log shows it: its last 8 characters, enough to follow one peer
/// through a log, too little to look it up elsewhere.
pub(super) fn short(peer: &PeerId) -> String {
    let s = peer.to_string();
    let cut = s.len().saturating_sub(8);
    format!("…{}", &s[cut..])
}

/// Why a dial failed, in a sentence and without repeating itself: libp2p's transport errors
/// list every address tried with its cause.
fn dial_error(error: &libp2p::swarm::DialError) -> String {
    use libp2p::swarm::DialError;
    match error {
        DialError::Transport(attempts) => {
            let causes: Vec<String> = attempts
                .iter()
                .map(|(addr, e)| {
                    let mut cause = e.to_string();
                    let mut source = std::error::Error::source(e);
                    while let Some(s) = source {
                        let text = s.to_string();
                        if !cause.contains(&text) {
                            cause = format!("{cause}: {text}");
                        }
                        source = s.source();
                    }
                    format!("{addr}: {cause}")
                })
                .collect();
            causes.join("; ")
        }
        DialError::WrongPeerId { obtained, .. } => {
            format!("the node there is {obtained}, not the peer the address names")
        }
        other => other.to_string(),
    }
}

impl EventLoop {
    /// Carries out what the reachability state asked for.
    fn reach_act(&mut self, act: super::reach::Actions) {
        for (anchor, addr) in act.listen {
            match self.swarm.listen_on(addr) {
                Ok(id) => self.reach.listening(anchor, id),
                Err(e) => tracing::debug!(error = %e, "cannot ask for a relay reservation"),
            }
        }
        let ns = self.reach.namespace();
        for point in act.register {
            let Some(ns) = ns.clone() else { break };
            match self.swarm.behaviour_mut().rendezvous.register(
                ns,
                point,
                Some(super::reach::REGISTRATION_TTL),
            ) {
                Ok(()) => self.reach.registered(point, Instant::now()),
                Err(e) => tracing::debug!(error = %e, "cannot register at a rendezvous point yet"),
            }
        }
        for point in act.discover {
            self.swarm
                .behaviour_mut()
                .rendezvous
                .discover(ns.clone(), None, None, point);
        }
        for (peer, addrs) in act.dial {
            let opts = libp2p::swarm::dial_opts::DialOpts::peer_id(peer)
                .addresses(addrs)
                .build();
            if let Err(e) = self.swarm.dial(opts) {
                tracing::debug!(error = %e, "cannot dial a discovered peer");
            }
        }
        for id in act.close {
            tracing::info!("closing a relayed connection: a direct one took over");
            self.swarm.close_connection(id);
        }
    }
}
