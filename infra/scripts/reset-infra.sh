#!/usr/bin/env bash
# make reset: deletes THIS project's containers and named volumes (all its data), then starts again.
# Asks first on a terminal (read from /dev/tty: turbo may not pass stdin through) and goes on only on "yes".
# Without a terminal it refuses unless --yes is given (`make reset CONFIRM=1` passes it), and then nothing that
# deletes reaches docker. A CONFIRM variable in the shell confirms nothing: only the explicit flag does.
# Every argument is checked before anything is deleted: a typo must not cost the data and then fail to start.
# Usage: reset-infra.sh [--yes] [--profile core|observability]... [--no-wait] [--no-seed]
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

USAGE="reset-infra.sh [--yes] [--profile core|observability]... [--no-wait] [--no-seed]"
confirmed=0
start_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --yes | -y) confirmed=1 ;;
    --profile) require_value "$@"; add_profiles "$2"; start_args+=("$1" "$2"); shift ;;
    --profile=*) add_profiles "${1#*=}"; start_args+=("$1") ;;
    --no-wait | --no-seed) start_args+=("$1") ;;
    -h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage_error "Unknown option \"$1\"; nothing was deleted." "$USAGE" ;;
  esac
  shift
done

require_engine
acquire_lock
project="$(project_name)"

if [[ $confirmed -ne 1 ]]; then
  # A terminal exists only if /dev/tty can really be opened (CI, turbo without a TTY and setsid cannot).
  if ! { : </dev/tty; } 2>/dev/null; then
    die "make reset deletes every volume of project $project (all its data) and needs a confirmation; there is no terminal to ask." \
      "fix: run it in a terminal, or confirm explicitly: make reset CONFIRM=1 (or reset-infra.sh --yes)."
  fi
  volumes="$(docker volume ls --filter "label=com.docker.compose.project=$project" --format '{{.Name}}' 2>/dev/null || true)"
  {
    printf 'make reset deletes the containers and volumes of Compose project "%s":\n' "$project"
    # shellcheck disable=SC2086 # one volume name per word; names never contain spaces
    if [[ -n "$volumes" ]]; then printf '  %s\n' $volumes; else printf '  (no volumes yet)\n'; fi
    printf 'All data in them is lost. Type "yes" to continue: '
  } >/dev/tty
  answer=""
  read -r answer </dev/tty || true
  if [[ "$answer" != yes ]]; then
    say "Reset cancelled; nothing was deleted."
    exit 2
  fi
fi

# No --remove-orphans: in the dev container the workspace container belongs to the same Compose project
# without being in this file, so it counts as an orphan: removing orphans would delete the editor's own
# container. --volumes removes only the named volumes this file declares (<project>_postgres-data, ...).
compose "${ALL_PROFILE_ARGS[@]}" down --volumes
say "✓ Deleted the containers and volumes of project $project. Starting again..."
exec "$SCRIPTS_DIR/start-infra.sh" ${start_args[@]+"${start_args[@]}"}
