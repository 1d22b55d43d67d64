//! `shenbao preview`: one page of one material as a PNG, rendered in-process (typst-render), for
//! quick looks while editing and for visual tests.

use std::path::Path;

use typst::utils::Scalar;
use typst_render::RenderOptions;

use super::Session;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::layout::compile::layout;

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
        if !(dpi.is_finite() && (1.0..=600.0).contains(&dpi)) {
            return Err(Diagnostic::error(format!("分辨率 {dpi} 超出范围"))
                .hint("--dpi 应为 1 到 600 之间的数，如 96")
                .into());
        }
        let dossier = self.dossier(dir)?;
        let document = dossier
            .documents
            .iter()
            .find(|d| d.material == material)
            .ok_or_else(|| {
                let numbers: Vec<String> = dossier
                    .documents
                    .iter()
                    .map(|d| d.material.to_string())
                    .collect();
                Diagnostic::error(format!("没有材料 {material}"))
                    .hint(format!("--material 只能是 {}", numbers.join("、")))
            })?;
        let data = serde_json::to_vec(document).map_err(|e| Diagnostic::error(e.to_string()))?;
        let world = self.world(document, data);
        let (laid_out, _) = layout(&world)?;
        let count = laid_out.pages().len();
        let chosen = page
            .checked_sub(1)
            .and_then(|i| laid_out.pages().get(i))
            .ok_or_else(|| {
                Diagnostic::error(format!("材料{material}只有 {count} 页，没有第 {page} 页"))
                    .at(Location::file(dir))
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
