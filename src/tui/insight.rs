//! The insight view (`i`, SPEC §9 in the TUI): the findings as sentences
//! beside a timeline of discrepancies per kind. Its data is computed once
//! per scan on a worker, when the view first opens ([`compute`]); drawing
//! (`ui/insight.rs`) only reads it. Choosing a finding or a bar sets a group
//! filter (`group.rs`).

use std::sync::Arc;

use ratatui::crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::app::{App, Effect, Layer};
use super::group::GroupSource;
use super::keys::{Action, Scope, action_in};
use super::msg::InsightJob;
use crate::core::Inspection;
use crate::core::findings::{Facts, Finding, Timeline, facts_of, findings, timeline};

/// The bucket caps a chart is computed for, finest first: drawing shows
/// the finest one whose bars fit the width (a day in hours, a month in days).
pub const CHART_CAPS: [usize; 3] = [48, 24, 12];

/// One timeline and its "every kind" line.
#[derive(Debug, Clone)]
pub struct Chart {
    pub timeline: Timeline,
    /// Discrepancies of every kind per bucket.
    pub all: Vec<u32>,
}

/// What the view shows, computed once per scan.
#[derive(Debug, Clone, Default)]
pub struct InsightData {
    pub facts: Facts,
    pub findings: Vec<Finding>,
    /// Finest first, at most one per cap of [`CHART_CAPS`]; empty when
    /// nothing in the dump has a time.
    pub charts: Vec<Chart>,
}

/// The findings and timelines of an inspection (pure; runs on a worker).
pub fn compute(ins: &Inspection) -> InsightData {
    InsightData::from_facts(facts_of(ins))
}

impl InsightData {
    /// The findings and timelines of some facts.
    pub fn from_facts(facts: Facts) -> InsightData {
        let found = findings(&facts);
        let mut charts: Vec<Chart> = Vec::new();
        for cap in CHART_CAPS {
            let Some(tl) = timeline(&facts, cap) else { break };
            if charts.last().is_some_and(|c| c.timeline.starts == tl.starts) {
                continue;
            }
            let mut all = vec![0u32; tl.starts.len()];
            for line in &tl.kinds {
                for (a, n) in all.iter_mut().zip(&line.counts) {
                    *a += n;
                }
            }
            charts.push(Chart { timeline: tl, all });
        }
        InsightData { facts, findings: found, charts }
    }
}

/// Which part of the view the arrow keys move in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Part {
    #[default]
    Findings,
    Chart,
}

/// Where the chart's bars were drawn (for the mouse).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChartGeom {
    /// The cells of the bars: row 0 is "every kind", then one per kind.
    pub cells: Rect,
    pub cell_w: u16,
    pub buckets: usize,
}

/// The view's state: its data, its cursors, and what drawing learnt.
#[derive(Debug, Clone, Default)]
pub struct Insight {
    pub data: Option<Arc<InsightData>>,
    /// The number of the newest scan; data of an older one is dropped.
    pub scan: u64,
    /// A computation for `scan` is on its way.
    pub pending: bool,
    pub part: Part,
    /// The finding under the cursor.
    pub finding: usize,
    /// The chart line under the cursor: 0 is every kind, then the kinds.
    pub row: usize,
    pub bucket: usize,
    /// The chart drawn last (index into `charts`; set by drawing).
    pub chart: usize,
    /// The first finding drawn (set by drawing, follows the cursor).
    pub list_offset: usize,
    /// Where each drawn finding is (set by drawing, for the mouse).
    pub list_hits: Vec<(Rect, usize)>,
    pub geom: ChartGeom,
}

impl Insight {
    /// The chart drawn last, if any.
    pub fn current_chart(&self) -> Option<&Chart> {
        let charts = &self.data.as_ref()?.charts;
        charts.get(self.chart.min(charts.len().saturating_sub(1)))
    }

    /// Forgets the data of an older scan (the next opening asks again).
    pub(super) fn new_scan(&mut self) {
        self.scan += 1;
        self.data = None;
        self.pending = false;
    }
}

impl App {
    /// Opens the view; asks a worker for its data when this scan has none.
    pub(super) fn open_insight(&mut self) -> Vec<Effect> {
        if !self.layers.contains(&Layer::Insight) {
            self.layers.push(Layer::Insight);
        }
        self.status = "Enter filters the panes to a finding's or a bar's keys; then a selects them, p previews.".into();
        self.want_insight()
    }

    /// The data for the current scan, when the view shows and it is
    /// neither there nor on its way.
    pub(super) fn want_insight(&mut self) -> Vec<Effect> {
        let Some(ins) = &self.ins else { return vec![] };
        if self.insight.data.is_some() || self.insight.pending || !self.layers.contains(&Layer::Insight) {
            return vec![];
        }
        self.insight.pending = true;
        vec![Effect::Insight(InsightJob { ins: Arc::clone(ins), scan: self.insight.scan })]
    }

    pub(super) fn on_insight(&mut self, scan: u64, data: Arc<InsightData>) {
        if scan != self.insight.scan {
            return; // a rescan made it moot
        }
        let v = &mut self.insight;
        v.finding = v.finding.min(data.findings.len().saturating_sub(1));
        v.pending = false;
        v.data = Some(data);
    }

    /// Keys while the view is on top: its own, then a few of the panes'.
    pub(super) fn insight_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let Some(a) = action_in(&k, &[Scope::Insight, Scope::Panes]) else { return vec![] };
        let v = &mut self.insight;
        let (findings, rows, buckets) = match &v.data {
            Some(d) => {
                let chart = d.charts.get(v.chart.min(d.charts.len().saturating_sub(1)));
                let rows = chart.map_or(0, |c| c.timeline.kinds.len() + 1);
                (d.findings.len(), rows, chart.map_or(0, |c| c.timeline.starts.len()))
            }
            None => (0, 0, 0),
        };
        let step = |at: usize, by: isize, len: usize| at.saturating_add_signed(by).min(len.saturating_sub(1));
        match a {
            Action::Down | Action::Up => {
                let by = if a == Action::Down { 1 } else { -1 };
                match v.part {
                    Part::Findings => v.finding = step(v.finding, by, findings),
                    Part::Chart => v.row = step(v.row, by, rows),
                }
            }
            Action::Top if v.part == Part::Findings => v.finding = 0,
            Action::Bottom if v.part == Part::Findings => v.finding = findings.saturating_sub(1),
            Action::BarLeft | Action::BarRight => {
                v.part = Part::Chart;
                v.bucket = step(v.bucket, if a == Action::BarRight { 1 } else { -1 }, buckets);
            }
            Action::SwitchPart => {
                v.part = match v.part {
                    Part::Findings => Part::Chart,
                    Part::Chart => Part::Findings,
                }
            }
            Action::Choose => match v.part {
                Part::Findings => self.choose_finding(),
                Part::Chart => self.choose_bar(),
            },
            Action::Insight | Action::Back => self.layers.retain(|l| *l != Layer::Insight),
            Action::Help => self.layers.push(Layer::Help),
            Action::Quit => self.quit = true,
            Action::Copy => return self.copy(),
            Action::Export => return self.export(),
            _ => {}
        }
        vec![]
    }

    /// A click on a finding or a bar chooses it.
    pub(super) fn insight_mouse(&mut self, m: MouseEvent) {
        if !matches!(m.kind, MouseEventKind::Down(MouseButton::Left)) {
            return;
        }
        let at = Position::new(m.column, m.row);
        if let Some((_, i)) = self.insight.list_hits.iter().find(|(r, _)| r.contains(at)) {
            self.insight.finding = *i;
            self.insight.part = Part::Findings;
            self.choose_finding();
            return;
        }
        let g = self.insight.geom;
        if g.cells.contains(at) && g.cell_w > 0 {
            let bucket = ((m.column - g.cells.x) / g.cell_w) as usize;
            if bucket < g.buckets {
                self.insight.row = (m.row - g.cells.y) as usize;
                self.insight.bucket = bucket;
                self.insight.part = Part::Chart;
                self.choose_bar();
            }
        }
    }

    /// Filters the panes to the finding under the cursor.
    fn choose_finding(&mut self) {
        let Some(data) = self.insight.data.clone() else { return };
        let Some(f) = data.findings.get(self.insight.finding) else { return };
        let label = format!("finding: {}", f.sentence.trim_end_matches('.'));
        let items = f.items.iter().map(|i| *i as usize).collect();
        self.chose(GroupSource::Finding, label, items);
    }

    /// Filters the panes to the bar under the cursor: one kind's, or every
    /// kind's, discrepancies in that bucket.
    fn choose_bar(&mut self) {
        let Some(data) = self.insight.data.clone() else { return };
        let Some(chart) = self.insight.current_chart() else { return };
        let tl = &chart.timeline;
        let bucket = self.insight.bucket.min(tl.starts.len().saturating_sub(1));
        let kind = self.insight.row.checked_sub(1).and_then(|r| tl.kinds.get(r)).map(|l| l.kind);
        let items: Vec<usize> = tl.items_in(&data.facts, kind, bucket).into_iter().map(|i| i as usize).collect();
        let what = kind.map_or("every kind".to_string(), |k| k.title().to_lowercase());
        let label = format!("bar: {what}, {} from {}: {}", tl.step.name(), tl.long_label(bucket), items.len());
        self.chose(GroupSource::Bar, label, items);
    }

    /// Closes the view onto the panes, filtered to `items`.
    fn chose(&mut self, source: GroupSource, label: String, items: Vec<usize>) {
        self.layers.retain(|l| *l != Layer::Insight);
        self.set_group(source, label, items);
    }
}
