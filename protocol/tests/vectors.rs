//! The test vectors in `docs/vectors/records.json`: generated here, checked against the file and
//! against the code. Run with `WSF_UPDATE_VECTORS=1` to rewrite the file after a deliberate change.

mod common;

use ciborium::Value;
use common::*;
use serde_json::{Value as Json, json};
use wsf_protocol::*;

fn vectors_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/vectors/records.json")
}

struct Valid {
    name: &'static str,
    seed: u8,
    record: Record,
}

fn valid_records() -> Vec<Valid> {
    let mut out = Vec::new();
    let mut push = |name, seed, d: Draft| {
        let record = sign(&d, &key(seed)).expect("valid draft");
        out.push(Valid { name, seed, record });
        out.last().expect("just pushed").record.id()
    };
    let resource_id = push(
        "resource",
        1,
        draft(resource(), &["womens-rights", "human-rights-violations"]),
    );
    push("practice", 2, draft(practice(), &["education"]));
    let campaign_id = push(
        "campaign",
        3,
        Draft {
            expires: Some(1_772_409_600_000),
            ..draft(campaign(), &["state-military-oppression"])
        },
    );
    push(
        "endorsement",
        2,
        draft(endorsement(campaign_id), &["state-military-oppression"]),
    );
    push(
        "retraction",
        1,
        draft(
            retraction(resource_id),
            &["human-rights-violations", "womens-rights"],
        ),
    );
    push(
        "profile",
        2,
        draft(profile(), &["education", "gender-equality", "land-rights"]),
    );
    push(
        "resource_with_refs_and_supersedes",
        1,
        Draft {
            supersedes: Some(resource_id),
            refs: vec![campaign_id],
            ..draft(
                Content::Resource(Resource {
                    title: "Safe reporting: second edition".into(),
                    resource_type: ResourceType::Toolkit,
                    summary: None,
                    body: Some("Árabe, español, 中文: every script is UTF-8.".into()),
                    url: None,
                    language: None,
                    license: None,
                }),
                &["womens-rights"],
            )
        },
    );
    out
}

/// Replaces the value of `key` in a body map.
fn replace(entries: &mut [(Value, Value)], key: &str, value: Value) {
    for (k, v) in entries.iter_mut() {
        if *k == text(key) {
            *v = value;
            return;
        }
    }
    panic!("no key {key}");
}

/// The canonical encoding of `entries` after an edit, signed by `seed`.
fn signed_map(entries: Vec<(Value, Value)>, seed: u8) -> Vec<u8> {
    raw_envelope(
        &wsf_protocol::cbor::encode(&Value::Map(entries)),
        &key(seed),
    )
}

fn invalid_vectors(valid: &[Valid]) -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let base = &valid[0].record; // the resource, signed by seed 1
    let body = base.body().clone();
    let entries = sorted_entries(&body);
    let mut v: Vec<(&'static str, Vec<u8>, &'static str)> = Vec::new();

    // Signature classes.
    let mut env = base.envelope().to_vec();
    let last = env.len() - 1;
    env[last] ^= 0x01;
    v.push(("flipped_signature_bit", env, "signature_invalid"));

    let mut changed = entries.clone();
    replace(&mut changed, "ts", Value::Integer((TS + 1).into()));
    let forged = wsf_protocol::cbor::encode(&Value::Map(changed));
    v.push((
        "body_changed_after_signing",
        encode_envelope(&forged, &base.signature()),
        "signature_invalid",
    ));

    let mut other_author = entries.clone();
    replace(
        &mut other_author,
        "author",
        Value::Bytes(key(9).verifying_key().to_bytes().to_vec()),
    );
    let other = wsf_protocol::cbor::encode(&Value::Map(other_author));
    let sig = {
        use wsf_protocol::ed25519_dalek::Signer;
        key(1).sign(&signed_message(&other)).to_bytes()
    };
    v.push((
        "wrong_author_key",
        encode_envelope(&other, &sig),
        "signature_invalid",
    ));

    // A small-order author key (the identity point) with R = identity and s = 0: the plain
    // RFC 8032 equation holds for any message, verify_strict refuses it.
    let mut weak = entries.clone();
    let mut identity = [0u8; 32];
    identity[0] = 1;
    replace(&mut weak, "author", Value::Bytes(identity.to_vec()));
    let weak_body = wsf_protocol::cbor::encode(&Value::Map(weak));
    let mut weak_sig = [0u8; 64];
    weak_sig[0] = 1;
    v.push((
        "small_order_author_key",
        encode_envelope(&weak_body, &weak_sig),
        "signature_invalid",
    ));

    let mut not_a_point = entries.clone();
    // y = 2 is not the y-coordinate of any point on the curve.
    let mut bad = [0u8; 32];
    bad[0] = 2;
    replace(&mut not_a_point, "author", Value::Bytes(bad.to_vec()));
    v.push((
        "author_not_a_curve_point",
        signed_map(not_a_point, 1),
        "bad_author_key",
    ));

    // Canonical-form classes: each body is signed correctly, so only the encoding is at fault.
    let mut unsorted = entries.clone();
    unsorted.swap(0, 1);
    v.push((
        "non_canonical_key_order",
        raw_envelope(&encode_unsorted(&Value::Map(unsorted)), &key(1)),
        "non_canonical.unsorted_keys",
    ));

    let canonical = base.body_bytes().to_vec();
    assert!((0xa0..0xb8).contains(&canonical[0]), "small map header");
    let mut non_minimal = vec![0xb8, canonical[0] - 0xa0];
    non_minimal.extend_from_slice(&canonical[1..]);
    v.push((
        "non_minimal_integer",
        raw_envelope(&non_minimal, &key(1)),
        "non_canonical.non_minimal_integer",
    ));

    let mut indefinite = vec![0xbf];
    indefinite.extend_from_slice(&canonical[1..]);
    indefinite.push(0xff);
    v.push((
        "indefinite_length_map",
        raw_envelope(&indefinite, &key(1)),
        "non_canonical.indefinite_length",
    ));

    let mut trailing = base.envelope().to_vec();
    trailing.push(0x00);
    v.push(("trailing_bytes", trailing, "malformed.trailing_bytes"));

    let mut body_trailing = canonical.clone();
    body_trailing.push(0x00);
    v.push((
        "trailing_bytes_in_body",
        raw_envelope(&body_trailing, &key(1)),
        "malformed.trailing_bytes",
    ));

    let mut duplicate = entries.clone();
    let ts_pos = duplicate
        .iter()
        .position(|(k, _)| *k == text("ts"))
        .expect("ts");
    let ts_entry = duplicate[ts_pos].clone();
    duplicate.insert(ts_pos + 1, ts_entry);
    v.push((
        "duplicate_map_key",
        raw_envelope(&encode_unsorted(&Value::Map(duplicate)), &key(1)),
        "non_canonical.duplicate_key",
    ));

    let mut float = entries.clone();
    replace(&mut float, "ts", Value::Float(TS as f64));
    v.push((
        "float_where_int_belongs",
        raw_envelope(&encode_unsorted(&Value::Map(float)), &key(1)),
        "non_canonical.float",
    ));

    let mut tagged = entries.clone();
    replace(
        &mut tagged,
        "ts",
        Value::Tag(1, Box::new(Value::Integer(TS.into()))),
    );
    v.push((
        "tag_in_body",
        raw_envelope(&encode_unsorted(&Value::Map(tagged)), &key(1)),
        "non_canonical.tag",
    ));

    // Envelope classes.
    let sig = base.signature();
    v.push((
        "unknown_version",
        wsf_protocol::cbor::encode(&Value::Array(vec![
            Value::Integer(2.into()),
            Value::Bytes(canonical.clone()),
            Value::Bytes(sig.to_vec()),
        ])),
        "unsupported_version",
    ));
    v.push((
        "envelope_is_a_map",
        wsf_protocol::cbor::encode(&Value::Map(vec![(
            Value::Integer(1.into()),
            Value::Bytes(canonical.clone()),
        )])),
        "bad_envelope",
    ));
    v.push((
        "short_signature",
        encode_envelope(&canonical, &sig[..63]),
        "bad_envelope",
    ));

    let mut huge = entries.clone();
    let Content::Resource(mut r) = body.content.clone() else {
        unreachable!()
    };
    r.body = Some("x".repeat(limits::MAX_ENVELOPE));
    replace(
        &mut huge,
        "content",
        Body {
            content: Content::Resource(r),
            ..body.clone()
        }
        .to_value_content(),
    );
    v.push(("oversized_envelope", signed_map(huge, 1), "too_large"));

    // Schema classes.
    let mut missing = entries.clone();
    missing.retain(|(k, _)| *k != text("ts"));
    v.push((
        "missing_field",
        signed_map(missing, 1),
        "schema.missing_field",
    ));

    let mut unknown = entries.clone();
    unknown.push((text("colour"), text("red")));
    v.push((
        "unknown_field",
        signed_map(unknown, 1),
        "schema.unknown_field",
    ));

    let mut kind = entries.clone();
    replace(&mut kind, "kind", text("petition"));
    v.push(("unknown_kind", signed_map(kind, 1), "schema.unknown_kind"));

    let mut wrong_type = entries.clone();
    replace(&mut wrong_type, "ts", text("yesterday"));
    v.push(("ts_is_text", signed_map(wrong_type, 1), "schema.wrong_type"));

    // Validation classes.
    let nine: Vec<Value> = (1..=9).map(|i| text(&format!("pillar-{i}"))).collect();
    let mut too_many = entries.clone();
    replace(&mut too_many, "pillars", Value::Array(nine));
    v.push((
        "too_many_pillars",
        signed_map(too_many, 1),
        "invalid.too_many_pillars",
    ));

    let mut bad_slug = entries.clone();
    replace(
        &mut bad_slug,
        "pillars",
        Value::Array(vec![text("Womens_Rights")]),
    );
    v.push((
        "bad_pillar_slug",
        signed_map(bad_slug, 1),
        "invalid.bad_pillar",
    ));

    let mut unsorted_pillars = entries.clone();
    replace(
        &mut unsorted_pillars,
        "pillars",
        Value::Array(vec![text("womens-rights"), text("education")]),
    );
    v.push((
        "pillars_not_sorted",
        signed_map(unsorted_pillars, 1),
        "invalid.pillars_not_sorted",
    ));

    let mut long_title = entries.clone();
    let Content::Resource(mut r) = body.content.clone() else {
        unreachable!()
    };
    r.title = "a".repeat(limits::MAX_TITLE + 1);
    replace(
        &mut long_title,
        "content",
        Body {
            content: Content::Resource(r),
            ..body.clone()
        }
        .to_value_content(),
    );
    v.push((
        "title_too_long",
        signed_map(long_title, 1),
        "invalid.too_long",
    ));

    // Context classes: checked against network_hex and now_ms of the vector file.
    let mut future = entries.clone();
    replace(
        &mut future,
        "ts",
        Value::Integer((NOW + limits::MAX_FUTURE_MS + 1).into()),
    );
    v.push((
        "future_timestamp",
        signed_map(future, 1),
        "future_timestamp",
    ));

    let mut expired = entries.clone();
    expired.push((text("expires"), Value::Integer((NOW - 1).into())));
    v.push(("expired", signed_map(expired, 1), "expired"));

    let mut foreign = entries;
    replace(&mut foreign, "net", Value::Bytes(vec![0xee; 16]));
    v.push(("other_network", signed_map(foreign, 1), "wrong_network"));
    v
}

trait ContentValue {
    fn to_value_content(&self) -> Value;
}

impl ContentValue for Body {
    /// The `content` entry of this body's map.
    fn to_value_content(&self) -> Value {
        sorted_entries(self)
            .into_iter()
            .find(|(k, _)| *k == text("content"))
            .map(|(_, v)| v)
            .expect("content")
    }
}

/// What a receiving node does with an envelope: decode, verify, validate.
fn receive(envelope: &[u8]) -> Result<Record, Error> {
    let record = verify(envelope)?;
    record.validate(&Context {
        network: NetworkId::public(),
        now_ms: NOW,
    })?;
    Ok(record)
}

fn generate() -> Json {
    let valid = valid_records();
    let invalid = invalid_vectors(&valid);
    json!({
        "description": "wsf record test vectors; see docs/protocol.md. Validate with network_hex and now_ms.",
        "signing_prefix_hex": hex::encode(SIGNING_PREFIX),
        "network_hex": NetworkId::public().to_hex(),
        "now_ms": NOW,
        "valid": valid.iter().map(|v| json!({
            "name": v.name,
            "kind": v.record.body().kind().as_str(),
            "seed_hex": hex::encode(&[v.seed; 32]),
            "author_hex": v.record.body().author.to_hex(),
            "body_hex": hex::encode(v.record.body_bytes()),
            "signature_hex": hex::encode(&v.record.signature()),
            "envelope_hex": hex::encode(v.record.envelope()),
            "id_hex": v.record.id().to_hex(),
            "envelope_len": v.record.envelope().len(),
        })).collect::<Vec<_>>(),
        "invalid": invalid.iter().map(|(name, env, reason)| json!({
            "name": name,
            "envelope_hex": hex::encode(env),
            "reason": reason,
        })).collect::<Vec<_>>(),
    })
}

#[test]
fn vector_file_matches_the_code() {
    let generated = serde_json::to_string_pretty(&generate()).expect("json") + "\n";
    let path = vectors_path();
    if std::env::var_os("WSF_UPDATE_VECTORS").is_some() {
        std::fs::write(&path, &generated).expect("write vectors");
    }
    let on_disk = std::fs::read_to_string(&path).expect("docs/vectors/records.json exists");
    assert!(
        on_disk == generated,
        "docs/vectors/records.json is out of date; rerun with WSF_UPDATE_VECTORS=1 and review the diff"
    );
}

/// Reads the file the way another implementation would: only the hex fields.
#[test]
fn every_vector_in_the_file_behaves_as_stated() {
    let text = std::fs::read_to_string(vectors_path()).expect("vectors");
    let file: Json = serde_json::from_str(&text).expect("json");
    let h = |v: &Json, k: &str| hex::decode(v[k].as_str().expect("hex field")).expect("hex");
    let valid = file["valid"].as_array().expect("valid");
    let kinds: std::collections::BTreeSet<&str> = valid
        .iter()
        .map(|v| v["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds.len(), 6, "one valid vector per kind at least");
    for v in valid {
        let seed: [u8; 32] = h(v, "seed_hex").try_into().expect("32-byte seed");
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        assert_eq!(key.verifying_key().to_bytes().to_vec(), h(v, "author_hex"));
        let record = receive(&h(v, "envelope_hex")).expect("valid vector verifies");
        assert_eq!(record.body_bytes(), h(v, "body_hex"));
        assert_eq!(record.signature().to_vec(), h(v, "signature_hex"));
        assert_eq!(record.id().as_bytes().to_vec(), h(v, "id_hex"));
        assert_eq!(
            record.body().encode(),
            h(v, "body_hex"),
            "re-encodes identically"
        );
    }
    let invalid = file["invalid"].as_array().expect("invalid");
    assert!(invalid.len() >= 15);
    for v in invalid {
        let name = v["name"].as_str().expect("name");
        let err = receive(&h(v, "envelope_hex")).expect_err(name);
        assert_eq!(
            err.reason(),
            v["reason"].as_str().expect("reason"),
            "{name}: {err}"
        );
    }
}

/// A bundle's bytes: magic, header bytes, items (each with the given head, or the shortest),
/// trailer bytes.
fn bundle_bytes(header: &[u8], items: &[(Vec<u8>, &[u8])], trailer: &[u8]) -> Vec<u8> {
    let mut bytes = wsf_protocol::bundle::MAGIC.to_vec();
    bytes.extend_from_slice(header);
    for (head, e) in items {
        bytes.extend_from_slice(head);
        bytes.extend_from_slice(e);
    }
    bytes.extend_from_slice(trailer);
    bytes
}

/// `docs/vectors/bundle.json`: a bundle of two valid vectors, byte for byte, and damaged
/// bundles with the code a reader reports and how many records it read before.
fn bundle_vector() -> Json {
    use wsf_protocol::bundle::{Header, MAX_META, Trailer, bstr_head};
    let valid = valid_records();
    let pillars = |slugs: &[&str]| -> Vec<Pillar> {
        slugs
            .iter()
            .map(|s| Pillar::new(s).expect("slug"))
            .collect()
    };
    // The resource is on womens-rights (and human-rights-violations), the practice on
    // education: both are on one of the header's pillars.
    let header = Header::new(
        NetworkId::public(),
        NOW,
        pillars(&["education", "womens-rights"]),
    );
    let envelopes: Vec<&[u8]> = valid[..2].iter().map(|v| v.record.envelope()).collect();
    let shortest: Vec<(Vec<u8>, &[u8])> =
        envelopes.iter().map(|e| (bstr_head(e.len()), *e)).collect();
    let digest_of = |envs: &[&[u8]]| {
        let mut d = blake3::Hasher::new();
        for e in envs {
            d.update(e);
        }
        *d.finalize().as_bytes()
    };
    let trailer = Trailer {
        count: envelopes.len() as u64,
        digest: digest_of(&envelopes),
    };
    let (h, t) = (header.encode(), trailer.encode());
    let bytes = bundle_bytes(&h, &shortest, &t);
    assert_eq!(Header::decode(&h), Ok(header.clone()));

    let mut bad: Vec<(&str, Vec<u8>, &str, u64)> = Vec::new();
    bad.push((
        "not_a_bundle",
        b"PK\x03\x04zip file".to_vec(),
        "not_a_bundle",
        0,
    ));
    let mut v2 = bytes.clone();
    v2[7] = 2;
    bad.push(("bundle_version_2", v2, "unsupported_version", 0));
    let unsorted = Header {
        pillars: pillars(&["womens-rights", "education"]),
        ..header.clone()
    };
    bad.push((
        "header_pillars_not_sorted",
        bundle_bytes(&unsorted.encode(), &shortest, &t),
        "bad_header",
        0,
    ));
    let mut no_net = vec![0xa2];
    no_net.extend_from_slice(&h[1 + 4 + 17..]); // drops the "net" entry (key 4 bytes, value 17)
    bad.push((
        "header_without_net",
        bundle_bytes(&no_net, &shortest, &t),
        "bad_header",
        0,
    ));
    let many: Vec<String> = (0..100)
        .map(|i| format!("{i:03}{}", "p".repeat(45)))
        .collect();
    let long = Header::new(
        NetworkId::public(),
        NOW,
        many.iter().map(|s| Pillar::new(s).expect("slug")).collect(),
    );
    assert!(long.encode().len() > MAX_META);
    bad.push((
        "header_too_long",
        bundle_bytes(&long.encode(), &shortest, &t),
        "header_too_long",
        0,
    ));
    bad.push((
        "cut_inside_the_header",
        bytes[..20].to_vec(),
        "cut_short",
        0,
    ));
    let first_end = 8 + h.len() + shortest[0].0.len() + envelopes[0].len();
    bad.push((
        "cut_inside_the_second_record",
        bytes[..first_end + 100].to_vec(),
        "cut_short",
        1,
    ));
    bad.push((
        "cut_inside_the_trailer",
        bytes[..bytes.len() - 1].to_vec(),
        "cut_short",
        2,
    ));
    let mut long_head = vec![0x5a];
    long_head.extend_from_slice(&(envelopes[1].len() as u32).to_be_bytes());
    bad.push((
        "non_shortest_item_head",
        bundle_bytes(&h, &[shortest[0].clone(), (long_head, envelopes[1])], &t),
        "damaged.bad_item_head",
        1,
    ));
    bad.push((
        "text_string_where_an_item_belongs",
        bundle_bytes(&h, &[(vec![0x63], b"abc")], &t),
        "damaged.bad_item_head",
        0,
    ));
    bad.push((
        "item_longer_than_an_envelope",
        bundle_bytes(&h, &[(vec![0x5a, 0x00, 0x01, 0x00, 0x01], b"")], &[]),
        "damaged.item_too_long",
        0,
    ));
    let narrow = Header::new(NetworkId::public(), NOW, pillars(&["womens-rights"]));
    bad.push((
        "record_outside_the_header_pillars",
        bundle_bytes(&narrow.encode(), &shortest, &t),
        "damaged.outside_pillars",
        1,
    ));
    let count3 = Trailer {
        count: 3,
        ..trailer.clone()
    };
    bad.push((
        "trailer_count_wrong",
        bundle_bytes(&h, &shortest, &count3.encode()),
        "damaged.count_mismatch",
        2,
    ));
    let zero = Trailer {
        digest: [0; 32],
        ..trailer.clone()
    };
    bad.push((
        "trailer_digest_wrong",
        bundle_bytes(&h, &shortest, &zero.encode()),
        "damaged.digest_mismatch",
        2,
    ));
    // The trailer with its count as a two-byte integer: not canonical CBOR.
    let mut loose = t.clone();
    let at = loose.iter().position(|&b| b == 0x02).expect("count 2");
    loose.splice(at..=at, [0x18, 0x02]);
    bad.push((
        "trailer_not_canonical",
        bundle_bytes(&h, &shortest, &loose),
        "damaged.bad_trailer",
        2,
    ));
    let mut huge = vec![0xa1, 0x65];
    huge.extend_from_slice(b"count");
    huge.extend_from_slice(&[0x59, 0x13, 0x88]); // a byte string of 5,000 bytes
    huge.extend_from_slice(&[0u8; 5_000]);
    bad.push((
        "trailer_too_long",
        bundle_bytes(&h, &shortest, &huge),
        "damaged.trailer_too_long",
        2,
    ));
    let mut trailing = bytes.clone();
    trailing.push(0x00);
    bad.push((
        "byte_after_the_trailer",
        trailing,
        "damaged.trailing_bytes",
        2,
    ));

    json!({
        "description": "a wsf bundle of the first two valid record vectors, and damaged bundles with the code a reader reports; see docs/protocol.md section 14",
        "header": {
            "net_hex": header.net.to_hex(),
            "created": header.created,
            "pillars": header.pillars.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        },
        "header_hex": hex::encode(&h),
        "envelopes_hex": envelopes.iter().map(|e| hex::encode(e)).collect::<Vec<_>>(),
        "trailer": {
            "count": trailer.count,
            "digest_hex": hex::encode(&trailer.digest),
        },
        "trailer_hex": hex::encode(&t),
        "bundle_hex": hex::encode(&bytes),
        "invalid": bad.iter().map(|(name, b, code, read)| json!({
            "name": name,
            "bundle_hex": hex::encode(b),
            "code": code,
            "records_read": read,
        })).collect::<Vec<_>>(),
    })
}

#[test]
fn bundle_vector_file_matches_the_code() {
    let generated = serde_json::to_string_pretty(&bundle_vector()).expect("json") + "\n";
    let path = vectors_path().with_file_name("bundle.json");
    if std::env::var_os("WSF_UPDATE_VECTORS").is_some() {
        std::fs::write(&path, &generated).expect("write vectors");
    }
    let on_disk = std::fs::read_to_string(&path).expect("docs/vectors/bundle.json exists");
    assert!(
        on_disk == generated,
        "docs/vectors/bundle.json is out of date; rerun with WSF_UPDATE_VECTORS=1 and review the diff"
    );
}

/// A sync entry as the vector file shows it.
fn short_json(s: &wsf_protocol::sync::Short) -> Json {
    json!({"ts": s.ts, "prefix_hex": hex::encode(&s.prefix)})
}

/// A decoded sync message as the vector file shows it, field by field.
fn message_json(m: &wsf_protocol::sync::Message) -> Json {
    use wsf_protocol::sync::{Body, Mode};
    let (kind, fields) = match &m.body {
        Body::Reconcile(ranges) => (
            "reconcile",
            json!({"ranges": ranges.iter().map(|r| {
                let upper = match &r.upper.0 {
                    None => json!("end"),
                    Some((ts, prefix)) => json!({"ts": ts, "prefix_hex": hex::encode(prefix)}),
                };
                match &r.mode {
                    Mode::Skip => json!({"upper": upper, "mode": "skip"}),
                    Mode::Fingerprint(fp) => json!({
                        "upper": upper, "mode": "fingerprint", "fingerprint_hex": hex::encode(fp),
                    }),
                    Mode::List(items) => json!({
                        "upper": upper, "mode": "list",
                        "items": items.iter().map(short_json).collect::<Vec<_>>(),
                    }),
                    Mode::Diff { lacking, wanted } => json!({
                        "upper": upper, "mode": "diff",
                        "lacking": lacking.iter().map(short_json).collect::<Vec<_>>(),
                        "wanted": wanted,
                    }),
                }
            }).collect::<Vec<_>>()}),
        ),
        Body::Fetch(items) => (
            "fetch",
            json!({"items": items.iter().map(short_json).collect::<Vec<_>>()}),
        ),
        Body::Envelopes(envs) => (
            "envelopes",
            json!({"envelopes_hex": envs.iter().map(|e| hex::encode(e)).collect::<Vec<_>>()}),
        ),
        Body::Refused(why) => ("refused", json!({"reason": why})),
    };
    json!({
        "version": wsf_protocol::sync::WIRE_VERSION,
        "net_hex": m.net.to_hex(),
        "pillar": m.pillar.as_str(),
        "type": kind,
        "body": fields,
    })
}

/// `docs/vectors/sync.json`: fingerprints of small sets, one message of each type with its
/// decoded fields, and messages a decoder refuses, with their codes.
fn sync_vector() -> Json {
    use wsf_protocol::sync::{
        self, Body, Bound, Item, Message, Mode, PREFIX_LEN, Range, WIRE_VERSION,
    };
    let item = |i: u8, ts: u64| Item {
        ts,
        id: *blake3::hash(&[i]).as_bytes(),
    };
    let items: Vec<Item> = (0..5)
        .map(|i| item(i, 1_767_225_600_000 + u64::from(i) * 10))
        .collect();
    let fps: Vec<Json> = (0..=items.len())
        .map(|n| {
            json!({
                "ids_hex": items[..n].iter().map(|i| hex::encode(&i.id)).collect::<Vec<_>>(),
                "fingerprint_hex": hex::encode(&sync::fingerprint(&items[..n])),
            })
        })
        .collect();
    let net = NetworkId::public();
    let pillar = Pillar::new("education").expect("slug");
    let short = |it: &Item| it.short();
    let reconcile = Message {
        net,
        pillar: pillar.clone(),
        body: Body::Reconcile(vec![
            Range {
                upper: Bound(Some((items[1].ts, vec![]))),
                mode: Mode::Skip,
            },
            Range {
                upper: Bound(Some((items[3].ts, items[3].id[..1].to_vec()))),
                mode: Mode::Fingerprint(sync::fingerprint(&items[1..3])),
            },
            Range {
                upper: Bound(Some((items[4].ts, vec![]))),
                mode: Mode::List(vec![short(&items[3])]),
            },
            Range {
                upper: Bound::END,
                mode: Mode::Diff {
                    lacking: vec![short(&items[4])],
                    wanted: vec![0, 2],
                },
            },
        ]),
    };
    let fetch = Message {
        net,
        pillar: pillar.clone(),
        body: Body::Fetch(vec![short(&items[0]), short(&items[4])]),
    };
    // The practice vector: its pillars include the message's pillar, education.
    let practice = &valid_records()[1].record;
    assert!(practice.body().pillars.contains(&pillar));
    let envelopes = Message {
        net,
        pillar: pillar.clone(),
        body: Body::Envelopes(vec![practice.envelope().to_vec()]),
    };
    let refused = Message {
        net,
        pillar: pillar.clone(),
        body: Body::Refused("rate limited".into()),
    };
    let messages = [
        ("reconcile", &reconcile),
        ("fetch", &fetch),
        ("envelopes", &envelopes),
        ("refused", &refused),
    ];
    for (_, m) in messages {
        assert_eq!(Message::decode(&m.encode()).as_ref(), Ok(m));
    }

    // Messages a decoder refuses. `head` is the valid start of a message of type `t`.
    let head = |t: u8| {
        let mut m = vec![WIRE_VERSION];
        m.extend_from_slice(net.as_bytes());
        m.push(9);
        m.extend_from_slice(b"education");
        m.push(t);
        m
    };
    let with = |t: u8, rest: &[u8]| {
        let mut m = head(t);
        m.extend_from_slice(rest);
        m
    };
    let ranges = |r: Vec<Range>| {
        Message {
            net,
            pillar: pillar.clone(),
            body: Body::Reconcile(r),
        }
        .encode()
    };
    let skip_to = |ts: u64, prefix: &[u8]| Range {
        upper: Bound(Some((ts, prefix.to_vec()))),
        mode: Mode::Skip,
    };
    let end = Range {
        upper: Bound::END,
        mode: Mode::Skip,
    };
    let one_fetch = |ts: &[u8]| {
        let mut rest = vec![1];
        rest.extend_from_slice(ts);
        rest.extend_from_slice(&[0x11; PREFIX_LEN]);
        with(2, &rest)
    };
    let mut v1 = refused.encode();
    v1[0] = 1;
    let mut bad_slug = refused.encode();
    bad_slug[18] = b'E';
    let mut trailing = refused.encode();
    trailing.push(0);
    let mut too_large = vec![0u8; sync::MAX_MESSAGE + 1];
    too_large[..head(4).len()].copy_from_slice(&head(4));
    let invalid: Vec<(&str, Vec<u8>, &str)> = vec![
        ("version_1", v1, "unsupported_version"),
        ("pillar_not_a_slug", bad_slug, "bad_pillar"),
        ("unknown_type", head(9), "unknown_type"),
        ("cut_in_the_network_id", head(4)[..10].to_vec(), "truncated"),
        ("byte_after_the_end", trailing, "trailing_bytes"),
        (
            "ts_not_in_shortest_form",
            one_fetch(&[0x85, 0x00]),
            "non_minimal_varint",
        ),
        (
            "count_not_in_shortest_form",
            with(2, &[0x80, 0x00]),
            "non_minimal_varint",
        ),
        (
            "ts_past_64_bits",
            one_fetch(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]),
            "bad_varint",
        ),
        (
            "count_past_the_bytes_left",
            with(2, &[0x05, 0x00]),
            "too_many",
        ),
        (
            "equal_bounds",
            ranges(vec![skip_to(5, &[]), skip_to(5, &[]), end.clone()]),
            "out_of_order",
        ),
        (
            "equal_bounds_padded",
            ranges(vec![
                skip_to(5, &[0xab]),
                skip_to(5, &[0xab, 0x00]),
                end.clone(),
            ]),
            "out_of_order",
        ),
        (
            "empty_first_range",
            ranges(vec![skip_to(0, &[]), end.clone()]),
            "out_of_order",
        ),
        (
            "range_after_the_end",
            ranges(vec![end.clone(), skip_to(5, &[])]),
            "out_of_order",
        ),
        (
            "last_range_not_at_the_end",
            ranges(vec![skip_to(5, &[])]),
            "no_end",
        ),
        ("prefix_length_40", with(1, &[0x01, 40 << 2]), "bad_bound"),
        (
            "wanted_not_increasing",
            ranges(vec![Range {
                upper: Bound::END,
                mode: Mode::Diff {
                    lacking: vec![],
                    wanted: vec![3, 3],
                },
            }]),
            "out_of_order",
        ),
        ("reason_not_utf8", with(4, &[0x02, 0xc3, 0x28]), "bad_text"),
        ("message_too_large", too_large, "too_large"),
    ];
    for (name, bytes, code) in &invalid {
        let got = Message::decode(bytes).map(|_| ()).map_err(|e| e.code());
        assert_eq!(got, Err(*code), "{name}");
    }
    json!({
        "description": "wsf sync vectors, wire version 2 (/wsf/sync/2); see docs/protocol.md section 16.6",
        "protocol": "/wsf/sync/2",
        "items": items.iter().map(|i| json!({"ts": i.ts, "id_hex": hex::encode(&i.id)})).collect::<Vec<_>>(),
        "fingerprints": fps,
        "messages": messages.iter().map(|(name, m)| json!({
            "name": name,
            "hex": hex::encode(&m.encode()),
            "decoded": message_json(m),
        })).collect::<Vec<_>>(),
        "invalid": invalid.iter().filter(|(name, _, _)| *name != "message_too_large").map(|(name, bytes, code)| json!({
            "name": name,
            "hex": hex::encode(bytes),
            "code": code,
        })).collect::<Vec<_>>(),
    })
}

#[test]
fn sync_vector_file_matches_the_code() {
    let generated = serde_json::to_string_pretty(&sync_vector()).expect("json") + "\n";
    let path = vectors_path().with_file_name("sync.json");
    if std::env::var_os("WSF_UPDATE_VECTORS").is_some() {
        std::fs::write(&path, &generated).expect("write vectors");
    }
    let on_disk = std::fs::read_to_string(&path).expect("docs/vectors/sync.json exists");
    assert!(
        on_disk == generated,
        "docs/vectors/sync.json is out of date; rerun with WSF_UPDATE_VECTORS=1 and review the diff"
    );
}
