#!/usr/bin/env bash
# Checks a running AiServer service (api or workers) the way an operator would, and prints a readable summary:
#   /health, /health/live, /health/ready    answer 200 (a 503 names the checks that fail)
#   /health/detailed                        every check with its status and response time; slow ones named
#   /metrics                                Prometheus text; `promtool check metrics` when promtool is installed
#   /metrics/circuit-breakers               every breaker's fleet state; OPEN and HALF_OPEN ones named
# Usage: scripts/reliability-check.sh [url]        (default http://localhost:5080, the api under ./run.sh)
# Environment: RELIABILITY_CHECK_TIMEOUT (s per request, default 10), RELIABILITY_CHECK_SLOW_MS (default 1000).
# Exit: 0 all good, 1 a failure (no answer, 503, an unhealthy check, unreadable metrics), 2 warnings only (degraded
# or slow checks, OPEN breakers, promtool lint findings). Needs curl and jq.
set -uo pipefail

base="${1:-http://localhost:5080}"
base="${base%/}"
timeout="${RELIABILITY_CHECK_TIMEOUT:-10}"
slow_ms="${RELIABILITY_CHECK_SLOW_MS:-1000}"

for tool in curl jq; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "error: $tool is required (Debian/Ubuntu: sudo apt-get install -y $tool)." >&2
        exit 1
    fi
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
warnings=0
ok() { printf '  OK    %s\n' "$*"; }
warn() { printf '  WARN  %s\n' "$*"; warnings=$((warnings + 1)); }
fail() { printf '  FAIL  %s\n' "$*"; failures=$((failures + 1)); }

# fetch PATH: sets $code (000 when nothing answered) and leaves the body in $tmp/body, curl's error in $tmp/err.
fetch() {
    code="$(curl -sS -o "$tmp/body" -w '%{http_code}' --max-time "$timeout" "$base$1" 2>"$tmp/err")" || code=000
    [ -n "$code" ] || code=000
}

no_answer() { fail "$1: no answer ($(tr -d '\n' <"$tmp/err" | sed 's/^curl: ([0-9]*) //'))"; }

# Lists the checks of a health JSON body that are not healthy: "name (status: message)".
bad_checks() {
    jq -r '[.checks[]? | select(.status != "healthy") | "\(.service) (\(.status)\(if .details.message then ": " + .details.message else "" end))"] | join(", ")' "$tmp/body" 2>/dev/null
}

echo "AiServer reliability check: $base"

echo "Health endpoints"
for path in /health /health/live /health/ready; do
    fetch "$path"
    case "$code" in
        200) ok "$path 200" ;;
        000) no_answer "$path" ;;
        *)
            bad="$(bad_checks)"
            fail "$path $code${bad:+ - failing: $bad}"
            ;;
    esac
done

echo "Detailed health (/health/detailed, slow above ${slow_ms} ms)"
fetch /health/detailed
if [ "$code" = 000 ]; then
    no_answer /health/detailed
elif ! jq -e '.checks | type == "array"' "$tmp/body" >/dev/null 2>&1; then
    fail "/health/detailed $code: not the health JSON ({status, checks:[...]})"
else
    status="$(jq -r '.status' "$tmp/body")"
    while IFS=$'\t' read -r service check_status ms message; do
        line="$(printf '%-13s %-9s %8s ms' "$service" "$check_status" "$ms")${message:+  $message}"
        slow="$(jq -n --argjson ms "$ms" --argjson limit "$slow_ms" '$ms > $limit')"
        case "$check_status" in
            healthy) if [ "$slow" = true ]; then warn "$line  (slow)"; else ok "$line"; fi ;;
            degraded) warn "$line" ;;
            *) fail "$line" ;;
        esac
    done < <(jq -r '.checks[] | [.service, .status, (.responseTime | tostring), (.details.message // "")] | @tsv' "$tmp/body")
    slow_list="$(jq -r --argjson limit "$slow_ms" '[.checks[] | select(.responseTime > $limit) | "\(.service) (\(.responseTime) ms)"] | join(", ")' "$tmp/body")"
    [ -n "$slow_list" ] && echo "  slow checks: $slow_list"
    if [ "$code" != 200 ] && [ "$status" != unhealthy ]; then
        fail "/health/detailed answered $code"
    fi
    echo "  overall: $status (HTTP $code)"
fi

echo "Metrics (/metrics)"
fetch /metrics
if [ "$code" = 000 ]; then
    no_answer /metrics
elif [ "$code" != 200 ]; then
    fail "/metrics $code"
elif ! grep -q '^process_uptime_seconds' "$tmp/body"; then
    fail "/metrics 200 but no process_uptime_seconds: not AiServer's Prometheus exposition"
else
    ok "/metrics 200, $(grep -vc '^#' "$tmp/body") samples"
    if command -v promtool >/dev/null 2>&1; then
        findings="$(promtool check metrics <"$tmp/body" 2>&1)"
        lint=$?
        # The seeds' own name, kept on purpose (docs/observability.md).
        findings="$(printf '%s\n' "$findings" | grep -v '^database_response_time_ms metric names should not contain abbreviated units$' | grep -v '^$')"
        if [ "$lint" -ne 0 ] && [ "$lint" -ne 3 ]; then
            fail "promtool check metrics: $findings"
        elif [ -n "$findings" ]; then
            warn "promtool check metrics: $(printf '%s' "$findings" | tr '\n' ';')"
        else
            ok "promtool check metrics: clean"
        fi
    else
        echo "  (promtool not installed: the exposition was not linted)"
    fi
fi

echo "Circuit breakers (/metrics/circuit-breakers)"
fetch /metrics/circuit-breakers
if [ "$code" = 000 ]; then
    no_answer /metrics/circuit-breakers
elif [ "$code" != 200 ] || ! jq -e '.breakers | type == "array"' "$tmp/body" >/dev/null 2>&1; then
    fail "/metrics/circuit-breakers $code: not the breaker JSON"
else
    sync="$(jq -r '.sync' "$tmp/body")"
    if [ "$sync" = fleet ]; then
        ok "sync: fleet (shared through Redis)"
    else
        warn "sync: $sync (this instance decides alone; is Redis reachable?)"
    fi
    while IFS=$'\t' read -r name state forced reason; do
        case "$state" in
            CLOSED) ok "$(printf '%-13s %s' "$name" "$state")" ;;
            *) warn "$(printf '%-13s %s' "$name" "$state")${forced:+ (forced $forced)}${reason:+: $reason}" ;;
        esac
    done < <(jq -r '.breakers[] | [.name, .state, (if .forced == "NONE" then "" else .forced end), (.openReason // "")] | @tsv' "$tmp/body")
    open_list="$(jq -r '[.breakers[] | select(.state == "OPEN") | .name] | join(", ")' "$tmp/body")"
    [ -n "$open_list" ] && echo "  OPEN: $open_list"
fi

echo
if [ "$failures" -gt 0 ]; then
    echo "FAILED: $failures failure(s), $warnings warning(s) at $base"
    exit 1
elif [ "$warnings" -gt 0 ]; then
    echo "DEGRADED: $warnings warning(s) at $base"
    exit 2
fi
echo "HEALTHY: every check passed at $base"
