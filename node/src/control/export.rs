//! `POST /v1/export`: a bundle written on a blocking thread straight into the response body, in
//! chunks, so memory stays flat whatever the store's size and the client writes the file.

use std::io::Write;

use axum::body::Bytes;
use libp2p::futures::Stream;
use libp2p::futures::stream;
use tokio::sync::mpsc;
use wsf_protocol::{NetworkId, Pillar};

use crate::store::Store;

/// Bytes per chunk sent to the client.
pub const CHUNK: usize = 256 * 1024;
/// Chunks in flight between the writing thread and the connection.
const IN_FLIGHT: usize = 4;

/// A `Write` that hands full chunks to the response. A client that went away makes the next
/// write fail, which ends the export.
struct ChunkWriter {
    tx: mpsc::Sender<std::io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl ChunkWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx
            .blocking_send(Ok(Bytes::from(chunk)))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// The bundle of every held record on any of `pillars` (all when empty), oldest first, as a
/// stream of chunks. A failure half-way ends the stream with an error, so the client never takes
/// a cut-short body for a whole bundle.
pub fn stream(
    store: Store,
    network: NetworkId,
    pillars: Vec<Pillar>,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let (tx, rx) = mpsc::channel(IN_FLIGHT);
    let failed = tx.clone();
    tokio::task::spawn_blocking(move || {
        let out = ChunkWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
        };
        if let Err(e) = crate::transfer::write_bundle(&store, network, pillars, out) {
            tracing::warn!(error = %e, "export stopped");
            let _ = failed.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    stream::unfold(rx, |mut rx| async move {
        let item = rx.recv().await?;
        Some((item, rx))
    })
}
