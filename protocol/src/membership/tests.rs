use proptest::prelude::*;

use super::*;

const NET: NetworkId = NetworkId([3; 16]);

fn key(i: u8) -> SigningKey {
    SigningKey::from_bytes(&[i; 32])
}

fn author(i: u8) -> AuthorId {
    AuthorId::from(&key(i).verifying_key())
}

fn node(i: u8) -> Vec<u8> {
    vec![0xa0, i]
}

fn say(by: u8, at: u64, act: Act) -> Statement {
    Statement::sign(
        Body {
            net: NET,
            by: author(by),
            at,
            act,
        },
        &key(by),
    )
}

fn welcome(by: u8, at: u64, who: u8) -> Statement {
    say(
        by,
        at,
        Act::Welcome {
            member: author(who),
            name: format!("org {who}"),
            nodes: vec![node(who)],
        },
    )
}

fn found(at: u64) -> Statement {
    say(
        1,
        at,
        Act::Found {
            nodes: vec![node(1)],
        },
    )
}

#[test]
fn statements_round_trip_and_refuse_tampering() {
    let acts = [
        Act::Found {
            nodes: vec![node(1)],
        },
        Act::Legacy {
            nodes: vec![node(1), node(2)],
        },
        Act::Welcome {
            member: author(2),
            name: "Girls Learn".into(),
            nodes: vec![node(2)],
        },
        Act::Admin { member: author(2) },
        Act::Remove { member: author(2) },
        Act::Rekey {
            epoch: 1,
            until: 99,
            keys: vec![(author(2), [9; BOX_LEN])],
        },
    ];
    for act in acts {
        let s = say(1, 5, act);
        let back = Statement::decode(s.bytes(), &NET).unwrap();
        assert_eq!(back, s);
        assert_eq!(
            Statement::decode(s.bytes(), &NetworkId([4; 16])),
            Err(MemberError::WrongNetwork)
        );
        // Any flipped bit of the signature or the body is refused.
        for i in [s.bytes().len() - 1, 12] {
            let mut bad = s.bytes().to_vec();
            bad[i] ^= 1;
            assert!(Statement::decode(&bad, &NET).is_err());
        }
    }
    // A record-style signature over the same body is not a statement signature.
    let s = found(5);
    let body = s.body().encode();
    let sig = key(1).sign(&crate::record::signed_message(&body));
    let forged = cbor::encode_owned(Value::Array(vec![
        Value::Bytes(body),
        Value::Bytes(sig.to_bytes().to_vec()),
    ]));
    assert_eq!(
        Statement::decode(&forged, &NET),
        Err(MemberError::BadSignature)
    );
    assert_eq!(
        Statement::decode(&vec![0u8; MAX_STATEMENT + 1], &NET),
        Err(MemberError::TooLarge)
    );
}

#[test]
fn members_are_welcomed_made_admins_and_removed() {
    let root = author(1);
    let log = [
        found(10),
        welcome(1, 20, 2),
        welcome(2, 30, 3),
        // Not an admin: void.
        say(3, 35, Act::Remove { member: author(2) }),
        say(1, 40, Act::Admin { member: author(2) }),
        say(2, 50, Act::Remove { member: author(3) }),
    ];
    let s = State::derive(Some(&root), &log);
    assert_eq!(s.applied, 5);
    assert_eq!(
        s.members.keys().copied().collect::<Vec<_>>(),
        [author(1), author(2)]
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );
    assert_eq!(s.members[&author(2)].invited_by, Some(root));
    assert!(s.members[&author(2)].admin);
    assert!(s.allows(&node(2)) && !s.allows(&node(3)));
    assert_eq!(s.removed[&author(3)].by, author(2));
    assert!(s.gates(Some(&root)));
    // A founding statement by anyone but the root counts for nothing.
    let s = State::derive(Some(&author(2)), &log);
    assert!(s.members.is_empty() && !s.gates(Some(&author(2))));
}

#[test]
fn a_member_leaves_and_cannot_act_afterwards() {
    let root = author(1);
    let log = [
        found(10),
        welcome(1, 20, 2),
        say(2, 30, Act::Remove { member: author(2) }),
        welcome(2, 40, 3),
    ];
    let s = State::derive(Some(&root), &log);
    assert!(s.removed[&author(2)].left);
    assert!(!s.members.contains_key(&author(3)));
}

#[test]
fn concurrent_removals_resolve_by_the_order_of_at_and_id() {
    let root = author(1);
    let mut log = vec![
        found(10),
        welcome(1, 20, 2),
        say(1, 21, Act::Admin { member: author(2) }),
    ];
    // Admins 1 and 2 remove each other at the same millisecond: the statement with the smaller
    // id is applied first, and the other one's signer is no longer an admin.
    let a = say(1, 50, Act::Remove { member: author(2) });
    let b = say(2, 50, Act::Remove { member: author(1) });
    let first_wins = if a.id() < b.id() {
        author(1)
    } else {
        author(2)
    };
    log.push(a);
    log.push(b);
    let s = State::derive(Some(&root), &log);
    assert_eq!(
        s.members.keys().copied().collect::<Vec<_>>(),
        vec![first_wins]
    );
}

#[test]
fn legacy_networks_gate_only_after_their_first_rekey() {
    let log = [
        say(
            4,
            10,
            Act::Legacy {
                nodes: vec![node(4)],
            },
        ),
        say(
            5,
            11,
            Act::Legacy {
                nodes: vec![node(5)],
            },
        ),
    ];
    let s = State::derive(None, &log);
    assert_eq!(s.members.len(), 2);
    assert!(s.members[&author(4)].admin && !s.members[&author(5)].admin);
    assert!(!s.gates(None));
    let mut log = log.to_vec();
    log.push(say(
        4,
        20,
        Act::Rekey {
            epoch: 1,
            until: 30,
            keys: vec![],
        },
    ));
    // After the rekey, a late legacy claim counts for nothing.
    log.push(say(
        6,
        21,
        Act::Legacy {
            nodes: vec![node(6)],
        },
    ));
    let s = State::derive(None, &log);
    assert!(s.gates(None));
    assert!(!s.members.contains_key(&author(6)));
    // A network with a root takes no legacy claims at all.
    assert!(State::derive(Some(&author(1)), &log).members.is_empty());
}

#[test]
fn a_rekey_is_sealed_to_current_members_only() {
    let root = author(1);
    let new_key = [0x77; 32];
    let keys: Vec<(AuthorId, [u8; BOX_LEN])> = [1u8, 2, 3]
        .iter()
        .map(|&i| {
            (
                author(i),
                seal_key(&NET, 1, &author(i), &new_key, &[i + 40; 32]).unwrap(),
            )
        })
        .collect();
    let log = [
        found(10),
        welcome(1, 20, 2),
        welcome(1, 21, 3),
        say(1, 30, Act::Remove { member: author(3) }),
        say(
            1,
            40,
            Act::Rekey {
                epoch: 1,
                until: 1_000,
                keys,
            },
        ),
        // A second rekey must name the next epoch.
        say(
            1,
            50,
            Act::Rekey {
                epoch: 3,
                until: 1_000,
                keys: vec![],
            },
        ),
    ];
    let s = State::derive(Some(&root), &log);
    assert_eq!((s.epoch, s.previous_until), (1, 1_000));
    assert_eq!(s.boxes.len(), 2);
    assert!(!s.boxes.contains_key(&author(3)));
    let opened = open_key(&NET, 1, &key(2), &s.boxes[&author(2)]).unwrap();
    assert_eq!(*opened, new_key);
    // Another member's key, another epoch or another network does not open it.
    assert!(open_key(&NET, 1, &key(3), &s.boxes[&author(2)]).is_err());
    assert!(open_key(&NET, 2, &key(2), &s.boxes[&author(2)]).is_err());
    assert!(open_key(&NetworkId([9; 16]), 1, &key(2), &s.boxes[&author(2)]).is_err());
}

#[test]
fn key_tags_differ_by_key_and_salt() {
    let a = key_tag(&[1; 32], &[0; 16]);
    assert_ne!(a, key_tag(&[2; 32], &[0; 16]));
    assert_ne!(a, key_tag(&[1; 32], &[1; 16]));
    assert_eq!(a, key_tag(&[1; 32], &[0; 16]));
}

/// Section 17 vectors: printed by `cargo test -p wsf-protocol membership -- --nocapture` and
/// checked here.
#[test]
fn protocol_vector() {
    let s = say(
        1,
        1_760_000_000_000,
        Act::Welcome {
            member: author(2),
            name: "Girls Learn International".into(),
            nodes: vec![vec![0, 36, 8, 1, 18, 32, 9, 9]],
        },
    );
    let hex = crate::hex::encode(s.bytes());
    println!("welcome statement: {hex}");
    println!("welcome id: {}", crate::hex::encode(&s.id()));
    let sealed = seal_key(&NET, 1, &author(2), &[0xee; 32], &[0x11; 32]).unwrap();
    println!("sealed key: {}", crate::hex::encode(&sealed));
    println!(
        "key tag: {}",
        crate::hex::encode(&key_tag(&[0xee; 32], &[0x42; 16]))
    );
    assert_eq!(
        crate::hex::encode(&s.id()),
        include_str!("vector_id.txt").trim()
    );
    assert_eq!(
        crate::hex::encode(&sealed),
        include_str!("vector_box.txt").trim()
    );
}

/// A generated history: signers and members from a pool of five authors (1 is the root), acts of
/// every kind, times from a small range so that ties are common.
fn arb_statement() -> impl Strategy<Value = Statement> {
    (1u8..=5, 0u64..40, 0u8..6, 1u8..=5).prop_map(|(by, at, kind, who)| {
        let act = match kind {
            0 => Act::Found {
                nodes: vec![node(by)],
            },
            1 => Act::Welcome {
                member: author(who),
                name: String::new(),
                nodes: vec![node(who)],
            },
            2 => Act::Admin {
                member: author(who),
            },
            3 => Act::Remove {
                member: author(who),
            },
            4 => Act::Remove { member: author(by) },
            _ => Act::Rekey {
                epoch: u64::from(who % 3),
                until: at + 10,
                keys: vec![],
            },
        };
        say(by, at, act)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// What a node derives is a function of the set of statements: any order of arrival, any
    /// duplicates, any split of the set between nodes that then merge, gives the same state.
    #[test]
    fn the_state_is_a_function_of_the_set(
        log in proptest::collection::vec(arb_statement(), 1..40),
        seed in any::<u64>(),
    ) {
        let root = author(1);
        let expected = State::derive(Some(&root), &log);
        // Another order, with duplicates.
        let mut shuffled: Vec<Statement> = log.iter().chain(log.iter().take(5)).cloned().collect();
        let mut r = seed | 1;
        for i in (1..shuffled.len()).rev() {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            shuffled.swap(i, (r % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(&State::derive(Some(&root), &shuffled), &expected);
        // Three nodes each hold a part, then exchange everything.
        let parts: Vec<Vec<Statement>> = (0..3)
            .map(|n| shuffled.iter().enumerate().filter(|(i, _)| i % 3 == n).map(|(_, s)| s.clone()).collect())
            .collect();
        let mut merged: Vec<Statement> = Vec::new();
        for p in parts.iter().rev() {
            merged.extend(p.iter().cloned());
        }
        prop_assert_eq!(&State::derive(Some(&root), &merged), &expected);
        // Whatever the history, nobody the state lists was removed, and the nodes it allows
        // all belong to listed members.
        for a in expected.removed.keys() {
            prop_assert!(!expected.members.contains_key(a));
        }
    }
}

#[test]
fn only_an_admin_takes_a_removed_member_back_and_the_first_rekey_of_an_epoch_wins() {
    let root = author(1);
    let mut log = vec![
        found(10),
        welcome(1, 20, 2),
        welcome(1, 21, 3),
        say(1, 30, Act::Remove { member: author(3) }),
        // Member 2 (not an admin) tries to bring 3 back: void.
        welcome(2, 40, 3),
    ];
    assert!(
        !State::derive(Some(&root), &log)
            .members
            .contains_key(&author(3))
    );
    log.push(welcome(1, 50, 3));
    assert!(
        State::derive(Some(&root), &log)
            .members
            .contains_key(&author(3))
    );
    // Two admins rekey to epoch 1 at once: the first in the order is the epoch's rekey.
    log.push(say(1, 60, Act::Admin { member: author(2) }));
    let r1 = say(
        1,
        70,
        Act::Rekey {
            epoch: 1,
            until: 99,
            keys: vec![],
        },
    );
    let r2 = say(
        2,
        71,
        Act::Rekey {
            epoch: 1,
            until: 99,
            keys: vec![],
        },
    );
    log.push(r2.clone());
    log.push(r1.clone());
    let s = State::derive(Some(&root), &log);
    assert_eq!((s.epoch, s.rekey), (1, Some(r1.id())));
}

#[test]
fn a_welcome_of_a_key_that_is_not_a_point_is_malformed() {
    // 0x02 followed by ones is not a valid Ed25519 point encoding.
    let mut bad = [0xffu8; 32];
    bad[0] = 0x02;
    if AuthorId(bad).verifying_key().is_ok() {
        return;
    }
    let s = say(
        1,
        5,
        Act::Welcome {
            member: AuthorId(bad),
            name: String::new(),
            nodes: vec![node(9)],
        },
    );
    assert!(matches!(
        Statement::decode(s.bytes(), &NET),
        Err(MemberError::Malformed(_))
    ));
}
