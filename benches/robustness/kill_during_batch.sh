#!/usr/bin/env bash
# SIGKILL during an atomic batch: afterwards the batch is entirely there or entirely absent.
# Repeats ROUNDS times with a different delay before the kill; a fresh SQLite database each
# round (or PostgreSQL with KB_POSTGRES=postgres://postgres@127.0.0.1:5432).
#
#   benches/robustness/kill_during_batch.sh [rounds] [items]      (defaults 10, 100; at most 100)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-10}"
items="${2:-100}"
work="$(mktemp -d)"
port=18196
secret="kill-test-secret-kill-test-secret-0123456"
trap 'kill -9 "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
cargo build --quiet --bin jixiao
bin=./target/debug/jixiao

# A batch of department evaluations for the seed department, one per year.
python3 - "$items" > "$work/batch.json" <<'PY'
import json, sys
n = int(sys.argv[1])
row = lambda l3: {"level1": "产出指标", "level2": "数量指标", "level3": l3, "target": "≥12个", "actual": "12个", "weight": "40", "claimed_score": "40"}
years = [y for y in range(2000, 2101) if y != 2024][:n]  # 2024 is the seed's own evaluation
items = [{"ref": f"y{year}", "evaluation": {
    "kind": "department", "department": "901424", "year": year,
    "rule_set": "hengyang-2024-department",
    "budget": {"initial": "100", "full_year": "100", "executed": "90"},
    "indicators": [row(f"站点{j}") for j in range(20)]}} for year in years]
print(json.dumps({"atomic": True, "items": items}))
PY
count=$(python3 -c "import json;print(len(json.load(open('$work/batch.json'))['items']))")

start() {
    JIXIAO_RATE_LIMIT_PER_MINUTE=0 JIXIAO_MAX_BATCH_BYTES=67108864 $bin serve --listen "127.0.0.1:$port" \
        --jwt-secret "$secret" --database "$1" --log-level warn 2>> "$work/server.log" &
    pid=$!
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" > /dev/null && return; sleep 0.1; done
    echo "server did not start"; exit 1
}

token="$($bin token --jwt-secret "$secret" --role admin --region 430000 --ttl 1h)"
for round in $(seq 1 "$rounds"); do
    if [ -n "${KB_POSTGRES:-}" ]; then
        name="jx_kill_$$_$round"
        psql "$KB_POSTGRES/postgres" -qc "CREATE DATABASE $name"
        db="$KB_POSTGRES/$name"
    else
        db="sqlite://$work/round$round.db?mode=rwc"
    fi
    $bin demo --database "$db" > /dev/null 2>&1
    start "$db"
    curl -s -o /dev/null -X POST "http://127.0.0.1:$port/api/v1/evaluations/batch" \
        -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
        --data-binary "@$work/batch.json" &
    curl_pid=$!
    sleep "0.$((round * 7 % 10))$((round % 10))"
    kill -9 "$pid"; wait "$pid" 2>/dev/null || true
    wait "$curl_pid" 2>/dev/null || true
    start "$db"
    seen=$(curl -s -H "Authorization: Bearer $token" \
        "http://127.0.0.1:$port/api/v1/evaluations?kind=department&page_size=500" |
        python3 -c "import json,sys; print(sum(1 for e in json.load(sys.stdin)['items'] if e['year'] != 2024))")
    kill -9 "$pid"; wait "$pid" 2>/dev/null || true
    [ -n "${KB_POSTGRES:-}" ] && psql "$KB_POSTGRES/postgres" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)"
    if [ "$seen" != 0 ] && [ "$seen" != "$count" ]; then
        echo "round $round: FAIL, $seen of $count evaluations after the kill"; exit 1
    fi
    echo "round $round: $seen of $count evaluations after the kill (all or nothing): ok"
done
echo "kill during batch: $rounds rounds, all or nothing every time"
