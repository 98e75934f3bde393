//! One migration set for SQLite and PostgreSQL, written with SeaQuery's schema builder.

use sea_orm_migration::prelude::*;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_knowledge::Migration),
            Box::new(m0003_listing_index::Migration),
            Box::new(crate::m0004_search::Migration),
            Box::new(crate::m0005_search_split::Migration),
            Box::new(crate::m0006_revisions::Migration),
            Box::new(crate::m0007_search_generation::Migration),
            Box::new(crate::m0008_nodes::Migration),
            Box::new(crate::m0009_forms::Migration),
            Box::new(crate::m0010_people::Migration),
            Box::new(crate::m0011_innovations::Migration),
            Box::new(crate::m0012_media::Migration),
            Box::new(crate::m0013_contests::Migration),
            Box::new(crate::m0014_plans::Migration),
            Box::new(crate::m0015_targets::Migration),
            Box::new(crate::m0016_networks::Migration),
            Box::new(crate::m0017_dashboard::Migration),
            Box::new(crate::m0018_communities::Migration),
            Box::new(crate::m0019_thread_search::Migration),
            Box::new(crate::m0020_events::Migration),
            Box::new(crate::m0021_lessons::Migration),
            Box::new(crate::m0022_recognition::Migration),
            Box::new(crate::m0023_learning::Migration),
            Box::new(crate::m0024_usage::Migration),
            Box::new(crate::m0025_books::Migration),
            Box::new(crate::m0026_oai::Migration),
            Box::new(crate::m0027_line::Migration),
            Box::new(crate::m0028_imports::Migration),
        ]
    }
}

mod m0001_foundation {
    use sea_orm_migration::prelude::*;

    /// Named explicitly: the derive would name every migration in this file alike.
    pub struct Migration;

    impl MigrationName for Migration {
        fn name(&self) -> &str {
            "m0001_foundation"
        }
    }

    #[derive(DeriveIden)]
    enum Units {
        Table,
        Id,
        ParentId,
        Code,
        Kind,
        NameTh,
        NameEn,
        ShortTh,
        Retired,
        CreatedAt,
    }

    #[derive(DeriveIden)]
    enum Users {
        Table,
        Id,
        Username,
        DisplayName,
        Email,
        Phone,
        HomeUnitId,
        SiteAdmin,
        Disabled,
        PasswordHash,
        CreatedAt,
    }

    #[derive(DeriveIden)]
    enum RoleGrants {
        Table,
        Id,
        UserId,
        Role,
        UnitId,
    }

    #[derive(DeriveIden)]
    enum Sessions {
        Table,
        Hash,
        UserId,
        Csrf,
        CreatedAt,
        ExpiresAt,
    }

    #[derive(DeriveIden)]
    enum ApiTokens {
        Table,
        Id,
        UserId,
        Name,
        Prefix,
        Hash,
        CreatedAt,
        LastUsedAt,
        RevokedAt,
    }

    #[derive(DeriveIden)]
    enum LoginFailures {
        Table,
        Id,
        Key,
        At,
    }

    #[derive(DeriveIden)]
    enum SetupTokens {
        Table,
        Hash,
        ExpiresAt,
    }

    #[derive(DeriveIden)]
    enum AuditLog {
        Table,
        Id,
        ActorId,
        Action,
        Target,
        Detail,
        At,
    }

    fn id<T: IntoIden>(col: T) -> ColumnDef {
        ColumnDef::new(col)
            .big_integer()
            .not_null()
            .auto_increment()
            .primary_key()
            .to_owned()
    }

    fn ts<T: IntoIden>(col: T) -> ColumnDef {
        ColumnDef::new(col)
            .timestamp_with_time_zone()
            .not_null()
            .to_owned()
    }

    #[async_trait::async_trait]
    impl MigrationTrait for Migration {
        async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
            m.create_table(
                Table::create()
                    .table(Units::Table)
                    .col(id(Units::Id))
                    .col(ColumnDef::new(Units::ParentId).big_integer().null())
                    .col(
                        ColumnDef::new(Units::Code)
                            .string_len(40)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Units::Kind).string_len(40).not_null())
                    .col(ColumnDef::new(Units::NameTh).string_len(1000).not_null())
                    .col(ColumnDef::new(Units::NameEn).string_len(1000).null())
                    .col(ColumnDef::new(Units::ShortTh).string_len(200).null())
                    .col(
                        ColumnDef::new(Units::Retired)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(ts(Units::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Units::Table, Units::ParentId)
                            .to(Units::Table, Units::Id),
                    )
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name("ix_units_parent")
                    .table(Units::Table)
                    .col(Units::ParentId)
                    .to_owned(),
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(Users::Table)
                    .col(id(Users::Id))
                    .col(
                        ColumnDef::new(Users::Username)
                            .string_len(32)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Users::DisplayName)
                            .string_len(1000)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Users::Email).string_len(254).null())
                    .col(ColumnDef::new(Users::Phone).string_len(20).null())
                    .col(ColumnDef::new(Users::HomeUnitId).big_integer().null())
                    .col(
                        ColumnDef::new(Users::SiteAdmin)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(Users::Disabled)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(Users::PasswordHash)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ts(Users::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::HomeUnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .to_owned(),
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(RoleGrants::Table)
                    .col(id(RoleGrants::Id))
                    .col(ColumnDef::new(RoleGrants::UserId).big_integer().not_null())
                    .col(ColumnDef::new(RoleGrants::Role).string_len(20).not_null())
                    .col(ColumnDef::new(RoleGrants::UnitId).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(RoleGrants::Table, RoleGrants::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(RoleGrants::Table, RoleGrants::UnitId)
                            .to(Units::Table, Units::Id),
                    )
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name("ux_role_grants")
                    .table(RoleGrants::Table)
                    .col(RoleGrants::UserId)
                    .col(RoleGrants::Role)
                    .col(RoleGrants::UnitId)
                    .unique()
                    .to_owned(),
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(
                        ColumnDef::new(Sessions::Hash)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Sessions::UserId).big_integer().not_null())
                    .col(ColumnDef::new(Sessions::Csrf).string_len(64).not_null())
                    .col(ts(Sessions::CreatedAt))
                    .col(ts(Sessions::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name("ix_sessions_user")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(id(ApiTokens::Id))
                    .col(ColumnDef::new(ApiTokens::UserId).big_integer().not_null())
                    .col(ColumnDef::new(ApiTokens::Name).string_len(400).not_null())
                    .col(ColumnDef::new(ApiTokens::Prefix).string_len(20).not_null())
                    .col(
                        ColumnDef::new(ApiTokens::Hash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ts(ApiTokens::CreatedAt))
                    .col(
                        ColumnDef::new(ApiTokens::LastUsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ApiTokens::RevokedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiTokens::Table, ApiTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(LoginFailures::Table)
                    .col(id(LoginFailures::Id))
                    .col(
                        ColumnDef::new(LoginFailures::Key)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(ts(LoginFailures::At))
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name("ix_login_failures_key_at")
                    .table(LoginFailures::Table)
                    .col(LoginFailures::Key)
                    .col(LoginFailures::At)
                    .to_owned(),
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(SetupTokens::Table)
                    .col(
                        ColumnDef::new(SetupTokens::Hash)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ts(SetupTokens::ExpiresAt))
                    .to_owned(),
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(id(AuditLog::Id))
                    .col(ColumnDef::new(AuditLog::ActorId).big_integer().null())
                    .col(ColumnDef::new(AuditLog::Action).string_len(100).not_null())
                    .col(ColumnDef::new(AuditLog::Target).string_len(200).not_null())
                    .col(ColumnDef::new(AuditLog::Detail).text().not_null())
                    .col(ts(AuditLog::At))
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name("ix_audit_at")
                    .table(AuditLog::Table)
                    .col(AuditLog::At)
                    .to_owned(),
            )
            .await?;
            Ok(())
        }

        async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
            for t in [
                "audit_log",
                "setup_tokens",
                "login_failures",
                "api_tokens",
                "sessions",
                "role_grants",
                "users",
                "units",
            ] {
                m.drop_table(Table::drop().table(Alias::new(t)).to_owned())
                    .await?;
            }
            Ok(())
        }
    }
}

mod m0002_knowledge {
    //! The knowledge repository: taxonomies, items with versions, files, conversation, uploads.
    use crate::schema::{a, big, id, index, text, ts};
    use sea_orm_migration::prelude::*;

    /// Named explicitly: the derive would name every migration in this file alike.
    pub struct Migration;

    impl MigrationName for Migration {
        fn name(&self) -> &str {
            "m0002_knowledge"
        }
    }

    fn fk(from: &str, col: &str, to: &str) -> ForeignKeyCreateStatement {
        ForeignKey::create()
            .from(a(from), a(col))
            .to(a(to), a(if to == "blobs" { "sha256" } else { "id" }))
            .to_owned()
    }

    #[async_trait::async_trait]
    impl MigrationTrait for Migration {
        async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
            m.create_table(
                Table::create()
                    .table(a("taxonomies"))
                    .col(id())
                    .col(text("key", 60).unique_key())
                    .col(text("name_th", 1000))
                    .col(text("name_en", 1000))
                    .to_owned(),
            )
            .await?;
            m.create_table(
                Table::create()
                    .table(a("terms"))
                    .col(id())
                    .col(big("taxonomy_id"))
                    .col(text("key", 60))
                    .col(text("label_th", 1000))
                    .col(text("label_en", 1000))
                    .col(ColumnDef::new(a("parent_id")).big_integer().null())
                    .col(
                        ColumnDef::new(a("retired"))
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .foreign_key(&mut fk("terms", "taxonomy_id", "taxonomies"))
                    .foreign_key(&mut fk("terms", "parent_id", "terms"))
                    .to_owned(),
            )
            .await?;
            index(m, "ux_terms_key", "terms", &["taxonomy_id", "key"], true).await?;

            m.create_table(
                Table::create()
                    .table(a("items"))
                    .col(id())
                    .col(text("title", 2000))
                    .col(ColumnDef::new(a("summary")).text().not_null())
                    .col(text("status", 20))
                    .col(big("unit_id"))
                    .col(text("knowledge_type", 20))
                    .col(text("visibility", 20))
                    .col(ColumnDef::new(a("fiscal_year")).integer().not_null())
                    .col(ColumnDef::new(a("fields")).text().not_null())
                    .col(ColumnDef::new(a("version")).integer().not_null())
                    .col(big("created_by"))
                    .col(ts("created_at"))
                    .col(big("updated_by"))
                    .col(ts("updated_at"))
                    .col(
                        ColumnDef::new(a("published_at"))
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(&mut fk("items", "unit_id", "units"))
                    .foreign_key(&mut fk("items", "created_by", "users"))
                    .foreign_key(&mut fk("items", "updated_by", "users"))
                    .to_owned(),
            )
            .await?;
            index(
                m,
                "ix_items_status_published",
                "items",
                &["status", "published_at"],
                false,
            )
            .await?;
            index(
                m,
                "ix_items_status_updated",
                "items",
                &["status", "updated_at"],
                false,
            )
            .await?;
            index(m, "ix_items_unit", "items", &["unit_id", "status"], false).await?;
            index(
                m,
                "ix_items_creator",
                "items",
                &["created_by", "updated_at"],
                false,
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(a("item_terms"))
                    .col(big("item_id"))
                    .col(big("term_id"))
                    .primary_key(Index::create().col(a("item_id")).col(a("term_id")))
                    .foreign_key(&mut fk("item_terms", "item_id", "items"))
                    .foreign_key(&mut fk("item_terms", "term_id", "terms"))
                    .to_owned(),
            )
            .await?;
            index(
                m,
                "ix_item_terms_term",
                "item_terms",
                &["term_id", "item_id"],
                false,
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(a("item_versions"))
                    .col(big("item_id"))
                    .col(ColumnDef::new(a("number")).integer().not_null())
                    .col(ColumnDef::new(a("snapshot")).text().not_null())
                    .col(big("created_by"))
                    .col(ts("created_at"))
                    .col(ColumnDef::new(a("note")).text().not_null())
                    .primary_key(Index::create().col(a("item_id")).col(a("number")))
                    .foreign_key(&mut fk("item_versions", "item_id", "items"))
                    .to_owned(),
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(a("blobs"))
                    .col(
                        ColumnDef::new(a("sha256"))
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(big("size"))
                    .col(text("mime", 200))
                    .col(ts("created_at"))
                    .to_owned(),
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(a("item_files"))
                    .col(id())
                    .col(big("item_id"))
                    .col(text("name", 1000))
                    .col(text("sha256", 64))
                    .col(big("size"))
                    .col(text("mime", 200))
                    .col(text("kind", 40))
                    .col(
                        ColumnDef::new(a("current"))
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(big("added_by"))
                    .col(ts("added_at"))
                    .foreign_key(&mut fk("item_files", "item_id", "items"))
                    .foreign_key(&mut fk("item_files", "sha256", "blobs"))
                    .to_owned(),
            )
            .await?;
            index(
                m,
                "ix_item_files_item",
                "item_files",
                &["item_id", "current"],
                false,
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(a("item_comments"))
                    .col(id())
                    .col(big("item_id"))
                    .col(big("author_id"))
                    .col(text("author_name", 1000))
                    .col(ColumnDef::new(a("body")).text().not_null())
                    .col(ColumnDef::new(a("from_status")).string_len(20).null())
                    .col(ColumnDef::new(a("to_status")).string_len(20).null())
                    .col(ts("at"))
                    .foreign_key(&mut fk("item_comments", "item_id", "items"))
                    .to_owned(),
            )
            .await?;
            index(
                m,
                "ix_item_comments_item",
                "item_comments",
                &["item_id", "id"],
                false,
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(a("uploads"))
                    .col(
                        ColumnDef::new(a("id"))
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(big("user_id"))
                    .col(big("item_id"))
                    .col(text("filename", 1000))
                    .col(big("length"))
                    .col(big("offset"))
                    .col(ts("created_at"))
                    .col(ColumnDef::new(a("file_id")).big_integer().null())
                    .foreign_key(&mut fk("uploads", "item_id", "items"))
                    .to_owned(),
            )
            .await?;
            Ok(())
        }

        async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
            for t in [
                "uploads",
                "item_comments",
                "item_files",
                "blobs",
                "item_versions",
                "item_terms",
                "items",
                "terms",
                "taxonomies",
            ] {
                m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
            }
            Ok(())
        }
    }
}

mod m0003_listing_index {
    use sea_orm_migration::prelude::*;

    pub struct Migration;

    impl MigrationName for Migration {
        fn name(&self) -> &str {
            "m0003_listing_index"
        }
    }

    /// Published lists filter on status and visibility and sort by publication date: with all
    /// three in one index, counting a list reads only the index, and a page is read in order.
    #[async_trait::async_trait]
    impl MigrationTrait for Migration {
        async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
            m.create_index(
                Index::create()
                    .name("ix_items_listing")
                    .table(Alias::new("items"))
                    .col(Alias::new("status"))
                    .col(Alias::new("visibility"))
                    .col(Alias::new("published_at"))
                    .to_owned(),
            )
            .await
        }

        async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
            m.drop_index(
                Index::drop()
                    .name("ix_items_listing")
                    .table(Alias::new("items"))
                    .to_owned(),
            )
            .await
        }
    }
}
