#!/usr/bin/env bash
# Job benchmarks (issue 12), loopback only, bounded in time:
#  1. wrk against POST /v1/jobs/speech (small body, API key; the workers are not running, so this is the submission
#     path alone: validation, one Lua script on Redis, the answer) and, in the same run, against a bare minimal-API
#     endpoint on the same machine (AiServer.Benchmarks bare-api): requests/s and latency percentiles of both.
#  2. End-to-end overhead per job, submit to succeeded (Prefer: wait=30), the emulator answering at once, with 1 and
#     with 64 jobs in flight (AiServer.Benchmarks jobs-e2e).
# Usage: scripts/bench-jobs.sh [seconds per wrk run]. Needs a Release build, redis-server and wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-15}"
bin=bin/Release/net10.0
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
redis_port=$(free_port); emu_port=$(free_port); api_port=$(free_port); workers_port=$(free_port); bare_port=$(free_port)
outputs=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
    rm -rf "$outputs"
}
trap cleanup EXIT INT TERM
wait_for() { for _ in $(seq 1 150); do curl -sf "$1" >/dev/null && return 0; sleep 0.2; done; echo "timed out waiting for $1" >&2; exit 1; }

redis-server --port "$redis_port" --save "" --appendonly no >/dev/null 2>&1 &
pids+=($!)
dotnet AiServer.ProviderEmulator/$bin/AiServer.ProviderEmulator.dll --urls "http://127.0.0.1:$emu_port" \
    --Emulator:ElevenLabs:JobDuration 00:00:00 --Logging:LogLevel:Default Warning >/dev/null 2>&1 &
pids+=($!)
key="bench-key-0123456789abcdef"
export ConnectionStrings__redis="127.0.0.1:$redis_port" Logging__File__Enabled=false Logging__LogLevel__Default=Warning \
    Auth__ApiKeys__0="$key" Auth__RateLimit__PermitsPerSecond=1000000 Auth__RateLimit__Burst=1000000 \
    Jobs__OutputPath="$outputs" Jobs__PollInterval=00:00:00.050 \
    Providers__ElevenLabs__BaseUrl="http://127.0.0.1:$emu_port/elevenlabs" Providers__ElevenLabs__ApiKey=emulator-key \
    Providers__ElevenLabs__MaxConcurrentRequests=64
ASPNETCORE_URLS="http://127.0.0.1:$api_port" dotnet AiServer.Api/$bin/AiServer.Api.dll >/dev/null 2>&1 &
pids+=($!)
dotnet AiServer.Benchmarks/$bin/AiServer.Benchmarks.dll bare-api "http://127.0.0.1:$bare_port" >/dev/null 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$emu_port/health"; wait_for "http://127.0.0.1:$api_port/health/ready"
for _ in $(seq 1 150); do [ "$(curl -s -o /dev/null -w '%{http_code}' -XPOST -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$bare_port/v1/jobs/speech")" = 202 ] && break; sleep 0.2; done

cat > /tmp/bench-jobs.lua <<LUA
wrk.method = "POST"
wrk.body = '{"text":"Benchmark sentence.","voice_id":"21m00Tcm4TlvDq8ikWAM"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
LUA
report() { grep -E "Requests/sec|Non-2xx|Socket errors| 50%| 99%"; }
echo "== submission: wrk -t2 -c32 -d${duration}s, POST /v1/jobs/speech"
echo "-- bare minimal API (same machine)"
wrk -t2 -c32 -d"${duration}s" --latency -s /tmp/bench-jobs.lua "http://127.0.0.1:$bare_port/v1/jobs/speech" | report
echo "-- AiServer api (1 instance, Redis on loopback)"
wrk -t2 -c32 -d"${duration}s" --latency -s /tmp/bench-jobs.lua "http://127.0.0.1:$api_port/v1/jobs/speech" | report
echo "jobs queued by the run: $(redis-cli -p "$redis_port" xlen 'aiserver:{jobs}:stream:speech')"
redis-cli -p "$redis_port" flushall >/dev/null

echo "== end to end: submit to succeeded (speech, emulator answering at once, 1 workers process)"
ASPNETCORE_URLS="http://127.0.0.1:$workers_port" Workers__Kinds__0=speech Workers__Concurrency=64 \
    dotnet AiServer.Workers/$bin/AiServer.Workers.dll >/dev/null 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$workers_port/health/ready"
dotnet AiServer.Benchmarks/$bin/AiServer.Benchmarks.dll jobs-e2e "http://127.0.0.1:$api_port/" "$key" 1 300
dotnet AiServer.Benchmarks/$bin/AiServer.Benchmarks.dll jobs-e2e "http://127.0.0.1:$api_port/" "$key" 64 3000
