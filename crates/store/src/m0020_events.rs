//! Events, registrations with their waitlist and check-ins, agendas, outputs, booths.
//! Times are Unix milliseconds; the agenda and a booth's items are JSON text. A guest's phone
//! is not here: it lives in the person register (`people`), under its PDPA rules.

use crate::schema::{a, big, big_null, flag, id, index, long, text, text_null};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0020_events"
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
                .table(a("events"))
                .col(id())
                .col(text("title", 200))
                // co_learning · cop_forum · field_visit · km_market · training
                .col(text("kind", 20))
                .col(big("unit_id"))
                .col(long("description"))
                .col(text("place", 300))
                .col(text_null("online_url", 500))
                .col(big("starts_ms"))
                .col(big("ends_ms"))
                // NULL: no limit.
                .col(ColumnDef::new(a("capacity")).integer().null())
                .col(flag("waitlist"))
                .col(big_null("opens_ms"))
                .col(big_null("closes_ms"))
                // public · signed_in · unit · community, with the unit or community id.
                .col(text("audience", 20))
                .col(big_null("audience_ref"))
                .col(long("agenda"))
                .col(text("checkin_secret", 100))
                .col(big("created_by"))
                .col(big("created_ms"))
                .col(big_null("cancelled_ms"))
                // Bumped by every registration change: the UPDATE takes the row (PostgreSQL)
                // or the database (SQLite) for the rest of the transaction, so seats are
                // counted and taken by one writer at a time.
                .col(ColumnDef::new(a("seq")).big_integer().not_null().default(0))
                .foreign_key(&mut fk("events", "unit_id", "units"))
                .to_owned(),
        )
        .await?;
        index(m, "ux_events_checkin", "events", &["checkin_secret"], true).await?;
        index(m, "ix_events_starts", "events", &["starts_ms"], false).await?;

        m.create_table(
            Table::create()
                .table(a("event_registrations"))
                .col(id())
                .col(big("event_id"))
                .col(big_null("user_id"))
                .col(big_null("person_id"))
                .col(text("name", 200))
                .col(text("affiliation", 200))
                // confirmed · waitlisted · cancelled · removed
                .col(text("status", 20))
                .col(text("secret", 100))
                .col(text("ticket", 100))
                .col(big("created_ms"))
                .col(big("updated_ms"))
                .col(big_null("checked_in_ms"))
                // qr_ticket · self_qr · by_hand
                .col(text_null("checkin_how", 20))
                .col(big_null("checkin_by"))
                .col(text_null("certificate_code", 40))
                .foreign_key(&mut fk("event_registrations", "event_id", "events"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_event_registrations_secret",
            "event_registrations",
            &["secret"],
            true,
        )
        .await?;
        index(
            m,
            "ux_event_registrations_ticket",
            "event_registrations",
            &["ticket"],
            true,
        )
        .await?;
        index(
            m,
            "ix_event_registrations_event",
            "event_registrations",
            &["event_id", "status"],
            false,
        )
        .await?;
        index(
            m,
            "ix_event_registrations_user",
            "event_registrations",
            &["user_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("event_booths"))
                .col(id())
                .col(big("event_id"))
                .col(text("name", 200))
                .col(big("unit_id"))
                .col(long("description"))
                // JSON array of item ids.
                .col(long("items"))
                .foreign_key(&mut fk("event_booths", "event_id", "events"))
                .foreign_key(&mut fk("event_booths", "unit_id", "units"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_event_booths_event",
            "event_booths",
            &["event_id"],
            false,
        )
        .await?;
        Ok(())
    }
}
