//! The web page under `/ui`, served by the node on its loopback TCP listener beside `/v1`.
//!
//! A local web page's attacker is another site open in the same browser. So: a login by a
//! single-use link that `wsf ui` asks the node for over its socket (valid 60 s) becomes an
//! `HttpOnly; SameSite=Strict; Path=/ui` session cookie named after the port; the bearer token
//! never reaches the page and cookies never open `/v1`; the `Host` is checked on every request
//! (by the listener's guard, `control`); every POST needs the session's CSRF token and a
//! same-origin `Sec-Fetch-Site`/`Origin`; only POST changes state; every answer carries a
//! strict Content-Security-Policy and friends; peer text is always escaped (askama) and
//! neutralised (`wsf_protocol::display`), in `dir="auto"` elements.

mod browse;
mod carry;
mod i18n;
mod live;
mod network;
mod pages;
mod publish;
mod unlock;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};

pub use i18n::{LANGUAGES, Texts};
pub use unlock::{Draining, Locked, Unlock};

use crate::control::Ctx;

/// How long a login link works.
pub const CODE_TTL: Duration = Duration::from_secs(60);
/// How long a session lasts without a request.
pub const SESSION_IDLE: Duration = Duration::from_secs(12 * 3_600);
/// Most login codes waiting at once (older ones are dropped).
const MAX_CODES: usize = 16;
/// Most sessions at once (the least recently used is dropped).
const MAX_SESSIONS: usize = 64;

/// The Content-Security-Policy of every page: nothing inline, nothing from elsewhere.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' \
                       data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
                       base-uri 'none'";

#[derive(Debug)]
struct Session {
    csrf: String,
    last: Instant,
}

#[derive(Debug, Default)]
struct Sessions {
    codes: HashMap<String, Instant>,
    live: HashMap<String, Session>,
}

/// Login codes and sessions of the web page (in memory: a node restart logs everyone out).
#[derive(Debug)]
pub struct Web {
    port: u16,
    sessions: Mutex<Sessions>,
}

/// 256 random bits in hex; `None` when the OS gives no randomness (then nobody logs in).
fn random_hex() -> Option<String> {
    crate::datadir::random_seed()
        .ok()
        .map(|seed| wsf_protocol::hex::encode(&seed))
}

impl Web {
    /// The web state of the listener on `port`.
    pub fn new(port: u16) -> Web {
        Web {
            port,
            sessions: Mutex::new(Sessions::default()),
        }
    }

    /// The port of the listener this page is served on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The session cookie's name: with the port, since browsers do not keep cookies apart by
    /// port and two nodes on one machine must not share sessions.
    pub fn cookie_name(&self) -> String {
        format!("wsf_session_{}", self.port)
    }

    /// A new single-use login code, valid for [`CODE_TTL`].
    pub fn login_code(&self) -> Option<String> {
        let code = random_hex()?;
        let mut s = self.sessions.lock().ok()?;
        let now = Instant::now();
        s.codes.retain(|_, at| now.duration_since(*at) < CODE_TTL);
        if s.codes.len() >= MAX_CODES
            && let Some(oldest) = s
                .codes
                .iter()
                .min_by_key(|(_, at)| **at)
                .map(|(c, _)| c.clone())
        {
            s.codes.remove(&oldest);
        }
        s.codes.insert(code.clone(), now);
        Some(code)
    }

    /// Turns a login code into a session token (once); `None` when the code is unknown, used
    /// or too old.
    fn redeem(&self, code: &str) -> Option<String> {
        let mut s = self.sessions.lock().ok()?;
        let at = s.codes.remove(code)?;
        if at.elapsed() >= CODE_TTL {
            return None;
        }
        let token = random_hex()?;
        let csrf = random_hex()?;
        if s.live.len() >= MAX_SESSIONS
            && let Some(oldest) = s
                .live
                .iter()
                .min_by_key(|(_, v)| v.last)
                .map(|(k, _)| k.clone())
        {
            s.live.remove(&oldest);
        }
        s.live.insert(
            token.clone(),
            Session {
                csrf,
                last: Instant::now(),
            },
        );
        Some(token)
    }

    /// The CSRF token of a live session (and marks it used).
    fn session(&self, token: &str) -> Option<String> {
        let mut s = self.sessions.lock().ok()?;
        let live = s.live.get_mut(token)?;
        if live.last.elapsed() >= SESSION_IDLE {
            s.live.remove(token);
            return None;
        }
        live.last = Instant::now();
        Some(live.csrf.clone())
    }

    fn end(&self, token: &str) {
        if let Ok(mut s) = self.sessions.lock() {
            s.live.remove(token);
        }
    }
}

/// What the page's handlers share.
#[derive(Debug, Clone)]
pub struct WebState {
    pub ctx: Arc<Ctx>,
    pub web: Arc<Web>,
}

/// Headers every answer under `/ui` carries.
async fn headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // `same-origin`, not `no-referrer`: under `no-referrer` browsers send `Origin: null` with
    // the page's own form posts, which the origin check must refuse. Other sites still get no
    // referrer.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// The `/ui` router, to be nested in the TCP listener's app (after its `Host` check).
pub fn router(state: WebState) -> Router {
    let import = Router::new().route("/import", post(carry::import)).layer(
        axum::extract::DefaultBodyLimit::max(carry::MAX_UPLOAD + 64 * 1024),
    );
    Router::new()
        .route("/", get(browse::home))
        .route("/search", get(browse::search))
        .route("/events", get(live::events))
        .route("/login", get(pages::login))
        .route("/logout", post(pages::logout))
        .route("/lang", post(pages::set_language))
        .route("/records/{id}", get(pages::record))
        .route("/records/{id}/endorse", post(pages::endorse))
        .route("/records/{id}/retract", post(pages::retract))
        .route("/records/{id}/correct", get(publish::correct))
        .route("/publish", get(publish::form).post(publish::submit))
        .route("/profile", get(publish::profile))
        .route(
            "/partners",
            get(network::partners).post(network::set_partner),
        )
        .route("/policy", post(network::set_policy))
        .route("/network", get(network::network))
        .route("/sync", post(network::sync))
        .route("/dial", post(network::dial))
        .route("/invite", post(network::invite))
        .route("/join", post(network::join))
        .route("/members/admin", post(network::member_admin))
        .route("/members/remove", post(network::member_remove))
        .route("/members/leave", post(network::member_leave))
        .route("/members/rekey", post(network::member_rekey))
        .route("/panic", get(network::panic_form).post(network::panic))
        .route("/carry", get(carry::carry))
        .route("/export", post(carry::export))
        .route("/static/{file}", get(pages::static_file))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .merge(import)
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(headers))
        .with_state(state)
}
