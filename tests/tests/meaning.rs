//! What a node shows is a function of the records it holds.
//!
//! Generated histories: three organisations (each an offline wsf service with its own key)
//! publish, correct (chains and forks), co-sign and co-sign again, withdraw any version, change
//! their profiles, and some of their records arrive only after they expired. Random subsets of
//! the records reach several nodes in random orders and batches (import), then everything does
//! (sync); in a few cases the nodes are real networked nodes fed by import and gossip that
//! converge by catch-up sync. Afterwards every node must show the same thing — listings, every
//! record's detail, co-signer sets — and no withdrawn version may be shown anywhere.
//!
//! `WSF_TEST_SEED` replays a run; `WSF_PROP_CASES` sets the number of offline cases.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use wsf_node::datadir::DataDir;
use wsf_node::service::Service;
use wsf_protocol::api::{EndorseRequest, ListRequest, PublishRequest, RetractRequest};
use wsf_protocol::{
    Action, AuthorId, Campaign, Content, Draft, Kind, Pillar, Profile, Record, RecordId, Resource,
    ResourceType,
};
use wsf_tests::{Rng, TestNode, eventually};

const PILLARS: [&str; 3] = ["education", "womens-rights", "poverty-hunger"];
const NAMES: [&str; 3] = ["Org A", "Org B", "Amnesty International"];
const STATEMENTS: [&str; 3] = ["We co-sign.", "Solidarity.", "We stand with you."];

/// Offline cases run by default: about a second each on the CI machine.
const DEFAULT_CASES: usize = 24;
/// Operations per generated history.
const OPS: usize = 45;

/// One version the generator knows of.
#[derive(Debug, Clone)]
struct Version {
    id: RecordId,
    author: usize,
    kind: Kind,
    supersedes: Option<RecordId>,
}

/// A generated history: every envelope made, and what the model says must be withdrawn.
struct History {
    envelopes: Vec<Vec<u8>>,
    withdrawn: BTreeSet<RecordId>,
    expired: BTreeSet<RecordId>,
}

fn service(dir: &tempfile::TempDir) -> Service {
    Service::open(DataDir::new(dir.path().to_owned())).expect("service")
}

fn pillars(rng: &mut Rng) -> Vec<Pillar> {
    let n = rng.range(1, 3) as usize;
    (0..n)
        .map(|_| Pillar::new(PILLARS[rng.range(0, 3) as usize]).expect("slug"))
        .collect()
}

fn content(rng: &mut Rng, kind: Kind, n: usize) -> Content {
    match kind {
        Kind::Campaign => Content::Campaign(Campaign {
            title: format!("Campaign call {n}"),
            action: Action::Advocacy,
            call: format!("Write to your representative ({n})"),
            online: true,
            place: None,
            description: None,
            starts: None,
            ends: (rng.range(0, 2) == 0).then_some(4_102_444_800_000),
            target: None,
            url: None,
        }),
        _ => Content::Resource(Resource {
            title: format!("Guide {n}"),
            resource_type: ResourceType::Guide,
            summary: Some(format!("Version {n}")),
            body: None,
            url: None,
            language: None,
            license: None,
        }),
    }
}

fn request(pillars: Vec<Pillar>, content: Content, supersedes: Option<RecordId>) -> PublishRequest {
    PublishRequest {
        pillars,
        expires: None,
        supersedes: supersedes.map(|s| s.to_string()),
        refs: vec![],
        new_pillars: vec![],
        content,
    }
}

/// Every version of `id` the model knows that `id` replaced, following `supersedes`.
fn chain(versions: &HashMap<RecordId, Version>, id: RecordId) -> Vec<RecordId> {
    let mut out = vec![id];
    let mut next = versions.get(&id).and_then(|v| v.supersedes);
    while let Some(p) = next {
        if out.contains(&p) {
            break;
        }
        out.push(p);
        next = versions.get(&p).and_then(|v| v.supersedes);
    }
    out
}

/// Remembers a record the generator made.
fn keep(
    r: &Record,
    author: usize,
    versions: &mut HashMap<RecordId, Version>,
    order: &mut Vec<RecordId>,
    envelopes: &mut Vec<Vec<u8>>,
) {
    envelopes.push(r.envelope().to_vec());
    versions.insert(
        r.id(),
        Version {
            id: r.id(),
            author,
            kind: r.body().kind(),
            supersedes: r.body().supersedes,
        },
    );
    order.push(r.id());
}

async fn generate(rng: &mut Rng) -> History {
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().expect("dir")).collect();
    let authors: Vec<Service> = dirs.iter().map(service).collect();
    let mut versions: HashMap<RecordId, Version> = HashMap::new();
    let mut order: Vec<RecordId> = Vec::new();
    let mut envelopes: Vec<Vec<u8>> = Vec::new();
    let mut withdrawn = BTreeSet::new();
    let mut expired = BTreeSet::new();
    for n in 0..OPS {
        let a = rng.range(0, 3) as usize;
        let svc = &authors[a];
        let live_own: Vec<Version> = order
            .iter()
            .filter_map(|id| versions.get(id))
            .filter(|v| v.author == a && !withdrawn.contains(&v.id))
            .filter(|v| !matches!(v.kind, Kind::Retraction))
            .cloned()
            .collect();
        match rng.range(0, 100) {
            // Publish something new.
            0..=24 => {
                let kind = if rng.range(0, 2) == 0 {
                    Kind::Campaign
                } else {
                    Kind::Resource
                };
                let mut req = request(pillars(rng), content(rng, kind, n), None);
                if rng.range(0, 5) == 0 {
                    req.expires = Some(4_102_444_800_000);
                }
                let (r, _) = svc.publish(req).await.expect("publish");
                keep(&r, a, &mut versions, &mut order, &mut envelopes);
            }
            // Correct one of its records (any version: correcting an old one makes a fork).
            25..=44 => {
                let shareable: Vec<&Version> = live_own
                    .iter()
                    .filter(|v| matches!(v.kind, Kind::Campaign | Kind::Resource))
                    .collect();
                if shareable.is_empty() {
                    continue;
                }
                let old = shareable[rng.range(0, shareable.len() as u64) as usize];
                let req = request(pillars(rng), content(rng, old.kind, n), Some(old.id));
                let (r, _) = svc.publish(req).await.expect("supersede");
                keep(&r, a, &mut versions, &mut order, &mut envelopes);
            }
            // Co-sign another organisation's record (again: a new statement replaces the old).
            45..=69 => {
                let targets: Vec<Version> = order
                    .iter()
                    .filter_map(|id| versions.get(id))
                    .filter(|v| v.author != a && !withdrawn.contains(&v.id))
                    .filter(|v| matches!(v.kind, Kind::Campaign | Kind::Resource))
                    .cloned()
                    .collect();
                if targets.is_empty() {
                    continue;
                }
                let t = &targets[rng.range(0, targets.len() as u64) as usize];
                let env = envelopes
                    .iter()
                    .find(|e| wsf_protocol::decode_trusted(e).is_ok_and(|r| r.id() == t.id))
                    .cloned()
                    .expect("target envelope");
                svc.ingest()
                    .accept(vec![env])
                    .await
                    .expect("give the target");
                let req = EndorseRequest {
                    target: t.id.to_string(),
                    statement: Some(STATEMENTS[rng.range(0, 3) as usize].into()),
                };
                // Refused when this author already knows a newer version: fine.
                if let Ok((r, p)) = svc.endorse(req).await
                    && p.outcome == "stored"
                {
                    keep(&r, a, &mut versions, &mut order, &mut envelopes);
                }
            }
            // Withdraw any of its versions (or a co-signature).
            70..=84 => {
                if live_own.is_empty() {
                    continue;
                }
                let v = &live_own[rng.range(0, live_own.len() as u64) as usize];
                let req = RetractRequest {
                    target: v.id.to_string(),
                    reason: Some("cancelled".into()),
                };
                let (r, _) = svc.retract(req).await.expect("retract");
                for gone in chain(&versions, v.id) {
                    withdrawn.insert(gone);
                }
                keep(&r, a, &mut versions, &mut order, &mut envelopes);
            }
            // A new profile.
            85..=94 => {
                let req = request(
                    vec![Pillar::new(PILLARS[0]).expect("slug")],
                    Content::Profile(Profile {
                        name: NAMES[rng.range(0, 3) as usize].into(),
                        description: Some(format!("card {n}")),
                        website: None,
                        countries: vec![],
                        contact: None,
                    }),
                    None,
                );
                let (r, _) = svc.publish(req).await.expect("profile");
                keep(&r, a, &mut versions, &mut order, &mut envelopes);
            }
            // A record that reaches the others only after it expired.
            _ => {
                let key = DataDir::new(dirs[a].path().to_owned())
                    .identity()
                    .expect("key")
                    .expect("key exists");
                let now = wsf_node::ingest::now_ms();
                let r = wsf_protocol::sign(
                    &Draft {
                        net: svc.ingest().network(),
                        ts: now - 2 * 86_400_000,
                        pillars: pillars(rng),
                        content: content(rng, Kind::Resource, n),
                        expires: Some(now - 86_400_000),
                        supersedes: None,
                        refs: vec![],
                    },
                    &key,
                )
                .expect("sign");
                expired.insert(r.id());
                envelopes.push(r.envelope().to_vec());
            }
        }
    }
    // Everything the authors hold (retractions split over several records included).
    for svc in &authors {
        let held = svc
            .store()
            .read(|txn| {
                let mut all = Vec::new();
                wsf_node::store::for_each_envelope(txn, &[], |e| {
                    all.push(e.to_vec());
                    true
                })?;
                Ok(all)
            })
            .await
            .expect("read");
        for e in held {
            if !envelopes.contains(&e) {
                envelopes.push(e);
            }
        }
    }
    for svc in authors {
        svc.store().clone().close().await.expect("close");
    }
    History {
        envelopes,
        withdrawn,
        expired,
    }
}

/// The node-independent part of what a node shows: listings and every record's detail, without
/// local markers (author views, partner groups).
#[derive(Debug, PartialEq, Eq)]
struct Shown {
    listed: Vec<(String, Option<String>, u64, String)>,
    details: BTreeMap<String, String>,
}

async fn shown(svc: &Service, ids: &[RecordId]) -> Shown {
    let mut listed = Vec::new();
    for all in [false, true] {
        let page = svc
            .list(ListRequest {
                kinds: Kind::ALL.to_vec(),
                limit: Some(10_000),
                all,
                ..ListRequest::default()
            })
            .await
            .expect("list");
        for r in page.items {
            listed.push((
                r.id.to_string(),
                r.supersedes.map(|s| s.to_string()),
                r.endorsements,
                serde_json::to_string(&r.content).expect("json"),
            ));
        }
        listed.push(("--- with hidden ---".into(), None, 0, String::new()));
    }
    let mut details = BTreeMap::new();
    for id in ids {
        let text = match svc.show(&id.to_string(), true).await {
            Ok(d) => {
                let cos: Vec<_> = d
                    .cosigners
                    .iter()
                    .map(|c| (c.author, c.id, c.statement.clone(), c.version))
                    .collect();
                let earlier: BTreeSet<_> = d
                    .earlier_cosigners
                    .iter()
                    .map(|c| (c.author, c.id, c.statement.clone(), c.version))
                    .collect();
                let authors: BTreeSet<AuthorId> = cos.iter().map(|c| c.0).collect();
                assert_eq!(
                    authors.len(),
                    cos.len(),
                    "one co-signature per organisation"
                );
                if let Some(r) = &d.record {
                    assert_eq!(r.endorsements, cos.len() as u64);
                }
                for e in &earlier {
                    assert!(
                        !authors.contains(&e.0),
                        "earlier co-signers are shown apart"
                    );
                }
                let cos: BTreeSet<_> = cos.into_iter().collect();
                format!(
                    "record={:?} retracted={} superseded_by={:?} cosigners={cos:?} earlier={earlier:?} history={:?}",
                    d.record
                        .as_ref()
                        .map(|r| (r.id, serde_json::to_string(&r.content).ok())),
                    d.retracted_by.is_some(),
                    d.superseded_by,
                    d.history.iter().map(|h| h.id).collect::<Vec<_>>()
                )
            }
            Err(_) => "unknown".into(),
        };
        details.insert(id.to_string(), text);
    }
    Shown { listed, details }
}

fn ids_of(envelopes: &[Vec<u8>]) -> Vec<RecordId> {
    envelopes
        .iter()
        .filter_map(|e| wsf_protocol::decode(e).ok().map(|u| u.id()))
        .collect()
}

/// Feeds envelopes to `svc` in random batches of 1 to 8.
async fn feed(svc: &Service, rng: &mut Rng, mut envs: Vec<Vec<u8>>) {
    shuffle(rng, &mut envs);
    while !envs.is_empty() {
        let n = (rng.range(1, 9) as usize).min(envs.len());
        let batch: Vec<Vec<u8>> = envs.drain(..n).collect();
        svc.ingest().accept(batch).await.expect("accept");
    }
}

fn shuffle<T>(rng: &mut Rng, v: &mut [T]) {
    for i in (1..v.len()).rev() {
        let j = rng.range(0, i as u64 + 1) as usize;
        v.swap(i, j);
    }
}

/// Checks what the model says must hold on one node.
async fn check_node(svc: &Service, h: &History, who: &str, seed: u64) {
    let page = svc
        .list(ListRequest {
            kinds: Kind::ALL.to_vec(),
            limit: Some(10_000),
            all: true,
            include_expired: true,
            ..ListRequest::default()
        })
        .await
        .expect("list");
    for r in &page.items {
        assert!(
            !h.withdrawn.contains(&r.id),
            "{who} lists withdrawn {} (seed {seed})",
            r.id
        );
        assert!(
            !h.expired.contains(&r.id),
            "{who} holds an expired record (seed {seed})"
        );
    }
    for id in &h.withdrawn {
        if let Ok(d) = svc.show(&id.to_string(), false).await {
            assert!(
                d.record.is_none(),
                "{who} shows withdrawn {id} (seed {seed})"
            );
        }
    }
    let counts = svc.counts().await.expect("counts");
    assert!(
        !counts.rejected.contains_key("expired"),
        "{who}: expired records are not rejections (seed {seed})"
    );
    for reason in counts.rejected.keys() {
        assert_eq!(
            reason, "retracted",
            "{who}: only withdrawn records are refused (seed {seed})"
        );
    }
}

/// Offline nodes: random subsets in random orders, then everything (as sync would bring).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_histories_show_the_same_on_every_node() {
    let mut rng = Rng::from_env("generated_histories_show_the_same_on_every_node");
    let cases = std::env::var("WSF_PROP_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let started = std::time::Instant::now();
    let mut withdrawn_total = 0;
    for case in 0..cases {
        let seed = rng.next_u64();
        let mut r = Rng::new(seed);
        let h = generate(&mut r).await;
        withdrawn_total += h.withdrawn.len();
        let ids = ids_of(&h.envelopes);
        // The reference: everything, in the order it was made.
        let ref_dir = tempfile::tempdir().expect("dir");
        let reference = service(&ref_dir);
        reference
            .ingest()
            .accept(h.envelopes.clone())
            .await
            .expect("accept");
        check_node(&reference, &h, "the reference", seed).await;
        let expected = shown(&reference, &ids).await;
        for node in 0..3 {
            let dir = tempfile::tempdir().expect("dir");
            let svc = service(&dir);
            let subset: Vec<Vec<u8>> = h
                .envelopes
                .iter()
                .filter(|_| r.range(0, 10) < 6)
                .cloned()
                .collect();
            feed(&svc, &mut r, subset).await;
            feed(&svc, &mut r, h.envelopes.clone()).await;
            check_node(&svc, &h, &format!("node {node}"), seed).await;
            let got = shown(&svc, &ids).await;
            assert_eq!(
                got.listed, expected.listed,
                "case {case}: node {node} lists differently (WSF_TEST_SEED for the case: {seed})"
            );
            for (id, want) in &expected.details {
                assert_eq!(
                    got.details.get(id),
                    Some(want),
                    "case {case}: node {node} shows {id} differently (case seed {seed})"
                );
            }
            svc.store().clone().close().await.expect("close");
        }
        reference.store().clone().close().await.expect("close");
    }
    eprintln!(
        "{cases} generated histories ({OPS} operations each, {withdrawn_total} withdrawn versions) \
         agreed on 4 nodes each in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Networked nodes: subsets by import and gossip, then catch-up sync until the digests agree.
///
/// ```text
///   n1 ── n0 ── n2
/// ```
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_histories_converge_over_gossip_and_sync() {
    let mut rng = Rng::from_env("generated_histories_converge_over_gossip_and_sync");
    for _case in 0..2 {
        let seed = rng.next_u64();
        let mut r = Rng::new(seed);
        let h = generate(&mut r).await;
        let ids = ids_of(&h.envelopes);
        let n0 = TestNode::start(&[], &[]).await;
        let n1 = TestNode::start(&[], &[&n0.addr]).await;
        let n2 = TestNode::start(&[], &[&n0.addr]).await;
        n0.wait_mesh("education", 2).await;
        let nodes = [&n0, &n1, &n2];
        let mut shuffled = h.envelopes.clone();
        shuffle(&mut r, &mut shuffled);
        for env in shuffled {
            let at = nodes[r.range(0, 3) as usize];
            let out = at
                .node
                .service
                .ingest()
                .accept(vec![env.clone()])
                .await
                .expect("accept");
            if matches!(out.first(), Some(wsf_node::ingest::Outcome::Stored(_)))
                && r.range(0, 2) == 0
                && let Ok(rec) = wsf_protocol::decode_trusted(&env)
            {
                at.node.net.publish(env, rec.body().pillars.clone());
            }
        }
        // Catch up until every node holds the same records and tombstones.
        eventually(|| async {
            for n in nodes {
                n.node.net.sync(None).await.ok()?;
            }
            let d0 = n0.digest().await;
            (d0 == n1.digest().await && d0 == n2.digest().await).then_some(())
        })
        .await;
        let want = shown(&n0.node.service, &ids).await;
        for (i, n) in nodes.iter().enumerate() {
            check_node(&n.node.service, &h, &format!("networked node {i}"), seed).await;
            let got = shown(&n.node.service, &ids).await;
            assert_eq!(got, want, "networked node {i} differs (case seed {seed})");
        }
        for n in [n0, n1, n2] {
            n.stop().await;
        }
    }
}
