//! Test harness for wsf: helpers shared by the end-to-end tests in `tests/tests/`.

use wsf_protocol::ed25519_dalek::SigningKey;
use wsf_protocol::{Content, Draft, NetworkId, Pillar, Record, Resource, ResourceType};

/// A small xorshift generator: every random choice in the tests is seeded and the seed printed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (0 is replaced, xorshift needs a non-zero state).
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    /// The seed from `WSF_TEST_SEED`, or one from the clock; printed so a failure can be replayed.
    pub fn from_env(test: &str) -> Self {
        let seed = std::env::var("WSF_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            });
        eprintln!("{test}: WSF_TEST_SEED={seed}");
        Rng::new(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo).max(1)
    }
}

/// `n` signed resource records of one author on the public network, `ts` from `start`.
pub fn records(seed: u8, start: u64, n: usize, pillar: &str) -> Vec<Record> {
    let key = SigningKey::from_bytes(&[seed; 32]);
    (0..n)
        .filter_map(|i| {
            wsf_protocol::sign(
                &Draft {
                    net: NetworkId::public(),
                    ts: start + i as u64,
                    pillars: vec![Pillar::new(pillar).ok()?],
                    content: Content::Resource(Resource {
                        title: format!("Resource {i} of author {seed}"),
                        resource_type: ResourceType::Report,
                        summary: Some("A report shared for the tests.".into()),
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
            .ok()
        })
        .collect()
}
