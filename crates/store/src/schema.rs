//! The column and index shapes migrations are written with, so every table spells an id, a
//! count, a bounded text or a flag the same way on SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

pub(crate) fn a(s: &str) -> Alias {
    Alias::new(s)
}

/// `id BIGINT` auto-incremented primary key.
pub(crate) fn id() -> ColumnDef {
    ColumnDef::new(a("id"))
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

pub(crate) fn big(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).big_integer().not_null().to_owned()
}

pub(crate) fn big_null(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).big_integer().null().to_owned()
}

/// Text of at most `len` characters, required.
pub(crate) fn text(name: &str, len: u32) -> ColumnDef {
    ColumnDef::new(a(name))
        .string_len(len)
        .not_null()
        .to_owned()
}

pub(crate) fn text_null(name: &str, len: u32) -> ColumnDef {
    ColumnDef::new(a(name)).string_len(len).null().to_owned()
}

/// Unbounded text, required.
pub(crate) fn long(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).text().not_null().to_owned()
}

/// A boolean that starts false.
pub(crate) fn flag(name: &str) -> ColumnDef {
    ColumnDef::new(a(name))
        .boolean()
        .not_null()
        .default(false)
        .to_owned()
}

pub(crate) fn ts(name: &str) -> ColumnDef {
    ColumnDef::new(a(name))
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

pub(crate) async fn index(
    m: &SchemaManager<'_>,
    name: &str,
    table: &str,
    cols: &[&str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut ix = Index::create().name(name).table(a(table)).to_owned();
    for c in cols {
        ix.col(a(c));
    }
    if unique {
        ix.unique();
    }
    m.create_index(ix).await
}
