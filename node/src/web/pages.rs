//! The pages. Each handler reads through the same `Service` the API uses and renders an askama
//! template; peer text is neutralised here and escaped by the template.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wsf_protocol::api::RecordInfo;
use wsf_protocol::display::{self, neutralise_line, neutralise_text};
use wsf_protocol::{Content, Kind};

use super::i18n::{self, Texts};
use super::{LANGUAGES, Web, WebState};

/// What every page's layout needs.
pub(super) struct Frame {
    pub(super) t: Texts,
    pub(super) csrf: String,
    pub(super) languages: Vec<(&'static str, &'static str)>,
    /// The node is locked: the layout shows no menu (nothing but unlock and panic works).
    pub(super) locked: bool,
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn lang_cookie(web: &Web) -> String {
    format!("wsf_lang_{}", web.port)
}

pub(super) fn texts(st: &WebState, headers: &HeaderMap) -> Texts {
    texts_in(&st.web, headers)
}

/// The texts in the language of the request (its cookie, else the browser's).
pub(super) fn texts_in(web: &Web, headers: &HeaderMap) -> Texts {
    let chosen = cookie(headers, &lang_cookie(web));
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Texts::of(i18n::pick(chosen.as_deref(), accept))
}

pub(super) fn html(status: StatusCode, body: Result<String, askama::Error>) -> Response {
    match body {
        Ok(b) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            b,
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot render the page: {e}"),
        )
            .into_response(),
    }
}

#[derive(Template)]
#[template(path = "web/message.html")]
struct MessagePage {
    f: Frame,
    title: String,
    text: String,
}

pub(super) fn message(t: Texts, status: StatusCode, title: &str, text: &str) -> Response {
    let page = MessagePage {
        title: t.get(title),
        text: t.get(text),
        f: Frame {
            t,
            csrf: String::new(),
            languages: Vec::new(),
            locked: false,
        },
    };
    html(status, page.render())
}

/// A message page within a session (its text already made, e.g. with a peer's name in it).
pub(super) fn message_text(f: Frame, status: StatusCode, title: &str, text: String) -> Response {
    let page = MessagePage {
        title: f.t.get(title),
        text,
        f,
    };
    html(status, page.render())
}

/// The session of the request, or the "please log in" page.
pub(super) fn frame(st: &WebState, headers: &HeaderMap) -> Result<Frame, Box<Response>> {
    frame_in(&st.web, headers)
}

/// [`frame`] from the sessions alone (the locked node's pages).
pub(super) fn frame_in(web: &Web, headers: &HeaderMap) -> Result<Frame, Box<Response>> {
    let t = texts_in(web, headers);
    let csrf = cookie(headers, &web.cookie_name()).and_then(|tok| web.session(&tok));
    match csrf {
        Some(csrf) => Ok(Frame {
            t,
            csrf,
            languages: LANGUAGES.iter().map(|(c, n, _)| (*c, *n)).collect(),
            locked: false,
        }),
        None => Err(Box::new(message(
            t,
            StatusCode::UNAUTHORIZED,
            "login-needed-title",
            "login-needed",
        ))),
    }
}

/// A state-changing request must come from our own page: `Sec-Fetch-Site` (when the browser
/// sends it) says same-origin, and the form carries the session's CSRF token.
pub(super) fn check_post(
    st: &WebState,
    headers: &HeaderMap,
    token: &str,
) -> Result<Frame, Box<Response>> {
    check_post_in(&st.web, headers, token)
}

/// [`check_post`] from the sessions alone (the locked node's pages).
pub(super) fn check_post_in(
    web: &Web,
    headers: &HeaderMap,
    token: &str,
) -> Result<Frame, Box<Response>> {
    let f = frame_in(web, headers)?;
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let same_site = matches!(site, None | Some("same-origin"));
    let token_ok = !f.csrf.is_empty() && same(token.as_bytes(), f.csrf.as_bytes());
    if !same_site || !token_ok {
        return Err(Box::new(
            (
                StatusCode::FORBIDDEN,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "refused: this request did not come from this node's own page",
            )
                .into_response(),
        ));
    }
    Ok(f)
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Debug, Deserialize)]
pub(super) struct LoginQuery {
    #[serde(default)]
    code: String,
}

/// `GET /ui/login?code=…`: the link `wsf ui` gives. A good code becomes a session cookie.
pub(super) async fn login(
    State(st): State<WebState>,
    headers: HeaderMap,
    q: Result<Query<LoginQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    login_in(&st.web, &headers, q)
}

/// [`login`] from the sessions alone (the locked node's pages).
pub(super) fn login_in(
    web: &Web,
    headers: &HeaderMap,
    q: Result<Query<LoginQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let code = q.map(|Query(q)| q.code).unwrap_or_default();
    match web.redeem(&code) {
        Some(token) => {
            let name = web.cookie_name();
            home_with_cookie(format!(
                "{name}={token}; HttpOnly; SameSite=Strict; Path=/ui"
            ))
        }
        None => message(
            texts_in(web, headers),
            StatusCode::FORBIDDEN,
            "login-failed-title",
            "login-failed",
        ),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub(super) async fn logout(
    State(st): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let token = form.map(|Form(f)| f.csrf).unwrap_or_default();
    if let Err(r) = check_post(&st, &headers, &token) {
        return *r;
    }
    if let Some(tok) = cookie(&headers, &st.web.cookie_name()) {
        st.web.end(&tok);
    }
    let name = st.web.cookie_name();
    home_with_cookie(format!(
        "{name}=; HttpOnly; SameSite=Strict; Path=/ui; Max-Age=0"
    ))
}

#[derive(Debug, Deserialize)]
pub(super) struct LangForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    lang: String,
}

/// `POST /ui/lang`: the user's language, kept in a cookie.
pub(super) async fn set_language(
    State(st): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<LangForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    set_language_in(&st.web, &headers, form)
}

/// [`set_language`] from the sessions alone (the locked node's pages).
pub(super) fn set_language_in(
    web: &Web,
    headers: &HeaderMap,
    form: Result<Form<LangForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    if let Err(r) = check_post_in(web, headers, &f.csrf) {
        return *r;
    }
    let code = i18n::pick(Some(&f.lang), None);
    let name = lang_cookie(web);
    home_with_cookie(format!(
        "{name}={code}; SameSite=Strict; Path=/ui; Max-Age=31536000"
    ))
}

/// A redirect to the home page that sets one cookie (names and values are ours: hex tokens,
/// language codes).
fn home_with_cookie(set: String) -> Response {
    let mut resp = Redirect::to("/ui/").into_response();
    if let Ok(v) = HeaderValue::from_str(&set) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

/// One line of the record list, every text already made safe to show.
pub(super) struct Row {
    pub(super) id: String,
    pub(super) when: String,
    pub(super) kind: String,
    pub(super) title: String,
    pub(super) author: String,
    pub(super) pillars: String,
    pub(super) state: String,
}

fn kind_label(t: &Texts, k: Kind) -> String {
    t.get(&format!("kind-{}", k.as_str()))
}

fn title_of(c: &Content) -> String {
    let raw = match c {
        Content::Resource(r) => r.title.clone(),
        Content::Practice(p) => p.title.clone(),
        Content::Campaign(c) => c.title.clone(),
        Content::Profile(p) => p.name.clone(),
        Content::Endorsement(e) => e.statement.clone().unwrap_or_default(),
        Content::Retraction(r) => r.reason.clone().unwrap_or_default(),
    };
    neutralise_line(&raw).into_owned()
}

pub(super) fn when(ms: u64) -> String {
    jiff::Timestamp::from_millisecond(i64::try_from(ms).unwrap_or(i64::MAX))
        .map(|ts| ts.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// An author as the trust markers show it, in the page's language: the name (the local name of
/// a partner or blocked author, else the claimed one in quotes), then in parentheses how far
/// this node trusts it, the key's fingerprint unless it is a partner, and a name clash. The
/// same parts as [`display::AuthorView::label`], which the command line shows.
pub(super) fn author_text(
    t: &Texts,
    author: &wsf_protocol::AuthorId,
    view: Option<&display::AuthorView>,
) -> String {
    let Some(v) = view else {
        return display::fingerprint(author);
    };
    let clash = !v.same_name_as.is_empty();
    let claimed = || match &v.claimed_name {
        Some(n) => format!("\u{201c}{}\u{201d}", display::cut(&neutralise_line(n), 60)),
        None => t.get("author-unknown"),
    };
    let local = || {
        v.local_name
            .as_deref()
            .filter(|n| !n.is_empty())
            .map(|n| display::cut(&neutralise_line(n), 60))
            .unwrap_or_else(|| v.fingerprint.clone())
    };
    let (name, mut marks) = match v.trust {
        display::Trust::You => (t.get("author-you"), Vec::new()),
        display::Trust::Partner => (local(), vec![t.get("author-partner")]),
        display::Trust::Blocked => (
            local(),
            vec![t.get("author-blocked"), v.fingerprint.clone()],
        ),
        display::Trust::Vouched => (
            claimed(),
            vec![
                t.n("author-vouched", u64::from(v.vouchers)),
                v.fingerprint.clone(),
            ],
        ),
        display::Trust::Unverified => (
            claimed(),
            vec![t.get("author-unverified"), v.fingerprint.clone()],
        ),
    };
    if clash {
        marks.push(t.get("author-clash"));
    }
    // Fingerprints are left-to-right runs inside a sentence that may be Arabic: isolated
    // (U+2066 … U+2069), so they never reorder the parentheses around them.
    for m in &mut marks {
        if *m == v.fingerprint {
            *m = format!("\u{2066}{m}\u{2069}");
        }
    }
    if marks.is_empty() {
        name
    } else {
        // The Arabic comma in Arabic.
        let sep = if t.dir() == "rtl" { "\u{060c} " } else { ", " };
        format!("{name} ({})", marks.join(sep))
    }
}

fn author_label(t: &Texts, r: &RecordInfo) -> String {
    author_text(t, &r.author, r.author_info.as_ref())
}

pub(super) fn row(t: &Texts, r: &RecordInfo) -> Row {
    let id = r.id.to_string();
    Row {
        id,
        when: when(r.ts),
        kind: kind_label(t, r.content.kind()),
        title: display::cut(&title_of(&r.content), 200),
        author: author_label(t, r),
        pillars: r
            .pillars
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        state: if r.expired {
            t.get("state-expired")
        } else if r.ended {
            t.get("state-ended")
        } else {
            String::new()
        },
    }
}

#[derive(Template)]
#[template(path = "web/record.html")]
struct RecordPage {
    f: Frame,
    row: Row,
    fields: Vec<(String, String)>,
    withdrawn: bool,
    cosigned: String,
    /// This organisation's own record: it may withdraw it, not co-sign it.
    own: bool,
    /// A kind others co-sign (not co-signatures, withdrawals or profiles of others).
    cosignable: bool,
    /// Co-signers by group: partners (and you), others, and those of earlier versions only.
    partners: Vec<(String, String)>,
    others: Vec<(String, String)>,
    earlier: Vec<(String, String)>,
    /// Older versions, newest first: (id, when).
    history: Vec<(String, String)>,
    /// Records this one refers to: (id, title or short id).
    refs: Vec<(String, String)>,
    /// It can be corrected from the page (this organisation's resource, practice, campaign
    /// or profile).
    correctable: bool,
    /// The author's key in hex, its fingerprint, and whether it is a partner or blocked here.
    author_key: String,
    fingerprint: String,
    known: bool,
    /// Others whose name looks like this author's: a warning.
    lookalikes: u64,
    /// Just published from this page.
    published: bool,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RecordQuery {
    #[serde(default)]
    published: Option<String>,
}

/// The fields of a record's content, in the order of its JSON form, labelled in the page's
/// language and made safe; dates are shown as dates.
pub(super) fn fields(t: &Texts, c: &Content) -> Vec<(String, String)> {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(c) else {
        return Vec::new();
    };
    // The title (a profile's name) is the page's heading.
    let heading = if c.kind() == Kind::Profile {
        "name"
    } else {
        "title"
    };
    map.into_iter()
        .filter(|(k, _)| k != "kind" && k != heading)
        .filter_map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) if k == "action" || k == "type" => {
                    t.get(&format!("{k}-{s}"))
                }
                serde_json::Value::String(s) => s,
                serde_json::Value::Bool(true) => "✓".into(),
                serde_json::Value::Bool(false) => return None,
                serde_json::Value::Number(n) if k == "starts" || k == "ends" => when(n.as_u64()?),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Array(a) => a
                    .iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => return None,
            };
            let id = format!("field-{k}");
            let label = t.get(&id);
            let label = if label == id { k } else { label };
            Some((label, neutralise_text(&text).into_owned()))
        })
        .collect()
}

/// `GET /ui/records/{id}`.
pub(super) async fn record(
    State(st): State<WebState>,
    headers: HeaderMap,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
    q: Result<Query<RecordQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let published = q.ok().and_then(|Query(q)| q.published).is_some();
    let f = match frame(&st, &headers) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let Ok(Path(id)) = id else {
        return message(f.t, StatusCode::NOT_FOUND, "not-found-title", "not-found");
    };
    let detail = match st.ctx.service.show(&id, true).await {
        Ok(d) => d,
        Err(_) => return message(f.t, StatusCode::NOT_FOUND, "not-found-title", "not-found"),
    };
    let Some(r) = detail.record.as_ref() else {
        return message(f.t, StatusCode::OK, "record-title", "record-withdrawn");
    };
    let c = r.cosigned.unwrap_or_default();
    let cosigned = f.t.count(
        "record-cosigned",
        &[("partners", c.partners), ("others", c.others)],
    );
    let own = r.author == st.ctx.service.author();
    let who = |c: &wsf_protocol::api::Cosigner| {
        let label = author_text(&f.t, &c.author, c.author_info.as_ref());
        let statement = c
            .statement
            .as_deref()
            .map(|t| neutralise_text(t).into_owned())
            .unwrap_or_default();
        (label, statement)
    };
    let close = |c: &&wsf_protocol::api::Cosigner| {
        c.author_info.as_ref().is_some_and(|v| {
            matches!(
                v.trust,
                wsf_protocol::display::Trust::Partner | wsf_protocol::display::Trust::You
            )
        })
    };
    let partners = detail.cosigners.iter().filter(close).map(who).collect();
    let others = detail
        .cosigners
        .iter()
        .filter(|c| !close(c))
        .map(who)
        .collect();
    let earlier = detail.earlier_cosigners.iter().map(who).collect();
    let history = detail
        .history
        .iter()
        .map(|h| (h.id.to_string(), when(h.ts)))
        .collect();
    let mut refs = Vec::new();
    for target in r.refs.iter().take(32) {
        let text = target.to_string();
        let title = match st.ctx.service.show(&text, false).await {
            Ok(d) => d
                .record
                .map(|x| display::cut(&title_of(&x.content), 120))
                .unwrap_or_else(|| target.short()),
            Err(_) => format!("{} ({})", target.short(), f.t.get("ref-missing")),
        };
        refs.push((text, title));
    }
    let view = r.author_info.as_ref();
    let known = view.is_some_and(|v| {
        matches!(
            v.trust,
            display::Trust::Partner | display::Trust::Blocked | display::Trust::You
        )
    });
    let page = RecordPage {
        refs,
        correctable: own && super::publish::FORM_KINDS.contains(&r.content.kind()),
        author_key: r.author.to_string(),
        fingerprint: display::fingerprint(&r.author),
        known,
        lookalikes: view
            .map(|v| v.same_name_as.len() as u64)
            .unwrap_or_default(),
        published,
        partners,
        others,
        earlier,
        history,
        row: row(&f.t, r),
        fields: fields(&f.t, &r.content),
        withdrawn: detail.retracted_by.is_some(),
        cosigned,
        own,
        cosignable: !matches!(r.content.kind(), Kind::Endorsement | Kind::Retraction),
        f,
    };
    html(StatusCode::OK, page.render())
}

#[derive(Debug, Deserialize)]
pub(super) struct ActForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /ui/records/{id}/endorse` (co-sign, with a statement) and `/retract` (withdraw one's
/// own record; the form's confirmation box must be ticked). Back to the record afterwards.
async fn act(
    st: WebState,
    headers: HeaderMap,
    id: String,
    form: ActForm,
    retract: bool,
) -> Response {
    let f = match check_post(&st, &headers, &form.csrf) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let text = (!form.text.trim().is_empty()).then(|| form.text.trim().replace("\r\n", "\n"));
    let svc = &st.ctx.service;
    let done = if retract {
        if form.confirm.is_empty() {
            return message(
                f.t,
                StatusCode::UNPROCESSABLE_ENTITY,
                "record-title",
                "withdraw-confirm-needed",
            );
        }
        svc.retract(wsf_protocol::api::RetractRequest {
            target: id.clone(),
            reason: text,
        })
        .await
    } else {
        svc.endorse(wsf_protocol::api::EndorseRequest {
            target: id.clone(),
            statement: text,
        })
        .await
    };
    match done {
        Ok((record, published)) => {
            if published.outcome == "stored" {
                crate::control::announce_in(&st.ctx, &record, "local");
            }
            let safe: String = id.chars().filter(char::is_ascii_hexdigit).collect();
            Redirect::to(&format!("/ui/records/{safe}")).into_response()
        }
        Err(e) => {
            let page = MessagePage {
                title: f.t.get("record-title"),
                text: e.to_string(),
                f,
            };
            html(StatusCode::UNPROCESSABLE_ENTITY, page.render())
        }
    }
}

pub(super) async fn endorse(
    State(st): State<WebState>,
    headers: HeaderMap,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
    form: Result<Form<ActForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    match (id, form) {
        (Ok(Path(id)), Ok(Form(form))) => act(st, headers, id, form, false).await,
        _ => StatusCode::BAD_REQUEST.into_response(),
    }
}

pub(super) async fn retract(
    State(st): State<WebState>,
    headers: HeaderMap,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
    form: Result<Form<ActForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    match (id, form) {
        (Ok(Path(id)), Ok(Form(form))) => act(st, headers, id, form, true).await,
        _ => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// The page's static files, embedded in the binary: (name, content type, bytes).
const STATIC: &[(&str, &str, &[u8])] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_bytes!("static/style.css"),
    ),
    (
        "page.js",
        "text/javascript; charset=utf-8",
        include_bytes!("static/page.js"),
    ),
    (
        "htmx-2.0.11.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("static/vendor/htmx-2.0.11.min.js"),
    ),
    (
        "htmx-ext-sse-2.2.4.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("static/vendor/htmx-ext-sse-2.2.4.min.js"),
    ),
];

/// `GET /ui/static/{file}`.
pub(super) async fn static_file(
    State(st): State<WebState>,
    headers: HeaderMap,
    file: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Response {
    match static_response(file) {
        Some(resp) => resp,
        None => not_found(State(st), headers).await,
    }
}

/// One of the page's static files, or `None` for an unknown name.
pub(super) fn static_response(
    file: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Option<Response> {
    let (_, kind, bytes) = file
        .ok()
        .and_then(|Path(name)| STATIC.iter().find(|(n, _, _)| *n == name))?;
    Some(
        (
            [
                (header::CONTENT_TYPE, *kind),
                (header::CACHE_CONTROL, "max-age=3600"),
            ],
            *bytes,
        )
            .into_response(),
    )
}

pub(super) async fn not_found(State(st): State<WebState>, headers: HeaderMap) -> Response {
    message(
        texts(&st, &headers),
        StatusCode::NOT_FOUND,
        "not-found-title",
        "not-found",
    )
}
