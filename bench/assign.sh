#!/usr/bin/env bash
# Assignment churn benchmark (not a test): a private PostgreSQL under .data/bench-assign-pg (default settings, fsync on,
# max_connections 300), the service built in Release on a free 127.0.0.1 port, a tenant, a user with extension 1001 and
# 20,000 ALLOCATED numbers; then POST + DELETE /api/v1/dids/{id}/assign churn from 10 and from 100 HTTP clients
# (bench/LoadGen: one keep-alive connection per client, a minimal HTTP/1.1 client), each client on its own numbers, and
# beside it pgbench running the same SQL statements as the handlers, prepared, one pipeline per batch the handler sends
# (bench/assign/assign.sql, unassign.sql: one request = one pgbench transaction, alternating) at -c 10 and -c 100.
# Usage: bench/assign.sh [SECONDS]   (default 20 per run, after 3 s of warm-up; outputs in bench/out/assign/)
# Env: BENCH_NUMBERS (default 20000), BENCH_CLIENTS (default "10 100"), Database__MaxPoolSize passes through to the service.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-20}"
warm=3
numbers="${BENCH_NUMBERS:-20000}"
client_counts="${BENCH_CLIENTS:-10 100}"
root="$PWD"
out="$root/bench/out/assign"
mkdir -p "$out" .data
chmod 755 .data

source scripts/pg.sh
pg_provision .data/bench-assign-pg
trap 'pg_stop "$root/.data/bench-assign-pg"' EXIT
psql_() { "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
psql_ -d postgres -c 'DROP DATABASE IF EXISTS did_bench WITH (FORCE)' -c 'CREATE DATABASE did_bench'
pgbench_bin=/usr/bin/pgbench
[ -x "$pgbench_bin" ] || pgbench_bin="$PG_BIN/pgbench"
if [ ! -x "$pgbench_bin" ]; then
  [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-contrib >&2 || true
  pgbench_bin="$PG_BIN/pgbench"
fi

echo "building (Release)..."
dotnet build src/Did.csproj -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
dotnet build bench/LoadGen/LoadGen.csproj -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null

port="$(pg_free_port)"
base="http://127.0.0.1:$port"
export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=did_bench"
export DID_JWT_KEY="bench-signing-key-that-is-long-enough-0123456789"
export DID_ADMIN_EMAIL="bench@did.local" DID_ADMIN_PASSWORD="bench-password-123"
export Asterisk__ConfigDir="$out/asterisk" Asterisk__BackupDir="$out/asterisk/backup"
mkdir -p "$Asterisk__ConfigDir" "$Asterisk__BackupDir"
export Logging__LogLevel__Default=Warning ASPNETCORE_URLS="$base"
DOTNET_ReadyToRun=0 dotnet src/bin/Release/net10.0/Did.dll >"$out/service.log" 2>&1 &
svc=$!
trap 'kill "$svc" 2>/dev/null || true; wait "$svc" 2>/dev/null || true; pg_stop "$root/.data/bench-assign-pg"' EXIT
for _ in $(seq 1 150); do curl -sf "$base/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
curl -sf "$base/health/ready" >/dev/null

json() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
token="$(curl -sf -H 'Content-Type: application/json' -d "{\"email\":\"$DID_ADMIN_EMAIL\",\"password\":\"$DID_ADMIN_PASSWORD\"}" \
  "$base/api/v1/auth/token" | json access_token)"
auth=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json')
tenant="$(curl -sf "${auth[@]}" -d '{"name":"Bench Tenant","slug":"bench"}' "$base/api/v1/tenants" | json id)"
user="$(curl -sf "${auth[@]}" -d "{\"email\":\"bench-user@did.local\",\"password\":\"bench-password-123\",\"display_name\":\"Bench User\",\"role\":\"USER\",\"tenant_id\":\"$tenant\",\"extension\":\"1001\"}" \
  "$base/api/v1/users" | json id)"
admin="$(psql_ -d did_bench -c "SELECT id FROM users WHERE email = '$DID_ADMIN_EMAIL'")"

# Numbers with ids made from n, so the pgbench scripts address number n without a lookup; the service sees plain uuids.
psql_ -d did_bench -c "
  INSERT INTO phone_numbers (id, number, status, tenant_id)
  SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, '+1555' || lpad(n::text, 7, '0'), 'ALLOCATED', '$tenant'
  FROM generate_series(1, $numbers) n" -c 'VACUUM ANALYZE' -c 'CHECKPOINT'
psql_ -d did_bench -c "SELECT id FROM phone_numbers WHERE tenant_id = '$tenant' ORDER BY id" >"$out/ids.txt"

# Same state before every run: nothing assigned, dead rows of the previous run vacuumed, a fresh checkpoint.
reset_db() {
  psql_ -d did_bench -c 'DELETE FROM did_assignments' \
    -c "UPDATE phone_numbers SET status = 'ALLOCATED' WHERE status = 'ASSIGNED'" \
    -c 'VACUUM ANALYZE phone_numbers' -c 'VACUUM ANALYZE did_assignments' -c 'VACUUM ANALYZE users' -c 'CHECKPOINT'
}

# One pgbench transaction per request: odd i assigns number n, even i unassigns it, like an HTTP client's loop.
{
  echo '\set i :i + 1'
  echo '\set n 1 + :client_id + :clients * (((:i - 1) / 2) % :per)'
  echo '\if :i % 2 = 1'
  grep -v '^--' bench/assign/assign.sql
  echo '\else'
  grep -v '^--' bench/assign/unassign.sql
  echo '\endif'
} >"$out/churn.sql"

declare -A did_line pg_line
for c in $client_counts; do
  reset_db
  echo "HTTP churn, $c clients, ${secs}s..."
  dotnet bench/LoadGen/bin/Release/net10.0/LoadGen.dll "$base" "$token" "$user" "$out/ids.txt" "$c" "$secs" "$warm" \
    >"$out/loadgen-$c.txt" 2>&1 || { cat "$out/loadgen-$c.txt"; exit 1; }
  grep '^error' "$out/loadgen-$c.txt" | head -5 || true
  kill -0 "$svc" 2>/dev/null || { echo "the service died: $(tail -20 "$out/service.log")"; exit 1; }
  did_line[$c]="$(grep '^RESULT' "$out/loadgen-$c.txt")"
  echo "  ${did_line[$c]}"
  pool="$(psql_ -d did_bench -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'did'")"
  echo "  service connections open in PostgreSQL after the run: $pool"

  reset_db
  echo "pgbench, $c clients, ${secs}s..."
  rm -f "$out"/pgbench_log.*
  (cd "$out" && "$pgbench_bin" -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -M prepared -c "$c" -j 2 -T "$((secs + warm))" \
    -D i=0 -D clients="$c" -D per="$((numbers / c))" -D admin="$admin" -D uid="$user" -D tenant="$tenant" \
    -f churn.sql -l --log-prefix=pgbench_log did_bench >"pgbench-$c.txt" 2>&1) \
    || { tail -20 "$out/pgbench-$c.txt"; exit 1; }
  pg_line[$c]="$(python3 - "$out" "$c" "$secs" "$warm" <<'PY'
import glob, sys
out, c, secs, warm = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
rows = []
for f in glob.glob(f"{out}/pgbench_log.*"):
    for line in open(f):
        p = line.split()  # client_id transaction_no latency_us script_no epoch_s epoch_us
        rows.append((int(p[4]) + int(p[5]) / 1e6, int(p[2]) / 1000.0))
t0 = min(t - l / 1000 for t, l in rows)
ms = sorted(l for t, l in rows if t0 + warm <= t <= t0 + warm + secs)
q = lambda f: ms[min(len(ms) - 1, max(0, -(-int(f * len(ms) * 1000) // 1000) - 1))]
print(f"RESULT clients={c} requests={len(ms)} rps={len(ms) / secs:.0f} pairs_per_s={len(ms) / secs / 2:.0f} "
      f"p50_ms={q(.5):.1f} p95_ms={q(.95):.1f} p99_ms={q(.99):.1f} max_ms={ms[-1]:.1f} errors=0")
PY
)"
  grep -E 'failed|aborted' "$out/pgbench-$c.txt" | sed 's/^/  pgbench: /' || true
  echo "  ${pg_line[$c]}"
done
rm -f "$out"/pgbench_log.*

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
best=0
for c in $client_counts; do r="$(field "${pg_line[$c]}" rps)"; [ "$r" -gt "$best" ] && best=$r; done
echo
echo "## Assign/unassign churn, ${secs}s per run ($numbers numbers, each client on its own)"
echo
echo "| clients | Did req/s | Did pairs/s | pgbench tx/s | Did / pgbench same c | Did / pgbench best | Did p50 / p95 / p99 ms | pgbench p50 / p95 / p99 ms | Did errors |"
echo "|---:|---:|---:|---:|---:|---:|---|---|---:|"
for c in $client_counts; do
  d="${did_line[$c]}" p="${pg_line[$c]}"
  dr="$(field "$d" rps)" pr="$(field "$p" rps)"
  echo "| $c | $dr | $(field "$d" pairs_per_s) | $pr | $(python3 -c "print(f'{$dr / $pr:.2f}')") | $(python3 -c "print(f'{$dr / $best:.2f}')") \
| $(field "$d" p50_ms) / $(field "$d" p95_ms) / $(field "$d" p99_ms) | $(field "$p" p50_ms) / $(field "$p" p95_ms) / $(field "$p" p99_ms) | $(field "$d" errors) |"
done
echo
echo "pgbench best: $best tx/s. Targets: Did at 100 clients >= 70% of pgbench best; p95 < 15 ms at 10 clients, < 100 ms at 100."
