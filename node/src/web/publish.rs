//! Publishing a campaign call from the page: a form (every field labelled, errors next to the
//! field they concern), then a review of exactly what will be signed, then the signature. Both
//! steps are POSTs with the CSRF token; the review step signs nothing that leaves the node.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use wsf_protocol::api::PublishRequest;
use wsf_protocol::display::neutralise_text;
use wsf_protocol::{Action, Campaign, Content, Pillar};

use super::WebState;
use super::pages::{Frame, check_post, frame, html, message};

/// The form's values, as typed (kept when the form comes back with errors).
#[derive(Debug, Default, Clone)]
struct Values {
    title: String,
    action: String,
    call: String,
    online: bool,
    place: String,
    description: String,
    starts: String,
    ends: String,
    url: String,
    pillars: Vec<String>,
}

impl Values {
    fn parse(body: &[u8]) -> (Values, String, String) {
        let mut v = Values::default();
        let (mut csrf, mut step) = (String::new(), String::new());
        for (k, val) in form_urlencoded::parse(body) {
            let val = val.into_owned();
            match k.as_ref() {
                "title" => v.title = val,
                "action" => v.action = val,
                "call" => v.call = val,
                "online" => v.online = !val.is_empty(),
                "place" => v.place = val,
                "description" => v.description = val,
                "starts" => v.starts = val,
                "ends" => v.ends = val,
                "url" => v.url = val,
                "pillar" => v.pillars.push(val),
                "csrf" => csrf = val,
                "step" => step = val,
                _ => {}
            }
        }
        (v, csrf, step)
    }
}

/// One problem, tied to the field it concerns (`""`: the form as a whole).
struct Problem {
    field: &'static str,
    text: String,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.replace("\r\n", "\n"))
}

/// A date from `<input type="date">`: its start (or, for an end, its last millisecond), UTC.
fn day(s: &str, end: bool) -> Result<Option<u64>, ()> {
    let Some(t) = opt(s) else { return Ok(None) };
    let d: jiff::civil::Date = t.parse().map_err(|_| ())?;
    let z = d.to_zoned(jiff::tz::TimeZone::UTC).map_err(|_| ())?;
    let ms = u64::try_from(z.timestamp().as_millisecond()).map_err(|_| ())?;
    Ok(Some(if end { ms + 86_400_000 - 1 } else { ms }))
}

/// The request the values make, or the problems with them.
fn request(v: &Values) -> Result<PublishRequest, Vec<Problem>> {
    let mut problems = Vec::new();
    let action = Action::parse(&v.action);
    if action.is_none() {
        problems.push(Problem {
            field: "action",
            text: "choose a kind of action".into(),
        });
    }
    let mut pillars = Vec::new();
    for p in &v.pillars {
        match p.parse::<Pillar>() {
            Ok(p) => pillars.push(p),
            Err(e) => problems.push(Problem {
                field: "pillars",
                text: e.to_string(),
            }),
        }
    }
    if pillars.is_empty() {
        problems.push(Problem {
            field: "pillars",
            text: "choose at least one pillar".into(),
        });
    }
    if !v.online && opt(&v.place).is_none() {
        problems.push(Problem {
            field: "place",
            text: "give a place, or tick \"online\"".into(),
        });
    }
    let starts = day(&v.starts, false).unwrap_or_else(|()| {
        problems.push(Problem {
            field: "starts",
            text: "not a date".into(),
        });
        None
    });
    let ends = day(&v.ends, true).unwrap_or_else(|()| {
        problems.push(Problem {
            field: "ends",
            text: "not a date".into(),
        });
        None
    });
    let (Some(action), true) = (action, problems.is_empty()) else {
        return Err(problems);
    };
    Ok(PublishRequest {
        pillars,
        expires: None,
        supersedes: None,
        refs: Vec::new(),
        new_pillars: Vec::new(),
        content: Content::Campaign(Campaign {
            title: v.title.trim().to_owned(),
            action,
            call: v.call.trim().replace("\r\n", "\n"),
            online: v.online,
            place: opt(&v.place),
            description: opt(&v.description),
            starts,
            ends,
            target: None,
            url: opt(&v.url),
        }),
    })
}

/// Which field an error of the record rules concerns (their messages name the field).
fn field_of(message: &str) -> &'static str {
    for f in [
        "title",
        "call",
        "place",
        "description",
        "url",
        "starts",
        "ends",
    ] {
        if message.contains(&format!("content.{f}")) {
            return f;
        }
    }
    if message.contains("pillar") {
        return "pillars";
    }
    ""
}

#[derive(Template)]
#[template(path = "web/publish.html")]
struct FormPage {
    f: Frame,
    v: Values,
    actions: Vec<(String, String)>,
    pillars: Vec<(String, bool)>,
    problems: Vec<Problem>,
}

impl FormPage {
    fn problem(&self, field: &str) -> String {
        self.problems
            .iter()
            .filter(|p| p.field == field)
            .map(|p| p.text.clone())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

#[derive(Template)]
#[template(path = "web/review.html")]
struct ReviewPage {
    f: Frame,
    v: Values,
    shown: Vec<(String, String)>,
}

fn form_page(f: Frame, v: Values, problems: Vec<Problem>) -> FormPage {
    let actions = Action::ALL
        .iter()
        .map(|a| {
            (
                a.as_str().to_owned(),
                f.t.get(&format!("action-{}", a.as_str())),
            )
        })
        .collect();
    let pillars = Pillar::well_known()
        .iter()
        .map(|p| {
            (
                p.as_str().to_owned(),
                v.pillars.iter().any(|x| x == p.as_str()),
            )
        })
        .collect();
    FormPage {
        f,
        v,
        actions,
        pillars,
        problems,
    }
}

/// `GET /ui/publish`: the empty form.
pub(super) async fn form(State(st): State<WebState>, headers: HeaderMap) -> Response {
    let f = match frame(&st, &headers) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let v = Values {
        online: true,
        ..Values::default()
    };
    html(StatusCode::OK, form_page(f, v, Vec::new()).render())
}

/// `POST /ui/publish`: `step=review` checks and shows; `step=publish` signs and sends.
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
        return html(StatusCode::OK, form_page(f, v, Vec::new()).render());
    }
    let req = match request(&v) {
        Ok(r) => r,
        Err(problems) => {
            return html(
                StatusCode::UNPROCESSABLE_ENTITY,
                form_page(f, v, problems).render(),
            );
        }
    };
    let svc = &st.ctx.service;
    if step != "publish" {
        return match svc.preview(req).await {
            Ok(record) => {
                let shown = shown(&f, &record);
                html(StatusCode::OK, ReviewPage { f, v, shown }.render())
            }
            Err(e) => refused(f, v, &e),
        };
    }
    match svc.publish(req).await {
        Ok((record, published)) => {
            if published.outcome == "stored" {
                crate::control::announce_in(&st.ctx, &record, "local");
            }
            message(f.t, StatusCode::OK, "published-title", "published")
        }
        Err(e) => refused(f, v, &e),
    }
}

/// The form again, with what the node refused shown by the field it concerns.
fn refused(f: Frame, v: Values, e: &crate::service::Error) -> Response {
    let text = e.to_string();
    let problems = vec![Problem {
        field: field_of(&text),
        text,
    }];
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        form_page(f, v, problems).render(),
    )
}

/// Every field of the signed record, as it will read on partners' nodes.
fn shown(f: &Frame, record: &wsf_protocol::Record) -> Vec<(String, String)> {
    let b = record.body();
    let mut out = vec![(
        f.t.get("field-pillars"),
        b.pillars
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    )];
    if let Content::Campaign(c) = &b.content {
        let day = |ms: u64| {
            jiff::Timestamp::from_millisecond(i64::try_from(ms).unwrap_or(i64::MAX))
                .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default()
        };
        out.push((f.t.get("field-title"), c.title.clone()));
        out.push((
            f.t.get("field-action"),
            f.t.get(&format!("action-{}", c.action.as_str())),
        ));
        out.push((f.t.get("field-call"), c.call.clone()));
        if c.online {
            out.push((f.t.get("field-online"), "✓".into()));
        }
        let optional = [
            ("field-place", c.place.clone()),
            ("field-description", c.description.clone()),
            ("field-starts", c.starts.map(day)),
            ("field-ends", c.ends.map(day)),
            ("field-url", c.url.clone()),
        ];
        for (label, value) in optional {
            if let Some(v) = value {
                out.push((f.t.get(label), v));
            }
        }
    }
    out.into_iter()
        .map(|(k, v)| (k, neutralise_text(&v).into_owned()))
        .collect()
}
