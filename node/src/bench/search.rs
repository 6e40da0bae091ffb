//! `wsf bench search`: full-text search over a store of records in eight languages and five
//! scripts (Latin, Arabic, Cyrillic, Devanagari, Han, Thai), through `Service::search`.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use wsf_protocol::api::SearchRequest;
use wsf_protocol::{
    Action, Campaign, Content, Draft, NetworkId, Pillar, Practice, Record, Resource, ResourceType,
};

use super::{Error, authors, percentile};
use crate::datadir::DataDir;
use crate::ingest::now_ms;
use crate::service::Service;
use crate::store;
use crate::transfer::IMPORT_BATCH;

/// Figures of `wsf bench search`. `p50_ms`, `p99_ms` and `index_bytes_per_record` are fixed
/// keys.
#[derive(Debug, Clone, Serialize)]
pub struct SearchFigures {
    pub records: usize,
    pub queries: usize,
    pub languages: usize,
    pub envelope_bytes_avg: f64,
    /// Query times through `Service::search` (normalise, intersect, load and show a page of up
    /// to 50 records), one query at a time.
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Records a query returned, on average (pages hold at most 50).
    pub results_avg: f64,
    /// Queries that found nothing (words absent from the corpus, words of two languages).
    pub empty_queries: usize,
    /// Durable inserts per second into the store while building it, index included (batches
    /// of the import size).
    pub insert_per_s: f64,
    /// The search index's pages per record.
    pub index_bytes_per_record: f64,
    /// The whole store file per record (index included).
    pub store_bytes_per_record: f64,
}

/// Words of each language of the corpus, the commonest first. Chinese and Thai are written
/// without spaces between words.
const LANGUAGES: &[(&str, bool, &[&str])] = &[
    (
        "en",
        true,
        &[
            "the",
            "and",
            "for",
            "water",
            "education",
            "girls",
            "school",
            "health",
            "clinic",
            "women",
            "rights",
            "village",
            "training",
            "teachers",
            "campaign",
            "food",
            "farmers",
            "climate",
            "housing",
            "refugees",
            "children",
            "legal",
            "safety",
            "documentation",
            "community",
            "workers",
            "union",
            "wages",
            "youth",
            "literacy",
            "hygiene",
            "vaccines",
        ],
    ),
    (
        "fr",
        true,
        &[
            "les",
            "des",
            "pour",
            "eau",
            "éducation",
            "filles",
            "école",
            "santé",
            "femmes",
            "droits",
            "village",
            "formation",
            "enseignants",
            "campagne",
            "nourriture",
            "agriculteurs",
            "climat",
            "logement",
            "réfugiés",
            "enfants",
            "juridique",
            "sécurité",
            "communauté",
            "travailleurs",
            "syndicat",
            "salaires",
            "jeunesse",
            "hygiène",
        ],
    ),
    (
        "es",
        true,
        &[
            "los",
            "las",
            "para",
            "agua",
            "educación",
            "niñas",
            "escuela",
            "salud",
            "mujeres",
            "derechos",
            "aldea",
            "formación",
            "maestros",
            "campaña",
            "alimentos",
            "campesinos",
            "clima",
            "vivienda",
            "refugiados",
            "niños",
            "seguridad",
            "comunidad",
            "trabajadores",
            "sindicato",
            "salarios",
            "juventud",
        ],
    ),
    (
        "ar",
        true,
        &[
            "في",
            "من",
            "على",
            "ماء",
            "التعليم",
            "الفتيات",
            "مدرسة",
            "الصحة",
            "عيادة",
            "النساء",
            "حقوق",
            "قرية",
            "تدريب",
            "المعلمين",
            "حملة",
            "الغذاء",
            "المزارعين",
            "المناخ",
            "السكن",
            "اللاجئين",
            "الأطفال",
            "القانونية",
            "إغاثة",
            "السلامة",
            "المجتمع",
            "العمال",
            "النقابة",
            "الأجور",
            "الشباب",
            "مَدْرَسَةٌ",
            "مستشفى",
        ],
    ),
    (
        "ru",
        true,
        &[
            "для",
            "на",
            "по",
            "вода",
            "образование",
            "девочки",
            "школа",
            "здоровье",
            "клиника",
            "женщины",
            "права",
            "деревня",
            "обучение",
            "учителя",
            "кампания",
            "питание",
            "фермеры",
            "климат",
            "жильё",
            "беженцы",
            "дети",
            "правовая",
            "помощь",
            "безопасность",
            "община",
            "рабочие",
            "профсоюз",
            "зарплата",
            "молодёжь",
        ],
    ),
    (
        "hi",
        true,
        &[
            "के",
            "और",
            "लिए",
            "पानी",
            "शिक्षा",
            "लड़कियां",
            "स्कूल",
            "स्वास्थ्य",
            "महिलाएं",
            "अधिकार",
            "गांव",
            "प्रशिक्षण",
            "शिक्षक",
            "अभियान",
            "भोजन",
            "किसान",
            "जलवायु",
            "आवास",
            "शरणार्थी",
            "बच्चे",
            "सुरक्षा",
            "समुदाय",
            "मजदूर",
        ],
    ),
    (
        "zh",
        false,
        &[
            "我们", "的", "清水", "教育", "女孩", "学校", "健康", "诊所", "妇女", "权利", "村庄",
            "培训", "教师", "运动", "粮食", "农民", "气候", "住房", "难民", "儿童", "法律", "援助",
            "安全", "社区", "工人", "工会", "工资", "青年",
        ],
    ),
    (
        "th",
        false,
        &[
            "และ",
            "ของ",
            "น้ำ",
            "การศึกษา",
            "เด็กผู้หญิง",
            "โรงเรียน",
            "สุขภาพ",
            "คลินิก",
            "ผู้หญิง",
            "สิทธิ",
            "หมู่บ้าน",
            "การฝึกอบรม",
            "ครู",
            "แคมเปญ",
            "อาหาร",
            "เกษตรกร",
            "ภูมิอากาศ",
            "ที่อยู่อาศัย",
            "ผู้ลี้ภัย",
            "เด็ก",
            "ความปลอดภัย",
            "ชุมชน",
        ],
    ),
];

/// A seeded splitmix64: the corpus and the queries are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// An index below `n`, skewed towards 0 (the square of a uniform draw): common words are
    /// common, rare ones rare.
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u * n as f64) as usize).min(n.saturating_sub(1))
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn words(rng: &mut Rng, lang: usize, count: usize) -> String {
    let (_, spaced, vocab) = LANGUAGES[lang];
    let mut out = String::new();
    for i in 0..count {
        if i > 0 {
            out.push_str(if spaced {
                " "
            } else if i % 6 == 0 {
                "，"
            } else {
                ""
            });
        }
        out.push_str(vocab[rng.skewed(vocab.len())]);
    }
    out
}

/// Record `i` of the corpus: a resource, practice or campaign in one of the languages, with a
/// title of 4 words and a text of 40 to 100.
/// The content of corpus record `i`: a campaign call, a practice or a resource (1 : 1 : 3) of
/// 40–100 words in one of the corpus's languages.
fn content(i: usize, rng: &mut Rng) -> Content {
    let lang = i % LANGUAGES.len();
    let title = words(rng, lang, 4);
    let n = 40 + rng.below(60);
    let text = words(rng, lang, n);
    match i % 5 {
        0 => Content::Campaign(Campaign {
            title,
            action: Action::Advocacy,
            call: text.chars().take(300).collect(),
            online: true,
            place: None,
            description: Some(text),
            starts: None,
            ends: None,
            target: None,
            url: None,
        }),
        1 => Content::Practice(Practice {
            title,
            approach: text,
            context: None,
            country: None,
            region: None,
            challenge: None,
            outcome: None,
            lessons: None,
            url: None,
        }),
        _ => Content::Resource(Resource {
            title,
            resource_type: ResourceType::Guide,
            summary: Some(text),
            body: None,
            url: None,
            language: Some(LANGUAGES[lang].0.into()),
            license: None,
        }),
    }
}

/// Corpus content for record `i` of another benchmark (`wsf bench ingest`, `sync`, …), drawn
/// from a generator seeded by `i` alone: varied text in several languages and scripts, so
/// that size and compression figures mean something.
pub(super) fn varied(i: usize) -> Content {
    let mut rng = Rng(0x00C0_FFEE ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    content(i, &mut rng)
}

fn corpus_record(
    i: usize,
    rng: &mut Rng,
    ts: u64,
    key: &super::SigningKey,
) -> Result<Record, Error> {
    let content = content(i, rng);
    let pillars = Pillar::well_known();
    let draft = Draft {
        net: NetworkId::public(),
        ts,
        pillars: vec![pillars[i % pillars.len()].clone()],
        content,
        expires: None,
        supersedes: None,
        refs: vec![],
    };
    wsf_protocol::sign(&draft, key).map_err(|e| Error::Setup(e.to_string()))
}

/// `n` records of the corpus from 64 authors, 10 ms apart, in time order.
pub fn corpus(n: usize, seed: u64) -> Result<Vec<Record>, Error> {
    let keys = authors(7);
    let mut rng = Rng(seed);
    let base = now_ms().saturating_sub(n as u64 * 10 + 60_000);
    (0..n)
        .map(|i| corpus_record(i, &mut rng, base + i as u64 * 10, &keys[i % keys.len()]))
        .collect()
}

/// The queries: mostly one or two words of one language (the second word drawn like the
/// corpus's), some in other forms than the text's (upper case, without Arabic diacritics),
/// a few with a word of another language or a word absent from the corpus.
pub(super) fn queries(n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng(seed ^ 0x5EA2C4);
    (0..n)
        .map(|i| {
            let lang = rng.below(LANGUAGES.len());
            let vocab = LANGUAGES[lang].2;
            let first = vocab[rng.below(vocab.len())];
            match i % 10 {
                0..=4 => first.to_owned(),
                5 | 6 => format!("{first} {}", vocab[rng.skewed(vocab.len())]),
                7 => first.to_uppercase(),
                8 => {
                    let other = LANGUAGES[(lang + 1) % LANGUAGES.len()].2;
                    format!("{first} {}", other[rng.below(other.len())])
                }
                _ => format!("{first} nowhere{i}"),
            }
        })
        .collect()
}

/// Runs `wsf bench search`: builds a store of `records` corpus records in `dir`, then times
/// `queries` searches one after the other.
pub async fn search(records: usize, queries_n: usize, dir: &Path) -> Result<SearchFigures, Error> {
    let n = records.max(1);
    let sample = tokio::task::spawn_blocking(move || corpus(n, 11))
        .await
        .map_err(|e| Error::Setup(e.to_string()))??;
    let envelope_bytes_avg =
        sample.iter().map(|r| r.envelope().len()).sum::<usize>() as f64 / n as f64;
    let data = DataDir::new(dir.join("search-bench"));
    let svc = tokio::task::spawn_blocking(move || Service::open(data))
        .await
        .map_err(|e| Error::Setup(e.to_string()))?
        .map_err(|e| Error::Setup(e.to_string()))?;
    let start = Instant::now();
    for batch in sample.chunks(IMPORT_BATCH) {
        svc.store().insert(batch.to_vec()).await?;
    }
    let insert_per_s = n as f64 / start.elapsed().as_secs_f64();
    drop(sample);
    let counts = svc.store().read(store::counts).await?;
    let mut times = Vec::new();
    let mut found = 0usize;
    let mut empty = 0usize;
    for text in queries(queries_n.max(1), 11) {
        let req = SearchRequest {
            text,
            ..SearchRequest::default()
        };
        let t = Instant::now();
        let page = svc
            .search(req)
            .await
            .map_err(|e| Error::Setup(e.to_string()))?;
        times.push(t.elapsed().as_secs_f64() * 1_000.0);
        found += page.items.len();
        if page.items.is_empty() {
            empty += 1;
        }
    }
    let path = svc.store().path().to_owned();
    svc.store().clone().close().await?;
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    times.sort_by(|a, b| a.total_cmp(b));
    Ok(SearchFigures {
        records: n,
        queries: times.len(),
        languages: LANGUAGES.len(),
        envelope_bytes_avg,
        p50_ms: percentile(&times, 0.5),
        p99_ms: percentile(&times, 0.99),
        max_ms: times.last().copied().unwrap_or(0.0),
        results_avg: found as f64 / times.len().max(1) as f64,
        empty_queries: empty,
        insert_per_s,
        index_bytes_per_record: counts.search_index_bytes as f64 / n as f64,
        store_bytes_per_record: size as f64 / n as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_is_found_by_its_own_words() {
        let records = corpus(40, 3).expect("corpus");
        for lang in 0..LANGUAGES.len() {
            let r = &records[lang];
            let terms = wsf_protocol::search::record_terms(&r.body().content);
            assert!(
                !terms.is_empty(),
                "language {} has terms",
                LANGUAGES[lang].0
            );
        }
        let q = queries(20, 3);
        assert_eq!(q.len(), 20);
        assert!(
            q.iter()
                .all(|t| !wsf_protocol::search::query_terms(t).is_empty())
        );
    }
}
