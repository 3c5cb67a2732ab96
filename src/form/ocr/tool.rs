//! Running an outside program (pdftoppm, tesseract) on bytes, within bounds: its input
//! on stdin, its output read from stdout up to a size, killed at a deadline. Nothing
//! touches the disk, and a program that hangs or floods its output costs at most the
//! time left.

use std::ffi::OsStr;
use std::io::{self, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How often the program is looked at while it runs.
const POLL: Duration = Duration::from_millis(10);

/// Bytes of stderr kept for the reason given when the program fails.
const MAX_STDERR_BYTES: u64 = 4096;

/// Why a program gave no usable output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolError {
    /// It could not be started (not installed, not executable).
    #[error("{program} n’est pas disponible : {reason}")]
    Unavailable {
        /// The program as configured.
        program: String,
        /// The system's word.
        reason: String,
    },
    /// Still running at the deadline: killed.
    #[error("{program} arrêté : temps permis dépassé")]
    TimedOut {
        /// The program.
        program: String,
    },
    /// More output than allowed: killed.
    #[error("{program} arrêté : plus de {max_bytes} octets produits")]
    TooMuchOutput {
        /// The program.
        program: String,
        /// The bound.
        max_bytes: usize,
    },
    /// It ended with a failure status.
    #[error("{program} a échoué : {message}")]
    Failed {
        /// The program.
        program: String,
        /// The first line of its error output, or its status.
        message: String,
    },
}

/// Runs `program args…` with `input` on stdin and returns its stdout, or why not.
/// `env` is added to the environment.
pub fn run(
    program: &Path,
    args: &[&OsStr],
    env: &[(&str, &str)],
    input: &[u8],
    deadline: Instant,
    max_output_bytes: usize,
) -> Result<Vec<u8>, ToolError> {
    let name = program.display().to_string();
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().map_err(|error| ToolError::Unavailable {
        program: name.clone(),
        reason: error.to_string(),
    })?;
    let (Some(mut stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(ToolError::Failed {
            program: name,
            message: "no pipes".to_owned(),
        });
    };
    let flooded = AtomicBool::new(false);
    let limit = u64::try_from(max_output_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let (status, output, errors) = std::thread::scope(|scope| {
        scope.spawn(move || {
            // A program that stops reading (it failed, or was killed) ends the write.
            let _ = stdin.write_all(input);
        });
        let reader = scope.spawn(|| {
            let mut output = Vec::new();
            let _ = stdout.take(limit).read_to_end(&mut output);
            if output.len() > max_output_bytes {
                flooded.store(true, Ordering::Relaxed);
            }
            output
        });
        let error_reader = scope.spawn(move || {
            let mut kept = Vec::new();
            let mut stderr = stderr;
            let _ = (&mut stderr).take(MAX_STDERR_BYTES).read_to_end(&mut kept);
            let _ = io::copy(&mut stderr, &mut io::sink());
            kept
        });
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) => {}
                Err(error) => break Err(error.to_string()),
            }
            if flooded.load(Ordering::Relaxed) || Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                break Err(String::new());
            }
            std::thread::sleep(POLL);
        };
        let output = reader.join().unwrap_or_default();
        let errors = error_reader.join().unwrap_or_default();
        (status, output, errors)
    });
    if flooded.load(Ordering::Relaxed) {
        return Err(ToolError::TooMuchOutput {
            program: name,
            max_bytes: max_output_bytes,
        });
    }
    match status {
        Ok(status) if status.success() => Ok(output),
        Ok(status) => {
            let text = String::from_utf8_lossy(&errors);
            let message = text
                .lines()
                .map(str::trim)
                .find(|line| !line.is_empty())
                .map_or_else(|| status.to_string(), str::to_owned);
            Err(ToolError::Failed {
                program: name,
                message,
            })
        }
        Err(reason) if reason.is_empty() => Err(ToolError::TimedOut { program: name }),
        Err(reason) => Err(ToolError::Failed {
            program: name,
            message: reason,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn soon(secs: u64) -> Instant {
        Instant::now() + Duration::from_secs(secs)
    }

    #[test]
    fn a_program_reads_its_input_and_its_output_is_returned() {
        let output = run(Path::new("cat"), &[], &[], b"bonjour", soon(10), 100);
        assert_eq!(output, Ok(b"bonjour".to_vec()));
    }

    #[test]
    fn a_missing_program_is_unavailable() {
        let output = run(
            Path::new("/nonexistent/tesseract"),
            &[],
            &[],
            b"",
            soon(10),
            100,
        );
        assert!(
            matches!(output, Err(ToolError::Unavailable { .. })),
            "{output:?}"
        );
    }

    #[test]
    fn a_program_that_hangs_is_killed_at_the_deadline() {
        let started = Instant::now();
        let output = run(
            Path::new("sleep"),
            &[OsStr::new("30")],
            &[],
            b"",
            started + Duration::from_millis(300),
            100,
        );
        assert!(
            matches!(output, Err(ToolError::TimedOut { .. })),
            "{output:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_program_that_floods_its_output_is_stopped() {
        let output = run(Path::new("yes"), &[], &[], b"", soon(10), 10_000);
        assert!(
            matches!(output, Err(ToolError::TooMuchOutput { .. })),
            "{output:?}"
        );
    }

    #[test]
    fn a_failure_says_the_first_line_of_its_errors() {
        let output = run(
            Path::new("sh"),
            &[
                OsStr::new("-c"),
                OsStr::new("echo 'Failed loading language' >&2; exit 1"),
            ],
            &[],
            b"",
            soon(10),
            100,
        );
        assert_eq!(
            output,
            Err(ToolError::Failed {
                program: "sh".to_owned(),
                message: "Failed loading language".to_owned()
            })
        );
    }
}
