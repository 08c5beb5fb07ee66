//! Strict accessors for catalog rows: an unexpected NULL or type is an error naming the column.

use crate::error::{Error, Result};
use crate::model::CatalogId;
use tokio_postgres::types::FromSql;
use tokio_postgres::Row;

fn get<'a, T: FromSql<'a>>(row: &'a Row, col: &str) -> Result<T> {
    row.try_get::<_, T>(col)
        .map_err(|e| Error::catalog(format!("unexpected value in column \"{col}\": {e}")))
}

/// A non-NULL text column.
pub fn text(row: &Row, col: &str) -> Result<String> {
    get::<String>(row, col)
}

/// A nullable text column.
pub fn opt_text(row: &Row, col: &str) -> Result<Option<String>> {
    get::<Option<String>>(row, col)
}

/// A single-character column (queried as text).
pub fn ch(row: &Row, col: &str) -> Result<char> {
    let s = text(row, col)?;
    s.chars()
        .next()
        .ok_or_else(|| Error::catalog(format!("empty value in column \"{col}\"")))
}

/// A nullable single-character column, empty meaning none.
pub fn opt_ch(row: &Row, col: &str) -> Result<Option<char>> {
    Ok(opt_text(row, col)?.and_then(|s| s.chars().next()))
}

/// An OID column.
pub fn oid(row: &Row, col: &str) -> Result<u32> {
    get::<u32>(row, col)
}

/// The object's identity from its `tableoid` and `oid` columns.
pub fn catalog_id(row: &Row) -> Result<CatalogId> {
    Ok(CatalogId {
        tableoid: oid(row, "tableoid")?,
        oid: oid(row, "oid")?,
    })
}

/// A nullable OID column.
pub fn opt_oid(row: &Row, col: &str) -> Result<Option<u32>> {
    get::<Option<u32>>(row, col)
}

/// A boolean column.
pub fn boolean(row: &Row, col: &str) -> Result<bool> {
    get::<bool>(row, col)
}

/// A nullable boolean column.
pub fn opt_boolean(row: &Row, col: &str) -> Result<Option<bool>> {
    get::<Option<bool>>(row, col)
}

/// An int2 column.
pub fn i16_(row: &Row, col: &str) -> Result<i16> {
    get::<i16>(row, col)
}

/// An int4 column.
pub fn i32_(row: &Row, col: &str) -> Result<i32> {
    get::<i32>(row, col)
}

/// A nullable int4 column.
pub fn opt_i32(row: &Row, col: &str) -> Result<Option<i32>> {
    get::<Option<i32>>(row, col)
}

/// An int8 column.
pub fn i64_(row: &Row, col: &str) -> Result<i64> {
    get::<i64>(row, col)
}

/// A nullable int8 column.
pub fn opt_i64(row: &Row, col: &str) -> Result<Option<i64>> {
    get::<Option<i64>>(row, col)
}

/// A nullable text[] column (NULL becomes empty).
pub fn text_array(row: &Row, col: &str) -> Result<Vec<String>> {
    Ok(get::<Option<Vec<String>>>(row, col)?.unwrap_or_default())
}

/// A nullable text[] column whose elements may be NULL.
pub fn opt_text_array(row: &Row, col: &str) -> Result<Vec<Option<String>>> {
    Ok(get::<Option<Vec<Option<String>>>>(row, col)?.unwrap_or_default())
}

/// A nullable int4[] column.
pub fn i32_array(row: &Row, col: &str) -> Result<Vec<i32>> {
    Ok(get::<Option<Vec<i32>>>(row, col)?.unwrap_or_default())
}

/// A nullable oid[] column.
pub fn oid_array(row: &Row, col: &str) -> Result<Vec<u32>> {
    Ok(get::<Option<Vec<u32>>>(row, col)?.unwrap_or_default())
}
