//! Lines of a text and their per-line facts, computed once and shared by the boilerplate
//! classifier and the web-quality signals.

use super::claims::url_at;
use super::script::{char_at, is_han};
use super::tokenize::WordHash;

/// One non-blank line (leading and trailing whitespace trimmed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    /// Byte range of the trimmed line in the text.
    pub start: usize,
    pub end: usize,
    /// Characters.
    pub chars: u32,
    /// Display width: a Han or other wide character counts 2, so that 15 Chinese characters
    /// weigh like 30 Latin ones in the short-line rules.
    pub width: u32,
    /// Hash of the lower-cased line, whitespace runs folded.
    pub hash: u64,
    /// Ends in terminal punctuation (`. ! ? " '` and `。！？”’」`), not in an ellipsis.
    pub terminal: bool,
    /// Ends in `...` or `…`.
    pub ellipsis: bool,
    /// Ends like a sentence or clause in running prose (`.` `。` `:` `;` `,` and full-width
    /// forms), not like a title (no mark, `?`, `!`, `…`).
    pub prose_end: bool,
    /// Starts with a bullet (`•`, `-`, `*`, `·`, `●`, `○`, `■`, `▪`, `►`, `✓`, `>`).
    pub bullet: bool,
    /// Bytes inside URLs.
    pub url_bytes: u32,
    /// Index of the paragraph (blank-line separated block) the line belongs to.
    pub paragraph: u32,
}

impl Line {
    /// The line's text.
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
}

/// Split `text` into non-blank lines, appending to `out` (cleared first).
pub fn split_lines(text: &str, out: &mut Vec<Line>) {
    out.clear();
    let mut paragraph = 0u32;
    let mut blank_run = false;
    let mut offset = 0;
    for raw in text.split('\n') {
        let line_start = offset;
        offset += raw.len() + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            if !out.is_empty() {
                blank_run = true;
            }
            continue;
        }
        if blank_run {
            paragraph += 1;
            blank_run = false;
        }
        let start = line_start + (raw.len() - raw.trim_start().len());
        let end = start + trimmed.len();
        out.push(describe(text, start, end, paragraph));
    }
}

fn describe(text: &str, start: usize, end: usize, paragraph: u32) -> Line {
    let s = &text[start..end];
    let mut chars = 0u32;
    let mut width = 0u32;
    let mut h = WordHash::new();
    let mut prev_space = false;
    if s.is_ascii() {
        for &b in s.as_bytes() {
            if b == b' ' || b == b'\t' {
                if !prev_space {
                    h.push_char(' ');
                }
                prev_space = true;
            } else {
                h.push_char(b as char);
                prev_space = false;
            }
        }
        chars = s.len() as u32;
        width = chars;
    } else {
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let c = if bytes[i] < 0x80 {
                i += 1;
                bytes[i - 1] as char
            } else {
                let c = char_at(s, i);
                i += c.len_utf8();
                if is_han(c) {
                    // Most of Chinese text: wide, never a space, no case to fold.
                    chars += 1;
                    width += 2;
                    h.push_char(c);
                    prev_space = false;
                    continue;
                }
                c
            };
            chars += 1;
            width += if is_wide(c) { 2 } else { 1 };
            if c.is_whitespace() {
                if !prev_space {
                    h.push_char(' ');
                }
                prev_space = true;
            } else {
                h.push_char(c);
                prev_space = false;
            }
        }
    }
    let ellipsis = s.ends_with("...") || s.ends_with('…');
    let last = s.chars().next_back();
    let terminal = !ellipsis
        && matches!(
            last,
            Some('.' | '!' | '?' | '"' | '\'' | '。' | '！' | '？' | '”' | '’' | '」' | '』')
        );
    let prose_end = !ellipsis
        && matches!(
            last,
            Some('.' | '。' | ':' | '：' | ';' | '；' | ',' | '，' | '、')
        );
    let first = s.chars().next();
    let bullet = matches!(
        first,
        Some(
            '•' | '-'
                | '*'
                | '·'
                | '●'
                | '○'
                | '■'
                | '▪'
                | '►'
                | '✓'
                | '>'
                | '◆'
                | '★'
                | '☆'
                | '–'
        )
    );
    let bytes = s.as_bytes();
    let mut url_bytes = 0u32;
    let mut i = 0;
    // Does the line hold `://`, `www.` or `WWW.`? One scan for their first bytes (a searcher
    // per pattern and line cost more than the scan on short lines).
    let maybe_url = memchr::memchr3_iter(b':', b'w', b'W', bytes).any(|k| {
        let rest = &bytes[k..];
        rest.starts_with(b"://") || rest.starts_with(b"www.") || rest.starts_with(b"WWW.")
    });
    while maybe_url && i < bytes.len() {
        if matches!(bytes[i], b'h' | b'H' | b'w' | b'W')
            && let Some(len) = url_at(bytes, i)
        {
            url_bytes += len as u32;
            i += len;
            continue;
        }
        i += 1;
    }
    Line {
        start,
        end,
        chars,
        width,
        hash: h.finish(),
        terminal,
        ellipsis,
        prose_end,
        bullet,
        url_bytes,
        paragraph,
    }
}

/// Does `c` take two columns (Han, kana and CJK punctuation, full-width forms)?
#[inline]
fn is_wide(c: char) -> bool {
    is_han(c) || ('\u{3000}'..='\u{30FF}').contains(&c) || c > '\u{FF00}' && c < '\u{FF60}'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_trims() {
        let mut v = Vec::new();
        split_lines("  Title  \n\nBody line.\r\nNext...\n\n\n- item", &mut v);
        assert_eq!(v.len(), 4);
        assert_eq!(v[0].chars, 5);
        assert!(
            v[1].text("  Title  \n\nBody line.\r\nNext...\n\n\n- item")
                .ends_with("line.")
        );
        assert!(v[1].terminal);
        assert!(v[2].ellipsis && !v[2].terminal);
        assert!(v[3].bullet);
        assert_eq!(v[0].paragraph, 0);
        assert_eq!(v[1].paragraph, 1);
        assert_eq!(v[2].paragraph, 1);
        assert_eq!(v[3].paragraph, 2);
    }

    /// Characters, width and hash of a line, one character at a time (the loop the byte walk
    /// in `describe` replaced).
    fn counted_reference(s: &str) -> (u32, u32, u64) {
        let (mut chars, mut width, mut h, mut prev_space) = (0, 0, WordHash::new(), false);
        let ascii = s.is_ascii();
        for c in s.chars() {
            chars += 1;
            width += if is_wide(c) { 2 } else { 1 };
            let space = if ascii {
                c == ' ' || c == '\t'
            } else {
                c.is_whitespace()
            };
            if space {
                if !prev_space {
                    h.push_char(' ');
                }
                prev_space = true;
            } else {
                h.push_char(c);
                prev_space = false;
            }
        }
        (chars, width, h.finish())
    }

    #[test]
    fn line_counts_match_a_loop_over_characters() {
        let alphabet = "aZ 中文，。\tｃ\u{3000}\u{a0}\u{b}カЖé1\n一鿿㐀\u{4DFF}";
        for t in crate::features::random_texts(alphabet, 300, 0x1f83_d9ab_fb41_bd6b) {
            let mut v = Vec::new();
            split_lines(&t, &mut v);
            for l in &v {
                let want = counted_reference(l.text(&t));
                assert_eq!((l.chars, l.width, l.hash), want, "{:?}", l.text(&t));
            }
        }
    }

    #[test]
    fn chinese_width_is_double() {
        let mut v = Vec::new();
        split_lines("中文标题", &mut v);
        assert_eq!(v[0].chars, 4);
        assert_eq!(v[0].width, 8);
    }

    #[test]
    fn url_bytes_counted() {
        let mut v = Vec::new();
        split_lines("see https://example.com/x", &mut v);
        assert_eq!(v[0].url_bytes, "https://example.com/x".len() as u32);
    }

    #[test]
    fn same_text_same_hash() {
        let mut v = Vec::new();
        split_lines("Read  More\nread more", &mut v);
        assert_eq!(v[0].hash, v[1].hash);
    }
}
