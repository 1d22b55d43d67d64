//! Evidence files (佐证材料), inspected once while checking: each is confined to its applicant
//! folder and read under the size cap, then opened the way the render will open it — images
//! decoded in full under the pixel and decoded-size caps (so a header that lies about its size or
//! a truncated file is found here), PDFs parsed with the reader the typesetter uses (hayro), so an
//! encrypted or damaged PDF and one with too many pages are refused before any document is laid
//! out. What was learned is kept in [`Inspected`], so the later stages do not read the file again
//! to find its kind and pages.

use std::io::Cursor;
use std::path::PathBuf;

use image::ImageDecoder;
use image::codecs::jpeg::JpegDecoder;
use image::codecs::png::PngDecoder;

use super::applicant::{Evidence, Sources};
use super::confine::{self, Folder};
use super::limits::{FileKind, Limits, megabytes};
use crate::diagnostics::{Diagnostic, Diagnostics};

/// What an evidence file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceKind {
    /// A PDF document.
    Pdf,
    /// A JPEG photo or scan.
    Jpeg,
    /// A PNG image.
    Png,
}

impl EvidenceKind {
    /// The kind by the file's first bytes.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        if head.starts_with(b"%PDF") {
            Some(Self::Pdf)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if head.starts_with(&[0x89, b'P', b'N', b'G']) {
            Some(Self::Png)
        } else {
            None
        }
    }

    /// The name `notice.yaml` lists it under in `evidence_types`.
    pub fn type_name(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
        }
    }

    /// The extension Typst reads it under.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }

    /// `pdf` or `image`, as the layout templates place it.
    pub fn layout_kind(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg | Self::Png => "image",
        }
    }
}

/// An evidence file that passed inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    /// The real path, inside the applicant folder.
    pub path: PathBuf,
    /// What it is.
    pub kind: EvidenceKind,
    /// Pages (PDF) or 1 (image).
    pub pages: usize,
    /// Its size in bytes.
    pub size: u64,
    /// Its width and height in pixels (images).
    pub pixels: Option<(u32, u32)>,
    /// The sha256 of its bytes as inspected: what the input hash of the documents holds.
    pub sha256: String,
}

/// Inspects every evidence file of `sources`, in their order: `None` for one with a problem,
/// which is reported naming the file where `applicant.yaml` lists it.
pub fn inspect_all(
    sources: &Sources,
    types: &[String],
    limits: &Limits,
    diagnostics: &mut Diagnostics,
) -> Vec<Option<Inspected>> {
    let folder = Folder {
        path: &sources.dir,
        name: "申报目录",
    };
    sources
        .evidence
        .iter()
        .map(|item| match inspect(&folder, item, types, limits) {
            Ok(inspected) => Some(inspected),
            Err(problem) => {
                diagnostics.push(problem);
                None
            }
        })
        .collect()
}

fn inspect(
    folder: &Folder,
    item: &Evidence,
    types: &[String],
    limits: &Limits,
) -> Result<Inspected, Diagnostic> {
    let subject = format!("佐证材料“{}”", item.written);
    let written = super::fields::Located::new(item.written.clone(), item.file.location.clone());
    let path = folder.resolve(&subject, &written)?;
    let bytes = confine::read_capped(&path, limits.file_bytes(FileKind::Evidence))
        .map_err(|problem| folder.error(&subject, &problem, item.file.location.clone()))?;
    let refuse = |problem: String| {
        Diagnostic::error(format!("{subject}{problem}"))
            .at(item.file.location.clone())
            .hint(format!(
                "佐证材料须是放在申报目录内（如 evidence/ 下）的 {} 文件；请重新导出或扫描后替换该文件",
                types.join("、")
            ))
    };
    let kind = EvidenceKind::sniff(&bytes)
        .filter(|kind| types.iter().any(|t| t == kind.type_name()))
        .ok_or_else(|| refuse(format!("不是 {} 文件", types.join("、"))))?;
    let size = bytes.len() as u64;
    let sha256 = crate::files::sha256(&bytes);
    let (pages, pixels) = match kind {
        EvidenceKind::Pdf => pdf_pages(bytes, limits).map(|pages| (pages, None)),
        EvidenceKind::Jpeg => JpegDecoder::new(Cursor::new(&bytes))
            .map_err(damaged)
            .and_then(|decoder| decode(decoder, limits)),
        EvidenceKind::Png => PngDecoder::new(Cursor::new(&bytes))
            .map_err(damaged)
            .and_then(|decoder| decode(decoder, limits)),
    }
    .map_err(refuse)?;
    Ok(Inspected {
        path,
        kind,
        pages,
        size,
        pixels,
        sha256,
    })
}

/// The pages of a PDF, opened as the typesetter opens it (no password: a PDF with only an owner
/// password opens, one that needs a password to be read does not).
fn pdf_pages(bytes: Vec<u8>, limits: &Limits) -> Result<usize, String> {
    let pdf = hayro_syntax::Pdf::new(bytes).map_err(|error| match error {
        hayro_syntax::LoadPdfError::Decryption(_) => {
            "已加密（需要密码才能打开），无法放入申报材料；请用原文件另存一份不加密的 PDF"
                .to_string()
        }
        hayro_syntax::LoadPdfError::Invalid => "是损坏的 PDF（无法解析）".to_string(),
    })?;
    let pages = pdf.pages().len();
    if pages == 0 {
        return Err("是损坏的 PDF（读不出任何页面）".to_string());
    }
    if pages > limits.pdf_pages {
        return Err(format!("有 {pages} 页，超过上限 {} 页", limits.pdf_pages));
    }
    Ok(pages)
}

/// Decodes an image in full under the caps, as the typesetter will; 1 page.
/// Decodes an image in full under the caps: its one page and its pixel size.
fn decode(
    mut decoder: impl ImageDecoder,
    limits: &Limits,
) -> Result<(usize, Option<(u32, u32)>), String> {
    let (width, height) = decoder.dimensions();
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.image_pixels {
        return Err(format!(
            "的尺寸为 {width}×{height} 像素，超过上限 {} 像素",
            limits.image_pixels
        ));
    }
    let decoded = decoder.total_bytes();
    if decoded > limits.image_decoded_bytes() {
        return Err(format!(
            "解码后有 {}，超过上限 {}",
            megabytes(decoded),
            megabytes(limits.image_decoded_bytes())
        ));
    }
    let mut caps = image::Limits::default();
    caps.max_alloc = Some(limits.image_decoded_bytes());
    decoder.set_limits(caps).map_err(damaged)?;
    image::DynamicImage::from_decoder(decoder).map_err(damaged)?;
    Ok((1, Some((width, height))))
}

fn damaged(error: image::ImageError) -> String {
    match error {
        image::ImageError::Limits(_) => "的尺寸超过上限，无法解码".to_string(),
        other => format!("已损坏或不完整，无法解码（{other}）"),
    }
}
