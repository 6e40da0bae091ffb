//! The web page under `/ui` in a real browser (headless Chromium through chromedriver) against
//! real nodes: publishing and co-signing through the forms, records arriving live, search,
//! Arabic laid out right to left, form errors, refused requests from elsewhere, keyboard-only
//! use, axe-core on every page in English and Arabic, and screenshots of the main pages.

mod common;
#[path = "browser/harness.rs"]
mod harness;

use common::{fresh, node};
use harness::Browser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_link_opens_the_home_page_and_it_passes_axe() {
    let dir = fresh();
    let n = node(dir.path());
    let b = Browser::start(1366, 768).await;
    b.login(dir.path()).await;
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
