#!/usr/bin/env bash
# make start: the shell's checks (engine, own project, lock), then one tools process for the preflight,
# compose up --wait, wait, seed and the status table with URLs.
# Usage: start-infra.sh [--profile core|observability]... [--no-wait] [--no-seed] [--skip-preflight]
#   --no-wait / START_NO_WAIT=1   skip the tools' readiness probes after `compose up --wait` (tests, benchmark)
#   --no-seed / START_NO_SEED=1   skip seeding (tests, benchmark; run `make seed` later)
#   --skip-preflight              reset-infra.sh: it ran the same checks before deleting anything
# Already running and healthy: prints the status and exits 0 without touching a container.
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

USAGE="start-infra.sh [--profile core|observability]... [--no-wait] [--no-seed] [--skip-preflight]"
no_wait="${START_NO_WAIT:-}"
no_seed="${START_NO_SEED:-}"
skip_preflight=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --profile) require_value "$@"; add_profiles "$2"; shift ;;
    --profile=*) add_profiles "${1#*=}" ;;
    --no-wait) no_wait=1 ;;
    --no-seed) no_seed=1 ;;
    --skip-preflight) skip_preflight=1 ;;
    -h | --help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage_error "Unknown option \"$1\"." "$USAGE" ;;
  esac
  shift
done

on_interrupt "make start" "services it already started keep running" "make start again continues from there; make stop stops them"
# .env first: a user without a running engine can already adjust ports and passwords.
ensure_env_file
require_engine
require_own_project
start_tracing "make start"
acquire_lock
resolve_profiles
detect_compose

# The rest runs in one tools process (tools/src/commands/start.ts): the preflight (an already healthy stack only
# gets its status table), compose up --wait with its output here, the diagnosis of a failed one and at most one
# more try, then wait, seed and the status table. A child of this shell, which keeps the lock and the Ctrl-C message.
start_args=()
[[ "$no_wait" == 1 ]] && start_args+=(--no-wait)
[[ "$no_seed" == 1 ]] && start_args+=(--no-seed)
[[ "$skip_preflight" == 1 ]] && start_args+=(--skip-preflight)
finish_tracing tools start ${PROFILE_ARGS[@]+"${PROFILE_ARGS[@]}"} ${start_args[@]+"${start_args[@]}"}
