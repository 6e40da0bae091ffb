//! The web page under `/ui` in a real browser (headless Chromium through chromedriver) against
//! real nodes: publishing and co-signing through the forms, records arriving live, search,
//! Arabic laid out right to left, form errors, refused requests from elsewhere, keyboard-only
//! use, axe-core on every page in English and Arabic, and screenshots of the main pages.

mod common;
#[path = "browser/harness.rs"]
mod harness;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use common::{Resp, fresh, json, node};
use fantoccini::key::Key;
use harness::{Browser, WAIT};
use serde_json::{Value, json as j};

/// `http://127.0.0.1:PORT`: where the node in `dir` serves its page.
fn origin(dir: &Path) -> String {
    let api = json(dir, &["status"])["api_addr"]
        .as_str()
        .expect("api_addr")
        .to_owned();
    format!("http://{api}")
}

/// Publishes a campaign call with the CLI; returns its id.
fn campaign(dir: &Path, title: &str, call: &str) -> String {
    json(
        dir,
        &[
            "publish",
            "campaign",
            "--title",
            title,
            "--pillar",
            "education",
            "--action",
            "advocacy",
            "--call",
            call,
            "--online",
        ],
    )["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// A data dir holding a campaign call of another organisation (brought on a bundle, as by
/// USB stick), so that its page offers co-signing; returns the dir and the record's id.
fn with_their_record(title: &str) -> (tempfile::TempDir, String) {
    let other = fresh();
    let id = campaign(other.path(), title, "Sign the letter to the ministry");
    let bundle = other.path().join("b.wsf");
    json(other.path(), &["export", bundle.to_str().expect("path")]);
    let dir = fresh();
    json(dir.path(), &["import", bundle.to_str().expect("path")]);
    (dir, id)
}

fn titles(dir: &Path) -> Vec<String> {
    json(dir, &["list"])
        .as_array()
        .expect("list --json is an array")
        .iter()
        .filter_map(|r| r["title"].as_str().map(str::to_owned))
        .collect()
}

/// Waits until the node in `dir` has `pillar` in its gossip mesh with a peer: from then on what
/// it publishes reaches that peer live. The mesh has no event of its own to wait for, so its
/// state is read every 100 ms, for at most [`WAIT`].
async fn wait_mesh(dir: &Path, pillar: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut every = tokio::time::interval(Duration::from_millis(100));
    loop {
        every.tick().await;
        let peers = json(dir, &["peers"]);
        let meshed = peers.as_array().is_some_and(|ps| {
            ps.iter().any(|p| {
                p["mesh"]
                    .as_array()
                    .is_some_and(|m| m.iter().any(|t| t == pillar))
            })
        });
        if meshed {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no mesh on {pillar}: {peers}"
        );
    }
}

/// `wsf watch --json` on a node: its events, line by line.
struct Watch {
    child: Child,
    lines: Receiver<String>,
}

impl Watch {
    /// Returns once the node follows the watch: every event from then on reaches it.
    fn start(dir: &Path) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wsf"))
            .args(["watch", "--json"])
            .env("WSF_DATA_DIR", dir)
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start wsf watch");
        let mut err = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let said = err.next().expect("a line").expect("line");
        assert!(said.contains("watching"), "{said}");
        let out = child.stdout.take().expect("stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watch { child, lines }
    }

    /// Waits for an event that mentions `text`.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(_) => {}
                Err(e) => panic!("no event with {text:?}: {e}"),
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Clicks the element matching `css` (after waiting for it).
async fn click(b: &Browser, css: &str) {
    b.find(css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Clicks the element matching `css` and waits for the new page it leads to (a form's submit
/// button, a link): the old document carries a mark the new one lacks.
async fn submit(b: &Browser, css: &str) {
    b.js("window.wsfOldPage = true", vec![]).await;
    click(b, css).await;
    b.until("window.wsfOldPage === undefined && document.readyState === 'complete'")
        .await;
}

/// Types `text` into the field matching `css`.
async fn fill(b: &Browser, css: &str, text: &str) {
    let field = b.find(css).await;
    field.clear().await.expect("clear");
    field
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// Chooses Arabic in the language menu, as a user would, and waits for the Arabic page.
async fn choose_arabic(b: &Browser) {
    b.find("select#lang")
        .await
        .select_by_value("ar")
        .await
        .expect("choose ar");
    submit(b, "form[action='/ui/lang'] button[type=submit]").await;
    b.find("html[lang='ar']").await;
}

/// An XPath string literal for `s` (which has no `'`).
fn lit(s: &str) -> String {
    assert!(!s.contains('\''), "{s}");
    format!("'{s}'")
}

/// The link to a record in the records table, by its title.
fn row_link(title: &str) -> String {
    format!(
        "//table[contains(@class,'records')]//a[starts-with(@href,'/ui/records/') and normalize-space(.)={}]",
        lit(title)
    )
}

/// A co-signature with `statement`, listed under a "Co-signed by …" heading.
fn cosignature(statement: &str) -> String {
    format!(
        "//h2[starts-with(normalize-space(.),'Co-signed by')]/following-sibling::ul[1]/li[q[normalize-space(.)={}]]",
        lit(statement)
    )
}

/// Waits for the page that says the record is published: a "Published" message, or the new
/// record's own page saying so.
async fn published(b: &Browser, title: &str) {
    b.find_x(&format!(
        "//main[.//h1[normalize-space(.)='Published'] or (.//h1[normalize-space(.)={}] and contains(., 'Published'))]",
        lit(title)
    ))
    .await;
}

/// Fills the campaign form with a good call on `education` and asks for the review.
async fn fill_good_campaign(b: &Browser, title: &str) {
    fill(b, "#title", title).await;
    b.find("select#action")
        .await
        .select_by_value("advocacy")
        .await
        .expect("choose an action");
    fill(b, "#call", "Write to your member of parliament").await;
    fill(b, "#place", "Nairobi").await;
    fill(
        b,
        "#description",
        "Three journalists are held without charge.",
    )
    .await;
    click(b, "#p-education").await;
    submit(b, "main form button[type=submit]").await;
    b.find("button[name=step][value=publish]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_link_opens_the_home_page_and_it_passes_axe() {
    let dir = fresh();
    let n = node(dir.path());
    let b = Browser::start(1366, 768).await;
    b.login(dir.path()).await;
    let size = b
        .js("return [window.innerWidth, window.innerHeight]", vec![])
        .await;
    assert_eq!(size, j!([1366, 768]), "the page is 1366 x 768");
    let h1 = b.find("main h1").await.text().await.expect("h1");
    assert_eq!(h1, "What's new on your pillars");
    let lang = b.js("return document.documentElement.lang", vec![]).await;
    assert_eq!(lang, "en");
    let found = b.axe().await;
    assert!(
        found.is_empty(),
        "axe on the home page:\n{}",
        found.join("\n")
    );
    // axe does see a fault when there is one: an image without a text alternative.
    b.js(
        "const i = document.createElement('img'); i.src = '/ui/static/none.png'; \
         document.querySelector('main').append(i)",
        vec![],
    )
    .await;
    let planted = b.axe().await;
    assert!(
        planted.iter().any(|v| v.contains("image-alt")),
        "{planted:?}"
    );
    b.close().await;
    assert_eq!(n.stop().code(), Some(0));
}

/// Two organisations, each with its node and its browser: a campaign call published through
/// the form on A appears on B's open home page without a reload; B co-signs it with a
/// statement; A's record page then lists the co-signature.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_published_in_the_browser_arrives_live_at_a_partner_who_cosigns_it() {
    let a = fresh();
    let b = fresh();
    let na = node(a.path());
    let nb = node(b.path());
    let addr = json(a.path(), &["status"])["listen_addrs"][0]
        .as_str()
        .expect("addr")
        .to_owned();
    json(b.path(), &["dial", &addr]);
    wait_mesh(a.path(), "education").await;

    let ba = Browser::start(1366, 768).await;
    let bb = Browser::start(1366, 768).await;
    ba.login(a.path()).await;
    bb.login(b.path()).await;
    // B's home page stays open; a mark in its window tells whether it was reloaded.
    bb.find("tbody#rows").await;
    let live = bb.find("#live").await;
    assert_eq!(
        live.attr("aria-live").await.expect("attr").as_deref(),
        Some("polite")
    );
    bb.js("window.wsfSameDocument = true", vec![]).await;

    let title = "Free the journalists of Lake Town";
    ba.goto(&format!("{}/ui/publish?kind=campaign", origin(a.path())))
        .await;
    fill_good_campaign(&ba, title).await;
    let review = ba.find("main").await.text().await.expect("review text");
    for shown in [title, "Write to your member of parliament", "Nairobi"] {
        assert!(review.contains(shown), "the review shows {shown}: {review}");
    }
    assert!(titles(a.path()).is_empty(), "nothing is signed before");
    submit(&ba, "button[name=step][value=publish]").await;
    published(&ba, title).await;
    assert_eq!(titles(a.path()), [title]);

    let link = bb.find_x(&row_link(title)).await;
    assert_eq!(
        bb.js("return window.wsfSameDocument === true", vec![])
            .await,
        Value::Bool(true),
        "the row arrived without a reload"
    );
    let watch_a = Watch::start(a.path());
    link.click().await.expect("open the record");
    let h1 = bb.find("main h1").await.text().await.expect("h1");
    assert_eq!(h1, title);
    let statement = "We stand with the journalists";
    fill(
        &bb,
        "form[action$='/endorse'] textarea#statement",
        statement,
    )
    .await;
    submit(&bb, "form[action$='/endorse'] button[type=submit]").await;
    bb.find_x(&cosignature(statement)).await;

    // The co-signature reaches A; its record page lists it.
    watch_a.wait_for(statement);
    let record = bb.c.current_url().await.expect("url");
    ba.goto(&format!("{}{}", origin(a.path()), record.path()))
        .await;
    ba.find_x(&cosignature(statement)).await;

    ba.close().await;
    bb.close().await;
    assert_eq!(nb.stop().code(), Some(0));
    assert_eq!(na.stop().code(), Some(0));
}

/// A record found by a word of its Arabic text, on the Arabic page, laid out right to left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_an_arabic_word_and_the_arabic_page_runs_right_to_left() {
    let dir = fresh();
    let title = "تعليم البنات في المخيمات";
    campaign(
        dir.path(),
        title,
        "اكتبوا إلى وزارة التربية قبل نهاية الشهر",
    );
    campaign(dir.path(), "Unrelated call", "Nothing to find here");
    let n = node(dir.path());
    let b = Browser::start(1366, 768).await;
    b.login(dir.path()).await;
    choose_arabic(&b).await;
    let dir_attr = b.js("return document.documentElement.dir", vec![]).await;
    assert_eq!(dir_attr, "rtl");
    let nav = b
        .js(
            "return getComputedStyle(document.querySelector('header nav')).direction",
            vec![],
        )
        .await;
    assert_eq!(nav, "rtl");
    // The brand, first in the nav, sits at the right-hand end.
    let right = b
        .js(
            "const r = document.querySelector('header nav a').getBoundingClientRect(); \
             return r.left > window.innerWidth / 2",
            vec![],
        )
        .await;
    assert_eq!(
        right,
        Value::Bool(true),
        "the first nav link is on the right"
    );

    b.goto(&format!("{}/ui/search", origin(dir.path()))).await;
    let q = b.find("input#q[type=search]").await;
    q.send_keys("المخيمات").await.expect("type the word");
    submit(&b, "main form button[type=submit]").await;
    b.find_x(&row_link(title)).await;
    let links = b
        .js(
            "return [...document.querySelectorAll('table.records a[href^=\"/ui/records/\"]')].map(a => a.textContent.trim())",
            vec![],
        )
        .await;
    assert_eq!(links, j!([title]), "exactly the matching record");
    assert_eq!(
        b.js("return document.documentElement.dir", vec![]).await,
        "rtl"
    );
    b.close().await;
    assert_eq!(n.stop().code(), Some(0));
}

/// Bad input comes back as the same form with the problem next to its field, marked invalid,
/// what was typed kept, and nothing stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_with_bad_input_shows_the_error_by_the_field_and_stores_nothing() {
    let dir = fresh();
    let n = node(dir.path());
    let b = Browser::start(1366, 768).await;
    b.login(dir.path()).await;
    b.goto(&format!("{}/ui/publish", origin(dir.path()))).await;
    // No title and no pillar.
    fill(&b, "#call", "Write to your member of parliament").await;
    submit(&b, "main form button[type=submit]").await;
    b.find("#pillars-error").await;
    assert_eq!(b.status().await, 422);
    let inside = b
        .js(
            "return document.getElementById('pillars-error').closest('fieldset') !== null",
            vec![],
        )
        .await;
    assert_eq!(
        inside,
        Value::Bool(true),
        "the pillar error is by the pillars"
    );
    assert_eq!(
        b.find("#call").await.prop("value").await.expect("value"),
        Some("Write to your member of parliament".into()),
        "what was typed is kept"
    );
    // A pillar now, still no title.
    click(&b, "#p-education").await;
    submit(&b, "main form button[type=submit]").await;
    let error = b.find("#title-error").await;
    assert_eq!(b.status().await, 422);
    assert!(!error.text().await.expect("text").trim().is_empty());
    let title = b.find("#title").await;
    assert_eq!(
        title.attr("aria-invalid").await.expect("attr").as_deref(),
        Some("true")
    );
    let described = title
        .attr("aria-describedby")
        .await
        .expect("attr")
        .unwrap_or_default();
    assert!(
        described.split_whitespace().any(|id| id == "title-error"),
        "{described}"
    );
    let next_to = b
        .js(
            "return document.getElementById('title-error').parentElement === \
             document.getElementById('title').parentElement",
            vec![],
        )
        .await;
    assert_eq!(next_to, Value::Bool(true), "the error sits by the field");
    assert!(titles(dir.path()).is_empty(), "nothing stored");
    b.find("#title")
        .await
        .click()
        .await
        .expect("focus the title");
    b.screenshot("en-publish-title-error").await;
    b.close().await;
    assert_eq!(n.stop().code(), Some(0));
}

/// Answers every request on `listener` with `page` (a site of another origin).
async fn serve(listener: tokio::net::TcpListener, page: String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    loop {
        let Ok((mut s, _)) = listener.accept().await else {
            return;
        };
        let page = page.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 8192];
            let mut got = Vec::new();
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(k) => got.extend_from_slice(&buf[..k]),
                }
            }
            let resp = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = s.write_all(resp.as_bytes()).await;
        });
    }
}

fn form_request(addr: &str, headers: &[String], body: &str) -> Resp {
    common::http_with(
        addr,
        "POST /ui/publish",
        headers,
        "application/x-www-form-urlencoded",
        body,
    )
}

/// A page of another origin cannot publish through the browser's session, and raw requests
/// with a foreign `Origin`, a cross-site `Sec-Fetch-Site`, a foreign `Host` or no CSRF token
/// are refused; the same request from the page itself goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_from_elsewhere_or_without_the_token_are_refused() {
    let dir = fresh();
    let n = node(dir.path());
    let own = origin(dir.path());
    let addr = own.trim_start_matches("http://").to_owned();
    let port = addr.rsplit(':').next().expect("port").to_owned();
    let b = Browser::start(1366, 768).await;
    b.login(dir.path()).await;

    // Another site on this machine (same host, another port) submits a form to the node as
    // soon as it is opened, in the browser that is logged in.
    let fields =
        "step=publish&title=Forged+call&action=advocacy&call=Forged&online=1&pillar=education";
    let inputs: String = fields
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("k=v");
            format!(
                "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
                v.replace('+', " ")
            )
        })
        .collect();
    let evil = format!(
        "<!doctype html><html lang=\"en\"><head><title>Elsewhere</title></head><body>\
         <form method=\"post\" action=\"{own}/ui/publish\"><input type=\"hidden\" name=\"csrf\" value=\"00\">{inputs}</form>\
         <script>document.forms[0].submit()</script></body></html>"
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let evil_url = format!("http://{}/", listener.local_addr().expect("addr"));
    tokio::spawn(serve(listener, evil));
    b.goto(&evil_url).await;
    b.until(&format!("location.href === '{own}/ui/publish'"))
        .await;
    b.find("body").await;
    assert_eq!(b.status().await, 403, "{}", b.here().await);
    assert!(titles(dir.path()).is_empty(), "nothing published");

    // Raw requests carrying the browser's real session cookie and CSRF token.
    b.goto(&format!("{own}/ui/publish")).await;
    let csrf = b
        .find("main input[name=csrf]")
        .await
        .prop("value")
        .await
        .expect("value")
        .expect("a token");
    let session =
        b.c.get_named_cookie(&format!("wsf_session_{port}"))
            .await
            .expect("the session cookie");
    let cookie = format!("Cookie: {}={}", session.name(), session.value());
    let host = format!("Host: 127.0.0.1:{port}");
    let good = format!("csrf={csrf}&{fields}").replace("Forged+call", "Own+call");
    let same = [
        host.clone(),
        cookie.clone(),
        "Sec-Fetch-Site: same-origin".to_owned(),
        format!("Origin: {own}"),
    ];
    let with = |extra: &[&str]| {
        let mut h = vec![host.clone(), cookie.clone()];
        h.extend(extra.iter().map(|s| (*s).to_owned()));
        h
    };
    let foreign = form_request(&addr, &with(&["Origin: http://evil.example"]), &good);
    assert_eq!(foreign.status, 403, "foreign Origin: {}", foreign.body);
    let cross = form_request(&addr, &with(&["Sec-Fetch-Site: cross-site"]), &good);
    assert_eq!(cross.status, 403, "cross-site: {}", cross.body);
    let no_token = good.replace(&format!("csrf={csrf}&"), "");
    let r = form_request(&addr, &same, &no_token);
    assert_eq!(r.status, 403, "no token: {}", r.body);
    let mut rebound = same.to_vec();
    rebound[0] = format!("Host: evil.example:{port}");
    let r = form_request(&addr, &rebound, &good);
    assert_eq!(r.status, 421, "foreign Host: {}", r.body);
    assert!(titles(dir.path()).is_empty(), "nothing published");
    // The same request from the page's own origin is accepted: the refusals were theirs.
    let r = form_request(&addr, &same, &good);
    assert!(matches!(r.status, 200 | 303), "{} {}", r.status, r.body);
    assert_eq!(titles(dir.path()), ["Own call"]);
    b.close().await;
    assert_eq!(n.stop().code(), Some(0));
}

/// Checks the page the browser shows: its status, what axe-core finds; keeps a screenshot
/// `{lang}-{name}`. Returns the problems.
async fn visit(b: &Browser, lang: &str, name: &str, status: u64) -> Vec<String> {
    b.find("main").await;
    let mut problems = Vec::new();
    let got = b.status().await;
    if got != status {
        problems.push(format!("{lang} {name}: status {got}, expected {status}"));
    }
    for v in b.axe().await {
        problems.push(format!("{lang} {name}: {v}"));
    }
    b.screenshot(&format!("{lang}-{name}")).await;
    problems
}

/// Visits every page in the browser's current language (see [`visit`]); ends logged out.
async fn tour(b: &Browser, dir: &Path, theirs: &str, lang: &str) -> Vec<String> {
    let own = origin(dir);
    let mut problems = Vec::new();
    for (name, path) in [
        ("home", "/ui/".to_owned()),
        ("record", format!("/ui/records/{theirs}")),
        ("publish", "/ui/publish".to_owned()),
        ("search", "/ui/search?q=journalists".to_owned()),
        ("partners", "/ui/partners".to_owned()),
        ("network", "/ui/network".to_owned()),
        ("carry", "/ui/carry".to_owned()),
    ] {
        b.goto(&format!("{own}{path}")).await;
        problems.extend(visit(b, lang, name, 200).await);
    }
    b.goto(&format!("{own}/ui/publish")).await;
    submit(b, "main form button[type=submit]").await;
    b.find(".error").await;
    problems.extend(visit(b, lang, "publish-errors", 422).await);
    b.goto(&format!("{own}/ui/publish")).await;
    fill_good_campaign(b, "Free the journalists of Lake Town").await;
    problems.extend(visit(b, lang, "review", 200).await);
    // Logged out: the page that asks to log in.
    submit(b, "form[action='/ui/logout'] button[type=submit]").await;
    problems.extend(visit(b, lang, "login-needed", 401).await);
    problems
}

/// axe-core finds no serious or critical violation on any page, in English and in Arabic; a
/// screenshot of each is kept (`$WSF_SCREENSHOTS`, or `screenshots/` in cargo's tmp dir).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_passes_axe_in_english_and_arabic() {
    let (dir, theirs) = with_their_record("Free the journalists of Hill Town");
    campaign(
        dir.path(),
        "تعليم البنات في المخيمات",
        "اكتبوا إلى وزارة التربية",
    );
    let n = node(dir.path());
    let b = Browser::start(1366, 768).await;
    b.login(dir.path()).await;
    let mut problems = tour(&b, dir.path(), &theirs, "en").await;
    b.login(dir.path()).await;
    choose_arabic(&b).await;
    problems.extend(tour(&b, dir.path(), &theirs, "ar").await);
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    b.close().await;
    assert_eq!(n.stop().code(), Some(0));
}

/// At 320 CSS pixels wide (WCAG reflow) the main pages need no sideways scrolling, in English
/// and in Arabic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_320_pixels_wide_nothing_scrolls_sideways() {
    let (dir, theirs) = with_their_record("Free the journalists of Hill Town");
    let n = node(dir.path());
    let b = Browser::phone(320, 800).await;
    b.login(dir.path()).await;
    let width = b.js("return window.innerWidth", vec![]).await;
    assert_eq!(width, 320, "the page is laid out for the phone's width");
    let own = origin(dir.path());
    let mut wide = Vec::new();
    for lang in ["en", "ar"] {
        if lang == "ar" {
            choose_arabic(&b).await;
        }
        for (name, path) in [
            ("home", "/ui/".to_owned()),
            ("record", format!("/ui/records/{theirs}")),
            ("publish", "/ui/publish".to_owned()),
        ] {
            b.goto(&format!("{own}{path}")).await;
            b.find("main").await;
            let fits = b
                .js(
                    "return document.documentElement.scrollWidth <= window.innerWidth",
                    vec![],
                )
                .await;
            if fits != Value::Bool(true) {
                wide.push(format!("{lang} {name}"));
            }
            b.screenshot(&format!("{lang}-{name}-320")).await;
        }
    }
    assert!(wide.is_empty(), "wider than 320 px: {wide:?}");
    b.close().await;
    assert_eq!(n.stop().code(), Some(0));
}

/// Publishing and co-signing with the keyboard alone: Tab to move, type into the focused
/// field, Space to tick, Enter to follow a link or press a button.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_is_published_and_cosigned_with_the_keyboard_alone() {
    let (dir, theirs) = with_their_record("Their call for schools");
    let n = node(dir.path());
    let b = Browser::start(1366, 768).await;
    b.login(dir.path()).await;

    b.tab_to("header a[href='/ui/publish']", 15).await;
    b.press(Key::Enter).await;
    b.find("#title").await;
    b.tab_to("#title", 20).await;
    let title = "Keyboard call for clean water";
    b.type_text(title).await;
    b.tab_to("#call", 5).await;
    b.type_text("Sign the petition").await;
    b.tab_to("#p-poverty-hunger", 20).await;
    b.press(Key::Space).await;
    assert_eq!(
        b.find("#p-poverty-hunger")
            .await
            .prop("checked")
            .await
            .expect("prop")
            .as_deref(),
        Some("true")
    );
    b.tab_to("main form button[type=submit]", 10).await;
    b.press(Key::Enter).await;
    b.find("button[name=step][value=publish]").await;
    b.tab_to("button[name=step][value=publish]", 15).await;
    b.press(Key::Enter).await;
    published(&b, title).await;

    b.tab_to("header a[href='/ui/']:not(.brand)", 15).await;
    b.press(Key::Enter).await;
    b.find("table.records").await;
    b.tab_to(&format!("main a[href='/ui/records/{theirs}']"), 30)
        .await;
    b.press(Key::Enter).await;
    b.find("textarea#statement").await;
    b.tab_to("textarea#statement", 40).await;
    let statement = "We join this call";
    b.type_text(statement).await;
    b.tab_to("form[action$='/endorse'] button[type=submit]", 5)
        .await;
    b.press(Key::Enter).await;
    b.find_x(&cosignature(statement)).await;

    let listed = json(dir.path(), &["list"]);
    let ours = listed
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["title"] == title)
        .unwrap_or_else(|| panic!("{title} is stored: {listed}"));
    assert_eq!(ours["pillars"], j!(["poverty-hunger"]));
    let shown = json(dir.path(), &["show", &theirs]);
    assert_eq!(shown["cosigners"][0]["statement"], statement, "{shown}");
    b.close().await;
    assert_eq!(n.stop().code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_uploaded_from_the_page_shows_its_progress_and_what_was_kept() {
    let theirs = fresh();
    common::init(theirs.path());
    for title in ["Guide one", "Guide two", "Guide three"] {
        json(
            theirs.path(),
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
    let bundle = theirs.path().join("out.wsf");
    common::wsf(theirs.path())
        .args(["export", bundle.to_str().expect("path")])
        .assert()
        .success();
    let dir = fresh();
    let _node = node(dir.path());
    let b = Browser::start(1366, 768).await;
    b.login(dir.path()).await;
    b.goto(&format!("{}/ui/carry", origin(dir.path()))).await;
    b.find("#bundle")
        .await
        .send_keys(bundle.to_str().expect("path"))
        .await
        .expect("choose the file");
    // With script, htmx sends the form and swaps only the result in: the page stays (its mark
    // survives), the progress bar reaches 100 %.
    b.js("window.wsfOldPage = true", vec![]).await;
    click(&b, "#import-form button[type=submit]").await;
    b.find_x("//div[@id='import-result']//h2[starts-with(normalize-space(.),'Imported')]")
        .await;
    assert_eq!(
        b.js("return window.wsfOldPage === true", vec![]).await,
        Value::Bool(true),
        "swapped in place, no new page"
    );
    let shown = b
        .js(
            "return document.getElementById('import-result').textContent",
            vec![],
        )
        .await;
    let shown = shown
        .as_str()
        .unwrap_or_default()
        .replace(['\u{2068}', '\u{2069}'], "");
    assert!(shown.contains("3 records kept"), "{shown}");
    assert_eq!(
        b.js(
            "return document.getElementById('upload-progress').value",
            vec![]
        )
        .await
        .as_f64(),
        Some(100.0)
    );
    assert_eq!(titles(dir.path()).len(), 3);
    // A file that is no bundle: the refusal is swapped in too (a 422 is shown, not dropped).
    let junk = dir.path().join("junk.wsf");
    std::fs::write(&junk, b"not a bundle").expect("write junk");
    b.find("#bundle")
        .await
        .send_keys(junk.to_str().expect("path"))
        .await
        .expect("choose the junk file");
    click(&b, "#import-form button[type=submit]").await;
    b.find("#import-result p.error").await;
    assert_eq!(titles(dir.path()).len(), 3, "nothing more kept");
    b.screenshot("en-carry-imported").await;
    b.close().await;
}

/// An encrypted node started without its passphrase, as the desktop menu starts it: the
/// browser logs in to its unlock page, which passes axe; a wrong passphrase is said next to the
/// field; the right one lands on the home page of the unlocked node, in the same session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_node_is_unlocked_in_the_browser() {
    let (_tmp, dir, _pass) = common::encrypted_dir("lantern copper orchard river");
    let n = common::locked_node(&dir, &[]);
    let b = Browser::start(1366, 768).await;
    b.login(&dir).await;
    let h1 = b.find("main h1").await.text().await.expect("h1");
    assert_eq!(h1, "Unlock this node");
    let found = b.axe().await;
    assert!(
        found.is_empty(),
        "axe on the unlock page:\n{}",
        found.join("\n")
    );
    fill(&b, "#passphrase", "lantern copper").await;
    submit(&b, "main form button[type=submit]").await;
    let error = b.find("#unlock-error").await.text().await.expect("error");
    assert!(error.contains("Wrong passphrase"), "{error}");
    let invalid = b
        .js(
            "return document.querySelector('#passphrase').getAttribute('aria-describedby')",
            vec![],
        )
        .await;
    assert_eq!(invalid, j!("unlock-error"));
    b.screenshot("unlock").await;
    fill(&b, "#passphrase", "lantern copper orchard river").await;
    submit(&b, "main form button[type=submit]").await;
    let h1 = b.find("main h1").await.text().await.expect("h1");
    assert_eq!(h1, "What's new on your pillars");
    b.find("a[href='/ui/publish']").await;
    b.close().await;
    assert_eq!(n.stop().code(), Some(0));
}
