#!/usr/bin/env bash
# Assignment churn benchmark (not a test): a private PostgreSQL under .data/bench-assign-pg (default settings, fsync on,
# max_connections 300), the service built in Release on a free 127.0.0.1 port, a tenant, a user with extension 1001 and
# 20,000 ALLOCATED numbers; then POST + DELETE /api/v1/dids/{id}/assign churn from 10 and from 100 HTTP clients
# (bench/loadgen/loadgen.c: one keep-alive connection per client, a minimal HTTP/1.1 client in C on one epoll thread),
# each client on its own numbers, and beside it pgbench running the same SQL statements as the handlers, prepared, one
# pipeline per batch the handler sends (bench/assign/assign.sql, unassign.sql: one request = one pgbench transaction,
# alternating) at -c 10 and -c 100. Before the first measured run the service gets BENCH_SERVICE_WARMUP seconds of the
# same churn, unmeasured: it runs with tiered compilation, and its hot code is recompiled with profile data in the first
# seconds under load, as in any long-running service. Each run also prints the CPU time per request of the service,
# of PostgreSQL and of the load generator (pgbench: of the whole machine and of pgbench's client). All of it is done
# BENCH_ROUNDS times, each round comparing Did with the pgbench runs next to it; the last lines give the median ratio.
# Usage: bench/assign.sh [SECONDS]   (default 20 per run, after 3 s of warm-up; outputs in bench/out/assign/)
# Env: BENCH_NUMBERS (default 20000), BENCH_CLIENTS (default "10 100"), BENCH_SERVICE_WARMUP (default 15),
# BENCH_ROUNDS (default 6: with three, an invocation's median moved between 0.64 and 0.74); Database__MaxPoolSize
# passes through to the service. BENCH_RULES=N (1 to 20, default 0) makes every POST a route with N rules, a failover
# and a ring time (the issue 18 example first: caller-ID prefix to a queue, withheld to Hangup(), a schedule's HOLIDAY
# and CLOSED; then more caller-ID prefixes). With 4 rules pgbench runs the same SQL beside it (bench/assign/assign-rules.sql,
# unassign-rules.sql), to show what the machine allows; with another count the service alone is measured. The summary
# gives the latency against the target (p95 < 100 ms at 100 clients).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-20}"
warm=3
numbers="${BENCH_NUMBERS:-20000}"
client_counts="${BENCH_CLIENTS:-10 100}"
service_warmup="${BENCH_SERVICE_WARMUP:-15}"
rounds="${BENCH_ROUNDS:-6}"
rules="${BENCH_RULES:-0}"
[[ "$rules" =~ ^([0-9]|1[0-9]|20)$ ]] || { echo "BENCH_RULES is 0 to 20, not '$rules'" >&2; exit 2; }
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
if ! command -v gcc >/dev/null; then
  [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev >&2
fi
gcc -O2 -Wall -Wextra -Werror -o "$out/loadgen" bench/loadgen/loadgen.c -lm

port="$(pg_free_port)"
base="http://127.0.0.1:$port"
export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=did_bench"
export DID_JWT_KEY="bench-signing-key-that-is-long-enough-0123456789"
export DID_ADMIN_EMAIL="bench@did.local" DID_ADMIN_PASSWORD="bench-password-123"
export Asterisk__ConfigDir="$out/asterisk" Asterisk__BackupDir="$out/asterisk/backup"
mkdir -p "$Asterisk__ConfigDir" "$Asterisk__BackupDir"
export Logging__LogLevel__Default=Warning ASPNETCORE_URLS="$base"
dotnet src/bin/Release/net10.0/Did.dll >"$out/service.log" 2>&1 &
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

# With BENCH_RULES, the POST body: the user by default, rules over a queue, an IVR and a schedule of the tenant.
body_file=""
if [ "$rules" -gt 0 ]; then
  queue="$(curl -sf "${auth[@]}" -d "{\"name\":\"support\",\"strategy\":\"RINGALL\",\"member_ring_seconds\":15,\"max_wait_seconds\":120,\"members\":[\"$user\"],\"tenant_id\":\"$tenant\"}" \
    "$base/api/v1/queues" | json id)"
  ivr="$(curl -sf "${auth[@]}" -d "{\"name\":\"main\",\"greeting\":\"custom/welcome\",\"timeout_seconds\":5,\"tenant_id\":\"$tenant\"}" \
    "$base/api/v1/ivrs" | json id)"
  schedule="$(curl -sf "${auth[@]}" -d "{\"name\":\"office\",\"timezone\":\"America/New_York\",\"tenant_id\":\"$tenant\",
    \"open\":[{\"days\":[\"MON\",\"TUE\",\"WED\",\"THU\",\"FRI\"],\"from\":\"09:00\",\"to\":\"17:30\"}],
    \"closed_dates\":[{\"date\":\"2026-12-25\",\"name\":\"Christmas Day\"}]}" "$base/api/v1/schedules" | json id)"
  body_file="$out/body-rules-$rules.json"
  python3 - "$rules" "$user" "$queue" "$ivr" "$schedule" >"$body_file" <<'PY'
import json, sys
n, user, queue, ivr, schedule = int(sys.argv[1]), *sys.argv[2:]
first = [
    {"caller_id_prefix": "+44", "destination": {"type": "QUEUE", "id": queue}},
    {"caller_id": "WITHHELD", "destination": {"type": "EXTERNAL", "value": "Hangup()"}},
    {"schedule_id": schedule, "when": "HOLIDAY", "destination": {"type": "EXTERNAL", "value": "Playback(custom/holiday)"}},
    {"schedule_id": schedule, "when": "CLOSED", "destination": {"type": "IVR", "id": ivr}},
]
rules = (first + [{"caller_id_prefix": f"+1{i:03d}", "destination": {"type": "QUEUE", "id": queue}} for i in range(n)])[:n]
print(json.dumps({"assigned_type": "USER", "assigned_id": user, "ring_seconds": 20,
                  "failover": {"type": "QUEUE", "id": queue}, "rules": rules}, separators=(",", ":")))
PY
  echo "every POST routes with $rules rule(s), a failover and a ring time: $(wc -c <"$body_file") bytes"
fi

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
churn=churn.sql
rule_targets=()
if [ "$rules" = 4 ]; then
  rule_targets=(-D queue="$queue" -D ivr="$ivr" -D schedule="$schedule")
  {
    echo '\set i :i + 1'
    echo '\set n 1 + :client_id + :clients * (((:i - 1) / 2) % :per)'
    echo '\if :i % 2 = 1'
    grep -v '^--' bench/assign/assign-rules.sql
    echo '\else'
    grep -v '^--' bench/assign/unassign-rules.sql
    echo '\endif'
  } >"$out/churn-rules.sql"
  churn=churn-rules.sql
fi

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
# CPU time (user + system, in clock ticks) of a process, of every PostgreSQL backend, and of the whole machine.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pg_ticks() { local s=0 p; for p in $(pgrep -u postgres); do s=$((s + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$s"; }
machine_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
hz="$(getconf CLK_TCK)"
per_request() { python3 -c "import sys; print(f'{(int(sys.argv[1]) - int(sys.argv[2])) * 1000 / int(sys.argv[3]) / int(sys.argv[4]):.3f}')" "$@"; }
loadgen() { # CLIENTS SECONDS WARMUP_SECONDS
  "$out/loadgen" 127.0.0.1 "$port" "$token" "$user" "$out/ids.txt" "$1" "$2" "$3" ${body_file:+"$body_file"}
}

if [ "$service_warmup" -gt 0 ]; then
  reset_db
  echo "warming the service up: ${service_warmup}s of churn, 10 clients, not measured..."
  loadgen 10 "$service_warmup" 0 >"$out/loadgen-warmup.txt" 2>&1 || { cat "$out/loadgen-warmup.txt"; exit 1; }
fi

# One measurement of each side; every result line is kept as "ROUND CLIENTS SIDE key=value..." in $results.
results="$out/results.txt"
: >"$results"
did_run() { # ROUND CLIENTS
  local r=$1 c=$2 s0 s1 p0 p1 line n pool cpu
  reset_db
  echo "round $r: HTTP churn, $c clients, ${secs}s..."
  s0="$(ticks "$svc")" p0="$(pg_ticks)"
  loadgen "$c" "$secs" "$warm" >"$out/loadgen-$c.txt" 2>&1 || { cat "$out/loadgen-$c.txt"; exit 1; }
  s1="$(ticks "$svc")" p1="$(pg_ticks)"
  grep '^error' "$out/loadgen-$c.txt" | head -5 || true
  kill -0 "$svc" 2>/dev/null || { echo "the service died: $(tail -20 "$out/service.log")"; exit 1; }
  line="$(grep '^RESULT' "$out/loadgen-$c.txt")"
  echo "  $line"
  n="$(field "$line" all_requests)" # the CPU figures count the run's warm-up requests too
  cpu="service $(per_request "$s1" "$s0" "$hz" "$n") / PostgreSQL $(per_request "$p1" "$p0" "$hz" "$n") / load generator $(field "$line" cpu_ms_per_request)"
  echo "  CPU ms per request: $cpu"
  pool="$(psql_ -d did_bench -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'did'")"
  echo "  service connections open in PostgreSQL after the run: $pool"
  echo "$r $c did ${line#RESULT } cpu=${cpu// /_}" >>"$results"
}

pgbench_run() { # ROUND CLIENTS
  local r=$1 c=$2 m0 m1 line n pb_ms
  reset_db
  echo "round $r: pgbench, $c clients, ${secs}s..."
  rm -f "$out"/pgbench_log.*
  m0="$(machine_ticks)"
  TIMEFORMAT='%U %S' # bash's own time: the CPU of pgbench's client
  { time (cd "$out" && "$pgbench_bin" -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -M prepared -c "$c" -j 2 -T "$((secs + warm))" \
    -D i=0 -D clients="$c" -D per="$((numbers / c))" -D admin="$admin" -D uid="$user" -D tenant="$tenant" \
    "${rule_targets[@]}" \
    -f "$churn" -l --log-prefix=pgbench_log did_bench >"pgbench-$c.txt" 2>&1) \
    || { tail -20 "$out/pgbench-$c.txt"; exit 1; }; } 2>"$out/pgbench-$c.time"
  m1="$(machine_ticks)"
  line="$(python3 - "$out" "$c" "$secs" "$warm" <<'PY'
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
  echo "  $line"
  n="$(cat "$out"/pgbench_log.* | wc -l)"
  pb_ms="$(python3 -c "import sys; u, s = map(float, open(sys.argv[1]).read().split()[-2:]); print(f'{(u + s) * 1000 / int(sys.argv[2]):.3f}')" \
    "$out/pgbench-$c.time" "$n")"
  echo "  CPU ms per transaction: whole machine $(per_request "$m1" "$m0" "$hz" "$n") / pgbench's client $pb_ms"
  echo "$r $c pgbench ${line#RESULT } cpu=whole_machine_$(per_request "$m1" "$m0" "$hz" "$n")_/_pgbench's_client_$pb_ms" >>"$results"
  rm -f "$out"/pgbench_log.*
}

# The machine's speed drifts by tens of percent within minutes here (no steal time is reported), so one Did
# run against a pgbench best measured a minute earlier can land on either side of a drift. Each round interleaves the
# two sides so that Did's run at the largest client count sits between pgbench's runs: odd rounds pgbench 10, Did 100,
# pgbench 100, Did 10; even rounds Did 10, pgbench 100, Did 100, pgbench 10. Every round is compared with its own
# pgbench, and the summary gives the median and the range.
read -ra counts <<<"$client_counts"
if [ "$rules" -gt 0 ]; then
  for r in $(seq 1 "$rounds"); do
    for c in "${counts[@]}"; do
      if [ "$rules" != 4 ]; then did_run "$r" "$c"
      elif [ $((r % 2)) = 1 ]; then pgbench_run "$r" "$c"; did_run "$r" "$c"
      else did_run "$r" "$c"; pgbench_run "$r" "$c"; fi
    done
  done
  python3 - "$results" "$secs" "$numbers" "$rules" <<'PY'
import sys
path, secs, numbers, rules = sys.argv[1:]
runs = [line.split() for line in open(path)]
print(f"\n## Assign/unassign churn with {rules} rule(s), a failover and a ring time per POST, {secs}s per run ({numbers} numbers)\n")
print("| round | clients | side | req/s | pairs/s | p50 / p95 / p99 ms | errors | CPU ms per request |")
print("|---:|---:|---|---:|---:|---|---:|---|")
p95 = {}
for r, c, side, *kv in runs:
    d = dict(x.split("=", 1) for x in kv)
    p95.setdefault((side, int(c)), []).append(float(d["p95_ms"]))
    print(f"| {r} | {c} | {'Did' if side == 'did' else 'pgbench, same SQL'} | {d['rps']} | {d['pairs_per_s']} | "
          f"{d['p50_ms']} / {d['p95_ms']} / {d['p99_ms']} | {d['errors']} | {d['cpu'].replace('_', ' ')} |")
print()
for (side, c), values in sorted(p95.items()):
    print(f"{c} clients: {'Did' if side == 'did' else 'pgbench'} p95 {min(values):.1f}-{max(values):.1f} ms over {len(values)} run(s)")
print("Target (issue 18): p95 < 100 ms at 100 clients.")
PY
  exit 0
fi
for r in $(seq 1 "$rounds"); do
  for i in "${!counts[@]}"; do
    up="${counts[$i]}" down="${counts[$((${#counts[@]} - 1 - i))]}"
    if [ $((r % 2)) = 1 ]; then pgbench_run "$r" "$up"; did_run "$r" "$down"; else did_run "$r" "$up"; pgbench_run "$r" "$down"; fi
  done
done

python3 - "$results" "$secs" "$numbers" <<'PY'
import statistics, sys
path, secs, numbers = sys.argv[1], sys.argv[2], sys.argv[3]
runs = {}
for line in open(path):
    r, c, side, *kv = line.split()
    runs[(int(r), int(c), side)] = dict(x.split("=", 1) for x in kv)
rounds = sorted({r for r, _, _ in runs})
counts = sorted({c for _, c, _ in runs})
best = {r: max(int(runs[(r, c, "pgbench")]["rps"]) for c in counts) for r in rounds}
print(f"\n## Assign/unassign churn, {secs}s per run ({numbers} numbers, each client on its own), {len(rounds)} round(s)\n")
print("| round | clients | Did req/s | Did pairs/s | pgbench tx/s | Did / pgbench same c | Did / pgbench best | "
      "Did p50 / p95 / p99 ms | pgbench p50 / p95 / p99 ms | Did errors |")
print("|---:|---:|---:|---:|---:|---:|---:|---|---|---:|")
ratio = {c: [] for c in counts}
for r in rounds:
    for c in counts:
        d, p = runs[(r, c, "did")], runs[(r, c, "pgbench")]
        ratio[c].append(int(d["rps"]) / best[r])
        lat = lambda x: f"{x['p50_ms']} / {x['p95_ms']} / {x['p99_ms']}"
        print(f"| {r} | {c} | {d['rps']} | {d['pairs_per_s']} | {p['rps']} | {int(d['rps']) / int(p['rps']):.2f} | "
              f"{ratio[c][-1]:.2f} | {lat(d)} | {lat(p)} | {d['errors']} |")
print()
for r in rounds:
    for c in counts:
        d, p = runs[(r, c, "did")], runs[(r, c, "pgbench")]
        print(f"CPU ms per request (pgbench: per transaction), round {r}, {c} clients: Did: {d['cpu'].replace('_', ' ')}; "
              f"pgbench: {p['cpu'].replace('_', ' ')}")
print()
for c in counts:
    p95 = [float(runs[(r, c, "did")]["p95_ms"]) for r in rounds]
    print(f"{c} clients: Did / pgbench best of its round: median {statistics.median(ratio[c]):.2f} "
          f"(range {min(ratio[c]):.2f}-{max(ratio[c]):.2f}); Did p95 {min(p95):.1f}-{max(p95):.1f} ms")
print(f"pgbench best per round: {', '.join(str(best[r]) for r in rounds)} tx/s. "
      "Targets: Did at 100 clients >= 70% of pgbench best; p95 < 15 ms at 10 clients, < 100 ms at 100.")
PY
