//! The dump model: every catalog object pg_dump would know about, with dump ids and
//! dependencies. Pure data; built by `catalog`, ordered by `sort`, turned into text by `ddl`.

use std::collections::BTreeMap;

mod function;
mod index;
mod operator;
mod other;
mod table;
mod trigger_rule;
mod types;

pub use function::*;
pub use index::*;
pub use operator::*;
pub use other::*;
pub use table::*;
pub use trigger_rule::*;
pub use types::*;

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
    /// `DO_REL_STATS` in the data section: a table's planner statistics (pg_dump 18)
    RelStats,
    /// `DO_REL_STATS` in the post-data section: an index's, or a refreshed materialized
    /// view's, planner statistics (pg_dump 18)
    RelStatsPostData,
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

impl Kind {
    /// Whether `detail` is the description this kind carries: one table for the pairs, so a
    /// reader that builds an object with the wrong details is an error, never an object that
    /// silently prints nothing.
    pub fn fits(self, detail: &Detail) -> bool {
        use Kind as K;
        match detail {
            Detail::None => matches!(
                self,
                K::DummyType | K::BlobData | K::PreDataBoundary | K::PostDataBoundary
            ),
            Detail::Namespace(_) => self == K::Namespace,
            Detail::Extension(_) => self == K::Extension,
            Detail::Type(_) => self == K::Type,
            Detail::Func(_) => matches!(self, K::Func | K::Agg),
            Detail::Collation(_) => self == K::Collation,
            Detail::Table(_) => self == K::Table,
            Detail::TableAttach { .. } => self == K::TableAttach,
            Detail::AttrDef { .. } => self == K::AttrDef,
            Detail::Index(_) => self == K::Index,
            Detail::IndexAttach { .. } => self == K::IndexAttach,
            Detail::Rule(_) => self == K::Rule,
            Detail::Trigger(_) => self == K::Trigger,
            Detail::Constraint(_) => matches!(self, K::Constraint | K::FkConstraint),
            Detail::Policy(_) => self == K::Policy,
            Detail::Operator(_) => self == K::Operator,
            Detail::AccessMethod(_) => self == K::AccessMethod,
            Detail::Transform(_) => self == K::Transform,
            Detail::Language(_) => self == K::Language,
            Detail::Subscription(_) => self == K::Subscription,
            Detail::Simple(_) => matches!(self, K::Conversion | K::TsParser | K::TsTemplate),
            Detail::Shell { .. } => self == K::ShellType,
            Detail::Blob(_) => self == K::Blob,
            Detail::LargeObjectData { .. } => self == K::BlobData,
            Detail::Foreign(_) => matches!(self, K::ForeignDataWrapper | K::ForeignServer),
            Detail::OpClass(_) => matches!(self, K::OpClass | K::OpFamily),
            Detail::Cast(_) => self == K::Cast,
            Detail::TextSearch(_) => matches!(self, K::TsDict | K::TsConfig),
            Detail::EventTrigger(_) => self == K::EventTrigger,
            Detail::Publication(_) => self == K::Publication,
            Detail::PublicationMember(_) => {
                matches!(self, K::PublicationRel | K::PublicationSchema)
            }
            Detail::StatsExt(_) => self == K::StatsExt,
            Detail::RelStats(_) => matches!(self, K::RelStats | K::RelStatsPostData),
            Detail::DefaultAcl(_) => self == K::DefaultAcl,
            Detail::TableData { .. } => {
                matches!(self, K::TableData | K::SequenceSet | K::RefreshMatview)
            }
        }
    }
}

/// One object of the model.
#[derive(Debug, Clone)]
pub struct Obj {
    /// Its kind.
    pub kind: Kind,
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
    /// A new object of `kind` with everything else empty, to fill in with struct update syntax.
    pub fn of(kind: Kind) -> Obj {
        Obj {
            kind,
            cat: CatalogId::default(),
            namespace: None,
            name: Box::default(),
            deps: smallvec::SmallVec::new(),
            dump: false,
            acl_only: false,
            detail: Detail::None,
        }
    }

    /// The object's kind.
    pub fn kind(&self) -> Kind {
        self.kind
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
    /// A relation's planner statistics.
    RelStats(Box<RelStatsDetail>),
    /// Default privileges of a role (in a schema, or everywhere).
    DefaultAcl(Box<DefaultAclDetail>),
    /// The contents of a group of large objects (pg_dump 17's per-group BLOBS entry).
    LargeObjectData {
        /// The group's metadata entry.
        metadata: DumpId,
    },
    /// Table data or matview refresh or sequence set.
    TableData {
        /// Table.
        table: DumpId,
    },
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
    /// The server's `server_version_num` (170011 for 17.11): which catalog columns exist.
    pub server_num: u32,
    /// The pg_dump major whose output this model is for (it decides some of its shape, such
    /// as 17's groups of large objects).
    pub dialect: crate::dialect::Dialect,
    /// Database encoding name.
    pub encoding: String,
    /// `standard_conforming_strings`.
    pub std_strings: bool,
    /// Relations' planner statistics are dumped (pg_dump 18's `--statistics`), which changes
    /// how pg_dump orders constraints among indexes.
    pub with_statistics: bool,
    /// Pre-data boundary object.
    pub pre_boundary: DumpId,
    /// Post-data boundary object.
    pub post_boundary: DumpId,
    /// Security labels by (catalog, object), in pg_dump's order.
    pub seclabels: BTreeMap<(u32, u32), Vec<SecLabel>>,
    /// Objects added with details their kind does not carry (see [`Kind::fits`]).
    pub misfits: Vec<DumpId>,
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
        if !obj.kind.fits(&obj.detail) {
            self.misfits.push(id);
        }
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
