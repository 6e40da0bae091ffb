//! `wsf encrypt`: turns a plain data dir into an encrypted one without losing anything. The
//! store is copied byte for byte into the encrypting backend (redb sees the same file, so every
//! table, record, partner and counter stays as it was); the key files and `config.json` are
//! sealed. Everything new is written beside the old files first; the key slot is written next;
//! then each new file is renamed over its plain original. A run cut short after the key slot
//! is finished by running `wsf encrypt` again (the leftovers say where it stopped).
//!
//! The plain originals are unlinked by the renames, but their old blocks may stay readable on
//! the disk (SSDs especially): `docs/threat-model.md` says what to do about that.

use std::io::Read;
use std::path::{Path, PathBuf};

use redb::StorageBackend as _;

use crate::datadir::DataDir;
use crate::vault::{self, DataKey, KeySlot, Params};

/// Why a conversion failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0} is encrypted already")]
    Already(PathBuf),
    #[error("{0} holds no wsf identity: nothing to encrypt (use `wsf init --encrypt`)")]
    Empty(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Vault(#[from] vault::Error),
    #[error(transparent)]
    DataDir(#[from] crate::datadir::Error),
    #[error("the store could not be opened for the copy: {0}")]
    Store(String),
    #[error("the encrypted copy of the store does not check out: {0}")]
    Check(String),
}

/// The files sealed whole: (file name, role).
const SEALED: &[(&str, &str)] = &[
    ("identity.key", "identity.key"),
    ("node.key", "node.key"),
    ("network.key", "network.key"),
    ("config.json", "config.json"),
    (crate::invites::FILE, crate::invites::ROLE),
    (crate::members::FILE, crate::members::ROLE),
    (crate::address_book::FILE, crate::address_book::ROLE),
];

/// Suffix of a file written beside its plain original.
const NEW: &str = ".encrypting";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

fn beside(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(NEW);
    PathBuf::from(s)
}

/// Whether an earlier `wsf encrypt` stopped after writing the key slot.
pub fn unfinished(data: &DataDir) -> bool {
    let store = beside(&data.store_path());
    store.exists()
        || SEALED
            .iter()
            .any(|(f, _)| beside(&data.root().join(f)).exists())
}

/// Encrypts the plain data dir `data` under a new data key wrapped by `passphrase` with
/// `params`. The node must be stopped (the caller checks). Returns the unlocked data dir.
pub fn encrypt(data: &DataDir, passphrase: &[u8], params: Params) -> Result<DataDir, Error> {
    if data.is_encrypted() {
        return Err(Error::Already(data.root().to_owned()));
    }
    if data.identity()?.is_none() {
        return Err(Error::Empty(data.root().to_owned()));
    }
    let key = DataKey::generate()?;
    let store = data.store_path();
    if store.exists() {
        // Open and close it once: redb finishes any interrupted commit and checks the file.
        drop(redb::Database::open(&store).map_err(|e| Error::Store(e.to_string()))?);
        copy_store(&store, &beside(&store), &key)?;
        let mut check = crate::store::check_integrity_with(&beside(&store), Some(&key))
            .map_err(|e| Error::Check(e.to_string()));
        if let Ok(false) = check {
            check = Err(Error::Check("it needed repair".into()));
        }
        if let Err(e) = check {
            let _ = std::fs::remove_file(beside(&store));
            return Err(e);
        }
    }
    for (file, role) in SEALED {
        let path = data.root().join(file);
        let plain = match std::fs::read(&path) {
            Ok(b) => zeroize::Zeroizing::new(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(&path)(e)),
        };
        vault::seal::write_sealed(&beside(&path), &key, role, &plain)?;
    }
    let slot = KeySlot::wrap(&key, passphrase, params)?;
    vault::keyslot::store(data.root(), &slot)?;
    finish(data)?;
    Ok(data.clone().with_key(key))
}

/// Renames every file written beside its original over it (the last step of [`encrypt`], and
/// what a second run does after a cut-short one).
pub fn finish(data: &DataDir) -> Result<(), Error> {
    let mut names: Vec<PathBuf> = vec![data.store_path()];
    names.extend(SEALED.iter().map(|(f, _)| data.root().join(f)));
    for path in names {
        let new = beside(&path);
        if new.exists() {
            std::fs::rename(&new, &path).map_err(io(&path))?;
        }
    }
    let dir = std::fs::File::open(data.root()).map_err(io(data.root()))?;
    dir.sync_all().map_err(io(data.root()))?;
    Ok(())
}

/// Copies the plain store file `from` into a new encrypted store `to`, byte for byte.
fn copy_store(from: &Path, to: &Path, key: &DataKey) -> Result<(), Error> {
    let _ = std::fs::remove_file(to);
    let mut src = std::fs::File::open(from).map_err(io(from))?;
    let len = src.metadata().map_err(io(from))?.len();
    let dst = vault::EncryptedBackend::open(to, key).map_err(io(to))?;
    dst.set_len(len).map_err(io(to))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut at = 0u64;
    loop {
        let n = src.read(&mut buf).map_err(io(from))?;
        if n == 0 {
            break;
        }
        dst.write(at, &buf[..n]).map_err(io(to))?;
        at += n as u64;
    }
    dst.sync_data().map_err(io(to))?;
    dst.close().map_err(io(to))?;
    Ok(())
}
