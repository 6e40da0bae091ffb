//! `wsf bench …`: measurements a user runs on their own machine, each with a baseline taken in
//! the same run (like `openssl speed`). Results and method: `docs/benchmarks.md`.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use wsf_protocol::ed25519_dalek::SigningKey;
use wsf_protocol::{Content, Draft, NetworkId, Pillar, Record, Resource, ResourceType};

use crate::ingest::{Ingest, Outcome, now_ms};
use crate::store::{self, Store};
use crate::transfer::{IMPORT_BATCH, IMPORT_IN_FLIGHT};

mod raw;
mod scale;
mod search;
mod web;
pub use scale::{GossipRow, ScaleFigures, ScaleRow, scale};
pub use search::{SearchFigures, corpus, search};
pub use web::{PageFigures, WebFigures, web};

/// Figures of `wsf bench ingest`. `ingest_per_s`, `verify_per_s` and `ratio` are fixed keys.
#[derive(Debug, Clone, Serialize)]
pub struct IngestFigures {
    pub records: usize,
    pub runs: usize,
    pub cores: usize,
    pub envelope_bytes_avg: f64,
    /// Median of full ingest runs: decode, verify, validate, durable store, into a fresh store.
    pub ingest_per_s: f64,
    /// Median raw `verify_strict` rate on one core (the baseline).
    pub verify_per_s: f64,
    /// `ingest_per_s / verify_per_s`.
    pub ratio: f64,
    /// Median `verify_batch` rate on one core, batches of 256: for reference only, ingest does
    /// not use it (it can accept what `verify_strict` refuses; docs/protocol.md 8.4).
    pub batch_verify_per_s: f64,
    /// Median signing rate on one core.
    pub sign_per_s: f64,
    /// Median decode rate on one core: size check, canonical check, schema, body rules.
    pub decode_per_s: f64,
    /// Median rate of the store alone: durable inserts of verified records, batches of 1,024.
    pub store_per_s: f64,
    /// Store file size per record after the last run.
    pub store_bytes_per_record: f64,
    /// What each table takes per record in that store (keys, values, branch pages,
    /// fragmentation); the rest of the file is redb's own (allocator state, free pages).
    pub table_bytes_per_record: std::collections::BTreeMap<String, f64>,
    /// The search index's share (reported apart from the records and their indexes).
    pub search_bytes_per_record: f64,
    /// The store file per record after `wsf compact` (free pages given back).
    pub compacted_store_bytes_per_record: f64,
    /// With `--encrypted`: the median of the same full ingest into an encrypted store (same
    /// runs, interleaved with the plain ones), and its ratio to the plain median.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encrypted_ingest_per_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encrypted_ratio: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encrypted_store_bytes_per_record: Option<f64>,
}

/// Errors of the benchmarks.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error("benchmark setup failed: {0}")]
    Setup(String),
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// The publish request of the gossip benchmark's record `i`: a ~1 KB resource.
fn bench_request(i: usize, pillar: &Pillar) -> wsf_protocol::api::PublishRequest {
    wsf_protocol::api::PublishRequest {
        new_pillars: Vec::new(),
        pillars: vec![pillar.clone()],
        expires: None,
        supersedes: None,
        refs: vec![],
        content: resource(i),
    }
}

/// The ~1 KB resource every benchmark uses: record `i` of a series.
fn resource(i: usize) -> Content {
    Content::Resource(Resource {
        title: format!("Field guide number {i}"),
        resource_type: ResourceType::Guide,
        summary: Some(
            "Practical notes for partner organisations on documenting cases safely. ".repeat(10),
        ),
        body: None,
        url: Some(format!("https://example.org/guides/{i}")),
        language: Some("en".into()),
        license: None,
    })
}

/// Benchmark record `i`: a ~1 KB resource at `ts` on `pillar`, signed by `key`.
fn signed(i: usize, ts: u64, pillar: Pillar, key: &SigningKey) -> Result<Record, Error> {
    let draft = Draft {
        net: NetworkId::public(),
        ts,
        pillars: vec![pillar],
        content: search::varied(i),
        expires: None,
        supersedes: None,
        refs: vec![],
    };
    wsf_protocol::sign(&draft, key).map_err(|e| Error::Setup(e.to_string()))
}

/// 64 author keys derived from `seed`.
fn authors(seed: u8) -> Vec<SigningKey> {
    (0..64u8)
        .map(|i| {
            let mut s = [seed; 32];
            s[0] = i;
            SigningKey::from_bytes(&s)
        })
        .collect()
}

/// `n` signed records of varied text (the search corpus's generator: campaign calls, practices
/// and resources of 40–100 words in several languages and scripts) from 64 authors over the six
/// well-known pillars, 10 ms apart, in time order.
pub fn sample_records(n: usize, seed: u8) -> Result<Vec<Record>, Error> {
    let keys = authors(seed);
    let pillars = Pillar::well_known();
    let base = now_ms().saturating_sub(n as u64 * 10 + 60_000);
    (0..n)
        .map(|i| {
            let ts = base + i as u64 * 10;
            signed(
                i,
                ts,
                pillars[i % pillars.len()].clone(),
                &keys[i % keys.len()],
            )
        })
        .collect()
}

fn raw_verify_rate(records: &[Record]) -> f64 {
    let items: Vec<_> = records
        .iter()
        .map(|r| {
            let key = r.body().author.verifying_key().ok();
            let sig = wsf_protocol::ed25519_dalek::Signature::from_bytes(&r.signature());
            (key, wsf_protocol::signed_message(r.body_bytes()), sig)
        })
        .collect();
    let start = Instant::now();
    let mut ok = 0usize;
    for (key, msg, sig) in &items {
        if key
            .as_ref()
            .is_some_and(|k| k.verify_strict(msg, sig).is_ok())
        {
            ok += 1;
        }
    }
    ok as f64 / start.elapsed().as_secs_f64()
}

fn batch_verify_rate(records: &[Record]) -> f64 {
    let start = Instant::now();
    let mut ok = 0usize;
    for chunk in records.chunks(256) {
        let messages: Vec<Vec<u8>> = chunk
            .iter()
            .map(|r| wsf_protocol::signed_message(r.body_bytes()))
            .collect();
        let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
        let sigs: Vec<_> = chunk
            .iter()
            .map(|r| wsf_protocol::ed25519_dalek::Signature::from_bytes(&r.signature()))
            .collect();
        let keys: Vec<_> = chunk
            .iter()
            .filter_map(|r| r.body().author.verifying_key().ok())
            .collect();
        if wsf_protocol::ed25519_dalek::verify_batch(&refs, &sigs, &keys).is_ok() {
            ok += chunk.len();
        }
    }
    ok as f64 / start.elapsed().as_secs_f64()
}

fn decode_rate(records: &[Record]) -> f64 {
    let start = Instant::now();
    let ok = records
        .iter()
        .filter(|r| wsf_protocol::decode(r.envelope()).is_ok())
        .count();
    ok as f64 / start.elapsed().as_secs_f64()
}

/// Inserts verified records straight into a fresh store: the writer thread's own rate.
async fn store_run(records: &[Record], dir: &Path) -> Result<f64, Error> {
    let path = dir.join("bench-store.redb");
    let _ = std::fs::remove_file(&path);
    let store = Store::open(&path)?;
    let batches: Vec<Vec<Record>> = records
        .chunks(IMPORT_BATCH)
        .map(<[Record]>::to_vec)
        .collect();
    let start = Instant::now();
    let mut in_flight = std::collections::VecDeque::new();
    for batch in batches {
        if in_flight.len() >= IMPORT_IN_FLIGHT
            && let Some(h) = in_flight.pop_front()
        {
            let _ = h.await;
        }
        let store = store.clone();
        in_flight.push_back(tokio::spawn(async move { store.insert(batch).await }));
    }
    while let Some(h) = in_flight.pop_front() {
        let _ = h.await;
    }
    let rate = records.len() as f64 / start.elapsed().as_secs_f64();
    store.close().await?;
    let _ = std::fs::remove_file(&path);
    Ok(rate)
}

fn sign_rate(n: usize) -> f64 {
    let key = SigningKey::from_bytes(&[9; 32]);
    let msg = vec![0x42u8; 1_000];
    let start = Instant::now();
    for i in 0..n {
        let mut m = msg.clone();
        m[0] = i as u8;
        let _ = wsf_protocol::ed25519_dalek::Signer::sign(&key, &m);
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// CPU seconds this process has used (user + system), from /proc; 0 where unavailable.
pub fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<f64>().ok()))
        .sum();
    ticks / 100.0
}

/// Ingests `records` into a fresh store in `dir` the way an import does; returns records/s.
async fn ingest_run(
    records: &[Record],
    dir: &Path,
    key: Option<&crate::vault::DataKey>,
) -> Result<(f64, u64), Error> {
    let path = dir.join("bench.redb");
    let _ = std::fs::remove_file(&path);
    let store = Store::open_with(&path, key)?;
    let ingest = Ingest::new(
        store.clone(),
        NetworkId::public(),
        wsf_protocol::AuthorId([0; 32]),
    );
    let batches: Vec<Vec<Vec<u8>>> = records
        .chunks(IMPORT_BATCH)
        .map(|c| c.iter().map(|r| r.envelope().to_vec()).collect())
        .collect();
    let start = Instant::now();
    let cpu_start = cpu_seconds();
    let mut in_flight = std::collections::VecDeque::new();
    let mut stored = 0usize;
    let mut outcomes = std::collections::BTreeMap::new();
    for batch in batches {
        if in_flight.len() >= IMPORT_IN_FLIGHT
            && let Some(h) = in_flight.pop_front()
        {
            stored += count_stored(h, &mut outcomes).await?;
        }
        let ingest = ingest.clone();
        in_flight.push_back(tokio::spawn(async move { ingest.accept(batch).await }));
    }
    while let Some(h) = in_flight.pop_front() {
        stored += count_stored(h, &mut outcomes).await?;
    }
    let secs = start.elapsed().as_secs_f64();
    tracing::info!(
        cpu_s = cpu_seconds() - cpu_start,
        wall_s = secs,
        "ingest run"
    );
    if stored != records.len() {
        return Err(Error::Setup(format!(
            "stored {stored} of {} records (the rest: {:?})",
            records.len(),
            outcomes
        )));
    }
    store.close().await?;
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    Ok((records.len() as f64 / secs, size))
}

/// The records a batch stored; what happened to the others is tallied in `others` by code.
async fn count_stored(
    h: tokio::task::JoinHandle<Result<Vec<Outcome>, store::Error>>,
    others: &mut std::collections::BTreeMap<String, u64>,
) -> Result<usize, Error> {
    let outcomes = h
        .await
        .map_err(|e| Error::Setup(format!("ingest task failed: {e}")))??;
    let mut stored = 0;
    for o in &outcomes {
        if matches!(o, Outcome::Stored(_)) {
            stored += 1;
        } else {
            *others.entry(o.code()).or_default() += 1;
        }
    }
    Ok(stored)
}

/// Runs `wsf bench ingest`: `runs` rounds of each measurement, medians reported.
pub async fn ingest(
    records: usize,
    runs: usize,
    dir: &Path,
    encrypted: bool,
) -> Result<IngestFigures, Error> {
    let runs = runs.max(1);
    let key = if encrypted {
        Some(crate::vault::DataKey::generate().map_err(|e| Error::Setup(e.to_string()))?)
    } else {
        None
    };
    let mut encrypted = Vec::new();
    let mut encrypted_size = 0;
    let n = records.max(1);
    let sample = tokio::task::spawn_blocking(move || sample_records(n, 7))
        .await
        .map_err(|e| Error::Setup(e.to_string()))??;
    let baseline_n = n.min(20_000);
    let mut verify = Vec::new();
    let mut batch = Vec::new();
    let mut sign = Vec::new();
    let mut ingest = Vec::new();
    let mut decode = Vec::new();
    let mut store_only = Vec::new();
    let mut size = 0;
    for _ in 0..runs {
        let part = sample[..baseline_n].to_vec();
        let (v, b, s, d) = tokio::task::spawn_blocking(move || {
            (
                raw_verify_rate(&part),
                batch_verify_rate(&part),
                sign_rate(part.len().min(5_000)),
                decode_rate(&part),
            )
        })
        .await
        .map_err(|e| Error::Setup(e.to_string()))?;
        decode.push(d);
        store_only.push(store_run(&sample, dir).await?);
        verify.push(v);
        batch.push(b);
        sign.push(s);
        let (rate, bytes) = ingest_run(&sample, dir, None).await?;
        ingest.push(rate);
        size = bytes;
        if let Some(key) = &key {
            let (rate, bytes) = ingest_run(&sample, dir, Some(key)).await?;
            encrypted.push(rate);
            encrypted_size = bytes;
        }
    }
    // The breakdown of the last plain store, by table, then its size once compacted.
    let tables = {
        let store = Store::open(&dir.join("bench.redb"))?;
        let bytes = store.read(store::table_bytes).await?;
        store.close().await?;
        bytes
    };
    let path = dir.join("bench.redb");
    let compacted = tokio::task::spawn_blocking(move || store::compact(&path, None))
        .await
        .map_err(|e| Error::Setup(e.to_string()))??;
    let per_record = |b: u64| b as f64 / n as f64;
    let search_bytes_per_record = tables
        .iter()
        .find(|(name, _)| *name == "search")
        .map_or(0.0, |(_, b)| per_record(*b));
    let table_bytes_per_record = tables
        .into_iter()
        .map(|(name, b)| (name.to_owned(), per_record(b)))
        .collect();
    let encrypted_ingest_per_s = key.as_ref().map(|_| median(encrypted));
    let verify_per_s = median(verify);
    let ingest_per_s = median(ingest);
    Ok(IngestFigures {
        records: n,
        runs,
        cores: std::thread::available_parallelism().map_or(1, |c| c.get()),
        envelope_bytes_avg: sample.iter().map(|r| r.envelope().len()).sum::<usize>() as f64
            / n as f64,
        ingest_per_s,
        verify_per_s,
        ratio: ingest_per_s / verify_per_s,
        batch_verify_per_s: median(batch),
        sign_per_s: median(sign),
        decode_per_s: median(decode),
        store_per_s: median(store_only),
        store_bytes_per_record: size as f64 / n as f64,
        table_bytes_per_record,
        search_bytes_per_record,
        compacted_store_bytes_per_record: compacted.after as f64 / n as f64,
        encrypted_ingest_per_s,
        encrypted_ratio: encrypted_ingest_per_s.map(|e| e / ingest_per_s),
        encrypted_store_bytes_per_record: key.as_ref().map(|_| encrypted_size as f64 / n as f64),
    })
}

/// Figures of `wsf bench gossip`. `p50_ms`, `p99_ms`, `max_ms`, `delivered_ratio` and
/// `rss_mib_per_node` are fixed keys.
#[derive(Debug, Clone, Serialize)]
pub struct GossipFigures {
    pub nodes: usize,
    pub records: usize,
    /// Records per second published; 0 for a burst (all at once).
    pub rate: f64,
    /// Publish-to-every-node latency of the records that reached every node, in ms.
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Deliveries by gossip alone / (records × (nodes − 1)).
    pub delivered_ratio: f64,
    /// Process CPU time per delivered copy, in µs (all nodes share the process).
    pub cpu_us_per_delivery: f64,
    /// Resident memory of the process with all nodes idle, divided by the nodes, in MiB.
    pub rss_mib_per_node: f64,
    /// Baseline of the same run: one durable store insert of one record, in ms (median).
    pub store_commit_ms: f64,
    /// Baseline of the same run: plain gossipsub (no validation, no store) on the same
    /// topology with the same envelopes, from publish to the last node that received it.
    pub raw_p50_ms: f64,
    pub raw_p99_ms: f64,
    pub raw_delivered_ratio: f64,
    pub raw_cpu_us_per_delivery: f64,
}

/// How many links each node has, `links[i]` being the nodes node `i` dials.
fn degrees(links: &[Vec<usize>]) -> Vec<usize> {
    let mut d: Vec<usize> = links.iter().map(Vec::len).collect();
    for dials in links {
        for &j in dials {
            if let Some(x) = d.get_mut(j) {
                *x += 1;
            }
        }
    }
    d
}

/// Resident set size of this process in MiB, from /proc; 0 where unavailable.
pub fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs `wsf bench gossip`: `nodes` real nodes in this process on 127.0.0.1, each connected
/// to up to three random earlier nodes (a sparse random mesh, seeded); `records` records
/// published from random nodes at `rate` per second (0: all at once), on one pillar.
pub async fn gossip(
    nodes: usize,
    records: usize,
    rate: f64,
    seed: u64,
    dir: &Path,
) -> Result<GossipFigures, Error> {
    use crate::datadir::DataDir;
    use crate::node::{Node, Options};
    use wsf_protocol::api::NodeEvent;

    let nodes = nodes.max(2);
    let mut rng = seed.max(1);
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let pillar = Pillar::new("education").map_err(|e| Error::Setup(e.to_string()))?;
    let mut running: Vec<Node> = Vec::with_capacity(nodes);
    let mut addrs: Vec<libp2p::Multiaddr> = Vec::new();
    // Who dials whom, kept for the plain-gossipsub baseline on the same topology.
    let mut links: Vec<Vec<usize>> = Vec::with_capacity(nodes);
    for i in 0..nodes {
        let mut bootstrap = Vec::new();
        let mut dials = Vec::new();
        for _ in 0..3.min(i) {
            let j = (next() % i as u64) as usize;
            let a = addrs[j].clone();
            if !bootstrap.contains(&a) {
                bootstrap.push(a);
                dials.push(j);
            }
        }
        links.push(dials);
        let listen = "/ip4/127.0.0.1/tcp/0"
            .parse()
            .map_err(|e| Error::Setup(format!("{e}")))?;
        let node = Node::start(
            DataDir::new(dir.join(format!("node-{i}"))),
            Options {
                listen: vec![listen],
                bootstrap,
                lan: false,
                pillars: vec![pillar.clone()],
                api_listen: Some(([127, 0, 0, 1], 0).into()),
                door_listen: None,
                anchor: false,
                external: Vec::new(),
                // Gossip alone is measured: no periodic sync during the run.
                sync_interval: Some(std::time::Duration::from_secs(3_600)),
                no_sync_on_connect: true,
                new_pillars: Vec::new(),
                web: None,
            },
        )
        .await
        .map_err(|e| Error::Setup(e.to_string()))?;
        let addr = loop {
            let info = node
                .net
                .info()
                .await
                .map_err(|e| Error::Setup(e.to_string()))?;
            if let Some(a) = info.listen_addrs.first() {
                break a.clone();
            }
            tokio::task::yield_now().await;
        };
        addrs.push(addr);
        running.push(node);
    }
    // Wait (up to 30 s) until every node has two mesh peers on the pillar, or as many as it
    // has links (a node of a small mesh may have one).
    let needs: Vec<usize> = degrees(&links).into_iter().map(|d| d.min(2)).collect();
    let deadline = Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let mut ready = 0;
        for (n, need) in running.iter().zip(&needs) {
            let peers = n
                .net
                .peers()
                .await
                .map_err(|e| Error::Setup(e.to_string()))?;
            let mesh = peers.iter().filter(|p| !p.mesh.is_empty()).count();
            if mesh >= *need {
                ready += 1;
            }
        }
        if ready == nodes || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let rss = rss_mib() / nodes as f64;

    // Every node reports when it stores a record.
    let (seen_tx, mut seen_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut listeners = Vec::new();
    for (i, n) in running.iter().enumerate() {
        let mut rx = n.events.subscribe();
        let tx = seen_tx.clone();
        listeners.push(tokio::spawn(async move {
            while let Ok(ev) = rx.recv().await {
                if let NodeEvent::RecordStored { source, record } = ev
                    && source == "gossip"
                {
                    let _ = tx.send((i, record.id, Instant::now()));
                }
            }
        }));
    }
    drop(seen_tx);

    let cpu_start = cpu_seconds();
    let mut published: std::collections::HashMap<wsf_protocol::RecordId, Instant> =
        std::collections::HashMap::new();
    let mut commit_ms = Vec::new();
    let interval = if rate > 0.0 {
        Some(std::time::Duration::from_secs_f64(1.0 / rate))
    } else {
        None
    };
    let mut tick = interval.map(tokio::time::interval);
    let mut envelopes: Vec<Vec<u8>> = Vec::with_capacity(records);
    let mut publishers: Vec<usize> = Vec::with_capacity(records);
    for r in 0..records {
        if let Some(t) = tick.as_mut() {
            t.tick().await;
        }
        let at = (next() % nodes as u64) as usize;
        publishers.push(at);
        let from = &running[at];
        let start = Instant::now();
        let (record, _) = from
            .service
            .publish(bench_request(r, &pillar))
            .await
            .map_err(|e| Error::Setup(e.to_string()))?;
        commit_ms.push(start.elapsed().as_secs_f64() * 1e3);
        from.net
            .publish(record.envelope().to_vec(), record.body().pillars.clone());
        envelopes.push(record.envelope().to_vec());
        published.insert(record.id(), start);
    }
    // Collect arrivals until every copy arrived, or 5 s of quiet.
    let mut arrivals: std::collections::HashMap<wsf_protocol::RecordId, (usize, Instant)> =
        std::collections::HashMap::new();
    let expected = records * (nodes - 1);
    let mut delivered = 0usize;
    while delivered < expected {
        match tokio::time::timeout(std::time::Duration::from_secs(5), seen_rx.recv()).await {
            Ok(Some((_, id, at))) => {
                if published.contains_key(&id) {
                    delivered += 1;
                    let e = arrivals.entry(id).or_insert((0, at));
                    e.0 += 1;
                    e.1 = e.1.max(at);
                }
            }
            _ => break,
        }
    }
    let cpu = cpu_seconds() - cpu_start;
    let mut latencies: Vec<f64> = arrivals
        .iter()
        .filter(|(_, (n, _))| *n == nodes - 1)
        .filter_map(|(id, (_, last))| {
            published
                .get(id)
                .map(|s| last.duration_since(*s).as_secs_f64() * 1e3)
        })
        .collect();
    latencies.sort_by(|a, b| a.total_cmp(b));
    for l in listeners {
        l.abort();
    }
    for n in running {
        let _ = n.stop().await;
    }
    commit_ms.sort_by(|a, b| a.total_cmp(b));
    // The baseline, once the wsf nodes are gone: the same topology, envelopes and rate.
    let raw = raw::run(&links, &envelopes, &publishers, rate).await?;
    Ok(GossipFigures {
        nodes,
        records,
        rate,
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
        max_ms: latencies.last().copied().unwrap_or(0.0),
        delivered_ratio: delivered as f64 / expected.max(1) as f64,
        cpu_us_per_delivery: cpu * 1e6 / delivered.max(1) as f64,
        rss_mib_per_node: rss,
        store_commit_ms: percentile(&commit_ms, 0.5),
        raw_p50_ms: raw.p50_ms,
        raw_p99_ms: raw.p99_ms,
        raw_delivered_ratio: raw.delivered_ratio,
        raw_cpu_us_per_delivery: raw.cpu_us_per_delivery,
    })
}

/// Figures of `wsf bench sync`. `catchup_per_s`, `catchup_seconds`, `diff_bytes` and
/// `diff_round_trips` are fixed keys.
#[derive(Debug, Clone, Serialize)]
pub struct SyncFigures {
    pub records: usize,
    pub diff: usize,
    /// (a) A fresh node catches up `records` from one peer: records per second, end to end
    /// (reconcile, fetch, decode, verify, store).
    pub catchup_per_s: f64,
    pub catchup_seconds: f64,
    /// Sync sessions the catch-up took (a session stops after 32 reconciliation rounds and
    /// the next continues).
    pub catchup_sessions: u64,
    /// (b) Two nodes with `records` in common and `diff` more each: reconciliation bytes (both
    /// ways, records themselves not counted) and round trips until both know the difference.
    pub diff_bytes: u64,
    pub diff_round_trips: u64,
    /// (b) Bytes of the records moved (both ways) and the time until both hold the union.
    pub diff_transfer_bytes: u64,
    pub diff_seconds: f64,
    /// Baseline of the same run: this machine's full ingest rate (`bench ingest`, one run).
    pub ingest_per_s: f64,
}

/// `n` signed ~1 KB records on one pillar from 64 authors, spread over the last hour, or over
/// as many hours as keep each author at 3,000 records an hour (under the default quota of
/// 3,600, which a million records in one hour would exceed).
fn pillar_records(n: usize, pillar: &Pillar) -> Result<Vec<Record>, Error> {
    let keys = authors(100);
    let per_hour = keys.len() as u64 * 3_000;
    let span = 3_600_000 * (n as u64).div_ceil(per_hour).max(1);
    let base = now_ms().saturating_sub(span);
    (0..n)
        .map(|i| {
            let ts = base + (i as u64 * span) / (n as u64 + 1);
            signed(i, ts, pillar.clone(), &keys[i % keys.len()])
        })
        .collect()
}

async fn sync_node(dir: &Path, name: &str) -> Result<crate::node::Node, Error> {
    use crate::datadir::DataDir;
    use crate::node::{Node, Options};
    let listen = "/ip4/127.0.0.1/tcp/0"
        .parse()
        .map_err(|e| Error::Setup(format!("{e}")))?;
    Node::start(
        DataDir::new(dir.join(name)),
        Options {
            listen: vec![listen],
            pillars: vec![Pillar::new("education").map_err(|e| Error::Setup(e.to_string()))?],
            api_listen: Some(([127, 0, 0, 1], 0).into()),
            sync_interval: Some(std::time::Duration::from_secs(3_600)),
            no_sync_on_connect: true,
            new_pillars: Vec::new(),
            ..Options::default()
        },
    )
    .await
    .map_err(|e| Error::Setup(e.to_string()))
}

async fn addr_of(node: &crate::node::Node) -> Result<libp2p::Multiaddr, Error> {
    loop {
        let info = node
            .net
            .info()
            .await
            .map_err(|e| Error::Setup(e.to_string()))?;
        if let Some(a) = info.listen_addrs.first() {
            return Ok(a.clone());
        }
        tokio::task::yield_now().await;
    }
}

/// Connects `b` to `a` and waits until the connection is up.
async fn connect(a: &crate::node::Node, b: &crate::node::Node) -> Result<(), Error> {
    let mut events = a.events.subscribe();
    b.net
        .dial(addr_of(a).await?)
        .await
        .map_err(|e| Error::Setup(e.to_string()))?;
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(10), events.recv()).await {
            Ok(Ok(wsf_protocol::api::NodeEvent::PeerConnected { .. })) => return Ok(()),
            Ok(Ok(_)) => {}
            _ => return Err(Error::Setup("the nodes did not connect".into())),
        }
    }
}

/// Runs `wsf bench sync`.
pub async fn sync(records: usize, diff: usize, dir: &Path) -> Result<SyncFigures, Error> {
    Ok(sync_with(records, diff, dir, 0).await?.0)
}

/// What `wsf bench scale` measures beside the sync figures, on the same stores.
struct SyncExtra {
    /// The baseline ingest's store file, and its tables (name, bytes).
    store_bytes: u64,
    tables: Vec<(&'static str, u64)>,
    envelope_bytes: u64,
    verify_per_s: f64,
    /// `list` and `show` on the node holding the records (when lookups were asked for).
    lookups: Option<scale::Lookups>,
}

/// [`sync`], and with `lookups` > 0 that many timed `list` and `show` calls on the node that
/// holds the records, before the catch-up.
async fn sync_with(
    records: usize,
    diff: usize,
    dir: &Path,
    lookups: usize,
) -> Result<(SyncFigures, SyncExtra), Error> {
    let pillar = Pillar::new("education").map_err(|e| Error::Setup(e.to_string()))?;
    let n = records.max(1);
    let d = diff;
    // Common records, then D for each side only, interleaved in time with the common ones.
    let p = pillar.clone();
    let all = tokio::task::spawn_blocking(move || pillar_records(n + 2 * d, &p))
        .await
        .map_err(|e| Error::Setup(e.to_string()))??;
    let mut common = Vec::with_capacity(n);
    let mut only_a = Vec::new();
    let mut only_b = Vec::new();
    let step = if d == 0 {
        usize::MAX
    } else {
        (n + 2 * d) / (2 * d)
    };
    for (i, r) in all.into_iter().enumerate() {
        if d > 0 && i % step == 0 && i / step < 2 * d {
            if (i / step) % 2 == 0 {
                only_a.push(r);
            } else {
                only_b.push(r);
            }
        } else {
            common.push(r);
        }
    }

    // Baseline: this machine's ingest rate on the same records.
    let baseline_dir = dir.join("baseline");
    std::fs::create_dir_all(&baseline_dir).map_err(|e| Error::Setup(e.to_string()))?;
    let (ingest_per_s, store_bytes) = ingest_run(&common, &baseline_dir, None).await?;
    let baseline_store = baseline_dir.join("bench.redb");
    let tables = {
        let store = Store::open(&baseline_store)?;
        let bytes = store.read(store::table_bytes).await?;
        store.close().await?;
        bytes
    };
    let part: Vec<Record> = common.iter().take(20_000).cloned().collect();
    let verify_per_s = tokio::task::spawn_blocking(move || raw_verify_rate(&part))
        .await
        .map_err(|e| Error::Setup(e.to_string()))?;

    // (a) A holds the common records (the store the baseline filled, moved into its data dir:
    // the same records, stored the same way); B is fresh and catches up.
    let a_dir = dir.join("a");
    std::fs::create_dir_all(&a_dir).map_err(|e| Error::Setup(e.to_string()))?;
    std::fs::rename(&baseline_store, a_dir.join("store.redb"))
        .map_err(|e| Error::Setup(e.to_string()))?;
    let a = sync_node(dir, "a").await?;
    if a.service.store().read(crate::store::counts).await?.records != common.len() as u64 {
        return Err(Error::Setup(
            "the first node does not hold the records".into(),
        ));
    }
    let lookups = if lookups > 0 {
        Some(scale::lookups(&a.service, &common, lookups).await?)
    } else {
        None
    };
    let b = sync_node(dir, "b").await?;
    connect(&a, &b).await?;
    // A session stops after a bounded number of reconciliation rounds and the next one
    // continues (a large store may take more than one): sessions follow one another until
    // B holds everything, or one brings nothing.
    let start = Instant::now();
    let mut stored = 0u64;
    let mut catchup_sessions = 0u64;
    while stored < common.len() as u64 {
        let reports = b
            .net
            .sync(Some(a.net.peer_id()))
            .await
            .map_err(|e| Error::Setup(e.to_string()))?;
        catchup_sessions += 1;
        if let Some(e) = reports.iter().find_map(|r| r.error.clone()) {
            return Err(Error::Setup(format!("catch-up failed: {e}")));
        }
        let more: u64 = reports.iter().map(|r| r.stored).sum();
        if more == 0 {
            break;
        }
        stored += more;
    }
    let catchup_seconds = start.elapsed().as_secs_f64();
    if stored != common.len() as u64 {
        return Err(Error::Setup(format!(
            "caught up {stored} of {} records",
            common.len()
        )));
    }

    // (b) Each side gets D records the other lacks; one session reconciles both ways.
    a.service.store().insert(only_a.clone()).await?;
    b.service.store().insert(only_b.clone()).await?;
    let start = Instant::now();
    let reports = b
        .net
        .sync(Some(a.net.peer_id()))
        .await
        .map_err(|e| Error::Setup(e.to_string()))?;
    let diff_seconds = start.elapsed().as_secs_f64();
    let diff_bytes = reports.iter().map(|r| r.reconcile_bytes).sum();
    let diff_round_trips = reports.iter().map(|r| r.rounds).sum();
    let diff_transfer_bytes = reports.iter().map(|r| r.transfer_bytes).sum();
    let a_digest = a.service.store().read(crate::store::digest).await?;
    let b_digest = b.service.store().read(crate::store::digest).await?;
    if a_digest != b_digest {
        return Err(Error::Setup("the two stores differ after the sync".into()));
    }
    let _ = a.stop().await;
    let _ = b.stop().await;
    let figures = SyncFigures {
        records: n,
        diff: d,
        catchup_per_s: common.len() as f64 / catchup_seconds,
        catchup_seconds,
        catchup_sessions,
        diff_bytes,
        diff_round_trips,
        diff_transfer_bytes,
        diff_seconds,
        ingest_per_s,
    };
    let extra = SyncExtra {
        store_bytes,
        tables,
        envelope_bytes: common.iter().map(|r| r.envelope().len() as u64).sum(),
        verify_per_s,
        lookups,
    };
    Ok((figures, extra))
}
