//! Roster cells that need more than their shown text: dates, which must be real date cells, and
//! phone numbers, which Excel turns into numbers when they are typed without a text format.
//!
//! The phone rule: a phone cell holding a whole number is read back as the number was typed.
//! An 11-digit number starting with 1 is a mobile number and stays as it is. A number of 9 to 11
//! digits is a landline whose leading 0 Excel dropped (a Chinese area code is 0 and 2 or 3 digits,
//! the local number 7 or 8 digits: 10 to 12 digits with the 0), so the 0 is put back and a warning
//! says so. Any other number (too short to hold an area code, a fraction, too long) is an error
//! naming the cell, because what was typed cannot be known.

use calamine::Data;

use super::date::Date;
use super::fields::nearest;
use crate::diagnostics::Diagnostic;

/// A date cell as `YYYY-MM-DD`; text or numbers that only look like dates are refused.
pub fn date_cell(data: &Data, header: &str) -> Result<String, Diagnostic> {
    let fix = "请把该单元格设为日期格式后重新输入，如 2023-8-10（Excel、WPS 会显示为日期并右对齐）";
    match data {
        Data::DateTime(value) => {
            let (year, month, day, ..) = value.to_ymd_hms_milli();
            Date::new(year as i32, month as u32, day as u32)
                .map(|d| d.iso())
                .ok_or_else(|| Diagnostic::error(format!("{header}不是真实存在的日期")).hint(fix))
        }
        Data::DateTimeIso(text) => Date::parse(text.get(..10).unwrap_or(text))
            .map(|d| d.iso())
            .map_err(|problem| Diagnostic::error(format!("{header}“{text}”{problem}")).hint(fix)),
        Data::String(text) => {
            Err(Diagnostic::error(format!("{header}“{}”是文字，不是日期", text.trim())).hint(fix))
        }
        other => Err(Diagnostic::error(format!(
            "{header}“{}”不是日期",
            super::workbook::display(other, None)
        ))
        .hint(fix)),
    }
}

/// How to keep Excel from turning a phone number into a number.
const PHONE_FIX: &str =
    "请把该单元格设为文本格式后重新输入（或在号码前加英文单引号 '），如 0379-63218765";

/// A phone cell as text; a number gets its leading 0 back by the rule above (with a warning), or
/// is refused when the rule cannot tell.
pub fn phone_cell(data: &Data, header: &str) -> Result<(String, Option<Diagnostic>), Diagnostic> {
    let number = match data {
        Data::Int(i) => *i as f64,
        Data::Float(f) => *f,
        other => {
            return Ok((
                super::workbook::display(other, None).trim().to_string(),
                None,
            ));
        }
    };
    let whole = number.fract() == 0.0 && (1.0..1e12).contains(&number);
    let digits = if whole {
        format!("{}", number as u64)
    } else {
        String::new()
    };
    match digits.len() {
        11 if digits.starts_with('1') => Ok((digits, None)),
        9..=11 => {
            let restored = format!("0{digits}");
            let warning = Diagnostic::warning(format!(
                "{header}是数字格式，开头的 0 被 Excel 去掉了；已按“{restored}”读取"
            ))
            .hint(PHONE_FIX);
            Ok((restored, Some(warning)))
        }
        _ => Err(Diagnostic::error(format!(
            "{header}“{}”是数字格式，无法判断原来的号码（是否丢失了开头的 0、是否带区号）",
            super::workbook::display(data, None)
        ))
        .hint(PHONE_FIX)),
    }
}

/// The error for `value` of column `header` when it is none of `choices`, naming the likely one.
pub fn not_a_choice(value: &str, header: &str, choices: &[String]) -> Option<Diagnostic> {
    if choices.iter().any(|c| c == value) {
        return None;
    }
    let options: Vec<&str> = choices.iter().map(String::as_str).collect();
    let likely = nearest(value, &options)
        .filter(|near| strsim::levenshtein(value, near) < near.chars().count());
    let hint = match likely {
        Some(near) => format!("是否应为“{near}”？可选：{}", options.join("、")),
        None => format!("可选：{}", options.join("、")),
    };
    Some(Diagnostic::error(format!("{header}“{value}”不在可选范围内")).hint(hint))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_dates_are_refused() {
        let error = date_cell(&Data::String("2023.8.10".into()), "成文日期").unwrap_err();
        assert!(error.message.contains("是文字"), "{}", error.message);
    }

    #[test]
    fn phones_typed_as_numbers() {
        let phone = |data: Data| phone_cell(&data, "联系电话");
        let (text, warning) = phone(Data::Float(37163218765.0)).unwrap();
        assert_eq!(text, "037163218765");
        assert!(warning.is_some());
        assert_eq!(phone(Data::Int(1063218765)).unwrap().0, "01063218765");
        assert_eq!(
            phone(Data::Float(13803710000.0)).unwrap(),
            ("13803710000".into(), None)
        );
        assert_eq!(
            phone(Data::String("0379-63218765".into())).unwrap(),
            ("0379-63218765".into(), None)
        );
        assert!(phone(Data::Int(63218765)).is_err());
        assert!(phone(Data::Float(3.5)).is_err());
    }
}
