//! The NAT lab: network namespaces on one machine. An "internet" bridge (203.0.113.0/24, a
//! documentation range that exists only inside the namespaces made here) with an anchor on it,
//! and two home routers doing NAT with nftables, each with a laptop behind it. Routers drop
//! unsolicited packets silently, as home routers do. Every namespace and process is removed at
//! the end, whatever the outcome.
//!
//! Needs root (network namespaces) and `nft`; `.ci/run` installs nftables and runs as root.
//! Where namespaces cannot be made, each case says so and returns.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// How the routers translate: `masquerade` (cone-like: the source port is kept when free) or
/// `masquerade fully-random` (symmetric: a new random port per flow).
#[derive(Clone, Copy, Debug)]
enum Nat {
    Cone,
    Symmetric,
}

/// The namespaces of one lab, removed on drop.
struct Lab {
    prefix: String,
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn in_ns(ns: &str, program: &str, args: &[&str], stdin: Option<&str>) -> Result<(), String> {
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", ns, program])
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| e.to_string())?;
    if let Some(text) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .ok_or("stdin")?
            .write_all(text.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{program} in {ns}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl Lab {
    fn ns(&self, name: &str) -> String {
        format!("{}-{name}", self.prefix)
    }

    /// Builds the lab; `Err` when this machine cannot (not root, no namespaces, no nft).
    fn new(case: &str, a: Nat, b: Nat) -> Result<Lab, String> {
        let lab = Lab {
            prefix: format!("wsf{}{case}", std::process::id() % 100_000),
        };
        // The one step allowed to fail (no root, no namespaces): the case is skipped. Any
        // later failure is a broken lab, and fails the test.
        ip(&["netns", "add", &lab.ns("wan")])?;
        if Command::new("nft").arg("--version").output().is_err() {
            return Err("nft is not installed".into());
        }
        // Dropped (the namespaces removed) if building panics.
        lab.build(a, b)
            .unwrap_or_else(|e| panic!("the NAT lab could not be built: {e}"));
        Ok(lab)
    }

    fn build(&self, a: Nat, b: Nat) -> Result<(), String> {
        let lab = self;
        ip(&["-n", &lab.ns("wan"), "link", "set", "lo", "up"])?;
        for n in ["anc", "ra", "rb", "la", "lb"] {
            ip(&["netns", "add", &lab.ns(n)])?;
            ip(&["-n", &lab.ns(n), "link", "set", "lo", "up"])?;
        }
        let wan = lab.ns("wan");
        ip(&["-n", &wan, "link", "add", "br0", "type", "bridge"])?;
        ip(&["-n", &wan, "link", "set", "br0", "up"])?;
        // Hosts on the "internet": the anchor and the routers' outer sides.
        for (n, ifname, addr) in [
            ("anc", "eth0", "203.0.113.10/24"),
            ("ra", "wan0", "203.0.113.1/24"),
            ("rb", "wan0", "203.0.113.2/24"),
        ] {
            let ns = lab.ns(n);
            let peer = format!("w-{n}");
            ip(&[
                "link", "add", ifname, "netns", &ns, "type", "veth", "peer", "name", &peer,
                "netns", &wan,
            ])?;
            ip(&["-n", &wan, "link", "set", &peer, "master", "br0", "up"])?;
            ip(&["-n", &ns, "addr", "add", addr, "dev", ifname])?;
            ip(&["-n", &ns, "link", "set", ifname, "up"])?;
        }
        // Each laptop behind its router.
        for (router, laptop, net, nat) in [("ra", "la", 1, a), ("rb", "lb", 2, b)] {
            let (r, l) = (lab.ns(router), lab.ns(laptop));
            ip(&[
                "link", "add", "lan0", "netns", &r, "type", "veth", "peer", "name", "eth0",
                "netns", &l,
            ])?;
            ip(&[
                "-n",
                &r,
                "addr",
                "add",
                &format!("10.0.{net}.1/24"),
                "dev",
                "lan0",
            ])?;
            ip(&["-n", &r, "link", "set", "lan0", "up"])?;
            ip(&[
                "-n",
                &l,
                "addr",
                "add",
                &format!("10.0.{net}.2/24"),
                "dev",
                "eth0",
            ])?;
            ip(&["-n", &l, "link", "set", "eth0", "up"])?;
            ip(&[
                "-n",
                &l,
                "route",
                "add",
                "default",
                "via",
                &format!("10.0.{net}.1"),
            ])?;
            in_ns(&r, "sysctl", &["-qw", "net.ipv4.ip_forward=1"], None)?;
            let masquerade = match nat {
                Nat::Cone => "masquerade",
                Nat::Symmetric => "masquerade fully-random",
            };
            let rules = format!(
                "table ip nat {{
                   chain post {{ type nat hook postrouting priority srcnat; policy accept;
                                 oifname \"wan0\" {masquerade}; }}
                 }}
                 table inet filt {{
                   chain forward_f {{ type filter hook forward priority 0; policy drop;
                                ct state established,related accept; iifname \"lan0\" accept; }}
                   chain input_f {{ type filter hook input priority 0; policy drop;
                                ct state established,related accept; iifname \"lan0\" accept;
                                iif \"lo\" accept; }}
                 }}"
            );
            in_ns(&r, "nft", &["-f", "-"], Some(&rules))?;
        }
        Ok(())
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for n in ["la", "lb", "ra", "rb", "anc", "wan"] {
            let _ = ip(&["netns", "del", &self.ns(n)]);
        }
    }
}

/// `wsf node ARGS` inside a namespace, its log kept.
fn node_in(lab: &Lab, ns: &str, dir: &Path, args: &[&str]) -> Running {
    let ns = lab.ns(ns);
    let mut all = vec![
        "netns",
        "exec",
        ns.as_str(),
        env!("CARGO_BIN_EXE_wsf"),
        "node",
        "--api-listen",
        "127.0.0.1:7655",
    ];
    all.extend_from_slice(args);
    let n = Running::start_program("ip", &all, dir, &[("RUST_LOG", "info")]);
    if n.wait_for("control API").is_none() {
        panic!("the node in {ns} did not start:\n{}", n.log_text());
    }
    n
}

/// `wsf join CODE` for `dir`, run inside namespace `ns`.
fn join_in(lab: &Lab, ns: &str, code: &str, dir: &Path) {
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            &lab.ns(ns),
            env!("CARGO_BIN_EXE_wsf"),
            "join",
            code,
        ])
        .env("WSF_DATA_DIR", dir)
        .output()
        .expect("join");
    assert!(
        out.status.success(),
        "join from {ns}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The lab's own skip: a clear message, and no failure, where it cannot run.
fn lab_or_skip(case: &str, a: Nat, b: Nat) -> Option<Lab> {
    match Lab::new(case, a, b) {
        Ok(lab) => Some(lab),
        Err(e) => {
            eprintln!(
                "SKIPPED: the NAT lab needs root, network namespaces and nftables ({e}); \
                 `.ci/run` provides them"
            );
            None
        }
    }
}

/// An anchor on the internet and two laptops that joined through its invite. The anchor
/// follows another pillar than the laptops, so what reaches one laptop from the other came
/// from that laptop, not from the anchor's copy.
struct Nodes {
    anchor: Running,
    la: Option<Running>,
    lb: Option<Running>,
    dirs: [tempfile::TempDir; 3],
}

const ANCHOR_ARGS: &[&str] = &[
    "--listen",
    "/ip4/203.0.113.10/tcp/7654",
    "--door-listen",
    "203.0.113.10:7656",
    "--anchor",
    "--external-address",
    "/ip4/203.0.113.10/tcp/7654",
    "--pillar",
    "poverty-hunger",
];

fn prepare(lab: &Lab) -> Nodes {
    let (d_anchor, d_la, d_lb) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    json(d_anchor.path(), &["network", "create", "Lab"]);
    let anchor = node_in(lab, "anc", d_anchor.path(), ANCHOR_ARGS);
    let code = json(d_anchor.path(), &["invite", "create", "--uses", "2"])["code"]
        .as_str()
        .expect("code")
        .to_owned();
    for (ns, dir) in [("la", &d_la), ("lb", &d_lb)] {
        join_in(lab, ns, &code, dir.path());
    }
    Nodes {
        anchor,
        la: None,
        lb: None,
        dirs: [d_anchor, d_la, d_lb],
    }
}

/// A laptop's node, as `wsf node` with no option at all (the default port, the saved
/// settings and address book), as a service would start it.
fn laptop(lab: &Lab, ns: &str, dir: &Path) -> Running {
    let n = Running::start_program(
        "ip",
        &[
            "netns",
            "exec",
            &lab.ns(ns),
            env!("CARGO_BIN_EXE_wsf"),
            "node",
            "--pillar",
            "education",
        ],
        dir,
        &[("RUST_LOG", "info")],
    );
    n.wait_for("control API").expect("the node starts");
    n
}

fn start(lab: &Lab) -> Nodes {
    let mut n = prepare(lab);
    n.la = Some(laptop(lab, "la", n.dirs[1].path()));
    n.lb = Some(laptop(lab, "lb", n.dirs[2].path()));
    n
}

impl Nodes {
    fn stop(self) {
        for r in [self.la, self.lb].into_iter().flatten() {
            r.stop();
        }
        self.anchor.stop();
    }
}

/// Waits until `check` holds, at most `limit` (a generous liveness bound: these machines are
/// loaded); returns how long it took.
fn within(limit: Duration, what: &str, mut check: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    start.elapsed()
}

fn peer_id(dir: &Path) -> String {
    json(dir, &["status"])["peer_id"]
        .as_str()
        .expect("peer id")
        .to_owned()
}

/// The open connections `from` has to the node of `to`: (address, relayed), the one in use
/// first.
fn paths(from: &Path, to: &str) -> Vec<(String, bool)> {
    json(from, &["peers"])
        .as_array()
        .and_then(|peers| peers.iter().find(|p| p["peer_id"] == to).cloned())
        .map(|p| {
            p["addresses"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str())
                        .map(|x| (x.to_owned(), x.contains("p2p-circuit")))
                        .collect()
                })
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

fn has(dir: &Path, id: &str) -> bool {
    json(dir, &["list", "--all", "--limit", "500"])
        .as_array()
        .is_some_and(|l| l.iter().any(|r| r["id"] == id))
}

fn publish(dir: &Path, title: &str) -> String {
    json(
        dir,
        &[
            "publish",
            "resource",
            "--title",
            title,
            "--pillar",
            "education",
        ],
    )["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

fn reach(dir: &Path) -> Value {
    json(dir, &["status"])["reachability"].clone()
}

fn records_held(dir: &Path) -> u64 {
    json(dir, &["status"])["counts"]["records"]
        .as_u64()
        .unwrap_or_default()
}

/// `n` records of one outside author on the lab's network, spread over hours (under the
/// per-hour quota), in a bundle file.
fn bundle_of(dir: &Path, n: usize) -> std::path::PathBuf {
    use wsf_protocol::*;
    let net: NetworkId = json(dir, &["status"])["network"]
        .as_str()
        .expect("network")
        .parse()
        .expect("network id");
    let key = wsf_protocol::ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as u64;
    let start = now - (n as u64) * 2_000 - 60_000;
    let mut w = wsf_node::bundle::Writer::new(
        Vec::new(),
        &wsf_protocol::bundle::Header {
            net,
            created: now,
            pillars: vec![Pillar::new("education").expect("slug")],
        },
    )
    .expect("header");
    for i in 0..n {
        let r = sign(
            &Draft {
                net,
                ts: start + i as u64 * 2_000,
                pillars: vec![Pillar::new("education").expect("slug")],
                content: Content::Resource(Resource {
                    title: format!("Field report {i} on schooling for girls"),
                    resource_type: ResourceType::Report,
                    summary: Some("Attendance, distances and what changed after a year.".into()),
                    body: None,
                    url: None,
                    language: None,
                    license: None,
                }),
                expires: None,
                supersedes: None,
                refs: vec![],
            },
            &key,
        )
        .expect("sign");
        w.push(r.envelope()).expect("push");
    }
    let (bytes, _) = w.finish().expect("finish");
    let path = dir.join("lab.wsfb");
    std::fs::write(&path, bytes).expect("write");
    path
}

/// Both laptops behind cone-like NAT: they meet through the anchor's relay, punch a hole, and
/// the direct connection replaces the relayed one. Then the anchor restarts (the reservations
/// come back by themselves), and a laptop restarts with plain `wsf node` (it finds its peers
/// again from what it saved).
#[test]
fn laptops_behind_cone_nat_end_up_directly_connected() {
    let Some(lab) = lab_or_skip("c", Nat::Cone, Nat::Cone) else {
        return;
    };
    let mut n = start(&lab);
    let (la, lb) = (n.dirs[1].path().to_owned(), n.dirs[2].path().to_owned());
    let lb_id = peer_id(&lb);
    let met = within(Duration::from_secs(90), "the laptops meet", || {
        !paths(&la, &lb_id).is_empty()
    });
    assert!(
        reach(&la)["relayed_connections"].as_u64() >= Some(1)
            || reach(&lb)["relayed_connections"].as_u64() >= Some(1),
        "the first connection went through the relay"
    );
    let direct = within(
        Duration::from_secs(90),
        "a direct connection replaces the relayed one",
        || {
            let p = paths(&la, &lb_id);
            !p.is_empty() && p.iter().all(|(_, relayed)| !relayed)
        },
    );
    let id = publish(&la, "from laptop A behind its router");
    let flowed = within(Duration::from_secs(60), "the record reaches B", || {
        has(&lb, &id)
    });
    let counters = reach(&la);
    eprintln!(
        "cone/cone: met after {met:?}, direct {direct:?} later, a record in {flowed:?}; \
         paths {:?}; counters {counters}",
        paths(&la, &lb_id)
    );
    assert!(
        counters["holepunch_successes"].as_u64() >= Some(1)
            || reach(&lb)["holepunch_successes"].as_u64() >= Some(1),
        "a hole punch succeeded: {counters}"
    );
    assert!(reach(n.dirs[0].path())["circuits_relayed"].as_u64() >= Some(1));

    // A laptop's own invite gives the new member the anchor too (its reservation), not only
    // the laptop's private addresses. Joined from the laptop's own network, where its door is.
    let code = json(&la, &["invite", "create"])["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let third = tempfile::tempdir().expect("tempdir");
    join_in(&lab, "la", &code, third.path());
    let config = std::fs::read_to_string(third.path().join("config.json")).expect("config");
    assert!(
        config.contains("/ip4/203.0.113.10/tcp/7654/p2p/"),
        "{config}"
    );

    // The anchor restarts: each laptop's reservation comes back by itself.
    let accepted = |d: &Path| reach(d)["reservations_accepted"].as_u64().unwrap_or(0);
    let before = (accepted(&la), accepted(&lb));
    n.anchor.stop();
    n.anchor = node_in(&lab, "anc", n.dirs[0].path(), ANCHOR_ARGS);
    let back = within(
        Duration::from_secs(120),
        "reservations come back after the anchor restarts",
        || accepted(&la) > before.0 && accepted(&lb) > before.1,
    );
    eprintln!("anchor restart: reservations back after {back:?}");

    // Laptop B restarts as a service would start it: plain `wsf node`.
    if let Some(r) = n.lb.take() {
        r.stop();
    }
    let la_id = peer_id(&la);
    n.lb = Some(laptop(&lab, "lb", &lb));
    let again = within(Duration::from_secs(120), "B finds A again", || {
        !paths(&lb, &la_id).is_empty()
    });
    let id = publish(&la, "after B restarted");
    let flowed = within(Duration::from_secs(60), "the record reaches B", || {
        has(&lb, &id)
    });
    eprintln!("laptop restart: peers again after {again:?}, a record in {flowed:?}");
    n.stop();
}

/// One laptop behind symmetric NAT: no hole can be punched; records, and a catch-up of 10,000
/// records, flow over the anchor's relay.
#[test]
fn behind_symmetric_nat_records_and_catch_up_flow_over_the_relay() {
    let Some(lab) = lab_or_skip("s", Nat::Cone, Nat::Symmetric) else {
        return;
    };
    let mut n = prepare(&lab);
    let (la, lb) = (n.dirs[1].path().to_owned(), n.dirs[2].path().to_owned());
    n.la = Some(laptop(&lab, "la", &la));
    // A holds 10,000 records B does not have; B starts only then, and catches up over the
    // relay (the anchor does not follow their pillar).
    let file = bundle_of(&la, 10_000);
    let imported = json(&la, &["import", file.to_str().expect("path")]);
    assert_eq!(imported["stored"], 10_000, "{imported}");
    n.lb = Some(laptop(&lab, "lb", &lb));
    let lb_id = peer_id(&lb);
    let met = within(Duration::from_secs(90), "the laptops meet", || {
        !paths(&la, &lb_id).is_empty()
    });
    let caught_up = within(
        Duration::from_secs(300),
        "B catches up over the relay",
        || records_held(&lb) >= 10_000,
    );
    let id = publish(&la, "over the relay");
    let flowed = within(Duration::from_secs(60), "a new record reaches B", || {
        has(&lb, &id)
    });
    let p = paths(&la, &lb_id);
    eprintln!(
        "cone/symmetric: met after {met:?}, 10,000-record catch-up in {caught_up:?}, a record \
         in {flowed:?}; paths {p:?}; counters A {} B {}",
        reach(&la),
        reach(&lb)
    );
    assert!(
        p.iter().all(|(_, relayed)| *relayed),
        "the only path is the relay: {p:?}"
    );
    assert_eq!(
        records_held(n.dirs[0].path()),
        0,
        "the anchor holds none of them"
    );

    // A laptop's invite names the anchor's door before the laptop's private one; the anchor
    // forwards a joiner from another network to the laptop, which nobody outside can reach,
    // and the laptop keeps the use count.
    let made = json(&la, &["invite", "create"]);
    let code = made["code"].as_str().expect("code").to_owned();
    let doors: Vec<&str> = made["door"]
        .as_array()
        .expect("door")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        doors.first(),
        Some(&"/ip4/203.0.113.10/tcp/7656"),
        "the anchor's door comes first: {made}"
    );
    let joiner = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    join_in(&lab, "lb", &code, joiner.path());
    let joined = started.elapsed();
    let config = std::fs::read_to_string(joiner.path().join("config.json")).expect("config");
    assert!(
        config.contains("/ip4/203.0.113.10/tcp/7654/p2p/"),
        "{config}"
    );
    let id = made["id"].as_str().expect("id");
    let listed = json(&la, &["invite", "list"]);
    let entry = listed
        .as_array()
        .expect("list")
        .iter()
        .find(|i| i["id"] == id)
        .expect("the invite is listed");
    assert_eq!(entry["used"], 1, "the laptop counted the use: {entry}");
    // The same single-use code again through the anchor: the laptop says it is used up.
    let second = tempfile::tempdir().expect("tempdir");
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            &lab.ns("lb"),
            env!("CARGO_BIN_EXE_wsf"),
            "join",
            &code,
        ])
        .env("WSF_DATA_DIR", second.path())
        .output()
        .expect("join");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a used-up code joined again");
    assert!(said.contains("used up"), "{said}");
    assert!(!second.path().join("config.json").exists());
    eprintln!("a joiner joined a laptop through the anchor's door in {joined:?}");
    n.stop();
}

/// Ten nodes on the lab's internet (one of them an anchor), cut into two halves by the bridge's
/// rules while both halves publish, withdraw and co-sign; then healed. Every node ends with the
/// same listing, and nothing published is lost.
#[test]
fn a_partition_heals_and_every_node_shows_the_same_records() {
    const N: usize = 10;
    let prefix = format!("wsf{}p", std::process::id() % 100_000);
    let lab = Lab {
        prefix: prefix.clone(),
    };
    if let Err(e) = ip(&["netns", "add", &lab.ns("wan")]) {
        eprintln!("SKIPPED: the NAT lab needs root and network namespaces ({e})");
        return;
    }
    if Command::new("nft").arg("--version").output().is_err() {
        eprintln!("SKIPPED: the NAT lab needs nftables");
        return;
    }
    let wan = lab.ns("wan");
    let build = || -> Result<(), String> {
        ip(&["-n", &wan, "link", "set", "lo", "up"])?;
        ip(&["-n", &wan, "link", "add", "br0", "type", "bridge"])?;
        ip(&["-n", &wan, "link", "set", "br0", "up"])?;
        for i in 0..N {
            let ns = lab.ns(&format!("n{i}"));
            ip(&["netns", "add", &ns])?;
            ip(&["-n", &ns, "link", "set", "lo", "up"])?;
            let peer = format!("w-n{i}");
            ip(&[
                "link", "add", "eth0", "netns", &ns, "type", "veth", "peer", "name", &peer,
                "netns", &wan,
            ])?;
            ip(&["-n", &wan, "link", "set", &peer, "master", "br0", "up"])?;
            ip(&[
                "-n",
                &ns,
                "addr",
                "add",
                &format!("203.0.113.{}/24", 20 + i),
                "dev",
                "eth0",
            ])?;
            ip(&["-n", &ns, "link", "set", "eth0", "up"])?;
        }
        Ok(())
    };
    // Namespaces n0…n9 are removed with the lab.
    struct More(String);
    impl Drop for More {
        fn drop(&mut self) {
            for i in 0..N {
                let _ = ip(&["netns", "del", &format!("{}-n{i}", self.0)]);
            }
        }
    }
    let _more = More(prefix.clone());
    build().unwrap_or_else(|e| panic!("the lab could not be built: {e}"));

    let dirs: Vec<tempfile::TempDir> = (0..N)
        .map(|_| tempfile::tempdir().expect("tempdir"))
        .collect();
    json(dirs[0].path(), &["network", "create", "Partition"]);
    let mut nodes: Vec<Running> = Vec::new();
    nodes.push(node_in(
        &lab,
        "n0",
        dirs[0].path(),
        &[
            "--listen",
            "/ip4/203.0.113.20/tcp/7654",
            "--door-listen",
            "203.0.113.20:7656",
            "--anchor",
            "--external-address",
            "/ip4/203.0.113.20/tcp/7654",
            "--sync-interval",
            "5",
        ],
    ));
    let code = json(dirs[0].path(), &["invite", "create", "--uses", "9"])["code"]
        .as_str()
        .expect("code")
        .to_owned();
    for (i, dir) in dirs.iter().enumerate().skip(1) {
        join_in(&lab, &format!("n{i}"), &code, dir.path());
        nodes.push(node_in(
            &lab,
            &format!("n{i}"),
            dir.path(),
            &["--listen", "/ip4/0.0.0.0/tcp/7654", "--sync-interval", "5"],
        ));
    }
    let peers_of = |d: &Path| json(d, &["peers"]).as_array().map(Vec::len).unwrap_or(0);
    let meshed = within(
        Duration::from_secs(120),
        "every node meets the others",
        || dirs.iter().all(|d| peers_of(d.path()) >= N / 2),
    );

    // The cut: nothing crosses between 203.0.113.20–24 and .25–29.
    let halves = "table bridge cut {
        set a { type ipv4_addr; elements = { 203.0.113.20, 203.0.113.21, 203.0.113.22, 203.0.113.23, 203.0.113.24 } }
        set b { type ipv4_addr; elements = { 203.0.113.25, 203.0.113.26, 203.0.113.27, 203.0.113.28, 203.0.113.29 } }
        chain forward { type filter hook forward priority 0; policy accept;
            ip saddr @a ip daddr @b drop; ip saddr @b ip daddr @a drop; }
    }";
    in_ns(&wan, "nft", &["-f", "-"], Some(halves)).expect("cut");
    let mut published: Vec<String> = Vec::new();
    let mut withdrawn: Vec<String> = Vec::new();
    for (i, d) in dirs.iter().enumerate() {
        for k in 0..3 {
            published.push(publish(
                d.path(),
                &format!("node {i} record {k} during the cut"),
            ));
        }
    }
    // One withdrawal and one co-signature in each half.
    for (i, other) in [(1usize, 2usize), (6, 7)] {
        let own = published[i * 3].clone();
        json(dirs[i].path(), &["retract", &own]);
        withdrawn.push(own);
        let theirs = published[other * 3 + 1].clone();
        within(Duration::from_secs(60), "a record crosses its half", || {
            has(dirs[i].path(), &theirs)
        });
        json(dirs[i].path(), &["endorse", &theirs]);
    }

    // The heal.
    in_ns(&wan, "nft", &["delete", "table", "bridge", "cut"], None).expect("heal");
    let healed = Instant::now();
    let listing = |d: &Path| -> Vec<String> {
        let mut ids: Vec<String> = json(d, &["list", "--all", "--limit", "500"])
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|r| r["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        ids.sort();
        ids
    };
    let same = within(
        Duration::from_secs(120),
        "every listing is the same",
        || {
            let first = listing(dirs[0].path());
            let digest = json(dirs[0].path(), &["status"])["digest"].clone();
            dirs.iter().all(|d| {
                listing(d.path()) == first && json(d.path(), &["status"])["digest"] == digest
            })
        },
    );
    eprintln!(
        "partition of {N} nodes: met in {meshed:?}; every listing identical {same:?} after the \
         heal ({:?} since the heal, checks included)",
        healed.elapsed()
    );
    let last = listing(dirs[9].path());
    for id in &published {
        let expected = !withdrawn.contains(id);
        assert_eq!(
            last.contains(id),
            expected,
            "{id}: published, withdrawn {}",
            !expected
        );
    }
    for n in nodes {
        n.stop();
    }
}
