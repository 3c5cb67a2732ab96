//! Benchmark of the form reader: `extract`'s work (load, layout text or AcroForm, labels,
//! validation) over one PDF, N times, on one core. Not a test; figures go to BENCHMARKS.md.
//!
//!     cargo run --release --example form_bench -- tests/fixtures/forms/a-hospital-complete.pdf 1000

use std::time::Instant;

use mailroom::config::Limits;
use mailroom::rules::Rules;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "tests/fixtures/forms/a-hospital-complete.pdf".to_owned());
    let count: usize = args.next().map_or(Ok(1000), |n| n.parse())?;
    let bytes = std::fs::read(&path)?;
    let rules = Rules::embedded()?;
    let limits = Limits::default();
    let started = Instant::now();
    let mut problems = 0;
    for _ in 0..count {
        let record = mailroom::form::read(&bytes, &rules.form, &limits);
        problems += mailroom::validate::check(&record, &rules.validation).len();
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{path}: {count} forms in {seconds:.2} s = {:.0} forms/s on one core ({problems} problems)",
        count as f64 / seconds
    );
    Ok(())
}
