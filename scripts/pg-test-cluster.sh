#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite: `start DIR` initialises and starts one on a
# free loopback port and prints its superuser URL; `stop DIR` stops it and deletes it; `pause DIR`
# stops it keeping its data and `resume DIR` starts it again on the same port (the outage tests). Durability
# is off (fsync, synchronous_commit): the data is thrown away anyway; PG_DURABLE=1 keeps it on
# (the ingestion benchmark measures real commits). As root, the cluster runs as
# the `postgres` system user because PostgreSQL refuses to run as root.
set -euo pipefail

cmd=${1:?usage: pg-test-cluster.sh start|stop|pause|resume DIR}
dir=${2:?usage: pg-test-cluster.sh start|stop|pause|resume DIR}

bindir=""
for d in $(command -v initdb >/dev/null && dirname "$(command -v initdb)") $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then bindir=$d; break; fi
done
[ -n "$bindir" ] || { echo "PostgreSQL server binaries not found: apt-get install postgresql" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    rm -rf "$dir"
    mkdir -p "$dir"
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    # A free loopback port, asked of the kernel (node is installed by install-tools.sh).
    durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${PG_DURABLE:-0}" = 1 ] && durability=""
    port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    (cd / && as_pg "$bindir/initdb" -D "$dir/data" -U tocsin -E UTF8 --no-locale --auth=trust >"$dir/initdb.log" 2>&1) \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    echo "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='' $durability -c max_connections=300" >"$dir/options"
    (cd / && as_pg "$bindir/pg_ctl" start -D "$dir/data" -l "$dir/data/server.log" -w -t 60 -o "$(cat "$dir/options")" \
      >/dev/null) || { tail -20 "$dir/data/server.log" >&2; exit 1; }
    echo "postgres://tocsin@127.0.0.1:$port/postgres"
    ;;
  pause)
    (cd / && as_pg "$bindir/pg_ctl" stop -D "$dir/data" -m fast -w >/dev/null)
    ;;
  resume)
    (cd / && as_pg "$bindir/pg_ctl" start -D "$dir/data" -l "$dir/data/server.log" -w -t 60 -o "$(cat "$dir/options")" \
      >/dev/null) || { tail -20 "$dir/data/server.log" >&2; exit 1; }
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      (cd / && as_pg "$bindir/pg_ctl" stop -D "$dir/data" -m immediate -w >/dev/null 2>&1) || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg-test-cluster.sh start|stop|pause|resume DIR" >&2
    exit 2
    ;;
esac
