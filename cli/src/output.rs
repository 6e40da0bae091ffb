//! Human output (tables, sentences) and `--json` output. JSON goes to stdout, one document per
//! command (`watch` prints one object per line); everything for people goes to stdout too, and
//! progress and warnings to stderr.

use std::io::Write;

use serde::Serialize;
use wsf_protocol::api::{CosignCounts, Cosigner, Counts, IngestReport, RecordDetail, RecordInfo};
use wsf_protocol::display::{self, AuthorView, Trust};
use wsf_protocol::{Content, Pillar};

use crate::dates;

/// Prints a value as pretty JSON on stdout.
pub fn json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// A peer's one-line text, made safe ([`display::neutralise_line`]) and cut to `max`.
fn cut(s: &str, max: usize) -> String {
    display::cut(&display::neutralise_line(s), max)
}

fn pillars(ps: &[Pillar]) -> String {
    ps.iter().map(Pillar::as_str).collect::<Vec<_>>().join(",")
}

/// The author as this node shows it ([`display::AuthorView::label`]), cut to `max` without
/// losing its marker.
fn who(author: &wsf_protocol::AuthorId, view: Option<&AuthorView>, max: usize) -> String {
    match view {
        Some(v) => display::cut_label(v, max),
        None => display::cut(
            &format!("unknown author ({})", display::fingerprint(author)),
            max,
        ),
    }
}

/// "co-signed by 2 partners, 7 others (+1 on an earlier version)", or nothing.
fn cosigned(c: Option<&CosignCounts>, endorsements: u64) -> Option<String> {
    let c = c.copied().unwrap_or(CosignCounts {
        others: endorsements,
        ..CosignCounts::default()
    });
    if c.partners + c.others + c.earlier == 0 {
        return None;
    }
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut text = format!(
        "co-signed by {}, {}",
        plural(c.partners, "partner", "partners"),
        plural(c.others, "other", "others")
    );
    if c.earlier > 0 {
        text.push_str(&format!(" (+{} on an earlier version)", c.earlier));
    }
    Some(text)
}

/// Markers of a record's state in time: `expired`, `ended`.
fn state(r: &RecordInfo) -> Option<&'static str> {
    if r.expired {
        Some("expired")
    } else if r.ended {
        Some("ended")
    } else {
        None
    }
}

/// The `list` table.
pub fn table(items: &[RecordInfo], next: Option<&str>) {
    if items.is_empty() {
        println!("No records match.");
        return;
    }
    println!(
        "{:<12}  {:<9}  {:<16}  {:<60}  {:<24}  TITLE",
        "ID", "KIND", "DATE (UTC)", "AUTHOR", "PILLARS"
    );
    for r in items {
        let mut title = cut(&r.content.headline(), 60);
        if let Some(s) = state(r) {
            title = format!("[{s}] {title}");
        }
        if let Some(c) = cosigned(r.cosigned.as_ref(), r.endorsements) {
            title.push_str(&format!("  [{c}]"));
        }
        println!(
            "{:<12}  {:<9}  {:<16}  {:<60}  {:<24}  {}",
            r.id.short(),
            r.content.kind().as_str(),
            dates::format(r.ts),
            who(&r.author, r.author_info.as_ref(), 60),
            cut(&pillars(&r.pillars), 24),
            title
        );
    }
    if let Some(next) = next {
        println!("More: --cursor {next}");
    }
}

/// One field of `show`; a peer's text is neutralised (multi-line text keeps its lines).
fn field(label: &str, value: Option<&str>) {
    if let Some(v) = value {
        if v.contains('\n') {
            println!("{label}:");
            for line in display::neutralise_text(v).lines() {
                println!("    {line}");
            }
        } else {
            println!("{label:<12} {}", display::neutralise_line(v));
        }
    }
}

fn cosigner_line(c: &Cosigner, earlier: bool) {
    let name = who(&c.author, c.author_info.as_ref(), 120);
    let on = if earlier {
        format!(" [on earlier version {}]", c.version.short())
    } else {
        String::new()
    };
    match &c.statement {
        Some(s) => println!("    {name}{on}: {}", cut(s, 80)),
        None => println!("    {name}{on}"),
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
    match state(r) {
        Some(s) => println!(
            "{}  {}  [{}]",
            r.content.kind().as_str().to_uppercase(),
            r.id,
            s.to_uppercase()
        ),
        None => println!("{}  {}", r.content.kind().as_str().to_uppercase(), r.id),
    }
    println!(
        "{:<12} {}",
        "author",
        who(&r.author, r.author_info.as_ref(), 200)
    );
    println!("{:<12} {}", "key", r.author);
    if let Some(v) = &r.author_info
        && !v.same_name_as.is_empty()
    {
        println!(
            "{:<12} other authors use the same or a look-alike name:",
            "warning"
        );
        for a in &v.same_name_as {
            println!("    {a}");
        }
    }
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
    let partner = |c: &&Cosigner| {
        matches!(
            c.author_info.as_ref().map(|v| v.trust),
            Some(Trust::You | Trust::Partner)
        )
    };
    let (partners, others): (Vec<&Cosigner>, Vec<&Cosigner>) =
        d.cosigners.iter().partition(partner);
    if !partners.is_empty() {
        println!("co-signed by {} partner(s):", partners.len());
        partners.iter().for_each(|c| cosigner_line(c, false));
    }
    if !others.is_empty() {
        println!("co-signed by {} other organisation(s):", others.len());
        others.iter().for_each(|c| cosigner_line(c, false));
    }
    if !d.earlier_cosigners.is_empty() {
        println!(
            "co-signed an earlier version only ({}; not counted for this text):",
            d.earlier_cosigners.len()
        );
        for c in &d.earlier_cosigners {
            cosigner_line(c, true);
        }
    }
    if !d.history.is_empty() {
        println!("older versions:");
        for h in &d.history {
            println!(
                "    {}  {}  {}{}",
                h.id.short(),
                dates::format(h.ts),
                cut(&h.content.headline(), 60),
                cosigned(h.cosigned.as_ref(), h.endorsements)
                    .map(|c| format!("  [{c}]"))
                    .unwrap_or_default()
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
    if r.expired > 0 {
        println!(
            "    expired {:>7}  (past their expiry date: not kept, not an error)",
            r.expired
        );
    }
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
    println!(
        "search index {:.0} KiB",
        c.search_index_bytes as f64 / 1024.0
    );
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
    println!(
        "data dir     {}",
        if s.encrypted {
            "encrypted"
        } else {
            "NOT encrypted (wsf encrypt, with the node stopped)"
        }
    );
    for a in &s.listen_addrs {
        println!("listening    {a}");
    }
    println!("control API  {} (token in <data>/api.token)", s.api_addr);
    println!("peers        {}", s.peers);
    for b in &s.bootstrap {
        let state = match (&b.last_error, b.connected) {
            (_, true) => "connected".to_owned(),
            (Some(e), false) => format!("unreachable: {e}"),
            (None, false) => "not connected yet".to_owned(),
        };
        println!("bootstrap    {}  {state}", b.addr);
    }
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
            "{}  {:<11} {} {:<9} {}  by {}  [{}]",
            dates::format(record.ts),
            "stored",
            record.id.short(),
            record.content.kind().as_str(),
            cut(&record.content.headline(), 60),
            who(&record.author, record.author_info.as_ref(), 60),
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
        NodeEvent::PeerConnected { peer, address, .. } => {
            println!("peer connected {peer} {address}")
        }
        NodeEvent::PeerDisconnected { peer } => println!("peer disconnected {peer}"),
        NodeEvent::PeerLearned {
            peer,
            addresses,
            via,
        } => println!(
            "peer learned {} via {} at {}",
            cut(peer, 60),
            cut(via, 12),
            addresses
                .iter()
                .map(|a| cut(a, 120))
                .collect::<Vec<_>>()
                .join(" ")
        ),
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
