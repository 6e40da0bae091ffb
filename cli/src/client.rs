//! The control-API client: HTTP/1.1 over the node's Unix socket (`<data>/control.sock`).

use std::path::{Path, PathBuf};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::net::UnixStream;
use wsf_protocol::api::ApiError;

/// An error answer from the node.
#[derive(Debug, thiserror::Error)]
#[error("{}", .error.error)]
pub struct Failure {
    pub status: StatusCode,
    pub error: ApiError,
}

/// A connection factory for the node's socket.
#[derive(Debug, Clone)]
pub struct Client {
    socket: PathBuf,
}

impl Client {
    /// A client if a node answers on `socket`.
    pub async fn connect(socket: &Path) -> Option<Client> {
        UnixStream::connect(socket).await.ok()?;
        Some(Client {
            socket: socket.to_owned(),
        })
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> anyhow::Result<hyper::Response<hyper::body::Incoming>> {
        let stream = UnixStream::connect(&self.socket).await?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "wsf")
            .header(header::CONTENT_TYPE, content_type)
            .body(Full::new(Bytes::from(body)))?;
        Ok(sender.send_request(req).await?)
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> anyhow::Result<T> {
        let resp = self.send(method, path, body, content_type).await?;
        let status = resp.status();
        let bytes = resp.into_body().collect().await?.to_bytes();
        if !status.is_success() {
            let error = serde_json::from_slice(&bytes).unwrap_or_else(|_| ApiError {
                error: String::from_utf8_lossy(&bytes).into_owned(),
                code: "internal".into(),
            });
            return Err(Failure { status, error }.into());
        }
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

    /// Streams Server-Sent Events from `path`, calling `f` with each event's data until the
    /// stream ends.
    pub async fn events(&self, path: &str, mut f: impl FnMut(&str)) -> anyhow::Result<()> {
        let resp = self
            .send(Method::GET, path, Vec::new(), "text/event-stream")
            .await?;
        if !resp.status().is_success() {
            anyhow::bail!("the node refused the event stream: {}", resp.status());
        }
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
            }
        }
        Ok(())
    }
}
