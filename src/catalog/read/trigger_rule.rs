//! Triggers, rules and event triggers. Read on the leader's connection, in the order `catalog::load` walks.

use crate::catalog::loader::*;
use crate::catalog::*;

/// Triggers, then rules (a view's ON SELECT rule is folded into CREATE VIEW).
pub(crate) async fn triggers_and_rules(ld: &mut Loader<'_>) -> Result<()> {
    // Triggers.
    let mut rows = ld.pipe.stream("triggers", queries::TRIGGERS, None).await?;
    while let Some(r) = next_row(&mut rows, "triggers").await? {
        let Some(tid) = ld.cat.find(PG_CLASS, oid(&r, "tgrelid")?) else {
            continue;
        };
        let (tns, tdump) = (
            ld.cat.objects[tid].namespace.clone(),
            ld.cat.objects[tid].dump,
        );
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: tns,
            name: text(&r, "tgname")?.into(),
            dump: tdump,
            detail: Detail::Trigger(Box::new(TriggerDetail {
                table: tid,
                def: text(&r, "tgdef")?,
                enabled: ch(&r, "tgenabled")?,
                partition_clone: boolean(&r, "tgispartition")?,
                comment: None,
            })),
            ..Obj::of(Kind::Trigger)
        });
    }

    // Rules: a view's ON SELECT rule is folded into CREATE VIEW and orders it.
    let mut rows = ld.pipe.stream("rules", queries::RULES, None).await?;
    while let Some(r) = next_row(&mut rows, "rules").await? {
        let Some(tid) = ld.cat.find(PG_CLASS, oid(&r, "ev_class")?) else {
            continue;
        };
        let ev_type = ch(&r, "ev_type")?;
        let is_instead = boolean(&r, "is_instead")?;
        let relkind = ld.cat.table(tid).map(|t| t.relkind).unwrap_or('r');
        let on_select_view = matches!(relkind, 'v' | 'm') && ev_type == '1' && is_instead;
        let (tns, tdump) = (
            ld.cat.objects[tid].namespace.clone(),
            ld.cat.objects[tid].dump,
        );
        let id = ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: oid(&r, "oid")?,
            },
            namespace: tns,
            name: text(&r, "rulename")?.into(),
            dump: tdump && !on_select_view,
            detail: Detail::Rule(Box::new(RuleDetail {
                table: tid,
                ev_type,
                is_instead,
                separate: !on_select_view,
                def: opt_text(&r, "ruledef")?,
                enabled: ch(&r, "ev_enabled")?,
                comment: None,
            })),
            ..Obj::of(Kind::Rule)
        });
        if on_select_view {
            ld.cat.objects[tid].add_dep(id);
        } else {
            ld.cat.objects[id].add_dep(tid);
        }
    }

    Ok(())
}

/// Event triggers.
pub(crate) async fn event_triggers(ld: &mut Loader<'_>) -> Result<()> {
    // Event triggers.
    let mut rows = ld
        .pipe
        .stream("event triggers", queries::EVENT_TRIGGERS, None)
        .await?;
    while let Some(r) = next_row(&mut rows, "event triggers").await? {
        let o = oid(&r, "oid")?;
        ld.cat.add(Obj {
            cat: CatalogId {
                tableoid: oid(&r, "tableoid")?,
                oid: o,
            },
            namespace: None,
            name: text(&r, "evtname")?.into(),
            dump: ld.include_everything && !ld.ext_members.contains_key(&(PG_EVENT_TRIGGER, o)),
            detail: Detail::EventTrigger(Box::new(EventTriggerDetail {
                owner: text(&r, "owner")?,
                event: text(&r, "evtevent")?,
                tags: opt_text(&r, "evttags")?.unwrap_or_default(),
                function: text(&r, "evtfname")?,
                enabled: ch(&r, "evtenabled")?,
                comment: None,
            })),
            ..Obj::of(Kind::EventTrigger)
        });
    }

    Ok(())
}
