//! The node's operations, as the CLI (offline) and the control API (online) both call them.
//! One implementation, so a command behaves the same whether or not the node runs.

use wsf_protocol::api::{
    Counts, EndorseRequest, IdInfo, ListRequest, ListResponse, PublishRequest, Published,
    RecordDetail, RetractRequest,
};
use wsf_protocol::ed25519_dalek::SigningKey;
use wsf_protocol::{AuthorId, Content, Draft, Endorsement, IdPrefix, Record, RecordId, Retraction};

use crate::datadir::{self, DataDir};
use crate::ingest::{self, Ingest, now_ms};
use crate::store::{self, InsertOutcome, Store};

/// What can go wrong in an operation. Messages say what to do next.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Record(#[from] wsf_protocol::Error),
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error(transparent)]
    DataDir(#[from] datadir::Error),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0} was published by another organisation; only its author can do that")]
    NotYours(RecordId),
}

impl From<ingest::Error> for Error {
    fn from(e: ingest::Error) -> Self {
        match e {
            ingest::Error::Record(e) => Error::Record(e),
            ingest::Error::Store(e) => Error::Store(e),
        }
    }
}

/// A node's data directory, key, store and ingest pipeline, opened together.
#[derive(Debug, Clone)]
pub struct Service {
    data: DataDir,
    key: SigningKey,
    ingest: Ingest,
}

impl Service {
    /// Opens the data directory (creating it, the identity and the store on first use).
    pub fn open(data: DataDir) -> Result<Service, Error> {
        data.create()?;
        let (key, created) = data.identity_or_create()?;
        if created {
            tracing::info!(path = %data.identity_path().display(), "created a new author key");
        }
        let config = crate::config::Config::load(data.root())
            .map_err(|e| Error::BadRequest(e.to_string()))?;
        let network = config.network_id().map_err(Error::BadRequest)?;
        let store = Store::open(&data.store_path())?;
        let ingest = Ingest::new(store, network);
        ingest.set_rules(config.rules());
        Ok(Service { data, key, ingest })
    }

    /// The ingest pipeline (for imports, gossip and sync).
    pub fn ingest(&self) -> &Ingest {
        &self.ingest
    }

    /// The store.
    pub fn store(&self) -> &Store {
        self.ingest.store()
    }

    /// The data directory.
    pub fn data(&self) -> &DataDir {
        &self.data
    }

    /// This organisation's author key.
    pub fn author(&self) -> AuthorId {
        AuthorId::from(&self.key.verifying_key())
    }

    /// The author key, its name, the network.
    pub async fn id(&self, peer_id: Option<String>) -> Result<IdInfo, Error> {
        let author = self.author();
        let name = self
            .store()
            .read(move |txn| store::author_name(txn, &author))
            .await?;
        Ok(IdInfo {
            author,
            peer_id,
            name,
            network: self.ingest.network(),
            data_dir: self.data.root().display().to_string(),
        })
    }

    /// The one record whose id starts with `text`.
    pub async fn resolve(&self, text: &str) -> Result<RecordId, Error> {
        let prefix: IdPrefix = text
            .parse()
            .map_err(|e| Error::BadRequest(format!("{text:?} is not a record id: {e}")))?;
        Ok(self
            .store()
            .read(move |txn| store::resolve(txn, &prefix))
            .await?)
    }

    async fn own_record(&self, text: &str) -> Result<Record, Error> {
        let id = self.resolve(text).await?;
        let record = self
            .store()
            .read(move |txn| store::get(txn, &id))
            .await?
            .ok_or_else(|| {
                Error::BadRequest(format!(
                    "{id} was retracted; there is nothing left to change"
                ))
            })?;
        if record.body().author != self.author() {
            return Err(Error::NotYours(id));
        }
        Ok(record)
    }

    async fn sign_and_store(&self, draft: Draft) -> Result<(Record, Published), Error> {
        let (record, outcome) = self.ingest.publish(&draft, &self.key).await?;
        let published = Published {
            id: record.id(),
            kind: record.body().kind(),
            outcome: match outcome {
                InsertOutcome::Stored => "stored",
                InsertOutcome::Duplicate => "duplicate",
                InsertOutcome::Retracted => "retracted",
            }
            .into(),
        };
        Ok((record, published))
    }

    /// Signs and stores a resource, practice, campaign or profile.
    pub async fn publish(&self, req: PublishRequest) -> Result<(Record, Published), Error> {
        if matches!(
            req.content,
            Content::Endorsement(_) | Content::Retraction(_)
        ) {
            return Err(Error::BadRequest(
                "use endorse or retract for endorsements and retractions".into(),
            ));
        }
        if req.pillars.is_empty() {
            return Err(Error::BadRequest(
                "give at least one pillar (--pillar), e.g. --pillar womens-rights".into(),
            ));
        }
        let supersedes = match &req.supersedes {
            Some(text) => Some(self.own_record(text).await?.id()),
            None => None,
        };
        let mut refs = Vec::with_capacity(req.refs.len());
        for r in &req.refs {
            refs.push(self.resolve(r).await?);
        }
        self.sign_and_store(Draft {
            net: self.ingest.network(),
            ts: now_ms(),
            pillars: req.pillars,
            content: req.content,
            expires: req.expires,
            supersedes,
            refs,
        })
        .await
    }

    /// Co-signs another organisation's record, on the record's pillars.
    pub async fn endorse(&self, req: EndorseRequest) -> Result<(Record, Published), Error> {
        let id = self.resolve(&req.target).await?;
        let target = self
            .store()
            .read(move |txn| store::get(txn, &id))
            .await?
            .ok_or_else(|| Error::BadRequest(format!("{id} was retracted by its author")))?;
        if target.body().author == self.author() {
            return Err(Error::BadRequest(
                "this is your own record; co-signing is for other organisations' records".into(),
            ));
        }
        if matches!(
            target.body().content,
            Content::Endorsement(_) | Content::Retraction(_)
        ) {
            return Err(Error::BadRequest(format!(
                "{id} is an {}; co-sign the record it refers to",
                target.body().kind()
            )));
        }
        let me = self.author();
        let detail = self
            .store()
            .read(move |txn| store::detail(txn, &id, false))
            .await?;
        if let Some(mine) = detail.cosigners.iter().find(|c| c.author == me) {
            return Ok((
                self.store()
                    .read({
                        let eid = mine.id;
                        move |txn| store::get(txn, &eid)
                    })
                    .await?
                    .ok_or_else(|| Error::BadRequest("endorsement vanished".into()))?,
                Published {
                    id: mine.id,
                    kind: wsf_protocol::Kind::Endorsement,
                    outcome: "duplicate".into(),
                },
            ));
        }
        self.sign_and_store(Draft {
            net: self.ingest.network(),
            ts: now_ms(),
            pillars: target.body().pillars.clone(),
            content: Content::Endorsement(Endorsement {
                target: id,
                statement: req.statement,
            }),
            expires: None,
            supersedes: None,
            refs: Vec::new(),
        })
        .await
    }

    /// Withdraws one of this organisation's records, on the record's pillars.
    pub async fn retract(&self, req: RetractRequest) -> Result<(Record, Published), Error> {
        let target = self.own_record(&req.target).await?;
        if let Content::Retraction(_) = target.body().content {
            return Err(Error::BadRequest("a retraction cannot be retracted".into()));
        }
        self.sign_and_store(Draft {
            net: self.ingest.network(),
            ts: now_ms().max(target.body().ts),
            pillars: target.body().pillars.clone(),
            content: Content::Retraction(Retraction {
                target: target.id(),
                reason: req.reason,
            }),
            expires: None,
            supersedes: None,
            refs: Vec::new(),
        })
        .await
    }

    /// A page of records, newest first.
    pub async fn list(&self, req: ListRequest) -> Result<ListResponse, Error> {
        let cursor = match &req.cursor {
            Some(c) => Some(c.parse().map_err(Error::BadRequest)?),
            None => None,
        };
        let query = store::Query {
            pillars: req.pillars,
            kinds: req.kinds,
            author: req.author,
            since: req.since,
            until: req.until,
            limit: req.limit.unwrap_or(50),
            cursor,
            include_hidden: req.all,
        };
        let page = self
            .store()
            .read(move |txn| store::list(txn, &query))
            .await?;
        Ok(ListResponse {
            items: page.items,
            next: page.next.map(|c| c.to_string()),
        })
    }

    /// One record with its co-signers, tombstone and (with `history`) older versions.
    pub async fn show(&self, text: &str, history: bool) -> Result<RecordDetail, Error> {
        let id = self.resolve(text).await?;
        Ok(self
            .store()
            .read(move |txn| store::detail(txn, &id, history))
            .await?)
    }

    /// Sets an author's status on this node (`partner`, `block`, or `remove`); blocking deletes
    /// its records. Returns how many records were deleted.
    pub async fn set_partner(
        &self,
        author: AuthorId,
        status: Option<u8>,
        name: Option<String>,
    ) -> Result<u64, Error> {
        if author == self.author() && status == Some(crate::store::BLOCKED) {
            return Err(Error::BadRequest("you cannot block yourself".into()));
        }
        let name = match name {
            Some(n) => n,
            None => self
                .store()
                .read(move |txn| crate::store::author_name(txn, &author))
                .await?
                .unwrap_or_default(),
        };
        let deleted = self.store().set_partner(author, status, name).await?;
        self.ingest.forget_refused();
        Ok(deleted)
    }

    /// Partners and blocked authors: (author, status, name).
    pub async fn partners(&self) -> Result<Vec<(AuthorId, u8, String)>, Error> {
        Ok(self.store().read(crate::store::partners).await?)
    }

    /// Record counts and rejection counters.
    pub async fn counts(&self) -> Result<Counts, Error> {
        Ok(self.store().read(store::counts).await?)
    }
}

/// The partners list as the API shows it.
pub async fn partner_infos(svc: &Service) -> Result<Vec<wsf_protocol::api::PartnerInfo>, Error> {
    Ok(svc
        .partners()
        .await?
        .into_iter()
        .map(|(author, status, name)| wsf_protocol::api::PartnerInfo {
            author,
            status: if status == crate::store::BLOCKED {
                "blocked"
            } else {
                "partner"
            }
            .into(),
            name,
        })
        .collect())
}

/// Applies `wsf partners add|remove|block`; returns how many records were deleted.
pub async fn apply_partner_request(
    svc: &Service,
    req: wsf_protocol::api::PartnerRequest,
) -> Result<u64, Error> {
    let status = match req.action.as_str() {
        "add" => Some(crate::store::PARTNER),
        "block" => Some(crate::store::BLOCKED),
        "remove" => None,
        other => {
            return Err(Error::BadRequest(format!(
                "unknown action {other:?}: add, remove or block"
            )));
        }
    };
    svc.set_partner(req.author, status, req.name).await
}

/// The acceptance rules in force.
pub fn policy_info(svc: &Service) -> wsf_protocol::api::PolicyInfo {
    let r = svc.ingest().rules();
    wsf_protocol::api::PolicyInfo {
        policy: match r.policy {
            crate::config::Policy::Open => "open",
            crate::config::Policy::Partners => "partners",
        }
        .into(),
        trust_k: r.trust_k,
        quota_per_hour: r.quota_per_hour,
    }
}

/// Changes the acceptance rules, now and in config.json.
pub fn set_policy(
    svc: &Service,
    req: wsf_protocol::api::PolicyInfo,
) -> Result<wsf_protocol::api::PolicyInfo, Error> {
    let policy = match req.policy.as_str() {
        "open" => crate::config::Policy::Open,
        "partners" => crate::config::Policy::Partners,
        other => {
            return Err(Error::BadRequest(format!(
                "unknown policy {other:?}: open or partners"
            )));
        }
    };
    let root = svc.data().root().to_owned();
    let mut config =
        crate::config::Config::load(&root).map_err(|e| Error::BadRequest(e.to_string()))?;
    config.policy = Some(policy);
    config.trust_k = Some(req.trust_k);
    config.quota_per_hour = Some(req.quota_per_hour.max(1));
    config
        .save(&root)
        .map_err(|e| Error::BadRequest(e.to_string()))?;
    svc.ingest().set_rules(config.rules());
    Ok(policy_info(svc))
}
