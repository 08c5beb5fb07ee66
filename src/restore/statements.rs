//! What a statement is and how it runs: batches sharing a round trip, the script's own transactions and restricted mode, index and constraint builds in waves with their settings.

use super::*;

/// Kinds of statements that may run in parallel with each other after the data is loaded.
pub(super) fn parallel_post_data(toc: &Option<String>) -> bool {
    matches!(toc.as_deref(), Some("INDEX" | "CONSTRAINT"))
}

pub(super) fn sets_session_user(sql: &str) -> bool {
    sql.trim_start()
        .to_ascii_lowercase()
        .starts_with("set session authorization")
}

pub(super) fn is_session_setting(sql: &str) -> bool {
    let l = sql.trim_start().to_ascii_lowercase();
    (l.starts_with("set ") && !l.starts_with("set session authorization"))
        || l.starts_with("select pg_catalog.set_config(")
}

pub(super) fn creates_database(sql: &str) -> bool {
    let mut words = sql.split_whitespace();
    matches!(
        (words.next(), words.next()),
        (Some(a), Some(b)) if a.eq_ignore_ascii_case("CREATE") && b.eq_ignore_ascii_case("DATABASE")
    )
}

pub(super) fn needs_create(line: usize) -> Error {
    Error::usage(
        "the dump creates its own database and connects to it (made with pg_dump -C); \
         restore it with --create, or use a dump made without -C",
    )
    .context(format!("line {line}"))
}

/// Consecutive statements sent to the server in one round trip. The server runs such a
/// multi-statement query as one implicit transaction; when it fails, nothing of it is kept and
/// the statements are run again one by one, so that exactly those before the failing one are
/// committed and the error names its line, as with psql. (Statements that may not run in a
/// transaction block simply take that slower path.)
#[derive(Default)]
pub(super) struct StatementBatch {
    pub(super) text: String,
    pub(super) lines: Vec<(usize, std::ops::Range<usize>)>,
}

impl StatementBatch {
    const MAX_STATEMENTS: usize = 200;
    const MAX_BYTES: usize = 1 << 20;

    pub(super) fn push(&mut self, sql: String, line: usize) {
        let start = self.text.len();
        self.text.push_str(&sql);
        self.lines.push((line, start..self.text.len()));
        self.text.push('\n');
    }

    pub(super) fn full(&self) -> bool {
        self.lines.len() >= Self::MAX_STATEMENTS || self.text.len() >= Self::MAX_BYTES
    }

    pub(super) async fn run(&mut self, client: &Client) -> Result<()> {
        let result = match self.lines.as_slice() {
            [] => Ok(()),
            [(line, _)] => client
                .batch_execute(&self.text)
                .await
                .map_err(|e| at_line(*line, Error::from(e))),
            many => match client.batch_execute(&self.text).await {
                Ok(()) => Ok(()),
                Err(_) => {
                    let mut one_by_one = Ok(());
                    for (line, range) in many {
                        if let Err(e) = client.batch_execute(&self.text[range.clone()]).await {
                            one_by_one = Err(at_line(*line, Error::from(e)));
                            break;
                        }
                    }
                    one_by_one
                }
            },
        };
        self.text.clear();
        self.lines.clear();
        result
    }
}

/// Whether the script has opened a transaction of its own (`BEGIN` ... `COMMIT`), inside which
/// statements must run exactly as written.
#[derive(Default)]
pub(super) struct ScriptTransaction {
    pub(super) open: bool,
}

/// Statements that open a transaction block, and those that close one.
pub(super) const TXN_OPEN: [&str; 2] = ["BEGIN", "START"];

pub(super) const TXN_CLOSE: [&str; 4] = ["COMMIT", "END", "ROLLBACK", "ABORT"];

impl ScriptTransaction {
    pub(super) fn see(&mut self, sql: &str) {
        let word = first_word(sql);
        if TXN_OPEN.contains(&word.as_str()) {
            self.open = true;
        } else if TXN_CLOSE.contains(&word.as_str()) {
            self.open = false;
        }
    }

    pub(super) fn outside(&self) -> bool {
        !self.open
    }
}

/// A statement's first word, upper-cased (its command, for transaction control checks).
pub(super) fn first_word(sql: &str) -> String {
    sql.trim_start()
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_uppercase()
}

/// Statements of pg_dump's entries that can share a round trip: not session settings (they
/// are replayed on every connection), not transaction control, not the database's own entries.
pub(super) fn batchable(toc: &Option<String>, sql: &str) -> bool {
    let Some(toc) = toc.as_deref() else {
        return false;
    };
    let word = first_word(sql);
    !is_session_setting(sql)
        && !TXN_OPEN.contains(&word.as_str())
        && !TXN_CLOSE.contains(&word.as_str())
        && !matches!(toc, "DATABASE" | "DATABASE PROPERTIES" | "BLOBS")
}

/// psql's restricted mode (`\\restrict KEY` ... `\\unrestrict KEY`, which dumps wrap
/// themselves in so that no other meta-command in them runs), with psql's checks.
#[derive(Default)]
pub(super) struct Restricted {
    pub(super) key: Option<String>,
}

impl Restricted {
    pub(super) fn on(&self) -> bool {
        self.key.is_some()
    }

    /// Applies `\\restrict` or `\\unrestrict` with its argument; psql's message on error.
    pub(super) fn command(&mut self, cmd: &str, arg: &str) -> Result<()> {
        let key = arg.split_whitespace().next().unwrap_or("");
        if key.is_empty() {
            return Err(Error::usage(format!("\\{cmd}: missing required argument")));
        }
        match (cmd, &self.key) {
            ("restrict", Some(_)) => Err(Error::usage(
                "backslash commands are restricted; only \\unrestrict is allowed",
            )),
            ("restrict", None) => {
                self.key = Some(key.to_string());
                Ok(())
            }
            (_, None) => Err(Error::usage(
                "\\unrestrict: not currently in restricted mode",
            )),
            (_, Some(k)) if k != key => Err(Error::usage("\\unrestrict: wrong key")),
            _ => {
                self.key = None;
                Ok(())
            }
        }
    }
}

/// The session settings index and constraint entries set while their builds run in parallel
/// (pg_dump's `SET default_tablespace`), the latest of each variable.
#[derive(Default)]
pub(super) struct WaveSettings {
    pub(super) by_name: std::collections::BTreeMap<String, String>,
}

impl WaveSettings {
    pub(super) fn set(&mut self, sql: &str) {
        self.by_name.insert(setting_name(sql), sql.to_string());
    }

    /// `sql` preceded by the settings in force where it stands in the file.
    pub(super) fn ahead_of(&self, sql: String) -> String {
        if self.by_name.is_empty() {
            return sql;
        }
        let mut out: String = self.by_name.values().map(|s| format!("{s}\n")).collect();
        out.push_str(&sql);
        out
    }
}

/// The variable a `SET` or `set_config` statement sets.
pub(super) fn setting_name(sql: &str) -> String {
    let l = sql.trim_start().to_ascii_lowercase();
    if let Some(rest) = l.strip_prefix("select pg_catalog.set_config(") {
        return rest
            .trim_start()
            .trim_start_matches('\'')
            .split('\'')
            .next()
            .unwrap_or("")
            .to_string();
    }
    l.split_whitespace().nth(1).unwrap_or("").to_string()
}

/// An index or constraint build waiting for its wave to start.
pub(super) struct WaveJob {
    /// Data bytes loaded into its table (0 when unknown).
    pub(super) bytes: u64,
    pub(super) sql: String,
    pub(super) line: usize,
}

/// Tables with less data than this have their index builds batched.
pub(super) const SMALL_TABLE_BYTES: u64 = 1 << 20;

/// Index builds of small tables per batch.
pub(super) const WAVE_BATCH: usize = 50;

/// Starts a wave's builds, biggest table first (file order among equals).
pub(super) async fn start_wave(pool: &mut Pool, wave: &mut Vec<WaveJob>) -> Result<()> {
    // A stable sort keeps the file's order among tables of the same size.
    wave.sort_by_key(|job| std::cmp::Reverse(job.bytes));
    // Builds on small tables take less than their round trip: they go in batches.
    let mut batch = StatementBatch::default();
    for job in wave.drain(..) {
        if job.bytes >= SMALL_TABLE_BYTES {
            pool.spawn_sql(job.sql, job.line).await?;
            continue;
        }
        batch.push(job.sql, job.line);
        if batch.lines.len() >= WAVE_BATCH {
            pool.spawn_batch(std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.lines.is_empty() {
        pool.spawn_batch(batch).await?;
    }
    Ok(())
}

/// The table an `ALTER TABLE [ONLY] t ADD CONSTRAINT` or `CREATE [UNIQUE] INDEX i ON [ONLY] t`
/// statement works on, spelled as in the dump's `COPY` statements.
pub(super) fn post_data_table(sql: &str) -> Option<&str> {
    let sql = sql.trim_start();
    if let Some(rest) = sql.strip_prefix("ALTER TABLE ") {
        let rest = rest.strip_prefix("ONLY ").unwrap_or(rest);
        return rest.split_whitespace().next();
    }
    let rest = &sql[sql.find(" ON ")? + 4..];
    let rest = rest.strip_prefix("ONLY ").unwrap_or(rest);
    rest.split_whitespace().next()
}
