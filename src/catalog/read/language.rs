//! Procedural languages, conversions, text search parsers and templates. Read on the leader's connection, in the order `catalog::load` walks.

use crate::catalog::loader::*;
use crate::catalog::*;

/// Procedural languages, conversions, text search parsers and templates.
pub(crate) async fn languages(ld: &mut Loader<'_>) -> Result<()> {
    // Procedural languages, conversions, text search parsers and templates.
    let mut rows = ld
        .pipe
        .stream("languages", queries::LANGUAGES, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "languages").await? {
        let o = oid(&r, "oid")?;
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: None,
            name: text(&r, "lanname")?.into(),
            // Languages from initdb get only their privileges dumped (see mark_acl_only).
            dump: ld.include_everything
                && o >= FIRST_NORMAL_OID
                && !ld.ext_members.contains_key(&(PG_LANGUAGE, o)),
            detail: Detail::Language(Box::new(LanguageDetail {
                owner: text(&r, "owner")?,
                trusted: boolean(&r, "lanpltrusted")?,
                functions: [
                    oid(&r, "lanplcallfoid")?,
                    oid(&r, "laninline")?,
                    oid(&r, "lanvalidator")?,
                ]
                .map(|f| (f != 0).then(|| ld.cat.find(PG_PROC, f))),
                acl: Acl {
                    acl: opt_text(&r, "lanacl")?,
                    acldefault: text(&r, "acldefault")?,
                    initprivs: None,
                },
                comment: None,
            })),
            ..Obj::of(Kind::Language)
        });
    }
    let mut rows = ld
        .pipe
        .stream("conversions", queries::CONVERSIONS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "conversions").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "connamespace")?;
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(&r, "conname")?.into(),
            dump: ns_contains(&ld.namespaces, nsp)
                && !ld.filters_tables
                && !ld.ext_members.contains_key(&(PG_CONVERSION, o)),
            detail: Detail::Simple(Box::new(SimpleDetail {
                owner: Some(text(&r, "owner")?),
                def: SimpleDef::Conversion {
                    default: boolean(&r, "condefault")?,
                    from_encoding: text(&r, "forenc")?,
                    to_encoding: text(&r, "toenc")?,
                    function: text(&r, "conproc")?,
                },
                comment: None,
            })),
            ..Obj::of(Kind::Conversion)
        });
    }
    let mut rows = ld
        .pipe
        .stream(
            "text search parsers and templates",
            queries::TS_PARSERS_AND_TEMPLATES,
            None,
        )
        .await?;
    while let Some(r) = next_row(&mut rows, "text search parsers and templates").await? {
        let o = oid(&r, "oid")?;
        let tableoid = oid(&r, "tableoid")?;
        let nsp = oid(&r, "nsp")?;
        ld.cat.add(Obj {
            cat: CatalogId { tableoid, oid: o },
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(&r, "name")?.into(),
            dump: ns_contains(&ld.namespaces, nsp)
                && !ld.filters_tables
                && !ld.ext_members.contains_key(&(tableoid, o)),
            detail: Detail::Simple(Box::new(SimpleDetail {
                owner: None,
                def: if tableoid == PG_TS_PARSER {
                    SimpleDef::Parser {
                        start: text(&r, "prsstart")?,
                        gettoken: text(&r, "prstoken")?,
                        end: text(&r, "prsend")?,
                        headline: opt_text(&r, "prsheadline")?,
                        lextypes: text(&r, "prslextype")?,
                    }
                } else {
                    SimpleDef::Template {
                        init: opt_text(&r, "tmplinit")?,
                        lexize: text(&r, "tmpllexize")?,
                    }
                },
                comment: None,
            })),
            ..Obj::of(if tableoid == PG_TS_PARSER {
                Kind::TsParser
            } else {
                Kind::TsTemplate
            })
        });
    }

    Ok(())
}
