//! Live updates of the home page: `GET /ui/events`, a server-sent event stream for a logged-in
//! session. Each record the node stores (from a peer, a sync, an import or this page) that the
//! home list shows becomes two events: `record`, the table row as HTML (rendered by the same
//! template as the page, so peer text is escaped the same way; the row carries `hx-disable`
//! so that htmx never acts on anything inside it), and `announce`, one line for the page's
//! `aria-live` region.

use std::convert::Infallible;
use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::broadcast::error::RecvError;
use wsf_protocol::Kind;
use wsf_protocol::api::NodeEvent;

use super::WebState;
use super::i18n::Texts;
use super::pages::{Row, frame, row};

#[derive(Template)]
#[template(path = "web/row.html")]
struct RowFragment {
    r: Row,
}

/// The line for the live region. It holds a peer's title: escaped like everything else, since
/// htmx puts it into the page as HTML.
#[derive(Template)]
#[template(source = "<span hx-disable>{{ text }}</span>", ext = "html")]
struct AnnounceFragment {
    text: String,
}

fn announce(text: String) -> Event {
    let html = AnnounceFragment { text }.render().unwrap_or_default();
    Event::default().event("announce").data(html)
}

/// The events one stored record makes on the page, or none when the home list would not
/// show it (co-signatures, withdrawals and profiles are not listed there).
async fn record_events(st: &WebState, t: &Texts, id: &str) -> Vec<Event> {
    let Ok(detail) = st.ctx.service.show(id, false).await else {
        return Vec::new();
    };
    let Some(info) = detail.record else {
        return Vec::new();
    };
    if !matches!(
        info.content.kind(),
        Kind::Resource | Kind::Practice | Kind::Campaign
    ) || info.expired
    {
        return Vec::new();
    }
    let r = row(t, &info);
    let line = format!("{} {} — {}", t.get("live-new"), r.kind, r.title);
    let Ok(html) = (RowFragment { r }).render() else {
        return Vec::new();
    };
    vec![
        Event::default().event("record").id(id).data(html),
        announce(line),
    ]
}

/// `GET /ui/events`.
pub(super) async fn events(State(st): State<WebState>, headers: HeaderMap) -> Response {
    let f = match frame(&st, &headers) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let t = Arc::new(f.t);
    let rx = st.ctx.events.subscribe();
    let stop = st.ctx.shutdown.clone();
    let stream = libp2p::futures::stream::unfold(
        (rx, stop, st, t, Vec::<Event>::new()),
        |(mut rx, mut stop, st, t, mut queue)| async move {
            loop {
                if let Some(ev) = queue.pop() {
                    return Some((Ok::<_, Infallible>(ev), (rx, stop, st, t, queue)));
                }
                let next = tokio::select! {
                    _ = stop.wait_for(|v| *v) => return None,
                    ev = rx.recv() => ev,
                };
                match next {
                    Ok(NodeEvent::RecordStored { record, .. }) => {
                        let mut evs = record_events(&st, &t, &record.id.to_string()).await;
                        evs.reverse();
                        queue = evs;
                    }
                    Ok(_) => {}
                    // Too slow a reader: say so; the page offers a reload.
                    Err(RecvError::Lagged(_)) => {
                        queue = vec![announce(t.get("live-lagged"))];
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        },
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}
