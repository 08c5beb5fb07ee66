//! Text search dictionaries and configurations. Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`text_search`].
pub(in crate::catalog) const READ_TEXT_SEARCH: Reader = Reader {
    queries: |_| vec![ahead(TS_DICTS), ahead(TS_CONFIG_MAPS), ahead(TS_CONFIGS)],
    read: |ld| Box::pin(text_search(ld)),
};

/// Text search dictionaries and configurations.
pub(crate) async fn text_search(ld: &mut Loader<'_>) -> Result<()> {
    // Text search dictionaries and configurations.
    ld.read_rows("text search dictionaries", TS_DICTS, None, |ld, r| {
        let o = oid(r, "oid")?;
        let nsp = oid(r, "dictnamespace")?;
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(r, "dictname")?.into(),
            dump: ld.dumps_in_schema(PG_TS_DICT, o, nsp),
            detail: Detail::TextSearch(Box::new(TextSearchDetail {
                owner: text(r, "owner")?,
                base: (text(r, "tmplnsp")?, text(r, "tmplname")?),
                init_option: opt_text(r, "dictinitoption")?,
                mappings: Vec::new(),
                comment: None,
            })),
            ..Obj::of(Kind::TsDict)
        });
        Ok(())
    })
    .await?;
    let mut maps: BTreeMap<u32, Vec<(String, String)>> = BTreeMap::new();
    ld.read_rows("text search mappings", TS_CONFIG_MAPS, None, |_, r| {
        let list = maps.entry(oid(r, "mapcfg")?).or_default();
        let token = text(r, "tokenname")?;
        let dict = text(r, "dictname")?;
        match list.last_mut() {
            Some((t, d)) if *t == token => {
                d.push_str(", ");
                d.push_str(&dict);
            }
            _ => list.push((token, dict)),
        }
        Ok(())
    })
    .await?;
    ld.read_rows("text search configurations", TS_CONFIGS, None, |ld, r| {
        let o = oid(r, "oid")?;
        let nsp = oid(r, "cfgnamespace")?;
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(r, "cfgname")?.into(),
            dump: ld.dumps_in_schema(PG_TS_CONFIG, o, nsp),
            detail: Detail::TextSearch(Box::new(TextSearchDetail {
                owner: text(r, "owner")?,
                base: (text(r, "prsnsp")?, text(r, "prsname")?),
                init_option: None,
                mappings: maps.remove(&o).unwrap_or_default(),
                comment: None,
            })),
            ..Obj::of(Kind::TsConfig)
        });
        Ok(())
    })
    .await?;

    Ok(())
}

// The queries, as pg_dump reads the catalog of each server major.

/// Text search dictionaries.
pub(crate) const TS_DICTS: &str = "SELECT d.tableoid, d.oid, d.dictname, d.dictnamespace, pg_catalog.pg_get_userbyid(d.dictowner) AS owner, \
 d.dictinitoption, t.tmplname, tn.nspname AS tmplnsp \
 FROM pg_catalog.pg_ts_dict d JOIN pg_catalog.pg_ts_template t ON t.oid = d.dicttemplate \
 JOIN pg_catalog.pg_namespace tn ON tn.oid = t.tmplnamespace ORDER BY d.oid";

/// Text search configurations.
pub(crate) const TS_CONFIGS: &str = "SELECT c.tableoid, c.oid, c.cfgname, c.cfgnamespace, pg_catalog.pg_get_userbyid(c.cfgowner) AS owner, \
 p.prsname, pn.nspname AS prsnsp \
 FROM pg_catalog.pg_ts_config c JOIN pg_catalog.pg_ts_parser p ON p.oid = c.cfgparser \
 JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace ORDER BY c.oid";

/// Token mappings of user text search configurations.
pub(crate) const TS_CONFIG_MAPS: &str = "SELECT m.mapcfg, (SELECT alias FROM pg_catalog.ts_token_type(c.cfgparser) AS t \
   WHERE t.tokid = m.maptokentype) AS tokenname, m.mapdict::pg_catalog.regdictionary::text AS dictname \
 FROM pg_catalog.pg_ts_config_map m JOIN pg_catalog.pg_ts_config c ON c.oid = m.mapcfg \
 WHERE c.oid >= 16384 ORDER BY m.mapcfg, m.maptokentype, m.mapseqno";
