#!/usr/bin/env bash
# A real `devcontainer up` of this repository's dev container against a LOCAL Docker engine, where
# no registry is reachable: the workspace image is replaced by a locally built stand-in, the
# docker-outside-of-docker feature (downloaded from ghcr.io) is left out (the stand-in carries the
# Docker CLI and the socket is mounted instead), and only the workspace service starts (the stack's
# images cannot be pulled). Everything else is the real configuration: both Compose files, the
# initializeCommand on the host, containerEnv, the port relay, postCreateCommand and
# postStartCommand through make. See README.md for what it shows and what it cannot.
#
# Not part of `make test`. Needs: root (debootstrap), a running Docker engine, debootstrap, npm
# registry access (the CLI is installed into $WORK/cli; postCreateCommand runs npm ci).
# Usage: bash infra/test/devcontainer/real-up/run.sh        (KEEP=1 leaves the container running)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../../.." && pwd)"
WORK="${WORK:-/tmp/wpdb-real-up}"
CHECKOUT="$WORK/wallpaperdb"
PROJECT=wpdb-real-up
# The CLI and jsonc-parser in a private prefix, at the versions the repository pins: the
# checkout's node_modules may be reinstalled while this runs (make targets run npm ci).
TOOLS="$WORK/cli"
DEVCONTAINER="$TOOLS/node_modules/.bin/devcontainer"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }
# devcontainer up, keeping going when a lifecycle command fails (expected here: no services).
up() { # <log file> <lines to show (ERE)>
  local rc=0
  "$DEVCONTAINER" up --workspace-folder "$CHECKOUT" --log-format text >"$1" 2>&1 || rc=$?
  grep -E "$2" "$1" | cut -c1-220 | tail -n 40
  echo "devcontainer up exit code: $rc (full log: $1)"
}
remove_project() {
  local dc=(docker-compose)
  docker compose version >/dev/null 2>&1 && dc=(docker compose)
  "${dc[@]}" -p "$PROJECT" -f "$CHECKOUT/infra/docker-compose.yml" \
    -f "$CHECKOUT/.devcontainer/docker-compose.workspace.yml" down -v --remove-orphans >/dev/null 2>&1 || true
}

docker info >/dev/null 2>&1 || fail "no Docker engine answers (start one: dockerd &)"
command -v debootstrap >/dev/null || fail "debootstrap missing (apt-get install debootstrap)"
mkdir -p "$WORK"
if [[ ! -x "$DEVCONTAINER" ]]; then
  cli_version="$(node -p 'require(process.argv[1]).devDependencies["@devcontainers/cli"]' "$REPO/package.json")"
  jsonc_version="$(node -p 'require(process.argv[1]).devDependencies["jsonc-parser"]' "$REPO/infra/package.json")"
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error \
    "@devcontainers/cli@$cli_version" "jsonc-parser@$jsonc_version" >/dev/null || fail "npm install of the CLI failed"
fi

step "1. stand-in workspace image (debootstrap rootfs + node, npm, docker CLI, compose)"
if ! docker image inspect wpdb-devcontainer-rootfs:bookworm >/dev/null 2>&1; then
  rm -rf "$WORK/rootfs"
  # The mirror this machine already uses (first URIs: line of its deb822 sources), never a hard-coded host.
  mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)"
  [[ -n "$mirror" ]] || fail "no Debian mirror found in /etc/apt/sources.list.d/debian.sources"
  debootstrap --variant=minbase --include=make,ca-certificates,procps,sudo,iproute2,libstdc++6,git \
    bookworm "$WORK/rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 \
    || fail "debootstrap failed, see $WORK/debootstrap.log"
  tar -C "$WORK/rootfs" -c . | docker import - wpdb-devcontainer-rootfs:bookworm >/dev/null
  rm -rf "$WORK/rootfs"
fi
# Rebuilt every run (layer cache: seconds) so Dockerfile.standin edits take effect.
context="$WORK/standin-context"
rm -rf "$context" && mkdir -p "$context/extra-ca"
cp "$(readlink -f "$(command -v node)")" "$context/node"
cp -r "$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")" "$context/npm"
cp "$(readlink -f "$(command -v docker)")" "$context/docker"
cp "$(readlink -f "$(command -v docker-compose)")" "$context/docker-compose"
cp /usr/local/share/ca-certificates/*.crt "$context/extra-ca/" 2>/dev/null || true
docker build -q -f "$HERE/Dockerfile.standin" --build-arg "DOCKER_GID=$(stat -c %g /var/run/docker.sock)" \
  -t wpdb-workspace-standin:local "$context" >/dev/null
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E 'standin|rootfs'

step "2. a fresh copy of the working tree at $CHECKOUT (the 'host' folder)"
if [[ -d "$CHECKOUT" ]]; then
  remove_project
  rm -rf "$CHECKOUT"
fi
mkdir -p "$CHECKOUT"
(cd "$REPO" && git ls-files -z -co --exclude-standard | tar --null -T - -c) | tar -x -C "$CHECKOUT"
# A .env before the first start, as a user may have: its own project name (the CLI must honour
# it), and a short wait deadline (the stack's images are not available here).
sed -e "s/^COMPOSE_PROJECT_NAME=.*/COMPOSE_PROJECT_NAME=$PROJECT/" \
    -e 's/^STACK_START_TIMEOUT=.*/STACK_START_TIMEOUT=15/' "$CHECKOUT/.env.example" >"$CHECKOUT/.env"
# Owned like a developer's checkout (uid 1000 = the image's node user). On a real Linux host the
# CLI instead remaps node's uid to the folder owner's (updateRemoteUserUID); it skips that for root.
chown -R 1000:1000 "$CHECKOUT"

step "3. devcontainer.json for this engine: no features, stand-in override, only the workspace"
node -e '
  const { readFileSync, writeFileSync } = require("node:fs");
  const { modify, applyEdits } = require(process.argv[1]);
  const file = process.argv[2];
  let text = readFileSync(file, "utf8");
  const edit = (path, value) => { text = applyEdits(text, modify(text, path, value, { formattingOptions: { insertSpaces: true, tabSize: 2 } })); };
  edit(["features"], undefined);
  edit(["runServices"], ["workspace"]);
  edit(["dockerComposeFile"], ["../infra/docker-compose.yml", "docker-compose.workspace.yml", "../infra/test/devcontainer/real-up/docker-compose.standin.yml"]);
  writeFileSync(file, text);
' "$TOOLS/node_modules/jsonc-parser" "$CHECKOUT/.devcontainer/devcontainer.json"
grep -nE '"(runServices|dockerComposeFile|features)"' "$CHECKOUT/.devcontainer/devcontainer.json"

step "4. devcontainer up (initializeCommand on the host, then postCreate/postStart inside)"
up "$WORK/up.log" 'initialize:|Running the (initializeCommand|postCreateCommand|postStartCommand)|added [0-9]+ packages|✗|fix:|error|outcome'

step "5. what the CLI created"
docker ps -a --filter "label=com.docker.compose.project=$PROJECT" \
  --format 'table {{.Names}}\t{{.Status}}\t{{.Label "com.docker.compose.service"}}\t{{.Networks}}'
ls -l "$CHECKOUT/infra/.env"
exec_in() { "$DEVCONTAINER" exec --workspace-folder "$CHECKOUT" "$@"; }

step "6. inside the workspace"
exec_in sh -c 'echo "user=$(id -un) pwd=$(pwd) node=$(node --version)"; echo "HOST_WORKSPACE_FOLDER=$HOST_WORKSPACE_FOLDER"; echo "S3_ENDPOINT=$S3_ENDPOINT NATS_URL=$NATS_URL"; echo "DATABASE_URL=${DATABASE_URL%%:*}://***@${DATABASE_URL#*@}"; stat -c "node_modules owner: %U" node_modules'
exec_in sh -c 'ss -ltn | grep -c "127.0.0.1:" | sed "s/^/relay listeners on 127.0.0.1: /"'
exec_in sh -c 'make help | sed -n 1,6p'
exec_in sh -c 'docker ps --format "engine seen from inside: {{.Names}}" | grep '"$PROJECT"''
step "7. make stop inside keeps the dev container (it is an orphan for infra/docker-compose.yml)"
exec_in make stop || true
docker ps --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}} {{.Status}}'

step "8. stop the container and 'devcontainer up' again: postStartCommand (wait + status) on start"
docker stop "$(docker ps -q --filter "label=com.docker.compose.project=$PROJECT" --filter label=com.docker.compose.service=workspace)" >/dev/null
up "$WORK/up-again.log" 'Running the (initializeCommand|postCreateCommand|postStartCommand)|not ready after|SERVICE|postgres |outcome'

if [[ "${KEEP:-}" != 1 ]]; then
  step "9. clean up"
  remove_project
  echo "removed project $PROJECT (images kept for the next run)"
fi
