//! `partners add|remove|block|list|policy`.

use super::{Ctx, with_client};
use crate::client::Client;
use crate::{args, output};

pub async fn run(ctx: Ctx, cmd: args::PartnersCmd) -> anyhow::Result<()> {
    use args::PartnersCmd;
    use wsf_protocol::api::{PartnerInfo, PolicyInfo};
    let json = ctx.json;
    with_client(&ctx, |b| async move {
        match cmd {
            PartnersCmd::Add { author, name } => partner_change(&b, json, "add", author, name).await,
            PartnersCmd::Remove { author } => partner_change(&b, json, "remove", author, None).await,
            PartnersCmd::Block { author, name } => {
                partner_change(&b, json, "block", author, name).await
            }
            PartnersCmd::List => {
                let list: Vec<PartnerInfo> = b.get("/v1/partners").await?;
                if json {
                    return output::json(&list);
                }
                if list.is_empty() {
                    println!("No partners and no blocked authors.");
                }
                for p in list {
                    println!(
                        "{:<8} {}  {}",
                        p.status,
                        p.author,
                        wsf_protocol::display::neutralise_line(&p.name)
                    );
                }
                Ok(())
            }
            PartnersCmd::Policy {
                policy,
                trust,
                quota,
            } => {
                let current: PolicyInfo = b.get("/v1/policy").await?;
                let info = if policy.is_none() && trust.is_none() && quota.is_none() {
                    current
                } else {
                    let req = PolicyInfo {
                        policy: policy.unwrap_or(current.policy),
                        trust_k: trust.unwrap_or(current.trust_k),
                        quota_per_hour: quota.unwrap_or(current.quota_per_hour),
                    };
                    b.post("/v1/policy", &req).await?
                };
                if json {
                    return output::json(&info);
                }
                println!(
                    "policy {}  (trust: {} partner co-signatures; quota: {} records per author per hour)",
                    info.policy, info.trust_k, info.quota_per_hour
                );
                Ok(())
            }
        }
    })
    .await
}

async fn partner_change(
    b: &Client,
    json: bool,
    action: &str,
    author: String,
    name: Option<String>,
) -> anyhow::Result<()> {
    let req = wsf_protocol::api::PartnerRequest {
        action: action.into(),
        author,
        name,
    };
    let v: serde_json::Value = b.post("/v1/partners", &req).await?;
    let author: wsf_protocol::AuthorId = serde_json::from_value(v["author"].clone())?;
    let deleted = v["deleted"].as_u64().unwrap_or(0);
    if json {
        return output::json(
            &serde_json::json!({ "author": author, "action": action, "deleted": deleted }),
        );
    }
    match action {
        "add" => println!("partner added: {author}"),
        "remove" => println!("removed from the list: {author}"),
        _ => {
            println!("blocked {author}; {deleted} of its records deleted");
            // The store keeps the freed pages for later records; a large deletion can give
            // them back to the disk.
            if deleted >= COMPACT_HINT {
                println!(
                    "to give their space back to the disk: stop the node, run `wsf compact`, \
                     start it again"
                );
            }
        }
    }
    Ok(())
}

/// Deleted records from which `partners block` suggests `wsf compact`.
const COMPACT_HINT: u64 = 1_000;
