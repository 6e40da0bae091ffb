//! Store semantics: retractions, supersedes, profiles, endorsements, listings, prefixes.

use wsf_protocol::ed25519_dalek::SigningKey;
use wsf_protocol::*;

use super::Error;
use super::*;
use redb::ReadableTableMetadata;

/// A viewer that is none of the test authors, at a time before every test record expires.
const V: Viewer = Viewer {
    me: AuthorId([0xee; 32]),
    now: 0,
};

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn resource(title: &str) -> Content {
    Content::Resource(Resource {
        title: title.into(),
        resource_type: ResourceType::Guide,
        summary: None,
        body: None,
        url: None,
        language: None,
        license: None,
    })
}

fn rec(k: &SigningKey, ts: u64, pillar: &str, content: Content) -> Record {
    rec_with(k, ts, pillar, content, None)
}

fn rec_with(
    k: &SigningKey,
    ts: u64,
    pillar: &str,
    content: Content,
    supersedes: Option<RecordId>,
) -> Record {
    sign(
        &Draft {
            net: NetworkId::public(),
            ts,
            pillars: vec![Pillar::new(pillar).expect("slug")],
            content,
            expires: None,
            supersedes,
            refs: vec![],
        },
        k,
    )
    .expect("sign")
}

fn profile(k: &SigningKey, ts: u64, name: &str) -> Record {
    rec(
        k,
        ts,
        "education",
        Content::Profile(Profile {
            name: name.into(),
            description: None,
            website: None,
            countries: vec![],
            contact: None,
        }),
    )
}

fn retraction(k: &SigningKey, ts: u64, target: RecordId) -> Record {
    rec(
        k,
        ts,
        "education",
        Content::Retraction(Retraction {
            target,
            reason: None,
        }),
    )
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("store.redb")).expect("open");
    (dir, store)
}

async fn listing(store: &Store, q: Query) -> Vec<RecordId> {
    store
        .read(move |txn| list(txn, V, &q))
        .await
        .expect("list")
        .items
        .iter()
        .map(|i| i.id)
        .collect()
}

fn all() -> Query {
    Query {
        limit: 100,
        ..Query::default()
    }
}

#[tokio::test]
async fn insert_is_idempotent_and_reports_duplicates() {
    let (_d, store) = open();
    let r = rec(&key(1), 1_000, "education", resource("a"));
    assert_eq!(
        store
            .insert(vec![r.clone(), r.clone()])
            .await
            .expect("insert"),
        vec![InsertOutcome::Stored, InsertOutcome::Duplicate]
    );
    assert_eq!(
        store.insert(vec![r.clone()]).await.expect("insert"),
        vec![InsertOutcome::Duplicate]
    );
    let id = r.id();
    let back = store.read(move |t| get(t, &id)).await.expect("get");
    assert_eq!(back, Some(r));
}

/// Gossip's commits without fsync: visible at once, settled by the writer's timer, and kept by
/// a clean close.
#[tokio::test]
async fn commits_without_fsync_are_visible_at_once_and_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("s.redb");
    let store = Store::open(&path).expect("open");
    let a = rec(&key(1), 1_000, "education", resource("by gossip"));
    let b = rec(&key(1), 2_000, "education", resource("published"));
    let c = rec(&key(2), 3_000, "education", resource("by gossip, last"));
    assert_eq!(
        store
            .insert_with(vec![a.clone()], false)
            .await
            .expect("insert"),
        vec![InsertOutcome::Stored]
    );
    let id = a.id();
    assert!(
        store
            .read(move |t| get(t, &id))
            .await
            .expect("get")
            .is_some()
    );
    store.insert(vec![b.clone()]).await.expect("insert");
    let mut settles = store.settles();
    let before = *settles.borrow_and_update();
    store
        .insert_with(vec![c.clone()], false)
        .await
        .expect("insert");
    // The settle comes by itself within SETTLE_AFTER (10 s is a generous bound, not a timer).
    tokio::time::timeout(std::time::Duration::from_secs(10), settles.changed())
        .await
        .expect("the writer settles the commit without fsync")
        .expect("the writer runs");
    assert_eq!(*settles.borrow(), before + 1);
    store
        .insert_with(vec![a.clone()], false)
        .await
        .expect("insert");
    store.close().await.expect("close");
    let store = Store::open(&path).expect("reopen");
    for r in [a, b, c] {
        let id = r.id();
        assert_eq!(
            store.read(move |t| get(t, &id)).await.expect("get"),
            Some(r)
        );
    }
}

#[tokio::test]
async fn retraction_drops_the_target_and_refuses_it_later() {
    let (_d, store) = open();
    let a = key(1);
    let target = rec(&a, 1_000, "education", resource("to retract"));
    let tid = target.id();
    store.insert(vec![target.clone()]).await.expect("insert");
    store
        .insert(vec![retraction(&a, 2_000, tid)])
        .await
        .expect("insert");
    assert!(
        store
            .read(move |t| get(t, &tid))
            .await
            .expect("get")
            .is_none()
    );
    assert!(listing(&store, all()).await.is_empty());
    assert_eq!(
        store.insert(vec![target]).await.expect("insert"),
        vec![InsertOutcome::Retracted]
    );
    let d = store
        .read(move |t| detail(t, V, &tid, false))
        .await
        .expect("detail");
    assert!(d.record.is_none() && d.retracted_by.is_some());
    let c = store.read(counts).await.expect("counts");
    assert_eq!((c.records, c.retracted), (1, 1));
}

#[tokio::test]
async fn retraction_arriving_first_refuses_the_target() {
    let (_d, store) = open();
    let a = key(1);
    let target = rec(&a, 1_000, "education", resource("late"));
    store
        .insert(vec![retraction(&a, 2_000, target.id())])
        .await
        .expect("insert");
    assert_eq!(
        store.insert(vec![target]).await.expect("insert"),
        vec![InsertOutcome::Retracted]
    );
}

#[tokio::test]
async fn only_the_author_can_retract() {
    let (_d, store) = open();
    let target = rec(&key(1), 1_000, "education", resource("mine"));
    let tid = target.id();
    // A stranger's retraction, before and after the target arrives.
    store
        .insert(vec![retraction(&key(2), 500, tid)])
        .await
        .expect("insert");
    assert_eq!(
        store.insert(vec![target]).await.expect("insert"),
        vec![InsertOutcome::Stored]
    );
    store
        .insert(vec![retraction(&key(3), 2_000, tid)])
        .await
        .expect("insert");
    assert!(
        store
            .read(move |t| get(t, &tid))
            .await
            .expect("get")
            .is_some()
    );
    assert_eq!(listing(&store, all()).await, vec![tid]);
}

#[tokio::test]
async fn supersedes_hides_the_older_version_of_the_same_author() {
    let (_d, store) = open();
    let a = key(1);
    let v1 = rec(&a, 1_000, "education", resource("v1"));
    let v2 = rec_with(&a, 2_000, "education", resource("v2"), Some(v1.id()));
    // A stranger cannot hide someone else's record.
    let other = rec(&key(2), 3_000, "education", resource("x"));
    let fake = rec_with(&key(2), 3_001, "education", resource("y"), Some(other.id()));
    let fake2 = rec_with(&key(3), 3_002, "education", resource("z"), Some(v2.id()));
    store
        .insert(vec![
            v2.clone(),
            v1.clone(),
            other.clone(),
            fake.clone(),
            fake2.clone(),
        ])
        .await
        .expect("insert");
    let shown = listing(&store, all()).await;
    assert_eq!(shown, vec![fake2.id(), fake.id(), v2.id()]);
    let hidden = listing(
        &store,
        Query {
            include_hidden: true,
            ..all()
        },
    )
    .await;
    assert_eq!(hidden.len(), 5);
    let v2id = v2.id();
    let d = store
        .read(move |t| detail(t, V, &v2id, true))
        .await
        .expect("detail");
    assert_eq!(
        d.history.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![v1.id()]
    );
    let v1id = v1.id();
    let d = store
        .read(move |t| detail(t, V, &v1id, false))
        .await
        .expect("detail");
    assert_eq!(d.superseded_by, Some(v2.id()));
}

#[tokio::test]
async fn newest_profile_names_the_author_and_endorsements_are_indexed() {
    let (_d, store) = open();
    let a = key(1);
    let b = key(2);
    let campaign = rec(&a, 1_000, "education", resource("call"));
    let cid = campaign.id();
    let endorse = rec(
        &b,
        2_000,
        "education",
        Content::Endorsement(Endorsement {
            target: cid,
            statement: Some("yes".into()),
        }),
    );
    store
        .insert(vec![
            profile(&a, 5_000, "New name"),
            profile(&a, 1_000, "Old name"),
            profile(&b, 1_000, "Partner"),
            campaign,
            endorse,
        ])
        .await
        .expect("insert");
    let author = AuthorId::from(&a.verifying_key());
    let name = store
        .read(move |t| author_name(t, &author))
        .await
        .expect("name");
    assert_eq!(name.as_deref(), Some("New name"));
    let d = store
        .read(move |t| detail(t, V, &cid, false))
        .await
        .expect("detail");
    assert_eq!(d.cosigners.len(), 1);
    assert_eq!(d.cosigners[0].author_name.as_deref(), Some("Partner"));
    assert_eq!(d.record.expect("held").endorsements, 1);
    let profiles = listing(
        &store,
        Query {
            kinds: vec![Kind::Profile],
            ..all()
        },
    )
    .await;
    assert_eq!(
        profiles.len(),
        2,
        "only the newest profile per author is listed"
    );
}

#[tokio::test]
async fn listings_filter_and_page_newest_first() {
    let (_d, store) = open();
    let a = key(1);
    let b = key(2);
    let mut recs = Vec::new();
    for i in 0..30u64 {
        let (k, p) = if i % 3 == 0 {
            (&b, "womens-rights")
        } else {
            (&a, "education")
        };
        recs.push(rec(k, 1_000 + i, p, resource(&format!("r{i}"))));
    }
    store.insert(recs.clone()).await.expect("insert");
    let mut expected: Vec<RecordId> = recs.iter().rev().map(Record::id).collect();
    // Pages of 7 with the cursor walk everything exactly once, newest first.
    let mut got = Vec::new();
    let mut cursor = None;
    loop {
        let q = Query {
            limit: 7,
            cursor,
            ..Query::default()
        };
        let page = store.read(move |t| list(t, V, &q)).await.expect("list");
        got.extend(page.items.iter().map(|i| i.id));
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(got, expected);
    let by_pillar = listing(
        &store,
        Query {
            pillars: vec![Pillar::new("womens-rights").expect("slug")],
            ..all()
        },
    )
    .await;
    assert_eq!(by_pillar.len(), 10);
    let by_author = listing(
        &store,
        Query {
            author: Some(AuthorId::from(&a.verifying_key())),
            since: Some(1_010),
            until: Some(1_020),
            ..all()
        },
    )
    .await;
    expected.retain(|id| by_author.contains(id));
    assert_eq!(
        by_author.len(),
        8,
        "ts 1010..=1020 (11) minus multiples of 3 (12, 15, 18)"
    );
    assert_eq!(by_author, expected);
}

#[tokio::test]
async fn prefixes_resolve_or_say_they_are_ambiguous() {
    let (_d, store) = open();
    let recs: Vec<Record> = (0..1_500u64)
        .map(|i| rec(&key(1), 1_000 + i, "education", resource("p")))
        .collect();
    store.insert(recs.clone()).await.expect("insert");
    let id = recs[0].id();
    let full: IdPrefix = id.to_string().parse().expect("prefix");
    assert_eq!(
        store
            .read(move |t| resolve(t, &full))
            .await
            .expect("resolve"),
        id
    );
    let short: IdPrefix = id.to_string()[..10].parse().expect("prefix");
    assert_eq!(
        store
            .read(move |t| resolve(t, &short))
            .await
            .expect("resolve"),
        id
    );
    // With 1,500 ids, some 4-hex-digit prefix is shared (birthday bound: 1,500² / 2¹⁷ ≫ 1).
    let mut seen = std::collections::HashMap::new();
    let shared = recs
        .iter()
        .find_map(|r| {
            seen.insert(r.id().to_string()[..4].to_owned(), ())
                .map(|_| r.id())
        })
        .expect("a shared 4-hex prefix among 1,500 ids");
    let p: IdPrefix = shared.to_string()[..4].parse().expect("prefix");
    assert!(matches!(
        store.read(move |t| resolve(t, &p)).await,
        Err(Error::Ambiguous { .. })
    ));
    let none: IdPrefix = "ffffffffffffffff".parse().expect("prefix");
    assert!(matches!(
        store.read(move |t| resolve(t, &none)).await,
        Err(Error::NotFound(_))
    ));
}

#[tokio::test]
async fn a_second_open_of_the_same_file_is_refused_clearly() {
    let (dir, _store) = open();
    let err = Store::open(&dir.path().join("store.redb")).expect_err("in use");
    assert!(matches!(err, Error::InUse(_)), "{err}");
    assert!(err.to_string().contains("another process"));
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store.redb");
    {
        let db = redb::Database::create(&path).expect("create");
        let txn = db.begin_write().expect("txn");
        txn.open_table(META)
            .expect("meta")
            .insert("schema_version", 99)
            .expect("insert");
        txn.commit().expect("commit");
    }
    let err = Store::open(&path).expect_err("newer schema");
    assert!(matches!(err, Error::Schema { found: 99, .. }), "{err}");
}

#[tokio::test]
async fn counters_add_up() {
    let (_d, store) = open();
    store
        .count(vec![("rejected.signature_invalid".into(), 2)])
        .await
        .expect("count");
    store
        .count(vec![("rejected.signature_invalid".into(), 3)])
        .await
        .expect("count");
    store.flush().await.expect("flush");
    let c = store.read(counts).await.expect("counts");
    assert_eq!(c.rejected.get("signature_invalid"), Some(&5));
}

#[tokio::test]
async fn another_author_cannot_unhide_a_superseded_record() {
    let (_d, store) = open();
    let alice = key(1);
    let v1 = rec(&alice, 1_000, "education", resource("v1"));
    let v2 = rec_with(&alice, 2_000, "education", resource("v2"), Some(v1.id()));
    // Mallory claims to supersede Alice's v1, with a later timestamp.
    let fake = rec_with(&key(9), 3_000, "education", resource("fake"), Some(v1.id()));
    store
        .insert(vec![v1.clone(), v2.clone(), fake.clone()])
        .await
        .expect("insert");
    let shown = listing(&store, all()).await;
    assert_eq!(shown, vec![fake.id(), v2.id()], "v1 stays hidden");
}

#[tokio::test]
async fn retracting_the_newest_profile_falls_back_to_the_previous_one() {
    let (_d, store) = open();
    let a = key(1);
    let old = profile(&a, 1_000, "Old name");
    let new = profile(&a, 2_000, "New name");
    store.insert(vec![old, new.clone()]).await.expect("insert");
    store
        .insert(vec![retraction(&a, 3_000, new.id())])
        .await
        .expect("retract");
    let author = AuthorId::from(&a.verifying_key());
    let name = store
        .read(move |t| author_name(t, &author))
        .await
        .expect("name");
    assert_eq!(name.as_deref(), Some("Old name"));
}

#[tokio::test]
async fn a_schema_1_store_is_migrated_forward() {
    let (dir, store) = open();
    let path = dir.path().join("store.redb");
    let k = key(5);
    let v1 = rec(&k, 1_000, "education", resource("v1"));
    let v2 = rec_with(&k, 2_000, "education", resource("v2"), Some(v1.id()));
    let p = profile(&k, 3_000, "Org Five");
    store
        .insert(vec![v1.clone(), v2.clone(), p])
        .await
        .expect("insert");
    store.close().await.expect("close");
    // Turn it into what schema 1 left: no per-record supersede entries, no name keys, no expiries.
    {
        let db = redb::Database::open(&path).expect("open");
        let txn = db.begin_write().expect("txn");
        super::packed::downgrade(&txn);
        txn.delete_table(SUPERSEDED).expect("drop");
        txn.delete_table(NAMES).expect("drop");
        txn.delete_table(EXPIRIES).expect("drop");
        txn.open_table(META)
            .expect("meta")
            .insert("schema_version", 1)
            .expect("insert");
        txn.commit().expect("commit");
    }
    let store = Store::open(&path).expect("migrates");
    assert_eq!(
        listing(&store, all()).await,
        vec![v2.id()],
        "v1 is superseded again"
    );
    let me = AuthorId::from(&k.verifying_key());
    let view = store
        .read(move |t| Lens::new(t, V)?.author(&me))
        .await
        .expect("view");
    assert_eq!(view.claimed_name.as_deref(), Some("Org Five"));
    let names = store
        .read(|t| {
            let n = t.open_table(NAMES).map_err(super::dberr)?;
            n.len().map_err(super::dberr)
        })
        .await
        .expect("names");
    assert_eq!(names, 1, "name keys rebuilt");
    let version = store
        .read(|t| {
            let m = t.open_table(META).map_err(super::dberr)?;
            Ok(m.get("schema_version")
                .map_err(super::dberr)?
                .map(|v| v.value()))
        })
        .await
        .expect("meta");
    assert_eq!(version, Some(SCHEMA_VERSION));
    store.close().await.expect("close");
}

#[tokio::test]
async fn a_schema_3_store_gets_its_envelopes_packed() {
    let (dir, store) = open();
    let path = dir.path().join("store.redb");
    let text = "Guide: l'éducation des filles, l'éducation des filles. ".repeat(3);
    let long = rec(&key(6), 1_000, "education", resource(&text));
    let short = rec(&key(6), 2_000, "education", resource("s"));
    store
        .insert(vec![long.clone(), short.clone()])
        .await
        .expect("insert");
    store.close().await.expect("close");
    {
        let db = redb::Database::open(&path).expect("open");
        let txn = db.begin_write().expect("txn");
        super::packed::downgrade(&txn);
        txn.open_table(META)
            .expect("meta")
            .insert("schema_version", 3)
            .expect("insert");
        txn.commit().expect("commit");
    }
    let store = Store::open(&path).expect("migrates");
    for r in [long.clone(), short] {
        let id = r.id();
        assert_eq!(
            store.read(move |t| get(t, &id)).await.expect("get"),
            Some(r)
        );
    }
    let long_id = long.id().0;
    let (tables, stored) = store
        .read(move |t| {
            let names: Vec<String> = t
                .list_tables()
                .map_err(super::dberr)?
                .map(|h| redb::TableHandle::name(&h).to_owned())
                .collect();
            let e = t.open_table(ENVELOPES).map_err(super::dberr)?;
            let v = e
                .get((1_000, long_id))
                .map_err(super::dberr)?
                .map(|v| v.value().to_vec());
            Ok((names, v))
        })
        .await
        .expect("read");
    assert!(!tables.iter().any(|n| n == "envelopes-1"), "{tables:?}");
    // The index is built again under its schema-4 keys, and finds the record.
    let found = store
        .read(|t| {
            let terms = wsf_protocol::search::query_terms("filles");
            super::search(t, V, &terms, &all())
        })
        .await
        .expect("search");
    assert_eq!(found.items.len(), 1, "{:?}", found.items);
    let stored = stored.expect("the long record's value");
    assert_eq!(stored[0], super::packed::ZSTD);
    assert!(stored.len() < long.envelope().len());
    store.close().await.expect("close");
}
