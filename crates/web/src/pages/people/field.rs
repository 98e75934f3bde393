//! The person widgets other forms embed: [`PersonForm`] (a person's fields with the place
//! picker and consent) and [`PersonField`] (pick an existing person from the register, or
//! record a new one inline).
//!
//! # Embedding the person field in a form
//! 1. Choose a prefix, e.g. `entry.s1.innovator`. The field posts `{prefix}.mode`
//!    (`existing` | `new`), `{prefix}.id` (the chosen person), `{prefix}.q` with the button
//!    `{prefix}.find` (search, without JavaScript), and the new person's fields under
//!    `{prefix}.new.` (see [`khlang_core::people::PersonDraft`], the place picker under
//!    `{prefix}.new.place`), plus `{prefix}.new.allow_duplicate`.
//! 2. Take the body as pairs (`ThaiForm<Vec<(String, String)>>`) and read
//!    `let input = PersonFieldInput::from_pairs(prefix, &pairs);`.
//! 3. If `input.rerender()` (the search or a place picker "เลือก" button was pressed), save
//!    nothing: render the form again with
//!    `PersonField::build(&state.core, &actor, prefix, "ผู้คิดค้นนวัตกรรม", &input, current, &[]).await?`.
//! 4. Otherwise `save_person_field(&state.core, &actor, unit, &input, current).await` gives the
//!    person's id (an existing one, or a new one recorded for `unit`), `None` when left empty,
//!    or [`DomainError::Invalid`] with errors at `{prefix}.id` / `{prefix}.new.name` …; on
//!    errors build the field again passing them. `current` is the id already stored in the
//!    entry (kept even for someone who may not search the register).
//! 5. In the template: `{{ field.html()|safe }}` and once per page
//!    `<script src="/static/geo.js" defer></script>`.

use crate::pages::geo::{Opt, PlacePicker, pairs_ref, picking};
use askama::Template;
use khlang_core::ids::{PersonId, UnitId};
use khlang_core::org::Actor;
use khlang_core::paging::PageNumber;
use khlang_core::people::model::field_key;
use khlang_core::people::{PersonDraft, PersonInput, PublicScope};
use khlang_core::service::Khlang;
use khlang_core::{DomainError, FieldError};

/// A person's fields as a form part (name, address, phone … consent), used by the register's
/// own pages (prefix "") and inside [`PersonField`] (prefix `{field}.new`).
#[derive(Debug, Clone, Template)]
#[template(path = "people/person_form.html")]
pub struct PersonForm {
    pub prefix: String,
    pub id: String,
    pub draft: PersonDraft,
    pub place: PlacePicker,
    pub scopes: Vec<Opt>,
    pub show_consent: bool,
    /// Offer the "บันทึกเป็นบุคคลใหม่" box (after a duplicate warning).
    pub offer_duplicate: bool,
    pub allow_duplicate: bool,
    errors: Vec<FieldError>,
}

impl PersonForm {
    pub fn new(prefix: &str, draft: PersonDraft, errors: &[FieldError]) -> Self {
        let place_prefix = field_key(prefix, "place");
        let place = PlacePicker::new(&place_prefix, "ที่อยู่", &draft.place)
            .help("เลือกจังหวัด อำเภอ และตำบล แล้วใส่หมู่ที่และชื่อหมู่บ้าน")
            .errors(errors);
        let chosen = PublicScope::parse(&draft.consent_public).unwrap_or_default();
        let name_key = field_key(prefix, "name");
        Self {
            prefix: prefix.to_string(),
            id: if prefix.is_empty() {
                "person".to_string()
            } else {
                prefix.replace('.', "-")
            },
            scopes: PublicScope::ALL
                .iter()
                .map(|s| Opt {
                    value: s.as_str().to_string(),
                    label: s.label_th().to_string(),
                    selected: *s == chosen,
                })
                .collect(),
            show_consent: true,
            offer_duplicate: errors
                .iter()
                .any(|e| e.field == name_key && e.message.starts_with("อาจซ้ำ")),
            allow_duplicate: false,
            draft,
            place,
            errors: errors.to_vec(),
        }
    }

    pub fn key(&self, name: &str) -> String {
        field_key(&self.prefix, name)
    }

    pub fn html_id(&self, name: &str) -> String {
        format!("{}-{}", self.id, name)
    }

    pub fn error(&self, name: &str) -> Option<&str> {
        let key = self.key(name);
        self.errors
            .iter()
            .find(|e| e.field == key)
            .map(|e| e.message.as_str())
    }

    pub fn html(&self) -> String {
        self.render().unwrap_or_else(|e| {
            tracing::error!(error = %e, "person form failed to render");
            String::new()
        })
    }
}

/// What a person field sent.
// Embedded by the forms wizard's person fields (h/forms), not by a page of this module.
#[allow(dead_code)]
#[derive(Debug, Clone, Default)]
pub struct PersonFieldInput {
    pub prefix: String,
    /// "existing" or "new" (empty: whichever has something in it).
    pub mode: String,
    pub id: String,
    pub q: String,
    pub new: PersonDraft,
    pub allow_duplicate: bool,
    /// The search button was pressed.
    pub finding: bool,
    /// A place picker "เลือก" button was pressed.
    pub picking_place: bool,
}

// Embedded by the forms wizard's person fields (h/forms), not by a page of this module.
#[allow(dead_code)]
impl PersonFieldInput {
    pub fn from_pairs(prefix: &str, pairs: &[(String, String)]) -> Self {
        let key = |n: &str| format!("{prefix}.{n}");
        let get = |n: &str| {
            let k = key(n);
            pairs
                .iter()
                .find(|(x, _)| *x == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let new_prefix = key("new");
        Self {
            prefix: prefix.to_string(),
            mode: get("mode"),
            id: get("id"),
            q: get("q"),
            new: PersonDraft::from_pairs(&new_prefix, pairs_ref(pairs)),
            allow_duplicate: !get("new.allow_duplicate").is_empty(),
            finding: pairs.iter().any(|(k, _)| *k == key("find")),
            picking_place: picking(&field_key(&new_prefix, "place"), pairs),
        }
    }

    /// The form was sent to update this field (search, place list), not to be saved.
    pub fn rerender(&self) -> bool {
        self.finding || self.picking_place
    }

    fn new_mode(&self) -> bool {
        self.mode == "new" || (self.mode.is_empty() && self.id.trim().is_empty())
    }
}

/// Saves a person field: the chosen person's id (the actor must manage them, unless it is
/// `current`, the id already stored), a new person recorded for `unit`, or `None` when the
/// field was left empty. Errors are at `{prefix}.id` or `{prefix}.new.*`.
// Called by the forms wizard (h/forms).
#[allow(dead_code)]
pub async fn save_person_field(
    core: &Khlang,
    actor: &Actor,
    unit: UnitId,
    input: &PersonFieldInput,
    current: Option<PersonId>,
) -> Result<Option<PersonId>, DomainError> {
    let id_key = field_key(&input.prefix, "id");
    if !input.new_mode() {
        let id = input
            .id
            .trim()
            .parse::<i64>()
            .map(PersonId)
            .map_err(|_| DomainError::invalid(id_key.clone(), "กรุณาเลือกบุคคลจากรายชื่อ"))?;
        if Some(id) == current || core.may_manage_person(actor, id).await? {
            return Ok(Some(id));
        }
        return Err(DomainError::invalid(id_key, "กรุณาเลือกบุคคลจากรายชื่อ"));
    }
    if input.new == PersonDraft::default() {
        return Ok(None);
    }
    core.create_person(
        actor,
        PersonInput {
            unit_id: unit,
            draft: input.new.clone(),
            prefix: field_key(&input.prefix, "new"),
            allow_duplicate: input.allow_duplicate,
        },
    )
    .await
    .map(Some)
}

/// The person field's view model; render with [`PersonField::html`].
// Embedded by the forms wizard's person fields (h/forms), not by a page of this module.
#[allow(dead_code)]
#[derive(Debug, Clone, Template)]
#[template(path = "people/person_field.html")]
pub struct PersonField {
    pub prefix: String,
    pub id: String,
    pub label: String,
    pub help: String,
    /// Whether the actor may search the register (officers).
    pub may_search: bool,
    pub new_mode: bool,
    pub q: String,
    pub searched: bool,
    /// Search results and the chosen person: (id, label, chosen).
    pub people: Vec<Opt>,
    pub form: PersonForm,
    error: Option<String>,
}

// Embedded by the forms wizard's person fields (h/forms), not by a page of this module.
#[allow(dead_code)]
impl PersonField {
    /// Builds the field for `input` (empty for a new form), running the search when asked.
    /// `current` is the person already stored in the entry, shown as chosen.
    pub async fn build(
        core: &Khlang,
        actor: &Actor,
        prefix: &str,
        label: &str,
        input: &PersonFieldInput,
        current: Option<PersonId>,
        errors: &[FieldError],
    ) -> Result<Self, DomainError> {
        let may_search = Khlang::may_manage_people_somewhere(actor);
        let chosen: Option<PersonId> = input
            .id
            .trim()
            .parse::<i64>()
            .ok()
            .map(PersonId)
            .or(current);
        let mut people: Vec<Opt> = Vec::new();
        if let Some(id) = chosen
            && let Some(p) = core.people_public(&[id]).await?.first()
        {
            people.push(Opt {
                value: id.to_string(),
                label: p.label(),
                selected: true,
            });
        }
        let searched = may_search && input.finding;
        if searched {
            let found = core.find_people(actor, &input.q, PageNumber::FIRST).await;
            match found {
                Ok(page) => {
                    for p in page.items {
                        if !people.iter().any(|o| o.value == p.id.to_string()) {
                            people.push(Opt {
                                value: p.id.to_string(),
                                label: format!("{} เลขที่ {}", p.label(), p.id),
                                selected: false,
                            });
                        }
                    }
                }
                Err(DomainError::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let id_key = field_key(prefix, "id");
        let new_mode = if input.mode.is_empty() {
            chosen.is_none()
        } else {
            input.mode == "new" && !input.finding
        };
        let mut form = PersonForm::new(&field_key(prefix, "new"), input.new.clone(), errors);
        form.allow_duplicate = input.allow_duplicate;
        Ok(Self {
            prefix: prefix.to_string(),
            id: prefix.replace('.', "-"),
            label: label.to_string(),
            help: String::new(),
            may_search,
            new_mode: new_mode || (!may_search && people.is_empty()),
            q: input.q.clone(),
            searched,
            people,
            form,
            error: errors
                .iter()
                .find(|e| e.field == id_key || e.field == prefix)
                .map(|e| e.message.clone()),
        })
    }

    pub fn help(mut self, help: &str) -> Self {
        self.help = help.to_string();
        self
    }

    pub fn key(&self, name: &str) -> String {
        field_key(&self.prefix, name)
    }

    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn html(&self) -> String {
        self.render().unwrap_or_else(|e| {
            tracing::error!(error = %e, "person field failed to render");
            String::new()
        })
    }
}
