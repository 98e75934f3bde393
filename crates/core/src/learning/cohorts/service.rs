//! Use-cases of the cohorts room. Enrolling is for the KM officers (ManageKnowledge) of the
//! cohort's unit who also run KM for every chosen unit (site administrators anywhere); the
//! report is for officers of the cohort's unit and the units above it.

use super::model::{
    CohortCreated, CohortDraft, CohortInput, CohortPreview, LEARNERS_PER_PAGE, LearnerQuery,
    LearnerRow, Match, RollUpRow, one_per_person, parse_cohort, reached_units, roll_up,
};
use super::ports::{CohortStore, CohortSummary};
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::{CohortId, CourseId, UnitId};
use crate::learning::model::{Cohort, CohortFields, Course, CourseStatus};
use crate::notifications::model::NewNotice;
use crate::org::{Action, Actor, UnitTree};
use crate::ports::Page;
use crate::service::Khlang;
use std::sync::Arc;

/// Notices are put in inboxes this many at a time.
pub(crate) const NOTICE_BATCH: usize = 500;

/// A unit the officer may choose, indented by depth under their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitChoice {
    pub id: UnitId,
    pub depth: usize,
    pub name: String,
}

/// The cohort report: totals, the roll-up at `root`, and one page of learners.
#[derive(Debug, Clone)]
pub struct CohortReport {
    pub cohort: Cohort,
    pub course: Course,
    /// The whole cohort (at the report's top unit).
    pub totals: RollUpRow,
    /// The unit the roll-up is drawn at, and the way down to it from the top.
    pub root: RollUpRow,
    pub trail: Vec<(UnitId, String)>,
    pub children: Vec<RollUpRow>,
    pub learners: Page<LearnerRow>,
    /// The course's lessons (not removed), for "3 / 20".
    pub lessons: u32,
}

/// The top of a cohort's roll-up: the lowest unit above the cohort's unit and every chosen
/// unit, so every learner is counted.
fn report_top(tree: &UnitTree, cohort: &Cohort) -> UnitId {
    let mut paths = std::iter::once(cohort.fields.unit_id)
        .chain(cohort.fields.criteria.units.iter().copied())
        .filter_map(|u| tree.path(u).ok());
    let Some(first) = paths.next() else {
        return cohort.fields.unit_id;
    };
    let mut common = first.0;
    for p in paths {
        let n = common.iter().zip(&p.0).take_while(|(a, b)| a == b).count();
        common.truncate(n);
    }
    common.last().copied().unwrap_or(cohort.fields.unit_id)
}

impl Khlang {
    pub(crate) fn cohort_store(&self) -> DomainResult<&Arc<dyn CohortStore>> {
        self.cohorts
            .as_ref()
            .ok_or_else(|| DomainError::internal("learning has no store"))
    }

    /// One cohort (the learners room checks whether it has closed).
    #[allow(dead_code)] // contract: used by the learners room
    pub(crate) async fn cohort_of(&self, id: CohortId) -> DomainResult<Cohort> {
        Ok(self.cohort_store()?.cohort(id).await?)
    }

    /// The units whose people the actor may enrol: the subtrees they run KM for (every unit
    /// for a site administrator), in tree order.
    pub async fn cohort_units(&self, actor: &Actor) -> DomainResult<Vec<UnitChoice>> {
        let Actor::User(me) = actor else {
            return Err(DomainError::Unauthenticated);
        };
        let tree = self.unit_tree().await?;
        let tops: Vec<UnitId> = me
            .grants
            .iter()
            .filter(|(r, _)| r.allows(Action::ManageKnowledge))
            .map(|(_, u)| *u)
            .collect();
        let mut out = Vec::new();
        let mut top_depth = None;
        for (depth, u) in tree.walk() {
            if u.retired {
                continue;
            }
            let inside = me.site_admin || tops.iter().any(|t| tree.is_within(u.id, *t));
            if !inside {
                top_depth = None;
                continue;
            }
            let base = *top_depth.get_or_insert(depth);
            out.push(UnitChoice {
                id: u.id,
                depth: depth.saturating_sub(base),
                name: u.name_th.as_str().to_string(),
            });
        }
        Ok(out)
    }

    /// The checks before anything is counted: the course takes learners, and the actor runs
    /// KM for the cohort's unit and for every chosen unit.
    async fn checked_cohort(
        &self,
        actor: &Actor,
        course: CourseId,
        input: &CohortInput,
    ) -> DomainResult<(Course, CohortDraft, Vec<Match>)> {
        if actor.user_id().is_none() {
            return Err(DomainError::Unauthenticated);
        }
        let course = self.course_store()?.course(course).await?;
        if !actor.may_somewhere(Action::ManageKnowledge) {
            return Err(DomainError::Forbidden);
        }
        if course.status != CourseStatus::Published {
            return Err(DomainError::Conflict(
                "รายวิชานี้ยังไม่เปิดสอน (หรือยกเลิกแล้ว) จึงยังลงทะเบียนเป็นรุ่นไม่ได้".into(),
            ));
        }
        let draft = parse_cohort(input).map_err(DomainError::Invalid)?;
        let tree = self.unit_tree().await?;
        for u in std::iter::once(draft.unit_id).chain(draft.criteria.units.iter().copied()) {
            if tree.get(u).is_none() {
                return Err(DomainError::invalid(
                    "units",
                    "ไม่พบหน่วยงานที่เลือก กรุณาเลือกจากรายการ",
                ));
            }
            self.check_course_officer(actor, u).await?;
        }
        let units = reached_units(&tree, &draft.criteria);
        let matches = one_per_person(
            self.cohort_store()?
                .grants_on(&units, draft.criteria.role)
                .await?,
        );
        if matches.is_empty() {
            return Err(DomainError::Invalid(vec![FieldError::new(
                "units",
                "ไม่พบผู้ที่มีบทบาทที่เลือกในหน่วยงานเหล่านี้ (0 คน) ลองเลือก \"รวมหน่วยงานย่อย\" หรือบทบาทอื่น",
            )]));
        }
        Ok((course, draft, matches))
    }

    /// The dry run: how many the cohort would enrol, and how many are already in the course.
    pub async fn preview_cohort(
        &self,
        actor: &Actor,
        course: CourseId,
        input: &CohortInput,
    ) -> DomainResult<CohortPreview> {
        let (course, _, matches) = self.checked_cohort(actor, course, input).await?;
        let users: Vec<_> = matches.iter().map(|m| m.user).collect();
        let already = self
            .cohort_store()?
            .enrolled_among(course.id, &users)
            .await?;
        Ok(CohortPreview {
            matched: matches.len() as u32,
            already,
        })
    }

    /// Creates the cohort and enrols its people in one transaction; those already in the
    /// course keep their enrolment. Each new learner gets an inbox notice.
    pub async fn create_cohort(
        &self,
        actor: &Actor,
        course: CourseId,
        input: &CohortInput,
    ) -> DomainResult<CohortCreated> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let (course, draft, matches) = self.checked_cohort(actor, course, input).await?;
        let users: Vec<_> = matches.iter().map(|m| m.user).collect();
        let already = self
            .cohort_store()?
            .enrolled_among(course.id, &users)
            .await?;
        if already as usize == matches.len() {
            return Err(DomainError::invalid(
                "units",
                format!(
                    "ทั้ง {} คนที่ตรงเงื่อนไขลงทะเบียนรายวิชานี้ไว้แล้ว จึงไม่มีผู้ใดให้ลงทะเบียนในรุ่นนี้",
                    matches.len()
                ),
            ));
        }
        let fields = CohortFields {
            course_id: course.id,
            name: draft.name,
            unit_id: draft.unit_id,
            criteria: draft.criteria,
            starts_on: draft.starts_on,
            ends_on: draft.ends_on,
        };
        let (id, enrolled) = self
            .cohort_store()?
            .insert_cohort(&fields, &matches, me, self.clock.now())
            .await?;
        let title = format!(
            "คุณได้รับการลงทะเบียนเรียนรายวิชา \"{}\" ({}) เรียนได้ตั้งแต่ {} ถึง {}",
            course.fields.title,
            fields.name,
            super::model::be_day(fields.starts_on),
            super::model::be_day(fields.ends_on)
        );
        let link = format!("/learn/courses/{}", course.id);
        for batch in enrolled.chunks(NOTICE_BATCH) {
            let notices = batch
                .iter()
                .map(|u| NewNotice {
                    user: *u,
                    kind: "cohort_enrolled".into(),
                    title: title.clone(),
                    link: link.clone(),
                    once_key: Some(format!("cohort:{id}:enrolled:{u}")),
                })
                .collect();
            self.notify(notices).await?;
        }
        self.audit(
            Some(me),
            "learning.cohort.create",
            format!("cohort:{id}"),
            format!("course {} · {} enrolled", course.id, enrolled.len()),
        )
        .await?;
        Ok(CohortCreated {
            id,
            enrolled: enrolled.len() as u32,
            already: matches.len() as u32 - enrolled.len() as u32,
        })
    }

    /// A course's cohorts that the actor may see reports of (all of them for the course's
    /// officers).
    pub async fn course_cohorts(
        &self,
        actor: &Actor,
        course: CourseId,
    ) -> DomainResult<(Course, Vec<CohortSummary>)> {
        if actor.user_id().is_none() {
            return Err(DomainError::Unauthenticated);
        }
        let course = self.course_store()?.course(course).await?;
        if !actor.may_somewhere(Action::ManageKnowledge) {
            return Err(DomainError::Forbidden);
        }
        let all = self.cohort_store()?.cohorts_of(course.id).await?;
        if self.may_manage_course(actor, &course).await? {
            return Ok((course, all));
        }
        let mut mine = Vec::new();
        for c in all {
            if self
                .check_course_officer(actor, c.cohort.fields.unit_id)
                .await
                .is_ok()
            {
                mine.push(c);
            }
        }
        Ok((course, mine))
    }

    /// The cohort report at `root` (None: the cohort's top unit); a root outside the
    /// cohort's units falls back to the top.
    pub async fn cohort_report(
        &self,
        actor: &Actor,
        id: CohortId,
        root: Option<UnitId>,
        query: LearnerQuery,
    ) -> DomainResult<CohortReport> {
        self.cohort_report_sized(actor, id, root, query, LEARNERS_PER_PAGE)
            .await
    }

    /// Every learner of the cohort (for the workbook), with the report's totals.
    pub async fn cohort_sheet(&self, actor: &Actor, id: CohortId) -> DomainResult<CohortReport> {
        let query = LearnerQuery {
            status: None,
            sort: super::model::LearnerSort::Name,
            page: 1,
        };
        self.cohort_report_sized(actor, id, None, query, u32::MAX as u64)
            .await
    }

    async fn cohort_report_sized(
        &self,
        actor: &Actor,
        id: CohortId,
        root: Option<UnitId>,
        query: LearnerQuery,
        per_page: u64,
    ) -> DomainResult<CohortReport> {
        if actor.user_id().is_none() {
            return Err(DomainError::Unauthenticated);
        }
        let store = self.cohort_store()?;
        let cohort = store.cohort(id).await?;
        self.check_course_officer(actor, cohort.fields.unit_id)
            .await?;
        let course = self.course_store()?.course(cohort.fields.course_id).await?;
        let lessons = self
            .course_store()?
            .lessons_of(course.id)
            .await?
            .iter()
            .filter(|l| l.removed_at.is_none())
            .count() as u32;
        let tree = self.unit_tree().await?;
        let top = report_top(&tree, &cohort);
        let root = root.filter(|r| tree.is_within(*r, top)).unwrap_or(top);
        let counts = store.unit_counts(id).await?;
        let (totals, _) = roll_up(&tree, top, &counts);
        let (root_row, children) = roll_up(&tree, root, &counts);
        let trail = tree
            .path(root)?
            .0
            .into_iter()
            .skip_while(|u| *u != top)
            .filter_map(|u| tree.get(u).map(|x| (u, x.name_th.as_str().to_string())))
            .collect();
        // Below the top, only the root's subtree: the units with learners in it.
        let units: Option<Vec<UnitId>> = (root != top).then(|| {
            counts
                .iter()
                .map(|c| c.unit_id)
                .filter(|u| tree.is_within(*u, root))
                .collect()
        });
        let mut learners = store
            .learners(id, units.as_deref(), query, per_page)
            .await?;
        for l in &mut learners.items {
            l.unit_name = tree
                .get(l.unit_id)
                .map(|u| u.name_th.as_str().to_string())
                .unwrap_or_default();
        }
        Ok(CohortReport {
            cohort,
            course,
            totals,
            root: root_row,
            trail,
            children,
            learners,
            lessons,
        })
    }
}
