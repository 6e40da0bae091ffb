//! The key slot: the [`DataKey`] wrapped under a key derived from the passphrase.
//!
//! A slot is 108 bytes (format in `docs/protocol.md`, "Encrypted data directory: key slot"):
//! a header with the Argon2id parameters, salt and nonce, then the XChaCha20-Poly1305
//! encryption of the data key with the header as associated data, so that neither the
//! parameters nor the salt can be altered without the slot failing to open.
//!
//! On disk the slot is kept twice, `key.slot` and `key.slot.bak`, each replaced atomically, so a
//! crash or a damaged sector leaves one copy that opens. [`destroy`] overwrites both.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use zeroize::{Zeroize, Zeroizing};

use super::{DataKey, Error, KEY_LEN};

/// The slot's first seven bytes.
pub const MAGIC: &[u8; 7] = b"wsfslot";
/// The format version this build writes and reads.
pub const VERSION: u8 = 1;
/// Salt length.
pub const SALT_LEN: usize = 16;
/// XChaCha20 nonce length.
pub const NONCE_LEN: usize = 24;
/// Poly1305 tag length.
pub const TAG_LEN: usize = 16;
/// The header: magic, version, m, t, p, salt, nonce. It is the associated data.
pub const HEADER_LEN: usize = 8 + 12 + SALT_LEN + NONCE_LEN;
/// A whole slot.
pub const SLOT_LEN: usize = HEADER_LEN + KEY_LEN + TAG_LEN;

/// The main copy's file name.
pub const FILE_NAME: &str = "key.slot";
/// The backup copy's file name.
pub const BACKUP_FILE_NAME: &str = "key.slot.bak";

/// Largest accepted memory cost, KiB (4 GiB).
pub const MAX_M_KIB: u32 = 4 * 1024 * 1024;
/// Largest accepted number of passes.
pub const MAX_T: u32 = 64;
/// Largest accepted parallelism.
pub const MAX_P: u32 = 16;
/// Memory [`Params::calibrate`] aims for, KiB (256 MiB).
pub const TARGET_M_KIB: u32 = 256 * 1024;
/// Memory [`Params::calibrate`] will not go below, KiB (64 MiB).
pub const FLOOR_M_KIB: u32 = 64 * 1024;
/// Default time [`Params::calibrate`] aims one derivation to take.
pub const DEFAULT_TARGET: Duration = Duration::from_millis(500);

/// Argon2id cost parameters, always within the bounds above.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    m_kib: u32,
    t: u32,
    p: u32,
}

impl Params {
    /// Parameters checked against the accepted bounds: 1 ≤ t ≤ 64, 1 ≤ p ≤ 16,
    /// 8·p ≤ m ≤ 4 GiB (in KiB). Nothing is allocated.
    pub fn new(m_kib: u32, t: u32, p: u32) -> Result<Params, Error> {
        if !(1..=MAX_P).contains(&p) {
            return Err(Error::ParamsOutOfRange("parallelism"));
        }
        if !(1..=MAX_T).contains(&t) {
            return Err(Error::ParamsOutOfRange("passes"));
        }
        if m_kib > MAX_M_KIB || m_kib < 8 * p {
            return Err(Error::ParamsOutOfRange("memory"));
        }
        Ok(Params { m_kib, t, p })
    }

    /// Memory cost in KiB.
    pub fn m_kib(&self) -> u32 {
        self.m_kib
    }

    /// Number of passes.
    pub fn t(&self) -> u32 {
        self.t
    }

    /// Parallelism (lanes).
    pub fn p(&self) -> u32 {
        self.p
    }

    /// Parameters for this machine: memory 256 MiB, halved while it cannot be allocated down to
    /// 64 MiB (below that, [`Error::OutOfMemory`]), then passes raised until one derivation takes
    /// at least `target` (up to 64 passes). Takes a few times `target` to run.
    pub fn calibrate(target: Duration) -> Result<Params, Error> {
        let mut m_kib = TARGET_M_KIB;
        let first = loop {
            let params = Params::new(m_kib, 1, 1)?;
            match time_one(params) {
                Ok(elapsed) => break elapsed,
                Err(Error::OutOfMemory) if m_kib / 2 >= FLOOR_M_KIB => m_kib /= 2,
                Err(err) => return Err(err),
            }
        };
        let mut t = 1;
        let mut elapsed = first;
        while elapsed < target && t < MAX_T {
            // Passes cost about the same each; aim straight at the target, then step up.
            let per_pass = first.as_secs_f64().max(1e-6);
            let estimate = (target.as_secs_f64() / per_pass).ceil() as u32;
            t = estimate.clamp(t + 1, MAX_T);
            elapsed = time_one(Params::new(m_kib, t, 1)?)?;
        }
        Params::new(m_kib, t, 1)
    }

    /// Tiny parameters (8 KiB, one pass) so tests run fast. Only in test builds and with the
    /// `test-params` feature, which the shipped binary never enables.
    #[cfg(any(test, feature = "test-params"))]
    pub fn insecure_for_tests() -> Params {
        Params {
            m_kib: 8,
            t: 1,
            p: 1,
        }
    }

    fn argon2(&self) -> Result<argon2::Argon2<'static>, Error> {
        let params = argon2::Params::new(self.m_kib, self.t, self.p, Some(KEY_LEN))
            .map_err(|_| Error::ParamsOutOfRange("rejected by Argon2"))?;
        Ok(argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            params,
        ))
    }
}

/// How long one derivation with `params` takes here.
fn time_one(params: Params) -> Result<Duration, Error> {
    let start = Instant::now();
    let key = kek(b"calibration", &[0; SALT_LEN], params)?;
    let elapsed = start.elapsed();
    drop(key);
    Ok(elapsed)
}

/// The key-encryption key: Argon2id of the passphrase.
fn kek(
    passphrase: &[u8],
    salt: &[u8; SALT_LEN],
    params: Params,
) -> Result<Zeroizing<[u8; KEY_LEN]>, Error> {
    let mut out = Zeroizing::new([0; KEY_LEN]);
    params
        .argon2()?
        .hash_password_into(passphrase, salt, &mut out[..])
        .map_err(|err| match err {
            argon2::Error::OutOfMemory => Error::OutOfMemory,
            _ => Error::ParamsOutOfRange("rejected by Argon2"),
        })?;
    Ok(out)
}

/// A data key wrapped under a passphrase.
#[derive(Clone, PartialEq, Eq)]
pub struct KeySlot {
    params: Params,
    salt: [u8; SALT_LEN],
    nonce: [u8; NONCE_LEN],
    /// The wrapped key followed by the tag.
    sealed: [u8; KEY_LEN + TAG_LEN],
}

impl std::fmt::Debug for KeySlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySlot")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl KeySlot {
    /// A new random data key and the slot wrapping it under `passphrase`.
    pub fn create(passphrase: &[u8], params: Params) -> Result<(KeySlot, DataKey), Error> {
        let key = DataKey::generate()?;
        let slot = KeySlot::wrap(&key, passphrase, params)?;
        Ok((slot, key))
    }

    /// Wraps an existing data key (fresh salt and nonce).
    pub fn wrap(key: &DataKey, passphrase: &[u8], params: Params) -> Result<KeySlot, Error> {
        let mut salt = [0; SALT_LEN];
        let mut nonce = [0; NONCE_LEN];
        super::random(&mut salt)?;
        super::random(&mut nonce)?;
        KeySlot::wrap_with(key, passphrase, params, salt, nonce)
    }

    /// Wraps with the given salt and nonce: the deterministic core, for the test vector.
    fn wrap_with(
        key: &DataKey,
        passphrase: &[u8],
        params: Params,
        salt: [u8; SALT_LEN],
        nonce: [u8; NONCE_LEN],
    ) -> Result<KeySlot, Error> {
        let mut slot = KeySlot {
            params,
            salt,
            nonce,
            sealed: [0; KEY_LEN + TAG_LEN],
        };
        let kek = kek(passphrase, &salt, params)?;
        let cipher = XChaCha20Poly1305::new((&*kek).into());
        let mut buf = Zeroizing::new(*key.expose());
        let tag = cipher
            .encrypt_in_place_detached(XNonce::from_slice(&nonce), &slot.header(), &mut buf[..])
            .map_err(|_| Error::ParamsOutOfRange("cipher refused the key"))?;
        slot.sealed[..KEY_LEN].copy_from_slice(&buf[..]);
        slot.sealed[KEY_LEN..].copy_from_slice(&tag);
        Ok(slot)
    }

    /// The data key, if `passphrase` is the one the slot was made with. Runs one Argon2id
    /// derivation with the slot's (bounded) parameters.
    pub fn unlock(&self, passphrase: &[u8]) -> Result<DataKey, Error> {
        let kek = kek(passphrase, &self.salt, self.params)?;
        let cipher = XChaCha20Poly1305::new((&*kek).into());
        let mut buf = Zeroizing::new([0; KEY_LEN]);
        buf.copy_from_slice(&self.sealed[..KEY_LEN]);
        cipher
            .decrypt_in_place_detached(
                XNonce::from_slice(&self.nonce),
                &self.header(),
                &mut buf[..],
                Tag::from_slice(&self.sealed[KEY_LEN..]),
            )
            .map_err(|_| Error::WrongPassphrase)?;
        Ok(DataKey::from_bytes(&buf))
    }

    /// A new slot holding the same data key under `new` (fresh salt and nonce), if `old` opens
    /// this one.
    pub fn rewrap(&self, old: &[u8], new: &[u8], params: Params) -> Result<KeySlot, Error> {
        let key = self.unlock(old)?;
        KeySlot::wrap(&key, new, params)
    }

    /// The parameters the slot was made with.
    pub fn params(&self) -> Params {
        self.params
    }

    fn header(&self) -> [u8; HEADER_LEN] {
        let mut h = [0; HEADER_LEN];
        h[..7].copy_from_slice(MAGIC);
        h[7] = VERSION;
        h[8..12].copy_from_slice(&self.params.m_kib.to_le_bytes());
        h[12..16].copy_from_slice(&self.params.t.to_le_bytes());
        h[16..20].copy_from_slice(&self.params.p.to_le_bytes());
        h[20..36].copy_from_slice(&self.salt);
        h[36..60].copy_from_slice(&self.nonce);
        h
    }

    /// The slot's bytes.
    pub fn encode(&self) -> [u8; SLOT_LEN] {
        let mut out = [0; SLOT_LEN];
        out[..HEADER_LEN].copy_from_slice(&self.header());
        out[HEADER_LEN..].copy_from_slice(&self.sealed);
        out
    }

    /// Parses a slot. The parameters are bounds-checked here, before anything could allocate
    /// what a hostile file asks for. Trailing bytes are refused as not a slot.
    pub fn decode(bytes: &[u8]) -> Result<KeySlot, Error> {
        if bytes.len() < 8 {
            return if MAGIC.starts_with(bytes) {
                Err(Error::Truncated)
            } else {
                Err(Error::NotAKeySlot)
            };
        }
        if &bytes[..7] != MAGIC {
            return Err(Error::NotAKeySlot);
        }
        if bytes[7] != VERSION {
            return Err(Error::UnsupportedVersion(bytes[7]));
        }
        if bytes.len() < SLOT_LEN {
            return Err(Error::Truncated);
        }
        if bytes.len() > SLOT_LEN {
            return Err(Error::NotAKeySlot);
        }
        let u32_at = |at: usize| {
            let mut b = [0; 4];
            b.copy_from_slice(&bytes[at..at + 4]);
            u32::from_le_bytes(b)
        };
        let params = Params::new(u32_at(8), u32_at(12), u32_at(16))?;
        let mut slot = KeySlot {
            params,
            salt: [0; SALT_LEN],
            nonce: [0; NONCE_LEN],
            sealed: [0; KEY_LEN + TAG_LEN],
        };
        slot.salt.copy_from_slice(&bytes[20..36]);
        slot.nonce.copy_from_slice(&bytes[36..60]);
        slot.sealed.copy_from_slice(&bytes[60..]);
        Ok(slot)
    }
}

/// Writes `slot` to `dir` as `key.slot` and then `key.slot.bak`, each atomically, so that at
/// every moment at least one complete copy is on disk.
pub fn store(dir: &Path, slot: &KeySlot) -> Result<(), Error> {
    let bytes = slot.encode();
    super::write_atomic(&dir.join(FILE_NAME), &bytes)?;
    super::write_atomic(&dir.join(BACKUP_FILE_NAME), &bytes)?;
    Ok(())
}

/// Unlocks the slot in `dir`: the main copy, or the backup when the main copy is missing,
/// damaged or does not open. Changes nothing on disk.
///
/// The error is the most telling one: [`Error::WrongPassphrase`] when some copy was readable,
/// otherwise the main copy's error (e.g. not found).
pub fn unlock(dir: &Path, passphrase: &[u8]) -> Result<(DataKey, KeySlot), Error> {
    let mut first_err = None;
    for name in [FILE_NAME, BACKUP_FILE_NAME] {
        let attempt = super::read_bounded(&dir.join(name), SLOT_LEN as u64)
            .and_then(|bytes| KeySlot::decode(&bytes))
            .and_then(|slot| slot.unlock(passphrase).map(|key| (key, slot)));
        match attempt {
            Ok(found) => return Ok(found),
            Err(err) => {
                let telling = matches!(err, Error::WrongPassphrase);
                match &first_err {
                    None => first_err = Some(err),
                    Some(_) if telling => first_err = Some(err),
                    Some(_) => {}
                }
            }
        }
    }
    Err(first_err.unwrap_or(Error::NotAKeySlot))
}

/// Changes the passphrase of the slot in `dir`: both copies are replaced by a new slot wrapping
/// the same data key. Returns the data key.
pub fn rewrap(dir: &Path, old: &[u8], new: &[u8], params: Params) -> Result<DataKey, Error> {
    let (key, _) = unlock(dir, old)?;
    let slot = KeySlot::wrap(&key, new, params)?;
    store(dir, &slot)?;
    Ok(key)
}

/// The slot's paths in `dir`.
pub fn paths(dir: &Path) -> [PathBuf; 2] {
    [dir.join(FILE_NAME), dir.join(BACKUP_FILE_NAME)]
}

/// Destroys both copies of the slot in `dir` (the panic button): each is overwritten in place
/// with random bytes, synced, and removed, and the directory synced. Without the slot the data
/// key, and so every encrypted file, is gone. Missing copies are skipped; every copy is tried
/// even if one fails, and the first failure is returned.
///
/// On flash storage and copy-on-write file systems the overwrite may land elsewhere than the old
/// bytes; what it does guarantee is that no copy opens through the file system.
pub fn destroy(dir: &Path) -> Result<(), Error> {
    let mut result = Ok(());
    for path in paths(dir) {
        if let Err(err) = destroy_one(&path)
            && result.is_ok()
        {
            result = Err(err);
        }
    }
    super::sync_dir(dir)?;
    result
}

fn destroy_one(path: &Path) -> Result<(), Error> {
    let mut file = match OpenOptions::new().write(true).open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err.into()),
    };
    // At least a whole slot, whatever the file's length now is.
    let len = file.metadata()?.len().clamp(SLOT_LEN as u64, 1 << 20) as usize;
    let mut noise = vec![0; len];
    super::random(&mut noise)?;
    file.write_all(&noise)?;
    file.sync_all()?;
    noise.zeroize();
    drop(file);
    std::fs::remove_file(path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Params {
        Params::insecure_for_tests()
    }

    #[test]
    fn round_trip() {
        let (slot, key) = KeySlot::create(b"correct horse", tiny()).expect("create");
        let bytes = slot.encode();
        assert_eq!(bytes.len(), SLOT_LEN);
        let decoded = KeySlot::decode(&bytes).expect("decode");
        assert_eq!(decoded, slot);
        let unlocked = decoded.unlock(b"correct horse").expect("unlock");
        assert_eq!(unlocked.expose(), key.expose());
        // The wrapped key is not the key in the clear.
        assert!(!bytes.windows(KEY_LEN).any(|w| w == key.expose()));
    }

    #[test]
    fn wrong_passphrase_is_refused() {
        let (slot, _) = KeySlot::create(b"correct horse", tiny()).expect("create");
        let before = slot.encode();
        assert!(matches!(
            slot.unlock(b"correct horsf"),
            Err(Error::WrongPassphrase)
        ));
        assert!(matches!(slot.unlock(b""), Err(Error::WrongPassphrase)));
        assert_eq!(slot.encode(), before);
    }

    #[test]
    fn wrong_passphrase_changes_nothing_on_disk() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (slot, _) = KeySlot::create(b"pass", tiny()).expect("create");
        store(dir.path(), &slot).expect("store");
        let [main, bak] = paths(dir.path());
        let before = (
            std::fs::read(&main).expect("main"),
            std::fs::read(&bak).expect("bak"),
        );
        assert!(matches!(
            unlock(dir.path(), b"nope"),
            Err(Error::WrongPassphrase)
        ));
        let after = (
            std::fs::read(&main).expect("main"),
            std::fs::read(&bak).expect("bak"),
        );
        assert_eq!(before, after);
    }

    #[test]
    fn every_truncation_and_every_flipped_bit_is_an_error() {
        let (slot, _) = KeySlot::create(b"pass", tiny()).expect("create");
        let bytes = slot.encode();
        for len in 0..SLOT_LEN {
            let err = KeySlot::decode(&bytes[..len]).expect_err("truncated slot decoded");
            assert!(
                matches!(err, Error::Truncated | Error::NotAKeySlot),
                "len {len}: {err:?}"
            );
        }
        let mut longer = bytes.to_vec();
        longer.push(0);
        assert!(matches!(KeySlot::decode(&longer), Err(Error::NotAKeySlot)));
        for bit in 0..SLOT_LEN * 8 {
            let mut damaged = bytes;
            damaged[bit / 8] ^= 1 << (bit % 8);
            let outcome = KeySlot::decode(&damaged).and_then(|s| s.unlock(b"pass"));
            assert!(
                outcome.is_err(),
                "bit {bit} flipped and the slot still opened"
            );
        }
    }

    #[test]
    fn garbage_is_not_a_slot() {
        assert!(matches!(
            KeySlot::decode(b"hello, this is not a key slot at all"),
            Err(Error::NotAKeySlot)
        ));
        let mut other_version = [0u8; SLOT_LEN];
        other_version[..7].copy_from_slice(MAGIC);
        other_version[7] = 2;
        assert!(matches!(
            KeySlot::decode(&other_version),
            Err(Error::UnsupportedVersion(2))
        ));
    }

    #[test]
    fn hostile_parameters_are_refused_before_deriving() {
        let (slot, _) = KeySlot::create(b"pass", tiny()).expect("create");
        let good = slot.encode();
        let cases: [(usize, u32); 7] = [
            (8, u32::MAX),      // m: 4 TiB
            (8, MAX_M_KIB + 1), // m: just over 4 GiB
            (8, 7),             // m: below Argon2's minimum
            (12, 0),            // t
            (12, MAX_T + 1),    // t
            (16, 0),            // p
            (16, MAX_P + 1),    // p
        ];
        for (at, value) in cases {
            let mut hostile = good;
            hostile[at..at + 4].copy_from_slice(&value.to_le_bytes());
            let start = Instant::now();
            let err = KeySlot::decode(&hostile).expect_err("hostile params accepted");
            assert!(matches!(err, Error::ParamsOutOfRange(_)), "{err:?}");
            assert!(start.elapsed() < Duration::from_millis(50));
        }
        assert!(Params::new(MAX_M_KIB, MAX_T, MAX_P).is_ok());
    }

    #[test]
    fn rewrap_keeps_the_data_key() {
        let (slot, key) = KeySlot::create(b"old", tiny()).expect("create");
        assert!(matches!(
            slot.rewrap(b"wrong", b"new", tiny()),
            Err(Error::WrongPassphrase)
        ));
        let new = slot.rewrap(b"old", b"new", tiny()).expect("rewrap");
        assert_ne!(new.encode(), slot.encode());
        assert_eq!(new.unlock(b"new").expect("new").expose(), key.expose());
        assert!(matches!(new.unlock(b"old"), Err(Error::WrongPassphrase)));

        let dir = tempfile::tempdir().expect("tempdir");
        store(dir.path(), &slot).expect("store");
        let again = rewrap(dir.path(), b"old", b"newer", tiny()).expect("rewrap dir");
        assert_eq!(again.expose(), key.expose());
        for path in paths(dir.path()) {
            let on_disk = KeySlot::decode(&std::fs::read(path).expect("read")).expect("decode");
            assert!(matches!(
                on_disk.unlock(b"old"),
                Err(Error::WrongPassphrase)
            ));
            assert_eq!(
                on_disk.unlock(b"newer").expect("newer").expose(),
                key.expose()
            );
        }
    }

    #[test]
    fn backup_copy_is_used_when_the_main_copy_is_damaged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (slot, key) = KeySlot::create(b"pass", tiny()).expect("create");
        store(dir.path(), &slot).expect("store");
        let [main, bak] = paths(dir.path());

        // A flipped bit in the sealed key.
        let mut bytes = std::fs::read(&main).expect("read");
        bytes[SLOT_LEN - 1] ^= 0x01;
        std::fs::write(&main, &bytes).expect("damage");
        let (unlocked, _) = unlock(dir.path(), b"pass").expect("backup opens");
        assert_eq!(unlocked.expose(), key.expose());

        // Truncated to nothing, and then missing.
        std::fs::write(&main, b"").expect("truncate");
        assert!(unlock(dir.path(), b"pass").is_ok());
        std::fs::remove_file(&main).expect("remove");
        assert!(unlock(dir.path(), b"pass").is_ok());

        // Both gone: an I/O error, not a passphrase error.
        std::fs::write(&bak, b"garbage garbage").expect("damage bak");
        assert!(matches!(unlock(dir.path(), b"pass"), Err(Error::Io(_))));
    }

    #[test]
    fn destroy_leaves_neither_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (slot, _) = KeySlot::create(b"pass", tiny()).expect("create");
        store(dir.path(), &slot).expect("store");
        // A second handle to the main copy sees its bytes overwritten, not just unlinked.
        let [main, bak] = paths(dir.path());
        let held = std::fs::File::open(&main).expect("open");
        destroy(dir.path()).expect("destroy");
        assert!(!main.exists() && !bak.exists());
        let mut after = Vec::new();
        std::io::Read::read_to_end(&mut &held, &mut after).expect("read held");
        assert_eq!(after.len(), SLOT_LEN);
        assert!(KeySlot::decode(&after).is_err());
        assert!(matches!(unlock(dir.path(), b"pass"), Err(Error::Io(_))));
        // Destroying again is not an error.
        destroy(dir.path()).expect("destroy again");
    }

    /// The vector in docs/protocol.md, "Encrypted data directory: key slot".
    #[test]
    fn protocol_vector() {
        let key = DataKey::from_bytes(&core::array::from_fn(|i| i as u8));
        let params = Params::new(64, 1, 1).expect("params");
        let salt: [u8; SALT_LEN] = core::array::from_fn(|i| 0xa0 + i as u8);
        let nonce: [u8; NONCE_LEN] = core::array::from_fn(|i| 0xc0 + i as u8);
        let slot = KeySlot::wrap_with(&key, b"correct horse battery staple", params, salt, nonce)
            .expect("wrap");
        let hex = data_encoding::HEXLOWER.encode(&slot.encode());
        assert_eq!(hex, VECTOR_HEX);
        let decoded = KeySlot::decode(
            &data_encoding::HEXLOWER
                .decode(VECTOR_HEX.as_bytes())
                .expect("hex"),
        )
        .expect("decode");
        assert_eq!(
            decoded
                .unlock(b"correct horse battery staple")
                .expect("unlock")
                .expose(),
            key.expose()
        );
    }

    const VECTOR_HEX: &str = "777366736c6f7401400000000100000001000000a0a1a2a3a4a5a6a7a8a9aaabacadaeafc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7607fef96facb2348b4d8a411c840406edfefb7b7b68a36e370f1404e6234fc563fc38caf804ef1871fdd6645b81ded0b";
}
