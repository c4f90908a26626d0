#!/usr/bin/env bash
# Measures what a Prometheus scrape of one api costs: the size of /metrics after traffic on many routes, and the scrape
# rate and latency under wrk. Loopback only, bounded in time. Usage: scripts/bench-metrics.sh [seconds per wrk run]
# Needs a Release build (dotnet build AiServer.sln -c Release), redis-server and wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
redis_port=$(free_port); api_port=$(free_port)
redis-server --port "$redis_port" --save "" --appendonly no --daemonize yes --pidfile "/tmp/bench-redis-$redis_port.pid" >/dev/null
ConnectionStrings__redis="127.0.0.1:$redis_port" ASPNETCORE_URLS="http://127.0.0.1:$api_port" Logging__File__Enabled=false \
    Logging__LogLevel__Default=Warning Admin__Token=bench-token \
    dotnet AiServer.Api/bin/Release/net10.0/AiServer.Api.dll >/dev/null 2>&1 &
api_pid=$!
cleanup() { kill "$api_pid" 2>/dev/null || true; redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true; }
trap cleanup EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$api_port/health" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$api_port"
echo "scrape before traffic: $(curl -s "$base/metrics" | wc -c) bytes"
# Traffic with many distinct paths, methods and statuses: none of it may add series that grow with traffic.
cat > /tmp/bench-paths.lua <<'LUA'
local i = 0
request = function()
  i = i + 1
  local methods = {"GET", "POST", "PUT", "DELETE", "FOO"}
  local m = methods[(i % #methods) + 1]
  local paths = {"/v1/jobs/" .. i, "/nope/" .. i, "/metrics/circuit-breakers", "/admin/circuit-breakers/replicate/reset", "/health/ready"}
  return wrk.format(m, paths[(i % #paths) + 1])
end
LUA
wrk -t2 -c32 -d"${duration}s" -s /tmp/bench-paths.lua "$base" >/dev/null
size=$(curl -s "$base/metrics" | wc -c)
series=$(curl -s "$base/metrics" | grep -vc '^#')
echo "scrape after ${duration}s of mixed traffic: $size bytes, $series samples"
echo "scrapes under wrk (2 threads, 8 connections, ${duration}s):"
wrk -t2 -c8 -d"${duration}s" --latency "$base/metrics" | grep -E "Requests/sec|50%|99%|Latency  "
