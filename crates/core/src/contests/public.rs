//! What anyone may read of contests without signing in: which rounds have published results.
//! (The result sheets themselves are in [`super::judging`].)

use super::model::{Contest, Round, RoundStatus};
use crate::error::{DomainError, DomainResult};
use crate::service::Khlang;

/// Contests read per page of the public index; a contest shows only if a round is published.
pub const PUBLIC_CONTESTS_PER_PAGE: u64 = 20;

/// One contest with its published rounds, highest level first.
#[derive(Debug, Clone)]
pub struct PublishedContest {
    pub contest: Contest,
    pub rounds: Vec<Round>,
}

impl Khlang {
    /// A page of contests (newest fiscal year first) with the rounds whose results are
    /// published; contests with none are left out. `pages` is the number of contest pages.
    pub async fn published_results(&self, page: u64) -> DomainResult<(Vec<PublishedContest>, u64)> {
        let store = self
            .contest_rounds
            .as_ref()
            .ok_or_else(|| DomainError::internal("contests have no store"))?;
        let contests = store.list_contests(page, PUBLIC_CONTESTS_PER_PAGE).await?;
        let pages = contests.pages();
        let mut out = Vec::new();
        for contest in contests.items {
            let mut rounds: Vec<Round> = store
                .contest_rounds(contest.id)
                .await?
                .into_iter()
                .filter(|r| r.status == RoundStatus::Published)
                .collect();
            if rounds.is_empty() {
                continue;
            }
            rounds.sort_by(|a, b| b.level.cmp(&a.level).then(a.title.cmp(&b.title)));
            out.push(PublishedContest { contest, rounds });
        }
        Ok((out, pages))
    }
}
