//! One file per object family: its SQL, the walk's steps that plan it (`READ_*`, listed in
//! `catalog::READERS` in pg_dump's getSchemaData order) and the readers.

pub(crate) mod acl;
pub(crate) mod comment;
pub(crate) mod constraint;
pub(crate) mod deps;
pub(crate) mod extension;
pub(crate) mod foreign;
pub(crate) mod function;
pub(crate) mod index;
pub(crate) mod language;
pub(crate) mod namespace;
pub(crate) mod operator;
pub(crate) mod policy;
pub(crate) mod publication;
pub(crate) mod sequence;
pub(crate) mod statistics;
pub(crate) mod table;
pub(crate) mod text_search;
pub(crate) mod trigger_rule;
pub(crate) mod types;
