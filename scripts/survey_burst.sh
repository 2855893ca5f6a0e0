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

# shellcheck source=scripts/pg_throwaway.sh
. "$ROOT/scripts/pg_throwaway.sh"
trap pg_stop EXIT
trap 'exit 130' INT TERM

# Durable, as in production; one connection a POST of the in-process burst.
# The benchmark makes (and drops) its own database, test_msoic, beside this one.
pg_start survey_burst.sh "-c max_connections=400" CREATEDB || exit 1
echo "survey_burst.sh: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') (durable) on $PG_DIR; $(nproc) CPU cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

export MSOIC_BENCH_SURVEY_WORKERS="${MSOIC_BENCH_SURVEY_WORKERS:-2 4 8}"
DATABASE_URL="$PG_URL" "$BIN/python" -m benchmarks.surveys "$@"
