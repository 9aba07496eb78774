#!/usr/bin/env bash
# The benchmark harness: one command, everything side by side on this machine, in one run.
#
#   benches/run.sh [--full] [--writes] [--duration SECONDS]
#
# Reads (jixiao vs Datasette vs a static body), writes on PostgreSQL (jixiao vs pgbench),
# list/filter/aggregate latency at 10k (and, with --full, 1M) indicator results, and peak
# resident memory under 64 connections. See docs/BENCHMARKS.md. `--writes` runs only the writes.
#
# Environment: BENCH_PG (default postgres://postgres@127.0.0.1:5432), BENCH_PG_SOCKET (the
# directory of PostgreSQL's Unix socket, default /var/run/postgresql; empty: TCP to BENCH_PG),
# BENCH_WORK (a scratch directory, default a new one under /tmp), BENCH_WRITES (POSTs in the
# write run, default 3000).
set -euo pipefail
cd "$(dirname "$0")/.."

FULL=0
WRITES_ONLY=0
DURATION=10
while [ $# -gt 0 ]; do
    case "$1" in
        --full) FULL=1 ;;
        --writes) WRITES_ONLY=1 ;;
        --duration) DURATION="$2"; shift ;;
        *) echo "usage: benches/run.sh [--full] [--writes] [--duration SECONDS]" >&2; exit 2 ;;
    esac
    shift
done

PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
# Both jixiao and pgbench reach a PostgreSQL on this host through its Unix socket when there is
# one: each one's best configuration on one machine (no loopback TCP, no TLS, which libpq and
# sqlx both negotiate by default over TCP when the server offers it). PGQS follows the
# database name in every URL.
PGQS=""
PG_SOCKET="${BENCH_PG_SOCKET-/var/run/postgresql}"
if [ -n "$PG_SOCKET" ] && [ -S "$PG_SOCKET/.s.PGSQL.5432" ]; then
    PG="postgres://postgres@localhost"
    PGQS="?host=$PG_SOCKET"
fi
WORK="${BENCH_WORK:-$(mktemp -d /tmp/jixiao-bench.XXXXXX)}"
mkdir -p "$WORK"
WRITES="${BENCH_WRITES:-3000}"
SECRET="bench-secret-bench-secret-bench-secret-0000"
PGDB="jixiao_bench_$$"
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    psql -q "$PG/postgres$PGQS" -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

say() { printf '\n== %s\n' "$*"; }

# --- build ---------------------------------------------------------------------------------
say "building (release)"
cargo build --release --quiet --bin jixiao
LOAD=$(cargo bench --bench load --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -1)
[ -x "$LOAD" ] || { echo "cannot find the load generator" >&2; exit 1; }
BIN=${CARGO_TARGET_DIR:-target}/release/jixiao
TOKEN=$("$BIN" token --role admin --region 430000 --ttl 12h --jwt-secret "$SECRET")

# --- helpers -------------------------------------------------------------------------------
RESULTS="$WORK/results.txt"
: >"$RESULTS"

# load NAME ARGS…: runs the load generator, keeps its RESULT line as NAME.
load() {
    local name="$1"; shift
    local out
    out=$("$LOAD" "$@")
    echo "$out" | grep -v '^RESULT' | sed 's/^/   /'
    echo "$name $(echo "$out" | grep '^RESULT' | cut -d' ' -f2-)" >>"$RESULTS"
}

# get NAME FIELD: a figure of a kept result.
get() {
    grep "^$1 " "$RESULTS" | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

wait_for() {
    for _ in $(seq 1 300); do
        curl -sf -o /dev/null "$1" && return 0
        sleep 0.1
    done
    echo "nothing answers at $1" >&2
    exit 1
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# serve DATABASE_URL [READ_CACHE_BYTES]: starts jixiao (with the static route; the read cache
# at its default unless given, 0: off); sets PORT and PID.
serve() {
    PORT=$(free_port)
    # The per-client rate limit (1200/min by default) is off: one token sends everything.
    JIXIAO_RATE_LIMIT_PER_MINUTE=0 JIXIAO_READ_CACHE_BYTES="${2:-8388608}" "$BIN" serve --bench --listen "127.0.0.1:$PORT" --database "$1" --jwt-secret "$SECRET" \
        --log-level warn >"$WORK/jixiao-$PORT.log" 2>&1 &
    PID=$!
    PIDS+=("$PID")
    wait_for "http://127.0.0.1:$PORT/healthz"
}

stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

hwm_kib() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }

# generate NAME DEPARTMENTS YEARS: a SQLite data set (kept in $WORK between runs).
generate() {
    local db="$WORK/$1.db"
    if [ ! -f "$db.done" ]; then
        rm -f "$db"*
        say "generating $1: $2 departments × $3 years"
        "$BIN" demo --departments "$2" --years "$3" --database "sqlite://$db?mode=rwc" \
            --log-level warn | tee "$WORK/$1.generate.txt"
        touch "$db.done"
    else
        say "reusing $db"; cat "$WORK/$1.generate.txt"
    fi
}

# scale NAME: list, filter and aggregate latency on the server at $PORT.
scale() {
    local base="http://127.0.0.1:$PORT/api/v1"
    local d=$(( DURATION / 2 > 3 ? DURATION / 2 : 3 ))
    for q in \
        "list|evaluations?page_size=100" \
        "list_indicators|indicator-results?page_size=100" \
        "filter|evaluations?page_size=100&year=2024&region=4304&kind=project" \
        "filter_indicators|indicator-results?page_size=100&year=2024&level1=%E4%BA%A7%E5%87%BA%E6%8C%87%E6%A0%87&achieved=false" \
        "aggregate|stats/evaluations?group_by=region,year" \
        "aggregate_year|stats/evaluations?group_by=region&year=2024" \
        "aggregate_indicators|stats/indicators?year=2024"; do
        load "$1_${q%%|*}" --url "$base/${q#*|}" --token "$TOKEN" --connections 4 --duration "$d"
    done
}

if [ "$WRITES_ONLY" = 0 ]; then
# --- reads: jixiao vs Datasette vs static, on the 10k set ------------------------------------
generate small 170 1
SMALL="$WORK/small.db"
serve "sqlite://$SMALL?mode=rwc"
SQLITE_PID=$PID
SQLITE_PORT=$PORT
PAGE="http://127.0.0.1:$PORT/api/v1/evaluations?page_size=100"
FULL_PAGE="$PAGE&view=full"
SIZE=$(curl -sf -H "Authorization: Bearer $TOKEN" "$PAGE" | wc -c)
FULL_SIZE=$(curl -sf -H "Authorization: Bearer $TOKEN" "$FULL_PAGE" | wc -c)
echo "a page of 100 evaluation summaries from jixiao: $SIZE bytes; with view=full: $FULL_SIZE bytes"
# Storage: the SQLite file (after a checkpoint) per indicator result.
INDICATORS=$(sed -n 's/.* \([0-9]*\) indicator result(s).*/\1/p' "$WORK/small.generate.txt")
python3 -c "import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA wal_checkpoint(TRUNCATE)')" "$SMALL"
DB_BYTES=$(stat -c %s "$SMALL")
echo "storage: $DB_BYTES bytes of SQLite for $INDICATORS indicator results"

if ! command -v datasette >/dev/null; then
    say "installing Datasette"
    python3 -m pip install --quiet datasette
fi
DS_PORT=$(free_port)
cp "$SMALL" "$WORK/ds.db"   # the same file, copied so the two servers share no lock
# Datasette as a publisher runs it for an API: no facet suggestions (by default it computes
# them on every table page, hundreds of milliseconds each), rows as a plain array, no count,
# the file opened immutable (-i: a published copy that does not change, read without locks;
# Datasette's documented setting for such a file), and its queries run on the event loop
# (num_sql_threads 0): on this machine that doubles Datasette's pages per second against the
# default pool of three threads (223 against 116 on 2026-12-02), so it is its best
# configuration here.
datasette serve -i "$WORK/ds.db" --port "$DS_PORT" --host 127.0.0.1 \
    --setting suggest_facets off --setting num_sql_threads 0 >"$WORK/datasette.log" 2>&1 &
DS_PID=$!
PIDS+=("$DS_PID")
DS_URL="http://127.0.0.1:$DS_PORT/ds/evaluations.json?_size=100&_shape=array&_nocount=1"
DS_IND_URL="http://127.0.0.1:$DS_PORT/ds/indicator_results.json?_size=100&_shape=array&_nocount=1"
# The same rows and the columns the summaries are made of (_col=, as far as one table has them:
# jixiao's summary adds names joined from departments, regions and projects).
cols() { local c out=""; for c in "$@"; do out="$out&_col=$c"; done; echo "$out"; }
DS_SUMMARY_URL="$DS_URL$(cols kind year status version department_id region_code project_id total grade score_basis error_count warning_count budget_full_year budget_executed updated_at)"
DS_IND_COL_URL="$DS_IND_URL$(cols evaluation_id position year region_code kind status level1 level2 level3 target actual weight claimed computed achieved)"
IND_PAGE="http://127.0.0.1:$PORT/api/v1/indicator-results?page_size=100"
wait_for "$DS_URL"
echo "the same 100 evaluation rows from Datasette: $(curl -sf "$DS_URL" | wc -c) bytes"
echo "a page of 100 indicator results from jixiao: $(curl -sf -H "Authorization: Bearer $TOKEN" "$IND_PAGE" | wc -c) bytes"
echo "the same 100 indicator rows from Datasette: $(curl -sf "$DS_IND_URL" | wc -c) bytes; with _col=: $(curl -sf "$DS_IND_COL_URL" | wc -c) bytes"
echo "the same 100 evaluation rows from Datasette, summary columns (_col=): $(curl -sf "$DS_SUMMARY_URL" | wc -c) bytes"

say "reads: a page of 100 evaluations, 64 connections, ${DURATION}s each"
load read_jixiao --url "$PAGE" --token "$TOKEN" --connections 64 --duration "$DURATION"
load read_datasette --url "$DS_URL" --connections 64 --duration "$DURATION"
load read_datasette_summary --url "$DS_SUMMARY_URL" --connections 64 --duration "$DURATION"
say "reads: a page of 100 indicator results, 64 connections, ${DURATION}s each"
load read_jixiao_indicators --url "$IND_PAGE" --token "$TOKEN" --connections 64 --duration "$DURATION"
load read_datasette_indicators --url "$DS_IND_URL" --connections 64 --duration "$DURATION"
load read_datasette_indicators_col --url "$DS_IND_COL_URL" --connections 64 --duration "$DURATION"
stop "$DS_PID"
say "reads: a page of 100 full evaluations (view=full) and a static body of its size"
load read_jixiao_full --url "$FULL_PAGE" --token "$TOKEN" --connections 64 --duration "$DURATION"
load read_static_full --url "http://127.0.0.1:$PORT/bench/static/$FULL_SIZE" --connections 64 --duration "$DURATION"
load read_static --url "http://127.0.0.1:$PORT/bench/static/$SIZE" --connections 64 --duration "$DURATION"
HWM_READ=$(hwm_kib "$SQLITE_PID")
stop "$SQLITE_PID"

# The same reads computed every time (read cache off): what the first read after a write
# costs, and what the scale figures below measure.
serve "sqlite://$SMALL?mode=rwc" 0
COMPUTED_PID=$PID
PAGE="http://127.0.0.1:$PORT/api/v1/evaluations?page_size=100"
IND_PAGE="http://127.0.0.1:$PORT/api/v1/indicator-results?page_size=100"
say "reads computed every time (read cache off), 64 connections, ${DURATION}s each"
load read_jixiao_computed --url "$PAGE" --token "$TOKEN" --connections 64 --duration "$DURATION"
load read_jixiao_indicators_computed --url "$IND_PAGE" --token "$TOKEN" --connections 64 --duration "$DURATION"
load read_jixiao_full_computed --url "$PAGE&view=full" --token "$TOKEN" --connections 64 --duration "$DURATION"
HWM_COMPUTED=$(hwm_kib "$COMPUTED_PID")
HWM_READ=$(( HWM_READ > HWM_COMPUTED ? HWM_READ : HWM_COMPUTED ))

say "scale: 10k indicator results (read cache off)"
scale s10k
HWM_ALL=$(hwm_kib "$COMPUTED_PID")
HWM_ALL=$(( HWM_ALL > HWM_READ ? HWM_ALL : HWM_READ ))
stop "$COMPUTED_PID"

if [ "$FULL" = 1 ]; then
    generate full 1700 10
    serve "sqlite://$WORK/full.db?mode=rwc" 0
    say "scale: 1M indicator results (read cache off)"
    scale s1m
    HWM_FULL=$(hwm_kib "$PID")
    stop "$PID"
fi

fi

# --- writes on PostgreSQL: jixiao vs pgbench -------------------------------------------------
say "writes on PostgreSQL ($PGDB, ${PGQS:-over TCP})"
psql -q "$PG/postgres$PGQS" -c "CREATE DATABASE $PGDB" >/dev/null
PGURL="$PG/$PGDB$PGQS"
# Three runs of fresh evaluations: one connection, 8 connections on one instance, 8 on two.
SOLO=$(( WRITES / 4 ))
DEPTS=$(( (SOLO + 2 * WRITES + 19) / 20 + 1 ))
"$BIN" demo --departments "$DEPTS" --years 1 --database "$PGURL" --log-level warn
serve "$PGURL"
PG_PID=$PID
# The body: a generated department evaluation with 20 indicators, for another department and
# year per request (placeholders {dept} and {year}, filled in by the load generator).
curl -sf -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/api/v1/evaluations?kind=department&page_size=1&view=full" |
    python3 -c '
import json, sys
e = json.load(sys.stdin)["items"][0]
body = {k: e[k] for k in ("kind", "budget", "annual_goal", "achievement", "indicators", "claimed_total", "narrative")}
body["department"] = "@DEPT@"
body["year"] = "@YEAR@"
assert len(body["indicators"]) == 20
print(json.dumps(body, ensure_ascii=False).replace("\"@DEPT@\"", "\"{dept}\"").replace("\"@YEAR@\"", "{year}"))
' >"$WORK/evaluation.json"
load write_jixiao_1 --url "http://127.0.0.1:$PORT/api/v1/evaluations" --method POST \
    --body "$WORK/evaluation.json" --token "$TOKEN" --connections 1 --requests "$SOLO"
load write_jixiao --url "http://127.0.0.1:$PORT/api/v1/evaluations" --method POST \
    --body "$WORK/evaluation.json" --token "$TOKEN" --connections 8 --requests "$WRITES" \
    --offset "$SOLO"
FIRST_PORT=$PORT
serve "$PGURL"
PG2_PID=$PID
say "writes on PostgreSQL, two instances ($FIRST_PORT and $PORT) on one database"
load write_jixiao_2 --url "http://127.0.0.1:$FIRST_PORT/api/v1/evaluations" \
    --url "http://127.0.0.1:$PORT/api/v1/evaluations" --method POST \
    --body "$WORK/evaluation.json" --token "$TOKEN" --connections 8 --requests "$WRITES" \
    --offset $(( SOLO + WRITES ))
stop "$PG_PID"
stop "$PG2_PID"

# PostgreSQL alone, replaying the statements of one jixiao write: what the database gives the
# service's own statements at 8 connections with no jixiao process in the way (the ceiling of
# the write as designed, beside pgbench's bare inserts). Needs the server's log file
# (BENCH_PG_LOG, default Debian's), where `log_statement = all` records one POST, sent by a
# fresh instance (a database setting reaches new sessions only).
PG_LOG="${BENCH_PG_LOG:-$(ls -t /var/log/postgresql/postgresql-*.log 2>/dev/null | head -1)}"
REPLAY_TPS=""
if [ -n "$PG_LOG" ] && [ -r "$PG_LOG" ]; then
    psql -q "$PGURL" -c "ALTER DATABASE $PGDB SET log_statement = 'all'" >/dev/null
    LOG_FROM=$(stat -c %s "$PG_LOG")
    serve "$PGURL"
    "$LOAD" --url "http://127.0.0.1:$PORT/api/v1/evaluations" --method POST \
        --body "$WORK/evaluation.json" --token "$TOKEN" --connections 1 --requests 1 \
        --offset $(( SOLO + 2 * WRITES )) >/dev/null
    stop "$PID"
    psql -q "$PGURL" -c "ALTER DATABASE $PGDB RESET log_statement" >/dev/null
    tail -c +"$(( LOG_FROM + 1 ))" "$PG_LOG" >"$WORK/one-write.log"
    python3 benches/replay.py "$WORK/one-write.log" >"$WORK/replay.sql"
    say "PostgreSQL replaying one jixiao write's statements (pgbench -M prepared, 8 clients)"
    REPLAY_OUT=$(pgbench -n -M prepared -c 8 -j 2 -T "$DURATION" -f "$WORK/replay.sql" "$PGURL" 2>&1)
    echo "$REPLAY_OUT" | grep -E 'tps|latency|failed' | sed 's/^/   /'
    REPLAY_TPS=$(echo "$REPLAY_OUT" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | tail -1)
else
    say "no readable PostgreSQL log (BENCH_PG_LOG): the replay of jixiao's statements is skipped"
fi

psql -q "$PGURL" <<'SQL' >/dev/null
CREATE TABLE bench_evaluations (
    id uuid PRIMARY KEY, department text NOT NULL, year int NOT NULL, document text NOT NULL,
    total numeric, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE bench_indicators (
    evaluation_id uuid NOT NULL REFERENCES bench_evaluations (id), position int NOT NULL,
    level1 text, level2 text, level3 text, target text, actual text, weight numeric,
    claimed numeric, PRIMARY KEY (evaluation_id, position));
SQL
DOC_BYTES=$(wc -c <"$WORK/evaluation.json")
cat >"$WORK/insert.sql" <<SQL
BEGIN;
INSERT INTO bench_evaluations (id, department, year, document, total) VALUES (gen_random_uuid(), 'G000001', 2024, repeat('x', $DOC_BYTES), 87.5) RETURNING id AS eid \gset
INSERT INTO bench_indicators SELECT ':eid'::uuid, g, '产出指标', '数量指标', '完成工程量', '≥95%', '97%', 5, 5 FROM generate_series(0, 19) AS g;
END;
SQL
PGBENCH_OUT=$(pgbench -n -c 8 -j 2 -T "$DURATION" -f "$WORK/insert.sql" "$PGURL" 2>&1)
echo "$PGBENCH_OUT" | grep -E 'tps|latency|failed' | sed 's/^/   /'
PGBENCH_TPS=$(echo "$PGBENCH_OUT" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | tail -1)

# --- the summary -----------------------------------------------------------------------------
say "summary"
export RESULTS FULL PGBENCH_TPS REPLAY_TPS="${REPLAY_TPS:-}" DB_BYTES="${DB_BYTES:-}" INDICATORS="${INDICATORS:-}"
export HWM_READ="${HWM_READ:-}" HWM_ALL="${HWM_ALL:-}"
export HWM_FULL="${HWM_FULL:-}"
python3 - <<'PY'
import os
r = {}
for line in open(os.environ["RESULTS"]):
    name, *kv = line.split()
    r[name] = {k: float(v) for k, v in (x.split("=") for x in kv)}
rows = []
def figure(label, value, unit="", places=1):
    print(f"  {label:<58} {value:>10.{places}f} {unit}")
def ratio(label, value, op, budget):
    ok = value >= budget if op == ">=" else value <= budget
    print(f"  {label:<58} {value:>10.2f}   budget {op} {budget:<6} {'PASS' if ok else 'MISS'}")
    rows.append(ok)
def rps(n):
    # A run with errors measured something else (a failed request is fast): no figure, and
    # any ratio made of it reads nan and misses its budget.
    if r[n]["errors"] > 0 or r[n]["rps"] <= 0:
        return float("nan")
    return r[n]["rps"]
if "read_jixiao" in r:
    print("reads (64 connections, page of 100 evaluation summaries)")
    for n in ("read_jixiao", "read_datasette_summary", "read_datasette", "read_static"):
        x = r[n]
        figure(f"{n}: requests/s (p50 {x['p50_ms']:.1f} ms, p99 {x['p99_ms']:.1f} ms, errors {x['errors']:.0f})", x["rps"], "req/s")
    ratio("jixiao / Datasette, the summary columns (_col=)", rps("read_jixiao") / rps("read_datasette_summary"), ">=", 30)
    if "read_jixiao_computed" in r:
        x = r["read_jixiao_computed"]
        figure(f"read cache off: requests/s (p50 {x['p50_ms']:.1f} ms, errors {x['errors']:.0f})", x["rps"], "req/s")
        figure("read cache off / Datasette, the summary columns", rps("read_jixiao_computed") / rps("read_datasette_summary"), "x")
    figure("jixiao / Datasette, whole rows", rps("read_jixiao") / rps("read_datasette"), "x")
    print("reads (64 connections, page of 100 indicator results)")
    for n in ("read_jixiao_indicators", "read_datasette_indicators_col", "read_datasette_indicators"):
        x = r[n]
        figure(f"{n}: requests/s (p50 {x['p50_ms']:.1f} ms, p99 {x['p99_ms']:.1f} ms, errors {x['errors']:.0f})", x["rps"], "req/s")
    ratio("jixiao / Datasette, the same columns (_col=)", rps("read_jixiao_indicators") / rps("read_datasette_indicators_col"), ">=", 30)
    if "read_jixiao_indicators_computed" in r:
        x = r["read_jixiao_indicators_computed"]
        figure(f"read cache off: requests/s (p50 {x['p50_ms']:.1f} ms, errors {x['errors']:.0f})", x["rps"], "req/s")
        figure("read cache off / Datasette, the same columns", rps("read_jixiao_indicators_computed") / rps("read_datasette_indicators_col"), "x")
    figure("jixiao / Datasette, whole rows", rps("read_jixiao_indicators") / rps("read_datasette_indicators"), "x")
    print("reads (64 connections, page of 100 full evaluations, view=full)")
    for n in ("read_jixiao_full", "read_static_full"):
        x = r[n]
        figure(f"{n}: requests/s (p50 {x['p50_ms']:.1f} ms, p99 {x['p99_ms']:.1f} ms, errors {x['errors']:.0f})", x["rps"], "req/s")
    ratio("full page / static body of its size (share of the ceiling, %)", 100 * rps("read_jixiao_full") / rps("read_static_full"), ">=", 10)
    if "read_jixiao_full_computed" in r:
        x = r["read_jixiao_full_computed"]
        figure(f"read cache off: requests/s (p50 {x['p50_ms']:.1f} ms, errors {x['errors']:.0f})", x["rps"], "req/s")
        figure("read cache off / static body of its size", 100 * rps("read_jixiao_full_computed") / rps("read_static_full"), "%")
    figure("summary page / static body of its size (share of the ceiling)", 100 * rps("read_jixiao") / rps("read_static"), "%")
if os.environ.get("DB_BYTES") and os.environ.get("INDICATORS"):
    print("storage (the 10k SQLite file after a checkpoint)")
    ratio("bytes per indicator result", int(os.environ["DB_BYTES"]) / max(int(os.environ["INDICATORS"]), 1), "<=", 512)
print("writes on PostgreSQL (8 clients, an evaluation with 20 indicators)")
w = r["write_jixiao"]
figure(f"jixiao POST /evaluations: per second (p50 {w['p50_ms']:.1f} ms, p99 {w['p99_ms']:.1f} ms, errors {w['errors']:.0f})", w["rps"], "tps")
tps = float(os.environ["PGBENCH_TPS"] or 0)
figure("pgbench, the same inserts in one transaction", tps, "tps")
ratio("jixiao / pgbench transactions/s", w["rps"] / max(tps, 1e-9), ">=", 0.5)
replay = float(os.environ.get("REPLAY_TPS") or 0)
if replay:
    figure("PostgreSQL alone replaying jixiao's statements of one write", replay, "tps")
    figure("  replay / pgbench (the write's ceiling on this database)", replay / max(tps, 1e-9), "x", 2)
    figure("  jixiao / replay (what the service keeps of that ceiling)", w["rps"] / replay, "x", 2)
w1, w2 = r["write_jixiao_1"], r["write_jixiao_2"]
figure(f"jixiao, 1 client: per second (p50 {w1['p50_ms']:.1f} ms, p99 {w1['p99_ms']:.1f} ms, errors {w1['errors']:.0f})", w1["rps"], "tps")
ratio("median latency, 8 clients / 1 client", w["p50_ms"] / max(w1["p50_ms"], 1e-9), "<=", 2)
figure(f"jixiao, two instances, 8 clients: per second (p50 {w2['p50_ms']:.1f} ms, errors {w2['errors']:.0f})", w2["rps"], "tps")
figure("two instances / one instance, transactions/s", w2["rps"] / max(w["rps"], 1e-9), "x")
if "s10k_list" in r:
    print("scale: latency at 10k indicator results" + (" vs 1M" if os.environ["FULL"] == "1" else ""))
    for q in ("list", "list_indicators", "filter", "filter_indicators", "aggregate", "aggregate_year", "aggregate_indicators"):
        a = r[f"s10k_{q}"]
        line = f"  {q:<22} 10k: p50 {a['p50_ms']:8.2f} ms  p99 {a['p99_ms']:8.2f} ms"
        b = r.get(f"s1m_{q}")
        if b:
            line += f"   1M: p50 {b['p50_ms']:8.2f} ms  p99 {b['p99_ms']:8.2f} ms"
        print(line)
        if b:
            ratio(f"  {q}: 1M / 10k p50", b["p50_ms"] / max(a["p50_ms"], 1e-9), "<=", 2)
            ratio(f"  {q}: 1M / 10k p99", b["p99_ms"] / max(a["p99_ms"], 1e-9), "<=", 2)
print("memory (VmHWM of the jixiao process)")
for label, key in (("after the 64-connection reads", "HWM_READ"), ("after every 10k run", "HWM_ALL"), ("1M server after its runs", "HWM_FULL")):
    v = os.environ.get(key)
    if v:
        ratio(f"peak resident MiB, {label}", int(v) / 1024, "<=", 64)
print(f"\n{sum(rows)} of {len(rows)} budgets met")
PY
echo "(work directory: $WORK)"
