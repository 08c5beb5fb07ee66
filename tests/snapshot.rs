//! The leader's exported snapshot really gives workers one consistent view.

mod common;

use common::*;
use pgsnap::pg::{connect, conninfo, session};

#[test]
fn workers_see_the_leaders_snapshot_not_later_writes() {
    let c = common::cluster();
    let db = c.fresh_db("snap");
    c.psql(
        &db,
        &[
            "-c",
            "CREATE TABLE t (a int); INSERT INTO t VALUES (1), (2);",
        ],
    )
    .unwrap();
    let opts = conninfo::ConnOptions {
        host: Some(c.socket_dir.to_string_lossy().into_owned()),
        port: Some(c.port.to_string()),
        user: Some("postgres".into()),
        dbname: Some(db.clone()),
    };
    let settings = conninfo::resolve(
        &opts,
        &conninfo::Sources {
            env: &|_| None,
            file: &|_| None,
            os_user: "postgres",
            home: None,
        },
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let leader = connect::connect_once(&settings).await.unwrap();
        session::apply_settings(&leader, "").await.unwrap();
        let snapshot = session::begin_leader(&leader, None, false).await.unwrap();
        // A write committed after the export must be invisible to workers on the snapshot.
        c.psql(&db, &["-c", "INSERT INTO t VALUES (3)"]).unwrap();
        let worker = connect::connect_once(&settings).await.unwrap();
        session::begin_worker(&worker, &snapshot).await.unwrap();
        let n: i64 = worker
            .query_one("SELECT count(*) FROM t", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 2, "worker saw a row committed after the snapshot");
        // --snapshot: a dump as of that snapshot, the same as pg_dump's with the same snapshot.
        let flag = format!("--snapshot={snapshot}");
        let args = ["--restrict-key=S", flag.as_str(), "-a"];
        let mine = c.pgsnap_dump(&db, &args);
        let theirs = c.pg_dump(&db, &args);
        assert_same_dump(&theirs, &mine, "--snapshot");
        let text = String::from_utf8_lossy(&mine).to_string();
        assert!(
            text.contains("COPY public.t (a) FROM stdin;\n1\n2\n\\.\n"),
            "{text}"
        );
        let fresh = connect::connect_once(&settings).await.unwrap();
        let n: i64 = fresh
            .query_one("SELECT count(*) FROM t", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 3);
    });
}
