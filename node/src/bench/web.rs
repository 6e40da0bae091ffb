//! `wsf bench web`: how long the web page's main pages take to render (request in, whole HTML
//! out, through the page's router in this process: store reads, templates and translation,
//! not the browser) over a store of many records, in English and Arabic.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, header};
use serde::Serialize;
use tokio::sync::{broadcast, watch};
use tower::ServiceExt;

use super::{Error, percentile};
use crate::control::Ctx;
use crate::datadir::DataDir;
use crate::service::Service;
use crate::transfer::IMPORT_BATCH;
use crate::web::{Web, WebState};

/// One page's render times.
#[derive(Debug, Clone, Serialize)]
pub struct PageFigures {
    pub page: String,
    pub language: String,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub bytes: usize,
}

/// What `wsf bench web` measured.
#[derive(Debug, Clone, Serialize)]
pub struct WebFigures {
    pub records: usize,
    pub runs: usize,
    pub pages: Vec<PageFigures>,
}

fn setup(e: impl std::fmt::Display) -> Error {
    Error::Setup(e.to_string())
}

/// Runs the benchmark: `records` corpus records in a store in `dir`, then each page `runs`
/// times one after the other, per language.
pub async fn web(records: usize, runs: usize, dir: &Path) -> Result<WebFigures, Error> {
    let n = records.max(1);
    let sample = tokio::task::spawn_blocking(move || super::corpus(n, 13))
        .await
        .map_err(setup)??;
    let middle = sample[n / 2].id().to_string();
    let data = DataDir::new(dir.join("web-bench"));
    let service = tokio::task::spawn_blocking(move || Service::open(data))
        .await
        .map_err(setup)?
        .map_err(setup)?;
    for batch in sample.chunks(IMPORT_BATCH) {
        service.store().insert(batch.to_vec()).await?;
    }
    drop(sample);
    let word = super::search::queries(1, 13)
        .into_iter()
        .next()
        .unwrap_or_else(|| "education".into());
    let (events, _) = broadcast::channel(16);
    let (_stop, shutdown) = watch::channel(false);
    let web = Arc::new(Web::new(0));
    let router = crate::web::router(WebState {
        ctx: Arc::new(Ctx {
            service: service.clone(),
            net: None,
            events,
            api_addr: String::new(),
            shutdown,
            restart: None,
        }),
        web: web.clone(),
    });
    // Log in as a person would: a login code becomes the session cookie.
    let code = web
        .login_code()
        .ok_or_else(|| setup("no randomness for a login code"))?;
    let login = router
        .clone()
        .oneshot(
            Request::get(format!("/login?code={code}"))
                .body(Body::empty())
                .map_err(setup)?,
        )
        .await
        .map_err(setup)?;
    let cookie = login
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or_else(|| setup("the login set no cookie"))?
        .to_owned();
    let query: String = form_urlencoded::byte_serialize(word.as_bytes()).collect();
    let pages = [
        ("home", "/".to_owned()),
        ("home, one pillar", "/?pillar=education".to_owned()),
        ("record", format!("/records/{middle}")),
        ("search", format!("/search?q={query}")),
        ("publish form", "/publish".to_owned()),
        ("partners", "/partners".to_owned()),
    ];
    let mut out = Vec::new();
    for language in ["en", "ar"] {
        for (name, path) in &pages {
            let mut times = Vec::with_capacity(runs);
            let mut bytes = 0;
            for _ in 0..runs.max(1) {
                let req = Request::get(path.as_str())
                    .header(header::COOKIE, cookie.as_str())
                    .header(header::ACCEPT_LANGUAGE, language)
                    .body(Body::empty())
                    .map_err(setup)?;
                let t = Instant::now();
                let resp = router.clone().oneshot(req).await.map_err(setup)?;
                let status = resp.status();
                let body = axum::body::to_bytes(resp.into_body(), 16 << 20)
                    .await
                    .map_err(setup)?;
                times.push(t.elapsed().as_secs_f64() * 1_000.0);
                if !status.is_success() {
                    return Err(setup(format!("{path} answered {status}")));
                }
                bytes = body.len();
            }
            times.sort_by(|a, b| a.total_cmp(b));
            out.push(PageFigures {
                page: (*name).to_owned(),
                language: language.to_owned(),
                p50_ms: percentile(&times, 0.5),
                p99_ms: percentile(&times, 0.99),
                bytes,
            });
        }
    }
    service.store().clone().close().await?;
    Ok(WebFigures {
        records: n,
        runs: runs.max(1),
        pages: out,
    })
}
