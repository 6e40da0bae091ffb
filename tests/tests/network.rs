//! Multi-node tests: real nodes in this process on 127.0.0.1 (ports picked by the system),
//! talking libp2p to each other. Every wait is for an event or a condition, with a timeout.

use libp2p::futures::StreamExt;
use wsf_protocol::api::NodeEvent;
use wsf_tests::*;

fn stored(id: wsf_protocol::RecordId) -> impl Fn(&NodeEvent) -> bool {
    move |e| matches!(e, NodeEvent::RecordStored { record, .. } if record.id == id)
}

/// A — B — C in a line: a record published on A is stored on C, and C's copy verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_crosses_a_line_of_three_nodes() {
    let a = TestNode::start(&[], &[]).await;
    let b = TestNode::start(&[], &[&a.addr]).await;
    let mut c = TestNode::start(&[], &[&b.addr]).await;
    b.wait_mesh("education", 2).await;
    let record = publish(&a, "Community schools guide", "education").await;
    c.wait_for("the record on C", stored(record.id())).await;
    let envelope = c
        .node
        .service
        .store()
        .read({
            let id = record.id();
            move |t| wsf_node::store::envelope(t, &id)
        })
        .await
        .expect("read")
        .expect("held on C");
    let copy = wsf_protocol::verify(&envelope).expect("C's copy verifies");
    assert_eq!(copy, record);
    for n in [a, b, c] {
        n.stop().await;
    }
}

/// A node subscribed only to `education` stores education records and never others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_stores_only_its_pillars() {
    let a = TestNode::start(&[], &[]).await;
    let mut d = TestNode::start(&["education"], &[&a.addr]).await;
    a.wait_mesh("education", 1).await;
    let other = publish(&a, "Not for D", "womens-rights").await;
    let wanted = publish(&a, "For D", "education").await;
    d.wait_for("the education record on D", stored(wanted.id()))
        .await;
    assert!(
        !d.has(other.id()).await,
        "D is not subscribed to womens-rights"
    );
    let peers = a.node.net.peers().await.expect("peers");
    assert_eq!(peers[0].topics, vec!["education".to_string()]);
    a.stop().await;
    d.stop().await;
}

/// A misbehaving peer M, connected to B only, injects forged records on a pillar topic:
///
/// ```text
///   M ──▶ B ── C          (A publishes honest records on B's other side)
///         │
///         A
/// ```
/// B rejects them (not stored), never forwards them (C never sees one), M's score drops and B
/// disconnects it; honest records still flow to C.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_records_are_rejected_not_forwarded_and_cost_the_sender() {
    let a = TestNode::start(&[], &[]).await;
    let mut b = TestNode::start(&[], &[&a.addr]).await;
    let mut c = TestNode::start(&[], &[&b.addr]).await;
    b.wait_mesh("education", 2).await;

    // M: a plain libp2p gossipsub peer that validates nothing.
    let (mut m, topic) = raw_gossip_peer(&b, "education").await;
    let m_id = *m.local_peer_id();
    let good = wsf_tests::records(40, 1_767_225_600_000, 3, "education");
    for (i, r) in good.iter().enumerate() {
        let mut forged = r.envelope().to_vec();
        let n = forged.len();
        forged[n - 1 - i] ^= 0x01;
        m.behaviour_mut()
            .publish(topic.clone(), forged)
            .expect("M publishes");
    }
    // Drive M while B judges; B rejects, penalises and finally disconnects it.
    let drive = tokio::spawn(async move {
        loop {
            let _ = m.select_next_some().await;
        }
    });
    for _ in 0..2 {
        b.wait_for("B rejects a forgery", |e| {
            matches!(e, NodeEvent::RecordRejected { reason, peer, .. }
                if reason == "signature_invalid" && peer.as_deref() == Some(&m_id.to_string()))
        })
        .await;
    }
    b.wait_for(
        "B drops M",
        |e| matches!(e, NodeEvent::PeerDisconnected { peer } if *peer == m_id.to_string()),
    )
    .await;
    drive.abort();

    // Honest traffic still reaches C, and C never saw a forgery.
    let honest = publish(&a, "Honest record", "education").await;
    c.wait_for("the honest record on C", stored(honest.id()))
        .await;
    let stats = c.node.service.ingest().stats().snapshot();
    assert!(
        !stats.contains_key("signature_invalid"),
        "C received a forged record: {stats:?}"
    );
    for r in &good {
        assert!(!b.has(r.id()).await && !c.has(r.id()).await);
    }
    let b_stats = b.node.service.ingest().stats().snapshot();
    assert!(b_stats.get("signature_invalid").copied().unwrap_or(0) >= 2);
    for n in [a, b, c] {
        n.stop().await;
    }
}

/// A node that restarts reconnects to its bootstrap peer, and a node whose bootstrap peer
/// restarts reconnects to it by itself (redial with backoff).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_reconnect_after_a_restart() {
    let mut a = TestNode::start(&[], &[]).await;
    let a_addr = a.addr.clone();
    let b = TestNode::start(&[], &[&a_addr]).await;
    let b_id = b.peer_id().to_string();
    a.wait_for(
        "B connects",
        |e| matches!(e, NodeEvent::PeerConnected { peer, .. } if *peer == b_id),
    )
    .await;

    // B restarts with the same data dir: same peer id, connects again.
    let b_dir = b.stop().await;
    let b = TestNode::start_in(b_dir, &[], &[&a_addr], None).await;
    assert_eq!(b.peer_id().to_string(), b_id, "the node key persists");
    a.wait_for(
        "B reconnects after its restart",
        |e| matches!(e, NodeEvent::PeerConnected { peer, .. } if *peer == b_id),
    )
    .await;

    // A restarts on the same port: B redials it without being told.
    let port = a_addr
        .iter()
        .find_map(|p| match p {
            libp2p::multiaddr::Protocol::Tcp(port) => Some(port),
            _ => None,
        })
        .expect("tcp port");
    let a_dir = a.stop().await;
    let mut a = TestNode::start_in(a_dir, &[], &[], Some(port)).await;
    a.wait_for(
        "B redials A",
        |e| matches!(e, NodeEvent::PeerConnected { peer, .. } if *peer == b_id),
    )
    .await;
    a.stop().await;
    b.stop().await;
}
