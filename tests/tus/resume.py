#!/usr/bin/env python3
"""A real tus client (tuspy) against khlang's /files/tus/.

Uploads a generated ~20 MB MP4-looking video in 1 MB chunks, stops after a few chunks,
drops the connection halfway through the next one (as a phone losing its signal would),
then resumes with a brand-new client that finds the upload URL in its stored state, and
finally checks that the server's HEAD offset equals the length.

Environment:
  KHLANG_URL      base address of a running khlang, e.g. http://127.0.0.1:8080
  KHLANG_TOKEN    an API token of someone who may edit the item
  KHLANG_ITEM_ID  the knowledge item the video is attached to

Needs `pip install tuspy`. Exits non-zero with a message on any mismatch.
"""

import http.client
import os
import sys
import tempfile
import urllib.parse

import requests
from tusclient import client as tus_client
from tusclient.storage import filestorage

MIB = 1 << 20
SIZE = 20 * MIB
CHUNK = MIB
FIRST_CHUNKS = 7
FILENAME = "สาธิตการล้างมือ 7 ขั้นตอน.mp4"


def video_bytes() -> bytes:
    """An ISO-BMFF 'ftyp mp42' box, then varied filler (so a lost or repeated chunk shows)."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    filler = bytes((i * 131 + 7) % 251 for i in range(65_521))
    data = head + filler * (SIZE // len(filler) + 1)
    return data[:SIZE]


def check(ok: bool, message: str) -> None:
    if not ok:
        print(f"FAIL: {message}", file=sys.stderr)
        sys.exit(1)


def dropped_patch(url: str, token: str, offset: int, chunk: bytes, sent: int) -> None:
    """A PATCH that announces the whole chunk but loses the connection after `sent` bytes."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.putrequest("PATCH", parts.path)
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("Tus-Resumable", "1.0.0")
    conn.putheader("Content-Type", "application/offset+octet-stream")
    conn.putheader("Upload-Offset", str(offset))
    conn.putheader("Content-Length", str(len(chunk)))
    conn.endheaders()
    conn.send(chunk[:sent])
    conn.close()


def head(url: str, token: str) -> requests.Response:
    return requests.head(
        url,
        headers={"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"},
        timeout=60,
    )


def main() -> None:
    base = os.environ["KHLANG_URL"].rstrip("/")
    token = os.environ["KHLANG_TOKEN"]
    item = os.environ["KHLANG_ITEM_ID"]
    endpoint = f"{base}/files/tus/"
    auth = {"Authorization": f"Bearer {token}"}
    metadata = {"filename": FILENAME, "item_id": item}
    data = video_bytes()

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "video.mp4")
        with open(path, "wb") as f:
            f.write(data)
        # Where a client keeps upload URLs between runs (an app would use its own storage).
        state = os.path.join(tmp, "tus-urls.json")

        # 1. The first client: a few chunks, then the connection dies mid-chunk.
        first = tus_client.TusClient(endpoint, headers=auth).uploader(
            file_path=path,
            chunk_size=CHUNK,
            metadata=metadata,
            store_url=True,
            url_storage=filestorage.FileStorage(state),
        )
        first.upload(stop_at=FIRST_CHUNKS * CHUNK)
        url = first.url
        check(first.offset == FIRST_CHUNKS * CHUNK, f"first client stopped at {first.offset}")
        print(f"created {url}, sent {first.offset} bytes in {FIRST_CHUNKS} chunks")
        half = CHUNK // 2
        at = first.offset
        dropped_patch(url, token, at, data[at : at + CHUNK], half)
        print(f"connection dropped after {half} more bytes")
        del first

        # 2. A brand-new client finds the URL in the stored state and asks where to go on.
        second = tus_client.TusClient(endpoint, headers=auth).uploader(
            file_path=path,
            chunk_size=CHUNK,
            metadata=metadata,
            store_url=True,
            url_storage=filestorage.FileStorage(state),
        )
        check(second.url == url, f"resumed a different upload: {second.url} != {url}")
        check(
            second.offset == at + half,
            f"server kept {second.offset} bytes, expected {at + half} (the half chunk counts)",
        )
        print(f"resuming from {second.offset}")
        second.upload()
        check(second.offset == SIZE, f"second client ended at {second.offset}")
        file_id = second.request.response_headers.get("khlang-file-id")
        check(bool(file_id), "the completing PATCH carries Khlang-File-Id")

    # 3. The server agrees: every byte is in.
    res = head(url, token)
    check(res.status_code == 200, f"HEAD {url}: {res.status_code}")
    offset = int(res.headers["Upload-Offset"])
    length = int(res.headers["Upload-Length"])
    check(offset == length == SIZE, f"HEAD says offset {offset}, length {length}")
    print(f"done: {offset} of {length} bytes, file {file_id}")


if __name__ == "__main__":
    main()
