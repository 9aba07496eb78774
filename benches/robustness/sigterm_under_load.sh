#!/usr/bin/env bash
# SIGTERM under load: 64 connections reading pages of 100 evaluations and creating
# evaluations with 20 indicators; SIGTERM after a few seconds. Every request that was in
# flight when the signal came completes with its whole 2xx answer, nothing answers 5xx or
# with a cut-off body, the process exits 0, and every evaluation answered 201 is there, whole,
# after a restart.
#
#   benches/robustness/sigterm_under_load.sh [seconds-before-sigterm]     (default 5; release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
before="${1:-5}"
work="$(mktemp -d)"
secret="term-secret-term-secret-term-secret-0123"
trap 'kill -9 "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
cargo build --quiet --release --bin jixiao
bin=./target/release/jixiao
db="sqlite://$work/term.db?mode=rwc"
$bin demo --departments 170 --years 1 --database "$db" --log-level warn
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start() {
    JIXIAO_RATE_LIMIT_PER_MINUTE=0 $bin serve --listen "127.0.0.1:$port" --jwt-secret "$secret" \
        --database "$db" --log-level warn 2>> "$work/server.log" &
    pid=$!
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" > /dev/null && return; sleep 0.1; done
    echo "server did not start"; exit 1
}
start
token="$($bin token --jwt-secret "$secret" --role admin --region 430000 --ttl 1h)"

python3 - "$port" "$token" "$pid" "$before" "$work/created.txt" <<'PY'
import http.client, json, os, signal, sys, threading, time

port, token, pid, before, created_file = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
auth = {"Authorization": f"Bearer {token}"}

def request(conn, method, path, body=None):
    headers = dict(auth)
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=body, headers=headers)
    res = conn.getresponse()
    data = res.read()  # raises IncompleteRead on a cut-off body
    return res.status, data

conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
_, page = request(conn, "GET", "/api/v1/evaluations?kind=department&page_size=1&view=full")
e = json.loads(page)["items"][0]
template = {k: e[k] for k in ("kind", "budget", "indicators", "claimed_total")}
conn.close()

records = []  # (kind, started, ended, outcome, status, id)
lock = threading.Lock()
counter = iter(range(10**6))
stop = threading.Event()

def worker(n):
    writer = n < 8
    conn = None
    while not stop.is_set():
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        if writer:
            with lock:
                i = next(counter)
            body = dict(template, department=f"G{i // 20:06d}", year=2000 + i % 20)
            method, path, payload = "POST", "/api/v1/evaluations", json.dumps(body)
        else:
            method, path, payload = "GET", "/api/v1/evaluations?page_size=100", None
        started = time.monotonic()
        try:
            status, data = request(conn, method, path, payload)
            outcome, ident = "answered", None
            if status == 201:
                ident = json.loads(data)["id"]
        except http.client.IncompleteRead:
            status, outcome, ident = None, "cut_off", None
        except (ConnectionError, http.client.RemoteDisconnected, OSError) as err:
            status, outcome, ident = None, type(err).__name__, None
            conn.close()
            conn = None
            if stop.is_set() or signalled.is_set():
                records.append((method, started, time.monotonic(), outcome, status, ident))
                return
            time.sleep(0.01)
        records.append((method, started, time.monotonic(), outcome, status, ident))

signalled = threading.Event()
threads = [threading.Thread(target=worker, args=(n,)) for n in range(64)]
for t in threads:
    t.start()
time.sleep(before)
term_at = time.monotonic()
os.kill(pid, signal.SIGTERM)
signalled.set()
time.sleep(15)
stop.set()
for t in threads:
    t.join()

margin = 0.05  # a request sent this close to the signal may not have been read by the server yet
in_flight = [r for r in records if r[1] < term_at - margin and r[2] > term_at]
late = [r for r in records if r[1] >= term_at - margin]
before_rs = [r for r in records if r[2] <= term_at]
bad = [r for r in records if r[3] == "cut_off" or (r[4] is not None and r[4] >= 500)]
ok = lambda r: r[3] == "answered" and r[4] is not None and 200 <= r[4] < 300
print(f"requests answered before SIGTERM: {len(before_rs)} ({sum(map(ok, before_rs))} 2xx)")
print(f"in flight at SIGTERM (sent > {margin*1000:.0f} ms before it, answered after): {len(in_flight)}, "
      f"{sum(map(ok, in_flight))} completed 2xx "
      f"(GET {sum(1 for r in in_flight if r[0] == 'GET')}, POST {sum(1 for r in in_flight if r[0] == 'POST')})")
outcomes = {}
for r in late:
    key = r[3] if r[4] is None else f"{r[3]} {r[4]}"
    outcomes[key] = outcomes.get(key, 0) + 1
print(f"sent after SIGTERM (or within {margin*1000:.0f} ms of it): {len(late)}: {outcomes}")
print(f"5xx or cut-off bodies: {len(bad)}")
with open(created_file, "w") as f:
    for r in records:
        if r[5]:
            f.write(r[5] + "\n")
failed = [r for r in in_flight if not ok(r)]
if failed or bad or not in_flight:
    print("FAIL", failed[:5], bad[:5])
    sys.exit(1)
PY

status=0
wait "$pid" || status=$?
echo "server exit status after SIGTERM: $status"
[ "$status" = 0 ] || { echo "FAIL: exit status $status"; exit 1; }
start
base="http://127.0.0.1:$port/api/v1"
created=$(wc -l < "$work/created.txt")
missing=0
while read -r id; do
    rows=$(curl -s -H "Authorization: Bearer $token" "$base/evaluations/$id" |
        python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("computed", {}).get("rows", [])))')
    [ "$rows" = 20 ] || missing=$((missing + 1))
done < "$work/created.txt"
echo "evaluations answered 201: $created, missing or not whole after the restart: $missing"
[ "$missing" = 0 ] || { echo "FAIL"; exit 1; }
echo "sigterm under load: ok"
