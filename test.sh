#!/usr/bin/env bash
# Installs what the tests need, builds with warnings as errors, runs every test (C#, the alert rules' promtool unit
# tests, the SDK conformance suite) and prints one closing line:
# "N passed, N failed" (", N skipped" when any). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/prerequisites.sh
aiserver_prerequisites chromium:chromium node:nodejs npm:npm

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet build AiServer.sln -c Release -nologo -clp:ErrorsOnly

results="$(pwd)/TestResults"
rm -rf "$results"
status=0
dotnet test AiServer.Tests/AiServer.Tests.csproj -c Release --no-build --nologo \
    --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" --blame-hang-timeout 10m "$@" || status=$?

# The alert rules' unit tests (deploy/prometheus/tests, one file per alert): promtool checks the rules, then runs each
# file; every file counts as one test in the closing line.
rules_passed=0
rules_failed=0
if ! promtool check rules deploy/prometheus/alerts.yml; then
    rules_failed=$(( rules_failed + 1 ))
fi
for rules_test in deploy/prometheus/tests/*.test.yml; do
    if promtool test rules "$rules_test"; then
        rules_passed=$(( rules_passed + 1 ))
    else
        rules_failed=$(( rules_failed + 1 ))
    fi
done
echo "Alert rule tests (promtool): $rules_passed passed, $rules_failed failed"

# The SDK conformance suite: the providers' official SDKs (exact versions from its package-lock.json) against the
# built emulator (tests/sdk-conformance/README.md). Its TAP counts join the closing line.
sdk_dir=tests/sdk-conformance
sdk_status=0
rm -f "$sdk_dir/results.tap"
if timeout 300 npm ci --prefix "$sdk_dir" --no-audit --no-fund --loglevel=error; then
    timeout 420 node "$sdk_dir/run.mjs" || sdk_status=$?
else
    sdk_status=$?
    echo "error: npm ci in $sdk_dir failed or took more than 300 s (exit $sdk_status)." >&2
fi
tap() { { sed -n "s/^# $1 \([0-9]*\)\$/\1/p" "$sdk_dir/results.tap" 2>/dev/null || true; } | tail -n 1 | grep . || echo 0; }
sdk_passed=$(tap pass)
sdk_failed=$(( $(tap fail) + $(tap cancelled) ))
sdk_skipped=$(( $(tap skipped) + $(tap todo) ))
if [ "$sdk_status" -ne 0 ] && [ "$sdk_failed" -eq 0 ]; then
    echo "error: the SDK conformance suite exited with $sdk_status without a failing test to show for it." >&2
    sdk_failed=1
fi
echo "SDK conformance: $sdk_passed passed, $sdk_failed failed, $sdk_skipped skipped"

trx=$(find "$results" -name '*.trx' 2>/dev/null | head -n 1)
if [ -z "$trx" ]; then
    echo "error: the test run wrote no results (exit $status)." >&2
    echo "$(( sdk_passed + rules_passed )) passed, $(( sdk_failed + rules_failed + 1 )) failed"
    exit 1
fi
counters=$(grep -o '<Counters [^>]*>' "$trx")
num() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
total=$(num total); executed=$(num executed); passed=$(num passed)
failed=$(( $(num failed) + $(num error) + $(num timeout) + $(num aborted) ))
skipped=$(( total - executed + sdk_skipped ))
passed=$(( passed + sdk_passed + rules_passed ))
failed=$(( failed + sdk_failed + rules_failed ))
line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
if [ "$failed" -gt 0 ] || [ "$status" -ne 0 ] || [ "$passed" -eq 0 ]; then
    exit 1
fi
