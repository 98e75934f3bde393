//! [`LevelStore`] over the database in plain SQL that SQLite and PostgreSQL both speak.

use crate::store::SeaStore;
use khlang_core::levels::LevelStore;

impl LevelStore for SeaStore {}
