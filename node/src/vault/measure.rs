//! Measurements for `wsf bench`: what encryption at rest costs on this machine.

use std::path::Path;
use std::time::{Duration, Instant};

use redb::TableDefinition;

use super::DataKey;

const TABLE: TableDefinition<u64, &[u8]> = TableDefinition::new("bench");

/// Insert times of the same workload into a plain redb file and into an encrypted one, both
/// created fresh in `dir`: `transactions` two-phase-commit write transactions of `per_txn`
/// entries of `value_len` bytes each. Returns (plain, encrypted).
pub fn insert_plain_vs_encrypted(
    dir: &Path,
    transactions: u64,
    per_txn: u64,
    value_len: usize,
) -> Result<(Duration, Duration), redb::Error> {
    let key = DataKey::generate().map_err(|err| redb::Error::Io(std::io::Error::other(err)))?;
    let plain = redb::Database::create(dir.join("bench-plain.redb"))?;
    let plain_time = run_inserts(&plain, transactions, per_txn, value_len)?;
    drop(plain);
    let encrypted =
        super::backend::create_database(&redb::Builder::new(), &dir.join("bench-enc.redb"), &key)?;
    let encrypted_time = run_inserts(&encrypted, transactions, per_txn, value_len)?;
    Ok((plain_time, encrypted_time))
}

fn run_inserts(
    db: &redb::Database,
    transactions: u64,
    per_txn: u64,
    value_len: usize,
) -> Result<Duration, redb::Error> {
    let value = vec![0x5a; value_len];
    let start = Instant::now();
    for t in 0..transactions {
        let mut txn = db.begin_write()?;
        txn.set_two_phase_commit(true);
        {
            let mut table = txn.open_table(TABLE)?;
            for i in 0..per_txn {
                table.insert(t * per_txn + i, value.as_slice())?;
            }
        }
        txn.commit()?;
    }
    Ok(start.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only that it runs and both stores end up holding the workload; no timing asserted.
    #[test]
    fn the_measurement_runs() {
        let dir = tempfile::tempdir().expect("tempdir");
        insert_plain_vs_encrypted(dir.path(), 2, 10, 100).expect("measure");
        assert!(dir.path().join("bench-plain.redb").exists());
        assert!(
            std::fs::metadata(dir.path().join("bench-enc.redb"))
                .expect("enc")
                .len()
                > 8368
        );
    }
}
