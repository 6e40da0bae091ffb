//! Test harness for wsf: helpers shared by the end-to-end tests in `tests/tests/`.

use wsf_protocol::ed25519_dalek::SigningKey;
use wsf_protocol::{Content, Draft, NetworkId, Pillar, Record, Resource, ResourceType};

/// A small xorshift generator: every random choice in the tests is seeded and the seed printed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (0 is replaced, xorshift needs a non-zero state).
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    /// The seed from `WSF_TEST_SEED`, or one from the clock; printed so a failure can be replayed.
    pub fn from_env(test: &str) -> Self {
        let seed = std::env::var("WSF_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            });
        eprintln!("{test}: WSF_TEST_SEED={seed}");
        Rng::new(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo).max(1)
    }
}

/// `n` signed resource records of one author on the public network, `ts` from `start`.
pub fn records(seed: u8, start: u64, n: usize, pillar: &str) -> Vec<Record> {
    let key = SigningKey::from_bytes(&[seed; 32]);
    (0..n)
        .filter_map(|i| {
            wsf_protocol::sign(
                &Draft {
                    net: NetworkId::public(),
                    ts: start + i as u64,
                    pillars: vec![Pillar::new(pillar).ok()?],
                    content: Content::Resource(Resource {
                        title: format!("Resource {i} of author {seed}"),
                        resource_type: ResourceType::Report,
                        summary: Some("A report shared for the tests.".into()),
                        body: None,
                        url: None,
                        language: None,
                        license: None,
                    }),
                    expires: None,
                    supersedes: None,
                    refs: vec![],
                },
                &key,
            )
            .ok()
        })
        .collect()
}

use std::future::Future;
use std::time::Duration;

use tokio::sync::broadcast;
use wsf_node::datadir::DataDir;
use wsf_node::node::{Node, Options};
use wsf_protocol::api::NodeEvent;

/// How long a multi-node test waits for something that should happen in well under a second.
pub const SETTLE: Duration = Duration::from_secs(20);

/// A node running in this process, in a temporary data directory.
#[derive(Debug)]
pub struct TestNode {
    pub node: Node,
    pub dir: tempfile::TempDir,
    pub events: broadcast::Receiver<NodeEvent>,
    pub addr: libp2p::Multiaddr,
}

impl TestNode {
    /// Starts a node on 127.0.0.1 (ports chosen by the system) subscribed to `pillars` (empty:
    /// all well-known), connecting to `bootstrap`.
    pub async fn start(pillars: &[&str], bootstrap: &[&libp2p::Multiaddr]) -> TestNode {
        let dir = tempfile::tempdir().expect("tempdir");
        Self::start_in(dir, pillars, bootstrap, None).await
    }

    /// Starts a node in an existing data directory, on `port` when given.
    pub async fn start_in(
        dir: tempfile::TempDir,
        pillars: &[&str],
        bootstrap: &[&libp2p::Multiaddr],
        port: Option<u16>,
    ) -> TestNode {
        Self::start_full(dir, pillars, bootstrap, port, None).await
    }

    /// Starts a node that also syncs with a random peer every `sync_every`.
    pub async fn start_syncing(
        pillars: &[&str],
        bootstrap: &[&libp2p::Multiaddr],
        sync_every: Duration,
    ) -> TestNode {
        let dir = tempfile::tempdir().expect("tempdir");
        Self::start_full(dir, pillars, bootstrap, None, Some(sync_every)).await
    }

    /// Starts a node with every option.
    pub async fn start_full(
        dir: tempfile::TempDir,
        pillars: &[&str],
        bootstrap: &[&libp2p::Multiaddr],
        port: Option<u16>,
        sync_interval: Option<Duration>,
    ) -> TestNode {
        let listen = format!("/ip4/127.0.0.1/tcp/{}", port.unwrap_or(0))
            .parse()
            .expect("multiaddr");
        let node = Node::start(
            DataDir::new(dir.path().to_owned()),
            Options {
                listen: vec![listen],
                bootstrap: bootstrap.iter().map(|a| (*a).clone()).collect(),
                lan: false,
                pillars: pillars
                    .iter()
                    .map(|p| Pillar::new(p).expect("slug"))
                    .collect(),
                api_listen: Some(([127, 0, 0, 1], 0).into()),
                door_listen: Some(([127, 0, 0, 1], 0).into()),
                anchor: false,
                external: Vec::new(),
                sync_interval,
                no_sync_on_connect: false,
                new_pillars: Vec::new(),
                web: None,
            },
        )
        .await
        .expect("node starts");
        let events = node.events.subscribe();
        let addr = eventually(|| async {
            node.net
                .info()
                .await
                .ok()
                .and_then(|i| i.listen_addrs.first().cloned())
        })
        .await;
        TestNode {
            node,
            dir,
            events,
            addr,
        }
    }

    /// Waits until an event matches `pred`; panics after [`SETTLE`].
    pub async fn wait_for(&mut self, what: &str, pred: impl Fn(&NodeEvent) -> bool) -> NodeEvent {
        let deadline = tokio::time::Instant::now() + SETTLE;
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Ok(e)) if pred(&e) => return e,
                Ok(Ok(_)) | Ok(Err(broadcast::error::RecvError::Lagged(_))) => {}
                Ok(Err(broadcast::error::RecvError::Closed)) => {
                    panic!("node stopped waiting for {what}")
                }
                Err(_) => panic!("timed out waiting for {what}"),
            }
        }
    }

    /// Waits until this node has `pillar` meshed with `peers` other nodes.
    pub async fn wait_mesh(&self, pillar: &str, peers: usize) {
        eventually(|| async {
            let n = self
                .node
                .net
                .peers()
                .await
                .ok()?
                .iter()
                .filter(|p| p.mesh.iter().any(|m| m == pillar))
                .count();
            (n >= peers).then_some(())
        })
        .await
    }

    /// How many records the store holds.
    pub async fn count(&self) -> u64 {
        self.node.service.counts().await.expect("counts").records
    }

    /// The digest of the held records and tombstones (as `wsf status` shows it).
    pub async fn digest(&self) -> String {
        self.node
            .service
            .store()
            .read(wsf_node::store::digest)
            .await
            .expect("digest")
    }

    /// Publishes into the store only, as a node that is offline or not connected would.
    pub async fn publish_quietly(&self, title: &str, pillar: &str) -> Record {
        self.node
            .service
            .publish(resource_request(title, pillar))
            .await
            .expect("publish")
            .0
    }

    /// The libp2p peer id.
    pub fn peer_id(&self) -> libp2p::PeerId {
        self.node.net.peer_id()
    }

    /// Whether the store holds this record.
    pub async fn has(&self, id: wsf_protocol::RecordId) -> bool {
        self.node
            .service
            .store()
            .read(move |t| wsf_node::store::get(t, &id))
            .await
            .expect("read")
            .is_some()
    }

    /// Stops the node and gives back its data directory.
    pub async fn stop(self) -> tempfile::TempDir {
        self.node.stop().await.expect("clean stop");
        self.dir
    }
}

/// Checks a condition that depends on other tasks (a gossip mesh forming, a listener coming up)
/// every 25 ms until it holds; panics after [`SETTLE`]. For state that has no event of its own.
pub async fn eventually<T, F, Fut>(mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + SETTLE;
    let mut every = tokio::time::interval(Duration::from_millis(25));
    loop {
        every.tick().await;
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met within {SETTLE:?}"
        );
    }
}

/// A draft of a resource on `pillar`, for publishing through a node.
pub fn resource_request(title: &str, pillar: &str) -> wsf_protocol::api::PublishRequest {
    wsf_protocol::api::PublishRequest {
        new_pillars: vec![],
        pillars: vec![Pillar::new(pillar).expect("slug")],
        expires: None,
        supersedes: None,
        refs: vec![],
        content: Content::Resource(Resource {
            title: title.into(),
            resource_type: ResourceType::Guide,
            summary: None,
            body: None,
            url: None,
            language: None,
            license: None,
        }),
    }
}

/// Publishes through the node as the control API does: store, then gossip.
pub async fn publish(node: &TestNode, title: &str, pillar: &str) -> Record {
    let (record, _) = node
        .node
        .service
        .publish(resource_request(title, pillar))
        .await
        .expect("publish");
    node.node
        .net
        .publish(record.envelope().to_vec(), record.body().pillars.clone());
    record
}

/// A plain libp2p gossipsub peer that validates nothing — the attacker of the abuse tests —
/// subscribed to `pillar` on `node`'s network and connected to it. Returns once `node` has told
/// it that it is on the topic too, so what it publishes reaches `node`.
pub async fn raw_gossip_peer(
    node: &TestNode,
    pillar: &str,
) -> (
    libp2p::Swarm<libp2p::gossipsub::Behaviour>,
    libp2p::gossipsub::IdentTopic,
) {
    use libp2p::futures::StreamExt;
    use libp2p::gossipsub;
    let network = node.node.service.ingest().network();
    let topic = wsf_node::net::topic(network, &Pillar::new(pillar).expect("slug"));
    let mut m = libp2p::SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            libp2p::tcp::Config::default(),
            libp2p::noise::Config::new,
            libp2p::yamux::Config::default,
        )
        .expect("tcp")
        .with_behaviour(|_| {
            let config = gossipsub::ConfigBuilder::default()
                .validation_mode(gossipsub::ValidationMode::None)
                .max_transmit_size(128 * 1024)
                .message_id_fn(|msg: &gossipsub::Message| {
                    gossipsub::MessageId::from(blake3::hash(&msg.data).as_bytes().to_vec())
                })
                .build()
                .expect("config");
            gossipsub::Behaviour::<gossipsub::IdentityTransform>::new(
                gossipsub::MessageAuthenticity::Anonymous,
                config,
            )
            .expect("gossipsub")
        })
        .expect("behaviour")
        .build();
    m.behaviour_mut().subscribe(&topic).expect("subscribe");
    m.dial(node.addr.clone()).expect("dial");
    let target = node.peer_id();
    loop {
        if let libp2p::swarm::SwarmEvent::Behaviour(gossipsub::Event::Subscribed {
            peer_id,
            topic: t,
        }) = m.select_next_some().await
            && peer_id == target
            && t == topic.hash()
        {
            return (m, topic);
        }
    }
}
