//! pgsnap: a native reimplementation of `pg_dump` that writes pg_dump-identical plain SQL.
//!
//! ```text
//! cli -> plan -> pg (connect, session, snapshot) -> catalog (queries -> model)
//!     -> sort (priority + topological order) -> ddl (model -> TOC entries)
//!     -> copy (parallel COPY into spools) -> output (plain text, ordered, atomic sink)
//! ```
#![warn(missing_docs)]

pub mod bench;
pub mod catalog;
pub mod cleanup;
pub mod cli;
pub mod copy;
pub mod database;
pub mod ddl;
pub mod dialect;
pub mod dump;
pub mod dumpall;
pub mod error;
pub mod filter_file;
pub mod inserts;
pub mod large_objects;
pub mod media;
pub mod model;
pub mod output;
pub mod pg;
pub mod plan;
pub mod progress;
pub mod restore;
pub mod snapshot;
pub mod sort;
pub mod toc;
