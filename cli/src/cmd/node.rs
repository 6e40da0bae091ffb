//! `node`, `status`, `peers`, `dial`, `sync`, `watch`, `subscribe`, `unsubscribe`.

use std::io::IsTerminal;

use anyhow::Context as _;
use wsf_node::node::{Node, Options as NodeOptions};
use wsf_protocol::Pillar;
use wsf_protocol::api::{
    Counts, DialRequest, NodeEvent, PeerInfo, PillarRequest, StatusInfo, SyncRequest,
};

use super::{Ctx, NotRunning, with_client};
use crate::client::Failure;
use crate::{args, output};

pub async fn run(ctx: Ctx, a: args::NodeArgs) -> anyhow::Result<()> {
    // Watch for signals before anything starts, so a stop asked for during start-up is a clean
    // stop once the node is up, never the default action (killed with the store open).
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot watch for SIGTERM")?;
    let mut int = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .context("cannot watch for SIGINT")?;
    let mut opts = NodeOptions {
        listen: a.listen,
        bootstrap: a.bootstrap,
        lan: a.lan,
        pillars: a.pillars,
        new_pillars: a.new_pillars,
        api_listen: a.api_listen,
        door_listen: a.door_listen,
        anchor: a.anchor,
        external: a.external_addresses,
        sync_interval: a.sync_interval.map(std::time::Duration::from_secs),
        no_sync_on_connect: false,
        web: None,
    };
    let mut ready = None;
    let data = if a.unlock_on_page && ctx.data.is_encrypted() && !ctx.pass.given() {
        let Some((unlock, api, web)) = locked(&ctx, opts.api_listen, &mut int, &mut term).await?
        else {
            return Ok(());
        };
        // The node takes the locked page's port over, with its sessions.
        opts.api_listen = Some(api);
        opts.web = Some(web);
        ready = Some((unlock.ready, unlock.draining));
        unlock.data
    } else {
        ctx.unlocked().await?
    };
    loop {
        let started = Node::start(data.clone(), opts.clone()).await;
        if let Some((ready, draining)) = ready.take() {
            let failed = started.is_err();
            let _ = ready.send(started.as_ref().map(|_| ()).map_err(|e| e.to_string()));
            if failed {
                // Let the page show why before the process ends.
                draining.finish(std::time::Duration::from_secs(5)).await;
            }
        }
        let node = started?;
        let restart = tokio::select! {
            _ = int.recv() => { tracing::info!("interrupted; stopping"); false }
            _ = term.recv() => { tracing::info!("terminated; stopping"); false }
            () = node.restart_requested() => { tracing::info!("restarting on the new network"); true }
        };
        // A restart keeps the API port and the page's sessions; pillars given on the command
        // line were saved by the first start.
        let (api, web) = (node.api_addr, node.web());
        node.stop().await?;
        if !restart {
            break;
        }
        opts.api_listen = Some(api);
        opts.web = Some(web);
        opts.pillars.clear();
        opts.new_pillars.clear();
    }
    Ok(())
}

/// What the locked page hands to the node's start: the unlocked data dir, where to say whether
/// the node started, and the locked servers still answering that request.
struct Unlocked {
    data: wsf_node::datadir::DataDir,
    ready: tokio::sync::oneshot::Sender<Result<(), String>>,
    draining: wsf_node::web::Draining,
}

/// Serves the locked node's page until it is unlocked: what the start needs, the port and the
/// page's sessions; `None` when stopped first.
async fn locked(
    ctx: &Ctx,
    api_listen: Option<std::net::SocketAddr>,
    int: &mut tokio::signal::unix::Signal,
    term: &mut tokio::signal::unix::Signal,
) -> anyhow::Result<
    Option<(
        Unlocked,
        std::net::SocketAddr,
        std::sync::Arc<wsf_node::web::Web>,
    )>,
> {
    let default = std::net::SocketAddr::from(([127, 0, 0, 1], wsf_node::config::DEFAULT_API_PORT));
    let mut page = wsf_node::web::Locked::start(
        &ctx.data,
        api_listen.unwrap_or(default),
        api_listen.is_none(),
    )
    .await?;
    let api = page.api_addr;
    tracing::info!(
        api = %api,
        "locked: the data dir is encrypted; unlock it on the web page (`wsf ui` opens it)"
    );
    let unlock = tokio::select! {
        u = page.unlocked() => u,
        _ = int.recv() => None,
        _ = term.recv() => None,
    };
    let (web, draining) = page.release().await;
    let Some(unlock) = unlock else {
        tracing::info!("stopped while locked");
        let _ = std::fs::remove_file(wsf_node::control::socket_path(ctx.data.root()));
        return Ok(None);
    };
    tracing::info!("unlocked from the web page; starting");
    let unlocked = Unlocked {
        data: unlock.data,
        ready: unlock.ready,
        draining,
    };
    Ok(Some((unlocked, api, web)))
}

fn not_running(e: &anyhow::Error) -> bool {
    e.downcast_ref::<Failure>()
        .is_some_and(|f| f.error.code == "not_running")
}

pub async fn status(ctx: Ctx) -> anyhow::Result<()> {
    let json = ctx.json;
    with_client(&ctx, |c| async move {
        match c.get::<StatusInfo>("/v1/status").await {
            Ok(s) => {
                if json {
                    return output::json(&s);
                }
                output::status(&s);
                Ok(())
            }
            Err(e) if not_running(&e) => {
                let counts: Counts = c.get("/v1/counts").await?;
                if json {
                    output::json(&serde_json::json!({ "running": false, "counts": counts }))?;
                } else {
                    println!("node         not running");
                    output::counts(&counts);
                }
                Err(NotRunning.into())
            }
            Err(e) => Err(e),
        }
    })
    .await
}

pub async fn peers(ctx: Ctx) -> anyhow::Result<()> {
    let peers: Vec<PeerInfo> =
        with_client(&ctx, |c| async move { c.get("/v1/peers").await }).await?;
    if ctx.json {
        return output::json(&peers);
    }
    if peers.is_empty() {
        println!("No peers connected.");
    }
    for p in peers {
        let score = p
            .score
            .map(|s| format!("{s:.1}"))
            .unwrap_or_else(|| "-".into());
        let addr = if p.addr.is_empty() {
            "-"
        } else {
            p.addr.as_str()
        };
        let direction = if p.direction.is_empty() {
            "-"
        } else {
            p.direction.as_str()
        };
        let relayed = if p.relayed { "relayed" } else { "direct" };
        let org = p
            .organisation
            .as_ref()
            .map(|o| format!("  {}", wsf_protocol::display::neutralise_line(o.label())))
            .unwrap_or_default();
        println!(
            "{}{org}  {addr}  {direction} {relayed}  score {score}  {}",
            p.peer_id,
            p.topics.join(",")
        );
    }
    Ok(())
}

pub async fn dial(ctx: Ctx, addr: String) -> anyhow::Result<()> {
    let req = DialRequest { addr: addr.clone() };
    let v: serde_json::Value =
        with_client(&ctx, |c| async move { c.post("/v1/dial", &req).await }).await?;
    if ctx.json {
        return output::json(&v);
    }
    println!(
        "connected to {} ({addr})",
        v["peer"].as_str().unwrap_or("?")
    );
    Ok(())
}

/// `wsf sync`: asks the node to sync and shows records and bytes as they arrive. Fails when
/// there is no peer to sync with, or a session failed.
pub async fn sync(ctx: Ctx, peer: Option<String>) -> anyhow::Result<()> {
    let json = ctx.json;
    let reports: Vec<serde_json::Value> = with_client(&ctx, |c| async move {
        let bar = if std::io::stderr().is_terminal() && !json {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar.set_message("reconciling…");
            Some(bar)
        } else {
            None
        };
        // Follow the node's events while the sync runs, for the progress line.
        let watcher = bar.clone().map(|bar| {
            let c = c.clone();
            tokio::spawn(async move {
                let mut stored = 0u64;
                let mut bytes = 0u64;
                let _ = c
                    .events(
                        "/v1/events",
                        || {},
                        |line| {
                            match serde_json::from_str::<NodeEvent>(line) {
                                Ok(NodeEvent::RecordStored { .. }) => stored += 1,
                                Ok(NodeEvent::SyncFinished {
                                    bytes: b,
                                    stored: s,
                                    ..
                                }) => {
                                    bytes += b;
                                    stored = stored.max(s);
                                }
                                _ => return,
                            }
                            bar.set_message(format!("{stored} records stored, {bytes} bytes"));
                        },
                    )
                    .await;
            })
        });
        let reports = c.post("/v1/sync", &SyncRequest { peer }).await;
        if let Some(w) = watcher {
            w.abort();
            let _ = w.await;
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        reports
    })
    .await?;
    let failed = reports.iter().filter(|r| r["error"].is_string()).count();
    if json {
        output::json(&reports)?;
    } else {
        for r in &reports {
            let error = r["error"]
                .as_str()
                .map(|e| format!("  error: {e}"))
                .unwrap_or_default();
            println!(
                "{} {}: {} rounds, fetched {} (stored {}), pushed {}, {} + {} bytes{error}",
                r["pillar"].as_str().unwrap_or("?"),
                r["peer"].as_str().unwrap_or("?"),
                r["rounds"],
                r["fetched"],
                r["stored"],
                r["pushed"],
                r["reconcile_bytes"],
                r["transfer_bytes"],
            );
        }
        if reports.is_empty() {
            println!("A sync with this peer is already running; it will finish on its own.");
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {} sync sessions failed", reports.len());
    }
    Ok(())
}

/// The node stopped while `watch` followed it.
#[derive(Debug, thiserror::Error)]
#[error("the node stopped")]
struct Stopped;

pub async fn watch(ctx: Ctx) -> anyhow::Result<()> {
    let json = ctx.json;
    with_client(&ctx, |c| async move {
        let ready = || {
            if std::io::stderr().is_terminal() || json {
                eprintln!("watching the node's records and peers (Ctrl-C stops)");
            }
        };
        c.events("/v1/events", ready, |line| {
            if json {
                println!("{line}");
                return;
            }
            match serde_json::from_str::<NodeEvent>(line) {
                Ok(ev) => output::event(&ev),
                Err(_) => println!("{}", wsf_protocol::display::neutralise_line(line)),
            }
        })
        .await?;
        // The stream ends only when the node stops (Ctrl-C ends this process instead).
        Err(anyhow::Error::new(NotRunning).context(Stopped))
    })
    .await
}

pub async fn set_pillar(ctx: Ctx, pillar: Pillar, on: bool, new: bool) -> anyhow::Result<()> {
    let path = if on {
        "/v1/subscribe"
    } else {
        "/v1/unsubscribe"
    };
    let v: serde_json::Value = with_client(&ctx, |c| async move {
        c.post(path, &PillarRequest { pillar, new }).await
    })
    .await?;
    let pillars: Vec<Pillar> = serde_json::from_value(v["pillars"].clone())?;
    if ctx.json {
        return output::json(&serde_json::json!({ "pillars": pillars }));
    }
    let names: Vec<&str> = pillars.iter().map(Pillar::as_str).collect();
    println!("pillars: {}", names.join(", "));
    Ok(())
}

/// `wsf ui`: a login link for the running node's web page, opened in the browser or printed.
pub async fn ui(ctx: Ctx, no_open: bool, no_start: bool) -> anyhow::Result<()> {
    let socket = wsf_node::control::socket_path(ctx.data.root());
    let mut started = None;
    if !no_start && tokio::net::UnixStream::connect(&socket).await.is_err() {
        started = Some(start_node_in_background(&ctx).await?);
    }
    let v: serde_json::Value = with_client(&ctx, |c| async move {
        c.post("/v1/ui/login", &serde_json::json!({})).await
    })
    .await?;
    let url = v["url"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("the node gave no login link"))?
        .to_owned();
    if ctx.json {
        return output::json(&serde_json::json!({ "url": url, "started_node_pid": started }));
    }
    if let Some(pid) = started {
        println!(
            "started the node in the background (pid {pid}; its log is in node.log in the data dir)"
        );
    }
    if !no_open && open::that_detached(&url).is_ok() {
        println!("opened the web page in your browser (the link works once, for 60 s)");
        return Ok(());
    }
    println!("{url}");
    println!("Open it in your browser within 60 seconds; it works once and logs that browser in.");
    Ok(())
}

/// How long `wsf ui` waits for a node it started to answer.
const START_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Starts `wsf node` for this data dir as a background process (its log in `<data>/node.log`,
/// 0600) and waits until its socket answers; returns its pid.
async fn start_node_in_background(ctx: &Ctx) -> anyhow::Result<u32> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    // An encrypted data dir: the passphrase is asked (or read) here, checked, and handed to
    // the node through a pipe on its standard input, never on its command line.
    // No terminal, file, descriptor or credential (the desktop menu): the node starts locked
    // and the page asks for the passphrase.
    let on_page = ctx.data.is_encrypted() && !ctx.pass.available();
    let pass = if ctx.data.is_encrypted() && !on_page {
        let pass = ctx.pass.read(ctx.data.root())?;
        let (data, check) = (ctx.data.clone(), pass.clone());
        let data = tokio::task::spawn_blocking(move || data.unlock(&check)).await??;
        if data.identity()?.is_none() {
            return Err(wsf_node::datadir::Error::NoIdentity(data.root().to_owned()).into());
        }
        Some(pass)
    } else {
        if !on_page && ctx.data.identity()?.is_none() {
            return Err(wsf_node::datadir::Error::NoIdentity(ctx.data.root().to_owned()).into());
        }
        None
    };
    let exe = std::env::current_exe().context("cannot find the wsf program")?;
    let log_path = ctx.data.root().join("node.log");
    // An encrypted data dir keeps no plain log beside its encrypted files.
    let log = if pass.is_some() || on_page {
        std::process::Stdio::null()
    } else {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&log_path)
            .with_context(|| format!("cannot write {}", log_path.display()))?
            .into()
    };
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("--data-dir").arg(ctx.data.root());
    if pass.is_some() {
        cmd.args(["--passphrase-fd", "0"])
            .env_remove("WSF_PASSPHRASE_FILE")
            .stdin(std::process::Stdio::piped());
    } else {
        cmd.stdin(std::process::Stdio::null());
    }
    cmd.arg("node");
    if on_page {
        cmd.arg("--unlock-on-page");
    }
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .context("cannot start wsf node")?;
    if let (Some(pass), Some(mut stdin)) = (pass, child.stdin.take()) {
        stdin
            .write_all(&pass)
            .context("cannot hand the passphrase to the node")?;
    }
    let socket = wsf_node::control::socket_path(ctx.data.root());
    let deadline = tokio::time::Instant::now() + START_WAIT;
    let mut pause = std::time::Duration::from_millis(20);
    loop {
        if tokio::net::UnixStream::connect(&socket).await.is_ok() {
            return Ok(child.id());
        }
        if let Some(status) = child.try_wait()? {
            anyhow::bail!(
                "the node stopped at once ({status}); see {}",
                log_path.display()
            );
        }
        if tokio::time::Instant::now() >= deadline {
            anyhow::bail!(
                "the node did not answer within 30 s; see {}",
                log_path.display()
            );
        }
        // Another process's socket appearing has no event this process could wait for.
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(std::time::Duration::from_millis(250));
    }
}

/// `wsf panic --yes`: through the running node (which erases and exits), else here. Never asks
/// for the passphrase: destroying the key slot needs none.
pub async fn panic(ctx: Ctx, yes: bool) -> anyhow::Result<()> {
    let start = std::time::Instant::now();
    if !yes {
        return Err(wsf_node::service::Error::BadRequest(
            "`wsf panic` erases this data dir for good; run `wsf panic --yes` to do it".into(),
        )
        .into());
    }
    let root = ctx.data.root().to_owned();
    let encrypted = ctx.data.is_encrypted();
    // A mistyped data dir must not look like a success.
    let holds_data =
        root.join("identity.key").exists() || root.join("store.redb").exists() || encrypted;
    if !holds_data {
        anyhow::bail!(
            "{} holds no wsf data dir (no key slot, identity or store): nothing was erased; \
             check --data-dir / WSF_DATA_DIR",
            root.display()
        );
    }
    let through_node = super::node_answers(&ctx.data).await;
    if through_node {
        // The node erases, then exits: the connection closing is the sign that it is gone (its
        // descriptors close with the process), so an error here is expected.
        let client = crate::client::Client::socket(&root);
        let asked: anyhow::Result<serde_json::Value> = client
            .post("/v1/panic", &serde_json::json!({ "confirm": "erase" }))
            .await;
        drop(asked);
    }
    // Also here: whatever the node could not remove, and everything when no node ran.
    let erased = tokio::task::spawn_blocking(move || wsf_node::panic::erase(&root)).await??;
    let left = wsf_node::vault::keyslot::paths(ctx.data.root())
        .iter()
        .any(|p| p.exists());
    if left {
        anyhow::bail!("the key slot could not be removed; delete the data dir by hand");
    }
    let ms = start.elapsed().as_secs_f64() * 1_000.0;
    if ctx.json {
        return output::json(&serde_json::json!({
            "erased": true, "encrypted": encrypted, "node_stopped": through_node, "ms": ms,
            "removed_here": erased.removed,
        }));
    }
    if encrypted {
        println!(
            "erased in {ms:.0} ms: the key slot is destroyed, so nothing left of this data dir can \
             be read{}",
            if through_node {
                "; the node stopped"
            } else {
                ""
            }
        );
    } else {
        println!(
            "deleted the data dir's files in {ms:.0} ms{}. It was NOT encrypted: the disk may \
             still hold readable copies (use `wsf init --encrypt` next time)",
            if through_node {
                " and stopped the node"
            } else {
                ""
            }
        );
    }
    Ok(())
}
