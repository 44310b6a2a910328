#!/usr/bin/env bash
# Dialplan benchmark (not a test): (1) DialplanRenderer.Render of 100,000 numbers across 1,000 tenants of 500 users,
# in-process, best/median after warm-up (target < 250 ms); (2) whole applies (POST /api/v1/apply) of that data set by
# the Release service in its own process, against a private PostgreSQL under .data/bench-apply-pg holding it and a
# FakeAsterisk (the tests' AMI server, real TCP on 127.0.0.1) in the bench process: per-step durations from the job,
# wall time and the service's peak memory (VmHWM), once against the plain fake and once against the fake costing what
# the measured real Asterisk costs (FakeSwitchCost.RealAsterisk; calibration in docs/performance.md), each round from an
# empty switch: first apply, one number re-routed, nothing changed; then in each round a drift check of the switch in sync
# (POST /api/v1/apply/drift-checks, wall time until its result is final; issue 19 target < 6 s) and one during which a
# number is re-routed through the API and applied (the apply's wall time and status, and whether the check still ran
# when the apply answered: issue 19's "no apply blocked meanwhile"). Prints markdown tables; see bench/RESULTS-apply.md.
# Also (3) the file steps of an apply (parse, lint, diff) in-process on the rendered file, to attribute the apply's time,
# and (4, not part of "all") GET /api/v1/routing/simulate on the live data set with rules: latency percentiles (target
# p95 < 20 ms); see bench/RESULTS-apply.md. The render also times the data set with rules (target < 300 ms).
# Usage: bench/apply.sh [render|steps|apply|simulate|all]   (default all)
# Environment: BENCH_TENANTS (1000), BENCH_USERS (500 per tenant), BENCH_NUMBERS (100000), BENCH_RUNS (10 timed renders),
# BENCH_RULES_PERCENT (20: numbers with 2-4 rules and a failover), BENCH_SIMULATIONS (2000 requests per series),
# BENCH_SWITCH_COST (both: plain then real-cost switch; or real, or free).
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
root="$PWD"
out="$root/bench/out"
mkdir -p "$out" .data
chmod 755 .data

echo "building (Release)..." >&2
dotnet build bench/ApplyBench/ApplyBench.csproj -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
bench=(dotnet bench/ApplyBench/bin/Release/net10.0/ApplyBench.dll)
export BENCH_OUT="$out" BENCH_ROOT="$root" BENCH_SWITCH_COST="${BENCH_SWITCH_COST:-both}"

if [ "$what" = all ] || [ "$what" = render ]; then
  "${bench[@]}" render
fi
if [ "$what" = all ] || [ "$what" = steps ]; then
  "${bench[@]}" steps
fi

if [ "$what" = all ] || [ "$what" = apply ] || [ "$what" = simulate ]; then
  source scripts/pg.sh
  pg_provision .data/bench-apply-pg
  trap 'pg_stop "$root/.data/bench-apply-pg"' EXIT
  mode=apply
  [ "$what" = simulate ] && mode=simulate
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA -d postgres \
    -c 'DROP DATABASE IF EXISTS did_bench_apply WITH (FORCE)' -c 'CREATE DATABASE did_bench_apply'
  export BENCH_PG="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=did_bench_apply"
  # The bench process starts the service (src/bin/Release/net10.0/Did.dll, built above as a reference) and stops it.
  "${bench[@]}" "$mode"
fi
