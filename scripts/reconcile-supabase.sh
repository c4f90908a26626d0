#!/usr/bin/env bash
# Compares every job record in Redis with its Supabase row (ai_jobs) and, with --repair, queues drifted jobs in the
# outbox again so the relay rewrites them. Usage: scripts/reconcile-supabase.sh [--repair] [api url]
# Needs the admin token in ADMIN_TOKEN (./run.sh prints it). Prints the report:
# {"checked":..,"in_sync":..,"missing":..,"stale":..,"pending":..,"repaired":..,"drifted":[job ids]}
set -euo pipefail
repair=false
if [[ "${1:-}" == "--repair" ]]; then repair=true; shift; fi
api="${1:-http://localhost:5080}"
: "${ADMIN_TOKEN:?set ADMIN_TOKEN to the admin token}"
curl -sS --fail-with-body -X POST -H "Authorization: Bearer $ADMIN_TOKEN" "$api/admin/jobs/outbox/reconcile?repair=$repair"
echo
