//! Evidence images that would print blurred: an image's effective resolution is its pixels over
//! the size it prints at, fitted to the text block (156 × 225 mm) upright or turned, whichever
//! prints it larger, as the templates do. Under [`MIN_DPI`] the office is warned which file to
//! rescan.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::applicant::Evidence;
use crate::load::evidence::Inspected;

/// The lowest effective resolution an evidence image may print at without a warning.
pub const MIN_DPI: f64 = 150.0;

/// The text block's long and short sides, in millimetres (GB/T 9704: 225 × 156 mm).
const BLOCK_MM: (f64, f64) = (225.0, 156.0);

const MM_PER_INCH: f64 = 25.4;

/// Warns about every evidence image under [`MIN_DPI`] at its printed size, by the pixel size
/// its inspection found (`inspected` in the order of `evidence`).
pub fn check(evidence: &[Evidence], inspected: &[Option<Inspected>], found: &mut Diagnostics) {
    for (item, inspected) in evidence.iter().zip(inspected) {
        // PDFs are not images; files with a problem are reported by the loader.
        let Some((width, height)) = inspected.as_ref().and_then(|i| i.pixels) else {
            continue;
        };
        let dpi = effective_dpi(f64::from(width), f64::from(height));
        if dpi >= MIN_DPI {
            continue;
        }
        let (long, short) = (pixels_for(BLOCK_MM.0), pixels_for(BLOCK_MM.1));
        found.push(
            Diagnostic::warning(format!(
                "佐证材料图片“{}”分辨率偏低：{}×{} 像素，按版心大小打印只有约 {dpi:.0} dpi，打印出来会模糊",
                item.written, width, height
            ))
            .at(item.file.location.clone())
            .hint(format!(
                "请换用至少 {MIN_DPI:.0} dpi 的扫描件或照片（排满版心约需 {long}×{short} 像素）"
            )),
        );
    }
}

/// Dots per inch of an image of `width` × `height` pixels fitted to the text block, long side
/// along the block's long side.
fn effective_dpi(width: f64, height: f64) -> f64 {
    let (long, short) = (width.max(height), width.min(height));
    let mm_per_pixel = (BLOCK_MM.0 / long).min(BLOCK_MM.1 / short);
    MM_PER_INCH / mm_per_pixel
}

/// Pixels needed along `mm` at [`MIN_DPI`].
fn pixels_for(mm: f64) -> u32 {
    (mm / MM_PER_INCH * MIN_DPI).ceil() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_sized_scan_at_150_dpi_passes_and_a_small_one_does_not() {
        assert!(effective_dpi(922.0, 1329.0) >= MIN_DPI);
        assert!(effective_dpi(661.0, 935.0) < MIN_DPI);
    }

    #[test]
    fn turning_the_image_does_not_change_its_resolution() {
        assert_eq!(effective_dpi(1400.0, 1180.0), effective_dpi(1180.0, 1400.0));
    }
}
