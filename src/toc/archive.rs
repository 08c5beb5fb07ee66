//! pg_dump's archiver rules (`pg_backup_archiver.c`) for a plain dump: which entries print, in
//! which order and section, and what `-c` drops; the copy scheduler reads from it what the
//! workers send for each table data entry. Each entry's text is made once: object by object as
//! it prints, so the text of a big schema is never held whole (only the entries of the later
//! passes, ACLs then materialized view refreshes, wait for the main pass to end), or all before
//! printing under `-c`, whose drops print first. Pure.

use super::{CopySource, Pass, Section, Sections, TocEntry};
use crate::ddl::{self, DdlOptions};
use crate::model::{Catalog, DumpId};
use std::collections::{BTreeMap, VecDeque};

/// One dump's archive: its objects in dump order and the rules that pick their entries.
pub struct Archive<'a> {
    cat: &'a Catalog,
    order: &'a [DumpId],
    opts: DdlOptions,
    sections: Sections,
    /// `-C`: the database's own entries (`database::entries`), printed first.
    database: Vec<TocEntry>,
    /// Under `-c`, every object's entries, made before printing starts (their drops print
    /// first); taken, not made again, when they print.
    made: BTreeMap<DumpId, Vec<TocEntry>>,
}

impl<'a> Archive<'a> {
    /// The archive of `order`'s objects. With `clean`, every entry is made now (pg_dump's drop
    /// loop needs them all before the first prints); otherwise each as it prints, so the text
    /// of a big schema is never held whole.
    pub fn new(
        cat: &'a Catalog,
        order: &'a [DumpId],
        opts: DdlOptions,
        sections: Sections,
        database: Vec<TocEntry>,
        clean: bool,
    ) -> Archive<'a> {
        let mut made = BTreeMap::new();
        for &id in order {
            if clean {
                let mut batch = Vec::new();
                ddl::object_entries(cat, id, opts, &mut batch);
                // Held until printed: no spare room per object.
                batch.shrink_to_fit();
                made.insert(id, batch);
            }
        }
        Archive {
            cat,
            order,
            opts,
            sections,
            database,
            made,
        }
    }

    /// What the copy workers send for each table data entry that prints, in dump order, with
    /// its object (made once here; the entry made when it prints carries only its COPY line).
    pub fn copy_sources(&self) -> impl Iterator<Item = (DumpId, CopySource)> + '_ {
        self.order
            .iter()
            .filter_map(|&id| ddl::copy_source(self.cat, id, self.opts).map(|c| (id, c)))
    }

    /// The object an entry comes from.
    pub fn object(&self, id: DumpId) -> &crate::model::Obj {
        &self.cat.objects[id]
    }

    /// A relation's kind (`relkind`), if `id` is a relation.
    pub fn relkind(&self, id: DumpId) -> Option<char> {
        self.cat.table(id).map(|t| t.relkind)
    }

    /// Every entry to print, in print order: the database's own (`-C`), the main pass in dump
    /// order, then the ACL pass and the post-ACL pass, each in dump order. A comment or ACL
    /// takes the section of the entry before it, as pg_dump's archiver gives it.
    pub fn entries(mut self) -> Entries<'a> {
        Entries {
            database: std::mem::take(&mut self.database).into(),
            ar: self,
            next_object: 0,
            made: VecDeque::new(),
            later: Vec::new(),
            later_sorted: None,
            section: Section::PreData,
        }
    }

    /// `-c/--clean`: the entries whose drop statements print ahead of everything, last first
    /// (pg_dump's drop loop). With `-C` only the database's: the other objects go with it.
    /// Only an archive made with `clean` has them.
    pub fn drops(&self) -> Vec<&TocEntry> {
        if !self.database.is_empty() {
            return self.database.iter().rev().collect();
        }
        let mut out = Vec::new();
        for id in self.order.iter().rev() {
            for e in self.made.get(id).into_iter().flatten().rev() {
                // Entries with a drop statement are never comments or ACLs: their own section
                // decides.
                if self.sections.wants(e.section()) {
                    out.push(e);
                }
            }
        }
        out
    }
}

/// The entries of an [`Archive`] in print order.
pub struct Entries<'a> {
    ar: Archive<'a>,
    database: VecDeque<TocEntry>,
    next_object: usize,
    made: VecDeque<(DumpId, TocEntry)>,
    later: Vec<(Option<DumpId>, TocEntry)>,
    later_sorted: Option<std::vec::IntoIter<(Option<DumpId>, TocEntry)>>,
    section: Section,
}

/// An entry to print, with the object it comes from (none for the database's own).
pub type Printed = (Option<DumpId>, TocEntry);

impl Entries<'_> {
    /// The database's own entry, if it prints: with `-C` these two always do, whatever `-a` or
    /// `--section` say (pg_dump's `_tocEntryRequired`); its comment and ACL follow the usual
    /// rules (the definitions printed, the pre-data section wanted).
    fn database_entry(&mut self) -> Option<Option<Printed>> {
        let e = self.database.pop_front()?;
        let always = matches!(e.desc, "DATABASE" | "DATABASE PROPERTIES");
        if !always && (!self.ar.opts.schema || !self.ar.sections.wants(self.section)) {
            return Some(None);
        }
        if e.pass != Pass::Main {
            self.later.push((None, e));
            return Some(None);
        }
        Some(Some((None, e)))
    }

    /// The next entry of the main pass, if any is left.
    fn main_entry(&mut self) -> Option<Printed> {
        loop {
            if let Some((id, e)) = self.made.pop_front() {
                match e.section() {
                    Section::None => {}
                    s => self.section = s,
                }
                if !self.ar.sections.wants(self.section) {
                    continue;
                }
                if e.pass != Pass::Main {
                    self.later.push((Some(id), e));
                    continue;
                }
                return Some((Some(id), e));
            }
            let &id = self.ar.order.get(self.next_object)?;
            self.next_object += 1;
            let batch = self.ar.made.remove(&id).unwrap_or_else(|| {
                let mut batch = Vec::new();
                ddl::object_entries(self.ar.cat, id, self.ar.opts, &mut batch);
                batch
            });
            self.made.extend(batch.into_iter().map(|e| (id, e)));
        }
    }
}

impl Iterator for Entries<'_> {
    type Item = Printed;

    fn next(&mut self) -> Option<Printed> {
        while let Some(e) = self.database_entry() {
            if e.is_some() {
                return e;
            }
        }
        if self.later_sorted.is_none() {
            if let Some(e) = self.main_entry() {
                return Some(e);
            }
            // Stable by pass: ACLs, then the post-ACL entries, each in dump order.
            let mut later = std::mem::take(&mut self.later);
            later.sort_by_key(|(_, e)| e.pass);
            self.later_sorted = Some(later.into_iter());
        }
        self.later_sorted.as_mut()?.next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Acl, Detail, Kind, NamespaceDetail, Obj};

    /// Two schemas with privileges, in dump order a, b.
    fn schemas() -> (Catalog, Vec<DumpId>) {
        let mut cat = Catalog::default();
        let order = ["a", "b"]
            .iter()
            .map(|name| {
                cat.add(Obj {
                    name: (*name).into(),
                    dump: true,
                    detail: Detail::Namespace(Box::new(NamespaceDetail {
                        owner: "owner".into(),
                        acl: Acl {
                            acl: Some("{owner=UC/owner,reader=U/owner}".into()),
                            acldefault: "{owner=UC/owner}".into(),
                            initprivs: None,
                        },
                        create: true,
                        dump_definition: true,
                        ..Default::default()
                    })),
                    ..Obj::of(Kind::Namespace)
                })
            })
            .collect();
        (cat, order)
    }

    fn options() -> DdlOptions {
        DdlOptions {
            schema: true,
            ..Default::default()
        }
    }

    fn described(entries: impl Iterator<Item = Printed>) -> Vec<String> {
        entries
            .map(|(_, e)| format!("{} {}", e.desc, e.tag))
            .collect()
    }

    #[test]
    fn privileges_print_in_their_own_pass_after_the_definitions() {
        let (cat, order) = schemas();
        let ar = Archive::new(&cat, &order, options(), Sections::default(), vec![], false);
        assert_eq!(
            described(ar.entries()),
            ["SCHEMA a", "SCHEMA b", "ACL SCHEMA a", "ACL SCHEMA b"]
        );
    }

    #[test]
    fn clean_drops_last_first_and_prints_the_same_entries() {
        let (cat, order) = schemas();
        let ar = Archive::new(&cat, &order, options(), Sections::default(), vec![], true);
        let drops: Vec<String> = ar
            .drops()
            .iter()
            .filter(|e| !e.drop.is_empty())
            .map(|e| format!("{} {}", e.desc, e.tag))
            .collect();
        assert_eq!(drops, ["SCHEMA b", "SCHEMA a"]);
        assert_eq!(
            described(ar.entries()),
            ["SCHEMA a", "SCHEMA b", "ACL SCHEMA a", "ACL SCHEMA b"]
        );
    }

    #[test]
    fn a_section_leaves_out_the_other_sections_entries_and_their_privileges() {
        let (cat, order) = schemas();
        let data_only = Sections::parse(&["data".to_string()]).expect("a section name");
        let ar = Archive::new(&cat, &order, options(), data_only, vec![], false);
        assert!(described(ar.entries()).is_empty());
    }
}
