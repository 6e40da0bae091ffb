//! The address book: every peer this node dialled and reached, with the address that worked and
//! when, and every peer it heard of (the addresses connected peers listen on, rendezvous
//! listings) with those addresses and when, kept in `<data>/peers.json` (0600; sealed under the
//! data key in an encrypted data dir), so that a restarted node finds its peers again without
//! `--bootstrap`: it redials each at all its addresses, with backoff. Entries with no news (not
//! reached, not heard of) for [`FORGET_AFTER_MS`] are dropped; at most [`MAX_PEERS`] are kept
//! (peers heard of but never reached go first, then the least recently reached).
//!
//! The file maps who this node talks to; it is sealed like every other file of an encrypted
//! data dir, erased by panic, and stays out of logs.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};
use wsf_protocol::api::NodeEvent;

use crate::datadir::DataDir;

/// The file, in the data dir.
pub const FILE: &str = "peers.json";
/// The role it is sealed under.
pub const ROLE: &str = FILE;
/// Most peers kept.
pub const MAX_PEERS: usize = 256;
/// A peer with no news for this long (30 days) is forgotten.
pub const FORGET_AFTER_MS: u64 = 30 * 86_400_000;
/// A peer reached again at the same address within this time (an hour) is not written again.
const REFRESH_MS: u64 = 3_600_000;
/// Most learned addresses kept per peer.
pub const MAX_ADDRS: usize = 8;
/// The longest address kept.
pub const MAX_ADDR_LEN: usize = 256;
/// The largest file read.
const MAX_BYTES: u64 = 1 << 20;

/// One known peer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Its libp2p peer id.
    pub peer: String,
    /// The address that last reached it, with `/p2p/`; empty if this node never reached it.
    #[serde(default)]
    pub addr: String,
    /// When it was last reached, ms since the Unix epoch; 0: never.
    #[serde(default)]
    pub last: u64,
    /// Addresses it was learned at (identify, rendezvous), with `/p2p/`, newest first, at most
    /// [`MAX_ADDRS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub heard: Vec<String>,
    /// When it was last learned, ms since the Unix epoch; 0: never.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub heard_at: u64,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

impl Entry {
    /// The addresses to dial it at: the one that reached it first, then the learned ones.
    pub fn addresses(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.addr.as_str())
            .filter(|a| !a.is_empty())
            .chain(
                self.heard
                    .iter()
                    .map(String::as_str)
                    .filter(|a| *a != self.addr),
            )
    }

    /// When this node last had news of the peer.
    fn fresh(&self) -> u64 {
        self.last.max(self.heard_at)
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    peers: Vec<Entry>,
}

fn path(data: &DataDir) -> PathBuf {
    data.root().join(FILE)
}

/// The known peers, the forgotten ones left out. A file that cannot be read is reported and
/// treated as empty: the book is a convenience, never a reason not to start.
pub fn load(data: &DataDir, now: u64) -> Vec<Entry> {
    let path = path(data);
    if !path.exists() {
        return Vec::new();
    }
    let bytes = match data.data_key() {
        Ok(None) => crate::vault::read_bounded(&path, MAX_BYTES).map_err(|e| e.to_string()),
        Ok(Some(key)) => crate::vault::seal::read_sealed(&path, key, ROLE, MAX_BYTES as usize)
            .map(|b| b.to_vec())
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let file: Result<File, String> =
        bytes.and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()));
    match file {
        Ok(f) => f
            .peers
            .into_iter()
            .filter(|e| now.saturating_sub(e.fresh()) < FORGET_AFTER_MS)
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the address book {FILE}; starting without it");
            Vec::new()
        }
    }
}

fn save(data: &DataDir, peers: &[Entry]) -> Result<(), String> {
    let file = File {
        peers: peers.to_vec(),
    };
    let text = serde_json::to_vec_pretty(&file).map_err(|e| e.to_string())?;
    let bytes = match data.data_key().map_err(|e| e.to_string())? {
        None => text,
        Some(key) => crate::vault::seal::seal(key, ROLE, &text).map_err(|e| e.to_string())?,
    };
    crate::vault::write_atomic(&path(data), &bytes).map_err(|e| e.to_string())
}

/// `addr` with `/p2p/<peer>` at its end (added if missing); none if either does not parse,
/// or the address names another peer.
fn with_peer(peer: &str, addr: &str) -> Option<String> {
    let parsed = addr.parse::<libp2p::Multiaddr>().ok()?;
    let id = peer.parse::<libp2p::PeerId>().ok()?;
    let full = match parsed.iter().last() {
        Some(libp2p::multiaddr::Protocol::P2p(p)) if p == id => parsed,
        Some(libp2p::multiaddr::Protocol::P2p(_)) => return None,
        _ => parsed.with(libp2p::multiaddr::Protocol::P2p(id)),
    };
    let text = full.to_string();
    (text.len() <= MAX_ADDR_LEN).then_some(text)
}

/// Keeps the entries freshest first (reached peers before peers only heard of) and bounded.
fn order(peers: &mut Vec<Entry>) {
    peers.sort_by_key(|e| std::cmp::Reverse((e.last != 0, e.fresh())));
    peers.truncate(MAX_PEERS);
}

/// Notes `peer` reached at `addr` now in `peers`; whether it changed.
fn note(peers: &mut Vec<Entry>, peer: &str, addr: &str, now: u64) -> bool {
    let Some(addr) = with_peer(peer, addr) else {
        return false;
    };
    match peers.iter_mut().find(|e| e.peer == peer) {
        Some(e) if e.addr == addr && now.saturating_sub(e.last) < REFRESH_MS => return false,
        Some(e) => {
            e.addr = addr;
            e.last = now;
        }
        None => peers.push(Entry {
            peer: peer.to_owned(),
            addr,
            last: now,
            heard: Vec::new(),
            heard_at: 0,
        }),
    }
    order(peers);
    true
}

/// Notes that `peer` was heard of at `addrs` now; whether it changed (a new address, or the
/// last news an hour old).
fn learn(peers: &mut Vec<Entry>, peer: &str, addrs: &[String], now: u64) -> bool {
    let addrs: Vec<String> = addrs
        .iter()
        .filter_map(|a| with_peer(peer, a))
        .take(MAX_ADDRS)
        .collect();
    if addrs.is_empty() {
        return false;
    }
    let entry = match peers.iter().position(|e| e.peer == peer) {
        Some(i) => &mut peers[i],
        None => {
            peers.push(Entry {
                peer: peer.to_owned(),
                addr: String::new(),
                last: 0,
                heard: Vec::new(),
                heard_at: 0,
            });
            let last = peers.len() - 1;
            &mut peers[last]
        }
    };
    let new = addrs.iter().any(|a| !entry.heard.contains(a));
    if !new && now.saturating_sub(entry.heard_at) < REFRESH_MS {
        return false;
    }
    let mut heard = addrs;
    for a in std::mem::take(&mut entry.heard) {
        if !heard.contains(&a) {
            heard.push(a);
        }
    }
    heard.truncate(MAX_ADDRS);
    entry.heard = heard;
    entry.heard_at = now;
    order(peers);
    true
}

/// Keeps the book up to date from the node's events until `shutdown`: every connection this
/// node dialled notes its peer and address as reached; addresses learned from identify and
/// rendezvous are kept beside it. The file is written off the runtime's threads.
pub async fn run(
    data: DataDir,
    mut peers: Vec<Entry>,
    mut events: broadcast::Receiver<NodeEvent>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let event = tokio::select! {
            e = events.recv() => e,
            _ = shutdown.wait_for(|v| *v) => return,
        };
        let now = crate::ingest::now_ms();
        let changed = match event {
            Ok(NodeEvent::PeerConnected {
                peer,
                address,
                outbound: true,
            }) => note(&mut peers, &peer, &address, now),
            Ok(NodeEvent::PeerLearned {
                peer, addresses, ..
            }) => learn(&mut peers, &peer, &addresses, now),
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return,
        };
        if !changed {
            continue;
        }
        let (data, snapshot) = (data.clone(), peers.clone());
        match tokio::task::spawn_blocking(move || save(&data, &snapshot)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot write the address book"),
            Err(e) => tracing::warn!(error = %e, "cannot write the address book"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEER: &str = "12D3KooWGzBd4LQbRyGvYtHhMkJ3ptW2Js4Ahp9HmrYRHWsvx9Tr";

    #[test]
    fn peers_are_noted_newest_first_and_forgotten_after_a_month() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = DataDir::new(dir.path().to_owned());
        data.create().expect("create");
        let mut peers = Vec::new();
        assert!(note(&mut peers, PEER, "/ip4/192.0.2.1/tcp/7654", 1_000));
        assert_eq!(peers[0].addr, format!("/ip4/192.0.2.1/tcp/7654/p2p/{PEER}"));
        // Reached again soon at the same address: nothing to write.
        assert!(!note(&mut peers, PEER, "/ip4/192.0.2.1/tcp/7654", 1_500));
        // The same peer at a new address replaces the old entry.
        assert!(note(&mut peers, PEER, "/ip4/192.0.2.2/tcp/7654", 2_000));
        assert_eq!(peers.len(), 1);
        assert!(!note(
            &mut peers,
            "not a peer id",
            "/ip4/192.0.2.3/tcp/1",
            3_000
        ));
        assert!(!note(&mut peers, PEER, "not an address", 3_000));
        save(&data, &peers).expect("save");
        assert_eq!(load(&data, 2_000 + FORGET_AFTER_MS - 1), peers);
        assert!(load(&data, 2_000 + FORGET_AFTER_MS).is_empty());
        // A damaged file is reported and ignored.
        std::fs::write(dir.path().join(FILE), b"{").expect("damage");
        assert!(load(&data, 2_000).is_empty());
    }

    #[test]
    fn peers_heard_of_are_kept_with_their_addresses_and_dialled_after_reached_ones() {
        const OTHER: &str = "12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5STiGwxBhgFRcw3UERE";
        let mut peers = Vec::new();
        let heard = [
            "/ip4/192.0.2.9/tcp/1".to_owned(),
            format!("/ip4/192.0.2.1/tcp/7/p2p/{OTHER}/p2p-circuit/p2p/{PEER}"),
            // Names another peer: not an address of this one.
            format!("/ip4/192.0.2.3/tcp/1/p2p/{OTHER}"),
            "garbage".to_owned(),
        ];
        assert!(learn(&mut peers, PEER, &heard, 1_000));
        assert_eq!(peers.len(), 1);
        assert_eq!(peers[0].last, 0);
        assert_eq!(
            peers[0].addresses().collect::<Vec<_>>(),
            [
                format!("/ip4/192.0.2.9/tcp/1/p2p/{PEER}"),
                format!("/ip4/192.0.2.1/tcp/7/p2p/{OTHER}/p2p-circuit/p2p/{PEER}"),
            ]
        );
        // Heard again soon with nothing new: nothing to write; later: the news is dated.
        assert!(!learn(&mut peers, PEER, &heard[..1], 2_000));
        assert!(learn(&mut peers, PEER, &heard[..1], 2_000 + REFRESH_MS));
        // Reached peers come first; the address that reached it is dialled first.
        assert!(note(&mut peers, OTHER, "/ip4/192.0.2.3/tcp/1", 500));
        assert_eq!(peers[0].peer, OTHER);
        assert!(note(&mut peers, PEER, "/ip4/192.0.2.1/tcp/7", 9_000_000));
        assert_eq!(peers[0].peer, PEER);
        assert_eq!(
            peers[0].addresses().next(),
            Some(format!("/ip4/192.0.2.1/tcp/7/p2p/{PEER}").as_str())
        );
        assert_eq!(peers[0].addresses().count(), 3);
        // At most MAX_ADDRS addresses are kept, newest first.
        let many: Vec<String> = (0..20).map(|i| format!("/ip4/10.0.0.{i}/tcp/1")).collect();
        assert!(learn(&mut peers, PEER, &many, 9_000_001));
        let e = peers.iter().find(|e| e.peer == PEER).expect("entry");
        assert_eq!(e.heard.len(), MAX_ADDRS);
        assert_eq!(e.heard[0], format!("/ip4/10.0.0.0/tcp/1/p2p/{PEER}"));
        // A peer only heard of is forgotten a month after the last news.
        let dir = tempfile::tempdir().expect("tempdir");
        let data = DataDir::new(dir.path().to_owned());
        data.create().expect("create");
        let mut only_heard = Vec::new();
        assert!(learn(&mut only_heard, PEER, &heard, 1_000));
        save(&data, &only_heard).expect("save");
        assert_eq!(load(&data, 1_000 + FORGET_AFTER_MS - 1), only_heard);
        assert!(load(&data, 1_000 + FORGET_AFTER_MS).is_empty());
    }
}
