//! `wsf`: the command line of the World Solidarity Forum node.
//!
//! Exit codes: 0 success, 1 failure (including a command that did not do what it said: an
//! unreachable peer, an import whose every record was refused), 2 usage error, 3 the command
//! needs a running node and none runs (see docs/operations.md).

mod args;
mod client;
mod cmd;
mod dates;
mod output;
mod passphrase;
mod text;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use wsf_node::service;

use args::{Cli, Command};

/// Exit code for usage errors (also clap's).
const EXIT_USAGE: u8 = 2;
/// Exit code when a command needs a running node and none runs.
const EXIT_NOT_RUNNING: u8 = 3;

fn main() -> ExitCode {
    // Everything a command creates (store, config, bundles, keys) is private from the start;
    // the data dir's files are also checked on every open.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    // Keys and the passphrase live in this process's memory: no core dump may write them to
    // disk, and other processes of this user may not read its memory (no ptrace).
    no_core_dumps();
    let cli = Cli::parse();
    init_logging(match (&cli.command, cli.verbose) {
        (_, v) if v >= 2 => "debug",
        (Command::Node(_), 1) => "debug,libp2p=info",
        (Command::Node(_), _) => "info,libp2p=warn",
        (_, 1) => "info",
        _ => "warn",
    });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cmd::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", message(&e));
            ExitCode::from(exit_code(&e))
        }
    }
}

/// The error and its causes in one line, each said once: a cause whose text the message
/// already holds (thiserror types often quote their source) is not repeated.
fn message(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !c.is_empty() && !text.contains(&c) {
            text.push_str(": ");
            text.push_str(&c);
        }
    }
    text
}

fn exit_code(e: &anyhow::Error) -> u8 {
    if e.downcast_ref::<cmd::NotRunning>().is_some() {
        return EXIT_NOT_RUNNING;
    }
    if let Some(f) = e.downcast_ref::<client::Failure>() {
        return match f.error.code.as_str() {
            "bad_request" => EXIT_USAGE,
            "not_running" => EXIT_NOT_RUNNING,
            _ => 1,
        };
    }
    match e.downcast_ref::<service::Error>() {
        Some(service::Error::BadRequest(_)) => EXIT_USAGE,
        _ => 1,
    }
}

/// Core dumps off: a zero core size limit, and the process marked not dumpable.
fn no_core_dumps() {
    let _ = rustix::process::setrlimit(
        rustix::process::Resource::Core,
        rustix::process::Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    );
    let _ = rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
}

fn init_logging(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read /x: {0}")]
    struct Quoting(#[source] std::io::Error);

    #[test]
    fn causes_are_said_once() {
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        let e = anyhow::Error::new(Quoting(io));
        let m = message(&e);
        let cause = std::io::Error::from(std::io::ErrorKind::NotFound).to_string();
        assert_eq!(m.matches(&cause).count(), 1, "{m}");
    }
}
