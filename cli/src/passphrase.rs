//! Where the passphrase of an encrypted data dir comes from: `--passphrase-file` (or
//! `WSF_PASSPHRASE_FILE`), `--passphrase-fd`, a systemd credential (`wsf.passphrase` in
//! `$CREDENTIALS_DIRECTORY`), else the terminal, asked without echo. Commands that go through
//! the running, unlocked node never ask.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use zeroize::Zeroizing;

/// Below this many bytes a new passphrase gets a warning.
const MIN_ADVISED: usize = 16;

/// The longest passphrase read (a file or descriptor holding more is refused, not cut).
const MAX_LEN: u64 = 1024;

/// The name of the systemd credential that holds the passphrase (`LoadCredential=` or
/// `LoadCredentialEncrypted=wsf.passphrase:…` in the unit).
pub const CREDENTIAL: &str = "wsf.passphrase";

/// Where to read the passphrase from.
#[derive(Debug, Clone, Default)]
pub struct Source {
    pub file: Option<PathBuf>,
    pub fd: Option<u32>,
}

fn read_bounded(path: &Path) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot read the passphrase from {}", path.display()))?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_LEN + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read the passphrase from {}", path.display()))?;
    if bytes.len() as u64 > MAX_LEN {
        anyhow::bail!(
            "{} holds more than {MAX_LEN} bytes; a passphrase file holds the passphrase only",
            path.display()
        );
    }
    // One trailing line end (files written with echo or an editor) is not part of it.
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    }
    if bytes.is_empty() {
        anyhow::bail!("{} holds an empty passphrase", path.display());
    }
    Ok(bytes)
}

fn ask(prompt: &str) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    let text =
        Zeroizing::new(rpassword::prompt_password(prompt).context("cannot read the passphrase")?);
    if text.is_empty() {
        anyhow::bail!("an empty passphrase");
    }
    Ok(Zeroizing::new(text.as_bytes().to_vec()))
}

fn credential() -> Option<PathBuf> {
    let dir = std::env::var_os("CREDENTIALS_DIRECTORY")?;
    let p = Path::new(&dir).join(CREDENTIAL);
    p.exists().then_some(p)
}

impl Source {
    /// Whether a file, a descriptor or a systemd credential gives the passphrase (no terminal
    /// needed).
    pub fn given(&self) -> bool {
        self.file.is_some() || self.fd.is_some() || credential().is_some()
    }

    /// Whether [`Source::read`] can get a passphrase: given, or a terminal to ask on.
    pub fn available(&self) -> bool {
        self.given() || std::io::stdin().is_terminal()
    }

    /// The passphrase of an existing encrypted data dir.
    pub fn read(&self, what: &Path) -> anyhow::Result<Zeroizing<Vec<u8>>> {
        if let Some(p) = &self.file {
            return read_bounded(p);
        }
        if let Some(fd) = self.fd {
            // The descriptor through its /proc link: no unsafe code for a raw descriptor.
            return read_bounded(Path::new(&format!("/proc/self/fd/{fd}")));
        }
        if let Some(p) = credential() {
            return read_bounded(&p);
        }
        if std::io::stdin().is_terminal() {
            return ask(&format!("Passphrase for {}: ", what.display()));
        }
        Err(wsf_node::datadir::Error::Locked(what.to_owned()).into())
    }

    /// A new passphrase (for `init --encrypt`): from the file or descriptor, else asked twice.
    /// A short one is taken, with a warning.
    pub fn read_new(&self, what: &Path) -> anyhow::Result<Zeroizing<Vec<u8>>> {
        let pass = self.read_new_unchecked(what)?;
        if pass.len() < MIN_ADVISED {
            eprintln!(
                "warning: this passphrase is short ({} bytes). Anyone who takes the laptop can try \
                 passphrases as fast as their hardware allows; five or more words picked at random \
                 resist that (docs/threat-model.md).",
                pass.len()
            );
        }
        Ok(pass)
    }

    fn read_new_unchecked(&self, what: &Path) -> anyhow::Result<Zeroizing<Vec<u8>>> {
        if self.file.is_some() || self.fd.is_some() {
            return self.read(what);
        }
        if !std::io::stdin().is_terminal() {
            anyhow::bail!(
                "no terminal to ask for a new passphrase: give it with --passphrase-file or \
                 --passphrase-fd"
            );
        }
        let first = ask(&format!("New passphrase for {}: ", what.display()))?;
        let second = ask("The same passphrase again: ")?;
        if *first != *second {
            anyhow::bail!("the two passphrases differ; nothing was changed");
        }
        Ok(first)
    }
}
