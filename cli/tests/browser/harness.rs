//! A real browser for the page's tests: chromedriver (own process group, so Chromium goes with
//! it) driving a headless Chromium with a fresh profile, through fantoccini over plain HTTP.
//! Every wait is a WebDriver wait for an element or a condition, with a timeout.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// How long any wait for the page lasts before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// axe-core, injected into the page under test (`cli/tests/vendor`, unchanged upstream).
const AXE: &str = include_str!("../vendor/axe-4.14.1.min.js");

/// The WCAG levels axe checks.
const AXE_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

fn program(env: &str, default: &str) -> PathBuf {
    std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

/// A chromedriver process on a port it picked itself; killed, with every browser it started,
/// when dropped.
#[derive(Debug)]
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Driver {
        let exe = program("WSF_CHROMEDRIVER", "/usr/bin/chromedriver");
        let mut child = Command::new(&exe)
            .arg("--port=0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {}: {e} (the browser tests need the Debian packages chromium \
                     and chromium-driver; see docs/web.md)",
                    exe.display()
                )
            });
        let mut lines = BufReader::new(child.stdout.take().expect("chromedriver stdout")).lines();
        // "ChromeDriver was started successfully on port 37605." — it listens from then on.
        let port = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| {
                l.split_once("started successfully on port ")
                    .map(|(_, p)| p.trim_end_matches('.').trim().to_owned())
            })
            .expect("chromedriver says on which port it listens");
        std::thread::spawn(move || for _ in lines {});
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = rustix::process::Pid::from_child(&self.child);
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One headless Chromium session with its own profile.
#[derive(Debug)]
pub struct Browser {
    pub c: Client,
    // Dropped after the client: the driver first, then the profile it used.
    _driver: Driver,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A browser whose window is `width` x `height` CSS pixels, asking for English pages.
    pub async fn start(width: u32, height: u32) -> Browser {
        Browser::launch(width, height, None).await
    }

    /// A phone-sized browser: its viewport is `width` x `height` CSS pixels (windows cannot be
    /// made that narrow), with the page's `<meta name="viewport">` applied.
    pub async fn phone(width: u32, height: u32) -> Browser {
        let metrics = json!({
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 1.0, "touch": false},
        });
        Browser::launch(500, height, Some(metrics)).await
    }

    async fn launch(width: u32, height: u32, mobile: Option<Value>) -> Browser {
        let driver = Driver::start();
        let profile = tempfile::tempdir().expect("profile dir");
        let chromium = program("WSF_CHROMIUM", "/usr/bin/chromium");
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--lang=en".into(),
            "--hide-scrollbars".into(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
                "prefs": {"intl.accept_languages": "en"},
            },
        });
        let phone = mobile.is_some();
        if let Some(m) = mobile {
            caps["goog:chromeOptions"]["mobileEmulation"] = m;
        }
        let Value::Object(caps) = caps else {
            unreachable!("a JSON object")
        };
        let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .expect("a Chromium session from chromedriver");
        let b = Browser {
            c,
            _driver: driver,
            _profile: profile,
        };
        if !phone {
            // The window's frame takes some of its height: grow it until the page itself is
            // `width` x `height`.
            let inner = b.js("return window.innerHeight", vec![]).await;
            let inner = u32::try_from(inner.as_u64().expect("innerHeight")).expect("height");
            let outer = height + height.saturating_sub(inner);
            b.c.set_window_size(width, outer)
                .await
                .expect("window size");
        }
        b
    }

    /// Ends the session (Chromium exits) before the driver is killed.
    pub async fn close(self) {
        let Browser {
            c,
            _driver,
            _profile,
        } = self;
        c.close().await.expect("close the session");
    }

    /// Opens a fresh `wsf ui` link of the node in `dir`: the page sets the session cookie and
    /// sends the browser home.
    pub async fn login(&self, dir: &Path) {
        let url = crate::common::json(dir, &["ui", "--no-open"])["url"]
            .as_str()
            .expect("the login link")
            .to_owned();
        self.c.goto(&url).await.expect("open the login link");
        let home = url
            .split_once("/ui/login")
            .map(|(origin, _)| format!("{origin}/ui/"))
            .expect("a /ui/login link");
        self.c
            .wait()
            .at_most(WAIT)
            .for_url(&home.parse().expect("home url"))
            .await
            .expect("the login link leads home");
        self.find("main").await;
    }

    pub async fn goto(&self, url: &str) {
        self.c
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// Waits for an element matching `css`.
    pub async fn find(&self, css: &str) -> Element {
        let found = self
            .c
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(e) => e,
            Err(e) => panic!("no `{css}` on {}: {e}", self.here().await),
        }
    }

    /// Waits for an element matching an XPath expression.
    pub async fn find_x(&self, xpath: &str) -> Element {
        let found = self
            .c
            .wait()
            .at_most(WAIT)
            .for_element(Locator::XPath(xpath))
            .await;
        match found {
            Ok(e) => e,
            Err(e) => panic!("no `{xpath}` on {}: {e}", self.here().await),
        }
    }

    /// Waits until the JavaScript expression `cond` is true in the page, checking as often as
    /// fantoccini's own waits do; fails after [`WAIT`].
    pub async fn until(&self, cond: &str) {
        let script = format!("return !!({cond})");
        let deadline = tokio::time::Instant::now() + WAIT;
        let mut every = tokio::time::interval(Duration::from_millis(100));
        loop {
            every.tick().await;
            // A navigation in progress may make the script fail; that is "not yet".
            if self.c.execute(&script, vec![]).await.ok() == Some(Value::Bool(true)) {
                return;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("`{cond}` never held on {}", self.here().await);
            }
        }
    }

    /// Where the browser is and what the page says (for failure messages).
    pub async fn here(&self) -> String {
        let url = self
            .c
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        let text = self
            .js(
                "return document.body ? document.body.innerText : ''",
                vec![],
            )
            .await;
        let text: String = text
            .as_str()
            .unwrap_or_default()
            .chars()
            .take(400)
            .collect();
        format!("{url} ({text})")
    }

    /// Runs `script` in the page and gives back what it returned.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.c
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script {script}: {e}"))
    }

    /// The HTTP status of the page the browser shows (Navigation Timing).
    pub async fn status(&self) -> u64 {
        self.js(
            "return performance.getEntriesByType('navigation')[0].responseStatus",
            vec![],
        )
        .await
        .as_u64()
        .expect("a status")
    }

    /// Presses and releases `key` on the keyboard (whatever has the focus gets it).
    pub async fn press(&self, key: fantoccini::key::Key) {
        self.keys(&[char::from(key)]).await;
    }

    /// Types `text` on the keyboard, one key after the other, into whatever has the focus.
    pub async fn type_text(&self, text: &str) {
        let chars: Vec<char> = text.chars().collect();
        self.keys(&chars).await;
    }

    async fn keys(&self, keys: &[char]) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut seq = KeyActions::new("keyboard".into());
        for &k in keys {
            seq = seq
                .then(KeyAction::Down { value: k })
                .then(KeyAction::Up { value: k });
        }
        self.c.perform_actions(seq).await.expect("key presses");
    }

    /// Presses Tab until the focused element matches `css` (at most `limit` times), as a
    /// keyboard user moves through the page.
    pub async fn tab_to(&self, css: &str, limit: usize) {
        let test = "return document.activeElement !== null && document.activeElement.matches(arguments[0])";
        for _ in 0..limit {
            if self.js(test, vec![json!(css)]).await == Value::Bool(true) {
                return;
            }
            self.press(fantoccini::key::Key::Tab).await;
        }
        let at = self
            .js(
                "const e = document.activeElement; return e ? e.outerHTML.slice(0, 200) : ''",
                vec![],
            )
            .await;
        panic!(
            "Tab never reached `{css}` in {limit} presses (focus on {at}) on {}",
            self.here().await
        );
    }

    /// Runs axe-core on the page and returns its serious and critical violations, each with
    /// the rule, its help text and the elements concerned.
    pub async fn axe(&self) -> Vec<String> {
        self.js(AXE, vec![]).await;
        let found = self
            .c
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})
                   .then(r => done(r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' — ' +
                          v.nodes.map(n => n.target.join(' ')).join(', '))))
                   .catch(e => done(['axe failed: ' + e]));",
                vec![json!(AXE_TAGS)],
            )
            .await
            .expect("axe runs");
        found
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    }

    /// Saves a PNG of the window as `name.png` in the screenshot folder and checks it is one.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.c.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}: not a PNG");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write the screenshot");
        path
    }
}

/// `$WSF_SCREENSHOTS`, or `screenshots/` in cargo's temporary folder for integration tests.
pub fn screenshot_dir() -> PathBuf {
    std::env::var_os("WSF_SCREENSHOTS").map_or_else(
        || Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots"),
        PathBuf::from,
    )
}
