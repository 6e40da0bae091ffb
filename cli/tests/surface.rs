//! The local surface holds up: one test per behaviour of the `wsf` binary that a new user or a
//! local attacker tried — bounded reads, ports, files, identities, exit codes, paging, limits,
//! help, messages and logs.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

use common::{Running, fails, fresh, json, node, wsf};
use serde_json::Value;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("meta").permissions().mode() & 0o777
}

fn resource(dir: &Path, title: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "publish",
        "resource",
        "--title",
        title,
        "--pillar",
        "education",
    ];
    args.extend_from_slice(extra);
    json(dir, &args)
}

#[test]
fn an_at_file_is_read_only_up_to_the_limit() {
    let dir = fresh();
    let err = fails(
        dir.path(),
        &[
            "publish",
            "resource",
            "--title",
            "t",
            "--pillar",
            "education",
            "--body",
            "@/dev/zero",
        ],
        1,
    );
    assert!(
        err.contains("/dev/zero is larger than a text field may hold"),
        "{err}"
    );
    // Standard input likewise: 100 KiB on stdin is refused, not read whole.
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_wsf"))
        .args([
            "publish",
            "resource",
            "--title",
            "t",
            "--pillar",
            "education",
            "--body",
            "@-",
        ])
        .env("WSF_DATA_DIR", dir.path())
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    // The command may stop reading before all of it is written.
    let _ = stdin.write_all(&vec![b'a'; 100 * 1024]);
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard input is larger"));
    assert_eq!(
        json(dir.path(), &["list"]).as_array().map(Vec::len),
        Some(0)
    );
}

#[test]
fn a_double_at_writes_a_literal_at() {
    let dir = fresh();
    let id = json(
        dir.path(),
        &[
            "publish",
            "campaign",
            "--title",
            "Share",
            "--pillar",
            "education",
            "--action",
            "online-campaign",
            "--call",
            "@@UNHumanRights please share",
            "--online",
            "--description",
            "@@ us",
        ],
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let shown = json(dir.path(), &["show", &id]);
    assert_eq!(shown["call"], "@UNHumanRights please share");
    assert_eq!(shown["description"], "@ us");
}

#[test]
fn a_second_node_on_a_taken_port_fails() {
    let a = fresh();
    let b = fresh();
    let first = node(a.path());
    let status = json(a.path(), &["status"]);
    let addr = status["listen_addrs"][0].as_str().expect("addr").to_owned();
    let port = addr.split('/').nth(4).expect("port").to_owned();
    let listen = format!("/ip4/127.0.0.1/tcp/{port}");
    let err = fails(
        b.path(),
        &["node", "--listen", &listen, "--api-listen", "127.0.0.1:0"],
        1,
    );
    assert!(
        err.contains(&format!("port {port} is already in use")),
        "{err}"
    );
    assert_eq!(first.stop().code(), Some(0));
}

#[test]
fn the_api_takes_a_free_port_when_its_default_is_taken() {
    let dir = fresh();
    // Hold the default port (if something else already does, it is taken all the same).
    let _held = std::net::TcpListener::bind("127.0.0.1:7655");
    let n = Running::start(dir.path(), &["--listen", "/ip4/127.0.0.1/tcp/0"], &[]);
    let warning = n.wait_for("default port 7655 is taken").expect("a warning");
    n.wait_for("control API").expect("started");
    let api = json(dir.path(), &["status"])["api_addr"]
        .as_str()
        .expect("api")
        .to_owned();
    assert!(!api.ends_with(":7655"), "{api}");
    assert!(
        warning.contains(&api),
        "the warning names the new address: {warning}"
    );
    assert_eq!(n.stop().code(), Some(0));
}

#[test]
fn a_non_loopback_api_address_is_refused() {
    let dir = fresh();
    let err = fails(
        dir.path(),
        &[
            "node",
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--api-listen",
            "0.0.0.0:0",
        ],
        1,
    );
    assert!(
        err.contains("loopback only") && err.contains("SSH"),
        "{err}"
    );
}

#[test]
fn node_waits_for_a_store_a_command_holds() {
    let dir = fresh();
    let held = wsf_node::store::Store::open(&dir.path().join("store.redb")).expect("hold");
    let n = Running::start(
        dir.path(),
        &[
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--api-listen",
            "127.0.0.1:0",
        ],
        &[("RUST_LOG", "info")],
    );
    n.wait_for("waiting for it").expect("the node waits");
    drop(held);
    n.wait_for("control API").expect("then starts");
    assert_eq!(n.stop().code(), Some(0));
}

#[test]
fn the_data_dir_and_its_files_are_made_private() {
    let dir = fresh();
    let d = dir.path();
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let key = d.join("identity.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let out = wsf(d).arg("id").assert().success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("identity.key was readable by others"), "{err}");
    assert_eq!(mode(d), 0o700);
    assert_eq!(mode(&key), 0o600);
    for entry in std::fs::read_dir(d).expect("dir") {
        let path = entry.expect("entry").path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    // Bundles are private unless asked otherwise.
    let bundle = d.join("b.wsf");
    json(d, &["export", bundle.to_str().expect("path")]);
    assert_eq!(mode(&bundle), 0o600);
    json(
        d,
        &["export", bundle.to_str().expect("path"), "--mode", "644"],
    );
    assert_eq!(mode(&bundle), 0o644);
}

#[test]
fn commands_other_than_init_join_and_node_create_no_identity() {
    let parent = tempfile::tempdir().expect("tempdir");
    let typo = parent.path().join("wsf-dta");
    for cmd in [&["list"][..], &["id"], &["status"], &["partners", "list"]] {
        let err = fails(&typo, cmd, 1);
        assert!(err.contains("no wsf identity in"), "{cmd:?}: {err}");
    }
    assert!(!typo.exists(), "nothing was created");
    let empty = tempfile::tempdir().expect("tempdir");
    fails(
        empty.path(),
        &[
            "publish",
            "resource",
            "--title",
            "t",
            "--pillar",
            "education",
        ],
        1,
    );
    assert!(!empty.path().join("identity.key").exists());
    assert!(!empty.path().join("store.redb").exists());
}

#[test]
fn node_says_loudly_when_it_creates_an_identity() {
    let dir = tempfile::tempdir().expect("tempdir");
    let n = Running::start(
        dir.path(),
        &[
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--api-listen",
            "127.0.0.1:0",
        ],
        &[],
    );
    let line = n
        .wait_for("created a new organisation identity")
        .expect("said");
    assert!(line.contains("WARN"), "{line}");
    n.wait_for("control API").expect("started");
    assert_eq!(n.stop().code(), Some(0));
    // The next start says nothing of the kind.
    let again = node(dir.path());
    let log = again.log_text();
    assert_eq!(again.stop().code(), Some(0));
    assert!(!log.contains("created a new"), "{log}");
}

#[test]
fn export_through_a_running_node_is_written_by_the_cli() {
    let dir = fresh();
    let d = dir.path();
    let n = node(d);
    resource(d, "one", &[]);
    resource(d, "two", &[]);
    let out_dir = tempfile::tempdir().expect("tempdir");
    let bundle = out_dir.path().join("stick.wsf");
    let v = json(d, &["export", bundle.to_str().expect("path")]);
    assert_eq!(v["records"], 2);
    assert_eq!(mode(&bundle), 0o600);
    assert!(!out_dir.path().join("stick.wsf.partial").exists());
    assert_eq!(n.stop().code(), Some(0));
    // The bundle reads back into another node.
    let other = fresh();
    let imported = json(other.path(), &["import", bundle.to_str().expect("path")]);
    assert_eq!(imported["stored"], 2);
    // An export that cannot be written fails and leaves nothing behind.
    let err = fails(d, &["export", "/nonexistent-dir/b.wsf"], 1);
    assert!(err.contains("/nonexistent-dir/b.wsf.partial"), "{err}");
}

#[test]
fn sync_with_a_peer_that_is_not_connected_fails() {
    let dir = fresh();
    let n = node(dir.path());
    let me = json(dir.path(), &["id"])["peer_id"]
        .as_str()
        .expect("peer")
        .to_owned();
    let err = fails(dir.path(), &["sync", &me], 1);
    assert!(err.contains("not connected to"), "{err}");
    assert!(!err.contains("Failed to dial"), "{err}");
    let err = fails(dir.path(), &["sync", "not-a-peer"], 2);
    assert!(err.contains("is not a peer id"), "{err}");
    assert_eq!(n.stop().code(), Some(0));
}

#[test]
fn dial_to_a_closed_port_fails() {
    let dir = fresh();
    let n = node(dir.path());
    let err = fails(dir.path(), &["dial", "/ip4/127.0.0.1/tcp/1"], 1);
    assert!(
        err.contains("cannot connect to /ip4/127.0.0.1/tcp/1"),
        "{err}"
    );
    assert_eq!(n.stop().code(), Some(0));
}

#[test]
fn dial_waits_for_the_connection() {
    let a = fresh();
    let b = fresh();
    let na = node(a.path());
    let nb = node(b.path());
    let addr = json(a.path(), &["status"])["listen_addrs"][0]
        .as_str()
        .expect("addr")
        .to_owned();
    let v = json(b.path(), &["dial", &addr]);
    let a_peer = json(a.path(), &["id"])["peer_id"].clone();
    assert_eq!(v["peer"], a_peer);
    // Connected by the time dial returned.
    let peers = json(b.path(), &["peers"]);
    assert!(
        peers
            .as_array()
            .expect("array")
            .iter()
            .any(|p| p["peer_id"] == a_peer)
    );
    assert_eq!(nb.stop().code(), Some(0));
    assert_eq!(na.stop().code(), Some(0));
}

#[test]
fn watch_exits_3_when_the_node_stops() {
    let dir = fresh();
    let n = node(dir.path());
    let mut watch = StdCommand::new(env!("CARGO_BIN_EXE_wsf"))
        .args(["watch", "--json"])
        .env("WSF_DATA_DIR", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn watch");
    let mut lines = BufReader::new(watch.stdout.take().expect("stdout")).lines();
    // Watch says on stderr when the node follows it: every event from then on reaches it.
    let mut err = BufReader::new(watch.stderr.take().expect("stderr")).lines();
    let said = err.next().expect("a line").expect("line");
    assert!(said.contains("watching"), "{said}");
    resource(dir.path(), "seen by watch", &[]);
    let first = lines.next().expect("an event").expect("line");
    assert!(first.contains("seen by watch"), "{first}");
    assert_eq!(n.stop().code(), Some(0));
    let status = watch.wait().expect("wait");
    assert_eq!(status.code(), Some(3));
}

#[test]
fn an_import_whose_every_record_is_refused_fails() {
    let a = fresh();
    let b = fresh();
    resource(a.path(), "one", &[]);
    resource(a.path(), "two", &[]);
    let bundle = a.path().join("a.wsf");
    json(a.path(), &["export", bundle.to_str().expect("path")]);
    let author = json(a.path(), &["id"])["author"]
        .as_str()
        .expect("author")
        .to_owned();
    json(b.path(), &["partners", "block", &author]);
    let out = wsf(b.path())
        .args(["import", bundle.to_str().expect("path"), "--json"])
        .assert()
        .code(1);
    let v: Value = serde_json::from_slice(&out.get_output().stdout).expect("json report");
    assert_eq!(v["stored"], 0);
    assert_eq!(v["rejected"]["blocked"], 2, "{v}");
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("none of the 2 records"), "{err}");
    // An import with at least one stored record succeeds.
    let c = fresh();
    json(c.path(), &["import", bundle.to_str().expect("path")]);
}

#[test]
fn list_json_pages_with_the_cursor_of_the_last_element() {
    let dir = fresh();
    for t in ["a", "b", "c", "d", "e"] {
        resource(dir.path(), t, &[]);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut args = vec!["list", "--limit", "2"];
        if let Some(c) = &cursor {
            args.extend(["--cursor", c.as_str()]);
        }
        let page = json(dir.path(), &args);
        let items = page.as_array().expect("list --json is an array").clone();
        if items.is_empty() {
            break;
        }
        assert!(items.len() <= 2);
        for i in &items {
            seen.push(i["id"].as_str().expect("id").to_owned());
        }
        cursor = Some(
            items[items.len() - 1]["cursor"]
                .as_str()
                .expect("cursor")
                .to_owned(),
        );
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        (seen.len(), unique.len()),
        (5, 5),
        "every record once: {seen:?}"
    );
}

#[test]
fn until_a_date_includes_that_day_and_offsets_are_understood() {
    let dir = fresh();
    resource(dir.path(), "today", &[]);
    let now = jiff::Timestamp::now();
    let today = now.strftime("%Y-%m-%d").to_string();
    let yesterday = (now - jiff::SignedDuration::from_hours(24))
        .strftime("%Y-%m-%d")
        .to_string();
    let count = |args: &[&str]| {
        let mut a = vec!["list"];
        a.extend_from_slice(args);
        json(dir.path(), &a).as_array().map(Vec::len)
    };
    assert_eq!(count(&["--until", &today]), Some(1));
    assert_eq!(count(&["--until", &yesterday]), Some(0));
    assert_eq!(count(&["--since", &today]), Some(1));
    // An offset: one hour from now, written in UTC+03:00, is still after the record.
    let later = (now + jiff::SignedDuration::from_hours(1))
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(3)))
        .strftime("%Y-%m-%dT%H:%M%:z")
        .to_string();
    assert_eq!(count(&["--until", &later]), Some(1), "{later}");
    fails(dir.path(), &["list", "--until", "2027-02-30"], 2);
}

#[test]
fn limit_quota_and_trust_of_zero_are_refused() {
    let dir = fresh();
    for args in [
        &["list", "--limit", "0"][..],
        &["list", "--limit", "10001"],
        &["partners", "policy", "--quota", "0"],
        &["partners", "policy", "--trust", "0"],
    ] {
        let err = fails(dir.path(), args, 2);
        assert!(!err.is_empty(), "{args:?}");
    }
    let policy = json(dir.path(), &["partners", "policy"]);
    assert_eq!(policy["quota_per_hour"], 3600, "unchanged");
    let set = json(dir.path(), &["partners", "policy", "--quota", "1"]);
    assert_eq!(set["quota_per_hour"], 1, "1 is kept as 1");
}

#[test]
fn every_flag_has_help() {
    let dir = tempfile::tempdir().expect("tempdir");
    let commands: &[&[&str]] = &[
        &["node"],
        &["init"],
        &["publish", "resource"],
        &["publish", "practice"],
        &["publish", "campaign"],
        &["publish", "profile"],
        &["endorse"],
        &["retract"],
        &["list"],
        &["show"],
        &["export"],
        &["import"],
        &["dial"],
        &["sync"],
        &["partners", "add"],
        &["partners", "block"],
        &["partners", "policy"],
        &["invite", "create"],
        &["join"],
        &["bench", "ingest"],
    ];
    for cmd in commands {
        let out = wsf(dir.path()).args(*cmd).arg("-h").assert().success();
        let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
        for line in text.lines() {
            let t = line.trim_start();
            let is_flag = t.starts_with("--")
                || (t.starts_with('-') && t.chars().nth(1).is_some_and(char::is_alphabetic));
            if !is_flag {
                continue;
            }
            // "--flag <VALUE>  Help text": the flag column, then the text.
            let described = t
                .split_once("  ")
                .is_some_and(|(_, help)| !help.trim().is_empty());
            assert!(described, "{cmd:?}: no help for {t:?}");
        }
    }
}

#[test]
fn messages_say_each_cause_once() {
    let dir = fresh();
    let long = "x".repeat(300);
    let err = fails(
        dir.path(),
        &[
            "publish",
            "resource",
            "--title",
            &long,
            "--pillar",
            "education",
        ],
        2,
    );
    assert_eq!(err.matches("at most 200").count(), 1, "{err}");
    let err = fails(dir.path(), &["import", "/no/such/bundle.wsf"], 1);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    assert!(err.contains("/no/such/bundle.wsf"), "{err}");
}

#[test]
fn a_store_that_cannot_be_opened_is_named() {
    let dir = fresh();
    let store = dir.path().join("store.redb");
    std::fs::remove_file(&store).expect("rm");
    std::fs::create_dir(&store).expect("a directory where the store should be");
    let err = fails(dir.path(), &["list"], 1);
    assert!(err.contains(store.to_str().expect("path")), "{err}");
}

#[test]
fn the_default_log_names_no_other_nodes_address() {
    let dirs = [fresh(), fresh(), fresh()];
    let nodes: Vec<Running> = dirs.iter().map(|d| node(d.path())).collect();
    // (p2p address, p2p port, peer id, API port) of each node.
    let info: Vec<(String, String, String, String)> = dirs
        .iter()
        .map(|d| {
            let s = json(d.path(), &["status"]);
            let addr = s["listen_addrs"][0].as_str().expect("addr").to_owned();
            let port = addr.split('/').nth(4).expect("port").to_owned();
            let api = s["api_addr"].as_str().expect("api");
            let api_port = api.rsplit(':').next().expect("port").to_owned();
            let peer = s["peer_id"].as_str().expect("peer").to_owned();
            (addr, port, peer, api_port)
        })
        .collect();
    // B and C connect to A (dial waits for the connection), records flow, they sync.
    for i in [1, 2] {
        json(dirs[i].path(), &["dial", &info[0].0]);
    }
    resource(dirs[1].path(), "from b", &[]);
    json(dirs[2].path(), &["sync"]);
    let authors: Vec<String> = dirs
        .iter()
        .map(|d| {
            json(d.path(), &["id"])["author"]
                .as_str()
                .expect("author")
                .to_owned()
        })
        .collect();
    let logs: Vec<String> = nodes
        .into_iter()
        .map(|n| {
            let log = n.log_text();
            assert_eq!(n.stop().code(), Some(0));
            log
        })
        .collect();
    for (i, log) in logs.iter().enumerate() {
        assert!(
            log.contains("peer connected"),
            "node {i} logged its connections: {log}"
        );
        for (j, (_, port, peer, _)) in info.iter().enumerate() {
            if i == j {
                continue;
            }
            assert!(
                !log.contains(&format!("tcp/{port}")),
                "node {i} logged node {j}'s address: {log}"
            );
            assert!(
                !log.contains(peer.as_str()),
                "node {i} logged node {j}'s full peer id: {log}"
            );
        }
        // No remote address at all: the only addresses are the node's own.
        for line in log.lines() {
            if line.contains("127.0.0.1") {
                let own = line.contains(&format!("tcp/{}", info[i].1))
                    || line.contains(&format!("127.0.0.1:{}", info[i].3));
                assert!(own, "node {i}: {line}");
            }
        }
        for a in &authors {
            assert!(
                !log.contains(a.as_str()),
                "node {i} logged an author key: {log}"
            );
        }
    }
}
