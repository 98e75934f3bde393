//! The row forms as typed (one Form 1 row, one Form 2 activity) and how they become rows:
//! months as twelve checkboxes or a start and end date, evidence one per line (an item's
//! number or a link), KPIs one per line ("ตัวชี้วัด | เป้าหมาย").

use crate::error::FieldError;
use crate::ids::ItemId;
use crate::planning::model::{
    Activity, ActivityStatus, Evidence, FiscalYear, IssueRow, KmStep, Kpi, Period, Quantity,
    RequiredKnowledge,
};
use crate::text::{tidy, tidy_multiline};
use serde::Deserialize;
use time::Date;
use time::macros::format_description;

/// One activity's form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActivityInput {
    #[serde(default)]
    pub step: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub indicator: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub target_group: String,
    #[serde(default)]
    pub responsible: String,
    #[serde(default)]
    pub status: String,
    /// Month checkboxes, m0 = ต.ค. … m11 = ก.ย.
    #[serde(default)]
    pub m0: Option<String>,
    #[serde(default)]
    pub m1: Option<String>,
    #[serde(default)]
    pub m2: Option<String>,
    #[serde(default)]
    pub m3: Option<String>,
    #[serde(default)]
    pub m4: Option<String>,
    #[serde(default)]
    pub m5: Option<String>,
    #[serde(default)]
    pub m6: Option<String>,
    #[serde(default)]
    pub m7: Option<String>,
    #[serde(default)]
    pub m8: Option<String>,
    #[serde(default)]
    pub m9: Option<String>,
    #[serde(default)]
    pub m10: Option<String>,
    #[serde(default)]
    pub m11: Option<String>,
    /// yyyy-mm-dd (CE, from a date input); both or neither.
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    /// One per line: an item's number or a link.
    #[serde(default)]
    pub evidence: String,
}

impl ActivityInput {
    pub fn months(&self) -> [bool; 12] {
        [
            &self.m0, &self.m1, &self.m2, &self.m3, &self.m4, &self.m5, &self.m6, &self.m7,
            &self.m8, &self.m9, &self.m10, &self.m11,
        ]
        .map(|m| m.is_some())
    }

    /// The form filled from an activity.
    pub fn of(a: &Activity, year: FiscalYear) -> Self {
        let mask = match a.period {
            Period::Months { mask } => mask,
            Period::Dates { .. } => 0,
        };
        let on = |i: usize| (mask & (1 << i) != 0).then(|| "on".to_string());
        let (start, end) = match a.period {
            Period::Dates { start, end } => (start.to_string(), end.to_string()),
            Period::Months { .. } => (String::new(), String::new()),
        };
        let _ = year;
        ActivityInput {
            step: a.step.as_str().into(),
            title: a.title.clone(),
            indicator: a.indicator.clone(),
            target: a.target.label_th(),
            target_group: a.target_group.clone(),
            responsible: a.responsible.clone(),
            status: a.status.as_str().into(),
            m0: on(0),
            m1: on(1),
            m2: on(2),
            m3: on(3),
            m4: on(4),
            m5: on(5),
            m6: on(6),
            m7: on(7),
            m8: on(8),
            m9: on(9),
            m10: on(10),
            m11: on(11),
            start,
            end,
            evidence: a
                .evidence
                .iter()
                .map(|e| match e {
                    Evidence::Item { item } => item.0.to_string(),
                    Evidence::Link { url, .. } => url.clone(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The activity, or every problem on its field. `keep` carries what the form does not
    /// show (the units chosen from the tree).
    pub fn to_activity(
        &self,
        year: FiscalYear,
        keep: Option<&Activity>,
    ) -> Result<Activity, Vec<FieldError>> {
        let mut errors = Vec::new();
        let step = KmStep::parse(&self.step).map_err(|e| errors.push(e)).ok();
        let status = ActivityStatus::parse(&self.status)
            .map_err(|e| errors.push(e))
            .ok();
        let day = |s: &str, field: &'static str| -> Result<Option<Date>, FieldError> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            Date::parse(s, format_description!("[year]-[month]-[day]"))
                .map(Some)
                .map_err(|_| FieldError::new(field, "วันที่ไม่ถูกต้อง"))
        };
        let period = match (day(&self.start, "start"), day(&self.end, "end")) {
            (Ok(Some(start)), Ok(Some(end))) => Some(Period::Dates { start, end }),
            (Ok(None), Ok(None)) => Some(Period::Months {
                mask: self
                    .months()
                    .iter()
                    .enumerate()
                    .fold(0u16, |m, (i, on)| if *on { m | 1 << i } else { m }),
            }),
            (Ok(_), Ok(_)) => {
                errors.push(FieldError::new(
                    "period",
                    "กรุณาระบุทั้งวันเริ่มและวันสิ้นสุด หรือเว้นว่างทั้งสองช่องแล้วเลือกเดือน",
                ));
                None
            }
            (a, b) => {
                errors.extend(a.err());
                errors.extend(b.err());
                None
            }
        };
        let mut evidence = Vec::new();
        for line in self
            .evidence
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let digits = crate::text::arabic_digits(line);
            match digits.trim_start_matches('#').parse::<i64>() {
                Ok(n) if n > 0 => evidence.push(Evidence::Item { item: ItemId(n) }),
                _ => evidence.push(Evidence::Link {
                    url: line.to_string(),
                    label: String::new(),
                }),
            }
        }
        let (Some(step), Some(status), Some(period)) = (step, status, period) else {
            return Err(errors);
        };
        let a = Activity {
            step,
            title: tidy(&self.title),
            period,
            indicator: tidy(&self.indicator),
            target: Quantity::parse_th(&self.target),
            target_group: tidy(&self.target_group),
            responsible: tidy(&self.responsible),
            responsible_units: keep
                .map(|k| k.responsible_units.clone())
                .unwrap_or_default(),
            status,
            evidence,
        };
        errors.extend(a.problems(year));
        if errors.is_empty() {
            Ok(a)
        } else {
            Err(errors)
        }
    }
}

/// One Form 1 row's form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IssueInput {
    #[serde(default)]
    pub issue: String,
    #[serde(default)]
    pub objective: String,
    /// One KPI a line: "ตัวชี้วัด | เป้าหมาย".
    #[serde(default)]
    pub kpis: String,
    /// One required knowledge a line.
    #[serde(default)]
    pub knowledge: String,
}

impl IssueInput {
    pub fn of(r: &IssueRow) -> Self {
        IssueInput {
            issue: r.issue.clone(),
            objective: r.objective.clone(),
            kpis: r
                .kpis
                .iter()
                .map(|k| {
                    if k.target.is_empty() {
                        k.name.clone()
                    } else {
                        format!("{} | {}", k.name, k.target)
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
            knowledge: r
                .knowledge
                .iter()
                .map(|k| k.text.clone())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    pub fn to_row(&self, keep: Option<&IssueRow>) -> Result<IssueRow, Vec<FieldError>> {
        let lines =
            |s: &str| -> Vec<String> { s.lines().map(tidy).filter(|l| !l.is_empty()).collect() };
        let row = IssueRow {
            issue: tidy_multiline(&self.issue),
            objective: tidy_multiline(&self.objective),
            kpis: lines(&self.kpis)
                .into_iter()
                .map(|l| match l.split_once('|') {
                    Some((n, t)) => Kpi {
                        name: n.trim().to_string(),
                        target: t.trim().to_string(),
                    },
                    None => Kpi {
                        name: l,
                        target: String::new(),
                    },
                })
                .collect(),
            knowledge: lines(&self.knowledge)
                .into_iter()
                .map(|text| RequiredKnowledge {
                    term: keep
                        .and_then(|k| k.knowledge.iter().find(|x| x.text == text))
                        .and_then(|x| x.term),
                    text,
                })
                .collect(),
        };
        let p = row.problems();
        if p.is_empty() { Ok(row) } else { Err(p) }
    }
}
