# shellcheck shell=sh disable=SC2034
# The identity a new .env gets: sourced by lib.sh (ensure_env_file, make start) and by
# .devcontainer/initialize.sh, which runs on the host before any container exists, so POSIX sh only.
# The project name and host ports of .env.example when no other checkout on this engine holds them; else a
# name derived from the checkout's folder and the first block of ports (each default + 10000 + 100*k) that no
# other checkout's container publishes. The result is written into .env, visible and editable: no hidden state.

# Every container of the engine as "project|checkout infra dir|published ports" (the input of wpdb_identity).
WPDB_CONTAINER_FORMAT='{{.Label "com.docker.compose.project"}}|{{.Label "com.docker.compose.project.working_dir"}}|{{.Ports}}'

wpdb_canonical_dir() { (cd "$1" 2>/dev/null && pwd -P) || printf '%s' "$1"; }

# The folder name as a Compose project name part: lowercase letters, digits, '-' and '_'.
wpdb_folder_slug() {
  slug="$(basename "$1" | tr '[:upper:]' '[:lower:]' | LC_ALL=C tr -c 'a-z0-9_-' '-' | sed 's/^-*//; s/-*$//')"
  printf '%s' "${slug:-checkout}"
}

# wpdb_identity CONTAINERS OWN_INFRA_DIR REPO_ROOT EXAMPLE -> the .env lines that differ from the example
# (COMPOSE_PROJECT_NAME=..., <VAR>_PORT=...), nothing when its defaults are free.
wpdb_identity() {
  own="$(wpdb_canonical_dir "$2")"
  default_name="$(sed -n 's/^COMPOSE_PROJECT_NAME=//p' "$4" | tail -n 1)"
  default_name="${default_name:-wallpaperdb}"
  default_ports="$(grep -E '^[A-Z_]+_PORT=[0-9]+$' "$4")"
  # Rows of other checkouts only: this checkout's own containers hold nothing against it.
  others="$(printf '%s\n' "$1" | while IFS='|' read -r project dir ports; do
    [ -n "$project" ] || continue
    [ -n "$dir" ] && [ "$(wpdb_canonical_dir "$dir")" = "$own" ] && continue
    printf '%s|%s\n' "$project" "$ports"
  done)"
  taken=" $(printf '%s\n' "$others" | grep -o ':[0-9][0-9]*->' | tr -d ':>-' | tr '\n' ' ') "
  name="$default_name"
  base="$default_name-$(wpdb_folder_slug "$3")"
  n=1
  while printf '%s\n' "$others" | grep -q "^$name|"; do
    if [ "$n" -eq 1 ]; then name="$base"; else name="$base-$n"; fi
    n=$((n + 1))
  done
  [ "$name" = "$default_name" ] || printf 'COMPOSE_PROJECT_NAME=%s\n' "$name"
  k=0
  while [ "$k" -le 100 ]; do
    offset=0
    [ "$k" -eq 0 ] || offset=$((10000 + 100 * k))
    free=yes
    for pair in $default_ports; do
      case "$taken" in *" $((${pair#*=} + offset)) "*) free=no ;; esac
    done
    if [ "$free" = yes ]; then
      [ "$offset" -eq 0 ] && return 0
      for pair in $default_ports; do printf '%s=%s\n' "${pair%%=*}" "$((${pair#*=} + offset))"; done
      return 0
    fi
    k=$((k + 1))
  done
}

# wpdb_set_env_lines FILE LINES: each VAR=value line replaces the file's VAR= line (or is appended).
wpdb_set_env_lines() {
  printf '%s\n' "$2" | while IFS= read -r line; do
    [ -n "$line" ] || continue
    key="${line%%=*}"
    if grep -q "^$key=" "$1"; then
      sed "s|^$key=.*|$line|" "$1" >"$1.identity.$$" && mv -f "$1.identity.$$" "$1"
    else
      printf '%s\n' "$line" >>"$1"
    fi
  done
}
