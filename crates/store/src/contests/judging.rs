//! [`JudgingStore`] over the database.

use crate::store::SeaStore;
use async_trait::async_trait;
use khlang_core::contests::model::{Judge, Score};
use khlang_core::contests::ports::JudgingStore;
use khlang_core::error::PortError;
use khlang_core::ids::{RoundId, TermId};
use khlang_core::ports::PortResult;

fn missing() -> PortError {
    PortError::Other("contest judging: not built yet".into())
}

#[async_trait]
impl JudgingStore for SeaStore {
    async fn round_judges(&self, _round: RoundId) -> PortResult<Vec<Judge>> {
        Err(missing())
    }
    async fn branch_scores(&self, _round: RoundId, _branch: TermId) -> PortResult<Vec<Score>> {
        Err(missing())
    }
}
