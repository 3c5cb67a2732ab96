//! Opening a PDF within bounds (lopdf). Corrupt and password-protected files are
//! problems, not errors; decompression is capped per stream.

use lopdf::{Document, LoadOptions};

use crate::config::Limits;
use crate::problem::Problem;

/// The number of pages of the PDF in `bytes`.
///
/// Files encrypted with an empty user password (common in exports) are decrypted by
/// lopdf on load; one that stays encrypted needs a password we do not have.
pub fn page_count(bytes: &[u8], limits: &Limits) -> Result<u32, Problem> {
    let options = LoadOptions {
        max_decompressed_size: Some(limits.max_pdf_decompressed_bytes),
        ..LoadOptions::default()
    };
    let document = Document::load_mem_with_options(bytes, options).map_err(|error| {
        tracing::debug!(%error, "PDF did not load.");
        Problem::PdfCorrupt
    })?;
    if document.is_encrypted() {
        return Err(Problem::PdfEncrypted);
    }
    u32::try_from(document.get_pages().len()).map_err(|_| Problem::PdfCorrupt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/forms")
            .join(name);
        std::fs::read(path).expect("fixture")
    }

    #[test]
    fn the_libreoffice_export_of_the_form_has_six_pages() {
        let pages = page_count(&fixture("a-hospital-complete.pdf"), &Limits::default());
        assert_eq!(pages, Ok(6));
    }

    #[test]
    fn a_truncated_pdf_is_corrupt() {
        let bytes = fixture("a-hospital-complete.pdf");
        let truncated = bytes.get(..bytes.len() / 3).unwrap_or_default();
        assert_eq!(
            page_count(truncated, &Limits::default()),
            Err(Problem::PdfCorrupt)
        );
    }

    #[test]
    fn garbage_after_the_header_is_corrupt_not_a_panic() {
        assert_eq!(
            page_count(b"%PDF-1.4\n\x00\x01garbage", &Limits::default()),
            Err(Problem::PdfCorrupt)
        );
    }
}
