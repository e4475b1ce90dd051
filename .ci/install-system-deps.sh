#!/usr/bin/env bash
# Installs the system packages the test suite needs on a fresh Debian machine.
#
# - PostgreSQL server binaries (bookworm): integration tests start a real server.
# - iproute2, lsof, procps: doctor names the process holding a port (ss -ltnp / lsof);
#   shellcheck lints the lifecycle scripts; make and git run the suite.
# - From Debian's newer suite (trixie), extracted without installing so the base
#   system is untouched: the Compose v2 plugin (`docker-compose config -q` is the
#   real Compose validator), promtool (Prometheus config check) and nats-server
#   2.10 (JetStream server for integration tests, `-t` config check).
#
# The trixie sources entry is derived from the system's own debian.sources (only
# the suite changes), so no mirror host is written anywhere.
set -euo pipefail

TOOLS_DIR=${WALLPAPERDB_TEST_TOOLS_DIR:-/opt/wallpaperdb-test-tools}
BIN_DIR=${WALLPAPERDB_TEST_BIN_DIR:-/usr/local/bin}
SYSTEM_SOURCES=/etc/apt/sources.list.d/debian.sources

log() { printf '[install-system-deps] %s\n' "$*"; }

export DEBIAN_FRONTEND=noninteractive
log "apt-get update"
apt-get update -qq
log "installing postgresql, ca-certificates, iproute2 (ss), lsof, procps, shellcheck, make, git"
apt-get install -y -qq --no-install-recommends postgresql ca-certificates iproute2 lsof procps shellcheck make git >/dev/null

trixie_dir=$(mktemp -d)
chmod 755 "$trixie_dir" # apt downloads as the _apt user
trap 'rm -rf "$trixie_dir"' EXIT
mkdir -p "$trixie_dir/sources" "$trixie_dir/lists/partial" "$trixie_dir/debs"
if [ ! -r "$SYSTEM_SOURCES" ]; then
  echo "error: $SYSTEM_SOURCES not found; cannot derive a trixie sources entry" >&2
  exit 1
fi
# Keep only the main archive stanza (drop -updates/-security suites), switch suite.
sed -E -e 's/^Suites:.*/Suites: trixie/' "$SYSTEM_SOURCES" \
  | awk 'BEGIN{RS=""; ORS="\n\n"} /debian-security/ {next} {print}' \
  > "$trixie_dir/sources/trixie.sources"

apt_trixie=(-o "Dir::Etc::sourceparts=$trixie_dir/sources" -o "Dir::Etc::sourcelist=/dev/null"
            -o "Dir::State::Lists=$trixie_dir/lists" -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=")
log "apt-get update (trixie, private lists)"
apt-get "${apt_trixie[@]}" update -qq
log "downloading docker-compose, promtool, nats-server from trixie"
(cd "$trixie_dir/debs" && apt-get "${apt_trixie[@]}" -o APT::Sandbox::User=root download docker-compose promtool nats-server >/dev/null)

rm -rf "$TOOLS_DIR" && mkdir -p "$TOOLS_DIR"
for deb in "$trixie_dir"/debs/*.deb; do dpkg-deb -x "$deb" "$TOOLS_DIR"; done

link() { # link <binary path inside TOOLS_DIR> <name on PATH>
  local target="$TOOLS_DIR/$1"
  [ -x "$target" ] || { echo "error: $1 missing from the trixie packages" >&2; exit 1; }
  ln -sf "$target" "$BIN_DIR/$2"
}
link usr/libexec/docker/cli-plugins/docker-compose docker-compose
link usr/bin/promtool promtool
link usr/sbin/nats-server nats-server

log "docker-compose $(docker-compose version --short 2>/dev/null || echo '?')"
log "$(promtool --version 2>&1 | head -n1)"
log "nats-server $(nats-server --version 2>&1)"
log "postgres $(ls /usr/lib/postgresql | sort -n | tail -n1)"
