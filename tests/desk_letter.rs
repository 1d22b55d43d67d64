//! The desk's letter tab (材料1): the fields with the templates' wording in the empty ones, a
//! save that changes only the values that changed (comments, order and the other lines stay
//! byte for byte), an emptied field giving the default back, problems beside their field, a
//! stale form refused, and the letter PDF built from what was saved.

mod common;
#[path = "desk/support.rs"]
mod support;

use axum::http::StatusCode;
use support::*;

/// The `<div class="field" id="field-NAME">` of `page`.
fn field<'a>(page: &'a str, name: &str) -> &'a str {
    let id = page
        .find(&format!("id=\"field-{name}\""))
        .unwrap_or_else(|| panic!("the letter form has a field {name}"));
    let start = page[..id].rfind("<div").unwrap();
    let rest = &page[start..];
    &rest[..rest.find("</div>").unwrap()]
}

/// The form as the page fills it in, with `changes` on top (a checkbox left out is unticked).
fn letter_form(page: &str, csrf: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields = vec![
        ("csrf".to_string(), csrf.to_string()),
        ("version".to_string(), form_version(page, "/letter")),
    ];
    for name in [
        "government",
        "date",
        "person",
        "phone",
        "office",
        "email",
        "number",
    ] {
        let input = field(page, name);
        let value = input
            .split("value=\"")
            .nth(1)
            .map(|v| v[..v.find('"').unwrap()].to_string())
            .unwrap();
        fields.push((name.to_string(), value));
    }
    fields.push(("sealed".to_string(), "on".to_string()));
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        if !value.is_empty() || *name != "sealed" {
            fields.push((name.to_string(), value.to_string()));
        }
    }
    fields
}

async fn save(d: &Desk, fields: &[(String, String)]) -> String {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (status, location) = post(&d.app, "/a/洛阳市/letter", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    location
}

#[tokio::test(flavor = "multi_thread")]
async fn the_letter_form_shows_values_and_the_templates_wording() {
    let d = desk(&["洛阳市"], 1 << 20);
    let (status, page) = get(&d.app, "/a/洛阳市").await;
    assert_eq!(status, StatusCode::OK);
    assert!(field(&page, "number").contains("value=\"洛政函〔2023〕45号\""));
    assert!(field(&page, "addressee").contains("placeholder=\"河南省知识产权局\""));
    assert!(
        field(&page, "title")
            .contains("placeholder=\"洛阳市人民政府关于申报国家知识产权强市建设示范城市的函\""),
        "{}",
        field(&page, "title")
    );
    let body = field(&page, "body");
    assert!(body.contains("<textarea"), "{body}");
    assert!(
        body.contains("placeholder=\"") && body.contains("洛阳市"),
        "{body}"
    );
    let attachments = field(&page, "attachments");
    assert!(
        attachments.contains("洛阳市国家知识产权强市建设示范城市创建工作报告"),
        "{attachments}"
    );
    assert!(field(&page, "sealed").contains(" checked"));
}

#[tokio::test(flavor = "multi_thread")]
async fn saving_the_letter_changes_only_what_changed_and_the_pdf_shows_it() {
    let d = desk(&["洛阳市"], 1 << 20);
    let token = csrf(&d.app).await;
    let file = d.workspace.join("洛阳市/applicant.yaml");
    let before = std::fs::read_to_string(&file).unwrap();
    let (_, page) = get(&d.app, "/a/洛阳市").await;
    let stale = letter_form(&page, &token, &[]);
    let fields = letter_form(
        &page,
        &token,
        &[
            ("title", "洛阳市人民政府关于申报强市示范城市的函"),
            (
                "body",
                "第一段：洛阳市申报示范城市。\r\n\r\n第二段：特此函达。\r\n",
            ),
            ("note", "此件主动公开"),
            ("sealed", ""),
        ],
    );
    let location = save(&d, &fields).await;
    assert!(location.contains("已保存"), "{location}");
    let after = std::fs::read_to_string(&file).unwrap();

    // Only the fields saved changed: the title and the body took the place of the lines that
    // held them commented out (their notes kept), the note and the seal were added; every
    // other line is as it was.
    let (gone, added) = line_changes(&before, &after);
    assert_eq!(
        gone,
        [
            "  # title: 洛阳市人民政府关于申报国家知识产权强市建设示范城市的函   # 标题，不填由模板生成",
            "  # body:                         # 正文段落，不填由模板生成；如需自拟，每段一行，逐段列出",
        ],
        "{after}"
    );
    assert_eq!(
        added,
        [
            "  title: \"洛阳市人民政府关于申报强市示范城市的函\"                   # 标题，不填由模板生成",
            "  body:                           # 正文段落，不填由模板生成；如需自拟，每段一行，逐段列出",
            "    - \"第一段：洛阳市申报示范城市。\"",
            "    - \"第二段：特此函达。\"",
            "  note: \"此件主动公开\"",
            "  sealed: false",
        ],
        "{after}"
    );
    let kept = std::fs::read_dir(d.workspace.join("洛阳市/.history"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<Vec<_>>();
    assert_eq!(kept, std::slice::from_ref(&before));

    // The form read before the save is now stale and is refused; the file stays.
    let location = save(&d, &stale).await;
    assert!(location.contains("此页已过期，请刷新"), "{location}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after);

    // The saved letter is what the PDF prints.
    let out = d.out.join("built");
    let built = common::build_into(&d.workspace, &d.workspace.join("洛阳市"), &out, &[]);
    assert!(built.status.success(), "{}", common::said(&built));
    let pdf = common::files_under(&out)
        .into_iter()
        .find(|f| f.ends_with(".pdf") && f.contains("申报函"))
        .expect("the letter PDF");
    let text = common::squeeze(&common::pdf_text(&out.join(pdf)));
    for printed in [
        "洛阳市人民政府关于申报强市示范城市的函",
        "第一段：洛阳市申报示范城市。",
        "第二段：特此函达。",
        "此件主动公开",
    ] {
        assert!(text.contains(printed), "{printed} in {text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_emptied_field_gives_the_default_back_and_problems_sit_by_their_field() {
    let d = desk(&["洛阳市"], 1 << 20);
    let token = csrf(&d.app).await;
    let file = d.workspace.join("洛阳市/applicant.yaml");
    let before = std::fs::read_to_string(&file).unwrap();
    let (_, page) = get(&d.app, "/a/洛阳市").await;
    let wrong = letter_form(&page, &token, &[("number", "洛政函[2023]45号")]);
    save(&d, &wrong).await;
    let (_, page) = get(&d.app, "/a/洛阳市").await;
    let number = field(&page, "number");
    assert!(number.contains("class=\"field has-problem\""), "{number}");
    assert!(number.contains("错误") && number.contains("〔"), "{number}");
    // Named as the clerk sees the file: inside the workspace, not by the server's full path.
    assert!(
        number.contains(">洛阳市/applicant.yaml 第19行<"),
        "{number}"
    );
    assert!(!field(&page, "phone").contains("错误"));

    let fixed = letter_form(&page, &token, &[("number", "洛政函〔2023〕45号")]);
    save(&d, &fixed).await;
    let (_, page) = get(&d.app, "/a/洛阳市").await;
    assert!(!field(&page, "number").contains("错误"));

    // A value set through the page, then emptied: the line goes, the default applies again.
    let titled = letter_form(&page, &token, &[("addressee", "河南省市场监督管理局")]);
    save(&d, &titled).await;
    let (_, page) = get(&d.app, "/a/洛阳市").await;
    assert!(field(&page, "addressee").contains("value=\"河南省市场监督管理局\""));
    let emptied = letter_form(&page, &token, &[("addressee", "")]);
    save(&d, &emptied).await;
    let now = std::fs::read_to_string(&file).unwrap();
    assert!(
        !now.lines()
            .any(|l| l.trim_start().starts_with("addressee:")),
        "{now}"
    );
    let (gone, added) = line_changes(&before, &now);
    assert_eq!(
        (gone, added),
        (
            vec![
                "  number: 洛政函〔2023〕45号      # 发文字号，年份用六角括号〔〕，不用方括号[]或圆括号()",
                "  # addressee: 河南省知识产权局   # 主送机关，不填即为河南省知识产权局",
            ],
            vec![
                "  number: \"洛政函〔2023〕45号\"    # 发文字号，年份用六角括号〔〕，不用方括号[]或圆括号()",
                "  # addressee: \"河南省市场监督管理局\" # 主送机关，不填即为河南省知识产权局",
            ]
        ),
        "{now}"
    );
}

/// The lines of `before` that `after` no longer has, and the lines `after` adds, each in order
/// (a line diff by longest common subsequence).
fn line_changes<'a>(before: &'a str, after: &'a str) -> (Vec<&'a str>, Vec<&'a str>) {
    let (a, b): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    let mut common = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i][j] = if a[i] == b[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut gone, mut added) = (0, 0, Vec::new(), Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || common[i][j + 1] >= common[i + 1][j]) {
            added.push(b[j]);
            j += 1;
        } else {
            gone.push(a[i]);
            i += 1;
        }
    }
    (gone, added)
}
