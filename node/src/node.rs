//! `wsf node`: the store, the network and the control API, started together and stopped
//! together.

use std::net::SocketAddr;
use std::path::PathBuf;

use libp2p::{Multiaddr, identity};
use tokio::sync::{broadcast, watch};
use wsf_protocol::Pillar;
use wsf_protocol::api::NodeEvent;

use crate::config::{self, Config, DEFAULT_API_PORT, DEFAULT_P2P_PORT};
use crate::control;
use crate::datadir::{self, DataDir};
use crate::net::{self, Network};
use crate::service::{self, Service};
use crate::store;

/// Events kept for slow listeners before they start missing some (they are told how many).
pub const EVENT_BUFFER: usize = 1_024;

/// What `wsf node` is started with; empty fields fall back to `<data>/config.json`, then to the
/// defaults.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub listen: Vec<Multiaddr>,
    pub bootstrap: Vec<Multiaddr>,
    pub lan: bool,
    /// Given pillars replace the saved ones (and are saved).
    pub pillars: Vec<Pillar>,
    /// Pillars of `pillars` that may be new to this node (`--new-pillar`).
    pub new_pillars: Vec<Pillar>,
    pub api_listen: Option<SocketAddr>,
    /// Periodic sync interval (default: config.json, else 60 s).
    pub sync_interval: Option<std::time::Duration>,
    /// Do not sync when a connection opens (benchmarks start sessions themselves).
    pub no_sync_on_connect: bool,
}

/// Errors starting or running the node.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "another wsf process is using {0} (is `wsf node` already running there?); stop it, or \
         use another --data-dir"
    )]
    AlreadyRunning(PathBuf),
    #[error(transparent)]
    Service(#[from] service::Error),
    #[error(transparent)]
    Config(#[from] config::Error),
    #[error(transparent)]
    DataDir(#[from] datadir::Error),
    #[error(transparent)]
    Net(#[from] net::Error),
    #[error(transparent)]
    Control(#[from] control::Error),
    #[error("{0}")]
    Bad(String),
}

/// A running node.
#[derive(Debug)]
pub struct Node {
    pub service: Service,
    pub net: Network,
    pub events: broadcast::Sender<NodeEvent>,
    pub api_addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    socket: PathBuf,
}

fn parse_all(list: &[String], what: &str) -> Result<Vec<Multiaddr>, Error> {
    list.iter()
        .map(|s| {
            s.parse().map_err(|e| {
                Error::Bad(format!(
                    "{what} {s:?} in config.json is not a multiaddr: {e}"
                ))
            })
        })
        .collect()
}

impl Node {
    /// Opens the data directory and starts everything. Listen addresses are logged with `/p2p/`.
    pub async fn start(data: DataDir, opts: Options) -> Result<Node, Error> {
        let service = match Service::open(data.clone()) {
            Ok(s) => s,
            Err(service::Error::Store(store::Error::InUse(_))) => {
                return Err(Error::AlreadyRunning(data.root().to_owned()));
            }
            Err(e) => return Err(e.into()),
        };
        let mut config = Config::load(data.root())?;
        if !opts.pillars.is_empty() {
            let mut given = opts.pillars.clone();
            given.extend(opts.new_pillars.iter().cloned());
            given.sort();
            given.dedup();
            service
                .check_pillars(&given, &opts.new_pillars, &config.pillars())
                .await?;
            config.pillars = given;
            config.save(data.root())?;
        }
        let mut listen = opts.listen.clone();
        if listen.is_empty() {
            listen = parse_all(&config.listen, "listen address")?;
        }
        if listen.is_empty() {
            listen.push(
                format!("/ip4/0.0.0.0/tcp/{DEFAULT_P2P_PORT}")
                    .parse()
                    .map_err(|e| Error::Bad(format!("default listen address: {e}")))?,
            );
        }
        let mut bootstrap = parse_all(&config.bootstrap, "bootstrap address")?;
        for b in &opts.bootstrap {
            if !bootstrap.contains(b) {
                bootstrap.push(b.clone());
            }
        }
        let api_listen = match (opts.api_listen, &config.api_listen) {
            (Some(a), _) => a,
            (None, Some(text)) => text
                .parse()
                .map_err(|e| Error::Bad(format!("api_listen {text:?}: {e}")))?,
            (None, None) => SocketAddr::from(([127, 0, 0, 1], DEFAULT_API_PORT)),
        };
        let seed = data.node_key_or_create()?;
        let mut seed_copy = seed;
        let key = identity::Keypair::ed25519_from_bytes(&mut seed_copy)
            .map_err(|e| Error::Bad(format!("node.key: {e}")))?;
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let (net, net_task) = Network::start(
            net::Config {
                key,
                network: service.ingest().network(),
                listen,
                bootstrap,
                pillars: config.pillars(),
                lan: opts.lan,
                sync_interval: opts
                    .sync_interval
                    .or(config
                        .sync_interval_secs
                        .map(std::time::Duration::from_secs))
                    .unwrap_or(net::SYNC_INTERVAL)
                    .max(std::time::Duration::from_millis(100)),
                sync_on_connect: !opts.no_sync_on_connect,
                psk: data.network_key()?,
            },
            service.ingest().clone(),
            events.clone(),
        )
        .await?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let ctx = control::Ctx {
            service: service.clone(),
            net: net.clone(),
            events: events.clone(),
            api_addr: String::new(),
            shutdown: shutdown_rx.clone(),
        };
        let servers = control::serve(&data, api_listen, ctx, shutdown_rx).await?;
        tracing::info!(
            peer_id = %net.peer_id(),
            author = %service.author(),
            network = %service.ingest().network(),
            closed = data.network_key()?.is_some(),
            "node started"
        );
        tracing::info!(api = %servers.tcp_addr, socket = %servers.socket.display(), "control API");
        let mut tasks = servers.tasks;
        tasks.push(net_task);
        tasks.push(tokio::spawn(purge_expired_hourly(
            service.clone(),
            shutdown.subscribe(),
        )));
        Ok(Node {
            service,
            net,
            events,
            api_addr: servers.tcp_addr,
            shutdown,
            tasks,
            socket: servers.socket,
        })
    }

    /// Stops accepting, lets the tasks drain, and closes the store.
    pub async fn stop(self) -> Result<(), Error> {
        let _ = self.shutdown.send(true);
        self.net.shutdown().await;
        for t in self.tasks {
            let _ = t.await;
        }
        let _ = std::fs::remove_file(&self.socket);
        self.service
            .store()
            .clone()
            .close()
            .await
            .map_err(service::Error::from)?;
        tracing::info!("node stopped");
        Ok(())
    }
}

/// How often a running node drops records past their expiry's retention period.
pub const PURGE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(3_600);

async fn purge_expired_hourly(service: Service, mut shutdown: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(PURGE_INTERVAL);
    every.tick().await;
    loop {
        tokio::select! {
            _ = every.tick() => {
                if let Err(e) = service.purge_expired().await {
                    tracing::warn!(error = %e, "cannot drop expired records");
                    return;
                }
            }
            _ = shutdown.changed() => return,
        }
    }
}
