#!/usr/bin/env bash
# Serve Did on http://127.0.0.1:5080 (override with ASPNETCORE_URLS).
# Without ConnectionStrings__Postgres it provisions a private PostgreSQL under .data/pg.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
mkdir -p .data
chmod 755 .data

if [ -z "${ConnectionStrings__Postgres:-}" ]; then
  source scripts/pg.sh
  pg_provision .data/pg
  pg_createdb did
  export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=did"
  echo "PostgreSQL: 127.0.0.1:$PG_PORT (data in .data/pg; stop with: runuser -u postgres -- $PG_BIN/pg_ctl -D $PG_DATA/cluster stop)"
fi

if [ -z "${DID_JWT_KEY:-}" ]; then
  [ -s .data/jwt.key ] || (umask 077; head -c 48 /dev/urandom | base64 -w0 > .data/jwt.key)
  DID_JWT_KEY="$(cat .data/jwt.key)"
  export DID_JWT_KEY
fi

export DID_ADMIN_EMAIL="${DID_ADMIN_EMAIL:-admin@did.local}"
if [ -z "${DID_ADMIN_PASSWORD:-}" ]; then
  if [ ! -s .data/admin.password ]; then
    (umask 077; head -c 18 /dev/urandom | base64 -w0 | tr '+/' '-_' > .data/admin.password)
  fi
  DID_ADMIN_PASSWORD="$(cat .data/admin.password)"
  export DID_ADMIN_PASSWORD
  echo "First platform admin (created if none exists): $DID_ADMIN_EMAIL / $DID_ADMIN_PASSWORD (kept in .data/admin.password)"
fi

# Apply writes the dialplan here; AMI stays off unless Asterisk__Ami__Host is set.
export Asterisk__ConfigDir="${Asterisk__ConfigDir:-$root/.data/asterisk}"
export Asterisk__BackupDir="${Asterisk__BackupDir:-$root/.data/asterisk/backup}"
mkdir -p "$Asterisk__ConfigDir" "$Asterisk__BackupDir"

export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5080}"
dotnet build src/Did.csproj -c Release -nologo -v quiet
echo "Serving on $ASPNETCORE_URLS (OpenAPI: /openapi/v1.json, docs: /scalar)"
exec dotnet src/bin/Release/net10.0/Did.dll
