//! The membership of this node's closed network (`docs/protocol.md` §17.4–17.6): the signed
//! statements it holds, the state derived from them, the pre-shared keys by epoch, and the key
//! ring the transport reads.
//!
//! Kept in `<data>/members.cbor` (sealed under the data key in an encrypted dir; erased by
//! panic): the network's root, the statements, and the keys of the current and the previous
//! epoch. `network.key` always holds the current key.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use ciborium::Value;
use tokio::sync::watch;
use wsf_protocol::ed25519_dalek::SigningKey;
use wsf_protocol::membership::{self, Act, Body, State, Statement};
use wsf_protocol::{AuthorId, NetworkId};
use zeroize::Zeroizing;

use crate::datadir::DataDir;

/// The file.
pub const FILE: &str = "members.cbor";
/// The role it is sealed under.
pub const ROLE: &str = FILE;
/// The largest file read.
const MAX_BYTES: usize = 64 << 20;
/// The default grace period of a rekey: how long the previous key is still accepted.
pub const DEFAULT_GRACE: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// Membership errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    DataDir(#[from] crate::datadir::Error),
}

/// The keys a node's transport offers and accepts (section 17.1): the current epoch's, and the
/// previous epoch's until the grace period ends.
#[derive(Clone)]
pub struct KeyRing {
    pub current: (u64, Zeroizing<[u8; 32]>),
    /// Epoch, key, and until when it is accepted (ms since the Unix epoch).
    pub previous: Option<(u64, Zeroizing<[u8; 32]>, u64)>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("epoch", &self.current.0)
            .field("previous", &self.previous.as_ref().map(|p| (p.0, p.2)))
            .finish()
    }
}

impl KeyRing {
    /// The keys accepted at `now`: (epoch, key).
    pub fn accepted(&self, now: u64) -> Vec<(u64, [u8; 32])> {
        let mut out = vec![(self.current.0, *self.current.1)];
        if let Some((e, k, until)) = &self.previous
            && now < *until
        {
            out.push((*e, **k));
        }
        out
    }
}

/// What the rest of the node reads: the derived state and whether the network gates.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub root: Option<AuthorId>,
    pub state: State,
    pub gates: bool,
    /// Statements held.
    pub held: usize,
    /// BLAKE3 over the sorted ids of the statements held: equal digests, equal sets.
    pub digest: [u8; 32],
}

impl Snapshot {
    /// Whether a connection with this libp2p peer may stay open.
    pub fn allows(&self, peer: &libp2p::PeerId) -> bool {
        !self.gates || self.state.allows(&peer.to_bytes())
    }
}

struct Inner {
    root: Option<AuthorId>,
    statements: BTreeMap<[u8; 32], Statement>,
    ring: KeyRing,
    /// The rekey statement the current key came from.
    rekey: Option<[u8; 32]>,
    /// The current key as the file holds it (it wins over `network.key` after a crash
    /// between the two writes).
    file_key: Option<[u8; 32]>,
}

/// The membership of one closed network.
pub struct Members {
    data: DataDir,
    net: NetworkId,
    key: SigningKey,
    inner: Mutex<Inner>,
    ring: Arc<RwLock<KeyRing>>,
    snapshot: watch::Sender<Arc<Snapshot>>,
    /// Held from taking the state to writing it, so that saves land in the order of the
    /// states they hold (an older state never overwrites a newer one).
    saving: Mutex<()>,
}

impl std::fmt::Debug for Members {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Members").field("net", &self.net).finish()
    }
}

fn path(data: &DataDir) -> PathBuf {
    data.root().join(FILE)
}

/// Whether a data dir's network predates membership (it has a key but no membership file).
pub fn is_legacy(data: &DataDir) -> bool {
    !path(data).exists()
}

impl Members {
    /// Loads the membership of the data dir's closed network (`key`: its current pre-shared
    /// key). A network made before membership has no file yet: no root, no statements.
    pub fn load(
        data: &DataDir,
        net: NetworkId,
        identity: SigningKey,
        key: [u8; 32],
    ) -> Result<Members, Error> {
        let path = path(data);
        let read_err = |reason: String| Error::Read {
            path: path.clone(),
            reason,
        };
        let mut inner = Inner {
            root: None,
            statements: BTreeMap::new(),
            ring: KeyRing {
                current: (0, Zeroizing::new(key)),
                previous: None,
            },
            rekey: None,
            file_key: None,
        };
        if path.exists() {
            let bytes = match data.data_key()? {
                None => Zeroizing::new(
                    crate::vault::read_bounded(&path, MAX_BYTES as u64)
                        .map_err(|e| read_err(e.to_string()))?,
                ),
                Some(k) => crate::vault::seal::read_sealed(&path, k, ROLE, MAX_BYTES)
                    .map_err(|e| read_err(e.to_string()))?,
            };
            decode_file(&bytes, &net, &mut inner).map_err(read_err)?;
            match inner.file_key.take() {
                Some(k) if k != key => {
                    // A crash between writing the file and network.key: the file is right.
                    inner.ring.current.1 = Zeroizing::new(k);
                    data.replace_network_key(&k)?;
                }
                _ => inner.ring.current.1 = Zeroizing::new(key),
            }
        }
        let members = Members {
            data: data.clone(),
            net,
            key: identity,
            ring: Arc::new(RwLock::new(inner.ring.clone())),
            inner: Mutex::new(inner),
            snapshot: watch::channel(Arc::new(Snapshot::default())).0,
            saving: Mutex::new(()),
        };
        members.refresh();
        Ok(members)
    }

    /// Starts the membership of a network this node founds: it is the root.
    pub fn found(&self, node: Vec<u8>) -> Result<Statement, Error> {
        self.lock().root = Some(self.author());
        self.sign(Act::Found { nodes: vec![node] })
    }

    /// Sets the root and statements a door gave this node when it joined.
    pub fn joined(
        &self,
        root: Option<AuthorId>,
        statements: &[Vec<u8>],
        key: &[u8; 32],
    ) -> Result<(), Error> {
        let (decoded, _) = self.decode_all(statements);
        let mut inner = self.lock();
        inner.ring.current.1 = Zeroizing::new(*key);
        inner.root = root;
        let new = self.insert(&mut inner, decoded).len();
        let state = State::derive(inner.root.as_ref(), inner.statements.values());
        // The door gave the current key: its epoch is the log's.
        inner.ring.current.0 = state.epoch;
        inner.ring.previous = None;
        inner.rekey = state.rekey;
        self.publish_ring(&inner);
        drop(inner);
        self.save()?;
        self.data.replace_network_key(key)?;
        self.refresh();
        tracing::debug!(statements = new, "membership from the door");
        Ok(())
    }

    fn publish_ring(&self, inner: &Inner) {
        match self.ring.write() {
            Ok(mut ring) => *ring = inner.ring.clone(),
            Err(e) => *e.into_inner() = inner.ring.clone(),
        }
    }

    /// Verifies and inserts statements; how many were new, and those (and how many were bad).
    /// Keeps only statements whose signer the network knows (the root, a member or a former
    /// member; anyone's `legacy` claim on a network without a root), judged against what is
    /// held plus what arrives with them: a node outside the network cannot fill the log.
    fn insert(&self, inner: &mut Inner, decoded: Vec<Statement>) -> Vec<Statement> {
        let mut pending: Vec<Statement> = decoded
            .into_iter()
            .filter(|st| !inner.statements.contains_key(&st.id()))
            .collect();
        pending.sort_by_key(|st| (st.body().at, st.id()));
        pending.dedup_by_key(|st| st.id());
        let mut new = Vec::new();
        // Each round may make new signers known (a welcome among the arrivals).
        loop {
            let state = State::derive(inner.root.as_ref(), inner.statements.values());
            let known = |st: &Statement| {
                let by = st.body().by;
                Some(&by) == inner.root.as_ref()
                    || state.members.contains_key(&by)
                    || state.removed.contains_key(&by)
                    || (inner.root.is_none() && matches!(st.body().act, Act::Legacy { .. }))
            };
            let (take, keep): (Vec<Statement>, Vec<Statement>) =
                pending.into_iter().partition(|st| known(st));
            pending = keep;
            if take.is_empty() {
                break;
            }
            for st in take {
                if inner.statements.len() >= membership::MAX_LOG {
                    tracing::warn!("the membership log is full; a statement was dropped");
                    break;
                }
                inner.statements.insert(st.id(), st.clone());
                new.push(st);
            }
        }
        if !pending.is_empty() {
            tracing::debug!(
                dropped = pending.len(),
                "membership statements by signers this node does not know (yet)"
            );
        }
        new
    }

    /// Decodes and verifies statements (outside the lock); those that do not verify are
    /// counted and dropped.
    fn decode_all(&self, items: &[Vec<u8>]) -> (Vec<Statement>, usize) {
        let mut ok = Vec::with_capacity(items.len());
        let mut bad = 0usize;
        for bytes in items {
            match Statement::decode(bytes, &self.net) {
                Ok(st) => ok.push(st),
                Err(e) => {
                    bad += 1;
                    tracing::debug!(error = %e, "a membership statement was refused");
                }
            }
        }
        if bad > 0 {
            tracing::info!(refused = bad, "membership statements refused");
        }
        (ok, bad)
    }

    /// On a network made before membership: records this node's organisation as a member if
    /// it is not one yet (and the network has not been rekeyed since).
    pub fn ensure_legacy(&self, node: Vec<u8>) -> Result<Option<Statement>, Error> {
        let snap = self.snapshot();
        if snap.root.is_some() || snap.state.epoch > 0 {
            return Ok(None);
        }
        let me = self.author();
        if let Some(m) = snap.state.members.get(&me) {
            if m.nodes.contains(&node) {
                return Ok(None);
            }
            // Another node of a legacy member: it cannot be added without a welcome.
            return Ok(None);
        }
        self.sign(Act::Legacy { nodes: vec![node] }).map(Some)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves data that is still consistent (every change
        // is a whole insert); keep going.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn network(&self) -> NetworkId {
        self.net
    }

    /// This organisation.
    pub fn author(&self) -> AuthorId {
        AuthorId::from(&self.key.verifying_key())
    }

    /// The key ring the transport reads (updated in place on a rekey).
    pub fn ring(&self) -> Arc<RwLock<KeyRing>> {
        self.ring.clone()
    }

    /// The current pre-shared key.
    pub fn current_key(&self) -> Zeroizing<[u8; 32]> {
        self.lock().ring.current.1.clone()
    }

    /// The current state.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.borrow().clone()
    }

    /// Changes of the state.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.snapshot.subscribe()
    }

    /// Every statement held, in the order of `(at, id)`.
    pub fn statements(&self) -> Vec<Vec<u8>> {
        let inner = self.lock();
        let mut all: Vec<&Statement> = inner.statements.values().collect();
        all.sort_by_key(|s| (s.body().at, s.id()));
        all.into_iter().map(|s| s.bytes().to_vec()).collect()
    }

    /// Signs a statement as this organisation and keeps it. The caller gossips it.
    pub fn sign(&self, act: Act) -> Result<Statement, Error> {
        let body = Body {
            net: self.net,
            by: self.author(),
            at: crate::ingest::now_ms(),
            act,
        };
        let st = Statement::sign(body, &self.key);
        self.add(&[st.bytes().to_vec()])?;
        if !self.lock().statements.contains_key(&st.id()) {
            return Err(Error::Refused(
                "the statement was not kept (this organisation is not in the network, or its \
                 log is full)"
                    .into(),
            ));
        }
        Ok(st)
    }

    /// Verifies and keeps statements; returns those that were new. Statements that do not
    /// verify are counted and dropped (`tracing`), never kept.
    pub fn add(&self, items: &[Vec<u8>]) -> Result<Vec<Statement>, Error> {
        self.add_counted(items).map(|(new, _)| new)
    }

    /// [`Members::add`], also saying how many of `items` did not verify (verified once).
    pub fn add_counted(&self, items: &[Vec<u8>]) -> Result<(Vec<Statement>, usize), Error> {
        let (decoded, bad) = self.decode_all(items);
        let new = {
            let mut inner = self.lock();
            self.insert(&mut inner, decoded)
        };
        if !new.is_empty() {
            self.refresh();
            self.take_new_key();
            self.save()?;
            self.refresh();
        }
        Ok((new, bad))
    }

    /// Derives the state again and tells the subscribers.
    fn refresh(&self) {
        let inner = self.lock();
        let state = State::derive(inner.root.as_ref(), inner.statements.values());
        let mut h = blake3::Hasher::new();
        for id in inner.statements.keys() {
            h.update(id);
        }
        let snap = Snapshot {
            root: inner.root,
            gates: state.gates(inner.root.as_ref()),
            state,
            held: inner.statements.len(),
            digest: *h.finalize().as_bytes(),
        };
        // Published while the lock is held, so a later state is never overwritten by an
        // earlier one.
        self.snapshot.send_replace(Arc::new(snap));
        drop(inner);
    }

    /// After a rekey this node has not taken yet: opens its sealed key, makes it current and
    /// keeps the old one as the previous key until the grace period ends.
    fn take_new_key(&self) {
        let snap = self.snapshot();
        let epoch = snap.state.epoch;
        let mut inner = self.lock();
        // A newer epoch, or the same epoch made by another rekey than the one this node took
        // (two admins at once: the first in the order wins everywhere).
        let same_epoch_other_rekey = epoch == inner.ring.current.0
            && snap.state.rekey.is_some()
            && snap.state.rekey != inner.rekey;
        if epoch < inner.ring.current.0
            || (epoch == inner.ring.current.0 && !same_epoch_other_rekey)
        {
            return;
        }
        let me = self.author();
        let Some(sealed) = snap.state.boxes.get(&me) else {
            tracing::warn!(
                epoch,
                "the network's key was changed without a copy for this organisation; \
                 ask a member for a new invite"
            );
            return;
        };
        let new = match membership::open_key(&self.net, epoch, &self.key, sealed) {
            Ok(k) => k,
            Err(e) => {
                tracing::warn!(epoch, error = %e, "cannot open this organisation's new network key");
                return;
            }
        };
        let old = std::mem::replace(&mut inner.ring.current, (epoch, new.clone()));
        inner.rekey = snap.state.rekey;
        if !same_epoch_other_rekey {
            // The old key is still accepted only if it was the previous epoch's.
            inner.ring.previous =
                (old.0 + 1 == epoch).then(|| (old.0, old.1, snap.state.previous_until));
        }
        self.publish_ring(&inner);
        drop(inner);
        // members.cbor (which holds the current key too) first, then network.key: a crash in
        // between leaves the file right, and the next start rewrites network.key from it.
        if let Err(e) = self.save() {
            tracing::error!(error = %e, "cannot keep the new network key");
            return;
        }
        if let Err(e) = self.data.replace_network_key(&new) {
            tracing::error!(error = %e, "cannot write the new network key");
            return;
        }
        tracing::info!(epoch, "this node now uses the network's new key");
    }

    /// Makes a new key, sealed to every current member; the previous one stays accepted for
    /// `grace`. Only an admin can.
    pub fn rekey(&self, grace: std::time::Duration) -> Result<Statement, Error> {
        let snap = self.snapshot();
        let me = self.author();
        if !snap.state.members.get(&me).is_some_and(|m| m.admin) {
            return Err(Error::Refused(
                "only the network's admins can change its key".into(),
            ));
        }
        let epoch = snap.state.epoch + 1;
        let new = Zeroizing::new(crate::datadir::random_seed()?);
        let mut keys = Vec::new();
        for member in snap.state.members.keys() {
            let eph = Zeroizing::new(crate::datadir::random_seed()?);
            match membership::seal_key(&self.net, epoch, member, &new, &eph) {
                Ok(sealed) => keys.push((*member, sealed)),
                // Not a valid key: it gets no box (§17.7).
                Err(e) => tracing::warn!(%member, error = %e, "no sealed key for this member"),
            }
        }
        if keys.len() > membership::MAX_KEYS {
            return Err(Error::Refused(format!(
                "a network of more than {} members cannot be rekeyed in one statement",
                membership::MAX_KEYS
            )));
        }
        let until = crate::ingest::now_ms().saturating_add(grace.as_millis() as u64);
        self.sign(Act::Rekey { epoch, until, keys })
    }

    fn save(&self) -> Result<(), Error> {
        let path = path(&self.data);
        let write_err = |reason: String| Error::Write {
            path: path.clone(),
            reason,
        };
        let _order = self.saving.lock().unwrap_or_else(|p| p.into_inner());
        let bytes = {
            let inner = self.lock();
            encode_file(&inner)
        };
        let bytes = match self.data.data_key()? {
            None => bytes,
            Some(key) => Zeroizing::new(
                crate::vault::seal::seal(key, ROLE, &bytes)
                    .map_err(|e| write_err(e.to_string()))?,
            ),
        };
        crate::vault::write_atomic(&path, &bytes).map_err(|e| write_err(e.to_string()))
    }
}

/// `members.cbor`: a CBOR map {"root": bstr 32 (absent on a legacy network), "epoch": uint,
/// "key": bstr 32 (the current key), "rekey": bstr 32 (the rekey it came from, if any),
/// "previous": [epoch, key, until] (absent when none), "statements": [bstr …]}.
fn encode_file(inner: &Inner) -> Zeroizing<Vec<u8>> {
    let mut map = Vec::new();
    if let Some(root) = inner.root {
        map.push((Value::Text("root".into()), Value::Bytes(root.0.to_vec())));
    }
    map.push((
        Value::Text("epoch".into()),
        Value::Integer(inner.ring.current.0.into()),
    ));
    map.push((
        Value::Text("key".into()),
        Value::Bytes(inner.ring.current.1.to_vec()),
    ));
    if let Some(r) = inner.rekey {
        map.push((Value::Text("rekey".into()), Value::Bytes(r.to_vec())));
    }
    if let Some((e, k, until)) = &inner.ring.previous {
        map.push((
            Value::Text("previous".into()),
            Value::Array(vec![
                Value::Integer((*e).into()),
                Value::Bytes(k.to_vec()),
                Value::Integer((*until).into()),
            ]),
        ));
    }
    map.push((
        Value::Text("statements".into()),
        Value::Array(
            inner
                .statements
                .values()
                .map(|s| Value::Bytes(s.bytes().to_vec()))
                .collect(),
        ),
    ));
    Zeroizing::new(wsf_protocol::cbor::encode_owned(Value::Map(map)))
}

fn decode_file(bytes: &[u8], net: &NetworkId, inner: &mut Inner) -> Result<(), String> {
    let value: Value = ciborium::from_reader(bytes).map_err(|e| e.to_string())?;
    let Value::Map(map) = value else {
        return Err("not a map".into());
    };
    for (k, v) in map {
        match (k.as_text(), v) {
            (Some("root"), Value::Bytes(b)) => {
                inner.root = Some(AuthorId(b.try_into().map_err(|_| "root: 32 bytes")?));
            }
            (Some("epoch"), Value::Integer(i)) => {
                inner.ring.current.0 = u64::try_from(i).map_err(|_| "epoch")?;
            }
            (Some("key"), Value::Bytes(b)) => {
                inner.file_key = Some(b.try_into().map_err(|_| "key: 32 bytes")?);
            }
            (Some("rekey"), Value::Bytes(b)) => {
                inner.rekey = Some(b.try_into().map_err(|_| "rekey: 32 bytes")?);
            }
            (Some("previous"), Value::Array(items)) => {
                let [Value::Integer(e), Value::Bytes(k), Value::Integer(u)]: [Value; 3] =
                    items.try_into().map_err(|_| "previous")?
                else {
                    return Err("previous".into());
                };
                let key: [u8; 32] = k.try_into().map_err(|_| "previous key")?;
                inner.ring.previous = Some((
                    u64::try_from(e).map_err(|_| "previous")?,
                    Zeroizing::new(key),
                    u64::try_from(u).map_err(|_| "previous")?,
                ));
            }
            (Some("statements"), Value::Array(items)) => {
                for item in items {
                    let Value::Bytes(b) = item else {
                        return Err("statements: byte strings".into());
                    };
                    // Kept statements were verified once; they are verified again, so a file
                    // edited on disk cannot add one.
                    match Statement::decode(&b, net) {
                        Ok(st) => {
                            inner.statements.insert(st.id(), st);
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "a kept membership statement was dropped")
                        }
                    }
                }
            }
            (key, _) => return Err(format!("unknown or bad entry {key:?}")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> (tempfile::TempDir, DataDir) {
        let t = tempfile::tempdir().expect("tempdir");
        let d = DataDir::new(t.path().join("d"));
        d.create().expect("create");
        (t, d)
    }

    #[test]
    fn a_rekey_reaches_a_member_and_survives_a_restart() {
        let (_t, data_a) = dir();
        let (_u, data_b) = dir();
        let net = NetworkId([5; 16]);
        let (ka, kb) = (
            SigningKey::from_bytes(&[1; 32]),
            SigningKey::from_bytes(&[2; 32]),
        );
        let a = Members::load(&data_a, net, ka.clone(), [9; 32]).expect("a");
        a.found(vec![1]).expect("found");
        a.sign(Act::Welcome {
            member: AuthorId::from(&kb.verifying_key()),
            name: "b".into(),
            nodes: vec![vec![2]],
        })
        .expect("welcome");
        let b = Members::load(&data_b, net, kb.clone(), [9; 32]).expect("b");
        b.joined(Some(a.author()), &a.statements(), &[9; 32])
            .expect("joined");
        assert!(b.snapshot().gates);
        assert!(b.snapshot().state.allows(&[1]));

        let st = a.rekey(std::time::Duration::from_secs(60)).expect("rekey");
        b.add(&[st.bytes().to_vec()]).expect("add");
        let (ra, rb) = (a.ring(), b.ring());
        let (ra, rb) = (ra.read().expect("a"), rb.read().expect("b"));
        assert_eq!(ra.current.0, 1);
        assert_eq!(*ra.current.1, *rb.current.1);
        assert_ne!(*rb.current.1, [9; 32]);
        assert_eq!(rb.accepted(0).len(), 2);
        assert_eq!(data_b.network_key().expect("key"), Some(*rb.current.1));
        drop((ra, rb));
        // Non-admins cannot rekey.
        assert!(b.rekey(std::time::Duration::from_secs(1)).is_err());

        // A stranger's statements (signed, but by nobody the network knows) are not kept.
        let stranger = SigningKey::from_bytes(&[7; 32]);
        let junk: Vec<Vec<u8>> = (0..50)
            .map(|i| {
                Statement::sign(
                    Body {
                        net,
                        by: AuthorId::from(&stranger.verifying_key()),
                        at: i,
                        act: Act::Remove { member: a.author() },
                    },
                    &stranger,
                )
                .bytes()
                .to_vec()
            })
            .collect();
        let held = b.snapshot().held;
        assert!(b.add(&junk).expect("add").is_empty());
        assert_eq!(b.snapshot().held, held);
        assert!(b.snapshot().state.members.contains_key(&a.author()));

        let key = data_b.network_key().expect("key").expect("some");
        let again = Members::load(&data_b, net, kb, key).expect("reload");
        assert_eq!(again.ring().read().expect("ring").current.0, 1);
        assert_eq!(again.snapshot().digest, b.snapshot().digest);
    }
}
