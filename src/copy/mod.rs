//! Parallel COPY: workers on the leader's exported snapshot copy tables largest first into
//! spools that the ordered writer drains in pg_dump's order. A spool holds data in memory up to
//! a shared budget and spills to a temp file beyond it; the writer streams the table it is
//! waiting for while it is still being copied, so memory stays bounded whatever the table size.

use crate::error::{Error, ErrorKind, Result};
use crate::pg::shared_socket::{self, SharedSocket};
use crate::pg::{connect, copy_out, session};
use bytes::{Bytes, BytesMut};
use futures_util::{pin_mut, StreamExt};
use std::collections::{BTreeMap, VecDeque};
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;

mod batch;
mod inserts;
pub mod lock;
mod split;
mod spool;
mod worker;

pub use self::batch::copy_table;
pub use self::split::{range_sql, Chunking, CHUNK_PAGES};
pub use self::spool::{Spool, Spools, TableSpools};
pub use self::worker::{start_workers, StopWorkers, WorkerSetup};
use self::{batch::*, split::*, spool::*, worker::*};

/// One table, or one chunk of a big table, to copy.
#[derive(Debug, Clone)]
pub struct CopyJob {
    /// `COPY ... TO stdout` to run.
    pub sql: String,
    /// Size estimate for largest-first scheduling.
    pub relpages: i64,
    /// Qualified name, for messages.
    pub name: String,
    /// INSERT statements instead of COPY text.
    pub inserts: Option<Arc<crate::inserts::InsertSpec>>,
    /// The table a worker locks (`NOWAIT`) before copying, qualified; `None` for the kinds the
    /// leader does not lock either (foreign tables).
    pub lock: Option<String>,
}

/// One table's data to copy.
#[derive(Debug, Clone)]
pub struct TableJob {
    /// The key the writer waits on (the TABLE DATA entry).
    pub entry: usize,
    /// `COPY ... TO stdout` of the whole table.
    pub sql: String,
    /// Qualified table name (for ranged `COPY (SELECT ...)`).
    pub qualified: String,
    /// Column list without parentheses; empty for zero-column tables (never split).
    pub columns: String,
    /// Heap size in pages, for largest-first scheduling and splitting.
    pub relpages: i64,
    /// Qualified name, for messages.
    pub name: String,
    /// INSERT statements instead of COPY text (never split, never batched).
    pub inserts: Option<Arc<crate::inserts::InsertSpec>>,
    /// Whether workers lock the table before copying it (the kinds the leader locks).
    pub lock: bool,
    /// `--table-data-where`'s condition, which every ranged copy adds to its own.
    pub row_filter: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_the_heap_in_order() {
        assert_eq!(
            range_sql("a, b", "public.t", 0, Some(10), None),
            "COPY (SELECT a, b FROM ONLY public.t WHERE ctid >= '(0,0)'::pg_catalog.tid AND ctid < '(10,0)'::pg_catalog.tid) TO stdout;"
        );
        assert_eq!(
            range_sql("a", "public.t", 20, None, None),
            "COPY (SELECT a FROM ONLY public.t WHERE ctid >= '(20,0)'::pg_catalog.tid) TO stdout;"
        );
        assert_eq!(
            range_sql("a", "public.t", 20, None, Some("(a > 1)")),
            "COPY (SELECT a FROM ONLY public.t WHERE ctid >= '(20,0)'::pg_catalog.tid AND (a > 1)) TO stdout;"
        );
    }

    #[test]
    fn chunk_size_follows_bytes_per_page_and_speed() {
        // 1,024 pages gave 64 MiB (64 KiB a page, TOASTed rows): aim at 8 MiB -> 128 pages.
        assert_eq!(next_chunk_pages(1024, 1024, 64 << 20, 0.5, 8 << 20), 128);
        // Narrow rows: 8 KiB a page -> 1,024 pages for 8 MiB.
        assert_eq!(next_chunk_pages(1024, 1024, 8 << 20, 0.5, 8 << 20), 1024);
        // Small chunks grow at most twofold per step, toward the ceiling...
        assert_eq!(next_chunk_pages(64, 64, 512 << 10, 0.01, 8 << 20), 128);
        // ...but never past it, however fast they went (they would spill while waiting).
        assert_eq!(next_chunk_pages(1024, 1024, 8 << 20, 0.001, 8 << 20), 1024);
        // A slow one at least halves, and the size stays within bounds.
        assert_eq!(next_chunk_pages(1024, 1024, 1 << 20, 3.0, 8 << 20), 512);
        assert_eq!(
            next_chunk_pages(16, 16, 1 << 30, 3.0, 8 << 20),
            MIN_CHUNK_PAGES
        );
        assert_eq!(
            next_chunk_pages(10000, 10000, 1, 0.01, 1 << 30),
            MAX_CHUNK_PAGES
        );
    }

    fn drained(s: &Spool) -> Vec<u8> {
        let mut out = Vec::new();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(s.drain(&mut |b| {
            out.extend_from_slice(b);
            Ok(())
        }))
        .unwrap();
        out
    }

    #[test]
    fn spool_keeps_order_across_spill() {
        let budget = Arc::new(AtomicUsize::new(10));
        let s = Spool::new(Arc::clone(&budget));
        s.push(Bytes::from_static(b"12345")).unwrap();
        s.push(Bytes::from_static(b"67890ab")).unwrap();
        s.push(Bytes::from_static(b"cd")).unwrap();
        s.finish(Ok(()));
        assert_eq!(drained(&s), b"1234567890abcd");
        assert_eq!(budget.load(Ordering::Relaxed), 10);
    }

    #[test]
    fn writer_streams_while_worker_copies() {
        let budget = Arc::new(AtomicUsize::new(1 << 20));
        let s = Spool::new(Arc::clone(&budget));
        let producer = Arc::clone(&s);
        let t = std::thread::spawn(move || {
            for i in 0..1000u32 {
                producer.push(Bytes::from(format!("{i}\n"))).unwrap();
            }
            producer.finish(Ok(()));
        });
        let out = drained(&s);
        t.join().unwrap();
        let want: String = (0..1000).map(|i| format!("{i}\n")).collect();
        assert_eq!(out, want.as_bytes());
        assert_eq!(budget.load(Ordering::Relaxed), 1 << 20);
    }

    #[test]
    fn with_no_worker_connected_the_leader_gets_every_job() {
        // A socket directory with no server: every worker fails to connect.
        let dir = tempfile::tempdir().unwrap();
        let opts = crate::pg::conninfo::ConnOptions {
            host: Some(dir.path().to_string_lossy().into_owned()),
            port: Some("1".into()),
            user: Some("nobody".into()),
            dbname: Some("nothing".into()),
            database: None,
        };
        let settings = crate::pg::conninfo::resolve_from_process(&opts).unwrap();
        let setup = WorkerSetup {
            join: session::Joining {
                settings,
                snapshot: "none".into(),
                session_sql: String::new(),
            },
            encoding: None,
            stop: Default::default(),
        };
        let job = |entry: usize, relpages: i64| TableJob {
            entry,
            sql: format!("COPY t{entry} TO stdout;"),
            qualified: format!("public.t{entry}"),
            columns: "a".into(),
            relpages,
            name: format!("public.t{entry}"),
            inserts: None,
            lock: true,
            row_filter: None,
        };
        let chunking = Chunking {
            first_pages: 4,
            adaptive: false,
        };
        let spools = start_workers(
            &setup,
            vec![job(1, 1), job(2, 100), job(3, 1)],
            3,
            1 << 20,
            chunking,
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut handed = Vec::new();
        for (entry, list) in &spools {
            let mut i = 0;
            while let Some(spool) = rt.block_on(list.chunk(i)) {
                let job = rt.block_on(spool.drain(&mut |_| Ok(()))).unwrap();
                handed.push((*entry, job.map(|j| j.sql)));
                i += 1;
            }
        }
        // Table 2 is split into ranges; each range went to the leader, as the small tables.
        assert!(handed.iter().all(|(_, sql)| sql.is_some()), "{handed:?}");
        assert_eq!(handed.iter().filter(|(e, _)| *e == 2).count(), 25);
        assert_eq!(handed.iter().filter(|(e, _)| *e != 2).count(), 2);
    }

    #[test]
    fn dropped_feed_fails_the_spool() {
        let s = Spool::new(Arc::new(AtomicUsize::new(100)));
        drop(Feed(Arc::clone(&s)));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert!(rt.block_on(s.drain(&mut |_| Ok(()))).is_err());
    }
}
