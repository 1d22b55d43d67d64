//! `word/numbering.xml`: automatic numbering is not in `document.xml`, only a reference
//! (`numId`, `ilvl`); the number a reader sees is rendered here from the level's `lvlText`
//! (`%1、`, `（%2）`) and `numFmt` (decimal, chineseCounting, ideographTraditional, …),
//! counting the paragraphs as Word does.

use std::collections::HashMap;

use super::xml::Element;
use crate::load::numbered::chinese_number;

/// Word has nine list levels.
const LEVELS: usize = 9;

/// One level of an abstract numbering definition.
#[derive(Debug, Clone, Default, PartialEq)]
struct Level {
    start: u32,
    format: String,
    text: String,
    style: Option<String>,
}

/// The numbering definitions of a document, and the counters of the paragraphs read so far.
#[derive(Debug, Clone, Default)]
pub struct Numbering {
    abstracts: HashMap<String, Vec<Level>>,
    /// `numId` → (`abstractNumId`, start overrides by level).
    instances: HashMap<String, (String, HashMap<u8, u32>)>,
    counters: HashMap<String, [u32; LEVELS]>,
}

/// A rendered automatic number.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The number as printed, such as `一、` or `（1）`; empty for bullets.
    pub text: String,
    /// The paragraph style the numbering level is linked to (`w:pStyle` of the level).
    pub style: Option<String>,
}

impl Numbering {
    /// Reads `numbering.xml`'s root element.
    pub fn parse(root: &Element) -> Self {
        let mut numbering = Numbering::default();
        for definition in root.elements().filter(|e| e.name == "abstractNum") {
            let Some(id) = definition.attr("abstractNumId") else {
                continue;
            };
            let mut levels = vec![Level::default(); LEVELS];
            for level in definition.elements().filter(|e| e.name == "lvl") {
                let Some(index) = level.attr("ilvl").and_then(|i| i.parse::<usize>().ok()) else {
                    continue;
                };
                if let Some(slot) = levels.get_mut(index) {
                    *slot = Level {
                        start: level
                            .child_val("start")
                            .and_then(|s| s.parse().ok())
                            .unwrap_or(1),
                        format: level.child_val("numFmt").unwrap_or("decimal").to_string(),
                        text: level.child_val("lvlText").unwrap_or_default().to_string(),
                        style: level.child_val("pStyle").map(str::to_string),
                    };
                }
            }
            numbering.abstracts.insert(id.to_string(), levels);
        }
        for instance in root.elements().filter(|e| e.name == "num") {
            let (Some(id), Some(definition)) =
                (instance.attr("numId"), instance.child_val("abstractNumId"))
            else {
                continue;
            };
            let overrides = instance
                .elements()
                .filter(|e| e.name == "lvlOverride")
                .filter_map(|o| {
                    let level = o.attr("ilvl")?.parse().ok()?;
                    let start = o.child_val("startOverride")?.parse().ok()?;
                    Some((level, start))
                })
                .collect();
            numbering
                .instances
                .insert(id.to_string(), (definition.to_string(), overrides));
        }
        numbering
    }

    /// Counts one more paragraph numbered `num_id` at `level` and renders its number; `None`
    /// when the numbering is not defined (or `numId` is 0, which switches numbering off).
    pub fn next(&mut self, num_id: &str, level: u8) -> Option<Rendered> {
        let (definition, overrides) = self.instances.get(num_id)?;
        let levels = self.abstracts.get(definition)?;
        let index = usize::from(level).min(LEVELS - 1);
        let starts: Vec<u32> = (0..LEVELS)
            .map(|i| {
                overrides
                    .get(&(i as u8))
                    .copied()
                    .unwrap_or(levels[i].start)
            })
            .collect();
        let counters = self
            .counters
            .entry(num_id.to_string())
            .or_insert([0; LEVELS]);
        counters[index] = if counters[index] == 0 {
            starts[index]
        } else {
            counters[index] + 1
        };
        for deeper in &mut counters[index + 1..] {
            *deeper = 0;
        }
        let shown = |i: usize| {
            let value = if counters[i] == 0 {
                starts[i]
            } else {
                counters[i]
            };
            format_number(value, &levels[i].format)
        };
        let this = &levels[index];
        let text = if this.format == "bullet" || this.format == "none" {
            String::new()
        } else {
            let mut text = this.text.clone();
            for i in (0..=index).rev() {
                text = text.replace(&format!("%{}", i + 1), &shown(i));
            }
            text
        };
        Some(Rendered {
            text,
            style: this.style.clone(),
        })
    }
}

/// `value` written in the numbering format `format`.
pub fn format_number(value: u32, format: &str) -> String {
    const STEMS: [&str; 10] = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"];
    const CIRCLED: &str = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳";
    match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "chineseLegalSimplified"
        | "japaneseCounting"
        | "taiwaneseCounting"
        | "ideographDigital" => chinese_number(value),
        "ideographTraditional" => STEMS
            .get(value.saturating_sub(1) as usize)
            .map_or_else(|| value.to_string(), |s| s.to_string()),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" => CIRCLED
            .chars()
            .nth(value.saturating_sub(1) as usize)
            .map_or_else(|| value.to_string(), String::from),
        "upperLetter" | "lowerLetter" => {
            let letter = char::from(b'A' + ((value.max(1) - 1) % 26) as u8);
            if format == "lowerLetter" {
                letter.to_ascii_lowercase().to_string()
            } else {
                letter.to_string()
            }
        }
        "upperRoman" => roman(value),
        "lowerRoman" => roman(value).to_lowercase(),
        "decimalZero" => format!("{value:02}"),
        _ => value.to_string(),
    }
}

fn roman(mut value: u32) -> String {
    const NUMERALS: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut text = String::new();
    for (size, numeral) in NUMERALS {
        while value >= size {
            text.push_str(numeral);
            value -= size;
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::docx::xml::parse;

    const NUMBERING: &str = r#"<w:numbering>
      <w:abstractNum w:abstractNumId="3">
        <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
        <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="（%2）"/></w:lvl>
        <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
        <w:lvl w:ilvl="3"><w:numFmt w:val="bullet"/><w:lvlText w:val="●"/></w:lvl>
      </w:abstractNum>
      <w:num w:numId="7"><w:abstractNumId w:val="3"/></w:num>
      <w:num w:numId="8"><w:abstractNumId w:val="3"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="4"/></w:lvlOverride></w:num>
    </w:numbering>"#;

    #[test]
    fn numbers_count_per_level_and_restart_below() {
        let mut numbering = Numbering::parse(&parse(NUMBERING).unwrap());
        let mut next = |id: &str, level| numbering.next(id, level).map(|r| r.text);
        let seen: Vec<Option<String>> = vec![
            next("7", 0),
            next("7", 1),
            next("7", 1),
            next("7", 2),
            next("7", 0),
            next("7", 1),
            next("7", 3),
            next("8", 0),
            next("0", 0),
        ];
        let expected = [
            Some("一、"),
            Some("（一）"),
            Some("（二）"),
            Some("1."),
            Some("二、"),
            Some("（一）"),
            Some(""),
            Some("四、"),
            None,
        ];
        assert_eq!(
            seen,
            expected.map(|s| s.map(str::to_string)).to_vec(),
            "rendered numbers"
        );
    }

    #[test]
    fn formats() {
        assert_eq!(format_number(12, "chineseCounting"), "十二");
        assert_eq!(format_number(3, "ideographTraditional"), "丙");
        assert_eq!(format_number(2, "decimalEnclosedCircle"), "②");
        assert_eq!(format_number(4, "lowerRoman"), "iv");
        assert_eq!(format_number(7, "decimal"), "7");
    }
}
