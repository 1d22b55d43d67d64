//! Text as it enters shenbao: the bytes of a text file decoded (UTF-8, with or without a BOM, or
//! the GB18030/GBK that Windows Notepad writes in a Chinese locale), and every string from any
//! input (YAML, Markdown, workbook cells) cleaned of what cannot be printed.
//!
//! Cleaning removes control characters and terminal escape sequences (so nothing an input holds
//! can drive the terminal or reach a document raw) and invisible characters (zero-width spaces,
//! soft hyphens, direction marks), each with a located warning; a U+FFFD replacement character,
//! left by a wrong decoding somewhere before shenbao, is an error that says so.

use std::borrow::Cow;
use std::path::Path;

use super::fields::Located;
use super::punctuation;
use crate::diagnostics::{Diagnostic, Diagnostics, Location, escaped, is_control};

/// The replacement character a wrong decoding leaves behind.
pub const MISDECODED: char = '\u{FFFD}';

/// Characters that print as nothing: zero-width spaces and joiners, word joiner, invisible
/// operators, BOM inside text, soft hyphen, Mongolian vowel separator, direction marks and
/// embeddings.
const INVISIBLE: &[char] = &[
    '\u{00AD}', '\u{180E}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{200F}', '\u{202A}',
    '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2060}', '\u{2061}', '\u{2062}', '\u{2063}',
    '\u{2064}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{FEFF}',
];

/// What cleaning found in one string.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    /// Control characters and escape sequences removed, as written (escaped for display).
    pub controls: Vec<String>,
    /// Invisible characters removed, as `U+200B`.
    pub invisible: Vec<String>,
    /// How many U+FFFD were found (and removed).
    pub misdecoded: usize,
}

impl Findings {
    /// True when nothing was removed.
    pub fn is_empty(&self) -> bool {
        self.controls.is_empty() && self.invisible.is_empty() && self.misdecoded == 0
    }

    /// Adds what `other` found (one paragraph read in several pieces).
    pub fn merge(&mut self, other: Findings) {
        for control in other.controls {
            add_once(&mut self.controls, control);
        }
        for invisible in other.invisible {
            add_once(&mut self.invisible, invisible);
        }
        self.misdecoded += other.misdecoded;
    }

    /// The diagnostics for these findings at `location`.
    pub fn diagnostics(&self, location: &Location) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        if self.misdecoded > 0 {
            found.push(
                Diagnostic::error(format!(
                    "文字中有 {} 个乱码替换符“�”（U+FFFD）：这段文字在复制或转换编码时已经损坏，原来的字无法恢复",
                    self.misdecoded
                ))
                .at(location.clone())
                .hint("请从原始文件重新复制这段文字，或在原文件中把“�”改回原来的字"),
            );
        }
        if !self.controls.is_empty() {
            found.push(
                Diagnostic::warning(format!(
                    "文字中有控制字符或终端转义序列 {}，已删除，不会印出",
                    self.controls.join(" ")
                ))
                .at(location.clone())
                .hint("这些字符通常来自复制粘贴或其他程序的输出；请在原文件中删除"),
            );
        }
        if !self.invisible.is_empty() {
            found.push(
                Diagnostic::warning(format!(
                    "文字中有不可见字符 {}（零宽空格、软连字符等），已删除",
                    self.invisible.join(" ")
                ))
                .at(location.clone())
                .hint("这些字符通常来自网页复制；删除后文字不变"),
            );
        }
        found
    }
}

/// `text` without control characters, escape sequences, invisible characters and U+FFFD, and
/// what was removed. Tab and newline are kept; a carriage return before a newline is dropped
/// silently.
pub fn scan(text: &str) -> (Cow<'_, str>, Findings) {
    if !text.chars().any(removed) {
        return (Cow::Borrowed(text), Findings::default());
    }
    let mut kept = String::with_capacity(text.len());
    let mut findings = Findings::default();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1B}' => add_once(&mut findings.controls, escape_sequence(&mut chars)),
            '\r' if chars.peek() == Some(&'\n') => {}
            MISDECODED => findings.misdecoded += 1,
            c if is_control(c) => add_once(&mut findings.controls, escaped(c)),
            c if is_invisible(c) => add_once(&mut findings.invisible, code_point(c)),
            c => kept.push(c),
        }
    }
    (Cow::Owned(kept), findings)
}

/// Adds `shown` to `list` unless it is there already (the list keeps the order of first sight).
fn add_once(list: &mut Vec<String>, shown: String) {
    if !list.contains(&shown) {
        list.push(shown);
    }
}

/// Cleans a whole text file line by line (so escape sequences that a parser would split are
/// removed whole), reporting what was removed at each line of `file`.
pub fn clean_lines(file: &Path, text: &str, diagnostics: &mut Diagnostics) -> String {
    if !text.chars().any(removed) {
        return text.to_string();
    }
    let mut cleaned = String::with_capacity(text.len());
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let location = Location::line(file, index as u32 + 1);
        cleaned.push_str(&clean(line, &location, diagnostics));
    }
    cleaned
}

/// Cleans `text` read at `location`, reporting what was removed there.
pub fn clean(text: &str, location: &Location, diagnostics: &mut Diagnostics) -> String {
    let (kept, findings) = scan(text);
    if !findings.is_empty() {
        diagnostics.extend(findings.diagnostics(location));
    }
    kept.into_owned()
}

/// A cleaned value paired with its place.
pub fn located(text: &str, location: Location, diagnostics: &mut Diagnostics) -> Located<String> {
    Located::new(clean(text, &location, diagnostics), location)
}

/// Cleans `text` read at `location` and applies the punctuation rule, as for text printed as
/// prose (a 完成情况 cell).
pub fn prose(text: &str, location: &Location, diagnostics: &mut Diagnostics) -> String {
    punctuate(&clean(text, location, diagnostics), location, diagnostics)
}

/// Applies the punctuation rule to paragraphs already cleaned (a letter's body).
pub fn prose_all(
    texts: Vec<Located<String>>,
    diagnostics: &mut Diagnostics,
) -> Vec<Located<String>> {
    texts
        .into_iter()
        .map(|t| Located::new(punctuate(&t.value, &t.location, diagnostics), t.location))
        .collect()
}

fn punctuate(text: &str, location: &Location, diagnostics: &mut Diagnostics) -> String {
    let (printed, fixes) = punctuation::normalise(text);
    if !fixes.is_empty() {
        diagnostics.push(punctuation::warning(&fixes, location.clone()));
    }
    printed
}

/// `text` as it will be printed once cleaned, for checks that run on raw values (fonts).
pub fn printable(text: &str) -> Cow<'_, str> {
    scan(text).0
}

fn removed(c: char) -> bool {
    is_control(c) || c == MISDECODED || is_invisible(c)
}

/// Invisible characters, and the noncharacters (U+FDD0–U+FDEF, U+xFFFE, U+xFFFF) that no text
/// may carry (shenbao marks emphasis with two of them, see [`crate::load::emphasis`]).
fn is_invisible(c: char) -> bool {
    let code = c as u32;
    INVISIBLE.contains(&c) || (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE
}

/// Consumes the rest of an escape sequence after ESC and returns it, escaped: CSI (`ESC [` …
/// final byte), OSC (`ESC ]` … BEL or `ESC \`), or ESC and one character.
fn escape_sequence(chars: &mut std::iter::Peekable<std::str::Chars>) -> String {
    let mut sequence = String::from("\\e");
    match chars.next() {
        Some('[') => {
            sequence.push('[');
            while let Some(c) = chars.next_if(|c| ('\u{20}'..='\u{3F}').contains(c)) {
                sequence.push(c);
            }
            if let Some(last) = chars.next_if(|c| ('\u{40}'..='\u{7E}').contains(c)) {
                sequence.push(last);
            }
        }
        Some(']') => {
            sequence.push(']');
            while let Some(c) = chars.next() {
                if c == '\u{07}' || (c == '\u{1B}' && chars.next_if_eq(&'\\').is_some()) {
                    break;
                }
                sequence.push_str(&escaped(c));
            }
        }
        Some(c) => sequence.push_str(&escaped(c)),
        None => {}
    }
    sequence
}

fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// The text of a text file (Markdown): UTF-8 with or without a BOM as is; GB18030/GBK or
/// UTF-16 with BOM decoded with a warning suggesting UTF-8; anything else a located error.
pub fn decode(file: &Path, bytes: &[u8], diagnostics: &mut Diagnostics) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first_bad = match std::str::from_utf8(bytes) {
        Ok(text) => return Some(text.to_string()),
        Err(error) => error.valid_up_to(),
    };
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_with_bom_removal(bytes);
        diagnostics.push(other_encoding(file, encoding.name()));
        return Some(text.into_owned());
    }
    if let Some(text) =
        encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
    {
        diagnostics.push(other_encoding(file, "GB18030/GBK"));
        return Some(text.into_owned());
    }
    let line = bytes[..first_bad].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    diagnostics.push(
        Diagnostic::error("文件既不是 UTF-8 编码，也不是 GB18030/GBK 编码，无法读取")
            .at(Location::line(file, line))
            .hint("该行有无法识别的字节；请用记事本或 WPS 打开，另存为“UTF-8”编码的文本"),
    );
    None
}

fn other_encoding(file: &Path, encoding: &str) -> Diagnostic {
    Diagnostic::warning(format!("文件是 {encoding} 编码，已按该编码读取"))
        .at(Location::file(file))
        .hint("建议另存为 UTF-8 编码（记事本“另存为”中选择“UTF-8”），以免在其他电脑上乱码")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noncharacters_cannot_forge_emphasis() {
        let (kept, findings) = scan("甲\u{FDD0}乙\u{FDD1}丙\u{FFFE}");
        assert_eq!(kept, "甲乙丙");
        assert_eq!(findings.invisible, ["U+FDD0", "U+FDD1", "U+FFFE"]);
    }

    #[test]
    fn escapes_and_controls_are_removed_and_named() {
        let (kept, found) = scan("红\u{1B}[31;1m色\u{7}字\u{1B}]0;title\u{7}\u{85}尾");
        assert_eq!(kept, "红色字尾");
        assert_eq!(
            found.controls,
            ["\\e[31;1m", "\\x07", "\\e]0;title", "\\x85"]
        );
    }

    #[test]
    fn each_control_is_named_once_however_often_and_wherever_it_occurs() {
        let (_, mut found) = scan("\u{7}甲\u{1}乙\u{7}");
        assert_eq!(found.controls, ["\\x07", "\\x01"]);
        found.merge(scan("\u{1}丙\u{2}").1);
        assert_eq!(found.controls, ["\\x07", "\\x01", "\\x02"]);
    }

    #[test]
    fn an_escape_sequence_ends_where_its_final_byte_is() {
        let (kept, found) = scan("\u{1B}[2J清屏\u{1B}[\n下一行");
        assert_eq!(kept, "清屏\n下一行");
        assert_eq!(found.controls, ["\\e[2J", "\\e["]);
    }

    #[test]
    fn lines_are_cleaned_and_reported_where_they_are() {
        let mut diagnostics = Diagnostics::new();
        let text = clean_lines(
            Path::new("a.md"),
            "甲\n乙\u{1B}[31m红\n丙",
            &mut diagnostics,
        );
        assert_eq!(text, "甲\n乙红\n丙");
        let warning = diagnostics.iter().next().unwrap();
        assert_eq!(warning.location.as_ref().unwrap().line, Some(2));
    }

    #[test]
    fn tabs_newlines_and_crlf_stay_quietly() {
        let (kept, found) = scan("甲\t乙\r\n丙\n");
        assert_eq!(kept, "甲\t乙\n丙\n");
        assert!(found.is_empty());
    }

    #[test]
    fn invisible_and_misdecoded_characters_are_found() {
        let (kept, found) = scan("知\u{200B}识\u{AD}产\u{FEFF}权\u{FFFD}");
        assert_eq!(kept, "知识产权");
        assert_eq!(found.invisible, ["U+200B", "U+00AD", "U+FEFF"]);
        assert_eq!(found.misdecoded, 1);
        let messages = found.diagnostics(&Location::line("a.md", 3));
        assert!(messages[0].is_error() && messages[0].message.contains("乱码"));
    }

    #[test]
    fn gb18030_is_read_with_a_warning_and_garbage_is_located() {
        let mut diagnostics = Diagnostics::new();
        let (gbk, _, _) = encoding_rs::GB18030.encode("# 总体要求\n知识产权");
        let text = decode(Path::new("a.md"), &gbk, &mut diagnostics);
        assert_eq!(text.as_deref(), Some("# 总体要求\n知识产权"));
        assert!(!diagnostics.has_errors() && diagnostics.len() == 1);
        let text = decode(Path::new("a.md"), b"ok\nok\n\x80\xFF", &mut diagnostics);
        assert_eq!(text, None);
        let error = diagnostics.iter().last().unwrap();
        assert_eq!(error.location.as_ref().unwrap().line, Some(3));
    }

    #[test]
    fn a_bom_is_dropped() {
        let mut diagnostics = Diagnostics::new();
        let text = decode(
            Path::new("a.md"),
            "\u{FEFF}# 标题".as_bytes(),
            &mut diagnostics,
        );
        assert_eq!(text.as_deref(), Some("# 标题"));
        assert!(diagnostics.is_empty());
    }
}
