//! `wsf import` of bundles holding bad records: the good ones are stored, the bad ones refused
//! with reasons, a cut-short file is reported, and nothing panics.

mod common;

use std::path::Path;

use common::wsf;
use serde_json::Value;
use wsf_node::bundle::Writer;
use wsf_protocol::bundle::Header;
use wsf_protocol::ed25519_dalek::SigningKey;
use wsf_protocol::*;

fn record(seed: u8, net: NetworkId, title: &str) -> Record {
    sign(
        &Draft {
            net,
            ts: 1_767_225_600_000,
            pillars: vec![Pillar::new("education").expect("slug")],
            content: Content::Resource(Resource {
                title: title.into(),
                resource_type: ResourceType::Guide,
                summary: None,
                body: None,
                url: None,
                language: None,
                license: None,
            }),
            expires: None,
            supersedes: None,
            refs: vec![],
        },
        &SigningKey::from_bytes(&[seed; 32]),
    )
    .expect("sign")
}

/// Writes a bundle of `envelopes`; with `cut`, drops that many bytes from the end.
fn bundle(path: &Path, envelopes: &[Vec<u8>], cut: usize) {
    let header = Header {
        net: NetworkId::public(),
        created: 1,
        pillars: vec![],
    };
    let mut w = Writer::new(Vec::new(), &header).expect("header");
    for e in envelopes {
        w.push(e).expect("push");
    }
    let (mut bytes, _) = w.finish().expect("finish");
    bytes.truncate(bytes.len() - cut);
    std::fs::write(path, bytes).expect("write");
}

fn bad_mix() -> (Vec<Vec<u8>>, Vec<RecordId>) {
    let good: Vec<Record> = (1..=3)
        .map(|i| record(i, NetworkId::public(), &format!("good {i}")))
        .collect();
    let mut forged = record(4, NetworkId::public(), "forged").envelope().to_vec();
    let n = forged.len();
    forged[n - 1] ^= 0x01;
    let foreign = record(5, NetworkId([9; 16]), "other network")
        .envelope()
        .to_vec();
    let garbage = b"definitely not a record".to_vec();
    let mut envelopes = vec![good[0].envelope().to_vec(), forged, garbage];
    envelopes.push(good[1].envelope().to_vec());
    envelopes.push(foreign);
    envelopes.push(good[2].envelope().to_vec());
    (envelopes, good.iter().map(Record::id).collect())
}

#[test]
fn bad_records_are_refused_with_reasons_and_good_ones_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::init(dir.path());
    let path = dir.path().join("mixed.wsf");
    let (envelopes, good) = bad_mix();
    bundle(&path, &envelopes, 0);
    let out = wsf(dir.path())
        .args(["import", path.to_str().expect("path"), "--json"])
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(v["stored"], 3);
    assert_eq!(v["rejected"]["signature_invalid"], 1);
    assert_eq!(v["rejected"]["malformed.trailing_bytes"], 1, "{v}");
    assert_eq!(v["rejected"]["wrong_network"], 1);
    for id in good {
        wsf(dir.path())
            .args(["show", &id.to_string()])
            .assert()
            .success();
    }
    // The refusals are counted in the store, by reason.
    let out = wsf(dir.path()).args(["status", "--json"]).assert().code(3);
    let s: Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(s["counts"]["rejected"]["signature_invalid"], 1);
    assert_eq!(s["counts"]["records"], 3);
}

#[test]
fn a_cut_short_bundle_keeps_what_was_read_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::init(dir.path());
    let path = dir.path().join("cut.wsf");
    let (envelopes, good) = bad_mix();
    // Cut inside the last envelope: the trailer and half a record are gone.
    bundle(&path, &envelopes, 60);
    let out = wsf(dir.path())
        .args(["import", path.to_str().expect("path"), "--json"])
        .assert()
        .code(1);
    let v: Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(v["stored"], 2, "the two good records before the cut: {v}");
    assert!(
        v["problem"]
            .as_str()
            .expect("problem")
            .contains("cut short after 5 records")
    );
    assert_eq!(v["problem_code"], "cut_short");
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("cut short"), "{err}");
    wsf(dir.path())
        .args(["show", &good[1].to_string()])
        .assert()
        .success();
}

#[test]
fn files_that_are_not_bundles_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::init(dir.path());
    let path = dir.path().join("photo.jpg");
    std::fs::write(
        &path,
        [0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F'],
    )
    .expect("write");
    let out = wsf(dir.path())
        .args(["import", path.to_str().expect("path")])
        .assert()
        .code(1);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("not a wsf bundle"));
    let missing = dir.path().join("missing.wsf");
    let out = wsf(dir.path())
        .args(["import", missing.to_str().expect("path")])
        .assert()
        .code(1);
    assert!(String::from_utf8_lossy(&out.get_output().stderr).contains("cannot open"));
}

#[test]
fn every_truncation_of_a_bundle_is_handled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let full = dir.path().join("full.wsf");
    let (envelopes, _) = bad_mix();
    bundle(&full, &envelopes[..2], 0);
    let bytes = std::fs::read(&full).expect("read");
    // In-process, through the reader the CLI uses: never a panic, always an answer.
    for cut in 0..bytes.len() {
        let mut reader = match wsf_node::bundle::Reader::new(&bytes[..cut]) {
            Ok(r) => r,
            Err(_) => continue,
        };
        let mut n = 0;
        let end = loop {
            match reader.next_envelope() {
                Ok(Some(_)) => n += 1,
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        assert!(end.is_err(), "a cut at {cut} must be reported (read {n})");
        assert!(n <= 2);
    }
}

/// A ~600-byte report by the author of `seed`, an hour after the one before it (the per-author
/// quota counts records per hour).
fn report(seed: u8, i: u64) -> Record {
    let text = "Attendance, distances, teachers' pay and what changed after a year. ".repeat(6);
    sign(
        &Draft {
            net: NetworkId::public(),
            ts: 1_767_225_600_000 + i * 3_600_000,
            pillars: vec![Pillar::new("education").expect("slug")],
            content: Content::Resource(Resource {
                title: format!("Field report {i}"),
                resource_type: ResourceType::Report,
                summary: Some(format!("{i}: {text}")),
                body: None,
                url: None,
                language: None,
                license: None,
            }),
            expires: None,
            supersedes: None,
            refs: vec![],
        },
        &SigningKey::from_bytes(&[seed; 32]),
    )
    .expect("sign")
}

/// `wsf compact` gives the disk back what blocking an author freed, keeps every other record,
/// and refuses to run while the node holds the store.
#[test]
fn compact_gives_back_the_space_of_deleted_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::init(dir.path());
    let mut envelopes: Vec<Vec<u8>> = (0..1_500)
        .map(|i| report(9, i).envelope().to_vec())
        .collect();
    let kept: Vec<Record> = (0..3).map(|i| report(8, i)).collect();
    envelopes.extend(kept.iter().map(|r| r.envelope().to_vec()));
    let file = dir.path().join("many.wsf");
    bundle(&file, &envelopes, 0);
    assert_eq!(
        common::json(dir.path(), &["import", file.to_str().expect("path")])["stored"],
        1_503
    );
    let blocked = AuthorId::from(&SigningKey::from_bytes(&[9; 32]).verifying_key()).to_string();
    let out = wsf(dir.path())
        .args(["partners", "block", &blocked])
        .assert()
        .success();
    let said = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(said.contains("1500 of its records deleted"), "{said}");
    assert!(
        said.contains("wsf compact"),
        "a large deletion suggests compact: {said}"
    );

    // Not beside a running node.
    let (node, drain) = common::start_node(dir.path());
    let out = wsf(dir.path()).arg("compact").assert().failure();
    let said = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(said.contains("the node is running"), "{said}");
    common::stop(node);
    let _ = drain.join();

    let done = common::json(dir.path(), &["compact"]);
    let (before, after) = (
        done["before_bytes"].as_u64().expect("before"),
        done["after_bytes"].as_u64().expect("after"),
    );
    eprintln!("compact after blocking 1,500 of 1,503 records: {before} -> {after} bytes");
    assert!(after < before / 2, "{done}");
    let listed = common::json(dir.path(), &["list", "--all"]);
    let ids: Vec<&str> = listed
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    for r in &kept {
        assert!(ids.contains(&r.id().to_string().as_str()), "{listed}");
    }
    assert_eq!(ids.len(), 3, "{listed}");
}

/// The same on an encrypted data dir: compact opens the store under its key, and every record
/// left still reads.
#[test]
fn compact_works_on_an_encrypted_store() {
    let (tmp, dir, pass) = common::encrypted_dir("amber lantern seventeen rivers");
    let run = |args: &[&str]| -> Value {
        let out = wsf(&dir)
            .env("WSF_PASSPHRASE_FILE", &pass)
            .args(args)
            .arg("--json")
            .assert()
            .success();
        serde_json::from_slice(&out.get_output().stdout).expect("json")
    };
    let mut envelopes: Vec<Vec<u8>> = (0..400).map(|i| report(9, i).envelope().to_vec()).collect();
    let kept: Vec<Record> = (0..3).map(|i| report(8, i)).collect();
    envelopes.extend(kept.iter().map(|r| r.envelope().to_vec()));
    let file = tmp.path().join("many.wsf");
    bundle(&file, &envelopes, 0);
    assert_eq!(
        run(&["import", file.to_str().expect("path")])["stored"],
        403
    );
    let blocked = AuthorId::from(&SigningKey::from_bytes(&[9; 32]).verifying_key()).to_string();
    run(&["partners", "block", &blocked]);
    let done = run(&["compact"]);
    assert!(
        done["after_bytes"].as_u64() < done["before_bytes"].as_u64(),
        "{done}"
    );
    let listed = run(&["list", "--all"]);
    let ids: Vec<&str> = listed
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 3, "{listed}");
    for r in &kept {
        assert!(ids.contains(&r.id().to_string().as_str()), "{listed}");
    }
}
