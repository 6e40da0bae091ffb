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
}

pub(crate) fn run(db: Arc<Database>, mut rx: mpsc::Receiver<WriteCmd>) {
    while let Some(first) = rx.blocking_recv() {
        let mut group = vec![first];
        let mut records = group_len(&group[0]);
        while records < MAX_GROUP_RECORDS {
            match rx.try_recv() {
                Ok(cmd) => {
                    records += group_len(&cmd);
                    group.push(cmd);
                }
                Err(_) => break,
            }
        }
        apply_group(&db, group);
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
    let result = (|| -> Result<Vec<Vec<InsertOutcome>>, Error> {
        let mut txn = db.begin_write().map_err(dberr)?;
        txn.set_two_phase_commit(true);
        let mut outcomes = Vec::with_capacity(group.len());
        let mut counters: BTreeMap<&str, u64> = BTreeMap::new();
        for cmd in &group {
            match cmd {
                WriteCmd::Insert { records, .. } => {
                    let mut out = Vec::with_capacity(records.len());
                    for r in records {
                        out.push(insert(&txn, r)?);
                    }
                    outcomes.push(out);
                }
                WriteCmd::Count { counters: c } => {
                    for (name, n) in c {
                        *counters.entry(name.as_str()).or_default() += n;
                    }
                }
                WriteCmd::Flush { .. } => {}
            }
        }
        if !counters.is_empty() {
            let mut table = txn.open_table(COUNTERS).map_err(dberr)?;
            for (name, n) in counters {
                let old = table.get(name).map_err(dberr)?.map_or(0, |v| v.value());
                table.insert(name, old.saturating_add(n)).map_err(dberr)?;
            }
        }
        txn.commit().map_err(dberr)?;
        Ok(outcomes)
    })();
    match result {
        Ok(outcomes) => {
            let mut outcomes = outcomes.into_iter();
            for cmd in group {
                match cmd {
                    WriteCmd::Insert { reply, .. } => {
                        let _ = reply.send(Ok(outcomes.next().unwrap_or_default()));
                    }
                    WriteCmd::Flush { reply } => {
                        let _ = reply.send(Ok(()));
                    }
                    WriteCmd::Count { .. } => {}
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
                    WriteCmd::Count { .. } => {}
                }
            }
        }
    }
}

/// Applies one verified record: stores it and updates every index, or says why not.
fn insert(txn: &WriteTransaction, rec: &Record) -> Result<InsertOutcome, Error> {
    let id = rec.id().0;
    let body = rec.body();
    let author = body.author.0;
    let mut records = txn.open_table(RECORDS).map_err(dberr)?;
    if records.get(id).map_err(dberr)?.is_some() {
        return Ok(InsertOutcome::Duplicate);
    }
    let mut retracted = txn.open_table(RETRACTED).map_err(dberr)?;
    if retracted.get((id, author)).map_err(dberr)?.is_some() {
        return Ok(InsertOutcome::Retracted);
    }
    records.insert(id, rec.envelope()).map_err(dberr)?;
    drop(records);
    add_indexes(txn, rec)?;

    match &body.content {
        Content::Retraction(r) => {
            let target = r.target.0;
            let known = txn
                .open_table(RECORDS)
                .map_err(dberr)?
                .get(target)
                .map_err(dberr)?
                .map(|v| v.value().to_vec());
            match known {
                Some(bytes) => {
                    let old = wsf_protocol::decode_trusted(&bytes)
                        .map_err(|e| Error::Corrupt(r.target.to_string(), e.to_string()))?;
                    // Only the author may retract, and a retraction is never undone.
                    if old.body().author.0 == author
                        && !matches!(old.body().content, Content::Retraction(_))
                    {
                        retracted.insert((target, author), id).map_err(dberr)?;
                        drop(retracted);
                        remove(txn, &old)?;
                    }
                }
                None => {
                    // Not here yet: the tombstone refuses it if it arrives from its author.
                    retracted.insert((target, author), id).map_err(dberr)?;
                }
            }
        }
        Content::Endorsement(e) => {
            let mut t = txn.open_table(ENDORSEMENTS).map_err(dberr)?;
            t.insert((e.target.0, id), author).map_err(dberr)?;
        }
        Content::Profile(_) => {
            let mut t = txn.open_table(PROFILES).map_err(dberr)?;
            let newer = match t.get(author).map_err(dberr)? {
                Some(v) => (body.ts, id) > v.value(),
                None => true,
            };
            if newer {
                t.insert(author, (body.ts, id)).map_err(dberr)?;
            }
        }
        _ => {}
    }
    if let Some(old) = body.supersedes {
        let mut t = txn.open_table(SUPERSEDED).map_err(dberr)?;
        let newer = match t.get(old.0).map_err(dberr)? {
            Some(v) => {
                let (ts, nid, _) = v.value();
                (body.ts, id) > (ts, nid)
            }
            None => true,
        };
        if newer {
            t.insert(old.0, (body.ts, id, author)).map_err(dberr)?;
        }
    }
    Ok(InsertOutcome::Stored)
}

fn add_indexes(txn: &WriteTransaction, rec: &Record) -> Result<(), Error> {
    let id = rec.id().0;
    let body = rec.body();
    txn.open_table(BY_TIME)
        .map_err(dberr)?
        .insert((body.ts, id), ())
        .map_err(dberr)?;
    let mut by_pillar = txn.open_table(BY_PILLAR).map_err(dberr)?;
    for p in &body.pillars {
        by_pillar
            .insert((p.as_str(), body.ts, id), ())
            .map_err(dberr)?;
    }
    txn.open_table(BY_AUTHOR)
        .map_err(dberr)?
        .insert((body.author.0, body.ts, id), ())
        .map_err(dberr)?;
    txn.open_table(BY_KIND)
        .map_err(dberr)?
        .insert((body.kind().as_str(), body.ts, id), ())
        .map_err(dberr)?;
    Ok(())
}

/// Drops a retracted record: its envelope and every index entry.
fn remove(txn: &WriteTransaction, rec: &Record) -> Result<(), Error> {
    let id = rec.id().0;
    let body = rec.body();
    txn.open_table(RECORDS)
        .map_err(dberr)?
        .remove(id)
        .map_err(dberr)?;
    txn.open_table(BY_TIME)
        .map_err(dberr)?
        .remove((body.ts, id))
        .map_err(dberr)?;
    let mut by_pillar = txn.open_table(BY_PILLAR).map_err(dberr)?;
    for p in &body.pillars {
        by_pillar.remove((p.as_str(), body.ts, id)).map_err(dberr)?;
    }
    txn.open_table(BY_AUTHOR)
        .map_err(dberr)?
        .remove((body.author.0, body.ts, id))
        .map_err(dberr)?;
    txn.open_table(BY_KIND)
        .map_err(dberr)?
        .remove((body.kind().as_str(), body.ts, id))
        .map_err(dberr)?;
    match &body.content {
        Content::Endorsement(e) => {
            txn.open_table(ENDORSEMENTS)
                .map_err(dberr)?
                .remove((e.target.0, id))
                .map_err(dberr)?;
        }
        Content::Profile(_) => {
            let mut t = txn.open_table(PROFILES).map_err(dberr)?;
            let current = t.get(body.author.0).map_err(dberr)?.map(|v| v.value().1);
            if current == Some(id) {
                t.remove(body.author.0).map_err(dberr)?;
            }
        }
        _ => {}
    }
    Ok(())
}
