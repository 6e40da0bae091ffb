//! Closed networks: creating one, and joining one from an invite code.

use wsf_protocol::NetworkId;
use wsf_protocol::invite::Invite;

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
    let mut config = Config::load(data.root()).map_err(|e| Error::BadRequest(e.to_string()))?;
    let seed = datadir::random_seed()?;
    let mut id = [0u8; 16];
    id.copy_from_slice(&seed[..16]);
    let net = NetworkId(id);
    datadir::write_key(&data.network_key_path(), &datadir::random_seed()?)?;
    config.network = Some(net.to_hex());
    config.network_name = Some(name.to_owned());
    config
        .save(data.root())
        .map_err(|e| Error::BadRequest(e.to_string()))?;
    Ok(net)
}

/// Configures `data` from an invite: network id and name, key, bootstrap addresses, and the
/// inviter as first partner. The node must not be running.
pub async fn join(data: &DataDir, invite: &Invite) -> Result<(), Error> {
    data.create()?;
    match data.network_key()? {
        Some(existing) if existing != invite.key => {
            return Err(Error::BadRequest(format!(
                "{} already belongs to another closed network; use a fresh --data-dir",
                data.root().display()
            )));
        }
        Some(_) => {}
        None => datadir::write_key(&data.network_key_path(), &invite.key)?,
    }
    let mut config = Config::load(data.root()).map_err(|e| Error::BadRequest(e.to_string()))?;
    config.network = Some(invite.net.to_hex());
    config.network_name = Some(invite.name.clone());
    for b in &invite.bootstrap {
        if !config.bootstrap.contains(b) {
            config.bootstrap.push(b.clone());
        }
    }
    config
        .save(data.root())
        .map_err(|e| Error::BadRequest(e.to_string()))?;
    let svc = Service::open(data.clone())?;
    svc.set_partner(
        invite.inviter,
        Some(crate::store::PARTNER),
        Some("inviter".into()),
    )
    .await?;
    svc.store().clone().close().await?;
    Ok(())
}
