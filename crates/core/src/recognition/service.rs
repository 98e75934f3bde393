//! Use-cases of the recognition context: praise (ชื่นชม).

use super::model::{PraiseCount, PraiseTarget};
use super::ports::RecognitionStore;
use crate::error::{DomainError, DomainResult};
use crate::org::Actor;
use crate::service::Khlang;
use std::collections::HashMap;
use std::sync::Arc;

impl Khlang {
    pub(crate) fn recognition_store(&self) -> DomainResult<&Arc<dyn RecognitionStore>> {
        self.recognition
            .as_ref()
            .ok_or_else(|| DomainError::internal("recognition has no store"))
    }

    /// Praises a target, or takes the praise back (one per person per target). Signed-in
    /// readers only: an item the actor may not read is NotFound, as a missing one is.
    /// A community post is checked by the communities context (members-only threads, hidden
    /// posts).
    pub async fn toggle_praise(&self, actor: &Actor, target: PraiseTarget) -> DomainResult<bool> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        match target {
            PraiseTarget::Item(id) => {
                self.readable_item(actor, id).await?;
            }
            PraiseTarget::Post(id) => self.check_post_readable(actor, id).await?,
        }
        Ok(self
            .recognition_store()?
            .toggle_praise(&target.as_key(), me, self.clock.now())
            .await?)
    }

    /// The praise buttons' counts for what a page shows, in one query. Pages render the button
    /// as a form posting `target` (`item:5`, `post:7`) and `back` to `/praise`; a page shows
    /// counts only of what the reader may read.
    pub async fn praise_counts(
        &self,
        actor: &Actor,
        targets: &[PraiseTarget],
    ) -> DomainResult<HashMap<PraiseTarget, PraiseCount>> {
        // A core wired without the recognition store (some unit tests) shows no praise.
        if targets.is_empty() || self.recognition.is_none() {
            return Ok(HashMap::new());
        }
        let keys: Vec<String> = targets.iter().map(PraiseTarget::as_key).collect();
        let found = self
            .recognition_store()?
            .praise_counts(&keys, actor.user_id())
            .await?;
        Ok(targets
            .iter()
            .map(|t| {
                let (count, mine) = found.get(&t.as_key()).copied().unwrap_or_default();
                (*t, PraiseCount { count, mine })
            })
            .collect())
    }
}
