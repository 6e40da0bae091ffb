//! Showing records to people: text from other organisations made safe to display, and authors
//! shown by what this node knows about them rather than by the name they claim.
//!
//! One set of functions for every front-end (the CLI's tables, `show`, `watch`, and the web page),
//! so a peer's text looks the same, and equally harmless, everywhere.
//!
//! - [`neutralise_line`] and [`neutralise_text`] make invisible and direction-changing characters
//!   visible as `⟨U+202E⟩`, so a title cannot read differently from what it is.
//! - [`name_key`] is the UTS #39 skeleton of a name (after case folding and compatibility
//!   normalisation): two names with the same key look alike.
//! - [`AuthorView::label`] is the one way an author is written: `you`, a partner under the name
//!   this node gave it, an author vouched for by partners, or an unverified claim with a
//!   fingerprint.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::AuthorId;

/// Hex characters of an author key shown as its fingerprint: 16 characters, 64 bits, so that a
/// key with the same fingerprint as another cannot be ground out in practice.
pub const FINGERPRINT_HEX: usize = 16;

/// Whether `c` is shown as `⟨U+XXXX⟩` in any text: characters that change the direction of the
/// text around them, or that are invisible and needed by no script.
///
/// Kept as written: ZWNJ (U+200C) and ZWJ (U+200D), which Persian, Urdu, Arabic and the Indic
/// scripts need, the marks LRM (U+200E), RLM (U+200F) and ALM (U+061C), which only affect
/// neutral characters next to them, and Mongolian's variation selectors and vowel separator.
pub fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                      // soft hyphen
        | '\u{115F}' | '\u{1160}'       // Hangul fillers
        | '\u{17B4}' | '\u{17B5}'       // Khmer inherent vowels (invisible)
        | '\u{200B}'                    // zero width space
        | '\u{202A}'..='\u{202E}'       // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}'       // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}'       // bidi isolates
        | '\u{206A}'..='\u{206F}'       // deprecated format characters
        | '\u{3164}' | '\u{FFA0}'       // Hangul fillers
        | '\u{FEFF}'                    // zero width no-break space (BOM)
        | '\u{FFF9}'..='\u{FFFB}'       // interlinear annotation
        | '\u{1BCA0}'..='\u{1BCA3}'     // shorthand format controls
        | '\u{1D173}'..='\u{1D17A}'     // musical format controls
        | '\u{E0000}'..='\u{E007F}'     // tags
    )
}

/// Whether `c` is shown visibly in a one-line field: [`is_hidden`] characters, line and
/// paragraph separators, and control characters (the format refuses them in lines; this is for
/// text from elsewhere).
fn is_hidden_in_line(c: char) -> bool {
    is_hidden(c) || c == '\u{2028}' || c == '\u{2029}' || c.is_control()
}

fn neutralise_with(s: &str, hide: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&hide) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if hide(c) {
            let _ = write!(out, "⟨U+{:04X}⟩", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A one-line field (a title, a name, a place) as it may be displayed: every hidden character,
/// line break and control character written as `⟨U+XXXX⟩`.
pub fn neutralise_line(s: &str) -> Cow<'_, str> {
    neutralise_with(s, is_hidden_in_line)
}

/// A multi-line field as it may be displayed: like [`neutralise_line`], but line feeds and tabs
/// stay (other control characters are shown).
pub fn neutralise_text(s: &str) -> Cow<'_, str> {
    neutralise_with(s, |c| {
        c != '\n'
            && c != '\t'
            && (is_hidden(c) || c == '\u{2028}' || c == '\u{2029}' || c.is_control())
    })
}

/// The comparison key of a name: NFKC, lower case, hidden and joining characters removed,
/// white space collapsed, then the UTS #39 confusable skeleton. Two names with equal keys look
/// alike to a reader ("Amnesty", "amnesty", "Аmnesty" with a Cyrillic А, "Amn\u{200B}esty").
pub fn name_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let folded: String = name
        .nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| {
            !is_hidden(*c) && !matches!(c, '\u{200C}'..='\u{200F}' | '\u{061C}' | '\u{034F}')
        })
        .collect();
    let collapsed = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    unicode_security::skeleton(&collapsed).collect()
}

/// The fingerprint of an author key: its first [`FINGERPRINT_HEX`] hex characters (also a valid
/// key prefix for the CLI).
pub fn fingerprint(author: &AuthorId) -> String {
    let mut hex = author.to_string();
    hex.truncate(FINGERPRINT_HEX);
    hex
}

/// How far this node trusts an author, from its own knowledge only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trust {
    /// This node's own organisation.
    You,
    /// On this node's partner list.
    Partner,
    /// Not a partner, but at least one partner co-signed its current profile.
    Vouched,
    /// Blocked on this node (its records are deleted; it can still appear as a co-signer that
    /// was removed, or in the partner list).
    Blocked,
    /// Nothing vouches for it: the name is only what it claims.
    Unverified,
}

impl Trust {
    /// The marker word, as in `--json` and the docs.
    pub fn as_str(self) -> &'static str {
        match self {
            Trust::You => "you",
            Trust::Partner => "partner",
            Trust::Vouched => "vouched",
            Trust::Blocked => "blocked",
            Trust::Unverified => "unverified",
        }
    }
}

/// An author as this node shows it. `--json` carries it as `author_info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorView {
    pub trust: Trust,
    /// The name this node gave it (partners and blocked authors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_name: Option<String>,
    /// The name its newest profile claims (raw text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_name: Option<String>,
    /// [`fingerprint`] of the key.
    pub fingerprint: String,
    /// How many partners co-signed its current profile.
    #[serde(default)]
    pub vouchers: u32,
    /// Other authors whose claimed name, or local name on this node, looks like this one's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub same_name_as: Vec<AuthorId>,
    /// The text every front-end shows: [`AuthorView::label`].
    pub label: String,
}

impl AuthorView {
    /// Builds the view and its label.
    pub fn new(
        author: &AuthorId,
        trust: Trust,
        local_name: Option<String>,
        claimed_name: Option<String>,
        vouchers: u32,
        same_name_as: Vec<AuthorId>,
    ) -> AuthorView {
        let mut view = AuthorView {
            trust,
            local_name,
            claimed_name,
            fingerprint: fingerprint(author),
            vouchers,
            same_name_as,
            label: String::new(),
        };
        view.label = view.make_label();
        view
    }

    /// The author in words. Only what this node decided is written unquoted (`you`, a partner's
    /// local name); a claimed name is always in quotes, with the key's fingerprint and a marker.
    ///
    /// - `you`
    /// - `Org C (partner)`
    /// - `"Org D" (vouched by 2 partners, 5a1fe9c0d3b2a1f4)`
    /// - `"Amnesty International" (unverified, 9c0d41aa07be2f13)`
    /// - `unknown author (unverified, 9c0d41aa07be2f13)`
    ///
    /// with `, name clash` inside the parentheses when another author's name looks the same
    /// (`same_name_as` lists them).
    pub fn label(&self) -> &str {
        &self.label
    }

    fn make_label(&self) -> String {
        let clash = if self.same_name_as.is_empty() {
            ""
        } else {
            ", name clash"
        };
        let claimed = |c: &Option<String>| match c {
            Some(n) => format!("\"{}\"", neutralise_line(n)),
            None => "unknown author".to_owned(),
        };
        match self.trust {
            Trust::You if clash.is_empty() => "you".to_owned(),
            Trust::You => "you (name clash)".to_owned(),
            Trust::Partner | Trust::Blocked => {
                let name = self
                    .local_name
                    .as_deref()
                    .filter(|n| !n.is_empty())
                    .map(|n| neutralise_line(n).into_owned())
                    .unwrap_or_else(|| self.fingerprint.clone());
                format!("{name} ({}{clash})", self.trust.as_str())
            }
            Trust::Vouched => format!(
                "{} (vouched by {} partner{}, {}{clash})",
                claimed(&self.claimed_name),
                self.vouchers,
                if self.vouchers == 1 { "" } else { "s" },
                self.fingerprint
            ),
            Trust::Unverified => format!(
                "{} (unverified, {}{clash})",
                claimed(&self.claimed_name),
                self.fingerprint
            ),
        }
    }
}

/// Shortens a label or title to at most `max` characters, ending with `…` when cut.
pub fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// A label cut to `max` characters without losing the marker: the claimed or local name is
/// shortened, the parenthesis with the fingerprint is kept whole.
pub fn cut_label(view: &AuthorView, max: usize) -> String {
    let label = view.label();
    if label.chars().count() <= max {
        return label.to_owned();
    }
    match label.rfind(" (") {
        Some(at) => {
            let (name, marker) = label.split_at(at);
            let room = max.saturating_sub(marker.chars().count()).max(4);
            format!("{}{marker}", cut(name, room))
        }
        None => cut(label, max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_and_invisibles_are_shown() {
        assert_eq!(neutralise_line("ab\u{202E}cd"), "ab⟨U+202E⟩cd");
        assert_eq!(neutralise_line("x\u{200B}y\u{FEFF}"), "x⟨U+200B⟩y⟨U+FEFF⟩");
        assert_eq!(neutralise_line("a\u{2067}b\u{2069}"), "a⟨U+2067⟩b⟨U+2069⟩");
        assert_eq!(neutralise_line("one\ntwo"), "one⟨U+000A⟩two");
        assert_eq!(neutralise_text("one\ntwo\u{202D}"), "one\ntwo⟨U+202D⟩");
    }

    #[test]
    fn joiners_and_marks_that_scripts_need_stay() {
        // Persian "mi-khaham" uses ZWNJ; Hebrew and Arabic use RLM/ALM; ZWJ joins emoji.
        for s in [
            "می\u{200C}خواهم",
            "שלום\u{200F}",
            "\u{061C}عربي",
            "\u{200E}abc",
            "👩\u{200D}🎓",
        ] {
            assert!(matches!(neutralise_line(s), Cow::Borrowed(_)), "{s:?}");
        }
    }

    #[test]
    fn confusable_names_share_a_key() {
        let real = name_key("Amnesty International");
        assert_eq!(name_key("amnesty  international"), real);
        assert_eq!(name_key("Amn\u{200B}esty International"), real);
        // Cyrillic А and е.
        assert_eq!(name_key("\u{0410}mn\u{0435}sty International"), real);
        assert_ne!(name_key("Amnesty National"), real);
    }

    #[test]
    fn labels_quote_claims_and_keep_fingerprints() {
        let a = AuthorId([0xab; 32]);
        let v = AuthorView::new(&a, Trust::Unverified, None, Some("you".into()), 0, vec![]);
        assert_eq!(v.label(), "\"you\" (unverified, abababababababab)");
        let p = AuthorView::new(&a, Trust::Partner, Some("Org C".into()), None, 0, vec![]);
        assert_eq!(p.label(), "Org C (partner)");
        let c = AuthorView::new(
            &a,
            Trust::Unverified,
            None,
            Some("Org C".into()),
            0,
            vec![AuthorId([1; 32])],
        );
        assert_eq!(
            c.label(),
            "\"Org C\" (unverified, abababababababab, name clash)"
        );
        let long = AuthorView::new(&a, Trust::Unverified, None, Some("x".repeat(80)), 0, vec![]);
        let cut = cut_label(&long, 40);
        assert!(cut.ends_with("(unverified, abababababababab)"), "{cut}");
        assert!(cut.chars().count() <= 40);
    }
}
