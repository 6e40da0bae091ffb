//! `wsf export --encrypt` and `wsf import` of an encrypted bundle: every record comes back under
//! the right passphrase, the file shows none of them, a wrong passphrase stores nothing, and a
//! bundle without its passphrase says how to give it. (Each export calibrates Argon2id as the
//! shipped binary does: about a second.)

mod common;

use std::path::Path;

use common::{fails, json, wsf};
use wsf_node::bundle::Writer;
use wsf_protocol::bundle::Header;
use wsf_protocol::ed25519_dalek::SigningKey;
use wsf_protocol::*;

const RECORDS: u8 = 200;

fn title(i: u8) -> String {
    format!("Confidential shelter list number {i:03}")
}

/// A data dir holding `RECORDS` records, each with a distinctive title, imported from a plain
/// bundle.
fn source(dir: &Path) {
    common::init(dir);
    let header = Header {
        net: NetworkId::public(),
        created: 1,
        pillars: vec![],
    };
    let mut w = Writer::new(Vec::new(), &header).expect("header");
    for i in 0..RECORDS {
        let body = "A long enough body to make the bundle span several chunks. ".repeat(10);
        let record = sign(
            &Draft {
                net: NetworkId::public(),
                ts: 1_767_225_600_000 + u64::from(i),
                pillars: vec![Pillar::new("education").expect("slug")],
                content: Content::Resource(Resource {
                    title: title(i),
                    resource_type: ResourceType::Guide,
                    summary: None,
                    body: Some(body),
                    url: None,
                    language: None,
                    license: None,
                }),
                expires: None,
                supersedes: None,
                refs: vec![],
            },
            &SigningKey::from_bytes(&[i.wrapping_add(1); 32]),
        )
        .expect("sign");
        w.push(record.envelope()).expect("push");
    }
    let (bytes, _) = w.finish().expect("finish");
    let plain = dir.join("plain.wsf");
    std::fs::write(&plain, bytes).expect("write");
    let v = json(dir, &["import", plain.to_str().expect("path")]);
    assert_eq!(v["stored"], u64::from(RECORDS));
    std::fs::remove_file(&plain).expect("remove");
}

fn records(dir: &Path) -> u64 {
    let out = wsf(dir).args(["status", "--json"]).assert().code(3);
    let s: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    s["counts"]["records"].as_u64().expect("count")
}

#[test]
fn an_encrypted_bundle_round_trips_and_shows_nothing() {
    let a = tempfile::tempdir().expect("tempdir");
    source(a.path());
    let pass = a.path().join("bundle.pass");
    std::fs::write(&pass, "a long passphrase for the stick\n").expect("write");
    let stick = a.path().join("stick.wsf");
    let (stick_s, pass_s) = (stick.to_str().expect("path"), pass.to_str().expect("path"));
    let v = json(
        a.path(),
        &[
            "export",
            "--encrypt",
            "--bundle-passphrase-file",
            pass_s,
            stick_s,
        ],
    );
    assert_eq!(v["records"], u64::from(RECORDS));
    assert_eq!(v["encrypted"], true);

    // Nothing readable: no title, no plain bundle magic, the encrypted magic instead.
    let bytes = std::fs::read(&stick).expect("read");
    assert!(bytes.starts_with(b"wsfsbnd\x01"));
    assert!(
        bytes.len() > 2 * (64 * 1024 + 16) + 52,
        "several chunks: {}",
        bytes.len()
    );
    let hay = String::from_utf8_lossy(&bytes);
    for i in 0..RECORDS {
        assert!(!hay.contains(&title(i)), "title {i} in the file");
    }
    assert!(!hay.contains("Confidential"));
    assert!(!hay.contains("wsfbndl"));

    // Into a fresh data dir: every record.
    let b = common::fresh();
    let v = json(
        b.path(),
        &["import", stick_s, "--bundle-passphrase-file", pass_s],
    );
    assert_eq!(v["stored"], u64::from(RECORDS), "{v}");
    assert_eq!(v["problem"], serde_json::Value::Null);
    assert_eq!(records(b.path()), u64::from(RECORDS));

    // A wrong passphrase: exit 1, a clear message, nothing stored.
    let c = common::fresh();
    let wrong = c.path().join("wrong.pass");
    std::fs::write(&wrong, "not the passphrase").expect("write");
    let err = fails(
        c.path(),
        &[
            "import",
            stick_s,
            "--bundle-passphrase-file",
            wrong.to_str().expect("path"),
        ],
        1,
    );
    assert!(
        err.contains("wrong passphrase, or the bundle is damaged"),
        "{err}"
    );
    assert_eq!(records(c.path()), 0);

    // No passphrase and no terminal: it says the bundle is encrypted and how to give it.
    let err = fails(c.path(), &["import", stick_s], 1);
    assert!(err.contains("is an encrypted bundle"), "{err}");
    assert!(err.contains("--bundle-passphrase-file"), "{err}");
    assert_eq!(records(c.path()), 0);

    // The file cut short by a whole chunk: the records before are kept, and it says so.
    let cut = a.path().join("cut.wsf");
    std::fs::write(&cut, &bytes[..52 + 2 * (64 * 1024 + 16)]).expect("write");
    let d = common::fresh();
    let out = wsf(d.path())
        .args([
            "import",
            cut.to_str().expect("path"),
            "--bundle-passphrase-file",
            pass_s,
            "--json",
        ])
        .assert()
        .code(1);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(v["problem_code"], "cut_short", "{v}");
    let kept = v["stored"].as_u64().expect("stored");
    assert!(kept > 0 && kept < u64::from(RECORDS), "{v}");
    assert_eq!(records(d.path()), kept);
}

#[test]
fn export_needs_a_passphrase_and_a_plain_import_ignores_none() {
    let a = common::fresh();
    let out = a.path().join("out.wsf");
    let out_s = out.to_str().expect("path");
    // --encrypt without a terminal or a passphrase file.
    let err = fails(a.path(), &["export", "--encrypt", out_s], 1);
    assert!(err.contains("--bundle-passphrase-file"), "{err}");
    assert!(!out.exists());
    // A passphrase file without --encrypt is a usage error.
    fails(
        a.path(),
        &["export", "--bundle-passphrase-file", "/dev/null", out_s],
        2,
    );
    // A plain bundle imports as before, a passphrase file or not.
    json(a.path(), &["export", out_s]);
    json(a.path(), &["import", out_s]);
}
