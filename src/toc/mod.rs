//! TOC entries: the seam between the DDL generators and the plain-format writer, what the copy
//! workers send for a table data entry, and the archiver that makes and orders them
//! (`archive`). Pure.

pub mod archive;

use crate::model::DumpId;

/// Which of pg_restore's passes prints an entry (`_tocEntryRestorePass`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pass {
    /// Everything but ACLs and the post-ACL items.
    Main,
    /// GRANT/REVOKE.
    Acl,
    /// Materialized view refreshes (and event triggers).
    PostAcl,
}

/// pg_dump's `teSection`: which `--section` an entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Definitions restored before the data.
    PreData,
    /// Table data and sequence values.
    Data,
    /// Indexes, constraints, triggers and the like.
    PostData,
    /// Comments, ACLs: they belong to the section of the entry before them.
    None,
}

impl Section {
    /// The section pg_dump gives an entry of this kind.
    pub fn of(desc: &str) -> Section {
        match desc {
            "TABLE DATA" | "SEQUENCE SET" | "BLOB METADATA" | "BLOBS" => Section::Data,
            "INDEX"
            | "INDEX ATTACH"
            | "CONSTRAINT"
            | "FK CONSTRAINT"
            | "CHECK CONSTRAINT"
            | "TRIGGER"
            | "EVENT TRIGGER"
            | "RULE"
            | "POLICY"
            | "ROW SECURITY"
            | "PUBLICATION"
            | "PUBLICATION TABLE"
            | "PUBLICATION TABLES IN SCHEMA"
            | "STATISTICS"
            | "SUBSCRIPTION"
            | "MATERIALIZED VIEW DATA"
            | "DEFAULT ACL" => Section::PostData,
            "COMMENT" | "ACL" | "SECURITY LABEL" => Section::None,
            _ => Section::PreData,
        }
    }
}

/// `--section` choices (all three when none is given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sections {
    /// `pre-data`
    pub pre_data: bool,
    /// `data`
    pub data: bool,
    /// `post-data`
    pub post_data: bool,
}

impl Default for Sections {
    fn default() -> Self {
        Sections {
            pre_data: true,
            data: true,
            post_data: true,
        }
    }
}

impl Sections {
    /// Parses the `--section` values; none means all.
    pub fn parse(values: &[String]) -> crate::error::Result<Sections> {
        if values.is_empty() {
            return Ok(Sections::default());
        }
        let mut s = Sections {
            pre_data: false,
            data: false,
            post_data: false,
        };
        for v in values {
            match v.as_str() {
                "pre-data" => s.pre_data = true,
                "data" => s.data = true,
                "post-data" => s.post_data = true,
                other => {
                    return Err(crate::error::Error::usage(format!(
                        "unrecognized section name: \"{other}\""
                    )))
                }
            }
        }
        Ok(s)
    }

    /// Whether an entry in `section` (never `None`: resolve it first) is wanted.
    pub fn wants(&self, section: Section) -> bool {
        match section {
            Section::PreData => self.pre_data,
            Section::Data => self.data,
            Section::PostData => self.post_data,
            Section::None => true,
        }
    }
}

/// One archive entry as pg_dump's `ArchiveEntry` records it.
#[derive(Debug, Clone)]
pub struct TocEntry {
    /// `desc`: "TABLE", "INDEX", "TABLE DATA", ...
    pub desc: &'static str,
    /// `tag`: the name shown in the `-- Name:` line.
    pub tag: String,
    /// Schema name, if any.
    pub namespace: Option<String>,
    /// Owner role; `None` prints as "-", `Some("")` prints as nothing (pg_dump's NULL vs "").
    pub owner: Option<String>,
    /// Tablespace ("" = default), `None` when the entry has none.
    pub tablespace: Option<String>,
    /// Table access method, for tables and materialized views.
    pub tableam: Option<String>,
    /// The SQL definition (createStmt).
    pub defn: String,
    /// The statement `-c/--clean` prints ahead of everything (dropStmt); empty when none.
    pub drop: String,
    /// `ALTER ... OWNER TO ...;` to print after the definition, unless `--no-owner`.
    pub owner_stmt: Option<String>,
    /// Print pass.
    pub pass: Pass,
    /// For TABLE DATA: the table to COPY and the `COPY ... FROM stdin;` line.
    pub data: Option<TableCopy>,
    /// For pg_dump 17's `BLOB METADATA` and `BLOBS` entries: their group of large objects
    /// (the archiver prints one command per large object).
    pub large_objects: Vec<u32>,
    /// The section, where the kind does not decide it (pg_dump 18's STATISTICS DATA: a
    /// table's in the data section, an index's in post-data).
    pub section: Option<Section>,
}

impl TocEntry {
    /// The `--section` this entry belongs to.
    pub fn section(&self) -> Section {
        self.section.unwrap_or_else(|| Section::of(self.desc))
    }
}

/// What a TABLE DATA entry prints around its rows.
#[derive(Debug, Clone)]
pub struct TableCopy {
    /// Dump id of the table.
    pub table: DumpId,
    /// `COPY public.t (a, b) FROM stdin;\n` (empty when the rows are INSERT statements).
    pub copy_stmt: String,
    /// The rows are INSERT statements (`--inserts` and friends).
    pub as_inserts: bool,
    /// With `--load-via-partition-root`, for a partition: the root table the rows go into
    /// (pg_dump prints it as a comment ahead of the data).
    pub via_root: Option<String>,
}

/// What the copy workers send to the server for one TABLE DATA entry.
#[derive(Debug, Clone)]
pub struct CopySource {
    /// Dump id of the table.
    pub table: DumpId,
    /// `COPY public.t (a, b) TO stdout;`
    pub copy_out_sql: String,
    /// Relation size in pages, for scheduling largest first and splitting.
    pub relpages: i64,
    /// Qualified table name (for chunked `COPY (SELECT ...)`).
    pub qualified_name: String,
    /// Column list without parentheses (`a, b`) for ranged copies; empty where the table is
    /// never split (no columns, a row filter, not a plain table).
    pub columns: String,
    /// With `--inserts` and friends: the data is INSERT statements made from this.
    pub inserts: Option<std::sync::Arc<crate::inserts::InsertSpec>>,
    /// `--table-data-where`'s condition: ranged copies add it to their own.
    pub row_filter: Option<String>,
}

impl TocEntry {
    /// A main-pass entry with the given description, tag and definition.
    pub fn new(desc: &'static str, tag: impl Into<String>, defn: impl Into<String>) -> Self {
        TocEntry {
            desc,
            tag: tag.into(),
            namespace: None,
            owner: None,
            tablespace: None,
            tableam: None,
            defn: defn.into(),
            drop: String::new(),
            owner_stmt: None,
            pass: Pass::Main,
            data: None,
            large_objects: Vec::new(),
            section: None,
        }
    }

    /// Sets the schema.
    pub fn ns(mut self, ns: Option<&str>) -> Self {
        self.namespace = ns.map(str::to_string);
        self
    }

    /// Sets the owner.
    pub fn owner(mut self, owner: &str) -> Self {
        self.owner = Some(owner.to_string());
        self
    }

    /// Sets the drop statement.
    pub fn drop(mut self, drop: String) -> Self {
        self.drop = drop;
        self
    }

    /// Whether this entry carries table data (pg_dump prints "Data for Name").
    pub fn is_data(&self) -> bool {
        matches!(self.desc, "TABLE DATA" | "BLOBS")
    }
}
