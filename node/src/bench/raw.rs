//! The baseline of `wsf bench gossip`: plain gossipsub, without validation or storage, on the
//! same topology with the same gossipsub settings, publishing the same envelopes at the same
//! rate. What wsf adds per hop (decode, verify, check, commit) is the difference.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use libp2p::futures::StreamExt;
use libp2p::gossipsub;
use libp2p::swarm::SwarmEvent;
use tokio::sync::mpsc;

use super::{Error, cpu_seconds, percentile};

/// What the plain run measured.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawFigures {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub delivered_ratio: f64,
    pub cpu_us_per_delivery: f64,
}

type Swarm = libp2p::Swarm<gossipsub::Behaviour>;

fn swarm() -> Result<Swarm, Error> {
    let setup = |e: &dyn std::fmt::Display| Error::Setup(format!("raw gossipsub: {e}"));
    Ok(libp2p::SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            libp2p::tcp::Config::default(),
            libp2p::noise::Config::new,
            libp2p::yamux::Config::default,
        )
        .map_err(|e| setup(&e))?
        .with_behaviour(
            |_| -> Result<gossipsub::Behaviour, Box<dyn std::error::Error + Send + Sync>> {
                // wsf's settings (crate::net::behaviour::build) without validation or scoring.
                let config = gossipsub::ConfigBuilder::default()
                    .validation_mode(gossipsub::ValidationMode::Anonymous)
                    .max_transmit_size(crate::net::behaviour::MAX_TRANSMIT)
                    .message_id_fn(crate::net::behaviour::message_id)
                    .heartbeat_interval(Duration::from_secs(1))
                    .duplicate_cache_time(Duration::from_secs(300))
                    .build()?;
                Ok(gossipsub::Behaviour::new(
                    gossipsub::MessageAuthenticity::Anonymous,
                    config,
                )?)
            },
        )
        .map_err(|e| setup(&e))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(3_600)))
        .build())
}

/// One node's task: publishes what it is given, reports what it receives, and says once when
/// it has `need` mesh peers.
async fn drive(
    mut swarm: Swarm,
    i: usize,
    topic: gossipsub::IdentTopic,
    need: usize,
    mut publish: mpsc::UnboundedReceiver<Vec<u8>>,
    seen: mpsc::UnboundedSender<(usize, blake3::Hash, Instant)>,
    ready: mpsc::UnboundedSender<usize>,
) {
    let hash = topic.hash();
    let mut is_ready = false;
    loop {
        tokio::select! {
            data = publish.recv() => match data {
                Some(data) => {
                    let _ = swarm.behaviour_mut().publish(topic.clone(), data);
                }
                None => return,
            },
            event = swarm.select_next_some() => {
                if let SwarmEvent::Behaviour(gossipsub::Event::Message { message, .. }) = event {
                    let _ = seen.send((i, blake3::hash(&message.data), Instant::now()));
                }
            }
        }
        if !is_ready && swarm.behaviour().mesh_peers(&hash).count() >= need {
            is_ready = true;
            let _ = ready.send(i);
        }
    }
}

/// Runs plain gossipsub on `links` (node i dials the nodes listed at i), publishing
/// `envelopes[k]` from node `from[k]`, `rate` per second (0: all at once).
pub async fn run(
    links: &[Vec<usize>],
    envelopes: &[Vec<u8>],
    from: &[usize],
    rate: f64,
) -> Result<RawFigures, Error> {
    let nodes = links.len();
    let topic = gossipsub::IdentTopic::new("wsf-bench-raw");
    let needs: Vec<usize> = super::degrees(links)
        .into_iter()
        .map(|d| d.min(2))
        .collect();
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel();
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel();
    let mut publishers = Vec::with_capacity(nodes);
    let mut addrs: Vec<libp2p::Multiaddr> = Vec::with_capacity(nodes);
    let mut tasks = Vec::with_capacity(nodes);
    for (i, dial) in links.iter().enumerate() {
        let mut s = swarm()?;
        s.behaviour_mut()
            .subscribe(&topic)
            .map_err(|e| Error::Setup(format!("raw gossipsub: {e}")))?;
        let listen = "/ip4/127.0.0.1/tcp/0"
            .parse()
            .map_err(|e| Error::Setup(format!("{e}")))?;
        s.listen_on(listen)
            .map_err(|e| Error::Setup(format!("raw gossipsub: {e}")))?;
        let addr = loop {
            if let SwarmEvent::NewListenAddr { address, .. } = s.select_next_some().await {
                break address;
            }
        };
        for &j in dial {
            if let Some(a) = addrs.get(j) {
                s.dial(a.clone())
                    .map_err(|e| Error::Setup(format!("raw gossipsub: {e}")))?;
            }
        }
        addrs.push(addr);
        let (tx, rx) = mpsc::unbounded_channel();
        publishers.push(tx);
        tasks.push(tokio::spawn(drive(
            s,
            i,
            topic.clone(),
            needs.get(i).copied().unwrap_or(0),
            rx,
            seen_tx.clone(),
            ready_tx.clone(),
        )));
    }
    drop(seen_tx);
    // Every node with its mesh peers, as the wsf run waits for (up to 30 s).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut ready = 0;
    while ready < nodes {
        match tokio::time::timeout_at(deadline, ready_rx.recv()).await {
            Ok(Some(_)) => ready += 1,
            _ => break,
        }
    }

    let cpu_start = cpu_seconds();
    let mut published: HashMap<blake3::Hash, (Instant, usize)> = HashMap::new();
    let mut tick = (rate > 0.0).then(|| tokio::time::interval(Duration::from_secs_f64(1.0 / rate)));
    for (data, &i) in envelopes.iter().zip(from) {
        if let Some(t) = tick.as_mut() {
            t.tick().await;
        }
        published.insert(blake3::hash(data), (Instant::now(), i));
        if let Some(p) = publishers.get(i) {
            let _ = p.send(data.clone());
        }
    }
    let expected = envelopes.len() * (nodes - 1);
    let mut arrivals: HashMap<blake3::Hash, (usize, Instant)> = HashMap::new();
    let mut delivered = 0usize;
    while delivered < expected {
        match tokio::time::timeout(Duration::from_secs(5), seen_rx.recv()).await {
            Ok(Some((i, hash, at))) => {
                if published.get(&hash).is_some_and(|(_, from)| *from != i) {
                    delivered += 1;
                    let e = arrivals.entry(hash).or_insert((0, at));
                    e.0 += 1;
                    e.1 = e.1.max(at);
                }
            }
            _ => break,
        }
    }
    let cpu = cpu_seconds() - cpu_start;
    drop(publishers);
    for t in tasks {
        let _ = t.await;
    }
    let mut latencies: Vec<f64> = arrivals
        .iter()
        .filter(|(_, (n, _))| *n == nodes - 1)
        .filter_map(|(h, (_, last))| {
            published
                .get(h)
                .map(|(s, _)| last.duration_since(*s).as_secs_f64() * 1e3)
        })
        .collect();
    latencies.sort_by(|a, b| a.total_cmp(b));
    Ok(RawFigures {
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
        delivered_ratio: delivered as f64 / expected.max(1) as f64,
        cpu_us_per_delivery: cpu * 1e6 / delivered.max(1) as f64,
    })
}
