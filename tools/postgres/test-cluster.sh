#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on a loopback port, for the tests and for trying replicas by hand.
#   test-cluster.sh start DIR   creates (first time) and starts a cluster in DIR; prints its connection string
#   test-cluster.sh stop DIR    stops it (the data stays in DIR until you delete it)
# PostgreSQL refuses to run as root: as root the cluster runs as the system user "chatadvisor-pg" (created if missing).
set -euo pipefail

command=${1:?usage: test-cluster.sh start|stop DIR}
dir=${2:?usage: test-cluster.sh start|stop DIR}

bin=${PG_BIN:-}
if [ -z "$bin" ]; then
  for candidate in /usr/lib/postgresql/*/bin; do [ -x "$candidate/pg_ctl" ] && bin=$candidate; done
fi
if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
  echo "PostgreSQL server binaries not found (install the Debian package postgresql-15, or set PG_BIN)" >&2
  exit 2
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u chatadvisor-pg -- "$@"; else "$@"; fi
}

case "$command" in
  start)
    if [ "$(id -u)" -eq 0 ] && ! id chatadvisor-pg >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin chatadvisor-pg
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ "$(id -u)" -eq 0 ] && chown chatadvisor-pg "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir/data" -U chatadvisor --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    port=${PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
      || node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/data -c max_connections=200 -c fsync=off -c synchronous_commit=off" >/dev/null \
      || { tail -20 "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U chatadvisor chatadvisor 2>/dev/null || true
    echo "Host=127.0.0.1;Port=$port;Username=chatadvisor;Database=chatadvisor"
    ;;
  stop)
    [ -f "$dir/data/PG_VERSION" ] || exit 0
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "unknown command '$command' (start or stop)" >&2; exit 2 ;;
esac
