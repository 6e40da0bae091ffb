//! Browsing: the home page (campaign calls open now or coming, then the newest records, with
//! filters by pillar, kind, author and date, and live rows over SSE) and the search page. Both
//! read through the same `Service` queries as `wsf list` and `wsf search`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use wsf_protocol::api::{ListRequest, ListResponse, RecordInfo, SearchRequest};
use wsf_protocol::display::neutralise_line;
use wsf_protocol::{Content, Kind, Pillar};

use super::WebState;
use super::i18n::Texts;
use super::pages::{Frame, Row, author_text, frame, html, row, when};

/// Records per page.
const PAGE: usize = 50;
/// Campaign calls shown as "open now or coming".
const UPCOMING: usize = 8;
/// Co-signers named on an upcoming call's card.
const COSIGNERS_SHOWN: usize = 3;

/// The filters of the home and search pages, as typed in their GET forms.
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct Filters {
    #[serde(default)]
    q: String,
    #[serde(default)]
    pillar: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    cursor: Option<String>,
}

impl Filters {
    fn any(&self) -> bool {
        !(self.pillar.is_empty()
            && self.kind.is_empty()
            && self.author.trim().is_empty()
            && self.since.is_empty()
            && self.until.is_empty())
    }

    /// The query string of these filters (without the cursor), for the next-page link.
    fn query(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("pillar", &self.pillar),
            ("kind", &self.kind),
            ("author", &self.author),
            ("since", &self.since),
            ("until", &self.until),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        s.finish()
    }

    /// The list request these filters make, or what is wrong with them.
    fn request(&self, t: &Texts) -> Result<ListRequest, String> {
        let mut req = ListRequest {
            limit: Some(PAGE),
            cursor: self.cursor.clone().filter(|c| !c.is_empty()),
            ..ListRequest::default()
        };
        if !self.pillar.is_empty() {
            req.pillars = vec![
                self.pillar
                    .parse::<Pillar>()
                    .map_err(|e| format!("{}: {e}", t.get("field-pillars")))?,
            ];
        }
        if !self.kind.is_empty() {
            req.kinds = vec![Kind::parse(&self.kind).ok_or_else(|| t.get("filter-bad-kind"))?];
        }
        let author = self.author.trim();
        if !author.is_empty() {
            req.author = Some(author.to_owned());
        }
        let date = |s: &str, end: bool| -> Result<Option<u64>, String> {
            if s.is_empty() {
                return Ok(None);
            }
            let d: jiff::civil::Date = s.parse().map_err(|_| t.get("form-not-date"))?;
            let z = d
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map_err(|_| t.get("form-not-date"))?;
            let ms = u64::try_from(z.timestamp().as_millisecond())
                .map_err(|_| t.get("form-not-date"))?;
            Ok(Some(if end { ms + 86_400_000 - 1 } else { ms }))
        };
        req.since = date(&self.since, false)?;
        req.until = date(&self.until, true)?;
        Ok(req)
    }
}

/// A campaign call as the "open now or coming" list shows it.
pub(super) struct Upcoming {
    id: String,
    title: String,
    dates: String,
    place: String,
    cosigned: String,
    author: String,
    /// The first co-signers (partners first), as the trust markers show them.
    cosigners: String,
}

fn upcoming(t: &Texts, r: &RecordInfo) -> Option<Upcoming> {
    let Content::Campaign(c) = &r.content else {
        return None;
    };
    if r.ended || r.expired {
        return None;
    }
    let day = |ms: u64| when(ms).split(' ').next().unwrap_or_default().to_owned();
    let dates = match (c.starts, c.ends) {
        (Some(s), Some(e)) => format!("{} – {}", day(s), day(e)),
        (Some(s), None) => format!("{} {}", t.get("from-date"), day(s)),
        (None, Some(e)) => format!("{} {}", t.get("until-date"), day(e)),
        (None, None) => t.get("no-dates"),
    };
    let mut place = Vec::new();
    if c.online {
        place.push(t.get("place-online"));
    }
    if let Some(p) = &c.place {
        place.push(neutralise_line(p).into_owned());
    }
    let counts = r.cosigned.unwrap_or_default();
    let base = row(t, r);
    Some(Upcoming {
        id: base.id,
        title: base.title,
        author: base.author,
        dates,
        place: place.join(" · "),
        cosigners: String::new(),
        cosigned: t.count(
            "record-cosigned",
            &[("partners", counts.partners), ("others", counts.others)],
        ),
    })
}

#[derive(Template)]
#[template(path = "web/home.html")]
struct HomePage {
    f: Frame,
    filters: Filters,
    kinds: Vec<(String, String)>,
    pillars: Vec<String>,
    upcoming: Vec<Upcoming>,
    rows: Vec<Row>,
    next: Option<String>,
    /// Rows arrive live (the first page without filters).
    live: bool,
    problem: String,
    /// On no closed network and without partners: the way in is an invite code.
    first_run: bool,
}

#[derive(Template)]
#[template(path = "web/search.html")]
struct SearchPage {
    f: Frame,
    filters: Filters,
    kinds: Vec<(String, String)>,
    pillars: Vec<String>,
    rows: Vec<Row>,
    next: Option<String>,
    searched: bool,
    problem: String,
}

fn kinds(t: &Texts) -> Vec<(String, String)> {
    Kind::ALL
        .iter()
        .filter(|k| !matches!(k, Kind::Endorsement | Kind::Retraction))
        .map(|k| {
            (
                k.as_str().to_owned(),
                t.get(&format!("kind-{}", k.as_str())),
            )
        })
        .collect()
}

async fn pillars(st: &WebState) -> Vec<String> {
    let svc = &st.ctx.service;
    let mut all: Vec<String> = svc
        .known_pillars(&[])
        .await
        .unwrap_or_default()
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect();
    for p in Pillar::well_known() {
        if !all.iter().any(|x| x == p.as_str()) {
            all.push(p.as_str().to_owned());
        }
    }
    all.sort();
    all
}

fn rows(t: &Texts, page: &ListResponse) -> Vec<Row> {
    page.items.iter().map(|r| row(t, r)).collect()
}

/// `GET /ui/`: campaign calls open now or coming, then the newest records.
pub(super) async fn home(
    State(st): State<WebState>,
    headers: HeaderMap,
    q: Result<Query<Filters>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let f = match frame(&st, &headers) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let filters = q.map(|Query(q)| q).unwrap_or_default();
    let first = !filters.any() && filters.cursor.as_deref().unwrap_or("").is_empty();
    let svc = &st.ctx.service;
    let mut upcoming_calls = Vec::new();
    if first
        && let Ok(calls) = svc
            .list(ListRequest {
                kinds: vec![Kind::Campaign],
                limit: Some(200),
                ..ListRequest::default()
            })
            .await
    {
        let mut open: Vec<(u64, Upcoming)> = calls
            .items
            .iter()
            .filter_map(|r| {
                let Content::Campaign(c) = &r.content else {
                    return None;
                };
                upcoming(&f.t, r).map(|u| (c.starts.unwrap_or(r.ts), u))
            })
            .collect();
        // Soonest first; calls without a start date by their publication.
        open.sort_by_key(|(at, _)| *at);
        upcoming_calls = open.into_iter().take(UPCOMING).map(|(_, u)| u).collect();
        // Who co-signed them: the first few names, partners first.
        for u in &mut upcoming_calls {
            if let Ok(d) = svc.show(&u.id, false).await {
                let names: Vec<String> = d
                    .cosigners
                    .iter()
                    .take(COSIGNERS_SHOWN)
                    .map(|c| author_text(&f.t, &c.author, c.author_info.as_ref()))
                    .collect();
                let more = d.cosigners.len().saturating_sub(COSIGNERS_SHOWN) as u64;
                u.cosigners = names.join(", ");
                if more > 0 {
                    u.cosigners = format!("{} {}", u.cosigners, f.t.n("and-more", more));
                }
            }
        }
    }
    let (rows, next, problem) = match filters.request(&f.t) {
        Ok(req) => match svc.list(req).await {
            Ok(page) => (rows(&f.t, &page), page.next, String::new()),
            Err(e) => (Vec::new(), None, e.to_string()),
        },
        Err(e) => (Vec::new(), None, e),
    };
    let status = if problem.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let first_run = first
        && svc.data().network_key().ok().flatten().is_none()
        && svc.partners().await.map(|p| p.is_empty()).unwrap_or(false);
    let page = HomePage {
        first_run,
        kinds: kinds(&f.t),
        pillars: pillars(&st).await,
        upcoming: upcoming_calls,
        rows,
        next,
        live: first,
        problem,
        filters,
        f,
    };
    html(status, page.render())
}

/// `GET /ui/search?q=…`: full-text search, with the same filters.
pub(super) async fn search(
    State(st): State<WebState>,
    headers: HeaderMap,
    q: Result<Query<Filters>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let f = match frame(&st, &headers) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let filters = q.map(|Query(q)| q).unwrap_or_default();
    let searched = !filters.q.trim().is_empty();
    let (rows, next, problem) = if !searched {
        (Vec::new(), None, String::new())
    } else {
        match filters.request(&f.t) {
            Ok(req) => {
                let req = SearchRequest {
                    text: filters.q.trim().to_owned(),
                    pillars: req.pillars,
                    kinds: req.kinds,
                    author: req.author,
                    limit: req.limit,
                    cursor: req.cursor,
                    ..SearchRequest::default()
                };
                match st.ctx.service.search(req).await {
                    Ok(page) => (rows(&f.t, &page), page.next, String::new()),
                    Err(e) => (Vec::new(), None, e.to_string()),
                }
            }
            Err(e) => (Vec::new(), None, e),
        }
    };
    let status = if problem.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = SearchPage {
        kinds: kinds(&f.t),
        pillars: pillars(&st).await,
        rows,
        next,
        searched,
        problem,
        filters,
        f,
    };
    html(status, page.render())
}
