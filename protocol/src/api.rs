//! Types shared by the node and its clients (the CLI, scripts, the web page): the JSON forms of
//! records and of the answers the node gives. Field names here are part of the CLI contract
//! (`--json`) and of the control API; add fields freely, rename or remove only with a deprecation.

use serde::{Deserialize, Serialize};

use crate::display::AuthorView;
use crate::{AuthorId, Content, NetworkId, Pillar, Record, RecordId};

/// A record as JSON: `id`, `kind`, `author`, `ts`, `pillars`, then the content fields at the top
/// level (`title`, `call`, …), then what the node knows about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordInfo {
    pub id: RecordId,
    pub author: AuthorId,
    /// The author's name from its newest profile, when the node has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    pub ts: u64,
    pub pillars: Vec<Pillar>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<RecordId>,
    /// How many organisations co-signed this version (each counts once, whatever the number of
    /// its endorsements).
    #[serde(default)]
    pub endorsements: u64,
    /// The author as this node knows it (see `docs/operations.md`, "Who said it").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_info: Option<AuthorView>,
    /// Co-signatures split by who gave them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cosigned: Option<CosignCounts>,
    /// `expires` has passed: kept for a while, listed only with `include_expired`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub expired: bool,
    /// A campaign whose `ends` has passed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ended: bool,
    /// In a `list` answer: pass it as `cursor` (`wsf list --cursor`) to get the records after
    /// this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(flatten)]
    pub content: Content,
}

/// Co-signature counts of one record, as this node sees them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CosignCounts {
    /// This node's own organisation and its partners, on this version.
    pub partners: u64,
    /// Everyone else, on this version.
    pub others: u64,
    /// Organisations that co-signed only an earlier version (not counted above: they did not
    /// sign the current text).
    pub earlier: u64,
}

impl RecordInfo {
    /// The JSON form of a record, without node knowledge (no name, no endorsements).
    pub fn from_record(record: &Record) -> Self {
        let b = record.body();
        RecordInfo {
            id: record.id(),
            author: b.author,
            author_name: None,
            ts: b.ts,
            pillars: b.pillars.clone(),
            expires: b.expires,
            supersedes: b.supersedes,
            refs: b.refs.clone(),
            endorsements: 0,
            author_info: None,
            cosigned: None,
            expired: false,
            ended: false,
            cursor: None,
            content: b.content.clone(),
        }
    }
}

/// One co-signature of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cosigner {
    /// The endorsement record.
    pub id: RecordId,
    pub author: AuthorId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    pub ts: u64,
    /// The version it co-signed (the record itself, or an earlier version of it).
    pub version: RecordId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_info: Option<AuthorView>,
}

/// Everything `wsf show` prints about one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordDetail {
    /// The record; `None` when its author retracted it (only the tombstone is left).
    #[serde(flatten)]
    pub record: Option<RecordInfo>,
    /// The id asked for (also when the record itself is gone).
    #[serde(rename = "requested_id")]
    pub requested: RecordId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retracted_by: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<RecordId>,
    /// Co-signers of this version, one per organisation (its newest endorsement), partners
    /// first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cosigners: Vec<Cosigner>,
    /// Organisations that co-signed only an earlier version: shown apart, never counted as
    /// co-signing this text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_cosigners: Vec<Cosigner>,
    /// Older versions (newest first), with `--history`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<RecordInfo>,
}

/// Record counts of a store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Records held, all kinds.
    pub records: u64,
    /// Records held, by kind.
    pub by_kind: std::collections::BTreeMap<String, u64>,
    /// Records dropped because their author retracted them.
    pub retracted: u64,
    /// Records refused, by reason (since the store was created).
    pub rejected: std::collections::BTreeMap<String, u64>,
    /// Bytes the full-text search index takes in the store file (its pages, counted apart from
    /// the records).
    #[serde(default)]
    pub search_index_bytes: u64,
}

/// The answer to `publish`, `endorse`, `retract`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    pub id: RecordId,
    pub kind: crate::Kind,
    /// Stored now (`stored`) or already there (`duplicate`).
    pub outcome: String,
}

/// What an import (or any batch through ingest) did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestReport {
    pub stored: u64,
    pub duplicate: u64,
    /// Records whose `expires` had passed: not kept, and not counted as rejected.
    #[serde(default)]
    pub expired: u64,
    /// Refused records, by reason code.
    pub rejected: std::collections::BTreeMap<String, u64>,
}

impl IngestReport {
    /// Total refused.
    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }
}

/// Publish a resource, practice, campaign or profile. The node fills in the author, the network
/// and the time. Endorsements and retractions have their own requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishRequest {
    pub pillars: Vec<Pillar>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<u64>,
    /// An id or unique id prefix of an earlier record of this author that this one replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
    /// Ids or unique prefixes of records this one refers to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<String>,
    /// Pillars of `pillars` that may be new to this node: without this, a pillar that is not
    /// well known, not held and not followed is refused (it would reach nobody).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub new_pillars: Vec<Pillar>,
    #[serde(flatten)]
    pub content: Content,
}

/// Co-sign a record (an id or unique prefix).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndorseRequest {
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
}

/// Withdraw one of this node's own records (an id or unique prefix).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetractRequest {
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Which records to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListRequest {
    /// Any of these pillars (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pillars: Vec<Pillar>,
    /// Any of these kinds (empty: resources, practices and campaigns).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<crate::Kind>,
    /// An author: its key in hex, a unique prefix of it, or a partner's local name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// The `next` of a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Also superseded records and older profiles.
    #[serde(default)]
    pub all: bool,
    /// Also records whose `expires` has passed (marked `expired`).
    #[serde(default)]
    pub include_expired: bool,
}

/// Full-text search: records holding every word of `text`, newest first, filtered like a
/// listing. Words are matched after the normalisation of `wsf_protocol::search`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    /// The words to find (at most `search::MAX_QUERY_BYTES` bytes, `search::MAX_QUERY_TERMS`
    /// terms).
    pub text: String,
    /// Any of these pillars (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pillars: Vec<Pillar>,
    /// Any of these kinds (empty: resources, practices and campaigns).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<crate::Kind>,
    /// An author: its key in hex, a unique prefix of it, or a partner's local name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// The `next` of a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Also superseded records and older profiles.
    #[serde(default)]
    pub all: bool,
    /// Also records whose `expires` has passed (marked `expired`).
    #[serde(default)]
    pub include_expired: bool,
}

/// One page of records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListResponse {
    pub items: Vec<RecordInfo>,
    /// Pass as `cursor` to get the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// This node's identities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdInfo {
    /// The organisation's author key: what partners add and what signs records.
    pub author: AuthorId,
    /// The libp2p peer id (separate from the author key), when the node has one.
    #[serde(default)]
    pub peer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub network: crate::NetworkId,
    pub data_dir: String,
}

/// Something that happened in a running node, as streamed by `/v1/events` and `wsf watch`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NodeEvent {
    /// A record was stored; `source` is `local`, `gossip`, `import` or `sync`.
    RecordStored {
        source: String,
        record: Box<RecordInfo>,
    },
    /// A record was refused; `reason` is a reason code (see `docs/protocol.md`).
    RecordRejected {
        source: String,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        peer: Option<String>,
    },
    PeerConnected {
        peer: String,
        address: String,
        /// This node dialled it (the address is one to dial again); false: it dialled us.
        #[serde(default)]
        outbound: bool,
    },
    PeerDisconnected {
        peer: String,
    },
    /// Addresses a peer was learned at, without a connection to it yet: `via` is `identify`
    /// (the addresses a connected peer listens on) or `rendezvous` (an anchor's listing).
    PeerLearned {
        peer: String,
        addresses: Vec<String>,
        via: String,
    },
    /// A catch-up sync session with a peer on one pillar ended.
    SyncFinished {
        peer: String,
        pillar: String,
        fetched: u64,
        stored: u64,
        pushed: u64,
        bytes: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
}

/// `wsf status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusInfo {
    pub running: bool,
    pub peer_id: String,
    pub author: AuthorId,
    pub network: crate::NetworkId,
    /// Full multiaddrs, with `/p2p/<peer id>`.
    pub listen_addrs: Vec<String>,
    /// The control API's TCP address.
    pub api_addr: String,
    /// Connected peers.
    pub peers: usize,
    pub pillars: Vec<Pillar>,
    pub counts: Counts,
    /// What ingest did since the node started, by outcome or reason code.
    pub since_start: std::collections::BTreeMap<String, u64>,
    /// BLAKE3 over the sorted ids of every held record (and tombstone): two nodes with the same
    /// records show the same digest.
    pub digest: String,
    /// The data dir is encrypted (it has a key slot).
    #[serde(default)]
    pub encrypted: bool,
    /// The bootstrap peers (`--bootstrap` and `bootstrap` in config.json), in order.
    #[serde(default)]
    pub bootstrap: Vec<BootstrapInfo>,
    #[serde(default)]
    pub reachability: ReachInfo,
}

/// Reachability counters since the node started (`status --json`: `reachability`), so that
/// relay and hole-punching success rates can be measured in the field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct ReachInfo {
    /// This node serves relay and rendezvous.
    pub anchor: bool,
    /// Anchors where this node holds a reservation now.
    pub reservations_active: u64,
    /// Reservations accepted (renewals included).
    pub reservations_accepted: u64,
    /// Hole punches tried (each DCUtR outcome), succeeded, failed.
    pub holepunch_attempts: u64,
    pub holepunch_successes: u64,
    pub holepunch_failures: u64,
    /// Relayed connections this node opened or accepted.
    pub relayed_connections: u64,
    /// Relayed connections closed because a direct one took over.
    pub relayed_closed_for_direct: u64,
    /// On an anchor: circuits it relayed, and those it refused.
    pub circuits_relayed: u64,
    pub circuits_denied: u64,
    /// Peers found through rendezvous.
    pub discovered: u64,
    /// Bytes this node received and sent over relayed connections (its own traffic through
    /// anchors, counted below Noise).
    #[serde(default)]
    pub relayed_bytes_in: u64,
    #[serde(default)]
    pub relayed_bytes_out: u64,
}

/// A bootstrap peer as `wsf status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapInfo {
    pub addr: String,
    /// A connection to it is open.
    pub connected: bool,
    /// Why the last dial failed (until a connection opens).
    #[serde(default)]
    pub last_error: Option<String>,
}

/// One connected peer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerInfo {
    pub peer_id: String,
    /// The address of the connection in use (a direct one before a relayed one; for an
    /// inbound one, where it came from).
    #[serde(default)]
    pub addr: String,
    /// The addresses of all its open connections, the one in use first.
    pub addresses: Vec<String>,
    /// `outbound` (this node dialled) or `inbound`.
    #[serde(default)]
    pub direction: String,
    /// The connection in use goes through a relay (`p2p-circuit`).
    #[serde(default)]
    pub relayed: bool,
    /// The gossipsub score this node gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Pillar topics it subscribes to (as far as this node knows).
    #[serde(default)]
    pub topics: Vec<String>,
    /// Pillar topics on which it is in this node's gossip mesh (messages flow both ways).
    #[serde(default)]
    pub mesh: Vec<String>,
    /// On a closed network: the member organisation this node acts for (its membership
    /// statements say so), as this node shows authors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<AuthorView>,
    /// That organisation's author key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<AuthorId>,
}

/// `wsf dial`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DialRequest {
    pub addr: String,
}

/// `wsf subscribe` / `wsf unsubscribe`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PillarRequest {
    pub pillar: Pillar,
    /// Allow a pillar this node does not know yet (not well known, not held, not followed).
    #[serde(default)]
    pub new: bool,
}

/// `wsf export`: the node streams a bundle (`application/octet-stream`) of its records on any of
/// `pillars` (all when empty); the client writes the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    #[serde(default)]
    pub pillars: Vec<Pillar>,
}

/// `wsf sync [PEER]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    /// A connected peer's id; absent: every connected peer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<String>,
}

/// An error from the control API: `{"error": "...", "code": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: String,
    /// `bad_request`, `not_found`, `method_not_allowed`, `unauthorized`, `bad_host`,
    /// `bad_origin`, `not_yours`, `refused`, `not_running`, `unreachable`, `internal`
    /// (docs/operations.md).
    pub code: String,
}

/// `wsf partners add|remove|block`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerRequest {
    /// `add`, `remove` or `block`.
    pub action: String,
    /// The author's key in hex, a unique prefix of it, or a partner's local name.
    pub author: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One author with a status on this node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerInfo {
    pub author: AuthorId,
    /// `partner` or `blocked`.
    pub status: String,
    pub name: String,
}

/// `wsf partners policy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyInfo {
    /// `open` or `partners`.
    pub policy: String,
    pub trust_k: u32,
    pub quota_per_hour: u32,
}

/// `wsf invite create`: an invite to this closed network, open until `days` from now (default
/// 7; 0: never) or until `until_ms`, for `uses` new nodes (default 1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    #[serde(default)]
    pub days: Option<u64>,
    #[serde(default)]
    pub until_ms: Option<u64>,
    #[serde(default)]
    pub uses: Option<u32>,
}

/// A node that joined with an invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinedInfo {
    pub author: AuthorId,
    /// The name it gave (a claim).
    pub name: String,
    pub at: u64,
}

/// An invite this node issued (`wsf invite create`, `list`, `revoke`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteInfo {
    /// The invite id (32 hex characters).
    pub id: String,
    /// The code: only in the answer that creates the invite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub created: u64,
    /// ms since the Unix epoch; 0: never.
    pub expires: u64,
    pub uses: u32,
    pub used: u32,
    /// `open`, `expired`, `used_up` or `revoked`.
    pub state: String,
    /// Where the door listens (in the code).
    #[serde(default)]
    pub door: Vec<String>,
    pub joined: Vec<JoinedInfo>,
}

/// `wsf invite revoke ID`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeInviteRequest {
    /// The invite id, or at least 4 of its first characters.
    pub id: String,
}

/// A member of a closed network (`wsf network members`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberInfo {
    pub author: AuthorId,
    /// The name it was welcomed under: what it called itself, relayed by the inviter (a claim).
    pub name: String,
    /// Who welcomed it; `null` for the network's root and for members recorded when a network
    /// made before membership migrated.
    pub invited_by: Option<AuthorId>,
    pub admin: bool,
    /// The network's founder.
    pub root: bool,
    /// When it became a member (ms since the Unix epoch).
    pub since: u64,
    /// The libp2p peer ids of its nodes.
    pub nodes: Vec<String>,
    /// This node's own organisation.
    pub you: bool,
    /// What this node knows of the author ("you", "partner", "vouched", "unknown"), as records
    /// show it.
    #[serde(default)]
    pub trust: String,
    /// The local name given to it as a partner, if any.
    #[serde(default)]
    pub local_name: Option<String>,
}

/// A former member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedInfo {
    pub author: AuthorId,
    pub by: AuthorId,
    pub at: u64,
    /// It left by itself.
    pub left: bool,
}

/// `GET /v1/network/members`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersInfo {
    pub network: NetworkId,
    pub root: Option<AuthorId>,
    /// Whether nodes refuse connections from node keys no member stands behind.
    pub gated: bool,
    /// The current key's epoch (0: the key the network was made with).
    pub epoch: u64,
    /// This node's key epoch (lower than `epoch` while it has not taken the new key).
    pub node_epoch: u64,
    /// Until when the previous key is still accepted (ms since the Unix epoch; 0: none).
    pub previous_until: u64,
    pub statements: usize,
    pub members: Vec<MemberInfo>,
    pub removed: Vec<RemovedInfo>,
}

/// `wsf network admin add AUTHOR`, `wsf network remove AUTHOR`: a member, by its author key
/// or at least 8 of its first hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberRequest {
    pub author: String,
}

/// `wsf network rekey`: how long the previous key stays accepted (default 7 days).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RekeyRequest {
    #[serde(default)]
    pub grace_secs: Option<u64>,
}
