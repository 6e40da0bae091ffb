//! Publishing from the page: one form per kind (resource, good practice, campaign call,
//! profile), every field labelled and every error shown next to the field it concerns; then a
//! review of exactly what will be signed; then the signature. A correction is the same form,
//! prefilled from the current version, whose record supersedes it. Both steps are POSTs with
//! the CSRF token; the review step signs nothing that leaves the node.

use std::collections::BTreeMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Map, Value};
use wsf_protocol::api::{ListRequest, PublishRequest};
use wsf_protocol::display::neutralise_text;
use wsf_protocol::{Action, Content, Kind, Pillar, ResourceType};

use super::WebState;
use super::pages::{Frame, check_post, fields, frame, html, message};

/// How a field is typed in.
#[derive(Debug, Clone, Copy)]
enum Input {
    /// One line of text.
    Line,
    /// Several lines.
    Text,
    /// `<input type="date">`; an end date means the end of that day (UTC).
    Date {
        end: bool,
    },
    Url,
    Check,
    /// One of these wire names (labelled `{prefix}-{name}`).
    Choice {
        prefix: &'static str,
        names: fn() -> Vec<&'static str>,
    },
    /// A list, separated by commas or lines.
    List,
}

/// One field of a form: its content field name, how it is typed, whether it must be given.
#[derive(Debug, Clone, Copy)]
struct Field {
    name: &'static str,
    input: Input,
    required: bool,
}

const fn f(name: &'static str, input: Input, required: bool) -> Field {
    Field {
        name,
        input,
        required,
    }
}

fn resource_types() -> Vec<&'static str> {
    ResourceType::ALL.iter().map(|t| t.as_str()).collect()
}

fn actions() -> Vec<&'static str> {
    Action::ALL.iter().map(|a| a.as_str()).collect()
}

const RESOURCE: &[Field] = &[
    f("title", Input::Line, true),
    f(
        "type",
        Input::Choice {
            prefix: "type",
            names: resource_types,
        },
        true,
    ),
    f("summary", Input::Text, false),
    f("body", Input::Text, false),
    f("url", Input::Url, false),
    f("language", Input::Line, false),
    f("license", Input::Line, false),
];

const PRACTICE: &[Field] = &[
    f("title", Input::Line, true),
    f("approach", Input::Text, true),
    f("context", Input::Text, false),
    f("country", Input::Line, false),
    f("region", Input::Line, false),
    f("challenge", Input::Text, false),
    f("outcome", Input::Text, false),
    f("lessons", Input::Text, false),
    f("url", Input::Url, false),
];

const CAMPAIGN: &[Field] = &[
    f("title", Input::Line, true),
    f(
        "action",
        Input::Choice {
            prefix: "action",
            names: actions,
        },
        true,
    ),
    f("call", Input::Text, true),
    f("online", Input::Check, false),
    f("place", Input::Line, false),
    f("description", Input::Text, false),
    f("starts", Input::Date { end: false }, false),
    f("ends", Input::Date { end: true }, false),
    f("target", Input::Line, false),
    f("url", Input::Url, false),
];

const PROFILE: &[Field] = &[
    f("name", Input::Line, true),
    f("description", Input::Text, false),
    f("website", Input::Url, false),
    f("countries", Input::List, false),
    f("contact", Input::Line, false),
];

/// The kinds published through a form.
pub(super) const FORM_KINDS: [Kind; 4] = [
    Kind::Campaign,
    Kind::Resource,
    Kind::Practice,
    Kind::Profile,
];

fn form_of(kind: Kind) -> &'static [Field] {
    match kind {
        Kind::Resource => RESOURCE,
        Kind::Practice => PRACTICE,
        Kind::Profile => PROFILE,
        _ => CAMPAIGN,
    }
}

/// The form's values, as typed (kept when the form comes back with errors).
#[derive(Debug, Clone)]
struct Values {
    kind: Kind,
    /// Field name → text as typed (a ticked box is `"1"`).
    by_name: BTreeMap<String, String>,
    pillars: Vec<String>,
    /// The id of the version this one corrects (empty: a new record).
    supersedes: String,
}

impl Values {
    fn new(kind: Kind) -> Values {
        let mut by_name = BTreeMap::new();
        if kind == Kind::Campaign {
            by_name.insert("online".into(), "1".into());
        }
        Values {
            kind,
            by_name,
            pillars: if kind == Kind::Profile {
                Pillar::well_known()
                    .iter()
                    .map(|p| p.as_str().to_owned())
                    .collect()
            } else {
                Vec::new()
            },
            supersedes: String::new(),
        }
    }

    fn get(&self, name: &str) -> &str {
        self.by_name.get(name).map(String::as_str).unwrap_or("")
    }

    /// The values of a form post, with its CSRF token and step.
    fn parse(body: &[u8]) -> (Values, String, String) {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let kind = pairs
            .iter()
            .find(|(k, _)| k == "kind")
            .and_then(|(_, v)| Kind::parse(v))
            .filter(|k| FORM_KINDS.contains(k))
            .unwrap_or(Kind::Campaign);
        let mut v = Values {
            kind,
            by_name: BTreeMap::new(),
            pillars: Vec::new(),
            supersedes: String::new(),
        };
        let (mut csrf, mut step) = (String::new(), String::new());
        let known = form_of(kind);
        for (k, val) in pairs {
            match k.as_str() {
                "pillar" => v.pillars.push(val),
                "csrf" => csrf = val,
                "step" => step = val,
                "supersedes" => v.supersedes = val,
                name => {
                    if let Some(field) = known.iter().find(|f| f.name == name) {
                        v.by_name.insert(field.name.to_owned(), val);
                    }
                }
            }
        }
        (v, csrf, step)
    }

    /// The values of a record's current content, for a correction form.
    fn of_record(content: &Content, pillars: &[Pillar], id: &str) -> Values {
        let mut v = Values::new(content.kind());
        v.by_name.clear();
        v.supersedes = id.to_owned();
        v.pillars = pillars.iter().map(|p| p.as_str().to_owned()).collect();
        let Ok(Value::Object(map)) = serde_json::to_value(content) else {
            return v;
        };
        for field in form_of(content.kind()) {
            let text = match (map.get(field.name), field.input) {
                (None, _) => continue,
                (Some(Value::Bool(b)), _) => {
                    if *b {
                        "1".to_owned()
                    } else {
                        continue;
                    }
                }
                (Some(Value::Number(n)), Input::Date { .. }) => {
                    let Some(ms) = n.as_i64() else { continue };
                    match jiff::Timestamp::from_millisecond(ms) {
                        Ok(t) => t.strftime("%Y-%m-%d").to_string(),
                        Err(_) => continue,
                    }
                }
                (Some(Value::Array(a)), _) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                (Some(Value::String(s)), _) => s.clone(),
                (Some(other), _) => other.to_string(),
            };
            v.by_name.insert(field.name.to_owned(), text);
        }
        v
    }

    /// Every (name, value) the review page carries over in hidden fields.
    fn hidden(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .by_name
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.extend(
            self.pillars
                .iter()
                .map(|p| ("pillar".to_owned(), p.clone())),
        );
        if !self.supersedes.is_empty() {
            out.push(("supersedes".into(), self.supersedes.clone()));
        }
        out.push(("kind".into(), self.kind.as_str().to_owned()));
        out
    }
}

/// One problem, tied to the field it concerns (`""`: the form as a whole).
#[derive(Debug)]
struct Problem {
    field: String,
    text: String,
}

fn problem(field: &str, text: String) -> Problem {
    Problem {
        field: field.to_owned(),
        text,
    }
}

/// Trimmed text with Windows line ends made plain; `None` when empty.
fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.replace("\r\n", "\n"))
}

/// A date from `<input type="date">`: its start (or, for an end, its last millisecond), UTC.
fn day(s: &str, end: bool) -> Option<u64> {
    let d: jiff::civil::Date = s.trim().parse().ok()?;
    let z = d.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    let ms = u64::try_from(z.timestamp().as_millisecond()).ok()?;
    Some(if end { ms + 86_400_000 - 1 } else { ms })
}

/// The request the values make, or the problems with them (in the page's language).
fn request(f: &Frame, v: &Values) -> Result<PublishRequest, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut content = Map::new();
    content.insert("kind".into(), Value::from(v.kind.as_str()));
    for field in form_of(v.kind) {
        let raw = v.get(field.name);
        let given = opt(raw);
        if field.required && given.is_none() {
            problems.push(problem(field.name, f.t.get("form-required")));
            continue;
        }
        let value = match (field.input, given) {
            (Input::Check, _) => Value::Bool(!raw.is_empty()),
            (_, None) => continue,
            (Input::Date { end }, Some(text)) => match day(&text, end) {
                Some(ms) => Value::from(ms),
                None => {
                    problems.push(problem(field.name, f.t.get("form-not-date")));
                    continue;
                }
            },
            (Input::Choice { names, .. }, Some(text)) => {
                if !names().contains(&text.as_str()) {
                    problems.push(problem(field.name, f.t.get("form-choose")));
                    continue;
                }
                Value::from(text)
            }
            (Input::List, Some(text)) => Value::Array(
                text.split([',', '\n'])
                    .filter_map(opt)
                    .map(Value::from)
                    .collect(),
            ),
            (_, Some(text)) => Value::from(text),
        };
        content.insert(field.name.to_owned(), value);
    }
    if v.kind == Kind::Campaign && v.get("online").is_empty() && opt(v.get("place")).is_none() {
        problems.push(problem("place", f.t.get("form-place-needed")));
    }
    let mut pillars = Vec::new();
    for p in &v.pillars {
        match p.parse::<Pillar>() {
            Ok(p) => pillars.push(p),
            Err(e) => problems.push(problem("pillars", e.to_string())),
        }
    }
    if pillars.is_empty() {
        problems.push(problem("pillars", f.t.get("form-pillar-needed")));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let content: Content = serde_json::from_value(Value::Object(content))
        .map_err(|e| vec![problem("", e.to_string())])?;
    pillars.sort();
    pillars.dedup();
    Ok(PublishRequest {
        pillars,
        expires: None,
        supersedes: opt(&v.supersedes),
        refs: Vec::new(),
        new_pillars: Vec::new(),
        content,
    })
}

/// Which field an error of the record rules concerns (their messages name the field).
fn field_of(kind: Kind, message: &str) -> String {
    for field in form_of(kind) {
        if message.contains(&format!("content.{}", field.name)) {
            return field.name.to_owned();
        }
    }
    if message.contains("pillar") {
        return "pillars".into();
    }
    String::new()
}

/// One field as the form template draws it.
#[derive(Debug)]
pub(super) struct Shown {
    name: &'static str,
    label: String,
    /// `line`, `text`, `date`, `url`, `check`, `choice` or `list`.
    input: &'static str,
    value: String,
    required: bool,
    /// (wire name, label) of a choice.
    options: Vec<(String, String)>,
    error: String,
    hint: String,
}

#[derive(Template)]
#[template(path = "web/publish.html")]
struct FormPage {
    f: Frame,
    kind: String,
    heading: String,
    /// (kind, label, is this one) for the kind switcher; empty on a correction.
    kinds: Vec<(String, String, bool)>,
    fields: Vec<Shown>,
    pillars: Vec<(String, bool)>,
    pillars_error: String,
    general_error: String,
    any_error: bool,
    supersedes: String,
}

#[derive(Template)]
#[template(path = "web/review.html")]
struct ReviewPage {
    f: Frame,
    hidden: Vec<(String, String)>,
    shown: Vec<(String, String)>,
    correction: bool,
}

fn form_page(f: Frame, v: &Values, problems: &[Problem]) -> FormPage {
    let error_of = |name: &str| {
        problems
            .iter()
            .filter(|p| p.field == name)
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let shown = form_of(v.kind)
        .iter()
        .map(|field| {
            let (input, options) = match field.input {
                Input::Line => ("line", Vec::new()),
                Input::Text => ("text", Vec::new()),
                Input::Date { .. } => ("date", Vec::new()),
                Input::Url => ("url", Vec::new()),
                Input::Check => ("check", Vec::new()),
                Input::List => ("list", Vec::new()),
                Input::Choice { prefix, names } => (
                    "choice",
                    names()
                        .into_iter()
                        .map(|n| (n.to_owned(), f.t.get(&format!("{prefix}-{n}"))))
                        .collect(),
                ),
            };
            let hint_id = format!("hint-{}-{}", v.kind.as_str(), field.name);
            let hint = f.t.get(&hint_id);
            Shown {
                name: field.name,
                label: label(&f, v.kind, field.name),
                input,
                value: v.get(field.name).to_owned(),
                required: field.required,
                options,
                error: error_of(field.name),
                hint: if hint == hint_id { String::new() } else { hint },
            }
        })
        .collect();
    let mut slugs: Vec<String> = Pillar::well_known()
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect();
    for p in &v.pillars {
        if !slugs.contains(p) && p.parse::<Pillar>().is_ok() {
            slugs.push(p.clone());
        }
    }
    let pillars = slugs
        .into_iter()
        .map(|s| {
            let on = v.pillars.contains(&s);
            (s, on)
        })
        .collect();
    let correcting = !v.supersedes.is_empty();
    let kinds = if correcting {
        Vec::new()
    } else {
        FORM_KINDS
            .iter()
            .map(|k| {
                (
                    k.as_str().to_owned(),
                    f.t.get(&format!("publish-{}", k.as_str())),
                    *k == v.kind,
                )
            })
            .collect()
    };
    let heading = if correcting {
        f.t.get("correct-title")
    } else {
        f.t.get(&format!("publish-{}", v.kind.as_str()))
    };
    FormPage {
        kind: v.kind.as_str().to_owned(),
        heading,
        kinds,
        fields: shown,
        pillars,
        pillars_error: error_of("pillars"),
        general_error: error_of(""),
        any_error: !problems.is_empty(),
        supersedes: v.supersedes.clone(),
        f,
    }
}

/// A field's label: the kind's own wording when it has one (`field-campaign-description`),
/// else the common one (`field-description`).
fn label(f: &Frame, kind: Kind, name: &str) -> String {
    let own = format!("field-{}-{name}", kind.as_str());
    let text = f.t.get(&own);
    if text != own {
        return text;
    }
    f.t.get(&format!("field-{name}"))
}

#[derive(Debug, Deserialize)]
pub(super) struct FormQuery {
    #[serde(default)]
    kind: Option<String>,
}

/// `GET /ui/publish?kind=…`: the empty form of a kind (a campaign call by default).
pub(super) async fn form(
    State(st): State<WebState>,
    headers: HeaderMap,
    q: Result<Query<FormQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let f = match frame(&st, &headers) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let kind = q
        .ok()
        .and_then(|Query(q)| q.kind)
        .and_then(|k| Kind::parse(&k))
        .filter(|k| FORM_KINDS.contains(k))
        .unwrap_or(Kind::Campaign);
    html(
        StatusCode::OK,
        form_page(f, &Values::new(kind), &[]).render(),
    )
}

/// `GET /ui/records/{id}/correct`: the form prefilled from this organisation's record.
pub(super) async fn correct(
    State(st): State<WebState>,
    headers: HeaderMap,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Response {
    let f = match frame(&st, &headers) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let Ok(Path(id)) = id else {
        return message(f.t, StatusCode::NOT_FOUND, "not-found-title", "not-found");
    };
    let svc = &st.ctx.service;
    let Ok(detail) = svc.show(&id, false).await else {
        return message(f.t, StatusCode::NOT_FOUND, "not-found-title", "not-found");
    };
    let Some(r) = detail.record.as_ref() else {
        return message(f.t, StatusCode::NOT_FOUND, "not-found-title", "not-found");
    };
    if r.author != svc.author() || !FORM_KINDS.contains(&r.content.kind()) {
        return message(
            f.t,
            StatusCode::FORBIDDEN,
            "correct-title",
            "correct-not-own",
        );
    }
    let v = Values::of_record(&r.content, &r.pillars, &r.id.to_string());
    html(StatusCode::OK, form_page(f, &v, &[]).render())
}

/// `GET /ui/profile`: the correction form of this organisation's newest profile, or a new one.
pub(super) async fn profile(State(st): State<WebState>, headers: HeaderMap) -> Response {
    if let Err(r) = frame(&st, &headers) {
        return *r;
    }
    let svc = &st.ctx.service;
    let newest = svc
        .list(ListRequest {
            kinds: vec![Kind::Profile],
            author: Some(svc.author().to_string()),
            limit: Some(1),
            ..ListRequest::default()
        })
        .await
        .ok()
        .and_then(|p| p.items.into_iter().next());
    match newest {
        Some(r) => Redirect::to(&format!("/ui/records/{}/correct", r.id)).into_response(),
        None => Redirect::to("/ui/publish?kind=profile").into_response(),
    }
}

/// `POST /ui/publish`: `step=review` checks and shows; `step=publish` signs and sends;
/// `step=edit` goes back to the form with the values.
pub(super) async fn submit(
    State(st): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (v, csrf, step) = Values::parse(&body);
    let f = match check_post(&st, &headers, &csrf) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    if step == "edit" {
        return html(StatusCode::OK, form_page(f, &v, &[]).render());
    }
    let req = match request(&f, &v) {
        Ok(r) => r,
        Err(problems) => {
            return html(
                StatusCode::UNPROCESSABLE_ENTITY,
                form_page(f, &v, &problems).render(),
            );
        }
    };
    let svc = &st.ctx.service;
    if step != "publish" {
        return match svc.preview(req).await {
            Ok(record) => {
                let shown = shown(&f, &record);
                let page = ReviewPage {
                    hidden: v.hidden(),
                    shown,
                    correction: !v.supersedes.is_empty(),
                    f,
                };
                html(StatusCode::OK, page.render())
            }
            Err(e) => refused(f, &v, &e),
        };
    }
    match svc.publish(req).await {
        Ok((record, published)) => {
            if published.outcome == "stored" {
                crate::control::announce_in(&st.ctx, &record, "local");
            }
            Redirect::to(&format!("/ui/records/{}?published=1", record.id())).into_response()
        }
        Err(e) => refused(f, &v, &e),
    }
}

/// The form again, with what the node refused shown by the field it concerns.
fn refused(f: Frame, v: &Values, e: &crate::service::Error) -> Response {
    let text = e.to_string();
    let problems = vec![Problem {
        field: field_of(v.kind, &text),
        text,
    }];
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        form_page(f, v, &problems).render(),
    )
}

/// Every field of the signed record, as it will read on partners' nodes.
fn shown(f: &Frame, record: &wsf_protocol::Record) -> Vec<(String, String)> {
    let b = record.body();
    let mut out = vec![
        (f.t.get("col-kind"), f.t.get(&format!("kind-{}", b.kind()))),
        (
            f.t.get("field-pillars"),
            b.pillars
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ];
    let title = match &b.content {
        Content::Resource(r) => Some(("field-title", &r.title)),
        Content::Practice(p) => Some(("field-title", &p.title)),
        Content::Campaign(c) => Some(("field-title", &c.title)),
        Content::Profile(p) => Some(("field-name", &p.name)),
        _ => None,
    };
    if let Some((label, text)) = title {
        out.push((f.t.get(label), neutralise_text(text).into_owned()));
    }
    out.extend(fields(&f.t, &b.content));
    out
}
