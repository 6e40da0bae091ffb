//! The page's languages, with Fluent: one `.ftl` file per language in `web/i18n/`, compiled
//! into the binary. English is the reference; a message missing in another language falls back
//! to English. Arabic is written right to left.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The languages of the page: code, name in that language, Fluent source.
pub const LANGUAGES: &[(&str, &str, &str)] = &[
    ("en", "English", include_str!("i18n/en.ftl")),
    ("fr", "Français", include_str!("i18n/fr.ftl")),
    ("es", "Español", include_str!("i18n/es.ftl")),
    ("ar", "العربية", include_str!("i18n/ar.ftl")),
];

type Bundle = FluentBundle<FluentResource>;

fn bundles() -> &'static HashMap<&'static str, Arc<Bundle>> {
    static ALL: OnceLock<HashMap<&'static str, Arc<Bundle>>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = HashMap::new();
        for (code, _, source) in LANGUAGES {
            let Ok(lang) = code.parse::<LanguageIdentifier>() else {
                continue;
            };
            let mut bundle = FluentBundle::new_concurrent(vec![lang]);
            // A file with a syntax error still gives the messages that parsed; the test
            // `every_language_parses_and_has_every_message` keeps the files clean.
            let resource = match FluentResource::try_new((*source).to_owned()) {
                Ok(r) => r,
                Err((r, _)) => r,
            };
            let _ = bundle.add_resource(resource);
            all.insert(*code, Arc::new(bundle));
        }
        all
    })
}

/// The texts of one language for one page.
#[derive(Clone)]
pub struct Texts {
    code: &'static str,
    bundle: Arc<Bundle>,
    fallback: Arc<Bundle>,
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Texts({})", self.code)
    }
}

fn format(bundle: &Bundle, id: &str, args: Option<&FluentArgs>) -> Option<String> {
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors);
    errors.is_empty().then(|| text.into_owned())
}

impl Texts {
    /// The texts of `code`, or English.
    pub fn of(code: &str) -> Texts {
        let all = bundles();
        let (code, bundle) = LANGUAGES
            .iter()
            .find(|(c, _, _)| *c == code)
            .and_then(|(c, _, _)| all.get(c).map(|b| (*c, b.clone())))
            .unwrap_or_else(|| ("en", Self::english()));
        Texts {
            code,
            bundle,
            fallback: Self::english(),
        }
    }

    fn english() -> Arc<Bundle> {
        match bundles().get("en") {
            Some(b) => b.clone(),
            None => Arc::new(FluentBundle::new_concurrent(Vec::new())),
        }
    }

    /// The language code (`lang` of the page).
    pub fn code(&self) -> &str {
        self.code
    }

    /// `rtl` for right-to-left languages, else `ltr`.
    pub fn dir(&self) -> &'static str {
        if self.code == "ar" { "rtl" } else { "ltr" }
    }

    /// A message; its id when no language has it (visible, so a missing text gets noticed).
    pub fn get(&self, id: &str) -> String {
        format(&self.bundle, id, None)
            .or_else(|| format(&self.fallback, id, None))
            .unwrap_or_else(|| id.to_owned())
    }

    /// A message with one number, `$n`, in it.
    pub fn n(&self, id: &str, n: impl std::borrow::Borrow<u64>) -> String {
        self.count(id, &[("n", *n.borrow())])
    }

    /// A message with numbers in it (plural forms).
    pub fn count(&self, id: &str, args: &[(&str, u64)]) -> String {
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, FluentValue::from(*v));
        }
        format(&self.bundle, id, Some(&fa))
            .or_else(|| format(&self.fallback, id, Some(&fa)))
            .unwrap_or_else(|| id.to_owned())
    }
}

/// The language to show: `chosen` (the `lang` cookie or query) when it is one of ours, else the
/// first of the browser's `Accept-Language` that is, else English.
pub fn pick(chosen: Option<&str>, accept_language: Option<&str>) -> &'static str {
    let ours = |tag: &str| -> Option<&'static str> {
        let primary = tag
            .trim()
            .split(['-', '_', ';'])
            .next()?
            .to_ascii_lowercase();
        LANGUAGES
            .iter()
            .find(|(c, _, _)| *c == primary)
            .map(|(c, _, _)| *c)
    };
    if let Some(c) = chosen.and_then(ours) {
        return c;
    }
    if let Some(header) = accept_language {
        // Order by quality, keeping the browser's order between equals.
        let mut tags: Vec<(f32, usize, &str)> = header
            .split(',')
            .enumerate()
            .map(|(i, part)| {
                let mut it = part.split(';');
                let tag = it.next().unwrap_or("").trim();
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse().ok())
                    .unwrap_or(1.0);
                (q, i, tag)
            })
            .collect();
        tags.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, _, tag) in tags {
            if let Some(c) = ours(tag) {
                return c;
            }
        }
    }
    "en"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(source: &str) -> Vec<String> {
        source
            .lines()
            .filter(|l| !l.starts_with([' ', '#']) && l.contains(" ="))
            .filter_map(|l| l.split(" =").next().map(str::to_owned))
            .collect()
    }

    #[test]
    fn every_language_parses_and_has_every_message() {
        let english = ids(LANGUAGES[0].2);
        for (code, _, source) in LANGUAGES {
            assert!(
                FluentResource::try_new((*source).to_owned()).is_ok(),
                "{code}.ftl parses"
            );
            let theirs = ids(source);
            for id in &english {
                assert!(theirs.contains(id), "{code}.ftl lacks {id}");
                // Extra arguments are ignored by messages that take none.
                let text = Texts::of(code).count(
                    id,
                    &[
                        ("partners", 3),
                        ("others", 1),
                        ("n", 2),
                        ("sessions", 2),
                        ("stored", 5),
                        ("pushed", 1),
                        ("failed", 0),
                        ("deleted", 4),
                    ],
                );
                assert_ne!(text, *id, "{code}: {id} formats");
            }
        }
    }

    #[test]
    fn arabic_is_right_to_left_with_its_plurals() {
        let ar = Texts::of("ar");
        assert_eq!(ar.dir(), "rtl");
        let two = ar.count("record-cosigned", &[("partners", 2), ("others", 0)]);
        assert!(two.contains("شريكان"), "{two}");
        assert_eq!(Texts::of("fr").dir(), "ltr");
    }

    #[test]
    fn the_language_is_the_users_choice_then_the_browsers() {
        assert_eq!(pick(Some("ar"), Some("fr")), "ar");
        assert_eq!(pick(Some("xx"), Some("es-MX,fr;q=0.8")), "es");
        assert_eq!(pick(None, Some("de, fr;q=0.5, ar;q=0.9")), "ar");
        assert_eq!(pick(None, Some("de")), "en");
        assert_eq!(pick(None, None), "en");
    }
}
