//! Operators, access methods, operator classes and families.

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
