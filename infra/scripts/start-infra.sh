#!/usr/bin/env bash
# make start: preflight, compose up --wait, then the tools' wait, seed and status table with URLs (one process).
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
    -h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

# Blocking checks (ports, versions, .env values, bind paths); exit 3 means the stack already runs healthy.
preflight=0
[[ "$skip_preflight" == 1 ]] || finish_tracing tools doctor --preflight ${PROFILE_ARGS[@]+"${PROFILE_ARGS[@]}"} || preflight=$?
# (doctor has then printed the status table itself: one process less on the no-op path.)
[[ $preflight -eq $EXIT_ALREADY_RUNNING ]] && exit 0
[[ $preflight -eq 0 ]] || exit "$preflight"

timeout_seconds="$(env_value STACK_START_TIMEOUT 300)"
say "Starting ${PROFILES[*]-} (project $(project_name), waiting up to ${timeout_seconds}s for health)..."
up_and_wait() { compose ${PROFILE_ARGS[@]+"${PROFILE_ARGS[@]}"} up --detach --wait --wait-timeout "$timeout_seconds"; }
# The tools ask the engine why each service is not up (exit code, OOM kill, failing healthcheck, the reason it
# never started, its last log lines) and end with what failed and the fix: a timeout only when it was one.
# 0: every service is healthy by now; EXIT_ONLY_RECOVERING: the only ones left have just cleared.
diagnose_failed_start() {
  finish_tracing tools status --diagnose --start-limit "$timeout_seconds" ${PROFILE_ARGS[@]+"${PROFILE_ARGS[@]}"}
}
if ! up_and_wait; then
  rc=0
  diagnose_failed_start || rc=$?
  [[ $rc -eq 0 || $rc -eq $EXIT_ONLY_RECOVERING ]] || exit 1
  # Compose stops at the first container it sees unhealthy, also at a stale state (Docker keeps "unhealthy"
  # after an unpause until the next check): once that has cleared, Compose gets one more try.
  say "Starting once more: a service Compose saw unhealthy has passed its healthcheck since."
  if ! up_and_wait; then
    rc=0
    diagnose_failed_start || rc=$?
    [[ $rc -eq 0 || $rc -eq $EXIT_ONLY_RECOVERING ]] && die "Compose still reports a service unhealthy although its healthcheck passes." \
      "fix: make start again; 'make status' shows what the engine reports."
    exit 1
  fi
fi

# wait, seed and the status table as one chain in one tools process (one node start-up, not three).
after_up=()
[[ "$no_wait" == 1 ]] || after_up+=(wait ${PROFILE_ARGS[@]+"${PROFILE_ARGS[@]}"} +)
# Every seeded service (postgres, minio, opensearch, nats) is in the core profile.
if [[ "$no_seed" != 1 && " ${PROFILES[*]-} " == *" core "* ]]; then after_up+=(seed +); fi
finish_tracing tools ${after_up[@]+"${after_up[@]}"} status ${PROFILE_ARGS[@]+"${PROFILE_ARGS[@]}"}
