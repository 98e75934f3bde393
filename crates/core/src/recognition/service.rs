//! Use-cases of the recognition context.

use super::model::{PraiseCount, PraiseTarget};
use crate::error::DomainResult;
use crate::org::Actor;
use crate::service::Khlang;
use std::collections::HashMap;

impl Khlang {
    /// The praise buttons' counts for what a page shows, in one query. Pages render the button
    /// as a form posting `target` (`item:5`, `post:7`) and `back` to `/praise`.
    pub async fn praise_counts(
        &self,
        _actor: &Actor,
        _targets: &[PraiseTarget],
    ) -> DomainResult<HashMap<PraiseTarget, PraiseCount>> {
        Ok(HashMap::new()) // contract: filled in by recognition
    }
}
