//! Ingest: the one path by which records enter the store, whatever their source (local publish,
//! bundle import, later gossip and sync).
//!
//! ```text
//! envelope → size limit → decode → canonical check → schema and body rules   (parallel, CPU)
//!          → already held? tombstoned?                                       (one read txn)
//!          → signature: verify_strict, one chunk per core                     (parallel, CPU)
//!          → network id and clock                                             (cheap)
//!          → store (group commit)                                            (writer thread)
//! ```
//! Every refused record is counted by reason. CPU work runs on blocking threads, never on the
//! async runtime.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use wsf_protocol::ed25519_dalek::{SigningKey, VerifyingKey};
use wsf_protocol::{AuthorId, Context, Draft, NetworkId, Record, RecordId, Unverified};

use crate::store::{self, InsertOutcome, Store};

/// Fewest records worth giving a thread of their own: below this, spawning costs more than it
/// saves (one Ed25519 verification is ~40 µs, a thread start ~20 µs).
pub const MIN_RECORDS_PER_THREAD: usize = 32;

/// What happened to one envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// New and durable.
    Stored(RecordId),
    /// Already held; nothing changed.
    Duplicate(RecordId),
    /// Its `expires` has passed: not stored, and not a rejection (nobody did anything wrong).
    Expired(RecordId),
    /// Refused; not stored. `id` is known when the envelope could be decoded.
    Rejected {
        id: Option<RecordId>,
        reason: Rejection,
    },
}

impl Outcome {
    /// The reason code for counting (`stored`, `duplicate`, or the rejection's reason).
    pub fn code(&self) -> String {
        match self {
            Outcome::Stored(_) => "stored".into(),
            Outcome::Duplicate(_) => "duplicate".into(),
            Outcome::Expired(_) => "expired".into(),
            Outcome::Rejected { reason, .. } => reason.code(),
        }
    }
}

/// Why a record was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The record itself is bad or not for this node (see `wsf_protocol::Error`).
    #[error(transparent)]
    Record(#[from] wsf_protocol::Error),
    /// Its author retracted it: it never comes back.
    #[error("the author retracted this record")]
    Retracted,
    /// This node blocked the author.
    #[error("the author is blocked on this node")]
    Blocked,
    /// Policy `partners`: the author is not a partner, nor vouched for by enough partners.
    #[error("the author is not a partner of this node")]
    NotPartner,
    /// The author has more records within an hour than the quota allows.
    #[error("the author is over its quota of records per hour")]
    Quota,
}

impl Rejection {
    /// A stable reason code, as counted and shown by `status` and `import`.
    pub fn code(&self) -> String {
        match self {
            Rejection::Record(e) => e.reason(),
            Rejection::Retracted => "retracted".into(),
            Rejection::Blocked => "blocked".into(),
            Rejection::NotPartner => "not_partner".into(),
            Rejection::Quota => "quota".into(),
        }
    }

    /// Whether the sender is to blame (forged or malformed data), as opposed to a record that is
    /// merely stale, early, retracted or of another network.
    pub fn is_misbehaviour(&self) -> bool {
        match self {
            Rejection::Record(e) => e.is_misbehaviour(),
            _ => false,
        }
    }
}

/// Errors of `publish`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Record(#[from] wsf_protocol::Error),
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error(
        "you have already published {held} records dated this hour (UTC); nodes accept at most \
         {quota} per author per hour, so this one would not reach anyone. Publish it after \
         {next}:00 UTC, or combine records"
    )]
    Quota { held: u64, quota: u32, next: String },
}

/// Rejection and acceptance counters since the node started.
#[derive(Debug, Default)]
pub struct Stats {
    counts: Mutex<BTreeMap<String, u64>>,
}

impl Stats {
    /// A copy of the counters.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.counts.lock().map(|m| m.clone()).unwrap_or_default()
    }

    fn add(&self, code: String, n: u64) {
        if let Ok(mut m) = self.counts.lock() {
            *m.entry(code).or_default() += n;
        }
    }
}

/// Most author keys kept decompressed. A network has a few hundred authors; when more show
/// up (a flood of fresh keys), the cache is emptied and refills.
pub const KEY_CACHE: usize = 4_096;

/// Decompressed author keys: decompression costs about a sixth of a verification.
#[derive(Debug, Default)]
struct KeyCache {
    keys: Mutex<HashMap<AuthorId, VerifyingKey>>,
}

impl KeyCache {
    fn get(&self, author: &AuthorId) -> Option<VerifyingKey> {
        if let Some(k) = self.keys.lock().ok().and_then(|m| m.get(author).copied()) {
            return Some(k);
        }
        let key = author.verifying_key().ok()?;
        if let Ok(mut m) = self.keys.lock() {
            if m.len() >= KEY_CACHE {
                m.clear();
            }
            m.insert(*author, key);
        }
        Some(key)
    }
}

/// Whose records this node accepts (from `config.json`; changed live by `wsf partners`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub policy: crate::config::Policy,
    pub trust_k: u32,
    pub quota_per_hour: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            policy: crate::config::Policy::Open,
            trust_k: crate::config::DEFAULT_TRUST_K,
            quota_per_hour: crate::config::DEFAULT_QUOTA_PER_HOUR,
        }
    }
}

/// Records refused by this node's own rules (expired, blocked, not a partner, over quota,
/// retracted) that sync should not fetch again: at most this many remembered; when full the
/// memory is cleared (they are fetched, and refused, once more).
pub const REFUSED_MEMORY: usize = 200_000;

/// The ingest pipeline of one node.
#[derive(Debug, Clone)]
pub struct Ingest {
    store: Store,
    network: NetworkId,
    stats: Arc<Stats>,
    keys: Arc<KeyCache>,
    rules: Arc<std::sync::RwLock<Rules>>,
    refused: Arc<Mutex<std::collections::HashSet<wsf_protocol::sync::Short>>>,
    /// This node's own author key, for showing authors (`you`).
    me: AuthorId,
}

/// Milliseconds since the Unix epoch, by the system clock.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The decoding stage's verdict on one envelope.
enum Stage {
    Done(Outcome),
    Verify(Box<Unverified>),
}

impl Ingest {
    /// A pipeline storing into `store` the records of `network`, for a node whose own author
    /// key is `me`.
    pub fn new(store: Store, network: NetworkId, me: AuthorId) -> Self {
        Ingest {
            store,
            network,
            stats: Arc::default(),
            keys: Arc::default(),
            rules: Arc::default(),
            refused: Arc::default(),
            me,
        }
    }

    /// Who is looking now: this node's author and the clock.
    pub fn viewer(&self) -> store::Viewer {
        store::Viewer {
            me: self.me,
            now: now_ms(),
        }
    }

    /// The JSON forms of stored records as this node shows them (author markers, co-signature
    /// counts), for events.
    pub async fn infos(
        &self,
        records: Vec<Record>,
    ) -> Result<Vec<wsf_protocol::api::RecordInfo>, store::Error> {
        let viewer = self.viewer();
        self.store
            .read(move |txn| {
                let mut lens = store::Lens::new(txn, viewer)?;
                records.iter().map(|r| lens.info(r)).collect()
            })
            .await
    }

    /// Remembers records refused by this node's rules, so sync does not fetch them again.
    pub fn remember_refused(&self, items: impl IntoIterator<Item = wsf_protocol::sync::Short>) {
        if let Ok(mut r) = self.refused.lock() {
            for i in items {
                if r.len() >= REFUSED_MEMORY {
                    r.clear();
                }
                r.insert(i);
            }
        }
    }

    /// Whether sync should skip fetching this item.
    pub fn was_refused(&self, item: &wsf_protocol::sync::Short) -> bool {
        self.refused.lock().is_ok_and(|r| r.contains(item))
    }

    /// Forgets refusals: after a change of partners or policy, records may now be accepted.
    pub fn forget_refused(&self) {
        if let Ok(mut r) = self.refused.lock() {
            r.clear();
        }
    }

    /// The acceptance rules in force.
    pub fn rules(&self) -> Rules {
        self.rules.read().map(|r| *r).unwrap_or_default()
    }

    /// Changes the acceptance rules.
    pub fn set_rules(&self, rules: Rules) {
        if let Ok(mut r) = self.rules.write() {
            *r = rules;
        }
        self.forget_refused();
    }

    /// The store records go into.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The network this node is on.
    pub fn network(&self) -> NetworkId {
        self.network
    }

    /// Counters since start.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Runs envelopes through the whole pipeline. Outcomes are in input order; `Err` only when
    /// the store fails (then nothing of this call was stored).
    pub async fn accept(&self, envelopes: Vec<Vec<u8>>) -> Result<Vec<Outcome>, store::Error> {
        let checked = self.check(envelopes).await?;
        self.commit(checked, true).await
    }

    /// The CPU part of ingest (decode, look up, verify, validate, policy), against the store's
    /// state now; [`Ingest::commit`] stores what passed.
    pub async fn check(&self, envelopes: Vec<Vec<u8>>) -> Result<Checked, store::Error> {
        if envelopes.is_empty() {
            return Ok(Checked {
                results: Vec::new(),
            });
        }
        let store = self.store.clone();
        let keys = self.keys.clone();
        let rules = self.rules();
        let ctx = Context {
            network: self.network,
            now_ms: now_ms(),
        };
        let results =
            tokio::task::spawn_blocking(move || check(&store, &keys, rules, envelopes, ctx))
                .await
                .map_err(|e| store::Error::Db(format!("ingest task failed: {e}")))??;
        Ok(Checked { results })
    }

    /// Stores what passed [`Ingest::check`] in one group commit, durable when this returns
    /// or (`durable` false, for gossip) within [`store::SETTLE_AFTER`]. The store decides
    /// again: a record stored meanwhile is a duplicate, one withdrawn meanwhile is refused as
    /// retracted.
    pub async fn commit(
        &self,
        checked: Checked,
        durable: bool,
    ) -> Result<Vec<Outcome>, store::Error> {
        let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(checked.results.len());
        let mut to_store: Vec<Record> = Vec::new();
        let mut slots: Vec<usize> = Vec::new();
        for (i, c) in checked.results.into_iter().enumerate() {
            match c {
                Ok(record) => {
                    slots.push(i);
                    to_store.push(record);
                    outcomes.push(None);
                }
                Err(outcome) => outcomes.push(Some(outcome)),
            }
        }
        if outcomes.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<RecordId> = to_store.iter().map(Record::id).collect();
        let stored = self.store.insert_with(to_store, durable).await?;
        for ((slot, id), result) in slots.into_iter().zip(ids).zip(stored) {
            outcomes[slot] = Some(match result {
                InsertOutcome::Stored => Outcome::Stored(id),
                InsertOutcome::Duplicate => Outcome::Duplicate(id),
                InsertOutcome::Retracted => Outcome::Rejected {
                    id: Some(id),
                    reason: Rejection::Retracted,
                },
            });
        }
        let outcomes: Vec<Outcome> = outcomes.into_iter().flatten().collect();
        self.count(&outcomes).await?;
        Ok(outcomes)
    }

    async fn count(&self, outcomes: &[Outcome]) -> Result<(), store::Error> {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for o in outcomes {
            *counts.entry(o.code()).or_default() += 1;
        }
        let mut rejected = Vec::new();
        for (code, n) in counts {
            if code != "stored" && code != "duplicate" && code != "expired" {
                rejected.push((format!("rejected.{code}"), n));
            }
            self.stats.add(code, n);
        }
        self.store.count(rejected).await
    }

    /// Signs a draft with the author key and stores it; durable when this returns.
    pub async fn publish(
        &self,
        draft: &Draft,
        key: &SigningKey,
    ) -> Result<(Record, InsertOutcome), Error> {
        let record = wsf_protocol::sign(draft, key)?;
        record.validate(&Context {
            network: self.network,
            now_ms: now_ms(),
        })?;
        // The quota every node applies (store::apply_rules), applied to our own records too, so
        // that this node and its partners keep the same records.
        let quota = self.rules().quota_per_hour;
        let author = record.body().author;
        let hour = record.body().ts / store::tables::HOUR_MS;
        let held = self
            .store
            .read(move |txn| store::author_hour_count(txn, &author, hour))
            .await?;
        if held >= u64::from(quota) {
            let next_hour = (hour + 1) % 24;
            return Err(Error::Quota {
                held,
                quota,
                next: format!("{next_hour:02}"),
            });
        }
        let outcome = self
            .store
            .insert(vec![record.clone()])
            .await?
            .first()
            .copied()
            .unwrap_or(InsertOutcome::Duplicate);
        self.stats.add(
            match outcome {
                InsertOutcome::Stored => "stored",
                InsertOutcome::Duplicate => "duplicate",
                InsertOutcome::Retracted => "retracted",
            }
            .into(),
            1,
        );
        Ok((record, outcome))
    }
}

/// Envelopes through [`Ingest::check`], in input order: the records that passed, and the
/// outcome of the others.
#[derive(Debug)]
pub struct Checked {
    results: Vec<Result<Record, Outcome>>,
}

impl Checked {
    /// For each envelope, whether it passed: verified, valid, new against the store's state and
    /// the rest of the batch, allowed by the acceptance rules. Such a record may be forwarded
    /// before its commit (DESIGN §10): the commit stores it unless another commit stored or
    /// withdrew it meanwhile.
    pub fn passed(&self) -> impl Iterator<Item = bool> + '_ {
        self.results.iter().map(Result::is_ok)
    }
}

/// The CPU part of ingest, on a blocking thread: decode, look up, verify, validate.
/// `Ok(record)` for records to store, `Err(outcome)` for the rest.
fn check(
    store: &Store,
    keys: &KeyCache,
    rules: Rules,
    envelopes: Vec<Vec<u8>>,
    ctx: Context,
) -> Result<Vec<Result<Record, Outcome>>, store::Error> {
    let decoded: Vec<Stage> = parallel(envelopes, |env| {
        match wsf_protocol::decode_with(&env, |a| keys.get(a)) {
            Ok(u) => Stage::Verify(Box::new(u)),
            Err(e) => Stage::Done(Outcome::Rejected {
                id: None,
                reason: e.into(),
            }),
        }
    });
    let keys: Vec<(RecordId, AuthorId)> = decoded
        .iter()
        .filter_map(|s| match s {
            Stage::Verify(u) => Some((u.id(), u.body().author)),
            Stage::Done(_) => None,
        })
        .collect();
    let presence = store.read_blocking(|txn| store::presence(txn, &keys))?;
    let mut presence = presence.into_iter();
    // A body repeated within the batch is checked once: later copies are duplicates (a peer
    // cannot make us verify one signature thousands of times).
    let mut seen = std::collections::HashSet::new();
    let staged: Vec<Stage> = decoded
        .into_iter()
        .map(|s| match s {
            Stage::Verify(u) => match presence.next().flatten() {
                _ if !seen.insert(u.id()) => Stage::Done(Outcome::Duplicate(u.id())),
                Some(true) => Stage::Done(Outcome::Duplicate(u.id())),
                Some(false) => Stage::Done(Outcome::Rejected {
                    id: Some(u.id()),
                    reason: Rejection::Retracted,
                }),
                None => Stage::Verify(u),
            },
            done => done,
        })
        .collect();

    // Verify with verify_strict, one chunk per core. (Ed25519 batch verification is ~2.5x
    // faster per core but can accept signatures verify_strict refuses; see docs/protocol.md 8.4.)
    let mut order: Vec<Result<usize, Outcome>> = Vec::with_capacity(staged.len());
    let mut pending: Vec<Unverified> = Vec::new();
    for s in staged {
        match s {
            Stage::Verify(u) => {
                order.push(Ok(pending.len()));
                pending.push(*u);
            }
            Stage::Done(o) => order.push(Err(o)),
        }
    }
    let verified = parallel(pending, Unverified::verify);
    let mut verified: Vec<Option<Result<Record, wsf_protocol::Error>>> =
        verified.into_iter().map(Some).collect();
    let results: Vec<Result<Record, Outcome>> = order
        .into_iter()
        .map(|o| match o {
            Err(outcome) => Err(outcome),
            Ok(i) => match verified.get_mut(i).and_then(Option::take) {
                Some(Ok(record)) => match record.validate(&ctx) {
                    Ok(()) => Ok(record),
                    Err(wsf_protocol::Error::Expired { .. }) => Err(Outcome::Expired(record.id())),
                    Err(e) => Err(Outcome::Rejected {
                        id: Some(record.id()),
                        reason: e.into(),
                    }),
                },
                Some(Err(e)) => Err(Outcome::Rejected {
                    id: None,
                    reason: e.into(),
                }),
                None => Err(Outcome::Rejected {
                    id: None,
                    reason: wsf_protocol::Error::SignatureInvalid.into(),
                }),
            },
        })
        .collect();
    store.read_blocking(|txn| store::apply_rules(txn, &rules, results))
}

fn threads_for(n: usize) -> usize {
    // Asked once: on Linux the answer reads cgroup files, which cost more than checking a
    // small gossip batch.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    (n / MIN_RECORDS_PER_THREAD).clamp(1, cores)
}

/// Maps `f` over `items` on up to one thread per core, keeping the order. (A shared work queue
/// with small chunks was measured too: it used 20% more CPU per record here.)
fn parallel<T: Send, U: Send>(items: Vec<T>, f: impl Fn(T) -> U + Sync) -> Vec<U> {
    let threads = threads_for(items.len());
    if threads <= 1 {
        return items.into_iter().map(f).collect();
    }
    let mut items = items;
    let per = items.len().div_ceil(threads);
    let mut chunks = Vec::with_capacity(threads);
    while items.len() > per {
        let rest = items.split_off(per);
        chunks.push(std::mem::replace(&mut items, rest));
    }
    chunks.push(items);
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| s.spawn(move || chunk.into_iter().map(f).collect::<Vec<U>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wsf_protocol::{Content, Draft, Pillar, Resource, ResourceType};

    #[tokio::test]
    async fn a_body_repeated_in_a_batch_is_verified_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("s.redb")).expect("open");
        let ingest = Ingest::new(store, NetworkId::public(), AuthorId([0; 32]));
        let record = wsf_protocol::sign(
            &Draft {
                net: NetworkId::public(),
                ts: now_ms(),
                pillars: vec![Pillar::new("education").expect("slug")],
                content: Content::Resource(Resource {
                    title: "t".into(),
                    resource_type: ResourceType::Guide,
                    summary: None,
                    body: None,
                    url: None,
                    language: None,
                    license: None,
                }),
                expires: None,
                supersedes: None,
                refs: vec![],
            },
            &SigningKey::from_bytes(&[3; 32]),
        )
        .expect("sign");
        let mut forged = record.envelope().to_vec();
        let n = forged.len();
        forged[n - 1] ^= 1;
        let outcomes = ingest.accept(vec![forged; 1_000]).await.expect("accept");
        let rejected = outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Rejected { .. }))
            .count();
        let duplicates = outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Duplicate(_)))
            .count();
        assert_eq!((rejected, duplicates), (1, 999));
    }

    fn signed(content: Content, key: u8) -> Record {
        wsf_protocol::sign(
            &Draft {
                net: NetworkId::public(),
                ts: now_ms(),
                pillars: vec![Pillar::new("education").expect("slug")],
                content,
                expires: None,
                supersedes: None,
                refs: vec![],
            },
            &SigningKey::from_bytes(&[key; 32]),
        )
        .expect("sign")
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

    /// What may be forwarded before its commit: exactly what passed the checks, and nothing of
    /// a batch whose retraction withdraws a record of the same batch at the commit.
    #[tokio::test]
    async fn what_passed_the_checks_is_what_the_commit_stores() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("s.redb")).expect("open");
        let ingest = Ingest::new(store, NetworkId::public(), AuthorId([0; 32]));
        let held = signed(resource("held already"), 4);
        ingest
            .accept(vec![held.envelope().to_vec()])
            .await
            .expect("accept");
        let fresh = signed(resource("fresh"), 4);
        let mut forged = signed(resource("forged"), 4).envelope().to_vec();
        let n = forged.len();
        forged[n - 1] ^= 1;
        let batch = vec![
            fresh.envelope().to_vec(),
            held.envelope().to_vec(),
            forged,
            fresh.envelope().to_vec(),
        ];
        let checked = ingest.check(batch).await.expect("check");
        assert_eq!(
            checked.passed().collect::<Vec<_>>(),
            [true, false, false, false]
        );
        let outcomes = ingest.commit(checked, true).await.expect("commit");
        assert!(matches!(outcomes[0], Outcome::Stored(id) if id == fresh.id()));
        assert!(matches!(outcomes[1], Outcome::Duplicate(_)));
        assert!(matches!(outcomes[2], Outcome::Rejected { .. }));
        assert!(matches!(outcomes[3], Outcome::Duplicate(_)));

        // A record and its retraction in one batch: both pass, both are stored (the record
        // withdrawn at once), as the commit would have said without the early look.
        let doomed = signed(resource("withdrawn at once"), 5);
        let retraction = signed(
            Content::Retraction(wsf_protocol::content::Retraction {
                target: doomed.id(),
                reason: None,
            }),
            5,
        );
        let checked = ingest
            .check(vec![
                doomed.envelope().to_vec(),
                retraction.envelope().to_vec(),
            ])
            .await
            .expect("check");
        assert_eq!(checked.passed().collect::<Vec<_>>(), [true, true]);
        let outcomes = ingest.commit(checked, true).await.expect("commit");
        assert!(
            outcomes.iter().all(|o| matches!(o, Outcome::Stored(_))),
            "{outcomes:?}"
        );
    }
}
