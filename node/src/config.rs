//! The node's settings file, `<data>/config.json`: what the operator chose once and every later
//! run keeps (pillars, bootstrap peers, listen addresses). Command-line flags override it; `wsf node
//! --pillar …` and `wsf subscribe/unsubscribe` write the pillars back.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::datadir::DataDir;
use wsf_protocol::Pillar;

/// The default TCP port for peers.
pub const DEFAULT_P2P_PORT: u16 = 7654;
/// The default port of the control API on 127.0.0.1.
pub const DEFAULT_API_PORT: u16 = 7655;

/// Settings errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid: {source}; fix it or move it away")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Locked(String),
    #[error("{path}: {source}")]
    Sealed {
        path: PathBuf,
        source: crate::vault::Error,
    },
}

/// The role `config.json` is sealed under.
const ROLE: &str = "config.json";
/// The largest `config.json` read.
const MAX_BYTES: usize = 1 << 20;

/// What `<data>/config.json` holds. Every field is optional in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Pillars to subscribe to; empty means the six well-known pillars.
    pub pillars: Vec<Pillar>,
    /// Peers to connect to at start and to reconnect to (multiaddrs, ideally with `/p2p/`).
    pub bootstrap: Vec<String>,
    /// Addresses to listen on (multiaddrs); empty means all interfaces on the default port.
    pub listen: Vec<String>,
    /// The control API's TCP address; empty means 127.0.0.1 on the default port.
    pub api_listen: Option<String>,
    /// Where the invite door listens on a closed network (`IP:PORT`); empty means the first
    /// listen address's IP with the p2p port + 2.
    pub door_listen: Option<String>,
    /// Serve circuit relay and rendezvous for nodes behind NAT (`wsf node --anchor`).
    pub anchor: bool,
    /// Addresses others reach this node at (multiaddrs; `--external-address`).
    pub external_addresses: Vec<String>,
    /// Seconds between periodic syncs with a random connected peer (default 60).
    pub sync_interval_secs: Option<u64>,
    /// The network id (32 hex characters); absent: the public network. A closed network also
    /// has its pre-shared key in `<data>/network.key`.
    pub network: Option<String>,
    /// The network's name, as the operator knows it.
    pub network_name: Option<String>,
    /// Whose records this node accepts: `open` (default) or `partners`.
    pub policy: Option<Policy>,
    /// Under `partners`: how many partners must co-sign an author's profile for its records to
    /// be accepted (default 2).
    pub trust_k: Option<u32>,
    /// Most records one author may have whose timestamps fall in one clock hour (default 3,600).
    pub quota_per_hour: Option<u32>,
}

/// Whose records a node accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Any valid record of the network (except blocked authors).
    #[default]
    Open,
    /// Records of partners, and of authors whose profile enough partners co-signed.
    Partners,
}

/// Default for `trust_k`.
pub const DEFAULT_TRUST_K: u32 = 2;
/// Default for `quota_per_hour`: one record a second, sustained for an hour, is far more than an
/// organisation publishes by hand, yet lets it publish an archive of a thousand records at once;
/// a stolen key cannot fill the store faster than this (about 3.6 MB an hour).
pub const DEFAULT_QUOTA_PER_HOUR: u32 = 3_600;

impl Config {
    /// `<data>/config.json`.
    pub fn path(data: &Path) -> PathBuf {
        data.join("config.json")
    }

    /// Reads the settings; a missing file gives the defaults. In an encrypted data dir the file
    /// is sealed under the data key.
    pub fn load(data: &DataDir) -> Result<Config, Error> {
        let path = Self::path(data.root());
        let key = data.data_key().map_err(|e| Error::Locked(e.to_string()))?;
        let text = match key {
            None => match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Ok(Config::default());
                }
                Err(source) => return Err(Error::Read { path, source }),
            },
            Some(key) => {
                if !path.exists() {
                    return Ok(Config::default());
                }
                let bytes = crate::vault::seal::read_sealed(&path, key, ROLE, MAX_BYTES).map_err(
                    |source| Error::Sealed {
                        path: path.clone(),
                        source,
                    },
                )?;
                String::from_utf8(bytes.to_vec()).map_err(|_| Error::Sealed {
                    path: path.clone(),
                    source: crate::vault::Error::Damaged,
                })?
            }
        };
        serde_json::from_str(&text).map_err(|source| Error::Parse { path, source })
    }

    /// Writes the settings (to a temporary file, then renamed); sealed in an encrypted dir.
    pub fn save(&self, data: &DataDir) -> Result<(), Error> {
        let path = Self::path(data.root());
        let text = serde_json::to_string_pretty(self).unwrap_or_default() + "\n";
        let key = data.data_key().map_err(|e| Error::Locked(e.to_string()))?;
        let bytes = match key {
            None => text.into_bytes(),
            Some(key) => {
                crate::vault::seal::seal(key, ROLE, text.as_bytes()).map_err(|source| {
                    Error::Sealed {
                        path: path.clone(),
                        source,
                    }
                })?
            }
        };
        crate::vault::write_atomic(&path, &bytes).map_err(|source| Error::Sealed { path, source })
    }

    /// The network id: the configured one, or the public network.
    pub fn network_id(&self) -> Result<wsf_protocol::NetworkId, String> {
        match &self.network {
            None => Ok(wsf_protocol::NetworkId::public()),
            Some(hex) => wsf_protocol::hex::decode_array::<16>(hex)
                .map(wsf_protocol::NetworkId)
                .ok_or_else(|| format!("network {hex:?} in config.json is not 32 hex characters")),
        }
    }

    /// The acceptance rules for ingest.
    pub fn rules(&self) -> crate::ingest::Rules {
        crate::ingest::Rules {
            policy: self.policy.unwrap_or_default(),
            trust_k: self.trust_k.unwrap_or(DEFAULT_TRUST_K),
            quota_per_hour: self.quota_per_hour.unwrap_or(DEFAULT_QUOTA_PER_HOUR),
        }
    }

    /// The pillars to subscribe to.
    pub fn pillars(&self) -> Vec<Pillar> {
        if self.pillars.is_empty() {
            Pillar::well_known()
        } else {
            self.pillars.clone()
        }
    }
}
