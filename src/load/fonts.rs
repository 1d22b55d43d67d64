//! The font *roles* (title, body, …) of `templates/fonts.yaml`: which families each role sets its
//! text in, at which weight, and the font name written into Word files; with the run's
//! `--font-role` remappings applied. Template data, read once per run; the fonts themselves are
//! found and loaded by `layout::fonts`.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;
use crate::templates::TemplateStore;

/// One role's fonts, as `fonts.yaml` gives them and Typst and Word receive them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FontRole {
    /// Families in order of preference; later ones supply characters the earlier ones lack.
    pub fonts: Vec<String>,
    /// The weight the role's text is set in.
    #[serde(default)]
    pub weight: FontWeight,
    /// The East Asian font name written into Word files.
    pub word: String,
}

/// The weight of a role's text: `regular` or `bold` in `fonts.yaml` and in the data Typst reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FontWeight {
    /// 常规.
    #[default]
    Regular,
    /// 粗体.
    Bold,
}

/// Every role by name (title, letterhead, body, heading-1, heading-2, strong, page-number).
pub type FontRoles = BTreeMap<String, FontRole>;

/// The role of emphasised body text; templates exported before it existed use [`STRONG_FALLBACK`].
pub const STRONG: &str = "strong";
/// The role whose fonts emphasised text takes when a template names no `strong` role.
pub const STRONG_FALLBACK: &str = "heading-1";

/// One `--font-role ROLE=FAMILY[,FAMILY…]`: families put in front of a role's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontRemap {
    /// The role, as `fonts.yaml` names it.
    pub role: String,
    /// The families, in order of preference (none empty).
    pub families: Vec<String>,
}

impl FromStr for FontRemap {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let Some((role, families)) = text.split_once('=') else {
            return Err(format!(
                "“{text}”格式不对：应写成 角色=字体族，例如 --font-role title=方正小标宋简体"
            ));
        };
        Ok(Self {
            role: role.trim().to_string(),
            families: families
                .split(',')
                .map(|f| f.trim().to_string())
                .filter(|f| !f.is_empty())
                .collect(),
        })
    }
}

impl std::fmt::Display for FontRemap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.role, self.families.join(","))
    }
}

/// Reads the roles from the template store and applies the remappings: the named families go
/// first, the role's own fonts stay behind them as fallback.
pub fn load_roles(store: &TemplateStore, remaps: &[FontRemap]) -> Result<FontRoles, Diagnostic> {
    let file = store.require("fonts.yaml")?;
    let mut roles: FontRoles = super::yaml::read_template(&file, "字体角色文件")?;
    if let Some(heading) = roles.get(STRONG_FALLBACK).cloned() {
        roles.entry(STRONG.to_string()).or_insert(heading);
    }
    for remap in remaps {
        let Some(entry) = roles.get_mut(&remap.role) else {
            let known: Vec<&str> = roles.keys().map(String::as_str).collect();
            return Err(
                Diagnostic::error(format!("--font-role 中的角色“{}”不存在", remap.role))
                    .hint(format!("可用的角色有：{}", known.join("、"))),
            );
        };
        let mut chosen = remap.families.clone();
        chosen.extend(
            entry
                .fonts
                .drain(..)
                .filter(|f| !remap.families.contains(f)),
        );
        entry.fonts = chosen;
    }
    Ok(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remapped_family_keeps_every_fallback_it_does_not_name() {
        let store = TemplateStore::new(None).unwrap();
        let remap: FontRemap = "body=FandolFang R Extra".parse().unwrap();
        let roles = load_roles(&store, &[remap]).unwrap();
        assert_eq!(
            roles["body"].fonts,
            ["FandolFang R Extra", "FandolFang R", "Noto Serif CJK SC"]
        );
        assert_eq!(roles[STRONG].fonts, roles[STRONG_FALLBACK].fonts);
        assert_eq!(roles["title"].weight, FontWeight::Bold);
    }

    #[test]
    fn a_remap_without_equals_sign_is_refused_with_an_example() {
        let error = "title".parse::<FontRemap>().unwrap_err();
        assert!(error.contains("角色=字体族"), "{error}");
        let remap: FontRemap = " title = A, B ,".parse().unwrap();
        assert_eq!(remap.families, ["A", "B"]);
        assert_eq!(remap.to_string(), "title=A,B");
    }
}
