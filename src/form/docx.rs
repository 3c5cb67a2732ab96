//! The text of a Word document (`.docx`), as lines the label reader reads like a PDF's.
//!
//! Members sometimes send the filled Word form instead of the signed PDF. Its content is
//! read all the same (a coordinator sees what it says), but it carries no signature: the
//! caller holds it for review (`attachment.not_pdf`).
//!
//! A paragraph is a line; a table row whose cells hold one paragraph each is one line,
//! its cells apart as columns are in a PDF's layout; other rows give one line per
//! paragraph. Ticked content-control boxes are the ☒/☐ glyphs Word writes in the text.
//! Bounded: the archive's entry count, the declared and the actual size of
//! `word/document.xml`, the lines and their length.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

/// Most entries an archive may list (a Word document has a few dozen).
const MAX_ENTRIES: usize = 2_000;
/// Most lines kept.
const MAX_LINES: usize = 20_000;
/// Most characters per line.
const MAX_LINE_CHARS: usize = 20_000;
/// What separates the cells of a row: wide enough to read as columns.
const CELL_GAP: &str = "      ";

/// Why a Word document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocxError {
    /// Not a zip archive, or no `word/document.xml`, or broken XML.
    #[error("not a readable Word document: {0}")]
    Corrupt(String),
    /// More than `max_bytes` of XML once decompressed.
    #[error("the Word document is too large once decompressed")]
    TooLarge,
}

/// The lines of the document body within `max_bytes` of decompressed XML.
pub fn lines(bytes: &[u8], max_bytes: usize) -> Result<Vec<String>, DocxError> {
    let xml = document_xml(bytes, max_bytes)?;
    body_lines(&xml)
}

/// `word/document.xml`, decompressed within `max_bytes`.
fn document_xml(bytes: &[u8], max_bytes: usize) -> Result<Vec<u8>, DocxError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|error| DocxError::Corrupt(error.to_string()))?;
    if archive.len() > MAX_ENTRIES {
        return Err(DocxError::Corrupt("too many entries".into()));
    }
    let entry = archive
        .by_name("word/document.xml")
        .map_err(|error| DocxError::Corrupt(error.to_string()))?;
    if entry.size() > max_bytes as u64 {
        return Err(DocxError::TooLarge);
    }
    // The declared size may lie: read one byte more than allowed to know.
    let mut xml = Vec::new();
    entry
        .take(max_bytes as u64 + 1)
        .read_to_end(&mut xml)
        .map_err(|error| DocxError::Corrupt(error.to_string()))?;
    if xml.len() > max_bytes {
        return Err(DocxError::TooLarge);
    }
    Ok(xml)
}

/// Lines out of WordprocessingML: paragraphs, and table rows as columns.
#[derive(Default)]
struct Lines {
    out: Vec<String>,
    /// The paragraph being read.
    paragraph: String,
    /// The rows being read (tables nest): each row's cells, each cell's paragraphs.
    rows: Vec<Vec<Vec<String>>>,
}

impl Lines {
    fn text(&mut self, text: &str) {
        if self.paragraph.chars().count() < MAX_LINE_CHARS {
            self.paragraph.push_str(text);
        }
    }

    fn end_paragraph(&mut self) {
        let paragraph = std::mem::take(&mut self.paragraph);
        match self.rows.last_mut().and_then(|row| row.last_mut()) {
            Some(cell) => cell.push(paragraph),
            None => self.push(paragraph),
        }
    }

    fn start_row(&mut self) {
        self.rows.push(Vec::new());
    }

    fn start_cell(&mut self) {
        if let Some(row) = self.rows.last_mut() {
            row.push(Vec::new());
        }
    }

    /// A row whose cells are single paragraphs is one line of columns (a label and its
    /// value side by side); any other row, one line per paragraph, cell after cell.
    fn end_row(&mut self) {
        let Some(row) = self.rows.pop() else {
            return;
        };
        let lines: Vec<String> = if row.iter().all(|cell| cell.len() <= 1) {
            let cells: Vec<&str> = row
                .iter()
                .filter_map(|cell| cell.first())
                .map(|text| text.trim())
                .filter(|text| !text.is_empty())
                .collect();
            vec![cells.join(CELL_GAP)]
        } else {
            row.into_iter().flatten().collect()
        };
        match self.rows.last_mut().and_then(|outer| outer.last_mut()) {
            Some(cell) => cell.extend(lines),
            None => {
                for line in lines {
                    self.push(line);
                }
            }
        }
    }

    fn push(&mut self, line: String) {
        if self.out.len() < MAX_LINES {
            self.out.push(line);
        }
    }
}

fn body_lines(xml: &[u8]) -> Result<Vec<String>, DocxError> {
    let mut reader = Reader::from_reader(xml);
    let mut lines = Lines::default();
    let mut in_text = false;
    let mut buffer = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buffer)
            .map_err(|error| DocxError::Corrupt(error.to_string()))?;
        match event {
            Event::Start(element) => match element.local_name().as_ref() {
                b"t" => in_text = true,
                b"tr" => lines.start_row(),
                b"tc" => lines.start_cell(),
                _ => {}
            },
            Event::Empty(element) => match element.local_name().as_ref() {
                b"tab" => lines.text("    "),
                b"br" | b"cr" => lines.end_paragraph(),
                _ => {}
            },
            Event::Text(text) if in_text => {
                let text = text
                    .unescape()
                    .map_err(|error| DocxError::Corrupt(error.to_string()))?;
                lines.text(&text);
            }
            Event::End(element) => match element.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => lines.end_paragraph(),
                b"tr" => lines.end_row(),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    Ok(lines.out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_of_single_paragraph_cells_is_one_line_of_columns() {
        let xml = br#"<w:document xmlns:w="w"><w:body>
            <w:p><w:r><w:t>1. IDENTIFICATION</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>Nom :</w:t></w:r></w:p></w:tc>
                         <w:tc><w:p><w:r><w:t>Lejeune</w:t></w:r></w:p></w:tc></w:tr>
                   <w:tr><w:tc><w:p><w:r><w:t>&#9746; H&#244;pital</w:t></w:r></w:p>
                               <w:p><w:r><w:t>&#9744; Autre</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            </w:body></w:document>"#;
        let lines = body_lines(xml).expect("lines");
        assert_eq!(
            lines,
            vec![
                "1. IDENTIFICATION",
                "Nom :      Lejeune",
                "☒ Hôpital",
                "☐ Autre"
            ]
        );
    }

    #[test]
    fn what_is_not_a_word_document_is_corrupt_not_a_panic() {
        assert!(matches!(
            lines(b"PK\x03\x04garbage", 1024),
            Err(DocxError::Corrupt(_))
        ));
        assert!(matches!(lines(b"", 1024), Err(DocxError::Corrupt(_))));
    }
}
