//! The knowledge book's rules without I/O: what a request must hold, the item limit, who
//! may build one, and how the chosen items are ordered.

use crate::error::{DomainError, FieldError};
use crate::ids::{ItemId, UnitId};
use crate::org::{Action, Actor, Target, UnitPath, authorize};
use crate::print::{Digits, Paper};
use crate::text::{arabic_digits, grapheme_len, thai_digits};
use serde::{Deserialize, Serialize};

/// The most items one book may hold. Measured (docs/books.md, a debug build): 100 demo
/// items, a third with a 1600×1200 photo, take 16 s and 590 MB at the peak; 300 take 51 s and
/// 1.5 GB — the engine holds the whole book, pictures decoded, in memory. 200 keeps a book
/// near half a minute and 1 GB, which a small agency server can spare; a yearly book of
/// seed 003 is a few dozen items, and more is split into volumes.
pub const MAX_ITEMS: usize = 200;
/// Pictures printed per item (the first ones attached); the rest stay online (the QR code).
pub const MAX_PICTURES_PER_ITEM: usize = 4;

/// A book as the officer asks for it (the job's parameters).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookSpec {
    pub title: String,
    /// Under the title on the cover (optional).
    pub subtitle: String,
    /// คำนำ: its own page before the table of contents (optional).
    pub foreword: String,
    /// The unit publishing the book (on the cover; the officer manages its knowledge).
    pub unit_id: UnitId,
    /// ปีงบประมาณ (พ.ศ.) on the cover, if given.
    pub fiscal_year: Option<i32>,
    pub paper: Paper,
    pub digits: Digits,
    /// In reading order; no repeats.
    pub items: Vec<ItemId>,
    /// The site's address, for the QR codes to the items' pages.
    pub base_url: String,
}

/// The form as typed; [`BookForm::parse`] turns it into a [`BookSpec`] or field errors.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BookForm {
    pub title: String,
    pub subtitle: String,
    pub foreword: String,
    pub unit_id: String,
    pub fiscal_year: String,
    pub paper: String,
    pub digits: String,
    /// Item ids in the current order.
    pub items: Vec<String>,
}

/// An id as typed (Thai digits too); None when it is not one.
pub fn parse_id(s: &str) -> Option<i64> {
    arabic_digits(s.trim())
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
}

/// Item ids as typed, in order, each once; anything not an id is dropped.
pub fn item_ids(values: &[String]) -> Vec<ItemId> {
    let mut out: Vec<ItemId> = Vec::new();
    for v in values {
        for part in v.split([',', ' ', '\n']) {
            if let Some(id) = parse_id(part).map(ItemId)
                && !out.contains(&id)
            {
                out.push(id);
            }
        }
    }
    out
}

/// The refusal of a book of `n` items, in Thai.
pub fn too_many(n: usize) -> FieldError {
    FieldError::new(
        "items",
        format!(
            "หนังสือหนึ่งเล่มรวมองค์ความรู้ได้ไม่เกิน {} เรื่อง แต่เลือกไว้ {} เรื่อง กรุณาแบ่งเป็นหลายเล่ม",
            thai_digits(&MAX_ITEMS.to_string()),
            thai_digits(&n.to_string())
        ),
    )
}

impl BookForm {
    pub fn parse(&self, base_url: &str) -> Result<BookSpec, DomainError> {
        let mut errors = Vec::new();
        let title = self.title.trim().to_string();
        match grapheme_len(&title) {
            0 => errors.push(FieldError::new("title", "กรุณาใส่ชื่อหนังสือ")),
            n if n > 200 => errors.push(FieldError::new("title", "ชื่อหนังสือยาวเกิน ๒๐๐ ตัวอักษร")),
            _ => {}
        }
        let subtitle = self.subtitle.trim().to_string();
        if grapheme_len(&subtitle) > 300 {
            errors.push(FieldError::new("subtitle", "คำรองยาวเกิน ๓๐๐ ตัวอักษร"));
        }
        let foreword = self.foreword.replace("\r\n", "\n").trim().to_string();
        if grapheme_len(&foreword) > 10_000 {
            errors.push(FieldError::new("foreword", "คำนำยาวเกิน ๑๐,๐๐๐ ตัวอักษร"));
        }
        for (field, label, text) in [
            ("title", "ชื่อหนังสือ", &title),
            ("subtitle", "คำรอง", &subtitle),
        ] {
            if text.chars().any(char::is_control) {
                errors.push(FieldError::new(
                    field,
                    format!("{label}มีอักขระควบคุมที่พิมพ์ไม่ได้"),
                ));
            }
        }
        let unit_id = parse_id(&self.unit_id).map(UnitId);
        if unit_id.is_none() {
            errors.push(FieldError::new("unit_id", "กรุณาเลือกหน่วยงานที่จัดทำหนังสือ"));
        }
        let fiscal_year = match self.fiscal_year.trim() {
            "" => None,
            s => match arabic_digits(s).parse::<i32>() {
                Ok(y) if (2500..=2700).contains(&y) => Some(y),
                _ => {
                    errors.push(FieldError::new(
                        "fiscal_year",
                        "ปีงบประมาณต้องเป็นปี พ.ศ. เช่น ๒๕๖๘",
                    ));
                    None
                }
            },
        };
        let paper = match self.paper.as_str() {
            "" | "a4" => Paper::A4,
            "a5" => Paper::A5,
            _ => {
                errors.push(FieldError::new("paper", "กรุณาเลือกขนาดกระดาษ A4 หรือ A5"));
                Paper::A4
            }
        };
        let digits = match self.digits.as_str() {
            "" | "thai" => Digits::Thai,
            "arabic" => Digits::Arabic,
            _ => {
                errors.push(FieldError::new(
                    "digits",
                    "กรุณาเลือกเลขหน้าแบบเลขไทยหรือเลขอารบิก",
                ));
                Digits::Thai
            }
        };
        let items = item_ids(&self.items);
        if items.is_empty() {
            errors.push(FieldError::new("items", "กรุณาเลือกองค์ความรู้อย่างน้อย ๑ เรื่อง"));
        } else if items.len() > MAX_ITEMS {
            errors.push(too_many(items.len()));
        }
        match (errors.is_empty(), unit_id) {
            (true, Some(unit_id)) => Ok(BookSpec {
                title,
                subtitle,
                foreword,
                unit_id,
                fiscal_year,
                paper,
                digits,
                items,
                base_url: base_url.trim_end_matches('/').to_string(),
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// Officers who run a unit's KM (นักจัดการความรู้ and the unit's administrators, and site
/// administrators) build its books: a book speaks for the unit. Others may read the items
/// but not publish a book in the unit's name.
pub fn may_build(actor: &Actor, unit: &UnitPath) -> bool {
    authorize(actor, Action::ManageKnowledge, &Target::Unit(unit.clone())).is_ok()
}

/// A change to the order of the chosen items, as the buttons ask (no JavaScript).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reorder {
    Up(ItemId),
    Down(ItemId),
    Remove(ItemId),
    /// Sort by the numbers typed beside the items (`numbers[i]` for `items[i]`); an item
    /// without a readable number keeps its place.
    ByNumbers(Vec<String>),
}

impl Reorder {
    /// `up:5`, `down:5`, `remove:5`; None for anything else.
    pub fn parse_button(s: &str) -> Option<Self> {
        let (what, id) = s.split_once(':')?;
        let id = ItemId(parse_id(id)?);
        Some(match what {
            "up" => Reorder::Up(id),
            "down" => Reorder::Down(id),
            "remove" => Reorder::Remove(id),
            _ => return None,
        })
    }

    pub fn apply(&self, items: &mut Vec<ItemId>) {
        let at = |items: &Vec<ItemId>, id: &ItemId| items.iter().position(|x| x == id);
        match self {
            Reorder::Up(id) => {
                if let Some(i) = at(items, id).filter(|i| *i > 0) {
                    items.swap(i, i - 1);
                }
            }
            Reorder::Down(id) => {
                if let Some(i) = at(items, id).filter(|i| i + 1 < items.len()) {
                    items.swap(i, i + 1);
                }
            }
            Reorder::Remove(id) => items.retain(|x| x != id),
            Reorder::ByNumbers(numbers) => {
                let mut keyed: Vec<(f64, usize, ItemId)> = items
                    .iter()
                    .enumerate()
                    .map(|(i, id)| {
                        let n = numbers
                            .get(i)
                            .and_then(|s| arabic_digits(s.trim()).parse::<f64>().ok())
                            .filter(|n| n.is_finite())
                            .unwrap_or((i + 1) as f64);
                        (n, i, *id)
                    })
                    .collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                *items = keyed.into_iter().map(|(_, _, id)| id).collect();
            }
        }
    }
}

/// Adds `more` after `items`, skipping those already chosen.
pub fn add_items(items: &mut Vec<ItemId>, more: &[ItemId]) {
    for id in more {
        if !items.contains(id) {
            items.push(*id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use crate::org::{Role, SignedIn, Unit, UnitCode, UnitKind, UnitName, UnitTree};

    fn form(items: &[&str]) -> BookForm {
        BookForm {
            title: "หนังสือองค์ความรู้ ประจำปี ๒๕๖๘".into(),
            unit_id: "3".into(),
            items: items.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_book_reads_its_form() {
        let spec = form(&["๓", "1", "3, 2"])
            .parse("https://km.example/")
            .unwrap();
        assert_eq!(spec.items, vec![ItemId(3), ItemId(1), ItemId(2)]);
        assert_eq!(spec.unit_id, UnitId(3));
        assert_eq!(spec.paper, Paper::A4);
        assert_eq!(spec.digits, Digits::Thai);
        assert_eq!(spec.base_url, "https://km.example");
        let mut f = form(&["1"]);
        f.paper = "a5".into();
        f.digits = "arabic".into();
        f.fiscal_year = "๒๕๖๘".into();
        let spec = f.parse("").unwrap();
        assert_eq!(
            (spec.paper, spec.digits, spec.fiscal_year),
            (Paper::A5, Digits::Arabic, Some(2568))
        );
    }

    fn fields(e: DomainError) -> Vec<(String, String)> {
        match e {
            DomainError::Invalid(v) => v
                .into_iter()
                .map(|f| (f.field.to_string(), f.message))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_bad_form_names_every_field_in_thai() {
        let bad = BookForm {
            paper: "letter".into(),
            digits: "roman".into(),
            fiscal_year: "68".into(),
            ..Default::default()
        };
        let f = fields(bad.parse("").unwrap_err());
        let names: Vec<&str> = f.iter().map(|(n, _)| n.as_str()).collect();
        for want in [
            "title",
            "unit_id",
            "fiscal_year",
            "paper",
            "digits",
            "items",
        ] {
            assert!(names.contains(&want), "{want} in {names:?}");
        }
        assert!(
            f.iter()
                .all(|(_, m)| m.chars().any(|c| ('ก'..='๙').contains(&c)))
        );
    }

    #[test]
    fn more_than_the_limit_is_refused_and_the_limit_itself_is_not() {
        let ids: Vec<String> = (1..=MAX_ITEMS).map(|i| i.to_string()).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        assert_eq!(form(&refs).parse("").unwrap().items.len(), MAX_ITEMS);
        let ids: Vec<String> = (1..=MAX_ITEMS + 200).map(|i| i.to_string()).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let f = fields(form(&refs).parse("").unwrap_err());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, "items");
        assert!(
            f[0].1.contains("๒๐๐") && f[0].1.contains("๔๐๐"),
            "{}",
            f[0].1
        );
    }

    #[test]
    fn repeats_and_junk_are_dropped_in_order() {
        assert_eq!(
            item_ids(&["2".into(), "x, 2, ๕".into(), "-1 0 7".into()]),
            vec![ItemId(2), ItemId(5), ItemId(7)]
        );
    }

    #[test]
    fn buttons_move_items_and_the_ends_stay_put() {
        let mut v = vec![ItemId(1), ItemId(2), ItemId(3)];
        Reorder::parse_button("up:2").unwrap().apply(&mut v);
        assert_eq!(v, vec![ItemId(2), ItemId(1), ItemId(3)]);
        Reorder::parse_button("up:2").unwrap().apply(&mut v);
        assert_eq!(v, vec![ItemId(2), ItemId(1), ItemId(3)]);
        Reorder::parse_button("down:3").unwrap().apply(&mut v);
        assert_eq!(v, vec![ItemId(2), ItemId(1), ItemId(3)]);
        Reorder::parse_button("down:2").unwrap().apply(&mut v);
        assert_eq!(v, vec![ItemId(1), ItemId(2), ItemId(3)]);
        Reorder::parse_button("remove:๒").unwrap().apply(&mut v);
        assert_eq!(v, vec![ItemId(1), ItemId(3)]);
        assert_eq!(Reorder::parse_button("drop:1"), None);
        assert_eq!(Reorder::parse_button("up:x"), None);
    }

    #[test]
    fn numbers_sort_the_items_and_blanks_keep_their_place() {
        let mut v = vec![ItemId(10), ItemId(20), ItemId(30), ItemId(40)];
        Reorder::ByNumbers(vec!["๓".into(), "".into(), "1".into(), "2.5".into()]).apply(&mut v);
        assert_eq!(v, vec![ItemId(30), ItemId(20), ItemId(40), ItemId(10)]);
        let mut w = vec![ItemId(1)];
        add_items(&mut w, &[ItemId(2), ItemId(1), ItemId(3)]);
        assert_eq!(w, vec![ItemId(1), ItemId(2), ItemId(3)]);
    }

    fn unit(id: i64, parent: Option<i64>) -> Unit {
        Unit {
            id: UnitId(id),
            parent_id: parent.map(UnitId),
            code: UnitCode::parse(&format!("U{id}")).unwrap(),
            kind: UnitKind::Division,
            name_th: UnitName::parse("name_th", &format!("หน่วย {id}")).unwrap(),
            name_en: None,
            short_th: None,
            retired: false,
        }
    }

    #[test]
    fn km_officers_and_unit_admins_build_books_others_do_not() {
        let tree = UnitTree::new(vec![unit(1, None), unit(2, Some(1)), unit(3, None)]);
        let path = tree.path(UnitId(2)).unwrap();
        let with = |role: Role, on: i64| {
            Actor::User(SignedIn {
                user_id: UserId(9),
                site_admin: false,
                grants: vec![(role, UnitId(on))],
            })
        };
        assert!(may_build(&with(Role::KmOfficer, 2), &path));
        assert!(may_build(&with(Role::KmOfficer, 1), &path), "from above");
        assert!(may_build(&with(Role::Admin, 2), &path));
        assert!(!may_build(&with(Role::KmOfficer, 3), &path), "another unit");
        for role in [Role::Reviewer, Role::Contributor, Role::Viewer] {
            assert!(!may_build(&with(role, 2), &path), "{role:?}");
        }
        assert!(!may_build(&Actor::Anonymous, &path));
        let admin = Actor::User(SignedIn {
            user_id: UserId(1),
            site_admin: true,
            grants: vec![],
        });
        assert!(may_build(&admin, &path));
    }
}
