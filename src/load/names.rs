//! Names that become parts of file names (an applicant's `name`, the roster's 名称, the
//! categories' names in `notice.yaml`) may never form a path: no separator, no `..`, no NUL or
//! other control character, and none of the characters Windows refuses in file names.

/// Characters a file name may not contain on any system shenbao runs on.
const FORBIDDEN: &[char] = &['/', '\\', ':', '*', '?', '"', '<', '>', '|'];

/// What makes `text` unusable in a file name, in Chinese; `None` when it is fine.
pub fn file_name_problem(text: &str) -> Option<String> {
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Some(format!("含有控制字符 U+{:04X}", c as u32));
    }
    if let Some(c) = text.chars().find(|c| FORBIDDEN.contains(c)) {
        return Some(format!("含有不能用于文件名的字符“{c}”"));
    }
    if text.contains("..") {
        return Some("含有“..”".to_string());
    }
    if text.trim_start().starts_with('.') {
        return Some("以“.”开头".to_string());
    }
    None
}

/// The hint for a name refused by [`file_name_problem`].
pub const HINT: &str = "该名称会用作输出文件名，不能含 / \\ : * ? \" < > | 、“..”或控制字符；请写申报单位的全称，如 洛阳市";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_forming_names_are_refused() {
        for bad in [
            "/an/absolute/path",
            "../../inputs/西峡县/evidence/zz",
            "洛阳\\市",
            "洛阳\0市",
            "洛阳\u{1b}[31m市",
            "..",
            ".hidden",
        ] {
            assert!(file_name_problem(bad).is_some(), "{bad:?}");
        }
        for good in [
            "洛阳市",
            "济源示范区",
            "国家知识产权强市建设示范城市",
            "林州市（县级市）",
        ] {
            assert_eq!(file_name_problem(good), None, "{good}");
        }
    }
}
