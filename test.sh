#!/usr/bin/env bash
# Installs what the tests need, builds with warnings as errors, runs every test and prints one closing line:
# "N passed, N failed" (", N skipped" when any). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/prerequisites.sh
aiserver_prerequisites chromium:chromium

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet build AiServer.sln -c Release -nologo -clp:ErrorsOnly

results="$(pwd)/TestResults"
rm -rf "$results"
status=0
dotnet test AiServer.Tests/AiServer.Tests.csproj -c Release --no-build --nologo \
    --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" --blame-hang-timeout 10m "$@" || status=$?

trx=$(find "$results" -name '*.trx' 2>/dev/null | head -n 1)
if [ -z "$trx" ]; then
    echo "error: the test run wrote no results (exit $status)." >&2
    echo "0 passed, 1 failed"
    exit 1
fi
counters=$(grep -o '<Counters [^>]*>' "$trx")
num() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
total=$(num total); executed=$(num executed); passed=$(num passed)
failed=$(( $(num failed) + $(num error) + $(num timeout) + $(num aborted) ))
skipped=$(( total - executed ))
line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
if [ "$failed" -gt 0 ] || [ "$status" -ne 0 ] || [ "$passed" -eq 0 ]; then
    exit 1
fi
