//! [`EventStore`] over the database in plain SQL that SQLite and PostgreSQL both speak.

use crate::store::SeaStore;
use khlang_core::events::EventStore;

impl EventStore for SeaStore {}
