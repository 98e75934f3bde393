//! The repository's one use-case: answer an OAI-PMH request. Public data only, so no actor:
//! every harvester sees the same records.

use super::model::{
    DISCLOSED_STATUSES, DISCLOSED_VISIBILITY, Disclosure, DublinCore, Header, ListRequest,
    METADATA_PREFIX, OAI_DC_NAMESPACE, OAI_DC_SCHEMA, OaiArgs, OaiError, OaiErrorCode, OaiRequest,
    OaiSettings, PAGE_SIZE, Record, ResumptionToken, SetSpec, Verb, datestamp_of_ms, disclosed,
    format_seconds, rights,
};
use super::ports::{OaiQuery, OaiRow, OaiStore};
use crate::error::{DomainError, DomainResult};
use crate::ids::{TermId, UnitId};
use crate::org::UnitTree;
use crate::service::Khlang;
use crate::taxonomy::Vocabulary;
use std::sync::Arc;

/// The repository's storage and identity (see [`Khlang::with_oai`]).
pub struct OaiParts {
    store: Arc<dyn OaiStore>,
    settings: OaiSettings,
}

/// A set as ListSets shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OaiSet {
    pub spec: String,
    /// In Thai.
    pub name: String,
}

/// A `<resumptionToken>`: the value is empty on a list's last answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub value: String,
    pub complete_list_size: u64,
    pub cursor: u64,
}

/// One answer of ListRecords or ListIdentifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordList {
    pub records: Vec<Record>,
    pub token: Option<TokenInfo>,
}

/// What a verb answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OaiAnswer {
    Identify {
        repository_name: String,
        base_url: String,
        earliest_datestamp: String,
        admin_email: String,
        /// `transient`: see the comment where it is set.
        deleted_record: &'static str,
        granularity: &'static str,
    },
    /// (prefix, schema, namespace)
    MetadataFormats(Vec<(&'static str, &'static str, &'static str)>),
    Sets(Vec<OaiSet>),
    Identifiers(RecordList),
    Records(RecordList),
    Record(Box<Record>),
}

/// A whole response: what the XML writer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OaiReply {
    pub response_date: String,
    pub base_url: String,
    /// Arguments to echo in `<request>`: none after badVerb or badArgument (as the spec says).
    pub echo: Vec<(String, String)>,
    pub answer: Result<OaiAnswer, Vec<OaiError>>,
}

/// Which items a set takes; None for a set this repository does not have.
#[derive(Debug, Default, PartialEq, Eq)]
struct SetFilter {
    units: Option<Vec<UnitId>>,
    terms: Option<Vec<TermId>>,
    innovations: bool,
}

fn unit_spec(tree: &UnitTree, unit: UnitId) -> Option<String> {
    let path = tree.path(unit).ok()?;
    let codes: Vec<&str> = path
        .0
        .iter()
        .filter_map(|u| tree.get(*u))
        .map(|u| u.code.as_str())
        .collect();
    let spec = format!("unit:{}", codes.join(":"));
    SetSpec::parse(&spec).map(|_| spec)
}

fn term_spec(vocab: &Vocabulary, term: TermId) -> Option<String> {
    let t = vocab.term(term)?;
    let tx = vocab.taxonomy(t.taxonomy_id)?;
    let spec = format!("topic:{}:{}", tx.key, t.key);
    SetSpec::parse(&spec).map(|_| spec)
}

/// Every set, parents before children: units as the unit tree, topics as the taxonomies and
/// their terms, and the innovation registry.
pub fn all_sets(tree: &UnitTree, vocab: &Vocabulary) -> Vec<OaiSet> {
    let mut out = vec![OaiSet {
        spec: "unit".into(),
        name: "หน่วยงานเจ้าของ".into(),
    }];
    for (_, u) in tree.walk() {
        if let Some(spec) = unit_spec(tree, u.id) {
            out.push(OaiSet {
                spec,
                name: u.name_th.as_str().to_string(),
            });
        }
    }
    out.push(OaiSet {
        spec: "topic".into(),
        name: "หมวดหมู่".into(),
    });
    for tx in &vocab.taxonomies {
        let spec = format!("topic:{}", tx.key);
        if SetSpec::parse(&spec).is_none() {
            continue;
        }
        out.push(OaiSet {
            spec,
            name: tx.name_th.clone(),
        });
        for t in vocab.terms_of(tx.id) {
            if let Some(spec) = term_spec(vocab, t.id) {
                out.push(OaiSet {
                    spec,
                    name: t.label_th.clone(),
                });
            }
        }
    }
    out.push(OaiSet {
        spec: "type".into(),
        name: "ประเภท".into(),
    });
    out.push(OaiSet {
        spec: "type:innovation".into(),
        name: "นวัตกรรม (บัญชีนวัตกรรม)".into(),
    });
    out
}

/// A set's members: a set names its subtree (a unit with the units below it, a term with
/// its narrower terms).
fn resolve(spec: &SetSpec, tree: &UnitTree, vocab: &Vocabulary) -> Option<SetFilter> {
    let seg = spec.segments();
    match seg.as_slice() {
        ["unit"] => Some(SetFilter::default()),
        ["unit", codes @ ..] => {
            let last = *codes.last()?;
            let unit = tree.units().iter().find(|u| u.code.as_str() == last)?;
            if unit_spec(tree, unit.id)? != spec.as_str() {
                return None;
            }
            let units = tree
                .units()
                .iter()
                .filter(|u| tree.is_within(u.id, unit.id))
                .map(|u| u.id)
                .collect();
            Some(SetFilter {
                units: Some(units),
                ..SetFilter::default()
            })
        }
        ["topic"] => Some(SetFilter {
            terms: Some(vocab.terms.iter().map(|t| t.id).collect()),
            ..SetFilter::default()
        }),
        ["topic", tx] => {
            let tx = vocab.taxonomies.iter().find(|t| t.key == *tx)?;
            Some(SetFilter {
                terms: Some(vocab.terms_of(tx.id).map(|t| t.id).collect()),
                ..SetFilter::default()
            })
        }
        ["topic", tx, term] => {
            let tx = vocab.taxonomies.iter().find(|t| t.key == *tx)?;
            let root = vocab.terms_of(tx.id).find(|t| t.key == *term)?;
            let mut terms = vec![root.id];
            // Narrower terms, breadth first (bounded by the vocabulary's size).
            let mut i = 0;
            while i < terms.len() && i <= vocab.terms.len() {
                let parent = terms[i];
                for t in vocab.terms.iter().filter(|t| t.parent_id == Some(parent)) {
                    if !terms.contains(&t.id) {
                        terms.push(t.id);
                    }
                }
                i += 1;
            }
            Some(SetFilter {
                terms: Some(terms),
                ..SetFilter::default()
            })
        }
        ["type"] | ["type", "innovation"] => Some(SetFilter {
            innovations: true,
            ..SetFilter::default()
        }),
        _ => None,
    }
}

/// DCMI Type Vocabulary terms for the files an item carries ("Text" when it has none other).
fn dcmi_types(mimes: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in mimes {
        let t = match m.split('/').next().unwrap_or_default() {
            "image" => "StillImage",
            "video" => "MovingImage",
            "audio" => "Sound",
            _ => "Text",
        };
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    if out.is_empty() {
        out.push("Text".into());
    }
    out
}

fn record(
    settings: &OaiSettings,
    tree: &UnitTree,
    vocab: &Vocabulary,
    row: &OaiRow,
    with_metadata: bool,
) -> Option<Record> {
    let item = &row.item;
    let f = &item.fields;
    let disclosure = disclosed(item.status, f.visibility)?;
    let mut set_specs: Vec<String> = Vec::new();
    set_specs.extend(unit_spec(tree, f.unit_id));
    for t in &f.terms {
        if let Some(s) = term_spec(vocab, *t)
            && !set_specs.contains(&s)
        {
            set_specs.push(s);
        }
    }
    if row.innovation {
        set_specs.push("type:innovation".into());
    }
    let header = Header {
        identifier: settings.identifier(item.id),
        datestamp: datestamp_of_ms(row.stamp_ms),
        set_specs,
        deleted: disclosure == Disclosure::Deleted,
    };
    let metadata = (with_metadata && disclosure == Disclosure::Record).then(|| {
        let mut subjects: Vec<String> = f
            .terms
            .iter()
            .filter_map(|t| vocab.term(*t))
            .map(|t| t.label_th.clone())
            .collect();
        for tag in &f.tags {
            if !subjects.contains(tag) {
                subjects.push(tag.clone());
            }
        }
        let mut formats: Vec<String> = Vec::new();
        for m in &row.mimes {
            if !m.is_empty() && !formats.contains(m) {
                formats.push(m.clone());
            }
        }
        let mut types = vec![f.knowledge_type.label_th().to_string()];
        types.extend(dcmi_types(&formats));
        DublinCore {
            title: f.title.as_str().to_string(),
            creators: f.authors.clone(),
            subjects,
            description: (!f.summary.trim().is_empty()).then(|| f.summary.clone()),
            publisher: tree.get(f.unit_id).map(|u| u.name_th.as_str().to_string()),
            date: item.published_at.map(|t| {
                let d = t.to_offset(time::UtcOffset::UTC).date();
                format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
            }),
            types,
            formats,
            identifiers: vec![settings.item_url(item.id)],
            language: "th".into(),
            rights: rights(&f.licence),
        }
    });
    Some(Record { header, metadata })
}

fn no_records() -> Vec<OaiError> {
    vec![OaiError::new(
        OaiErrorCode::NoRecordsMatch,
        "no records match the arguments",
    )]
}

fn id_does_not_exist(identifier: &str) -> Vec<OaiError> {
    vec![OaiError::new(
        OaiErrorCode::IdDoesNotExist,
        format!("{identifier} is unknown or illegal in this repository"),
    )]
}

impl Khlang {
    /// Opens the OAI-PMH repository at `/oai` (without it, `/oai` answers with an error).
    pub fn with_oai(mut self, store: Arc<dyn OaiStore>, settings: OaiSettings) -> Self {
        self.oai = Some(Arc::new(OaiParts { store, settings }));
        self
    }

    fn oai_parts(&self) -> DomainResult<&Arc<OaiParts>> {
        self.oai
            .as_ref()
            .ok_or_else(|| DomainError::internal("the OAI-PMH repository has no store"))
    }

    /// Answers one request; protocol errors are part of the reply, failures of storage are
    /// the Err.
    /// `host`: the request's Host header, which names the site when no public base URL is
    /// configured.
    pub async fn oai(&self, args: &OaiArgs, host: Option<&str>) -> DomainResult<OaiReply> {
        let mut parts = self.oai_parts()?.clone();
        if let Some(settings) = parts.settings.for_host(host) {
            parts = Arc::new(OaiParts {
                store: parts.store.clone(),
                settings,
            });
        }
        let response_date = format_seconds(self.clock.now());
        let base_url = parts.settings.oai_url();
        let answer = match args.parse() {
            Ok(request) => self.oai_answer(&parts, request).await?,
            Err(errors) => Err(errors),
        };
        let bare = matches!(&answer, Err(errors) if errors.iter().any(|e| {
            matches!(e.code, OaiErrorCode::BadVerb | OaiErrorCode::BadArgument)
        }));
        Ok(OaiReply {
            response_date,
            base_url,
            echo: if bare { Vec::new() } else { args.0.clone() },
            answer,
        })
    }

    fn disclosed_query(&self) -> OaiQuery {
        OaiQuery {
            statuses: DISCLOSED_STATUSES.to_vec(),
            visibility: DISCLOSED_VISIBILITY,
            units: None,
            terms: None,
            innovations: false,
            from_ms: None,
            until_ms: None,
            after: None,
            limit: PAGE_SIZE,
        }
    }

    async fn oai_answer(
        &self,
        parts: &OaiParts,
        request: OaiRequest,
    ) -> DomainResult<Result<OaiAnswer, Vec<OaiError>>> {
        let settings = &parts.settings;
        Ok(match request {
            OaiRequest::Identify => {
                let earliest = parts.store.oai_earliest_ms(&self.disclosed_query()).await?;
                Ok(OaiAnswer::Identify {
                    repository_name: settings.repository_name.clone(),
                    base_url: settings.oai_url(),
                    earliest_datestamp: earliest
                        .map(datestamp_of_ms)
                        .unwrap_or_else(|| format_seconds(self.clock.now())),
                    admin_email: settings.admin_email.clone(),
                    // Archived items stay as deleted records, but an item whose readers are
                    // narrowed by an approved revision leaves without one: "transient" is the
                    // honest promise.
                    deleted_record: "transient",
                    granularity: "YYYY-MM-DDThh:mm:ssZ",
                })
            }
            OaiRequest::ListMetadataFormats { identifier } => {
                if let Some(identifier) = identifier
                    && self.oai_row(parts, &identifier).await?.is_none()
                {
                    Err(id_does_not_exist(&identifier))
                } else {
                    Ok(OaiAnswer::MetadataFormats(vec![(
                        METADATA_PREFIX,
                        OAI_DC_SCHEMA,
                        OAI_DC_NAMESPACE,
                    )]))
                }
            }
            OaiRequest::ListSets => {
                let tree = self.unit_tree().await?;
                let vocab = self.vocabulary().await?;
                Ok(OaiAnswer::Sets(all_sets(&tree, &vocab)))
            }
            OaiRequest::GetRecord { identifier } => match self.oai_row(parts, &identifier).await? {
                Some(row) => {
                    let tree = self.unit_tree().await?;
                    let vocab = self.vocabulary().await?;
                    match record(settings, &tree, &vocab, &row, true) {
                        Some(r) => Ok(OaiAnswer::Record(Box::new(r))),
                        None => Err(id_does_not_exist(&identifier)),
                    }
                }
                None => Err(id_does_not_exist(&identifier)),
            },
            OaiRequest::ListIdentifiers(list) => self
                .oai_list(parts, Verb::ListIdentifiers, list)
                .await?
                .map(OaiAnswer::Identifiers),
            OaiRequest::ListRecords(list) => self
                .oai_list(parts, Verb::ListRecords, list)
                .await?
                .map(OaiAnswer::Records),
        })
    }

    /// The item an identifier names, when the repository discloses it.
    async fn oai_row(&self, parts: &OaiParts, identifier: &str) -> DomainResult<Option<OaiRow>> {
        let Some(id) = parts.settings.parse_identifier(identifier) else {
            return Ok(None);
        };
        Ok(parts
            .store
            .oai_item(id)
            .await?
            .filter(|r| disclosed(r.item.status, r.item.fields.visibility).is_some()))
    }

    async fn oai_list(
        &self,
        parts: &OaiParts,
        verb: Verb,
        list: ListRequest,
    ) -> DomainResult<Result<RecordList, Vec<OaiError>>> {
        let tree = self.unit_tree().await?;
        let vocab = self.vocabulary().await?;
        let harvest = list.harvest().clone();
        let filter = match &harvest.set {
            None => SetFilter::default(),
            Some(spec) => match resolve(spec, &tree, &vocab) {
                Some(f) => f,
                None => return Ok(Err(no_records())),
            },
        };
        if filter.terms.as_ref().is_some_and(Vec::is_empty)
            || filter.units.as_ref().is_some_and(Vec::is_empty)
        {
            return Ok(Err(no_records()));
        }
        let (after, cursor) = match &list {
            ListRequest::Fresh(_) => (None, 0),
            ListRequest::Resume(t) => (Some((t.after_ms, t.after_id)), t.cursor),
        };
        let mut query = OaiQuery {
            units: filter.units,
            terms: filter.terms,
            innovations: filter.innovations,
            from_ms: harvest.from.map(|d| d.start_ms()),
            until_ms: harvest.until.map(|d| d.end_ms()),
            after,
            // One more than a page tells whether another page follows.
            limit: PAGE_SIZE + 1,
            ..self.disclosed_query()
        };
        let mut rows = parts.store.oai_page(&query).await?;
        if rows.is_empty() {
            return Ok(Err(no_records()));
        }
        let more = rows.len() as u64 > PAGE_SIZE;
        rows.truncate(PAGE_SIZE as usize);
        query.after = None;
        let complete_list_size = parts.store.oai_count(&query).await?;
        let with_metadata = verb == Verb::ListRecords;
        let records: Vec<Record> = rows
            .iter()
            .filter_map(|r| record(&parts.settings, &tree, &vocab, r, with_metadata))
            .collect();
        let token = match (more, rows.last()) {
            (true, Some(last)) => Some(TokenInfo {
                value: ResumptionToken {
                    verb,
                    harvest,
                    after_ms: last.stamp_ms,
                    after_id: last.item.id,
                    cursor: cursor + rows.len() as u64,
                }
                .encode(),
                complete_list_size,
                cursor,
            }),
            // The last answer of a list that came in several says so with an empty token.
            _ if cursor > 0 => Some(TokenInfo {
                value: String::new(),
                complete_list_size,
                cursor,
            }),
            _ => None,
        };
        Ok(Ok(RecordList { records, token }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{TaxonomyId, UnitId};
    use crate::org::{Unit, UnitCode, UnitKind, UnitName};
    use crate::taxonomy::{Taxonomy, Term};

    fn unit(id: i64, parent: Option<i64>, code: &str, name: &str) -> Unit {
        Unit {
            id: UnitId(id),
            parent_id: parent.map(UnitId),
            code: UnitCode::parse(code).unwrap(),
            kind: UnitKind::ALL[0],
            name_th: UnitName::parse("name", name).unwrap(),
            name_en: None,
            short_th: None,
            retired: false,
        }
    }

    fn world() -> (UnitTree, Vocabulary) {
        let tree = UnitTree::new(vec![
            unit(1, None, "DHSS", "กรมสนับสนุนบริการสุขภาพ"),
            unit(2, Some(1), "PHC", "กองสนับสนุนสุขภาพภาคประชาชน"),
            unit(3, Some(2), "PHC-N", "ศูนย์ภาคเหนือ"),
            unit(4, None, "CDD", "กรมการพัฒนาชุมชน"),
        ]);
        let term = |id: i64, key: &str, parent: Option<i64>| Term {
            id: TermId(id),
            taxonomy_id: TaxonomyId(1),
            key: key.into(),
            label_th: format!("หมวด {key}"),
            label_en: key.into(),
            parent_id: parent.map(TermId),
            retired: false,
        };
        let vocab = Vocabulary {
            taxonomies: vec![Taxonomy {
                id: TaxonomyId(1),
                key: "category".into(),
                name_th: "หมวดหมู่องค์ความรู้".into(),
                name_en: "Category".into(),
            }],
            terms: vec![
                term(10, "law", None),
                term(11, "law-local", Some(10)),
                term(12, "model", None),
            ],
        };
        (tree, vocab)
    }

    #[test]
    fn sets_follow_the_unit_tree_and_the_taxonomies() {
        let (tree, vocab) = world();
        let sets = all_sets(&tree, &vocab);
        let specs: Vec<&str> = sets.iter().map(|s| s.spec.as_str()).collect();
        for want in [
            "unit",
            "unit:DHSS",
            "unit:DHSS:PHC",
            "unit:DHSS:PHC:PHC-N",
            "unit:CDD",
            "topic",
            "topic:category",
            "topic:category:law",
            "topic:category:law-local",
            "type:innovation",
        ] {
            assert!(specs.contains(&want), "{want} in {specs:?}");
        }
        let names: Vec<&str> = sets.iter().map(|s| s.name.as_str()).collect();
        assert!(names.contains(&"ศูนย์ภาคเหนือ"));
        assert!(sets.iter().all(|s| SetSpec::parse(&s.spec).is_some()));
    }

    #[test]
    fn a_set_takes_its_subtree() {
        let (tree, vocab) = world();
        let r = |s: &str| resolve(&SetSpec::parse(s).unwrap(), &tree, &vocab);
        assert_eq!(
            r("unit:DHSS:PHC").unwrap().units,
            Some(vec![UnitId(2), UnitId(3)])
        );
        // The path must be the unit's real path.
        assert_eq!(r("unit:PHC"), None);
        assert_eq!(r("unit:CDD:PHC"), None);
        assert_eq!(r("unit:NOPE"), None);
        assert_eq!(r("unit").unwrap(), SetFilter::default());
        assert_eq!(
            r("topic:category:law").unwrap().terms,
            Some(vec![TermId(10), TermId(11)])
        );
        assert_eq!(r("topic:category").unwrap().terms.unwrap().len(), 3);
        assert_eq!(r("topic:other"), None);
        assert!(r("type:innovation").unwrap().innovations);
        assert_eq!(r("type:video"), None);
        assert_eq!(r("colour:red"), None);
    }

    #[test]
    fn dcmi_types_come_from_the_files() {
        assert_eq!(dcmi_types(&[]), ["Text"]);
        assert_eq!(
            dcmi_types(&[
                "application/pdf".into(),
                "video/mp4".into(),
                "image/png".into(),
                "image/jpeg".into()
            ]),
            ["Text", "MovingImage", "StillImage"]
        );
    }
}
