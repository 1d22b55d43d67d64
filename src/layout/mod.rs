//! Lay out: the document model goes to Typst as data and comes back as PDF pages.
//!
//! `fonts` scans and assigns fonts, `world` gives Typst its files, `compile` runs one document,
//! `sideways` turns landscape table pages into portrait sheets.

pub mod compile;
pub mod fonts;
pub mod sideways;
pub mod world;
