//! Stage 3: words.
//!
//! Latin, Cyrillic and other alphabetic text is split into maximal runs of letters and digits
//! (an apostrophe between letters stays inside the word, as in `don't`).
//!
//! Han text has no spaces, and two tokenisations serve two purposes:
//!
//! - The token stream that the repetition, vocabulary and lexical statistics run on has one
//!   token per Han character (so Chinese n-gram statistics are character n-grams, as in
//!   character-bigram text classifiers). It costs one pass.
//! - Word statistics (word counts and lengths) come from jieba-rs ([`segment_sample`]),
//!   dictionary only, no HMM (faster, and deterministic for unknown words), on a bounded
//!   sample of the document's Han text: jieba runs at about 40 MB/s here, and segmenting
//!   every byte would cap the whole pass below that. The dictionary is loaded once per process,
//!   on the first Chinese text.
//!
//! Every token carries a 64-bit hash of its lower-cased form so that the repetition and
//! vocabulary statistics never compare strings.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use jieba_rs::Jieba;

use super::script::{char_at, is_han};

/// A word of the text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Token {
    /// Byte range in the text.
    pub start: u32,
    pub end: u32,
    /// Length in characters.
    pub chars: u32,
    /// Hash of the lower-cased word.
    pub hash: u64,
    /// A Han character.
    pub han: bool,
    /// Contains a letter of any script (Gopher's "alphabetic word", Han included).
    pub alpha: bool,
    /// All cased letters are upper case and there are at least two of them.
    pub all_caps: bool,
}

impl Token {
    /// The token's text.
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start as usize..self.end as usize]
    }
}

/// The process-wide jieba segmenter, loaded on first use (about 0.15 s).
pub fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

/// If `text` has Chinese characters in its first 64 KiB, start loading the segmenter on a
/// thread of its own (once per process), so that the load overlaps the reading instead of
/// holding up the first scoring worker that meets Chinese text (a worker that needs it before
/// it is ready waits for it). Text without them loads nothing: English-only input never needs
/// the dictionary (about 0.1 s of CPU and 30 MB). Returns whether `text` has them.
pub fn preload_jieba_for(text: &str) -> bool {
    // Lead bytes of U+4000..U+9FFF, the main ideograph block among them. A bounded look, so
    // that a huge English document costs no full scan here.
    let head = &text.as_bytes()[..text.len().min(64 << 10)];
    let han = head.iter().any(|b| (0xE4..=0xE9).contains(b));
    static STARTED: std::sync::Once = std::sync::Once::new();
    if han {
        STARTED.call_once(|| {
            // Without the thread, the first use loads it.
            let _ = std::thread::Builder::new()
                .name("contentq-jieba".into())
                .spawn(|| {
                    jieba();
                });
        });
    }
    han
}

/// Split `text` into tokens, appending to `out` (cleared first).
pub fn tokenize(text: &str, out: &mut Vec<Token>) {
    out.clear();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if b.is_ascii_alphanumeric() {
                i = word_run(text, i, out);
            } else {
                i += 1;
            }
            continue;
        }
        let c = char_at(text, i);
        if is_han(c) {
            out.push(han_token(c, i));
            i += c.len_utf8();
        } else if !super::script::is_plain_punct(c) && c.is_alphanumeric() {
            i = word_run(text, i, out);
        } else {
            i += c.len_utf8();
        }
    }
}

/// Classes of bytes in a word: `1` an ASCII digit, `3` a lower-case ASCII letter, `7` an
/// upper-case one, `0` anything else (non-ASCII bytes included).
const WORD_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = match b as u8 {
            b'0'..=b'9' => 1,
            b'a'..=b'z' => 3,
            b'A'..=b'Z' => 7,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// A run of non-Han letters and digits starting at `start`; returns where it ends.
fn word_run(text: &str, start: usize, out: &mut Vec<Token>) -> usize {
    let bytes = text.as_bytes();
    let mut h = WordHash::new();
    let mut end = start;
    let mut chars = 0u32;
    // `alpha` is set by other scripts' letters; an ASCII letter is counted in `upper` or
    // `lower`, which is all `alpha` needs of it.
    let (mut alpha, mut upper, mut lower) = (false, 0u32, 0u32);
    while end < bytes.len() {
        let b = bytes[end];
        let k = WORD_BYTE[b as usize];
        if k != 0 {
            // An ASCII letter or digit: counted and hashed from its class, lower-cased by
            // setting bit 5 on upper-case letters.
            let (is_alpha, is_upper) = ((k >> 1) & 1, (k >> 2) & 1);
            upper += is_upper as u32;
            lower += (is_alpha & !is_upper) as u32;
            h.push_ascii_lower(b | (is_upper << 5));
            chars += 1;
            end += 1;
            continue;
        }
        if b < 0x80 {
            let keep = b == b'\''
                && chars > 0
                && bytes[end - 1].is_ascii_alphabetic()
                && bytes.get(end + 1).is_some_and(|n| n.is_ascii_alphabetic());
            if !keep {
                break;
            }
            h.push_char('\'');
            chars += 1;
            end += 1;
            continue;
        }
        let c = char_at(text, end);
        if !c.is_alphanumeric() || is_han(c) {
            break;
        }
        if c.is_alphabetic() {
            alpha = true;
            if c.is_uppercase() {
                upper += 1;
            } else if c.is_lowercase() {
                lower += 1;
            }
        }
        h.push_char(c);
        chars += 1;
        end += c.len_utf8();
    }
    out.push(Token {
        start: start as u32,
        end: end as u32,
        chars,
        hash: h.finish(),
        han: false,
        alpha: alpha || upper + lower > 0,
        all_caps: upper >= 2 && lower == 0,
    });
    end
}

/// Han characters of a document that jieba segments at most.
pub const JIEBA_SAMPLE_CHARS: usize = 120;

/// Segment the text up to its [`JIEBA_SAMPLE_CHARS`]th Han character with jieba (one call:
/// jieba's per-call overhead is several microseconds) and count the words made of Han
/// characters; returns (Han words, characters in them).
pub fn segment_sample(text: &str) -> (u32, u32) {
    let mut seen = 0;
    let mut end = text.len();
    for (i, c) in text.char_indices() {
        if is_han(c) {
            seen += 1;
            if seen == JIEBA_SAMPLE_CHARS {
                end = i + c.len_utf8();
                break;
            }
        }
    }
    if seen == 0 {
        return (0, 0);
    }
    let (mut words, mut chars) = (0u32, 0u32);
    for t in jieba().cut(&text[..end], false) {
        if t.word.chars().next().is_some_and(is_han) {
            words += 1;
            chars += t.word.chars().count() as u32;
        }
    }
    (words, chars)
}

/// The token of one Han character at byte `start`.
fn han_token(c: char, start: usize) -> Token {
    let mut h = WordHash::new();
    h.push_char(c);
    Token {
        start: start as u32,
        end: (start + c.len_utf8()) as u32,
        chars: 1,
        hash: h.finish(),
        han: true,
        alpha: true,
        all_caps: false,
    }
}

/// FNV-1a over lower-cased characters, finished with a 64-bit mix so that the hashes can key
/// hash maps directly (see [`PreHashed`]).
#[derive(Clone, Copy)]
pub struct WordHash(u64);

impl WordHash {
    pub fn new() -> Self {
        WordHash(0xcbf2_9ce4_8422_2325)
    }

    #[inline]
    pub fn push_char(&mut self, c: char) {
        let lc = if c.is_ascii() {
            c.to_ascii_lowercase() as u32
        } else if (c as u32) >= 0x2E80 {
            // CJK and everything above it has no case.
            c as u32
        } else {
            c.to_lowercase().next().unwrap_or(c) as u32
        };
        self.0 = (self.0 ^ lc as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }

    /// [`WordHash::push_char`] for an ASCII byte that is already lower case.
    #[inline]
    pub fn push_ascii_lower(&mut self, b: u8) {
        self.0 = (self.0 ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }

    #[inline]
    pub fn finish(self) -> u64 {
        mix64(self.0)
    }

    /// The hash of `word` as a token of it gets it (every character pushed, then finished).
    pub fn of(word: &str) -> u64 {
        let mut h = WordHash::new();
        word.chars().for_each(|c| h.push_char(c));
        h.finish()
    }
}

impl Default for WordHash {
    fn default() -> Self {
        Self::new()
    }
}

/// A strong 64-bit finaliser (from splitmix64).
#[inline]
pub fn mix64(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Combine two hashes order-sensitively (for n-grams).
#[inline]
pub fn combine(a: u64, b: u64) -> u64 {
    mix64(a.rotate_left(17) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// A hasher for keys that are already well-mixed 64-bit hashes: passes them through.
#[derive(Default, Clone, Copy)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Build-hasher for maps keyed by pre-hashed `u64`s.
pub type PreHashed = BuildHasherDefault<PassThrough>;
/// A set of pre-hashed keys.
pub type HashSet64 = HashSet<u64, PreHashed>;
/// A map from pre-hashed keys.
pub type HashMap64<V> = HashMap<u64, V, PreHashed>;

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        let mut v = Vec::new();
        tokenize(text, &mut v);
        v.iter().map(|t| t.text(text)).collect()
    }

    #[test]
    fn splits_latin_words() {
        assert_eq!(
            words("Don't stop, call-now 24/7!"),
            vec!["Don't", "stop", "call", "now", "24", "7"]
        );
    }

    #[test]
    fn han_characters_are_tokens() {
        assert_eq!(words("我们中出了"), vec!["我", "们", "中", "出", "了"]);
        assert_eq!(words("NK细胞ABC"), vec!["NK", "细", "胞", "ABC"]);
    }

    #[test]
    fn jieba_segments_the_sample() {
        // 我们 中 出 了 一个 叛徒: 6 words, 9 characters.
        assert_eq!(segment_sample("我们中出了一个叛徒"), (6, 9));
        assert_eq!(segment_sample("NK细胞, 治疗!"), (2, 4));
        assert_eq!(segment_sample("no chinese"), (0, 0));
        let long = "白癜风".repeat(1000);
        let (_, chars) = segment_sample(&long);
        assert_eq!(chars as usize, JIEBA_SAMPLE_CHARS);
    }

    #[test]
    fn only_chinese_text_preloads_the_segmenter() {
        assert!(preload_jieba_for("NK细胞疗法"));
        assert!(!preload_jieba_for("plain English, café, naïve — “quoted”"));
        assert!(!preload_jieba_for(""));
        // Only the first 64 KiB are looked at.
        assert!(!preload_jieba_for(&format!("{}细胞", "a".repeat(64 << 10))));
    }

    #[test]
    fn hash_ignores_case() {
        let mut v = Vec::new();
        tokenize("Cure CURE cure", &mut v);
        assert_eq!(v[0].hash, v[1].hash);
        assert_eq!(v[1].hash, v[2].hash);
        assert!(v[1].all_caps && !v[0].all_caps);
    }

    #[test]
    fn empty_and_symbols_give_no_tokens() {
        assert!(words("").is_empty());
        assert!(words("  ?!… 😀😀 ").is_empty());
    }

    #[test]
    fn han_fast_path_gives_the_decoded_tokens() {
        // Each Han character a token, whichever path decoded it; words around them unchanged.
        let alphabet = "aZ '1中文一鿿㐀\u{4DFF}丶，é Ж😀\u{F900}";
        for t in crate::features::random_texts(alphabet, 300, 0x4528_21e6_38d0_1377) {
            let mut v = Vec::new();
            tokenize(&t, &mut v);
            let mut want = Vec::new();
            for (i, c) in t.char_indices().filter(|&(_, c)| is_han(c)) {
                want.push(han_token(c, i));
            }
            let got: Vec<Token> = v.iter().filter(|k| k.han).copied().collect();
            assert_eq!(got, want, "{t:?}");
            for k in v.iter().filter(|k| !k.han) {
                let s = k.text(&t);
                assert!(!s.is_empty() && !s.chars().any(is_han), "{s:?} in {t:?}");
            }
        }
    }

    #[test]
    fn word_tokens_follow_their_text() {
        // Hash, length, letters and case of every word token, from the token's own text.
        let alphabet = "aZmQ09 '' -.中éÉЖж\u{2019}";
        for t in crate::features::random_texts(alphabet, 400, 0x1319_8a2e_0370_7344) {
            let mut v = Vec::new();
            tokenize(&t, &mut v);
            for k in v.iter().filter(|k| !k.han) {
                let s = k.text(&t);
                assert_eq!(k.hash, WordHash::of(s), "{s:?}");
                assert_eq!(k.chars as usize, s.chars().count(), "{s:?}");
                assert_eq!(k.alpha, s.chars().any(char::is_alphabetic), "{s:?}");
                let upper = s.chars().filter(|c| c.is_uppercase()).count();
                let lower = s.chars().filter(|c| c.is_lowercase()).count();
                assert_eq!(k.all_caps, upper >= 2 && lower == 0, "{s:?}");
                assert!(!s.starts_with('\'') && !s.ends_with('\''), "{s:?}");
            }
        }
    }

    #[test]
    fn char_counts() {
        let mut v = Vec::new();
        tokenize("héllo 细胞", &mut v);
        assert_eq!(v[0].chars, 5);
        assert_eq!(v[1].chars, 1);
        assert!(v[1].han && v[1].alpha);
    }
}
