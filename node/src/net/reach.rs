//! Reaching nodes behind NAT: relay reservations on anchors, rendezvous registration and
//! discovery, hole punching (DCUtR), and closing a relayed connection once a direct one exists.
//!
//! An anchor is any node started with `--anchor`: it serves circuit relay v2 and rendezvous
//! and announces its `--external-address`. Every other node finds anchors by itself: a peer
//! whose identify lists the relay HOP protocol gets a reservation (`listen_on(<addr>/p2p-circuit)`,
//! renewed by the relay client, listened again when it closes), and a peer that serves
//! rendezvous gets this node's registration under the network's namespace and is asked for the
//! others' every [`DISCOVER_EVERY`].

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use libp2p::core::transport::ListenerId;
use libp2p::multiaddr::Protocol;
use libp2p::swarm::ConnectionId;
use libp2p::{Multiaddr, PeerId, dcutr, identify, relay, rendezvous};

/// How often a node asks the rendezvous points for the others.
pub const DISCOVER_EVERY: Duration = Duration::from_secs(30);
/// How long a registration lives at a rendezvous point; renewed at half of it.
pub const REGISTRATION_TTL: u64 = 2 * 3_600;
/// How long a relayed connection stays after a direct one to the same peer opened (sync
/// sessions running over it finish first).
pub const RELAY_GRACE: Duration = Duration::from_secs(10);
/// First wait before asking an anchor for a reservation again.
pub const RESERVE_RETRY: Duration = Duration::from_secs(2);

/// The counters `status --json` shows as `reachability`.
pub use wsf_protocol::api::ReachInfo as Counters;

/// A reservation this node wants on an anchor.
#[derive(Debug)]
struct Reservation {
    /// The anchor's direct address, with `/p2p/`.
    addr: Multiaddr,
    listener: Option<ListenerId>,
    next: Instant,
    backoff: Duration,
}

/// Reachability state of the event loop.
#[derive(Debug)]
pub struct Reach {
    pub anchor: bool,
    namespace: Option<rendezvous::Namespace>,
    reservations: HashMap<PeerId, Reservation>,
    listeners: HashMap<ListenerId, PeerId>,
    /// Rendezvous points, and when this node last registered there.
    points: HashMap<PeerId, Option<Instant>>,
    next_discover: Instant,
    /// Relayed connections, by peer.
    relayed: HashMap<PeerId, HashSet<ConnectionId>>,
    /// Peers with a direct connection too: when their relayed connections may close.
    close_relayed: HashMap<PeerId, Instant>,
    pub counters: Counters,
}

/// Whether an address goes through a relay.
pub fn is_relayed(addr: &Multiaddr) -> bool {
    addr.iter().any(|p| matches!(p, Protocol::P2pCircuit))
}

/// What the event loop must do after an event.
#[derive(Debug, Default)]
pub struct Actions {
    pub listen: Vec<(PeerId, Multiaddr)>,
    pub register: Vec<PeerId>,
    pub discover: Vec<PeerId>,
    pub dial: Vec<(PeerId, Vec<Multiaddr>)>,
    pub close: Vec<ConnectionId>,
}

impl Reach {
    pub fn new(anchor: bool, network: wsf_protocol::NetworkId) -> Reach {
        Reach {
            anchor,
            namespace: rendezvous::Namespace::new(format!("wsf/{network}")).ok(),
            reservations: HashMap::new(),
            listeners: HashMap::new(),
            points: HashMap::new(),
            next_discover: Instant::now() + DISCOVER_EVERY,
            relayed: HashMap::new(),
            close_relayed: HashMap::new(),
            counters: Counters {
                anchor,
                ..Counters::default()
            },
        }
    }

    pub fn namespace(&self) -> Option<rendezvous::Namespace> {
        self.namespace.clone()
    }

    /// Identify told what a connected peer serves; `addr` is where this node reached it.
    pub fn identified(
        &mut self,
        peer: PeerId,
        info: &identify::Info,
        addr: Option<&Multiaddr>,
        now: Instant,
    ) -> Actions {
        let mut act = Actions::default();
        let serves = |p: &libp2p::StreamProtocol| info.protocols.contains(p);
        if !self.anchor
            && serves(&relay::HOP_PROTOCOL_NAME)
            && !self.reservations.contains_key(&peer)
            && let Some(addr) = addr.filter(|a| !is_relayed(a))
        {
            let mut addr = addr.clone();
            if !matches!(addr.iter().last(), Some(Protocol::P2p(_))) {
                addr.push(Protocol::P2p(peer));
            }
            self.reservations.insert(
                peer,
                Reservation {
                    addr: addr.clone(),
                    listener: None,
                    next: now,
                    backoff: RESERVE_RETRY,
                },
            );
            act.listen.push((peer, addr.with(Protocol::P2pCircuit)));
        }
        if serves(&rendezvous::PROTOCOL_NAME) && !self.points.contains_key(&peer) {
            self.points.insert(peer, None);
            act.register.push(peer);
            act.discover.push(peer);
        }
        act
    }

    /// A reservation's listener was made.
    pub fn listening(&mut self, anchor: PeerId, id: ListenerId) {
        self.listeners.insert(id, anchor);
        if let Some(r) = self.reservations.get_mut(&anchor) {
            r.listener = Some(id);
        }
    }

    /// The relay accepted a reservation: register at the rendezvous points (this node now has
    /// an address others can reach).
    pub fn reserved(&mut self, anchor: PeerId, renewal: bool) -> Actions {
        self.counters.reservations_accepted += 1;
        if let Some(r) = self.reservations.get_mut(&anchor) {
            r.backoff = RESERVE_RETRY;
        }
        self.counters.reservations_active = self
            .reservations
            .values()
            .filter(|r| r.listener.is_some())
            .count() as u64;
        let mut act = Actions::default();
        if !renewal {
            act.register.extend(self.points.keys().copied());
        }
        act
    }

    /// A listener closed: if it was a reservation, ask again later.
    pub fn listener_closed(&mut self, id: ListenerId, now: Instant) {
        let Some(anchor) = self.listeners.remove(&id) else {
            return;
        };
        if let Some(r) = self.reservations.get_mut(&anchor) {
            r.listener = None;
            r.next = now + r.backoff;
            r.backoff = (r.backoff * 2).min(super::BACKOFF_MAX);
        }
        self.counters.reservations_active = self
            .reservations
            .values()
            .filter(|r| r.listener.is_some())
            .count() as u64;
    }

    /// A connection opened.
    pub fn connected(&mut self, peer: PeerId, id: ConnectionId, addr: &Multiaddr, now: Instant) {
        if is_relayed(addr) {
            self.counters.relayed_connections += 1;
            self.relayed.entry(peer).or_default().insert(id);
        } else if self.relayed.get(&peer).is_some_and(|s| !s.is_empty()) {
            self.close_relayed.entry(peer).or_insert(now + RELAY_GRACE);
        }
    }

    /// A connection closed.
    pub fn closed(&mut self, peer: PeerId, id: ConnectionId) {
        if let Some(s) = self.relayed.get_mut(&peer) {
            s.remove(&id);
            if s.is_empty() {
                self.relayed.remove(&peer);
                self.close_relayed.remove(&peer);
            }
        }
    }

    pub fn holepunch(&mut self, event: &dcutr::Event) {
        self.counters.holepunch_attempts += 1;
        match &event.result {
            Ok(_) => {
                self.counters.holepunch_successes += 1;
                tracing::info!(peer = %super::event_loop::short(&event.remote_peer_id), "hole punch succeeded: direct connection");
            }
            Err(e) => {
                self.counters.holepunch_failures += 1;
                tracing::info!(peer = %super::event_loop::short(&event.remote_peer_id), error = %e, "hole punch failed; staying on the relay");
            }
        }
    }

    pub fn relay_server(&mut self, event: &relay::Event) {
        match event {
            relay::Event::CircuitReqAccepted { .. } => self.counters.circuits_relayed += 1,
            relay::Event::CircuitReqDenied { .. } | relay::Event::ReservationReqDenied { .. } => {
                self.counters.circuits_denied += 1
            }
            _ => {}
        }
    }

    /// Peers a rendezvous point listed: dial those not connected.
    pub fn discovered(
        &mut self,
        me: PeerId,
        registrations: &[rendezvous::Registration],
        connected: &dyn Fn(&PeerId) -> bool,
    ) -> Actions {
        let mut act = Actions::default();
        for r in registrations {
            let peer = r.record.peer_id();
            if peer == me || connected(&peer) {
                continue;
            }
            self.counters.discovered += 1;
            act.dial.push((peer, r.record.addresses().to_vec()));
        }
        act
    }

    /// Periodic work: reservations to ask again, registrations to renew, discovery, relayed
    /// connections to close (`busy`: peers with a sync session running).
    pub fn tick(
        &mut self,
        now: Instant,
        connected: &dyn Fn(&PeerId) -> bool,
        busy: &dyn Fn(&PeerId) -> bool,
    ) -> Actions {
        let mut act = Actions::default();
        for (peer, r) in &mut self.reservations {
            if r.listener.is_none() && now >= r.next {
                r.next = now + r.backoff;
                r.backoff = (r.backoff * 2).min(super::BACKOFF_MAX);
                act.listen
                    .push((*peer, r.addr.clone().with(Protocol::P2pCircuit)));
            }
        }
        for (peer, last) in &mut self.points {
            if !connected(peer) {
                continue;
            }
            if last.is_some_and(|t| now >= t + Duration::from_secs(REGISTRATION_TTL / 2)) {
                act.register.push(*peer);
            }
        }
        if now >= self.next_discover {
            self.next_discover = now + DISCOVER_EVERY;
            act.discover
                .extend(self.points.keys().filter(|p| connected(p)).copied());
        }
        let due: Vec<PeerId> = self
            .close_relayed
            .iter()
            .filter(|(p, t)| now >= **t && !busy(p))
            .map(|(p, _)| *p)
            .collect();
        for p in due {
            self.close_relayed.remove(&p);
            if let Some(ids) = self.relayed.remove(&p) {
                self.counters.relayed_closed_for_direct += ids.len() as u64;
                act.close.extend(ids);
            }
        }
        act
    }

    /// The anchors where this node holds a reservation now: their direct addresses.
    pub fn anchors(&self) -> Vec<Multiaddr> {
        self.reservations
            .values()
            .filter(|r| r.listener.is_some())
            .map(|r| r.addr.clone())
            .collect()
    }

    /// Registered at a point (or tried): remember when.
    pub fn registered(&mut self, point: PeerId, now: Instant) {
        self.points.insert(point, Some(now));
    }
}
