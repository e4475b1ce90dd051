#!/usr/bin/env bash
# Installs the system packages the test suite needs on a fresh Debian (bookworm) machine.
#
# - PostgreSQL server binaries (bookworm): integration tests start a real server.
# - redis-server 7.0 (bookworm): the cache's RESP client, probe and verify check run against it
#   (bookworm's own package; the stack's Valkey 8 speaks the same protocol).
# - iproute2, lsof, procps: doctor names the process holding a port (ss -ltnp / lsof);
#   shellcheck lints the lifecycle scripts; make and git run the suite; tmux gives the engine
#   tier real terminals; debootstrap builds the root filesystem of the engine tier's images;
#   runc (bookworm's: trixie's needs a newer glibc), iptables and tini (the engine's docker-init, for
#   `init: true`, which the dev container's workspace uses) serve the engine.
# - From Debian's newer suites, extracted without installing so the base system is untouched:
#   trixie: the Docker Engine 26 (docker.io: dockerd, docker-proxy; containerd 1.7), the Compose
#   v2 plugin (`docker-compose config -q` is the real Compose validator), nats-server 2.10;
#   sid: Prometheus 3.5 and its promtool (the engine tier's Prometheus image, and the static
#   config check).
#
# The suites' sources entries are derived from the system's own debian.sources (only the suite
# changes), so no mirror host is written anywhere.
set -euo pipefail

TOOLS_DIR=${WALLPAPERDB_TEST_TOOLS_DIR:-/opt/wallpaperdb-test-tools}
BIN_DIR=${WALLPAPERDB_TEST_BIN_DIR:-/usr/local/bin}
SYSTEM_SOURCES=/etc/apt/sources.list.d/debian.sources

log() { printf '[install-system-deps] %s\n' "$*"; }

export DEBIAN_FRONTEND=noninteractive
log "apt-get update"
apt-get update -qq
log "installing postgresql, redis-server, ca-certificates, iproute2, lsof, procps, shellcheck, make, git, tmux, debootstrap, runc, iptables, tini"
apt-get install -y -qq --no-install-recommends postgresql redis-server ca-certificates iproute2 lsof procps shellcheck make git \
  tmux debootstrap runc iptables tini >/dev/null

work=$(mktemp -d)
chmod 755 "$work" # apt downloads as the _apt user
trap 'rm -rf "$work"' EXIT
if [ ! -r "$SYSTEM_SOURCES" ]; then
  echo "error: $SYSTEM_SOURCES not found; cannot derive a sources entry for a newer suite" >&2
  exit 1
fi

# download_from <suite> <package...>: apt-get download from another suite with private lists.
download_from() {
  local suite="$1" dir="$work/$1"
  shift
  mkdir -p "$dir/sources" "$dir/lists/partial" "$dir/debs"
  # Keep only the main archive stanza (drop -updates/-security suites), switch suite.
  sed -E -e "s/^Suites:.*/Suites: $suite/" "$SYSTEM_SOURCES" \
    | awk 'BEGIN{RS=""; ORS="\n\n"} /debian-security/ {next} {print}' >"$dir/sources/$suite.sources"
  local apt_suite=(-o "Dir::Etc::sourceparts=$dir/sources" -o "Dir::Etc::sourcelist=/dev/null"
    -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=")
  log "apt-get update ($suite, private lists)"
  apt-get "${apt_suite[@]}" update -qq
  log "downloading from $suite: $*"
  (cd "$dir/debs" && apt-get "${apt_suite[@]}" -o APT::Sandbox::User=root download "$@" >/dev/null)
}
download_from trixie docker.io containerd docker-compose nats-server
download_from sid prometheus promtool

rm -rf "$TOOLS_DIR" && mkdir -p "$TOOLS_DIR"
for deb in "$work"/*/debs/*.deb; do dpkg-deb -x "$deb" "$TOOLS_DIR"; done

link() { # link <binary path inside TOOLS_DIR> <name on PATH>
  local target="$TOOLS_DIR/$1"
  [ -x "$target" ] || { echo "error: $1 missing from the extracted packages" >&2; exit 1; }
  ln -sf "$target" "$BIN_DIR/$2"
}
link usr/libexec/docker/cli-plugins/docker-compose docker-compose
link usr/bin/promtool promtool
link usr/bin/prometheus prometheus
link usr/sbin/nats-server nats-server
link usr/sbin/dockerd dockerd
link usr/sbin/docker-proxy docker-proxy
link usr/bin/containerd containerd
link usr/bin/containerd-shim-runc-v2 containerd-shim-runc-v2
ln -sf /usr/bin/tini-static "$BIN_DIR/docker-init"
# `docker compose` (the plugin form the scripts prefer) next to the machine's docker CLI.
mkdir -p /usr/local/lib/docker/cli-plugins
ln -sf "$TOOLS_DIR/usr/libexec/docker/cli-plugins/docker-compose" /usr/local/lib/docker/cli-plugins/docker-compose
# The CLI of the same engine release where the machine has none.
command -v docker >/dev/null 2>&1 || link usr/bin/docker docker

log "docker-compose $(docker-compose version --short 2>/dev/null || echo '?')"
log "dockerd $(dockerd --version 2>&1 | head -n1)"
log "$(promtool --version 2>&1 | head -n1)"
log "nats-server $(nats-server --version 2>&1)"
log "postgres $(ls /usr/lib/postgresql | sort -n | tail -n1)"
log "$(redis-server --version)"
