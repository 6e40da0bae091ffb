//! `export` and `import`: this process reads and writes the user's file, and the records travel
//! over the control API (the running node's socket, or the API served here), so the file lands
//! where the user can see it whatever sandbox the node runs in.

use std::io::{IsTerminal, Read as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use http_body_util::BodyExt;
use wsf_node::transfer::Chunk;
use wsf_protocol::Pillar;
use wsf_protocol::api::{ExportRequest, IngestReport};
use wsf_protocol::sealed_bundle;
use zeroize::Zeroizing;

use super::{Ctx, with_client};
use crate::client::Client;
use crate::output;

/// Requests in flight during an import (each a batch of `transfer::IMPORT_BATCH` envelopes).
const IMPORT_IN_FLIGHT: usize = wsf_node::transfer::IMPORT_IN_FLIGHT;

fn bar(json: bool, template: &str) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() || json {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

/// The passphrase of a bundle (never the data dir's): from `file` when given, else asked on the
/// terminal (twice for a `new` one).
fn bundle_passphrase(
    file: Option<PathBuf>,
    bundle: &Path,
    new: bool,
) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    if let Some(file) = file {
        return crate::passphrase::Source {
            file: Some(file),
            fd: None,
        }
        .read(bundle);
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "no terminal to ask for the bundle's passphrase: give it with \
             --bundle-passphrase-file FILE"
        );
    }
    let ask = |prompt: &str| -> anyhow::Result<Zeroizing<Vec<u8>>> {
        let text = Zeroizing::new(
            rpassword::prompt_password(prompt).context("cannot read the passphrase")?,
        );
        if text.is_empty() {
            anyhow::bail!("an empty passphrase");
        }
        Ok(Zeroizing::new(text.as_bytes().to_vec()))
    };
    if !new {
        return ask(&format!("Passphrase of the bundle {}: ", bundle.display()));
    }
    let first = ask(&format!(
        "New passphrase for the bundle {}: ",
        bundle.display()
    ))?;
    let second = ask("The same passphrase again: ")?;
    if *first != *second {
        anyhow::bail!("the two passphrases differ; nothing was exported");
    }
    Ok(first)
}

/// A fresh key for an encrypted bundle: Argon2id calibrated on this machine as for a data
/// dir's key slot (about 0.5 s a derivation), a random salt and nonce prefix. Slow.
pub fn new_bundle_key(passphrase: &[u8]) -> anyhow::Result<sealed_bundle::Key> {
    let p = wsf_node::vault::Params::calibrate(wsf_node::vault::keyslot::DEFAULT_TARGET)
        .context("cannot calibrate the passphrase's key derivation")?;
    new_bundle_key_with(
        passphrase,
        sealed_bundle::Params::new(p.m_kib(), p.t(), p.p())?,
    )
}

fn new_bundle_key_with(
    passphrase: &[u8],
    params: sealed_bundle::Params,
) -> anyhow::Result<sealed_bundle::Key> {
    let mut salt = [0u8; sealed_bundle::SALT_LEN];
    let mut nonce_prefix = [0u8; sealed_bundle::PREFIX_LEN];
    getrandom::fill(&mut salt).context("no random bytes")?;
    getrandom::fill(&mut nonce_prefix).context("no random bytes")?;
    let header = sealed_bundle::Header {
        params,
        salt,
        nonce_prefix,
    };
    Ok(sealed_bundle::Key::derive(passphrase, header)?)
}

/// `encrypt`: `Some(passphrase file, if any)` for an encrypted bundle.
pub async fn export(
    ctx: Ctx,
    file: PathBuf,
    pillars: Vec<Pillar>,
    mode: Option<u32>,
    encrypt: Option<Option<PathBuf>>,
) -> anyhow::Result<()> {
    let json = ctx.json;
    let target = file.clone();
    let key = match encrypt {
        None => None,
        Some(pass_file) => {
            let pass = bundle_passphrase(pass_file, &file, true)?;
            Some(tokio::task::spawn_blocking(move || new_bundle_key(&pass)).await??)
        }
    };
    let encrypted = key.is_some();
    let n = with_client(&ctx, |c| async move {
        export_sealed_to(&c, &target, pillars, mode.unwrap_or(0o600), json, key).await
    })
    .await?;
    if json {
        return output::json(
            &serde_json::json!({ "file": file, "records": n, "encrypted": encrypted }),
        );
    }
    let how = if encrypted { " (encrypted)" } else { "" };
    println!("exported {n} records to {}{how}", file.display());
    Ok(())
}

/// Streams the bundle into `FILE.partial` (created with `mode`), checks it, then renames it:
/// the file appears only when whole.
pub async fn export_to(
    c: &Client,
    file: &Path,
    pillars: Vec<Pillar>,
    mode: u32,
    json: bool,
) -> anyhow::Result<u64> {
    export_sealed_to(c, file, pillars, mode, json, None).await
}

/// [`export_to`], encrypted under `key` when given (`docs/protocol.md` section 14.5): the
/// plain bundle exists only in memory, a chunk at a time.
pub async fn export_sealed_to(
    c: &Client,
    file: &Path,
    pillars: Vec<Pillar>,
    mode: u32,
    json: bool,
    key: Option<sealed_bundle::Key>,
) -> anyhow::Result<u64> {
    let partial = partial_path(file);
    let resp = c
        .post_streaming("/v1/export", &ExportRequest { pillars })
        .await?;
    let total: Option<u64> = resp
        .headers()
        .get("x-wsf-records")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let out = tokio::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&partial)
        .await
        .with_context(|| format!("cannot write {}", partial.display()))?;
    let progress = bar(json, "{spinner} {bytes} written ({bytes_per_sec}) {msg}");
    if let (Some(b), Some(n)) = (&progress, total) {
        b.set_message(format!("{n} records"));
    }
    let sealer = match &key {
        Some(k) => Some(sealed_bundle::Writer::new(Vec::new(), k.clone())?),
        None => None,
    };
    let written = copy_body(resp.into_body(), out, &partial, progress.as_ref(), sealer).await;
    if let Some(b) = progress {
        b.finish_and_clear();
    }
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    // Read it back: the trailer's count and digest must match what arrived.
    let check = partial.clone();
    let count = tokio::task::spawn_blocking(move || count_bundle(&check, key)).await?;
    let count = match count {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(
                e.context("the exported bundle does not read back whole; nothing was written")
            );
        }
    };
    std::fs::rename(&partial, file).with_context(|| format!("cannot write {}", file.display()))?;
    // An explicit --mode beats the umask.
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("cannot set the mode of {}", file.display()))?;
    }
    Ok(count)
}

/// Writes the streamed bundle to `out` (tokio's file: the writes stay off the runtime's
/// threads, where the in-process API may be producing the stream), through `sealer` when the
/// bundle is encrypted (it holds at most one chunk and what one frame adds).
async fn copy_body(
    mut body: axum::body::Body,
    out: tokio::fs::File,
    path: &Path,
    progress: Option<&indicatif::ProgressBar>,
    mut sealer: Option<sealed_bundle::Writer<Vec<u8>>>,
) -> anyhow::Result<()> {
    use tokio::io::AsyncWriteExt as _;
    let mut out = tokio::io::BufWriter::with_capacity(1 << 20, out);
    let mut bytes = 0u64;
    let werr = || format!("cannot write {}", path.display());
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| anyhow::anyhow!("the export stopped half-way: {e}"))?;
        if let Ok(chunk) = frame.into_data() {
            match &mut sealer {
                Some(s) => {
                    s.write_all(&chunk).context("cannot encrypt the bundle")?;
                    let sealed = std::mem::take(s.get_mut());
                    out.write_all(&sealed).await.with_context(werr)?;
                }
                None => out.write_all(&chunk).await.with_context(werr)?,
            }
            bytes += chunk.len() as u64;
            if let Some(b) = progress {
                b.set_position(bytes);
            }
        }
    }
    if let Some(s) = sealer {
        let rest = s.finish().context("cannot encrypt the bundle")?;
        out.write_all(&rest).await.with_context(werr)?;
    }
    out.flush()
        .await
        .with_context(|| format!("cannot write {}", path.display()))?;
    out.into_inner()
        .sync_all()
        .await
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn count_bundle(path: &Path, key: Option<sealed_bundle::Key>) -> anyhow::Result<u64> {
    let f = std::io::BufReader::new(std::fs::File::open(path)?);
    let count = |input: &mut dyn std::io::Read| -> anyhow::Result<u64> {
        let mut reader = wsf_node::bundle::Reader::new(input)?;
        let mut n = 0;
        while reader.next_envelope()?.is_some() {
            n += 1;
        }
        Ok(n)
    };
    match key {
        None => count(&mut { f }),
        Some(key) => {
            let plain =
                sealed_bundle::Reader::with_key(f, key).map_err(wsf_node::bundle::Error::sealed)?;
            count(&mut std::io::BufReader::new(plain))
        }
    }
}

/// Whether `file` starts as an encrypted bundle.
fn is_sealed_file(file: &Path) -> anyhow::Result<bool> {
    let mut start = [0u8; sealed_bundle::MAGIC.len()];
    let f = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let n = f
        .take(start.len() as u64)
        .read(&mut start)
        .with_context(|| format!("cannot read {}", file.display()))?;
    Ok(sealed_bundle::is_sealed(&start[..n]))
}

pub async fn import(ctx: Ctx, file: PathBuf, pass_file: Option<PathBuf>) -> anyhow::Result<()> {
    let json = ctx.json;
    // Asked before the node is reached, and only for an encrypted bundle.
    let pass = if is_sealed_file(&file)? {
        if pass_file.is_none() && !std::io::stdin().is_terminal() {
            anyhow::bail!(
                "{} is an encrypted bundle: give its passphrase with \
                 --bundle-passphrase-file FILE (on a terminal, wsf asks for it)",
                file.display()
            );
        }
        Some(bundle_passphrase(pass_file, &file, false)?)
    } else {
        None
    };
    with_client(&ctx, |c| async move {
        let sent = send_sealed_bundle(&c, json, &file, pass).await?;
        finish(json, &sent.report, sent.problem, sent.foreign)
    })
    .await
}

/// What sending a bundle did.
pub struct Sent {
    pub report: IngestReport,
    /// The problem with the file (its code and text), if reading stopped early.
    pub problem: Option<(&'static str, String)>,
    /// The bundle's network, when it is not the node's.
    pub foreign: Option<String>,
}

/// Reads the bundle on a thread, one batch ahead, and sends batches to the node (a progress
/// bar on a terminal unless `quiet`).
pub async fn send_bundle(c: &Client, quiet: bool, file: &Path) -> anyhow::Result<Sent> {
    send_sealed_bundle(c, quiet, file, None).await
}

/// [`send_bundle`] of an encrypted bundle, opened with `passphrase` (on the reading thread: a
/// wrong one ends the import before any record is sent).
pub async fn send_sealed_bundle(
    c: &Client,
    quiet: bool,
    file: &Path,
    passphrase: Option<Zeroizing<Vec<u8>>>,
) -> anyhow::Result<Sent> {
    let json = quiet;
    let f = std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let total = f.metadata().map(|m| m.len()).unwrap_or(0);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Chunk>(1);
    let thread = std::thread::Builder::new()
        .name("wsf-import".into())
        .spawn(move || match passphrase {
            Some(p) => wsf_node::transfer::read_sealed_bundle(f, p, tx),
            None => wsf_node::transfer::read_bundle(f, tx),
        })
        .context("cannot start the reading thread")?;
    let header = match rx.recv().await {
        Some(Chunk::Header(h)) => h,
        Some(Chunk::End(Some(e))) => {
            return Err(anyhow::Error::new(e).context(format!("cannot import {}", file.display())));
        }
        _ => anyhow::bail!(
            "cannot import {}: the reading thread stopped",
            file.display()
        ),
    };
    let progress = bar(json, "{bar:30} {bytes}/{total_bytes} {msg} ({eta})");
    if let Some(b) = &progress {
        b.set_length(total);
    }
    let mut report = IngestReport::default();
    let mut problem = None;
    // Two batches in flight: one is verified while the previous one is written (the store's
    // outcomes do not depend on the order records arrive in).
    let mut in_flight: std::collections::VecDeque<(
        tokio::task::JoinHandle<anyhow::Result<IngestReport>>,
        u64,
    )> = std::collections::VecDeque::new();
    let show = |report: &IngestReport, bytes_read: u64| {
        if let Some(b) = &progress {
            b.set_position(bytes_read);
            b.set_message(format!(
                "{} stored, {} held, {} refused",
                report.stored,
                report.duplicate,
                report.rejected_total()
            ));
        }
    };
    while let Some(chunk) = rx.recv().await {
        match chunk {
            Chunk::Batch(batch, bytes_read) => {
                if in_flight.len() >= IMPORT_IN_FLIGHT
                    && let Some((oldest, at)) = in_flight.pop_front()
                {
                    add(&mut report, oldest.await??);
                    show(&report, at);
                }
                let body = wsf_node::bundle::encode_items(batch.iter().map(Vec::as_slice));
                let c = c.clone();
                in_flight.push_back((
                    tokio::spawn(async move { c.post_bytes("/v1/envelopes", body).await }),
                    bytes_read,
                ));
            }
            Chunk::End(e) => {
                problem = e;
                break;
            }
            Chunk::Header(_) => {}
        }
    }
    while let Some((h, at)) = in_flight.pop_front() {
        add(&mut report, h.await??);
        show(&report, at);
    }
    let _ = thread.join();
    if let Some(b) = progress {
        b.finish_and_clear();
    }
    let id: wsf_protocol::api::IdInfo = c.get("/v1/id").await?;
    let foreign = (header.net != id.network).then(|| {
        format!(
            "the bundle is from network {}, this node is on {}",
            header.net, id.network
        )
    });
    Ok(Sent {
        report,
        problem: problem.map(|p| (p.code(), p.to_string())),
        foreign,
    })
}

fn add(report: &mut IngestReport, r: IngestReport) {
    report.stored += r.stored;
    report.duplicate += r.duplicate;
    report.expired += r.expired;
    for (k, v) in r.rejected {
        *report.rejected.entry(k).or_default() += v;
    }
}

/// Prints the import report; fails when the file had a problem or no record was kept.
fn finish(
    json: bool,
    report: &IngestReport,
    problem: Option<(&'static str, String)>,
    foreign: Option<String>,
) -> anyhow::Result<()> {
    if json {
        output::json(&serde_json::json!({
            "stored": report.stored,
            "duplicate": report.duplicate,
            "expired": report.expired,
            "rejected": report.rejected,
            "problem": problem.as_ref().map(|(_, text)| text),
            "problem_code": problem.as_ref().map(|(code, _)| code),
        }))?;
    } else {
        if let Some(f) = &foreign {
            eprintln!("warning: {f}");
        }
        output::report(report);
    }
    if let Some((_, text)) = problem {
        anyhow::bail!("{text}");
    }
    let read = report.stored + report.duplicate + report.expired + report.rejected_total();
    if read > 0 && report.stored + report.duplicate == 0 {
        let mut why = format!("none of the {read} records in the bundle was imported");
        if let Some(f) = foreign {
            why.push_str(&format!(" ({f})"));
        }
        anyhow::bail!("{why}");
    }
    Ok(())
}

/// `wsf compact`: the store's free pages given back, with the node stopped.
pub async fn compact(ctx: Ctx) -> anyhow::Result<()> {
    if super::node_answers(&ctx.data).await {
        anyhow::bail!(
            "the node is running and holds the store; stop it (Ctrl-C, or `systemctl --user stop \
             wsf`), run `wsf compact`, then start it again"
        );
    }
    let data = ctx.unlocked().await?;
    let path = data.store_path();
    if !path.exists() {
        anyhow::bail!("there is no store in {} yet", data.root().display());
    }
    let done = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        Ok(wsf_node::store::compact(&path, data.data_key()?)?)
    })
    .await??;
    if ctx.json {
        return output::json(&serde_json::json!({
            "before_bytes": done.before,
            "after_bytes": done.after,
        }));
    }
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "store {:.1} MiB -> {:.1} MiB ({:.1} MiB given back)",
        mib(done.before),
        mib(done.after),
        mib(done.before.saturating_sub(done.after))
    );
    Ok(())
}
