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

/// Sub-ranges a differing range is split into.
pub const BRANCH: usize = 16;
/// A range with at most this many items is sent as a list instead of a fingerprint.
pub const LEAF: usize = 32;
/// Bytes of a fingerprint: a BLAKE3 prefix over the count and the sum of ids. Two sets that
/// differ collide with probability 2^-48 per compared range.
pub const FP_LEN: usize = 6;
/// Bytes of an id sent in lists: with the timestamp, enough to tell apart the records of a range.
pub const PREFIX_LEN: usize = 4;
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

/// Why a sync message could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("message ends early")]
    Truncated,
    #[error("message is {0} bytes, the limit is {MAX_MESSAGE}")]
    TooLarge(usize),
    #[error("unknown sync message version {0}")]
    Version(u8),
    #[error("unknown message type {0}")]
    Type(u8),
    #[error("unknown range mode {0}")]
    Mode(u8),
    #[error("too many ranges or items")]
    TooMany,
    #[error("bad pillar: {0}")]
    Pillar(String),
    #[error("a number is too long")]
    Varint,
    #[error("bytes follow the end of the message")]
    Trailing,
    #[error("bounds go backwards")]
    Order,
}

/// The prefix length that marks the end-of-order bound in a range head.
const END_PREFIX: u8 = 63;

/// Sync protocol version carried in every message.
pub const WIRE_VERSION: u8 = 1;

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

    fn varint(&mut self) -> Result<u64, WireError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
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
        let ts = prev_ts.wrapping_add(r.varint()?);
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
                let w = &why.as_bytes()[..why.len().min(200)];
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
                let mut prev_ts = 0u64;
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
                            return Err(WireError::Order);
                        }
                        let prefix = r.bytes(usize::from(plen))?.to_vec();
                        let ts = prev_ts.checked_add(r.varint()?).ok_or(WireError::Order)?;
                        prev_ts = ts;
                        Bound(Some((ts, prefix)))
                    };
                    let mode = match head & 0b11 {
                        0 => Mode::Skip,
                        1 => {
                            let mut fp = [0u8; FP_LEN];
                            fp.copy_from_slice(r.bytes(FP_LEN)?);
                            Mode::Fingerprint(fp)
                        }
                        2 => Mode::List(get_shorts(&mut r, lower_ts)?),
                        3 => {
                            let lacking = get_shorts(&mut r, lower_ts)?;
                            let n = r.count(MAX_MESSAGE)?;
                            let mut wanted = Vec::with_capacity(n);
                            let mut prev = 0u32;
                            for _ in 0..n {
                                let d =
                                    u32::try_from(r.varint()?).map_err(|_| WireError::Varint)?;
                                prev = prev.wrapping_add(d);
                                wanted.push(prev);
                            }
                            Mode::Diff { lacking, wanted }
                        }
                        m => return Err(WireError::Mode(m)),
                    };
                    ranges.push(Range { upper, mode });
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
                let n = r.count(200)?;
                Body::Refused(String::from_utf8_lossy(r.bytes(n)?).into_owned())
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
}
