//! The node's operations, as the CLI (offline) and the control API (online) both call them.
//! One implementation, so a command behaves the same whether or not the node runs.

use wsf_protocol::api::{
    Counts, EndorseRequest, IdInfo, ListRequest, ListResponse, PublishRequest, Published,
    RecordDetail, RetractRequest, SearchRequest,
};
use wsf_protocol::ed25519_dalek::SigningKey;
use wsf_protocol::{
    AuthorId, Content, Draft, Endorsement, IdPrefix, Pillar, Record, RecordId, Retraction,
};

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
    /// Well-formed, but the network would refuse it (quota).
    #[error("{0}")]
    Refused(String),
    #[error("{0} was published by another organisation; only its author can do that")]
    NotYours(RecordId),
}

impl From<crate::invites::Error> for Error {
    fn from(e: crate::invites::Error) -> Self {
        match e {
            crate::invites::Error::DataDir(e) => Error::DataDir(e),
            crate::invites::Error::Bad(m) => Error::BadRequest(m),
            other => Error::Store(store::Error::Db(other.to_string())),
        }
    }
}

impl From<ingest::Error> for Error {
    fn from(e: ingest::Error) -> Self {
        match e {
            ingest::Error::Record(e) => Error::Record(e),
            ingest::Error::Store(e) => Error::Store(e),
            e @ ingest::Error::Quota { .. } => Error::Refused(e.to_string()),
        }
    }
}

/// How long [`open_waiting`] waits for a store that another process holds briefly.
pub const STORE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// What [`open_waiting`] found.
#[derive(Debug)]
pub enum Opened {
    /// The store, opened by this process.
    Here(Box<Service>),
    /// A node answers on the data dir's socket: talk to it instead.
    NodeRuns,
}

/// Opens `data` (creating the identity when `create`), unless a node runs there. While another
/// short-lived process (a command, a node starting) holds the store, waits up to
/// [`STORE_WAIT`], then fails with [`store::Error::InUse`].
pub async fn open_waiting(data: &DataDir, create: bool) -> Result<Opened, Error> {
    let socket = crate::control::socket_path(data.root());
    let deadline = tokio::time::Instant::now() + STORE_WAIT;
    let mut pause = std::time::Duration::from_millis(20);
    let mut told = false;
    loop {
        if tokio::net::UnixStream::connect(&socket).await.is_ok() {
            return Ok(Opened::NodeRuns);
        }
        let d = data.clone();
        let opened = tokio::task::spawn_blocking(move || {
            if create {
                Service::open(d)
            } else {
                Service::open_existing(d)
            }
        })
        .await
        .map_err(|e| Error::Store(store::Error::Db(format!("opening the store: {e}"))))?;
        match opened {
            Err(Error::Store(store::Error::InUse(path))) => {
                if tokio::time::Instant::now() >= deadline {
                    return Err(Error::Store(store::Error::InUse(path)));
                }
                if !told {
                    tracing::info!("the store is held by another wsf command; waiting for it");
                    told = true;
                }
                // A lock another process holds (redb takes it without blocking): there is no
                // event to wait for, so look again after a pause that doubles up to 250 ms.
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(std::time::Duration::from_millis(250));
            }
            other => return other.map(|s| Opened::Here(Box::new(s))),
        }
    }
}

/// Records a `list` page holds when the request does not say.
pub const DEFAULT_LIST_LIMIT: usize = 50;
/// Most records in one `list` page.
pub const MAX_LIST_LIMIT: usize = store::MAX_LIMIT;

/// A store page as the API answers it: each item carries its cursor.
fn page_response(page: store::Page) -> ListResponse {
    let mut items = page.items;
    for item in &mut items {
        item.cursor = Some(
            store::Cursor {
                ts: item.ts,
                id: item.id,
            }
            .to_string(),
        );
    }
    ListResponse {
        items,
        next: page.next.map(|c| c.to_string()),
    }
}

/// A node's data directory, key, store and ingest pipeline, opened together.
#[derive(Debug, Clone)]
pub struct Service {
    data: DataDir,
    key: SigningKey,
    ingest: Ingest,
    /// The invites this node issued (its door answers them).
    invites: std::sync::Arc<crate::invites::Invites>,
    /// The closed network's membership (none on the public network).
    members: Option<std::sync::Arc<crate::members::Members>>,
}

impl Service {
    /// Opens the data directory, creating it, the identity and the store on first use (`wsf
    /// node`, `init`, `join`).
    pub fn open(data: DataDir) -> Result<Service, Error> {
        data.create()?;
        data.secure()?;
        let (key, created) = data.identity_or_create()?;
        if created {
            tracing::info!(path = %data.identity_path().display(), "created a new author key");
        }
        Self::with_key(data, key)
    }

    /// Opens an existing data directory; never creates an identity (every command but `node`,
    /// `init` and `join`: a mistyped `--data-dir` must not sign with a new key).
    pub fn open_existing(data: DataDir) -> Result<Service, Error> {
        if !data.root().is_dir() {
            return Err(datadir::Error::NoIdentity(data.root().to_owned()).into());
        }
        data.secure()?;
        let key = data
            .identity()?
            .ok_or_else(|| datadir::Error::NoIdentity(data.root().to_owned()))?;
        Self::with_key(data, key)
    }

    fn with_key(data: DataDir, key: SigningKey) -> Result<Service, Error> {
        let config =
            crate::config::Config::load(&data).map_err(|e| Error::BadRequest(e.to_string()))?;
        let network = config.network_id().map_err(Error::BadRequest)?;
        let store = Store::open_with(&data.store_path(), data.data_key()?)?;
        let author = AuthorId::from(&key.verifying_key());
        let ingest = Ingest::new(store, network, author);
        ingest.set_rules(config.rules());
        let invites = std::sync::Arc::new(crate::invites::Invites::load(&data)?);
        let members = match data.network_key()? {
            Some(psk) => Some(std::sync::Arc::new(
                crate::members::Members::load(&data, network, key.clone(), psk)
                    .map_err(|e| Error::BadRequest(e.to_string()))?,
            )),
            None => None,
        };
        Ok(Service {
            data,
            key,
            ingest,
            invites,
            members,
        })
    }

    /// Drops records that expired more than the retention period ago
    /// ([`store::EXPIRED_RETENTION_MS`]); returns how many.
    pub async fn purge_expired(&self) -> Result<u64, Error> {
        let n = self.store().purge_expired(now_ms()).await?;
        if n > 0 {
            tracing::info!(records = n, "dropped records that expired over 30 days ago");
        }
        Ok(n)
    }

    /// The invites this node issued.
    pub fn invites(&self) -> &std::sync::Arc<crate::invites::Invites> {
        &self.invites
    }

    /// The closed network's membership; `None` on the public network.
    pub fn members(&self) -> Option<&std::sync::Arc<crate::members::Members>> {
        self.members.as_ref()
    }

    /// The organisation's signing key (membership statements, the join proof).
    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.key
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

    /// Pillars this node knows: the well-known ones, those of records it holds, and those it
    /// follows (`followed`).
    pub async fn known_pillars(&self, followed: &[Pillar]) -> Result<Vec<Pillar>, Error> {
        let mut known = Pillar::well_known();
        known.extend(self.store().read(store::held_pillars).await?);
        known.extend(followed.iter().cloned());
        known.sort();
        known.dedup();
        Ok(known)
    }

    /// Refuses pillars that would reach nobody: not well known, not held, not followed, and not
    /// asked for as new (`allowed_new`). A near miss of a known pillar gets "did you mean".
    pub async fn check_pillars(
        &self,
        pillars: &[Pillar],
        allowed_new: &[Pillar],
        followed: &[Pillar],
    ) -> Result<(), Error> {
        let known = self.known_pillars(followed).await?;
        for p in pillars {
            if known.contains(p) || allowed_new.contains(p) {
                continue;
            }
            let hint = match wsf_protocol::pillar::suggest(p.as_str(), &known) {
                Some(s) => format!("did you mean {s}? "),
                None => String::new(),
            };
            return Err(Error::BadRequest(format!(
                "{p} is not a pillar this node knows (nobody here follows or holds it); \
                 {hint}To start a new pillar, give --new-pillar {p}"
            )));
        }
        Ok(())
    }

    /// The pillars this node follows, as saved in config.json (read on a blocking thread).
    async fn followed(&self) -> Vec<Pillar> {
        let data = self.data.clone();
        tokio::task::spawn_blocking(move || crate::config::Config::load(&data).map(|c| c.pillars()))
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_else(Pillar::well_known)
    }

    /// Signs and stores a resource, practice, campaign or profile.
    pub async fn publish(&self, req: PublishRequest) -> Result<(Record, Published), Error> {
        let draft = self.prepare(req).await?;
        self.sign_and_store(draft).await
    }

    /// What `publish` would sign, signed and checked as every node will check it, but neither
    /// stored nor sent: for a confirmation before anything goes out in the organisation's name.
    pub async fn preview(&self, req: PublishRequest) -> Result<Record, Error> {
        let draft = self.prepare(req).await?;
        let record = wsf_protocol::sign(&draft, &self.key)?;
        record.validate(&wsf_protocol::Context {
            network: self.ingest.network(),
            now_ms: now_ms(),
        })?;
        Ok(record)
    }

    /// The checks of `publish`, and the draft they lead to.
    async fn prepare(&self, req: PublishRequest) -> Result<Draft, Error> {
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
        self.check_pillars(&req.pillars, &req.new_pillars, &self.followed().await)
            .await?;
        let supersedes = match &req.supersedes {
            Some(text) => {
                let old = self.own_record(text).await?;
                if matches!(
                    old.body().content,
                    Content::Endorsement(_) | Content::Retraction(_)
                ) {
                    return Err(Error::BadRequest(format!(
                        "{} is an {}; only resources, practices, campaigns and profiles have versions",
                        old.id(),
                        old.body().kind()
                    )));
                }
                if old.body().kind() != req.content.kind() {
                    return Err(Error::BadRequest(format!(
                        "{} is a {}; a new version must be of the same kind",
                        old.id(),
                        old.body().kind()
                    )));
                }
                Some(old.id())
            }
            None => None,
        };
        let mut refs = Vec::with_capacity(req.refs.len());
        for r in &req.refs {
            refs.push(self.resolve(r).await?);
        }
        Ok(Draft {
            net: self.ingest.network(),
            ts: now_ms(),
            pillars: req.pillars,
            content: req.content,
            expires: req.expires,
            supersedes,
            refs,
        })
    }

    /// Co-signs another organisation's record, on the record's pillars. Co-signing again with
    /// another statement publishes a new endorsement that replaces the old one; with the same
    /// statement it changes nothing.
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
        let viewer = self.ingest.viewer();
        let detail = self
            .store()
            .read(move |txn| store::detail(txn, viewer, &id, false))
            .await?;
        if let Some(newer) = detail.superseded_by {
            return Err(Error::BadRequest(format!(
                "{id} was replaced by a newer version, {newer}; co-sign the text as it stands now: \
                 wsf endorse {}",
                newer.short()
            )));
        }
        let me = self.author();
        let mine = detail.cosigners.iter().find(|c| c.author == me).cloned();
        if let Some(mine) = &mine
            && mine.statement == req.statement
        {
            let eid = mine.id;
            let record = self
                .store()
                .read(move |txn| store::get(txn, &eid))
                .await?
                .ok_or_else(|| Error::BadRequest("endorsement vanished".into()))?;
            return Ok((
                record,
                Published {
                    id: mine.id,
                    kind: wsf_protocol::Kind::Endorsement,
                    outcome: "duplicate".into(),
                },
            ));
        }
        self.sign_and_store(Draft {
            net: self.ingest.network(),
            ts: now_ms().max(mine.as_ref().map_or(0, |m| m.ts + 1)),
            pillars: target.body().pillars.clone(),
            content: Content::Endorsement(Endorsement {
                target: id,
                statement: req.statement,
            }),
            expires: None,
            supersedes: mine.map(|m| m.id),
            refs: Vec::new(),
        })
        .await
    }

    /// Withdraws one of this organisation's records and every earlier version it replaced.
    ///
    /// Each retraction names, besides its `target`, the earlier versions in `refs`, and goes on
    /// every pillar any of them was on, so that a node that holds only some versions (or none)
    /// withdraws them all. A chain too long or too wide for one record (16 refs, 8 pillars) gets
    /// several retractions; the answer names the first.
    pub async fn retract(&self, req: RetractRequest) -> Result<(Record, Published), Error> {
        let target = self.own_record(&req.target).await?;
        if let Content::Retraction(_) = target.body().content {
            return Err(Error::BadRequest("a retraction cannot be retracted".into()));
        }
        let chain = self.chain_of(&target).await?;
        let groups = retraction_groups(&chain);
        let mut first = None;
        for group in groups {
            let mut pillars: Vec<Pillar> = group.iter().flat_map(|(_, p, _)| p.clone()).collect();
            pillars.sort();
            pillars.dedup();
            let ts = group.iter().map(|(_, _, ts)| *ts).max().unwrap_or(0);
            let done = self
                .sign_and_store(Draft {
                    net: self.ingest.network(),
                    ts: now_ms().max(ts),
                    pillars,
                    content: Content::Retraction(Retraction {
                        target: group[0].0,
                        reason: req.reason.clone(),
                    }),
                    expires: None,
                    supersedes: None,
                    refs: group[1..].iter().map(|(id, _, _)| *id).collect(),
                })
                .await?;
            first.get_or_insert(done);
        }
        first.ok_or_else(|| Error::BadRequest("nothing to retract".into()))
    }

    /// `record` and the earlier versions of it this node holds (following `supersedes` through
    /// this author's records), newest first: (id, pillars, ts). A version that is not held ends
    /// the walk but is still listed (its pillars unknown), so its retraction still names it.
    async fn chain_of(&self, record: &Record) -> Result<Vec<(RecordId, Vec<Pillar>, u64)>, Error> {
        let first = record.clone();
        Ok(self
            .store()
            .read(move |txn| {
                let author = first.body().author;
                let mut out = vec![(first.id(), first.body().pillars.clone(), first.body().ts)];
                let mut next = first.body().supersedes;
                while let Some(prev) = next {
                    if out.len() > store::MAX_CHAIN || out.iter().any(|(id, _, _)| *id == prev) {
                        break;
                    }
                    match store::get(txn, &prev)? {
                        Some(p) if p.body().author == author => {
                            out.push((prev, p.body().pillars.clone(), p.body().ts));
                            next = p.body().supersedes;
                        }
                        Some(_) => break,
                        None => {
                            out.push((prev, Vec::new(), 0));
                            break;
                        }
                    }
                }
                Ok(out)
            })
            .await?)
    }

    /// A page of records, newest first.
    pub async fn list(&self, req: ListRequest) -> Result<ListResponse, Error> {
        let query = self.query(req).await?;
        let viewer = self.ingest.viewer();
        let page = self
            .store()
            .read(move |txn| store::list(txn, viewer, &query))
            .await?;
        Ok(page_response(page))
    }

    /// The store query a request asks for: cursor and author resolved, limit checked (the same
    /// for `list` and `search`).
    async fn query(&self, req: ListRequest) -> Result<store::Query, Error> {
        let cursor = match &req.cursor {
            Some(c) => Some(c.parse().map_err(Error::BadRequest)?),
            None => None,
        };
        let author = match &req.author {
            Some(text) => Some(self.resolve_author(text).await?),
            None => None,
        };
        let limit = req.limit.unwrap_or(DEFAULT_LIST_LIMIT);
        if limit == 0 || limit > MAX_LIST_LIMIT {
            return Err(Error::BadRequest(format!(
                "limit must be between 1 and {MAX_LIST_LIMIT} (got {limit}); page with the cursor"
            )));
        }
        Ok(store::Query {
            pillars: req.pillars,
            kinds: req.kinds,
            author,
            since: req.since,
            until: req.until,
            limit,
            cursor,
            include_hidden: req.all,
            include_expired: req.include_expired,
        })
    }

    /// Records holding every word of `req.text`, newest first, filtered and shown like
    /// [`Service::list`] (`wsf_protocol::search` says how words are matched).
    pub async fn search(&self, req: SearchRequest) -> Result<ListResponse, Error> {
        use wsf_protocol::search::{MAX_QUERY_BYTES, MAX_QUERY_TERMS, query_terms};
        if req.text.len() > MAX_QUERY_BYTES {
            return Err(Error::BadRequest(format!(
                "the search text is {} bytes; at most {MAX_QUERY_BYTES} are searched",
                req.text.len()
            )));
        }
        let terms = query_terms(&req.text);
        if terms.is_empty() {
            return Err(Error::BadRequest(format!(
                "{:?} holds no word to search for (words of one letter and punctuation are \
                 not searched)",
                req.text
            )));
        }
        if terms.len() > MAX_QUERY_TERMS {
            return Err(Error::BadRequest(format!(
                "the search has {} terms; at most {MAX_QUERY_TERMS} are searched together \
                 (text in Chinese, Japanese, Korean or Thai counts each pair of characters)",
                terms.len()
            )));
        }
        let query = self
            .query(ListRequest {
                pillars: req.pillars,
                kinds: req.kinds,
                author: req.author,
                since: None,
                until: None,
                limit: req.limit,
                cursor: req.cursor,
                all: req.all,
                include_expired: req.include_expired,
            })
            .await?;
        let viewer = self.ingest.viewer();
        let page = self
            .store()
            .read(move |txn| store::search(txn, viewer, &terms, &query))
            .await?;
        Ok(page_response(page))
    }

    /// One record with its co-signers, tombstone and (with `history`) older versions.
    pub async fn show(&self, text: &str, history: bool) -> Result<RecordDetail, Error> {
        let id = self.resolve(text).await?;
        let viewer = self.ingest.viewer();
        Ok(self
            .store()
            .read(move |txn| store::detail(txn, viewer, &id, history))
            .await?)
    }

    /// The author meant by `text`: a key in hex, a unique key prefix, or a partner's local name.
    pub async fn resolve_author(&self, text: &str) -> Result<AuthorId, Error> {
        let text = text.to_owned();
        self.store()
            .read(move |txn| store::resolve_author(txn, &text))
            .await
            .map_err(|e| match e {
                store::Error::NotFound(m) => Error::BadRequest(m),
                store::Error::Ambiguous { prefix, count } => Error::BadRequest(format!(
                    "{prefix} matches {count} authors; type more of the key"
                )),
                other => Error::Store(other),
            })
    }

    /// Sets an author's status on this node (`partner`, `block`, or `remove`); blocking deletes
    /// its records. Returns how many records were deleted.
    pub async fn set_partner(
        &self,
        author: AuthorId,
        status: Option<u8>,
        name: Option<String>,
    ) -> Result<u64, Error> {
        if author == self.author() && status.is_some() {
            return Err(Error::BadRequest(
                "that is your own key; partners and blocks are for other organisations".into(),
            ));
        }
        let name = match name {
            Some(n) => n.trim().to_owned(),
            None => self
                .store()
                .read(move |txn| crate::store::author_name(txn, &author))
                .await?
                .unwrap_or_default(),
        };
        if status.is_some() && !name.is_empty() {
            check_local_name(&name)?;
            let key = wsf_protocol::display::name_key(&name);
            let taken = self
                .partners()
                .await?
                .into_iter()
                .find(|(a, _, n)| *a != author && wsf_protocol::display::name_key(n) == key);
            if let Some((other, _, n)) = taken {
                return Err(Error::BadRequest(format!(
                    "the local name {n:?} is already given to {other}; local names must be \
                     unique: choose another with --name"
                )));
            }
        }
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

/// Checks `wsf subscribe` (`on`) or `wsf unsubscribe` of `pillar` against the pillars followed
/// now: a new pillar must be known or asked for as new, and the last pillar cannot be left (a
/// node that follows nothing receives nothing and serves nothing).
pub async fn check_pillar_change(
    svc: &Service,
    followed: &[Pillar],
    pillar: &Pillar,
    on: bool,
    new: bool,
) -> Result<(), Error> {
    if on {
        let allowed: &[Pillar] = if new {
            std::slice::from_ref(pillar)
        } else {
            &[]
        };
        return svc
            .check_pillars(std::slice::from_ref(pillar), allowed, followed)
            .await;
    }
    if !followed.contains(pillar) {
        return Err(Error::BadRequest(format!(
            "this node does not follow {pillar}"
        )));
    }
    if followed.len() == 1 {
        return Err(Error::BadRequest(format!(
            "{pillar} is the only pillar this node follows; a node that follows no pillar \
             receives and shares nothing. Subscribe to another pillar first (wsf subscribe PILLAR)"
        )));
    }
    Ok(())
}

/// Checks a local name for a partner: a single line, and never mistakable for a key (hex).
pub fn check_local_name(name: &str) -> Result<(), Error> {
    if name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Error::BadRequest(
            "a local name is one line of at most 100 characters".into(),
        ));
    }
    if name.chars().any(wsf_protocol::display::is_hidden) {
        return Err(Error::BadRequest(
            "a local name cannot contain invisible or direction-changing characters".into(),
        ));
    }
    if name.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::BadRequest(format!(
            "{name:?} could be mistaken for a key prefix; give a name with other letters"
        )));
    }
    Ok(())
}

/// Splits a version chain (newest first) into retractions: each at most 1 target + 16 refs and
/// at most 8 pillars in all.
fn retraction_groups(
    chain: &[(RecordId, Vec<Pillar>, u64)],
) -> Vec<Vec<(RecordId, Vec<Pillar>, u64)>> {
    let mut groups: Vec<Vec<(RecordId, Vec<Pillar>, u64)>> = Vec::new();
    let mut pillars: Vec<Pillar> = Vec::new();
    for v in chain {
        let mut with: Vec<Pillar> = pillars.iter().chain(v.1.iter()).cloned().collect();
        with.sort();
        with.dedup();
        let fits = groups.last().is_some_and(|g| {
            g.len() <= wsf_protocol::limits::MAX_REFS
                && with.len() <= wsf_protocol::limits::MAX_PILLARS
        });
        if fits && let Some(g) = groups.last_mut() {
            g.push(v.clone());
            pillars = with;
        } else {
            groups.push(vec![v.clone()]);
            pillars = v.1.clone();
        }
    }
    // A group made only of versions whose pillars are unknown still needs one pillar.
    for g in &mut groups {
        if g.iter().all(|(_, p, _)| p.is_empty())
            && let Some(p) = chain.first().and_then(|c| c.1.first())
        {
            g[0].1 = vec![p.clone()];
        }
    }
    groups
}

/// Applies `wsf partners add|remove|block`; returns the author meant and how many records were
/// deleted.
pub async fn apply_partner_request(
    svc: &Service,
    req: wsf_protocol::api::PartnerRequest,
) -> Result<(AuthorId, u64), Error> {
    let author = svc.resolve_author(&req.author).await?;
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
    Ok((author, svc.set_partner(author, status, req.name).await?))
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
    if req.trust_k == 0 {
        return Err(Error::BadRequest(
            "trust must be at least 1 (a partner co-signature); to accept every author use \
             policy open"
                .into(),
        ));
    }
    if req.quota_per_hour == 0 {
        return Err(Error::BadRequest(
            "quota must be at least 1 record per author per hour; to refuse an author, block it"
                .into(),
        ));
    }
    let data = svc.data();
    let mut config =
        crate::config::Config::load(data).map_err(|e| Error::BadRequest(e.to_string()))?;
    config.policy = Some(policy);
    config.trust_k = Some(req.trust_k);
    config.quota_per_hour = Some(req.quota_per_hour);
    config
        .save(data)
        .map_err(|e| Error::BadRequest(e.to_string()))?;
    svc.ingest().set_rules(config.rules());
    Ok(policy_info(svc))
}

/// Membership: what `wsf network members|admin|remove|leave|rekey` do. Each change is a signed
/// statement kept here; the caller gossips it when the node runs (else the membership exchange
/// delivers it at the next connection).
impl Service {
    fn closed(&self) -> Result<&std::sync::Arc<crate::members::Members>, Error> {
        self.members.as_ref().ok_or_else(|| {
            Error::BadRequest(
                "this node is on the public network, which has no members; create a closed \
                 network first (`wsf network create NAME`)"
                    .into(),
            )
        })
    }

    /// Who is in this closed network, who brought them in, who was removed.
    pub async fn members_info(&self) -> Result<wsf_protocol::api::MembersInfo, Error> {
        use wsf_protocol::api::{MemberInfo, MembersInfo, RemovedInfo};
        let members = self.closed()?.clone();
        let snap = members.snapshot();
        let node_epoch = members
            .ring()
            .read()
            .map_or_else(|e| e.into_inner().current.0, |r| r.current.0);
        let viewer = self.ingest.viewer();
        let me = self.author();
        let list = snap.state.members.clone();
        let root = snap.root;
        let views = self
            .store()
            .read(move |txn| {
                let mut lens = store::Lens::new(txn, viewer)?;
                list.into_iter()
                    .map(|(a, m)| Ok((a, m, lens.author(&a)?)))
                    .collect::<Result<Vec<_>, store::Error>>()
            })
            .await?;
        Ok(MembersInfo {
            network: members.network(),
            root,
            gated: snap.gates,
            epoch: snap.state.epoch,
            node_epoch,
            previous_until: snap.state.previous_until,
            statements: snap.held,
            members: views
                .into_iter()
                .map(|(author, m, view)| MemberInfo {
                    author,
                    name: m.name,
                    invited_by: m.invited_by,
                    admin: m.admin,
                    root: Some(author) == root,
                    since: m.since,
                    nodes: m
                        .nodes
                        .iter()
                        .map(|n| {
                            libp2p::PeerId::from_bytes(n)
                                .map_or_else(|_| wsf_protocol::hex::encode(n), |p| p.to_string())
                        })
                        .collect(),
                    you: author == me,
                    trust: view.trust.as_str().to_owned(),
                    local_name: view.local_name,
                })
                .collect(),
            removed: snap
                .state
                .removed
                .iter()
                .map(|(a, r)| RemovedInfo {
                    author: *a,
                    by: r.by,
                    at: r.at,
                    left: r.left,
                })
                .collect(),
        })
    }

    /// Fills in, for each peer of a closed network, the member organisation its node acts for
    /// (from the membership statements), shown as records show authors.
    pub async fn with_organisations(
        &self,
        mut peers: Vec<wsf_protocol::api::PeerInfo>,
    ) -> Result<Vec<wsf_protocol::api::PeerInfo>, Error> {
        let Some(members) = &self.members else {
            return Ok(peers);
        };
        let snap = members.snapshot();
        let authors: Vec<Option<AuthorId>> = peers
            .iter()
            .map(|p| {
                p.peer_id
                    .parse::<libp2p::PeerId>()
                    .ok()
                    .and_then(|id| snap.state.member_of(&id.to_bytes()))
            })
            .collect();
        let viewer = self.ingest.viewer();
        let wanted = authors.clone();
        let views = self
            .store()
            .read(move |txn| {
                let mut lens = store::Lens::new(txn, viewer)?;
                wanted
                    .iter()
                    .map(|a| a.as_ref().map(|a| lens.author(a)).transpose())
                    .collect::<Result<Vec<_>, store::Error>>()
            })
            .await?;
        for ((p, a), v) in peers.iter_mut().zip(authors).zip(views) {
            p.author = a;
            p.organisation = v;
        }
        Ok(peers)
    }

    /// The current member meant by `text`: its author key, a prefix of at least 8 hex
    /// characters, or a partner's local name.
    pub async fn resolve_member(&self, text: &str) -> Result<AuthorId, Error> {
        let snap = self.closed()?.snapshot();
        let lower = text.trim().to_ascii_lowercase();
        if lower.len() >= 8 && lower.chars().all(|c| c.is_ascii_hexdigit()) {
            let found: Vec<AuthorId> = snap
                .state
                .members
                .keys()
                .filter(|a| a.to_hex().starts_with(&lower))
                .copied()
                .collect();
            match found.as_slice() {
                [one] => return Ok(*one),
                [] => {}
                _ => {
                    return Err(Error::BadRequest(format!(
                        "{text:?} matches {} members; give more of the key",
                        found.len()
                    )));
                }
            }
        }
        let author = self.resolve_author(text).await.map_err(|_| {
            Error::BadRequest(format!(
                "{text:?} is not a current member (`wsf network members` lists them)"
            ))
        })?;
        if !snap.state.members.contains_key(&author) {
            return Err(Error::BadRequest(format!(
                "{text:?} is not a current member (`wsf network members` lists them)"
            )));
        }
        Ok(author)
    }

    fn must_be_admin(&self) -> Result<(), Error> {
        let snap = self.closed()?.snapshot();
        if !snap
            .state
            .members
            .get(&self.author())
            .is_some_and(|m| m.admin)
        {
            return Err(Error::Refused(
                "only the network's admins can do this (`wsf network members` shows them)".into(),
            ));
        }
        Ok(())
    }

    /// Makes a member an admin (this organisation must be one).
    pub async fn add_admin(
        &self,
        text: &str,
    ) -> Result<wsf_protocol::membership::Statement, Error> {
        self.must_be_admin()?;
        let member = self.resolve_member(text).await?;
        if self.closed()?.snapshot().state.members[&member].admin {
            return Err(Error::BadRequest(format!("{member} is an admin already")));
        }
        self.membership_statement(wsf_protocol::membership::Act::Admin { member })
    }

    /// Removes a member (this organisation must be an admin).
    pub async fn remove_member(
        &self,
        text: &str,
    ) -> Result<wsf_protocol::membership::Statement, Error> {
        self.must_be_admin()?;
        let member = self.resolve_member(text).await?;
        if member == self.author() {
            return Err(Error::BadRequest(
                "to remove this organisation itself, use `wsf network leave`".into(),
            ));
        }
        self.membership_statement(wsf_protocol::membership::Act::Remove { member })
    }

    /// This organisation leaves the network.
    pub fn leave(&self) -> Result<wsf_protocol::membership::Statement, Error> {
        let me = self.author();
        if !self.closed()?.snapshot().state.members.contains_key(&me) {
            return Err(Error::BadRequest(
                "this organisation is not a member of the network".into(),
            ));
        }
        self.membership_statement(wsf_protocol::membership::Act::Remove { member: me })
    }

    /// A new pre-shared key for every current member (this organisation must be an admin).
    pub fn rekey(
        &self,
        grace: std::time::Duration,
    ) -> Result<wsf_protocol::membership::Statement, Error> {
        self.must_be_admin()?;
        self.closed()?
            .rekey(grace)
            .map_err(|e| Error::Refused(e.to_string()))
    }

    fn membership_statement(
        &self,
        act: wsf_protocol::membership::Act,
    ) -> Result<wsf_protocol::membership::Statement, Error> {
        let st = self
            .closed()?
            .sign(act)
            .map_err(|e| Error::BadRequest(e.to_string()))?;
        tracing::info!(act = st.body().act.name(), "membership statement signed");
        Ok(st)
    }
}
