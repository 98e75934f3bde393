//! One migration set for SQLite and PostgreSQL, written with SeaQuery's schema builder.

use sea_orm_migration::prelude::*;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m0001_foundation::Migration)]
    }
}

mod m0001_foundation {
    use sea_orm_migration::prelude::*;

    #[derive(DeriveMigrationName)]
    pub struct Migration;

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
