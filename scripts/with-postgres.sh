#!/usr/bin/env bash
# Runs a command beside a throw-away PostgreSQL server (Debian's `postgresql` package, a fresh
# cluster in a temporary directory, 127.0.0.1 only), with VITRINE_TEST_POSTGRES_URL naming it.
# The server is stopped and its files removed when the command ends.
#   scripts/with-postgres.sh COMMAND [ARGS…]
set -euo pipefail
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$bin" ]; then
  echo "with-postgres: PostgreSQL is not installed; run scripts/bootstrap.sh --test" >&2
  exit 1
fi
port="${VITRINE_TEST_POSTGRES_PORT:-54329}"
dir="$(mktemp -d /tmp/vitrine-pg.XXXXXX)"
# PostgreSQL refuses to run as root: as root, run it as the package's `postgres` user.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
stop() {
  as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
as_owner "$bin/initdb" -D "$dir/data" -U vitrine --auth=trust -E UTF8 --no-locale >/dev/null
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
  "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off" \
  start >/dev/null
export VITRINE_TEST_POSTGRES_URL="postgres://vitrine@127.0.0.1:$port/postgres"
"$@"
