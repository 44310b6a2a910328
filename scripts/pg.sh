# Sourced by run.sh, test.sh and bench: provision a private PostgreSQL cluster on a free 127.0.0.1 port.
# Usage: pg_provision DATA_DIR   -> exports PG_PORT, PG_DATA, PG_URL (Npgsql connection string)
#        pg_stop DATA_DIR
set -euo pipefail

pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

pg_install() {
  if ! pg_bindir >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
      echo "PostgreSQL is not installed and this is not root: apt-get install -y postgresql postgresql-contrib" >&2
      return 1
    fi
    echo "Installing PostgreSQL from Debian's packages..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql postgresql-contrib >&2
  fi
  # pg_trgm ships in postgresql-contrib on older Debian releases.
  local share; share="$(dirname "$(pg_bindir)")/../../../share/postgresql"
  if ! ls /usr/share/postgresql/*/extension/pg_trgm.control >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq postgresql-contrib >&2 || true
  fi
}

pg_free_port() {
  python3 - <<'PY' 2>/dev/null || shuf -i 20000-60000 -n 1
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# Runs a PostgreSQL binary as the cluster owner: postgres when we are root (initdb refuses root).
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_provision() {
  local data="$1" bin port
  pg_install
  bin="$(pg_bindir)"
  mkdir -p "$data"
  data="$(cd "$data" && pwd)"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$data"
    chmod 700 "$data"
    # The owner must be able to reach the folder through its parents.
    local p; p="$(dirname "$data")"
    while [ "$p" != "/" ]; do chmod o+x "$p" 2>/dev/null || true; p="$(dirname "$p")"; done
  fi
  if [ ! -f "$data/cluster/PG_VERSION" ]; then
    pg_as_owner mkdir -p "$data/cluster" "$data/sock"
    pg_as_owner "$bin/initdb" -D "$data/cluster" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null 2>&1 \
      || pg_as_owner "$bin/initdb" -D "$data/cluster" -A trust -U postgres -E UTF8 >/dev/null
  fi
  if pg_as_owner "$bin/pg_ctl" -D "$data/cluster" status >/dev/null 2>&1; then
    port="$(cat "$data/port")"
  else
    port="$(cat "$data/port" 2>/dev/null || true)"
    if [ -z "$port" ] || (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then port="$(pg_free_port)"; fi
    echo "$port" > "$data/port"
    pg_as_owner "$bin/pg_ctl" -D "$data/cluster" -l "$data/cluster/server.log" -w -t 60 \
      -o "-p $port -k $data/sock -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB -c fsync=${PG_FSYNC:-on} -c synchronous_commit=${PG_SYNC_COMMIT:-on}" \
      start >/dev/null
  fi
  export PG_DATA="$data" PG_PORT="$port" PG_BIN="$bin"
  export PG_URL="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
}

pg_createdb() {
  local name="$1"
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qtA \
    -c "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1 \
    || "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -q -c "CREATE DATABASE \"$name\""
}

pg_stop() {
  local data="$1" bin
  bin="$(pg_bindir)" || return 0
  [ -f "$data/cluster/PG_VERSION" ] || return 0
  pg_as_owner "$bin/pg_ctl" -D "$data/cluster" -m fast -w stop >/dev/null 2>&1 || true
}
