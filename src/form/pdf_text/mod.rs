//! Layout-preserving text extraction from a loaded PDF, in the manner of
//! `pdftotext -layout`: each glyph is placed where the page draws it, so a table row's
//! label and value stay on one line and a ticked box ☒ stays right before its option.
//!
//! lopdf's own `extract_text` concatenates strings in stream order and ignores their
//! positions; here each page's content streams are interpreted (graphics state, text
//! state, text objects, Form XObjects and the appearances of annotations such as
//! filled form fields), the glyphs decoded to Unicode through the fonts' `/ToUnicode`
//! CMaps or encodings, then grouped into lines by baseline.
//!
//! Pure and bounded: [`TextLimits`] caps the pages, the decoded content and the glyphs
//! of one document; damaged content is skipped rather than trusted, and nothing panics.
//!
//! Modules: `lexer` tokenizes content streams and CMaps, `cmap` reads CMaps, `encoding`
//! knows the standard encodings and glyph names, `font` loads fonts, `interp` runs the
//! operators and places glyphs, `layout` turns glyphs into lines. lopdf loads the
//! document and decompresses streams; its `Content::decode` is not used: it builds an
//! owned object per operand (about 6 ms for the six pages of the form, several times
//! what this whole module takes) and drops the rest of a stream at the first damaged
//! byte.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

mod cmap;
mod encoding;
mod font;
mod interp;
mod layout;
mod lexer;

use std::fmt;

use lopdf::{DecompressError, Dictionary, Document, Object, Stream};

use interp::{Interpreter, Matrix, PageGlyphs};

/// What the text shows where the page holds an image or a stroke drawn by hand that
/// is the size of a signature (the object replacement character).
pub const MARK: char = '\u{FFFC}';

/// One page of text, top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageText {
    /// The page number, from 1.
    pub number: u32,
    /// The lines of the page, top to bottom, with leading spaces for indentation and
    /// runs of spaces between columns; empty strings for wide vertical gaps.
    pub lines: Vec<String>,
}

/// Bounds on the work done per document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextLimits {
    /// Most pages a document may have.
    pub max_pages: usize,
    /// Most bytes of decoded content streams interpreted: page contents, Form XObjects
    /// and annotation appearances each time they run, CMaps; loading a font and
    /// running a stream also count a few kilobytes and a few bytes.
    pub max_content_bytes: usize,
    /// Most character codes shown.
    pub max_glyphs: usize,
}

impl Default for TextLimits {
    fn default() -> Self {
        TextLimits {
            max_pages: 40,
            max_content_bytes: 32 * 1024 * 1024,
            max_glyphs: 2_000_000,
        }
    }
}

/// Why text could not be extracted (the caller turns it into a problem code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    /// The document has more pages than [`TextLimits::max_pages`].
    TooManyPages,
    /// The document has more content or glyphs than [`TextLimits`] allow.
    TooMuchContent,
    /// The document's structure is broken (for instance, no page at all).
    Corrupt(String),
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::TooManyPages => write!(f, "the PDF has too many pages"),
            TextError::TooMuchContent => write!(f, "the PDF has too much content"),
            TextError::Corrupt(reason) => write!(f, "the PDF is corrupt: {reason}"),
        }
    }
}

impl std::error::Error for TextError {}

/// The text of every page of `document`, within `limits`.
pub fn extract(document: &Document, limits: &TextLimits) -> Result<Vec<PageText>, TextError> {
    let pages = document.get_pages();
    if pages.is_empty() {
        return Err(TextError::Corrupt("the document has no pages".into()));
    }
    if pages.len() > limits.max_pages {
        return Err(TextError::TooManyPages);
    }
    let mut interpreter = Interpreter::new(document, Budget::new(limits));
    let mut out = Vec::with_capacity(pages.len());
    for (number, page_id) in pages {
        let page = document
            .get_dictionary(page_id)
            .map_err(|_| TextError::Corrupt(format!("page {number} is not a dictionary")))?;
        let (ctm, width, height) = page_geometry(document, page);
        let content = document
            .get_page_content_with_limit(page_id, interpreter.budget.content_left)
            .map_err(|_| TextError::TooMuchContent)?;
        let mut glyphs = PageGlyphs::new(width, height, content.len());
        interpreter.budget.charge_content(content.len())?;
        let resources = inherited(document, page, b"Resources").and_then(|o| o.as_dict().ok());
        interpreter.run_page(&content, resources, ctm, &mut glyphs)?;
        interpreter.run_annotations(page, ctm, &mut glyphs)?;
        out.push(PageText {
            number,
            lines: layout::lines(&glyphs),
        });
    }
    Ok(out)
}

/// What is left of the [`TextLimits`] of one document.
#[derive(Debug)]
struct Budget {
    content_left: usize,
    glyphs_left: usize,
}

impl Budget {
    fn new(limits: &TextLimits) -> Self {
        Budget {
            content_left: limits.max_content_bytes,
            glyphs_left: limits.max_glyphs,
        }
    }

    fn charge_content(&mut self, bytes: usize) -> Result<(), TextError> {
        self.content_left = self
            .content_left
            .checked_sub(bytes)
            .ok_or(TextError::TooMuchContent)?;
        Ok(())
    }

    fn charge_glyphs(&mut self, count: usize) -> Result<(), TextError> {
        self.glyphs_left = self
            .glyphs_left
            .checked_sub(count)
            .ok_or(TextError::TooMuchContent)?;
        Ok(())
    }
}

/// The decoded bytes of `stream`, charged to `budget`; `None` when its filters cannot
/// be decoded.
fn stream_bytes(stream: &Stream, budget: &mut Budget) -> Result<Option<Vec<u8>>, TextError> {
    match stream.decompressed_content_with_limit(budget.content_left) {
        Ok(data) => {
            budget.charge_content(data.len())?;
            Ok(Some(data))
        }
        Err(lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. })) => {
            Err(TextError::TooMuchContent)
        }
        Err(_) => Ok(None),
    }
}

/// The size of each page as shown (crop box, `/Rotate`), in points, in page order; for
/// rendering a scan at a resolution its pixels can be bounded by.
pub fn page_sizes(document: &Document) -> Vec<(f32, f32)> {
    document
        .get_pages()
        .values()
        .map(|&id| match document.get_dictionary(id) {
            Ok(page) => {
                let (_, width, height) = page_geometry(document, page);
                (width.abs(), height.abs())
            }
            Err(_) => (612.0, 792.0),
        })
        .collect()
}

/// The initial CTM that maps user space to the page as shown (crop box, `/Rotate`;
/// 7.7.3.3, 14.11.2), with the shown width and height.
fn page_geometry(document: &Document, page: &Dictionary) -> (Matrix, f32, f32) {
    let media =
        inherited_rectangle(document, page, b"MediaBox").unwrap_or([0.0, 0.0, 612.0, 792.0]);
    let [x0, y0, x1, y1] = inherited_rectangle(document, page, b"CropBox").unwrap_or(media);
    let rotate = match inherited(document, page, b"Rotate") {
        Some(Object::Integer(degrees)) => degrees.rem_euclid(360),
        _ => 0,
    };
    let (width, height) = ((x1 - x0) as f32, (y1 - y0) as f32);
    match rotate {
        90 => ([0.0, 1.0, 1.0, 0.0, -y0, -x0], height, width),
        180 => ([-1.0, 0.0, 0.0, 1.0, x1, -y0], width, height),
        270 => ([0.0, -1.0, -1.0, 0.0, y1, x1], height, width),
        _ => ([1.0, 0.0, 0.0, -1.0, -x0, y1], width, height),
    }
}

fn inherited_rectangle(document: &Document, page: &Dictionary, key: &[u8]) -> Option<[f64; 4]> {
    let mut node = page;
    for _ in 0..MAX_TREE_DEPTH {
        if node.has(key) {
            return interp::rectangle(document, node, key);
        }
        node = dict(document, node, b"Parent")?;
    }
    None
}

/// Bound on the page tree levels walked up for an inherited attribute.
const MAX_TREE_DEPTH: usize = 32;

/// A page attribute, from the page or the nearest ancestor that has it (7.7.3.4).
fn inherited<'d>(document: &'d Document, page: &'d Dictionary, key: &[u8]) -> Option<&'d Object> {
    let mut node = page;
    for _ in 0..MAX_TREE_DEPTH {
        if let Ok(object) = node.get(key) {
            return resolve(document, object);
        }
        node = dict(document, node, b"Parent")?;
    }
    None
}

/// `object`, through references; `None` for a dangling one.
fn resolve<'d>(document: &'d Document, object: &'d Object) -> Option<&'d Object> {
    document.dereference(object).ok().map(|(_, object)| object)
}

/// The dictionary under `key`, through references.
fn dict<'d>(
    document: &'d Document,
    dictionary: &'d Dictionary,
    key: &[u8],
) -> Option<&'d Dictionary> {
    resolve(document, dictionary.get(key).ok()?)?.as_dict().ok()
}

/// The array under `key`, through references.
fn array<'d>(
    document: &'d Document,
    dictionary: &'d Dictionary,
    key: &[u8],
) -> Option<&'d [Object]> {
    resolve(document, dictionary.get(key).ok()?)?
        .as_array()
        .ok()
        .map(Vec::as_slice)
}

/// The name under `key`, through references.
fn name<'d>(document: &'d Document, dictionary: &'d Dictionary, key: &[u8]) -> Option<&'d [u8]> {
    resolve(document, dictionary.get(key).ok()?)?.as_name().ok()
}

/// The number under `key`, through references.
fn number(document: &Document, dictionary: &Dictionary, key: &[u8]) -> Option<f64> {
    match resolve(document, dictionary.get(key).ok()?)? {
        Object::Integer(value) => Some(*value as f64),
        Object::Real(value) => Some(f64::from(*value)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Object, ObjectId, Stream};

    const HOSPITAL: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/forms/a-hospital-complete.pdf"
    );
    const ECOSYSTEM: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/forms/c-ecosystem-complete.pdf"
    );
    const ACROFORM: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/forms/o-acroform-filled.pdf"
    );

    fn lines_of(path: &str) -> Vec<String> {
        let bytes = std::fs::read(path).expect("fixture");
        let document = Document::load_mem(&bytes).expect("fixture loads");
        let pages = extract(&document, &TextLimits::default()).expect("text");
        pages.into_iter().flat_map(|page| page.lines).collect()
    }

    /// Asserts that each of `expected` is on one line, after the previous one.
    fn assert_in_order(lines: &[String], expected: &[&str]) {
        let mut from = (0, 0);
        for wanted in expected {
            let found = lines
                .iter()
                .enumerate()
                .skip(from.0)
                .find_map(|(index, line)| {
                    let start = if index == from.0 { from.1 } else { 0 };
                    line.get(start..)?
                        .find(wanted)
                        .map(|at| (index, start + at + wanted.len()))
                });
            match found {
                Some(position) => from = position,
                None => panic!("{wanted:?} not found on one line after line {}", from.0),
            }
        }
    }

    /// A ticked or empty box is followed by its option on the same line, never left
    /// at the end of a line.
    fn assert_boxes_before_options(lines: &[String]) {
        for line in lines {
            for (at, _) in line.match_indices(['☒', '☐']) {
                let after = line.get(at + '☒'.len_utf8()..).unwrap_or_default();
                assert!(
                    after.starts_with(' ') && after.trim_start().starts_with(char::is_alphabetic),
                    "box without its option: {line:?}"
                );
            }
        }
    }

    #[test]
    fn hospital_form_keeps_labels_values_and_boxes_on_their_lines() {
        let lines = lines_of(HOSPITAL);
        assert_in_order(
            &lines,
            &[
                "1. IDENTIFICATION DE L’ORGANISATION",
                "Dénomination officielle : Centre Hospitalier de la Basse-Sambre",
                "☒ Hôpital (bénéficiaire final)",
                "☐ Établissement pour aînés",
                "Téléphone : +32 71 26 51 00",
                "Téléphone : 071/26.52.14",
                "☒ Décarbonation (réservé aux hôpitaux)",
                "☐ Achats durables",
                "☒ Infrastructures durables",
                "GT identifié : Décarbonation",
                "☒ Option 1 — Deux actions",
                "Action 1 envisagée : Réaliser le bilan carbone (scopes 1, 2 et 3) de l’ensemble \
                 des sites d’ici fin 2026",
                "Date : 14/04/2026",
                "Signature : Marc-Antoine Lejeune",
                "Signature : Benoît Piérard",
                "Date : 15 avril 2026",
                "Signature : Céline Hanquet",
            ],
        );
        assert_boxes_before_options(&lines);
        assert_eq!(lines.iter().filter(|l| l.contains('☒')).count(), 5);
    }

    #[test]
    fn ecosystem_form_keeps_labels_values_and_boxes_on_their_lines() {
        let lines = lines_of(ECOSYSTEM);
        assert_in_order(
            &lines,
            &[
                "Dénomination officielle : Collectif Santé-Climat Wallonie asbl",
                "☐ Hôpital (bénéficiaire final)",
                "☒ Autre acteur de l’écosystème de santé",
                "Précisez : Association sans but lucratif – réseau de professionnels de santé",
                "Adresse du siège social : Rue des Brasseurs 17, 5000 Namur",
                "Prénom : Ségolène",
                "Email : timothee.baudoux@santeclimat-wallonie.example",
                "☐ Décarbonation (réservé aux hôpitaux)",
                "Mise à disposition de nos fiches pratiques « Cabinet de soins bas carbone »",
                "☒ Nous souhaitons mettre en œuvre une action liée à la transition durable",
                "Cycle de formation « Santé planétaire » pour médecins généralistes",
                "Date : 20 mars 2026",
                "Signature : Ségolène Maréchal",
            ],
        );
        assert_boxes_before_options(&lines);
        assert_eq!(lines.iter().filter(|l| l.contains('☒')).count(), 2);
    }

    #[test]
    fn filled_fields_of_a_fillable_form_show_beside_their_labels() {
        let bytes = std::fs::read(ACROFORM).expect("fixture");
        let document = Document::load_mem(&bytes).expect("fixture loads");
        let pages = extract(&document, &TextLimits::default()).expect("text");
        assert_eq!(pages.len(), 5);
        assert_eq!(pages.first().map(|p| p.number), Some(1));
        let lines: Vec<String> = pages.into_iter().flat_map(|page| page.lines).collect();
        assert_in_order(
            &lines,
            &[
                "Formulaire d’adhésion — ASeT-W (2026-2029)",
                "Dénomination officielle : Centre Hospitalier Régional de la Semois",
                "✓ Hôpital (bénéficiaire final)",
                "Nom : Gilson",
                "Téléphone : 061 46 70 00",
                "✓ Achats durables",
                "GT identifié : Achats durables",
            ],
        );
    }

    #[test]
    fn limits_are_enforced() {
        let bytes = std::fs::read(HOSPITAL).expect("fixture");
        let document = Document::load_mem(&bytes).expect("fixture loads");
        let few_pages = TextLimits {
            max_pages: 5,
            ..TextLimits::default()
        };
        assert_eq!(extract(&document, &few_pages), Err(TextError::TooManyPages));
        let little_content = TextLimits {
            max_content_bytes: 50_000,
            ..TextLimits::default()
        };
        assert_eq!(
            extract(&document, &little_content),
            Err(TextError::TooMuchContent)
        );
        let few_glyphs = TextLimits {
            max_glyphs: 1_000,
            ..TextLimits::default()
        };
        assert_eq!(
            extract(&document, &few_glyphs),
            Err(TextError::TooMuchContent)
        );
    }

    // Hand-made documents.

    fn dictionary(entries: Vec<(&str, Object)>) -> lopdf::Dictionary {
        let mut dictionary = lopdf::Dictionary::new();
        for (key, value) in entries {
            dictionary.set(key, value);
        }
        dictionary
    }

    fn name(value: &str) -> Object {
        Object::Name(value.as_bytes().to_vec())
    }

    fn numbers(values: &[f32]) -> Object {
        Object::Array(values.iter().map(|v| Object::Real(*v)).collect())
    }

    /// A one-page (or more) document with a Helvetica font `/F1` (WinAnsi, no widths), a
    /// font `/F2` with `/Differences`, a CID font `/F3` (Identity-H, 2-byte ToUnicode)
    /// and the given XObjects, whose page contents are `contents`.
    struct Builder {
        document: Document,
        resources: lopdf::Dictionary,
        xobjects: lopdf::Dictionary,
    }

    impl Builder {
        fn new() -> Self {
            let mut document = Document::with_version("1.7");
            let helvetica = document.add_object(dictionary(vec![
                ("Type", name("Font")),
                ("Subtype", name("Type1")),
                ("BaseFont", name("Helvetica")),
                ("Encoding", name("WinAnsiEncoding")),
            ]));
            let differences = document.add_object(dictionary(vec![
                ("Type", name("Font")),
                ("Subtype", name("TrueType")),
                ("BaseFont", name("ABCDEF+Symbolish")),
                ("FirstChar", Object::Integer(1)),
                ("Widths", numbers(&[500.0, 800.0, 250.0])),
                (
                    "Encoding",
                    Object::Dictionary(dictionary(vec![
                        ("BaseEncoding", name("WinAnsiEncoding")),
                        (
                            "Differences",
                            Object::Array(vec![
                                Object::Integer(1),
                                name("eacute"),
                                name("uni2612"),
                                name("quoteright"),
                            ]),
                        ),
                    ])),
                ),
            ]));
            let cmap = b"begincmap 1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
                2 beginbfchar <0001> <2610> <0002> <0041> endbfchar\n\
                1 beginbfrange <0010> <0012> <0061> endbfrange endcmap"
                .to_vec();
            let to_unicode = document.add_object(Stream::new(lopdf::Dictionary::new(), cmap));
            let descendant = document.add_object(dictionary(vec![
                ("Type", name("Font")),
                ("Subtype", name("CIDFontType2")),
                ("DW", Object::Integer(1000)),
                (
                    "W",
                    Object::Array(vec![
                        Object::Integer(1),
                        Object::Array(vec![Object::Integer(900), Object::Integer(600)]),
                        Object::Integer(16),
                        Object::Integer(18),
                        Object::Integer(500),
                    ]),
                ),
            ]));
            let cid_font = document.add_object(dictionary(vec![
                ("Type", name("Font")),
                ("Subtype", name("Type0")),
                ("BaseFont", name("Test")),
                ("Encoding", name("Identity-H")),
                (
                    "DescendantFonts",
                    Object::Array(vec![Object::Reference(descendant)]),
                ),
                ("ToUnicode", Object::Reference(to_unicode)),
            ]));
            let fonts = dictionary(vec![
                ("F1", Object::Reference(helvetica)),
                ("F2", Object::Reference(differences)),
                ("F3", Object::Reference(cid_font)),
            ]);
            Builder {
                document,
                resources: dictionary(vec![("Font", Object::Dictionary(fonts))]),
                xobjects: lopdf::Dictionary::new(),
            }
        }

        /// Adds a Form XObject named `name` (its resources: the shared ones, so that it
        /// can invoke itself and the others).
        fn form(&mut self, name: &str, content: &[u8], matrix: Option<[f32; 6]>) -> ObjectId {
            let id = self.document.new_object_id();
            self.xobjects.set(name, Object::Reference(id));
            let mut dict = dictionary(vec![
                ("Type", super::tests::name("XObject")),
                ("Subtype", super::tests::name("Form")),
                ("BBox", numbers(&[0.0, 0.0, 612.0, 792.0])),
            ]);
            if let Some(matrix) = matrix {
                dict.set("Matrix", numbers(&matrix));
            }
            self.document
                .objects
                .insert(id, Object::Stream(Stream::new(dict, content.to_vec())));
            id
        }

        fn build(mut self, contents: &[&[u8]], page_extra: Vec<(&str, Object)>) -> Document {
            let mut resources = self.resources.clone();
            resources.set("XObject", Object::Dictionary(self.xobjects.clone()));
            let resources_id = self.document.add_object(resources.clone());
            // Forms share the page's resources.
            for id in self
                .xobjects
                .iter()
                .filter_map(|(_, o)| o.as_reference().ok())
            {
                if let Ok(Object::Stream(stream)) = self.document.get_object_mut(id) {
                    stream
                        .dict
                        .set("Resources", Object::Reference(resources_id));
                }
            }
            let pages_id = self.document.new_object_id();
            let mut kids = Vec::new();
            for content in contents {
                let content_id = self
                    .document
                    .add_object(Stream::new(lopdf::Dictionary::new(), content.to_vec()));
                let mut page = dictionary(vec![
                    ("Type", name("Page")),
                    ("Parent", Object::Reference(pages_id)),
                    ("Contents", Object::Reference(content_id)),
                    ("Resources", Object::Reference(resources_id)),
                ]);
                for (key, value) in page_extra.iter().cloned() {
                    page.set(key, value);
                }
                kids.push(Object::Reference(self.document.add_object(page)));
            }
            let count = kids.len() as i64;
            let pages = dictionary(vec![
                ("Type", name("Pages")),
                ("Kids", Object::Array(kids)),
                ("Count", Object::Integer(count)),
                ("MediaBox", numbers(&[0.0, 0.0, 612.0, 792.0])),
            ]);
            self.document
                .objects
                .insert(pages_id, Object::Dictionary(pages));
            let catalog = self.document.add_object(dictionary(vec![
                ("Type", name("Catalog")),
                ("Pages", Object::Reference(pages_id)),
            ]));
            self.document
                .trailer
                .set("Root", Object::Reference(catalog));
            self.document
        }
    }

    fn page_lines(document: &Document) -> Vec<String> {
        let pages = extract(document, &TextLimits::default()).expect("text");
        pages.into_iter().flat_map(|page| page.lines).collect()
    }

    fn trimmed(lines: &[String]) -> Vec<&str> {
        lines
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect()
    }

    #[test]
    fn glyphs_are_placed_by_position_not_by_stream_order() {
        // The box is drawn last but sits left of its option; the value is drawn before
        // its label, on the label's baseline; the second line is drawn first.
        let content = b"BT /F1 10 Tf 1 0 0 1 72 680 Tm (Second line) Tj ET\n\
            BT /F1 10 Tf 150 700 Td (Centre Hospitalier) Tj ET\n\
            BT /F1 10 Tf 72 700 Td (Nom :) Tj ET\n\
            BT /F1 10 Tf 92 660 Td (Option A) Tj ET\n\
            BT /F2 10 Tf 80 660 Td <02> Tj ET";
        let document = Builder::new().build(&[content], vec![]);
        let lines = page_lines(&document);
        let lines = trimmed(&lines);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].starts_with("Nom :"), "{lines:?}");
        assert!(lines[0].ends_with("Centre Hospitalier"), "{lines:?}");
        assert_eq!(lines[1], "Second line");
        assert_eq!(lines[2], "☒ Option A");
    }

    #[test]
    fn text_operators_move_the_pen_as_specified() {
        // TL/T*/'/" move down by the leading; TJ numbers move left in thousandths of
        // an em (a -250 offset leaves a word gap, a small one none); Tc, Tw, Tz, Ts.
        let content = b"BT /F1 10 Tf 14 TL 72 700 Td (one) Tj T* (two) Tj (three) ' \
            2 0 (four ) \" [(fi) 20 (ve) -600 (six)] TJ\n\
            0 -14 TD 3 Tc 150 Tz (seven) Tj 0 Tc 100 Tz 2 Ts (eight) Tj 0 Ts ET\n\
            BT /F2 12 Tf 72 600 Td <01> Tj <03> Tj /F3 12 Tf <000100100011> Tj ET";
        let document = Builder::new().build(&[content], vec![]);
        let lines = page_lines(&document);
        assert_eq!(
            trimmed(&lines),
            vec![
                "one",
                "two",
                "three",
                "four five six",
                "s e v e n eight",
                "é’☐ab"
            ],
            "{lines:?}"
        );
    }

    #[test]
    fn form_xobjects_are_run_with_their_matrix() {
        let mut builder = Builder::new();
        builder.form(
            "Fx",
            b"BT /F1 10 Tf 0 0 Td (inside the form) Tj ET",
            Some([1.0, 0.0, 0.0, 1.0, 0.0, 100.0]),
        );
        let content = b"BT /F1 10 Tf 72 700 Td (above) Tj ET q 1 0 0 1 72 500 cm /Fx Do Q\n\
            BT /F1 10 Tf 72 400 Td (below) Tj ET";
        let document = builder.build(&[content], vec![]);
        let lines = page_lines(&document);
        assert_eq!(trimmed(&lines), vec!["above", "inside the form", "below"]);
    }

    #[test]
    fn rotated_pages_read_top_to_bottom_as_shown() {
        // Shown turned a quarter clockwise, text running up the page reads left to
        // right, and the line further right comes lower.
        let content = b"BT /F1 10 Tf 0 1 -1 0 300 100 Tm (second) Tj ET\n\
            BT /F1 10 Tf 0 1 -1 0 280 100 Tm (first) Tj ET";
        let document = Builder::new().build(&[content], vec![("Rotate", Object::Integer(90))]);
        let lines = page_lines(&document);
        assert_eq!(trimmed(&lines), vec!["first", "second"]);
    }

    #[test]
    fn self_invoking_and_deeply_nested_forms_terminate() {
        let mut builder = Builder::new();
        builder.form(
            "Loop",
            b"BT /F1 10 Tf 72 700 Td (loop) Tj ET /Loop Do",
            None,
        );
        builder.form("A", b"/B Do BT /F1 10 Tf 72 600 Td (a) Tj ET", None);
        builder.form("B", b"/A Do q 1 0 0 1 0 -1 cm /B Do Q", None);
        // A chain of 40 forms, each invoking the next twice.
        for level in 0..40 {
            let content = format!("/Chain{next} Do /Chain{next} Do", next = level + 1);
            builder.form(&format!("Chain{level}"), content.as_bytes(), None);
        }
        let document = builder.build(&[b"/Loop Do /A Do /Chain0 Do"], vec![]);
        let lines = page_lines(&document);
        assert_eq!(trimmed(&lines), vec!["loop", "a"]);
    }

    #[test]
    fn hostile_content_returns_without_panicking() {
        let garbage: Vec<u8> = (0..20_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let contents: Vec<&[u8]> = vec![
            &garbage,
            b"BT /F1 10 Tf 72 700 Td [(A) -100000000000000000000000000000 (B) \
              999999999999999999999999999999999999 (C)] TJ ET",
            b"BT /F1 1e30 Tf 0 0 0 0 0 0 Tm (degenerate) Tj 0 Tz (zero) Tj ET",
            b"BT /F1 10 Tf 72 700 Td ((((unbalanced) Tj <414 Tj [(x) [ (y) ]] TJ ET",
            b"q q q 1e300 0 0 1e300 0 0 cm BT /F1 10 Tf (huge) Tj ET Q Q Q Q Q Q",
            b"BI /W 10 /H 10 /BPC 8 /CS /G ID \x00\xff binary data with no end",
            b"BT /Missing 10 Tf (no font) Tj /F1 Tf Tj TJ ' \" Td Tm cm Do ET",
            b")))>>]] %comment only\n BT ET ET BT",
        ];
        let document = Builder::new().build(&contents, vec![]);
        let pages = extract(&document, &TextLimits::default()).expect("hostile pages still read");
        assert_eq!(pages.len(), contents.len());
        let second = pages
            .get(1)
            .map(|p| trimmed(&p.lines).join("|"))
            .unwrap_or_default();
        // The glyphs sent off the page are dropped; the first stays.
        assert_eq!(second, "A");
    }

    #[test]
    fn damaged_real_content_returns_without_panicking() {
        let bytes = std::fs::read(HOSPITAL).expect("fixture");
        let original = Document::load_mem(&bytes).expect("fixture loads");
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut contents = Vec::new();
        for page_id in original.get_pages().into_values() {
            let mut content = original.get_page_content(page_id);
            // Overwrite about one byte in fifty with another byte of the stream.
            for _ in 0..content.len() / 50 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let len = content.len();
                let byte = content[(seed >> 32) as usize % len];
                content[seed as usize % len] = byte;
            }
            contents.push(content);
        }
        let contents: Vec<&[u8]> = contents.iter().map(Vec::as_slice).collect();
        let document = Builder::new().build(&contents, vec![]);
        let pages = extract(&document, &TextLimits::default()).expect("damaged pages still read");
        assert_eq!(pages.len(), 6);
    }

    #[test]
    fn a_document_without_pages_is_corrupt() {
        let document = Document::with_version("1.7");
        assert!(matches!(
            extract(&document, &TextLimits::default()),
            Err(TextError::Corrupt(_))
        ));
    }
}
