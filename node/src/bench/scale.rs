//! `wsf bench scale`: how the costs grow with the store (10k, 100k, 1M records) and with the
//! network (20, 50, 100 nodes). Each store size is one `bench sync` run (baseline ingest,
//! catch-up, reconciliation of a difference), plus `list` and `show` timed on the node that
//! holds the records; each network size is one `bench gossip` run with its plain-gossipsub
//! baseline.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use wsf_protocol::Record;
use wsf_protocol::api::ListRequest;

use super::{Error, GossipFigures, percentile};
use crate::service::Service;

/// `list` and `show` latencies on a store, in ms.
#[derive(Debug, Clone, Serialize)]
pub struct Lookups {
    pub list_p50_ms: f64,
    pub list_p99_ms: f64,
    pub show_p50_ms: f64,
    pub show_p99_ms: f64,
}

/// One store size of `wsf bench scale`.
#[derive(Debug, Clone, Serialize)]
pub struct ScaleRow {
    pub records: usize,
    pub envelope_bytes_avg: f64,
    /// Full ingest into a fresh store (decode, verify, validate, durable store), records/s.
    pub ingest_per_s: f64,
    /// Raw `verify_strict` on one core, on up to 20,000 of the same records (the baseline).
    pub verify_per_s: f64,
    /// The store file the ingest left, per record (before `wsf compact`).
    pub store_bytes_per_record: f64,
    /// Records and their indexes (every table but the search index), per record.
    pub records_bytes_per_record: f64,
    /// The search index, per record (reported apart).
    pub search_bytes_per_record: f64,
    /// `list` (first pages of 50 under four filters) and `show` of a random record, through
    /// the node's service (no HTTP), in ms.
    pub list_p50_ms: f64,
    pub list_p99_ms: f64,
    pub show_p50_ms: f64,
    pub show_p99_ms: f64,
    /// Reconciliation between two nodes holding the records and `diff` more each: bytes (both
    /// ways, records not counted) and round trips.
    pub diff: usize,
    pub diff_bytes: u64,
    pub diff_round_trips: u64,
    /// A fresh node catching up all the records from one peer, records/s, and its ratio to
    /// this row's ingest rate.
    pub catchup_per_s: f64,
    pub catchup_ratio: f64,
    /// Sync sessions the catch-up took.
    pub catchup_sessions: u64,
}

/// One network size of `wsf bench scale`: the `bench gossip` figures kept here.
#[derive(Debug, Clone, Serialize)]
pub struct GossipRow {
    pub nodes: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub delivered_ratio: f64,
    pub cpu_us_per_delivery: f64,
    pub raw_p50_ms: f64,
    pub raw_p99_ms: f64,
    pub raw_cpu_us_per_delivery: f64,
}

impl From<&GossipFigures> for GossipRow {
    fn from(g: &GossipFigures) -> Self {
        GossipRow {
            nodes: g.nodes,
            p50_ms: g.p50_ms,
            p99_ms: g.p99_ms,
            delivered_ratio: g.delivered_ratio,
            cpu_us_per_delivery: g.cpu_us_per_delivery,
            raw_p50_ms: g.raw_p50_ms,
            raw_p99_ms: g.raw_p99_ms,
            raw_cpu_us_per_delivery: g.raw_cpu_us_per_delivery,
        }
    }
}

/// Figures of `wsf bench scale`.
#[derive(Debug, Clone, Serialize)]
pub struct ScaleFigures {
    pub stores: Vec<ScaleRow>,
    pub gossip: Vec<GossipRow>,
    /// Records published in each gossip run, at 10 per second.
    pub gossip_records: usize,
}

/// Runs `wsf bench scale`: one row per store size in `sizes` (with `diff` differences each
/// side and `lookups` timed calls of `list` and of `show`), then one gossip run per count in
/// `nodes` with `gossip_records` records.
pub async fn scale(
    sizes: &[usize],
    diff: usize,
    lookups: usize,
    nodes: &[usize],
    gossip_records: usize,
    dir: &Path,
) -> Result<ScaleFigures, Error> {
    let mut stores = Vec::new();
    for (i, &n) in sizes.iter().enumerate() {
        let run_dir = dir.join(format!("store-{i}"));
        std::fs::create_dir_all(&run_dir).map_err(|e| Error::Setup(e.to_string()))?;
        let (f, extra) = super::sync_with(n, diff, &run_dir, lookups.max(1)).await?;
        // Disk space for the next size.
        let _ = std::fs::remove_dir_all(&run_dir);
        let records = f.records.max(1) as f64;
        let search: u64 = extra
            .tables
            .iter()
            .filter(|(name, _)| *name == "search")
            .map(|(_, b)| *b)
            .sum();
        let all: u64 = extra.tables.iter().map(|(_, b)| *b).sum();
        let l = extra
            .lookups
            .ok_or_else(|| Error::Setup("the lookups were not measured".into()))?;
        stores.push(ScaleRow {
            records: f.records,
            envelope_bytes_avg: extra.envelope_bytes as f64 / records,
            ingest_per_s: f.ingest_per_s,
            verify_per_s: extra.verify_per_s,
            store_bytes_per_record: extra.store_bytes as f64 / records,
            records_bytes_per_record: all.saturating_sub(search) as f64 / records,
            search_bytes_per_record: search as f64 / records,
            list_p50_ms: l.list_p50_ms,
            list_p99_ms: l.list_p99_ms,
            show_p50_ms: l.show_p50_ms,
            show_p99_ms: l.show_p99_ms,
            diff: f.diff,
            diff_bytes: f.diff_bytes,
            diff_round_trips: f.diff_round_trips,
            catchup_per_s: f.catchup_per_s,
            catchup_ratio: f.catchup_per_s / f.ingest_per_s.max(f64::MIN_POSITIVE),
            catchup_sessions: f.catchup_sessions,
        });
    }
    let mut gossip = Vec::new();
    for (i, &count) in nodes.iter().enumerate() {
        let run_dir = dir.join(format!("gossip-{i}"));
        std::fs::create_dir_all(&run_dir).map_err(|e| Error::Setup(e.to_string()))?;
        let g = super::gossip(count, gossip_records, 10.0, 1, &run_dir).await?;
        let _ = std::fs::remove_dir_all(&run_dir);
        gossip.push(GossipRow::from(&g));
    }
    Ok(ScaleFigures {
        stores,
        gossip,
        gossip_records,
    })
}

/// Times `n` calls of `list` and `n` of `show` on `svc`, which holds `records`. The listings
/// cycle through four first pages of 50: the newest records; those before a random record's
/// time; one author's newest; one kind's before a random time. `show` takes a random record by
/// its full id.
pub(super) async fn lookups(svc: &Service, records: &[Record], n: usize) -> Result<Lookups, Error> {
    if records.is_empty() {
        return Err(Error::Setup("no records to look up".into()));
    }
    let mut rng: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut list_ms = Vec::with_capacity(n);
    let mut show_ms = Vec::with_capacity(n);
    for i in 0..n {
        let pick = &records[(next() % records.len() as u64) as usize];
        let body = pick.body();
        let mut req = ListRequest::default();
        match i % 4 {
            0 => {}
            1 => req.until = Some(body.ts),
            2 => req.author = Some(body.author.to_hex()),
            _ => {
                req.kinds = vec![body.kind()];
                req.until = Some(body.ts);
            }
        }
        let start = Instant::now();
        let page = svc
            .list(req)
            .await
            .map_err(|e| Error::Setup(e.to_string()))?;
        list_ms.push(start.elapsed().as_secs_f64() * 1e3);
        if page.items.is_empty() {
            return Err(Error::Setup("a listing came back empty".into()));
        }
        let start = Instant::now();
        let detail = svc
            .show(&pick.id().to_hex(), false)
            .await
            .map_err(|e| Error::Setup(e.to_string()))?;
        show_ms.push(start.elapsed().as_secs_f64() * 1e3);
        if detail.record.map(|r| r.id) != Some(pick.id()) {
            return Err(Error::Setup("show gave another record".into()));
        }
    }
    list_ms.sort_by(|a, b| a.total_cmp(b));
    show_ms.sort_by(|a, b| a.total_cmp(b));
    Ok(Lookups {
        list_p50_ms: percentile(&list_ms, 0.5),
        list_p99_ms: percentile(&list_ms, 0.99),
        show_p50_ms: percentile(&show_ms, 0.5),
        show_p99_ms: percentile(&show_ms, 0.99),
    })
}
