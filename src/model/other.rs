//! The smaller families: schemas, extensions, languages, foreign data, publications and subscriptions, text search, large objects, policies, default privileges, and the kinds described by name alone.

use super::*;

/// Details of a Namespace object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct NamespaceDetail {
    /// Owner role.
    pub owner: String,
    /// ACL.
    pub acl: Acl,
    /// Comment.
    pub comment: Option<String>,
    /// False for `public`, which initdb creates.
    pub create: bool,
    /// Whether the definition (CREATE / owner) is emitted.
    pub dump_definition: bool,
    /// Only the privileges are dumped (pg_dump 14's public schema).
    pub acl_only: bool,
}

/// Details of a Extension object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct ExtensionDetail {
    /// Schema it is installed in.
    pub schema: String,
    /// Installed version.
    pub version: String,
    /// Comment.
    pub comment: Option<String>,
}

/// Details of a foreign-data wrapper or server (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct ForeignDetail {
    /// Owner role.
    pub owner: String,
    /// Wrapper: ` HANDLER ...` and ` VALIDATOR ...`; server: ` TYPE ...` and ` VERSION ...`.
    pub clauses: String,
    /// Server only: its foreign-data wrapper.
    pub wrapper: Option<String>,
    /// Options, formatted as pg_dump prints them ("" when none).
    pub options: String,
    /// Server only: user mappings, by user name, with their formatted options.
    pub mappings: Vec<(String, String)>,
    /// ACL.
    pub acl: Acl,
    /// Comment.
    pub comment: Option<String>,
}

/// Details of a subscription (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct SubscriptionDetail {
    /// Owner role.
    pub owner: String,
    /// `subconninfo`.
    pub conninfo: String,
    /// `subslotname` (`None`: NONE).
    pub slot: Option<String>,
    /// Publication names.
    pub publications: Vec<String>,
    /// `subbinary`.
    pub binary: bool,
    /// `substream`: `f` off, `t` on, `p` parallel.
    pub streaming: char,
    /// `subtwophasestate` is not disabled.
    pub two_phase: bool,
    /// `subdisableonerr`.
    pub disable_on_error: bool,
    /// `subpasswordrequired` (16; true before).
    pub password_required: bool,
    /// `subrunasowner` (16).
    pub run_as_owner: bool,
    /// `subfailover` (17).
    pub failover: bool,
    /// `suborigin` (16; `any` before).
    pub origin: String,
    /// `subsynccommit`.
    pub synchronous_commit: String,
    /// Comment.
    pub comment: Option<String>,
}

/// Details of a procedural language (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct LanguageDetail {
    /// Owner role.
    pub owner: String,
    /// `lanpltrusted`.
    pub trusted: bool,
    /// Handler, inline and validator functions: `None` when the language has none, else
    /// the function's dump id if pgsnap knows it as an object (not one of pg_catalog's).
    pub functions: [Option<Option<DumpId>>; 3],
    /// ACL.
    pub acl: Acl,
    /// Comment.
    pub comment: Option<String>,
}

/// Details of an object whose CREATE text is read whole from the catalog (boxed in
/// [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct SimpleDetail {
    /// Owner role, for kinds that have one.
    pub owner: Option<String>,
    /// The definition.
    pub def: SimpleDef,
    /// Comment.
    pub comment: Option<String>,
}

/// The definition of a conversion, a text search parser or a text search template (functions
/// as `regproc` text).
#[derive(Debug, Clone)]
pub enum SimpleDef {
    /// `CREATE [DEFAULT] CONVERSION ... FOR ... TO ... FROM ...`
    Conversion {
        /// `condefault`
        default: bool,
        /// Source encoding.
        from_encoding: String,
        /// Destination encoding.
        to_encoding: String,
        /// Conversion function.
        function: String,
    },
    /// `CREATE TEXT SEARCH PARSER`
    Parser {
        /// START, GETTOKEN, END functions.
        start: String,
        /// GETTOKEN function.
        gettoken: String,
        /// END function.
        end: String,
        /// HEADLINE function, when set.
        headline: Option<String>,
        /// LEXTYPES function.
        lextypes: String,
    },
    /// `CREATE TEXT SEARCH TEMPLATE`
    Template {
        /// INIT function, when set.
        init: Option<String>,
        /// LEXIZE function.
        lexize: String,
    },
}

impl Default for SimpleDef {
    fn default() -> Self {
        SimpleDef::Template {
            init: None,
            lexize: String::new(),
        }
    }
}

/// Details of a large object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct BlobDetail {
    /// Owner role.
    pub owner: String,
    /// ACL.
    pub acl: Acl,
    /// The large objects of the entry: one, or (pg_dump 17) a group sharing owner and ACL.
    pub oids: Vec<u32>,
    /// Comments, by large object.
    pub comments: Vec<(u32, String)>,
}

/// Details of a TextSearch object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct TextSearchDetail {
    /// Owner role.
    pub owner: String,
    /// Dictionary: its template; configuration: its parser (schema, name).
    pub base: (String, String),
    /// Dictionary: its options as the server prints them (`pg_dump`'s dictinitoption).
    pub init_option: Option<String>,
    /// Configuration token mappings: (token alias, dictionaries).
    pub mappings: Vec<(String, String)>,
    /// Comment.
    pub comment: Option<String>,
}

/// Details of a Publication object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct PublicationDetail {
    /// Owner role.
    pub owner: String,
    /// FOR ALL TABLES
    pub all_tables: bool,
    /// publish = '...' operations in pg_dump's order.
    pub publish: String,
    /// publish_via_partition_root
    pub via_root: bool,
    /// Comment.
    pub comment: Option<String>,
}

/// Details of a PublicationMember object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct PublicationMemberDetail {
    /// The publication.
    pub publication: DumpId,
    /// Table or schema (dump id).
    pub member: DumpId,
    /// Column list `(a, b)` for tables, if any.
    pub columns: Option<String>,
    /// Row filter expression for tables, if any.
    pub filter: Option<String>,
}

/// Details of a DefaultAcl object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct DefaultAclDetail {
    /// The role whose future objects get these privileges.
    pub role: String,
    /// defaclobjtype: 'r', 'S', 'f', 'T', 'n'.
    pub objtype: char,
    /// ACL inputs (acldefault is the type's default, or `{}` inside a schema).
    pub acl: Acl,
}

/// A policy, or the marker that a table has row security enabled (`name` is `None`).
#[derive(Debug, Clone, Default)]
pub struct PolicyDetail {
    /// Table.
    pub table: DumpId,
    /// Policy name; `None` for the ENABLE ROW LEVEL SECURITY marker.
    pub name: Option<String>,
    /// polcmd: '*', 'r', 'a', 'w', 'd'.
    pub cmd: char,
    /// PERMISSIVE (else RESTRICTIVE).
    pub permissive: bool,
    /// Role list, `None` for PUBLIC.
    pub roles: Option<String>,
    /// USING expression.
    pub qual: Option<String>,
    /// WITH CHECK expression.
    pub with_check: Option<String>,
    /// Comment.
    pub comment: Option<String>,
}
