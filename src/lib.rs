//! shenbao（申报）turns an applicant's data into the print-ready application dossier that the
//! Henan notice 豫知〔2023〕38号 asks for, laid out to GB/T 9704.
//!
//! The pipeline runs one way: [`load`] → [`validate`] → [`compose`] → [`layout`] → [`assemble`];
//! [`run`] drives it, [`cli`] is the command line (with [`init`] and [`desk`] beside it). Under
//! every stage are the leaves: [`diagnostics`] reports every problem, [`files`] writes and walks
//! files, [`guard`] keeps a panic to one applicant, and [`templates`] serves the wording, layout
//! and data files.

// A `Diagnostic` carries everything the user needs to fix a problem (place, source line, hint);
// it is built only on the error path, so its size does not matter.
#![allow(clippy::result_large_err)]

pub mod assemble;
pub mod cli;
pub mod compose;
pub mod desk;
pub mod diagnostics;
pub mod files;
pub mod guard;
pub mod init;
pub mod layout;
pub mod load;
pub mod run;
pub mod templates;
pub mod validate;
