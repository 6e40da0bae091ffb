//! The local control API: one axum router, served on a Unix socket (`<data>/control.sock`, 0600,
//! no token: the file mode is the access control) for the CLI, and on 127.0.0.1 with a bearer
//! token (`<data>/api.token`, 0600) for scripts and the web page. Versioned paths, JSON bodies,
//! JSON errors `{"error", "code"}`, and Server-Sent Events at `/v1/events`.

mod export;
mod handlers;
pub(crate) use export::stream as export_stream;
pub(crate) use handlers::{announce_in, ingest_and_announce};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::{broadcast, watch};
use wsf_protocol::api::NodeEvent;

use crate::datadir::DataDir;
use crate::net::Network;
use crate::service::Service;

/// Largest request body: an import batch of 4,096 envelopes of average size, with room.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// Control API errors at start-up.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot listen on {what}: {source}")]
    Listen {
        what: String,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the control API listens on loopback only, not on {0}; to reach it from another machine \
         use SSH port forwarding (docs/operations.md)"
    )]
    NotLoopback(std::net::SocketAddr),
    #[error(transparent)]
    DataDir(#[from] crate::datadir::Error),
    #[error(
        "another wsf process is using {0} (is `wsf node` already running there?); stop it, or \
         use another --data-dir"
    )]
    AlreadyRunning(PathBuf),
}

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub service: Service,
    /// The network; `None` when the API is served in-process by a command while no node runs.
    pub net: Option<Network>,
    pub events: broadcast::Sender<NodeEvent>,
    pub api_addr: String,
    pub(crate) shutdown: watch::Receiver<bool>,
    /// Asks the running node to restart (after the page joined a network); `None` in-process.
    pub(crate) restart: Option<Arc<tokio::sync::Notify>>,
}

#[derive(Debug, Clone)]
struct AppState {
    ctx: Arc<Ctx>,
    token: Arc<str>,
    /// The TCP listener's port (for the `Host` and `Origin` checks).
    port: u16,
    /// The web page's login codes and sessions.
    web: Arc<crate::web::Web>,
}

/// `<data>/control.sock`.
pub fn socket_path(data: &Path) -> PathBuf {
    data.join("control.sock")
}

/// `<data>/api.token`.
pub fn token_path(data: &Path) -> PathBuf {
    data.join("api.token")
}

/// A new bearer token, written to `<data>/api.token` (random, 0600) at every node start, so a
/// copy taken earlier stops working.
pub fn token(data: &DataDir) -> Result<String, crate::datadir::Error> {
    let path = token_path(data.root());
    let seed = crate::datadir::random_seed()?;
    let text = wsf_protocol::hex::encode(&seed);
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => return Err(crate::datadir::Error::Write { path, source }),
    }
    crate::datadir::write_file(&path, text.as_bytes())?;
    Ok(text)
}

fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/status", get(handlers::status))
        .route("/v1/counts", get(handlers::counts))
        .route("/v1/id", get(handlers::id))
        .route("/v1/publish", post(handlers::publish))
        .route("/v1/endorse", post(handlers::endorse))
        .route("/v1/retract", post(handlers::retract))
        .route("/v1/list", post(handlers::list))
        .route("/v1/search", post(handlers::search))
        .route("/v1/records/{id}", get(handlers::show))
        .route("/v1/envelopes", post(handlers::envelopes))
        .route("/v1/export", post(handlers::export))
        .route("/v1/peers", get(handlers::peers))
        .route("/v1/dial", post(handlers::dial))
        .route("/v1/sync", post(handlers::sync))
        .route(
            "/v1/partners",
            get(handlers::partners).post(handlers::set_partner),
        )
        .route(
            "/v1/policy",
            get(handlers::policy).post(handlers::set_policy),
        )
        .route("/v1/pillars", get(handlers::pillars))
        .route("/v1/subscribe", post(handlers::subscribe))
        .route("/v1/unsubscribe", post(handlers::unsubscribe))
        .route("/v1/events", get(handlers::events))
        .route(
            "/v1/invites",
            get(handlers::invites).post(handlers::create_invite),
        )
        .route("/v1/invites/revoke", post(handlers::revoke_invite))
        .route("/v1/network/members", get(handlers::members))
        .route("/v1/network/admins", post(handlers::add_admin))
        .route("/v1/network/remove", post(handlers::remove_member))
        .route("/v1/network/leave", post(handlers::leave))
        .route("/v1/network/rekey", post(handlers::rekey))
        .route("/v1/ui/login", post(handlers::ui_login))
        .route("/v1/panic", post(handlers::panic))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
}

/// Compares without an early exit, so response timing says nothing about the token.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The host names a request to the TCP listener may carry: loopback only, with the port the
/// listener is bound to. Anything else is a page of another site reaching 127.0.0.1 through a
/// name it controls (DNS rebinding), or a mistake.
fn allowed_hosts(port: u16) -> Vec<String> {
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .map(|h| format!("{h}:{port}"))
        .collect()
}

/// Is `host` (a `Host` header) one of ours?
pub fn host_allowed(host: &str, port: u16) -> bool {
    let host = host.trim().to_ascii_lowercase();
    allowed_hosts(port).contains(&host)
}

/// Is `origin` (an `Origin` header) one of ours? Only pages served by this listener are.
pub fn origin_allowed(origin: &str, port: u16) -> bool {
    let origin = origin.trim().to_ascii_lowercase();
    allowed_hosts(port)
        .iter()
        .any(|h| origin == format!("http://{h}"))
}

/// The TCP listener's first guard, for `/v1` and `/ui` alike: the `Host` must be a loopback
/// name with our port, and an `Origin`, when present, must be ours.
async fn host_guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    match refuse_host(req.headers(), st.port) {
        Some(refused) => refused,
        None => next.run(req).await,
    }
}

/// The refusal of a request whose `Host` or `Origin` is not ours (see [`host_guard`]).
pub(crate) fn refuse_host(headers: &axum::http::HeaderMap, port: u16) -> Option<Response> {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if !host.is_some_and(|h| host_allowed(h, port)) {
        return Some(
            handlers::error(
            StatusCode::MISDIRECTED_REQUEST,
            "bad_host",
            "this API answers only requests addressed to 127.0.0.1, localhost or [::1] with its own port",
        )
            .into_response(),
        );
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ok = origin.to_str().is_ok_and(|o| origin_allowed(o, port));
        if !ok {
            return Some(
                handlers::error(
                    StatusCode::FORBIDDEN,
                    "bad_origin",
                    "requests from pages of other sites are refused",
                )
                .into_response(),
            );
        }
    }
    None
}

/// The guard of `/v1` on TCP: the bearer token must match (the scheme's case does not matter,
/// RFC 9110 §11.1). Cookies open nothing here.
async fn token_guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    match refuse_token(req.headers(), &st.token) {
        Some(refused) => refused,
        None => next.run(req).await,
    }
}

/// The refusal of a request without the bearer token (see [`token_guard`]).
pub(crate) fn refuse_token(headers: &axum::http::HeaderMap, token: &str) -> Option<Response> {
    let ok = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .is_some_and(|(_, t)| same(t.trim().as_bytes(), token.as_bytes()));
    (!ok).then(|| {
        handlers::error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or wrong bearer token (see <data>/api.token)",
        )
        .into_response()
    })
}

/// A JSON error answer `{"error", "code"}`, as every route gives.
pub(crate) fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    handlers::error(status, code, message).into_response()
}

/// The control API served inside this process, over a store opened here, for commands run
/// while no node runs: the same router, so a command behaves the same either way. Routes that
/// need the network answer 503 `not_running`.
#[derive(Debug)]
pub struct Local {
    router: Router,
    service: Service,
    _shutdown: watch::Sender<bool>,
}

impl Local {
    /// Serves `service` without a network.
    pub fn new(service: Service) -> Local {
        let (shutdown, rx) = watch::channel(false);
        let (events, _) = broadcast::channel(1);
        let state = AppState {
            ctx: Arc::new(Ctx {
                service: service.clone(),
                net: None,
                events,
                api_addr: String::new(),
                shutdown: rx,
                restart: None,
            }),
            token: Arc::from(""),
            port: 0,
            web: Arc::new(crate::web::Web::new(0)),
        };
        Local {
            router: routes().with_state(state),
            service,
            _shutdown: shutdown,
        }
    }

    /// Answers one request.
    pub async fn call(&self, req: axum::http::Request<axum::body::Body>) -> Response {
        use tower::ServiceExt as _;
        match self.router.clone().oneshot(req).await {
            Ok(resp) => resp,
            Err(never) => match never {},
        }
    }

    /// Closes the store cleanly.
    pub async fn close(self) -> Result<(), crate::store::Error> {
        self.service.store().clone().close().await
    }
}

/// The running servers.
#[derive(Debug)]
pub struct Servers {
    pub tcp_addr: std::net::SocketAddr,
    pub socket: PathBuf,
    /// The web page's sessions (kept across a restart of the node on the same port).
    pub web: Arc<crate::web::Web>,
    pub(crate) tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// Binds both listeners and serves until `shutdown` turns true. `tcp` must be a loopback
/// address; when `fallback` is set (the address is the default, not one the operator chose)
/// and its port is taken, a free port is used instead and a warning says which.
pub async fn serve(
    data: &DataDir,
    tcp: std::net::SocketAddr,
    fallback: bool,
    mut ctx: Ctx,
    shutdown: watch::Receiver<bool>,
    web: Option<Arc<crate::web::Web>>,
) -> Result<Servers, Error> {
    let Bound {
        tcp: tcp_listener,
        tcp_addr,
        unix: unix_listener,
        socket,
        token,
    } = bind(data, tcp, fallback).await?;
    ctx.api_addr = tcp_addr.to_string();
    let web = web
        .filter(|w| w.port() == tcp_addr.port())
        .unwrap_or_else(|| Arc::new(crate::web::Web::new(tcp_addr.port())));
    let state = AppState {
        ctx: Arc::new(ctx),
        token: token.into(),
        port: tcp_addr.port(),
        web: web.clone(),
    };
    let unix_app = routes().with_state(state.clone());
    let page_web = web.clone();
    let page = crate::web::router(crate::web::WebState {
        ctx: state.ctx.clone(),
        web,
    });
    let tcp_app = routes()
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            token_guard,
        ))
        .with_state(state.clone())
        .nest_service("/ui", page)
        .layer(axum::middleware::from_fn_with_state(state, host_guard));
    let stop = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|v| *v).await;
    };
    let t1 = tokio::spawn({
        let rx = shutdown.clone();
        async move {
            if let Err(e) = axum::serve(tcp_listener, tcp_app)
                .with_graceful_shutdown(stop(rx))
                .await
            {
                tracing::error!(error = %e, "control API (TCP) stopped");
            }
        }
    });
    let t2 = tokio::spawn({
        let rx = shutdown.clone();
        async move {
            if let Err(e) = axum::serve(unix_listener, unix_app)
                .with_graceful_shutdown(stop(rx))
                .await
            {
                tracing::error!(error = %e, "control API (socket) stopped");
            }
        }
    });
    Ok(Servers {
        tcp_addr,
        socket,
        web: page_web,
        tasks: vec![t1, t2],
    })
}

/// The two listeners of the control API, bound, and the token of this start.
pub(crate) struct Bound {
    pub(crate) tcp: TcpListener,
    pub(crate) tcp_addr: std::net::SocketAddr,
    pub(crate) unix: UnixListener,
    pub(crate) socket: PathBuf,
    pub(crate) token: String,
}

/// Binds the loopback TCP listener (a free port instead of a taken default when `fallback`)
/// and the control socket (0600), and writes a new `api.token`.
pub(crate) async fn bind(
    data: &DataDir,
    tcp: std::net::SocketAddr,
    fallback: bool,
) -> Result<Bound, Error> {
    if !tcp.ip().is_loopback() {
        return Err(Error::NotLoopback(tcp));
    }
    let tcp_listener = match TcpListener::bind(tcp).await {
        Ok(l) => l,
        Err(e) if fallback && e.kind() == std::io::ErrorKind::AddrInUse => {
            let mut free = tcp;
            free.set_port(0);
            let l = TcpListener::bind(free)
                .await
                .map_err(|source| Error::Listen {
                    what: free.to_string(),
                    source,
                })?;
            if let Ok(a) = l.local_addr() {
                tracing::warn!(
                    "the control API's default port {} is taken (another node?); listening on {a} \
                     instead (`wsf status` shows it)",
                    tcp.port()
                );
            }
            l
        }
        Err(source) => {
            return Err(Error::Listen {
                what: tcp.to_string(),
                source,
            });
        }
    };
    let tcp_addr = tcp_listener.local_addr().map_err(|source| Error::Listen {
        what: tcp.to_string(),
        source,
    })?;
    let socket = socket_path(data.root());
    let _ = std::fs::remove_file(&socket);
    let unix_listener = UnixListener::bind(&socket).map_err(|source| Error::Listen {
        what: socket.display().to_string(),
        source,
    })?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600)).map_err(
            |source| Error::Write {
                path: socket.clone(),
                source,
            },
        )?;
    }
    // Last, once both listeners are ours: a start that fails above leaves the token of the
    // node that may be running untouched.
    let token = token(data)?;
    Ok(Bound {
        tcp: tcp_listener,
        tcp_addr,
        unix: unix_listener,
        socket,
        token,
    })
}
