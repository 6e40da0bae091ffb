//! Partners and network: the partner list (add from any record, remove, block), the acceptance
//! policy; the peers and the sync status, "sync now", connecting to an address; an invite with
//! its QR code; and joining a closed network from an invite code when the node is on none yet
//! (the first-run path of people who never open a terminal).

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use wsf_protocol::api::{PartnerRequest, PolicyInfo};
use wsf_protocol::display::{self, neutralise_line};
use wsf_protocol::invite::Invite;

use super::WebState;
use super::pages::{Frame, check_post, frame, html, message_text};
use crate::service;

/// The fields of a form post (the last value of a name wins).
pub(super) fn form(body: &[u8]) -> std::collections::HashMap<String, String> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub(super) fn field<'a>(f: &'a std::collections::HashMap<String, String>, name: &str) -> &'a str {
    f.get(name).map(String::as_str).unwrap_or("")
}

/// A form post of the page: its fields, once its CSRF token and origin are checked.
fn posted(
    st: &WebState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Frame, std::collections::HashMap<String, String>), Box<Response>> {
    let v = form(body);
    let f = check_post(st, headers, field(&v, "csrf"))?;
    Ok((f, v))
}

/// The network page saying why an action was refused.
async fn network_error(st: &WebState, f: Frame, error: impl ToString) -> Response {
    network_page(st, f, String::new(), error.to_string(), None).await
}

/// One line of the partner list.
struct PartnerRow {
    author: String,
    fingerprint: String,
    name: String,
    blocked: bool,
}

#[derive(Template)]
#[template(path = "web/partners.html")]
struct PartnersPage {
    f: Frame,
    partners: Vec<PartnerRow>,
    policy: PolicyInfo,
    /// What the last action did, or why it was refused.
    notice: String,
    error: String,
    /// Prefilled author of the add form (from a record's "add as partner").
    author: String,
    name: String,
}

async fn partners_page(
    st: &WebState,
    f: Frame,
    notice: String,
    error: String,
    author: String,
    name: String,
) -> Response {
    let svc = &st.ctx.service;
    let partners = service::partner_infos(svc)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|p| PartnerRow {
            fingerprint: display::fingerprint(&p.author),
            author: p.author.to_string(),
            name: neutralise_line(&p.name).into_owned(),
            blocked: p.status == "blocked",
        })
        .collect();
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = PartnersPage {
        partners,
        policy: service::policy_info(svc),
        notice,
        error,
        author,
        name,
        f,
    };
    html(status, page.render())
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct PartnersQuery {
    #[serde(default)]
    author: String,
    #[serde(default)]
    name: String,
}

/// `GET /ui/partners` (`?author=…&name=…` prefills the add form).
pub(super) async fn partners(
    State(st): State<WebState>,
    headers: HeaderMap,
    q: Result<axum::extract::Query<PartnersQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let f = match frame(&st, &headers) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let (author, name) = q
        .map(|axum::extract::Query(q)| (q.author, q.name))
        .unwrap_or_default();
    let author: String = author.chars().filter(char::is_ascii_hexdigit).collect();
    partners_page(&st, f, String::new(), String::new(), author, name).await
}

/// `POST /ui/partners`: `action` = `add`, `remove` or `block`, `author`, `name`.
pub(super) async fn set_partner(
    State(st): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (f, v) = match posted(&st, &headers, &body) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let action = field(&v, "action").to_owned();
    let name = field(&v, "name").trim().to_owned();
    if action == "block" && field(&v, "confirm").is_empty() {
        let e = f.t.get("block-confirm-needed");
        return partners_page(&st, f, String::new(), e, String::new(), String::new()).await;
    }
    let req = PartnerRequest {
        action: action.clone(),
        author: field(&v, "author").trim().to_owned(),
        name: (!name.is_empty()).then_some(name),
    };
    match service::apply_partner_request(&st.ctx.service, req).await {
        Ok((author, deleted)) => {
            let notice =
                f.t.count(&format!("partner-done-{action}"), &[("deleted", deleted)]);
            let notice = format!("{notice} ({})", display::fingerprint(&author));
            partners_page(&st, f, notice, String::new(), String::new(), String::new()).await
        }
        Err(e) => {
            let (a, n) = (field(&v, "author").to_owned(), field(&v, "name").to_owned());
            partners_page(&st, f, String::new(), e.to_string(), a, n).await
        }
    }
}

/// `POST /ui/policy`: `policy`, `trust_k`, `quota_per_hour`.
pub(super) async fn set_policy(
    State(st): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (f, v) = match posted(&st, &headers, &body) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let number = |name: &str| field(&v, name).trim().parse::<u32>().ok();
    let (Some(trust_k), Some(quota)) = (number("trust_k"), number("quota_per_hour")) else {
        let e = f.t.get("policy-numbers");
        return partners_page(&st, f, String::new(), e, String::new(), String::new()).await;
    };
    let req = PolicyInfo {
        policy: field(&v, "policy").to_owned(),
        trust_k,
        quota_per_hour: quota,
    };
    match service::set_policy(&st.ctx.service, req) {
        Ok(_) => {
            let n = f.t.get("policy-saved");
            partners_page(&st, f, n, String::new(), String::new(), String::new()).await
        }
        Err(e) => {
            partners_page(
                &st,
                f,
                String::new(),
                e.to_string(),
                String::new(),
                String::new(),
            )
            .await
        }
    }
}

/// One member as the network page shows it.
struct MemberRow {
    /// The author key, in hex (the forms' value).
    author: String,
    /// How this node shows it: "you", a partner's local name, or the claimed name in quotes
    /// with the key's fingerprint and trust marker (neutralised text).
    label: String,
    invited_by: String,
    since: String,
    founder: bool,
    admin: bool,
    you: bool,
}

/// The members section of a closed network's page.
struct MembersView {
    rows: Vec<MemberRow>,
    /// Former members: label and what happened.
    removed: Vec<(String, bool, String)>,
    epoch: u64,
    gated: bool,
    i_am_admin: bool,
    i_am_member: bool,
    admins: usize,
}

fn member_label(m: &wsf_protocol::api::MemberInfo, you: &str) -> String {
    let fp = display::fingerprint(&m.author);
    if m.you {
        return you.to_owned();
    }
    match &m.local_name {
        Some(n) if !n.is_empty() => format!("{} ({}, {fp})", neutralise_line(n), m.trust),
        _ if m.name.is_empty() => format!("{fp} ({})", m.trust),
        _ => format!("\"{}\" ({}, {fp})", neutralise_line(&m.name), m.trust),
    }
}

fn members_view(info: wsf_protocol::api::MembersInfo, f: &Frame) -> MembersView {
    let you = f.t.get("members-you");
    let label_of = |a: &wsf_protocol::AuthorId| -> String {
        info.members
            .iter()
            .find(|m| m.author == *a)
            .map_or_else(|| display::fingerprint(a), |m| member_label(m, &you))
    };
    MembersView {
        rows: info
            .members
            .iter()
            .map(|m| MemberRow {
                author: m.author.to_hex(),
                label: member_label(m, &you),
                invited_by: match &m.invited_by {
                    Some(b) => label_of(b),
                    None if m.root => f.t.get("members-founded"),
                    None => f.t.get("members-before"),
                },
                since: super::pages::when(m.since),
                founder: m.root,
                admin: m.admin,
                you: m.you,
            })
            .collect(),
        removed: info
            .removed
            .iter()
            .map(|r| {
                (
                    display::fingerprint(&r.author),
                    r.left,
                    if r.left {
                        String::new()
                    } else {
                        label_of(&r.by)
                    },
                )
            })
            .collect(),
        epoch: info.epoch,
        gated: info.gated,
        i_am_admin: info.members.iter().any(|m| m.you && m.admin),
        i_am_member: info.members.iter().any(|m| m.you),
        admins: info.members.iter().filter(|m| m.admin).count(),
    }
}

/// One connected peer as the network page shows it.
struct PeerRow {
    id: String,
    /// The member organisation its node acts for (closed networks), as authors are shown.
    organisation: String,
    relayed: bool,
    address: String,
    pillars: String,
    mesh: String,
}

#[derive(Template)]
#[template(path = "web/network.html")]
struct NetworkPage {
    f: Frame,
    closed: bool,
    network_name: String,
    network_id: String,
    peer_id: String,
    listen: Vec<String>,
    pillars: String,
    peers: Vec<PeerRow>,
    records: u64,
    digest: String,
    members: Option<MembersView>,
    notice: String,
    error: String,
    /// A fresh invite: its code and its QR code as an SVG data URL.
    invite: Option<(String, String, String)>,
}

/// The network page, with a notice, an error or a fresh invite.
async fn network_page(
    st: &WebState,
    f: Frame,
    notice: String,
    error: String,
    invite: Option<(String, String, String)>,
) -> Response {
    let svc = &st.ctx.service;
    let data = svc.data();
    let closed = data.network_key().ok().flatten().is_some();
    let network_name = crate::config::Config::load(data)
        .ok()
        .and_then(|c| c.network_name)
        .map(|n| neutralise_line(&n).into_owned())
        .unwrap_or_default();
    let (peer_id, listen, pillars) = match &st.ctx.net {
        Some(net) => match net.info().await {
            Ok(i) => (
                i.peer_id.to_string(),
                i.listen_addrs.iter().map(ToString::to_string).collect(),
                i.pillars
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Err(_) => Default::default(),
        },
        None => Default::default(),
    };
    let peers = match &st.ctx.net {
        Some(net) => svc
            .with_organisations(net.peers().await.unwrap_or_default())
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|p| PeerRow {
                organisation: p
                    .organisation
                    .as_ref()
                    .map(|o| neutralise_line(o.label()).into_owned())
                    .unwrap_or_default(),
                relayed: p.relayed,
                id: p.peer_id,
                address: p.addr,
                pillars: p.topics.join(", "),
                mesh: p.mesh.join(", "),
            })
            .collect(),
        None => Vec::new(),
    };
    let records = svc.counts().await.map(|c| c.records).unwrap_or_default();
    let digest = svc
        .store()
        .read(crate::store::digest)
        .await
        .unwrap_or_default();
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let members = match svc.members() {
        Some(_) => svc.members_info().await.ok().map(|i| members_view(i, &f)),
        None => None,
    };
    let page = NetworkPage {
        members,
        closed,
        network_name,
        network_id: svc.ingest().network().to_string(),
        peer_id,
        listen,
        pillars,
        peers,
        records,
        digest,
        notice,
        error,
        invite,
        f,
    };
    html(status, page.render())
}

/// `GET /ui/network`.
pub(super) async fn network(State(st): State<WebState>, headers: HeaderMap) -> Response {
    let f = match frame(&st, &headers) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    network_error(&st, f, String::new()).await
}

/// `POST /ui/sync`: a catch-up sync with every connected peer now.
pub(super) async fn sync(State(st): State<WebState>, headers: HeaderMap, body: Bytes) -> Response {
    let (f, _) = match posted(&st, &headers, &body) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let Some(net) = st.ctx.net.clone() else {
        let e = f.t.get("sync-none");
        return network_error(&st, f, e).await;
    };
    match net.sync(None).await {
        Ok(reports) if !reports.is_empty() => {
            let failed = reports.iter().filter(|r| r.error.is_some()).count() as u64;
            let stored: u64 = reports.iter().map(|r| r.stored).sum();
            let pushed: u64 = reports.iter().map(|r| r.pushed).sum();
            let notice = f.t.count(
                "sync-done",
                &[
                    ("sessions", reports.len() as u64),
                    ("stored", stored),
                    ("pushed", pushed),
                    ("failed", failed),
                ],
            );
            network_page(&st, f, notice, String::new(), None).await
        }
        Ok(_) => {
            let e = f.t.get("sync-none");
            network_error(&st, f, e).await
        }
        Err(e) => network_error(&st, f, e.to_string()).await,
    }
}

/// `POST /ui/dial`: connect to a peer's address.
pub(super) async fn dial(State(st): State<WebState>, headers: HeaderMap, body: Bytes) -> Response {
    let (f, v) = match posted(&st, &headers, &body) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let text = field(&v, "addr").trim().to_owned();
    let addr: libp2p::Multiaddr = match text.parse() {
        Ok(a) => a,
        Err(e) => {
            let msg = format!("{}: {e}", f.t.get("dial-bad-address"));
            return network_error(&st, f, msg).await;
        }
    };
    let Some(net) = st.ctx.net.clone() else {
        let e = f.t.get("sync-none");
        return network_error(&st, f, e).await;
    };
    match tokio::time::timeout(std::time::Duration::from_secs(20), net.dial(addr)).await {
        Ok(Ok(peer)) => {
            let n = format!("{} {peer}", f.t.get("dial-done"));
            network_page(&st, f, n, String::new(), None).await
        }
        Ok(Err(e)) => network_error(&st, f, e.to_string()).await,
        Err(_) => {
            let e = f.t.get("dial-timeout");
            network_error(&st, f, e).await
        }
    }
}

/// The QR code of an invite code, as an SVG `data:` URL (allowed by the page's `img-src`).
fn qr_data_url(code: &str) -> String {
    let Ok(qr) = qrcode::QrCode::new(code.as_bytes()) else {
        return String::new();
    };
    let svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    format!(
        "data:image/svg+xml;base64,{}",
        data_encoding::BASE64.encode(svg.as_bytes())
    )
}

/// `POST /ui/invite`: an invite code valid for `days`, shown with its QR code.
pub(super) async fn invite(
    State(st): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (f, v) = match posted(&st, &headers, &body) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let days = match field(&v, "days").trim().parse::<u64>() {
        Ok(d) if (1..=365).contains(&d) => d,
        _ => {
            let e = f.t.get("invite-days");
            return network_error(&st, f, e).await;
        }
    };
    let uses = match field(&v, "uses").trim() {
        "" => 1,
        text => match text.parse::<u32>() {
            Ok(n) if (1..=crate::invites::MAX_USES).contains(&n) => n,
            _ => {
                let e = f.t.get("invite-uses-bad");
                return network_error(&st, f, e).await;
            }
        },
    };
    let Some(net) = &st.ctx.net else {
        let e = f.t.get("sync-none");
        return network_error(&st, f, e).await;
    };
    let req = wsf_protocol::api::InviteRequest {
        days: Some(days),
        until_ms: None,
        uses: Some(uses),
    };
    match crate::invites::create(&st.ctx.service, net, &req).await {
        Ok(made) => {
            let code = made.code.unwrap_or_default();
            let qr = qr_data_url(&code);
            let until = super::pages::when(made.expires);
            network_page(
                &st,
                f,
                String::new(),
                String::new(),
                Some((code, qr, until)),
            )
            .await
        }
        Err(e) => network_error(&st, f, e.to_string()).await,
    }
}

/// `POST /ui/join`: a node on no closed network yet joins one from an invite code, then
/// restarts on it (the page's session is kept).
pub(super) async fn join(State(st): State<WebState>, headers: HeaderMap, body: Bytes) -> Response {
    let (f, v) = match posted(&st, &headers, &body) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let svc = &st.ctx.service;
    if svc.data().network_key().ok().flatten().is_some() {
        let e = f.t.get("join-already");
        return network_error(&st, f, e).await;
    }
    let code: String = field(&v, "code").split_whitespace().collect();
    let Some(restart) = st.ctx.restart.clone() else {
        let e = f.t.get("sync-none");
        return network_error(&st, f, e).await;
    };
    let bad_code = |f: &Frame, e: wsf_protocol::invite::InviteError| {
        format!("{}: {e}", f.t.get("join-bad-code"))
    };
    let door_code = code
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case(wsf_protocol::invite::PREFIX_2));
    let joined = if door_code {
        let door = match wsf_protocol::invite::DoorInvite::decode(&code) {
            Ok(d) => d,
            Err(e) => {
                let e = bad_code(&f, e);
                return network_error(&st, f, e).await;
            }
        };
        // The inviting node's door gives the key, or says why not.
        crate::network::join_running_with_door(svc, &door).await
    } else {
        match Invite::decode(&code, crate::ingest::now_ms()) {
            Ok(invite) => crate::network::join_running(svc, &invite)
                .await
                .map(|()| invite),
            Err(e) => {
                let e = bad_code(&f, e);
                return network_error(&st, f, e).await;
            }
        }
    };
    let invite = match joined {
        Ok(invite) => invite,
        Err(e) => return network_error(&st, f, e.to_string()).await,
    };
    tracing::info!(network = %invite.net, "joined a closed network from the web page");
    restart.notify_one();
    let text = format!("{} {}", f.t.get("join-done"), neutralise_line(&invite.name));
    message_text(f, StatusCode::OK, "join-done-title", text)
}

#[derive(Template)]
#[template(path = "web/panic.html")]
struct PanicPage {
    f: Frame,
    encrypted: bool,
    error: String,
}

/// `GET /ui/panic`: the panic button, behind a confirmation.
pub(super) async fn panic_form(State(st): State<WebState>, headers: HeaderMap) -> Response {
    let f = match frame(&st, &headers) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let encrypted = st.ctx.service.data().is_encrypted();
    panic_page(f, encrypted, String::new())
}

/// The panic page; with an error (the confirmation was not given), a 422.
pub(super) fn panic_page(f: Frame, encrypted: bool, error: String) -> Response {
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        PanicPage {
            f,
            encrypted,
            error,
        }
        .render(),
    )
}

/// Whether a panic form was confirmed: the box ticked and the word typed.
pub(super) fn panic_confirmed(f: &Frame, v: &std::collections::HashMap<String, String>) -> bool {
    let typed = field(v, "typed").trim().to_lowercase();
    !field(v, "confirm").is_empty() && typed == f.t.get("panic-word").to_lowercase()
}

/// Erases the data dir at `root` and ends the process, for a confirmed panic from the page.
pub(super) fn panic_now(root: &std::path::Path) -> ! {
    let erased = crate::panic::erase(root);
    tracing::warn!("panic from the web page: the data dir was erased; exiting");
    std::process::exit(if erased.is_ok() { 0 } else { 1 });
}

/// `POST /ui/panic` (the box ticked and "erase" typed): erases the data dir (`crate::panic`)
/// and ends the node at once, as `wsf panic` does. The browser gets no answer.
pub(super) async fn panic(State(st): State<WebState>, headers: HeaderMap, body: Bytes) -> Response {
    let (f, v) = match posted(&st, &headers, &body) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    if !panic_confirmed(&f, &v) {
        let encrypted = st.ctx.service.data().is_encrypted();
        let error = f.t.get("panic-confirm-needed");
        return panic_page(f, encrypted, error);
    }
    panic_now(st.ctx.service.data().root())
}

/// The members forms: which one, and what it did.
async fn membership_post(
    st: &WebState,
    headers: &HeaderMap,
    body: &[u8],
    what: &'static str,
) -> Response {
    let (f, v) = match posted(st, headers, body) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let svc = &st.ctx.service;
    let author = field(&v, "author").trim().to_owned();
    let done = match what {
        "admin" => svc
            .add_admin(&author)
            .await
            .map(|s| (s, "members-done-admin")),
        "remove" => svc
            .remove_member(&author)
            .await
            .map(|s| (s, "members-done-remove")),
        "leave" => {
            if field(&v, "confirm") != "leave" {
                let e = f.t.get("leave-unconfirmed");
                return network_error(st, f, e).await;
            }
            svc.leave().map(|s| (s, "members-done-leave"))
        }
        _ => {
            let days = match field(&v, "days").trim().parse::<u64>() {
                Ok(d) if (1..=90).contains(&d) => d,
                _ => {
                    let e = f.t.get("rekey-days-bad");
                    return network_error(st, f, e).await;
                }
            };
            svc.rekey(std::time::Duration::from_secs(days * 86_400))
                .map(|s| (s, "members-done-rekey"))
        }
    };
    match done {
        Ok((statement, message)) => {
            if let Some(net) = &st.ctx.net {
                net.publish_statement(statement.bytes().to_vec());
            }
            let n = f.t.get(message);
            network_page(st, f, n, String::new(), None).await
        }
        Err(e) => network_error(st, f, e.to_string()).await,
    }
}

/// `POST /ui/members/admin` (`author`): makes a member an admin.
pub(super) async fn member_admin(
    State(st): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    membership_post(&st, &headers, &body, "admin").await
}

/// `POST /ui/members/remove` (`author`): removes a member.
pub(super) async fn member_remove(
    State(st): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    membership_post(&st, &headers, &body, "remove").await
}

/// `POST /ui/members/leave` (`confirm=leave`): this organisation leaves the network.
pub(super) async fn member_leave(
    State(st): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    membership_post(&st, &headers, &body, "leave").await
}

/// `POST /ui/members/rekey` (`days`): a new network key, the old one accepted for `days`.
pub(super) async fn member_rekey(
    State(st): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    membership_post(&st, &headers, &body, "rekey").await
}
