#!/usr/bin/env bash
# The drills: the whole system under load and faults (docs/DRILLS.md). Installs what the app needs (redis-server),
# builds, starts the whole app once through the AppHost and runs the named drills (all by default), printing PASS/FAIL
# per criterion; writes the figures and plots to docs/DRILLS.md and docs/drills/. Exit code 0 only when all pass.
#   ./drills.sh [provider-outage|redis-restart|worker-kill|rolling-restart|supabase-outage|sustained-load ...] [--quick] [--rate N]
set -euo pipefail
cd "$(dirname "$0")"
. scripts/prerequisites.sh
aiserver_prerequisites

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build AiServer.Drills -c Release -nologo -clp:ErrorsOnly
exec dotnet AiServer.Drills/bin/Release/net10.0/AiServer.Drills.dll "$@"
