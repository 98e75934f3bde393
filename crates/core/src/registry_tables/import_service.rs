//! Use-case: import innovations from the rows of a workbook, all or nothing, audited.
//!
//! Who: KM officers (นักจัดการความรู้) and unit administrators of the owning unit's subtree
//! ([`Action::ManageKnowledge`]). Where the rows land: by default in the screening queue
//! (ส่งพิจารณาแล้ว) like any submission, because the importer usually typed up other people's
//! work; the importer may instead publish them at once only if they may screen for that unit
//! ([`Action::Review`]: reviewers, unit administrators, site administrators) — typically a
//! registry already screened on paper or in a contest. The audit entry then names the
//! importer as the approver, with the file and the number of rows.

use super::import::{
    AnswerColumn, BranchChoice, ImportLayout, ImportRow, PlacePart, PlaceResolver, check_rows,
};
use super::ports::NewInnovation;
use super::service::BRANCH_TAXONOMY;
use crate::error::{DomainError, DomainResult, FieldError};
use crate::geo::{DistrictCode, Place, ProvinceCode, SubdistrictCode};
use crate::ids::{ItemId, UnitId};
use crate::item::{Acquisition, Item, ItemFields, ItemStatus, KnowledgeType, Visibility};
use crate::org::{Action, Actor, Target, authorize};
use crate::ports::AuditEntry;
use crate::service::Khlang;

/// What the importer asked for.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub unit: UnitId,
    /// Publish at once (needs [`Action::Review`] on the unit) instead of sending for screening.
    pub publish: bool,
    /// The uploaded file's name, for the audit trail.
    pub file_name: String,
    /// The first sheet as rows of text cells (row 0 = Excel row 1).
    pub rows: Vec<Vec<String>>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    pub items: Vec<ItemId>,
    pub status: ItemStatus,
}

/// The answers of the form the workbook carries, one column each (seed 000 §2.3: the right
/// column's prompts, numbered ones included).
pub fn answer_columns() -> Vec<AnswerColumn> {
    let a = |key: &str, label: &str, section: &str, help: &str, required: bool| AnswerColumn {
        key: key.into(),
        label: label.into(),
        section: section.into(),
        help: help.into(),
        required,
        multiline: true,
        max: 10_000,
    };
    vec![
        a("s1.inspiration", "(9) แรงบันดาลใจ", "1 ข้อมูลส่วนตัว", "", false),
        a(
            "s2.context",
            "บริบท/ที่มาและความสำคัญของปัญหา",
            "2 บริบท/ที่มาและความสำคัญของปัญหา",
            "ลักษณะพื้นที่ ลักษณะชุมชน ประชากร ปัญหาสุขภาพในพื้นที่ การวิเคราะห์หาปัญหา",
            false,
        ),
        a(
            "s3.innovation",
            "นวัตกรรม/ผลงานเด่น",
            "3 นวัตกรรม/ผลงานเด่น",
            "นวัตกรรม/ผลงานที่ดำเนินการในพื้นที่ ที่สนับสนุนการดำเนินงานตามบทบาท อสม. ในสาขานั้น ๆ",
            true,
        ),
        a(
            "s4.results",
            "ผลการดำเนินงาน",
            "4 ผลการดำเนินงาน",
            "ผลจากนวัตกรรมหรือผลงานเด่นที่สร้างขึ้น",
            false,
        ),
        a(
            "s5.obstacles",
            "ปัญหาอุปสรรค",
            "5 ปัญหาอุปสรรค",
            "ก่อนดำเนินงาน หรือระหว่างดำเนินงาน",
            false,
        ),
        a(
            "s6.success_factors",
            "ปัจจัยความสำเร็จ",
            "6 ปัจจัยความสำเร็จ",
            "สิ่งที่มีหรือควรมีเพื่อให้การปฏิบัติงานตามบทบาท อสม. นี้ประสบความสำเร็จ",
            false,
        ),
        a(
            "s6.how_to",
            "(8) How to ความสำเร็จ",
            "6 ปัจจัยความสำเร็จ",
            "",
            false,
        ),
        a(
            "s6.networks",
            "(11) การทำงานร่วมกับเครือข่าย",
            "6 ปัจจัยความสำเร็จ",
            "การทำงานร่วมกับเครือข่ายเป็นอย่างไร",
            false,
        ),
        a(
            "s7.continuity",
            "โอกาสพัฒนา/ความต่อเนื่อง",
            "7 โอกาสพัฒนา/ความต่อเนื่อง",
            "สิ่งที่อยากจะทำต่อไป หรือสิ่งที่จะทำให้การทำงานมีความต่อเนื่อง",
            false,
        ),
        a(
            "s7.impact",
            "(10) ผลกระทบจากการทำงาน",
            "7 โอกาสพัฒนา/ความต่อเนื่อง",
            "",
            false,
        ),
    ]
}

/// Places by official code only (used until names can be looked up in the gazetteer).
struct PlaceCodes;

impl PlaceResolver for PlaceCodes {
    fn resolve(
        &self,
        province: &str,
        district: &str,
        subdistrict: &str,
    ) -> Result<Place, (PlacePart, String)> {
        let province = ProvinceCode::parse(province).map_err(|m| (PlacePart::Province, m))?;
        let district = match district.trim() {
            "" => None,
            d => Some(DistrictCode::parse(d).map_err(|m| (PlacePart::District, m))?),
        };
        let subdistrict = match subdistrict.trim() {
            "" => None,
            s => Some(SubdistrictCode::parse(s).map_err(|m| (PlacePart::Subdistrict, m))?),
        };
        let place = Place {
            province,
            district,
            subdistrict,
            village_no: None,
            village: None,
        };
        place.check("place").map_err(|e| {
            let part = if e.message.contains("ตำบล") {
                PlacePart::Subdistrict
            } else {
                PlacePart::District
            };
            (part, e.message)
        })?;
        Ok(place)
    }
}

impl Khlang {
    /// The columns of the import workbook.
    pub async fn import_layout(&self) -> DomainResult<ImportLayout> {
        Ok(ImportLayout::new(&answer_columns()))
    }

    /// The branches an import row may name, numbered as in seed 000 §1.4.
    pub async fn import_branches(&self) -> DomainResult<Vec<BranchChoice>> {
        let vocab = self.vocabulary().await?;
        let Some(tx) = vocab.taxonomies.iter().find(|t| t.key == BRANCH_TAXONOMY) else {
            return Ok(Vec::new());
        };
        let mut terms: Vec<_> = vocab.terms_of(tx.id).filter(|t| !t.retired).collect();
        terms.sort_by_key(|t| t.id);
        Ok(terms
            .into_iter()
            .enumerate()
            .map(|(i, t)| BranchChoice {
                id: t.id,
                number: i + 1,
                key: t.key.clone(),
                label: t.label_th.clone(),
            })
            .collect())
    }

    /// Units the actor may import into (active ones, where they manage knowledge), and
    /// whether they may also publish there.
    pub async fn import_units(&self, actor: &Actor) -> DomainResult<Vec<(UnitId, bool)>> {
        let tree = self.unit_tree().await?;
        let mut out = Vec::new();
        for u in tree.units().iter().filter(|u| !u.retired) {
            let path = Target::Unit(tree.path(u.id)?);
            if authorize(actor, Action::ManageKnowledge, &path).is_ok() {
                out.push((u.id, authorize(actor, Action::Review, &path).is_ok()));
            }
        }
        Ok(out)
    }

    /// Checks every row, then writes all of them in one transaction with one audit entry;
    /// any problem → `Invalid` with one Thai message per row and column, and nothing saved.
    pub async fn import_innovations(
        &self,
        actor: &Actor,
        request: &ImportRequest,
    ) -> DomainResult<ImportOutcome> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let tree = self.unit_tree().await?;
        let unit = tree
            .get(request.unit)
            .ok_or_else(|| DomainError::invalid("unit", "ไม่พบหน่วยงานที่เลือก"))?;
        if unit.retired {
            return Err(DomainError::invalid(
                "unit",
                "หน่วยงานนี้เลิกใช้แล้ว กรุณาเลือกหน่วยงานอื่น",
            ));
        }
        let path = Target::Unit(tree.path(unit.id)?);
        authorize(actor, Action::ManageKnowledge, &path)?;
        if request.publish && authorize(actor, Action::Review, &path).is_err() {
            return Err(DomainError::invalid(
                "publish",
                "คุณไม่มีสิทธิ์อนุมัติเผยแพร่ในหน่วยงานนี้ — เลือก “ส่งพิจารณา” เพื่อให้คณะทำงานกลั่นกรองพิจารณาก่อน",
            ));
        }
        let layout = self.import_layout().await?;
        let branches = self.import_branches().await?;
        let rows =
            check_rows(&layout, &request.rows, &branches, &PlaceCodes).map_err(|errors| {
                DomainError::Invalid(errors.into_iter().map(FieldError::from).collect())
            })?;
        let status = if request.publish {
            ItemStatus::Published
        } else {
            ItemStatus::Submitted
        };
        let now = self.clock.now();
        let mut batch = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut item = Item {
                id: ItemId(0),
                fields: fields_of(&layout, row, unit.id),
                status,
                created_by: me,
                created_at: now,
                updated_by: me,
                updated_at: now,
                published_at: request.publish.then_some(now),
                version: 1,
            };
            let index = self.index_change(&item).await?;
            item.id = ItemId(0);
            batch.push(NewInnovation {
                item,
                note: format!("นำเข้าจากไฟล์ {} แถว {}", request.file_name, row.row),
                index,
            });
        }
        let store = self
            .registry_import()
            .ok_or_else(|| DomainError::internal("no store for registry imports was configured"))?;
        let detail = format!(
            "{} รายการ จากไฟล์ “{}” เข้าหน่วยงาน {} — {}",
            rows.len(),
            request.file_name,
            unit.name_th.as_str(),
            if request.publish {
                "เผยแพร่ทันที ผู้นำเข้าเป็นผู้อนุมัติเผยแพร่"
            } else {
                "ส่งพิจารณา รอคณะทำงานกลั่นกรอง"
            }
        );
        let items = store
            .import_innovations(
                &batch,
                &AuditEntry {
                    actor: Some(me),
                    action: "innovation.import".into(),
                    target: format!("unit:{}", unit.id),
                    detail,
                    at: now,
                },
            )
            .await?;
        for (id, new) in items.iter().zip(&batch) {
            let mut item = new.item.clone();
            item.id = *id;
            self.item_saved(&item);
        }
        Ok(ImportOutcome { items, status })
    }
}

/// The item of a checked row: the form's answers as Markdown sections in the body (so the
/// item page and search show them), the innovator as author, the branch as its term.
fn fields_of(layout: &ImportLayout, row: &ImportRow, unit: UnitId) -> ItemFields {
    let mut body = String::new();
    let mut section = "";
    for c in &layout.columns {
        let Some(answer) = row.answers.get(&c.key) else {
            continue;
        };
        if c.section != section {
            section = &c.section;
            body.push_str(&format!("## {section}\n\n"));
        }
        if c.header
            != c.section
                .trim_start_matches(|ch: char| ch.is_ascii_digit() || ch == ' ')
        {
            body.push_str(&format!("**{}**\n\n", c.header));
        }
        body.push_str(answer);
        body.push_str("\n\n");
    }
    let summary = if row.summary.is_empty() {
        row.answers
            .get("s3.innovation")
            .map(|s| s.chars().take(300).collect())
            .unwrap_or_default()
    } else {
        row.summary.clone()
    };
    ItemFields {
        title: row.title.clone(),
        summary,
        body: body.trim_end().to_string(),
        knowledge_type: KnowledgeType::Innovation,
        acquisition: Acquisition::Collect,
        km_steps: vec![],
        terms: vec![row.branch],
        tags: vec![],
        authors: vec![row.innovator.name.clone()],
        unit_id: unit,
        fiscal_year: Some(row.fiscal_year.be()),
        visibility: Visibility::Public,
        licence: String::new(),
        links: vec![],
    }
}
