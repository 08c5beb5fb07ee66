//! `pgsnap media`: round trips, GNU tar compatibility, and hostile archives refused with the
//! target and its surroundings untouched. No server needed.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;

fn pgsnap(args: &[&OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pgsnap"))
        .args(args)
        .output()
        .unwrap()
}

fn s(p: &Path) -> &OsStr {
    p.as_os_str()
}

/// Every entry under `root`: relative path -> (kind, mode, sha256 or link target).
fn snapshot(root: &Path) -> BTreeMap<Vec<u8>, (char, u32, String)> {
    let mut out = BTreeMap::new();
    fn visit(root: &Path, dir: &Path, out: &mut BTreeMap<Vec<u8>, (char, u32, String)>) {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        for p in names {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .as_os_str()
                .as_bytes()
                .to_vec();
            let m = std::fs::symlink_metadata(&p).unwrap();
            if m.file_type().is_symlink() {
                let t = std::fs::read_link(&p).unwrap();
                out.insert(rel, ('l', 0, t.to_string_lossy().into_owned()));
            } else if m.is_dir() {
                out.insert(rel, ('d', m.mode() & 0o7777, String::new()));
                visit(root, &p, out);
            } else {
                let mut h = Sha256::new();
                let mut f = std::fs::File::open(&p).unwrap();
                std::io::copy(&mut f, &mut h).unwrap();
                out.insert(rel, ('f', m.mode() & 0o7777, hex::encode(h.finalize())));
            }
        }
    }
    visit(root, root, &mut out);
    out
}

fn make_tree(root: &Path) {
    let media = root.join("media");
    std::fs::create_dir_all(media.join("sub/deeper")).unwrap();
    std::fs::create_dir_all(media.join("empty dir")).unwrap();
    std::fs::write(media.join("plain.txt"), b"hello\n").unwrap();
    std::fs::write(media.join("empty.txt"), b"").unwrap();
    std::fs::write(media.join("with space.png"), vec![7u8; 10_000]).unwrap();
    std::fs::write(media.join("ünïcødé ✓.txt"), "unicode").unwrap();
    std::fs::write(media.join("new\nline"), b"newline in name").unwrap();
    std::fs::write(media.join(OsStr::from_bytes(b"bad\xffutf8")), b"not utf-8").unwrap();
    std::fs::write(media.join("sub/deeper/secret"), b"0600").unwrap();
    std::fs::set_permissions(
        media.join("sub/deeper/secret"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    std::fs::write(media.join("sub/run.sh"), b"#!/bin/sh\n").unwrap();
    std::fs::set_permissions(
        media.join("sub/run.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    // A 1 GB file (sparse: reads as zeros) and a few MB of incompressible data.
    let big = std::fs::File::create(media.join("sub/big.bin")).unwrap();
    big.set_len(1 << 30).unwrap();
    let mut noise = Vec::with_capacity(4 << 20);
    let mut x: u64 = 0x9E3779B97F4A7C15;
    while noise.len() < 4 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        noise.extend_from_slice(&x.to_le_bytes());
    }
    std::fs::write(media.join("sub/noise.bin"), &noise).unwrap();
    std::os::unix::fs::symlink("plain.txt", media.join("link-to-plain")).unwrap();
    std::os::unix::fs::symlink("../plain.txt", media.join("sub/up-link")).unwrap();
}

#[test]
fn round_trip_and_gnu_tar_compatibility() {
    let dir = tempfile::tempdir().unwrap();
    make_tree(dir.path());
    let media = dir.path().join("media");
    let archive = dir.path().join("media.tar.gz");
    archive_ok(&media, &archive);
    let out = pgsnap(&[OsStr::new("media"), OsStr::new("verify"), s(&archive)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let target = dir.path().join("elsewhere/media");
    let out = pgsnap(&[
        OsStr::new("media"),
        OsStr::new("restore"),
        s(&archive),
        OsStr::new("--into"),
        s(&target),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(snapshot(&media), snapshot(&target), "restored tree differs");
    // GNU tar lists and extracts the same archive.
    let list = Command::new("tar")
        .arg("-tzf")
        .arg(&archive)
        .output()
        .unwrap();
    assert!(list.status.success());
    let listing = String::from_utf8_lossy(&list.stdout);
    assert!(listing.lines().next() == Some("MANIFEST") && listing.contains("media/sub/big.bin"));
    let gnu = dir.path().join("gnu");
    std::fs::create_dir(&gnu).unwrap();
    let x = Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&gnu)
        .output()
        .unwrap();
    assert!(x.status.success(), "{}", String::from_utf8_lossy(&x.stderr));
    assert_eq!(
        snapshot(&media),
        snapshot(&gnu.join("media")),
        "GNU tar extraction differs"
    );
}

#[test]
fn seed_tarball_restores_with_no_verify() {
    let dir = tempfile::tempdir().unwrap();
    let media = dir.path().join("media");
    std::fs::create_dir_all(media.join("devicetype-images")).unwrap();
    std::fs::write(media.join("devicetype-images/front.png"), b"png").unwrap();
    let archive = dir.path().join("nautobot_media.tar.gz");
    // The seed's own command, with an absolute path: GNU tar strips the leading '/'.
    let st = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg(format!("{}/", media.display()))
        .output()
        .unwrap();
    assert!(st.status.success());
    let target = dir.path().join("restored/media");
    let out = pgsnap(&[
        OsStr::new("media"),
        OsStr::new("restore"),
        s(&archive),
        OsStr::new("--into"),
        s(&target),
    ]);
    assert_eq!(
        out.status.code(),
        Some(5),
        "a plain tarball needs --no-verify"
    );
    let out = pgsnap(&[
        OsStr::new("media"),
        OsStr::new("restore"),
        s(&archive),
        OsStr::new("--no-verify"),
        OsStr::new("--into"),
        s(&target),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(snapshot(&media), snapshot(&target));
}

#[test]
fn special_files_and_escaping_links_are_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let media = dir.path().join("media");
    std::fs::create_dir(&media).unwrap();
    std::fs::write(media.join("ok"), b"ok").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", media.join("abs-link")).unwrap();
    std::os::unix::fs::symlink("../outside", media.join("up-link")).unwrap();
    assert!(Command::new("mkfifo")
        .arg(media.join("pipe"))
        .status()
        .unwrap()
        .success());
    let archive = dir.path().join("m.tar.gz");
    let out = pgsnap(&[
        OsStr::new("media"),
        OsStr::new("archive"),
        s(&media),
        OsStr::new("-o"),
        s(&archive),
    ]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for name in ["abs-link", "up-link", "pipe"] {
        assert!(err.contains(name), "no warning for {name}: {err}");
    }
    let list = Command::new("tar")
        .arg("-tzf")
        .arg(&archive)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&list.stdout);
    assert!(listing.contains("media/ok") && !listing.contains("link") && !listing.contains("pipe"));
}

#[test]
fn unreadable_file_refuses_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let media = dir.path().join("media");
    std::fs::create_dir(&media).unwrap();
    std::fs::set_permissions(&media, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(media.join("readable"), b"x").unwrap();
    std::fs::write(media.join("secret"), b"x").unwrap();
    std::fs::set_permissions(
        media.join("readable"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    std::fs::set_permissions(media.join("secret"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let archive = dir.path().join("m.tar.gz");
    // root reads everything: run as an unprivileged user then.
    let mut cmd = if is_root() {
        // The build directory may not be reachable for `nobody` (a checkout under /root):
        // run a copy of the binary from the world-readable temp dir.
        let bin = dir.path().join("pgsnap-copy");
        std::fs::copy(env!("CARGO_BIN_EXE_pgsnap"), &bin).unwrap();
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut c = Command::new("runuser");
        c.args(["-u", "nobody", "--"]).arg(&bin);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_pgsnap"))
    };
    let out = cmd
        .args([
            OsStr::new("media"),
            OsStr::new("archive"),
            s(&media),
            OsStr::new("-o"),
            s(&archive),
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("secret") && err.contains("ermission denied"),
        "{err}"
    );
    assert!(!archive.exists());
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "media" && n != "pgsnap-copy")
        .collect();
    assert!(left.is_empty(), "temp files left behind: {left:?}");
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false)
}

// ---- hostile archives, built byte by byte ----

fn raw_header(path: &[u8], kind: u8, size: u64, link: &[u8]) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..path.len().min(100)].copy_from_slice(&path[..path.len().min(100)]);
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    if size < 1 << 33 {
        h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    } else {
        // GNU base-256 size for entries of 8 GiB and more.
        h[124] = 0x80;
        h[128..136].copy_from_slice(&size.to_be_bytes());
    }
    h[136..148].copy_from_slice(b"00000000000\0");
    h[156] = kind;
    h[157..157 + link.len().min(100)].copy_from_slice(&link[..link.len().min(100)]);
    h[257..263].copy_from_slice(b"ustar ");
    h[263..265].copy_from_slice(b" \0");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|b| *b as u32).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

struct RawTar(Vec<u8>);

impl RawTar {
    fn new() -> Self {
        RawTar(Vec::new())
    }
    fn entry(mut self, path: &[u8], kind: u8, data: &[u8], link: &[u8]) -> Self {
        if path.len() > 100 {
            let mut long = path.to_vec();
            long.push(0);
            self.0
                .extend_from_slice(&raw_header(b"././@LongLink", b'L', long.len() as u64, b""));
            self.pad_data(&long);
        }
        self.0
            .extend_from_slice(&raw_header(path, kind, data.len() as u64, link));
        self.pad_data(data);
        self
    }
    fn pad_data(&mut self, data: &[u8]) {
        self.0.extend_from_slice(data);
        let rem = data.len() % 512;
        if rem != 0 {
            self.0.extend(std::iter::repeat_n(0u8, 512 - rem));
        }
    }
    fn dir(self, p: &str) -> Self {
        self.entry(p.as_bytes(), b'5', b"", b"")
    }
    fn file(self, p: &str, data: &[u8]) -> Self {
        self.entry(p.as_bytes(), b'0', data, b"")
    }
    fn gz(mut self) -> Vec<u8> {
        self.0.extend_from_slice(&[0u8; 1024]);
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(&self.0).unwrap();
        e.finish().unwrap()
    }
}

/// Restores `archive` into `<tmp>/site/media` (pre-populated) and checks it is refused and
/// that the target, a sentinel beside it and the parent directory are exactly as before.
fn assert_refused(name: &str, archive: &[u8], extra: &[&str], needle: &str) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let target = site.join("media");
    std::fs::create_dir_all(target.join("old")).unwrap();
    std::fs::write(target.join("old/keep.txt"), b"previous content").unwrap();
    std::fs::create_dir_all(dir.path().join("outside")).unwrap();
    std::fs::write(dir.path().join("outside/sentinel"), b"untouched").unwrap();
    let file = dir.path().join("hostile.tar.gz");
    std::fs::write(&file, archive).unwrap();
    let before = (snapshot(dir.path()), snapshot(&site));
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("media"),
        OsStr::new("restore"),
        s(&file),
        OsStr::new("--into"),
        s(&target),
    ];
    args.extend(extra.iter().map(OsStr::new));
    let out = pgsnap(&args);
    let err = String::from_utf8_lossy(&out.stderr);
    // An archive that fails verification exits 5.
    assert_eq!(
        out.status.code(),
        Some(5),
        "{name}: must be refused; stderr: {err}"
    );
    assert!(
        err.contains(needle),
        "{name}: message should mention {needle:?}: {err}"
    );
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{name}: one error line: {err}"
    );
    assert_eq!(
        before,
        (snapshot(dir.path()), snapshot(&site)),
        "{name}: something changed on disk"
    );
}

#[test]
fn hostile_archives_are_refused_and_nothing_changes() {
    let nv = &["--no-verify"][..];
    assert_refused(
        "dotdot",
        &RawTar::new()
            .dir("media/")
            .file("media/../../outside/x", b"x")
            .gz(),
        nv,
        "..",
    );
    assert_refused(
        "absolute",
        &RawTar::new().dir("media/").file("/abs/path", b"x").gz(),
        nv,
        "absolute",
    );
    assert_refused(
        "abs symlink then write through",
        &RawTar::new()
            .dir("media/")
            .entry(b"media/l", b'2', b"", b"/outside")
            .file("media/l/x", b"x")
            .gz(),
        nv,
        "symlink",
    );
    assert_refused(
        "relative escaping symlink",
        &RawTar::new()
            .dir("media/")
            .entry(b"media/l", b'2', b"", b"../../outside")
            .file("media/l/x", b"x")
            .gz(),
        nv,
        "symlink",
    );
    assert_refused(
        "inside symlink then write through",
        &RawTar::new()
            .dir("media/")
            .dir("media/d/")
            .entry(b"media/l", b'2', b"", b"d")
            .file("media/l/x", b"x")
            .gz(),
        nv,
        "through a symlink",
    );
    assert_refused(
        "hardlink outside",
        &RawTar::new()
            .dir("media/")
            .entry(b"media/h", b'1', b"", b"../outside/sentinel")
            .gz(),
        nv,
        "hard link",
    );
    assert_refused(
        "char device",
        &RawTar::new()
            .dir("media/")
            .entry(b"media/c", b'3', b"", b"")
            .gz(),
        nv,
        "character device",
    );
    assert_refused(
        "block device",
        &RawTar::new()
            .dir("media/")
            .entry(b"media/b", b'4', b"", b"")
            .gz(),
        nv,
        "block device",
    );
    assert_refused(
        "fifo",
        &RawTar::new()
            .dir("media/")
            .entry(b"media/f", b'6', b"", b"")
            .gz(),
        nv,
        "fifo",
    );
    assert_refused(
        "duplicate",
        &RawTar::new()
            .dir("media/")
            .file("media/a", b"one")
            .file("media/a", b"two")
            .gz(),
        nv,
        "duplicate",
    );
    assert_refused(
        "outside top",
        &RawTar::new().dir("media/").file("other/x", b"x").gz(),
        nv,
        "outside the archive's top directory",
    );
    let long = format!("media/{}", "d/".repeat(2046));
    assert_refused(
        "4097-byte path",
        &RawTar::new().dir("media/").file(&long[..4097], b"x").gz(),
        nv,
        "longer than",
    );
    let full = RawTar::new()
        .dir("media/")
        .file("media/a", &[1u8; 5000])
        .gz();
    assert_refused("truncated", &full[..full.len() / 2], nv, "truncated");
    assert_refused(
        "no manifest",
        &RawTar::new().dir("media/").file("media/a", b"x").gz(),
        &[],
        "no MANIFEST",
    );
}

/// `pgsnap media archive SRC -o OUT`, which must succeed.
fn archive_ok(src: &Path, out: &Path) {
    let o = pgsnap(&[
        OsStr::new("media"),
        OsStr::new("archive"),
        s(src),
        OsStr::new("-o"),
        s(out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn archive_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let media = dir.path().join("media");
    std::fs::create_dir(&media).unwrap();
    for (n, d) in files {
        std::fs::write(media.join(n), d).unwrap();
    }
    let archive = dir.path().join("a.tar.gz");
    let out = pgsnap(&[
        OsStr::new("media"),
        OsStr::new("archive"),
        s(&media),
        OsStr::new("-o"),
        s(&archive),
    ]);
    assert!(out.status.success());
    std::fs::read(archive).unwrap()
}

#[test]
fn flipped_bit_and_gzip_bomb_are_refused() {
    // One flipped bit in a file's content: the MANIFEST checksum no longer matches.
    let data = vec![b'a'; 100_000];
    let gz = archive_of(&[("doc.txt", &data)]);
    let mut tar = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&gz[..]), &mut tar).unwrap();
    let pos = tar
        .windows(1000)
        .position(|w| w.iter().all(|b| *b == b'a'))
        .unwrap()
        + 500;
    tar[pos] ^= 0x01;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(&tar).unwrap();
    let flipped = e.finish().unwrap();
    assert_refused("flipped bit", &flipped, &[], "checksum");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("flipped.tar.gz");
    std::fs::write(&f, &flipped).unwrap();
    let out = pgsnap(&[OsStr::new("media"), OsStr::new("verify"), s(&f)]);
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stdout).contains("doc.txt"));

    // A gzip bomb: a header claiming 10 GiB followed by gzip members of zeros.
    let mut head = RawTar::new().dir("media/").0;
    head.extend_from_slice(&raw_header(b"media/zeros", b'0', 10 << 30, b""));
    let mut bomb = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(&head).unwrap();
        e.finish().unwrap()
    };
    let zeros = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&vec![0u8; 16 << 20]).unwrap();
        e.finish().unwrap()
    };
    for _ in 0..640 {
        bomb.extend_from_slice(&zeros);
    }
    assert_refused("gzip bomb", &bomb, &["--no-verify"], "bytes");
    assert_refused(
        "gzip bomb with cap",
        &bomb,
        &["--no-verify", "--max-size", "1000000"],
        "decompression bomb",
    );
}

#[test]
fn file_changing_during_archive_is_reported_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let media = dir.path().join("media");
    std::fs::create_dir(&media).unwrap();
    let growing = media.join("growing.log");
    std::fs::write(&growing, vec![b'x'; 64 << 20]).unwrap();
    let archive = dir.path().join("m.tar.gz");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = std::sync::Arc::clone(&stop);
        let growing = growing.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(growing)
                .unwrap();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                f.write_all(b"more\n").unwrap();
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        })
    };
    let out = pgsnap(&[
        OsStr::new("media"),
        OsStr::new("archive"),
        s(&media),
        OsStr::new("-o"),
        s(&archive),
    ]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("changed while being archived") && err.contains("growing.log"),
        "{err}"
    );
    assert!(!archive.exists());
}

/// Names in `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A media tree big enough that archiving and restoring it take a noticeable while.
fn big_tree(root: &Path) -> std::path::PathBuf {
    let media = root.join("media");
    std::fs::create_dir(&media).unwrap();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..160 {
        let mut data = Vec::with_capacity(512 << 10);
        while data.len() < 512 << 10 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            data.extend_from_slice(&x.to_le_bytes());
        }
        std::fs::write(media.join(format!("f{i:03}.bin")), data).unwrap();
    }
    media
}

/// Starts pgsnap, sends SIGTERM as soon as a temp path of its appears in `dir`, and returns
/// its exit code and error output.
fn terminated_when_temp_appears(args: &[&OsStr], dir: &Path) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgsnap"))
        .args(args)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        assert!(std::time::Instant::now() < until, "no temp path appeared");
        if names_in(dir).iter().any(|n| n.contains(".pgsnap-")) {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before it could be stopped"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let st = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn interrupted_and_refused_media_commands_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let media = big_tree(dir.path());
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let archive = out_dir.join("media.tar.gz");
    // SIGTERM while archiving: no archive, no temp file.
    let (code, err) = terminated_when_temp_appears(
        &[
            OsStr::new("media"),
            OsStr::new("archive"),
            s(&media),
            OsStr::new("-o"),
            s(&archive),
        ],
        &out_dir,
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("terminated"), "{err}");
    assert_eq!(
        names_in(&out_dir),
        Vec::<String>::new(),
        "archive left: {err}"
    );
    // A complete archive, then SIGTERM while restoring over an existing tree: the tree stays.
    archive_ok(&media, &archive);
    let place = dir.path().join("place");
    let target = place.join("media");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("old.txt"), b"old").unwrap();
    let before = snapshot(&target);
    let (code, err) = terminated_when_temp_appears(
        &[
            OsStr::new("media"),
            OsStr::new("restore"),
            s(&archive),
            OsStr::new("--into"),
            s(&target),
        ],
        &place,
    );
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(names_in(&place), ["media"], "staging left: {err}");
    assert_eq!(snapshot(&target), before, "the old tree changed");
    // --into an existing regular file: refused before anything is written, the file as it was.
    let file = place.join("a_file");
    std::fs::write(&file, b"keep me").unwrap();
    let out = pgsnap(&[
        OsStr::new("media"),
        OsStr::new("restore"),
        s(&archive),
        OsStr::new("--into"),
        s(&file),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("exists and is not a directory"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
    assert_eq!(names_in(&place), ["a_file", "media"]);
}

#[test]
fn owners_are_kept_as_tar_keeps_them() {
    assert!(
        is_root(),
        "this test gives files to another user and restores them: run it as root (as CI does)"
    );
    // A media directory owned by an application's user (here the server's, `postgres`).
    let dir = tempfile::tempdir().unwrap();
    let media = dir.path().join("media");
    std::fs::create_dir_all(media.join("images/2026")).unwrap();
    std::fs::write(media.join("images/2026/a.png"), b"png").unwrap();
    std::fs::write(media.join("notes.txt"), b"notes").unwrap();
    std::os::unix::fs::symlink("notes.txt", media.join("latest")).unwrap();
    let st = Command::new("chown")
        .args(["-R", "postgres:postgres"])
        .arg(&media)
        .status()
        .unwrap();
    assert!(st.success());
    let app_uid = std::fs::metadata(&media).unwrap().uid();
    assert_ne!(app_uid, 0);
    let archive = dir.path().join("media.tar.gz");
    archive_ok(&media, &archive);
    // tar lists the owner by name.
    let listed = Command::new("tar")
        .arg("-tvzf")
        .arg(&archive)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listed.stdout);
    assert!(listing.contains("postgres/postgres"), "{listing}");
    // Restored as root: the owners come back (by name); --no-same-owner: root owns it all.
    let owners = |root: &Path| -> std::collections::BTreeSet<u32> {
        let mut set = std::collections::BTreeSet::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(p) = stack.pop() {
            let m = std::fs::symlink_metadata(&p).unwrap();
            set.insert(m.uid());
            if m.is_dir() {
                for e in std::fs::read_dir(&p).unwrap() {
                    stack.push(e.unwrap().path());
                }
            }
        }
        set
    };
    let kept = dir.path().join("kept/media");
    let out = pgsnap(&[
        OsStr::new("media"),
        OsStr::new("restore"),
        s(&archive),
        OsStr::new("--into"),
        s(&kept),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(owners(&kept), [app_uid].into_iter().collect());
    assert_eq!(snapshot(&media), snapshot(&kept));
    let mine = dir.path().join("mine/media");
    let out = pgsnap(&[
        OsStr::new("media"),
        OsStr::new("restore"),
        s(&archive),
        OsStr::new("--into"),
        s(&mine),
        OsStr::new("--no-same-owner"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(owners(&mine), [0].into_iter().collect());
    // A non-root user restores as itself (as tar does), owners or not.
    let theirs = dir.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    let st = Command::new("chown")
        .args(["postgres:postgres"])
        .arg(&theirs)
        .status()
        .unwrap();
    assert!(st.success());
    let _ = Command::new("chmod")
        .args(["a+rx"])
        .arg(dir.path())
        .status();
    let _ = Command::new("chmod").args(["a+r"]).arg(&archive).status();
    let out = Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .arg(env!("CARGO_BIN_EXE_pgsnap"))
        .args([
            OsStr::new("media"),
            OsStr::new("restore"),
            s(&archive),
            OsStr::new("--into"),
            s(&theirs.join("media")),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        owners(&theirs.join("media")),
        [app_uid].into_iter().collect()
    );
}

#[test]
fn restore_over_an_existing_tree_replaces_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let media = dir.path().join("media");
    std::fs::create_dir_all(media.join("sub")).unwrap();
    std::fs::write(media.join("sub/a.txt"), b"new a").unwrap();
    std::fs::write(media.join("b.txt"), b"new b").unwrap();
    let archive = dir.path().join("media.tar.gz");
    archive_ok(&media, &archive);
    let target = dir.path().join("site/media");
    std::fs::create_dir_all(target.join("old")).unwrap();
    std::fs::write(target.join("old/stale.txt"), b"stale").unwrap();
    for round in 0..2 {
        // Bounded: a restore that cannot finish its swap fails the test instead of hanging it.
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pgsnap"))
            .args([
                OsStr::new("media"),
                OsStr::new("restore"),
                s(&archive),
                OsStr::new("--into"),
                s(&target),
            ])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break st;
            }
            if started.elapsed() > std::time::Duration::from_secs(60) {
                child.kill().unwrap();
                panic!("round {round}: media restore over an existing tree did not finish");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        assert!(status.success(), "round {round}");
        assert_eq!(snapshot(&target), snapshot(&media), "round {round}");
        // Nothing left beside it.
        assert_eq!(
            names_in(&dir.path().join("site")),
            ["media"],
            "round {round}"
        );
    }
}
