//! The one way commands reach the node's operations: the control API, over one of two
//! transports — the running node's Unix socket (`<data>/control.sock`), or, when no node runs,
//! the same router served inside this process over the store opened here. Either way a command
//! sends the same requests and reads the same answers, so it cannot behave differently
//! depending on whether the node runs (routes that need the network answer `not_running`).

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use http_body_util::BodyExt;
use hyper::body::Bytes;
use hyper::{Method, Request, Response, StatusCode, header};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::net::UnixStream;
use wsf_node::control;
use wsf_node::datadir::DataDir;
use wsf_node::service;
use wsf_protocol::api::ApiError;

/// An error answer from the node.
#[derive(Debug, thiserror::Error)]
#[error("{}", .error.error)]
pub struct Failure {
    pub status: StatusCode,
    pub error: ApiError,
}

#[derive(Debug, Clone)]
enum Transport {
    Socket(PathBuf),
    Local(Arc<control::Local>),
}

/// A client of the control API.
#[derive(Debug, Clone)]
pub struct Client {
    transport: Transport,
}

/// What a command may do to a data dir that has no identity yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Open {
    /// Refuse (every command but `init`): a mistyped `--data-dir` must not sign with a new key.
    Existing,
    /// Create the identity and the store (`init`).
    Create,
}

impl Client {
    /// The running node when one answers on the data dir's socket; else the store, opened
    /// here (waiting a moment while another process holds it: `service::open_waiting`).
    pub async fn open(data: &DataDir, mode: Open) -> anyhow::Result<Client> {
        let socket = control::socket_path(data.root());
        let transport = match service::open_waiting(data, mode == Open::Create).await {
            Ok(service::Opened::NodeRuns) => Transport::Socket(socket),
            Ok(service::Opened::Here(svc)) => Transport::Local(Arc::new(control::Local::new(*svc))),
            Err(service::Error::Store(wsf_node::store::Error::InUse(path))) => anyhow::bail!(
                "the store {} is in use by another process, and no node answers on {}; if `wsf \
                 node` is starting, try again in a moment",
                path.display(),
                socket.display()
            ),
            Err(e) => return Err(e.into()),
        };
        Ok(Client { transport })
    }

    /// The running node's socket of the data dir at `root`, without looking whether it answers.
    pub fn socket(root: &std::path::Path) -> Client {
        Client {
            transport: Transport::Socket(control::socket_path(root)),
        }
    }

    /// Closes the store when it was opened here.
    pub async fn close(self) -> anyhow::Result<()> {
        if let Transport::Local(local) = self.transport {
            match Arc::try_unwrap(local) {
                Ok(local) => local.close().await?,
                Err(_) => anyhow::bail!("the store is still in use by this command"),
            }
        }
        Ok(())
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> anyhow::Result<Response<Body>> {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "wsf")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))?;
        match &self.transport {
            Transport::Local(local) => Ok(local.call(req).await),
            Transport::Socket(socket) => {
                let stream = UnixStream::connect(socket).await?;
                let (mut sender, conn) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
                tokio::spawn(async move {
                    let _ = conn.await;
                });
                let resp = sender.send_request(req).await?;
                Ok(resp.map(Body::new))
            }
        }
    }

    /// Sends a request; an error status becomes a [`Failure`].
    async fn checked(
        &self,
        method: Method,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> anyhow::Result<Response<Body>> {
        let resp = self.send(method, path, body, content_type).await?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let bytes = read_limited(resp.into_body(), 1 << 20).await?;
        let error = serde_json::from_slice(&bytes).unwrap_or_else(|_| ApiError {
            error: String::from_utf8_lossy(&bytes).into_owned(),
            code: "internal".into(),
        });
        Err(Failure { status, error }.into())
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> anyhow::Result<T> {
        let resp = self.checked(method, path, body, content_type).await?;
        let bytes = read_limited(resp.into_body(), 256 << 20).await?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// `GET path`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        self.call(Method::GET, path, Vec::new(), "application/json")
            .await
    }

    /// `POST path` with a JSON body.
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> anyhow::Result<T> {
        self.call(
            Method::POST,
            path,
            serde_json::to_vec(body)?,
            "application/json",
        )
        .await
    }

    /// `POST path` with raw bytes.
    pub async fn post_bytes<T: DeserializeOwned>(
        &self,
        path: &str,
        body: Vec<u8>,
    ) -> anyhow::Result<T> {
        self.call(Method::POST, path, body, "application/octet-stream")
            .await
    }

    /// `POST path` with a JSON body; the answer's body as a stream (an export).
    pub async fn post_streaming<B: Serialize>(
        &self,
        path: &str,
        body: &B,
    ) -> anyhow::Result<Response<Body>> {
        self.checked(
            Method::POST,
            path,
            serde_json::to_vec(body)?,
            "application/json",
        )
        .await
    }

    /// Streams Server-Sent Events from `path`: calls `ready` once the node follows this
    /// listener (every event from then on reaches it), then `f` with each event's data until the
    /// stream ends.
    pub async fn events(
        &self,
        path: &str,
        ready: impl FnOnce(),
        mut f: impl FnMut(&str),
    ) -> anyhow::Result<()> {
        let resp = self
            .checked(Method::GET, path, Vec::new(), "text/event-stream")
            .await?;
        ready();
        let mut body = resp.into_body();
        let mut buf = String::new();
        while let Some(frame) = body.frame().await {
            if let Ok(chunk) = frame?.into_data() {
                buf.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buf.find("\n\n") {
                    let event: String = buf.drain(..end + 2).collect();
                    for line in event.lines() {
                        if let Some(data) = line.strip_prefix("data:") {
                            f(data.trim_start());
                        }
                    }
                }
                if buf.len() > 1 << 20 {
                    anyhow::bail!("the node sent an event of over 1 MiB");
                }
            }
        }
        Ok(())
    }
}

/// Reads a whole body, refusing more than `limit` bytes.
async fn read_limited(mut body: Body, limit: usize) -> anyhow::Result<Bytes> {
    let mut out = Vec::new();
    while let Some(frame) = body.frame().await {
        if let Ok(chunk) = frame?.into_data() {
            if out.len() + chunk.len() > limit {
                anyhow::bail!("the node's answer is larger than {limit} bytes");
            }
            out.extend_from_slice(&chunk);
        }
    }
    Ok(Bytes::from(out))
}
