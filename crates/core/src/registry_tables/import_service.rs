//! Use-case: import innovations from the rows of a workbook, all or nothing, audited.
//!
//! Who: KM officers (นักจัดการความรู้) and unit administrators of the owning unit's subtree
//! ([`Action::ManageKnowledge`]). Where the rows land: by default in the screening queue
//! (ส่งพิจารณาแล้ว) like any submission, because the importer usually typed up other people's
//! work; the importer may instead publish them at once only if they may screen for that unit
//! ([`Action::Review`]: reviewers, unit administrators, site administrators) — typically a
//! registry already screened on paper or in a contest. The audit entry then names the
//! importer as the approver, with the file and the number of rows.

use super::import::{BranchChoice, Checker, ImportLayout, ImportRow, PlacePart, PlaceResolver};
use super::ports::NewInnovation;
use super::service::BRANCH_TAXONOMY;

/// The key of the innovation form template.
pub const INNOVATION_TEMPLATE: &str = "innovation";
use crate::error::{DomainError, DomainResult, FieldError};
use crate::forms::{Answer, Entry};
use crate::geo::Place;
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

/// Places by name or official code, from the geography reference data.
struct Places(&'static crate::geo::Gazetteer);

impl PlaceResolver for Places {
    fn resolve(
        &self,
        province: &str,
        district: &str,
        subdistrict: &str,
    ) -> Result<Place, (PlacePart, String)> {
        let g = self.0;
        let unknown = |what: &str, s: &str| {
            let digits = crate::text::arabic_digits(s.trim());
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                format!("ไม่รู้จักรหัส{what} {digits}")
            } else {
                format!("ไม่รู้จัก{what} “{}”", s.trim())
            }
        };
        let p = g
            .find_province(province)
            .ok_or_else(|| (PlacePart::Province, unknown("จังหวัด", province)))?;
        let d = match district.trim() {
            "" => None,
            s => Some(g.find_district(p.code, s).ok_or_else(|| {
                (
                    PlacePart::District,
                    format!("{} ใน{}", unknown("อำเภอ", s), p.name_th),
                )
            })?),
        };
        let sd = match (subdistrict.trim(), d) {
            ("", _) => None,
            (_, None) => {
                return Err((PlacePart::District, "กรุณาใส่อำเภอของตำบลที่ระบุ".to_string()));
            }
            (s, Some(d)) => Some(g.find_subdistrict(d.code, s).ok_or_else(|| {
                (
                    PlacePart::Subdistrict,
                    format!("{} ในอำเภอ{}", unknown("ตำบล", s), d.name_th),
                )
            })?),
        };
        Ok(Place {
            province: p.code,
            district: d.map(|d| d.code),
            subdistrict: sd.map(|s| s.code),
            village_no: None,
            village: None,
        })
    }
}

impl Khlang {
    /// The columns of the import workbook.
    pub async fn import_layout(&self) -> DomainResult<ImportLayout> {
        let tv = self.template(INNOVATION_TEMPLATE).await?;
        Ok(ImportLayout::new(&tv))
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
        let lookups = self.form_lookups(&layout.template, &[]).await?;
        let rows = Checker {
            layout: &layout,
            branches: &branches,
            lookups: &lookups,
            places: &Places(crate::geo::Gazetteer::get()),
        }
        .check(&request.rows)
        .map_err(|errors| {
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
        // The registry's projection is derived data, refreshed after the commit as after any
        // save (it is rebuilt from the item whenever the item is read or saved again).
        for (id, new) in items.iter().zip(&batch) {
            let mut item = new.item.clone();
            item.id = *id;
            self.item_saved(&item);
            self.project_innovation(&item).await?;
        }
        Ok(ImportOutcome { items, status })
    }
}

/// The item of a checked row: the entry as the wizard would have made it (title and
/// summary from the template's title and summary fields), the branch as its term, the
/// innovators' names as authors (the public name only).
fn fields_of(layout: &ImportLayout, row: &ImportRow, unit: UnitId) -> ItemFields {
    let tv = &layout.template;
    let summary = tv
        .body
        .summary_field
        .as_deref()
        .and_then(|k| match row.answers.get(k) {
            Some(Answer::Text(t)) => Some(crate::text::tidy(t)),
            _ => None,
        })
        .map(|t| {
            use unicode_segmentation::UnicodeSegmentation;
            if t.graphemes(true).count() > 300 {
                let mut s: String = t.graphemes(true).take(300).collect();
                s.push('…');
                s
            } else {
                t
            }
        })
        .unwrap_or_default();
    fn kind<'a>(s: Option<&'a String>, default: &'a str) -> &'a str {
        s.map(String::as_str).unwrap_or(default)
    }
    ItemFields {
        title: row.title.clone(),
        summary,
        body: String::new(),
        knowledge_type: KnowledgeType::parse(kind(tv.body.knowledge_type.as_ref(), "innovation"))
            .unwrap_or(KnowledgeType::Innovation),
        acquisition: Acquisition::parse(kind(tv.body.acquisition.as_ref(), "collect"))
            .unwrap_or(Acquisition::Collect),
        km_steps: vec![],
        terms: vec![row.branch],
        tags: vec![],
        authors: row.innovators.clone(),
        unit_id: unit,
        fiscal_year: Some(row.fiscal_year.be()),
        visibility: Visibility::Public,
        licence: String::new(),
        links: vec![],
        entry: Some(Entry {
            template: tv.body.key.clone(),
            version: tv.version,
            answers: row.answers.clone(),
            step: None,
        }),
    }
}
