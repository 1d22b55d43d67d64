//! The batch benchmark: N synthetic applicants made from the shipped examples (other names, other
//! numbers, other 完成情况 texts, the same catalogue), rendered in one run at 1 and 2 workers,
//! against the same emitted Typst sources compiled by one `typst compile` process per document
//! (sequentially and with `xargs -P 2`); peak memory as N grows; one applicant from a cold start.
//!
//! `cargo bench --bench batch` (sizes: `SHENBAO_BENCH_N=20`, `SHENBAO_BENCH_RSS=100,1000`;
//! the typst CLI: `SHENBAO_TYPST=/path/to/typst`, else `typst` on PATH, else that part is skipped).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use shenbao::load::catalogue::Catalogue;
use shenbao::templates::TemplateStore;

const EXAMPLES: [(&str, &str); 3] = [("洛阳市", "city"), ("许昌市", "city"), ("西峡县", "county")];

fn main() {
    let n: usize = env_number("SHENBAO_BENCH_N", 20);
    let sizes: Vec<usize> = std::env::var("SHENBAO_BENCH_RSS")
        .unwrap_or_else(|_| "100".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let dirs = synthesize(
        scratch.path(),
        n.max(sizes.iter().copied().max().unwrap_or(0)),
    );
    let batch = &dirs[..n];
    println!(
        "shenbao batch benchmark — {n} applicants ({} documents), {} cores",
        n * 4,
        cores()
    );

    let one = build(scratch.path(), batch, "one", &["--jobs", "1", "--timings"]);
    let two = build(scratch.path(), batch, "two", &["--jobs", "2"]);
    println!(
        "  --jobs 1: {:>8.2} s   ({:.1} ms a document)",
        one.0.as_secs_f64(),
        ms_per_doc(one.0, n)
    );
    println!(
        "  --jobs 2: {:>8.2} s   ({:.1} ms a document)",
        two.0.as_secs_f64(),
        ms_per_doc(two.0, n)
    );
    println!(
        "  speed-up with 2 workers: {:.2}×  (target ≥ 1.8×)",
        one.0.as_secs_f64() / two.0.as_secs_f64()
    );
    println!("{}", one.2.trim_end());

    if let Some(typst) = typst_cli() {
        let emitted = scratch.path().join("emitted");
        build(
            scratch.path(),
            batch,
            "emit",
            &["--jobs", "2", "--emit-typst", emitted.to_str().unwrap()],
        );
        let mains = main_files(&emitted);
        let sequential = cli_compile(&typst, &mains, 1);
        let parallel = cli_compile(&typst, &mains, 2);
        println!(
            "  typst compile, one process a document ({} documents):",
            mains.len()
        );
        println!(
            "    sequential: {:>8.2} s   ({:.1} ms a document)",
            sequential.as_secs_f64(),
            sequential.as_secs_f64() * 1000.0 / mains.len() as f64
        );
        println!("    xargs -P 2: {:>8.2} s", parallel.as_secs_f64());
        println!(
            "  shenbao --jobs 2 against xargs -P 2: {:.2}× faster  (target ≥ 4×)",
            parallel.as_secs_f64() / two.0.as_secs_f64()
        );
        println!(
            "  shenbao --jobs 1 against sequential:  {:.2}× faster",
            sequential.as_secs_f64() / one.0.as_secs_f64()
        );
    } else {
        println!("  typst CLI not found: set SHENBAO_TYPST to compare with `typst compile`");
    }

    for size in sizes {
        let (elapsed, peak, _) = build(
            scratch.path(),
            &dirs[..size],
            &format!("rss-{size}"),
            &["--jobs", "2"],
        );
        println!(
            "  N = {size:>5}: peak RSS {peak:>5} MiB, {:.1} s",
            elapsed.as_secs_f64()
        );
    }
    let cold = build(scratch.path(), &dirs[..1], "cold", &["--jobs", "2"]);
    println!(
        "  one applicant, cold start: {:.0} ms (target < 1000 ms)",
        cold.0.as_secs_f64() * 1000.0
    );
    let latency = watch_latency(scratch.path(), &dirs[0]);
    println!(
        "  watch, save to new PDF (letter): median {:.0} ms, worst {:.0} ms (target < 300 ms)",
        latency.0, latency.1
    );
}

/// Median and worst time from saving applicant.yaml to the re-rendered letter under `watch`.
fn watch_latency(root: &Path, applicant: &Path) -> (f64, f64) {
    let out = root.join("out/watch");
    let mut child = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .args([
            "watch",
            applicant.to_str().unwrap(),
            "--material",
            "1",
            "-o",
            out.to_str().unwrap(),
        ])
        .stderr(Stdio::null())
        .spawn()
        .expect("watch runs");
    let pdf = out
        .join(applicant.file_name().expect("a folder name"))
        .join("材料1-申报函.pdf");
    let modified = || std::fs::metadata(&pdf).and_then(|m| m.modified()).ok();
    while modified().is_none() {
        std::thread::sleep(Duration::from_millis(10));
    }
    let yaml = applicant.join("applicant.yaml");
    let original = std::fs::read_to_string(&yaml).expect("applicant.yaml");
    let mut samples = Vec::new();
    for round in 0..7 {
        std::thread::sleep(Duration::from_millis(300));
        let before = modified();
        let started = Instant::now();
        std::fs::write(
            &yaml,
            original.replacen("person: ", &format!("person: 王{round}"), 1),
        )
        .expect("save");
        while modified() == before && started.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(2));
        }
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    std::fs::write(&yaml, original).expect("restore");
    let _ = child.kill();
    let _ = child.wait();
    samples.sort_by(f64::total_cmp);
    (samples[samples.len() / 2], samples[samples.len() - 1])
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn ms_per_doc(elapsed: Duration, applicants: usize) -> f64 {
    elapsed.as_secs_f64() * 1000.0 / (applicants * 4) as f64
}

/// `count` applicants: each a copy of an example with its name, figures and 完成情况 changed.
fn synthesize(root: &Path, count: usize) -> Vec<PathBuf> {
    let store = TemplateStore::new(None).expect("built-in templates");
    let repository = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    (0..count)
        .map(|i| {
            let (example, table) = EXAMPLES[i % 3];
            let folder = root.join(format!("applicants/申报单位{i:05}"));
            copy_dir(&repository.join("inputs").join(example), &folder);
            let catalogue = Catalogue::load(&store, table).expect("catalogue");
            let mut diagnostics = shenbao::diagnostics::Diagnostics::new();
            let values = shenbao::load::workbook::read(
                &folder.join("测评表.xlsx"),
                &catalogue,
                &mut diagnostics,
            );
            let inline: String = values
                .iter()
                .map(|(no, entry)| format!("  {no}: {:?}\n", vary(&entry.value, i)))
                .collect();
            let yaml = folder.join("applicant.yaml");
            let text = std::fs::read_to_string(&yaml).expect("applicant.yaml");
            let line = text
                .lines()
                .find(|l| l.starts_with("assessment:"))
                .expect("assessment")
                .to_string();
            std::fs::write(
                &yaml,
                text.replace(&line, &format!("assessment:\n{inline}")),
            )
            .expect("write");
            // 许昌市 writes its report and plan in Word; those stay as they are.
            for markdown in ["创建工作报告.md", "示范工作方案.md"] {
                let path = folder.join(markdown);
                if !path.exists() {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("markdown");
                std::fs::write(&path, vary(&text, i)).expect("write");
            }
            folder
        })
        .collect()
}

/// The same text with every digit shifted by `seed`, so each applicant's figures differ.
fn vary(text: &str, seed: usize) -> String {
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) if c.is_ascii_digit() => {
                char::from_digit((d + seed as u32) % 10, 10).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create");
    for entry in std::fs::read_dir(from).expect("read").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Runs one build; returns wall time, peak RSS in MiB, and what it printed.
fn build(root: &Path, dirs: &[PathBuf], out: &str, extra: &[&str]) -> (Duration, u64, String) {
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_shenbao"))
        .arg("build")
        .args(dirs)
        .args([
            "-o",
            root.join("out").join(out).to_str().unwrap(),
            "--force",
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("shenbao runs");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let output = std::thread::scope(|scope| {
        let waiter = scope.spawn(|| child.wait_with_output().expect("shenbao ends"));
        while !waiter.is_finished() {
            if let Some(kb) = std::fs::read_to_string(&status_file).ok().and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            }) {
                peak = peak.max(kb / 1024);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        waiter.join().expect("waiter")
    });
    let elapsed = started.elapsed();
    let said = String::from_utf8_lossy(&output.stderr);
    let timings = said
        .lines()
        .skip_while(|l| !l.starts_with("各阶段耗时"))
        .collect::<Vec<_>>()
        .join("\n");
    (elapsed, peak, timings)
}

fn typst_cli() -> Option<PathBuf> {
    let candidate = std::env::var("SHENBAO_TYPST")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("typst"));
    Command::new(&candidate)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| candidate)
}

fn main_files(emitted: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for applicant in std::fs::read_dir(emitted).expect("emitted").flatten() {
        for material in std::fs::read_dir(applicant.path())
            .expect("materials")
            .flatten()
        {
            found.push(material.path().join("main.typ"));
        }
    }
    found.sort();
    found
}

/// Compiles every emitted document with one `typst compile` process each, `parallel` at a time.
fn cli_compile(typst: &Path, mains: &[PathBuf], parallel: usize) -> Duration {
    let fonts = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
    let list: String = mains.iter().map(|m| format!("{}\n", m.display())).collect();
    let script = format!(
        "xargs -P {parallel} -I{{}} sh -c 'd=$(dirname \"$1\"); {} compile --root \"$d\" --font-path {} --ignore-system-fonts \"$1\" \"$d/out.pdf\"' _ {{}}",
        typst.display(),
        fonts.display()
    );
    let started = Instant::now();
    let mut child = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .spawn()
        .expect("xargs runs");
    std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), list.as_bytes())
        .expect("feed xargs");
    drop(child.stdin.take());
    child.wait().expect("xargs ends");
    started.elapsed()
}
