//! Course packages: exporting a course (its lessons, quiz banks, and the item lessons' items
//! with their files) as a ZIP others can load, and importing one into a unit as a draft,
//! all or nothing and once per package id and unit. The format is in [`format`] and
//! `docs/learning.md`.

pub mod format;

use crate::error::{DomainError, DomainResult, FieldError};
use crate::file::RangeRequest;
use crate::ids::{CourseId, ItemId, UnitId};
use crate::learning::model::{Course, CourseFields, LessonBody, LessonFields};
use crate::org::Actor;
use crate::service::Khlang;
use bytes::Bytes;
use format::{
    FORMAT, Manifest, PackageCourse, PackageCurriculum, PackageFile, PackageItem, PackageLesson,
    PackageQuestion, PackageRules, ReadPackage,
};
use futures::StreamExt;

/// What an import would create, for the dry-run page.
#[derive(Debug, Clone)]
pub struct PackagePlan {
    pub package_id: String,
    pub title: String,
    /// (kind in Thai, title) per lesson, in order.
    pub lessons: Vec<(String, String)>,
    pub questions: usize,
    /// (item title, [(file name, size)]).
    pub items: Vec<(String, Vec<(String, u64)>)>,
    /// The course this package already made in the unit: importing again creates nothing.
    pub existing: Option<Course>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// A new draft course, with how many lessons, questions and draft items it made.
    Created {
        course: CourseId,
        lessons: usize,
        questions: usize,
        items: usize,
    },
    /// This package was imported into the unit before: nothing was created.
    Existing(CourseId),
}

/// Problems of a package as one form error each on the `file` field.
fn problems(list: Vec<String>) -> DomainError {
    DomainError::Invalid(
        list.into_iter()
            .map(|m| FieldError::new("file", m))
            .collect(),
    )
}

impl Khlang {
    /// The course as a package (file name, ZIP bytes), for its officers; `limit` caps each
    /// file read into memory. The package id is the course's origin when it was imported,
    /// else `khlang:<course id>:<created ms>`, so exporting twice gives the same package.
    pub async fn course_package(
        &self,
        actor: &Actor,
        id: CourseId,
        limit: u64,
    ) -> DomainResult<(String, Vec<u8>)> {
        let wb = self.course_workbench(actor, id).await?;
        let course = &wb.outline.course;
        let store = self.course_store()?;
        let curriculum = match course.fields.curriculum_id {
            Some(c) => {
                let c = store.curriculum(c).await?;
                Some(PackageCurriculum {
                    title: c.fields.title,
                    audience: c.fields.audience.as_str().into(),
                    goals: c.fields.goals,
                    hours: c.fields.hours,
                })
            }
            None => None,
        };
        let mut lessons = Vec::new();
        let mut files = Vec::new();
        for (i, l) in wb.outline.lessons.iter().enumerate() {
            let mut p = PackageLesson {
                kind: l.fields.body.kind().into(),
                title: l.fields.title.clone(),
                required: l.fields.required,
                minutes: l.fields.minutes,
                text: None,
                intro: None,
                rules: None,
                questions: Vec::new(),
                item: None,
            };
            match &l.fields.body {
                LessonBody::Text(t) => p.text = Some(t.clone()),
                LessonBody::Quiz { intro, rules } => {
                    p.intro = Some(intro.clone());
                    p.rules = Some(PackageRules::of(rules));
                    p.questions = self
                        .quiz_bank(l.id)
                        .await?
                        .iter()
                        .map(|q| PackageQuestion::of(&q.fields))
                        .collect();
                }
                LessonBody::Item(item) => {
                    p.item = Some(
                        self.package_item(actor, *item, i + 1, limit, &mut files)
                            .await?,
                    );
                }
            }
            lessons.push(p);
        }
        let package_id = course.origin.clone().unwrap_or_else(|| {
            format!(
                "khlang:{}:{}",
                course.id.0,
                course.created_at.unix_timestamp_nanos() / 1_000_000
            )
        });
        let manifest = Manifest {
            format: FORMAT.into(),
            package_id,
            course: PackageCourse {
                title: course.fields.title.clone(),
                summary: course.fields.summary.clone(),
                minutes: course.fields.minutes,
                open: course.fields.open,
                sequential: course.fields.sequential,
                qualifies_trainers: course.fields.qualifies_trainers,
            },
            curriculum,
            lessons,
        };
        let zip =
            format::write(&manifest, &files).map_err(|e| DomainError::internal(e.to_string()))?;
        Ok((format!("course-{}.zip", course.id.0), zip))
    }

    /// An item lesson's item and its current files, read as its download page would.
    async fn package_item(
        &self,
        actor: &Actor,
        id: ItemId,
        position: usize,
        limit: u64,
        files: &mut Vec<(String, Vec<u8>)>,
    ) -> DomainResult<PackageItem> {
        let view = self.item_view(actor, id).await?;
        let input = crate::item::ItemInput::from(&view.item.fields);
        let split = |v: &[String]| -> Vec<String> {
            v.iter()
                .flat_map(|s| s.split([',', '\n']))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        let mut out = PackageItem {
            title: input.title,
            summary: input.summary,
            body: input.body,
            knowledge_type: input.knowledge_type,
            acquisition: input.acquisition,
            tags: split(&input.tags),
            authors: split(&input.authors),
            visibility: input.visibility,
            licence: input.licence,
            links: split(&input.links),
            files: Vec::new(),
        };
        for f in view.files.iter().filter(|f| f.current) {
            if f.size > limit {
                return Err(DomainError::TooLarge(format!(
                    "ไฟล์ {} ใหญ่เกิน {} จึงส่งออกเป็นแพ็กเกจไม่ได้",
                    f.name,
                    crate::file::human_size(limit)
                )));
            }
            let (_, _, mut stream) = self.open_file(actor, f.id, RangeRequest::Full).await?;
            let mut bytes = Vec::with_capacity(f.size as usize);
            while let Some(chunk) = stream.next().await {
                bytes.extend_from_slice(&chunk.map_err(|e| DomainError::internal(e.to_string()))?);
            }
            let path = format::file_path(position, &f.name);
            out.files.push(PackageFile {
                name: f.name.clone(),
                path: path.clone(),
                size: bytes.len() as u64,
            });
            files.push((path, bytes));
        }
        Ok(out)
    }

    /// Reads a package for an import into `unit` without writing anything: what it would
    /// create, or every problem in Thai (as `file` field errors).
    pub async fn check_course_package(
        &self,
        actor: &Actor,
        unit: UnitId,
        bytes: &[u8],
        limit: u64,
    ) -> DomainResult<PackagePlan> {
        let (read, existing) = self.read_for_import(actor, unit, bytes, limit).await?;
        let m = &read.manifest;
        let mut items = Vec::new();
        for l in &m.lessons {
            if let Some(i) = &l.item {
                items.push((
                    i.title.clone(),
                    i.files.iter().map(|f| (f.name.clone(), f.size)).collect(),
                ));
            }
        }
        Ok(PackagePlan {
            package_id: m.package_id.trim().into(),
            title: m.course.title.clone(),
            lessons: m
                .lessons
                .iter()
                .map(|l| (kind_th(&l.kind).into(), l.title.clone()))
                .collect(),
            questions: read.questions.iter().map(Vec::len).sum(),
            items,
            existing,
        })
    }

    async fn read_for_import(
        &self,
        actor: &Actor,
        unit: UnitId,
        bytes: &[u8],
        limit: u64,
    ) -> DomainResult<(ReadPackage, Option<Course>)> {
        actor.user_id().ok_or(DomainError::Unauthenticated)?;
        if self.check_course_officer(actor, unit).await.is_err() {
            return Err(DomainError::invalid(
                "unit",
                "นำเข้าได้เฉพาะหน่วยงานที่ท่านดูแลการจัดการความรู้",
            ));
        }
        if bytes.len() as u64 > limit {
            return Err(problems(vec![format!(
                "แพ็กเกจใหญ่เกิน {}",
                crate::file::human_size(limit)
            )]));
        }
        let read = format::read(bytes, limit).map_err(problems)?;
        let existing = self
            .course_store()?
            .course_by_origin(unit, read.manifest.package_id.trim())
            .await?;
        Ok((read, existing))
    }

    /// Imports a package into `unit` as a draft course (origin = its package id): text and
    /// quiz lessons as they are, each item lesson as a new draft item of the importer with
    /// its files. Every check runs first; a write failing midway takes back the course and
    /// archives nothing it cannot (see the error). Importing the same package into the same
    /// unit again creates nothing.
    pub async fn import_course_package(
        &self,
        actor: &Actor,
        unit: UnitId,
        bytes: &[u8],
        limit: u64,
    ) -> DomainResult<ImportOutcome> {
        let (read, _) = self.read_for_import(actor, unit, bytes, limit).await?;
        // One import of a package into a unit at a time, across processes: a second one waits,
        // then finds the first one's course (the schema has no unique (unit, origin) index).
        let lease = self
            .hold(
                &format!("learning.import:{unit}:{}", read.manifest.package_id.trim()),
                std::time::Duration::from_secs(120),
                std::time::Duration::from_secs(30),
            )
            .await?
            .ok_or_else(|| {
                DomainError::Conflict("กำลังนำเข้าแพ็กเกจนี้อยู่ กรุณาลองอีกครั้งในอีกสักครู่".into())
            })?;
        let done = self.import_held(actor, unit, &read).await;
        self.release(lease).await;
        done
    }

    async fn import_held(
        &self,
        actor: &Actor,
        unit: UnitId,
        read: &ReadPackage,
    ) -> DomainResult<ImportOutcome> {
        if let Some(c) = self
            .course_store()?
            .course_by_origin(unit, read.manifest.package_id.trim())
            .await?
        {
            return Ok(ImportOutcome::Existing(c.id));
        }
        let mut made_items = Vec::new();
        let mut made_course = None;
        match self
            .write_package(actor, unit, read, &mut made_items, &mut made_course)
            .await
        {
            Ok(outcome) => Ok(outcome),
            Err(e) => {
                tracing::warn!(error = %e, "course package import failed midway; undoing");
                if let Some(c) = made_course {
                    self.course_store()?.delete_course(c).await?;
                }
                let left = made_items.len();
                Err(DomainError::Conflict(if left == 0 {
                    format!("นำเข้าไม่สำเร็จ ({e}) ระบบยกเลิกสิ่งที่สร้างไปแล้วทั้งหมด")
                } else {
                    format!(
                        "นำเข้าไม่สำเร็จ ({e}) ระบบลบรายวิชาที่สร้างแล้ว แต่มีองค์ความรู้ฉบับร่าง {left} รายการค้างอยู่ในร่างของท่าน ลบหรือใช้ต่อได้"
                    )
                }))
            }
        }
    }

    async fn write_package(
        &self,
        actor: &Actor,
        unit: UnitId,
        read: &ReadPackage,
        made_items: &mut Vec<ItemId>,
        made_course: &mut Option<CourseId>,
    ) -> DomainResult<ImportOutcome> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let store = self.course_store()?;
        let m = &read.manifest;
        // Items first: they are the writes most likely to be refused (the item rules).
        let mut item_of = Vec::new();
        for l in &m.lessons {
            let Some(p) = &l.item else {
                item_of.push(None);
                continue;
            };
            let item = self.create_item(actor, &p.input(unit)).await?;
            made_items.push(item.id);
            for f in &p.files {
                let bytes = read.files.get(&f.path).cloned().unwrap_or_default();
                let body = futures::stream::once(async move { Ok(Bytes::from(bytes)) }).boxed();
                self.attach_file(actor, item.id, &f.name, body, u64::MAX)
                    .await?;
            }
            item_of.push(Some(item.id));
        }
        let now = self.clock.now();
        let fields = CourseFields {
            curriculum_id: None,
            title: super::rules::title("title", &m.course.title)
                .map_err(|e| DomainError::Invalid(vec![e]))?,
            summary: m.course.summary.trim().to_string(),
            unit_id: unit,
            minutes: m.course.minutes,
            open: m.course.open,
            sequential: m.course.sequential,
            qualifies_trainers: m.course.qualifies_trainers,
        };
        let course = store
            .insert_course(&fields, Some(m.package_id.trim()), me, now)
            .await?;
        *made_course = Some(course);
        let mut questions = 0;
        for (i, l) in m.lessons.iter().enumerate() {
            let body = match (l.kind.as_str(), item_of[i]) {
                (_, Some(item)) => LessonBody::Item(item),
                ("text", _) => LessonBody::Text(l.text.clone().unwrap_or_default().trim().into()),
                _ => LessonBody::Quiz {
                    intro: l.intro.clone().unwrap_or_default().trim().into(),
                    rules: l.rules.map(|r| r.rules()).unwrap_or(
                        crate::learning::model::QuizRules {
                            pass_percent: 80,
                            draw: None,
                            retries: true,
                        },
                    ),
                },
            };
            let lesson = store
                .insert_lesson(
                    course,
                    &LessonFields {
                        title: super::rules::title("title", &l.title)
                            .map_err(|e| DomainError::Invalid(vec![e]))?,
                        body,
                        required: l.required,
                        minutes: l.minutes,
                    },
                    now,
                )
                .await?;
            for q in &read.questions[i] {
                store.insert_question(lesson, q).await?;
                questions += 1;
            }
        }
        store
            .insert_change(
                course,
                Some(me),
                &format!("นำเข้าจากแพ็กเกจ {}", m.package_id.trim()),
                now,
            )
            .await?;
        Ok(ImportOutcome::Created {
            course,
            lessons: m.lessons.len(),
            questions,
            items: made_items.len(),
        })
    }
}

fn kind_th(kind: &str) -> &'static str {
    match kind {
        "item" => "องค์ความรู้",
        "text" => "เนื้อหา",
        _ => "แบบทดสอบ",
    }
}
