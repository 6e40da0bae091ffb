//! The local store: redb, owned by one writer thread; reads run on blocking threads.
//!
//! - Writes (`insert`, counters) go over a bounded channel to the writer thread, which groups
//!   every waiting command into one durable transaction (two-phase commit on).
//! - Reads open their own read transaction on a blocking thread, so they never queue behind a
//!   long write.
//!
//! Semantics kept here, whatever the source of the record, and whatever the order records arrive
//! in (`docs/protocol.md` section 18):
//! - a `retraction` withdraws its target and the earlier versions listed in its `refs`, when
//!   they are its author's: their envelopes and index entries are dropped and tombstones refuse
//!   them if they ever come (back);
//! - a record with `supersedes` hides the older record of the same author from listings; of two
//!   records that supersede the same one, the newer (`ts`, then id) wins;
//! - endorsements are indexed by target; the newest `profile` of an author names it;
//! - the full-text search index (`search-1`) follows the held records: a record's terms are
//!   added in the transaction that stores it and removed in the one that drops it.

mod packed;
mod read;
mod search;
pub mod tables;
mod writer;
pub use writer::SETTLE_AFTER;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use redb::{Database, ReadTransaction, ReadableDatabase, ReadableTable};
use tokio::sync::{mpsc, oneshot};
use wsf_protocol::Record;

pub use read::{
    Cursor, DEFAULT_KINDS, Lens, Listed, MAX_CHAIN, MAX_LIMIT, Page, Query, RecordView, Viewer,
    apply_rules, author_hour_count, author_name, counts, detail, digest, envelope,
    envelopes_by_short, envelopes_of, expired_ids, for_each_envelope, get, held_pillars, info,
    is_expired, list, partner, partners, pillar_items, presence, resolve, resolve_author,
    table_bytes, vouchers,
};
pub use search::{MAX_SCAN, index_bytes as search_index_bytes, search};
use tables::*;
pub use tables::{BLOCKED, EXPIRED_RETENTION_MS, PARTNER};
use writer::WriteCmd;
pub use wsf_protocol::api::Counts;

/// Commands waiting for the writer. A full queue makes senders wait (backpressure) instead of
/// buffering without bound; 64 groups of up to a few thousand records is plenty to keep the
/// writer busy.
pub const WRITE_QUEUE: usize = 64;

/// How long `close` waits for reads in flight to end before returning anyway.
pub const CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// What happened to one record given to [`Store::insert`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InsertOutcome {
    /// New, now durable.
    Stored,
    /// Already held.
    Duplicate,
    /// Its author retracted it: refused for ever.
    Retracted,
}

/// Store errors. Messages say what to do next.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error(
        "the store {0} is in use by another process — is `wsf node` running on this data dir? \
         Stop it, or use another --data-dir"
    )]
    InUse(PathBuf),
    #[error(
        "the store was written by a newer wsf (schema version {found}, this one reads {expected}); \
         upgrade wsf, or rebuild the store from an export bundle"
    )]
    Schema { found: u64, expected: u64 },
    #[error("storage error: {0}")]
    Db(String),
    #[error("the store has shut down")]
    Closed,
    #[error("no record matches {0}")]
    NotFound(String),
    #[error("{prefix} matches {count} records; type more characters of the id")]
    Ambiguous { prefix: String, count: usize },
    #[error("stored record {0} cannot be decoded ({1}); the store may be damaged")]
    Corrupt(String, String),
}

pub(crate) fn dberr(e: impl Into<redb::Error>) -> Error {
    Error::Db(e.into().to_string())
}

/// A cloneable handle to the store.
#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Taken out by [`Store::close`], so the file is released even while clones remain.
    db: std::sync::RwLock<Option<Arc<Database>>>,
    tx: mpsc::Sender<WriteCmd>,
    /// How many settles (durable commits of earlier commits without fsync) the writer made.
    settles: tokio::sync::watch::Receiver<u64>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) the store file and starts its writer thread.
    pub fn open(path: &Path) -> Result<Store, Error> {
        Store::open_with(path, None)
    }

    /// [`Store::open`], encrypted page by page under `key` when one is given
    /// (`crate::vault::backend`). redb's read cache holds plaintext pages: for an encrypted
    /// store it is bounded to [`ENCRYPTED_CACHE`].
    pub fn open_with(path: &Path, key: Option<&crate::vault::DataKey>) -> Result<Store, Error> {
        let db = open_database(path, key, true)?;
        init(&db)?;
        let db = Arc::new(db);
        let (tx, rx) = mpsc::channel(WRITE_QUEUE);
        let writer_db = db.clone();
        let (settled, settles) = tokio::sync::watch::channel(0u64);
        let writer = std::thread::Builder::new()
            .name("wsf-store".into())
            .spawn(move || writer::run(writer_db, rx, settled))
            .map_err(|e| Error::Db(format!("cannot start the store thread: {e}")))?;
        Ok(Store {
            inner: Arc::new(Inner {
                db: std::sync::RwLock::new(Some(db)),
                tx,
                settles,
                writer: Mutex::new(Some(writer)),
                path: path.to_owned(),
            }),
        })
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Counts the writer's settles: a receiver sees a change once commits without fsync made
    /// before it became durable.
    pub fn settles(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.settles.clone()
    }

    /// Stores verified records; the returned outcomes are durable. Outcomes are in input order.
    pub async fn insert(&self, records: Vec<Record>) -> Result<Vec<InsertOutcome>, Error> {
        self.insert_with(records, true).await
    }

    /// [`Store::insert`]; with `durable` false the records are visible when this returns and
    /// durable within [`SETTLE_AFTER`] (records received by gossip, which sync
    /// fetches again if a crash loses them).
    pub async fn insert_with(
        &self,
        records: Vec<Record>,
        durable: bool,
    ) -> Result<Vec<InsertOutcome>, Error> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        // Working out search terms is CPU work: done here, on a blocking thread, so the writer
        // thread only writes.
        let (records, terms, packed) = tokio::task::spawn_blocking(move || {
            let terms = records
                .iter()
                .map(|r| wsf_protocol::search::record_terms(&r.body().content))
                .collect::<Vec<_>>();
            let packed = records
                .iter()
                .map(|r| packed::pack(r.envelope()))
                .collect::<Vec<_>>();
            (records, terms, packed)
        })
        .await
        .map_err(|e| Error::Db(format!("search terms task failed: {e}")))?;
        let (reply, rx) = oneshot::channel();
        self.inner
            .tx
            .send(WriteCmd::Insert {
                records,
                durable,
                terms,
                packed,
                reply,
            })
            .await
            .map_err(|_| Error::Closed)?;
        rx.await.map_err(|_| Error::Closed)?
    }

    /// Adds to named counters (rejections by reason). Lands with the next write transaction.
    pub async fn count(&self, counters: Vec<(String, u64)>) -> Result<(), Error> {
        if counters.is_empty() {
            return Ok(());
        }
        self.inner
            .tx
            .send(WriteCmd::Count { counters })
            .await
            .map_err(|_| Error::Closed)
    }

    /// Sets an author's status: partner (with a name), blocked, or neither (`None`). Blocking
    /// also deletes every record of the author. Returns how many records were deleted.
    pub async fn set_partner(
        &self,
        author: wsf_protocol::AuthorId,
        status: Option<u8>,
        name: String,
    ) -> Result<u64, Error> {
        let (reply, rx) = oneshot::channel();
        self.inner
            .tx
            .send(WriteCmd::Partner {
                author: author.0,
                status,
                name,
                reply,
            })
            .await
            .map_err(|_| Error::Closed)?;
        rx.await.map_err(|_| Error::Closed)?
    }

    /// Drops records whose `expires` is more than [`EXPIRED_RETENTION_MS`] before `now_ms`;
    /// returns how many.
    pub async fn purge_expired(&self, now_ms: u64) -> Result<u64, Error> {
        let (reply, rx) = oneshot::channel();
        self.inner
            .tx
            .send(WriteCmd::Purge {
                cutoff: now_ms.saturating_sub(EXPIRED_RETENTION_MS),
                reply,
            })
            .await
            .map_err(|_| Error::Closed)?;
        rx.await.map_err(|_| Error::Closed)?
    }

    /// Waits until everything sent before is committed.
    pub async fn flush(&self) -> Result<(), Error> {
        let (reply, rx) = oneshot::channel();
        self.inner
            .tx
            .send(WriteCmd::Flush { reply })
            .await
            .map_err(|_| Error::Closed)?;
        rx.await.map_err(|_| Error::Closed)?
    }

    fn db(&self) -> Result<Arc<Database>, Error> {
        self.inner
            .db
            .read()
            .ok()
            .and_then(|g| g.clone())
            .ok_or(Error::Closed)
    }

    /// Runs `f` in a read transaction on a blocking thread.
    pub async fn read<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&ReadTransaction) -> Result<T, Error> + Send + 'static,
    {
        let db = self.db()?;
        tokio::task::spawn_blocking(move || {
            let txn = db.begin_read().map_err(dberr)?;
            f(&txn)
        })
        .await
        .map_err(|e| Error::Db(format!("read task failed: {e}")))?
    }

    /// Runs `f` in a read transaction on the calling thread; for code already on a blocking
    /// thread.
    pub fn read_blocking<T>(
        &self,
        f: impl FnOnce(&ReadTransaction) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let txn = self.db()?.begin_read().map_err(dberr)?;
        f(&txn)
    }

    /// Commits everything queued, stops the writer and releases the file, for every clone of
    /// this handle (their later calls fail with [`Error::Closed`]). Call once, at shutdown.
    pub async fn close(self) -> Result<(), Error> {
        let (reply, rx) = oneshot::channel();
        if self
            .inner
            .tx
            .send(WriteCmd::Shutdown { reply })
            .await
            .is_ok()
        {
            let _ = rx.await;
        }
        let taken = self.inner.db.write().ok().and_then(|mut db| db.take());
        if let Some(mut db) = taken {
            // Reads still running hold a clone; the file is released when the last one ends
            // (reads are short; give up waiting after CLOSE_WAIT).
            let deadline = std::time::Instant::now() + CLOSE_WAIT;
            loop {
                match Arc::try_unwrap(db) {
                    Ok(db) => {
                        drop(db);
                        break;
                    }
                    Err(shared) if std::time::Instant::now() < deadline => {
                        db = shared;
                        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    }
                    Err(_) => {
                        tracing::warn!("store closed while a read still runs");
                        break;
                    }
                }
            }
        }
        let handle = self.inner.writer.lock().map_err(|_| Error::Closed)?.take();
        if let Some(handle) = handle {
            tokio::task::spawn_blocking(move || {
                let _ = handle.join();
            })
            .await
            .map_err(|e| Error::Db(format!("store thread: {e}")))?;
        }
        Ok(())
    }
}

/// redb's read cache for an encrypted store (plaintext pages in memory).
pub const ENCRYPTED_CACHE: usize = 64 << 20;

/// Opens the store file exclusively and checks its integrity (redb's page checksums and tree
/// structure), repairing what redb can. `Ok(true)` when nothing had to be repaired.
pub fn check_integrity(path: &Path) -> Result<bool, Error> {
    check_integrity_with(path, None)
}

/// [`check_integrity`] of a store encrypted under `key` (or a plain one when `None`).
pub fn check_integrity_with(
    path: &Path,
    key: Option<&crate::vault::DataKey>,
) -> Result<bool, Error> {
    let opened = match key {
        None => Database::open(path),
        Some(key) => {
            let mut builder = redb::Builder::new();
            builder.set_cache_size(ENCRYPTED_CACHE);
            crate::vault::backend::create_database(&builder, path, key)
        }
    };
    let mut db = match opened {
        Ok(db) => db,
        Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
            return Err(Error::InUse(path.to_owned()));
        }
        Err(e) => return Err(dberr(e)),
    };
    db.check_integrity().map_err(dberr)
}

/// Opens the redb file at `path` (created when `create` and it is missing; an encrypted store
/// is always opened through its backend, which creates it), encrypted under `key` if given.
fn open_database(
    path: &Path,
    key: Option<&crate::vault::DataKey>,
    create: bool,
) -> Result<Database, Error> {
    let opened = match key {
        None if create => Database::create(path),
        None => Database::open(path),
        Some(key) => {
            let mut builder = redb::Builder::new();
            builder.set_cache_size(ENCRYPTED_CACHE);
            crate::vault::backend::create_database(&builder, path, key)
        }
    };
    match opened {
        Ok(db) => Ok(db),
        Err(redb::DatabaseError::DatabaseAlreadyOpen) => Err(Error::InUse(path.to_owned())),
        Err(e) => Err(Error::Db(format!(
            "cannot open {}: {}",
            path.display(),
            redb::Error::from(e)
        ))),
    }
}

/// File sizes around a [`compact`], in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compacted {
    pub before: u64,
    pub after: u64,
}

/// Gives the free pages of a store back to the file system (`wsf compact`): redb moves the
/// pages in use to the front and truncates the file. The store must not be open elsewhere (a
/// running node holds it: [`Error::InUse`]). Migrates it first, as an open would.
pub fn compact(path: &Path, key: Option<&crate::vault::DataKey>) -> Result<Compacted, Error> {
    let size = || std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let before = size();
    let mut db = open_database(path, key, false)?;
    init(&db)?;
    // Each call moves what it can; a few rounds reach the smallest file.
    for _ in 0..8 {
        if !db
            .compact()
            .map_err(|e| Error::Db(format!("compact: {e}")))?
        {
            break;
        }
    }
    drop(db);
    Ok(Compacted {
        before,
        after: size(),
    })
}

/// Creates the tables and checks the schema version.
fn init(db: &Database) -> Result<(), Error> {
    let mut txn = db.begin_write().map_err(dberr)?;
    txn.set_two_phase_commit(true);
    // The schema the store was written with, when older than this one.
    let mut migrate = None;
    {
        let mut meta = txn.open_table(META).map_err(dberr)?;
        let found = meta
            .get("schema_version")
            .map_err(dberr)?
            .map(|v| v.value());
        match found {
            None => {
                meta.insert("schema_version", SCHEMA_VERSION)
                    .map_err(dberr)?;
            }
            Some(v) if v == SCHEMA_VERSION => {}
            Some(old @ (1..=3)) => {
                migrate = Some(old);
                meta.insert("schema_version", SCHEMA_VERSION)
                    .map_err(dberr)?;
            }
            Some(found) => {
                return Err(Error::Schema {
                    found,
                    expected: SCHEMA_VERSION,
                });
            }
        }
        txn.open_table(ENVELOPES).map_err(dberr)?;
        txn.open_table(IDS).map_err(dberr)?;
        txn.open_table(BY_PILLAR).map_err(dberr)?;
        txn.open_table(BY_AUTHOR).map_err(dberr)?;
        txn.open_table(BY_KIND).map_err(dberr)?;
        txn.open_table(RETRACTED).map_err(dberr)?;
        txn.open_table(ENDORSEMENTS).map_err(dberr)?;
        txn.open_table(SUPERSEDED).map_err(dberr)?;
        txn.open_table(PROFILES).map_err(dberr)?;
        txn.open_table(COUNTERS).map_err(dberr)?;
        txn.open_table(PARTNERS).map_err(dberr)?;
        txn.open_table(AUTHOR_HOURS).map_err(dberr)?;
        txn.open_table(NAMES).map_err(dberr)?;
        txn.open_table(EXPIRIES).map_err(dberr)?;
        txn.open_table(SEARCH).map_err(dberr)?;
    }
    if let Some(old) = migrate {
        tracing::info!("migrating the store from schema {old} to {SCHEMA_VERSION}");
        // Every earlier schema kept envelopes unpacked in envelopes-1.
        let repacked = writer::repack(&txn)?;
        tracing::info!(records = repacked, "packed the stored envelopes");
        if old == 1 {
            writer::migrate_from_1(&txn)?;
        }
        // Schema 3's index was keyed by whole ids; schemas 1-2 had none.
        txn.delete_table(SEARCH_V1).map_err(dberr)?;
        let indexed = search::rebuild(&txn)?;
        tracing::info!(records = indexed, "built the search index");
    }
    let cutoff = crate::ingest::now_ms().saturating_sub(EXPIRED_RETENTION_MS);
    let purged = writer::purge_expired(&mut writer::Tables::open(&txn)?, cutoff)?;
    if purged > 0 {
        tracing::info!(
            records = purged,
            "dropped records that expired over 30 days ago"
        );
    }
    txn.commit().map_err(dberr)?;
    Ok(())
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod search_tests;
