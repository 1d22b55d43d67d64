//! The program travels alone: a copy of the binary in a folder with no source tree renders the
//! examples with the fonts compiled into it, and `--system-fonts` lets a role use an installed
//! font that is not shipped.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{copy_dir, root, said};

/// A scratch folder with a copy of the binary in `bin/` and of the example 洛阳市 in
/// `work/inputs/`, the way an office unpacks a release.
struct Unpacked {
    _dir: tempfile::TempDir,
    binary: PathBuf,
    work: PathBuf,
}

fn unpack() -> Unpacked {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("bin").join("shenbao");
    std::fs::create_dir_all(binary.parent().unwrap()).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_shenbao"), &binary).unwrap();
    let work = dir.path().join("work");
    copy_dir(&root().join("inputs/洛阳市"), &work.join("inputs/洛阳市"));
    Unpacked {
        _dir: dir,
        binary,
        work,
    }
}

/// True when this machine lets an unprivileged test hide a folder in a mount namespace.
fn can_hide_folders() -> bool {
    Command::new("unshare")
        .args(["-rm", "true"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs the copied binary in its work folder; where possible with the repository's `fonts/`
/// replaced by an empty folder (a private mount namespace), so a binary that still looked
/// there would find nothing.
fn run(unpacked: &Unpacked, args: &[&str]) -> Output {
    let mut command = if can_hide_folders() {
        let mut c = Command::new("unshare");
        c.args([
            "-rm",
            "sh",
            "-c",
            r#"mount -t tmpfs none "$0" && exec "$@""#,
        ])
        .arg(root().join("fonts"))
        .arg(&unpacked.binary);
        c
    } else {
        Command::new(&unpacked.binary)
    };
    command
        .args(args)
        .current_dir(&unpacked.work)
        .output()
        .expect("the copied shenbao runs")
}

/// `pdffonts` of a PDF: one (name, embedded) per font.
fn pdf_fonts(pdf: &Path) -> Vec<(String, bool)> {
    let output = Command::new("pdffonts")
        .arg(pdf)
        .output()
        .expect("pdffonts runs");
    assert!(output.status.success(), "pdffonts {}", pdf.display());
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .skip(2)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let name = fields.first()?.to_string();
            // name type [type] encoding emb sub uni object-id generation
            let embedded = fields.get(fields.len().checked_sub(5)?)? == &"yes";
            Some((name, embedded))
        })
        .collect()
}

/// The font names of `pdf` without the subset prefix (`ABCDEF+`).
fn base_names(pdf: &Path) -> Vec<String> {
    pdf_fonts(pdf)
        .into_iter()
        .map(|(name, embedded)| {
            assert!(embedded, "{name} is not embedded in {}", pdf.display());
            name.split_once('+')
                .map_or(name.clone(), |(_, base)| base.to_string())
        })
        .collect()
}

#[test]
fn a_copied_binary_renders_with_the_fonts_compiled_into_it() {
    let unpacked = unpack();
    let checked = run(&unpacked, &["check"]);
    assert!(checked.status.success(), "{}", said(&checked));
    let built = run(&unpacked, &["build"]);
    assert!(built.status.success(), "{}", said(&built));

    let out = unpacked.work.join("out/洛阳市");
    let letter = out.join("材料1-申报函.pdf");
    let text = common::squeeze(&common::pdf_text(&letter));
    assert!(text.contains("洛阳市"), "{text}");
    assert!(text.contains("申报"), "{text}");
    let fonts = base_names(&letter);
    for family in ["FandolFang", "NotoSerifCJKsc-Bold"] {
        assert!(
            fonts.iter().any(|f| f.starts_with(family)),
            "{family} not in {fonts:?}"
        );
    }
    let report = base_names(&out.join("材料2-创建工作报告.pdf"));
    for family in ["FandolFang", "FandolHei", "FandolKai"] {
        assert!(
            report.iter().any(|f| f.starts_with(family)),
            "{family} not in {report:?}"
        );
    }

    // Nothing in the program points at the source tree's font folder.
    let binary = std::fs::read(&unpacked.binary).unwrap();
    let source_fonts = root().join("fonts");
    let needle = source_fonts.to_str().unwrap().as_bytes();
    assert!(
        !binary.windows(needle.len()).any(|w| w == needle),
        "the binary still names {}",
        source_fonts.display()
    );
}

/// A CJK font installed on this machine and not shipped with shenbao (Debian's
/// fonts-wqy-microhei, which `.ci/run` installs).
const INSTALLED_FAMILY: &str = "WenQuanYi Micro Hei";

#[test]
fn system_fonts_are_used_only_when_asked_for() {
    let listed = Command::new("fc-list").arg(":").arg("family").output();
    assert!(
        listed.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(INSTALLED_FAMILY)),
        "this test needs the font {INSTALLED_FAMILY} installed (apt-get install fonts-wqy-microhei)"
    );
    let unpacked = unpack();
    let role = format!("heading-1={INSTALLED_FAMILY}");

    let without = run(&unpacked, &["check", "--font-role", &role]);
    assert_eq!(without.status.code(), Some(2), "{}", said(&without));
    assert!(
        said(&without).contains(INSTALLED_FAMILY),
        "{}",
        said(&without)
    );

    let with = run(
        &unpacked,
        &["build", "--system-fonts", "--font-role", &role],
    );
    assert!(with.status.success(), "{}", said(&with));
    let report = base_names(&unpacked.work.join("out/洛阳市/材料2-创建工作报告.pdf"));
    assert!(
        report.iter().any(|f| f.starts_with("WenQuanYi")),
        "{report:?}"
    );
    assert!(
        !report.iter().any(|f| f.starts_with("FandolHei")),
        "{report:?}"
    );
}
