//! The writer thread: the only place that opens write transactions. It takes commands from a
//! bounded channel and applies every command waiting in the queue in one transaction (group
//! commit), so bulk ingest pays one fsync per group while a lone `publish` is durable as soon as
//! its reply arrives.

use std::collections::BTreeMap;
use std::sync::Arc;

use redb::{Database, ReadableTable, WriteTransaction};
use tokio::sync::{mpsc, oneshot};
use wsf_protocol::{Content, Record};

use super::tables::*;
use super::{Error, InsertOutcome, dberr};

/// Most records applied in one write transaction. Large enough that fsync cost is spread over
/// many records (redb does ~31k 1 KB inserts/s at 1,000 per transaction here), small enough that
/// one transaction's dirty pages stay a few MiB.
pub const MAX_GROUP_RECORDS: usize = 4_096;

pub(crate) enum WriteCmd {
    Insert {
        records: Vec<Record>,
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
    /// Sets or clears an author's partner status; blocking deletes its records.
    Partner {
        author: Id,
        status: Option<u8>,
        name: String,
        reply: oneshot::Sender<Result<u64, Error>>,
    },
}

pub(crate) fn run(db: Arc<Database>, mut rx: mpsc::Receiver<WriteCmd>) {
    let mut stop = None;
    while let Some(first) = rx.blocking_recv() {
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
            apply_group(&db, group);
        }
        if stop.is_some() {
            break;
        }
    }
    drop(db);
    if let Some(reply) = stop {
        let _ = reply.send(());
    }
    tracing::debug!("store writer stopped");
}

fn group_len(cmd: &WriteCmd) -> usize {
    match cmd {
        WriteCmd::Insert { records, .. } => records.len(),
        _ => 0,
    }
}

fn apply_group(db: &Database, group: Vec<WriteCmd>) {
    let result = (|| -> Result<(Vec<Vec<InsertOutcome>>, Vec<u64>), Error> {
        let mut txn = db.begin_write().map_err(dberr)?;
        txn.set_two_phase_commit(true);
        let mut outcomes = Vec::with_capacity(group.len());
        let mut counters: BTreeMap<&str, u64> = BTreeMap::new();
        let mut tables = Tables::open(&txn)?;
        let mut partner_results: Vec<u64> = Vec::new();
        for cmd in &group {
            match cmd {
                WriteCmd::Insert { records, .. } => {
                    let mut out = Vec::with_capacity(records.len());
                    for r in records {
                        out.push(insert(&mut tables, r)?);
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
                    WriteCmd::Partner { reply, .. } => {
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
                    WriteCmd::Partner { reply, .. } => {
                        let _ = reply.send(Err(e.clone()));
                    }
                    WriteCmd::Count { .. } | WriteCmd::Shutdown { .. } => {}
                }
            }
        }
    }
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
    for (ts, id) in keys {
        let bytes = t
            .envelopes
            .get((ts, id))
            .map_err(dberr)?
            .map(|v| v.value().to_vec());
        if let Some(bytes) = bytes {
            let rec = wsf_protocol::decode_trusted(&bytes).map_err(|e| {
                Error::Corrupt(wsf_protocol::RecordId(id).to_string(), e.to_string())
            })?;
            remove(t, &rec)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Every table a write touches, opened once per transaction.
struct Tables<'txn> {
    envelopes: redb::Table<'txn, (u64, Id), &'static [u8]>,
    ids: redb::Table<'txn, Id, u64>,
    by_pillar: redb::Table<'txn, (&'static str, u64, Id), ()>,
    by_author: redb::Table<'txn, (Id, u64, Id), ()>,
    by_kind: redb::Table<'txn, (&'static str, u64, Id), ()>,
    retracted: redb::Table<'txn, (Id, Id), Id>,
    endorsements: redb::Table<'txn, (Id, Id), Id>,
    superseded: redb::Table<'txn, (Id, Id), (u64, Id)>,
    profiles: redb::Table<'txn, Id, (u64, Id)>,
    author_hours: redb::Table<'txn, (Id, u64), u64>,
}

impl<'txn> Tables<'txn> {
    fn open(txn: &'txn WriteTransaction) -> Result<Self, Error> {
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
            author_hours: txn.open_table(AUTHOR_HOURS).map_err(dberr)?,
        })
    }
}

/// Applies one verified record: stores it and updates every index, or says why not.
fn insert(t: &mut Tables<'_>, rec: &Record) -> Result<InsertOutcome, Error> {
    let id = rec.id().0;
    let body = rec.body();
    let author = body.author.0;
    if t.ids.get(id).map_err(dberr)?.is_some() {
        return Ok(InsertOutcome::Duplicate);
    }
    if t.retracted.get((id, author)).map_err(dberr)?.is_some() {
        return Ok(InsertOutcome::Retracted);
    }
    t.ids.insert(id, body.ts).map_err(dberr)?;
    t.envelopes
        .insert((body.ts, id), rec.envelope())
        .map_err(dberr)?;
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
    let hour = (author, body.ts / HOUR_MS);
    let n = t
        .author_hours
        .get(hour)
        .map_err(dberr)?
        .map_or(0, |v| v.value());
    t.author_hours.insert(hour, n + 1).map_err(dberr)?;

    match &body.content {
        Content::Retraction(r) => {
            let target = r.target.0;
            let known = match t.ids.get(target).map_err(dberr)?.map(|v| v.value()) {
                Some(ts) => t
                    .envelopes
                    .get((ts, target))
                    .map_err(dberr)?
                    .map(|v| v.value().to_vec()),
                None => None,
            };
            match known {
                Some(bytes) => {
                    let old = wsf_protocol::decode_trusted(&bytes)
                        .map_err(|e| Error::Corrupt(r.target.to_string(), e.to_string()))?;
                    // Only the author may retract, and a retraction is never undone.
                    if old.body().author.0 == author
                        && !matches!(old.body().content, Content::Retraction(_))
                    {
                        t.retracted.insert((target, author), id).map_err(dberr)?;
                        remove(t, &old)?;
                    }
                }
                None => {
                    // Not here yet: the tombstone refuses it if it arrives from its author.
                    t.retracted.insert((target, author), id).map_err(dberr)?;
                }
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
                t.profiles.insert(author, (body.ts, id)).map_err(dberr)?;
            }
        }
        _ => {}
    }
    if let Some(old) = body.supersedes {
        let key = (old.0, author);
        let newer = match t.superseded.get(key).map_err(dberr)? {
            Some(v) => (body.ts, id) > v.value(),
            None => true,
        };
        if newer {
            t.superseded.insert(key, (body.ts, id)).map_err(dberr)?;
        }
    }
    Ok(InsertOutcome::Stored)
}

/// Drops a retracted record: its envelope and every index entry.
fn remove(t: &mut Tables<'_>, rec: &Record) -> Result<(), Error> {
    let id = rec.id().0;
    let body = rec.body();
    t.ids.remove(id).map_err(dberr)?;
    t.envelopes.remove((body.ts, id)).map_err(dberr)?;
    for p in &body.pillars {
        t.by_pillar
            .remove((p.as_str(), body.ts, id))
            .map_err(dberr)?;
    }
    t.by_author
        .remove((body.author.0, body.ts, id))
        .map_err(dberr)?;
    t.by_kind
        .remove((body.kind().as_str(), body.ts, id))
        .map_err(dberr)?;
    let hour = (body.author.0, body.ts / HOUR_MS);
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
    match &body.content {
        Content::Endorsement(e) => {
            t.endorsements.remove((e.target.0, id)).map_err(dberr)?;
        }
        Content::Profile(_) => {
            let current = t
                .profiles
                .get(body.author.0)
                .map_err(dberr)?
                .map(|v| v.value().1);
            if current == Some(id) {
                t.profiles.remove(body.author.0).map_err(dberr)?;
                // Fall back to the author's newest remaining profile, if any.
                let held: Vec<(u64, Id)> = t
                    .by_kind
                    .range(("profile", 0u64, [0u8; 32])..=("profile", u64::MAX, [0xff; 32]))
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
                    let author = t
                        .envelopes
                        .get((ts, pid))
                        .map_err(dberr)?
                        .and_then(|v| wsf_protocol::decode_trusted(v.value()).ok())
                        .map(|r| r.body().author.0);
                    if author == Some(body.author.0) {
                        t.profiles.insert(body.author.0, (ts, pid)).map_err(dberr)?;
                        break;
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}
