#!/usr/bin/env bash
# make reset: deletes THIS project's containers and named volumes (all its data), then starts again.
# Every check comes first (arguments, a way to confirm, the engine, start's preflight with its ports): a
# reset that deleted the data and then could not start would cost the data for nothing.
# Confirmed by --yes (`make reset CONFIRM=1` passes it) or by typing "yes" on the terminal (/dev/tty).
# Without either it refuses (exit 2); a CONFIRM variable in the shell confirms nothing.
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

# A terminal exists only if /dev/tty can really be opened (CI, setsid and a closed terminal cannot).
if [[ $confirmed -ne 1 ]] && ! { : </dev/tty; } 2>/dev/null; then
  usage_error "make reset deletes every volume of project $(project_name) (all its data) and needs a confirmation; there is no terminal to ask." \
    "run it in a terminal, or confirm on make's command line: make reset CONFIRM=1 (an exported CONFIRM does not count), or reset-infra.sh --yes."
fi

on_interrupt "make reset" "nothing was deleted" "make reset again when you want to"
ensure_env_file
require_engine
require_own_project
acquire_lock
resolve_profiles
detect_compose
project="$(project_name)"

# Start's own preflight, before anything is deleted. The stack's own containers may hold its ports: that passes.
checks=0
tools doctor --preflight ${PROFILE_ARGS[@]+"${PROFILE_ARGS[@]}"} || checks=$?
if [[ $checks -ne 0 ]]; then
  say "Nothing was deleted; run make reset again once that is fixed."
  exit "$checks"
fi

if [[ $confirmed -ne 1 ]]; then
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

on_interrupt "make reset" "it was deleting the containers and volumes, so some may be gone" \
  "make reset CONFIRM=1 finishes the reset; make start keeps what is left"
# No --remove-orphans: in the dev container the workspace container belongs to the same Compose project
# without being in this file, so it counts as an orphan: removing orphans would delete the editor's own
# container. --volumes removes only the named volumes this file declares (<project>_postgres-data, ...).
compose "${ALL_PROFILE_ARGS[@]}" down --volumes
# A staging volume a killed `make restore` left (<volume>-restore) is no volume of the Compose file, so down
# keeps it; restore labels them (STAGING_LABEL in tools/src/snapshot/volumes.ts).
staging="$(docker volume ls -q --filter "label=com.docker.compose.project=$project" \
  --filter label=com.wallpaperdb.restore-staging 2>/dev/null || true)"
# shellcheck disable=SC2086 # one volume name per word; names never contain spaces
[[ -z "$staging" ]] || docker volume rm -f $staging >/dev/null
say "✓ Deleted the containers and volumes of project $project. Starting again..."
exec "$SCRIPTS_DIR/start-infra.sh" --skip-preflight ${start_args[@]+"${start_args[@]}"}
