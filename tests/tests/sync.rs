//! Catch-up sync between real nodes on 127.0.0.1: whatever a node missed, it ends with exactly
//! the records of its pillars.

use std::time::Duration;

use wsf_tests::*;

/// Sync interval in these tests: short, so that convergence after a heal is quick.
const EVERY: Duration = Duration::from_millis(500);

/// A publishes 500 records over three pillars while C is offline; C, subscribed to two of them,
/// connects and ends with all records of its pillars and none of the third, within 10 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_node_catches_up_its_pillars_only() {
    let a = TestNode::start(&[], &[]).await;
    let pillars = ["education", "womens-rights", "poverty-hunger"];
    let mut per_pillar = [0u64; 3];
    for i in 0..500 {
        let p = i % 3;
        a.publish_quietly(&format!("record {i}"), pillars[p]).await;
        per_pillar[p] += 1;
    }
    let started = std::time::Instant::now();
    let c = TestNode::start(&["education", "womens-rights"], &[&a.addr]).await;
    let want = per_pillar[0] + per_pillar[1];
    eventually(|| async { (c.count().await == want).then_some(()) }).await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "caught up in {:?}",
        started.elapsed()
    );
    // Nothing of the pillar C does not follow.
    let q = wsf_protocol::api::ListRequest {
        pillars: vec![wsf_protocol::Pillar::new("poverty-hunger").expect("slug")],
        limit: Some(10),
        ..Default::default()
    };
    assert!(c.node.service.list(q).await.expect("list").items.is_empty());
    a.stop().await;
    c.stop().await;
}

/// Six nodes in two halves of three (lines 0–1–2 and 3–4–5) publish apart; after the halves are
/// joined (2 dials 3), all six hold the same records.
///
/// ```text
///   0 — 1 — 2    ×    3 — 4 — 5      then     0 — 1 — 2 — 3 — 4 — 5
/// ```
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healed_partition_converges() {
    let n0 = TestNode::start_syncing(&[], &[], EVERY).await;
    let n1 = TestNode::start_syncing(&[], &[&n0.addr], EVERY).await;
    let n2 = TestNode::start_syncing(&[], &[&n1.addr], EVERY).await;
    let n3 = TestNode::start_syncing(&[], &[], EVERY).await;
    let n4 = TestNode::start_syncing(&[], &[&n3.addr], EVERY).await;
    let n5 = TestNode::start_syncing(&[], &[&n4.addr], EVERY).await;
    let nodes = [n0, n1, n2, n3, n4, n5];
    for (i, n) in nodes.iter().enumerate() {
        for j in 0..20 {
            let pillar = if j % 2 == 0 {
                "education"
            } else {
                "gender-equality"
            };
            publish(n, &format!("node {i} record {j}"), pillar).await;
        }
    }
    nodes[2]
        .node
        .net
        .dial(nodes[3].addr.clone())
        .await
        .expect("heal");
    let total = 6 * 20;
    for n in &nodes {
        eventually(|| async { (n.count().await == total).then_some(()) }).await;
    }
    let digest = nodes[0].digest().await;
    for n in &nodes[1..] {
        assert_eq!(n.digest().await, digest, "identical record sets");
    }
    for n in nodes {
        n.stop().await;
    }
}

/// 1,000 records published at once on one node of a 10-node network reach every node (gossip,
/// then sync for what gossip dropped) within 20 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_reaches_every_node() {
    let mut nodes: Vec<TestNode> = Vec::new();
    for i in 0..10usize {
        let boot: Vec<libp2p::Multiaddr> = nodes
            .iter()
            .skip(i.saturating_sub(2))
            .map(|n| n.addr.clone())
            .collect();
        let refs: Vec<&libp2p::Multiaddr> = boot.iter().collect();
        nodes.push(TestNode::start_syncing(&["education"], &refs, Duration::from_secs(2)).await);
    }
    nodes[0].wait_mesh("education", 1).await;
    let started = std::time::Instant::now();
    for i in 0..1_000 {
        publish(&nodes[0], &format!("burst {i}"), "education").await;
    }
    for n in &nodes {
        eventually(|| async { (n.count().await == 1_000).then_some(()) }).await;
    }
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "complete in {:?}",
        started.elapsed()
    );
    for n in nodes {
        n.stop().await;
    }
}

/// A retraction made while B was offline wins over the copy B still holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retraction_made_while_offline_wins() {
    let a = TestNode::start(&[], &[]).await;
    let mut b = TestNode::start(&[], &[&a.addr]).await;
    a.wait_mesh("education", 1).await;
    let record = publish(&a, "to be withdrawn", "education").await;
    let id = record.id();
    b.wait_for("the record on B", |e| {
        matches!(e, wsf_protocol::api::NodeEvent::RecordStored { record, .. } if record.id == id)
    })
    .await;
    let b_dir = b.stop().await;
    a.node
        .service
        .retract(wsf_protocol::api::RetractRequest {
            target: id.to_string(),
            reason: None,
        })
        .await
        .expect("retract");
    assert!(!a.has(id).await);
    let b = TestNode::start_in(b_dir, &[], &[&a.addr], None).await;
    eventually(|| async { (!b.has(id).await).then_some(()) }).await;
    // And it does not come back: both sides agree.
    eventually(|| async { (a.digest().await == b.digest().await).then_some(()) }).await;
    assert!(!b.has(id).await);
    a.stop().await;
    b.stop().await;
}
