//! Procedural languages, conversions, text search parsers and templates. Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`languages`].
pub(in crate::catalog) const READ_LANGUAGES: Reader = Reader {
    queries: |_| {
        vec![
            ahead(LANGUAGES),
            ahead(CONVERSIONS),
            ahead(TS_PARSERS_AND_TEMPLATES),
        ]
    },
    read: |ld| Box::pin(languages(ld)),
};

/// Procedural languages, conversions, text search parsers and templates.
pub(crate) async fn languages(ld: &mut Loader<'_>) -> Result<()> {
    // Procedural languages, conversions, text search parsers and templates.
    ld.read_rows("languages", LANGUAGES, None, |ld, r| {
        let o = oid(r, "oid")?;
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: None,
            name: text(r, "lanname")?.into(),
            // Languages from initdb get only their privileges dumped (see mark_acl_only).
            dump: ld.dumps_global(PG_LANGUAGE, o) && o >= FIRST_NORMAL_OID,
            detail: Detail::Language(Box::new(LanguageDetail {
                owner: text(r, "owner")?,
                trusted: boolean(r, "lanpltrusted")?,
                functions: [
                    oid(r, "lanplcallfoid")?,
                    oid(r, "laninline")?,
                    oid(r, "lanvalidator")?,
                ]
                .map(|f| (f != 0).then(|| ld.cat.find(PG_PROC, f))),
                acl: Acl {
                    acl: opt_text(r, "lanacl")?,
                    acldefault: text(r, "acldefault")?,
                    initprivs: None,
                },
                comment: None,
            })),
            ..Obj::of(Kind::Language)
        });
        Ok(())
    })
    .await?;
    ld.read_rows("conversions", CONVERSIONS, None, |ld, r| {
        let o = oid(r, "oid")?;
        let nsp = oid(r, "connamespace")?;
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(r, "conname")?.into(),
            dump: ld.dumps_in_schema(PG_CONVERSION, o, nsp),
            detail: Detail::Simple(Box::new(SimpleDetail {
                owner: Some(text(r, "owner")?),
                def: SimpleDef::Conversion {
                    default: boolean(r, "condefault")?,
                    from_encoding: text(r, "forenc")?,
                    to_encoding: text(r, "toenc")?,
                    function: text(r, "conproc")?,
                },
                comment: None,
            })),
            ..Obj::of(Kind::Conversion)
        });
        Ok(())
    })
    .await?;
    ld.read_rows(
        "text search parsers and templates",
        TS_PARSERS_AND_TEMPLATES,
        None,
        |ld, r| {
            let o = oid(r, "oid")?;
            let tableoid = oid(r, "tableoid")?;
            let nsp = oid(r, "nsp")?;
            ld.cat.add(Obj {
                cat: CatalogId { tableoid, oid: o },
                namespace: Some(ns_name(&ld.namespaces, nsp)?),
                name: text(r, "name")?.into(),
                dump: ld.dumps_in_schema(tableoid, o, nsp),
                detail: Detail::Simple(Box::new(SimpleDetail {
                    owner: None,
                    def: if tableoid == PG_TS_PARSER {
                        SimpleDef::Parser {
                            start: text(r, "prsstart")?,
                            gettoken: text(r, "prstoken")?,
                            end: text(r, "prsend")?,
                            headline: opt_text(r, "prsheadline")?,
                            lextypes: text(r, "prslextype")?,
                        }
                    } else {
                        SimpleDef::Template {
                            init: opt_text(r, "tmplinit")?,
                            lexize: text(r, "tmpllexize")?,
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
            Ok(())
        },
    )
    .await?;

    Ok(())
}

// The queries, as pg_dump reads the catalog of each server major.

/// User-made procedural languages.
pub(crate) const LANGUAGES: &str = "SELECT l.tableoid, l.oid, l.lanname, l.lanpltrusted, l.lanplcallfoid, l.laninline, l.lanvalidator, \
 pg_catalog.pg_get_userbyid(l.lanowner) AS owner, l.lanacl::text, pg_catalog.acldefault('l', l.lanowner)::text AS acldefault \
 FROM pg_catalog.pg_language l WHERE l.lanispl ORDER BY l.oid";

/// Encoding conversions outside pg_catalog.
pub(crate) const CONVERSIONS: &str = "SELECT c.tableoid, c.oid, c.conname, c.connamespace, pg_catalog.pg_get_userbyid(c.conowner) AS owner, \
 pg_catalog.pg_encoding_to_char(c.conforencoding) AS forenc, pg_catalog.pg_encoding_to_char(c.contoencoding) AS toenc, \
 c.conproc::text AS conproc, c.condefault \
 FROM pg_catalog.pg_conversion c WHERE c.connamespace <> 'pg_catalog'::pg_catalog.regnamespace ORDER BY c.oid";

/// Text search parsers and templates outside pg_catalog, their functions as `regproc` text.
pub(crate) const TS_PARSERS_AND_TEMPLATES: &str = "SELECT p.tableoid, p.oid, p.prsname AS name, p.prsnamespace AS nsp, \
 p.prsstart::pg_catalog.regproc::text AS prsstart, p.prstoken::pg_catalog.regproc::text AS prstoken, \
 p.prsend::pg_catalog.regproc::text AS prsend, \
 CASE WHEN p.prsheadline <> 0 THEN p.prsheadline::pg_catalog.regproc::text END AS prsheadline, \
 p.prslextype::pg_catalog.regproc::text AS prslextype, NULL::text AS tmplinit, NULL::text AS tmpllexize \
 FROM pg_catalog.pg_ts_parser p WHERE p.prsnamespace <> 'pg_catalog'::pg_catalog.regnamespace \
 UNION ALL SELECT t.tableoid, t.oid, t.tmplname, t.tmplnamespace, NULL, NULL, NULL, NULL, NULL, \
 CASE WHEN t.tmplinit <> 0 THEN t.tmplinit::pg_catalog.regproc::text END, \
 t.tmpllexize::pg_catalog.regproc::text \
 FROM pg_catalog.pg_ts_template t WHERE t.tmplnamespace <> 'pg_catalog'::pg_catalog.regnamespace \
 ORDER BY 1, 2";
