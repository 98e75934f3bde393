//! `/oai`: the OAI-PMH 2.0 endpoint. The handler reads the arguments (query string, or a
//! `application/x-www-form-urlencoded` body for POST), asks the core, and writes the XML
//! here; protocol errors are HTTP 200 with `<error>` elements, as the protocol says.

use crate::AppState;
use crate::error::WebError;
use crate::view::xml_text as esc;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use khlang_core::oai::{DublinCore, Header, OaiAnswer, OaiArgs, OaiReply, Record, RecordList};
use std::fmt::Write;

pub fn routes() -> Router<AppState> {
    Router::new().route("/oai", get(by_get).post(by_post))
}

fn args(raw: &[u8]) -> OaiArgs {
    OaiArgs(
        form_urlencoded::parse(raw)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    )
}

/// Names the site when no public base URL is configured (see `OaiSettings::for_host`).
fn host(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::HOST).and_then(|v| v.to_str().ok())
}

async fn by_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, WebError> {
    let reply = state
        .core
        .oai(&args(q.unwrap_or_default().as_bytes()), host(&headers))
        .await?;
    Ok(xml_response(&reply))
}

async fn by_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form {
        return Err(WebError::BadRequest(
            "OAI-PMH ด้วย POST ต้องส่งแบบ application/x-www-form-urlencoded".into(),
        ));
    }
    let reply = state.core.oai(&args(&body), host(&headers)).await?;
    Ok(xml_response(&reply))
}

fn xml_response(reply: &OaiReply) -> Response {
    let mut res = write(reply).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    res
}

fn element(out: &mut String, name: &str, text: &str) {
    let _ = write!(out, "<{name}>{}</{name}>", esc(text));
}

const ENVELOPE: &str = r#"<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">"#;

fn write(reply: &OaiReply) -> String {
    let mut out = String::with_capacity(8192);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(ENVELOPE);
    element(&mut out, "responseDate", &reply.response_date);
    out.push_str("<request");
    for (k, v) in &reply.echo {
        let _ = write!(out, " {}=\"{}\"", esc(k), esc(v));
    }
    let _ = write!(out, ">{}</request>", esc(&reply.base_url));
    match &reply.answer {
        Err(errors) => {
            for e in errors {
                let _ = write!(
                    out,
                    "<error code=\"{}\">{}</error>",
                    e.code.as_str(),
                    esc(&e.message)
                );
            }
        }
        Ok(answer) => write_answer(&mut out, answer),
    }
    out.push_str("</OAI-PMH>\n");
    out
}

fn write_answer(out: &mut String, answer: &OaiAnswer) {
    match answer {
        OaiAnswer::Identify {
            repository_name,
            base_url,
            earliest_datestamp,
            admin_email,
            deleted_record,
            granularity,
        } => {
            out.push_str("<Identify>");
            element(out, "repositoryName", repository_name);
            element(out, "baseURL", base_url);
            element(out, "protocolVersion", "2.0");
            element(out, "adminEmail", admin_email);
            element(out, "earliestDatestamp", earliest_datestamp);
            element(out, "deletedRecord", deleted_record);
            element(out, "granularity", granularity);
            out.push_str("</Identify>");
        }
        OaiAnswer::MetadataFormats(formats) => {
            out.push_str("<ListMetadataFormats>");
            for (prefix, schema, namespace) in formats {
                out.push_str("<metadataFormat>");
                element(out, "metadataPrefix", prefix);
                element(out, "schema", schema);
                element(out, "metadataNamespace", namespace);
                out.push_str("</metadataFormat>");
            }
            out.push_str("</ListMetadataFormats>");
        }
        OaiAnswer::Sets(sets) => {
            out.push_str("<ListSets>");
            for s in sets {
                out.push_str("<set>");
                element(out, "setSpec", &s.spec);
                element(out, "setName", &s.name);
                out.push_str("</set>");
            }
            out.push_str("</ListSets>");
        }
        OaiAnswer::Identifiers(list) => {
            out.push_str("<ListIdentifiers>");
            for r in &list.records {
                write_header(out, &r.header);
            }
            write_token(out, list);
            out.push_str("</ListIdentifiers>");
        }
        OaiAnswer::Records(list) => {
            out.push_str("<ListRecords>");
            for r in &list.records {
                write_record(out, r);
            }
            write_token(out, list);
            out.push_str("</ListRecords>");
        }
        OaiAnswer::Record(r) => {
            out.push_str("<GetRecord>");
            write_record(out, r);
            out.push_str("</GetRecord>");
        }
    }
}

fn write_header(out: &mut String, h: &Header) {
    out.push_str(if h.deleted {
        "<header status=\"deleted\">"
    } else {
        "<header>"
    });
    element(out, "identifier", &h.identifier);
    element(out, "datestamp", &h.datestamp);
    for s in &h.set_specs {
        element(out, "setSpec", s);
    }
    out.push_str("</header>");
}

fn write_record(out: &mut String, r: &Record) {
    out.push_str("<record>");
    write_header(out, &r.header);
    if let Some(dc) = &r.metadata {
        out.push_str("<metadata>");
        write_dc(out, dc);
        out.push_str("</metadata>");
    }
    out.push_str("</record>");
}

fn write_dc(out: &mut String, dc: &DublinCore) {
    out.push_str(r#"<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">"#);
    element(out, "dc:title", &dc.title);
    for c in &dc.creators {
        element(out, "dc:creator", c);
    }
    for s in &dc.subjects {
        element(out, "dc:subject", s);
    }
    if let Some(d) = &dc.description {
        element(out, "dc:description", d);
    }
    if let Some(p) = &dc.publisher {
        element(out, "dc:publisher", p);
    }
    if let Some(d) = &dc.date {
        element(out, "dc:date", d);
    }
    for t in &dc.types {
        element(out, "dc:type", t);
    }
    for f in &dc.formats {
        element(out, "dc:format", f);
    }
    for i in &dc.identifiers {
        element(out, "dc:identifier", i);
    }
    element(out, "dc:language", &dc.language);
    for r in &dc.rights {
        element(out, "dc:rights", r);
    }
    out.push_str("</oai_dc:dc>");
}

fn write_token(out: &mut String, list: &RecordList) {
    if let Some(t) = &list.token {
        let _ = write!(
            out,
            "<resumptionToken completeListSize=\"{}\" cursor=\"{}\">{}</resumptionToken>",
            t.complete_list_size,
            t.cursor,
            esc(&t.value)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn text_is_escaped_and_stripped_of_what_xml_cannot_carry() {
        assert_eq!(
            esc("<a href=\"x\">ก & ข's</a>\u{1}\u{FFFF}\tok"),
            "&lt;a href=&quot;x&quot;&gt;ก &amp; ข&apos;s&lt;/a&gt;\tok"
        );
    }
}
