//! No function of the library is longer than 80 lines, from its `fn` to its closing brace,
//! outside tests and the data literals that transcribe a table (named below, with why). A
//! longer one does more than one thing: split it by what it does.

use crate::layers::sources;

const LIMIT: usize = 80;

/// Functions that are one literal of data, and may be as long as their data.
const DATA: &[(&str, &str)] = &[
    // The seed report's fund table (section 二 (三)): 25 funds with their amounts as printed.
    ("domain::seed", "fund_list"),
    // Traditional characters and their standard forms, one arm each.
    ("domain::text", "simplified"),
];

/// The code with string and character literals blanked, so that their braces do not count.
fn without_literals(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' || (c == 'r' && matches!(chars.get(i + 1), Some('"' | '#'))) {
            // A string: plain with escapes, or raw with as many `#` at both ends.
            let raw = c == 'r';
            let mut hashes = 0;
            if raw {
                i += 1;
                while chars.get(i) == Some(&'#') {
                    hashes += 1;
                    i += 1;
                }
                if chars.get(i) != Some(&'"') {
                    // `r#ident`, not a string.
                    out.push('r');
                    continue;
                }
            }
            i += 1;
            while i < chars.len() {
                match chars[i] {
                    '\\' if !raw => i += 2,
                    '"' if (0..hashes).all(|k| chars.get(i + 1 + k) == Some(&'#')) => {
                        i += 1 + hashes;
                        break;
                    }
                    '\n' => {
                        out.push('\n');
                        i += 1;
                    }
                    _ => i += 1,
                }
            }
            out.push_str("\"\"");
        } else if c == '\'' {
            // A character literal (`'{'`, `'\''`), not a lifetime (`'a`).
            let end = if chars.get(i + 1) == Some(&'\\') {
                (i + 2..chars.len()).find(|&k| chars[k] == '\'')
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    out.push_str("' '");
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Each function with a body: its name, first line (1-based) and length in lines.
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let code = without_literals(code);
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(at) = words.iter().position(|w| *w == "fn") else {
            continue;
        };
        let qualifiers = [
            "pub",
            "pub(crate)",
            "pub(super)",
            "async",
            "const",
            "unsafe",
        ];
        if !words[..at].iter().all(|w| qualifiers.contains(w)) {
            continue;
        }
        let Some(name) = words.get(at + 1) else {
            continue;
        };
        let name: String = name
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // The body opens at the first `{` after the signature, unless a `;` ends it first
        // (a trait's declaration).
        let mut depth = 0usize;
        let mut opened = false;
        'lines: for (end, text) in lines.iter().enumerate().skip(start) {
            for c in text.chars() {
                match c {
                    ';' if !opened => break 'lines,
                    '{' => {
                        opened = true;
                        depth += 1;
                    }
                    '}' if opened => {
                        depth -= 1;
                        if depth == 0 {
                            found.push((name.clone(), start + 1, end - start + 1));
                            break 'lines;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    found
}

#[test]
fn no_function_is_longer_than_80_lines() {
    let mut long = Vec::new();
    let mut seen = 0;
    for source in sources() {
        let module = source.module.join("::");
        let file = source.path.to_string_lossy();
        if file.ends_with("_tests.rs") || file.ends_with("props.rs") {
            continue;
        }
        for (name, line, length) in functions(&source.code) {
            seen += 1;
            let data = DATA.contains(&(module.as_str(), name.as_str()));
            if length > LIMIT && !data {
                long.push(format!("{file}:{line} {name}: {length} lines"));
            }
        }
    }
    assert!(seen > 1000, "the walk found the functions: {seen}");
    assert!(long.is_empty(), "longer than {LIMIT} lines: {long:#?}");
}

#[test]
fn a_long_function_is_measured_to_its_closing_brace() {
    let body = "    let x = '{';\n    let y = \"}}\";\n".repeat(50);
    let code = format!("pub async fn long() -> u8 {{\n{body}    0\n}}\n\nfn short() {{}}\n");
    assert_eq!(
        functions(&code),
        vec![("long".to_owned(), 1, 103), ("short".to_owned(), 105, 1)]
    );
    let declared = "trait T {\n    fn f(&self);\n}\nimpl T for () {\n    fn f(&self) {}\n}\n";
    assert_eq!(functions(declared), vec![("f".to_owned(), 5, 1)]);
    let raw = "fn r() {\n    let s = r#\"{ \"#;\n}\n";
    assert_eq!(functions(raw), vec![("r".to_owned(), 1, 3)]);
}
