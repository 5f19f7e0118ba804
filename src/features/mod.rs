//! Feature extraction: from a document's text to a fixed vector of named, finite numbers.
//!
//! The stages run in this order, each a module of its own:
//!
//! 1. [`normalize`]: NFKC, invisible characters removed, HTML entities decoded, look-alike
//!    letters folded, so that evasions count as the plain words.
//! 2. [`script`]: shares of Han, Latin, Cyrillic, Arabic, kana, Hangul, digits and punctuation,
//!    and the whatlang language on a bounded sample.
//! 3. [`tokenize`]: words (jieba for Han runs).
//! 4. [`boilerplate`]: the line classifier and the boilerplate ratio.
//! 5. [`claims`]: cue-group densities (cure claims, calls to action, hedging, citations, ...).
//! 6. [`quality`]: the Gopher, C4, FineWeb and RedPajama-V2 signals.
//!
//! [`FEATURES`] describes every feature (name, meaning, range, computation, anchor); `FEATURES.md`
//! is generated from it by `contentq features --list`. Every value is finite and inside its
//! documented range for every input, the empty text included (a property test checks this).
//!
//! Text longer than [`Extractor::max_bytes`] (default [`DEFAULT_MAX_BYTES`]) is cut at a
//! character boundary before extraction and the result is flagged `truncated`, so a 1 GB
//! record costs what a 1 MB one does.

pub mod boilerplate;
pub mod claims;
pub mod langid;
mod latin_profiles;
pub mod lines;
pub mod normalize;
pub mod quality;
pub mod script;
pub mod table;
pub mod tokenize;

use std::cell::RefCell;

use boilerplate::{BoilerplateClassifier, LineClass};
use claims::{ClaimMatcher, Group};
use lines::Line;
use quality::QualityScratch;
use script::{ScriptCounts, ratio};
use tokenize::Token;

/// How a model should scale a feature before standardising it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// Use the value as it is.
    Identity,
    /// `ln(1 + x)`, for counts and densities with long tails.
    Log1p,
}

/// The stage a feature comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Language,
    Boilerplate,
    Claims,
    Quality,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::Language => "language",
            Stage::Boilerplate => "boilerplate",
            Stage::Claims => "claims",
            Stage::Quality => "quality",
        }
    }
}

/// Description of one feature.
#[derive(Debug, Clone, Copy)]
pub struct FeatureInfo {
    /// Column name.
    pub name: &'static str,
    pub stage: Stage,
    /// Plain name for explanations ("claim density: cure claims").
    pub label: &'static str,
    /// Unit shown after the value in explanations.
    pub unit: &'static str,
    /// Documented range.
    pub range: &'static str,
    /// How it is computed.
    pub how: &'static str,
    /// Where the definition comes from.
    pub anchor: &'static str,
    pub transform: Transform,
    /// Grows with document length (counts rather than rates). Models trained on data where
    /// length leaks the label should leave these out.
    pub length_dependent: bool,
}

macro_rules! features {
    ($( $id:ident = $name:literal, $stage:ident, $label:literal, $unit:literal, $range:literal,
        $how:literal, $anchor:literal, $tr:ident, $len:literal; )*) => {
        /// Index of each feature in [`Features::values`].
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum F { $( $id, )* }

        /// Every feature, in vector order.
        pub const FEATURES: &[FeatureInfo] = &[ $( FeatureInfo {
            name: $name, stage: Stage::$stage, label: $label, unit: $unit, range: $range,
            how: $how, anchor: $anchor, transform: Transform::$tr, length_dependent: $len,
        }, )* ];
    };
}

features! {
    LangConfidence = "lang_confidence", Language, "language confidence", "", "[0, 1]",
        "whatlang confidence on 128 bytes from the first line of 80+ bytes (else the first line with letters), among 32 common languages; Han-dominated text: Han share (at least 0.5); 0 when undetermined",
        "whatlang `Info::confidence`; datatrove LanguageFilter score", Identity, false;
    HanShare = "han_share", Language, "Han characters", "share", "[0, 1]",
        "CJK ideographs / non-space characters", "RedPajama-V2 script signals; whatlang#136", Identity, false;
    LatinShare = "latin_share", Language, "Latin letters", "share", "[0, 1]",
        "Latin letters / non-space characters", "RedPajama-V2 script signals", Identity, false;
    CyrillicShare = "cyrillic_share", Language, "Cyrillic letters", "share", "[0, 1]",
        "Cyrillic letters / non-space characters", "script shares", Identity, false;
    ArabicShare = "arabic_share", Language, "Arabic letters", "share", "[0, 1]",
        "Arabic letters / non-space characters", "script shares", Identity, false;
    KanaShare = "kana_share", Language, "kana", "share", "[0, 1]",
        "hiragana and katakana / non-space characters", "script shares", Identity, false;
    HangulShare = "hangul_share", Language, "Hangul", "share", "[0, 1]",
        "Hangul / non-space characters", "script shares", Identity, false;
    DigitShare = "digit_share", Language, "digits", "share", "[0, 1]",
        "digits / non-space characters", "RedPajama-V2 `rps_lines_numerical_chars_fraction`; NeMo NumbersFilter", Identity, false;
    PunctShare = "punct_share", Language, "punctuation", "share", "[0, 1]",
        "punctuation (ASCII, general, CJK, full-width) / non-space characters", "NeMo NonAlphaNumericFilter", Identity, false;
    UppercaseRatio = "uppercase_ratio", Language, "upper-case letters", "share", "[0, 1]",
        "upper-case letters / cased letters", "RedPajama-V2 `rps_lines_uppercase_letter_fraction`; DCLM uppercase lines", Identity, false;

    BoilerplateRatio = "boilerplate_ratio", Boilerplate, "boilerplate", "share of characters", "[0, 1]",
        "characters in boilerplate lines / characters in non-blank lines (line classifier in `boilerplate.rs`)",
        "jusText; C4, FineWeb and DCLM line rules", Identity, false;
    BoilerplateBlocks = "boilerplate_blocks", Boilerplate, "boilerplate blocks", "blocks", "[0, lines]",
        "maximal runs of boilerplate lines", "jusText block classes", Log1p, true;
    MainContentChars = "main_content_chars", Boilerplate, "main content length", "characters", "[0, 2^20]",
        "characters in content lines", "jusText / trafilatura main content", Log1p, true;
    NavLineShare = "nav_line_share", Boilerplate, "navigation lines", "share of lines", "[0, 1]",
        "lines classed navigation (prev/next `<<:`, breadcrumbs, sign-in/share) / lines", "jusText; DCLM line modifiers", Identity, false;
    ListLineShare = "list_line_share", Boilerplate, "link-list lines", "share of lines", "[0, 1]",
        "lines in Related/Recommend blocks, runs of short lines or runs of title-like lines / lines", "jusText context pass; FineWeb list ratio", Identity, false;
    TeaserLineShare = "teaser_line_share", Boilerplate, "teaser lines", "share of lines", "[0, 1]",
        "lines cut off with `...`/`…` (up to 200 wide) / lines", "Gopher ellipsis lines; DCLM `Read more...`", Identity, false;
    LinkLineShare = "link_line_share", Boilerplate, "URL lines", "share of lines", "[0, 1]",
        "lines that are at least half URL / lines", "jusText link density; NeMo UrlsFilter", Identity, false;
    PolicyLineShare = "policy_line_share", Boilerplate, "policy and counter lines", "share of lines", "[0, 1]",
        "policy, copyright, cookie and counter lines / lines", "C4 policy strings; DCLM counter lines", Identity, false;
    RepeatedLineShare = "repeated_line_share", Boilerplate, "repeated lines", "share of lines", "[0, 1]",
        "second and later copies of a line (4+ characters) / lines", "Gopher repetition; jusText", Identity, false;

    ClaimCure = "claim_cure", Claims, "claim density: cure claims", "per 100 words", "[0, 100]",
        "cure and efficacy phrases (cures, 100% effective, no side effects, 根治, 特效) per 100 word units",
        "HealthNewsReview disease-mongering; anchors §5.2", Log1p, false;
    ClaimSuperlative = "claim_superlative", Claims, "claim density: superlatives and urgency", "per 100 words", "[0, 100]",
        "superlative and urgency phrases (best, #1, limited time, 最好, 限时) per 100 word units", "anchors §5.2", Log1p, false;
    ClaimCta = "claim_cta", Claims, "claim density: calls to action", "per 100 words", "[0, 100]",
        "calls to action (call now, free consultation, 免费咨询, 加微信) per 100 word units",
        "NVIDIA quality classifier 'Low' example; anchors §5.1", Log1p, false;
    ClaimContact = "claim_contact", Claims, "claim density: contact details", "per 100 words", "[0, 100]",
        "phone numbers (9-15 digits), URLs, e-mails, contact words (hotline, 微信, 地址) per 100 word units",
        "HONcode transparency; NeMo UrlsFilter; anchors §5.1", Log1p, false;
    ClaimSolicit = "claim_solicit", Claims, "claim density: clinic solicitation", "per 100 words", "[0, 100]",
        "which-hospital phrases (best clinic, near me, 哪个医院, 哪家好) per 100 word units", "SEO funnel pages (target genre)", Log1p, false;
    ClaimPrice = "claim_price", Claims, "claim density: prices and discounts", "per 100 words", "[0, 100]",
        "price and discount words, currency amounts ($99, 2800元) per 100 word units", "anchors §5.5", Log1p, false;
    InfoHedge = "info_hedge", Claims, "informative: hedging", "per 100 words", "[0, 100]",
        "hedges (may, studies suggest, 可能, 因人而异) per 100 word units", "HONcode justifiability; anchors §5.3", Log1p, false;
    InfoCitation = "info_citation", Claims, "informative: citations and sources", "per 100 words", "[0, 100]",
        "citations and named sources (study, journal, et al, 研究表明, 指南) per 100 word units", "HONcode attribution; anchors §5.3", Log1p, false;
    InfoUnits = "info_units", Claims, "informative: numbers with units", "per 100 words", "[0, 100]",
        "numbers followed by a measurement unit (5 mg, 120 mmHg, 30%, 12 例) per 100 word units", "anchors §5.4", Log1p, false;
    InfoRisk = "info_risk", Claims, "informative: risk language", "per 100 words", "[0, 100]",
        "side effects, risks, advice to see a doctor, debunking words (辟谣, 误区, myth) per 100 word units",
        "HealthNewsReview harms criterion", Log1p, false;
    RegisterYou = "register_you", Claims, "second person (you, 您)", "per 100 words", "[0, 100]",
        "you/your/您/你 per 100 word units", "advertising register", Log1p, false;
    RegisterWe = "register_we", Claims, "institutional we (we, our, 我院)", "per 100 words", "[0, 100]",
        "we/our/我们/我院/本院 per 100 word units", "advertising register", Log1p, false;
    ClaimDensity = "claim_density", Claims, "claim density: all promotional cues", "per 100 words", "[0, 600]",
        "sum of the six promotional groups", "this project", Log1p, false;
    InfoDensity = "info_density", Claims, "informative cues", "per 100 words", "[0, 400]",
        "sum of the four informative groups", "this project", Log1p, false;
    ClaimBalance = "claim_balance", Claims, "promotional vs informative balance", "", "[-1, 1]",
        "(promotional - informative) / (promotional + informative + 1), on densities", "this project", Identity, false;

    WordCount = "word_count", Quality, "words", "words", "[0, 2^20]",
        "tokens: Latin words plus Han characters", "Gopher quality; RPv2 `rps_doc_word_count`", Log1p, true;
    CharCount = "char_count", Quality, "characters", "characters", "[0, 2^20]",
        "characters after normalisation", "RPv2 `ccnet_length`", Log1p, true;
    MeanWordLength = "mean_word_length", Quality, "mean word length", "characters", "[0, 50]",
        "mean characters per word; for Chinese text, of the jieba words of the first 120 Han characters", "Gopher quality; FineWeb-2 zh 1-5", Identity, false;
    SymbolWordRatio = "symbol_word_ratio", Quality, "symbols per word", "", "[0, 10]",
        "(`#` + ellipses) / words", "Gopher quality (0.1)", Identity, false;
    EllipsisLineRatio = "ellipsis_line_ratio", Quality, "lines ending in ellipsis", "share of lines", "[0, 1]",
        "lines ending in `...`/`…` / lines", "Gopher quality (0.3); RPv2", Identity, false;
    BulletLineRatio = "bullet_line_ratio", Quality, "bullet lines", "share of lines", "[0, 1]",
        "lines starting with a bullet / lines", "Gopher quality (0.9); RPv2", Identity, false;
    StopwordRatio = "stopword_ratio", Quality, "stop words", "share of words", "[0, 1]",
        "English core stop words and FineWeb-2 Chinese stop words / words", "Gopher quality; RPv2; FineWeb-2 cmn_Hani", Identity, false;
    TerminalLineRatio = "terminal_line_ratio", Quality, "lines ending a sentence", "share of lines", "[0, 1]",
        "lines ending in . ! ? \" ' 。！？” / lines", "C4; FineWeb line_punct (0.12)", Identity, false;
    ShortLineRatio = "short_line_ratio", Quality, "short lines", "share of lines", "[0, 1]",
        "lines of display width <= 30 (Han counts 2) / lines", "FineWeb short lines (0.67)", Identity, false;
    DupLineRatio = "dup_line_ratio", Quality, "duplicate lines", "share of lines", "[0, 1]",
        "repeated lines / lines", "Gopher repetition (0.30)", Identity, false;
    DupLineCharFrac = "dup_line_char_frac", Quality, "characters in duplicate lines", "share", "[0, 1]",
        "characters of repeated lines / characters of lines", "Gopher repetition (0.20); FineWeb char dup (0.01)", Identity, false;
    DupParaCharFrac = "dup_para_char_frac", Quality, "characters in duplicate paragraphs", "share", "[0, 1]",
        "characters of repeated paragraphs / characters of lines", "Gopher repetition (0.20)", Identity, false;
    Top2gramCharFrac = "top_2gram_char_frac", Quality, "top 2-gram", "share of characters", "[0, 1]",
        "characters of the most frequent word 2-gram x its count / characters (0 unless repeated)", "Gopher repetition (0.20); RPv2", Identity, false;
    Top3gramCharFrac = "top_3gram_char_frac", Quality, "top 3-gram", "share of characters", "[0, 1]",
        "same for 3-grams", "Gopher repetition (0.18); RPv2", Identity, false;
    Top4gramCharFrac = "top_4gram_char_frac", Quality, "top 4-gram", "share of characters", "[0, 1]",
        "same for 4-grams", "Gopher repetition (0.16); RPv2", Identity, false;
    Dup5gramCharFrac = "dup_5gram_char_frac", Quality, "duplicate 5-grams", "share of word characters", "[0, 1]",
        "characters in repeated word 5-grams / word characters (datatrove `find_all_duplicate`)", "Gopher repetition (0.15); RPv2", Identity, false;
    Dup6gramCharFrac = "dup_6gram_char_frac", Quality, "duplicate 6-grams", "share of word characters", "[0, 1]",
        "same for 6-grams", "Gopher repetition (0.14); RPv2", Identity, false;
    Dup7gramCharFrac = "dup_7gram_char_frac", Quality, "duplicate 7-grams", "share of word characters", "[0, 1]",
        "same for 7-grams", "Gopher repetition (0.13); RPv2", Identity, false;
    Dup8gramCharFrac = "dup_8gram_char_frac", Quality, "duplicate 8-grams", "share of word characters", "[0, 1]",
        "same for 8-grams", "Gopher repetition (0.12); RPv2", Identity, false;
    Dup9gramCharFrac = "dup_9gram_char_frac", Quality, "duplicate 9-grams", "share of word characters", "[0, 1]",
        "same for 9-grams", "Gopher repetition (0.11); RPv2", Identity, false;
    Dup10gramCharFrac = "dup_10gram_char_frac", Quality, "duplicate 10-grams", "share of word characters", "[0, 1]",
        "same for 10-grams", "Gopher repetition (0.10); RPv2", Identity, false;
    UniqueWordFrac = "unique_word_frac", Quality, "unique words", "share of words", "[0, 1]",
        "distinct lower-cased words / words, averaged over windows of 100 words (the plain ratio falls with length)",
        "RPv2 `rps_doc_frac_unique_words`, windowed here", Identity, false;
    UnigramEntropy = "unigram_entropy", Quality, "word entropy", "nats", "[0, ln words]",
        "Shannon entropy of the word distribution", "RPv2 `rps_doc_unigram_entropy`", Identity, true;
    EntropyNorm = "entropy_norm", Quality, "word entropy (normalised)", "", "[0, 1]",
        "unigram entropy / ln(words); 0 for fewer than 2 words", "RPv2 `rps_doc_unigram_entropy` / ln(words)", Identity, true;
    AllCapsWordFrac = "all_caps_word_frac", Quality, "all-caps words", "share of words", "[0, 1]",
        "words of 2+ letters all upper case / words (Han characters count as words)", "RPv2 `rps_doc_frac_all_caps_words`", Identity, false;
    AlphaWordFrac = "alpha_word_frac", Quality, "alphabetic words", "share", "[0, 1]",
        "whitespace-separated chunks with a letter of any script (Han included) / chunks", "Gopher quality (0.8); datatrove#202", Identity, false;
    UrlRatio = "url_ratio", Quality, "URL characters", "share of bytes", "[0, 1]",
        "bytes inside http(s):// and www. URLs / bytes", "NeMo UrlsFilter (0.2)", Identity, false;
    QuestionRatio = "question_ratio", Quality, "questions", "share of sentence ends", "[0, 1]",
        "? and ？ / sentence-ending marks", "RPv2-style punctuation signal", Identity, false;
    ExclamationRatio = "exclamation_ratio", Quality, "exclamations", "share of sentence ends", "[0, 1]",
        "! and ！ / sentence-ending marks", "RPv2-style punctuation signal", Identity, false;
    NewlineWordRatio = "newline_word_ratio", Quality, "lines per word", "", "[0, 10]",
        "non-blank lines / words", "FineWeb list ratio (0.3)", Identity, false;
    CurlyRatio = "curly_bracket_ratio", Quality, "curly brackets", "share of characters", "[0, 1]",
        "`{` and `}` / characters", "C4 `{`; RPv2 `rps_doc_curly_bracket`", Identity, false;
    MeanSentenceWords = "mean_sentence_words", Quality, "words per sentence", "words", "[0, 500]",
        "words / sentence-ending marks (at least 1)", "Ntoulas 2006; Bevendorff 2024 text complexity", Log1p, false;
}

/// Number of features.
pub const N_FEATURES: usize = FEATURES.len();

/// Features that say which language or script a text is in rather than how it is written.
/// The training data's class balance differs by language (English mostly informative,
/// Chinese mostly promotional), so a model given these learns a language prior that fails on
/// data with another balance; the default feature set leaves them out.
pub const IDENTITY_FEATURES: &[&str] = &[
    "lang_confidence",
    "han_share",
    "latin_share",
    "cyrillic_share",
    "arabic_share",
    "kana_share",
    "hangul_share",
];

impl FeatureInfo {
    /// Is the feature in the default model's feature set (neither length-dependent nor a
    /// language identity feature)?
    pub fn is_default(&self) -> bool {
        !self.length_dependent && !IDENTITY_FEATURES.contains(&self.name)
    }
}

/// Default cap on the bytes of text one document contributes to extraction (1 MiB).
pub const DEFAULT_MAX_BYTES: usize = 1 << 20;

/// Feature names in vector order.
pub fn feature_names() -> Vec<&'static str> {
    FEATURES.iter().map(|f| f.name).collect()
}

/// Position of a feature by name.
pub fn feature_index(name: &str) -> Option<usize> {
    FEATURES.iter().position(|f| f.name == name)
}

/// The features of one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// Values in [`FEATURES`] order; always finite.
    pub values: [f64; N_FEATURES],
    /// ISO 639-3 language code, `und` when undetermined.
    pub lang: &'static str,
    /// Chinese by script (Han dominates the letters).
    pub is_chinese: bool,
    /// The text was longer than the extraction cap and was cut.
    pub truncated: bool,
}

impl Features {
    /// Value of a feature.
    pub fn get(&self, f: F) -> f64 {
        self.values[f as usize]
    }
}

/// What extraction produces: the features and, when asked for, the hashed n-grams the
/// lexical model features are computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub features: Features,
    /// Hashes of word unigrams and bigrams (lower-cased), in text order; empty unless asked.
    pub word_grams: Vec<u64>,
    /// How many distinct hashes `word_grams` holds (counted by the repetition signals), when
    /// it was asked for.
    pub distinct_grams: Option<usize>,
}

/// Per-thread buffers reused between documents.
struct Scratch {
    lines: Vec<Line>,
    tokens: Vec<Token>,
    classes: Vec<LineClass>,
    seen: table::CountTable,
    quality: QualityScratch,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch {
        lines: Vec::new(),
        tokens: Vec::new(),
        classes: Vec::new(),
        seen: table::CountTable::default(),
        quality: QualityScratch::new(),
    });
}

/// The feature extractor. Build one and share it across threads (`Send + Sync`); it holds the
/// compiled lexicons and the language detector.
#[derive(Debug, Clone)]
pub struct Extractor {
    detector: langid::LangDetector,
    claims: ClaimMatcher,
    boilerplate: BoilerplateClassifier,
    max_bytes: usize,
}

impl Default for Extractor {
    fn default() -> Self {
        Self::new()
    }
}

impl Extractor {
    /// An extractor with the default extraction cap.
    pub fn new() -> Extractor {
        Extractor {
            detector: script::detector(),
            claims: ClaimMatcher::new(),
            boilerplate: BoilerplateClassifier::new(),
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }

    /// Set the cap on the bytes of one document's text that extraction reads.
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Extractor {
        self.max_bytes = max_bytes.max(1);
        self
    }

    /// The cap on bytes read per document.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Extract the features of `text`.
    pub fn extract(&self, text: &str) -> Features {
        self.analyze(text, false).features
    }

    /// Extract the features and, if `word_grams` is set, the hashed word n-grams.
    pub fn analyze(&self, text: &str, word_grams: bool) -> Analysis {
        let (text, truncated) = cap(text, self.max_bytes);
        let norm = normalize::normalize(text);
        let text: &str = &norm;
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let s = &mut *s;
            let counts = ScriptCounts::count(text);
            let lang = script::detect_language(&self.detector, text, &counts);
            tokenize::tokenize(text, &mut s.tokens);
            lines::split_lines(text, &mut s.lines);
            self.boilerplate
                .classify(text, &s.lines, &mut s.classes, &mut s.seen);
            let bp = BoilerplateClassifier::stats(&s.lines, &s.classes);
            let claims = self.claims.count(text);
            let q = quality::quality(text, &s.lines, &s.tokens, lang.is_chinese, &mut s.quality);

            let mut v = [0.0; N_FEATURES];
            v[F::LangConfidence as usize] = lang.confidence;
            v[F::HanShare as usize] = counts.share(counts.han);
            v[F::LatinShare as usize] = counts.share(counts.latin);
            v[F::CyrillicShare as usize] = counts.share(counts.cyrillic);
            v[F::ArabicShare as usize] = counts.share(counts.arabic);
            v[F::KanaShare as usize] = counts.share(counts.kana);
            v[F::HangulShare as usize] = counts.share(counts.hangul);
            v[F::DigitShare as usize] = counts.share(counts.digit);
            v[F::PunctShare as usize] = counts.share(counts.punct);
            v[F::UppercaseRatio as usize] = ratio(counts.upper as f64, counts.cased as f64);

            v[F::BoilerplateRatio as usize] = bp.ratio;
            v[F::BoilerplateBlocks as usize] = bp.blocks as f64;
            v[F::MainContentChars as usize] = bp.main_chars as f64;
            v[F::NavLineShare as usize] = bp.nav_share;
            v[F::ListLineShare as usize] = bp.list_share;
            v[F::TeaserLineShare as usize] = bp.teaser_share;
            v[F::LinkLineShare as usize] = bp.link_share;
            v[F::PolicyLineShare as usize] = bp.policy_share;
            v[F::RepeatedLineShare as usize] = bp.repeated_share;

            // Word units: non-Han words plus Han characters.
            let units: u64 = s
                .tokens
                .iter()
                .map(|t| if t.han { t.chars as u64 } else { 1 })
                .sum();
            let units = units.max(1) as f64;
            let density = |g: Group| (claims.counts[g as usize] as f64 * 100.0 / units).min(100.0);
            let mut promo = 0.0;
            for g in claims::PROMO_GROUPS {
                promo += density(g);
            }
            let mut info = 0.0;
            for g in claims::INFO_GROUPS {
                info += density(g);
            }
            v[F::ClaimCure as usize] = density(Group::Cure);
            v[F::ClaimSuperlative as usize] = density(Group::Superlative);
            v[F::ClaimCta as usize] = density(Group::Cta);
            v[F::ClaimContact as usize] = density(Group::Contact);
            v[F::ClaimSolicit as usize] = density(Group::Solicit);
            v[F::ClaimPrice as usize] = density(Group::Price);
            v[F::InfoHedge as usize] = density(Group::Hedge);
            v[F::InfoCitation as usize] = density(Group::Citation);
            v[F::InfoUnits as usize] = density(Group::Units);
            v[F::InfoRisk as usize] = density(Group::Risk);
            v[F::RegisterYou as usize] = density(Group::You);
            v[F::RegisterWe as usize] = density(Group::We);
            v[F::ClaimDensity as usize] = promo;
            v[F::InfoDensity as usize] = info;
            v[F::ClaimBalance as usize] = (promo - info) / (promo + info + 1.0);

            v[F::WordCount as usize] = q.words as f64;
            v[F::CharCount as usize] = text.chars().count() as f64;
            v[F::MeanWordLength as usize] = q.mean_word_len;
            v[F::SymbolWordRatio as usize] = q.symbol_word_ratio;
            v[F::EllipsisLineRatio as usize] = q.ellipsis_line_ratio;
            v[F::BulletLineRatio as usize] = q.bullet_line_ratio;
            v[F::StopwordRatio as usize] = q.stopword_ratio;
            v[F::TerminalLineRatio as usize] = q.terminal_line_ratio;
            v[F::ShortLineRatio as usize] = q.short_line_ratio;
            v[F::DupLineRatio as usize] = q.dup_line_ratio;
            v[F::DupLineCharFrac as usize] = q.dup_line_char_frac;
            v[F::DupParaCharFrac as usize] = q.dup_para_char_frac;
            v[F::Top2gramCharFrac as usize] = q.top_ngram_char_frac[0];
            v[F::Top3gramCharFrac as usize] = q.top_ngram_char_frac[1];
            v[F::Top4gramCharFrac as usize] = q.top_ngram_char_frac[2];
            for k in 0..6 {
                v[F::Dup5gramCharFrac as usize + k] = q.dup_ngram_char_frac[k];
            }
            v[F::UniqueWordFrac as usize] = q.unique_word_frac;
            v[F::UnigramEntropy as usize] = q.unigram_entropy;
            v[F::EntropyNorm as usize] = q.entropy_norm;
            v[F::AllCapsWordFrac as usize] = q.all_caps_word_frac;
            v[F::AlphaWordFrac as usize] = q.alpha_word_frac;
            v[F::UrlRatio as usize] = q.url_ratio;
            v[F::QuestionRatio as usize] = q.question_ratio;
            v[F::ExclamationRatio as usize] = q.exclamation_ratio;
            v[F::NewlineWordRatio as usize] = q.newline_word_ratio;
            v[F::CurlyRatio as usize] = q.curly_ratio;
            v[F::MeanSentenceWords as usize] = q.mean_sentence_words;

            debug_assert!(
                v.iter().all(|x| x.is_finite()),
                "features must be finite: {v:?}"
            );
            for x in &mut v {
                if !x.is_finite() {
                    *x = 0.0;
                }
            }
            let (grams, distinct_grams) = if word_grams {
                (
                    word_ngrams(&s.tokens),
                    Some(q.distinct_words as usize + q.distinct_bigrams as usize),
                )
            } else {
                (Vec::new(), None)
            };
            Analysis {
                features: Features {
                    values: v,
                    lang: lang.code,
                    is_chinese: lang.is_chinese,
                    truncated,
                },
                word_grams: grams,
                distinct_grams,
            }
        })
    }
}

/// Name the word n-grams of `text` (unigrams and bigrams, with their hashes as in
/// [`Analysis::word_grams`]) whose hash `wanted` accepts: `name(hash, text)` is called for
/// each, the text lower-cased and a bigram's words joined by a space. Strings are only built
/// for those (naming a lexical table must not build one for every n-gram of a large training
/// set).
pub fn for_each_word_ngram(
    text: &str,
    wanted: impl Fn(u64) -> bool,
    mut name: impl FnMut(u64, String),
) {
    let norm = normalize::normalize(text);
    let mut tokens = Vec::new();
    tokenize::tokenize(&norm, &mut tokens);
    let word = |t: &Token| t.text(&norm).to_lowercase();
    for (i, t) in tokens.iter().enumerate() {
        if wanted(t.hash) {
            name(t.hash, word(t));
        }
        if let Some(n) = tokens.get(i + 1) {
            let h = tokenize::combine(t.hash, n.hash);
            if wanted(h) {
                name(h, format!("{} {}", word(t), word(n)));
            }
        }
    }
}

/// Hashes of word unigrams and bigrams.
fn word_ngrams(tokens: &[Token]) -> Vec<u64> {
    let mut out = Vec::with_capacity(tokens.len() * 2);
    for (i, t) in tokens.iter().enumerate() {
        out.push(t.hash);
        if let Some(n) = tokens.get(i + 1) {
            out.push(tokenize::combine(t.hash, n.hash));
        }
    }
    out
}

/// Cut `text` to at most `max` bytes at a char boundary.
fn cap(text: &str, max: usize) -> (&str, bool) {
    if text.len() <= max {
        return (text, false);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], true)
}

/// The feature table as Markdown (the body of `FEATURES.md`).
pub fn features_markdown() -> String {
    let mut s = String::new();
    s.push_str(
        "| # | name | stage | meaning | range | how it is computed | anchor | model transform |\n",
    );
    s.push_str("|---|---|---|---|---|---|---|---|\n");
    for (i, f) in FEATURES.iter().enumerate() {
        let tr = match f.transform {
            Transform::Identity => "none",
            Transform::Log1p => "ln(1+x)",
        };
        let len = if f.length_dependent {
            " (length-dependent)"
        } else if IDENTITY_FEATURES.contains(&f.name) {
            " (language identity)"
        } else {
            ""
        };
        s.push_str(&format!(
            "| {} | `{}` | {} | {}{} | {} | {} | {} | {} |\n",
            i,
            f.name,
            f.stage.name(),
            f.label,
            len,
            f.range,
            f.how.replace('|', "\\|"),
            f.anchor,
            tr
        ));
    }
    s
}

/// Texts 0 to `count - 1` characters long, drawn from `alphabet` by a fixed-seed generator:
/// the random inputs of the tests that hold a fast path to a plain reference.
#[cfg(test)]
pub(crate) fn random_texts(alphabet: &str, count: usize, mut seed: u64) -> Vec<String> {
    let alphabet: Vec<char> = alphabet.chars().collect();
    (0..count)
        .map(|len| {
            (0..len)
                .map(|_| {
                    seed = tokenize::mix64(seed);
                    alphabet[(seed % alphabet.len() as u64) as usize]
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names = feature_names();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn empty_text_is_finite_and_zero() {
        let f = Extractor::new().extract("");
        assert!(f.values.iter().all(|x| x.is_finite()));
        assert_eq!(f.lang, "und");
        assert_eq!(f.get(F::BoilerplateRatio), 0.0);
    }

    #[test]
    fn obfuscated_claims_count_like_plain() {
        let e = Extractor::new();
        let plain = e.extract("This cream will cure your skin, call now for a free consultation.");
        for text in [
            "This cream will ｃｕｒｅ your skin, call now for a free consultation.",
            "This cream will c\u{200b}ure your skin, call now for a free consultation.",
            "This cream will CURE your skin, CALL NOW for a free consultation.",
            "This cream will \u{0441}ure your skin, call now for a free consultation.",
            "This cream will c u r e your skin, call now for a free consultation.",
            "This cream will &#99;ure your skin, call now for a free consultation.",
        ] {
            let f = e.extract(text);
            for g in [F::ClaimCure, F::ClaimCta, F::ClaimDensity] {
                assert_eq!(f.get(g), plain.get(g), "{g:?} for {text:?}");
            }
        }
    }

    #[test]
    fn truncates_long_text() {
        let e = Extractor::new().with_max_bytes(10);
        let f = e.extract("中文中文中文中文");
        assert!(f.truncated);
        assert!(f.get(F::CharCount) <= 3.0);
    }

    #[test]
    fn word_grams_only_when_asked() {
        let e = Extractor::new();
        assert!(e.analyze("aa bb cc", false).word_grams.is_empty());
        assert_eq!(e.analyze("aa bb cc", true).word_grams.len(), 5);
    }

    #[test]
    fn distinct_grams_counts_the_word_grams() {
        let e = Extractor::new();
        for text in [
            "",
            "one",
            "buy now buy now buy now call today",
            "白癜风医院哪家好白癜风医院哪家好",
            "The cat sat on the mat. THE CAT sat on the hat, and the dog sat too.",
        ] {
            let a = e.analyze(text, true);
            let distinct: std::collections::HashSet<u64> = a.word_grams.iter().copied().collect();
            assert_eq!(a.distinct_grams, Some(distinct.len()), "{text:?}");
            assert_eq!(e.analyze(text, false).distinct_grams, None);
        }
    }

    #[test]
    fn autotraits() {
        fn is_send_sync<T: Send + Sync>() {}
        is_send_sync::<Extractor>();
        is_send_sync::<Features>();
    }
}
