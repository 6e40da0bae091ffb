//! End-to-end tests of the `wsf` binary in temporary data directories, with no node running.

mod common;

use std::path::Path;

use common::{init, json, wsf};
use serde_json::Value;

fn publish_campaign(dir: &Path, title: &str) -> String {
    let v = json(
        dir,
        &[
            "publish",
            "campaign",
            "--title",
            title,
            "--pillar",
            "state-military-oppression",
            "--action",
            "advocacy",
            "--call",
            "Write to your MEP before 1 March",
            "--ends",
            "2027-03-01",
            "--online",
        ],
    );
    v["id"].as_str().expect("id").to_owned()
}

#[test]
fn help_lists_the_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = wsf(dir.path()).arg("--help").assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for cmd in [
        "init", "publish", "endorse", "retract", "list", "show", "export", "import", "bench",
    ] {
        assert!(text.contains(cmd), "--help mentions {cmd}");
    }
}

#[test]
fn publish_list_show_walkthrough() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let id = json(d, &["init", "--name", "Girls Learn International"]);
    let author = id["author"].as_str().expect("author").to_owned();
    assert_eq!(author.len(), 64);
    let campaign = publish_campaign(d, "Free the journalists of X");
    let body = d.join("body.txt");
    std::fs::write(&body, "Line one\r\nLine two\r\n").expect("write");
    let resource = json(
        d,
        &[
            "publish",
            "resource",
            "--title",
            "Safe reporting",
            "--type",
            "toolkit",
            "--pillar",
            "womens-rights",
            "--pillar",
            "education",
            "--body-file",
            body.to_str().expect("path"),
            "--url",
            "https://example.org/guide",
        ],
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    json(
        d,
        &[
            "publish",
            "practice",
            "--title",
            "Community schools",
            "--approach",
            "Volunteer teachers in tents",
            "--country",
            "Sudan",
            "--pillar",
            "education",
        ],
    );

    // --json list: an array with id, kind, author, ts, pillars and the content fields.
    let list = json(d, &["list"]);
    let items = list.as_array().expect("array");
    assert_eq!(items.len(), 3);
    for item in items {
        for key in ["id", "kind", "author", "ts", "pillars", "title"] {
            assert!(item.get(key).is_some(), "list item has {key}: {item}");
        }
        assert_eq!(item["author"], author.as_str());
        assert_eq!(item["author_name"], "Girls Learn International");
    }
    let education = json(d, &["list", "--pillar", "education"]);
    assert_eq!(education.as_array().expect("array").len(), 2);
    let campaigns = json(d, &["--json", "list", "--kind", "campaign"]);
    assert_eq!(campaigns[0]["call"], "Write to your MEP before 1 March");
    assert_eq!(campaigns[0]["action"], "advocacy");

    // show by a unique prefix; the body file's line ends were normalised.
    let shown = json(d, &["show", &resource[..8]]);
    assert_eq!(shown["id"], resource.as_str());
    assert_eq!(shown["body"], "Line one\nLine two");
    assert_eq!(shown["type"], "toolkit");

    // Human output is a table with the short id.
    let out = wsf(d).arg("list").assert().success();
    let table = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(table.contains(&campaign[..12]) && table.contains("Free the journalists of X"));

    // Global flags after the subcommand work too.
    let after = wsf(d)
        .args(["list", "--json", "--data-dir"])
        .arg(d)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&after.get_output().stdout).expect("json");
    assert_eq!(v.as_array().expect("array").len(), 3);
}

#[test]
fn supersede_history_and_retraction() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    init(d);
    let v1 = publish_campaign(d, "Version one");
    let v2 = json(
        d,
        &[
            "publish",
            "campaign",
            "--title",
            "Version two",
            "--pillar",
            "state-military-oppression",
            "--action",
            "seminar",
            "--call",
            "Join us",
            "--place",
            "Nairobi",
            "--supersedes",
            &v1[..10],
        ],
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let list = json(d, &["list"]);
    assert_eq!(list.as_array().expect("array").len(), 1, "v1 is hidden");
    assert_eq!(list[0]["id"], v2.as_str());
    let shown = json(d, &["show", &v2, "--history"]);
    assert_eq!(shown["history"][0]["id"], v1.as_str());

    let r = json(d, &["retract", &v2, "--reason", "cancelled"]);
    assert_eq!(r["kind"], "retraction");
    let gone = json(d, &["show", &v2]);
    assert!(gone.get("title").is_none(), "content is dropped: {gone}");
    assert_eq!(gone["retracted_by"], r["id"]);
    assert_eq!(json(d, &["list"]).as_array().expect("array").len(), 0);
}

#[test]
fn two_organisations_share_by_bundle_and_cosign() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    json(a.path(), &["init", "--name", "Org A"]);
    json(b.path(), &["init", "--name", "Org B"]);
    let campaign = publish_campaign(a.path(), "Free the journalists of X");
    let stick = a.path().join("bundle.wsf");
    let exported = json(a.path(), &["export", stick.to_str().expect("path")]);
    assert_eq!(exported["records"], 2, "profile and campaign");

    let imported = json(b.path(), &["import", stick.to_str().expect("path")]);
    assert_eq!(imported["stored"], 2);
    let again = json(b.path(), &["import", stick.to_str().expect("path")]);
    assert_eq!(
        (again["stored"].as_u64(), again["duplicate"].as_u64()),
        (Some(0), Some(2))
    );

    let e = json(
        b.path(),
        &["endorse", &campaign[..8], "--statement", "We co-sign."],
    );
    assert_eq!(e["kind"], "endorsement");
    // B cannot retract A's campaign, nor co-sign twice with the same statement.
    wsf(b.path()).args(["retract", &campaign]).assert().code(1);
    let twice = json(
        b.path(),
        &["endorse", &campaign, "--statement", "We co-sign."],
    );
    assert_eq!(twice["outcome"], "duplicate");

    let back = b.path().join("back.wsf");
    json(
        b.path(),
        &[
            "export",
            back.to_str().expect("path"),
            "--pillar",
            "state-military-oppression",
        ],
    );
    json(a.path(), &["import", back.to_str().expect("path")]);
    let shown = json(a.path(), &["show", &campaign]);
    assert_eq!(shown["cosigners"][0]["author_name"], "Org B");
    assert_eq!(shown["cosigners"][0]["statement"], "We co-sign.");
    assert_eq!(shown["endorsements"], 1);
}

#[test]
fn usage_errors_exit_with_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    init(d);
    let base = [
        "publish", "campaign", "--title", "t", "--action", "advocacy", "--call", "c",
    ];
    // No pillar, bad pillar, bad date, no place and not online, unknown action.
    wsf(d).args(base).arg("--online").assert().code(2);
    wsf(d)
        .args(base)
        .args(["--online", "--pillar", "Womens Rights"])
        .assert()
        .code(2);
    wsf(d)
        .args(base)
        .args(["--online", "--pillar", "education", "--ends", "soon"])
        .assert()
        .code(2);
    let out = wsf(d)
        .args(base)
        .args(["--pillar", "education"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("--place"));
    wsf(d)
        .args([
            "publish",
            "campaign",
            "--title",
            "t",
            "--action",
            "march",
            "--call",
            "c",
            "--online",
            "--pillar",
            "education",
        ])
        .assert()
        .code(2);
    wsf(d).args(["list", "--kind", "petition"]).assert().code(2);
    wsf(d).args(["show", "xyz!"]).assert().code(2);
    // A well-formed id that is not held is a plain failure.
    let out = wsf(d).args(["show", "abcdef12"]).assert().code(1);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("no record matches"));
}

#[test]
fn status_exits_3_when_the_node_is_not_running() {
    let dir = tempfile::tempdir().expect("tempdir");
    init(dir.path());
    publish_campaign(dir.path(), "c");
    let out = wsf(dir.path()).args(["status", "--json"]).assert().code(3);
    let v: Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(v["running"], false);
    assert_eq!(v["counts"]["records"], 1);
}

#[test]
fn a_store_held_by_another_process_gives_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    init(dir.path());
    publish_campaign(dir.path(), "c");
    let _held = wsf_node::store::Store::open(&dir.path().join("store.redb")).expect("open");
    let out = wsf(dir.path()).arg("list").assert().code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("in use by another process"), "{err}");
}

#[test]
fn an_unusable_data_dir_gives_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").expect("write");
    let out = wsf(&file.join("sub")).arg("init").assert().code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("cannot create the data directory"), "{err}");
}
