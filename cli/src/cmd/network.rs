//! `network create|show`, `invite create`, `join`: they change which network a data dir is on,
//! so they work on its files with the node stopped (`invite create` asks the running node for
//! its addresses).

use wsf_node::config::Config;
use wsf_node::control;
use wsf_node::datadir::DataDir;
use wsf_node::service;
use wsf_protocol::api::{
    InviteInfo, InviteRequest, MemberRequest, MembersInfo, RekeyRequest, RevokeInviteRequest,
};

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
    let cmd = match cmd {
        args::NetworkCmd::Members => return members(ctx).await,
        args::NetworkCmd::Admin(args::AdminCmd::Add { author }) => {
            let req = MemberRequest { author };
            let info: MembersInfo =
                with_client(
                    &ctx,
                    |c| async move { c.post("/v1/network/admins", &req).await },
                )
                .await?;
            return changed(&ctx, &info, "is now an admin");
        }
        args::NetworkCmd::Remove { author } => {
            let req = MemberRequest { author };
            let info: MembersInfo =
                with_client(
                    &ctx,
                    |c| async move { c.post("/v1/network/remove", &req).await },
                )
                .await?;
            changed(&ctx, &info, "removed")?;
            if !ctx.json {
                println!(
                    "Its nodes are refused from now on. It still has what it received: change \
                     the key now (`wsf network rekey`) so that its copy of the old key stops \
                     working when the grace period ends."
                );
            }
            return Ok(());
        }
        args::NetworkCmd::Leave { yes } => {
            if !yes {
                anyhow::bail!(
                    "leaving cannot be undone without a new invite; run `wsf network leave --yes`"
                );
            }
            let info: MembersInfo = with_client(&ctx, |c| async move {
                c.post("/v1/network/leave", &serde_json::json!({})).await
            })
            .await?;
            if ctx.json {
                return output::json(&info);
            }
            println!(
                "this organisation left the network; the other nodes refuse this node from now on"
            );
            return Ok(());
        }
        args::NetworkCmd::Rekey { grace } => {
            let grace_secs = match grace {
                Some(text) => Some(parse_grace(&text)?),
                None => None,
            };
            let req = RekeyRequest { grace_secs };
            let info: MembersInfo =
                with_client(
                    &ctx,
                    |c| async move { c.post("/v1/network/rekey", &req).await },
                )
                .await?;
            if ctx.json {
                return output::json(&info);
            }
            println!(
                "new network key (epoch {}) sealed to {} member{}; the old key is accepted until {}",
                info.epoch,
                info.members.len(),
                if info.members.len() == 1 { "" } else { "s" },
                crate::dates::format(info.previous_until)
            );
            println!(
                "Members whose nodes are offline until then must be invited again (`wsf invite create`)."
            );
            return Ok(());
        }
        other => other,
    };
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
        // Handled above, through the node's API.
        args::NetworkCmd::Members
        | args::NetworkCmd::Admin(_)
        | args::NetworkCmd::Remove { .. }
        | args::NetworkCmd::Leave { .. }
        | args::NetworkCmd::Rekey { .. } => Ok(()),
    }
}

/// `--grace`: `7d`, `12h`, `30m`, `90s` (jiff's friendly durations, days of 24 hours).
fn parse_grace(text: &str) -> anyhow::Result<u64> {
    let span: jiff::Span = text.trim().parse().map_err(|e| {
        service::Error::BadRequest(format!(
            "--grace {text:?}: not a duration like 7d or 12h ({e})"
        ))
    })?;
    let d = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|e| service::Error::BadRequest(format!("--grace {text:?}: {e}")))?;
    u64::try_from(d.as_secs())
        .map_err(|_| service::Error::BadRequest(format!("--grace {text:?}: negative")).into())
}

fn changed(ctx: &Ctx, info: &MembersInfo, what: &str) -> anyhow::Result<()> {
    if ctx.json {
        return output::json(info);
    }
    println!(
        "{what}; the network has {} member{}",
        info.members.len(),
        if info.members.len() == 1 { "" } else { "s" }
    );
    Ok(())
}

/// `wsf network members`: `--json` prints the array of members.
async fn members(ctx: Ctx) -> anyhow::Result<()> {
    let info: MembersInfo =
        with_client(&ctx, |c| async move { c.get("/v1/network/members").await }).await?;
    if ctx.json {
        return output::json(&info.members);
    }
    let fp = wsf_protocol::display::fingerprint;
    let name_of = |a: &wsf_protocol::AuthorId| -> String {
        match info.members.iter().find(|m| m.author == *a) {
            Some(m) if m.you => "you".into(),
            Some(m) => match &m.local_name {
                Some(n) if !n.is_empty() => {
                    format!("{} ({})", wsf_protocol::display::neutralise_line(n), fp(a))
                }
                _ => fp(a),
            },
            None => fp(a),
        }
    };
    for m in &info.members {
        let who = if m.you {
            "you".to_owned()
        } else {
            match &m.local_name {
                Some(n) if !n.is_empty() => format!(
                    "{} ({}, {})",
                    wsf_protocol::display::neutralise_line(n),
                    m.trust,
                    fp(&m.author)
                ),
                _ if m.name.is_empty() => format!("unnamed ({}, {})", m.trust, fp(&m.author)),
                _ => format!(
                    "\"{}\" (claimed, {}, {})",
                    wsf_protocol::display::neutralise_line(&m.name),
                    m.trust,
                    fp(&m.author)
                ),
            }
        };
        let role = match (m.root, m.admin) {
            (true, _) => "  founder, admin",
            (false, true) => "  admin",
            _ => "",
        };
        let by = match &m.invited_by {
            Some(b) => format!("invited by {}", name_of(b)),
            None if m.root => "founded the network".into(),
            None => "member before membership existed".into(),
        };
        println!(
            "{who}{role}\n    {by}, {}; {} node{}",
            crate::dates::format(m.since),
            m.nodes.len(),
            if m.nodes.len() == 1 { "" } else { "s" }
        );
    }
    for r in &info.removed {
        println!(
            "{} {} {}",
            fp(&r.author),
            if r.left { "left" } else { "removed by" },
            if r.left {
                crate::dates::format(r.at)
            } else {
                format!("{}, {}", name_of(&r.by), crate::dates::format(r.at))
            }
        );
    }
    let admins = info.members.iter().filter(|m| m.admin).count();
    println!(
        "{} member{}, {admins} admin{}; key epoch {}{}",
        info.members.len(),
        if info.members.len() == 1 { "" } else { "s" },
        if admins == 1 { "" } else { "s" },
        info.epoch,
        if info.gated {
            ""
        } else {
            " (not yet enforced: the network predates membership; an admin's `wsf network rekey` ends the migration)"
        }
    );
    if admins < 2 {
        println!(
            "Name a second admin (`wsf network admin add AUTHOR`): one seized laptop must not end the network."
        );
    }
    Ok(())
}

pub async fn invite_create(
    ctx: Ctx,
    days: u64,
    until: Option<String>,
    uses: u32,
) -> anyhow::Result<()> {
    let json = ctx.json;
    let until_ms = match until {
        Some(text) => Some(
            crate::dates::parse_end(&text)
                .map_err(|e| service::Error::BadRequest(format!("--until: {e}")))?,
        ),
        None => None,
    };
    // Its door answers the invite: the node must run.
    if tokio::net::UnixStream::connect(control::socket_path(ctx.data.root()))
        .await
        .is_err()
    {
        return Err(super::NotRunning.into());
    }
    let req = InviteRequest {
        days: until_ms.is_none().then_some(days),
        until_ms,
        uses: Some(uses),
    };
    let made: InviteInfo =
        with_client(&ctx, |c| async move { c.post("/v1/invites", &req).await }).await?;
    let code = made.code.clone().unwrap_or_default();
    if made.door.iter().all(|a| local_only(a)) {
        // A warning, never a filter: the code may be meant for the same machine or LAN.
        eprintln!(
            "warning: this code offers only loopback or private addresses ({}): a partner \
             outside this machine or local network cannot reach them. Run the node with \
             --listen (and --door-listen) on an address partners can reach.",
            made.door.join(", ")
        );
    }
    if json {
        return output::json(&made);
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
    let until = if made.expires == 0 {
        "no expiry".to_owned()
    } else {
        format!("until {}", crate::dates::format(made.expires))
    };
    println!(
        "Invite {} for {} node{}, {until}. Give the code to the partner over a channel you trust; \
         on their machine: wsf join CODE",
        short(&made.id),
        made.uses,
        if made.uses == 1 { "" } else { "s" }
    );
    println!(
        "The code does not carry the network's key: this node gives it to whoever uses the code, \
         while the invite is open (keep the node running). `wsf invite revoke {}` closes it.",
        short(&made.id)
    );
    Ok(())
}

pub async fn invite_list(ctx: Ctx) -> anyhow::Result<()> {
    let json = ctx.json;
    let list: Vec<InviteInfo> =
        with_client(&ctx, |c| async move { c.get("/v1/invites").await }).await?;
    if json {
        return output::json(&list);
    }
    if list.is_empty() {
        println!("No invites yet (`wsf invite create`).");
    }
    for i in &list {
        let until = if i.expires == 0 {
            "no expiry".to_owned()
        } else {
            format!("until {}", crate::dates::format(i.expires))
        };
        println!(
            "{}  {:<8} {}/{} used  {until}",
            short(&i.id),
            i.state,
            i.used,
            i.uses
        );
        for j in &i.joined {
            println!(
                "          joined {}: {} {}",
                crate::dates::format(j.at),
                wsf_protocol::display::fingerprint(&j.author),
                wsf_protocol::display::neutralise_line(&j.name)
            );
        }
    }
    Ok(())
}

pub async fn invite_revoke(ctx: Ctx, id: String) -> anyhow::Result<()> {
    let json = ctx.json;
    let req = RevokeInviteRequest { id };
    let revoked: InviteInfo =
        with_client(
            &ctx,
            |c| async move { c.post("/v1/invites/revoke", &req).await },
        )
        .await?;
    if json {
        return output::json(&revoked);
    }
    println!(
        "invite {} revoked: its code grants nothing from now on ({} node{} joined with it)",
        short(&revoked.id),
        revoked.used,
        if revoked.used == 1 { "" } else { "s" }
    );
    Ok(())
}

pub async fn join(ctx: Ctx, code: &str) -> anyhow::Result<()> {
    let (data, json) = (ctx.unlocked_files().await?, ctx.json);
    let bad = |e: wsf_protocol::invite::InviteError| service::Error::BadRequest(e.to_string());
    let door_code = code
        .trim_start()
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case(wsf_protocol::invite::PREFIX_2));
    let invite = if door_code {
        let door = wsf_protocol::invite::DoorInvite::decode(code).map_err(bad)?;
        node_must_be_stopped(&data, "`join`").await?;
        // The inviting node decides: it gives the key, or says why not.
        wsf_node::network::join_with_door(&data, &door).await?
    } else {
        // A code of the first kind carries the key itself (made by nodes before invites were
        // enforced by the inviting node).
        let invite =
            wsf_protocol::invite::Invite::decode(code, wsf_node::ingest::now_ms()).map_err(bad)?;
        node_must_be_stopped(&data, "`join`").await?;
        wsf_node::network::join(&data, &invite).await?;
        invite
    };
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

/// Whether a multiaddr's IP is loopback, private or link-local (only reachable nearby).
fn local_only(addr: &str) -> bool {
    use std::net::IpAddr;
    let ip = addr
        .split('/')
        .nth(2)
        .and_then(|ip| ip.parse::<IpAddr>().ok());
    match ip {
        Some(IpAddr::V4(a)) => a.is_loopback() || a.is_private() || a.is_link_local(),
        Some(IpAddr::V6(a)) => {
            let first = a.segments()[0];
            a.is_loopback() || first & 0xfe00 == 0xfc00 || first & 0xffc0 == 0xfe80
        }
        None => false,
    }
}

/// The first 8 characters of an invite id (all of it when shorter).
fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}
