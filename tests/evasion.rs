//! Evasion: text obfuscated the way spammers do scores like the plain text. Tolerance: the
//! probability moves by at most 0.02 and the label does not change.

use contentq::{Extractor, Model};

const PLAIN_EN: &str = "Miracle cure for diabetes! Our clinic guarantees a permanent cure with no side effects.\nCall now for a free consultation, only 3 places left this month.";
const PLAIN_ZH: &str = "根治糖尿病，无副作用，永不复发！\n免费咨询热线，加微信预约，限时优惠。";

fn p(text: &str) -> f64 {
    let model = Model::default_model().unwrap();
    let e = Extractor::new();
    model.score(&model.analyze(&e, text), 0).p
}

fn assert_like_plain(plain: &str, obfuscated: &str, trick: &str) {
    let (a, b) = (p(plain), p(obfuscated));
    assert!(
        (a - b).abs() <= 0.02,
        "{trick}: plain p={a:.4}, obfuscated p={b:.4}\n{obfuscated}"
    );
    assert_eq!(a >= 0.5, b >= 0.5, "{trick} changes the label");
}

/// Apply `f` to every ASCII letter of the claim words.
fn each_letter(text: &str, f: impl Fn(char) -> String) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                f(c)
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[test]
fn zero_width_joiners_and_spaces() {
    let zw = each_letter(PLAIN_EN, |c| format!("{c}\u{200d}"));
    assert_like_plain(PLAIN_EN, &zw, "zero-width joiners");
    let zs = each_letter(PLAIN_EN, |c| format!("\u{200b}{c}"));
    assert_like_plain(PLAIN_EN, &zs, "zero-width spaces");
    let zh: String = PLAIN_ZH.chars().flat_map(|c| [c, '\u{200b}']).collect();
    assert_like_plain(PLAIN_ZH, &zh, "zero-width spaces in Chinese");
}

#[test]
fn cyrillic_homoglyphs_in_latin_words() {
    let homo = PLAIN_EN
        .replace('a', "\u{0430}")
        .replace('e', "\u{0435}")
        .replace('o', "\u{043e}")
        .replace('c', "\u{0441}")
        .replace('p', "\u{0440}");
    assert_ne!(homo, PLAIN_EN);
    assert_like_plain(PLAIN_EN, &homo, "Cyrillic homoglyphs");
}

#[test]
fn full_width_letters() {
    let fw: String = PLAIN_EN
        .chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
            c => c,
        })
        .collect();
    assert_like_plain(PLAIN_EN, &fw, "full-width forms");
}

#[test]
fn spaced_out_letters() {
    let spaced = PLAIN_EN
        .replace("cure", "c u r e")
        .replace("Miracle", "M i r a c l e")
        .replace("free", "f.r.e.e");
    assert_like_plain(PLAIN_EN, &spaced, "spaced-out letters");
}

#[test]
fn html_entities() {
    let ent = PLAIN_EN
        .replace('c', "&#99;")
        .replace('e', "&#x65;")
        .replace('!', "&#33;")
        .replace(' ', "&nbsp;");
    assert_like_plain(PLAIN_EN, &ent, "HTML entities");
    let zh = PLAIN_ZH.replace('，', "&#65292;");
    assert_like_plain(PLAIN_ZH, &zh, "HTML entities in Chinese");
}

#[test]
fn mixed_case() {
    let shouty = PLAIN_EN
        .replace("cure", "CuRe")
        .replace("free consultation", "FREE CONSULTATION");
    // Case is a signal of its own (upper-case ratio), so allow it a little more room.
    let (a, b) = (p(PLAIN_EN), p(&shouty));
    assert!((a - b).abs() <= 0.05, "{a} vs {b}");
    assert_eq!(a >= 0.5, b >= 0.5);
}
