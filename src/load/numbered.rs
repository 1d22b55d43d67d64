//! Typed 公文 heading numbers at the start of a paragraph (一、 （一） 1. （1）) and the headings
//! they make: a short paragraph such as `（一）指导思想` is a heading of its number's level, and a
//! paragraph such as `（一）指导思想。坚持……` is a heading run into its paragraph (GB/T 9704
//! allows a heading to lead its paragraph). `一是`/`二是`, dates such as `2023.08` and amounts
//! such as `1.5亿元` are not numbers.

use super::markdown::{BlockKind, MarkdownBlock};
use crate::load::emphasis;

/// A heading whose text ends with this mark runs into the paragraph after it, on the same line
/// (GB/T 9704 lets a heading lead its paragraph: `（一）指导思想。坚持……`). Both renderers set
/// such a heading in its heading font at the start of the next paragraph.
pub const RUN_IN_END: char = '。';

/// A paragraph at most this long (in characters, without its number) may be a heading; longer
/// ones are body text.
pub const HEADING_MAX_CHARS: usize = 40;

/// A heading found by its typed number.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedHeading {
    /// 1 (一、) to 4 (（1）).
    pub level: u8,
    /// The number as typed, such as `（一）`.
    pub number: String,
    /// The heading without its number (ending in `。` when run in).
    pub text: String,
    /// For a run-in heading: the paragraph text after it.
    pub run_in: Option<String>,
}

/// The level and written number at the start of `text`, and the rest.
pub fn typed_number(text: &str) -> Option<(u8, &str, &str)> {
    let chinese = |c: char| "一二三四五六七八九十".contains(c);
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let text = text.trim_start();
    let split = |end: usize, level: u8| Some((level, &text[..end], &text[end..]));
    let numerals: usize = text
        .chars()
        .take_while(|&c| chinese(c))
        .map(char::len_utf8)
        .sum();
    if numerals > 0 && text[numerals..].starts_with('、') {
        return split(numerals + '、'.len_utf8(), 1);
    }
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(inner) = text.strip_prefix(open)
            && let Some(end) = inner.find(close)
            && (1..=9).contains(&inner[..end].chars().count())
        {
            let inside = &inner[..end];
            let level = if inside.chars().all(chinese) {
                2
            } else if inside.chars().all(digit) && inside.chars().count() <= 2 {
                4
            } else {
                continue;
            };
            return split(open.len_utf8() + end + close.len_utf8(), level);
        }
    }
    let digits: usize = text
        .chars()
        .take_while(|&c| digit(c))
        .map(char::len_utf8)
        .sum();
    if digits > 0 && text[..digits].chars().count() <= 2 {
        let tail = &text[digits..];
        for mark in ['.', '、', '．'] {
            if let Some(after) = tail.strip_prefix(mark)
                && !after.starts_with(|c: char| digit(c))
            {
                return split(digits + mark.len_utf8(), 3);
            }
        }
    }
    None
}

/// The heading a paragraph's typed number makes, if it is short enough or runs in. `text` may
/// carry emphasis marks: the heading's text is plain, the run-in paragraph keeps its emphasis.
pub fn typed_heading(text: &str) -> Option<TypedHeading> {
    let plain = emphasis::plain(text);
    let (level, number, rest) = typed_number(&plain)?;
    let rest = rest.trim();
    if rest.is_empty() {
        return None;
    }
    if let Some(end) = rest.find(RUN_IN_END) {
        let heading = &rest[..end + RUN_IN_END.len_utf8()];
        if heading.chars().count() > HEADING_MAX_CHARS {
            return None;
        }
        let before = rest.as_ptr() as usize - plain.as_ptr() as usize + heading.len();
        let after = emphasis::trim(&emphasis::split_after_plain(text, before).1);
        return Some(TypedHeading {
            level,
            number: number.to_string(),
            text: heading.to_string(),
            run_in: (!after.is_empty()).then_some(after),
        });
    }
    let short = rest.chars().count() <= HEADING_MAX_CHARS;
    let sentence = rest.ends_with(['，', '；', '：', ',', ';', ':']);
    (short && !sentence).then(|| TypedHeading {
        level,
        number: number.to_string(),
        text: rest.to_string(),
        run_in: None,
    })
}

/// Splits the Markdown paragraphs that begin with a run-in heading (`（一）指导思想。坚持……`)
/// into the heading and the paragraph; other blocks pass unchanged.
pub fn split_run_in(blocks: Vec<MarkdownBlock>) -> Vec<MarkdownBlock> {
    let mut found = Vec::with_capacity(blocks.len());
    for block in blocks {
        let BlockKind::Paragraph(text) = &block.kind else {
            found.push(block);
            continue;
        };
        match typed_heading(text) {
            Some(TypedHeading {
                level,
                text: heading,
                run_in: Some(rest),
                ..
            }) => {
                found.push(MarkdownBlock {
                    line: block.line,
                    kind: BlockKind::Heading {
                        level,
                        text: heading,
                    },
                });
                found.push(MarkdownBlock {
                    line: block.line,
                    kind: BlockKind::Paragraph(rest),
                });
            }
            _ => found.push(block),
        }
    }
    found
}

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九.
pub fn chinese_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n as usize].to_string(),
        10..=19 => format!(
            "十{}",
            if n == 10 {
                ""
            } else {
                DIGITS[(n % 10) as usize]
            }
        ),
        20..=99 => format!(
            "{}十{}",
            DIGITS[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[(n % 10) as usize]
            }
        ),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_levels_and_what_is_not_a_number() {
        let level = |t: &str| typed_number(t).map(|(l, n, _)| (l, n.to_string()));
        assert_eq!(level("一、总体要求"), Some((1, "一、".into())));
        assert_eq!(level("十二、其他"), Some((1, "十二、".into())));
        assert_eq!(level("（一）指导思想"), Some((2, "（一）".into())));
        assert_eq!(level("1.健全机制"), Some((3, "1.".into())));
        assert_eq!(level("２、健全机制"), Some((3, "２、".into())));
        assert_eq!(level("（1）专项政策"), Some((4, "（1）".into())));
        assert_eq!(level("(3) 专项政策"), Some((4, "(3)".into())));
        for not in [
            "一是加强领导",
            "2023.08召开会议",
            "2023年8月",
            "1.5亿元的融资",
            "（注：数据截至6月）",
            "（2023年）",
            "全市",
        ] {
            assert_eq!(level(not), None, "{not}");
        }
    }

    #[test]
    fn short_paragraphs_are_headings_long_ones_are_not_and_run_in_splits() {
        assert_eq!(
            typed_heading("（一）指导思想").map(|h| (h.level, h.text)),
            Some((2, "指导思想".into()))
        );
        assert_eq!(typed_heading("1.加强领导，"), None);
        let long = format!("1.{}", "很长的一句话".repeat(10));
        assert_eq!(typed_heading(&long), None);
        let run_in =
            typed_heading("（一）指导思想。坚持以习近平新时代中国特色社会主义思想为指导。")
                .unwrap();
        assert_eq!(run_in.text, "指导思想。");
        assert_eq!(
            run_in.run_in.as_deref(),
            Some("坚持以习近平新时代中国特色社会主义思想为指导。")
        );
        let bold =
            typed_heading("\u{FDD0}（一）指导思想。\u{FDD1}坚持\u{FDD0}重点\u{FDD1}。 ").unwrap();
        assert_eq!(bold.text, "指导思想。");
        assert_eq!(bold.run_in.as_deref(), Some("坚持\u{FDD0}重点\u{FDD1}。"));
    }

    #[test]
    fn markdown_paragraphs_with_a_run_in_heading_are_split() {
        let blocks = vec![
            MarkdownBlock {
                line: 3,
                kind: BlockKind::Paragraph("（二）基本原则。坚持问题导向。".into()),
            },
            MarkdownBlock {
                line: 5,
                kind: BlockKind::Paragraph("（三）主要目标".into()),
            },
        ];
        let split = split_run_in(blocks);
        assert_eq!(
            split.iter().map(|b| b.kind.clone()).collect::<Vec<_>>(),
            vec![
                BlockKind::Heading {
                    level: 2,
                    text: "基本原则。".into()
                },
                BlockKind::Paragraph("坚持问题导向。".into()),
                BlockKind::Paragraph("（三）主要目标".into()),
            ]
        );
    }
}
