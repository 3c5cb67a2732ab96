//! Benchmark of reading scanned forms (OCR): `extract`'s work over every PDF of a
//! folder, one after the other on one core (tesseract with OMP_THREAD_LIMIT=1). Not a
//! test; figures and the commands that made the scans go to BENCHMARKS.md.
//!
//!     cargo run --release --example ocr_bench -- /tmp/scans

use std::time::Instant;

use mailroom::config::Limits;
use mailroom::rules::Rules;

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/fixtures/forms".to_owned());
    let mut files: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "pdf"))
        .collect();
    files.sort();
    let rules = Rules::embedded()?;
    let limits = Limits::default();
    let (mut pages, mut forms, mut held, mut slowest) = (0u64, 0u64, 0u64, 0f64);
    let started = Instant::now();
    for file in &files {
        let bytes = std::fs::read(file)?;
        let one = Instant::now();
        let record = mailroom::form::read(&bytes, &rules.form, &limits);
        let seconds = one.elapsed().as_secs_f64();
        let read_pages = record
            .source
            .details
            .get("pages")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        slowest = slowest.max(seconds / read_pages.max(1) as f64);
        pages += read_pages;
        forms += 1;
        if record
            .problems
            .iter()
            .any(|code| code == "pdf.no_text_layer")
        {
            held += 1;
        }
        println!(
            "{}: {:?}, {read_pages} pages, {seconds:.1} s, problems {:?}",
            file.display(),
            record.source.kind,
            record.problems
        );
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{forms} scans, {pages} pages in {seconds:.1} s = {:.2} s/page (slowest form {slowest:.2} s/page); {held} held for review",
        seconds / pages.max(1) as f64
    );
    Ok(())
}
