#!/usr/bin/env bash
# End-to-end test in a real browser (Debian's chromium driven by playwright-core):
# a contributor submits an item with a PDF and a 200 MB video through the wizard, a reviewer
# asks for changes, the contributor resubmits, the reviewer approves, and an anonymous visitor
# finds the item on the home page, opens it and reads the video by Range.
#
# Starts `khlang serve` (debug build) on a free port with a fresh data directory, creates the
# people with the CLI and grants their roles through the JSON API, makes the test files in the
# temporary directory, runs flow.mjs, and samples the server's RSS every 200 ms meanwhile.
# The server's peak RSS must stay under E2E_RSS_LIMIT_MB (100) while the video streams in.
#
# Needs: cargo, node + `npm ci --prefix tests/e2e`, /usr/bin/chromium (apt-get install chromium).
# Knobs: CARGO_TARGET_DIR, CHROMIUM, E2E_SHOTS (screenshots, kept), E2E_VIDEO_MB (200),
#        E2E_RSS_LIMIT_MB (100), E2E_TIMEOUT (seconds for the browser flow, 900), E2E_SKIP_BUILD=1.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET_DIR/debug/khlang"
VIDEO_MB="${E2E_VIDEO_MB:-200}"
RSS_LIMIT_MB="${E2E_RSS_LIMIT_MB:-100}"
FLOW_TIMEOUT="${E2E_TIMEOUT:-900}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export E2E_SHOTS="${E2E_SHOTS:-${TMPDIR:-/tmp}/khlang-e2e-shots}"

say() { printf -- '--- e2e: %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }
die() { printf 'e2e: %s\n' "$1" >&2; exit 1; }

[ -x "$CHROMIUM" ] || die "no browser at $CHROMIUM (apt-get install chromium)"
[ -f "$HERE/node_modules/playwright-core/package.json" ] || die "playwright-core missing: npm ci --prefix tests/e2e"

if [ -z "${E2E_SKIP_BUILD:-}" ]; then
  say "build"
  (cd "$ROOT" && cargo build -p khlang --locked)
fi
[ -x "$BIN" ] || die "no binary at $BIN"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/khlang-e2e.XXXXXX")"
SERVER_PID=""
SAMPLER_PID=""
stop_server() {
  if [ -n "$SAMPLER_PID" ]; then kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""; fi
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
cleanup() {
  local status=$?
  stop_server
  if [ "$status" -ne 0 ] && [ -s "$WORK/server.log" ]; then
    echo "--- e2e: last lines of the server log"
    tail -n 40 "$WORK/server.log" || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The server runs from the temporary directory, so that no khlang.toml of the developer's
# applies, and with nothing but its data directory and address configured.
unset KHLANG_CONFIG KHLANG_DATABASE_URL KHLANG_STORAGE_URL KHLANG_PUBLIC_BASE_URL KHLANG_UPLOAD_LIMIT
export KHLANG_DATA_DIR="$WORK/data"
PORT="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
export KHLANG_LISTEN="127.0.0.1:$PORT"
BASE="http://127.0.0.1:$PORT"
cd "$WORK"

secret() { head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
# json EXPR: evaluates EXPR with `d` bound to the JSON read from stdin, prints the result.
json() { node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{const d=JSON.parse(s);const v=('"$1"');if(v===undefined||v===null)process.exit(1);console.log(v)})'; }

say "people (CLI)"
ADMIN_PW="$(secret)"; CONTRIB_PW="$(secret)"; REVIEWER_PW="$(secret)"
user_id() { sed -n 's/^created user .* (id \([0-9][0-9]*\)).*$/\1/p' "$1"; }
echo "$ADMIN_PW" | "$BIN" user create e2e_admin --admin --password-stdin --display-name 'ผู้ดูแล ทดสอบ' 2>"$WORK/admin.txt" || { cat "$WORK/admin.txt"; die "user create admin failed"; }
echo "$CONTRIB_PW" | "$BIN" user create somsri --password-stdin --display-name 'สมศรี ใจดี' 2>"$WORK/contrib.txt" || { cat "$WORK/contrib.txt"; die "user create contributor failed"; }
echo "$REVIEWER_PW" | "$BIN" user create wichai --password-stdin --display-name 'วิชัย กลั่นกรอง' 2>"$WORK/reviewer.txt" || { cat "$WORK/reviewer.txt"; die "user create reviewer failed"; }
CONTRIB_ID="$(user_id "$WORK/contrib.txt")"; REVIEWER_ID="$(user_id "$WORK/reviewer.txt")"
[ -n "$CONTRIB_ID" ] && [ -n "$REVIEWER_ID" ] || die "could not read the new users' ids: $(cat "$WORK"/*.txt)"
TOKEN="$("$BIN" user token create e2e_admin)"

say "server on $BASE"
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 150); do
  curl -sf -o /dev/null --max-time 2 "$BASE/readyz" && break
  kill -0 "$SERVER_PID" 2>/dev/null || die "the server stopped at start: $(tail -n 20 "$WORK/server.log")"
  sleep 0.2
done
curl -sf -o /dev/null --max-time 2 "$BASE/readyz" || die "the server did not become ready in 30 s"

# The server's memory every 200 ms: "<epoch ms> <VmHWM> <VmRSS> <RssAnon> <RssFile>" (kB).
(
  while [ -r "/proc/$SERVER_PID/status" ]; do
    m="$(awk '$1 ~ /^(VmHWM|VmRSS|RssAnon|RssFile):$/ {v[$1] = $2}
      END { if (v["VmRSS:"] != "") print v["VmHWM:"], v["VmRSS:"], v["RssAnon:"], v["RssFile:"] }' \
      "/proc/$SERVER_PID/status" 2>/dev/null || true)"
    [ -n "$m" ] && echo "$(( ${EPOCHREALTIME/./} / 1000 )) $m"
    sleep 0.2
  done
) >"$WORK/rss.txt" 2>/dev/null &
SAMPLER_PID=$!

say "roles (JSON API)"
api() { curl -sS --fail-with-body --max-time 10 -H "Authorization: Bearer $TOKEN" "$@"; }
UNITS="$(api "$BASE/api/v1/units")"
DISTRICT_ID="$(echo "$UNITS" | json 'd.find(u => u.code === "CDD-P-24-D01")?.id')" || die "no unit CDD-P-24-D01"
PROVINCE_ID="$(echo "$UNITS" | json 'd.find(u => u.code === "CDD-P-24")?.id')" || die "no unit CDD-P-24"
api -H 'Content-Type: application/json' -d "{\"role\":\"contributor\",\"unit_id\":$DISTRICT_ID}" \
  "$BASE/api/v1/users/$CONTRIB_ID/grants" >/dev/null
api -H 'Content-Type: application/json' -d "{\"role\":\"reviewer\",\"unit_id\":$PROVINCE_ID}" \
  "$BASE/api/v1/users/$REVIEWER_ID/grants" >/dev/null
echo "contributor somsri on CDD-P-24-D01 (unit $DISTRICT_ID), reviewer wichai on CDD-P-24 (unit $PROVINCE_ID)"

say "test files (${VIDEO_MB} MiB video)"
mkdir -p "$WORK/in"
PDF="$WORK/in/คู่มือการดูแลผู้สูงอายุ.pdf"
VIDEO="$WORK/in/วิดีโอสาธิตการดูแล.mp4"
node - "$PDF" <<'EOF'
// A small valid one-page PDF with a correct cross-reference table.
const fs = require("fs");
const text = "khlang end-to-end test document";
const stream = `BT /F1 24 Tf 72 760 Td (${text}) Tj ET`;
const objects = [
  "<< /Type /Catalog /Pages 2 0 R >>",
  "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
  "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
  "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
];
let out = "%PDF-1.4\n";
const offsets = objects.map((o, i) => { const at = out.length; out += `${i + 1} 0 obj\n${o}\nendobj\n`; return at; });
const xref = out.length;
out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
for (const o of offsets) out += `${String(o).padStart(10, "0")} 00000 n \n`;
out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
fs.writeFileSync(process.argv[2], out, "latin1");
EOF
# An MP4-looking file: an `ftyp` box (brand mp42), then zeros.
{ printf '\000\000\000\030ftypmp42'; head -c $(( VIDEO_MB * 1048576 - 12 )) /dev/zero; } >"$VIDEO"
VIDEO_SIZE="$(stat -c %s "$VIDEO")"
echo "$(basename "$PDF"): $(stat -c %s "$PDF") bytes; $(basename "$VIDEO"): $VIDEO_SIZE bytes"

say "browser flow"
mkdir -p "$E2E_SHOTS"
rm -f "$E2E_SHOTS"/*.png
set +e
E2E_BASE_URL="$BASE" \
E2E_CONTRIBUTOR=somsri E2E_CONTRIBUTOR_PASSWORD="$CONTRIB_PW" \
E2E_REVIEWER=wichai E2E_REVIEWER_PASSWORD="$REVIEWER_PW" \
E2E_PDF="$PDF" E2E_VIDEO="$VIDEO" E2E_VIDEO_SIZE="$VIDEO_SIZE" \
E2E_MARKS="$WORK/marks.txt" \
  timeout --kill-after=15 "$FLOW_TIMEOUT" node "$HERE/flow.mjs" 2>&1 | tee "$WORK/flow.out"
FLOW_STATUS=${PIPESTATUS[0]}
set -e
[ "$FLOW_STATUS" -eq 124 ] && echo "e2e: the browser flow did not finish in ${FLOW_TIMEOUT} s"

HWM_KB="$(awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)"
stop_server

say "server memory"
UP_START="$(awk '$1 == "upload-start" {print $2}' "$WORK/marks.txt" 2>/dev/null | head -n1)"
UP_END="$(awk '$1 == "upload-end" {print $2}' "$WORK/marks.txt" 2>/dev/null | tail -n1)"
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
# The upload's peak is VmHWM at the first sample after the upload ended (exact, unlike the
# 200 ms samples); it covers start-up and sign-in too, which stay well below it.
read -r SAMPLES BEFORE_KB UP_RSS_KB UP_HWM_KB ALL_RSS_KB < <(awk -v s="${UP_START:-0}" -v e="${UP_END:-0}" '
  { n++; if ($3 > all) all = $3
    if (s > 0 && $1 < s) before = $3
    if (s > 0 && $1 >= s && (e == 0 || $1 <= e) && $3 > up) up = $3
    if (e > 0 && $1 > e && hwm == 0) hwm = $2 }
  END { printf "%d %d %d %d %d\n", n, before, up, hwm, all }' "$WORK/rss.txt")
[ "$UP_HWM_KB" -gt 0 ] || UP_HWM_KB="$HWM_KB"
echo "RSS peak per step of flow.mjs (MiB): $(awk '
  FNR == NR { if ($1 == "step") { n++; at[n] = $3 } next }
  { s = 0; for (i = 1; i <= n; i++) if ($1 >= at[i]) s = i
    if ($3 > peak[s]) peak[s] = $3 }
  END { for (i = 0; i <= n; i++) if (i in peak) printf "%s%s %.1f", (i ? ", " : ""), (i ? i ":" : "start:"), peak[i] / 1024 }
' "$WORK/marks.txt" "$WORK/rss.txt" 2>/dev/null)"
cp "$WORK/rss.txt" "$WORK/marks.txt" "$E2E_SHOTS/" 2>/dev/null || true
echo "RSS before the upload: $(mib "$BEFORE_KB") MiB; $SAMPLES samples every 200 ms in $E2E_SHOTS/rss.txt"
RSS_PASS=0; RSS_FAIL=0
if [ -z "$UP_START" ] || [ -z "$UP_END" ]; then
  echo "FAIL the upload did not complete, so its memory was not measured"
  RSS_FAIL=1
else
  echo "server peak RSS while the ${VIDEO_MB} MiB upload streamed: $(mib "$UP_HWM_KB") MiB (VmHWM; sampled VmRSS peak $(mib "$UP_RSS_KB") MiB)"
  if [ "$UP_HWM_KB" -lt $(( RSS_LIMIT_MB * 1024 )) ]; then
    echo "ok   under the ${RSS_LIMIT_MB} MiB target"
    RSS_PASS=1
  else
    echo "FAIL over the ${RSS_LIMIT_MB} MiB target"
    RSS_FAIL=1
  fi
fi
echo "server peak RSS over the whole run (downloads included): $(mib "$HWM_KB") MiB (VmHWM; sampled $(mib "$ALL_RSS_KB") MiB)"

LAST="$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$WORK/flow.out" | tail -n1 || true)"
FLOW_PASS="$(echo "$LAST" | sed -n 's/^\([0-9]*\) passed.*/\1/p')"
FLOW_FAIL="$(echo "$LAST" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p')"
[ -n "$FLOW_FAIL" ] || FLOW_FAIL=1
[ "$FLOW_STATUS" -eq 0 ] || [ "$FLOW_FAIL" -gt 0 ] || FLOW_FAIL=1
echo "screenshots: $E2E_SHOTS"
echo "e2e: $(( ${FLOW_PASS:-0} + RSS_PASS )) passed, $(( FLOW_FAIL + RSS_FAIL )) failed"
[ "$FLOW_STATUS" -eq 0 ] && [ "$RSS_FAIL" -eq 0 ]
