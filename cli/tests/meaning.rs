//! End-to-end tests of what people see: withdrawn versions stay withdrawn everywhere, authors are
//! shown by what this node knows, co-signatures belong to the version they signed, quota and
//! expiry hold for the node's own records, pillars reach someone, and a peer's text cannot lie
//! about itself. Each runs the `wsf` binary in temporary data directories.

mod common;

use std::path::Path;

use common::{json, wsf};
use serde_json::Value;

fn campaign(dir: &Path, title: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "publish",
        "campaign",
        "--title",
        title,
        "--pillar",
        "state-military-oppression",
        "--action",
        "fundraising",
        "--call",
        "Give what you can",
        "--online",
    ];
    args.extend_from_slice(extra);
    json(dir, &args)["id"].as_str().expect("id").to_owned()
}

fn export(dir: &Path, name: &str) -> String {
    let file = dir.join(name);
    let path = file.to_str().expect("path").to_owned();
    json(dir, &["export", &path]);
    path
}

fn listed(dir: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["list"];
    args.extend_from_slice(extra);
    json(dir, &args).as_array().expect("array").clone()
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|v| v["id"].as_str().expect("id").to_owned())
        .collect()
}

fn text(dir: &Path, args: &[&str]) -> String {
    let out = wsf(dir).args(args).assert().success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

fn stderr_of_failure(dir: &Path, args: &[&str], code: i32) -> String {
    let out = wsf(dir).args(args).assert().code(code);
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

#[test]
fn a_withdrawn_correction_stays_withdrawn_on_every_node() {
    let a = common::fresh();
    let a = a.path();
    json(a, &["init", "--name", "Org A"]);
    let v1 = campaign(a, "Donate for the shelter", &[]);
    let early = export(a, "early.wsf"); // holds v1 only
    let v2 = campaign(
        a,
        "Donate for the shelter (new account)",
        &["--supersedes", &v1],
    );
    let middle = export(a, "middle.wsf"); // v1 and v2
    json(a, &["retract", &v2, "--reason", "cancelled"]);
    let last = export(a, "last.wsf"); // the retraction (and the profile)
    assert!(listed(a, &[]).is_empty(), "the author lists nothing");

    // B gets everything at once; C held v1 only, then the retraction; D held v1 and v2.
    let b = common::fresh();
    let c = common::fresh();
    let d = common::fresh();
    json(b.path(), &["import", &middle]);
    json(b.path(), &["import", &last]);
    json(c.path(), &["import", &early]);
    json(c.path(), &["import", &last]);
    json(d.path(), &["import", &middle]);
    json(d.path(), &["import", &last]);
    for node in [b.path(), c.path(), d.path()] {
        assert!(
            listed(node, &[]).is_empty(),
            "no node lists a withdrawn version"
        );
        assert!(listed(node, &["--all"]).is_empty());
        for v in [&v1, &v2] {
            let shown = json(node, &["show", v]);
            assert!(shown["title"].is_null(), "{v} has no content left");
            assert!(shown["retracted_by"].is_string());
        }
        // v1 arriving again is refused for ever.
        let again = json(node, &["import", &middle]);
        assert_eq!(again["stored"], 0);
    }
}

#[test]
fn a_stranger_with_a_partners_name_is_shown_apart() {
    let me = common::fresh();
    let me = me.path();
    json(me, &["init", "--name", "Our Collective"]);
    let real = common::fresh();
    let fake = common::fresh();
    let lookalike = common::fresh();
    let real_key = json(real.path(), &["init", "--name", "Amnesty International"])["author"]
        .as_str()
        .expect("author")
        .to_owned();
    json(fake.path(), &["init", "--name", "Amnesty International"]);
    // A Cyrillic А and е.
    json(
        lookalike.path(),
        &["init", "--name", "\u{410}mn\u{435}sty International"],
    );
    let real_call = campaign(real.path(), "Urgent action", &[]);
    let fake_call = campaign(fake.path(), "Send donations here", &[]);
    for org in [real.path(), fake.path(), lookalike.path()] {
        let bundle = export(org, "out.wsf");
        json(me, &["import", &bundle]);
    }
    json(
        me,
        &[
            "partners",
            "add",
            &real_key[..12],
            "--name",
            "Amnesty International",
        ],
    );
    let items = listed(me, &[]);
    let by_id = |id: &str| {
        items
            .iter()
            .find(|v| v["id"] == id)
            .cloned()
            .expect("listed")
    };
    let r = by_id(&real_call);
    let f = by_id(&fake_call);
    // Raw text and existing keys are kept; the markers are new keys.
    assert_eq!(r["author_name"], "Amnesty International");
    assert_eq!(f["author_name"], "Amnesty International");
    assert_eq!(r["author_info"]["trust"], "partner");
    assert_eq!(f["author_info"]["trust"], "unverified");
    let fp = f["author_info"]["fingerprint"]
        .as_str()
        .expect("fingerprint");
    assert_eq!(fp.len(), 16, "64-bit fingerprints");
    assert!(f["author"].as_str().expect("key").starts_with(fp));
    assert_eq!(
        f["author_info"]["same_name_as"]
            .as_array()
            .expect("clash")
            .len(),
        2,
        "the partner and the look-alike"
    );
    let table = text(me, &["list"]);
    let real_line = table
        .lines()
        .find(|l| l.contains("Urgent action"))
        .expect("line");
    let fake_line = table
        .lines()
        .find(|l| l.contains("Send donations"))
        .expect("line");
    assert!(
        real_line.contains("Amnesty International (partner"),
        "{real_line}"
    );
    // Cut to the table's column, the claim keeps its quotes, fingerprint and markers.
    assert!(fake_line.contains("\"Amnesty"), "{fake_line}");
    assert!(
        fake_line.contains(&format!("(unverified, {fp}, name clash)")),
        "{fake_line}"
    );
    // The look-alike is flagged although its bytes differ.
    let look = json(me, &["list", "--kind", "profile"]);
    let cyrillic = look
        .as_array()
        .expect("profiles")
        .iter()
        .find(|p| p["name"].as_str().is_some_and(|n| n.starts_with('\u{410}')))
        .expect("look-alike profile");
    assert!(
        !cyrillic["author_info"]["same_name_as"]
            .as_array()
            .expect("clash")
            .is_empty()
    );
    // The partner is found by its local name, and local names stay unique and never hex.
    let mine = json(me, &["list", "--author", "amnesty international"]);
    assert_eq!(ids(mine.as_array().expect("array")), vec![real_call]);
    let err = stderr_of_failure(
        me,
        &["partners", "add", fp, "--name", "Amnesty International"],
        2,
    );
    assert!(err.contains("unique"), "{err}");
    let err = stderr_of_failure(me, &["partners", "add", fp, "--name", "cafe"], 2);
    assert!(err.contains("mistaken for a key"), "{err}");
}

#[test]
fn ten_keys_with_one_name_count_as_others_and_are_told_apart() {
    let me = common::fresh();
    let me = me.path();
    json(me, &["init", "--name", "Org A"]);
    let call = campaign(me, "Stop the evictions", &[]);
    let ours = export(me, "ours.wsf");
    for _ in 0..10 {
        let sock = common::fresh();
        json(sock.path(), &["init", "--name", "Women's Rights Watch"]);
        json(sock.path(), &["import", &ours]);
        json(
            sock.path(),
            &["endorse", &call, "--statement", "We co-sign."],
        );
        let back = export(sock.path(), "back.wsf");
        json(me, &["import", &back]);
    }
    let shown = json(me, &["show", &call]);
    assert_eq!(shown["endorsements"], 10);
    assert_eq!(shown["cosigned"]["partners"], 0);
    assert_eq!(shown["cosigned"]["others"], 10);
    let page = text(me, &["show", &call]);
    assert!(
        page.contains("co-signed by 10 other organisation(s)"),
        "{page}"
    );
    let lines: Vec<&str> = page
        .lines()
        .filter(|l| l.contains("\"Women's Rights Watch\" (unverified"))
        .collect();
    assert_eq!(lines.len(), 10);
    let distinct: std::collections::BTreeSet<&str> = lines.iter().copied().collect();
    assert_eq!(
        distinct.len(),
        10,
        "each co-signer line carries its own fingerprint"
    );
    let table = text(me, &["list"]);
    assert!(
        table.contains("co-signed by 0 partners, 10 others"),
        "{table}"
    );
}

#[test]
fn a_correction_keeps_earlier_cosigners_apart_and_a_new_statement_replaces_the_old() {
    let a = common::fresh();
    let a = a.path();
    json(a, &["init", "--name", "Org A"]);
    let v1 = campaign(a, "Seminar on girls' schooling", &[]);
    let first = export(a, "first.wsf");
    let mut backs = Vec::new();
    let mut orgs = Vec::new();
    for name in ["Org B", "Org C"] {
        let o = common::fresh();
        json(o.path(), &["init", "--name", name]);
        json(o.path(), &["import", &first]);
        json(o.path(), &["endorse", &v1, "--statement", "We co-sign."]);
        backs.push(export(o.path(), "back.wsf"));
        orgs.push(o);
    }
    for b in &backs {
        json(a, &["import", b]);
    }
    assert_eq!(json(a, &["show", &v1])["endorsements"], 2);
    let v2 = campaign(
        a,
        "Seminar on girls' schooling (new date)",
        &["--supersedes", &v1],
    );
    let shown = json(a, &["show", &v2]);
    assert_eq!(shown["endorsements"], 0, "nobody signed the new text");
    assert_eq!(shown["cosigned"]["earlier"], 2);
    assert_eq!(
        shown["earlier_cosigners"]
            .as_array()
            .expect("earlier")
            .len(),
        2
    );
    assert_eq!(shown["earlier_cosigners"][0]["version"], v1.as_str());
    let page = text(a, &["show", &v2]);
    assert!(
        page.contains("co-signed an earlier version only (2"),
        "{page}"
    );

    // B co-signs again with a new statement: it replaces the old one, B still counts once.
    let b = &orgs[0];
    let again = json(
        b.path(),
        &[
            "endorse",
            &v1,
            "--statement",
            "We co-sign, and will attend.",
        ],
    );
    assert_eq!(again["outcome"], "stored");
    let same = json(
        b.path(),
        &[
            "endorse",
            &v1,
            "--statement",
            "We co-sign, and will attend.",
        ],
    );
    assert_eq!(same["outcome"], "duplicate");
    let shown = json(b.path(), &["show", &v1]);
    assert_eq!(shown["endorsements"], 1);
    assert_eq!(
        shown["cosigners"][0]["statement"],
        "We co-sign, and will attend."
    );
    // With the new version known, co-signing the old one is refused with the way forward.
    json(b.path(), &["import", &export(a, "v2.wsf")]);
    let err = stderr_of_failure(b.path(), &["endorse", &v1], 2);
    assert!(err.contains("replaced by a newer version"), "{err}");
}

#[test]
fn own_records_keep_the_quota_and_expired_records_are_hidden_not_rejected() {
    let a = common::fresh();
    let a = a.path();
    json(a, &["init"]);
    json(a, &["partners", "policy", "open", "--quota", "3"]);
    for i in 0..3 {
        campaign(a, &format!("Call {i}"), &[]);
    }
    let err = stderr_of_failure(
        a,
        &[
            "publish",
            "resource",
            "--title",
            "One more",
            "--type",
            "link",
            "--pillar",
            "education",
            "--url",
            "https://example.org",
        ],
        1,
    );
    assert!(err.contains("at most 3 per author per hour"), "{err}");
    json(a, &["partners", "policy", "open", "--quota", "3600"]);

    // A campaign that already ended, and one ending today (a date alone: the end of that day).
    let ended = campaign(
        a,
        "Last year's seminar",
        &["--starts", "2020-01-01", "--ends", "2020-01-02"],
    );
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as u64;
    let today_text = civil(now_ms / 86_400_000);
    let running = campaign(a, "Today's vigil", &["--ends", &today_text]);
    let items = listed(a, &[]);
    let get = |id: &str| {
        items
            .iter()
            .find(|v| v["id"] == id)
            .cloned()
            .expect("listed")
    };
    assert_eq!(get(&ended)["ended"], true);
    assert!(get(&running)["ended"].is_null(), "ends at the end of today");
    assert!(text(a, &["list"]).contains("[ended] Last year's seminar"));

    // A record that expires in a moment: listed until then, then hidden but kept and marked.
    let soon = (now_ms + 1_500).to_string();
    let short = json(
        a,
        &[
            "publish",
            "resource",
            "--title",
            "Flash appeal",
            "--type",
            "link",
            "--pillar",
            "education",
            "--url",
            "https://example.org/flash",
            "--expires",
            &soon,
        ],
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let bundle = export(a, "with-flash.wsf");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while ids(&listed(a, &[])).contains(&short) {
        assert!(
            std::time::Instant::now() < deadline,
            "the record never expired"
        );
        std::thread::yield_now();
    }
    let all = listed(a, &["--include-expired"]);
    let flash = all
        .iter()
        .find(|v| v["id"] == short.as_str())
        .expect("kept");
    assert_eq!(flash["expired"], true);
    assert!(text(a, &["list", "--include-expired"]).contains("[expired] Flash appeal"));

    // Another node receiving it now keeps it out, and does not call that a rejection.
    let b = common::fresh();
    let report = json(b.path(), &["import", &bundle]);
    assert_eq!(report["expired"], 1);
    assert!(
        report["rejected"].as_object().is_none_or(|m| m.is_empty()),
        "{report}"
    );
}

/// `YYYY-MM-DD` of a day count since 1970-01-01.
fn civil(days: u64) -> String {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 {
        yoe + era * 400 + 1
    } else {
        yoe + era * 400
    };
    format!("{y:04}-{m:02}-{d:02}")
}

#[test]
fn pillars_must_reach_someone_and_the_last_one_cannot_be_left() {
    let a = common::fresh();
    let a = a.path();
    json(a, &["init"]);
    let args = |p: &'static str| {
        vec![
            "publish", "resource", "--title", "Guide", "--type", "guide", "--pillar", p,
        ]
    };
    let err = stderr_of_failure(a, &args("womensrights"), 2);
    assert!(err.contains("did you mean womens-rights"), "{err}");
    assert!(listed(a, &[]).is_empty(), "nothing was signed");
    json(
        a,
        &[
            "publish",
            "resource",
            "--title",
            "Guide",
            "--type",
            "guide",
            "--new-pillar",
            "land-rights",
        ],
    );
    // Held now, so known.
    json(a, &args("land-rights"));
    let err = stderr_of_failure(a, &["subscribe", "landrights"], 2);
    assert!(err.contains("did you mean land-rights"), "{err}");
    json(a, &["subscribe", "--new-pillar", "water-access"]);
    json(a, &["subscribe", "land-rights"]);

    let followed = wsf_protocol::pillar::WELL_KNOWN
        .iter()
        .copied()
        .chain(["water-access"]);
    for p in followed {
        json(a, &["unsubscribe", p]);
    }
    let err = stderr_of_failure(a, &["unsubscribe", "land-rights"], 2);
    assert!(err.contains("only pillar"), "{err}");
    let config: Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("config.json")).expect("config"))
            .expect("json");
    assert_eq!(config["pillars"], serde_json::json!(["land-rights"]));
}

#[test]
fn text_from_peers_shows_its_hidden_characters() {
    let peer = common::fresh();
    json(peer.path(), &["init", "--name", "Org\u{200B}B"]);
    let id = json(
        peer.path(),
        &[
            "publish",
            "resource",
            "--title",
            "Safety \u{202E}ediug",
            "--type",
            "guide",
            "--pillar",
            "education",
            "--summary",
            "One line\nand \u{2066}another\u{2069}",
        ],
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let bundle = export(peer.path(), "out.wsf");
    let me = common::fresh();
    json(me.path(), &["import", &bundle]);
    let table = text(me.path(), &["list"]);
    assert!(table.contains("Safety ⟨U+202E⟩ediug"), "{table}");
    assert!(!table.contains('\u{202E}'));
    assert!(table.contains("\"Org⟨U+200B⟩B\" (unverified"), "{table}");
    let page = text(me.path(), &["show", &id]);
    assert!(page.contains("Safety ⟨U+202E⟩ediug"));
    assert!(page.contains("and ⟨U+2066⟩another⟨U+2069⟩"), "{page}");
    assert!(!page.contains('\u{2066}'));
    // JSON keeps the raw text.
    assert_eq!(
        json(me.path(), &["show", &id])["title"],
        "Safety \u{202E}ediug"
    );
}
