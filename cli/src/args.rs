//! The command line (clap). `--data-dir` and `--json` are global: accepted before or after the
//! subcommand.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use wsf_protocol::{Action, Kind, Pillar, ResourceType};

use crate::dates;

/// wsf — the World Solidarity Forum node: share resources, good practices and campaign calls
/// between human-rights organisations, signed, replicated, with no central server.
#[derive(Debug, Parser)]
#[command(name = "wsf", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Data directory (keys, store). Default: $WSF_DATA_DIR, else ~/.local/share/wsf.
    #[arg(long, global = true, env = "WSF_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Print machine-readable JSON instead of tables and sentences.
    #[arg(long, global = true)]
    pub json: bool,

    /// An encrypted data dir's passphrase, from this file (its first line end is not part of
    /// it). Default: $WSF_PASSPHRASE_FILE, else the systemd credential wsf.passphrase, else the
    /// terminal asks.
    #[arg(long, global = true, env = "WSF_PASSPHRASE_FILE", value_name = "PATH")]
    pub passphrase_file: Option<PathBuf>,

    /// Read the passphrase from this open file descriptor (e.g. 3 with `3<secret`).
    #[arg(
        long,
        global = true,
        value_name = "FD",
        conflicts_with = "passphrase_file"
    )]
    pub passphrase_fd: Option<u32>,

    /// Log more (-v: details, including peers' addresses; -vv: everything). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the node in the foreground until Ctrl-C (creates identity and store on first run).
    Node(NodeArgs),
    /// Create this organisation's identity (and, with --name, publish its profile).
    Init(InitArgs),
    /// Show this organisation's author key.
    Id,
    /// Give the store's free space back to the disk (after large deletions, such as blocking an
    /// author). Run it with the node stopped.
    Compact,
    /// Sign and publish a record.
    #[command(subcommand)]
    Publish(PublishCmd),
    /// Co-sign another organisation's record (a campaign call, a resource…).
    Endorse {
        /// Record id or a unique prefix of it (at least 4 characters).
        id: String,
        /// A short statement published with the co-signature.
        #[arg(long)]
        statement: Option<String>,
    },
    /// Withdraw one of your own records: every node drops its content.
    Retract {
        /// Record id or a unique prefix of it.
        id: String,
        /// Why (published with the retraction).
        #[arg(long)]
        reason: Option<String>,
    },
    /// List records, newest first.
    List(ListArgs),
    /// Find records by words of their titles and texts, in any script, newest first.
    Search(SearchArgs),
    /// Show one record with its co-signers.
    Show {
        /// Record id or a unique prefix of it.
        id: String,
        /// Also show the older versions it replaced.
        #[arg(long)]
        history: bool,
    },
    /// Write records to a bundle file (for a USB stick or a backup). This command writes the
    /// file, also while the node runs.
    Export {
        /// The bundle file to write (it appears only when complete).
        file: PathBuf,
        /// Only records on these pillars (repeatable; default: all).
        #[arg(long = "pillar", value_name = "PILLAR")]
        pillars: Vec<Pillar>,
        /// File mode in octal (default 600: only you can read it).
        #[arg(long, value_name = "OCTAL", value_parser = parse_mode)]
        mode: Option<u32>,
        /// Encrypt the bundle to a passphrase (asked twice on a terminal), for a medium that
        /// may be lost. It is the bundle's own passphrase, not the data dir's.
        #[arg(long)]
        encrypt: bool,
        /// Read the bundle's passphrase from this file (the first line) instead of asking.
        #[arg(long, value_name = "PATH", requires = "encrypt")]
        bundle_passphrase_file: Option<PathBuf>,
    },
    /// Read a bundle file: verify every record and store the good ones. Fails (exit 1) when
    /// none of its records could be imported. An encrypted bundle needs its passphrase.
    Import {
        /// The bundle file to read.
        file: PathBuf,
        /// An encrypted bundle's passphrase is in this file (else it is asked on a terminal).
        #[arg(long, value_name = "PATH")]
        bundle_passphrase_file: Option<PathBuf>,
    },
    /// Is the node running? Its peers, pillars and record counts. Exit code 3 when it is not
    /// running (the store's counts are still shown).
    Status,
    /// Peers the running node is connected to.
    Peers,
    /// Connect the running node to a peer; waits until the connection opens or fails.
    Dial {
        /// A multiaddr, e.g. /ip4/192.0.2.7/tcp/7654/p2p/12D3Koo…
        addr: String,
    },
    /// Receive records of a pillar from now on (saved in config.json).
    Subscribe {
        #[arg(required_unless_present = "new_pillar")]
        pillar: Option<Pillar>,
        /// Follow a pillar this node does not know yet (not well known, held or followed).
        #[arg(long = "new-pillar", value_name = "SLUG", conflicts_with = "pillar")]
        new_pillar: Option<Pillar>,
    },
    /// Stop receiving records of a pillar (saved in config.json).
    Unsubscribe { pillar: Pillar },
    /// Print records and peer events as they happen (--json: one object per line). Exits with
    /// code 3 when the node stops.
    Watch,
    /// Catch up now: reconcile every subscribed pillar with a peer (default: every connected
    /// peer) and fetch what is missing.
    Sync {
        /// A connected peer's id.
        peer: Option<String>,
    },
    /// Closed networks: create one (this node then only talks to nodes with its key).
    #[command(subcommand)]
    Network(NetworkCmd),
    /// Invite another organisation into this closed network.
    #[command(subcommand)]
    Invite(InviteCmd),
    /// Configure this (fresh) node from an invite code: network, key, bootstrap, first partner.
    Join {
        /// The code from `wsf invite create` (spaces and line breaks are ignored).
        code: String,
    },
    /// Partners (whose records a node under policy `partners` accepts) and blocked authors.
    #[command(subcommand)]
    Partners(PartnersCmd),
    /// Open the web page of the running node in your browser, logged in (a single-use link,
    /// valid for 60 seconds).
    Ui {
        /// Print the link instead of opening it (--json: {"url": …}).
        #[arg(long)]
        no_open: bool,
        /// Fail (exit 3) when no node runs, instead of starting one in the background.
        #[arg(long)]
        no_start: bool,
    },
    /// Encrypt this plain data dir under a passphrase (the node stopped): the store, the keys
    /// and the settings, nothing lost. A run cut short is finished by running it again.
    Encrypt,
    /// Change the passphrase of an encrypted data dir (only its key slot is rewritten).
    Passphrase {
        /// Read the new passphrase from this file (default: asked twice on the terminal).
        #[arg(long, value_name = "PATH")]
        new_passphrase_file: Option<PathBuf>,
        /// Set a duress passphrase instead: typed where the passphrase is asked, it erases the
        /// data dir (as `wsf panic`) and answers as a wrong passphrase does.
        #[arg(long)]
        duress: bool,
    },
    /// Back up or restore the organisation's key, encrypted under a backup passphrase.
    #[command(subcommand)]
    Identity(IdentityCmd),
    /// Erase this data dir now: destroys the key slot of an encrypted data dir (so nothing in it
    /// can be read any more), deletes its files and stops the running node. Cannot be undone.
    Panic {
        /// Yes, erase it (required: there is no confirmation question, so that it is fast).
        #[arg(long)]
        yes: bool,
    },
    /// Add wsf to the desktop's applications menu (a "World Solidarity Forum" entry that starts
    /// the node if needed and opens the web page), optionally starting the node at login.
    #[command(subcommand)]
    Desktop(DesktopCmd),
    /// Measure this machine (see docs/benchmarks.md).
    #[command(subcommand)]
    Bench(BenchCmd),
}

#[derive(Debug, Args)]
pub struct NodeArgs {
    /// Address to listen on (repeatable). Default: /ip4/0.0.0.0/tcp/7654. /tcp/0 picks a port.
    /// A port another process holds is refused.
    #[arg(long = "listen", value_name = "MULTIADDR")]
    pub listen: Vec<libp2p::Multiaddr>,
    /// A peer to connect to and stay connected to (repeatable; also `bootstrap` in config.json).
    #[arg(long = "bootstrap", value_name = "MULTIADDR")]
    pub bootstrap: Vec<libp2p::Multiaddr>,
    /// Find and announce nodes on the local network (mDNS). Off by default: it tells everyone on
    /// the LAN that a wsf node runs here.
    #[arg(long)]
    pub lan: bool,
    /// Pillars to receive (repeatable; saved; default: all well-known pillars).
    #[arg(long = "pillar", value_name = "PILLAR")]
    pub pillars: Vec<Pillar>,
    /// A new pillar to receive, not known to this node yet (repeatable; saved).
    #[arg(long = "new-pillar", value_name = "SLUG")]
    pub new_pillars: Vec<Pillar>,
    /// Control API address for scripts and the web page, loopback only (bearer token in
    /// <data>/api.token). Default: 127.0.0.1:7655, or a free port when that one is taken.
    #[arg(long, value_name = "ADDR")]
    pub api_listen: Option<std::net::SocketAddr>,
    /// On a closed network, where new members exchange their invite for the network's key
    /// (`door_listen` in config.json). Default: the first --listen address's IP, port + 2
    /// (7656), or a free port when --listen picks one.
    #[arg(long, value_name = "ADDR")]
    pub door_listen: Option<std::net::SocketAddr>,
    /// Serve as an anchor: relay circuits for members behind NAT and be their rendezvous
    /// point (needs a public address, given with --external-address; saved as `anchor`).
    #[arg(long)]
    pub anchor: bool,
    /// An address others reach this node at (a public IP and the p2p port, e.g.
    /// /ip4/203.0.113.10/tcp/7654; repeatable; saved as `external_addresses`).
    #[arg(long = "external-address", value_name = "MULTIADDR")]
    pub external_addresses: Vec<libp2p::Multiaddr>,
    /// Seconds between catch-up syncs with a random connected peer (default: 60, or
    /// `sync_interval_secs` in config.json). Sync also runs on every new connection.
    #[arg(long, value_name = "SECONDS")]
    pub sync_interval: Option<u64>,
    /// An encrypted data dir whose passphrase no file, descriptor or credential gives: start
    /// locked and wait for it on the web page (`wsf ui` opens it), instead of failing. The
    /// page is served on --api-listen, else 127.0.0.1:7655 (or a free port).
    #[arg(long)]
    pub unlock_on_page: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The organisation's name; publishes its profile.
    #[arg(long)]
    pub name: Option<String>,
    /// What the organisation does (or @FILE; @@ for a leading @).
    #[arg(long)]
    pub description: Option<String>,
    /// Its web site (https://…).
    #[arg(long)]
    pub website: Option<String>,
    /// A country or region it works in (repeatable).
    #[arg(long = "country", value_name = "COUNTRY")]
    pub countries: Vec<String>,
    /// How to reach it.
    #[arg(long)]
    pub contact: Option<String>,
    /// Pillars it works on (repeatable; default: all well-known pillars).
    #[arg(long = "pillar", value_name = "PILLAR")]
    pub pillars: Vec<Pillar>,
    /// Encrypt the data dir under a passphrase (asked twice, or --passphrase-file): the store,
    /// the keys and the settings. Recommended for anyone whose laptop may be seized.
    #[arg(long)]
    pub encrypt: bool,
}

/// `wsf identity …`.
#[derive(Debug, Subcommand)]
pub enum IdentityCmd {
    /// Write the organisation's key to FILE, encrypted under a backup passphrase.
    Export {
        /// The backup file to write (never overwritten).
        file: PathBuf,
        /// Read the backup passphrase from this file (default: asked twice on the terminal).
        #[arg(long, value_name = "PATH")]
        backup_passphrase_file: Option<PathBuf>,
        /// Encrypted (always; accepted for clarity).
        #[arg(long)]
        encrypt: bool,
    },
    /// Take the organisation's key from a backup FILE, into a data dir without an identity.
    Import {
        /// The backup file `wsf identity export` wrote.
        file: PathBuf,
        /// Read the backup passphrase from this file (default: asked on the terminal).
        #[arg(long, value_name = "PATH")]
        backup_passphrase_file: Option<PathBuf>,
    },
}

/// Flags every published record has.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Pillar(s) to publish on (repeatable): womens-rights, education, gender-equality,
    /// poverty-hunger, state-military-oppression, human-rights-violations, or a pillar this
    /// node already holds or follows.
    #[arg(
        long = "pillar",
        value_name = "PILLAR",
        required_unless_present = "new_pillars"
    )]
    pub pillars: Vec<Pillar>,
    /// Start a new pillar (repeatable): a slug nobody may follow yet. Without it, an unknown
    /// pillar is refused (it would reach nobody).
    #[arg(long = "new-pillar", value_name = "SLUG")]
    pub new_pillars: Vec<Pillar>,
    /// When the record stops being relevant: nodes drop it after this date (YYYY-MM-DD or
    /// YYYY-MM-DDTHH:MM in UTC, or with an offset: 2027-03-01T18:30+03:00).
    #[arg(long, value_parser = dates::parse, value_name = "DATE")]
    pub expires: Option<u64>,
    /// An earlier record of yours that this one replaces (id or prefix).
    #[arg(long, value_name = "ID")]
    pub supersedes: Option<String>,
    /// A record this one refers to (repeatable; id or prefix).
    #[arg(long = "ref", value_name = "ID")]
    pub refs: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum PublishCmd {
    /// A guide, report, toolkit or link.
    Resource {
        #[command(flatten)]
        common: CommonArgs,
        /// Its title (one line, at most 200 characters).
        #[arg(long)]
        title: String,
        /// guide, report, toolkit, link or other.
        #[arg(long = "type", value_parser = parse_resource_type, default_value = "guide")]
        resource_type: ResourceType,
        /// A few sentences on what it is (or @FILE; @@ for a leading @).
        #[arg(long)]
        summary: Option<String>,
        /// The full text, at most 16 KiB (or @FILE, @- for standard input; @@ for a leading @).
        #[arg(long)]
        body: Option<String>,
        /// Read the full text from this file.
        #[arg(long, conflicts_with = "body", value_name = "FILE")]
        body_file: Option<PathBuf>,
        /// Where to find it (https://…).
        #[arg(long)]
        url: Option<String>,
        /// Language tag (en, fr, pt-BR…).
        #[arg(long)]
        language: Option<String>,
        /// Its licence (CC-BY-4.0, …).
        #[arg(long)]
        license: Option<String>,
    },
    /// A good case practice: what was done, where, and what others can learn.
    Practice {
        #[command(flatten)]
        common: CommonArgs,
        /// Its title (one line, at most 200 characters).
        #[arg(long)]
        title: String,
        /// What was done (or @FILE).
        #[arg(long)]
        approach: String,
        /// The situation (or @FILE).
        #[arg(long)]
        context: Option<String>,
        /// The country where it was done.
        #[arg(long)]
        country: Option<String>,
        /// The region or city.
        #[arg(long)]
        region: Option<String>,
        /// The problem faced (or @FILE).
        #[arg(long)]
        challenge: Option<String>,
        /// What came of it (or @FILE).
        #[arg(long)]
        outcome: Option<String>,
        /// Lessons learned (or @FILE).
        #[arg(long)]
        lessons: Option<String>,
        /// Where to read more (https://…).
        #[arg(long)]
        url: Option<String>,
    },
    /// A campaign call: online campaign, seminar, fundraising, advocacy, awareness event.
    Campaign {
        #[command(flatten)]
        common: CommonArgs,
        /// Its title (one line, at most 200 characters).
        #[arg(long)]
        title: String,
        /// online-campaign, seminar, fundraising, advocacy, awareness-event or other.
        #[arg(long, value_parser = parse_action)]
        action: Action,
        /// The call to action: what readers should do (or @FILE; @@ for a leading @).
        #[arg(long)]
        call: String,
        /// People take part online.
        #[arg(long)]
        online: bool,
        /// Where it happens (needed unless --online).
        #[arg(long)]
        place: Option<String>,
        /// More about it (or @FILE).
        #[arg(long)]
        description: Option<String>,
        /// Start (YYYY-MM-DD or YYYY-MM-DDTHH:MM in UTC, or with an offset or zone:
        /// 2027-03-01T18:30+03:00, 2027-03-01T18:30[Africa/Nairobi]).
        #[arg(long, value_parser = dates::parse, value_name = "DATE")]
        starts: Option<u64>,
        /// End (a date alone means the end of that day, UTC; or a time as for --starts).
        #[arg(long, value_parser = dates::parse_end, value_name = "DATE")]
        ends: Option<u64>,
        /// Whom the campaign addresses.
        #[arg(long)]
        target: Option<String>,
        /// Where to take part or read more (https://…).
        #[arg(long)]
        url: Option<String>,
    },
    /// Your organisation's card (the newest one wins).
    Profile {
        /// Pillar(s) the organisation works on (repeatable; default: all well-known).
        #[arg(long = "pillar", value_name = "PILLAR")]
        pillars: Vec<Pillar>,
        /// The organisation's name as it calls itself.
        #[arg(long)]
        name: String,
        /// What the organisation does (or @FILE; @@ for a leading @).
        #[arg(long)]
        description: Option<String>,
        /// Its web site (https://…).
        #[arg(long)]
        website: Option<String>,
        /// A country or region it works in (repeatable).
        #[arg(long = "country", value_name = "COUNTRY")]
        countries: Vec<String>,
        /// How to reach it (an address, a handle).
        #[arg(long)]
        contact: Option<String>,
    },
}

/// What `list` and `search` both filter and page by.
#[derive(Debug, Args)]
pub struct Filters {
    /// Only these pillars (repeatable).
    #[arg(long = "pillar", value_name = "PILLAR")]
    pub pillars: Vec<Pillar>,
    /// Only these kinds (repeatable; default: resource, practice, campaign).
    #[arg(long = "kind", value_name = "KIND", value_parser = parse_kind)]
    pub kinds: Vec<Kind>,
    /// Only this author: a key, a unique key prefix, or a partner's local name.
    #[arg(long)]
    pub author: Option<String>,
    /// At most this many records (1 to 10,000).
    #[arg(long, default_value_t = 50, value_parser = parse_limit)]
    pub limit: usize,
    /// Continue after a previous page: the cursor the table printed, or with --json the
    /// `cursor` of the last element.
    #[arg(long)]
    pub cursor: Option<String>,
    /// Include records replaced by newer versions.
    #[arg(long)]
    pub all: bool,
    /// Include records whose expiry date has passed (marked "expired"; kept 30 days).
    #[arg(long)]
    pub include_expired: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filters: Filters,
    /// Only records from this date on (YYYY-MM-DD is midnight UTC; offsets accepted).
    #[arg(long, value_parser = dates::parse, value_name = "DATE")]
    pub since: Option<u64>,
    /// Only records up to this date (a date alone includes that whole day, UTC).
    #[arg(long, value_parser = dates::parse_end, value_name = "DATE")]
    pub until: Option<u64>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The words to find: a record matches when it holds all of them (case, accents and Arabic
    /// letter forms do not matter; Chinese, Japanese, Korean and Thai match by characters).
    #[arg(required = true, num_args = 1..)]
    pub text: Vec<String>,
    #[command(flatten)]
    pub filters: Filters,
}

#[derive(Debug, Subcommand)]
pub enum BenchCmd {
    /// Full-text search over a store of many records in several languages and scripts: query
    /// times (p50/p99) and the index's size next to the store's.
    Search {
        /// Records in the store searched.
        #[arg(long, default_value_t = 100_000)]
        records: usize,
        /// Queries timed (spread over words of every language of the corpus).
        #[arg(long, default_value_t = 1_000)]
        queries: usize,
    },
    /// How long the web page's main pages take to render over a store of many records, in
    /// English and Arabic (through the page's router in this process; no browser).
    Web {
        /// Records in the store.
        #[arg(long, default_value_t = 100_000)]
        records: usize,
        /// Requests timed per page and language.
        #[arg(long, default_value_t = 50)]
        runs: usize,
    },
    /// Full ingest rate against the raw ed25519 verification rate, in one run.
    Ingest {
        /// Records to generate and ingest.
        #[arg(long, default_value_t = 20_000)]
        records: usize,
        /// Rounds; medians are reported.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Also ingest into an encrypted store in each round, and give its ratio to plain.
        #[arg(long)]
        encrypted: bool,
    },
    /// Time `wsf panic` through a running node on an encrypted store: from the request to the
    /// node process gone.
    Panic {
        /// Records in the store.
        #[arg(long, default_value_t = 100_000)]
        records: usize,
    },
    /// `wsf import` and `wsf export` through the control API against the store's own import
    /// and export, in one run.
    Transfer {
        /// Records to generate, import and export.
        #[arg(long, default_value_t = 20_000)]
        records: usize,
        /// Rounds; medians are reported.
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Catch-up speed and reconciliation cost between two real nodes on loopback.
    Sync {
        /// Records the nodes hold in common (and the fresh node catches up).
        #[arg(long, default_value_t = 100_000)]
        records: usize,
        /// Records each node holds that the other lacks.
        #[arg(long, default_value_t = 100)]
        diff: usize,
    },
    /// How the costs grow: ingest, store size, `list`/`show` latency, reconciliation and
    /// catch-up at several store sizes, then gossip at several network sizes (long: the
    /// defaults take about 15 minutes and 10 GB of temporary disk).
    Scale {
        /// Store sizes, in records.
        #[arg(long, value_delimiter = ',', default_values_t = [10_000, 100_000, 1_000_000])]
        sizes: Vec<usize>,
        /// Records each of two nodes holds that the other lacks, for the reconciliation.
        #[arg(long, default_value_t = 100)]
        diff: usize,
        /// Timed `list` calls and `show` calls per store size.
        #[arg(long, default_value_t = 400)]
        lookups: usize,
        /// Network sizes for gossip, in nodes (in this process, on 127.0.0.1).
        #[arg(long, value_delimiter = ',', default_values_t = [20, 50, 100])]
        nodes: Vec<usize>,
        /// Measure the store sizes only, no gossip.
        #[arg(long)]
        no_gossip: bool,
        /// Records published in each gossip run, at 10 per second.
        #[arg(long, default_value_t = 200)]
        gossip_records: usize,
    },
    /// Publish-to-every-node latency and delivery of gossip between real nodes on loopback.
    Gossip {
        /// Nodes to start (in this process, on 127.0.0.1).
        #[arg(long, default_value_t = 20)]
        nodes: usize,
        /// Records to publish, from random nodes.
        #[arg(long, default_value_t = 200)]
        records: usize,
        /// Records per second; 0 publishes them all at once (a burst).
        #[arg(long, default_value_t = 10.0)]
        rate: f64,
        /// Seed of the random mesh and of the choice of publishers.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

fn parse_limit(s: &str) -> Result<usize, String> {
    let n: usize = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if n == 0 || n > wsf_node::service::MAX_LIST_LIMIT {
        return Err(format!(
            "the limit must be between 1 and {}; page with --cursor",
            wsf_node::service::MAX_LIST_LIMIT
        ));
    }
    Ok(n)
}

fn parse_mode(s: &str) -> Result<u32, String> {
    u32::from_str_radix(s, 8)
        .ok()
        .filter(|m| *m <= 0o777)
        .ok_or_else(|| format!("{s:?} is not a file mode (octal, e.g. 600 or 644)"))
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown kind {s:?}; one of {}", all.join(", "))
    })
}

fn parse_action(s: &str) -> Result<Action, String> {
    Action::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Action::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown action {s:?}; one of {}", all.join(", "))
    })
}

fn parse_resource_type(s: &str) -> Result<ResourceType, String> {
    ResourceType::parse(s).ok_or_else(|| {
        let all: Vec<&str> = ResourceType::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown resource type {s:?}; one of {}", all.join(", "))
    })
}

#[derive(Debug, Subcommand)]
pub enum DesktopCmd {
    /// Write the menu entry (and, with --autostart, a systemd user unit for the node).
    Install {
        /// Also start the node at login (writes ~/.config/systemd/user/wsf.service and enables
        /// it when systemctl is there).
        #[arg(long)]
        autostart: bool,
    },
    /// Remove the menu entry and the autostart unit.
    Remove,
}

#[derive(Debug, Subcommand)]
pub enum NetworkCmd {
    /// Make this node the first of a new closed network (random id and pre-shared key).
    Create {
        /// A name for people (the network's id is random).
        name: String,
    },
    /// Which network this node is on.
    Show,
    /// Who is in this closed network, who brought them in, and who was removed.
    Members,
    /// The network's admins: they can remove members and change the key.
    #[command(subcommand)]
    Admin(AdminCmd),
    /// Remove a member (admins only): its nodes are disconnected from every node and refused
    /// from then on. Change the key afterwards (`wsf network rekey`).
    Remove {
        /// The member's author key, at least its first 8 hex characters, or a partner's name.
        author: String,
    },
    /// Leave the network: this organisation's nodes are refused by the others from then on.
    Leave {
        /// Confirm: leaving cannot be undone without a new invite.
        #[arg(long)]
        yes: bool,
    },
    /// Change the network's pre-shared key (admins only): a new key, sealed to every current
    /// member; the old one is still accepted for the grace period, then refused.
    Rekey {
        /// How long nodes still accept the old key (`7d`, `12h`, `30m`; default 7 days).
        #[arg(long, value_name = "DURATION")]
        grace: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCmd {
    /// Make a member an admin (admins only). Name at least two, so that one seized laptop
    /// does not end the network.
    Add {
        /// The member's author key, at least its first 8 hex characters, or a partner's name.
        author: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum InviteCmd {
    /// Print an invite code (and its QR code) for this closed network. Needs the node running:
    /// the code does not carry the network's key; this node gives it to whoever uses the code,
    /// while the invite is open.
    Create {
        /// Days until the invite closes (0: never).
        #[arg(long, default_value_t = 7, conflicts_with = "until")]
        expires: u64,
        /// Or a date and time it closes (`2027-03-01T18:00`, UTC unless an offset is given).
        #[arg(long, value_name = "DATETIME")]
        until: Option<String>,
        /// How many new nodes may join with it.
        #[arg(long, default_value_t = 1)]
        uses: u32,
    },
    /// The invites this node issued: open, used up, expired or revoked, and who joined.
    List,
    /// Close an invite now: nobody can join with its code any more.
    Revoke {
        /// The invite's id (at least its first 4 characters, as `wsf invite list` shows).
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PartnersCmd {
    /// Accept this author's records (under policy `partners`).
    Add {
        /// A key, a unique key prefix, or a partner's local name.
        author: String,
        /// The name this node shows for it (unique; not all hex).
        #[arg(long)]
        name: Option<String>,
    },
    /// Take an author off the list (partner or blocked).
    Remove {
        /// A key, a unique key prefix, or a partner's local name.
        author: String,
    },
    /// Refuse this author's records from now on, and delete those held.
    Block {
        /// A key, a unique key prefix, or a partner's local name.
        author: String,
        /// A name this node keeps for it on the list (unique; not all hex).
        #[arg(long)]
        name: Option<String>,
    },
    /// Partners and blocked authors.
    List,
    /// Show or set whose records this node accepts.
    Policy {
        /// `open` (any valid record) or `partners`.
        policy: Option<String>,
        /// Under `partners`: co-signatures of partners on an author's profile that make it
        /// trusted (at least 1; to accept everyone, use policy `open`).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        trust: Option<u32>,
        /// Most records per author within an hour (at least 1; to refuse an author, block it).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        quota: Option<u32>,
    },
}
