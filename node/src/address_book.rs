//! The address book: every peer this node dialled and reached, with the address that worked and
//! when, kept in `<data>/peers.json` (0600; sealed under the data key in an encrypted data
//! dir), so that a restarted node finds its peers again without `--bootstrap`. Entries not
//! reached for [`FORGET_AFTER_MS`] are dropped; at most [`MAX_PEERS`] are kept (the least
//! recently reached go first).
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
/// A peer not reached for this long (30 days) is forgotten.
pub const FORGET_AFTER_MS: u64 = 30 * 86_400_000;
/// A peer reached again at the same address within this time (an hour) is not written again.
const REFRESH_MS: u64 = 3_600_000;
/// The largest file read.
const MAX_BYTES: u64 = 1 << 20;

/// One known peer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Its libp2p peer id.
    pub peer: String,
    /// The address that reached it, with `/p2p/`.
    pub addr: String,
    /// When it was last reached, ms since the Unix epoch.
    pub last: u64,
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
            .filter(|e| now.saturating_sub(e.last) < FORGET_AFTER_MS)
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

/// Notes `peer` reached at `addr` now in `peers` (newest first, bounded); whether it changed.
fn note(peers: &mut Vec<Entry>, peer: &str, addr: &str, now: u64) -> bool {
    let Ok(parsed) = addr.parse::<libp2p::Multiaddr>() else {
        return false;
    };
    let full = match (parsed.iter().last(), peer.parse::<libp2p::PeerId>()) {
        (Some(libp2p::multiaddr::Protocol::P2p(_)), _) => parsed,
        (_, Ok(id)) => parsed.with(libp2p::multiaddr::Protocol::P2p(id)),
        (_, Err(_)) => return false,
    };
    let addr = full.to_string();
    if peers
        .iter()
        .any(|e| e.peer == peer && e.addr == addr && now.saturating_sub(e.last) < REFRESH_MS)
    {
        return false;
    }
    peers.retain(|e| e.peer != peer);
    peers.insert(
        0,
        Entry {
            peer: peer.to_owned(),
            addr,
            last: now,
        },
    );
    peers.truncate(MAX_PEERS);
    true
}

/// Keeps the book up to date from the node's events until `shutdown`: every connection this
/// node dialled notes its peer and address. The file is written off the runtime's threads.
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
        let (peer, address) = match event {
            Ok(NodeEvent::PeerConnected {
                peer,
                address,
                outbound: true,
            }) => (peer, address),
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return,
        };
        if !note(&mut peers, &peer, &address, crate::ingest::now_ms()) {
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
}
