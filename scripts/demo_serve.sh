#!/usr/bin/env bash
# The last step of `make demo`: the web server and one task worker (`msoic worker`, which
# runs upload jobs and the daily audit anchor) side by side. Ctrl-C stops both; if either
# stops on its own, the other is stopped too and the exit status is the first one's.
#
#   bash scripts/demo_serve.sh [PORT]      (default 8000; what `make demo` calls)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.venv/bin"
PORT="${1:-8000}"
cd "$ROOT"

# Multi-factor authentication off for the demo only; `msoic check --deploy` refuses it.
export MSOIC_MFA_DEMO_OFF=true

"$BIN/msoic" worker --no-startup-delay &
WORKER_PID=$!
# No autoreloader: one process to stop.
"$BIN/msoic" runserver --insecure --noreload "127.0.0.1:$PORT" &
WEB_PID=$!
echo "demo: web server (pid $WEB_PID) on http://127.0.0.1:$PORT/ and task worker (pid $WORKER_PID); Ctrl-C stops both"

stop_both() {
  trap - INT TERM EXIT
  kill -TERM "$WEB_PID" "$WORKER_PID" 2>/dev/null
  wait "$WEB_PID" "$WORKER_PID" 2>/dev/null
}
trap 'stop_both; exit 130' INT TERM
trap stop_both EXIT

wait -n "$WEB_PID" "$WORKER_PID"
status=$?
echo "demo: one of the two processes stopped (exit $status); stopping the other" >&2
exit "$status"
