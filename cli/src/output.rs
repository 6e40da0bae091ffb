//! Human output (tables, sentences) and `--json` output. JSON goes to stdout, one document per
//! command (`watch` prints one object per line); everything for people goes to stdout too, and
//! progress and warnings to stderr.

use std::io::Write;

use serde::Serialize;
use wsf_protocol::api::{Counts, IngestReport, RecordDetail, RecordInfo};
use wsf_protocol::{Content, Pillar};

use crate::dates;

/// Prints a value as pretty JSON on stdout.
pub fn json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

fn cut(s: &str, max: usize) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut t: String = one_line.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

fn pillars(ps: &[Pillar]) -> String {
    ps.iter().map(Pillar::as_str).collect::<Vec<_>>().join(",")
}

fn who(r: &RecordInfo) -> String {
    r.author_name.clone().unwrap_or_else(|| r.author.short())
}

/// The `list` table.
pub fn table(items: &[RecordInfo], next: Option<&str>) {
    if items.is_empty() {
        println!("No records match.");
        return;
    }
    println!(
        "{:<12}  {:<9}  {:<16}  {:<20}  {:<26}  TITLE",
        "ID", "KIND", "DATE (UTC)", "AUTHOR", "PILLARS"
    );
    for r in items {
        let mut title = r.content.headline();
        if r.endorsements > 0 {
            title.push_str(&format!("  [{} co-signed]", r.endorsements));
        }
        println!(
            "{:<12}  {:<9}  {:<16}  {:<20}  {:<26}  {}",
            r.id.short(),
            r.content.kind().as_str(),
            dates::format(r.ts),
            cut(&who(r), 20),
            cut(&pillars(&r.pillars), 26),
            cut(&title, 60)
        );
    }
    if let Some(next) = next {
        println!("More: --cursor {next}");
    }
}

fn field(label: &str, value: Option<&str>) {
    if let Some(v) = value {
        if v.contains('\n') {
            println!("{label}:");
            for line in v.lines() {
                println!("    {line}");
            }
        } else {
            println!("{label:<12} {v}");
        }
    }
}

/// The `show` page.
pub fn detail(d: &RecordDetail) {
    let Some(r) = &d.record else {
        println!("{}", d.requested);
        match d.retracted_by {
            Some(by) => println!("Retracted by its author (retraction {by}); the content is gone."),
            None => println!("Not held."),
        }
        return;
    };
    println!("{}  {}", r.content.kind().as_str().to_uppercase(), r.id);
    field(
        "author",
        Some(&match &r.author_name {
            Some(n) => format!("{n} ({})", r.author),
            None => r.author.to_string(),
        }),
    );
    field("published", Some(&format!("{} UTC", dates::format(r.ts))));
    field("pillars", Some(&pillars(&r.pillars)));
    if let Some(e) = r.expires {
        field("expires", Some(&dates::format_day(e)));
    }
    match &r.content {
        Content::Resource(c) => {
            field("title", Some(&c.title));
            field("type", Some(c.resource_type.as_str()));
            field("summary", c.summary.as_deref());
            field("url", c.url.as_deref());
            field("language", c.language.as_deref());
            field("license", c.license.as_deref());
            field("body", c.body.as_deref());
        }
        Content::Practice(c) => {
            field("title", Some(&c.title));
            field("country", c.country.as_deref());
            field("region", c.region.as_deref());
            field("context", c.context.as_deref());
            field("challenge", c.challenge.as_deref());
            field("approach", Some(&c.approach));
            field("outcome", c.outcome.as_deref());
            field("lessons", c.lessons.as_deref());
            field("url", c.url.as_deref());
        }
        Content::Campaign(c) => {
            field("title", Some(&c.title));
            field("action", Some(c.action.as_str()));
            field("call", Some(&c.call));
            let place = match (&c.place, c.online) {
                (Some(p), true) => format!("{p} and online"),
                (Some(p), false) => p.clone(),
                (None, _) => "online".into(),
            };
            field("where", Some(&place));
            if let Some(s) = c.starts {
                field("starts", Some(&dates::format(s)));
            }
            if let Some(e) = c.ends {
                field("ends", Some(&dates::format(e)));
            }
            field("target", c.target.as_deref());
            field("url", c.url.as_deref());
            field("description", c.description.as_deref());
        }
        Content::Endorsement(c) => {
            field("co-signs", Some(&c.target.to_string()));
            field("statement", c.statement.as_deref());
        }
        Content::Retraction(c) => {
            field("retracts", Some(&c.target.to_string()));
            field("reason", c.reason.as_deref());
        }
        Content::Profile(c) => {
            field("name", Some(&c.name));
            field("website", c.website.as_deref());
            if !c.countries.is_empty() {
                field("countries", Some(&c.countries.join(", ")));
            }
            field("contact", c.contact.as_deref());
            field("description", c.description.as_deref());
        }
    }
    if let Some(s) = r.supersedes {
        field("replaces", Some(&s.to_string()));
    }
    if let Some(s) = d.superseded_by {
        field("replaced by", Some(&s.to_string()));
    }
    if let Some(by) = d.retracted_by {
        field("retracted", Some(&by.to_string()));
    }
    if !d.cosigners.is_empty() {
        println!("co-signed by {} organisation(s):", d.cosigners.len());
        for c in &d.cosigners {
            let name = c.author_name.clone().unwrap_or_else(|| c.author.short());
            match &c.statement {
                Some(s) => println!("    {name}: {}", cut(s, 80)),
                None => println!("    {name}"),
            }
        }
    }
    if !d.history.is_empty() {
        println!("older versions:");
        for h in &d.history {
            println!(
                "    {}  {}  {}",
                h.id.short(),
                dates::format(h.ts),
                cut(&h.content.headline(), 60)
            );
        }
    }
}

/// The end-of-import summary.
pub fn report(r: &IngestReport) {
    println!(
        "{} stored, {} already held, {} rejected",
        r.stored,
        r.duplicate,
        r.rejected_total()
    );
    for (reason, n) in &r.rejected {
        println!("    rejected {n:>6}  {reason}");
    }
}

/// Store counts, for `status`.
pub fn counts(c: &Counts) {
    let kinds: Vec<String> = c.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!("records      {} ({})", c.records, kinds.join(", "));
    if c.retracted > 0 {
        println!("retracted    {}", c.retracted);
    }
    if !c.rejected.is_empty() {
        let r: Vec<String> = c.rejected.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!("rejected     {}", r.join(", "));
    }
}

/// `wsf status` with the node running.
pub fn status(s: &wsf_protocol::api::StatusInfo) {
    println!("node         running");
    println!("peer id      {}", s.peer_id);
    println!("author       {}", s.author);
    println!("network      {}", s.network);
    for a in &s.listen_addrs {
        println!("listening    {a}");
    }
    println!("control API  {} (token in <data>/api.token)", s.api_addr);
    println!("peers        {}", s.peers);
    let p: Vec<&str> = s.pillars.iter().map(Pillar::as_str).collect();
    println!("pillars      {}", p.join(", "));
    counts(&s.counts);
    if !s.since_start.is_empty() {
        let r: Vec<String> = s
            .since_start
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        println!("since start  {}", r.join(", "));
    }
    println!("digest       {}", s.digest);
}

/// One line per event for `wsf watch`.
pub fn event(e: &wsf_protocol::api::NodeEvent) {
    use wsf_protocol::api::NodeEvent;
    match e {
        NodeEvent::RecordStored { source, record } => println!(
            "{}  {:<11} {} {:<9} {}  [{}]",
            dates::format(record.ts),
            "stored",
            record.id.short(),
            record.content.kind().as_str(),
            cut(&record.content.headline(), 60),
            source
        ),
        NodeEvent::RecordRejected {
            source,
            reason,
            peer,
        } => println!(
            "rejected ({reason}) from {source}{}",
            peer.as_deref()
                .map(|p| format!(" peer {p}"))
                .unwrap_or_default()
        ),
        NodeEvent::PeerConnected { peer, address } => println!("peer connected {peer} {address}"),
        NodeEvent::PeerDisconnected { peer } => println!("peer disconnected {peer}"),
        NodeEvent::SyncFinished {
            peer,
            pillar,
            fetched,
            stored,
            pushed,
            bytes,
            error,
        } => println!(
            "synced {pillar} with {peer}: {stored}/{fetched} fetched stored, {pushed} pushed, {bytes} bytes{}",
            error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        ),
    }
}
