#!/usr/bin/env bash
# OAI-PMH harvest test (issue 15): starts `khlang serve` (debug build) on a free port with a
# fresh data directory and the demo items, makes an author and a reviewer with the CLI, and
# runs harvest.py: it publishes OAI_ITEMS (250) more items through the JSON API, harvests
# the whole repository with sickle (PyPI) and validates every answer against the OAI-PMH and
# oai_dc schemas in tests/oai/schemas with lxml.
#
# Needs: the khlang binary (cargo build -p khlang), a Python with sickle and lxml
# (OAI_PYTHON, default python3). Knobs: CARGO_TARGET_DIR, OAI_ITEMS (250),
# OAI_DATABASE_URL (default: SQLite in the data directory; postgres://… works too).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="${KHLANG_BIN:-$TARGET_DIR/debug/khlang}"
PYTHON="${OAI_PYTHON:-python3}"
ITEMS="${OAI_ITEMS:-250}"

say() { printf -- '--- oai: %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }
die() { printf 'oai: %s\n' "$1" >&2; exit 1; }

[ -x "$BIN" ] || die "no binary at $BIN (cargo build -p khlang)"
"$PYTHON" -c 'import sickle, lxml' 2>/dev/null || die "$PYTHON lacks sickle or lxml (pip install sickle lxml)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/khlang-oai.XXXXXX")"
SERVER_PID=""
cleanup() {
  local status=$?
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -s "$WORK/server.log" ]; then
    echo "--- oai: last lines of server.log"
    tail -n 40 "$WORK/server.log" || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Nothing of the developer's configuration applies: the server runs from the temporary
# directory with only what is set here.
unset KHLANG_CONFIG KHLANG_STORAGE_URL KHLANG_PUBLIC_BASE_URL KHLANG_UPLOAD_LIMIT KHLANG_CLOCK_OFFSET_FILE
export KHLANG_DATABASE_URL="${OAI_DATABASE_URL:-}"
export KHLANG_DATA_DIR="$WORK/data"
PORT="$("$PYTHON" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')"
export KHLANG_LISTEN="127.0.0.1:$PORT"
BASE="http://127.0.0.1:$PORT"
export KHLANG_SITE_NAME="คลังความรู้ (ทดสอบ OAI-PMH)"
export KHLANG_ADMIN_EMAIL="km@example.go.th"
export KHLANG_OAI_REPOSITORY_ID="km.example.go.th"
cd "$WORK"

say "people and demo items (CLI)"
secret() { head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
PW="$(secret)"
echo "$PW" | "$BIN" user create oai_author --admin --password-stdin --display-name 'ผู้เขียน ทดสอบ' 2>"$WORK/author.txt" || { cat "$WORK/author.txt"; die "user create failed"; }
echo "$PW" | "$BIN" user create oai_reviewer --admin --password-stdin --display-name 'ผู้กลั่นกรอง ทดสอบ' 2>"$WORK/reviewer.txt" || { cat "$WORK/reviewer.txt"; die "user create failed"; }
"$BIN" demo 2>"$WORK/demo.txt" || { cat "$WORK/demo.txt"; die "khlang demo failed"; }
cat "$WORK/demo.txt"
AUTHOR_TOKEN="$("$BIN" user token create oai_author)"
REVIEWER_TOKEN="$("$BIN" user token create oai_reviewer)"

say "server on $BASE"
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 150); do
  curl -sf -o /dev/null --max-time 2 "$BASE/readyz" && break
  kill -0 "$SERVER_PID" 2>/dev/null || die "server stopped at start"
  sleep 0.2
done
curl -sf -o /dev/null --max-time 2 "$BASE/readyz" || die "server did not become ready in 30 s"

say "harvest ($ITEMS items) with sickle, validated with lxml"
"$PYTHON" "$HERE/harvest.py" --base "$BASE" --author-token "$AUTHOR_TOKEN" \
  --reviewer-token "$REVIEWER_TOKEN" --items "$ITEMS" --repository-id "$KHLANG_OAI_REPOSITORY_ID"
say "done"
