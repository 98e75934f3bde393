//! Use-cases of the events context.

use crate::error::DomainResult;
use crate::ids::EventId;
use crate::org::Actor;
use crate::service::Khlang;

impl Khlang {
    /// An event's title and its page's path, when the actor may see the event (a lesson's
    /// "started from" link).
    pub async fn event_label(
        &self,
        _actor: &Actor,
        _event: EventId,
    ) -> DomainResult<Option<(String, String)>> {
        Ok(None) // contract: filled in by events
    }
}
