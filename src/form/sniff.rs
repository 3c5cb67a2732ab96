//! File types by magic bytes, never by the sender's label or file name: members' mail
//! clients send PDFs as `application/octet-stream`, inline, or with no disposition.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

/// How far into a file a PDF header may start (the PDF spec tolerates leading junk).
const PDF_HEADER_WINDOW: usize = 1024;

/// A file type as its bytes show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// `%PDF-` near the start.
    Pdf,
    /// A Word document (zip holding `word/`).
    Docx,
    /// Another zip archive.
    Zip,
    /// Outlook's `winmail.dat`.
    Tnef,
    /// PNG image.
    Png,
    /// JPEG image.
    Jpeg,
    /// Anything else.
    Unknown,
}

impl FileType {
    /// The stable name stored in the attachments table.
    pub fn as_str(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Docx => "docx",
            FileType::Zip => "zip",
            FileType::Tnef => "tnef",
            FileType::Png => "png",
            FileType::Jpeg => "jpeg",
            FileType::Unknown => "unknown",
        }
    }
}

/// The type of `bytes`.
pub fn detect(bytes: &[u8]) -> FileType {
    let window = bytes.get(..PDF_HEADER_WINDOW).unwrap_or(bytes);
    // Containers first: a winmail.dat or a zip holding a PDF shows `%PDF-` early too.
    if bytes.starts_with(&[0x78, 0x9f, 0x3e, 0x22]) {
        FileType::Tnef
    } else if contains(window, b"%PDF-") && !bytes.starts_with(b"PK\x03\x04") {
        FileType::Pdf
    } else if bytes.starts_with(b"PK\x03\x04") {
        // Local file headers store names uncompressed: a docx names `word/…` early on.
        let head = bytes.get(..64 * 1024).unwrap_or(bytes);
        if contains(head, b"word/") {
            FileType::Docx
        } else {
            FileType::Zip
        }
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        FileType::Png
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        FileType::Jpeg
    } else {
        FileType::Unknown
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_is_known_by_its_header_even_after_leading_junk() {
        assert_eq!(detect(b"%PDF-1.7\n..."), FileType::Pdf);
        assert_eq!(detect(b"\r\n\r\n%PDF-1.4\n"), FileType::Pdf);
        assert_eq!(detect(b"Hello %PD"), FileType::Unknown);
        assert_eq!(detect(b""), FileType::Unknown);
    }

    #[test]
    fn tnef_and_images_are_recognised() {
        assert_eq!(detect(&[0x78, 0x9f, 0x3e, 0x22, 0, 0]), FileType::Tnef);
        assert_eq!(detect(b"\x89PNG\r\n\x1a\n...."), FileType::Png);
        assert_eq!(detect(&[0xff, 0xd8, 0xff, 0xe0]), FileType::Jpeg);
    }
}
