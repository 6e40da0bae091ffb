//! The web page under `/ui` over real HTTP, without a browser: the login link, the session
//! cookie, the headers every page carries, CSRF on every POST, the `Host` check, peer text
//! escaped and neutralised, Arabic laid out right to left, and `/v1` closed to cookies.

mod common;

use common::{Resp, fresh, json, node};

fn request(addr: &str, line: &str, headers: &[String], body: &str) -> Resp {
    common::http_with(
        addr,
        line,
        headers,
        "application/x-www-form-urlencoded",
        body,
    )
}

struct Page {
    addr: String,
    port: u16,
    host: String,
}

impl Page {
    fn of(dir: &std::path::Path) -> Page {
        let api = json(dir, &["status"])["api_addr"]
            .as_str()
            .expect("api")
            .to_owned();
        let port = api
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port");
        Page {
            host: format!("Host: 127.0.0.1:{port}"),
            addr: api,
            port,
        }
    }

    fn get(&self, path: &str, extra: &[String]) -> Resp {
        let mut h = vec![self.host.clone()];
        h.extend(extra.iter().cloned());
        request(&self.addr, &format!("GET {path}"), &h, "")
    }

    fn post(&self, path: &str, extra: &[String], body: &str) -> Resp {
        let mut h = vec![self.host.clone()];
        h.extend(extra.iter().cloned());
        request(&self.addr, &format!("POST {path}"), &h, body)
    }

    /// Logs in with a fresh `wsf ui` link; returns the `Cookie:` header.
    fn login(&self, dir: &std::path::Path) -> String {
        let url = json(dir, &["ui", "--no-open"])["url"]
            .as_str()
            .expect("url")
            .to_owned();
        let path = url
            .split_once(&format!(":{}", self.port))
            .expect("our port")
            .1;
        let r = self.get(path, &[]);
        assert_eq!(r.status, 303, "{}", r.head);
        cookie_of(&r)
    }
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..].split('"').next().expect("value").to_owned()
}

#[test]
fn the_login_link_works_once_and_sets_a_strict_cookie() {
    let dir = fresh();
    let n = node(dir.path());
    let p = Page::of(dir.path());
    let url = json(dir.path(), &["ui", "--no-open"])["url"]
        .as_str()
        .expect("url")
        .to_owned();
    assert!(url.starts_with(&format!("http://127.0.0.1:{}/ui/login?code=", p.port)));
    let path = url
        .split_once(&format!(":{}", p.port))
        .expect("port")
        .1
        .to_owned();
    let first = p.get(&path, &[]);
    assert_eq!(first.status, 303);
    let cookie = first
        .head
        .lines()
        .find(|l| l.starts_with("set-cookie:"))
        .expect("cookie")
        .to_owned();
    assert!(
        cookie.contains(&format!("wsf_session_{}=", p.port)),
        "{cookie}"
    );
    for attr in ["httponly", "samesite=strict", "path=/ui"] {
        assert!(cookie.contains(attr), "{attr}: {cookie}");
    }
    assert_eq!(p.get(&path, &[]).status, 403, "the link works once");
    assert_eq!(p.get("/ui/login?code=00", &[]).status, 403);
    // Without a node there is no page to log into.
    assert_eq!(n.stop().code(), Some(0));
    let err = common::fails(dir.path(), &["ui", "--no-open", "--no-start"], 3);
    assert!(err.contains("not running"), "{err}");
}

#[test]
fn pages_need_a_session_and_carry_strict_headers() {
    let dir = fresh();
    let n = node(dir.path());
    let p = Page::of(dir.path());
    let anonymous = p.get("/ui/", &[]);
    assert_eq!(anonymous.status, 401);
    assert!(anonymous.body.contains("wsf ui"));
    let cookie = p.login(dir.path());
    let page = p.get("/ui/", &[cookie]);
    assert_eq!(page.status, 200, "{}", page.body);
    for h in [
        "content-security-policy: default-src 'none'; script-src 'self'; style-src 'self';",
        "frame-ancestors 'none'",
        "x-content-type-options: nosniff",
        "referrer-policy: same-origin",
        "x-frame-options: deny",
        "cache-control: no-store",
    ] {
        assert!(page.head.contains(h), "{h}: {}", page.head);
    }
    assert!(!page.body.contains("style=\""), "no inline style");
    // Scripts only from our own static files (htmx, its SSE extension, the page's), never
    // inline.
    assert_eq!(
        page.body.matches("<script").count(),
        page.body.matches("<script src=\"/ui/static/").count(),
        "{}",
        page.body
    );
    assert!(page.body.contains("/ui/static/htmx-2.0.11.min.js"));
    // A foreign Host is refused on the page as on the API (DNS rebinding).
    let r = request(
        &p.addr,
        "GET /ui/",
        &[format!("Host: evil.example:{}", p.port)],
        "",
    );
    assert_eq!(r.status, 421);
    assert_eq!(n.stop().code(), Some(0));
}

#[test]
fn posts_need_the_csrf_token_and_our_own_origin() {
    let dir = fresh();
    let n = node(dir.path());
    let p = Page::of(dir.path());
    let cookie = p.login(dir.path());
    let home = p.get("/ui/", std::slice::from_ref(&cookie));
    let csrf = csrf_of(&home.body);
    let form = format!("csrf={csrf}");
    assert_eq!(
        p.post("/ui/logout", std::slice::from_ref(&cookie), "")
            .status,
        403
    );
    assert_eq!(
        p.post("/ui/logout", std::slice::from_ref(&cookie), "csrf=00")
            .status,
        403
    );
    let cross = [cookie.clone(), "Sec-Fetch-Site: cross-site".into()];
    assert_eq!(p.post("/ui/logout", &cross, &form).status, 403);
    let foreign = [cookie.clone(), "Origin: https://evil.example".into()];
    assert_eq!(p.post("/ui/logout", &foreign, &form).status, 403);
    // Cookies never open the API.
    assert_eq!(p.get("/v1/id", std::slice::from_ref(&cookie)).status, 401);
    // Still logged in after all that; a good POST logs out.
    assert_eq!(p.get("/ui/", std::slice::from_ref(&cookie)).status, 200);
    let own = [
        cookie.clone(),
        "Sec-Fetch-Site: same-origin".into(),
        format!("Origin: http://127.0.0.1:{}", p.port),
    ];
    assert_eq!(p.post("/ui/logout", &own, &form).status, 303);
    assert_eq!(p.get("/ui/", std::slice::from_ref(&cookie)).status, 401);
    assert_eq!(n.stop().code(), Some(0));
}

#[test]
fn peer_text_is_escaped_and_its_hidden_characters_shown() {
    let dir = fresh();
    let n = node(dir.path());
    let p = Page::of(dir.path());
    let id = json(
        dir.path(),
        &[
            "publish",
            "resource",
            "--title",
            "<script>alert(1)</script> Safety \u{202e}ediug",
            "--pillar",
            "education",
            "--summary",
            "<img src=x onerror=alert(2)>",
        ],
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let cookie = p.login(dir.path());
    let home = p.get("/ui/", std::slice::from_ref(&cookie));
    // Escaped, in whichever form the template engine writes entities.
    let escaped = |html: &str, text: &str| {
        html.contains(&text.replace('<', "&lt;").replace('>', "&gt;"))
            || html.contains(&text.replace('<', "&#60;").replace('>', "&#62;"))
    };
    assert!(
        escaped(&home.body, "<script>alert(1)</script>"),
        "{}",
        home.body
    );
    assert!(!home.body.contains("<script>alert"));
    assert!(
        home.body.contains("⟨U+202E⟩"),
        "the override is shown, not obeyed"
    );
    assert!(!home.body.contains('\u{202e}'));
    let page = p.get(&format!("/ui/records/{id}"), &[cookie]);
    assert_eq!(page.status, 200);
    assert!(
        escaped(&page.body, "<img src=x onerror=alert(2)>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<img"));
    assert!(
        page.body.contains("<h2>Summary</h2>"),
        "fields carry labels"
    );
    assert!(page.body.contains("dir=\"auto\""));
    assert_eq!(n.stop().code(), Some(0));
}

#[test]
fn arabic_pages_are_right_to_left_and_the_language_can_be_chosen() {
    let dir = fresh();
    let n = node(dir.path());
    let p = Page::of(dir.path());
    let cookie = p.login(dir.path());
    let ar = p.get(
        "/ui/",
        &[
            cookie.clone(),
            "Accept-Language: ar-EG,ar;q=0.9,en;q=0.5".into(),
        ],
    );
    assert!(
        ar.body.contains("<html lang=\"ar\" dir=\"rtl\">"),
        "{}",
        ar.body
    );
    assert!(ar.body.contains("الجديد في محاورك"));
    let en = p.get("/ui/", std::slice::from_ref(&cookie));
    assert!(en.body.contains("<html lang=\"en\" dir=\"ltr\">"));
    // Choosing French overrides the browser's Arabic.
    let csrf = csrf_of(&en.body);
    let chosen = p.post(
        "/ui/lang",
        std::slice::from_ref(&cookie),
        &format!("csrf={csrf}&lang=fr"),
    );
    assert_eq!(chosen.status, 303);
    let set = chosen
        .head
        .lines()
        .find(|l| l.starts_with("set-cookie:"))
        .expect("a language cookie")
        .trim_start_matches("set-cookie:")
        .trim()
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let fr = p.get(
        "/ui/",
        &[format!("{cookie}; {set}"), "Accept-Language: ar".into()],
    );
    assert!(
        fr.body.contains("<html lang=\"fr\" dir=\"ltr\">"),
        "{}",
        fr.body
    );
    assert_eq!(n.stop().code(), Some(0));
}

#[test]
fn a_campaign_call_is_published_through_the_form_after_a_review() {
    let dir = fresh();
    let n = node(dir.path());
    let p = Page::of(dir.path());
    let cookie = p.login(dir.path());
    let form = p.get("/ui/publish", std::slice::from_ref(&cookie));
    assert_eq!(form.status, 200);
    assert!(form.body.contains("<label for=\"title\">"));
    let csrf = csrf_of(&form.body);
    let enc = |s: &str| s.replace(' ', "+");
    // Bad input: a title over 200 characters and no pillar. The errors sit by their fields,
    // what was typed is kept, and nothing is stored.
    let long = "x".repeat(250);
    let bad = format!("csrf={csrf}&step=review&title={long}&action=advocacy&call=Write&online=1");
    let r = p.post("/ui/publish", std::slice::from_ref(&cookie), &bad);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("id=\"pillars-error\""), "{}", r.body);
    let bad = format!(
        "csrf={csrf}&step=review&title={long}&action=advocacy&call=Write&online=1&pillar=education"
    );
    let r = p.post("/ui/publish", std::slice::from_ref(&cookie), &bad);
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("aria-describedby=\"title-error\""),
        "{}",
        r.body
    );
    assert!(r.body.contains(&long), "the typed title is kept");
    // A good one is shown for review first: nothing is stored yet.
    let good = format!(
        "csrf={csrf}&title={}&action=advocacy&call={}&place=Nairobi&ends=2099-03-01&pillar=education&pillar=womens-rights",
        enc("Free the journalists"),
        enc("Write to your MP")
    );
    let review = p.post(
        "/ui/publish",
        std::slice::from_ref(&cookie),
        &format!("{good}&step=review"),
    );
    assert_eq!(review.status, 200, "{}", review.body);
    assert!(review.body.contains("Free the journalists"));
    assert!(
        review.body.contains("2099-03-01 23:59 UTC"),
        "the end of that day"
    );
    assert_eq!(
        json(dir.path(), &["list"]).as_array().map(Vec::len),
        Some(0)
    );
    // Without the token the signature is refused.
    let forged = good.replace(&format!("csrf={csrf}"), "csrf=00");
    let r = p.post(
        "/ui/publish",
        std::slice::from_ref(&cookie),
        &format!("{forged}&step=publish"),
    );
    assert_eq!(r.status, 403);
    assert_eq!(
        json(dir.path(), &["list"]).as_array().map(Vec::len),
        Some(0)
    );
    let done = p.post(
        "/ui/publish",
        std::slice::from_ref(&cookie),
        &format!("{good}&step=publish"),
    );
    assert_eq!(done.status, 303, "{}", done.body);
    let listed = json(dir.path(), &["list"]);
    let id = listed[0]["id"].as_str().expect("id");
    assert!(
        done.head
            .contains(&format!("location: /ui/records/{id}?published=1")),
        "{}",
        done.head
    );
    let shown = p.get(&format!("/ui/records/{id}?published=1"), &[cookie]);
    assert!(shown.body.contains("role=\"status\""), "{}", shown.body);
    assert_eq!(listed[0]["title"], "Free the journalists");
    assert_eq!(listed[0]["place"], "Nairobi");
    assert_eq!(listed[0]["pillars"].as_array().map(Vec::len), Some(2));
    assert_eq!(n.stop().code(), Some(0));
}

#[test]
fn a_record_is_cosigned_and_an_own_record_withdrawn_from_the_page() {
    let other = fresh();
    let theirs = json(
        other.path(),
        &[
            "publish",
            "resource",
            "--title",
            "Their guide",
            "--pillar",
            "education",
        ],
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let bundle = other.path().join("b.wsf");
    json(other.path(), &["export", bundle.to_str().expect("path")]);
    let dir = fresh();
    json(dir.path(), &["import", bundle.to_str().expect("path")]);
    let mine = json(
        dir.path(),
        &[
            "publish",
            "resource",
            "--title",
            "Our guide",
            "--pillar",
            "education",
        ],
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let n = node(dir.path());
    let p = Page::of(dir.path());
    let cookie = p.login(dir.path());
    // Their record offers co-signing, ours offers withdrawal.
    let page = p.get(
        &format!("/ui/records/{theirs}"),
        std::slice::from_ref(&cookie),
    );
    assert!(page.body.contains("/endorse\""), "{}", page.body);
    assert!(!page.body.contains("/retract\""));
    let csrf = csrf_of(&page.body);
    let r = p.post(
        &format!("/ui/records/{theirs}/endorse"),
        std::slice::from_ref(&cookie),
        &format!("csrf={csrf}&text=We+stand+with+you"),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let shown = json(dir.path(), &["show", &theirs]);
    assert_eq!(shown["cosigners"][0]["statement"], "We stand with you");
    // The page lists the co-signature under its group, with its statement.
    let page = p.get(
        &format!("/ui/records/{theirs}"),
        std::slice::from_ref(&cookie),
    );
    assert!(
        page.body.contains("Co-signed by your partners"),
        "{}",
        page.body
    );
    assert!(page.body.contains("We stand with you"));
    let own = p.get(
        &format!("/ui/records/{mine}"),
        std::slice::from_ref(&cookie),
    );
    assert!(own.body.contains("/retract\""));
    assert!(!own.body.contains("/endorse\""));
    // Withdrawing needs the confirmation box.
    let r = p.post(
        &format!("/ui/records/{mine}/retract"),
        std::slice::from_ref(&cookie),
        &format!("csrf={csrf}&text=outdated"),
    );
    assert_eq!(r.status, 422);
    assert_eq!(json(dir.path(), &["show", &mine])["title"], "Our guide");
    let r = p.post(
        &format!("/ui/records/{mine}/retract"),
        &[cookie],
        &format!("csrf={csrf}&text=outdated&confirm=1"),
    );
    assert_eq!(r.status, 303);
    let gone = json(dir.path(), &["show", &mine]);
    assert!(gone.get("title").is_none(), "{gone}");
    assert_eq!(n.stop().code(), Some(0));
}

#[test]
fn ui_starts_the_node_when_none_runs() {
    let dir = fresh();
    // Ports picked by the system, so the test never meets another node.
    std::fs::write(
        dir.path().join("config.json"),
        r#"{"listen": ["/ip4/127.0.0.1/tcp/0"], "api_listen": "127.0.0.1:0"}"#,
    )
    .expect("config");
    let v = json(dir.path(), &["ui", "--no-open"]);
    let pid = v["started_node_pid"].as_u64().expect("a node was started");
    let url = v["url"].as_str().expect("url").to_owned();
    let p = Page::of(dir.path());
    let path = url
        .split_once(&format!(":{}", p.port))
        .expect("port")
        .1
        .to_owned();
    assert_eq!(p.get(&path, &[]).status, 303, "the link logs in");
    // Running already: no second node.
    let again = json(dir.path(), &["ui", "--no-open"]);
    assert!(again["started_node_pid"].is_null());
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill")
        .success();
    assert!(ok);
    // Not our child, so no wait(): a pidfd becomes readable when the process ends.
    let pid = rustix::process::Pid::from_raw(i32::try_from(pid).expect("pid")).expect("pid");
    let fd = rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()).expect("pidfd");
    let mut fds = [rustix::event::PollFd::new(
        &fd,
        rustix::event::PollFlags::IN,
    )];
    let timeout = rustix::event::Timespec {
        tv_sec: 20,
        tv_nsec: 0,
    };
    let ready = rustix::event::poll(&mut fds, Some(&timeout)).expect("poll");
    assert_eq!(ready, 1, "the node stops on SIGTERM");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dir.path().join("node.log"))
            .expect("node.log")
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    common::fails(dir.path(), &["ui", "--no-open", "--no-start"], 3);
}

#[test]
fn desktop_install_writes_a_menu_entry_that_opens_the_page() {
    let dir = fresh();
    let home = tempfile::tempdir().expect("home");
    let out = common::wsf(dir.path())
        .args(["desktop", "install", "--json"])
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("share"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    let entry = home.path().join("share/applications/wsf.desktop");
    assert_eq!(v["entry"], entry.to_str().expect("path"));
    let text = std::fs::read_to_string(&entry).expect("entry");
    assert!(text.contains("[Desktop Entry]") && text.contains("Terminal=false"));
    let exec = text.lines().find(|l| l.starts_with("Exec=")).expect("Exec");
    assert!(exec.ends_with(" ui"), "{exec}");
    assert!(
        exec.contains(&format!("--data-dir \"{}\"", dir.path().display())),
        "{exec}"
    );
    common::wsf(dir.path())
        .args(["desktop", "remove"])
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("share"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .assert()
        .success();
    assert!(!entry.exists());
}

/// `application/x-www-form-urlencoded` of `pairs`.
fn form(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".into(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of the input or textarea `name` in a form page.
fn value_of(html: &str, id: &str) -> String {
    let input = format!("id=\"{id}\" name=\"{id}\" value=\"");
    if let Some(at) = html.find(&input) {
        return html[at + input.len()..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_owned();
    }
    let area = format!("id=\"{id}\" name=\"{id}\"");
    let at = html.find(&area).expect("the field") + area.len();
    let rest = &html[at..];
    let open = rest.find('>').expect("tag end") + 1;
    rest[open..]
        .split("</textarea>")
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn every_kind_has_a_form_and_a_correction_starts_from_the_current_version() {
    let dir = fresh();
    let n = node(dir.path());
    let p = Page::of(dir.path());
    let cookie = p.login(dir.path());
    let c = std::slice::from_ref(&cookie);
    for (kind, fields) in [
        (
            "resource",
            &["title", "type", "summary", "body", "license"][..],
        ),
        ("practice", &["title", "approach", "lessons", "country"][..]),
        ("campaign", &["title", "action", "call", "target"][..]),
        ("profile", &["name", "website", "countries", "contact"][..]),
    ] {
        let page = p.get(&format!("/ui/publish?kind={kind}"), c);
        assert_eq!(page.status, 200, "{kind}");
        for f in fields {
            assert!(
                page.body.contains(&format!("<label for=\"{f}\">")),
                "{kind} has a labelled {f}"
            );
        }
        assert!(
            page.body
                .contains(&format!("name=\"kind\" value=\"{kind}\""))
        );
    }
    let csrf = csrf_of(&p.get("/ui/publish?kind=practice", c).body);
    // A practice without its required "what was done" comes back with the error by the field.
    let missing = form(&[
        ("csrf", &csrf),
        ("kind", "practice"),
        ("step", "review"),
        ("title", "Girls' clubs"),
        ("pillar", "education"),
    ]);
    let r = p.post("/ui/publish", c, &missing);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"approach-error\""), "{}", r.body);
    assert!(r.body.contains("aria-describedby=\"approach-error\""));
    assert!(r.body.contains("Girls&#39; clubs") || r.body.contains("Girls&#x27; clubs"));
    let good = form(&[
        ("csrf", &csrf),
        ("kind", "practice"),
        ("title", "Girls' clubs"),
        (
            "approach",
            "Weekly clubs run by older students.\r\nTwo years.",
        ),
        ("country", "Kenya"),
        ("pillar", "education"),
        ("step", "publish"),
    ]);
    let done = p.post("/ui/publish", c, &good);
    assert_eq!(done.status, 303, "{}", done.body);
    let first = json(dir.path(), &["list"]);
    let id = first[0]["id"].as_str().expect("id").to_owned();
    assert_eq!(
        first[0]["approach"],
        "Weekly clubs run by older students.\nTwo years."
    );
    // The correction form holds the current text, and its record supersedes the old one.
    let fix = p.get(&format!("/ui/records/{id}/correct"), c);
    assert_eq!(fix.status, 200);
    assert_eq!(value_of(&fix.body, "country"), "Kenya");
    assert!(value_of(&fix.body, "approach").contains("Weekly clubs"));
    assert!(
        fix.body
            .contains(&format!("name=\"supersedes\" value=\"{id}\""))
    );
    assert!(
        fix.body
            .contains("id=\"p-education\" name=\"pillar\" value=\"education\" checked")
    );
    let corrected = form(&[
        ("csrf", &csrf),
        ("kind", "practice"),
        ("supersedes", &id),
        ("title", "Girls' clubs"),
        ("approach", "Weekly clubs run by older students."),
        ("country", "Uganda"),
        ("pillar", "education"),
        ("step", "publish"),
    ]);
    assert_eq!(p.post("/ui/publish", c, &corrected).status, 303);
    let now = json(dir.path(), &["list"]);
    assert_eq!(now.as_array().map(Vec::len), Some(1), "{now}");
    assert_eq!(now[0]["country"], "Uganda");
    assert_eq!(now[0]["supersedes"], id.as_str());
    // The profile page starts a profile, then corrects the newest one.
    let first_profile = p.get("/ui/profile", c);
    assert_eq!(first_profile.status, 303);
    assert!(
        first_profile
            .head
            .contains("location: /ui/publish?kind=profile")
    );
    let profile = form(&[
        ("csrf", &csrf),
        ("kind", "profile"),
        ("name", "Girls First"),
        ("countries", "Kenya, Uganda"),
        ("pillar", "education"),
        ("step", "publish"),
    ]);
    assert_eq!(p.post("/ui/publish", c, &profile).status, 303);
    let profiles = json(dir.path(), &["list", "--kind", "profile"]);
    assert_eq!(
        profiles[0]["countries"],
        serde_json::json!(["Kenya", "Uganda"])
    );
    let again = p.get("/ui/profile", c);
    assert!(
        again.head.contains(&format!(
            "location: /ui/records/{}/correct",
            profiles[0]["id"].as_str().expect("id")
        )),
        "{}",
        again.head
    );
    // Someone else's record cannot be corrected here.
    assert_eq!(p.get("/ui/records/00/correct", c).status, 404);
    assert_eq!(n.stop().code(), Some(0));
}

#[test]
fn live_rows_arrive_over_server_sent_events_escaped() {
    use std::io::{BufRead, Write};
    let dir = fresh();
    let n = node(dir.path());
    let p = Page::of(dir.path());
    let cookie = p.login(dir.path());
    // Without a session there is no stream.
    assert_eq!(p.get("/ui/events", &[]).status, 401);
    let mut s = std::net::TcpStream::connect(&p.addr).expect("connect");
    write!(
        s,
        "GET /ui/events HTTP/1.1\r\n{}\r\n{cookie}\r\nAccept: text/event-stream\r\n\r\n",
        p.host
    )
    .expect("write");
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .expect("timeout");
    let mut lines = std::io::BufReader::new(s).lines();
    // The stream is open once its head has arrived.
    for line in lines.by_ref() {
        let line = line.expect("head");
        if line.is_empty() {
            break;
        }
    }
    let id = json(
        dir.path(),
        &[
            "publish",
            "campaign",
            "--title",
            "<b>Vigil</b> tonight",
            "--action",
            "awareness-event",
            "--call",
            "Come",
            "--online",
            "--pillar",
            "education",
        ],
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mut got = String::new();
    for line in lines.by_ref() {
        let line = line.expect("an event within 30 s");
        got.push_str(&line);
        got.push('\n');
        if line.starts_with("data: New:") || line.contains("hx-disable>New:") {
            break;
        }
    }
    assert!(got.contains("event: record"), "{got}");
    assert!(got.contains(&format!("id: {id}")), "{got}");
    assert!(got.contains(&format!("href=\"/ui/records/{id}\"")), "{got}");
    assert!(got.contains("event: announce"), "{got}");
    assert!(
        !got.contains("<b>"),
        "peer text is escaped in both events: {got}"
    );
    assert_eq!(n.stop().code(), Some(0));
}

#[test]
fn search_filters_partners_and_network_pages_work_from_the_page() {
    let dir = fresh();
    let other = fresh();
    common::init(other.path());
    let n = node(dir.path());
    let p = Page::of(dir.path());
    let cookie = p.login(dir.path());
    let c = std::slice::from_ref(&cookie);
    json(
        dir.path(),
        &[
            "publish",
            "resource",
            "--title",
            "دليل التعليم للفتيات",
            "--pillar",
            "education",
        ],
    );
    json(
        dir.path(),
        &[
            "publish",
            "resource",
            "--title",
            "Water rights guide",
            "--pillar",
            "poverty-hunger",
        ],
    );
    let found = p.get("/ui/search?q=%D8%A7%D9%84%D8%AA%D8%B9%D9%84%D9%8A%D9%85", c);
    assert_eq!(found.status, 200);
    assert!(
        found.body.contains("دليل التعليم للفتيات"),
        "{}",
        found.body
    );
    assert!(!found.body.contains("Water rights"));
    let filtered = p.get("/ui/?pillar=poverty-hunger", c);
    assert!(filtered.body.contains("Water rights guide"));
    assert!(!filtered.body.contains("دليل"));
    assert_eq!(p.get("/ui/?pillar=Not+A+Slug", c).status, 400);
    // Partners: add by key with a local name; block needs its confirmation box.
    let key = json(other.path(), &["id"])["author"]
        .as_str()
        .expect("author")
        .to_owned();
    let page = p.get(&format!("/ui/partners?author={key}"), c);
    assert!(page.body.contains(&format!("value=\"{key}\"")), "prefilled");
    let csrf = csrf_of(&page.body);
    let add = form(&[
        ("csrf", &csrf),
        ("action", "add"),
        ("author", &key),
        ("name", "Ally"),
    ]);
    let r = p.post("/ui/partners", c, &add);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Ally"));
    let listed = json(dir.path(), &["partners", "list"]);
    assert_eq!(listed[0]["name"], "Ally");
    let block = form(&[("csrf", &csrf), ("action", "block"), ("author", &key)]);
    assert_eq!(p.post("/ui/partners", c, &block).status, 422);
    assert_eq!(
        json(dir.path(), &["partners", "list"])[0]["status"],
        "partner"
    );
    // Policy.
    let policy = form(&[
        ("csrf", &csrf),
        ("policy", "partners"),
        ("trust_k", "2"),
        ("quota_per_hour", "30"),
    ]);
    assert_eq!(p.post("/ui/policy", c, &policy).status, 200);
    let now = json(dir.path(), &["partners", "policy"]);
    assert_eq!(
        (now["policy"].as_str(), now["trust_k"].as_u64()),
        (Some("partners"), Some(2))
    );
    // The network page: public network, no peers, the join form; sync says nobody is there.
    let net = p.get("/ui/network", c);
    assert!(net.body.contains("id=\"join\""));
    assert!(
        net.body.contains(
            &json(dir.path(), &["status"])["peer_id"]
                .as_str()
                .expect("peer")
                .to_owned()
        )
    );
    let sync = p.post("/ui/sync", c, &form(&[("csrf", &csrf)]));
    assert_eq!(sync.status, 422);
    // An invite needs a closed network.
    let inv = p.post("/ui/invite", c, &form(&[("csrf", &csrf), ("days", "7")]));
    assert_eq!(inv.status, 422);
    assert!(inv.body.contains("public network"));
    assert_eq!(n.stop().code(), Some(0));
}

/// A multipart body with the fields in order: (name, file name, bytes).
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "wsfTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A request with a binary body; the answer's status, head and body bytes (de-chunked).
fn raw(
    addr: &str,
    line: &str,
    headers: &[String],
    ctype: &str,
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    let mut req = format!("{line} HTTP/1.1\r\nConnection: close\r\n");
    for h in headers {
        req.push_str(h);
        req.push_str("\r\n");
    }
    req.push_str(&format!(
        "Content-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    ));
    s.write_all(req.as_bytes()).expect("write");
    s.write_all(body).expect("write body");
    let mut out = Vec::new();
    s.read_to_end(&mut out).expect("read");
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&out[..split]).to_ascii_lowercase();
    let mut rest = &out[split + 4..];
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status");
    if !head.contains("transfer-encoding: chunked") {
        return (status, head, rest.to_vec());
    }
    let mut body = Vec::new();
    loop {
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size");
        let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..end]).trim(), 16)
            .expect("hex size");
        rest = &rest[end + 2..];
        if size == 0 {
            break;
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
    (status, head, body)
}

#[test]
fn a_bundle_is_downloaded_from_one_page_and_uploaded_to_another() {
    let (a, b) = (fresh(), fresh());
    let na = node(a.path());
    let nb = node(b.path());
    for title in ["First guide", "Second guide"] {
        json(
            a.path(),
            &[
                "publish",
                "resource",
                "--title",
                title,
                "--pillar",
                "education",
            ],
        );
    }
    let (pa, pb) = (Page::of(a.path()), Page::of(b.path()));
    let ca = pa.login(a.path());
    let csrf_a = csrf_of(&pa.get("/ui/carry", std::slice::from_ref(&ca)).body);
    let (status, head, bundle) = raw(
        &pa.addr,
        "POST /ui/export",
        &[pa.host.clone(), ca.clone()],
        "application/x-www-form-urlencoded",
        form(&[("csrf", &csrf_a)]).as_bytes(),
    );
    assert_eq!(status, 200, "{head}");
    assert!(
        head.contains("content-disposition: attachment; filename=\"wsf-"),
        "{head}"
    );
    assert!(bundle.starts_with(b"wsfbndl\x01"), "a bundle");
    let cb = pb.login(b.path());
    let csrf_b = csrf_of(&pb.get("/ui/carry", std::slice::from_ref(&cb)).body);
    // Without the token first, nothing is taken.
    let (ctype, forged) = multipart(&[("bundle", Some("x.wsf"), &bundle)]);
    let (status, _, _) = raw(
        &pb.addr,
        "POST /ui/import",
        &[pb.host.clone(), cb.clone()],
        &ctype,
        &forged,
    );
    assert_eq!(status, 403);
    assert_eq!(json(b.path(), &["list"]).as_array().map(Vec::len), Some(0));
    let (ctype, body) = multipart(&[
        ("csrf", None, csrf_b.as_bytes()),
        ("bundle", Some("from-a.wsf"), &bundle),
    ]);
    let (status, _, page) = raw(
        &pb.addr,
        "POST /ui/import",
        &[pb.host.clone(), cb.clone()],
        &ctype,
        &body,
    );
    // Fluent isolates the numbers it puts into a sentence (U+2068 … U+2069).
    let page = String::from_utf8_lossy(&page).replace(['\u{2068}', '\u{2069}'], "");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("2 records kept"), "{page}");
    assert!(page.contains("from-a.wsf"));
    assert_eq!(json(b.path(), &["list"]).as_array().map(Vec::len), Some(2));
    // A damaged file is refused with a reason and keeps nothing new.
    let (ctype, body) = multipart(&[
        ("csrf", None, csrf_b.as_bytes()),
        ("bundle", Some("junk.wsf"), b"not a bundle at all"),
    ]);
    let (status, _, page) = raw(
        &pb.addr,
        "POST /ui/import",
        &[pb.host.clone(), cb],
        &ctype,
        &body,
    );
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&page));
    let leftovers: Vec<_> = std::fs::read_dir(b.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("upload-"))
        .collect();
    assert!(leftovers.is_empty(), "uploads are removed");
    assert_eq!(na.stop().code(), Some(0));
    assert_eq!(nb.stop().code(), Some(0));
}

#[test]
fn a_node_joins_a_network_from_its_first_run_page_and_restarts_on_it() {
    let (a, b) = (fresh(), fresh());
    common::init(a.path());
    common::wsf(a.path())
        .args(["network", "create", "Coalition"])
        .assert()
        .success();
    let na = node(a.path());
    let code = json(a.path(), &["invite", "create"])["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let network = json(a.path(), &["status"])["network"]
        .as_str()
        .expect("network")
        .to_owned();
    let nb = node(b.path());
    let pb = Page::of(b.path());
    let cb = pb.login(b.path());
    let c = std::slice::from_ref(&cb);
    let home = pb.get("/ui/", c);
    assert!(
        home.body.contains("href=\"/ui/network#join\""),
        "the first-run way in"
    );
    let csrf = csrf_of(&pb.get("/ui/network", c).body);
    let bad = pb.post(
        "/ui/join",
        c,
        &form(&[("csrf", &csrf), ("code", "wsf1-nonsense")]),
    );
    assert_eq!(bad.status, 422);
    let joined = pb.post("/ui/join", c, &form(&[("csrf", &csrf), ("code", &code)]));
    assert_eq!(joined.status, 200, "{}", joined.body);
    assert!(joined.body.contains("Coalition"));
    // The node restarts by itself on the new network, on the same API port, and the page's
    // session still works.
    nb.wait_for("restarting on the new network")
        .expect("a restart");
    nb.wait_for("control API").expect("started again");
    let status = json(b.path(), &["status"]);
    assert_eq!(status["network"], network.as_str());
    let page = pb.get("/ui/network", c);
    assert_eq!(page.status, 200, "the session survived the restart");
    assert!(page.body.contains("Coalition"));
    assert!(!page.body.contains("id=\"join\""), "no second join");
    assert_eq!(json(b.path(), &["partners", "list"])[0]["name"], "inviter");
    // Membership from the page: B sees itself and the founder; A, the admin, names B an admin,
    // changes the key; B leaves.
    let mut page = pb.get("/ui/network", c);
    for _ in 0..100 {
        if page.body.contains("founder") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        page = pb.get("/ui/network", c);
    }
    assert!(page.body.contains("id=\"members\"") && page.body.contains("founder"));
    assert!(
        !page.body.contains("/ui/members/remove"),
        "B is not an admin"
    );
    let b_author = json(b.path(), &["id"])["author"]
        .as_str()
        .expect("author")
        .to_owned();
    let pa = Page::of(a.path());
    let ca = pa.login(a.path());
    let ca = std::slice::from_ref(&ca);
    let page_a = pa.get("/ui/network", ca);
    assert!(page_a.body.contains("/ui/members/remove") && page_a.body.contains(&b_author));
    let csrf_a = csrf_of(&page_a.body);
    let made = pa.post(
        "/ui/members/admin",
        ca,
        &form(&[("csrf", &csrf_a), ("author", &b_author)]),
    );
    assert_eq!(made.status, 200, "{}", made.body);
    assert!(made.body.contains("now an admin"));
    let bad = pa.post(
        "/ui/members/rekey",
        ca,
        &form(&[("csrf", &csrf_a), ("days", "0")]),
    );
    assert_eq!(bad.status, 422);
    let rekeyed = pa.post(
        "/ui/members/rekey",
        ca,
        &form(&[("csrf", &csrf_a), ("days", "1")]),
    );
    assert_eq!(rekeyed.status, 200, "{}", rekeyed.body);
    assert!(rekeyed.body.contains("New key made"));
    let csrf_b = csrf_of(&pb.get("/ui/network", c).body);
    let unconfirmed = pb.post("/ui/members/leave", c, &form(&[("csrf", &csrf_b)]));
    assert_eq!(unconfirmed.status, 422);
    let left = pb.post(
        "/ui/members/leave",
        c,
        &form(&[("csrf", &csrf_b), ("confirm", "leave")]),
    );
    assert_eq!(left.status, 200, "{}", left.body);
    assert!(left.body.contains("left the network"));
    assert_eq!(nb.stop().code(), Some(0));
    assert_eq!(na.stop().code(), Some(0));
}

#[test]
fn the_panic_button_needs_its_confirmation_then_erases_and_stops_the_node() {
    let dir = fresh();
    let mut n = node(dir.path());
    let p = Page::of(dir.path());
    let cookie = p.login(dir.path());
    let c = std::slice::from_ref(&cookie);
    // The network page leads to it, from its content (and its title is text only).
    let network = p.get("/ui/network", c);
    let main = network.body.split("<main").nth(1).expect("main");
    assert!(main.contains("href=\"/ui/panic\""), "{main}");
    let title = network
        .body
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next());
    assert!(title.is_some_and(|t| !t.contains('<')), "{title:?}");
    let page = p.get("/ui/panic", c);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("NOT encrypted"), "a plain dir says so");
    let csrf = csrf_of(&page.body);
    // Without the box and the word: refused, nothing erased.
    let r = p.post(
        "/ui/panic",
        c,
        &form(&[("csrf", &csrf), ("typed", "erase")]),
    );
    assert_eq!(r.status, 422);
    let r = p.post(
        "/ui/panic",
        c,
        &form(&[("csrf", &csrf), ("confirm", "1"), ("typed", "no")]),
    );
    assert_eq!(r.status, 422);
    // Without the CSRF token: refused.
    let r = p.post(
        "/ui/panic",
        c,
        &form(&[("confirm", "1"), ("typed", "erase")]),
    );
    assert_eq!(r.status, 403);
    assert!(dir.path().join("identity.key").exists());
    // Confirmed: the node erases and exits; the browser gets no answer.
    let _ = std::panic::catch_unwind(|| {
        p.post(
            "/ui/panic",
            c,
            &form(&[("csrf", &csrf), ("confirm", "1"), ("typed", "erase")]),
        )
    });
    let status = n.exit();
    assert!(status.success());
    assert!(!dir.path().join("identity.key").exists());
    assert!(!dir.path().join("store.redb").exists());
}

#[test]
fn an_encrypted_bundle_is_imported_from_the_page_with_its_passphrase() {
    let (a, b) = (fresh(), fresh());
    json(
        a.path(),
        &[
            "publish",
            "resource",
            "--title",
            "Sealed guide",
            "--pillar",
            "education",
        ],
    );
    let pass = a.path().join("bundle.pass");
    std::fs::write(&pass, "bundle words here").expect("pass");
    let file = a.path().join("out.wsf");
    common::wsf(a.path())
        .args(["export", "--encrypt", "--bundle-passphrase-file"])
        .arg(&pass)
        .arg(&file)
        .assert()
        .success();
    let bundle = std::fs::read(&file).expect("bundle");
    let nb = node(b.path());
    let pb = Page::of(b.path());
    let cb = pb.login(b.path());
    let csrf = csrf_of(&pb.get("/ui/carry", std::slice::from_ref(&cb)).body);
    let head = [pb.host.clone(), cb.clone()];
    // Without the passphrase: refused, with the reason.
    let (ctype, body) = multipart(&[
        ("csrf", None, csrf.as_bytes()),
        ("bundle", Some("out.wsf"), &bundle),
    ]);
    let (status, _, page) = raw(&pb.addr, "POST /ui/import", &head, &ctype, &body);
    assert_eq!(status, 422);
    assert!(String::from_utf8_lossy(&page).contains("encrypted"));
    // A wrong one: refused, nothing kept.
    let (ctype, body) = multipart(&[
        ("csrf", None, csrf.as_bytes()),
        ("bundle_passphrase", None, b"not these words"),
        ("bundle", Some("out.wsf"), &bundle),
    ]);
    let (status, _, _) = raw(&pb.addr, "POST /ui/import", &head, &ctype, &body);
    assert_eq!(status, 422);
    assert_eq!(json(b.path(), &["list"]).as_array().map(Vec::len), Some(0));
    // The right one: kept.
    let (ctype, body) = multipart(&[
        ("csrf", None, csrf.as_bytes()),
        ("bundle_passphrase", None, b"bundle words here"),
        ("bundle", Some("out.wsf"), &bundle),
    ]);
    let (status, _, page) = raw(&pb.addr, "POST /ui/import", &head, &ctype, &body);
    let page = String::from_utf8_lossy(&page).replace(['\u{2068}', '\u{2069}'], "");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("1 record kept"), "{page}");
    assert_eq!(nb.stop().code(), Some(0));
}

/// An encrypted data dir `<tmp>/d` (its passphrase in `<tmp>/pass`), and a node started on it
/// with no passphrase: it serves only the unlock page.
fn locked_node() -> (
    tempfile::TempDir,
    std::path::PathBuf,
    std::path::PathBuf,
    common::Running,
) {
    let (tmp, dir, pass) = common::encrypted_dir("harbour violet seventeen kites");
    let n = common::locked_node(&dir, &[]);
    (tmp, dir, pass, n)
}

/// The loopback page of a node, from its login link (a locked node has no status to ask).
fn page_of_link(url: &str) -> (Page, String) {
    let rest = url.trim_start_matches("http://");
    let (addr, path) = rest.split_at(rest.find('/').expect("a path"));
    let port: u16 = addr
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    (
        Page {
            addr: addr.to_owned(),
            port,
            host: format!("Host: 127.0.0.1:{port}"),
        },
        path.to_owned(),
    )
}

/// The files of a data dir with their bytes, but those a node rewrites at every start.
fn data_files(dir: &std::path::Path) -> Vec<(std::ffi::OsString, Vec<u8>)> {
    std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| {
            let e = e.expect("entry");
            (e.file_name(), std::fs::read(e.path()).unwrap_or_default())
        })
        .filter(|(name, _)| name != "api.token" && name != "control.sock")
        .collect()
}

/// The `Cookie:` header that a login answer sets.
fn cookie_of(r: &Resp) -> String {
    let set = r
        .head
        .lines()
        .find(|l| l.starts_with("set-cookie:"))
        .expect("a cookie");
    let pair = set
        .trim_start_matches("set-cookie:")
        .trim()
        .split(';')
        .next()
        .expect("pair");
    format!("Cookie: {pair}")
}

#[test]
fn a_locked_node_is_unlocked_on_its_page_and_starts_on_the_same_port() {
    let (_tmp, dir, pass, n) = locked_node();
    // Commands reach the locked node and say what to do; nothing is readable.
    let err = common::fails(&dir, &["list"], 1);
    assert!(err.contains("locked") && err.contains("wsf ui"), "{err}");
    // `wsf ui` gets a login link from it (no passphrase asked: there is no terminal).
    let url = json(&dir, &["ui", "--no-open", "--no-start"])["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let (p, path) = page_of_link(&url);
    let login = p.get(&path, &[]);
    assert_eq!(login.status, 303, "{}", login.head);
    let cookie = cookie_of(&login);
    let c = std::slice::from_ref(&cookie);
    // Every page is the unlock form, without the menu; without a session, a login request.
    assert_eq!(p.get("/ui/", &[]).status, 401);
    let form_page = p.get("/ui/publish", c);
    assert_eq!(form_page.status, 200);
    assert!(
        form_page.body.contains("action=\"/ui/unlock\""),
        "{}",
        form_page.body
    );
    assert!(!form_page.body.contains("href=\"/ui/publish\""));
    assert!(form_page.body.contains("href=\"/ui/panic\""));
    let csrf = csrf_of(&form_page.body);
    let before = data_files(&dir);
    // No CSRF token: refused. A wrong passphrase: said, and nothing changed.
    let r = p.post("/ui/unlock", c, &form(&[("passphrase", "harbour")]));
    assert_eq!(r.status, 403);
    let r = p.post(
        "/ui/unlock",
        c,
        &form(&[("csrf", &csrf), ("passphrase", "harbour violet")]),
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Wrong passphrase"), "{}", r.body);
    assert!(r.body.contains("aria-invalid=\"true\""));
    let after = data_files(&dir);
    assert_eq!(before, after, "a wrong passphrase changed a file");
    // The right one: the answer comes once the node has started on the same port, and sends
    // the browser home; the session carries over.
    let right = std::fs::read_to_string(&pass).expect("pass");
    let r = p.post(
        "/ui/unlock",
        c,
        &form(&[("csrf", &csrf), ("passphrase", right.trim_end())]),
    );
    assert_eq!(r.status, 303, "{}\n{}", r.head, r.body);
    assert!(r.head.contains("location: /ui/"), "{}", r.head);
    let home = p.get("/ui/", c);
    assert_eq!(home.status, 200);
    assert!(home.body.contains("href=\"/ui/publish\""), "the full page");
    assert!(!home.body.contains("action=\"/ui/unlock\""));
    assert_eq!(
        Page::of(&dir).port,
        p.port,
        "the node took the locked page's port over"
    );
    // Commands go through the unlocked node, without a passphrase.
    assert_eq!(
        json(&dir, &["id"])["author"].as_str().map(str::len),
        Some(64)
    );
    assert!(json(&dir, &["list"]).is_array());
    let status = n.stop();
    assert!(status.success());
}

#[test]
fn a_locked_node_can_be_erased_without_its_passphrase() {
    let (_tmp, dir, _pass, mut n) = locked_node();
    let erased = json(&dir, &["panic", "--yes"]);
    assert_eq!(erased["node_stopped"], true);
    assert_eq!(erased["encrypted"], true);
    let status = n.exit();
    assert!(status.success());
    assert!(!dir.join("key.slot").exists());
    assert!(!dir.join("store.redb").exists());
}

#[test]
fn a_locked_start_beside_a_running_node_takes_nothing_over() {
    let (_tmp, dir, pass, n) = locked_node();
    // Unlock it from the command line's side: stop it, start it with the passphrase.
    assert!(n.stop().success());
    let running = common::Running::start(
        &dir,
        &[
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--api-listen",
            "127.0.0.1:0",
        ],
        &[("WSF_PASSPHRASE_FILE", pass.to_str().expect("path"))],
    );
    running.wait_for("control API").expect("the node starts");
    let token = std::fs::read(dir.join("api.token")).expect("token");
    // The systemd unit, say, starting a locked node on the same data dir: refused at once.
    let mut second = common::Running::start(
        &dir,
        &["--unlock-on-page", "--api-listen", "127.0.0.1:0"],
        &[],
    );
    let status = second.child.wait().expect("exits");
    assert!(!status.success());
    // Read to the end of its log (the reader thread may not have caught up with the exit).
    assert!(
        second.wait_for("already running").is_some(),
        "{}",
        second.log_text()
    );
    assert_eq!(std::fs::read(dir.join("api.token")).expect("token"), token);
    assert_eq!(
        json(&dir, &["id"])["author"].as_str().map(str::len),
        Some(64)
    );
    assert!(running.stop().success());
}

#[test]
fn a_start_that_fails_after_the_unlock_is_explained_on_the_page() {
    let (_tmp, dir, _pass) = common::encrypted_dir("quiet meadow lantern nine");
    // Its p2p port is held by another process, so the node cannot start once unlocked.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let listen = format!("/ip4/127.0.0.1/tcp/{port}");
    let mut n = common::locked_node(&dir, &["--listen", &listen]);
    let url = json(&dir, &["ui", "--no-open", "--no-start"])["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let (p, path) = page_of_link(&url);
    let cookie = cookie_of(&p.get(&path, &[]));
    let c = std::slice::from_ref(&cookie);
    let csrf = csrf_of(&p.get("/ui/", c).body);
    let r = p.post(
        "/ui/unlock",
        c,
        &form(&[("csrf", &csrf), ("passphrase", "quiet meadow lantern nine")]),
    );
    assert_eq!(r.status, 500, "{}", r.head);
    assert!(r.body.contains("could not start"), "{}", r.body);
    assert!(r.body.contains("already in use"), "{}", r.body);
    let status = n.exit();
    assert!(!status.success());
    drop(taken);
}
