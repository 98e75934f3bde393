//! Contests (การคัดเลือก): contests, rounds (settings as JSON: they are read and written
//! whole, and only while the round is a draft), entries with their links and documents,
//! judges, scores, conflicts, published results; certificates with a verification code.
//! Uploads may now be for an entry's document, from an entrant without an account: their
//! user and item become optional.

use crate::schema::{a, big, big_null, flag, id, index, long, text, text_null};
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0013_contests"
    }
}

fn fk(from: &str, col: &str, to: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(a(from), a(col))
        .to(a(to), a("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(a("contests"))
                .col(id())
                .col(big("unit_id"))
                .col(text("title", 1200))
                .col(ColumnDef::new(a("fiscal_year")).integer().not_null())
                // volunteer · office
                .col(text("kind", 20))
                .col(big("created_by"))
                .col(big("created_ms"))
                .foreign_key(&mut fk("contests", "unit_id", "units"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("contest_rounds"))
                .col(id())
                .col(big("contest_id"))
                .col(text("title", 1200))
                // unit · province · health_zone · region · national
                .col(text("level", 20))
                .col(big("unit_id"))
                // Area::key: p:40 · z:7 · r:ne · n · u:12
                .col(text("area", 40))
                .col(big_null("next_round_id"))
                // draft · open · closed · judging · published
                .col(text("status", 20))
                .col(big("opens_ms"))
                .col(big("closes_ms"))
                // RoundSettings as JSON.
                .col(long("settings"))
                .col(big("created_ms"))
                .col(big("updated_ms"))
                .foreign_key(&mut fk("contest_rounds", "contest_id", "contests"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_contest_rounds_contest",
            "contest_rounds",
            &["contest_id"],
            false,
        )
        .await?;
        index(
            m,
            "ix_contest_rounds_next",
            "contest_rounds",
            &["next_round_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("contest_entries"))
                .col(id())
                .col(big("round_id"))
                .col(big("branch_id"))
                // person · office
                .col(text("entrant_kind", 10))
                .col(big_null("person_id"))
                .col(big_null("office_unit_id"))
                .col(text("name", 1200))
                .col(big("unit_id"))
                .col(text_null("province", 2))
                // เลขที่รับ, unique across all contests.
                .col(text("receipt", 40))
                // forms::model::Entry as JSON, if the round has an entry form.
                .col(ColumnDef::new(a("answers")).text().null())
                .col(big_null("promoted_from"))
                // The entry link: SHA-256 (hex) of its secret; revoked links keep their hash
                // so that a reused link says "revoked", not "not found".
                .col(text_null("link_hash", 64))
                .col(big_null("link_revoked_ms"))
                // The link a reissue replaced, so that it too says "revoked".
                .col(text_null("old_link_hash", 64))
                .col(big("created_by"))
                .col(big("created_ms"))
                .col(big("updated_ms"))
                .foreign_key(&mut fk("contest_entries", "round_id", "contest_rounds"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_contest_entries_receipt",
            "contest_entries",
            &["receipt"],
            true,
        )
        .await?;
        index(
            m,
            "ux_contest_entries_link",
            "contest_entries",
            &["link_hash"],
            true,
        )
        .await?;
        index(
            m,
            "ix_contest_entries_old_link",
            "contest_entries",
            &["old_link_hash"],
            false,
        )
        .await?;
        index(
            m,
            "ix_contest_entries_round",
            "contest_entries",
            &["round_id", "branch_id", "province"],
            false,
        )
        .await?;
        index(
            m,
            "ix_contest_entries_person",
            "contest_entries",
            &["person_id"],
            false,
        )
        .await?;
        index(
            m,
            "ix_contest_entries_from",
            "contest_entries",
            &["promoted_from"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("contest_documents"))
                .col(id())
                .col(big("entry_id"))
                .col(text("requirement", 100))
                .col(text("name", 1000))
                // The content-addressed blob shared with the repository's files.
                .col(text("sha256", 64))
                .col(big("size"))
                .col(text("mime", 200))
                .col(text("kind", 20))
                .col(big("added_ms"))
                .foreign_key(&mut fk("contest_documents", "entry_id", "contest_entries"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_contest_documents_entry",
            "contest_documents",
            &["entry_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("contest_judges"))
                .col(id())
                .col(big("round_id"))
                .col(big("user_id"))
                .col(big("branch_id"))
                .col(big("unit_id"))
                .col(text_null("province", 2))
                .col(flag("chair"))
                .foreign_key(&mut fk("contest_judges", "round_id", "contest_rounds"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_contest_judges",
            "contest_judges",
            &["round_id", "branch_id", "user_id"],
            true,
        )
        .await?;
        index(
            m,
            "ix_contest_judges_user",
            "contest_judges",
            &["user_id"],
            false,
        )
        .await?;

        // One judge's sheet for one entry: its version guards against two saves at once.
        m.create_table(
            Table::create()
                .table(a("contest_sheets"))
                .col(big("entry_id"))
                .col(big("judge_id"))
                .col(big("version"))
                .col(big("saved_ms"))
                .primary_key(Index::create().col(a("entry_id")).col(a("judge_id")))
                .foreign_key(&mut fk("contest_sheets", "entry_id", "contest_entries"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("contest_scores"))
                .col(big("entry_id"))
                .col(big("judge_id"))
                .col(text("criterion", 100))
                .col(ColumnDef::new(a("points")).integer().not_null())
                .col(ColumnDef::new(a("comment")).text().null())
                .primary_key(
                    Index::create()
                        .col(a("entry_id"))
                        .col(a("judge_id"))
                        .col(a("criterion")),
                )
                .foreign_key(&mut fk("contest_scores", "entry_id", "contest_entries"))
                .to_owned(),
        )
        .await?;

        // Conflicts a judge declared (automatic ones are computed, never stored).
        m.create_table(
            Table::create()
                .table(a("contest_conflicts"))
                .col(big("entry_id"))
                .col(big("judge_id"))
                .col(long("reason"))
                .col(big("declared_ms"))
                .primary_key(Index::create().col(a("entry_id")).col(a("judge_id")))
                .foreign_key(&mut fk("contest_conflicts", "entry_id", "contest_entries"))
                .to_owned(),
        )
        .await?;

        // The chair's order of entries still tied (TieBreak::ChairDecision), lowest first.
        m.create_table(
            Table::create()
                .table(a("contest_chair_order"))
                .col(big("round_id"))
                .col(big("branch_id"))
                .col(big("entry_id"))
                .col(ColumnDef::new(a("position")).integer().not_null())
                .primary_key(
                    Index::create()
                        .col(a("round_id"))
                        .col(a("branch_id"))
                        .col(a("entry_id")),
                )
                .foreign_key(&mut fk(
                    "contest_chair_order",
                    "entry_id",
                    "contest_entries",
                ))
                .to_owned(),
        )
        .await?;

        // The published result sheet: one row per entry, frozen at publication.
        m.create_table(
            Table::create()
                .table(a("contest_results"))
                .col(big("entry_id"))
                .col(big("round_id"))
                .col(big("branch_id"))
                .col(ColumnDef::new(a("rank")).integer().not_null())
                .col(ColumnDef::new(a("total")).double().not_null())
                // Why this rank (which tie-break decided), in Thai.
                .col(long("reason"))
                .col(flag("advanced"))
                .col(big("published_ms"))
                .primary_key(Index::create().col(a("entry_id")))
                .foreign_key(&mut fk("contest_results", "entry_id", "contest_entries"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_contest_results_round",
            "contest_results",
            &["round_id", "branch_id"],
            false,
        )
        .await?;

        // Certificates are a mechanism of their own (contests, events, courses issue them).
        m.create_table(
            Table::create()
                .table(a("certificates"))
                .col(id())
                // The public verification code, unique, printed on the certificate.
                .col(text("code", 40))
                // Who: the holder's name as printed.
                .col(text("holder", 1200))
                // What: "รางวัลชนะเลิศ สาขา... การคัดเลือก อสม.ดีเด่น ระดับภาค ปี 2568".
                .col(long("title"))
                .col(big("unit_id"))
                // What issued it: "contest_entry:123", "event:5", "course:7".
                .col(text("source", 100))
                .col(big("issued_by"))
                .col(big("issued_ms"))
                .col(big_null("revoked_ms"))
                .col(ColumnDef::new(a("revoked_reason")).text().null())
                .col(big_null("revoked_by"))
                .to_owned(),
        )
        .await?;
        index(m, "ux_certificates_code", "certificates", &["code"], true).await?;
        index(
            m,
            "ix_certificates_source",
            "certificates",
            &["source"],
            false,
        )
        .await?;

        // Uploads for an entry's document, possibly from an entrant without an account.
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let statements: Vec<&str> = match backend {
            DbBackend::Sqlite => vec![
                r#"CREATE TABLE "uploads_m13" (
                    "id" varchar(64) NOT NULL PRIMARY KEY,
                    "user_id" bigint NULL,
                    "item_id" bigint NULL REFERENCES "items" ("id"),
                    "filename" varchar(1000) NOT NULL,
                    "length" bigint NOT NULL,
                    "offset" bigint NOT NULL,
                    "created_at" timestamp_with_timezone_text NOT NULL,
                    "file_id" bigint NULL,
                    "entry_id" bigint NULL REFERENCES "contest_entries" ("id") ON DELETE CASCADE,
                    "requirement" varchar(100) NULL)"#,
                r#"INSERT INTO "uploads_m13" ("id", "user_id", "item_id", "filename", "length",
                    "offset", "created_at", "file_id")
                   SELECT "id", "user_id", "item_id", "filename", "length", "offset",
                    "created_at", "file_id" FROM "uploads""#,
                r#"DROP TABLE "uploads""#,
                r#"ALTER TABLE "uploads_m13" RENAME TO "uploads""#,
            ],
            _ => vec![
                r#"ALTER TABLE "uploads" ALTER COLUMN "user_id" DROP NOT NULL"#,
                r#"ALTER TABLE "uploads" ALTER COLUMN "item_id" DROP NOT NULL"#,
                r#"ALTER TABLE "uploads" ADD COLUMN "entry_id" bigint NULL
                   REFERENCES "contest_entries" ("id") ON DELETE CASCADE"#,
                r#"ALTER TABLE "uploads" ADD COLUMN "requirement" varchar(100) NULL"#,
            ],
        };
        // One script on one connection: the SQLite pool's connections would otherwise each
        // run a statement, and a later one may not yet see the table an earlier one dropped.
        let script = match backend {
            DbBackend::Sqlite => format!("BEGIN; {}; COMMIT;", statements.join("; ")),
            _ => statements.join("; "),
        };
        db.execute_unprepared(&script).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "certificates",
            "contest_results",
            "contest_chair_order",
            "contest_conflicts",
            "contest_scores",
            "contest_sheets",
            "contest_judges",
            "contest_documents",
            "contest_entries",
            "contest_rounds",
            "contests",
        ] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
