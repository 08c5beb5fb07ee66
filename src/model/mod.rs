//! The dump model: every catalog object pg_dump would know about, with dump ids and
//! dependencies; what each kind is lives in `kind`. Pure data; built by `catalog`, ordered by
//! `sort`, turned into text by `ddl`.

use std::collections::BTreeMap;

mod function;
mod index;
mod kind;
mod operator;
mod other;
mod table;
mod trigger_rule;
mod types;

pub use function::*;
pub use index::*;
pub use kind::*;
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
