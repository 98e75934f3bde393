//! Reminders before a cohort ends (ใกล้ปิดรุ่น), sent from the 10-minute sweep.

use super::model::{REMIND_DAYS, reminder_title};
use super::service::NOTICE_BATCH;
use crate::error::DomainResult;
use crate::notifications::model::NewNotice;
use crate::service::Khlang;
use crate::text::BANGKOK;
use time::{Duration, OffsetDateTime};

impl Khlang {
    /// To each learner who has not completed a cohort that ends within [`REMIND_DAYS`] days
    /// (Bangkok calendar), one inbox notice with the end date and what is left. The notice's
    /// once-key makes it one per person and cohort however many sweeps run, on however many
    /// nodes. Returns how many notices were offered (some may have been sent before).
    pub async fn send_cohort_reminders(&self, now: OffsetDateTime) -> DomainResult<usize> {
        let Some(store) = self.cohorts.as_ref() else {
            return Ok(0);
        };
        let today = now.to_offset(BANGKOK).date();
        let last = (today + Duration::days(REMIND_DAYS + 1))
            .midnight()
            .assume_offset(BANGKOK)
            - Duration::milliseconds(1);
        let ending = store.cohorts_ending(now, last).await?;
        let mut sent = 0;
        for cohort in ending {
            let course = self.course_store()?.course(cohort.fields.course_id).await?;
            let lessons = self
                .course_store()?
                .lessons_of(course.id)
                .await?
                .iter()
                .filter(|l| l.removed_at.is_none())
                .count() as u32;
            let link = format!("/learn/courses/{}", course.id);
            let learners = store.unfinished(cohort.id).await?;
            for batch in learners.chunks(NOTICE_BATCH) {
                let notices: Vec<NewNotice> = batch
                    .iter()
                    .map(|(user, done)| NewNotice {
                        user: *user,
                        kind: "cohort_ending".into(),
                        title: reminder_title(
                            &course.fields.title,
                            &cohort,
                            lessons.saturating_sub(*done),
                        ),
                        link: link.clone(),
                        once_key: Some(format!("cohort:{}:ending:{user}", cohort.id)),
                    })
                    .collect();
                sent += notices.len();
                self.notify(notices).await?;
            }
        }
        Ok(sent)
    }
}
