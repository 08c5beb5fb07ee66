//! The dump model: every catalog object pg_dump would know about, with dump ids and
//! dependencies. Pure data; built by `catalog`, ordered by `sort`, turned into text by `ddl`.

use std::collections::BTreeMap;

/// Index of an object in [`Catalog::objects`]; doubles as pg_dump's dump id (order of creation).
pub type DumpId = usize;

/// A catalog row's identity: the OID of the catalog table it lives in, and its own OID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct CatalogId {
    /// OID of the system catalog (`pg_class`, `pg_type`, ...).
    pub tableoid: u32,
    /// OID of the object within that catalog.
    pub oid: u32,
}

/// pg_dump's `DumpableObjectType`, for the kinds pgsnap models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `DO_NAMESPACE`
    Namespace,
    /// `DO_EXTENSION`
    Extension,
    /// `DO_TRANSFORM`
    Transform,
    /// `DO_PROCLANG`
    Language,
    /// `DO_CONVERSION`
    Conversion,
    /// `DO_TSPARSER`
    TsParser,
    /// `DO_TSTEMPLATE`
    TsTemplate,
    /// `DO_TYPE` (base, enum, domain, composite, array, range)
    Type,
    /// `DO_DUMMY_TYPE`: a table's row type, sorted after tables
    DummyType,
    /// `DO_SHELL_TYPE`: `CREATE TYPE name;` ahead of a base type's I/O functions
    ShellType,
    /// `DO_CAST`
    Cast,
    /// `DO_FUNC`
    Func,
    /// `DO_AGG`
    Agg,
    /// `DO_COLLATION`
    Collation,
    /// `DO_ACCESS_METHOD`
    AccessMethod,
    /// `DO_OPERATOR`
    Operator,
    /// `DO_OPFAMILY`
    OpFamily,
    /// `DO_OPCLASS`
    OpClass,
    /// `DO_TSDICT`
    TsDict,
    /// `DO_FDW`
    ForeignDataWrapper,
    /// `DO_FOREIGN_SERVER` (with its user mappings)
    ForeignServer,
    /// `DO_TSCONFIG`
    TsConfig,
    /// `DO_TABLE`: tables, views, materialized views, sequences, composite-type relations
    Table,
    /// `DO_TABLE_ATTACH`
    TableAttach,
    /// `DO_ATTRDEF`: a column default
    AttrDef,
    /// `DO_INDEX`
    Index,
    /// `DO_INDEX_ATTACH`
    IndexAttach,
    /// `DO_RULE`
    Rule,
    /// `DO_TRIGGER`
    Trigger,
    /// `DO_CONSTRAINT`: check, primary key, unique, exclusion (table or domain)
    Constraint,
    /// `DO_FK_CONSTRAINT`
    FkConstraint,
    /// `DO_TABLE_DATA`
    TableData,
    /// `DO_SEQUENCE_SET`
    SequenceSet,
    /// `DO_REFRESH_MATVIEW`
    RefreshMatview,
    /// `DO_POLICY`: a row-level security policy, or (without a name) "row security enabled"
    Policy,
    /// `DO_DEFAULT_ACL`: `ALTER DEFAULT PRIVILEGES`
    DefaultAcl,
    /// `DO_STATSEXT`: extended statistics
    StatsExt,
    /// `DO_EVENT_TRIGGER`
    EventTrigger,
    /// `DO_PUBLICATION`
    Publication,
    /// `DO_PUBLICATION_REL`: a table in a publication
    PublicationRel,
    /// `DO_PUBLICATION_TABLE_IN_SCHEMA`: a schema in a publication
    PublicationSchema,
    /// `DO_SUBSCRIPTION`
    Subscription,
    /// `DO_BLOB`: a large object's existence, owner, comment and privileges
    Blob,
    /// `DO_BLOB_DATA`: the contents of every large object
    BlobData,
    /// `DO_PRE_DATA_BOUNDARY`
    PreDataBoundary,
    /// `DO_POST_DATA_BOUNDARY`
    PostDataBoundary,
}

/// One object of the model.
#[derive(Debug, Clone, Default)]
pub struct Obj {
    /// Its kind.
    pub kind: Option<Kind>,
    /// Catalog identity (zero for synthesized objects such as table data).
    pub cat: CatalogId,
    /// Containing schema's name, if the object lives in one (shared: one allocation per schema,
    /// not per object).
    pub namespace: Option<std::sync::Arc<str>>,
    /// pg_dump's `dobj.name`.
    pub name: Box<str>,
    /// Dump ids this object must come after.
    pub deps: smallvec::SmallVec<[DumpId; 2]>,
    /// Whether its definition is emitted.
    pub dump: bool,
    /// Only its privileges are dumped: an extension member, or a system catalog object whose
    /// privileges changed since initdb (pg_dump's ACL-only dump component).
    pub acl_only: bool,
    /// Kind-specific details.
    pub detail: Detail,
}

impl Obj {
    /// The object's kind; every object is created with one.
    pub fn kind(&self) -> Kind {
        self.kind.unwrap_or(Kind::PreDataBoundary)
    }

    /// Adds a dependency, once.
    pub fn add_dep(&mut self, id: DumpId) {
        if !self.deps.contains(&id) {
            self.deps.push(id);
        }
    }

    /// Removes a dependency.
    pub fn remove_dep(&mut self, id: DumpId) {
        self.deps.retain(|d| *d != id);
    }
}

/// Privileges as pg_dump reads them: current ACL, the owner's default and `pg_init_privs`.
#[derive(Debug, Clone, Default)]
pub struct Acl {
    /// The object's ACL (`relacl`, ...), `None` when NULL (meaning the default).
    pub acl: Option<String>,
    /// `acldefault(kind, owner)`.
    pub acldefault: String,
    /// `pg_init_privs.initprivs`, if any.
    pub initprivs: Option<String>,
}

/// A table column as `getTableAttrs` reads it.
#[derive(Debug, Clone, Default)]
pub struct Column {
    /// `attnum`
    pub num: i16,
    /// `attname`
    pub name: String,
    /// `format_type(atttypid, atttypmod)`
    pub type_name: String,
    /// `attnotnull`
    pub not_null: bool,
    /// `attisdropped`
    pub dropped: bool,
    /// `attislocal`
    pub is_local: bool,
    /// `attstattarget` (-1: default)
    pub stat_target: i32,
    /// `attstorage`
    pub storage: char,
    /// the type's `typstorage`
    pub type_storage: char,
    /// `attidentity` ('a', 'd' or none)
    pub identity: Option<char>,
    /// `attgenerated` ('s' or none)
    pub generated: Option<char>,
    /// `attcompression` when set
    pub compression: Option<char>,
    /// Dump id of its default, if any.
    pub default: Option<DumpId>,
    /// Collation, options, comment and ACL, which most columns lack (boxed: there can be
    /// hundreds of thousands of columns).
    pub extra: Option<Box<ColumnExtra>>,
}

/// Rarely set column properties.
#[derive(Debug, Clone, Default)]
pub struct ColumnExtra {
    /// Non-default collation, qualified and quoted.
    pub collation: Option<String>,
    /// `attoptions` as `a=b, c=d`
    pub options: Option<String>,
    /// A foreign table column's options, formatted as pg_dump prints them.
    pub fdw_options: Option<String>,
    /// Comment on the column.
    pub comment: Option<String>,
    /// Column ACL.
    pub acl: Option<Acl>,
}

impl Column {
    /// Non-default collation, qualified and quoted.
    pub fn collation(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.collation.as_ref())
    }

    /// `attoptions` as `a=b, c=d`.
    pub fn options(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.options.as_ref())
    }

    /// A foreign table column's options (see [`ColumnExtra`]).
    pub fn fdw_options(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.fdw_options.as_ref())
    }

    /// Comment on the column.
    pub fn comment(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.comment.as_ref())
    }

    /// Column ACL.
    pub fn acl(&self) -> Option<&Acl> {
        self.extra.as_ref().and_then(|x| x.acl.as_ref())
    }

    /// The rare properties, created on first use.
    pub fn extra_mut(&mut self) -> &mut ColumnExtra {
        self.extra.get_or_insert_with(Box::default)
    }
}

/// Kind-specific details.
#[derive(Debug, Clone, Default)]
pub enum Detail {
    /// No details.
    #[default]
    None,
    /// Schema.
    Namespace(Box<NamespaceDetail>),
    /// Extension.
    Extension(Box<ExtensionDetail>),
    /// Type.
    Type(Box<TypeDetail>),
    /// Function or aggregate.
    Func(Box<FuncDetail>),
    /// Collation.
    Collation(Box<CollationDetail>),
    /// Table-like relation.
    Table(Box<TableDetail>),
    /// Partition attachment: the partition's dump id and its parent's.
    TableAttach {
        /// The partition.
        partition: DumpId,
        /// The partitioned parent.
        parent: DumpId,
    },
    /// Column default.
    AttrDef {
        /// Table.
        table: DumpId,
        /// Column number.
        adnum: i16,
        /// Expression text (boxed: the biggest inline variant sets the size of every object).
        expr: Box<str>,
        /// Dumped as its own ALTER TABLE ... SET DEFAULT.
        separate: bool,
    },
    /// Index.
    Index(Box<IndexDetail>),
    /// Index partition attachment.
    IndexAttach {
        /// The partition's index.
        index: DumpId,
        /// The parent index.
        parent_index: DumpId,
    },
    /// Rewrite rule.
    Rule(Box<RuleDetail>),
    /// Trigger.
    Trigger(Box<TriggerDetail>),
    /// Constraint.
    Constraint(Box<ConstraintDetail>),
    /// Row-level security policy.
    Policy(Box<PolicyDetail>),
    /// Operator.
    Operator(Box<OperatorDetail>),
    /// Access method.
    AccessMethod(Box<AccessMethodDetail>),
    /// Transform.
    Transform(Box<TransformDetail>),
    /// Procedural language.
    Language(Box<LanguageDetail>),
    /// Subscription.
    Subscription(Box<SubscriptionDetail>),
    /// Conversion or text search parser/template: what follows the qualified name in its
    /// CREATE statement.
    Simple(Box<SimpleDetail>),
    /// Shell type: the base or range type it stands for.
    Shell {
        /// The type.
        base: DumpId,
    },
    /// Large object: owner, privileges, comment.
    Blob(Box<BlobDetail>),
    /// Foreign-data wrapper or foreign server.
    Foreign(Box<ForeignDetail>),
    /// Operator class or family.
    OpClass(Box<OpClassDetail>),
    /// Cast: `(source AS target)` and the rest of the CREATE CAST text.
    Cast(Box<CastDetail>),
    /// Text search dictionary or configuration: owner, body text and comment.
    TextSearch(Box<TextSearchDetail>),
    /// Event trigger.
    EventTrigger(Box<EventTriggerDetail>),
    /// Publication.
    Publication(Box<PublicationDetail>),
    /// Membership of a table or schema in a publication.
    PublicationMember(Box<PublicationMemberDetail>),
    /// Extended statistics object.
    StatsExt(Box<StatsExtDetail>),
    /// Default privileges of a role (in a schema, or everywhere).
    DefaultAcl(Box<DefaultAclDetail>),
    /// Table data or matview refresh or sequence set.
    TableData {
        /// Table.
        table: DumpId,
    },
}

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

/// Details of a Collation object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct CollationDetail {
    /// Owner role.
    pub owner: String,
    /// Provider ('c', 'i', 'd').
    pub provider: char,
    /// Deterministic?
    pub deterministic: bool,
    /// collcollate
    pub collate: Option<String>,
    /// collctype
    pub ctype: Option<String>,
    /// ICU locale
    pub icu_locale: Option<String>,
    /// Comment.
    pub comment: Option<String>,
}

/// Details of a Rule object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct RuleDetail {
    /// Table or view.
    pub table: DumpId,
    /// ev_type
    pub ev_type: char,
    /// is_instead
    pub is_instead: bool,
    /// Dumped by itself (not merged into CREATE VIEW).
    pub separate: bool,
    /// `pg_get_ruledef` (separate rules only).
    pub def: Option<String>,
    /// ev_enabled
    pub enabled: char,
    /// Comment.
    pub comment: Option<String>,
}

/// Details of a Trigger object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct TriggerDetail {
    /// Table.
    pub table: DumpId,
    /// `pg_get_triggerdef(oid, false)`
    pub def: String,
    /// tgenabled
    pub enabled: char,
    /// A partition's clone of its parent's trigger (only its enabled state is dumped).
    pub partition_clone: bool,
    /// Comment.
    pub comment: Option<String>,
}

/// Details of an Operator object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct OperatorDetail {
    /// Owner role.
    pub owner: String,
    /// `oprkind`: `b` (infix), `l` (prefix), `r` (postfix, old servers).
    pub oprkind: char,
    /// Implementing function (`regprocedure` text), `None` for a shell operator.
    pub function: Option<String>,
    /// Left operand type (`regtype` text), when it has one.
    pub left: Option<String>,
    /// Right operand type, when it has one.
    pub right: Option<String>,
    /// Commutator: schema and name.
    pub commutator: Option<(String, String)>,
    /// Negator: schema and name.
    pub negator: Option<(String, String)>,
    /// `oprcanmerge`.
    pub merges: bool,
    /// `oprcanhash`.
    pub hashes: bool,
    /// Restriction selectivity function (`regprocedure` text).
    pub restrict: Option<String>,
    /// Join selectivity function.
    pub join: Option<String>,
    /// Comment.
    pub comment: Option<String>,
}

/// Details of an access method (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct AccessMethodDetail {
    /// `amtype`: `i` (index) or `t` (table).
    pub amtype: char,
    /// Handler function (`regproc` text).
    pub handler: String,
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
    /// `substream`.
    pub streaming: bool,
    /// `subtwophasestate` is not disabled.
    pub two_phase: bool,
    /// `subdisableonerr`.
    pub disable_on_error: bool,
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
    /// Conversion: `DEFAULT ` or nothing, before CONVERSION.
    pub prefix: String,
    /// What follows the qualified name.
    pub body: String,
    /// Comment.
    pub comment: Option<String>,
}

/// A function as a transform names it: schema, name, argument types (formatted).
#[derive(Debug, Clone, Default)]
pub struct FunctionRef {
    /// Schema.
    pub schema: String,
    /// Name.
    pub name: String,
    /// `format_type` of each argument, comma-separated.
    pub args: String,
}

/// Details of a transform (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct TransformDetail {
    /// The type (`format_type` text).
    pub type_name: String,
    /// The language's name.
    pub language: String,
    /// `FROM SQL WITH FUNCTION`.
    pub from_sql: Option<FunctionRef>,
    /// `TO SQL WITH FUNCTION`.
    pub to_sql: Option<FunctionRef>,
    /// Comment.
    pub comment: Option<String>,
}

/// Details of a large object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct BlobDetail {
    /// Owner role.
    pub owner: String,
    /// ACL.
    pub acl: Acl,
    /// Comment.
    pub comment: Option<String>,
}

/// An operator of an operator class or family.
#[derive(Debug, Clone, Default)]
pub struct AmOp {
    /// Strategy number.
    pub strategy: i32,
    /// The operator (`regoperator` text).
    pub operator: String,
    /// Sort family for ordering operators: schema and name.
    pub sort_family: Option<(String, String)>,
}

/// A support function of an operator class or family.
#[derive(Debug, Clone, Default)]
pub struct AmProc {
    /// Support function number.
    pub number: i32,
    /// Left and right types (`regtype` text).
    pub types: (String, String),
    /// The function (`regprocedure` text).
    pub function: String,
}

/// Details of an operator class or family (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct OpClassDetail {
    /// Owner role.
    pub owner: String,
    /// Index access method name.
    pub am: String,
    /// Class only: the indexed type (`regtype` text).
    pub for_type: String,
    /// Class only: `STORAGE` type when it differs.
    pub storage: Option<String>,
    /// Class only: `DEFAULT` for its type.
    pub default: bool,
    /// Class only: its family, schema and name.
    pub family: Option<(String, String)>,
    /// Member operators tied to this object.
    pub ops: Vec<AmOp>,
    /// Member functions tied to this object.
    pub procs: Vec<AmProc>,
    /// Comment.
    pub comment: Option<String>,
}

/// Details of a Cast object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct CastDetail {
    /// `source AS target`, formatted.
    pub types: String,
    /// `WITH FUNCTION ...`, `WITH INOUT` or `WITHOUT FUNCTION`, plus context.
    pub body: String,
    /// Comment.
    pub comment: Option<String>,
}

/// Details of a TextSearch object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct TextSearchDetail {
    /// Owner role.
    pub owner: String,
    /// Dictionary: `TEMPLATE = ...` and options; configuration: `PARSER = ...`.
    pub head: String,
    /// Configuration token mappings: (token alias, dictionaries).
    pub mappings: Vec<(String, String)>,
    /// Comment.
    pub comment: Option<String>,
}

/// Details of a EventTrigger object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct EventTriggerDetail {
    /// Owner role.
    pub owner: String,
    /// evtevent
    pub event: String,
    /// WHEN TAG IN list, quoted, comma-separated ('' when none)
    pub tags: String,
    /// Function (regproc text).
    pub function: String,
    /// evtenabled
    pub enabled: char,
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

/// Details of a StatsExt object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct StatsExtDetail {
    /// Owner role.
    pub owner: String,
    /// `pg_get_statisticsobjdef`
    pub def: String,
    /// stxstattarget (-1: default)
    pub stattarget: i32,
    /// Comment.
    pub comment: Option<String>,
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

/// Type details.
#[derive(Debug, Clone, Default)]
pub struct TypeDetail {
    /// Owner role.
    pub owner: String,
    /// typtype
    pub typtype: char,
    /// typinput function OID (for the type/function loop repair)
    pub typinput: u32,
    /// typrelid's relkind, if any
    pub relkind: Option<char>,
    /// Enum labels in sort order.
    pub enum_labels: Vec<String>,
    /// Domain: base type text.
    pub domain_base: String,
    /// Domain: NOT NULL.
    pub domain_not_null: bool,
    /// Domain: default expression.
    pub domain_default: Option<String>,
    /// Domain: collation, qualified.
    pub domain_collation: Option<String>,
    /// Domain constraints (dump ids).
    pub domain_constraints: Vec<DumpId>,
    /// Range: the body lines (`subtype = ...`, ...) in pg_dump's order.
    pub range_options: Vec<String>,
    /// Base: the body lines (`INTERNALLENGTH = ...`, ...) in pg_dump's order.
    pub base_options: Vec<String>,
    /// Base or range: its shell type, printed first when an I/O function needs it.
    pub shell: Option<DumpId>,
    /// Composite: (name, type, collation) of attributes.
    pub composite_attrs: Vec<(String, String, Option<String>)>,
    /// ACL.
    pub acl: Acl,
    /// Comment.
    pub comment: Option<String>,
    /// Column comments of a composite type, (name, comment).
    pub column_comments: Vec<(String, String)>,
}

/// Function details.
#[derive(Debug, Clone, Default)]
pub struct FuncDetail {
    /// Owner role.
    pub owner: String,
    /// Argument type OIDs, for sorting.
    pub argtypes: Vec<u32>,
    /// `format_type` of each argument type, for the TOC tag.
    pub argtype_names: Vec<String>,
    /// `pg_get_function_arguments`
    pub arguments: String,
    /// `pg_get_function_identity_arguments`
    pub identity_arguments: String,
    /// `pg_get_function_result`
    pub result: String,
    /// prokind
    pub prokind: char,
    /// Language name.
    pub language: String,
    /// prosrc
    pub src: String,
    /// probin
    pub bin: Option<String>,
    /// `pg_get_function_sqlbody` when set
    pub sqlbody: Option<String>,
    /// provolatile
    pub volatile: char,
    /// proisstrict
    pub strict: bool,
    /// prosecdef
    pub secdef: bool,
    /// proleakproof
    pub leakproof: bool,
    /// proparallel
    pub parallel: char,
    /// procost as text
    pub cost: String,
    /// prorows as text
    pub rows: String,
    /// proretset
    pub retset: bool,
    /// prosupport (qualified) if set
    pub support: Option<String>,
    /// proconfig entries
    pub config: Vec<String>,
    /// Language of the function is internal/c for default cost
    pub lang_is_c_or_internal: bool,
    /// Aggregate pieces (for prokind 'a').
    pub agg: Option<AggDetail>,
    /// ACL.
    pub acl: Acl,
    /// Comment.
    pub comment: Option<String>,
}

/// Aggregate details as `dumpAgg` reads them.
#[derive(Debug, Clone, Default)]
pub struct AggDetail {
    /// aggtransfn (regproc text)
    pub transfn: String,
    /// aggfinalfn, '-' when none
    pub finalfn: String,
    /// aggcombinefn
    pub combinefn: String,
    /// aggserialfn
    pub serialfn: String,
    /// aggdeserialfn
    pub deserialfn: String,
    /// aggmtransfn
    pub mtransfn: String,
    /// aggminvtransfn
    pub minvtransfn: String,
    /// aggmfinalfn
    pub mfinalfn: String,
    /// aggfinalextra
    pub finalextra: bool,
    /// aggmfinalextra
    pub mfinalextra: bool,
    /// aggfinalmodify
    pub finalmodify: char,
    /// aggmfinalmodify
    pub mfinalmodify: char,
    /// aggsortop (operator text) or "0"
    pub sortop: String,
    /// aggkind
    pub kind: char,
    /// aggtranstype formatted
    pub transtype: String,
    /// aggtransspace
    pub transspace: i32,
    /// aggmtranstype formatted
    pub mtranstype: String,
    /// aggmtransspace
    pub mtransspace: i32,
    /// agginitval
    pub initval: Option<String>,
    /// aggminitval
    pub minitval: Option<String>,
    /// proparallel
    pub parallel: char,
}

/// Table details.
#[derive(Debug, Clone, Default)]
pub struct TableDetail {
    /// relkind
    pub relkind: char,
    /// relpersistence
    pub persistence: char,
    /// Owner role.
    pub owner: String,
    /// Columns (including dropped ones), by attnum.
    pub columns: Vec<Column>,
    /// Check constraints (dump ids), by name.
    pub checks: Vec<DumpId>,
    /// Table access method name.
    pub am: Option<String>,
    /// Tablespace name ('' when default).
    pub tablespace: String,
    /// Is a partition.
    pub is_partition: bool,
    /// Inheritance parents (dump ids), in inhseqno order.
    pub parents: Vec<DumpId>,
    /// relreplident
    pub replident: char,
    /// relrowsecurity
    pub row_security: bool,
    /// relforcerowsecurity
    pub force_row_security: bool,
    /// Estimated size in pages, to schedule largest first.
    pub relpages: i64,
    /// Sequence: the owning table and column, for OWNED BY / identity.
    pub owning_table: Option<(DumpId, i16)>,
    /// Sequence used for an identity column.
    pub is_identity_sequence: bool,
    /// Sequence parameters.
    pub seq: Option<Box<SequenceParams>>,
    /// Table data object, if data is dumped.
    pub data: Option<DumpId>,
    /// `relispopulated` for matviews.
    pub populated: bool,
    /// Comment on the relation.
    pub comment: Option<String>,
    /// ACL.
    pub acl: Box<Acl>,
    /// Whether the table is an extension member (kept for dependency purposes only).
    pub ext_member: bool,
    /// A view printed with a placeholder body (NULL columns), its real query following as a
    /// separate `CREATE OR REPLACE VIEW` after what the query depends on (pg_dump's
    /// `dummy_view`).
    pub dummy_view: bool,
    /// Options and definitions most tables do not have (boxed: there can be many tables).
    pub extra: Option<Box<TableExtra>>,
}

/// Rarely set table texts, apart so that a plain table stays small.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableExtra {
    /// reloptions as `a=b, c=d`
    pub reloptions: Option<String>,
    /// toast reloptions
    pub toast_reloptions: Option<String>,
    /// View check option (local/cascaded).
    pub check_option: Option<String>,
    /// Partition bound expression.
    pub partbound: Option<String>,
    /// Partition key definition.
    pub partkeydef: Option<String>,
    /// View definition.
    pub viewdef: Option<String>,
    /// Has an `OF type` clause (typed table): qualified type name.
    pub of_type: Option<String>,
    /// Foreign table: its server and its options (formatted as pg_dump prints them).
    pub foreign: Option<(String, String)>,
    /// An extension configuration table's data filter (`WHERE ...`, from extcondition).
    pub data_filter: Option<String>,
}

impl TableExtra {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == TableExtra::default()
    }
}

impl TableDetail {
    /// `reloptions` (see [`TableExtra`]).
    pub fn reloptions(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.reloptions.as_ref())
    }

    /// `toast_reloptions` (see [`TableExtra`]).
    pub fn toast_reloptions(&self) -> Option<&String> {
        self.extra
            .as_ref()
            .and_then(|x| x.toast_reloptions.as_ref())
    }

    /// `check_option` (see [`TableExtra`]).
    pub fn check_option(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.check_option.as_ref())
    }

    /// `partbound` (see [`TableExtra`]).
    pub fn partbound(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.partbound.as_ref())
    }

    /// `partkeydef` (see [`TableExtra`]).
    pub fn partkeydef(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.partkeydef.as_ref())
    }

    /// `viewdef` (see [`TableExtra`]).
    pub fn viewdef(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.viewdef.as_ref())
    }

    /// `of_type` (see [`TableExtra`]).
    pub fn of_type(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.of_type.as_ref())
    }

    /// An extension configuration table's data filter (see [`TableExtra`]).
    pub fn data_filter(&self) -> Option<&String> {
        self.extra.as_ref().and_then(|x| x.data_filter.as_ref())
    }

    /// Foreign table's server and options (see [`TableExtra`]).
    pub fn foreign(&self) -> Option<&(String, String)> {
        self.extra.as_ref().and_then(|x| x.foreign.as_ref())
    }
}

/// Sequence parameters and state.
#[derive(Debug, Clone, Default)]
pub struct SequenceParams {
    /// seqtypid formatted
    pub type_name: String,
    /// seqstart
    pub start: i64,
    /// seqincrement
    pub increment: i64,
    /// seqmax
    pub max: i64,
    /// seqmin
    pub min: i64,
    /// seqcache
    pub cache: i64,
    /// seqcycle
    pub cycle: bool,
    /// last_value from the snapshot
    pub last_value: i64,
    /// is_called
    pub is_called: bool,
}

/// Index details.
#[derive(Debug, Clone, Default)]
pub struct IndexDetail {
    /// Table.
    pub table: DumpId,
    /// `pg_get_indexdef`
    pub def: String,
    /// Constraint it implements, if any.
    pub constraint: Option<DumpId>,
    /// indisclustered
    pub clustered: bool,
    /// indisreplident
    pub replident: bool,
    /// Tablespace.
    pub tablespace: String,
    /// reloptions
    pub reloptions: Option<String>,
    /// Column statistics targets: (column number in index, target).
    pub stat_targets: Vec<(i32, i32)>,
    /// Number of key columns, to print statistics.
    pub nkeys: i32,
    /// Parent index oid, for partitions.
    pub parent_oid: u32,
    /// Comment.
    pub comment: Option<String>,
}

/// Constraint details.
#[derive(Debug, Clone, Default)]
pub struct ConstraintDetail {
    /// Table, when a table constraint.
    pub table: Option<DumpId>,
    /// Domain type, when a domain constraint.
    pub domain: Option<DumpId>,
    /// contype
    pub contype: char,
    /// `pg_get_constraintdef`
    pub def: String,
    /// Referenced table OID, for foreign keys.
    pub confrelid: u32,
    /// The backing index, for p/u/x.
    pub index: Option<DumpId>,
    /// condeferrable
    pub deferrable: bool,
    /// condeferred
    pub deferred: bool,
    /// conislocal
    pub is_local: bool,
    /// convalidated
    pub validated: bool,
    /// Dumped on its own rather than inside CREATE TABLE / CREATE DOMAIN.
    pub separate: bool,
    /// Comment.
    pub comment: Option<String>,
}

/// Everything read from the server, plus synthesized objects.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// All objects; index = dump id.
    pub objects: Vec<Obj>,
    /// Lookup by catalog identity.
    pub by_catalog_id: BTreeMap<CatalogId, DumpId>,
    /// Server version string (`server_version`).
    pub server_version: String,
    /// Database encoding name.
    pub encoding: String,
    /// `standard_conforming_strings`.
    pub std_strings: bool,
    /// Pre-data boundary object.
    pub pre_boundary: DumpId,
    /// Post-data boundary object.
    pub post_boundary: DumpId,
    /// Security labels by (catalog, object), in pg_dump's order.
    pub seclabels: BTreeMap<(u32, u32), Vec<SecLabel>>,
}

/// One security label of an object or of one of its columns.
#[derive(Debug, Clone)]
pub struct SecLabel {
    /// Column number, 0 for the object itself.
    pub subid: i32,
    /// Label provider.
    pub provider: String,
    /// The label.
    pub label: String,
}

impl Catalog {
    /// Adds an object, registering its catalog id when it has one.
    pub fn add(&mut self, obj: Obj) -> DumpId {
        let id = self.objects.len();
        if obj.cat.oid != 0 {
            self.by_catalog_id.insert(obj.cat, id);
        }
        self.objects.push(obj);
        id
    }

    /// Looks an object up by catalog identity.
    pub fn find(&self, tableoid: u32, oid: u32) -> Option<DumpId> {
        self.by_catalog_id
            .get(&CatalogId { tableoid, oid })
            .copied()
    }

    /// The table detail of an object, if it is a table.
    pub fn table(&self, id: DumpId) -> Option<&TableDetail> {
        match &self.objects.get(id)?.detail {
            Detail::Table(t) => Some(t),
            _ => None,
        }
    }
}
