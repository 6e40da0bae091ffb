//! The control API's rules, over TCP without a browser: the `Host` must be a loopback name with
//! the API's own port, a foreign `Origin` is refused, the bearer scheme is case-insensitive,
//! unknown JSON fields are refused, and every error (404 and 405 included) is a JSON body.

mod common;

use common::{fresh, http, json, node};
use serde_json::Value;

struct Api {
    addr: String,
    port: u16,
    token: String,
}

fn api(dir: &std::path::Path) -> Api {
    let status = json(dir, &["status"]);
    let addr = status["api_addr"].as_str().expect("api_addr").to_owned();
    let port = addr
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let token = std::fs::read_to_string(dir.join("api.token"))
        .expect("token")
        .trim()
        .to_owned();
    Api { addr, port, token }
}

impl Api {
    fn headers(&self, host: &str, extra: &[&str]) -> Vec<String> {
        let mut h = vec![
            format!("Host: {host}"),
            format!("Authorization: Bearer {}", self.token),
        ];
        h.extend(extra.iter().map(|s| s.to_string()));
        h
    }

    fn get(&self, path: &str, host: &str, extra: &[&str]) -> (u16, String) {
        http(
            &self.addr,
            &format!("GET {path}"),
            &self.headers(host, extra),
            "",
        )
    }

    fn post(&self, path: &str, body: &str) -> (u16, String) {
        let host = format!("127.0.0.1:{}", self.port);
        http(
            &self.addr,
            &format!("POST {path}"),
            &self.headers(&host, &[]),
            body,
        )
    }
}

fn code_of(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("JSON body ({e}): {body}"));
    v["code"].as_str().expect("code").to_owned()
}

#[test]
fn the_api_checks_host_and_origin() {
    let dir = fresh();
    let n = node(dir.path());
    let a = api(dir.path());
    let ours = format!("127.0.0.1:{}", a.port);
    assert_eq!(a.get("/v1/id", &ours, &[]).0, 200);
    assert_eq!(
        a.get("/v1/id", &format!("localhost:{}", a.port), &[]).0,
        200
    );
    assert_eq!(a.get("/v1/id", &format!("[::1]:{}", a.port), &[]).0, 200);
    // DNS rebinding: a name the attacker controls, resolving to 127.0.0.1.
    let (status, body) = a.get("/v1/id", &format!("evil.example:{}", a.port), &[]);
    assert_eq!((status, code_of(&body).as_str()), (421, "bad_host"));
    // Another port, or none.
    let (status, _) = a.get("/v1/id", &format!("127.0.0.1:{}", a.port ^ 1), &[]);
    assert_eq!(status, 421);
    assert_eq!(a.get("/v1/id", "localhost", &[]).0, 421);
    // A page of another site, even with the right token.
    let (status, body) = a.get("/v1/id", &ours, &["Origin: https://evil.example"]);
    assert_eq!((status, code_of(&body).as_str()), (403, "bad_origin"));
    assert_eq!(a.get("/v1/id", &ours, &["Origin: null"]).0, 403);
    let own = format!("Origin: http://127.0.0.1:{}", a.port);
    assert_eq!(a.get("/v1/id", &ours, &[own.as_str()]).0, 200);
    assert_eq!(n.stop().code(), Some(0));
}

#[test]
fn the_bearer_scheme_is_case_insensitive_and_the_token_is_checked() {
    let dir = fresh();
    let n = node(dir.path());
    let a = api(dir.path());
    let host = format!("Host: 127.0.0.1:{}", a.port);
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let (status, _) = http(
            &a.addr,
            "GET /v1/id",
            &[host.clone(), format!("Authorization: {scheme} {}", a.token)],
            "",
        );
        assert_eq!(status, 200, "{scheme}");
    }
    let (status, body) = http(
        &a.addr,
        "GET /v1/id",
        &[host.clone(), "Authorization: bearer 00".into()],
        "",
    );
    assert_eq!((status, code_of(&body).as_str()), (401, "unauthorized"));
    let (status, _) = http(
        &a.addr,
        "GET /v1/id",
        &[host, format!("Authorization: Basic {}", a.token)],
        "",
    );
    assert_eq!(status, 401);
    assert_eq!(n.stop().code(), Some(0));
}

#[test]
fn unknown_json_fields_are_refused_and_nothing_is_stored() {
    let dir = fresh();
    let n = node(dir.path());
    let a = api(dir.path());
    let publish =
        r#"{"kind":"resource","title":"T","type":"guide","pillars":["education"],"bogus":1}"#;
    let (status, body) = a.post("/v1/publish", publish);
    assert_eq!(status, 422, "{body}");
    assert_eq!(code_of(&body), "bad_request");
    assert!(body.contains("bogus"), "the field is named: {body}");
    let (status, body) = a.post("/v1/list", r#"{"limit":5,"colour":"red"}"#);
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("colour"), "{body}");
    let (status, body) = a.post("/v1/search", r#"{"text":"water","colour":"red"}"#);
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("colour"), "{body}");
    let (status, body) = a.post("/v1/search", r#"{"text":"water","limit":0}"#);
    assert_eq!(status, 400, "{body}");
    assert_eq!(code_of(&body), "bad_request");
    let (status, body) = a.post(
        "/v1/partners",
        r#"{"action":"add","author":"00","nick":"x"}"#,
    );
    assert_eq!(status, 422, "{body}");
    let host = format!("127.0.0.1:{}", a.port);
    let (status, body) = a.get("/v1/records/abcd?history=true&colour=red", &host, &[]);
    assert_eq!((status, code_of(&body).as_str()), (400, "bad_request"));
    // Without the stray field the same request is stored.
    let (status, body) = a.post("/v1/publish", &publish.replace(r#","bogus":1"#, ""));
    assert_eq!(status, 200, "{body}");
    let listed = json(dir.path(), &["list"]);
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(1),
        "only the good one"
    );
    // A limit of 0 is refused by the API as by the CLI.
    let (status, body) = a.post("/v1/list", r#"{"limit":0}"#);
    assert_eq!((status, code_of(&body).as_str()), (400, "bad_request"));
    let (status, body) = a.post(
        "/v1/policy",
        r#"{"policy":"open","trust_k":2,"quota_per_hour":0}"#,
    );
    assert_eq!((status, code_of(&body).as_str()), (400, "bad_request"));
    assert_eq!(n.stop().code(), Some(0));
}

#[test]
fn every_error_is_a_json_body_404_and_405_included() {
    let dir = fresh();
    let n = node(dir.path());
    let a = api(dir.path());
    let host = format!("127.0.0.1:{}", a.port);
    let (status, body) = a.get("/v1/nothing-here", &host, &[]);
    assert_eq!((status, code_of(&body).as_str()), (404, "not_found"));
    assert!(body.contains("/v1/nothing-here"));
    let (status, body) = a.get("/v1/publish", &host, &[]);
    assert_eq!(
        (status, code_of(&body).as_str()),
        (405, "method_not_allowed")
    );
    let (status, body) = a.get("/v1/records/ffff0000", &host, &[]);
    assert_eq!((status, code_of(&body).as_str()), (404, "not_found"));
    let (status, body) = a.post("/v1/publish", "{not json");
    assert_eq!((status, code_of(&body).as_str()), (400, "bad_request"));
    assert_eq!(n.stop().code(), Some(0));
}
