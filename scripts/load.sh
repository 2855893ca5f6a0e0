#!/usr/bin/env bash
# The month-end load test (issue 10): what `make load` runs. Not part of `make test`.
#
#   bash scripts/load.sh
#
# It starts a throwaway PostgreSQL server (a cluster in /tmp, unix socket only, as in
# scripts/test.sh), migrates, loads the demo data (`msoic demo`), adds force accounts and
# API tokens, measures the database (pg_database_size, per table), then for each number of
# gunicorn workers in MSOIC_LOAD_WORKERS starts gunicorn and one `msoic worker` (upload
# jobs), runs Locust headless (loadtest/locustfile.py), waits for the queue to drain and
# checks that every upload was stored exactly once (loadtest/check.py). It ends with a
# table per configuration and one comparing them (loadtest/report.py). The configurations
# share one database, one after the other: each one's uploads and approvals are counted
# from its own start.
#
# Environment:
#   MSOIC_LOAD_SECONDS=300       how long Locust runs per configuration
#   MSOIC_LOAD_USERS=50          concurrent users (10 of them force users uploading)
#   MSOIC_LOAD_UPLOADERS=10      how many of the users are force users
#   MSOIC_LOAD_SPAWN_RATE=2      users started per second (each logs in: a slow password hash)
#   MSOIC_LOAD_WORKERS="1 2 4"   gunicorn worker counts, one configuration each
#   MSOIC_LOAD_PORT=8765         where gunicorn listens (127.0.0.1)
#   MSOIC_LOAD_OUT=var/load      where the results (JSON, logs) go
#
# The server runs as production would except for two things: DEBUG is off, a random
# SECRET_KEY is set and ALLOWED_HOSTS is 127.0.0.1, but MSOIC_PRODUCTION stays false (it
# would redirect to HTTPS and refuses MSOIC_MFA_DEMO_OFF, which the load needs so that the
# demo accounts log in with their password alone). Static files are not requested.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.venv/bin"
cd "$ROOT"

SECONDS_PER_RUN="${MSOIC_LOAD_SECONDS:-300}"
USERS="${MSOIC_LOAD_USERS:-50}"
UPLOADERS="${MSOIC_LOAD_UPLOADERS:-10}"
SPAWN_RATE="${MSOIC_LOAD_SPAWN_RATE:-2}"
WORKER_COUNTS="${MSOIC_LOAD_WORKERS:-1 2 4}"
PORT="${MSOIC_LOAD_PORT:-8765}"
OUT="${MSOIC_LOAD_OUT:-$ROOT/var/load}"
for n in "$SECONDS_PER_RUN" "$USERS" "$UPLOADERS" "$SPAWN_RATE" "$PORT" $WORKER_COUNTS; do
  case "$n" in
    '' | *[!0-9]*) echo "load.sh: '$n' is not a whole number (see the MSOIC_LOAD_* variables)" >&2; exit 2 ;;
  esac
done
[ -x "$BIN/locust" ] || { echo "load.sh: $BIN/locust not found (make load installs the 'load' extra)" >&2; exit 2; }
[ -x "$BIN/gunicorn" ] || { echo "load.sh: $BIN/gunicorn not found (run make setup)" >&2; exit 2; }

log() { printf '\n==> %s\n' "$*"; }

# --- the throwaway PostgreSQL server (scripts/pg_throwaway.sh) -------------------------
# shellcheck source=scripts/pg_throwaway.sh
. "$ROOT/scripts/pg_throwaway.sh"
WEB_PID=""
WORKER_PID=""

stop_servers() {
  for pid in $WEB_PID $WORKER_PID; do
    kill -TERM "$pid" 2>/dev/null
  done
  for pid in $WEB_PID $WORKER_PID; do
    wait "$pid" 2>/dev/null
  done
  WEB_PID=""
  WORKER_PID=""
}

cleanup() {
  stop_servers
  pg_stop
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "starting PostgreSQL"
# Durability off (a throwaway server); enough connections for 4 gunicorn workers, the task
# worker and the checks.
pg_start load.sh "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60" || exit 1
echo "load.sh: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on unix socket $PG_DIR"

# --- the application's environment ---------------------------------------------------------
mkdir -p "$OUT" "$PG_DIR/var"
rm -f "$OUT"/results-w*.json "$OUT"/uploads-w*.jsonl "$OUT"/check-w*.json "$OUT"/mark-w*.json \
  "$OUT"/access-w*.log "$OUT"/size*.json
export DATABASE_URL="$PG_URL"
export MSOIC_VAR_DIR="$PG_DIR/var"
export MSOIC_DEBUG=false
export MSOIC_ALLOWED_HOSTS=127.0.0.1
export SECRET_KEY="load-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
export MSOIC_MFA_DEMO_OFF=true
export MSOIC_LOG_LEVEL=WARNING
# A sealing key of the run's own, as production has (without one every command warns).
export MSOIC_AUDIT_KEY="load:$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
PASSWORD="Insight-demo-2024"

log "migrating and loading the demo data"
"$BIN/msoic" migrate --no-input >"$OUT/migrate.log" 2>&1 || { cat "$OUT/migrate.log" >&2; exit 1; }
demo_start=$(date +%s)
"$BIN/msoic" demo >"$OUT/demo.log" 2>&1 || { tail -n 30 "$OUT/demo.log" >&2; exit 1; }
echo "load.sh: demo data loaded in $(( $(date +%s) - demo_start )) s"

log "measuring the database (the demo: April 2021 to September 2024, 43 forces)"
"$BIN/python" loadtest/check.py size >"$OUT/size.json" || exit 1
"$BIN/python" loadtest/report.py size "$OUT/size.json"

# Month end: ten forces send at once, so force accounts beyond the demo's two (Kent and
# Essex) are added for eight more forces, on the demo's password.
FORCE_ACCOUNTS="kent.demo:kent,essex.demo:essex"
export MSOIC_LOAD_ACCOUNT_PASSWORD="$PASSWORD"
for force in norfolk suffolk hertfordshire cambridgeshire bedfordshire surrey sussex hampshire; do
  "$BIN/msoic" create_user "load.$force" --role force --orgunit "$force" \
    --password-env MSOIC_LOAD_ACCOUNT_PASSWORD >/dev/null || exit 1
  FORCE_ACCOUNTS="$FORCE_ACCOUNTS,load.$force:$force"
done
API_TOKENS=""
for user in national.demo eastern.demo nca.demo; do
  token="$("$BIN/msoic" tokens issue "$user" --scope read:values | sed -n 's/.*: \(msoic_[^ ]*\)$/\1/p')"
  [ -n "$token" ] || { echo "load.sh: no API token for $user" >&2; exit 1; }
  API_TOKENS="${API_TOKENS:+$API_TOKENS,}$user=$token"
done
export MSOIC_LOAD_PASSWORD="$PASSWORD"
export MSOIC_LOAD_FORCE_ACCOUNTS="$FORCE_ACCOUNTS"
export MSOIC_LOAD_API_TOKENS="$API_TOKENS"
export MSOIC_LOAD_UPLOADERS="$UPLOADERS"

# --- one configuration per gunicorn worker count --------------------------------------------
status=0
for workers in $WORKER_COUNTS; do
  log "gunicorn with $workers worker(s) and one task worker: $USERS users for $SECONDS_PER_RUN s"
  "$BIN/python" loadtest/check.py mark "$OUT/mark-w$workers.json" || exit 1
  # The access log names the process that answered each request (the statelessness check:
  # one user's requests answered by several processes, with one session in the database).
  "$BIN/gunicorn" msoic.wsgi --workers "$workers" --bind "127.0.0.1:$PORT" --timeout 120 \
    --error-logfile "$OUT/gunicorn-w$workers.log" --access-logfile "$OUT/access-w$workers.log" \
    --access-logformat '%(p)s %(s)s %(m)s %(U)s' >>"$OUT/gunicorn-w$workers.log" 2>&1 &
  WEB_PID=$!
  "$BIN/msoic" worker --no-startup-delay >"$OUT/worker-w$workers.log" 2>&1 &
  WORKER_PID=$!
  for _ in $(seq 1 60); do
    "$BIN/python" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=2)" \
      2>/dev/null && break
    sleep 1
  done
  MSOIC_LOAD_UPLOADS_LOG="$OUT/uploads-w$workers.jsonl" \
  MSOIC_LOAD_RESULTS="$OUT/results-w$workers.json" \
    "$BIN/locust" -f loadtest/locustfile.py --headless --only-summary \
      --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "${SECONDS_PER_RUN}s" \
      --stop-timeout 30 --host "http://127.0.0.1:$PORT" \
      >"$OUT/locust-w$workers.log" 2>&1
  # Uploads posted in the last seconds are still on the queue: let the worker finish them.
  "$BIN/python" loadtest/check.py drain "$OUT/mark-w$workers.json" 180
  "$BIN/python" loadtest/check.py verify "$OUT/mark-w$workers.json" "$OUT/uploads-w$workers.jsonl" \
    >"$OUT/check-w$workers.json" || status=1
  stop_servers
  if grep -q "Internal Server Error" "$OUT/gunicorn-w$workers.log"; then
    echo "load.sh: server errors logged, see $OUT/gunicorn-w$workers.log" >&2
  fi
done

log "the database after the runs (the demo plus what the load stored)"
"$BIN/python" loadtest/check.py size >"$OUT/size-after.json" && \
  "$BIN/python" loadtest/report.py size "$OUT/size-after.json" && echo && \
  "$BIN/python" loadtest/report.py tenyears "$OUT/size.json" "$OUT/size-after.json"

log "results: $USERS users, $SECONDS_PER_RUN s per configuration, $(nproc) CPU cores (Locust, gunicorn, the task worker and PostgreSQL share them)"
"$BIN/python" loadtest/report.py runs "$OUT" $WORKER_COUNTS || status=1
exit "$status"
