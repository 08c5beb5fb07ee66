//! pg_dump's archiver rules (`pg_backup_archiver.c`) for a plain dump: which entries print, in
//! which order and section, and what `-c` drops. The entries are made object by object as they
//! are asked for, so the text of a big schema is never held whole; only the entries of the later
//! passes (ACLs, then materialized view refreshes) wait for the main pass to end. Pure.

use super::{Pass, Section, Sections, TocEntry};
use crate::ddl::{self, DdlOptions};
use crate::model::{Catalog, DumpId};
use std::collections::VecDeque;

/// One dump's archive: its objects in dump order and the rules that pick their entries.
pub struct Archive<'a> {
    /// The model.
    pub cat: &'a Catalog,
    /// Dump order (from `sort`).
    pub order: &'a [DumpId],
    /// Text switches.
    pub opts: DdlOptions,
    /// `--section` choices.
    pub sections: Sections,
    /// `-C`: the database's own entries (`database::entries`), printed first.
    pub database: Vec<TocEntry>,
}

impl<'a> Archive<'a> {
    /// Every entry to print, in print order: the database's own (`-C`), the main pass in dump
    /// order, then the ACL pass and the post-ACL pass, each in dump order. A comment or ACL
    /// takes the section of the entry before it, as pg_dump's archiver gives it.
    pub fn entries(&'a self) -> Entries<'a> {
        Entries {
            ar: self,
            database: self.database.clone().into(),
            next_object: 0,
            made: VecDeque::new(),
            later: Vec::new(),
            later_sorted: None,
            section: Section::PreData,
        }
    }

    /// `-c/--clean`: the entries whose drop statements print ahead of everything, last first
    /// (pg_dump's drop loop). With `-C` only the database's: the other objects go with it.
    pub fn drops(&self) -> Vec<TocEntry> {
        if !self.database.is_empty() {
            return self.database.iter().rev().cloned().collect();
        }
        let mut out = Vec::new();
        let mut batch = Vec::new();
        for &id in self.order.iter().rev() {
            ddl::object_entries(self.cat, id, self.opts, &mut batch);
            for e in batch.drain(..).rev() {
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
    ar: &'a Archive<'a>,
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
            let mut batch = Vec::new();
            ddl::object_entries(self.ar.cat, id, self.ar.opts, &mut batch);
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
