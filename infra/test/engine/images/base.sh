#!/usr/bin/env bash
# Builds the engine tier's base image `wpdb-engine-base:bookworm`: a debootstrap'd Debian 12 root
# filesystem imported into the engine, with what the stack's healthchecks call (sh, curl, wget,
# pg_isready) and what the dev container's workspace stand-in needs (make, git, ss). Every image of
# build.ts starts FROM it. Rebuilt only when the package list changes (the list's hash is the image's
# label), so a second run takes a second.
# Needs root, debootstrap and the machine's own Debian mirror (read from its sources, never written).
set -euo pipefail

BASE_IMAGE=wpdb-engine-base:bookworm
PACKAGES=ca-certificates,curl,wget,procps,libstdc++6,libgcc-s1,tzdata,netbase,postgresql-client-15,make,git,iproute2
key=$(printf '%s' "bookworm $PACKAGES" | sha256sum | cut -c1-16)

if [[ "$(docker image inspect -f '{{index .Config.Labels "wpdb.base-key"}}' "$BASE_IMAGE" 2>/dev/null || true)" == "$key" ]]; then
  exit 0
fi
command -v debootstrap >/dev/null || { echo "error: debootstrap missing (apt-get install debootstrap)" >&2; exit 1; }
mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)"
[[ -n "$mirror" ]] || { echo "error: no Debian mirror in /etc/apt/sources.list.d/debian.sources" >&2; exit 1; }
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
echo "[images] debootstrap bookworm (minbase + $PACKAGES)"
debootstrap --variant=minbase --include="$PACKAGES" bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
  || { tail -n 20 "$rootfs.log" >&2; echo "error: debootstrap failed (log: $rootfs.log)" >&2; exit 1; }
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import --change "LABEL wpdb.base-key=$key" - "$BASE_IMAGE" >/dev/null
rm -f "$rootfs.log"
echo "[images] $BASE_IMAGE built"
