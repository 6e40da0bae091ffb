//! Catch-up sync: range-based set reconciliation (RBSR) of the records two nodes hold on a pillar,
//! as a sans-IO state machine.
//!
//! Each node orders its records on a pillar by `(ts, id)`. Two nodes exchange *ranges* of that
//! order: for each range, a fingerprint of what they hold in it, or the list of what they hold
//! when it is small. Equal fingerprints end a range; different ones are split into [`BRANCH`]
//! sub-ranges by the side that noticed, until ranges are small enough ([`LEAF`] items) to list.
//! A listed range is answered with the difference. Each message advances one level, so two
//! stores that differ in D records reconcile in O(log N) round trips and O(D · log N) bytes,
//! whatever their size (negentropy, Willow and iroh-docs work the same way).
//!
//! The initiator learns both directions: the records it lacks (`need`, fetched afterwards) and
//! the records the responder lacks (`have`, pushed afterwards). The responder learns nothing it
//! acts on; it answers.
//!
//! Wire format: see `docs/protocol.md`, section 16. Everything here is pure: the node loads the
//! items of a pillar, calls these functions, and sends the bytes.

use crate::NetworkId;

/// Sub-ranges a differing range is split into. 32 rather than 16 since version 2 of the wire
/// format: with 8-byte list entries, a wider tree lists smaller leaves (at N = 100,000 and
/// D = 100: 59 KB in 2 round trips, where 16 gave 74 KB; 8 gave 39 KB but one more round trip).
pub const BRANCH: usize = 32;
/// A range with at most this many items is sent as a list instead of a fingerprint.
pub const LEAF: usize = 32;
/// Bytes of a fingerprint: a BLAKE3 prefix over the count and the sum of ids. Two sets that
/// differ collide with probability 2^-48 per compared range.
pub const FP_LEN: usize = 6;
/// Bytes of an id carried by list and fetch entries. With the timestamp they name a record: 64
/// bits, so shadowing another author's record of the same millisecond takes about 2^64 signing
/// attempts (with 4 bytes, version 1 of the wire format, it took 2^32).
pub const PREFIX_LEN: usize = 8;
/// A message stops growing past this many bytes: the ranges not processed yet are sent back as
/// fingerprints, for the next round.
pub const MESSAGE_BUDGET: usize = 256 * 1024;
/// Largest sync message accepted, in bytes (a request or a response).
pub const MAX_MESSAGE: usize = 4 * 1024 * 1024;
/// Most ranges in one message.
pub const MAX_RANGES: usize = 16_384;
/// A responder holding more than this many items in a listed range splits it into fingerprints
/// instead of answering with one huge difference (a fresh node listing nothing, say).
pub const DIFF_CAP: usize = 4_096;
/// Most envelopes asked for in one fetch request.
pub const FETCH_PAGE: usize = 2_048;

/// One record in the reconciled order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Item {
    pub ts: u64,
    pub id: [u8; 32],
}

impl Item {
    /// The item as lists carry it.
    pub fn short(&self) -> Short {
        let mut p = [0u8; PREFIX_LEN];
        p.copy_from_slice(&self.id[..PREFIX_LEN]);
        Short {
            ts: self.ts,
            prefix: p,
        }
    }
}

/// An item as lists carry it: its timestamp and the first bytes of its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Short {
    pub ts: u64,
    pub prefix: [u8; PREFIX_LEN],
}

/// The exclusive upper end of a range: items `(ts, id)` below `(ts, prefix ‖ 0…)` are in it.
/// `None` is the end of the order (past every item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound(pub Option<(u64, Vec<u8>)>);

impl Bound {
    /// The end of the order.
    pub const END: Bound = Bound(None);

    /// Whether `item` sorts below this bound.
    pub fn above(&self, item: &Item) -> bool {
        match &self.0 {
            None => true,
            Some((ts, prefix)) => match item.ts.cmp(ts) {
                std::cmp::Ordering::Less => true,
                std::cmp::Ordering::Greater => false,
                std::cmp::Ordering::Equal => {
                    let n = prefix.len().min(32);
                    let mut padded = [0u8; 32];
                    padded[..n].copy_from_slice(&prefix[..n]);
                    item.id < padded
                }
            },
        }
    }

    /// The point of the order this bound stands for: its ts and its prefix padded with zeros
    /// to 32 bytes; `None` for the end. Bounds are compared by this point.
    pub fn point(&self) -> Option<(u64, [u8; 32])> {
        self.0.as_ref().map(|(ts, prefix)| {
            let n = prefix.len().min(32);
            let mut padded = [0u8; 32];
            padded[..n].copy_from_slice(&prefix[..n]);
            (*ts, padded)
        })
    }

    /// The shortest bound that puts `prev` below it and `next` above or on it.
    fn between(prev: &Item, next: &Item) -> Bound {
        if prev.ts < next.ts {
            return Bound(Some((next.ts, Vec::new())));
        }
        let common = prev
            .id
            .iter()
            .zip(next.id.iter())
            .take_while(|(a, b)| a == b)
            .count();
        Bound(Some((next.ts, next.id[..(common + 1).min(32)].to_vec())))
    }
}

/// What a range says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Same on both sides, or nothing more to do.
    Skip,
    /// The sender's fingerprint of its items in the range.
    Fingerprint([u8; FP_LEN]),
    /// The sender's items in the range.
    List(Vec<Short>),
    /// The answer to a list: the responder's items the lister lacks, and the positions in the
    /// list of the items the responder lacks.
    Diff {
        lacking: Vec<Short>,
        wanted: Vec<u32>,
    },
}

/// A range of the order and what the sender says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    pub upper: Bound,
    pub mode: Mode,
}

/// The fingerprint of a set of items: BLAKE3 over the count (u64, little-endian) and the sum of
/// the ids read as 256-bit little-endian integers, modulo 2^256; the first [`FP_LEN`] bytes.
pub fn fingerprint(items: &[Item]) -> [u8; FP_LEN] {
    let mut sum = [0u64; 4];
    for it in items {
        let mut carry = 0u128;
        for (i, limb) in sum.iter_mut().enumerate() {
            let mut word = [0u8; 8];
            word.copy_from_slice(&it.id[i * 8..i * 8 + 8]);
            let s = u128::from(*limb) + u128::from(u64::from_le_bytes(word)) + carry;
            *limb = s as u64;
            carry = s >> 64;
        }
    }
    let mut h = blake3::Hasher::new();
    h.update(&(items.len() as u64).to_le_bytes());
    for limb in sum {
        h.update(&limb.to_le_bytes());
    }
    let mut fp = [0u8; FP_LEN];
    fp.copy_from_slice(&h.finalize().as_bytes()[..FP_LEN]);
    fp
}

/// What one side learnt from a message.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Learnt {
    /// Items the other side has and this side lacks.
    pub need: Vec<Short>,
    /// Items this side has and the other side lacks.
    pub have: Vec<Item>,
}

/// Which end of a session this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Initiator,
    Responder,
}

/// The first message of a session: the fingerprint (or list) of everything.
pub fn initiate(items: &[Item]) -> Vec<Range> {
    let mut out = Out::default();
    out.own(items, Bound::END);
    out.ranges
}

/// Collects output ranges, merging consecutive skips.
#[derive(Default)]
struct Out {
    ranges: Vec<Range>,
    bytes: usize,
}

impl Out {
    fn push(&mut self, upper: Bound, mode: Mode) {
        if mode == Mode::Skip
            && let Some(last) = self.ranges.last_mut()
            && last.mode == Mode::Skip
        {
            last.upper = upper;
            return;
        }
        self.bytes += 12
            + match &mode {
                Mode::Skip => 0,
                Mode::Fingerprint(_) => FP_LEN,
                Mode::List(l) => 2 + l.len() * (PREFIX_LEN + 3),
                Mode::Diff { lacking, wanted } => {
                    4 + lacking.len() * (PREFIX_LEN + 3) + wanted.len() * 2
                }
            };
        self.ranges.push(Range { upper, mode });
    }

    /// This side's view of a range: a list when small, else its fingerprint split in
    /// [`BRANCH`] sub-ranges.
    fn own(&mut self, items: &[Item], upper: Bound) {
        if items.len() <= LEAF {
            self.push(upper, Mode::List(items.iter().map(Item::short).collect()));
            return;
        }
        let per = items.len().div_ceil(BRANCH);
        let mut start = 0;
        while start < items.len() {
            let end = (start + per).min(items.len());
            let bound = if end == items.len() {
                upper.clone()
            } else {
                Bound::between(&items[end - 1], &items[end])
            };
            self.push(bound, Mode::Fingerprint(fingerprint(&items[start..end])));
            start = end;
        }
    }

    fn over_budget(&self) -> bool {
        self.bytes > MESSAGE_BUDGET
    }
}

/// Processes a received message against this side's items (sorted by `(ts, id)`): returns the
/// reply (empty when there is nothing left to say) and what this side learnt.
pub fn process(items: &[Item], received: &[Range], role: Role) -> (Vec<Range>, Learnt) {
    let mut out = Out::default();
    let mut learnt = Learnt::default();
    let mut start = 0usize;
    for (done, range) in received.iter().enumerate() {
        let end = start + items[start..].partition_point(|it| range.upper.above(it));
        let mine = &items[start..end];
        start = end;
        // Past the byte budget, or when splitting this range could take the reply past the range
        // limit (each remaining range needs at least one), hand ranges back unprocessed.
        let remaining = received.len() - done;
        if out.over_budget() || out.ranges.len() + BRANCH + remaining >= MAX_RANGES {
            // Past the budget: hand the range back as a fingerprint for the next round.
            out.push(range.upper.clone(), Mode::Fingerprint(fingerprint(mine)));
            continue;
        }
        match &range.mode {
            Mode::Skip => out.push(range.upper.clone(), Mode::Skip),
            Mode::Fingerprint(theirs) => {
                if fingerprint(mine) == *theirs {
                    out.push(range.upper.clone(), Mode::Skip);
                } else {
                    out.own(mine, range.upper.clone());
                }
            }
            Mode::List(_) if role == Role::Responder && mine.len() > DIFF_CAP => {
                out.own(mine, range.upper.clone());
            }
            Mode::List(theirs) => {
                let their_set: std::collections::HashSet<&Short> = theirs.iter().collect();
                let my_shorts: Vec<Short> = mine.iter().map(Item::short).collect();
                let my_set: std::collections::HashSet<&Short> = my_shorts.iter().collect();
                let lacking: Vec<Short> = my_shorts
                    .iter()
                    .filter(|s| !their_set.contains(s))
                    .copied()
                    .collect();
                let wanted: Vec<u32> = theirs
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| !my_set.contains(s))
                    .map(|(i, _)| i as u32)
                    .collect();
                learnt
                    .need
                    .extend(wanted.iter().map(|&i| theirs[i as usize]));
                learnt.have.extend(
                    mine.iter()
                        .filter(|it| !their_set.contains(&it.short()))
                        .copied(),
                );
                match role {
                    Role::Initiator => out.push(range.upper.clone(), Mode::Skip),
                    Role::Responder if lacking.is_empty() && wanted.is_empty() => {
                        out.push(range.upper.clone(), Mode::Skip);
                    }
                    Role::Responder => {
                        out.push(range.upper.clone(), Mode::Diff { lacking, wanted });
                    }
                }
            }
            Mode::Diff { lacking, wanted } => {
                // The answer to our list: we lack `lacking`; they lack our items at `wanted`.
                learnt.need.extend(lacking.iter().copied());
                for &i in wanted {
                    if let Some(it) = mine.get(i as usize) {
                        learnt.have.push(*it);
                    }
                }
                out.push(range.upper.clone(), Mode::Skip);
            }
        }
    }
    if out.ranges.iter().all(|r| r.mode == Mode::Skip) {
        out.ranges.clear();
    }
    (out.ranges, learnt)
}

/// Why a sync message could not be read. Each has a stable code ([`WireError::code`]),
/// listed in `docs/protocol.md` section 16.3.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("message ends early")]
    Truncated,
    #[error("message is {0} bytes, the limit is {MAX_MESSAGE}")]
    TooLarge(usize),
    #[error("unknown sync message version {0} (this node speaks version {WIRE_VERSION})")]
    Version(u8),
    #[error("unknown message type {0}")]
    Type(u8),
    #[error("too many ranges or items")]
    TooMany,
    #[error("bad pillar: {0}")]
    Pillar(String),
    #[error("a number is longer than 10 bytes or past its field's range")]
    Varint,
    #[error("a number is not in its shortest form")]
    NonMinimalVarint,
    #[error("a bound's prefix length is {0} (at most 32, or 63 for the end)")]
    BoundLength(u8),
    #[error("bytes follow the end of the message")]
    Trailing,
    #[error("bounds or indexes do not increase")]
    Order,
    #[error("the last range does not end at the end of the order")]
    NoEnd,
    #[error("the reason of a refusal is not UTF-8")]
    Text,
}

impl WireError {
    /// The stable reason code.
    pub fn code(&self) -> &'static str {
        match self {
            WireError::Truncated => "truncated",
            WireError::TooLarge(_) => "too_large",
            WireError::Version(_) => "unsupported_version",
            WireError::Type(_) => "unknown_type",
            WireError::TooMany => "too_many",
            WireError::Pillar(_) => "bad_pillar",
            WireError::Varint => "bad_varint",
            WireError::NonMinimalVarint => "non_minimal_varint",
            WireError::BoundLength(_) => "bad_bound",
            WireError::Trailing => "trailing_bytes",
            WireError::Order => "out_of_order",
            WireError::NoEnd => "no_end",
            WireError::Text => "bad_text",
        }
    }
}

/// The prefix length that marks the end-of-order bound in a range head.
const END_PREFIX: u8 = 63;

/// Sync wire format version carried in every message. Version 2 carries 8 id bytes per entry
/// (version 1: 4) and goes with the protocol name `/wsf/sync/2`.
pub const WIRE_VERSION: u8 = 2;

/// Longest reason in a refusal, in bytes.
pub const MAX_REASON: usize = 200;

/// A sync request (initiator to responder) or response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub net: NetworkId,
    pub pillar: crate::Pillar,
    pub body: Body,
}

/// The kinds of sync messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// A reconciliation round.
    Reconcile(Vec<Range>),
    /// Ask for the envelopes of these items (request only).
    Fetch(Vec<Short>),
    /// Envelopes: the answer to a fetch, or pushed by the initiator (then answered with an
    /// empty `Envelopes`).
    Envelopes(Vec<Vec<u8>>),
    /// The responder refuses: rate limited, wrong network, busy.
    Refused(String),
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, WireError> {
        let b = *self.buf.get(self.pos).ok_or(WireError::Truncated)?;
        self.pos += 1;
        Ok(b)
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        let end = self.pos.checked_add(n).ok_or(WireError::Truncated)?;
        let out = self.buf.get(self.pos..end).ok_or(WireError::Truncated)?;
        self.pos = end;
        Ok(out)
    }

    /// An unsigned LEB128 number in its shortest form, at most 10 bytes and 2^64 - 1.
    fn varint(&mut self) -> Result<u64, WireError> {
        let mut v = 0u64;
        for i in 0..10 {
            let b = self.byte()?;
            // The tenth byte holds bit 63 only.
            if i == 9 && b > 1 {
                return Err(WireError::Varint);
            }
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                // A last byte of zero after others adds nothing: a longer form than needed.
                if i > 0 && b == 0 {
                    return Err(WireError::NonMinimalVarint);
                }
                return Ok(v);
            }
        }
        Err(WireError::Varint)
    }

    /// A count that cannot ask for more entries than bytes remain (each takes at least one).
    fn count(&mut self, max: usize) -> Result<usize, WireError> {
        let n = self.varint()?;
        let n = usize::try_from(n).map_err(|_| WireError::TooMany)?;
        if n > max || n > self.buf.len() - self.pos {
            return Err(WireError::TooMany);
        }
        Ok(n)
    }
}

fn put_shorts(out: &mut Vec<u8>, items: &[Short], mut prev_ts: u64) {
    put_varint(out, items.len() as u64);
    for s in items {
        put_varint(out, s.ts.wrapping_sub(prev_ts));
        out.extend_from_slice(&s.prefix);
        prev_ts = s.ts;
    }
}

fn get_shorts(r: &mut Reader<'_>, mut prev_ts: u64) -> Result<Vec<Short>, WireError> {
    let n = r.count(MAX_MESSAGE / (PREFIX_LEN + 1))?;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let ts = prev_ts.checked_add(r.varint()?).ok_or(WireError::Order)?;
        let mut prefix = [0u8; PREFIX_LEN];
        prefix.copy_from_slice(r.bytes(PREFIX_LEN)?);
        v.push(Short { ts, prefix });
        prev_ts = ts;
    }
    Ok(v)
}

impl Message {
    /// The message's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![WIRE_VERSION];
        out.extend_from_slice(self.net.as_bytes());
        let p = self.pillar.as_str().as_bytes();
        out.push(p.len() as u8);
        out.extend_from_slice(p);
        match &self.body {
            Body::Reconcile(ranges) => {
                out.push(1);
                put_varint(&mut out, ranges.len() as u64);
                let mut prev_ts = 0u64;
                for r in ranges {
                    let lower_ts = prev_ts;
                    // One byte: the mode in the low 2 bits, the bound's prefix length above
                    // (63: the end of the order).
                    let mode = match &r.mode {
                        Mode::Skip => 0u8,
                        Mode::Fingerprint(_) => 1,
                        Mode::List(_) => 2,
                        Mode::Diff { .. } => 3,
                    };
                    match &r.upper.0 {
                        None => out.push(mode | (END_PREFIX << 2)),
                        Some((ts, prefix)) => {
                            let n = prefix.len().min(32);
                            out.push(mode | ((n as u8) << 2));
                            out.extend_from_slice(&prefix[..n]);
                            put_varint(&mut out, ts.wrapping_sub(prev_ts));
                            prev_ts = *ts;
                        }
                    }
                    match &r.mode {
                        Mode::Skip => {}
                        Mode::Fingerprint(fp) => {
                            out.extend_from_slice(fp);
                        }
                        Mode::List(items) => {
                            put_shorts(&mut out, items, lower_ts);
                        }
                        Mode::Diff { lacking, wanted } => {
                            put_shorts(&mut out, lacking, lower_ts);
                            put_varint(&mut out, wanted.len() as u64);
                            let mut prev = 0u32;
                            for &w in wanted {
                                put_varint(&mut out, u64::from(w.wrapping_sub(prev)));
                                prev = w;
                            }
                        }
                    }
                }
            }
            Body::Fetch(items) => {
                out.push(2);
                put_varint(&mut out, items.len() as u64);
                for s in items {
                    put_varint(&mut out, s.ts);
                    out.extend_from_slice(&s.prefix);
                }
            }
            Body::Envelopes(envs) => {
                out.push(3);
                put_varint(&mut out, envs.len() as u64);
                for e in envs {
                    put_varint(&mut out, e.len() as u64);
                    out.extend_from_slice(e);
                }
            }
            Body::Refused(why) => {
                out.push(4);
                let mut n = why.len().min(MAX_REASON);
                while !why.is_char_boundary(n) {
                    n -= 1;
                }
                let w = &why.as_bytes()[..n];
                put_varint(&mut out, w.len() as u64);
                out.extend_from_slice(w);
            }
        }
        out
    }

    /// Reads a message; never allocates more than the input's size allows.
    pub fn decode(buf: &[u8]) -> Result<Message, WireError> {
        if buf.len() > MAX_MESSAGE {
            return Err(WireError::TooLarge(buf.len()));
        }
        let mut r = Reader { buf, pos: 0 };
        let v = r.byte()?;
        if v != WIRE_VERSION {
            return Err(WireError::Version(v));
        }
        let mut net = [0u8; 16];
        net.copy_from_slice(r.bytes(16)?);
        let plen = usize::from(r.byte()?);
        let pillar_text = std::str::from_utf8(r.bytes(plen)?)
            .map_err(|_| WireError::Pillar("not UTF-8".into()))?;
        let pillar =
            crate::Pillar::new(pillar_text).map_err(|e| WireError::Pillar(e.to_string()))?;
        let body = match r.byte()? {
            1 => {
                let n = r.count(MAX_RANGES)?;
                let mut ranges = Vec::with_capacity(n);
                // The first range starts at the beginning of the order: ts 0, prefix empty.
                let mut prev_ts = 0u64;
                let mut prev_point = (0u64, [0u8; 32]);
                let mut ended = false;
                for _ in 0..n {
                    if ended {
                        return Err(WireError::Order);
                    }
                    let lower_ts = prev_ts;
                    let head = r.byte()?;
                    let plen = head >> 2;
                    let upper = if plen == END_PREFIX {
                        ended = true;
                        Bound::END
                    } else {
                        if plen > 32 {
                            return Err(WireError::BoundLength(plen));
                        }
                        let prefix = r.bytes(usize::from(plen))?.to_vec();
                        let ts = prev_ts.checked_add(r.varint()?).ok_or(WireError::Order)?;
                        let bound = Bound(Some((ts, prefix)));
                        // Every range holds some part of the order: bounds strictly increase.
                        let point = bound.point().ok_or(WireError::Order)?;
                        if point <= prev_point {
                            return Err(WireError::Order);
                        }
                        prev_point = point;
                        prev_ts = ts;
                        bound
                    };
                    let mode = match head & 0b11 {
                        0 => Mode::Skip,
                        1 => {
                            let mut fp = [0u8; FP_LEN];
                            fp.copy_from_slice(r.bytes(FP_LEN)?);
                            Mode::Fingerprint(fp)
                        }
                        2 => Mode::List(get_shorts(&mut r, lower_ts)?),
                        _ => {
                            let lacking = get_shorts(&mut r, lower_ts)?;
                            let n = r.count(MAX_MESSAGE)?;
                            let mut wanted = Vec::with_capacity(n);
                            let mut prev = 0u32;
                            for i in 0..n {
                                let d =
                                    u32::try_from(r.varint()?).map_err(|_| WireError::Varint)?;
                                // Indexes strictly increase: only the first may be 0 from 0.
                                if i > 0 && d == 0 {
                                    return Err(WireError::Order);
                                }
                                prev = prev.checked_add(d).ok_or(WireError::Order)?;
                                wanted.push(prev);
                            }
                            Mode::Diff { lacking, wanted }
                        }
                    };
                    ranges.push(Range { upper, mode });
                }
                // A message that says anything covers the whole order.
                if n > 0 && !ended {
                    return Err(WireError::NoEnd);
                }
                Body::Reconcile(ranges)
            }
            2 => {
                let n = r.count(FETCH_PAGE)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    let ts = r.varint()?;
                    let mut prefix = [0u8; PREFIX_LEN];
                    prefix.copy_from_slice(r.bytes(PREFIX_LEN)?);
                    items.push(Short { ts, prefix });
                }
                Body::Fetch(items)
            }
            3 => {
                let n = r.count(MAX_MESSAGE)?;
                let mut envs = Vec::with_capacity(n.min(4_096));
                for _ in 0..n {
                    let len = r.count(crate::limits::MAX_ENVELOPE)?;
                    envs.push(r.bytes(len)?.to_vec());
                }
                Body::Envelopes(envs)
            }
            4 => {
                let n = r.count(MAX_REASON)?;
                let text = std::str::from_utf8(r.bytes(n)?).map_err(|_| WireError::Text)?;
                Body::Refused(text.to_owned())
            }
            t => return Err(WireError::Type(t)),
        };
        if r.pos != buf.len() {
            return Err(WireError::Trailing);
        }
        Ok(Message {
            net: NetworkId(net),
            pillar,
            body,
        })
    }
}

/// Whether a record envelope lists `pillar` among its `pillars`, read straight from the bytes
/// without checking the record (the record pipeline does that afterwards). `None` when the
/// bytes cannot be read that far: they are no valid record, and the pipeline refuses them.
///
/// Every envelope in an `envelopes` message must be on the message's pillar (section 16.3);
/// this is the cheap test a receiver makes before the pipeline.
pub fn envelope_on_pillar(envelope: &[u8], pillar: &crate::Pillar) -> Option<bool> {
    let mut env = crate::cbor::Items::new(envelope);
    match (env.head()?, env.head()?) {
        ((4, 3), (0, _)) => {}
        _ => return None,
    }
    let body = env.bytes()?;
    let mut it = crate::cbor::Items::new(body);
    let (5, entries) = it.head()? else {
        return None;
    };
    for _ in 0..entries {
        let key = text(&mut it)?;
        if key != "pillars" {
            skip(&mut it, 0)?;
            continue;
        }
        let (4, n) = it.head()? else {
            return None;
        };
        let mut found = false;
        for _ in 0..n {
            found |= text(&mut it)? == pillar.as_str();
        }
        return Some(found);
    }
    Some(false)
}

/// The next item, if it is a text string.
fn text<'a>(it: &mut crate::cbor::Items<'a>) -> Option<&'a str> {
    // A text string has the layout of a byte string with major type 3.
    let (3, len) = it.head()? else {
        return None;
    };
    let bytes = it.take(usize::try_from(len).ok()?)?;
    std::str::from_utf8(bytes).ok()
}

/// Steps over one item (nested at most 8 deep, as in records).
fn skip(it: &mut crate::cbor::Items<'_>, depth: usize) -> Option<()> {
    if depth > 8 {
        return None;
    }
    match it.head()? {
        (0 | 1, _) => {}
        (2 | 3, len) => {
            it.take(usize::try_from(len).ok()?)?;
        }
        (4, n) => {
            for _ in 0..n {
                skip(it, depth + 1)?;
            }
        }
        (5, n) => {
            for _ in 0..n.checked_mul(2)? {
                skip(it, depth + 1)?;
            }
        }
        (6, _) => skip(it, depth + 1)?,
        _ => return None,
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic item set: ids from a counter through BLAKE3, timestamps spread out.
    fn item(i: u64) -> Item {
        Item {
            ts: 1_000 + i * 7 / 3,
            id: *blake3::hash(&i.to_le_bytes()).as_bytes(),
        }
    }

    fn sorted(mut v: Vec<Item>) -> Vec<Item> {
        v.sort();
        v.dedup();
        v
    }

    /// Runs a whole session; returns what the initiator learnt, rounds and bytes.
    fn session(a: &[Item], b: &[Item]) -> (Learnt, usize, usize) {
        let net = NetworkId::public();
        let pillar = crate::Pillar::new("education").expect("slug");
        let wire = |ranges: Vec<Range>| {
            let m = Message {
                net,
                pillar: pillar.clone(),
                body: Body::Reconcile(ranges),
            };
            let bytes = m.encode();
            let back = Message::decode(&bytes).expect("decodes");
            assert_eq!(back, m, "wire round trip");
            match back.body {
                Body::Reconcile(r) => (r, bytes.len()),
                _ => unreachable!(),
            }
        };
        let mut learnt = Learnt::default();
        let (mut msg, mut bytes) = wire(initiate(a));
        let mut rounds = 0;
        loop {
            rounds += 1;
            assert!(rounds < 50, "does not terminate");
            let (reply, _) = process(b, &msg, Role::Responder);
            if reply.is_empty() {
                break;
            }
            let (reply, n) = wire(reply);
            bytes += n;
            let (next, l) = process(a, &reply, Role::Initiator);
            learnt.need.extend(l.need);
            learnt.have.extend(l.have);
            if next.is_empty() {
                break;
            }
            let (next, n) = wire(next);
            bytes += n;
            msg = next;
        }
        (learnt, rounds, bytes)
    }

    fn check(a: Vec<Item>, b: Vec<Item>) -> (usize, usize) {
        let a = sorted(a);
        let b = sorted(b);
        let (learnt, rounds, bytes) = session(&a, &b);
        let mut need: Vec<Short> = b
            .iter()
            .filter(|x| a.binary_search(x).is_err())
            .map(Item::short)
            .collect();
        let mut got_need = learnt.need.clone();
        need.sort();
        got_need.sort();
        got_need.dedup();
        assert_eq!(got_need, need, "the initiator learns exactly what it lacks");
        let mut have: Vec<Item> = a
            .iter()
            .filter(|x| b.binary_search(x).is_err())
            .copied()
            .collect();
        let mut got_have = learnt.have.clone();
        have.sort();
        got_have.sort();
        got_have.dedup();
        assert_eq!(got_have, have, "and exactly what the responder lacks");
        (rounds, bytes)
    }

    #[test]
    fn equal_sets_take_one_round() {
        let a: Vec<Item> = (0..5_000).map(item).collect();
        let (rounds, bytes) = check(a.clone(), a);
        // One round: the initiator's 16 fingerprints all match.
        assert_eq!(rounds, 1);
        assert!(bytes < 400, "{bytes}");
    }

    #[test]
    fn small_and_empty_sets() {
        check(vec![], vec![]);
        check(vec![], (0..10).map(item).collect());
        check((0..10).map(item).collect(), vec![]);
        check(vec![], (0..3_000).map(item).collect());
        check((0..3_000).map(item).collect(), vec![]);
    }

    #[test]
    fn random_differences_always_reconcile() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for case in 0..40 {
            let n = next() % 3_000;
            let common: Vec<Item> = (0..n).map(item).collect();
            let only_a = next() % 60;
            let only_b = next() % 60;
            let mut a = common.clone();
            let mut b = common;
            for i in 0..only_a {
                a.push(item(1_000_000 + case * 1_000 + i));
            }
            for i in 0..only_b {
                b.push(item(2_000_000 + case * 1_000 + i));
            }
            // Same timestamp, different ids: the bounds must split inside one millisecond.
            if case % 3 == 0 {
                let mut x = item(3_000_000 + case);
                x.ts = 1_000;
                a.push(x);
            }
            check(a, b);
        }
    }

    #[test]
    fn cost_grows_with_the_difference_not_the_size() {
        // N common items plus D on each side only, spread evenly through the order.
        let run = |n: u64, d: u64| {
            let total = n + 2 * d;
            let step = total / (2 * d);
            // Position k·step goes to b only when k is even, to a only when k is odd.
            let only = |i: &u64, even: bool| {
                i.is_multiple_of(step) && (i / step).is_multiple_of(2) == even && i / step < 2 * d
            };
            let a: Vec<Item> = (0..total).filter(|i| !only(i, true)).map(item).collect();
            let b: Vec<Item> = (0..total).filter(|i| !only(i, false)).map(item).collect();
            check(a, b)
        };
        let (r_small, b_small) = run(10_000, 100);
        let (r_big, b_big) = run(100_000, 100);
        eprintln!(
            "N=10k D=100: {r_small} rounds {b_small} bytes; N=100k: {r_big} rounds {b_big} bytes"
        );
        assert!(r_big <= 8 && r_small <= 8, "rounds {r_small} {r_big}");
        assert!(b_big <= 64 * 1024, "{b_big} bytes for N=100k, D=100");
        assert!(
            b_big < 2 * b_small,
            "bytes {b_small} → {b_big}: must not grow with N"
        );
    }

    #[test]
    fn garbage_is_refused_without_panicking() {
        let mut seed = 7u64;
        for len in 0..3_000 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            let _ = Message::decode(&bytes);
        }
        // A count larger than the input cannot make the decoder allocate.
        let mut m = vec![WIRE_VERSION];
        m.extend_from_slice(&[0u8; 16]);
        m.push(9);
        m.extend_from_slice(b"education");
        m.push(3);
        m.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert_eq!(Message::decode(&m), Err(WireError::TooMany));
    }

    /// The bytes of a message header (version, public network, pillar `education`) and type.
    fn head(kind: u8) -> Vec<u8> {
        let mut m = vec![WIRE_VERSION];
        m.extend_from_slice(NetworkId::public().as_bytes());
        m.push(9);
        m.extend_from_slice(b"education");
        m.push(kind);
        m
    }

    fn reconcile(ranges: Vec<Range>) -> Vec<u8> {
        Message {
            net: NetworkId::public(),
            pillar: crate::Pillar::new("education").expect("slug"),
            body: Body::Reconcile(ranges),
        }
        .encode()
    }

    fn skip_to(ts: u64, prefix: &[u8]) -> Range {
        Range {
            upper: Bound(Some((ts, prefix.to_vec()))),
            mode: Mode::Skip,
        }
    }

    fn end(mode: Mode) -> Range {
        Range {
            upper: Bound::END,
            mode,
        }
    }

    #[test]
    fn non_minimal_and_overlong_varints_are_refused() {
        // A fetch of one entry whose ts is written in the given bytes.
        let fetch = |ts: &[u8]| {
            let mut m = head(2);
            m.push(1);
            m.extend_from_slice(ts);
            m.extend_from_slice(&[7; PREFIX_LEN]);
            Message::decode(&m)
        };
        assert!(fetch(&[0x05]).is_ok());
        assert!(fetch(&[0x80, 0x01]).is_ok(), "128 in its shortest form");
        // 5 as 0x85 0x00 and 0 as 0x80 0x80 0x00: longer than needed.
        assert_eq!(fetch(&[0x85, 0x00]), Err(WireError::NonMinimalVarint));
        assert_eq!(fetch(&[0x80, 0x80, 0x00]), Err(WireError::NonMinimalVarint));
        assert_eq!(
            WireError::NonMinimalVarint.code(),
            "non_minimal_varint",
            "the code of section 16.3"
        );
        // 2^64 - 1 is ten bytes, the last one 0x01; more does not fit in 64 bits.
        let mut max = vec![0xff; 9];
        max.push(0x01);
        assert_eq!(
            fetch(&max).map(|m| m.body),
            Ok(Body::Fetch(vec![Short {
                ts: u64::MAX,
                prefix: [7; PREFIX_LEN]
            }]))
        );
        let mut over = vec![0xff; 9];
        over.push(0x02);
        assert_eq!(fetch(&over), Err(WireError::Varint));
        let mut eleven = vec![0xff; 10];
        eleven.push(0x00);
        assert_eq!(fetch(&eleven), Err(WireError::Varint));
        // Counts are varints too.
        let mut m = head(2);
        m.extend_from_slice(&[0x80, 0x00]);
        assert_eq!(Message::decode(&m), Err(WireError::NonMinimalVarint));
        // The encoder writes every number in its shortest form.
        for v in [
            0,
            1,
            127,
            128,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            let mut r = Reader { buf: &out, pos: 0 };
            assert_eq!(r.varint(), Ok(v));
            assert_eq!(r.pos, out.len());
        }
    }

    #[test]
    fn bounds_must_increase_and_the_last_must_be_the_end() {
        let decode = |ranges| Message::decode(&reconcile(ranges)).map(|_| ());
        assert_eq!(decode(vec![]), Ok(()), "no ranges: nothing left to say");
        assert_eq!(decode(vec![skip_to(5, &[]), end(Mode::Skip)]), Ok(()));
        // Equal bounds, also when written with different prefixes of the same point.
        assert_eq!(
            decode(vec![skip_to(5, &[]), skip_to(5, &[]), end(Mode::Skip)]),
            Err(WireError::Order)
        );
        assert_eq!(
            decode(vec![
                skip_to(5, &[0xab]),
                skip_to(5, &[0xab, 0]),
                end(Mode::Skip)
            ]),
            Err(WireError::Order)
        );
        // Backwards inside one millisecond.
        assert_eq!(
            decode(vec![
                skip_to(5, &[0xab]),
                skip_to(5, &[0x01]),
                end(Mode::Skip)
            ]),
            Err(WireError::Order)
        );
        // A first range that is empty: its bound is the start of the order.
        assert_eq!(
            decode(vec![skip_to(0, &[0, 0]), end(Mode::Skip)]),
            Err(WireError::Order)
        );
        assert_eq!(decode(vec![skip_to(0, &[1]), end(Mode::Skip)]), Ok(()));
        // The last range must end at END, and nothing may follow END.
        assert_eq!(decode(vec![skip_to(5, &[])]), Err(WireError::NoEnd));
        assert_eq!(
            decode(vec![end(Mode::Skip), skip_to(5, &[])]),
            Err(WireError::Order)
        );
        // A prefix length between 33 and 62.
        let mut m = head(1);
        m.extend_from_slice(&[1, 40 << 2]);
        assert_eq!(Message::decode(&m), Err(WireError::BoundLength(40)));
        assert_eq!(WireError::BoundLength(40).code(), "bad_bound");
        // `wanted` indexes strictly increase.
        let diff = |wanted| {
            decode(vec![end(Mode::Diff {
                lacking: vec![],
                wanted,
            })])
        };
        assert_eq!(diff(vec![0, 3]), Ok(()));
        assert_eq!(diff(vec![3, 3]), Err(WireError::Order));
        assert_eq!(WireError::Order.code(), "out_of_order");
        assert_eq!(WireError::NoEnd.code(), "no_end");
    }

    #[test]
    fn refusals_are_utf8_of_at_most_200_bytes() {
        let long = "é".repeat(150); // 300 bytes
        let m = Message {
            net: NetworkId::public(),
            pillar: crate::Pillar::new("education").expect("slug"),
            body: Body::Refused(long),
        };
        let Ok(Message {
            body: Body::Refused(back),
            ..
        }) = Message::decode(&m.encode())
        else {
            panic!("a refusal decodes");
        };
        assert_eq!(back, "é".repeat(100), "cut at a character boundary");
        let mut bad = head(4);
        bad.extend_from_slice(&[2, 0xc3, 0x28]);
        assert_eq!(Message::decode(&bad), Err(WireError::Text));
        let mut wrong = head(4);
        wrong[0] = 1;
        assert_eq!(Message::decode(&wrong), Err(WireError::Version(1)));
        assert_eq!(WireError::Version(1).code(), "unsupported_version");
        let mut slug = head(4);
        slug[18] = b'E';
        assert!(matches!(Message::decode(&slug), Err(WireError::Pillar(_))));
    }

    #[test]
    fn records_sharing_ts_and_four_id_bytes_are_told_apart() {
        // Each side holds a record the other lacks; the two have the same ts and the same first
        // 7 id bytes (an author who ground 2^32 signatures matches 4 of them). Version 1 of the
        // wire format listed both as the same entry and never exchanged them.
        let common: Vec<Item> = (0..2_000).map(item).collect();
        let mut x = Item {
            ts: common[700].ts,
            id: [0x42; 32],
        };
        let mut y = x;
        x.id[7] = 0x01;
        y.id[7] = 0x02;
        assert_ne!(x.short(), y.short());
        let mut a = common.clone();
        a.push(x);
        let mut b = common;
        b.push(y);
        // `check` asserts that the initiator learns exactly y to fetch and x to push.
        check(a.clone(), b.clone());
        // And in a small range, answered by lists straight away.
        check(vec![x], vec![y]);
        let (learnt, _, _) = session(&sorted(a), &sorted(b));
        assert!(learnt.need.contains(&y.short()));
        assert!(learnt.have.contains(&x));
    }

    #[test]
    fn envelope_pillars_are_read_from_the_bytes() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
        let draft = crate::Draft {
            net: NetworkId::public(),
            ts: 1_767_225_600_000,
            pillars: vec![
                crate::Pillar::new("education").expect("slug"),
                crate::Pillar::new("land-rights").expect("slug"),
            ],
            content: crate::Content::Profile(crate::Profile {
                name: "Girls Learn".into(),
                description: Some("Schools in tents".into()),
                website: None,
                countries: vec![],
                contact: None,
            }),
            expires: None,
            supersedes: None,
            refs: vec![],
        };
        let record = crate::sign(&draft, &key).expect("valid draft");
        let env = record.envelope();
        let on = |slug| envelope_on_pillar(env, &crate::Pillar::new(slug).expect("slug"));
        assert_eq!(on("education"), Some(true));
        assert_eq!(on("land-rights"), Some(true));
        assert_eq!(on("womens-rights"), Some(false));
        // Bytes that are no envelope, or cut short, are left to the record pipeline.
        let edu = crate::Pillar::new("education").expect("slug");
        assert_eq!(envelope_on_pillar(b"garbage", &edu), None);
        for cut in 0..env.len() - 70 {
            assert_ne!(
                envelope_on_pillar(&env[..cut], &edu),
                Some(true),
                "cut {cut}"
            );
        }
    }
}
