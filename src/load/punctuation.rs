//! Text as pasted from web pages: half-width punctuation and straight quotes next to Chinese
//! characters are printed in their full-width form, with a warning at each place. The rule is
//! data (`templates/punctuation.yaml`, compiled in); the input files are never changed. Digits,
//! Latin words and web addresses keep their half-width punctuation (`3.5`, `GB/T 9704`,
//! `https://a.b/c?d=1`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Location};
use crate::load::emphasis;

/// The punctuation rule as written in `templates/punctuation.yaml`.
#[derive(Debug, Deserialize)]
struct RuleFile {
    marks: BTreeMap<char, char>,
    period: char,
    quotes: BTreeMap<char, [char; 2]>,
    verbatim_prefixes: Vec<String>,
}

/// The rule, read once from the built-in data file.
fn rule() -> &'static RuleFile {
    static RULE: OnceLock<RuleFile> = OnceLock::new();
    RULE.get_or_init(|| {
        serde_saphyr::from_str(include_str!("../../templates/punctuation.yaml"))
            .expect("templates/punctuation.yaml is valid (checked by a unit test)")
    })
}

/// One mark printed differently from how it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fix {
    /// Byte offset of the mark in the text as written.
    pub offset: usize,
    /// As written.
    pub from: char,
    /// As printed.
    pub to: char,
}

/// Whether `c` belongs to Chinese text: a Han character or full-width punctuation.
pub fn is_chinese(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0xFF00..=0xFFEF | 0x2018..=0x201D | 0x2026 | 0x2014 | 0x20000..=0x2FA1F)
}

/// `text` with the rule applied, and what was changed. Spaces after a replaced mark that are
/// followed by Chinese text are dropped (full-width marks carry their own space).
pub fn normalise(text: &str) -> (String, Vec<Fix>) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let verbatim = verbatim_spans(text, &chars);
    let mut replaced: BTreeMap<usize, char> = BTreeMap::new();
    let near = |i: usize| neighbours(&chars, i);
    for (i, &(_, c)) in chars.iter().enumerate() {
        if verbatim[i] {
            continue;
        }
        let (before, after) = near(i);
        let chinese_side = before.is_some_and(is_chinese) || after.is_some_and(is_chinese);
        if let Some(&full) = rule().marks.get(&c)
            && c != '('
            && c != ')'
            && chinese_side
        {
            replaced.insert(i, full);
        } else if c == '.'
            && before.is_some_and(is_chinese)
            && after.is_none_or(|a| a.is_whitespace() || is_chinese(a))
        {
            replaced.insert(i, rule().period);
        }
    }
    pair_brackets(&chars, &verbatim, &mut replaced);
    for (&quote, &forms) in &rule().quotes {
        pair_quotes(&chars, &verbatim, quote, forms, &mut replaced);
    }
    apply(&chars, &replaced)
}

/// The characters before and after position `i`, looking through emphasis marks.
fn neighbours(chars: &[(usize, char)], i: usize) -> (Option<char>, Option<char>) {
    let text = |&(_, c): &(usize, char)| (!emphasis::is_mark(c)).then_some(c);
    let before = chars[..i].iter().rev().find_map(text);
    let after = chars
        .get(i + 1..)
        .and_then(|rest| rest.iter().find_map(text));
    (before, after)
}

/// Which characters belong to a web address or e-mail (from a verbatim prefix to the next space
/// or Chinese character).
fn verbatim_spans(text: &str, chars: &[(usize, char)]) -> Vec<bool> {
    let lower = text.to_ascii_lowercase();
    let mut inside = vec![false; chars.len()];
    let mut open = false;
    for (i, &(offset, c)) in chars.iter().enumerate() {
        if c.is_whitespace() || is_chinese(c) {
            open = false;
        } else if !open {
            open = rule()
                .verbatim_prefixes
                .iter()
                .any(|p| lower[offset..].starts_with(p.as_str()));
        }
        inside[i] = open;
    }
    inside
}

/// Matched `(` `)` pairs become full-width when either side or the inside is Chinese; an
/// unmatched one when a neighbour is.
fn pair_brackets(chars: &[(usize, char)], verbatim: &[bool], replaced: &mut BTreeMap<usize, char>) {
    let (open_full, close_full) = (rule().marks[&'('], rule().marks[&')']);
    let mut open: Vec<usize> = Vec::new();
    let mut lone: Vec<usize> = Vec::new();
    for (i, &(_, c)) in chars.iter().enumerate() {
        match c {
            '(' if !verbatim[i] => open.push(i),
            ')' if !verbatim[i] => match open.pop() {
                Some(start) => {
                    let inner = chars[start + 1..i].iter().any(|&(_, c)| is_chinese(c));
                    let outside = neighbours(chars, start).0.is_some_and(is_chinese)
                        || neighbours(chars, i).1.is_some_and(is_chinese);
                    if inner || outside {
                        replaced.insert(start, open_full);
                        replaced.insert(i, close_full);
                    }
                }
                None => lone.push(i),
            },
            _ => {}
        }
    }
    for i in lone.into_iter().chain(open) {
        let (before, after) = neighbours(chars, i);
        if before.is_some_and(is_chinese) || after.is_some_and(is_chinese) {
            let full = if chars[i].1 == '(' {
                open_full
            } else {
                close_full
            };
            replaced.insert(i, full);
        }
    }
}

/// Straight quotes, taken in pairs, become curly ones when the quoted text or a neighbour is
/// Chinese (single quotes only when the quoted text is, so apostrophes stay).
fn pair_quotes(
    chars: &[(usize, char)],
    verbatim: &[bool],
    quote: char,
    [left, right]: [char; 2],
    replaced: &mut BTreeMap<usize, char>,
) {
    let places: Vec<usize> = (0..chars.len())
        .filter(|&i| chars[i].1 == quote && !verbatim[i])
        .collect();
    let strict = quote == '\'';
    for pair in places.chunks(2) {
        let &[start, end] = pair else {
            let i = pair[0];
            let (before, after) = neighbours(chars, i);
            if !strict && (before.is_some_and(is_chinese) || after.is_some_and(is_chinese)) {
                let opening = after.is_some_and(|a| !a.is_whitespace());
                replaced.insert(i, if opening { left } else { right });
            }
            continue;
        };
        let inner = chars[start + 1..end].iter().any(|&(_, c)| is_chinese(c));
        let outside = neighbours(chars, start).0.is_some_and(is_chinese)
            || neighbours(chars, end).1.is_some_and(is_chinese);
        if inner || (outside && !strict) {
            replaced.insert(start, left);
            replaced.insert(end, right);
        }
    }
}

/// Builds the printed text from the replacements.
fn apply(chars: &[(usize, char)], replaced: &BTreeMap<usize, char>) -> (String, Vec<Fix>) {
    let mut printed = String::with_capacity(chars.len() * 3);
    let mut fixes = Vec::new();
    let mut skip_spaces = false;
    for (i, &(offset, c)) in chars.iter().enumerate() {
        if skip_spaces && c == ' ' {
            continue;
        }
        skip_spaces = false;
        match replaced.get(&i) {
            Some(&to) => {
                printed.push(to);
                fixes.push(Fix {
                    offset,
                    from: c,
                    to,
                });
                skip_spaces = !"（“‘".contains(to) && next_word_is_chinese(chars, i + 1);
            }
            None => printed.push(c),
        }
    }
    (printed, fixes)
}

fn next_word_is_chinese(chars: &[(usize, char)], from: usize) -> bool {
    chars[from..]
        .iter()
        .find(|&&(_, c)| c != ' ')
        .is_some_and(|&(_, c)| is_chinese(c))
}

/// The warning for the marks replaced on one line (or in one cell) at `location`.
pub fn warning(fixes: &[Fix], location: Location) -> Diagnostic {
    let mut shown: Vec<String> = Vec::new();
    for fix in fixes.iter().map(|f| format!("“{}”→“{}”", f.from, f.to)) {
        if !shown.contains(&fix) {
            shown.push(fix);
        }
    }
    Diagnostic::warning(format!(
        "半角标点与汉字相邻，文档中按全角印出：{}",
        shown.join("、")
    ))
    .at(location)
    .hint("请在原文件中改用全角标点（输入文件不会被修改）；数字、英文和网址中的半角标点保持不变")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(text: &str) -> String {
        normalise(text).0
    }

    #[test]
    fn emphasis_marks_do_not_hide_a_neighbour() {
        assert_eq!(
            printed("\u{FDD0}重点\u{FDD1},然后"),
            "\u{FDD0}重点\u{FDD1}，然后"
        );
    }

    #[test]
    fn the_rule_file_reads() {
        assert_eq!(rule().marks[&','], '，');
        assert_eq!(rule().period, '。');
    }

    #[test]
    fn marks_next_to_chinese_become_full_width() {
        assert_eq!(
            printed("推进,加强;落实:完成?好!"),
            "推进，加强；落实：完成？好！"
        );
        assert_eq!(printed("推进, 加强"), "推进，加强");
        assert_eq!(printed("工作完成."), "工作完成。");
        assert_eq!(printed("生产总值(GDP)增长"), "生产总值（GDP）增长");
        assert_eq!(printed("(一)总体要求"), "（一）总体要求");
        assert_eq!(printed("所谓\"强市\"建设"), "所谓“强市”建设");
        assert_eq!(printed("'知识产权'一词"), "‘知识产权’一词");
    }

    #[test]
    fn digits_latin_and_addresses_stay() {
        for kept in [
            "增长3.5个百分点",
            "共1,000件",
            "依据GB/T 9704-2012",
            "见https://a.b/c?d=1,e=(2)",
            "工作报告.md",
            "It's (fine), ok.",
            "10:30开会",
        ] {
            let (text, fixes) = normalise(kept);
            assert_eq!(text, kept);
            assert!(fixes.is_empty(), "{kept}: {fixes:?}");
        }
    }

    #[test]
    fn fixes_point_at_the_marks_as_written() {
        let (_, fixes) = normalise("甲,乙");
        assert_eq!(
            fixes,
            [Fix {
                offset: "甲".len(),
                from: ',',
                to: '，'
            }]
        );
    }
}
