//! `wsf search`: records in English, Arabic and Chinese found by a word, through the real
//! binary, offline and through a running node; a withdrawn record is no longer found.

mod common;

use common::{fails, fresh, json, start_node, stop, wsf};

fn publish(d: &std::path::Path, title: &str, summary: &str) -> String {
    json(
        d,
        &[
            "publish",
            "resource",
            "--title",
            title,
            "--type",
            "guide",
            "--pillar",
            "education",
            "--summary",
            summary,
        ],
    )["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

fn ids(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .expect("an array of records, like list --json")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn records_in_three_scripts_are_found_and_a_withdrawn_one_is_not() {
    let dir = fresh();
    let d = dir.path();
    let en = publish(d, "Safe reporting for journalists", "Protecting sources");
    let ar = publish(d, "تعليم البنات في القرى", "مَدْرَسَةٌ لِلْأَطْفَالِ");
    let zh = publish(d, "女童教育指南", "为村庄学校提供的资料");

    assert_eq!(ids(&json(d, &["search", "JOURNALISTS"])), vec![en.clone()]);
    assert_eq!(
        ids(&json(d, &["search", "sources", "safe"])),
        vec![en.clone()]
    );
    // Without the diacritics, with a plain alef and heh for teh marbuta.
    assert_eq!(ids(&json(d, &["search", "مدرسه"])), vec![ar.clone()]);
    assert_eq!(ids(&json(d, &["search", "للاطفال"])), vec![ar.clone()]);
    assert_eq!(ids(&json(d, &["search", "教育"])), vec![zh.clone()]);
    assert_eq!(ids(&json(d, &["search", "学校"])), vec![zh.clone()]);
    assert!(ids(&json(d, &["search", "nowhere"])).is_empty());

    // The same shape as `list --json`: the same element for the same record.
    let listed = json(d, &["list"]);
    let found = json(d, &["search", "journalists"]);
    let from_list = listed
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["id"] == en.as_str())
        .expect("listed");
    assert_eq!(&found[0], from_list);

    // Table output names the record.
    let out = wsf(d).args(["search", "教育"]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("女童教育指南"), "{text}");

    json(d, &["retract", &ar]);
    assert!(ids(&json(d, &["search", "مدرسه"])).is_empty());
    assert!(ids(&json(d, &["search", "البنات"])).is_empty());

    // A query with no word to search for is refused with advice.
    let err = fails(d, &["search", "a", "!"], 2);
    assert!(err.contains("no word to search"), "{err}");
}

#[test]
fn search_goes_through_a_running_node_too() {
    let dir = fresh();
    let d = dir.path();
    let id = publish(d, "Clean water for villages", "Wells and hygiene");
    let (node, drain) = start_node(d);
    assert_eq!(ids(&json(d, &["search", "wells"])), vec![id.clone()]);
    let status = json(d, &["status"]);
    assert!(
        status["counts"]["search_index_bytes"]
            .as_u64()
            .expect("bytes")
            > 0,
        "{status}"
    );
    stop(node);
    let _ = drain.join();
}
