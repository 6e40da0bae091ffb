//! Encrypted data dirs and panic, through the `wsf` binary: nothing readable in the raw files,
//! a wrong passphrase changes nothing, the passphrase from a file or a descriptor, commands
//! through the running node without it, and panic through the node or without one.

mod common;

use std::path::{Path, PathBuf};

use common::{Running, json, wsf};

/// A new encrypted data dir `<tmp>/d` with its passphrase in `<tmp>/pass`.
struct Encrypted {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    pass: PathBuf,
}

impl Encrypted {
    fn new(name: &str) -> Encrypted {
        let tmp = tempfile::tempdir().expect("tempdir");
        let pass = tmp.path().join("pass");
        std::fs::write(&pass, "river lantern copper orchard\n").expect("passphrase file");
        let dir = tmp.path().join("d");
        wsf(&dir)
            .args(["init", "--encrypt", "--name", name, "--passphrase-file"])
            .arg(&pass)
            .assert()
            .success();
        Encrypted {
            _tmp: tmp,
            dir,
            pass,
        }
    }

    fn pass_arg(&self) -> Vec<String> {
        vec![
            "--passphrase-file".into(),
            self.pass.to_string_lossy().into_owned(),
        ]
    }

    /// `wsf node` with the passphrase from its file.
    fn node(&self) -> Running {
        let n = Running::start(
            &self.dir,
            &[
                "--listen",
                "/ip4/127.0.0.1/tcp/0",
                "--api-listen",
                "127.0.0.1:0",
            ],
            &[("WSF_PASSPHRASE_FILE", self.pass.to_str().expect("path"))],
        );
        n.wait_for("control API").expect("the node starts");
        n
    }
}

/// Every file of `dir`, name and bytes.
fn raw_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = e.path();
        if path.is_file() {
            out.push((
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(&path).expect("read file"),
            ));
        }
    }
    out.sort();
    out
}

/// What panic leaves: nothing but its mark, which holds no data.
fn only_the_erased_mark(dir: &Path) {
    let files = raw_files(dir);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["erased"], "{files:?}");
    assert!(
        String::from_utf8_lossy(&files[0].1).starts_with("erased by wsf panic"),
        "{files:?}"
    );
}

fn holds(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn an_encrypted_data_dir_holds_no_readable_title_name_author_or_network_key() {
    let e = Encrypted::new("Known Org Name");
    let pass = e.pass_arg();
    let p: Vec<&str> = pass.iter().map(String::as_str).collect();
    // Offline: a closed network (its key and name go into the data dir), with the passphrase.
    let mut args = p.clone();
    args.extend(["network", "create", "Coalition Of Secrets"]);
    wsf(&e.dir).args(&args).assert().success();
    let n = e.node();
    assert_eq!(json(&e.dir, &["status"])["encrypted"], true);
    // Through the running node: no passphrase needed.
    let titles = ["Safehouse rota zebra", "Witness list quokka", "ملاذ آمن"];
    for t in titles {
        json(
            &e.dir,
            &["publish", "resource", "--title", t, "--pillar", "education"],
        );
    }
    let author = json(&e.dir, &["id"])["author"]
        .as_str()
        .expect("author")
        .to_owned();
    // An invite (kept in invites.json, sealed), used by a plain node, which gets the key.
    let code = json(&e.dir, &["invite", "create"])["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let joiner = common::fresh();
    json(joiner.path(), &["join", &code]);
    let key = std::fs::read(joiner.path().join("network.key")).expect("the joiner's key");
    let invite_secret = wsf_protocol::invite::DoorInvite::decode(&code)
        .expect("the invite decodes")
        .secret;
    assert_eq!(n.stop().code(), Some(0));
    let author_bytes = wsf_protocol::hex::decode_array::<32>(&author).expect("hex");
    let joiner_author = json(joiner.path(), &["id"])["author"]
        .as_str()
        .expect("author")
        .to_owned();
    let files = raw_files(&e.dir);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for wanted in [
        "store.redb",
        "identity.key",
        "node.key",
        "network.key",
        "config.json",
        "key.slot",
        "key.slot.bak",
        "invites.json",
    ] {
        assert!(names.contains(&wanted), "{wanted} in {names:?}");
    }
    for (name, bytes) in &files {
        for t in titles {
            assert!(!holds(bytes, t.as_bytes()), "{name} holds the title {t}");
        }
        for secret in [
            &b"Known Org Name"[..],
            b"Coalition Of Secrets",
            author.as_bytes(),
            &author_bytes,
            &key,
            &invite_secret,
            wsf_protocol::hex::encode(&invite_secret).as_bytes(),
            joiner_author.as_bytes(),
            b"education",
        ] {
            assert!(
                !holds(bytes, secret),
                "{name} holds {:?}",
                String::from_utf8_lossy(secret)
            );
        }
    }
    // And with the passphrase everything is there.
    let mut args = p.clone();
    args.push("list");
    assert_eq!(json(&e.dir, &args).as_array().map(Vec::len), Some(3));
}

#[test]
fn a_wrong_or_missing_passphrase_says_so_and_changes_nothing() {
    let e = Encrypted::new("Org");
    let before = raw_files(&e.dir);
    let bad = e.dir.parent().expect("tmp").join("bad");
    std::fs::write(&bad, "not the passphrase").expect("write");
    let out = wsf(&e.dir)
        .arg("--passphrase-file")
        .arg(&bad)
        .arg("list")
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("wrong passphrase"), "{err}");
    // No passphrase and no terminal: how to give one.
    let out = wsf(&e.dir).arg("list").assert().failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("is encrypted") && err.contains("--passphrase-file"),
        "{err}"
    );
    assert_eq!(raw_files(&e.dir), before, "nothing was changed");
    // A plain dir cannot be turned encrypted by init (that would leave its data plain).
    let plain = common::fresh();
    let out = wsf(plain.path())
        .args(["init", "--encrypt", "--passphrase-file"])
        .arg(&e.pass)
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("wsf encrypt"), "{err}");
    assert!(!plain.path().join("key.slot").exists());
}

#[test]
fn the_passphrase_can_come_from_a_file_descriptor() {
    let e = Encrypted::new("Org");
    let out = wsf(&e.dir)
        .args(["--passphrase-fd", "0", "id", "--json"])
        .pipe_stdin(&e.pass)
        .expect("stdin")
        .assert()
        .success();
    let id: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(id["author"].as_str().map(str::len), Some(64));
}

#[test]
fn panic_through_the_running_node_erases_the_data_dir_and_stops_the_node() {
    let e = Encrypted::new("Org");
    let mut n = e.node();
    json(
        &e.dir,
        &[
            "publish",
            "resource",
            "--title",
            "Gone soon",
            "--pillar",
            "education",
        ],
    );
    // The node writes no core dump (its memory holds the keys).
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", n.child.id())).expect("limits");
    let core: Vec<&str> = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .expect("a core limit")
        .split_whitespace()
        .collect();
    assert_eq!(&core[4..6], &["0", "0"], "{core:?}");
    // Without --yes nothing happens.
    wsf(&e.dir).arg("panic").assert().code(2);
    assert!(e.dir.join("key.slot").exists());
    let erased = json(&e.dir, &["panic", "--yes"]);
    assert_eq!(erased["erased"], true);
    assert_eq!(erased["encrypted"], true);
    assert_eq!(erased["node_stopped"], true);
    let status = n.exit();
    assert!(status.success(), "{status}");
    assert!(
        n.log_text().contains("panic: the data dir was erased"),
        "{}",
        n.log_text()
    );
    only_the_erased_mark(&e.dir);
    wsf(&e.dir).arg("list").assert().failure();
}

#[test]
fn panic_without_a_node_needs_no_passphrase() {
    let e = Encrypted::new("Org");
    let erased = json(&e.dir, &["panic", "--yes"]);
    assert_eq!(erased["encrypted"], true);
    assert_eq!(erased["node_stopped"], false);
    only_the_erased_mark(&e.dir);
    // A plain data dir: its files go, and the answer says it was not encrypted.
    let plain = common::fresh();
    let out = wsf(plain.path())
        .args(["panic", "--yes"])
        .assert()
        .success();
    let said = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(said.contains("NOT encrypted"), "{said}");
    assert!(!plain.path().join("identity.key").exists());
}

#[test]
fn after_a_panic_nothing_creates_an_identity_until_init() {
    let e = Encrypted::new("Org");
    json(&e.dir, &["panic", "--yes"]);
    // `wsf node` (a service restarting, or out of habit) and `wsf join` refuse, and say how to
    // start again; nothing is created.
    let mut n = common::Running::start(
        &e.dir,
        &[
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--api-listen",
            "127.0.0.1:0",
        ],
        &[],
    );
    let status = n.exit();
    assert!(!status.success());
    let log = n.log_text();
    assert!(
        log.contains("erased by `wsf panic`") && log.contains("wsf init --encrypt"),
        "{log}"
    );
    only_the_erased_mark(&e.dir);
    // `wsf init --encrypt` starts a new data dir there.
    wsf(&e.dir)
        .args(["init", "--encrypt", "--passphrase-file"])
        .arg(&e.pass)
        .assert()
        .success();
    assert!(e.dir.join("key.slot").exists());
    assert!(!e.dir.join("erased").exists());
}

#[test]
fn wsf_ui_starts_an_encrypted_node_with_the_passphrase_given_once() {
    let e = Encrypted::new("Org");
    let mut args = e.pass_arg();
    args.extend(["ui".into(), "--no-open".into()]);
    let v = json(&e.dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        v["url"]
            .as_str()
            .is_some_and(|u| u.contains("/ui/login?code=")),
        "{v}"
    );
    let pid = v["started_node_pid"].as_u64().expect("a node was started");
    // It runs unlocked: commands go through it without a passphrase.
    assert_eq!(json(&e.dir, &["list"]).as_array().map(Vec::len), Some(0));
    // Not our child: a pidfd (opened before the panic) becomes readable when it has ended.
    let pid = rustix::process::Pid::from_raw(i32::try_from(pid).expect("pid")).expect("pid");
    let fd = rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()).expect("pidfd");
    let erased = json(&e.dir, &["panic", "--yes"]);
    assert_eq!(erased["node_stopped"], true);
    let mut fds = [rustix::event::PollFd::new(
        &fd,
        rustix::event::PollFlags::IN,
    )];
    let timeout = rustix::event::Timespec {
        tv_sec: 20,
        tv_nsec: 0,
    };
    let ready = rustix::event::poll(&mut fds, Some(&timeout)).expect("poll");
    assert_eq!(ready, 1, "the node process ended");
    only_the_erased_mark(&e.dir);
}

#[test]
fn wsf_encrypt_converts_a_plain_data_dir_without_losing_anything() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("d");
    wsf(&dir)
        .args(["init", "--name", "Plain Org"])
        .assert()
        .success();
    for t in ["First plain title", "Second plain title"] {
        json(
            &dir,
            &["publish", "resource", "--title", t, "--pillar", "education"],
        );
    }
    let other = common::fresh();
    let key = json(other.path(), &["id"])["author"]
        .as_str()
        .expect("author")
        .to_owned();
    json(&dir, &["partners", "add", &key, "--name", "Ally"]);
    let before = json(&dir, &["list"]);
    let author = json(&dir, &["id"])["author"].clone();
    let pass = tmp.path().join("pass");
    std::fs::write(&pass, "seven blue herons\n").expect("pass");
    let out = wsf(&dir)
        .args(["encrypt", "--json", "--passphrase-file"])
        .arg(&pass)
        .assert()
        .success();
    let said: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert!(
        said["argon2id"]["m_kib"]
            .as_u64()
            .is_some_and(|m| m >= 64 * 1024)
    );
    for (name, bytes) in raw_files(&dir) {
        assert!(!holds(&bytes, b"plain title"), "{name} holds a title");
        assert!(!holds(&bytes, b"Plain Org"), "{name} holds the name");
    }
    let p = pass.to_str().expect("path");
    let after = json(&dir, &["--passphrase-file", p, "list"]);
    assert_eq!(after, before, "every record, as it was");
    assert_eq!(
        json(&dir, &["--passphrase-file", p, "id"])["author"],
        author
    );
    assert_eq!(
        json(&dir, &["--passphrase-file", p, "partners", "list"])[0]["name"],
        "Ally"
    );
    // Twice is refused.
    wsf(&dir)
        .args(["encrypt", "--passphrase-file", p])
        .assert()
        .failure();
    // A new passphrase: the old one stops working, the data stays.
    let new = tmp.path().join("new");
    std::fs::write(&new, "a different passphrase now").expect("new");
    wsf(&dir)
        .args([
            "passphrase",
            "--passphrase-file",
            p,
            "--new-passphrase-file",
        ])
        .arg(&new)
        .assert()
        .success();
    wsf(&dir)
        .args(["--passphrase-file", p, "list"])
        .assert()
        .code(1);
    let n = new.to_str().expect("path");
    assert_eq!(json(&dir, &["--passphrase-file", n, "list"]), before);
}

#[test]
fn the_identity_is_backed_up_encrypted_and_restored_elsewhere() {
    let e = Encrypted::new("Org");
    let p = e.pass.to_str().expect("path");
    let author = json(&e.dir, &["--passphrase-file", p, "id"])["author"].clone();
    let backup = e.dir.parent().expect("tmp").join("identity.backup");
    let bpass = e.dir.parent().expect("tmp").join("bpass");
    std::fs::write(&bpass, "backup words go here").expect("bpass");
    wsf(&e.dir)
        .args(["--passphrase-file", p, "identity", "export", "--encrypt"])
        .arg(&backup)
        .arg("--backup-passphrase-file")
        .arg(&bpass)
        .assert()
        .success();
    let bytes = std::fs::read(&backup).expect("backup");
    assert!(bytes.starts_with(b"wsfslot"), "the key slot format");
    // Into a fresh plain data dir on another machine.
    let other = tempfile::tempdir().expect("tempdir");
    let fresh_dir = other.path().join("d");
    let wrong = other.path().join("wrong");
    std::fs::write(&wrong, "not it").expect("wrong");
    wsf(&fresh_dir)
        .args(["identity", "import"])
        .arg(&backup)
        .arg("--backup-passphrase-file")
        .arg(&wrong)
        .assert()
        .failure();
    assert!(!fresh_dir.join("identity.key").exists());
    let out = wsf(&fresh_dir)
        .args(["identity", "import", "--json"])
        .arg(&backup)
        .arg("--backup-passphrase-file")
        .arg(&bpass)
        .assert()
        .success();
    let got: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(got["author"], author);
    assert_eq!(json(&fresh_dir, &["id"])["author"], author);
}

#[test]
fn the_duress_passphrase_erases_and_answers_as_a_wrong_one() {
    let e = Encrypted::new("Org");
    let p = e.pass.to_str().expect("path");
    json(
        &e.dir,
        &[
            "--passphrase-file",
            p,
            "publish",
            "resource",
            "--title",
            "Kept safe",
            "--pillar",
            "education",
        ],
    );
    let duress = e.dir.parent().expect("tmp").join("duress");
    std::fs::write(&duress, "the words I give under pressure").expect("duress");
    // The duress passphrase may not be the real one.
    wsf(&e.dir)
        .args([
            "passphrase",
            "--duress",
            "--passphrase-file",
            p,
            "--new-passphrase-file",
            p,
        ])
        .assert()
        .failure();
    wsf(&e.dir)
        .args([
            "passphrase",
            "--duress",
            "--passphrase-file",
            p,
            "--new-passphrase-file",
        ])
        .arg(&duress)
        .assert()
        .success();
    // The real passphrase still works, and a wrong one changes nothing.
    assert_eq!(
        json(&e.dir, &["--passphrase-file", p, "list"])
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let wrong = e.dir.parent().expect("tmp").join("wrong");
    std::fs::write(&wrong, "some other words entirely").expect("wrong");
    let wrong_err = wsf(&e.dir)
        .arg("--passphrase-file")
        .arg(&wrong)
        .arg("list")
        .assert()
        .code(1);
    let wrong_err = String::from_utf8_lossy(&wrong_err.get_output().stderr).to_string();
    assert!(e.dir.join("key.slot").exists());
    // The duress passphrase: the same answer as a wrong one, and the data dir is gone.
    let out = wsf(&e.dir)
        .arg("--passphrase-file")
        .arg(&duress)
        .arg("list")
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_eq!(err, wrong_err, "indistinguishable from a wrong passphrase");
    only_the_erased_mark(&e.dir);
}
