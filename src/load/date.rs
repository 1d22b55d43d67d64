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

    /// The date as an e-mail's `Date:` header writes it (RFC 5322), at 09:00 Beijing time:
    /// `Thu, 10 Aug 2023 09:00:00 +0800`.
    pub fn rfc5322(&self) -> String {
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        // 1970-01-01 was a Thursday.
        let weekday = DAYS[(self.days_since_epoch() + 3).rem_euclid(7) as usize];
        format!(
            "{weekday}, {} {} {} 09:00:00 +0800",
            self.day,
            MONTHS[self.month as usize - 1],
            self.year
        )
    }

    /// Days since 1970-01-01 (a Thursday), by the proleptic Gregorian calendar.
    fn days_since_epoch(&self) -> i64 {
        let (month, day) = (i64::from(self.month), i64::from(self.day));
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let of_era = year - era * 400;
        let of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
        let of_cycle = of_era * 365 + of_era / 4 - of_era / 100 + of_year;
        era * 146_097 + of_cycle - 719_468
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
    #[test]
    fn an_email_date_names_the_right_weekday() {
        let date = |y, m, d| Date::new(y, m, d).unwrap().rfc5322();
        assert_eq!(date(2023, 8, 10), "Thu, 10 Aug 2023 09:00:00 +0800");
        assert_eq!(date(1970, 1, 1), "Thu, 1 Jan 1970 09:00:00 +0800");
        assert_eq!(date(2024, 2, 29), "Thu, 29 Feb 2024 09:00:00 +0800");
        assert_eq!(date(2000, 3, 1), "Wed, 1 Mar 2000 09:00:00 +0800");
        assert_eq!(date(2026, 12, 1), "Tue, 1 Dec 2026 09:00:00 +0800");
    }

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
