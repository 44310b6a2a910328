#!/usr/bin/env bash
# Serve Did on http://127.0.0.1:5080 (override with ASPNETCORE_URLS), in the foreground: Ctrl-C stops the service.
# Without ConnectionStrings__Postgres it provisions a private PostgreSQL under .data/pg, which keeps running after the
# service stops so that the next start is quick.
#   ./scripts/run.sh          build and serve
#   ./scripts/run.sh stop     stop what run.sh started (the service, if it still runs, and .data/pg), saying what
#   ./scripts/run.sh status   say what of it runs
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
pidfile=.data/did.pid

# The pid of a service that run.sh started and that still runs (the pid file outlives its process).
service_pid() {
  local pid
  pid="$(cat "$pidfile" 2>/dev/null)" || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'Did\.dll' && echo "$pid"
}

pg_port() { cat .data/pg/port 2>/dev/null || echo '?'; }

stop() {
  local pid stopped=0
  if pid="$(service_pid)"; then
    kill -TERM "$pid"
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "Did (pid $pid) did not stop within 30 s; it still runs." >&2
      exit 1
    fi
    echo "Stopped Did (pid $pid)."
    stopped=1
  fi
  rm -f "$pidfile"
  source scripts/pg.sh
  if pg_running .data/pg; then
    pg_stop .data/pg
    echo "Stopped PostgreSQL (.data/pg, 127.0.0.1:$(pg_port))."
    stopped=1
  fi
  [ "$stopped" = 1 ] || echo "Nothing to stop: no service started by run.sh runs, and .data/pg's PostgreSQL is not running."
}

status() {
  local pid
  if pid="$(service_pid)"; then echo "Did runs (pid $pid)."; else echo "No service started by run.sh runs."; fi
  source scripts/pg.sh
  if pg_running .data/pg; then
    echo "PostgreSQL runs (.data/pg, 127.0.0.1:$(pg_port)); ./scripts/run.sh stop stops it."
  else
    echo "PostgreSQL of .data/pg is not running."
  fi
}

case "${1:-serve}" in
  serve) ;;
  stop) stop; exit 0 ;;
  status) status; exit 0 ;;
  -h | --help | help) sed -n '2,7s/^# \{0,1\}//p' "$0"; exit 0 ;;
  *) echo "run.sh: unknown command '$1': use no argument to serve, or stop, or status." >&2; exit 2 ;;
esac

# Other local accounts may pass through .data (a local Asterisk reads .data/asterisk) but not list it.
mkdir -p .data
chmod 711 .data

if pid="$(service_pid)"; then
  echo "Did already runs (pid $pid): ./scripts/run.sh stop stops it." >&2
  exit 1
fi

if [ -z "${ConnectionStrings__Postgres:-}" ]; then
  source scripts/pg.sh
  pg_provision .data/pg
  pg_createdb did
  export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=did;Passfile=$PG_DATA/pgpass"
  echo "PostgreSQL: 127.0.0.1:$PG_PORT, data in .data/pg, password in .data/pg/pgpass" \
    "(psql: PGPASSFILE=.data/pg/pgpass psql -h 127.0.0.1 -p $PG_PORT -U postgres did)."
  echo "It keeps running after the service stops: ./scripts/run.sh stop stops it."
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
  echo "First platform admin (created if none exists): $DID_ADMIN_EMAIL, password in .data/admin.password (0600)."
fi

# Apply writes the dialplan here; AMI stays off unless Asterisk__Ami__Host is set.
export Asterisk__ConfigDir="${Asterisk__ConfigDir:-$root/.data/asterisk}"
export Asterisk__BackupDir="${Asterisk__BackupDir:-$root/.data/asterisk/backup}"
mkdir -p "$Asterisk__ConfigDir" "$Asterisk__BackupDir"

export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5080}"
# No MSBuild worker stays behind after the build (the C# compiler server exits by itself after 10 idle minutes).
dotnet build src/Did.csproj -c Release -nologo -v quiet -nodeReuse:false
echo "Starting Did on $ASPNETCORE_URLS (OpenAPI: /openapi/v1.json, docs: /scalar); it says \"Now listening\" when it serves, or why it cannot start. Ctrl-C stops it."
echo $$ > "$pidfile"
exec dotnet src/bin/Release/net10.0/Did.dll
