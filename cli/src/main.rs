//! `wsf`: the command line of the World Solidarity Forum node.
//!
//! Exit codes: 0 success, 1 failure, 2 usage error, 3 the command needs a running node and none
//! runs (see docs/operations.md).

mod args;
mod dates;
mod output;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use wsf_node::datadir::{self, DataDir};
use wsf_node::service::{self, Service};
use wsf_protocol::api::{EndorseRequest, ListRequest, PublishRequest, RetractRequest};
use wsf_protocol::{Campaign, Content, Pillar, Practice, Profile, Resource};

use args::{BenchCmd, Cli, Command, CommonArgs, PublishCmd};

/// Exit code for usage errors (also clap's).
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
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
    match e.downcast_ref::<service::Error>() {
        Some(service::Error::BadRequest(_)) => EXIT_USAGE,
        _ => 1,
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
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
    PublishRequest {
        pillars: common.pillars,
        expires: common.expires,
        supersedes: common.supersedes,
        refs: common.refs,
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
        "duplicate" => println!("already published: {} {}", p.kind, p.id),
        _ => println!("published {} {}", p.kind, p.id),
    }
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let json = cli.json;
    let data = data_dir(&cli)?;
    match cli.command {
        Command::Bench(BenchCmd::Ingest { records, runs }) => {
            bench_ingest(json, records, runs).await
        }
        Command::Init(a) => {
            let existed = data.identity()?.is_some();
            let svc = Service::open(data)?;
            if let Some(name) = a.name {
                let req = profile_request(
                    a.pillars,
                    name,
                    long_text(a.description)?,
                    a.website,
                    a.countries,
                    a.contact,
                );
                svc.publish(req).await?;
            }
            let id = svc.id(None).await?;
            svc.store().clone().close().await?;
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
            let svc = Service::open(data)?;
            let id = svc.id(None).await?;
            if json {
                return output::json(&id);
            }
            println!("author   {}", id.author);
            if let Some(n) = &id.name {
                println!("name     {n}");
            }
            println!("network  {}", id.network);
            println!("data     {}", id.data_dir);
            Ok(())
        }
        Command::Publish(cmd) => {
            let req = publish_request(cmd)?;
            let svc = Service::open(data)?;
            let (_, published) = svc.publish(req).await?;
            print_published(json, &published)
        }
        Command::Endorse { id, statement } => {
            let svc = Service::open(data)?;
            let (_, published) = svc
                .endorse(EndorseRequest {
                    target: id,
                    statement: long_text(statement)?,
                })
                .await?;
            print_published(json, &published)
        }
        Command::Retract { id, reason } => {
            let svc = Service::open(data)?;
            let (_, published) = svc
                .retract(RetractRequest {
                    target: id,
                    reason: long_text(reason)?,
                })
                .await?;
            print_published(json, &published)
        }
        Command::List(a) => {
            let svc = Service::open(data)?;
            let page = svc
                .list(ListRequest {
                    pillars: a.pillars,
                    kinds: a.kinds,
                    author: a.author,
                    since: a.since,
                    until: a.until,
                    limit: Some(a.limit),
                    cursor: a.cursor,
                    all: a.all,
                })
                .await?;
            if json {
                return output::json(&page.items);
            }
            output::table(&page.items, page.next.as_deref());
            Ok(())
        }
        Command::Show { id, history } => {
            let svc = Service::open(data)?;
            let detail = svc.show(&id, history).await?;
            if json {
                return output::json(&detail);
            }
            output::detail(&detail);
            Ok(())
        }
        Command::Export { file, pillars } => {
            let svc = Service::open(data)?;
            let n = wsf_node::transfer::export(svc.store(), svc.ingest().network(), &file, pillars)
                .await?;
            if json {
                return output::json(&serde_json::json!({ "file": file, "records": n }));
            }
            println!("exported {n} records to {}", file.display());
            Ok(())
        }
        Command::Import { file } => import(data, json, file).await,
        Command::Status => {
            let svc = Service::open(data)?;
            let counts = svc.counts().await?;
            if json {
                output::json(&serde_json::json!({ "running": false, "counts": counts }))?;
            } else {
                println!("node         not running");
                output::counts(&counts);
            }
            Err(NotRunning.into())
        }
    }
}

async fn import(data: DataDir, json: bool, file: PathBuf) -> anyhow::Result<()> {
    let svc = Service::open(data)?;
    let bar = if std::io::stderr().is_terminal() && !json {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {msg} ({eta})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };
    let imported = wsf_node::transfer::import(svc.ingest(), &file, |p| {
        if let Some(bar) = &bar {
            bar.set_length(p.bytes_total);
            bar.set_position(p.bytes_read);
            bar.set_message(format!(
                "{} stored, {} held, {} rejected",
                p.report.stored,
                p.report.duplicate,
                p.report.rejected_total()
            ));
        }
    })
    .await?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    svc.store().clone().close().await?;
    let problem = imported.problem.as_ref().map(ToString::to_string);
    if json {
        output::json(&serde_json::json!({
            "stored": imported.report.stored,
            "duplicate": imported.report.duplicate,
            "rejected": imported.report.rejected,
            "problem": problem,
        }))?;
    } else {
        if imported.header.net != svc.ingest().network() {
            eprintln!(
                "warning: the bundle is from network {}, this node is on {}",
                imported.header.net,
                svc.ingest().network()
            );
        }
        output::report(&imported.report);
    }
    match problem {
        Some(p) => Err(anyhow::anyhow!("{p}")),
        None => Ok(()),
    }
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
