//! Export and import of bundles: the sneakernet path (USB sticks) and backups.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};

use tokio::sync::mpsc;
use wsf_protocol::Pillar;
use wsf_protocol::api::IngestReport;
use wsf_protocol::bundle::Header;

use crate::bundle;
use crate::ingest::{Ingest, Outcome, now_ms};
use crate::store::{self, Store};

/// Envelopes per ingest call during an import. One call is one write transaction; a larger
/// group touches each page of the id index fewer times per record (1,024 gave 0.93x the raw
/// verify rate at 100k records, 4,096 gives 1.06x), and progress still moves every ~0.1 s.
pub const IMPORT_BATCH: usize = 4_096;

/// Ingest calls in flight during an import: two, so one batch is verified while the previous
/// one is being written (three measured no better).
pub const IMPORT_IN_FLIGHT: usize = 2;

/// Export and import errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Bundle(#[from] bundle::Error),
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open {path}: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Error {
    /// A stable code: the bundle's own ([`bundle::Error::code`]), or `store`, `write_failed`,
    /// `cannot_open`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Bundle(e) => e.code(),
            Error::Store(_) => "store",
            Error::Write { .. } => "write_failed",
            Error::Open { .. } => "cannot_open",
        }
    }
}

/// Writes every held record on any of `pillars` (all when empty) to a bundle at `path`, oldest
/// first. The file appears only when complete (written beside it, then renamed).
pub async fn export(
    store: &Store,
    network: wsf_protocol::NetworkId,
    path: &Path,
    pillars: Vec<Pillar>,
) -> Result<u64, Error> {
    let path = path.to_owned();
    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        let partial = partial_path(&path);
        let werr = |source| Error::Write {
            path: partial.clone(),
            source,
        };
        let file = File::create(&partial).map_err(werr)?;
        let (out, count) = match write_bundle(&store, network, pillars, BufWriter::new(file)) {
            Ok(done) => done,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        let file = out.into_inner().map_err(|e| werr(e.into_error()))?;
        file.sync_all().map_err(werr)?;
        std::fs::rename(&partial, &path).map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
        Ok(count)
    })
    .await
    .map_err(|e| Error::Store(store::Error::Db(format!("export task failed: {e}"))))?
}

/// Writes a bundle of every held record on any of `pillars` (all when empty) to `out`, oldest
/// first, in one read transaction; returns `out` and the number of records. Blocking.
pub fn write_bundle<W: std::io::Write>(
    store: &Store,
    network: wsf_protocol::NetworkId,
    pillars: Vec<Pillar>,
    out: W,
) -> Result<(W, u64), Error> {
    // Sorted and without repeats, as the header requires; `for_each_envelope` writes only
    // records on one of them, as the header promises.
    let header = Header::new(network, now_ms(), pillars);
    let pillars = header.pillars.clone();
    let mut writer = bundle::Writer::new(out, &header)?;
    let mut failed: Option<bundle::Error> = None;
    store.read_blocking(|txn| {
        store::for_each_envelope(txn, &pillars, |env| match writer.push(env) {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        })
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    Ok(writer.finish()?)
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

/// How far an import is.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub bytes_read: u64,
    pub bytes_total: u64,
    pub report: IngestReport,
}

/// The result of an import: what happened to each record read, and the problem with the file,
/// if reading stopped early (the records before it were still imported).
#[derive(Debug)]
pub struct Imported {
    pub header: Header,
    pub report: IngestReport,
    pub problem: Option<bundle::Error>,
}

/// What the bundle-reading thread hands on: the header, then batches of envelopes with the
/// bytes read so far, then how reading ended.
#[derive(Debug)]
pub enum Chunk {
    Header(Header),
    Batch(Vec<Vec<u8>>, u64),
    End(Option<bundle::Error>),
}

/// Reads a bundle and runs every envelope through ingest. Fails only if the file cannot be
/// opened or is not a bundle at all, or the store fails.
pub async fn import(
    ingest: &Ingest,
    path: &Path,
    mut progress: impl FnMut(&Progress),
) -> Result<Imported, Error> {
    let file = File::open(path).map_err(|source| Error::Open {
        path: path.to_owned(),
        source,
    })?;
    let bytes_total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let (tx, mut rx) = mpsc::channel::<Chunk>(IMPORT_IN_FLIGHT);
    let reader = std::thread::Builder::new()
        .name("wsf-import".into())
        .spawn(move || read_bundle(file, tx))
        .map_err(|source| Error::Open {
            path: path.to_owned(),
            source,
        })?;

    let header = match rx.recv().await {
        Some(Chunk::Header(h)) => h,
        Some(Chunk::End(Some(e))) => return Err(e.into()),
        _ => return Err(bundle::Error::NotABundle.into()),
    };
    let mut state = Progress {
        bytes_total,
        ..Progress::default()
    };
    let mut in_flight: VecDeque<tokio::task::JoinHandle<Result<Vec<Outcome>, store::Error>>> =
        VecDeque::new();
    let mut problem = None;
    loop {
        let chunk = rx.recv().await;
        match chunk {
            Some(Chunk::Batch(batch, bytes_read)) => {
                if in_flight.len() >= IMPORT_IN_FLIGHT
                    && let Some(oldest) = in_flight.pop_front()
                {
                    tally(&mut state.report, oldest.await)?;
                    progress(&state);
                }
                let ingest = ingest.clone();
                in_flight.push_back(tokio::spawn(async move { ingest.accept(batch).await }));
                state.bytes_read = bytes_read;
            }
            Some(Chunk::End(e)) => {
                problem = e;
                break;
            }
            Some(Chunk::Header(_)) | None => break,
        }
    }
    while let Some(h) = in_flight.pop_front() {
        tally(&mut state.report, h.await)?;
        progress(&state);
    }
    let _ = reader.join();
    Ok(Imported {
        header,
        report: state.report,
        problem,
    })
}

fn tally(
    report: &mut IngestReport,
    result: Result<Result<Vec<Outcome>, store::Error>, tokio::task::JoinError>,
) -> Result<(), Error> {
    let outcomes = result.map_err(|e| store::Error::Db(format!("import task failed: {e}")))??;
    for o in outcomes {
        match o {
            Outcome::Stored(_) => report.stored += 1,
            Outcome::Duplicate(_) => report.duplicate += 1,
            Outcome::Expired(_) => report.expired += 1,
            Outcome::Rejected { reason, .. } => {
                *report.rejected.entry(reason.code()).or_default() += 1;
            }
        }
    }
    Ok(())
}

/// The reading thread: header, then batches of [`IMPORT_BATCH`], then how it ended. Stops when
/// the receiver goes away.
pub fn read_bundle(file: File, tx: mpsc::Sender<Chunk>) {
    read_bundle_from(BufReader::with_capacity(1 << 20, file), tx)
}

/// [`read_bundle`] for an encrypted bundle (`docs/protocol.md` section 14.5): derives its key
/// from `passphrase` here, on the reading thread (slow by design), and opens its first chunk
/// before anything is handed on, so a wrong passphrase ends the reading before any record.
pub fn read_sealed_bundle(
    file: File,
    passphrase: zeroize::Zeroizing<Vec<u8>>,
    tx: mpsc::Sender<Chunk>,
) {
    let input = BufReader::with_capacity(1 << 20, file);
    let opened = wsf_protocol::sealed_bundle::Reader::open(input, &passphrase);
    drop(passphrase);
    match opened {
        Ok(plain) => read_bundle_from(plain, tx),
        Err(e) => {
            let _ = tx.blocking_send(Chunk::End(Some(bundle::Error::sealed(e))));
        }
    }
}

/// [`read_bundle`] from any input (a buffered one: the reader reads a byte at a time).
pub fn read_bundle_from<R: Read>(input: R, tx: mpsc::Sender<Chunk>) {
    let mut reader = match bundle::Reader::new(input) {
        Ok(r) => r,
        Err(e) => {
            let _ = tx.blocking_send(Chunk::End(Some(e)));
            return;
        }
    };
    if tx
        .blocking_send(Chunk::Header(reader.header().clone()))
        .is_err()
    {
        return;
    }
    let mut batch = Vec::with_capacity(IMPORT_BATCH);
    let end = loop {
        match reader.next_envelope() {
            Ok(Some(env)) => {
                batch.push(env);
                if batch.len() == IMPORT_BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(IMPORT_BATCH));
                    if tx
                        .blocking_send(Chunk::Batch(full, reader.bytes_read))
                        .is_err()
                    {
                        return;
                    }
                }
            }
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
    };
    if !batch.is_empty()
        && tx
            .blocking_send(Chunk::Batch(batch, reader.bytes_read))
            .is_err()
    {
        return;
    }
    let _ = tx.blocking_send(Chunk::End(end));
}
