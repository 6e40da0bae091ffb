//! `bench ingest|transfer|sync|scale|gossip|search|web` (docs/benchmarks.md).

use anyhow::Context as _;

use crate::output;

pub async fn ingest(
    json: bool,
    records: usize,
    runs: usize,
    encrypted: bool,
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    if !json {
        eprintln!("generating {records} signed records, then {runs} rounds of each measurement…");
    }
    let f = wsf_node::bench::ingest(records, runs, dir.path(), encrypted).await?;
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
        "  store file                        {:>10.0} B/record ({:.2}× the envelopes)",
        f.store_bytes_per_record,
        f.store_bytes_per_record / f.envelope_bytes_avg.max(1.0)
    );
    let mut tables: Vec<(&String, &f64)> = f.table_bytes_per_record.iter().collect();
    tables.sort_by(|a, b| b.1.total_cmp(a.1));
    let shown: Vec<String> = tables
        .iter()
        .filter(|(_, b)| **b >= 1.0)
        .map(|(name, b)| format!("{name} {b:.0}"))
        .collect();
    println!("    by table, B/record: {}", shown.join(", "));
    println!(
        "  store file after `wsf compact`    {:>10.0} B/record ({:.2}× the envelopes; {:.2}× without the search index)",
        f.compacted_store_bytes_per_record,
        f.compacted_store_bytes_per_record / f.envelope_bytes_avg.max(1.0),
        (f.compacted_store_bytes_per_record - f.search_bytes_per_record).max(0.0)
            / f.envelope_bytes_avg.max(1.0)
    );
    if let (Some(e), Some(r), Some(b)) = (
        f.encrypted_ingest_per_s,
        f.encrypted_ratio,
        f.encrypted_store_bytes_per_record,
    ) {
        println!(
            "  full ingest, encrypted store      {e:>10.0} /s  = {r:.2} x plain ingest ({:.2} x baseline)",
            e / f.verify_per_s
        );
        println!("  encrypted store file              {b:>10.0} B/record");
    }
    Ok(())
}

pub async fn panic(json: bool, records: usize) -> anyhow::Result<()> {
    use std::io::Write as _;
    let tmp = tempfile::tempdir().context("cannot create a temporary directory")?;
    let root = tmp.path().join("d");
    let pass_path = tmp.path().join("pass");
    std::fs::write(&pass_path, "bench panic passphrase").context("passphrase file")?;
    if !json {
        eprintln!("building an encrypted data dir of {records} records, starting a node on it…");
    }
    let data = wsf_node::datadir::DataDir::new(root.clone());
    data.create()?;
    let params = tokio::task::spawn_blocking(|| {
        wsf_node::vault::Params::calibrate(wsf_node::vault::keyslot::DEFAULT_TARGET)
    })
    .await??;
    let (slot, key) = wsf_node::vault::KeySlot::create(b"bench panic passphrase", params)?;
    wsf_node::vault::keyslot::store(&root, &slot)?;
    let data = data.with_key(key);
    let svc = tokio::task::spawn_blocking(move || wsf_node::service::Service::open(data)).await??;
    let sample =
        tokio::task::spawn_blocking(move || wsf_node::bench::sample_records(records, 3)).await??;
    for batch in sample.chunks(wsf_node::transfer::IMPORT_BATCH) {
        svc.store().insert(batch.to_vec()).await?;
    }
    drop(sample);
    svc.store().clone().close().await?;
    drop(svc);
    let store_bytes = std::fs::metadata(root.join("store.redb"))
        .map(|m| m.len())
        .unwrap_or(0);
    let exe = std::env::current_exe().context("cannot find the wsf program")?;
    let mut child = std::process::Command::new(exe)
        .arg("--data-dir")
        .arg(&root)
        .arg("--passphrase-fd")
        .arg("0")
        .args([
            "node",
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--api-listen",
            "127.0.0.1:0",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .context("cannot start wsf node")?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(b"bench panic passphrase")?;
    }
    // Ready when it logs its control API (an event, with a timeout), read on a thread.
    let stderr = child.stderr.take().context("the node's log")?;
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        use std::io::BufRead as _;
        let mut ready = Some(ready_tx);
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains("control API")
                && let Some(tx) = ready.take()
            {
                let _ = tx.send(());
            }
        }
    });
    match tokio::time::timeout(std::time::Duration::from_secs(60), ready_rx).await {
        Ok(Ok(())) => {}
        _ => {
            let _ = child.kill();
            anyhow::bail!("the node did not start");
        }
    }
    let start = std::time::Instant::now();
    let client = crate::client::Client::socket(&root);
    let asked: anyhow::Result<serde_json::Value> = client
        .post("/v1/panic", &serde_json::json!({ "confirm": "erase" }))
        .await;
    drop(asked);
    let status = tokio::task::spawn_blocking(move || child.wait()).await??;
    let ms = start.elapsed().as_secs_f64() * 1_000.0;
    // Everything but the mark panic leaves (it holds no data).
    let left = std::fs::read_dir(&root)
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name() != wsf_node::datadir::ERASED_MARK)
                .count()
        })
        .unwrap_or(0);
    if left != 0 || !status.success() {
        anyhow::bail!("the panic left {left} files (node exit: {status})");
    }
    if json {
        return output::json(&serde_json::json!({
            "records": records, "store_bytes": store_bytes, "panic_ms": ms,
        }));
    }
    println!(
        "records {records}, encrypted store {:.1} MiB: panic through the running node, from the \
         request to the process gone: {ms:.0} ms",
        store_bytes as f64 / (1 << 20) as f64
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
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    println!(
        "  baseline: plain gossipsub, same nodes and topology, no validation or store: \
         p50 {:.1} ms  p99 {:.1} ms  CPU per delivery {:.0} µs  delivered {:.1} %",
        f.raw_p50_ms,
        f.raw_p99_ms,
        f.raw_cpu_us_per_delivery,
        f.raw_delivered_ratio * 100.0
    );
    println!(
        "  wsf / plain            p50 {:.2}×  p99 {:.2}×  CPU {:.2}×",
        ratio(f.p50_ms, f.raw_p50_ms),
        ratio(f.p99_ms, f.raw_p99_ms),
        ratio(f.cpu_us_per_delivery, f.raw_cpu_us_per_delivery)
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

pub async fn scale(
    json: bool,
    sizes: &[usize],
    diff: usize,
    lookups: usize,
    nodes: &[usize],
    gossip_records: usize,
) -> anyhow::Result<()> {
    if sizes.contains(&0) || nodes.iter().any(|n| *n < 2) {
        anyhow::bail!("store sizes must be at least 1 record and networks at least 2 nodes");
    }
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    if !json {
        eprintln!(
            "store sizes {sizes:?} (ingest, lookups, reconciliation, catch-up), then gossip on              {nodes:?} nodes…"
        );
    }
    let f = wsf_node::bench::scale(sizes, diff, lookups, nodes, gossip_records, dir.path()).await?;
    if json {
        return output::json(&f);
    }
    println!(
        "{:>9}  {:>8} {:>6}  {:>7} {:>7} {:>7}  {:>6} {:>6}  {:>6} {:>6}  {:>7} {:>6}  {:>8} {:>6} {:>5}",
        "records",
        "ingest/s",
        "×verif",
        "file B",
        "recs B",
        "search",
        "list50",
        "list99",
        "show50",
        "show99",
        "rec. B",
        "trips",
        "catchup",
        "×ingst",
        "sess."
    );
    for r in &f.stores {
        println!(
            "{:>9}  {:>8.0} {:>6.2}  {:>7.0} {:>7.0} {:>7.0}  {:>6.2} {:>6.2}  {:>6.2} {:>6.2}  {:>7} {:>6}  {:>8.0} {:>6.2} {:>5}",
            r.records,
            r.ingest_per_s,
            r.ingest_per_s / r.verify_per_s.max(f64::MIN_POSITIVE),
            r.store_bytes_per_record,
            r.records_bytes_per_record,
            r.search_bytes_per_record,
            r.list_p50_ms,
            r.list_p99_ms,
            r.show_p50_ms,
            r.show_p99_ms,
            r.diff_bytes,
            r.diff_round_trips,
            r.catchup_per_s,
            r.catchup_ratio,
            r.catchup_sessions
        );
    }
    if let Some(r) = f.stores.first() {
        println!(
            "  (sizes in B/record, envelopes {:.0} B; times in ms; reconciliation of {} differences each side)",
            r.envelope_bytes_avg, r.diff
        );
    }
    if !f.gossip.is_empty() {
        println!(
            "{:>6}  {:>8} {:>8} {:>9}  {:>10}  |  plain gossipsub {:>8} {:>8} {:>10}",
            "nodes",
            "p50 ms",
            "p99 ms",
            "delivered",
            "CPU µs/copy",
            "p50 ms",
            "p99 ms",
            "CPU µs/copy"
        );
        for g in &f.gossip {
            println!(
                "{:>6}  {:>8.1} {:>8.1} {:>8.1}%  {:>10.0}  |  {:>24.1} {:>8.1} {:>10.0}",
                g.nodes,
                g.p50_ms,
                g.p99_ms,
                g.delivered_ratio * 100.0,
                g.cpu_us_per_delivery,
                g.raw_p50_ms,
                g.raw_p99_ms,
                g.raw_cpu_us_per_delivery
            );
        }
        println!(
            "  ({} records per run at 10/s from random nodes)",
            f.gossip_records
        );
    }
    Ok(())
}

/// Figures of `wsf bench transfer`.
#[derive(Debug, serde::Serialize)]
struct TransferFigures {
    records: usize,
    runs: usize,
    bundle_bytes: u64,
    /// Median import rate straight into the store (`transfer::import`): the baseline.
    import_direct_per_s: f64,
    /// Median rate of `wsf import`'s path: the bundle read here, sent over the control API
    /// (in-process transport) in batches.
    import_api_per_s: f64,
    import_ratio: f64,
    /// Median export rate straight to a file (`transfer::export`): the baseline.
    export_direct_per_s: f64,
    /// Median rate of `wsf export`'s path: streamed over the control API, written and read
    /// back here.
    export_api_per_s: f64,
    export_ratio: f64,
    /// Seconds of one Argon2id derivation with the parameters calibrated here: what an
    /// encrypted bundle's export and import each add once.
    kdf_seconds: f64,
    /// `wsf export --encrypt`'s path, the key derived beforehand (add `kdf_seconds`).
    export_api_encrypted_per_s: f64,
    /// `wsf import` of the encrypted bundle, its one key derivation included.
    import_api_encrypted_per_s: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// `wsf bench transfer`: `wsf import` and `wsf export` through the control API against the
/// store's own import and export, in one run.
pub async fn transfer(json: bool, records: usize, runs: usize) -> anyhow::Result<()> {
    use std::time::Instant;
    use wsf_node::datadir::DataDir;
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    if !json {
        eprintln!("generating {records} signed records, then {runs} rounds of each measurement…");
    }
    let sample =
        tokio::task::spawn_blocking(move || wsf_node::bench::sample_records(records, 7)).await??;
    let bundle = dir.path().join("in.wsf");
    {
        let file = std::fs::File::create(&bundle)?;
        let header = wsf_protocol::bundle::Header::new(
            wsf_protocol::NetworkId::public(),
            wsf_node::ingest::now_ms(),
            Vec::new(),
        );
        let mut w = wsf_node::bundle::Writer::new(std::io::BufWriter::new(file), &header)?;
        for r in &sample {
            w.push(r.envelope())?;
        }
        w.finish()?;
    }
    let bundle_bytes = std::fs::metadata(&bundle)?.len();
    let n = records as f64;
    let pass = zeroize::Zeroizing::new(b"a bench passphrase".to_vec());
    let key = {
        let pass = pass.clone();
        tokio::task::spawn_blocking(move || super::transfer::new_bundle_key(&pass)).await??
    };
    let kdf_seconds = {
        let (pass, header) = (pass.clone(), *key.header());
        tokio::task::spawn_blocking(move || {
            let t = Instant::now();
            wsf_protocol::sealed_bundle::Key::derive(&pass, header).map(|_| t.elapsed())
        })
        .await??
        .as_secs_f64()
    };
    let (mut imp_d, mut imp_a, mut exp_d, mut exp_a) = (vec![], vec![], vec![], vec![]);
    let (mut exp_e, mut imp_e) = (vec![], vec![]);
    for run in 0..runs {
        let direct = DataDir::new(dir.path().join(format!("direct{run}")));
        let svc =
            tokio::task::spawn_blocking(move || wsf_node::service::Service::open(direct)).await??;
        let t = Instant::now();
        let imported = wsf_node::transfer::import(svc.ingest(), &bundle, |_| {}).await?;
        imp_d.push(n / t.elapsed().as_secs_f64());
        anyhow::ensure!(
            imported.report.stored == records as u64,
            "direct import stored all"
        );
        let out = dir.path().join(format!("direct{run}.wsf"));
        let t = Instant::now();
        wsf_node::transfer::export(svc.store(), svc.ingest().network(), &out, Vec::new()).await?;
        exp_d.push(n / t.elapsed().as_secs_f64());
        svc.store().clone().close().await?;

        let api = DataDir::new(dir.path().join(format!("api{run}")));
        let c = crate::client::Client::open(&api, crate::client::Open::Create).await?;
        let t = Instant::now();
        let sent = super::transfer::send_bundle(&c, true, &bundle).await?;
        imp_a.push(n / t.elapsed().as_secs_f64());
        anyhow::ensure!(
            sent.report.stored == records as u64,
            "API import stored all"
        );
        let out = dir.path().join(format!("api{run}.wsf"));
        let t = Instant::now();
        let count = super::transfer::export_to(&c, &out, Vec::new(), 0o600, true).await?;
        exp_a.push(n / t.elapsed().as_secs_f64());
        anyhow::ensure!(count == records as u64, "API export wrote all");
        let sealed = dir.path().join(format!("api{run}.sealed.wsf"));
        let t = Instant::now();
        let count = super::transfer::export_sealed_to(
            &c,
            &sealed,
            Vec::new(),
            0o600,
            true,
            Some(key.clone()),
        )
        .await?;
        exp_e.push(n / t.elapsed().as_secs_f64());
        anyhow::ensure!(count == records as u64, "encrypted export wrote all");
        c.close().await?;

        let enc = DataDir::new(dir.path().join(format!("enc{run}")));
        let c = crate::client::Client::open(&enc, crate::client::Open::Create).await?;
        let t = Instant::now();
        let sent =
            super::transfer::send_sealed_bundle(&c, true, &sealed, Some(pass.clone())).await?;
        imp_e.push(n / t.elapsed().as_secs_f64());
        anyhow::ensure!(
            sent.report.stored == records as u64 && sent.problem.is_none(),
            "encrypted import stored all"
        );
        c.close().await?;
    }
    let f = TransferFigures {
        records,
        runs,
        bundle_bytes,
        import_direct_per_s: median(imp_d),
        import_api_per_s: median(imp_a),
        import_ratio: 0.0,
        export_direct_per_s: median(exp_d),
        export_api_per_s: median(exp_a),
        export_ratio: 0.0,
        kdf_seconds,
        export_api_encrypted_per_s: median(exp_e),
        import_api_encrypted_per_s: median(imp_e),
    };
    let f = TransferFigures {
        import_ratio: f.import_api_per_s / f.import_direct_per_s,
        export_ratio: f.export_api_per_s / f.export_direct_per_s,
        ..f
    };
    if json {
        return output::json(&f);
    }
    println!(
        "{} records ({} bytes of bundle), {} runs, medians:",
        f.records, f.bundle_bytes, f.runs
    );
    println!(
        "  import into the store (baseline)   {:>10.0} /s",
        f.import_direct_per_s
    );
    println!(
        "  import through the API             {:>10.0} /s  = {:.2} x baseline",
        f.import_api_per_s, f.import_ratio
    );
    println!(
        "  export from the store (baseline)   {:>10.0} /s",
        f.export_direct_per_s
    );
    println!(
        "  export through the API             {:>10.0} /s  = {:.2} x baseline",
        f.export_api_per_s, f.export_ratio
    );
    println!(
        "  export, encrypted (key ready)      {:>10.0} /s  (+ {:.2} s to derive the key)",
        f.export_api_encrypted_per_s, f.kdf_seconds
    );
    println!(
        "  import, encrypted (key derivation included) {:>6.0} /s",
        f.import_api_encrypted_per_s
    );
    Ok(())
}

pub async fn search(json: bool, records: usize, queries: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    if !json {
        eprintln!(
            "generating {records} signed records in 8 languages, storing them, then timing \
             {queries} searches…"
        );
    }
    let f = wsf_node::bench::search(records, queries, dir.path()).await?;
    if json {
        return output::json(&f);
    }
    println!(
        "records {} (avg envelope {:.0} B, {} languages), {} queries, one at a time:",
        f.records, f.envelope_bytes_avg, f.languages, f.queries
    );
    println!(
        "  search (page of up to 50)    p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        f.p50_ms, f.p99_ms, f.max_ms
    );
    println!(
        "  results per query            {:.1} on average, {} queries found nothing",
        f.results_avg, f.empty_queries
    );
    println!("  store inserts, index kept    {:>8.0} /s", f.insert_per_s);
    println!(
        "  search index                 {:>8.0} B/record",
        f.index_bytes_per_record
    );
    println!(
        "  store file (index included)  {:>8.0} B/record",
        f.store_bytes_per_record
    );
    Ok(())
}

pub async fn web(json: bool, records: usize, runs: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    if !json {
        eprintln!(
            "generating {records} signed records, storing them, then rendering each page {runs} \
             times per language…"
        );
    }
    let f = wsf_node::bench::web(records, runs, dir.path()).await?;
    if json {
        return output::json(&f);
    }
    println!(
        "records {}, {} requests per page and language, one at a time (server side, whole page):",
        f.records, f.runs
    );
    for p in &f.pages {
        println!(
            "  {:<18} {}  p50 {:>6.2} ms  p99 {:>6.2} ms  {:>7} B",
            p.page, p.language, p.p50_ms, p.p99_ms, p.bytes
        );
    }
    Ok(())
}
