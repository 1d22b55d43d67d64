//! Visual regression: key pages of the examples rendered in-process at a low resolution and
//! compared with the reference PNGs in `tests/visual/`, with a small tolerance.
//!
//! A failing comparison writes `<name>.new.png` and `<name>.diff.png` (changed pixels in red)
//! into `target/visual/`. To accept a change on purpose, run
//! `SHENBAO_UPDATE_VISUAL=1 cargo test --release --test visual` and commit the new references.

mod common;

use std::path::{Path, PathBuf};

use common::root;
use shenbao::run::{Session, Settings};

/// Resolution of the comparison.
const DPI: f32 = 36.0;
/// A pixel differs when a channel moves by more than this.
const CHANNEL_TOLERANCE: u8 = 48;
/// The comparison fails when more than this share of pixels differ.
const PIXEL_TOLERANCE: f64 = 0.004;

/// (reference name, applicant, material, page)
const PAGES: [(&str, &str, u8, usize); 6] = [
    ("letter-first-page", "洛阳市", 1, 1),
    ("report-headings", "洛阳市", 2, 1),
    ("plan-first-page", "西峡县", 3, 1),
    ("table-first-page", "洛阳市", 4, 1),
    ("table-continued", "洛阳市", 4, 2),
    ("evidence-index", "洛阳市", 4, 7),
];

struct Image {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

fn decode(bytes: &[u8]) -> Image {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let mut reader = decoder.read_info().unwrap();
    let mut rgba = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut rgba).unwrap();
    rgba.truncate(info.buffer_size());
    Image {
        width: info.width,
        height: info.height,
        rgba,
    }
}

fn encode(image: &Image) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, image.width, image.height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .unwrap()
        .write_image_data(&image.rgba)
        .unwrap();
    bytes
}

/// The share of differing pixels, and a picture of them.
fn compare(expected: &Image, actual: &Image) -> (f64, Image) {
    let mut diff = Image {
        width: actual.width,
        height: actual.height,
        rgba: actual.rgba.clone(),
    };
    if (expected.width, expected.height) != (actual.width, actual.height) {
        return (1.0, diff);
    }
    let mut differing = 0usize;
    for (i, (a, b)) in expected
        .rgba
        .chunks(4)
        .zip(actual.rgba.chunks(4))
        .enumerate()
    {
        let changed = a
            .iter()
            .zip(b)
            .any(|(x, y)| x.abs_diff(*y) > CHANNEL_TOLERANCE);
        let pixel = &mut diff.rgba[i * 4..i * 4 + 4];
        if changed {
            differing += 1;
            pixel.copy_from_slice(&[255, 0, 0, 255]);
        } else {
            pixel[3] = 60;
        }
    }
    (
        differing as f64 / (actual.width * actual.height) as f64,
        diff,
    )
}

fn output_dir() -> PathBuf {
    let dir = root().join("target/visual");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn key_pages_look_as_they_did() {
    let session = Session::open(&Settings::default()).unwrap();
    let update = std::env::var_os("SHENBAO_UPDATE_VISUAL").is_some();
    let references = root().join("tests/visual");
    let mut failures = Vec::new();
    for (name, applicant, material, page) in PAGES {
        let png = session
            .preview(&root().join("inputs").join(applicant), material, page, DPI)
            .unwrap();
        let reference = references.join(format!("{name}.png"));
        if update {
            std::fs::create_dir_all(&references).unwrap();
            std::fs::write(&reference, &png).unwrap();
            continue;
        }
        let expected = std::fs::read(&reference).unwrap_or_else(|_| {
            panic!(
                "no reference {}; run with SHENBAO_UPDATE_VISUAL=1 to create it",
                reference.display()
            )
        });
        let (share, diff) = compare(&decode(&expected), &decode(&png));
        if share > PIXEL_TOLERANCE {
            let out = output_dir();
            std::fs::write(out.join(format!("{name}.new.png")), &png).unwrap();
            std::fs::write(out.join(format!("{name}.diff.png")), encode(&diff)).unwrap();
            failures.push(format!(
                "{name}: {:.2}% of pixels differ (see {})",
                share * 100.0,
                out.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_changed_page_fails_and_writes_the_difference() {
    let session = Session::open(&Settings::default()).unwrap();
    let png = session
        .preview(&root().join("inputs/洛阳市"), 1, 1, DPI)
        .unwrap();
    let mut changed = decode(&png);
    for pixel in changed.rgba.chunks_mut(4).take(changed.width as usize * 40) {
        pixel.copy_from_slice(&[0, 0, 0, 255]);
    }
    let (share, diff) = compare(&decode(&png), &changed);
    assert!(
        share > PIXEL_TOLERANCE,
        "a black band must count as a change"
    );
    let path: &Path = &output_dir().join("self-test.diff.png");
    std::fs::write(path, encode(&diff)).unwrap();
    assert_eq!(decode(&std::fs::read(path).unwrap()).width, changed.width);
}
