//! `init`, `id`, `publish`, `endorse`, `retract`, `list`, `search`, `show`.

use wsf_node::service;
use wsf_protocol::api::{
    EndorseRequest, IdInfo, ListRequest, ListResponse, PublishRequest, Published, RecordDetail,
    RetractRequest, SearchRequest,
};
use wsf_protocol::{Campaign, Content, Pillar, Practice, Profile, Resource};

use super::{Ctx, print_published, with_client};
use crate::args::{CommonArgs, InitArgs, ListArgs, PublishCmd, SearchArgs};
use crate::client::{Client, Open};
use crate::output;
use crate::text::{long_text, normalise, read_file};

pub async fn init(ctx: Ctx, a: InitArgs) -> anyhow::Result<()> {
    if ctx.data.was_erased() {
        // Asked for by the user: the data dir starts again.
        ctx.data.clear_erased()?;
        eprintln!(
            "this data dir was erased by `wsf panic`; starting a new one{}",
            if a.encrypt {
                ""
            } else {
                " (plain: add --encrypt if the laptop may be seized)"
            }
        );
    }
    let data = if a.encrypt {
        encrypt_new(&ctx).await?
    } else {
        if (ctx.pass.file.is_some() || ctx.pass.fd.is_some()) && !ctx.data.is_encrypted() {
            eprintln!(
                "warning: a passphrase was given but this data dir is not encrypted and --encrypt \
                 was not asked for: it stays plain"
            );
        }
        ctx.unlocked().await?
    };
    let existed = data.identity().ok().flatten().is_some();
    let profile = match a.name {
        Some(name) => Some(profile_request(
            a.pillars,
            name,
            long_text(a.description)?,
            a.website,
            a.countries,
            a.contact,
        )),
        None => None,
    };
    let c = Client::open(&data, Open::Create).await?;
    let result = async {
        if let Some(req) = profile {
            let _: Published = c.post("/v1/publish", &req).await?;
        }
        c.get::<IdInfo>("/v1/id").await
    }
    .await;
    c.close().await?;
    let id = result?;
    if ctx.json {
        return output::json(&id);
    }
    if existed {
        println!("identity already exists in {}", id.data_dir);
    } else {
        println!("created a new identity in {}", id.data_dir);
    }
    println!("author  {}", id.author);
    if let Some(n) = id.name {
        println!("name    {}", wsf_protocol::display::neutralise_line(&n));
    }
    if data.is_encrypted() {
        println!(
            "The data dir is encrypted: without the passphrase nothing in it can be read. Keep \
             the passphrase safe; nobody can recover it."
        );
    } else {
        println!(
            "Keep {}/identity.key secret and backed up: it signs everything you publish.",
            id.data_dir
        );
    }
    Ok(())
}

/// `init --encrypt`: a new data key under a new passphrase (Argon2id calibrated to this
/// machine), for a data dir that holds nothing yet.
async fn encrypt_new(ctx: &Ctx) -> anyhow::Result<wsf_node::datadir::DataDir> {
    let data = ctx.data.clone();
    if data.is_encrypted() {
        anyhow::bail!(
            "{} is encrypted already; `wsf init` without --encrypt uses it",
            data.root().display()
        );
    }
    let holds = [
        "identity.key",
        "store.redb",
        "config.json",
        "node.key",
        "network.key",
    ]
    .iter()
    .any(|f| data.root().join(f).exists());
    if holds {
        anyhow::bail!(
            "{} already holds a plain identity or store; `wsf encrypt` converts it",
            data.root().display()
        );
    }
    let pass = ctx.pass.read_new(data.root())?;
    data.create()?;
    let dir = data.root().to_owned();
    let key = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let params = wsf_node::vault::Params::calibrate(wsf_node::vault::keyslot::DEFAULT_TARGET)?;
        let (slot, key) = wsf_node::vault::KeySlot::create(&pass, params)?;
        wsf_node::vault::keyslot::store(&dir, &slot)?;
        tracing::info!(
            m_kib = params.m_kib(),
            t = params.t(),
            p = params.p(),
            "key slot created (Argon2id)"
        );
        Ok(key)
    })
    .await??;
    Ok(data.with_key(key))
}

pub async fn id(ctx: Ctx) -> anyhow::Result<()> {
    let id: IdInfo = with_client(&ctx, |c| async move { c.get("/v1/id").await }).await?;
    if ctx.json {
        return output::json(&id);
    }
    println!("author   {}", id.author);
    if let Some(n) = &id.name {
        println!("name     {}", wsf_protocol::display::neutralise_line(n));
    }
    if let Some(p) = &id.peer_id {
        println!("peer id  {p}");
    }
    println!("network  {}", id.network);
    println!("data     {}", id.data_dir);
    Ok(())
}

pub async fn publish(ctx: Ctx, cmd: PublishCmd) -> anyhow::Result<()> {
    let req = publish_request(cmd)?;
    let p: Published =
        with_client(&ctx, |c| async move { c.post("/v1/publish", &req).await }).await?;
    print_published(ctx.json, &p)
}

pub async fn endorse(ctx: Ctx, id: String, statement: Option<String>) -> anyhow::Result<()> {
    let req = EndorseRequest {
        target: id,
        statement: long_text(statement)?,
    };
    let p: Published =
        with_client(&ctx, |c| async move { c.post("/v1/endorse", &req).await }).await?;
    print_published(ctx.json, &p)
}

pub async fn retract(ctx: Ctx, id: String, reason: Option<String>) -> anyhow::Result<()> {
    let req = RetractRequest {
        target: id,
        reason: long_text(reason)?,
    };
    let p: Published =
        with_client(&ctx, |c| async move { c.post("/v1/retract", &req).await }).await?;
    print_published(ctx.json, &p)
}

pub async fn list(ctx: Ctx, a: ListArgs) -> anyhow::Result<()> {
    let f = a.filters;
    let req = ListRequest {
        pillars: f.pillars,
        kinds: f.kinds,
        author: f.author,
        since: a.since,
        until: a.until,
        limit: Some(f.limit),
        cursor: f.cursor,
        all: f.all,
        include_expired: f.include_expired,
    };
    let page: ListResponse =
        with_client(&ctx, |c| async move { c.post("/v1/list", &req).await }).await?;
    if ctx.json {
        // An array (DESIGN §1); each element carries its `cursor` for the next page.
        return output::json(&page.items);
    }
    output::table(&page.items, page.next.as_deref());
    Ok(())
}

pub async fn search(ctx: Ctx, a: SearchArgs) -> anyhow::Result<()> {
    let f = a.filters;
    let req = SearchRequest {
        text: a.text.join(" "),
        pillars: f.pillars,
        kinds: f.kinds,
        author: f.author,
        limit: Some(f.limit),
        cursor: f.cursor,
        all: f.all,
        include_expired: f.include_expired,
    };
    let page: ListResponse =
        with_client(&ctx, |c| async move { c.post("/v1/search", &req).await }).await?;
    if ctx.json {
        // The shape `list --json` prints: an array of records, each with its `cursor`.
        return output::json(&page.items);
    }
    output::table(&page.items, page.next.as_deref());
    Ok(())
}

pub async fn show(ctx: Ctx, id: String, history: bool) -> anyhow::Result<()> {
    if !wsf_protocol::hex::is_hex(&id) {
        return Err(service::Error::BadRequest(format!(
            "{id:?} is not a record id (hex, or a prefix of at least 4 characters)"
        ))
        .into());
    }
    let path = format!("/v1/records/{id}?history={history}");
    let detail: RecordDetail = with_client(&ctx, |c| async move { c.get(&path).await }).await?;
    if ctx.json {
        return output::json(&detail);
    }
    output::detail(&detail);
    Ok(())
}

fn request(common: CommonArgs, content: Content) -> PublishRequest {
    let mut pillars = common.pillars;
    pillars.extend(common.new_pillars.iter().cloned());
    PublishRequest {
        pillars,
        expires: common.expires,
        supersedes: common.supersedes,
        refs: common.refs,
        new_pillars: common.new_pillars,
        content,
    }
}

fn publish_request(cmd: PublishCmd) -> anyhow::Result<PublishRequest> {
    Ok(match cmd {
        PublishCmd::Resource {
            common,
            title,
            resource_type,
            summary,
            body,
            body_file,
            url,
            language,
            license,
        } => {
            let body = match body_file {
                Some(path) => Some(normalise(&read_file(&path)?)),
                None => long_text(body)?,
            };
            request(
                common,
                Content::Resource(Resource {
                    title,
                    resource_type,
                    summary: long_text(summary)?,
                    body,
                    url,
                    language,
                    license,
                }),
            )
        }
        PublishCmd::Practice {
            common,
            title,
            approach,
            context,
            country,
            region,
            challenge,
            outcome,
            lessons,
            url,
        } => request(
            common,
            Content::Practice(Practice {
                title,
                approach: long_text(Some(approach))?.unwrap_or_default(),
                context: long_text(context)?,
                country,
                region,
                challenge: long_text(challenge)?,
                outcome: long_text(outcome)?,
                lessons: long_text(lessons)?,
                url,
            }),
        ),
        PublishCmd::Campaign {
            common,
            title,
            action,
            call,
            online,
            place,
            description,
            starts,
            ends,
            target,
            url,
        } => {
            if !online && place.is_none() {
                return Err(service::Error::BadRequest(
                    "a campaign needs --place, or --online if people take part online".into(),
                )
                .into());
            }
            request(
                common,
                Content::Campaign(Campaign {
                    title,
                    action,
                    call: long_text(Some(call))?.unwrap_or_default(),
                    online,
                    place,
                    description: long_text(description)?,
                    starts,
                    ends,
                    target,
                    url,
                }),
            )
        }
        PublishCmd::Profile {
            pillars,
            name,
            description,
            website,
            countries,
            contact,
        } => profile_request(
            pillars,
            name,
            long_text(description)?,
            website,
            countries,
            contact,
        ),
    })
}

fn profile_request(
    pillars: Vec<Pillar>,
    name: String,
    description: Option<String>,
    website: Option<String>,
    countries: Vec<String>,
    contact: Option<String>,
) -> PublishRequest {
    PublishRequest {
        pillars: if pillars.is_empty() {
            Pillar::well_known()
        } else {
            pillars
        },
        expires: None,
        supersedes: None,
        refs: Vec::new(),
        new_pillars: Vec::new(),
        content: Content::Profile(Profile {
            name,
            description,
            website,
            countries,
            contact,
        }),
    }
}
