//! Closed networks and partners from the `wsf` binary: create, invite, join, partners.

mod common;

use common::{json, start_node, stop, wsf};

#[test]
fn create_invite_join_and_partners_from_the_cli() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let created = json(a.path(), &["network", "create", "Coalition"]);
    assert_eq!(created["closed"], true);
    // Invites need the node (its door gives the key to whoever uses a code).
    wsf(a.path()).args(["invite", "create"]).assert().code(3);
    let (node_a, _log_a) = start_node(a.path());
    let id = json(
        a.path(),
        &[
            "publish",
            "resource",
            "--title",
            "Members only",
            "--pillar",
            "education",
        ],
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let invite = json(a.path(), &["invite", "create", "--expires", "1"]);
    let code = invite["code"].as_str().expect("code").to_owned();
    assert!(code.starts_with("wsf2"));
    // Human output has the QR code and the code.
    let human = wsf(a.path()).args(["invite", "create"]).assert().success();
    let text = String::from_utf8_lossy(&human.get_output().stdout).to_string();
    assert!(text.contains('█') && text.contains("wsf2"));
    // A typo is caught.
    let mut typo: Vec<char> = code.chars().collect();
    typo[10] = if typo[10] == 'a' { 'b' } else { 'a' };
    let typo: String = typo.into_iter().collect();
    let out = wsf(b.path()).args(["join", &typo]).assert().code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("typo"));

    let joined = json(b.path(), &["join", &code]);
    assert_eq!(joined["network"], created["network"]);
    let shown = json(b.path(), &["network", "show"]);
    assert_eq!(shown["closed"], true);
    // B's log is kept: the test waits for its switch to the new key (an event, not a poll).
    let node_b = common::node(b.path());
    // B catches up from A over the closed network.
    let mut found = false;
    for _ in 0..200 {
        let list = json(b.path(), &["list"]);
        if list
            .as_array()
            .is_some_and(|l| l.iter().any(|r| r["id"] == id.as_str()))
        {
            found = true;
            break;
        }
        // The sync on connect runs in the node; ask for one more if it is not there yet.
        let _ = wsf(b.path()).args(["sync", "--json"]).output();
    }
    assert!(found, "B received A's record over the closed network");
    // Both organisations are members, and B was brought in by A.
    let a_author = json(a.path(), &["id"])["author"]
        .as_str()
        .expect("a")
        .to_owned();
    let b_author = json(b.path(), &["id"])["author"]
        .as_str()
        .expect("b")
        .to_owned();
    for dir in [a.path(), b.path()] {
        let mut listed = serde_json::Value::Null;
        for _ in 0..200 {
            listed = json(dir, &["network", "members"]);
            if listed.as_array().map(Vec::len) == Some(2) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let list = listed.as_array().expect("an array of members");
        assert_eq!(list.len(), 2, "{listed}");
        let of = |author: &str| {
            list.iter()
                .find(|m| m["author"] == author)
                .expect("listed")
                .clone()
        };
        assert_eq!(of(&a_author)["invited_by"], serde_json::Value::Null);
        assert_eq!(of(&b_author)["invited_by"], a_author.as_str());
        assert_eq!(of(&a_author)["admin"], true);
    }
    let text = wsf(a.path())
        .args(["network", "members"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&text.get_output().stdout).to_string();
    assert!(
        text.contains("founder") && text.contains("invited by you"),
        "{text}"
    );
    // Only admins change the key or remove; A names B an admin.
    let out = wsf(b.path()).args(["network", "rekey"]).assert().failure();
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("admins"));
    let out = wsf(a.path())
        .args(["network", "remove", "0123456789abcdef"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("not a current member"));
    let info = json(a.path(), &["network", "admin", "add", &b_author[..12]]);
    assert!(
        info["members"]
            .as_array()
            .expect("members")
            .iter()
            .all(|m| m["admin"] == true)
    );
    // A rekeys; B, online, takes the new key.
    let old_key = std::fs::read(b.path().join("network.key")).expect("key");
    let rekeyed = json(a.path(), &["network", "rekey", "--grace", "1h"]);
    assert_eq!(rekeyed["epoch"], 1);
    node_b
        .wait_for("now uses the network's new key")
        .expect("B took the new key");
    let now = std::fs::read(b.path().join("network.key")).expect("key");
    assert_ne!(now, old_key);
    assert_eq!(
        now,
        std::fs::read(a.path().join("network.key")).expect("key")
    );
    let partners = json(b.path(), &["partners", "list"]);
    assert_eq!(partners[0]["status"], "partner");
    let policy = json(
        b.path(),
        &["partners", "policy", "partners", "--trust", "1"],
    );
    assert_eq!(policy["policy"], "partners");
    assert_eq!(policy["trust_k"], 1);
    assert!(node_b.stop().success());
    stop(node_a);

    // Offline: block deletes, list shows it.
    let author = json(a.path(), &["id"])["author"]
        .as_str()
        .expect("author")
        .to_owned();
    let blocked = json(b.path(), &["partners", "block", &author]);
    assert_eq!(blocked["deleted"], 1);
    assert_eq!(json(b.path(), &["list"]).as_array().map(Vec::len), Some(0));
    let partners = json(b.path(), &["partners", "list"]);
    assert_eq!(partners[0]["status"], "blocked");
    wsf(b.path())
        .args(["network", "create", "Other"])
        .assert()
        .code(2);
}

/// The code of a `wsf2` invite with `edit` applied, its checksum made right again: what an
/// attacker with a few lines of code can do to a code.
fn edited(code: &str, edit: impl FnOnce(&mut wsf_protocol::invite::DoorInvite)) -> String {
    let mut invite = wsf_protocol::invite::DoorInvite::decode(code).expect("a wsf2 code");
    edit(&mut invite);
    invite.encode()
}

/// `wsf join CODE` in a fresh data dir: its stderr, expecting failure, and nothing joined.
fn join_fails(code: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = wsf(dir.path()).args(["join", code]).assert().code(2);
    assert!(
        !dir.path().join("network.key").exists(),
        "no key was written"
    );
    String::from_utf8_lossy(&out.get_output().stderr).to_string()
}

/// A TCP relay between a joiner and a door that keeps every byte that crosses it.
fn recording_relay(
    door: std::net::SocketAddr,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = seen.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { return };
            let Ok(mut server) = std::net::TcpStream::connect(door) else {
                return;
            };
            let (mut c2, mut s2) = (
                client.try_clone().expect("clone"),
                server.try_clone().expect("clone"),
            );
            let up = keep.clone();
            let t = std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = c2.read(&mut buf) {
                    if n == 0 || s2.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    up.lock().expect("seen").extend_from_slice(&buf[..n]);
                }
                let _ = s2.shutdown(std::net::Shutdown::Write);
            });
            let mut buf = [0u8; 4096];
            while let Ok(n) = server.read(&mut buf) {
                if n == 0 || client.write_all(&buf[..n]).is_err() {
                    break;
                }
                keep.lock().expect("seen").extend_from_slice(&buf[..n]);
            }
            let _ = client.shutdown(std::net::Shutdown::Write);
            let _ = t.join();
        }
    });
    (format!("/ip4/127.0.0.1/tcp/{}", addr.port()), seen)
}

/// Invites are capabilities the inviting node enforces: an edited, an expired, a used-up and a
/// revoked code each grant nothing and say which; a valid one joins and shows in the inviter's
/// list; the exchange carries neither the network key nor a protocol name in clear.
#[test]
fn invites_are_enforced_by_the_inviting_node() {
    let a = tempfile::tempdir().expect("tempdir");
    json(a.path(), &["network", "create", "Coalition"]);
    let key_a = std::fs::read(a.path().join("network.key")).expect("network.key");
    let (node_a, _log_a) = start_node(a.path());
    let made = wsf(a.path())
        .args(["--json", "invite", "create", "--uses", "1"])
        .assert()
        .success();
    // Only 127.0.0.1 to offer: said, not filtered.
    let warned = String::from_utf8_lossy(&made.get_output().stderr).to_string();
    assert!(
        warned.contains("only loopback or private addresses"),
        "{warned}"
    );
    let made: serde_json::Value = serde_json::from_slice(&made.get_output().stdout).expect("json");
    let code = made["code"].as_str().expect("code").to_owned();
    assert!(!code.contains(&wsf_protocol::hex::encode(&key_a)));

    // Edited: the secret changed (checksum made right) → the door does not accept it.
    let err = join_fails(&edited(&code, |i| i.secret[0] ^= 1));
    assert!(err.contains("altered"), "{err}");
    // Edited: another organisation claimed as the inviter (it would become the first partner).
    let err = join_fails(&edited(&code, |i| {
        i.inviter = wsf_protocol::AuthorId([9; 32])
    }));
    assert!(err.contains("altered"), "{err}");
    // Edited: another invite id → the door does not know it.
    let err = join_fails(&edited(&code, |i| i.id.0[0] ^= 1));
    assert!(err.contains("does not know this invite"), "{err}");

    // Valid, through a relay that records the exchange.
    let door = wsf_protocol::invite::DoorInvite::decode(&code)
        .expect("code")
        .door[0]
        .clone();
    let port: u16 = door
        .rsplit('/')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let (relay, seen) = recording_relay(([127, 0, 0, 1], port).into());
    let through_relay = edited(&code, |i| i.door = vec![relay]);
    let b = tempfile::tempdir().expect("tempdir");
    json(b.path(), &["init", "--name", "Org B"]);
    let joined = json(b.path(), &["join", &through_relay]);
    assert_eq!(joined["partner"], json(a.path(), &["id"])["author"]);
    assert_eq!(
        std::fs::read(b.path().join("network.key")).expect("B's key"),
        key_a,
        "B got the network key from A's door"
    );
    let wire = seen.lock().expect("seen").clone();
    assert!(wire.len() > 100, "the relay saw the exchange");
    for needle in [
        key_a.as_slice(),
        wsf_protocol::hex::encode(&key_a).as_bytes(),
        b"wsf",
        b"libp2p",
        b"Noise",
        b"noise",
        b"Coalition",
    ] {
        assert!(
            !wire.windows(needle.len()).any(|w| w == needle),
            "{:?} crossed the wire in clear",
            String::from_utf8_lossy(needle)
        );
    }
    // Used up: a second node with the same code.
    let err = join_fails(&code);
    assert!(err.contains("used up"), "{err}");
    // Listed with who joined.
    let list = json(a.path(), &["invite", "list"]);
    assert_eq!(list[0]["state"], "used_up");
    assert_eq!(list[0]["used"], 1);
    assert_eq!(
        list[0]["joined"][0]["author"],
        json(b.path(), &["id"])["author"]
    );
    assert_eq!(list[0]["joined"][0]["name"], "Org B");

    // Revoked.
    let second = json(a.path(), &["invite", "create", "--uses", "5"]);
    let id = second["id"].as_str().expect("id").to_owned();
    let revoked = json(a.path(), &["invite", "revoke", &id[..8]]);
    assert_eq!(revoked["state"], "revoked");
    let err = join_fails(second["code"].as_str().expect("code"));
    assert!(err.contains("revoked"), "{err}");

    // Expired: an invite open for two seconds, used after; an extended expiry in the code
    // changes nothing (the door decides by its own record).
    let until = chrono_like_in(2);
    let third = json(a.path(), &["invite", "create", "--until", &until]);
    let expires = third["expires"].as_u64().expect("expires");
    // Waiting for the clock itself: the invite closes at a time, not on an event.
    while now_ms() <= expires {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let code3 = third["code"].as_str().expect("code").to_owned();
    let err = join_fails(&edited(&code3, |i| i.expires = 0));
    assert!(err.contains("expired"), "{err}");
    assert_eq!(json(a.path(), &["invite", "list"])[2]["state"], "expired");
    stop(node_a);
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// `YYYY-MM-DDTHH:MM:SSZ`, `secs` from now (UTC).
fn chrono_like_in(secs: u64) -> String {
    let t = jiff::Timestamp::from_millisecond((now_ms() + secs * 1000) as i64).expect("time");
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}
