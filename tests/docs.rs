//! Documentation that must not drift from the code.

mod common;

use common::*;

#[test]
fn features_md_table_is_current() {
    let doc = std::fs::read_to_string(root().join("FEATURES.md")).unwrap();
    let begin = "<!-- features:begin -->\n";
    let i = doc.find(begin).unwrap() + begin.len();
    let j = doc.find("<!-- features:end -->").unwrap();
    assert!(
        doc[i..j] == contentq::features::features_markdown(),
        "FEATURES.md is out of date: run `make features-doc`"
    );
}

#[test]
fn readme_opens_with_the_two_commands() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let demo = readme.find("make demo").expect("README names make demo");
    let test = readme.find("make test").expect("README names make test");
    assert!(demo < test);
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == "make test"),
        ".ci/run runs exactly the test command"
    );
}
