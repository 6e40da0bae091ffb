//! Bytes this node sends and receives over relayed connections, counted below Noise (so the
//! figures are what crossed the anchor, handshakes and framing included).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use libp2p::futures::{AsyncRead, AsyncWrite};

/// Totals over every relayed connection since the node started.
#[derive(Debug, Default)]
pub struct RelayBytes {
    pub read: AtomicU64,
    pub written: AtomicU64,
}

/// A relayed connection's byte stream with its traffic added to [`RelayBytes`].
#[derive(Debug)]
pub struct Counted<S> {
    inner: S,
    bytes: Arc<RelayBytes>,
}

impl<S> Counted<S> {
    pub fn new(inner: S, bytes: Arc<RelayBytes>) -> Self {
        Counted { inner, bytes }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(n)) = &poll {
            this.bytes.read.fetch_add(*n as u64, Ordering::Relaxed);
        }
        poll
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &poll {
            this.bytes.written.fetch_add(*n as u64, Ordering::Relaxed);
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_close(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use libp2p::futures::io::{AsyncReadExt, AsyncWriteExt, Cursor};

    #[test]
    fn reads_and_writes_are_counted() {
        let bytes = Arc::new(RelayBytes::default());
        let mut s = Counted::new(Cursor::new(vec![7u8; 10]), bytes.clone());
        let mut buf = [0u8; 4];
        libp2p::futures::executor::block_on(async {
            s.read_exact(&mut buf).await.expect("read");
            s.write_all(b"abcdefgh").await.expect("write");
        });
        assert_eq!(bytes.read.load(Ordering::Relaxed), 4);
        assert_eq!(bytes.written.load(Ordering::Relaxed), 8);
    }
}
