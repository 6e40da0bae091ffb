//! Helpers shared by the end-to-end tests of the `wsf` binary.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command as StdCommand, Stdio};

use assert_cmd::Command;
use serde_json::Value;

/// `wsf` with `dir` as its data directory and no log settings from the environment.
pub fn wsf(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wsf"));
    cmd.env("WSF_DATA_DIR", dir).env_remove("RUST_LOG");
    cmd
}

/// `wsf init` in `dir`: only `init`, `join` and `node` create an identity.
pub fn init(dir: &Path) {
    wsf(dir).arg("init").assert().success();
}

/// A temporary data dir with an identity in it.
pub fn fresh() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    init(dir.path());
    dir
}

/// Runs `wsf ARGS --json`, expects success, and parses what it printed.
pub fn json(dir: &Path, args: &[&str]) -> Value {
    let out = wsf(dir).args(args).arg("--json").assert().success();
    serde_json::from_slice(&out.get_output().stdout).expect("stdout is JSON")
}

/// Starts `wsf node` on 127.0.0.1 (ports picked by the system) and returns once it logged that
/// its control API is up — an event, not a timer. Its log keeps being drained in a thread.
pub fn start_node(dir: &Path) -> (Child, std::thread::JoinHandle<()>) {
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_wsf"))
        .args([
            "node",
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--api-listen",
            "127.0.0.1:0",
        ])
        .env("WSF_DATA_DIR", dir)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start wsf node");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    for line in lines.by_ref() {
        if line.expect("log line").contains("control API") {
            break;
        }
    }
    let drain = std::thread::spawn(move || for _ in lines {});
    (child, drain)
}

/// Sends SIGTERM and expects a clean exit.
pub fn stop(mut child: Child) {
    let ok = StdCommand::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill")
        .success();
    assert!(ok);
    assert!(
        child.wait().expect("wait").success(),
        "clean exit on SIGTERM"
    );
}
