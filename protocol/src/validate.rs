//! Validation: the rules a decoded body must satisfy, beyond its shape.
//!
//! [`check_body`] holds the rules that depend on the body alone (lengths, counts, slugs, ordering);
//! they are checked both when signing and when receiving, so a node never signs what others reject.
//! [`Context`] adds the rules that depend on the receiving node: its network and its clock.

use crate::content::{Campaign, Content, Practice, Profile, Resource};
use crate::limits::*;
use crate::record::Body;

/// A body that is well-formed but breaks a rule of the format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("a record needs at least one pillar")]
    NoPillars,
    #[error("{count} pillars, at most {MAX_PILLARS} are allowed")]
    TooManyPillars { count: usize },
    #[error("{slug:?} is not a pillar slug (1 to 48 characters from a-z, 0-9 and '-')")]
    BadPillar { slug: String },
    #[error("pillars must be sorted and appear once")]
    PillarsNotSorted,
    #[error("{count} refs, at most {MAX_REFS} are allowed")]
    TooManyRefs { count: usize },
    #[error("field `{field}` is {len} bytes, at most {max} are allowed")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("field `{field}` is empty (leave optional fields out instead)")]
    Empty { field: &'static str },
    #[error("field `{field}` contains a control character")]
    ControlCharacter { field: &'static str },
    #[error("field `{field}` has {count} items, at most {max} are allowed")]
    TooManyItems {
        field: &'static str,
        count: usize,
        max: usize,
    },
    #[error("field `{field}` must be an http:// or https:// URL")]
    BadUrl { field: &'static str },
    #[error("`expires` must be later than `ts`")]
    ExpiresBeforeTs,
    #[error("a campaign must end after it starts")]
    EndsBeforeStarts,
    #[error("a campaign needs a place, or must be online")]
    NoPlace,
}

impl Invalid {
    /// A stable snake_case name for the class of error.
    pub fn code(&self) -> &'static str {
        match self {
            Invalid::NoPillars => "no_pillars",
            Invalid::TooManyPillars { .. } => "too_many_pillars",
            Invalid::BadPillar { .. } => "bad_pillar",
            Invalid::PillarsNotSorted => "pillars_not_sorted",
            Invalid::TooManyRefs { .. } => "too_many_refs",
            Invalid::TooLong { .. } => "too_long",
            Invalid::Empty { .. } => "empty",
            Invalid::ControlCharacter { .. } => "control_character",
            Invalid::TooManyItems { .. } => "too_many_items",
            Invalid::BadUrl { .. } => "bad_url",
            Invalid::ExpiresBeforeTs => "expires_before_ts",
            Invalid::EndsBeforeStarts => "ends_before_starts",
            Invalid::NoPlace => "no_place",
        }
    }
}

/// What a receiving node checks a verified record against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    /// The node's network; records of other networks are refused.
    pub network: crate::NetworkId,
    /// The node's clock, ms since the Unix epoch.
    pub now_ms: u64,
}

/// Checks every rule that depends on the body alone. The order of the checks is the order of the
/// list in `docs/protocol.md` ("Validation"), so every implementation reports the same first error.
pub fn check_body(body: &Body) -> Result<(), Invalid> {
    // Pillars: 1..=8 slugs, strictly ascending (sorted, no duplicates).
    if body.pillars.is_empty() {
        return Err(Invalid::NoPillars);
    }
    if body.pillars.len() > MAX_PILLARS {
        return Err(Invalid::TooManyPillars {
            count: body.pillars.len(),
        });
    }
    // Slugs are checked when the body is decoded (a `Pillar` is always a valid slug).
    if body
        .pillars
        .windows(2)
        .any(|w| w[0].as_str().as_bytes() >= w[1].as_str().as_bytes())
    {
        return Err(Invalid::PillarsNotSorted);
    }
    if body.refs.len() > MAX_REFS {
        return Err(Invalid::TooManyRefs {
            count: body.refs.len(),
        });
    }
    if let Some(expires) = body.expires
        && expires <= body.ts
    {
        return Err(Invalid::ExpiresBeforeTs);
    }
    check_content(&body.content)
}

fn check_content(content: &Content) -> Result<(), Invalid> {
    match content {
        Content::Resource(Resource {
            title,
            resource_type: _,
            summary,
            body,
            url,
            language,
            license,
        }) => {
            line("content.title", title, MAX_TITLE)?;
            opt_text("content.summary", summary, MAX_TEXT)?;
            opt_text("content.body", body, MAX_TEXT)?;
            opt_url("content.url", url)?;
            opt_line("content.language", language, MAX_LANGUAGE)?;
            opt_line("content.license", license, MAX_LINE)
        }
        Content::Practice(Practice {
            title,
            approach,
            context,
            country,
            region,
            challenge,
            outcome,
            lessons,
            url,
        }) => {
            line("content.title", title, MAX_TITLE)?;
            text("content.approach", approach, MAX_TEXT)?;
            opt_text("content.context", context, MAX_TEXT)?;
            opt_line("content.country", country, MAX_LINE)?;
            opt_line("content.region", region, MAX_LINE)?;
            opt_text("content.challenge", challenge, MAX_TEXT)?;
            opt_text("content.outcome", outcome, MAX_TEXT)?;
            opt_text("content.lessons", lessons, MAX_TEXT)?;
            opt_url("content.url", url)
        }
        Content::Campaign(Campaign {
            title,
            action: _,
            call,
            online,
            place,
            description,
            starts,
            ends,
            target,
            url,
        }) => {
            line("content.title", title, MAX_TITLE)?;
            text("content.call", call, MAX_CALL)?;
            opt_line("content.place", place, MAX_LINE)?;
            opt_text("content.description", description, MAX_TEXT)?;
            opt_line("content.target", target, MAX_LINE)?;
            opt_url("content.url", url)?;
            if !online && place.is_none() {
                return Err(Invalid::NoPlace);
            }
            if let (Some(s), Some(e)) = (starts, ends)
                && e < s
            {
                return Err(Invalid::EndsBeforeStarts);
            }
            Ok(())
        }
        Content::Endorsement(e) => opt_text("content.statement", &e.statement, MAX_TEXT),
        Content::Retraction(r) => opt_text("content.reason", &r.reason, MAX_TEXT),
        Content::Profile(Profile {
            name,
            description,
            website,
            countries,
            contact,
        }) => {
            line("content.name", name, MAX_TITLE)?;
            opt_text("content.description", description, MAX_TEXT)?;
            opt_url("content.website", website)?;
            if countries.len() > MAX_COUNTRIES {
                return Err(Invalid::TooManyItems {
                    field: "content.countries",
                    count: countries.len(),
                    max: MAX_COUNTRIES,
                });
            }
            for c in countries {
                line("content.countries", c, MAX_LINE)?;
            }
            opt_line("content.contact", contact, MAX_LINE)
        }
    }
}

fn length(field: &'static str, s: &str, max: usize) -> Result<(), Invalid> {
    if s.is_empty() {
        return Err(Invalid::Empty { field });
    }
    if s.len() > max {
        return Err(Invalid::TooLong {
            field,
            len: s.len(),
            max,
        });
    }
    Ok(())
}

/// A single-line text: no control characters at all.
fn line(field: &'static str, s: &str, max: usize) -> Result<(), Invalid> {
    length(field, s, max)?;
    if s.chars().any(char::is_control) {
        return Err(Invalid::ControlCharacter { field });
    }
    Ok(())
}

/// A multi-line text: tab and line feed are allowed, other control characters are not.
fn text(field: &'static str, s: &str, max: usize) -> Result<(), Invalid> {
    length(field, s, max)?;
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Invalid::ControlCharacter { field });
    }
    Ok(())
}

fn opt_line(field: &'static str, s: &Option<String>, max: usize) -> Result<(), Invalid> {
    s.as_deref().map_or(Ok(()), |s| line(field, s, max))
}

fn opt_text(field: &'static str, s: &Option<String>, max: usize) -> Result<(), Invalid> {
    s.as_deref().map_or(Ok(()), |s| text(field, s, max))
}

fn opt_url(field: &'static str, s: &Option<String>) -> Result<(), Invalid> {
    let Some(url) = s.as_deref() else {
        return Ok(());
    };
    line(field, url, MAX_URL)?;
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(' ') => Ok(()),
        _ => Err(Invalid::BadUrl { field }),
    }
}
