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
    /// Range: its definition.
    pub range: Option<Box<RangeTypeDef>>,
    /// Base: its definition.
    pub base: Option<Box<BaseTypeDef>>,
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

/// A range type's definition, as dumpRangeType reads it.
#[derive(Debug, Clone, Default)]
pub struct RangeTypeDef {
    /// `format_type` of the subtype.
    pub subtype: String,
    /// `format_type` of the multirange type (14).
    pub multirange: Option<String>,
    /// The subtype operator class (schema, name), when not the subtype's default.
    pub opclass: Option<(String, String)>,
    /// The collation, qualified, when not the subtype's.
    pub collation: Option<String>,
    /// Canonical function (`-` for none).
    pub canonical: String,
    /// Subtype difference function (`-` for none).
    pub subtype_diff: String,
}

/// A base type's definition, as dumpBaseType reads it (functions as `regproc` text).
#[derive(Debug, Clone, Default)]
pub struct BaseTypeDef {
    /// `typlen` (-1: variable).
    pub typlen: i32,
    /// Input function.
    pub input: String,
    /// Output function.
    pub output: String,
    /// Receive, send, typmod in, typmod out and analyze functions, each when set.
    pub receive: Option<String>,
    /// Send function.
    pub send: Option<String>,
    /// Type modifier input function.
    pub typmod_in: Option<String>,
    /// Type modifier output function.
    pub typmod_out: Option<String>,
    /// Analyze function.
    pub analyze: Option<String>,
    /// `typcollation <> 0`
    pub collatable: bool,
    /// The default as an expression (`pg_get_expr(typdefaultbin)`).
    pub default_expr: Option<String>,
    /// The default as a literal (`typdefault`).
    pub default_value: Option<String>,
    /// Subscripting function (14).
    pub subscript: Option<String>,
    /// Element type.
    pub element: Option<String>,
    /// `typcategory`
    pub category: String,
    /// `typispreferred`
    pub preferred: bool,
    /// `typdelim`
    pub delimiter: String,
    /// `typalign`
    pub align: char,
    /// `typstorage`
    pub storage: char,
    /// `typbyval`
    pub by_value: bool,
}
