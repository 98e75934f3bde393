#!/usr/bin/env python3
"""Harvests khlang's OAI-PMH repository with a real harvester and checks what it got.

1. Through the JSON API (/api/v1) it publishes N public items (one author, another person
   approves), one unit-only item and one draft (neither may be harvested), and archives one of
   the N (it must come back as a deleted record). One of them is the "known record" whose
   Dublin Core is checked field by field.
2. It asks the JSON API how many items an anonymous reader sees published: the harvest must
   hold exactly that many live records, plus one deleted record.
3. With sickle (PyPI) it harvests ListRecords over every page (by GET and again by POST),
   ListIdentifiers, ListSets and one set, GetRecord of the known record; every answer page,
   and a few protocol errors, are validated against the OAI-PMH and oai_dc XML schemas in
   tests/oai/schemas (lxml, no network: the schemas' URLs resolve to those files).

Prints one line per check and "N passed, 0 failed" at the end; exits non-zero on a failure.
"""

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from lxml import etree
from sickle import Sickle
from sickle.iterator import OAIResponseIterator
from sickle import oaiexceptions

SCHEMAS = Path(__file__).resolve().parent / "schemas"
OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
NS = {"oai": OAI, "dc": "http://purl.org/dc/elements/1.1/", "oai_dc": OAI_DC}

KNOWN_TITLE = "คู่มือการถอดบทเรียน อสม. <ฉบับทดสอบ> & ชุมชน"
KNOWN_AUTHORS = ["นางสมศรี ใจดี", "นายวิชัย กล้าหาญ"]
KNOWN_RIGHTS = [
    "CC BY-SA 4.0 — อ้างอิงที่มาและเผยแพร่ต่อด้วยสัญญาอนุญาตเดียวกัน",
    "https://creativecommons.org/licenses/by-sa/4.0/",
]

passed = 0


def check(ok, what):
    global passed
    if not ok:
        print(f"FAIL: {what}", flush=True)
        print(f"{passed} passed, 1 failed")
        sys.exit(1)
    passed += 1
    print(f"ok: {what}", flush=True)


class LocalSchemas(etree.Resolver):
    """Every schemaLocation (http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd, …/oai_dc.xsd,
    http://dublincore.org/…/simpledc20021212.xsd, http://www.w3.org/2001/03/xml.xsd) is read
    from tests/oai/schemas by its file name; nothing is fetched."""

    def resolve(self, url, pubid, context):
        name = url.rsplit("/", 1)[-1]
        path = SCHEMAS / name
        if path.is_file():
            return self.resolve_filename(str(path), context)
        raise RuntimeError(f"schema {url} is not in {SCHEMAS}")


def load_schema():
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(LocalSchemas())
    driver = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <xs:import namespace="{OAI}" schemaLocation="http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"/>
      <xs:import namespace="{OAI_DC}" schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc.xsd"/>
    </xs:schema>"""
    doc = etree.fromstring(driver.encode(), parser, base_url=str(SCHEMAS) + "/")
    return etree.XMLSchema(doc)


SCHEMA = None
validated = 0


def validate(raw, what):
    """raw: the bytes of one answer."""
    global validated
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    doc = etree.fromstring(raw, etree.XMLParser(no_network=True, resolve_entities=False))
    if not SCHEMA.validate(doc):
        print(raw.decode("utf-8", "replace")[:3000])
        check(False, f"{what} is valid against the schemas: {SCHEMA.error_log}")
    validated += 1
    return doc


def http(base, method, path, token=None, body=None, form=None):
    headers = {"Accept": "application/json"}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, res.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def api(base, method, path, token=None, body=None):
    status, raw = http(base, method, "/api/v1" + path, token, body)
    if status >= 300:
        check(False, f"{method} {path} answered {status}: {raw[:500]!r}")
    return json.loads(raw) if raw else {}


def populate(base, author, reviewer, n):
    units = api(base, "GET", "/units", author)
    units = units.get("units", units) if isinstance(units, dict) else units
    unit = next(u for u in units if not u.get("retired"))

    def item(title, visibility="public", **extra):
        body = {
            "title": title,
            "summary": f"บทคัดย่อ: {title}",
            "knowledge_type": "tacit",
            "unit_id": unit["id"],
            "visibility": visibility,
            "authors": ["ผู้เขียน ทดสอบ"],
            "tags": ["OAI-PMH"],
        }
        body.update(extra)
        return api(base, "POST", "/items", author, body)["id"]

    def publish(item_id):
        api(base, "POST", f"/items/{item_id}/submit", author)
        api(base, "POST", f"/items/{item_id}/review", reviewer, {"decision": "approve"})

    ids = []
    known = item(
        KNOWN_TITLE,
        authors=KNOWN_AUTHORS,
        licence="CC-BY-SA-4.0",
        summary="สรุปย่อสำหรับตรวจสอบ Dublin Core",
    )
    publish(known)
    ids.append(known)
    for i in range(n - 1):
        item_id = item(f"องค์ความรู้ทดสอบการเก็บเกี่ยว ลำดับที่ {i + 1}")
        publish(item_id)
        ids.append(item_id)
    hidden = item("เฉพาะหน่วยงาน ห้ามเก็บเกี่ยว", visibility="unit")
    publish(hidden)
    draft = item("ฉบับร่าง ห้ามเก็บเกี่ยว")
    archived = ids[-1]
    api(base, "POST", f"/items/{archived}/archive", author)
    check(True, f"published {n} public items, archived #{archived}, unit-only #{hidden}, draft #{draft}")
    return unit, known, archived, {hidden, draft}


def main():
    global SCHEMA
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True, help="khlang's address, e.g. http://127.0.0.1:8080")
    p.add_argument("--author-token", required=True)
    p.add_argument("--reviewer-token", required=True)
    p.add_argument("--items", type=int, default=250)
    p.add_argument("--repository-id", required=True)
    a = p.parse_args()
    base = a.base.rstrip("/")
    endpoint = base + "/oai"
    SCHEMA = load_schema()
    check(True, "the OAI-PMH and oai_dc schemas load from tests/oai/schemas")

    unit, known, archived, never = populate(base, a.author_token, a.reviewer_token, a.items)
    expected_live = api(base, "GET", "/items?per_page=1")["total"]
    check(expected_live >= a.items - 1, f"the JSON API shows {expected_live} public published items")
    oai_id = lambda n: f"oai:{a.repository_id}:item/{n}"

    harvester = Sickle(endpoint, max_retries=0, timeout=60)
    pages = Sickle(endpoint, iterator=OAIResponseIterator, max_retries=0, timeout=60)
    pages_post = Sickle(endpoint, iterator=OAIResponseIterator, http_method="POST", max_retries=0, timeout=60)

    # Identify
    ident = harvester.Identify()
    validate(harvester.harvest(verb="Identify").raw, "Identify")
    check(ident.protocolVersion == "2.0", "Identify: protocolVersion 2.0")
    check(ident.deletedRecord == "transient", "Identify: deletedRecord transient")
    check(ident.granularity == "YYYY-MM-DDThh:mm:ssZ", "Identify: second granularity")
    check(ident.baseURL == endpoint, f"Identify: baseURL {ident.baseURL}")

    # ListMetadataFormats, with and without identifier
    for args in ({}, {"identifier": oai_id(known)}):
        resp = next(iter(pages.ListMetadataFormats(**args)))
        doc = validate(resp.raw, f"ListMetadataFormats {args}")
        prefixes = doc.xpath("//oai:metadataPrefix/text()", namespaces=NS)
        check(prefixes == ["oai_dc"], f"ListMetadataFormats {args}: oai_dc")

    # ListRecords over every page, by GET and by POST, each page valid
    for method, client in (("GET", pages), ("POST", pages_post)):
        headers, cursors, n_pages = [], [], 0
        for resp in client.ListRecords(metadataPrefix="oai_dc"):
            doc = validate(resp.raw, f"ListRecords page {n_pages + 1} ({method})")
            n_pages += 1
            headers += doc.xpath("//oai:record/oai:header", namespaces=NS)
            tok = doc.xpath("//oai:resumptionToken", namespaces=NS)
            if tok:
                cursors.append((int(tok[0].get("cursor")), int(tok[0].get("completeListSize"))))
        ids = [h.findtext(f"{{{OAI}}}identifier") for h in headers]
        deleted = [h for h in headers if h.get("status") == "deleted"]
        check(len(ids) == len(set(ids)), f"ListRecords ({method}): {len(ids)} records, no duplicates")
        check(len(ids) - len(deleted) == expected_live, f"ListRecords ({method}): {len(ids) - len(deleted)} live records = the API's {expected_live}")
        check([h.findtext(f"{{{OAI}}}identifier") for h in deleted] == [oai_id(archived)], f"ListRecords ({method}): the archived item is the one deleted record")
        want_pages = -(-len(ids) // 100)
        check(n_pages == want_pages and n_pages >= 2, f"ListRecords ({method}): {n_pages} pages of at most 100")
        check(all(size == len(ids) for _, size in cursors) and [c for c, _ in cursors] == [100 * i for i in range(len(cursors))],
              f"ListRecords ({method}): completeListSize {len(ids)} and cursors {[c for c, _ in cursors]}")
        check(not any(oai_id(n) in ids for n in never), f"ListRecords ({method}): no unit-only item, no draft")

    # The same through sickle's record iterator (what a harvester keeps)
    records = list(harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=True))
    check(len(records) == expected_live, f"sickle keeps {len(records)} live records")
    titles = [r.metadata.get("title", [None])[0] for r in records]
    check(all(titles), "every live record has a dc:title")

    # ListIdentifiers
    idents = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False))
    for i, resp in enumerate(pages.ListIdentifiers(metadataPrefix="oai_dc")):
        validate(resp.raw, f"ListIdentifiers page {i + 1}")
    check(len(idents) == expected_live + 1, f"ListIdentifiers: {len(idents)} headers (live + 1 deleted)")
    check(sum(1 for h in idents if h.deleted) == 1, "ListIdentifiers: one deleted header")

    # ListSets, and a set harvest
    sets = list(harvester.ListSets())
    for resp in pages.ListSets():
        validate(resp.raw, "ListSets")
    specs = {s.setSpec: s.setName for s in sets}
    check("type:innovation" in specs, f"ListSets: {len(specs)} sets with type:innovation")
    unit_spec = next((s for s in specs if s.startswith("unit:") and s.endswith(":" + unit["code"])), None)
    check(unit_spec is not None and specs[unit_spec] == unit["name_th"], f"ListSets: {unit_spec} named {specs.get(unit_spec)}")
    in_set = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", set=unit_spec, ignore_deleted=True))
    check(len(in_set) >= a.items - 1, f"ListIdentifiers set={unit_spec}: {len(in_set)} records")

    # GetRecord of the known record
    validate(pages.GetRecord(identifier=oai_id(known), metadataPrefix="oai_dc").raw, "GetRecord")
    rec = harvester.GetRecord(identifier=oai_id(known), metadataPrefix="oai_dc")
    md = rec.metadata
    check(md.get("title") == [KNOWN_TITLE], f"GetRecord: dc:title {md.get('title')}")
    check(md.get("creator") == KNOWN_AUTHORS, f"GetRecord: dc:creator {md.get('creator')}")
    check(md.get("rights") == KNOWN_RIGHTS, f"GetRecord: dc:rights {md.get('rights')}")
    check(md.get("language") == ["th"], "GetRecord: dc:language th")
    check(md.get("identifier") == [f"{base}/items/{known}"], f"GetRecord: dc:identifier {md.get('identifier')}")
    check(md.get("publisher") == [unit["name_th"]], f"GetRecord: dc:publisher {md.get('publisher')}")
    check(md.get("description") == ["สรุปย่อสำหรับตรวจสอบ Dublin Core"], "GetRecord: dc:description")

    # Protocol errors: valid answers with the right code, and sickle raises the right exception
    for query, code in [
        ({"verb": "Nope"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01", "until": "2024-02-01T00:00:00Z"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "forged"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": oai_id(next(iter(never)))}, "idDoesNotExist"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"}, "noRecordsMatch"),
    ]:
        status, raw = http(base, "GET", "/oai?" + urllib.parse.urlencode(query))
        doc = validate(raw, f"error {code}")
        codes = doc.xpath("//oai:error/@code", namespaces=NS)
        check(status == 200 and codes == [code], f"{query}: HTTP {status}, {codes}")
    try:
        list(harvester.ListRecords(metadataPrefix="oai_dc", **{"from": "2999-01-01"}))
        check(False, "sickle raises NoRecordsMatch")
    except oaiexceptions.NoRecordsMatch:
        check(True, "sickle raises NoRecordsMatch")

    print(f"validated {validated} answers against the schemas")
    print(f"{passed} passed, 0 failed")


if __name__ == "__main__":
    main()
