//! The organisation: a tree of units (หน่วยงาน), roles granted on unit subtrees, and the one
//! [`authorize`] function that decides every permission in khlang.

use crate::error::{DomainError, FieldError};
use crate::ids::{UnitId, UserId};
use crate::text::{grapheme_len, tidy};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// What kind of office a unit is; it decides nothing about permissions, only how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// กรม
    Department,
    /// กอง / สำนัก
    Division,
    /// ศูนย์พัฒนาการสาธารณสุขมูลฐาน (สสม.)
    RegionalCentre,
    /// ศูนย์สนับสนุนบริการสุขภาพที่ 1–12
    HealthZoneCentre,
    /// สถาบัน
    Institute,
    /// ศูนย์ศึกษาและพัฒนาชุมชน
    StudyCentre,
    /// สำนักงานจังหวัด
    ProvincialOffice,
    /// สำนักงานอำเภอ
    DistrictOffice,
    /// หน่วยงานอื่น
    Other,
}

impl UnitKind {
    pub const ALL: [UnitKind; 9] = [
        UnitKind::Department,
        UnitKind::Division,
        UnitKind::RegionalCentre,
        UnitKind::HealthZoneCentre,
        UnitKind::Institute,
        UnitKind::StudyCentre,
        UnitKind::ProvincialOffice,
        UnitKind::DistrictOffice,
        UnitKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Department => "department",
            UnitKind::Division => "division",
            UnitKind::RegionalCentre => "regional_centre",
            UnitKind::HealthZoneCentre => "health_zone_centre",
            UnitKind::Institute => "institute",
            UnitKind::StudyCentre => "study_centre",
            UnitKind::ProvincialOffice => "provincial_office",
            UnitKind::DistrictOffice => "district_office",
            UnitKind::Other => "other",
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            UnitKind::Department => "กรม",
            UnitKind::Division => "กอง",
            UnitKind::RegionalCentre => "ศูนย์ระดับภาค",
            UnitKind::HealthZoneCentre => "ศูนย์เขตสุขภาพ",
            UnitKind::Institute => "สถาบัน",
            UnitKind::StudyCentre => "ศูนย์ศึกษาและพัฒนาชุมชน",
            UnitKind::ProvincialOffice => "สำนักงานจังหวัด",
            UnitKind::DistrictOffice => "สำนักงานอำเภอ",
            UnitKind::Other => "หน่วยงานอื่น",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| FieldError::new("kind", "กรุณาเลือกประเภทหน่วยงาน"))
    }
}

/// A stable unit code (ASCII upper-case, digits, hyphen), used by imports and reference data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitCode(String);

impl UnitCode {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = s.trim().to_ascii_uppercase();
        let ok = !s.is_empty()
            && s.len() <= 40
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(s))
        } else {
            Err(FieldError::new(
                "code",
                "รหัสหน่วยงานต้องเป็นอักษรอังกฤษ ตัวเลข หรือขีด (-) ไม่เกิน 40 ตัว เช่น CDD-P-24",
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UnitCode {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<UnitCode> for String {
    fn from(c: UnitCode) -> String {
        c.0
    }
}
impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A unit's Thai name: 1–200 graphemes after tidying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct UnitName(String);

impl UnitName {
    pub fn parse(field: &'static str, s: &str) -> Result<Self, FieldError> {
        crate::field::refuse_controls(field, "ชื่อหน่วยงาน", s)?;
        let s = tidy(s);
        match grapheme_len(&s) {
            0 => Err(FieldError::new(field, "กรุณาใส่ชื่อหน่วยงาน")),
            n if n > 200 => Err(FieldError::new(field, "ชื่อหน่วยงานยาวเกิน 200 ตัวอักษร")),
            _ => Ok(Self(s)),
        }
    }
    /// For names read back from storage, which were parsed when written.
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    pub id: UnitId,
    pub parent_id: Option<UnitId>,
    pub code: UnitCode,
    pub kind: UnitKind,
    pub name_th: UnitName,
    pub name_en: Option<String>,
    pub short_th: Option<String>,
    /// Retired units keep their data and history; they take no new work.
    pub retired: bool,
}

/// The whole unit tree in memory; small enough (hundreds to a few thousand units) to load
/// per request, and the only place that walks parent links.
#[derive(Debug, Clone, Default)]
pub struct UnitTree {
    units: Vec<Unit>,
    index: HashMap<UnitId, usize>,
}

impl UnitTree {
    pub fn new(mut units: Vec<Unit>) -> Self {
        units.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
        let index = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        Self { units, index }
    }

    pub fn get(&self, id: UnitId) -> Option<&Unit> {
        self.index.get(&id).map(|&i| &self.units[i])
    }

    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Root-to-unit path; the scope check of [`authorize`] looks for a granted unit on it.
    pub fn path(&self, id: UnitId) -> Result<UnitPath, DomainError> {
        let mut path = Vec::new();
        let mut cur = Some(id);
        while let Some(c) = cur {
            let unit = self.get(c).ok_or(DomainError::NotFound)?;
            if path.contains(&c) || path.len() > 64 {
                return Err(DomainError::internal(format!(
                    "unit tree has a cycle at {c}"
                )));
            }
            path.push(c);
            cur = unit.parent_id;
        }
        path.reverse();
        Ok(UnitPath(path))
    }

    pub fn children(&self, id: Option<UnitId>) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(move |u| u.parent_id == id)
    }

    /// Depth-first order with depth, for showing the tree as an indented list.
    pub fn walk(&self) -> Vec<(usize, &Unit)> {
        let mut out = Vec::with_capacity(self.units.len());
        fn go<'a>(
            t: &'a UnitTree,
            parent: Option<UnitId>,
            depth: usize,
            out: &mut Vec<(usize, &'a Unit)>,
        ) {
            for u in t.children(parent) {
                out.push((depth, u));
                go(t, Some(u.id), depth + 1, out);
            }
        }
        go(self, None, 0, &mut out);
        out
    }

    /// True when `descendant` is `ancestor` or lies below it.
    pub fn is_within(&self, descendant: UnitId, ancestor: UnitId) -> bool {
        self.path(descendant)
            .map(|p| p.contains(ancestor))
            .unwrap_or(false)
    }

    /// Full Thai name with its parents, e.g. "กรมการพัฒนาชุมชน › สำนักงานพัฒนาชุมชนจังหวัดฉะเชิงเทรา".
    pub fn display_path(&self, id: UnitId) -> String {
        match self.path(id) {
            Ok(p) => {
                p.0.iter()
                    .filter_map(|u| self.get(*u))
                    .map(|u| u.name_th.as_str())
                    .collect::<Vec<_>>()
                    .join(" › ")
            }
            Err(_) => String::new(),
        }
    }
}

/// The ids from the root down to a unit, inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitPath(pub Vec<UnitId>);

impl UnitPath {
    pub fn contains(&self, unit: UnitId) -> bool {
        self.0.contains(&unit)
    }
    pub fn unit(&self) -> Option<UnitId> {
        self.0.last().copied()
    }
}

/// A role, always granted on a unit and everything below it. Declared strongest first:
/// the order says who may grant what (see `SignedIn::may_grant`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// ผู้ดูแลระบบของหน่วยงาน: manages units and members in the subtree.
    Admin,
    /// นักจัดการความรู้: runs the unit's KM, edits any knowledge in the subtree.
    KmOfficer,
    /// ผู้กลั่นกรอง (คณะทำงานประมวลและกลั่นกรององค์ความรู้): screens submissions.
    Reviewer,
    /// ผู้ส่งองค์ความรู้
    Contributor,
    /// ผู้อ่าน: reads what is restricted to the unit.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::KmOfficer,
        Role::Reviewer,
        Role::Contributor,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::KmOfficer => "km_officer",
            Role::Reviewer => "reviewer",
            Role::Contributor => "contributor",
            Role::Viewer => "viewer",
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            Role::Admin => "ผู้ดูแลระบบหน่วยงาน",
            Role::KmOfficer => "นักจัดการความรู้",
            Role::Reviewer => "ผู้กลั่นกรอง",
            Role::Contributor => "ผู้ส่งองค์ความรู้",
            Role::Viewer => "ผู้อ่าน",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| FieldError::new("role", "กรุณาเลือกบทบาท"))
    }

    /// The permission matrix: which unit-scoped actions this role allows.
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Admin => matches!(
                action,
                ViewUnitContent
                    | Contribute
                    | Review
                    | ManageKnowledge
                    | ManageUnits
                    | ManageMembers
                    | ManagePeople
                    | RunContest
            ),
            Role::KmOfficer => matches!(
                action,
                ViewUnitContent | Contribute | ManageKnowledge | ManagePeople | RunContest
            ),
            Role::Reviewer => matches!(action, ViewUnitContent | Contribute | Review),
            Role::Contributor => matches!(action, ViewUnitContent | Contribute),
            Role::Viewer => matches!(action, ViewUnitContent),
        }
    }
}

/// Everything someone may try to do. Unit-scoped actions need a grant on the target unit or
/// an ancestor; the others are decided by who the actor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read knowledge restricted to the unit's subtree.
    ViewUnitContent,
    /// Submit knowledge owned by the unit.
    Contribute,
    /// Screen submissions (approve, ask for changes, reject).
    Review,
    /// Edit or archive any knowledge of the unit; run its KM plan.
    ManageKnowledge,
    /// Create child units; rename, move or retire the unit.
    ManageUnits,
    /// Create accounts in the unit, reset their passwords, grant and revoke roles.
    ManageMembers,
    /// Change one's own password and API tokens.
    ManageOwnAccount,
    /// Site-wide settings: taxonomies, dictionary, reference data.
    ManageSite,
    /// Read one knowledge item (public, signed-in, unit-only, or not yet published).
    ReadItem,
    /// Change an item's content or files.
    EditItem,
    /// Send an item to the screening committee.
    SubmitItem,
    /// Approve, ask for changes, or reject a submission.
    ReviewItem,
    /// Move a published item to the archive.
    ArchiveItem,
    /// Officers of the unit that keeps a person's record (ทะเบียนบุคคล): read the personal
    /// data (address, phone, education — every read audited), edit, record consent, export,
    /// erase and merge.
    ManagePeople,
    /// Download an item's pictures as uploaded, EXIF (GPS) and all: its editors. Every other
    /// reader gets copies without metadata.
    ReadOriginalFile,
    /// Run the unit's contests (การคัดเลือก): set up rounds, register entrants and hand out
    /// their entry links, assign judges, publish results, issue and revoke certificates.
    /// Judges score by assignment, not by role (see [`crate::contests::rules`]).
    RunContest,
}

impl Action {
    pub const ITEM: [Action; 6] = [
        Action::ReadItem,
        Action::EditItem,
        Action::SubmitItem,
        Action::ReviewItem,
        Action::ArchiveItem,
        Action::ReadOriginalFile,
    ];

    pub const ALL: [Action; 10] = [
        Action::ViewUnitContent,
        Action::Contribute,
        Action::Review,
        Action::ManageKnowledge,
        Action::ManageUnits,
        Action::ManageMembers,
        Action::ManageOwnAccount,
        Action::ManageSite,
        Action::ManagePeople,
        Action::RunContest,
    ];
}

/// What an action is aimed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Unit(UnitPath),
    Account(UserId),
    Site,
    Item(ItemRef),
    /// Someone else's account, for [`Action::ManageMembers`].
    Person(PersonRef),
    /// A role to be granted or revoked on a unit's subtree, for [`Action::ManageMembers`].
    Grant(Role, UnitPath),
}

/// What permission checks need to know about a person being managed: every place their
/// power reaches. Managing them (password, grants) hands over that power, so the manager
/// must already hold it over all of those places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRef {
    pub site_admin: bool,
    /// None for people created at the console; only site administrators manage them.
    pub home: Option<UnitPath>,
    pub grants: Vec<(Role, UnitPath)>,
}

/// What permission checks need to know about an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRef {
    pub unit: UnitPath,
    pub owner: UserId,
    pub status: crate::item::ItemStatus,
    pub visibility: crate::item::Visibility,
}

/// Who is acting, with the grants loaded once per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    User(SignedIn),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub user_id: UserId,
    /// The site administrator (ผู้ดูแลระบบ) created at setup or with `khlang user create --admin`.
    pub site_admin: bool,
    pub grants: Vec<(Role, UnitId)>,
}

impl Actor {
    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Actor::Anonymous => None,
            Actor::User(s) => Some(s.user_id),
        }
    }

    pub fn is_site_admin(&self) -> bool {
        matches!(self, Actor::User(s) if s.site_admin)
    }

    /// Whether some grant allows `action` somewhere — for showing menu entries only; every
    /// request still goes through [`authorize`].
    pub fn may_somewhere(&self, action: Action) -> bool {
        match self {
            Actor::Anonymous => false,
            Actor::User(s) => s.site_admin || s.grants.iter().any(|(r, _)| r.allows(action)),
        }
    }
}

/// The one place that decides whether `actor` may do `action` to `target`.
pub fn authorize(actor: &Actor, action: Action, target: &Target) -> Result<(), DomainError> {
    if let Target::Item(item) = target {
        return authorize_item(actor, action, item);
    }
    let me = match actor {
        Actor::Anonymous => return Err(DomainError::Unauthenticated),
        Actor::User(me) => me,
    };
    if me.site_admin {
        return Ok(());
    }
    let allowed = match (action, target) {
        (Action::ManageSite, _) => false,
        (Action::ManageOwnAccount, Target::Account(id)) => *id == me.user_id,
        (Action::ManageOwnAccount, _) => false,
        (_, Target::Unit(path)) => me.may(action, path),
        (Action::ManageMembers, Target::Person(person)) => me.may_manage(person),
        (Action::ManageMembers, Target::Grant(role, path)) => me.may_grant(*role, path),
        (_, Target::Account(_) | Target::Site | Target::Item(_))
        | (_, Target::Person(_) | Target::Grant(..)) => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

impl SignedIn {
    /// A role granted on the unit or an ancestor allows `action`.
    fn may(&self, action: Action, path: &UnitPath) -> bool {
        self.grants
            .iter()
            .any(|(role, unit)| path.contains(*unit) && role.allows(action))
    }

    /// Members are managed from above: the home unit and the unit of every grant the person
    /// holds must lie in the actor's member-managing reach (a unit admin never manages the
    /// admin of a parent unit, even one whose home unit is below them).
    fn may_manage(&self, person: &PersonRef) -> bool {
        let Some(home) = &person.home else {
            return false;
        };
        !person.site_admin
            && self.may(Action::ManageMembers, home)
            && person
                .grants
                .iter()
                .all(|(role, unit)| self.may_grant(*role, unit))
    }

    /// A role on a unit may be granted (or revoked) by someone who manages members there
    /// with a role at least as strong, so nobody hands out more than they hold.
    fn may_grant(&self, role: Role, path: &UnitPath) -> bool {
        self.grants.iter().any(|(mine, unit)| {
            path.contains(*unit) && mine.allows(Action::ManageMembers) && *mine <= role
        })
    }
}

/// Items: the public reads what is published for everyone; authors work on their own items
/// while the unit lets them contribute; the screening committee reviews what is waiting,
/// but never its own work; KM officers manage everything of their units.
fn authorize_item(actor: &Actor, action: Action, item: &ItemRef) -> Result<(), DomainError> {
    use crate::item::{ItemStatus::*, Visibility};
    let published = item.status == Published;
    let me = match actor {
        Actor::Anonymous
            if action == Action::ReadItem && published && item.visibility == Visibility::Public =>
        {
            return Ok(());
        }
        Actor::Anonymous => return Err(DomainError::Unauthenticated),
        Actor::User(me) => me,
    };
    if me.site_admin {
        // Not even the site administrator screens their own work.
        return if action == Action::ReviewItem && me.user_id == item.owner {
            Err(DomainError::Forbidden)
        } else {
            Ok(())
        };
    }
    let path = &item.unit;
    let owner = me.user_id == item.owner && me.may(Action::Contribute, path);
    let manager = me.may(Action::ManageKnowledge, path);
    let reviewer = me.may(Action::Review, path);
    let allowed = match action {
        Action::ReadItem => match (item.status, item.visibility) {
            (Published, Visibility::Public | Visibility::SignedIn) => true,
            (Published | Archived, _) => {
                me.may(Action::ViewUnitContent, path) || me.user_id == item.owner
            }
            _ => me.user_id == item.owner || manager || reviewer,
        },
        Action::EditItem => match item.status {
            Draft | ChangesRequested | Published => owner || manager,
            Rejected => manager,
            Submitted | Resubmitted | Archived => false,
        },
        Action::SubmitItem => owner || manager,
        Action::ReviewItem => reviewer && me.user_id != item.owner,
        Action::ArchiveItem => manager,
        // Whoever edits it, or once did: the author (while a member) and its unit's officers.
        Action::ReadOriginalFile => owner || manager,
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// Moving `unit` under `new_parent` must not make it its own ancestor.
pub fn check_move(tree: &UnitTree, unit: UnitId, new_parent: UnitId) -> Result<(), DomainError> {
    if tree.is_within(new_parent, unit) {
        return Err(DomainError::invalid(
            "parent_id",
            "ย้ายหน่วยงานไปไว้ใต้ตัวเองหรือหน่วยงานย่อยของตัวเองไม่ได้",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, parent: Option<i64>, code: &str) -> Unit {
        Unit {
            id: UnitId(id),
            parent_id: parent.map(UnitId),
            code: UnitCode::parse(code).unwrap(),
            kind: UnitKind::Other,
            name_th: UnitName::parse("name_th", code).unwrap(),
            name_en: None,
            short_th: None,
            retired: false,
        }
    }

    /// CDD(1) → province(2) → district(3); a sibling province(4); another department(5).
    fn tree() -> UnitTree {
        UnitTree::new(vec![
            unit(1, None, "CDD"),
            unit(2, Some(1), "CDD-P-24"),
            unit(3, Some(2), "CDD-P-24-D01"),
            unit(4, Some(1), "CDD-P-10"),
            unit(5, None, "DHSS"),
        ])
    }

    fn user(grants: Vec<(Role, i64)>) -> Actor {
        Actor::User(SignedIn {
            user_id: UserId(7),
            site_admin: false,
            grants: grants.into_iter().map(|(r, u)| (r, UnitId(u))).collect(),
        })
    }

    /// Every role × every unit-scoped action × inside / outside the granted subtree.
    #[test]
    fn permission_table_for_every_role_action_and_scope() {
        use Action::*;
        let expected: &[(Role, &[Action])] = &[
            (
                Role::Admin,
                &[
                    ViewUnitContent,
                    Contribute,
                    Review,
                    ManageKnowledge,
                    ManageUnits,
                    ManageMembers,
                    ManagePeople,
                    RunContest,
                ],
            ),
            (
                Role::KmOfficer,
                &[
                    ViewUnitContent,
                    Contribute,
                    ManageKnowledge,
                    ManagePeople,
                    RunContest,
                ],
            ),
            (Role::Reviewer, &[ViewUnitContent, Contribute, Review]),
            (Role::Contributor, &[ViewUnitContent, Contribute]),
            (Role::Viewer, &[ViewUnitContent]),
        ];
        let t = tree();
        let inside = [t.path(UnitId(2)).unwrap(), t.path(UnitId(3)).unwrap()];
        let outside = [
            t.path(UnitId(1)).unwrap(),
            t.path(UnitId(4)).unwrap(),
            t.path(UnitId(5)).unwrap(),
        ];
        let mut checked = 0;
        for (role, allowed) in expected {
            let actor = user(vec![(*role, 2)]);
            for action in Action::ALL {
                for path in &inside {
                    let got = authorize(&actor, action, &Target::Unit(path.clone()));
                    let want = allowed.contains(&action);
                    assert_eq!(got.is_ok(), want, "{role:?} {action:?} inside {path:?}");
                    if !want {
                        assert!(matches!(got, Err(DomainError::Forbidden)));
                    }
                    checked += 1;
                }
                for path in &outside {
                    let got = authorize(&actor, action, &Target::Unit(path.clone()));
                    assert!(
                        matches!(got, Err(DomainError::Forbidden)),
                        "{role:?} {action:?} outside {path:?}"
                    );
                    checked += 1;
                }
                // Site-wide actions are never granted by a unit role.
                assert!(authorize(&actor, action, &Target::Site).is_err());
            }
        }
        assert_eq!(checked, 5 * Action::ALL.len() * 5);
    }

    #[test]
    fn anonymous_may_do_nothing_that_needs_authorization() {
        let t = tree();
        for action in Action::ALL {
            for target in [
                Target::Unit(t.path(UnitId(3)).unwrap()),
                Target::Account(UserId(1)),
                Target::Site,
            ] {
                assert!(matches!(
                    authorize(&Actor::Anonymous, action, &target),
                    Err(DomainError::Unauthenticated)
                ));
            }
        }
    }

    #[test]
    fn site_admin_may_do_everything() {
        let admin = Actor::User(SignedIn {
            user_id: UserId(1),
            site_admin: true,
            grants: vec![],
        });
        let t = tree();
        for action in Action::ALL {
            for target in [
                Target::Unit(t.path(UnitId(5)).unwrap()),
                Target::Account(UserId(9)),
                Target::Site,
            ] {
                assert!(authorize(&admin, action, &target).is_ok());
            }
        }
    }

    fn item(
        status: crate::item::ItemStatus,
        visibility: crate::item::Visibility,
        owner: i64,
    ) -> Target {
        Target::Item(ItemRef {
            unit: tree().path(UnitId(3)).unwrap(),
            owner: UserId(owner),
            status,
            visibility,
        })
    }

    /// Items: every role (granted on the province) × item action × status, for an item in a
    /// district below it, written by someone else (owner 99) — and outside the unit (DHSS).
    #[test]
    fn item_permission_table() {
        use crate::item::ItemStatus::*;
        use crate::item::Visibility;
        use Action::*;
        let t = tree();
        // (role, action, statuses where allowed) for someone else's unit-only item inside scope.
        let table: &[(Role, Action, &[crate::item::ItemStatus])] = &[
            (
                Role::Admin,
                ReadItem,
                &[
                    Draft,
                    Submitted,
                    ChangesRequested,
                    Resubmitted,
                    Published,
                    Rejected,
                    Archived,
                ],
            ),
            (
                Role::Admin,
                EditItem,
                &[Draft, ChangesRequested, Published, Rejected],
            ),
            (
                Role::Admin,
                SubmitItem,
                &[
                    Draft,
                    Submitted,
                    ChangesRequested,
                    Resubmitted,
                    Published,
                    Rejected,
                    Archived,
                ],
            ),
            (
                Role::Admin,
                ReviewItem,
                &[
                    Draft,
                    Submitted,
                    ChangesRequested,
                    Resubmitted,
                    Published,
                    Rejected,
                    Archived,
                ],
            ),
            (
                Role::Admin,
                ArchiveItem,
                &[
                    Draft,
                    Submitted,
                    ChangesRequested,
                    Resubmitted,
                    Published,
                    Rejected,
                    Archived,
                ],
            ),
            (
                Role::KmOfficer,
                ReadItem,
                &[
                    Draft,
                    Submitted,
                    ChangesRequested,
                    Resubmitted,
                    Published,
                    Rejected,
                    Archived,
                ],
            ),
            (
                Role::KmOfficer,
                EditItem,
                &[Draft, ChangesRequested, Published, Rejected],
            ),
            (
                Role::KmOfficer,
                SubmitItem,
                &[
                    Draft,
                    Submitted,
                    ChangesRequested,
                    Resubmitted,
                    Published,
                    Rejected,
                    Archived,
                ],
            ),
            (
                Role::KmOfficer,
                ArchiveItem,
                &[
                    Draft,
                    Submitted,
                    ChangesRequested,
                    Resubmitted,
                    Published,
                    Rejected,
                    Archived,
                ],
            ),
            (
                Role::Reviewer,
                ReadItem,
                &[
                    Draft,
                    Submitted,
                    ChangesRequested,
                    Resubmitted,
                    Published,
                    Rejected,
                    Archived,
                ],
            ),
            (
                Role::Reviewer,
                ReviewItem,
                &[
                    Draft,
                    Submitted,
                    ChangesRequested,
                    Resubmitted,
                    Published,
                    Rejected,
                    Archived,
                ],
            ),
            (
                Role::Admin,
                ReadOriginalFile,
                &[
                    Draft,
                    Submitted,
                    ChangesRequested,
                    Resubmitted,
                    Published,
                    Rejected,
                    Archived,
                ],
            ),
            (
                Role::KmOfficer,
                ReadOriginalFile,
                &[
                    Draft,
                    Submitted,
                    ChangesRequested,
                    Resubmitted,
                    Published,
                    Rejected,
                    Archived,
                ],
            ),
            (Role::Contributor, ReadItem, &[Published, Archived]),
            (Role::Viewer, ReadItem, &[Published, Archived]),
        ];
        for role in Role::ALL {
            let actor = user(vec![(role, 2)]);
            for action in Action::ITEM {
                for status in crate::item::ItemStatus::ALL {
                    let inside = item(*status, Visibility::Unit, 99);
                    let want = table
                        .iter()
                        .any(|(r, a, ss)| *r == role && *a == action && ss.contains(status));
                    assert_eq!(
                        authorize(&actor, action, &inside).is_ok(),
                        want,
                        "{role:?} {action:?} {status:?}"
                    );
                    let outside = Target::Item(ItemRef {
                        unit: t.path(UnitId(5)).unwrap(),
                        owner: UserId(99),
                        status: *status,
                        visibility: Visibility::Unit,
                    });
                    assert!(
                        authorize(&actor, action, &outside).is_err(),
                        "{role:?} {action:?} {status:?} outside"
                    );
                }
            }
        }
    }

    #[test]
    fn authors_and_the_public() {
        use crate::item::ItemStatus::*;
        use crate::item::Visibility::*;
        let me = user(vec![(Role::Contributor, 3)]); // user 7
        let mine = |s| item(s, Public, 7);
        assert!(authorize(&me, Action::EditItem, &mine(Draft)).is_ok());
        assert!(
            authorize(&me, Action::EditItem, &mine(Submitted)).is_err(),
            "locked while screened"
        );
        assert!(authorize(&me, Action::SubmitItem, &mine(ChangesRequested)).is_ok());
        assert!(authorize(&me, Action::ReviewItem, &mine(Submitted)).is_err());
        assert!(authorize(&me, Action::ReadItem, &mine(Draft)).is_ok());
        // Authors keep their photos' originals (with GPS) in every status; the public, a
        // reviewer and another contributor get copies without metadata.
        for status in crate::item::ItemStatus::ALL {
            assert!(authorize(&me, Action::ReadOriginalFile, &mine(*status)).is_ok());
            let theirs = item(*status, Public, 8);
            assert!(authorize(&me, Action::ReadOriginalFile, &theirs).is_err());
            let public = authorize(&Actor::Anonymous, Action::ReadOriginalFile, &theirs);
            assert!(public.is_err(), "{status:?}");
        }
        let screener = user(vec![(Role::Reviewer, 1)]);
        assert!(
            authorize(
                &screener,
                Action::ReadOriginalFile,
                &item(Submitted, Public, 8)
            )
            .is_err()
        );
        // A reviewer never screens their own work.
        let reviewer = user(vec![(Role::Reviewer, 1)]);
        assert!(authorize(&reviewer, Action::ReviewItem, &item(Submitted, Public, 7)).is_err());
        assert!(authorize(&reviewer, Action::ReviewItem, &item(Submitted, Public, 8)).is_ok());
        // Anonymous visitors read only public, published items.
        for status in crate::item::ItemStatus::ALL {
            for vis in [Public, SignedIn, Unit] {
                let got = authorize(&Actor::Anonymous, Action::ReadItem, &item(*status, vis, 1));
                assert_eq!(
                    got.is_ok(),
                    *status == Published && vis == Public,
                    "{status:?} {vis:?}"
                );
            }
        }
        // Any signed-in user reads signed-in items; outsiders do not read unit-only ones.
        let outsider = user(vec![(Role::Viewer, 5)]);
        assert!(authorize(&outsider, Action::ReadItem, &item(Published, SignedIn, 1)).is_ok());
        assert!(authorize(&outsider, Action::ReadItem, &item(Published, Unit, 1)).is_err());
        assert!(authorize(&outsider, Action::ReadItem, &item(Draft, Public, 1)).is_err());
        // An author whose contributor role is revoked can no longer edit.
        let former = user(vec![]);
        assert!(authorize(&former, Action::EditItem, &item(Draft, Public, 7)).is_err());
    }

    #[test]
    fn own_account_only() {
        let me = user(vec![(Role::Admin, 1)]);
        assert!(authorize(&me, Action::ManageOwnAccount, &Target::Account(UserId(7))).is_ok());
        assert!(authorize(&me, Action::ManageOwnAccount, &Target::Account(UserId(8))).is_err());
    }

    fn person(site_admin: bool, home: Option<i64>, grants: &[(Role, i64)]) -> Target {
        let t = tree();
        Target::Person(PersonRef {
            site_admin,
            home: home.map(|h| t.path(UnitId(h)).unwrap()),
            grants: grants
                .iter()
                .map(|(r, u)| (*r, t.path(UnitId(*u)).unwrap()))
                .collect(),
        })
    }

    /// The actors of the member-management tables: (name, actor). Units as in [`tree`]:
    /// CDD(1) → province(2) → district(3), sibling province(4).
    fn member_actors() -> Vec<(&'static str, Actor)> {
        vec![
            ("admin of the same unit", user(vec![(Role::Admin, 2)])),
            ("admin of a child", user(vec![(Role::Admin, 3)])),
            ("admin of the parent", user(vec![(Role::Admin, 1)])),
            (
                "site admin",
                Actor::User(SignedIn {
                    user_id: UserId(1),
                    site_admin: true,
                    grants: vec![],
                }),
            ),
            ("km officer", user(vec![(Role::KmOfficer, 2)])),
            ("reviewer", user(vec![(Role::Reviewer, 2)])),
            ("contributor", user(vec![(Role::Contributor, 2)])),
            ("viewer", user(vec![(Role::Viewer, 2)])),
            ("anonymous", Actor::Anonymous),
        ]
    }

    /// Managing a person needs reach over their home unit and over every grant they hold:
    /// the admin of a unit must not take over the admin of its parent whose home unit is
    /// below (the escalation found by the hostile test).
    #[test]
    fn managing_a_person_needs_reach_over_every_grant_they_hold() {
        let targets = [
            (
                "home 2, contributor there",
                person(false, Some(2), &[(Role::Contributor, 2)]),
            ),
            (
                "home 2, admin of parent 1",
                person(false, Some(2), &[(Role::Admin, 1)]),
            ),
            (
                "home 3, admin of 2",
                person(false, Some(3), &[(Role::Admin, 2)]),
            ),
            ("home 3, nothing else", person(false, Some(3), &[])),
            (
                "home 2, viewer of sibling 4",
                person(false, Some(2), &[(Role::Viewer, 4)]),
            ),
            ("home 2, site admin", person(true, Some(2), &[])),
            ("no home unit", person(false, None, &[])),
        ];
        // For each actor, which targets (by index above) they may manage.
        let expected: &[(&str, &[usize])] = &[
            ("admin of the same unit", &[0, 2, 3]),
            ("admin of a child", &[3]),
            ("admin of the parent", &[0, 1, 2, 3, 4]),
            ("site admin", &[0, 1, 2, 3, 4, 5, 6]),
            ("km officer", &[]),
            ("reviewer", &[]),
            ("contributor", &[]),
            ("viewer", &[]),
            ("anonymous", &[]),
        ];
        let actors = member_actors();
        assert_eq!(actors.len(), expected.len());
        for ((name, actor), (want_name, allowed)) in actors.iter().zip(expected) {
            assert_eq!(name, want_name);
            for (i, (what, target)) in targets.iter().enumerate() {
                let got = authorize(actor, Action::ManageMembers, target);
                assert_eq!(got.is_ok(), allowed.contains(&i), "{name} manages {what}");
                if *name == "anonymous" {
                    assert!(matches!(got, Err(DomainError::Unauthenticated)));
                }
            }
            // A person is only ever a target of member management.
            for action in Action::ALL
                .into_iter()
                .filter(|a| *a != Action::ManageMembers)
            {
                let got = authorize(actor, action, &targets[0].1);
                assert_eq!(got.is_ok(), *name == "site admin", "{name} {action:?}");
            }
        }
    }

    /// Granting a role needs member management on the unit with a role at least as strong:
    /// nobody grants anything on a unit they do not manage, nor "admin" above their reach.
    #[test]
    fn granting_a_role_stays_within_the_granters_reach() {
        let t = tree();
        let expected: &[(&str, &[i64])] = &[
            ("admin of the same unit", &[2, 3]),
            ("admin of a child", &[3]),
            ("admin of the parent", &[1, 2, 3, 4]),
            ("site admin", &[1, 2, 3, 4, 5]),
            ("km officer", &[]),
            ("reviewer", &[]),
            ("contributor", &[]),
            ("viewer", &[]),
            ("anonymous", &[]),
        ];
        for ((name, actor), (_, units)) in member_actors().iter().zip(expected) {
            for role in Role::ALL {
                for unit in 1..=5 {
                    let target = Target::Grant(role, t.path(UnitId(unit)).unwrap());
                    assert_eq!(
                        authorize(actor, Action::ManageMembers, &target).is_ok(),
                        units.contains(&unit),
                        "{name} grants {role:?} on unit {unit}"
                    );
                    // Granting is member management, nothing else.
                    assert_eq!(
                        authorize(actor, Action::ManageUnits, &target).is_ok(),
                        *name == "site admin"
                    );
                }
            }
        }
    }

    #[test]
    fn nobody_reviews_their_own_item_not_even_the_site_admin() {
        use crate::item::ItemStatus::Submitted;
        use crate::item::Visibility::Public;
        let site_admin = Actor::User(SignedIn {
            user_id: UserId(7),
            site_admin: true,
            grants: vec![],
        });
        let mine = item(Submitted, Public, 7);
        assert!(matches!(
            authorize(&site_admin, Action::ReviewItem, &mine),
            Err(DomainError::Forbidden)
        ));
        for action in [Action::ReadItem, Action::EditItem, Action::ArchiveItem] {
            assert!(authorize(&site_admin, action, &mine).is_ok(), "{action:?}");
        }
        assert!(authorize(&site_admin, Action::ReviewItem, &item(Submitted, Public, 8)).is_ok());
    }

    #[test]
    fn a_unit_cannot_move_below_itself() {
        let t = tree();
        assert!(check_move(&t, UnitId(2), UnitId(3)).is_err());
        assert!(check_move(&t, UnitId(2), UnitId(2)).is_err());
        assert!(check_move(&t, UnitId(3), UnitId(4)).is_ok());
    }

    #[test]
    fn paths_and_walk() {
        let t = tree();
        assert_eq!(
            t.path(UnitId(3)).unwrap().0,
            vec![UnitId(1), UnitId(2), UnitId(3)]
        );
        assert!(t.path(UnitId(99)).is_err());
        let walk: Vec<_> = t.walk().into_iter().map(|(d, u)| (d, u.id.0)).collect();
        assert_eq!(walk, vec![(0, 1), (1, 4), (1, 2), (2, 3), (0, 5)]);
    }

    #[test]
    fn unit_code_rules() {
        assert_eq!(UnitCode::parse(" cdd-p-24 ").unwrap().as_str(), "CDD-P-24");
        assert!(UnitCode::parse("").is_err());
        assert!(UnitCode::parse("กรม").is_err());
        assert!(UnitName::parse("name_th", "   ").is_err());
    }
}
