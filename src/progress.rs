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
    pub fn parse(s: &str) -> crate::error::Result<Self> {
        match s {
            "auto" => Ok(ProgressMode::Auto),
            "bar" => Ok(ProgressMode::Bar),
            "json" => Ok(ProgressMode::Json),
            "none" => Ok(ProgressMode::None),
            _ => Err(crate::error::Error::usage(format!(
                "invalid --progress value \"{s}\" (auto, bar, json or none)"
            ))),
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
    /// The name of the closing event: `done`, or `database_done` when this reporter's work is
    /// one part of a larger command's (which ends the stream with its own `done`).
    done_event: &'static str,
}

/// The time left, once it means something: after a few seconds and a few percent (an
/// estimate from the first instants of a dump says days).
fn eta_known(state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write) {
    if state.elapsed().as_secs() >= 3 && state.fraction() >= 0.05 && state.fraction() < 1.0 {
        let _ = write!(w, " ETA {}", indicatif::HumanDuration(state.eta()));
    }
}

/// `12.3 MB` (decimal megabytes, as the summary line says them).
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
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
            // The fixed part takes under 70 columns; the message (tables, the current one)
            // fills what the terminal has left and is cut there, so the line never wraps.
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:20}] {percent:>3}% {bytes:>10} {bytes_per_sec:>12}{eta_known} {wide_msg}",
            ) {
                b.set_style(style.progress_chars("=> ").with_key("eta_known", eta_known));
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
            done_event: "done",
        }
    }

    /// This reporter's work is one database of a larger command (`dumpall`, `snapshot`): its
    /// closing event is `database_done`, the command's own `done` comes last.
    pub fn part_of_larger(mut self) -> Progress {
        self.done_event = "database_done";
        self
    }

    /// A command's own closing event, with the facts it adds (`"key":value` pairs).
    pub fn finish_with(&self, facts: &[(&str, String)]) {
        let mut line = format!(
            "{{\"event\":\"done\",\"seconds\":{:.3}",
            self.start.elapsed().as_secs_f64()
        );
        for (k, v) in facts {
            line.push_str(&format!(",{}:{v}", json_str(k)));
        }
        line.push('}');
        self.emit(line);
    }

    /// A JSON string value, for [`Progress::finish_with`].
    pub fn json(s: &str) -> String {
        json_str(s)
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

    /// The bar's message: tables done (of how many, when known) and the current one.
    fn tables_message(&self, current: &str) -> String {
        if self.tables_total > 0 {
            format!(
                "tables {}/{} {current}",
                self.tables_done, self.tables_total
            )
        } else {
            format!("tables {} {current}", self.tables_done)
        }
    }

    /// A table's data starts.
    pub fn table_start(&mut self, name: &str) {
        self.table_start = Instant::now();
        if let Some(b) = &self.bar {
            b.set_message(self.tables_message(name));
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
            b.set_message(self.tables_message(name));
        }
        self.emit(format!(
            "{{\"event\":\"table_end\",\"table\":{},\"bytes\":{bytes},\"seconds\":{seconds:.3},\"tables_done\":{}}}",
            json_str(name),
            self.tables_done
        ));
    }

    /// Completes the bar at 100% (the total was an estimate) and leaves it on the screen.
    fn complete_bar(&self) {
        if let Some(b) = &self.bar {
            b.set_message(self.tables_message(""));
            b.set_length(b.position().max(1));
            b.set_position(b.position().max(1));
            b.finish();
            // The bar stays on its line; what follows starts on the next.
            eprintln!();
        }
    }

    /// The command finished (its own summary line follows).
    pub fn finish(&self, bytes: u64) {
        self.complete_bar();
        self.emit(format!(
            "{{\"event\":\"{}\",\"bytes\":{bytes},\"seconds\":{:.3}}}",
            self.done_event,
            self.start.elapsed().as_secs_f64()
        ));
    }

    /// One database of several begins (`pgsnap dumpall`): a line on a terminal, an event in
    /// JSON.
    pub fn database(&self, name: &str, number: usize, total: usize) {
        if self.bar.is_some() {
            eprintln!("pgsnap: database {number}/{total}: {name}");
        }
        self.emit(format!(
            "{{\"event\":\"database\",\"database\":{},\"number\":{number},\"of\":{total},\"elapsed\":{:.3}}}",
            json_str(name),
            self.start.elapsed().as_secs_f64()
        ));
    }

    /// A whole cluster's dump finished: one summary line on a terminal, the `done` event.
    pub fn finish_dumpall(&self, bytes: u64, databases: usize) {
        let seconds = self.start.elapsed().as_secs_f64();
        if self.bar.is_some() {
            eprintln!(
                "pgsnap: dumped the globals and {databases} databases, {} in {seconds:.1} s",
                megabytes(bytes)
            );
        }
        self.emit(format!(
            "{{\"event\":\"done\",\"bytes\":{bytes},\"seconds\":{seconds:.3},\"databases\":{databases}}}"
        ));
    }

    /// A dump finished: one summary line on a terminal (`dumped N tables, X MB in Y s (Z MB/s)
    /// to FILE`), the same facts in the JSON `done` event.
    pub fn finish_dump(&self, bytes: u64, tables: usize, target: &str) {
        self.complete_bar();
        let seconds = self.start.elapsed().as_secs_f64();
        let rate = bytes as f64 / 1e6 / seconds.max(1e-3);
        if self.bar.is_some() {
            eprintln!(
                "pgsnap: dumped {tables} tables, {} in {seconds:.1} s ({rate:.1} MB/s) to {target}",
                megabytes(bytes)
            );
        }
        self.emit(format!(
            "{{\"event\":\"{}\",\"bytes\":{bytes},\"seconds\":{seconds:.3},\"tables\":{tables},\"megabytes_per_second\":{rate:.3},\"target\":{}}}",
            self.done_event,
            json_str(target)
        ));
    }
}
