//! Use-cases of the lessons context.

use super::model::Origin;
use crate::error::DomainResult;
use crate::ids::ItemId;
use crate::org::Actor;
use crate::ports::ItemSummary;
use crate::service::Khlang;

impl Khlang {
    /// Items linked to an origin (an event's AARs and outputs) that the actor may read,
    /// newest first.
    pub async fn items_of_origin(
        &self,
        _actor: &Actor,
        _origin: Origin,
    ) -> DomainResult<Vec<ItemSummary>> {
        Ok(Vec::new()) // contract: filled in by lessons
    }

    /// Links an item to an origin (an organiser adding an event's output, or a lesson started
    /// from it). The actor must be able to edit the item.
    pub async fn link_item_to_origin(
        &self,
        _actor: &Actor,
        _item: ItemId,
        _origin: Origin,
    ) -> DomainResult<()> {
        Ok(()) // contract: filled in by lessons
    }
}
