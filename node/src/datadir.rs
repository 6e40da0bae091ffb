//! The data directory: where a node keeps its keys, its store and its settings.
//!
//! ```text
//! <data>/identity.key   the organisation's author key (ed25519 seed, 32 bytes, 0600)
//! <data>/store.redb     the replicated records
//! <data>/key.slot       (encrypted data dirs) the data key, wrapped under the passphrase;
//!                       with a copy in key.slot.bak
//! ```
//! In an encrypted data dir every file that holds data (the store, the key files,
//! `config.json`) is encrypted under the data key (`crate::vault`); the `DataDir` carries the
//! key once unlocked.
//! Chosen by `--data-dir`, else `WSF_DATA_DIR`, else `$XDG_DATA_HOME/wsf`, else
//! `~/.local/share/wsf`.

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use std::sync::Arc;

use wsf_protocol::ed25519_dalek::SigningKey;

use crate::vault::DataKey;

/// The duress key slot's file name.
pub const DURESS_FILE: &str = "duress.slot";

/// The mark `wsf panic` leaves in the data dir it erased (plain, it holds no data), so that
/// nothing creates a new identity there by itself (a service restarting, `wsf node` out of
/// habit); `wsf init` removes it.
pub const ERASED_MARK: &str = "erased";
/// The new network key while a rekey writes it.
pub const NETWORK_KEY_NEXT: &str = "network.key.next";

/// Errors about the data directory and key files.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no data directory: set --data-dir or WSF_DATA_DIR (HOME is not set either)")]
    NoHome,
    #[error("cannot create the data directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is not a wsf key file (expected 32 bytes, found {len}); restore it from a backup or move it away"
    )]
    BadKey { path: PathBuf, len: usize },
    #[error(
        "no wsf identity in {0}: run `wsf init` (or `wsf join CODE`) to create one there, or \
         check --data-dir / WSF_DATA_DIR"
    )]
    NoIdentity(PathBuf),
    #[error(
        "{path} is readable by other users (mode {mode:o}) and cannot be made private: {source}; \
         fix its owner or permissions, or use another --data-dir"
    )]
    Insecure {
        path: PathBuf,
        mode: u32,
        source: std::io::Error,
    },
    #[error("cannot get random bytes from the operating system: {0}")]
    Random(String),
    #[error(
        "{0} is encrypted: give its passphrase (on the terminal, or with --passphrase-file / \
         WSF_PASSPHRASE_FILE, --passphrase-fd, or the systemd credential wsf.passphrase)"
    )]
    Locked(PathBuf),
    #[error(
        "{0} is encrypted, but its data dir has no key slot (key.slot, key.slot.bak): restore \
         them from a backup; without them it cannot be read"
    )]
    SealedWithoutSlot(PathBuf),
    #[error(
        "{0} was erased by `wsf panic`: no identity is created here by itself. To start again, \
         run `wsf init --encrypt` there (or `wsf init` for a plain data dir), then join or \
         restore as before"
    )]
    Erased(PathBuf),
    #[error("{path}: {source}")]
    Vault {
        path: PathBuf,
        source: crate::vault::Error,
    },
}

/// The default data directory of this user: the platform's data directory (`$XDG_DATA_HOME`,
/// else `~/.local/share` on Linux) with `wsf` in it.
pub fn default_dir() -> Result<PathBuf, Error> {
    let base = directories::BaseDirs::new().ok_or(Error::NoHome)?;
    Ok(base.data_dir().join("wsf"))
}

/// A node's data directory.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
    /// The data key of an encrypted data dir, once unlocked.
    key: Option<Arc<DataKey>>,
}

impl DataDir {
    /// Uses `root` (created on first use, mode 0700).
    pub fn new(root: PathBuf) -> Self {
        DataDir { root, key: None }
    }

    /// Whether this data dir is encrypted (it has a key slot).
    pub fn is_encrypted(&self) -> bool {
        crate::vault::keyslot::paths(&self.root)
            .iter()
            .any(|p| p.exists())
    }

    /// This data dir with its data key (after an unlock, or for a new encrypted dir).
    pub fn with_key(mut self, key: DataKey) -> DataDir {
        self.key = Some(Arc::new(key));
        self
    }

    /// The data key: `None` for a plain data dir; an error for an encrypted one not unlocked.
    pub fn data_key(&self) -> Result<Option<&DataKey>, Error> {
        match &self.key {
            Some(k) => Ok(Some(k)),
            None if self.is_encrypted() => Err(Error::Locked(self.root.clone())),
            None => Ok(None),
        }
    }

    /// Unlocks an encrypted data dir with `passphrase` (a plain one is returned as it is). A
    /// wrong passphrase changes nothing.
    pub fn unlock(self, passphrase: &[u8]) -> Result<DataDir, Error> {
        if self.key.is_some() || !self.is_encrypted() {
            return Ok(self);
        }
        let unlocked = crate::vault::keyslot::unlock(&self.root, passphrase);
        if let Err(crate::vault::Error::WrongPassphrase) = &unlocked
            && self.is_duress(passphrase)
        {
            // The duress passphrase: erase, then answer exactly as a wrong passphrase does.
            let _ = crate::panic::erase(&self.root);
        }
        let (key, _) = unlocked.map_err(|source| Error::Vault {
            path: self.root.join(crate::vault::keyslot::FILE_NAME),
            source,
        })?;
        Ok(self.with_key(key))
    }

    /// `<data>/duress.slot`: a key slot whose passphrase is the duress passphrase (it wraps a
    /// throwaway key; only whether it opens counts).
    pub fn duress_path(&self) -> PathBuf {
        self.root.join(DURESS_FILE)
    }

    fn is_duress(&self, passphrase: &[u8]) -> bool {
        let Ok(bytes) = std::fs::read(self.duress_path()) else {
            return false;
        };
        crate::vault::KeySlot::decode(&bytes)
            .and_then(|slot| slot.unlock(passphrase))
            .is_ok()
    }

    /// Sets the duress passphrase of an encrypted data dir (unlocked: the caller proved it
    /// knows the real one): typing it where the passphrase is asked erases the data dir, as
    /// `wsf panic` does, and the answer is that of a wrong passphrase.
    pub fn set_duress(&self, duress: &[u8], params: crate::vault::Params) -> Result<(), Error> {
        let vault_err = |source| Error::Vault {
            path: self.duress_path(),
            source,
        };
        if self.key.is_none() {
            return Err(Error::Locked(self.root.clone()));
        }
        if crate::vault::keyslot::unlock(&self.root, duress).is_ok() {
            return Err(Error::Vault {
                path: self.duress_path(),
                source: crate::vault::Error::ParamsOutOfRange(
                    "the duress passphrase must differ from the passphrase",
                ),
            });
        }
        let (slot, _throwaway) =
            crate::vault::KeySlot::create(duress, params).map_err(vault_err)?;
        crate::vault::write_atomic(&self.duress_path(), &slot.encode()).map_err(vault_err)
    }

    /// Reads a key file: sealed under the data key in an encrypted dir, else plain.
    fn read_secret(&self, path: &Path, role: &str) -> Result<Option<[u8; 32]>, Error> {
        let Some(key) = self.data_key()? else {
            return read_key(path);
        };
        if !path.exists() {
            return Ok(None);
        }
        let bytes = crate::vault::seal::read_sealed(path, key, role, 1024).map_err(|source| {
            Error::Vault {
                path: path.to_owned(),
                source,
            }
        })?;
        let len = bytes.len();
        let seed: [u8; 32] = bytes.as_slice().try_into().map_err(|_| Error::BadKey {
            path: path.to_owned(),
            len,
        })?;
        Ok(Some(seed))
    }

    /// Writes a new key file (sealed in an encrypted dir); never overwrites one.
    pub fn write_secret(&self, path: &Path, role: &str, seed: &[u8; 32]) -> Result<(), Error> {
        match self.data_key()? {
            None => write_key(path, seed),
            Some(key) => {
                let sealed =
                    crate::vault::seal::seal(key, role, seed).map_err(|source| Error::Vault {
                        path: path.to_owned(),
                        source,
                    })?;
                write_file(path, &sealed)
            }
        }
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Creates the directory if needed, readable by this user only.
    pub fn create(&self) -> Result<(), Error> {
        if !self.root.exists() {
            fs::create_dir_all(&self.root).map_err(|source| Error::CreateDir {
                path: self.root.clone(),
                source,
            })?;
            let _ = fs::set_permissions(&self.root, fs::Permissions::from_mode(0o700));
        }
        Ok(())
    }

    /// Makes the directory private (0700) and every file in it 0600, warning about each fix;
    /// refuses what cannot be fixed. Run on every open: a copy, an unpack or a careless `chmod`
    /// may have opened them up.
    pub fn secure(&self) -> Result<(), Error> {
        fix_mode(&self.root, 0o700)?;
        let entries = fs::read_dir(&self.root).map_err(|source| Error::Read {
            path: self.root.clone(),
            source,
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.file_type().is_file() {
                fix_mode(&path, 0o600)?;
            }
        }
        Ok(())
    }

    /// `<data>/store.redb`.
    pub fn store_path(&self) -> PathBuf {
        self.root.join("store.redb")
    }

    /// `<data>/node.key`: the libp2p key, separate from the author key.
    pub fn node_key_path(&self) -> PathBuf {
        self.root.join("node.key")
    }

    /// The libp2p node key seed; created when there is none yet.
    pub fn node_key_or_create(&self) -> Result<[u8; 32], Error> {
        if let Some(seed) = self.read_secret(&self.node_key_path(), "node.key")? {
            return Ok(seed);
        }
        self.create()?;
        let seed = random_seed()?;
        self.write_secret(&self.node_key_path(), "node.key", &seed)?;
        Ok(seed)
    }

    /// `<data>/network.key`: the closed network's pre-shared key (absent on the public network).
    pub fn network_key_path(&self) -> PathBuf {
        self.root.join("network.key")
    }

    /// The closed network's key, if this node is on one.
    pub fn network_key(&self) -> Result<Option<[u8; 32]>, Error> {
        self.read_secret(&self.network_key_path(), "network.key")
    }

    /// Writes the closed network's key (sealed in an encrypted dir).
    pub fn write_network_key(&self, key: &[u8; 32]) -> Result<(), Error> {
        self.write_secret(&self.network_key_path(), "network.key", key)
    }

    /// Replaces the closed network's key after a rekey: written beside it, synced, then
    /// renamed over it, so a crash leaves either the old key or the new one.
    pub fn replace_network_key(&self, key: &[u8; 32]) -> Result<(), Error> {
        let path = self.network_key_path();
        let next = self.root.join(NETWORK_KEY_NEXT);
        let _ = fs::remove_file(&next);
        self.write_secret(&next, "network.key", key)?;
        fs::rename(&next, &path).map_err(|source| Error::Write { path, source })
    }

    /// `<data>/identity.key`.
    pub fn identity_path(&self) -> PathBuf {
        self.root.join("identity.key")
    }

    /// Whether `wsf panic` erased this data dir and no `wsf init` has started it again.
    pub fn was_erased(&self) -> bool {
        self.root.join(ERASED_MARK).exists()
    }

    /// Removes the mark of an erased data dir (`wsf init`: the user starts it again).
    pub fn clear_erased(&self) -> Result<(), Error> {
        let path = self.root.join(ERASED_MARK);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(Error::Write { path, source }),
        }
    }

    /// The author key, if one was created.
    pub fn identity(&self) -> Result<Option<SigningKey>, Error> {
        self.read_secret(&self.identity_path(), "identity.key")
            .map(|k| k.map(|seed| SigningKey::from_bytes(&seed)))
    }

    /// The author key; created (and the directory with it) when there is none yet.
    /// Returns the key and whether it was created now.
    pub fn identity_or_create(&self) -> Result<(SigningKey, bool), Error> {
        if let Some(key) = self.identity()? {
            return Ok((key, false));
        }
        if self.was_erased() {
            return Err(Error::Erased(self.root.clone()));
        }
        self.create()?;
        let seed = random_seed()?;
        self.write_secret(&self.identity_path(), "identity.key", &seed)?;
        Ok((SigningKey::from_bytes(&seed), true))
    }
}

/// Takes away any permission `path` grants beyond `wanted` (0700 or 0600), with a warning.
fn fix_mode(path: &Path, wanted: u32) -> Result<(), Error> {
    let meta = fs::metadata(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & !wanted & 0o7777 == 0 {
        return Ok(());
    }
    fs::set_permissions(path, fs::Permissions::from_mode(wanted)).map_err(|source| {
        Error::Insecure {
            path: path.to_owned(),
            mode,
            source,
        }
    })?;
    let secret = path
        .file_name()
        .is_some_and(|n| n.to_str().is_some_and(|n| n.ends_with(".key")));
    if secret {
        tracing::warn!(
            "{} was readable by others (mode {mode:o}); made it {wanted:o}. Anyone with access \
             to this machine may have copied it",
            path.display()
        );
    } else {
        tracing::warn!("{} had mode {mode:o}; made it {wanted:o}", path.display());
    }
    Ok(())
}

/// 32 random bytes from the operating system.
pub fn random_seed() -> Result<[u8; 32], Error> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| Error::Random(e.to_string()))?;
    Ok(seed)
}

/// Reads a 32-byte key file; `None` when it does not exist.
pub fn read_key(path: &Path) -> Result<Option<[u8; 32]>, Error> {
    let mut file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    let mut bytes = Vec::with_capacity(32);
    Read::by_ref(&mut file)
        .take(1024)
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Read {
            path: path.to_owned(),
            source,
        })?;
    let len = bytes.len();
    if bytes.starts_with(b"wsfseal") {
        return Err(Error::SealedWithoutSlot(path.to_owned()));
    }
    let seed: [u8; 32] = bytes.try_into().map_err(|_| Error::BadKey {
        path: path.to_owned(),
        len,
    })?;
    Ok(Some(seed))
}

/// Writes a new key file, mode 0600; never overwrites an existing one.
pub fn write_key(path: &Path, seed: &[u8; 32]) -> Result<(), Error> {
    write_file(path, seed)
}

/// Writes a new private file (mode 0600); never overwrites an existing one.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let werr = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(werr)?;
    file.write_all(bytes).map_err(werr)?;
    file.sync_all().map_err(werr)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_is_created_once_with_private_permissions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = DataDir::new(dir.path().join("d"));
        assert!(data.identity().expect("read").is_none());
        let (key, created) = data.identity_or_create().expect("create");
        assert!(created);
        let (again, created) = data.identity_or_create().expect("load");
        assert!(!created);
        assert_eq!(key.to_bytes(), again.to_bytes());
        let mode = fs::metadata(data.identity_path())
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_damaged_key_file_is_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = DataDir::new(dir.path().to_owned());
        fs::write(data.identity_path(), b"short").expect("write");
        assert!(matches!(data.identity(), Err(Error::BadKey { len: 5, .. })));
    }
}
