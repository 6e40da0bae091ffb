//! Panic: make an encrypted data dir unreadable at once, for a laptop about to be seized.
//!
//! What counts is the key slot. Every byte of data in an encrypted data dir is encrypted under
//! the data key, and the data key exists on disk only wrapped in the key slot (two copies).
//! Overwriting and deleting both copies makes the rest unreadable without needing to overwrite
//! it, which matters on SSDs, where overwriting a file in place is not reliable (the drive
//! writes elsewhere and keeps the old cells until it erases them). The data files are then only
//! unlinked (metadata work, fast whatever their size). The running node exits at once after,
//! without a last commit or a clean network shutdown; the operating system drops its memory.
//!
//! A plain (unencrypted) data dir gets its files unlinked too, but its contents may remain on
//! the disk: panic says so.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

/// The files of a data dir that panic removes after the key slot (every one that holds data).
const DATA_FILES: &[&str] = &[
    crate::datadir::DURESS_FILE,
    "store.redb",
    "identity.key",
    "node.key",
    "network.key",
    crate::datadir::NETWORK_KEY_NEXT,
    "config.json",
    crate::invites::FILE,
    crate::members::FILE,
    crate::address_book::FILE,
    "api.token",
    "node.log",
    "control.sock",
    "config.json.tmp",
];

/// What a panic did.
#[derive(Debug, Clone, Serialize)]
pub struct Erased {
    /// The data dir was encrypted: its key slot was destroyed first.
    pub encrypted: bool,
    /// Files removed (key slot copies included).
    pub removed: usize,
    /// Time from the start of the erase to its end, in ms.
    pub ms: f64,
}

/// Destroys the key slot (both copies: overwritten, synced, unlinked), then unlinks every data
/// file of `root`, and any upload left half-way. Goes on past errors so that as much as
/// possible is gone; the first error is returned after everything was tried.
pub fn erase(root: &Path) -> Result<Erased, std::io::Error> {
    let start = Instant::now();
    let slots = crate::vault::keyslot::paths(root);
    let encrypted = slots.iter().any(|p| p.exists());
    let mut removed = slots.iter().filter(|p| p.exists()).count();
    let mut first_error = None;
    if encrypted && let Err(e) = crate::vault::keyslot::destroy(root) {
        first_error = Some(std::io::Error::other(e.to_string()));
    }
    let mut names: Vec<std::path::PathBuf> = DATA_FILES.iter().map(|f| root.join(f)).collect();
    if let Ok(entries) = std::fs::read_dir(root) {
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("upload-") || name.ends_with(".tmp") || name.ends_with(".part") {
                names.push(e.path());
            }
        }
    }
    for path in names {
        match std::fs::remove_file(&path) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    // The mark that stops a new identity from being created here by itself (best effort: the
    // erase itself has succeeded or failed already).
    let _ = crate::datadir::write_file(
        &root.join(crate::datadir::ERASED_MARK),
        b"erased by wsf panic; `wsf init` starts a new data dir here\n",
    );
    let erased = Erased {
        encrypted,
        removed,
        ms: start.elapsed().as_secs_f64() * 1_000.0,
    };
    match first_error {
        Some(e) => Err(e),
        None => Ok(erased),
    }
}
