//! The plan preview: the core's plan for the chosen fixes, shown readable
//! (grouped by fix, `column: before → after`) or, with `s`, as the exact SQL
//! and moves `cachescope plan --format sql` prints. Exactly this plan is
//! applied.

use log::info;

use super::app::{App, Confirm, Layer};
use crate::core::fmt::escaped;
use crate::core::report::{apply_hint, readable_plan_lines, write_plan_sql};
use crate::core::{Plan, plan};

/// The previewed plan, kept so that exactly this plan is applied.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub plan: Plan,
    /// The readable form, line by line.
    pub lines: Vec<String>,
    /// The exact SQL and moves, made the first time `s` asks for them.
    pub sql_lines: Option<Vec<String>>,
    pub show_sql: bool,
    pub scroll: usize,
    pub mass: Option<String>,
}

impl PlanView {
    /// The lines on show: readable, or the SQL.
    pub fn shown(&self) -> &[String] {
        match (&self.sql_lines, self.show_sql) {
            (Some(sql), true) => sql,
            _ => &self.lines,
        }
    }
}

impl App {
    pub(super) fn open_plan(&mut self) {
        let Some(ins) = self.ins.as_deref() else { return };
        let plan = plan(ins, &self.choices.selection());
        let lines = readable_plan_lines(ins, &plan);
        let mass = plan.mass_change();
        info!("plan preview: {} fixes, {} SQL statements, {} file moves", plan.items.len(), plan.sql_count(), {
            plan.move_count()
        });
        self.plan = Some(PlanView { plan, lines, sql_lines: None, show_sql: false, scroll: 0, mass });
        self.layers.retain(|l| *l != Layer::Plan);
        self.layers.push(Layer::Plan);
    }

    /// `s`: the readable plan or the exact SQL; the first line stays in view.
    pub(super) fn toggle_sql(&mut self) {
        let (Some(ins), Some(pv)) = (self.ins.as_deref(), self.plan.as_mut()) else { return };
        if pv.sql_lines.is_none() {
            let mut out = Vec::new();
            let _ = write_plan_sql(ins, &pv.plan, &mut out);
            let text = String::from_utf8_lossy(&out).replace(&escaped(&ins.dump.root), &self.root_label);
            // The closing hint is for the shell; the preview applies with Enter.
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            let hint = apply_hint(ins, &pv.plan).replace(&escaped(&ins.dump.root), &self.root_label);
            if lines.last() == Some(&hint) {
                lines.pop();
                while lines.last().is_some_and(|l| l.is_empty()) {
                    lines.pop();
                }
            }
            pv.sql_lines = Some(lines);
        }
        pv.show_sql = !pv.show_sql;
        pv.scroll = 0;
        self.status = if pv.show_sql {
            "the exact SQL and moves apply runs (s: readable)".into()
        } else {
            "the plan, readable (s: the exact SQL)".into()
        };
    }

    pub(super) fn ask_apply(&mut self) {
        let Some(p) = &self.plan else { return };
        if p.plan.is_empty() {
            self.status = "nothing to apply: select discrepancies first (Space, a)".into();
            return;
        }
        let mass = p.mass.clone();
        if !self.may_write("apply") {
            return;
        }
        match mass {
            Some(why) => self.layers.push(Layer::Typed { why, input: String::new() }),
            None => self.layers.push(Layer::Confirm(Confirm::Apply)),
        }
    }
}
