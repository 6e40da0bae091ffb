//! Carrying records on a USB stick: export a bundle (a download, streamed as it is written:
//! the browser shows its progress) and import one (an upload: the browser, or the page's
//! script with htmx, shows the upload's progress; then every record is verified as if it came
//! from a peer, and the page says what was kept and what was refused, by reason).

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use wsf_protocol::Pillar;
use wsf_protocol::api::IngestReport;

use super::WebState;
use super::pages::{Frame, check_post, frame, html};
use crate::transfer::{self, Chunk};

/// The largest bundle the page takes (a bigger one: `wsf import` from the command line).
pub const MAX_UPLOAD: usize = 1 << 30;

#[derive(Template)]
#[template(path = "web/carry.html")]
struct CarryPage {
    f: Frame,
    pillars: Vec<String>,
    records: u64,
    /// After an import: the file's name and what happened.
    report: Option<(String, IngestReport)>,
    rejected: Vec<(String, u64)>,
    error: String,
}

async fn carry_page(
    st: &WebState,
    f: Frame,
    report: Option<(String, IngestReport)>,
    error: String,
) -> Response {
    let svc = &st.ctx.service;
    let pillars = svc
        .known_pillars(&[])
        .await
        .unwrap_or_default()
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect();
    let records = svc.counts().await.map(|c| c.records).unwrap_or_default();
    let rejected = report
        .as_ref()
        .map(|(_, r)| {
            r.rejected
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect()
        })
        .unwrap_or_default();
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CarryPage {
        pillars,
        records,
        report,
        rejected,
        error,
        f,
    };
    html(status, page.render())
}

/// `GET /ui/carry`.
pub(super) async fn carry(State(st): State<WebState>, headers: HeaderMap) -> Response {
    let f = match frame(&st, &headers) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    carry_page(&st, f, None, String::new()).await
}

/// `POST /ui/export` (`pillar` any number of times; none: everything): the bundle as a
/// download.
pub(super) async fn export(
    State(st): State<WebState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let mut csrf = String::new();
    let mut pillars = Vec::new();
    let mut bad = None;
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "csrf" => csrf = v.into_owned(),
            "pillar" if !v.is_empty() => match v.parse::<Pillar>() {
                Ok(p) => pillars.push(p),
                Err(e) => bad = Some(e.to_string()),
            },
            _ => {}
        }
    }
    let f = match check_post(&st, &headers, &csrf) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    if let Some(e) = bad {
        return carry_page(&st, f, None, e).await;
    }
    let svc = &st.ctx.service;
    let stream =
        crate::control::export_stream(svc.store().clone(), svc.ingest().network(), pillars);
    let day = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    let mut resp = axum::body::Body::from_stream(stream).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"wsf-{day}.wsf\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// Why an upload could not be read.
fn upload_error(e: impl std::fmt::Display) -> String {
    format!("the upload could not be read: {e}")
}

/// `POST /ui/import` (multipart: `csrf` first, then `bundle`, the file).
pub(super) async fn import(
    State(st): State<WebState>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    // The token comes first, so nothing of a forged request is written to disk.
    let csrf = match multipart.next_field().await {
        Ok(Some(field)) if field.name() == Some("csrf") => field.text().await.unwrap_or_default(),
        _ => String::new(),
    };
    let f = match check_post(&st, &headers, &csrf) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    // An encrypted bundle's passphrase comes before the file (the form's order).
    let mut passphrase: Option<zeroize::Zeroizing<Vec<u8>>> = None;
    let mut field = loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("bundle") => break field,
            Ok(Some(field)) if field.name() == Some("bundle_passphrase") => {
                let bytes = field.bytes().await.unwrap_or_default();
                if !bytes.is_empty() && bytes.len() <= 1024 {
                    passphrase = Some(zeroize::Zeroizing::new(bytes.to_vec()));
                }
            }
            Ok(Some(_)) => continue,
            Ok(None) => {
                let e = f.t.get("import-no-file");
                return carry_page(&st, f, None, e).await;
            }
            Err(e) => return carry_page(&st, f, None, upload_error(e)).await,
        }
    };
    let name =
        wsf_protocol::display::neutralise_line(field.file_name().unwrap_or("bundle")).into_owned();
    // Written to a private file in the data dir, read back by the bundle reader, removed.
    let path = st
        .ctx
        .service
        .data()
        .root()
        .join(format!("upload-{}.wsf.part", crate::ingest::now_ms()));
    let written = async {
        let mut file = tokio::fs::File::create(&path).await?;
        let mut size = 0usize;
        while let Some(chunk) = field.chunk().await.map_err(std::io::Error::other)? {
            size += chunk.len();
            if size > MAX_UPLOAD {
                return Err(std::io::Error::other(format!(
                    "larger than {} MiB; use `wsf import` for it",
                    MAX_UPLOAD >> 20
                )));
            }
            file.write_all(&chunk).await?;
        }
        file.flush().await?;
        Ok::<_, std::io::Error>(())
    }
    .await;
    if let Err(e) = written {
        let _ = tokio::fs::remove_file(&path).await;
        return carry_page(&st, f, None, upload_error(e)).await;
    }
    let outcome = import_file(&st, &path, passphrase).await;
    let _ = tokio::fs::remove_file(&path).await;
    match outcome {
        Ok((report, None)) => carry_page(&st, f, Some((name, report)), String::new()).await,
        Ok((report, Some(problem))) => carry_page(&st, f, Some((name, report)), problem).await,
        Err(e) => carry_page(&st, f, None, e).await,
    }
}

/// Runs every envelope of the bundle at `path` through ingest, gossiping what is stored (as
/// `wsf import` does); the problem with the file, if reading stopped early.
async fn import_file(
    st: &WebState,
    path: &std::path::Path,
    passphrase: Option<zeroize::Zeroizing<Vec<u8>>>,
) -> Result<(IngestReport, Option<String>), String> {
    let file = std::fs::File::open(path).map_err(upload_error)?;
    let (tx, mut rx) = mpsc::channel::<Chunk>(transfer::IMPORT_IN_FLIGHT);
    // With a passphrase the file is read as an encrypted bundle (the key is derived on the
    // reading thread); without one an encrypted bundle is refused with its reason.
    let reader = tokio::task::spawn_blocking(move || match passphrase {
        Some(p) => transfer::read_sealed_bundle(file, p, tx),
        None => transfer::read_bundle(file, tx),
    });
    match rx.recv().await {
        Some(Chunk::Header(_)) => {}
        Some(Chunk::End(Some(e))) => return Err(e.to_string()),
        _ => return Err("not a wsf bundle".into()),
    }
    let mut total = IngestReport::default();
    let mut problem = None;
    while let Some(chunk) = rx.recv().await {
        match chunk {
            Chunk::Batch(batch, _) => {
                let r = crate::control::ingest_and_announce(&st.ctx, batch)
                    .await
                    .map_err(|e| e.to_string())?;
                total.stored += r.stored;
                total.duplicate += r.duplicate;
                total.expired += r.expired;
                for (k, v) in r.rejected {
                    *total.rejected.entry(k).or_default() += v;
                }
            }
            Chunk::End(e) => {
                problem = e.map(|e| e.to_string());
                break;
            }
            Chunk::Header(_) => {}
        }
    }
    let _ = reader.await;
    Ok((total, problem))
}
