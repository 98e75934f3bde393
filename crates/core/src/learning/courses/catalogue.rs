//! The catalogue (รายวิชาที่เปิดสอน): published courses grouped by curriculum, and a
//! curriculum's public page. The learners room builds `/learn` on [`Khlang::catalogue`].

use super::ports::CourseChange;
use crate::error::{DomainError, DomainResult};
use crate::ids::{CourseId, CurriculumId};
use crate::learning::model::{Course, CourseStatus, Curriculum};
use crate::org::Actor;
use crate::service::Khlang;

/// One curriculum's published courses in their order; `curriculum` is None for the courses
/// that belong to none (listed last).
#[derive(Debug, Clone)]
pub struct CatalogueEntry {
    pub curriculum: Option<Curriculum>,
    pub courses: Vec<Course>,
}

impl Khlang {
    /// Published courses, grouped by curriculum (oldest curriculum first, courses in position
    /// order), curriculum-less courses last. Archived curricula's courses are listed without
    /// their curriculum. Anyone may read it: a published course is public.
    pub async fn catalogue(&self, _actor: &Actor) -> DomainResult<Vec<CatalogueEntry>> {
        let store = self.course_store()?;
        let curricula = store.all_curricula().await?;
        let courses = store
            .courses_with_status(&[CourseStatus::Published])
            .await?;
        Ok(group(curricula, courses))
    }

    /// A curriculum and its published courses in order; archived curricula are not found.
    pub async fn curriculum_page(
        &self,
        actor: &Actor,
        id: CurriculumId,
    ) -> DomainResult<CatalogueEntry> {
        let store = self.course_store()?;
        let c = store.curriculum(id).await?;
        if c.archived_at.is_some()
            && self
                .check_course_officer(actor, c.fields.unit_id)
                .await
                .is_err()
        {
            return Err(DomainError::NotFound);
        }
        let courses = store
            .courses_with_status(&[CourseStatus::Published])
            .await?
            .into_iter()
            .filter(|k| k.fields.curriculum_id == Some(id))
            .collect();
        Ok(CatalogueEntry {
            curriculum: Some(c),
            courses,
        })
    }

    /// What changed in a course that its learners should know, newest first; to anyone who
    /// may read the course (drafts: its officers).
    pub async fn course_changes(
        &self,
        actor: &Actor,
        course: CourseId,
    ) -> DomainResult<Vec<CourseChange>> {
        let store = self.course_store()?;
        let c = store.course(course).await?;
        if c.status == CourseStatus::Draft && !self.may_manage_course(actor, &c).await? {
            return Err(DomainError::NotFound);
        }
        Ok(store.changes_of(course).await?)
    }
}

/// Groups courses under their (live) curricula, in position order; the rest last.
pub(crate) fn group(curricula: Vec<Curriculum>, mut courses: Vec<Course>) -> Vec<CatalogueEntry> {
    courses.sort_by_key(|c| (c.position, c.id.0));
    let mut out = Vec::new();
    for cur in curricula.into_iter().filter(|c| c.archived_at.is_none()) {
        let (mine, rest): (Vec<Course>, Vec<Course>) = courses
            .into_iter()
            .partition(|c| c.fields.curriculum_id == Some(cur.id));
        courses = rest;
        if !mine.is_empty() {
            out.push(CatalogueEntry {
                curriculum: Some(cur),
                courses: mine,
            });
        }
    }
    if !courses.is_empty() {
        courses.sort_by(|a, b| a.fields.title.cmp(&b.fields.title));
        out.push(CatalogueEntry {
            curriculum: None,
            courses,
        });
    }
    out
}
