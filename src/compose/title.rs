//! Breaking a long title into lines of sensible meaning (GB/T 9704: 回行时词意完整、排列对称,
//! 梯形或菱形), at break points that `notice.yaml` lists, so no word is split. A line holds as
//! many title characters as the text block of `page.yaml` has room for at `title-size`.

use super::Composer;
use crate::load::page::Orientation;

impl Composer {
    /// `title` broken for a page of `orientation`, at the notice's break points.
    pub fn title_lines(&self, title: &str, orientation: Orientation) -> String {
        break_title(
            title,
            &self.notice.title_breaks,
            self.page.title_chars(orientation),
        )
    }
}

/// The title with `\n` where it should break. Lines break only before one of `breaks`; among the
/// ways with the fewest lines that fit, a regular shape wins (a trapezoid, each line at least as
/// long as the one above, or a diamond, widest in the middle), then the most even one. A title
/// that fits stays whole; one that cannot be broken at the listed points is left to the layout.
pub fn break_title(title: &str, breaks: &[String], line_width: f64) -> String {
    if width(title) <= line_width {
        return title.to_string();
    }
    let mut points: Vec<usize> = breaks
        .iter()
        .flat_map(|b| title.match_indices(b.as_str()).map(|(i, _)| i))
        .filter(|&i| i > 0)
        .collect();
    points.sort_unstable();
    points.dedup();
    best_split(title, &points, line_width)
        .map_or_else(|| title.to_string(), |lines| lines.join("\n"))
}

fn best_split<'t>(title: &'t str, points: &[usize], line_width: f64) -> Option<Vec<&'t str>> {
    let mut best: Option<(usize, (bool, f64), Vec<&str>)> = None;
    for mask in 1u32..(1 << points.len().min(12)) {
        let cuts: Vec<usize> = points
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, &p)| p)
            .collect();
        let lines = split_at(title, &cuts);
        if lines.iter().any(|l| width(l) > line_width) {
            continue;
        }
        let score = (!is_regular(&lines), unevenness(&lines));
        let better = match &best {
            None => true,
            Some((count, best_score, _)) => {
                lines.len() < *count || (lines.len() == *count && score < *best_score)
            }
        };
        if better {
            best = Some((lines.len(), score, lines));
        }
    }
    best.map(|(_, _, lines)| lines)
}

fn split_at<'t>(title: &'t str, cuts: &[usize]) -> Vec<&'t str> {
    let mut lines = Vec::new();
    let mut start = 0;
    for &cut in cuts {
        lines.push(&title[start..cut]);
        start = cut;
    }
    lines.push(&title[start..]);
    lines
}

/// Whether the lines form a trapezoid (no line longer than the one below) or, from three lines,
/// a diamond (widening to a middle line, then narrowing).
fn is_regular(lines: &[&str]) -> bool {
    let widths: Vec<f64> = lines.iter().map(|l| width(l)).collect();
    let widening = |w: &[f64]| w.windows(2).all(|pair| pair[0] <= pair[1]);
    let peak = widths
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i);
    let middle = peak > 0 && peak + 1 < widths.len();
    let mut narrowing: Vec<f64> = widths[peak..].to_vec();
    narrowing.reverse();
    widening(&widths) || (middle && widening(&widths[..=peak]) && widening(&narrowing))
}

/// How far the line widths are from even, with a small penalty when a line is longer than the
/// next one (a trapezoid widens downwards).
fn unevenness(lines: &[&str]) -> f64 {
    let widths: Vec<f64> = lines.iter().map(|l| width(l)).collect();
    let mean = widths.iter().sum::<f64>() / widths.len() as f64;
    let spread: f64 = widths.iter().map(|w| (w - mean).powi(2)).sum();
    let inverted: f64 = widths
        .windows(2)
        .filter(|w| w[0] > w[1])
        .map(|w| w[0] - w[1])
        .sum();
    spread + inverted
}

/// Width in ideographs: half-width characters count half.
fn width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Characters of 2号 type on one line of the portrait text block.
    const PORTRAIT_TITLE_WIDTH: f64 = 20.0;

    fn breaks() -> Vec<String> {
        ["关于", "国家知识产权", "强市建设", "创建工作报告"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn a_short_title_stays_whole() {
        assert_eq!(
            break_title("关于申报的函", &breaks(), PORTRAIT_TITLE_WIDTH),
            "关于申报的函"
        );
    }

    #[test]
    fn a_long_title_breaks_between_words() {
        let title = break_title(
            "洛阳市人民政府关于申报国家知识产权强市建设示范城市的函",
            &breaks(),
            PORTRAIT_TITLE_WIDTH,
        );
        assert_eq!(
            title,
            "洛阳市人民政府关于申报\n国家知识产权强市建设示范城市的函"
        );
        assert!(title.lines().all(|l| width(l) <= PORTRAIT_TITLE_WIDTH));
    }

    #[test]
    fn long_over_short_gives_way_to_a_trapezoid_or_a_diamond() {
        let title = break_title(
            "许昌市国家知识产权强市建设试点城市创建工作报告",
            &breaks(),
            PORTRAIT_TITLE_WIDTH,
        );
        assert_eq!(title, "许昌市国家知识产权\n强市建设试点城市创建工作报告");
        assert!(is_regular(&["甲", "甲乙丙", "甲乙"]));
        assert!(!is_regular(&["甲乙丙", "甲"]));
        assert!(!is_regular(&["甲乙", "甲", "甲乙"]));
    }

    #[test]
    fn the_line_width_is_the_page_specs() {
        let spec = crate::load::page::built_in().unwrap();
        assert_eq!(
            spec.title_chars(Orientation::Portrait),
            PORTRAIT_TITLE_WIDTH
        );
    }
}
