//! Feeds and discovery (issue 15): Atom feeds carry only public, published knowledge and
//! public events, whoever asks; per unit (with its sub-units), per category, per search (Thai
//! words inside unspaced text, Thai and Arabic digits alike) and innovations; `sitemap.xml`
//! lists the same and nothing else; `robots.txt` points at it; item and event pages carry Open
//! Graph and schema.org JSON-LD that parse, and nothing of a draft or a unit-only event.

use super::{body, member};
use khlang_core::ids::ItemId;
use khlang_core::item::{ItemInput, Transition};
use khlang_core::org::Actor;
use khlang_testkit::{TestApp, spawn_app};
use quick_xml::events::Event;
use serde_json::Value;

const DISTRICT: &str = "CDD-P-24-D01";
const PROVINCE: &str = "CDD-P-24";
const ELSEWHERE: &str = "DHSS-PHC-N";

struct Team {
    officer: Actor,
    reviewer: Actor,
    elsewhere: Actor,
    elsewhere_reviewer: Actor,
}

async fn actor(app: &TestApp, username: &str, role: &str, unit: &str) -> Actor {
    let user = app.user_with_role(username, unit, role).await;
    app.core().actor_for(&user).await.unwrap()
}

async fn team(app: &TestApp) -> Team {
    Team {
        officer: actor(app, "feed.officer", "km_officer", DISTRICT).await,
        reviewer: actor(app, "feed.reviewer", "reviewer", PROVINCE).await,
        elsewhere: actor(app, "feed.other", "km_officer", ELSEWHERE).await,
        elsewhere_reviewer: actor(app, "feed.other.rev", "reviewer", ELSEWHERE).await,
    }
}

async fn draft(app: &TestApp, by: &Actor, unit: &str, input: ItemInput) -> ItemId {
    let input = ItemInput {
        unit_id: app.unit_id(unit).await.to_string(),
        knowledge_type: if input.knowledge_type.is_empty() {
            "tacit".into()
        } else {
            input.knowledge_type.clone()
        },
        ..input
    };
    app.core().create_item(by, &input).await.unwrap().id
}

async fn publish(app: &TestApp, by: &Actor, reviewer: &Actor, id: ItemId) {
    app.core()
        .transition(by, id, Transition::Submit, "")
        .await
        .unwrap();
    app.core()
        .transition(reviewer, id, Transition::Approve, "")
        .await
        .unwrap();
}

fn titled(title: &str, visibility: &str) -> ItemInput {
    ItemInput {
        title: title.into(),
        summary: format!("สรุปของ{title}"),
        visibility: visibility.into(),
        ..Default::default()
    }
}

/// GETs a path anonymously: (status, content type, body).
async fn get(app: &TestApp, path: &str) -> (u16, String, String) {
    let res = app.client().get(app.url(path)).send().await.unwrap();
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, ct, body(res).await)
}

/// Reads an XML document to the end (panics if it is not well-formed) and returns the text of
/// every element named `name` in order.
fn texts_of(xml: &str, name: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let (mut out, mut inside, mut depth) = (Vec::new(), false, 0usize);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                depth += 1;
                if e.name().as_ref() == name.as_bytes() {
                    inside = true;
                    out.push(String::new());
                }
            }
            Ok(Event::End(e)) => {
                depth -= 1;
                if e.name().as_ref() == name.as_bytes() {
                    inside = false;
                }
            }
            Ok(Event::Text(t)) if inside => {
                out.last_mut().unwrap().push_str(&t.decode().unwrap());
            }
            Ok(Event::GeneralRef(r)) if inside => {
                let name: &[u8] = &r;
                let s = match name {
                    b"amp" => "&",
                    b"lt" => "<",
                    b"gt" => ">",
                    b"quot" => "\"",
                    b"apos" => "'",
                    other => panic!("unexpected entity {other:?}"),
                };
                out.last_mut().unwrap().push_str(s);
            }
            Ok(Event::Eof) => break,
            Err(e) => panic!("not well-formed XML: {e}\n{xml}"),
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unclosed elements");
    out
}

/// Entry titles of an Atom feed (the feed's own title is the first `title`).
fn entry_titles(xml: &str) -> Vec<String> {
    texts_of(xml, "title").into_iter().skip(1).collect()
}

#[tokio::test]
async fn feeds_carry_only_public_published_knowledge_in_their_scope() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let public = draft(
        &app,
        &t.officer,
        DISTRICT,
        titled("การดูแลผู้สูงอายุ <ติดเตียง> & ครอบครัว", "public"),
    )
    .await;
    publish(&app, &t.officer, &t.reviewer, public).await;
    let members = draft(
        &app,
        &t.officer,
        DISTRICT,
        titled("เฉพาะสมาชิก", "signed_in"),
    )
    .await;
    publish(&app, &t.officer, &t.reviewer, members).await;
    let unit_only = draft(&app, &t.officer, DISTRICT, titled("เฉพาะหน่วยงาน", "unit")).await;
    publish(&app, &t.officer, &t.reviewer, unit_only).await;
    draft(&app, &t.officer, DISTRICT, titled("ร่างที่ยังไม่ส่ง", "public")).await;
    let other = draft(
        &app,
        &t.elsewhere,
        ELSEWHERE,
        titled("ความรู้ของหน่วยอื่น", "public"),
    )
    .await;
    publish(&app, &t.elsewhere, &t.elsewhere_reviewer, other).await;

    let (status, ct, xml) = get(&app, "/feeds/items.atom").await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/atom+xml"), "{ct}");
    let titles = entry_titles(&xml);
    assert_eq!(
        titles,
        vec![
            "ความรู้ของหน่วยอื่น".to_string(),
            "การดูแลผู้สูงอายุ <ติดเตียง> & ครอบครัว".to_string()
        ],
        "{xml}"
    );
    assert!(xml.contains(&format!("/items/{public}</id>")), "{xml}");
    assert!(texts_of(&xml, "summary").contains(&"สรุปของความรู้ของหน่วยอื่น".to_string()));

    // Signed in as someone who may read everything: the feed is still the public one.
    let officer = member(&app, "officer2", DISTRICT, "km_officer").await;
    let signed = body(
        officer
            .get(app.url("/feeds/items.atom"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(entry_titles(&signed), titles);

    // A unit's feed holds its own and its sub-units' knowledge, not another unit's.
    let province = app.unit_id(PROVINCE).await;
    let (_, _, xml) = get(&app, &format!("/feeds/units/{province}.atom")).await;
    assert_eq!(
        entry_titles(&xml),
        vec!["การดูแลผู้สูงอายุ <ติดเตียง> & ครอบครัว".to_string()]
    );
    let elsewhere = app.unit_id(ELSEWHERE).await;
    let (_, _, xml) = get(&app, &format!("/feeds/units/{elsewhere}.atom")).await;
    assert_eq!(entry_titles(&xml), vec!["ความรู้ของหน่วยอื่น".to_string()]);
    for missing in [
        "/feeds/units/999999.atom",
        "/feeds/units/x.atom",
        "/feeds/units/12",
    ] {
        assert_eq!(get(&app, missing).await.0, 404, "{missing}");
    }
}

#[tokio::test]
async fn category_search_and_innovation_feeds_follow_what_the_pages_show() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let vocab = app.core().vocabulary().await.unwrap();
    let category = vocab
        .taxonomies
        .iter()
        .find(|x| x.key == "category")
        .map(|x| vocab.terms_of(x.id).next().unwrap().id)
        .expect("a category term");
    let in_category = draft(
        &app,
        &t.officer,
        DISTRICT,
        ItemInput {
            terms: vec![category.to_string()],
            body: "ปลูกผักสวนครัวบนพื้นที่๒ไร่ให้ผู้สูงอายุ".into(),
            ..titled("สวนผักของชุมชน", "public")
        },
    )
    .await;
    publish(&app, &t.officer, &t.reviewer, in_category).await;
    let plain = draft(
        &app,
        &t.officer,
        DISTRICT,
        titled("การประชุมประจำเดือน", "public"),
    )
    .await;
    publish(&app, &t.officer, &t.reviewer, plain).await;
    // An innovation is an item recorded with the innovation template (see innovations.rs).
    let it = super::innovations::team(&app).await;
    let innovation =
        super::innovations::record(&app, &it, "กระเป๋ายาสามัญ", "branch-01", "40", "").await;
    super::innovations::publish(&app, &it, innovation).await;

    let (status, _, xml) = get(&app, &format!("/feeds/categories/{category}.atom")).await;
    assert_eq!(status, 200);
    assert_eq!(entry_titles(&xml), vec!["สวนผักของชุมชน".to_string()]);
    assert!(xml.contains("<category term="), "{xml}");
    assert_eq!(get(&app, "/feeds/categories/999999.atom").await.0, 404);

    // A Thai word inside unspaced text, and Arabic digits finding Thai ones.
    for q in ["ผักสวนครัว", "2ไร่"] {
        let enc: String = q.bytes().map(|b| format!("%{b:02X}")).collect();
        let path = format!("/feeds/search.atom?q={enc}");
        let (status, _, xml) = get(&app, &path).await;
        assert_eq!(status, 200, "{q}");
        assert_eq!(
            entry_titles(&xml),
            vec!["สวนผักของชุมชน".to_string()],
            "{q}: {xml}"
        );
    }
    let (status, _, html) = get(&app, "/feeds/search.atom?q=%20").await;
    assert_eq!(status, 422);
    assert!(html.contains("กรุณาใส่คำค้นของฟีด"), "{html}");

    let (_, _, xml) = get(&app, "/feeds/innovations.atom").await;
    assert_eq!(entry_titles(&xml), vec!["กระเป๋ายาสามัญ".to_string()]);
    assert!(
        xml.contains(&format!("/innovations/{innovation}</id>")),
        "{xml}"
    );

    // Pages offer their feed to feed readers.
    let (_, _, html) = get(&app, &format!("/items?category={category}")).await;
    assert!(
        html.contains(&format!("href=\"/feeds/categories/{category}.atom\"")),
        "{html}"
    );
    let (_, _, html) = get(&app, "/").await;
    assert!(html.contains("type=\"application/atom+xml\""));
}

#[tokio::test]
async fn the_events_feed_lists_upcoming_public_events_only() {
    let app = spawn_app().await;
    let officer = member(&app, "ev.officer", ELSEWHERE, "km_officer").await;
    let unit = app.unit_id(ELSEWHERE).await.to_string();
    let when = |days: i64| {
        khlang_core::events::model::local_input(
            time::OffsetDateTime::now_utc() + time::Duration::days(days),
        )
    };
    let (s, e) = (when(3), when(4));
    let mut ids = Vec::new();
    for (title, audience) in [("ตลาดนัดความรู้ประจำปี", "public"), ("ประชุมภายในหน่วย", "unit")]
    {
        let fields = [
            ("title", title),
            ("kind", "km_market"),
            ("unit", unit.as_str()),
            ("place", "ศาลาประชาคม"),
            ("starts", s.as_str()),
            ("ends", e.as_str()),
            ("audience", audience),
            ("audience_unit", unit.as_str()),
        ];
        let res = super::post_form(&app, &officer, "/events/new", "/events/new", &fields).await;
        assert_eq!(res.status(), 303, "{}", body(res).await);
        let loc = super::location(&res);
        let id: String = loc
            .trim_start_matches("/events/")
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        assert!(!id.is_empty(), "{loc}");
        ids.push(id);
    }
    let (status, _, xml) = get(&app, "/feeds/events.atom").await;
    assert_eq!(status, 200);
    assert_eq!(
        entry_titles(&xml),
        vec!["ตลาดนัดความรู้ประจำปี".to_string()],
        "{xml}"
    );

    // The public event's page carries a schema.org Event; the unit-only one carries none.
    let (_, _, html) = get(&app, &format!("/events/{}", ids[0])).await;
    let ld = json_ld(&html).expect("JSON-LD on a public event");
    assert_eq!(ld["@type"], "Event");
    assert_eq!(ld["name"], "ตลาดนัดความรู้ประจำปี");
    assert_eq!(ld["location"]["name"], "ศาลาประชาคม");
    assert!(ld["startDate"].as_str().unwrap().ends_with('Z'));
    let html = body(
        officer
            .get(app.url(&format!("/events/{}", ids[1])))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(html.contains("ประชุมภายในหน่วย"));
    assert!(json_ld(&html).is_none() && !html.contains("og:title"));
}

/// The JSON-LD object of a page, if it has one (it must parse).
fn json_ld(html: &str) -> Option<Value> {
    let start = html.find("<script type=\"application/ld+json\">")?;
    let rest = &html[start + "<script type=\"application/ld+json\">".len()..];
    let end = rest.find("</script>").expect("closed script");
    Some(serde_json::from_str(&rest[..end]).expect("JSON-LD parses"))
}

fn meta(html: &str, property: &str) -> Option<String> {
    let key = format!("<meta property=\"{property}\" content=\"");
    let start = html.find(&key)? + key.len();
    Some(html[start..start + html[start..].find('"')?].to_string())
}

#[tokio::test]
async fn item_pages_carry_a_link_card_and_schema_org_that_cannot_break_out() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let title = "คู่มือ </script><script>alert(1)</script> อสม.";
    let id = draft(
        &app,
        &t.officer,
        DISTRICT,
        ItemInput {
            authors: vec!["นางสมศรี ใจดี, นายสมชาย รักงาน".into()],
            licence: "CC-BY-4.0".into(),
            tags: vec!["ผู้สูงอายุ".into()],
            ..titled(title, "public")
        },
    )
    .await;
    // A draft is nobody's link card (its author sees the page, without one).
    let author = member(&app, "author2", DISTRICT, "km_officer").await;
    let html = body(
        author
            .get(app.url(&format!("/items/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(meta(&html, "og:title").is_none() && json_ld(&html).is_none());

    publish(&app, &t.officer, &t.reviewer, id).await;
    let (status, _, html) = get(&app, &format!("/items/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        !html.contains("<script>alert(1)"),
        "a title broke out of markup"
    );
    let og_title = meta(&html, "og:title").unwrap();
    assert!(
        og_title.starts_with("คู่มือ &") && !og_title.contains('<'),
        "{og_title}"
    );
    assert!(
        meta(&html, "og:url")
            .unwrap()
            .ends_with(&format!("/items/{id}"))
    );
    assert!(meta(&html, "og:url").unwrap().starts_with("http"));
    let ld = json_ld(&html).expect("JSON-LD");
    assert_eq!(ld["@type"], "CreativeWork");
    assert_eq!(ld["name"], title);
    assert_eq!(ld["author"][1]["name"], "นายสมชาย รักงาน");
    assert_eq!(
        ld["license"],
        "https://creativecommons.org/licenses/by/4.0/"
    );
    assert_eq!(ld["inLanguage"], "th");
    assert!(ld["keywords"].as_str().unwrap().contains("ผู้สูงอายุ"));
}

#[tokio::test]
async fn the_sitemap_lists_public_pages_only_and_robots_points_at_it() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let public = draft(&app, &t.officer, DISTRICT, titled("เผยแพร่ทั่วไป", "public")).await;
    publish(&app, &t.officer, &t.reviewer, public).await;
    let members = draft(
        &app,
        &t.officer,
        DISTRICT,
        titled("เฉพาะสมาชิก", "signed_in"),
    )
    .await;
    publish(&app, &t.officer, &t.reviewer, members).await;
    let unpublished = draft(&app, &t.officer, DISTRICT, titled("ร่าง", "public")).await;

    let (status, ct, xml) = get(&app, "/sitemap.xml").await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/xml"), "{ct}");
    let files = texts_of(&xml, "loc");
    assert_eq!(files.len(), 2, "{xml}");
    assert!(files[0].ends_with("/sitemap/pages.xml") && files[1].ends_with("/sitemap/items-1.xml"));

    let (status, _, xml) = get(&app, "/sitemap/items-1.xml").await;
    assert_eq!(status, 200);
    let locs = texts_of(&xml, "loc");
    assert_eq!(locs.len(), 1, "{xml}");
    assert!(locs[0].ends_with(&format!("/items/{public}")));
    assert!(
        !xml.contains(&format!("/items/{members}<"))
            && !xml.contains(&format!("/items/{unpublished}<"))
    );
    let (_, _, xml) = get(&app, "/sitemap/pages.xml").await;
    assert!(
        texts_of(&xml, "loc")
            .iter()
            .any(|l| l.ends_with("/innovations"))
    );
    for missing in [
        "/sitemap/items-2.xml",
        "/sitemap/items-0.xml",
        "/sitemap/x.xml",
    ] {
        assert_eq!(get(&app, missing).await.0, 404, "{missing}");
    }

    let (status, ct, robots) = get(&app, "/robots.txt").await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/plain"));
    assert!(robots.contains("Disallow: /admin") && robots.contains("Disallow: /api/"));
    let sitemap_line = robots
        .lines()
        .find(|l| l.starts_with("Sitemap: "))
        .expect("a Sitemap line");
    assert!(sitemap_line.starts_with("Sitemap: http") && sitemap_line.ends_with("/sitemap.xml"));
}
