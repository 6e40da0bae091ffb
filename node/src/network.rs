//! Closed networks: creating one, and joining one from an invite code.

use wsf_protocol::NetworkId;
use wsf_protocol::door::{Answer, DoorError};
use wsf_protocol::invite::{DoorInvite, Invite};

use crate::config::Config;
use crate::datadir::{self, DataDir};
use crate::service::{Error, Service};

/// Makes `data` the first node of a new closed network: a random 16-byte id and a random 32-byte
/// pre-shared key (`<data>/network.key`, 0600). Refuses a data dir already on a closed network.
pub fn create(data: &DataDir, name: &str) -> Result<NetworkId, Error> {
    data.create()?;
    if data.network_key()?.is_some() {
        return Err(Error::BadRequest(format!(
            "{} already belongs to a closed network; use a fresh --data-dir",
            data.root().display()
        )));
    }
    let mut config = Config::load(data).map_err(|e| Error::BadRequest(e.to_string()))?;
    let seed = datadir::random_seed()?;
    let mut id = [0u8; 16];
    id.copy_from_slice(&seed[..16]);
    let net = NetworkId(id);
    let (identity, _) = data.identity_or_create()?;
    let psk = zeroize::Zeroizing::new(datadir::random_seed()?);
    // This organisation founds the network: it is its root and first admin (section 17.4).
    let members = crate::members::Members::load(data, net, identity, *psk)
        .map_err(|e| Error::BadRequest(e.to_string()))?;
    members
        .found(crate::invites::node_id(data)?)
        .map_err(|e| Error::BadRequest(e.to_string()))?;
    data.write_network_key(&psk)?;
    config.network = Some(net.to_hex());
    config.network_name = Some(name.to_owned());
    config
        .save(data)
        .map_err(|e| Error::BadRequest(e.to_string()))?;
    Ok(net)
}

/// Configures `data` from an invite: network id and name, key, bootstrap addresses, and the
/// inviter as first partner. The node must not be running.
pub async fn join(data: &DataDir, invite: &Invite) -> Result<(), Error> {
    join_files(data, invite)?;
    let svc = Service::open(data.clone())?;
    add_inviter(&svc, invite).await?;
    svc.store().clone().close().await?;
    Ok(())
}

/// [`join`] for the running node (its web page): the files change now, the inviter becomes a
/// partner now; the node must then restart to use the new network.
pub async fn join_running(svc: &Service, invite: &Invite) -> Result<(), Error> {
    join_files(svc.data(), invite)?;
    add_inviter(svc, invite).await
}

/// Joins with a `wsf2` code (the node stopped): asks the inviting node's door for the key
/// (`crate::invites::knock`), then configures the data dir as [`join`] does. Returns what the
/// door gave, as an [`Invite`].
pub async fn join_with_door(data: &DataDir, invite: &DoorInvite) -> Result<Invite, Error> {
    data.create()?;
    let svc = Service::open(data.clone())?;
    let result = join_running_with_door(&svc, invite).await;
    svc.store().clone().close().await?;
    result
}

/// [`join_with_door`] for the running node (its web page); the node must then restart.
pub async fn join_running_with_door(svc: &Service, invite: &DoorInvite) -> Result<Invite, Error> {
    let data = svc.data();
    if data.network_key()?.is_some() {
        let config = Config::load(data).map_err(|e| Error::BadRequest(e.to_string()))?;
        if config.network_id().ok() != Some(invite.net) {
            return Err(Error::BadRequest(format!(
                "{} already belongs to another closed network; use a fresh --data-dir",
                data.root().display()
            )));
        }
    }
    // The name the organisation gives itself (its profile), for the inviter's list.
    let mut name: String = svc
        .id(None)
        .await
        .ok()
        .and_then(|i| i.name)
        .unwrap_or_default();
    // At most MAX_NAME bytes, cut on a character boundary.
    while name.len() > wsf_protocol::door::MAX_NAME {
        name.pop();
    }
    let request = crate::invites::request_of(data, svc.signing_key(), invite, name)?;
    let (key, name, boot, root, log) = match crate::invites::knock(invite, &request).await {
        Ok(Answer::Welcome {
            key,
            name,
            boot,
            root,
            log,
        }) => (key, name, boot, root, log),
        Ok(Answer::Refused(r)) => return Err(Error::BadRequest(DoorError::Refused(r).to_string())),
        Err(e) => return Err(Error::BadRequest(e.to_string())),
    };
    // Only addresses a node can dial: one that does not parse would stop the node's start.
    let boot: Vec<String> = boot
        .into_iter()
        .filter(|a| {
            a.parse::<libp2p::Multiaddr>()
                .is_ok_and(|m| matches!(m.iter().last(), Some(libp2p::multiaddr::Protocol::P2p(_))))
        })
        .collect();
    let joined = Invite {
        net: invite.net,
        name: if name.is_empty() {
            invite.name.clone()
        } else {
            name
        },
        key,
        bootstrap: boot,
        inviter: invite.inviter,
        expires: invite.expires,
    };
    join_files(data, &joined)?;
    // The membership the door gave: the network's root and its statements, this node's
    // welcome among them.
    let members =
        crate::members::Members::load(data, invite.net, svc.signing_key().clone(), joined.key)
            .map_err(|e| Error::BadRequest(e.to_string()))?;
    members
        .joined(root, &log, &joined.key)
        .map_err(|e| Error::BadRequest(e.to_string()))?;
    if !members.snapshot().state.members.contains_key(&svc.author()) {
        tracing::warn!("the inviting node's answer did not include this organisation's welcome");
    }
    add_inviter(svc, &joined).await?;
    Ok(joined)
}

async fn add_inviter(svc: &Service, invite: &Invite) -> Result<(), Error> {
    let partners = svc.partners().await?;
    if partners.iter().any(|(a, _, _)| *a == invite.inviter) {
        return Ok(());
    }
    // A member invited again by someone else: its first inviter keeps the name.
    let name = (!partners.iter().any(|(_, _, n)| n == "inviter")).then(|| "inviter".to_owned());
    svc.set_partner(invite.inviter, Some(crate::store::PARTNER), name)
        .await?;
    Ok(())
}

/// The key and `config.json` of [`join`].
fn join_files(data: &DataDir, invite: &Invite) -> Result<(), Error> {
    data.create()?;
    let mut config = Config::load(data).map_err(|e| Error::BadRequest(e.to_string()))?;
    let same_network = config.network_id().ok() == Some(invite.net);
    match data.network_key()? {
        // A member invited again after a key change it missed: the same network, a newer key.
        Some(existing) if existing != invite.key && same_network => {
            data.replace_network_key(&invite.key)?
        }
        Some(existing) if existing != invite.key => {
            return Err(Error::BadRequest(format!(
                "{} already belongs to another closed network; use a fresh --data-dir",
                data.root().display()
            )));
        }
        Some(_) => {}
        None => data.write_network_key(&invite.key)?,
    }
    config.network = Some(invite.net.to_hex());
    config.network_name = Some(invite.name.clone());
    for b in &invite.bootstrap {
        if !config.bootstrap.contains(b) {
            config.bootstrap.push(b.clone());
        }
    }
    config
        .save(data)
        .map_err(|e| Error::BadRequest(e.to_string()))
}

/// The closed network's key, or why there is none to invite to.
pub fn closed_key(data: &DataDir) -> Result<[u8; 32], Error> {
    data.network_key()?.ok_or_else(|| {
        Error::BadRequest(
            "this node is on the public network; create a closed network first (`wsf network \
             create NAME`)"
                .into(),
        )
    })
}
