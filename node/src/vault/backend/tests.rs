use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use redb::{ReadableDatabase, ReadableTable, TableDefinition};

use super::*;

/// A simulated crash: the `tear_at`-th block-0 write from now is cut half-way, and from then on
/// every write, resize and sync fails, as if the process had died there.
#[derive(Debug, Default)]
pub(super) struct Fault {
    tear_at: AtomicU64,
    seen: AtomicU64,
    crashed: AtomicBool,
}

impl Fault {
    fn tearing(n: u64) -> Arc<Fault> {
        let fault = Fault::default();
        fault.tear_at.store(n, Ordering::SeqCst);
        Arc::new(fault)
    }

    pub(super) fn check(&self) -> io::Result<()> {
        if self.crashed.load(Ordering::SeqCst) {
            Err(io::Error::other("simulated crash"))
        } else {
            Ok(())
        }
    }

    pub(super) fn block0_write(&self, file: &File, slot: &[u8], offset: u64) -> io::Result<()> {
        self.check()?;
        let n = self.seen.fetch_add(1, Ordering::SeqCst) + 1;
        if n == self.tear_at.load(Ordering::SeqCst) {
            file.write_all_at(&slot[..slot.len() / 2], offset)?;
            self.crashed.store(true, Ordering::SeqCst);
            return Err(io::Error::other("simulated crash"));
        }
        Ok(())
    }
}

const TABLE: TableDefinition<&str, &str> = TableDefinition::new("notes");

fn key(byte: u8) -> DataKey {
    DataKey::from_bytes(&[byte; 32])
}

fn open_db(path: &Path, key: &DataKey) -> Result<redb::Database, redb::DatabaseError> {
    create_database(&redb::Builder::new(), path, key)
}

fn put(db: &redb::Database, pairs: &[(&str, &str)]) -> Result<(), redb::Error> {
    let mut txn = db.begin_write()?;
    txn.set_two_phase_commit(true);
    {
        let mut table = txn.open_table(TABLE)?;
        for (k, v) in pairs {
            table.insert(*k, *v)?;
        }
    }
    txn.commit()?;
    Ok(())
}

fn read_all(db: &redb::Database) -> Result<Vec<(String, String)>, redb::Error> {
    let txn = db.begin_read()?;
    let table = txn.open_table(TABLE)?;
    let mut out = Vec::new();
    for entry in table.iter()? {
        let (k, v) = entry?;
        out.push((k.value().to_owned(), v.value().to_owned()));
    }
    Ok(out)
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<_> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    v.sort();
    v
}

const SECRETS: [(&str, &str); 3] = [
    (
        "witness-statement",
        "the convoy passed the checkpoint at dawn",
    ),
    ("contact", "Amina, second floor, blue door"),
    ("location", "safehouse-longitude-31.2357"),
];

/// A store holding SECRETS, closed.
fn sample_store(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("store.redb");
    let db = open_db(&path, &key(1)).expect("create");
    put(&db, &SECRETS).expect("put");
    drop(db);
    path
}

#[test]
fn round_trip_through_redb() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = sample_store(dir.path());
    let db = open_db(&path, &key(1)).expect("reopen");
    assert_eq!(read_all(&db).expect("read"), owned(&SECRETS));
    put(&db, &[("more", "after reopening")]).expect("put");
    drop(db);
    let db = open_db(&path, &key(1)).expect("reopen again");
    let mut expected = SECRETS.to_vec();
    expected.push(("more", "after reopening"));
    assert_eq!(read_all(&db).expect("read"), owned(&expected));
}

#[test]
fn another_key_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = sample_store(dir.path());
    let err = open_db(&path, &key(2)).expect_err("opened with the wrong key");
    assert!(err.to_string().contains("wrong key"), "{err}");
    // And the right key still works: the failed open changed nothing.
    let db = open_db(&path, &key(1)).expect("reopen");
    assert_eq!(read_all(&db).expect("read"), owned(&SECRETS));
}

#[test]
fn a_plain_redb_file_is_not_an_encrypted_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("plain.redb");
    drop(redb::Database::create(&path).expect("plain"));
    let err = EncryptedBackend::open(&path, &key(1)).expect_err("plain file opened");
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(err.to_string().contains("not an encrypted store"), "{err}");
}

#[test]
fn the_raw_file_shows_none_of_the_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = sample_store(dir.path());
    let raw = std::fs::read(&path).expect("raw");
    assert!(raw.len() > HEADER_LEN + 2 * SLOT_LEN);
    let needles: Vec<&[u8]> = SECRETS
        .iter()
        .flat_map(|(k, v)| [k.as_bytes(), v.as_bytes()])
        .chain([b"notes".as_slice(), b"redb".as_slice()])
        .collect();
    for needle in needles {
        assert!(
            !raw.windows(needle.len()).any(|w| w == needle),
            "{:?} is in the file",
            String::from_utf8_lossy(needle)
        );
    }
}

/// Flips one bit at many places across the file: each time the store either fails (to open or
/// to read) or reads exactly what was written; it never reads something else.
#[test]
fn a_flipped_bit_anywhere_is_an_error_never_wrong_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = sample_store(dir.path());
    let pristine = std::fs::read(&path).expect("raw");
    let mut places: Vec<usize> = (0..HEADER_LEN).collect();
    for copy in 0..2 {
        let start = slot_offset(VERSION, copy) as usize;
        places.extend([
            start,
            start + 8,
            start + 16,
            start + 40,
            start + 2000,
            start + SLOT_LEN - 1,
        ]);
    }
    let mut at = HEADER_LEN + 2 * SLOT_LEN;
    while at < pristine.len() {
        places.extend([at, at + NONCE_LEN + 7, at + PHYS_BLOCK - 1]);
        at += PHYS_BLOCK * 3;
    }
    let mut errors = 0;
    for (n, &place) in places.iter().enumerate() {
        let mut damaged = pristine.clone();
        damaged[place] ^= 1 << (n % 8);
        std::fs::write(&path, &damaged).expect("damage");
        let outcome = open_db(&path, &key(1))
            .map_err(redb::Error::from)
            .and_then(|db| read_all(&db));
        match outcome {
            Ok(read) => assert_eq!(read, owned(&SECRETS), "wrong data after a flip at {place}"),
            Err(_) => errors += 1,
        }
        if place < HEADER_LEN {
            assert!(
                open_db(&path, &key(1)).is_err(),
                "a flip in the header at {place} went unnoticed"
            );
        }
    }
    // Not a vacuous test: the header alone gives 64 errors, and damage in pages redb uses more.
    assert!(
        errors > HEADER_LEN,
        "{errors} errors in {} flips",
        places.len()
    );
}

#[test]
fn swapped_truncated_or_zeroed_blocks_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("raw.store");
    let backend = EncryptedBackend::open(&path, &key(1)).expect("open");
    backend.set_len(4 * BLOCK as u64).expect("grow");
    for i in 0..4u8 {
        backend
            .write(i as u64 * BLOCK as u64, &[i + 1; BLOCK])
            .expect("write");
    }
    backend.sync_data().expect("sync");
    drop(backend);
    let pristine = std::fs::read(&path).expect("raw");
    let block =
        |i: u64| block_offset(VERSION, i) as usize..block_offset(VERSION, i) as usize + PHYS_BLOCK;

    // Untouched, all four blocks read back.
    let backend = EncryptedBackend::open(&path, &key(1)).expect("open");
    let mut out = vec![0; BLOCK];
    backend.read(2 * BLOCK as u64, &mut out).expect("read");
    assert_eq!(out, vec![3; BLOCK]);
    drop(backend);

    // Blocks 1 and 2 swapped.
    let mut swapped = pristine.clone();
    let (one, two) = (pristine[block(1)].to_vec(), pristine[block(2)].to_vec());
    swapped[block(1)].copy_from_slice(&two);
    swapped[block(2)].copy_from_slice(&one);
    std::fs::write(&path, &swapped).expect("swap");
    let backend = EncryptedBackend::open(&path, &key(1)).expect("open");
    let err = backend
        .read(BLOCK as u64, &mut out)
        .expect_err("swapped block read");
    assert!(err.to_string().contains("damaged store page 1"), "{err}");
    assert!(backend.read(2 * BLOCK as u64, &mut out).is_err());
    assert!(backend.read(3 * BLOCK as u64, &mut out).is_ok());
    drop(backend);

    // Block 2 zeroed: not taken as "never written".
    let mut zeroed = pristine.clone();
    zeroed[block(2)].fill(0);
    std::fs::write(&path, &zeroed).expect("zero");
    let backend = EncryptedBackend::open(&path, &key(1)).expect("open");
    assert!(backend.read(2 * BLOCK as u64, &mut out).is_err());
    drop(backend);

    // The last block cut off: the newest copy of block 0 no longer has all its blocks, so the
    // store opens at the other copy, the last synced state before it (as after a power cut
    // that kept a copy's write but not the file's length): here the new, empty store.
    std::fs::write(&path, &pristine[..pristine.len() - 1]).expect("truncate");
    let backend = EncryptedBackend::open(&path, &key(1)).expect("opens at the older copy");
    assert_eq!(backend.len().expect("len"), 0);
    drop(backend);
    // Cut so far that neither copy has its blocks: it does not open.
    let (a, b) = (
        slot_offset(VERSION, 0) as usize,
        slot_offset(VERSION, 1) as usize,
    );
    let mut older_too = pristine.clone();
    // Both copies say W = 4 when the older one is replaced by the newer one.
    let newer = if older_too[a] > older_too[b] { a } else { b };
    let copy = older_too[newer..newer + SLOT_LEN].to_vec();
    let other = if newer == a { b } else { a };
    older_too[other..other + SLOT_LEN].copy_from_slice(&copy);
    std::fs::write(&path, &older_too[..older_too.len() - 1]).expect("truncate");
    let err = EncryptedBackend::open(&path, &key(1)).expect_err("truncated store opened");
    assert!(err.to_string().contains("shorter"), "{err}");
}

#[test]
fn unaligned_writes_reads_and_resizes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("raw.store");
    let backend = EncryptedBackend::open(&path, &key(1)).expect("open");
    assert_eq!(backend.len().expect("len"), 0);
    let mut model = vec![0u8; 3 * BLOCK + 100];
    backend.set_len(model.len() as u64).expect("grow");
    // A write straddling blocks 0, 1 and 2, and one inside block 3's tail.
    let data: Vec<u8> = (0..2 * BLOCK + 10).map(|i| (i % 251) as u8).collect();
    backend.write(BLOCK as u64 - 5, &data).expect("write");
    model[BLOCK - 5..BLOCK - 5 + data.len()].copy_from_slice(&data);
    backend
        .write(3 * BLOCK as u64 + 50, b"tail")
        .expect("write tail");
    model[3 * BLOCK + 50..3 * BLOCK + 54].copy_from_slice(b"tail");
    let mut out = vec![0; model.len()];
    backend.read(0, &mut out).expect("read");
    assert_eq!(out, model);
    let mut part = vec![0; 7];
    backend
        .read(2 * BLOCK as u64 - 3, &mut part)
        .expect("read part");
    assert_eq!(part, model[2 * BLOCK - 3..2 * BLOCK + 4]);
    // Out of range.
    assert!(backend.read(model.len() as u64 - 1, &mut part).is_err());
    assert!(backend.write(model.len() as u64, b"x").is_err());

    // Shrinking into block 1, then growing: the cut-off bytes come back as zeros.
    backend.set_len(BLOCK as u64 + 10).expect("shrink");
    model.truncate(BLOCK + 10);
    model.resize(3 * BLOCK, 0);
    backend.set_len(3 * BLOCK as u64).expect("grow again");
    backend.sync_data().expect("sync");
    drop(backend);
    let backend = EncryptedBackend::open(&path, &key(1)).expect("reopen");
    assert_eq!(backend.len().expect("len"), model.len() as u64);
    let mut out = vec![0; model.len()];
    backend.read(0, &mut out).expect("read");
    assert_eq!(out, model);
    assert_eq!(
        std::fs::metadata(&path).expect("meta").len(),
        phys_len(VERSION, model.len() as u64)
    );
}

#[test]
fn a_store_larger_than_the_cache_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.redb");
    let value = |i: u32| format!("{i:08} {}", "x".repeat(1000 + (i % 97) as usize));
    let build = || {
        let mut b = redb::Builder::new();
        b.set_cache_size(256 * 1024);
        b
    };
    let db = create_database(&build(), &path, &key(7)).expect("create");
    for chunk in 0..5u32 {
        let mut txn = db.begin_write().expect("begin");
        txn.set_two_phase_commit(true);
        {
            let mut table = txn.open_table(TABLE).expect("table");
            for i in chunk * 1000..(chunk + 1) * 1000 {
                table
                    .insert(format!("key{i:05}").as_str(), value(i).as_str())
                    .expect("insert");
            }
        }
        txn.commit().expect("commit");
    }
    drop(db);
    assert!(std::fs::metadata(&path).expect("meta").len() > 5 << 20);
    let db = create_database(&build(), &path, &key(7)).expect("reopen");
    let txn = db.begin_read().expect("read");
    let table = txn.open_table(TABLE).expect("table");
    let mut count = 0;
    for (n, entry) in table.iter().expect("iter").enumerate() {
        let (k, v) = entry.expect("entry");
        assert_eq!(k.value(), format!("key{n:05}"));
        assert_eq!(v.value(), value(n as u32));
        count += 1;
    }
    assert_eq!(count, 5000);
}

/// A crash that tears the n-th block-0 write of a commit, for every n the commit and the close
/// make: the reopened store holds the previous commit or the new one, whole, and a tear before
/// redb made the new commit primary leaves the previous one.
#[test]
fn a_torn_block_zero_write_keeps_the_previous_commit() {
    let before = [("a", "first commit"), ("b", "kept")];
    let after = [("a", "second commit"), ("c", "added")];
    let mut expected_after = owned(&[("a", "second commit"), ("b", "kept"), ("c", "added")]);
    expected_after.sort();

    // How many block-0 writes the second commit and the close make, untorn.
    let counting = Fault::tearing(0);
    let setup = |dir: &Path| {
        let path = dir.join("s.redb");
        let db = open_db(&path, &key(1)).expect("create");
        put(&db, &before).expect("first");
        path
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = setup(dir.path());
    let mut backend = EncryptedBackend::open(&path, &key(1)).expect("open");
    backend.fault = Some(counting.clone());
    let db = redb::Builder::new()
        .create_with_backend(backend)
        .expect("open counted");
    let at_start = counting.seen.load(Ordering::SeqCst);
    put(&db, &after).expect("second");
    drop(db);
    let writes = counting.seen.load(Ordering::SeqCst) - at_start;
    assert!(writes >= 2, "{writes} block-0 writes");

    let mut kept_previous = 0;
    for n in 1..=writes {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = setup(dir.path());
        let fault = Fault::tearing(0);
        let mut backend = EncryptedBackend::open(&path, &key(1)).expect("open");
        backend.fault = Some(fault.clone());
        let db = redb::Builder::new()
            .create_with_backend(backend)
            .expect("open with fault");
        fault
            .tear_at
            .store(fault.seen.load(Ordering::SeqCst) + n, Ordering::SeqCst);
        let committed = put(&db, &after).is_ok();
        drop(db);
        assert!(
            fault.crashed.load(Ordering::SeqCst),
            "write {n} was never made"
        );

        let db = open_db(&path, &key(1)).expect("reopen after the crash");
        let found = read_all(&db).expect("read after the crash");
        if found == owned(&before) {
            assert!(!committed, "tear {n}: an acknowledged commit was lost");
            kept_previous += 1;
        } else {
            assert_eq!(found, expected_after, "tear {n}: neither commit");
        }
        // And the store keeps working.
        put(&db, &[("z", "later")]).expect("write after recovery");
    }
    assert!(kept_previous >= 1, "no tear fell before the commit");
}

#[test]
fn a_second_open_fails_as_already_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = sample_store(dir.path());
    let first = open_db(&path, &key(1)).expect("first");
    let second = open_db(&path, &key(1)).expect_err("second open");
    assert!(
        matches!(second, redb::DatabaseError::DatabaseAlreadyOpen),
        "{second:?}"
    );
    let raw = EncryptedBackend::open(&path, &key(1)).expect_err("raw second open");
    assert_eq!(raw.kind(), io::ErrorKind::WouldBlock);
    drop(first);
    let again = open_db(&path, &key(1)).expect("open after close");
    assert_eq!(read_all(&again).expect("read"), owned(&SECRETS));
}

/// Bytes the file system holds for `path` (sparse regions take none).
fn allocated(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).expect("meta").blocks() * 512
}

#[test]
fn growing_writes_no_blocks_and_unwritten_blocks_read_as_zeros() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("raw.store");
    let backend = EncryptedBackend::open(&path, &key(1)).expect("open");
    let blocks = 2_000u64;
    backend.set_len(blocks * BLOCK as u64).expect("grow");
    backend.sync_data().expect("sync");
    // 8 MiB of logical length, and nothing but the header and block 0 on disk.
    assert_eq!(
        std::fs::metadata(&path).expect("meta").len(),
        phys_len(VERSION, blocks * BLOCK as u64)
    );
    assert!(allocated(&path) < 64 * 1024, "{} bytes", allocated(&path));
    let mut out = vec![0xff; BLOCK];
    backend.read(1_500 * BLOCK as u64, &mut out).expect("read");
    assert_eq!(out, vec![0; BLOCK]);

    // A write at block 10 writes blocks 1..10 as zeros and raises the mark to 11; with no
    // block-0 write after it, the sync still makes it readable after a reopen.
    backend
        .write(10 * BLOCK as u64, &[7; BLOCK])
        .expect("write");
    backend.sync_data().expect("sync");
    drop(backend);
    let backend = EncryptedBackend::open(&path, &key(1)).expect("reopen");
    assert_eq!(backend.state().expect("state").written, 11);
    backend.read(10 * BLOCK as u64, &mut out).expect("read");
    assert_eq!(out, vec![7; BLOCK]);
    backend.read(5 * BLOCK as u64, &mut out).expect("read");
    assert_eq!(out, vec![0; BLOCK]);
    drop(backend);

    let pristine = std::fs::read(&path).expect("raw");
    let block =
        |i: u64| block_offset(VERSION, i) as usize..block_offset(VERSION, i) as usize + PHYS_BLOCK;
    // A block below the mark that an attacker zeroes is an error, not zeros...
    let mut zeroed = pristine.clone();
    zeroed[block(5)].fill(0);
    std::fs::write(&path, &zeroed).expect("zero");
    let backend = EncryptedBackend::open(&path, &key(1)).expect("open");
    assert!(backend.read(5 * BLOCK as u64, &mut out).is_err());
    drop(backend);
    // ...and a block above it that an attacker fills is never read: it stays zeros.
    let mut filled = pristine.clone();
    filled[block(12)].copy_from_slice(&pristine[block(10)]);
    std::fs::write(&path, &filled).expect("fill");
    let backend = EncryptedBackend::open(&path, &key(1)).expect("open");
    backend.read(12 * BLOCK as u64, &mut out).expect("read");
    assert_eq!(out, vec![0; BLOCK]);
    drop(backend);
    // Cutting the file below the mark: the copy that raised the mark is passed over, and the
    // older one (mark 1) reads block 10 as zeros, never as other data.
    std::fs::write(&path, &pristine[..block(10).end - 1]).expect("truncate");
    let backend = EncryptedBackend::open(&path, &key(1)).expect("opens at the older copy");
    assert_eq!(backend.state().expect("state").written, 1);
    backend.read(10 * BLOCK as u64, &mut out).expect("read");
    assert_eq!(out, vec![0; BLOCK]);
}

#[test]
fn a_version_1_store_is_read_and_written_as_version_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v1.redb");
    let backend = EncryptedBackend::open_making(&path, &key(3), 1).expect("make v1");
    let db = redb::Builder::new()
        .create_with_backend(backend)
        .expect("create v1");
    put(&db, &SECRETS[..2]).expect("put");
    drop(db);
    let raw = std::fs::read(&path).expect("raw");
    assert_eq!(raw[7], 1);
    // Every block below the length is written in a version 1 file.
    assert_eq!(
        allocated(&path) / 4096,
        std::fs::metadata(&path).expect("meta").len().div_ceil(4096)
    );

    let db = open_db(&path, &key(3)).expect("reopen v1");
    assert_eq!(read_all(&db).expect("read"), owned(&SECRETS[..2]));
    put(&db, &SECRETS[2..]).expect("put more");
    drop(db);
    let db = open_db(&path, &key(3)).expect("reopen v1 again");
    assert_eq!(read_all(&db).expect("read"), owned(&SECRETS));
    drop(db);
    assert_eq!(std::fs::read(&path).expect("raw")[7], 1);
}

/// The vector of `docs/protocol.md` section 20: a header, a copy of block 0 and block 1, with
/// the data key 00 01 … 1f, the file id 10 11 … 1f and the nonce c0 c1 … d7.
#[test]
fn protocol_vector() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = DataKey::from_bytes(&core::array::from_fn(|i| i as u8));
    let mut backend = EncryptedBackend::open(&dir.path().join("v.store"), &key).expect("open");
    backend.file_id = core::array::from_fn(|i| 0x10 + i as u8);
    backend.nonces.get_mut().expect("nonces").fixed =
        Some(core::array::from_fn(|i| 0xc0 + i as u8));
    let header = backend.header_bytes(key.derive(HEADER_CONTEXT).expose());
    let block0: Vec<u8> = (0..BLOCK).map(|i| i as u8).collect();
    let slot = backend.seal_slot(1, 8192, 2, &block0).expect("slot");
    let mut block1 = vec![0; PHYS_BLOCK];
    backend
        .seal_into(&[0x5a; BLOCK], &backend.block_ad(1), &mut block1)
        .expect("block 1");
    let hex = |b: &[u8]| data_encoding::HEXLOWER.encode(b);
    assert_eq!(hex(&header), HEADER_HEX);
    assert_eq!(slot.len(), SLOT_LEN);
    assert_eq!(hex(&slot[..48]), SLOT_START_HEX);
    assert_eq!(hex(&slot[SLOT_LEN - 16..]), SLOT_TAG_HEX);
    assert_eq!(blake3::hash(&slot).to_hex().as_str(), SLOT_BLAKE3);
    assert_eq!(hex(&block1[PHYS_BLOCK - 16..]), BLOCK1_TAG_HEX);
    assert_eq!(blake3::hash(&block1).to_hex().as_str(), BLOCK1_BLAKE3);
    // And it reads back.
    let opened = backend.open_slot(&slot).expect("opens");
    assert_eq!(
        (opened.generation, opened.len, opened.written),
        (1, 8192, 2)
    );
    assert_eq!(&opened.block0[..], &block0[..]);
}

const HEADER_HEX: &str = "7773667061676502101112131415161718191a1b1c1d1e1f001000000000000051a589fdc48cc9c890b9029ec9ad66606932fb8f0d1596f3bbfb74f0596c11ea";
const SLOT_START_HEX: &str = "010000000000000000200000000000000200000000000000c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7";
const SLOT_TAG_HEX: &str = "94918b9d5aee4621c160a3b15480f96a";
const SLOT_BLAKE3: &str = "90a154957a795c904e0f7a6aad6869e42ac02f58906a1f30ab3da32bd2cf250b";
const BLOCK1_TAG_HEX: &str = "d0b4c9c41b31c807fee9838ebb72e7f4";
const BLOCK1_BLAKE3: &str = "e06b923e2ac66cf263cd1a742b295d164c616670d09bb926f610803f4097037a";
