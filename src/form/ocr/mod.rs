//! Scanned forms (image-only PDFs): each page rendered by `pdftoppm`, cleaned, read by
//! `tesseract` (French data), laid out as text lines and read by the same label reader
//! as a text PDF (issue [forms]).
//!
//! Never a silent guess: when OCR is not installed, disabled, too slow or fails, the
//! record is empty with `pdf.no_text_layer` and `source.ocr.reason` says why; when it
//! ran but something is doubtful — low mean confidence, a box that cannot be decided
//! from its pixels, a box of the form not found, a value holding a word read with low
//! confidence, a faint stroke on a signature line — the values read are kept for the
//! coordinator, `pdf.no_text_layer` holds the form for review and `source.ocr.doubts`
//! lists why. Bounded: pages (`max_pages`), pixels per page (the resolution is lowered
//! for a large page), output sizes, and one deadline for the whole file after which the
//! running program is killed.
//!
//! Synchronous like the rest of `form/`: the programs run as child processes, one at a
//! time (`OMP_THREAD_LIMIT=1`), so one message keeps to one core.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

mod lines;
mod raster;
mod tool;
mod words;

use std::ffi::OsStr;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use super::labels;
use super::record::{FormRecord, Source, SourceKind};
use crate::config::OcrSettings;
use crate::problem::Problem;
use crate::rules::form::FormRules;

use lines::Vocabulary;
pub use lines::UNSURE;
use raster::Page;
use tool::ToolError;

/// Bytes of TSV one page may produce (a dense page gives about 100 KB).
const MAX_TSV_BYTES: usize = 4 * 1024 * 1024;

/// Reads a scan: `bytes` is the PDF, `page_sizes` its pages in points.
pub fn read_scan(
    bytes: &[u8],
    page_sizes: &[(f32, f32)],
    rules: &FormRules,
    settings: &OcrSettings,
) -> FormRecord {
    if !settings.enabled {
        return held(json!({"available": false, "reason": "OCR désactivé dans la configuration"}));
    }
    let max_pages = usize::try_from(settings.max_pages).unwrap_or(usize::MAX);
    if page_sizes.len() > max_pages {
        return held(json!({
            "available": true,
            "reason": format!("{} pages, au-delà des {max_pages} lues par OCR", page_sizes.len()),
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(settings.timeout_secs);
    let vocabulary = Vocabulary::new(rules);
    let mut pages = Vec::with_capacity(page_sizes.len());
    let mut reading = Reading::default();
    for (index, &(width, height)) in page_sizes.iter().enumerate() {
        let number = index + 1;
        let dpi = resolution(width, height, settings);
        let page = match render(bytes, number, dpi, settings, deadline) {
            Ok(page) => page,
            Err(failure) => return held(failure.details()),
        };
        let (page, words) = match upright(page, dpi, settings, deadline) {
            Ok(read) => read,
            Err(failure) => return held(failure.details()),
        };
        let page_reading = lines::lay_out(
            &words,
            &page,
            number,
            &vocabulary,
            settings.min_word_confidence,
        );
        reading.add(page_reading, &mut pages);
    }
    for line in pages.iter().flatten() {
        tracing::trace!(%line, "OCR line.");
    }
    let mut record = labels::read_ocr_text(&pages, rules);
    let mean = reading.mean_confidence();
    let mut details = Map::new();
    let summary = json!({
        "available": true,
        "engine": "tesseract",
        "language": settings.language,
        "dpi": settings.dpi,
        "mean_confidence": (mean * 10.0).round() / 10.0,
    });
    if let Value::Object(summary) = summary {
        details = summary;
    }
    if record
        .problems
        .iter()
        .any(|code| code == Problem::FormNotRecognised.as_str())
    {
        let mut empty = held(Value::Null);
        details.insert(
            "reason".to_owned(),
            "le texte reconnu n’est pas celui du formulaire".into(),
        );
        empty
            .source
            .details
            .insert("ocr".to_owned(), Value::Object(details));
        empty
            .source
            .details
            .insert("pages".to_owned(), pages.len().into());
        return empty;
    }
    let sections: Map<String, Value> = labels::section_pages(&pages, rules)
        .into_iter()
        .map(|(kind, page)| (kind.as_str().to_owned(), page.into()))
        .collect();
    details.insert("sections".to_owned(), Value::Object(sections));
    let mut doubts = reading.doubts;
    if mean < settings.min_mean_confidence {
        doubts.push(format!(
            "confiance moyenne {mean:.0} sous le seuil de {:.0}",
            settings.min_mean_confidence
        ));
    }
    doubts.extend(vocabulary.missing_options(&reading.options_seen));
    doubts.extend(unsure_values(&mut record));
    record.source.kind = SourceKind::Ocr;
    if !doubts.is_empty() {
        record.add_problem(Problem::PdfNoTextLayer);
        details.insert("doubts".to_owned(), doubts.into());
    }
    record
        .source
        .details
        .insert("ocr".to_owned(), Value::Object(details));
    record
}

/// What the pages said, gathered.
#[derive(Debug, Default)]
struct Reading {
    doubts: Vec<String>,
    options_seen: Vec<String>,
    confidence_sum: f64,
    words: usize,
}

impl Reading {
    fn add(&mut self, page: lines::PageReading, pages: &mut Vec<Vec<String>>) {
        self.doubts.extend(page.doubts);
        self.options_seen.extend(page.options_seen);
        self.confidence_sum += page.confidences.iter().sum::<f64>();
        self.words += page.confidences.len();
        pages.push(page.lines);
    }

    fn mean_confidence(&self) -> f64 {
        if self.words == 0 {
            0.0
        } else {
            self.confidence_sum / self.words as f64
        }
    }
}

/// Why no text came out of the scan.
enum Failure {
    Tool(ToolError),
    Image(usize),
}

impl Failure {
    fn details(&self) -> Value {
        match self {
            Failure::Tool(error @ ToolError::Unavailable { .. }) => {
                json!({"available": false, "reason": error.to_string()})
            }
            Failure::Tool(error) => json!({"available": true, "reason": error.to_string()}),
            Failure::Image(page) => json!({
                "available": true,
                "reason": format!("page {page} : image illisible ou trop grande"),
            }),
        }
    }
}

/// The resolution for a page: the configured one, lowered so the page stays within
/// `max_page_pixels`.
fn resolution(width_pt: f32, height_pt: f32, settings: &OcrSettings) -> u32 {
    let inches = f64::from(width_pt.max(1.0)) * f64::from(height_pt.max(1.0)) / (72.0 * 72.0);
    let fitting = (settings.max_page_pixels as f64 / inches).sqrt().floor();
    let dpi = f64::from(settings.dpi).min(fitting).max(1.0);
    dpi as u32
}

fn render(
    pdf: &[u8],
    number: usize,
    dpi: u32,
    settings: &OcrSettings,
    deadline: Instant,
) -> Result<Page, Failure> {
    let (dpi, number) = (dpi.to_string(), number.to_string());
    let args: [&OsStr; 9] = [
        "-gray".as_ref(),
        "-r".as_ref(),
        dpi.as_ref(),
        "-f".as_ref(),
        number.as_ref(),
        "-l".as_ref(),
        number.as_ref(),
        "-singlefile".as_ref(),
        "-".as_ref(),
    ];
    let max_bytes = usize::try_from(settings.max_page_pixels)
        .unwrap_or(usize::MAX)
        .saturating_add(1024);
    let pgm = tool::run(&settings.pdftoppm, &args, &[], pdf, deadline, max_bytes)
        .map_err(Failure::Tool)?;
    let page_number = number.parse().unwrap_or(0);
    Page::from_pgm(&pgm, settings.max_page_pixels).ok_or(Failure::Image(page_number))
}

/// Below this share of words read with confidence, a page may be upside down (fed the
/// wrong way into the scanner): it is read again turned, and the better reading kept.
const MIN_CONFIDENT_SHARE: f64 = 0.5;

/// A page's words, read the right way up: as rendered, or turned half a turn when that
/// reads far better.
fn upright(
    page: Page,
    dpi: u32,
    settings: &OcrSettings,
    deadline: Instant,
) -> Result<(Page, Vec<words::Word>), Failure> {
    let words = recognise(&page, dpi, settings, deadline)?;
    let share = confident_share(&words);
    if share >= MIN_CONFIDENT_SHARE {
        return Ok((page, words));
    }
    let turned = page.turned();
    let turned_words = recognise(&turned, dpi, settings, deadline)?;
    let turned_share = confident_share(&turned_words);
    tracing::debug!(share, turned_share, "A page read turned half a turn.");
    if turned_share > share && turned_words.len() * 2 >= words.len() {
        Ok((turned, turned_words))
    } else {
        Ok((page, words))
    }
}

/// The share of words read with a confidence of 70 or more (0 for no word).
fn confident_share(words: &[words::Word]) -> f64 {
    if words.is_empty() {
        return 0.0;
    }
    let confident = words.iter().filter(|word| word.confidence >= 70.0).count();
    confident as f64 / words.len() as f64
}

fn recognise(
    page: &Page,
    dpi: u32,
    settings: &OcrSettings,
    deadline: Instant,
) -> Result<Vec<words::Word>, Failure> {
    let dpi = dpi.to_string();
    // --psm 4: one column of text of various sizes, which the form is.
    let args: [&OsStr; 9] = [
        "stdin".as_ref(),
        "stdout".as_ref(),
        "-l".as_ref(),
        settings.language.as_ref(),
        "--psm".as_ref(),
        "4".as_ref(),
        "--dpi".as_ref(),
        dpi.as_ref(),
        "tsv".as_ref(),
    ];
    let tsv = tool::run(
        &settings.tesseract,
        &args,
        &[("OMP_THREAD_LIMIT", "1")],
        &page.to_pgm(),
        deadline,
        MAX_TSV_BYTES,
    )
    .map_err(Failure::Tool)?;
    Ok(words::parse(&String::from_utf8_lossy(&tsv)))
}

/// The values that hold a word read with low confidence: their paths in the record
/// (as doubts), the marks removed.
fn unsure_values(record: &mut FormRecord) -> Vec<String> {
    let Ok(mut value) = serde_json::to_value(&*record) else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    if let Some(object) = value.as_object_mut() {
        object.remove("source");
        object.remove("problems");
    }
    walk(&mut value, "", &mut paths, &mut |_| {});
    if paths.is_empty() {
        return Vec::new();
    }
    strip_marks(record);
    paths
        .into_iter()
        .map(|path| format!("valeur lue avec peu de confiance : {path}"))
        .collect()
}

fn walk(
    value: &mut Value,
    path: &str,
    paths: &mut Vec<String>,
    visit: &mut impl FnMut(&mut String),
) {
    match value {
        Value::String(text) => {
            if text.contains(UNSURE) {
                paths.push(path.to_owned());
            }
            visit(text);
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                walk(item, &format!("{path}[{index}]"), paths, visit);
            }
        }
        Value::Object(map) => walk_map(map, path, paths, visit),
        _ => {}
    }
}

fn walk_map(
    map: &mut Map<String, Value>,
    path: &str,
    paths: &mut Vec<String>,
    visit: &mut impl FnMut(&mut String),
) {
    for (key, item) in map.iter_mut() {
        let inner = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        walk(item, &inner, paths, visit);
    }
}

/// Removes [`UNSURE`] from every value of `record`.
fn strip_marks(record: &mut FormRecord) {
    let Ok(mut value) = serde_json::to_value(&*record) else {
        return;
    };
    let mut ignored = Vec::new();
    walk(&mut value, "", &mut ignored, &mut |text| {
        if text.contains(UNSURE) {
            *text = text.replace(UNSURE, "").trim().to_owned();
        }
    });
    // `signed_with` is not in the JSON: carried over from the record as read.
    let signed_with = record.signatures.legal_representative.signed_with;
    if let Ok(mut stripped) = serde_json::from_value::<FormRecord>(value) {
        stripped.signatures.legal_representative.signed_with = signed_with;
        *record = stripped;
    }
}

/// An empty record held for review: OCR gave nothing usable, `ocr` says why.
fn held(ocr: Value) -> FormRecord {
    let mut record = FormRecord::empty(SourceKind::Ocr);
    record.add_problem(Problem::PdfNoTextLayer);
    if !ocr.is_null() {
        record.source = Source::new(SourceKind::Ocr);
        record.source.details.insert("ocr".to_owned(), ocr);
    }
    record
}
