//! One document of a batch: reused when an earlier run made it from the same inputs, otherwise
//! laid out by Typst and written (with its Typst source too under `--emit-typst`).

use std::path::Path;

use super::Session;
use super::batch::BuildOptions;
use super::index::LiveIndex;
use super::reuse::reused;
use super::schedule::lock;
use super::slot::Slot;
use super::timings::Stage;
use crate::assemble::{self, Output, OutputKind};
use crate::compose::model::Document;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::files::OutputDir;
use crate::layout::compile::render_pdf;

impl Session {
    /// Renders `document` of `slot` into its output folder, or takes the earlier run's file.
    pub(super) fn render(
        &self,
        slot: &Slot,
        document: &Document,
        index: &LiveIndex,
        options: &BuildOptions,
    ) {
        let name = pdf_name(document);
        let input = self.input_hash(document);
        if let Some(output) = reused(slot, &name, &input, options) {
            lock(&slot.report).outputs.push(output);
            return;
        }
        let rendered = slot
            .before_writing(index)
            .map_err(Diagnostics::from)
            .and_then(|()| self.render_pdf(document, &slot.target, &name, &input, options));
        match rendered {
            Ok((output, warnings)) => {
                let mut report = lock(&slot.report);
                report.outputs.push(output);
                report.diagnostics.extend(warnings);
            }
            Err(problems) => lock(&slot.report).diagnostics.extend(problems),
        }
    }

    pub(super) fn render_pdf(
        &self,
        document: &Document,
        target: &OutputDir,
        name: &str,
        input: &str,
        options: &BuildOptions,
    ) -> Result<(Output, Diagnostics), Diagnostics> {
        let data = serde_json::to_vec(document).map_err(|e| Diagnostic::error(e.to_string()))?;
        let template = document.template;
        if let Some(dir) = &options.emit_typst {
            let folder = OutputDir::new(dir)
                .folder(&target.name())?
                .folder(&format!("材料{}", document.material))?;
            let evidence: Vec<(&str, &Path)> = document
                .evidence
                .iter()
                .map(|e| e.path.as_str())
                .zip(document.sources.iter().map(|s| s.path.as_path()))
                .collect();
            super::emit::write(&folder, self.engine.templates(), template, &data, &evidence)?;
        }
        let world = self.world(document, data);
        let ident = format!("{}/{}", target.name(), document.material);
        let rendered = render_pdf(&world, &ident)?;
        self.timings.add(Stage::Compile, rendered.compile_time);
        self.timings.add(Stage::Export, rendered.export_time);
        let output = self.timings.time(Stage::Write, || {
            assemble::emit(
                target,
                name,
                OutputKind::Pdf,
                Some(document.material),
                Some(rendered.pages),
                &rendered.pdf,
            )
        })?;
        Ok((output.with_input(input), rendered.warnings))
    }
}

/// `材料1-申报函.pdf`.
fn pdf_name(document: &Document) -> String {
    format!("材料{}-{}.pdf", document.material, document.material_name)
}
