//! Triggers, rules and event triggers. Holds their queries (per server major), the walk's steps that plan them and the readers.

use crate::catalog::loader::*;
use crate::catalog::*;

/// The walk's step for [`triggers_and_rules`].
pub(in crate::catalog) const READ_TRIGGERS_AND_RULES: Reader = Reader {
    queries: |_| vec![ahead(TRIGGERS), ahead(RULES)],
    read: |ld| Box::pin(triggers_and_rules(ld)),
};

/// Triggers, then rules (a view's ON SELECT rule is folded into CREATE VIEW).
pub(crate) async fn triggers_and_rules(ld: &mut Loader<'_>) -> Result<()> {
    // Triggers.
    ld.read_rows("triggers", TRIGGERS, None, |ld, r| {
        let Some(tid) = ld.cat.find(PG_CLASS, oid(r, "tgrelid")?) else {
            return Ok(());
        };
        let (tns, tdump) = (
            ld.cat.objects[tid].namespace.clone(),
            ld.cat.objects[tid].dump,
        );
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: tns,
            name: text(r, "tgname")?.into(),
            dump: tdump,
            detail: Detail::Trigger(Box::new(TriggerDetail {
                table: tid,
                def: text(r, "tgdef")?,
                enabled: ch(r, "tgenabled")?,
                partition_clone: boolean(r, "tgispartition")?,
                comment: None,
            })),
            ..Obj::of(Kind::Trigger)
        });
        Ok(())
    })
    .await?;

    // Rules: a view's ON SELECT rule is folded into CREATE VIEW and orders it.
    ld.read_rows("rules", RULES, None, |ld, r| {
        let Some(tid) = ld.cat.find(PG_CLASS, oid(r, "ev_class")?) else {
            return Ok(());
        };
        let ev_type = ch(r, "ev_type")?;
        let is_instead = boolean(r, "is_instead")?;
        let relkind = ld.cat.table(tid).map(|t| t.relkind).unwrap_or('r');
        let on_select_view = matches!(relkind, 'v' | 'm') && ev_type == '1' && is_instead;
        let (tns, tdump) = (
            ld.cat.objects[tid].namespace.clone(),
            ld.cat.objects[tid].dump,
        );
        let id = ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: tns,
            name: text(r, "rulename")?.into(),
            dump: tdump && !on_select_view,
            detail: Detail::Rule(Box::new(RuleDetail {
                table: tid,
                ev_type,
                is_instead,
                separate: !on_select_view,
                def: opt_text(r, "ruledef")?,
                enabled: ch(r, "ev_enabled")?,
                comment: None,
            })),
            ..Obj::of(Kind::Rule)
        });
        if on_select_view {
            ld.cat.objects[tid].add_dep(id);
        } else {
            ld.cat.objects[id].add_dep(tid);
        }
        Ok(())
    })
    .await?;

    Ok(())
}

/// The walk's step for [`event_triggers`].
pub(in crate::catalog) const READ_EVENT_TRIGGERS: Reader = Reader {
    queries: |_| vec![ahead(EVENT_TRIGGERS)],
    read: |ld| Box::pin(event_triggers(ld)),
};

/// Event triggers.
pub(crate) async fn event_triggers(ld: &mut Loader<'_>) -> Result<()> {
    // Event triggers.
    ld.read_rows("event triggers", EVENT_TRIGGERS, None, |ld, r| {
        let o = oid(r, "oid")?;
        ld.cat.add(Obj {
            cat: catalog_id(r)?,
            namespace: None,
            name: text(r, "evtname")?.into(),
            dump: ld.dumps_global(PG_EVENT_TRIGGER, o),
            detail: Detail::EventTrigger(Box::new(EventTriggerDetail {
                owner: text(r, "owner")?,
                event: text(r, "evtevent")?,
                tags: opt_text(r, "evttags")?.unwrap_or_default(),
                function: text(r, "evtfname")?,
                enabled: ch(r, "evtenabled")?,
                comment: None,
            })),
            ..Obj::of(Kind::EventTrigger)
        });
        Ok(())
    })
    .await?;

    Ok(())
}

// The queries, as pg_dump reads the catalog of each server major.

/// Triggers (not internal ones, not clones on partitions).
/// A partition's clone of its parent's trigger is listed only when its enabled state differs.
pub(crate) const TRIGGERS: &str = "SELECT t.tableoid, t.oid, t.tgrelid, t.tgname, pg_catalog.pg_get_triggerdef(t.oid, false) AS tgdef, \
 t.tgenabled::text, t.tgparentid <> 0 AS tgispartition FROM pg_catalog.pg_trigger t \
 LEFT JOIN pg_catalog.pg_trigger u ON u.oid = t.tgparentid \
 WHERE (NOT t.tgisinternal AND t.tgparentid = 0) OR t.tgenabled <> u.tgenabled ORDER BY t.tgrelid, t.tgname";

/// Event triggers.
pub(crate) const EVENT_TRIGGERS: &str = "SELECT e.tableoid, e.oid, e.evtname, e.evtenabled::text, e.evtevent, \
 pg_catalog.pg_get_userbyid(e.evtowner) AS owner, \
 pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_literal(x) FROM pg_catalog.unnest(e.evttags) AS t(x)), ', ') AS evttags, \
 e.evtfoid::pg_catalog.regproc::text AS evtfname \
 FROM pg_catalog.pg_event_trigger e ORDER BY e.oid";

/// Rewrite rules.
pub(crate) const RULES: &str =
    "SELECT r.tableoid, r.oid, r.rulename, r.ev_class, r.ev_type::text, r.is_instead, r.ev_enabled::text, \
 CASE WHEN r.rulename <> '_RETURN' THEN pg_catalog.pg_get_ruledef(r.oid) END AS ruledef \
 FROM pg_catalog.pg_rewrite r ORDER BY r.oid";
