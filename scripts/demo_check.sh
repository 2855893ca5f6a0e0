#!/usr/bin/env bash
# Prove the README's first command: run `make demo` as a new user would (default settings,
# no DATABASE_URL, no MSOIC_* variables), wait until the server answers on /healthz, log in
# as the demo national user and read the national dashboard's calibrated figures, see that
# the task worker runs beside the server, then stop both. Exits non-zero if the demo does
# not come up, shows other figures or has no worker.
#
#   bash scripts/demo_check.sh            (what `make demo-check` and .ci/run call)
#
# Environment:
#   MSOIC_DEMO_CHECK_FRESH=1   fail if var/ exists before the run (CI sets it: the clean
#                              checkout must not need a folder it does not have)
#   MSOIC_DEMO_CHECK_PORT      the port to serve on (default 8765)
#   MSOIC_DEMO_CHECK_TIMEOUT   seconds to wait for the demo to come up (default 900)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${MSOIC_DEMO_CHECK_PORT:-8765}"
TIMEOUT="${MSOIC_DEMO_CHECK_TIMEOUT:-900}"
LOG="$(mktemp /tmp/msoic-demo-check.XXXXXX.log)"

if [ -e var ]; then
  if [ "${MSOIC_DEMO_CHECK_FRESH:-0}" = 1 ]; then
    echo "demo-check: var/ exists before the run; this check must start from a clean checkout" >&2
    exit 1
  fi
  echo "demo-check: note: var/ already exists here, so this run does not prove a fresh clone"
fi

# The settings a new user has: none. The demo database is the default one in var/.
unset DATABASE_URL SECRET_KEY
for name in $(env | sed -n 's/^\(MSOIC_[A-Z0-9_]*\)=.*/\1/p'); do
  case "$name" in MSOIC_DEMO_CHECK_*) ;; *) unset "$name" ;; esac
done

# `make demo` in its own process group, so stopping it stops runserver and its reloader.
setsid make demo PORT="$PORT" >"$LOG" 2>&1 &
DEMO_PID=$!

stop_demo() {
  if kill -0 "$DEMO_PID" 2>/dev/null; then
    kill -TERM -- "-$DEMO_PID" 2>/dev/null
    for _ in $(seq 1 20); do kill -0 "$DEMO_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$DEMO_PID" 2>/dev/null
  fi
  wait "$DEMO_PID" 2>/dev/null
}
trap stop_demo EXIT
trap 'exit 130' INT TERM

fail() {
  echo "demo-check: FAILED: $*" >&2
  echo "---- last lines of make demo's output ($LOG) ----" >&2
  tail -n 40 "$LOG" >&2
  exit 1
}

start=$SECONDS
echo "demo-check: make demo (log in $LOG); waiting up to ${TIMEOUT}s for http://127.0.0.1:$PORT/healthz"
while :; do
  if ! kill -0 "$DEMO_PID" 2>/dev/null; then
    wait "$DEMO_PID"
    fail "make demo exited (status $?) before the server answered"
  fi
  if python3 - "$PORT" <<'EOF' 2>/dev/null; then
import json, sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=5) as r:
    sys.exit(0 if json.load(r).get("status") == "ok" else 1)
EOF
    break
  fi
  [ $((SECONDS - start)) -ge "$TIMEOUT" ] && fail "no answer on /healthz after ${TIMEOUT}s"
  sleep 2
done
echo "demo-check: the server answers after $((SECONDS - start))s"

python3 "$ROOT/scripts/demo_check_pages.py" "http://127.0.0.1:$PORT" || fail "the demo's pages are not as the README says"
# Upload jobs need the task worker that `make demo` starts beside the server.
pgrep -g "$DEMO_PID" -f "msoic worker" >/dev/null || fail "no task worker (msoic worker) runs beside the web server"
echo "demo-check: the task worker runs beside the web server"
echo "demo-check: passed in $((SECONDS - start))s"
