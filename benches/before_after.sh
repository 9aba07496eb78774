#!/usr/bin/env bash
# Before and after: two builds of jixiao on the same data files, one after the other, with the
# load client of benches/load.rs (reads at 64 connections with peak memory on the 10k file;
# aggregates and a full-page filter at 4 connections on both files).
#
#   benches/before_after.sh BEFORE_BINARY AFTER_BINARY WORK_DIR
#
# WORK_DIR holds small.db and full.db as benches/run.sh makes them (BENCH_WORK). The first
# binary is started with --no-migrate, so an older build can serve a newer schema.
set -euo pipefail
cd "$(dirname "$0")/.."
before="$1"; after="$2"; work="$3"
load=$(cargo bench --bench load --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -1)
[ -x "$load" ] || { echo "cannot find the load generator" >&2; exit 1; }
secret="before-after-secret-before-after-secret-01"
token=$("$after" token --role admin --region 430000 --ttl 1h --jwt-secret "$secret")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pid=""
trap 'kill "$pid" 2>/dev/null || true' EXIT

run() { # NAME BINARY DB [FLAGS…]
    local name="$1" bin="$2" db="$3"; shift 3
    JIXIAO_RATE_LIMIT_PER_MINUTE=0 "$bin" serve --listen "127.0.0.1:$port" --jwt-secret "$secret" \
        --database "sqlite://$db?mode=rwc" --log-level warn "$@" 2>/dev/null &
    pid=$!
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.1; done
    local base="http://127.0.0.1:$port/api/v1"
    if [ "$name" = small ]; then
        echo "-- $bin reads 64c"
        "$load" --url "$base/evaluations?page_size=100" --token "$token" --connections 64 --duration 8 | grep RESULT
        echo "   $(grep VmHWM "/proc/$pid/status")"
    fi
    for q in "aggregate|stats/evaluations?group_by=region,year" \
        "aggregate_indicators|stats/indicators?year=2024" \
        "filter|evaluations?page_size=100&year=2024&region=4304&kind=project"; do
        echo "-- $bin $name ${q%%|*}"
        "$load" --url "$base/${q#*|}" --token "$token" --connections 4 --duration 4 | grep RESULT
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
}
for bin in "$before" "$after"; do
    flags=()
    [ "$bin" = "$before" ] && flags=(--no-migrate)
    run small "$bin" "$work/small.db" "${flags[@]}"
    run full "$bin" "$work/full.db" "${flags[@]}"
done
