//! The Markdown reader (材料2 工作报告, 材料3 工作方案): any bytes become blocks and located
//! diagnostics, never a panic, through what the loader does with a Markdown file: decoding
//! (UTF-8 with or without BOM, GB18030/GBK with a warning, anything else a located error),
//! `load::markdown::read`, then splitting run-in numbered headings (`load::numbered`).

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use shenbao::diagnostics::Diagnostics;
use shenbao::load::{markdown, numbered};

fuzz_target!(|bytes: &[u8]| {
    let mut diagnostics = Diagnostics::new();
    let blocks = markdown::read(Path::new("创建工作报告.md"), bytes, &mut diagnostics);
    let blocks = numbered::split_run_in(blocks);
    for block in &blocks {
        if let markdown::BlockKind::Heading { text, .. } = &block.kind {
            let _ = markdown::strip_heading_number(text);
        }
    }
    let _ = diagnostics.render();
});
