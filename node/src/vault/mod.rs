//! # Encryption at rest
//!
//! The pieces that let a node keep its data directory encrypted, so that a seized laptop gives
//! nothing away without the passphrase:
//!
//! - [`DataKey`]: 32 random bytes that encrypt everything. It never reaches the disk in the
//!   clear; [`SubKey`]s derived from it (BLAKE3 `derive_key`, one context string per use) key
//!   each use separately.
//! - [`keyslot`]: the data key wrapped under a key derived from the passphrase with Argon2id,
//!   kept in two copies (`key.slot`, `key.slot.bak`).
//! - [`backend`]: [`EncryptedBackend`], a redb storage backend that encrypts and authenticates
//!   the store page by page.
//! - [`seal`]: small files (`identity.key`, `node.key`, `network.key`, `config.json`) sealed
//!   whole, bound to their role name.
//!
//! The byte formats are specified in `docs/protocol.md`, section "Encrypted data directory".

pub mod backend;
pub mod keyslot;
pub mod measure;
pub mod seal;
mod xchacha;

pub use backend::EncryptedBackend;
pub use keyslot::{KeySlot, Params};

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use zeroize::Zeroize;

/// Length of a [`DataKey`] and of a [`SubKey`].
pub const KEY_LEN: usize = 32;

/// Why a vault operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The bytes do not start with the key slot's magic.
    #[error("not a key slot")]
    NotAKeySlot,
    /// The bytes do not start with the sealed file's magic.
    #[error("not a sealed file")]
    NotSealed,
    /// The bytes end before the format says they should.
    #[error("truncated")]
    Truncated,
    /// A format version this build does not know.
    #[error("unsupported format version {0}")]
    UnsupportedVersion(u8),
    /// The key slot did not open. Under authenticated encryption a wrong passphrase and a damaged
    /// slot look the same.
    #[error("wrong passphrase, or the key slot is damaged")]
    WrongPassphrase,
    /// A sealed file did not open: another key, another role, or damaged bytes.
    #[error("wrong key, a file sealed for another role, or the file is damaged")]
    Damaged,
    /// Argon2id parameters outside the accepted bounds (a hostile or damaged slot, or a caller's
    /// mistake).
    #[error("key slot parameters out of range: {0}")]
    ParamsOutOfRange(&'static str),
    /// Not even the smallest accepted Argon2id memory could be allocated.
    #[error("not enough memory for the passphrase derivation")]
    OutOfMemory,
    /// A file is longer than its format allows.
    #[error("file too large (more than {limit} bytes)")]
    TooLarge {
        /// The bound that was exceeded.
        limit: u64,
    },
    /// The operating system's random number generator failed.
    #[error("no randomness from the operating system: {0}")]
    Random(getrandom::Error),
    /// Reading or writing a file failed.
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// The key everything in an encrypted data directory is encrypted under.
///
/// Kept on the heap so that moving it does not leave copies behind, zeroised on drop, and its
/// `Debug` output does not show the bytes.
pub struct DataKey(Box<[u8; KEY_LEN]>);

impl DataKey {
    /// A new random key from the operating system.
    pub fn generate() -> Result<DataKey, Error> {
        let mut key = DataKey(Box::new([0; KEY_LEN]));
        getrandom::fill(&mut key.0[..]).map_err(Error::Random)?;
        Ok(key)
    }

    /// A key from bytes the caller wipes (the key slot's unwrapped plaintext, test keys).
    pub fn from_bytes(bytes: &[u8; KEY_LEN]) -> DataKey {
        DataKey(Box::new(*bytes))
    }

    /// The key's bytes, for wrapping it into a key slot.
    pub fn expose(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// A key for one use, separate from every other use's: `context` names the use and its
    /// version (e.g. `"wsf vault redb pages v1"`), and is a constant of the program.
    pub fn derive(&self, context: &'static str) -> SubKey {
        let mut sub = SubKey(Box::new([0; KEY_LEN]));
        let mut derived = blake3::derive_key(context, &self.0[..]);
        sub.0.copy_from_slice(&derived);
        derived.zeroize();
        sub
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(..)")
    }
}

/// A key derived from the [`DataKey`] for one use. Zeroised on drop; no `Debug` of the bytes.
pub struct SubKey(Box<[u8; KEY_LEN]>);

impl SubKey {
    /// The key's bytes, for the cipher or MAC that uses it.
    pub fn expose(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl Drop for SubKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for SubKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SubKey(..)")
    }
}

/// Fills `buf` from the operating system's random number generator.
pub(crate) fn random(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::fill(buf).map_err(Error::Random)
}

/// Replaces `path` with `bytes` so that a crash leaves either the old file or the new one: the
/// bytes go to a temporary file beside it (mode 0600), which is synced, renamed over `path`, and
/// the directory synced so the rename itself is durable.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = parent_dir(path);
    let mut tmp_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?
        .to_owned();
    // One name per write: two writers of the same file must not share a temporary file (the
    // second rename would find it gone).
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    tmp_name.push(format!(".{}.{n}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&tmp, path)?;
    sync_dir(dir)?;
    Ok(())
}

/// The directory holding `path` (the current directory for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Makes renames and removals in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), Error> {
    File::open(dir)?.sync_all()?;
    Ok(())
}

/// Reads a whole file of at most `limit` bytes; a longer one is refused without reading it all.
pub(crate) fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let file = File::open(path)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(Error::TooLarge { limit });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_keys_are_random_and_subkeys_separate() {
        let a = DataKey::generate().expect("random");
        let b = DataKey::generate().expect("random");
        assert_ne!(a.expose(), b.expose());
        let pages = a.derive("wsf vault test context one");
        let files = a.derive("wsf vault test context two");
        assert_ne!(pages.expose(), files.expose());
        assert_ne!(pages.expose(), a.expose());
        // Deterministic: the same key and context give the same subkey.
        assert_eq!(
            pages.expose(),
            a.derive("wsf vault test context one").expose()
        );
    }

    /// Every type that holds a key of an unlocked node wipes it when dropped (checked by the
    /// compiler: `ZeroizeOnDrop` is the crates' promise of that).
    #[test]
    fn key_holders_wipe_their_keys_when_dropped() {
        use wsf_protocol::ed25519_dalek::SigningKey;
        fn wipes<T: zeroize::ZeroizeOnDrop>() {}
        wipes::<chacha20poly1305::XChaCha20Poly1305>();
        wipes::<xchacha::PageCipher>();
        wipes::<SigningKey>();
        wipes::<zeroize::Zeroizing<[u8; 32]>>();
        // DataKey and SubKey wipe their boxes in their own Drop.
    }

    #[test]
    fn debug_does_not_show_key_bytes() {
        let key = DataKey::from_bytes(&[0xab; KEY_LEN]);
        let shown = format!("{key:?} {:?}", key.derive("wsf vault test context one"));
        assert!(!shown.to_lowercase().contains("ab, "), "{shown}");
        assert!(!shown.contains("171"), "{shown}");
        assert_eq!(shown, "DataKey(..) SubKey(..)");
    }

    #[test]
    fn atomic_write_replaces_and_bounded_read_refuses_long_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        write_atomic(&path, b"one").expect("write");
        write_atomic(&path, b"two!").expect("rewrite");
        assert_eq!(read_bounded(&path, 4).expect("read"), b"two!");
        assert!(matches!(
            read_bounded(&path, 3),
            Err(Error::TooLarge { limit: 3 })
        ));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["f"]);
    }

    #[test]
    fn concurrent_atomic_writes_of_one_file_all_succeed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        std::thread::scope(|s| {
            let writers: Vec<_> = (0..8u8)
                .map(|i| {
                    let path = &path;
                    s.spawn(move || {
                        (0..50).try_for_each(|_| {
                            write_atomic(path, &[i; 64]).map_err(|e| e.to_string())
                        })
                    })
                })
                .collect();
            for w in writers {
                assert_eq!(w.join().expect("writer"), Ok(()));
            }
        });
        let last = std::fs::read(&path).expect("read");
        assert!(last.len() == 64 && last.iter().all(|b| *b == last[0]));
    }
}
