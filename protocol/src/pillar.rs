//! Pillars: the human-rights themes records are shared under, one gossip topic each.

use std::fmt;
use std::str::FromStr;

/// Longest pillar slug, in bytes.
pub const PILLAR_MAX_LEN: usize = 48;

/// The pillars every network knows; a node subscribes to all of them unless told otherwise.
pub const WELL_KNOWN: [&str; 6] = [
    "womens-rights",
    "education",
    "gender-equality",
    "poverty-hunger",
    "state-military-oppression",
    "human-rights-violations",
];

/// A pillar slug: 1 to 48 characters from `a-z`, `0-9` and `-`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pillar(String);

/// Why a text is not a pillar slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{slug:?} is not a pillar slug (1 to {PILLAR_MAX_LEN} characters from a-z, 0-9 and '-')")]
pub struct BadPillar {
    pub slug: String,
}

impl Pillar {
    /// Checks `slug` and wraps it.
    pub fn new(slug: &str) -> Result<Self, BadPillar> {
        if is_slug(slug) {
            Ok(Pillar(slug.to_owned()))
        } else {
            Err(BadPillar {
                slug: slug.chars().take(64).collect(),
            })
        }
    }

    /// The six well-known pillars.
    pub fn well_known() -> Vec<Pillar> {
        WELL_KNOWN.iter().map(|s| Pillar((*s).to_owned())).collect()
    }

    /// Whether this is one of the six well-known pillars.
    pub fn is_well_known(&self) -> bool {
        WELL_KNOWN.contains(&self.0.as_str())
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `s` matches `[a-z0-9-]{1,48}`.
pub fn is_slug(s: &str) -> bool {
    (1..=PILLAR_MAX_LEN).contains(&s.len())
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

/// The known pillar that `slug` most likely meant, when it is a near miss: the same letters
/// without hyphens (`womensrights`), or at most two edits away (`educaton`). `None` when nothing
/// is close, or when `slug` is itself known.
pub fn suggest<'a>(slug: &str, known: impl IntoIterator<Item = &'a Pillar>) -> Option<&'a Pillar> {
    let bare = |s: &str| s.replace('-', "");
    let mut best: Option<(usize, &Pillar)> = None;
    for p in known {
        if p.as_str() == slug {
            return None;
        }
        let d = if bare(p.as_str()) == bare(slug) {
            0
        } else {
            strsim::damerau_levenshtein(p.as_str(), slug)
        };
        let close = d <= 2 && d < p.as_str().len().min(slug.len());
        if close && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, p));
        }
    }
    best.map(|(_, p)| p)
}

impl FromStr for Pillar {
    type Err = BadPillar;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Pillar::new(s)
    }
}

impl fmt::Display for Pillar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Pillar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pillar({})", self.0)
    }
}

impl serde::Serialize for Pillar {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Pillar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Pillar::new(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for s in WELL_KNOWN {
            assert!(Pillar::new(s).expect("well-known").is_well_known());
        }
        assert!(Pillar::new("land-rights-2").is_ok());
        assert!(Pillar::new("").is_err());
        assert!(Pillar::new("Womens").is_err());
        assert!(Pillar::new("a b").is_err());
        assert!(Pillar::new(&"a".repeat(49)).is_err());
        assert!(Pillar::new(&"a".repeat(48)).is_ok());
    }

    #[test]
    fn near_misses_are_suggested() {
        let known = Pillar::well_known();
        let hint = |s: &str| suggest(s, &known).map(|p| p.as_str().to_owned());
        assert_eq!(hint("womensrights").as_deref(), Some("womens-rights"));
        assert_eq!(hint("educaton").as_deref(), Some("education"));
        assert_eq!(hint("gender-equalty").as_deref(), Some("gender-equality"));
        assert_eq!(hint("education"), None);
        assert_eq!(hint("land-rights"), None);
    }
}
