//! An applicant once every document of it is done: its Word files, data bundle and print sets,
//! then its manifest, and its entry back in the run index.

use std::collections::BTreeMap;

use super::batch::BuildOptions;
use super::index::LiveIndex;
use super::schedule::lock;
use super::slot::{Slot, State};
use super::timings::Stage;
use super::{ApplicantReport, Session};
use crate::assemble::{self, Manifest};
use crate::compose::model::Dossier;
use crate::diagnostics::Diagnostics;

impl Session {
    /// Print sets, Word files and the manifest, once every document of the applicant is done.
    pub(super) fn assemble(
        &self,
        slot: &Slot,
        dossier: &Dossier,
        index: &LiveIndex,
        options: &BuildOptions,
    ) {
        let mut report = lock(&slot.report);
        if options.only_material.is_some() {
            *lock(&slot.state) = State::Done;
            return;
        }
        if !report.diagnostics.has_errors()
            && let Err(problem) = slot.before_writing(index)
        {
            report.diagnostics.push(problem);
        }
        if !report.diagnostics.has_errors() {
            self.word_and_print_sets(slot, dossier, &mut report, options);
        }
        report.outputs.sort_by(|a, b| a.path.cmp(&b.path));
        if !report.diagnostics.has_errors()
            && let Some((name, category)) = report.identity.clone()
        {
            let manifest = Manifest {
                applicant: name,
                category,
                outputs: report.outputs.clone(),
                warnings: Diagnostics::from_iter_warnings(&report.diagnostics),
            };
            let finished = self
                .timings
                .time(Stage::Write, || slot.finish(&manifest, &mut report, index));
            if let Err(problem) = finished {
                report.diagnostics.push(problem);
            }
        }
        *lock(&slot.state) = State::Done;
    }

    fn word_and_print_sets(
        &self,
        slot: &Slot,
        dossier: &Dossier,
        report: &mut ApplicantReport,
        options: &BuildOptions,
    ) {
        let notice = self.composer.notice();
        match self.timings.time(Stage::Word, || {
            assemble::word_files(notice, dossier, &slot.target)
        }) {
            Ok((files, warnings)) => {
                report.outputs.extend(files);
                report.diagnostics.extend(warnings);
            }
            Err(problem) => report.diagnostics.push(problem),
        }
        match self.timings.time(Stage::Word, || {
            assemble::data_bundle(notice, dossier, &slot.target)
        }) {
            Ok(bundle) => report.outputs.push(bundle),
            Err(problem) => report.diagnostics.push(problem),
        }
        let none = BTreeMap::new();
        let previous = if options.force { &none } else { &slot.previous };
        let outputs = self.timings.time(Stage::PrintSets, || {
            assemble::print_sets(
                notice,
                &slot.target,
                &report.outputs,
                options.separator,
                previous,
            )
        });
        match outputs {
            Ok(sets) => report.outputs.extend(sets),
            Err(problem) => report.diagnostics.push(problem),
        }
    }
}
