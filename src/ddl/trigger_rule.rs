//! Triggers, rules and event triggers (dumpTrigger, dumpRule, dumpEventTrigger).

use super::*;

/// The entries of one object of this family (the kinds whose row in `Kind::info` names it).
pub(super) fn entries(cx: &mut Ctx, o: &Obj) {
    match o.kind() {
        Kind::Trigger => trigger(cx, o),
        Kind::Rule => rule(cx, o),
        Kind::EventTrigger => event_trigger(cx, o),
        _ => {}
    }
}

pub(super) fn trigger(cx: &mut Ctx, o: &Obj) {
    let Detail::Trigger(detail) = &o.detail else {
        return;
    };
    let TriggerDetail {
        table,
        def,
        enabled,
        partition_clone,
        comment,
    } = &**detail;
    let tab = &cx.cat.objects[*table];
    let q = cx.ident(&o.name);
    // A partition's clone is created by its parent's trigger; only its state is set here.
    let mut s = if *partition_clone {
        String::new()
    } else {
        format!("{def};\n")
    };
    if *enabled != 't' && *enabled != 'O' {
        let what = enable_word(*enabled);
        s.push_str(&format!(
            "\nALTER TABLE {} {what} TRIGGER {q};\n",
            cx.qname(tab)
        ));
    }
    // A partition's clone goes with its parent's trigger.
    let drop = if *partition_clone {
        String::new()
    } else {
        format!("DROP TRIGGER {q} ON {};\n", cx.qname(tab))
    };
    push_table_child(cx, "TRIGGER", o, *table, s, drop, comment);
}

/// The ALTER ... keyword for a trigger's or rule's `enabled` state ('D'/'f' disabled,
/// 'A' always, 'R' replica, else plain enable).
pub(super) fn enable_word(state: char) -> &'static str {
    match state {
        'D' | 'f' => "DISABLE",
        'A' => "ENABLE ALWAYS",
        'R' => "ENABLE REPLICA",
        _ => "ENABLE",
    }
}

pub(super) fn rule(cx: &mut Ctx, o: &Obj) {
    let Detail::Rule(detail) = &o.detail else {
        return;
    };
    let RuleDetail {
        table,
        separate: true,
        def,
        enabled,
        comment,
        ..
    } = &**detail
    else {
        return;
    };
    let tab = &cx.cat.objects[*table];
    let q = cx.ident(&o.name);
    let (mut s, drop) = match (def, cx.cat.table(*table)) {
        (Some(def), _) => (
            format!("{def}\n"),
            format!("DROP RULE {q} ON {};\n", cx.qname(tab)),
        ),
        // A view's own ON SELECT rule, split off by the sort: it replaces the placeholder, and
        // "dropping" it puts the placeholder back (pg_dump's dumpRule).
        (None, Some(t)) if t.relkind == 'v' => (
            format!(
                "CREATE OR REPLACE VIEW {}{};\n",
                cx.qname(tab),
                view_clauses(cx.opts.quoting, t, false)
            ),
            format!(
                "CREATE OR REPLACE VIEW {} AS\n{};\n",
                cx.qname(tab),
                dummy_view_body(cx.opts.quoting, t)
            ),
        ),
        _ => return,
    };
    if *enabled != 'O' {
        let what = enable_word(*enabled);
        s.push_str(&format!("ALTER TABLE {} {what} RULE {q};\n", cx.qname(tab)));
    }
    push_table_child(cx, "RULE", o, *table, s, drop, comment);
}

pub(super) fn event_trigger(cx: &mut Ctx, o: &Obj) {
    let Detail::EventTrigger(detail) = &o.detail else {
        return;
    };
    let EventTriggerDetail {
        owner,
        event,
        tags,
        function,
        enabled,
        comment,
    } = &**detail;
    let q = cx.ident(&o.name);
    let mut s = format!("CREATE EVENT TRIGGER {q} ON {}", cx.ident(event));
    if !tags.is_empty() {
        s.push_str(&format!("\n         WHEN TAG IN ({tags})"));
    }
    s.push_str(&format!("\n   EXECUTE FUNCTION {function}();\n"));
    if *enabled != 'O' {
        let what = enable_word(*enabled);
        s.push_str(&format!("\nALTER EVENT TRIGGER {q} {what};\n"));
    }
    let mut e = TocEntry::new("EVENT TRIGGER", o.name.clone(), s)
        .owner(owner)
        .drop(format!("DROP EVENT TRIGGER {q};\n"));
    e.owner_stmt = Some(format!(
        "ALTER EVENT TRIGGER {q} OWNER TO {};",
        cx.ident(owner)
    ));
    e.pass = Pass::PostAcl;
    cx.push_def(e);
    cx.comment(comment, "EVENT TRIGGER", &q, o, owner);
    cx.seclabel("EVENT TRIGGER", &q, o, owner);
}
