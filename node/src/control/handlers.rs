//! The control API's handlers: thin wrappers around `Service` and `Network`.

use std::convert::Infallible;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use libp2p::futures::Stream;
use libp2p::futures::stream;
use serde::Deserialize;
use wsf_protocol::Record;
use wsf_protocol::api::{
    ApiError, Counts, DialRequest, EndorseRequest, ExportRequest, IdInfo, IngestReport,
    ListRequest, ListResponse, NodeEvent, PartnerInfo, PartnerRequest, PeerInfo, PillarRequest,
    PolicyInfo, PublishRequest, Published, RecordDetail, RecordInfo, RetractRequest, SearchRequest,
    StatusInfo, SyncRequest,
};

use super::AppState;
use crate::ingest::Outcome;
use crate::service;
use crate::store;

pub(super) fn error(status: StatusCode, code: &str, message: &str) -> (StatusCode, Json<ApiError>) {
    (
        status,
        Json(ApiError {
            error: message.to_owned(),
            code: code.to_owned(),
        }),
    )
}

/// A handler's error: an HTTP status and a JSON body.
pub(super) struct Failure(StatusCode, String, String);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        error(self.0, &self.1, &self.2).into_response()
    }
}

impl From<service::Error> for Failure {
    fn from(e: service::Error) -> Self {
        let (status, code) = match &e {
            service::Error::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            service::Error::NotYours(_) => (StatusCode::FORBIDDEN, "not_yours"),
            service::Error::Refused(_) => (StatusCode::UNPROCESSABLE_ENTITY, "refused"),
            service::Error::Record(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            service::Error::Store(store::Error::NotFound(_)) => {
                (StatusCode::NOT_FOUND, "not_found")
            }
            service::Error::Store(store::Error::Ambiguous { .. }) => {
                (StatusCode::BAD_REQUEST, "bad_request")
            }
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        Failure(status, code.into(), e.to_string())
    }
}

impl From<JsonRejection> for Failure {
    fn from(r: JsonRejection) -> Self {
        Failure(r.status(), "bad_request".into(), r.body_text())
    }
}

impl From<QueryRejection> for Failure {
    fn from(r: QueryRejection) -> Self {
        Failure(r.status(), "bad_request".into(), r.body_text())
    }
}

impl From<PathRejection> for Failure {
    fn from(r: PathRejection) -> Self {
        Failure(r.status(), "bad_request".into(), r.body_text())
    }
}

/// The network, or 503 `not_running` when the API is served in-process by a command.
fn net(st: &AppState) -> Result<&crate::net::Network, Failure> {
    st.ctx.net.as_ref().ok_or_else(|| {
        Failure(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_running".into(),
            "the node is not running; start it with `wsf node`".into(),
        )
    })
}

/// Any path that is not a route: a JSON 404.
pub(super) async fn not_found(method: axum::http::Method, uri: axum::http::Uri) -> Failure {
    Failure(
        StatusCode::NOT_FOUND,
        "not_found".into(),
        format!("no such route: {method} {}", uri.path()),
    )
}

/// A route asked with a method it does not take: a JSON 405.
pub(super) async fn method_not_allowed(
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> Failure {
    Failure(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed".into(),
        format!("{} does not take {method}", uri.path()),
    )
}

fn internal(e: impl std::fmt::Display) -> Failure {
    Failure(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal".into(),
        e.to_string(),
    )
}

fn bad(e: impl std::fmt::Display) -> Failure {
    Failure(StatusCode::BAD_REQUEST, "bad_request".into(), e.to_string())
}

type Res<T> = Result<Json<T>, Failure>;

/// Gossips a record stored here and tells event listeners.
fn announce(st: &AppState, record: &Record, source: &str) {
    announce_in(&st.ctx, record, source);
}

/// Gossips a record stored here and tells event listeners (also for the web page).
pub(crate) fn announce_in(ctx: &super::Ctx, record: &Record, source: &str) {
    if let Some(net) = &ctx.net {
        net.publish(record.envelope().to_vec(), record.body().pillars.clone());
    }
    if ctx.events.receiver_count() == 0 {
        return;
    }
    let ingest = ctx.service.ingest().clone();
    let events = ctx.events.clone();
    let record = record.clone();
    let source = source.to_owned();
    // The event shows the author as this node does; reading that is store work, off the
    // request's path.
    tokio::spawn(async move {
        let info = match ingest.infos(vec![record.clone()]).await {
            Ok(mut v) if v.len() == 1 => v.remove(0),
            _ => RecordInfo::from_record(&record),
        };
        let _ = events.send(NodeEvent::RecordStored {
            source,
            record: Box::new(info),
        });
    });
}

pub(super) async fn status(State(st): State<AppState>) -> Res<StatusInfo> {
    let svc = &st.ctx.service;
    let info = net(&st)?.info().await.map_err(internal)?;
    let counts = svc.counts().await?;
    let digest = svc
        .store()
        .read(store::digest)
        .await
        .map_err(service::Error::from)?;
    Ok(Json(StatusInfo {
        running: true,
        peer_id: info.peer_id.to_string(),
        author: svc.author(),
        network: svc.ingest().network(),
        listen_addrs: info.listen_addrs.iter().map(ToString::to_string).collect(),
        api_addr: st.ctx.api_addr.clone(),
        peers: info.peers,
        pillars: info.pillars,
        counts,
        since_start: svc.ingest().stats().snapshot(),
        digest,
        encrypted: svc.data().is_encrypted(),
        bootstrap: info.bootstrap,
        reachability: info.reach,
    }))
}

/// Record counts of the store (also while no node runs).
pub(super) async fn counts(State(st): State<AppState>) -> Res<Counts> {
    Ok(Json(st.ctx.service.counts().await?))
}

pub(super) async fn id(State(st): State<AppState>) -> Res<IdInfo> {
    let peer = st.ctx.net.as_ref().map(|n| n.peer_id().to_string());
    Ok(Json(st.ctx.service.id(peer).await?))
}

pub(super) async fn publish(
    State(st): State<AppState>,
    body: Result<Json<PublishRequest>, JsonRejection>,
) -> Res<Published> {
    let Json(req) = body?;
    let (record, published) = st.ctx.service.publish(req).await?;
    if published.outcome == "stored" {
        announce(&st, &record, "local");
    }
    Ok(Json(published))
}

pub(super) async fn endorse(
    State(st): State<AppState>,
    body: Result<Json<EndorseRequest>, JsonRejection>,
) -> Res<Published> {
    let Json(req) = body?;
    let (record, published) = st.ctx.service.endorse(req).await?;
    if published.outcome == "stored" {
        announce(&st, &record, "local");
    }
    Ok(Json(published))
}

pub(super) async fn retract(
    State(st): State<AppState>,
    body: Result<Json<RetractRequest>, JsonRejection>,
) -> Res<Published> {
    let Json(req) = body?;
    let (record, published) = st.ctx.service.retract(req).await?;
    if published.outcome == "stored" {
        announce(&st, &record, "local");
    }
    Ok(Json(published))
}

pub(super) async fn list(
    State(st): State<AppState>,
    body: Result<Json<ListRequest>, JsonRejection>,
) -> Res<ListResponse> {
    let Json(req) = body?;
    Ok(Json(st.ctx.service.list(req).await?))
}

pub(super) async fn search(
    State(st): State<AppState>,
    body: Result<Json<SearchRequest>, JsonRejection>,
) -> Res<ListResponse> {
    let Json(req) = body?;
    Ok(Json(st.ctx.service.search(req).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ShowQuery {
    #[serde(default)]
    history: bool,
}

pub(super) async fn show(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    q: Result<Query<ShowQuery>, QueryRejection>,
) -> Res<RecordDetail> {
    let (Path(id), Query(q)) = (id?, q?);
    Ok(Json(st.ctx.service.show(&id, q.history).await?))
}

/// Envelopes to ingest (an import through the node): the body is a sequence of CBOR byte
/// strings, each holding one envelope, as in a bundle.
pub(super) async fn envelopes(
    State(st): State<AppState>,
    body: axum::body::Bytes,
) -> Res<IngestReport> {
    let mut reader = crate::bundle::ItemReader::new(&body);
    let mut envelopes = Vec::new();
    while let Some(item) = reader.next_item().map_err(bad)? {
        envelopes.push(item.to_vec());
    }
    Ok(Json(ingest_and_announce(&st.ctx, envelopes).await?))
}

/// Runs envelopes through ingest; the stored ones are gossiped and shown to event listeners.
/// Without either (a command importing while no node runs) nothing needs them again, so they
/// are not kept. (The API's `/v1/envelopes` and the page's import.)
pub(crate) async fn ingest_and_announce(
    ctx: &super::Ctx,
    envelopes: Vec<Vec<u8>>,
) -> Result<IngestReport, service::Error> {
    let announcing = ctx.net.is_some() || ctx.events.receiver_count() > 0;
    let kept = if announcing {
        envelopes.clone()
    } else {
        Vec::new()
    };
    let outcomes = ctx.service.ingest().accept(envelopes).await?;
    let mut report = IngestReport::default();
    let mut stored = Vec::new();
    for (i, o) in outcomes.iter().enumerate() {
        match o {
            Outcome::Stored(_) => {
                report.stored += 1;
                if let Some(env) = kept.get(i) {
                    stored.push(env.clone());
                }
            }
            Outcome::Duplicate(_) => report.duplicate += 1,
            Outcome::Expired(_) => report.expired += 1,
            Outcome::Rejected { reason, .. } => {
                *report.rejected.entry(reason.code()).or_default() += 1;
            }
        }
    }
    if !stored.is_empty() {
        // Decoding thousands of envelopes is CPU work: off the runtime's threads.
        let records = tokio::task::spawn_blocking(move || {
            stored
                .iter()
                .filter_map(|env| wsf_protocol::decode_trusted(env).ok())
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| store::Error::Db(format!("import task failed: {e}")))?;
        for record in &records {
            announce_in(ctx, record, "import");
        }
    }
    Ok(report)
}
/// A bundle of the held records, streamed as it is written (the client writes the file, so
/// it lands where the user can see it whatever the node's sandbox). `x-wsf-records` gives the
/// number of records when the export is not limited to pillars (for a progress bar).
pub(super) async fn export(
    State(st): State<AppState>,
    body: Result<Json<ExportRequest>, JsonRejection>,
) -> Result<Response, Failure> {
    let Json(req) = body?;
    let svc = &st.ctx.service;
    let total = if req.pillars.is_empty() {
        Some(svc.counts().await?.records)
    } else {
        None
    };
    let stream = super::export::stream(svc.store().clone(), svc.ingest().network(), req.pillars);
    let mut resp = axum::body::Body::from_stream(stream).into_response();
    let headers = resp.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/octet-stream"),
    );
    if let Some(n) = total {
        headers.insert("x-wsf-records", axum::http::HeaderValue::from(n));
    }
    Ok(resp)
}

pub(super) async fn peers(State(st): State<AppState>) -> Res<Vec<PeerInfo>> {
    let peers = net(&st)?.peers().await.map_err(internal)?;
    Ok(Json(st.ctx.service.with_organisations(peers).await?))
}

pub(super) async fn dial(
    State(st): State<AppState>,
    body: Result<Json<DialRequest>, JsonRejection>,
) -> Res<serde_json::Value> {
    let Json(req) = body?;
    let addr: libp2p::Multiaddr = req
        .addr
        .parse()
        .map_err(|e| bad(format!("{:?} is not a multiaddr: {e}", req.addr)))?;
    let net = net(&st)?;
    match tokio::time::timeout(DIAL_TIMEOUT, net.dial(addr)).await {
        Ok(Ok(peer)) => Ok(Json(
            serde_json::json!({ "connected": req.addr, "peer": peer.to_string() }),
        )),
        Ok(Err(crate::net::Error::Command(e))) => Err(Failure(
            StatusCode::BAD_GATEWAY,
            "unreachable".into(),
            format!("cannot connect to {}: {e}", req.addr),
        )),
        Ok(Err(e)) => Err(internal(e)),
        Err(_) => Err(Failure(
            StatusCode::GATEWAY_TIMEOUT,
            "unreachable".into(),
            format!(
                "no connection to {} within {} s",
                req.addr,
                DIAL_TIMEOUT.as_secs()
            ),
        )),
    }
}

/// How long `dial` waits for the connection.
pub const DIAL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// Follows or leaves a pillar: now (when the node runs) and in config.json.
async fn set_pillar(st: &AppState, req: PillarRequest, on: bool) -> Res<serde_json::Value> {
    let data = st.ctx.service.data().clone();
    let config = {
        let data = data.clone();
        tokio::task::spawn_blocking(move || crate::config::Config::load(&data))
            .await
            .map_err(internal)?
            .map_err(internal)?
    };
    let current = match &st.ctx.net {
        Some(n) => n.info().await.map_err(internal)?.pillars,
        None => config.pillars(),
    };
    service::check_pillar_change(&st.ctx.service, &current, &req.pillar, on, req.new).await?;
    let pillars = match &st.ctx.net {
        Some(n) => n.subscribe(req.pillar, on).await.map_err(internal)?,
        None => {
            let mut p = current;
            p.retain(|x| *x != req.pillar);
            if on {
                p.push(req.pillar);
            }
            p.sort();
            p
        }
    };
    let mut config = config;
    config.pillars = pillars.clone();
    tokio::task::spawn_blocking(move || config.save(&data))
        .await
        .map_err(internal)?
        .map_err(internal)?;
    Ok(Json(serde_json::json!({ "pillars": pillars })))
}

/// The pillars this node follows.
pub(super) async fn pillars(State(st): State<AppState>) -> Res<serde_json::Value> {
    let pillars = match &st.ctx.net {
        Some(n) => n.info().await.map_err(internal)?.pillars,
        None => {
            let data = st.ctx.service.data().clone();
            tokio::task::spawn_blocking(move || crate::config::Config::load(&data))
                .await
                .map_err(internal)?
                .map_err(internal)?
                .pillars()
        }
    };
    Ok(Json(serde_json::json!({ "pillars": pillars })))
}

pub(super) async fn subscribe(
    State(st): State<AppState>,
    body: Result<Json<PillarRequest>, JsonRejection>,
) -> Res<serde_json::Value> {
    let Json(req) = body?;
    set_pillar(&st, req, true).await
}

pub(super) async fn unsubscribe(
    State(st): State<AppState>,
    body: Result<Json<PillarRequest>, JsonRejection>,
) -> Res<serde_json::Value> {
    let Json(req) = body?;
    set_pillar(&st, req, false).await
}

/// Live events until the client goes away or the node stops.
pub(super) async fn events(
    State(st): State<AppState>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Failure> {
    net(&st)?;
    let rx = st.ctx.events.subscribe();
    let stop = st.ctx.shutdown.clone();
    let s = stream::unfold((rx, stop), |(mut rx, mut stop)| async move {
        let next = tokio::select! {
            _ = stop.wait_for(|v| *v) => None,
            ev = rx.recv() => Some(ev),
        };
        let event = match next? {
            Ok(ev) => {
                let name = match &ev {
                    NodeEvent::RecordStored { .. } => "record_stored",
                    NodeEvent::RecordRejected { .. } => "record_rejected",
                    NodeEvent::PeerConnected { .. } => "peer_connected",
                    NodeEvent::PeerDisconnected { .. } => "peer_disconnected",
                    NodeEvent::PeerLearned { .. } => "peer_learned",
                    NodeEvent::SyncFinished { .. } => "sync_finished",
                };
                Event::default()
                    .event(name)
                    .json_data(&ev)
                    .unwrap_or_else(|_| Event::default().comment("unencodable event"))
            }
            Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                Event::default().event("lagged").data(n.to_string())
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok(event), (rx, stop)))
    });
    Ok(Sse::new(s).keep_alive(KeepAlive::default()))
}

pub(super) async fn sync(
    State(st): State<AppState>,
    body: Result<Json<SyncRequest>, JsonRejection>,
) -> Res<Vec<crate::net::sync::Report>> {
    let Json(req) = body?;
    let net = net(&st)?;
    let peer = match req.peer {
        Some(p) => Some(
            p.parse::<libp2p::PeerId>()
                .map_err(|e| bad(format!("{p:?} is not a peer id: {e}")))?,
        ),
        None => None,
    };
    match net.sync(peer).await {
        Ok(reports) => Ok(Json(reports)),
        Err(crate::net::Error::Command(e)) => {
            Err(Failure(StatusCode::CONFLICT, "unreachable".into(), e))
        }
        Err(e) => Err(internal(e)),
    }
}

pub(super) async fn partners(State(st): State<AppState>) -> Res<Vec<PartnerInfo>> {
    Ok(Json(crate::service::partner_infos(&st.ctx.service).await?))
}

pub(super) async fn set_partner(
    State(st): State<AppState>,
    body: Result<Json<PartnerRequest>, JsonRejection>,
) -> Res<serde_json::Value> {
    let Json(req) = body?;
    let (author, deleted) = crate::service::apply_partner_request(&st.ctx.service, req).await?;
    Ok(Json(
        serde_json::json!({ "author": author, "deleted": deleted }),
    ))
}

pub(super) async fn policy(State(st): State<AppState>) -> Res<PolicyInfo> {
    Ok(Json(crate::service::policy_info(&st.ctx.service)))
}

pub(super) async fn set_policy(
    State(st): State<AppState>,
    body: Result<Json<PolicyInfo>, JsonRejection>,
) -> Res<PolicyInfo> {
    let Json(req) = body?;
    Ok(Json(crate::service::set_policy(&st.ctx.service, req)?))
}

/// `wsf ui`: a single-use login link for the web page (valid 60 s). Only over the socket or
/// with the bearer token, so only this user can log a browser in.
pub(super) async fn ui_login(State(st): State<AppState>) -> Res<serde_json::Value> {
    net(&st)?;
    let code = st
        .web
        .login_code()
        .ok_or_else(|| internal("no randomness from the operating system"))?;
    let url = format!("http://127.0.0.1:{}/ui/login?code={code}", st.port);
    Ok(Json(
        serde_json::json!({ "url": url, "expires_in_s": crate::web::CODE_TTL.as_secs() }),
    ))
}

/// `POST /v1/panic` (`{"confirm": "erase"}`): destroys the key slot and the data files, then
/// ends the process at once (`crate::panic`). The answer may not arrive: the caller checks
/// that the key slot is gone.
pub(super) async fn panic(
    State(st): State<AppState>,
    body: Result<Json<PanicRequest>, JsonRejection>,
) -> Res<serde_json::Value> {
    let Json(req) = body?;
    if req.confirm != "erase" {
        return Err(bad("panic needs {\"confirm\": \"erase\"}"));
    }
    let root = st.ctx.service.data().root().to_owned();
    // Straight on this thread: nothing else should get in before the key slot is gone.
    let erased = crate::panic::erase(&root);
    tracing::warn!("panic: the data dir was erased; exiting");
    std::process::exit(if erased.is_ok() { 0 } else { 1 });
}

/// The body of `POST /v1/panic`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PanicRequest {
    confirm: String,
}

/// `POST /v1/invites`: a new invite to this closed network (the node must run: its door
/// answers the invite).
pub(super) async fn create_invite(
    State(st): State<AppState>,
    body: Result<Json<wsf_protocol::api::InviteRequest>, JsonRejection>,
) -> Res<wsf_protocol::api::InviteInfo> {
    let Json(req) = body?;
    let net = net(&st)?;
    Ok(Json(
        crate::invites::create(&st.ctx.service, net, &req).await?,
    ))
}

/// `GET /v1/invites`: the invites this node issued, with who joined.
pub(super) async fn invites(State(st): State<AppState>) -> Res<Vec<wsf_protocol::api::InviteInfo>> {
    let now = crate::ingest::now_ms();
    let list = st
        .ctx
        .service
        .invites()
        .list()
        .map_err(service::Error::from)?;
    Ok(Json(
        list.iter()
            .map(|i| crate::invites::info(i, now, None, Vec::new()))
            .collect(),
    ))
}

/// `POST /v1/invites/revoke` (`{"id"}`): the invite grants nothing from now on.
pub(super) async fn revoke_invite(
    State(st): State<AppState>,
    body: Result<Json<wsf_protocol::api::RevokeInviteRequest>, JsonRejection>,
) -> Res<wsf_protocol::api::InviteInfo> {
    let Json(req) = body?;
    let revoked = st
        .ctx
        .service
        .invites()
        .revoke(&req.id)
        .map_err(service::Error::from)?;
    tracing::info!(invite = %revoked.id, "invite revoked");
    Ok(Json(crate::invites::info(
        &revoked,
        crate::ingest::now_ms(),
        None,
        Vec::new(),
    )))
}

/// `GET /v1/network/members`: who is in this closed network.
pub(super) async fn members(State(st): State<AppState>) -> Res<wsf_protocol::api::MembersInfo> {
    Ok(Json(st.ctx.service.members_info().await?))
}

/// Gossips a statement when the node runs (else the membership exchange delivers it when it
/// next connects), then answers with the membership.
async fn after_statement(
    st: &AppState,
    statement: wsf_protocol::membership::Statement,
) -> Res<wsf_protocol::api::MembersInfo> {
    if let Some(net) = &st.ctx.net {
        net.publish_statement(statement.bytes().to_vec());
    }
    Ok(Json(st.ctx.service.members_info().await?))
}

/// `POST /v1/network/admins` (`{"author"}`): makes a member an admin.
pub(super) async fn add_admin(
    State(st): State<AppState>,
    body: Result<Json<wsf_protocol::api::MemberRequest>, JsonRejection>,
) -> Res<wsf_protocol::api::MembersInfo> {
    let Json(req) = body?;
    let statement = st.ctx.service.add_admin(&req.author).await?;
    after_statement(&st, statement).await
}

/// `POST /v1/network/remove` (`{"author"}`): removes a member; its nodes are disconnected.
pub(super) async fn remove_member(
    State(st): State<AppState>,
    body: Result<Json<wsf_protocol::api::MemberRequest>, JsonRejection>,
) -> Res<wsf_protocol::api::MembersInfo> {
    let Json(req) = body?;
    let statement = st.ctx.service.remove_member(&req.author).await?;
    after_statement(&st, statement).await
}

/// `POST /v1/network/leave`: this organisation leaves the network.
pub(super) async fn leave(State(st): State<AppState>) -> Res<wsf_protocol::api::MembersInfo> {
    let statement = st.ctx.service.leave()?;
    after_statement(&st, statement).await
}

/// `POST /v1/network/rekey` (`{"grace_secs"}`): a new key for every current member.
pub(super) async fn rekey(
    State(st): State<AppState>,
    body: Result<Json<wsf_protocol::api::RekeyRequest>, JsonRejection>,
) -> Res<wsf_protocol::api::MembersInfo> {
    let Json(req) = body?;
    let grace = req.grace_secs.map_or(
        crate::members::DEFAULT_GRACE,
        std::time::Duration::from_secs,
    );
    let statement = st.ctx.service.rekey(grace)?;
    after_statement(&st, statement).await
}
