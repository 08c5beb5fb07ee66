//! What differs between the pg_dump majors' text: one place that says, per major, what the
//! script looks like where they disagree. Everything else is the same for every major.

/// The pg_dump major whose text is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dialect {
    /// The major (14 to 18).
    pub major: u32,
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect { major: 15 }
    }
}

/// The oldest pg_dump that runs here: a 13 server's dump is written as pg_dump 14 writes it.
pub const OLDEST: u32 = 14;
/// The newest pg_dump major pgsnap writes.
pub const NEWEST: u32 = 18;

impl Dialect {
    /// The text of the server's own major's pg_dump (14's for a 13 server).
    pub fn for_server(server_num: u32) -> Dialect {
        Dialect {
            major: (server_num / 10000).clamp(OLDEST, NEWEST),
        }
    }

    /// `--as-pg-dump=major` for a server of `server_num`: pg_dump refuses a server newer than
    /// itself, and so does this.
    pub fn asked(major: u32, server_num: u32) -> crate::error::Result<Dialect> {
        let server_major = server_num / 10000;
        if major < server_major {
            return Err(crate::error::Error::usage(format!(
                "--as-pg-dump={major}: the server is PostgreSQL {server_major}, and pg_dump {major} \
                 refuses a newer server (server version mismatch)"
            )));
        }
        Ok(Dialect { major })
    }

    /// Refuses a switch of a newer pg_dump than this one, in pg_dump's words and with what to
    /// do; `server_major` says why this pg_dump's text is written.
    pub fn check_options(
        self,
        options: &[(&'static str, u32)],
        server_major: Option<u32>,
    ) -> crate::error::Result<()> {
        let Some((name, since)) = options.iter().find(|(_, since)| *since > self.major) else {
            return Ok(());
        };
        let why = match server_major {
            Some(m) => format!(
                "the PostgreSQL {m} server's dump is written as pg_dump {} writes it",
                self.major
            ),
            None => format!("--as-pg-dump={}", self.major),
        };
        Err(crate::error::Error::usage(format!(
            "unrecognized option '{name}': pg_dump {} has no such option ({why}; \
             --as-pg-dump={since} or later takes it)",
            self.major
        )))
    }

    /// pg_dump 15 and later name the locale provider in CREATE DATABASE (libc for an older
    /// server's database); 14 has none to name.
    pub fn database_locale_provider(self) -> bool {
        self.major >= 15
    }

    /// pg_dumpall 14 heads each role's settings with "User Configurations" and each setting
    /// with its own "User Config"; 15 and later head the section once and each role once.
    pub fn user_config_per_setting(self) -> bool {
        self.major < 15
    }

    /// pg_dump 14 gives a foreign table's entry the (empty) tablespace of the table it
    /// describes, so `SET default_tablespace = ''` precedes it; 15 and later name none.
    pub fn foreign_table_tablespace(self) -> bool {
        self.major < 15
    }

    /// pg_dump 14 dumps only the public schema's privileges, compared with what initdb gave it
    /// (pg_init_privs); 15 and later also its owner and comment, and compare its privileges
    /// with 15's default.
    pub fn public_schema_acl_only(self) -> bool {
        self.major < 15
    }

    /// The object type in `ALTER ... OWNER TO` of a relation whose entry is `desc`: pg_dump 16
    /// and later name sequences, views and materialized views as what they are; 15 and 14
    /// alter them all as tables.
    pub fn relation_owner_type(self, desc: &str) -> &str {
        match desc {
            "SEQUENCE" | "VIEW" | "MATERIALIZED VIEW" if self.major >= 16 => desc,
            "FOREIGN TABLE" => desc,
            _ => "TABLE",
        }
    }

    /// pg_dump 15 and older print an empty object name and its space in default privileges
    /// (`ON TABLES  TO`); 16 prints one space.
    pub fn default_acl_double_space(self) -> bool {
        self.major <= 15
    }

    /// Whether a child cancels only a parent's own default that is not `NULL` (16 and later)
    /// rather than any default a parent has or inherits (15 and older), in flagInhAttrs.
    pub fn default_null_from_own_defaults_only(self) -> bool {
        self.major >= 16
    }

    /// pg_dump 17 and later reset `transaction_timeout` at the start of a script.
    pub fn sets_transaction_timeout(self) -> bool {
        self.major >= 17
    }

    /// pg_dump 17 and later set a foreign table column's options with `ALTER FOREIGN TABLE
    /// ONLY`.
    pub fn foreign_column_options_only(self) -> &'static str {
        if self.major >= 17 {
            "ONLY "
        } else {
            ""
        }
    }

    /// pg_dump 17 and later dump large objects in groups (same owner and privileges, at most
    /// 1,000 each) as data-section `BLOB METADATA` entries, with one `BLOBS` entry per group;
    /// 16 and older give each its own pre-data `BLOB` entry and all their contents one
    /// `BLOBS` entry.
    pub fn groups_large_objects(self) -> bool {
        self.major >= 17
    }

    /// pg_dump 18 prints NOT NULL constraints as 18 servers store them: named when not the
    /// default name, NO INHERIT, only where the table has them of its own.
    pub fn named_not_null(self) -> bool {
        self.major >= 18
    }

    /// pg_dump 18 dumps a publication's tables and `TABLES IN SCHEMA` with the publication,
    /// whether or not the table or schema is dumped.
    pub fn publication_members_follow_publication(self) -> bool {
        self.major >= 18
    }

    /// pg_dump 18 writes `streaming = off` (18's default became parallel); older ones leave
    /// it out.
    pub fn subscription_streaming_off(self) -> bool {
        self.major >= 18
    }
}

/// Large objects per `BLOB METADATA` entry (pg_dump 17's MAX_BLOBS_PER_ARCHIVE_ENTRY).
pub const LARGE_OBJECTS_PER_ENTRY: usize = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_servers_major_picks_its_pg_dump_and_13_takes_14s() {
        assert_eq!(Dialect::for_server(130023).major, 14);
        assert_eq!(Dialect::for_server(150018).major, 15);
        assert_eq!(Dialect::for_server(180004).major, 18);
    }

    #[test]
    fn relations_are_owned_by_their_own_type_from_16() {
        let old = Dialect { major: 15 };
        let new = Dialect { major: 16 };
        assert_eq!(old.relation_owner_type("SEQUENCE"), "TABLE");
        assert_eq!(new.relation_owner_type("SEQUENCE"), "SEQUENCE");
        assert_eq!(old.relation_owner_type("FOREIGN TABLE"), "FOREIGN TABLE");
        assert_eq!(new.relation_owner_type("TABLE"), "TABLE");
    }
}
