//! Closed networks and partners from the `wsf` binary: create, invite, join, partners.

mod common;

use common::{json, start_node, stop, wsf};

#[test]
fn create_invite_join_and_partners_from_the_cli() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let created = json(a.path(), &["network", "create", "Coalition"]);
    assert_eq!(created["closed"], true);
    // Invites need the node (the code carries its addresses).
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
    assert!(code.starts_with("wsf1"));
    // Human output has the QR code and the code.
    let human = wsf(a.path()).args(["invite", "create"]).assert().success();
    let text = String::from_utf8_lossy(&human.get_output().stdout).to_string();
    assert!(text.contains('█') && text.contains("wsf1"));
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
    let (node_b, _log_b) = start_node(b.path());
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
    let partners = json(b.path(), &["partners", "list"]);
    assert_eq!(partners[0]["status"], "partner");
    let policy = json(
        b.path(),
        &["partners", "policy", "partners", "--trust", "1"],
    );
    assert_eq!(policy["policy"], "partners");
    assert_eq!(policy["trust_k"], 1);
    stop(node_b);
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
