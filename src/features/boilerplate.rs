//! Stage 4: the boilerplate line classifier for plain text.
//!
//! Scraped pages keep their furniture as lines of text: navigation and previous/next links,
//! "Recommend"/"Related"/"相关文章" lists of teaser titles, footers with copyright and policy
//! lines, counters ("1.2K views"). The classifier follows jusText and the C4, FineWeb and
//! DCLM line rules, adapted to text without markup:
//!
//! 1. **Hard rules** mark a line as boilerplate on its own: navigation (`<<:`, `>>:`,
//!    "Previous"/"Next", "上一篇", breadcrumbs `Home > Health > ...`, sign-in/share/subscribe
//!    lines), policy and copyright lines (C4's policy strings, `©`, "All rights reserved",
//!    "版权所有", ICP numbers), counter lines (DCLM), lines that are mostly URLs, teaser lines
//!    cut off with `...`/`…`, and lines repeated earlier in the document (which also catches a
//!    title repeated at the foot of the page).
//! 2. **List blocks**: a "Related"/"Recommend"/"猜你喜欢" header line starts a block; the
//!    lines after it are boilerplate until a long, punctuated content line.
//! 3. **Context for short lines** (jusText's context pass, simplified): a short line (display
//!    width under 30, a Han character counting 2) without terminal punctuation is a heading
//!    when it stands alone between content, and boilerplate when it belongs to a run of three
//!    or more short lines or touches boilerplate. The first lines of a page (its title) stay
//!    content unless a hard rule fires.
//! 4. **Title lists**: three or more consecutive title-like lines (display width up to 100,
//!    not ending like prose with `.` `。` `:` `;` `,`) are a list of links to other pages,
//!    such as the SEO teaser titles at the foot of a content-farm page, even without a header.
//!    At the top of a page it takes four, so that a title, a subtitle and a byline stay.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::lines::Line;
use super::table::CountTable;

/// Why a line is boilerplate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineClass {
    Content,
    Nav,
    Policy,
    Counter,
    Link,
    Teaser,
    Repeated,
    /// A "Related"/"Recommend" header or a line of the list it starts.
    Related,
    /// A short line in a run of short lines or next to boilerplate.
    Short,
    /// A line in a run of title-like lines (a list of links to other pages).
    List,
}

impl LineClass {
    /// Is this boilerplate?
    pub fn is_boilerplate(self) -> bool {
        self != LineClass::Content
    }
}

/// What the boilerplate stage reports for one text.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct BoilerplateStats {
    /// Characters in boilerplate lines / characters in all non-blank lines; 0 for empty text.
    pub ratio: f64,
    /// Maximal runs of boilerplate lines.
    pub blocks: u32,
    /// Characters in content lines.
    pub main_chars: u32,
    /// Shares of non-blank lines by class, in [0, 1].
    pub nav_share: f64,
    pub list_share: f64,
    pub teaser_share: f64,
    pub link_share: f64,
    pub policy_share: f64,
    pub repeated_share: f64,
}

/// Substrings that mark a navigation line when the line is short.
const NAV_PHRASES: &[&str] = &[
    "previous post",
    "next post",
    "previous article",
    "next article",
    "previous:",
    "next:",
    "prev:",
    "back to top",
    "skip to content",
    "skip to main",
    "sign in",
    "sign up",
    "log in",
    "login",
    "register",
    "subscribe",
    "share this",
    "share on",
    "share:",
    "follow us",
    "main menu",
    "home page",
    "homepage",
    "print this",
    "email this",
    "上一篇",
    "下一篇",
    "上一页",
    "下一页",
    "上一条",
    "下一条",
    "返回顶部",
    "返回首页",
    "返回列表",
    "分享到",
    "登录",
    "注册",
    "收藏本站",
    "设为首页",
    "网站地图",
    "当前位置",
    "您的位置",
    "首页 >",
    "首页>",
];

/// Substrings of policy, legal and copyright lines (C4's list and its Chinese counterparts).
const POLICY_PHRASES: &[&str] = &[
    "terms of use",
    "terms of service",
    "terms and conditions",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
    "all rights reserved",
    "copyright",
    "©",
    "javascript",
    "版权所有",
    "版权声明",
    "免责声明",
    "隐私政策",
    "备案号",
    "icp备",
    "icp证",
    "公网安备",
    "未经授权",
    "禁止转载",
    "转载请注明",
];

/// Headers that start a list of related links.
const RELATED_HEADERS: &[&str] = &[
    "recommend",
    "recommended",
    "recommended for you",
    "recommended articles",
    "related",
    "related articles",
    "related posts",
    "related stories",
    "related content",
    "related reading",
    "you may also like",
    "you might also like",
    "more articles",
    "more stories",
    "more from",
    "popular",
    "popular posts",
    "popular articles",
    "most read",
    "most popular",
    "trending",
    "trending now",
    "latest news",
    "latest articles",
    "read more",
    "read next",
    "see also",
    "tags",
    "相关文章",
    "相关推荐",
    "相关阅读",
    "相关内容",
    "相关资讯",
    "相关链接",
    "相关问答",
    "推荐阅读",
    "推荐文章",
    "猜你喜欢",
    "热门文章",
    "热门推荐",
    "热门资讯",
    "热点推荐",
    "延伸阅读",
    "最新文章",
    "最新资讯",
    "精彩推荐",
    "精彩阅读",
    "大家都在看",
    "标签",
];

/// Words that make "<number> <word>" a counter line.
const COUNTER_WORDS: &[&str] = &[
    "likes",
    "like",
    "shares",
    "share",
    "comments",
    "comment",
    "retweets",
    "reposts",
    "views",
    "view",
    "followers",
    "reads",
    "votes",
    "upvotes",
    "downloads",
    "replies",
    "reviews",
    "阅读",
    "评论",
    "点赞",
    "浏览",
    "收藏",
    "转发",
    "次阅读",
    "人阅读",
    "次浏览",
    "人浏览",
    "人已读",
    "赞",
];

/// The line classifier; build once and share.
#[derive(Debug, Clone)]
pub struct BoilerplateClassifier {
    nav: AhoCorasick,
    policy: AhoCorasick,
}

impl Default for BoilerplateClassifier {
    fn default() -> Self {
        Self::new()
    }
}

fn build(patterns: &[&str]) -> AhoCorasick {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(patterns)
        .expect("fixed phrase lists compile")
}

/// Lines at most this wide (display width) count as short.
pub const SHORT_WIDTH: u32 = 30;

/// Title-like lines are at most this wide.
pub const TITLE_WIDTH: u32 = 100;

impl BoilerplateClassifier {
    pub fn new() -> Self {
        BoilerplateClassifier {
            nav: build(NAV_PHRASES),
            policy: build(POLICY_PHRASES),
        }
    }

    /// Classify every line; `classes` is cleared and filled in line order. `seen` is scratch
    /// space reused between documents.
    pub fn classify(
        &self,
        text: &str,
        lines: &[Line],
        classes: &mut Vec<LineClass>,
        seen: &mut CountTable,
    ) {
        classes.clear();
        seen.reset(lines.len());
        let mut in_related = false;
        for line in lines {
            let s = line.text(text);
            let mut class = self.hard_class(s, line);
            // Repeats: the second and later copies of a line (short lines only count when
            // they are not bare numbers or single characters).
            let fresh = seen.add(line.hash) == 1;
            if class == LineClass::Content && !fresh && line.chars >= 4 {
                class = LineClass::Repeated;
            }
            if class == LineClass::Content && line.width <= 40 && is_related_header(s) {
                class = LineClass::Related;
                in_related = true;
            } else if in_related {
                if is_long_content(line) {
                    in_related = false;
                } else if class == LineClass::Content {
                    class = LineClass::Related;
                }
            }
            classes.push(class);
        }
        self.resolve_short_lines(lines, classes);
        resolve_title_lists(lines, classes);
    }

    /// The hard rules that decide a line on its own.
    fn hard_class(&self, s: &str, line: &Line) -> LineClass {
        if line.url_bytes as usize * 2 >= s.len() {
            return LineClass::Link;
        }
        let short = line.width <= 120;
        if short && (self.policy.is_match(s) || s.contains("ICP")) {
            return LineClass::Policy;
        }
        if short
            && (starts_nav(s)
                || (line.width <= 60 && self.nav.is_match(s))
                || (!line.terminal && is_breadcrumb(s)))
        {
            return LineClass::Nav;
        }
        if line.width <= 60 && is_counter(s) {
            return LineClass::Counter;
        }
        if line.ellipsis && line.width <= 200 {
            return LineClass::Teaser;
        }
        LineClass::Content
    }

    /// jusText-style context for short lines.
    fn resolve_short_lines(&self, lines: &[Line], classes: &mut [LineClass]) {
        let is_short = |l: &Line| l.width < SHORT_WIDTH && !l.terminal;
        let mut i = 0;
        while i < lines.len() {
            if classes[i] != LineClass::Content || !is_short(&lines[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < lines.len() && classes[i] == LineClass::Content && is_short(&lines[i]) {
                i += 1;
            }
            let run = i - start;
            let before_bp = start > 0 && classes[start - 1].is_boilerplate();
            let after_bp = i < lines.len() && classes[i].is_boilerplate();
            let at_top = start == 0;
            let boiler = if at_top {
                // The title (and maybe a subtitle) stays content; a longer run of short lines
                // at the top is a menu.
                run >= 4 || (run >= 2 && after_bp)
            } else {
                run >= 3 || before_bp || after_bp
            };
            if boiler {
                for c in &mut classes[start..i] {
                    *c = LineClass::Short;
                }
            }
        }
    }

    /// Summarise classes into the stage's features.
    pub fn stats(lines: &[Line], classes: &[LineClass]) -> BoilerplateStats {
        let mut total = 0u64;
        let mut bp = 0u64;
        let mut blocks = 0u32;
        let mut prev_bp = false;
        let mut counts = [0u32; 10];
        for (line, class) in lines.iter().zip(classes) {
            total += line.chars as u64;
            counts[*class as usize] += 1;
            if class.is_boilerplate() {
                bp += line.chars as u64;
                if !prev_bp {
                    blocks += 1;
                }
                prev_bp = true;
            } else {
                prev_bp = false;
            }
        }
        let n = lines.len() as f64;
        let share = |k: u32| super::script::ratio(k as f64, n);
        BoilerplateStats {
            ratio: super::script::ratio(bp as f64, total as f64),
            blocks,
            main_chars: (total - bp) as u32,
            nav_share: share(counts[LineClass::Nav as usize]),
            list_share: share(
                counts[LineClass::Related as usize]
                    + counts[LineClass::Short as usize]
                    + counts[LineClass::List as usize],
            ),
            teaser_share: share(counts[LineClass::Teaser as usize]),
            link_share: share(counts[LineClass::Link as usize]),
            policy_share: share(
                counts[LineClass::Policy as usize] + counts[LineClass::Counter as usize],
            ),
            repeated_share: share(counts[LineClass::Repeated as usize]),
        }
    }
}

/// Rule 4: runs of title-like content lines are lists of links.
fn resolve_title_lists(lines: &[Line], classes: &mut [LineClass]) {
    let title_like = |l: &Line| l.width <= TITLE_WIDTH && !l.prose_end;
    let mut i = 0;
    while i < lines.len() {
        if classes[i] != LineClass::Content || !title_like(&lines[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && classes[i] == LineClass::Content && title_like(&lines[i]) {
            i += 1;
        }
        let need = if start == 0 { 4 } else { 3 };
        if i - start >= need {
            for c in &mut classes[start..i] {
                *c = LineClass::List;
            }
        }
    }
}

fn starts_nav(s: &str) -> bool {
    s.starts_with("<<")
        || s.starts_with(">>")
        || s.starts_with('«')
        || s.starts_with('»')
        || s.starts_with('‹')
        || s.starts_with('›')
        || s.starts_with("←")
        || s.starts_with("→")
}

/// `Home > Health > Skin`, `首页 » 皮肤科 » 白癜风`: two or more separators between short parts.
fn is_breadcrumb(s: &str) -> bool {
    let b = s.as_bytes();
    // Every separator holds `>`, `|`, `/` or `»` (whose last byte is 0xBB); most lines have
    // none of them.
    if memchr::memchr3(b'>', b'|', b'/', b).is_none() && memchr::memchr(0xBB, b).is_none() {
        return false;
    }
    [" > ", " » ", " / ", " | ", ">", "»", "|"]
        .iter()
        .any(|&sep| {
            let mut parts = 0;
            s.split(sep).all(|p| {
                parts += 1;
                p.trim().chars().count() <= 24
            }) && parts >= 3
        })
}

fn is_related_header(s: &str) -> bool {
    let t = s
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_ascii_lowercase();
    RELATED_HEADERS
        .iter()
        .any(|h| t == *h || (t.starts_with(h) && t.len() <= h.len() + 12))
}

fn is_long_content(line: &Line) -> bool {
    line.width >= 100 && line.terminal
}

/// DCLM's counter lines (`1.2K views`, `35 comments`) and Chinese ones (`阅读 1234`, `浏览(56)`).
fn is_counter(s: &str) -> bool {
    // Both forms need an ASCII digit: most short lines have none.
    if !s.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let t = s.trim_matches(|c: char| !c.is_alphanumeric() && !super::script::is_han(c));
    let lower = t.to_ascii_lowercase();
    // number first
    let num_end = lower
        .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .unwrap_or(lower.len());
    if num_end > 0 {
        let rest = lower[num_end..].trim_start_matches(['k', 'm', 'b', '万', '+']);
        let rest = rest.trim();
        return COUNTER_WORDS.contains(&rest);
    }
    // word first, then a number: "阅读 1234", "views: 35"
    for w in COUNTER_WORDS {
        if let Some(rest) = lower.strip_prefix(w) {
            let rest = rest.trim_matches(|c: char| !c.is_alphanumeric());
            if !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
            {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::lines::split_lines;
    use super::*;

    fn classes(text: &str) -> Vec<LineClass> {
        let mut lines = Vec::new();
        split_lines(text, &mut lines);
        let mut c = Vec::new();
        BoilerplateClassifier::new().classify(text, &lines, &mut c, &mut CountTable::default());
        c
    }

    fn ratio(text: &str) -> f64 {
        let mut lines = Vec::new();
        split_lines(text, &mut lines);
        let mut c = Vec::new();
        BoilerplateClassifier::new().classify(text, &lines, &mut c, &mut CountTable::default());
        BoilerplateClassifier::stats(&lines, &c).ratio
    }

    const BODY: &str = "Interleukin-2 is a protein that helps white blood cells grow and divide, and it is used to treat some cancers.";

    #[test]
    fn plain_article_has_no_boilerplate() {
        let text = format!("What is IL-2\n\n{BODY}\n\n{BODY} Side effects are common.");
        assert_eq!(ratio(&text), 0.0);
    }

    #[test]
    fn prev_next_and_recommend_blocks() {
        let text = format!(
            "What is IL-2\n{BODY}\n<<: Previous page title\n>>: Next page title\nRecommend\nHow to treat a cold...\nWhat causes hair loss\nBest foods for the liver"
        );
        let c = classes(&text);
        use LineClass::*;
        assert_eq!(
            c,
            vec![
                Content, Content, Nav, Nav, Related, Teaser, Related, Related
            ]
        );
    }

    #[test]
    fn policy_counter_link_teaser() {
        use LineClass::*;
        let text = format!(
            "{BODY}\nCopyright 2024 Health Site. All rights reserved.\n1.2K views\nhttps://example.com/a/b/c\nTen tips for better sleep that doctors..."
        );
        assert_eq!(classes(&text), vec![Content, Policy, Counter, Link, Teaser]);
    }

    #[test]
    fn chinese_furniture() {
        use LineClass::*;
        let text = "白癜风的治疗方法\n白癜风是一种常见的色素脱失性皮肤病，目前的治疗包括光疗和外用药物，效果因人而异。\n上一篇：白癜风能治好吗\n相关文章\n郑州哪个医院治疗白癜风好\n白癜风的早期症状有哪些\n阅读 1234\n版权所有 © 某某网";
        assert_eq!(
            classes(text),
            vec![
                Content, Content, Nav, Related, Related, Related, Counter, Policy
            ]
        );
    }

    #[test]
    fn repeated_title_at_the_foot() {
        use LineClass::*;
        let text = format!("What is IL-2\n{BODY}\nWhat is IL-2");
        assert_eq!(classes(&text), vec![Content, Content, Repeated]);
    }

    #[test]
    fn lone_heading_is_content_but_menu_is_not() {
        use LineClass::*;
        let text = format!(
            "Title\n{BODY}\nCauses\n{BODY} More.\nHome\nNews\nHealth\nContact\n{BODY} End."
        );
        let c = classes(&text);
        assert_eq!(c[2], Content);
        assert_eq!(&c[4..8], &[Short, Short, Short, Short]);
    }

    #[test]
    fn title_lists_without_a_header() {
        use LineClass::*;
        let text = format!(
            "{BODY}\n- Which clinic treats hair loss best? Ask in Leeds\n- Hair loss cost? Leeds clinic prices\n- Can stress cause hair loss? Leeds experts answer\n{BODY} The end."
        );
        assert_eq!(classes(&text), vec![Content, List, List, List, Content]);
        // Two question lines between paragraphs are content (a FAQ), not a list.
        let text = format!("{BODY}\nIs it safe?\n{BODY} Two.\nDoes it hurt?\n{BODY} Three.");
        assert!(classes(&text).iter().all(|c| *c == Content));
    }

    #[test]
    fn breadcrumbs_are_nav() {
        assert_eq!(classes("Home > Health > Skin")[0], LineClass::Nav);
        assert_eq!(classes("首页 > 皮肤科 > 白癜风")[0], LineClass::Nav);
    }

    #[test]
    fn empty_text_is_zero() {
        assert_eq!(ratio(""), 0.0);
        assert_eq!(ratio("\n\n  \n"), 0.0);
    }

    #[test]
    fn counters() {
        assert!(is_counter("35 comments"));
        assert!(is_counter("1.2K views"));
        assert!(is_counter("阅读 1234"));
        assert!(is_counter("浏览(56)"));
        assert!(!is_counter("3 steps to health"));
        assert!(!is_counter("views"));
        assert!(!is_counter("阅读 (多)"));
        assert!(is_counter("views: 35"));
    }

    #[test]
    fn breadcrumbs_need_three_short_parts() {
        for (s, want) in [
            ("Home > Health > Skin", true),
            ("首页 » 皮肤科 » 白癜风", true),
            ("a / b / c", true),
            ("and/or/both", false),
            ("News | Health | Video | Contact", true),
            ("Home > Health", false),
            (
                "Home > A part of the trail that is much longer than that > Skin",
                false,
            ),
            ("No separators at all here", false),
            ("中文标题没有分隔符号", false),
            ("", false),
        ] {
            assert_eq!(is_breadcrumb(s), want, "{s}");
        }
    }
}
