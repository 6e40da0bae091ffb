//! Sample drafts shared by the protocol tests and the vector generator.
#![allow(dead_code)]

use wsf_protocol::ed25519_dalek::SigningKey;
use wsf_protocol::*;

/// 2026-01-01T00:00:00Z in ms.
pub const TS: u64 = 1_767_225_600_000;
/// The clock the vectors are validated against: five minutes after [`TS`].
pub const NOW: u64 = TS + 5 * 60 * 1000;

pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

pub fn pillars(slugs: &[&str]) -> Vec<Pillar> {
    slugs
        .iter()
        .map(|s| Pillar::new(s).expect("valid slug"))
        .collect()
}

pub fn draft(content: Content, slugs: &[&str]) -> Draft {
    Draft {
        net: NetworkId::public(),
        ts: TS,
        pillars: pillars(slugs),
        content,
        expires: None,
        supersedes: None,
        refs: vec![],
    }
}

pub fn resource() -> Content {
    Content::Resource(Resource {
        title: "Safe reporting of violence against women: a field guide".into(),
        resource_type: ResourceType::Guide,
        summary: Some("How to document cases without putting survivors at risk.".into()),
        body: None,
        url: Some("https://example.org/guides/safe-reporting".into()),
        language: Some("en".into()),
        license: Some("CC-BY-4.0".into()),
    })
}

pub fn practice() -> Content {
    Content::Practice(Practice {
        title: "Community schools during displacement".into(),
        approach: "Volunteer teachers ran classes in tents, three shifts a day.".into(),
        context: Some("Families fled the fighting in 2024.\nSchools were closed.".into()),
        country: Some("Sudan".into()),
        region: Some("North Darfur".into()),
        challenge: Some("No buildings, no books, children out of school for a year.".into()),
        outcome: Some("1,200 children back in class within two months.".into()),
        lessons: Some("Pay the volunteers something; train them first.".into()),
        url: None,
    })
}

pub fn campaign() -> Content {
    Content::Campaign(Campaign {
        title: "Free the journalists of X".into(),
        action: Action::Advocacy,
        call: "Write to your MEP before 1 March".into(),
        online: true,
        place: Some("Brussels".into()),
        description: Some("Twelve journalists are held without trial.".into()),
        starts: Some(TS),
        ends: Some(1_772_323_200_000),
        target: Some("Members of the European Parliament".into()),
        url: Some("https://example.org/free-the-journalists".into()),
    })
}

pub fn profile() -> Content {
    Content::Profile(Profile {
        name: "Girls Learn International".into(),
        description: Some("Education rights for girls in conflict zones.".into()),
        website: Some("https://example.org".into()),
        countries: vec!["Afghanistan".into(), "Pakistan".into()],
        contact: Some("contact@example.org".into()),
    })
}

pub fn endorsement(target: RecordId) -> Content {
    Content::Endorsement(Endorsement {
        target,
        statement: Some("We stand with our colleagues.".into()),
    })
}

pub fn retraction(target: RecordId) -> Content {
    Content::Retraction(Retraction {
        target,
        reason: Some("Published by mistake.".into()),
    })
}

/// Signs a body exactly as given, without any check: for building invalid vectors.
pub fn raw_envelope(body: &[u8], key: &SigningKey) -> Vec<u8> {
    use wsf_protocol::ed25519_dalek::Signer;
    let sig = key.sign(&signed_message(body));
    encode_envelope(body, &sig.to_bytes())
}

/// Encodes a CBOR value as it is, without sorting map keys.
pub fn encode_unsorted(v: &ciborium::Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).expect("encode");
    out
}

/// The body map of a valid record, with its entries sorted canonically.
pub fn sorted_entries(body: &Body) -> Vec<(ciborium::Value, ciborium::Value)> {
    let bytes = body.encode();
    match ciborium::from_reader::<ciborium::Value, _>(bytes.as_slice()).expect("decode") {
        ciborium::Value::Map(m) => m,
        _ => panic!("body is a map"),
    }
}

pub fn text(s: &str) -> ciborium::Value {
    ciborium::Value::Text(s.into())
}
