//! OAI-PMH 2.0 at `/oai` (issue 15): every verb by GET and by POST; the protocol's error codes
//! with HTTP 200; a harvest of 250 items in three pages whose counts add up with no duplicate;
//! tokens that a second node accepts and that are refused when tampered with or sent with
//! another verb; from/until at day and second granularity; unit, topic and innovation sets;
//! private, unit-only, signed-in-only and unpublished items never shown, an archived public
//! item shown as a deleted record; a record's Dublin Core in Thai.

use khlang_core::forms::{RawAnswers, Strictness};
use khlang_core::ids::ItemId;
use khlang_core::item::{ItemInput, Transition};
use khlang_core::org::Actor;
use khlang_testkit::{TestApp, spawn_app, spawn_node_beside};
use std::collections::HashSet;

const UNIT: &str = "CDD-P-24-D01";
const OTHER: &str = "DHSS-PHC-NE";

struct Team {
    officer: Actor,
    reviewer: Actor,
    other_officer: Actor,
    other_reviewer: Actor,
}

async fn team(app: &TestApp) -> Team {
    let core = app.core();
    let mut actors = Vec::new();
    for (name, unit, role) in [
        ("oai.officer", UNIT, "km_officer"),
        ("oai.reviewer", UNIT, "reviewer"),
        ("oai.officer2", OTHER, "km_officer"),
        ("oai.reviewer2", OTHER, "reviewer"),
    ] {
        let user = app.user_with_role(name, unit, role).await;
        actors.push(core.actor_for(&user).await.unwrap());
    }
    let mut it = actors.into_iter();
    Team {
        officer: it.next().unwrap(),
        reviewer: it.next().unwrap(),
        other_officer: it.next().unwrap(),
        other_reviewer: it.next().unwrap(),
    }
}

fn input(app_unit: i64, title: &str, visibility: &str) -> ItemInput {
    ItemInput {
        title: title.into(),
        summary: format!("บทคัดย่อของ {title} <b>&</b>"),
        knowledge_type: "tacit".into(),
        visibility: visibility.into(),
        unit_id: app_unit.to_string(),
        authors: vec!["นางสมศรี ใจดี, นายวิชัย กล้าหาญ".into()],
        tags: vec!["อสม.".into()],
        licence: "CC-BY-SA-4.0".into(),
        ..Default::default()
    }
}

async fn draft(app: &TestApp, by: &Actor, input: &ItemInput) -> ItemId {
    app.core().create_item(by, input).await.unwrap().id
}

async fn publish(app: &TestApp, by: &Actor, reviewer: &Actor, input: &ItemInput) -> ItemId {
    let core = app.core();
    let id = draft(app, by, input).await;
    core.transition(by, id, Transition::Submit, "")
        .await
        .unwrap();
    core.transition(reviewer, id, Transition::Approve, "")
        .await
        .unwrap();
    id
}

async fn get(app: &TestApp, query: &str) -> String {
    let res = app
        .client()
        .get(app.url(&format!("/oai?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{query}");
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/xml"), "{ct}");
    let xml = res.text().await.unwrap();
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\""),
        "{xml}"
    );
    xml
}

async fn post(app: &TestApp, pairs: &[(&str, &str)]) -> String {
    let res = app
        .client()
        .post(app.url("/oai"))
        .form(pairs)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The text of every `<tag>` or `<tag …>` element (not nested in itself).
fn texts(xml: &str, tag: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = xml;
    let close = format!("</{tag}>");
    while let Some(i) = rest.find(&format!("<{tag}")) {
        let after = &rest[i + tag.len() + 1..];
        if !after.starts_with('>') && !after.starts_with(' ') {
            rest = after;
            continue;
        }
        let Some(gt) = after.find('>') else { break };
        if after[..gt].ends_with('/') {
            out.push(String::new());
            rest = &after[gt + 1..];
            continue;
        }
        let body = &after[gt + 1..];
        let end = body.find(&close).expect("closed");
        out.push(unescape(&body[..end]));
        rest = &body[end..];
    }
    out
}

fn error_codes(xml: &str) -> Vec<String> {
    xml.split("<error code=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

fn attr(xml: &str, tag: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag}"))?;
    let head = &xml[start..start + xml[start..].find('>')?];
    let key = format!(" {name}=\"");
    let v = head.split(&key).nth(1)?;
    Some(unescape(v.split('"').next()?))
}

/// `(completeListSize, cursor, value)` of the answer's resumptionToken.
fn token(xml: &str) -> Option<(u64, u64, String)> {
    let size = attr(xml, "resumptionToken", "completeListSize")?
        .parse()
        .ok()?;
    let cursor = attr(xml, "resumptionToken", "cursor")?.parse().ok()?;
    Some((
        size,
        cursor,
        texts(xml, "resumptionToken").pop().unwrap_or_default(),
    ))
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Every identifier of a list, following tokens; also the answers' (size, cursor, count).
async fn harvest(app: &TestApp, verb: &str, args: &str) -> (Vec<String>, Vec<(u64, u64, usize)>) {
    let mut ids = Vec::new();
    let mut pages = Vec::new();
    let mut xml = get(app, &format!("verb={verb}&metadataPrefix=oai_dc{args}")).await;
    loop {
        assert!(error_codes(&xml).is_empty(), "{xml}");
        let page = texts(&xml, "identifier");
        let page: Vec<String> = page.into_iter().filter(|i| i.starts_with("oai:")).collect();
        let t = token(&xml);
        pages.push((
            t.as_ref().map(|t| t.0).unwrap_or(0),
            t.as_ref().map(|t| t.1).unwrap_or(0),
            page.len(),
        ));
        ids.extend(page);
        match t {
            Some((_, _, value)) if !value.is_empty() => {
                xml = get(app, &format!("verb={verb}&resumptionToken={}", enc(&value))).await;
            }
            _ => break,
        }
    }
    (ids, pages)
}

#[tokio::test]
async fn a_harvest_of_250_items_comes_in_three_pages_without_loss() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let unit = app.unit_id(UNIT).await;
    let mut published = HashSet::new();
    for n in 0..250 {
        let id = publish(
            &app,
            &t.officer,
            &t.reviewer,
            &input(unit, &format!("องค์ความรู้ที่ {n}"), "public"),
        )
        .await;
        published.insert(id.0);
    }
    for verb in ["ListIdentifiers", "ListRecords"] {
        let (ids, pages) = harvest(&app, verb, "").await;
        assert_eq!(
            pages,
            [(250, 0, 100), (250, 100, 100), (250, 200, 50)],
            "{verb}"
        );
        let unique: HashSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), 250, "{verb}: no duplicates");
        let numbers: HashSet<i64> = ids
            .iter()
            .map(|i| i.rsplit('/').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(numbers, published);
    }

    // A token is stateless: another node on the same database goes on from it, also by POST.
    let first = get(&app, "verb=ListRecords&metadataPrefix=oai_dc").await;
    let (_, _, value) = token(&first).unwrap();
    let node = spawn_node_beside(&app).await;
    let second = post(
        &node,
        &[("verb", "ListRecords"), ("resumptionToken", &value)],
    )
    .await;
    assert!(error_codes(&second).is_empty(), "{second}");
    assert_eq!(token(&second).unwrap().1, 100);
    let page1: HashSet<String> = texts(&first, "identifier").into_iter().collect();
    assert!(
        texts(&second, "identifier")
            .iter()
            .all(|i| !page1.contains(i))
    );
    // The request element echoes the token.
    assert_eq!(attr(&second, "request", "resumptionToken").unwrap(), value);

    // An item that changes during the harvest moves to the end, and nothing is skipped.
    let changed = ItemId(*published.iter().min().unwrap());
    app.core()
        .transition(&t.officer, changed, Transition::Archive, "")
        .await
        .unwrap();
    let (ids, _) = harvest(&app, "ListIdentifiers", "").await;
    assert_eq!(ids.len(), 250);
    assert!(ids.last().unwrap().ends_with(&format!("/{}", changed.0)));

    // Tokens refused: edited, truncated, of another verb, or sent with other arguments.
    let mut edited = value.clone().into_bytes();
    let i = edited.len() / 3;
    edited[i] = if edited[i] == b'A' { b'B' } else { b'A' };
    let edited = String::from_utf8(edited).unwrap();
    for (verb, tok) in [
        ("ListRecords", edited.as_str()),
        ("ListRecords", &value[..value.len() - 2]),
        ("ListRecords", "garbage"),
        ("ListIdentifiers", value.as_str()),
        ("ListSets", value.as_str()),
    ] {
        let xml = get(&app, &format!("verb={verb}&resumptionToken={}", enc(tok))).await;
        assert_eq!(error_codes(&xml), ["badResumptionToken"], "{verb} {tok}");
        assert!(texts(&xml, "record").is_empty());
    }
    let xml = get(
        &app,
        &format!(
            "verb=ListRecords&metadataPrefix=oai_dc&resumptionToken={}",
            enc(&value)
        ),
    )
    .await;
    assert_eq!(error_codes(&xml), ["badArgument"]);
    node.stop().await;
}

#[tokio::test]
async fn only_public_published_items_are_records_and_archived_ones_are_deleted() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let core = app.core();
    let unit = app.unit_id(UNIT).await;
    let vocab = core.vocabulary().await.unwrap();
    let tx = vocab
        .taxonomies
        .iter()
        .find(|t| vocab.terms_of(t.id).next().is_some())
        .unwrap();
    let term = vocab.terms_of(tx.id).next().unwrap();
    let mut public = input(unit, "คู่มือการถอดบทเรียน อสม. & ชุมชน", "public");
    public.terms = vec![term.id.0.to_string()];
    let public = publish(&app, &t.officer, &t.reviewer, &public).await;
    let unit_only = publish(
        &app,
        &t.officer,
        &t.reviewer,
        &input(unit, "เฉพาะหน่วยงาน", "unit"),
    )
    .await;
    let signed_in = publish(
        &app,
        &t.officer,
        &t.reviewer,
        &input(unit, "เฉพาะผู้เข้าสู่ระบบ", "signed_in"),
    )
    .await;
    let draft_id = draft(&app, &t.officer, &input(unit, "ฉบับร่าง", "public")).await;
    let submitted = draft(&app, &t.officer, &input(unit, "รอพิจารณา", "public")).await;
    core.transition(&t.officer, submitted, Transition::Submit, "")
        .await
        .unwrap();
    let archived = publish(
        &app,
        &t.officer,
        &t.reviewer,
        &input(unit, "เก็บถาวรแล้ว", "public"),
    )
    .await;
    let archived_unit = publish(
        &app,
        &t.officer,
        &t.reviewer,
        &input(unit, "เก็บถาวร เฉพาะหน่วยงาน", "unit"),
    )
    .await;
    for id in [archived, archived_unit] {
        core.transition(&t.officer, id, Transition::Archive, "")
            .await
            .unwrap();
    }
    let host = app
        .base
        .trim_start_matches("http://")
        .split(':')
        .next()
        .unwrap()
        .to_string();
    let oai_id = |id: ItemId| format!("oai:{host}:item/{}", id.0);

    // Identify
    let xml = get(&app, "verb=Identify").await;
    assert_eq!(texts(&xml, "deletedRecord"), ["transient"]);
    assert_eq!(texts(&xml, "granularity"), ["YYYY-MM-DDThh:mm:ssZ"]);
    assert_eq!(texts(&xml, "protocolVersion"), ["2.0"]);
    assert_eq!(texts(&xml, "baseURL"), [app.url("/oai")]);
    assert_eq!(texts(&xml, "repositoryName"), ["คลังความรู้"]);
    assert_eq!(attr(&xml, "request", "verb").unwrap(), "Identify");
    assert_eq!(texts(&xml, "earliestDatestamp")[0].len(), 20);
    assert_eq!(get(&app, "verb=Identify").await.len(), xml.len());
    assert!(error_codes(&post(&app, &[("verb", "Identify")]).await).is_empty());

    // The list: the public record and the archived public one, deleted.
    let xml = get(&app, "verb=ListIdentifiers&metadataPrefix=oai_dc").await;
    let ids = texts(&xml, "identifier");
    assert_eq!(ids, [oai_id(public), oai_id(archived)], "{xml}");
    assert_eq!(xml.matches("<header status=\"deleted\">").count(), 1);
    assert!(token(&xml).is_none(), "one page: no token");
    let records = get(&app, "verb=ListRecords&metadataPrefix=oai_dc").await;
    assert_eq!(texts(&records, "record").len(), 2);
    assert_eq!(
        texts(&records, "metadata").len(),
        1,
        "a deleted record has none"
    );

    // Never shown, whatever the verb.
    for id in [unit_only, signed_in, draft_id, submitted, archived_unit] {
        for query in [
            format!(
                "verb=GetRecord&metadataPrefix=oai_dc&identifier={}",
                enc(&oai_id(id))
            ),
            format!("verb=ListMetadataFormats&identifier={}", enc(&oai_id(id))),
        ] {
            let xml = get(&app, &query).await;
            assert_eq!(error_codes(&xml), ["idDoesNotExist"], "{query}");
        }
    }
    for bad in [
        "oai:elsewhere.example:item/1",
        "item/1",
        format!("oai:{host}:item/999999").as_str(),
    ] {
        let xml = get(
            &app,
            &format!(
                "verb=GetRecord&metadataPrefix=oai_dc&identifier={}",
                enc(bad)
            ),
        )
        .await;
        assert_eq!(error_codes(&xml), ["idDoesNotExist"]);
        assert_eq!(attr(&xml, "request", "identifier").unwrap(), bad, "echoed");
    }

    // A deleted record by GetRecord: header only.
    let xml = get(
        &app,
        &format!(
            "verb=GetRecord&metadataPrefix=oai_dc&identifier={}",
            enc(&oai_id(archived))
        ),
    )
    .await;
    assert!(xml.contains("<header status=\"deleted\">"), "{xml}");
    assert!(texts(&xml, "metadata").is_empty());

    // The record's Dublin Core.
    let query = [
        ("verb", "GetRecord"),
        ("metadataPrefix", "oai_dc"),
        ("identifier", &oai_id(public)),
    ];
    let xml = post(&app, &query).await;
    let by_get = get(
        &app,
        &format!(
            "verb=GetRecord&metadataPrefix=oai_dc&identifier={}",
            enc(&oai_id(public))
        ),
    )
    .await;
    assert_eq!(texts(&xml, "metadata"), texts(&by_get, "metadata"));
    assert_eq!(texts(&xml, "dc:title"), ["คู่มือการถอดบทเรียน อสม. & ชุมชน"]);
    assert!(xml.contains("<dc:title>คู่มือการถอดบทเรียน อสม. &amp; ชุมชน</dc:title>"));
    assert_eq!(texts(&xml, "dc:creator"), ["นางสมศรี ใจดี", "นายวิชัย กล้าหาญ"]);
    assert_eq!(
        texts(&xml, "dc:description"),
        ["บทคัดย่อของ คู่มือการถอดบทเรียน อสม. & ชุมชน <b>&</b>"]
    );
    assert!(!xml.contains("<b>"), "escaped");
    assert_eq!(
        texts(&xml, "dc:subject"),
        [term.label_th.clone(), "อสม.".into()]
    );
    let unit_name = core
        .unit_tree()
        .await
        .unwrap()
        .get(khlang_core::ids::UnitId(unit))
        .unwrap()
        .name_th
        .as_str()
        .to_string();
    assert_eq!(texts(&xml, "dc:publisher"), [unit_name]);
    assert_eq!(texts(&xml, "dc:language"), ["th"]);
    assert_eq!(
        texts(&xml, "dc:rights"),
        [
            "CC BY-SA 4.0 — อ้างอิงที่มาและเผยแพร่ต่อด้วยสัญญาอนุญาตเดียวกัน",
            "https://creativecommons.org/licenses/by-sa/4.0/"
        ]
    );
    assert_eq!(
        texts(&xml, "dc:type"),
        ["ความรู้ที่ฝังในตัวคน (ประสบการณ์ เคล็ดลับ)", "Text"]
    );
    assert_eq!(
        texts(&xml, "dc:identifier"),
        [app.url(&format!("/items/{}", public.0))]
    );
    assert_eq!(texts(&xml, "dc:date")[0].len(), 10);
    let specs = texts(&xml, "setSpec");
    assert!(
        specs
            .iter()
            .any(|s| s.starts_with("unit:") && s.ends_with(&format!(":{UNIT}"))),
        "{specs:?}"
    );
    assert!(
        specs.contains(&format!("topic:{}:{}", tx.key, term.key)),
        "{specs:?}"
    );

    // ListMetadataFormats, with and without an identifier.
    for query in [
        "verb=ListMetadataFormats".to_string(),
        format!(
            "verb=ListMetadataFormats&identifier={}",
            enc(&oai_id(public))
        ),
        format!(
            "verb=ListMetadataFormats&identifier={}",
            enc(&oai_id(archived))
        ),
    ] {
        let xml = get(&app, &query).await;
        assert_eq!(texts(&xml, "metadataPrefix"), ["oai_dc"], "{query}");
        assert_eq!(
            texts(&xml, "metadataNamespace"),
            ["http://www.openarchives.org/OAI/2.0/oai_dc/"]
        );
    }
}

#[tokio::test]
async fn every_protocol_error_has_its_code_and_status_200() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let unit = app.unit_id(UNIT).await;
    publish(&app, &t.officer, &t.reviewer, &input(unit, "หนึ่ง", "public")).await;
    for (query, code) in [
        ("", "badVerb"),
        ("verb=identify", "badVerb"),
        ("verb=Identify&verb=Identify", "badVerb"),
        ("verb=Delete", "badVerb"),
        ("verb=Identify&metadataPrefix=oai_dc", "badArgument"),
        ("verb=ListRecords", "badArgument"),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&colour=red",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2024-13-01",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01T00:00:00",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01&until=2024-02-01T00:00:00Z",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2024-02-01&until=2024-01-01",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&set=a%20b",
            "badArgument",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=",
            "badArgument",
        ),
        ("verb=GetRecord&metadataPrefix=oai_dc", "badArgument"),
        (
            "verb=ListIdentifiers&metadataPrefix=marc21",
            "cannotDisseminateFormat",
        ),
        (
            "verb=GetRecord&metadataPrefix=mods&identifier=oai:x:item/1",
            "cannotDisseminateFormat",
        ),
        ("verb=ListRecords&resumptionToken=abc", "badResumptionToken"),
        ("verb=ListSets&resumptionToken=abc", "badResumptionToken"),
        (
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:x:item/1",
            "idDoesNotExist",
        ),
        (
            "verb=ListMetadataFormats&identifier=nothing",
            "idDoesNotExist",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2999-01-01",
            "noRecordsMatch",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&until=2000-01-01",
            "noRecordsMatch",
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&set=unit:NOPE",
            "noRecordsMatch",
        ),
        (
            "verb=ListIdentifiers&metadataPrefix=oai_dc&set=colour:red",
            "noRecordsMatch",
        ),
    ] {
        let xml = get(&app, query).await;
        assert_eq!(error_codes(&xml), [code], "{query}: {xml}");
        let bare = matches!(code, "badVerb" | "badArgument");
        assert_eq!(
            attr(&xml, "request", "verb").is_none(),
            bare,
            "{query}: the request element echoes arguments only when they were legal"
        );
    }
    // POST says the same, and wants a form body.
    let xml = post(&app, &[("verb", "Nope")]).await;
    assert_eq!(error_codes(&xml), ["badVerb"]);
    let res = app
        .client()
        .post(app.url("/oai"))
        .header("content-type", "application/json")
        .body("{\"verb\":\"Identify\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);

    // No public base URL configured: the Host header names the site in identifiers.
    let res = app
        .client()
        .get(app.url("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc"))
        .header("host", "km.example.go.th")
        .send()
        .await
        .unwrap();
    let xml = res.text().await.unwrap();
    assert_eq!(texts(&xml, "request"), ["http://km.example.go.th/oai"]);
    assert!(texts(&xml, "identifier")[0].starts_with("oai:km.example.go.th:item/"));
}

#[tokio::test]
async fn sets_and_dates_select_records() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let core = app.core();
    let unit = app.unit_id(UNIT).await;
    let other = app.unit_id(OTHER).await;
    let vocab = core.vocabulary().await.unwrap();
    let tx = vocab
        .taxonomies
        .iter()
        .find(|t| vocab.terms_of(t.id).count() >= 2)
        .unwrap();
    let terms: Vec<_> = vocab.terms_of(tx.id).take(2).cloned().collect();

    // Ten days ago, five days ago, now.
    app.move_clock(-10 * 86_400);
    let mut a = input(unit, "เก่าที่สุด", "public");
    a.terms = vec![terms[0].id.0.to_string()];
    let a = publish(&app, &t.officer, &t.reviewer, &a).await;
    app.move_clock(-5 * 86_400);
    let b = publish(
        &app,
        &t.other_officer,
        &t.other_reviewer,
        &input(other, "กลาง", "public"),
    )
    .await;
    app.move_clock(0);
    let mut c = input(unit, "ใหม่ที่สุด", "public");
    c.terms = vec![terms[1].id.0.to_string()];
    let c = publish(&app, &t.officer, &t.reviewer, &c).await;
    let n = |ids: &[String]| -> Vec<i64> {
        ids.iter()
            .map(|i| i.rsplit('/').next().unwrap().parse().unwrap())
            .collect()
    };

    let (all, _) = harvest(&app, "ListIdentifiers", "").await;
    assert_eq!(n(&all), [a.0, b.0, c.0], "oldest first");
    let xml = get(&app, "verb=ListIdentifiers&metadataPrefix=oai_dc").await;
    let stamps = texts(&xml, "datestamp");
    assert_eq!(stamps.len(), 3);
    let day = |s: &str| s[..10].to_string();

    // Seconds: from and until take their whole second, both ends included.
    let (ids, _) = harvest(
        &app,
        "ListIdentifiers",
        &format!("&from={0}&until={0}", stamps[1]),
    )
    .await;
    assert_eq!(n(&ids), [b.0]);
    let (ids, _) = harvest(&app, "ListRecords", &format!("&from={}", stamps[1])).await;
    assert_eq!(n(&ids), [b.0, c.0]);
    let (ids, _) = harvest(&app, "ListIdentifiers", &format!("&until={}", stamps[0])).await;
    assert_eq!(n(&ids), [a.0]);
    // Days.
    let (ids, _) = harvest(
        &app,
        "ListIdentifiers",
        &format!("&from={0}&until={0}", day(&stamps[1])),
    )
    .await;
    assert_eq!(n(&ids), [b.0]);
    let (ids, _) = harvest(
        &app,
        "ListIdentifiers",
        &format!("&until={}", day(&stamps[1])),
    )
    .await;
    assert_eq!(n(&ids), [a.0, b.0]);

    // ListSets: the units as a tree, topics, innovations; names in Thai.
    let xml = get(&app, "verb=ListSets").await;
    let specs = texts(&xml, "setSpec");
    let names = texts(&xml, "setName");
    let unit_spec = specs
        .iter()
        .find(|s| s.ends_with(&format!(":{UNIT}")))
        .unwrap()
        .clone();
    assert!(unit_spec.starts_with("unit:CDD:"), "{unit_spec}");
    let parent = unit_spec.rsplit_once(':').unwrap().0.to_string();
    assert!(specs.contains(&parent), "the parent unit is a set too");
    assert!(specs.contains(&"type:innovation".to_string()));
    assert!(names.contains(&"นวัตกรรม (บัญชีนวัตกรรม)".to_string()));
    let unit_name = core
        .unit_tree()
        .await
        .unwrap()
        .get(khlang_core::ids::UnitId(unit))
        .unwrap()
        .name_th
        .as_str()
        .to_string();
    assert_eq!(
        names[specs.iter().position(|s| *s == unit_spec).unwrap()],
        unit_name
    );

    // A unit set takes its subtree; a topic its term; sets combine with dates.
    let (ids, _) = harvest(&app, "ListIdentifiers", &format!("&set={unit_spec}")).await;
    assert_eq!(n(&ids), [a.0, c.0]);
    let (ids, _) = harvest(&app, "ListIdentifiers", &format!("&set={parent}")).await;
    assert_eq!(n(&ids), [a.0, c.0]);
    let (ids, _) = harvest(&app, "ListIdentifiers", "&set=unit").await;
    assert_eq!(n(&ids), [a.0, b.0, c.0]);
    let topic = format!("topic:{}:{}", tx.key, terms[1].key);
    let (ids, _) = harvest(&app, "ListRecords", &format!("&set={topic}")).await;
    assert_eq!(n(&ids), [c.0]);
    let (ids, _) = harvest(&app, "ListIdentifiers", &format!("&set=topic:{}", tx.key)).await;
    assert_eq!(n(&ids), [a.0, c.0]);
    let xml = get(
        &app,
        &format!(
            "verb=ListIdentifiers&metadataPrefix=oai_dc&set={unit_spec}&from={}",
            stamps[1]
        ),
    )
    .await;
    assert_eq!(n(&texts(&xml, "identifier")), [c.0]);
    // No innovation yet.
    let xml = get(
        &app,
        "verb=ListIdentifiers&metadataPrefix=oai_dc&set=type:innovation",
    )
    .await;
    assert_eq!(error_codes(&xml), ["noRecordsMatch"]);
}

#[tokio::test]
async fn innovations_form_a_set() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let core = app.core();
    let unit = app.unit_id(UNIT).await;
    publish(
        &app,
        &t.officer,
        &t.reviewer,
        &input(unit, "ไม่ใช่นวัตกรรม", "public"),
    )
    .await;
    let person = core
        .create_person(
            &t.officer,
            khlang_core::people::PersonInput {
                unit_id: khlang_core::ids::UnitId(unit),
                draft: khlang_core::people::PersonDraft {
                    name: "นางสมศรี ใจดี".into(),
                    ..Default::default()
                },
                prefix: String::new(),
                allow_duplicate: true,
            },
        )
        .await
        .unwrap();
    let item = core
        .start_entry(
            &t.officer,
            "innovation",
            &unit.to_string(),
            "ถังขยะเปียกลดยุงลาย",
        )
        .await
        .unwrap();
    let person = person.0.to_string();
    for (n, pairs) in [
        (1, vec![("innovators", person.as_str())]),
        (2, vec![("place.province", "40")]),
        (
            3,
            vec![
                ("name", "ถังขยะเปียกลดยุงลาย"),
                ("branch", "branch-05"),
                ("description", "คำอธิบายนวัตกรรมสำหรับทดสอบ"),
            ],
        ),
    ] {
        let named: Vec<(String, &str)> =
            pairs.iter().map(|(k, v)| (format!("f.{k}"), *v)).collect();
        let raw = RawAnswers::from_pairs(named.iter().map(|(k, v)| (k.as_str(), *v)));
        core.save_entry_section(&t.officer, item.id, n, &raw, Strictness::Draft, n + 1)
            .await
            .unwrap();
    }
    core.transition(&t.officer, item.id, Transition::Submit, "")
        .await
        .unwrap();
    core.transition(&t.reviewer, item.id, Transition::Approve, "")
        .await
        .unwrap();
    let xml = get(
        &app,
        "verb=ListRecords&metadataPrefix=oai_dc&set=type:innovation",
    )
    .await;
    let ids = texts(&xml, "identifier");
    assert_eq!(ids.len(), 1, "{xml}");
    assert!(ids[0].ends_with(&format!(":item/{}", item.id.0)));
    assert_eq!(texts(&xml, "dc:title"), ["ถังขยะเปียกลดยุงลาย"]);
    assert!(texts(&xml, "setSpec").contains(&"type:innovation".to_string()));
}
