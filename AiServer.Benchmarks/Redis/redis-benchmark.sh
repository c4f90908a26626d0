#!/usr/bin/env bash
# The redis-benchmark side of the Redis client comparison (docs/PERFORMANCE.md, "## Redis client"): one connection,
# pipeline depth matching the client benchmark's concurrent callers (1, 16, 256), redis-benchmark's default key and
# 3-byte value, against a throw-away redis-server on a free loopback port.
set -euo pipefail
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
for i in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
for pipeline in 1 16 256; do
    requests=$(( pipeline == 1 ? 200000 : pipeline == 16 ? 1000000 : 4000000 ))
    echo "== redis-benchmark -h 127.0.0.1 -p PORT -c 1 -P $pipeline -n $requests -t get,set --csv"
    redis-benchmark -h 127.0.0.1 -p "$port" -c 1 -P "$pipeline" -n "$requests" -t get,set --csv
done
