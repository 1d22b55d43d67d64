//! The workbooks shenbao writes: the blank assessment table and the blank roster (for `init` and
//! the desk), and the province's summary workbook (for `package`), each with the same bytes on
//! every system.

mod assessment;
mod roster;
pub mod summary;

pub use assessment::blank_workbook;
pub use roster::blank_roster;

use rust_xlsxwriter::{Workbook, XlsxError};

/// The bytes of `workbook`, its zip entries marked as made on Unix.
fn save(workbook: &mut Workbook) -> Result<Vec<u8>, XlsxError> {
    workbook.save_to_buffer().map(super::zip_host::unix_host)
}
