//! Table-driven tests of connection-setting resolution. Cases marked "psql" were checked
//! against psql/libpq 15 on a Debian machine (same inputs, `\conninfo` / connection outcome).

use super::*;
use std::collections::HashMap;

struct World {
    env: HashMap<&'static str, &'static str>,
    files: HashMap<PathBuf, (String, u32)>,
}

impl World {
    fn new() -> Self {
        World {
            env: HashMap::new(),
            files: HashMap::new(),
        }
    }
    fn env(mut self, k: &'static str, v: &'static str) -> Self {
        self.env.insert(k, v);
        self
    }
    fn file(mut self, p: &str, text: &str, mode: u32) -> Self {
        self.files
            .insert(PathBuf::from(p), (text.to_string(), mode));
        self
    }
    fn resolve(&self, opts: ConnOptions) -> Result<ConnSettings> {
        let env = |k: &str| self.env.get(k).map(|v| v.to_string());
        let file = |p: &Path| self.files.get(p).cloned();
        resolve(
            &opts,
            &Sources {
                env: &env,
                file: &file,
                os_user: "alice",
                home: Some(PathBuf::from("/home/alice")),
            },
        )
    }
}

fn db(d: &str) -> ConnOptions {
    ConnOptions {
        dbname: Some(d.to_string()),
        ..Default::default()
    }
}

#[test]
fn keyword_value_parsing() {
    // psql: all of these connect with the same settings.
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "host=h port=1 dbname=d",
            &[("host", "h"), ("port", "1"), ("dbname", "d")],
        ),
        ("host = h   dbname =d", &[("host", "h"), ("dbname", "d")]),
        ("password='it''s'", &[("password", "it")]),
        (
            "password='it\\'s a \\\\ test'",
            &[("password", "it's a \\ test")],
        ),
        ("password=a\\ b", &[("password", "a b")]),
        ("dbname=''", &[("dbname", "")]),
    ];
    for (input, want) in cases {
        if input.contains("''s") {
            // libpq: a doubled quote is not an escape; the value ends at the second quote and
            // the rest ("s'") is a syntax error.
            assert!(parse_keyword_value(input).is_err(), "{input}");
            continue;
        }
        let got = parse_keyword_value(input).unwrap();
        let got: Vec<(&str, &str)> = got.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(&got[..], *want, "{input}");
    }
    assert!(parse_keyword_value("host").is_err());
    assert!(parse_keyword_value("password='open").is_err());
}

#[test]
fn uri_parsing() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("postgresql://", &[]),
        ("postgresql://localhost", &[("host", "localhost")]),
        (
            "postgresql://localhost:5433/mydb",
            &[("host", "localhost"), ("port", "5433"), ("dbname", "mydb")],
        ),
        (
            "postgres://user:p%40ss%3Aw@h/db",
            &[
                ("user", "user"),
                ("password", "p@ss:w"),
                ("host", "h"),
                ("dbname", "db"),
            ],
        ),
        (
            "postgresql://h1:5432,h2:5433/db",
            &[("host", "h1,h2"), ("port", "5432,5433"), ("dbname", "db")],
        ),
        (
            "postgresql://[::1]:5433/db",
            &[("host", "::1"), ("port", "5433"), ("dbname", "db")],
        ),
        (
            "postgresql://%2Fvar%2Frun%2Fpostgresql/db",
            &[("host", "/var/run/postgresql"), ("dbname", "db")],
        ),
        (
            "postgresql:///db?host=/tmp&port=5999",
            &[("dbname", "db"), ("host", "/tmp"), ("port", "5999")],
        ),
        (
            "postgresql://h/db?ssl=true",
            &[("host", "h"), ("dbname", "db"), ("sslmode", "require")],
        ),
    ];
    for (input, want) in cases {
        let got = parse_uri(input).unwrap();
        let got: Vec<(&str, &str)> = got.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(&got[..], *want, "{input}");
    }
    assert!(parse_uri("postgresql://h/db?x").is_err());
    assert!(parse_uri("postgresql://h/%zz").is_err());
}

#[test]
fn defaults_follow_libpq() {
    let s = World::new().resolve(ConnOptions::default()).unwrap();
    assert_eq!(
        s.hosts,
        vec![HostSpec {
            host: DEFAULT_SOCKET_DIR.into(),
            hostaddr: None,
            port: 5432,
            password: None
        }]
    );
    assert_eq!((s.user.as_str(), s.dbname.as_str()), ("alice", "alice"));
    assert_eq!(s.application_name, "pgsnap");
    assert_eq!(s.sslmode, SslMode::Prefer);
    assert_eq!(s.channel_binding, ChannelBinding::Prefer);
}

#[test]
fn precedence_options_conninfo_service_env() {
    let w = World::new()
        .env("PGHOST", "envhost")
        .env("PGPORT", "6000")
        .env("PGUSER", "envuser")
        .env("PGDATABASE", "envdb")
        .env("PGSSLMODE", "require")
        .env("PGAPPNAME", "envapp");
    // -h/-U beat the environment; PGPORT fills the port.
    let s = w
        .resolve(ConnOptions {
            host: Some("cli".into()),
            user: Some("carol".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        (
            s.hosts[0].host.as_str(),
            s.hosts[0].port,
            s.user.as_str(),
            s.dbname.as_str()
        ),
        ("cli", 6000, "carol", "envdb")
    );
    assert_eq!(
        (s.sslmode, s.application_name.as_str()),
        (SslMode::Require, "envapp")
    );
    // A conninfo string's keys beat -h/-U (pg_dump applies the expanded dbname last).
    let s = w
        .resolve(ConnOptions {
            host: Some("cli".into()),
            user: Some("carol".into()),
            dbname: Some("host=ci user=u".into()),
            port: None,
            database: None,
        })
        .unwrap();
    assert_eq!(
        (s.hosts[0].host.as_str(), s.user.as_str(), s.dbname.as_str()),
        ("ci", "u", "envdb")
    );
    // A database given apart (pg_dumpall's -l, its per-database connections) beats the
    // conninfo's dbname and keeps its other keys.
    let s = w
        .resolve(ConnOptions {
            dbname: Some("host=ci dbname=first".into()),
            database: Some("second".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        (s.hosts[0].host.as_str(), s.dbname.as_str()),
        ("ci", "second")
    );
}

#[test]
fn service_file_fills_only_what_is_missing() {
    let conf = "# comment\n[other]\nhost=wrong\n\n[nautobot]\nhost=db.internal\nport=5544\ndbname=nautobot\nuser=svc\n";
    let w = World::new()
        .file("/home/alice/.pg_service.conf", conf, 0o644)
        .env("PGUSER", "envuser");
    let s = w.resolve(db("service=nautobot user=explicit")).unwrap();
    assert_eq!(
        (s.hosts[0].host.as_str(), s.hosts[0].port),
        ("db.internal", 5544)
    );
    assert_eq!(
        (s.user.as_str(), s.dbname.as_str()),
        ("explicit", "nautobot")
    );
    // PGSERVICE, and the system file when the user file lacks the service.
    let w = World::new()
        .env("PGSERVICE", "sys")
        .env("PGSYSCONFDIR", "/etc/pg")
        .file("/etc/pg/pg_service.conf", "[sys]\ndbname=fromsys\n", 0o644);
    assert_eq!(w.resolve(ConnOptions::default()).unwrap().dbname, "fromsys");
    let err = World::new()
        .resolve(db("service=nope"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("definition of service \"nope\" not found"),
        "{err}"
    );
    let w = World::new().env("PGSERVICEFILE", "/x/svc.conf").file(
        "/x/svc.conf",
        "[a]\nbogus=1\n",
        0o644,
    );
    assert!(w
        .resolve(db("service=a"))
        .unwrap_err()
        .to_string()
        .contains("invalid connection option \"bogus\""));
}

#[test]
fn pgpass_matching_rules() {
    let text = "# comment\nother:*:*:*:nope\nlocalhost:5432:nautobot:netbox:sock\\:pw\n*:*:*:netbox:star\\\\pw\n";
    assert_eq!(
        pgpass_lookup(text, "localhost", 5432, "nautobot", "netbox").as_deref(),
        Some("sock:pw")
    );
    assert_eq!(
        pgpass_lookup(text, "db", 5432, "x", "netbox").as_deref(),
        Some("star\\pw")
    );
    assert_eq!(pgpass_lookup(text, "db", 5432, "x", "nobody"), None);
    // Colons in the password field itself need no escaping.
    assert_eq!(
        pgpass_lookup("h:1:d:u:a:b:c\n", "h", 1, "d", "u").as_deref(),
        Some("a:b:c")
    );
}

#[test]
fn pgpass_is_used_only_without_password_and_with_safe_permissions() {
    let pgpass = "localhost:5432:*:alice:from-file\nsrv:5432:*:alice:tcp-pw\n";
    let w = World::new().file("/home/alice/.pgpass", pgpass, 0o600);
    // psql: the default socket directory is looked up as "localhost".
    assert_eq!(
        w.resolve(ConnOptions::default()).unwrap().hosts[0]
            .password
            .as_deref(),
        Some("from-file")
    );
    assert_eq!(
        w.resolve(db("host=srv")).unwrap().hosts[0]
            .password
            .as_deref(),
        Some("tcp-pw")
    );
    // Another socket directory is matched literally.
    assert_eq!(w.resolve(db("host=/tmp")).unwrap().hosts[0].password, None);
    // A given password wins; the file is not read.
    assert_eq!(
        w.resolve(db("password=given")).unwrap().hosts[0]
            .password
            .as_deref(),
        Some("given")
    );
    let w2 = World::new()
        .file("/home/alice/.pgpass", pgpass, 0o600)
        .env("PGPASSWORD", "env");
    assert_eq!(
        w2.resolve(ConnOptions::default()).unwrap().hosts[0]
            .password
            .as_deref(),
        Some("env")
    );
    // Group/world readable: warned about and ignored (psql prints the same warning).
    let w = World::new().file("/home/alice/.pgpass", pgpass, 0o644);
    let s = w.resolve(ConnOptions::default()).unwrap();
    assert_eq!(s.hosts[0].password, None);
    assert_eq!(
        s.warnings,
        vec!["password file \"/home/alice/.pgpass\" has group or world access; permissions should be u=rw (0600) or less"]
    );
    // PGPASSFILE and passfile= choose another file.
    let w = World::new()
        .env("PGPASSFILE", "/p")
        .file("/p", "*:*:*:*:x\n", 0o600);
    assert_eq!(
        w.resolve(ConnOptions::default()).unwrap().hosts[0]
            .password
            .as_deref(),
        Some("x")
    );
}

#[test]
fn multiple_hosts_and_ports() {
    let s = World::new()
        .resolve(db("host=a,b,/tmp port=1,2,3"))
        .unwrap();
    let got: Vec<(&str, u16)> = s.hosts.iter().map(|h| (h.host.as_str(), h.port)).collect();
    assert_eq!(got, vec![("a", 1), ("b", 2), ("/tmp", 3)]);
    let s = World::new().resolve(db("host=a,b port=7")).unwrap();
    assert!(s.hosts.iter().all(|h| h.port == 7));
    assert!(World::new().resolve(db("host=a,b,c port=1,2")).is_err());
    let s = World::new().resolve(db("hostaddr=127.0.0.1")).unwrap();
    assert_eq!(s.hosts[0].host, "127.0.0.1");
    assert_eq!(
        s.hosts[0].describe(),
        "server at \"127.0.0.1\" (127.0.0.1), port 5432"
    );
}

#[test]
fn unsupported_and_invalid_options_are_refused() {
    for bad in [
        "gssencmode=require",
        "requirepeer=postgres",
        "krbsrvname=x",
        "sslcrl=/x",
        "sslpassword=x",
        "replication=database",
        "sslmode=bogus",
        "channel_binding=maybe",
        "target_session_attrs=standby",
        "port=abc",
        "nonsense=1",
        "connect_timeout=soon",
    ] {
        assert!(
            World::new().resolve(db(bad)).is_err(),
            "{bad} should be refused"
        );
    }
    assert!(World::new()
        .resolve(db("gssencmode=prefer client_encoding=UTF8"))
        .is_ok());
}

#[test]
fn tls_and_timeouts() {
    let w = World::new()
        .env("PGSSLROOTCERT", "/certs/root.pem")
        .env("PGSSLCERT", "/certs/c.pem")
        .env("PGSSLKEY", "/certs/c.key")
        .env("PGCHANNELBINDING", "require")
        .env("PGCONNECT_TIMEOUT", "1");
    let s = w.resolve(db("sslmode=verify-full")).unwrap();
    assert_eq!(s.sslmode, SslMode::VerifyFull);
    assert_eq!(s.sslrootcert.as_deref(), Some("/certs/root.pem"));
    assert_eq!(
        (s.sslcert.as_deref(), s.sslkey.as_deref()),
        (Some("/certs/c.pem"), Some("/certs/c.key"))
    );
    assert_eq!(s.channel_binding, ChannelBinding::Require);
    assert_eq!(
        s.connect_timeout,
        Some(2),
        "libpq raises a 1 s timeout to 2 s"
    );
    // ~/.postgresql/root.crt is the default root certificate when it exists.
    let w = World::new().file("/home/alice/.postgresql/root.crt", "PEM", 0o644);
    assert_eq!(
        w.resolve(ConnOptions::default())
            .unwrap()
            .sslrootcert
            .as_deref(),
        Some("/home/alice/.postgresql/root.crt")
    );
}

#[test]
fn redacted_conninfo_hides_the_password() {
    let s = World::new().resolve(db("password=s3cret host=h")).unwrap();
    let text = s.redacted();
    assert!(
        !text.contains("s3cret") && text.contains("password=********"),
        "{text}"
    );
}

#[test]
fn client_encoding_sets_the_dump_encoding() {
    let s = World::new().resolve(db("client_encoding=LATIN1")).unwrap();
    assert_eq!(s.client_encoding.as_deref(), Some("LATIN1"));
    let s = World::new()
        .env("PGCLIENTENCODING", "EUC_JP")
        .resolve(db("x"))
        .unwrap();
    assert_eq!(s.client_encoding.as_deref(), Some("EUC_JP"));
    let s = World::new()
        .env("LANG", "en_US.UTF-8")
        .resolve(db("client_encoding=auto"))
        .unwrap();
    assert_eq!(s.client_encoding.as_deref(), Some("UTF8"));
    let s = World::new().resolve(db("client_encoding=auto")).unwrap();
    assert_eq!(s.client_encoding.as_deref(), Some("SQL_ASCII"));
    assert!(World::new()
        .env("LC_ALL", "de_DE.ISO-8859-1")
        .resolve(db("client_encoding=auto"))
        .is_err());
    assert_eq!(World::new().resolve(db("x")).unwrap().client_encoding, None);
}
