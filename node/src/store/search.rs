//! The full-text search index (`search-1`): kept in step with the records by the writer, read
//! by [`search`].
//!
//! Each term's entries are keyed `(term, ts, id)`, so the records holding a term are in the
//! order listings use. A query of several terms is a leapfrog intersection: take the newest
//! candidate of one term, seek every other term to its newest entry at or before it, move the
//! candidate back whenever a term has nothing there, until all agree. Each step is one B-tree
//! seek, and a page stops after `limit` shown records, so the cost follows the records
//! returned, not the size of the store.

use redb::{ReadTransaction, ReadableTable, ReadableTableMetadata};
use wsf_protocol::{Kind, Record, RecordId};

use super::read::{Cursor, DEFAULT_KINDS, Lens, MAX_LIMIT, Page, Query, Viewer, load_at, shown};
use super::tables::*;
use super::{Error, dberr};

/// Most matching records one page looks at (shown or filtered out) before it answers with a
/// `next` cursor: bounds a query whose matches the filters mostly hide.
pub const MAX_SCAN: usize = 20_000;

type SearchTable<'txn> = redb::Table<'txn, (&'static str, u64, Id), ()>;

/// Adds a record's terms to the index.
pub(crate) fn index(t: &mut SearchTable<'_>, rec: &Record) -> Result<(), Error> {
    let b = rec.body();
    let id = rec.id().0;
    for term in wsf_protocol::search::record_terms(&b.content) {
        t.insert((term.as_str(), b.ts, id), ()).map_err(dberr)?;
    }
    Ok(())
}

/// Removes a record's terms from the index.
pub(crate) fn unindex(t: &mut SearchTable<'_>, rec: &Record) -> Result<(), Error> {
    let b = rec.body();
    let id = rec.id().0;
    for term in wsf_protocol::search::record_terms(&b.content) {
        t.remove((term.as_str(), b.ts, id)).map_err(dberr)?;
    }
    Ok(())
}

/// Indexes every held record (the migration from schema 2).
pub(crate) fn rebuild(txn: &redb::WriteTransaction) -> Result<u64, Error> {
    let envelopes = txn.open_table(ENVELOPES).map_err(dberr)?;
    let mut table = txn.open_table(SEARCH).map_err(dberr)?;
    let mut n = 0;
    for entry in envelopes.iter().map_err(dberr)? {
        let (k, v) = entry.map_err(dberr)?;
        let rec = wsf_protocol::decode_trusted(v.value())
            .map_err(|e| Error::Corrupt(RecordId(k.value().1).to_string(), e.to_string()))?;
        index(&mut table, &rec)?;
        n += 1;
    }
    Ok(n)
}

/// Bytes the index's pages take (stored entries, branch pages, fragmentation).
pub fn index_bytes(txn: &ReadTransaction) -> Result<u64, Error> {
    let table = txn.open_table(SEARCH).map_err(dberr)?;
    let s = table.stats().map_err(dberr)?;
    Ok(s.stored_bytes() + s.metadata_bytes() + s.fragmented_bytes())
}

/// The newest entry of `term` before `bound` (at it too when `inclusive`), or the newest of
/// all when there is no bound.
fn seek(
    table: &redb::ReadOnlyTable<(&'static str, u64, Id), ()>,
    term: &str,
    bound: Option<(u64, Id)>,
    inclusive: bool,
) -> Result<Option<(u64, Id)>, Error> {
    let lo = (term, 0u64, [0u8; 32]);
    let last = match bound {
        None => table
            .range(lo..=(term, u64::MAX, [0xff; 32]))
            .map_err(dberr)?
            .next_back(),
        Some((ts, id)) if inclusive => table.range(lo..=(term, ts, id)).map_err(dberr)?.next_back(),
        Some((ts, id)) => table.range(lo..(term, ts, id)).map_err(dberr)?.next_back(),
    };
    match last {
        Some(entry) => {
            let (k, _) = entry.map_err(dberr)?;
            let (_, ts, id) = k.value();
            Ok(Some((ts, id)))
        }
        None => Ok(None),
    }
}

/// Records holding every one of `terms` (from [`wsf_protocol::search::query_terms`]), newest
/// first, filtered and shown like [`super::list`] (kinds, pillars, author, hidden, expired;
/// `since` and `until` are not used). No terms: an empty page.
pub fn search(
    txn: &ReadTransaction,
    viewer: Viewer,
    terms: &[String],
    q: &Query,
) -> Result<Page, Error> {
    let mut page = Page::default();
    let Some(first) = terms.first() else {
        return Ok(page);
    };
    let table = txn.open_table(SEARCH).map_err(dberr)?;
    let mut lens = Lens::new(txn, viewer)?;
    let limit = q.limit.clamp(1, MAX_LIMIT);
    let kinds: Vec<Kind> = if q.kinds.is_empty() {
        DEFAULT_KINDS.to_vec()
    } else {
        q.kinds.clone()
    };
    // Exclusive upper bound: the last candidate looked at.
    let mut upper: Option<(u64, Id)> = q.cursor.map(|c| (c.ts, c.id.0));
    let mut scanned = 0usize;
    'pages: while let Some(mut candidate) = seek(&table, first, upper, false)? {
        let mut agree = 1;
        let mut i = 1 % terms.len();
        while agree < terms.len() {
            let Some(k) = seek(&table, &terms[i], Some(candidate), true)? else {
                break 'pages;
            };
            if k == candidate {
                agree += 1;
            } else {
                candidate = k;
                agree = 1;
            }
            i = (i + 1) % terms.len();
        }
        upper = Some(candidate);
        scanned += 1;
        let (ts, id) = candidate;
        if let Some(record) = load_at(txn, ts, &id)?
            && shown(txn, viewer, q, &kinds, &record)?
        {
            page.items.push(lens.info(&record)?);
        }
        if page.items.len() >= limit || scanned >= MAX_SCAN {
            page.next = Some(Cursor {
                ts,
                id: RecordId(id),
            });
            break;
        }
    }
    Ok(page)
}
