//! Stage 1: text normalisation, so that every later stage sees one canonical form.
//!
//! Spammers dodge keyword filters with look-alike characters: full-width letters (`ｃｕｒｅ`),
//! zero-width joiners (`c\u{200b}ure`), Cyrillic letters inside Latin words (`сure` with a
//! Cyrillic `с`), HTML entities (`&#99;ure`) and soft hyphens. Normalisation undoes all of
//! them before any feature is computed:
//!
//! 1. HTML character references (`&amp;`, `&#99;`, `&#x63;`, a few named ones) are decoded.
//! 2. Invisible characters (zero-width space/joiners, BOM, soft hyphen, bidi controls,
//!    variation selectors) are removed; other control characters except `\n` and `\t` become
//!    spaces; `\r\n` and a lone `\r` become `\n`.
//! 3. Unicode NFKC folds full-width and other compatibility forms (`ｃ` → `c`, `①` → `1`).
//! 4. Inside a word that mixes Latin with Cyrillic or Greek letters, the Cyrillic and Greek
//!    look-alikes are folded to Latin (`сure` → `cure`); whole Cyrillic words are untouched.
//! 5. Letters spaced out to dodge filters (`c u r e`, `c.u.r.e`): three or more single ASCII
//!    letters separated by the same one-character separator are joined into one word.
//!
//! Pure ASCII text without `&`, `\r`, control characters or spaced-out letters is returned
//! borrowed: the fast path costs two scans.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Normalise `text` as described in the module docs.
///
/// Never fails; the result of normalising twice equals normalising once for all text
/// this project has seen (NFKC is idempotent, and the other steps remove what they fold).
pub fn normalize(text: &str) -> Cow<'_, str> {
    let ascii = ascii_pass(text);
    let (unicode, mixed) = match unicode_pass(&ascii) {
        (Some(s), mixed) => (Cow::Owned(s), mixed),
        (None, mixed) => (ascii, mixed),
    };
    let folded = if mixed {
        Cow::Owned(fold_mixed_script_words(unicode.into_owned()))
    } else {
        unicode
    };
    match join_spaced_letters(&folded) {
        Cow::Borrowed(_) => folded,
        Cow::Owned(joined) => Cow::Owned(joined),
    }
}

/// Steps on ASCII: entities, line ends, control characters. Borrowed when there is none.
fn ascii_pass(text: &str) -> Cow<'_, str> {
    if !any_byte(text.as_bytes(), |b| b == b'&' || needs_control_pass(b)) {
        return Cow::Borrowed(text);
    }
    let decoded = decode_entities(text);
    if !any_byte(decoded.as_bytes(), needs_control_pass) {
        // Entities only: the character pass below would copy the text unchanged.
        return decoded;
    }
    let mut out = String::with_capacity(decoded.len());
    let mut chars = decoded.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\n' | '\t' => out.push(c),
            c if c.is_ascii_control() => out.push(' '),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Does the ASCII pass change this byte (`\r`, DEL, controls other than `\n` and `\t`)?
#[inline]
fn needs_control_pass(b: u8) -> bool {
    b == 0x7f || (b < 0x20 && b != b'\n' && b != b'\t')
}

/// Does any byte of `bytes` satisfy `pred`? Tests 64-byte blocks without early exits inside a
/// block, so the compiler can test a block's bytes together.
#[inline]
fn any_byte(bytes: &[u8], pred: impl Fn(u8) -> bool) -> bool {
    bytes
        .chunks(64)
        .any(|block| block.iter().fold(false, |acc, &b| acc | pred(b)))
}

/// Length of the run of ASCII bytes at the start of `bytes`, eight bytes at a time.
#[inline]
fn ascii_run(bytes: &[u8]) -> usize {
    let mut i = 0;
    while let Some(word) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        if word & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        i += 8;
    }
    while i < bytes.len() && bytes[i] < 0x80 {
        i += 1;
    }
    i
}

/// What normalisation does with one non-ASCII character.
enum Fold {
    Keep,
    Drop,
    To(char),
    /// Needs the NFKC tables.
    Slow,
}

#[inline]
fn fold_char(c: char) -> Fold {
    match c as u32 {
        // CJK unified ideographs, Hangul syllables and the common CJK and general punctuation
        // that NFKC leaves alone: the bulk of Chinese text, decided without table lookups.
        0x4E00..=0x9FFF
        | 0x3400..=0x4DBF
        | 0xAC00..=0xD7A3
        | 0x3001..=0x3003
        | 0x3008..=0x3011
        | 0x2013..=0x2014
        | 0x2018..=0x2019
        | 0x201C..=0x201D => Fold::Keep,
        // Full-width ASCII forms and the ideographic space.
        0xFF01..=0xFF5E => Fold::To(char::from_u32(c as u32 - 0xFEE0).expect("ASCII")),
        0x3000 => Fold::To(' '),
        _ if is_invisible(c) => Fold::Drop,
        _ if c.is_control() => Fold::To(' '),
        _ => Fold::Slow,
    }
}

/// Steps on non-ASCII characters: invisible characters dropped, controls turned to spaces,
/// NFKC (common characters decided by a fast table, the rest by `unicode-normalization`,
/// one character at a time, so a base letter and a separate combining mark are not composed).
/// Returns the new text (`None` when nothing changed) and whether Cyrillic or Greek letters
/// occur (so look-alike folding may be needed).
fn unicode_pass(text: &str) -> (Option<String>, bool) {
    if text.is_ascii() {
        return (None, false);
    }
    let mut out: Option<String> = None;
    // Once the text changed, `out` holds `text[..copied]` with its changes; unchanged spans
    // are copied whole when the next change comes.
    let mut copied = 0;
    let mut mixed = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] < 0x80 {
            // A run of ASCII passes through whole.
            i += ascii_run(&bytes[i..]);
            continue;
        }
        if super::script::is_han3_at(bytes, i) {
            // The main ideograph block: NFKC keeps it, nothing folds it (see `fold_char`).
            i += 3;
            continue;
        }
        let c = super::script::char_at(text, i);
        let at = i;
        i += c.len_utf8();
        let fold = match fold_char(c) {
            Fold::Slow => {
                if is_cyrillic_or_greek(c) {
                    mixed = true;
                }
                let mut buf = [0u8; 4];
                let one: &str = c.encode_utf8(&mut buf);
                // A quick-check "maybe" (a combining mark) that NFKC leaves as it is needs no
                // copy of the text either.
                if is_nfkc_quick(one.chars()) == IsNormalized::Yes || one.nfkc().eq(one.chars()) {
                    Fold::Keep
                } else {
                    Fold::Slow
                }
            }
            f => f,
        };
        if let Fold::Keep = fold {
            continue;
        }
        let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
        o.push_str(&text[copied..at]);
        copied = i;
        match fold {
            Fold::Drop => {}
            Fold::To(x) => o.push(x),
            _ => o.extend(std::iter::once(c).nfkc()),
        }
    }
    if let Some(o) = &mut out {
        o.push_str(&text[copied..]);
    }
    (out, mixed)
}

/// Characters that render as nothing and are used to split words invisibly.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E007F}')
}

/// Decode HTML character references. Unknown named references are kept as written.
fn decode_entities(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        match parse_entity(rest) {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Parse one character reference at the start of `s` (which starts with `&`).
/// Returns the character and the byte length consumed, `;` included.
fn parse_entity(s: &str) -> Option<(char, usize)> {
    let end = s.as_bytes().iter().take(12).position(|&b| b == b';')?;
    let body = &s[1..end];
    let c = if let Some(num) = body.strip_prefix('#') {
        let code = if let Some(hex) = num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
            u32::from_str_radix(hex, 16).ok()?
        } else {
            num.parse::<u32>().ok()?
        };
        char::from_u32(code)?
    } else {
        match body {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => ' ',
            "copy" => '©',
            "reg" => '®',
            "trade" => '™',
            "hellip" => '…',
            "mdash" => '—',
            "ndash" => '–',
            "laquo" => '«',
            "raquo" => '»',
            "middot" => '·',
            "yen" => '¥',
            "euro" => '€',
            "pound" => '£',
            "zwj" | "zwnj" | "shy" => '\u{200B}',
            _ => return None,
        }
    };
    Some((c, end + 1))
}

/// Latin look-alike for a Cyrillic or Greek letter, if it has one.
fn latin_lookalike(c: char) -> Option<char> {
    Some(match c {
        'а' => 'a',
        'в' => 'b',
        'е' | 'ё' => 'e',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'т' => 't',
        'у' => 'y',
        'х' => 'x',
        'і' => 'i',
        'ј' => 'j',
        'ѕ' => 's',
        'ԁ' => 'd',
        'һ' => 'h',
        'ӏ' => 'l',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'Х' => 'X',
        'І' => 'I',
        'Ј' => 'J',
        'Ѕ' => 'S',
        'α' => 'a',
        'ο' => 'o',
        'ν' => 'v',
        'ι' => 'i',
        'κ' => 'k',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Η' => 'H',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Χ' => 'X',
        'Υ' => 'Y',
        'Ζ' => 'Z',
        _ => return None,
    })
}

fn is_cyrillic_or_greek(c: char) -> bool {
    matches!(c, '\u{0370}'..='\u{03FF}' | '\u{0400}'..='\u{052F}')
}

/// Fold Cyrillic/Greek look-alikes inside words that also contain ASCII letters.
fn fold_mixed_script_words(text: String) -> String {
    if !text.chars().any(is_cyrillic_or_greek) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let has_latin = word.chars().any(|c| c.is_ascii_alphabetic());
        let has_other = word.chars().any(is_cyrillic_or_greek);
        if has_latin && has_other {
            out.extend(word.chars().map(|c| latin_lookalike(c).unwrap_or(c)));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Join letters spaced out to dodge filters: three or more single ASCII letters separated by
/// one space, dot, hyphen, underscore or asterisk (`c u r e`, `c.u.r.e`) become one word.
pub fn join_spaced_letters(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let is_sep = |b: u8| matches!(b, b' ' | b'.' | b'-' | b'_' | b'*');
    let single = |k: usize| {
        bytes[k].is_ascii_alphabetic()
            && (k == 0 || !bytes[k - 1].is_ascii_alphanumeric())
            && (k + 1 >= bytes.len() || !bytes[k + 1].is_ascii_alphanumeric())
    };
    // Find the first run, cheaply; most text has none.
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut k = 0;
    while k + 4 < bytes.len() {
        // A run at k needs separators at k+1 and k+3. Eight bytes at a time, skip the
        // positions where no pair of separator-like bytes sits two apart.
        if let Some(word) = bytes.get(k + 1..k + 9) {
            let pairs = separator_pairs(u64::from_le_bytes(word.try_into().expect("8 bytes")));
            if pairs == 0 {
                k += 6;
                continue;
            }
            k += pairs.trailing_zeros() as usize / 8;
        }
        // Cheapest tests first: most positions are not followed by a separator.
        if is_sep(bytes[k + 1])
            && bytes[k + 3] == bytes[k + 1]
            && single(k)
            && single(k + 2)
            && single(k + 4)
        {
            let sep = bytes[k + 1];
            let mut end = k + 5;
            while end + 1 < bytes.len() && bytes[end] == sep && single(end + 1) {
                end += 2;
            }
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[copied..k]);
            for j in (k..end).step_by(2) {
                o.push(bytes[j] as char);
            }
            copied = end;
            k = end;
        } else {
            k += 1;
        }
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(&text[copied..]);
            Cow::Owned(o)
        }
    }
}

/// For the eight bytes of `x` (first byte lowest): bit 7 of byte j, for j in 0..6, is set
/// when bytes j and j+2 may both be separators. Never misses a pair of real separators
/// (` . - _ *`); other bytes of 0x20..=0x2F may show up too.
#[inline]
fn separator_pairs(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Bit 7 set in each byte of y that is zero (and maybe in the byte above one).
    let zero = |y: u64| y.wrapping_sub(ONES) & !y & HIGH;
    let seps = zero((x & (0xF0 * ONES)) ^ (0x20 * ONES)) | zero(x ^ (b'_' as u64 * ONES));
    seps & (seps >> 16) & 0x0000_8080_8080_8080
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `join_spaced_letters` as it was before the eight-byte skip: a test at every position.
    fn join_spaced_letters_reference(text: &str) -> String {
        let bytes = text.as_bytes();
        let is_sep = |b: u8| matches!(b, b' ' | b'.' | b'-' | b'_' | b'*');
        let single = |k: usize| {
            bytes[k].is_ascii_alphabetic()
                && (k == 0 || !bytes[k - 1].is_ascii_alphanumeric())
                && (k + 1 >= bytes.len() || !bytes[k + 1].is_ascii_alphanumeric())
        };
        let mut out = String::new();
        let (mut copied, mut k) = (0, 0);
        while k + 4 < bytes.len() {
            if is_sep(bytes[k + 1])
                && bytes[k + 3] == bytes[k + 1]
                && single(k)
                && single(k + 2)
                && single(k + 4)
            {
                let sep = bytes[k + 1];
                let mut end = k + 5;
                while end + 1 < bytes.len() && bytes[end] == sep && single(end + 1) {
                    end += 2;
                }
                out.push_str(&text[copied..k]);
                for j in (k..end).step_by(2) {
                    out.push(bytes[j] as char);
                }
                copied = end;
                k = end;
            } else {
                k += 1;
            }
        }
        out.push_str(&text[copied..]);
        out
    }

    #[test]
    fn separator_pairs_never_miss_a_pair() {
        let seps = *b" .-_*";
        let fillers = [0u8, 1, b'a', b'Z', b'7', b'/', b'!', 0x7f, 0x80, 0xe4, 0xff];
        for j in 0..6 {
            for &a in &seps {
                for &b in &seps {
                    for &f in &fillers {
                        let mut w = [f; 8];
                        w[j] = a;
                        w[j + 2] = b;
                        let pairs = separator_pairs(u64::from_le_bytes(w));
                        assert_ne!(pairs & (0x80 << (8 * j)), 0, "{w:?} at {j}");
                    }
                }
            }
        }
        assert_eq!(separator_pairs(u64::from_le_bytes(*b"abcdefgh")), 0);
    }

    #[test]
    fn spaced_letters_join_as_a_test_at_every_position_does() {
        let mut texts: Vec<String> = [
            "c u r e",
            "take c.u.r.e now",
            "x-y-z_w_v*u*t a b",
            "a b c d e f g h i j k l m n o p",
            "12 a b c 3.4.5 é a b c",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        texts.extend(crate::features::random_texts(
            "ab Z.-_*1/é中",
            400,
            0x9e37_79b9_7f4a_7c15,
        ));
        for t in &texts {
            assert_eq!(
                join_spaced_letters(t),
                join_spaced_letters_reference(t),
                "{t:?}"
            );
        }
    }

    #[test]
    fn unicode_pass_matches_a_character_at_a_time() {
        let reference = |t: &str| -> String {
            let mut o = String::new();
            for c in t.chars() {
                match fold_char(c) {
                    _ if c.is_ascii() => o.push(c),
                    Fold::Keep => o.push(c),
                    Fold::Drop => {}
                    Fold::To(x) => o.push(x),
                    Fold::Slow => o.extend(std::iter::once(c).nfkc()),
                }
            }
            o
        };
        let alphabet = "ab .中文，。\u{200b}ｃ①é\u{0301}сx\u{3000}\u{7}一鿿㐀\u{4DFF}";
        for t in crate::features::random_texts(alphabet, 300, 0x243f_6a88_85a3_08d3) {
            let (changed, _) = unicode_pass(&t);
            let want = reference(&t);
            assert_eq!(changed.as_deref().unwrap_or(&t), want, "{t:?}");
            assert_eq!(changed.is_some(), want != t, "{t:?}");
        }
    }

    #[test]
    fn ascii_is_borrowed() {
        assert!(matches!(normalize("plain text\nline"), Cow::Borrowed(_)));
        // A combining mark that NFKC keeps is no change either (it was copied once).
        assert!(unicode_pass("a\u{301}").0.is_none());
        assert!(unicode_pass("鿿\u{301}䷿с㐀䷿").0.is_none());
    }

    #[test]
    fn folds_full_width_letters() {
        assert_eq!(normalize("ｃｕｒｅ ＡＬＬ"), "cure ALL");
    }

    #[test]
    fn removes_zero_width_characters() {
        assert_eq!(normalize("c\u{200b}u\u{200d}re\u{feff}"), "cure");
        assert_eq!(normalize("mir\u{00ad}acle"), "miracle");
    }

    #[test]
    fn decodes_html_entities() {
        assert_eq!(
            normalize("&#99;ure &amp; &#x72;elief &unknown;"),
            "cure & relief &unknown;"
        );
        assert_eq!(normalize("a&nbsp;b"), "a b");
    }

    #[test]
    fn folds_homoglyphs_only_in_mixed_words() {
        // Cyrillic с and е inside a Latin word.
        assert_eq!(normalize("\u{0441}ur\u{0435} now"), "cure now");
        // A Russian word stays Russian.
        assert_eq!(normalize("лечение"), "лечение");
    }

    #[test]
    fn spaced_letters_are_joined() {
        assert_eq!(join_spaced_letters("c u r e now"), "cure now");
        assert_eq!(join_spaced_letters("a c.u.r.e."), "a cure.");
        assert_eq!(join_spaced_letters("I am a b"), "I am a b");
        assert_eq!(normalize("ｃ ｕ ｒ ｅ"), "cure");
    }

    #[test]
    fn entities_that_decode_to_controls_are_folded_too() {
        assert_eq!(normalize("a &amp; b"), "a & b");
        assert_eq!(normalize("a&#13;b"), "a\nb");
        assert_eq!(normalize("a&#13;&#10;b"), "a\nb");
        assert_eq!(normalize("ab&#1;cd&#127;ef"), "ab cd ef");
    }

    #[test]
    fn ascii_runs_around_other_characters_are_kept() {
        let long = "plain ascii text, long enough for whole words ".repeat(3);
        for t in [
            format!("{long}é{long}"),
            format!("ｃure {long}"),
            format!("{long}ｃure"),
            format!("中{long}文\u{200b}{long}"),
        ] {
            let want: String = t
                .chars()
                .filter(|&c| c != '\u{200b}')
                .map(|c| if c == 'ｃ' { 'c' } else { c })
                .collect();
            assert_eq!(normalize(&t), want);
        }
    }

    #[test]
    fn line_ends_become_newlines() {
        assert_eq!(normalize("a\r\nb\rc"), "a\nb\nc");
    }

    #[test]
    fn controls_become_spaces() {
        assert_eq!(normalize("ab\u{0}cd\u{7}ef"), "ab cd ef");
    }

    #[test]
    fn normalising_twice_is_stable() {
        for s in [
            "ｃｕｒｅ",
            "c\u{200b}ure",
            "\u{0441}ure",
            "根治 ①",
            "x&#38;amp;y",
        ] {
            let once = normalize(s).into_owned();
            // `&#38;amp;` decodes to `&amp;` once; entity decoding is a single pass by design.
            if s.contains("&#38;") {
                continue;
            }
            assert_eq!(normalize(&once), once, "{s:?}");
        }
    }
}
