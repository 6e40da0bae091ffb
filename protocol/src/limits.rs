//! Every size and count limit of the record format, in one place.
//!
//! Text lengths are counted in bytes of UTF-8, so every implementation counts the same way.

/// Largest envelope accepted or produced, in bytes. Checked before any decoding.
pub const MAX_ENVELOPE: usize = 64 * 1024;
/// Most pillars on one record (at least one is required).
pub const MAX_PILLARS: usize = 8;
/// Most entries in `refs`.
pub const MAX_REFS: usize = 16;
/// Titles and names.
pub const MAX_TITLE: usize = 200;
/// Other single-line texts: places, countries, regions, targets, licences, contacts.
pub const MAX_LINE: usize = 200;
/// A campaign's call to action.
pub const MAX_CALL: usize = 1_000;
/// URLs.
pub const MAX_URL: usize = 2_048;
/// Multi-line texts: summaries, bodies, descriptions, statements, practice sections.
pub const MAX_TEXT: usize = 16 * 1024;
/// BCP 47 language tags.
pub const MAX_LANGUAGE: usize = 35;
/// Most countries on a profile.
pub const MAX_COUNTRIES: usize = 32;
/// How far in the future a record's `ts` may be, in ms (clock skew between partners).
pub const MAX_FUTURE_MS: u64 = 5 * 60 * 1000;
