//! Sealed small files: `identity.key`, `node.key`, `network.key`, `config.json`.
//!
//! A sealed file is `wsfseal` ‖ version ‖ nonce (24) ‖ XChaCha20-Poly1305 ciphertext ‖ tag (16)
//! under a key derived from the [`DataKey`]. The associated data is the magic and version
//! followed by the file's role name (e.g. `identity.key`), so one sealed file cannot be
//! swapped for another: `network.key` put in place of `identity.key` does not open.

use std::path::Path;

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use super::{DataKey, Error};

/// The sealed file's first seven bytes.
pub const MAGIC: &[u8; 7] = b"wsfseal";
/// The format version this build writes and reads.
pub const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// Bytes a sealed file adds to its plaintext.
pub const OVERHEAD: usize = 8 + NONCE_LEN + TAG_LEN;
/// Key derivation context of the sealing key.
const CONTEXT: &str = "wsf vault sealed files v1";

fn cipher(key: &DataKey) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(key.derive(CONTEXT).expose().into())
}

fn associated_data(role: &str) -> Vec<u8> {
    let mut ad = Vec::with_capacity(8 + role.len());
    ad.extend_from_slice(MAGIC);
    ad.push(VERSION);
    ad.extend_from_slice(role.as_bytes());
    ad
}

/// Seals `plaintext` for the file whose role is `role`.
pub fn seal(key: &DataKey, role: &str, plaintext: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(OVERHEAD + plaintext.len());
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    let mut nonce = [0; NONCE_LEN];
    super::random(&mut nonce)?;
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let tag = cipher(key)
        .encrypt_in_place_detached(
            XNonce::from_slice(&nonce),
            &associated_data(role),
            &mut out[8 + NONCE_LEN..],
        )
        .map_err(|_| Error::TooLarge {
            limit: u32::MAX as u64,
        })?;
    out.extend_from_slice(&tag);
    Ok(out)
}

/// Opens a sealed file's bytes, if they were sealed under `key` for `role` and are undamaged.
pub fn open(key: &DataKey, role: &str, bytes: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    if bytes.len() < 8 {
        return if MAGIC.starts_with(bytes) {
            Err(Error::Truncated)
        } else {
            Err(Error::NotSealed)
        };
    }
    if &bytes[..7] != MAGIC {
        return Err(Error::NotSealed);
    }
    if bytes[7] != VERSION {
        return Err(Error::UnsupportedVersion(bytes[7]));
    }
    if bytes.len() < OVERHEAD {
        return Err(Error::Truncated);
    }
    let nonce = &bytes[8..8 + NONCE_LEN];
    let (body, tag) = bytes[8 + NONCE_LEN..].split_at(bytes.len() - OVERHEAD);
    let mut plain = Zeroizing::new(body.to_vec());
    cipher(key)
        .decrypt_in_place_detached(
            XNonce::from_slice(nonce),
            &associated_data(role),
            &mut plain,
            Tag::from_slice(tag),
        )
        .map_err(|_| Error::Damaged)?;
    Ok(plain)
}

/// Seals `plaintext` and replaces `path` with it atomically (mode 0600).
pub fn write_sealed(path: &Path, key: &DataKey, role: &str, plaintext: &[u8]) -> Result<(), Error> {
    super::write_atomic(path, &seal(key, role, plaintext)?)
}

/// Reads and opens a sealed file whose plaintext is at most `max_plaintext` bytes; a longer file
/// is refused without being read whole.
pub fn read_sealed(
    path: &Path,
    key: &DataKey,
    role: &str,
    max_plaintext: usize,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let bytes = super::read_bounded(path, (max_plaintext + OVERHEAD) as u64)?;
    open(key, role, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> DataKey {
        DataKey::from_bytes(&[byte; 32])
    }

    #[test]
    fn round_trip() {
        let k = key(1);
        let sealed = seal(&k, "identity.key", b"secret seed bytes").expect("seal");
        assert_eq!(sealed.len(), OVERHEAD + 17);
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(
            &open(&k, "identity.key", &sealed).expect("open")[..],
            b"secret seed bytes"
        );
        // Fresh nonce each time.
        assert_ne!(
            seal(&k, "identity.key", b"x").expect("a"),
            seal(&k, "identity.key", b"x").expect("b")
        );
        assert!(
            open(&k, "e", &seal(&k, "e", b"").expect("empty"))
                .expect("open")
                .is_empty()
        );
    }

    #[test]
    fn wrong_role_or_key_is_refused() {
        let sealed = seal(&key(1), "network.key", b"psk").expect("seal");
        assert!(matches!(
            open(&key(1), "identity.key", &sealed),
            Err(Error::Damaged)
        ));
        assert!(matches!(
            open(&key(2), "network.key", &sealed),
            Err(Error::Damaged)
        ));
    }

    #[test]
    fn tampering_is_refused() {
        let sealed = seal(&key(1), "config.json", b"{\"a\":1}").expect("seal");
        for i in 0..sealed.len() {
            let mut damaged = sealed.clone();
            damaged[i] ^= 0x20;
            assert!(open(&key(1), "config.json", &damaged).is_err(), "byte {i}");
        }
        for len in 0..sealed.len() {
            assert!(
                open(&key(1), "config.json", &sealed[..len]).is_err(),
                "len {len}"
            );
        }
        assert!(matches!(
            open(&key(1), "config.json", b"{\"plain\":true}"),
            Err(Error::NotSealed)
        ));
    }

    #[test]
    fn files_are_written_atomically_and_read_with_a_bound() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("node.key");
        write_sealed(&path, &key(1), "node.key", &[9; 32]).expect("write");
        assert_eq!(
            &read_sealed(&path, &key(1), "node.key", 32).expect("read")[..],
            &[9; 32]
        );
        assert!(matches!(
            read_sealed(&path, &key(1), "node.key", 31),
            Err(Error::TooLarge { .. })
        ));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
