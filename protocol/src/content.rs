//! The six record kinds and their content fields.
//!
//! The wire form of each content is a CBOR map whose keys are the field names below (snake_case,
//! as in the `serde` JSON form). Optional fields are left out when absent, never sent empty.

use ciborium::Value;
use serde::{Deserialize, Serialize};

use crate::fields::{Fields, MapBuilder, SchemaError};
use crate::ids::RecordId;

/// What a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Resource,
    Practice,
    Campaign,
    Endorsement,
    Retraction,
    Profile,
}

impl Kind {
    /// All kinds, in a fixed order.
    pub const ALL: [Kind; 6] = [
        Kind::Resource,
        Kind::Practice,
        Kind::Campaign,
        Kind::Endorsement,
        Kind::Retraction,
        Kind::Profile,
    ];

    /// The name used on the wire and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Resource => "resource",
            Kind::Practice => "practice",
            Kind::Campaign => "campaign",
            Kind::Endorsement => "endorsement",
            Kind::Retraction => "retraction",
            Kind::Profile => "profile",
        }
    }

    /// The kind named `s`.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Kind {
    type Err = SchemaError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::parse(s).ok_or_else(|| SchemaError::UnknownKind(s.to_owned()))
    }
}

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:expr),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in a fixed order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire and command-line name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The value named `s`.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// What sort of resource is shared.
    ResourceType {
        Guide = "guide",
        Report = "report",
        Toolkit = "toolkit",
        Link = "link",
        Other = "other",
    }
);

text_enum!(
    /// What a campaign call asks people to do.
    Action {
        OnlineCampaign = "online-campaign",
        Seminar = "seminar",
        Fundraising = "fundraising",
        Advocacy = "advocacy",
        AwarenessEvent = "awareness-event",
        Other = "other",
    }
);

/// A guide, report, toolkit or link shared with the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    pub title: String,
    #[serde(rename = "type")]
    pub resource_type: ResourceType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// BCP 47 language tag of the resource (`en`, `fr`, `pt-BR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
}

/// A good case practice: what was done somewhere, and what others can learn from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Practice {
    pub title: String,
    /// What was done.
    pub approach: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lessons: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A campaign call: an online campaign, seminar, fundraising, advocacy or awareness event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    pub title: String,
    pub action: Action,
    /// The call to action: what the reader should do.
    pub call: String,
    /// Whether people take part online.
    pub online: bool,
    /// Where it happens, when not (only) online.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Start, ms since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts: Option<u64>,
    /// End, ms since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<u64>,
    /// Whom the campaign addresses (a ministry, a parliament, a company).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// An organisation co-signs another record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endorsement {
    pub target: RecordId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
}

/// The author withdraws one of its own records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retraction {
    pub target: RecordId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// An organisation's card. The newest profile of an author wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Countries or regions where the organisation works.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// How to reach the organisation (an address, a handle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

/// The content of a record, one variant per kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Content {
    Resource(Resource),
    Practice(Practice),
    Campaign(Campaign),
    Endorsement(Endorsement),
    Retraction(Retraction),
    Profile(Profile),
}

impl Content {
    /// The kind of this content.
    pub fn kind(&self) -> Kind {
        match self {
            Content::Resource(_) => Kind::Resource,
            Content::Practice(_) => Kind::Practice,
            Content::Campaign(_) => Kind::Campaign,
            Content::Endorsement(_) => Kind::Endorsement,
            Content::Retraction(_) => Kind::Retraction,
            Content::Profile(_) => Kind::Profile,
        }
    }

    /// A one-line summary for tables: the title, name or target.
    pub fn headline(&self) -> String {
        match self {
            Content::Resource(r) => r.title.clone(),
            Content::Practice(p) => p.title.clone(),
            Content::Campaign(c) => c.title.clone(),
            Content::Endorsement(e) => format!("co-signs {}", e.target.short()),
            Content::Retraction(r) => format!("retracts {}", r.target.short()),
            Content::Profile(p) => p.name.clone(),
        }
    }

    /// The record this content points at (endorsements and retractions).
    pub fn target(&self) -> Option<RecordId> {
        match self {
            Content::Endorsement(e) => Some(e.target),
            Content::Retraction(r) => Some(r.target),
            _ => None,
        }
    }

    pub(crate) fn to_value(&self) -> Value {
        let m = MapBuilder::default();
        match self {
            Content::Resource(r) => m
                .put("title", r.title.as_str())
                .put("type", r.resource_type.as_str())
                .opt("summary", r.summary.as_deref())
                .opt("body", r.body.as_deref())
                .opt("url", r.url.as_deref())
                .opt("language", r.language.as_deref())
                .opt("license", r.license.as_deref()),
            Content::Practice(p) => m
                .put("title", p.title.as_str())
                .put("approach", p.approach.as_str())
                .opt("context", p.context.as_deref())
                .opt("country", p.country.as_deref())
                .opt("region", p.region.as_deref())
                .opt("challenge", p.challenge.as_deref())
                .opt("outcome", p.outcome.as_deref())
                .opt("lessons", p.lessons.as_deref())
                .opt("url", p.url.as_deref()),
            Content::Campaign(c) => m
                .put("title", c.title.as_str())
                .put("action", c.action.as_str())
                .put("call", c.call.as_str())
                .put("online", c.online)
                .opt("place", c.place.as_deref())
                .opt("description", c.description.as_deref())
                .opt("starts", c.starts)
                .opt("ends", c.ends)
                .opt("target", c.target.as_deref())
                .opt("url", c.url.as_deref()),
            Content::Endorsement(e) => m
                .put("target", e.target.as_bytes().to_vec())
                .opt("statement", e.statement.as_deref()),
            Content::Retraction(r) => m
                .put("target", r.target.as_bytes().to_vec())
                .opt("reason", r.reason.as_deref()),
            Content::Profile(p) => m
                .put("name", p.name.as_str())
                .opt("description", p.description.as_deref())
                .opt("website", p.website.as_deref())
                .opt(
                    "countries",
                    (!p.countries.is_empty()).then(|| {
                        Value::Array(p.countries.iter().map(|c| Value::Text(c.clone())).collect())
                    }),
                )
                .opt("contact", p.contact.as_deref()),
        }
        .build()
    }

    pub(crate) fn from_value(kind: Kind, value: Value) -> Result<Content, SchemaError> {
        let mut f = Fields::new(value, "content.", "content")?;
        let content = match kind {
            Kind::Resource => {
                let type_text = f.text("type")?;
                Content::Resource(Resource {
                    title: f.text("title")?,
                    resource_type: ResourceType::parse(&type_text).ok_or(
                        SchemaError::UnknownValue {
                            field: "content.type".into(),
                            value: type_text,
                        },
                    )?,
                    summary: f.opt_text("summary")?,
                    body: f.opt_text("body")?,
                    url: f.opt_text("url")?,
                    language: f.opt_text("language")?,
                    license: f.opt_text("license")?,
                })
            }
            Kind::Practice => Content::Practice(Practice {
                title: f.text("title")?,
                approach: f.text("approach")?,
                context: f.opt_text("context")?,
                country: f.opt_text("country")?,
                region: f.opt_text("region")?,
                challenge: f.opt_text("challenge")?,
                outcome: f.opt_text("outcome")?,
                lessons: f.opt_text("lessons")?,
                url: f.opt_text("url")?,
            }),
            Kind::Campaign => {
                let action_text = f.text("action")?;
                Content::Campaign(Campaign {
                    title: f.text("title")?,
                    action: Action::parse(&action_text).ok_or(SchemaError::UnknownValue {
                        field: "content.action".into(),
                        value: action_text,
                    })?,
                    call: f.text("call")?,
                    online: f.boolean("online")?,
                    place: f.opt_text("place")?,
                    description: f.opt_text("description")?,
                    starts: f.opt_uint("starts")?,
                    ends: f.opt_uint("ends")?,
                    target: f.opt_text("target")?,
                    url: f.opt_text("url")?,
                })
            }
            Kind::Endorsement => Content::Endorsement(Endorsement {
                target: RecordId(f.bytes::<32>("target")?),
                statement: f.opt_text("statement")?,
            }),
            Kind::Retraction => Content::Retraction(Retraction {
                target: RecordId(f.bytes::<32>("target")?),
                reason: f.opt_text("reason")?,
            }),
            Kind::Profile => {
                let countries = match f.opt_array("countries")? {
                    Some(items) if items.is_empty() => {
                        return Err(SchemaError::WrongType {
                            field: "content.countries".into(),
                            expected: "a non-empty array (left out when empty)",
                        });
                    }
                    Some(items) => f.texts("countries", items)?,
                    None => Vec::new(),
                };
                Content::Profile(Profile {
                    name: f.text("name")?,
                    description: f.opt_text("description")?,
                    website: f.opt_text("website")?,
                    countries,
                    contact: f.opt_text("contact")?,
                })
            }
        };
        f.finish()?;
        Ok(content)
    }
}
