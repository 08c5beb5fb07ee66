//! Triggers, rules and event triggers.

use super::*;

/// Details of a Rule object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct RuleDetail {
    /// Table or view.
    pub table: DumpId,
    /// ev_type
    pub ev_type: char,
    /// is_instead
    pub is_instead: bool,
    /// Dumped by itself (not merged into CREATE VIEW).
    pub separate: bool,
    /// `pg_get_ruledef` (separate rules only).
    pub def: Option<String>,
    /// ev_enabled
    pub enabled: char,
    /// Comment.
    pub comment: Option<String>,
}

/// Details of a Trigger object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct TriggerDetail {
    /// Table.
    pub table: DumpId,
    /// `pg_get_triggerdef(oid, false)`
    pub def: String,
    /// tgenabled
    pub enabled: char,
    /// A partition's clone of its parent's trigger (only its enabled state is dumped).
    pub partition_clone: bool,
    /// Comment.
    pub comment: Option<String>,
}

/// Details of a EventTrigger object (boxed in [`Detail`] to keep every object small).
#[derive(Debug, Clone, Default)]
pub struct EventTriggerDetail {
    /// Owner role.
    pub owner: String,
    /// evtevent
    pub event: String,
    /// WHEN TAG IN list, quoted, comma-separated ('' when none)
    pub tags: String,
    /// Function (regproc text).
    pub function: String,
    /// evtenabled
    pub enabled: char,
    /// Comment.
    pub comment: Option<String>,
}
