//! The redb tables. Names carry a version: a change of layout gets a new name and a migration.
//!
//! Every record is stored once, by id, as its envelope bytes; the other tables are indexes that
//! can be rebuilt from the envelopes.

use redb::TableDefinition;

/// Raw 32-byte id or key.
pub type Id = [u8; 32];

/// `schema_version` and other single values.
pub const META: TableDefinition<&str, u64> = TableDefinition::new("meta-1");
/// (ts, id) → envelope, packed (`super::packed`: a tag byte, then the envelope raw or
/// zstd-compressed): every held record, in time order. Keyed by time, not by id, so that
/// inserts (which arrive roughly in time order) append instead of touching random pages: at
/// 100,000 records this doubled the store's insert rate. Retracted records leave this table.
pub const ENVELOPES: TableDefinition<(u64, Id), &[u8]> = TableDefinition::new("envelopes-2");
/// The envelopes before schema 4, unpacked (repacked into [`ENVELOPES`] by the migration).
pub const ENVELOPES_V1: TableDefinition<(u64, Id), &[u8]> = TableDefinition::new("envelopes-1");
/// id → ts: finds a record's envelope from its id.
pub const IDS: TableDefinition<Id, u64> = TableDefinition::new("ids-1");
/// (pillar, ts, id) → (): one entry per pillar of a record; the order sync reconciles over.
pub const BY_PILLAR: TableDefinition<(&str, u64, Id), ()> = TableDefinition::new("by-pillar-1");
/// (author, ts, id) → ().
pub const BY_AUTHOR: TableDefinition<(Id, u64, Id), ()> = TableDefinition::new("by-author-1");
/// (kind, ts, id) → ().
pub const BY_KIND: TableDefinition<(&str, u64, Id), ()> = TableDefinition::new("by-kind-1");
/// (withdrawn id, retraction author) → the smallest id of the retractions that withdrew it. Kept
/// for ever: a tombstone that refuses the record if it comes back from that author. Written for a
/// retraction's `target` and for every id in its `refs` (the earlier versions it withdraws), even
/// when the record is not known yet; only a tombstone whose author is the record's author has any
/// effect. Retractions themselves are never refused by a tombstone.
pub const RETRACTED: TableDefinition<(Id, Id), Id> = TableDefinition::new("retracted-1");
/// (target id, endorsement id) → endorser.
pub const ENDORSEMENTS: TableDefinition<(Id, Id), Id> = TableDefinition::new("endorsements-1");
/// (older id, author of the superseding record, its ts, its id) → (): every held record that
/// supersedes another, so the newest one can be found and the entry leaves with the record.
/// Keyed by author so that only the older record's own author can hide it: a record of someone
/// else that claims to supersede it lands under another key and changes nothing.
pub const SUPERSEDED: TableDefinition<(Id, Id, u64, Id), ()> = TableDefinition::new("superseded-3");
/// The layout of the superseded table before schema 2 (dropped by the migration).
pub const SUPERSEDED_V1: TableDefinition<(Id, Id), (u64, Id)> =
    TableDefinition::new("superseded-2");
/// (name key, author) → (): the [`wsf_protocol::display::name_key`] of each author's current
/// profile name, to find authors whose names look alike.
pub const NAMES: TableDefinition<(&str, Id), ()> = TableDefinition::new("names-1");
/// (expires, id) → ts: held records that expire, by expiry; listing, sync and the retention
/// purge read it.
pub const EXPIRIES: TableDefinition<(u64, Id), u64> = TableDefinition::new("expiries-1");
/// author → (ts, id) of the author's newest profile.
pub const PROFILES: TableDefinition<Id, (u64, Id)> = TableDefinition::new("profiles-1");
/// (author, hour of ts) → records held: the per-author quota is checked against it in O(1).
pub const AUTHOR_HOURS: TableDefinition<(Id, u64), u64> = TableDefinition::new("author-hours-1");
/// Milliseconds in an hour: the quota's bucket.
pub const HOUR_MS: u64 = 3_600_000;

/// author → (status, name): 1 = partner, 2 = blocked.
pub const PARTNERS: TableDefinition<Id, (u8, &str)> = TableDefinition::new("partners-1");
/// Partner status values.
pub const PARTNER: u8 = 1;
pub const BLOCKED: u8 = 2;

/// (term, ts, first 8 bytes of the id) → (): the full-text search index, one entry per term of
/// every held record that has searchable text (`wsf_protocol::search::record_terms`). Each
/// term's entries are in time order, so a query walks them newest first and intersects terms by
/// seeking; a match is found in [`ENVELOPES`] by its time and id prefix. Entries leave with
/// their record (retraction, expiry purge, blocking).
pub const SEARCH: TableDefinition<(&str, u64, Short), ()> = TableDefinition::new("search-2");
/// The index before schema 4, keyed by the whole id (rebuilt as [`SEARCH`] by the migration).
pub const SEARCH_V1: TableDefinition<(&str, u64, Id), ()> = TableDefinition::new("search-1");
/// The first 8 bytes of a record id: enough to tell records of the same millisecond apart (a
/// record made to share another's would take about 2^64 signatures).
pub type Short = [u8; 8];

/// An id's [`Short`].
pub fn short(id: &Id) -> Short {
    let mut s = [0u8; 8];
    s.copy_from_slice(&id[..8]);
    s
}

/// Named counters: `rejected.<reason>`.
pub const COUNTERS: TableDefinition<&str, u64> = TableDefinition::new("counters-1");

/// The layout these definitions describe. 2: superseded entries per superseding record, name
/// keys, expiries (migrated from 1 by rebuilding them from the held records). 3: the search
/// index (migrated from 2 by indexing the held records). 4: envelopes packed, most of them
/// compressed, and the search index keyed by id prefixes (migrated from 1–3 by repacking every
/// envelope and indexing the held records again).
pub const SCHEMA_VERSION: u64 = 4;

/// How long an expired record is kept (hidden, not synced) before it is dropped: 30 days, so
/// that `--include-expired` can still show what just ended.
pub const EXPIRED_RETENTION_MS: u64 = 30 * 24 * HOUR_MS;
