//! Stage 6: the standard web-quality signals (Gopher quality and repetition, C4, FineWeb,
//! RedPajama-V2), computed as raw values, never as pass/fail decisions.
//!
//! Definitions follow datatrove's filters (`gopher_quality_filter.py`,
//! `gopher_repetition_filter.py`, `c4_filters.py`, `fineweb_quality_filter.py`) and the
//! RedPajama-V2 signal list. Words are the tokens of stage 3: Latin words, and single Han
//! characters, so Chinese repetition is measured on character n-grams; the mean word length of
//! Chinese text comes from jieba words on a bounded sample. The Gopher "alphabetic word" rule
//! counts Han as alphabetic (datatrove#202: an alphabetic rule that ignores CJK means nothing
//! for Chinese). The stop-word list is English plus FineWeb-2's Chinese list (single
//! characters).

use super::lines::Line;
use super::script::ratio;
use super::table::CountTable;
use super::tokenize::{Token, WordHash, combine};

/// The raw signals of this stage (see `FEATURES.md` for ranges).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct QualityStats {
    pub words: u32,
    pub mean_word_len: f64,
    pub symbol_word_ratio: f64,
    pub ellipsis_line_ratio: f64,
    pub bullet_line_ratio: f64,
    pub stopword_ratio: f64,
    pub terminal_line_ratio: f64,
    pub short_line_ratio: f64,
    pub dup_line_ratio: f64,
    pub dup_line_char_frac: f64,
    pub dup_para_char_frac: f64,
    pub top_ngram_char_frac: [f64; 3],
    pub dup_ngram_char_frac: [f64; 6],
    pub unique_word_frac: f64,
    pub unigram_entropy: f64,
    pub entropy_norm: f64,
    pub all_caps_word_frac: f64,
    pub alpha_word_frac: f64,
    pub url_ratio: f64,
    pub question_ratio: f64,
    pub exclamation_ratio: f64,
    pub newline_word_ratio: f64,
    pub curly_ratio: f64,
    pub mean_sentence_words: f64,
    /// Distinct words and distinct word bigrams (for the lexical score's normalisation).
    pub distinct_words: u32,
    pub distinct_bigrams: u32,
}

/// English stop words (a common core list) and FineWeb-2's Chinese list.
const STOPWORDS: &[&str] = &[
    "the", "be", "to", "of", "and", "that", "have", "with", "a", "an", "in", "is", "are", "was",
    "were", "it", "for", "on", "as", "this", "by", "at", "from", "or", "not", "but", "which",
    "they", "their", "there", "these", "those", "has", "had", "been", "its", "into", "than",
    "then", "also", "such", "can", "will", "would", "should", "if", "when", "what", "who", "how",
    "的", "年", "在", "月", "是", "和", "日", "了", "於", "為", "有", "被", "人", "中", "为", "他",
    "與", "後", "也", "而", "由",
];

/// Scratch space reused between documents (one per thread).
#[derive(Default)]
pub struct QualityScratch {
    table: CountTable,
    grams: Vec<u64>,
    prefix: Vec<u64>,
    cand: Vec<u32>,
    /// Table slot of each candidate's n-gram.
    slots: Vec<u32>,
    /// Table slot of each word in the unigram counts.
    word_slots: Vec<u32>,
    /// The stop words' hashes, each at the slot of its top 9 bits or the one after (see
    /// [`stop_slots`]): a word is a stop word when either slot holds its hash.
    stop: Vec<u64>,
}

/// Bits of a hash that choose its slot in [`QualityScratch::stop`].
const STOP_BITS: u32 = 9;

/// The stop words' hashes laid out for a test without branches: hash `h` sits at slot
/// `h >> (64 - STOP_BITS)` or, when another stop word took that slot, at the next one (a test
/// checks that no slot is wanted by three words).
fn stop_slots() -> Vec<u64> {
    let mut slots = vec![0u64; (1 << STOP_BITS) + 1];
    for w in STOPWORDS {
        let h = WordHash::of(w);
        let i = (h >> (64 - STOP_BITS)) as usize;
        let free = if slots[i] == 0 || slots[i] == h {
            i
        } else {
            i + 1
        };
        assert!(
            slots[free] == 0 || slots[free] == h,
            "stop word slots overflow"
        );
        slots[free] = h;
    }
    slots
}

impl QualityScratch {
    pub fn new() -> Self {
        QualityScratch {
            stop: stop_slots(),
            ..Default::default()
        }
    }
}

/// Compute the stage's signals.
pub fn quality(
    text: &str,
    lines: &[Line],
    tokens: &[Token],
    chinese: bool,
    scratch: &mut QualityScratch,
) -> QualityStats {
    let mut q = QualityStats {
        words: tokens.len() as u32,
        ..Default::default()
    };
    let n_words = tokens.len() as f64;
    let n_lines = lines.len() as f64;
    let text_chars = text.chars().count() as f64;

    // Words.
    let (mut han_len, mut han_n, mut lat_len, mut lat_n) = (0u64, 0u64, 0u64, 0u64);
    let mut stop = 0u32;
    let mut caps = 0u32;
    let mut word_chars = 0u64;
    // Without branches: Han and other words alternate in mixed text, and stop words come
    // and go, in no order a predictor could learn.
    let stop_slots = &scratch.stop[..];
    for t in tokens {
        let (chars, han) = (t.chars as u64, t.han as u64);
        word_chars += chars;
        han_len += chars * han;
        han_n += han;
        lat_len += chars * (han ^ 1);
        lat_n += han ^ 1;
        let h = t.hash;
        let i = (h >> (64 - STOP_BITS)) as usize;
        stop += ((stop_slots[i] == h) | (stop_slots[i + 1] == h)) as u32 & (h != 0) as u32;
        caps += t.all_caps as u32;
    }
    q.mean_word_len = if chinese && han_n > 0 {
        let (words, chars) = super::tokenize::segment_sample(text);
        ratio(chars as f64, words as f64)
    } else if lat_n > 0 {
        lat_len as f64 / lat_n as f64
    } else if han_n > 0 {
        ratio(han_len as f64, han_n as f64)
    } else {
        0.0
    }
    .min(50.0);
    q.stopword_ratio = ratio(stop as f64, n_words);
    q.all_caps_word_frac = ratio(caps as f64, n_words);

    // Characters: symbols, sentence marks, braces, whitespace-separated chunks.
    let CharSignals {
        hashes,
        ellipses,
        questions,
        exclaims,
        stops,
        curly,
        chunks,
        alpha_chunks,
    } = char_signals(text);
    q.symbol_word_ratio = ratio((hashes + ellipses) as f64, n_words).min(10.0);
    q.alpha_word_frac = ratio(alpha_chunks as f64, chunks as f64);
    q.question_ratio = ratio(questions as f64, stops as f64);
    q.exclamation_ratio = ratio(exclaims as f64, stops as f64);
    q.curly_ratio = ratio(curly as f64, text_chars);
    q.mean_sentence_words = ratio(n_words, stops.max(1) as f64).min(500.0);

    // Lines.
    let (mut ell, mut bul, mut term, mut short, mut url_bytes) = (0u32, 0u32, 0u32, 0u32, 0u64);
    for l in lines {
        ell += l.ellipsis as u32;
        bul += l.bullet as u32;
        term += l.terminal as u32;
        short += (l.width <= 30) as u32;
        url_bytes += l.url_bytes as u64;
    }
    q.ellipsis_line_ratio = ratio(ell as f64, n_lines);
    q.bullet_line_ratio = ratio(bul as f64, n_lines);
    q.terminal_line_ratio = ratio(term as f64, n_lines);
    q.short_line_ratio = ratio(short as f64, n_lines);
    q.url_ratio = ratio(url_bytes as f64, text.len() as f64).min(1.0);
    q.newline_word_ratio = ratio(n_lines, n_words).min(10.0);

    // Duplicate lines and paragraphs (Gopher repetition).
    let line_chars: f64 = lines.iter().map(|l| l.chars as f64).sum();
    scratch.table.reset(lines.len());
    let (mut dup_lines, mut dup_line_chars) = (0u32, 0u64);
    for l in lines {
        if scratch.table.add(l.hash) > 1 {
            dup_lines += 1;
            dup_line_chars += l.chars as u64;
        }
    }
    q.dup_line_ratio = ratio(dup_lines as f64, n_lines);
    q.dup_line_char_frac = ratio(dup_line_chars as f64, line_chars);
    scratch.table.reset(lines.len());
    let mut dup_para_chars = 0u64;
    let mut k = 0;
    while k < lines.len() {
        let p = lines[k].paragraph;
        let (mut h, mut chars) = (0u64, 0u64);
        while k < lines.len() && lines[k].paragraph == p {
            h = combine(h, lines[k].hash);
            chars += lines[k].chars as u64;
            k += 1;
        }
        if scratch.table.add(h) > 1 {
            dup_para_chars += chars;
        }
    }
    q.dup_para_char_frac = ratio(dup_para_chars as f64, line_chars);

    // Vocabulary: unique words per window and unigram entropy, in one pass.
    scratch.table.reset(tokens.len());
    q.unique_word_frac = windowed_unique(tokens, &mut scratch.table, &mut scratch.word_slots);
    q.distinct_words = scratch.table.len() as u32;
    if n_words > 0.0 {
        // Most words occur a few times: their terms are computed once per document.
        let term = |c: u32| {
            let p = c as f64 / n_words;
            -p * p.ln()
        };
        let mut small = [None; 16];
        let h: f64 = scratch
            .table
            .counts()
            .map(|c| match small.get_mut(c as usize) {
                Some(t) => *t.get_or_insert_with(|| term(c)),
                None => term(c),
            })
            .sum();
        q.unigram_entropy = h.max(0.0);
        q.entropy_norm = if n_words > 1.0 {
            (h / n_words.ln()).clamp(0.0, 1.0)
        } else {
            0.0
        };
    }

    // N-gram repetition: top 2/3/4-gram and duplicate 5..10-gram character fractions.
    ngram_signals(tokens, word_chars, text_chars, scratch, &mut q);
    q
}

/// Counts from one walk over the characters.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct CharSignals {
    /// `#` characters.
    hashes: u32,
    /// `...` and `…`.
    ellipses: u32,
    /// `?` and `？`.
    questions: u32,
    /// `!` and `！`.
    exclaims: u32,
    /// Sentence ends: the above, `。`, and a `.` before whitespace or the end.
    stops: u32,
    /// `{` and `}`.
    curly: u32,
    /// Whitespace-separated chunks.
    chunks: u32,
    /// Chunks with a letter of any script (Han included).
    alpha_chunks: u32,
}

/// Byte classes of [`char_signals`]: whitespace, a letter, or a byte the slow path reads
/// (the marks `#` `.` `?` `!` `{` `}`, and the first byte of a character that is neither
/// ASCII nor a main-block ideograph). Every other byte (digits, other punctuation, a byte
/// inside a character, the lead byte `E5`..`E9` of a main-block ideograph, which is a letter)
/// is a non-space.
const B_WS: u8 = 1;
const B_ALPHA: u8 = 2;
const B_SLOW: u8 = 4;

const BYTE_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = match c {
            // `char::is_whitespace` on ASCII (vertical tab included).
            b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' => B_WS,
            b'a'..=b'z' | b'A'..=b'Z' => B_ALPHA,
            b'#' | b'.' | b'?' | b'!' | b'{' | b'}' => B_SLOW,
            // U+5000..U+9FFF: Han, whatever the bytes after.
            0xE5..=0xE9 => B_ALPHA,
            // Lead bytes of other characters (`E4` is Han only from `E4 B8`).
            0xC0..=0xFF => B_SLOW,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// Symbols, sentence marks, braces and chunks of `text`, in one walk. Whitespace, letters
/// and the bytes of main-block ideographs update the chunk state without a branch (a chunk
/// ends wherever whitespace follows a non-space); marks and other characters are decoded.
fn char_signals(text: &str) -> CharSignals {
    let mut s = CharSignals::default();
    let bytes = text.as_bytes();
    // 0 or 1: inside a chunk, and the chunk has a letter.
    let (mut in_chunk, mut chunk_alpha) = (0u32, 0u32);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let k = BYTE_CLASS[b as usize];
        if k & B_SLOW == 0 {
            let ws = (k & B_WS) as u32;
            let alpha = ((k & B_ALPHA) >> 1) as u32;
            let ended = in_chunk & ws;
            s.chunks += ended;
            s.alpha_chunks += ended & chunk_alpha;
            in_chunk = ws ^ 1;
            chunk_alpha = (chunk_alpha | alpha) & (ws ^ 1);
            i += 1;
            continue;
        }
        let (ws, alpha, c) = if b < 0x80 {
            i += 1;
            (false, false, b as char)
        } else if super::script::is_han3_at(bytes, i) {
            // `E4 B8`..`E4 BF`: a main-block ideograph.
            in_chunk = 1;
            chunk_alpha = 1;
            i += 3;
            continue;
        } else {
            let c = super::script::char_at(text, i);
            i += c.len_utf8();
            if super::script::is_han(c) {
                in_chunk = 1;
                chunk_alpha = 1;
                continue;
            }
            (
                c.is_whitespace(),
                !super::script::is_plain_punct(c) && c.is_alphabetic(),
                c,
            )
        };
        if ws {
            s.chunks += in_chunk;
            s.alpha_chunks += in_chunk & chunk_alpha;
            in_chunk = 0;
            chunk_alpha = 0;
            continue;
        }
        in_chunk = 1;
        chunk_alpha |= alpha as u32;
        match c {
            '#' => s.hashes += 1,
            '…' => {
                s.ellipses += 1;
                s.stops += 1;
            }
            '.' => {
                // `i` is past the dot.
                if bytes[i..].starts_with(b"..") {
                    s.ellipses += 1;
                    s.stops += 1;
                    i += 2;
                } else if i >= bytes.len() || bytes[i].is_ascii_whitespace() {
                    // A full stop ends a sentence when followed by space or the end.
                    s.stops += 1;
                }
            }
            '?' | '？' => {
                s.questions += 1;
                s.stops += 1;
            }
            '!' | '！' => {
                s.exclaims += 1;
                s.stops += 1;
            }
            '。' => s.stops += 1,
            '{' | '}' => s.curly += 1,
            _ => {}
        }
    }
    s.chunks += in_chunk;
    s.alpha_chunks += in_chunk & chunk_alpha;
    s
}

/// Words per window of `windowed_unique`.
pub const UNIQUE_WINDOW: usize = 100;

/// Distinct words / words, averaged over consecutive windows of [`UNIQUE_WINDOW`] words (a
/// last window shorter than half is merged into the one before; a text shorter than one
/// window is one window). The plain ratio falls as texts grow, which would let length leak
/// into the model; windows make it a property of the writing.
///
/// Every word is added to `table` (one pass serves the unigram counts too, and `slots` gets
/// each word's slot); a window's distinct words are those met for the first time under its
/// mark.
fn windowed_unique(tokens: &[Token], table: &mut CountTable, slots: &mut Vec<u32>) -> f64 {
    slots.clear();
    let n = tokens.len();
    if n == 0 {
        return 0.0;
    }
    let (mut sum, mut windows) = (0.0, 0u32);
    let mut start = 0;
    while start < n {
        let mut end = (start + UNIQUE_WINDOW).min(n);
        if n - end < UNIQUE_WINDOW / 2 {
            end = n;
        }
        windows += 1;
        let mut distinct = 0u32;
        for t in &tokens[start..end] {
            let (fresh, slot) = table.add_marked(t.hash, windows);
            distinct += fresh as u32;
            slots.push(slot);
        }
        sum += distinct as f64 / (end - start) as f64;
        start = end;
    }
    sum / windows as f64
}

/// Gopher's n-gram repetition signals, sharing one rolling array of n-gram hashes.
///
/// Only n-grams that can occur twice are looked up: an n-gram repeats only if the two
/// (n-1)-grams inside it repeat, so each level visits the positions whose shorter n-grams both
/// repeat (`cand`, a list of positions, so a level costs what its candidates do rather than a
/// pass over the text), starting from the words that occur twice. A position left out holds
/// an n-gram that occurs once in the document: a count of every position would count it once
/// and nothing later would meet it, so every value is the one the full count gives. On
/// informative text most 4-grams are already unique, which makes the levels 5 to 10 nearly
/// free.
///
/// Expects `scratch.table` to hold the unigram counts of `tokens` and `scratch.word_slots`
/// their slots, as [`windowed_unique`] leaves them.
fn ngram_signals(
    tokens: &[Token],
    word_chars: u64,
    text_chars: f64,
    scratch: &mut QualityScratch,
    q: &mut QualityStats,
) {
    let w = tokens.len();
    if w < 2 {
        return;
    }
    let grams = &mut scratch.grams;
    grams.clear();
    grams.extend(tokens.iter().map(|t| t.hash));
    // Prefix sums of word characters, for n-gram character lengths.
    let prefix = &mut scratch.prefix;
    prefix.clear();
    prefix.push(0u64);
    let mut acc = 0u64;
    for t in tokens {
        acc += t.chars as u64;
        prefix.push(acc);
    }
    // The positions whose current n-gram may occur more than once, in text order (at the
    // start, the words that do).
    let table = &mut scratch.table;
    let cand = &mut scratch.cand;
    cand.clear();
    cand.extend((0..w as u32).filter(|&p| table.count_at(scratch.word_slots[p as usize]) >= 2));
    for n in 2..=10usize {
        if w < n {
            break;
        }
        // The n-gram at p repeats only if the (n-1)-grams at p and p + 1 do: keep the
        // positions whose successor is a candidate too (compacted in place, without a branch:
        // every position is written and the count moves on for the kept ones). A position
        // left out never comes back, so its n-gram hash, extended all the same, is never
        // read. The last one has no successor and is left out.
        let mut live = 0usize;
        for k in 0..cand.len().saturating_sub(1) {
            let p = cand[k];
            // `cand[k + 1] > p` is a position of level n - 1, so `p + n - 1` is a token.
            let pu = p as usize;
            grams[pu] = combine(grams[pu], tokens[pu + n - 1].hash);
            cand[live] = p;
            live += (cand[k + 1] == p + 1) as usize;
        }
        cand.truncate(live);
        if n == 2 {
            // A 2-gram left out occurs once, so it is distinct from every other; the table
            // adds the distinct ones among the rest.
            q.distinct_bigrams = (w - 1 - live) as u32;
        }
        if live == 0 {
            // No n-gram repeats, so no longer one does: every remaining value is 0.
            break;
        }
        if n <= 4 {
            // Most frequent n-gram: its characters (words joined by spaces) times its count,
            // over the text's characters (datatrove `find_top_duplicate`).
            table.reset(live);
            let slots = &mut scratch.slots;
            slots.clear();
            let mut best = (0u32, 0usize);
            for &p in cand.iter() {
                let slot = table.add_slot(grams[p as usize]);
                slots.push(slot);
                let c = table.count_at(slot);
                if c > best.0 {
                    best = (c, p as usize);
                }
            }
            if best.0 >= 2 {
                let i = best.1;
                let chars = (prefix[i + n] - prefix[i]) as f64 + (n - 1) as f64;
                q.top_ngram_char_frac[n - 2] = ratio(chars * best.0 as f64, text_chars).min(1.0);
            }
            if n == 2 {
                q.distinct_bigrams += table.len() as u32;
            }
            // Keep only the n-grams that did repeat (compacted in place, without a branch).
            let mut kept = 0;
            for k in 0..cand.len() {
                cand[kept] = cand[k];
                kept += (table.count_at(slots[k]) >= 2) as usize;
            }
            cand.truncate(kept);
        } else {
            // Characters in repeated n-grams, skipping past each repeat (datatrove
            // `find_all_duplicate`): a position inside a repeat just counted is not looked up.
            table.reset(live);
            let mut repeated = 0u64;
            let mut next = 0usize;
            for &p in cand.iter() {
                let p = p as usize;
                if p >= next && table.add(grams[p]) > 1 {
                    repeated += prefix[p + n] - prefix[p];
                    next = p + n;
                }
            }
            q.dup_ngram_char_frac[n - 5] = ratio(repeated as f64, word_chars as f64).min(1.0);
            // A repeated n-gram contains a repeated 5-gram: with none at n = 5, every longer
            // fraction is 0 too.
            if repeated == 0 {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::lines::split_lines;
    use super::super::tokenize::tokenize;
    use super::*;

    fn q(text: &str) -> QualityStats {
        let mut lines = Vec::new();
        split_lines(text, &mut lines);
        let mut tokens = Vec::new();
        tokenize(text, &mut tokens);
        let zh = text.chars().any(super::super::script::is_han);
        quality(text, &lines, &tokens, zh, &mut QualityScratch::new())
    }

    #[test]
    fn every_stop_word_is_found_in_its_slots() {
        // All stop words, in both cases where they have one: every word is a stop word.
        let all = STOPWORDS.join(" ");
        assert_eq!(q(&all).stopword_ratio, 1.0);
        assert_eq!(q(&all.to_uppercase()).stopword_ratio, 1.0);
        // And none of a list of other words is.
        assert_eq!(
            q("cure clinic doctor therapy 治疗 医院 best call").stopword_ratio,
            0.0
        );
    }

    #[test]
    fn empty_text_is_all_zero() {
        assert_eq!(q(""), QualityStats::default());
    }

    #[test]
    fn word_and_line_signals() {
        let s = q("The cat sat on the mat.\nIt was happy!\n- a list item...");
        assert_eq!(s.words, 12);
        assert!((s.terminal_line_ratio - 2.0 / 3.0).abs() < 1e-9);
        assert!((s.bullet_line_ratio - 1.0 / 3.0).abs() < 1e-9);
        assert!((s.ellipsis_line_ratio - 1.0 / 3.0).abs() < 1e-9);
        // the, on, the, it, was, a: 6 of 12
        assert!((s.stopword_ratio - 6.0 / 12.0).abs() < 1e-9);
        assert!((s.exclamation_ratio - 1.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn duplicate_lines_and_paragraphs() {
        let s = q("Buy now\n\nBuy now\n\nA different line here");
        assert!((s.dup_line_ratio - 1.0 / 3.0).abs() < 1e-9);
        assert!((s.dup_line_char_frac - 7.0 / 35.0).abs() < 1e-9);
        assert!((s.dup_para_char_frac - 7.0 / 35.0).abs() < 1e-9);
    }

    #[test]
    fn repeated_ngrams() {
        let rep = "one two three four five six seven eight nine ten ".repeat(4);
        let s = q(&rep);
        assert!(
            s.dup_ngram_char_frac[0] > 0.7,
            "{:?}",
            s.dup_ngram_char_frac
        );
        assert!(s.top_ngram_char_frac[0] > 0.1);
        let fresh = q("every word in this sentence is different from all the others here");
        assert_eq!(fresh.dup_ngram_char_frac, [0.0; 6]);
        assert_eq!(fresh.top_ngram_char_frac, [0.0; 3]);
        assert_eq!(fresh.unique_word_frac, 1.0);
    }

    /// The n-gram signals as datatrove computes them, counting every position.
    fn ngram_reference(tokens: &[Token]) -> ([f64; 3], [f64; 6]) {
        let text_chars: f64 = tokens.iter().map(|t| t.chars as f64).sum::<f64>() + 1.0;
        let word_chars: u64 = tokens.iter().map(|t| t.chars as u64).sum();
        let chars =
            |i: usize, n: usize| tokens[i..i + n].iter().map(|t| t.chars as u64).sum::<u64>();
        let gram = |i: usize, n: usize| {
            tokens[i + 1..i + n]
                .iter()
                .fold(tokens[i].hash, |h, t| combine(h, t.hash))
        };
        let (mut top, mut dup) = ([0.0; 3], [0.0; 6]);
        for n in 2..=10usize.min(tokens.len()) {
            let count = tokens.len() - n + 1;
            let mut seen = std::collections::HashMap::new();
            if n <= 4 {
                let mut best = (0u32, 0usize);
                for i in 0..count {
                    let c = seen.entry(gram(i, n)).or_insert(0u32);
                    *c += 1;
                    if *c > best.0 {
                        best = (*c, i);
                    }
                }
                if best.0 >= 2 {
                    let ch = chars(best.1, n) as f64 + (n - 1) as f64;
                    top[n - 2] = ratio(ch * best.0 as f64, text_chars).min(1.0);
                }
            } else {
                let (mut repeated, mut i) = (0u64, 0);
                while i < count {
                    let c = seen.entry(gram(i, n)).or_insert(0u32);
                    *c += 1;
                    if *c == 1 {
                        i += 1;
                    } else {
                        repeated += chars(i, n);
                        i += n;
                    }
                }
                dup[n - 5] = ratio(repeated as f64, word_chars as f64).min(1.0);
            }
        }
        (top, dup)
    }

    /// The character signals as a plain loop over the characters computes them.
    fn char_signals_reference(text: &str) -> CharSignals {
        let mut s = CharSignals::default();
        let bytes = text.as_bytes();
        let (mut in_chunk, mut chunk_alpha) = (false, false);
        let mut skip = 0;
        for (i, c) in text.char_indices() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            if c.is_whitespace() {
                s.chunks += in_chunk as u32;
                s.alpha_chunks += (in_chunk && chunk_alpha) as u32;
                (in_chunk, chunk_alpha) = (false, false);
                continue;
            }
            in_chunk = true;
            chunk_alpha |= c.is_alphabetic() || super::super::script::is_han(c);
            match c {
                '#' => s.hashes += 1,
                '…' => (s.ellipses, s.stops) = (s.ellipses + 1, s.stops + 1),
                '.' if bytes[i..].starts_with(b"...") => {
                    (s.ellipses, s.stops) = (s.ellipses + 1, s.stops + 1);
                    skip = 2;
                }
                '.' if i + 1 >= bytes.len() || bytes[i + 1].is_ascii_whitespace() => s.stops += 1,
                '?' | '？' => (s.questions, s.stops) = (s.questions + 1, s.stops + 1),
                '!' | '！' => (s.exclaims, s.stops) = (s.exclaims + 1, s.stops + 1),
                '。' => s.stops += 1,
                '{' | '}' => s.curly += 1,
                _ => {}
            }
        }
        s.chunks += in_chunk as u32;
        s.alpha_chunks += (in_chunk && chunk_alpha) as u32;
        s
    }

    #[test]
    fn char_signals_match_a_loop_over_characters() {
        let mut texts: Vec<String> = [
            "",
            ".",
            "..",
            "...",
            "....",
            "a.b. c.\nEnd.",
            "Wait... what?! Really!!! {x} #tag # 12.5%",
            "ok.\u{0b}next\u{0c}line\r\n",
            "真的吗？太好了！好。…… 中文，English 混合 text。",
            "\u{3000}全角\u{00a0}nbsp\u{2028}sep é café Ж",
            "1234 5678 -- ++ ** ::",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Random strings over a small alphabet that has every case in it.
        texts.extend(crate::features::random_texts(
            "a Z.#?!{}1\n\t…？！。中é\u{3000}\u{0b}一鿿㐀\u{4DFF}",
            300,
            0x2545_f491_4f6c_dd1d,
        ));
        for t in &texts {
            assert_eq!(char_signals(t), char_signals_reference(t), "{t:?}");
        }
    }

    #[test]
    fn ngram_signals_match_a_count_of_every_position() {
        let mut texts = [
            "a b c d e f g h i j a b c d e f g h i j k a b c x d e f".to_string(),
            "buy now buy now buy now call today buy now call today".to_string(),
            "one two three four five six seven eight nine ten ".repeat(5),
            "白癜风医院哪家好白癜风医院哪家好专业治疗白癜风医院".to_string(),
            "the cat sat on the mat and the cat sat on the hat while the dog sat".to_string(),
            "x y x y x y x y z x y x y x y x y".to_string(),
            "no word here comes back at all".to_string(),
        ]
        .to_vec();
        // Random texts over small vocabularies: many repeats of every length.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for k in 0..200 {
            let vocab = 2 + k % 12;
            let words: Vec<String> = (0..5 + k * 2)
                .map(|_| {
                    seed = crate::features::tokenize::mix64(seed);
                    format!("w{}", seed % vocab as u64)
                })
                .collect();
            texts.push(words.join(" "));
        }
        let mut scratch = QualityScratch::new();
        for text in &texts {
            let mut tokens = Vec::new();
            tokenize(text, &mut tokens);
            let text_chars = tokens.iter().map(|t| t.chars as f64).sum::<f64>() + 1.0;
            let word_chars = tokens.iter().map(|t| t.chars as u64).sum();
            let mut q = QualityStats::default();
            scratch.table.reset(tokens.len());
            windowed_unique(&tokens, &mut scratch.table, &mut scratch.word_slots);
            ngram_signals(&tokens, word_chars, text_chars, &mut scratch, &mut q);
            let bigrams: std::collections::HashSet<u64> = tokens
                .windows(2)
                .map(|p| combine(p[0].hash, p[1].hash))
                .collect();
            assert_eq!(
                q.distinct_bigrams as usize,
                bigrams.len(),
                "bigrams of {text:?}"
            );
            let (top, dup) = ngram_reference(&tokens);
            assert_eq!(q.top_ngram_char_frac, top, "top n-grams of {text:?}");
            assert_eq!(q.dup_ngram_char_frac, dup, "duplicate n-grams of {text:?}");
        }
    }

    #[test]
    fn entropy_is_bounded() {
        let s = q("a a a a");
        assert_eq!(s.unigram_entropy, 0.0);
        let s = q("a b c d");
        assert!((s.unigram_entropy - 4f64.ln()).abs() < 1e-9);
        assert!((s.entropy_norm - 1.0).abs() < 1e-9);
    }

    #[test]
    fn chinese_words_are_alphabetic() {
        let s = q("白癜风是一种常见的皮肤病。");
        assert_eq!(s.alpha_word_frac, 1.0);
        assert!(s.mean_word_len >= 1.0 && s.mean_word_len <= 3.0);
        assert!(s.stopword_ratio > 0.0);
    }

    #[test]
    fn all_caps_and_urls() {
        let s = q("BUY NOW at https://example.com today");
        assert!((s.all_caps_word_frac - 2.0 / s.words as f64).abs() < 1e-9);
        assert!(s.url_ratio > 0.4);
    }
}
