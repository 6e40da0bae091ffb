//! Property tests: every valid draft signs, encodes, decodes and verifies to the same record, and
//! every accepted byte string re-encodes to itself.

mod common;

use proptest::prelude::*;
use wsf_protocol::ed25519_dalek::SigningKey;
use wsf_protocol::*;

fn line() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 ,.'éñü中-]{1,60}"
}

fn long_text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 ,.\n\tàß日本-]{1,400}"
}

fn opt<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Option<T>> {
    proptest::option::of(s)
}

fn url() -> impl Strategy<Value = String> {
    "https://[a-z]{1,20}\\.org/[a-z0-9/-]{0,40}"
}

fn record_id() -> impl Strategy<Value = RecordId> {
    any::<[u8; 32]>().prop_map(RecordId)
}

fn content() -> impl Strategy<Value = Content> {
    prop_oneof![
        (
            line(),
            0..ResourceType::ALL.len(),
            opt(long_text()),
            opt(long_text()),
            opt(url()),
            opt("[a-z]{2}(-[A-Z]{2})?"),
            opt(line())
        )
            .prop_map(|(title, t, summary, body, url, language, license)| {
                Content::Resource(Resource {
                    title,
                    resource_type: ResourceType::ALL[t],
                    summary,
                    body,
                    url,
                    language,
                    license,
                })
            }),
        (
            line(),
            long_text(),
            opt(long_text()),
            opt(line()),
            opt(line()),
            opt(long_text()),
            opt(long_text()),
            opt(long_text())
        )
            .prop_map(
                |(title, approach, context, country, region, challenge, outcome, lessons)| {
                    Content::Practice(Practice {
                        title,
                        approach,
                        context,
                        country,
                        region,
                        challenge,
                        outcome,
                        lessons,
                        url: None,
                    })
                }
            ),
        (
            line(),
            0..Action::ALL.len(),
            line(),
            any::<bool>(),
            line(),
            opt(long_text()),
            opt((0u64..4_000_000_000_000, 0u64..1_000_000_000)),
            opt(line()),
            opt(url())
        )
            .prop_map(
                |(title, a, call, online, place, description, window, target, url)| {
                    Content::Campaign(Campaign {
                        title,
                        action: Action::ALL[a],
                        call,
                        online,
                        // Offline campaigns need a place; online ones may have one.
                        place: (!online || place.len() % 2 == 0).then_some(place),
                        description,
                        starts: window.map(|(s, _)| s),
                        ends: window.map(|(s, d)| s + d),
                        target,
                        url,
                    })
                }
            ),
        (record_id(), opt(long_text())).prop_map(|(target, statement)| {
            Content::Endorsement(Endorsement { target, statement })
        }),
        (record_id(), opt(long_text()))
            .prop_map(|(target, reason)| Content::Retraction(Retraction { target, reason })),
        (
            line(),
            opt(long_text()),
            opt(url()),
            proptest::collection::vec(line(), 0..5),
            opt(line())
        )
            .prop_map(|(name, description, website, countries, contact)| {
                Content::Profile(Profile {
                    name,
                    description,
                    website,
                    countries,
                    contact,
                })
            }),
    ]
}

fn draft() -> impl Strategy<Value = (Draft, [u8; 32])> {
    (
        any::<[u8; 16]>(),
        0u64..u64::MAX / 2,
        proptest::collection::vec("[a-z0-9-]{1,48}", 1..=8),
        content(),
        opt(1u64..1_000_000_000),
        opt(record_id()),
        proptest::collection::vec(record_id(), 0..4),
        any::<[u8; 32]>(),
    )
        .prop_map(|(net, ts, slugs, content, ttl, supersedes, refs, seed)| {
            let draft = Draft {
                net: NetworkId(net),
                ts,
                pillars: slugs
                    .iter()
                    .map(|s| Pillar::new(s).expect("slug"))
                    .collect(),
                content,
                expires: ttl.map(|t| ts + t),
                supersedes,
                refs,
            };
            (draft, seed)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_draft_signs_and_verifies_to_the_same_record((d, seed) in draft()) {
        let key = SigningKey::from_bytes(&seed);
        let signed = sign(&d, &key).expect("a draft within the limits signs");
        let received = verify(signed.envelope()).expect("what we sign verifies");
        prop_assert_eq!(&received, &signed);
        prop_assert_eq!(received.id(), RecordId::of_body(received.body_bytes()));
        prop_assert_eq!(received.body().content.clone(), d.content);
        prop_assert_eq!(received.body().author, AuthorId::from(&key.verifying_key()));
        // Pillars come back sorted and unique.
        let mut expected: Vec<Pillar> = d.pillars.clone();
        expected.sort();
        expected.dedup();
        prop_assert_eq!(&received.body().pillars, &expected);
        // One record, one byte string.
        prop_assert_eq!(received.body().encode(), received.body_bytes().to_vec());
        prop_assert_eq!(
            encode_envelope(received.body_bytes(), &received.signature()),
            received.envelope().to_vec()
        );
    }

    #[test]
    fn accepted_bytes_re_encode_to_themselves(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        // Random small CBOR items: whatever the checker accepts must decode and re-encode as is.
        if wsf_protocol::cbor::check(&bytes).is_ok() {
            let value = wsf_protocol::cbor::decode(&bytes).expect("checked bytes decode");
            prop_assert_eq!(wsf_protocol::cbor::encode(&value), bytes);
        }
    }
}

#[test]
fn oversized_drafts_are_refused_when_signing() {
    let huge = "x".repeat(limits::MAX_TEXT);
    let content = Content::Practice(Practice {
        title: "t".into(),
        approach: huge.clone(),
        context: Some(huge.clone()),
        country: None,
        region: None,
        challenge: Some(huge.clone()),
        outcome: Some(huge.clone()),
        lessons: Some(huge),
        url: None,
    });
    let err = sign(&common::draft(content, &["education"]), &common::key(1)).expect_err("too big");
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");
}

#[test]
fn drafts_breaking_a_rule_are_refused_when_signing() {
    let mut d = common::draft(common::campaign(), &["education"]);
    if let Content::Campaign(c) = &mut d.content {
        c.online = false;
        c.place = None;
    }
    assert_eq!(
        sign(&d, &common::key(1)).expect_err("no place"),
        Error::Invalid(Invalid::NoPlace)
    );
    let mut d = common::draft(common::resource(), &["education"]);
    d.expires = Some(d.ts);
    assert_eq!(
        sign(&d, &common::key(1)).expect_err("expires"),
        Error::Invalid(Invalid::ExpiresBeforeTs)
    );
    let mut d = common::draft(common::resource(), &["education"]);
    if let Content::Resource(r) = &mut d.content {
        r.url = Some("javascript:alert(1)".into());
    }
    assert_eq!(
        sign(&d, &common::key(1)).expect_err("url"),
        Error::Invalid(Invalid::BadUrl {
            field: "content.url"
        })
    );
}
