#!/usr/bin/env bash
# DID inventory benchmark (not a test): a private PostgreSQL under .data/bench-pg, the service built in Release on a free
# 127.0.0.1 port, a 1,000,000-row CSV imported over HTTP and the same file loaded with psql \copy into an identical empty
# table; 100,000 numbers allocated to a tenant through the bulk endpoint and 20,000 of them routed (USER, IVR, EXTERNAL).
# Then, with no ANALYZE since, every filter's total against count(*); and after VACUUM ANALYZE, p50/p95 of each filter's
# first page and cursor walks to the end of the list at page_size 200 (bench/latency.py). Prints tables.
# Then ranges (a 100,000-number range import, range allocations and deallocations of 10,000), the CSV export of every
# number (time and the service's peak memory, after a restart), and one number's history over 5,000,000 audit rows.
# Usage: bench/inventory.sh [ROWS]   (default 1000000; BENCH_REQUESTS per query, default 200; outputs in bench/out/)
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
requests="${BENCH_REQUESTS:-200}"
root="$PWD"
out="$root/bench/out"
mkdir -p "$out" .data
chmod 755 .data

source scripts/pg.sh
pg_provision .data/bench-pg
psql_() { "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
psql_ -d postgres -c 'DROP DATABASE IF EXISTS did_bench WITH (FORCE)' -c 'CREATE DATABASE did_bench'

echo "building (Release)..."
dotnet build src/Did.csproj -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null

[ -s "$out/valid-numbers-$rows.csv" ] || python3 bench/gen_numbers.py "$rows" "$out/valid-numbers-$rows.csv"
csv="$out/valid-numbers-$rows.csv"

port="$(pg_free_port)"
base="http://127.0.0.1:$port"
export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=did_bench"
export DID_JWT_KEY="bench-signing-key-that-is-long-enough-0123456789"
export DID_ADMIN_EMAIL="bench@did.local" DID_ADMIN_PASSWORD="bench-password-123"
export Logging__LogLevel__Default=Warning ASPNETCORE_URLS="$base"
DOTNET_ReadyToRun=0 dotnet src/bin/Release/net10.0/Did.dll >"$out/service.log" 2>&1 &
svc=$!
trap 'kill "$svc" 2>/dev/null || true; pg_stop "$root/.data/bench-pg"' EXIT
for _ in $(seq 1 100); do curl -sf "$base/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
curl -sf "$base/health/ready" >/dev/null

token="$(curl -sf -H 'Content-Type: application/json' -d "{\"email\":\"$DID_ADMIN_EMAIL\",\"password\":\"$DID_ADMIN_PASSWORD\"}" \
  "$base/api/v1/auth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
auth=(-H "Authorization: Bearer $token")

# The reference: plain psql \copy into an identical empty table (same columns, defaults, CHECKs, indexes, FK), with the
# random-UUID id default a schema would naturally have.
psql_ -d did_bench -c 'CREATE TABLE phone_numbers_ref (LIKE phone_numbers INCLUDING ALL)' \
  -c 'ALTER TABLE phone_numbers_ref ALTER COLUMN id SET DEFAULT gen_random_uuid()' \
  -c 'ALTER TABLE phone_numbers_ref ADD CONSTRAINT fk_ref_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)' \
  -c 'CHECKPOINT'

echo "importing $rows rows over HTTP..."
read -r code http_s < <(curl -s -o "$out/import.json" -w '%{http_code} %{time_total}\n' "${auth[@]}" \
  -H 'Content-Type: text/csv' --data-binary @"$csv" "$base/api/v1/dids/import")
[ "$code" = 201 ] || { echo "import answered $code: $(head -c 600 "$out/import.json")"; exit 1; }
hwm_kb="$(awk '/VmHWM/ {print $2}' "/proc/$svc/status")"
psql_ -d did_bench -c 'CHECKPOINT'

echo "loading the same file with psql \\copy..."
start=$(date +%s.%N)
psql_ -d did_bench -c "\\copy phone_numbers_ref (number, provider, provider_metadata) FROM '$csv' WITH (FORMAT csv, HEADER true)"
end=$(date +%s.%N)
copy_s=$(python3 -c "print(f'{$end - $start:.2f}')")

stored=$(psql_ -d did_bench -c 'SELECT count(*) FROM phone_numbers')
ref=$(psql_ -d did_bench -c 'SELECT count(*) FROM phone_numbers_ref')
psql_ -d did_bench -c 'DROP TABLE phone_numbers_ref'

# A tenant with a tenth of the numbers (100,000 of a million), handed over through the bulk endpoint in calls of 10,000.
tenant="$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d '{"name":"Bench Tenant","slug":"bench"}' \
  "$base/api/v1/tenants" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
python3 - "$csv" "$tenant" "$out" <<'PY'
import json, sys
csv, tenant, out = sys.argv[1:4]
nums = [line.split(",", 1)[0] for line in open(csv).read().splitlines()[1:]][::10][:100000]
for i in range(0, len(nums), 10000):
    json.dump({"tenant_id": tenant, "numbers": nums[i:i + 10000]}, open(f"{out}/allocate-{i // 10000}.json", "w"))
PY
start=$(date +%s.%N)
for i in $(seq 0 $(( ($(python3 -c "print(min(100000, ($rows + 9) // 10))") - 1) / 10000 ))); do
  code=$(curl -s -o "$out/allocate.out" -w '%{http_code}' "${auth[@]}" -H 'Content-Type: application/json' \
    --data-binary @"$out/allocate-$i.json" "$base/api/v1/dids/allocate")
  [ "$code" = 200 ] || { echo "bulk allocate answered $code: $(head -c 400 "$out/allocate.out")"; exit 1; }
done
end=$(date +%s.%N)
alloc_s=$(python3 -c "print(f'{$end - $start:.2f}')")

# 20,000 of the tenant's numbers routed: 12,000 to a user, 5,000 to an IVR, 3,000 to an EXTERNAL action. The routes are
# written in SQL (one statement, as the assign handler writes a route and its status together); the triggers count them.
json() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
user="$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' \
  -d "{\"email\":\"bench-user@did.local\",\"password\":\"bench-password-123\",\"display_name\":\"Bench User\",\"role\":\"USER\",\"tenant_id\":\"$tenant\",\"extension\":\"1001\"}" \
  "$base/api/v1/users" | json id)"
ivr="$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' \
  -d "{\"tenant_id\":\"$tenant\",\"name\":\"main\",\"greeting\":\"welcome\",\"timeout_seconds\":5}" "$base/api/v1/ivrs" | json id)"
psql_ -d did_bench -c "
  WITH picked AS (
      SELECT id, row_number() OVER (ORDER BY md5(number)) AS i FROM phone_numbers WHERE tenant_id = '$tenant' ORDER BY md5(number) LIMIT 20000),
  routes AS (
      INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_id, assigned_value)
      SELECT gen_random_uuid(), id, '$tenant',
             CASE WHEN i <= 12000 THEN 'USER' WHEN i <= 17000 THEN 'IVR' ELSE 'EXTERNAL' END,
             CASE WHEN i <= 12000 THEN '$user'::uuid WHEN i <= 17000 THEN '$ivr'::uuid END,
             CASE WHEN i > 17000 THEN 'Hangup()' END
      FROM picked)
  UPDATE phone_numbers p SET status = 'ASSIGNED', updated_at = now() FROM picked WHERE p.id = picked.id"

echo
echo "## Totals right after the import, the allocation and the routes (no ANALYZE since)"
echo
PSQL="$PG_BIN/psql" PG_PORT="$PG_PORT" PG_DB=did_bench python3 bench/latency.py "$base" "$token" "$tenant" 0 totals \
  || echo "SOME TOTALS ARE NOT EXACT"

# What autovacuum does shortly after a large load; done here so the timings do not depend on when it runs.
psql_ -d did_bench -c 'VACUUM ANALYZE'

ratio=$(python3 -c "print(f'{$http_s / $copy_s:.2f}')")
echo
echo "## Import: $rows rows ($(du -h "$csv" | cut -f1) CSV)"
echo
echo "| | seconds |"
echo "|---|---:|"
echo "| HTTP import (POST /api/v1/dids/import, text/csv, curl) | $(printf '%.2f' "$http_s") |"
echo "| psql \\copy into an identical empty table | $copy_s |"
echo "| ratio HTTP / \\copy (target <= 1.0) | $ratio |"
echo "| service peak memory (VmHWM, target < 400 MB) | $((hwm_kb / 1024)) MB |"
echo "| bulk allocate $(python3 -c "print(f'{min(100000, ($rows + 9) // 10):,}')") numbers (POST /api/v1/dids/allocate, 10,000 per call) | $alloc_s |"
echo
echo "rows stored: $stored (service), $ref (\\copy)"
echo
echo "## The list with $rows numbers present"
echo
python3 bench/latency.py "$base" "$token" "$tenant" "$requests" latency

# Ranges: 100,000 numbers of area code 971 (which the CSV leaves out) imported as one JSON range, then allocated to the
# tenant and taken back in blocks of 10,000, each call timed.
echo
echo "## Ranges"
echo
timed_post() { # URL BODY -> seconds; exits unless 2xx
  local code secs
  read -r code secs < <(curl -s -o "$out/range.out" -w '%{http_code} %{time_total}\n' "${auth[@]}" -H 'Content-Type: application/json' \
    -d "$2" "$base$1")
  [ "${code:0:1}" = 2 ] || { echo "$1 answered $code: $(head -c 400 "$out/range.out")" >&2; exit 1; }
  echo "$secs"
}
import_s=$(timed_post /api/v1/dids/import '{"range":{"from":"+19712000000","to":"+19712099999"},"provider":"bench-range"}')
alloc=() dealloc=()
for b in $(seq 0 9); do
  alloc+=("$(timed_post /api/v1/dids/allocate "{\"tenant_id\":\"$tenant\",\"range\":{\"from\":\"+197120${b}0000\",\"to\":\"+197120${b}9999\"}}")")
done
for b in $(seq 0 9); do
  dealloc+=("$(timed_post /api/v1/dids/deallocate "{\"range\":{\"from\":\"+197120${b}0000\",\"to\":\"+197120${b}9999\"}}")")
done
stats() { python3 -c 'import statistics,sys; v=sorted(map(float,sys.argv[1:])); print(f"{statistics.median(v):.2f} | {v[-1]:.2f}")' "$@"; }
echo "| range call | calls | median s | max s |"
echo "|---|---:|---:|---:|"
echo "| import 100,000 numbers as one range (JSON) | 1 | $import_s | $import_s |"
echo "| allocate 10,000 numbers as a range (target < 1 s) | 10 | $(stats "${alloc[@]}") |"
echo "| deallocate 10,000 numbers as a range | 10 | $(stats "${dealloc[@]}") |"

# Export: the service restarted first, so its peak memory (VmHWM) is the export's own, not the import's.
kill "$svc"; wait "$svc" 2>/dev/null || true
DOTNET_ReadyToRun=0 dotnet src/bin/Release/net10.0/Did.dll >>"$out/service.log" 2>&1 &
svc=$!
for _ in $(seq 1 100); do curl -sf "$base/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
token="$(curl -sf -H 'Content-Type: application/json' -d "{\"email\":\"$DID_ADMIN_EMAIL\",\"password\":\"$DID_ADMIN_PASSWORD\"}" \
  "$base/api/v1/auth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
auth=(-H "Authorization: Bearer $token")
start_kb="$(awk '/VmHWM/ {print $2}' "/proc/$svc/status")"
read -r code export_s < <(curl -s -o "$out/export.csv" -w '%{http_code} %{time_total}\n' "${auth[@]}" "$base/api/v1/dids/export")
[ "$code" = 200 ] || { echo "export answered $code: $(head -c 400 "$out/export.csv")"; exit 1; }
export_kb="$(awk '/VmHWM/ {print $2}' "/proc/$svc/status")"
exported=$(( $(wc -l <"$out/export.csv") - 1 ))
stored=$(psql_ -d did_bench -c 'SELECT count(*) FROM phone_numbers')
echo
echo "## Export"
echo
echo "| | |"
echo "|---|---:|"
echo "| rows exported (GET /api/v1/dids/export, no filter) / stored | $exported / $stored |"
echo "| seconds (target < 10) | $export_s |"
echo "| service peak memory before / after the export (VmHWM, target < 200 MB) | $((start_kb / 1024)) / $((export_kb / 1024)) MB |"
echo "| CSV size | $(du -h "$out/export.csv" | cut -f1) |"

# History: 5,000,000 audit rows. Each of the tenant's 100,000 numbers gets 40 route changes, every other number one
# change, written in SQL as the assign handler writes them (entity_id = the number); then random numbers' histories.
echo
echo "generating audit rows for the history benchmark..."
psql_ -d did_bench -c "
  INSERT INTO audit_logs (id, at, action, entity_type, entity_id, tenant_id, before, after)
  SELECT gen_random_uuid(), now() - make_interval(mins => 41 - k), CASE WHEN k = 1 THEN 'ASSIGN' ELSE 'REASSIGN' END, 'PHONE_NUMBER',
         p.id, p.tenant_id, '{\"assigned_type\": \"EXTERNAL\", \"assigned_value\": \"Hangup()\"}',
         '{\"assigned_type\": \"EXTERNAL\", \"assigned_value\": \"Congestion()\"}'
  FROM phone_numbers p CROSS JOIN generate_series(1, 40) k WHERE p.tenant_id = '$tenant'" \
  -c "
  INSERT INTO audit_logs (id, at, action, entity_type, entity_id, tenant_id, before, after)
  SELECT gen_random_uuid(), now(), 'UPDATE', 'PHONE_NUMBER', p.id, NULL, '{\"provider\": \"old\"}', '{\"provider\": \"new\"}'
  FROM phone_numbers p WHERE p.tenant_id IS NULL" \
  -c 'VACUUM ANALYZE audit_logs' -c 'VACUUM ANALYZE audit_log_numbers'
echo
echo "## One number's history ($(psql_ -d did_bench -c 'SELECT count(*) FROM audit_logs') audit rows, $(psql_ -d did_bench -c 'SELECT count(*) FROM audit_log_numbers') bulk links)"
echo
PSQL="$PG_BIN/psql" PG_PORT="$PG_PORT" PG_DB=did_bench python3 bench/latency.py "$base" "$token" "$tenant" "$requests" history

echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
