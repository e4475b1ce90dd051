#!/usr/bin/env bash
# Starts or stops the Docker Engine of the engine tier (installed by install-system-deps.sh).
#   bash .ci/engine.sh start   dockerd in the background, waits until `docker info` answers
#   bash .ci/engine.sh stop    stops it (and the containerd it started)
# An engine that already answers is used as it is and left running by the stop that follows.
set -euo pipefail

STATE_DIR=${WALLPAPERDB_ENGINE_STATE:-/var/run/wallpaperdb-engine}
LOG=${WALLPAPERDB_ENGINE_LOG:-/var/log/wallpaperdb-dockerd.log}
PIDFILE="$STATE_DIR/dockerd.pid"
# Written by a start that found an engine running: the next stop leaves that engine alone.
BORROWED="$STATE_DIR/borrowed"

log() { printf '[engine] %s\n' "$*"; }
answers() { timeout 5 docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; }

start() {
  if answers; then
    mkdir -p "$STATE_DIR" && touch "$BORROWED"
    log "an engine already answers: Docker $(docker info --format '{{.ServerVersion}}'), left as it is"
    return
  fi
  rm -f "$BORROWED"
  command -v dockerd >/dev/null || { echo "error: dockerd not installed (run .ci/install-system-deps.sh)" >&2; exit 1; }
  mkdir -p "$STATE_DIR"
  # dockerd starts its own containerd (found on PATH) and uses runc from PATH.
  nohup dockerd >"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  local waited=0
  until answers; do
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      echo "error: dockerd exited; its log ($LOG):" >&2
      tail -n 30 "$LOG" >&2
      exit 1
    fi
    ((waited++ < 60)) || { echo "error: dockerd did not answer within 60 s; see $LOG" >&2; exit 1; }
    sleep 1
  done
  log "Docker $(docker info --format '{{.ServerVersion}}') answers (Compose $(docker compose version --short))"
}

stop() {
  if [ -f "$BORROWED" ]; then
    rm -f "$BORROWED"
    log "the engine was running before: left running"
    return
  fi
  [ -f "$PIDFILE" ] || { log "no engine started by this script"; return; }
  local pid
  pid=$(cat "$PIDFILE")
  if kill -0 "$pid" 2>/dev/null; then
    kill -CONT "$pid" 2>/dev/null || true # a test may have left it stopped (SIGSTOP)
    kill "$pid"
    local waited=0
    while kill -0 "$pid" 2>/dev/null && ((waited++ < 30)); do sleep 1; done
  fi
  rm -f "$PIDFILE"
  log "engine stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
