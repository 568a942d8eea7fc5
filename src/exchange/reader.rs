//! Reading one CSV file as exported by Data Loader, Workbench or a report,
//! a few rows at a time so a page can show progress and stay responsive.
//!
//! Real exports are not tidy: a UTF-8 byte order mark, CRLF line ends, quoted
//! cells holding commas, quotes and line breaks. The `csv` crate reads all of
//! that; this file adds what it leaves to the caller: refusing what is not
//! text at all, telling the object from the header, and the physical line
//! each row starts on (a quoted line break makes rows and lines differ).

use std::fmt;
use std::io::{Cursor, Read};

use csv::{ReaderBuilder, StringRecord};

use super::cells::unescape_text;
use super::columns::{recognise, ColumnMap, Unrecognised};
use super::source::{check_text, Content, Counted, FileBytes, PIECE};

/// Why a whole file can't be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    Empty,
    NotText { line: u64 },
    NoRows,
    Unrecognised(Unrecognised),
    Unreadable { line: u64, reason: String },
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Empty => f.write_str("The file is empty. Export the records again; the first row must hold the column API names."),
            FileError::NotText { line } => write!(f, "The file is not a CSV text file: line {line} holds bytes that are not UTF-8 text (is it an image or a spreadsheet renamed .csv?). Export the records as CSV (UTF-8) and pick that file."),
            FileError::NoRows => f.write_str("The file has a header row but no records below it; nothing to import."),
            FileError::Unrecognised(u) => u.fmt(f),
            FileError::Unreadable { line, reason } => write!(f, "The file can't be read as CSV from line {line}: {reason}."),
        }
    }
}

/// One data row: the physical line it starts on and its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub cells: Vec<String>,
}

/// How far the reading of a file has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub rows_read: u64,
    pub bytes_read: u64,
    pub bytes_total: u64,
}

/// An open CSV file whose header was recognised; rows are read on demand.
pub struct CsvFile {
    pub name: String,
    pub map: ColumnMap,
    reader: csv::Reader<Counted>,
    record: StringRecord,
    header_len: usize,
    bytes_total: u64,
    rows_read: u64,
    /// The first data row, read when opening to tell a header-only file.
    pending: Option<Row>,
    done: bool,
}

impl fmt::Debug for CsvFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CsvFile({}, {:?})", self.name, self.map.kind)
    }
}

/// Where a row goes wrong as a whole (not one of its cells).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowShapeError {
    pub line: u64,
    pub message: String,
}

impl CsvFile {
    /// Opens the whole file `bytes` (tests, examples): see [`CsvFile::open_source`].
    pub fn open(name: &str, bytes: Vec<u8>) -> Result<CsvFile, FileError> {
        CsvFile::open_source(name, Box::new(Cursor::new(bytes)))
    }

    /// Opens a file: checks it is text (one pass over it), reads the header
    /// and recognises the object, and reads ahead one row.
    pub fn open_source(name: &str, mut bytes: Box<dyn FileBytes>) -> Result<CsvFile, FileError> {
        let bom = match check_text(bytes.as_mut()) {
            Content::Blank => return Err(FileError::Empty),
            Content::Binary { line } => return Err(FileError::NotText { line }),
            Content::Text { bom } => bom,
        };
        let mut bytes_total = bytes.size();
        if bom {
            let mut skipped = [0u8; 3];
            if bytes.read_exact(&mut skipped).is_err() {
                return Err(FileError::Empty);
            }
            bytes_total = bytes_total.saturating_sub(3);
        }
        let mut reader = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(PIECE)
            .from_reader(Counted::new(bytes));
        let mut record = StringRecord::new();
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Err(FileError::Empty),
            Err(e) => {
                return Err(FileError::Unreadable {
                    line: 1,
                    reason: e.to_string(),
                })
            }
        }
        let header: Vec<String> = record.iter().map(str::to_string).collect();
        let map = recognise(&header).map_err(FileError::Unrecognised)?;
        let mut file = CsvFile {
            name: name.to_string(),
            map,
            reader,
            record,
            header_len: header.len(),
            bytes_total,
            rows_read: 0,
            pending: None,
            done: false,
        };
        match file.next_row() {
            Ok(Some(row)) => file.pending = Some(row),
            Ok(None) => return Err(FileError::NoRows),
            Err(e) => {
                return Err(FileError::Unreadable {
                    line: e.line,
                    reason: e.message,
                })
            }
        }
        Ok(file)
    }

    pub fn is_done(&self) -> bool {
        self.done && self.pending.is_none()
    }

    pub fn progress(&self) -> Progress {
        Progress {
            rows_read: self.rows_read,
            bytes_read: if self.is_done() {
                self.bytes_total
            } else {
                self.reader.position().byte().min(self.bytes_total)
            },
            bytes_total: self.bytes_total,
        }
    }

    /// Up to `max` further rows (blank lines skipped). A row whose number of
    /// cells differs from the header is returned as an error in its place:
    /// usually a quote opened and never closed.
    pub fn read(&mut self, max: usize) -> Vec<Result<Row, RowShapeError>> {
        let mut out = Vec::with_capacity(max.min(4096));
        if let Some(row) = self.pending.take() {
            out.push(self.shape(row));
        }
        while out.len() < max && !self.done {
            match self.next_row() {
                Ok(Some(row)) => out.push(self.shape(row)),
                Ok(None) => {}
                Err(e) => {
                    // The csv crate can't resynchronise after an I/O-level
                    // error; the rest of the file is unread.
                    self.finish_reading();
                    out.push(Err(e));
                }
            }
        }
        out
    }

    /// Done: the file's bytes (and the read buffer) are let go at once, so
    /// an import of several files never holds the ones already read.
    fn finish_reading(&mut self) {
        self.done = true;
        *self.reader.get_mut() = Counted::empty();
        self.record = StringRecord::new();
    }

    fn shape(&mut self, row: Row) -> Result<Row, RowShapeError> {
        self.rows_read += 1;
        if row.cells.len() == self.header_len {
            Ok(row)
        } else {
            Err(RowShapeError {
                line: row.line,
                message: format!(
                    "This row has {} cells but the header has {}; check the quotes on this row and the one before it.",
                    row.cells.len(),
                    self.header_len
                ),
            })
        }
    }

    /// The physical line a record starts on. The csv crate's own line count
    /// lags behind (it counts a line end when it reads past it, and skips
    /// blank lines unseen), so lines are counted as the bytes pass, up to the
    /// record's start byte and past the line ends before it: no record starts
    /// with one.
    fn line_at(&mut self, start: u64) -> u64 {
        self.reader.get_mut().line_at(start)
    }

    /// The next non-blank row, or `None` at the end.
    fn next_row(&mut self) -> Result<Option<Row>, RowShapeError> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => {
                    self.finish_reading();
                    return Ok(None);
                }
                Ok(true) => {
                    let start = self.record.position().map_or(0, |p| p.byte());
                    let line = self.line_at(start);
                    let blank = self.record.iter().all(|c| c.trim().is_empty());
                    if blank {
                        continue;
                    }
                    return Ok(Some(Row {
                        line,
                        cells: self.record.iter().map(unescape_text).collect(),
                    }));
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    return Err(RowShapeError {
                        line,
                        message: e.to_string(),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::columns::ObjectKind;

    fn open(text: &str) -> Result<CsvFile, FileError> {
        CsvFile::open("test.csv", text.as_bytes().to_vec())
    }

    #[test]
    fn bom_crlf_and_quoted_cells_with_line_breaks() {
        let text = "\u{FEFF}Id,Name\r\n001000000000001,\"Acme, \"\"Inc\"\"\r\nsecond line\"\r\n\r\n001000000000002,Globex\r\n";
        let mut file = open(text).unwrap();
        assert_eq!(file.map.kind, ObjectKind::Account);
        let rows: Vec<Row> = file.read(10).into_iter().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 5]);
        assert_eq!(rows[0].cells[1], "Acme, \"Inc\"\r\nsecond line");
        // The quoted line break and the blank line both count as lines.
        assert_eq!(rows[1].line, 5);
        assert!(file.is_done());
        let p = file.progress();
        assert_eq!(p.rows_read, 2);
        assert_eq!(p.bytes_read, p.bytes_total);
    }

    #[test]
    fn rows_come_in_chunks() {
        let mut text = String::from("Id,Name\n");
        for i in 1..=5 {
            text.push_str(&format!("00100000000000{i},A{i}\n"));
        }
        let mut file = open(&text).unwrap();
        assert_eq!(file.read(2).len(), 2);
        assert!(!file.is_done());
        assert_eq!(file.progress().rows_read, 2);
        assert!(file.progress().bytes_read < file.progress().bytes_total);
        assert_eq!(file.read(2).len(), 2);
        assert_eq!(file.read(2).len(), 1);
        assert!(file.is_done());
    }

    #[test]
    fn a_row_with_too_few_cells_is_an_error_in_its_place() {
        let mut file = open("Id,Name\n001000000000001\n001000000000002,B\n").unwrap();
        let rows = file.read(10);
        let err = rows[0].clone().unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("1 cells but the header has 2"));
        assert!(rows[1].is_ok());
    }

    #[test]
    fn empty_header_only_binary_and_unknown_files_are_refused() {
        assert_eq!(open("").unwrap_err(), FileError::Empty);
        assert_eq!(open("\u{FEFF}\r\n").unwrap_err(), FileError::Empty);
        assert_eq!(open("Id,Name\r\n").unwrap_err(), FileError::NoRows);
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        let err = CsvFile::open("logo.csv", png).unwrap_err();
        assert_eq!(err, FileError::NotText { line: 1 });
        assert!(err.to_string().contains("not UTF-8 text"));
        let err = open("a,b\n1,2\n").unwrap_err();
        assert!(matches!(err, FileError::Unrecognised(_)));
    }

    #[test]
    fn a_two_megabyte_single_line_is_refused_briefly() {
        let line = "x,".repeat(1_000_000);
        let err = open(&line).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, FileError::Unrecognised(_)));
        assert!(text.len() < 2_000, "message is {} bytes", text.len());
        let one_cell = "y".repeat(2_000_000);
        assert!(matches!(
            open(&one_cell).unwrap_err(),
            FileError::Unrecognised(_)
        ));
    }
}
