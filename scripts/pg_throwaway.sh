# A throwaway PostgreSQL cluster for one run: in its own directory under /tmp, reached by
# unix socket only, stopped and removed by pg_stop. Sourced by scripts/test.sh,
# scripts/load.sh and scripts/survey_burst.sh, which differ only in the server's settings.
#
#   pg_start NAME "SERVER OPTIONS" [ROLE OPTIONS]   start one; sets PG_BIN, PG_DIR, PG_USER,
#                                                   PG_URL (role msoic, database msoic)
#   pg_run PROGRAM ARGS...                          run a server program as its owner
#   pg_stop                                         stop it and remove its directory
#
# PostgreSQL refuses to run as root, so when run as root the server runs as the `postgres`
# user if there is one, else as a `msoic-pg` system user created here. PG_BIN may be given;
# else PostgreSQL 15's binaries, else the newest found.

PG_BIN="${PG_BIN:-}"
PG_DIR=""
PG_USER=""
PG_URL=""

pg_run() {
  if [ -n "$PG_USER" ]; then
    (cd "$PG_DIR" && runuser -u "$PG_USER" -- "$@")
  else
    (cd "$PG_DIR" && "$@")
  fi
}

pg_stop() {
  if [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
    pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >>"$PG_DIR/server.log" 2>&1 || true
  fi
  [ -n "$PG_DIR" ] && rm -rf "$PG_DIR"
  PG_DIR=""
}

pg_start() {
  local name="$1" options="$2" role_options="${3:-}"
  if [ -z "$PG_BIN" ]; then
    if [ -x /usr/lib/postgresql/15/bin/postgres ]; then
      PG_BIN=/usr/lib/postgresql/15/bin
    else
      PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    fi
  fi
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/postgres" ]; then
    echo "$name: no PostgreSQL server binaries (install the postgresql package)" >&2
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
  PG_DIR="$(mktemp -d "/tmp/msoic-${name%.sh}.XXXXXX")" || return 1
  [ -n "$PG_USER" ] && chown "$PG_USER" "$PG_DIR"
  chmod 700 "$PG_DIR"
  if ! pg_run "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C >"$PG_DIR/initdb.log" 2>&1; then
    cat "$PG_DIR/initdb.log" >&2
    return 1
  fi
  if ! pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories=$PG_DIR $options" \
      start >/dev/null; then
    cat "$PG_DIR/server.log" >&2
    return 1
  fi
  pg_run "$PG_BIN/psql" -h "$PG_DIR" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE msoic LOGIN $role_options" -c "CREATE DATABASE msoic OWNER msoic" || return 1
  PG_URL="postgres://msoic@/msoic?host=$PG_DIR"
}
