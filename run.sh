#!/usr/bin/env bash
# Starts the whole system on the embedded default: a local redis-server, 2 api replicas and the workers,
# supervised by the AppHost. Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/prerequisites.sh
aiserver_prerequisites

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build AiServer.sln -nologo -clp:ErrorsOnly
exec dotnet run --no-build --project AiServer.AppHost -- "$@"
