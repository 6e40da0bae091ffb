//! `wsf node`: the store, the network and the control API, started together and stopped
//! together.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

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
    /// Where the invite door listens on a closed network (default: `config.json`'s
    /// `door_listen`, else the first listen address's IP with the p2p port + 2).
    pub door_listen: Option<SocketAddr>,
    /// Serve relay and rendezvous (saved in config.json).
    pub anchor: bool,
    /// Public addresses of this node (saved in config.json).
    pub external: Vec<Multiaddr>,
    /// Periodic sync interval (default: config.json, else 60 s).
    pub sync_interval: Option<std::time::Duration>,
    /// Do not sync when a connection opens (benchmarks start sessions themselves).
    pub no_sync_on_connect: bool,
    /// The web page's sessions of a previous run on the same API port (a restart keeps the
    /// people using the page logged in).
    pub web: Option<Arc<crate::web::Web>>,
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
    #[error(
        "cannot listen on {addr}: port {port} is already in use by another process (another wsf \
         node?); stop it, or choose another port with --listen /ip4/0.0.0.0/tcp/PORT"
    )]
    PortInUse { addr: Multiaddr, port: u16 },
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
    web: Arc<crate::web::Web>,
    restart: Arc<tokio::sync::Notify>,
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
        let had_identity = data.identity().ok().flatten().is_some();
        let service = open_waiting(&data).await?;
        if !had_identity {
            tracing::warn!(
                "created a new organisation identity in {}: keep it secret and backed up, it \
                 signs everything this node publishes (if you meant an existing one, check \
                 --data-dir / WSF_DATA_DIR)",
                data.identity_path().display()
            );
        }
        let mut config = Config::load(&data)?;
        if !opts.pillars.is_empty() {
            let mut given = opts.pillars.clone();
            given.extend(opts.new_pillars.iter().cloned());
            given.sort();
            given.dedup();
            service
                .check_pillars(&given, &opts.new_pillars, &config.pillars())
                .await?;
            config.pillars = given;
            config.save(&data)?;
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
        let listen_for_door = listen.clone();
        let mut bootstrap = parse_all(&config.bootstrap, "bootstrap address")?;
        // Bootstrap peers given on the command line are saved, so that a later plain `wsf node`
        // (the systemd unit's) connects to them too.
        let mut new_bootstrap = false;
        for b in &opts.bootstrap {
            if !bootstrap.contains(b) {
                bootstrap.push(b.clone());
                config.bootstrap.push(b.to_string());
                new_bootstrap = true;
            }
        }
        if opts.anchor && !config.anchor {
            config.anchor = true;
            new_bootstrap = true;
        }
        for e in &opts.external {
            if !config.external_addresses.contains(&e.to_string()) {
                config.external_addresses.push(e.to_string());
                new_bootstrap = true;
            }
        }
        if new_bootstrap {
            config.save(&data)?;
        }
        let external = parse_all(&config.external_addresses, "external address")?;
        if config.anchor && external.is_empty() {
            tracing::warn!(
                "an anchor needs a public address to offer (--external-address \
                 /ip4/PUBLIC_IP/tcp/PORT); without one, nodes behind NAT cannot use its relay"
            );
        }
        let (api_listen, api_default) = match (opts.api_listen, &config.api_listen) {
            (Some(a), _) => (a, false),
            (None, Some(text)) => (
                text.parse()
                    .map_err(|e| Error::Bad(format!("api_listen {text:?} in config.json: {e}")))?,
                false,
            ),
            (None, None) => (SocketAddr::from(([127, 0, 0, 1], DEFAULT_API_PORT)), true),
        };
        if !api_listen.ip().is_loopback() {
            return Err(control::Error::NotLoopback(api_listen).into());
        }
        for addr in &listen {
            check_port_free(addr)?;
        }
        // The seed is wiped once the keypair holds it (libp2p wipes the copy it is given).
        let mut seed = zeroize::Zeroizing::new(data.node_key_or_create()?);
        let key = identity::Keypair::ed25519_from_bytes(&mut *seed)
            .map_err(|e| Error::Bad(format!("node.key: {e}")))?;
        if let Some(m) = service.members() {
            // A network made before membership: this node's organisation says it was on it.
            if let Some(st) = m
                .ensure_legacy(key.public().to_peer_id().to_bytes())
                .map_err(|e| Error::Bad(e.to_string()))?
            {
                tracing::info!(
                    "this closed network predates membership: recorded this organisation as a \
                     member (an admin's `wsf network rekey` ends the migration)"
                );
                drop(st);
            }
        }
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let book = crate::address_book::load(&data, crate::ingest::now_ms());
        // Subscribed before the network starts, so that no connection is missed.
        let book_events = events.subscribe();
        // Joiners' hellos that anchors forward for this node's invites go to its door.
        let (knocks_tx, knocks_rx) = tokio::sync::mpsc::channel(net::KNOCK_QUEUE);
        let closed = service.members().is_some();
        let (net, net_task) = Network::start(
            net::Config {
                key,
                network: service.ingest().network(),
                listen,
                bootstrap,
                known: book
                    .iter()
                    .flat_map(|e| e.addresses())
                    .filter_map(|a| a.parse().ok())
                    .collect(),
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
                members: service.members().cloned(),
                anchor: config.anchor,
                external,
                invites: closed.then(|| service.invites().clone()),
                knocks: closed.then_some(knocks_tx),
            },
            service.ingest().clone(),
            events.clone(),
        )
        .await?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let door = match service.members().cloned() {
            Some(members) => {
                let configured = match &config.door_listen {
                    Some(text) => Some(text.parse().map_err(|e| {
                        Error::Bad(format!("door_listen {text:?} in config.json: {e}"))
                    })?),
                    None => None,
                };
                let addr = opts
                    .door_listen
                    .or(configured)
                    .or_else(|| crate::invites::default_door(&listen_for_door));
                match addr {
                    Some(addr) => {
                        let door = crate::invites::DoorConfig {
                            network: service.ingest().network(),
                            inviter: service.author(),
                            name: config.network_name.clone().unwrap_or_default(),
                            members,
                            net: net.clone(),
                        };
                        match crate::invites::serve(
                            addr,
                            service.invites().clone(),
                            door,
                            shutdown_rx.clone(),
                            knocks_rx,
                        )
                        .await
                        {
                            Ok(task) => Some(task),
                            Err(e) => {
                                // The node works without it; only new members cannot join here.
                                tracing::warn!(
                                    "cannot listen for invites on {addr}: {e}; this node cannot \
                                     let new members in (set door_listen, or --door-listen)"
                                );
                                None
                            }
                        }
                    }
                    None => {
                        tracing::warn!(
                            "no TCP listen address to put the invite door beside; this node \
                             cannot let new members in (set door_listen, or --door-listen)"
                        );
                        None
                    }
                }
            }
            None => None,
        };
        let restart = Arc::new(tokio::sync::Notify::new());
        let ctx = control::Ctx {
            service: service.clone(),
            net: Some(net.clone()),
            events: events.clone(),
            api_addr: String::new(),
            shutdown: shutdown_rx.clone(),
            restart: Some(restart.clone()),
        };
        let servers = control::serve(
            &data,
            api_listen,
            api_default,
            ctx,
            shutdown_rx,
            opts.web.clone(),
        )
        .await?;
        // The author key is not logged beside the peer id: on the public network the two stay
        // unlinked (`wsf id` shows both to the operator).
        tracing::info!(
            peer_id = %net.peer_id(),
            network = %service.ingest().network(),
            closed = data.network_key()?.is_some(),
            "node started"
        );
        tracing::info!(api = %servers.tcp_addr, socket = %servers.socket.display(), "control API");
        let mut tasks = servers.tasks;
        tasks.push(net_task);
        tasks.extend(door);
        tasks.push(tokio::spawn(crate::address_book::run(
            data.clone(),
            book,
            book_events,
            shutdown.subscribe(),
        )));
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
            web: servers.web,
            restart,
        })
    }

    /// Resolves when something asked this node to restart (the web page, after joining a
    /// network: the new network key and addresses take effect only in a new start).
    pub async fn restart_requested(&self) {
        self.restart.notified().await;
    }

    /// The web page's sessions, to hand to the next start ([`Options::web`]).
    pub fn web(&self) -> Arc<crate::web::Web> {
        self.web.clone()
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

/// Opens the service, waiting while a short-lived command holds the store; a running node
/// fails at once.
async fn open_waiting(data: &DataDir) -> Result<Service, Error> {
    match service::open_waiting(data, true).await {
        Ok(service::Opened::Here(s)) => Ok(*s),
        Ok(service::Opened::NodeRuns) | Err(service::Error::Store(store::Error::InUse(_))) => {
            Err(Error::AlreadyRunning(data.root().to_owned()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Fails when another process already listens on `addr`'s TCP port. libp2p's TCP transport
/// binds with port reuse (hole punching needs it), so two nodes could otherwise share a port and
/// dials would reach either; a plain bind without `SO_REUSEPORT` still sees the port as taken.
fn check_port_free(addr: &Multiaddr) -> Result<(), Error> {
    use libp2p::multiaddr::Protocol;
    let mut ip: Option<std::net::IpAddr> = None;
    let mut port: Option<u16> = None;
    for p in addr.iter() {
        match p {
            Protocol::Ip4(a) => ip = Some(a.into()),
            Protocol::Ip6(a) => ip = Some(a.into()),
            Protocol::Tcp(p) => port = Some(p),
            _ => {}
        }
    }
    let (Some(ip), Some(port)) = (ip, port) else {
        return Ok(());
    };
    if port == 0 {
        return Ok(());
    }
    match std::net::TcpListener::bind(SocketAddr::new(ip, port)) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Err(Error::PortInUse {
            addr: addr.clone(),
            port,
        }),
        // Other failures (an address not on this machine, …) are libp2p's to report.
        Err(_) => Ok(()),
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
