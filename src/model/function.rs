//! Functions, procedures, aggregates, casts and transforms.

use super::*;

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

/// Details of a Cast object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct CastDetail {
    /// `source AS target`, formatted.
    pub types: String,
    /// `castmethod`: `f` function, `i` in/out, `b` binary coercible.
    pub method: char,
    /// The function's signature, for `f`.
    pub function: Option<String>,
    /// `castcontext`: `a` assignment, `i` implicit, `e` explicit.
    pub context: char,
    /// Comment.
    pub comment: Option<String>,
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
