#!/usr/bin/env bash
# What exact DID totals and route-type paging cost the assign path (not a test). A private PostgreSQL under
# .data/bench-counts-pg (default settings, fsync on), migrated by the service's own `migrate`, a tenant, a USER with
# extension 1001, 20,000 ALLOCATED numbers (as in bench/assign.sh) and 980,000 more in the inventory. Then:
#  - write: pgbench running the assign/unassign churn of bench/assign/*.sql (the statements the handlers send) in three
#    set-ups, interleaved for BENCH_ROUNDS rounds, each run printing transactions/s and the CPU time of all PostgreSQL
#    processes per transaction:
#      before   the write path as it was before M0008/M0009: count triggers and the route's number trigger disabled,
#               the route's number column nullable, the route's foreign key on (id, tenant_id) and the routes' old
#               (tenant_id, assigned_type) index;
#      counts   plus the count triggers of M0009;
#      all      plus the route's number (M0008: its trigger, the foreign key on (id, tenant_id, number) and the two
#               (..., assigned_type, number) indexes): as shipped;
#  - read: the total of the DID list (the sum over phone_number_counts and phone_number_count_deltas that ListDids sends)
#    with 0, 1,500 and 15,000 deltas pending (a fold each second sees about 1,500 under this churn), and, beside it,
#    count(*) over the matching rows of phone_numbers, which is what an exact total costs without the counts.
# Usage: bench/counts.sh [SECONDS]   (default 15 per run; BENCH_ROUNDS default 4, BENCH_CLIENTS default 100)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-15}"
rounds="${BENCH_ROUNDS:-4}"
clients="${BENCH_CLIENTS:-100}"
numbers=20000
root="$PWD"
out="$root/bench/out/counts"
mkdir -p "$out" .data
chmod 755 .data

source scripts/pg.sh
pg_provision .data/bench-counts-pg
trap 'pg_stop "$root/.data/bench-counts-pg"' EXIT
psql_() { PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
psql_ -d postgres -c 'DROP DATABASE IF EXISTS did_bench WITH (FORCE)' -c 'CREATE DATABASE did_bench'
pgbench_bin=/usr/bin/pgbench
[ -x "$pgbench_bin" ] || pgbench_bin="$PG_BIN/pgbench"

echo "building (Release) and migrating..."
dotnet build src/Did.csproj -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=did_bench" \
  dotnet src/bin/Release/net10.0/Did.dll migrate >/dev/null

tenant=11111111-1111-7111-8111-111111111111 user=22222222-2222-7222-8222-222222222222 admin=33333333-3333-7333-8333-333333333333
psql_ -d did_bench \
  -c "INSERT INTO tenants (id, name, slug) VALUES ('$tenant', 'Bench Tenant', 'bench')" \
  -c "INSERT INTO users (id, email, display_name, password_hash, role, tenant_id, extension, security_stamp) VALUES
      ('$user', 'bench-user@did.local', 'Bench User', 'x', 'USER', '$tenant', '1001', gen_random_uuid()),
      ('$admin', 'bench@did.local', 'Bench Admin', 'x', 'PLATFORM_ADMIN', NULL, NULL, gen_random_uuid())" \
  -c "INSERT INTO phone_numbers (id, number, status, tenant_id, provider)
      SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, '+1555' || lpad(n::text, 7, '0'), 'ALLOCATED', '$tenant', 'bench'
      FROM generate_series(1, $numbers) n" \
  -c "INSERT INTO phone_numbers (id, number, provider)
      SELECT gen_random_uuid(), '+1666' || lpad(n::text, 7, '0'), (ARRAY['twilio','bandwidth','telnyx','voxbone'])[1 + n % 4]
      FROM generate_series(1, 980000) n" \
  -c 'VACUUM ANALYZE'

{
  echo '\set i :i + 1'
  echo '\set n 1 + :client_id + :clients * (((:i - 1) / 2) % :per)'
  echo '\if :i % 2 = 1'
  grep -v '^--' bench/assign/assign.sql
  echo '\else'
  grep -v '^--' bench/assign/unassign.sql
  echo '\endif'
} >"$out/churn.sql"

# Switches the routes' write path between the three set-ups. Routes are deleted before each run, so their indexes and
# foreign key change at once; the unique key on phone_numbers that the foreign key needs is rebuilt (a few seconds).
setup() { # before|counts|all
  local counts number shipped
  counts="$([ "$1" = before ] && echo DISABLE || echo ENABLE)"
  number="$([ "$1" = all ] && echo ENABLE || echo DISABLE)"
  psql_ -d did_bench -c "ALTER TABLE did_assignments $counts TRIGGER tr_did_assignments_counts" \
    -c "ALTER TABLE did_assignments $counts TRIGGER tr_did_assignments_counts_changed" \
    -c "ALTER TABLE phone_numbers $counts TRIGGER tr_phone_numbers_counts_moved" \
    -c "ALTER TABLE did_assignments $number TRIGGER tr_did_assignments_number"
  shipped="$(psql_ -d did_bench -c "SELECT count(*) FROM pg_constraint WHERE conname = 'ux_phone_numbers_id_tenant_number'")"
  if [ "$1" = all ] && [ "$shipped" = 0 ]; then
    psql_ -d did_bench -c 'ALTER TABLE did_assignments ALTER COLUMN number SET NOT NULL' \
      -c 'ALTER TABLE phone_numbers ADD CONSTRAINT ux_phone_numbers_id_tenant_number UNIQUE (id, tenant_id, number)' \
      -c 'ALTER TABLE did_assignments DROP CONSTRAINT fk_did_assignments_number' \
      -c 'ALTER TABLE did_assignments ADD CONSTRAINT fk_did_assignments_number FOREIGN KEY (phone_number_id, tenant_id, number) REFERENCES phone_numbers (id, tenant_id, number)' \
      -c 'ALTER TABLE phone_numbers DROP CONSTRAINT ux_phone_numbers_id_tenant' \
      -c 'DROP INDEX ix_did_assignments_tenant' \
      -c 'CREATE INDEX ix_did_assignments_tenant_type_number ON did_assignments (tenant_id, assigned_type, number)' \
      -c 'CREATE INDEX ix_did_assignments_type_number ON did_assignments (assigned_type, number)' -c 'VACUUM ANALYZE phone_numbers'
  elif [ "$1" != all ] && [ "$shipped" = 1 ]; then
    psql_ -d did_bench -c 'ALTER TABLE did_assignments ALTER COLUMN number DROP NOT NULL' \
      -c 'ALTER TABLE phone_numbers ADD CONSTRAINT ux_phone_numbers_id_tenant UNIQUE (id, tenant_id)' \
      -c 'ALTER TABLE did_assignments DROP CONSTRAINT fk_did_assignments_number' \
      -c 'ALTER TABLE did_assignments ADD CONSTRAINT fk_did_assignments_number FOREIGN KEY (phone_number_id, tenant_id) REFERENCES phone_numbers (id, tenant_id)' \
      -c 'ALTER TABLE phone_numbers DROP CONSTRAINT ux_phone_numbers_id_tenant_number' \
      -c 'DROP INDEX ix_did_assignments_tenant_type_number' -c 'DROP INDEX ix_did_assignments_type_number' \
      -c 'CREATE INDEX ix_did_assignments_tenant ON did_assignments (tenant_id, assigned_type)' -c 'VACUUM ANALYZE phone_numbers'
  fi
}

# CPU ticks of this cluster: the postmaster, the backends it has reaped, and its live children.
pg_ticks() {
  local pm t c
  pm="$(head -1 "$PG_DATA/cluster/postmaster.pid")"
  t="$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")"
  for c in $(pgrep -P "$pm"); do t=$((t + $(awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || echo 0))); done
  echo "$t"
}
hz="$(getconf CLK_TCK)"

# Each run starts from the same state; the deltas of the previous run are dropped (this bench times the counts, it does
# not read them back).
reset_db() {
  psql_ -d did_bench -c 'BEGIN' -c 'DELETE FROM did_assignments' \
    -c "UPDATE phone_numbers SET status = 'ALLOCATED' WHERE status = 'ASSIGNED'" -c 'COMMIT' \
    -c 'TRUNCATE phone_number_count_deltas' \
    -c 'VACUUM ANALYZE phone_numbers' -c 'VACUUM ANALYZE did_assignments' -c 'CHECKPOINT' >/dev/null
}

results="$out/write.txt"
: >"$results"
run() { # ROUND before|counts|all
  local c0 c1 log tx tps
  reset_db
  setup "$2"
  c0="$(pg_ticks)"
  log="$("$pgbench_bin" -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -M prepared -c "$clients" -j 2 -T "$secs" \
    -D i=0 -D clients="$clients" -D per="$((numbers / clients))" -D admin="$admin" -D uid="$user" -D tenant="$tenant" \
    -f "$out/churn.sql" did_bench 2>&1)"
  sleep 1
  c1="$(pg_ticks)"
  tx="$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$log")"
  tps="$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$log")"
  python3 -c "import sys; print(sys.argv[1], sys.argv[2], f'{float(sys.argv[3]):.0f}', f'{(int(sys.argv[5]) - int(sys.argv[4])) * 1000 / int(sys.argv[6]) / int(sys.argv[7]):.3f}')" \
    "$1" "$2" "$tps" "$c0" "$c1" "$hz" "$tx" | tee -a "$results"
}

echo "write: $rounds rounds of ${secs}s churn at $clients clients (round set-up tps cpu_ms_per_tx)"
sides=(before counts all)
for r in $(seq 1 "$rounds"); do
  for i in 0 1 2; do run "$r" "${sides[$(( (r + i) % 3 ))]}"; done # each round starts with another set-up
done
reset_db
setup all

# Reads: the total ListDids sends for ?status=ALLOCATED&tenant_id=..., and count(*) for the same filter.
cat >"$out/total.sql" <<SQL
SELECT coalesce(sum(CASE WHEN assigned_type IS NULL THEN n ELSE -n END), 0)::bigint FROM (
    SELECT tenant_id, provider, assigned_type, n FROM phone_number_counts
    UNION ALL
    SELECT tenant_id, provider, assigned_type, n FROM phone_number_count_deltas) c
WHERE tenant_id = '$tenant' AND tenant_id IS NOT NULL;
SQL
cat >"$out/whole.sql" <<SQL
SELECT coalesce(sum(n), 0)::bigint FROM (
    SELECT tenant_id, provider, assigned_type, n FROM phone_number_counts
    UNION ALL
    SELECT tenant_id, provider, assigned_type, n FROM phone_number_count_deltas) c
WHERE assigned_type IS NULL;
SQL
echo "SELECT count(*) FROM phone_numbers WHERE status = 'UNASSIGNED';" >"$out/count-unassigned.sql"
echo "SELECT count(*) FROM phone_numbers;" >"$out/count-all.sql"
latency() { # SCRIPT -> average latency in ms over 5 s, one client
  "$pgbench_bin" -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -M prepared -c 1 -T 5 -f "$1" did_bench 2>&1 \
    | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p'
}
psql_ -d did_bench -c 'SELECT 1' >/dev/null
reads="$out/read.txt"
: >"$reads"
for pending in 0 1500 15000; do
  psql_ -d did_bench -c 'TRUNCATE phone_number_count_deltas' \
    -c "INSERT INTO phone_number_count_deltas (tenant_id, provider, assigned_type, n)
        SELECT '$tenant', 'bench', CASE WHEN i % 2 = 0 THEN 'USER' END, CASE WHEN i % 4 < 2 THEN 1 ELSE -1 END FROM generate_series(1, $pending) i" \
    -c 'VACUUM ANALYZE phone_number_count_deltas'
  echo "total from counts, $pending deltas pending: tenant+status $(latency "$out/total.sql") ms, whole list $(latency "$out/whole.sql") ms" | tee -a "$reads"
done
echo "count(*) instead: status=UNASSIGNED (980,000 rows) $(latency "$out/count-unassigned.sql") ms, whole list $(latency "$out/count-all.sql") ms" | tee -a "$reads"

python3 - "$results" <<'PY'
import statistics, sys
by = {}
for r, side, tps, cpu in (l.split() for l in open(sys.argv[1])):
    by.setdefault(int(r), {})[side] = (float(tps), float(cpu))
print()
for side in ("counts", "all"):
    tps = [v[side][0] / v["before"][0] for v in by.values()]
    cpu = [v[side][1] / v["before"][1] for v in by.values()]
    print(f"write, {side} / before, per round: tps {', '.join(f'{x:.2f}' for x in tps)} (median {statistics.median(tps):.2f}); "
          f"PostgreSQL CPU per transaction {', '.join(f'{x:.2f}' for x in cpu)} (median {statistics.median(cpu):.2f})")
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
