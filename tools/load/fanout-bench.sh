#!/usr/bin/env bash
# Measures how fast a replica hears of another replica's Direct Line activity: PostgreSQL LISTEN/NOTIFY against Redis
# pub/sub (benchmarks/ChatAdvisor.FanOutBenchmark). Starts a throwaway PostgreSQL 15 cluster and a Redis server on
# loopback ports and stops both afterwards. Needs the Debian packages postgresql-15 and redis-server.
#   tools/load/fanout-bench.sh [--messages 2000] [--runs 5] [--payload 2000]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v redis-server >/dev/null || { echo "redis-server not found (apt-get install redis-server)" >&2; exit 2; }

work=$(mktemp -d)
chmod 755 "$work"
redis_pid=""
cleanup() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
  "$root/tools/postgres/test-cluster.sh" stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT

postgres=$("$root/tools/postgres/test-cluster.sh" start "$work/pg")
redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

dotnet build "$root/benchmarks/ChatAdvisor.FanOutBenchmark" -c Release -v quiet -nologo >/dev/null
dotnet "$root/benchmarks/ChatAdvisor.FanOutBenchmark/bin/Release/net10.0/ChatAdvisor.FanOutBenchmark.dll" \
  --postgres "$postgres" --redis "127.0.0.1:$redis_port" "$@"
