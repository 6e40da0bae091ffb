//! The libp2p behaviour of a node: gossipsub for records, identify, ping, connection limits and
//! (with `--lan`) mDNS. Standard protocols only, so other libp2p implementations can join.

use std::time::Duration;

use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::NetworkBehaviour;
use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::{
    StreamProtocol, connection_limits, dcutr, gossipsub, identify, identity, mdns, ping, relay,
    rendezvous,
};
use wsf_protocol::limits::MAX_ENVELOPE;

/// Connections a node keeps at most. A laptop node talks to a few dozen partners; the limits
/// keep a flood of connection attempts from exhausting file descriptors and memory.
pub const MAX_ESTABLISHED: u32 = 128;
/// Connections to one peer at most: a relayed one, a direct one from hole punching, and one
/// more in progress (a redial can overlap with a closing connection).
pub const MAX_PER_PEER: u32 = 3;
/// Handshakes in progress at most, each way.
pub const MAX_PENDING: u32 = 32;

/// Gossipsub scores at or below which a peer is graylisted (its messages ignored); the node also
/// disconnects it. Two rejected records (forged or malformed) put a peer there, see
/// [`INVALID_MESSAGE_WEIGHT`].
pub const GRAYLIST_THRESHOLD: f64 = -80.0;
/// Weight of the invalid-message penalty (P4, squared count of rejected messages per topic).
pub const INVALID_MESSAGE_WEIGHT: f64 = -40.0;

/// Largest gossip message: one envelope plus gossipsub's own framing.
pub const MAX_TRANSMIT: usize = MAX_ENVELOPE + 1_024;

#[derive(NetworkBehaviour)]
pub struct Behaviour {
    /// First, so that a connection it refuses reaches no other behaviour.
    pub gate: Gate,
    pub limits: connection_limits::Behaviour,
    pub gossipsub: gossipsub::Behaviour,
    pub identify: identify::Behaviour,
    pub ping: ping::Behaviour,
    pub sync: request_response::cbor::Behaviour<super::sync::Wire, super::sync::Wire>,
    /// The membership exchange of a closed network (`/wsf/members/1`).
    pub members: request_response::cbor::Behaviour<super::sync::Wire, super::sync::Wire>,
    /// Doors that forward (`/wsf/door/1`): invites registered with anchors, joiners' hellos
    /// passed to the inviting node.
    pub door: request_response::cbor::Behaviour<super::sync::Wire, super::sync::Wire>,
    pub mdns: Toggle<mdns::tokio::Behaviour>,
    /// Reservations on anchors and connections through them.
    pub relay_client: relay::client::Behaviour,
    /// Hole punching: a direct connection in place of a relayed one.
    pub dcutr: dcutr::Behaviour,
    /// Registering at and discovering through anchors.
    pub rendezvous: rendezvous::client::Behaviour,
    /// On an anchor: the relay it serves.
    pub relay: Toggle<relay::Behaviour>,
    /// On an anchor: the rendezvous point it serves.
    pub rendezvous_server: Toggle<rendezvous::server::Behaviour>,
}

/// What an anchor's relay allows. On a closed network only members' nodes can connect at all
/// (the gate), so circuits have no byte cap and last long enough for any sync; on the public
/// network each peer gets little, so that an anchor never becomes an open relay.
pub fn relay_config(closed: bool) -> relay::Config {
    let mut c = relay::Config::default();
    if closed {
        c.max_reservations = 512;
        c.max_reservations_per_peer = 4;
        c.reservation_duration = Duration::from_secs(3_600);
        c.max_circuits = 256;
        c.max_circuits_per_peer = 16;
        c.max_circuit_duration = Duration::from_secs(24 * 3_600);
        c.max_circuit_bytes = 0;
    } else {
        c.max_reservations = 128;
        c.max_reservations_per_peer = 2;
        c.max_circuits = 32;
        c.max_circuits_per_peer = 2;
        c.max_circuit_duration = Duration::from_secs(10 * 60);
        c.max_circuit_bytes = 32 << 20;
    }
    c
}

/// The membership exchange: the request is the digest of the asker's statements, the answer
/// every statement the answerer holds (nothing when the digests are equal).
pub const MEMBERS_PROTOCOL: StreamProtocol = StreamProtocol::new("/wsf/members/1");
/// Doors that forward (`docs/protocol.md` section 17.9).
pub const DOOR_PROTOCOL: StreamProtocol =
    StreamProtocol::new(wsf_protocol::door::forward::PROTOCOL);
/// Largest membership answer.
pub const MAX_MEMBERS_ANSWER: usize = 16 << 20;

/// Refuses connections with node keys that no current member stands behind, once the closed
/// network's membership gates (DESIGN §10). On the public network it lets everything through.
pub struct Gate {
    members: Option<std::sync::Arc<crate::members::Members>>,
}

impl Gate {
    fn check(&self, peer: &libp2p::PeerId) -> Result<(), libp2p::swarm::ConnectionDenied> {
        let Some(m) = &self.members else {
            return Ok(());
        };
        let snap = m.snapshot();
        if !snap.allows(peer) {
            return Err(libp2p::swarm::ConnectionDenied::new(std::io::Error::other(
                "not the node of a current member of this network",
            )));
        }
        // A node whose own organisation was removed (or left) connects to nobody.
        if snap.gates && !snap.state.members.contains_key(&m.author()) {
            return Err(libp2p::swarm::ConnectionDenied::new(std::io::Error::other(
                "this organisation is no longer a member of this network",
            )));
        }
        Ok(())
    }
}

impl NetworkBehaviour for Gate {
    type ConnectionHandler = libp2p::swarm::dummy::ConnectionHandler;
    type ToSwarm = std::convert::Infallible;

    fn handle_established_inbound_connection(
        &mut self,
        _: libp2p::swarm::ConnectionId,
        peer: libp2p::PeerId,
        _: &libp2p::Multiaddr,
        _: &libp2p::Multiaddr,
    ) -> Result<libp2p::swarm::THandler<Self>, libp2p::swarm::ConnectionDenied> {
        self.check(&peer)?;
        Ok(libp2p::swarm::dummy::ConnectionHandler)
    }

    fn handle_established_outbound_connection(
        &mut self,
        _: libp2p::swarm::ConnectionId,
        peer: libp2p::PeerId,
        _: &libp2p::Multiaddr,
        _: libp2p::core::Endpoint,
        _: libp2p::core::transport::PortUse,
    ) -> Result<libp2p::swarm::THandler<Self>, libp2p::swarm::ConnectionDenied> {
        self.check(&peer)?;
        Ok(libp2p::swarm::dummy::ConnectionHandler)
    }

    fn on_swarm_event(&mut self, _: libp2p::swarm::FromSwarm) {}

    fn on_connection_handler_event(
        &mut self,
        _: libp2p::PeerId,
        _: libp2p::swarm::ConnectionId,
        event: libp2p::swarm::THandlerOutEvent<Self>,
    ) {
        match event {}
    }

    fn poll(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<libp2p::swarm::ToSwarm<Self::ToSwarm, libp2p::swarm::THandlerInEvent<Self>>>
    {
        std::task::Poll::Pending
    }
}

/// The catch-up sync protocol.
pub const SYNC_PROTOCOL: StreamProtocol = StreamProtocol::new("/wsf/sync/2");

/// Message ids are derived from content: BLAKE3 over the topic and the data, so the same
/// record published on two pillar topics is two messages, and a re-publication is a duplicate.
pub(crate) fn message_id(m: &gossipsub::Message) -> gossipsub::MessageId {
    let mut h = blake3::Hasher::new();
    h.update(m.topic.as_str().as_bytes());
    h.update(&[0]);
    h.update(&m.data);
    gossipsub::MessageId::from(h.finalize().as_bytes()[..20].to_vec())
}

/// Scoring for quiet topics: no penalty for a mesh peer that delivers little (pillar topics can
/// be silent for days), a hard penalty for invalid messages.
pub fn topic_score() -> gossipsub::TopicScoreParams {
    gossipsub::TopicScoreParams {
        topic_weight: 1.0,
        // Small rewards for staying in the mesh and delivering first (at most +36 and +10), so
        // that good behaviour never outweighs two rejected records (-160).
        time_in_mesh_weight: 0.01,
        time_in_mesh_quantum: Duration::from_secs(1),
        time_in_mesh_cap: 3_600.0,
        first_message_deliveries_weight: 0.1,
        first_message_deliveries_cap: 100.0,
        mesh_message_deliveries_weight: 0.0,
        mesh_failure_penalty_weight: 0.0,
        invalid_message_deliveries_weight: INVALID_MESSAGE_WEIGHT,
        invalid_message_deliveries_decay: 0.9,
        ..Default::default()
    }
}

/// Builds the behaviour. `lan` turns mDNS on.
pub fn build(
    key: &identity::Keypair,
    lan: bool,
    members: Option<std::sync::Arc<crate::members::Members>>,
    relay_client: relay::client::Behaviour,
    anchor: bool,
) -> Result<Behaviour, String> {
    let closed = members.is_some();
    let config = gossipsub::ConfigBuilder::default()
        .validation_mode(gossipsub::ValidationMode::Anonymous)
        .validate_messages()
        .max_transmit_size(MAX_TRANSMIT)
        .message_id_fn(message_id)
        .heartbeat_interval(Duration::from_secs(1))
        .duplicate_cache_time(Duration::from_secs(300))
        .build()
        .map_err(|e| format!("gossipsub config: {e}"))?;
    let mut gossipsub =
        gossipsub::Behaviour::new(gossipsub::MessageAuthenticity::Anonymous, config)
            .map_err(|e| format!("gossipsub: {e}"))?;
    let params = gossipsub::PeerScoreParams {
        // Loopback and LAN tests put many peers on one IP; partners behind one NAT do too.
        ip_colocation_factor_weight: 0.0,
        // Positive topic scores add up to at most this, whatever the number of pillars.
        topic_score_cap: 50.0,
        ..Default::default()
    };
    let thresholds = gossipsub::PeerScoreThresholds {
        gossip_threshold: -20.0,
        publish_threshold: -40.0,
        graylist_threshold: GRAYLIST_THRESHOLD,
        ..Default::default()
    };
    gossipsub
        .with_peer_score(params, thresholds)
        .map_err(|e| format!("gossipsub scoring: {e}"))?;

    let limits = connection_limits::ConnectionLimits::default()
        .with_max_pending_incoming(Some(MAX_PENDING))
        .with_max_pending_outgoing(Some(MAX_PENDING))
        .with_max_established(Some(MAX_ESTABLISHED))
        .with_max_established_per_peer(Some(MAX_PER_PEER));
    let mdns = if lan {
        Some(
            mdns::tokio::Behaviour::new(mdns::Config::default(), key.public().to_peer_id())
                .map_err(|e| format!("mDNS: {e}"))?,
        )
    } else {
        None
    };
    Ok(Behaviour {
        gate: Gate { members },
        limits: connection_limits::Behaviour::new(limits),
        gossipsub,
        identify: identify::Behaviour::new(
            identify::Config::new("/wsf/1.0.0".into(), key.public())
                .with_agent_version("rust-libp2p".into()),
        ),
        // A connection whose ping goes unanswered is closed (event loop), so that a cut path
        // is noticed in seconds and redialled, rather than left to TCP's retransmission
        // backoff, which after a long cut can wait minutes before it tries again.
        ping: ping::Behaviour::new(
            ping::Config::new()
                .with_interval(super::PING_INTERVAL)
                .with_timeout(super::PING_TIMEOUT),
        ),
        sync: {
            // Limits on what a peer can make us read: one sync message plus CBOR framing.
            let limit = (wsf_protocol::sync::MAX_MESSAGE + 64) as u64;
            let codec = request_response::cbor::codec::Codec::default()
                .set_request_size_maximum(limit)
                .set_response_size_maximum(limit);
            request_response::cbor::Behaviour::with_codec(
                codec,
                [(SYNC_PROTOCOL, ProtocolSupport::Full)],
                request_response::Config::default()
                    .with_request_timeout(super::sync::REQUEST_TIMEOUT)
                    .with_max_concurrent_streams(32),
            )
        },
        members: {
            let codec = request_response::cbor::codec::Codec::default()
                .set_request_size_maximum(64)
                .set_response_size_maximum(MAX_MEMBERS_ANSWER as u64 + 64);
            request_response::cbor::Behaviour::with_codec(
                codec,
                [(MEMBERS_PROTOCOL, ProtocolSupport::Full)],
                request_response::Config::default()
                    .with_request_timeout(Duration::from_secs(30))
                    .with_max_concurrent_streams(8),
            )
        },
        door: {
            use wsf_protocol::door::forward;
            let codec = request_response::cbor::codec::Codec::default()
                .set_request_size_maximum(forward::MAX_REQUEST as u64 + 16)
                .set_response_size_maximum(forward::MAX_RESPONSE as u64 + 16);
            request_response::cbor::Behaviour::with_codec(
                codec,
                [(DOOR_PROTOCOL, ProtocolSupport::Full)],
                // Inside the joiner's 10 s at the anchor's door.
                request_response::Config::default()
                    .with_request_timeout(Duration::from_secs(8))
                    .with_max_concurrent_streams(16),
            )
        },
        mdns: Toggle::from(mdns),
        relay_client,
        dcutr: dcutr::Behaviour::new(key.public().to_peer_id()),
        rendezvous: rendezvous::client::Behaviour::new(key.clone()),
        relay: Toggle::from(
            anchor.then(|| relay::Behaviour::new(key.public().to_peer_id(), relay_config(closed))),
        ),
        rendezvous_server: Toggle::from(anchor.then(|| {
            rendezvous::server::Behaviour::new(
                rendezvous::server::Config::default().with_max_registration_per_peer(4),
            )
        })),
    })
}
