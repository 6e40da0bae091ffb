//! The full-text search index (`search-1`): kept in step with the records by the writer, read
//! by [`search`].
//!
//! Each term's entries are keyed `(term, ts, id)`, so the records holding a term are in the
//! order listings use. A query of several terms is a leapfrog intersection: one cursor per
//! term, newest first; the candidate is the oldest entry the cursors are at, every cursor moves
//! to its newest entry at or before it, and the candidate moves back whenever a cursor lands
//! before it, until all agree. A cursor steps entry by entry for short distances and seeks (a
//! fresh descent of the tree) for long ones, and a page stops after `limit` shown records, so
//! the cost follows the records returned and the skips, not the size of the store.

use redb::{ReadTransaction, ReadableTable, ReadableTableMetadata};
use wsf_protocol::{Kind, Record, RecordId};

use super::read::{Cursor, DEFAULT_KINDS, Lens, MAX_LIMIT, Page, Query, Viewer, shown};
use super::tables::*;
use super::{Error, dberr};

/// Most matching records one page looks at (shown or filtered out) before it answers with a
/// `next` cursor: bounds a query whose matches the filters mostly hide.
pub const MAX_SCAN: usize = 20_000;

type SearchTable<'txn> = redb::Table<'txn, (&'static str, u64, Short), ()>;

/// The terms of one record ([`wsf_protocol::search::record_terms`]).
pub(crate) type Terms = std::collections::BTreeSet<String>;

/// Adds a record's terms (worked out by `record_terms`) to the index.
pub(crate) fn index(t: &mut SearchTable<'_>, rec: &Record, terms: &Terms) -> Result<(), Error> {
    let b = rec.body();
    let id = short(&rec.id().0);
    for term in terms {
        t.insert((term.as_str(), b.ts, id), ()).map_err(dberr)?;
    }
    Ok(())
}

/// Removes a record's terms from the index.
pub(crate) fn unindex(t: &mut SearchTable<'_>, rec: &Record) -> Result<(), Error> {
    let b = rec.body();
    let id = short(&rec.id().0);
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
        let rec = wsf_protocol::decode_trusted(&super::packed::unpack(v.value())?)
            .map_err(|e| Error::Corrupt(RecordId(k.value().1).to_string(), e.to_string()))?;
        index(
            &mut table,
            &rec,
            &wsf_protocol::search::record_terms(&rec.body().content),
        )?;
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

type SearchRead = redb::ReadOnlyTable<(&'static str, u64, Short), ()>;
type Entries<'t> = redb::Range<'t, (&'static str, u64, Short), ()>;

/// How many entries a term's cursor steps over, one by one, before it seeks instead: stepping
/// is far cheaper than a seek (a fresh descent of the tree), but a seek skips any distance.
const STEPS_BEFORE_SEEK: usize = 16;

/// One term's entries, walked newest first.
struct TermCursor<'t> {
    table: &'t SearchRead,
    term: &'t str,
    entries: Entries<'t>,
    /// The entry the cursor is at; `None` when the term has no more.
    at: Option<(u64, Short)>,
}

impl<'t> TermCursor<'t> {
    /// A cursor at the newest entry of `term` before `bound` (all when no bound).
    fn new(
        table: &'t SearchRead,
        term: &'t str,
        bound: Option<(u64, Short)>,
    ) -> Result<Self, Error> {
        let mut c = TermCursor {
            table,
            term,
            entries: Self::range(table, term, bound, false)?,
            at: None,
        };
        c.step()?;
        Ok(c)
    }

    fn range(
        table: &'t SearchRead,
        term: &'t str,
        bound: Option<(u64, Short)>,
        inclusive: bool,
    ) -> Result<Entries<'t>, Error> {
        let lo = (term, 0u64, [0u8; 8]);
        match bound {
            None => table.range(lo..=(term, u64::MAX, [0xff; 8])),
            Some((ts, id)) if inclusive => table.range(lo..=(term, ts, id)),
            Some((ts, id)) => table.range(lo..(term, ts, id)),
        }
        .map_err(dberr)
    }

    /// Moves to the next older entry.
    fn step(&mut self) -> Result<(), Error> {
        self.at = match self.entries.next_back() {
            Some(entry) => {
                let (k, _) = entry.map_err(dberr)?;
                let (_, ts, id) = k.value();
                Some((ts, id))
            }
            None => None,
        };
        Ok(())
    }

    /// Moves to the newest entry at or before `target`.
    fn advance_to(&mut self, target: (u64, Short)) -> Result<(), Error> {
        for _ in 0..STEPS_BEFORE_SEEK {
            match self.at {
                Some(at) if at > target => self.step()?,
                _ => return Ok(()),
            }
        }
        if self.at.is_some_and(|at| at > target) {
            self.entries = Self::range(self.table, self.term, Some(target), true)?;
            self.step()?;
        }
        Ok(())
    }
}

/// The held records of millisecond `ts` whose ids start with `prefix`.
fn load_short(txn: &ReadTransaction, ts: u64, prefix: Short) -> Result<Vec<Record>, Error> {
    let envelopes = txn.open_table(ENVELOPES).map_err(dberr)?;
    let mut lo = [0u8; 32];
    lo[..8].copy_from_slice(&prefix);
    let mut hi = [0xffu8; 32];
    hi[..8].copy_from_slice(&prefix);
    let mut out = Vec::new();
    for entry in envelopes.range((ts, lo)..=(ts, hi)).map_err(dberr)? {
        let (k, v) = entry.map_err(dberr)?;
        let (_, id) = k.value();
        let envelope = super::packed::unpack(v.value())?;
        out.push(
            wsf_protocol::decode_trusted(&envelope)
                .map_err(|e| Error::Corrupt(RecordId(id).to_string(), e.to_string()))?,
        );
    }
    Ok(out)
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
    if terms.is_empty() {
        return Ok(page);
    }
    let table = txn.open_table(SEARCH).map_err(dberr)?;
    let mut lens = Lens::new(txn, viewer)?;
    let limit = q.limit.clamp(1, MAX_LIMIT);
    let kinds: Vec<Kind> = if q.kinds.is_empty() {
        DEFAULT_KINDS.to_vec()
    } else {
        q.kinds.clone()
    };
    let upper: Option<(u64, Short)> = q.cursor.map(|c| (c.ts, short(&c.id.0)));
    let mut cursors = Vec::with_capacity(terms.len());
    for term in terms {
        cursors.push(TermCursor::new(&table, term, upper)?);
    }
    let mut scanned = 0usize;
    // Leapfrog: the candidate is the oldest of the cursors' entries; every cursor moves to it
    // until all are there (a match) or one runs out.
    'matches: while let Some(Some(mut candidate)) = cursors.iter().map(|c| c.at).min() {
        loop {
            let mut agree = true;
            for c in &mut cursors {
                c.advance_to(candidate)?;
                match c.at {
                    None => break 'matches,
                    Some(k) if k < candidate => {
                        candidate = k;
                        agree = false;
                    }
                    Some(_) => {}
                }
            }
            if agree {
                break;
            }
        }
        scanned += 1;
        let (ts, prefix) = candidate;
        // The records of that millisecond with that id prefix: one, in practice.
        let mut last = None;
        for record in load_short(txn, ts, prefix)? {
            last = Some(record.id());
            if shown(txn, viewer, q, &kinds, &record)? {
                page.items.push(lens.info(&record)?);
            }
        }
        if page.items.len() >= limit || scanned >= MAX_SCAN {
            // Held records always match; an entry without one (it cannot happen while the
            // index keeps step) continues after its prefix.
            let mut id = [0u8; 32];
            id[..8].copy_from_slice(&prefix);
            page.next = Some(Cursor {
                ts,
                id: last.unwrap_or(RecordId(id)),
            });
            break;
        }
        for c in &mut cursors {
            c.step()?;
        }
    }
    Ok(page)
}
