//! `network create|show`, `invite create`, `join`: they change which network a data dir is on,
//! so they work on its files with the node stopped (`invite create` asks the running node for
//! its addresses).

use wsf_node::config::Config;
use wsf_node::control;
use wsf_node::datadir::DataDir;
use wsf_node::service;
use wsf_protocol::api::StatusInfo;

use super::{Ctx, with_client};
use crate::{args, output};

/// Refuses to change the network of a data dir while its node runs.
async fn node_must_be_stopped(data: &DataDir, what: &str) -> anyhow::Result<()> {
    if tokio::net::UnixStream::connect(control::socket_path(data.root()))
        .await
        .is_ok()
    {
        return Err(service::Error::BadRequest(format!(
            "stop the node first: {what} changes the network it starts on"
        ))
        .into());
    }
    Ok(())
}

pub async fn network(ctx: Ctx, cmd: args::NetworkCmd) -> anyhow::Result<()> {
    let (data, json) = (ctx.unlocked_files().await?, ctx.json);
    match cmd {
        args::NetworkCmd::Create { name } => {
            node_must_be_stopped(&data, "`network create`").await?;
            let net = wsf_node::network::create(&data, &name)?;
            if json {
                return output::json(
                    &serde_json::json!({ "network": net, "name": name, "closed": true }),
                );
            }
            println!("created the closed network {name:?} ({net})");
            println!(
                "Its key is in {} (0600): whoever has it can join.",
                data.network_key_path().display()
            );
            println!("Start the node, then invite partners with `wsf invite create`.");
            Ok(())
        }
        args::NetworkCmd::Show => {
            let config = Config::load(&data)?;
            let net = config.network_id().map_err(|e| anyhow::anyhow!(e))?;
            let closed = data.network_key()?.is_some();
            if json {
                return output::json(&serde_json::json!({
                    "network": net, "name": config.network_name, "closed": closed
                }));
            }
            match (&config.network_name, closed) {
                (Some(n), true) => println!("closed network {n:?} ({net})"),
                (_, true) => println!("closed network {net}"),
                _ => println!("the public network ({net})"),
            }
            Ok(())
        }
    }
}

pub async fn invite_create(ctx: Ctx, days: u64) -> anyhow::Result<()> {
    let (data, json) = (ctx.unlocked_files().await?, ctx.json);
    // Said before asking for a running node: the fix is not to start one.
    wsf_node::network::closed_key(&data)?;
    // The code carries the running node's addresses.
    if tokio::net::UnixStream::connect(control::socket_path(data.root()))
        .await
        .is_err()
    {
        return Err(super::NotRunning.into());
    }
    let status: StatusInfo =
        with_client(&ctx, |c| async move { c.get("/v1/status").await }).await?;
    let invite = wsf_node::network::invite(
        &data,
        status.network,
        status.author,
        &status.listen_addrs,
        days,
        wsf_node::ingest::now_ms(),
    )?;
    let code = invite.encode();
    if json {
        return output::json(&serde_json::json!({
            "code": code, "network": invite.net, "expires": invite.expires, "bootstrap": invite.bootstrap
        }));
    }
    if let Ok(qr) = qrcode::QrCode::new(code.as_bytes()) {
        let image = qr
            .render::<qrcode::render::unicode::Dense1x2>()
            .quiet_zone(true)
            .build();
        println!("{image}");
    }
    println!("{code}");
    println!();
    println!(
        "Give this code to the partner over a channel you trust: it carries the network's key. \
         On their machine: wsf join CODE"
    );
    Ok(())
}

pub async fn join(ctx: Ctx, code: &str) -> anyhow::Result<()> {
    let (data, json) = (ctx.unlocked_files().await?, ctx.json);
    let invite = wsf_protocol::invite::Invite::decode(code, wsf_node::ingest::now_ms())
        .map_err(|e| service::Error::BadRequest(e.to_string()))?;
    node_must_be_stopped(&data, "`join`").await?;
    wsf_node::network::join(&data, &invite).await?;
    if json {
        return output::json(&serde_json::json!({
            "network": invite.net, "name": invite.name, "bootstrap": invite.bootstrap, "partner": invite.inviter
        }));
    }
    println!(
        "joined the closed network {:?} ({})",
        invite.name, invite.net
    );
    println!("partner added: {} (the inviter)", invite.inviter);
    println!("Start the node with `wsf node`: it connects to the inviter and catches up.");
    Ok(())
}
