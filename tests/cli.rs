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

#[test]
fn pg_dump_habits_work_on_every_subcommand() {
    for sub in [
        &["dump"][..],
        &["restore"],
        &["snapshot"],
        &["snapshot", "verify"],
        &["media", "archive"],
        &["media", "restore"],
        &["media", "verify"],
        &["bench"],
    ] {
        for flag in ["-V", "--version"] {
            let mut args = sub.to_vec();
            args.push(flag);
            let out = pgsnap(&args);
            assert!(out.status.success(), "{args:?}");
            assert_eq!(
                String::from_utf8_lossy(&out.stdout).trim(),
                format!("pgsnap {}", env!("CARGO_PKG_VERSION")),
                "{args:?}"
            );
        }
        for flag in ["-?", "--help"] {
            let mut args = sub.to_vec();
            args.push(flag);
            let out = pgsnap(&args);
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                String::from_utf8_lossy(&out.stdout).contains("Usage: pgsnap"),
                "{args:?}"
            );
        }
    }
}

#[test]
fn usage_errors_are_worded_and_exit_as_pg_dumps() {
    for (args, message) in [
        (
            &["dump", "--bogus"][..],
            "pgsnap: error: unrecognized option '--bogus'",
        ),
        (&["dump", "-k"], "pgsnap: error: invalid option -- 'k'"),
        (
            &["dump", "--format=c", "db"],
            "output format \"c\" is not supported",
        ),
        (
            &["dump", "-F", "x", "db"],
            "invalid output format \"x\" specified",
        ),
    ] {
        let out = pgsnap(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
        if args[1].starts_with("--bogus") || args[1] == "-k" {
            assert!(
                err.contains("pgsnap: hint: Try \"pgsnap dump --help\" for more information."),
                "{err}"
            );
            assert!(!err.contains("similar"), "no guessing: {err}");
        }
    }
    // -F p and --format=plain are what pgsnap writes: accepted (the server is what fails here).
    for format in [&["-F", "p"][..], &["-Fp"], &["--format=plain"]] {
        let mut args = vec!["dump"];
        args.extend_from_slice(format);
        args.extend_from_slice(&["-h", "/nonexistent-socket-dir", "db"]);
        let out = pgsnap(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "a connection failure: {err}");
        assert!(err.contains("connection to server"), "{args:?}: {err}");
    }
}

#[test]
fn help_is_grouped_as_pg_dumps_and_true() {
    let out = pgsnap(&["dump", "--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let general = text.find("General options:").expect("general");
    let content = text
        .find("Options controlling the output content:")
        .expect("content");
    let connection = text.find("Connection options:").expect("connection");
    assert!(general < content && content < connection);
    let section = |from: usize, to: usize| &text[from..to];
    assert!(section(general, content).contains("--file"));
    assert!(section(general, content).contains("--jobs"));
    assert!(section(content, connection).contains("--schema-only"));
    assert!(text[connection..].contains("--host"));
    assert!(text[connection..].contains("--role"));
    assert!(!text.contains("UTF8 only"));
    // A snapshot writes its own files: its help does not offer -f.
    let out = pgsnap(&["snapshot", "--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("--file"), "{text}");
    assert!(text.contains("--output"));
}

#[test]
fn verbose_connection_line_spells_settings_as_libpq() {
    let out = pgsnap(&["dump", "-v", "-h", "/nonexistent-socket-dir", "db"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sslmode=prefer"), "{err}");
    assert!(!err.contains("Prefer"), "{err}");
}
