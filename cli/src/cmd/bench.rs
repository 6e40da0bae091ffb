//! `bench ingest|sync|gossip` (docs/benchmarks.md).

use anyhow::Context as _;

use crate::output;

pub async fn ingest(json: bool, records: usize, runs: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    if !json {
        eprintln!("generating {records} signed records, then {runs} rounds of each measurement…");
    }
    let f = wsf_node::bench::ingest(records, runs, dir.path()).await?;
    if json {
        return output::json(&f);
    }
    println!(
        "records {} (avg envelope {:.0} B), {} runs, {} cores, medians:",
        f.records, f.envelope_bytes_avg, f.runs, f.cores
    );
    println!(
        "  verify_strict, 1 core (baseline)  {:>10.0} /s",
        f.verify_per_s
    );
    println!(
        "  verify_batch(256), 1 core         {:>10.0} /s  (reference; not used)",
        f.batch_verify_per_s
    );
    println!(
        "  sign, 1 core                      {:>10.0} /s",
        f.sign_per_s
    );
    println!(
        "  decode + checks, 1 core           {:>10.0} /s",
        f.decode_per_s
    );
    println!(
        "  store alone, durable              {:>10.0} /s",
        f.store_per_s
    );
    println!(
        "  full ingest, durable              {:>10.0} /s  = {:.2} x baseline",
        f.ingest_per_s, f.ratio
    );
    println!(
        "  store file                        {:>10.0} B/record",
        f.store_bytes_per_record
    );
    Ok(())
}

pub async fn gossip(
    json: bool,
    nodes: usize,
    records: usize,
    rate: f64,
    seed: u64,
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    if !json {
        eprintln!("starting {nodes} nodes on 127.0.0.1, then publishing {records} records…");
    }
    let f = wsf_node::bench::gossip(nodes, records, rate, seed, dir.path()).await?;
    if json {
        return output::json(&f);
    }
    let how = if f.rate > 0.0 {
        format!("{} records/s", f.rate)
    } else {
        "all at once".into()
    };
    println!("{} nodes, {} records, {how}:", f.nodes, f.records);
    println!(
        "  publish to every node  p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
        f.p50_ms, f.p99_ms, f.max_ms
    );
    println!(
        "  delivered by gossip    {:.1} %",
        f.delivered_ratio * 100.0
    );
    println!("  CPU per delivery       {:.0} µs", f.cpu_us_per_delivery);
    println!("  idle RSS per node      {:.1} MiB", f.rss_mib_per_node);
    println!(
        "  baseline: one durable publish on one node, median {:.2} ms",
        f.store_commit_ms
    );
    Ok(())
}

pub async fn sync(json: bool, records: usize, diff: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    if !json {
        eprintln!("generating {records} + 2×{diff} signed records, then syncing two nodes…");
    }
    let f = wsf_node::bench::sync(records, diff, dir.path()).await?;
    if json {
        return output::json(&f);
    }
    println!("{} records, {} different on each side:", f.records, f.diff);
    println!(
        "  (a) fresh node catches up   {:.0} records/s  ({:.2} s)",
        f.catchup_per_s, f.catchup_seconds
    );
    println!(
        "  (b) reconcile               {} bytes, {} round trips (+ {} bytes of records, {:.2} s)",
        f.diff_bytes, f.diff_round_trips, f.diff_transfer_bytes, f.diff_seconds
    );
    println!(
        "  baseline: full ingest on this machine {:.0} records/s",
        f.ingest_per_s
    );
    Ok(())
}
