//! An import in steps: files are opened, then read a chunk of rows per call,
//! so a page can show progress between chunks, stay responsive, and cancel
//! (by dropping the job) before anything is written.

use chrono::NaiveDateTime;

use crate::domain::SfId;

use super::plan::{Desk, ImportPlan, PlanBuilder};
use super::reader::{CsvFile, Progress};
use super::source::FileBytes;

pub struct ImportJob {
    files: Vec<CsvFile>,
    /// Index in `builder`'s files, per open file.
    file_ids: Vec<usize>,
    current: usize,
    builder: PlanBuilder,
}

impl ImportJob {
    /// `actor` is who imports (named in the history), `now` when.
    pub fn new(actor: &SfId, now: NaiveDateTime) -> ImportJob {
        ImportJob {
            files: Vec::new(),
            file_ids: Vec::new(),
            current: 0,
            builder: PlanBuilder::new(actor, now),
        }
    }

    /// Adds a file (its whole content). A file that can't be imported is
    /// refused as a whole and shows in the plan with the reason; returns
    /// whether it was accepted for reading.
    pub fn add_file(&mut self, name: &str, bytes: Vec<u8>) -> bool {
        self.add_source(name, Box::new(std::io::Cursor::new(bytes)))
    }

    /// [`add_file`](ImportJob::add_file) reading the file a piece at a time
    /// (the browser's copy of a picked file: see `source.rs`).
    pub fn add_source(&mut self, name: &str, bytes: Box<dyn FileBytes>) -> bool {
        match CsvFile::open_source(name, bytes) {
            Ok(file) => {
                let id = self.builder.add_file(name, &file.map);
                self.files.push(file);
                self.file_ids.push(id);
                true
            }
            Err(e) => {
                self.builder.refuse_file(name, e.to_string());
                false
            }
        }
    }

    /// Reads and checks up to `max_rows` further rows; returns the progress
    /// over every file.
    pub fn step(&mut self, max_rows: usize) -> Progress {
        let mut left = max_rows.max(1);
        while left > 0 {
            let Some(file) = self.files.get_mut(self.current) else {
                break;
            };
            if file.is_done() {
                self.current += 1;
                continue;
            }
            let rows = file.read(left);
            left = left.saturating_sub(rows.len().max(1));
            let id = self.file_ids.get(self.current).copied().unwrap_or(0);
            for row in rows {
                self.builder.add_row(id, &file.map, row);
            }
        }
        self.progress()
    }

    pub fn is_done(&self) -> bool {
        self.files.iter().all(CsvFile::is_done)
    }

    /// Rows read, and bytes read of all files' bytes.
    pub fn progress(&self) -> Progress {
        self.files.iter().fold(Progress::default(), |acc, f| {
            let p = f.progress();
            Progress {
                rows_read: acc.rows_read + p.rows_read,
                bytes_read: acc.bytes_read + p.bytes_read,
                bytes_total: acc.bytes_total + p.bytes_total,
            }
        })
    }

    /// Reads what is left, then compares with `desk`: the preview.
    pub fn finish(mut self, desk: &Desk) -> ImportPlan {
        while !self.is_done() {
            self.step(10_000);
        }
        self.builder.finish(desk)
    }
}
