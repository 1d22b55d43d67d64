//! The Markdown reader (材料2 工作报告, 材料3 工作方案): any UTF-8 text becomes blocks and
//! located diagnostics, never a panic. Bytes that are not UTF-8 are refused before parsing, as
//! the loader does.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use shenbao::diagnostics::Diagnostics;
use shenbao::load::markdown;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let mut diagnostics = Diagnostics::new();
    let blocks = markdown::parse(Path::new("创建工作报告.md"), text, &mut diagnostics);
    for block in &blocks {
        if let markdown::BlockKind::Heading { text, .. } = &block.kind {
            let _ = markdown::strip_heading_number(text);
        }
    }
    let _ = diagnostics.render();
});
