//! The person register (ทะเบียนบุคคล): people, most without an account, with their address,
//! phone, consent and erasure flag. Times are Unix milliseconds; the consent date is ISO
//! `YYYY-MM-DD`. `name_key` and `phone` are indexed for the duplicate check.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0010_people"
    }
}

fn a(s: &str) -> Alias {
    Alias::new(s)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let text = |name: &str, len: u32| ColumnDef::new(a(name)).string_len(len).null().to_owned();
        let big_null = |name: &str| ColumnDef::new(a(name)).big_integer().null().to_owned();
        let big = |name: &str| ColumnDef::new(a(name)).big_integer().not_null().to_owned();
        m.create_table(
            Table::create()
                .table(a("people"))
                .col(
                    ColumnDef::new(a("id"))
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(big("unit_id"))
                .col(ColumnDef::new(a("name")).string_len(800).not_null())
                .col(ColumnDef::new(a("name_key")).string_len(800).not_null())
                .col(text("province", 2))
                .col(text("district", 4))
                .col(text("subdistrict", 6))
                .col(ColumnDef::new(a("village_no")).integer().null())
                .col(text("village", 400))
                .col(text("phone", 20))
                .col(text("occupation", 400))
                .col(text("status", 400))
                .col(text("education", 400))
                .col(ColumnDef::new(a("volunteer_years")).integer().null())
                .col(text("volunteer_no", 120))
                .col(ColumnDef::new(a("consent_purpose")).text().null())
                .col(text("consent_date", 10))
                .col(big_null("consent_by"))
                .col(
                    ColumnDef::new(a("consent_public"))
                        .string_len(20)
                        .not_null()
                        .default("name_province"),
                )
                .col(
                    ColumnDef::new(a("erased"))
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .col(big_null("merged_into"))
                .col(big_null("created_by"))
                .col(big("created_ms"))
                .col(big("updated_ms"))
                .foreign_key(
                    ForeignKey::create()
                        .from(a("people"), a("unit_id"))
                        .to(a("units"), a("id")),
                )
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ix_people_unit", "unit_id"),
            ("ix_people_name_key", "name_key"),
            ("ix_people_phone", "phone"),
            ("ix_people_subdistrict", "subdistrict"),
            ("ix_people_merged_into", "merged_into"),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(a("people"))
                    .col(a(col))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("people")).to_owned())
            .await
    }
}
