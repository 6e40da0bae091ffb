//! The closed network's transport guard (`docs/protocol.md` §17.1): before libp2p's private
//! network handshake, each side says which pre-shared key it uses without revealing it, so that
//! two nodes agree on a key while a rekey's grace period runs (one side may have the new key
//! and the other not yet).
//!
//! Each side sends a random 16-byte salt and the 16-byte tag of its current key over that salt
//! (`membership::key_tag`), then reads the other's. A side that recognises the other's tag as
//! one of the keys it accepts (its current key, and the previous one until the grace period
//! ends) uses the older of that key and its own; otherwise it uses its own. Both sides reach
//! the same key whenever one of them still accepts the other's; when neither does, the pnet
//! handshake that follows fails and the connection closes. Then the standard pnet handshake
//! runs with the chosen key.

use std::sync::{Arc, RwLock};

use libp2p::futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::pnet::{PnetConfig, PnetError, PnetOutput, PreSharedKey};
use wsf_protocol::membership::key_tag;

use crate::members::KeyRing;

/// Salt, then tag.
pub const HELLO_LEN: usize = 32;

/// The key both sides will use: `own` is (epoch, key) offered; `accepted` what this side takes;
/// `peer_salt` and `peer_tag` what the other side sent.
pub fn choose(
    own: (u64, [u8; 32]),
    accepted: &[(u64, [u8; 32])],
    peer_salt: &[u8; 16],
    peer_tag: &[u8; 16],
) -> [u8; 32] {
    match accepted
        .iter()
        .find(|(_, k)| key_tag(k, peer_salt) == *peer_tag)
    {
        Some((epoch, key)) if *epoch < own.0 => *key,
        _ => own.1,
    }
}

/// Runs the key choice, then pnet, on a new connection.
pub async fn handshake<S>(
    ring: Arc<RwLock<KeyRing>>,
    mut socket: S,
) -> Result<PnetOutput<S>, PnetError>
where
    S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let (own, accepted) = {
        let ring = ring.read().unwrap_or_else(|e| e.into_inner());
        (
            (ring.current.0, *ring.current.1),
            ring.accepted(crate::ingest::now_ms()),
        )
    };
    let own = zeroize::Zeroizing::new(own);
    let accepted = zeroize::Zeroizing::new(accepted);
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| PnetError::HandshakeError(std::io::Error::other(e.to_string())))?;
    let mut hello = [0u8; HELLO_LEN];
    hello[..16].copy_from_slice(&salt);
    hello[16..].copy_from_slice(&key_tag(&own.1, &salt));
    socket
        .write_all(&hello)
        .await
        .map_err(PnetError::HandshakeError)?;
    socket.flush().await.map_err(PnetError::HandshakeError)?;
    let mut peer = [0u8; HELLO_LEN];
    socket
        .read_exact(&mut peer)
        .await
        .map_err(PnetError::HandshakeError)?;
    let mut peer_salt = [0u8; 16];
    let mut peer_tag = [0u8; 16];
    peer_salt.copy_from_slice(&peer[..16]);
    peer_tag.copy_from_slice(&peer[16..]);
    let key = zeroize::Zeroizing::new(choose(*own, &accepted, &peer_salt, &peer_tag));
    PnetConfig::new(PreSharedKey::new(*key))
        .handshake(socket)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(k: &[u8; 32]) -> [u8; 16] {
        key_tag(k, &[7; 16])
    }

    #[test]
    fn both_sides_agree_while_one_still_accepts_the_others_key() {
        let (old, new) = ([1u8; 32], [2u8; 32]);
        // A has the new key and accepts the old one (grace); B has only the old one.
        let a_accepts = [(1, new), (0, old)];
        let b_accepts = [(0, old)];
        let a = choose((1, new), &a_accepts, &[7; 16], &tag(&old));
        let b = choose((0, old), &b_accepts, &[7; 16], &tag(&new));
        assert_eq!((a, b), (old, old));
        // Both have the new key.
        let a = choose((1, new), &a_accepts, &[7; 16], &tag(&new));
        assert_eq!(a, new);
        // After the grace period A accepts only the new key: they no longer agree.
        let a = choose((1, new), &[(1, new)], &[7; 16], &tag(&old));
        assert_ne!(a, choose((0, old), &b_accepts, &[7; 16], &tag(&new)));
        // A stranger's tag: each side keeps its own key.
        assert_eq!(choose((1, new), &a_accepts, &[7; 16], &[0; 16]), new);
    }
}
