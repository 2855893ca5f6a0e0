#!/usr/bin/env bash
# The survey burst of issue 13 as a deployment runs it: `benchmarks.surveys` on a PostgreSQL
# server that this script starts for the run (a throwaway cluster in /tmp, unix socket only,
# stopped and removed afterwards), with gunicorn in front. Not part of `make test`; `make
# bench` runs the same benchmark on SQLite without a server.
#
#   bash scripts/survey_burst.sh [--quick]
#
# Unlike scripts/test.sh and scripts/load.sh the server is durable, as in production (fsync
# and synchronous_commit on): the audit chain and each response's commit are measured with
# real flushes. max_connections is 400: the in-process burst opens one connection a POST.
#
# Environment:
#   MSOIC_BENCH_SURVEY_WORKERS="2 4 8"   gunicorn worker counts, one burst each
#   MSOIC_BENCH_SURVEY_THREADS=1         threads per worker (gthread when above 1)
#   PG_BIN=/usr/lib/postgresql/15/bin    the server's binaries (else the newest found)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.venv/bin"
cd "$ROOT"
[ -x "$BIN/gunicorn" ] || { echo "survey_burst.sh: $BIN/gunicorn not found (run make setup)" >&2; exit 2; }

PG_DIR=""
PG_USER=""

pg_run() {
  if [ -n "$PG_USER" ]; then
    (cd "$PG_DIR" && runuser -u "$PG_USER" -- "$@")
  else
    (cd "$PG_DIR" && "$@")
  fi
}

cleanup() {
  if [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
    pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >>"$PG_DIR/server.log" 2>&1 || true
  fi
  [ -n "$PG_DIR" ] && rm -rf "$PG_DIR"
  PG_DIR=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PG_BIN="${PG_BIN:-}"
if [ -z "$PG_BIN" ]; then
  if [ -x /usr/lib/postgresql/15/bin/postgres ]; then
    PG_BIN=/usr/lib/postgresql/15/bin
  else
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  fi
fi
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/postgres" ] || { echo "survey_burst.sh: no PostgreSQL server binaries" >&2; exit 2; }
if [ "$(id -u)" -eq 0 ]; then
  if id postgres >/dev/null 2>&1; then
    PG_USER=postgres
  else
    id msoic-pg >/dev/null 2>&1 || useradd --system --user-group --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin msoic-pg || exit 1
    PG_USER=msoic-pg
  fi
fi

PG_DIR="$(mktemp -d /tmp/msoic-burst.XXXXXX)" || exit 1
[ -n "$PG_USER" ] && chown "$PG_USER" "$PG_DIR"
chmod 700 "$PG_DIR"
pg_run "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C \
  >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
  -o "-c listen_addresses='' -c unix_socket_directories=$PG_DIR -c max_connections=400" \
  start >/dev/null || { cat "$PG_DIR/server.log" >&2; exit 1; }
# The benchmark makes (and drops) its own database, test_msoic, beside this one.
pg_run "$PG_BIN/psql" -h "$PG_DIR" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
  -c "CREATE ROLE msoic LOGIN CREATEDB" -c "CREATE DATABASE msoic OWNER msoic" || exit 1
echo "survey_burst.sh: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') (durable) on $PG_DIR; $(nproc) CPU cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

export MSOIC_BENCH_SURVEY_WORKERS="${MSOIC_BENCH_SURVEY_WORKERS:-2 4 8}"
DATABASE_URL="postgres://msoic@/msoic?host=$PG_DIR" "$BIN/python" -m benchmarks.surveys "$@"
