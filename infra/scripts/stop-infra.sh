#!/usr/bin/env bash
# make stop: stops every container of the project and KEEPS all data.
# `compose stop` rather than `down`: containers (and their logs, for `make logs` after a crash) stay, named
# volumes are untouched, and the next start only restarts them. `make reset` is the one that removes things.
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for arg in "$@"; do
  case "$arg" in
    -h | --help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    # The whole project stops, whatever profile started it, so there is nothing to choose.
    *) usage_error "Unknown option \"$arg\"." "stop-infra.sh takes no options: it stops every service and keeps all data." ;;
  esac
done

on_interrupt "make stop" "services it had not stopped yet keep running" "make stop again"
require_engine
require_own_project
acquire_lock
compose "${ALL_PROFILE_ARGS[@]}" stop
say "✓ Stopped project $(project_name); data is kept in its volumes. 'make start' brings it back."
