//! Command-line behaviour that needs no server.

use std::process::Command;

fn pgsnap(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pgsnap"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn help_lists_pg_dump_options() {
    let out = pgsnap(&["dump", "--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for opt in [
        "--schema-only",
        "--data-only",
        "--exclude-table-data",
        "--jobs",
        "--restrict-key",
        "--no-password",
        "--dbname",
    ] {
        assert!(text.contains(opt), "help lacks {opt}");
    }
}

#[test]
fn conflicting_options_fail_before_connecting() {
    let out = pgsnap(&["dump", "-s", "-a", "-h", "/nonexistent", "db"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used together"));
    let out = pgsnap(&["dump", "--restrict-key=bad key", "db"]);
    assert_eq!(out.status.code(), Some(1));
    let out = pgsnap(&["dump", "-d", "a", "b"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("too many command-line arguments"));
}

#[test]
fn unknown_option_is_a_usage_error() {
    let out = pgsnap(&["dump", "--no-such-option"]);
    assert_ne!(out.status.code(), Some(0));
}
