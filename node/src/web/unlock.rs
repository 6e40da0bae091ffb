//! A locked node: an encrypted data dir started without its passphrase
//! (`wsf node --unlock-on-page`, which `wsf ui` and the desktop entry use when no terminal,
//! file, descriptor or credential can give it).
//!
//! Until it is unlocked, the node serves only this, on its control socket and its loopback
//! port, behind the same `Host`, `Origin`, token, session and CSRF checks as the full node:
//!
//! - `POST /v1/ui/login` (a login link, so `wsf ui` opens the page) and `POST /v1/panic`;
//!   every other `/v1` route answers 503 `locked`;
//! - under `/ui`: the login link, a passphrase form (every page shows it), the language, and
//!   the panic button.
//!
//! A right passphrase hands the unlocked data dir to whoever started this server
//! ([`Locked::unlocked`]), which stops it ([`Locked::release`]: both listeners are closed when
//! it returns) and starts the node on the same port with the same sessions; the browser's
//! request waits for that start ([`Unlock::ready`]) and is then sent to the home page. One
//! attempt runs at a time (each costs the key slot's Argon2id: its time is the rate limit). A
//! wrong passphrase changes nothing; the duress passphrase erases as it does everywhere.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Form, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tokio::sync::{mpsc, oneshot, watch};
use zeroize::Zeroizing;

use super::Web;
use super::network::{field, form, panic_confirmed, panic_now, panic_page};
use super::pages::{self, Frame, check_post_in, frame_in, html};
use crate::control::{self, json_error, refuse_host, refuse_token};
use crate::datadir::DataDir;

/// How long the page's unlock request waits for the node to start on the unlocked data dir.
pub const START_WAIT: Duration = Duration::from_secs(60);

/// The longest passphrase taken from the form (as from a file).
const MAX_PASSPHRASE: usize = 1024;

/// The data dir the page unlocked, and where to say whether the node then started.
#[derive(Debug)]
pub struct Unlock {
    pub data: DataDir,
    /// Answers the waiting browser: `Ok` sends it to the home page, `Err` shows the reason.
    pub ready: oneshot::Sender<Result<(), String>>,
}

/// The locked node's servers. See the module docs.
#[derive(Debug)]
pub struct Locked {
    /// The loopback address the page is served on (the node keeps it once unlocked).
    pub api_addr: SocketAddr,
    web: Arc<Web>,
    unlocks: mpsc::Receiver<Unlock>,
    shutdown: watch::Sender<bool>,
    released: Vec<oneshot::Receiver<()>>,
    servers: Vec<tokio::task::JoinHandle<()>>,
}

/// The locked servers after [`Locked::release`]: they end once the requests under way (the
/// unlock waiting for its answer) are answered.
#[derive(Debug)]
pub struct Draining(Vec<tokio::task::JoinHandle<()>>);

impl Draining {
    /// Waits (at most `limit`) until the locked servers have answered their last requests: so
    /// that the page learns why a start failed before the process exits.
    pub async fn finish(self, limit: Duration) {
        let _ = tokio::time::timeout(limit, async {
            for server in self.0 {
                let _ = server.await;
            }
        })
        .await;
    }
}

#[derive(Debug, Clone)]
struct LockedState {
    web: Arc<Web>,
    data: DataDir,
    token: Arc<str>,
    port: u16,
    unlocks: mpsc::Sender<Unlock>,
    /// Held while a passphrase is being tried.
    attempt: Arc<tokio::sync::Mutex<()>>,
}

/// A listener that says when axum has dropped it (the port is free to bind again).
struct Released<L> {
    inner: L,
    _gone: oneshot::Sender<()>,
}

impl<L: axum::serve::Listener> axum::serve::Listener for Released<L> {
    type Io = L::Io;
    type Addr = L::Addr;

    fn accept(&mut self) -> impl std::future::Future<Output = (Self::Io, Self::Addr)> + Send {
        self.inner.accept()
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

fn released<L>(inner: L) -> (Released<L>, oneshot::Receiver<()>) {
    let (tx, rx) = oneshot::channel();
    (Released { inner, _gone: tx }, rx)
}

impl Locked {
    /// Binds the control socket and `tcp` (a free port instead of a taken default when
    /// `fallback`) and serves the locked routes. `data` is the locked data dir.
    pub async fn start(
        data: &DataDir,
        tcp: SocketAddr,
        fallback: bool,
    ) -> Result<Locked, control::Error> {
        // A node that runs already keeps its socket and token (control::bind would take them
        // over): the caller says so.
        if tokio::net::UnixStream::connect(control::socket_path(data.root()))
            .await
            .is_ok()
        {
            return Err(control::Error::AlreadyRunning(data.root().to_owned()));
        }
        let bound = control::bind(data, tcp, fallback).await?;
        let port = bound.tcp_addr.port();
        let web = Arc::new(Web::new(port));
        let (unlocks_tx, unlocks) = mpsc::channel(1);
        let state = LockedState {
            web: web.clone(),
            data: data.clone(),
            token: bound.token.into(),
            port,
            unlocks: unlocks_tx,
            attempt: Arc::new(tokio::sync::Mutex::new(())),
        };
        let (shutdown, rx) = watch::channel(false);
        let (tcp_listener, tcp_gone) = released(bound.tcp);
        let (unix_listener, unix_gone) = released(bound.unix);
        let tcp_app = api()
            .layer(axum::middleware::from_fn_with_state(state.clone(), token))
            .nest_service("/ui", page(state.clone()))
            .layer(axum::middleware::from_fn_with_state(state.clone(), host))
            .with_state(state.clone());
        let unix_app = api().with_state(state);
        let stop = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|v| *v).await;
        };
        let tcp_server = tokio::spawn({
            let rx = rx.clone();
            async move {
                if let Err(e) = axum::serve(tcp_listener, tcp_app)
                    .with_graceful_shutdown(stop(rx))
                    .await
                {
                    tracing::error!(error = %e, "locked page (TCP) stopped");
                }
            }
        });
        let unix_server = tokio::spawn(async move {
            if let Err(e) = axum::serve(unix_listener, unix_app)
                .with_graceful_shutdown(stop(rx))
                .await
            {
                tracing::error!(error = %e, "locked control socket stopped");
            }
        });
        Ok(Locked {
            api_addr: bound.tcp_addr,
            web,
            unlocks,
            shutdown,
            released: vec![tcp_gone, unix_gone],
            servers: vec![tcp_server, unix_server],
        })
    }

    /// Waits until the page unlocked the data dir.
    pub async fn unlocked(&mut self) -> Option<Unlock> {
        self.unlocks.recv().await
    }

    /// Stops accepting on both listeners and returns once they are closed, with the page's
    /// sessions for the node that takes the port over. Requests under way (the unlock that is
    /// waiting for [`Unlock::ready`]) are still answered.
    pub async fn release(self) -> (Arc<Web>, Draining) {
        let _ = self.shutdown.send(true);
        for gone in self.released {
            let _ = gone.await;
        }
        (self.web, Draining(self.servers))
    }
}

/// The `/v1` routes of a locked node.
fn api() -> Router<LockedState> {
    Router::new()
        .route("/v1/ui/login", post(ui_login))
        .route("/v1/panic", post(api_panic))
        .fallback(locked_api)
}

async fn host(State(st): State<LockedState>, req: Request, next: Next) -> Response {
    match refuse_host(req.headers(), st.port) {
        Some(refused) => refused,
        None => next.run(req).await,
    }
}

async fn token(State(st): State<LockedState>, req: Request, next: Next) -> Response {
    match refuse_token(req.headers(), &st.token) {
        Some(refused) => refused,
        None => next.run(req).await,
    }
}

async fn locked_api() -> Response {
    json_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "locked",
        "the node is locked: unlock it on its web page (`wsf ui`), or stop it and give the \
         passphrase to the command",
    )
}

async fn ui_login(State(st): State<LockedState>) -> Response {
    match st.web.login_code() {
        Some(code) => axum::Json(serde_json::json!({
            "url": format!("http://127.0.0.1:{}/ui/login?code={code}", st.port),
            "expires_in_s": super::CODE_TTL.as_secs(),
            "locked": true,
        }))
        .into_response(),
        None => json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "no randomness from the operating system",
        ),
    }
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PanicRequest {
    confirm: String,
}

async fn api_panic(
    State(st): State<LockedState>,
    body: Result<axum::Json<PanicRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    match body {
        Ok(axum::Json(req)) if req.confirm == "erase" => panic_now(st.data.root()),
        _ => json_error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "panic needs {\"confirm\": \"erase\"}",
        ),
    }
}

/// The `/ui` routes of a locked node.
fn page(state: LockedState) -> Router {
    Router::new()
        .route("/login", get(login))
        .route("/lang", post(language))
        .route("/unlock", post(unlock))
        .route("/panic", get(panic_form).post(panic))
        .route("/static/{file}", get(static_file))
        .fallback(unlock_form)
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .layer(axum::middleware::from_fn(super::headers))
        .with_state(state)
}

#[derive(Template)]
#[template(path = "web/unlock.html")]
struct UnlockPage {
    f: Frame,
    error: String,
}

fn locked_frame(web: &Web, headers: &HeaderMap) -> Result<Frame, Box<Response>> {
    let mut f = frame_in(web, headers)?;
    f.locked = true;
    Ok(f)
}

fn unlock_page(f: Frame, status: StatusCode, error: String) -> Response {
    html(status, UnlockPage { f, error }.render())
}

async fn login(
    State(st): State<LockedState>,
    headers: HeaderMap,
    q: Result<Query<pages::LoginQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    pages::login_in(&st.web, &headers, q)
}

async fn language(
    State(st): State<LockedState>,
    headers: HeaderMap,
    form: Result<Form<pages::LangForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    pages::set_language_in(&st.web, &headers, form)
}

async fn static_file(
    file: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Response {
    pages::static_response(file).unwrap_or_else(|| StatusCode::NOT_FOUND.into_response())
}

/// Every other page: the unlock form (GET), or "locked" (anything else).
async fn unlock_form(
    State(st): State<LockedState>,
    method: axum::http::Method,
    headers: HeaderMap,
) -> Response {
    let f = match locked_frame(&st.web, &headers) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    if method != axum::http::Method::GET {
        let text = f.t.get("unlock-first");
        return pages::message_text(f, StatusCode::SERVICE_UNAVAILABLE, "unlock-title", text);
    }
    unlock_page(f, StatusCode::OK, String::new())
}

/// The passphrase field of a form body, kept in memory that is wiped when dropped.
fn passphrase_of(body: &[u8]) -> Zeroizing<String> {
    let mut pass = Zeroizing::new(String::new());
    for (k, v) in form_urlencoded::parse(body) {
        if k == "passphrase" {
            pass.push_str(&v);
            // The decoded copy is ours to wipe when it was made (percent-escapes).
            if let std::borrow::Cow::Owned(mut owned) = v {
                zeroize::Zeroize::zeroize(&mut owned);
            }
        }
    }
    pass
}

/// `POST /ui/unlock` (csrf, passphrase): tries the passphrase; a right one starts the node and
/// sends the browser to its home page once it answers.
async fn unlock(State(st): State<LockedState>, headers: HeaderMap, body: Bytes) -> Response {
    let csrf: String = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let mut f = match check_post_in(&st.web, &headers, &csrf) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    f.locked = true;
    let pass = passphrase_of(&body);
    if pass.is_empty() || pass.len() > MAX_PASSPHRASE {
        let error = f.t.get("unlock-empty");
        return unlock_page(f, StatusCode::UNPROCESSABLE_ENTITY, error);
    }
    let Ok(_attempt) = st.attempt.try_lock() else {
        let error = f.t.get("unlock-busy");
        return unlock_page(f, StatusCode::TOO_MANY_REQUESTS, error);
    };
    let data = st.data.clone();
    // Argon2id takes about half a second of CPU: off the runtime's threads.
    let tried = tokio::task::spawn_blocking(move || data.unlock(pass.as_bytes())).await;
    let data = match tried {
        Ok(Ok(data)) => data,
        Ok(Err(e)) => {
            tracing::warn!("a passphrase tried on the web page did not unlock the data dir");
            let error = match e {
                crate::datadir::Error::Vault { .. } => f.t.get("unlock-wrong"),
                other => other.to_string(),
            };
            return unlock_page(f, StatusCode::UNPROCESSABLE_ENTITY, error);
        }
        Err(e) => return unlock_page(f, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let (ready, started) = oneshot::channel();
    if st.unlocks.send(Unlock { data, ready }).await.is_err() {
        let error = f.t.get("unlock-busy");
        return unlock_page(f, StatusCode::SERVICE_UNAVAILABLE, error);
    }
    match tokio::time::timeout(START_WAIT, started).await {
        Ok(Ok(Ok(()))) => Redirect::to("/ui/").into_response(),
        Ok(Ok(Err(reason))) => {
            let text = format!("{} {reason}", f.t.get("unlock-start-failed"));
            pages::message_text(f, StatusCode::INTERNAL_SERVER_ERROR, "unlock-title", text)
        }
        _ => {
            let text = f.t.get("unlock-start-failed");
            pages::message_text(f, StatusCode::GATEWAY_TIMEOUT, "unlock-title", text)
        }
    }
}

async fn panic_form(State(st): State<LockedState>, headers: HeaderMap) -> Response {
    match locked_frame(&st.web, &headers) {
        Ok(f) => panic_page(f, true, String::new()),
        Err(r) => *r,
    }
}

/// `POST /ui/panic` on a locked node: needs no passphrase, as `wsf panic` does not.
async fn panic(State(st): State<LockedState>, headers: HeaderMap, body: Bytes) -> Response {
    let v: HashMap<String, String> = form(&body);
    let mut f = match check_post_in(&st.web, &headers, field(&v, "csrf")) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    f.locked = true;
    if !panic_confirmed(&f, &v) {
        let error = f.t.get("panic-confirm-needed");
        return panic_page(f, true, error);
    }
    panic_now(st.data.root())
}
