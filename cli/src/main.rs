//! `wsf`: the command line of the World Solidarity Forum node.
//!
//! Exit codes: 0 success, 1 failure, 2 usage error, 3 the command needs a running node and none
//! runs (see docs/operations.md).

mod args;
mod client;
mod dates;
mod output;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use client::Client;
use wsf_node::config::Config;
use wsf_node::control;
use wsf_node::datadir::{self, DataDir};
use wsf_node::node::{Node, Options as NodeOptions};
use wsf_node::service::{self, Service};
use wsf_protocol::api::{
    DialRequest, EndorseRequest, ExportRequest, IdInfo, IngestReport, ListRequest, ListResponse,
    NodeEvent, PeerInfo, PillarRequest, PublishRequest, Published, RecordDetail, RetractRequest,
    StatusInfo,
};
use wsf_protocol::{Campaign, Content, Pillar, Practice, Profile, Resource};

use args::{BenchCmd, Cli, Command, CommonArgs, PublishCmd};

/// Exit code for usage errors (also clap's).
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(if matches!(cli.command, Command::Node(_)) {
        "info,libp2p=warn"
    } else {
        "warn"
    });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit_code(&e))
        }
    }
}

/// Exit code when a command needs a running node and none runs.
const EXIT_NOT_RUNNING: u8 = 3;

/// The node is not running (for commands that need it, and `status`).
#[derive(Debug, thiserror::Error)]
#[error("the node is not running; start it with `wsf node`")]
struct NotRunning;

fn exit_code(e: &anyhow::Error) -> u8 {
    if e.downcast_ref::<NotRunning>().is_some() {
        return EXIT_NOT_RUNNING;
    }
    if let Some(f) = e.downcast_ref::<client::Failure>() {
        return if f.status == hyper::StatusCode::BAD_REQUEST {
            EXIT_USAGE
        } else {
            1
        };
    }
    match e.downcast_ref::<service::Error>() {
        Some(service::Error::BadRequest(_)) => EXIT_USAGE,
        _ => 1,
    }
}

fn init_logging(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

fn data_dir(cli: &Cli) -> anyhow::Result<DataDir> {
    let root = match &cli.data_dir {
        Some(d) => d.clone(),
        None => datadir::default_dir()?,
    };
    Ok(DataDir::new(root))
}

/// A long text flag: `@PATH` reads the file (`@-` reads standard input). Windows line ends
/// become `\n`; trailing blank lines are dropped.
fn long_text(value: Option<String>) -> anyhow::Result<Option<String>> {
    let Some(v) = value else { return Ok(None) };
    let text = match v.strip_prefix('@') {
        Some("-") => std::io::read_to_string(std::io::stdin()).context("reading standard input")?,
        Some(path) => read_text_file(Path::new(path))?,
        None => v,
    };
    Ok(Some(normalise(&text)))
}

fn read_text_file(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim_end()
        .to_owned()
}

fn request(common: CommonArgs, content: Content) -> PublishRequest {
    let mut pillars = common.pillars;
    pillars.extend(common.new_pillars.iter().cloned());
    PublishRequest {
        pillars,
        expires: common.expires,
        supersedes: common.supersedes,
        refs: common.refs,
        new_pillars: common.new_pillars,
        content,
    }
}

fn publish_request(cmd: PublishCmd) -> anyhow::Result<PublishRequest> {
    Ok(match cmd {
        PublishCmd::Resource {
            common,
            title,
            resource_type,
            summary,
            body,
            body_file,
            url,
            language,
            license,
        } => {
            let body = match body_file {
                Some(path) => Some(normalise(&read_text_file(&path)?)),
                None => long_text(body)?,
            };
            request(
                common,
                Content::Resource(Resource {
                    title,
                    resource_type,
                    summary: long_text(summary)?,
                    body,
                    url,
                    language,
                    license,
                }),
            )
        }
        PublishCmd::Practice {
            common,
            title,
            approach,
            context,
            country,
            region,
            challenge,
            outcome,
            lessons,
            url,
        } => request(
            common,
            Content::Practice(Practice {
                title,
                approach: long_text(Some(approach))?.unwrap_or_default(),
                context: long_text(context)?,
                country,
                region,
                challenge: long_text(challenge)?,
                outcome: long_text(outcome)?,
                lessons: long_text(lessons)?,
                url,
            }),
        ),
        PublishCmd::Campaign {
            common,
            title,
            action,
            call,
            online,
            place,
            description,
            starts,
            ends,
            target,
            url,
        } => {
            if !online && place.is_none() {
                return Err(service::Error::BadRequest(
                    "a campaign needs --place, or --online if people take part online".into(),
                )
                .into());
            }
            request(
                common,
                Content::Campaign(Campaign {
                    title,
                    action,
                    call,
                    online,
                    place,
                    description: long_text(description)?,
                    starts,
                    ends,
                    target,
                    url,
                }),
            )
        }
        PublishCmd::Profile {
            pillars,
            name,
            description,
            website,
            countries,
            contact,
        } => profile_request(
            pillars,
            name,
            long_text(description)?,
            website,
            countries,
            contact,
        ),
    })
}

fn profile_request(
    pillars: Vec<Pillar>,
    name: String,
    description: Option<String>,
    website: Option<String>,
    countries: Vec<String>,
    contact: Option<String>,
) -> PublishRequest {
    PublishRequest {
        pillars: if pillars.is_empty() {
            Pillar::well_known()
        } else {
            pillars
        },
        expires: None,
        supersedes: None,
        refs: Vec::new(),
        new_pillars: Vec::new(),
        content: Content::Profile(Profile {
            name,
            description,
            website,
            countries,
            contact,
        }),
    }
}

fn print_published(json: bool, p: &wsf_protocol::api::Published) -> anyhow::Result<()> {
    if json {
        return output::json(p);
    }
    match p.outcome.as_str() {
        "duplicate" if p.kind == wsf_protocol::Kind::Endorsement => {
            println!("already co-signed with this statement: {}", p.id)
        }
        "duplicate" => println!("already published: {} {}", p.kind, p.id),
        _ => println!("published {} {}", p.kind, p.id),
    }
    Ok(())
}

/// Where commands go: the running node (over its socket) or the store itself.
enum Backend {
    Remote(Client),
    Local(Box<Service>),
}

async fn backend(data: &DataDir) -> anyhow::Result<Backend> {
    if let Some(c) = Client::connect(&control::socket_path(data.root())).await {
        return Ok(Backend::Remote(c));
    }
    match Service::open(data.clone()) {
        Ok(svc) => Ok(Backend::Local(Box::new(svc))),
        Err(service::Error::Store(wsf_node::store::Error::InUse(path))) => Err(anyhow::anyhow!(
            "the store {} is in use by another process, and no node answers on {} — \
             if `wsf node` is starting, try again in a moment",
            path.display(),
            control::socket_path(data.root()).display()
        )),
        Err(e) => Err(e.into()),
    }
}

async fn remote_only(data: &DataDir) -> anyhow::Result<Client> {
    Client::connect(&control::socket_path(data.root()))
        .await
        .ok_or_else(|| NotRunning.into())
}

impl Backend {
    async fn publish(&self, req: PublishRequest) -> anyhow::Result<Published> {
        Ok(match self {
            Backend::Remote(c) => c.post("/v1/publish", &req).await?,
            Backend::Local(s) => s.publish(req).await?.1,
        })
    }

    async fn endorse(&self, req: EndorseRequest) -> anyhow::Result<Published> {
        Ok(match self {
            Backend::Remote(c) => c.post("/v1/endorse", &req).await?,
            Backend::Local(s) => s.endorse(req).await?.1,
        })
    }

    async fn retract(&self, req: RetractRequest) -> anyhow::Result<Published> {
        Ok(match self {
            Backend::Remote(c) => c.post("/v1/retract", &req).await?,
            Backend::Local(s) => s.retract(req).await?.1,
        })
    }

    async fn id(&self) -> anyhow::Result<IdInfo> {
        Ok(match self {
            Backend::Remote(c) => c.get("/v1/id").await?,
            Backend::Local(s) => s.id(None).await?,
        })
    }

    async fn list(&self, req: ListRequest) -> anyhow::Result<ListResponse> {
        Ok(match self {
            Backend::Remote(c) => c.post("/v1/list", &req).await?,
            Backend::Local(s) => s.list(req).await?,
        })
    }

    async fn show(&self, id: &str, history: bool) -> anyhow::Result<RecordDetail> {
        Ok(match self {
            Backend::Remote(c) => {
                if !wsf_protocol::hex::is_hex(id) {
                    return Err(service::Error::BadRequest(format!(
                        "{id:?} is not a record id (hex)"
                    ))
                    .into());
                }
                c.get(&format!("/v1/records/{id}?history={history}"))
                    .await?
            }
            Backend::Local(s) => s.show(id, history).await?,
        })
    }

    /// Closes the store cleanly when it was opened here.
    async fn close(self) -> anyhow::Result<()> {
        if let Backend::Local(s) = self {
            s.store().clone().close().await?;
        }
        Ok(())
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let json = cli.json;
    let data = data_dir(&cli)?;
    match cli.command {
        Command::Bench(BenchCmd::Sync { records, diff }) => bench_sync(json, records, diff).await,
        Command::Bench(BenchCmd::Gossip {
            nodes,
            records,
            rate,
            seed,
        }) => bench_gossip(json, nodes, records, rate, seed).await,
        Command::Bench(BenchCmd::Ingest { records, runs }) => {
            bench_ingest(json, records, runs).await
        }
        Command::Node(a) => run_node(data, a).await,
        Command::Init(a) => {
            let existed = data.identity()?.is_some();
            let b = backend(&data).await?;
            if let Some(name) = a.name {
                let req = profile_request(
                    a.pillars,
                    name,
                    long_text(a.description)?,
                    a.website,
                    a.countries,
                    a.contact,
                );
                b.publish(req).await?;
            }
            let id = b.id().await?;
            b.close().await?;
            if json {
                return output::json(&id);
            }
            if existed {
                println!("identity already exists in {}", id.data_dir);
            } else {
                println!("created a new identity in {}", id.data_dir);
            }
            println!("author  {}", id.author);
            if let Some(n) = id.name {
                println!("name    {n}");
            }
            println!(
                "Keep {}/identity.key secret and backed up: it signs everything you publish.",
                id.data_dir
            );
            Ok(())
        }
        Command::Id => {
            let b = backend(&data).await?;
            let id = b.id().await?;
            b.close().await?;
            if json {
                return output::json(&id);
            }
            println!("author   {}", id.author);
            if let Some(n) = &id.name {
                println!("name     {n}");
            }
            if let Some(p) = &id.peer_id {
                println!("peer id  {p}");
            }
            println!("network  {}", id.network);
            println!("data     {}", id.data_dir);
            Ok(())
        }
        Command::Publish(cmd) => {
            let req = publish_request(cmd)?;
            let b = backend(&data).await?;
            let published = b.publish(req).await;
            b.close().await?;
            print_published(json, &published?)
        }
        Command::Endorse { id, statement } => {
            let req = EndorseRequest {
                target: id,
                statement: long_text(statement)?,
            };
            let b = backend(&data).await?;
            let published = b.endorse(req).await;
            b.close().await?;
            print_published(json, &published?)
        }
        Command::Retract { id, reason } => {
            let req = RetractRequest {
                target: id,
                reason: long_text(reason)?,
            };
            let b = backend(&data).await?;
            let published = b.retract(req).await;
            b.close().await?;
            print_published(json, &published?)
        }
        Command::List(a) => {
            let b = backend(&data).await?;
            let page = b
                .list(ListRequest {
                    pillars: a.pillars,
                    kinds: a.kinds,
                    author: a.author,
                    since: a.since,
                    until: a.until,
                    limit: Some(a.limit),
                    cursor: a.cursor,
                    all: a.all,
                    include_expired: a.include_expired,
                })
                .await;
            b.close().await?;
            let page = page?;
            if json {
                return output::json(&page.items);
            }
            output::table(&page.items, page.next.as_deref());
            Ok(())
        }
        Command::Show { id, history } => {
            let b = backend(&data).await?;
            let detail = b.show(&id, history).await;
            b.close().await?;
            let detail = detail?;
            if json {
                return output::json(&detail);
            }
            output::detail(&detail);
            Ok(())
        }
        Command::Export { file, pillars } => {
            let n = match backend(&data).await? {
                Backend::Remote(c) => {
                    let abs = std::path::absolute(&file)
                        .with_context(|| format!("bad path {}", file.display()))?;
                    let v: serde_json::Value = c
                        .post(
                            "/v1/export",
                            &ExportRequest {
                                file: abs.display().to_string(),
                                pillars,
                            },
                        )
                        .await?;
                    v["records"].as_u64().unwrap_or(0)
                }
                Backend::Local(svc) => {
                    let n = wsf_node::transfer::export(
                        svc.store(),
                        svc.ingest().network(),
                        &file,
                        pillars,
                    )
                    .await?;
                    svc.store().clone().close().await?;
                    n
                }
            };
            if json {
                return output::json(&serde_json::json!({ "file": file, "records": n }));
            }
            println!("exported {n} records to {}", file.display());
            Ok(())
        }
        Command::Import { file } => import(data, json, file).await,
        Command::Status => status(data, json).await,
        Command::Peers => {
            let c = remote_only(&data).await?;
            let peers: Vec<PeerInfo> = c.get("/v1/peers").await?;
            if json {
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
                println!("{}  score {score}  {}", p.peer_id, p.topics.join(","));
            }
            Ok(())
        }
        Command::Dial { addr } => {
            let c = remote_only(&data).await?;
            let v: serde_json::Value = c
                .post("/v1/dial", &DialRequest { addr: addr.clone() })
                .await?;
            if json {
                return output::json(&v);
            }
            println!("dialling {addr}");
            Ok(())
        }
        Command::Sync { peer } => sync_now(data, json, peer).await,
        Command::Network(cmd) => network_cmd(data, json, cmd).await,
        Command::Invite(args::InviteCmd::Create { expires }) => {
            invite_create(data, json, expires).await
        }
        Command::Join { code } => join(data, json, &code).await,
        Command::Partners(cmd) => partners_cmd(data, json, cmd).await,
        Command::Subscribe { pillar, new_pillar } => match (pillar, new_pillar) {
            (_, Some(p)) => set_pillar(data, json, p, true, true).await,
            (Some(p), None) => set_pillar(data, json, p, true, false).await,
            (None, None) => Err(service::Error::BadRequest("give a pillar".into()).into()),
        },
        Command::Unsubscribe { pillar } => set_pillar(data, json, pillar, false, false).await,
        Command::Watch => {
            let c = remote_only(&data).await?;
            c.events("/v1/events", |line| {
                if json {
                    println!("{line}");
                    return;
                }
                match serde_json::from_str::<NodeEvent>(line) {
                    Ok(ev) => output::event(&ev),
                    Err(_) => println!("{line}"),
                }
            })
            .await
        }
    }
}

async fn set_pillar(
    data: DataDir,
    json: bool,
    pillar: Pillar,
    on: bool,
    new: bool,
) -> anyhow::Result<()> {
    let pillars: Vec<Pillar> = match Client::connect(&control::socket_path(data.root())).await {
        Some(c) => {
            let path = if on {
                "/v1/subscribe"
            } else {
                "/v1/unsubscribe"
            };
            let v: serde_json::Value = c.post(path, &PillarRequest { pillar, new }).await?;
            serde_json::from_value(v["pillars"].clone())?
        }
        None => {
            let svc = Service::open(data.clone())?;
            let mut config = Config::load(data.root())?;
            let checked =
                service::check_pillar_change(&svc, &config.pillars(), &pillar, on, new).await;
            svc.store().clone().close().await?;
            checked?;
            let mut pillars = config.pillars();
            pillars.retain(|p| *p != pillar);
            if on {
                pillars.push(pillar);
            }
            pillars.sort();
            config.pillars = pillars.clone();
            config.save(data.root())?;
            pillars
        }
    };
    if json {
        return output::json(&serde_json::json!({ "pillars": pillars }));
    }
    let names: Vec<&str> = pillars.iter().map(Pillar::as_str).collect();
    println!("pillars: {}", names.join(", "));
    Ok(())
}

async fn status(data: DataDir, json: bool) -> anyhow::Result<()> {
    if let Some(c) = Client::connect(&control::socket_path(data.root())).await {
        let s: StatusInfo = c.get("/v1/status").await?;
        if json {
            return output::json(&s);
        }
        output::status(&s);
        return Ok(());
    }
    let svc = Service::open(data)?;
    let counts = svc.counts().await?;
    svc.store().clone().close().await?;
    if json {
        output::json(&serde_json::json!({ "running": false, "counts": counts }))?;
    } else {
        println!("node         not running");
        output::counts(&counts);
    }
    Err(NotRunning.into())
}

async fn run_node(data: DataDir, a: args::NodeArgs) -> anyhow::Result<()> {
    let node = Node::start(
        data,
        NodeOptions {
            listen: a.listen,
            bootstrap: a.bootstrap,
            lan: a.lan,
            pillars: a.pillars,
            new_pillars: a.new_pillars,
            api_listen: a.api_listen,
            sync_interval: a.sync_interval.map(std::time::Duration::from_secs),
            no_sync_on_connect: false,
        },
    )
    .await?;
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot watch for SIGTERM")?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!("interrupted; stopping"),
        _ = term.recv() => tracing::info!("terminated; stopping"),
    }
    node.stop().await?;
    Ok(())
}

async fn import(data: DataDir, json: bool, file: PathBuf) -> anyhow::Result<()> {
    match backend(&data).await? {
        Backend::Remote(c) => import_remote(c, json, file).await,
        Backend::Local(svc) => import_local(*svc, json, file).await,
    }
}

fn progress_bar(json: bool) -> Option<indicatif::ProgressBar> {
    if std::io::stderr().is_terminal() && !json {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {msg} ({eta})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    }
}

fn show_progress(bar: &Option<indicatif::ProgressBar>, read: u64, total: u64, r: &IngestReport) {
    if let Some(bar) = bar {
        bar.set_length(total);
        bar.set_position(read);
        bar.set_message(format!(
            "{} stored, {} held, {} rejected",
            r.stored,
            r.duplicate,
            r.rejected_total()
        ));
    }
}

fn finish_import(
    json: bool,
    report: &IngestReport,
    problem: Option<String>,
    foreign: Option<String>,
) -> anyhow::Result<()> {
    if json {
        output::json(&serde_json::json!({
            "stored": report.stored,
            "duplicate": report.duplicate,
            "expired": report.expired,
            "rejected": report.rejected,
            "problem": problem,
        }))?;
    } else {
        if let Some(f) = foreign {
            eprintln!("warning: {f}");
        }
        output::report(report);
    }
    match problem {
        Some(p) => Err(anyhow::anyhow!("{p}")),
        None => Ok(()),
    }
}

/// Reads the bundle here and sends it to the running node in batches.
async fn import_remote(c: Client, json: bool, file: PathBuf) -> anyhow::Result<()> {
    let f =
        std::fs::File::open(&file).with_context(|| format!("cannot open {}", file.display()))?;
    let total = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut reader = wsf_node::bundle::Reader::new(std::io::BufReader::new(f))?;
    let bar = progress_bar(json);
    let mut report = IngestReport::default();
    let mut problem = None;
    loop {
        let mut batch: Vec<Vec<u8>> = Vec::new();
        let mut done = false;
        while batch.len() < wsf_node::transfer::IMPORT_BATCH {
            match reader.next_envelope() {
                Ok(Some(e)) => batch.push(e),
                Ok(None) => {
                    done = true;
                    break;
                }
                Err(e) => {
                    problem = Some(e.to_string());
                    done = true;
                    break;
                }
            }
        }
        if !batch.is_empty() {
            let body = wsf_node::bundle::encode_items(batch.iter().map(Vec::as_slice));
            let r: IngestReport = c.post_bytes("/v1/envelopes", body).await?;
            report.stored += r.stored;
            report.duplicate += r.duplicate;
            for (k, v) in r.rejected {
                *report.rejected.entry(k).or_default() += v;
            }
            show_progress(&bar, reader.bytes_read, total, &report);
        }
        if done {
            break;
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    finish_import(json, &report, problem, None)
}

async fn import_local(svc: Service, json: bool, file: PathBuf) -> anyhow::Result<()> {
    let bar = progress_bar(json);
    let imported = wsf_node::transfer::import(svc.ingest(), &file, |p| {
        show_progress(&bar, p.bytes_read, p.bytes_total, &p.report);
    })
    .await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    svc.store().clone().close().await?;
    let imported = imported?;
    let foreign = (imported.header.net != svc.ingest().network()).then(|| {
        format!(
            "the bundle is from network {}, this node is on {}",
            imported.header.net,
            svc.ingest().network()
        )
    });
    finish_import(
        json,
        &imported.report,
        imported.problem.as_ref().map(ToString::to_string),
        foreign,
    )
}

async fn bench_ingest(json: bool, records: usize, runs: usize) -> anyhow::Result<()> {
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

async fn bench_gossip(
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

/// `wsf sync`: asks the node to sync and shows records and bytes as they arrive.
async fn sync_now(data: DataDir, json: bool, peer: Option<String>) -> anyhow::Result<()> {
    let c = remote_only(&data).await?;
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
                .events("/v1/events", |line| {
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
                })
                .await;
        })
    });
    let reports: Vec<serde_json::Value> = c
        .post("/v1/sync", &serde_json::json!({ "peer": peer }))
        .await?;
    if let Some(w) = watcher {
        w.abort();
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if json {
        return output::json(&reports);
    }
    if reports.is_empty() {
        println!("No peer to sync with (or a sync with it is already running).");
    }
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
    Ok(())
}

async fn bench_sync(json: bool, records: usize, diff: usize) -> anyhow::Result<()> {
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

/// Refuses to change the network of a data dir while its node runs.
async fn node_must_be_stopped(data: &DataDir, what: &str) -> anyhow::Result<()> {
    if Client::connect(&control::socket_path(data.root()))
        .await
        .is_some()
    {
        return Err(service::Error::BadRequest(format!(
            "stop the node first: {what} changes the network it starts on"
        ))
        .into());
    }
    Ok(())
}

async fn network_cmd(data: DataDir, json: bool, cmd: args::NetworkCmd) -> anyhow::Result<()> {
    match cmd {
        args::NetworkCmd::Create { name } => {
            node_must_be_stopped(&data, "`network create`").await?;
            let net = wsf_node::network::create(&data, &name)?;
            if json {
                return output::json(
                    &serde_json::json!({ "network": net, "name": name, "closed": true }),
                );
            }
            println!("created the closed network {name:?} ({net})");
            println!(
                "Its key is in {} (0600): whoever has it can join.",
                data.network_key_path().display()
            );
            println!("Start the node, then invite partners with `wsf invite create`.");
            Ok(())
        }
        args::NetworkCmd::Show => {
            let config = Config::load(data.root())?;
            let net = config.network_id().map_err(|e| anyhow::anyhow!(e))?;
            let closed = data.network_key()?.is_some();
            if json {
                return output::json(&serde_json::json!({
                    "network": net, "name": config.network_name, "closed": closed
                }));
            }
            match (&config.network_name, closed) {
                (Some(n), true) => println!("closed network {n:?} ({net})"),
                (_, true) => println!("closed network {net}"),
                _ => println!("the public network ({net})"),
            }
            Ok(())
        }
    }
}

async fn invite_create(data: DataDir, json: bool, days: u64) -> anyhow::Result<()> {
    let key = data.network_key()?.ok_or_else(|| {
        service::Error::BadRequest(
            "this node is on the public network; create a closed network first (`wsf network create NAME`)".into(),
        )
    })?;
    let c = remote_only(&data).await?;
    let status: StatusInfo = c.get("/v1/status").await?;
    let config = Config::load(data.root())?;
    let bootstrap: Vec<String> = status
        .listen_addrs
        .iter()
        .filter(|a| !a.contains("/ip4/0.0.0.0/") && !a.contains("/ip6/::/"))
        .cloned()
        .collect();
    let invite = wsf_protocol::invite::Invite {
        net: status.network,
        name: config.network_name.clone().unwrap_or_default(),
        key,
        bootstrap,
        inviter: status.author,
        expires: if days == 0 {
            0
        } else {
            wsf_node::ingest::now_ms() + days * 86_400_000
        },
    };
    let code = invite.encode();
    if json {
        return output::json(&serde_json::json!({
            "code": code, "network": invite.net, "expires": invite.expires, "bootstrap": invite.bootstrap
        }));
    }
    if let Ok(qr) = qrcode::QrCode::new(code.as_bytes()) {
        let image = qr
            .render::<qrcode::render::unicode::Dense1x2>()
            .quiet_zone(true)
            .build();
        println!("{image}");
    }
    println!("{code}");
    println!();
    println!(
        "Give this code to the partner over a channel you trust: it carries the network's key. \
         On their machine: wsf join CODE"
    );
    Ok(())
}

async fn join(data: DataDir, json: bool, code: &str) -> anyhow::Result<()> {
    let invite = wsf_protocol::invite::Invite::decode(code, wsf_node::ingest::now_ms())
        .map_err(|e| service::Error::BadRequest(e.to_string()))?;
    node_must_be_stopped(&data, "`join`").await?;
    wsf_node::network::join(&data, &invite).await?;
    if json {
        return output::json(&serde_json::json!({
            "network": invite.net, "name": invite.name, "bootstrap": invite.bootstrap, "partner": invite.inviter
        }));
    }
    println!(
        "joined the closed network {:?} ({})",
        invite.name, invite.net
    );
    println!("partner added: {} (the inviter)", invite.inviter);
    println!("Start the node with `wsf node`: it connects to the inviter and catches up.");
    Ok(())
}

async fn partners_cmd(data: DataDir, json: bool, cmd: args::PartnersCmd) -> anyhow::Result<()> {
    use args::PartnersCmd;
    use wsf_protocol::api::{PartnerInfo, PolicyInfo};
    let b = backend(&data).await?;
    let result = async {
        match cmd {
            PartnersCmd::Add { author, name } => partner_change(&b, json, "add", author, name).await,
            PartnersCmd::Remove { author } => partner_change(&b, json, "remove", author, None).await,
            PartnersCmd::Block { author, name } => {
                partner_change(&b, json, "block", author, name).await
            }
            PartnersCmd::List => {
                let list: Vec<PartnerInfo> = match &b {
                    Backend::Remote(c) => c.get("/v1/partners").await?,
                    Backend::Local(s) => wsf_node::service::partner_infos(s).await?,
                };
                if json {
                    return output::json(&list);
                }
                if list.is_empty() {
                    println!("No partners and no blocked authors.");
                }
                for p in list {
                    println!(
                        "{:<8} {}  {}",
                        p.status,
                        p.author,
                        wsf_protocol::display::neutralise_line(&p.name)
                    );
                }
                Ok(())
            }
            PartnersCmd::Policy {
                policy,
                trust,
                quota,
            } => {
                let current: PolicyInfo = match &b {
                    Backend::Remote(c) => c.get("/v1/policy").await?,
                    Backend::Local(s) => wsf_node::service::policy_info(s),
                };
                let info = if policy.is_none() && trust.is_none() && quota.is_none() {
                    current
                } else {
                    let req = PolicyInfo {
                        policy: policy.unwrap_or(current.policy),
                        trust_k: trust.unwrap_or(current.trust_k),
                        quota_per_hour: quota.unwrap_or(current.quota_per_hour),
                    };
                    match &b {
                        Backend::Remote(c) => c.post("/v1/policy", &req).await?,
                        Backend::Local(s) => wsf_node::service::set_policy(s, req)?,
                    }
                };
                if json {
                    return output::json(&info);
                }
                println!(
                    "policy {}  (trust: {} partner co-signatures; quota: {} records per author per hour)",
                    info.policy, info.trust_k, info.quota_per_hour
                );
                Ok(())
            }
        }
    }
    .await;
    b.close().await?;
    result
}

async fn partner_change(
    b: &Backend,
    json: bool,
    action: &str,
    author: String,
    name: Option<String>,
) -> anyhow::Result<()> {
    let req = wsf_protocol::api::PartnerRequest {
        action: action.into(),
        author,
        name,
    };
    let (author, deleted): (wsf_protocol::AuthorId, u64) = match b {
        Backend::Remote(c) => {
            let v: serde_json::Value = c.post("/v1/partners", &req).await?;
            (
                serde_json::from_value(v["author"].clone())?,
                v["deleted"].as_u64().unwrap_or(0),
            )
        }
        Backend::Local(s) => wsf_node::service::apply_partner_request(s, req).await?,
    };
    if json {
        return output::json(
            &serde_json::json!({ "author": author, "action": action, "deleted": deleted }),
        );
    }
    match action {
        "add" => println!("partner added: {author}"),
        "remove" => println!("removed from the list: {author}"),
        _ => println!("blocked {author}; {deleted} of its records deleted"),
    }
    Ok(())
}
