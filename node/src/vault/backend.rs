//! [`EncryptedBackend`]: a redb [`StorageBackend`] that encrypts and authenticates the store.
//!
//! redb sees an ordinary byte array; on disk it is cut into logical blocks of 4096 bytes, each
//! sealed with XChaCha20-Poly1305 under a key derived from the [`DataKey`], with a fresh random
//! nonce on every write. The format is in `docs/protocol.md`, "Encrypted data directory: store".
//!
//! ```text
//! [header 64] [block 0, copy A 4160] [block 0, copy B 4160] [block 1 4136] [block 2 4136] …
//! ```
//!
//! # What is authenticated
//!
//! - The plaintext header (magic, version, a random file id, the block size) carries a keyed
//!   BLAKE3 MAC, so a wrong key is reported as such before anything else is read.
//! - Every block's associated data is the file id, the format version and the block's index: a
//!   block cannot be moved, swapped with another, or copied in from another store.
//! - The logical length and the *written mark* `W` are kept with block 0 (in its associated
//!   data), so truncating or extending the file cannot change what redb sees. Every block below
//!   `W` has been written whole at least once; blocks from `W` up to the length have never been
//!   written and read as zeros without the disk being read. A write above `W` first writes the
//!   blocks between as encrypted zeros, then raises `W`, so a block below `W` that does not
//!   decrypt (zeroed by an attacker, or damaged) is an error ("wrong key or damaged store page
//!   N"), never silent data. A copy of block 0 whose blocks below `W` are not all in the file is
//!   passed over for the other copy (a power cut may have kept the copy's write but not the
//!   file's new length); with neither copy usable the store does not open. Growing the store
//!   writes nothing but block 0: the file is extended sparsely.
//! - Version 1 files have no written mark (`W` is always the length in blocks, and growing the
//!   store writes every new block as encrypted zeros). They are read and written as version 1.
//! - What a file alone cannot prevent is rollback: someone who kept an older copy of the file can
//!   put it back, and damaging the newest copy of block 0 makes the older copy current (the
//!   store as of redb's previous header write). Detecting that would need state outside the
//!   file.
//!
//! # Crash safety of block 0
//!
//! redb commits by rewriting its super-header, the start of block 0, and relies on its commit
//! slots and their checksums to survive a torn write. A torn write of a sealed block leaves it
//! undecryptable, which would lose the whole store, so block 0 is kept in two copies, each with
//! a generation number in its associated data. Reading takes the newest copy that decrypts.
//!
//! A write of block 0 always goes to the copy that does *not* hold the last synced state
//! (several writes between two syncs all go to that same copy); a successful
//! [`sync_data`](StorageBackend::sync_data) makes it the synced one. So a crash can only ever
//! tear a copy that holds nothing acknowledged, and after any crash block 0 reads as either the
//! state of the last sync or a later complete write, never a mixture. On open the backend syncs
//! once, so that the state it found is durable before it writes over the other copy.
//!
//! With redb's two-phase commit (which the store uses for every write transaction), a commit is
//! acknowledged only after redb's second sync; at that point block 0 names the new commit as
//! primary and both that copy and every page it refers to have been synced. A crash before that
//! point leaves block 0 at one of redb's own earlier header states, whose pages are intact: the
//! previous commit. A crash while other blocks are being written can only tear blocks that no
//! synced header refers to (redb writes new pages copy-on-write), which redb never reads again
//! before overwriting them whole.
//!
//! Use two-phase commit with this backend. With redb's one-phase commit, recovery after a crash
//! reads the pages of a possibly incomplete commit to check their checksums; here a torn page is
//! a read error rather than a checksum mismatch, and the store would not open.
//!
//! # Locking
//!
//! [`EncryptedBackend::open`] takes an exclusive lock on the file before reading it, so a second
//! open (from this process or another) fails. [`create_database`] reports that as redb's
//! [`DatabaseError::DatabaseAlreadyOpen`](redb::DatabaseError::DatabaseAlreadyOpen). The lock
//! methods support the whole-file range only, like redb's own file backend without byte-range
//! locks, so only redb's `ExclusiveWriter` mode (the default) works.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::ops::Bound;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use redb::{BackendError, StorageBackend};
use zeroize::{Zeroize, Zeroizing};

use super::DataKey;
use super::xchacha::PageCipher;

/// The header's first seven bytes.
pub const MAGIC: &[u8; 7] = b"wsfpage";
/// The format version this build writes (it also reads and writes version 1 files).
pub const VERSION: u8 = 2;
/// Logical block size.
pub const BLOCK: usize = 4096;
/// Plaintext header length.
pub const HEADER_LEN: usize = 64;
use super::xchacha::{NONCE_LEN, TAG_LEN};
const FILE_ID_LEN: usize = 16;
/// A sealed block on disk: nonce, ciphertext, tag.
pub const PHYS_BLOCK: usize = NONCE_LEN + BLOCK + TAG_LEN;
/// A copy of block 0 on disk: generation, logical length, written mark, then a sealed block.
pub const SLOT_LEN: usize = 8 + 8 + 8 + PHYS_BLOCK;
/// A copy of block 0 in a version 1 file: generation, logical length, then a sealed block.
pub const SLOT_LEN_V1: usize = 8 + 8 + PHYS_BLOCK;
/// Largest logical length accepted (256 TiB), which keeps all offsets far from overflow.
pub const MAX_LEN: u64 = 1 << 48;
/// Key derivation context of the block key.
const PAGE_CONTEXT: &str = "wsf vault redb pages v1";
/// Key derivation context of the header MAC key.
const HEADER_CONTEXT: &str = "wsf vault redb header mac v1";
/// Nonces fetched from the operating system at once (one system call per this many sealed
/// blocks instead of one per block).
const NONCE_BATCH: usize = 64;
/// Zero blocks sealed per write when blocks below a write must be filled (bounds the buffer).
const FILL_BATCH: u64 = 256;

/// A redb storage backend over one file, encrypted under a [`DataKey`]. See the module docs.
pub struct EncryptedBackend {
    file: File,
    cipher: PageCipher,
    file_id: [u8; FILE_ID_LEN],
    /// The file's format version ([`VERSION`], or 1 for a file made by an earlier build).
    version: u8,
    /// Random nonces fetched ahead, each used once.
    nonces: Mutex<Nonces>,
    state: Mutex<State>,
    #[cfg(test)]
    fault: Option<std::sync::Arc<tests::Fault>>,
}

struct State {
    /// The logical length redb sees.
    len: u64,
    /// The written mark: blocks `1..written` have been written, blocks from it read as zeros.
    /// Always `blocks_for(len)` in a version 1 file.
    written: u64,
    /// `written` as carried by the last block-0 write.
    slot_written: u64,
    /// Block 0's plaintext, as last written.
    block0: Zeroizing<Vec<u8>>,
    /// Generation of the last block-0 write.
    generation: u64,
    /// The copy (0 or 1) holding the last synced block 0.
    synced_copy: usize,
    /// Whether the other copy has been written since the last sync.
    other_written: bool,
    /// Whether this backend holds the file lock.
    locked: bool,
}

impl std::fmt::Debug for EncryptedBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedBackend").finish_non_exhaustive()
    }
}

/// Opens (or creates) an encrypted store at `path` with `builder`'s settings. A store that is
/// already open elsewhere is [`redb::DatabaseError::DatabaseAlreadyOpen`]; other failures of the
/// backend (wrong key, damage) are [`redb::DatabaseError::Storage`] with an I/O error.
pub fn create_database(
    builder: &redb::Builder,
    path: &Path,
    key: &DataKey,
) -> Result<redb::Database, redb::DatabaseError> {
    let backend = match EncryptedBackend::open(path, key) {
        Ok(backend) => backend,
        Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
            return Err(redb::DatabaseError::DatabaseAlreadyOpen);
        }
        Err(err) => return Err(redb::DatabaseError::Storage(redb::StorageError::Io(err))),
    };
    builder.create_with_backend(backend)
}

fn damaged(what: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("wrong key or damaged store {what}"),
    )
}

/// Length of a copy of block 0 in a file of format `version`.
fn slot_len(version: u8) -> usize {
    if version == 1 { SLOT_LEN_V1 } else { SLOT_LEN }
}

fn slot_offset(version: u8, copy: usize) -> u64 {
    (HEADER_LEN + copy * slot_len(version)) as u64
}

/// Physical offset of block `index` ≥ 1 in a file of format `version`.
fn block_offset(version: u8, index: u64) -> u64 {
    (HEADER_LEN + 2 * slot_len(version)) as u64 + (index - 1) * PHYS_BLOCK as u64
}

/// Number of blocks holding `len` bytes; block 0 always exists.
fn blocks_for(len: u64) -> u64 {
    len.div_ceil(BLOCK as u64).max(1)
}

/// Physical length of a store of logical length `len` with every block written.
fn phys_len(version: u8, len: u64) -> u64 {
    block_offset(version, blocks_for(len))
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

impl EncryptedBackend {
    /// Opens the store at `path`, creating it (mode 0600) if the file is missing or empty, and
    /// locks it. Errors: [`io::ErrorKind::WouldBlock`] if it is open elsewhere;
    /// [`io::ErrorKind::InvalidData`] if it is not an encrypted store, the key is wrong, or it is
    /// damaged.
    pub fn open(path: &Path, key: &DataKey) -> io::Result<EncryptedBackend> {
        EncryptedBackend::open_making(path, key, VERSION)
    }

    /// [`EncryptedBackend::open`], making a new file in format `version` (tests make version 1
    /// files this way).
    fn open_making(path: &Path, key: &DataKey, version: u8) -> io::Result<EncryptedBackend> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    "the store is already open (locked by another handle)",
                ));
            }
            Err(TryLockError::Error(err)) => return Err(err),
        }
        let cipher = PageCipher::new(key.derive(PAGE_CONTEXT).expose());
        let mac_key = key.derive(HEADER_CONTEXT);
        let mut backend = EncryptedBackend {
            file,
            cipher,
            file_id: [0; FILE_ID_LEN],
            version,
            nonces: Mutex::new(Nonces {
                buf: Zeroizing::new(vec![0; NONCE_BATCH * NONCE_LEN]),
                used: NONCE_BATCH,
                #[cfg(test)]
                fixed: None,
            }),
            state: Mutex::new(State {
                len: 0,
                written: 1,
                slot_written: 1,
                block0: Zeroizing::new(vec![0; BLOCK]),
                generation: 0,
                synced_copy: 0,
                other_written: false,
                locked: true,
            }),
            #[cfg(test)]
            fault: None,
        };
        if backend.file.metadata()?.len() == 0 {
            backend.initialize(mac_key.expose())?;
            super::sync_dir(super::parent_dir(path)).map_err(io::Error::other)?;
        } else {
            backend.load(mac_key.expose())?;
        }
        Ok(backend)
    }

    fn header_bytes(&self, mac_key: &[u8; 32]) -> [u8; HEADER_LEN] {
        let mut h = [0; HEADER_LEN];
        h[..7].copy_from_slice(MAGIC);
        h[7] = self.version;
        h[8..24].copy_from_slice(&self.file_id);
        h[24..28].copy_from_slice(&(BLOCK as u32).to_le_bytes());
        let mac = blake3::keyed_hash(mac_key, &h[..32]);
        h[32..].copy_from_slice(mac.as_bytes());
        h
    }

    fn initialize(&mut self, mac_key: &[u8; 32]) -> io::Result<()> {
        super::random(&mut self.file_id).map_err(io::Error::other)?;
        // Header and both copies of block 0 in one write, so that a process killed here leaves
        // an empty file (made again at the next open), not a header without its block 0.
        let mut start = self.header_bytes(mac_key).to_vec();
        let block0 = Zeroizing::new(vec![0; BLOCK]);
        // Copy 0 is current (generation 1); copy 1 holds the same empty state as generation 0.
        for generation in [1, 0] {
            start.extend_from_slice(&self.seal_slot(generation, 0, 1, &block0)?);
        }
        self.file.write_all_at(&start, 0)?;
        self.file.sync_all()?;
        let state = self.state.get_mut().map_err(|_| poisoned())?;
        state.generation = 1;
        state.synced_copy = 0;
        Ok(())
    }

    fn load(&mut self, mac_key: &[u8; 32]) -> io::Result<()> {
        let mut h = [0; HEADER_LEN];
        let got = read_up_to(&self.file, &mut h, 0)?;
        if got < 8 || &h[..7] != MAGIC {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "not an encrypted store",
            ));
        }
        if h[7] != VERSION && h[7] != 1 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("unsupported encrypted store version {}", h[7]),
            ));
        }
        self.version = h[7];
        if got < HEADER_LEN {
            return Err(damaged("header (truncated)"));
        }
        self.file_id.copy_from_slice(&h[8..24]);
        let expected = blake3::keyed_hash(mac_key, &h[..32]);
        let mut found = [0; 32];
        found.copy_from_slice(&h[32..]);
        // blake3::Hash compares in constant time.
        if expected != blake3::Hash::from(found) || h[24..28] != (BLOCK as u32).to_le_bytes() {
            return Err(damaged("header"));
        }
        let mut best: Option<(usize, Opened)> = None;
        let slot_len = slot_len(self.version);
        let file_len = self.file.metadata()?.len();
        let mut too_short = false;
        for copy in 0..2 {
            let mut raw = vec![0; slot_len];
            if read_up_to(&self.file, &mut raw, self.slot_offset(copy))? < slot_len {
                continue;
            }
            let Some(opened) = self.open_slot(&raw) else {
                continue;
            };
            // A copy whose blocks are not all in the file is not a state to open: after a power
            // cut, its write may have reached the disk while the file's new length did not (the
            // other copy then holds the last synced state).
            if file_len < self.block_offset(opened.written) {
                too_short = true;
                continue;
            }
            if best
                .as_ref()
                .is_none_or(|b| opened.generation > b.1.generation)
            {
                best = Some((copy, opened));
            }
        }
        let Some((copy, opened)) = best else {
            if too_short {
                return Err(damaged("(the file is shorter than its recorded length)"));
            }
            return Err(damaged("page 0"));
        };
        // What was found may be a write that was never synced; make it durable before the other
        // copy is written over.
        self.file.sync_data()?;
        let state = self.state.get_mut().map_err(|_| poisoned())?;
        *state = State {
            len: opened.len,
            written: opened.written,
            slot_written: opened.written,
            block0: opened.block0,
            generation: opened.generation,
            synced_copy: copy,
            other_written: false,
            locked: true,
        };
        Ok(())
    }

    fn slot_offset(&self, copy: usize) -> u64 {
        slot_offset(self.version, copy)
    }

    fn block_offset(&self, index: u64) -> u64 {
        block_offset(self.version, index)
    }

    fn block_ad(&self, index: u64) -> [u8; FILE_ID_LEN + 1 + 8] {
        let mut ad = [0; FILE_ID_LEN + 1 + 8];
        ad[..FILE_ID_LEN].copy_from_slice(&self.file_id);
        ad[FILE_ID_LEN] = self.version;
        ad[FILE_ID_LEN + 1..].copy_from_slice(&index.to_le_bytes());
        ad
    }

    /// Associated data of a copy of block 0: the block's, then generation, length and (from
    /// version 2) the written mark.
    fn slot_ad(&self, generation: u64, len: u64, written: u64) -> Vec<u8> {
        let mut ad = Vec::with_capacity(FILE_ID_LEN + 1 + 32);
        ad.extend_from_slice(&self.block_ad(0));
        ad.extend_from_slice(&generation.to_le_bytes());
        ad.extend_from_slice(&len.to_le_bytes());
        if self.version >= 2 {
            ad.extend_from_slice(&written.to_le_bytes());
        }
        ad
    }

    /// Seals `plain` (one block) into `out` (one physical block) with associated data `ad`.
    fn seal_into(&self, plain: &[u8], ad: &[u8], out: &mut [u8]) -> io::Result<()> {
        let (nonce, rest) = out.split_at_mut(NONCE_LEN);
        let (body, tag_out) = rest.split_at_mut(BLOCK);
        self.nonces
            .lock()
            .map_err(|_| poisoned())?
            .take(nonce)
            .map_err(io::Error::other)?;
        body.copy_from_slice(plain);
        let nonce: &[u8; NONCE_LEN] = (&*nonce)
            .try_into()
            .map_err(|_| io::Error::other("nonce length"))?;
        let tag = self
            .cipher
            .seal(nonce, ad, body)
            .ok_or_else(|| io::Error::other("encryption failed"))?;
        tag_out.copy_from_slice(&tag);
        Ok(())
    }

    /// Opens a physical block into `plain`; false (and `plain` zeroed) if it does not
    /// authenticate.
    fn open_into(&self, phys: &[u8], ad: &[u8], plain: &mut [u8]) -> bool {
        let (nonce, rest) = phys.split_at(NONCE_LEN);
        let (body, tag) = rest.split_at(BLOCK);
        plain.copy_from_slice(body);
        let (Ok(nonce), Ok(tag)) = (<&[u8; NONCE_LEN]>::try_from(nonce), tag.try_into()) else {
            plain.zeroize();
            return false;
        };
        self.cipher.open(nonce, ad, plain, tag)
    }

    fn seal_slot(
        &self,
        generation: u64,
        len: u64,
        written: u64,
        block0: &[u8],
    ) -> io::Result<Vec<u8>> {
        let mut slot = vec![0; slot_len(self.version)];
        slot[..8].copy_from_slice(&generation.to_le_bytes());
        slot[8..16].copy_from_slice(&len.to_le_bytes());
        let sealed = if self.version >= 2 {
            slot[16..24].copy_from_slice(&written.to_le_bytes());
            24
        } else {
            16
        };
        let ad = self.slot_ad(generation, len, written);
        self.seal_into(block0, &ad, &mut slot[sealed..])?;
        Ok(slot)
    }

    fn open_slot(&self, raw: &[u8]) -> Option<Opened> {
        let generation = u64_at(raw, 0);
        let len = u64_at(raw, 8);
        if len > MAX_LEN {
            return None;
        }
        let (written, sealed) = if self.version >= 2 {
            (u64_at(raw, 16), 24)
        } else {
            (blocks_for(len), 16)
        };
        if written == 0 || written > blocks_for(len) {
            return None;
        }
        let mut block0 = Zeroizing::new(vec![0; BLOCK]);
        let ad = self.slot_ad(generation, len, written);
        self.open_into(&raw[sealed..], &ad, &mut block0)
            .then_some(Opened {
                generation,
                len,
                written,
                block0,
            })
    }

    /// Reads and opens block `index` ≥ 1 into `plain` (zeros from the written mark up).
    fn read_block(&self, index: u64, written: u64, plain: &mut [u8]) -> io::Result<()> {
        if index >= written {
            plain.fill(0);
            return Ok(());
        }
        let mut phys = vec![0; PHYS_BLOCK];
        if read_up_to(&self.file, &mut phys, self.block_offset(index))? < PHYS_BLOCK {
            return Err(damaged(format_args!("page {index} (missing)")));
        }
        if self.open_into(&phys, &self.block_ad(index), plain) {
            Ok(())
        } else {
            Err(damaged(format_args!("page {index}")))
        }
    }

    /// Writes block 0's current state to the copy that is not the synced one.
    fn write_slot(&self, state: &mut State) -> io::Result<()> {
        let generation = state.generation + 1;
        let copy = 1 - state.synced_copy;
        let slot = self.seal_slot(generation, state.len, state.written, &state.block0)?;
        #[cfg(test)]
        if let Some(fault) = &self.fault {
            fault.block0_write(&self.file, &slot, self.slot_offset(copy))?;
        }
        self.file.write_all_at(&slot, self.slot_offset(copy))?;
        state.generation = generation;
        state.slot_written = state.written;
        state.other_written = true;
        Ok(())
    }

    fn state(&self) -> io::Result<MutexGuard<'_, State>> {
        self.state.lock().map_err(|_| poisoned())
    }

    #[cfg(test)]
    fn check_crashed(&self) -> io::Result<()> {
        match &self.fault {
            Some(fault) => fault.check(),
            None => Ok(()),
        }
    }

    #[cfg(not(test))]
    fn check_crashed(&self) -> io::Result<()> {
        Ok(())
    }

    /// Overwrites part of a block: block 0 in memory, others read, patched and resealed.
    fn patch_block(&self, state: &mut State, index: u64, at: usize, data: &[u8]) -> io::Result<()> {
        if index == 0 {
            state.block0[at..at + data.len()].copy_from_slice(data);
            return Ok(());
        }
        let mut plain = Zeroizing::new(vec![0; BLOCK]);
        if data.len() < BLOCK {
            self.read_block(index, state.written, &mut plain)?;
        }
        plain[at..at + data.len()].copy_from_slice(data);
        self.fill_below(state, index)?;
        let mut phys = vec![0; PHYS_BLOCK];
        self.seal_into(&plain, &self.block_ad(index), &mut phys)?;
        self.file.write_all_at(&phys, self.block_offset(index))?;
        state.written = state.written.max(index + 1);
        Ok(())
    }

    /// Writes blocks from the written mark up to `index` (excluded) as encrypted zeros and
    /// raises the mark to `index`, so that a write at `index` leaves no unwritten block below
    /// the mark.
    fn fill_below(&self, state: &mut State, index: u64) -> io::Result<()> {
        if state.written >= index {
            return Ok(());
        }
        let zeros = vec![0; BLOCK * FILL_BATCH as usize];
        while state.written < index {
            let n = (index - state.written).min(FILL_BATCH);
            self.seal_blocks(state.written, &zeros[..n as usize * BLOCK])?;
            state.written += n;
        }
        Ok(())
    }

    /// Writes whole blocks `first..` from `data` (a multiple of the block size) and raises the
    /// written mark past them.
    fn write_whole_blocks(&self, state: &mut State, first: u64, data: &[u8]) -> io::Result<()> {
        self.fill_below(state, first)?;
        self.seal_blocks(first, data)?;
        state.written = state.written.max(first + (data.len() / BLOCK) as u64);
        Ok(())
    }

    /// Seals whole blocks `first..` from `data` into one buffer and writes it at once.
    fn seal_blocks(&self, first: u64, data: &[u8]) -> io::Result<()> {
        let count = data.len() / BLOCK;
        let mut phys = vec![0; count * PHYS_BLOCK];
        for (i, (plain, out)) in data
            .chunks_exact(BLOCK)
            .zip(phys.chunks_exact_mut(PHYS_BLOCK))
            .enumerate()
        {
            self.seal_into(plain, &self.block_ad(first + i as u64), out)?;
        }
        self.file.write_all_at(&phys, self.block_offset(first))
    }
}

/// Random nonces from the operating system, fetched [`NONCE_BATCH`] at a time. Each is used
/// once and its bytes in the buffer are then overwritten, never handed out twice.
struct Nonces {
    buf: Zeroizing<Vec<u8>>,
    /// How many of the buffer's nonces are used.
    used: usize,
    /// The test vector's nonce, used for every block.
    #[cfg(test)]
    fixed: Option<[u8; NONCE_LEN]>,
}

impl Nonces {
    fn take(&mut self, out: &mut [u8]) -> Result<(), super::Error> {
        #[cfg(test)]
        if let Some(fixed) = self.fixed {
            out.copy_from_slice(&fixed);
            return Ok(());
        }
        if self.used == NONCE_BATCH {
            super::random(&mut self.buf)?;
            self.used = 0;
        }
        let at = self.used * NONCE_LEN;
        out.copy_from_slice(&self.buf[at..at + NONCE_LEN]);
        self.buf[at..at + NONCE_LEN].fill(0);
        self.used += 1;
        Ok(())
    }
}

/// A copy of block 0 that opened.
struct Opened {
    generation: u64,
    len: u64,
    written: u64,
    block0: Zeroizing<Vec<u8>>,
}

fn poisoned() -> io::Error {
    io::Error::other("encrypted store backend poisoned by an earlier panic")
}

/// Reads as much of `buf` as the file holds at `offset`; returns how much.
fn read_up_to(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match file.read_at(&mut buf[done..], offset + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(done)
}

fn out_of_range(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("{what} beyond the end of the store"),
    )
}

fn is_whole_range(start: Bound<u64>, end: Bound<u64>) -> bool {
    matches!(start, Bound::Unbounded | Bound::Included(0)) && end == Bound::Unbounded
}

impl StorageBackend for EncryptedBackend {
    fn len(&self) -> io::Result<u64> {
        Ok(self.state()?.len)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        let end = offset
            .checked_add(out.len() as u64)
            .ok_or_else(|| out_of_range("read"))?;
        let written = {
            let state = self.state()?;
            if end > state.len {
                return Err(out_of_range("read"));
            }
            if offset < BLOCK as u64 {
                let stop = end.min(BLOCK as u64) as usize;
                out[..stop - offset as usize].copy_from_slice(&state.block0[offset as usize..stop]);
            }
            state.written
        };
        // Blocks other than 0 are read without the lock: redb never reads a page while it is
        // being written.
        let mut pos = offset.max(BLOCK as u64);
        let mut scratch: Option<Zeroizing<Vec<u8>>> = None;
        while pos < end {
            let index = pos / BLOCK as u64;
            let at = (pos % BLOCK as u64) as usize;
            let n = (BLOCK - at).min((end - pos) as usize);
            let dst = &mut out[(pos - offset) as usize..(pos - offset) as usize + n];
            if n == BLOCK {
                self.read_block(index, written, dst)?;
            } else {
                let plain = scratch.get_or_insert_with(|| Zeroizing::new(vec![0; BLOCK]));
                self.read_block(index, written, plain)?;
                dst.copy_from_slice(&plain[at..at + n]);
            }
            pos += n as u64;
        }
        Ok(())
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.check_crashed()?;
        if len > MAX_LEN {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "store length too large",
            ));
        }
        let mut state = self.state()?;
        let old = state.len;
        if len == old {
            return Ok(());
        }
        if len > old {
            // The new blocks read as zeros (they are above the written mark); the old last
            // block's tail past `old` is already zero. A version 1 file has no mark: its new
            // blocks are written as encrypted zeros. The file is extended (sparsely) now, so
            // that redb's sync after a growth makes the new length durable before any block
            // below the mark can lie past the end of the file.
            if self.version == 1 {
                self.fill_below(&mut state, blocks_for(len))?;
            }
            self.file.set_len(phys_len(self.version, len))?;
            state.len = len;
            return self.write_slot(&mut state);
        }
        // Shrinking: zero the kept block's tail, so that growing again reads zeros there.
        let at = (len % BLOCK as u64) as usize;
        let last = len / BLOCK as u64;
        if at != 0 && (last == 0 || last < state.written) {
            self.patch_block(&mut state, last, at, &vec![0; BLOCK - at])?;
        } else if len == 0 {
            state.block0.fill(0);
        }
        state.len = len;
        state.written = state.written.min(blocks_for(len));
        self.write_slot(&mut state)?;
        // The shorter length must be durable before the blocks past it are cut off.
        self.file.sync_data()?;
        state.synced_copy = 1 - state.synced_copy;
        state.other_written = false;
        self.file.set_len(phys_len(self.version, len))
    }

    fn sync_data(&self) -> io::Result<()> {
        self.check_crashed()?;
        // Under the lock, so that no block-0 write lands between the sync and the bookkeeping.
        let mut state = self.state()?;
        // Blocks written since the last block-0 write raised the mark: a sync must make them
        // readable after a reopen, so the mark goes out with it.
        if state.written != state.slot_written {
            self.write_slot(&mut state)?;
        }
        self.file.sync_data()?;
        if state.other_written {
            state.synced_copy = 1 - state.synced_copy;
            state.other_written = false;
        }
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        self.check_crashed()?;
        let end = offset
            .checked_add(data.len() as u64)
            .ok_or_else(|| out_of_range("write"))?;
        let mut state = self.state()?;
        if end > state.len {
            return Err(out_of_range("write"));
        }
        let mut pos = offset;
        let mut touched_block0 = false;
        while pos < end {
            let index = pos / BLOCK as u64;
            let at = (pos % BLOCK as u64) as usize;
            let src = &data[(pos - offset) as usize..];
            if at == 0 && index > 0 && src.len() >= BLOCK {
                // A run of whole blocks at once.
                let whole = src.len() / BLOCK * BLOCK;
                self.write_whole_blocks(&mut state, index, &src[..whole])?;
                pos += whole as u64;
                continue;
            }
            let n = (BLOCK - at).min(src.len());
            self.patch_block(&mut state, index, at, &src[..n])?;
            touched_block0 |= index == 0;
            pos += n as u64;
        }
        if touched_block0 {
            self.write_slot(&mut state)?;
        }
        Ok(())
    }

    fn close(&self) -> io::Result<()> {
        self.unlock_range(Bound::Unbounded, Bound::Unbounded)
            .map_err(|err| match err {
                BackendError::Io(err) => err,
                other => io::Error::other(other.to_string()),
            })
    }

    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        if !is_whole_range(start, end) {
            return Err(BackendError::Unsupported);
        }
        let mut state = self.state().map_err(BackendError::Io)?;
        if state.locked {
            return Ok(true);
        }
        match self.file.try_lock() {
            Ok(()) => {
                state.locked = true;
                Ok(true)
            }
            Err(TryLockError::WouldBlock) => Ok(false),
            Err(TryLockError::Error(err)) => Err(BackendError::Io(err)),
        }
    }

    fn try_lock_shared_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> Result<bool, BackendError> {
        // The exclusive lock taken on open covers a shared request too.
        self.try_lock_range(start, end)
    }

    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        if !is_whole_range(start, end) {
            return Err(BackendError::Unsupported);
        }
        let mut state = self.state().map_err(BackendError::Io)?;
        if state.locked {
            self.file.unlock().map_err(BackendError::Io)?;
            state.locked = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
