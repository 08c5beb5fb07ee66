//! Types and collations.

use super::*;

/// Details of a Collation object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct CollationDetail {
    /// Owner role.
    pub owner: String,
    /// Provider ('c', 'i', 'd', 17's 'b').
    pub provider: char,
    /// Deterministic?
    pub deterministic: bool,
    /// collcollate
    pub collate: Option<String>,
    /// collctype
    pub ctype: Option<String>,
    /// The ICU or builtin provider's locale (`colliculocale`, 17's `colllocale`).
    pub locale: Option<String>,
    /// ICU tailoring rules (`collicurules`, 16).
    pub icu_rules: Option<String>,
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
