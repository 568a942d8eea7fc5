//! CSV import and export in the License Management App's API names.
//!
//! Pure: no browser, no async, no clock (now is an argument), so every step
//! is tested natively. `reader` reads a file a chunk at a time, `columns`
//! recognises its object, `rows` turns a row into a domain record through
//! the domain's import rules, `plan` compares with the desk and prepares the
//! writes, `job` drives them in steps; `export` and `cells` write CSV.

pub mod cells;
pub mod columns;
pub mod export;
pub mod job;
pub mod kept;
pub mod plan;
pub mod reader;
pub mod rows;
pub mod source;

pub use columns::{ObjectKind, Unrecognised};
pub use export::{
    accounts_csv, contacts_csv, history_csv, install_log_csv, leads_csv, licenses_csv,
    package_versions_csv, packages_csv, ExportError,
};
pub use job::ImportJob;
pub use kept::{KeptKind, KeptRecord, KeptRecords};
pub use plan::{
    ChangeSample, Counts, Desk, FileSummary, ImportPlan, Refused, RefusedFile, Write, Writes,
};
pub use reader::{FileError, Progress};
pub use source::FileBytes;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod measure;
#[cfg(test)]
mod tests;
