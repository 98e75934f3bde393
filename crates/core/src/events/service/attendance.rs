//! Check-in (by ticket, by the event's QR, by hand), the attendance list, and attendance
//! certificates.

use super::{AttendeeRow, TicketView, refused};
use crate::certificates::model::NewCertificate;
use crate::error::{DomainError, DomainResult};
use crate::events::model::{
    Attendance, CheckinHow, Event, RegStatus, Registration, certificates_allowed, self_checkin_open,
};
use crate::ids::{EventId, RegistrationId};
use crate::notifications::model::NewNotice;
use crate::org::Actor;
use crate::service::Khlang;
use crate::text::format_be_date_long;

impl Khlang {
    /// An opened ticket: organisers see the person, anyone else only the event.
    pub async fn ticket_view(&self, actor: &Actor, ticket: &str) -> DomainResult<TicketView> {
        let store = self.event_store()?;
        let r = store.registration_by_ticket(ticket.trim()).await?;
        let e = store.event(r.event_id).await?;
        let tree = self.unit_tree().await?;
        Ok(if Self::organises(actor, &tree, e.fields.unit_id) {
            TicketView::Organiser(e, Box::new(r))
        } else {
            TicketView::Other(e)
        })
    }

    async fn record(
        &self,
        actor: &Actor,
        e: &Event,
        r: &Registration,
        how: CheckinHow,
    ) -> DomainResult<Registration> {
        if e.cancelled_at.is_some() {
            return Err(refused("กิจกรรมนี้ยกเลิกแล้ว"));
        }
        if r.attendance.is_some() {
            return Err(refused(format!("{} ลงชื่อเข้าร่วมแล้ว", r.name)));
        }
        if r.status != RegStatus::Confirmed {
            return Err(refused(format!(
                "{} ยังไม่ได้ที่นั่ง ({}) จึงลงชื่อเข้าร่วมไม่ได้",
                r.name,
                r.status.label_th()
            )));
        }
        let a = Attendance {
            at: self.clock.now(),
            how,
            by: actor.user_id(),
        };
        if !self.event_store()?.check_in(r.id, &a).await? {
            return Err(refused(
                "ลงชื่อเข้าร่วมไม่ได้ (มีการเปลี่ยนแปลงระหว่างนี้) กรุณาเปิดหน้าใหม่",
            ));
        }
        self.audit(
            actor.user_id(),
            "event.checkin",
            format!("event:{}", e.id),
            format!("registration:{} {}", r.id, how.as_str()),
        )
        .await?;
        Ok(Registration {
            attendance: Some(a),
            ..r.clone()
        })
    }

    /// Check-in by the registrant's ticket QR: organisers only.
    pub async fn check_in_ticket(&self, actor: &Actor, ticket: &str) -> DomainResult<Registration> {
        match self.ticket_view(actor, ticket).await? {
            TicketView::Organiser(e, r) => self.record(actor, &e, &r, CheckinHow::QrTicket).await,
            TicketView::Other(_) if actor.user_id().is_none() => Err(DomainError::Unauthenticated),
            TicketView::Other(_) => Err(DomainError::Forbidden),
        }
    }

    /// The event behind a check-in QR, for the page the registrant lands on.
    pub async fn event_by_checkin(&self, secret: &str) -> DomainResult<Event> {
        Ok(self.event_store()?.event_by_checkin(secret.trim()).await?)
    }

    /// A signed-in registrant checks in with the event's QR, on the event's day(s) only.
    pub async fn check_in_self(&self, actor: &Actor, secret: &str) -> DomainResult<Registration> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let e = self.event_by_checkin(secret).await?;
        if !self_checkin_open(&e, self.clock.now()) {
            return Err(refused("ลงชื่อเข้าร่วมด้วย QR ของกิจกรรมได้เฉพาะวันที่จัดกิจกรรม"));
        }
        let r = self
            .event_store()?
            .registration_of_user(e.id, me)
            .await?
            .ok_or_else(|| refused("คุณไม่ได้ลงทะเบียนกิจกรรมนี้"))?;
        self.record(actor, &e, &r, CheckinHow::SelfQr).await
    }

    /// An organiser ticks a row of the attendance list.
    pub async fn check_in_by_hand(
        &self,
        actor: &Actor,
        id: EventId,
        reg: RegistrationId,
    ) -> DomainResult<Registration> {
        let e = self.organised_event(actor, id).await?;
        let r = self.event_store()?.registration(reg).await?;
        if r.event_id != id {
            return Err(DomainError::NotFound);
        }
        self.record(actor, &e, &r, CheckinHow::ByHand).await
    }

    /// The attendance list for organisers, in order of arrival. Guests' phones only for
    /// organisers who are officers of the person register (each read audited there).
    pub async fn attendance_list(
        &self,
        actor: &Actor,
        id: EventId,
        with_phones: bool,
    ) -> DomainResult<(Event, Vec<AttendeeRow>)> {
        let e = self.organised_event(actor, id).await?;
        let mut rows = Vec::new();
        for r in self.event_store()?.registrations(id).await? {
            let phone = match r.person_id {
                Some(p) if with_phones && self.may_manage_person(actor, p).await? => {
                    self.person_private(actor, p).await?.phone
                }
                _ => None,
            };
            rows.push(AttendeeRow {
                registration: r,
                phone,
            });
        }
        Ok((e, rows))
    }

    /// Issues attendance certificates to everyone checked in who has none yet; returns how
    /// many were issued. Organisers, once the event has started.
    pub async fn issue_event_certificates(
        &self,
        actor: &Actor,
        id: EventId,
    ) -> DomainResult<usize> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let e = self.organised_event(actor, id).await?;
        if !certificates_allowed(&e, self.clock.now()) {
            return Err(refused("ออกเกียรติบัตรได้เมื่อกิจกรรมเริ่มแล้ว"));
        }
        let store = self.event_store()?;
        let due: Vec<Registration> = store
            .registrations(id)
            .await?
            .into_iter()
            .filter(|r| r.attendance.is_some() && r.certificate_code.is_none())
            .collect();
        // "ได้เข้าร่วมวงแลกเปลี่ยนเรียนรู้" but "ได้เข้าร่วม KM สัญจร": a space before Latin letters.
        let kind = e.fields.kind.label_th();
        let gap = if kind.starts_with(|c: char| c.is_ascii_alphabetic()) {
            " "
        } else {
            ""
        };
        let title = format!(
            "ได้เข้าร่วม{gap}{kind} \"{}\" เมื่อวันที่ {}",
            e.fields.title,
            format_be_date_long(e.fields.starts_at)
        );
        let batch = due
            .iter()
            .map(|r| NewCertificate {
                holder: r.name.clone(),
                title: title.clone(),
                unit_id: e.fields.unit_id,
                source: format!("event:{id}"),
                holder_user: r.user_id,
            })
            .collect();
        let issued = self.issue_certificates(me, batch).await?;
        for (r, c) in due.iter().zip(&issued) {
            store.set_certificate(r.id, &c.code).await?;
            if let Some(user) = r.user_id {
                self.notify(vec![NewNotice {
                    user,
                    kind: "event_certificate".into(),
                    title: format!("เกียรติบัตรการเข้าร่วม \"{}\" ของคุณพร้อมแล้ว", e.fields.title),
                    link: format!("/c/{}", c.code),
                    once_key: Some(format!("event_certificate:{}", r.id)),
                }])
                .await?;
            }
        }
        Ok(issued.len())
    }
}
