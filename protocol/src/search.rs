//! Full-text search terms: how a text (a record's, or a query) becomes the terms the node's
//! search index holds. Pure functions; the index itself lives in the node's store.
//!
//! The rules, precisely (`docs/architecture.md`, "Search", says why each is there):
//!
//! 1. **Normalise** ([`normalize`]): NFKD; drop every character whose canonical combining class
//!    is not 0 (Latin, Greek and Cyrillic accents, Arabic harakat, shadda and the hamza and
//!    madda signs that NFKD splits from أ إ آ ؤ ئ, Hebrew points, kana voicing marks…) and
//!    the Arabic tatweel U+0640; fold each character ([`fold_char`]); then NFC.
//! 2. **Split** into runs of letters and digits ([`char::is_alphanumeric`]: Unicode
//!    `Alphabetic` or a number); everything else separates words (`l'école` is `l` and
//!    `ecole`).
//! 3. Inside a run, characters of scripts written without spaces ([`is_spaceless`]: Han, kana,
//!    Hangul, Thai, Lao, Myanmar, Khmer) form their own pieces, split off the rest.
//!    - A piece of other scripts is one word; words of one character are dropped (too common
//!      to search for), words are cut after [`MAX_TERM_CHARS`] characters.
//!    - A spaceless piece is indexed as each of its characters and each overlapping pair of
//!      characters ("北京大学" → 北 京 大 学 北京 京大 大学); a query uses the pairs when the
//!      piece has two characters or more, the character alone otherwise.
//!
//! A record matches a query when it holds every term of the query.

use std::collections::BTreeSet;

use unicode_normalization::char::{canonical_combining_class, decompose_compatible};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use crate::Content;

/// Longest term, in characters: a longer word is cut here (both when indexing and querying, so
/// it still matches), which bounds the index's keys.
pub const MAX_TERM_CHARS: usize = 32;

/// Longest query text accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 1_000;

/// Most terms in one query: every term is one more posting list to intersect.
pub const MAX_QUERY_TERMS: usize = 16;

/// The Arabic tatweel (kashida), a stretching stroke with no meaning.
const TATWEEL: char = '\u{0640}';

/// Folds one character after decomposition: lower case (with the full case folding of `ß` and
/// final sigma, and Turkish dotless `ı` as `i`), one form for Arabic and Persian letter variants
/// (ٱ → ا, ى ی → ي, ک → ك, ة → ه), and Arabic-Indic and Persian digits as ASCII digits. Pushes
/// the result onto `out`.
pub fn fold_char(c: char, out: &mut String) {
    match c {
        'ß' | 'ẞ' => out.push_str("ss"),
        'ς' => out.push('σ'),
        'ı' => out.push('i'),
        '\u{0671}' => out.push('\u{0627}'), // ٱ alef wasla → ا
        '\u{0649}' | '\u{06CC}' => out.push('\u{064A}'), // ى alef maksura, ی Farsi yeh → ي
        '\u{06A9}' => out.push('\u{0643}'), // ک keheh → ك
        '\u{0629}' => out.push('\u{0647}'), // ة teh marbuta → ه
        '\u{0660}'..='\u{0669}' => push_digit(out, c as u32 - 0x0660),
        '\u{06F0}'..='\u{06F9}' => push_digit(out, c as u32 - 0x06F0),
        _ => out.extend(c.to_lowercase()),
    }
}

fn push_digit(out: &mut String, d: u32) {
    if let Some(c) = char::from_digit(d, 10) {
        out.push(c);
    }
}

/// The normalised form of `text`: rule 1 of the module documentation.
///
/// Each character is decomposed on its own, which gives the NFKD of the text minus its
/// combining marks (canonical reordering only moves marks, and they are all dropped); NFC runs
/// only when the quick check says it may change something.
pub fn normalize(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            folded.push(c.to_ascii_lowercase());
            continue;
        }
        decompose_compatible(c, |d| {
            if d != TATWEEL && canonical_combining_class(d) == 0 {
                fold_char(d, &mut folded);
            }
        });
    }
    if folded.is_ascii() || is_nfc_quick(folded.chars()) == IsNormalized::Yes {
        return folded;
    }
    folded.nfc().collect()
}

/// Whether `c` belongs to a script written without spaces between words, searched by
/// characters and pairs of characters: Han (with its radicals and iteration marks), Hiragana,
/// Katakana, Hangul, Thai, Lao, Myanmar, Khmer.
pub fn is_spaceless(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF // Thai, Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1100..=0x11FF // Hangul Jamo
        | 0x1780..=0x17FF // Khmer
        | 0x2E80..=0x2FDF // CJK and Kangxi radicals
        | 0x3005..=0x3007 // 々 〆 〇
        | 0x3021..=0x3029 // Hangzhou numerals
        | 0x3038..=0x303C
        | 0x3040..=0x30FF // Hiragana, Katakana
        | 0x3130..=0x318F // Hangul compatibility Jamo
        | 0x31F0..=0x31FF // Katakana extensions
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xA960..=0xA97F // Hangul Jamo extended A
        | 0xAC00..=0xD7FF // Hangul syllables, Jamo extended B
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0x20000..=0x3FFFF // CJK extensions B…
    )
}

/// What a piece of text is used for: the pieces of spaceless scripts are cut differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Index,
    Query,
}

fn terms_into(text: &str, purpose: Use, out: &mut Vec<String>) {
    let normal = normalize(text);
    // The current piece: its start (bytes), length (characters) and kind.
    let mut start = 0;
    let mut len = 0;
    let mut spaceless = false;
    let flush = |piece: &str, len: usize, spaceless: bool, out: &mut Vec<String>| {
        if len == 0 {
            return;
        }
        if spaceless {
            let chars: Vec<char> = piece.chars().collect();
            if purpose == Use::Index || len == 1 {
                out.extend(chars.iter().map(|c| c.to_string()));
            }
            out.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
        } else if len > MAX_TERM_CHARS {
            out.push(piece.chars().take(MAX_TERM_CHARS).collect());
        } else if len > 1 {
            out.push(piece.to_owned());
        }
    };
    for (i, c) in normal.char_indices() {
        if !c.is_alphanumeric() {
            flush(&normal[start..i], len, spaceless, out);
            len = 0;
            continue;
        }
        let s = is_spaceless(c);
        if len > 0 && s != spaceless {
            flush(&normal[start..i], len, spaceless, out);
            len = 0;
        }
        if len == 0 {
            start = i;
            spaceless = s;
        }
        len += 1;
    }
    flush(&normal[start..], len, spaceless, out);
}

/// The terms a text is indexed under, each once, in order.
pub fn index_terms(text: &str) -> BTreeSet<String> {
    let mut out = Vec::new();
    terms_into(text, Use::Index, &mut out);
    out.into_iter().collect()
}

/// The terms a query asks for (all must match), each once, in order.
pub fn query_terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    terms_into(text, Use::Query, &mut out);
    let set: BTreeSet<String> = out.into_iter().collect();
    set.into_iter().collect()
}

/// The texts of a record that search finds it by: titles and free texts of resources,
/// practices and campaigns, an organisation's name, description and countries. Endorsements
/// and retractions are not searched (their statements are shown with the record they concern).
pub fn searchable_texts(content: &Content) -> Vec<&str> {
    fn some<'a>(v: &mut Vec<&'a str>, texts: &[&'a Option<String>]) {
        v.extend(texts.iter().filter_map(|s| s.as_deref()));
    }
    let mut v: Vec<&str> = Vec::new();
    match content {
        Content::Resource(r) => {
            v.push(&r.title);
            some(&mut v, &[&r.summary, &r.body]);
        }
        Content::Practice(p) => {
            v.push(&p.title);
            v.push(&p.approach);
            some(
                &mut v,
                &[
                    &p.context,
                    &p.country,
                    &p.region,
                    &p.challenge,
                    &p.outcome,
                    &p.lessons,
                ],
            );
        }
        Content::Campaign(c) => {
            v.push(&c.title);
            v.push(&c.call);
            some(&mut v, &[&c.place, &c.description, &c.target]);
        }
        Content::Profile(p) => {
            v.push(&p.name);
            some(&mut v, &[&p.description]);
            v.extend(p.countries.iter().map(String::as_str));
        }
        Content::Endorsement(_) | Content::Retraction(_) => {}
    }
    v
}

/// Every term a record is indexed under (none for endorsements and retractions).
pub fn record_terms(content: &Content) -> BTreeSet<String> {
    let mut out = Vec::new();
    for text in searchable_texts(content) {
        terms_into(text, Use::Index, &mut out);
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Vec<String> {
        query_terms(s)
    }

    fn found(text: &str, query: &str) -> bool {
        let index = index_terms(text);
        let terms = query_terms(query);
        !terms.is_empty() && terms.iter().all(|t| index.contains(t))
    }

    #[test]
    fn latin_case_and_accents_fold() {
        assert_eq!(normalize("Éducation ÀÉÎÕÜ"), "education aeiou");
        assert!(found("L'école des filles", "ECOLE"));
        assert!(found("Ça va", "ca"));
        assert_eq!(q("l'école"), vec!["ecole"]);
    }

    #[test]
    fn german_sharp_s_folds_to_ss() {
        assert_eq!(normalize("Straße"), "strasse");
        assert!(found("STRASSE", "straße"));
        assert!(found("Straße", "STRASSE"));
    }

    #[test]
    fn turkish_dotted_and_dotless_i_meet_plain_i() {
        assert_eq!(normalize("İstanbul"), "istanbul");
        assert_eq!(normalize("ısırgan"), "isirgan");
        assert!(found("İSTANBUL", "istanbul"));
        assert!(found("istanbul", "İstanbul"));
    }

    #[test]
    fn greek_final_sigma_and_accents() {
        assert_eq!(normalize("Λόγος"), "λογοσ");
        assert!(found("ΛΟΓΟΣ", "λόγος"));
    }

    #[test]
    fn cyrillic_folds_case_and_yo() {
        assert!(found("Образование для всех", "ОБРАЗОВАНИЕ"));
        assert!(found("Ёлка", "елка"));
    }

    #[test]
    fn arabic_letter_variants_unify() {
        // Hamza and madda on alef, alef wasla, alef maksura, teh marbuta, Persian yeh and keheh.
        assert_eq!(normalize("أإآٱ"), "اااا");
        assert_eq!(normalize("مستشفى"), "مستشفي");
        assert_eq!(normalize("مدرسة"), "مدرسه");
        assert_eq!(normalize("ی"), "ي");
        assert_eq!(normalize("ک"), "ك");
        assert_eq!(normalize("مؤتمر"), "موتمر");
        assert!(found("إغاثة", "اغاثه"));
        assert!(found("الأطفال", "الاطفال"));
    }

    #[test]
    fn arabic_diacritics_and_tatweel_are_dropped() {
        // Fatha, damma, kasra, sukun, shadda, tanwin, superscript alef; tatweel.
        assert_eq!(normalize("مَدْرَسَةٌ"), "مدرسه");
        assert_eq!(normalize("التَّعْلِيمُ"), "التعليم");
        assert_eq!(normalize("عـــلم"), "علم");
        assert_eq!(normalize("هٰذا"), "هذا");
        assert!(found("تعليم البنات", "تَعْلِيم"));
    }

    #[test]
    fn arabic_indic_digits_become_ascii() {
        assert_eq!(normalize("٢٠٢٦ ۱۴"), "2026 14");
        assert!(found("عام ٢٠٢٦", "2026"));
    }

    #[test]
    fn compatibility_forms_fold() {
        assert_eq!(normalize("ﬁeld"), "field");
        assert_eq!(normalize("ＡＢＣ"), "abc");
        // Half-width katakana become full width.
        assert_eq!(normalize("ｶﾀｶﾅ"), "カタカナ");
    }

    #[test]
    fn chinese_is_indexed_by_characters_and_pairs() {
        let t: Vec<String> = index_terms("北京大学").into_iter().collect();
        for want in ["北", "京", "大", "学", "北京", "京大", "大学"] {
            assert!(t.iter().any(|x| x == want), "{want} missing from {t:?}");
        }
        assert_eq!(t.len(), 7);
        assert_eq!(q("北京大学"), vec!["京大", "北京", "大学"]);
        assert_eq!(q("水"), vec!["水"]);
        assert!(found("我们在北京大学学习", "北京"));
        assert!(!found("我们在北京大学学习", "水"));
        assert!(found("清洁的水", "水"));
        assert!(!found("北京", "京北"));
    }

    #[test]
    fn japanese_korean_thai_use_pairs() {
        assert!(found("東京タワーの近く", "タワー"));
        assert!(found("여성 교육 프로그램", "교육"));
        assert!(found("การศึกษาสำหรับเด็กผู้หญิง", "ศึกษา"));
        assert!(!found("การศึกษา", "เด็ก"));
    }

    #[test]
    fn mixed_scripts_split_into_pieces() {
        assert_eq!(q("iPhone手机"), vec!["iphone", "手机"]);
        assert!(found("买iPhone手机", "手机 iphone"));
    }

    #[test]
    fn punctuation_separates_and_short_words_drop() {
        assert_eq!(q("water, sanitation & hygiene (WASH)!"), {
            let mut v = vec!["water", "sanitation", "hygiene", "wash"];
            v.sort_unstable();
            v
        });
        assert_eq!(q("a b c"), Vec::<String>::new());
        assert_eq!(q("   "), Vec::<String>::new());
        assert_eq!(q("Covid-19"), vec!["19", "covid"]);
    }

    #[test]
    fn long_words_are_cut_the_same_on_both_sides() {
        let long = "a".repeat(100);
        let t = q(&long);
        assert_eq!(t[0].chars().count(), MAX_TERM_CHARS);
        assert!(found(&format!("x {long} y"), &long));
    }

    #[test]
    fn record_terms_cover_titles_and_texts_not_endorsements() {
        let c = Content::Resource(crate::Resource {
            title: "Clean water".into(),
            resource_type: crate::ResourceType::Guide,
            summary: Some("Wells for villages".into()),
            body: Some("مياه نظيفة".into()),
            url: Some("https://example.org/hidden".into()),
            language: None,
            license: None,
        });
        let t = record_terms(&c);
        for w in ["clean", "water", "wells", "villages", "مياه", "نظيفه"] {
            assert!(t.contains(w), "{w} missing");
        }
        assert!(!t.contains("example"));
        let e = Content::Endorsement(crate::Endorsement {
            target: crate::RecordId([1; 32]),
            statement: Some("we support this".into()),
        });
        assert!(record_terms(&e).is_empty());
    }
}
