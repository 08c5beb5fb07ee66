//! What each object kind is: pg_dump's `DumpableObjectType` (`Kind`), one row of facts per kind
//! (sort priority, section, the family whose reader and emitter handle it, its name in
//! messages) and the details it carries (`Detail`). Adding a kind starts here.

use super::*;

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

/// Where pg_dump's `addBoundaryDependencies` puts a kind: before the pre-data boundary, between
/// the boundaries (data), or after the post-data boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Pre-data.
    PreData,
    /// Data.
    Data,
    /// Post-data.
    PostData,
    /// Post-data when dumped on its own (a rule or constraint printed apart from its table),
    /// else with its table.
    PostDataIfSeparate,
    /// One of the boundaries themselves.
    Boundary,
}

/// The file pair that reads and prints a kind: `catalog/read/<family>.rs` and
/// `ddl/<family>.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Schemas.
    Namespace,
    /// Extensions.
    Extension,
    /// Types, collations, shell types.
    Types,
    /// Functions, aggregates, casts, transforms.
    Function,
    /// Tables, their attachments, defaults, data and refreshes.
    Table,
    /// Sequence values.
    Sequence,
    /// Indexes, their attachments, extended statistics.
    Index,
    /// Constraints.
    Constraint,
    /// Rules, triggers, event triggers.
    TriggerRule,
    /// Row-level security policies.
    Policy,
    /// Default privileges.
    DefaultAcl,
    /// Planner statistics of relations.
    Statistics,
    /// Publications, their members, subscriptions.
    Publication,
    /// Text search objects and conversions.
    TextSearch,
    /// Operators, access methods, operator classes and families.
    Operator,
    /// Foreign-data wrappers and servers.
    Foreign,
    /// Large objects.
    LargeObject,
    /// Procedural languages.
    Language,
    /// Nothing prints it (the boundaries, a table's row type).
    Unprinted,
}

/// The facts pg_dump keeps about a kind, one row per kind in [`Kind::info`].
#[derive(Debug, Clone, Copy)]
pub struct KindInfo {
    /// pg_dump 15's `dbObjectTypePriority` (the dialect moves a few: see `sort::priority`).
    pub priority: u32,
    /// Its section.
    pub place: Place,
    /// `-a` keeps it (pg_dump counts it as data, as large objects' own entries).
    pub data: bool,
    /// The reader and emitter files.
    pub family: Family,
    /// pg_dump's `describeDumpableObject` word for it.
    pub name: &'static str,
}

const fn row(priority: u32, place: Place, family: Family, name: &'static str) -> KindInfo {
    KindInfo {
        priority,
        place,
        data: matches!(place, Place::Data),
        family,
        name,
    }
}

impl Kind {
    /// The kind's row of facts.
    pub const fn info(self) -> KindInfo {
        use Family as F;
        use Kind as K;
        use Place::*;
        match self {
            K::Namespace => row(1, PreData, F::Namespace, "SCHEMA"),
            K::Language => row(2, PreData, F::Language, "PROCEDURAL LANGUAGE"),
            K::Collation => row(3, PreData, F::Types, "COLLATION"),
            K::Transform => row(4, PreData, F::Function, "TRANSFORM"),
            K::Extension => row(5, PreData, F::Extension, "EXTENSION"),
            K::Type => row(6, PreData, F::Types, "TYPE"),
            K::ShellType => row(6, PreData, F::Types, "SHELL TYPE"),
            K::Cast => row(7, PreData, F::Function, "CAST"),
            K::Func => row(8, PreData, F::Function, "FUNCTION"),
            K::Agg => row(9, PreData, F::Function, "AGGREGATE"),
            K::AccessMethod => row(10, PreData, F::Operator, "ACCESS METHOD"),
            K::Operator => row(11, PreData, F::Operator, "OPERATOR"),
            K::OpFamily => row(12, PreData, F::Operator, "OPERATOR FAMILY"),
            K::OpClass => row(12, PreData, F::Operator, "OPERATOR CLASS"),
            K::Conversion => row(13, PreData, F::TextSearch, "CONVERSION"),
            K::TsParser => row(14, PreData, F::TextSearch, "TEXT SEARCH PARSER"),
            K::TsTemplate => row(15, PreData, F::TextSearch, "TEXT SEARCH TEMPLATE"),
            K::TsDict => row(16, PreData, F::TextSearch, "TEXT SEARCH DICTIONARY"),
            K::TsConfig => row(17, PreData, F::TextSearch, "TEXT SEARCH CONFIGURATION"),
            K::ForeignDataWrapper => row(18, PreData, F::Foreign, "FOREIGN DATA WRAPPER"),
            K::ForeignServer => row(19, PreData, F::Foreign, "FOREIGN SERVER"),
            K::Table => row(20, PreData, F::Table, "TABLE"),
            K::TableAttach => row(21, PreData, F::Table, "TABLE ATTACH"),
            K::DummyType => row(22, PreData, F::Unprinted, "TYPE"),
            K::AttrDef => row(23, PreData, F::Table, "ATTRDEF"),
            K::Blob => KindInfo {
                data: true,
                ..row(24, PreData, F::LargeObject, "BLOB")
            },
            K::PreDataBoundary => row(25, Boundary, F::Unprinted, "PRE-DATA BOUNDARY"),
            K::TableData => row(26, Data, F::Table, "TABLE DATA"),
            K::SequenceSet => row(27, Data, F::Sequence, "SEQUENCE SET"),
            K::BlobData => row(28, Data, F::LargeObject, "BLOB DATA"),
            K::RelStats => row(28, Data, F::Statistics, "RELATION STATISTICS FOR"),
            K::PostDataBoundary => row(29, Boundary, F::Unprinted, "POST-DATA BOUNDARY"),
            K::Constraint => row(30, PostDataIfSeparate, F::Constraint, "CONSTRAINT"),
            K::Index => row(31, PostData, F::Index, "INDEX"),
            K::IndexAttach => row(32, PostData, F::Index, "INDEX ATTACH"),
            K::StatsExt => row(33, PostData, F::Index, "STATISTICS"),
            K::Rule => row(34, PostDataIfSeparate, F::TriggerRule, "RULE"),
            K::Trigger => row(35, PostData, F::TriggerRule, "TRIGGER"),
            K::FkConstraint => row(36, PostDataIfSeparate, F::Constraint, "FK CONSTRAINT"),
            K::Policy => row(37, PostData, F::Policy, "POLICY"),
            K::Publication => row(38, PostData, F::Publication, "PUBLICATION"),
            K::PublicationRel => row(39, PostData, F::Publication, "PUBLICATION TABLE"),
            K::PublicationSchema => {
                row(40, PostData, F::Publication, "PUBLICATION TABLES IN SCHEMA")
            }
            K::Subscription => row(41, PostData, F::Publication, "SUBSCRIPTION"),
            K::DefaultAcl => row(44, PostData, F::DefaultAcl, "DEFAULT ACL"),
            K::EventTrigger => row(45, PostData, F::TriggerRule, "EVENT TRIGGER"),
            K::RefreshMatview => row(46, PostData, F::Table, "REFRESH MATERIALIZED VIEW"),
            K::RelStatsPostData => KindInfo {
                data: true,
                ..row(46, PostData, F::Statistics, "RELATION STATISTICS FOR")
            },
        }
    }

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

impl Detail {
    /// Where a comment on this object (`subid` 0) or on one of its columns is kept; none for
    /// details that keep no comment (they are printed without).
    pub fn comment_mut(&mut self, subid: i32) -> Option<&mut Option<String>> {
        match self {
            Detail::Namespace(d) => Some(&mut d.comment),
            Detail::Extension(d) => Some(&mut d.comment),
            Detail::Collation(d) => Some(&mut d.comment),
            Detail::Operator(d) => Some(&mut d.comment),
            Detail::AccessMethod(d) => Some(&mut d.comment),
            Detail::Foreign(d) => Some(&mut d.comment),
            Detail::Transform(d) => Some(&mut d.comment),
            Detail::Language(d) => Some(&mut d.comment),
            Detail::Subscription(d) => Some(&mut d.comment),
            Detail::Simple(d) => Some(&mut d.comment),
            Detail::OpClass(d) => Some(&mut d.comment),
            Detail::Trigger(d) => Some(&mut d.comment),
            Detail::Type(d) => Some(&mut d.comment),
            Detail::Func(d) => Some(&mut d.comment),
            Detail::Constraint(d) => Some(&mut d.comment),
            Detail::Index(d) => Some(&mut d.comment),
            Detail::Policy(d) => Some(&mut d.comment),
            Detail::Rule(d) => Some(&mut d.comment),
            Detail::StatsExt(d) => Some(&mut d.comment),
            Detail::Publication(d) => Some(&mut d.comment),
            Detail::EventTrigger(d) => Some(&mut d.comment),
            Detail::TextSearch(d) => Some(&mut d.comment),
            Detail::Cast(d) => Some(&mut d.comment),
            Detail::Table(t) => {
                if subid == 0 {
                    Some(&mut t.comment)
                } else {
                    t.columns
                        .iter_mut()
                        .find(|c| i32::from(c.num) == subid)
                        .map(|c| &mut c.extra_mut().comment)
                }
            }
            _ => None,
        }
    }
}
