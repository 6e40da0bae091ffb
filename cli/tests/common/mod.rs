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

/// A `wsf node` process whose log is kept, so a test can wait for a line (an event, not a
/// timer) and read the whole log afterwards.
pub struct Running {
    pub child: Child,
    lines: std::sync::mpsc::Receiver<String>,
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Running {
    /// Starts `wsf node ARGS` in `dir` with `env` (`RUST_LOG` is left unset unless given, so
    /// the default log level applies).
    pub fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Running {
        let mut all = vec!["node"];
        all.extend_from_slice(args);
        Self::start_program(env!("CARGO_BIN_EXE_wsf"), &all, dir, env)
    }

    /// Starts `PROGRAM ARGS` (a `wsf node` behind a wrapper such as `ip netns exec`) with the
    /// data dir `dir`.
    #[allow(dead_code)]
    pub fn start_program(
        program: &str,
        args: &[&str],
        dir: &Path,
        env: &[(&str, &str)],
    ) -> Running {
        let mut cmd = StdCommand::new(program);
        cmd.args(args)
            .env("WSF_DATA_DIR", dir)
            .env_remove("RUST_LOG")
            .stderr(Stdio::piped())
            .stdout(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start wsf node");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = std::sync::mpsc::channel();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let keep = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                keep.lock().expect("log").push(line.clone());
                let _ = tx.send(line);
            }
        });
        Running { child, lines, log }
    }

    /// Waits for a log line containing `text`; `None` when the process ended first.
    pub fn wait_for(&self, text: &str) -> Option<String> {
        while let Ok(line) = self.lines.recv() {
            if line.contains(text) {
                return Some(line);
            }
        }
        None
    }

    /// The whole log so far.
    pub fn log_text(&self) -> String {
        self.log.lock().expect("log").join("\n")
    }

    /// Waits for the process to end on its own and for its log to be read to the end (the
    /// reader thread may still hold the last lines when the process is reaped), then gives
    /// the exit status; `log_text` is whole afterwards.
    #[allow(dead_code)]
    pub fn exit(&mut self) -> std::process::ExitStatus {
        let status = self.child.wait().expect("wait");
        while self.lines.recv().is_ok() {}
        status
    }

    /// SIGTERM, then the exit status.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let _ = StdCommand::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.exit()
    }
}

impl Drop for Running {
    /// A test that fails half-way must not leave its node running.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `wsf node` on 127.0.0.1 with system-picked ports, started and ready.
pub fn node(dir: &Path) -> Running {
    let n = Running::start(
        dir,
        &[
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--api-listen",
            "127.0.0.1:0",
        ],
        &[],
    );
    n.wait_for("control API").expect("the node starts");
    n
}

/// Runs `wsf ARGS`, expects exit `code`, returns stderr.
pub fn fails(dir: &Path, args: &[&str], code: i32) -> String {
    let out = wsf(dir).args(args).assert().code(code);
    String::from_utf8_lossy(&out.get_output().stderr).to_string()
}

/// An HTTP answer: status, head (lower-cased, for matching header names) and body.
pub struct Resp {
    pub status: u16,
    pub head: String,
    pub body: String,
}

/// One HTTP/1.1 request to `addr` with extra header lines and a body of `content_type`.
pub fn http_with(
    addr: &str,
    request_line: &str,
    headers: &[String],
    content_type: &str,
    body: &str,
) -> Resp {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect to the API");
    let mut req = format!("{request_line} HTTP/1.1\r\nConnection: close\r\n");
    for h in headers {
        req.push_str(h);
        req.push_str("\r\n");
    }
    if !body.is_empty() {
        req.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    Resp {
        status,
        head: head.to_ascii_lowercase(),
        body: body.to_owned(),
    }
}

/// One HTTP/1.1 request with a JSON body; returns (status, body).
pub fn http(addr: &str, request_line: &str, headers: &[String], body: &str) -> (u16, String) {
    let r = http_with(addr, request_line, headers, "application/json", body);
    (r.status, r.body)
}

/// A new encrypted data dir `<tmp>/d` with its passphrase `words` in `<tmp>/pass`.
pub fn encrypted_dir(words: &str) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let pass = tmp.path().join("pass");
    std::fs::write(&pass, format!("{words}\n")).expect("passphrase");
    let dir = tmp.path().join("d");
    wsf(&dir)
        .args(["init", "--encrypt", "--name", "Org A", "--passphrase-file"])
        .arg(&pass)
        .assert()
        .success();
    (tmp, dir, pass)
}

/// `wsf node --unlock-on-page` on `dir` with system-picked ports (and `extra` arguments),
/// started and locked.
pub fn locked_node(dir: &Path, extra: &[&str]) -> Running {
    let mut args = vec!["--unlock-on-page", "--api-listen", "127.0.0.1:0"];
    if !extra.contains(&"--listen") {
        args.extend(["--listen", "/ip4/127.0.0.1/tcp/0"]);
    }
    args.extend(extra);
    let n = Running::start(dir, &args, &[]);
    n.wait_for("locked").expect("the node starts locked");
    n
}
