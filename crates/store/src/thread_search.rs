//! [`ThreadIndex`] over the database in plain SQL that SQLite and PostgreSQL both speak.

use crate::store::SeaStore;
use khlang_core::communities::ThreadIndex;

impl ThreadIndex for SeaStore {}
