#!/usr/bin/env bash
# Run the test suite on SQLite and on a real PostgreSQL server that this script starts for
# the run (a throwaway cluster in /tmp, reached by unix socket only) and stops afterwards.
#
#   bash scripts/test.sh [PYTEST ARGS...]     (what `make test` and .ci/run call)
#
# PostgreSQL refuses to run as root, so when run as root the server runs as the `postgres`
# user if there is one, else as a `msoic-pg` system user created here.
#
# Environment:
#   MSOIC_TEST_ONLY=sqlite|postgres   run one pass only
#   MSOIC_TEST_PARALLEL=1|0           run the two passes side by side (default: 1 when CI
#                                     is set, else 0); each pass's output is printed when
#                                     it ends
#   MSOIC_TEST_WORKERS=N|auto|0       pytest-xdist worker processes for each pass (default:
#                                     0, one process: measured faster than xdist on 2
#                                     cores, see below)
#   MSOIC_TEST_POSTGRES_URL=postgres://...   use a server you already run
#
# Browser tests (-m browser) run in the SQLite pass only. Exit status is non-zero if a
# pass failed; pytest's "no tests collected" (exit 5) counts as a pass.
#
# Each pass spreads its tests over pytest-xdist workers, a test file to a worker
# (--dist loadfile), so a module's shared fixtures (the demo builds made once per module)
# are built once, and a file's browser tests share one Chromium and live server. Each
# worker has its own database: in-memory on SQLite, test_msoic_gw0, test_msoic_gw1... on
# PostgreSQL. Arguments given to this script come after ours, so `-n 0` runs in one process.
#
# Under xdist a file's tests may run after another file's transactional tests on the same
# worker (in one process pytest-django runs every transactional test after the others):
# tests/conftest.py puts the reference rows back after each one, with the audit rows' exact
# times so the chain still verifies. Runs with every file after the four files that mix
# transactional and other tests (audit/test_append_only, collection/test_jobs_queue,
# runtime/test_backup, runtime/test_faults) pass on both databases, and so does a CI-style
# run (CI=1, MSOIC_TEST_WORKERS=2): 1379 s wall for both passes side by side on a 2-core
# machine with no other test run seen (SQLite 1376 s, PostgreSQL 1302 s; 4 workers and the
# server on 2 cores).
# The same run with MSOIC_TEST_WORKERS=0 (the default): 1114 s (SQLite 996 s, PostgreSQL
# 1108 s), so on 2 cores xdist costs 265 s more (not profiled; each worker migrates its own
# database and 4 workers contend for 2 cores). Not measured: xdist with the
# passes one after the other (MSOIC_TEST_PARALLEL=0), or on more cores.
# MSOIC_TEST_PARALLEL=0 runs the passes one after the other (the default outside CI, where
# each pass's output streams).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTEST="${PYTEST:-$ROOT/.venv/bin/pytest}"
cd "$ROOT"

ONLY="${MSOIC_TEST_ONLY:-}"
case "$ONLY" in
  "" | sqlite | postgres) ;;
  *) echo "test.sh: MSOIC_TEST_ONLY must be sqlite or postgres, not '$ONLY'" >&2; exit 2 ;;
esac
if [ -n "${CI:-}" ] && [ "${CI:-}" != false ]; then default_parallel=1; else default_parallel=0; fi
PARALLEL="${MSOIC_TEST_PARALLEL:-$default_parallel}"
WORKERS="${MSOIC_TEST_WORKERS:-0}"
case "$WORKERS" in
  auto | [0-9] | [0-9][0-9]) ;;
  *) echo "test.sh: MSOIC_TEST_WORKERS must be a number or auto, not '$WORKERS'" >&2; exit 2 ;;
esac
[ -n "$ONLY" ] && PARALLEL=0
[ -x "$PYTEST" ] || { echo "test.sh: $PYTEST not found (run make setup)" >&2; exit 2; }

log() { printf '\n==> %s\n' "$*"; }

run_pytest() {
  "$PYTEST" -n "$WORKERS" --dist loadfile "$@"
  local rc=$?
  if [ "$rc" -eq 5 ]; then
    echo "test.sh: pytest collected no tests (exit 5); counted as a pass"
    rc=0
  fi
  return "$rc"
}

sqlite_pass() {
  (unset DATABASE_URL; run_pytest "$@")
}

postgres_pass() {
  # The PostgreSQL pass leaves pytest's cache to the SQLite pass (they may run together).
  DATABASE_URL="$PG_URL" run_pytest -p no:cacheprovider -m "not browser" "$@"
}

# --- the throwaway PostgreSQL server (scripts/pg_throwaway.sh) -------------------------
# shellcheck source=scripts/pg_throwaway.sh
. "$ROOT/scripts/pg_throwaway.sh"
WORK_DIR=""

cleanup() {
  pg_stop
  [ -n "$WORK_DIR" ] && rm -rf "$WORK_DIR"
  WORK_DIR=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_postgres() {
  if [ -n "${MSOIC_TEST_POSTGRES_URL:-}" ]; then
    PG_URL="$MSOIC_TEST_POSTGRES_URL"
    echo "test.sh: PostgreSQL pass uses the server in MSOIC_TEST_POSTGRES_URL"
    return 0
  fi
  # No durability (a throwaway server). The app's role may create databases (pytest-django
  # creates test_msoic) but is not a superuser.
  pg_start test.sh "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" CREATEDB || return 1
  echo "test.sh: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on unix socket $PG_DIR (server runs as ${PG_USER:-$(id -un)})"
}

# --- the passes -------------------------------------------------------------------------
sqlite_rc=0
postgres_rc=0
want_sqlite=1
want_postgres=1
[ "$ONLY" = postgres ] && want_sqlite=0
[ "$ONLY" = sqlite ] && want_postgres=0

if [ "$want_postgres" -eq 1 ]; then
  log "starting PostgreSQL"
  if ! start_postgres; then
    echo "test.sh: could not start PostgreSQL; the PostgreSQL pass fails" >&2
    postgres_rc=1
    want_postgres=0
  fi
fi

if [ "$PARALLEL" = 1 ] && [ "$want_sqlite" -eq 1 ] && [ "$want_postgres" -eq 1 ]; then
  WORK_DIR="$(mktemp -d /tmp/msoic-test.XXXXXX)"
  log "SQLite and PostgreSQL passes side by side (MSOIC_TEST_PARALLEL=1); each one's output follows when it ends"
  sqlite_pass "$@" >"$WORK_DIR/sqlite.log" 2>&1 &
  sqlite_pid=$!
  postgres_pass "$@" >"$WORK_DIR/postgres.log" 2>&1 &
  postgres_pid=$!
  wait "$sqlite_pid"
  sqlite_rc=$?
  log "pass 1 of 2: SQLite"
  cat "$WORK_DIR/sqlite.log"
  wait "$postgres_pid"
  postgres_rc=$?
  log "pass 2 of 2: PostgreSQL"
  cat "$WORK_DIR/postgres.log"
else
  if [ "$want_sqlite" -eq 1 ]; then
    log "pass 1 of 2: SQLite"
    sqlite_pass "$@"
    sqlite_rc=$?
  fi
  if [ "$want_postgres" -eq 1 ]; then
    log "pass 2 of 2: PostgreSQL"
    postgres_pass "$@"
    postgres_rc=$?
  fi
fi
cleanup

status() {
  if [ "$2" = 0 ] && [ "$1" -eq 0 ]; then echo "not run"; elif [ "$1" -eq 0 ]; then echo passed; else echo "FAILED (exit $1)"; fi
}
[ "$ONLY" = postgres ] && sq_ran=0 || sq_ran=1
[ "$ONLY" = sqlite ] && pg_ran=0 || pg_ran=1
echo "test.sh: SQLite pass $(status "$sqlite_rc" "$sq_ran"); PostgreSQL pass $(status "$postgres_rc" "$pg_ran")"
[ "$sqlite_rc" -eq 0 ] && [ "$postgres_rc" -eq 0 ]
