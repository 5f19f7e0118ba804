//! Stage 5: claim density, the promotional and informative cue groups.
//!
//! The English and Chinese lexicons live in `lexicon/en.txt` and `lexicon/zh.txt` (compiled
//! into the binary) and are matched together in one aho-corasick automaton, leftmost-longest
//! and ASCII-case-insensitive, so that "there is no cure" counts once, as risk language,
//! rather than as a cure claim. English phrases must sit on word boundaries; Chinese phrases
//! match anywhere.
//!
//! Code, not lexicons, finds what a word list cannot: phone numbers (9 to 15 digits with the
//! usual separators), URLs and e-mail addresses (contact), currency amounts (`$99`, `¥2800`,
//! `2800元`: price) and numbers with measurement units (`5 mg`, `120 mmHg`, `30%`: informative).
//!
//! Every group is reported as matches per 100 word units, where a word unit is a non-Han
//! word or one Han character (so Chinese is per 100 characters, English per 100 words).

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Anchored, Input, MatchKind, PatternID};

/// The cue groups, in feature order. The first six are promotional, the next four informative,
/// the last two are register (who speaks to whom).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Cure = 0,
    Superlative,
    Cta,
    Contact,
    Solicit,
    Price,
    Hedge,
    Citation,
    Units,
    Risk,
    You,
    We,
}

/// Number of groups.
pub const GROUPS: usize = 12;

/// Group names as they appear in the lexicon files.
const GROUP_NAMES: [&str; GROUPS] = [
    "cure",
    "superlative",
    "cta",
    "contact",
    "solicit",
    "price",
    "hedge",
    "citation",
    "units",
    "risk",
    "you",
    "we",
];

/// Promotional groups (summed into `claim_density`).
pub const PROMO_GROUPS: [Group; 6] = [
    Group::Cure,
    Group::Superlative,
    Group::Cta,
    Group::Contact,
    Group::Solicit,
    Group::Price,
];

/// Informative groups (summed into `info_density`).
pub const INFO_GROUPS: [Group; 4] = [Group::Hedge, Group::Citation, Group::Units, Group::Risk];

const EN_LEXICON: &str = include_str!("lexicon/en.txt");
const ZH_LEXICON: &str = include_str!("lexicon/zh.txt");

/// Units that follow a number and mark a measurement (informative).
const MEASURE_UNITS: &[&str] = &[
    "%",
    "percent",
    "per cent",
    "mg",
    "g",
    "kg",
    "mcg",
    "µg",
    "μg",
    "ml",
    "l",
    "mmol",
    "mmhg",
    "iu",
    "cm",
    "mm",
    "km",
    "kcal",
    "calories",
    "hours",
    "hour",
    "days",
    "day",
    "weeks",
    "week",
    "months",
    "month",
    "years",
    "year",
    "patients",
    "people",
    "participants",
    "adults",
    "children",
    "cases",
    "deaths",
    "times",
    "毫克",
    "克",
    "千克",
    "公斤",
    "毫升",
    "升",
    "毫米",
    "厘米",
    "米",
    "千卡",
    "小时",
    "分钟",
    "天",
    "周",
    "个月",
    "年",
    "岁",
    "例",
    "名",
    "人",
    "倍",
    "次",
    "毫摩尔",
    "微克",
    "国际单位",
];

/// Units that follow a number and mark a price.
const PRICE_UNITS: &[&str] = &[
    "元", "块", "块钱", "万元", "rmb", "usd", "dollars", "dollar", "pounds", "euros", "yuan",
];

/// The compiled matcher; build once and share (it is `Send + Sync`).
#[derive(Debug, Clone)]
pub struct ClaimMatcher {
    /// The cue lexicons as one DFA (leftmost-longest, ASCII case-insensitive), searched by
    /// [`ClaimMatcher::for_each_cue`].
    dfa: DFA,
    /// The DFA's unanchored start state.
    start: StateID,
    /// For each pattern: its group and whether it needs word boundaries (left, right).
    meta: Vec<(Group, bool, bool)>,
    units: AhoCorasick,
    /// For each unit pattern: is it a price unit?
    unit_is_price: Vec<bool>,
}

/// Raw match counts per group for one text.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct ClaimCounts {
    pub counts: [u32; GROUPS],
}

/// The cue phrases of both lexicons as automaton patterns (lower-cased, a trailing `*`
/// dropped), and for each its group and whether it needs a word boundary on the left and on
/// the right (English phrases that start or end with a letter or digit; not after `*`).
fn cue_patterns() -> (Vec<String>, Vec<(Group, bool, bool)>) {
    let mut patterns = Vec::new();
    let mut meta = Vec::new();
    for (lexicon, bounded) in [(EN_LEXICON, true), (ZH_LEXICON, false)] {
        for (group, phrase) in parse_lexicon(lexicon) {
            let (phrase, right) = match phrase.strip_suffix('*') {
                Some(p) => (p, false),
                None => (phrase, true),
            };
            let first = phrase.chars().next().expect("phrases are non-empty");
            let last = phrase.chars().last().expect("phrases are non-empty");
            patterns.push(phrase.to_ascii_lowercase());
            meta.push((
                group,
                bounded && first.is_ascii_alphanumeric(),
                bounded && right && last.is_ascii_alphanumeric(),
            ));
        }
    }
    (patterns, meta)
}

impl ClaimMatcher {
    /// Build the matcher from the embedded lexicons.
    pub fn new() -> ClaimMatcher {
        let (patterns, meta) = cue_patterns();
        // Splitting a text at a line break for the two-lane search relies on this.
        assert!(
            patterns.iter().all(|p| !p.is_empty() && !p.contains('\n')),
            "cue phrases are non-empty and within one line"
        );
        let dfa = aho_corasick::dfa::Builder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .prefilter(false)
            .build(&patterns)
            .expect("the embedded lexicons compile");
        let start = dfa
            .start_state(Anchored::No)
            .expect("the DFA supports unanchored searches");
        let mut unit_patterns: Vec<&str> = MEASURE_UNITS.to_vec();
        unit_patterns.extend_from_slice(PRICE_UNITS);
        let unit_is_price = (0..unit_patterns.len())
            .map(|i| i >= MEASURE_UNITS.len())
            .collect();
        let units = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(aho_corasick::StartKind::Anchored)
            .build(&unit_patterns)
            .expect("the unit list compiles");
        ClaimMatcher {
            dfa,
            start,
            meta,
            units,
            unit_is_price,
        }
    }

    /// Count cue matches in normalised `text`.
    pub fn count(&self, text: &str) -> ClaimCounts {
        let bytes = text.as_bytes();
        let mut c = ClaimCounts::default();
        self.for_each_cue(bytes, |pid, start, end| {
            let (group, left, right) = self.meta[pid.as_usize()];
            if left && start > 0 && is_word_byte(bytes, start - 1, true) {
                return;
            }
            if right && end < bytes.len() && is_word_byte(bytes, end, false) {
                return;
            }
            c.counts[group as usize] += 1;
        });
        self.scan_patterns(text, &mut c);
        c
    }

    /// Call `f(pattern, start, end)` for each cue match of `bytes`: the matches
    /// aho-corasick's `find_iter` gives (leftmost-longest, each search resuming where the last
    /// match ended), though not in text order.
    ///
    /// A DFA walk is a chain of dependent loads (each state comes from the one before), so one
    /// walk keeps the processor waiting on memory. A text of some length is cut after the line
    /// break nearest its middle and the two halves are walked in turn, a byte of each per
    /// step: two independent chains, whose loads overlap. No phrase spans a line break, so
    /// every search that reads one is back at the start state after it, and no match crosses
    /// the cut: the halves' matches are the whole text's.
    fn for_each_cue(&self, bytes: &[u8], mut f: impl FnMut(PatternID, usize, usize)) {
        let n = bytes.len();
        let cut = if n >= LANE_MIN_BYTES {
            let mid = n / 2;
            memchr::memchr(b'\n', &bytes[mid..])
                .map(|k| mid + k + 1)
                .or_else(|| memchr::memrchr(b'\n', &bytes[..mid]).map(|k| k + 1))
        } else {
            None
        };
        let cut = cut.unwrap_or(n);
        let mut a = Lane::new(0, cut, self.start);
        let mut b = Lane::new(cut, n, self.start);
        let (mut a_on, mut b_on) = (a.pos < a.end, b.pos < b.end);
        while a_on && b_on {
            a_on = a.step(&self.dfa, self.start, bytes, &mut f);
            b_on = b.step(&self.dfa, self.start, bytes, &mut f);
        }
        while a_on {
            a_on = a.step(&self.dfa, self.start, bytes, &mut f);
        }
        while b_on {
            b_on = b.step(&self.dfa, self.start, bytes, &mut f);
        }
    }

    /// Phones, URLs, e-mails, currency amounts and numbers with units.
    fn scan_patterns(&self, text: &str, c: &mut ClaimCounts) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // Skip to the next byte that can start a number, a URL or an e-mail address.
            match bytes[i..].iter().position(|&b| SCAN_START[b as usize]) {
                Some(k) => i += k,
                None => break,
            }
            let b = bytes[i];
            if b.is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
                let (end, digits) = number_run(bytes, i);
                if (9..=15).contains(&digits) && !plain_decimal(bytes, i, end) {
                    c.counts[Group::Contact as usize] += 1;
                } else if digits <= 12 {
                    let currency_before = i > 0 && is_currency(text, i);
                    if currency_before {
                        c.counts[Group::Price as usize] += 1;
                    } else if let Some(is_price) = self.unit_after(text, end) {
                        let g = if is_price { Group::Price } else { Group::Units };
                        c.counts[g as usize] += 1;
                    }
                }
                i = end.max(i + 1);
                continue;
            }
            // A URL starts `http` or `www.`: look at the next byte before the whole prefix.
            let next = bytes.get(i + 1).map_or(0, |n| n | 0x20);
            if (b | 0x20 == b'h' && next == b't' || b | 0x20 == b'w' && next == b'w')
                && let Some(len) = url_len(bytes, i)
            {
                c.counts[Group::Contact as usize] += 1;
                i += len;
                continue;
            }
            if b == b'@' && is_email_at(bytes, i) {
                c.counts[Group::Contact as usize] += 1;
            }
            i += 1;
        }
    }

    /// If a unit follows position `end` (after optional spaces), is it a price unit?
    fn unit_after(&self, text: &str, mut end: usize) -> Option<bool> {
        let bytes = text.as_bytes();
        // Decimals: "2.5 mg".
        while end < bytes.len() && bytes[end] == b' ' && end < text.len() {
            end += 1;
        }
        if end >= bytes.len() {
            return None;
        }
        let input = Input::new(text)
            .span(end..text.len())
            .anchored(Anchored::Yes);
        let m = self.units.find(input)?;
        // An ASCII unit must end on a word boundary ("5 g" but not "5 good").
        if m.end() < bytes.len()
            && bytes[m.end() - 1].is_ascii_alphabetic()
            && bytes[m.end()].is_ascii_alphanumeric()
        {
            return None;
        }
        Some(self.unit_is_price[m.pattern().as_usize()])
    }
}

/// Texts shorter than this are searched in one lane.
const LANE_MIN_BYTES: usize = 256;

/// One lane of [`ClaimMatcher::for_each_cue`]: aho-corasick's leftmost search loop
/// (`try_find_fwd` without a prefilter) over `pos..end`, restarted after each match as
/// `find_iter` restarts it.
struct Lane {
    pos: usize,
    end: usize,
    sid: StateID,
    /// The longest match of the current search so far: its pattern and end.
    mat: Option<(PatternID, usize)>,
}

impl Lane {
    fn new(pos: usize, end: usize, start: StateID) -> Lane {
        Lane {
            pos,
            end,
            sid: start,
            mat: None,
        }
    }

    /// Read one byte (or end the current search); returns whether the lane goes on.
    #[inline(always)]
    fn step(
        &mut self,
        dfa: &DFA,
        start: StateID,
        bytes: &[u8],
        f: &mut impl FnMut(PatternID, usize, usize),
    ) -> bool {
        if self.pos >= self.end {
            return self.finish(dfa, start, f);
        }
        self.sid = dfa.next_state(Anchored::No, self.sid, bytes[self.pos]);
        self.pos += 1;
        if dfa.is_special(self.sid) {
            if dfa.is_dead(self.sid) {
                return self.finish(dfa, start, f);
            }
            if dfa.is_match(self.sid) {
                self.mat = Some((dfa.match_pattern(self.sid, 0), self.pos));
            }
        }
        true
    }

    /// The current search is over: report its match and start the next search at the
    /// match's end, or, without a match, stop (as `find_iter` does).
    #[cold]
    fn finish(
        &mut self,
        dfa: &DFA,
        start: StateID,
        f: &mut impl FnMut(PatternID, usize, usize),
    ) -> bool {
        match self.mat.take() {
            Some((pid, end)) => {
                f(pid, end - dfa.pattern_len(pid), end);
                self.pos = end;
                self.sid = start;
                true
            }
            None => false,
        }
    }
}

impl Default for ClaimMatcher {
    fn default() -> Self {
        Self::new()
    }
}

/// Is the byte at `i` part of a word (for boundary checks)? Looks at the whole char.
fn is_word_byte(bytes: &[u8], i: usize, before: bool) -> bool {
    let b = bytes[i];
    if b < 0x80 {
        return b.is_ascii_alphanumeric() || b == b'_';
    }
    // A non-ASCII neighbour: a letter of an alphabetic script continues the word, Han does not.
    let s = if before {
        let mut start = i;
        while start > 0 && (bytes[start] & 0xC0) == 0x80 {
            start -= 1;
        }
        std::str::from_utf8(&bytes[start..=i]).ok()
    } else {
        let mut end = i + 1;
        while end < bytes.len() && (bytes[end] & 0xC0) == 0x80 {
            end += 1;
        }
        std::str::from_utf8(&bytes[i..end]).ok()
    };
    s.and_then(|s| s.chars().next())
        .is_some_and(|c| c.is_alphabetic() && !super::script::is_han(c))
}

/// The bytes [`ClaimMatcher::scan_patterns`] stops at: digits, `h`, `w` and `@`, either case.
const SCAN_START: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = b'0';
    while b <= b'9' {
        t[b as usize] = true;
        b += 1;
    }
    t[b'h' as usize] = true;
    t[b'H' as usize] = true;
    t[b'w' as usize] = true;
    t[b'W' as usize] = true;
    t[b'@' as usize] = true;
    t
};

/// A run of digits with phone-style separators starting at `i`.
/// Returns (end, number of digits).
fn number_run(bytes: &[u8], i: usize) -> (usize, usize) {
    let mut j = i;
    let mut digits = 0;
    let mut last_digit_end = i;
    while j < bytes.len() {
        let b = bytes[j];
        if b.is_ascii_digit() {
            digits += 1;
            j += 1;
            last_digit_end = j;
        } else if digits > 0 && is_phone_sep(b) {
            // One or two separators ("-", ") ", " (") between digit groups.
            let skip = if j + 1 < bytes.len() && bytes[j + 1].is_ascii_digit() {
                1
            } else if j + 2 < bytes.len()
                && is_phone_sep(bytes[j + 1])
                && bytes[j + 2].is_ascii_digit()
            {
                2
            } else {
                break;
            };
            j += skip;
        } else {
            break;
        }
    }
    (last_digit_end, digits)
}

fn is_phone_sep(b: u8) -> bool {
    matches!(b, b'-' | b' ' | b'(' | b')' | b'.')
}

/// "3.14159265" or "1 000 000": a long number that is not a phone number.
fn plain_decimal(bytes: &[u8], start: usize, end: usize) -> bool {
    let s = &bytes[start..end];
    let dots = s.iter().filter(|&&b| b == b'.').count();
    dots == 1 && !s.iter().any(|&b| matches!(b, b'-' | b' ' | b'(' | b')'))
}

/// Is there a currency sign right before byte `i` (allowing one space)?
fn is_currency(text: &str, i: usize) -> bool {
    let before = text[..i].trim_end_matches(' ');
    matches!(
        before.chars().next_back(),
        Some('$' | '¥' | '£' | '€' | '￥')
    ) || before.ends_with("RMB")
        || before.ends_with("USD")
}

/// Length of a URL starting at `i` (`http://`, `https://`, `www.`), if one does.
fn url_len(bytes: &[u8], i: usize) -> Option<usize> {
    let rest = &bytes[i..];
    let prefix = if rest.len() >= 8 && rest[..8].eq_ignore_ascii_case(b"https://") {
        8
    } else if rest.len() >= 7 && rest[..7].eq_ignore_ascii_case(b"http://") {
        7
    } else if rest.len() >= 4 && rest[..4].eq_ignore_ascii_case(b"www.") {
        if i > 0 && bytes[i - 1].is_ascii_alphanumeric() {
            return None;
        }
        4
    } else {
        return None;
    };
    let body = rest[prefix..]
        .iter()
        .take_while(|&&b| b > 0x20 && b < 0x7f && !matches!(b, b'"' | b'<' | b'>'))
        .count();
    (body >= 3).then_some(prefix + body)
}

/// Byte length of the URL at `i`, for the URL character ratio.
pub fn url_at(bytes: &[u8], i: usize) -> Option<usize> {
    url_len(bytes, i)
}

/// An `@` between an e-mail local part and a dotted domain.
fn is_email_at(bytes: &[u8], i: usize) -> bool {
    let local = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'.');
    let rest = &bytes[i + 1..];
    let len = rest
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        .count();
    let domain = &rest[..len];
    local && domain.len() >= 4 && domain.contains(&b'.') && domain[0] != b'.'
}

/// Parse a lexicon file into (group, phrase) pairs.
fn parse_lexicon(src: &str) -> Vec<(Group, &str)> {
    let mut out = Vec::new();
    let mut group = None;
    for line in src.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') && !line.starts_with("#1") {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let idx = GROUP_NAMES
                .iter()
                .position(|g| *g == name)
                .unwrap_or_else(|| panic!("unknown lexicon group [{name}]"));
            group = Some(GROUPS_IN_ORDER[idx]);
            continue;
        }
        let g = group.expect("every phrase sits under a [group] header");
        out.push((g, line));
    }
    out
}

const GROUPS_IN_ORDER: [Group; GROUPS] = [
    Group::Cure,
    Group::Superlative,
    Group::Cta,
    Group::Contact,
    Group::Solicit,
    Group::Price,
    Group::Hedge,
    Group::Citation,
    Group::Units,
    Group::Risk,
    Group::You,
    Group::We,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(text: &str) -> [u32; GROUPS] {
        ClaimMatcher::new().count(text).counts
    }

    /// aho-corasick's own automaton over the same patterns, for its iterator's matches.
    fn reference_matcher() -> AhoCorasick {
        let (patterns, _) = cue_patterns();
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&patterns)
            .unwrap()
    }

    #[test]
    fn two_lane_search_finds_what_find_iter_finds() {
        let m = ClaimMatcher::new();
        let reference = reference_matcher();
        // Words of the lexicons (so that matches overlap, nest and abut), line breaks, and
        // texts long enough to be cut into two lanes.
        let mut words: Vec<String> = Vec::new();
        for lexicon in [EN_LEXICON, ZH_LEXICON] {
            for (_, phrase) in parse_lexicon(lexicon).into_iter().step_by(7) {
                words.extend(phrase.trim_end_matches('*').split(' ').map(str::to_string));
            }
        }
        words.extend(["\n", "\n\n", " ", "x", "CURE", "免费", ".", "s"].map(String::from));
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut texts: Vec<String> = Vec::new();
        for n in 0..600 {
            let mut t = String::new();
            for _ in 0..(n % 300) {
                seed = crate::features::tokenize::mix64(seed);
                t.push_str(&words[(seed >> 16) as usize % words.len()]);
                if !seed.is_multiple_of(3) {
                    t.push(' ');
                }
            }
            texts.push(t);
        }
        let genre = include_str!("../../data/genre/genre.csv");
        texts.extend(
            genre
                .as_bytes()
                .chunks(3000)
                .map(|c| String::from_utf8_lossy(c).into_owned()),
        );
        let mut cut = 0;
        for t in &texts {
            let mut got = Vec::new();
            m.for_each_cue(t.as_bytes(), |p, s, e| got.push((p.as_usize(), s, e)));
            got.sort_unstable();
            let mut want: Vec<_> = reference
                .find_iter(t)
                .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
                .collect();
            want.sort_unstable();
            assert_eq!(got, want, "on {t:?}");
            cut += (t.len() >= LANE_MIN_BYTES && t.contains('\n')) as usize;
        }
        assert!(cut > 300, "{cut} texts searched in two lanes");
    }

    #[test]
    fn lexicons_parse_and_compile() {
        let m = ClaimMatcher::new();
        assert!(m.meta.len() > 500);
    }

    #[test]
    fn cure_claims_respect_word_boundaries() {
        let c = counts("This cures everything. Secure your curtains.");
        assert_eq!(c[Group::Cure as usize], 1);
    }

    #[test]
    fn longest_match_wins_across_groups() {
        let c = counts("There is no cure for this condition.");
        assert_eq!(c[Group::Cure as usize], 0);
        assert_eq!(c[Group::Risk as usize], 1);
    }

    #[test]
    fn chinese_cues() {
        let c = counts("根治白癜风，免费咨询，哪个医院好？研究表明可能有副作用。");
        assert_eq!(c[Group::Cure as usize], 1);
        assert_eq!(c[Group::Cta as usize], 1);
        assert_eq!(c[Group::Solicit as usize], 1);
        assert_eq!(c[Group::Citation as usize], 1);
        assert_eq!(c[Group::Hedge as usize], 1);
        assert_eq!(c[Group::Risk as usize], 1);
    }

    #[test]
    fn phones_urls_emails_are_contact() {
        let c = counts("Call 400-123-4567 or (555) 123-4567, visit www.example.com, mail a@b.com");
        // two phones, one URL, one e-mail; "call" alone is not a phrase, "visit" is not one either
        assert_eq!(c[Group::Contact as usize], 4);
    }

    #[test]
    fn urls_in_any_case_and_only_at_their_prefix() {
        let c = counts("HTTP://Example.com/a, wWw.example.org and hTTps://x.io/abc");
        assert_eq!(c[Group::Contact as usize], 3);
        // `h` and `w` that start no URL, an address glued to a word, digits right after.
        let c = counts("why hwww.example.com htp://x.io www.ab 3www.example.com");
        assert_eq!(c[Group::Contact as usize], 0);
    }

    #[test]
    fn dates_and_small_numbers_are_not_phones() {
        let c = counts("On 2020-03-15, 12 people and 3.14159265 apples.");
        assert_eq!(c[Group::Contact as usize], 0);
        assert_eq!(c[Group::Units as usize], 1); // 12 people
    }

    #[test]
    fn prices_and_units() {
        let c = counts("Only $99 today! 2800元套餐. Take 5 mg twice; 30% of patients improved.");
        assert_eq!(c[Group::Price as usize], 3); // $99, 2800元, 套餐
        assert_eq!(c[Group::Units as usize], 2); // 5 mg, 30%
    }

    #[test]
    fn case_insensitive() {
        assert_eq!(counts("CALL NOW")[Group::Cta as usize], 1);
    }
}
