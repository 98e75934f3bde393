//! Recognition's types and rules (no I/O).

use crate::ids::{ItemId, PostId};

/// What can be praised (ชื่นชม): an item or a reply in a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PraiseTarget {
    Item(ItemId),
    Post(PostId),
}

impl PraiseTarget {
    /// `item:5`, `post:7`: the form value of a praise button.
    pub fn as_key(&self) -> String {
        match self {
            PraiseTarget::Item(i) => format!("item:{i}"),
            PraiseTarget::Post(p) => format!("post:{p}"),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let (kind, id) = s.trim().split_once(':')?;
        let id: i64 = id.parse().ok().filter(|v| *v > 0)?;
        match kind {
            "item" => Some(PraiseTarget::Item(ItemId(id))),
            "post" => Some(PraiseTarget::Post(PostId(id))),
            _ => None,
        }
    }
}

/// A praise button's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PraiseCount {
    pub count: u64,
    /// The reader has praised it already (the button then takes it back).
    pub mine: bool,
}
