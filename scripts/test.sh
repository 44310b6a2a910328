#!/usr/bin/env bash
# Build and run the whole suite against a real PostgreSQL; last line: "tests: N passed, M failed".
# Uses ConnectionStrings__Postgres when set, Testcontainers when a Docker engine answers,
# otherwise a throwaway private cluster under .data/test-pg. Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .data
chmod 711 .data
results="$PWD/.data/test-results"
rm -rf "$results"

if [ -z "${ConnectionStrings__Postgres:-}" ]; then
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    echo "A Docker engine answers: the tests start PostgreSQL with Testcontainers."
  else
    source scripts/pg.sh
    pg_stop .data/test-pg
    rm -rf .data/test-pg
    PG_FSYNC=off PG_SYNC_COMMIT=off pg_provision .data/test-pg
    trap 'pg_stop "$PWD/.data/test-pg"' EXIT
    export ConnectionStrings__Postgres="$PG_URL"
    echo "PostgreSQL for tests: 127.0.0.1:$PG_PORT"
  fi
fi

dotnet build Did.sln -nologo -v quiet -clp:ErrorsOnly
set +e
dotnet test tests/Did.Tests/Did.Tests.csproj --no-build -nologo \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?
set -e

trx="$results/results.trx"
if [ ! -f "$trx" ]; then
  echo "tests: 0 passed, 1 failed"
  exit 1
fi
counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n1)"
passed="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
failed="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
errors="$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")"
failed=$(( ${failed:-0} + ${errors:-0} ))
passed=${passed:-0}
echo "tests: $passed passed, $failed failed"
if [ "$failed" -gt 0 ] || [ "$passed" -eq 0 ] || [ "$status" -ne 0 ]; then exit 1; fi
