//! `wsf encrypt`, `wsf passphrase`, `wsf identity export|import`: the encrypted data dir's
//! commands that work on its files.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use wsf_node::service;
use wsf_node::vault::{self, KeySlot, Params, keyslot};

use super::{Ctx, node_answers};
use crate::output;

/// Refuses while the node runs: these commands change files the node holds open.
async fn node_stopped(ctx: &Ctx, what: &str) -> anyhow::Result<()> {
    if node_answers(&ctx.data).await {
        return Err(service::Error::BadRequest(format!("stop the node first: {what}")).into());
    }
    Ok(())
}

/// Argon2id parameters for this machine (about half a second per unlock), on a blocking thread.
async fn calibrated() -> anyhow::Result<Params> {
    Ok(tokio::task::spawn_blocking(|| Params::calibrate(keyslot::DEFAULT_TARGET)).await??)
}

/// `wsf encrypt`: a plain data dir becomes an encrypted one, nothing lost.
pub async fn encrypt(ctx: Ctx) -> anyhow::Result<()> {
    node_stopped(&ctx, "`wsf encrypt` rewrites the store and the key files").await?;
    let data = ctx.data.clone();
    if data.is_encrypted() {
        if wsf_node::encrypt::unfinished(&data) {
            // A run cut short after the key slot: the passphrase proves it is ours to finish.
            let unlocked = ctx.unlocked_files().await?;
            wsf_node::encrypt::finish(&unlocked)?;
            println!("finished encrypting {}", data.root().display());
            return Ok(());
        }
        anyhow::bail!("{} is encrypted already", data.root().display());
    }
    let pass = ctx.pass.read_new(data.root())?;
    let params = calibrated().await?;
    let start = std::time::Instant::now();
    let dir = data.clone();
    tokio::task::spawn_blocking(move || wsf_node::encrypt::encrypt(&dir, &pass, params)).await??;
    let secs = start.elapsed().as_secs_f64();
    if ctx.json {
        return output::json(&serde_json::json!({
            "encrypted": true, "seconds": secs,
            "argon2id": { "m_kib": params.m_kib(), "t": params.t(), "p": params.p() },
        }));
    }
    println!(
        "encrypted {} in {secs:.1} s (Argon2id m = {} MiB, t = {}, p = {}).",
        data.root().display(),
        params.m_kib() / 1024,
        params.t(),
        params.p()
    );
    println!(
        "The plain files were replaced, but their old contents may still be on the disk \
         (especially an SSD): see docs/threat-model.md."
    );
    Ok(())
}

/// `wsf passphrase`: a new passphrase; only the key slot is rewritten.
pub async fn passphrase(ctx: Ctx, new_file: Option<PathBuf>, duress: bool) -> anyhow::Result<()> {
    let data = ctx.data.clone();
    if !data.is_encrypted() {
        anyhow::bail!(
            "{} is not encrypted (`wsf encrypt` encrypts it)",
            data.root().display()
        );
    }
    let old = ctx.pass.read(data.root())?;
    let new = crate::passphrase::Source {
        file: new_file,
        fd: None,
    }
    .read_new(data.root())?;
    let params = calibrated().await?;
    if duress {
        let unlocked = ctx.data.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let unlocked = unlocked.unlock(&old)?;
            unlocked.set_duress(&new, params)?;
            Ok(())
        })
        .await??;
        println!(
            "the duress passphrase of {} is set: typed where the passphrase is asked, it erases \
             this data dir and says \"wrong passphrase\"",
            data.root().display()
        );
        return Ok(());
    }
    let dir = data.root().to_owned();
    tokio::task::spawn_blocking(move || keyslot::rewrap(&dir, &old, &new, params)).await??;
    println!("the passphrase of {} is changed", data.root().display());
    Ok(())
}

/// `wsf identity export FILE`: the organisation's key, wrapped under a backup passphrase (the
/// key slot format), for a safe place away from this machine.
pub async fn identity_export(
    ctx: Ctx,
    file: &Path,
    backup_pass: Option<PathBuf>,
) -> anyhow::Result<()> {
    let data = ctx.unlocked_files().await?;
    let seed = data
        .identity()?
        .ok_or_else(|| wsf_node::datadir::Error::NoIdentity(data.root().to_owned()))?
        .to_bytes();
    let pass = crate::passphrase::Source {
        file: backup_pass,
        fd: None,
    }
    .read_new(file)?;
    let params = calibrated().await?;
    let slot = tokio::task::spawn_blocking(move || {
        KeySlot::wrap(&vault::DataKey::from_bytes(&seed), &pass, params)
    })
    .await??;
    wsf_node::datadir::write_file(file, &slot.encode())
        .with_context(|| format!("cannot write {}", file.display()))?;
    println!(
        "the organisation's key is in {}, encrypted under the backup passphrase; keep both apart",
        file.display()
    );
    Ok(())
}

/// `wsf identity import FILE`: a data dir without an identity takes the one of a backup.
pub async fn identity_import(
    ctx: Ctx,
    file: &Path,
    backup_pass: Option<PathBuf>,
) -> anyhow::Result<()> {
    node_stopped(&ctx, "`wsf identity import` writes the identity").await?;
    let data = ctx.unlocked_files().await?;
    if data.identity()?.is_some() {
        anyhow::bail!(
            "{} has an identity already; import into a fresh data dir",
            data.root().display()
        );
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let slot = KeySlot::decode(&bytes).with_context(|| format!("{}", file.display()))?;
    let pass = crate::passphrase::Source {
        file: backup_pass,
        fd: None,
    }
    .read(file)?;
    let key = tokio::task::spawn_blocking(move || slot.unlock(&pass))
        .await?
        .with_context(|| format!("{}", file.display()))?;
    data.create()?;
    data.write_secret(&data.identity_path(), "identity.key", key.expose())?;
    let author = data
        .identity()?
        .map(|k| wsf_protocol::AuthorId::from(&k.verifying_key()));
    if ctx.json {
        return output::json(&serde_json::json!({ "author": author }));
    }
    if let Some(a) = author {
        println!("imported the organisation's key: author {a}");
    }
    Ok(())
}
