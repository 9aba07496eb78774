#!/usr/bin/env bash
# 60 seconds at 64 connections mixing reads and writes (62 reading pages of evaluations,
# 2 creating evaluations with 20 indicators): zero errors, and no memory growth (resident
# memory at the end within 25% of what it was once warm, at 20 s).
#
#   benches/robustness/soak.sh [seconds]      (default 60; release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
work="$(mktemp -d)"
secret="soak-secret-soak-secret-soak-secret-0123"
trap 'kill "${pid:-}" "${sampler:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
cargo build --quiet --release --bin jixiao
load_bin=$(cargo bench --bench load --no-run 2>&1 | sed -n 's/.*(\(.*load-[0-9a-f]*\))$/\1/p' | tail -n1)
[ -x "$load_bin" ] || { echo "cannot find the load client"; exit 1; }
bin=./target/release/jixiao
db="sqlite://$work/soak.db?mode=rwc"
# Enough departments that every write is a new department-year (request n: G + n/20, 2000 + n%20).
$bin demo --departments 600 --years 1 --database "$db" --log-level warn
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
JIXIAO_RATE_LIMIT_PER_MINUTE=0 $bin serve --listen "127.0.0.1:$port" --jwt-secret "$secret" \
    --database "$db" --log-level warn 2> "$work/server.log" &
pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.1; done
token="$($bin token --jwt-secret "$secret" --role admin --region 430000 --ttl 1h)"
base="http://127.0.0.1:$port/api/v1"
curl -sf -H "Authorization: Bearer $token" "$base/evaluations?kind=department&page_size=1&view=full" | python3 -c '
import json, sys
e = json.load(sys.stdin)["items"][0]
body = {k: e[k] for k in ("kind", "budget", "indicators", "claimed_total")}
body["department"] = "@DEPT@"; body["year"] = "@YEAR@"
print(json.dumps(body, ensure_ascii=False).replace("\"@DEPT@\"", "\"{dept}\"").replace("\"@YEAR@\"", "{year}"))
' > "$work/evaluation.json"

( while sleep 5; do echo "$SECONDS $(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status")"; done ) > "$work/rss.log" &
sampler=$!
start=$SECONDS
"$load_bin" --url "$base/evaluations?page_size=20" --token "$token" --connections 62 --duration "$seconds" > "$work/reads.txt" &
reads=$!
"$load_bin" --url "$base/evaluations" --method POST --body "$work/evaluation.json" --token "$token" \
    --connections 2 --duration "$seconds" > "$work/writes.txt"
wait "$reads"
kill "$sampler" 2>/dev/null || true
echo "reads:  $(grep '^RESULT' "$work/reads.txt")"
echo "writes: $(grep '^RESULT' "$work/writes.txt")"
echo "resident memory (seconds since start, KiB):"
awk -v s="$start" '{print "  " $1 - s, $2}' "$work/rss.log"
errors=$(cat "$work/reads.txt" "$work/writes.txt" | sed -n 's/^RESULT.* errors=\([0-9]*\).*/\1/p' | paste -sd+ | bc)
[ "$errors" = 0 ] || { echo "FAIL: $errors errors"; exit 1; }
warm=$(awk -v s="$start" '$1 - s >= 20 {print $2; exit}' "$work/rss.log")
last=$(tail -n1 "$work/rss.log" | cut -d' ' -f2)
echo "warm (20 s): $warm KiB, end: $last KiB"
[ "$last" -le $(( warm * 125 / 100 )) ] || { echo "FAIL: memory grew from $warm to $last KiB"; exit 1; }
echo "soak: ok"
