//! The local control API: one axum router, served on a Unix socket (`<data>/control.sock`, 0600,
//! no token: the file mode is the access control) for the CLI, and on 127.0.0.1 with a bearer
//! token (`<data>/api.token`, 0600) for scripts and the web page. Versioned paths, JSON bodies,
//! JSON errors `{"error", "code"}`, and Server-Sent Events at `/v1/events`.

mod handlers;

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
}

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub service: Service,
    pub net: Network,
    pub events: broadcast::Sender<NodeEvent>,
    pub api_addr: String,
    pub(crate) shutdown: watch::Receiver<bool>,
}

#[derive(Debug, Clone)]
struct AppState {
    ctx: Arc<Ctx>,
    token: Arc<str>,
}

/// `<data>/control.sock`.
pub fn socket_path(data: &Path) -> PathBuf {
    data.join("control.sock")
}

/// `<data>/api.token`.
pub fn token_path(data: &Path) -> PathBuf {
    data.join("api.token")
}

/// The bearer token, created (random, 0600) when missing.
pub fn token(data: &DataDir) -> Result<String, crate::datadir::Error> {
    let path = token_path(data.root());
    if let Ok(text) = std::fs::read_to_string(&path) {
        let t = text.trim();
        if t.len() >= 32 && wsf_protocol::hex::is_hex(t) {
            // Someone may have copied the file with wider permissions: keep it private.
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
            return Ok(t.to_owned());
        }
    }
    let seed = crate::datadir::random_seed()?;
    let text = wsf_protocol::hex::encode(&seed);
    let _ = std::fs::remove_file(&path);
    crate::datadir::write_file(&path, text.as_bytes())?;
    Ok(text)
}

fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/status", get(handlers::status))
        .route("/v1/id", get(handlers::id))
        .route("/v1/publish", post(handlers::publish))
        .route("/v1/endorse", post(handlers::endorse))
        .route("/v1/retract", post(handlers::retract))
        .route("/v1/list", post(handlers::list))
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
        .route("/v1/subscribe", post(handlers::subscribe))
        .route("/v1/unsubscribe", post(handlers::unsubscribe))
        .route("/v1/events", get(handlers::events))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
}

/// Compares without an early exit, so response timing says nothing about the token.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn require_token(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let ok = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| same(t.trim().as_bytes(), st.token.as_bytes()));
    if !ok {
        return handlers::error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or wrong bearer token (see <data>/api.token)",
        )
        .into_response();
    }
    next.run(req).await
}

/// The running servers.
#[derive(Debug)]
pub struct Servers {
    pub tcp_addr: std::net::SocketAddr,
    pub socket: PathBuf,
    pub(crate) tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// Binds both listeners and serves until `shutdown` turns true.
pub async fn serve(
    data: &DataDir,
    tcp: std::net::SocketAddr,
    mut ctx: Ctx,
    shutdown: watch::Receiver<bool>,
) -> Result<Servers, Error> {
    let token = token(data).map_err(|e| Error::Write {
        path: token_path(data.root()),
        source: std::io::Error::other(e.to_string()),
    })?;
    let tcp_listener = TcpListener::bind(tcp)
        .await
        .map_err(|source| Error::Listen {
            what: tcp.to_string(),
            source,
        })?;
    let tcp_addr = tcp_listener.local_addr().map_err(|source| Error::Listen {
        what: tcp.to_string(),
        source,
    })?;
    ctx.api_addr = tcp_addr.to_string();
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
    let state = AppState {
        ctx: Arc::new(ctx),
        token: token.into(),
    };
    let unix_app = routes().with_state(state.clone());
    let tcp_app = routes()
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            require_token,
        ))
        .with_state(state);
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
        tasks: vec![t1, t2],
    })
}
