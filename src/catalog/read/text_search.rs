//! Text search dictionaries and configurations. Read on the leader's connection, in the order `catalog::load` walks.

use crate::catalog::loader::*;
use crate::catalog::*;

/// Text search dictionaries and configurations.
pub(crate) async fn text_search(ld: &mut Loader<'_>) -> Result<()> {
    // Text search dictionaries and configurations.
    let mut rows = ld
        .pipe
        .stream("text search dictionaries", queries::TS_DICTS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "text search dictionaries").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "dictnamespace")?;
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(&r, "dictname")?.into(),
            dump: ns_contains(&ld.namespaces, nsp)
                && !ld.filters_tables
                && !ld.ext_members.contains_key(&(PG_TS_DICT, o)),
            detail: Detail::TextSearch(Box::new(TextSearchDetail {
                owner: text(&r, "owner")?,
                base: (text(&r, "tmplnsp")?, text(&r, "tmplname")?),
                init_option: opt_text(&r, "dictinitoption")?,
                mappings: Vec::new(),
                comment: None,
            })),
            ..Obj::of(Kind::TsDict)
        });
    }
    let mut maps: BTreeMap<u32, Vec<(String, String)>> = BTreeMap::new();
    let mut rows = ld
        .pipe
        .stream("text search mappings", queries::TS_CONFIG_MAPS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "text search mappings").await? {
        let list = maps.entry(oid(&r, "mapcfg")?).or_default();
        let token = text(&r, "tokenname")?;
        let dict = text(&r, "dictname")?;
        match list.last_mut() {
            Some((t, d)) if *t == token => {
                d.push_str(", ");
                d.push_str(&dict);
            }
            _ => list.push((token, dict)),
        }
    }
    let mut rows = ld
        .pipe
        .stream("text search configurations", queries::TS_CONFIGS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "text search configurations").await? {
        let o = oid(&r, "oid")?;
        let nsp = oid(&r, "cfgnamespace")?;
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: Some(ns_name(&ld.namespaces, nsp)?),
            name: text(&r, "cfgname")?.into(),
            dump: ns_contains(&ld.namespaces, nsp)
                && !ld.filters_tables
                && !ld.ext_members.contains_key(&(PG_TS_CONFIG, o)),
            detail: Detail::TextSearch(Box::new(TextSearchDetail {
                owner: text(&r, "owner")?,
                base: (text(&r, "prsnsp")?, text(&r, "prsname")?),
                init_option: None,
                mappings: maps.remove(&o).unwrap_or_default(),
                comment: None,
            })),
            ..Obj::of(Kind::TsConfig)
        });
    }

    Ok(())
}
