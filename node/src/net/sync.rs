//! Catch-up sync over libp2p request-response (`/wsf/sync/2`): the IO around the sans-IO
//! reconciliation of `wsf_protocol::sync`.
//!
//! A session (one peer, one pillar) runs reconciliation rounds until nothing differs, then fetches
//! what this node lacks (pages of [`FETCH_PAGE`], [`FETCH_IN_FLIGHT`] at a time, each page through
//! ingest like any other record) and pushes what the peer lacks. It runs when a connection opens,
//! every sync interval with a random peer, and on `wsf sync`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use libp2p::PeerId;
use serde::{Deserialize, Serialize};
use wsf_protocol::sync::{self, Body, FETCH_PAGE, Item, MAX_MESSAGE, Message, Role};
use wsf_protocol::{NetworkId, Pillar};

use super::{Error, Network};
use crate::ingest::{Ingest, Outcome};
use crate::store;

/// Fetch requests of one session in flight at once.
pub const FETCH_IN_FLIGHT: usize = 4;
/// Envelopes pushed per request.
pub const PUSH_PAGE: usize = 512;
/// Reconciliation rounds after which a session gives up (a peer that lies about fingerprints
/// can only make it go round this many times).
pub const MAX_ROUNDS: usize = 32;
/// How long one request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Sync requests a peer may send in a burst, and per second after it.
pub const RATE_BURST: f64 = 100.0;
pub const RATE_PER_SECOND: f64 = 50.0;
/// Most records one session may learn it lacks (a lying responder cannot grow it further).
pub const MAX_NEED: usize = 1_000_000;
/// Requests answered at once, all peers together; more are refused as busy.
pub const MAX_ANSWERING: usize = 8;
/// Bytes of envelopes in one fetch answer at most (under the message limit).
pub const FETCH_BYTES: usize = MAX_MESSAGE - 64 * 1024;

/// A sync message as the request-response codec carries it: one CBOR byte string.
#[derive(Debug, Clone)]
pub struct Wire(pub Vec<u8>);

impl Serialize for Wire {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Wire {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Wire;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Wire, E> {
                Ok(Wire(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Wire, E> {
                Ok(Wire(v))
            }
        }
        d.deserialize_byte_buf(V)
    }
}

/// A token bucket per peer: [`RATE_BURST`] requests, refilled at [`RATE_PER_SECOND`].
#[derive(Debug)]
pub(super) struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    pub(super) fn take(buckets: &mut HashMap<PeerId, Bucket>, peer: PeerId) -> bool {
        let now = Instant::now();
        let b = buckets.entry(peer).or_insert(Bucket {
            tokens: RATE_BURST,
            at: now,
        });
        b.tokens =
            (b.tokens + now.duration_since(b.at).as_secs_f64() * RATE_PER_SECOND).min(RATE_BURST);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// What one session did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub peer: String,
    pub pillar: String,
    /// Reconciliation round trips.
    pub rounds: u64,
    /// Bytes of reconciliation messages, both ways (not counting fetched or pushed records).
    pub reconcile_bytes: u64,
    /// Bytes of records fetched and pushed.
    pub transfer_bytes: u64,
    /// Records this node lacked and fetched; how many of them it stored.
    pub fetched: u64,
    pub stored: u64,
    /// Records the peer lacked and this node pushed.
    pub pushed: u64,
    pub error: Option<String>,
    /// The peer's answers were unreadable or never converged (a strike against it).
    #[serde(skip)]
    pub misbehaved: bool,
}

fn refused(net: NetworkId, pillar: &Pillar, why: &str) -> Vec<u8> {
    Message {
        net,
        pillar: pillar.clone(),
        body: Body::Refused(why.into()),
    }
    .encode()
}

/// Answers one request about one of `pillars` (the pillars this node follows). `Err` when the
/// request is garbage (the caller penalises the peer).
pub(super) async fn respond(
    ingest: Ingest,
    pillars: Vec<Pillar>,
    bytes: Vec<u8>,
) -> Result<Vec<u8>, String> {
    let msg =
        Message::decode(&bytes).map_err(|e| format!("unreadable request ({}): {e}", e.code()))?;
    let net = ingest.network();
    if msg.net != net {
        return Ok(refused(msg.net, &msg.pillar, "another network"));
    }
    if !pillars.contains(&msg.pillar) {
        return Ok(refused(net, &msg.pillar, "not subscribed to this pillar"));
    }
    let pillar = msg.pillar.clone();
    let store = ingest.store().clone();
    let body = match msg.body {
        Body::Reconcile(ranges) => {
            let p = pillar.clone();
            let reply = store
                .read(move |txn| {
                    let items = store::pillar_items(txn, &p, crate::ingest::now_ms())?;
                    Ok(sync::process(&items, &ranges, Role::Responder).0)
                })
                .await
                .map_err(|e| e.to_string())?;
            Body::Reconcile(reply)
        }
        Body::Fetch(wanted) => {
            let p = pillar.clone();
            let envs = store
                .read(move |txn| store::envelopes_by_short(txn, &p, &wanted, FETCH_BYTES))
                .await
                .map_err(|e| e.to_string())?;
            Body::Envelopes(envs)
        }
        Body::Envelopes(pushed) => {
            if pushed.len() > PUSH_PAGE {
                return Err(format!(
                    "a push of {} envelopes (limit {PUSH_PAGE})",
                    pushed.len()
                ));
            }
            if off_pillar(&pushed, &pillar) {
                return Err(format!("pushed a record that is not on {pillar}"));
            }
            if !pushed.is_empty() {
                let outcomes = ingest.accept(pushed).await.map_err(|e| e.to_string())?;
                if let Some(bad) = outcomes.iter().find_map(|o| match o {
                    Outcome::Rejected { reason, .. } if reason.is_misbehaviour() => Some(reason),
                    _ => None,
                }) {
                    return Err(format!("pushed a bad record: {}", bad.code()));
                }
            }
            Body::Envelopes(Vec::new())
        }
        Body::Refused(_) => return Err("a refusal is not a request".into()),
    };
    Ok(Message { net, pillar, body }.encode())
}

/// Whether any of `envelopes` is a record whose pillars leave out `pillar`: an honest peer
/// never sends one (section 16.3), so the message is refused as a whole, before ingest, and
/// counts against the sender. Bytes that are no record are left to ingest, which refuses them.
fn off_pillar(envelopes: &[Vec<u8>], pillar: &Pillar) -> bool {
    envelopes
        .iter()
        .any(|e| sync::envelope_on_pillar(e, pillar) == Some(false))
}

/// Fetched pages going through ingest at once: one committed while the next is checked.
pub const INGEST_IN_FLIGHT: usize = 2;

/// A fetched page in ingest, with its envelopes.
type Ingesting = (
    tokio::task::JoinHandle<Result<Vec<Outcome>, crate::store::Error>>,
    Vec<Vec<u8>>,
);

/// Waits for a fetched page's ingest and counts it: a misbehaving record ends the session,
/// records refused by this node's own rules are not fetched again.
async fn settle_page(
    ingest: &Ingest,
    (task, envs): Ingesting,
    report: &mut Report,
) -> Result<(), String> {
    let outcomes = task
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    report.stored += outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Stored(_)))
        .count() as u64;
    let mut refused = Vec::new();
    for (o, env) in outcomes.iter().zip(&envs) {
        let refused_here = match o {
            Outcome::Rejected { reason, .. } if reason.is_misbehaviour() => {
                return Err(format!(
                    "bad answer: a fetched record was {}",
                    reason.code()
                ));
            }
            Outcome::Rejected { .. } | Outcome::Expired(_) => true,
            Outcome::Stored(_) | Outcome::Duplicate(_) => false,
        };
        if refused_here && let Ok(u) = wsf_protocol::decode(env) {
            refused.push(
                Item {
                    ts: u.body().ts,
                    id: u.id().0,
                }
                .short(),
            );
        }
    }
    ingest.remember_refused(refused);
    Ok(())
}

async fn ask(net: &Network, peer: PeerId, msg: &Message) -> Result<(Message, usize), String> {
    let bytes = msg.encode();
    let sent = bytes.len();
    let reply = tokio::time::timeout(REQUEST_TIMEOUT, net.request(peer, bytes))
        .await
        .map_err(|_| "the peer did not answer in time".to_string())?
        .map_err(|e: Error| e.to_string())?;
    let got = Message::decode(&reply).map_err(|e| format!("bad answer ({}): {e}", e.code()))?;
    if let Body::Refused(why) = &got.body {
        return Err(format!("refused: {why}"));
    }
    Ok((got, sent + reply.len()))
}

/// One session with `peer` on `pillar`.
pub async fn session(net: Network, ingest: Ingest, peer: PeerId, pillar: Pillar) -> Report {
    let mut report = Report {
        peer: peer.to_string(),
        pillar: pillar.to_string(),
        ..Report::default()
    };
    if let Err(e) = run(&net, &ingest, peer, &pillar, &mut report).await {
        tracing::debug!(%peer, %pillar, error = %e, "sync session ended early");
        report.misbehaved = e.starts_with("bad answer") || e.starts_with("no agreement");
        report.error = Some(e);
    }
    report
}

async fn run(
    net: &Network,
    ingest: &Ingest,
    peer: PeerId,
    pillar: &Pillar,
    report: &mut Report,
) -> Result<(), String> {
    let network = ingest.network();
    let p = pillar.clone();
    let items: Vec<Item> = ingest
        .store()
        .read(move |txn| store::pillar_items(txn, &p, crate::ingest::now_ms()))
        .await
        .map_err(|e| e.to_string())?;
    // Reconciliation is CPU work over every item of the pillar: off the async runtime.
    let items = std::sync::Arc::new(items);
    let cpu = |e: tokio::task::JoinError| e.to_string();
    let mut need = Vec::new();
    let mut have = Vec::new();
    let mut ranges = {
        let items = items.clone();
        tokio::task::spawn_blocking(move || sync::initiate(&items))
            .await
            .map_err(cpu)?
    };
    while !ranges.is_empty() {
        if report.rounds as usize >= MAX_ROUNDS {
            // Move what was learnt; the next session continues the rest.
            tracing::debug!(%peer, %pillar, "sync stopped after {MAX_ROUNDS} rounds");
            break;
        }
        report.rounds += 1;
        let msg = Message {
            net: network,
            pillar: pillar.clone(),
            body: Body::Reconcile(ranges),
        };
        let (reply, bytes) = ask(net, peer, &msg).await?;
        report.reconcile_bytes += bytes as u64;
        let Body::Reconcile(theirs) = reply.body else {
            return Err("the peer answered with something else".into());
        };
        let (next, learnt) = {
            let items = items.clone();
            tokio::task::spawn_blocking(move || sync::process(&items, &theirs, Role::Initiator))
                .await
                .map_err(cpu)?
        };
        need.extend(learnt.need);
        have.extend(learnt.have);
        if need.len() > MAX_NEED {
            return Err(format!(
                "bad answer: more than {MAX_NEED} records to fetch in one session"
            ));
        }
        ranges = next;
    }
    need.sort();
    need.dedup();
    // Records this node refused before (its own rules) are not fetched again.
    need.retain(|s| !ingest.was_refused(s));
    have.sort();
    have.dedup();

    // Fetch what we lack, a few pages at a time; each page goes through ingest, and the next
    // page is checked while the one before is committed (at most INGEST_IN_FLIGHT at once, in
    // order, so memory stays bounded).
    let mut pages = need.chunks(FETCH_PAGE).map(<[_]>::to_vec);
    let mut in_flight = tokio::task::JoinSet::new();
    let mut ingesting: std::collections::VecDeque<Ingesting> = std::collections::VecDeque::new();
    loop {
        while in_flight.len() < FETCH_IN_FLIGHT {
            let Some(page) = pages.next() else { break };
            let net = net.clone();
            let msg = Message {
                net: network,
                pillar: pillar.clone(),
                body: Body::Fetch(page),
            };
            in_flight.spawn(async move { ask(&net, peer, &msg).await });
        }
        let Some(done) = in_flight.join_next().await else {
            break;
        };
        let (reply, bytes) = done.map_err(|e| e.to_string())??;
        report.transfer_bytes += bytes as u64;
        let Body::Envelopes(envs) = reply.body else {
            return Err("the peer answered a fetch with something else".into());
        };
        if off_pillar(&envs, pillar) {
            return Err(format!("bad answer: a fetched record is not on {pillar}"));
        }
        report.fetched += envs.len() as u64;
        if ingesting.len() >= INGEST_IN_FLIGHT
            && let Some(oldest) = ingesting.pop_front()
        {
            settle_page(ingest, oldest, report).await?;
        }
        let task = {
            let ingest = ingest.clone();
            let envs = envs.clone();
            tokio::spawn(async move { ingest.accept(envs).await })
        };
        ingesting.push_back((task, envs));
    }
    while let Some(page) = ingesting.pop_front() {
        settle_page(ingest, page, report).await?;
    }

    // Push what the peer lacks.
    for page in have.chunks(PUSH_PAGE) {
        let page = page.to_vec();
        let envs = ingest
            .store()
            .read(move |txn| store::envelopes_of(txn, &page))
            .await
            .map_err(|e| e.to_string())?;
        if envs.is_empty() {
            continue;
        }
        report.pushed += envs.len() as u64;
        let msg = Message {
            net: network,
            pillar: pillar.clone(),
            body: Body::Envelopes(envs),
        };
        let (_, bytes) = ask(net, peer, &msg).await?;
        report.transfer_bytes += bytes as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope_on(slugs: &[&str]) -> Vec<u8> {
        let key = wsf_protocol::ed25519_dalek::SigningKey::from_bytes(&[5; 32]);
        let draft = wsf_protocol::Draft {
            net: NetworkId::public(),
            ts: 1_767_225_600_000,
            pillars: slugs
                .iter()
                .map(|s| Pillar::new(s).expect("slug"))
                .collect(),
            content: wsf_protocol::Content::Profile(wsf_protocol::Profile {
                name: "Girls Learn".into(),
                description: None,
                website: None,
                countries: vec![],
                contact: None,
            }),
            expires: None,
            supersedes: None,
            refs: vec![],
        };
        wsf_protocol::sign(&draft, &key)
            .expect("valid draft")
            .envelope()
            .to_vec()
    }

    #[test]
    fn envelopes_on_another_pillar_refuse_the_whole_message() {
        let education = Pillar::new("education").expect("slug");
        let on = envelope_on(&["education", "land-rights"]);
        let off = envelope_on(&["land-rights"]);
        assert!(!off_pillar(&[], &education));
        assert!(!off_pillar(std::slice::from_ref(&on), &education));
        assert!(off_pillar(&[on.clone(), off], &education));
        // Bytes that are no record are left to ingest, which refuses them as malformed.
        assert!(!off_pillar(&[on, b"garbage".to_vec()], &education));
    }
}
