//! One module per command group. Every command that reads or changes records goes through
//! [`Client`]: the running node's socket, or the same API served here over the store.

mod bench;
mod desktop;
mod network;
mod node;
mod partners;
mod records;
mod transfer;
mod vault;

use wsf_node::datadir::{self, DataDir};

use crate::args::{BenchCmd, Cli, Command, IdentityCmd};
use crate::client::{Client, Open};
use crate::output;

/// The node is not running (for commands that need it, and `status`).
#[derive(Debug, thiserror::Error)]
#[error("the node is not running; start it with `wsf node`")]
pub struct NotRunning;

/// What every command has.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub data: DataDir,
    pub json: bool,
    /// Where an encrypted data dir's passphrase comes from.
    pub pass: crate::passphrase::Source,
}

impl Ctx {
    /// A client for a data dir that must already hold an identity.
    pub async fn client(&self) -> anyhow::Result<Client> {
        Client::open(&self.unlocked().await?, Open::Existing).await
    }

    /// The data dir, unlocked when it is encrypted and this command opens it itself (no node
    /// answers on its socket: a running node is unlocked already, and commands go through it).
    pub async fn unlocked(&self) -> anyhow::Result<DataDir> {
        if !self.data.is_encrypted() || node_answers(&self.data).await {
            return Ok(self.data.clone());
        }
        let pass = self.pass.read(self.data.root())?;
        let data = self.data.clone();
        // Argon2id takes about half a second of CPU: off the runtime's threads.
        Ok(tokio::task::spawn_blocking(move || data.unlock(&pass)).await??)
    }
}

impl Ctx {
    /// The data dir, unlocked when encrypted, also while a node runs: for the commands that
    /// read its files themselves (`network show`, `invite create`).
    pub async fn unlocked_files(&self) -> anyhow::Result<DataDir> {
        if !self.data.is_encrypted() {
            return Ok(self.data.clone());
        }
        let pass = self.pass.read(self.data.root())?;
        let data = self.data.clone();
        Ok(tokio::task::spawn_blocking(move || data.unlock(&pass)).await??)
    }
}

/// Whether a node answers on the data dir's control socket.
pub async fn node_answers(data: &DataDir) -> bool {
    tokio::net::UnixStream::connect(wsf_node::control::socket_path(data.root()))
        .await
        .is_ok()
}

fn data_dir(cli: &Cli) -> anyhow::Result<DataDir> {
    let root = match &cli.data_dir {
        Some(d) => d.clone(),
        None => datadir::default_dir()?,
    };
    Ok(DataDir::new(root))
}

/// Runs `f` with a client and closes the client whatever `f` returned.
pub async fn with_client<T, F>(ctx: &Ctx, f: impl FnOnce(Client) -> F) -> anyhow::Result<T>
where
    F: std::future::Future<Output = anyhow::Result<T>>,
{
    let c = ctx.client().await?;
    let result = f(c.clone()).await;
    c.close().await?;
    result
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = Ctx {
        data: data_dir(&cli)?,
        json: cli.json,
        pass: crate::passphrase::Source {
            file: cli.passphrase_file.clone(),
            fd: cli.passphrase_fd,
        },
    };
    match cli.command {
        Command::Bench(b) => match b {
            BenchCmd::Sync { records, diff } => bench::sync(ctx.json, records, diff).await,
            BenchCmd::Scale {
                sizes,
                diff,
                lookups,
                nodes,
                no_gossip,
                gossip_records,
            } => {
                let nodes = if no_gossip { Vec::new() } else { nodes };
                bench::scale(ctx.json, &sizes, diff, lookups, &nodes, gossip_records).await
            }
            BenchCmd::Gossip {
                nodes,
                records,
                rate,
                seed,
            } => bench::gossip(ctx.json, nodes, records, rate, seed).await,
            BenchCmd::Ingest {
                records,
                runs,
                encrypted,
            } => bench::ingest(ctx.json, records, runs, encrypted).await,
            BenchCmd::Panic { records } => bench::panic(ctx.json, records).await,
            BenchCmd::Transfer { records, runs } => bench::transfer(ctx.json, records, runs).await,
            BenchCmd::Search { records, queries } => {
                bench::search(ctx.json, records, queries).await
            }
            BenchCmd::Web { records, runs } => bench::web(ctx.json, records, runs).await,
        },
        Command::Node(a) => node::run(ctx, a).await,
        Command::Init(a) => records::init(ctx, a).await,
        Command::Id => records::id(ctx).await,
        Command::Compact => transfer::compact(ctx).await,
        Command::Publish(cmd) => records::publish(ctx, cmd).await,
        Command::Endorse { id, statement } => records::endorse(ctx, id, statement).await,
        Command::Retract { id, reason } => records::retract(ctx, id, reason).await,
        Command::List(a) => records::list(ctx, a).await,
        Command::Search(a) => records::search(ctx, a).await,
        Command::Show { id, history } => records::show(ctx, id, history).await,
        Command::Export {
            file,
            pillars,
            mode,
            encrypt,
            bundle_passphrase_file,
        } => {
            let encrypt = encrypt.then_some(bundle_passphrase_file);
            transfer::export(ctx, file, pillars, mode, encrypt).await
        }
        Command::Import {
            file,
            bundle_passphrase_file,
        } => transfer::import(ctx, file, bundle_passphrase_file).await,
        Command::Status => node::status(ctx).await,
        Command::Peers => node::peers(ctx).await,
        Command::Dial { addr } => node::dial(ctx, addr).await,
        Command::Sync { peer } => node::sync(ctx, peer).await,
        Command::Watch => node::watch(ctx).await,
        Command::Subscribe { pillar, new_pillar } => match (pillar, new_pillar) {
            (_, Some(p)) => node::set_pillar(ctx, p, true, true).await,
            (Some(p), None) => node::set_pillar(ctx, p, true, false).await,
            (None, None) => {
                Err(wsf_node::service::Error::BadRequest("give a pillar".into()).into())
            }
        },
        Command::Unsubscribe { pillar } => node::set_pillar(ctx, pillar, false, false).await,
        Command::Network(cmd) => network::network(ctx, cmd).await,
        Command::Invite(crate::args::InviteCmd::Create {
            expires,
            until,
            uses,
        }) => network::invite_create(ctx, expires, until, uses).await,
        Command::Invite(crate::args::InviteCmd::List) => network::invite_list(ctx).await,
        Command::Invite(crate::args::InviteCmd::Revoke { id }) => {
            network::invite_revoke(ctx, id).await
        }
        Command::Join { code } => network::join(ctx, &code).await,
        Command::Partners(cmd) => partners::run(ctx, cmd).await,
        Command::Ui { no_open, no_start } => node::ui(ctx, no_open, no_start).await,
        Command::Panic { yes } => node::panic(ctx, yes).await,
        Command::Encrypt => vault::encrypt(ctx).await,
        Command::Passphrase {
            new_passphrase_file,
            duress,
        } => vault::passphrase(ctx, new_passphrase_file, duress).await,
        Command::Identity(IdentityCmd::Export {
            file,
            backup_passphrase_file,
            encrypt: _,
        }) => vault::identity_export(ctx, &file, backup_passphrase_file).await,
        Command::Identity(IdentityCmd::Import {
            file,
            backup_passphrase_file,
        }) => vault::identity_import(ctx, &file, backup_passphrase_file).await,
        Command::Desktop(cmd) => desktop::run(ctx, cmd),
    }
}

/// Prints what `publish`, `endorse` and `retract` did.
pub fn print_published(json: bool, p: &wsf_protocol::api::Published) -> anyhow::Result<()> {
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
