//! A file's bytes as the importer reads them: from the start, a piece at a time.
//!
//! In the browser they stay in the browser's copy of the file (`file_read::JsBytes`): the
//! wasm memory, which never shrinks, then holds a few pieces of an 18.9 MB export rather
//! than all of it beside the records read from it (docs/perf.md). Tests read from memory.

use std::io::{Cursor, Read};

/// The bytes of one file, read from the start (again after [`FileBytes::rewind`]).
pub trait FileBytes: Read {
    /// The file's size in bytes.
    fn size(&self) -> u64;
    fn rewind(&mut self);
}

impl FileBytes for Cursor<Vec<u8>> {
    fn size(&self) -> u64 {
        self.get_ref().len() as u64
    }

    fn rewind(&mut self) {
        self.set_position(0);
    }
}

/// The pieces [`Counted`] and the text check read.
pub(crate) const PIECE: usize = 64 * 1024;

/// Reads through `inner` and answers which line a byte of it is on, keeping only the bytes
/// between the last byte asked about and the furthest read (the CSV reader's read-ahead,
/// or one long record).
pub(crate) struct Counted {
    inner: Box<dyn FileBytes>,
    kept: Vec<u8>,
    /// The offset of `kept[0]` in the stream.
    kept_from: u64,
    /// Line ends before `kept_from`.
    lines_before: u64,
}

impl Counted {
    pub(crate) fn new(inner: Box<dyn FileBytes>) -> Counted {
        Counted {
            inner,
            kept: Vec::new(),
            kept_from: 0,
            lines_before: 0,
        }
    }

    /// Nothing left to read: lets the file's bytes go.
    pub(crate) fn empty() -> Counted {
        Counted::new(Box::new(Cursor::new(Vec::new())))
    }

    /// The physical line (from 1) of the first byte at or after `start` that is not a line
    /// end: where a record starting at `start` begins. `start` never goes back.
    pub(crate) fn line_at(&mut self, start: u64) -> u64 {
        let mut at = usize::try_from(start.saturating_sub(self.kept_from))
            .unwrap_or(usize::MAX)
            .min(self.kept.len());
        while self
            .kept
            .get(at)
            .is_some_and(|b| *b == b'\r' || *b == b'\n')
        {
            at += 1;
        }
        let passed = self.kept.get(..at).unwrap_or_default();
        self.lines_before += passed.iter().filter(|b| **b == b'\n').count() as u64;
        self.kept.drain(..at);
        self.kept_from += at as u64;
        1 + self.lines_before
    }
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.kept
            .extend_from_slice(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// What a first pass over a file found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Content {
    /// Nothing but white space (after a byte order mark).
    Blank,
    /// Text; `bom` when it starts with a UTF-8 byte order mark.
    Text { bom: bool },
    /// Not text from this line on: bytes that are not UTF-8, or a NUL (valid UTF-8, but
    /// never in a CSV export: binary files have it).
    Binary { line: u64 },
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads `bytes` through once, a piece at a time, and rewinds it.
pub(crate) fn check_text(bytes: &mut dyn FileBytes) -> Content {
    let mut piece = vec![0u8; PIECE];
    // A character cut by the end of a piece waits for the next one.
    let mut carry: Vec<u8> = Vec::new();
    let mut lines = 1u64;
    let mut first = true;
    let mut bom = false;
    let mut blank = true;
    let verdict = loop {
        let n = match bytes.read(&mut piece) {
            Ok(0) => break None,
            Ok(n) => n,
            Err(_) => break Some(Content::Binary { line: lines }),
        };
        carry.extend_from_slice(piece.get(..n).unwrap_or_default());
        let mut text: &[u8] = &carry;
        if first && text.len() < BOM.len() && BOM.starts_with(text) {
            // Maybe a byte order mark: wait for its end.
            continue;
        }
        if first {
            first = false;
            if text.starts_with(BOM) {
                bom = true;
                text = text.get(BOM.len()..).unwrap_or_default();
            }
        }
        let (valid, bad_at) = match std::str::from_utf8(text) {
            Ok(_) => (text.len(), None),
            // Cut at the end of the piece: complete it with the next one.
            Err(e) if e.error_len().is_none() => (e.valid_up_to(), None),
            Err(e) => (e.valid_up_to(), Some(e.valid_up_to())),
        };
        let nul_at = text
            .get(..valid)
            .and_then(|t| t.iter().position(|b| *b == 0));
        if let Some(at) = nul_at.or(bad_at) {
            let before = text.get(..at).unwrap_or_default();
            break Some(Content::Binary {
                line: lines + before.iter().filter(|b| **b == b'\n').count() as u64,
            });
        }
        let done = text.get(..valid).unwrap_or_default();
        lines += done.iter().filter(|b| **b == b'\n').count() as u64;
        blank &= done.iter().all(u8::is_ascii_whitespace);
        let rest = text.get(valid..).unwrap_or_default().to_vec();
        carry = rest;
    };
    bytes.rewind();
    match verdict {
        Some(binary) => binary,
        // A character cut by the end of the file.
        None if !carry.is_empty() => Content::Binary { line: lines },
        None if blank => Content::Blank,
        None => Content::Text { bom },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::reader::CsvFile;

    /// Hands out at most `n` bytes per read: every boundary a piece can cut.
    struct Trickle {
        bytes: Cursor<Vec<u8>>,
        n: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.n);
            self.bytes.read(&mut buf[..n])
        }
    }

    impl FileBytes for Trickle {
        fn size(&self) -> u64 {
            self.bytes.size()
        }
        fn rewind(&mut self) {
            self.bytes.rewind();
        }
    }

    fn check(bytes: &[u8], n: usize) -> Content {
        check_text(&mut Trickle {
            bytes: Cursor::new(bytes.to_vec()),
            n,
        })
    }

    #[test]
    fn the_text_check_reads_across_pieces() {
        for n in [1, 2, 3, 5, PIECE] {
            assert_eq!(check(b"", n), Content::Blank);
            assert_eq!(check(b"\xEF\xBB\xBF \r\n", n), Content::Blank);
            assert_eq!(
                check("Id,Ñame,名前\n1,é,日本\n".as_bytes(), n),
                Content::Text { bom: false }
            );
            assert_eq!(check(b"\xEF\xBB\xBFId\n", n), Content::Text { bom: true });
            assert_eq!(check(b"Id\n1\n\x002\n", n), Content::Binary { line: 3 });
            assert_eq!(check(b"Id\n\n1,\xFF\n", n), Content::Binary { line: 3 });
            // A character the file's end cuts, and half a byte order mark.
            assert_eq!(
                check("Id\né".as_bytes().split_last().unwrap().1, n),
                Content::Binary { line: 2 }
            );
            assert_eq!(check(b"\xEF\xBB", n), Content::Binary { line: 1 });
            assert_eq!(
                check(b"\x89PNG\r\n\x1a\n\0", n),
                Content::Binary { line: 1 }
            );
        }
    }

    #[test]
    fn rows_keep_their_lines_however_the_file_is_cut() {
        // Quoted line breaks, blank lines and CRLF, over many pieces.
        let mut text = String::from("\u{FEFF}Id,Name\r\n");
        let mut expected = Vec::new();
        let mut line = 2;
        for i in 0..8_000u32 {
            expected.push(line);
            if i % 7 == 0 {
                text.push_str(&format!("00100000000{i:04},\"Two\r\nlines {i}\"\r\n"));
                line += 2;
            } else {
                text.push_str(&format!("00100000000{i:04},One {i}\n"));
                line += 1;
            }
            if i % 11 == 0 {
                text.push_str("\r\n");
                line += 1;
            }
        }
        assert!(text.len() > 2 * PIECE);
        for n in [1, 13, 4096, PIECE] {
            let source = Trickle {
                bytes: Cursor::new(text.clone().into_bytes()),
                n,
            };
            let mut file = CsvFile::open_source("accounts.csv", Box::new(source)).unwrap();
            let mut lines = Vec::new();
            while !file.is_done() {
                for row in file.read(500) {
                    lines.push(row.unwrap().line);
                }
            }
            assert_eq!(lines, expected, "pieces of {n} bytes");
            assert_eq!(file.progress().bytes_read, text.len() as u64 - 3);
        }
    }
}
