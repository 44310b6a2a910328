# Sourced by run.sh, test.sh and bench: provision a private PostgreSQL cluster on a free 127.0.0.1 port.
# Every connection to it needs the superuser's password (scram-sha-256): it is generated when the cluster is made and
# kept in DATA_DIR/pgpass (mode 0600, libpq's password-file format), which PG_URL names and PGPASSFILE points psql and
# pgbench at. A cluster made by an older pg.sh, which trusted every local connection, is switched to passwords.
# Usage: pg_provision DATA_DIR   -> exports PG_PORT, PG_DATA, PG_BIN, PGPASSFILE, PG_URL (Npgsql connection string)
#        pg_running DATA_DIR     -> succeeds when that cluster's server runs
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

# A new superuser password in DATA_DIR/pgpass, readable by the invoking user only. The password is base64url, so it
# needs no escaping in that file (':' and '\' never occur).
pg_new_password() {
  local pw
  pw="$(head -c 24 /dev/urandom | base64 -w0 | tr '+/' '-_')"
  (umask 077; printf '127.0.0.1:*:*:postgres:%s\n' "$pw" >"$1/pgpass")
}

pg_password() { cut -d: -f5- "$1/pgpass"; }

# psql as the superuser over TCP, with the password from DATA_DIR/pgpass and nothing from the caller's environment.
pg_psql() {
  local data="$1"; shift
  env -u PGPASSWORD PGPASSFILE="$data/pgpass" "$PG_BIN/psql" -w -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"
}

# The same without any password (a password file that does not exist is no password file).
pg_psql_no_password() {
  env -u PGPASSWORD PGPASSFILE=/nonexistent/pgpass "$PG_BIN/psql" -w -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"
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
    pg_new_password "$data"
    pg_as_owner mkdir -p "$data/cluster" "$data/sock"
    # initdb reads the password from a file its user can read; the copy lives only as long as initdb runs.
    pg_password "$data" | pg_as_owner sh -c 'umask 077; cat >"$1"' sh "$data/initdb.pw"
    pg_as_owner "$bin/initdb" -D "$data/cluster" -A scram-sha-256 --pwfile="$data/initdb.pw" -U postgres -E UTF8 \
      --locale=C.UTF-8 >/dev/null 2>&1 \
      || pg_as_owner "$bin/initdb" -D "$data/cluster" -A scram-sha-256 --pwfile="$data/initdb.pw" -U postgres -E UTF8 >/dev/null
    rm -f "$data/initdb.pw"
  fi
  if pg_as_owner "$bin/pg_ctl" -D "$data/cluster" status >/dev/null 2>&1; then
    port="$(cat "$data/port")"
  else
    port="$(cat "$data/port" 2>/dev/null || true)"
    if [ -z "$port" ] || (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then port="$(pg_free_port)"; fi
    echo "$port" >"$data/port"
    pg_as_owner "$bin/pg_ctl" -D "$data/cluster" -l "$data/cluster/server.log" -w -t 60 \
      -o "-p $port -k $data/sock -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB -c fsync=${PG_FSYNC:-on} -c synchronous_commit=${PG_SYNC_COMMIT:-on}" \
      start >/dev/null
  fi
  export PG_DATA="$data" PG_PORT="$port" PG_BIN="$bin" PGPASSFILE="$data/pgpass"
  pg_require_password "$data"
  export PG_URL="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Passfile=$data/pgpass"
}

# The cluster must refuse a connection that brings no password, and accept the one in DATA_DIR/pgpass. A cluster made by
# an older pg.sh trusted every local connection, so any local account was its superuser: it gets a password and
# password authentication here, once.
pg_require_password() {
  local data="$1" hba="$1/cluster/pg_hba.conf"
  if grep -Eq '^[[:space:]]*(local|host)[^#]*[[:space:]]trust([[:space:]]|$)' "$hba"; then
    [ -s "$data/pgpass" ] || pg_new_password "$data"
    # Trusted, so no password is needed to set one; it goes through stdin, never a command line.
    printf "ALTER ROLE postgres PASSWORD '%s';\n" "$(pg_password "$data")" \
      | pg_psql_no_password -d postgres -q -v ON_ERROR_STOP=1 -f - >/dev/null
    pg_as_owner tee "$hba" >/dev/null <<'HBA'
# Written by scripts/pg.sh: every connection needs a password (scram-sha-256); the superuser's is in ../pgpass.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  scram-sha-256
host    all       all   127.0.0.1/32   scram-sha-256
host    all       all   ::1/128        scram-sha-256
HBA
    pg_as_owner "$PG_BIN/pg_ctl" -D "$data/cluster" -l "$data/cluster/server.log" -w -t 60 -m fast restart >/dev/null
    echo "pg.sh: $data trusted every local connection; it now requires the password kept in $data/pgpass." >&2
  fi
  if [ ! -s "$data/pgpass" ]; then
    echo "pg.sh: $data requires a password but $data/pgpass is missing: restore that file, or stop the cluster and delete $data to start afresh (its data is lost)." >&2
    return 1
  fi
  if pg_psql_no_password -d postgres -qAt -c 'SELECT 1' >/dev/null 2>&1; then
    echo "pg.sh: $data accepts a connection without a password; refusing to use it (see $data/cluster/pg_hba.conf)." >&2
    return 1
  fi
  if ! pg_psql "$data" -d postgres -qAt -c 'SELECT 1' >/dev/null; then
    echo "pg.sh: $data refuses the password in $data/pgpass: restore the right file, or stop the cluster and delete $data to start afresh (its data is lost)." >&2
    return 1
  fi
}

pg_createdb() {
  local name="$1"
  pg_psql "$PG_DATA" -d postgres -qtA -c "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1 \
    || pg_psql "$PG_DATA" -d postgres -q -c "CREATE DATABASE \"$name\""
}

pg_running() {
  local bin
  bin="$(pg_bindir)" || return 1
  [ -f "$1/cluster/PG_VERSION" ] || return 1
  pg_as_owner "$bin/pg_ctl" -D "$1/cluster" status >/dev/null 2>&1
}

pg_stop() {
  local data="$1" bin
  bin="$(pg_bindir)" || return 0
  [ -f "$data/cluster/PG_VERSION" ] || return 0
  pg_as_owner "$bin/pg_ctl" -D "$data/cluster" -m fast -w stop >/dev/null 2>&1 || true
}
