//! Tables of the Word writer read back: header row, merges, kept rows, label segments.

use super::tests::{
    count, document, document_xml, merged, merged_table, paragraph_of, run_of, sample,
};
use crate::compose::model::{Block, Cell};

#[test]
fn tables_repeat_headers_and_merge_rows() {
    let xml = document_xml(&sample(2));
    let table = &xml[xml.find("<w:tbl>").unwrap()..xml.find("</w:tbl>").unwrap()];
    assert_eq!(count(table, "<w:tblHeader />"), 1);
    assert!(table.contains(r#"<w:tblW w:w="5000" w:type="pct" />"#));
    assert_eq!(count(table, "<w:gridCol "), 4);
    assert_eq!(count(table, r#"<w:vMerge w:val="restart" />"#), 2);
    assert_eq!(count(table, r#"<w:vMerge w:val="continue" />"#), 3);
    assert!(table.contains(r#"w:sz="4""#));
    let rows: Vec<&str> = table.split("<w:tr>").skip(1).collect();
    assert_eq!(rows.len(), 5);
    for row in &rows {
        assert_eq!(count(row, "<w:tc>"), 4, "every row fills the grid: {row}");
    }
    // Row 2 continues both merged cells in columns 1 and 2, row 3 the first only.
    let merges = |row: &str| -> Vec<bool> {
        row.split("<w:tc>")
            .skip(1)
            .map(|cell| cell.contains(r#"w:vMerge w:val="continue""#))
            .collect()
    };
    assert_eq!(merges(rows[2]), [true, true, false, false]);
    assert_eq!(merges(rows[3]), [true, false, false, false]);
    assert_eq!(merges(rows[4]), [false, false, false, false]);
    assert!(run_of(table, "第一行").contains("<w:br />"));
    assert!(paragraph_of(table, ">1<").contains(r#"<w:jc w:val="center" />"#));
    assert!(xml.contains("备注：数据截至2023年6月"));
    // The header row and rows with unbreakable cells stay whole.
    assert_eq!(count(table, "<w:cantSplit />"), 5);
    // The rows of the merged group keep together; the last row keeps with the note.
    let kept = |row: &str| row.contains("<w:keepNext />");
    assert_eq!(
        rows[1..].iter().map(|r| kept(r)).collect::<Vec<_>>(),
        [true, true, false, true]
    );
}

#[test]
fn a_group_taller_than_a_page_repeats_its_label_on_each_segment() {
    let mut table = merged_table();
    let long = "完成情况的文字".repeat(30);
    table.rows = vec![vec![merged("创造质量", 40), Cell::left(long.clone())]];
    table
        .rows
        .extend((1..40).map(|_| vec![Cell::left(long.clone())]));
    table.widths = vec![1.0, 4.0];
    table.header.truncate(2);
    let xml = document_xml(&document(4, vec![Block::Table(table)]));
    let rows: Vec<&str> = xml.split("<w:tr>").skip(2).collect();
    // A page may break only where the previous row does not keep with the next: there, a
    // segment begins, and it begins with the label.
    let starts: Vec<bool> = (0..rows.len())
        .map(|i| i == 0 || !rows[i - 1].contains("<w:keepNext />"))
        .collect();
    let segments = starts.iter().filter(|s| **s).count();
    assert!(segments > 2, "the 40 rows span several pages: {segments}");
    for (index, (row, start)) in rows.iter().zip(&starts).enumerate() {
        assert_eq!(row.contains(">创造质量<"), *start, "row {index}");
    }
    assert!(count(&xml, r#"<w:vMerge w:val="restart" />"#) >= segments - 1);
}

#[test]
fn rows_of_breakable_cells_may_split() {
    let mut table = merged_table();
    for cell in &mut table.rows[3] {
        cell.breakable = true;
    }
    let xml = document_xml(&document(4, vec![Block::Table(table)]));
    let rows: Vec<&str> = xml.split("<w:tr>").skip(1).collect();
    assert!(rows[3].contains("<w:cantSplit />"));
    assert!(!rows[4].contains("<w:cantSplit />"));
}
