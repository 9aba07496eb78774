#!/usr/bin/env bash
# Property-based contract testing: schemathesis generates requests from the service's own
# OpenAPI document and checks that no answer is a 5xx and every answer matches the contract.
# Runs against a fresh SQLite database with the seed report loaded, as an admin of 湖南省.
#
#   benches/robustness/schemathesis.sh [max-examples]      (default 20 per operation)
#   ST_POSTGRES=postgres://postgres@127.0.0.1:5432 benches/robustness/schemathesis.sh
#       runs against a scratch database on that PostgreSQL server instead
set -euo pipefail
cd "$(dirname "$0")/../.."
examples="${1:-20}"
work="$(mktemp -d)"
port=18195
secret="schemathesis-secret-schemathesis-secret-0123"
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

python3 -c 'import schemathesis' 2>/dev/null || python3 -m pip install --quiet schemathesis
cargo build --quiet --bin jixiao
if [ -n "${ST_POSTGRES:-}" ]; then
    name="jx_schemathesis_$$"
    psql "$ST_POSTGRES/postgres" -qc "CREATE DATABASE $name"
    db="$ST_POSTGRES/$name"
    trap 'kill "${pid:-}" 2>/dev/null || true; sleep 1; psql "$ST_POSTGRES/postgres" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)"; rm -rf "$work"' EXIT
else
    db="sqlite://$work/st.db?mode=rwc"
fi
./target/debug/jixiao demo --database "$db" > /dev/null
JIXIAO_RATE_LIMIT_PER_MINUTE=0 ./target/debug/jixiao serve --listen "127.0.0.1:$port" \
    --jwt-secret "$secret" --database "$db" --log-level warn 2> "$work/server.log" &
pid=$!
for _ in $(seq 1 50); do
    curl -fs "http://127.0.0.1:$port/healthz" > /dev/null && break
    sleep 0.2
done
token="$(./target/debug/jixiao token --jwt-secret "$secret" --role admin --region 430000 --ttl 2h)"
cd "$work"
schemathesis run "http://127.0.0.1:$port/openapi.json" \
    -H "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$examples" --workers 2
