//! Previews: the pages of a material as PNGs, rendered in-process (typst-render) by the same
//! engine as the PDF, for `shenbao preview`, for the desk's pages and for visual tests. A
//! material is laid out once into [`Pages`], stamped with everything it was laid out from, so a
//! caller can keep it until the stamp changes.

use std::path::Path;

use typst::utils::Scalar;
use typst_layout::PagedDocument;
use typst_render::RenderOptions;

use super::Session;
use crate::compose::model::Document;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::layout::compile::layout;

/// One material laid out, ready to render page by page.
pub struct Pages {
    /// The material's number.
    pub material: u8,
    /// Changes whenever anything the material is laid out from changes (the build's input hash).
    pub stamp: String,
    laid_out: PagedDocument,
}

impl Pages {
    /// How many pages the material has.
    pub fn count(&self) -> usize {
        self.laid_out.pages().len()
    }

    /// Page `page` (1-based) as PNG bytes at `dpi` dots per inch (1 to 600).
    pub fn png(&self, page: usize, dpi: f32) -> Result<Vec<u8>, Diagnostics> {
        if !(dpi.is_finite() && (1.0..=600.0).contains(&dpi)) {
            return Err(Diagnostic::error(format!("分辨率 {dpi} 超出范围"))
                .hint("--dpi 应为 1 到 600 之间的数，如 96")
                .into());
        }
        let chosen = page
            .checked_sub(1)
            .and_then(|i| self.laid_out.pages().get(i))
            .ok_or_else(|| {
                Diagnostic::error(format!(
                    "材料{}只有 {} 页，没有第 {page} 页",
                    self.material,
                    self.count()
                ))
            })?;
        let options = RenderOptions {
            pixel_per_pt: Scalar::new(f64::from(dpi) / 72.0),
            ..RenderOptions::default()
        };
        typst_render::render(chosen, &options)
            .encode_png()
            .map_err(|e| Diagnostics::from(Diagnostic::error(format!("无法编码 PNG（{e}）"))))
    }
}

impl Session {
    /// Page `page` (1-based) of material `material` of the applicant in `dir`, as PNG bytes at
    /// `dpi` dots per inch (1 to 600).
    pub fn preview(
        &self,
        dir: &Path,
        material: u8,
        page: usize,
        dpi: f32,
    ) -> Result<Vec<u8>, Diagnostics> {
        let stamps = self.preview_stamps(dir)?;
        let Some((stamp, document)) = stamps.into_iter().find(|(_, d)| d.material == material)
        else {
            let numbers: Vec<String> = self
                .notice()
                .materials
                .iter()
                .map(|m| m.number.to_string())
                .collect();
            return Err(Diagnostic::error(format!("没有材料 {material}"))
                .hint(format!("--material 只能是 {}", numbers.join("、")))
                .into());
        };
        self.lay_out_preview(&document, stamp)
            .map_err(|problems| with_place(problems, dir))?
            .png(page, dpi)
            .map_err(|problems| with_place(problems, dir))
    }

    /// Every material of the applicant in `dir`, composed, each with its stamp (the build's
    /// input hash): what [`Session::lay_out_preview`] lays out, and what tells whether an earlier
    /// layout is still current.
    pub fn preview_stamps(&self, dir: &Path) -> Result<Vec<(String, Document)>, Diagnostics> {
        let dossier = self.dossier(dir)?;
        Ok(dossier
            .documents
            .into_iter()
            .map(|document| (self.input_hash(&document), document))
            .collect())
    }

    /// Lays out `document` (stamped `stamp`) for previews.
    pub fn lay_out_preview(
        &self,
        document: &Document,
        stamp: String,
    ) -> Result<Pages, Diagnostics> {
        let data = serde_json::to_vec(document).map_err(|e| Diagnostic::error(e.to_string()))?;
        let world = self.world(document, data);
        let (laid_out, _) = layout(&world)?;
        Ok(Pages {
            material: document.material,
            stamp,
            laid_out,
        })
    }
}

/// `problems` placed at the applicant folder `dir` when they have no place of their own.
fn with_place(problems: Diagnostics, dir: &Path) -> Diagnostics {
    problems
        .into_iter()
        .map(|d| match d.location {
            Some(_) => d,
            None => d.at(Location::file(dir)),
        })
        .collect()
}
