//! The child process of the crash-safety test: writes records for ever, printing each id only
//! after the store said it is durable. The test kills it with SIGKILL at random moments.
//!
//! Usage: `crash-child DATA_DIR SEED [DATA_KEY_HEX]`; with a data key the data dir is
//! encrypted (store, identity) under it. Alternates single publishes (as `wsf publish` does) and
//! imports of batches through the ingest pipeline (as `wsf import` does).

use std::io::Write;
use std::path::PathBuf;

use wsf_node::datadir::DataDir;
use wsf_node::ingest::Outcome;
use wsf_node::service::Service;
use wsf_protocol::api::PublishRequest;
use wsf_protocol::{Content, Pillar, Practice};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: crash-child DATA_DIR SEED")?);
    let seed: u8 = args
        .next()
        .ok_or("usage: crash-child DATA_DIR SEED")?
        .parse()?;
    let mut data = DataDir::new(dir);
    if let Some(hex) = args.next() {
        let key = wsf_protocol::hex::decode_array::<32>(&hex).ok_or("the key is 64 hex digits")?;
        data = data.with_key(wsf_node::vault::DataKey::from_bytes(&key));
    }
    let svc = Service::open(data)?;
    let mut out = std::io::stdout().lock();
    for round in 0u64.. {
        let (_, published) = svc
            .publish(PublishRequest {
                new_pillars: vec![],
                pillars: vec![Pillar::new("education")?],
                expires: None,
                supersedes: None,
                refs: vec![],
                content: Content::Practice(Practice {
                    title: format!("Practice {round} of run {seed}"),
                    approach: "Written by the crash test.".into(),
                    context: None,
                    country: None,
                    region: None,
                    challenge: None,
                    outcome: None,
                    lessons: None,
                    url: None,
                }),
            })
            .await?;
        writeln!(out, "{}", published.id)?;
        out.flush()?;
        let batch =
            wsf_tests::records(seed, 1_700_000_000_000 + round * 1_000, 50, "womens-rights");
        let envelopes = batch.iter().map(|r| r.envelope().to_vec()).collect();
        for o in svc.ingest().accept(envelopes).await? {
            if let Outcome::Stored(id) | Outcome::Duplicate(id) = o {
                writeln!(out, "{id}")?;
            }
        }
        out.flush()?;
    }
    Ok(())
}
