//! How much shenbao reads from a submission: the `limits:` section of `templates/notice.yaml`.
//! Every file that data names is checked against these caps before it is parsed, so a hostile or
//! broken file is refused with a located error instead of hanging or exhausting memory.

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;
use crate::templates::TemplateStore;

/// Bytes in one MB, as the limits count them.
const MB: u64 = 1024 * 1024;

/// The caps on what is read, from `limits:` in `notice.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// The largest file of each kind, in MB.
    pub file_mb: FileLimits,
    /// The largest total a zip-based file (xlsx, ods, docx) may unpack to, in MB.
    pub unpacked_mb: u64,
    /// The most entries a zip-based file may hold.
    pub zip_entries: usize,
    /// The most cells (rows × columns) the filled area of a worksheet may span.
    pub sheet_cells: u64,
    /// The most pixels (width × height) of an evidence image.
    pub image_pixels: u64,
    /// The largest an evidence image may be once decoded, in MB.
    pub image_decoded_mb: u64,
    /// The most pages of an evidence PDF.
    pub pdf_pages: usize,
}

/// The largest file of each kind, in MB.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FileLimits {
    /// `applicant.yaml`, `province.yaml`.
    pub yaml: u64,
    /// The Markdown texts of materials 2 and 3.
    pub markdown: u64,
    /// Workbooks: the assessment table and the roster.
    pub workbook: u64,
    /// One evidence file.
    pub evidence: u64,
}

/// The kinds of file that data names, each with its own size cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `applicant.yaml`, `province.yaml`.
    Yaml,
    /// A Markdown text.
    Markdown,
    /// A workbook.
    Workbook,
    /// An evidence file.
    Evidence,
}

impl Limits {
    /// The limits of the built-in `notice.yaml`, for files read before the templates of a run are
    /// known (`province.yaml`, which names the roster and the applicants).
    pub fn built_in() -> Result<Self, Diagnostic> {
        crate::load::notice::Notice::load(&TemplateStore::default()).map(|n| n.limits)
    }

    /// The size cap of a file of `kind`, in bytes.
    pub fn file_bytes(&self, kind: FileKind) -> u64 {
        let mb = match kind {
            FileKind::Yaml => self.file_mb.yaml,
            FileKind::Markdown => self.file_mb.markdown,
            FileKind::Workbook => self.file_mb.workbook,
            FileKind::Evidence => self.file_mb.evidence,
        };
        mb.saturating_mul(MB)
    }

    /// The cap on what a zip-based file unpacks to, in bytes.
    pub fn unpacked_bytes(&self) -> u64 {
        self.unpacked_mb.saturating_mul(MB)
    }

    /// The cap on a decoded evidence image, in bytes.
    pub fn image_decoded_bytes(&self) -> u64 {
        self.image_decoded_mb.saturating_mul(MB)
    }
}

/// `bytes` in MB, for messages (one decimal).
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / MB as f64)
}
