//! Closed networks, partner trust, and abuse: nodes on 127.0.0.1 in this process.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use libp2p::futures::StreamExt;
use wsf_node::datadir::DataDir;
use wsf_protocol::api::NodeEvent;
use wsf_protocol::invite::Invite;
use wsf_tests::*;

/// A data dir that is the first node of a new closed network.
fn closed_dir(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    wsf_node::network::create(&DataDir::new(dir.path().to_owned()), name).expect("create");
    dir
}

/// A closed network made before membership existed: a key and no membership file. Its nodes
/// record themselves as members when they start (migration), and `wsf1` codes still join it.
fn legacy_closed_dir(name: &str) -> tempfile::TempDir {
    let dir = closed_dir(name);
    std::fs::remove_file(dir.path().join(wsf_node::members::FILE)).expect("made before membership");
    dir
}

/// The `wsf1` invite `node` would have printed before invites were enforced.
fn invite_of(node: &TestNode) -> Invite {
    let data = DataDir::new(node.dir.path().to_owned());
    Invite {
        net: node.node.service.ingest().network(),
        name: "test".into(),
        key: data.network_key().expect("read").expect("closed"),
        bootstrap: vec![node.addr.to_string()],
        inviter: node.node.service.author(),
        expires: 0,
    }
}

async fn joined_dir(invite: &Invite) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let code = invite.encode();
    let decoded = Invite::decode(&code, 0).expect("the code reads back");
    wsf_node::network::join(&DataDir::new(dir.path().to_owned()), &decoded)
        .await
        .expect("join");
    dir
}

/// Two closed networks with different keys: their nodes never connect. A node with the right
/// invite joins and catches up. Both networks predate membership: their nodes record
/// themselves as members (the migration), and a `wsf1` code still joins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_networks_keep_outsiders_out_and_invites_let_partners_in() {
    let x = TestNode::start_in(legacy_closed_dir("one"), &[], &[], None).await;
    let y = TestNode::start_in(legacy_closed_dir("two"), &[], &[], None).await;
    let record = x.publish_quietly("for network one only", "education").await;

    // Y (another key) dials X first; then Z (invited) joins X.
    let refused = y.node.net.dial(x.addr.clone()).await;
    assert!(
        refused.is_err(),
        "a node with another key cannot connect: {refused:?}"
    );
    let invite = invite_of(&x);
    let z = TestNode::start_full(joined_dir(&invite).await, &[], &[], None, None).await;
    assert_eq!(
        z.node.service.ingest().network(),
        x.node.service.ingest().network()
    );
    eventually(|| async { z.has(record.id()).await.then_some(()) }).await;
    let x_peers = x.node.net.peers().await.expect("peers");
    assert_eq!(x_peers.len(), 1, "only Z is connected to X");
    assert_eq!(x_peers[0].peer_id, z.peer_id().to_string());
    assert!(
        y.node.net.peers().await.expect("peers").is_empty(),
        "Y never connected"
    );
    // The inviter is Z's first partner.
    let partners = z.node.service.partners().await.expect("partners");
    assert_eq!(partners[0].0, x.node.service.author());
    // Migration: both organisations recorded themselves; X, first, is the admin; nothing is
    // gated until an admin rekeys.
    eventually(|| async {
        let m = z.node.service.members_info().await.ok()?;
        (m.members.len() == 2).then_some(())
    })
    .await;
    let m = x.node.service.members_info().await.expect("members");
    assert!(!m.gated && m.root.is_none());
    let xm = m
        .members
        .iter()
        .find(|e| e.author == x.node.service.author())
        .expect("x is a member");
    assert!(xm.admin && xm.invited_by.is_none());
    for n in [x, y, z] {
        n.stop().await;
    }
}

/// Copies bytes from `from` to `to`, keeping a copy of each.
async fn pump<R, W>(mut from: R, mut to: W, keep: Arc<Mutex<Vec<u8>>>)
where
    R: tokio::io::AsyncRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 16 * 1024];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 || to.write_all(&buf[..n]).await.is_err() {
            break;
        }
        if let Ok(mut k) = keep.lock() {
            k.extend_from_slice(&buf[..n]);
        }
    }
}

/// Relays TCP connections to `to`, keeping every byte that passes in either direction.
async fn recording_proxy(to: std::net::SocketAddr) -> (std::net::SocketAddr, Arc<Mutex<Vec<u8>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    tokio::spawn(async move {
        while let Ok((inbound, _)) = listener.accept().await {
            let Ok(outbound) = tokio::net::TcpStream::connect(to).await else {
                continue;
            };
            let (ir, iw) = inbound.into_split();
            let (or, ow) = outbound.into_split();
            tokio::spawn(pump(ir, ow, keep.clone()));
            tokio::spawn(pump(or, iw, keep.clone()));
        }
    });
    (addr, seen)
}

fn tcp_port(addr: &libp2p::Multiaddr) -> u16 {
    addr.iter()
        .find_map(|p| match p {
            libp2p::multiaddr::Protocol::Tcp(port) => Some(port),
            _ => None,
        })
        .expect("a tcp address")
}

/// The bytes between two nodes of a closed network show nothing of libp2p or wsf.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_on_the_wire_names_libp2p_or_wsf() {
    let x = TestNode::start_in(legacy_closed_dir("quiet"), &[], &[], None).await;
    let (proxy, seen) = recording_proxy(([127, 0, 0, 1], tcp_port(&x.addr)).into()).await;
    let via: libp2p::Multiaddr = format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", proxy.port(), x.peer_id())
        .parse()
        .expect("multiaddr");
    let mut invite = invite_of(&x);
    invite.bootstrap = vec![via.to_string()];
    let mut z = TestNode::start_full(joined_dir(&invite).await, &[], &[], None, None).await;
    x.wait_mesh("education", 1).await;
    // Gossip and sync both cross the proxy.
    let gossiped = publish(&x, "crossing the wire", "education").await;
    let id = gossiped.id();
    z.wait_for(
        "the record on Z",
        |e| matches!(e, NodeEvent::RecordStored { record, .. } if record.id == id),
    )
    .await;
    let bytes = seen.lock().expect("lock").clone();
    assert!(
        bytes.len() > 1_000,
        "traffic went through the proxy ({} bytes)",
        bytes.len()
    );
    for needle in [
        &b"/multistream"[..],
        b"/noise",
        b"/meshsub",
        b"/yamux",
        b"/ipfs",
        b"wsf",
    ] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{:?} seen on the wire",
            String::from_utf8_lossy(needle)
        );
    }
    x.stop().await;
    z.stop().await;
}

/// An attacker floods node V with 10,000 forged records while 5 honest nodes publish one record
/// a second: V drops the attacker within 10 s, every honest record reaches every honest node,
/// and no invalid record is stored anywhere.
///
/// ```text
///   M ──▶ V(h0) — h1 — h2 — h3 — h4
/// ```
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_invalid_records_is_cut_off_and_honest_traffic_flows() {
    let mut honest: Vec<TestNode> = Vec::new();
    for i in 0..5 {
        let boot: Vec<libp2p::Multiaddr> =
            honest.last().map(|n| n.addr.clone()).into_iter().collect();
        let refs: Vec<&libp2p::Multiaddr> = boot.iter().collect();
        honest.push(TestNode::start_syncing(&["education"], &refs, Duration::from_secs(1)).await);
        let _ = i;
    }
    for n in &honest[1..4] {
        n.wait_mesh("education", 2).await;
    }
    let victim = &honest[0];
    let cpu_before = wsf_node::bench::cpu_seconds();
    let rss_before = wsf_node::bench::rss_mib();

    // M: a plain libp2p gossipsub peer that validates nothing.
    let (mut m, topic) = raw_gossip_peer(victim, "education").await;
    let m_id = m.local_peer_id().to_string();
    let mut events = victim.node.events.subscribe();
    let forged_base = wsf_tests::records(77, 1_767_225_600_000, 1, "education");
    let flood_start = Instant::now();
    let attacker = tokio::spawn(async move {
        let mut sent = 0u32;
        for i in 0..10_000u32 {
            let mut env = forged_base[0].envelope().to_vec();
            let n = env.len();
            env[n - 1 - (i as usize % 60)] ^= (i % 255 + 1) as u8;
            env[n - 61] ^= (i / 255) as u8;
            if m.behaviour_mut().publish(topic.clone(), env).is_ok() {
                sent += 1;
            }
            // Let the swarm write out what it queued.
            if i % 100 == 0 {
                while let Ok(Some(_)) =
                    tokio::time::timeout(Duration::from_millis(1), m.next()).await
                {}
            }
        }
        loop {
            if m.next().await.is_none() {
                break;
            }
            let _ = sent;
        }
    });

    // Honest nodes publish one record a second for 5 seconds, while the flood goes on.
    let mut published = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut disconnected_after = None;
    for round in 0..5 {
        tick.tick().await;
        for (i, n) in honest.iter().enumerate() {
            published.push(
                publish(n, &format!("honest {i} round {round}"), "education")
                    .await
                    .id(),
            );
        }
        while let Ok(e) = events.try_recv() {
            if matches!(&e, NodeEvent::PeerDisconnected { peer } if *peer == m_id)
                && disconnected_after.is_none()
            {
                disconnected_after = Some(flood_start.elapsed());
            }
        }
    }
    let deadline = flood_start + Duration::from_secs(10);
    while disconnected_after.is_none() && Instant::now() < deadline {
        if let Ok(Ok(NodeEvent::PeerDisconnected { peer })) =
            tokio::time::timeout(Duration::from_millis(200), events.recv()).await
            && peer == m_id
        {
            disconnected_after = Some(flood_start.elapsed());
        }
    }
    attacker.abort();
    let cut_off = disconnected_after.expect("the attacker is disconnected within 10 s");
    let cpu = wsf_node::bench::cpu_seconds() - cpu_before;
    let rss = wsf_node::bench::rss_mib();
    for n in &honest {
        eventually(|| async { (n.count().await == published.len() as u64).then_some(()) }).await;
        for id in &published {
            assert!(n.has(*id).await);
        }
    }
    let stats = victim.node.service.ingest().stats().snapshot();
    eprintln!(
        "flood: attacker cut off after {cut_off:?}; victim rejected {:?} signature_invalid, ignored rest; \
         process CPU during the run {cpu:.2} s, RSS {rss_before:.1} → {rss:.1} MiB (6 nodes in one process); \
         honest delivery {}/{} on every node",
        stats.get("signature_invalid"),
        published.len(),
        published.len()
    );
    assert!(cut_off < Duration::from_secs(10));
    for n in honest {
        n.stop().await;
    }
}

/// Policy `partners`: a non-partner's record is not stored; after `partners add` it arrives by
/// sync. A blocked author's records disappear and do not come back by sync or import.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partners_policy_and_blocking() {
    let stranger = TestNode::start(&["education"], &[]).await;
    let v = TestNode::start_syncing(
        &["education"],
        &[&stranger.addr],
        Duration::from_millis(300),
    )
    .await;
    wsf_node::service::set_policy(
        &v.node.service,
        wsf_protocol::api::PolicyInfo {
            policy: "partners".into(),
            trust_k: 2,
            quota_per_hour: 3_600,
        },
    )
    .expect("policy");
    let r1 = stranger
        .publish_quietly("from a stranger", "education")
        .await;
    // Sync runs every 300 ms: wait until V has refused it at least once.
    let mut ev = v.node.events.subscribe();
    loop {
        if let Ok(NodeEvent::SyncFinished { fetched, .. }) = ev.recv().await
            && fetched > 0
        {
            break;
        }
    }
    assert!(!v.has(r1.id()).await, "not a partner: not stored");
    assert!(
        v.node
            .service
            .ingest()
            .stats()
            .snapshot()
            .contains_key("not_partner")
    );

    let author = stranger.node.service.author();
    v.node
        .service
        .set_partner(
            author,
            Some(wsf_node::store::PARTNER),
            Some("now a partner".into()),
        )
        .await
        .expect("add");
    eventually(|| async { v.has(r1.id()).await.then_some(()) }).await;

    // Block: the records go, and stay gone.
    let deleted = v
        .node
        .service
        .set_partner(author, Some(wsf_node::store::BLOCKED), None)
        .await
        .expect("block");
    assert_eq!(deleted, 1);
    assert!(!v.has(r1.id()).await);
    let r2 = stranger
        .publish_quietly("blocked author again", "education")
        .await;
    let mut ev = v.node.events.subscribe();
    let mut syncs = 0;
    while syncs < 2 {
        if let Ok(NodeEvent::SyncFinished { .. }) = ev.recv().await {
            syncs += 1;
        }
    }
    assert!(
        !v.has(r1.id()).await && !v.has(r2.id()).await,
        "sync does not bring them back"
    );
    let outcomes = v
        .node
        .service
        .ingest()
        .accept(vec![r1.envelope().to_vec(), r2.envelope().to_vec()])
        .await
        .expect("accept");
    for o in outcomes {
        assert_eq!(o.code(), "blocked", "import refuses them too");
    }
    stranger.stop().await;
    v.stop().await;
}

/// Invites through the inviting node's door (protocol.md 17.3), in this process:
///
/// ```text
///   X (closed network, door) ◀── recording proxy ◀── Z joins with X's code, then catches up
///   X ◀── W with the same single-use code: used up;  V with a revoked code: revoked
/// ```
/// The exchange carries neither the network key nor a protocol name in clear.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_door_gives_the_key_only_for_an_open_invite() {
    use wsf_protocol::api::InviteRequest;
    use wsf_protocol::invite::DoorInvite;
    let x = TestNode::start_in(closed_dir("door"), &[], &[], None).await;
    let record = x.publish_quietly("behind the door", "education").await;
    let request = |uses| InviteRequest {
        days: Some(1),
        until_ms: None,
        uses: Some(uses),
    };
    let made = wsf_node::invites::create(&x.node.service, &x.node.net, &request(1))
        .await
        .expect("an invite");
    let code = DoorInvite::decode(made.code.as_deref().expect("a code")).expect("decodes");
    let door: libp2p::Multiaddr = code.door[0].parse().expect("a door address");
    let (proxy, seen) = recording_proxy(([127, 0, 0, 1], tcp_port(&door)).into()).await;
    let mut through_proxy = code.clone();
    through_proxy.door = vec![format!("/ip4/127.0.0.1/tcp/{}", proxy.port())];

    let z_dir = tempfile::tempdir().expect("tempdir");
    let joined =
        wsf_node::network::join_with_door(&DataDir::new(z_dir.path().to_owned()), &through_proxy)
            .await
            .expect("joins");
    let key = DataDir::new(x.dir.path().to_owned())
        .network_key()
        .expect("read")
        .expect("closed");
    assert_eq!(joined.key, key, "the door gave the network key");
    let wire = seen.lock().expect("seen").clone();
    assert!(wire.len() > 100, "the proxy saw the exchange");
    for needle in [&key[..], b"wsf", b"libp2p", b"Noise", b"door"] {
        assert!(
            !wire.windows(needle.len()).any(|w| w == needle),
            "{:?} in clear",
            String::from_utf8_lossy(needle)
        );
    }
    // Z starts on the network with the addresses the door gave, and catches up.
    let z = TestNode::start_full(z_dir, &[], &[], None, None).await;
    eventually(|| async { z.has(record.id()).await.then_some(()) }).await;
    let listed = x.node.service.invites().list().expect("list");
    assert_eq!(listed[0].joined.len(), 1);
    assert_eq!(
        listed[0].joined[0].author,
        z.node.service.author().to_string()
    );

    // The same single-use code again: used up; nothing written.
    let w_dir = tempfile::tempdir().expect("tempdir");
    let err = wsf_node::network::join_with_door(&DataDir::new(w_dir.path().to_owned()), &code)
        .await
        .expect_err("used up");
    assert!(err.to_string().contains("used up"), "{err}");
    assert!(!w_dir.path().join("network.key").exists());
    // A revoked one.
    let second = wsf_node::invites::create(&x.node.service, &x.node.net, &request(3))
        .await
        .expect("an invite");
    x.node.service.invites().revoke(&second.id).expect("revoke");
    let revoked = DoorInvite::decode(second.code.as_deref().expect("a code")).expect("decodes");
    let v_dir = tempfile::tempdir().expect("tempdir");
    let err = wsf_node::network::join_with_door(&DataDir::new(v_dir.path().to_owned()), &revoked)
        .await
        .expect_err("revoked");
    assert!(err.to_string().contains("revoked"), "{err}");
    for n in [x, z] {
        n.stop().await;
    }
}

/// Makes an invite on `inviter` and joins a new data dir with it through the door.
async fn join_through_door(inviter: &TestNode) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    join_dir_through_door(inviter, &dir).await;
    dir
}

/// Makes an invite on `inviter` and joins `dir` (new, or a member's stopped node) with it.
async fn join_dir_through_door(inviter: &TestNode, dir: &tempfile::TempDir) {
    let made = wsf_node::invites::create(
        &inviter.node.service,
        &inviter.node.net,
        &wsf_protocol::api::InviteRequest {
            days: Some(1),
            until_ms: None,
            uses: Some(1),
        },
    )
    .await
    .expect("an invite");
    let code = wsf_protocol::invite::DoorInvite::decode(made.code.as_deref().expect("a code"))
        .expect("decodes");
    wsf_node::network::join_with_door(&DataDir::new(dir.path().to_owned()), &code)
        .await
        .expect("joins");
}

fn epoch_of(n: &TestNode) -> u64 {
    let members = n.node.service.members().expect("closed");
    let ring = members.ring();
    let guard = ring.read().expect("ring");
    guard.current.0
}

async fn connected(n: &TestNode, other: &TestNode) -> bool {
    n.node
        .net
        .peers()
        .await
        .expect("peers")
        .iter()
        .any(|p| p.peer_id == other.peer_id().to_string())
}

/// Copies a stopped node's data dir (its node key and its copy of the network key included).
fn copy_dir(from: &std::path::Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            std::fs::copy(entry.path(), to.path().join(entry.file_name())).expect("copy");
        }
    }
    to
}

/// Members are known on every node with who brought them in; a removed member's node is cut off
/// everywhere and cannot come back; after a rekey every remaining member — one of them offline
/// during the rekey and back within the grace period — uses the new key and keeps syncing, and a
/// node holding only the old key cannot connect once the grace period has passed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_are_known_removed_ones_are_cut_off_and_a_rekey_reaches_every_member() {
    let a = TestNode::start_in(closed_dir("members"), &[], &[], None).await;
    let b = TestNode::start_in(join_through_door(&a).await, &[], &[], None).await;
    // C and D are brought in by B, not by the founder.
    let c = TestNode::start_in(join_through_door(&b).await, &[], &[], None).await;
    let d = TestNode::start_in(join_through_door(&b).await, &[], &[], None).await;
    let nodes = [&a, &b, &c, &d];
    let author = |n: &TestNode| n.node.service.author();
    // Every node knows every member, and who invited whom.
    for n in nodes {
        eventually(|| async {
            let m = n.node.service.members_info().await.ok()?;
            (m.members.len() == 4 && m.gated).then_some(())
        })
        .await;
        let m = n.node.service.members_info().await.expect("members");
        let by = |x: &TestNode| {
            m.members
                .iter()
                .find(|e| e.author == author(x))
                .expect("listed")
                .invited_by
        };
        assert_eq!(m.root, Some(author(&a)));
        assert_eq!(by(&a), None);
        assert_eq!(by(&b), Some(author(&a)));
        assert_eq!(by(&c), Some(author(&b)));
        assert_eq!(by(&d), Some(author(&b)));
    }
    // C and D connect to the others by themselves (the door gave them the inviters' addresses,
    // the others' come from dialling B and A).
    for n in [&b, &c, &d] {
        let _ = n.node.net.dial(a.addr.clone()).await;
    }
    let _ = c.node.net.dial(d.addr.clone()).await;
    a.wait_mesh("education", 3).await;
    // Peers show the organisation their node acts for.
    let peers = a
        .node
        .service
        .with_organisations(a.node.net.peers().await.expect("peers"))
        .await
        .expect("organisations");
    let of_b = peers
        .iter()
        .find(|p| p.peer_id == b.peer_id().to_string())
        .expect("b is a peer");
    assert_eq!(of_b.author, Some(author(&b)));
    assert!(of_b.organisation.is_some());
    let first = publish(&a, "before the removal", "education").await;
    for n in nodes {
        eventually(|| async { n.has(first.id()).await.then_some(()) }).await;
    }

    // Only admins remove; B becomes one.
    assert!(
        b.node
            .service
            .remove_member(&author(&c).to_hex())
            .await
            .is_err()
    );
    let st = a
        .node
        .service
        .add_admin(&author(&b).to_hex())
        .await
        .expect("admin");
    a.node.net.publish_statement(st.bytes().to_vec());
    eventually(|| async {
        let m = b.node.service.members_info().await.ok()?;
        m.members.iter().any(|e| e.you && e.admin).then_some(())
    })
    .await;

    // B removes C: every node drops C's connections, and C cannot reconnect.
    assert!(connected(&c, &a).await || connected(&c, &b).await);
    let removed_at = Instant::now();
    let st = b
        .node
        .service
        .remove_member(&author(&c).to_hex())
        .await
        .expect("remove");
    b.node.net.publish_statement(st.bytes().to_vec());
    eventually(|| async {
        for n in [&a, &b, &d] {
            if connected(n, &c).await {
                return None;
            }
        }
        c.node.net.peers().await.ok()?.is_empty().then_some(())
    })
    .await;
    let cut_off = removed_at.elapsed();
    // C tries again: the others refuse the connection as soon as its handshake ends (C's
    // own dial may see it open for that moment), and C stays alone.
    for n in [&a, &b, &d] {
        let _ = c.node.net.dial(n.addr.clone()).await;
        eventually(|| async { c.node.net.peers().await.ok()?.is_empty().then_some(()) }).await;
        assert!(!connected(n, &c).await, "C got back in");
    }
    eprintln!("remove -> removed node cut off everywhere: {cut_off:?}");

    // D goes offline (its data dir kept, and a copy of it that will keep only the old key).
    let d_dir = {
        let TestNode { node, dir, .. } = d;
        node.stop().await.expect("stop");
        dir
    };
    let d_old = copy_dir(d_dir.path());

    // A rekeys with a short grace period.
    let grace = Duration::from_secs(12);
    let rekeyed_at = Instant::now();
    let st = a.node.service.rekey(grace).expect("rekey");
    a.node.net.publish_statement(st.bytes().to_vec());
    eventually(|| async { (epoch_of(&a) == 1 && epoch_of(&b) == 1).then_some(()) }).await;
    let switched = rekeyed_at.elapsed();
    eprintln!("rekey -> every online member on the new key: {switched:?}");
    let grace_ends = tokio::time::Instant::now() + grace;
    assert_eq!(epoch_of(&c), 0, "the removed member got no new key");

    // A publishes while D is away; D comes back within the grace period with the old key,
    // learns the rekey, takes the new key and catches up.
    let during = publish(&a, "during the rekey", "education").await;
    let d = TestNode::start_in(d_dir, &[], &[&a.addr], None).await;
    eventually(|| async { (epoch_of(&d) == 1).then_some(()) }).await;
    eventually(|| async { d.has(during.id()).await.then_some(()) }).await;
    eprintln!(
        "offline member back and on the new key: {:?} after the rekey",
        rekeyed_at.elapsed()
    );
    assert!(
        tokio::time::Instant::now() < grace_ends,
        "the test took longer than the grace period; its conclusions would not hold"
    );

    // After the grace period: connections made now use the new key only.
    tokio::time::sleep_until(grace_ends + Duration::from_millis(200)).await;
    let d_dir = {
        let TestNode { node, dir, .. } = d;
        node.stop().await.expect("stop");
        dir
    };
    // The same member's node, but holding only the old key (its copy from before the rekey).
    let old = TestNode::start_in(d_old, &[], &[], None).await;
    assert_eq!(epoch_of(&old), 0);
    for n in [&a, &b] {
        let refused = old.node.net.dial(n.addr.clone()).await;
        assert!(
            refused.is_err(),
            "a node with only the old key connected: {refused:?}"
        );
    }
    // Invited again, the stale node takes the current key into its data dir and gets back in.
    let TestNode { node, dir, .. } = old;
    node.stop().await.expect("stop");
    join_dir_through_door(&a, &dir).await;
    let back = TestNode::start_in(dir, &[], &[], None).await;
    assert_eq!(epoch_of(&back), 1);
    assert!(back.node.net.dial(a.addr.clone()).await.is_ok());
    eventually(|| async { connected(&a, &back).await.then_some(()) }).await;
    back.stop().await;
    // The remaining members keep syncing on the new key: nothing is lost.
    let d = TestNode::start_in(d_dir, &[], &[&a.addr], None).await;
    let _ = b.node.net.dial(a.addr.clone()).await;
    a.wait_mesh("education", 2).await;
    let after = publish(&b, "after the grace period", "education").await;
    for n in [&a, &d] {
        eventually(|| async { n.has(after.id()).await.then_some(()) }).await;
    }
    for n in [&a, &b, &d] {
        for r in [&first, &during, &after] {
            assert!(n.has(r.id()).await, "a record was lost");
        }
    }
    for n in [a, b, c, d] {
        n.stop().await;
    }
}
