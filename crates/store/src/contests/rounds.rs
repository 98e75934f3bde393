//! [`RoundStore`] over the database.

use crate::store::SeaStore;
use async_trait::async_trait;
use khlang_core::contests::model::{Contest, Entry, Round, RoundStatus};
use khlang_core::contests::ports::{NewContest, RoundStore};
use khlang_core::error::PortError;
use khlang_core::ids::{ContestId, EntryId, RoundId};
use khlang_core::ports::{Page, PortResult};
use time::OffsetDateTime;

fn missing() -> PortError {
    PortError::Other("contest rounds: not built yet".into())
}

#[async_trait]
impl RoundStore for SeaStore {
    async fn insert_contest(&self, _new: &NewContest) -> PortResult<Contest> {
        Err(missing())
    }
    async fn get_contest(&self, _id: ContestId) -> PortResult<Contest> {
        Err(missing())
    }
    async fn list_contests(&self, _page: u64, _per_page: u64) -> PortResult<Page<Contest>> {
        Err(missing())
    }
    async fn insert_round(&self, _round: &Round) -> PortResult<Round> {
        Err(missing())
    }
    async fn get_round(&self, _id: RoundId) -> PortResult<Round> {
        Err(missing())
    }
    async fn contest_rounds(&self, _contest: ContestId) -> PortResult<Vec<Round>> {
        Err(missing())
    }
    async fn update_round(&self, _round: &Round) -> PortResult<()> {
        Err(missing())
    }
    async fn set_round_status(
        &self,
        _id: RoundId,
        _from: RoundStatus,
        _to: RoundStatus,
        _at: OffsetDateTime,
    ) -> PortResult<()> {
        Err(missing())
    }
    async fn get_entry(&self, _id: EntryId) -> PortResult<Entry> {
        Err(missing())
    }
}
