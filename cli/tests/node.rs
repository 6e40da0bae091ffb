//! `wsf node` as a real process: the CLI goes through it while it runs and opens the store itself
//! when it is stopped; the TCP control API wants the token; a second node on the same data dir
//! is refused.

mod common;

use std::io::{Read, Write};
use std::process::Child;

use common::{start_node, wsf};
use serde_json::Value;

fn sigterm(child: &Child) {
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill")
        .success();
    assert!(ok);
}

fn http_get(addr: &str, path: &str, token: Option<&str>) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connect to the API");
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out
}

#[test]
fn the_cli_works_with_the_node_running_and_stopped() {
    let dir = common::fresh();
    let d = dir.path();
    let (mut node, drain) = start_node(d);

    // Through the running node.
    let out = wsf(d).args(["status", "--json"]).assert().success();
    let status: Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(status["running"], true);
    assert!(
        status["listen_addrs"][0]
            .as_str()
            .expect("addr")
            .contains("/p2p/")
    );
    let published = wsf(d)
        .args([
            "publish",
            "campaign",
            "--title",
            "Online",
            "--pillar",
            "education",
            "--action",
            "seminar",
            "--call",
            "Join",
            "--online",
            "--json",
        ])
        .assert()
        .success();
    let id: Value = serde_json::from_slice(&published.get_output().stdout).expect("json");
    let id = id["id"].as_str().expect("id").to_owned();
    let out = wsf(d).args(["list", "--json"]).assert().success();
    let list: Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(list[0]["id"], id.as_str());
    wsf(d).args(["show", &id[..8]]).assert().success();
    wsf(d).args(["peers"]).assert().success();
    // Nothing to sync with is a failure, said plainly.
    let synced = wsf(d).args(["sync"]).assert().code(1);
    let err = String::from_utf8_lossy(&synced.get_output().stderr).to_string();
    assert!(err.contains("no peer is connected"), "{err}");
    // Bad input through the API is still a usage error.
    wsf(d).args(["show", "0000"]).assert().code(1);

    // The TCP API wants the token.
    let api = status["api_addr"].as_str().expect("api_addr").to_owned();
    let denied = http_get(&api, "/v1/status", None);
    assert!(denied.starts_with("HTTP/1.1 401"), "{denied}");
    assert!(denied.contains("unauthorized"));
    let wrong = http_get(&api, "/v1/status", Some("00112233445566778899aabbccddeeff"));
    assert!(wrong.starts_with("HTTP/1.1 401"), "{wrong}");
    let token = std::fs::read_to_string(d.join("api.token")).expect("token");
    let ok = http_get(&api, "/v1/status", Some(token.trim()));
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(d.join("api.token"))
            .expect("meta")
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);

    // A second node on the same data dir is refused with a clear message.
    let second = wsf(d)
        .args([
            "node",
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--api-listen",
            "127.0.0.1:0",
        ])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&second.get_output().stderr).to_string();
    assert!(err.contains("already running"), "{err}");

    // Graceful stop on SIGTERM, then the CLI opens the store itself.
    sigterm(&node);
    assert!(
        node.wait().expect("wait").success(),
        "clean exit on SIGTERM"
    );
    drain.join().expect("drain");
    assert!(!d.join("control.sock").exists(), "the socket is removed");
    let out = wsf(d).args(["list", "--json"]).assert().success();
    let list: Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(list[0]["id"], id.as_str());
    wsf(d).args(["status"]).assert().code(3);
    wsf(d).args(["peers"]).assert().code(3);
    wsf(d).args(["sync"]).assert().code(3);
}

/// A bootstrap peer that cannot be reached is said once in the log (by number, without its
/// address) and, with the reason, in `wsf status`; a `--bootstrap` is saved, so that a plain
/// `wsf node` later (the systemd unit's) tries it too.
#[test]
fn an_unreachable_bootstrap_is_reported_and_a_given_one_is_saved() {
    let dir = common::fresh();
    common::init(dir.path());
    // A port nothing listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = format!("/ip4/127.0.0.1/tcp/{port}");
    let args = [
        "--listen",
        "/ip4/127.0.0.1/tcp/0",
        "--api-listen",
        "127.0.0.1:0",
    ];
    let mut with = args.to_vec();
    with.extend(["--bootstrap", &addr]);
    let n = common::Running::start(dir.path(), &with, &[]);
    let line = n
        .wait_for("cannot reach a bootstrap peer")
        .expect("the failure is logged");
    assert!(
        !line.contains(&addr),
        "the address stays out of the log: {line}"
    );
    let status = common::json(dir.path(), &["status"]);
    assert_eq!(status["bootstrap"][0]["addr"], addr.as_str());
    assert_eq!(status["bootstrap"][0]["connected"], false);
    let error = status["bootstrap"][0]["last_error"]
        .as_str()
        .expect("a reason");
    assert!(error.to_lowercase().contains("refused"), "{error}");
    let human = wsf(dir.path()).arg("status").assert().success();
    let text = String::from_utf8_lossy(&human.get_output().stdout).to_string();
    assert!(text.contains("unreachable"), "{text}");
    assert!(n.stop().success());
    let config = std::fs::read_to_string(dir.path().join("config.json")).expect("config");
    assert!(config.contains(&addr), "{config}");
    // Plain `wsf node`: the saved bootstrap is tried again.
    let again = common::Running::start(dir.path(), &args, &[]);
    again
        .wait_for("cannot reach a bootstrap peer")
        .expect("the saved bootstrap is dialled");
    assert_eq!(
        common::json(dir.path(), &["status"])["bootstrap"][0]["addr"],
        addr.as_str()
    );
    assert!(again.stop().success());
}

/// The address book: B dials A once (`wsf dial`, not a bootstrap); restarted as a plain
/// `wsf node`, B finds A again by itself. `wsf peers` shows the address and the direction.
#[test]
fn a_restarted_node_finds_a_peer_it_dialled_before() {
    let (a, b) = (common::fresh(), common::fresh());
    common::init(a.path());
    common::init(b.path());
    let args = [
        "--listen",
        "/ip4/127.0.0.1/tcp/0",
        "--api-listen",
        "127.0.0.1:0",
    ];
    // A keeps its port across the test, so the address B noted stays right.
    let node_a = common::Running::start(a.path(), &args, &[]);
    node_a.wait_for("control API").expect("A starts");
    let a_addr = common::json(a.path(), &["status"])["listen_addrs"][0]
        .as_str()
        .expect("A's address")
        .to_owned();
    let node_b = common::Running::start(b.path(), &args, &[]);
    node_b.wait_for("control API").expect("B starts");
    common::json(b.path(), &["dial", &a_addr]);
    let peers = common::json(b.path(), &["peers"]);
    assert_eq!(peers[0]["direction"], "outbound");
    assert_eq!(peers[0]["addresses"][0], a_addr.as_str());
    assert_eq!(peers[0]["relayed"], false);
    let on_a = common::json(a.path(), &["peers"]);
    assert_eq!(on_a[0]["direction"], "inbound");
    assert!(node_b.stop().success());
    assert!(b.path().join("peers.json").exists(), "B noted A");
    let config = std::fs::read_to_string(b.path().join("config.json")).unwrap_or_default();
    assert!(
        !config.contains(&a_addr),
        "a dial is not a bootstrap: {config}"
    );
    // Plain `wsf node`: B connects to A from its address book.
    let again = common::Running::start(b.path(), &args, &[]);
    again.wait_for("peer connected").expect("B finds A again");
    assert_eq!(
        common::json(b.path(), &["peers"])[0]["addresses"][0],
        a_addr.as_str()
    );
    // Not a bootstrap peer in status.
    assert_eq!(
        common::json(b.path(), &["status"])["bootstrap"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    assert!(again.stop().success());
    assert!(node_a.stop().success());
}
