//! Queries over a read transaction.

use std::collections::{BTreeMap, HashMap, HashSet};

use redb::{ReadTransaction, ReadableTable, ReadableTableMetadata};
use wsf_protocol::api::{CosignCounts, Cosigner, Counts, RecordDetail, RecordInfo};
use wsf_protocol::display::{self, AuthorView, Trust};
use wsf_protocol::{AuthorId, Content, IdPrefix, Kind, Pillar, Record, RecordId};

use super::packed::unpack;
use super::tables::*;
use super::{Error, dberr};

/// Most records one listing returns.
pub const MAX_LIMIT: usize = 10_000;

/// A position in a newest-first listing: the last item returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub ts: u64,
    pub id: RecordId,
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.ts, self.id)
    }
}

impl std::str::FromStr for Cursor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (ts, id) = s
            .split_once('-')
            .ok_or_else(|| format!("{s:?} is not a cursor (TS-ID)"))?;
        Ok(Cursor {
            ts: ts.parse().map_err(|_| format!("bad cursor time {ts:?}"))?,
            id: id.parse().map_err(|e| format!("bad cursor id: {e}"))?,
        })
    }
}

/// Which records to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Any of these pillars (empty: all).
    pub pillars: Vec<Pillar>,
    /// Any of these kinds (empty: resources, practices and campaigns).
    pub kinds: Vec<Kind>,
    pub author: Option<AuthorId>,
    /// Only records with `ts >= since`.
    pub since: Option<u64>,
    /// Only records with `ts <= until`.
    pub until: Option<u64>,
    /// Most items (capped at [`MAX_LIMIT`]).
    pub limit: usize,
    /// Continue after this item of a previous page.
    pub cursor: Option<Cursor>,
    /// Also superseded records and older profiles.
    pub include_hidden: bool,
    /// Also records whose `expires` has passed.
    pub include_expired: bool,
}

/// The kinds a listing shows when none is asked for: what organisations share.
pub const DEFAULT_KINDS: [Kind; 3] = [Kind::Resource, Kind::Practice, Kind::Campaign];

/// One page of a listing.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub items: Vec<RecordInfo>,
    /// Where the next page starts, when there may be one.
    pub next: Option<Cursor>,
}

/// A record as held, with what the store knows about it.
pub type Listed = RecordInfo;
/// Everything known about one record.
pub type RecordView = RecordDetail;

pub(crate) fn load(txn: &ReadTransaction, id: &Id) -> Result<Option<Record>, Error> {
    let ids = txn.open_table(IDS).map_err(dberr)?;
    let Some(ts) = ids.get(id).map_err(dberr)?.map(|v| v.value()) else {
        return Ok(None);
    };
    load_at(txn, ts, id)
}

pub(crate) fn load_at(txn: &ReadTransaction, ts: u64, id: &Id) -> Result<Option<Record>, Error> {
    let envelopes = txn.open_table(ENVELOPES).map_err(dberr)?;
    let Some(bytes) = envelopes.get((ts, *id)).map_err(dberr)? else {
        return Ok(None);
    };
    wsf_protocol::decode_trusted(&unpack(bytes.value())?)
        .map(Some)
        .map_err(|e| Error::Corrupt(RecordId(*id).to_string(), e.to_string()))
}

/// The envelope of a held record.
pub fn envelope(txn: &ReadTransaction, id: &RecordId) -> Result<Option<Vec<u8>>, Error> {
    let ids = txn.open_table(IDS).map_err(dberr)?;
    let Some(ts) = ids.get(id.0).map_err(dberr)?.map(|v| v.value()) else {
        return Ok(None);
    };
    let envelopes = txn.open_table(ENVELOPES).map_err(dberr)?;
    match envelopes.get((ts, id.0)).map_err(dberr)? {
        Some(v) => Ok(Some(unpack(v.value())?.into_owned())),
        None => Ok(None),
    }
}

/// The held record with this id.
pub fn get(txn: &ReadTransaction, id: &RecordId) -> Result<Option<Record>, Error> {
    load(txn, &id.0)
}

/// The author's name from its newest profile.
pub fn author_name(txn: &ReadTransaction, author: &AuthorId) -> Result<Option<String>, Error> {
    let profiles = txn.open_table(PROFILES).map_err(dberr)?;
    let Some(entry) = profiles.get(author.0).map_err(dberr)? else {
        return Ok(None);
    };
    let (_, id) = entry.value();
    Ok(load(txn, &id)?.and_then(|r| match &r.body().content {
        Content::Profile(p) => Some(p.name.clone()),
        _ => None,
    }))
}

/// Finds the one record (held, or retracted) whose id starts with `prefix`.
pub fn resolve(txn: &ReadTransaction, prefix: &IdPrefix) -> Result<RecordId, Error> {
    let start = pad(prefix.leading_bytes(), 0x00);
    let mut found: Vec<Id> = Vec::new();
    let ids = txn.open_table(IDS).map_err(dberr)?;
    for entry in ids.range(start..).map_err(dberr)? {
        let (k, _) = entry.map_err(dberr)?;
        let k = k.value();
        if !prefix.matches(&k) {
            break;
        }
        found.push(k);
        if found.len() > 1 {
            break;
        }
    }
    let retracted = txn.open_table(RETRACTED).map_err(dberr)?;
    for entry in retracted.range((start, [0u8; 32])..).map_err(dberr)? {
        let (k, _) = entry.map_err(dberr)?;
        let (target, _) = k.value();
        if !prefix.matches(&target) {
            break;
        }
        if !found.contains(&target) {
            found.push(target);
        }
        if found.len() > 1 {
            break;
        }
    }
    match found.as_slice() {
        [one] => Ok(RecordId(*one)),
        [] => Err(Error::NotFound(prefix.to_string())),
        _ => Err(Error::Ambiguous {
            prefix: prefix.to_string(),
            count: found.len(),
        }),
    }
}

fn pad(mut bytes: Vec<u8>, fill: u8) -> Id {
    bytes.resize(32, fill);
    let mut id = [0u8; 32];
    id.copy_from_slice(&bytes[..32]);
    id
}

/// Who is looking, and when: what author markers and expiry depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    /// This node's own author key (`you`).
    pub me: AuthorId,
    /// The clock, ms since the Unix epoch.
    pub now: u64,
}

/// Reads what a viewer sees in one read transaction, remembering each author's view.
pub struct Lens<'a> {
    txn: &'a ReadTransaction,
    viewer: Viewer,
    /// author → (status, local name), and the name key of every local name.
    partners: HashMap<AuthorId, (u8, String)>,
    local_keys: Vec<(String, AuthorId)>,
    views: HashMap<AuthorId, AuthorView>,
}

impl std::fmt::Debug for Lens<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lens")
            .field("viewer", &self.viewer)
            .finish()
    }
}

impl<'a> Lens<'a> {
    /// A lens over `txn` for `viewer`.
    pub fn new(txn: &'a ReadTransaction, viewer: Viewer) -> Result<Lens<'a>, Error> {
        let mut partners_map = HashMap::new();
        let mut local_keys = Vec::new();
        for (author, status, name) in partners(txn)? {
            if !name.is_empty() {
                local_keys.push((display::name_key(&name), author));
            }
            partners_map.insert(author, (status, name));
        }
        Ok(Lens {
            txn,
            viewer,
            partners: partners_map,
            local_keys,
            views: HashMap::new(),
        })
    }

    /// The viewer.
    pub fn viewer(&self) -> Viewer {
        self.viewer
    }

    /// How this node shows `author`.
    pub fn author(&mut self, author: &AuthorId) -> Result<AuthorView, Error> {
        if let Some(v) = self.views.get(author) {
            return Ok(v.clone());
        }
        let claimed = author_name(self.txn, author)?;
        let (status, local) = match self.partners.get(author) {
            Some((s, n)) => (Some(*s), Some(n.clone())),
            None => (None, None),
        };
        let vouchers = vouchers(self.txn, author)?;
        let trust = if *author == self.viewer.me {
            Trust::You
        } else if status == Some(PARTNER) {
            Trust::Partner
        } else if status == Some(BLOCKED) {
            Trust::Blocked
        } else if vouchers > 0 {
            Trust::Vouched
        } else {
            Trust::Unverified
        };
        let mut keys: Vec<String> = Vec::new();
        for n in claimed.iter().chain(local.iter()) {
            if !n.is_empty() {
                keys.push(display::name_key(n));
            }
        }
        let mut same: Vec<AuthorId> = Vec::new();
        let names = self.txn.open_table(NAMES).map_err(dberr)?;
        for key in &keys {
            for entry in names
                .range((key.as_str(), [0u8; 32])..=(key.as_str(), [0xff; 32]))
                .map_err(dberr)?
            {
                let (k, _) = entry.map_err(dberr)?;
                let other = AuthorId(k.value().1);
                if other != *author && !same.contains(&other) {
                    same.push(other);
                }
            }
            for (local_key, other) in &self.local_keys {
                if local_key == key && other != author && !same.contains(other) {
                    same.push(*other);
                }
            }
        }
        same.sort();
        let view = AuthorView::new(author, trust, local, claimed, vouchers, same);
        self.views.insert(*author, view.clone());
        Ok(view)
    }

    /// The JSON form of a held record, with its author's view, co-signature counts and markers.
    pub fn info(&mut self, record: &Record) -> Result<RecordInfo, Error> {
        let mut info = RecordInfo::from_record(record);
        let b = record.body();
        info.author_name = author_name(self.txn, &b.author)?;
        info.author_info = Some(self.author(&b.author)?);
        let (current, earlier) = self.cosigners(record)?;
        let mut counts = CosignCounts {
            earlier: earlier.len() as u64,
            ..CosignCounts::default()
        };
        for c in &current {
            match c.author_info.as_ref().map(|v| v.trust) {
                Some(Trust::You | Trust::Partner) => counts.partners += 1,
                _ => counts.others += 1,
            }
        }
        info.endorsements = current.len() as u64;
        info.cosigned = Some(counts);
        info.expired = is_expired(record, self.viewer.now);
        if let Content::Campaign(c) = &b.content {
            info.ended = c.ends.is_some_and(|e| e < self.viewer.now);
        }
        Ok(info)
    }

    /// The endorsements of `target` by organisation: the newest one of each author other than
    /// the target's own.
    fn endorsers_of(
        &mut self,
        target: &Id,
        target_author: &AuthorId,
    ) -> Result<BTreeMap<AuthorId, Record>, Error> {
        let endorsements = self.txn.open_table(ENDORSEMENTS).map_err(dberr)?;
        let mut by_author: BTreeMap<AuthorId, Record> = BTreeMap::new();
        for entry in endorsements
            .range((*target, [0u8; 32])..=(*target, [0xff; 32]))
            .map_err(dberr)?
        {
            let (k, _) = entry.map_err(dberr)?;
            let (_, eid) = k.value();
            let Some(e) = load(self.txn, &eid)? else {
                continue;
            };
            let who = e.body().author;
            if who == *target_author {
                continue;
            }
            let newer = by_author
                .get(&who)
                .is_none_or(|old| (e.body().ts, e.id()) > (old.body().ts, old.id()));
            if newer {
                by_author.insert(who, e);
            }
        }
        Ok(by_author)
    }

    fn cosigner(&mut self, e: &Record, version: RecordId) -> Result<Cosigner, Error> {
        let statement = match &e.body().content {
            Content::Endorsement(en) => en.statement.clone(),
            _ => None,
        };
        Ok(Cosigner {
            id: e.id(),
            author: e.body().author,
            author_name: author_name(self.txn, &e.body().author)?,
            statement,
            ts: e.body().ts,
            version,
            author_info: Some(self.author(&e.body().author)?),
        })
    }

    /// Co-signers of this version (one per organisation, partners first, then by time), and
    /// those who co-signed only earlier versions (newest version first).
    pub fn cosigners(&mut self, record: &Record) -> Result<(Vec<Cosigner>, Vec<Cosigner>), Error> {
        let author = record.body().author;
        let mut current = Vec::new();
        let mut seen: HashSet<AuthorId> = HashSet::new();
        for (who, e) in self.endorsers_of(&record.id().0, &author)? {
            seen.insert(who);
            current.push(self.cosigner(&e, record.id())?);
        }
        let rank = |c: &Cosigner| match c.author_info.as_ref().map(|v| v.trust) {
            Some(Trust::You) => 0,
            Some(Trust::Partner) => 1,
            _ => 2,
        };
        current.sort_by_key(|c| (rank(c), c.ts, c.id));
        let mut earlier = Vec::new();
        let mut next = record.body().supersedes;
        let mut visited: HashSet<RecordId> = HashSet::new();
        while let Some(prev) = next {
            if !visited.insert(prev) || visited.len() > MAX_CHAIN {
                break;
            }
            let mut found: Vec<Cosigner> = Vec::new();
            for (who, e) in self.endorsers_of(&prev.0, &author)? {
                if seen.insert(who) {
                    found.push(self.cosigner(&e, prev)?);
                }
            }
            found.sort_by_key(|c| (rank(c), c.ts, c.id));
            earlier.extend(found);
            next = match load(self.txn, &prev.0)? {
                Some(p) if p.body().author == author => p.body().supersedes,
                _ => None,
            };
        }
        Ok((current, earlier))
    }
}

/// Longest version chain walked when looking for earlier versions.
pub const MAX_CHAIN: usize = 1_000;

/// Whether `record`'s `expires` has passed at `now`.
pub fn is_expired(record: &Record, now: u64) -> bool {
    record.body().expires.is_some_and(|e| e <= now)
}

/// The JSON form of a held record as `viewer` sees it.
pub fn info(txn: &ReadTransaction, viewer: Viewer, record: &Record) -> Result<RecordInfo, Error> {
    Lens::new(txn, viewer)?.info(record)
}

/// Everything known about a record: content, tombstone, co-signers, newer and older versions.
pub fn detail(
    txn: &ReadTransaction,
    viewer: Viewer,
    id: &RecordId,
    history: bool,
) -> Result<RecordDetail, Error> {
    let mut lens = Lens::new(txn, viewer)?;
    let record = load(txn, &id.0)?;
    let retracted = txn.open_table(RETRACTED).map_err(dberr)?;
    let mut retracted_by = None;
    for entry in retracted
        .range((id.0, [0u8; 32])..=(id.0, [0xff; 32]))
        .map_err(dberr)?
    {
        let (k, v) = entry.map_err(dberr)?;
        let (_, retractor) = k.value();
        // Only the author's own retraction counts; when the record is gone, it was one.
        if record
            .as_ref()
            .is_none_or(|r| r.body().author.0 == retractor)
        {
            retracted_by = Some(RecordId(v.value()));
        }
    }
    if record.is_none() && retracted_by.is_none() {
        return Err(Error::NotFound(id.to_string()));
    }
    let superseded_by = match &record {
        Some(r) => superseder(txn, r)?,
        None => None,
    };
    let (cosigners, earlier_cosigners) = match &record {
        Some(r) => lens.cosigners(r)?,
        None => (Vec::new(), Vec::new()),
    };
    let mut older = Vec::new();
    if history && let Some(r) = &record {
        let mut next = r.body().supersedes;
        let mut seen = 0;
        while let Some(prev) = next {
            seen += 1;
            if seen > MAX_CHAIN {
                break;
            }
            match load(txn, &prev.0)? {
                Some(p) if p.body().author == r.body().author => {
                    next = p.body().supersedes;
                    older.push(lens.info(&p)?);
                }
                _ => break,
            }
        }
    }
    Ok(RecordDetail {
        record: match &record {
            Some(r) => Some(lens.info(r)?),
            None => None,
        },
        requested: *id,
        retracted_by,
        superseded_by,
        cosigners,
        earlier_cosigners,
        history: older,
    })
}

/// The newest record of the same author that supersedes `record`.
fn superseder(txn: &ReadTransaction, record: &Record) -> Result<Option<RecordId>, Error> {
    newest_superseder(txn, &record.id().0, &record.body().author.0)
}

fn newest_superseder(
    txn: &ReadTransaction,
    old: &Id,
    author: &Id,
) -> Result<Option<RecordId>, Error> {
    let t = txn.open_table(SUPERSEDED).map_err(dberr)?;
    let last = t
        .range((*old, *author, 0u64, [0u8; 32])..=(*old, *author, u64::MAX, [0xff; 32]))
        .map_err(dberr)?
        .next_back();
    match last {
        Some(entry) => {
            let (k, _) = entry.map_err(dberr)?;
            Ok(Some(RecordId(k.value().3)))
        }
        None => Ok(None),
    }
}

/// Whether a listing hides this record: superseded by its author, the losing side of a fork (an
/// older record of the same author that supersedes the same one), or an older profile.
fn hidden(txn: &ReadTransaction, record: &Record) -> Result<bool, Error> {
    if superseder(txn, record)?.is_some() {
        return Ok(true);
    }
    if let Some(old) = record.body().supersedes
        && newest_superseder(txn, &old.0, &record.body().author.0)? != Some(record.id())
    {
        return Ok(true);
    }
    if let Content::Profile(_) = record.body().content {
        let profiles = txn.open_table(PROFILES).map_err(dberr)?;
        let current = profiles
            .get(record.body().author.0)
            .map_err(dberr)?
            .map(|v| v.value().1);
        return Ok(current != Some(record.id().0));
    }
    Ok(false)
}

/// Whether a listing (or a search) with `q` shows `record`: one of `kinds`, by the author and
/// on one of the pillars asked for, not hidden and not expired unless asked.
pub(crate) fn shown(
    txn: &ReadTransaction,
    viewer: Viewer,
    q: &Query,
    kinds: &[Kind],
    record: &Record,
) -> Result<bool, Error> {
    let b = record.body();
    if !kinds.contains(&b.kind()) {
        return Ok(false);
    }
    if let Some(a) = q.author
        && a != b.author
    {
        return Ok(false);
    }
    if !q.pillars.is_empty() && !b.pillars.iter().any(|p| q.pillars.contains(p)) {
        return Ok(false);
    }
    if !q.include_hidden && hidden(txn, record)? {
        return Ok(false);
    }
    if !q.include_expired && is_expired(record, viewer.now) {
        return Ok(false);
    }
    Ok(true)
}

/// Lists records newest first. Picks the narrowest index (author, pillar, kind, time) and
/// filters the rest.
pub fn list(txn: &ReadTransaction, viewer: Viewer, q: &Query) -> Result<Page, Error> {
    let mut lens = Lens::new(txn, viewer)?;
    let limit = q.limit.clamp(1, MAX_LIMIT);
    let kinds: Vec<Kind> = if q.kinds.is_empty() {
        DEFAULT_KINDS.to_vec()
    } else {
        q.kinds.clone()
    };
    let since = q.since.unwrap_or(0);
    // Upper bound, exclusive: (ts, id) of the cursor, or just past `until`.
    let (upper_ts, upper_id, inclusive) = match (q.cursor, q.until) {
        (Some(c), Some(u)) if u < c.ts => (u, [0xff; 32], true),
        (Some(c), _) => (c.ts, c.id.0, false),
        (None, Some(u)) => (u, [0xff; 32], true),
        (None, None) => (u64::MAX, [0xff; 32], true),
    };
    if upper_ts < since {
        return Ok(Page::default());
    }
    let mut ids: Vec<(u64, Id)> = Vec::new();
    let mut page = Page::default();
    // Walks one index newest first, handing (ts, id) to `accept` until it says stop.
    let mut visit = |ts: u64, id: Id| -> Result<bool, Error> {
        let Some(record) = load_at(txn, ts, &id)? else {
            return Ok(true);
        };
        if !shown(txn, viewer, q, &kinds, &record)? {
            return Ok(true);
        }
        ids.push((ts, id));
        page.items.push(lens.info(&record)?);
        Ok(page.items.len() < limit)
    };
    macro_rules! walk {
        ($table:expr, $lo:expr, $hi_excl:expr, $hi_incl:expr, $key:ident => $ts_id:expr) => {{
            let table = txn.open_table($table).map_err(dberr)?;
            let range = if inclusive {
                table.range($lo..=$hi_incl).map_err(dberr)?
            } else {
                table.range($lo..$hi_excl).map_err(dberr)?
            };
            for entry in range.rev() {
                let (k, _) = entry.map_err(dberr)?;
                let $key = k.value();
                let (ts, id) = $ts_id;
                if !visit(ts, id)? {
                    break;
                }
            }
        }};
    }
    if let Some(a) = q.author {
        let a = a.0;
        walk!(BY_AUTHOR, (a, since, [0u8; 32]), (a, upper_ts, upper_id), (a, upper_ts, upper_id), k => (k.1, k.2));
    } else if let [p] = q.pillars.as_slice() {
        let p = p.as_str();
        walk!(BY_PILLAR, (p, since, [0u8; 32]), (p, upper_ts, upper_id), (p, upper_ts, upper_id), k => (k.1, k.2));
    } else if let [k1] = kinds.as_slice() {
        let kname = k1.as_str();
        walk!(BY_KIND, (kname, since, [0u8; 32]), (kname, upper_ts, upper_id), (kname, upper_ts, upper_id), k => (k.1, k.2));
    } else {
        walk!(ENVELOPES, (since, [0u8; 32]), (upper_ts, upper_id), (upper_ts, upper_id), k => (k.0, k.1));
    }
    if page.items.len() == limit
        && let Some(&(ts, id)) = ids.last()
    {
        page.next = Some(Cursor {
            ts,
            id: RecordId(id),
        });
    }
    Ok(page)
}

/// Which of these ids the store holds (`Some(true)`), has a tombstone for from the given author
/// (`Some(false)`), or does not know (`None`).
pub fn presence(
    txn: &ReadTransaction,
    ids: &[(RecordId, AuthorId)],
) -> Result<Vec<Option<bool>>, Error> {
    let held = txn.open_table(IDS).map_err(dberr)?;
    let retracted = txn.open_table(RETRACTED).map_err(dberr)?;
    ids.iter()
        .map(|(id, author)| {
            if held.get(id.0).map_err(dberr)?.is_some() {
                return Ok(Some(true));
            }
            if retracted.get((id.0, author.0)).map_err(dberr)?.is_some() {
                return Ok(Some(false));
            }
            Ok(None)
        })
        .collect()
}

/// Record counts and rejection counters.
pub fn counts(txn: &ReadTransaction) -> Result<Counts, Error> {
    let records = txn.open_table(IDS).map_err(dberr)?;
    let by_kind = txn.open_table(BY_KIND).map_err(dberr)?;
    let mut kinds = BTreeMap::new();
    for k in Kind::ALL {
        let n = by_kind
            .range((k.as_str(), 0, [0u8; 32])..=(k.as_str(), u64::MAX, [0xff; 32]))
            .map_err(dberr)?
            .count() as u64;
        if n > 0 {
            kinds.insert(k.as_str().to_owned(), n);
        }
    }
    let retracted = txn.open_table(RETRACTED).map_err(dberr)?;
    let mut gone = 0;
    for entry in retracted.iter().map_err(dberr)? {
        let (k, _) = entry.map_err(dberr)?;
        if records.get(k.value().0).map_err(dberr)?.is_none() {
            gone += 1;
        }
    }
    let counters = txn.open_table(COUNTERS).map_err(dberr)?;
    let mut rejected = BTreeMap::new();
    for entry in counters.iter().map_err(dberr)? {
        let (k, v) = entry.map_err(dberr)?;
        if let Some(reason) = k.value().strip_prefix("rejected.") {
            rejected.insert(reason.to_owned(), v.value());
        }
    }
    Ok(Counts {
        records: records.len().map_err(dberr)?,
        by_kind: kinds,
        retracted: gone,
        rejected,
        search_index_bytes: super::search::index_bytes(txn)?,
    })
}

/// Calls `f` with every held envelope on any of `pillars` (all when empty), oldest first.
/// Stops early when `f` returns false.
pub fn for_each_envelope(
    txn: &ReadTransaction,
    pillars: &[Pillar],
    mut f: impl FnMut(&[u8]) -> bool,
) -> Result<u64, Error> {
    let envelopes = txn.open_table(ENVELOPES).map_err(dberr)?;
    let mut n = 0;
    for entry in envelopes.iter().map_err(dberr)? {
        let (k, v) = entry.map_err(dberr)?;
        let (_, id) = k.value();
        let bytes = unpack(v.value())?;
        let bytes = bytes.as_ref();
        if !pillars.is_empty() {
            let r = wsf_protocol::decode_trusted(bytes)
                .map_err(|e| Error::Corrupt(RecordId(id).to_string(), e.to_string()))?;
            if !r.body().pillars.iter().any(|p| pillars.contains(p)) {
                continue;
            }
        }
        n += 1;
        if !f(bytes) {
            break;
        }
    }
    Ok(n)
}

/// BLAKE3 over the sorted ids of every held record, then of every tombstone: equal on two
/// stores exactly when they hold the same records and know the same retractions.
pub fn digest(txn: &ReadTransaction) -> Result<String, Error> {
    let mut h = blake3::Hasher::new();
    let ids = txn.open_table(IDS).map_err(dberr)?;
    for entry in ids.iter().map_err(dberr)? {
        let (k, _) = entry.map_err(dberr)?;
        h.update(&k.value());
    }
    h.update(b"tombstones");
    let retracted = txn.open_table(RETRACTED).map_err(dberr)?;
    for entry in retracted.iter().map_err(dberr)? {
        let (k, _) = entry.map_err(dberr)?;
        let (target, author) = k.value();
        h.update(&target);
        h.update(&author);
    }
    Ok(h.finalize().to_hex().to_string())
}

/// The `(ts, id)` of every held record on `pillar`, in order: what sync reconciles.
pub fn pillar_items(
    txn: &ReadTransaction,
    pillar: &Pillar,
    now: u64,
) -> Result<Vec<wsf_protocol::sync::Item>, Error> {
    let expired = expired_ids(txn, now)?;
    let t = txn.open_table(BY_PILLAR).map_err(dberr)?;
    let p = pillar.as_str();
    let mut out = Vec::new();
    for entry in t
        .range((p, 0u64, [0u8; 32])..=(p, u64::MAX, [0xff; 32]))
        .map_err(dberr)?
    {
        let (k, _) = entry.map_err(dberr)?;
        let (_, ts, id) = k.value();
        if !expired.contains(&id) {
            out.push(wsf_protocol::sync::Item { ts, id });
        }
    }
    Ok(out)
}

/// The ids of held records whose `expires` is at or before `now`.
pub fn expired_ids(txn: &ReadTransaction, now: u64) -> Result<HashSet<Id>, Error> {
    let t = txn.open_table(EXPIRIES).map_err(dberr)?;
    let mut out = HashSet::new();
    for entry in t
        .range((0u64, [0u8; 32])..=(now, [0xff; 32]))
        .map_err(dberr)?
    {
        let (k, _) = entry.map_err(dberr)?;
        out.insert(k.value().1);
    }
    Ok(out)
}

/// Every pillar some held record is on, in order.
pub fn held_pillars(txn: &ReadTransaction) -> Result<Vec<Pillar>, Error> {
    let t = txn.open_table(BY_PILLAR).map_err(dberr)?;
    let mut out: Vec<Pillar> = Vec::new();
    let mut from = String::new();
    loop {
        let next = {
            let mut range = t.range((from.as_str(), 0u64, [0u8; 32])..).map_err(dberr)?;
            match range.next() {
                Some(entry) => {
                    let (k, _) = entry.map_err(dberr)?;
                    Some(k.value().0.to_owned())
                }
                None => None,
            }
        };
        let Some(slug) = next else { break };
        if let Ok(p) = Pillar::new(&slug) {
            out.push(p);
        }
        // The smallest string greater than every key starting with `slug`'s entries.
        from = format!("{slug}\0");
    }
    Ok(out)
}

/// Finds an author from what a person typed: a full key in hex, a unique prefix of a known
/// author's key (at least 4 hex characters), or a partner's local name (case and confusables
/// ignored).
pub fn resolve_author(txn: &ReadTransaction, text: &str) -> Result<AuthorId, Error> {
    let text = text.trim();
    if let Ok(a) = text.parse::<AuthorId>() {
        return Ok(a);
    }
    let key = display::name_key(text);
    let named: Vec<AuthorId> = partners(txn)?
        .into_iter()
        .filter(|(_, _, n)| !n.is_empty() && display::name_key(n) == key)
        .map(|(a, _, _)| a)
        .collect();
    if let [one] = named.as_slice() {
        return Ok(*one);
    }
    let hex = text.to_ascii_lowercase();
    if hex.len() < 4 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::NotFound(format!(
            "{text:?}: not a partner's name, nor an author key or key prefix (4 or more hex characters)"
        )));
    }
    let mut found: Vec<AuthorId> = Vec::new();
    let consider = |a: AuthorId, found: &mut Vec<AuthorId>| {
        if a.to_string().starts_with(&hex) && !found.contains(&a) {
            found.push(a);
        }
    };
    for (a, _, _) in partners(txn)? {
        consider(a, &mut found);
    }
    let prefix = wsf_protocol::hex::decode(&hex[..hex.len() & !1]).unwrap_or_default();
    let start = pad(prefix, 0x00);
    let by_author = txn.open_table(BY_AUTHOR).map_err(dberr)?;
    let mut from = (start, 0u64, [0u8; 32]);
    loop {
        let next = match by_author.range(from..).map_err(dberr)?.next() {
            Some(entry) => {
                let (k, _) = entry.map_err(dberr)?;
                k.value().0
            }
            None => break,
        };
        let a = AuthorId(next);
        if !a.to_string().starts_with(&hex[..hex.len() & !1]) {
            break;
        }
        consider(a, &mut found);
        if found.len() > 1 {
            break;
        }
        // Every key of this author sorts before this one (no record has ts u64::MAX).
        from = (next, u64::MAX, [0xff; 32]);
    }
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::NotFound(format!(
            "no known author's key starts with {hex}"
        ))),
        _ => Err(Error::Ambiguous {
            prefix: hex,
            count: found.len(),
        }),
    }
}

/// The envelopes of the records on `pillar` matching `(ts, id prefix)`, up to `max_bytes` in all.
pub fn envelopes_by_short(
    txn: &ReadTransaction,
    pillar: &Pillar,
    wanted: &[wsf_protocol::sync::Short],
    max_bytes: usize,
) -> Result<Vec<Vec<u8>>, Error> {
    let t = txn.open_table(BY_PILLAR).map_err(dberr)?;
    let envelopes = txn.open_table(ENVELOPES).map_err(dberr)?;
    let p = pillar.as_str();
    let mut out = Vec::new();
    let mut bytes = 0;
    'wanted: for s in wanted {
        let mut lo = [0u8; 32];
        lo[..s.prefix.len()].copy_from_slice(&s.prefix);
        let mut hi = [0xffu8; 32];
        hi[..s.prefix.len()].copy_from_slice(&s.prefix);
        for entry in t.range((p, s.ts, lo)..=(p, s.ts, hi)).map_err(dberr)? {
            let (k, _) = entry.map_err(dberr)?;
            let (_, ts, id) = k.value();
            if let Some(e) = envelopes.get((ts, id)).map_err(dberr)? {
                let e = unpack(e.value())?.into_owned();
                // Each envelope costs its bytes plus a length prefix of at most 10 bytes; stop
                // before the answer would pass the budget (the rest is fetched next time).
                let cost = e.len() + 10;
                if bytes + cost > max_bytes {
                    break 'wanted;
                }
                bytes += cost;
                out.push(e);
            }
        }
    }
    Ok(out)
}

/// The envelopes of these held records (by full id), in the given order, skipping unknown ones.
pub fn envelopes_of(
    txn: &ReadTransaction,
    items: &[wsf_protocol::sync::Item],
) -> Result<Vec<Vec<u8>>, Error> {
    let envelopes = txn.open_table(ENVELOPES).map_err(dberr)?;
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        if let Some(e) = envelopes.get((it.ts, it.id)).map_err(dberr)? {
            out.push(unpack(e.value())?.into_owned());
        }
    }
    Ok(out)
}

/// An author's partner status on this node and the name given to it.
pub fn partner(txn: &ReadTransaction, author: &AuthorId) -> Result<Option<(u8, String)>, Error> {
    let t = txn.open_table(PARTNERS).map_err(dberr)?;
    Ok(t.get(author.0).map_err(dberr)?.map(|v| {
        let (s, n) = v.value();
        (s, n.to_owned())
    }))
}

/// Every author with a status: (author, status, name).
pub fn partners(txn: &ReadTransaction) -> Result<Vec<(AuthorId, u8, String)>, Error> {
    let t = txn.open_table(PARTNERS).map_err(dberr)?;
    let mut out = Vec::new();
    for e in t.iter().map_err(dberr)? {
        let (k, v) = e.map_err(dberr)?;
        let (s, n) = v.value();
        out.push((AuthorId(k.value()), s, n.to_owned()));
    }
    Ok(out)
}

/// How many of this node's partners co-signed the author's newest profile.
pub fn vouchers(txn: &ReadTransaction, author: &AuthorId) -> Result<u32, Error> {
    let profiles = txn.open_table(PROFILES).map_err(dberr)?;
    let Some(entry) = profiles.get(author.0).map_err(dberr)? else {
        return Ok(0);
    };
    let (_, profile) = entry.value();
    let partners = txn.open_table(PARTNERS).map_err(dberr)?;
    let endorsements = txn.open_table(ENDORSEMENTS).map_err(dberr)?;
    let mut seen = std::collections::HashSet::new();
    for e in endorsements
        .range((profile, [0u8; 32])..=(profile, [0xff; 32]))
        .map_err(dberr)?
    {
        let (_, endorser) = e.map_err(dberr)?;
        let endorser = endorser.value();
        let is_partner = partners
            .get(endorser)
            .map_err(dberr)?
            .is_some_and(|v| v.value().0 == PARTNER);
        if is_partner {
            seen.insert(endorser);
        }
    }
    Ok(seen.len() as u32)
}

/// How many held records of `author` have a `ts` in clock hour `hour` (ms / 3,600,000).
pub fn author_hour_count(
    txn: &ReadTransaction,
    author: &AuthorId,
    hour: u64,
) -> Result<u64, Error> {
    let hours = txn.open_table(AUTHOR_HOURS).map_err(dberr)?;
    Ok(hours
        .get((author.0, hour))
        .map_err(dberr)?
        .map_or(0, |v| v.value()))
}

/// Applies the node's acceptance rules to verified records: blocked authors, the per-author
/// quota (records whose timestamps fall in the same clock hour, counting those held and those
/// earlier in the batch), and under policy `partners` the partner list and web of trust. Profiles are
/// accepted from anyone under `partners` (they are what partners vouch for).
pub fn apply_rules(
    txn: &ReadTransaction,
    rules: &crate::ingest::Rules,
    results: Vec<Result<Record, crate::ingest::Outcome>>,
) -> Result<Vec<Result<Record, crate::ingest::Outcome>>, Error> {
    use crate::ingest::{Outcome, Rejection};
    let hours = txn.open_table(AUTHOR_HOURS).map_err(dberr)?;
    let mut in_batch: std::collections::HashMap<(AuthorId, u64), u64> = Default::default();
    let mut status_cache: std::collections::HashMap<AuthorId, Option<u8>> = Default::default();
    let mut trusted_cache: std::collections::HashMap<AuthorId, bool> = Default::default();
    let mut out = Vec::with_capacity(results.len());
    for r in results {
        let record = match r {
            Ok(record) => record,
            Err(o) => {
                out.push(Err(o));
                continue;
            }
        };
        let b = record.body();
        let author = b.author;
        let reject = |reason| {
            Err(Outcome::Rejected {
                id: Some(record.id()),
                reason,
            })
        };
        let status = match status_cache.get(&author) {
            Some(s) => *s,
            None => {
                let s = partner(txn, &author)?.map(|(s, _)| s);
                status_cache.insert(author, s);
                s
            }
        };
        if status == Some(BLOCKED) {
            out.push(reject(Rejection::Blocked));
            continue;
        }
        if rules.policy == crate::config::Policy::Partners
            && status != Some(PARTNER)
            && b.kind() != Kind::Profile
        {
            let trusted = match trusted_cache.get(&author) {
                Some(t) => *t,
                None => {
                    let t = rules.trust_k > 0 && vouchers(txn, &author)? >= rules.trust_k;
                    trusted_cache.insert(author, t);
                    t
                }
            };
            if !trusted {
                out.push(reject(Rejection::NotPartner));
                continue;
            }
        }
        let hour = b.ts / HOUR_MS;
        let held = hours
            .get((author.0, hour))
            .map_err(dberr)?
            .map_or(0, |v| v.value());
        let batch = in_batch.entry((author, hour)).or_default();
        if held + *batch >= u64::from(rules.quota_per_hour) {
            out.push(reject(Rejection::Quota));
            continue;
        }
        *batch += 1;
        out.push(Ok(record));
    }
    Ok(out)
}

/// Bytes each table takes (keys and values, branch pages and other metadata, fragmentation), by
/// table name; tables not made yet are left out. For `wsf bench ingest`'s breakdown of the store.
pub fn table_bytes(txn: &ReadTransaction) -> Result<Vec<(&'static str, u64)>, Error> {
    fn of<K: redb::Key + 'static, V: redb::Value + 'static>(
        txn: &ReadTransaction,
        def: redb::TableDefinition<K, V>,
        name: &'static str,
        out: &mut Vec<(&'static str, u64)>,
    ) -> Result<(), Error> {
        match txn.open_table(def) {
            Ok(t) => {
                let s = t.stats().map_err(dberr)?;
                out.push((
                    name,
                    s.stored_bytes() + s.metadata_bytes() + s.fragmented_bytes(),
                ));
                Ok(())
            }
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(()),
            Err(e) => Err(dberr(e)),
        }
    }
    let mut out = Vec::new();
    of(txn, ENVELOPES, "envelopes", &mut out)?;
    of(txn, IDS, "ids", &mut out)?;
    of(txn, BY_PILLAR, "by_pillar", &mut out)?;
    of(txn, BY_AUTHOR, "by_author", &mut out)?;
    of(txn, BY_KIND, "by_kind", &mut out)?;
    of(txn, RETRACTED, "retracted", &mut out)?;
    of(txn, ENDORSEMENTS, "endorsements", &mut out)?;
    of(txn, SUPERSEDED, "superseded", &mut out)?;
    of(txn, NAMES, "names", &mut out)?;
    of(txn, EXPIRIES, "expiries", &mut out)?;
    of(txn, PROFILES, "profiles", &mut out)?;
    of(txn, AUTHOR_HOURS, "author_hours", &mut out)?;
    of(txn, PARTNERS, "partners", &mut out)?;
    of(txn, SEARCH, "search", &mut out)?;
    of(txn, COUNTERS, "counters", &mut out)?;
    Ok(out)
}
