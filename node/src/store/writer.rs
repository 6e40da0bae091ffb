//! The writer thread: the only place that opens write transactions. It takes commands from a
//! bounded channel and applies every command waiting in the queue in one transaction (group
//! commit), so bulk ingest pays one fsync per group while a lone `publish` is durable as soon as
//! its reply arrives.
//!
//! Records received by gossip are committed without an fsync (redb's `Durability::None`): they
//! are visible at once, and made durable by the next durable commit, at the latest
//! [`SETTLE_AFTER`] later. A crash in between loses them; catch-up sync fetches them again
//! (DESIGN §10). Everything else (publish, import, sync, counters' flushes, partners, purges)
//! is durable when its reply arrives.

use std::collections::BTreeMap;
use std::sync::Arc;

use redb::{Database, ReadableTable, WriteTransaction};
use tokio::sync::{mpsc, oneshot};
use wsf_protocol::{Content, Record};

use super::search::Terms;
use super::tables::*;
use super::{Error, InsertOutcome, dberr};

/// Most records applied in one write transaction. Large enough that fsync cost is spread over
/// many records (redb does ~31k 1 KB inserts/s at 1,000 per transaction here), small enough that
/// one transaction's dirty pages stay a few MiB.
pub const MAX_GROUP_RECORDS: usize = 4_096;

/// Longest time a commit without fsync stays the newest: then an empty durable commit makes
/// it (and everything before it) durable.
pub const SETTLE_AFTER: std::time::Duration = std::time::Duration::from_millis(250);

pub(crate) enum WriteCmd {
    Insert {
        records: Vec<Record>,
        /// Durable when the reply arrives; otherwise within [`SETTLE_AFTER`].
        durable: bool,
        /// The search terms of each record, worked out before (off the writer thread).
        terms: Vec<Terms>,
        /// Each record's envelope as stored (`super::packed`), also made off the writer thread.
        packed: Vec<Vec<u8>>,
        reply: oneshot::Sender<Result<Vec<InsertOutcome>, Error>>,
    },
    /// Adds to named counters; applied with the next transaction, no reply.
    Count { counters: Vec<(String, u64)> },
    /// Commits whatever is pending and replies; used to wait for counters to land.
    Flush {
        reply: oneshot::Sender<Result<(), Error>>,
    },
    /// Commits whatever is pending, replies, and stops the writer.
    Shutdown { reply: oneshot::Sender<()> },
    /// Drops records that expired at or before `cutoff` (ms); replies how many.
    Purge {
        cutoff: u64,
        reply: oneshot::Sender<Result<u64, Error>>,
    },
    /// Sets or clears an author's partner status; blocking deletes its records.
    Partner {
        author: Id,
        status: Option<u8>,
        name: String,
        reply: oneshot::Sender<Result<u64, Error>>,
    },
}

pub(crate) fn run(
    db: Arc<Database>,
    mut rx: mpsc::Receiver<WriteCmd>,
    settled: tokio::sync::watch::Sender<u64>,
) {
    let settle = |db: &Database| {
        if settle(db) {
            settled.send_modify(|n| *n += 1);
        }
    };
    let mut stop = None;
    // Waiting for a command with a deadline needs a timer: a runtime of this thread's own.
    let timer = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(rt) => Some(rt),
        Err(e) => {
            tracing::warn!(error = %e, "store writer without a timer: every commit is durable");
            None
        }
    };
    // Since when a commit without fsync has been the newest one: it is settled at most
    // SETTLE_AFTER later, however busy the queue stays.
    let mut unsettled: Option<std::time::Instant> = None;
    loop {
        let first = match (&timer, unsettled) {
            (Some(rt), Some(since)) => {
                let left = SETTLE_AFTER.saturating_sub(since.elapsed());
                // The timer is made inside the runtime, which owns it.
                let next = rt.block_on(async { tokio::time::timeout(left, rx.recv()).await });
                match next {
                    Ok(Some(cmd)) if !left.is_zero() => cmd,
                    Ok(Some(cmd)) => {
                        settle(&db);
                        unsettled = None;
                        cmd
                    }
                    Ok(None) => break,
                    Err(_) => {
                        settle(&db);
                        unsettled = None;
                        continue;
                    }
                }
            }
            _ => match rx.blocking_recv() {
                Some(cmd) => cmd,
                None => break,
            },
        };
        let mut group = Vec::new();
        let mut records = 0;
        let mut next = Some(first);
        while let Some(cmd) = next.take() {
            if let WriteCmd::Shutdown { reply } = cmd {
                stop = Some(reply);
                break;
            }
            records += group_len(&cmd);
            group.push(cmd);
            if records < MAX_GROUP_RECORDS {
                next = rx.try_recv().ok();
            }
        }
        if !group.is_empty() {
            let durable = timer.is_none() || group.iter().any(needs_fsync);
            if apply_group(&db, group, durable) {
                unsettled = if durable {
                    None
                } else {
                    unsettled.or_else(|| Some(std::time::Instant::now()))
                };
            }
        }
        if stop.is_some() {
            break;
        }
    }
    if unsettled.is_some() {
        settle(&db);
    }
    drop(db);
    if let Some(reply) = stop {
        let _ = reply.send(());
    }
    tracing::debug!("store writer stopped");
}

/// Whether a command's reply promises durability: everything but gossip inserts and counters.
fn needs_fsync(cmd: &WriteCmd) -> bool {
    !matches!(
        cmd,
        WriteCmd::Insert { durable: false, .. } | WriteCmd::Count { .. }
    )
}

/// An empty durable commit: every commit before it becomes durable. Whether it was made.
fn settle(db: &Database) -> bool {
    let done = db.begin_write().map_err(dberr).and_then(|mut txn| {
        txn.set_two_phase_commit(true);
        txn.commit().map_err(dberr)
    });
    if let Err(e) = &done {
        tracing::error!(error = %e, "cannot make the latest gossip records durable; sync fetches them again after a crash");
    }
    done.is_ok()
}

fn group_len(cmd: &WriteCmd) -> usize {
    match cmd {
        WriteCmd::Insert { records, .. } => records.len(),
        _ => 0,
    }
}

/// Applies a group in one transaction, durable or not; whether it committed.
fn apply_group(db: &Database, group: Vec<WriteCmd>, durable: bool) -> bool {
    let result = (|| -> Result<(Vec<Vec<InsertOutcome>>, Vec<u64>), Error> {
        let mut txn = db.begin_write().map_err(dberr)?;
        if durable {
            txn.set_two_phase_commit(true);
        } else {
            txn.set_durability(redb::Durability::None)
                .map_err(|e| Error::Db(e.to_string()))?;
        }
        let mut outcomes = Vec::with_capacity(group.len());
        let mut counters: BTreeMap<&str, u64> = BTreeMap::new();
        let mut tables = Tables::open(&txn)?;
        let mut partner_results: Vec<u64> = Vec::new();
        for cmd in &group {
            match cmd {
                WriteCmd::Insert {
                    records,
                    terms,
                    packed,
                    ..
                } => {
                    let mut out = Vec::with_capacity(records.len());
                    for ((r, terms), packed) in records.iter().zip(terms).zip(packed) {
                        out.push(insert(&mut tables, r, terms, packed)?);
                    }
                    outcomes.push(out);
                }
                WriteCmd::Count { counters: c } => {
                    for (name, n) in c {
                        *counters.entry(name.as_str()).or_default() += n;
                    }
                }
                WriteCmd::Flush { .. } | WriteCmd::Shutdown { .. } => {}
                WriteCmd::Partner {
                    author,
                    status,
                    name,
                    ..
                } => {
                    let deleted = set_partner(&txn, &mut tables, *author, *status, name)?;
                    partner_results.push(deleted);
                }
                WriteCmd::Purge { cutoff, .. } => {
                    partner_results.push(purge_expired(&mut tables, *cutoff)?);
                }
            }
        }
        drop(tables);
        if !counters.is_empty() {
            let mut table = txn.open_table(COUNTERS).map_err(dberr)?;
            for (name, n) in counters {
                let old = table.get(name).map_err(dberr)?.map_or(0, |v| v.value());
                table.insert(name, old.saturating_add(n)).map_err(dberr)?;
            }
        }
        txn.commit().map_err(dberr)?;
        Ok((outcomes, partner_results))
    })();
    let committed = result.is_ok();
    match result {
        Ok((outcomes, partner_results)) => {
            let mut outcomes = outcomes.into_iter();
            let mut partner_results = partner_results.into_iter();
            for cmd in group {
                match cmd {
                    WriteCmd::Insert { reply, .. } => {
                        let _ = reply.send(Ok(outcomes.next().unwrap_or_default()));
                    }
                    WriteCmd::Flush { reply } => {
                        let _ = reply.send(Ok(()));
                    }
                    WriteCmd::Partner { reply, .. } | WriteCmd::Purge { reply, .. } => {
                        let _ = reply.send(Ok(partner_results.next().unwrap_or(0)));
                    }
                    WriteCmd::Count { .. } | WriteCmd::Shutdown { .. } => {}
                }
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "store write failed; nothing of this group was stored");
            for cmd in group {
                match cmd {
                    WriteCmd::Insert { reply, .. } => {
                        let _ = reply.send(Err(e.clone()));
                    }
                    WriteCmd::Flush { reply } => {
                        let _ = reply.send(Err(e.clone()));
                    }
                    WriteCmd::Partner { reply, .. } | WriteCmd::Purge { reply, .. } => {
                        let _ = reply.send(Err(e.clone()));
                    }
                    WriteCmd::Count { .. } | WriteCmd::Shutdown { .. } => {}
                }
            }
        }
    }
    committed
}

/// Sets an author's partner status; `BLOCKED` also deletes its records (returns how many).
fn set_partner(
    txn: &WriteTransaction,
    t: &mut Tables<'_>,
    author: Id,
    status: Option<u8>,
    name: &str,
) -> Result<u64, Error> {
    let mut partners = txn.open_table(PARTNERS).map_err(dberr)?;
    match status {
        Some(s) => {
            partners.insert(author, (s, name)).map_err(dberr)?;
        }
        None => {
            partners.remove(author).map_err(dberr)?;
        }
    }
    if status != Some(BLOCKED) {
        return Ok(0);
    }
    let keys: Vec<(u64, Id)> = t
        .by_author
        .range((author, 0u64, [0u8; 32])..=(author, u64::MAX, [0xff; 32]))
        .map_err(dberr)?
        .filter_map(|e| {
            e.ok().map(|(k, _)| {
                let (_, ts, id) = k.value();
                (ts, id)
            })
        })
        .collect();
    let mut n = 0;
    for (_, id) in keys {
        if let Some(rec) = t.load(id)? {
            remove(t, &rec)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Every table a write touches, opened once per transaction.
pub(crate) struct Tables<'txn> {
    envelopes: redb::Table<'txn, (u64, Id), &'static [u8]>,
    ids: redb::Table<'txn, Id, u64>,
    by_pillar: redb::Table<'txn, (&'static str, u64, Id), ()>,
    by_author: redb::Table<'txn, (Id, u64, Id), ()>,
    by_kind: redb::Table<'txn, (&'static str, u64, Id), ()>,
    retracted: redb::Table<'txn, (Id, Id), Id>,
    endorsements: redb::Table<'txn, (Id, Id), Id>,
    superseded: redb::Table<'txn, (Id, Id, u64, Id), ()>,
    profiles: redb::Table<'txn, Id, (u64, Id)>,
    names: redb::Table<'txn, (&'static str, Id), ()>,
    expiries: redb::Table<'txn, (u64, Id), u64>,
    author_hours: redb::Table<'txn, (Id, u64), u64>,
    search: redb::Table<'txn, (&'static str, u64, Short), ()>,
}

impl<'txn> Tables<'txn> {
    pub(crate) fn open(txn: &'txn WriteTransaction) -> Result<Self, Error> {
        Ok(Tables {
            envelopes: txn.open_table(ENVELOPES).map_err(dberr)?,
            ids: txn.open_table(IDS).map_err(dberr)?,
            by_pillar: txn.open_table(BY_PILLAR).map_err(dberr)?,
            by_author: txn.open_table(BY_AUTHOR).map_err(dberr)?,
            by_kind: txn.open_table(BY_KIND).map_err(dberr)?,
            retracted: txn.open_table(RETRACTED).map_err(dberr)?,
            endorsements: txn.open_table(ENDORSEMENTS).map_err(dberr)?,
            superseded: txn.open_table(SUPERSEDED).map_err(dberr)?,
            profiles: txn.open_table(PROFILES).map_err(dberr)?,
            names: txn.open_table(NAMES).map_err(dberr)?,
            expiries: txn.open_table(EXPIRIES).map_err(dberr)?,
            author_hours: txn.open_table(AUTHOR_HOURS).map_err(dberr)?,
            search: txn.open_table(SEARCH).map_err(dberr)?,
        })
    }

    fn load(&self, id: Id) -> Result<Option<Record>, Error> {
        let Some(ts) = self.ids.get(id).map_err(dberr)?.map(|v| v.value()) else {
            return Ok(None);
        };
        let Some(bytes) = self.envelopes.get((ts, id)).map_err(dberr)? else {
            return Ok(None);
        };
        wsf_protocol::decode_trusted(&super::packed::unpack(bytes.value())?)
            .map(Some)
            .map_err(|e| Error::Corrupt(wsf_protocol::RecordId(id).to_string(), e.to_string()))
    }
}

/// Applies one verified record: stores it and updates every index, or says why not.
///
/// The state this leaves is a function of the set of records applied, whatever their order
/// (`docs/protocol.md` section 18):
/// - a retraction withdraws its `target` and every id in its `refs` that its author wrote,
///   whether they are held, arrive later, or never arrive (a tombstone per id);
/// - retractions are never withdrawn, so they never depend on which one came first;
/// - supersede links, endorsements and the current profile are kept per held record, and leave
///   with it.
pub(crate) fn insert(
    t: &mut Tables<'_>,
    rec: &Record,
    terms: &Terms,
    packed: &[u8],
) -> Result<InsertOutcome, Error> {
    let id = rec.id().0;
    let body = rec.body();
    let author = body.author.0;
    if t.ids.get(id).map_err(dberr)?.is_some() {
        return Ok(InsertOutcome::Duplicate);
    }
    let is_retraction = matches!(body.content, Content::Retraction(_));
    if !is_retraction && t.retracted.get((id, author)).map_err(dberr)?.is_some() {
        return Ok(InsertOutcome::Retracted);
    }
    t.ids.insert(id, body.ts).map_err(dberr)?;
    t.envelopes.insert((body.ts, id), packed).map_err(dberr)?;
    for p in &body.pillars {
        t.by_pillar
            .insert((p.as_str(), body.ts, id), ())
            .map_err(dberr)?;
    }
    t.by_author
        .insert((author, body.ts, id), ())
        .map_err(dberr)?;
    t.by_kind
        .insert((body.kind().as_str(), body.ts, id), ())
        .map_err(dberr)?;
    if let Some(expires) = body.expires {
        t.expiries.insert((expires, id), body.ts).map_err(dberr)?;
    }
    let hour = (author, body.ts / HOUR_MS);
    let n = t
        .author_hours
        .get(hour)
        .map_err(dberr)?
        .map_or(0, |v| v.value());
    t.author_hours.insert(hour, n + 1).map_err(dberr)?;
    super::search::index(&mut t.search, rec, terms)?;

    match &body.content {
        Content::Retraction(r) => {
            withdraw(t, r.target.0, author, id)?;
            for old in &body.refs {
                withdraw(t, old.0, author, id)?;
            }
        }
        Content::Endorsement(e) => {
            t.endorsements
                .insert((e.target.0, id), author)
                .map_err(dberr)?;
        }
        Content::Profile(_) => {
            let newer = match t.profiles.get(author).map_err(dberr)? {
                Some(v) => (body.ts, id) > v.value(),
                None => true,
            };
            if newer {
                set_profile(t, author, Some((body.ts, id)))?;
            }
        }
        _ => {}
    }
    if let Some(old) = body.supersedes {
        t.superseded
            .insert((old.0, author, body.ts, id), ())
            .map_err(dberr)?;
    }
    Ok(InsertOutcome::Stored)
}

/// Leaves a tombstone for `target` from `author` and drops the record if it is held and is that
/// author's (and not a retraction: retractions are never undone).
fn withdraw(t: &mut Tables<'_>, target: Id, author: Id, retraction: Id) -> Result<(), Error> {
    let keep = match t.retracted.get((target, author)).map_err(dberr)? {
        Some(v) => v.value().min(retraction),
        None => retraction,
    };
    t.retracted.insert((target, author), keep).map_err(dberr)?;
    if let Some(old) = t.load(target)?
        && old.body().author.0 == author
        && !matches!(old.body().content, Content::Retraction(_))
    {
        remove(t, &old)?;
    }
    Ok(())
}

/// Makes `current` the author's current profile (or none), keeping the name keys in step.
fn set_profile(t: &mut Tables<'_>, author: Id, current: Option<(u64, Id)>) -> Result<(), Error> {
    let old = t.profiles.get(author).map_err(dberr)?.map(|v| v.value());
    if let Some((_, old_id)) = old
        && let Some(name) = profile_name(t, old_id)?
    {
        let key = wsf_protocol::display::name_key(&name);
        t.names.remove((key.as_str(), author)).map_err(dberr)?;
    }
    match current {
        Some(entry) => {
            t.profiles.insert(author, entry).map_err(dberr)?;
            if let Some(name) = profile_name(t, entry.1)? {
                let key = wsf_protocol::display::name_key(&name);
                t.names.insert((key.as_str(), author), ()).map_err(dberr)?;
            }
        }
        None => {
            t.profiles.remove(author).map_err(dberr)?;
        }
    }
    Ok(())
}

fn profile_name(t: &Tables<'_>, id: Id) -> Result<Option<String>, Error> {
    Ok(t.load(id)?.and_then(|r| match &r.body().content {
        Content::Profile(p) => Some(p.name.clone()),
        _ => None,
    }))
}

/// Drops a record: its envelope and every index entry. Its tombstones, if any, stay.
pub(crate) fn remove(t: &mut Tables<'_>, rec: &Record) -> Result<(), Error> {
    let id = rec.id().0;
    let body = rec.body();
    let author = body.author.0;
    if matches!(body.content, Content::Profile(_)) {
        let current = t.profiles.get(author).map_err(dberr)?.map(|v| v.value().1);
        if current == Some(id) {
            // Fall back to the author's newest remaining profile, if any.
            let mut fallback = None;
            let held: Vec<(u64, Id)> = t
                .by_author
                .range((author, 0u64, [0u8; 32])..=(author, u64::MAX, [0xff; 32]))
                .map_err(dberr)?
                .rev()
                .filter_map(|e| {
                    e.ok().map(|(k, _)| {
                        let (_, ts, pid) = k.value();
                        (ts, pid)
                    })
                })
                .collect();
            for (ts, pid) in held {
                if pid != id
                    && t.by_kind
                        .get(("profile", ts, pid))
                        .map_err(dberr)?
                        .is_some()
                {
                    fallback = Some((ts, pid));
                    break;
                }
            }
            set_profile(t, author, fallback)?;
        }
    }
    t.ids.remove(id).map_err(dberr)?;
    t.envelopes.remove((body.ts, id)).map_err(dberr)?;
    for p in &body.pillars {
        t.by_pillar
            .remove((p.as_str(), body.ts, id))
            .map_err(dberr)?;
    }
    t.by_author.remove((author, body.ts, id)).map_err(dberr)?;
    t.by_kind
        .remove((body.kind().as_str(), body.ts, id))
        .map_err(dberr)?;
    if let Some(expires) = body.expires {
        t.expiries.remove((expires, id)).map_err(dberr)?;
    }
    if let Some(old) = body.supersedes {
        t.superseded
            .remove((old.0, author, body.ts, id))
            .map_err(dberr)?;
    }
    let hour = (author, body.ts / HOUR_MS);
    let n = t
        .author_hours
        .get(hour)
        .map_err(dberr)?
        .map_or(0, |v| v.value());
    if n <= 1 {
        t.author_hours.remove(hour).map_err(dberr)?;
    } else {
        t.author_hours.insert(hour, n - 1).map_err(dberr)?;
    }
    if let Content::Endorsement(e) = &body.content {
        t.endorsements.remove((e.target.0, id)).map_err(dberr)?;
    }
    super::search::unindex(&mut t.search, rec)?;
    Ok(())
}

/// Drops every record whose `expires` is at or before `cutoff`; returns how many.
pub(crate) fn purge_expired(t: &mut Tables<'_>, cutoff: u64) -> Result<u64, Error> {
    let ids: Vec<Id> = t
        .expiries
        .range((0u64, [0u8; 32])..=(cutoff, [0xff; 32]))
        .map_err(dberr)?
        .filter_map(|e| e.ok().map(|(k, _)| k.value().1))
        .collect();
    let mut n = 0;
    for id in ids {
        if let Some(rec) = t.load(id)? {
            remove(t, &rec)?;
            n += 1;
        }
    }
    Ok(n)
}

/// The migration to schema 4: every envelope of `envelopes-1` packed into `envelopes-2`
/// (`super::packed`), and `envelopes-1` dropped. Returns how many were moved.
pub(crate) fn repack(txn: &WriteTransaction) -> Result<u64, Error> {
    let mut n = 0;
    {
        let old = txn.open_table(ENVELOPES_V1).map_err(dberr)?;
        let mut new = txn.open_table(ENVELOPES).map_err(dberr)?;
        for entry in old.iter().map_err(dberr)? {
            let (k, v) = entry.map_err(dberr)?;
            new.insert(k.value(), super::packed::pack(v.value()).as_slice())
                .map_err(dberr)?;
            n += 1;
        }
    }
    txn.delete_table(ENVELOPES_V1).map_err(dberr)?;
    Ok(n)
}

/// Rebuilds the tables schema 2 added or changed from the held records (migration from 1; the
/// search index of schema 3 is built after it).
pub(crate) fn migrate_from_1(txn: &WriteTransaction) -> Result<(), Error> {
    txn.delete_table(SUPERSEDED_V1).map_err(dberr)?;
    let mut t = Tables::open(txn)?;
    let mut authors_with_profiles = Vec::new();
    for entry in t.envelopes.iter().map_err(dberr)? {
        let (k, v) = entry.map_err(dberr)?;
        let (ts, id) = k.value();
        let rec = wsf_protocol::decode_trusted(&super::packed::unpack(v.value())?)
            .map_err(|e| Error::Corrupt(wsf_protocol::RecordId(id).to_string(), e.to_string()))?;
        let b = rec.body();
        if let Some(expires) = b.expires {
            t.expiries.insert((expires, id), ts).map_err(dberr)?;
        }
        if let Some(old) = b.supersedes {
            t.superseded
                .insert((old.0, b.author.0, ts, id), ())
                .map_err(dberr)?;
        }
        if matches!(b.content, Content::Profile(_)) {
            authors_with_profiles.push(b.author.0);
        }
    }
    authors_with_profiles.sort_unstable();
    authors_with_profiles.dedup();
    for author in authors_with_profiles {
        let current = t.profiles.get(author).map_err(dberr)?.map(|v| v.value());
        if let Some((_, pid)) = current
            && let Some(name) = profile_name(&t, pid)?
        {
            let key = wsf_protocol::display::name_key(&name);
            t.names.insert((key.as_str(), author), ()).map_err(dberr)?;
        }
    }
    Ok(())
}
