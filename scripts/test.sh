#!/usr/bin/env bash
# Run the test suite twice: on SQLite, then on a real PostgreSQL server that this script
# starts for the run (a throwaway cluster in /tmp, reached by unix socket only) and stops.
#
#   bash scripts/test.sh [PYTEST ARGS...]     (what `make test` and .ci/run call)
#
# PostgreSQL refuses to run as root, so when run as root the server runs as the `postgres`
# user if there is one, else as a `msoic-pg` system user created here. Set
# MSOIC_TEST_POSTGRES_URL=postgres://... to use a server you already run instead.
# Browser tests (-m browser) run in the SQLite pass only. MSOIC_TEST_ONLY=sqlite or
# MSOIC_TEST_ONLY=postgres runs one pass. Exit status is non-zero if a pass failed;
# pytest's "no tests collected" (exit 5) counts as a pass.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTEST="${PYTEST:-$ROOT/.venv/bin/pytest}"
cd "$ROOT"

log() { printf '\n==> %s\n' "$*"; }

run_pytest() {
  "$PYTEST" "$@"
  local rc=$?
  if [ "$rc" -eq 5 ]; then
    echo "test.sh: pytest collected no tests (exit 5); counted as a pass"
    rc=0
  fi
  return "$rc"
}

# --- pass 1: SQLite -------------------------------------------------------------------
ONLY="${MSOIC_TEST_ONLY:-}"
case "$ONLY" in
  "" | sqlite | postgres) ;;
  *) echo "test.sh: MSOIC_TEST_ONLY must be sqlite or postgres, not '$ONLY'" >&2; exit 2 ;;
esac
[ -x "$PYTEST" ] || { echo "test.sh: $PYTEST not found (run make setup)" >&2; exit 2; }
sqlite_rc=0
if [ "$ONLY" != postgres ]; then
  log "pass 1 of 2: SQLite"
  (unset DATABASE_URL; run_pytest "$@")
  sqlite_rc=$?
fi

# --- pass 2: PostgreSQL ---------------------------------------------------------------
PG_DIR=""
PG_USER=""
pg_run() {
  # Run a PostgreSQL program as the server's owner (never as root).
  if [ -n "$PG_USER" ]; then
    (cd "$PG_DIR" && runuser -u "$PG_USER" -- "$@")
  else
    (cd "$PG_DIR" && "$@")
  fi
}

stop_postgres() {
  if [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
    pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >>"$PG_DIR/server.log" 2>&1 || true
  fi
  if [ -n "$PG_DIR" ]; then
    rm -rf "$PG_DIR"
    PG_DIR=""
  fi
}
trap stop_postgres EXIT
trap 'exit 130' INT TERM

find_pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  if [ -x /usr/lib/postgresql/15/bin/postgres ]; then echo /usr/lib/postgresql/15/bin; return; fi
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$found" ] && [ -x "$found/postgres" ] && echo "$found"
}

start_postgres() {
  PG_BIN="$(find_pg_bin)"
  if [ -z "$PG_BIN" ]; then
    echo "test.sh: no PostgreSQL server binaries (install the postgresql package)" >&2
    return 1
  fi
  if [ "$(id -u)" -eq 0 ]; then
    if id postgres >/dev/null 2>&1; then
      PG_USER=postgres
    else
      id msoic-pg >/dev/null 2>&1 || useradd --system --user-group --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin msoic-pg || return 1
      PG_USER=msoic-pg
    fi
  fi
  PG_DIR="$(mktemp -d /tmp/msoic-pg.XXXXXX)" || return 1
  [ -n "$PG_USER" ] && chown "$PG_USER" "$PG_DIR"
  chmod 700 "$PG_DIR"
  if ! pg_run "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C >"$PG_DIR/initdb.log" 2>&1; then
    cat "$PG_DIR/initdb.log" >&2
    return 1
  fi
  # A throwaway server: no TCP, no durability, socket in its own directory.
  if ! pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories=$PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
      start >/dev/null; then
    cat "$PG_DIR/server.log" >&2
    return 1
  fi
  # The app's role may create databases (pytest-django creates test_msoic) but is not a superuser.
  pg_run "$PG_BIN/psql" -h "$PG_DIR" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE msoic LOGIN CREATEDB" -c "CREATE DATABASE msoic OWNER msoic" || return 1
  PG_URL="postgres://msoic@/msoic?host=$PG_DIR"
  echo "test.sh: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on unix socket $PG_DIR (server runs as ${PG_USER:-$(id -un)})"
}

postgres_rc=1
if [ "$ONLY" = sqlite ]; then
  postgres_rc=0
  pg_ready=1
elif [ -n "${MSOIC_TEST_POSTGRES_URL:-}" ]; then
  log "pass 2 of 2: PostgreSQL (existing server from MSOIC_TEST_POSTGRES_URL)"
  PG_URL="$MSOIC_TEST_POSTGRES_URL"
  pg_ready=0
else
  log "pass 2 of 2: PostgreSQL (throwaway server)"
  start_postgres
  pg_ready=$?
fi
if [ "$ONLY" = sqlite ]; then
  :
elif [ "$pg_ready" -eq 0 ]; then
  DATABASE_URL="$PG_URL" run_pytest -m "not browser" "$@"
  postgres_rc=$?
else
  echo "test.sh: could not start PostgreSQL; the PostgreSQL pass failed" >&2
fi
stop_postgres

status() {
  if [ "$2" = skip ]; then echo "not run"; elif [ "$1" -eq 0 ]; then echo passed; else echo "FAILED (exit $1)"; fi
}
sqlite_state=run; postgres_state=run
[ "$ONLY" = postgres ] && sqlite_state=skip
[ "$ONLY" = sqlite ] && postgres_state=skip
echo "test.sh: SQLite pass $(status "$sqlite_rc" "$sqlite_state"); PostgreSQL pass $(status "$postgres_rc" "$postgres_state")"
[ "$sqlite_rc" -eq 0 ] && [ "$postgres_rc" -eq 0 ]
