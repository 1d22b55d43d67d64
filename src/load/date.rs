//! Calendar dates as offices write them, checked to be real, printed as 公文 wants them.

use serde::Serialize;

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Date {
    /// Year, four digits.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month.
    pub day: u32,
}

impl Date {
    /// Parses `2023-08-10`, `2023-8-10`, `2023/8/10`, `2023.8.10` or `2023年8月10日`; the error
    /// says what is wrong, in Chinese, to follow the quoted value in a message.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let text = text.trim();
        let parts: Vec<&str> = text
            .trim_end_matches('日')
            .split(['-', '/', '.', '年', '月'])
            .collect();
        let [year, month, day] = parts.as_slice() else {
            return Err("不是“年-月-日”形式的日期");
        };
        let number = |s: &str| s.trim().parse::<u32>().map_err(|_| "含有非数字的部分");
        let (year, month, day) = (number(year)?, number(month)?, number(day)?);
        if !(1900..=2200).contains(&year) {
            return Err("的年份不合理");
        }
        Self::new(year as i32, month, day).ok_or("不是真实存在的日期")
    }

    /// A date when it exists in the calendar.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Self> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days)
            .contains(&day)
            .then_some(Self { year, month, day })
    }

    /// `2023年8月10日`: Arabic numerals, year in full, no leading zeros (GB/T 9704).
    pub fn chinese(&self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }

    /// `2023-08-10`.
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A date written in a template data file (such as `notice.yaml`'s deadline): read as text and
/// checked, so a typo is an error at its line, never a date silently missing.
pub mod as_text {
    use super::Date;

    /// Reads a date from its text.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Date, D::Error> {
        let text: String = serde::Deserialize::deserialize(deserializer)?;
        Date::parse(&text)
            .map_err(|reason| serde::de::Error::custom(format!("日期“{text}”{reason}")))
    }

    /// Writes a date as `2023-08-10`, as the templates receive it.
    pub fn serialize<S: serde::Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&date.iso())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_usual_spellings() {
        let expected = Date::new(2023, 8, 10).unwrap();
        for text in [
            "2023-08-10",
            "2023-8-10",
            "2023/8/10",
            "2023.8.10",
            "2023年8月10日",
        ] {
            assert_eq!(Date::parse(text), Ok(expected), "{text}");
        }
        assert_eq!(expected.chinese(), "2023年8月10日");
    }

    #[test]
    fn refuses_dates_that_do_not_exist() {
        assert!(Date::parse("2023-02-29").is_err());
        assert!(Date::parse("2023-13-01").is_err());
        assert!(Date::parse("八月十日").is_err());
        assert!(Date::new(2024, 2, 29).is_some());
    }
}
