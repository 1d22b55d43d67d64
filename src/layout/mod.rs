//! Lay out: the document model goes to Typst as data and comes back as PDF pages.
//!
//! `fonts` scans and assigns fonts, `world` gives Typst its files, `compile` runs one document.

pub mod compile;
pub mod fonts;
pub mod world;
