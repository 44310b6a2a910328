#!/usr/bin/env bash
# Lint the OpenAPI document the service serves with redocly's `recommended` rules; exits non-zero on any error.
#   scripts/lint-openapi.sh            build the service, serve it on a free port over a private PostgreSQL
#                                      (.data/lint-pg), fetch /openapi/v1.json, stop both, lint the document
#   scripts/lint-openapi.sh URL|FILE   lint a running service's document (http://host:port/openapi/v1.json) or a file
# The CLI (@redocly/cli, pinned; REDOCLY_VERSION overrides) is installed with npm under .data/tools on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .data
chmod 755 .data

version="${REDOCLY_VERSION:-2.77.0}"
tools=.data/tools/redocly
if [ ! -x "$tools/node_modules/.bin/redocly" ] || [ "$(cat "$tools/version" 2>/dev/null)" != "$version" ]; then
  command -v npm >/dev/null 2>&1 || { echo "npm is needed to install @redocly/cli (apt-get install -y npm)" >&2; exit 1; }
  rm -rf "$tools"
  mkdir -p "$tools"
  echo "Installing @redocly/cli@$version under $tools..." >&2
  npm install --prefix "$tools" --no-audit --no-fund --silent "@redocly/cli@$version" >&2
  echo "$version" > "$tools/version"
fi

doc=.data/openapi.json
target="${1:-}"
if [ -n "$target" ] && [ -f "$target" ]; then
  doc="$target"
elif [ -n "$target" ]; then
  curl -fsS "$target" -o "$doc"
else
  source scripts/pg.sh
  pg_provision .data/lint-pg
  pg_createdb did
  port="$(pg_free_port)"
  service=""
  stop() {
    if [ -n "$service" ]; then kill "$service" 2>/dev/null || true; wait "$service" 2>/dev/null || true; fi
    pg_stop "$PWD/.data/lint-pg"
  }
  trap stop EXIT
  dotnet build src/Did.csproj -nologo -v quiet -clp:ErrorsOnly
  # Throwaway credentials: this service lives for one fetch of its document.
  ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=did" \
  DID_JWT_KEY="$(head -c 48 /dev/urandom | base64 -w0)" \
  DID_ADMIN_EMAIL=lint@did.local DID_ADMIN_PASSWORD="$(head -c 18 /dev/urandom | base64 -w0)" \
  ASPNETCORE_URLS="http://127.0.0.1:$port" Logging__LogLevel__Default=Warning \
    dotnet src/bin/Debug/net10.0/Did.dll > .data/lint-service.log 2>&1 &
  service=$!
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && break
    kill -0 "$service" 2>/dev/null || { echo "The service did not start; see .data/lint-service.log" >&2; exit 1; }
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$port/openapi/v1.json" -o "$doc"
fi

REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  "$tools/node_modules/.bin/redocly" lint --extends recommended "$doc"
