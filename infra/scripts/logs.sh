#!/usr/bin/env bash
# make logs: follows the logs of every service, or of one.
# Usage: logs.sh [--service NAME] [--since 10m|2026-11-27T08:00:00] [--tail N] [--no-follow]
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

args=(--follow)
service=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --service) service="${2:?--service needs a name, e.g. --service nats}"; shift ;;
    --since) args+=(--since "${2:?--since needs a value, e.g. --since 10m}"); shift ;;
    --tail) args+=(--tail "${2:?--tail needs a number}"); shift ;;
    --no-follow) args=("${args[@]/--follow/}") ;;
    -h | --help) sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf '✗ Unknown option "%s".\n  fix: logs.sh [--service NAME] [--since 10m] [--tail N] [--no-follow]\n' "$1" >&2; exit 2 ;;
  esac
  shift
done
# Drop the empty element --no-follow leaves behind.
filtered=()
for a in ${args[@]+"${args[@]}"}; do [[ -n "$a" ]] && filtered+=("$a"); done

require_engine
require_own_project
compose "${ALL_PROFILE_ARGS[@]}" logs ${filtered[@]+"${filtered[@]}"} ${service:+"$service"}
