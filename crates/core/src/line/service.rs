//! LINE capture on [`Khlang`]: link codes from the account page, and the webhook that turns
//! a linked person's messages into their drafts.

use super::model::{
    Incoming, LINK_CODE_MINUTES, LinkCode, Message, draft_title, parse_webhook, signature_valid,
};
use super::ports::{LineApi, LineStore};
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use crate::item::ItemInput;
use crate::org::{Action, Actor};
use crate::service::Khlang;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// Wrong link codes a LINE user may send per hour: six digits are a million codes, so a
/// guesser gets nowhere in fifteen minutes.
const MAX_WRONG_CODES: u64 = 5;

/// The channel and where khlang is reached (for the links in replies).
#[derive(Debug, Clone)]
pub struct LineSettings {
    pub channel_secret: String,
    /// `https://km.example.go.th`, without a trailing slash.
    pub base_url: String,
    /// Largest picture or file taken from a message, in bytes.
    pub file_limit: u64,
}

/// LINE capture's ports and settings, held by the hub when configured.
pub(crate) struct LineParts {
    store: Arc<dyn LineStore>,
    api: Arc<dyn LineApi>,
    settings: LineSettings,
}

/// What became of a webhook call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// The signature did not match: nothing was read.
    Forged,
    /// Signed, but not the webhook's JSON.
    Malformed,
    /// Message events handled (redeliveries of handled events count as none).
    Handled(usize),
}

const HOW_TO_LINK: &str = "ยังไม่ได้เชื่อมบัญชี LINE กับคลังความรู้ — เข้าสู่ระบบคลังความรู้ \
ไปที่ \"บัญชีของฉัน\" กด \"รับรหัสเชื่อม LINE\" แล้วส่งรหัส 6 หลักมาที่นี่";

impl Khlang {
    pub fn with_line(
        mut self,
        store: Arc<dyn LineStore>,
        api: Arc<dyn LineApi>,
        settings: LineSettings,
    ) -> Self {
        self.line = Some(Arc::new(LineParts {
            store,
            api,
            settings,
        }));
        self
    }

    /// Whether LINE capture is configured (the account page offers linking only then).
    pub fn line_enabled(&self) -> bool {
        self.line.is_some()
    }

    fn line_parts(&self) -> DomainResult<&LineParts> {
        self.line.as_deref().ok_or(DomainError::NotFound)
    }

    /// A new one-time code for the signed-in person to send to the Official Account; any
    /// earlier code of theirs stops working.
    pub async fn line_link_code(&self, actor: &Actor) -> DomainResult<(LinkCode, OffsetDateTime)> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let parts = self.line_parts()?;
        let code = LinkCode::generate();
        let expires = self.clock.now() + Duration::minutes(LINK_CODE_MINUTES);
        parts.store.put_link_code(me, &code.hash(), expires).await?;
        Ok((code, expires))
    }

    /// When the person linked their LINE, if they did.
    pub async fn line_linked_at(&self, actor: &Actor) -> DomainResult<Option<OffsetDateTime>> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        Ok(self.line_parts()?.store.line_linked_at(me).await?)
    }

    pub async fn unlink_line(&self, actor: &Actor) -> DomainResult<()> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        self.line_parts()?.store.unlink_line(me).await?;
        self.audit(
            Some(me),
            "line.unlink",
            format!("user:{}", me.0),
            String::new(),
        )
        .await
    }

    /// A webhook call: checks the signature over the raw body before reading anything, then
    /// handles each message event once (LINE redelivers; several processes may receive).
    pub async fn receive_line_webhook(
        &self,
        body: &[u8],
        signature: &str,
    ) -> DomainResult<WebhookOutcome> {
        let parts = self.line_parts()?;
        if !signature_valid(&parts.settings.channel_secret, body, signature) {
            return Ok(WebhookOutcome::Forged);
        }
        let Some(events) = parse_webhook(body) else {
            return Ok(WebhookOutcome::Malformed);
        };
        let mut handled = 0;
        for ev in events {
            if !parts
                .store
                .first_delivery(&ev.event_id, self.clock.now())
                .await?
            {
                continue;
            }
            handled += 1;
            let reply = match parts.store.user_of_line(&ev.line_user).await? {
                None => self.link_from_line(parts, &ev).await?,
                Some(user) => self.capture_from_line(parts, user, &ev).await?,
            };
            if let Some(token) = &ev.reply_token
                && let Err(e) = parts.api.reply(token, &reply).await
            {
                tracing::warn!(error = %e, "could not reply on LINE");
            }
        }
        Ok(WebhookOutcome::Handled(handled))
    }

    /// A message from a LINE user not linked yet: a code links them, anything else is told how.
    async fn link_from_line(&self, parts: &LineParts, ev: &Incoming) -> DomainResult<String> {
        let Message::Text(text) = &ev.message else {
            return Ok(HOW_TO_LINK.into());
        };
        let Some(code) = LinkCode::parse(text) else {
            return Ok(HOW_TO_LINK.into());
        };
        let now = self.clock.now();
        let key = format!("line:{}", ev.line_user);
        let (wrong, _) = self
            .store
            .login_failures_since(&key, now - Duration::hours(1))
            .await?;
        if wrong >= MAX_WRONG_CODES {
            return Ok("ส่งรหัสผิดหลายครั้งเกินไป กรุณารอ 1 ชั่วโมง แล้วขอรหัสใหม่จากหน้า \"บัญชีของฉัน\"".into());
        }
        match parts.store.take_link_code(&code.hash(), now).await? {
            Some(user) => {
                parts.store.link_line_user(&ev.line_user, user, now).await?;
                self.audit(
                    Some(user),
                    "line.link",
                    format!("user:{}", user.0),
                    String::new(),
                )
                .await?;
                let name = self.store.get_user(user).await?.display_name;
                Ok(format!(
                    "เชื่อมบัญชี LINE กับคลังความรู้ของ {} แล้ว — ส่งข้อความ รูปภาพ หรือไฟล์มาที่นี่ \
                     แต่ละรายการจะเป็นร่างองค์ความรู้ของคุณ",
                    name.as_str()
                ))
            }
            None => {
                self.store.record_login_failure(&key, now).await?;
                Ok(
                    "รหัสไม่ถูกต้องหรือหมดอายุแล้ว (ใช้ได้ 15 นาที ครั้งเดียว) — ขอรหัสใหม่จากหน้า \"บัญชีของฉัน\""
                        .into(),
                )
            }
        }
    }

    /// A linked person's message becomes a draft of theirs in the first unit they may
    /// contribute to; the reply carries its link, or says in Thai why nothing was made.
    async fn capture_from_line(
        &self,
        parts: &LineParts,
        user: UserId,
        ev: &Incoming,
    ) -> DomainResult<String> {
        let person = self.store.get_user(user).await?;
        let actor = self.actor_for(&person).await?;
        let tree = self.unit_tree().await?;
        let Some(unit) = Self::units_where(&tree, &actor, Action::Contribute)
            .first()
            .copied()
        else {
            return Ok("บัญชีของคุณยังไม่มีสิทธิ์บันทึกองค์ความรู้ — ติดต่อเจ้าหน้าที่ KM ของหน่วยงานเพื่อขอสิทธิ์".into());
        };
        let draft = |title: String, body: String| ItemInput {
            title,
            body,
            unit_id: unit.0.to_string(),
            ..Default::default()
        };
        let when = crate::text::format_be_datetime(self.clock.now());
        let made = match &ev.message {
            Message::Text(text) => {
                let Some(title) = draft_title(text) else {
                    return Ok("ข้อความว่าง — ไม่ได้บันทึก".into());
                };
                self.create_item(&actor, &draft(title, text.clone())).await
            }
            Message::Media { id, kind } => {
                let title = match *kind {
                    "image" => format!("รูปภาพจาก LINE {when}"),
                    "video" => format!("วิดีโอจาก LINE {when}"),
                    _ => format!("เสียงจาก LINE {when}"),
                };
                self.draft_with_file(
                    parts,
                    &actor,
                    draft(title, String::new()),
                    id,
                    &format!("line-{id}"),
                )
                .await
            }
            Message::File { id, name } => {
                let title = draft_title(name).unwrap_or_else(|| format!("ไฟล์จาก LINE {when}"));
                self.draft_with_file(parts, &actor, draft(title, String::new()), id, name)
                    .await
            }
            Message::Other(_) => {
                return Ok(
                    "คลังความรู้รับข้อความ รูปภาพ วิดีโอ เสียง และไฟล์ — สติกเกอร์หรือตำแหน่งยังบันทึกไม่ได้".into(),
                );
            }
        };
        match made {
            Ok(item) => Ok(format!(
                "บันทึกเป็นร่างองค์ความรู้ของคุณแล้ว: \"{}\"\nเปิดดู แก้ไข และส่งกลั่นกรองได้ที่ {}/items/{}",
                item.fields.title.as_str(),
                parts.settings.base_url,
                item.id.0
            )),
            Err(DomainError::Invalid(errors)) => Ok(format!(
                "บันทึกไม่ได้: {}",
                errors
                    .iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
            Err(DomainError::TooLarge(message)) => Ok(format!("บันทึกไม่ได้: {message}")),
            Err(DomainError::Internal(cause)) => {
                // The event is marked handled: say so, so the person sends it again.
                tracing::warn!(%cause, "a LINE message could not be kept");
                Ok("ขออภัย ระบบรับรายการนี้ไม่สำเร็จ กรุณาส่งใหม่อีกครั้ง".into())
            }
            Err(e) => Err(e),
        }
    }

    /// Fetches a message's content and checks its type before any draft exists, so a
    /// refused file leaves nothing behind.
    async fn draft_with_file(
        &self,
        parts: &LineParts,
        actor: &Actor,
        input: ItemInput,
        message_id: &str,
        name: &str,
    ) -> DomainResult<crate::item::Item> {
        let content = parts
            .api
            .content(message_id, parts.settings.file_limit)
            .await?;
        let limit = parts.settings.file_limit;
        if content.bytes.len() as u64 > limit {
            return Err(DomainError::TooLarge(format!(
                "ไฟล์ใหญ่เกิน {} MB — ส่งไฟล์ที่เล็กกว่านี้ หรือเข้าสู่ระบบแล้วอัปโหลดที่หน้าเว็บ",
                limit / 1_000_000
            )));
        }
        let head = &content.bytes[..content.bytes.len().min(crate::file::SNIFF_BYTES)];
        let sniffed = crate::file::sniff(head, name).map_err(|e| DomainError::Invalid(vec![e]))?;
        let name = if name.contains('.') {
            name.to_string()
        } else {
            format!("{name}.{}", sniffed.extension)
        };
        let item = self.create_item(actor, &input).await?;
        let bytes = content.bytes;
        let body: crate::ports::ByteStream = Box::pin(futures::stream::once(async move {
            Ok::<_, std::io::Error>(bytes)
        }));
        self.attach_file(actor, item.id, &name, body, parts.settings.file_limit)
            .await?;
        Ok(item)
    }
}
