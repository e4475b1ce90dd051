#!/usr/bin/env bash
# make snapshot / snapshots / snapshot-rm / restore: the engine and checkout checks and the lifecycle lock
# (a snapshot must not race a start, stop or reset), then the tools CLI does the work
# (tools/src/commands/snapshot.ts): it stops and restarts the data services itself, so Ctrl-C restarts them.
# exec keeps the lock: flock's descriptor passes to the tools process, and so does the mkdir lock's pid.
# Usage: snapshot-infra.sh snapshot [--name NAME] [--json] | snapshots [--json] | snapshot-rm NAME [--yes] | restore NAME [--yes]
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

USAGE="snapshot-infra.sh snapshot [--name NAME] [--json] | snapshots [--json] | snapshot-rm NAME [--yes] | restore NAME [--yes]"
command="${1:-}"
[[ $# -gt 0 ]] && shift
case "$command" in
  snapshot | snapshots) ;;
  snapshot-rm | restore)
    [[ -n "${1:-}" && "$1" != -* ]] ||
      usage_error "make $command needs the snapshot's name; nothing was changed." \
        "make $command NAME=<name> (make snapshots lists them)."
    ;;
  -h | --help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) usage_error "Unknown command \"$command\"." "$USAGE" ;;
esac

if [[ "$command" == snapshot || "$command" == restore ]]; then
  require_engine
  require_own_project
  detect_compose
fi
# Listing only reads the folder; deleting one must not pull it from under a running restore.
[[ "$command" == snapshots ]] || acquire_lock
cd "$REPO_ROOT/tools"
export WALLPAPERDB_ENV_FILE="$ENV_FILE"
# The bundle make brought up to date, else the sources (as lib.sh's tools does).
[[ -z "${WPDB_TOOLS_CLI:-}" ]] || exec node "$REPO_ROOT/$WPDB_TOOLS_CLI" "$command" "$@"
exec node --import tsx src/cli.ts "$command" "$@"
