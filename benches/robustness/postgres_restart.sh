#!/usr/bin/env bash
# PostgreSQL stopped and started again under load: while it is down the service answers 503
# (never hangs, never crashes); afterwards it serves fully without a restart, and no
# evaluation is half-written (each has its 20 indicator results and its history).
# Stops the machine's PostgreSQL cluster for a few seconds: run it alone.
#
#   PG=postgres://postgres@127.0.0.1:5432 benches/robustness/postgres_restart.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
pg="${PG:-postgres://postgres@127.0.0.1:5432}"
cluster="$(ls /etc/postgresql | head -n1)"
work="$(mktemp -d)"
port=18197
secret="restart-secret-restart-secret-restart-01"
name="jx_restart_$$"
cleanup() {
    kill "${pid:-}" "${load:-}" "${probe:-}" 2>/dev/null || true
    pg_ctlcluster --skip-systemctl-redirect "$cluster" main start 2>/dev/null || true
    sleep 1
    psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" || true
    rm -rf "$work"
}
trap cleanup EXIT
cargo build --quiet --bin jixiao
bin=./target/debug/jixiao
psql "$pg/postgres" -qc "CREATE DATABASE $name"
db="$pg/$name"
$bin demo --database "$db" > /dev/null 2>&1
JIXIAO_RATE_LIMIT_PER_MINUTE=0 $bin serve --listen "127.0.0.1:$port" --jwt-secret "$secret" \
    --database "$db" --log-level warn 2> "$work/server.log" &
pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.1; done
token="$($bin token --jwt-secret "$secret" --role admin --region 430000 --ttl 1h)"
base="http://127.0.0.1:$port"

# The load: write an evaluation with 20 indicators (a new year each time; once the years run
# out the answer is 409, which is fine), read a list, ask readyz.
(
    year=2030
    end=$((SECONDS + 24))
    while [ $SECONDS -lt $end ]; do
        year=$((year + 1)); [ $year -gt 2100 ] && year=2031
        body=$(python3 -c "
import json,sys
row=lambda j:{'level1':'产出指标','level2':'数量指标','level3':f'站点{j}','target':'≥12个','actual':'12个','weight':'40','claimed_score':'40'}
print(json.dumps({'kind':'department','department':'901424','year':$year,'budget':{'initial':'1','full_year':'1','executed':'1'},'indicators':[row(j) for j in range(20)]}))")
        w=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/evaluations" \
            -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$body")
        r=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$base/api/v1/evaluations?page_size=20" -H "Authorization: Bearer $token")
        h=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$base/readyz")
        echo "$SECONDS write=$w read=$r ready=$h"
    done
) > "$work/load.log" &
load=$!
# A fast readiness probe alongside.
(
    end=$((SECONDS + 24))
    while [ $SECONDS -lt $end ]; do
        echo "$SECONDS $(curl -s -m 3 -o /dev/null -w '%{http_code}' "$base/readyz")"
        sleep 0.2
    done
) > "$work/ready.log" &
probe=$!
sleep 6
echo "stopping PostgreSQL"; pg_ctlcluster --skip-systemctl-redirect "$cluster" main stop
sleep 6
echo "starting PostgreSQL"; pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
wait "$load" "$probe"
kill -0 "$pid" || { echo "FAIL: the service died"; exit 1; }
echo "readyz while PostgreSQL went down and came back (count, status):"
awk '{print $2}' "$work/ready.log" | sort | uniq -c
grep -q ' 503$' "$work/ready.log" || { echo "FAIL: readyz never said 503"; exit 1; }
tail -n 1 "$work/ready.log" | grep -q ' 200$' || { echo "FAIL: readyz did not recover"; exit 1; }

echo "statuses (count, write, read, readyz):"
awk '{print $2, $3, $4}' "$work/load.log" | sort | uniq -c
bad=$(awk '{print $2"\n"$3"\n"$4}' "$work/load.log" | cut -d= -f2 | grep -vE '^(200|201|409|503)$' || true)
[ -z "$bad" ] || { echo "FAIL: unexpected statuses: $(echo $bad | tr '\n' ' ')"; exit 1; }
grep -q '=503' "$work/load.log" || echo "note: no 503 seen (PostgreSQL may have restarted between requests)"
tail -n 3 "$work/load.log" | grep -qE 'write=(201|409) read=200 ready=200' || { echo "FAIL: not fully back"; tail -n 5 "$work/load.log"; exit 1; }

# No half-written evaluation: every one has 20 indicator results and a history entry.
python3 - "$base" "$token" <<'PY'
import json, sys, urllib.parse, urllib.request
base, token = sys.argv[1], sys.argv[2]
def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(req))
evs = [e for e in get("/api/v1/evaluations?kind=department&page_size=500&view=full")["items"] if e["year"] > 2030]
for e in evs:
    assert len(e["indicators"]) == 20, e["id"]
    assert len(get(f"/api/v1/evaluations/{e['id']}/history")) >= 1, e["id"]
rows = 0
token_q = ""
while True:
    page = get("/api/v1/indicator-results?page_size=500&q=" + urllib.parse.quote("站点") + token_q)
    rows += len(page["items"])
    if not page.get("next_page_token"):
        break
    token_q = "&page_token=" + page["next_page_token"]
assert rows == 20 * len(evs), (rows, len(evs))
print(f"{len(evs)} evaluations written during the run, each whole (20 indicator results, history)")
PY
echo "postgres restart: ok"
