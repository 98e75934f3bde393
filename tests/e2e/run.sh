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
# With E2E_NODES=2 it starts two `khlang serve` processes on the database and file storage
# that KHLANG_DATABASE_URL (PostgreSQL) and KHLANG_STORAGE_URL (S3) name, puts nginx in front
# of them (round robin: one request here, the next there) and runs the flow through nginx;
# then it checks that the upload's pieces reached both nodes (nginx's log) and that a unit
# renamed through one node shows on the other within the cache's time (60 s). RSS is the
# larger of the two nodes'.
#
# Needs: cargo, node + `npm ci --prefix tests/e2e`, /usr/bin/chromium (apt-get install chromium),
#        nginx for E2E_NODES=2 (apt-get install nginx).
# Then innovation.mjs (issue 10): an officer records a volunteer's innovation through the
# 7-section wizard with two photos (one with GPS EXIF), leaves at step 4 and resumes, submits;
# the reviewer approves; an anonymous visitor finds it in /innovations and /search, sees no
# address or phone, and gets photos without EXIF.
#
# Then contest.mjs (issue 11): an organiser sets up a zone round and a regional round of the
# volunteer contest, registers two volunteers; one opens her entry link on a phone without an
# account and uploads three documents (one resumed after a cut connection), and is refused
# after the deadline (the servers' clock is moved through a shared offset file, not by
# sleeping); three judges score, one is excluded by province, a tie is broken by the declared
# criterion; results are published, the winner shows in the regional round with the same
# documents, and her certificate's verification page says valid, then revoked.
#
# Then plan.mjs (issue 12): seed 003's Chachoengsao KM plan typed in on a phone (Forms 1 and 2),
# its Gantt's months, the XLSX export holding every text and imported back, the PDF, review by
# the department (returned with a comment, then approved, with a notice in the inbox), seed 003's
# district target table, an item published in a district moving the district and the province
# at once, and the executive dashboard.
#
# Then community.mjs (issue 13): a members-only community of practice; a question, two answers,
# one accepted, the thread turned into a draft item credited to both; a non-member sees none of it.
#
# Then events.mjs (issue 13): a KM สัญจร event with 2 places, three registrants (one waitlisted, then
# promoted when another cancels), check-in by QR both ways, certificates that verify, and an AAR
# written from the event, screened and found by Thai search.
#
# Then learning.mjs (issue 14): an officer builds a course of a PDF item, a video item and a
# 5-question quiz, enrols a cohort of two districts' volunteers; a volunteer goes through it,
# fails the quiz once, passes, and the certificate's QR (decoded from the page's pixels)
# verifies; the cohort report shows one of N done and the unit roll-up agrees.
#
# Knobs: E2E_FLOWS ("flow innovation contest plan community lessons events learning": which browser flows run; without "flow" there is no
#        upload and no RSS check), CARGO_TARGET_DIR, CHROMIUM, E2E_SHOTS (screenshots, kept), E2E_VIDEO_MB (200),
#        E2E_RSS_LIMIT_MB (100), E2E_TIMEOUT (seconds for the browser flow, 900), E2E_SKIP_BUILD=1,
#        E2E_NODES (1 or 2).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET_DIR/debug/khlang"
VIDEO_MB="${E2E_VIDEO_MB:-200}"
RSS_LIMIT_MB="${E2E_RSS_LIMIT_MB:-100}"
FLOW_TIMEOUT="${E2E_TIMEOUT:-900}"
NODES="${E2E_NODES:-1}"
FLOWS="${E2E_FLOWS:-flow innovation contest plan community lessons events learning}"
wants() { case " $FLOWS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export E2E_SHOTS="${E2E_SHOTS:-${TMPDIR:-/tmp}/khlang-e2e-shots}"

say() { printf -- '--- e2e: %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }
die() { printf 'e2e: %s\n' "$1" >&2; exit 1; }

[ -x "$CHROMIUM" ] || die "no browser at $CHROMIUM (apt-get install chromium)"
[ -f "$HERE/node_modules/playwright-core/package.json" ] || die "playwright-core missing: npm ci --prefix tests/e2e"
case "$NODES" in
  1) ;;
  2)
    SHARED_DB="${KHLANG_DATABASE_URL:-}"; SHARED_STORAGE="${KHLANG_STORAGE_URL:-}"
    [ -n "$SHARED_DB" ] && [ -n "$SHARED_STORAGE" ] ||
      die "E2E_NODES=2 needs KHLANG_DATABASE_URL and KHLANG_STORAGE_URL, shared by both nodes"
    NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
    [ -x "$NGINX" ] || die "E2E_NODES=2 needs nginx (apt-get install nginx)"
    ;;
  *) die "E2E_NODES must be 1 or 2" ;;
esac

if [ -z "${E2E_SKIP_BUILD:-}" ]; then
  say "build"
  # The same build as `cargo test --workspace` (same features), so CI reuses it.
  (cd "$ROOT" && cargo build --workspace --locked --tests)
fi
[ -x "$BIN" ] || die "no binary at $BIN"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/khlang-e2e.XXXXXX")"
SERVER_PIDS=()
SAMPLER_PID=""
NGINX_PID=""
stop_server() {
  if [ -n "$SAMPLER_PID" ]; then kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""; fi
  if [ -n "$NGINX_PID" ]; then kill -TERM "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=""; fi
  local pid
  for pid in "${SERVER_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  SERVER_PIDS=()
}
cleanup() {
  local status=$?
  stop_server
  local log
  for log in "$WORK"/server*.log; do
    if [ "$status" -ne 0 ] && [ -s "$log" ]; then
      echo "--- e2e: last lines of $(basename "$log")"
      tail -n 40 "$log" || true
    fi
  done
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The server runs from the temporary directory, so that no khlang.toml of the developer's
# applies, and with nothing but its data directory and address configured.
unset KHLANG_CONFIG KHLANG_DATABASE_URL KHLANG_STORAGE_URL KHLANG_PUBLIC_BASE_URL KHLANG_UPLOAD_LIMIT
export KHLANG_DATA_DIR="$WORK/data1"
# Every node reads "now" as the system clock plus the seconds in this file (contest.mjs moves
# it past a deadline); no file: no offset.
export KHLANG_CLOCK_OFFSET_FILE="$WORK/clock-offset"
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
PORT="$(free_port)"
export KHLANG_LISTEN="127.0.0.1:$PORT"
BASE="http://127.0.0.1:$PORT"
NODE_URLS=("$BASE")
if [ "$NODES" = 2 ]; then
  export KHLANG_DATABASE_URL="$SHARED_DB" KHLANG_STORAGE_URL="$SHARED_STORAGE"
  PORT2="$(free_port)"
  NODE_URLS+=("http://127.0.0.1:$PORT2")
  PROXY_PORT="$(free_port)"
  BASE="http://127.0.0.1:$PROXY_PORT"
  export KHLANG_PUBLIC_BASE_URL="$BASE"
fi
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
OFFICER_PW="$(secret)"
echo "$OFFICER_PW" | "$BIN" user create boonchu --password-stdin --display-name 'บุญชู เจ้าหน้าที่' 2>"$WORK/officer.txt" || { cat "$WORK/officer.txt"; die "user create officer failed"; }
JUDGE_PW="$(secret)"
for j in judge1 judge2 judge3; do
  echo "$JUDGE_PW" | "$BIN" user create "$j" --password-stdin --display-name "กรรมการ ${j#judge}" 2>"$WORK/$j.txt" || { cat "$WORK/$j.txt"; die "user create $j failed"; }
done
PLANNER_PW="$(secret)"
for p in prayat suda anan; do
  echo "$PLANNER_PW" | "$BIN" user create "$p" --password-stdin --display-name "$p" 2>"$WORK/$p.txt" || { cat "$WORK/$p.txt"; die "user create $p failed"; }
done
ATTENDEE_PW="$(secret)"
for p in ev_malee ev_somchai ev_wanna; do
  echo "$ATTENDEE_PW" | "$BIN" user create "$p" --password-stdin --display-name "$p" 2>"$WORK/$p.txt" || { cat "$WORK/$p.txt"; die "user create $p failed"; }
done
LEARNER_PW="$(secret)"
for p in "ln_kanya|กันยา อสม.ตำบลหน้าเมือง" "ln_somporn|สมพร อสม.ตำบลบางตีนเป็ด" "ln_wilai|วิไล อสม.บ้านโพธิ์"; do
  echo "$LEARNER_PW" | "$BIN" user create "${p%%|*}" --password-stdin --display-name "${p#*|}" 2>"$WORK/${p%%|*}.txt" || { cat "$WORK/${p%%|*}.txt"; die "user create ${p%%|*} failed"; }
done
CONTRIB_ID="$(user_id "$WORK/contrib.txt")"; REVIEWER_ID="$(user_id "$WORK/reviewer.txt")"; OFFICER_ID="$(user_id "$WORK/officer.txt")"
[ -n "$CONTRIB_ID" ] && [ -n "$REVIEWER_ID" ] || die "could not read the new users' ids: $(cat "$WORK"/*.txt)"
TOKEN="$("$BIN" user token create e2e_admin)"
REVIEWER_TOKEN="$("$BIN" user token create wichai)"

# start_node N URL: `khlang serve` number N (its own data directory) listening at URL.
start_node() {
  local n="$1" url="$2" log="$WORK/server$1.log" pid
  [ "$n" = 1 ] && log="$WORK/server.log"
  KHLANG_DATA_DIR="$WORK/data$n" KHLANG_LISTEN="${url#http://}" "$BIN" serve >"$log" 2>&1 &
  pid=$!
  SERVER_PIDS+=("$pid")
  for _ in $(seq 1 150); do
    curl -sf -o /dev/null --max-time 2 "$url/readyz" && return 0
    kill -0 "$pid" 2>/dev/null || die "server $n stopped at start: $(tail -n 20 "$log")"
    sleep 0.2
  done
  die "server $n did not become ready in 30 s"
}
for i in "${!NODE_URLS[@]}"; do
  say "server $(( i + 1 )) on ${NODE_URLS[$i]}"
  start_node "$(( i + 1 ))" "${NODE_URLS[$i]}"
done
if [ "$NODES" = 2 ]; then
  say "nginx on $BASE, round robin over both servers"
  mkdir -p "$WORK/nginx"
  # Bodies stream straight through (no buffering in nginx), as a proxy for uploads should.
  cat >"$WORK/nginx/nginx.conf" <<NGINX_CONF
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 512; }
http {
  log_format nodes '\$msec \$upstream_addr \$request_method \$uri \$status';
  access_log $WORK/nginx/access.log nodes;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  client_max_body_size 0;
  proxy_request_buffering off;
  proxy_buffering off;
  proxy_http_version 1.1;
  proxy_read_timeout 600s;
  proxy_send_timeout 600s;
  upstream khlang {
    server ${NODE_URLS[0]#http://};
    server ${NODE_URLS[1]#http://};
    keepalive 8;
  }
  server {
    listen 127.0.0.1:$PROXY_PORT;
    location / {
      proxy_pass http://khlang;
      proxy_set_header Host \$http_host;
      proxy_set_header Connection "";
    }
  }
}
NGINX_CONF
  "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' >"$WORK/nginx/stderr.log" 2>&1 &
  NGINX_PID=$!
  for _ in $(seq 1 50); do curl -sf -o /dev/null --max-time 2 "$BASE/readyz" && break; sleep 0.2; done
  curl -sf -o /dev/null --max-time 2 "$BASE/readyz" || die "nginx did not answer: $(cat "$WORK/nginx/stderr.log" "$WORK/nginx/error.log" 2>/dev/null | tail -n 20)"
fi

# The servers' memory every 200 ms: "<epoch ms> <VmHWM> <VmRSS> <RssAnon> <RssFile>" (kB),
# each the largest of the servers'.
(
  while :; do
    m="$(for pid in "${SERVER_PIDS[@]}"; do cat "/proc/$pid/status" 2>/dev/null; echo END; done | awk '
      $1 ~ /^(VmHWM|VmRSS|RssAnon|RssFile):$/ { v[$1] = $2 }
      $1 == "END" { if (v["VmRSS:"] != "") { alive = 1; for (k in v) if (v[k] > top[k]) top[k] = v[k] } delete v }
      END { if (alive) print top["VmHWM:"], top["VmRSS:"], top["RssAnon:"], top["RssFile:"] }')"
    [ -n "$m" ] || break
    echo "$(( ${EPOCHREALTIME/./} / 1000 )) $m"
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
CENTRE_ID="$(echo "$UNITS" | json 'd.find(u => u.code === "DHSS-PHC-NE")?.id')" || die "no unit DHSS-PHC-NE"
api -H 'Content-Type: application/json' -d "{\"role\":\"km_officer\",\"unit_id\":$CENTRE_ID}" \
  "$BASE/api/v1/users/$OFFICER_ID/grants" >/dev/null
api -H 'Content-Type: application/json' -d "{\"role\":\"reviewer\",\"unit_id\":$CENTRE_ID}" \
  "$BASE/api/v1/users/$REVIEWER_ID/grants" >/dev/null
echo "officer boonchu and reviewer wichai on DHSS-PHC-NE (unit $CENTRE_ID)"
ZONE7_ID="$(echo "$UNITS" | json 'd.find(u => u.code === "DHSS-HSS07")?.id')" || die "no unit DHSS-HSS07"
for j in judge1 judge2 judge3; do
  api -H 'Content-Type: application/json' -d "{\"role\":\"viewer\",\"unit_id\":$ZONE7_ID}" \
    "$BASE/api/v1/users/$(user_id "$WORK/$j.txt")/grants" >/dev/null
done
echo "judges judge1-3: viewers of DHSS-HSS07 (unit $ZONE7_ID), their unit for conflicts of interest"

CDD_ID="$(echo "$UNITS" | json 'd.find(u => u.code === "CDD")?.id')" || die "no unit CDD"
grant() { api -H 'Content-Type: application/json' -d "{\"role\":\"$2\",\"unit_id\":$3}" "$BASE/api/v1/users/$(user_id "$WORK/$1.txt")/grants" >/dev/null; }
grant prayat km_officer "$PROVINCE_ID"; grant suda km_officer "$CDD_ID"; grant anan viewer "$CDD_ID"
echo "planning: prayat KM officer of CDD-P-24, suda KM officer of CDD, anan (executive) viewer of CDD"
for p in ev_malee ev_somchai ev_wanna; do grant "$p" contributor "$CENTRE_ID"; done
echo "events: ev_malee, ev_somchai, ev_wanna contributors of DHSS-PHC-NE (their AAR's unit)"
D02_ID="$(echo "$UNITS" | json 'd.find(u => u.code === "CDD-P-24-D02")?.id')" || die "no unit CDD-P-24-D02"
grant ln_kanya contributor "$DISTRICT_ID"; grant ln_somporn contributor "$DISTRICT_ID"; grant ln_wilai contributor "$D02_ID"
echo "learning: ln_kanya, ln_somporn contributors of CDD-P-24-D01; ln_wilai of CDD-P-24-D02 (unit $D02_ID)"

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
if wants flow; then
  { printf '\000\000\000\030ftypmp42'; head -c $(( VIDEO_MB * 1048576 - 12 )) /dev/zero; } >"$VIDEO"
else
  printf '\000\000\000\030ftypmp42' >"$VIDEO"
fi
VIDEO_SIZE="$(stat -c %s "$VIDEO")"
echo "$(basename "$PDF"): $(stat -c %s "$PDF") bytes; $(basename "$VIDEO"): $VIDEO_SIZE bytes"

say "browser flow"
mkdir -p "$E2E_SHOTS"
rm -f "$E2E_SHOTS"/*.png
set +e
FLOW_STATUS=0
if wants flow; then
E2E_BASE_URL="$BASE" \
E2E_CONTRIBUTOR=somsri E2E_CONTRIBUTOR_PASSWORD="$CONTRIB_PW" \
E2E_REVIEWER=wichai E2E_REVIEWER_PASSWORD="$REVIEWER_PW" \
E2E_PDF="$PDF" E2E_VIDEO="$VIDEO" E2E_VIDEO_SIZE="$VIDEO_SIZE" \
E2E_MARKS="$WORK/marks.txt" \
  timeout --kill-after=15 "$FLOW_TIMEOUT" node "$HERE/flow.mjs" 2>&1 | tee "$WORK/flow.out"
FLOW_STATUS=${PIPESTATUS[0]}
[ "$FLOW_STATUS" -eq 124 ] && echo "e2e: the browser flow did not finish in ${FLOW_TIMEOUT} s"
fi
# The stories after the upload flow, in this order (contest and events move the shared clock):
# each gets every knob any of them reads, and its output goes to $WORK/<name>.out.
STORIES=(
  "innovation|innovation registry"
  "contest|volunteer contest"
  "plan|KM plan, targets and dashboard"
  "community|community of practice"
  "lessons|lessons learned (AAR)"
  "events|events (registration, waitlist, QR check-in, certificates, AAR)"
  "learning|learning paths (course, cohort, quiz, certificate)"
)
declare -A STATUS=()
for story in "${STORIES[@]}"; do
  name="${story%%|*}"
  wants "$name" || continue
  say "browser flow: ${story#*|}"
  E2E_BASE_URL="$BASE" E2E_CLOCK_FILE="$KHLANG_CLOCK_OFFSET_FILE" \
  E2E_OFFICER=boonchu E2E_OFFICER_PASSWORD="$OFFICER_PW" \
  E2E_REVIEWER=wichai E2E_REVIEWER_PASSWORD="$REVIEWER_PW" E2E_REVIEWER_TOKEN="$REVIEWER_TOKEN" \
  E2E_CONTRIBUTOR_PASSWORD="$CONTRIB_PW" E2E_JUDGE_PASSWORD="$JUDGE_PW" \
  E2E_PLANNER_PASSWORD="$PLANNER_PW" E2E_ATTENDEE_PASSWORD="$ATTENDEE_PW" \
  E2E_LEARNER_PASSWORD="$LEARNER_PW" E2E_TOKEN="$TOKEN" E2E_D01_ID="$DISTRICT_ID" E2E_D02_ID="$D02_ID" E2E_PROVINCE_ID="$PROVINCE_ID" E2E_PDF="$PDF" \
    timeout --kill-after=15 "$FLOW_TIMEOUT" node "$HERE/$name.mjs" 2>&1 | tee "$WORK/$name.out"
  STATUS[$name]=${PIPESTATUS[0]}
  [ "${STATUS[$name]}" -eq 124 ] && echo "e2e: the $name flow did not finish in ${FLOW_TIMEOUT} s"
done
set -e

HWM_KB="$(for pid in "${SERVER_PIDS[@]}"; do cat "/proc/$pid/status" 2>/dev/null; done | awk '/^VmHWM:/ && $2 > m {m = $2} END {print m + 0}')"

NODE_PASS=0; NODE_FAIL=0
if [ "$NODES" = 2 ]; then
  say "the upload's pieces reached both nodes"
  # PATCHes of the upload as nginx passed them on: how many each node took, and how often
  # the next piece went to the other node.
  read -r P1 P2 SWITCHES < <(awk -v a="${NODE_URLS[0]#http://}" -v b="${NODE_URLS[1]#http://}" '
    $3 == "PATCH" && $4 ~ /^\/files\/tus\// { if ($2 == a) n1++; else if ($2 == b) n2++
      if (last != "" && $2 != last) sw++; last = $2 }
    END { printf "%d %d %d\n", n1, n2, sw }' "$WORK/nginx/access.log")
  echo "PATCH pieces: $P1 on node 1, $P2 on node 2; the next piece went to the other node $SWITCHES times"
  if [ "$P1" -gt 0 ] && [ "$P2" -gt 0 ] && [ "$SWITCHES" -gt 0 ]; then
    echo "ok   one upload, its pieces on both nodes"; NODE_PASS=$(( NODE_PASS + 1 ))
  else
    echo "FAIL the pieces did not alternate between the nodes"; NODE_FAIL=$(( NODE_FAIL + 1 ))
  fi

  say "a unit renamed through node 1 shows on node 2"
  unit_name() { api "$1/api/v1/units" | json "d.find(u => u.id === $DISTRICT_ID)?.name_th"; }
  OLD_NAME="$(unit_name "${NODE_URLS[1]}")"  # node 2 now has the unit tree in memory
  NEW_NAME="สำนักงานพัฒนาชุมชนอำเภอเมืองฉะเชิงเทรา (เปลี่ยนชื่อ $(date +%H%M%S))"
  api -X PATCH -H 'Content-Type: application/json' -d "{\"name_th\":\"$NEW_NAME\"}" \
    "${NODE_URLS[0]}/api/v1/units/$DISTRICT_ID" >/dev/null
  RENAMED_AT="$(( ${EPOCHREALTIME/./} / 1000 ))"; SEEN_MS=""
  while [ $(( ${EPOCHREALTIME/./} / 1000 - RENAMED_AT )) -lt 60000 ]; do
    if [ "$(unit_name "${NODE_URLS[1]}")" = "$NEW_NAME" ]; then SEEN_MS=$(( ${EPOCHREALTIME/./} / 1000 - RENAMED_AT )); break; fi
    sleep 0.1
  done
  if [ -n "$SEEN_MS" ]; then
    echo "ok   node 2 showed the new name ${SEEN_MS} ms after node 1 renamed “$OLD_NAME” (cache time 60 s)"; NODE_PASS=$(( NODE_PASS + 1 ))
  else
    echo "FAIL node 2 still shows “$OLD_NAME” 60 s after the rename"; NODE_FAIL=$(( NODE_FAIL + 1 ))
  fi
  cp "$WORK/nginx/access.log" "$E2E_SHOTS/nginx-access.log" 2>/dev/null || true
fi
stop_server

say "server memory"
UP_START="$(awk '$1 == "upload-start" {print $2}' "$WORK/marks.txt" 2>/dev/null | head -n1 || true)"
UP_END="$(awk '$1 == "upload-end" {print $2}' "$WORK/marks.txt" 2>/dev/null | tail -n1 || true)"
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
if ! wants flow; then
  echo "no upload flow (E2E_FLOWS=$FLOWS): memory not checked"
elif [ -z "$UP_START" ] || [ -z "$UP_END" ]; then
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

# counts OUT STATUS: "passed failed" of a flow's last line (a crash counts as one failure).
counts() {
  local last p f
  last="$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" 2>/dev/null | tail -n1 || true)"
  p="$(echo "$last" | sed -n 's/^\([0-9]*\) passed.*/\1/p')"
  f="$(echo "$last" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p')"
  [ -n "$f" ] || f=1
  [ "$2" -eq 0 ] || [ "$f" -gt 0 ] || f=1
  echo "${p:-0} $f"
}
PASSED=0; FAILED=0
if wants flow; then read -r p f < <(counts "$WORK/flow.out" "$FLOW_STATUS"); PASSED=$(( PASSED + p )); FAILED=$(( FAILED + f )); fi
for name in "${!STATUS[@]}"; do
  read -r p f < <(counts "$WORK/$name.out" "${STATUS[$name]}")
  PASSED=$(( PASSED + p )); FAILED=$(( FAILED + f ))
done
echo "screenshots: $E2E_SHOTS"
echo "e2e: $(( PASSED + RSS_PASS + NODE_PASS )) passed, $(( FAILED + RSS_FAIL + NODE_FAIL )) failed"
[ "$FLOW_STATUS" -eq 0 ] && [ "$FAILED" -eq 0 ] && [ "$RSS_FAIL" -eq 0 ] && [ "$NODE_FAIL" -eq 0 ]
