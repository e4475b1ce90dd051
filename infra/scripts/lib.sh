# shellcheck shell=bash disable=SC2034
# Shared helpers for the lifecycle scripts (start-infra.sh, stop-infra.sh, reset-infra.sh, logs.sh).
# Sourced, never run. The scripts stay thin: they only orchestrate Compose and call the tools CLI
# (tools/src/cli.ts), which owns every check and every talk with the services.
#
# Inputs (environment; a variable set in the shell beats the one in .env):
#   COMPOSE_PROJECT_NAME   Compose project (default wallpaperdb); namespaces containers, networks and volumes.
#   COMPOSE_PROFILES       profiles when no --profile flag is given (default: core,observability; cache is opt-in).
#   STACK_START_TIMEOUT    seconds `start` waits for every service to become healthy (default 300).
#   HOST_WORKSPACE_FOLDER  the repository path as the Docker ENGINE's host sees it (set in the dev container,
#                          Docker-outside-of-Docker): relative bind mounts must resolve on that host.
#   WALLPAPERDB_ENV_FILE   the env file (default <repo>/.env); tests point it at a temporary file.
#   WPDB_LOCK_DIR          folder of the lifecycle lock (default <repo>/.turbo); tests use a temporary one.
#   WPDB_TOOLS_CLI         the tools' bundle (make sets it after rebuilding it if stale); unset: tsx runs the sources.
#   DEBUG=1                trace every command.
# Exit codes: 0 ok, 1 failure, 2 usage or refused (no confirmation), 129/130/143 interrupted (HUP/INT/TERM).
# Portable to the stock macOS Bash 3.2: no mapfile or ${x,,}; possibly empty arrays expand as ${a[@]+"${a[@]}"}
# (set -u rejects "${a[@]}" of an empty array before Bash 4.4); no GNU-only timeout/date/flock assumptions.

set -euo pipefail
[[ "${DEBUG:-}" == 1 ]] && set -x

# shellcheck source=SCRIPTDIR/env-identity.sh
source "$(dirname "${BASH_SOURCE[0]}")/env-identity.sh"

SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
INFRA_DIR="$(dirname "$SCRIPTS_DIR")"
REPO_ROOT="$(dirname "$INFRA_DIR")"
COMPOSE_FILE_PATH="$INFRA_DIR/docker-compose.yml"
ENV_FILE="${WALLPAPERDB_ENV_FILE:-$REPO_ROOT/.env}"
ENV_EXAMPLE="$REPO_ROOT/.env.example"
# The profiles a start without PROFILE starts; the opt-in ones (the cache) are not among them.
ALL_PROFILES=(core observability)

die() { # message [fix...] -> stderr, exit 1
  printf '✗ %s\n' "$1" >&2
  shift
  local line
  for line in "$@"; do printf '  %s\n' "$line" >&2; done
  exit 1
}
say() { printf '%s\n' "$*" >&2; }

# The env file's values, read once by the tools' reader with Compose's own rules (quotes, ${VAR}, $$, CRLF,
# export, comments) into WPDB_DOTENV_<NAME>: the scripts pass Compose exactly what it reads itself. A file
# Compose cannot read (a directory, no permission, a broken line) stops every command with the reason and fix.
load_env_file() {
  [[ -e "$ENV_FILE" ]] || return 0
  # The values hold passwords: DEBUG=1 must not trace them.
  local values xtrace=""
  [[ $- == *x* ]] && xtrace=1 && set +x
  if ! read_plain_env_file; then
    values="$(node "$REPO_ROOT/tools/bin/dotenv-values.mjs" "$ENV_FILE")" || exit 1
    eval "$values"
  fi
  [[ -z "$xtrace" ]] || set -x
}

# A file of only comment lines, blank lines and KEY=value lines whose values have none of Compose's special
# characters (quotes, $, #, spaces, backslash, CR), as .env.example and its copies are: read here, as Compose
# reads it (the value as written, the last line of a key wins), sparing every command the node reader's
# 0.1 s. Any other line: status 1 and nothing set, for the node reader.
read_plain_env_file() {
  [[ -f "$ENV_FILE" && -r "$ENV_FILE" ]] || return 1
  local line names=() values=() i
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ -z "$line" || "$line" == "#"* ]] && continue
    [[ "$line" =~ ^([A-Za-z_][A-Za-z0-9_]*)=([A-Za-z0-9_./:,@%+=-]*)$ ]] || return 1
    names+=("WPDB_DOTENV_${BASH_REMATCH[1]}")
    values+=("${BASH_REMATCH[2]}")
  done <"$ENV_FILE"
  for i in "${!names[@]}"; do printf -v "${names[i]}" '%s' "${values[i]}"; done
}

# Value of a variable as Compose sees it: the process environment first (also when empty: then the default
# applies, as ${VAR:-default} does in Compose and the tools), then the env file, then the default.
env_value() {
  local name="$1" fallback="${2:-}" from_file="WPDB_DOTENV_$1"
  if [[ -n "${!name+set}" ]]; then
    printf '%s' "${!name:-$fallback}"
  else
    printf '%s' "${!from_file:-$fallback}"
  fi
}

project_name() { env_value COMPOSE_PROJECT_NAME wallpaperdb; }
load_env_file

# Bind mounts in the Compose file are relative to the project directory. Under Docker-outside-of-Docker the
# engine resolves them on ITS host, so the project directory must be the host's path of infra/.
project_directory() {
  if [[ -n "${HOST_WORKSPACE_FOLDER:-}" ]]; then
    printf '%s/infra' "${HOST_WORKSPACE_FOLDER%/}"
  else
    printf '%s' "$INFRA_DIR"
  fi
}

# The project name this checkout would get beside another one: the name plus the checkout's folder name.
derived_project_name() { printf '%s-%s' "$1" "$(wpdb_folder_slug "$REPO_ROOT")"; }

# Compose labels every container with the infra/ folder that created it (com.docker.compose.project.working_dir).
# A project of the same name created from another checkout is that checkout's stack: stopping, deleting or
# starting it from here would act on someone else's containers and data.
require_own_project() {
  local project dirs dir own
  project="$(project_name)"
  dirs="$(docker ps -a --filter "label=com.docker.compose.project=$project" \
    --format '{{.Label "com.docker.compose.project.working_dir"}}' 2>/dev/null)" || return 0
  own="$(wpdb_canonical_dir "$(project_directory)")"
  while IFS= read -r dir; do
    [[ -z "$dir" || "$(wpdb_canonical_dir "$dir")" == "$own" ]] && continue
    die "Project $project belongs to another checkout: ${dir%/infra} (its containers were created there)." \
      "fix: give this checkout a project of its own: set COMPOSE_PROJECT_NAME=$(derived_project_name "$project") and free ports in $ENV_FILE (make doctor checks them)," \
      "     or run make in ${dir%/infra}."
  done <<<"$dirs"
}

ENGINE_HELP=(
  "fix: start Docker Desktop (macOS, Windows) or the Docker Engine (Linux: sudo systemctl start docker),"
  "     or work in the dev container (.devcontainer/) or devbox (devbox shell), and check with: docker info"
)

require_docker_cli() {
  command -v docker >/dev/null 2>&1 || die "The docker CLI is not installed or not on PATH." "${ENGINE_HELP[@]}"
}

# Runs a command with a deadline, also where coreutils `timeout` is missing (stock macOS). The fallback's
# watchdog has its own stdin/stdout: inside $(...) it must not hold the pipe open after the command ends, and
# it takes its sleep down with it when stopped.
run_with_timeout() {
  local seconds="$1"
  shift
  if command -v timeout >/dev/null 2>&1; then
    timeout -k 1 "$seconds" "$@"
    return
  fi
  "$@" &
  local pid=$!
  (
    trap 'kill $! 2>/dev/null; exit 0' TERM
    sleep "$seconds" &
    wait $! && kill "$pid"
  ) >/dev/null 2>&1 </dev/null &
  local watchdog=$!
  local rc=0
  wait "$pid" || rc=$?
  kill "$watchdog" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true
  return "$rc"
}

# The fields of `docker info` the tools read (tools/src/docker/engine.ts parseDockerInfo), as one JSON line.
ENGINE_INFO_FORMAT='{"ServerVersion":{{json .ServerVersion}},"OperatingSystem":{{json .OperatingSystem}},"OSType":{{json .OSType}},"Architecture":{{json .Architecture}},"NCPU":{{json .NCPU}},"MemTotal":{{json .MemTotal}},"DockerRootDir":{{json .DockerRootDir}},"ClientInfo":{"Version":{{json .ClientInfo.Version}}}}'
# Fails within a few seconds when no engine answers: a hung or absent engine must not stall a command. The
# engine's answer goes to the tools (WPDB_ENGINE_INFO), which then need not ask again.
require_engine() {
  require_docker_cli
  # Compose's version asks only the CLI, not the engine: found meanwhile (fd 8), for detect_compose.
  exec 8< <(docker compose version 2>/dev/null)
  COMPOSE_VERSION_PENDING=1
  local output info rc=0
  output="$(run_with_timeout 3 docker info --format "$ENGINE_INFO_FORMAT" 2>&1)" || rc=$?
  # The engine's JSON line, apart from docker's error lines (and DEBUG=1's trace lines).
  info="$(printf '%s\n' "$output" | { grep '^{' || true; } | tail -n 1)"
  if [[ $rc -ne 0 || -z "$info" || "$info" == *'"ServerVersion":""'* ]]; then
    local reason
    reason="$(printf '%s\n' "$output" | { grep -v '^{' || true; } | tail -n 1)"
    # 124/137: timeout ended it; 143: the fallback's watchdog did.
    [[ $rc -eq 124 || $rc -eq 137 || $rc -eq 143 || -z "$reason" ]] && reason="no answer within 3 s"
    die "Cannot reach a Docker engine (docker info: $reason)." "${ENGINE_HELP[@]}"
  fi
  export WPDB_ENGINE_INFO="$info"
}

# The `docker compose` plugin, or the standalone `docker-compose` v2 where the plugin is missing.
COMPOSE_CMD=()
COMPOSE_VERSION_PENDING=""
detect_compose() {
  local version=""
  if [[ -n "$COMPOSE_VERSION_PENDING" ]]; then
    version="$(cat <&8)"
    exec 8<&-
    COMPOSE_VERSION_PENDING=""
  fi
  if [[ -n "$version" ]] || version="$(docker compose version 2>/dev/null)"; then
    COMPOSE_CMD=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1 && version="$(docker-compose version 2>/dev/null)"; then
    COMPOSE_CMD=(docker-compose)
  else
    die "Docker Compose v2 is not installed (neither 'docker compose' nor 'docker-compose')." \
      "fix: install the Compose plugin (https://docs.docker.com/compose/install/) or use the dev container."
  fi
  # The tools reuse the detection and the version it printed instead of asking again.
  export WPDB_COMPOSE="${COMPOSE_CMD[*]}" WPDB_COMPOSE_VERSION="$version"
}

compose() {
  [[ ${#COMPOSE_CMD[@]} -gt 0 ]] || detect_compose
  [[ -f "$COMPOSE_FILE_PATH" ]] || die "The Compose file is missing: $COMPOSE_FILE_PATH" "fix: restore it (git checkout -- infra/docker-compose.yml)."
  local env_args=()
  [[ -f "$ENV_FILE" ]] && env_args=(--env-file "$ENV_FILE")
  "${COMPOSE_CMD[@]}" -p "$(project_name)" -f "$COMPOSE_FILE_PATH" ${env_args[@]+"${env_args[@]}"} \
    --project-directory "$(project_directory)" "$@"
}

# Ctrl-C, a closed terminal or a kill ends a lifecycle command with one message that says what it leaves
# behind (set per phase) and the signal's exit code. Bash runs the trap once the running child has ended;
# the lock goes with the process (flock) or with the EXIT trap (mkdir lock).
on_interrupt() { # command state fix
  INTERRUPTED=("$1" "$2" "$3")
  trap 'interrupted 130 Ctrl-C' INT
  trap 'interrupted 143 SIGTERM' TERM
  trap 'interrupted 129 "the terminal closed"' HUP
}
interrupted() { # exit-code cause
  trap '' INT TERM HUP # a second Ctrl-C must not cut the message short
  [[ $1 -eq 130 && -t 2 ]] && printf '\n' >&2 # off the line where the terminal echoed ^C
  printf '✗ %s was interrupted (%s); %s.\n  fix: %s\n' "${INTERRUPTED[0]}" "$2" "${INTERRUPTED[1]}" "${INTERRUPTED[2]}" \
    >&2 2>/dev/null || true
  exit "$1"
}

usage_error() { # message fix -> stderr, exit 2
  printf '✗ %s\n  fix: %s\n' "$1" "$2" >&2
  exit 2
}
# An option that needs a value ($1) has one ($2): not missing, empty or the next option.
require_value() {
  [[ $# -ge 2 && -n "$2" && "$2" != --* ]] || usage_error "$1 needs a value." "${USAGE:-see --help}"
}

# Every profile of the Compose file, in its order, read from its `profiles: [...]` lines: a new service's
# profile is known without an edit here, and without the second `docker compose config --profiles` costs.
KNOWN_PROFILES=()
read -r -a KNOWN_PROFILES <<<"$(sed -n 's/^    profiles: *\[\(.*\)\] *$/\1/p' "$COMPOSE_FILE_PATH" | tr ',' '\n' |
  awk '{ gsub(/[ "\047]/, "") } $0 != "" && !seen[$0]++ { printf "%s ", $0 }')"

# "use PROFILE=core or PROFILE=observability, or the opt-in PROFILE=cache": the profiles to choose from.
profile_choices() {
  local p default_list="" opt_in_list=""
  for p in "${ALL_PROFILES[@]}"; do default_list+="${default_list:+ or }PROFILE=$p"; done
  for p in ${KNOWN_PROFILES[@]+"${KNOWN_PROFILES[@]}"}; do
    [[ " ${ALL_PROFILES[*]} " == *" $p "* ]] || opt_in_list+="${opt_in_list:+ or }PROFILE=$p"
  done
  printf 'use %s%s' "$default_list" "${opt_in_list:+, or the opt-in $opt_in_list}"
}

# --profile flags from the chosen profiles (default: every profile, so the default start starts everything).
PROFILES=()
add_profiles() { # comma or space separated list
  local item
  for item in ${1//,/ }; do
    [[ " ${KNOWN_PROFILES[*]-} " == *" $item "* ]] ||
      usage_error "Unknown profile \"$item\"." "$(profile_choices); comma-separated to combine (e.g. core,cache)."
    [[ " ${PROFILES[*]-} " == *" $item "* ]] || PROFILES+=("$item")
  done
}
# Resolves the profiles once: flags, else COMPOSE_PROFILES, else all; fills PROFILE_ARGS for compose and tools.
PROFILE_ARGS=()
resolve_profiles() {
  [[ ${#PROFILES[@]} -gt 0 ]] || add_profiles "$(env_value COMPOSE_PROFILES "${ALL_PROFILES[*]}")"
  [[ ${#PROFILES[@]} -gt 0 ]] || add_profiles "${ALL_PROFILES[*]}" # COMPOSE_PROFILES=" , "
  local p
  PROFILE_ARGS=()
  for p in ${PROFILES[@]+"${PROFILES[@]}"}; do PROFILE_ARGS+=(--profile "$p"); done
}
# stop, reset and logs act on every service of the project, whatever profile started it.
ALL_PROFILE_ARGS=()
for profile in ${KNOWN_PROFILES[@]+"${KNOWN_PROFILES[@]}"}; do ALL_PROFILE_ARGS+=(--profile "$profile"); done
unset profile

# The tools CLI: the bundle make has just brought up to date (WPDB_TOOLS_CLI, relative to the repository), else
# the sources through tsx, so a script run by hand never runs a stale bundle.
tools() {
  (
    cd "$REPO_ROOT/tools"
    export WALLPAPERDB_ENV_FILE="$ENV_FILE"
    if [[ -n "${WPDB_TOOLS_CLI:-}" ]]; then node "$REPO_ROOT/$WPDB_TOOLS_CLI" "$@"; else node --import tsx src/cli.ts "$@"; fi
  )
}

# One trace per lifecycle command: its tools process joins it through TRACEPARENT (W3C) and also sends the
# script's root span (see tools/src/telemetry/tracer.ts). Costs nothing without a collector.
start_tracing() {
  local trace_id span_id now
  trace_id="$(od -An -tx1 -N16 /dev/urandom 2>/dev/null | tr -d ' \n')"
  span_id="$(od -An -tx1 -N8 /dev/urandom 2>/dev/null | tr -d ' \n')"
  [[ ${#trace_id} -eq 32 && ${#span_id} -eq 16 ]] || return 0
  now="$(date +%s%3N 2>/dev/null)"
  [[ "$now" =~ ^[0-9]+$ ]] || now="$(($(date +%s) * 1000))" # BSD date has no %N
  export TRACEPARENT="00-$trace_id-$span_id-01"
  TRACE_ROOT="$1@$now"
}
finish_tracing() { WALLPAPERDB_TRACE_ROOT="${TRACE_ROOT:-}" "$@"; }

ensure_env_file() {
  [[ -e "$ENV_FILE" ]] && return # an unreadable one was refused by load_env_file already
  [[ -f "$ENV_EXAMPLE" ]] || die "Neither $ENV_FILE nor $ENV_EXAMPLE exists." "fix: restore .env.example (git checkout -- .env.example)."
  cp "$ENV_EXAMPLE" "$ENV_FILE.tmp.$$"
  # Without an engine (yet) the defaults stay: make start then stops at the engine, make doctor at a port.
  local containers identity=""
  if command -v docker >/dev/null 2>&1 &&
    containers="$(run_with_timeout 3 docker ps -a --format "$WPDB_CONTAINER_FORMAT" 2>/dev/null)"; then
    identity="$(wpdb_identity "$containers" "$(project_directory)" "$REPO_ROOT" "$ENV_EXAMPLE")"
  fi
  wpdb_set_env_lines "$ENV_FILE.tmp.$$" "$identity"
  mv -f "$ENV_FILE.tmp.$$" "$ENV_FILE"
  if [[ -n "$identity" ]]; then
    say "Created $(basename "$ENV_FILE") from .env.example with a project and ports of this checkout's own, as another checkout on this engine holds the defaults:"
    say "  $(printf '%s' "$identity" | tr '\n' ' ')"
    say "  edit $(basename "$ENV_FILE") to change them."
  else
    say "Created $(basename "$ENV_FILE") from .env.example: edit it to change ports or passwords."
  fi
  load_env_file
}

# One lifecycle command at a time per Compose project: a second `start` waits for the first, then finds the
# stack running. flock where it exists (Linux); elsewhere an atomic mkdir lock with stale-owner recovery.
LOCK_WAIT_SECONDS="${LOCK_WAIT_SECONDS:-600}"
# A mkdir lock still without a pid after this many seconds lost its owner between mkdir and writing the pid.
LOCK_STALE_SECONDS="${LOCK_STALE_SECONDS:-5}"
acquire_lock() {
  if [[ "${WPDB_LIFECYCLE_LOCK_HELD:-}" == 1 ]]; then
    # reset-infra.sh execs start-infra.sh: same process, so the mkdir lock is still ours to remove at exit.
    if [[ -n "${WPDB_MKDIR_LOCK:-}" && "$(cat "$WPDB_MKDIR_LOCK/pid" 2>/dev/null)" == "$$" ]]; then
      trap 'rm -rf "'"$WPDB_MKDIR_LOCK"'"' EXIT
    fi
    return
  fi
  local dir="${WPDB_LOCK_DIR:-$REPO_ROOT/.turbo}"
  mkdir -p "$dir"
  local file
  file="$dir/lifecycle-$(project_name).lock"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$file"
    if ! flock -n 9; then
      say "Another start/stop/reset of project $(project_name) is running; waiting for it (up to ${LOCK_WAIT_SECONDS}s)..."
      flock -w "$LOCK_WAIT_SECONDS" 9 || die "Timed out waiting for the lock $file." "fix: wait for the other command, or delete $file if none runs."
    fi
  else
    local lock="$file.d" waited=0 pidless=0 seen owner
    until mkdir "$lock" 2>/dev/null; do
      seen="$(lock_identity "$lock")"
      owner="${seen#*:}"
      if [[ -n "$seen" && -z "$owner" ]]; then ((pidless += 1)); else pidless=0; fi
      if [[ -n "$owner" ]] && ! kill -0 "$owner" 2>/dev/null || ((pidless > LOCK_STALE_SECONDS)); then
        remove_stale_lock "$lock" "$seen" && pidless=0 && continue
      fi
      [[ $waited -eq 0 ]] && say "Another start/stop/reset of project $(project_name) is running; waiting for it..."
      ((waited += 1))
      ((waited > LOCK_WAIT_SECONDS)) && die "Timed out waiting for the lock $lock." "fix: delete $lock (and $lock.break) if no other command runs."
      sleep 1
    done
    echo $$ >"$lock/pid"
    trap 'rm -rf "'"$lock"'"' EXIT
    export WPDB_MKDIR_LOCK="$lock"
  fi
  export WPDB_LIFECYCLE_LOCK_HELD=1
}

# "inode:pid" of a mkdir lock (pid empty while its owner has not written it yet); empty if there is none.
lock_identity() {
  local inode
  # shellcheck disable=SC2012 # our own lock path; ls -di is the portable way to an inode (no GNU stat)
  inode="$(ls -di "$1" 2>/dev/null | awk '{print $1}')" || return 0
  [[ -n "$inode" ]] && printf '%s:%s' "$inode" "$(cat "$1/pid" 2>/dev/null || true)"
  return 0
}

# Removes the lock $1 if it still is the stale one seen ($2). Serialised by a second mkdir lock and re-checked
# there: of two waiters that saw the same dead owner, the second then finds the first one's new lock and
# leaves it. Renamed before rm -rf, so nobody ever sees a half-deleted lock.
remove_stale_lock() {
  local lock="$1" seen="$2"
  mkdir "$lock.break" 2>/dev/null || return 1
  if [[ "$(lock_identity "$lock")" == "$seen" ]] && mv "$lock" "$lock.stale.$$" 2>/dev/null; then
    rm -rf "$lock.stale.$$"
  fi
  rmdir "$lock.break"
}
