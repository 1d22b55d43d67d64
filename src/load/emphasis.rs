//! Emphasis inside a text of the model: the bold an office wrote (a Word run in bold, Markdown's
//! `**…**`) travels inside the text itself, between [`OPEN`] and [`CLOSE`], so that every step
//! that cuts, trims or rewrites text (punctuation, run-in headings, the last lines kept with the
//! signature) carries it along without bookkeeping. The two marks are Unicode noncharacters,
//! which never occur in input: cleaning removes them from every string read (see
//! [`crate::load::text`]). Both renderers set an emphasised stretch in the `strong` font role;
//! plain-text outputs and checks use [`plain`].

use std::borrow::Cow;

/// Starts an emphasised stretch.
pub const OPEN: char = '\u{FDD0}';
/// Ends an emphasised stretch.
pub const CLOSE: char = '\u{FDD1}';

/// Whether `c` is one of the two marks.
pub fn is_mark(c: char) -> bool {
    c == OPEN || c == CLOSE
}

/// `text` without its marks.
pub fn plain(text: &str) -> Cow<'_, str> {
    if text.contains(is_mark) {
        Cow::Owned(text.chars().filter(|&c| !is_mark(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// The stretches of `text` in order, each with whether it is emphasised.
pub fn segments(text: &str) -> Vec<(&str, bool)> {
    let mut found = Vec::new();
    let mut strong = false;
    let mut start = 0;
    for (at, c) in text.char_indices() {
        if is_mark(c) {
            if at > start {
                found.push((&text[start..at], strong));
            }
            strong = c == OPEN;
            start = at + c.len_utf8();
        }
    }
    if start < text.len() {
        found.push((&text[start..], strong));
    }
    found
}

/// Rebuilds `text` from its stretches: marks balanced, empty stretches and breaks between two
/// emphasised stretches removed, and emphasis that only covers spaces dropped.
pub fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open = false;
    for (piece, strong) in segments(text) {
        let strong = strong && !piece.trim().is_empty();
        if strong != open {
            out.push(if strong { OPEN } else { CLOSE });
            open = strong;
        }
        out.push_str(piece);
    }
    if open {
        out.push(CLOSE);
    }
    out
}

/// Splits `text` after its first `plain_len` bytes of text (marks not counted); each part is
/// tidy, and emphasis open at the cut continues in the second part.
pub fn split_after_plain(text: &str, plain_len: usize) -> (String, String) {
    let mut seen = 0;
    let mut open = false;
    let mut cut = text.len();
    for (at, c) in text.char_indices() {
        if seen >= plain_len && !is_mark(c) {
            cut = at;
            break;
        }
        if is_mark(c) {
            open = c == OPEN;
        } else {
            seen += c.len_utf8();
        }
    }
    let rest = if open {
        format!("{OPEN}{}", &text[cut..])
    } else {
        text[cut..].to_string()
    };
    (tidy(&text[..cut]), tidy(&rest))
}

/// Splits `text` at each `\n`, emphasis open at a break continuing on the next line.
pub fn lines(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut open = false;
    for line in text.split('\n') {
        let line = if open {
            format!("{OPEN}{line}")
        } else {
            line.to_string()
        };
        if let Some(last) = line.chars().rev().find(|&c| is_mark(c)) {
            open = last == OPEN;
        }
        found.push(tidy(&line));
    }
    found
}

/// Trims spaces at both ends of the text (looking through the marks), keeping it tidy.
pub fn trim(text: &str) -> String {
    let plain_text = plain(text);
    let lead = plain_text.len() - plain_text.trim_start().len();
    let kept = plain_text.trim().len();
    let (_, rest) = split_after_plain(text, lead);
    split_after_plain(&rest, kept).0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(text: &str) -> String {
        text.replace('[', &OPEN.to_string())
            .replace(']', &CLOSE.to_string())
    }

    fn shown(text: &str) -> String {
        text.replace(OPEN, "[").replace(CLOSE, "]")
    }

    #[test]
    fn segments_and_plain_text() {
        let text = marked("一是[加强领导]，二是[落实]责任");
        assert_eq!(plain(&text), "一是加强领导，二是落实责任");
        assert_eq!(
            segments(&text),
            vec![
                ("一是", false),
                ("加强领导", true),
                ("，二是", false),
                ("落实", true),
                ("责任", false)
            ]
        );
    }

    #[test]
    fn tidy_balances_and_joins() {
        assert_eq!(shown(&tidy(&marked("[甲][乙]丙"))), "[甲乙]丙");
        assert_eq!(shown(&tidy(&marked("]甲[乙"))), "甲[乙]");
        assert_eq!(shown(&tidy(&marked("甲[ ]乙[]"))), "甲 乙");
    }

    #[test]
    fn splitting_carries_emphasis_across_the_cut() {
        let text = marked("[（一）指导思想。坚持]党的领导");
        let cut = "（一）指导思想。".len();
        let (head, rest) = split_after_plain(&text, cut);
        assert_eq!(shown(&head), "[（一）指导思想。]");
        assert_eq!(shown(&rest), "[坚持]党的领导");
        let lines = lines(&marked("甲[乙\n丙]丁"));
        assert_eq!(
            lines.iter().map(|l| shown(l)).collect::<Vec<_>>(),
            ["甲[乙]", "[丙]丁"]
        );
        assert_eq!(shown(&trim(&marked("  [ 重点 ]  "))), "[重点]");
    }
}
