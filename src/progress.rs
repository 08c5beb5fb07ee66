//! Progress reporting for long commands: a bar on stderr when it is a terminal (bytes, tables,
//! throughput, ETA), or one JSON object per line for scripts (`--progress=json`), or nothing.

use std::io::{IsTerminal, Write};
use std::time::Instant;

/// How to report progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProgressMode {
    /// A bar when stderr is a terminal, else nothing.
    #[default]
    Auto,
    /// Always a bar.
    Bar,
    /// JSON lines on stderr.
    Json,
    /// Nothing.
    None,
}

impl ProgressMode {
    /// Parses `--progress=auto|bar|json|none`.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(ProgressMode::Auto),
            "bar" => Ok(ProgressMode::Bar),
            "json" => Ok(ProgressMode::Json),
            "none" => Ok(ProgressMode::None),
            _ => Err(format!(
                "invalid --progress value \"{s}\" (auto, bar, json or none)"
            )),
        }
    }
}

/// A progress reporter.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    json: bool,
    start: Instant,
    tables_total: usize,
    tables_done: usize,
    table_start: Instant,
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

impl Progress {
    /// A reporter; `estimated_bytes` sizes the bar (an estimate: heap size, not text size).
    pub fn new(mode: ProgressMode, estimated_bytes: u64, tables_total: usize) -> Progress {
        let bar = match mode {
            ProgressMode::Bar => true,
            ProgressMode::Auto => std::io::stderr().is_terminal(),
            _ => false,
        };
        let bar = bar.then(|| {
            let b = indicatif::ProgressBar::with_draw_target(
                Some(estimated_bytes.max(1)),
                indicatif::ProgressDrawTarget::stderr_with_hz(4),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{bar:30}] {bytes}/~{total_bytes} {bytes_per_sec} ETA {eta} {msg}",
            ) {
                b.set_style(style.progress_chars("=> "));
            }
            b
        });
        Progress {
            bar,
            json: mode == ProgressMode::Json,
            start: Instant::now(),
            tables_total,
            tables_done: 0,
            table_start: Instant::now(),
        }
    }

    fn emit(&self, line: String) {
        if self.json {
            let mut e = std::io::stderr().lock();
            let _ = writeln!(e, "{line}");
        }
    }

    /// Whether table_end reports row counts (so the caller needs to count them).
    pub fn reports_rows(&self) -> bool {
        self.json || self.bar.is_some()
    }

    /// A phase begins ("catalog", "data", "done").
    pub fn phase(&self, name: &str) {
        self.emit(format!(
            "{{\"event\":\"phase\",\"phase\":{},\"elapsed\":{:.3}}}",
            json_str(name),
            self.start.elapsed().as_secs_f64()
        ));
    }

    /// A table's data starts.
    pub fn table_start(&mut self, name: &str) {
        self.table_start = Instant::now();
        if let Some(b) = &self.bar {
            b.set_message(format!(
                "tables {}/{} {name}",
                self.tables_done, self.tables_total
            ));
        }
        self.emit(format!(
            "{{\"event\":\"table_start\",\"table\":{}}}",
            json_str(name)
        ));
    }

    /// Bytes written.
    pub fn bytes(&self, n: u64) {
        if let Some(b) = &self.bar {
            if b.position() + n > b.length().unwrap_or(0) {
                b.set_length(b.position() + n);
            }
            b.inc(n);
        }
    }

    /// A table's data is written.
    pub fn table_end(&mut self, name: &str, bytes: u64, rows: u64) {
        self.tables_done += 1;
        self.emit(format!(
            "{{\"event\":\"table_end\",\"table\":{},\"bytes\":{bytes},\"rows\":{rows},\"seconds\":{:.3},\"tables_done\":{},\"tables_total\":{}}}",
            json_str(name),
            self.table_start.elapsed().as_secs_f64(),
            self.tables_done,
            self.tables_total
        ));
    }

    /// A table finished loading elsewhere (restore workers): bytes and seconds as measured there.
    pub fn table_loaded(&mut self, name: &str, bytes: u64, seconds: f64) {
        self.tables_done += 1;
        if let Some(b) = &self.bar {
            b.set_message(format!("tables loaded {} ({name})", self.tables_done));
        }
        self.emit(format!(
            "{{\"event\":\"table_end\",\"table\":{},\"bytes\":{bytes},\"seconds\":{seconds:.3},\"tables_done\":{}}}",
            json_str(name),
            self.tables_done
        ));
    }

    /// The command finished.
    pub fn finish(&self, bytes: u64) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        self.emit(format!(
            "{{\"event\":\"done\",\"bytes\":{bytes},\"seconds\":{:.3}}}",
            self.start.elapsed().as_secs_f64()
        ));
    }
}
