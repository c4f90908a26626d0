#!/usr/bin/env bash
# Starts the whole system on the embedded default through the Aspire AppHost: a local redis-server, the provider
# emulator, 2 api replicas and the workers, and the Aspire dashboard (its login link is printed). Ctrl+C or SIGTERM
# stops everything; DCP, Aspire's orchestrator, leaves no process behind.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/prerequisites.sh
aiserver_prerequisites

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
exec dotnet run --project AiServer.AppHost --launch-profile http -- "$@"
