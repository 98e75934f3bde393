//! [`RecognitionStore`] over the database in plain SQL that SQLite and PostgreSQL both speak.

use crate::store::SeaStore;
use khlang_core::recognition::RecognitionStore;

impl RecognitionStore for SeaStore {}
