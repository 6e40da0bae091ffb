//! The search index: kept in step with inserts, retractions, expiry purges and blocking, and
//! built by the migration from schema 2.

use wsf_protocol::ed25519_dalek::SigningKey;
use wsf_protocol::*;

use super::*;

/// A viewer that is none of the test authors, at a time before every test record expires.
const V: Viewer = Viewer {
    me: AuthorId([0xee; 32]),
    now: 0,
};

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn resource(title: &str, body: &str) -> Content {
    Content::Resource(Resource {
        title: title.into(),
        resource_type: ResourceType::Guide,
        summary: None,
        body: Some(body.into()),
        url: None,
        language: None,
        license: None,
    })
}

fn rec(k: &SigningKey, ts: u64, content: Content, expires: Option<u64>) -> Record {
    sign(
        &Draft {
            net: NetworkId::public(),
            ts,
            pillars: vec![Pillar::new("education").expect("slug")],
            content,
            expires,
            supersedes: None,
            refs: vec![],
        },
        k,
    )
    .expect("sign")
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("store.redb")).expect("open");
    (dir, store)
}

async fn find(store: &Store, text: &str) -> Vec<RecordId> {
    let terms = wsf_protocol::search::query_terms(text);
    let q = Query {
        limit: 100,
        ..Query::default()
    };
    store
        .read(move |txn| search(txn, V, &terms, &q))
        .await
        .expect("search")
        .items
        .iter()
        .map(|i| i.id)
        .collect()
}

async fn entries(store: &Store) -> u64 {
    store
        .read(|t| {
            let s = t.open_table(SEARCH).map_err(super::dberr)?;
            redb::ReadableTableMetadata::len(&s).map_err(super::dberr)
        })
        .await
        .expect("entries")
}

#[tokio::test]
async fn inserted_records_are_found_by_any_of_their_words_newest_first() {
    let (_d, store) = open();
    let a = key(1);
    let en = rec(
        &a,
        1_000,
        resource("Clean water", "Wells for villages"),
        None,
    );
    let ar = rec(&a, 2_000, resource("مياه نظيفة", "آبار للقرى"), None);
    let zh = rec(&a, 3_000, resource("清洁的水", "为村庄打井"), None);
    let both = rec(&a, 4_000, resource("Water and مياه", "水"), None);
    store
        .insert(vec![en.clone(), ar.clone(), zh.clone(), both.clone()])
        .await
        .expect("insert");
    assert_eq!(find(&store, "WATER").await, vec![both.id(), en.id()]);
    assert_eq!(find(&store, "villages wells").await, vec![en.id()]);
    assert_eq!(find(&store, "نظيفه").await, vec![ar.id()]);
    assert_eq!(find(&store, "ابار").await, vec![ar.id()]);
    assert_eq!(find(&store, "مياه").await, vec![both.id(), ar.id()]);
    assert_eq!(find(&store, "水").await, vec![both.id(), zh.id()]);
    assert_eq!(find(&store, "村庄").await, vec![zh.id()]);
    assert_eq!(find(&store, "water 水").await, vec![both.id()]);
    assert!(find(&store, "water villages 水").await.is_empty());
    assert!(find(&store, "nothing").await.is_empty());
    assert!(find(&store, "").await.is_empty());
    store.close().await.expect("close");
}

#[tokio::test]
async fn pages_continue_after_the_cursor() {
    let (_d, store) = open();
    let a = key(1);
    let records: Vec<Record> = (0..5)
        .map(|i| rec(&a, 1_000 + i, resource("Field guide", "same words"), None))
        .collect();
    store.insert(records.clone()).await.expect("insert");
    let terms = wsf_protocol::search::query_terms("guide");
    let q = Query {
        limit: 2,
        ..Query::default()
    };
    let (t, q2) = (terms.clone(), q.clone());
    let first = store
        .read(move |txn| search(txn, V, &t, &q2))
        .await
        .expect("search");
    assert_eq!(first.items.len(), 2);
    let next = first.next.expect("a next page");
    let q = Query {
        cursor: Some(next),
        limit: 10,
        ..q
    };
    let rest = store
        .read(move |txn| search(txn, V, &terms, &q))
        .await
        .expect("search");
    let mut seen: Vec<u64> = first.items.iter().map(|i| i.ts).collect();
    seen.extend(rest.items.iter().map(|i| i.ts));
    assert_eq!(seen, vec![1_004, 1_003, 1_002, 1_001, 1_000]);
    store.close().await.expect("close");
}

#[tokio::test]
async fn retracted_text_leaves_the_index() {
    let (_d, store) = open();
    let a = key(1);
    let r = rec(&a, 1_000, resource("Withdrawn guide", "secret words"), None);
    store.insert(vec![r.clone()]).await.expect("insert");
    assert!(entries(&store).await > 0);
    assert_eq!(find(&store, "secret").await, vec![r.id()]);
    let retraction = rec(
        &a,
        2_000,
        Content::Retraction(Retraction {
            target: r.id(),
            reason: Some("secret reason".into()),
        }),
        None,
    );
    store.insert(vec![retraction]).await.expect("insert");
    assert!(find(&store, "secret").await.is_empty());
    assert_eq!(entries(&store).await, 0, "no term of it is left");
    store.close().await.expect("close");
}

#[tokio::test]
async fn purged_expired_text_leaves_the_index() {
    let (_d, store) = open();
    let a = key(1);
    let gone = rec(
        &a,
        1_000,
        resource("Old call", "expired words"),
        Some(2_000),
    );
    let kept = rec(&a, 1_000, resource("Kept call", "lasting words"), None);
    store
        .insert(vec![gone.clone(), kept.clone()])
        .await
        .expect("insert");
    assert_eq!(find(&store, "words").await.len(), 2);
    let now = 2_000 + EXPIRED_RETENTION_MS + 1;
    assert_eq!(store.purge_expired(now).await.expect("purge"), 1);
    assert_eq!(find(&store, "words").await, vec![kept.id()]);
    assert!(find(&store, "expired").await.is_empty());
    store.close().await.expect("close");
}

#[tokio::test]
async fn blocking_an_author_removes_its_text() {
    let (_d, store) = open();
    let bad = key(2);
    let good = key(3);
    let spam = rec(&bad, 1_000, resource("Cheap pills", "buy now"), None);
    let fine = rec(&good, 1_000, resource("Pills guide", "safe use"), None);
    store
        .insert(vec![spam.clone(), fine.clone()])
        .await
        .expect("insert");
    let who = AuthorId::from(&bad.verifying_key());
    store
        .set_partner(who, Some(BLOCKED), String::new())
        .await
        .expect("block");
    assert_eq!(find(&store, "pills").await, vec![fine.id()]);
    assert!(find(&store, "cheap").await.is_empty());
    store.close().await.expect("close");
}

#[tokio::test]
async fn the_index_size_is_counted_apart() {
    let (_d, store) = open();
    let empty = store.read(counts).await.expect("counts");
    let a = key(1);
    store
        .insert(vec![rec(&a, 1_000, resource("Sized", "some text"), None)])
        .await
        .expect("insert");
    let full = store.read(counts).await.expect("counts");
    assert!(full.search_index_bytes > empty.search_index_bytes);
    store.close().await.expect("close");
}

#[tokio::test]
async fn a_schema_2_store_gets_its_index_built() {
    let (dir, store) = open();
    let path = dir.path().join("store.redb");
    let a = key(4);
    let r = rec(&a, 1_000, resource("Éducation", "للبنات"), None);
    store.insert(vec![r.clone()]).await.expect("insert");
    store.close().await.expect("close");
    // Turn it into what schema 2 left: no search table.
    {
        let db = redb::Database::open(&path).expect("open");
        let txn = db.begin_write().expect("txn");
        super::packed::downgrade(&txn);
        txn.delete_table(SEARCH).expect("drop");
        txn.open_table(META)
            .expect("meta")
            .insert("schema_version", 2)
            .expect("insert");
        txn.commit().expect("commit");
    }
    let store = Store::open(&path).expect("migrates");
    assert_eq!(find(&store, "education").await, vec![r.id()]);
    assert_eq!(find(&store, "للبنات").await, vec![r.id()]);
    store.close().await.expect("close");
}
